/*
 * requests.c: city requests received, logged once, and answered (see requests.h).
 *
 * The edge.meta record "request/<id>" is the request as received plus its state. It is written
 * in the same transaction as each entry about the request (city_request when it arrives,
 * request_answered when it is answered), so the record and the log never disagree: a request
 * with a record has its city_request entry, and one marked answered has its answer.
 *
 * A report counts the log's entries of a period. The log is read in pages; an entry whose time
 * lies outside the period is skipped on its first field (our encoder writes time_us first), so
 * only the entries in the period are decoded in full.
 */
#include "edge/requests.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/entry.h"
#include "common/utf8.h"

#define PREFIX "request/"
#define KEY_MAX (sizeof PREFIX + MM_ID_MAX)
#define RECORD_MAX (64 * 1024) /* a record: the request's text, escaped, and a few fields */
#define PAGE 512               /* log entries read at once for a report */

/* A request and its state, as kept in edge.meta. */
typedef struct {
    mm_city_request_t q;
    int64_t received_us;
    int answered;
    int64_t answered_us;
    char by[MM_ID_MAX]; /* who answered: a person id, "" for the edge (reports) */
} record_t;

/* Disclosures and their download notices are decided and logged by disclosure.h, not answered
 * here in words. */
static int is_disclosure(mm_request_kind_t kind)
{
    return kind == MM_REQUEST_KIND_DISCLOSURE || kind == MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED;
}

static void record_key(const char *id, char key[KEY_MAX])
{
    snprintf(key, KEY_MAX, PREFIX "%s", id);
}

/* --- records ---------------------------------------------------------------------------------*/

static char *record_dump(const record_t *r)
{
    const mm_city_request_t *q = &r->q;
    json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:I, s:s, s:I, s:s}", "id",
                          q->id, "kind", mm_request_kind_name(q->kind), "time_us",
                          (json_int_t)q->time_us, "deadline_us", (json_int_t)q->deadline_us,
                          "camera", q->camera, "text", q->text, "from_us", (json_int_t)q->from_us,
                          "to_us", (json_int_t)q->to_us, "complaint", q->complaint, "received_us",
                          (json_int_t)r->received_us, "state", r->answered ? "answered" : "open",
                          "answered_us", (json_int_t)r->answered_us, "by", r->by);
    /* A disclosure keeps everything it came with, so that its receipt can be finished from the
     * record alone after a stop (disclosure.h). Other kinds' records stay as they were. */
    if (j && is_disclosure(q->kind)) {
        json_t *cams = json_array();
        for (size_t i = 0; cams && i < q->n_cameras; i++)
            json_array_append_new(cams, json_string(q->cameras[i]));
        char sig[2 * sizeof q->signature + 1] = "";
        if (q->has_signature)
            mm_hex_encode(q->signature, sizeof q->signature, sig, sizeof sig);
        if (!cams ||
            json_object_set_new(j, "legal_basis",
                                json_string(mm_legal_basis_name(q->legal_basis))) ||
            json_object_set_new(j, "reference", json_string(q->reference)) ||
            json_object_set_new(j, "requester", json_string(q->requester)) ||
            json_object_set_new(j, "recipient", json_string(q->recipient)) ||
            json_object_set_new(j, "cameras", cams) ||
            json_object_set_new(j, "signature", json_string(sig)) ||
            json_object_set_new(j, "disclosure", json_string(q->disclosure))) {
            json_decref(j);
            j = NULL;
        }
    }
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return s;
}

