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
    MDB_dbi holds;
    MDB_dbi hold_keys;
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
    if (err == MM_OK)
        err = mm_db_dbi(st->db, "hold.list", 0, &st->holds);
    if (err == MM_OK)
        err = mm_db_dbi(st->db, "hold.keys", 0, &st->hold_keys);
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

/* --- generic entries and meta values ---------------------------------------------------------*/

typedef struct {
    edge_store_t *st;
    const mm_entry_t *e;
    uint64_t index;
    MDB_val k, v; /* a meta value to set with it, when k.mv_size */
} append_ctx_t;

/* Encodes and appends an entry inside txn. */
static mm_err_t append_in(edge_store_t *st, MDB_txn *txn, const mm_entry_t *e, uint64_t *index)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    mm_err_t err = mm_entry_encode(e, &bytes, &len);
    if (err != MM_OK)
        return err;
    err = mm_log_append(st->log, txn, EDGE_SITE_LOG, bytes, len, index);
    free(bytes);
    return err;
}

static mm_err_t append_txn(MDB_txn *txn, void *arg)
{
    append_ctx_t *c = arg;
    mm_err_t err = append_in(c->st, txn, c->e, &c->index);
    if (err == MM_OK && c->k.mv_size)
        err = mm_db_err(mdb_put(txn, c->st->meta, &c->k, &c->v, 0), "put edge.meta value");
    return err;
}

mm_err_t edge_store_append(edge_store_t *st, const mm_entry_t *e, uint64_t *index)
{
    return edge_store_append_meta(st, e, NULL, NULL, 0, index);
}

mm_err_t edge_store_append_meta(edge_store_t *st, const mm_entry_t *e, const char *name,
                                const void *val, size_t len, uint64_t *index)
{
    append_ctx_t c = {st, e, 0, {name ? strlen(name) : 0, (void *)name}, {len, (void *)val}};
    mm_err_t err = mm_db_write(st->db, append_txn, &c);
    if (err == MM_OK && index)
        *index = c.index;
    return err;
}

mm_err_t edge_store_meta_get(edge_store_t *st, const char *name, void *buf, size_t cap,
                             size_t *len)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_val k = {strlen(name), (void *)name}, v;
    err = mm_db_err(mdb_get(txn, st->meta, &k, &v), "get edge.meta value");
    if (err == MM_OK && v.mv_size > cap)
        err = MM_ERANGE;
    if (err == MM_OK) {
        memcpy(buf, v.mv_data, v.mv_size);
        *len = v.mv_size;
    }
    mdb_txn_abort(txn);
    return err;
}

typedef struct {
    edge_store_t *st;
    MDB_dbi dbi;
    MDB_val k, v;
} put_ctx_t;

static mm_err_t put_txn(MDB_txn *txn, void *arg)
{
    put_ctx_t *c = arg;
    return mm_db_err(mdb_put(txn, c->dbi, &c->k, &c->v, 0), "put value");
}

mm_err_t edge_store_meta_put(edge_store_t *st, const char *name, const void *buf, size_t len)
{
    put_ctx_t c = {st, st->meta, {strlen(name), (void *)name}, {len, (void *)buf}};
    return mm_db_write(st->db, put_txn, &c);
}

/* --- index walks -----------------------------------------------------------------------------*/

mm_err_t edge_store_last_segment(edge_store_t *st, const char *camera, edge_segment_row_t *row)
{
    size_t clen = strlen(camera);
    if (clen == 0 || clen >= MM_ID_MAX)
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
    /* Seek just past the camera's keys (camera || 0x01), then step back one. */
    uint8_t key[KEY_MAX];
    memcpy(key, camera, clen);
    key[clen] = 1;
    MDB_val k = {clen + 1, key}, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    if (rc == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
    else if (rc == MDB_NOTFOUND)
        rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    err = MM_ENOTFOUND;
    if (rc == 0) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size == clen + 9 && memcmp(kp, camera, clen) == 0 && kp[clen] == 0)
            err = unpack_row(&k, &v, row) == 0 ? MM_OK : MM_ECORRUPT;
    } else if (rc != MDB_NOTFOUND) {
        err = mm_db_err(rc, "walk segment index");
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return err;
}

mm_err_t edge_store_cameras(edge_store_t *st, int (*fn)(const char *camera, void *arg),
                            void *arg)
{
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
    MDB_val k, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size < 10 || k.mv_size > KEY_MAX || kp[k.mv_size - 9] != 0) {
            err = MM_ECORRUPT;
            break;
        }
        char camera[MM_ID_MAX];
        size_t clen = k.mv_size - 9;
        memcpy(camera, kp, clen);
        camera[clen] = 0;
        if (fn(camera, arg))
            break;
        /* Jump over the rest of this camera's rows. */
        uint8_t next[KEY_MAX];
        memcpy(next, camera, clen);
        next[clen] = 1;
        k.mv_size = clen + 1;
        k.mv_data = next;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    }
    if (rc != 0 && rc != MDB_NOTFOUND)
        err = mm_db_err(rc, "walk segment index");
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return err;
}

