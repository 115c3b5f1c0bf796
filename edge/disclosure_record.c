/*
 * disclosure_record.c: the record of a request, "disclosure/<id>" in edge.meta (disclosure.h
 * gives its members): what a request names and what people chose, the record as JSON and back,
 * a step logged together with the record that says it was taken, and the walk over every record.
 *
 * The record is the one truth about a request; each step is an entry written in the same
 * transaction as the record that says the step was taken, so that the two never disagree.
 */
#include "edge/disclosure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/timefmt.h"
#include "common/utf8.h"
#include "edge/disclosure_impl.h"

#define PREFIX "disclosure/"
#define KEY_MAX (sizeof PREFIX + MM_ID_MAX)
#define RECORD_MAX (1 << 20)

/* --- small helpers ---------------------------------------------------------------------------*/

/* Copies src into dst (cap bytes), cut at a character boundary when it does not fit. */
void edge_disclosure_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = 0;
}

void edge_disclosure_time_text(int64_t us, char *buf, size_t cap)
{
    char t[MM_LOCALTIME_MAX];
    mm_time_local(us, t);
    snprintf(buf, cap, "%s", t);
}

static void record_key(const char *id, char key[KEY_MAX])
{
    snprintf(key, KEY_MAX, PREFIX "%s", id);
}

/*
 * The hold of the request's camera i: "dsc.<id>.<i>". The last dot ends the id, so no two
 * requests share a hold id. An id too long for that is replaced by 32 hex digits of its SHA-256.
 */
void edge_disclosure_hold_id(const char *id, size_t i, char out[MM_ID_MAX])
{
    int n = snprintf(out, MM_ID_MAX, "dsc.%s.%zu", id, i);
    if (n < 0 || n >= MM_ID_MAX || !mm_id_ok(out)) {
        uint8_t h[MM_SHA256_LEN];
        char hex[33];
        mm_sha256(id, strlen(id), h);
        mm_hex_encode(h, 16, hex, sizeof hex);
        snprintf(out, MM_ID_MAX, "dsc.%s.%zu", hex, i);
    }
}

static int undecided(const rec_t *r)
{
    return r->state == MM_DISCLOSURE_STEP_HELD || r->state == MM_DISCLOSURE_STEP_PREPARED;
}

/* Waiting for the manager: to decide, or to approve again after a failure. */
static int waiting(const rec_t *r)
{
    return undecided(r) || r->state == MM_DISCLOSURE_STEP_FAILED;
}

int edge_disclosure_due(const rec_t *r, int64_t now_us)
{
    return undecided(r) && r->q.deadline_us > 0 && now_us >= r->q.deadline_us;
}

/* Closed with its holds released (or to be released, after a stop): denied, expired, released. */
int edge_disclosure_closed(const rec_t *r)
{
    return r->state == MM_DISCLOSURE_STEP_DENIED || r->state == MM_DISCLOSURE_STEP_EXPIRED ||
           r->state == MM_DISCLOSURE_STEP_RELEASED;
}

void edge_disclosure_request_sel(const rec_t *r, sel_t *s)
{
    memset(s, 0, sizeof *s);
    s->n = r->q.n_cameras;
    for (size_t i = 0; i < s->n; i++)
        edge_disclosure_copy(s->cam[i], sizeof s->cam[i], r->q.cameras[i]);
    s->from_us = r->q.from_us;
    s->to_us = r->q.to_us;
}

/* What an approval now would export: the last preparation, else the request. */
const sel_t *edge_disclosure_current_sel(const rec_t *r, sel_t *scratch)
{
    if (r->n_preps)
        return &r->preps[r->n_preps - 1].sel;
    edge_disclosure_request_sel(r, scratch);
    return scratch;
}

void edge_disclosure_join_cams(const sel_t *s, char *out, size_t cap)
{
    size_t at = 0;
    out[0] = 0;
    for (size_t i = 0; i < s->n; i++) {
        int n = snprintf(out + at, cap - at, "%s%s", i ? "," : "", s->cam[i]);
        if (n < 0 || (size_t)n >= cap - at)
            break;
        at += (size_t)n;
    }
}