static int copy_text(char *dst, size_t cap, const char *src, int nonempty)
{
    size_t n = strlen(src);
    if (n >= cap || (nonempty && !n) || !mm_utf8_valid(src, n))
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static mm_err_t record_parse(const void *buf, size_t len, record_t *r)
{
    memset(r, 0, sizeof *r);
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
    const char *id, *kind, *camera, *text, *complaint, *state, *by;
    const char *basis = "", *reference = "", *requester = "", *recipient = "", *sig = "",
               *disclosure = "";
    json_t *cams = NULL;
    json_int_t t, deadline, from, to, received, answered;
    mm_city_request_t *q = &r->q;
    int bad =
        !j ||
        json_unpack_ex(j, NULL, JSON_STRICT,
                       "{s:s, s:s, s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:I, s:s, s:I, s:s, "
                       "s?s, s?s, s?s, s?s, s?o, s?s, s?s}",
                       "id", &id, "kind", &kind, "time_us", &t, "deadline_us", &deadline, "camera",
                       &camera, "text", &text, "from_us", &from, "to_us", &to, "complaint",
                       &complaint, "received_us", &received, "state", &state, "answered_us",
                       &answered, "by", &by, "legal_basis", &basis, "reference", &reference,
                       "requester", &requester, "recipient", &recipient, "cameras", &cams,
                       "signature", &sig, "disclosure", &disclosure) != 0 ||
        (cams && (!json_is_array(cams) || json_array_size(cams) > MM_REQUEST_CAMERAS_MAX)) ||
        !mm_legal_basis_parse(basis, &q->legal_basis) ||
        copy_text(q->reference, sizeof q->reference, reference, 0) ||
        copy_text(q->requester, sizeof q->requester, requester, 0) ||
        copy_text(q->recipient, sizeof q->recipient, recipient, 0) ||
        copy_text(q->disclosure, sizeof q->disclosure, disclosure, 0) ||
        (*sig && mm_hex_decode(sig, strlen(sig), q->signature, sizeof q->signature) !=
                     (int)sizeof q->signature) ||
        copy_text(q->id, sizeof q->id, id, 1) || !mm_request_kind_parse(kind, &q->kind) ||
        copy_text(q->camera, sizeof q->camera, camera, 0) ||
        copy_text(q->text, sizeof q->text, text, 0) ||
        copy_text(q->complaint, sizeof q->complaint, complaint, 0) ||
        copy_text(r->by, sizeof r->by, by, 0) ||
        (strcmp(state, "open") != 0 && strcmp(state, "answered") != 0);
    for (size_t i = 0; !bad && cams && i < json_array_size(cams); i++) {
        json_t *c = json_array_get(cams, i);
        bad = !json_is_string(c) ||
              copy_text(q->cameras[i], sizeof q->cameras[i], json_string_value(c), 1);
        q->n_cameras = i + 1;
    }
    if (!bad) {
        q->has_signature = *sig != 0;
        q->time_us = t;
        q->deadline_us = deadline;
        q->from_us = from;
        q->to_us = to;
        r->received_us = received;
        r->answered = strcmp(state, "answered") == 0;
        r->answered_us = answered;
    }
    json_decref(j);
    return bad ? MM_ECORRUPT : MM_OK;
}

/* MM_OK with *r, MM_ENOTFOUND, MM_ECORRUPT (named in the log), MM_ENOMEM, store errors. */
static mm_err_t record_load(edge_store_t *st, const char *id, record_t *r)
{
    char key[KEY_MAX];
    record_key(id, key);
    char *buf = malloc(RECORD_MAX);
    if (!buf)
        return MM_ENOMEM;
    size_t len = 0;
    mm_err_t err = edge_store_meta_get(st, key, buf, RECORD_MAX, &len);
    if (err == MM_ERANGE)
        err = MM_ECORRUPT;
    if (err == MM_OK)
        err = record_parse(buf, len, r);
    if (err == MM_ECORRUPT)
        MM_ERROR("the store's record of city request %s is damaged", id);
    free(buf);
    return err;
}

static json_t *record_json(const record_t *r, int64_t now_us)
{
    const mm_city_request_t *q = &r->q;
    int overdue = !r->answered && q->deadline_us > 0 && now_us > q->deadline_us;
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:s, s:s, s:I, s:I, s:s, s:I, s:s}", "id",
                     q->id, "kind", mm_request_kind_name(q->kind), "state",
                     r->answered ? "answered" : "open", "received_us", (json_int_t)r->received_us,
                     "time_us", (json_int_t)q->time_us, "deadline_us", (json_int_t)q->deadline_us,
                     "overdue", overdue, "camera", q->camera, "text", q->text, "from_us",
                     (json_int_t)q->from_us, "to_us", (json_int_t)q->to_us, "complaint",
                     q->complaint, "answered_us", (json_int_t)r->answered_us, "by", r->by);
}