/* --- erasure ---------------------------------------------------------------------------------*/

typedef struct {
    edge_store_t *st;
    const char *camera;
    const int64_t *starts;
    size_t n;
    const mm_entry_t *e;
    uint64_t index;
} erase_ctx_t;

static mm_err_t erase_txn(MDB_txn *txn, void *arg)
{
    erase_ctx_t *c = arg;
    for (size_t i = 0; i < c->n; i++) {
        uint8_t key[KEY_MAX];
        MDB_val k = {index_key(key, c->camera, c->starts[i]), key};
        int rc = mdb_del(txn, c->st->index, &k, NULL);
        if (rc != 0 && rc != MDB_NOTFOUND)
            return mm_db_err(rc, "delete segment index row");
    }
    return append_in(c->st, txn, c->e, &c->index);
}

mm_err_t edge_store_erase(edge_store_t *st, const char *camera, const int64_t *starts, size_t n,
                          const mm_entry_t *e, uint64_t *index)
{
    if (strlen(camera) == 0 || strlen(camera) >= MM_ID_MAX)
        return MM_EINVAL;
    erase_ctx_t c = {st, camera, starts, n, e, 0};
    mm_err_t err = mm_db_write(st->db, erase_txn, &c);
    if (err == MM_OK && index)
        *index = c.index;
    return err;
}

/* --- holds -----------------------------------------------------------------------------------*/

static int hold_id_ok(const char *id)
{
    size_t n = strlen(id);
    return n > 0 && n < MM_ID_MAX;
}

static size_t hold_value(uint8_t *v, const edge_hold_row_t *h)
{
    size_t cl = strlen(h->camera);
    memcpy(v, h->camera, cl);
    v[cl] = 0;
    mm_be64_put(v + cl + 1, (uint64_t)h->start_us);
    mm_be64_put(v + cl + 9, (uint64_t)h->end_us);
    return cl + 17;
}

static int hold_unpack(const MDB_val *k, const MDB_val *v, edge_hold_row_t *h)
{
    if (k->mv_size == 0 || k->mv_size >= MM_ID_MAX || v->mv_size < 18 ||
        v->mv_size - 17 >= MM_ID_MAX)
        return -1;
    const uint8_t *p = v->mv_data;
    size_t cl = v->mv_size - 17;
    if (p[cl] != 0)
        return -1;
    memset(h, 0, sizeof *h);
    memcpy(h->id, k->mv_data, k->mv_size);
    memcpy(h->camera, p, cl);
    h->start_us = (int64_t)mm_be64_get(p + cl + 1);
    h->end_us = (int64_t)mm_be64_get(p + cl + 9);
    return 0;
}

typedef struct {
    edge_store_t *st;
    const edge_hold_row_t *h;
    const char *id;
    const mm_entry_t *e;
    uint64_t index;
} hold_ctx_t;

static mm_err_t hold_add_txn(MDB_txn *txn, void *arg)
{
    hold_ctx_t *c = arg;
    uint8_t val[MM_ID_MAX + 17];
    MDB_val k = {strlen(c->h->id), (void *)c->h->id}, v = {hold_value(val, c->h), val};
    int rc = mdb_put(txn, c->st->holds, &k, &v, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
        return MM_EEXIST;
    if (rc != 0)
        return mm_db_err(rc, "put hold");
    return append_in(c->st, txn, c->e, &c->index);
}

mm_err_t edge_store_hold_add(edge_store_t *st, const edge_hold_row_t *h, const mm_entry_t *e,
                             uint64_t *index)
{
    if (!hold_id_ok(h->id) || strlen(h->camera) == 0 || strlen(h->camera) >= MM_ID_MAX)
        return MM_EINVAL;
    hold_ctx_t c = {.st = st, .h = h, .e = e};
    mm_err_t err = mm_db_write(st->db, hold_add_txn, &c);
    if (err == MM_OK && index)
        *index = c.index;
    return err;
}

static mm_err_t hold_remove_txn(MDB_txn *txn, void *arg)
{
    hold_ctx_t *c = arg;
    size_t il = strlen(c->id);
    MDB_val k = {il, (void *)c->id};
    int rc = mdb_del(txn, c->st->holds, &k, NULL);
    if (rc == MDB_NOTFOUND)
        return MM_ENOTFOUND;
    if (rc != 0)
        return mm_db_err(rc, "delete hold");
    /* Every key wrapped under it: hold id || 0x00 || ... */
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, c->st->hold_keys, &cur)) != 0)
        return mm_db_err(rc, "open hold key cursor");
    uint8_t prefix[MM_ID_MAX + 1];
    memcpy(prefix, c->id, il);
    prefix[il] = 0;
    MDB_val kk = {il + 1, prefix}, v;
    rc = mdb_cursor_get(cur, &kk, &v, MDB_SET_RANGE);
    while (rc == 0 && kk.mv_size > il && memcmp(kk.mv_data, prefix, il + 1) == 0) {
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
        kk.mv_size = il + 1;
        kk.mv_data = prefix;
        rc = mdb_cursor_get(cur, &kk, &v, MDB_SET_RANGE);
    }
    mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return mm_db_err(rc, "delete wrapped keys");
    return append_in(c->st, txn, c->e, &c->index);
}

