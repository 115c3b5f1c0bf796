/*
 * log.c: the append-only Merkle log in LMDB (see log.h).
 *
 * Keys: entries id(4) || index(8); nodes id(4) || level(1) || index(8); meta id(4). All
 * big-endian, so a cursor walks a log's entries in order.
 *
 * Appends go through a compact range per log id, cached here (slots indexed by id). A slot is
 * "dirty" from the moment a write transaction loads or changes it until that transaction ends:
 * committed, it is clean (what the store holds); aborted, it is dropped and rebuilt when next
 * needed. A clean slot is still checked against the stored size before each use.
 */
#include "common/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"

#define SLOT_IDS 65536 /* log ids cached; a larger id rebuilds its range at each append */

enum { SLOT_NONE, SLOT_CLEAN, SLOT_DIRTY };

typedef struct {
    int state;
    mm_merkle_range_t range;
    int made; /* the log's own table was made by the write transaction not ended yet */
} slot_t;

struct mm_log {
    mm_db_t *db;
    MDB_dbi entries; /* the shared table */
    MDB_dbi nodes;
    MDB_dbi meta;
    unsigned flags; /* MM_LOG_OWN_TABLES */
    int watched;    /* mm_db tells us when transactions end; if not, nothing is kept */
    slot_t **slots; /* by log id, n_slots of them, each NULL until used */
    size_t n_slots;
    /* SLOT_IDS of them, shared by every mm_log_t of the environment (tables_t): each log's own
     * table of entries (0: none), read by any thread; one made by a write transaction is set at
     * once (other transactions cannot use it before it commits: entries_of checks), and cleared
     * if that transaction does not commit. */
    atomic_uint *own;
    struct tables *tables;
};

static void txn_ended(void *arg, int committed)
{
    mm_log_t *log = arg;
    for (size_t i = 0; i < log->n_slots; i++) {
        slot_t *s = log->slots[i];
        if (s && s->state == SLOT_DIRTY)
            s->state = committed ? SLOT_CLEAN : SLOT_NONE;
        /* A table made by a transaction that did not commit is gone: LMDB closed its handle. */
        if (s && s->made && !committed)
            atomic_store(&log->own[i], 0);
        if (s)
            s->made = 0;
    }
}

void mm_log_forget(mm_log_t *log)
{
    for (size_t i = 0; i < log->n_slots; i++)
        if (log->slots[i]) {
            log->slots[i]->state = SLOT_NONE;
            if (log->slots[i]->made)
                atomic_store(&log->own[i], 0);
            log->slots[i]->made = 0;
        }
}

static slot_t *slot_of(mm_log_t *log, uint32_t id);

#define OWN_PREFIX "log.e." /* a log's own table of entries: log.e.<id> in decimal */

/* The logs' own tables of one environment, known to all its mm_log_t handles alike: a table one
 * handle makes is the one another reads and appends to. */
typedef struct tables {
    struct tables *next;
    MDB_env *env;
    int refs;
    atomic_uint own[SLOT_IDS];
} tables_t;

static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;
static tables_t *tables_list;

/* The table that holds the entries of log id in txn: its own, when it has one that txn can see
 * (made by txn, or committed before txn began), else the shared one. */
static MDB_dbi entries_of(mm_log_t *log, MDB_txn *txn, uint32_t id)
{
    unsigned flags;
    MDB_dbi d = id < SLOT_IDS ? atomic_load(&log->own[id]) : 0;
    return d && mdb_dbi_flags(txn, d, &flags) == 0 ? d : log->entries;
}

/* The table to append the entries of log id to, in write transaction txn, which holds size of
 * them: a new log gets a table of its own when the log was opened with MM_LOG_OWN_TABLES (its
 * keys then only grow, and LMDB fills its pages); a log begun in the shared table stays there,
 * and so does a new one when LMDB has no room for another table. */
