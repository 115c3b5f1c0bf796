/*
 * disclosure.c: the hub's side of a disclosure (see disclosure.h) — its records, the filing of
 * a request, who may read which record, and downloads. What the site logs is learned in
 * disclosure_steps.c; the ciphertext arrives in disclosure_export.c.
 *
 * Three things must stay true across the module. A request the hub refuses leaves no trace but
 * the answer: every check runs before the one write transaction that stores the record, logs it
 * and queues it for the site. Every step is in both logs: a step the site logs is logged again
 * in the hub's log inside the mirror's transaction that stores the site's entry (both logs live
 * in the one LMDB environment, so hub_audit_append_in can join that transaction), which is why no
 * queue is needed and nothing can be lost between the two. And the hub hands out only ciphertext
 * whose SHA-256 and length the site logged, only to the requester who filed the request, and
 * only after the download is logged.
 */
#include "hub/disclosure.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/legalbasis.h"
#include "hub/disclosure_codec.h"
#include "hub/disclosure_impl.h"
#include "hub/rangecheck.h"

#define DAY_US (86400LL * 1000000)
#define HOUR_US (3600LL * 1000000)
#define ID_PREFIX "disclosure-"

MM_ENUM_DEFINE(hub_disclosure_state, HUB_DISCLOSURE_STATE, HUB_DISCLOSURE_STATE_MAP,
               "disclosure state")

mm_err_t hub_disclosure_open(mm_db_t *db, const hub_config_t *cfg, const mm_keypair_t *keys,
                             hub_registry_t *registry, hub_audit_t *audit, hub_disclosure_t **out)
{
    hub_disclosure_t *d = calloc(1, sizeof *d);
    if (!d)
        return MM_ENOMEM;
    d->db = db;
    d->cfg = cfg;
    d->keys = keys;
    d->registry = registry;
    d->audit = audit;
    mm_err_t err = mm_db_dbi(db, "hub.disclosures", 0, &d->dbi);
    if (err == MM_OK)
        err = mm_db_dbi(db, "hub.disclosure_meta", 0, &d->meta);
    if (err != MM_OK) {
        free(d);
        return err;
    }
    hub_disclosure_sweep_parts(d);
    *out = d;
    return MM_OK;
}

void hub_disclosure_close(hub_disclosure_t *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < HUB_DISCLOSURE_PART_HASHES; i++)
        mm_sha256_destroy(d->parts[i].ctx);
    free(d->ended);
    free(d);
}

/* --- records ---------------------------------------------------------------------------------*/

void hub_disclosure_rec_init(hub_disclosure_rec_t *r)
{
    memset(r, 0, sizeof *r);
}

void hub_disclosure_rec_deinit(hub_disclosure_rec_t *r)
{
    free(r->history);
    memset(r, 0, sizeof *r);
}

hub_disclosure_step_t *hub_disclosure_rec_add_step(hub_disclosure_rec_t *r)
{
    hub_disclosure_step_t *h = realloc(r->history, (r->n_history + 1) * sizeof *h);
    if (!h)
        return NULL;
    r->history = h;
    h = &h[r->n_history++];
    memset(h, 0, sizeof *h);
    return h;
}

uint64_t hub_disclosure_number(const char *id)
{
    if (!id || strncmp(id, ID_PREFIX, sizeof ID_PREFIX - 1) != 0)
        return 0;
    const char *p = id + sizeof ID_PREFIX - 1;
    if (*p < '1' || *p > '9')
        return 0;
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    return v;
}

mm_err_t hub_disclosure_load(hub_disclosure_t *d, MDB_txn *txn, uint64_t n,
                             hub_disclosure_rec_t *out)
{
    uint8_t key[8];
    mm_be64_put(key, n);
    MDB_val k = {8, key}, v;
    int rc = mdb_get(txn, d->dbi, &k, &v);
    if (rc != 0) {
        hub_disclosure_rec_init(out);
        return rc == MDB_NOTFOUND ? MM_ENOTFOUND : mm_db_err(rc, "read disclosure record");
    }
    mm_err_t err = hub_disclosure_rec_decode(v.mv_data, v.mv_size, out);
    if (err == MM_ECORRUPT) {
        MM_ERROR("disclosure: the record of %s%" PRIu64 " is damaged", ID_PREFIX, n);
        return MM_ENOTFOUND;
    }
    return err;
}

