/*
 * ingest.c: one recording thread per camera (see ingest.h).
 */
#include "ingest.h"

#include <libavformat/avformat.h>
#include <libavutil/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "diag.h"

#define READ_DEADLINE_US 10000000   /* a camera silent this long is reconnected */
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 10000

typedef struct done_s {
    struct done_s *next;
    edge_segment_info_t info;
} done_t;

typedef struct {
    struct edge_ingest *in;
    char *id, *url, *dir;
    int segment_seconds;
    pthread_t thread;
    int started;
    int64_t deadline_us;          /* monotonic; av_read_frame gives up after it */
} camera_t;

struct edge_ingest {
    uv_loop_t *loop;
    uv_async_t async;
    edge_ingest_cb cb;
    void *arg;
    atomic_int stop;
    pthread_mutex_t lock;
    pthread_cond_t wake;          /* backoff sleeps wake on stop */
    done_t *head, *tail;          /* finished segments for the loop, under lock */
    size_t n;
    camera_t *cams;
};

static int on_interrupt(void *arg)
{
    camera_t *c = arg;
    return atomic_load(&c->in->stop) || av_gettime_relative() > c->deadline_us;
}

/* Hands a finished segment to the loop thread. */
static void deliver(struct edge_ingest *in, const edge_segment_info_t *info)
{
    done_t *d = malloc(sizeof *d);
    if (!d) {
        MM_ERROR("%s: out of memory; segment %s is on disk but not logged", info->camera,
                 info->path);
        return;
    }
    d->info = *info;
    d->next = NULL;
    pthread_mutex_lock(&in->lock);
    if (in->tail)
        in->tail->next = d;
    else
        in->head = d;
    in->tail = d;
    pthread_mutex_unlock(&in->lock);
    uv_async_send(&in->async);
}

static void finish(camera_t *c, edge_segment_writer_t **w, int64_t end_us)
{
    if (!*w)
        return;
    if (edge_segment_frames(*w) == 0) {
        edge_segment_abort(*w);
    } else {
        edge_segment_info_t info;
        if (edge_segment_finish(*w, end_us, &info) == MM_OK)
            deliver(c->in, &info);
    }
    *w = NULL;
}

/* Sleeps ms unless stopping. */
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

static const char *codec_name(enum AVCodecID id)
{
    switch (id) {
    case AV_CODEC_ID_H264:
        return "h264";
    case AV_CODEC_ID_HEVC:
        return "h265";
    default:
        return NULL;
    }
}

/* One connection: returns when the camera fails or stop is set. Returns 1 if frames came. */
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
    if (rc < 0) {
        char e[128];
        av_strerror(rc, e, sizeof e);
        MM_WARN("%s: cannot open %s: %s", c->id, c->url, e);
        return 0;
    }
    c->deadline_us = av_gettime_relative() + READ_DEADLINE_US;
    rc = avformat_find_stream_info(fmt, NULL);
    int vs = rc < 0 ? rc : av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const char *codec = vs >= 0 ? codec_name(fmt->streams[vs]->codecpar->codec_id) : NULL;
    if (!codec) {
        MM_WARN("%s: %s has no H.264 or H.265 video stream", c->id, c->url);
        avformat_close_input(&fmt);
        return 0;
    }
    AVCodecParameters *par = fmt->streams[vs]->codecpar;
    MM_INFO("%s: recording %s (%s %dx%d)", c->id, c->url, codec, par->width, par->height);

    AVPacket *pkt = av_packet_alloc();
    edge_segment_writer_t *w = NULL;
    int64_t seg_start = 0, last_time = 0;
    int got = 0;
    while (pkt && !atomic_load(&c->in->stop)) {
        c->deadline_us = av_gettime_relative() + READ_DEADLINE_US;
        rc = av_read_frame(fmt, pkt);
        if (rc < 0) {
            if (!atomic_load(&c->in->stop)) {
                char e[128];
                av_strerror(rc, e, sizeof e);
                MM_WARN("%s: reading %s failed: %s", c->id, c->url, e);
            }
            break;
        }
        if (pkt->stream_index != vs || pkt->size <= 0) {
            av_packet_unref(pkt);
            continue;
        }
        int64_t now = mm_now_us();
        int key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
        if (w && key && now - seg_start >= (int64_t)c->segment_seconds * 1000000)
            finish(c, &w, now);
        if (!w && key) {
            mm_err_t err = edge_segment_create(c->dir, c->id, codec, par->extradata,
                                               (size_t)(par->extradata_size > 0
                                                            ? par->extradata_size
                                                            : 0),
                                               now, &w);
            if (err != MM_OK) {
                MM_ERROR("%s: cannot start a segment in %s: %s", c->id, c->dir,
                         mm_strerror(err));
                av_packet_unref(pkt);
                break;
            }
            seg_start = now;
        }
        if (w) {
            mm_err_t err = edge_segment_write(w, now, pkt->pts, key, pkt->data, (size_t)pkt->size);
            if (err != MM_OK) {
                MM_ERROR("%s: cannot write a frame: %s", c->id, mm_strerror(err));
                av_packet_unref(pkt);
                break;
            }
            got = 1;
            last_time = now;
        }
        av_packet_unref(pkt);
    }
    /* The segment ends at the last frame received (on stop or camera failure). */
    finish(c, &w, last_time ? last_time : mm_now_us());
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
    return got;
}

