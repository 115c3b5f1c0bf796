/*
 * db.c: LMDB, opened the way mimamori needs it (see db.h).
 */
#include "common/db.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/diag.h"

#define DEFAULT_MAP ((size_t)1 << 30)

struct mm_db {
    MDB_env *env;
    char *dir;
    size_t map_size;
    struct {
        mm_db_ended_fn fn;
        void *arg;
    } watchers[MM_DB_WATCHERS];
};

mm_err_t mm_db_err(int rc, const char *what)
{
    switch (rc) {
    case MDB_SUCCESS:
        return MM_OK;
    case MDB_NOTFOUND:
        return MM_ENOTFOUND;
    case MDB_MAP_FULL:
        MM_DEBUG("%s: LMDB map full", what);
        return MM_EFULL;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
        MM_ERROR("%s: %s", what, mdb_strerror(rc));
        return MM_ECORRUPT;
    default:
        MM_ERROR("%s: %s", what, mdb_strerror(rc));
        return rc > 0 ? MM_EIO : MM_EDB;
    }
}

mm_err_t mm_db_open(const char *dir, size_t map_size, unsigned max_dbs, mm_db_t **out)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        MM_ERROR("cannot create the database directory %s: %s", dir, strerror(errno));
        return MM_EIO;
    }
    mm_db_t *db = calloc(1, sizeof *db);
    if (!db)
        return MM_ENOMEM;
    db->dir = strdup(dir);
    db->map_size = map_size ? map_size : DEFAULT_MAP;
    int rc = mdb_env_create(&db->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(db->env, max_dbs);
    if (rc == 0)
        rc = mdb_env_set_mapsize(db->env, db->map_size);
    if (rc == 0)
        rc = mdb_env_set_maxreaders(db->env, 126);
    /* MDB_NOTLS: read transactions are tied to their txn object, not the thread, so the loop
     * and worker threads can each hold one. Never MDB_NOSYNC or MDB_NOMETASYNC. */
    if (rc == 0)
        rc = mdb_env_open(db->env, dir, MDB_NOTLS, 0600);
    if (rc != 0) {
        MM_ERROR("cannot open the database in %s: %s", dir, mdb_strerror(rc));
        mm_db_close(db);
        return rc > 0 ? MM_EIO : MM_EDB;
    }
    /* A map file larger than asked (grown earlier) keeps its size. */
    MDB_envinfo info;
    if (mdb_env_info(db->env, &info) == 0 && info.me_mapsize > db->map_size)
        db->map_size = info.me_mapsize;
    int dead = 0;
    mdb_reader_check(db->env, &dead);
    if (dead)
        MM_INFO("cleared %d stale reader slot(s) left by a crashed process in %s", dead, dir);
    *out = db;
    return MM_OK;
}

void mm_db_close(mm_db_t *db)
{
    if (!db)
        return;
    if (db->env)
        mdb_env_close(db->env);
    free(db->dir);
    free(db);
}

MDB_env *mm_db_env(mm_db_t *db)
{
    return db->env;
}

mm_err_t mm_db_dbi(mm_db_t *db, const char *name, unsigned flags, MDB_dbi *out)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(db->env, NULL, 0, &txn);
    if (rc != 0)
        return mm_db_err(rc, "begin transaction to open a database");
    rc = mdb_dbi_open(txn, name, flags | MDB_CREATE, out);
    if (rc != 0) {
        mdb_txn_abort(txn);
        MM_ERROR("cannot open database %s in %s: %s", name, db->dir, mdb_strerror(rc));
        return MM_EDB;
    }
    rc = mdb_txn_commit(txn);
    return mm_db_err(rc, "commit database open");
}

mm_err_t mm_db_read(mm_db_t *db, MDB_txn **out)
{
    int rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, out);
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map; adopt its size and retry. */
        mdb_env_set_mapsize(db->env, 0);
        rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, out);
    }
    return mm_db_err(rc, "begin read transaction");
}

mm_err_t mm_db_each(mm_db_t *db, MDB_dbi dbi, const MDB_val *from, mm_db_each_fn fn, void *arg,
                    const char *what)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(db, &txn);
    if (err != MM_OK)
        return err;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0) {
        mdb_txn_abort(txn);
        return mm_db_err(rc, what);
    }
    MDB_val k = from ? *from : (MDB_val){0, NULL}, v;
    int r = 0;
    rc = mdb_cursor_get(cur, &k, &v, from ? MDB_SET_RANGE : MDB_FIRST);
    while (rc == 0 && (r = fn(&k, &v, arg)) == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (r < 0)
        return (mm_err_t)r;
    return rc == 0 || rc == MDB_NOTFOUND ? MM_OK : mm_db_err(rc, what);
}

static mm_err_t grow(mm_db_t *db)
{
    size_t next = db->map_size * 2;
    int rc = mdb_env_set_mapsize(db->env, next);
    if (rc != 0) {
        MM_ERROR("cannot grow the database map in %s to %zu bytes: %s", db->dir, next,
                 mdb_strerror(rc));
        return MM_EFULL;
    }
    MM_INFO("database map in %s grown to %zu MiB", db->dir, next >> 20);
    db->map_size = next;
    return MM_OK;
}

mm_err_t mm_db_watch(mm_db_t *db, mm_db_ended_fn ended, void *arg)
{
    for (int i = 0; i < MM_DB_WATCHERS; i++)
        if (!db->watchers[i].fn) {
            db->watchers[i].fn = ended;
            db->watchers[i].arg = arg;
            return MM_OK;
        }
    return MM_EFULL;
}

void mm_db_unwatch(mm_db_t *db, mm_db_ended_fn ended, void *arg)
{
    for (int i = 0; i < MM_DB_WATCHERS; i++)
        if (db->watchers[i].fn == ended && db->watchers[i].arg == arg)
            db->watchers[i].fn = NULL;
}

static void ended(mm_db_t *db, int committed)
{
    for (int i = 0; i < MM_DB_WATCHERS; i++)
        if (db->watchers[i].fn)
            db->watchers[i].fn(db->watchers[i].arg, committed);
}

mm_err_t mm_db_write(mm_db_t *db, mm_db_write_fn fn, void *ctx)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(db->env, NULL, 0, &txn);
        if (rc == MDB_MAP_RESIZED) {
            mdb_env_set_mapsize(db->env, 0);
            rc = mdb_txn_begin(db->env, NULL, 0, &txn);
        }
        if (rc != 0)
            return mm_db_err(rc, "begin write transaction");
        mm_err_t err = fn(txn, ctx);
        if (err != MM_OK) {
            mdb_txn_abort(txn);
            ended(db, 0);
            if (err == MM_EFULL && grow(db) == MM_OK)
                continue;
            return err;
        }
        rc = mdb_txn_commit(txn);
        ended(db, rc == 0); /* a commit that fails has aborted the transaction */
        if (rc == MDB_MAP_FULL) {
            if (grow(db) == MM_OK)
                continue;
            return MM_EFULL;
        }
        return mm_db_err(rc, "commit write transaction");
    }
    MM_ERROR("database in %s still full after growing its map", db->dir);
    return MM_EFULL;
}

mm_err_t mm_db_put_json(MDB_txn *txn, MDB_dbi dbi, uint64_t id, const json_t *o, const char *what)
{
    char *text = json_dumps(o, JSON_COMPACT);
    if (!text)
        return MM_ENOMEM;
    uint8_t k[8];
    mm_be64_put(k, id);
    MDB_val kv = {8, k}, vv = {strlen(text), text};
    mm_err_t err = mm_db_err(mdb_put(txn, dbi, &kv, &vv, 0), what);
    free(text);
    return err;
}
