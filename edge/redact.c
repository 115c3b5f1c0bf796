/*
 * redact.c: masking everyone but the requester in a disclosed clip (see redact.h).
 *
 * One pass over the clip: demux, decode, filter, encode, mux. The filter graph is built when
 * the first frame is decoded, because only then are its picture size and pixel format certain;
 * the encoder and the temporary file follow, so that an input that cannot be decoded leaves no
 * file behind. The graph blurs the whole frame once and lays the kept rectangles, cropped from
 * the unblurred frame, back over it one after the other:
 *
 *   [in]format=yuv420p,split=3[base][k0][k1];
 *   [base]boxblur=lr=R:lp=3:cr=C:cp=3[b0];
 *   [k0]crop=w=W0:h=H0:x=X0:y=Y0[c0];[b0][c0]overlay=x=X0:y=Y0[b1];
 *   [k1]crop=w=W1:h=H1:x=X1:y=Y1[c1];[b1][c1]overlay=x=X1:y=Y1[out]
 *
 * so overlapping regions simply keep their union. The blur must leave nothing readable at any
 * resolution, so its radius grows with the frame: a twelfth of the shorter side, at least 16
 * pixels, three passes (close to a Gaussian blur with a standard deviation of that radius). On a
 * 1080p frame that is a radius of 90 pixels, wider than a face anywhere but right in front of
 * the camera.
 * Chroma is blurred as hard, at its own half resolution, so that no outline survives in colour.
 *
 * Timing is carried through untouched: the decoder's frames keep their presentation times in
 * the input track's time base, the graph and the encoder work in that same time base, and the
 * encoder's packets go to the muxer in the order it returns them with their times rescaled to
 * the output track's. Only the last packet needs a duration (the muxer takes the others from the
 * gaps between decode times); it gets the last gap seen. A decoded frame that the graph or the
 * encoder failed to pass on would change the clip's timing, so frames out must equal frames
 * decoded or the whole run fails. Frames read but never decoded (leading pictures that refer to
 * frames before the clip's start) are only reported.
 *
 * What goes to libx264 is pixels and times only: each frame's picture type (which would force
 * the input's frame types on the encoder) and side data (captions, regions of interest) are
 * dropped. Paths are opened through libav's file protocol only, never a network URL.
 */
#include "edge/redact.h"

#include <errno.h>
#include <inttypes.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/diag.h"
#include "edge/footage.h"

#define ENCODER "libx264"
#define CRF "23"
#define PRESET "veryfast"
#define KEYFRAME_S 2       /* seconds between keyframes */
#define GOP_UNKNOWN_FPS 50 /* frames between keyframes when the frame rate is unknown */
#define BLUR_DIV 12        /* the blur radius is the shorter side over this */
#define BLUR_MIN 16        /* and at least this many pixels */
#define BLUR_PASSES 3
#define SLACK 1e-9 /* tolerance on x + w <= 1 and y + h <= 1 for decimal fractions */

/* --- regions ---------------------------------------------------------------------------------*/

static int region_ok(const edge_region_t *r)
{
    if (!isfinite(r->x) || !isfinite(r->y) || !isfinite(r->w) || !isfinite(r->h))
        return 0;
    return r->x >= 0 && r->y >= 0 && r->w > 0 && r->h > 0 && r->x <= 1 && r->y <= 1 && r->w <= 1 &&
           r->h <= 1 && r->x + r->w <= 1 + SLACK && r->y + r->h <= 1 + SLACK;
}

/* One number of a region: digits with an optional fraction, at most 15 digits in all, so that
 * both the digits and the power of ten are exact doubles and the one division that makes the
 * value rounds correctly (and does not depend on the locale, as strtod would). Returns the
 * position after it, or NULL. */
static const char *parse_number(const char *s, double *out)
{
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    uint64_t digits = 0;
    int n = 0, frac = 0, dot = 0;
    for (;; s++) {
        if (*s >= '0' && *s <= '9') {
            if (++n > 15)
                return NULL;
            digits = digits * 10 + (uint64_t)(*s - '0');
            frac += dot;
        } else if (*s == '.' && !dot) {
            dot = 1;
        } else {
            break;
        }
    }
    if (n == 0 || (dot && frac == 0))
        return NULL;
    *out = (double)digits / pow10[frac];
    return s;
}

