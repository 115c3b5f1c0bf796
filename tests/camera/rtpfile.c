/*
 * rtpfile.c: a video file split once into RTP payloads (see rtpfile.h).
 *
 * Packets from .mp4 (length-prefixed NAL units, avcC/hvcC) go through libavcodec's
 * *_mp4toannexb filter first, so that every access unit is Annex B when it is split.
 */
#include "tests/camera/rtpfile.h"

#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAYLOAD_MAX (TC_RTP_MTU - TC_RTP_HDR)

typedef struct {
    tc_rtpfile_t *f;
    size_t bytes_cap, pkts_cap, aus_cap;
    uint8_t *param_nal[3]; /* the first VPS, SPS, PPS seen */
    size_t param_len[3];
    int64_t dts0, last_dts_us, last_dur_us;
    int started; /* the first keyframe was seen */
} loader_t;

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* Appends one packet's payload (head bytes, then body) and returns its index, or -1. */
static int64_t add_pkt(loader_t *l, const uint8_t *head, size_t hlen, const uint8_t *body,
                       size_t blen, int marker)
{
    tc_rtpfile_t *f = l->f;
    if (grow((void **)&f->bytes, &l->bytes_cap, f->bytes_len + hlen + blen, 1) ||
        grow((void **)&f->pkts, &l->pkts_cap, f->npkts + 1, sizeof *f->pkts))
        return -1;
    tc_pkt_t *p = &f->pkts[f->npkts];
    p->off = (uint32_t)f->bytes_len;
    p->len = (uint16_t)(hlen + blen);
    p->marker = (uint8_t)marker;
    if (hlen) /* (memcpy from NULL is undefined even for 0 bytes) */
        memcpy(f->bytes + f->bytes_len, head, hlen);
    memcpy(f->bytes + f->bytes_len + hlen, body, blen);
    f->bytes_len += hlen + blen;
    return (int64_t)f->npkts++;
}

/* One NAL unit as a single packet or as fragmentation units (FU-A, or H.265's FU). */
static int packetise_nal(loader_t *l, const uint8_t *nal, size_t len, int last)
{
    if (len <= PAYLOAD_MAX)
        return add_pkt(l, NULL, 0, nal, len, last) < 0 ? -1 : 0;
    uint8_t head[3];
    size_t hlen, skip;
    if (l->f->h265) {
        head[0] = (uint8_t)((nal[0] & 0x81) | (49 << 1));
        head[1] = nal[1];
        head[2] = (nal[0] >> 1) & 0x3f;
        hlen = 3, skip = 2;
    } else {
        head[0] = (uint8_t)((nal[0] & 0xe0) | 28);
        head[1] = nal[0] & 0x1f;
        hlen = 2, skip = 1;
    }
    const uint8_t *p = nal + skip, *end = nal + len;
    uint8_t *fu = &head[hlen - 1];
    uint8_t type = *fu;
    for (int first = 1; p < end; first = 0) {
        size_t n = (size_t)(end - p) < PAYLOAD_MAX - hlen ? (size_t)(end - p) : PAYLOAD_MAX - hlen;
        *fu = (uint8_t)(type | (first ? 0x80 : 0) | (p + n == end ? 0x40 : 0));
        if (add_pkt(l, head, hlen, p, n, last && p + n == end) < 0)
            return -1;
        p += n;
    }
    return 0;
}

/* 0..2 for VPS/SPS/PPS (the slot in params), -1 for other NAL units. */
static int param_slot(int h265, const uint8_t *nal)
{
    if (h265) {
        int t = (nal[0] >> 1) & 0x3f;
        return t >= 32 && t <= 34 ? t - 32 : -1;
    }
    int t = nal[0] & 0x1f;
    return t == 7 ? 1 : t == 8 ? 2 : -1;
}

static int is_key(int h265, const uint8_t *nal)
{
    if (h265) {
        int t = (nal[0] >> 1) & 0x3f;
        return t >= 16 && t <= 23;
    }
    return (nal[0] & 0x1f) == 5;
}

static int is_aud(int h265, const uint8_t *nal)
{
    return h265 ? ((nal[0] >> 1) & 0x3f) == 35 : (nal[0] & 0x1f) == 9;
}

/* The next NAL unit of Annex B data at *pos, without its start code or trailing zeros. */
static const uint8_t *next_nal(const uint8_t *d, size_t n, size_t *pos, size_t *len)
{
    size_t i = *pos;
    while (i + 3 <= n && !(d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1))
        i++;
    if (i + 3 > n)
        return NULL;
    size_t s = i + 3, e = s;
    while (e + 3 <= n && !(d[e] == 0 && d[e + 1] == 0 && d[e + 2] == 1))
        e++;
    if (e + 3 > n)
        e = n;
    *pos = e;
    while (e > s && d[e - 1] == 0)
        e--;
    *len = e - s;
    return d + s;
}

