/*
 * ingest.c: one recording thread per camera (see ingest.h).
 *
 * A thread owns its camera's connection, its open segment and its gap bookkeeping; it shares
 * only the event queue (under the lock) and the stop and pause flags with the loop thread.
 */
#include "edge/ingest.h"

#include <libavformat/avformat.h>
#include <libavutil/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/redact.h"
#include "edge/frametime.h"

#define READ_DEADLINE_US 10000000   /* a camera silent this long is reconnected */
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 10000

typedef enum { EV_SEGMENT, EV_GAP, EV_FULL, EV_CLOCK } event_kind_t;

typedef struct event_s {
    struct event_s *next;
    event_kind_t kind;
    union {
        edge_segment_info_t segment;
        mm_camera_gap_t gap;
        char camera[MM_ID_MAX];
        mm_clock_jump_t jump;
    } u;
} event_t;

typedef struct {
    struct edge_ingest *in;
    char *id, *url, *dir;
    char *shown; /* url as logs show it: its password and query hidden (redact.h) */
    int segment_seconds;
    pthread_t thread;
    int started;
    int64_t deadline_us;          /* monotonic; av_read_frame gives up after it */
    /* gap bookkeeping, camera thread only */
    int64_t last_frame_us;        /* time of the last frame written, 0 before the first */
    int64_t last_frame_mono;      /* its monotonic time, 0 before the first of this run */
    uint64_t seg_jumps;           /* the clock's jumps when the open segment started */
    uint64_t frame_jumps;         /* the clock's jumps at the last frame written */
    edge_frametime_t ft;          /* frame times of the session (frametime.h) */
    int broken;                   /* a break happened since last_frame_us */
    char why[MM_TEXT_MAX];        /* what the break was */
    _Atomic int64_t seen_us;      /* the last frame written in this run, for alerts (any thread) */
    /* pause, under in->lock */
    int paused;
    char pause_reason[MM_TEXT_MAX];
} camera_t;

struct edge_ingest {
    uv_loop_t *loop;
    uv_async_t async;
    edge_ingest_hooks_t hooks;
    atomic_int stop;
    pthread_mutex_t lock;
    pthread_cond_t wake;          /* backoff sleeps and pauses wake on stop and resume */
    event_t *head, *tail;         /* events for the loop, under lock */
    pthread_mutex_t tap_lock;     /* held while the tap runs */
    edge_ingest_tap_fn tap;       /* under tap_lock */
    void *tap_arg;
    size_t n;
    camera_t *cams;
    pthread_mutex_t clock_lock; /* the wall time of every camera, one mapping (clock.h) */
    mm_wallmap_t clock;
    int64_t jump_us;
};

static int on_interrupt(void *arg)
{
    camera_t *c = arg;
    return atomic_load(&c->in->stop) || av_gettime_relative() > c->deadline_us;
}

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
static void note_break(camera_t *c, const char *what, const char *detail)
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

/* Sleeps ms unless stopping or woken by resume. */
static void backoff_sleep(struct edge_ingest *in, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&in->lock);
    while (!atomic_load(&in->stop) &&
           pthread_cond_timedwait(&in->wake, &in->lock, &until) == 0) {
    }
    pthread_mutex_unlock(&in->lock);
}

static int is_paused(camera_t *c)
{
    pthread_mutex_lock(&c->in->lock);
    int p = c->paused;
    pthread_mutex_unlock(&c->in->lock);
    return p;
}

static const char *codec_name(enum AVCodecID id)
{
    switch (id) {
    case AV_CODEC_ID_H264:
        return "h264";
    case AV_CODEC_ID_HEVC:
        return "hevc";
    default:
        return NULL;
    }
}

static mm_err_t start_segment(camera_t *c, const char *codec, const AVCodecParameters *par,
                              int64_t now, edge_segment_writer_t **w)
{
    int64_t epoch;
    uint8_t salt[EDGE_SEG_SALT_LEN], key[EDGE_SEG_KEY_LEN];
    const edge_ingest_hooks_t *h = &c->in->hooks;
    mm_err_t err = h->key(h->arg, c->id, now, &epoch, salt, key);
    if (err == MM_OK)
        err = edge_segment_create(c->dir, c->id, codec, par->extradata,
                                  par->extradata_size > 0 ? (size_t)par->extradata_size : 0, now,
                                  epoch, salt, key, w);
    mm_wipe(key, sizeof key);
    return err;
}

