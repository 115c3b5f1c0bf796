/*
 * findings.c: findings in LMDB (see findings.h).
 */
#include "hub/findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/diag.h"
#include "common/timefmt.h"

MM_ENUM_DEFINE(hub_finding_state, HUB_FINDING_STATE, HUB_FINDING_STATE_MAP, "finding state")
MM_ENUM_DEFINE(hub_finding_source, HUB_FINDING_SOURCE, HUB_FINDING_SOURCE_MAP, "finding source")

struct hub_findings {
    mm_db_t *db;
    MDB_dbi items;
    MDB_dbi keys;
    void (*observer)(void *arg, json_t *finding);
    void *observer_arg;
};

void hub_findings_set_observer(hub_findings_t *f, void (*fn)(void *arg, json_t *finding), void *arg)
{
    f->observer = fn;
    f->observer_arg = arg;
}

/* Whether o's member name would change to c's (a member c lacks is left as it is). */
static int differs(json_t *o, json_t *c, const char *name)
{
    json_t *was = json_object_get(o, name), *now = json_object_get(c, name);
    return now && !(was && json_equal(was, now));
}

/* Hands each finding that changed to the observer, once the transaction has committed. */
static void notify(hub_findings_t *f, json_t *changed)
{
    size_t i;
    json_t *o;
    if (!f->observer)
        return;
    json_array_foreach(changed, i, o)
    {
        f->observer(f->observer_arg, o);
    }
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

typedef struct {
    hub_findings_t *f;
    const char *site, *kind, *severity, *message;
    uint8_t key[512];
    size_t klen;
    json_t *evidence;
    int64_t now_us;
    json_t *changed; /* the findings this transaction opened or changed */
} raise_t;

static mm_err_t raise_txn(MDB_txn *txn, void *arg)
{
    raise_t *r = arg;
    char when[MM_RFC3339_MAX];
    mm_time_rfc3339(r->now_us, when);
    json_array_clear(r->changed); /* mm_db_write may run this again */
    MDB_val k = {r->klen, r->key}, v;
    int rc = mdb_get(txn, r->f->keys, &k, &v);
    if (rc == 0 && v.mv_size == 8) {
        /* Seen before: count it and move last_seen. */
        uint64_t id = mm_be64_get(v.mv_data);
        uint8_t ik[8];
        mm_be64_put(ik, id);
        MDB_val ikv = {8, ik}, iv;
        if (mdb_get(txn, r->f->items, &ikv, &iv) == 0) {
            json_t *o = json_loadb(iv.mv_data, iv.mv_size, 0, NULL);
            if (o) {
                json_int_t count = json_integer_value(json_object_get(o, "count"));
                /* A repeat counts; it is news only when it says something new. */
                json_t *m = json_string(r->message);
                if (!json_equal(json_object_get(o, "message"), m) ||
                    (r->evidence && !json_equal(json_object_get(o, "evidence"), r->evidence)))
                    json_array_append(r->changed, o);
                json_decref(m);
                json_object_set_new(o, "count", json_integer(count + 1));
                json_object_set_new(o, "last_seen", json_string(when));
                json_object_set_new(o, "message", json_string(r->message));
                if (r->evidence)
                    json_object_set(o, "evidence", r->evidence);
                mm_err_t err = mm_db_put_json(txn, r->f->items, id, o, "put finding");
                json_decref(o);
                return err;
            }
        }
    } else if (rc != 0 && rc != MDB_NOTFOUND) {
        return mm_db_err(rc, "read finding key");
    }

    /* A new finding: the next id follows the last one. */
    uint64_t id = 1;
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, r->f->items, &cur);
    if (rc != 0)
        return mm_db_err(rc, "open findings cursor");
    MDB_val lk, lv;
    if (mdb_cursor_get(cur, &lk, &lv, MDB_LAST) == 0 && lk.mv_size == 8)
        id = mm_be64_get(lk.mv_data) + 1;
    mdb_cursor_close(cur);

    json_t *o =
        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:[{s:s, s:s}]}", "id",
                  (json_int_t)id, "site", r->site, "kind", r->kind, "severity", r->severity,
                  "message", r->message, "first_seen", when, "last_seen", when, "count",
                  (json_int_t)1, "evidence", r->evidence ? json_incref(r->evidence) : json_object(),
                  "state", hub_finding_state_name(HUB_FINDING_STATE_OPEN), "source",
                  hub_finding_source_name(HUB_FINDING_SOURCE_VERIFICATION), "history", "state",
                  hub_finding_state_name(HUB_FINDING_STATE_OPEN), "at", when);
    if (!o)
        return MM_ENOMEM;
    mm_err_t err = mm_db_put_json(txn, r->f->items, id, o, "put finding");
    json_array_append(r->changed, o);
    json_decref(o);
    if (err != MM_OK)
        return err;
    uint8_t idb[8];
    mm_be64_put(idb, id);
    MDB_val iv = {8, idb};
    return mm_db_err(mdb_put(txn, r->f->keys, &k, &iv, 0), "put finding key");
}

