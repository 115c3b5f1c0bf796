/*
 * retention.c: retention runs, legal holds and the keys that read footage (see retention.h).
 *
 * The order of a run is what makes erasure provable: the keys go first (after which nothing
 * can decrypt the hour, whatever happens to the files), then the files, then the record. Held
 * segments are found by overlap with the holds loaded at the start of the run; the loop thread
 * is the only one that places or releases holds, so the list cannot change during a run.
 */
#include "edge/retention.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/db.h"
#include "common/diag.h"

#define HOUR_US EDGE_EPOCH_US
#define MAX_SEGMENT_US HOUR_US /* a segment never starts more than this before a hold it overlaps */

/* --- collecting rows and holds ---------------------------------------------------------------*/

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

/* Rows of camera starting in [from, to). Index keys sort as unsigned: times before 1970 are
 * not recorded, so from is clamped at 0. */
static mm_err_t rows_of(const edge_vault_t *v, const char *camera, int64_t from, int64_t to,
                        rows_t *out)
{
    memset(out, 0, sizeof *out);
    if (from < 0)
        from = 0;
    if (to <= from)
        return MM_OK;
    mm_err_t err = edge_store_segments(v->store, camera, from, to, collect_row, out);
    if (err == MM_OK && out->failed)
        err = MM_ENOMEM;
    if (err != MM_OK) {
        free(out->rows);
        out->rows = NULL;
        out->n = 0;
    }
    return err;
}

typedef struct {
    edge_hold_row_t *h;
    size_t n, cap;
    int failed;
} holds_t;

static int collect_hold(const edge_hold_row_t *h, void *arg)
{
    holds_t *hs = arg;
    if (hs->n == hs->cap) {
        size_t cap = hs->cap ? hs->cap * 2 : 16;
        edge_hold_row_t *nh = realloc(hs->h, cap * sizeof *nh);
        if (!nh) {
            hs->failed = 1;
            return 1;
        }
        hs->h = nh;
        hs->cap = cap;
    }
    hs->h[hs->n++] = *h;
    return 0;
}

static mm_err_t load_holds(const edge_vault_t *v, holds_t *hs)
{
    memset(hs, 0, sizeof *hs);
    mm_err_t err = edge_store_holds(v->store, collect_hold, hs);
    if (err == MM_OK && hs->failed)
        err = MM_ENOMEM;
    if (err != MM_OK) {
        free(hs->h);
        hs->h = NULL;
        hs->n = 0;
    }
    return err;
}

static int overlaps(const edge_hold_row_t *h, const char *camera, int64_t start, int64_t end)
{
    return strcmp(h->camera, camera) == 0 && start < h->end_us && end > h->start_us;
}

/* Whether any hold other than skip covers the segment. */
static int is_held(const holds_t *hs, const char *skip, const edge_segment_row_t *row)
{
    for (size_t i = 0; i < hs->n; i++)
        if ((!skip || strcmp(hs->h[i].id, skip) != 0) &&
            overlaps(&hs->h[i], row->seg.camera, row->seg.start_us, row->seg.end_us))
            return 1;
    return 0;
}

/* --- keys ------------------------------------------------------------------------------------*/

int edge_vault_path(const edge_vault_t *v, const char *camera, int64_t start_us, char *out,
                    size_t cap)
{
    int n = snprintf(out, cap, "%s/%s/%lld.mmseg", v->segments_dir, camera, (long long)start_us);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static void wrap_aad(const char *camera, int64_t start_us, uint8_t *aad, size_t *len)
{
    size_t cl = strlen(camera);
    memcpy(aad, camera, cl);
    aad[cl] = 0;
    mm_be64_put(aad + cl + 1, (uint64_t)start_us);
    *len = cl + 9;
}

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
    mm_err_t err = edge_keyring_segment_key(c->v->keyring, hdr->epoch, hdr->camera,
                                            hdr->start_us, hdr->salt, key);
    if (err == MM_OK)
        memcpy(c->key, key, EDGE_SEG_KEY_LEN);
    return err;
}

/* Wraps the key of one segment under a hold, unless it is wrapped already. 1 when wrapped now,
 * 0 when it was, or an error (MM_EERASED: too late, the key is gone). */
