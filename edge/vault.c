/*
 * vault.c: footage at rest, the holds and the keys that read footage (see vault.h).
 *
 * What must stay true: a segment is readable exactly while the keyring holds its epoch's key or
 * a hold that covers it holds its wrapped key, and a hold's wrapped keys are useless once its key
 * file is gone. Hence the orders below: a hold's key exists before anything is wrapped under it,
 * its keys are wrapped before the hold is recorded as keeping anything, and on release the key
 * is destroyed before the row and the wrapped keys go, so that a crash in between leaves
 * nothing that opens. Erasure removes the files before the index rows, so that the log never
 * says a segment is gone while its file is still there.
 *
 * Held segments are found by overlap, from one epoch before a hold's start (no segment is
 * longer, EDGE_VAULT_SEGMENT_MAX_US). The loop thread is the only one that places or releases
 * holds, so a list of them loaded at the start of a run stays true for the run.
 */
#include "edge/vault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/db.h"
#include "common/diag.h"

#define AAD_MAX (MM_ID_MAX + 9)          /* camera || 0x00 || start_us (BE64) */
/* camera || 0x00 || start_us || end_us [|| expires_us || placed_us || by || 0x00 || reason] */
#define HOLD_VAL_MAX (MM_ID_MAX + 17 + 16 + MM_ID_MAX + MM_TEXT_MAX)
#define HOLD_KEY_MAX (2 * MM_ID_MAX + 9) /* hold id || 0x00 || camera || 0x00 || start_us */

struct edge_vault {
    edge_store_t *store;
    edge_keyring_t *keyring;
    char *segments_dir;
    mm_db_t *db;
    MDB_dbi holds;     /* hold.list */
    MDB_dbi hold_keys; /* hold.keys */
};

mm_err_t edge_vault_create(edge_store_t *store, edge_keyring_t *keyring, const char *segments_dir,
                           edge_vault_t **out)
{
    if (!store || !keyring || !segments_dir)
        return MM_EINVAL;
    edge_vault_t *v = calloc(1, sizeof *v);
    if (!v)
        return MM_ENOMEM;
    v->store = store;
    v->keyring = keyring;
    v->db = edge_store_db(store);
    mm_err_t err = (v->segments_dir = strdup(segments_dir)) ? MM_OK : MM_ENOMEM;
    if (err == MM_OK)
        err = mm_db_dbi(v->db, "hold.list", 0, &v->holds);
    if (err == MM_OK)
        err = mm_db_dbi(v->db, "hold.keys", 0, &v->hold_keys);
    if (err != MM_OK) {
        edge_vault_destroy(v);
        return err;
    }
    *out = v;
    return MM_OK;
}

void edge_vault_destroy(edge_vault_t *v)
{
    if (!v)
        return;
    free(v->segments_dir);
    free(v);
}

edge_store_t *edge_vault_store(const edge_vault_t *v)
{
    return v->store;
}

edge_keyring_t *edge_vault_keyring(const edge_vault_t *v)
{
    return v->keyring;
}

int edge_vault_path(const edge_vault_t *v, const char *camera, int64_t start_us, char *out,
                    size_t cap)
{
    char dir[EDGE_SEG_PATH_MAX];
    int n = snprintf(dir, sizeof dir, "%s/%s", v->segments_dir, camera);
    return n > 0 && (size_t)n < sizeof dir ? edge_segment_path(out, cap, dir, start_us, 0) : -1;
}

/* --- the holds' tables ----------------------------------------------------------------------*/

static int id_ok(const char *id)
{
    size_t n = strlen(id);
    return n > 0 && n < MM_ID_MAX;
}

/* Whether a hold has anything for the row's second part. */
static int has_particulars(const edge_hold_row_t *h)
{
    return h->expires_us || h->placed_us || h->by[0] || h->reason[0];
}