mm_err_t hub_findings_raise(hub_findings_t *f, const char *site, const char *kind,
                            const char *severity, const char *dedupe, json_t *evidence,
                            int64_t now_us, const char *fmt, ...)
{
    char message[512];
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
                 .now_us = now_us,
                 .changed = json_array()};
    int n = snprintf((char *)r.key, sizeof r.key, "%s%c%s%c%s", r.site, 0, kind, 0,
                     dedupe ? dedupe : "");
    r.klen = n < 0 ? 0 : (size_t)n < sizeof r.key ? (size_t)n : sizeof r.key - 1;
    if (r.klen == 0)
        r.klen = 1;
    MM_WARN("finding %s (%s) for site \"%s\": %s", kind, severity, r.site, message);
    mm_err_t err = mm_db_write(f->db, raise_txn, &r);
    json_decref(evidence);
    if (err == MM_OK)
        notify(f, r.changed);
    json_decref(r.changed);
    return err;
}

json_t *hub_findings_list(hub_findings_t *f)
{
    MDB_txn *txn;
    if (mm_db_read(f->db, &txn) != MM_OK)
        return NULL;
    json_t *a = json_array();
    MDB_cursor *cur;
    if (a && mdb_cursor_open(txn, f->items, &cur) == 0) {
        MDB_val k, v;
        int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
        while (rc == 0) {
            json_t *o = json_loadb(v.mv_data, v.mv_size, 0, NULL);
            if (o)
                json_array_append_new(a, o);
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return a;
}

/* --- findings from the rules (rules.h) ------------------------------------------------------*/

typedef struct {
    hub_findings_t *f;
    const char *site;
    json_t *current;
    int64_t now_us;
    size_t opened, closed;
    json_t *changed; /* the findings this transaction opened, changed or closed */
} reconcile_t;

static int key_of(const char *site, const char *kind, const char *dedupe, uint8_t *key, size_t cap)
{
    int n = snprintf((char *)key, cap, "%s%c%s%c%s", site, 0, kind, 0, dedupe);
    return n < 0 ? 0 : (size_t)n < cap ? n : (int)cap - 1;
}

static int is_open(json_t *o)
{
    hub_finding_state_t st;
    return hub_finding_state_parse(json_string_value(json_object_get(o, "state")), &st) &&
           st == HUB_FINDING_STATE_OPEN;
}

static int from_rules(json_t *o)
{
    hub_finding_source_t src;
    return hub_finding_source_parse(json_string_value(json_object_get(o, "source")), &src) &&
           src == HUB_FINDING_SOURCE_RULES;
}

static void set_state(json_t *o, hub_finding_state_t st, const char *when)
{
    const char *state = hub_finding_state_name(st);
    json_object_set_new(o, "state", json_string(state));
    json_t *h = json_object_get(o, "history");
    if (!json_is_array(h)) {
        h = json_array();
        json_object_set_new(o, "history", h);
    }
    json_array_append_new(h, json_pack("{s:s, s:s}", "state", state, "at", when));
}

static mm_err_t reconcile_txn(MDB_txn *txn, void *arg)
{
    reconcile_t *rc = arg;
    hub_findings_t *f = rc->f;
    char when[MM_RFC3339_MAX];
    mm_time_rfc3339(rc->now_us, when);
    rc->opened = rc->closed = 0;
    json_array_clear(rc->changed); /* mm_db_write may run this again */
    size_t i;
    json_t *c;
    mm_err_t err = MM_OK;
    /* What holds now: refresh or open each. */
    json_array_foreach(rc->current, i, c)
    {
        const char *kind = json_string_value(json_object_get(c, "kind"));
        const char *dedupe = json_string_value(json_object_get(c, "dedupe"));
        uint8_t key[512];
        int kl = key_of(rc->site, kind, dedupe ? dedupe : "", key, sizeof key);
        MDB_val k = {(size_t)kl, key}, v;
        int r = mdb_get(txn, f->keys, &k, &v);
        uint64_t id;
        json_t *o = NULL;
        int changed = 0;
        if (r == 0 && v.mv_size == 8) {
            id = mm_be64_get(v.mv_data);
            uint8_t ik[8];
            mm_be64_put(ik, id);
            MDB_val ikv = {8, ik}, iv;
            if (mdb_get(txn, f->items, &ikv, &iv) == 0)
                o = json_loadb(iv.mv_data, iv.mv_size, 0, NULL);
        } else if (r != MDB_NOTFOUND) {
            return mm_db_err(r, "read finding key");
        }
        if (o) {
            if (!is_open(o)) {
                set_state(o, HUB_FINDING_STATE_OPEN, when);
                rc->opened++;
                changed = 1;
            }
        } else {
            id = 1;
            MDB_cursor *cur;
            if ((r = mdb_cursor_open(txn, f->items, &cur)) != 0)
                return mm_db_err(r, "open findings cursor");
            MDB_val lk, lv;
            if (mdb_cursor_get(cur, &lk, &lv, MDB_LAST) == 0 && lk.mv_size == 8)
                id = mm_be64_get(lk.mv_data) + 1;
            mdb_cursor_close(cur);
            o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:[]}", "id", (json_int_t)id, "site",
                          rc->site, "kind", kind, "first_seen", when, "source",
                          hub_finding_source_name(HUB_FINDING_SOURCE_RULES), "count", (json_int_t)1,
                          "dedupe", dedupe ? dedupe : "", "history");
            if (!o)
                return MM_ENOMEM;
            set_state(o, HUB_FINDING_STATE_OPEN, when);
            rc->opened++;
            changed = 1;
            uint8_t idb[8];
            mm_be64_put(idb, id);
            MDB_val iv = {8, idb};
            if ((err = mm_db_err(mdb_put(txn, f->keys, &k, &iv, 0), "put finding key")) != MM_OK) {
                json_decref(o);
                return err;
            }
        }
        changed |= differs(o, c, "severity") || differs(o, c, "rule") || differs(o, c, "message") ||
                   differs(o, c, "evidence");
        json_object_set(o, "severity", json_object_get(c, "severity"));
        json_object_set(o, "rule", json_object_get(c, "rule"));
        json_object_set(o, "message", json_object_get(c, "message"));
        json_object_set(o, "evidence", json_object_get(c, "evidence"));
        json_object_set_new(o, "last_seen", json_string(when));
        err = mm_db_put_json(txn, f->items, id, o, "put finding");
        if (changed)
            json_array_append(rc->changed, o);
        json_decref(o);
        if (err != MM_OK)
            return err;
    }
    /* What no longer holds: close it, keeping its history. */
    MDB_cursor *cur;
    int r = mdb_cursor_open(txn, f->items, &cur);
    if (r != 0)
        return mm_db_err(r, "open findings cursor");
    MDB_val k, v;
    for (r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0 && err == MM_OK;
         r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        json_t *o = json_loadb(v.mv_data, v.mv_size, 0, NULL);
        if (!o)
            continue;
        const char *site = json_string_value(json_object_get(o, "site"));
        int still = 0;
        if (from_rules(o) && is_open(o) && site && !strcmp(site, rc->site)) {
            const char *kind = json_string_value(json_object_get(o, "kind"));
            const char *dedupe = json_string_value(json_object_get(o, "dedupe"));
            json_array_foreach(rc->current, i, c)
            {
                const char *ck = json_string_value(json_object_get(c, "kind"));
                const char *cd = json_string_value(json_object_get(c, "dedupe"));
                still |= kind && ck && !strcmp(kind, ck) && !strcmp(dedupe ?: "", cd ?: "");
            }
            if (!still) {
                set_state(o, HUB_FINDING_STATE_CLOSED, when);
                json_object_set_new(o, "closed_at", json_string(when));
                rc->closed++;
                uint64_t id = mm_be64_get(k.mv_data);
                err = mm_db_put_json(txn, f->items, id, o, "put finding");
                json_array_append(rc->changed, o);
            }
        }
        json_decref(o);
    }
    mdb_cursor_close(cur);
    return err;
}

mm_err_t hub_findings_reconcile(hub_findings_t *f, const char *site, json_t *current,
                                int64_t now_us, size_t *opened, size_t *closed)
{
    reconcile_t rc = {
        .f = f, .site = site, .current = current, .now_us = now_us, .changed = json_array()};
    mm_err_t err = mm_db_write(f->db, reconcile_txn, &rc);
    if (err == MM_OK)
        notify(f, rc.changed);
    json_decref(rc.changed);
    if (err == MM_OK && (rc.opened || rc.closed))
        MM_INFO("findings for site %s: %zu opened, %zu closed", site, rc.opened, rc.closed);
    if (opened)
        *opened = rc.opened;
    if (closed)
        *closed = rc.closed;
    return err;
}
