/*
 * findings.c: findings in LMDB (see findings.h).
 *
 * A finding is found again by its key (site \0 kind \0 dedupe) in hub.findkeys, which names its
 * id in hub.findings; keys are never removed, so a finding that closes and holds again is the
 * same finding, opened again. Because the keys sort by site first, the findings of one site are
 * one range of the index: reconciling a site reads that range only, and loads only the findings
 * the rules no longer see, to close those that came from the rules. The store never reads the
 * text of a finding but through findings_codec.c, and hands the observer each finding that
 * changed once the transaction has committed, in the order of their ids.
 */
#include "hub/findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "hub/findings_codec.h"

MM_ENUM_DEFINE(hub_finding_state, HUB_FINDING_STATE, HUB_FINDING_STATE_MAP, "finding state")
MM_ENUM_DEFINE(hub_finding_source, HUB_FINDING_SOURCE, HUB_FINDING_SOURCE_MAP, "finding source")

/* Bytes of a key in hub.findkeys; longer ones are cut, as they always were. */
#define KEY_MAX 512

struct hub_findings {
    mm_db_t *db;
    MDB_dbi items;
    MDB_dbi keys;
    void (*observer)(void *arg, const hub_finding_t *finding);
    void *observer_arg;
};

void hub_findings_set_observer(hub_findings_t *f,
                               void (*fn)(void *arg, const hub_finding_t *finding), void *arg)
{
    f->observer = fn;
    f->observer_arg = arg;
}

/* Hands each finding that changed to the observer, once the transaction has committed. */
static void notify(hub_findings_t *f, const hub_finding_list_t *changed)
{
    for (size_t i = 0; f->observer && i < changed->n; i++)
        f->observer(f->observer_arg, &changed->items[i]);
}

mm_err_t hub_findings_open(mm_db_t *db, hub_findings_t **out)
{
    hub_findings_t *f = calloc(1, sizeof *f);
    if (!f)
        return MM_ENOMEM;
    f->db = db;
    mm_err_t err = mm_db_dbi(db, "hub.findings", 0, &f->items);
    if (err == MM_OK)
        err = mm_db_dbi(db, "hub.findkeys", 0, &f->keys);
    if (err != MM_OK) {
        free(f);
        return err;
    }
    *out = f;
    return MM_OK;
}

void hub_findings_close(hub_findings_t *f)
{
    free(f);
}

/* --- storage -------------------------------------------------------------------------------- */

/* The key of (site, kind, dedupe) into key: its length (cut at KEY_MAX - 1, never 0). */
static size_t key_of(const char *site, const char *kind, const char *dedupe, uint8_t key[KEY_MAX])
{
    int n = snprintf((char *)key, KEY_MAX, "%s%c%s%c%s", site, 0, kind, 0, dedupe);
    size_t len = n < 0 ? 0 : (size_t)n < KEY_MAX ? (size_t)n : KEY_MAX - 1;
    return len ? len : 1;
}

/* The finding id in txn into out (initialised here): MM_OK, MM_ENOTFOUND (also for one that
 * does not decode, which is then written afresh), or a storage error. */
static mm_err_t load(hub_findings_t *f, MDB_txn *txn, uint64_t id, hub_finding_t *out)
{
    uint8_t k[8];
    mm_be64_put(k, id);
    MDB_val kv = {8, k}, v;
    int rc = mdb_get(txn, f->items, &kv, &v);
    if (rc != 0) {
        hub_finding_init(out);
        return rc == MDB_NOTFOUND ? MM_ENOTFOUND : mm_db_err(rc, "read finding");
    }
    mm_err_t err = hub_finding_decode(v.mv_data, v.mv_size, out);
    if (err == MM_ECORRUPT)
        MM_ERROR("findings: finding %llu is damaged", (unsigned long long)id);
    return err == MM_ECORRUPT ? MM_ENOTFOUND : err;
}

