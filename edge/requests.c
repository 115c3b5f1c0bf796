/*
 * requests.c: city requests received, logged once, answered or acknowledged (see requests.h).
 *
 * The edge.meta record "request/<id>" is the request as received plus its state. It is written
 * in the same transaction as each entry about the request (city_request when it arrives,
 * request_answered when it is answered or acknowledged), so the record and the log never
 * disagree: a request with a record has its city_request entry, and one marked answered has its
 * answer. A report request's report is made when the manager answers it (report.h).
 */
#include "edge/requests.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/entry.h"
#include "common/timefmt.h"
#include "common/utf8.h"

#define PREFIX "request/"
#define KEY_MAX (sizeof PREFIX + MM_ID_MAX)
#define RECORD_MAX (64 * 1024) /* a record: the request's texts, escaped, and a few fields */

/* A request and its state, as kept in edge.meta. */
typedef struct {
    mm_city_request_t q;
    int64_t received_us;
    int answered;
    int64_t answered_us;
    char by[MM_ID_MAX]; /* who answered: a person id ("" for reports the edge made itself once) */
    char answer[MM_LONG_TEXT_MAX]; /* what they said ("" when nothing, and in older records) */
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
    /* A notice keeps what it is about and its particulars, and an answer its words. */
    if (j && ((q->subject[0] && json_object_set_new(j, "subject", json_string(q->subject))) ||
              (q->detail[0] && json_object_set_new(j, "detail", json_string(q->detail))) ||
              (r->answer[0] && json_object_set_new(j, "answer", json_string(r->answer))))) {
        json_decref(j);
        j = NULL;
    }
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
    /* The city's rule keeps what the site enforces and the hub's signature over it, so that the
     * rule in force can be read again, and checked again, from the record (cityrule.h). */
    if (j && q->kind == MM_REQUEST_KIND_CITY_RULE) {
        char sig[2 * sizeof q->signature + 1] = "";
        if (q->has_signature)
            mm_hex_encode(q->signature, sizeof q->signature, sig, sizeof sig);
        if (json_object_set_new(j, "signature", json_string(sig)) ||
            json_object_set_new(j, "retention_days_min",
                                json_integer((json_int_t)q->retention_days_min)) ||
            json_object_set_new(j, "retention_days_max",
                                json_integer((json_int_t)q->retention_days_max))) {
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
               *disclosure = "", *subject = "", *detail = "", *answer = "";
    json_t *cams = NULL;
    json_int_t t, deadline, from, to, received, answered, rmin = 0, rmax = 0;
    mm_city_request_t *q = &r->q;
    int bad = !j ||
              json_unpack_ex(j, NULL, JSON_STRICT,
                             "{s:s, s:s, s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:I, s:s, s:I, s:s, "
                             "s?s, s?s, s?s, s?s, s?o, s?s, s?s, s?s, s?s, s?s, s?I, s?I}",
                             "id", &id, "kind", &kind, "time_us", &t, "deadline_us", &deadline,
                             "camera", &camera, "text", &text, "from_us", &from, "to_us", &to,
                             "complaint", &complaint, "received_us", &received, "state", &state,
                             "answered_us", &answered, "by", &by, "legal_basis", &basis,
                             "reference", &reference, "requester", &requester, "recipient",
                             &recipient, "cameras", &cams, "signature", &sig, "disclosure",
                             &disclosure, "subject", &subject, "detail", &detail, "answer", &answer,
                             "retention_days_min", &rmin, "retention_days_max", &rmax) != 0 ||
              rmin < 0 || rmin > MM_RETENTION_DAYS_MAX || rmax < 0 ||
              rmax > MM_RETENTION_DAYS_MAX ||
              (cams && (!json_is_array(cams) || json_array_size(cams) > MM_REQUEST_CAMERAS_MAX)) ||
              !mm_legal_basis_parse(basis, &q->legal_basis) ||
              copy_text(q->reference, sizeof q->reference, reference, 0) ||
              copy_text(q->requester, sizeof q->requester, requester, 0) ||
              copy_text(q->recipient, sizeof q->recipient, recipient, 0) ||
              copy_text(q->disclosure, sizeof q->disclosure, disclosure, 0) ||
              copy_text(q->subject, sizeof q->subject, subject, 0) ||
              copy_text(q->detail, sizeof q->detail, detail, 0) ||
              copy_text(r->answer, sizeof r->answer, answer, 0) ||
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
        q->retention_days_min = (uint32_t)rmin;
        q->retention_days_max = (uint32_t)rmax;
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

/* A notice as edge_requests_notices shows it (requests.h). */
static json_t *notice_json(const record_t *r)
{
    const mm_city_request_t *q = &r->q;
    json_t *detail = q->detail[0] ? json_loads(q->detail, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!json_is_object(detail)) {
        json_decref(detail);
        detail = json_object();
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:s, s:I, s:s, s:s}", "id", q->id, "kind",
                     mm_request_kind_name(q->kind), "subject", q->subject, "text", q->text,
                     "detail", detail, "time_us", (json_int_t)q->time_us, "received_us",
                     (json_int_t)r->received_us, "state", r->answered ? "acknowledged" : "open",
                     "acknowledged_us", (json_int_t)r->answered_us, "by", r->by, "answer",
                     r->answer);
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

/* --- receiving -------------------------------------------------------------------------------*/

/* What the site is told to do with a request of kind, for the diagnostic log. */
static const char *who_acts(mm_request_kind_t kind)
{
    if (kind == MM_REQUEST_KIND_DISCLOSURE)
        return "; the manager decides it";
    if (kind == MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED)
        return "";
    if (mm_request_kind_is_notice(kind))
        return "; the manager or an operator acknowledges it (mimamori-edge notices)";
    return "; the manager answers it (mimamori-edge requests)";
}

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
    snprintf(c->subject, sizeof c->subject, "%s", q->subject);
    snprintf(c->detail, sizeof c->detail, "%s", q->detail);
    if (q->kind == MM_REQUEST_KIND_CITY_RULE) {
        c->retention_days_min = q->retention_days_min;
        c->retention_days_max = q->retention_days_max;
    }
    memset(r, 0, sizeof *r);
    r->q = *q;
    r->received_us = now_us;
    mm_err_t err = append_with_record(st, e, r);
    free(e);
    if (err == MM_OK)
        MM_INFO("city request %s (%s) received%s", q->id, mm_request_kind_name(q->kind),
                who_acts(q->kind));
    else
        MM_ERROR("city request %s: cannot log it: %s", q->id, mm_strerror(err));
    return err;
}

/* What the wire accepts fits the entry (wire.h, entry.h). */
_Static_assert(sizeof((mm_city_request_t *)0)->id <= MM_ID_MAX, "request id");
_Static_assert(sizeof((mm_city_request_t *)0)->camera <= MM_ID_MAX, "request camera");
_Static_assert(sizeof((mm_city_request_t *)0)->complaint <= MM_ID_MAX, "request complaint");
_Static_assert(sizeof((mm_city_request_t *)0)->text <= MM_LONG_TEXT_MAX, "request text");
_Static_assert(sizeof((mm_city_request_t *)0)->subject <= MM_ID_MAX, "request subject");
_Static_assert(sizeof((mm_city_request_t *)0)->detail <= MM_LONG_TEXT_MAX, "request detail");

/* "" or a JSON object, as the entry's detail must be. */
static int detail_ok(const char *s)
{
    if (!*s)
        return 1;
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
    int ok = json_is_object(j);
    json_decref(j);
    return ok;
}

static int request_ok(const mm_city_request_t *q)
{
    if (!mm_utf8_field_ok(q->id, sizeof q->id, 1) || !mm_request_kind_name(q->kind) ||
        !mm_utf8_field_ok(q->camera, sizeof q->camera, 0) ||
        !mm_utf8_field_ok(q->text, sizeof q->text, 0) ||
        !mm_utf8_field_ok(q->complaint, sizeof q->complaint, 0) ||
        !mm_utf8_field_ok(q->subject, sizeof q->subject, 0) ||
        !mm_utf8_field_ok(q->detail, sizeof q->detail, 0) || !detail_ok(q->detail))
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

/* What a walk over the records does with each: list the requests (not disclosures, not notices),
 * or collect the disclosures and their download notices, or collect the city's notices. */
typedef enum { WALK_LIST, WALK_DISCLOSURES, WALK_NOTICES, WALK_KIND } walk_mode_t;

typedef struct {
    walk_mode_t mode;
    mm_request_kind_t kind; /* WALK_KIND */
    int64_t now_us;
    json_t *list; /* WALK_LIST */
    size_t open;
    record_t *recs; /* WALK_DISCLOSURES, WALK_NOTICES: the records collected */
    size_t n_recs, cap_recs;
    mm_err_t err;
} walk_t;

static int collect(walk_t *w, const record_t *r)
{
    if (w->n_recs == w->cap_recs) {
        size_t cap = w->cap_recs ? 2 * w->cap_recs : 4;
        record_t *more = realloc(w->recs, cap * sizeof *more);
        if (!more) {
            w->err = MM_ENOMEM;
            return 1;
        }
        w->recs = more;
        w->cap_recs = cap;
    }
    w->recs[w->n_recs++] = *r;
    return 0;
}

static int walk_one(const char *name, size_t name_len, const void *val, size_t len, void *arg)
{
    walk_t *w = arg;
    record_t *r = malloc(sizeof *r); /* kilobytes of texts */
    if (!r) {
        w->err = MM_ENOMEM;
        return 1;
    }
    int stop = 0;
    if (record_parse(val, len, r) != MM_OK) {
        MM_ERROR("the store's record %.*s is damaged", (int)name_len, name);
        w->err = MM_ECORRUPT;
        stop = 1;
    } else if (w->mode == WALK_DISCLOSURES) {
        stop = is_disclosure(r->q.kind) && collect(w, r);
    } else if (w->mode == WALK_NOTICES) {
        stop = mm_request_kind_is_notice(r->q.kind) && collect(w, r);
    } else if (w->mode == WALK_KIND) {
        stop = r->q.kind == w->kind && collect(w, r);
    } else if (!is_disclosure(r->q.kind) && !mm_request_kind_is_notice(r->q.kind)) {
        /* disclosures and notices have commands of their own */
        w->open += !r->answered;
        if (json_array_append_new(w->list, record_json(r, w->now_us)) != 0) {
            w->err = MM_ENOMEM;
            stop = 1;
        }
    }
    free(r);
    return stop;
}

/* The records of mode (WALK_DISCLOSURES or WALK_NOTICES) into *w; the caller frees w->recs. */
static mm_err_t walk(edge_store_t *st, walk_t *w)
{
    mm_err_t err = edge_store_meta_each(st, PREFIX, walk_one, w);
    return err == MM_OK ? w->err : err;
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

/* fn over the records a walk of w's mode collects, after the walk. */
static mm_err_t each(edge_store_t *st, walk_t w,
                     mm_err_t (*fn)(void *arg, const mm_city_request_t *q), void *arg)
{
    mm_err_t err = walk(st, &w);
    /* Called after the walk: its read transaction is over, fn may write. */
    mm_err_t first = MM_OK;
    for (size_t i = 0; err == MM_OK && i < w.n_recs; i++) {
        mm_err_t e = fn(arg, &w.recs[i].q);
        if (first == MM_OK)
            first = e;
    }
    free(w.recs);
    return err != MM_OK ? err : first;
}

mm_err_t edge_requests_each_disclosure(edge_store_t *st,
                                       mm_err_t (*fn)(void *arg, const mm_city_request_t *q),
                                       void *arg)
{
    return each(st, (walk_t){.mode = WALK_DISCLOSURES}, fn, arg);
}

mm_err_t edge_requests_each_of(edge_store_t *st, mm_request_kind_t kind,
                               mm_err_t (*fn)(void *arg, const mm_city_request_t *q), void *arg)
{
    return each(st, (walk_t){.mode = WALK_KIND, .kind = kind}, fn, arg);
}

mm_err_t edge_requests_list(edge_store_t *st, int64_t now_us, json_t **out)
{
    walk_t w = {.mode = WALK_LIST, .now_us = now_us, .list = json_array()};
    if (!w.list)
        return MM_ENOMEM;
    mm_err_t err = walk(st, &w);
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

/* The record of request id into r, or the refusal in msg: MM_ENOTFOUND, MM_ECORRUPT, ... */
static mm_err_t load_named(edge_store_t *st, const char *id, record_t *r, char *msg, size_t cap)
{
    mm_err_t err = record_load(st, id, r);
    if (err == MM_ENOTFOUND)
        return mm_errf(err, msg, cap, "no city request %s", id);
    if (err != MM_OK)
        return mm_errf(err, msg, cap, "the request %s cannot be read: %s", id, mm_strerror(err));
    return MM_OK;
}

/* Why request r is not answered in words (MM_ECONFLICT), or MM_OK. */
static mm_err_t answerable(const record_t *r, char *msg, size_t cap)
{
    const char *id = r->q.id;
    if (r->q.kind == MM_REQUEST_KIND_DISCLOSURE)
        return mm_errf(MM_ECONFLICT, msg, cap,
                       "%s is a disclosure request: the manager approves or denies it "
                       "(mimamori-edge disclosure approve|deny)",
                       id);
    if (is_disclosure(r->q.kind))
        return mm_errf(MM_ECONFLICT, msg, cap,
                       "%s is the hub's notice that a disclosure was downloaded: nothing to answer",
                       id);
    if (mm_request_kind_is_notice(r->q.kind))
        return mm_errf(
            MM_ECONFLICT, msg, cap,
            "%s is a notice from the city: acknowledge it (mimamori-edge notices ack %s)", id, id);
    return MM_OK;
}

/* The report that answers report request r with text by by, signed with key, into a. */
static mm_err_t report_answer(edge_store_t *st, const record_t *r, const char *by, const char *text,
                              const edge_report_site_t *site, const mm_ed25519_t *key,
                              int64_t now_us, mm_request_answered_t *a, char *msg, size_t cap)
{
    if (!site || !key)
        return mm_errf(MM_EINVAL, msg, cap, "this edge has no key to sign reports with");
    edge_report_ask_t ask = {.request = r->q.id,
                             .question = r->q.text,
                             .answer = text,
                             .by = by,
                             .from_us = r->q.from_us,
                             .to_us = r->q.to_us};
    mm_err_t err = edge_report_build(st, site, &ask, now_us, a->report, sizeof a->report);
    uint8_t sig[MM_ED25519_SIG_LEN];
    if (err == MM_OK)
        err = mm_ed25519_sign(key, a->report, strlen(a->report), sig);
    if (err == MM_OK &&
        mm_base64_encode(sig, sizeof sig, a->report_signature, sizeof a->report_signature) < 0)
        err = MM_ERANGE;
    if (err != MM_OK)
        return mm_errf(err, msg, cap, "the report for %s cannot be made: %s", r->q.id,
                       mm_strerror(err));
    return MM_OK;
}

/* Appends the request_answered entry of r (by, text, and for a report a) and marks r answered,
 * in one transaction. */
static mm_err_t mark_answered(edge_store_t *st, record_t *r, const char *by, const char *text,
                              mm_entry_t *e, int64_t now_us, char *msg, size_t cap)
{
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
    snprintf(r->answer, sizeof r->answer, "%s", text);
    mm_err_t err = append_with_record(st, e, r);
    if (err != MM_OK)
        return mm_errf(err, msg, cap, "the answer could not be stored: %s", mm_strerror(err));
    return MM_OK;
}

mm_err_t edge_requests_answer(edge_store_t *st, const char *id, const char *by, const char *text,
                              const edge_report_site_t *site, const mm_ed25519_t *key,
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
    mm_err_t err = r && e ? load_named(st, id, r, msg, cap) : MM_ENOMEM;
    if (err == MM_OK)
        err = answerable(r, msg, cap);
    if (err == MM_OK && r->answered)
        err = mm_errf(MM_EEXIST, msg, cap, "%s is answered already (by %s)", id,
                      r->by[0] ? r->by : "the edge");
    /* R-N10.1: a report request is answered with the manager's words and a signed report. */
    if (err == MM_OK && r->q.kind == MM_REQUEST_KIND_REPORT_REQUEST)
        err = report_answer(st, r, by, text, site, key, now_us, &e->u.request_answered, msg, cap);
    if (err == MM_OK)
        err = mark_answered(st, r, by, text, e, now_us, msg, cap);
    if (err == MM_OK) {
        MM_INFO("city request %s (%s) answered by %s%s", id, mm_request_kind_name(r->q.kind), by,
                r->q.kind == MM_REQUEST_KIND_REPORT_REQUEST ? ", with a signed report" : "");
        if (out)
            *out = record_json(r, now_us);
    }
    free(r);
    free(e);
    return err;
}

mm_err_t edge_requests_ack(edge_store_t *st, const char *id, const char *by, const char *text,
                           int64_t now_us, json_t **out, char *msg, size_t cap)
{
    if (out)
        *out = NULL;
    if (!id || !mm_utf8_field_ok(id, MM_ID_MAX, 1))
        return mm_errf(MM_ENOTFOUND, msg, cap, "no notice %.63s", id ? id : "");
    if (!by || !mm_utf8_field_ok(by, MM_ID_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "an acknowledgement names who gives it");
    if (!text)
        text = "";
    if (!mm_utf8_field_ok(text, MM_LONG_TEXT_MAX, 0))
        return mm_errf(MM_EINVAL, msg, cap,
                       "an acknowledgement's text is at most %d bytes of UTF-8",
                       MM_LONG_TEXT_MAX - 1);
    record_t *r = malloc(sizeof *r);
    mm_entry_t *e = calloc(1, sizeof *e);
    mm_err_t err = r && e ? record_load(st, id, r) : MM_ENOMEM;
    if (err == MM_ENOTFOUND)
        mm_errf(err, msg, cap, "no notice %s from the city", id);
    else if (err != MM_OK)
        mm_errf(err, msg, cap, "the notice %s cannot be read: %s", id, mm_strerror(err));
    else if (!mm_request_kind_is_notice(r->q.kind))
        err = mm_errf(MM_ECONFLICT, msg, cap, "%s is a %s, not a notice: see mimamori-edge %s", id,
                      mm_request_kind_name(r->q.kind),
                      is_disclosure(r->q.kind) ? "disclosures" : "requests");
    else if (r->answered) {
        char when[11];
        mm_local_day(r->answered_us, when);
        err = mm_errf(MM_EEXIST, msg, cap, "%s is acknowledged already (by %s on %s)", id, r->by,
                      when);
    }
    if (err == MM_OK)
        err = mark_answered(st, r, by, text, e, now_us, msg, cap);
    if (err == MM_OK) {
        MM_INFO("notice %s (%s) acknowledged by %s", id, mm_request_kind_name(r->q.kind), by);
        if (out)
            *out = notice_json(r);
    }
    free(r);
    free(e);
    return err;
}

/* --- the city's notices ----------------------------------------------------------------------*/

/* The order the city made them: its time, then the id's number. */
static int by_city_time(const void *pa, const void *pb)
{
    const record_t *a = pa, *b = pb;
    if (a->q.time_us != b->q.time_us)
        return a->q.time_us < b->q.time_us ? -1 : 1;
    if (strlen(a->q.id) != strlen(b->q.id))
        return strlen(a->q.id) < strlen(b->q.id) ? -1 : 1;
    return strcmp(a->q.id, b->q.id);
}

/* The notices, sorted the order the city made them, into w (the caller frees w->recs). */
static mm_err_t notices_walk(edge_store_t *st, walk_t *w)
{
    *w = (walk_t){.mode = WALK_NOTICES};
    mm_err_t err = walk(st, w);
    if (err == MM_OK && w->n_recs > 1)
        qsort(w->recs, w->n_recs, sizeof *w->recs, by_city_time);
    return err;
}

mm_err_t edge_requests_notices(edge_store_t *st, const char *id, int all, json_t **out, char *msg,
                               size_t cap)
{
    *out = NULL;
    walk_t w;
    mm_err_t err = notices_walk(st, &w);
    json_t *list = err == MM_OK ? json_array() : NULL;
    size_t open = 0;
    json_t *one = NULL;
    for (size_t i = 0; list && i < w.n_recs; i++) {
        const record_t *r = &w.recs[i];
        open += !r->answered;
        if (id ? !strcmp(r->q.id, id) && !one : all || !r->answered) {
            json_t *n = notice_json(r);
            if (id)
                one = n;
            else if (!n || json_array_append_new(list, n) != 0)
                err = MM_ENOMEM;
        }
    }
    free(w.recs);
    if (err == MM_OK && !list)
        err = MM_ENOMEM;
    if (err == MM_OK && id && !one)
        err = mm_errf(MM_ENOTFOUND, msg, cap, "no notice %.63s from the city", id);
    if (err == MM_OK)
        *out = id ? json_pack("{s:o}", "notice", one)
                  : json_pack("{s:O, s:I}", "notices", list, "open", (json_int_t)open);
    else
        json_decref(one);
    json_decref(list);
    if (err == MM_OK && !*out)
        err = MM_ENOMEM;
    if (err != MM_OK && err != MM_ENOTFOUND)
        mm_errf(err, msg, cap, "the notices cannot be read: %s", mm_strerror(err));
    return err;
}

mm_err_t edge_requests_filing_decision(edge_store_t *st, json_t **out)
{
    *out = NULL;
    walk_t w;
    mm_err_t err = notices_walk(st, &w);
    json_t *latest = NULL;
    const record_t *from = NULL;
    /* The last in the city's order whose particulars name a version of the standards. */
    for (size_t i = 0; err == MM_OK && i < w.n_recs; i++) {
        const record_t *r = &w.recs[i];
        if (r->q.kind != MM_REQUEST_KIND_FILING_DECISION)
            continue;
        json_t *d = json_loads(r->q.detail, JSON_REJECT_DUPLICATES, NULL);
        if (json_is_integer(json_object_get(d, "version")) &&
            json_is_string(json_object_get(d, "decision"))) {
            json_decref(latest);
            latest = d;
            from = r;
        } else {
            json_decref(d);
        }
    }
    if (latest && from) {
        char day[11];
        mm_local_day(from->q.time_us, day);
        *out = json_pack("{s:s, s:O, s:O, s:I, s:s, s:s, s:b}", "notice", from->q.id, "decision",
                         json_object_get(latest, "decision"), "version",
                         json_object_get(latest, "version"), "time_us", (json_int_t)from->q.time_us,
                         "date", day, "reason", from->q.text, "acknowledged", from->answered);
        if (!*out)
            err = MM_ENOMEM;
    }
    json_decref(latest);
    free(w.recs);
    return err;
}
