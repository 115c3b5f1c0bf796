/*
 * disclosure_transfer.c: the ciphertext's way to the hub, and the sweep that keeps every request
 * moving: receipts a stop interrupted are finished from the logged city requests, undecided
 * requests past their deadline expire, exported ones are sent (again), approved ones are built,
 * and at start the holds closed requests still have are released. The hub's answer on a
 * transfer ends it: delivered, or failed for the manager to approve again.
 */
#include "edge/disclosure.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/disclosure_impl.h"
#include "edge/requests.h"

static mm_err_t catch_one(void *arg, const mm_city_request_t *q)
{
    mm_err_t err = edge_disclosure_receive(arg, q, mm_now_us());
    return err == MM_ENOTFOUND ? MM_OK : err; /* a notice about no request of ours: said */
}

/* Acts on one request the sweep found (at start, also on closed requests' holds). */
static mm_err_t sweep_one(edge_disclosure_t *d, const char *id, int64_t now_us, int starting)
{
    rec_t *r = calloc(1, sizeof *r);
    mm_err_t err = r ? edge_disclosure_rec_load(d, id, r) : MM_ENOMEM;
    if (err == MM_OK) {
        if (edge_disclosure_due(r, now_us)) {
            err = edge_disclosure_expire(d, r, now_us);
        } else if (r->state == MM_DISCLOSURE_STEP_EXPORTED) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s.age", d->exports_dir, r->q.id);
            if (d->conf.send)
                d->conf.send(d->conf.arg, r->q.id, path, r->bytes, r->sha256);
        } else if (starting && edge_disclosure_closed(r)) {
            err = edge_disclosure_release_holds(d, r, mm_disclosure_step_name(r->state), now_us);
        }
    }
    free(r);
    return err;
}

mm_err_t edge_disclosure_sweep_run(edge_disclosure_t *d, int64_t now_us, int starting)
{
    mm_err_t first = MM_OK;
    if (d->catch_up) {
        d->catch_up = 0;
        first = edge_requests_each_disclosure(d->conf.store, catch_one, d);
        if (first != MM_OK)
            d->catch_up = 1;
    }
    walk_t w = {.mode = W_SWEEP, .now_us = now_us, .starting = starting};
    mm_err_t err = edge_disclosure_walk(d, &w);
    if (first == MM_OK)
        first = err;
    for (size_t i = 0; i < w.n_ids; i++) {
        err = sweep_one(d, w.ids[i], now_us, starting);
        if (first == MM_OK)
            first = err;
    }
    free(w.ids);
    edge_disclosure_export_kick(d);
    return first;
}

mm_err_t edge_disclosure_sweep(edge_disclosure_t *d, int64_t now_us)
{
    return edge_disclosure_sweep_run(d, now_us, 0);
}

void edge_disclosure_transfer_done(edge_disclosure_t *d, const char *id, int delivered,
                                   const char *reason, int64_t now_us)
{
    rec_t *r = calloc(1, sizeof *r);
    mm_err_t err = r ? edge_disclosure_rec_load(d, id, r) : MM_ENOMEM;
    if (err != MM_OK || r->state != MM_DISCLOSURE_STEP_EXPORTED) {
        MM_WARN("disclosure %s: the hub's answer on the export is not taken: the request is %s", id,
                err != MM_OK ? mm_strerror(err) : mm_disclosure_step_name(r->state));
        free(r);
        return;
    }
    char path[PATH_MAX], text[MM_LONG_TEXT_MAX];
    snprintf(path, sizeof path, "%s/%s.age", d->exports_dir, r->q.id);
    if (delivered) {
        r->state = MM_DISCLOSURE_STEP_DELIVERED;
        r->delivered_us = now_us;
        snprintf(text, sizeof text, "the hub holds the export, %" PRIu64 " bytes", r->bytes);
        step_t s = {.sel = &r->approved, .text = text};
        err = edge_disclosure_log_step(d, r, MM_DISCLOSURE_STEP_DELIVERED, &s, now_us);
    } else {
        char why[MM_LONG_TEXT_MAX - 64];
        edge_disclosure_copy(why, sizeof why, reason && *reason ? reason : "no reason given");
        snprintf(text, sizeof text, "the transfer to the hub failed: %s", why);
        r->state = MM_DISCLOSURE_STEP_FAILED;
        edge_disclosure_copy(r->failure, sizeof r->failure, text);
        step_t s = {.sel = &r->approved, .text = text};
        err = edge_disclosure_log_step(d, r, MM_DISCLOSURE_STEP_FAILED, &s, now_us);
    }
    /* Logged first: a stop before the unlink leaves a file the next start removes. */
    if (err == MM_OK && unlink(path) != 0 && errno != ENOENT)
        MM_WARN("disclosure %s: cannot remove %s: %s", id, path, strerror(errno));
    free(r);
}