static mm_err_t put(hub_findings_t *f, MDB_txn *txn, const hub_finding_t *o)
{
    char *text = hub_finding_encode(o);
    if (!text)
        return MM_ENOMEM;
    uint8_t k[8];
    mm_be64_put(k, o->id);
    MDB_val kv = {8, k}, v = {strlen(text), text};
    mm_err_t err = mm_db_err(mdb_put(txn, f->items, &kv, &v, 0), "put finding");
    free(text);
    return err;
}

/* The id of the finding keyed key[0 .. len): MM_OK, MM_ENOTFOUND, or a storage error. */
static mm_err_t id_of(hub_findings_t *f, MDB_txn *txn, const uint8_t *key, size_t len, uint64_t *id)
{
    MDB_val k = {len, (void *)key}, v;
    int rc = mdb_get(txn, f->keys, &k, &v);
    if (rc == 0 && v.mv_size == 8) {
        *id = mm_be64_get(v.mv_data);
        return MM_OK;
    }
    return rc == 0 || rc == MDB_NOTFOUND ? MM_ENOTFOUND : mm_db_err(rc, "read finding key");
}

/* A new finding's id (after the last one), and its key pointing to it. */
static mm_err_t new_id(hub_findings_t *f, MDB_txn *txn, const uint8_t *key, size_t len,
                       uint64_t *id)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, f->items, &cur);
    if (rc != 0)
        return mm_db_err(rc, "open findings cursor");
    MDB_val lk, lv;
    *id = 1;
    if (mdb_cursor_get(cur, &lk, &lv, MDB_LAST) == 0 && lk.mv_size == 8)
        *id = mm_be64_get(lk.mv_data) + 1;
    mdb_cursor_close(cur);
    uint8_t idb[8];
    mm_be64_put(idb, *id);
    MDB_val k = {len, (void *)key}, v = {8, idb};
    return mm_db_err(mdb_put(txn, f->keys, &k, &v, 0), "put finding key");
}

/* A copy of o at the end of changed (the observer's, after the commit). */
static mm_err_t changed_add(hub_finding_list_t *changed, const hub_finding_t *o)
{
    hub_finding_t *c = hub_finding_list_add(changed);
    if (!c)
        return MM_ENOMEM;
    *c = *o;
    c->history = NULL;
    c->n_history = 0;
    c->evidence.n = 0;
    mm_err_t err = hub_evidence_copy(&c->evidence, &o->evidence);
    for (size_t i = 0; err == MM_OK && i < o->n_history; i++)
        err = hub_finding_step(c, o->history[i].state, o->history[i].at);
    c->state = o->state;
    return err;
}

/* --- raising -------------------------------------------------------------------------------- */

typedef struct {
    hub_findings_t *f;
    const char *site, *kind, *message;
    hub_severity_t severity;
    uint8_t key[KEY_MAX];
    size_t klen;
    const hub_evidence_t *evidence;
    int64_t now_us;
    hub_finding_list_t changed; /* the findings this transaction opened or changed */
} raise_t;

/* Seen before: counted, last_seen moved; news (for the observer, as it now is) only when it
 * says something new. */
static mm_err_t raise_again(raise_t *r, MDB_txn *txn, hub_finding_t *o, const char *when)
{
    mm_err_t err = MM_OK;
    int news = strcmp(o->message, r->message) != 0 ||
               (r->evidence && !hub_evidence_equal(&o->evidence, r->evidence));
    o->count++;
    snprintf(o->last_seen, sizeof o->last_seen, "%s", when);
    snprintf(o->message, sizeof o->message, "%s", r->message);
    if (r->evidence)
        err = hub_evidence_copy(&o->evidence, r->evidence);
    if (err == MM_OK)
        err = put(r->f, txn, o);
    if (err == MM_OK && news)
        err = changed_add(&r->changed, o);
    return err;
}