static void keep_param(loader_t *l, int slot, const uint8_t *nal, size_t len)
{
    if (l->param_nal[slot])
        return;
    l->param_nal[slot] = malloc(len);
    if (l->param_nal[slot]) {
        memcpy(l->param_nal[slot], nal, len);
        l->param_len[slot] = len;
    }
}

/* One access unit (Annex B). 0, or -1 when out of memory. */
static int add_au(loader_t *l, const uint8_t *d, size_t n, int64_t send_us, int64_t ts)
{
    tc_rtpfile_t *f = l->f;
    int key = 0, nals = 0;
    size_t pos = 0, len, last_pos = 0;
    const uint8_t *nal;
    while ((nal = next_nal(d, n, &pos, &len))) {
        if (len < (size_t)(f->h265 ? 3 : 2))
            continue;
        int slot = param_slot(f->h265, nal);
        if (slot >= 0)
            keep_param(l, slot, nal, len);
        else
            key |= is_key(f->h265, nal), nals++, last_pos = pos;
    }
    if (!l->started && !key)
        return 0; /* a client starts at a keyframe */
    l->started = 1;
    if (nals == 0)
        return 0;
    if (grow((void **)&f->aus, &l->aus_cap, f->naus + 1, sizeof *f->aus))
        return -1;
    tc_au_t *au = &f->aus[f->naus];
    *au = (tc_au_t){.send_us = send_us, .ts = ts, .first = (uint32_t)f->npkts, .key = key};
    pos = 0;
    while ((nal = next_nal(d, n, &pos, &len))) {
        if (len < (size_t)(f->h265 ? 3 : 2) || param_slot(f->h265, nal) >= 0)
            continue;
        if (packetise_nal(l, nal, len, pos == last_pos))
            return -1;
        if (is_aud(f->h265, nal) && au->lead == f->npkts - 1 - au->first)
            au->lead++;
        f->file_bytes += len;
    }
    au->count = (uint32_t)(f->npkts - au->first);
    f->naus++;
    return 0;
}

/* One demuxed packet (already Annex B): its times, then add_au. */
static int take_packet(loader_t *l, AVStream *st, const AVPacket *pkt)
{
    AVRational us = {1, 1000000}, t90 = {1, 90000};
    int64_t dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
    int64_t dts_us, pts_us;
    if (dts == AV_NOPTS_VALUE) { /* raw streams without times: the frame rate's spacing */
        AVRational fr = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
        int64_t step = fr.num ? av_rescale(1000000, fr.den, fr.num) : 1000000 / 15;
        dts_us = l->f->naus ? l->last_dts_us + step : 0;
        pts_us = dts_us;
        l->last_dur_us = step;
    } else {
        if (l->dts0 == AV_NOPTS_VALUE)
            l->dts0 = dts;
        dts_us = av_rescale_q(dts - l->dts0, st->time_base, us);
        int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : dts;
        pts_us = av_rescale_q(pts - l->dts0, st->time_base, us);
        if (pkt->duration > 0)
            l->last_dur_us = av_rescale_q(pkt->duration, st->time_base, us);
        else if (l->f->naus)
            l->last_dur_us = dts_us - l->last_dts_us;
    }
    if (l->f->naus && dts_us < l->last_dts_us)
        dts_us = l->last_dts_us;
    size_t before = l->f->naus;
    if (add_au(l, pkt->data, (size_t)pkt->size, dts_us, av_rescale_q(pts_us, us, t90)))
        return -1;
    if (l->f->naus > before)
        l->last_dts_us = dts_us;
    return 0;
}

static int open_bsf(AVStream *st, AVBSFContext **bsf, char *msg, size_t cap)
{
    *bsf = NULL;
    const AVCodecParameters *par = st->codecpar;
    if (par->extradata_size < 1 || par->extradata[0] != 1)
        return 0; /* already Annex B */
    const char *name = par->codec_id == AV_CODEC_ID_HEVC ? "hevc_mp4toannexb" : "h264_mp4toannexb";
    const AVBitStreamFilter *f = av_bsf_get_by_name(name);
    if (!f || av_bsf_alloc(f, bsf) < 0 || avcodec_parameters_copy((*bsf)->par_in, par) < 0 ||
        ((*bsf)->time_base_in = st->time_base, av_bsf_init(*bsf) < 0)) {
        snprintf(msg, cap, "cannot set up libavcodec's %s filter", name);
        av_bsf_free(bsf);
        return -1;
    }
    return 0;
}

