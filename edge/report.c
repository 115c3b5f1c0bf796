/*
 * report.c: the report a site gives the city (see report.h).
 *
 * The log is read in pages; an entry whose time lies outside the period is skipped on its first
 * field (our encoder writes time_us first), so only the entries in the period are decoded in
 * full. Disclosures are counted per request: the period's entries of one request are folded into
 * its legal basis and its last step, in a small table that grows with the requests (a site has
 * few).
 */
#include "edge/report.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/entry.h"

#define PAGE 512 /* log entries read at once */

/* One disclosure request as the period shows it. */
typedef struct {
    char id[MM_ID_MAX];
    mm_legal_basis_t basis;
    mm_disclosure_step_t step; /* the last the period holds */
} disclosure_t;

typedef struct {
    json_int_t segments_recorded, segments_erased, access_allowed, access_refused, viewings,
        emergency_grants, emergency_reports, complaints_received, complaints_answered,
        complaints_at_site, camera_gaps, holds_placed, holds_released;
    disclosure_t *disclosures;
    size_t n_disclosures, cap_disclosures;
    int out_of_memory;
} counts_t;

/* The period's step d of a disclosure request, folded into its row. */
static void count_disclosure(counts_t *c, const mm_disclosure_t *d)
{
    disclosure_t *row = NULL;
    for (size_t i = 0; i < c->n_disclosures && !row; i++)
        if (!strcmp(c->disclosures[i].id, d->request))
            row = &c->disclosures[i];
    if (!row) {
        if (c->n_disclosures == c->cap_disclosures) {
            size_t cap = c->cap_disclosures ? 2 * c->cap_disclosures : 8;
            disclosure_t *more = realloc(c->disclosures, cap * sizeof *more);
            if (!more) {
                c->out_of_memory = 1;
                return;
            }
            c->disclosures = more;
            c->cap_disclosures = cap;
        }
        row = &c->disclosures[c->n_disclosures++];
        memset(row, 0, sizeof *row);
        memcpy(row->id, d->request, sizeof row->id);
    }
    if (d->legal_basis != MM_LEGAL_BASIS_NONE)
        row->basis = d->legal_basis;
    row->step = d->step;
}

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
        else /* an entry of counted refusals stands for count calls (refusals.h) */
            c->access_refused += e->u.access.count ? e->u.access.count : 1;
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
    case MM_ENTRY_SITE_COMPLAINT: /* received at the site itself (R-N12(1)): counted once */
        c->complaints_at_site += e->u.site_complaint.step == MM_COMPLAINT_STEP_RECEIVED;
        break;
    case MM_ENTRY_CAMERA_GAP:
        c->camera_gaps++;
        break;
    case MM_ENTRY_HOLD_PLACED:
        c->holds_placed++;
        break;
    case MM_ENTRY_HOLD_RELEASED:
        c->holds_released++;
        break;
    case MM_ENTRY_DISCLOSURE:
        count_disclosure(c, &e->u.disclosure);
        break;
    default:
        break;
    }
}

/* Counts the log's entries in [from_us, to_us); *size is the log's size that was read. */
static mm_err_t count_log(edge_store_t *st, int64_t from_us, int64_t to_us, counts_t *c,
                          uint64_t *size)
{
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
    if (err == MM_OK && c->out_of_memory)
        err = MM_ENOMEM;
    return err;
}

/* The disclosure requests of the period by legal basis and by state. */
static json_t *disclosures_json(const counts_t *c)
{
    json_t *basis = json_object(), *state = json_object();
    for (int b = MM_LEGAL_BASIS_CONSENT; basis && b < MM_LEGAL_BASIS_COUNT; b++)
        json_object_set_new(basis, mm_legal_basis_name((mm_legal_basis_t)b), json_integer(0));
    for (size_t i = 0; basis && state && i < c->n_disclosures; i++) {
        const disclosure_t *d = &c->disclosures[i];
        const char *step = mm_disclosure_step_name(d->step);
        json_object_set_new(state, step,
                            json_integer(json_integer_value(json_object_get(state, step)) + 1));
        if (d->basis != MM_LEGAL_BASIS_NONE) {
            const char *b = mm_legal_basis_name(d->basis);
            json_object_set_new(basis, b,
                                json_integer(json_integer_value(json_object_get(basis, b)) + 1));
        }
    }
    if (!basis || !state) {
        json_decref(basis);
        json_decref(state);
        return NULL;
    }
    return json_pack("{s:I, s:o, s:o}", "requests", (json_int_t)c->n_disclosures,
                     "by_legal_basis", basis, "by_state", state);
}

