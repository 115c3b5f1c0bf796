/*
 * footage.c: the read path (see footage.h).
 *
 * The index says which segments a range touches and what each must hash to; a file is trusted
 * only once it has been read whole and found equal to its row. An export to a file reads each
 * segment once, holding its frames in memory until it has verified whole, and only then writes
 * them (one_pass); a stream, and an export whose times cannot be known in one pass, reads them
 * twice: first to verify every one of them and to learn the frames' times and order, then to
 * write the frames, checking them again as it goes (a file could change in between). Any
 * failure removes the temporary file, so a damaged range never yields a partial export.
 *
 * Segments hold Annex B; MP4 wants the parameter sets in an avcC/hvcC box and length-prefixed
 * NAL units. libavformat's mov muxer converts both itself when the extradata is in Annex B form,
 * or absent (it then takes the parameter sets from the first keyframe) — which is what ingest
 * records from RTSP. Any other form is refused rather than guessed at. The muxer keeps a NAL
 * unit's trailing zero bytes, though, so each frame is handed over rewritten as its bare NAL units
 * (frame_packet): the MP4 then holds exactly the NAL units the content hash covers, and the hash
 * of the frames written, taken as at recording, can be recomputed from the file itself.
 *
 * Timestamps: decode times are the frames' recording times on a 1/90000 clock from the first
 * frame written, made strictly increasing. Recording times follow decode order, so with B-frames
 * the presentation times come from the camera's own timestamps, used only for their order within
 * each group of pictures: the k-th frame shown gets the k-th decode time of its group, plus one
 * delay for the whole file, the least that keeps every presentation time at or after its decode
 * time. Without B-frames the two are equal.
 */
#include "edge/footage.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/files.h"
#include "common/helper.h"

#define LOOKBACK_US EDGE_VAULT_SEGMENT_MAX_US /* no segment is longer than this (vault.h) */
#define MP4_HZ 90000
#define LONE_FRAME_DUR (MP4_HZ / 15) /* duration of the only frame of a one-frame export */

/* --- rows ------------------------------------------------------------------------------------*/

typedef struct {
    edge_segment_row_t *v;
    size_t n, cap;
    int64_t start;
    int failed;
} rows_t;

static int add_row(const edge_segment_row_t *row, void *arg)
{
    rows_t *r = arg;
    const mm_segment_recorded_t *s = &row->seg;
    int64_t end = s->end_us > s->start_us ? s->end_us : s->start_us + 1;
    if (end <= r->start)
        return 0;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        edge_segment_row_t *nv = realloc(r->v, cap * sizeof *nv);
        if (!nv) {
            r->failed = 1;
            return 1;
        }
        r->v = nv;
        r->cap = cap;
    }
    r->v[r->n++] = *row;
    return 0;
}

/* The rows of camera overlapping [start, end), collected so that no read transaction stays open
 * while files are read. */
static mm_err_t rows_in(const edge_vault_t *v, const char *camera, int64_t start, int64_t end,
                        rows_t *out)
{
    memset(out, 0, sizeof *out);
    if (!v || !camera || start >= end)
        return MM_EINVAL;
    out->start = start;
    /* Index keys sort as unsigned: nothing is recorded before 1970, so the search starts at 0. */
    int64_t from = start > LOOKBACK_US ? start - LOOKBACK_US : 0;
    if (end <= from)
        return MM_OK;
    mm_err_t err = edge_store_segments(edge_vault_store(v), camera, from, end, add_row, out);
    if (err == MM_OK && out->failed)
        err = MM_ENOMEM;
    if (err != MM_OK) {
        free(out->v);
        memset(out, 0, sizeof *out);
    }
    return err;
}

mm_err_t edge_footage_find(const edge_vault_t *v, const char *camera, int64_t start_us,
                           int64_t end_us, edge_footage_fn fn, void *arg)
{
    if (!fn)
        return MM_EINVAL;
    rows_t rows;
    mm_err_t err = rows_in(v, camera, start_us, end_us, &rows);
    for (size_t i = 0; err == MM_OK && i < rows.n; i++)
        if (fn(&rows.v[i], arg))
            break;
    free(rows.v);
    return err;
}

mm_err_t edge_footage_rows(const edge_vault_t *v, const char *camera, int64_t start_us,
                           int64_t end_us, edge_segment_row_t **rows, size_t *n)
{
    rows_t r;
    mm_err_t err = rows_in(v, camera, start_us, end_us, &r);
    *rows = err == MM_OK ? r.v : NULL;
    *n = err == MM_OK ? r.n : 0;
    return err;
}

/* --- reading one segment whole ---------------------------------------------------------------*/

/* What reading a segment calls: once with its header, then for each frame (ord counts from 0).
 * A callback that fails logs why. */
typedef struct {
    mm_err_t (*on_header)(void *arg, size_t seg, const edge_segment_info_t *hdr,
                          const uint8_t *extra, size_t extralen);
    mm_err_t (*on_frame)(void *arg, size_t seg, uint32_t ord, const edge_frame_t *f);
    void *arg;
} reading_t;

typedef struct {
    char path[EDGE_SEG_PATH_MAX];
    uint32_t frames;
    uint64_t bytes;
} seg_read_t;

/*
 * Reads the segment of row number seg whole and checks it against the row: its header names the
 * same camera, start and codec, and its frames, their count and their content hash are the
 * recorded ones. The reader itself hashes the frames it hands out and refuses a file whose
 * frames do not hash to its LAST chunk's content hash (segment.h, edge_segment_next), so the
 * frames are hashed once: what is compared with the row is that checked trailer. Logs a failure
 * with the file's path.
 */
static mm_err_t read_segment(const edge_vault_t *v, const edge_segment_row_t *row, size_t seg,
                             const reading_t *rd, seg_read_t *out)
{
    const mm_segment_recorded_t *s = &row->seg;
    memset(out, 0, sizeof *out);
    if (edge_vault_path(v, s->camera, s->start_us, out->path, sizeof out->path) != 0) {
        MM_ERROR("footage: %s segment %lld: path too long", s->camera, (long long)s->start_us);
        return MM_EINVAL;
    }
    edge_segment_reader_t *r = NULL;
    edge_segment_info_t hdr, trailer;
    const char *why = NULL;
    /* edge_vault_segment_key only reads the vault; its callback type has no const. */
    mm_err_t err = edge_segment_open(out->path, edge_vault_segment_key, (void *)v, &r, &hdr);
    if (err != MM_OK) {
        why = err == MM_EERASED ? "has no key any more" : "cannot be opened";
        goto out;
    }
    if (strcmp(hdr.camera, s->camera) != 0 || hdr.start_us != s->start_us ||
        strcmp(hdr.codec, s->codec) != 0) {
        err = MM_ECORRUPT;
        why = "is not the segment its index row names";
        goto out;
    }
    if (rd && rd->on_header) {
        size_t el;
        const uint8_t *extra = edge_segment_extradata(r, &el);
        if ((err = rd->on_header(rd->arg, seg, &hdr, extra, el)) != MM_OK)
            goto out;
    }
    edge_frame_t f;
    while ((err = edge_segment_next(r, &f)) == MM_OK) {
        if (rd && rd->on_frame && (err = rd->on_frame(rd->arg, seg, out->frames, &f)) != MM_OK)
            goto out;
        out->frames++;
        out->bytes += f.len;
    }
    if (err != MM_ENOTFOUND) {
        why = "does not read back";
        goto out;
    }
    edge_segment_trailer(r, &trailer);
    if (out->frames != s->frames || trailer.frames != s->frames ||
        memcmp(trailer.content_hash, s->content_hash, 32) != 0) {
        err = MM_ECORRUPT;
        why = "does not match the content hash of its log entry";
        goto out;
    }
    err = MM_OK;
out:
    if (why)
        MM_ERROR("footage: %s segment %lld (%s) %s: %s", s->camera, (long long)s->start_us,
                 out->path, why, mm_strerror(err));
    edge_segment_close(r);
    return err;
}