/* --- the record as JSON ----------------------------------------------------------------------*/

static json_t *cams_json(const sel_t *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->n; i++)
        json_array_append_new(a, json_string(s->cam[i]));
    return a;
}

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char hex[2 * 32 + 1];
    mm_hex_encode(p, n, hex, sizeof hex);
    return json_string(hex);
}

json_t *edge_disclosure_regions_json(const rec_t *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->n_regions; i++) {
        const region_t *g = &r->regions[i];
        json_array_append_new(a, json_pack("{s:s, s:f, s:f, s:f, s:f}", "camera", g->camera, "x",
                                           g->x, "y", g->y, "w", g->w, "h", g->h));
    }
    return a;
}

/* The record; shown adds what the control socket shows besides. NULL when out of memory. */
json_t *edge_disclosure_rec_json(const rec_t *r, int shown)
{
    const mm_city_request_t *q = &r->q;
    sel_t req;
    edge_disclosure_request_sel(r, &req);
    json_t *holds = json_array();
    for (size_t i = 0; holds && i < r->n_holds; i++) {
        char h[MM_ID_MAX];
        edge_disclosure_hold_id(q->id, i, h);
        json_array_append_new(holds, json_string(h));
    }
    json_t *preps = json_array();
    for (size_t i = 0; preps && i < r->n_preps; i++) {
        const prep_t *p = &r->preps[i];
        json_array_append_new(preps,
                              json_pack("{s:s, s:I, s:o, s:I, s:I, s:s}", "by", p->by, "time_us",
                                        (json_int_t)p->time_us, "cameras", cams_json(&p->sel),
                                        "from_us", (json_int_t)p->sel.from_us, "to_us",
                                        (json_int_t)p->sel.to_us, "note", p->note));
    }
    json_t *decision =
        r->decision[0]
            ? json_pack("{s:s, s:s, s:I, s:s, s:o, s:I, s:I, s:o}", "state", r->decision, "by",
                        r->decided_by, "time_us", (json_int_t)r->decided_us, "reason",
                        r->decision_reason, "cameras", cams_json(&r->approved), "from_us",
                        (json_int_t)r->approved.from_us, "to_us", (json_int_t)r->approved.to_us,
                        "regions", edge_disclosure_regions_json(r))
            : json_null();
    json_t *exp = r->exported ? json_pack("{s:o, s:I, s:o, s:I, s:I}", "sha256",
                                          hex_json(r->sha256, 32), "bytes", (json_int_t)r->bytes,
                                          "manifest_sha256", hex_json(r->manifest_sha256, 32),
                                          "exported_us", (json_int_t)r->exported_us, "delivered_us",
                                          (json_int_t)r->delivered_us)
                              : json_null();
    json_t *rel = r->released_us
                      ? json_pack("{s:s, s:I, s:s}", "by", r->released_by, "time_us",
                                  (json_int_t)r->released_us, "reason", r->release_reason)
                      : json_null();
    char sig[2 * sizeof q->signature + 1] = "";
    if (q->has_signature)
        mm_hex_encode(q->signature, sizeof q->signature, sig, sizeof sig);
    json_t *j = json_object();
    if (!j || !holds || !preps || !decision || !exp || !rel) {
        json_decref(j);
        json_decref(holds);
        json_decref(preps);
        json_decref(decision);
        json_decref(exp);
        json_decref(rel);
        return NULL;
    }
    /* Keys go out in the order they are set. */
    int bad = 0;
    bad |= json_object_set_new(j, "id", json_string(q->id));
    bad |= json_object_set_new(j, "state", json_string(mm_disclosure_step_name(r->state)));
    bad |= json_object_set_new(j, "legal_basis", json_string(mm_legal_basis_name(q->legal_basis)));
    bad |= json_object_set_new(j, "reference", json_string(q->reference));
    bad |= json_object_set_new(j, "requester", json_string(q->requester));
    bad |= json_object_set_new(j, "recipient", json_string(q->recipient));
    bad |= json_object_set_new(j, "cameras", cams_json(&req));
    bad |= json_object_set_new(j, "from_us", json_integer(q->from_us));
    bad |= json_object_set_new(j, "to_us", json_integer(q->to_us));
    bad |= json_object_set_new(j, "reason", json_string(q->text));
    bad |= json_object_set_new(j, "time_us", json_integer(q->time_us));
    bad |= json_object_set_new(j, "deadline_us", json_integer(q->deadline_us));
    bad |= json_object_set_new(j, "signature", json_string(sig));
    bad |= json_object_set_new(j, "received_us", json_integer(r->received_us));
    bad |= json_object_set_new(j, "updated_us", json_integer(r->updated_us));
    bad |= json_object_set_new(j, "holds", holds);
    bad |= json_object_set_new(j, "refusal", json_string(r->refusal));
    bad |= json_object_set_new(j, "preparations", preps);
    bad |= json_object_set_new(j, "decision", decision);
    bad |= json_object_set_new(j, "attempts", json_integer(r->attempts));
    bad |= json_object_set_new(j, "failure", json_string(r->failure));
    bad |= json_object_set_new(j, "export", exp);
    bad |= json_object_set_new(j, "downloaded_us", json_integer(r->downloaded_us));
    bad |= json_object_set_new(j, "release", rel);
    if (shown) {
        sel_t scratch;
        const sel_t *s = edge_disclosure_current_sel(r, &scratch);
        const char *wait = waiting(r)                                ? "manager"
                           : r->state == MM_DISCLOSURE_STEP_APPROVED ? "export"
                           : r->state == MM_DISCLOSURE_STEP_EXPORTED ? "hub"
                                                                     : "";
        bad |=
            json_object_set_new(j, "selection",
                                json_pack("{s:o, s:I, s:I}", "cameras", cams_json(s), "from_us",
                                          (json_int_t)s->from_us, "to_us", (json_int_t)s->to_us));
        bad |= json_object_set_new(j, "waiting_for", json_string(wait));
    }
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* Reads a string member into dst; -1 when missing, not a string, too long or not UTF-8. */
static int get_str(json_t *o, const char *key, char *dst, size_t cap, int nonempty)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n >= cap || strlen(s) != n || (nonempty && !n) || !mm_utf8_valid(s, n))
        return -1;
    memcpy(dst, s, n + 1);
    return 0;
}

