/*
 * still.c: one still frame of a recording as a JPEG (see still.h).
 */
#include "edge/still.h"

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge/footage.h"
#include "edge/segment.h"

/* The keyframe found: a copy of its Annex B bytes, with the segment's codec and extradata. */
typedef struct {
    uint8_t *frame, *extra;
    size_t frame_len, extra_len;
    int64_t time_us;
    char codec[EDGE_SEG_CODEC_MAX];
} keyframe_t;

static void keyframe_free(keyframe_t *k)
{
    free(k->frame);
    free(k->extra);
}

static mm_err_t copy_bytes(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!p)
        return MM_ENOMEM;
    memcpy(p, src, len);
    memset(p + len, 0, AV_INPUT_BUFFER_PADDING_SIZE);
    free(*dst);
    *dst = p;
    *dst_len = len;
    return MM_OK;
}

/* Reads the segment of row up to at_us and keeps its last keyframe at or before it. */
static mm_err_t find_keyframe(const edge_vault_t *v, const edge_segment_row_t *row, int64_t at_us,
                              keyframe_t *k, char *msg, size_t cap)
{
    char path[EDGE_SEG_PATH_MAX];
    const mm_segment_recorded_t *s = &row->seg;
    if (edge_vault_path(v, s->camera, s->start_us, path, sizeof path) != 0)
        return mm_errf(MM_EINVAL, msg, cap, "the segment's path is too long");
    edge_segment_reader_t *r = NULL;
    edge_segment_info_t hdr;
    /* edge_vault_segment_key only reads the vault; its callback type has no const. */
    mm_err_t err = edge_segment_open(path, edge_vault_segment_key, (void *)v, &r, &hdr);
    if (err == MM_EERASED)
        return mm_errf(err, msg, cap, "this footage is erased: its key is gone (retention)");
    if (err != MM_OK)
        return mm_errf(err, msg, cap, "the segment at that time cannot be opened");
    if (strcmp(hdr.camera, s->camera) != 0 || hdr.start_us != s->start_us) {
        edge_segment_close(r);
        return mm_errf(MM_ECORRUPT, msg, cap, "the segment is not the one its index row names");
    }
    snprintf(k->codec, sizeof k->codec, "%s", hdr.codec);
    size_t el;
    const uint8_t *extra = edge_segment_extradata(r, &el);
    err = el ? copy_bytes(&k->extra, &k->extra_len, extra, el) : MM_OK;
    edge_frame_t f;
    while (err == MM_OK && (err = edge_segment_next(r, &f)) == MM_OK && f.time_us <= at_us)
        if (f.key) {
            err = copy_bytes(&k->frame, &k->frame_len, f.data, f.len);
            k->time_us = f.time_us;
        }
    edge_segment_close(r);
    if (err == MM_ENOTFOUND || (err == MM_OK && f.time_us > at_us))
        err = MM_OK;
    if (err != MM_OK)
        return mm_errf(err, msg, cap, "the segment at that time does not read back");
    if (!k->frame)
        return mm_errf(MM_ENOTFOUND, msg, cap, "no keyframe was recorded at or before that time");
    return MM_OK;
}

/* Decodes the keyframe into frame. */
static mm_err_t decode(const keyframe_t *k, AVFrame *frame, char *msg, size_t cap)
{
    enum AVCodecID id = !strcmp(k->codec, "h264")   ? AV_CODEC_ID_H264
                        : !strcmp(k->codec, "hevc") ? AV_CODEC_ID_HEVC
                                                    : AV_CODEC_ID_NONE;
    const AVCodec *codec = id != AV_CODEC_ID_NONE ? avcodec_find_decoder(id) : NULL;
    if (!codec)
        return mm_errf(MM_EMEDIA, msg, cap, "no decoder for %s video", k->codec);
    AVCodecContext *dec = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    mm_err_t err = MM_EMEDIA;
    if (!dec || !pkt) {
        err = MM_ENOMEM;
        goto out;
    }
    if (k->extra_len &&
        (dec->extradata = av_mallocz(k->extra_len + AV_INPUT_BUFFER_PADDING_SIZE))) {
        memcpy(dec->extradata, k->extra, k->extra_len);
        dec->extradata_size = (int)k->extra_len;
    }
    if (avcodec_open2(dec, codec, NULL) < 0)
        goto out;
    pkt->data = k->frame;
    pkt->size = (int)k->frame_len;
    pkt->flags = AV_PKT_FLAG_KEY;
    if (avcodec_send_packet(dec, pkt) < 0 || avcodec_send_packet(dec, NULL) < 0)
        goto out;
    if (avcodec_receive_frame(dec, frame) == 0)
        err = MM_OK;
out:
    pkt->data = NULL;
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    if (err == MM_EMEDIA)
        mm_errf(err, msg, cap, "the keyframe does not decode");
    return err;
}

