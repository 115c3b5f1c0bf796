/*
 * ops_timeline.c: a camera's day (ops_impl.h) — `timeline` answers, for a range of at most
 * EDGE_TIMELINE_SPAN_MAX_US, what the edge has of it: the recorded spans (segments of the index
 * merged where they follow each other), the gaps between them with their cause where the edge
 * knows it, the holds that cover part of the range, and the footage erased from it. It is what
 * the site console draws as a day strip, and what `mimamori-edge timeline` prints.
 *
 * Where the causes come from: the segment index gives the spans; the site log gives the rest —
 * segments_erased entries (the footage was recorded and erased: retention, storage pressure, a
 * released hold), camera_state entries (suspended or abolished by the manager), storage_alarm
 * entries (a camera stopped for a full disk and resumed), and camera_gap entries (the camera
 * broke off: lost connection, no frames; logged when the gap ends, with ingest's words). A gap
 * gets the cause, in that order, of the first kind that overlaps it. A gap up to now on a camera
 * that records is the segment being written ("in_progress") when it is shorter than a segment,
 * else the camera delivers nothing now ("camera"). Anything else is "unknown" (the edge was not
 * running, say).
 *
 * The log is read from the first entry an hour before the range (found by bisection: entries
 * are appended in time order) to its end, since erasures and gaps are logged after the footage
 * they concern; only the four kinds above are decoded. That read runs on the loop.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/entry.h"
#include "edge/footage.h"
#include "edge/ingest.h"
#include "edge/ops_impl.h"
#include "edge/vault.h"

#define MERGE_US EDGE_GAP_US           /* segments closer than this are one recorded span */
#define LOOKBACK_US (3600LL * 1000000) /* the log is read from this long before the range */
#define PAGE 512                       /* log entries read at once */
#define SPANS_MAX 4096                 /* recorded spans listed; more are cut short */
#define FOREVER INT64_MAX

/* Why there is no footage somewhere, as the log tells it; lower prio wins. */
typedef struct {
    int64_t start, end;
    int prio;
    const char *cause;
    char reason[MM_TEXT_MAX];
} mark_t;

typedef struct {
    mark_t *v;
    size_t n, cap;
    int failed;
} marks_t;

enum { P_ERASED, P_SUSPENDED, P_DISK, P_CAMERA };

static mark_t *mark_add(marks_t *m, int64_t start, int64_t end, int prio, const char *cause)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 32;
        mark_t *nv = realloc(m->v, cap * sizeof *nv);
        if (!nv) {
            m->failed = 1;
            return NULL;
        }
        m->v = nv;
        m->cap = cap;
    }
    mark_t *k = &m->v[m->n++];
    *k = (mark_t){.start = start, .end = end, .prio = prio, .cause = cause};
    return k;
}

/* An on/off state from the log (suspended, stopped for the disk): open is when it began, -1
 * when off; seen once any entry of it was read. */
typedef struct {
    int64_t open;
    int seen;
    char reason[MM_TEXT_MAX];
} toggle_t;

static void toggle(marks_t *m, toggle_t *t, int on, int64_t at, int prio, const char *cause,
                   const char *reason)
{
    if (on && t->open < 0) {
        t->open = at;
        snprintf(t->reason, sizeof t->reason, "%.*s", (int)sizeof t->reason - 1, reason);
    } else if (!on && (t->open >= 0 || !t->seen)) {
        /* off without an on read: it was on since before the log was read */
        mark_t *k = mark_add(m, t->seen ? t->open : 0, at, prio, cause);
        if (k)
            snprintf(k->reason, sizeof k->reason, "%.*s", (int)sizeof k->reason - 1,
                     t->seen ? t->reason : reason);
        t->open = -1;
    }
    t->seen = 1;
}

typedef struct {
    const char *camera;
    int64_t from, to;
    marks_t marks;
    toggle_t susp, disk;
    json_t *erased;
} scan_t;

