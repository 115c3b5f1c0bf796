/*
 * registry.c: the city's records of the sites in hub.registry (see registry.h) — loaded and
 * stored through registry_codec.c, learned from each batch inside the mirror's transaction
 * (what each entry does is registry_apply.c's), decided on by the city, and read for the requests
 * that go out with every ack.
 *
 * A record is read whole and written whole: a site's record is small next to its log, and the
 * one LMDB writer (the loop thread) never has two transactions on it at once.
 */
#include "hub/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "hub/notices.h"
#include "hub/registry_codec.h"

MM_ENUM_DEFINE(hub_filing_kind, HUB_FILING_KIND, HUB_FILING_KIND_MAP, "filing kind")
MM_ENUM_DEFINE(hub_filing_state, HUB_FILING_STATE, HUB_FILING_STATE_MAP, "filing state")
MM_ENUM_DEFINE(hub_camera_state, HUB_CAMERA_STATE, HUB_CAMERA_STATE_MAP, "camera state")
MM_ENUM_DEFINE(hub_request_state, HUB_REQUEST_STATE, HUB_REQUEST_STATE_MAP, "request state")
MM_ENUM_DEFINE(hub_complaint_via, HUB_COMPLAINT_VIA, HUB_COMPLAINT_VIA_MAP, "complaint via")

struct hub_registry {
    mm_db_t *db;
    MDB_dbi dbi;
    /* Sites whose stored record has its first recording, sorted: their segment entries change
     * nothing, and are not worth reading the record for. */
    char (*first_known)[MM_KEY_NAME_MAX];
    size_t n_first_known, cap_first_known;
};

mm_err_t hub_registry_open(mm_db_t *db, hub_registry_t **out)
{
    hub_registry_t *r = calloc(1, sizeof *r);
    if (!r)
        return MM_ENOMEM;
    r->db = db;
    mm_err_t err = mm_db_dbi(db, "hub.registry", 0, &r->dbi);
    if (err != MM_OK) {
        free(r);
        return err;
    }
    *out = r;
    return MM_OK;
}

void hub_registry_close(hub_registry_t *r)
{
    if (r)
        free(r->first_known);
    free(r);
}

/* Where site is, or would go, in r's sorted list of sites known to have a first recording. */
static size_t known_at(const hub_registry_t *r, const char *site, int *found)
{
    size_t lo = 0, hi = r->n_first_known;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->first_known[mid], site);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Remembers that site's stored record has its first recording (out of memory: forgotten, and
 * the record is read again next time). */
static void known_add(hub_registry_t *r, const char *site)
{
    int found;
    size_t at = known_at(r, site, &found);
    if (found || strlen(site) >= MM_KEY_NAME_MAX)
        return;
    if (r->n_first_known == r->cap_first_known) {
        size_t cap = r->cap_first_known ? 2 * r->cap_first_known : 16;
        void *k = realloc(r->first_known, cap * sizeof *r->first_known);
        if (!k)
            return;
        r->first_known = k;
        r->cap_first_known = cap;
    }
    memmove(&r->first_known[at + 1], &r->first_known[at],
            (r->n_first_known - at) * sizeof *r->first_known);
    snprintf(r->first_known[at], MM_KEY_NAME_MAX, "%s", site);
    r->n_first_known++;
}

/* The record of site in txn into out (initialised here): an empty one when there is none, or
 * when the stored one is damaged. MM_OK, MM_ENOMEM, or a storage error. */
static mm_err_t load(hub_registry_t *r, MDB_txn *txn, const char *site, hub_site_record_t *out)
{
    MDB_val k = {strlen(site), (void *)site}, v;
    int rc = mdb_get(txn, r->dbi, &k, &v);
    if (rc == 0) {
        mm_err_t err = hub_site_record_decode(v.mv_data, v.mv_size, out);
        if (err != MM_ECORRUPT)
            return err;
        hub_site_record_deinit(out);
        MM_ERROR("registry: the record of %s is damaged; starting it again", site);
    } else if (rc != MDB_NOTFOUND) {
        hub_site_record_init(out, site);
        return mm_db_err(rc, "read registry record");
    }
    hub_site_record_init(out, site);
    return MM_OK;
}