static mm_err_t raise_txn(MDB_txn *txn, void *arg)
{
    raise_t *r = arg;
    char when[MM_RFC3339_MAX];
    mm_time_rfc3339(r->now_us, when);
    hub_finding_list_deinit(&r->changed); /* mm_db_write may run this again */
    uint64_t id = 0;
    mm_err_t err = id_of(r->f, txn, r->key, r->klen, &id);
    hub_finding_t o;
    if (err == MM_OK) {
        err = load(r->f, txn, id, &o);
        if (err == MM_OK)
            err = raise_again(r, txn, &o, when);
        hub_finding_deinit(&o);
        if (err != MM_ENOTFOUND)
            return err;
    } else if (err != MM_ENOTFOUND) {
        return err;
    }

    /* A new finding (or one whose record was lost): the next id follows the last one. */
    hub_finding_init(&o);
    err = new_id(r->f, txn, r->key, r->klen, &o.id);
    snprintf(o.site, sizeof o.site, "%s", r->site);
    snprintf(o.kind, sizeof o.kind, "%s", r->kind);
    snprintf(o.message, sizeof o.message, "%s", r->message);
    snprintf(o.first_seen, sizeof o.first_seen, "%s", when);
    snprintf(o.last_seen, sizeof o.last_seen, "%s", when);
    o.severity = r->severity;
    o.count = 1;
    o.source = HUB_FINDING_SOURCE_VERIFICATION;
    if (err == MM_OK && r->evidence)
        err = hub_evidence_copy(&o.evidence, r->evidence);
    if (err == MM_OK)
        err = hub_finding_step(&o, HUB_FINDING_STATE_OPEN, when);
    if (err == MM_OK)
        err = put(r->f, txn, &o);
    if (err == MM_OK)
        err = changed_add(&r->changed, &o);
    hub_finding_deinit(&o);
    return err;
}

mm_err_t hub_findings_raise(hub_findings_t *f, const char *site, const char *kind,
                            hub_severity_t severity, const char *dedupe,
                            const hub_evidence_t *evidence, int64_t now_us, const char *fmt, ...)
{
    char message[HUB_FINDING_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    raise_t r = {.f = f,
                 .site = site ? site : "",
                 .kind = kind,
                 .severity = severity,
                 .message = message,
                 .evidence = evidence,
                 .now_us = now_us};
    r.klen = key_of(r.site, kind, dedupe ? dedupe : "", r.key);
    hub_finding_list_init(&r.changed);
    MM_WARN("finding %s (%s) for site \"%s\": %s", kind, hub_severity_name(severity), r.site,
            message);
    mm_err_t err = mm_db_write(f->db, raise_txn, &r);
    if (err == MM_OK)
        notify(f, &r.changed);
    hub_finding_list_deinit(&r.changed);
    return err;
}

/* --- reading -------------------------------------------------------------------------------- */

typedef struct {
    int (*fn)(void *arg, const hub_finding_t *finding);
    void *arg;
} each_t;

/* A finding that does not decode is passed over, unless memory ran out. */
static int each_row(const MDB_val *k, const MDB_val *v, void *arg)
{
    (void)k;
    each_t *e = arg;
    hub_finding_t o;
    mm_err_t de = hub_finding_decode(v->mv_data, v->mv_size, &o);
    int stop = de == MM_OK && e->fn(e->arg, &o);
    hub_finding_deinit(&o);
    return de == MM_ENOMEM ? de : stop ? 1 : 0;
}

mm_err_t hub_findings_each(hub_findings_t *f, int (*fn)(void *arg, const hub_finding_t *finding),
                           void *arg)
{
    each_t e = {fn, arg};
    return mm_db_each(f->db, f->items, NULL, each_row, &e, "read findings");
}

mm_err_t hub_findings_get(hub_findings_t *f, uint64_t id, hub_finding_t *out)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(f->db, &txn);
    if (err != MM_OK) {
        hub_finding_init(out);
        return err;
    }
    err = load(f, txn, id, out);
    mdb_txn_abort(txn);
    return err;
}