static size_t hold_value(uint8_t *v, const edge_hold_row_t *h)
{
    size_t cl = strlen(h->camera);
    memcpy(v, h->camera, cl);
    v[cl] = 0;
    mm_be64_put(v + cl + 1, (uint64_t)h->start_us);
    mm_be64_put(v + cl + 9, (uint64_t)h->end_us);
    size_t n = cl + 17;
    if (!has_particulars(h))
        return n; /* as rows were before holds had particulars */
    size_t bl = strlen(h->by), rl = strlen(h->reason);
    mm_be64_put(v + n, (uint64_t)h->expires_us);
    mm_be64_put(v + n + 8, (uint64_t)h->placed_us);
    memcpy(v + n + 16, h->by, bl);
    v[n + 16 + bl] = 0;
    memcpy(v + n + 17 + bl, h->reason, rl);
    return n + 17 + bl + rl;
}

/* A text of n bytes at p into dst (cap bytes): -1 when it does not fit or holds a NUL. */
static int text_from(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    if (n >= cap || memchr(p, 0, n))
        return -1;
    memcpy(dst, p, n);
    dst[n] = 0;
    return 0;
}

static int hold_unpack(const MDB_val *k, const MDB_val *v, edge_hold_row_t *h)
{
    const uint8_t *p = v->mv_data;
    const uint8_t *nul = v->mv_size ? memchr(p, 0, v->mv_size) : NULL;
    if (k->mv_size == 0 || k->mv_size >= MM_ID_MAX || !nul)
        return -1;
    size_t cl = (size_t)(nul - p), rest = v->mv_size - cl - 1;
    if (cl == 0 || cl >= MM_ID_MAX || (rest != 16 && rest < 33))
        return -1;
    memset(h, 0, sizeof *h);
    memcpy(h->id, k->mv_data, k->mv_size);
    memcpy(h->camera, p, cl);
    h->start_us = (int64_t)mm_be64_get(p + cl + 1);
    h->end_us = (int64_t)mm_be64_get(p + cl + 9);
    if (rest == 16)
        return 0;
    const uint8_t *q = p + cl + 17, *end = p + v->mv_size;
    h->expires_us = (int64_t)mm_be64_get(q);
    h->placed_us = (int64_t)mm_be64_get(q + 8);
    q += 16;
    const uint8_t *sep = memchr(q, 0, (size_t)(end - q));
    if (!sep || text_from(h->by, sizeof h->by, q, (size_t)(sep - q)) != 0 ||
        text_from(h->reason, sizeof h->reason, sep + 1, (size_t)(end - sep - 1)) != 0)
        return -1;
    return 0;
}

/* The key of a wrapped segment key; also its aad (camera || 0x00 || start_us) from offset
 * strlen(hold_id) + 1. */
static size_t hold_key_key(uint8_t *key, const char *hold_id, const char *camera, int64_t start_us)
{
    size_t il = strlen(hold_id), cl = strlen(camera);
    memcpy(key, hold_id, il);
    key[il] = 0;
    memcpy(key + il + 1, camera, cl);
    key[il + 1 + cl] = 0;
    mm_be64_put(key + il + 2 + cl, (uint64_t)start_us);
    return il + cl + 10;
}

static void wrap_aad(const char *camera, int64_t start_us, uint8_t aad[AAD_MAX], size_t *len)
{
    size_t cl = strlen(camera);
    memcpy(aad, camera, cl);
    aad[cl] = 0;
    mm_be64_put(aad + cl + 1, (uint64_t)start_us);
    *len = cl + 9;
}

mm_err_t edge_vault_hold_add_in(const edge_vault_t *v, MDB_txn *txn, const edge_hold_row_t *h)
{
    if (!id_ok(h->id) || !id_ok(h->camera))
        return MM_EINVAL;
    uint8_t val[HOLD_VAL_MAX];
    MDB_val k = {strlen(h->id), (void *)h->id}, d = {hold_value(val, h), val};
    int rc = mdb_put(txn, v->holds, &k, &d, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
        return MM_EEXIST;
    return mm_db_err(rc, "put hold");
}

mm_err_t edge_vault_hold_remove_in(const edge_vault_t *v, MDB_txn *txn, const char *id)
{
    if (!id_ok(id))
        return MM_EINVAL;
    size_t il = strlen(id);
    MDB_val k = {il, (void *)id};
    int rc = mdb_del(txn, v->holds, &k, NULL);
    if (rc == MDB_NOTFOUND)
        return MM_ENOTFOUND;
    if (rc != 0)
        return mm_db_err(rc, "delete hold");
    /* Every key wrapped under it: hold id || 0x00 || ... */
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, v->hold_keys, &cur)) != 0)
        return mm_db_err(rc, "open hold key cursor");
    uint8_t prefix[MM_ID_MAX + 1];
    memcpy(prefix, id, il);
    prefix[il] = 0;
    MDB_val kk = {il + 1, prefix}, d;
    rc = mdb_cursor_get(cur, &kk, &d, MDB_SET_RANGE);
    while (rc == 0 && kk.mv_size > il && memcmp(kk.mv_data, prefix, il + 1) == 0) {
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
        kk.mv_size = il + 1;
        kk.mv_data = prefix;
        rc = mdb_cursor_get(cur, &kk, &d, MDB_SET_RANGE);
    }
    mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return mm_db_err(rc, "delete wrapped keys");
    return MM_OK;
}

