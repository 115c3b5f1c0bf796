/*
 * ingest_libav.c: a camera read by libavformat, on a thread of its own (the fallback to our
 * client, camera key "rtsp_client": "libav"; the only reader of rtsps://). See ingest_impl.h.
 *
 * The thread reads RTSP/TCP with a socket timeout, a read deadline and an interrupt callback
 * (so stopping never waits on the network), hands each video frame to ingest_frame, and
 * reconnects with capped exponential backoff.
 */
#include <libavformat/avformat.h>
#include <libavutil/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "common/diag.h"
#include "edge/ingest_impl.h"

#define READ_DEADLINE_US 10000000 /* a camera silent this long is reconnected */

static int on_interrupt(void *arg)
{
    camera_t *c = arg;
    return atomic_load(&c->in->stop) || av_gettime_relative() > c->deadline_us;
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
    while (!atomic_load(&in->stop) && pthread_cond_timedwait(&in->wake, &in->lock, &until) == 0) {
    }
    pthread_mutex_unlock(&in->lock);
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

/* The stream timestamp of pkt and its rate (frametime.h): ticks of the time base when it is
 * 1/N, else microseconds; rate 0 without one. */
static void stream_time(const AVPacket *pkt, AVRational tb, int64_t *ts, uint32_t *rate)
{
    *ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    *rate = 0;
    if (*ts != AV_NOPTS_VALUE && tb.num == 1 && tb.den > 0) {
        *rate = (uint32_t)tb.den;
    } else if (*ts != AV_NOPTS_VALUE && tb.num > 0 && tb.den > 0) {
        *ts = av_rescale_q(*ts, tb, (AVRational){1, 1000000});
        *rate = 1000000;
    }
}

/* Opens the camera and finds its video stream; NULL (the break noted) if it cannot. */
static AVFormatContext *open_camera(camera_t *c, int *vs, const char **codec)
{
    AVFormatContext *fmt = avformat_alloc_context();
    if (!fmt)
        return NULL;
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
        ingest_note_break(c, "camera unreachable", e);
        return NULL;
    }
    c->deadline_us = av_gettime_relative() + READ_DEADLINE_US;
    rc = avformat_find_stream_info(fmt, NULL);
    *vs = rc < 0 ? rc : av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    *codec = *vs >= 0 ? codec_name(fmt->streams[*vs]->codecpar->codec_id) : NULL;
    if (!*codec) {
        MM_WARN("%s: %s has no H.264 or H.265 video stream", c->id, c->shown);
        ingest_note_break(c, "camera sends no H.264 or H.265 video", NULL);
        avformat_close_input(&fmt);
        return NULL;
    }
    return fmt;
}

/* One connection: returns when the camera fails, is paused, or stop is set. 1 if frames came. */
static int record_session(camera_t *c)
{
    int vs;
    const char *codec;
    AVFormatContext *fmt = open_camera(c, &vs, &codec);
    if (!fmt)
        return 0;
    AVCodecParameters *par = fmt->streams[vs]->codecpar;
    AVRational tb = fmt->streams[vs]->time_base;
    ingest_session_begin(c);
    MM_INFO("%s: recording %s (%s %dx%d, libavformat)", c->id, c->shown, codec, par->width,
            par->height);
    AVPacket *pkt = av_packet_alloc();
    while (pkt && !atomic_load(&c->in->stop) && !ingest_paused(c, NULL, 0)) {
        c->deadline_us = av_gettime_relative() + READ_DEADLINE_US;
        int rc = av_read_frame(fmt, pkt);
        if (rc < 0) {
            if (!atomic_load(&c->in->stop)) {
                char e[128];
                av_strerror(rc, e, sizeof e);
                MM_WARN("%s: reading %s failed: %s", c->id, c->shown, e);
                ingest_note_break(c, "connection to the camera lost", e);
            }
            break;
        }
        if (pkt->stream_index != vs || pkt->size <= 0) {
            av_packet_unref(pkt);
            continue;
        }
        ingest_frame_t f = {.codec = codec,
                            .data = pkt->data,
                            .len = (size_t)pkt->size,
                            .key = (pkt->flags & AV_PKT_FLAG_KEY) != 0,
                            .pts = pkt->pts,
                            .extradata = par->extradata,
                            .extradata_len =
                                par->extradata_size > 0 ? (size_t)par->extradata_size : 0,
                            .width = par->width,
                            .height = par->height};
        stream_time(pkt, tb, &f.ts, &f.rate);
        mm_err_t err = ingest_frame(c, &f);
        av_packet_unref(pkt);
        if (err != MM_OK)
            break;
    }
    /* The segment ends at the last frame written (on stop, pause or camera failure). */
    ingest_session_end(c);
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
    return c->wrote;
}

static void *camera_thread(void *arg)
{
    camera_t *c = arg;
    struct edge_ingest *in = c->in;
    int backoff = INGEST_BACKOFF_MIN_MS;
    while (!atomic_load(&in->stop)) {
        pthread_mutex_lock(&in->lock);
        if (c->paused) {
            ingest_note_break(c, c->pause_reason, NULL);
            while (c->paused && !atomic_load(&in->stop))
                pthread_cond_wait(&in->wake, &in->lock);
            backoff = INGEST_BACKOFF_MIN_MS;
        }
        pthread_mutex_unlock(&in->lock);
        if (atomic_load(&in->stop))
            break;
        if (record_session(c))
            backoff = INGEST_BACKOFF_MIN_MS;
        if (atomic_load(&in->stop) || ingest_paused(c, NULL, 0))
            continue;
        MM_WARN("%s: camera down; reconnecting in %d ms", c->id, backoff);
        backoff_sleep(in, backoff);
        backoff = backoff * 2 > INGEST_BACKOFF_MAX_MS ? INGEST_BACKOFF_MAX_MS : backoff * 2;
    }
    return NULL;
}

static void network_init(void)
{
    avformat_network_init();
}

mm_err_t ingest_libav_start(camera_t *c)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, network_init);
    if (pthread_create(&c->thread, NULL, camera_thread, c) != 0)
        return MM_ENOMEM;
    c->started = 1;
    return MM_OK;
}