/* Appends e and sets the request's record, in one transaction. */
static mm_err_t append_with_record(edge_store_t *st, const mm_entry_t *e, const record_t *r)
{
    char key[KEY_MAX];
    record_key(r->q.id, key);
    char *s = record_dump(r);
    if (!s)
        return MM_ENOMEM;
    mm_err_t err = edge_store_append_meta(st, e, key, s, strlen(s), NULL);
    free(s);
    return err;
}

/* --- the report ------------------------------------------------------------------------------*/

typedef struct {
    json_int_t segments_recorded, segments_erased, access_allowed, access_refused, viewings,
        emergency_grants, emergency_reports, complaints_received, complaints_answered, camera_gaps;
} counts_t;

static void count(counts_t *c, const mm_entry_t *e)
{
    switch (e->kind) {
    case MM_ENTRY_SEGMENT_RECORDED:
        c->segments_recorded++;
        break;
    case MM_ENTRY_SEGMENTS_ERASED:
        c->segments_erased += e->u.segments_erased.count;
        break;
    case MM_ENTRY_ACCESS:
        if (e->u.access.allowed)
            c->access_allowed++;
        else
            c->access_refused++;
        break;
    case MM_ENTRY_VIEWING:
        c->viewings += e->u.viewing.state == MM_VIEWING_STATE_STARTED;
        break;
    case MM_ENTRY_ROLE_CHANGED:
        c->emergency_grants += e->u.role_changed.change == MM_ROLE_CHANGE_EMERGENCY_GRANTED;
        break;
    case MM_ENTRY_EMERGENCY_REPORT:
        c->emergency_reports++;
        break;
    case MM_ENTRY_CITY_REQUEST:
        c->complaints_received += e->u.city_request.kind == MM_REQUEST_KIND_COMPLAINT;
        break;
    case MM_ENTRY_REQUEST_ANSWERED:
        c->complaints_answered += e->u.request_answered.kind == MM_REQUEST_KIND_COMPLAINT;
        break;
    case MM_ENTRY_CAMERA_GAP:
        c->camera_gaps++;
        break;
    default:
        break;
    }
}

/* Counts the log's entries in [from_us, to_us); *size is the log's size that was read. */
static mm_err_t count_log(edge_store_t *st, int64_t from_us, int64_t to_us, counts_t *c,
                          uint64_t *size)
{
    memset(c, 0, sizeof *c);
    mm_err_t err = edge_store_size(st, size);
    if (err != MM_OK)
        return err;
    mm_entry_t *e = malloc(sizeof *e);
    if (!e)
        return MM_ENOMEM;
    for (uint64_t i = 0; i < *size && err == MM_OK;) {
        size_t n = *size - i < PAGE ? (size_t)(*size - i) : PAGE;
        mm_bytes_t *es = NULL;
        err = edge_store_entries(st, i, n, &es);
        for (size_t k = 0; err == MM_OK && k < n; k++) {
            int64_t t;
            if (mm_entry_peek(es[k].data, es[k].len, NULL, &t) == MM_OK &&
                (t < from_us || t >= to_us))
                continue;
            if (mm_entry_decode(es[k].data, es[k].len, e) != MM_OK) {
                MM_ERROR("site log entry %" PRIu64 " does not decode", i + k);
                err = MM_ECORRUPT;
            } else if (e->time_us >= from_us && e->time_us < to_us) {
                count(c, e);
            }
        }
        free(es);
        i += n;
    }
    free(e);
    return err;
}