static void *camera_thread(void *arg)
{
    camera_t *c = arg;
    int backoff = BACKOFF_MIN_MS;
    while (!atomic_load(&c->in->stop)) {
        if (record_session(c))
            backoff = BACKOFF_MIN_MS;
        if (atomic_load(&c->in->stop))
            break;
        MM_WARN("%s: camera down; reconnecting in %d ms", c->id, backoff);
        backoff_sleep(c->in, backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    return NULL;
}

/* On the loop thread: delivers everything queued. */
static void drain(struct edge_ingest *in)
{
    pthread_mutex_lock(&in->lock);
    done_t *d = in->head;
    in->head = in->tail = NULL;
    pthread_mutex_unlock(&in->lock);
    while (d) {
        done_t *next = d->next;
        in->cb(&d->info, in->arg);
        free(d);
        d = next;
    }
}

static void on_async(uv_async_t *h)
{
    drain(h->data);
}

mm_err_t edge_ingest_create(uv_loop_t *loop, const edge_camera_conf_t *cams, size_t n,
                            edge_ingest_cb cb, void *arg, edge_ingest_t **out)
{
    edge_ingest_t *in = calloc(1, sizeof *in);
    if (!in)
        return MM_ENOMEM;
    in->cams = calloc(n ? n : 1, sizeof *in->cams);
    if (!in->cams) {
        free(in);
        return MM_ENOMEM;
    }
    in->loop = loop;
    in->cb = cb;
    in->arg = arg;
    in->n = n;
    atomic_init(&in->stop, 0);
    pthread_mutex_init(&in->lock, NULL);
    pthread_cond_init(&in->wake, NULL);
    for (size_t i = 0; i < n; i++) {
        camera_t *c = &in->cams[i];
        c->in = in;
        c->id = strdup(cams[i].id);
        c->url = strdup(cams[i].url);
        c->dir = strdup(cams[i].dir);
        c->segment_seconds = cams[i].segment_seconds > 0 ? cams[i].segment_seconds : 10;
        if (!c->id || !c->url || !c->dir) {
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
    done_t *d = in->head;
    while (d) {
        done_t *next = d->next;
        free(d);
        d = next;
    }
    for (size_t i = 0; i < in->n; i++) {
        free(in->cams[i].id);
        free(in->cams[i].url);
        free(in->cams[i].dir);
    }
    free(in->cams);
    pthread_mutex_destroy(&in->lock);
    pthread_cond_destroy(&in->wake);
    free(in);
}
