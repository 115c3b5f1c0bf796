/*
 * store.c: the segment index and the site log in LMDB (see store.h).
 *
 * Each camera's segments are a database of their own, "seg/<camera>", keyed by start_us (BE64):
 * the recorder appends to it in time order, so LMDB fills its pages (it splits a page unevenly
 * when the new key goes last). In one table keyed by camera and start, every camera but the
 * last inserted into the middle of the tree and left its pages half empty.
 *
 * A packed index row is: end_us BE64, bytes BE64, frames BE32, content hash (32), log index BE64,
 * codec length (1) and codec, then the file name (the rest, no NUL) only when it is not the
 * name the recorder gives every segment, "<camera>/<start_us>.mmseg": 83 bytes a row with its
 * key and LMDB's node header, 500 bytes per camera-minute in 10-second segments.
 */
#include "edge/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "edge/segment.h"

#define ROW_FIXED (8 + 8 + 4 + 32 + 8 + 1)
#define SEG_PREFIX "seg/"
#define SEG_PREFIX_LEN 4
#define OTHER_DBS 16

typedef struct {
    char camera[MM_ID_MAX];
    MDB_dbi dbi;
} camera_db_t;

struct edge_store {
    mm_db_t *db;
    mm_log_t *log;
    MDB_dbi meta;
    /* Handles of the cameras' index databases opened so far. LMDB allows one transaction at a
     * time to open databases; the lock serialises that and guards the list. */
    pthread_mutex_t lock;
    camera_db_t cams[EDGE_STORE_CAMERAS_MAX];
    size_t n_cams;
};

static mm_err_t refuse_old_index(edge_store_t *st, const char *dir);

mm_err_t edge_store_open(const char *dir, edge_store_t **out)
{
    edge_store_t *st = calloc(1, sizeof *st);
    if (!st)
        return MM_ENOMEM;
    pthread_mutex_init(&st->lock, NULL);
    mm_err_t err = mm_db_open(dir, 0, OTHER_DBS + EDGE_STORE_CAMERAS_MAX, &st->db);
    if (err == MM_OK)
        err = refuse_old_index(st, dir);
    if (err == MM_OK)
        err = mm_log_open(st->db, &st->log);
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
    pthread_mutex_destroy(&st->lock);
    free(st);
}

mm_db_t *edge_store_db(edge_store_t *st)
{
    return st->db;
}

/*
 * The handle of camera's index database: from the list, or opened (created when create is set,
 * else MM_ENOTFOUND if the camera never had a segment) in a transaction of its own. Never
 * called inside another transaction of this thread that uses the handle: a handle opened after
 * a transaction began is not valid in it.
 */
static mm_err_t camera_dbi(edge_store_t *st, const char *camera, int create, MDB_dbi *out)
{
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->n_cams; i++) {
        if (strcmp(st->cams[i].camera, camera) == 0) {
            *out = st->cams[i].dbi;
            pthread_mutex_unlock(&st->lock);
            return MM_OK;
        }
    }
    mm_err_t err = MM_OK;
    char name[SEG_PREFIX_LEN + MM_ID_MAX];
    snprintf(name, sizeof name, SEG_PREFIX "%s", camera);
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    int rc = mdb_txn_begin(mm_db_env(st->db), NULL, create ? 0 : MDB_RDONLY, &txn);
    if (rc == 0)
        rc = mdb_dbi_open(txn, name, create ? MDB_CREATE : 0, &dbi);
    if (rc == MDB_NOTFOUND) {
        err = MM_ENOTFOUND;
    } else if (rc == MDB_DBS_FULL || (rc == 0 && st->n_cams == EDGE_STORE_CAMERAS_MAX)) {
        MM_ERROR("segment index: more than %d cameras have recorded in this store; camera %s "
                 "has no room",
                 EDGE_STORE_CAMERAS_MAX, camera);
        err = MM_EFULL;
    } else if (rc != 0) {
        err = mm_db_err(rc, "open a camera's segment index");
    }
    if (err == MM_OK) {
        rc = mdb_txn_commit(txn); /* makes the handle usable by every later transaction */
        txn = NULL;
        err = mm_db_err(rc, "commit a camera's segment index");
    }
    if (txn)
        mdb_txn_abort(txn);
    if (err == MM_OK) {
        camera_db_t *c = &st->cams[st->n_cams++];
        snprintf(c->camera, sizeof c->camera, "%s", camera);
        c->dbi = dbi;
        *out = dbi;
    }
    pthread_mutex_unlock(&st->lock);
    return err;
}