static json_t *report_json(const edge_report_site_t *site, int64_t from_us, int64_t to_us,
                           int64_t now_us, const counts_t *c, uint64_t size, size_t n_cameras,
                           size_t n_operators)
{
    json_t *r = json_object(), *cams = json_array(), *ops = json_array();
    for (size_t i = 0; i < n_cameras; i++) {
        const edge_report_camera_t *cam = &site->cameras[i];
        json_array_append_new(cams, json_pack("{s:s, s:s, s:s}", "id", cam->id, "state", cam->state,
                                              "location", cam->location ? cam->location : ""));
    }
    for (size_t i = 0; i < n_operators; i++)
        json_array_append_new(ops, json_string(site->operators[i]));
    json_t *counts =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "segments_recorded",
                  c->segments_recorded, "segments_erased", c->segments_erased, "access_allowed",
                  c->access_allowed, "access_refused", c->access_refused, "viewings", c->viewings,
                  "emergency_grants", c->emergency_grants, "emergency_reports",
                  c->emergency_reports, "complaints_received", c->complaints_received,
                  "complaints_answered", c->complaints_answered, "camera_gaps", c->camera_gaps);
    /* Keys go out in the order they are set (jansson keeps insertion order). */
    json_object_set_new(r, "site", json_string(site->site));
    json_object_set_new(r, "from_us", json_integer(from_us));
    json_object_set_new(r, "to_us", json_integer(to_us));
    json_object_set_new(r, "generated_us", json_integer(now_us));
    json_object_set_new(r, "policy", json_string(site->policy));
    json_object_set_new(r, "retention_days", json_integer(site->retention_days));
    json_object_set_new(r, "registered_retention_days",
                        json_integer(site->registered_retention_days));
    json_object_set_new(r, "cameras", cams);
    if (n_cameras < site->n_cameras)
        json_object_set_new(r, "cameras_omitted",
                            json_integer((json_int_t)(site->n_cameras - n_cameras)));
    json_object_set_new(r, "manager", json_string(site->manager ? site->manager : ""));
    json_object_set_new(r, "operators", ops);
    if (n_operators < site->n_operators)
        json_object_set_new(r, "operators_omitted",
                            json_integer((json_int_t)(site->n_operators - n_operators)));
    json_object_set_new(r, "counts", counts);
    json_object_set_new(r, "log_size", json_integer((json_int_t)size));
    /* A value that could not be made (out of memory) is missing: twelve keys or nothing. */
    if (!counts || json_object_size(r) < 12) {
        json_decref(r);
        return NULL;
    }
    return r;
}

mm_err_t edge_requests_report(edge_store_t *st, const edge_report_site_t *site, int64_t from_us,
                              int64_t to_us, int64_t now_us, char *out, size_t cap)
{
    counts_t c;
    uint64_t size = 0;
    mm_err_t err = count_log(st, from_us, to_us, &c, &size);
    if (err != MM_OK)
        return err;
    /* Leave out the last cameras, then the last operators, until it fits. */
    size_t nc = site->n_cameras, no = site->n_operators;
    for (;;) {
        json_t *r = report_json(site, from_us, to_us, now_us, &c, size, nc, no);
        char *s = r ? json_dumps(r, JSON_COMPACT) : NULL;
        json_decref(r);
        if (!s)
            return MM_ENOMEM;
        size_t n = strlen(s);
        if (n < cap) {
            memcpy(out, s, n + 1);
            free(s);
            return MM_OK;
        }
        free(s);
        if (nc)
            nc--;
        else if (no)
            no--;
        else
            return MM_ERANGE;
    }
}

/* Answers report request r (open, logged) with a signed report, and marks it answered. */
static mm_err_t answer_report(edge_store_t *st, record_t *r, const edge_report_site_t *site,
                              const mm_ed25519_t *key, int64_t now_us)
{
    mm_entry_t *e = calloc(1, sizeof *e);
    if (!e)
        return MM_ENOMEM;
    e->time_us = now_us;
    e->kind = MM_ENTRY_REQUEST_ANSWERED;
    mm_request_answered_t *a = &e->u.request_answered;
    snprintf(a->id, sizeof a->id, "%s", r->q.id);
    a->kind = r->q.kind;
    mm_err_t err = edge_requests_report(st, site, r->q.from_us, r->q.to_us, now_us, a->report,
                                        sizeof a->report);
    uint8_t sig[MM_ED25519_SIG_LEN];
    if (err == MM_OK)
        err = mm_ed25519_sign(key, a->report, strlen(a->report), sig);
    if (err == MM_OK &&
        mm_base64_encode(sig, sizeof sig, a->report_signature, sizeof a->report_signature) < 0)
        err = MM_ERANGE;
    if (err == MM_OK) {
        record_t done = *r;
        done.answered = 1;
        done.answered_us = now_us;
        done.by[0] = 0;
        err = append_with_record(st, e, &done);
        if (err == MM_OK)
            *r = done;
    }
    if (err == MM_OK)
        MM_INFO("city request %s: report for [%" PRId64 ", %" PRId64 ") sent, %zu bytes, signed",
                r->q.id, r->q.from_us, r->q.to_us, strlen(a->report));
    else
        MM_ERROR("city request %s: cannot answer with a report: %s", r->q.id, mm_strerror(err));
    free(e);
    return err;
}

