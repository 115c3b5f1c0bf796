/*
 * watchstore.c: the sites' watch states in hub.watch (see watchstore.h).
 *
 * A stored state that does not read is logged and started afresh rather than allowed to stop
 * the site's batches: what is lost is the hub's own memory of earlier arrivals, and the rest of
 * the hub does not depend on it.
 */
#include "hub/watchstore.h"

#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/keys.h"
#include "hub/watch_codec.h"

/* The site's clock as last stored, per site that said hello: a hello that finds the clock
 * where it was (nearly every one, every few seconds from every site) reads nothing. */
typedef struct {
    char site[MM_KEY_NAME_MAX];
    int known;
    hub_watch_skew_t last;
} clock_memo_t;

struct hub_watchstore {
    mm_db_t *db;
    MDB_dbi dbi;
    const hub_watch_conf_t *cfg;
    size_t n_memo, cap_memo;
    clock_memo_t *memo;
};

/* The memo of site, a new one when there is none (NULL when out of memory). */
static clock_memo_t *memo_of(hub_watchstore_t *w, const char *site)
{
    for (size_t i = 0; i < w->n_memo; i++)
        if (!strcmp(w->memo[i].site, site))
            return &w->memo[i];
    if (strlen(site) >= MM_KEY_NAME_MAX)
        return NULL;
    if (w->n_memo == w->cap_memo) {
        size_t cap = w->cap_memo ? 2 * w->cap_memo : 16;
        clock_memo_t *m = realloc(w->memo, cap * sizeof *m);
        if (!m)
            return NULL;
        w->memo = m;
        w->cap_memo = cap;
    }
    clock_memo_t *m = &w->memo[w->n_memo++];
    memset(m, 0, sizeof *m);
    memcpy(m->site, site, strlen(site) + 1);
    return m;
}

mm_err_t hub_watchstore_open(mm_db_t *db, const hub_watch_conf_t *cfg, hub_watchstore_t **out)
{
    hub_watchstore_t *w = calloc(1, sizeof *w);
    if (!w)
        return MM_ENOMEM;
    w->db = db;
    w->cfg = cfg;
    mm_err_t err = mm_db_dbi(db, "hub.watch", 0, &w->dbi);
    if (err != MM_OK) {
        free(w);
        return err;
    }
    *out = w;
    return MM_OK;
}

void hub_watchstore_close(hub_watchstore_t *w)
{
    if (w)
        free(w->memo);
    free(w);
}

/* The state of site in txn into st (empty when none, or unreadable). */
static mm_err_t load(hub_watchstore_t *w, MDB_txn *txn, const char *site, hub_watch_state_t *st)
{
    MDB_val k = {strlen(site), (void *)site}, v;
    int rc = mdb_get(txn, w->dbi, &k, &v);
    hub_watch_state_init(st);
    if (rc == MDB_NOTFOUND)
        return MM_OK;
    if (rc != 0)
        return mm_db_err(rc, "read a site's watch state");
    if (hub_watch_decode(v.mv_data, v.mv_size, st) != MM_OK)
        MM_WARN("site %s: the hub's watch state does not read; starting afresh", site);
    return MM_OK;
}

static mm_err_t store(hub_watchstore_t *w, MDB_txn *txn, const char *site,
                      const hub_watch_state_t *st)
{
    char *text = hub_watch_encode(st);
    if (!text)
        return MM_ENOMEM;
    MDB_val k = {strlen(site), (void *)site}, v = {strlen(text), text};
    int rc = mdb_put(txn, w->dbi, &k, &v, 0);
    free(text);
    return mm_db_err(rc, "write a site's watch state");
}

mm_err_t hub_watchstore_learn_in(hub_watchstore_t *w, MDB_txn *txn, const char *site,
                                 const hub_watch_receipt_t *r, uint64_t first, const mm_entry_t *e,
                                 size_t n)
{
    hub_watch_state_t *st = malloc(sizeof *st);
    if (!st)
        return MM_ENOMEM;
    /* The transaction may yet abort: the memo is forgotten, and the next hello reads. */
    clock_memo_t *memo = memo_of(w, site);
    if (memo)
        memo->known = 0;
    mm_err_t err = load(w, txn, site, st);
    if (err == MM_OK && hub_watch_learn(st, w->cfg, r, first, e, n))
        err = store(w, txn, site, st);
    free(st);
    return err;
}

typedef struct {
    hub_watchstore_t *w;
    const char *site;
    const hub_watch_receipt_t *r;
} hello_t;

static mm_err_t hello_txn(MDB_txn *txn, void *arg)
{
    hello_t *h = arg;
    return hub_watchstore_learn_in(h->w, txn, h->site, h->r, 0, NULL, 0);
}

mm_err_t hub_watchstore_hello(hub_watchstore_t *w, const char *site, const hub_watch_receipt_t *r)
{
    if (!r->signed_s)
        return MM_OK; /* no time and no entries: nothing to learn */
    int64_t offset = (int64_t)r->signed_s * 1000000 - r->received_us;
    clock_memo_t *memo = memo_of(w, site);
    if (memo && memo->known && !hub_watch_clock_moved(&memo->last, offset, w->cfg))
        return MM_OK;
    /* Otherwise look in a read transaction, and write only if the clock moved. */
    hub_watch_state_t *st = NULL;
    mm_err_t err = hub_watchstore_get(w, site, &st);
    if (err != MM_OK)
        return err;
    int changed = hub_watch_learn(st, w->cfg, r, 0, NULL, 0);
    const hub_watch_skew_t *now = hub_watch_skew_now(st);
    hub_watch_skew_t last = now ? *now : (hub_watch_skew_t){0};
    free(st);
    if (changed) {
        hello_t h = {w, site, r};
        err = mm_db_write(w->db, hello_txn, &h);
    }
    if (err == MM_OK && memo && now) {
        memo->last = last;
        memo->known = 1;
    }
    return err;
}

mm_err_t hub_watchstore_get(hub_watchstore_t *w, const char *site, hub_watch_state_t **out)
{
    *out = NULL;
    hub_watch_state_t *st = malloc(sizeof *st);
    if (!st)
        return MM_ENOMEM;
    MDB_txn *txn;
    mm_err_t err = mm_db_read(w->db, &txn);
    if (err == MM_OK) {
        err = load(w, txn, site, st);
        mdb_txn_abort(txn);
    }
    if (err != MM_OK) {
        free(st);
        return err;
    }
    *out = st;
    return MM_OK;
}
