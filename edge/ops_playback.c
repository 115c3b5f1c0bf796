/*
 * ops_playback.c: footage for people (ops_impl.h) — `search` lists a camera's segments in a
 * range, and `playback` streams a range to the caller, each stream a `viewing` entry when it
 * starts and another when it ends (R-K2.2.3-4).
 *
 * A stream runs on a thread of its own, straight from the footage (footage.h: every segment
 * verified, then remuxed as MPEG-TS) into the caller's socket, which the control socket hands
 * over. The thread touches only its viewer; it says it is done under the lock and wakes the loop
 * (viewer_done), which joins it and logs its end. At most EDGE_MAX_VIEWERS run at once; closing
 * ends every stream still running, so that each has its end logged.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "edge/footage.h"
#include "edge/ops_impl.h"

#define SEARCH_MAX 20000 /* segments listed by one search */

struct edge_viewer {
    edge_ops_t *ops;
    pthread_t thread;
    int fd;
    int done;
    mm_err_t err;
    uint64_t written;
    char session[MM_ID_MAX];
    char person[MM_ID_MAX];
    char camera[MM_ID_MAX];
    int64_t from_us, to_us;
};

static void *viewer_main(void *arg)
{
    edge_viewer_t *vw = arg;
    char head[256];
    int n = snprintf(head, sizeof head, "{\"ok\":true,\"session\":\"%s\",\"format\":\"mpegts\"}\n",
                     vw->session);
    if (send(vw->fd, head, (size_t)n, MSG_NOSIGNAL) != n)
        vw->err = MM_ECLOSED;
    else
        vw->err = edge_footage_stream(vw->ops->vault, vw->camera, vw->from_us, vw->to_us, vw->fd,
                                      &vw->written, NULL);
    shutdown(vw->fd, SHUT_RDWR);
    pthread_mutex_lock(&vw->ops->lock);
    vw->done = 1;
    pthread_mutex_unlock(&vw->ops->lock);
    uv_async_send(&vw->ops->viewer_done);
    return NULL;
}

static void log_viewing(edge_ops_t *ops, const edge_viewer_t *vw, mm_viewing_state_t state,
                        const char *reason)
{
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_VIEWING};
    mm_viewing_t *v = &e.u.viewing;
    v->state = state;
    snprintf(v->session, sizeof v->session, "%s", vw->session);
    snprintf(v->person, sizeof v->person, "%s", vw->person);
    snprintf(v->camera, sizeof v->camera, "%s", vw->camera);
    v->start_us = vw->from_us;
    v->end_us = vw->to_us;
    v->bytes = vw->written;
    snprintf(v->reason, sizeof v->reason, "%s", reason);
    edge_ops_append(ops, &e, NULL, NULL, 0);
}

/* Joins and logs the streams that have ended (all of them when wait is set). */
static void reap_viewers(edge_ops_t *ops, int wait)
{
    for (int i = 0; i < EDGE_MAX_VIEWERS; i++) {
        edge_viewer_t *vw = ops->viewers[i];
        if (!vw)
            continue;
        pthread_mutex_lock(&ops->lock);
        int done = vw->done;
        pthread_mutex_unlock(&ops->lock);
        if (!done && !wait)
            continue;
        if (!done)
            shutdown(vw->fd, SHUT_RDWR); /* the edge is stopping: end the stream now */
        pthread_join(vw->thread, NULL);
        close(vw->fd);
        const char *why = vw->err == MM_OK       ? "finished"
                          : !done                ? "the edge stopped"
                          : vw->err == MM_EMEDIA ? "the viewer closed the stream"
                                                 : mm_strerror(vw->err);
        MM_INFO("playback %s of %s by %s ended: %s, %" PRIu64 " bytes", vw->session, vw->camera,
                vw->person, why, vw->written);
        log_viewing(ops, vw, MM_VIEWING_STATE_ENDED, why);
        free(vw);
        ops->viewers[i] = NULL;
    }
}

static void on_viewer_done(uv_async_t *a)
{
    reap_viewers(a->data, 0);
}