mm_err_t hub_disclosure_load_read(hub_disclosure_t *d, uint64_t n, hub_disclosure_rec_t *out)
{
    MDB_txn *txn;
    mm_err_t err = n ? mm_db_read(d->db, &txn) : MM_ENOTFOUND;
    if (err != MM_OK) {
        hub_disclosure_rec_init(out);
        return err;
    }
    err = hub_disclosure_load(d, txn, n, out);
    mdb_txn_abort(txn);
    return err;
}

mm_err_t hub_disclosure_put(hub_disclosure_t *d, MDB_txn *txn, uint64_t n,
                            const hub_disclosure_rec_t *rec)
{
    char *text = hub_disclosure_rec_encode(rec);
    if (!text)
        return MM_ENOMEM;
    uint8_t key[8];
    mm_be64_put(key, n);
    MDB_val k = {8, key}, v = {strlen(text), text};
    mm_err_t err = mm_db_err(mdb_put(txn, d->dbi, &k, &v, 0), "put disclosure record");
    free(text);
    return err;
}

static int visible(const hub_person_t *who, const hub_disclosure_rec_t *rec)
{
    if (who->role & (HUB_ROLE_OVERSIGHT | HUB_ROLE_READONLY))
        return 1;
    return (who->role & HUB_ROLE_REQUESTER) && !strcmp(rec->requester, who->id);
}

static void refuse(hub_disclosure_why_t *why, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void refuse(hub_disclosure_why_t *why, int status, const char *code, const char *fmt, ...)
{
    why->status = status;
    why->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->message, sizeof why->message, fmt, ap);
    va_end(ap);
}

hub_city_action_t hub_disclosure_action(hub_action_t what, int64_t now, const char *site,
                                        const char *id, const char *person, const char *role)
{
    return (hub_city_action_t){.action = what,
                               .time_us = now,
                               .site = site,
                               .subject = id,
                               .person = person,
                               .role = role};
}

/* Puts the request arg among the site's requests (a request of that id already there is
 * replaced where it stands). */
static mm_err_t add_request(hub_site_record_t *rec, void *arg)
{
    const hub_request_t *q = arg;
    hub_request_t *there = hub_site_record_request(rec, q->id);
    if (!there && !(there = hub_site_record_add_request(rec)))
        return MM_ENOMEM;
    *there = *q;
    return MM_OK;
}

/* --- filing ----------------------------------------------------------------------------------*/

typedef struct {
    hub_disclosure_t *d;
    const hub_person_t *who;
    const hub_disclosure_body_t *b;
    int64_t now;
    hub_city_action_t *a;        /* "disclosure_requested", its subject set here */
    hub_disclosure_rec_t record; /* the new record, once committed */
    hub_request_t request;       /* what goes to the site (among the record's requests) */
    mm_city_request_t wire;      /* the same as the site receives it, whose statement is signed */
    char sig64[96];
    uint64_t index; /* in the hub's log */
} file_t;

/* The request of filing f as the site receives it (f->wire), and the hub's signature of its
 * statement (f->sig64). */