mm_err_t edge_vault_hold_get(const edge_vault_t *v, const char *id, edge_hold_row_t *h)
{
    if (!id_ok(id))
        return MM_EINVAL;
    MDB_txn *txn;
    mm_err_t err = mm_db_read(v->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_val k = {strlen(id), (void *)id}, d;
    err = mm_db_err(mdb_get(txn, v->holds, &k, &d), "get hold");
    if (err == MM_OK && hold_unpack(&k, &d, h) != 0)
        err = MM_ECORRUPT;
    mdb_txn_abort(txn);
    return err;
}

typedef struct {
    int (*fn)(const edge_hold_row_t *h, void *arg);
    void *arg;
} each_hold_t;

static int hold_row(const MDB_val *k, const MDB_val *d, void *arg)
{
    each_hold_t *e = arg;
    edge_hold_row_t h;
    if (hold_unpack(k, d, &h) != 0) {
        MM_ERROR("hold.list: malformed row");
        return MM_ECORRUPT;
    }
    return e->fn(&h, e->arg) ? 1 : 0;
}

/* Calls fn for every hold in id order, inside one read transaction; fn returns non-zero to
 * stop. */
static mm_err_t each_hold(const edge_vault_t *v, int (*fn)(const edge_hold_row_t *h, void *arg),
                          void *arg)
{
    each_hold_t e = {fn, arg};
    return mm_db_each(v->db, v->holds, NULL, hold_row, &e, "walk holds");
}

typedef struct {
    const edge_vault_t *v;
    MDB_val k, d;
} put_ctx_t;

static mm_err_t put_key_txn(MDB_txn *txn, void *arg)
{
    put_ctx_t *c = arg;
    return mm_db_err(mdb_put(txn, c->v->hold_keys, &c->k, &c->d, 0), "put wrapped key");
}

/* Commits a segment key wrapped under a hold's key, by (hold, camera, start). */
static mm_err_t hold_key_put(const edge_vault_t *v, const char *hold_id, const char *camera,
                             int64_t start_us, const uint8_t wrapped[EDGE_WRAPPED_LEN])
{
    if (!id_ok(hold_id) || !id_ok(camera))
        return MM_EINVAL;
    uint8_t key[HOLD_KEY_MAX];
    put_ctx_t c = {v,
                   {hold_key_key(key, hold_id, camera, start_us), key},
                   {EDGE_WRAPPED_LEN, (void *)wrapped}};
    return mm_db_write(v->db, put_key_txn, &c);
}

/* MM_OK, or MM_ENOTFOUND when that segment's key was not wrapped under the hold. */
static mm_err_t hold_key_get(const edge_vault_t *v, const char *hold_id, const char *camera,
                             int64_t start_us, uint8_t wrapped[EDGE_WRAPPED_LEN])
{
    if (!id_ok(hold_id) || !id_ok(camera))
        return MM_EINVAL;
    MDB_txn *txn;
    mm_err_t err = mm_db_read(v->db, &txn);
    if (err != MM_OK)
        return err;
    uint8_t key[HOLD_KEY_MAX];
    MDB_val k = {hold_key_key(key, hold_id, camera, start_us), key}, d;
    err = mm_db_err(mdb_get(txn, v->hold_keys, &k, &d), "get wrapped key");
    if (err == MM_OK && d.mv_size != EDGE_WRAPPED_LEN)
        err = MM_ECORRUPT;
    if (err == MM_OK)
        memcpy(wrapped, d.mv_data, EDGE_WRAPPED_LEN);
    mdb_txn_abort(txn);
    return err;
}

/* --- the holds in force ---------------------------------------------------------------------*/

typedef struct {
    edge_hold_row_t *h;
    size_t n, cap;
    int failed;
} collect_t;

static int collect_hold(const edge_hold_row_t *h, void *arg)
{
    collect_t *c = arg;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        edge_hold_row_t *nh = realloc(c->h, cap * sizeof *nh);
        if (!nh) {
            c->failed = 1;
            return 1;
        }
        c->h = nh;
        c->cap = cap;
    }
    c->h[c->n++] = *h;
    return 0;
}