/* --- findings from the rules (rules.h) ------------------------------------------------------ */

typedef struct {
    uint8_t key[KEY_MAX];
    size_t len;
} rkey_t;

typedef struct {
    hub_findings_t *f;
    const char *site;
    const hub_finding_t *current;
    size_t n;
    rkey_t *keys; /* current's keys, sorted */
    int64_t now_us;
    size_t opened, closed;
    hub_finding_list_t changed; /* the findings this transaction opened, changed or closed */
} reconcile_t;

static int key_cmp(const void *a, const void *b)
{
    const rkey_t *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Opens, opens again or refreshes the finding c says holds now. */
static mm_err_t hold(reconcile_t *rc, MDB_txn *txn, const hub_finding_t *c, const char *when)
{
    uint8_t key[KEY_MAX];
    size_t kl = key_of(rc->site, c->kind, c->dedupe, key);
    uint64_t id = 0;
    hub_finding_t o;
    int changed = 0;
    mm_err_t err = id_of(rc->f, txn, key, kl, &id);
    if (err == MM_OK)
        err = load(rc->f, txn, id, &o);
    else
        hub_finding_init(&o);
    if (err == MM_OK && o.state != HUB_FINDING_STATE_OPEN) {
        err = hub_finding_step(&o, HUB_FINDING_STATE_OPEN, when);
        rc->opened++;
        changed = 1;
    } else if (err == MM_ENOTFOUND) {
        /* New (or its record was lost): {id, site, kind, first_seen, source, count, dedupe}. */
        hub_finding_deinit(&o);
        hub_finding_init(&o);
        err = new_id(rc->f, txn, key, kl, &o.id);
        snprintf(o.site, sizeof o.site, "%s", rc->site);
        snprintf(o.kind, sizeof o.kind, "%s", c->kind);
        snprintf(o.first_seen, sizeof o.first_seen, "%s", when);
        snprintf(o.dedupe, sizeof o.dedupe, "%s", c->dedupe);
        o.source = HUB_FINDING_SOURCE_RULES;
        o.count = 1;
        if (err == MM_OK)
            err = hub_finding_step(&o, HUB_FINDING_STATE_OPEN, when);
        rc->opened++;
        changed = 1;
    }
    if (err == MM_OK) {
        changed |= o.severity != c->severity || strcmp(o.rule, c->rule) != 0 ||
                   strcmp(o.message, c->message) != 0 ||
                   !hub_evidence_equal(&o.evidence, &c->evidence);
        o.severity = c->severity;
        snprintf(o.rule, sizeof o.rule, "%s", c->rule);
        snprintf(o.message, sizeof o.message, "%s", c->message);
        snprintf(o.last_seen, sizeof o.last_seen, "%s", when);
        err = hub_evidence_copy(&o.evidence, &c->evidence);
    }
    if (err == MM_OK)
        err = put(rc->f, txn, &o);
    if (err == MM_OK && changed)
        err = changed_add(&rc->changed, &o);
    hub_finding_deinit(&o);
    return err;
}

/* The ids of the site's findings whose keys the rules no longer give, in id order. */
static mm_err_t gone(reconcile_t *rc, MDB_txn *txn, uint64_t **ids, size_t *n)
{
    uint8_t prefix[KEY_MAX];
    int pl = snprintf((char *)prefix, sizeof prefix, "%s%c", rc->site, 0);
    size_t plen = pl < 0 ? 0 : (size_t)pl < sizeof prefix ? (size_t)pl : sizeof prefix - 1;
    MDB_cursor *cur;
    int r = mdb_cursor_open(txn, rc->f->keys, &cur);
    if (r != 0)
        return mm_db_err(r, "open finding keys cursor");
    size_t cap = 0;
    mm_err_t err = MM_OK;
    MDB_val k = {plen, prefix}, v;
    for (r = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); r == 0 && err == MM_OK;
         r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break; /* past the site's range */
        rkey_t probe = {.len = k.mv_size < KEY_MAX ? k.mv_size : KEY_MAX};
        memcpy(probe.key, k.mv_data, probe.len);
        if (v.mv_size != 8 ||
            (rc->n && bsearch(&probe, rc->keys, rc->n, sizeof *rc->keys, key_cmp)))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            uint64_t *more = realloc(*ids, cap * sizeof *more);
            if (!more) {
                err = MM_ENOMEM;
                break;
            }
            *ids = more;
        }
        (*ids)[(*n)++] = mm_be64_get(v.mv_data);
    }
    if (err == MM_OK && r != 0 && r != MDB_NOTFOUND)
        err = mm_db_err(r, "read finding keys");
    mdb_cursor_close(cur);
    return err;
}

