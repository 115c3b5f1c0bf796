/*
 * ingest.c: the recorder's work on each frame, whatever read it, and its events, pauses and API
 * (see ingest.h, ingest_impl.h).
 *
 * A camera's session state, open segment and gap bookkeeping belong to the thread reading it
 * (its reader thread, or its libav thread); it shares only the event queue (under the lock) and
 * the stop and pause flags with the loop thread.
 */
#include "edge/ingest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/redact.h"
#include "edge/frametime.h"
#include "edge/ingest_impl.h"

typedef enum { EV_SEGMENT, EV_GAP, EV_FULL, EV_CLOCK } event_kind_t;

struct event_s {
    struct event_s *next;
    event_kind_t kind;
    union {
        edge_segment_info_t segment;
        mm_camera_gap_t gap;
        char camera[MM_ID_MAX];
        mm_clock_jump_t jump;
    } u;
};

/* Queues an event for the loop thread (takes ownership of ev). */
static void post(struct edge_ingest *in, event_t *ev)
{
    ev->next = NULL;
    pthread_mutex_lock(&in->lock);
    if (in->tail)
        in->tail->next = ev;
    else
        in->head = ev;
    in->tail = ev;
    pthread_mutex_unlock(&in->lock);
    uv_async_send(&in->async);
}

static event_t *event_new(event_kind_t kind)
{
    event_t *ev = calloc(1, sizeof *ev);
    if (ev)
        ev->kind = kind;
    return ev;
}

/* Any camera thread: the wall time of now on the mapping all cameras share (clock.h), its
 * monotonic time in *mono and the number of jumps so far in *jumps. The thread that sees a jump
 * first reports it, so that each jump is logged once. */
static int64_t clock_now(struct edge_ingest *in, int64_t *mono, uint64_t *jumps)
{
    mm_clock_jump_t j;
    int64_t now;
    pthread_mutex_lock(&in->clock_lock);
    int64_t wall = mm_now_us();
    *mono = mm_mono_us();
    int jumped = mm_wallmap_step(&in->clock, wall, *mono, in->jump_us, &now, &j);
    *jumps = in->clock.jumps;
    pthread_mutex_unlock(&in->clock_lock);
    if (jumped) {
        MM_WARN("the wall clock jumped by %.1f s (expected %lld, read %lld); segments are cut",
                (double)j.step_us / 1e6, (long long)j.expected_us, (long long)j.read_us);
        event_t *ev = event_new(EV_CLOCK);
        if (ev) {
            ev->u.jump = j;
            post(in, ev);
        } else {
            MM_ERROR("out of memory; a jump of the wall clock goes unlogged");
        }
    }
    return now;
}