static void report_init(edge_footage_report_t *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->failed_err = MM_OK;
}

static void report_failure(edge_footage_report_t *rep, mm_err_t err, const edge_segment_row_t *row,
                           const char *path)
{
    if (rep->failed_err != MM_OK)
        return;
    rep->failed_err = err;
    rep->failed_start_us = row->seg.start_us;
    snprintf(rep->failed_path, sizeof rep->failed_path, "%s", path);
}

/* --- verify ----------------------------------------------------------------------------------*/

mm_err_t edge_footage_verify(const edge_vault_t *v, const char *camera, int64_t start_us,
                             int64_t end_us, edge_footage_report_t *rep)
{
    edge_footage_report_t local;
    if (!rep)
        rep = &local;
    report_init(rep);
    rows_t rows;
    mm_err_t err = rows_in(v, camera, start_us, end_us, &rows);
    if (err != MM_OK)
        return err;
    if (rows.n == 0) {
        free(rows.v);
        return MM_ENOTFOUND;
    }
    for (size_t i = 0; i < rows.n; i++) {
        seg_read_t sr;
        rep->segments++;
        err = read_segment(v, &rows.v[i], i, NULL, &sr);
        if (err != MM_OK) {
            rep->failed++;
            report_failure(rep, err, &rows.v[i], sr.path);
            continue;
        }
        rep->frames += sr.frames;
        rep->bytes += sr.bytes;
    }
    free(rows.v);
    if (rep->failed)
        MM_ERROR("footage: %s [%lld, %lld): %" PRIu32 " of %" PRIu32 " segments fail to verify",
                 camera, (long long)start_us, (long long)end_us, rep->failed, rep->segments);
    return rep->failed_err;
}

mm_err_t edge_footage_verify_row(const edge_vault_t *v, const edge_segment_row_t *row,
                                 uint64_t *bytes)
{
    seg_read_t sr;
    mm_err_t err = read_segment(v, row, 0, NULL, &sr);
    if (bytes)
        *bytes = err == MM_OK ? sr.bytes : 0;
    return err;
}

/* --- the export plan: which frames, with which timestamps -------------------------------------*/

typedef struct {
    int64_t time_us, pts;
    uint32_t seg, ord;
    int key;
} meta_t;

typedef struct {
    int64_t end;
    int speed;  /* a stream's: its times are the footage's divided by this (1: an export) */
    int stream; /* a stream: a gap counts as EDGE_FOOTAGE_GAP_US */
    meta_t *f;  /* frames of the overlapping segments before end, as read */
    size_t n, cap;
    size_t first;             /* the keyframe the export starts at */
    int64_t *dts, *pts, *dur; /* of f[first..n), indexed from first, on the 1/90000 clock */
} plan_t;

static int annexb(const uint8_t *d, size_t len)
{
    return (len >= 3 && d[0] == 0 && d[1] == 0 && d[2] == 1) ||
           (len >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 1);
}

static mm_err_t plan_header(void *arg, size_t seg, const edge_segment_info_t *hdr,
                            const uint8_t *extra, size_t extralen)
{
    (void)arg, (void)seg;
    if (extralen > 0 && !annexb(extra, extralen)) {
        MM_ERROR("footage: segment %s: its parameter sets are not in Annex B form; they cannot be "
                 "remuxed as recorded",
                 hdr->path);
        return MM_EMEDIA;
    }
    return MM_OK;
}

static mm_err_t plan_frame(void *arg, size_t seg, uint32_t ord, const edge_frame_t *f)
{
    plan_t *p = arg;
    if (f->time_us >= p->end)
        return MM_OK;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1024;
        meta_t *nf = realloc(p->f, cap * sizeof *nf);
        if (!nf) {
            MM_ERROR("footage: out of memory planning an export");
            return MM_ENOMEM;
        }
        p->f = nf;
        p->cap = cap;
    }
    p->f[p->n++] = (meta_t){f->time_us, f->pts, (uint32_t)seg, ord, f->key};
    return MM_OK;
}

typedef struct {
    int64_t pts;
    size_t k;
} order_t;

