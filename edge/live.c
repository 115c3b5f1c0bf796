/*
 * live.c: cameras watched live (see live.h).
 *
 * Shared with the cameras' threads, under lock: whether a camera is wanted and its queue of
 * frames. The rest (viewers, muxers, the GOPs kept) is the loop thread's.
 */
#include "edge/live.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "edge/livemux.h"

typedef struct frame_s {
    struct frame_s *next;
    int key;
    int64_t time_us;
    const char *codec; /* a string constant of ingest's */
    int width, height;
    size_t len, params_len;
    uint8_t *data, *params; /* params: the reader's extradata, may be NULL */
} frame_t;

typedef struct piece_s {
    struct piece_s *next;
    size_t len;
    uint8_t data[];
} piece_t;

struct edge_live_sub {
    edge_live_t *lv;
    size_t cam;
    edge_live_viewer_t v;
    int started;  /* has had ready and the init segment */
    int need_key; /* skips fragments until a keyframe's */
    int dead;
    uint64_t bytes, frames;
    edge_live_sub_t *next;
};

typedef struct {
    /* under lv->lock */
    int wanted;
    frame_t *head, *tail;
    size_t n, bytes;
    int dropped;
    /* loop thread */
    edge_live_sub_t *subs;
    edge_livemux_t *mux;
    uint8_t *init;
    size_t init_len;
    int width, height;
    int need_key;
    int64_t epoch_us;
    piece_t *gop, *gop_tail; /* the fragments since the last keyframe's */
    size_t gop_bytes;
    int gop_whole; /* gop starts at a keyframe and holds every fragment since */
    int failed;    /* the muxer refused this camera's stream (said once) */
} cam_t;

struct edge_live {
    uv_loop_t *loop;
    edge_ingest_t *in;
    uv_async_t async;
    pthread_mutex_t lock;
    size_t n;
    cam_t *cams;
};

static void frame_free(frame_t *f)
{
    free(f->data);
    free(f->params);
    free(f);
}

/* --- the cameras' threads ------------------------------------------------------------------- */

static frame_t *frame_copy(const edge_tap_frame_t *t)
{
    frame_t *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->key = t->key;
    f->time_us = t->time_us;
    f->codec = t->codec;
    f->width = t->width;
    f->height = t->height;
    f->len = t->len;
    f->data = malloc(t->len ? t->len : 1);
    if (f->data)
        memcpy(f->data, t->data, t->len);
    if (f->data && t->key && t->extradata_len) {
        f->params = malloc(t->extradata_len);
        if (f->params) {
            memcpy(f->params, t->extradata, t->extradata_len);
            f->params_len = t->extradata_len;
        }
    }
    if (!f->data) {
        frame_free(f);
        return NULL;
    }
    return f;
}

static void tap(void *arg, const edge_tap_frame_t *t)
{
    edge_live_t *lv = arg;
    if (t->camera >= lv->n)
        return;
    cam_t *c = &lv->cams[t->camera];
    pthread_mutex_lock(&lv->lock);
    int wanted = c->wanted;
    int full = c->n >= EDGE_LIVE_QUEUE_FRAMES || c->bytes + t->len > EDGE_LIVE_QUEUE_BYTES;
    if (wanted && full)
        c->dropped = 1;
    pthread_mutex_unlock(&lv->lock);
    if (!wanted || full)
        return;
    frame_t *f = frame_copy(t);
    pthread_mutex_lock(&lv->lock);
    if (!f) {
        c->dropped = 1;
    } else {
        if (c->tail)
            c->tail->next = f;
        else
            c->head = f;
        c->tail = f;
        c->n++;
        c->bytes += f->len;
    }
    pthread_mutex_unlock(&lv->lock);
    uv_async_send(&lv->async);
}

/* --- the loop: handing out ------------------------------------------------------------------ */

static void gop_clear(cam_t *c)
{
    while (c->gop) {
        piece_t *p = c->gop->next;
        free(c->gop);
        c->gop = p;
    }
    c->gop_tail = NULL;
    c->gop_bytes = 0;
    c->gop_whole = 0;
}