static int wrap_one(const edge_vault_t *v, const char *hold_id, const edge_segment_row_t *row)
{
    uint8_t wrapped[EDGE_WRAPPED_KEY_LEN];
    const char *cam = row->seg.camera;
    mm_err_t err = edge_store_hold_key_get(v->store, hold_id, cam, row->seg.start_us, wrapped);
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
    uint8_t aad[MM_ID_MAX + 9];
    size_t aad_len;
    wrap_aad(cam, row->seg.start_us, aad, &aad_len);
    err = edge_keyring_hold_wrap(v->keyring, hold_id, c.key, aad, aad_len, wrapped);
    mm_wipe(c.key, sizeof c.key);
    if (err == MM_OK)
        err = edge_store_hold_key_put(v->store, hold_id, cam, row->seg.start_us, wrapped);
    return err == MM_OK ? 1 : err;
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
        hdr->start_us + MAX_SEGMENT_US <= h->start_us)
        return 0;
    uint8_t wrapped[EDGE_WRAPPED_KEY_LEN], aad[MM_ID_MAX + 9];
    size_t aad_len;
    if (edge_store_hold_key_get(c->v->store, h->id, hdr->camera, hdr->start_us, wrapped) !=
        MM_OK)
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
    mm_err_t err = edge_store_holds(v->store, try_hold, &c);
    return err != MM_OK ? err : c.err;
}

/* --- retention -------------------------------------------------------------------------------*/

typedef struct {
    const edge_vault_t *v;
    int64_t from, to;
    int64_t max_end;
    mm_err_t err;
} maxend_t;

static int last_end(const edge_segment_row_t *row, void *arg)
{
    int64_t *end = arg;
    if (row->seg.end_us > *end)
        *end = row->seg.end_us;
    return 0;
}

static int camera_max_end(const char *camera, void *arg)
{
    maxend_t *m = arg;
    m->err = edge_store_segments(m->v->store, camera, m->from, m->to, last_end, &m->max_end);
    return m->err != MM_OK;
}

mm_err_t edge_retention_due(const edge_vault_t *v, int64_t keep_us, int64_t now_us,
                            int64_t *h0)
{
    int64_t h = edge_keyring_oldest(v->keyring);
    int64_t limit = edge_epoch_of(now_us - keep_us);
    while (h < limit) {
        /* The hour is over long enough; is every segment that starts in it? */
        maxend_t m = {v, h * HOUR_US, (h + 1) * HOUR_US, 0, MM_OK};
        mm_err_t err = edge_store_cameras(v->store, camera_max_end, &m);
        if (err == MM_OK)
            err = m.err;
        if (err != MM_OK)
            return err;
        if (m.max_end > now_us - keep_us)
            break;
        h++;
    }
    *h0 = h;
    return MM_OK;
}

/* Removes the files of rows and records them as erased: one entry per MM_ERASED_MAX. */
static mm_err_t erase_rows(const edge_vault_t *v, const char *camera,
                           const edge_segment_row_t *rows, size_t n, mm_erase_reason_t reason,
                           const char *hold_id, int64_t now_us, edge_retention_report_t *rep)
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
        se->start_us = rows[first].seg.start_us;
        se->end_us = rows[first].seg.end_us;
        for (size_t i = 0; i < k && err == MM_OK; i++) {
            const edge_segment_row_t *row = &rows[first + i];
            char path[EDGE_SEG_PATH_MAX];
            if (edge_vault_path(v, camera, row->seg.start_us, path, sizeof path) != 0) {
                err = MM_EINVAL;
                break;
            }
            if (unlink(path) != 0 && errno != ENOENT) {
                MM_ERROR("cannot remove %s: %s", path, strerror(errno));
                err = MM_EIO;
                break;
            }
            starts[i] = row->seg.start_us;
            memcpy(se->content_hashes[i], row->seg.content_hash, 32);
            se->count++;
            se->bytes += row->seg.bytes;
            if (row->seg.end_us > se->end_us)
                se->end_us = row->seg.end_us;
        }
        se->n_content_hashes = se->count;
        if (err == MM_OK && se->count)
            err = edge_store_erase(v->store, camera, starts, se->count, e, NULL);
        if (err == MM_OK && rep) {
            rep->erased += se->count;
            rep->erased_bytes += se->bytes;
        }
    }
    free(e);
    free(starts);
    return err;
}