/* --- receiving -------------------------------------------------------------------------------*/

/* Logs a request seen for the first time: its city_request entry and its record. */
static mm_err_t log_request(edge_store_t *st, const mm_city_request_t *q, int64_t now_us,
                            record_t *r)
{
    mm_entry_t *e = calloc(1, sizeof *e);
    if (!e)
        return MM_ENOMEM;
    e->time_us = now_us;
    e->kind = MM_ENTRY_CITY_REQUEST;
    mm_city_request_entry_t *c = &e->u.city_request;
    snprintf(c->id, sizeof c->id, "%s", q->id);
    c->kind = q->kind;
    c->city_time_us = q->time_us;
    c->deadline_us = q->deadline_us;
    snprintf(c->camera, sizeof c->camera, "%s", q->camera);
    snprintf(c->text, sizeof c->text, "%s", q->text);
    c->from_us = q->from_us;
    c->to_us = q->to_us;
    snprintf(c->complaint, sizeof c->complaint, "%s", q->complaint);
    memset(r, 0, sizeof *r);
    r->q = *q;
    r->received_us = now_us;
    mm_err_t err = append_with_record(st, e, r);
    free(e);
    if (err == MM_OK)
        MM_INFO("city request %s (%s) received%s", q->id, mm_request_kind_name(q->kind),
                q->kind == MM_REQUEST_KIND_REPORT_REQUEST ? ""
                : q->kind == MM_REQUEST_KIND_DISCLOSURE   ? "; the manager decides it"
                : is_disclosure(q->kind)                  ? ""
                                                          : "; the manager answers it");
    else
        MM_ERROR("city request %s: cannot log it: %s", q->id, mm_strerror(err));
    return err;
}

/* What the wire accepts fits the entry (wire.h, entry.h). */
_Static_assert(sizeof((mm_city_request_t *)0)->id <= MM_ID_MAX, "request id");
_Static_assert(sizeof((mm_city_request_t *)0)->camera <= MM_ID_MAX, "request camera");
_Static_assert(sizeof((mm_city_request_t *)0)->complaint <= MM_ID_MAX, "request complaint");
_Static_assert(sizeof((mm_city_request_t *)0)->text <= MM_LONG_TEXT_MAX, "request text");

static int request_ok(const mm_city_request_t *q)
{
    if (!mm_utf8_field_ok(q->id, sizeof q->id, 1) || !mm_request_kind_name(q->kind) ||
        !mm_utf8_field_ok(q->camera, sizeof q->camera, 0) ||
        !mm_utf8_field_ok(q->text, sizeof q->text, 0) ||
        !mm_utf8_field_ok(q->complaint, sizeof q->complaint, 0))
        return 0;
    if (!is_disclosure(q->kind))
        return 1;
    if (!mm_legal_basis_name(q->legal_basis) ||
        !mm_utf8_field_ok(q->reference, sizeof q->reference, 0) ||
        !mm_utf8_field_ok(q->requester, sizeof q->requester, 0) ||
        !mm_utf8_field_ok(q->recipient, sizeof q->recipient, 0) ||
        !mm_utf8_field_ok(q->disclosure, sizeof q->disclosure, 0) ||
        q->n_cameras > MM_REQUEST_CAMERAS_MAX)
        return 0;
    for (size_t i = 0; i < q->n_cameras; i++)
        if (!mm_utf8_field_ok(q->cameras[i], sizeof q->cameras[i], 1))
            return 0;
    return 1;
}