static int get_int(json_t *o, const char *key, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        return -1;
    *out = json_integer_value(v);
    return 0;
}

static int get_hex(json_t *o, const char *key, uint8_t *out, size_t n)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) && json_string_length(v) == 2 * n &&
                   mm_hex_decode(json_string_value(v), 2 * n, out, n) == (int)n
               ? 0
               : -1;
}

static int get_sel(json_t *o, sel_t *s)
{
    memset(s, 0, sizeof *s);
    json_t *a = json_object_get(o, "cameras");
    if (!json_is_array(a) || json_array_size(a) > CAMS_MAX || get_int(o, "from_us", &s->from_us) ||
        get_int(o, "to_us", &s->to_us))
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *c = json_array_get(a, i);
        if (!json_is_string(c) || json_string_length(c) >= MM_ID_MAX ||
            !mm_utf8_valid(json_string_value(c), json_string_length(c)))
            return -1;
        edge_disclosure_copy(s->cam[i], sizeof s->cam[i], json_string_value(c));
    }
    s->n = json_array_size(a);
    return 0;
}

static mm_err_t rec_parse(const void *buf, size_t len, rec_t *r)
{
    memset(r, 0, sizeof *r);
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
    mm_city_request_t *q = &r->q;
    char state[16], basis[16], sig[2 * sizeof q->signature + 1];
    sel_t req;
    int64_t attempts = 0;
    json_t *holds = json_object_get(j, "holds"), *preps = json_object_get(j, "preparations"),
           *dec = json_object_get(j, "decision"), *exp = json_object_get(j, "export"),
           *rel = json_object_get(j, "release");
    int bad =
        !json_is_object(j) || get_str(j, "id", q->id, sizeof q->id, 1) ||
        get_str(j, "state", state, sizeof state, 1) ||
        !mm_disclosure_step_parse(state, &r->state) ||
        get_str(j, "legal_basis", basis, sizeof basis, 0) ||
        !mm_legal_basis_parse(basis, &q->legal_basis) ||
        get_str(j, "reference", q->reference, sizeof q->reference, 0) ||
        get_str(j, "requester", q->requester, sizeof q->requester, 0) ||
        get_str(j, "recipient", q->recipient, sizeof q->recipient, 0) || get_sel(j, &req) ||
        get_str(j, "reason", q->text, sizeof q->text, 0) || get_int(j, "time_us", &q->time_us) ||
        get_int(j, "deadline_us", &q->deadline_us) || get_str(j, "signature", sig, sizeof sig, 0) ||
        get_int(j, "received_us", &r->received_us) || get_int(j, "updated_us", &r->updated_us) ||
        !json_is_array(holds) || json_array_size(holds) > CAMS_MAX ||
        get_str(j, "refusal", r->refusal, sizeof r->refusal, 0) || !json_is_array(preps) ||
        json_array_size(preps) > EDGE_DISCLOSURE_PREPS_MAX ||
        !(json_is_null(dec) || json_is_object(dec)) || get_int(j, "attempts", &attempts) ||
        attempts < 0 || attempts > UINT32_MAX ||
        get_str(j, "failure", r->failure, sizeof r->failure, 0) ||
        !(json_is_null(exp) || json_is_object(exp)) ||
        get_int(j, "downloaded_us", &r->downloaded_us) ||
        !(!rel || json_is_null(rel) || json_is_object(rel)); /* none in older records */
    if (!bad) {
        q->kind = MM_REQUEST_KIND_DISCLOSURE;
        q->n_cameras = req.n;
        for (size_t i = 0; i < req.n; i++)
            edge_disclosure_copy(q->cameras[i], sizeof q->cameras[i], req.cam[i]);
        q->from_us = req.from_us;
        q->to_us = req.to_us;
        q->has_signature = sig[0] != 0;
        bad = sig[0] && mm_hex_decode(sig, strlen(sig), q->signature, sizeof q->signature) !=
                            (int)sizeof q->signature;
        r->n_holds = json_array_size(holds);
        r->attempts = (uint32_t)attempts;
    }
    for (size_t i = 0; !bad && i < json_array_size(preps); i++) {
        json_t *p = json_array_get(preps, i);
        prep_t *pp = &r->preps[i];
        bad = !json_is_object(p) || get_str(p, "by", pp->by, sizeof pp->by, 1) ||
              get_int(p, "time_us", &pp->time_us) || get_sel(p, &pp->sel) ||
              get_str(p, "note", pp->note, sizeof pp->note, 0);
        r->n_preps = i + 1;
    }
    if (!bad && json_is_object(dec)) {
        json_t *regs = json_object_get(dec, "regions");
        bad = get_str(dec, "state", r->decision, sizeof r->decision, 1) ||
              get_str(dec, "by", r->decided_by, sizeof r->decided_by, 0) ||
              get_int(dec, "time_us", &r->decided_us) ||
              get_str(dec, "reason", r->decision_reason, sizeof r->decision_reason, 0) ||
              get_sel(dec, &r->approved) || !json_is_array(regs) ||
              json_array_size(regs) > EDGE_DISCLOSURE_REGIONS_MAX;
        for (size_t i = 0; !bad && i < json_array_size(regs); i++) {
            json_t *g = json_array_get(regs, i);
            region_t *rg = &r->regions[i];
            bad = !json_is_object(g) || get_str(g, "camera", rg->camera, sizeof rg->camera, 1) ||
                  !json_is_number(json_object_get(g, "x")) ||
                  !json_is_number(json_object_get(g, "y")) ||
                  !json_is_number(json_object_get(g, "w")) ||
                  !json_is_number(json_object_get(g, "h"));
            if (!bad) {
                rg->x = json_number_value(json_object_get(g, "x"));
                rg->y = json_number_value(json_object_get(g, "y"));
                rg->w = json_number_value(json_object_get(g, "w"));
                rg->h = json_number_value(json_object_get(g, "h"));
            }
            r->n_regions = i + 1;
        }
    }
    if (!bad && json_is_object(exp)) {
        int64_t bytes = 0;
        r->exported = 1;
        bad = get_hex(exp, "sha256", r->sha256, 32) || get_int(exp, "bytes", &bytes) || bytes < 0 ||
              get_hex(exp, "manifest_sha256", r->manifest_sha256, 32) ||
              get_int(exp, "exported_us", &r->exported_us) ||
              get_int(exp, "delivered_us", &r->delivered_us);
        r->bytes = (uint64_t)bytes;
    }
    if (!bad && json_is_object(rel))
        bad = get_str(rel, "by", r->released_by, sizeof r->released_by, 1) ||
              get_int(rel, "time_us", &r->released_us) || r->released_us <= 0 ||
              get_str(rel, "reason", r->release_reason, sizeof r->release_reason, 1);
    json_decref(j);
    return bad ? MM_ECORRUPT : MM_OK;
}