static mm_err_t sign_request(file_t *f, uint64_t n)
{
    const hub_disclosure_body_t *b = f->b;
    mm_city_request_t *r = &f->wire;
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s%" PRIu64, ID_PREFIX, n);
    r->kind = MM_REQUEST_KIND_DISCLOSURE;
    r->time_us = f->now;
    r->deadline_us = f->now + (int64_t)f->d->cfg->disclosure_days * DAY_US;
    snprintf(r->text, sizeof r->text, "%s", b->reason);
    r->from_us = b->from_us;
    r->to_us = b->to_us;
    r->legal_basis = b->legal_basis;
    snprintf(r->reference, sizeof r->reference, "%s", b->reference);
    snprintf(r->requester, sizeof r->requester, "%s", f->who->id);
    snprintf(r->recipient, sizeof r->recipient, "%s", b->recipient);
    r->n_cameras = b->n_cameras;
    for (size_t i = 0; i < b->n_cameras; i++)
        snprintf(r->cameras[i], sizeof r->cameras[i], "%s", b->cameras[i]);
    char *stmt = malloc(MM_STATEMENT_MAX);
    if (!stmt)
        return MM_ENOMEM;
    size_t slen = 0;
    uint8_t sig[MM_ED25519_SIG_LEN];
    mm_err_t err = mm_disclosure_statement(r, b->site, stmt, MM_STATEMENT_MAX, &slen);
    if (err == MM_OK)
        err = mm_ed25519_sign(&f->d->keys->sign, stmt, slen, sig);
    if (err == MM_OK && mm_base64_encode(sig, sizeof sig, f->sig64, sizeof f->sig64) < 0)
        err = MM_ERANGE;
    free(stmt);
    return err;
}

/* The request the site receives, as its record keeps it. */
static void request_of(file_t *f)
{
    const mm_city_request_t *r = &f->wire;
    hub_request_t *q = &f->request;
    memset(q, 0, sizeof *q);
    snprintf(q->id, sizeof q->id, "%s", r->id);
    q->kind = MM_REQUEST_KIND_DISCLOSURE;
    q->state = HUB_REQUEST_STATE_PENDING;
    snprintf(q->by, sizeof q->by, "%s", f->who->id);
    q->time_us = r->time_us;
    q->deadline_us = r->deadline_us;
    snprintf(q->text, sizeof q->text, "%s", r->text);
    q->from_us = r->from_us;
    q->to_us = r->to_us;
    q->legal_basis = r->legal_basis;
    snprintf(q->reference, sizeof q->reference, "%s", r->reference);
    snprintf(q->requester, sizeof q->requester, "%s", r->requester);
    snprintf(q->recipient, sizeof q->recipient, "%s", r->recipient);
    q->n_cameras = r->n_cameras;
    memcpy(q->cameras, r->cameras, sizeof q->cameras);
    snprintf(q->signature, sizeof q->signature, "%s", f->sig64);
}

/* The new record: the request as filed, its first step, holding nothing until the site holds. */
static mm_err_t record_of(file_t *f)
{
    const hub_disclosure_body_t *b = f->b;
    hub_disclosure_rec_t *rec = &f->record;
    hub_disclosure_rec_deinit(rec);
    snprintf(rec->id, sizeof rec->id, "%s", f->wire.id);
    snprintf(rec->site, sizeof rec->site, "%s", b->site);
    rec->state = HUB_DISCLOSURE_STATE_FILED;
    snprintf(rec->requester, sizeof rec->requester, "%s", f->who->id);
    snprintf(rec->requester_name, sizeof rec->requester_name, "%s", f->who->name);
    snprintf(rec->organisation, sizeof rec->organisation, "%s", b->organisation);
    rec->legal_basis = b->legal_basis;
    snprintf(rec->reference, sizeof rec->reference, "%s", b->reference);
    snprintf(rec->reason, sizeof rec->reason, "%s", b->reason);
    rec->n_cameras = b->n_cameras;
    memcpy(rec->cameras, f->wire.cameras, sizeof rec->cameras);
    rec->from_us = b->from_us;
    rec->to_us = b->to_us;
    snprintf(rec->recipient, sizeof rec->recipient, "%s", b->recipient);
    rec->time_us = f->wire.time_us;
    rec->deadline_us = f->wire.deadline_us;
    snprintf(rec->signature, sizeof rec->signature, "%s", f->sig64);
    rec->hub_log_index = f->index;
    hub_disclosure_step_t *h = hub_disclosure_rec_add_step(rec);
    if (!h)
        return MM_ENOMEM;
    h->time_us = f->wire.time_us;
    h->step = HUB_DISCLOSURE_STATE_FILED;
    snprintf(h->by, sizeof h->by, "%s", f->who->id);
    h->hub_log_index = f->index;
    return MM_OK;
}