static void gop_add(cam_t *c, const uint8_t *buf, size_t len, int key)
{
    if (key) {
        gop_clear(c);
        c->gop_whole = 1;
    }
    if (!c->gop_whole)
        return;
    piece_t *p = c->gop_bytes + len <= EDGE_LIVE_GOP_BYTES ? malloc(sizeof *p + len) : NULL;
    if (!p) {
        gop_clear(c); /* too long a GOP to keep: new viewers wait for the next keyframe */
        return;
    }
    p->next = NULL;
    p->len = len;
    memcpy(p->data, buf, len);
    if (c->gop_tail)
        c->gop_tail->next = p;
    else
        c->gop = p;
    c->gop_tail = p;
    c->gop_bytes += len;
}

/* Gives s bytes; marks it dead when it has gone, behind when it cannot keep up. */
static void give(edge_live_sub_t *s, const uint8_t *buf, size_t len, int fragment)
{
    if (s->dead)
        return;
    long q = s->v.write(s->v.arg, buf, len);
    if (q < 0) {
        s->dead = 1;
        return;
    }
    s->bytes += len;
    s->frames += fragment != 0;
    if (q > EDGE_LIVE_BEHIND_BYTES && !s->need_key) {
        MM_INFO("live: a viewer of camera %zu is behind (%ld bytes queued): on at the next "
                "keyframe",
                s->cam, q);
        s->need_key = 1;
    }
}

/* A viewer joins the stream: ready, the init segment, and the current GOP when whole. */
static void start_sub(edge_live_t *lv, edge_live_sub_t *s)
{
    cam_t *c = &lv->cams[s->cam];
    if (s->started || s->dead || !c->mux)
        return;
    s->started = 1;
    if (s->v.ready(s->v.arg, edge_livemux_codec(c->mux), c->width, c->height, c->epoch_us) != 0) {
        s->dead = 1;
        return;
    }
    give(s, c->init, c->init_len, 0);
    s->need_key = !c->gop_whole;
    for (piece_t *p = c->gop_whole ? c->gop : NULL; p; p = p->next)
        give(s, p->data, p->len, 1);
}

static void mux_out(void *arg, const uint8_t *buf, size_t len, int init, int key)
{
    cam_t *c = arg;
    if (init) {
        uint8_t *copy = malloc(len);
        if (copy)
            memcpy(copy, buf, len);
        free(c->init);
        c->init = copy;
        c->init_len = copy ? len : 0;
        return;
    }
    gop_add(c, buf, len, key);
    for (edge_live_sub_t *s = c->subs; s; s = s->next) {
        if (!s->started || s->dead || (s->need_key && !key))
            continue;
        s->need_key = 0;
        give(s, buf, len, 1);
    }
}

static void mux_end(cam_t *c)
{
    edge_livemux_destroy(c->mux);
    c->mux = NULL;
    free(c->init);
    c->init = NULL;
    c->init_len = 0;
    gop_clear(c);
}

/* A keyframe with no muxer yet: one for its parameter sets; every viewer starts. */
static void mux_begin(edge_live_t *lv, cam_t *c, const frame_t *f)
{
    const uint8_t *ps = f->params_len ? f->params : f->data;
    size_t ps_len = f->params_len ? f->params_len : f->len;
    mm_err_t err =
        edge_livemux_create(f->codec, ps, ps_len, f->width, f->height, mux_out, c, &c->mux);
    if (err == MM_OK && !c->init)
        err = MM_ENOMEM;
    if (err != MM_OK) {
        if (!c->failed)
            MM_ERROR("live: camera %zu's %s stream cannot be made into MP4: %s",
                     (size_t)(c - lv->cams), f->codec, mm_strerror(err));
        c->failed = 1;
        mux_end(c);
        return;
    }
    if (!c->epoch_us)
        c->epoch_us = f->time_us;
    c->width = f->width;
    c->height = f->height;
    for (edge_live_sub_t *s = c->subs; s; s = s->next)
        start_sub(lv, s);
}