/* MM_OK with *r, MM_ENOTFOUND, MM_ECORRUPT (named in the log), MM_ENOMEM, store errors. */
mm_err_t edge_disclosure_rec_load(edge_disclosure_t *d, const char *id, rec_t *r)
{
    if (!id || !mm_utf8_field_ok(id, MM_ID_MAX, 1))
        return MM_ENOTFOUND;
    char key[KEY_MAX];
    record_key(id, key);
    char *buf = malloc(RECORD_MAX);
    if (!buf)
        return MM_ENOMEM;
    size_t len = 0;
    mm_err_t err = edge_store_meta_get(d->conf.store, key, buf, RECORD_MAX, &len);
    if (err == MM_ERANGE)
        err = MM_ECORRUPT;
    if (err == MM_OK)
        err = rec_parse(buf, len, r);
    if (err == MM_ECORRUPT)
        MM_ERROR("the store's record of disclosure request %s is damaged", id);
    free(buf);
    return err;
}

/* --- steps -----------------------------------------------------------------------------------*/

/*
 * Logs step of r (a disclosure entry from s) and stores r, updated at now_us, in one
 * transaction. r->state must already say where the step leads.
 */
mm_err_t edge_disclosure_log_step(edge_disclosure_t *d, rec_t *r, mm_disclosure_step_t step,
                                  const step_t *s, int64_t now_us)
{
    mm_entry_t *e = calloc(1, sizeof *e);
    if (!e)
        return MM_ENOMEM;
    e->time_us = now_us;
    e->kind = MM_ENTRY_DISCLOSURE;
    mm_disclosure_t *x = &e->u.disclosure;
    const mm_city_request_t *q = &r->q;
    sel_t req;
    if (!s->sel)
        edge_disclosure_request_sel(r, &req);
    const sel_t *sel = s->sel ? s->sel : &req;
    edge_disclosure_copy(x->request, sizeof x->request, q->id);
    x->step = step;
    edge_disclosure_copy(x->by, sizeof x->by, s->by ? s->by : "");
    edge_disclosure_join_cams(sel, x->cameras, sizeof x->cameras);
    x->from_us = sel->from_us;
    x->to_us = sel->to_us;
    x->legal_basis = q->legal_basis;
    if (step == MM_DISCLOSURE_STEP_HELD || step == MM_DISCLOSURE_STEP_REFUSED) {
        edge_disclosure_copy(x->reference, sizeof x->reference, q->reference);
        edge_disclosure_copy(x->requester, sizeof x->requester, q->requester);
    }
    edge_disclosure_copy(x->text, sizeof x->text, s->text ? s->text : "");
    edge_disclosure_copy(x->regions, sizeof x->regions, s->regions ? s->regions : "");
    if (step == MM_DISCLOSURE_STEP_EXPORTED) {
        x->has_sha256 = 1;
        x->has_manifest_sha256 = 1;
        memcpy(x->sha256, r->sha256, 32);
        memcpy(x->manifest_sha256, r->manifest_sha256, 32);
        x->bytes = r->bytes;
    }
    r->updated_us = now_us;
    char key[KEY_MAX];
    record_key(q->id, key);
    json_t *j = edge_disclosure_rec_json(r, 0);
    char *val = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    mm_err_t err =
        val ? edge_store_append_meta(d->conf.store, e, key, val, strlen(val), NULL) : MM_ENOMEM;
    free(val);
    free(e);
    if (err != MM_OK) {
        MM_ERROR("disclosure %s: cannot log step %s: %s", q->id, mm_disclosure_step_name(step),
                 mm_strerror(err));
        return err;
    }
    MM_INFO("disclosure %s: %s%s%s%s%s", q->id, mm_disclosure_step_name(step),
            s->by && *s->by ? " by " : "", s->by ? s->by : "", s->text && *s->text ? ": " : "",
            s->text ? s->text : "");
    if (d->conf.logged)
        d->conf.logged(d->conf.arg);
    return MM_OK;
}