static mm_err_t store(hub_registry_t *r, MDB_txn *txn, const char *site,
                      const hub_site_record_t *rec)
{
    char *text = hub_site_record_encode(rec);
    if (!text)
        return MM_ENOMEM;
    MDB_val k = {strlen(site), (void *)site}, v = {strlen(text), text};
    mm_err_t err = mm_db_err(mdb_put(txn, r->dbi, &k, &v, 0), "put registry record");
    free(text);
    return err;
}

void hub_registry_batch_begin(hub_registry_batch_t *b, hub_registry_t *r, MDB_txn *txn,
                              const char *site)
{
    *b = (hub_registry_batch_t){.r = r, .txn = txn, .site = site};
}

/* The batch's record, loaded at its first use. */
static mm_err_t batch_record(hub_registry_batch_t *b)
{
    if (b->rec)
        return MM_OK;
    if (!(b->rec = malloc(sizeof *b->rec)))
        return MM_ENOMEM;
    mm_err_t err = load(b->r, b->txn, b->site, b->rec);
    if (err != MM_OK) {
        hub_site_record_deinit(b->rec);
        free(b->rec);
        b->rec = NULL;
    }
    return err;
}

/*
 * A segment: the site's first recording, if the record has none yet. The first one of the log is
 * looked for below this one (a hub that mirrored the log before records kept it would otherwise
 * take a later one); without one there, this is it.
 */
static mm_err_t segment(hub_registry_batch_t *b, uint64_t index, const mm_entry_t *e)
{
    int found = 0;
    if (!b->first_known)
        known_at(b->r, b->site, &found);
    if (b->first_known || found)
        return MM_OK;
    mm_err_t err = batch_record(b);
    if (err != MM_OK)
        return err;
    if (hub_members_has(&b->rec->members, HUB_RECORD_FIRST_RECORDING)) {
        if (!b->first_new)
            known_add(b->r, b->site); /* as stored: committed already */
        b->first_known = 1;
        return MM_OK;
    }
    mm_entry_t *first = NULL;
    uint64_t at = index;
    if (index > 0 && b->earlier && (first = malloc(sizeof *first))) {
        err = b->earlier(b->earlier_arg, b->txn, index, first, &at);
        if (err == MM_ENOTFOUND)
            at = index;
        else if (err != MM_OK) {
            free(first);
            return err;
        }
    }
    err = hub_site_record_apply(b->rec, at, at == index ? e : first);
    free(first);
    b->first_known = b->first_new = b->dirty = 1;
    return err;
}

mm_err_t hub_registry_apply(hub_registry_batch_t *b, uint64_t index, const mm_entry_t *e)
{
    if (e->kind == MM_ENTRY_SEGMENT_RECORDED)
        return segment(b, index, e);
    if (!hub_site_record_learns(e->kind))
        return MM_OK;
    mm_err_t err = batch_record(b);
    if (err != MM_OK)
        return err;
    err = hub_site_record_apply(b->rec, index, e);
    if (err != MM_ENOTFOUND)
        b->dirty = 1;
    return err == MM_ENOTFOUND ? MM_OK : err;
}

mm_err_t hub_registry_batch_end(hub_registry_batch_t *b, int commit)
{
    mm_err_t err = MM_OK;
    if (commit && b->dirty && b->rec)
        err = store(b->r, b->txn, b->site, b->rec);
    if (b->rec)
        hub_site_record_deinit(b->rec);
    free(b->rec);
    b->rec = NULL;
    return err;
}

mm_err_t hub_registry_get(hub_registry_t *r, const char *site, hub_site_record_t *out)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(r->db, &txn);
    if (err != MM_OK) {
        hub_site_record_init(out, site);
        return err;
    }
    err = load(r, txn, site, out);
    mdb_txn_abort(txn);
    if (err != MM_OK) {
        hub_site_record_deinit(out);
        hub_site_record_init(out, site);
    }
    return err;
}