/* A store from before the per-camera index kept one table, seg.index; its rows are not read. */
static mm_err_t refuse_old_index(edge_store_t *st, const char *dir)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_dbi old;
    int rc = mdb_dbi_open(txn, "seg.index", 0, &old);
    mdb_txn_abort(txn);
    if (rc == 0) {
        MM_ERROR("%s: this store was written by an earlier mimamori (its segment index is the "
                 "table seg.index, which this version does not read): move the state directory "
                 "away and start afresh",
                 dir);
        return MM_ECORRUPT;
    }
    return MM_OK;
}

/* The key of a row in a camera's index database. */
static void start_key(uint8_t key[8], int64_t start_us)
{
    mm_be64_put(key, (uint64_t)start_us);
}

/* The file name the recorder gives a segment, relative to the segments directory. */
static void default_file(char out[EDGE_PATH_MAX], const char *camera, int64_t start_us)
{
    edge_segment_path(out, EDGE_PATH_MAX, camera, start_us, 0);
}

typedef struct {
    edge_store_t *st;
    const mm_segment_recorded_t *seg;
    const char *file;
    int64_t now_us;
    MDB_dbi dbi;
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

    uint8_t key[8];
    start_key(key, c->seg->start_us);
    char usual[EDGE_PATH_MAX];
    default_file(usual, c->seg->camera, c->seg->start_us);
    size_t flen = strcmp(c->file, usual) == 0 ? 0 : strlen(c->file);
    size_t cl = strnlen(c->seg->codec, sizeof c->seg->codec - 1);
    uint8_t row[ROW_FIXED + sizeof c->seg->codec + EDGE_PATH_MAX];
    uint8_t *p = row;
    mm_be64_put(p, (uint64_t)c->seg->end_us), p += 8;
    mm_be64_put(p, c->seg->bytes), p += 8;
    mm_be32_put(p, c->seg->frames), p += 4;
    memcpy(p, c->seg->content_hash, 32), p += 32;
    mm_be64_put(p, c->index), p += 8;
    *p++ = (uint8_t)cl;
    memcpy(p, c->seg->codec, cl), p += cl;
    memcpy(p, c->file, flen), p += flen;
    MDB_val k = {sizeof key, key}, v = {(size_t)(p - row), row};
    return mm_db_err(mdb_put(txn, c->dbi, &k, &v, 0), "put segment index row");
}

mm_err_t edge_store_add_segment(edge_store_t *st, const mm_segment_recorded_t *seg,
                                const char *file, int64_t now_us, uint64_t *index)
{
    if (strlen(file) >= EDGE_PATH_MAX || strlen(seg->camera) == 0 ||
        strlen(seg->camera) >= MM_ID_MAX)
        return MM_EINVAL;
    add_ctx_t c = {.st = st, .seg = seg, .file = file, .now_us = now_us};
    mm_err_t err = camera_dbi(st, seg->camera, 1, &c.dbi);
    if (err == MM_OK)
        err = mm_db_write(st->db, add_txn, &c);
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

mm_err_t edge_store_append_changed(edge_store_t *st, mm_entry_t *e, const char *name, int64_t now,
                                   int *appended)
{
    uint8_t *bytes = NULL, *last = NULL;
    size_t len = 0, last_len = 0;
    *appended = 0;
    e->time_us = 0; /* the entry without its time is what is compared */
    mm_err_t err = mm_entry_encode(e, &bytes, &len);
    if (err == MM_OK && !(last = malloc(len + 1)))
        err = MM_ENOMEM;
    if (err == MM_OK) {
        err = edge_store_meta_get(st, name, last, len + 1, &last_len);
        if (err == MM_OK && last_len == len && memcmp(last, bytes, len) == 0)
            goto out; /* logged before, unchanged */
        if (err == MM_OK || err == MM_ENOTFOUND || err == MM_ERANGE)
            err = MM_OK;
    }
    if (err == MM_OK) {
        e->time_us = now;
        err = edge_store_append_meta(st, e, name, bytes, len, NULL);
        *appended = err == MM_OK;
    }
out:
    free(bytes);
    free(last);
    return err;
}

mm_err_t edge_store_inclusion_proof(edge_store_t *st, uint64_t index, uint64_t size,
                                    mm_hash_t *proof, size_t *n)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    err = mm_log_inclusion_proof(st->log, txn, EDGE_SITE_LOG, index, size, proof, n);
    mdb_txn_abort(txn);
    return err;
}