/* --- walking the records ---------------------------------------------------------------------*/

static int add_id(walk_t *w, const char *id)
{
    if (w->n_ids == w->cap_ids) {
        size_t cap = w->cap_ids ? 2 * w->cap_ids : 8;
        char(*more)[MM_ID_MAX] = realloc(w->ids, cap * sizeof *more);
        if (!more) {
            w->err = MM_ENOMEM;
            return 1;
        }
        w->ids = more;
        w->cap_ids = cap;
    }
    edge_disclosure_copy(w->ids[w->n_ids++], MM_ID_MAX, id);
    return 0;
}

static int walk_one(const char *name, size_t name_len, const void *val, size_t len, void *arg)
{
    walk_t *w = arg;
    if (rec_parse(val, len, w->r) != MM_OK) {
        MM_ERROR("the store's record %.*s is damaged", (int)name_len, name);
        w->err = MM_ECORRUPT;
        return 1;
    }
    const rec_t *r = w->r;
    w->waiting += waiting(r);
    switch (w->mode) {
    case W_COUNT:
        return 0;
    case W_LIST:
        if (json_array_append_new(w->list, edge_disclosure_rec_json(r, 1)) != 0) {
            w->err = MM_ENOMEM;
            return 1;
        }
        return 0;
    case W_APPROVED:
        return r->state == MM_DISCLOSURE_STEP_APPROVED ? (add_id(w, r->q.id), 1) : 0;
    case W_SWEEP:
        /* What is due, what waits to be sent, and at start the holds closed requests left. */
        if (edge_disclosure_due(r, w->now_us) || r->state == MM_DISCLOSURE_STEP_EXPORTED ||
            (w->starting && edge_disclosure_closed(r)))
            return add_id(w, r->q.id);
        return 0;
    }
    return 0;
}

