/*
 * log.c: the append-only Merkle log in LMDB (see log.h).
 *
 * Keys: entries id(4) || index(8); nodes id(4) || level(1) || index(8); meta id(4). All
 * big-endian, so a cursor walks a log's entries in order.
 */
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

#include "common/diag.h"

struct mm_log {
    mm_db_t *db;
    MDB_dbi entries;
    MDB_dbi nodes;
    MDB_dbi meta;
};

typedef struct {
    mm_log_t *log;
    MDB_txn *txn;
    uint32_t id;
} node_ctx_t;

mm_err_t mm_log_open(mm_db_t *db, mm_log_t **out)
{
    mm_log_t *log = calloc(1, sizeof *log);
    if (!log)
        return MM_ENOMEM;
    log->db = db;
    mm_err_t err = mm_db_dbi(db, "log.entries", 0, &log->entries);
    if (err == MM_OK)
        err = mm_db_dbi(db, "log.nodes", 0, &log->nodes);
    if (err == MM_OK)
        err = mm_db_dbi(db, "log.meta", 0, &log->meta);
    if (err != MM_OK) {
        free(log);
        return err;
    }
    *out = log;
    return MM_OK;
}

void mm_log_close(mm_log_t *log)
{
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

static mm_err_t get_node(void *arg, unsigned level, uint64_t index, mm_hash_t *out)
{
    node_ctx_t *c = arg;
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

static mm_err_t put_node(void *arg, unsigned level, uint64_t index, const mm_hash_t *h)
{
    node_ctx_t *c = arg;
    uint8_t key[13];
    mm_be32_put(key, c->id);
    key[4] = (uint8_t)level;
    mm_be64_put(key + 5, index);
    MDB_val k = {sizeof key, key}, v = {MM_HASH_LEN, (void *)h->b};
    return mm_db_err(mdb_put(c->txn, c->log->nodes, &k, &v, MDB_NOOVERWRITE), "put log node");
}

mm_err_t mm_log_append(mm_log_t *log, MDB_txn *txn, uint32_t id, const void *entry, size_t len,
                       uint64_t *index)
{
    if (len == 0 || len > MM_LOG_ENTRY_MAX)
        return MM_ETOOBIG;
    uint64_t size;
    mm_err_t err = mm_log_size(log, txn, id, &size);
    if (err != MM_OK)
        return err;

    uint8_t key[12];
    mm_be32_put(key, id);
    mm_be64_put(key + 4, size);
    MDB_val k = {sizeof key, key}, v = {len, (void *)entry};
    err = mm_db_err(mdb_put(txn, log->entries, &k, &v, MDB_NOOVERWRITE), "put log entry");
    if (err != MM_OK)
        return err;

    node_ctx_t c = {log, txn, id};
    mm_hash_t leaf;
    mm_merkle_leaf_hash(entry, len, &leaf);
    err = put_node(&c, 0, size, &leaf);
    if (err == MM_OK)
        err = mm_merkle_complete(get_node, put_node, &c, size);
    if (err != MM_OK)
        return err;

    uint8_t mkey[4], sval[8];
    mm_be32_put(mkey, id);
    mm_be64_put(sval, size + 1);
    MDB_val mk = {4, mkey}, mv = {8, sval};
    err = mm_db_err(mdb_put(txn, log->meta, &mk, &mv, 0), "put log size");
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
    int rc = mdb_get(txn, log->entries, &k, &v);
    if (rc != 0)
        return mm_db_err(rc, "read log entry");
    *data = v.mv_data;
    *len = v.mv_size;
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
