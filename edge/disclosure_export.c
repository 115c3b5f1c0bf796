/*
 * disclosure_export.c: the export of an approved request, built on a libuv worker thread.
 *
 * The export is the one slow step. It runs on a worker thread, one at a time (export.c streams
 * through static buffers, and one export at a time is what a small box can afford), into
 * <exports_dir>/<id>.age.tmp, synced and renamed; its SHA-256 and size are taken in the sink as
 * the bytes go by (the hash on a helper thread while the same bytes are written), and the writeback
 * of every FLUSH_STEP written is started then (sync_file_range), so that the disk writes while the
 * export is built and the final fsync has little left to do. Every 2 MiB written the worker wakes
 * the loop, which hands what is written to the uplink (conf.building): the hub takes the
 * ciphertext while it is built, and the logged export goes on from there. The worker only reads:
 * the store through LMDB read transactions of its own (the environment is MDB_NOTLS, as for
 * playback threads), the keyring (thread-safe), the segment files (kept by the request's holds, which
 * retention never erases). Its result is logged on the loop thread, the store's only writer. A stop
 * asks the worker to give up at the next bytes it writes; the request stays approved and is
 * exported again at the next start.
 */
#include "edge/disclosure.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/age.h"
#include "common/clock.h"
#include "common/diag.h"
#include "common/files.h"
#include "edge/disclosure_impl.h"

#define FLUSH_STEP (8u * 1024 * 1024)
#define WAKE_STEP (2u * 1024 * 1024) /* the loop is told of the bytes written this often */

/* The helper's job: the SHA-256 of the ciphertext the sink writes meanwhile. */
static void hash_ciphertext(void *arg)
{
    job_t *j = arg;
    mm_sha256_update(j->sha, j->hash_at, j->hash_len);
}