mm_err_t edge_ops_playback_init(edge_ops_t *ops)
{
    if (pthread_mutex_init(&ops->lock, NULL) != 0)
        return MM_ENOMEM;
    uv_async_init(ops->loop, &ops->viewer_done, on_viewer_done);
    ops->viewer_done.data = ops;
    return MM_OK;
}

void edge_ops_playback_close(edge_ops_t *ops, uv_close_cb closed)
{
    reap_viewers(ops, 1);
    pthread_mutex_destroy(&ops->lock);
    uv_close((uv_handle_t *)&ops->viewer_done, closed);
}

typedef struct {
    json_t *list;
    size_t n;
} search_t;

static int add_found(const edge_segment_row_t *row, void *arg)
{
    search_t *s = arg;
    if (s->n++ >= SEARCH_MAX)
        return 1;
    char hex[65];
    mm_hex32(row->seg.content_hash, hex);
    json_array_append_new(s->list,
                          json_pack("{s:I, s:I, s:i, s:I, s:s, s:s, s:b}", "start_us",
                                    (json_int_t)row->seg.start_us, "end_us",
                                    (json_int_t)row->seg.end_us, "frames", (int)row->seg.frames,
                                    "bytes", (json_int_t)row->seg.bytes, "codec", row->seg.codec,
                                    "content_hash", hex, "recovered", row->seg.recovered));
    return 0;
}

void edge_ops_do_search(edge_ops_call_t *c)
{
    search_t s = {json_array(), 0};
    mm_err_t err =
        edge_footage_find(c->ops->vault, c->r->camera, c->r->from_us, c->r->to_us, add_found, &s);
    if (err != MM_OK) {
        json_decref(s.list);
        edge_ops_refuse(c, edge_ops_err_code(err), "cannot search %s: %s", c->r->camera,
                        mm_strerror(err));
        return;
    }
    char note[64];
    snprintf(note, sizeof note, "%zu segments", s.n > SEARCH_MAX ? (size_t)SEARCH_MAX : s.n);
    edge_ops_answer(c,
                    json_pack("{s:s, s:o, s:b}", "camera", c->r->camera, "segments", s.list,
                              "truncated", s.n > SEARCH_MAX),
                    note);
}

static int count_rows(const edge_segment_row_t *row, void *arg)
{
    (void)row;
    ++*(size_t *)arg;
    return 1;
}

void edge_ops_do_playback(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    size_t found = 0;
    mm_err_t err =
        edge_footage_find(ops->vault, c->r->camera, c->r->from_us, c->r->to_us, count_rows, &found);
    if (err != MM_OK || !found) {
        edge_ops_refuse(c, "not_found", "camera %s has no footage in that time range",
                        c->r->camera);
        return;
    }
    int slot = -1;
    for (int i = 0; i < EDGE_MAX_VIEWERS && slot < 0; i++)
        if (!ops->viewers[i])
            slot = i;
    if (slot < 0) {
        edge_ops_refuse(c, "busy", "%d playback streams are running; try again later",
                        EDGE_MAX_VIEWERS);
        return;
    }
    edge_viewer_t *vw = calloc(1, sizeof *vw);
    if (!vw) {
        edge_ops_refuse(c, "internal", "out of memory");
        return;
    }
    vw->ops = ops;
    snprintf(vw->session, sizeof vw->session, "pb-%" PRId64 "-%u", mm_now_us() / 1000000,
             ops->next_session++);
    snprintf(vw->person, sizeof vw->person, "%s", c->person);
    snprintf(vw->camera, sizeof vw->camera, "%s", c->r->camera);
    vw->from_us = c->r->from_us;
    vw->to_us = c->r->to_us;
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "session %s", vw->session);
    edge_ops_log_call(c, 1, note);
    vw->fd = edge_conn_take(c->conn);
    if (vw->fd < 0) {
        free(vw);
        return;
    }
    log_viewing(ops, vw, MM_VIEWING_STATE_STARTED, "");
    if (pthread_create(&vw->thread, NULL, viewer_main, vw) != 0) {
        vw->err = MM_ENOMEM;
        close(vw->fd);
        log_viewing(ops, vw, MM_VIEWING_STATE_ENDED, "the edge could not start the stream");
        free(vw);
        return;
    }
    ops->viewers[slot] = vw;
}