static void scan_entry(scan_t *s, const mm_entry_t *e)
{
    switch (e->kind) {
    case MM_ENTRY_CAMERA_GAP: {
        const mm_camera_gap_t *g = &e->u.camera_gap;
        mark_t *k = g->end_us > s->from && g->start_us < s->to
                        ? mark_add(&s->marks, g->start_us, g->end_us, P_CAMERA, "camera")
                        : NULL;
        if (k)
            snprintf(k->reason, sizeof k->reason, "%s", g->reason);
        break;
    }
    case MM_ENTRY_CAMERA_STATE: {
        const mm_camera_state_t *c = &e->u.camera_state;
        char why[MM_TEXT_MAX + MM_LONG_TEXT_MAX];
        snprintf(why, sizeof why, "%s by %s: %s", mm_cam_state_name(c->state), c->by, c->reason);
        toggle(&s->marks, &s->susp, c->state != MM_CAM_STATE_RESUMED, e->time_us, P_SUSPENDED,
               "suspended", why);
        break;
    }
    case MM_ENTRY_STORAGE_ALARM: {
        const mm_storage_alarm_t *a = &e->u.storage_alarm;
        if (a->state == MM_ALARM_CAMERA_STOPPED || a->state == MM_ALARM_CAMERA_RESUMED)
            toggle(&s->marks, &s->disk, a->state == MM_ALARM_CAMERA_STOPPED, e->time_us, P_DISK,
                   "disk_full", a->message);
        break;
    }
    case MM_ENTRY_SEGMENTS_ERASED: {
        const mm_segments_erased_t *x = &e->u.segments_erased;
        if (x->end_us < s->from || x->start_us >= s->to)
            break;
        mark_t *k = mark_add(&s->marks, x->start_us, x->end_us, P_ERASED, "erased");
        if (k)
            snprintf(k->reason, sizeof k->reason, "%s%s%s", mm_erase_reason_name(x->reason),
                     x->hold_id[0] ? " " : "", x->hold_id);
        json_array_append_new(
            s->erased, json_pack("{s:I, s:I, s:i, s:s, s:s, s:I}", "start_us",
                                 (json_int_t)x->start_us, "end_us", (json_int_t)x->end_us, "count",
                                 (int)x->count, "reason", mm_erase_reason_name(x->reason),
                                 "hold_id", x->hold_id, "erased_us", (json_int_t)e->time_us));
        break;
    }
    default:
        break;
    }
}