static int sink(void *arg, const uint8_t *data, size_t len)
{
    job_t *j = arg;
    if (atomic_load(&j->d->cancel))
        return -1;
    /* Hashed on the helper while written here; both only read data, which the age writer
     * reuses once this returns, so the hash is waited for before. */
    j->hash_at = data;
    j->hash_len = len;
    mm_helper_run(&j->helper, hash_ciphertext, j);
    j->bytes += len;
    while (len) {
        ssize_t w = write(j->fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            j->sink_errno = w < 0 ? errno : EIO;
            mm_helper_wait(&j->helper);
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    mm_helper_wait(&j->helper);
    atomic_store(&j->written, j->bytes);
    if (j->bytes - j->told >= WAKE_STEP || j->told == 0) {
        j->told = j->bytes;
        uv_async_send(&j->wake); /* conf.building: the bytes may go to the hub already */
    }
    if (j->bytes - j->flushed >= FLUSH_STEP) {
        /* Only a head start for the fsync at the end, which is what makes it durable. */
        (void)sync_file_range(j->fd, (off_t)j->flushed, (off_t)(j->bytes - j->flushed),
                              SYNC_FILE_RANGE_WRITE);
        j->flushed = j->bytes;
    }
    return 0;
}

static const char *export_why(mm_err_t err)
{
    switch (err) {
    case MM_ENOTFOUND:
        return "a camera has no footage in the range";
    case MM_EERASED:
        return "footage in the range is erased";
    case MM_EVERIFY:
    case MM_ECORRUPT:
        return "a segment does not verify (nothing unverified leaves the site)";
    case MM_EMEDIA:
        return "the footage could not be remuxed";
    case MM_EINVAL:
        return "the export does not take the request";
    case MM_EFULL:
        return "the disk is full";
    default:
        return mm_strerror(err);
    }
}

/* Worker thread: builds the export into its temporary file, syncs it and puts it in place. */
static void export_work(uv_work_t *req)
{
    job_t *j = req->data;
    edge_disclosure_t *d = j->d;
    j->fd = open(j->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (j->fd < 0) {
        j->err = errno == ENOSPC ? MM_EFULL : MM_EIO;
        snprintf(j->what, sizeof j->what, "cannot create %.200s: %s", j->tmp, strerror(errno));
        return;
    }
    if (mm_sha256_create(&j->sha) != MM_OK) {
        j->err = MM_ENOMEM;
    } else {
        mm_helper_start(&j->helper);
        j->err = edge_export_build(d->conf.vault, d->conf.site_key, d->exports_dir, &j->r, sink, j,
                                   &j->rep);
        mm_helper_stop(&j->helper);
        mm_sha256_final(j->sha, j->digest);
        mm_sha256_destroy(j->sha);
        j->sha = NULL;
    }
    if (j->err == MM_OK && fsync(j->fd) != 0) {
        j->err = errno == ENOSPC ? MM_EFULL : MM_EIO;
        snprintf(j->what, sizeof j->what, "cannot sync %.200s: %s", j->tmp, strerror(errno));
    }
    if (close(j->fd) != 0 && j->err == MM_OK) {
        j->err = MM_EIO;
        snprintf(j->what, sizeof j->what, "cannot close %.200s: %s", j->tmp, strerror(errno));
    }
    j->fd = -1;
    if (j->err == MM_OK && rename(j->tmp, j->path) != 0) {
        j->err = MM_EIO;
        snprintf(j->what, sizeof j->what, "cannot rename %.200s: %s", j->tmp, strerror(errno));
    }
    if (j->err == MM_OK) {
        mm_dir_sync(d->exports_dir); /* best effort: the export is complete either way */
        return;
    }
    unlink(j->tmp);
    if (!j->what[0]) {
        if (j->sink_errno)
            snprintf(j->what, sizeof j->what, "writing the export failed: %s",
                     strerror(j->sink_errno));
        else
            snprintf(j->what, sizeof j->what, "%s", export_why(j->err));
    }
    if (j->sink_errno == ENOSPC)
        j->err = MM_EFULL;
}

/* Loop thread: more of the export is written; the uplink may send it. */
static void on_written(uv_async_t *h)
{
    job_t *j = h->data;
    edge_disclosure_t *d = j->d;
    if (d->conf.building && d->job == j && !d->closing)
        d->conf.building(d->conf.arg, j->id, j->tmp, atomic_load(&j->written));
}

static void job_free(uv_handle_t *h)
{
    free(h->data);
}

/* Loop thread: the export is built, or failed. */
static void export_done(uv_work_t *req, int status)
{
    job_t *j = req->data;
    edge_disclosure_t *d = j->d;
    d->job = NULL;
    int sent = 0; /* handed to conf.send, which goes on with what was sent while built */
    int64_t now = mm_now_us();
    rec_t *r = calloc(1, sizeof *r);
    mm_err_t err = r ? edge_disclosure_rec_load(d, j->id, r) : MM_ENOMEM;
    if (status == UV_ECANCELED || (atomic_load(&d->cancel) && j->err != MM_OK)) {
        MM_INFO("disclosure %s: the export was stopped with the edge; it is made again at the "
                "next start",
                j->id);
        unlink(j->tmp);
    } else if (err != MM_OK || r->state != MM_DISCLOSURE_STEP_APPROVED) {
        MM_ERROR("disclosure %s: the export ended but the request is %s; its file is removed",
                 j->id, err != MM_OK ? mm_strerror(err) : mm_disclosure_step_name(r->state));
        unlink(j->path);
    } else if (j->err == MM_OK) {
        r->state = MM_DISCLOSURE_STEP_EXPORTED;
        r->exported = 1;
        memcpy(r->sha256, j->digest, 32);
        memcpy(r->manifest_sha256, j->rep.manifest_sha256, 32);
        r->bytes = j->bytes;
        r->exported_us = now;
        r->delivered_us = 0;
        r->failure[0] = 0;
        char text[MM_TEXT_MAX];
        snprintf(text, sizeof text, "%zu files, %" PRIu64 " bytes before encryption", j->rep.files,
                 j->rep.bytes);
        step_t s = {.sel = &r->approved, .text = text};
        if (edge_disclosure_log_step(d, r, MM_DISCLOSURE_STEP_EXPORTED, &s, now) == MM_OK) {
            if (d->conf.send && !d->closing) {
                d->conf.send(d->conf.arg, r->q.id, j->path, r->bytes, r->sha256);
                sent = 1;
            }
        } else {
            unlink(j->path); /* built again at the next sweep: the request is still approved */
        }
    } else {
        char text[MM_LONG_TEXT_MAX];
        snprintf(text, sizeof text, "the export could not be built: %s", j->what);
        r->state = MM_DISCLOSURE_STEP_FAILED;
        edge_disclosure_copy(r->failure, sizeof r->failure, text);
        step_t s = {.sel = &r->approved, .text = text};
        edge_disclosure_log_step(d, r, MM_DISCLOSURE_STEP_FAILED, &s, now);
    }
    if (!sent && d->conf.building)
        d->conf.building(d->conf.arg, j->id, NULL, 0); /* what was sent while built is moot */
    free(r);
    uv_close((uv_handle_t *)&j->wake, job_free);
    if (d->closing) {
        edge_disclosure_close_end(d);
        return;
    }
    edge_disclosure_export_kick(d);
}

/* Fails an approved request without building anything. */
static mm_err_t export_refuse(edge_disclosure_t *d, rec_t *r, const char *why, int64_t now_us)
{
    r->state = MM_DISCLOSURE_STEP_FAILED;
    edge_disclosure_copy(r->failure, sizeof r->failure, why);
    step_t s = {.sel = &r->approved, .text = why};
    return edge_disclosure_log_step(d, r, MM_DISCLOSURE_STEP_FAILED, &s, now_us);
}

/* Starts the export of r (approved) on the worker thread. */
static mm_err_t export_start(edge_disclosure_t *d, rec_t *r, int64_t now_us)
{
    job_t *j = calloc(1, sizeof *j);
    if (!j)
        return MM_ENOMEM;
    j->d = d;
    j->fd = -1;
    edge_disclosure_copy(j->id, sizeof j->id, r->q.id);
    edge_disclosure_copy(j->basis, sizeof j->basis, mm_legal_basis_name(r->q.legal_basis));
    edge_disclosure_copy(j->reference, sizeof j->reference, r->q.reference);
    edge_disclosure_copy(j->requester, sizeof j->requester, r->q.requester);
    edge_disclosure_copy(j->reason, sizeof j->reason, r->q.text);
    edge_disclosure_copy(j->recipient, sizeof j->recipient, r->q.recipient);
    j->sel = r->approved;
    for (size_t i = 0; i < j->sel.n; i++)
        j->cams[i] = j->sel.cam[i];
    j->r = (edge_export_req_t){.id = j->id,
                               .legal_basis = j->basis,
                               .reference = j->reference,
                               .requester = j->requester,
                               .cameras = j->cams,
                               .n_cameras = j->sel.n,
                               .from_us = j->sel.from_us,
                               .to_us = j->sel.to_us,
                               .recipient_text = j->recipient,
                               .reason = j->reason[0] ? j->reason : NULL,
                               .hub_statement = j->statement,
                               .hub_signature = j->hub_signature,
                               .timezone = d->conf.timezone};
    /* The statement the hub signed, rebuilt from the request as received (check_request verified
     * it then): the manifest carries it so that the recipient can check the request against the
     * hub's key (verify.h). */
    size_t slen = 0;
    if (!r->q.has_signature || mm_disclosure_statement(&r->q, d->conf.site, j->statement,
                                                       sizeof j->statement, &slen) != MM_OK) {
        free(j);
        return export_refuse(d, r, "the request's statement signed by the hub cannot be rebuilt",
                             now_us);
    }
    memcpy(j->hub_signature, r->q.signature, sizeof j->hub_signature);
    /* Own images (R-N8): every clip is blurred but for the regions the manager marked as the
     * requester — never exported clear, whatever the regions say. */
    if (r->q.legal_basis == MM_LEGAL_BASIS_OWN_IMAGES) {
        for (size_t i = 0; i < r->n_regions && i < EDGE_DISCLOSURE_REGIONS_MAX; i++) {
            j->keep[i] = r->regions[i];
            j->regions[i] = (edge_export_region_t){
                j->keep[i].camera, {j->keep[i].x, j->keep[i].y, j->keep[i].w, j->keep[i].h}};
        }
        j->r.redact = 1;
        j->r.regions = j->regions;
        j->r.n_regions = r->n_regions;
    }
    int n1 = snprintf(j->path, sizeof j->path, "%s/%s.age", d->exports_dir, j->id);
    int n2 = snprintf(j->tmp, sizeof j->tmp, "%s/%s.age.tmp", d->exports_dir, j->id);
    if (mm_age_recipient_parse(r->q.recipient, j->r.recipient) != MM_OK || n1 < 0 ||
        (size_t)n1 >= sizeof j->path || n2 < 0 || (size_t)n2 >= sizeof j->tmp) {
        free(j);
        return export_refuse(d, r, "the export cannot be made for this request (recipient or path)",
                             now_us);
    }
    j->req.data = j;
    j->wake.data = j;
    int rc = uv_async_init(d->conf.loop, &j->wake, on_written);
    if (rc != 0) {
        MM_ERROR("disclosure %s: cannot start the export: %s", j->id, uv_strerror(rc));
        free(j);
        return MM_ENOMEM;
    }
    rc = uv_queue_work(d->conf.loop, &j->req, export_work, export_done);
    if (rc != 0) {
        MM_ERROR("disclosure %s: cannot start the export: %s", j->id, uv_strerror(rc));
        uv_close((uv_handle_t *)&j->wake, job_free);
        return MM_ENOMEM;
    }
    d->job = j;
    MM_INFO("disclosure %s: building the export of %zu camera(s)", j->id, j->sel.n);
    if (d->conf.building)
        d->conf.building(d->conf.arg, j->id, j->tmp, 0);
    return MM_OK;
}

void edge_disclosure_export_kick(edge_disclosure_t *d)
{
    while (!d->job && !d->closing) {
        walk_t w = {.mode = W_APPROVED};
        mm_err_t err = edge_disclosure_walk(d, &w);
        rec_t *r = err == MM_OK && w.n_ids ? calloc(1, sizeof *r) : NULL;
        if (r && edge_disclosure_rec_load(d, w.ids[0], r) == MM_OK &&
            r->state == MM_DISCLOSURE_STEP_APPROVED)
            err = export_start(d, r, mm_now_us());
        else
            err = MM_ENOTFOUND; /* nothing (more) to export */
        free(r);
        free(w.ids);
        if (err != MM_OK)
            return;
    }
}