static mm_err_t entries_for_append(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t size,
                                   MDB_dbi *out)
{
    *out = entries_of(log, txn, id);
    if (*out != log->entries || size > 0 || !(log->flags & MM_LOG_OWN_TABLES) || !log->watched)
        return MM_OK;
    slot_t *s = slot_of(log, id);
    if (!s)
        return MM_OK;
    char name[sizeof OWN_PREFIX + 10];
    snprintf(name, sizeof name, OWN_PREFIX "%u", id);
    MDB_dbi d;
    int rc = mdb_dbi_open(txn, name, MDB_CREATE, &d);
    if (rc == MDB_DBS_FULL) {
        MM_WARN("log %u: no room for a table of its own (LMDB's table limit); it goes into the "
                "shared one",
                id);
        return MM_OK;
    }
    if (rc != 0)
        return mm_db_err(rc, "make a log's table");
    atomic_store(&log->own[id], d);
    s->made = 1;
    *out = d;
    return MM_OK;
}

/* Opens the tables of their own that logs have (at open, before other transactions). */
static mm_err_t open_own_tables(mm_log_t *log)
{
    if (log->tables->refs > 1)
        return MM_OK; /* another handle of the environment opened them, and keeps them */
    MDB_txn *txn;
    int rc = mdb_txn_begin(mm_db_env(log->db), NULL, 0, &txn);
    if (rc != 0)
        return mm_db_err(rc, "begin transaction to open the logs' tables");
    MDB_dbi main_dbi;
    MDB_cursor *cur = NULL;
    rc = mdb_dbi_open(txn, NULL, 0, &main_dbi);
    if (rc == 0)
        rc = mdb_cursor_open(txn, main_dbi, &cur);
    size_t plen = strlen(OWN_PREFIX);
    MDB_val k = {plen, (void *)OWN_PREFIX}, v;
    int at = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) : rc;
    for (; at == 0 && k.mv_size > plen && !memcmp(k.mv_data, OWN_PREFIX, plen);
         at = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        char name[sizeof OWN_PREFIX + 10], *end;
        if (k.mv_size >= sizeof name)
            continue;
        memcpy(name, k.mv_data, k.mv_size);
        name[k.mv_size] = 0;
        unsigned long id = strtoul(name + plen, &end, 10);
        MDB_dbi d;
        if (*end || id >= SLOT_IDS || name[plen] < '0' || name[plen] > '9' ||
            (name[plen] == '0' && name[plen + 1]))
            continue; /* not one of ours (log ids are written without leading zeros) */
        if ((rc = mdb_dbi_open(txn, name, 0, &d)) != 0)
            break;
        atomic_store(&log->own[id], d);
    }
    if (cur)
        mdb_cursor_close(cur);
    if (rc == 0 && at != 0 && at != MDB_NOTFOUND)
        rc = at;
    if (rc != 0) {
        mdb_txn_abort(txn);
        return mm_db_err(rc, "open the logs' tables");
    }
    return mm_db_err(mdb_txn_commit(txn), "commit the logs' tables");
}

/* The slot of log id, made when missing; NULL when it cannot be kept. */
static slot_t *slot_of(mm_log_t *log, uint32_t id)
{
    if (!log->watched || id >= SLOT_IDS)
        return NULL;
    if (id >= log->n_slots) {
        size_t n = log->n_slots ? log->n_slots : 16;
        while (n <= id)
            n *= 2;
        slot_t **grown = realloc(log->slots, n * sizeof *grown);
        if (!grown)
            return NULL;
        memset(grown + log->n_slots, 0, (n - log->n_slots) * sizeof *grown);
        log->slots = grown;
        log->n_slots = n;
    }
    if (!log->slots[id])
        log->slots[id] = calloc(1, sizeof(slot_t));
    return log->slots[id];
}

typedef struct {
    mm_log_t *log;
    MDB_txn *txn;
    uint32_t id;
} node_ctx_t;

static void tables_release(tables_t *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&tables_lock);
    if (--t->refs == 0) {
        tables_t **p = &tables_list;
        while (*p != t)
            p = &(*p)->next;
        *p = t->next;
        free(t);
    }
    pthread_mutex_unlock(&tables_lock);
}