mm_err_t edge_requests_receive(edge_store_t *st, const mm_city_request_t *r, size_t n,
                               const edge_report_site_t *site, const mm_ed25519_t *key,
                               int64_t now_us, size_t *logged)
{
    mm_err_t first = MM_OK;
    size_t done = 0;
    record_t *rec = malloc(sizeof *rec);
    if (!rec)
        return MM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const mm_city_request_t *q = &r[i];
        mm_err_t err;
        if (!request_ok(q)) {
            MM_ERROR("a city request the site cannot log (id \"%.63s\", kind %d)", q->id,
                     (int)q->kind);
            err = MM_EINVAL;
        } else {
            err = record_load(st, q->id, rec);
            if (err == MM_ENOTFOUND) {
                err = log_request(st, q, now_us, rec);
                done += err == MM_OK;
            }
            if (err == MM_OK && !rec->answered && rec->q.kind == MM_REQUEST_KIND_REPORT_REQUEST) {
                err = answer_report(st, rec, site, key, now_us);
                done += err == MM_OK;
            }
        }
        if (first == MM_OK)
            first = err;
    }
    free(rec);
    if (logged)
        *logged = done;
    return first;
}

/* --- walking the records ---------------------------------------------------------------------*/

typedef struct {
    int64_t now_us;
    json_t *list; /* list: every request but disclosures */
    size_t open;
    int disclosures;   /* collect the disclosures and their notices instead of report requests */
    record_t *reports; /* catch up: the open report requests (or the disclosures) */
    size_t n_reports, cap_reports;
    mm_err_t err;
} walk_t;

static int walk_one(const char *name, size_t name_len, const void *val, size_t len, void *arg)
{
    walk_t *w = arg;
    record_t r;
    if (record_parse(val, len, &r) != MM_OK) {
        MM_ERROR("the store's record %.*s is damaged", (int)name_len, name);
        w->err = MM_ECORRUPT;
        return 1;
    }
    if (w->list) {
        if (is_disclosure(r.q.kind))
            return 0; /* listed by mimamori-edge disclosures */
        w->open += !r.answered;
        if (json_array_append_new(w->list, record_json(&r, w->now_us)) != 0) {
            w->err = MM_ENOMEM;
            return 1;
        }
        return 0;
    }
    if (w->disclosures ? !is_disclosure(r.q.kind)
                       : r.answered || r.q.kind != MM_REQUEST_KIND_REPORT_REQUEST)
        return 0;
    if (w->n_reports == w->cap_reports) {
        size_t cap = w->cap_reports ? 2 * w->cap_reports : 4;
        record_t *more = realloc(w->reports, cap * sizeof *more);
        if (!more) {
            w->err = MM_ENOMEM;
            return 1;
        }
        w->reports = more;
        w->cap_reports = cap;
    }
    w->reports[w->n_reports++] = r;
    return 0;
}

mm_err_t edge_requests_catch_up(edge_store_t *st, const edge_report_site_t *site,
                                const mm_ed25519_t *key, int64_t now_us, size_t *logged)
{
    walk_t w = {.now_us = now_us};
    mm_err_t err = edge_store_meta_each(st, PREFIX, walk_one, &w);
    if (err == MM_OK)
        err = w.err;
    size_t done = 0;
    /* Written after the walk: its read transaction is over. */
    for (size_t i = 0; err == MM_OK && i < w.n_reports; i++) {
        err = answer_report(st, &w.reports[i], site, key, now_us);
        done += err == MM_OK;
    }
    free(w.reports);
    if (logged)
        *logged = done;
    return err;
}

mm_err_t edge_requests_get(edge_store_t *st, const char *id, mm_city_request_t *out)
{
    if (!id || !mm_utf8_field_ok(id, MM_ID_MAX, 1))
        return MM_ENOTFOUND;
    record_t *r = malloc(sizeof *r);
    if (!r)
        return MM_ENOMEM;
    mm_err_t err = record_load(st, id, r);
    if (err == MM_OK)
        *out = r->q;
    free(r);
    return err;
}

mm_err_t edge_requests_each_disclosure(edge_store_t *st,
                                       mm_err_t (*fn)(void *arg, const mm_city_request_t *q),
                                       void *arg)
{
    walk_t w = {.disclosures = 1};
    mm_err_t err = edge_store_meta_each(st, PREFIX, walk_one, &w);
    if (err == MM_OK)
        err = w.err;
    /* Called after the walk: its read transaction is over, fn may write. */
    mm_err_t first = MM_OK;
    for (size_t i = 0; err == MM_OK && i < w.n_reports; i++) {
        mm_err_t e = fn(arg, &w.reports[i].q);
        if (first == MM_OK)
            first = e;
    }
    free(w.reports);
    return err != MM_OK ? err : first;
}