mm_err_t edge_store_each_entry(edge_store_t *st, uint64_t first, uint64_t end,
                               int (*fn)(void *arg, uint64_t index, const void *data, size_t len,
                                         const mm_hash_t *leaf),
                               void *arg)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK)
        return err;
    uint64_t size = 0;
    err = mm_log_size(st->log, txn, EDGE_SITE_LOG, &size);
    if (err == MM_OK && end > size)
        err = MM_ERANGE;
    for (uint64_t i = first; err == MM_OK && i < end; i++) {
        const void *d;
        size_t len;
        mm_hash_t leaf;
        err = mm_log_get(st->log, txn, EDGE_SITE_LOG, i, &d, &len);
        if (err == MM_OK)
            err = mm_log_leaf(st->log, txn, EDGE_SITE_LOG, i, &leaf);
        if (err == MM_OK && fn(arg, i, d, len, &leaf))
            break;
    }
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

static int unpack_row(const char *camera, const MDB_val *k, const MDB_val *v,
                      edge_segment_row_t *row)
{
    if (k->mv_size != 8 || v->mv_size < ROW_FIXED)
        return -1;
    const uint8_t *p = v->mv_data;
    size_t cl = p[ROW_FIXED - 1];
    if (cl >= sizeof row->seg.codec || v->mv_size < ROW_FIXED + cl ||
        v->mv_size - ROW_FIXED - cl >= EDGE_PATH_MAX)
        return -1;
    size_t flen = v->mv_size - ROW_FIXED - cl;
    memset(row, 0, sizeof *row);
    snprintf(row->seg.camera, sizeof row->seg.camera, "%s", camera);
    row->seg.start_us = (int64_t)mm_be64_get(k->mv_data);
    row->seg.end_us = (int64_t)mm_be64_get(p), p += 8;
    row->seg.bytes = mm_be64_get(p), p += 8;
    row->seg.frames = mm_be32_get(p), p += 4;
    memcpy(row->seg.content_hash, p, 32), p += 32;
    row->log_index = mm_be64_get(p), p += 8;
    p++; /* the codec's length */
    memcpy(row->seg.codec, p, cl), p += cl;
    if (flen)
        memcpy(row->file, p, flen);
    else
        default_file(row->file, row->seg.camera, row->seg.start_us);
    return 0;
}

typedef struct {
    const char *camera;
    int64_t end_us;
    int (*fn)(const edge_segment_row_t *row, void *arg);
    void *arg;
} segments_t;

static int segment_row(const MDB_val *k, const MDB_val *v, void *arg)
{
    segments_t *s = arg;
    if (k->mv_size == 8 && (int64_t)mm_be64_get(k->mv_data) >= s->end_us)
        return 1;
    edge_segment_row_t row;
    if (unpack_row(s->camera, k, v, &row) != 0) {
        MM_ERROR("segment index seg/%s: malformed row", s->camera);
        return MM_ECORRUPT;
    }
    return s->fn(&row, s->arg) ? 1 : 0;
}

