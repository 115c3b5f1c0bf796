/*
 * db.h: LMDB, opened the way mimamori needs it.
 *
 * One environment per daemon, in its own directory, with a large map (the default 10 MiB fills
 * within hours of footage metadata) that grows when full. Never MDB_NOSYNC: a committed
 * transaction survives kill -9 and power loss. Stale readers from crashed processes are cleared
 * at open. Only the libuv loop thread writes (DESIGN.md); readers may be on any thread.
 *
 * Keys that must sort by number are big-endian (mm_be64_put); see the helpers at the end.
 */
#ifndef MM_DB_H
#define MM_DB_H

#include <jansson.h>
#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct mm_db mm_db_t;

/*
 * Opens (creating when missing, mode 0700) the environment in dir with an initial map of
 * map_size bytes (0 for the default of 1 GiB) and room for max_dbs named databases.
 * Returns MM_OK, MM_EIO or MM_EDB; the LMDB detail goes to the diagnostic log.
 */
mm_err_t mm_db_open(const char *dir, size_t map_size, unsigned max_dbs, mm_db_t **out);
/* Closes the environment. Accepts NULL. No transaction may be open. */
void mm_db_close(mm_db_t *db);

MDB_env *mm_db_env(mm_db_t *db);

/*
 * Opens (creating) the named database name with flags (MDB_DUPSORT etc.). Do this at start-up
 * before other transactions; handles stay valid until mm_db_close.
 */
mm_err_t mm_db_dbi(mm_db_t *db, const char *name, unsigned flags, MDB_dbi *out);

/* Begins a read-only transaction. Release it with mdb_txn_abort(). */
mm_err_t mm_db_read(mm_db_t *db, MDB_txn **out);

/*
 * Runs fn in one write transaction and commits it. When fn or the commit reports MDB_MAP_FULL
 * (fn returns MM_EFULL for that), the transaction is aborted, the map doubled, and fn runs
 * again from the start, so fn must do nothing outside the transaction that it cannot repeat.
 * Any other error from fn aborts the transaction and is returned.
 */
typedef mm_err_t (*mm_db_write_fn)(MDB_txn *txn, void *ctx);
mm_err_t mm_db_write(mm_db_t *db, mm_db_write_fn fn, void *ctx);

/*
 * From now on ended(arg, committed) runs each time a transaction of mm_db_write ends: committed
 * 1 when it committed, 0 when it was aborted (each attempt that a full map repeats included).
 * For caches of what a write transaction wrote (log.h keeps its compact ranges so). At most
 * MM_DB_WATCHERS at once: MM_EFULL beyond. mm_db_unwatch removes the pair again.
 */
#define MM_DB_WATCHERS 8
typedef void (*mm_db_ended_fn)(void *arg, int committed);
mm_err_t mm_db_watch(mm_db_t *db, mm_db_ended_fn ended, void *arg);
void mm_db_unwatch(mm_db_t *db, mm_db_ended_fn ended, void *arg);

/*
 * Calls fn for the rows of dbi in key order, from the first key at or after *from (NULL: from the
 * first row), inside one read transaction: k and v are LMDB's, valid only during the call, and fn
 * must not write. fn returns 0 to go on, 1 to stop, or an error (a negative mm_err_t) to stop with
 * it. MM_OK, fn's error, or mm_db_err's codes (logged with what).
 */
typedef int (*mm_db_each_fn)(const MDB_val *k, const MDB_val *v, void *arg);
mm_err_t mm_db_each(mm_db_t *db, MDB_dbi dbi, const MDB_val *from, mm_db_each_fn fn, void *arg,
                    const char *what);

/*
 * Converts an LMDB return code to mm_err_t and logs it with what (e.g. "put segment") unless it
 * is MDB_SUCCESS or MDB_NOTFOUND. MDB_MAP_FULL becomes MM_EFULL, MDB_NOTFOUND MM_ENOTFOUND.
 */
mm_err_t mm_db_err(int rc, const char *what);

/* Puts o, as compact JSON, under the 8-byte big-endian key id in dbi (overwriting); what names it
 * in the diagnostic log on failure. MM_ENOMEM, or mm_db_err's codes. */
mm_err_t mm_db_put_json(MDB_txn *txn, MDB_dbi dbi, uint64_t id, const json_t *o, const char *what);

static inline void mm_be64_put(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static inline uint64_t mm_be64_get(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static inline void mm_be32_put(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static inline uint32_t mm_be32_get(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

#endif