mm_err_t edge_requests_list(edge_store_t *st, int64_t now_us, json_t **out)
{
    walk_t w = {.now_us = now_us, .list = json_array()};
    if (!w.list)
        return MM_ENOMEM;
    mm_err_t err = edge_store_meta_each(st, PREFIX, walk_one, &w);
    if (err == MM_OK)
        err = w.err;
    json_t *res = err == MM_OK
                      ? json_pack("{s:o, s:I}", "requests", w.list, "open", (json_int_t)w.open)
                      : NULL;
    if (err != MM_OK)
        json_decref(w.list);
    else if (!res)
        err = MM_ENOMEM;
    *out = res;
    return err;
}

/* --- answering -------------------------------------------------------------------------------*/

mm_err_t edge_requests_answer(edge_store_t *st, const char *id, const char *by, const char *text,
                              int64_t now_us, json_t **out, char *msg, size_t cap)
{
    if (out)
        *out = NULL;
    if (!id || !mm_utf8_field_ok(id, MM_ID_MAX, 1))
        return mm_errf(MM_ENOTFOUND, msg, cap, "no city request %.63s", id ? id : "");
    if (!by || !mm_utf8_field_ok(by, MM_ID_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "an answer names who gives it");
    if (!text || !mm_utf8_field_ok(text, MM_LONG_TEXT_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "an answer is 1 to %d bytes of UTF-8",
                       MM_LONG_TEXT_MAX - 1);
    record_t *r = malloc(sizeof *r);
    mm_entry_t *e = calloc(1, sizeof *e);
    mm_err_t err = r && e ? record_load(st, id, r) : MM_ENOMEM;
    if (err == MM_ENOTFOUND) {
        mm_errf(err, msg, cap, "no city request %s", id);
        goto out;
    }
    if (err != MM_OK) {
        mm_errf(err, msg, cap, "the request %s cannot be read: %s", id, mm_strerror(err));
        goto out;
    }
    if (r->q.kind == MM_REQUEST_KIND_DISCLOSURE) {
        err = mm_errf(MM_ECONFLICT, msg, cap,
                      "%s is a disclosure request: the manager approves or denies it "
                      "(mimamori-edge disclosure approve|deny)",
                      id);
        goto out;
    }
    if (is_disclosure(r->q.kind)) {
        err = mm_errf(MM_ECONFLICT, msg, cap,
                      "%s is the hub's notice that a disclosure was downloaded: nothing to answer",
                      id);
        goto out;
    }
    if (r->q.kind == MM_REQUEST_KIND_REPORT_REQUEST) {
        err =
            mm_errf(MM_ECONFLICT, msg, cap,
                    "%s is a report request: the edge answers it itself with a signed report", id);
        goto out;
    }
    if (r->answered) {
        err = mm_errf(MM_EEXIST, msg, cap, "%s is answered already (by %s)", id,
                      r->by[0] ? r->by : "the edge");
        goto out;
    }
    e->time_us = now_us;
    e->kind = MM_ENTRY_REQUEST_ANSWERED;
    mm_request_answered_t *a = &e->u.request_answered;
    snprintf(a->id, sizeof a->id, "%s", r->q.id);
    a->kind = r->q.kind;
    snprintf(a->by, sizeof a->by, "%s", by);
    snprintf(a->text, sizeof a->text, "%s", text);
    r->answered = 1;
    r->answered_us = now_us;
    snprintf(r->by, sizeof r->by, "%s", by);
    err = append_with_record(st, e, r);
    if (err != MM_OK) {
        mm_errf(err, msg, cap, "the answer could not be stored: %s", mm_strerror(err));
        goto out;
    }
    MM_INFO("city request %s (%s) answered by %s", id, mm_request_kind_name(r->q.kind), by);
    if (out)
        *out = record_json(r, now_us);
out:
    free(r);
    free(e);
    return err;
}
