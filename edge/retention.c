/*
 * retention.c: which footage is due for erasure and when the ratchet passes it (see
 * retention.h).
 *
 * The order of a run is what makes erasure provable: the keys go first (after which nothing
 * can decrypt the hour, whatever happens to the files), then the files, then the record. Held
 * segments are found by overlap with the holds loaded at the start of the run; the loop thread
 * is the only one that places or releases holds, so the list cannot change during a run. How
 * each step is done — wrapping, removing files, logging — is the vault's; what is decided here
 * is which hours expire, how far the keyring advances, and which segments go.
 */
#include "edge/retention.h"

#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "edge/keyring.h"
#include "edge/store.h"

#define HOUR_US EDGE_EPOCH_US

/* --- which hours are due ---------------------------------------------------------------------*/

typedef struct {
    edge_store_t *store;
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
    m->err = edge_store_segments(m->store, camera, m->from, m->to, last_end, &m->max_end);
    return m->err != MM_OK;
}

mm_err_t edge_retention_due(const edge_vault_t *v, int64_t keep_us, int64_t now_us,
                            int64_t *h0)
{
    edge_store_t *store = edge_vault_store(v);
    int64_t h = edge_keyring_oldest(edge_vault_keyring(v));
    int64_t limit = edge_epoch_of(now_us - keep_us);
    while (h < limit) {
        /* The hour is over long enough; is every segment that starts in it? */
        maxend_t m = {store, h * HOUR_US, (h + 1) * HOUR_US, 0, MM_OK};
        mm_err_t err = edge_store_cameras(store, camera_max_end, &m);
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

/* --- which segments go -----------------------------------------------------------------------*/

typedef struct {
    const edge_vault_t *v;
    const edge_vault_holds_t *holds;
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
    edge_segment_row_t *rows = NULL;
    size_t n = 0;
    c->err = edge_store_segment_rows(edge_vault_store(c->v), camera, 0, c->before, &rows, &n);
    if (c->err != MM_OK)
        return 1;
    size_t keep = 0;
    for (size_t i = 0; i < n; i++) {
        if (edge_vault_holds_cover(c->holds, NULL, &rows[i])) {
            c->rep->held++;
            continue;
        }
        rows[keep++] = rows[i];
    }
    if (keep)
        c->err = edge_vault_erase(c->v, camera, rows, keep, c->reason, NULL, c->now_us,
                                  &c->rep->erased, &c->rep->erased_bytes);
    free(rows);
    return c->err != MM_OK;
}

mm_err_t edge_retention_run(const edge_vault_t *v, int64_t keep_us, int64_t now_us,
                            mm_erase_reason_t reason, uint32_t max_epochs,
                            edge_retention_report_t *rep)
{
    edge_retention_report_t local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    edge_keyring_t *keyring = edge_vault_keyring(v);
    int64_t h0 = edge_keyring_oldest(keyring), target;
    rep->old_h0 = rep->new_h0 = h0;
    mm_err_t err = edge_retention_due(v, keep_us, now_us, &target);
    if (err != MM_OK)
        return err;
    if (max_epochs && target > h0 + (int64_t)max_epochs)
        target = h0 + max_epochs;
    edge_vault_holds_t hs;
    if ((err = edge_vault_holds_load(v, &hs)) != MM_OK)
        return err;
    if (target > h0) {
        /* 1. Held footage keeps its keys, durably, before 2. the ratchet passes them. */
        err = edge_vault_holds_wrap(v, &hs, h0 * HOUR_US, target * HOUR_US, &rep->wrapped);
        if (err == MM_OK)
            err = edge_keyring_advance(keyring, target);
        if (err == MM_OK) {
            rep->new_h0 = target;
            MM_INFO("retention: epochs %lld..%lld are no longer decryptable", (long long)h0,
                    (long long)target - 1);
        }
    }
    /* 3 and 4, also finishing what an interrupted run left. */
    if (err == MM_OK) {
        erase_ctx_t c = {.v = v,
                         .holds = &hs,
                         .before = edge_keyring_oldest(keyring) * HOUR_US,
                         .reason = reason,
                         .now_us = now_us,
                         .rep = rep,
                         .err = MM_OK};
        err = edge_store_cameras(edge_vault_store(v), erase_camera, &c);
        if (err == MM_OK)
            err = c.err;
    }
    edge_vault_holds_free(&hs);
    if (err != MM_OK)
        MM_ERROR("retention run failed: %s", mm_strerror(err));
    else if (rep->erased)
        MM_INFO("retention: erased %u segments (%llu bytes); %u kept under hold", rep->erased,
                (unsigned long long)rep->erased_bytes, rep->held);
    return err;
}

/* --- what a released hold kept ---------------------------------------------------------------*/

mm_err_t edge_retention_release_hold(const edge_vault_t *v, const char *id, const char *reason,
                                     int64_t now_us, edge_retention_report_t *rep)
{
    return edge_retention_release_hold_by(v, id, reason, NULL, now_us, rep);
}

mm_err_t edge_retention_release_hold_by(const edge_vault_t *v, const char *id, const char *reason,
                                        const char *by, int64_t now_us,
                                        edge_retention_report_t *rep)
{
    edge_retention_report_t local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    edge_hold_row_t h;
    mm_err_t err = edge_vault_hold_release_by(v, id, reason, by, now_us, &h);
    if (err != MM_OK)
        return err;
    /* What it kept past retention goes now, unless another hold keeps it. */
    edge_vault_holds_t hs;
    if ((err = edge_vault_holds_load(v, &hs)) != MM_OK)
        return err;
    edge_segment_row_t *rows = NULL;
    size_t n = 0;
    int64_t expired = edge_keyring_oldest(edge_vault_keyring(v)) * HOUR_US;
    int64_t to = h.end_us < expired ? h.end_us : expired;
    err = edge_store_segment_rows(edge_vault_store(v), h.camera,
                                  h.start_us - EDGE_VAULT_SEGMENT_MAX_US, to, &rows, &n);
    edge_vault_holds_t released = {&h, 1};
    size_t keep = 0;
    for (size_t i = 0; i < n; i++) {
        const edge_segment_row_t *row = &rows[i];
        if (!edge_vault_holds_cover(&released, NULL, row) || edge_vault_holds_cover(&hs, id, row))
            continue;
        rows[keep++] = *row;
    }
    if (err == MM_OK && keep)
        err = edge_vault_erase(v, h.camera, rows, keep, MM_ERASE_REASON_HOLD_RELEASED, id, now_us,
                               &rep->erased, &rep->erased_bytes);
    free(rows);
    edge_vault_holds_free(&hs);
    return err;
}