mm_err_t edge_store_hold_remove(edge_store_t *st, const char *id, const mm_entry_t *e,
                                uint64_t *index)
{
    if (!hold_id_ok(id))
        return MM_EINVAL;
    hold_ctx_t c = {.st = st, .id = id, .e = e};
    mm_err_t err = mm_db_write(st->db, hold_remove_txn, &c);
    if (err == MM_OK && index)
        *index = c.index;
    return err;
}

mm_err_t edge_store_hold_get(edge_store_t *st, const char *id, edge_hold_row_t *h)
{
    if (!hold_id_ok(id))
        return MM_EINVAL;
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_val k = {strlen(id), (void *)id}, v;
    err = mm_db_err(mdb_get(txn, st->holds, &k, &v), "get hold");
    if (err == MM_OK && hold_unpack(&k, &v, h) != 0)
        err = MM_ECORRUPT;
    mdb_txn_abort(txn);
    return err;
}

mm_err_t edge_store_holds(edge_store_t *st, int (*fn)(const edge_hold_row_t *h, void *arg),
                          void *arg)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, st->holds, &cur);
    if (rc != 0) {
        mdb_txn_abort(txn);
        return mm_db_err(rc, "open hold cursor");
    }
    MDB_val k, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
        edge_hold_row_t h;
        if (hold_unpack(&k, &v, &h) != 0) {
            MM_ERROR("hold.list: malformed row");
            err = MM_ECORRUPT;
            break;
        }
        if (fn(&h, arg))
            break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (rc != 0 && rc != MDB_NOTFOUND)
        err = mm_db_err(rc, "walk holds");
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return err;
}

static size_t hold_key_key(uint8_t *key, const char *hold_id, const char *camera,
                           int64_t start_us)
{
    size_t il = strlen(hold_id);
    memcpy(key, hold_id, il);
    key[il] = 0;
    return il + 1 + index_key(key + il + 1, camera, start_us);
}

mm_err_t edge_store_hold_key_put(edge_store_t *st, const char *hold_id, const char *camera,
                                 int64_t start_us, const uint8_t wrapped[EDGE_WRAPPED_KEY_LEN])
{
    if (!hold_id_ok(hold_id) || strlen(camera) == 0 || strlen(camera) >= MM_ID_MAX)
        return MM_EINVAL;
    uint8_t key[MM_ID_MAX + KEY_MAX];
    put_ctx_t c = {st, st->hold_keys, {hold_key_key(key, hold_id, camera, start_us), key},
                   {EDGE_WRAPPED_KEY_LEN, (void *)wrapped}};
    return mm_db_write(st->db, put_txn, &c);
}

mm_err_t edge_store_hold_key_get(edge_store_t *st, const char *hold_id, const char *camera,
                                 int64_t start_us, uint8_t wrapped[EDGE_WRAPPED_KEY_LEN])
{
    if (!hold_id_ok(hold_id) || strlen(camera) == 0 || strlen(camera) >= MM_ID_MAX)
        return MM_EINVAL;
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    uint8_t key[MM_ID_MAX + KEY_MAX];
    MDB_val k = {hold_key_key(key, hold_id, camera, start_us), key}, v;
    err = mm_db_err(mdb_get(txn, st->hold_keys, &k, &v), "get wrapped key");
    if (err == MM_OK && v.mv_size != EDGE_WRAPPED_KEY_LEN)
        err = MM_ECORRUPT;
    if (err == MM_OK)
        memcpy(wrapped, v.mv_data, EDGE_WRAPPED_KEY_LEN);
    mdb_txn_abort(txn);
    return err;
}