/* Notes a break in recording; the first reason given since the last frame is kept. */
void ingest_note_break(camera_t *c, const char *what, const char *detail)
{
    if (c->broken)
        return;
    c->broken = 1;
    snprintf(c->why, sizeof c->why, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
}

/* How long since the last frame written: on the monotonic clock within a run, so that a step of
 * the wall clock is no gap and shortens none; since a frame of an earlier run, on the wall clock
 * (never less than 0). */
static int64_t since_last_frame(const camera_t *c, int64_t now, int64_t mono)
{
    int64_t d = c->last_frame_mono > 0 ? mono - c->last_frame_mono : now - c->last_frame_us;
    return d > 0 ? d : 0;
}

/* A frame is about to be written at now (monotonic mono, after jumps of the clock): reports the
 * gap that it ends, if any. It begins at the last frame written, or when the clock jumped since,
 * as long before now as the monotonic clock measured, so that it is as long as it truly was. */
static void end_gap(camera_t *c, int64_t now, int64_t mono, uint64_t jumps)
{
    int64_t len = since_last_frame(c, now, mono);
    if (c->last_frame_us > 0 && (c->broken || len > EDGE_GAP_US)) {
        if (!c->broken)
            snprintf(c->why, sizeof c->why, "no frames from the camera for %.1f s",
                     (double)len / 1e6);
        event_t *ev = event_new(EV_GAP);
        if (ev) {
            snprintf(ev->u.gap.camera, sizeof ev->u.gap.camera, "%s", c->id);
            ev->u.gap.start_us =
                c->last_frame_mono > 0 && jumps != c->frame_jumps ? now - len : c->last_frame_us;
            if (ev->u.gap.start_us > now)
                ev->u.gap.start_us = now; /* the wall clock went back while the edge was down */
            ev->u.gap.end_us = now;
            snprintf(ev->u.gap.reason, sizeof ev->u.gap.reason, "%s", c->why);
            MM_WARN("%s: gap of %.1f s ended: %s", c->id, (double)len / 1e6, c->why);
            post(c->in, ev);
        } else {
            MM_ERROR("%s: out of memory; a gap of the camera goes unlogged", c->id);
        }
    }
    c->broken = 0;
    c->why[0] = 0;
}

static void finish(camera_t *c, edge_segment_writer_t **w, int64_t end_us)
{
    if (!*w)
        return;
    if (edge_segment_frames(*w) == 0) {
        edge_segment_abort(*w);
    } else {
        event_t *ev = event_new(EV_SEGMENT);
        mm_err_t err = ev ? edge_segment_finish(*w, end_us, &ev->u.segment) : MM_ENOMEM;
        if (err == MM_OK) {
            post(c->in, ev);
        } else {
            if (!ev)
                edge_segment_abort(*w);
            free(ev);
            /* A partial file stays when finishing failed: it is recovered at the next start. */
            MM_ERROR("%s: cannot finish a segment: %s", c->id, mm_strerror(err));
        }
    }
    *w = NULL;
}

int ingest_paused(camera_t *c, char *reason, size_t cap)
{
    pthread_mutex_lock(&c->in->lock);
    int p = c->paused;
    if (p && reason && cap)
        snprintf(reason, cap, "%s", c->pause_reason);
    pthread_mutex_unlock(&c->in->lock);
    return p;
}

/* A write failed: full disk is reported to the loop; the session ends. */
static void write_failed(camera_t *c, mm_err_t err)
{
    if (err == MM_EFULL) {
        ingest_note_break(c, "disk full: writing stopped", NULL);
        event_t *ev = event_new(EV_FULL);
        if (ev) {
            snprintf(ev->u.camera, sizeof ev->u.camera, "%s", c->id);
            post(c->in, ev);
        }
    } else {
        ingest_note_break(c, "cannot write", mm_strerror(err));
    }
    MM_ERROR("%s: cannot write footage: %s", c->id, mm_strerror(err));
}

/* After a step of the wall clock back, a segment may start at the very microsecond of one
 * recorded before the step (frame times follow the camera's exact frame interval), and its file
 * would replace that one's. The start moves on a microsecond at a time until its name is free. */
static int64_t free_start(const char *dir, int64_t start)
{
    for (int i = 0; i < 1000 && edge_segment_exists(dir, start); i++)
        start++;
    return start;
}

static mm_err_t start_segment(camera_t *c, const ingest_frame_t *f, int64_t *now)
{
    *now = free_start(c->dir, *now);
    int64_t epoch;
    uint8_t salt[EDGE_SEG_SALT_LEN], key[EDGE_SEG_KEY_LEN];
    const edge_ingest_hooks_t *h = &c->in->hooks;
    mm_err_t err = h->key(h->arg, c->id, *now, &epoch, salt, key);
    if (err == MM_OK)
        err = edge_segment_create(c->dir, c->id, f->codec, f->extradata, f->extradata_len, *now,
                                  epoch, salt, key, &c->w);
    mm_wipe(key, sizeof key);
    if (err == MM_OK) {
        c->seg_start = *now;
    } else {
        MM_ERROR("%s: cannot start a segment in %s: %s", c->id, c->dir, mm_strerror(err));
        write_failed(c, err);
    }
    return err;
}

/* Shows the tap a frame read. */
static void tap_frame(camera_t *c, const ingest_frame_t *fr, int64_t now)
{
    struct edge_ingest *in = c->in;
    pthread_mutex_lock(&in->tap_lock);
    if (in->tap) {
        edge_tap_frame_t f = {.camera = (size_t)(c - in->cams),
                              .codec = fr->codec,
                              .data = fr->data,
                              .len = fr->len,
                              .key = fr->key,
                              .time_us = now,
                              .pts = fr->pts,
                              .extradata = fr->extradata,
                              .extradata_len = fr->extradata_len,
                              .width = fr->width,
                              .height = fr->height};
        in->tap(in->tap_arg, &f);
    }
    pthread_mutex_unlock(&in->tap_lock);
}

void edge_ingest_tap(edge_ingest_t *in, edge_ingest_tap_fn fn, void *arg)
{
    pthread_mutex_lock(&in->tap_lock);
    in->tap = fn;
    in->tap_arg = arg;
    pthread_mutex_unlock(&in->tap_lock);
}

/* The wall clock jumped during the open segment *w: the segment goes on in its own time (its last
 * frame's plus the monotonic time since: *now and *jumps become those) up to the next keyframe,
 * where it ends and the next begins in the new time; so no segment spans a step, and no frame is
 * lost to it. After a stall it ends at its last frame. 0 when the frame waits for a keyframe. */
static int across_jump(camera_t *c, edge_segment_writer_t **w, int key, int stalled, int64_t mono,
                       int64_t *now, uint64_t *jumps)
{
    int64_t own = c->last_frame_us + (mono - c->last_frame_mono);
    if (!key && !stalled) {
        *now = own;
        *jumps = c->frame_jumps;
        return 1;
    }
    finish(c, w, stalled ? c->last_frame_us : own);
    return key;
}

void ingest_session_begin(camera_t *c)
{
    edge_frametime_reset(&c->ft);
    c->wrote = 0;
}

void ingest_session_end(camera_t *c)
{
    finish(c, &c->w, c->last_frame_us ? c->last_frame_us : mm_now_us());
}

/* Writes f (timed now, mono, jumps) into the open segment, first ending it at a stall and
 * starting the next at a keyframe. */
static mm_err_t write_frame(camera_t *c, const ingest_frame_t *f, int64_t now, int64_t mono,
                            uint64_t jumps, int stalled)
{
    int64_t prev = c->last_frame_us;
    /* A stall inside one segment ends that segment, so that segments never span a gap and
     * their times stay a true record of what was recorded. */
    if (stalled && edge_segment_frames(c->w) > 0) {
        finish(c, &c->w, prev);
        if (!f->key)
            return MM_OK; /* wait for a keyframe to start the next */
        mm_err_t err = start_segment(c, f, &now);
        if (err != MM_OK)
            return err;
        c->seg_jumps = jumps;
    }
    end_gap(c, now, mono, jumps);
    mm_err_t err = edge_segment_write(c->w, now, f->pts, f->key, f->data, f->len);
    if (err != MM_OK) {
        write_failed(c, err);
        return err;
    }
    c->wrote = 1;
    c->last_frame_us = now;
    c->last_frame_mono = mono;
    c->frame_jumps = jumps;
    atomic_store(&c->seen_us, now);
    return MM_OK;
}

mm_err_t ingest_frame(camera_t *c, const ingest_frame_t *f)
{
    int64_t mono;
    uint64_t jumps;
    int64_t now = clock_now(c->in, &mono, &jumps);
    /* Read after a pause: not written (edge_ingest_pause); the session ends on its own thread. */
    if (ingest_paused(c, NULL, 0))
        return MM_OK;
    tap_frame(c, f, now);
    /* From here on the frame's time is when it was taken, not when it was read. */
    int64_t at = edge_frametime_at(&c->ft, f->ts, f->rate, mono);
    now -= mono - at;
    mono = at;
    int key = f->key;
    int stalled = c->last_frame_mono > 0 && mono - c->last_frame_mono > EDGE_GAP_US;
    if (c->w && jumps != c->seg_jumps && !across_jump(c, &c->w, key, stalled, mono, &now, &jumps))
        return MM_OK;
    /* Cut at a keyframe; after a stall the segment ends at its last frame, not at this one. */
    if (c->w && key && now - c->seg_start >= (int64_t)c->segment_seconds * 1000000)
        finish(c, &c->w, stalled ? c->last_frame_us : now);
    if (!c->w && key) {
        mm_err_t err = start_segment(c, f, &now);
        if (err != MM_OK)
            return err;
        c->seg_jumps = jumps;
    }
    return c->w ? write_frame(c, f, now, mono, jumps, stalled) : MM_OK;
}

/* On the loop thread: delivers everything queued. */
static void drain(struct edge_ingest *in)
{
    pthread_mutex_lock(&in->lock);
    event_t *ev = in->head;
    in->head = in->tail = NULL;
    pthread_mutex_unlock(&in->lock);
    const edge_ingest_hooks_t *h = &in->hooks;
    while (ev) {
        event_t *next = ev->next;
        switch (ev->kind) {
        case EV_SEGMENT:
            if (h->segment)
                h->segment(h->arg, &ev->u.segment);
            break;
        case EV_GAP:
            if (h->gap)
                h->gap(h->arg, &ev->u.gap);
            break;
        case EV_FULL:
            if (h->disk_full)
                h->disk_full(h->arg, ev->u.camera);
            break;
        case EV_CLOCK:
            if (h->clock_jumped)
                h->clock_jumped(h->arg, &ev->u.jump);
            break;
        }
        free(ev);
        ev = next;
    }
}

static void on_async(uv_async_t *h)
{
    drain(h->data);
}

mm_err_t edge_ingest_create(uv_loop_t *loop, const edge_camera_conf_t *cams, size_t n,
                            const edge_ingest_hooks_t *hooks, edge_ingest_t **out)
{
    if (!hooks->key)
        return MM_EINVAL;
    edge_ingest_t *in = calloc(1, sizeof *in);
    if (!in)
        return MM_ENOMEM;
    in->cams = calloc(n ? n : 1, sizeof *in->cams);
    if (!in->cams) {
        free(in);
        return MM_ENOMEM;
    }
    in->loop = loop;
    in->hooks = *hooks;
    in->n = n;
    atomic_init(&in->stop, 0);
    pthread_mutex_init(&in->lock, NULL);
    pthread_mutex_init(&in->tap_lock, NULL);
    pthread_mutex_init(&in->clock_lock, NULL);
    in->jump_us = hooks->jump_us > 0 ? hooks->jump_us : MM_CLOCK_JUMP_US;
    pthread_cond_init(&in->wake, NULL);
    for (size_t i = 0; i < n; i++) {
        camera_t *c = &in->cams[i];
        c->in = in;
        c->id = strdup(cams[i].id);
        c->url = strdup(cams[i].url);
        char shown[MM_REDACT_MAX];
        c->shown = strdup(mm_redact(cams[i].url, shown, sizeof shown));
        c->dir = strdup(cams[i].dir);
        c->segment_seconds = cams[i].segment_seconds > 0 ? cams[i].segment_seconds : 10;
        c->libav = cams[i].libav;
        c->last_frame_us = cams[i].last_seen_us;
        if (c->last_frame_us > 0)
            ingest_note_break(c, "the edge was not recording (stopped, restarted or crashed)",
                              NULL);
        if (!c->id || !c->url || !c->shown || !c->dir) {
            in->n = i + 1;
            edge_ingest_destroy(in);
            return MM_ENOMEM;
        }
    }
    mm_err_t err = MM_OK;
    for (size_t i = 0; err == MM_OK && i < n; i++)
        if (!in->cams[i].libav) {
            if (!in->readers)
                err = edge_readers_create(0, &in->readers);
            if (err == MM_OK)
                err = ingest_own_add(in->readers, &in->cams[i]);
        }
    if (err != MM_OK) {
        edge_ingest_destroy(in);
        return err;
    }
    uv_async_init(loop, &in->async, on_async);
    in->async.data = in;
    *out = in;
    return MM_OK;
}

mm_err_t edge_ingest_start(edge_ingest_t *in)
{
    for (size_t i = 0; i < in->n; i++) {
        if (!in->cams[i].libav)
            continue;
        mm_err_t err = ingest_libav_start(&in->cams[i]);
        if (err != MM_OK)
            return err;
    }
    return in->readers ? edge_readers_start(in->readers) : MM_OK;
}

static camera_t *find(edge_ingest_t *in, const char *camera)
{
    for (size_t i = 0; i < in->n; i++)
        if (strcmp(in->cams[i].id, camera) == 0)
            return &in->cams[i];
    return NULL;
}

mm_err_t edge_ingest_pause(edge_ingest_t *in, const char *camera, const char *reason)
{
    camera_t *c = find(in, camera);
    if (!c)
        return MM_ENOTFOUND;
    pthread_mutex_lock(&in->lock);
    c->paused = 1;
    snprintf(c->pause_reason, sizeof c->pause_reason, "%s", reason);
    pthread_mutex_unlock(&in->lock);
    if (!c->libav)
        edge_readers_pause(in->readers, c->reader, 1);
    return MM_OK;
}

mm_err_t edge_ingest_resume(edge_ingest_t *in, const char *camera)
{
    camera_t *c = find(in, camera);
    if (!c)
        return MM_ENOTFOUND;
    pthread_mutex_lock(&in->lock);
    c->paused = 0;
    pthread_cond_broadcast(&in->wake);
    pthread_mutex_unlock(&in->lock);
    if (!c->libav)
        edge_readers_pause(in->readers, c->reader, 0);
    return MM_OK;
}

int edge_ingest_paused(edge_ingest_t *in, const char *camera, char *reason, size_t cap)
{
    camera_t *c = find(in, camera);
    return c ? ingest_paused(c, reason, cap) : 0;
}

int64_t edge_ingest_last_frame(edge_ingest_t *in, const char *camera)
{
    camera_t *c = find(in, camera);
    return c ? atomic_load(&c->seen_us) : 0;
}

void edge_ingest_stop(edge_ingest_t *in)
{
    atomic_store(&in->stop, 1);
    pthread_mutex_lock(&in->lock);
    pthread_cond_broadcast(&in->wake);
    pthread_mutex_unlock(&in->lock);
    if (in->readers)
        edge_readers_stop(in->readers); /* every session ends: its open segment is finished */
    for (size_t i = 0; i < in->n; i++)
        if (in->cams[i].started) {
            pthread_join(in->cams[i].thread, NULL);
            in->cams[i].started = 0;
        }
    drain(in);
    uv_close((uv_handle_t *)&in->async, NULL);
}

void edge_ingest_destroy(edge_ingest_t *in)
{
    if (!in)
        return;
    event_t *ev = in->head;
    while (ev) {
        event_t *next = ev->next;
        free(ev);
        ev = next;
    }
    for (size_t i = 0; i < in->n; i++) {
        free(in->cams[i].id);
        free(in->cams[i].url);
        free(in->cams[i].shown);
        free(in->cams[i].dir);
    }
    free(in->cams);
    edge_readers_destroy(in->readers);
    pthread_mutex_destroy(&in->lock);
    pthread_mutex_destroy(&in->tap_lock);
    pthread_mutex_destroy(&in->clock_lock);
    pthread_cond_destroy(&in->wake);
    free(in);
}