static mm_err_t file_txn(MDB_txn *txn, void *arg)
{
    file_t *f = arg;
    hub_disclosure_t *d = f->d;
    MDB_stat st;
    int rc = mdb_stat(txn, d->dbi, &st);
    if (rc != 0)
        return mm_db_err(rc, "count disclosures");
    uint64_t n = (uint64_t)st.ms_entries + 1; /* records are never removed */
    mm_err_t err = sign_request(f, n);
    if (err != MM_OK)
        return err;
    f->a->subject = f->wire.id;
    err = hub_audit_append_in(d->audit, txn, f->a, &f->index);
    f->a->subject = NULL;
    if (err == MM_OK)
        err = record_of(f);
    request_of(f);
    if (err == MM_OK)
        err = hub_disclosure_put(d, txn, n, &f->record);
    if (err == MM_OK)
        err = hub_registry_update_in(d->registry, txn, f->b->site, add_request, &f->request);
    return err;
}

/* Whether the site's policy admits the request's legal basis: 1, or 0 with why (422
 * "basis_not_admitted", naming the clause). */
static int basis_admitted(const hub_site_record_t *site, const hub_disclosure_body_t *b,
                          hub_disclosure_why_t *why)
{
    if (site->has_facts ? mm_legal_basis_admitted(site->facts.policy, b->legal_basis)
                        : mm_legal_basis_admitted_by_all(b->legal_basis))
        return 1;
    char msg[MM_BASIS_REFUSAL_MAX];
    if (site->has_facts)
        refuse(why, 422, "basis_not_admitted", "site %s: %s", b->site,
               mm_legal_basis_refusal(site->facts.policy, b->legal_basis, msg, sizeof msg));
    else
        refuse(why, 422, "basis_not_admitted",
               "the policy of site %s is not on record yet: until it is, a request may name only "
               "a legal basis every policy admits (law, emergency, own_images), not \"%s\"",
               b->site, mm_legal_basis_name(b->legal_basis));
    return 0;
}

/* The checks of a request before anything is written: 0, or -1 with why. */
static int check_request(hub_disclosure_t *d, const hub_disclosure_body_t *b, int64_t now_us,
                         hub_disclosure_why_t *why)
{
    if (!hub_config_site(d->cfg, b->site)) {
        refuse(why, 404, "unknown_site", "no site \"%.64s\" is registered", b->site);
        return -1;
    }
    hub_range_why_t rw;
    if (hub_range_check_units(b->from_us, b->to_us, now_us, &rw) != 0) {
        refuse(why, 422, rw.code, "%s", rw.message);
        return -1;
    }
    if (b->to_us > now_us) {
        refuse(why, 422, "range_in_future",
               "\"to_us\" is in the future: only footage already recorded can be requested");
        return -1;
    }
    if (b->to_us - b->from_us > (int64_t)d->cfg->disclosure_max_hours * HOUR_US) {
        refuse(why, 422, "range_too_long",
               "the range is %lld minutes long; one request may name at most %d hours "
               "(disclosure_max_hours)",
               (long long)((b->to_us - b->from_us) / 60000000), d->cfg->disclosure_max_hours);
        return -1;
    }
    hub_site_record_t *site;
    if (hub_registry_read(d->registry, b->site, &site) != MM_OK) {
        refuse(why, 500, "storage", "cannot read the record of site %s", b->site);
        return -1;
    }
    /* R-K2.2.5, R-N7.4: only a basis the site's policy admits; until the hub knows the policy,
     * only one every policy admits (legalbasis.h). */
    if (!basis_admitted(site, b, why)) {
        hub_site_record_free(site);
        return -1;
    }
    int known = 1;
    for (size_t i = 0; known && i < b->n_cameras; i++) {
        known = hub_site_record_camera(site, b->cameras[i], 0) != NULL;
        if (!known)
            refuse(why, 422, "unknown_camera", "site %s has no camera %s", b->site, b->cameras[i]);
    }
    /* A range the site cannot have footage of goes no further (rangecheck.h). */
    int rc = known ? hub_disclosure_check_footage(d, b, site, now_us, why) : -1;
    hub_site_record_free(site);
    return rc;
}