typedef struct {
    const edge_vault_t *v;
    const holds_t *holds;
    int64_t before;             /* erase what starts before this */
    mm_erase_reason_t reason;
    int64_t now_us;
    edge_retention_report_t *rep;
    mm_err_t err;
} erase_ctx_t;

/* Erases one camera's unheld segments that start before c->before. */
static int erase_camera(const char *camera, void *arg)
{
    erase_ctx_t *c = arg;
    rows_t rows;
    c->err = rows_of(c->v, camera, 0, c->before, &rows);
    if (c->err != MM_OK)
        return 1;
    size_t keep = 0;
    for (size_t i = 0; i < rows.n; i++) {
        if (is_held(c->holds, NULL, &rows.rows[i])) {
            c->rep->held++;
            continue;
        }
        rows.rows[keep++] = rows.rows[i];
    }
    if (keep)
        c->err = erase_rows(c->v, camera, rows.rows, keep, c->reason, NULL, c->now_us, c->rep);
    free(rows.rows);
    return c->err != MM_OK;
}

/* Wraps, under each hold, the keys of segments it covers that start in [from, to). */
static mm_err_t wrap_held(const edge_vault_t *v, const holds_t *hs, int64_t from, int64_t to,
                          uint32_t *wrapped)
{
    for (size_t i = 0; i < hs->n; i++) {
        const edge_hold_row_t *h = &hs->h[i];
        int64_t a = h->start_us - MAX_SEGMENT_US > from ? h->start_us - MAX_SEGMENT_US : from;
        int64_t b = h->end_us < to ? h->end_us : to;
        if (a >= b)
            continue;
        rows_t rows;
        mm_err_t err = rows_of(v, h->camera, a, b, &rows);
        for (size_t k = 0; k < rows.n && err == MM_OK; k++) {
            if (!overlaps(h, h->camera, rows.rows[k].seg.start_us, rows.rows[k].seg.end_us))
                continue;
            int rc = wrap_one(v, h->id, &rows.rows[k]);
            if (rc == 1)
                (*wrapped)++;
            else if (rc < 0)
                err = rc;
        }
        free(rows.rows);
        if (err != MM_OK) {
            MM_ERROR("hold %s: cannot wrap the keys of its footage: %s", h->id,
                     mm_strerror(err));
            return err;
        }
    }
    return MM_OK;
}

mm_err_t edge_retention_run(const edge_vault_t *v, int64_t keep_us, int64_t now_us,
                            mm_erase_reason_t reason, uint32_t max_epochs,
                            edge_retention_report_t *rep)
{
    edge_retention_report_t local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    int64_t h0 = edge_keyring_oldest(v->keyring), target;
    rep->old_h0 = rep->new_h0 = h0;
    mm_err_t err = edge_retention_due(v, keep_us, now_us, &target);
    if (err != MM_OK)
        return err;
    if (max_epochs && target > h0 + (int64_t)max_epochs)
        target = h0 + max_epochs;
    holds_t hs;
    if ((err = load_holds(v, &hs)) != MM_OK)
        return err;
    if (target > h0) {
        /* 1. Held footage keeps its keys, durably, before 2. the ratchet passes them. */
        err = wrap_held(v, &hs, h0 * HOUR_US, target * HOUR_US, &rep->wrapped);
        if (err == MM_OK)
            err = edge_keyring_advance(v->keyring, target);
        if (err == MM_OK) {
            rep->new_h0 = target;
            MM_INFO("retention: epochs %lld..%lld are no longer decryptable", (long long)h0,
                    (long long)target - 1);
        }
    }
    /* 3 and 4, also finishing what an interrupted run left. */
    if (err == MM_OK) {
        erase_ctx_t c = {v, &hs, edge_keyring_oldest(v->keyring) * HOUR_US, reason, now_us, rep,
                         MM_OK};
        err = edge_store_cameras(v->store, erase_camera, &c);
        if (err == MM_OK)
            err = c.err;
    }
    free(hs.h);
    if (err != MM_OK)
        MM_ERROR("retention run failed: %s", mm_strerror(err));
    else if (rep->erased)
        MM_INFO("retention: erased %u segments (%llu bytes); %u kept under hold", rep->erased,
                (unsigned long long)rep->erased_bytes, rep->held);
    return err;
}

/* --- holds -----------------------------------------------------------------------------------*/