mm_err_t hub_registry_read(hub_registry_t *r, const char *site, hub_site_record_t **out)
{
    *out = NULL;
    hub_site_record_t *rec = malloc(sizeof *rec);
    if (!rec)
        return MM_ENOMEM;
    mm_err_t err = hub_registry_get(r, site, rec);
    if (err != MM_OK) {
        hub_site_record_free(rec);
        return err;
    }
    *out = rec;
    return MM_OK;
}

/* The city_action that logs decision d; its detail names the notice (notices.h). */
static hub_city_action_t decision_action(const hub_filing_decision_t *d, json_t *detail)
{
    return (hub_city_action_t){.action = d->state == HUB_FILING_STATE_ACCEPTED
                                             ? HUB_ACTION_FILING_ACCEPTED
                                             : HUB_ACTION_FILING_RETURNED,
                               .time_us = d->now_us,
                               .site = d->site,
                               .subject = d->filing,
                               .person = d->who->id,
                               .role = hub_role_name(d->who->role),
                               .reason = d->reason,
                               .detail = detail};
}

typedef struct {
    hub_registry_t *r;
    hub_audit_t *audit;
    hub_filing_decision_t *d;
} decide_t;

/* Decides the filing of rec, or says why not. */
static mm_err_t decide_filing(hub_site_record_t *rec, hub_filing_decision_t *d)
{
    hub_filing_t *f = hub_site_record_filing(rec, d->filing);
    if (!f)
        return MM_ENOTFOUND;
    if (f->state == HUB_FILING_STATE_NOTED)
        return MM_EDENIED;
    if (f->state != HUB_FILING_STATE_RECEIVED)
        return MM_ECONFLICT;
    if (f->n_history == HUB_FILING_HISTORY_MAX)
        return MM_ERANGE;
    f->state = d->state;
    hub_filing_step_t *h = &f->history[f->n_history++];
    *h = (hub_filing_step_t){.state = d->state, .time_us = d->now_us, .decided = 1};
    snprintf(h->by, sizeof h->by, "%s", d->who->id);
    snprintf(h->reason, sizeof h->reason, "%s", d->reason ? d->reason : "");
    d->decided = *f;
    return MM_OK;
}

/* The decision's notice to the site (R-N4.2), added to rec: its id into d->notice. */
static mm_err_t notify(hub_site_record_t *rec, hub_filing_decision_t *d)
{
    char subject[MM_ID_MAX];
    snprintf(subject, sizeof subject, "filing/%s", d->decided.id);
    json_t *detail = hub_notice_filing_detail(&d->decided, d->state);
    hub_notice_t n = {.kind = MM_REQUEST_KIND_FILING_DECISION,
                      .subject = subject,
                      .text = d->reason,
                      .detail = detail,
                      .by = d->who->id,
                      .time_us = d->now_us};
    mm_err_t err = detail ? hub_notice_add(rec, &n, d->notice, sizeof d->notice) : MM_ENOMEM;
    json_decref(detail);
    return err;
}

static mm_err_t decide_txn(MDB_txn *txn, void *arg)
{
    decide_t *c = arg;
    hub_filing_decision_t *d = c->d;
    hub_site_record_t *rec = malloc(sizeof *rec);
    if (!rec)
        return MM_ENOMEM;
    mm_err_t err = load(c->r, txn, d->site, rec);
    if (err == MM_OK)
        err = decide_filing(rec, d);
    if (err == MM_OK)
        err = notify(rec, d);
    if (err == MM_OK)
        err = store(c->r, txn, d->site, rec);
    json_t *detail = err == MM_OK ? json_pack("{s:s}", "notice", d->notice) : NULL;
    hub_city_action_t a = decision_action(d, detail);
    if (err == MM_OK)
        err = detail ? hub_audit_append_in(c->audit, txn, &a, &d->hub_log_index) : MM_ENOMEM;
    json_decref(detail);
    hub_site_record_deinit(rec);
    free(rec);
    return err;
}