/* Encodes frame as a JPEG at its own size into out. */
static mm_err_t encode(const AVFrame *frame, edge_still_t *out, char *msg, size_t cap)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!codec)
        return mm_errf(MM_EMEDIA, msg, cap, "this edge has no JPEG encoder");
    AVCodecContext *enc = avcodec_alloc_context3(codec);
    AVFrame *yuv = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    struct SwsContext *sws = NULL;
    mm_err_t err = MM_EMEDIA;
    if (!enc || !yuv || !pkt) {
        err = MM_ENOMEM;
        goto out;
    }
    int w = frame->width, h = frame->height;
    enc->width = yuv->width = w;
    enc->height = yuv->height = h;
    /* Full-range 4:2:0, as JPEG is (the deprecated YUVJ formats say the same with a warning). */
    enc->pix_fmt = yuv->format = AV_PIX_FMT_YUV420P;
    enc->color_range = yuv->color_range = AVCOL_RANGE_JPEG;
    enc->time_base = (AVRational){1, 25};
    enc->flags |= AV_CODEC_FLAG_QSCALE;
    enc->global_quality = FF_QP2LAMBDA * 3;
    yuv->quality = enc->global_quality;
    sws = sws_getContext(w, h, frame->format, w, h, AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL,
                         NULL);
    if (!sws || av_frame_get_buffer(yuv, 0) < 0 || avcodec_open2(enc, codec, NULL) < 0)
        goto out;
    const int *coef = sws_getCoefficients(SWS_CS_DEFAULT);
    sws_setColorspaceDetails(sws, coef, frame->color_range == AVCOL_RANGE_JPEG, coef, 1, 0, 1 << 16,
                             1 << 16);
    sws_scale(sws, (const uint8_t *const *)frame->data, frame->linesize, 0, h, yuv->data,
              yuv->linesize);
    if (avcodec_send_frame(enc, yuv) < 0 || avcodec_send_frame(enc, NULL) < 0 ||
        avcodec_receive_packet(enc, pkt) < 0)
        goto out;
    if (pkt->size <= 0 || pkt->size > EDGE_STILL_MAX || !(out->data = malloc(pkt->size)))
        goto out;
    memcpy(out->data, pkt->data, pkt->size);
    out->len = (size_t)pkt->size;
    out->width = w;
    out->height = h;
    err = MM_OK;
out:
    sws_freeContext(sws);
    av_packet_free(&pkt);
    av_frame_free(&yuv);
    avcodec_free_context(&enc);
    if (err == MM_EMEDIA)
        mm_errf(err, msg, cap, "the frame cannot be made into a JPEG");
    return err;
}

mm_err_t edge_still_jpeg(const edge_vault_t *v, const char *camera, int64_t at_us,
                         edge_still_t *out, char *msg, size_t cap)
{
    memset(out, 0, sizeof *out);
    edge_segment_row_t *rows = NULL;
    size_t n = 0;
    mm_err_t err = edge_footage_rows(v, camera, at_us, at_us + 1, &rows, &n);
    if (err != MM_OK) {
        free(rows);
        return mm_errf(err, msg, cap, "the recording of %s cannot be searched", camera);
    }
    if (n == 0) {
        free(rows);
        return mm_errf(MM_ENOTFOUND, msg, cap, "%s recorded nothing at that time", camera);
    }
    keyframe_t k = {0};
    AVFrame *frame = av_frame_alloc();
    err = frame ? find_keyframe(v, &rows[n - 1], at_us, &k, msg, cap) : MM_ENOMEM;
    free(rows);
    if (err == MM_OK)
        err = decode(&k, frame, msg, cap);
    if (err == MM_OK)
        err = encode(frame, out, msg, cap);
    if (err == MM_OK) {
        out->time_us = k.time_us;
        snprintf(out->codec, sizeof out->codec, "%s", k.codec);
    }
    if (err == MM_ENOMEM)
        mm_errf(err, msg, cap, "out of memory");
    av_frame_free(&frame);
    keyframe_free(&k);
    return err;
}
