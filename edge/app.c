/*
 * app.c: the edge daemon (see app.h).
 *
 * One libuv loop owns the store, the uplink and every ZeroMQ socket. Each camera is read by its
 * own ingest thread (ingest.h), which hands finished segments to the loop; the loop records them
 * in the index and the site log, and wakes the uplink.
 */
#include "app.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zmq.h>

#include "clock.h"
#include "diag.h"
#include "ingest.h"
#include "keys.h"
#include "siteconf.h"
#include "store.h"
#include "uplink.h"

typedef struct {
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    edge_config_t cfg;
    mm_keypair_t keys;
    edge_store_t *store;
    void *zctx;
    edge_uplink_t *uplink;
    edge_ingest_t *ingest;
    char *segments_dir;
    int stopping;
    int failed;
} app_t;

static int make_dir(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    MM_ERROR("cannot create %s: %s", path, strerror(errno));
    return -1;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

/* A finished segment, on the loop thread: index it and log it in one transaction. */
static void on_segment(const edge_segment_info_t *info, void *arg)
{
    app_t *app = arg;
    mm_segment_recorded_t seg = {0};
    snprintf(seg.camera, sizeof seg.camera, "%s", info->camera);
    seg.start_us = info->start_us;
    seg.end_us = info->end_us;
    seg.bytes = info->bytes;
    seg.frames = info->frames;
    memcpy(seg.content_hash, info->content_hash, 32);
    snprintf(seg.codec, sizeof seg.codec, "%s", info->codec);

    /* The index keeps the file relative to the segments directory. */
    const char *file = info->path;
    size_t dl = strlen(app->segments_dir);
    if (strncmp(file, app->segments_dir, dl) == 0 && file[dl] == '/')
        file += dl + 1;
    uint64_t index = 0;
    mm_err_t err = edge_store_add_segment(app->store, &seg, file, mm_now_us(), &index);
    if (err != MM_OK) {
        MM_ERROR("%s: cannot record segment %s in the log: %s", seg.camera, info->path,
                 mm_strerror(err));
        return;
    }
    MM_INFO("%s: segment of %.1f s, %" PRIu32 " frames, %" PRIu64 " bytes -> log entry %" PRIu64,
            seg.camera, (double)(seg.end_us - seg.start_us) / 1e6, seg.frames, seg.bytes, index);
    if (app->uplink)
        edge_uplink_kick(app->uplink);
}

static void on_uplink_closed(void *arg)
{
    (void)arg;
}

static void shutdown_app(app_t *app)
{
    if (app->stopping)
        return;
    app->stopping = 1;
    MM_INFO("stopping: finishing open segments");
    /* Stopping the recorder finishes the open segments; their callbacks run on this loop
     * before it ends, so they are logged and sent by the next start if not now. */
    if (app->ingest)
        edge_ingest_stop(app->ingest);
    uv_signal_stop(&app->sigint);
    uv_signal_stop(&app->sigterm);
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
    if (app->uplink)
        edge_uplink_close(app->uplink, on_uplink_closed, NULL);
    app->uplink = NULL;
}

static void on_signal(uv_signal_t *h, int signum)
{
    app_t *app = h->data;
    MM_INFO("signal %d", signum);
    shutdown_app(app);
}

static int start(app_t *app, const char *config_path)
{
    if (edge_config_load(config_path, &app->cfg) != MM_OK)
        return 2;
    char err[256];
    if (mm_keys_load(app->cfg.key_file, &app->keys, err, sizeof err) != MM_OK) {
        MM_ERROR("%s", err);
        return 2;
    }
    if (strcmp(app->keys.name, app->cfg.site) != 0) {
        MM_ERROR("%s: key_file: the key %s is named \"%s\", but the site is \"%s\"", config_path,
                 app->cfg.key_file, app->keys.name, app->cfg.site);
        return 2;
    }
    char *db_dir = join(app->cfg.state_dir, "db");
    app->segments_dir = join(app->cfg.state_dir, "segments");
    if (!db_dir || !app->segments_dir) {
        free(db_dir);
        return 1;
    }
    if (make_dir(app->cfg.state_dir) != 0 || make_dir(app->segments_dir) != 0) {
        free(db_dir);
        return 1;
    }
    mm_err_t e = edge_store_open(db_dir, &app->store);
    free(db_dir);
    if (e != MM_OK) {
        MM_ERROR("cannot open the store in %s: %s", app->cfg.state_dir, mm_strerror(e));
        return 1;
    }

    app->zctx = zmq_ctx_new();
    if (!app->zctx)
        return 1;
    edge_uplink_conf_t uc = {
        .site = app->cfg.site,
        .keys = &app->keys,
        .hub_endpoint = app->cfg.hub_endpoint,
        .hub_curve_public = app->cfg.hub_curve_public,
        .hub_verifier = &app->cfg.hub_verifier,
    };
    e = edge_uplink_create(&app->loop, app->zctx, app->store, &uc, &app->uplink);
    if (e != MM_OK) {
        MM_ERROR("cannot set up the link to the hub: %s", mm_strerror(e));
        return 1;
    }

    edge_camera_conf_t cams[EDGE_MAX_CAMERAS];
    char *dirs[EDGE_MAX_CAMERAS] = {0};
    int rc = 0;
    for (size_t i = 0; i < app->cfg.n_cameras && rc == 0; i++) {
        dirs[i] = join(app->segments_dir, app->cfg.cameras[i].id);
        if (!dirs[i] || make_dir(dirs[i]) != 0) {
            rc = 1;
            break;
        }
        cams[i] = (edge_camera_conf_t){.id = app->cfg.cameras[i].id,
                                       .url = app->cfg.cameras[i].url,
                                       .dir = dirs[i],
                                       .segment_seconds = app->cfg.segment_seconds};
    }
    if (rc == 0) {
        e = edge_ingest_create(&app->loop, cams, app->cfg.n_cameras, on_segment, app,
                               &app->ingest);
        if (e == MM_OK)
            e = edge_ingest_start(app->ingest);
        if (e != MM_OK) {
            MM_ERROR("cannot start recording: %s", mm_strerror(e));
            rc = 1;
        }
    }
    for (size_t i = 0; i < app->cfg.n_cameras; i++)
        free(dirs[i]);
    if (rc != 0)
        return rc;
    MM_INFO("site %s: recording %zu camera(s) into %s", app->cfg.site, app->cfg.n_cameras,
            app->segments_dir);
    return 0;
}

int edge_app_run(const char *config_path)
{
    app_t app = {0};
    if (uv_loop_init(&app.loop) != 0)
        return 1;
    uv_signal_init(&app.loop, &app.sigint);
    uv_signal_init(&app.loop, &app.sigterm);
    app.sigint.data = app.sigterm.data = &app;
    uv_signal_start(&app.sigint, on_signal, SIGINT);
    uv_signal_start(&app.sigterm, on_signal, SIGTERM);

    int rc = start(&app, config_path);
    if (rc != 0)
        shutdown_app(&app);
    uv_run(&app.loop, UV_RUN_DEFAULT);

    /* The loop has ended: every handle is closed, every finished segment logged. */
    edge_ingest_destroy(app.ingest);
    if (uv_loop_close(&app.loop) != 0)
        MM_WARN("libuv loop still had open handles at exit");
    edge_store_close(app.store);
    if (app.zctx)
        zmq_ctx_term(app.zctx);
    mm_keys_wipe(&app.keys);
    edge_config_free(&app.cfg);
    free(app.segments_dir);
    if (rc == 0)
        MM_INFO("stopped");
    return rc;
}