mm_err_t hub_registry_decide(hub_registry_t *r, hub_audit_t *audit, hub_filing_decision_t *d)
{
    memset(&d->decided, 0, sizeof d->decided);
    d->hub_log_index = 0;
    d->notice[0] = 0;
    if (d->state != HUB_FILING_STATE_ACCEPTED && d->state != HUB_FILING_STATE_RETURNED)
        return MM_EINVAL;
    decide_t c = {r, audit, d};
    mm_err_t err = hub_audit_write(audit, decide_txn, &c);
    if (err != MM_OK)
        memset(&d->decided, 0, sizeof d->decided);
    return err;
}

mm_err_t hub_registry_update_in(hub_registry_t *r, MDB_txn *txn, const char *site,
                                mm_err_t (*fn)(hub_site_record_t *rec, void *arg), void *arg)
{
    hub_site_record_t *rec = malloc(sizeof *rec);
    if (!rec)
        return MM_ENOMEM;
    mm_err_t err = load(r, txn, site, rec);
    if (err == MM_OK)
        err = fn(rec, arg);
    if (err == MM_OK)
        err = store(r, txn, site, rec);
    hub_site_record_deinit(rec);
    free(rec);
    return err;
}

/* A text of q into dst (cap bytes): 0, or -1 when it does not fit. */
static int take(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap)
        return -1;
    memcpy(dst, v, n + 1);
    return 0;
}

/* One request of the record as it goes out; -1 when it cannot go whole. */
static int pending_one(const hub_request_t *q, mm_city_request_t *r)
{
    memset(r, 0, sizeof *r);
    r->kind = q->kind;
    r->legal_basis = q->legal_basis;
    if (take(r->id, sizeof r->id, q->id) || take(r->text, sizeof r->text, q->text) ||
        take(r->camera, sizeof r->camera, q->camera) ||
        take(r->complaint, sizeof r->complaint, q->complaint) ||
        take(r->reference, sizeof r->reference, q->reference) ||
        take(r->requester, sizeof r->requester, q->requester) ||
        take(r->recipient, sizeof r->recipient, q->recipient) ||
        take(r->disclosure, sizeof r->disclosure, q->disclosure) ||
        take(r->subject, sizeof r->subject, q->subject) ||
        take(r->detail, sizeof r->detail, q->detail))
        return -1;
    r->time_us = q->time_us;
    r->deadline_us = q->deadline_us;
    r->from_us = q->from_us;
    r->to_us = q->to_us;
    if (q->retention_days_min < 0 || q->retention_days_min > MM_RETENTION_DAYS_MAX ||
        q->retention_days_max < 0 || q->retention_days_max > MM_RETENTION_DAYS_MAX)
        return -1;
    r->retention_days_min = (uint32_t)q->retention_days_min;
    r->retention_days_max = (uint32_t)q->retention_days_max;
    for (size_t i = 0; i < q->n_cameras; i++)
        if (take(r->cameras[r->n_cameras++], sizeof r->cameras[0], q->cameras[i]))
            return -1;
    if (q->signature[0]) {
        uint8_t raw[96];
        if (mm_base64_decode(q->signature, strlen(q->signature), raw, sizeof raw) != 64)
            return -1;
        memcpy(r->signature, raw, 64);
        r->has_signature = 1;
    }
    return 0;
}

size_t hub_registry_pending(hub_registry_t *r, const char *site, mm_city_request_t *out, size_t cap)
{
    hub_site_record_t *rec = malloc(sizeof *rec);
    if (!rec)
        return 0;
    size_t n = 0;
    if (hub_registry_get(r, site, rec) == MM_OK) {
        for (size_t i = 0; i < rec->n_requests && n < cap; i++) {
            const hub_request_t *q = &rec->requests[i];
            if (hub_members_has(&q->members, HUB_REQUEST_DELIVERED) || q->unknown_to_hub)
                continue;
            if (pending_one(q, &out[n]) != 0) {
                MM_WARN("registry: request %s of %s does not fit the wire; not sent", q->id, site);
                continue;
            }
            n++;
        }
    }
    hub_site_record_deinit(rec);
    free(rec);
    return n;
}
