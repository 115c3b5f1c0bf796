/*
 * console_live.c: the site console's live view (console_impl.h) — the cameras one may watch
 * and their purposes, and a camera's live video as fragmented MP4 (live.h) streamed to the page.
 *
 *   GET /api/live                 {"cameras": [{"id", "location", "purpose", "state"}],
 *                                  "purpose": the site's, "bases": the legal bases the policy
 *                                  admits for another purpose}
 *   GET /api/live/{camera}?purpose=..[&basis=..]
 *                                 200 video/mp4, streamed for as long as the viewer watches and
 *                                 may: ftyp + moov, then moof + mdat per frame. Headers:
 *                                 X-Live-Codec (as MSE names it, "avc1.64001f"), X-Live-Width,
 *                                 X-Live-Height, X-Live-Session, X-Live-Epoch-Us (the wall-clock
 *                                 time, µs, that track time 0 stands for; the track's timescale
 *                                 is 90000, so a fragment's frame was received at the edge at
 *                                 epoch + tfdt / 90000 s). Refused as a control call is (403
 *                                 denied, 404 not_found, 400 invalid: no purpose, a bad basis),
 *                                 503 when the camera sends nothing for 10 s.
 *
 * Who may watch is ops's to decide and log (ops_live.h): the same decision as the control
 * socket's, an access entry and viewing entries at the start and end. Five times a second every
 * watch's right is checked again; one that ended ends the stream (the body ends) and the end
 * entry says why (R-N7.2, R-N6.2).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/console_impl.h"
#include "edge/live.h"
#include "edge/ops_live.h"
#include "edge/purpose.h"

#define WATCH_MS 200
#define START_US (10LL * 1000000) /* a camera that sends nothing this long: 503 */

typedef struct viewer_s {
    struct edge_console_live *cl;
    edge_live_right_t *right;
    edge_live_sub_t *sub;
    edge_http_later_t *later; /* the request, until the stream can start */
    edge_http_stream_t *stream;
    int64_t asked_us;
    struct viewer_s *next;
} viewer_t;

struct edge_console_live {
    edge_console_t *c;
    edge_live_t *lv;
    uv_timer_t watch;
    viewer_t *viewers;
};

/* Ends v: its stream, its subscription, its entry; frees it. */
static void finish(viewer_t *v, const char *why)
{
    struct edge_console_live *cl = v->cl;
    for (viewer_t **p = &cl->viewers; *p; p = &(*p)->next)
        if (*p == v) {
            *p = v->next;
            break;
        }
    uint64_t bytes = v->sub ? edge_live_bytes(v->sub) : 0;
    uint64_t frames = v->sub ? edge_live_frames(v->sub) : 0;
    edge_live_unsubscribe(v->sub);
    edge_http_req_t *req = v->later ? edge_http_resume(v->later) : NULL;
    if (req)
        edge_http_error(req, 503, "no_video", "%s", why);
    edge_http_stream_end(v->stream);
    edge_ops_live_close(cl->c->ops, v->right, why, bytes, frames);
    free(v);
    if (!cl->viewers)
        uv_timer_stop(&cl->watch);
}

static void on_gone(void *arg)
{
    finish(arg, "the viewer left");
}

static int on_ready(void *arg, const char *codec, int width, int height, int64_t epoch_us)
{
    viewer_t *v = arg;
    edge_http_req_t *req = edge_http_resume(v->later);
    v->later = NULL;
    if (!req)
        return -1; /* the client left before: the watch reaps it */
    char n[32];
    edge_http_set_header(req, "x-live-codec", codec);
    snprintf(n, sizeof n, "%d", width);
    edge_http_set_header(req, "x-live-width", n);
    snprintf(n, sizeof n, "%d", height);
    edge_http_set_header(req, "x-live-height", n);
    snprintf(n, sizeof n, "%" PRId64, epoch_us);
    edge_http_set_header(req, "x-live-epoch-us", n);
    edge_http_set_header(req, "x-live-session", edge_ops_live_session(v->right));
    v->stream = edge_http_stream_start(req, 200, "video/mp4");
    if (!v->stream)
        return -1;
    edge_http_stream_notify(v->stream, NULL, on_gone, v);
    return 0;
}

static long on_write(void *arg, const uint8_t *buf, size_t len)
{
    viewer_t *v = arg;
    return v->stream ? edge_http_stream_write(v->stream, buf, len) : -1;
}

/* Five times a second while anyone watches: rights, and streams that never started. */
static void on_watch(uv_timer_t *t)
{
    struct edge_console_live *cl = t->data;
    int64_t now = mm_now_us();
    viewer_t *next;
    for (viewer_t *v = cl->viewers; v; v = next) {
        next = v->next;
        char why[MM_TEXT_MAX];
        if (!edge_ops_live_still(cl->c->ops, v->right, why, sizeof why)) {
            MM_WARN("live %s stopped: %s", edge_ops_live_session(v->right), why);
            finish(v, why);
        } else if (!v->stream && !v->later) {
            finish(v, "the viewer left");
        } else if (!v->stream && now - v->asked_us > START_US) {
            finish(v, "the camera sent no video to show");
        }
    }
}