mm_err_t mm_log_open(mm_db_t *db, mm_log_t **out)
{
    return mm_log_open_with(db, 0, out);
}

mm_err_t mm_log_open_with(mm_db_t *db, unsigned flags, mm_log_t **out)
{
    mm_log_t *log = calloc(1, sizeof *log);
    if (!log)
        return MM_ENOMEM;
    log->db = db;
    log->flags = flags;
    pthread_mutex_lock(&tables_lock);
    tables_t *t = tables_list;
    while (t && t->env != mm_db_env(db))
        t = t->next;
    if (!t && (t = calloc(1, sizeof *t))) {
        t->env = mm_db_env(db);
        t->next = tables_list;
        tables_list = t;
    }
    if (t)
        t->refs++;
    log->tables = t;
    log->own = t ? t->own : NULL;
    mm_err_t err = log->own ? mm_db_dbi(db, "log.entries", 0, &log->entries) : MM_ENOMEM;
    if (err == MM_OK)
        err = mm_db_dbi(db, "log.nodes", 0, &log->nodes);
    if (err == MM_OK)
        err = mm_db_dbi(db, "log.meta", 0, &log->meta);
    if (err == MM_OK)
        err = open_own_tables(log);
    pthread_mutex_unlock(&tables_lock);
    if (err != MM_OK) {
        tables_release(log->tables);
        free(log);
        return err;
    }
    log->watched = mm_db_watch(db, txn_ended, log) == MM_OK;
    *out = log;
    return MM_OK;
}

void mm_log_close(mm_log_t *log)
{
    if (!log)
        return;
    if (log->watched)
        mm_db_unwatch(log->db, txn_ended, log);
    for (size_t i = 0; i < log->n_slots; i++)
        free(log->slots[i]);
    free(log->slots);
    tables_release(log->tables);
    free(log);
}

mm_err_t mm_log_size(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t *size)
{
    uint8_t key[4];
    mm_be32_put(key, id);
    MDB_val k = {4, key}, v;
    int rc = mdb_get(txn, log->meta, &k, &v);
    if (rc == MDB_NOTFOUND) {
        *size = 0;
        return MM_OK;
    }
    if (rc != 0)
        return mm_db_err(rc, "read log size");
    if (v.mv_size != 8) {
        MM_ERROR("log %u: size record of %zu bytes", id, v.mv_size);
        return MM_ECORRUPT;
    }
    *size = mm_be64_get(v.mv_data);
    return MM_OK;
}

/* An entry's stored value: VALUE_TAG, its leaf hash, its bytes. A value that does not begin with
 * the tag is an entry alone, as a store written before kept it, its leaf then in log.nodes at
 * level 0 (an entry is a protobuf message, whose first byte is never 0). */
#define VALUE_TAG 0x00
#define VALUE_HDR (1 + MM_HASH_LEN)

static int tagged(const MDB_val *v)
{
    return v->mv_size > VALUE_HDR && ((const uint8_t *)v->mv_data)[0] == VALUE_TAG;
}

static mm_err_t stored_node(node_ctx_t *c, unsigned level, uint64_t index, mm_hash_t *out)
{
    uint8_t key[13];
    mm_be32_put(key, c->id);
    key[4] = (uint8_t)level;
    mm_be64_put(key + 5, index);
    MDB_val k = {sizeof key, key}, v;
    int rc = mdb_get(c->txn, c->log->nodes, &k, &v);
    if (rc == MDB_NOTFOUND) {
        MM_ERROR("log %u: node (%u, %llu) missing", c->id, level, (unsigned long long)index);
        return MM_ECORRUPT;
    }
    if (rc != 0)
        return mm_db_err(rc, "read log node");
    if (v.mv_size != MM_HASH_LEN) {
        MM_ERROR("log %u: node (%u, %llu) of %zu bytes", c->id, level,
                 (unsigned long long)index, v.mv_size);
        return MM_ECORRUPT;
    }
    memcpy(out->b, v.mv_data, MM_HASH_LEN);
    return MM_OK;
}