mm_err_t hub_disclosure_file(hub_disclosure_t *d, const hub_person_t *who,
                             const hub_disclosure_body_t *b, int64_t now_us,
                             hub_disclosure_rec_t *out, hub_disclosure_why_t *why)
{
    memset(why, 0, sizeof *why);
    hub_disclosure_rec_init(out);
    if (check_request(d, b, now_us, why) != 0)
        return why->status == 500 ? MM_EDB : MM_EINVAL;
    json_t *detail = hub_disclosure_filing_detail(b);
    hub_city_action_t a = hub_disclosure_action(HUB_ACTION_DISCLOSURE_REQUESTED, now_us, b->site,
                                                NULL, who->id, hub_role_name(who->role));
    a.reason = b->reason;
    a.detail = detail;
    mm_err_t err = detail ? hub_audit_check(&a) : MM_ENOMEM;
    if (err == MM_ERANGE) {
        refuse(why, 422, "too_long",
               "the request's particulars (reference, organisation, cameras) are too long to "
               "log in one entry of the hub's log; shorten the reference or the organisation");
        json_decref(detail);
        return MM_EINVAL;
    }
    file_t *f = calloc(1, sizeof *f); /* a request's worth of kilobytes: on the heap */
    if (err == MM_OK && !f)
        err = MM_ENOMEM;
    if (err == MM_OK) {
        f->d = d;
        f->who = who;
        f->b = b;
        f->now = now_us;
        f->a = &a;
        err = hub_audit_write(d->audit, file_txn, f);
    }
    json_decref(detail);
    if (err != MM_OK) {
        if (f)
            hub_disclosure_rec_deinit(&f->record);
        free(f);
        refuse(why, 500, "storage", "cannot record the request: %s", mm_strerror(err));
        return err;
    }
    MM_INFO("disclosure %s filed by %s for site %s (%s)", f->record.id, who->id, b->site,
            mm_legal_basis_name(b->legal_basis));
    *out = f->record; /* the history goes with it */
    free(f);
    return MM_OK;
}

/* --- reading ---------------------------------------------------------------------------------*/

typedef struct {
    hub_disclosure_rec_t *rec; /* scratch: kilobytes of texts, on the heap */
    const hub_person_t *who;
    int (*fn)(void *arg, const hub_disclosure_rec_t *rec);
    void *arg;
} each_t;

/* A record that does not decode, or that who may not see, is passed over. */
static int each_row(const MDB_val *k, const MDB_val *v, void *arg)
{
    (void)k;
    each_t *e = arg;
    int stop = hub_disclosure_rec_decode(v->mv_data, v->mv_size, e->rec) == MM_OK &&
               visible(e->who, e->rec) && e->fn(e->arg, e->rec);
    hub_disclosure_rec_deinit(e->rec);
    return stop ? 1 : 0;
}

mm_err_t hub_disclosure_each(hub_disclosure_t *d, const hub_person_t *who,
                             int (*fn)(void *arg, const hub_disclosure_rec_t *rec), void *arg)
{
    each_t e = {malloc(sizeof(hub_disclosure_rec_t)), who, fn, arg};
    if (!e.rec)
        return MM_ENOMEM;
    mm_err_t err = mm_db_each(d->db, d->dbi, NULL, each_row, &e, "list disclosures");
    free(e.rec);
    return err;
}

mm_err_t hub_disclosure_get(hub_disclosure_t *d, const hub_person_t *who, const char *id,
                            hub_disclosure_rec_t *out)
{
    mm_err_t err = hub_disclosure_load_read(d, hub_disclosure_number(id), out);
    if (err == MM_OK && !visible(who, out))
        err = MM_ENOTFOUND;
    if (err != MM_OK) {
        hub_disclosure_rec_deinit(out);
        return MM_ENOTFOUND;
    }
    return MM_OK;
}

/* --- the record changing in one transaction with its hub-log entry ---------------------------*/