mm_err_t edge_vault_holds_load(const edge_vault_t *v, edge_vault_holds_t *hs)
{
    collect_t c = {0};
    mm_err_t err = each_hold(v, collect_hold, &c);
    if (err == MM_OK && c.failed)
        err = MM_ENOMEM;
    if (err != MM_OK) {
        free(c.h);
        c.h = NULL;
        c.n = 0;
    }
    hs->h = c.h;
    hs->n = c.n;
    return err;
}

void edge_vault_holds_free(edge_vault_holds_t *hs)
{
    free(hs->h);
    hs->h = NULL;
    hs->n = 0;
}

static int overlaps(const edge_hold_row_t *h, const char *camera, int64_t start, int64_t end)
{
    return strcmp(h->camera, camera) == 0 && start < h->end_us && end > h->start_us;
}

int edge_vault_holds_cover(const edge_vault_holds_t *hs, const char *skip,
                           const edge_segment_row_t *row)
{
    for (size_t i = 0; i < hs->n; i++)
        if ((!skip || strcmp(hs->h[i].id, skip) != 0) &&
            overlaps(&hs->h[i], row->seg.camera, row->seg.start_us, row->seg.end_us))
            return 1;
    return 0;
}

/* --- keys -----------------------------------------------------------------------------------*/

typedef struct {
    const edge_vault_t *v;
    uint8_t key[EDGE_SEG_KEY_LEN];
} capture_t;

/* A key function that takes the key from the keyring only, and keeps a copy. */
static mm_err_t keyring_key(void *arg, const edge_segment_info_t *hdr,
                            uint8_t key[EDGE_SEG_KEY_LEN])
{
    capture_t *c = arg;
    if (hdr->epoch != edge_epoch_of(hdr->start_us))
        return MM_ECORRUPT;
    mm_err_t err = edge_keyring_segment_key(c->v->keyring, hdr->epoch, hdr->camera, hdr->start_us,
                                            hdr->salt, key);
    if (err == MM_OK)
        memcpy(c->key, key, EDGE_SEG_KEY_LEN);
    return err;
}

/* Wraps the key of one segment under a hold, unless it is wrapped already. 1 when wrapped now,
 * 0 when it was, or an error (MM_EERASED: too late, the key is gone). */
static int wrap_one(const edge_vault_t *v, const char *hold_id, const edge_segment_row_t *row)
{
    uint8_t wrapped[EDGE_WRAPPED_LEN];
    const char *cam = row->seg.camera;
    mm_err_t err = hold_key_get(v, hold_id, cam, row->seg.start_us, wrapped);
    if (err == MM_OK)
        return 0;
    if (err != MM_ENOTFOUND)
        return err;
    char path[EDGE_SEG_PATH_MAX];
    if (edge_vault_path(v, cam, row->seg.start_us, path, sizeof path) != 0)
        return MM_EINVAL;
    capture_t c = {.v = v};
    edge_segment_reader_t *r;
    edge_segment_info_t hdr;
    err = edge_segment_open(path, keyring_key, &c, &r, &hdr);
    if (err != MM_OK)
        return err;
    edge_segment_close(r);
    uint8_t aad[AAD_MAX];
    size_t aad_len;
    wrap_aad(cam, row->seg.start_us, aad, &aad_len);
    err = edge_keyring_hold_wrap(v->keyring, hold_id, c.key, aad, aad_len, wrapped);
    mm_wipe(c.key, sizeof c.key);
    if (err == MM_OK)
        err = hold_key_put(v, hold_id, cam, row->seg.start_us, wrapped);
    return err == MM_OK ? 1 : err;
}