/* The leaf hash stored with entry index, whose value is v. */
static mm_err_t value_leaf(node_ctx_t *c, uint64_t index, const MDB_val *v, mm_hash_t *out)
{
    if (!tagged(v))
        return stored_node(c, 0, index, out);
    memcpy(out->b, (const uint8_t *)v->mv_data + 1, MM_HASH_LEN);
    return MM_OK;
}

/* The hash of the perfect subtree (level, index) below MM_LOG_NODE_LEVEL, from the leaf hashes
 * stored with its entries: at most 2^(MM_LOG_NODE_LEVEL - 1) of them, read through one cursor. */
static mm_err_t low_node(node_ctx_t *c, unsigned level, uint64_t index, mm_hash_t *out)
{
    mm_hash_t stack[MM_LOG_NODE_LEVEL];
    unsigned height[MM_LOG_NODE_LEVEL];
    size_t depth = 0;
    uint64_t first = index << level, n = (uint64_t)1 << level;
    uint8_t key[12];
    mm_be32_put(key, c->id);
    mm_be64_put(key + 4, first);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(c->txn, entries_of(c->log, c->txn, c->id), &cur);
    if (rc != 0)
        return mm_db_err(rc, "read log entries");
    MDB_val k = {sizeof key, key}, v;
    mm_err_t err = MM_OK;
    for (uint64_t i = 0; i < n && err == MM_OK; i++) {
        rc = mdb_cursor_get(cur, &k, &v, i == 0 ? MDB_SET_KEY : MDB_NEXT);
        if (rc == 0 && (k.mv_size != sizeof key || memcmp(k.mv_data, key, 4) != 0 ||
                        mm_be64_get((const uint8_t *)k.mv_data + 4) != first + i))
            rc = MDB_NOTFOUND;
        if (rc == MDB_NOTFOUND) {
            MM_ERROR("log %u: entry %llu missing", c->id, (unsigned long long)(first + i));
            err = MM_ECORRUPT;
        } else if (rc != 0) {
            err = mm_db_err(rc, "read log entry");
        } else if ((err = value_leaf(c, first + i, &v, &stack[depth])) == MM_OK) {
            /* The leaf joins the subtrees before it that are as high as what it completes. */
            height[depth++] = 0;
            while (depth >= 2 && height[depth - 2] == height[depth - 1]) {
                mm_merkle_node_hash(&stack[depth - 2], &stack[depth - 1], &stack[depth - 2]);
                height[depth - 2]++;
                depth--;
            }
        }
    }
    mdb_cursor_close(cur);
    if (err == MM_OK)
        *out = stack[0];
    return err;
}

static mm_err_t get_node(void *arg, unsigned level, uint64_t index, mm_hash_t *out)
{
    node_ctx_t *c = arg;
    return level < MM_LOG_NODE_LEVEL ? low_node(c, level, index, out)
                                     : stored_node(c, level, index, out);
}

/* The nodes a batch completes, gathered by the range before any is written. */
typedef struct {
    unsigned level;
    uint64_t index;
    mm_hash_t h;
} node_t;

typedef struct {
    node_t *v;
    size_t n;
} nodes_t;

static mm_err_t gather(void *arg, unsigned level, uint64_t index, const mm_hash_t *h)
{
    nodes_t *g = arg;
    if (level < MM_LOG_NODE_LEVEL)
        return MM_OK; /* made again from the leaves stored with the entries when asked for */
    g->v[g->n++] = (node_t){level, index, *h};
    return MM_OK;
}

/* Puts the entries with their leaves and their nodes, sequential keys through cursors (which
 * then seldom descend the tree again), and the new size. */