static json_t *counts_json(const counts_t *c)
{
    json_t *o = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "segments_recorded",
        c->segments_recorded, "segments_erased", c->segments_erased, "access_allowed",
        c->access_allowed, "access_refused", c->access_refused, "viewings", c->viewings,
        "emergency_grants", c->emergency_grants, "emergency_reports", c->emergency_reports,
        "complaints_received", c->complaints_received, "complaints_answered",
        c->complaints_answered, "complaints_at_site", c->complaints_at_site, "camera_gaps",
        c->camera_gaps, "holds_placed", c->holds_placed, "holds_released", c->holds_released);
    json_t *d = disclosures_json(c);
    if (!o || !d || json_object_set_new(o, "disclosures", d) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* What was asked and answered, and what the site is: the report's head. */
static int head_json(json_t *r, const edge_report_site_t *site, const edge_report_ask_t *ask,
                     int64_t now_us)
{
    int bad = 0;
    bad |= json_object_set_new(r, "site", json_string(site->site));
    bad |= json_object_set_new(r, "request", json_string(or_empty(ask->request)));
    bad |= json_object_set_new(r, "from_us", json_integer(ask->from_us));
    bad |= json_object_set_new(r, "to_us", json_integer(ask->to_us));
    bad |= json_object_set_new(r, "generated_us", json_integer(now_us));
    bad |= json_object_set_new(r, "question", json_string(or_empty(ask->question)));
    bad |= json_object_set_new(r, "answer", json_string(or_empty(ask->answer)));
    bad |= json_object_set_new(r, "answered_by", json_string(or_empty(ask->by)));
    bad |= json_object_set_new(r, "policy", json_string(site->policy));
    bad |= json_object_set_new(r, "retention_days", json_integer(site->retention_days));
    bad |= json_object_set_new(r, "registered_retention_days",
                               json_integer(site->registered_retention_days));
    return bad ? -1 : 0;
}

/* The report with the first n_cameras cameras and n_operators operators; NULL when out of
 * memory. Keys go out in the order they are set (jansson keeps insertion order). */
static json_t *report_json(const edge_report_site_t *site, const edge_report_ask_t *ask,
                           int64_t now_us, const counts_t *c, uint64_t size, size_t n_cameras,
                           size_t n_operators)
{
    json_t *r = json_object(), *cams = json_array(), *ops = json_array(), *counts = counts_json(c);
    int bad = !r || !cams || !ops || !counts || head_json(r, site, ask, now_us) != 0;
    for (size_t i = 0; !bad && i < n_cameras; i++) {
        const edge_report_camera_t *cam = &site->cameras[i];
        bad |= json_array_append_new(cams, json_pack("{s:s, s:s, s:s}", "id", cam->id, "state",
                                                     cam->state, "location",
                                                     or_empty(cam->location)));
    }
    for (size_t i = 0; !bad && i < n_operators; i++)
        bad |= json_array_append_new(ops, json_string(site->operators[i]));
    if (!bad) {
        bad |= json_object_set(r, "cameras", cams);
        if (n_cameras < site->n_cameras)
            bad |= json_object_set_new(r, "cameras_omitted",
                                       json_integer((json_int_t)(site->n_cameras - n_cameras)));
        bad |= json_object_set_new(r, "manager", json_string(or_empty(site->manager)));
        bad |= json_object_set(r, "operators", ops);
        if (n_operators < site->n_operators)
            bad |= json_object_set_new(
                r, "operators_omitted", json_integer((json_int_t)(site->n_operators - n_operators)));
        bad |= json_object_set(r, "counts", counts);
        bad |= json_object_set_new(r, "log_size", json_integer((json_int_t)size));
    }
    json_decref(cams);
    json_decref(ops);
    json_decref(counts);
    if (bad) {
        json_decref(r);
        return NULL;
    }
    return r;
}

mm_err_t edge_report_build(edge_store_t *st, const edge_report_site_t *site,
                           const edge_report_ask_t *ask, int64_t now_us, char *out, size_t cap)
{
    counts_t c;
    memset(&c, 0, sizeof c);
    uint64_t size = 0;
    mm_err_t err = count_log(st, ask->from_us, ask->to_us, &c, &size);
    /* Leave out the last cameras, then the last operators, until it fits. */
    size_t nc = site->n_cameras, no = site->n_operators;
    while (err == MM_OK) {
        json_t *r = report_json(site, ask, now_us, &c, size, nc, no);
        char *s = r ? json_dumps(r, JSON_COMPACT) : NULL;
        json_decref(r);
        if (!s) {
            err = MM_ENOMEM;
            break;
        }
        size_t n = strlen(s);
        if (n < cap)
            memcpy(out, s, n + 1);
        free(s);
        if (n < cap)
            break;
        if (nc)
            nc--;
        else if (no)
            no--;
        else
            err = MM_ERANGE;
    }
    free(c.disclosures);
    return err;
}