mm_err_t edge_store_segments(edge_store_t *st, const char *camera, int64_t start_us, int64_t end_us,
                             int (*fn)(const edge_segment_row_t *row, void *arg), void *arg)
{
    if (strlen(camera) == 0 || strlen(camera) >= MM_ID_MAX)
        return MM_EINVAL;
    MDB_dbi dbi;
    mm_err_t err = camera_dbi(st, camera, 0, &dbi);
    if (err != MM_OK)
        return err == MM_ENOTFOUND ? MM_OK : err;
    uint8_t key[8];
    start_key(key, start_us < 0 ? 0 : start_us);
    MDB_val from = {sizeof key, key};
    segments_t s = {camera, end_us, fn, arg};
    return mm_db_each(st->db, dbi, &from, segment_row, &s, "walk segment index");
}

typedef struct {
    edge_segment_row_t *rows;
    size_t n, cap;
    int failed;
} rows_t;

static int collect_row(const edge_segment_row_t *row, void *arg)
{
    rows_t *r = arg;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        edge_segment_row_t *nr = realloc(r->rows, cap * sizeof *nr);
        if (!nr) {
            r->failed = 1;
            return 1;
        }
        r->rows = nr;
        r->cap = cap;
    }
    r->rows[r->n++] = *row;
    return 0;
}

mm_err_t edge_store_segment_rows(edge_store_t *st, const char *camera, int64_t start_us,
                                 int64_t end_us, edge_segment_row_t **rows, size_t *n)
{
    rows_t r = {0};
    mm_err_t err = edge_store_segments(st, camera, start_us, end_us, collect_row, &r);
    if (err == MM_OK && r.failed)
        err = MM_ENOMEM;
    if (err != MM_OK) {
        free(r.rows);
        r.rows = NULL;
        r.n = 0;
    }
    *rows = r.rows;
    *n = r.n;
    return err;
}

/* --- generic entries and meta values ---------------------------------------------------------*/

typedef struct {
    edge_store_t *st;
    const mm_entry_t *e;
    uint64_t index;
    MDB_val k, v; /* a meta value to set with it, when k.mv_size */
} append_ctx_t;

mm_err_t edge_store_append_in(edge_store_t *st, MDB_txn *txn, const mm_entry_t *e, uint64_t *index)
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
    mm_err_t err = edge_store_append_in(c->st, txn, c->e, &c->index);
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

mm_err_t edge_store_meta_get(edge_store_t *st, const char *name, void *buf, size_t cap, size_t *len)
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

typedef struct {
    const char *prefix;
    size_t plen;
    int (*fn)(const char *name, size_t name_len, const void *val, size_t len, void *arg);
    void *arg;
} meta_each_t;

static int meta_row(const MDB_val *k, const MDB_val *v, void *arg)
{
    meta_each_t *m = arg;
    if (k->mv_size < m->plen || memcmp(k->mv_data, m->prefix, m->plen) != 0)
        return 1; /* past the names with the prefix */
    return m->fn(k->mv_data, k->mv_size, v->mv_data, v->mv_size, m->arg) ? 1 : 0;
}

mm_err_t edge_store_meta_each(edge_store_t *st, const char *prefix,
                              int (*fn)(const char *name, size_t name_len, const void *val,
                                        size_t len, void *arg),
                              void *arg)
{
    size_t plen = strlen(prefix);
    if (plen == 0)
        return MM_EINVAL; /* LMDB refuses an empty key to start from */
    MDB_val from = {plen, (void *)prefix};
    meta_each_t m = {prefix, plen, fn, arg};
    return mm_db_each(st->db, st->meta, &from, meta_row, &m, "walk edge.meta");
}

/* --- index walks -----------------------------------------------------------------------------*/

mm_err_t edge_store_last_segment(edge_store_t *st, const char *camera, edge_segment_row_t *row)
{
    size_t clen = strlen(camera);
    if (clen == 0 || clen >= MM_ID_MAX)
        return MM_EINVAL;
    MDB_dbi dbi;
    mm_err_t err = camera_dbi(st, camera, 0, &dbi);
    if (err != MM_OK)
        return err;
    MDB_txn *txn;
    if ((err = mm_db_read(st->db, &txn)) != MM_OK)
        return err;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0) {
        mdb_txn_abort(txn);
        return mm_db_err(rc, "open segment index cursor");
    }
    MDB_val k, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    err = MM_ENOTFOUND;
    if (rc == 0) {
        err = unpack_row(camera, &k, &v, row) == 0 ? MM_OK : MM_ECORRUPT;
    } else if (rc != MDB_NOTFOUND) {
        err = mm_db_err(rc, "walk segment index");
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return err;
}