static mm_err_t write_batch(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t size,
                            const mm_bytes_t *entries, const mm_hash_t *leaves, size_t n,
                            const nodes_t *g)
{
    MDB_cursor *ec = NULL, *nc = NULL;
    MDB_dbi edbi;
    mm_err_t err = entries_for_append(log, txn, id, size, &edbi);
    if (err != MM_OK)
        return err;
    int rc = mdb_cursor_open(txn, edbi, &ec);
    if (rc == 0)
        rc = mdb_cursor_open(txn, log->nodes, &nc);
    uint8_t key[13];
    mm_be32_put(key, id);
    mm_be64_put(key + 4, size);
    /* When the batch's keys come after every key of the table (a log's own table; the edge's
     * one log; the newest log of the shared table), they are appended: LMDB then fills each page
     * instead of splitting it in half, and skips the search. */
    unsigned how = MDB_NOOVERWRITE | MDB_RESERVE;
    MDB_val lk, lv;
    if (rc == 0 && n > 0) {
        int last = mdb_cursor_get(ec, &lk, &lv, MDB_LAST);
        if (last == MDB_NOTFOUND ||
            (last == 0 && lk.mv_size == 12 && memcmp(lk.mv_data, key, 12) < 0))
            how |= MDB_APPEND;
        else if (last != 0 && last != MDB_NOTFOUND)
            rc = last;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        mm_be64_put(key + 4, size + i);
        MDB_val k = {12, key}, v = {VALUE_HDR + entries[i].len, NULL};
        if ((rc = mdb_cursor_put(ec, &k, &v, how)) == 0) {
            uint8_t *p = v.mv_data;
            p[0] = VALUE_TAG;
            memcpy(p + 1, leaves[i].b, MM_HASH_LEN);
            memcpy(p + VALUE_HDR, entries[i].data, entries[i].len);
        }
    }
    /* Level by level, so that each level's keys go in ascending order. */
    for (unsigned level = MM_LOG_NODE_LEVEL; rc == 0 && level < 64; level++) {
        int any = 0;
        for (size_t i = 0; rc == 0 && i < g->n; i++) {
            if (g->v[i].level != level)
                continue;
            any = 1;
            key[4] = (uint8_t)level;
            mm_be64_put(key + 5, g->v[i].index);
            MDB_val k = {13, key}, v = {MM_HASH_LEN, (void *)g->v[i].h.b};
            rc = mdb_cursor_put(nc, &k, &v, MDB_NOOVERWRITE);
        }
        if (!any)
            break;
    }
    if (nc)
        mdb_cursor_close(nc);
    if (ec)
        mdb_cursor_close(ec);
    if (rc != 0)
        return mm_db_err(rc, "put log entries and nodes");
    uint8_t mkey[4], sval[8];
    mm_be32_put(mkey, id);
    mm_be64_put(sval, size + n);
    MDB_val mk = {4, mkey}, mv = {8, sval};
    return mm_db_err(mdb_put(txn, log->meta, &mk, &mv, 0), "put log size");
}

mm_err_t mm_log_append_many(mm_log_t *log, MDB_txn *txn, uint32_t id, const mm_bytes_t *entries,
                            size_t n, const mm_hash_t *want, mm_hash_t *root)
{
    return mm_log_append_hashed(log, txn, id, entries, NULL, n, want, root);
}