mm_err_t edge_region_parse(const char *s, edge_region_t *out)
{
    if (!s || !out)
        return MM_EINVAL;
    double v[4];
    for (int i = 0; i < 4; i++) {
        if (i > 0 && *s++ != ',')
            return MM_EINVAL;
        if (!(s = parse_number(s, &v[i])))
            return MM_EINVAL;
    }
    edge_region_t r = {v[0], v[1], v[2], v[3]};
    if (*s || !region_ok(&r))
        return MM_EINVAL;
    *out = r;
    return MM_OK;
}

/* A kept rectangle in pixels, all four numbers even. */
typedef struct {
    int x, y, w, h;
} rect_t;

/* [from, to) of a side of length len, rounded inwards to even pixels (a product such as
 * 0.3 * 320 that lands a hair off a whole pixel counts as that pixel). Returns the length. */
static int span(double from, double to, int len, int *start)
{
    int a = (int)ceil(from * len - 1e-6), b = (int)floor(to * len + 1e-6);
    a = a < 0 ? 0 : (a + 1) & ~1;
    b = b > len ? len & ~1 : b & ~1;
    *start = a;
    return b > a ? b - a : 0;
}

/* --- errors ----------------------------------------------------------------------------------*/

/* Converts a libav error where it happened, logged with libav's own text. other is what any
 * error but memory and space becomes. */
