/*
 * livemux.c: frames to fragmented MP4 in memory (see livemux.h).
 */
#include "edge/livemux.h"

#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"

#define IO_BUF 65536

struct edge_livemux {
    AVFormatContext *fmt;
    AVIOContext *io;
    uint8_t *buf; /* bytes the muxer wrote since the last handing out */
    size_t len, cap;
    int failed;
    int prev_key; /* the frame whose fragment closes next was a keyframe */
    int64_t last_t;
    int frames;
    char codec[EDGE_LIVEMUX_CODEC_MAX];
    edge_livemux_out_fn out;
    void *arg;
};

#if LIBAVFORMAT_VERSION_MAJOR >= 61
static int io_write(void *opaque, const uint8_t *data, int n)
#else
static int io_write(void *opaque, uint8_t *data, int n)
#endif
{
    edge_livemux_t *m = opaque;
    if (m->len + (size_t)n > m->cap) {
        size_t cap = m->cap ? m->cap : IO_BUF;
        while (cap < m->len + (size_t)n)
            cap *= 2;
        uint8_t *p = realloc(m->buf, cap);
        if (!p) {
            m->failed = 1;
            return AVERROR(ENOMEM);
        }
        m->buf = p;
        m->cap = cap;
    }
    memcpy(m->buf + m->len, data, (size_t)n);
    m->len += (size_t)n;
    return n;
}

/* Hands out what the muxer wrote. */
static void hand_out(edge_livemux_t *m, int init, int key)
{
    avio_flush(m->io);
    if (m->len && !m->failed)
        m->out(m->arg, m->buf, m->len, init, key);
    m->len = 0;
}

/* The next Annex B NAL unit at or after *pos: its start and length, or 0. */
static int next_nal(const uint8_t *d, size_t len, size_t *pos, const uint8_t **nal, size_t *nlen)
{
    size_t i = *pos;
    while (i + 3 <= len && !(d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1))
        i++;
    if (i + 3 > len)
        return 0;
    size_t s = i + 3, e = s;
    while (e + 3 <= len && !(d[e] == 0 && d[e + 1] == 0 && (d[e + 2] == 1 || d[e + 2] == 0)))
        e++;
    if (e + 3 > len)
        e = len;
    *nal = d + s;
    *nlen = e - s;
    *pos = e;
    return 1;
}

/* The parameter sets among Annex B NAL units, as Annex B (malloc'd), or NULL. */
static uint8_t *param_sets(int hevc, const uint8_t *d, size_t len, size_t *out_len)
{
    uint8_t *p = malloc(len + 4);
    size_t n = 0, pos = 0, nl;
    const uint8_t *nal;
    while (p && next_nal(d, len, &pos, &nal, &nl)) {
        if (!nl)
            continue;
        int t = hevc ? (nal[0] >> 1) & 0x3f : nal[0] & 0x1f;
        int keep = hevc ? (t >= 32 && t <= 34) : (t == 7 || t == 8);
        if (!keep)
            continue;
        memcpy(p + n, "\0\0\0\1", 4);
        memcpy(p + n + 4, nal, nl);
        n += 4 + nl;
    }
    if (p && !n) {
        free(p);
        return NULL;
    }
    *out_len = n;
    return p;
}

static mm_err_t open_stream(edge_livemux_t *m, int hevc, const uint8_t *ps, size_t ps_len, int w,
                            int h)
{
    if (avformat_alloc_output_context2(&m->fmt, NULL, "mp4", NULL) < 0 || !m->fmt)
        return MM_ENOMEM;
    uint8_t *iobuf = av_malloc(IO_BUF);
    m->io = iobuf ? avio_alloc_context(iobuf, IO_BUF, 1, m, NULL, io_write, NULL) : NULL;
    if (!m->io) {
        av_free(iobuf);
        return MM_ENOMEM;
    }
    m->fmt->pb = m->io;
    AVStream *st = avformat_new_stream(m->fmt, NULL);
    if (!st)
        return MM_ENOMEM;
    AVCodecParameters *par = st->codecpar;
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = hevc ? AV_CODEC_ID_HEVC : AV_CODEC_ID_H264;
    par->codec_tag = hevc ? MKTAG('h', 'v', 'c', '1') : MKTAG('a', 'v', 'c', '1');
    par->width = w;
    par->height = h;
    par->extradata = av_mallocz(ps_len + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!par->extradata)
        return MM_ENOMEM;
    memcpy(par->extradata, ps, ps_len);
    par->extradata_size = (int)ps_len;
    st->time_base = (AVRational){1, EDGE_LIVEMUX_TIMESCALE};
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "movflags", "empty_moov+default_base_moof+frag_every_frame", 0);
    av_dict_set(&opts, "video_track_timescale", "90000", 0);
    int rc = avformat_write_header(m->fmt, &opts);
    av_dict_free(&opts);
    if (rc < 0) {
        char e[128];
        av_strerror(rc, e, sizeof e);
        MM_WARN("live: the mp4 muxer refused the stream: %s", e);
        return MM_EIO;
    }
    avio_flush(m->io);
    if (m->failed || edge_livemux_codec_of(m->buf, m->len, m->codec, sizeof m->codec) != 0)
        return MM_EIO;
    hand_out(m, 1, 0);
    return MM_OK;
}