mm_err_t edge_vault_holds_wrap(const edge_vault_t *v, const edge_vault_holds_t *hs, int64_t from_us,
                               int64_t to_us, uint32_t *wrapped)
{
    for (size_t i = 0; i < hs->n; i++) {
        const edge_hold_row_t *h = &hs->h[i];
        int64_t a = h->start_us - EDGE_VAULT_SEGMENT_MAX_US > from_us
                        ? h->start_us - EDGE_VAULT_SEGMENT_MAX_US
                        : from_us;
        int64_t b = h->end_us < to_us ? h->end_us : to_us;
        if (a >= b)
            continue;
        edge_segment_row_t *rows = NULL;
        size_t n = 0;
        mm_err_t err = edge_store_segment_rows(v->store, h->camera, a, b, &rows, &n);
        for (size_t k = 0; k < n && err == MM_OK; k++) {
            if (!overlaps(h, h->camera, rows[k].seg.start_us, rows[k].seg.end_us))
                continue;
            int rc = wrap_one(v, h->id, &rows[k]);
            if (rc == 1)
                (*wrapped)++;
            else if (rc < 0)
                err = rc;
        }
        free(rows);
        if (err != MM_OK) {
            MM_ERROR("hold %s: cannot wrap the keys of its footage: %s", h->id, mm_strerror(err));
            return err;
        }
    }
    return MM_OK;
}

typedef struct {
    const edge_vault_t *v;
    const edge_segment_info_t *hdr;
    uint8_t *key;
    mm_err_t err;
} unwrap_ctx_t;

static int try_hold(const edge_hold_row_t *h, void *arg)
{
    unwrap_ctx_t *c = arg;
    const edge_segment_info_t *hdr = c->hdr;
    if (strcmp(h->camera, hdr->camera) != 0 || hdr->start_us >= h->end_us ||
        hdr->start_us + EDGE_VAULT_SEGMENT_MAX_US <= h->start_us)
        return 0;
    uint8_t wrapped[EDGE_WRAPPED_LEN], aad[AAD_MAX];
    size_t aad_len;
    if (hold_key_get(c->v, h->id, hdr->camera, hdr->start_us, wrapped) != MM_OK)
        return 0;
    wrap_aad(hdr->camera, hdr->start_us, aad, &aad_len);
    mm_err_t err = edge_keyring_hold_unwrap(c->v->keyring, h->id, wrapped, aad, aad_len, c->key);
    if (err == MM_OK) {
        c->err = MM_OK;
        return 1;
    }
    MM_WARN("hold %s: the key of %s/%lld does not unwrap: %s", h->id, hdr->camera,
            (long long)hdr->start_us, mm_strerror(err));
    return 0;
}

mm_err_t edge_vault_segment_key(void *vault, const edge_segment_info_t *hdr,
                                uint8_t key[EDGE_SEG_KEY_LEN])
{
    const edge_vault_t *v = vault;
    if (hdr->epoch != edge_epoch_of(hdr->start_us)) {
        MM_WARN("segment %s: epoch %lld does not match its start", hdr->path,
                (long long)hdr->epoch);
        return MM_ECORRUPT;
    }
    if (hdr->epoch >= edge_keyring_oldest(v->keyring))
        return edge_keyring_segment_key(v->keyring, hdr->epoch, hdr->camera, hdr->start_us,
                                        hdr->salt, key);
    unwrap_ctx_t c = {v, hdr, key, MM_EERASED};
    mm_err_t err = each_hold(v, try_hold, &c);
    return err != MM_OK ? err : c.err;
}

/* --- erasure --------------------------------------------------------------------------------*/

/* Removes the files of rows[0..n) (n <= MM_ERASED_MAX) and fills the segments_erased entry e
 * and starts with them. */