static mm_err_t av_fail(int rc, const char *what, const char *path, mm_err_t other)
{
    char e[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(rc, e, sizeof e);
    MM_ERROR("redact: cannot %s %s: %s", what, path, e);
    if (rc == AVERROR(ENOMEM))
        return MM_ENOMEM;
    if (rc == AVERROR(ENOSPC) || rc == AVERROR(EDQUOT))
        return MM_EFULL;
    return other;
}

/* For file operations: errno values are I/O errors, libav's own tags (below -4095) and EINVAL
 * say that the bytes are not the media expected. */
static mm_err_t file_fail(int rc, const char *what, const char *path)
{
    return av_fail(rc, what, path, rc == AVERROR(EINVAL) || rc <= -4096 ? MM_EMEDIA : MM_EIO);
}

static mm_err_t media_fail(int rc, const char *what, const char *path)
{
    return av_fail(rc, what, path, MM_EMEDIA);
}

/* --- the job ---------------------------------------------------------------------------------*/

typedef struct {
    const char *in, *tmp;
    const edge_region_t *regions;
    size_t n;
    edge_redact_report_t *rep;

    AVFormatContext *ic;
    AVStream *ist;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;

    AVFilterGraph *graph; /* set up with the first frame, as everything below */
    AVFilterContext *src, *sink;
    AVFrame *filt;
    int width, height, format; /* the decoded frames' */

    AVCodecContext *enc;
    AVFormatContext *oc;
    AVStream *ost;
    AVPacket *opkt;
    int tmp_made;

    int64_t last_pts, gap; /* in the input track's time base */
    int have_last, warned;
    uint64_t decoded;
} job_t;

/* Opens in_path with the MP4 demuxer and its decoder; the video track is j->ist. */
static mm_err_t open_input(job_t *j)
{
    AVDictionary *o = NULL;
    int rc = av_dict_set(&o, "protocol_whitelist", "file", 0);
    if (rc >= 0)
        rc = avformat_open_input(&j->ic, j->in, av_find_input_format("mp4"), &o);
    av_dict_free(&o);
    if (rc < 0)
        return file_fail(rc, "open", j->in);
    if ((rc = avformat_find_stream_info(j->ic, NULL)) < 0)
        return file_fail(rc, "read the tracks of", j->in);
    int vs = av_find_best_stream(j->ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (vs < 0)
        return media_fail(vs, "find a video track in", j->in);
    for (unsigned i = 0; i < j->ic->nb_streams; i++)
        j->ic->streams[i]->discard = (int)i == vs ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    j->ist = j->ic->streams[vs];
    enum AVCodecID id = j->ist->codecpar->codec_id;
    if (id != AV_CODEC_ID_H264 && id != AV_CODEC_ID_HEVC) {
        MM_ERROR("redact: %s holds %s video, not H.264 or H.265", j->in, avcodec_get_name(id));
        return MM_EMEDIA;
    }
    const AVCodec *codec = avcodec_find_decoder(id);
    if (!codec) {
        MM_ERROR("redact: no %s decoder", avcodec_get_name(id));
        return MM_EMEDIA;
    }
    if (!(j->dec = avcodec_alloc_context3(codec)))
        return MM_ENOMEM;
    if ((rc = avcodec_parameters_to_context(j->dec, j->ist->codecpar)) < 0)
        return media_fail(rc, "set up the decoder for", j->in);
    j->dec->pkt_timebase = j->ist->time_base;
    j->dec->thread_count = 0;
    if ((rc = avcodec_open2(j->dec, codec, NULL)) < 0)
        return media_fail(rc, "open the decoder for", j->in);
    /* A frame's duration until two frames have been seen, for a clip of one frame. */
    AVRational fps = j->ist->avg_frame_rate;
    j->gap = fps.num > 0 && fps.den > 0 ? av_rescale_q(1, av_inv_q(fps), j->ist->time_base) : 0;
    if (j->gap <= 0)
        j->gap = 1;
    return MM_OK;
}

/* Appends to a string of cap bytes; *len grows past cap when it does not fit. */
static void add(char *s, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *s, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(*len < cap ? s + *len : NULL, *len < cap ? cap - *len : 0, fmt, ap);
    va_end(ap);
    *len += k > 0 ? (size_t)k : 0;
}

/* The graph's description for frames of w x h (see the top of this file). */
static mm_err_t describe(const job_t *j, int w, int h, char *s, size_t cap)
{
    rect_t keep[EDGE_REDACT_MAX_REGIONS];
    size_t m = 0;
    for (size_t i = 0; i < j->n; i++) {
        const edge_region_t *r = &j->regions[i];
        rect_t k;
        k.w = span(r->x, r->x + r->w, w, &k.x);
        k.h = span(r->y, r->y + r->h, h, &k.y);
        if (k.w > 0 && k.h > 0)
            keep[m++] = k;
    }
    /* boxblur refuses a radius above half the shorter side of a plane. */
    int side = w < h ? w : h, cside = ((w < h ? w : h) + 1) / 2;
    int lr = side / BLUR_DIV < BLUR_MIN ? BLUR_MIN : side / BLUR_DIV;
    lr = lr > side / 2 ? side / 2 : lr;
    int cr = (lr + 1) / 2 > cside / 2 ? cside / 2 : (lr + 1) / 2;

    size_t len = 0;
    add(s, cap, &len, "[in]format=yuv420p");
    if (m > 0) {
        add(s, cap, &len, ",split=%zu[base]", m + 1);
        for (size_t i = 0; i < m; i++)
            add(s, cap, &len, "[k%zu]", i);
        add(s, cap, &len, ";[base]");
    } else {
        add(s, cap, &len, ",");
    }
    add(s, cap, &len, "boxblur=lr=%d:lp=%d:cr=%d:cp=%d", lr, BLUR_PASSES, cr, BLUR_PASSES);
    add(s, cap, &len, m > 0 ? "[b0]" : "[out]");
    for (size_t i = 0; i < m; i++) {
        const rect_t *k = &keep[i];
        add(s, cap, &len, ";[k%zu]crop=w=%d:h=%d:x=%d:y=%d[c%zu]", i, k->w, k->h, k->x, k->y, i);
        add(s, cap, &len, ";[b%zu][c%zu]overlay=x=%d:y=%d", i, i, k->x, k->y);
        if (i + 1 < m)
            add(s, cap, &len, "[b%zu]", i + 1);
        else
            add(s, cap, &len, "[out]");
    }
    if (len >= cap) {
        MM_ERROR("redact: the filter graph for %zu regions does not fit", j->n);
        return MM_EINVAL;
    }
    return MM_OK;
}

static mm_err_t build_graph(job_t *j, const AVFrame *f)
{
    char desc[256 + 192 * EDGE_REDACT_MAX_REGIONS];
    mm_err_t err = describe(j, f->width, f->height, desc, sizeof desc);
    if (err != MM_OK)
        return err;
    MM_DEBUG("redact: %s: %s", j->in, desc);
    if (!(j->graph = avfilter_graph_alloc()))
        return MM_ENOMEM;
    AVRational tb = j->ist->time_base, sar = f->sample_aspect_ratio;
    if (sar.num <= 0 || sar.den <= 0)
        sar = (AVRational){0, 1};
    char args[160];
    snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
             f->width, f->height, f->format, tb.num, tb.den, sar.num, sar.den);
    int rc = avfilter_graph_create_filter(&j->src, avfilter_get_by_name("buffer"), "in", args, NULL,
                                          j->graph);
    if (rc < 0)
        return media_fail(rc, "create the filters' input for", j->in);
    rc = avfilter_graph_create_filter(&j->sink, avfilter_get_by_name("buffersink"), "out", NULL,
                                      NULL, j->graph);
    if (rc < 0)
        return media_fail(rc, "create the filters' output for", j->in);
    static const enum AVPixelFormat fmts[] = {AV_PIX_FMT_YUV420P, AV_PIX_FMT_NONE};
    rc = av_opt_set_int_list(j->sink, "pix_fmts", fmts, AV_PIX_FMT_NONE, AV_OPT_SEARCH_CHILDREN);
    if (rc < 0)
        return media_fail(rc, "set the filters' pixel format for", j->in);

    AVFilterInOut *outs = avfilter_inout_alloc(), *ins = avfilter_inout_alloc();
    if (!outs || !ins) {
        avfilter_inout_free(&outs);
        avfilter_inout_free(&ins);
        return MM_ENOMEM;
    }
    outs->name = av_strdup("in");
    outs->filter_ctx = j->src;
    ins->name = av_strdup("out");
    ins->filter_ctx = j->sink;
    rc = !outs->name || !ins->name ? AVERROR(ENOMEM)
                                   : avfilter_graph_parse_ptr(j->graph, desc, &ins, &outs, NULL);
    avfilter_inout_free(&outs);
    avfilter_inout_free(&ins);
    if (rc >= 0)
        rc = avfilter_graph_config(j->graph, NULL);
    if (rc < 0)
        return media_fail(rc, "set up the blur for", j->in);
    return MM_OK;
}

/* Creates the temporary file with mode 0600 (it holds the requester in clear), never one left
 * over from before. */
/* The encoder for the graph's frames and the muxer over the temporary file, header written. */
static mm_err_t open_output(job_t *j, const AVFrame *f)
{
    const AVCodec *codec = avcodec_find_encoder_by_name(ENCODER);
    if (!codec) {
        MM_ERROR("redact: the %s encoder is not available", ENCODER);
        return MM_EMEDIA;
    }
    mm_err_t err = edge_footage_tmp_create(j->tmp);
    if (err != MM_OK)
        return err;
    j->tmp_made = 1;
    int rc = avformat_alloc_output_context2(&j->oc, NULL, "mp4", j->tmp);
    if (rc < 0)
        return media_fail(rc, "create a muxer for", j->tmp);
    if (!(j->ost = avformat_new_stream(j->oc, NULL)) || !(j->enc = avcodec_alloc_context3(codec)))
        return MM_ENOMEM;

    AVCodecContext *e = j->enc;
    e->width = av_buffersink_get_w(j->sink);
    e->height = av_buffersink_get_h(j->sink);
    e->pix_fmt = AV_PIX_FMT_YUV420P;
    e->sample_aspect_ratio = av_buffersink_get_sample_aspect_ratio(j->sink);
    e->time_base = j->ist->time_base;
    AVRational fps = j->ist->avg_frame_rate;
    if (fps.num > 0 && fps.den > 0) {
        e->framerate = fps;
        long gop = lrint(KEYFRAME_S * av_q2d(fps));
        e->gop_size = gop < 1 ? 1 : gop > INT_MAX / 2 ? INT_MAX / 2 : (int)gop;
    } else {
        e->gop_size = GOP_UNKNOWN_FPS;
    }
    e->color_range = AVCOL_RANGE_MPEG;
    e->color_primaries = f->color_primaries;
    e->color_trc = f->color_trc;
    e->colorspace = f->colorspace;
    e->thread_count = 0;
    if (j->oc->oformat->flags & AVFMT_GLOBALHEADER)
        e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    /* x264's own log level: warnings, not the statistics it prints when it closes. */
    if ((rc = av_opt_set(e->priv_data, "preset", PRESET, 0)) < 0 ||
        (rc = av_opt_set(e->priv_data, "crf", CRF, 0)) < 0 ||
        (rc = av_opt_set_int(e->priv_data, "a53cc", 0, 0)) < 0 ||
        (rc = av_opt_set(e->priv_data, "x264-params", "log=1", 0)) < 0)
        return media_fail(rc, "set the options of " ENCODER " for", j->tmp);
    if ((rc = avcodec_open2(e, codec, NULL)) < 0)
        return media_fail(rc, "open " ENCODER " for", j->tmp);
    if ((rc = avcodec_parameters_from_context(j->ost->codecpar, e)) < 0)
        return media_fail(rc, "set up the track of", j->tmp);
    j->ost->time_base = e->time_base;
    snprintf(j->rep->encoder, sizeof j->rep->encoder, "%s", codec->name);

    AVDictionary *o = NULL;
    rc = av_dict_set(&o, "protocol_whitelist", "file", 0);
    if (rc >= 0)
        rc = avio_open2(&j->oc->pb, j->tmp, AVIO_FLAG_WRITE, NULL, &o);
    av_dict_free(&o);
    if (rc < 0)
        return file_fail(rc, "open", j->tmp);
    if ((rc = avformat_write_header(j->oc, NULL)) < 0)
        return file_fail(rc, "write the header of", j->tmp);
    return MM_OK;
}

/* Sends f (NULL: the end) to the encoder and writes every packet it returns. */
static mm_err_t encode(job_t *j, AVFrame *f)
{
    if (f) {
        f->pts = av_rescale_q(f->pts, av_buffersink_get_time_base(j->sink), j->enc->time_base);
        f->pict_type = AV_PICTURE_TYPE_NONE;
        while (f->nb_side_data > 0)
            av_frame_remove_side_data(f, f->side_data[0]->type);
    }
    int rc = avcodec_send_frame(j->enc, f);
    if (rc < 0)
        return media_fail(rc, "encode a frame of", j->tmp);
    for (;;) {
        rc = avcodec_receive_packet(j->enc, j->opkt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return MM_OK;
        if (rc < 0)
            return media_fail(rc, "encode a frame of", j->tmp);
        if (j->opkt->duration <= 0)
            j->opkt->duration = av_rescale_q(j->gap, j->ist->time_base, j->enc->time_base);
        av_packet_rescale_ts(j->opkt, j->enc->time_base, j->ost->time_base);
        j->opkt->stream_index = j->ost->index;
        if ((rc = av_interleaved_write_frame(j->oc, j->opkt)) < 0)
            return file_fail(rc, "write a frame to", j->tmp);
        j->rep->frames_out++;
    }
}

/* Sends f (NULL: the end) through the graph and encodes what comes out. */
static mm_err_t filter(job_t *j, AVFrame *f)
{
    int rc = av_buffersrc_add_frame_flags(j->src, f, 0);
    if (rc < 0)
        return media_fail(rc, "blur a frame of", j->in);
    for (;;) {
        rc = av_buffersink_get_frame(j->sink, j->filt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return MM_OK;
        if (rc < 0)
            return media_fail(rc, "blur a frame of", j->in);
        mm_err_t err = encode(j, j->filt);
        av_frame_unref(j->filt);
        if (err != MM_OK)
            return err;
    }
}

/* A decoded frame: the output is set up with the first; each gets its presentation time. */
static mm_err_t take(job_t *j, AVFrame *f)
{
    mm_err_t err;
    if (!j->graph) {
        j->width = f->width;
        j->height = f->height;
        j->format = f->format;
        j->rep->width = f->width;
        j->rep->height = f->height;
        if ((err = build_graph(j, f)) != MM_OK || (err = open_output(j, f)) != MM_OK)
            return err;
    } else if (f->width != j->width || f->height != j->height || f->format != j->format) {
        MM_ERROR("redact: %s changes from %dx%d %s to %dx%d %s within the clip", j->in, j->width,
                 j->height, av_get_pix_fmt_name(j->format), f->width, f->height,
                 av_get_pix_fmt_name(f->format));
        return MM_EMEDIA;
    }
    int64_t pts = f->best_effort_timestamp;
    if (j->have_last && (pts == AV_NOPTS_VALUE || pts <= j->last_pts)) {
        if (!j->warned++)
            MM_WARN("redact: %s: frame times out of order; later times are moved forward", j->in);
        pts = j->last_pts + 1;
    } else if (pts == AV_NOPTS_VALUE) {
        pts = 0;
    }
    if (j->have_last)
        j->gap = pts - j->last_pts;
    j->last_pts = pts;
    j->have_last = 1;
    f->pts = pts;
    j->decoded++;
    return filter(j, f);
}

/* Sends pkt (NULL: the end) to the decoder and takes every frame it returns. */
static mm_err_t decode(job_t *j, const AVPacket *pkt)
{
    int rc = avcodec_send_packet(j->dec, pkt);
    if (rc < 0)
        return media_fail(rc, "decode", j->in);
    for (;;) {
        rc = avcodec_receive_frame(j->dec, j->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return MM_OK;
        if (rc < 0)
            return media_fail(rc, "decode", j->in);
        mm_err_t err = take(j, j->frame);
        av_frame_unref(j->frame);
        if (err != MM_OK)
            return err;
    }
}

static mm_err_t run(job_t *j)
{
    mm_err_t err = open_input(j);
    if (err != MM_OK)
        return err;
    if (!(j->pkt = av_packet_alloc()) || !(j->opkt = av_packet_alloc()) ||
        !(j->frame = av_frame_alloc()) || !(j->filt = av_frame_alloc()))
        return MM_ENOMEM;
    int rc;
    while ((rc = av_read_frame(j->ic, j->pkt)) >= 0) {
        if (j->pkt->stream_index == j->ist->index) {
            j->rep->frames_in++;
            err = decode(j, j->pkt);
        }
        av_packet_unref(j->pkt);
        if (err != MM_OK)
            return err;
    }
    if (rc != AVERROR_EOF)
        return file_fail(rc, "read", j->in);
    if ((err = decode(j, NULL)) != MM_OK)
        return err;
    if (!j->graph) {
        MM_ERROR("redact: %s holds no picture that decodes", j->in);
        return MM_EMEDIA;
    }
    if ((err = filter(j, NULL)) != MM_OK || (err = encode(j, NULL)) != MM_OK)
        return err;
    if (j->rep->frames_out != j->decoded) {
        MM_ERROR("redact: %s: %" PRIu64 " frames decoded but %" PRIu64 " encoded", j->in,
                 j->decoded, j->rep->frames_out);
        return MM_EMEDIA;
    }
    if (j->decoded != j->rep->frames_in)
        MM_WARN("redact: %s: %" PRIu64 " of %" PRIu64 " frames read do not decode (leading "
                "pictures of an open group); they are left out",
                j->in, j->rep->frames_in - j->decoded, j->rep->frames_in);
    if ((rc = av_write_trailer(j->oc)) < 0)
        return file_fail(rc, "finish", j->tmp);
    if ((rc = avio_closep(&j->oc->pb)) < 0)
        return file_fail(rc, "close", j->tmp);
    return MM_OK;
}

mm_err_t edge_redact_mp4(const char *in_path, const char *out_path, const edge_region_t *regions,
                         size_t n, edge_redact_report_t *rep)
{
    edge_redact_report_t local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    if (!in_path || !*in_path || !out_path || !*out_path || (n > 0 && !regions) ||
        n > EDGE_REDACT_MAX_REGIONS)
        return MM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!region_ok(&regions[i]))
            return MM_EINVAL;
    char tmp[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", out_path) >= sizeof tmp)
        return MM_EINVAL;

    job_t j = {.in = in_path, .tmp = tmp, .regions = regions, .n = n, .rep = rep};
    mm_err_t err = run(&j);
    if (j.oc) {
        if (j.oc->pb)
            avio_closep(&j.oc->pb);
        avformat_free_context(j.oc);
    }
    avcodec_free_context(&j.enc);
    avfilter_graph_free(&j.graph);
    avcodec_free_context(&j.dec);
    avformat_close_input(&j.ic);
    av_packet_free(&j.pkt);
    av_packet_free(&j.opkt);
    av_frame_free(&j.frame);
    av_frame_free(&j.filt);
    if (err == MM_OK && (err = edge_footage_publish(tmp, out_path)) == MM_OK)
        j.tmp_made = 0;
    if (j.tmp_made && unlink(tmp) != 0 && errno != ENOENT)
        MM_ERROR("redact: cannot remove %s: %s", tmp, strerror(errno));
    if (err != MM_OK)
        rep->frames_out = 0;
    else
        MM_INFO("redact: %s -> %s: %" PRIu64 " frames, %dx%d, %zu regions kept", in_path, out_path,
                rep->frames_out, rep->width, rep->height, n);
    return err;
}