static int id_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Closes the site's open rules findings that no longer hold, keeping their history. */
static mm_err_t close_gone(reconcile_t *rc, MDB_txn *txn, const char *when)
{
    uint64_t *ids = NULL;
    size_t n = 0;
    mm_err_t err = gone(rc, txn, &ids, &n);
    if (n)
        qsort(ids, n, sizeof *ids, id_cmp);
    for (size_t i = 0; err == MM_OK && i < n; i++) {
        hub_finding_t o;
        err = load(rc->f, txn, ids[i], &o);
        if (err == MM_ENOTFOUND) {
            err = MM_OK;
        } else if (err == MM_OK && o.source == HUB_FINDING_SOURCE_RULES &&
                   o.state == HUB_FINDING_STATE_OPEN && !strcmp(o.site, rc->site)) {
            err = hub_finding_step(&o, HUB_FINDING_STATE_CLOSED, when);
            snprintf(o.closed_at, sizeof o.closed_at, "%s", when);
            rc->closed++;
            if (err == MM_OK)
                err = put(rc->f, txn, &o);
            if (err == MM_OK)
                err = changed_add(&rc->changed, &o);
        }
        hub_finding_deinit(&o);
    }
    free(ids);
    return err;
}

static mm_err_t reconcile_txn(MDB_txn *txn, void *arg)
{
    reconcile_t *rc = arg;
    char when[MM_RFC3339_MAX];
    mm_time_rfc3339(rc->now_us, when);
    rc->opened = rc->closed = 0;
    hub_finding_list_deinit(&rc->changed); /* mm_db_write may run this again */
    mm_err_t err = MM_OK;
    for (size_t i = 0; err == MM_OK && i < rc->n; i++)
        err = hold(rc, txn, &rc->current[i], when);
    if (err == MM_OK)
        err = close_gone(rc, txn, when);
    return err;
}

mm_err_t hub_findings_reconcile(hub_findings_t *f, const char *site, const hub_finding_t *current,
                                size_t n, int64_t now_us, size_t *opened, size_t *closed)
{
    reconcile_t rc = {.f = f, .site = site, .current = current, .n = n, .now_us = now_us};
    hub_finding_list_init(&rc.changed);
    rc.keys = n ? malloc(n * sizeof *rc.keys) : NULL;
    mm_err_t err = n && !rc.keys ? MM_ENOMEM : MM_OK;
    for (size_t i = 0; err == MM_OK && i < n; i++)
        rc.keys[i].len = key_of(site, current[i].kind, current[i].dedupe, rc.keys[i].key);
    if (err == MM_OK) {
        if (n)
            qsort(rc.keys, n, sizeof *rc.keys, key_cmp);
        err = mm_db_write(f->db, reconcile_txn, &rc);
    }
    if (err == MM_OK)
        notify(f, &rc.changed);
    hub_finding_list_deinit(&rc.changed);
    free(rc.keys);
    if (err == MM_OK && (rc.opened || rc.closed))
        MM_INFO("findings for site %s: %zu opened, %zu closed", site, rc.opened, rc.closed);
    if (opened)
        *opened = rc.opened;
    if (closed)
        *closed = rc.closed;
    return err;
}