static mm_err_t erase_files(const edge_vault_t *v, const char *camera,
                            const edge_segment_row_t *rows, size_t n, mm_entry_t *e,
                            int64_t *starts)
{
    mm_segments_erased_t *se = &e->u.segments_erased;
    se->start_us = rows[0].seg.start_us;
    se->end_us = rows[0].seg.end_us;
    for (size_t i = 0; i < n; i++) {
        const edge_segment_row_t *row = &rows[i];
        char path[EDGE_SEG_PATH_MAX];
        if (edge_vault_path(v, camera, row->seg.start_us, path, sizeof path) != 0)
            return MM_EINVAL;
        if (unlink(path) != 0 && errno != ENOENT) {
            MM_ERROR("cannot remove %s: %s", path, strerror(errno));
            return MM_EIO;
        }
        starts[i] = row->seg.start_us;
        memcpy(se->content_hashes[i], row->seg.content_hash, 32);
        se->count++;
        se->bytes += row->seg.bytes;
        if (row->seg.end_us > se->end_us)
            se->end_us = row->seg.end_us;
    }
    return MM_OK;
}

mm_err_t edge_vault_erase(const edge_vault_t *v, const char *camera, const edge_segment_row_t *rows,
                          size_t n, mm_erase_reason_t reason, const char *hold_id, int64_t now_us,
                          uint32_t *erased, uint64_t *bytes)
{
    mm_entry_t *e = calloc(1, sizeof *e);
    int64_t *starts = calloc(MM_ERASED_MAX, sizeof *starts);
    mm_err_t err = e && starts ? MM_OK : MM_ENOMEM;
    for (size_t first = 0; first < n && err == MM_OK; first += MM_ERASED_MAX) {
        size_t k = n - first < MM_ERASED_MAX ? n - first : MM_ERASED_MAX;
        memset(e, 0, sizeof *e);
        e->time_us = now_us;
        e->kind = MM_ENTRY_SEGMENTS_ERASED;
        mm_segments_erased_t *se = &e->u.segments_erased;
        snprintf(se->camera, sizeof se->camera, "%s", camera);
        se->reason = reason;
        if (hold_id)
            snprintf(se->hold_id, sizeof se->hold_id, "%s", hold_id);
        err = erase_files(v, camera, rows + first, k, e, starts);
        se->n_content_hashes = se->count;
        if (err == MM_OK && se->count)
            err = edge_store_erase(v->store, camera, starts, se->count, e, NULL);
        if (err == MM_OK && erased)
            *erased += se->count;
        if (err == MM_OK && bytes)
            *bytes += se->bytes;
    }
    free(e);
    free(starts);
    return err;
}

/* --- placing and releasing ------------------------------------------------------------------*/

typedef struct {
    const edge_vault_t *v;
    const edge_hold_row_t *h;
    const char *id;
    const mm_entry_t *e;
} hold_txn_t;

static mm_err_t place_txn(MDB_txn *txn, void *arg)
{
    hold_txn_t *c = arg;
    mm_err_t err = edge_vault_hold_add_in(c->v, txn, c->h);
    return err == MM_OK ? edge_store_append_in(c->v->store, txn, c->e, NULL) : err;
}

static mm_err_t release_txn(MDB_txn *txn, void *arg)
{
    hold_txn_t *c = arg;
    mm_err_t err = edge_vault_hold_remove_in(c->v, txn, c->id);
    return err == MM_OK ? edge_store_append_in(c->v->store, txn, c->e, NULL) : err;
}

/* How many segments hold h keeps: those it covers whose epoch the keyring still has. */
static mm_err_t count_kept(const edge_vault_t *v, const edge_hold_row_t *h, int64_t kept_from,
                           uint32_t *kept)
{
    edge_segment_row_t *rows = NULL;
    size_t n = 0;
    mm_err_t err = edge_store_segment_rows(
        v->store, h->camera, h->start_us - EDGE_VAULT_SEGMENT_MAX_US, h->end_us, &rows, &n);
    *kept = 0;
    for (size_t i = 0; i < n; i++)
        if (overlaps(h, h->camera, rows[i].seg.start_us, rows[i].seg.end_us) &&
            rows[i].seg.start_us >= kept_from)
            (*kept)++;
    free(rows);
    return err;
}

mm_err_t edge_vault_hold_place(const edge_vault_t *v, const char *id, const char *camera,
                               int64_t start_us, int64_t end_us, const char *reason, int64_t now_us)
{
    return edge_vault_hold_place_by(v, id, camera, start_us, end_us, reason, NULL, 0, now_us);
}