mm_err_t edge_disclosure_walk(edge_disclosure_t *d, walk_t *w)
{
    w->d = d;
    w->r = malloc(sizeof *w->r);
    if (!w->r)
        return MM_ENOMEM;
    mm_err_t err = edge_store_meta_each(d->conf.store, PREFIX, walk_one, w);
    free(w->r);
    w->r = NULL;
    return err != MM_OK ? err : w->err;
}

mm_err_t edge_disclosure_list(edge_disclosure_t *d, json_t **out)
{
    walk_t w = {.mode = W_LIST, .list = json_array()};
    *out = NULL;
    if (!w.list)
        return MM_ENOMEM;
    mm_err_t err = edge_disclosure_walk(d, &w);
    json_t *res = err == MM_OK ? json_pack("{s:o, s:I}", "disclosures", w.list, "waiting",
                                           (json_int_t)w.waiting)
                               : NULL;
    if (err != MM_OK)
        json_decref(w.list);
    else if (!res)
        err = MM_ENOMEM;
    *out = res;
    return err;
}

mm_err_t edge_disclosure_waiting(edge_disclosure_t *d, size_t *n)
{
    walk_t w = {.mode = W_COUNT};
    mm_err_t err = edge_disclosure_walk(d, &w);
    *n = w.waiting;
    return err;
}