/* A download's notice to the site ("download-N", counted across all downloads), among the
 * site's requests; c->download says its id. */
static mm_err_t notice(hub_disclosure_change_t *c, MDB_txn *txn, const hub_disclosure_rec_t *rec)
{
    hub_disclosure_t *d = c->d;
    uint64_t count = 0;
    MDB_val k = {9, "downloads"}, v;
    int rc = mdb_get(txn, d->meta, &k, &v);
    if (rc == 0 && v.mv_size == 8)
        count = mm_be64_get(v.mv_data);
    else if (rc != MDB_NOTFOUND && rc != 0)
        return mm_db_err(rc, "read downloads");
    uint8_t b[8];
    mm_be64_put(b, ++count);
    MDB_val nv = {8, b};
    mm_err_t err = mm_db_err(mdb_put(txn, d->meta, &k, &nv, 0), "count downloads");
    snprintf(c->download, sizeof c->download, "download-%" PRIu64, count);
    hub_request_t *q = calloc(1, sizeof *q);
    if (err == MM_OK && !q)
        err = MM_ENOMEM;
    if (err == MM_OK) {
        snprintf(q->id, sizeof q->id, "%s", c->download);
        q->kind = MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED;
        q->state = HUB_REQUEST_STATE_PENDING;
        snprintf(q->by, sizeof q->by, "%s", c->by);
        snprintf(q->disclosure, sizeof q->disclosure, "%s", rec->id);
        q->time_us = c->now;
        err = hub_registry_update_in(d->registry, txn, rec->site, add_request, q);
    }
    free(q);
    return err;
}

/* The hub's step c->step in rec's history: received (the ciphertext, its hash and length) or
 * downloaded (its hash, and the notice to the site). */
static mm_err_t hub_step(hub_disclosure_change_t *c, hub_disclosure_rec_t *rec)
{
    hub_disclosure_step_t *h = hub_disclosure_rec_add_step(rec);
    if (!h)
        return MM_ENOMEM;
    h->time_us = c->now;
    h->step = c->step;
    snprintf(h->by, sizeof h->by, "%s", c->by);
    h->hub_log_index = c->index;
    h->has_sha256 = 1;
    memcpy(h->sha256, rec->export.sha256, sizeof h->sha256);
    rec->state = c->step;
    if (c->step == HUB_DISCLOSURE_STATE_RECEIVED) {
        h->has_bytes = 1;
        h->bytes = rec->export.bytes;
        rec->received_us = c->now;
        hub_members_add(&rec->members, HUB_DISCLOSURE_RECEIVED);
    } else {
        snprintf(h->download, sizeof h->download, "%s", c->download);
        rec->downloaded_us = c->now;
        hub_members_add(&rec->members, HUB_DISCLOSURE_DOWNLOADED);
        rec->downloads++;
    }
    return MM_OK;
}

mm_err_t hub_disclosure_change_txn(MDB_txn *txn, void *arg)
{
    hub_disclosure_change_t *c = arg;
    hub_disclosure_rec_t rec;
    mm_err_t err = hub_disclosure_load(c->d, txn, c->n, &rec);
    json_t *detail = NULL;
    if (err == MM_OK && c->step == HUB_DISCLOSURE_STATE_DOWNLOADED) {
        err = notice(c, txn, &rec);
        detail = hub_disclosure_download_detail(&rec, c->download);
        if (err == MM_OK && !detail)
            err = MM_ENOMEM;
        c->a->detail = detail;
    }
    if (err == MM_OK && c->a)
        err = hub_audit_append_in(c->d->audit, txn, c->a, &c->index);
    if (err == MM_OK && c->step != HUB_DISCLOSURE_STATE_FILED)
        err = hub_step(c, &rec);
    if (err == MM_OK && c->part_sha256) {
        memcpy(rec.part_sha256, c->part_sha256, sizeof rec.part_sha256);
        hub_members_add(&rec.members, HUB_DISCLOSURE_PART);
    }
    if (err == MM_OK)
        err = hub_disclosure_put(c->d, txn, c->n, &rec);
    if (detail)
        c->a->detail = NULL; /* made again if the transaction runs again */
    json_decref(detail);
    hub_disclosure_rec_deinit(&rec);
    return err;
}