static int by_pts(const void *a, const void *b)
{
    const order_t *x = a, *y = b;
    if (x->pts != y->pts)
        return x->pts < y->pts ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

/* Decode and presentation times of the frames to write (see the top of this file). */
static mm_err_t plan_times(plan_t *p)
{
    size_t m = p->n - p->first;
    const meta_t *f = p->f + p->first;
    size_t *pos = malloc(m * sizeof *pos);
    order_t *ord = malloc(m * sizeof *ord);
    p->dts = malloc(m * sizeof *p->dts);
    p->pts = malloc(m * sizeof *p->pts);
    p->dur = malloc(m * sizeof *p->dur);
    mm_err_t err = MM_ENOMEM;
    if (!pos || !ord || !p->dts || !p->pts || !p->dur)
        goto out;
    int64_t since = 0; /* footage time since the first frame, gaps shortened in a stream */
    for (size_t k = 0; k < m; k++) {
        int64_t step = k ? f[k].time_us - f[k - 1].time_us : 0;
        since += p->stream && step > EDGE_FOOTAGE_GAP_US ? EDGE_FOOTAGE_GAP_US : step;
        int64_t t = av_rescale(since, MP4_HZ, 1000000LL * p->speed);
        p->dts[k] = k > 0 && t <= p->dts[k - 1] ? p->dts[k - 1] + 1 : t;
    }
    /* pos[k]: where frame k is shown within its group, as an index into dts. */
    for (size_t a = 0; a < m;) {
        size_t b = a + 1;
        while (b < m && !f[b].key)
            b++;
        int known = 1;
        for (size_t k = a; k < b; k++) {
            ord[k - a] = (order_t){f[k].pts, k};
            known &= f[k].pts != AV_NOPTS_VALUE;
        }
        if (known)
            qsort(ord, b - a, sizeof *ord, by_pts);
        for (size_t r = 0; r < b - a; r++)
            pos[known ? ord[r].k : a + r] = a + r;
        a = b;
    }
    int64_t delay = 0;
    for (size_t k = 0; k < m; k++)
        if (p->dts[k] - p->dts[pos[k]] > delay)
            delay = p->dts[k] - p->dts[pos[k]];
    for (size_t k = 0; k < m; k++) {
        p->pts[k] = p->dts[pos[k]] + delay;
        p->dur[k] = k + 1 < m ? p->dts[k + 1] - p->dts[k] : k > 0 ? p->dur[k - 1] : LONE_FRAME_DUR;
    }
    err = MM_OK;
out:
    if (err != MM_OK)
        MM_ERROR("footage: out of memory planning an export");
    free(pos);
    free(ord);
    return err;
}

/* Chooses the frames: from the last keyframe at or before start (or, if there is none, the first
 * keyframe after it) to the end. */
static mm_err_t plan_range(plan_t *p, int64_t start)
{
    size_t first = SIZE_MAX;
    for (size_t i = 0; i < p->n; i++) {
        if (!p->f[i].key)
            continue;
        if (p->f[i].time_us <= start) {
            first = i;
        } else {
            if (first == SIZE_MAX)
                first = i;
            break;
        }
    }
    if (first == SIZE_MAX)
        return MM_ENOTFOUND;
    p->first = first;
    return plan_times(p);
}

static void plan_free(plan_t *p)
{
    free(p->f);
    free(p->dts);
    free(p->pts);
    free(p->dur);
}

/* --- writing the MP4 -------------------------------------------------------------------------*/

/* Converts a libav error where it happened: logged with its own text. */
static mm_err_t av_fail(int rc, const char *what, const char *path)
{
    char e[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(rc, e, sizeof e);
    MM_ERROR("footage: cannot %s %s: %s", what, path, e);
    if (rc == AVERROR(ENOMEM))
        return MM_ENOMEM;
    if (rc == AVERROR(ENOSPC) || rc == AVERROR(EDQUOT))
        return MM_EFULL;
    if (rc == AVERROR(EINVAL) || rc <= -4096) /* below -4095: libav's own tags, not errno */
        return MM_EMEDIA;
    return MM_EIO;
}

static mm_err_t errno_fail(const char *what, const char *path)
{
    int e = errno;
    MM_ERROR("footage: cannot %s %s: %s", what, path, strerror(e));
    return e == ENOSPC || e == EDQUOT ? MM_EFULL : MM_EIO;
}

typedef struct {
    const plan_t *p;
    const edge_footage_sink_t *sink; /* a stream's; NULL for a file */
    mm_err_t sink_err;               /* what ended the stream, when sink->wait did */
    int64_t t0_us;                   /* a stream: when its first frame went out (monotonic) */
    size_t next; /* the plan's next frame to write */
    enum AVCodecID id;
    const char *tmp;    /* where the frames go: a file, or a name for messages */
    const char *format; /* "mp4" or "mpegts" */
    int fd;             /* a stream: the descriptor written, else -1 */
    int fmp4;           /* a stream in fragmented MP4 (footage.h) */
    uint64_t written;   /* a stream: bytes written to fd */
    uint8_t *extra;     /* the parameter sets of the first segment written */
    size_t extralen;
    int have_extra, warned;
    AVFormatContext *oc;
    AVStream *st;
    AVPacket *pkt;
    int header_done;
    mm_sha256_ctx_t *hash;
    int hash_apart; /* the frames written are hashed by one_pass's helper, not mux_write */
    edge_footage_report_t *rep;
} mux_t;

typedef struct {
    uint8_t *out; /* NULL: only count */
    size_t len;
} nal_copy_t;

static void copy_nal(void *arg, const uint8_t *nal, size_t len)
{
    nal_copy_t *c = arg;
    if (c->out) {
        static const uint8_t sc[4] = {0, 0, 0, 1};
        memcpy(c->out + c->len, sc, 4);
        memcpy(c->out + c->len + 4, nal, len);
    }
    c->len += 4 + len;
}

/*
 * Puts a frame into pkt as its NAL units, each after a 4-byte start code and without trailing
 * zero bytes. The mov muxer turns start codes into lengths but keeps a NAL unit's trailing zero
 * bytes (trailing_zero_8bits, which some encoders write); given this form, the MP4 holds exactly
 * the NAL units the content hash covers, and the same hash can be computed from the file.
 */
static int frame_packet(AVPacket *pkt, const uint8_t *data, size_t len)
{
    nal_copy_t c = {NULL, 0};
    edge_segment_each_nal(data, len, copy_nal, &c);
    if (c.len > INT32_MAX)
        return AVERROR(EINVAL);
    int rc = av_new_packet(pkt, (int)c.len); /* padded, as the muxer's parsers expect */
    if (rc < 0)
        return rc;
    c = (nal_copy_t){pkt->data, 0};
    edge_segment_each_nal(data, len, copy_nal, &c);
    return 0;
}

/* Width and height from the parameter sets, for the MP4's sample description. 0 when the parser
 * finds none; decoders read them from the parameter sets anyway. */
static void frame_size(enum AVCodecID id, const uint8_t *extra, size_t extralen,
                       const uint8_t *data, size_t len, int *w, int *h)
{
    AVCodecParserContext *pc = av_parser_init(id);
    AVCodecContext *cc = avcodec_alloc_context3(NULL);
    uint8_t *buf = av_mallocz(extralen + len + AV_INPUT_BUFFER_PADDING_SIZE);
    if (pc && cc && buf && extralen + len <= INT32_MAX) {
        pc->flags |= PARSER_FLAG_COMPLETE_FRAMES;
        if (extralen)
            memcpy(buf, extra, extralen);
        memcpy(buf + extralen, data, len);
        uint8_t *outbuf;
        int outlen;
        av_parser_parse2(pc, cc, &outbuf, &outlen, buf, (int)(extralen + len), AV_NOPTS_VALUE,
                         AV_NOPTS_VALUE, 0);
        *w = pc->width;
        *h = pc->height;
    }
    av_free(buf);
    avcodec_free_context(&cc);
    av_parser_close(pc);
}

#define STREAM_BUF (64 * 1024)

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Asks the sink to wait (footage.h); an error ends the stream, and is kept to be returned. */
static mm_err_t sink_wait(mux_t *m, int fd, int64_t until_us)
{
    mm_err_t err = m->sink->wait(m->sink->arg, fd, until_us);
    if (err != MM_OK && m->sink_err == MM_OK)
        m->sink_err = err;
    return err;
}

/* Writes the muxer's output to the stream's descriptor, whole, waiting while it is full; an
 * error ends the stream. */
static int fd_write(void *opaque, uint8_t *buf, int len)
{
    mux_t *m = opaque;
    int done = 0;
    while (done < len) {
        ssize_t w = write(m->fd, buf + done, (size_t)(len - done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (sink_wait(m, m->fd, 0) != MM_OK)
                return AVERROR_EXIT;
            continue;
        }
        if (w < 0 && m->sink && (errno == EPIPE || errno == ECONNRESET)) {
            m->sink_err = m->sink_err != MM_OK ? m->sink_err : MM_ECLOSED; /* the viewer left */
            return AVERROR_EXIT;
        }
        if (w <= 0)
            return AVERROR(w < 0 ? errno : EIO);
        done += (int)w;
    }
    m->written += (uint64_t)len;
    return len;
}

typedef struct {
    enum AVCodecID id;
    uint8_t *out; /* NULL: only count */
    size_t len;
} ps_copy_t;

/* A parameter set (H.264 SPS and PPS, HEVC VPS, SPS and PPS) is copied with its start code. */
static void copy_ps(void *arg, const uint8_t *nal, size_t len)
{
    ps_copy_t *c = arg;
    int t = c->id == AV_CODEC_ID_H264 ? nal[0] & 0x1f : (nal[0] >> 1) & 0x3f;
    int ps = c->id == AV_CODEC_ID_H264 ? t == 7 || t == 8 : t >= 32 && t <= 34;
    if (!len || !ps)
        return;
    if (c->out) {
        static const uint8_t sc[4] = {0, 0, 0, 1};
        memcpy(c->out + c->len, sc, 4);
        memcpy(c->out + c->len + 4, nal, len);
    }
    c->len += 4 + len;
}

/*
 * A fragmented MP4 describes its track before any frame (empty_moov), so it needs the parameter
 * sets then: when the segments recorded none apart, they are taken from the first frame (a
 * keyframe carries them in-band), in Annex B form, as the muxer takes extradata.
 */
static mm_err_t extra_from_frame(mux_t *m, const edge_frame_t *f)
{
    if (m->extralen)
        return MM_OK;
    ps_copy_t c = {m->id, NULL, 0};
    edge_segment_each_nal(f->data, f->len, copy_ps, &c);
    if (!c.len) {
        MM_ERROR("footage: %s: no parameter sets in the first keyframe", m->tmp);
        return MM_EMEDIA;
    }
    if (!(m->extra = malloc(c.len)))
        return MM_ENOMEM;
    c.out = m->extra;
    c.len = 0;
    edge_segment_each_nal(f->data, f->len, copy_ps, &c);
    m->extralen = c.len;
    return MM_OK;
}

/* Writes len bytes to the stream's descriptor past the muxer (its buffer flushed first). */
static mm_err_t stream_raw(mux_t *m, const uint8_t *buf, size_t len)
{
    avio_flush(m->oc->pb);
    if (m->sink_err != MM_OK)
        return m->sink_err;
    int rc = fd_write(m, (uint8_t *)buf, (int)len);
    if (rc < 0 && m->sink_err != MM_OK)
        return m->sink_err;
    return rc < 0 ? av_fail(rc, "write to", m->tmp) : MM_OK;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* The time box before a fragment (footage.h): the frame's recording time and decode time. */
static mm_err_t time_box(mux_t *m, int64_t time_us, int64_t dts)
{
    uint8_t b[EDGE_FOOTAGE_TIMEBOX] = {0, 0, 0, EDGE_FOOTAGE_TIMEBOX, 'u', 'u', 'i', 'd'};
    memcpy(b + 8, EDGE_FOOTAGE_UUID, 16);
    put_be64(b + 24, (uint64_t)time_us);
    put_be64(b + 32, (uint64_t)dts);
    return stream_raw(m, b, sizeof b);
}

/* Opens the muxer at the first frame (which gives the picture size). */
static mm_err_t mux_open(mux_t *m, const edge_frame_t *f)
{
    mm_err_t err;
    if (m->fmp4 && (err = extra_from_frame(m, f)) != MM_OK)
        return err;
    int rc = avformat_alloc_output_context2(&m->oc, NULL, m->format, m->tmp);
    if (rc < 0)
        return av_fail(rc, "create a muxer for", m->tmp);
    m->st = avformat_new_stream(m->oc, NULL);
    if (!m->st)
        return av_fail(AVERROR(ENOMEM), "add a stream to", m->tmp);
    AVCodecParameters *par = m->st->codecpar;
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = m->id;
    if (m->extralen) {
        par->extradata = av_mallocz(m->extralen + AV_INPUT_BUFFER_PADDING_SIZE);
        if (!par->extradata)
            return av_fail(AVERROR(ENOMEM), "set the parameter sets of", m->tmp);
        memcpy(par->extradata, m->extra, m->extralen);
        par->extradata_size = (int)m->extralen;
    }
    frame_size(m->id, m->extra, m->extralen, f->data, f->len, &par->width, &par->height);
    if (par->width <= 0 || par->height <= 0)
        MM_WARN("footage: no picture size in the parameter sets of the first frame of %s", m->tmp);
    m->st->time_base = (AVRational){1, MP4_HZ};
    if (m->fd >= 0) {
        uint8_t *iobuf = av_malloc(STREAM_BUF);
        m->oc->pb =
            iobuf ? avio_alloc_context(iobuf, STREAM_BUF, 1, m, NULL, fd_write, NULL) : NULL;
        if (!m->oc->pb) {
            av_free(iobuf);
            return av_fail(AVERROR(ENOMEM), "set up the stream to", m->tmp);
        }
        m->oc->flags |= AVFMT_FLAG_CUSTOM_IO;
    } else if ((rc = avio_open(&m->oc->pb, m->tmp, AVIO_FLAG_WRITE)) < 0) {
        return av_fail(rc, "open", m->tmp);
    }
    AVDictionary *opts = NULL;
    /* An export's MP4 keeps its moov after the frames, where the muxer writes it: moving it to
     * the front (faststart) would read and write the whole file once more, and the requester
     * plays the file from disk. */
    if (m->fmp4)
        av_dict_set(&opts, "movflags", "+empty_moov+default_base_moof+frag_custom+skip_trailer", 0);
    rc = avformat_write_header(m->oc, &opts);
    av_dict_free(&opts);
    if (rc < 0)
        return av_fail(rc, "write the header of", m->tmp);
    m->header_done = 1;
    if (m->fmp4)
        avio_flush(m->oc->pb); /* the init segment goes out at once */
    return MM_OK;
}

static mm_err_t mux_header(void *arg, size_t seg, const edge_segment_info_t *hdr,
                           const uint8_t *extra, size_t extralen)
{
    mux_t *m = arg;
    (void)seg;
    if (!m->have_extra) {
        m->have_extra = 1;
        m->extralen = extralen;
        if (extralen && !(m->extra = malloc(extralen))) {
            MM_ERROR("footage: out of memory exporting %s", hdr->path);
            return MM_ENOMEM;
        }
        if (extralen)
            memcpy(m->extra, extra, extralen);
    } else if (!m->warned &&
               (extralen != m->extralen || (extralen && memcmp(extra, m->extra, extralen) != 0))) {
        /* One MP4 track has one sample description; the frames carry their own in-band. */
        m->warned = 1;
        MM_WARN("footage: parameter sets change at segment %s; the MP4 describes the first ones",
                hdr->path);
    }
    return MM_OK;
}

/* Writes frame f, the k-th of the output, with its times on the 1/90000 clock. */
static mm_err_t mux_write(mux_t *m, const edge_frame_t *f, size_t k, int64_t dts, int64_t pts,
                          int64_t dur)
{
    mm_err_t err;
    if (!m->oc && (err = mux_open(m, f)) != MM_OK)
        return m->sink_err != MM_OK ? m->sink_err : err;
    if (m->sink) {
        /* Paced (R-N7.3): frame k goes out no sooner than its time in the stream, which is the
         * footage's divided by the speed (plan_times). */
        if (k == 0)
            m->t0_us = mono_us();
        int64_t due = m->t0_us + av_rescale(dts, 1000000, MP4_HZ);
        if (sink_wait(m, -1, due) != MM_OK)
            return m->sink_err;
    }
    av_packet_unref(m->pkt);
    int rc = frame_packet(m->pkt, f->data, f->len);
    if (rc < 0)
        return av_fail(rc, "make a packet for", m->tmp);
    m->pkt->stream_index = m->st->index;
    m->pkt->dts = dts;
    m->pkt->pts = pts;
    m->pkt->duration = dur;
    if (f->key)
        m->pkt->flags |= AV_PKT_FLAG_KEY;
    av_packet_rescale_ts(m->pkt, (AVRational){1, MP4_HZ}, m->st->time_base);
    if (m->fmp4 && (err = time_box(m, f->time_us, dts)) != MM_OK)
        return err;
    rc = av_write_frame(m->oc, m->pkt);
    if (rc >= 0 && m->fmp4)
        rc = av_write_frame(m->oc, NULL); /* the frame is a fragment of its own, cut now */
    if (rc < 0 && m->sink_err != MM_OK)
        return m->sink_err;
    if (rc < 0)
        return av_fail(rc, "write a frame to", m->tmp);
    if (m->sink)
        avio_flush(m->oc->pb); /* the frame goes out now, as paced */
    if (!m->hash_apart)
        edge_segment_hash_frame(m->hash, f->data, f->len);
    if (m->rep->frames == 0)
        m->rep->first_us = f->time_us;
    m->rep->last_us = f->time_us;
    m->rep->frames++;
    m->rep->bytes += f->len;
    return MM_OK;
}

static mm_err_t mux_frame(void *arg, size_t seg, uint32_t ord, const edge_frame_t *f)
{
    mux_t *m = arg;
    const plan_t *p = m->p;
    if (m->next >= p->n || p->f[m->next].seg != seg || p->f[m->next].ord != ord)
        return MM_OK; /* before the first keyframe or after the end */
    size_t k = m->next++ - p->first;
    return mux_write(m, f, k, p->dts[k], p->pts[k], p->dur[k]);
}

/* Puts tmp in place as out_path, unsynced: a clear temporary that its caller reads once and
 * removes (the export's MP4, which nothing needs after a crash). */
static mm_err_t put_in_place(const char *tmp, const char *out_path)
{
    return rename(tmp, out_path) == 0 ? MM_OK : errno_fail("rename to its final name", tmp);
}

mm_err_t edge_footage_publish(const char *tmp, const char *out_path)
{
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno_fail("reopen", tmp);
    if (fsync(fd) != 0) {
        mm_err_t err = errno_fail("sync", tmp);
        close(fd);
        return err;
    }
    close(fd);
    if (rename(tmp, out_path) != 0)
        return errno_fail("rename to its final name", tmp);
    if (mm_dir_sync_of(out_path) != MM_OK)
        return errno_fail("sync the directory of", out_path);
    return MM_OK;
}

static enum AVCodecID codec_id(const char *codec)
{
    if (strcmp(codec, "h264") == 0)
        return AV_CODEC_ID_H264;
    if (strcmp(codec, "hevc") == 0 || strcmp(codec, "h265") == 0)
        return AV_CODEC_ID_HEVC;
    return AV_CODEC_ID_NONE;
}

/* Creates the MP4's temporary file with mode 0600 (it holds footage in clear), never one left
 * over from before. */
mm_err_t edge_footage_tmp_create(const char *tmp)
{
    if (unlink(tmp) != 0 && errno != ENOENT)
        return errno_fail("remove", tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno_fail("create", tmp);
    close(fd);
    return MM_OK;
}

/* --- one pass: an export to a file -----------------------------------------------------------*/

/*
 * An export to a file reads each segment once: its frames are kept in memory while it is read,
 * and written only once the segment has verified whole (read_segment), so nothing unverified
 * reaches the MP4. Whole groups of pictures are written as soon as the next keyframe is known,
 * so no more than a segment and a group are held (at most ONE_PASS_MAX bytes: more, and the
 * export is made in two passes, below). The times are those of plan_times, with one
 * difference that only a second attempt can settle: the delay of the presentation times is the
 * whole file's, which is known only at the end. The first group's is used; a later group that
 * needs more ends this pass (one_t.redo), and the export is made again in two passes, which know
 * it from the start. Footage without B-frames needs no delay and never takes the second way.
 */

#define ONE_PASS_MAX (64u * 1024 * 1024) /* most frame bytes one_pass holds in memory */

typedef struct qframe {
    int64_t time_us, pts, dts; /* dts: set once the frames before it are written (q_dts) */
    size_t off, len;           /* its bytes in the queue's */
    uint32_t seg;
    int key;
} qframe_t;

typedef struct {
    mux_t *m;
    int64_t start, end;
    qframe_t *f; /* frames kept, oldest first; those of the segment being read at the end */
    size_t n, cap;
    uint8_t *bytes;
    size_t used, bcap;
    size_t seg_from;   /* f[seg_from..n): the frames of the segment being read, not yet verified */
    int have_first;    /* f[0] is the frame the export starts at */
    int chosen;        /* a keyframe after start came: f[0] cannot change any more */
    size_t seg0;       /* the first frame's segment */
    int codec_differs; /* a verified segment since seg0 has another codec than seg0 */
    size_t with_dts;   /* f[0..with_dts) have their dts */
    uint64_t k;        /* frames written */
    int64_t t0, last_dts, prev_dts; /* the first frame's time, the last dts made, written */
    size_t seg_last;                /* the last frame's segment */
    int64_t delay;
    int have_delay;
    int redo;
    uint8_t *extra; /* the parameter sets of the segment being read */
    size_t extralen;
    edge_segment_info_t hdr;
    mm_helper_t helper; /* hashes the frames written into m->hash (one_group) */
    size_t hash_n;      /* how many of f the helper hashes */
} one_t;

/* The helper's job: the content hash of the group being written. */
static void hash_group(void *arg)
{
    one_t *o = arg;
    for (size_t i = 0; i < o->hash_n; i++)
        edge_segment_hash_frame(o->m->hash, o->bytes + o->f[i].off, o->f[i].len);
}

static mm_err_t one_header(void *arg, size_t seg, const edge_segment_info_t *hdr,
                           const uint8_t *extra, size_t extralen)
{
    one_t *o = arg;
    mm_err_t err = plan_header(NULL, seg, hdr, extra, extralen);
    if (err != MM_OK)
        return err;
    if (extralen > EDGE_SEG_EXTRA_MAX)
        return MM_EMEDIA;
    o->hdr = *hdr;
    o->extralen = extralen;
    if (extralen)
        memcpy(o->extra, extra, extralen);
    return MM_OK;
}

/* Keeps frame f of segment seg, unless it is not the export's (before its first keyframe, at
 * or after its end); the choice of the first frame is plan_range's. */
static mm_err_t one_frame(void *arg, size_t seg, uint32_t ord, const edge_frame_t *f)
{
    one_t *o = arg;
    (void)ord;
    if (f->time_us >= o->end)
        return MM_OK;
    if (!o->chosen) {
        if (f->key && f->time_us <= o->start) {
            /* A later keyframe at or before start: the export starts there. Nothing was
             * written yet (only chosen frames are), so what came before is dropped. */
            o->n = o->seg_from = o->used = 0;
            o->have_first = 1;
            o->seg0 = seg;
            o->codec_differs = 0;
            o->m->have_extra = 0;
            o->m->warned = 0;
            free(o->m->extra);
            o->m->extra = NULL;
            o->m->extralen = 0;
        } else if (f->key) {
            o->chosen = 1;
            if (!o->have_first) {
                o->have_first = 1;
                o->seg0 = seg;
            }
        } else if (!o->have_first) {
            return MM_OK;
        }
    }
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 1024;
        qframe_t *nf = realloc(o->f, cap * sizeof *nf);
        if (!nf)
            goto nomem;
        o->f = nf;
        o->cap = cap;
    }
    if (o->used + f->len > ONE_PASS_MAX) {
        /* A group of pictures longer than memory should hold (a camera with rare keyframes):
         * two passes hold none of it. */
        MM_INFO("footage: %s: more than %u MiB between keyframes; made again in two passes",
                o->m->tmp, ONE_PASS_MAX >> 20);
        o->redo = 1;
        return MM_EAGAIN;
    }
    if (o->used + f->len > o->bcap) {
        size_t cap = o->bcap ? o->bcap : 4u * 1024 * 1024;
        while (cap < o->used + f->len)
            cap *= 2;
        uint8_t *nb = realloc(o->bytes, cap);
        if (!nb)
            goto nomem;
        o->bytes = nb;
        o->bcap = cap;
    }
    memcpy(o->bytes + o->used, f->data, f->len);
    o->f[o->n++] = (qframe_t){f->time_us, f->pts, 0, o->used, f->len, (uint32_t)seg, f->key};
    o->used += f->len;
    return MM_OK;
nomem:
    MM_ERROR("footage: out of memory exporting %s", o->m->tmp);
    return MM_ENOMEM;
}

/* The decode times of f[with_dts..upto), as plan_times makes them (speed 1, no gap shortened). */
static void q_dts(one_t *o, size_t upto)
{
    for (; o->with_dts < upto; o->with_dts++) {
        qframe_t *q = &o->f[o->with_dts];
        int first = o->k == 0 && o->with_dts == 0;
        if (first)
            o->t0 = q->time_us;
        int64_t t = av_rescale(q->time_us - o->t0, MP4_HZ, 1000000LL);
        q->dts = !first && t <= o->last_dts ? o->last_dts + 1 : t;
        o->last_dts = q->dts;
    }
}

/* Writes the group f[0..b) (a keyframe and the frames up to the next one, or to the end). */
static mm_err_t one_group(one_t *o, size_t b)
{
    mux_t *m = o->m;
    q_dts(o, b < o->n ? b + 1 : b); /* the next frame's too: it ends the group's last */
    size_t *pos = malloc(b * sizeof *pos);
    order_t *ord = malloc(b * sizeof *ord);
    mm_err_t err = MM_ENOMEM;
    if (!pos || !ord) {
        MM_ERROR("footage: out of memory exporting %s", m->tmp);
        goto out;
    }
    int known = 1;
    for (size_t k = 0; k < b; k++) {
        ord[k] = (order_t){o->f[k].pts, k};
        known &= o->f[k].pts != AV_NOPTS_VALUE;
    }
    if (known)
        qsort(ord, b, sizeof *ord, by_pts);
    for (size_t r = 0; r < b; r++)
        pos[known ? ord[r].k : r] = r;
    int64_t delay = 0;
    for (size_t k = 0; k < b; k++)
        if (o->f[k].dts - o->f[pos[k]].dts > delay)
            delay = o->f[k].dts - o->f[pos[k]].dts;
    if (!o->have_delay) {
        o->have_delay = 1;
        o->delay = delay;
    } else if (delay > o->delay) {
        MM_INFO("footage: %s: a later group of pictures needs a longer presentation delay; "
                "made again in two passes",
                m->tmp);
        o->redo = 1;
        err = MM_EAGAIN;
        goto out;
    }
    /* The group is hashed while it is written: both only read it. */
    o->hash_n = b;
    mm_helper_run(&o->helper, hash_group, o);
    err = MM_OK;
    for (size_t k = 0; err == MM_OK && k < b; k++) {
        const qframe_t *q = &o->f[k];
        /* The last frame lasts as long as the one before it (plan_times). */
        int64_t dur = k + 1 < o->n ? o->f[k + 1].dts - q->dts
                      : o->k > 0   ? q->dts - o->prev_dts
                                   : LONE_FRAME_DUR;
        edge_frame_t f = {q->time_us, q->pts, q->key, o->bytes + q->off, q->len};
        err = mux_write(m, &f, (size_t)o->k, q->dts, o->f[pos[k]].dts + o->delay, dur);
        o->prev_dts = q->dts;
        o->seg_last = q->seg;
        o->k++;
    }
    mm_helper_wait(&o->helper);
out:
    free(pos);
    free(ord);
    return err;
}

/* Drops the written f[0..b) from the queue. */
static void one_drop(one_t *o, size_t b)
{
    size_t base = b < o->n ? o->f[b].off : o->used;
    memmove(o->f, o->f + b, (o->n - b) * sizeof *o->f);
    o->n -= b;
    o->with_dts -= b;
    o->seg_from = o->n;
    memmove(o->bytes, o->bytes + base, o->used - base);
    o->used -= base;
    for (size_t i = 0; i < o->n; i++)
        o->f[i].off -= base;
}

/* Writes the whole groups kept, or at the end (all) every frame kept. */
static mm_err_t one_flush(one_t *o, const rows_t *rows, int all)
{
    while (o->n) {
        size_t b = 1;
        while (b < o->n && !o->f[b].key)
            b++;
        if (b == o->n && !all)
            return MM_OK; /* the group goes on in the next segment */
        mux_t *m = o->m;
        if (!m->oc && (m->id = codec_id(rows->v[o->seg0].seg.codec)) == AV_CODEC_ID_NONE) {
            MM_ERROR("footage: %s: unknown codec %s", m->tmp, rows->v[o->seg0].seg.codec);
            return MM_EMEDIA;
        }
        mm_err_t err = one_group(o, b);
        if (err != MM_OK)
            return err;
        one_drop(o, b);
    }
    return MM_OK;
}

/*
 * The frames of [start_us, end_us) from rows into m's file (m->tmp, created here: *tmp_made
 * says so), one segment at a time. MM_EAGAIN with *redo set: the file must be made again in two
 * passes (above); *segs is the number of segments the frames came from.
 */
static mm_err_t one_pass(const edge_vault_t *v, const char *camera, int64_t start_us,
                         int64_t end_us, const rows_t *rows, mux_t *m, edge_footage_report_t *rep,
                         int *tmp_made, size_t *segs, int *redo)
{
    one_t o = {.m = m, .start = start_us, .end = end_us};
    mm_err_t err = (o.extra = malloc(EDGE_SEG_EXTRA_MAX)) ? MM_OK : MM_ENOMEM;
    if (err == MM_OK && (err = edge_footage_tmp_create(m->tmp)) == MM_OK)
        *tmp_made = 1;
    if (err == MM_OK)
        err = mm_sha256_create(&m->hash);
    if (err == MM_OK && !(m->pkt = av_packet_alloc()))
        err = av_fail(AVERROR(ENOMEM), "allocate a packet for", m->tmp);
    if (err == MM_OK) {
        mm_helper_start(&o.helper);
        m->hash_apart = 1;
    }
    reading_t rd = {one_header, one_frame, &o};
    for (size_t i = 0; err == MM_OK && i < rows->n; i++) {
        seg_read_t sr;
        rep->segments++;
        o.seg_from = o.n;
        err = read_segment(v, &rows->v[i], i, &rd, &sr);
        if (err != MM_OK && o.redo)
            break; /* not a failure of the segment: two passes are needed (one_frame) */
        if (err != MM_OK) {
            report_failure(rep, err, &rows->v[i], sr.path);
            MM_ERROR("footage: export of %s [%lld, %lld) refused: segment %s %s (%s)", camera,
                     (long long)start_us, (long long)end_us, sr.path,
                     err == MM_EMEDIA || err == MM_ENOMEM ? "cannot be remuxed" : "fails to verify",
                     mm_strerror(err));
            break;
        }
        /* The segment verified: its frames may be written. */
        if (o.have_first && i >= o.seg0 &&
            strcmp(rows->v[i].seg.codec, rows->v[o.seg0].seg.codec) != 0)
            o.codec_differs = 1;
        if (o.n > o.seg_from) {
            if (o.codec_differs) {
                MM_ERROR("footage: %s [%lld, %lld): the codec changes from %s to %s; one track "
                         "cannot hold both",
                         camera, (long long)start_us, (long long)end_us, rows->v[o.seg0].seg.codec,
                         rows->v[i].seg.codec);
                err = MM_EMEDIA;
                break;
            }
            err = mux_header(m, i, &o.hdr, o.extra, o.extralen);
        }
        o.seg_from = o.n;
        if (err == MM_OK && o.chosen)
            err = one_flush(&o, rows, 0);
    }
    if (err == MM_OK && !o.have_first) {
        MM_WARN("footage: %s [%lld, %lld) holds no keyframe: nothing to export", camera,
                (long long)start_us, (long long)end_us);
        err = MM_ENOTFOUND;
    }
    if (err == MM_OK)
        err = one_flush(&o, rows, 1);
    if (m->hash_apart)
        mm_helper_stop(&o.helper);
    *redo = o.redo;
    *segs = o.k ? o.seg_last - o.seg0 + 1 : 0;
    free(o.f);
    free(o.bytes);
    free(o.extra);
    return err;
}

/*
 * The frames of camera in [start_us, end_us) into m's muxer, from the last keyframe at or before
 * start_us. With redo pointing to 0 (a file), in one pass (one_pass), which may end with MM_EAGAIN
 * and *redo set; otherwise every overlapping segment is verified first, then read again and
 * written. For a file (m->fd < 0) *tmp_made says when the temporary file m->tmp was created
 * (in two passes, once everything verified).
 */
static mm_err_t mux_range(const edge_vault_t *v, const char *camera, int64_t start_us,
                          int64_t end_us, mux_t *m, edge_footage_report_t *rep, int *tmp_made,
                          int *redo)
{
    rows_t rows;
    plan_t plan = {.end = end_us, .speed = m->sink ? m->sink->speed : 1, .stream = m->sink != 0};
    m->p = &plan;
    mm_err_t err = rows_in(v, camera, start_us, end_us, &rows);
    if (err != MM_OK)
        return err;
    if (rows.n == 0) {
        err = MM_ENOTFOUND;
        goto out;
    }
    size_t n_segs = 0;
    if (redo && !*redo) {
        if ((err = one_pass(v, camera, start_us, end_us, &rows, m, rep, tmp_made, &n_segs, redo)) !=
            MM_OK)
            goto out;
        goto finish;
    }

    /* Pass 1: every overlapping segment verifies, or nothing is written. */
    reading_t plan_rd = {plan_header, plan_frame, &plan};
    for (size_t i = 0; i < rows.n; i++) {
        seg_read_t sr;
        rep->segments++;
        err = read_segment(v, &rows.v[i], i, &plan_rd, &sr);
        if (err == MM_OK && m->sink && sink_wait(m, -1, 0) != MM_OK) {
            err = m->sink_err; /* stopped while verifying */
            goto out;
        }
        if (err != MM_OK) {
            report_failure(rep, err, &rows.v[i], sr.path);
            MM_ERROR("footage: export of %s [%lld, %lld) refused: segment %s %s (%s)", camera,
                     (long long)start_us, (long long)end_us, sr.path,
                     err == MM_EMEDIA || err == MM_ENOMEM ? "cannot be remuxed" : "fails to verify",
                     mm_strerror(err));
            goto out;
        }
    }
    if ((err = plan_range(&plan, start_us)) != MM_OK) {
        if (err == MM_ENOTFOUND)
            MM_WARN("footage: %s [%lld, %lld) holds no keyframe: nothing to export", camera,
                    (long long)start_us, (long long)end_us);
        goto out;
    }
    size_t seg0 = plan.f[plan.first].seg, seg1 = plan.f[plan.n - 1].seg;
    for (size_t i = seg0; i <= seg1; i++) {
        if (strcmp(rows.v[i].seg.codec, rows.v[seg0].seg.codec) != 0) {
            MM_ERROR("footage: %s [%lld, %lld): the codec changes from %s to %s; one track "
                     "cannot hold both",
                     camera, (long long)start_us, (long long)end_us, rows.v[seg0].seg.codec,
                     rows.v[i].seg.codec);
            err = MM_EMEDIA;
            goto out;
        }
    }
    if ((m->id = codec_id(rows.v[seg0].seg.codec)) == AV_CODEC_ID_NONE) {
        MM_ERROR("footage: %s: unknown codec %s", camera, rows.v[seg0].seg.codec);
        err = MM_EMEDIA;
        goto out;
    }

    /* Pass 2: the frames into the muxer. */
    if (m->fd < 0) {
        if ((err = edge_footage_tmp_create(m->tmp)) != MM_OK)
            goto out;
        *tmp_made = 1;
    }
    if ((err = mm_sha256_create(&m->hash)) != MM_OK)
        goto out;
    if (!(m->pkt = av_packet_alloc())) {
        err = av_fail(AVERROR(ENOMEM), "allocate a packet for", m->tmp);
        goto out;
    }
    m->next = plan.first;
    reading_t mux_rd = {mux_header, mux_frame, m};
    for (size_t i = seg0; i <= seg1; i++) {
        seg_read_t sr;
        err = read_segment(v, &rows.v[i], i, &mux_rd, &sr);
        if (err != MM_OK) {
            report_failure(rep, err, &rows.v[i], sr.path);
            goto out;
        }
    }
    if (m->next != plan.n) {
        MM_ERROR("footage: %s: the segments changed while they were exported", camera);
        err = MM_ECORRUPT;
        goto out;
    }
    n_segs = seg1 - seg0 + 1;
finish:;
    int rc = av_write_trailer(m->oc);
    m->header_done = 0;
    if (rc < 0) {
        err = m->sink_err != MM_OK ? m->sink_err : av_fail(rc, "finish", m->tmp);
        goto out;
    }
    if (m->fd < 0 && (rc = avio_closep(&m->oc->pb)) < 0) {
        err = av_fail(rc, "close", m->tmp);
        goto out;
    }
    if (m->fd >= 0)
        avio_flush(m->oc->pb);
    mm_sha256_final(m->hash, rep->content_hash);
    MM_INFO("footage: %s [%lld, %lld) %s %s: %" PRIu64 " frames from %u segments", camera,
            (long long)start_us, (long long)end_us, m->fd < 0 ? "exported to" : "streamed to",
            m->tmp, rep->frames, (unsigned)n_segs);

out:
    if (m->oc) {
        if (m->header_done)
            av_write_trailer(m->oc);
        if (m->oc->flags & AVFMT_FLAG_CUSTOM_IO) {
            if (m->oc->pb)
                av_freep(&m->oc->pb->buffer);
            avio_context_free(&m->oc->pb);
        } else if (m->oc->pb) {
            avio_closep(&m->oc->pb);
        }
        avformat_free_context(m->oc);
        m->oc = NULL;
    }
    if (err != MM_OK) {
        memset(rep->content_hash, 0, sizeof rep->content_hash);
        rep->frames = 0;
        rep->bytes = 0;
    }
    av_packet_free(&m->pkt);
    mm_sha256_destroy(m->hash);
    m->hash = NULL;
    free(m->extra);
    m->extra = NULL;
    plan_free(&plan);
    free(rows.v);
    return err;
}

static mm_err_t footage_mp4(const edge_vault_t *v, const char *camera, int64_t start_us,
                            int64_t end_us, const char *out_path, edge_footage_report_t *rep,
                            int two)
{
    edge_footage_report_t local;
    if (!rep)
        rep = &local;
    report_init(rep);
    if (!out_path || !*out_path)
        return MM_EINVAL;
    char tmp[EDGE_PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", out_path) >= sizeof tmp)
        return MM_EINVAL;
    /* In one pass, unless the footage needs two (one_pass). */
    int tmp_made = 0, redo = two;
    mux_t m = {.tmp = tmp, .format = "mp4", .fd = -1, .rep = rep};
    mm_err_t err = mux_range(v, camera, start_us, end_us, &m, rep, &tmp_made, &redo);
    if (err == MM_EAGAIN && redo) {
        report_init(rep);
        m = (mux_t){.tmp = tmp, .format = "mp4", .fd = -1, .rep = rep};
        err = mux_range(v, camera, start_us, end_us, &m, rep, &tmp_made, &redo);
    }
    rep->passes = redo ? 2 : 1;
    if (err == MM_OK && (err = put_in_place(tmp, out_path)) == MM_OK)
        tmp_made = 0;
    if (tmp_made && unlink(tmp) != 0 && errno != ENOENT)
        MM_ERROR("footage: cannot remove %s: %s", tmp, strerror(errno));
    if (err != MM_OK) {
        memset(rep->content_hash, 0, sizeof rep->content_hash);
        rep->frames = 0;
        rep->bytes = 0;
    }
    return err;
}

mm_err_t edge_footage_mp4(const edge_vault_t *v, const char *camera, int64_t start_us,
                          int64_t end_us, const char *out_path, edge_footage_report_t *rep)
{
    return footage_mp4(v, camera, start_us, end_us, out_path, rep, 0);
}

mm_err_t edge_footage_mp4_two_passes(const edge_vault_t *v, const char *camera, int64_t start_us,
                                     int64_t end_us, const char *out_path,
                                     edge_footage_report_t *rep)
{
    return footage_mp4(v, camera, start_us, end_us, out_path, rep, 1);
}

mm_err_t edge_footage_stream(const edge_vault_t *v, const char *camera, int64_t start_us,
                             int64_t end_us, const edge_footage_sink_t *sink, uint64_t *written,
                             edge_footage_report_t *rep)
{
    edge_footage_report_t local;
    if (!rep)
        rep = &local;
    report_init(rep);
    if (written)
        *written = 0;
    if (!sink || sink->fd < 0 || !sink->wait || sink->speed < 1 || sink->speed > 8)
        return MM_EINVAL;
    char name[64];
    snprintf(name, sizeof name, "descriptor %d", sink->fd);
    mux_t m = {.tmp = name,
               .format = sink->fmp4 ? "mp4" : "mpegts",
               .fd = sink->fd,
               .fmp4 = sink->fmp4,
               .sink = sink,
               .rep = rep};
    mm_err_t err = mux_range(v, camera, start_us, end_us, &m, rep, NULL, NULL);
    if (written)
        *written = m.written;
    return err;
}