/* Demuxes every packet of stream si into l. */
static int read_all(AVFormatContext *fmt, int si, loader_t *l, char *msg, size_t cap)
{
    AVStream *st = fmt->streams[si];
    AVBSFContext *bsf;
    if (open_bsf(st, &bsf, msg, cap))
        return -1;
    AVPacket *pkt = av_packet_alloc();
    int rc = pkt ? 0 : -1, r;
    while (rc == 0 && (r = av_read_frame(fmt, pkt)) >= 0) {
        if (pkt->stream_index == si && bsf) {
            if (av_bsf_send_packet(bsf, pkt) < 0)
                rc = -1;
            while (rc == 0 && av_bsf_receive_packet(bsf, pkt) == 0) {
                rc = take_packet(l, st, pkt);
                av_packet_unref(pkt);
            }
        } else if (pkt->stream_index == si) {
            rc = take_packet(l, st, pkt);
        }
        av_packet_unref(pkt);
    }
    if (rc)
        snprintf(msg, cap, "out of memory, or libavcodec's filter failed");
    av_packet_free(&pkt);
    av_bsf_free(&bsf);
    return rc;
}

/* The parameter sets as packets of their own, after the access units' packets. */
static int finish(loader_t *l, char *msg, size_t cap)
{
    tc_rtpfile_t *f = l->f;
    if (f->naus == 0) {
        snprintf(msg, cap, "no keyframe in the video stream");
        return -1;
    }
    f->nparams = f->h265 ? 3 : 2;
    for (size_t i = 0; i < f->nparams; i++) {
        size_t slot = f->h265 ? i : i + 1;
        if (!l->param_nal[slot]) {
            snprintf(msg, cap, "no %s in the stream",
                     slot == 0   ? "VPS"
                     : slot == 1 ? "SPS"
                                 : "PPS");
            return -1;
        }
        if (l->param_len[slot] > PAYLOAD_MAX) {
            snprintf(msg, cap, "a parameter set larger than one RTP packet");
            return -1;
        }
        int64_t k = add_pkt(l, NULL, 0, l->param_nal[slot], l->param_len[slot], 0);
        if (k < 0)
            return -1;
        f->params[i] = f->pkts[k];
    }
    f->npkts -= f->nparams; /* kept in bytes, referred to by params only */
    f->dur_us = l->last_dts_us + (l->last_dur_us > 0 ? l->last_dur_us : 1000000 / 15);
    f->dur90 = f->dur_us * 9 / 100;
    return 0;
}

int tc_rtpfile_load(const char *path, tc_rtpfile_t *f, char *msg, size_t cap)
{
    memset(f, 0, sizeof *f);
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0) {
        snprintf(msg, cap, "cannot open %s as a video file", path);
        return -1;
    }
    int rc = -1;
    int si = avformat_find_stream_info(fmt, NULL) < 0
                 ? -1
                 : av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    enum AVCodecID id = si >= 0 ? fmt->streams[si]->codecpar->codec_id : AV_CODEC_ID_NONE;
    if (id != AV_CODEC_ID_H264 && id != AV_CODEC_ID_HEVC) {
        snprintf(msg, cap, "%s has no H.264 or H.265 video stream", path);
    } else {
        loader_t l = {.f = f, .dts0 = AV_NOPTS_VALUE};
        f->h265 = id == AV_CODEC_ID_HEVC;
        rc = read_all(fmt, si, &l, msg, cap) || finish(&l, msg, cap) ? -1 : 0;
        for (int i = 0; i < 3; i++)
            free(l.param_nal[i]);
    }
    avformat_close_input(&fmt);
    if (rc)
        tc_rtpfile_free(f);
    return rc;
}

static int b64(const tc_rtpfile_t *f, size_t i, char *out, size_t cap)
{
    const tc_pkt_t *p = &f->params[i];
    if (cap < 4 * ((size_t)p->len + 2) / 3 + 1)
        return -1;
    EVP_EncodeBlock((unsigned char *)out, f->bytes + p->off, p->len);
    return 0;
}

int tc_rtpfile_fmtp(const tc_rtpfile_t *f, int sprop, char *out, size_t cap)
{
    char s[3][1024];
    for (size_t i = 0; i < f->nparams; i++)
        if (b64(f, i, s[i], sizeof s[i]))
            return -1;
    int n;
    if (f->h265) {
        n = sprop ? snprintf(out, cap, "sprop-vps=%s;sprop-sps=%s;sprop-pps=%s", s[0], s[1], s[2])
                  : snprintf(out, cap, "profile-id=1");
    } else {
        const uint8_t *sps = f->bytes + f->params[0].off;
        char plid[7];
        snprintf(plid, sizeof plid, "%02X%02X%02X", f->params[0].len > 3 ? sps[1] : 0x42,
                 f->params[0].len > 3 ? sps[2] : 0, f->params[0].len > 3 ? sps[3] : 0x1e);
        n = sprop ? snprintf(out, cap,
                             "packetization-mode=1;profile-level-id=%s;sprop-parameter-sets=%s,%s",
                             plid, s[0], s[1])
                  : snprintf(out, cap, "packetization-mode=1;profile-level-id=%s", plid);
    }
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void tc_rtpfile_free(tc_rtpfile_t *f)
{
    free(f->bytes);
    free(f->pkts);
    free(f->aus);
    memset(f, 0, sizeof *f);
}
