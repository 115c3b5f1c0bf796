/*
 * hublog.c: the hub's own signed log of city actions (see hublog.h).
 */
#include "hub/hublog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/note.h"

#define NOTE_MAX 1024

struct hub_hublog {
    mm_db_t *db;
    mm_log_t *log;
    MDB_dbi meta;
    const mm_keypair_t *keys;
    char origin[MM_ORIGIN_MAX + 1];
};

mm_err_t hub_hublog_open(mm_db_t *db, const mm_keypair_t *keys, hub_hublog_t **out)
{
    hub_hublog_t *h = calloc(1, sizeof *h);
    if (!h)
        return MM_ENOMEM;
    h->db = db;
    h->keys = keys;
    snprintf(h->origin, sizeof h->origin, "mimamori/hub/%s", keys->name);
    mm_err_t err = mm_log_open_with(db, MM_LOG_OWN_TABLES, &h->log);
    if (err == MM_OK)
        err = mm_db_dbi(db, "hub.hublog", 0, &h->meta);
    if (err != MM_OK) {
        free(h);
        return err;
    }
    *out = h;
    return MM_OK;
}

void hub_hublog_close(hub_hublog_t *h)
{
    if (h)
        mm_log_close(h->log);
    free(h);
}

const char *hub_hublog_origin(const hub_hublog_t *h)
{
    return h->origin;
}

mm_err_t hub_hublog_append_in(hub_hublog_t *h, MDB_txn *txn, const mm_entry_t *e, uint64_t *index)
{
    uint8_t *data = NULL;
    size_t len = 0;
    uint64_t at = 0;
    mm_err_t err = mm_entry_encode(e, &data, &len);
    if (err == MM_OK)
        err = mm_log_append(h->log, txn, HUB_LOG_ID, data, len, &at);
    free(data);
    mm_checkpoint_t cp = {.size = at + 1};
    snprintf(cp.origin, sizeof cp.origin, "%s", h->origin);
    if (err == MM_OK)
        err = mm_log_root(h->log, txn, HUB_LOG_ID, cp.size, &cp.root);
    char note[NOTE_MAX];
    size_t nlen = 0;
    if (err == MM_OK)
        err = mm_checkpoint_sign(&cp, h->keys->name, &h->keys->sign, note, sizeof note, &nlen);
    if (err != MM_OK)
        return err;
    MDB_val k = {10, "checkpoint"}, v = {nlen, note};
    err = mm_db_err(mdb_put(txn, h->meta, &k, &v, 0), "put hub checkpoint");
    if (err == MM_OK && index)
        *index = at;
    return err;
}

mm_err_t hub_hublog_checkpoint(hub_hublog_t *h, char **note)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(h->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_val k = {10, "checkpoint"}, v;
    int rc = mdb_get(txn, h->meta, &k, &v);
    if (rc == 0) {
        *note = malloc(v.mv_size + 1);
        if (*note) {
            memcpy(*note, v.mv_data, v.mv_size);
            (*note)[v.mv_size] = 0;
        }
        err = *note ? MM_OK : MM_ENOMEM;
    } else {
        err = rc == MDB_NOTFOUND ? MM_ENOTFOUND : mm_db_err(rc, "read hub checkpoint");
    }
    mdb_txn_abort(txn);
    return err;
}

mm_err_t hub_hublog_size(hub_hublog_t *h, uint64_t *size)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(h->db, &txn);
    if (err != MM_OK)
        return err;
    err = mm_log_size(h->log, txn, HUB_LOG_ID, size);
    mdb_txn_abort(txn);
    return err;
}

mm_err_t hub_hublog_entries(hub_hublog_t *h, uint64_t start, uint64_t end, hub_hublog_fn fn,
                            void *arg)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(h->db, &txn);
    if (err != MM_OK)
        return err;
    uint64_t size;
    err = mm_log_size(h->log, txn, HUB_LOG_ID, &size);
    if (end > size)
        end = size;
    for (uint64_t i = start; err == MM_OK && i < end; i++) {
        const void *data;
        size_t len;
        err = mm_log_get(h->log, txn, HUB_LOG_ID, i, &data, &len);
        if (err == MM_OK && fn(i, data, len, arg))
            break;
    }
    mdb_txn_abort(txn);
    return err;
}