mm_err_t edge_livemux_create(const char *codec, const uint8_t *params, size_t params_len, int width,
                             int height, edge_livemux_out_fn out, void *arg, edge_livemux_t **mux)
{
    int hevc = strcmp(codec, "hevc") == 0;
    if (!hevc && strcmp(codec, "h264") != 0)
        return MM_EINVAL;
    size_t ps_len = 0;
    uint8_t *ps = param_sets(hevc, params, params_len, &ps_len);
    if (!ps)
        return MM_EINVAL;
    edge_livemux_t *m = calloc(1, sizeof *m);
    if (!m) {
        free(ps);
        return MM_ENOMEM;
    }
    m->out = out;
    m->arg = arg;
    m->last_t = INT64_MIN;
    mm_err_t err = open_stream(m, hevc, ps, ps_len, width, height);
    free(ps);
    if (err != MM_OK) {
        edge_livemux_destroy(m);
        return err;
    }
    *mux = m;
    return MM_OK;
}

mm_err_t edge_livemux_frame(edge_livemux_t *m, const uint8_t *data, size_t len, int key,
                            int64_t t_us)
{
    if (m->failed)
        return MM_EIO;
    if (t_us <= m->last_t)
        t_us = m->last_t + 1000; /* the clock stepped back: keep the track's times rising */
    AVPacket *pkt = av_packet_alloc();
    if (!pkt || av_new_packet(pkt, (int)len) < 0) {
        av_packet_free(&pkt);
        return MM_ENOMEM;
    }
    memcpy(pkt->data, data, len);
    if (key)
        pkt->flags |= AV_PKT_FLAG_KEY;
    AVRational us = {1, 1000000};
    pkt->pts = pkt->dts = av_rescale_q(t_us, us, m->fmt->streams[0]->time_base);
    pkt->stream_index = 0;
    int rc = av_write_frame(m->fmt, pkt);
    av_packet_free(&pkt);
    if (rc < 0) {
        m->failed = 1;
        return MM_EIO;
    }
    if (m->frames++ > 0)
        hand_out(m, 0, m->prev_key);
    m->prev_key = key;
    m->last_t = t_us;
    return MM_OK;
}

const char *edge_livemux_codec(const edge_livemux_t *m)
{
    return m->codec;
}

void edge_livemux_destroy(edge_livemux_t *m)
{
    if (!m)
        return;
    if (m->fmt)
        avformat_free_context(m->fmt); /* no trailer: nothing more goes out */
    if (m->io) {
        av_freep(&m->io->buffer);
        avio_context_free(&m->io);
    }
    free(m->buf);
    free(m);
}

/* The box named type inside [p, p + len) at any depth of the sample description, found by its
 * name: its payload, or NULL. */
static const uint8_t *find_box(const uint8_t *p, size_t len, const char *type, size_t *plen)
{
    for (size_t i = 4; i + 4 <= len; i++) {
        if (memcmp(p + i, type, 4) != 0)
            continue;
        uint32_t sz = (uint32_t)p[i - 4] << 24 | (uint32_t)p[i - 3] << 16 |
                      (uint32_t)p[i - 2] << 8 | p[i - 1];
        if (sz < 8 || i - 4 + sz > len)
            continue;
        *plen = sz - 8;
        return p + i + 4;
    }
    return NULL;
}

static uint32_t reverse_bits(uint32_t v)
{
    uint32_t r = 0;
    for (int i = 0; i < 32; i++)
        r |= ((v >> i) & 1u) << (31 - i);
    return r;
}

int edge_livemux_codec_of(const uint8_t *init, size_t len, char *out, size_t cap)
{
    size_t n;
    const uint8_t *b = find_box(init, len, "avcC", &n);
    if (b && n >= 4) {
        snprintf(out, cap, "avc1.%02x%02x%02x", b[1], b[2], b[3]);
        return 0;
    }
    b = find_box(init, len, "hvcC", &n);
    if (!b || n < 13)
        return -1;
    static const char *space[] = {"", "A", "B", "C"};
    uint32_t compat = (uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5];
    int w = snprintf(out, cap, "hvc1.%s%d.%X.%c%d", space[b[1] >> 6], b[1] & 0x1f,
                     reverse_bits(compat), (b[1] & 0x20) ? 'H' : 'L', b[12]);
    int last = 5; /* the constraint bytes, without the zero ones at the end */
    while (last >= 0 && b[6 + last] == 0)
        last--;
    for (int i = 0; i <= last && w > 0 && (size_t)w < cap; i++)
        w += snprintf(out + w, cap - (size_t)w, ".%02X", b[6 + i]);
    return 0;
}