mm_err_t edge_store_cameras(edge_store_t *st, int (*fn)(const char *camera, void *arg), void *arg)
{
    /* The names first (the main database lists every named one), then each camera's handle
     * outside that transaction, then whether it still has a row. */
    char(*names)[MM_ID_MAX] = calloc(EDGE_STORE_CAMERAS_MAX, MM_ID_MAX);
    if (!names)
        return MM_ENOMEM;
    size_t n = 0;
    MDB_txn *txn;
    mm_err_t err = mm_db_read(st->db, &txn);
    if (err != MM_OK) {
        free(names);
        return err;
    }
    MDB_dbi main_dbi;
    MDB_cursor *cur = NULL;
    int rc = mdb_dbi_open(txn, NULL, 0, &main_dbi);
    if (rc == 0)
        rc = mdb_cursor_open(txn, main_dbi, &cur);
    MDB_val k = {SEG_PREFIX_LEN, SEG_PREFIX}, v;
    if (rc == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size > SEG_PREFIX_LEN &&
           memcmp(k.mv_data, SEG_PREFIX, SEG_PREFIX_LEN) == 0) {
        size_t clen = k.mv_size - SEG_PREFIX_LEN;
        if (clen >= MM_ID_MAX || n == EDGE_STORE_CAMERAS_MAX) {
            err = MM_ECORRUPT;
            break;
        }
        memcpy(names[n], (const char *)k.mv_data + SEG_PREFIX_LEN, clen);
        names[n++][clen] = 0;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (rc != 0 && rc != MDB_NOTFOUND)
        err = mm_db_err(rc, "list segment indexes");
    if (cur)
        mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    for (size_t i = 0; i < n && err == MM_OK; i++) {
        MDB_dbi dbi;
        MDB_stat ms;
        if ((err = camera_dbi(st, names[i], 0, &dbi)) != MM_OK ||
            (err = mm_db_read(st->db, &txn)) != MM_OK)
            break;
        rc = mdb_stat(txn, dbi, &ms);
        mdb_txn_abort(txn);
        if (rc != 0) {
            err = mm_db_err(rc, "count a camera's segments");
            break;
        }
        if (ms.ms_entries > 0 && fn(names[i], arg))
            break;
    }
    free(names);
    return err;
}

/* --- erasure ---------------------------------------------------------------------------------*/

typedef struct {
    edge_store_t *st;
    const int64_t *starts;
    size_t n;
    const mm_entry_t *e;
    int have_dbi;
    MDB_dbi dbi;
    uint64_t index;
} erase_ctx_t;

static mm_err_t erase_txn(MDB_txn *txn, void *arg)
{
    erase_ctx_t *c = arg;
    for (size_t i = 0; i < c->n && c->have_dbi; i++) {
        uint8_t key[8];
        start_key(key, c->starts[i]);
        MDB_val k = {sizeof key, key};
        int rc = mdb_del(txn, c->dbi, &k, NULL);
        if (rc != 0 && rc != MDB_NOTFOUND)
            return mm_db_err(rc, "delete segment index row");
    }
    return edge_store_append_in(c->st, txn, c->e, &c->index);
}

mm_err_t edge_store_erase(edge_store_t *st, const char *camera, const int64_t *starts, size_t n,
                          const mm_entry_t *e, uint64_t *index)
{
    if (strlen(camera) == 0 || strlen(camera) >= MM_ID_MAX)
        return MM_EINVAL;
    erase_ctx_t c = {.st = st, .starts = starts, .n = n, .e = e};
    mm_err_t err = camera_dbi(st, camera, 0, &c.dbi);
    if (err != MM_OK && err != MM_ENOTFOUND)
        return err;
    c.have_dbi = err == MM_OK;
    err = mm_db_write(st->db, erase_txn, &c);
    if (err == MM_OK && index)
        *index = c.index;
    return err;
}
