/*
 * disclosure.c: disclosure requests at the site (see disclosure.h): the module's life — its
 * state made, started and stopped, and the exports directory kept private and clean.
 *
 * The module is one file per job (disclosure_impl.h): the records and their JSON, the receipt of
 * a request and its holds, the decisions people take, the export worker, the transfer to the hub
 * and the sweep. This file makes the state they share, starts the sweep's timer, and frees the
 * state once the timer is closed and the worker has returned.
 *
 * The exports directory holds clear footage only while export.c remuxes it; anything a stop
 * left there that is not a ciphertext still to be sent is removed at start.
 */
#include "edge/disclosure.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/disclosure_impl.h"

#define SWEEP_MS 10000

static void on_tick(uv_timer_t *t)
{
    edge_disclosure_t *d = t->data;
    if (!d->closing)
        edge_disclosure_sweep_run(d, mm_now_us(), 0);
}

static int make_exports_dir(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        MM_ERROR("cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        MM_ERROR("%s is not a directory", dir);
        return -1;
    }
    /* Clear footage passes through it: nobody else may look in. */
    if ((st.st_mode & 0777) != 0700 && chmod(dir, 0700) != 0) {
        MM_ERROR("cannot make %s private: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

mm_err_t edge_disclosure_create(const edge_disclosure_conf_t *conf, edge_disclosure_t **out)
{
    if (!conf->loop || !conf->store || !conf->vault || !conf->site_key || !conf->site ||
        !conf->hub_pub || !conf->exports_dir || conf->n_cameras > EDGE_MAX_CAMERAS)
        return MM_EINVAL;
    edge_disclosure_t *d = calloc(1, sizeof *d);
    if (!d)
        return MM_ENOMEM;
    d->conf = *conf;
    if (!d->conf.sweep_ms)
        d->conf.sweep_ms = SWEEP_MS;
    for (size_t i = 0; i < conf->n_cameras; i++)
        edge_disclosure_copy(d->cameras[i], sizeof d->cameras[i], conf->cameras[i]);
    d->n_cameras = conf->n_cameras;
    d->conf.cameras = NULL;
    memcpy(d->hub_pub, conf->hub_pub, sizeof d->hub_pub);
    atomic_init(&d->cancel, 0);
    d->exports_dir = strdup(conf->exports_dir);
    if (!d->exports_dir) {
        free(d);
        return MM_ENOMEM;
    }
    if (make_exports_dir(d->exports_dir) != 0) {
        free(d->exports_dir);
        free(d);
        return MM_EIO;
    }
    *out = d;
    return MM_OK;
}

/*
 * Removes from the exports directory everything but the ciphertexts still to be sent: clear
 * MP4s and partial ciphertexts a stop left, and ciphertexts of requests delivered or failed.
 */
static void clean_exports(edge_disclosure_t *d)
{
    DIR *dir = opendir(d->exports_dir);
    if (!dir)
        return;
    rec_t *r = malloc(sizeof *r);
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        const char *name = de->d_name;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        size_t n = strlen(name);
        char id[MM_ID_MAX] = "";
        if (n > 4 && !strcmp(name + n - 4, ".age") && n - 4 < sizeof id)
            snprintf(id, sizeof id, "%.*s", (int)(n - 4), name);
        if (id[0] && r && edge_disclosure_rec_load(d, id, r) == MM_OK &&
            r->state == MM_DISCLOSURE_STEP_EXPORTED)
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", d->exports_dir, name);
        if (unlink(path) == 0)
            MM_INFO("disclosure: removed %s, left by an earlier run", path);
        else
            MM_WARN("disclosure: cannot remove %s: %s", path, strerror(errno));
    }
    free(r);
    closedir(dir);
}

mm_err_t edge_disclosure_start(edge_disclosure_t *d, int64_t now_us)
{
    if (make_exports_dir(d->exports_dir) != 0)
        return MM_EIO;
    clean_exports(d);
    d->catch_up = 1;
    mm_err_t err = edge_disclosure_sweep_run(d, now_us, 1);
    if (err != MM_OK)
        MM_ERROR("disclosure: not everything could be caught up at start (%s); tried again "
                 "every %" PRIu64 " s",
                 mm_strerror(err), d->conf.sweep_ms / 1000);
    size_t n = 0;
    if (edge_disclosure_waiting(d, &n) == MM_OK && n)
        MM_WARN("%zu disclosure request(s) wait for the manager: mimamori-edge disclosures", n);
    if (!d->timer_open) {
        uv_timer_init(d->conf.loop, &d->timer);
        d->timer.data = d;
        d->timer_open = 1;
        uv_timer_start(&d->timer, on_tick, d->conf.sweep_ms, d->conf.sweep_ms);
    }
    return err;
}

void edge_disclosure_close_end(edge_disclosure_t *d)
{
    if (d->timer_open || d->job)
        return; /* freed when the timer is closed and the worker has returned */
    void (*done)(void *) = d->done;
    void *arg = d->done_arg;
    free(d->exports_dir);
    free(d);
    if (done)
        done(arg);
}

static void on_timer_closed(uv_handle_t *h)
{
    edge_disclosure_t *d = h->data;
    d->timer_open = 0;
    edge_disclosure_close_end(d);
}

void edge_disclosure_close(edge_disclosure_t *d, void (*done)(void *arg), void *arg)
{
    if (!d || d->closing)
        return;
    d->closing = 1;
    d->done = done;
    d->done_arg = arg;
    atomic_store(&d->cancel, 1);
    if (d->job)
        uv_cancel((uv_req_t *)&d->job->req); /* only if it has not started */
    if (d->timer_open)
        uv_close((uv_handle_t *)&d->timer, on_timer_closed);
    else
        edge_disclosure_close_end(d);
}

int edge_disclosure_exporting(const edge_disclosure_t *d)
{
    return d->job != NULL;
}