/* The first entry at or after time t (entries are appended in time order). */
static mm_err_t first_at(edge_store_t *st, uint64_t size, int64_t t, uint64_t *out)
{
    uint64_t lo = 0, hi = size;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        mm_bytes_t *es = NULL;
        mm_err_t err = edge_store_entries(st, mid, 1, &es);
        int64_t time = 0;
        if (err == MM_OK && mm_entry_peek(es[0].data, es[0].len, NULL, &time) != MM_OK)
            err = MM_ECORRUPT;
        free(es);
        if (err != MM_OK)
            return err;
        if (time < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    *out = lo;
    return MM_OK;
}

static int wanted(mm_entry_kind_t k)
{
    return k == MM_ENTRY_CAMERA_GAP || k == MM_ENTRY_CAMERA_STATE || k == MM_ENTRY_STORAGE_ALARM ||
           k == MM_ENTRY_SEGMENTS_ERASED;
}

/* Whether e concerns the camera (each wanted kind names it first). */
static int of_camera(const mm_entry_t *e, const char *camera)
{
    const char *c = e->kind == MM_ENTRY_CAMERA_GAP        ? e->u.camera_gap.camera
                    : e->kind == MM_ENTRY_CAMERA_STATE    ? e->u.camera_state.camera
                    : e->kind == MM_ENTRY_STORAGE_ALARM   ? e->u.storage_alarm.camera
                    : e->kind == MM_ENTRY_SEGMENTS_ERASED ? e->u.segments_erased.camera
                                                          : "";
    return strcmp(c, camera) == 0;
}

static mm_err_t scan_log(edge_store_t *st, scan_t *s)
{
    uint64_t size, i;
    mm_err_t err = edge_store_size(st, &size);
    if (err == MM_OK)
        err = first_at(st, size, s->from - LOOKBACK_US, &i);
    mm_entry_t *e = malloc(sizeof *e);
    if (err == MM_OK && !e)
        err = MM_ENOMEM;
    while (err == MM_OK && i < size) {
        size_t n = size - i < PAGE ? (size_t)(size - i) : PAGE;
        mm_bytes_t *es = NULL;
        err = edge_store_entries(st, i, n, &es);
        for (size_t k = 0; err == MM_OK && k < n; k++) {
            mm_entry_kind_t kind;
            if (mm_entry_peek(es[k].data, es[k].len, &kind, NULL) != MM_OK || !wanted(kind))
                continue;
            if (mm_entry_decode(es[k].data, es[k].len, e) != MM_OK) {
                MM_ERROR("timeline: site log entry %" PRIu64 " does not decode", i + k);
                err = MM_ECORRUPT;
            } else if (of_camera(e, s->camera)) {
                scan_entry(s, e);
            }
        }
        free(es);
        i += n;
    }
    free(e);
    if (err == MM_OK && s->marks.failed)
        err = MM_ENOMEM;
    return err;
}

/* --- the recorded spans ----------------------------------------------------------------------*/

typedef struct {
    int64_t from, to;
    json_t *list;
    int64_t start, end; /* the span being merged; start < 0 before the first row */
    json_int_t segments;
    size_t n;
} merge_t;

static void span_flush(merge_t *m)
{
    if (m->start < 0)
        return;
    if (m->n++ < SPANS_MAX)
        json_array_append_new(m->list,
                              json_pack("{s:I, s:I, s:I}", "start_us",
                                        (json_int_t)(m->start > m->from ? m->start : m->from),
                                        "end_us", (json_int_t)(m->end < m->to ? m->end : m->to),
                                        "segments", m->segments));
    m->start = -1;
}

static int merge_row(const edge_segment_row_t *row, void *arg)
{
    merge_t *m = arg;
    int64_t start = row->seg.start_us;
    int64_t end = row->seg.end_us > start ? row->seg.end_us : start + 1;
    if (m->start >= 0 && start - m->end <= MERGE_US) {
        if (end > m->end)
            m->end = end;
        m->segments++;
        return 0;
    }
    span_flush(m);
    m->start = start;
    m->end = end;
    m->segments = 1;
    return 0;
}

/* --- the gaps --------------------------------------------------------------------------------*/

/* Adds the gap [a, b) with its cause (see the top of this file). */
static void add_gap(json_t *gaps, const marks_t *mk, int64_t a, int64_t b, int open_now,
                    int64_t seg_us)
{
    const mark_t *best = NULL;
    for (size_t i = 0; i < mk->n; i++) {
        const mark_t *k = &mk->v[i];
        if (k->start < b && k->end > a && (!best || k->prio < best->prio))
            best = k;
    }
    const char *cause = best ? best->cause : "unknown", *reason = best ? best->reason : "";
    if (!best && open_now) {
        cause = b - a <= seg_us ? "in_progress" : "camera";
        reason = b - a <= seg_us ? "the segment being recorded is not in the index yet"
                                 : "nothing recorded since: the camera delivers no footage now";
    }
    json_array_append_new(gaps,
                          json_pack("{s:I, s:I, s:s, s:s}", "start_us", (json_int_t)a, "end_us",
                                    (json_int_t)b, "cause", cause, "reason", reason));
}

static json_t *gaps_of(const edge_ops_t *ops, int cam, json_t *spans, const marks_t *mk,
                       int64_t from, int64_t to, int64_t now)
{
    json_t *gaps = json_array();
    int64_t cursor = from;
    size_t i;
    json_t *sp;
    json_array_foreach(spans, i, sp)
    {
        int64_t a = json_integer_value(json_object_get(sp, "start_us"));
        int64_t b = json_integer_value(json_object_get(sp, "end_us"));
        if (a > cursor)
            add_gap(gaps, mk, cursor, a, 0, 0);
        if (b > cursor)
            cursor = b;
    }
    int64_t limit = to < now ? to : now;
    int recording = cam >= 0 && ops->cam_state[cam] == EDGE_CAM_RECORDING;
    int64_t seg_us = ((int64_t)ops->cfg->segment_seconds + 5) * 1000000;
    if (limit > cursor)
        add_gap(gaps, mk, cursor, limit, recording && limit == now, seg_us);
    return gaps;
}

static json_t *holds_of(const edge_ops_t *ops, const char *camera, int64_t from, int64_t to)
{
    edge_vault_holds_t hs = {0};
    if (edge_vault_holds_load(ops->vault, &hs) != MM_OK)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; list && i < hs.n; i++) {
        const edge_hold_row_t *h = &hs.h[i];
        if (strcmp(h->camera, camera) != 0 || h->end_us <= from || h->start_us >= to)
            continue;
        json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:I}", "id", h->id,
                                              "kind", h->by[0] ? "site" : "disclosure", "start_us",
                                              (json_int_t)h->start_us, "end_us",
                                              (json_int_t)h->end_us, "by", h->by, "reason",
                                              h->reason, "expires_us", (json_int_t)h->expires_us));
    }
    edge_vault_holds_free(&hs);
    return list;
}