mm_err_t edge_hold_place(const edge_vault_t *v, const char *id, const char *camera,
                         int64_t start_us, int64_t end_us, const char *reason, int64_t now_us)
{
    size_t il = strlen(id), cl = strlen(camera);
    if (il == 0 || il >= MM_ID_MAX || cl == 0 || cl >= MM_ID_MAX || start_us >= end_us ||
        strlen(reason) >= MM_TEXT_MAX)
        return MM_EINVAL;
    edge_hold_row_t h = {.start_us = start_us, .end_us = end_us};
    snprintf(h.id, sizeof h.id, "%s", id);
    snprintf(h.camera, sizeof h.camera, "%s", camera);
    edge_hold_row_t old;
    mm_err_t err = edge_store_hold_get(v->store, id, &old);
    if (err == MM_OK)
        return MM_EEXIST;
    if (err != MM_ENOTFOUND)
        return err;
    /* A key left by an earlier attempt that crashed before the hold was stored is reused. */
    if (!edge_keyring_hold_exists(v->keyring, id) &&
        (err = edge_keyring_hold_create(v->keyring, id)) != MM_OK)
        return err;
    /* Wrap what is there now; count what the hold keeps. */
    holds_t one = {&h, 1, 1, 0};
    uint32_t wrapped = 0;
    int64_t kept_from = edge_keyring_oldest(v->keyring) * HOUR_US;
    err = wrap_held(v, &one, kept_from, INT64_MAX, &wrapped);
    rows_t rows = {0};
    if (err == MM_OK)
        err = rows_of(v, camera, start_us - MAX_SEGMENT_US, end_us, &rows);
    uint32_t kept = 0;
    for (size_t i = 0; i < rows.n; i++)
        if (overlaps(&h, camera, rows.rows[i].seg.start_us, rows.rows[i].seg.end_us) &&
            rows.rows[i].seg.start_us >= kept_from)
            kept++;
    free(rows.rows);
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
    err = edge_store_hold_add(v->store, &h, &e, NULL);
    if (err == MM_OK)
        MM_INFO("hold %s placed on %s: %u segments kept", id, camera, kept);
    return err;
}

mm_err_t edge_hold_release(const edge_vault_t *v, const char *id, const char *reason,
                           int64_t now_us, edge_retention_report_t *rep)
{
    edge_retention_report_t local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    if (strlen(reason) >= MM_TEXT_MAX)
        return MM_EINVAL;
    edge_hold_row_t h;
    mm_err_t err = edge_store_hold_get(v->store, id, &h);
    if (err != MM_OK)
        return err;
    /* The key goes first: once it is destroyed, the wrapped keys open nothing. */
    err = edge_keyring_hold_destroy(v->keyring, id);
    if (err != MM_OK && err != MM_ENOTFOUND)
        return err;
    mm_entry_t e = {.time_us = now_us, .kind = MM_ENTRY_HOLD_RELEASED};
    snprintf(e.u.hold_released.hold_id, sizeof e.u.hold_released.hold_id, "%s", id);
    snprintf(e.u.hold_released.reason, sizeof e.u.hold_released.reason, "%s", reason);
    if ((err = edge_store_hold_remove(v->store, id, &e, NULL)) != MM_OK)
        return err;
    MM_INFO("hold %s released: %s", id, reason);
    /* What it kept past retention goes now, unless another hold keeps it. */
    holds_t hs;
    if ((err = load_holds(v, &hs)) != MM_OK)
        return err;
    rows_t rows;
    int64_t expired = edge_keyring_oldest(v->keyring) * HOUR_US;
    int64_t to = h.end_us < expired ? h.end_us : expired;
    err = rows_of(v, h.camera, h.start_us - MAX_SEGMENT_US, to, &rows);
    size_t keep = 0;
    for (size_t i = 0; i < rows.n; i++) {
        const edge_segment_row_t *row = &rows.rows[i];
        if (!overlaps(&h, h.camera, row->seg.start_us, row->seg.end_us) || is_held(&hs, id, row))
            continue;
        rows.rows[keep++] = *row;
    }
    if (err == MM_OK && keep)
        err = erase_rows(v, h.camera, rows.rows, keep, MM_ERASE_REASON_HOLD_RELEASED, id, now_us,
                         rep);
    free(rows.rows);
    free(hs.h);
    return err;
}