static void take_frame(edge_live_t *lv, cam_t *c, frame_t *f)
{
    if (!c->mux && f->key)
        mux_begin(lv, c, f);
    if (!c->mux)
        return;
    if (c->need_key && !f->key)
        return;
    c->need_key = 0;
    if (edge_livemux_frame(c->mux, f->data, f->len, f->key, f->time_us - c->epoch_us) != MM_OK) {
        MM_WARN("live: camera %zu: the muxer failed; starting again at the next keyframe",
                (size_t)(c - lv->cams));
        mux_end(c);
    }
}

static void on_async(uv_async_t *a)
{
    edge_live_t *lv = a->data;
    for (size_t i = 0; i < lv->n; i++) {
        cam_t *c = &lv->cams[i];
        pthread_mutex_lock(&lv->lock);
        frame_t *f = c->head;
        c->head = c->tail = NULL;
        c->n = c->bytes = 0;
        int dropped = c->dropped;
        c->dropped = 0;
        pthread_mutex_unlock(&lv->lock);
        if (dropped) {
            MM_INFO("live: camera %zu: frames dropped (the loop fell behind)", i);
            c->need_key = 1;
        }
        while (f) {
            frame_t *next = f->next;
            if (c->subs)
                take_frame(lv, c, f);
            frame_free(f);
            f = next;
        }
    }
}

/* --- viewers -------------------------------------------------------------------------------- */

edge_live_t *edge_live_create(uv_loop_t *loop, edge_ingest_t *in, size_t n)
{
    edge_live_t *lv = calloc(1, sizeof *lv);
    if (!lv || !(lv->cams = calloc(n ? n : 1, sizeof *lv->cams))) {
        free(lv);
        return NULL;
    }
    lv->loop = loop;
    lv->in = in;
    lv->n = n;
    pthread_mutex_init(&lv->lock, NULL);
    uv_async_init(loop, &lv->async, on_async);
    lv->async.data = lv;
    if (in)
        edge_ingest_tap(in, tap, lv);
    return lv;
}

static void set_wanted(edge_live_t *lv, cam_t *c, int wanted)
{
    pthread_mutex_lock(&lv->lock);
    c->wanted = wanted;
    frame_t *f = wanted ? NULL : c->head;
    if (!wanted) {
        c->head = c->tail = NULL;
        c->n = c->bytes = 0;
    }
    pthread_mutex_unlock(&lv->lock);
    while (f) {
        frame_t *next = f->next;
        frame_free(f);
        f = next;
    }
}

edge_live_sub_t *edge_live_subscribe(edge_live_t *lv, size_t camera, const edge_live_viewer_t *v)
{
    if (camera >= lv->n)
        return NULL;
    edge_live_sub_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    cam_t *c = &lv->cams[camera];
    s->lv = lv;
    s->cam = camera;
    s->v = *v;
    s->next = c->subs;
    c->subs = s;
    set_wanted(lv, c, 1);
    start_sub(lv, s);
    return s;
}

uint64_t edge_live_bytes(const edge_live_sub_t *s)
{
    return s->bytes;
}

uint64_t edge_live_frames(const edge_live_sub_t *s)
{
    return s->frames;
}

void edge_live_unsubscribe(edge_live_sub_t *s)
{
    if (!s)
        return;
    edge_live_t *lv = s->lv;
    cam_t *c = &lv->cams[s->cam];
    for (edge_live_sub_t **p = &c->subs; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    free(s);
    if (!c->subs) { /* nobody watches: the camera is only recorded */
        set_wanted(lv, c, 0);
        mux_end(c);
        c->need_key = 0;
    }
}

static void on_closed(uv_handle_t *h)
{
    edge_live_t *lv = h->data;
    for (size_t i = 0; i < lv->n; i++) {
        set_wanted(lv, &lv->cams[i], 0);
        mux_end(&lv->cams[i]);
    }
    pthread_mutex_destroy(&lv->lock);
    free(lv->cams);
    free(lv);
}

void edge_live_close(edge_live_t *lv)
{
    if (!lv)
        return;
    if (lv->in)
        edge_ingest_tap(lv->in, NULL, NULL);
    uv_close((uv_handle_t *)&lv->async, on_closed);
}