static struct edge_console_live *live_of(edge_console_t *c)
{
    if (c->live)
        return c->live;
    edge_ingest_t *in = edge_ops_ingest(c->ops);
    if (!in)
        return NULL;
    struct edge_console_live *cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    cl->c = c;
    cl->lv = edge_live_create(c->loop, in, c->cfg->n_cameras);
    if (!cl->lv) {
        free(cl);
        return NULL;
    }
    uv_timer_init(c->loop, &cl->watch);
    cl->watch.data = cl;
    c->live = cl;
    return cl;
}

static int status_of(const char *code)
{
    return !code                        ? 500
           : !strcmp(code, "denied")    ? 403
           : !strcmp(code, "not_found") ? 404
           : !strcmp(code, "invalid")   ? 400
                                        : 500;
}

static void get_live(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    mm_session_t *s = edge_console_session(req);
    const char *camera = edge_http_param(req, "camera");
    char purpose[MM_LONG_TEXT_MAX] = "", basis_s[32] = "";
    mm_legal_basis_t basis = MM_LEGAL_BASIS_NONE;
    if (edge_http_query(req, "purpose", purpose, sizeof purpose) < 0 ||
        edge_http_query(req, "basis", basis_s, sizeof basis_s) < 0 ||
        (basis_s[0] && !mm_legal_basis_parse(basis_s, &basis))) {
        edge_http_error(req, 400, "invalid",
                        "purpose or basis is malformed (basis: consent, law, "
                        "emergency or own_images)");
        return;
    }
    json_t *refusal = NULL;
    edge_live_right_t *right =
        edge_ops_live_open(c->ops, s->person, camera, purpose, basis, &refusal);
    if (!right) {
        const char *code = json_string_value(json_object_get(refusal, "code"));
        const char *msg = json_string_value(json_object_get(refusal, "error"));
        edge_http_error(req, status_of(code), code ? code : "internal", "%s",
                        msg ? msg : "refused");
        json_decref(refusal);
        return;
    }
    struct edge_console_live *cl = live_of(c);
    viewer_t *v = cl ? calloc(1, sizeof *v) : NULL;
    if (!v) {
        edge_http_error(req, 503, "not_recording", "the edge is not recording yet");
        edge_ops_live_close(c->ops, right, "the edge was not recording", 0, 0);
        return;
    }
    v->cl = cl;
    v->right = right;
    v->asked_us = mm_now_us();
    v->next = cl->viewers;
    cl->viewers = v;
    if (!uv_is_active((uv_handle_t *)&cl->watch))
        uv_timer_start(&cl->watch, on_watch, WATCH_MS, WATCH_MS);
    v->later = edge_http_defer(req);
    edge_live_viewer_t lvw = {.ready = on_ready, .write = on_write, .arg = v};
    if (v->later)
        v->sub = edge_live_subscribe(cl->lv, (size_t)edge_ops_live_camera(right), &lvw);
    if (!v->sub)
        finish(v, "the edge is out of memory");
}

static void get_cameras(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    const edge_config_t *cfg = c->cfg;
    json_t *cams = json_array(), *bases = json_array();
    for (size_t i = 0; i < cfg->n_cameras; i++) {
        const edge_config_camera_t *cam = &cfg->cameras[i];
        json_array_append_new(cams,
                              json_pack("{s:s, s:s, s:s, s:s}", "id", cam->id, "location",
                                        cam->gov.location ? cam->gov.location : "", "purpose",
                                        cam->gov.purpose ? cam->gov.purpose : "", "state",
                                        edge_cam_state_name(edge_ops_camera_state(c->ops, i))));
    }
    for (int b = 1; b < MM_LEGAL_BASIS_COUNT; b++)
        if (edge_purpose_basis_admitted(cfg->policy, (mm_legal_basis_t)b))
            json_array_append_new(bases, json_string(mm_legal_basis_name((mm_legal_basis_t)b)));
    edge_http_json(req, 200,
                   json_pack("{s:o, s:s, s:o, s:s}", "cameras", cams, "purpose",
                             cfg->gov.purpose ? cfg->gov.purpose : "", "bases", bases, "timezone",
                             cfg->timezone));
}

mm_err_t edge_console_live_routes(edge_console_t *c)
{
    mm_err_t err = edge_console_route(c, "GET", "/api/live", EDGE_NEED_FULL, get_cameras);
    if (err == MM_OK)
        err = edge_console_route(c, "GET", "/api/live/{camera}", EDGE_NEED_FULL, get_live);
    return err;
}

static void on_watch_closed(uv_handle_t *h)
{
    free(h->data);
}

void edge_console_live_close(edge_console_t *c)
{
    struct edge_console_live *cl = c->live;
    if (!cl)
        return;
    while (cl->viewers)
        finish(cl->viewers, "the edge stopped");
    edge_live_close(cl->lv);
    uv_close((uv_handle_t *)&cl->watch, on_watch_closed);
    c->live = NULL;
}