mm_err_t edge_vault_hold_place_by(const edge_vault_t *v, const char *id, const char *camera,
                                  int64_t start_us, int64_t end_us, const char *reason,
                                  const char *by, int64_t expires_us, int64_t now_us)
{
    if (!by)
        by = "";
    if (!id_ok(id) || !id_ok(camera) || start_us >= end_us || strlen(reason) >= MM_TEXT_MAX ||
        (by[0] && !mm_id_ok(by)) || expires_us < 0)
        return MM_EINVAL;
    edge_hold_row_t h = {
        .start_us = start_us, .end_us = end_us, .expires_us = expires_us, .placed_us = now_us};
    snprintf(h.id, sizeof h.id, "%s", id);
    snprintf(h.camera, sizeof h.camera, "%s", camera);
    snprintf(h.by, sizeof h.by, "%s", by);
    snprintf(h.reason, sizeof h.reason, "%s", reason);
    edge_hold_row_t old;
    mm_err_t err = edge_vault_hold_get(v, id, &old);
    if (err == MM_OK)
        return MM_EEXIST;
    if (err != MM_ENOTFOUND)
        return err;
    /* A key left by an earlier attempt that crashed before the hold was stored is reused. */
    if (!edge_keyring_hold_exists(v->keyring, id) &&
        (err = edge_keyring_hold_create(v->keyring, id)) != MM_OK)
        return err;
    /* Wrap what is there now; count what the hold keeps. */
    edge_vault_holds_t one = {&h, 1};
    uint32_t wrapped = 0, kept = 0;
    int64_t kept_from = edge_keyring_oldest(v->keyring) * EDGE_EPOCH_US;
    err = edge_vault_holds_wrap(v, &one, kept_from, INT64_MAX, &wrapped);
    if (err == MM_OK)
        err = count_kept(v, &h, kept_from, &kept);
    if (err != MM_OK)
        return err;
    mm_entry_t e = {.time_us = now_us, .kind = MM_ENTRY_HOLD_PLACED};
    mm_hold_placed_t *hp = &e.u.hold_placed;
    snprintf(hp->hold_id, sizeof hp->hold_id, "%s", id);
    snprintf(hp->camera, sizeof hp->camera, "%s", camera);
    hp->start_us = start_us;
    hp->end_us = end_us;
    snprintf(hp->reason, sizeof hp->reason, "%s", reason);
    hp->segments = kept;
    snprintf(hp->by, sizeof hp->by, "%s", by);
    hp->expires_us = expires_us;
    hold_txn_t c = {.v = v, .h = &h, .e = &e};
    err = mm_db_write(v->db, place_txn, &c);
    if (err == MM_OK)
        MM_INFO("hold %s placed on %s: %u segments kept", id, camera, kept);
    return err;
}

mm_err_t edge_vault_hold_release(const edge_vault_t *v, const char *id, const char *reason,
                                 int64_t now_us, edge_hold_row_t *released)
{
    return edge_vault_hold_release_by(v, id, reason, NULL, now_us, released);
}

mm_err_t edge_vault_hold_release_by(const edge_vault_t *v, const char *id, const char *reason,
                                    const char *by, int64_t now_us, edge_hold_row_t *released)
{
    if (!by)
        by = "";
    if (strlen(reason) >= MM_TEXT_MAX || (by[0] && !mm_id_ok(by)))
        return MM_EINVAL;
    edge_hold_row_t h;
    mm_err_t err = edge_vault_hold_get(v, id, &h);
    if (err != MM_OK)
        return err;
    /* The key goes first: once it is destroyed, the wrapped keys open nothing. */
    err = edge_keyring_hold_destroy(v->keyring, id);
    if (err != MM_OK && err != MM_ENOTFOUND)
        return err;
    mm_entry_t e = {.time_us = now_us, .kind = MM_ENTRY_HOLD_RELEASED};
    snprintf(e.u.hold_released.hold_id, sizeof e.u.hold_released.hold_id, "%s", id);
    snprintf(e.u.hold_released.reason, sizeof e.u.hold_released.reason, "%s", reason);
    snprintf(e.u.hold_released.by, sizeof e.u.hold_released.by, "%s", by);
    hold_txn_t c = {.v = v, .id = id, .e = &e};
    if ((err = mm_db_write(v->db, release_txn, &c)) != MM_OK)
        return err;
    MM_INFO("hold %s released: %s", id, reason);
    if (released)
        *released = h;
    return MM_OK;
}