/* A write failed: full disk is reported to the loop; the session ends. */
static void write_failed(camera_t *c, mm_err_t err)
{
    if (err == MM_EFULL) {
        note_break(c, "disk full: writing stopped", NULL);
        event_t *ev = event_new(EV_FULL);
        if (ev) {
            snprintf(ev->u.camera, sizeof ev->u.camera, "%s", c->id);
            post(c->in, ev);
        }
    } else {
        note_break(c, "cannot write", mm_strerror(err));
    }
    MM_ERROR("%s: cannot write footage: %s", c->id, mm_strerror(err));
}

/* Shows the tap a frame read. */
static void tap_frame(camera_t *c, const char *codec, const AVCodecParameters *par,
                      const AVPacket *pkt, int64_t now)
{
    struct edge_ingest *in = c->in;
    pthread_mutex_lock(&in->tap_lock);
    if (in->tap) {
        edge_tap_frame_t f = {.camera = (size_t)(c - in->cams),
                              .codec = codec,
                              .data = pkt->data,
                              .len = (size_t)pkt->size,
                              .key = (pkt->flags & AV_PKT_FLAG_KEY) != 0,
                              .time_us = now,
                              .pts = pkt->pts,
                              .extradata = par->extradata,
                              .extradata_len =
                                  par->extradata_size > 0 ? (size_t)par->extradata_size : 0,
                              .width = par->width,
                              .height = par->height};
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

/* The time of the frame in pkt as its stream's timestamps give it (frametime.h): *mono, read
 * time on entry, becomes the frame's monotonic time and *now its wall time on the same mapping. */
static void frame_time(camera_t *c, const AVPacket *pkt, AVRational tb, int64_t *now, int64_t *mono)
{
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    uint32_t rate = 0;
    if (ts != AV_NOPTS_VALUE && tb.num == 1 && tb.den > 0) {
        rate = (uint32_t)tb.den;
    } else if (ts != AV_NOPTS_VALUE && tb.num > 0 && tb.den > 0) {
        ts = av_rescale_q(ts, tb, (AVRational){1, 1000000});
        rate = 1000000;
    }
    int64_t at = edge_frametime_at(&c->ft, ts, rate, *mono);
    *now -= *mono - at;
    *mono = at;
}

/* One connection: returns when the camera fails, is paused, or stop is set. 1 if frames came. */
static int record_session(camera_t *c)
{
    AVFormatContext *fmt = avformat_alloc_context();
    if (!fmt)
        return 0;
    fmt->interrupt_callback.callback = on_interrupt;
    fmt->interrupt_callback.opaque = c;
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "rtsp_transport", "tcp", 0);
    av_dict_set(&opts, "timeout", "5000000", 0); /* socket I/O timeout, microseconds */
    c->deadline_us = av_gettime_relative() + READ_DEADLINE_US;
    int rc = avformat_open_input(&fmt, c->url, NULL, &opts);
    av_dict_free(&opts);
    char e[128];
    if (rc < 0) {
        av_strerror(rc, e, sizeof e);
        MM_WARN("%s: cannot open %s: %s", c->id, c->shown, e);
        note_break(c, "camera unreachable", e);
        return 0;
    }
    c->deadline_us = av_gettime_relative() + READ_DEADLINE_US;
    rc = avformat_find_stream_info(fmt, NULL);
    int vs = rc < 0 ? rc : av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const char *codec = vs >= 0 ? codec_name(fmt->streams[vs]->codecpar->codec_id) : NULL;
    if (!codec) {
        MM_WARN("%s: %s has no H.264 or H.265 video stream", c->id, c->shown);
        note_break(c, "camera sends no H.264 or H.265 video", NULL);
        avformat_close_input(&fmt);
        return 0;
    }
    AVCodecParameters *par = fmt->streams[vs]->codecpar;
    AVRational tb = fmt->streams[vs]->time_base;
    edge_frametime_reset(&c->ft);
    MM_INFO("%s: recording %s (%s %dx%d)", c->id, c->shown, codec, par->width, par->height);

    AVPacket *pkt = av_packet_alloc();
    edge_segment_writer_t *w = NULL;
    int64_t seg_start = 0;
    int got = 0;
    while (pkt && !atomic_load(&c->in->stop)) {
        if (is_paused(c))
            break;
        c->deadline_us = av_gettime_relative() + READ_DEADLINE_US;
        rc = av_read_frame(fmt, pkt);
        if (rc < 0) {
            if (!atomic_load(&c->in->stop)) {
                av_strerror(rc, e, sizeof e);
                MM_WARN("%s: reading %s failed: %s", c->id, c->shown, e);
                note_break(c, "connection to the camera lost", e);
            }
            break;
        }
        if (pkt->stream_index != vs || pkt->size <= 0) {
            av_packet_unref(pkt);
            continue;
        }
        int64_t mono;
        uint64_t jumps;
        int64_t now = clock_now(c->in, &mono, &jumps);
        int key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
        tap_frame(c, codec, par, pkt, now);
        /* From here on the frame's time is when it was taken, not when it was read. */
        frame_time(c, pkt, tb, &now, &mono);
        int stalled = c->last_frame_mono > 0 && mono - c->last_frame_mono > EDGE_GAP_US;
        if (w && jumps != c->seg_jumps && !across_jump(c, &w, key, stalled, mono, &now, &jumps)) {
            av_packet_unref(pkt);
            continue;
        }
        /* Cut at a keyframe; after a stall the segment ends at its last frame, not at this one. */
        if (w && key && now - seg_start >= (int64_t)c->segment_seconds * 1000000)
            finish(c, &w, stalled ? c->last_frame_us : now);
        if (!w && key) {
            mm_err_t err = start_segment(c, codec, par, now, &w);
            if (err != MM_OK) {
                MM_ERROR("%s: cannot start a segment in %s: %s", c->id, c->dir,
                         mm_strerror(err));
                write_failed(c, err);
                av_packet_unref(pkt);
                break;
            }
            seg_start = now;
            c->seg_jumps = jumps;
        }
        if (w) {
            int64_t prev = c->last_frame_us;
            /* A stall inside one segment ends that segment, so that segments never span a gap
             * and their times stay a true record of what was recorded. */
            if (stalled && edge_segment_frames(w) > 0) {
                finish(c, &w, prev);
                if (!key) {
                    av_packet_unref(pkt);
                    continue; /* wait for a keyframe to start the next */
                }
                mm_err_t err = start_segment(c, codec, par, now, &w);
                if (err != MM_OK) {
                    write_failed(c, err);
                    av_packet_unref(pkt);
                    break;
                }
                seg_start = now;
                c->seg_jumps = jumps;
            }
            end_gap(c, now, mono, jumps);
            mm_err_t err = edge_segment_write(w, now, pkt->pts, key, pkt->data, (size_t)pkt->size);
            if (err != MM_OK) {
                write_failed(c, err);
                av_packet_unref(pkt);
                break;
            }
            got = 1;
            c->last_frame_us = now;
            c->last_frame_mono = mono;
            c->frame_jumps = jumps;
            atomic_store(&c->seen_us, now);
        }
        av_packet_unref(pkt);
    }
    /* The segment ends at the last frame written (on stop, pause or camera failure). */
    finish(c, &w, c->last_frame_us ? c->last_frame_us : mm_now_us());
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
    return got;
}

static void *camera_thread(void *arg)
{
    camera_t *c = arg;
    struct edge_ingest *in = c->in;
    int backoff = BACKOFF_MIN_MS;
    while (!atomic_load(&in->stop)) {
        pthread_mutex_lock(&in->lock);
        if (c->paused) {
            note_break(c, c->pause_reason, NULL);
            while (c->paused && !atomic_load(&in->stop))
                pthread_cond_wait(&in->wake, &in->lock);
            backoff = BACKOFF_MIN_MS;
        }
        pthread_mutex_unlock(&in->lock);
        if (atomic_load(&in->stop))
            break;
        if (record_session(c))
            backoff = BACKOFF_MIN_MS;
        if (atomic_load(&in->stop) || is_paused(c))
            continue;
        MM_WARN("%s: camera down; reconnecting in %d ms", c->id, backoff);
        backoff_sleep(in, backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    return NULL;
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
        c->last_frame_us = cams[i].last_seen_us;
        if (c->last_frame_us > 0)
            note_break(c, "the edge was not recording (stopped, restarted or crashed)", NULL);
        if (!c->id || !c->url || !c->shown || !c->dir) {
            in->n = i + 1;
            edge_ingest_destroy(in);
            return MM_ENOMEM;
        }
    }
    uv_async_init(loop, &in->async, on_async);
    in->async.data = in;
    *out = in;
    return MM_OK;
}

mm_err_t edge_ingest_start(edge_ingest_t *in)
{
    avformat_network_init();
    for (size_t i = 0; i < in->n; i++) {
        if (pthread_create(&in->cams[i].thread, NULL, camera_thread, &in->cams[i]) != 0)
            return MM_ENOMEM;
        in->cams[i].started = 1;
    }
    return MM_OK;
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
    return MM_OK;
}

int edge_ingest_paused(edge_ingest_t *in, const char *camera)
{
    camera_t *c = find(in, camera);
    return c ? is_paused(c) : 0;
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
    pthread_mutex_destroy(&in->lock);
    pthread_mutex_destroy(&in->tap_lock);
    pthread_mutex_destroy(&in->clock_lock);
    pthread_cond_destroy(&in->wake);
    free(in);
}