/* --- downloads -------------------------------------------------------------------------------*/

/* Whether who may have rec's export now, and its file opened into *fd; else why not. */
static mm_err_t open_export(hub_disclosure_t *d, const hub_person_t *who, const char *id,
                            const hub_disclosure_rec_t *rec, int *fd, hub_disclosure_why_t *why)
{
    hub_export_paths_t p;
    struct stat st;
    if (!(who->role & HUB_ROLE_REQUESTER)) {
        refuse(why, 403, "forbidden",
               "the city oversees disclosures, it does not receive footage: only the requester "
               "who filed %s may download its export",
               id);
        return MM_EINVAL;
    }
    if (strcmp(rec->requester, who->id) != 0) {
        refuse(why, 403, "forbidden", "this export is another requester's");
        return MM_EINVAL;
    }
    if (!hub_members_has(&rec->members, HUB_DISCLOSURE_RECEIVED) ||
        !hub_members_has(&rec->members, HUB_DISCLOSURE_EXPORT)) {
        refuse(why, 409, "not_received", "the export of %s has not arrived at the hub (state %s)",
               id, hub_disclosure_state_name(rec->state));
        return MM_EINVAL;
    }
    if (hub_disclosure_export_paths(d, rec->site, rec->id, &p) != 0) {
        refuse(why, 500, "storage", "the export of %s has no path", id);
        return MM_ERANGE;
    }
    if ((*fd = open(p.whole, O_RDONLY | O_CLOEXEC)) < 0) {
        refuse(why, 500, "storage", "cannot open the export of %s", id);
        MM_ERROR("disclosure: cannot open %s: %s", p.whole, strerror(errno));
        return MM_EIO;
    }
    if (fstat(*fd, &st) != 0 || (uint64_t)st.st_size != rec->export.bytes) {
        refuse(why, 500, "storage", "the export of %s on disk is not the one received", id);
        MM_ERROR("disclosure: %s is not %" PRIu64 " bytes", p.whole, rec->export.bytes);
        close(*fd);
        *fd = -1;
        return MM_ECORRUPT;
    }
    return MM_OK;
}

mm_err_t hub_disclosure_download(hub_disclosure_t *d, const hub_person_t *who, const char *id,
                                 int64_t now_us, int *fd, uint64_t *size, hub_disclosure_why_t *why)
{
    memset(why, 0, sizeof *why);
    *fd = -1;
    *size = 0;
    uint64_t n = hub_disclosure_number(id);
    hub_disclosure_rec_t rec;
    if (hub_disclosure_load_read(d, n, &rec) != MM_OK) {
        hub_disclosure_rec_deinit(&rec);
        refuse(why, 404, "unknown_disclosure", "no disclosure \"%.64s\"", id ? id : "");
        return MM_EINVAL;
    }
    mm_err_t err = open_export(d, who, id, &rec, fd, why);
    if (err == MM_OK) {
        *size = rec.export.bytes;
        hub_city_action_t a =
            hub_disclosure_action(HUB_ACTION_DISCLOSURE_DOWNLOADED, now_us, rec.site, rec.id,
                                  who->id, hub_role_name(who->role));
        hub_disclosure_change_t c = {.d = d,
                                     .n = n,
                                     .a = &a,
                                     .now = now_us,
                                     .step = HUB_DISCLOSURE_STATE_DOWNLOADED,
                                     .by = who->id};
        err = hub_audit_write(d->audit, hub_disclosure_change_txn, &c);
        if (err == MM_OK) {
            MM_INFO("disclosure %s: export downloaded by %s (%s)", id, who->id, c.download);
        } else {
            refuse(why, 500, "storage", "cannot record the download: %s", mm_strerror(err));
            close(*fd);
            *fd = -1;
            *size = 0;
        }
    }
    hub_disclosure_rec_deinit(&rec);
    return err;
}