void edge_ops_do_timeline(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    const edge_request_t *r = c->r;
    int64_t now = mm_now_us();
    int cam = edge_ops_camera_index(ops, r->camera);
    if (r->to_us <= r->from_us || r->to_us - r->from_us > EDGE_TIMELINE_SPAN_MAX_US) {
        edge_ops_refuse(c, "invalid",
                        "the time range must run forwards and cover at most 48 hours");
        return;
    }
    merge_t m = {.from = r->from_us, .to = r->to_us, .list = json_array(), .start = -1};
    scan_t s = {.camera = r->camera,
                .from = r->from_us,
                .to = r->to_us,
                .susp = {.open = -1},
                .disk = {.open = -1},
                .erased = json_array()};
    mm_err_t err = edge_footage_find(ops->vault, r->camera, r->from_us, r->to_us, merge_row, &m);
    if (err == MM_OK) {
        span_flush(&m);
        err = scan_log(edge_vault_store(ops->vault), &s);
    }
    json_t *holds = err == MM_OK ? holds_of(ops, r->camera, r->from_us, r->to_us) : NULL;
    if (err == MM_OK && !holds)
        err = MM_ECORRUPT;
    if (err != MM_OK) {
        json_decref(m.list);
        json_decref(s.erased);
        free(s.marks.v);
        edge_ops_refuse(c, edge_ops_err_code(err), "cannot read the timeline of %s: %s", r->camera,
                        mm_strerror(err));
        return;
    }
    /* still on: suspended or stopped to now; with nothing read, as the camera is now */
    if (s.susp.open >= 0 || (!s.susp.seen && cam >= 0 && ops->cam_state[cam] != EDGE_CAM_RECORDING))
        toggle(&s.marks, &s.susp, 0, FOREVER, P_SUSPENDED, "suspended",
               cam >= 0 && ops->cam_state[cam] == EDGE_CAM_ABOLISHED ? "abolished" : "suspended");
    if (s.disk.open >= 0)
        toggle(&s.marks, &s.disk, 0, FOREVER, P_DISK, "disk_full", "");
    json_t *gaps = gaps_of(ops, cam, m.list, &s.marks, r->from_us, r->to_us, now);
    free(s.marks.v);
    char note[96];
    snprintf(note, sizeof note, "%zu recorded span(s), %zu gap(s)", m.n, json_array_size(gaps));
    edge_ops_answer(c,
                    json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:b}", "camera", r->camera,
                              "from_us", (json_int_t)r->from_us, "to_us", (json_int_t)r->to_us,
                              "now_us", (json_int_t)now, "recorded", m.list, "gaps", gaps, "holds",
                              holds, "erased", s.erased, "truncated", m.n > SPANS_MAX),
                    note);
}
