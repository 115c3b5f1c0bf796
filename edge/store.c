/*
 * store.c: the segment index and the site log in LMDB (see store.h).
 *
 * A packed index row is: end_us BE64, bytes BE64, frames BE32, content hash (32), log index BE64,
 * codec (16, NUL-padded), file name (the rest, no NUL).
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

#define ROW_FIXED (8 + 8 + 4 + 32 + 8 + 16)
#define KEY_MAX (MM_ID_MAX + 1 + 8)

struct edge_store {
    mm_db_t *db;
    mm_log_t *log;
    MDB_dbi index;
    MDB_dbi meta;
};

mm_err_t edge_store_open(const char *dir, edge_store_t **out)
{
    edge_store_t *st = calloc(1, sizeof *st);
    if (!st)
        return MM_ENOMEM;
    mm_err_t err = mm_db_open(dir, 0, 16, &st->db);
    if (err == MM_OK)
        err = mm_log_open(st->db, &st->log);
    if (err == MM_OK)
        err = mm_db_dbi(st->db, "seg.index", 0, &st->index);
    if (err == MM_OK)
        err = mm_db_dbi(st->db, "edge.meta", 0, &st->meta);
    if (err != MM_OK) {
        edge_store_close(st);
        return err;
    }
    *out = st;
    return MM_OK;
}

void edge_store_close(edge_store_t *st)
{
    if (!st)
        return;
    mm_log_close(st->log);
    mm_db_close(st->db);
    free(st);
}

static size_t index_key(uint8_t *key, const char *camera, int64_t start_us)
{
    size_t n = strlen(camera);
    memcpy(key, camera, n);
    key[n] = 0;
    mm_be64_put(key + n + 1, (uint64_t)start_us);
    return n + 1 + 8;
}

typedef struct {
    edge_store_t *st;
    const mm_segment_recorded_t *seg;
    const char *file;
    int64_t now_us;
    uint64_t index;
} add_ctx_t;

static mm_err_t add_txn(MDB_txn *txn, void *arg)
{
    add_ctx_t *c = arg;
    mm_entry_t e = {.time_us = c->now_us, .kind = MM_ENTRY_SEGMENT_RECORDED};
    e.u.segment_recorded = *c->seg;
    uint8_t *bytes = NULL;
    size_t len = 0;
    mm_err_t err = mm_entry_encode(&e, &bytes, &len);
    if (err != MM_OK)
        return err;
    err = mm_log_append(c->st->log, txn, EDGE_SITE_LOG, bytes, len, &c->index);
    free(bytes);
    if (err != MM_OK)
        return err;

    uint8_t key[KEY_MAX];
    size_t klen = index_key(key, c->seg->camera, c->seg->start_us);
    size_t flen = strlen(c->file);
    uint8_t row[ROW_FIXED + EDGE_PATH_MAX];
    uint8_t *p = row;
    mm_be64_put(p, (uint64_t)c->seg->end_us), p += 8;
    mm_be64_put(p, c->seg->bytes), p += 8;
    mm_be32_put(p, c->seg->frames), p += 4;
    memcpy(p, c->seg->content_hash, 32), p += 32;
    mm_be64_put(p, c->index), p += 8;
    memset(p, 0, 16);
    memcpy(p, c->seg->codec, strnlen(c->seg->codec, 15)), p += 16;
    memcpy(p, c->file, flen), p += flen;
    MDB_val k = {klen, key}, v = {(size_t)(p - row), row};
    return mm_db_err(mdb_put(txn, c->st->index, &k, &v, 0), "put segment index row");
}

mm_err_t edge_store_add_segment(edge_store_t *st, const mm_segment_recorded_t *seg,
                                const char *file, int64_t now_us, uint64_t *index)
{
    if (strlen(file) >= EDGE_PATH_MAX || strlen(seg->camera) == 0 ||
        strlen(seg->camera) >= MM_ID_MAX)
        return MM_EINVAL;
    add_ctx_t c = {.st = st, .seg = seg, .file = file, .now_us = now_us};
    mm_err_t err = mm_db_write(st->db, add_txn, &c);
    if (err == MM_OK && index)
        *index = c.index;
    return err;
}

mm_err_t edge_store_size(edge_store_t *st, uint64_t *size)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    err = mm_log_size(st->log, txn, EDGE_SITE_LOG, size);
    mdb_txn_abort(txn);
    return err;
}

mm_err_t edge_store_root(edge_store_t *st, uint64_t size, mm_hash_t *root)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    err = mm_log_root(st->log, txn, EDGE_SITE_LOG, size, root);
    mdb_txn_abort(txn);
    return err;
}

mm_err_t edge_store_entries(edge_store_t *st, uint64_t first, size_t n, mm_bytes_t **out)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    size_t total = 0;
    for (size_t i = 0; i < n && err == MM_OK; i++) {
        const void *d;
        size_t len;
        err = mm_log_get(st->log, txn, EDGE_SITE_LOG, first + i, &d, &len);
        total += len;
    }
    mm_bytes_t *views = NULL;
    if (err == MM_OK) {
        views = malloc(n * sizeof *views + total + 1);
        if (!views)
            err = MM_ENOMEM;
    }
    uint8_t *p = views ? (uint8_t *)(views + n) : NULL;
    for (size_t i = 0; i < n && err == MM_OK; i++) {
        const void *d;
        size_t len;
        err = mm_log_get(st->log, txn, EDGE_SITE_LOG, first + i, &d, &len);
        if (err == MM_OK) {
            memcpy(p, d, len);
            views[i].data = p;
            views[i].len = len;
            p += len;
        }
    }
    mdb_txn_abort(txn);
    if (err == MM_ENOTFOUND)
        err = MM_ERANGE;
    if (err != MM_OK) {
        free(views);
        return err;
    }
    *out = views;
    return MM_OK;
}

mm_err_t edge_store_acked(edge_store_t *st, uint64_t *size)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_val k = {5, "acked"}, v;
    int rc = mdb_get(txn, st->meta, &k, &v);
    if (rc == MDB_NOTFOUND) {
        *size = 0;
    } else if (rc != 0) {
        err = mm_db_err(rc, "get acked size");
    } else if (v.mv_size != 8) {
        MM_ERROR("edge.meta acked: %zu bytes, want 8", v.mv_size);
        err = MM_ECORRUPT;
    } else {
        *size = mm_be64_get(v.mv_data);
    }
    mdb_txn_abort(txn);
    return err;
}

typedef struct {
    edge_store_t *st;
    uint64_t size;
    const char *cosigned;
    size_t len;
} acked_ctx_t;

static mm_err_t acked_txn(MDB_txn *txn, void *arg)
{
    acked_ctx_t *c = arg;
    uint8_t b[8];
    mm_be64_put(b, c->size);
    MDB_val k = {5, "acked"}, v = {8, b};
    mm_err_t err = mm_db_err(mdb_put(txn, c->st->meta, &k, &v, 0), "put acked size");
    if (err == MM_OK && c->cosigned) {
        MDB_val k2 = {8, "cosigned"}, v2 = {c->len, (void *)c->cosigned};
        err = mm_db_err(mdb_put(txn, c->st->meta, &k2, &v2, 0), "put cosigned checkpoint");
    }
    return err;
}

mm_err_t edge_store_set_acked(edge_store_t *st, uint64_t size, const char *cosigned, size_t len)
{
    acked_ctx_t c = {st, size, cosigned, len};
    return mm_db_write(st->db, acked_txn, &c);
}

static int unpack_row(const MDB_val *k, const MDB_val *v, edge_segment_row_t *row)
{
    const uint8_t *key = k->mv_data;
    size_t klen = k->mv_size;
    if (klen < 10 || klen > KEY_MAX || key[klen - 9] != 0 || v->mv_size < ROW_FIXED ||
        v->mv_size - ROW_FIXED >= EDGE_PATH_MAX)
        return -1;
    memset(row, 0, sizeof *row);
    memcpy(row->seg.camera, key, klen - 9);
    row->seg.start_us = (int64_t)mm_be64_get(key + klen - 8);
    const uint8_t *p = v->mv_data;
    row->seg.end_us = (int64_t)mm_be64_get(p), p += 8;
    row->seg.bytes = mm_be64_get(p), p += 8;
    row->seg.frames = mm_be32_get(p), p += 4;
    memcpy(row->seg.content_hash, p, 32), p += 32;
    row->log_index = mm_be64_get(p), p += 8;
    memcpy(row->seg.codec, p, 15), p += 16;
    memcpy(row->file, p, v->mv_size - ROW_FIXED);
    return 0;
}

mm_err_t edge_store_segments(edge_store_t *st, const char *camera, int64_t start_us,
                             int64_t end_us, int (*fn)(const edge_segment_row_t *row, void *arg),
                             void *arg)
{
    if (strlen(camera) == 0 || strlen(camera) >= MM_ID_MAX)
        return MM_EINVAL;
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, st->index, &cur);
    if (rc != 0) {
        mdb_txn_abort(txn);
        return mm_db_err(rc, "open segment index cursor");
    }
    uint8_t key[KEY_MAX];
    size_t clen = strlen(camera);
    MDB_val k = {index_key(key, camera, start_us), key}, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != clen + 9 || memcmp(kp, camera, clen) != 0 || kp[clen] != 0)
            break;
        if ((int64_t)mm_be64_get(kp + clen + 1) >= end_us)
            break;
        edge_segment_row_t row;
        if (unpack_row(&k, &v, &row) != 0) {
            MM_ERROR("seg.index: malformed row for camera %s", camera);
            err = MM_ECORRUPT;
            break;
        }
        if (fn(&row, arg))
            break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (rc != 0 && rc != MDB_NOTFOUND)
        err = mm_db_err(rc, "walk segment index");
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return err;
}