mm_err_t mm_log_append_hashed(mm_log_t *log, MDB_txn *txn, uint32_t id, const mm_bytes_t *entries,
                              const mm_hash_t *leaves, size_t n, const mm_hash_t *want,
                              mm_hash_t *root)
{
    for (size_t i = 0; i < n; i++)
        if (entries[i].len == 0 || entries[i].len > MM_LOG_ENTRY_MAX)
            return MM_ETOOBIG;
    uint64_t size;
    mm_err_t err = mm_log_size(log, txn, id, &size);
    if (err != MM_OK)
        return err;
    slot_t *sl = slot_of(log, id);
    mm_merkle_range_t next;
    if (sl && sl->state != SLOT_NONE && sl->range.size == size) {
        next = sl->range;
    } else {
        node_ctx_t c = {log, txn, id};
        err = mm_merkle_range_load(&next, get_node, &c, size);
        if (err != MM_OK)
            return err;
        if (sl) {
            sl->range = next;
            sl->state = SLOT_DIRTY; /* it may hold what this transaction wrote */
        }
    }

    /* Every append completes at most one node more than its leaf, plus at most 64 at the end;
     * those below MM_LOG_NODE_LEVEL are not kept. */
    nodes_t g = {malloc((2 * n + 64) * sizeof *g.v), 0};
    mm_hash_t *made = leaves ? NULL : malloc((n ? n : 1) * sizeof *made);
    if (!g.v || (!leaves && !made)) {
        free(g.v);
        free(made);
        return MM_ENOMEM;
    }
    if (made) {
        for (size_t i = 0; i < n; i++)
            mm_merkle_leaf_hash(entries[i].data, entries[i].len, &made[i]);
        leaves = made;
    }
    for (size_t i = 0; i < n; i++)
        mm_merkle_range_append(&next, &leaves[i], gather, &g);
    mm_hash_t got;
    mm_merkle_range_root(&next, &got);
    if (root)
        *root = got;
    if (want && memcmp(got.b, want->b, MM_HASH_LEN) != 0) {
        free(g.v);
        free(made);
        return MM_EVERIFY;
    }
    if (sl)
        sl->state = SLOT_DIRTY;
    err = write_batch(log, txn, id, size, entries, leaves, n, &g);
    free(g.v);
    free(made);
    if (err == MM_OK && sl)
        sl->range = next;
    return err;
}

mm_err_t mm_log_append(mm_log_t *log, MDB_txn *txn, uint32_t id, const void *entry, size_t len,
                       uint64_t *index)
{
    uint64_t size;
    mm_err_t err = mm_log_size(log, txn, id, &size);
    if (err != MM_OK)
        return err;
    mm_bytes_t e = {entry, len};
    err = mm_log_append_many(log, txn, id, &e, 1, NULL, NULL);
    if (err == MM_OK && index)
        *index = size;
    return err;
}

mm_err_t mm_log_get(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t index, const void **data,
                    size_t *len)
{
    uint8_t key[12];
    mm_be32_put(key, id);
    mm_be64_put(key + 4, index);
    MDB_val k = {sizeof key, key}, v;
    int rc = mdb_get(txn, entries_of(log, txn, id), &k, &v);
    if (rc != 0)
        return mm_db_err(rc, "read log entry");
    size_t skip = tagged(&v) ? VALUE_HDR : 0;
    *data = (const uint8_t *)v.mv_data + skip;
    *len = v.mv_size - skip;
    return MM_OK;
}

mm_err_t mm_log_leaf(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t index, mm_hash_t *out)
{
    uint64_t size;
    mm_err_t err = mm_log_size(log, txn, id, &size);
    if (err != MM_OK)
        return err;
    if (index >= size)
        return MM_ENOTFOUND;
    node_ctx_t c = {log, txn, id};
    return get_node(&c, 0, index, out);
}

/* Checks that size is within the log. */
static mm_err_t within(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t size)
{
    uint64_t have;
    mm_err_t err = mm_log_size(log, txn, id, &have);
    if (err != MM_OK)
        return err;
    return size <= have ? MM_OK : MM_ERANGE;
}

mm_err_t mm_log_root(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t size, mm_hash_t *out)
{
    mm_err_t err = within(log, txn, id, size);
    if (err != MM_OK)
        return err;
    node_ctx_t c = {log, txn, id};
    return mm_merkle_root(get_node, &c, size, out);
}

mm_err_t mm_log_inclusion_proof(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t index,
                                uint64_t size, mm_hash_t *proof, size_t *n)
{
    mm_err_t err = within(log, txn, id, size);
    if (err != MM_OK)
        return err;
    node_ctx_t c = {log, txn, id};
    return mm_merkle_inclusion_proof(get_node, &c, index, size, proof, n);
}
