/*
 * rtp.c: one video stream's RTP packets to Annex B access units (see rtp.h for the contract).
 *
 * The access unit is assembled in one growing buffer, each NAL unit written once, start code
 * first: single NAL units and aggregates are copied, a fragmentation unit's header is rebuilt
 * on its first fragment and every fragment's bytes appended behind it. Nothing else is copied;
 * the frame handed to emit points into that buffer. Parameter sets are kept one of each kind
 * (the newest), and the Annex B concatenation handed out as `params` is rebuilt only when one of
 * them changes, which with in-band sets repeated before each keyframe is rarely.
 *
 * Invariants: au_open says an access unit of timestamp au_ts is being assembled; au_broken that
 * it will be dropped when it ends (its packets are still read past, so that its end is seen);
 * fu_open that the last NAL unit in the buffer is a fragmentation unit still missing its end,
 * starting at fu_off.
 */
#include <stdlib.h>
#include <string.h>

#include "edge/h26x.h"
#include "edge/rtp.h"

/* A packet at most this far behind the expected sequence number is late (dropped); further
 * behind, the sender is taken to have started over. */
#define LATE_WINDOW 512
#define PARAM_MAX 4096 /* a longer parameter set is not kept */
#define NTP_UNIX_OFFSET 2208988800LL

enum { PS_VPS, PS_SPS, PS_PPS, PS_KINDS };

typedef struct {
    uint8_t *p;
    size_t len, cap;
} buf_t;

struct edge_rtp {
    edge_rtp_codec_t codec;
    uint8_t pt;
    uint32_t clock_rate;

    int have_seq, have_ssrc, have_ts;
    uint16_t next_seq;
    uint32_t ssrc;
    int64_t last_ts;
    uint32_t lost;

    buf_t au;
    int au_open, au_broken, au_key, fu_open;
    int64_t au_ts;
    size_t fu_off;

    buf_t ps[PS_KINDS];
    buf_t params; /* Annex B of ps[], empty until every kind the codec needs is known */
    int width, height;

    int have_sr;
    uint32_t sr_ssrc;
    int64_t sr_ts, sr_wall_us;
};

static const uint8_t start_code[4] = {0, 0, 0, 1};

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int buf_reserve(buf_t *b, size_t more, size_t max)
{
    if (more > max || b->len > max - more)
        return -1;
    if (b->len + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (p == NULL)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int buf_put(buf_t *b, const void *p, size_t n, size_t max)
{
    if (buf_reserve(b, n, max) != 0)
        return -1;
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

/* --- parameter sets ------------------------------------------------------------------------ */

/* The kind of parameter set a NAL unit is, or -1. */
static int param_kind(edge_rtp_codec_t codec, const uint8_t *nal)
{
    if (codec == EDGE_RTP_H264) {
        int t = edge_h264_nal_type(nal[0]);
        return t == EDGE_H264_NAL_SPS ? PS_SPS : t == EDGE_H264_NAL_PPS ? PS_PPS : -1;
    }
    int t = edge_h265_nal_type(nal[0]);
    return t == EDGE_H265_NAL_VPS   ? PS_VPS
           : t == EDGE_H265_NAL_SPS ? PS_SPS
           : t == EDGE_H265_NAL_PPS ? PS_PPS
                                    : -1;
}

static void params_rebuild(edge_rtp_t *r)
{
    r->params.len = 0;
    int first = r->codec == EDGE_RTP_H264 ? PS_SPS : PS_VPS;
    for (int k = first; k < PS_KINDS; k++)
        if (r->ps[k].len == 0)
            return;
    for (int k = first; k < PS_KINDS; k++) {
        if (buf_put(&r->params, start_code, 4, SIZE_MAX) != 0 ||
            buf_put(&r->params, r->ps[k].p, r->ps[k].len, SIZE_MAX) != 0) {
            r->params.len = 0;
            return;
        }
    }
}

/* Keeps nal if it is a parameter set that differs from the one of its kind. */
static void param_take(edge_rtp_t *r, const uint8_t *nal, size_t len)
{
    int k = param_kind(r->codec, nal);
    if (k < 0 || len > PARAM_MAX)
        return;
    buf_t *b = &r->ps[k];
    if (b->len == len && memcmp(b->p, nal, len) == 0)
        return;
    b->len = 0;
    if (buf_put(b, nal, len, PARAM_MAX) != 0)
        b->len = 0;
    if (k == PS_SPS) {
        int w = 0, h = 0;
        mm_err_t rc = r->codec == EDGE_RTP_H264 ? edge_h264_sps_size(nal, len, &w, &h)
                                                : edge_h265_sps_size(nal, len, &w, &h);
        r->width = rc == MM_OK ? w : 0;
        r->height = rc == MM_OK ? h : 0;
    }
    params_rebuild(r);
}

/* --- access units -------------------------------------------------------------------------- */

/* A NAL unit of the access unit is complete (it ends the buffer, from off on). */
static void nal_done(edge_rtp_t *r, size_t off)
{
    const uint8_t *nal = r->au.p + off;
    size_t len = r->au.len - off;
    if (len == 0)
        return;
    if (r->codec == EDGE_RTP_H264) {
        if (edge_h264_nal_type(nal[0]) == EDGE_H264_NAL_IDR)
            r->au_key = 1;
    } else {
        int t = edge_h265_nal_type(nal[0]);
        if (t >= EDGE_H265_NAL_IRAP_FIRST && t <= EDGE_H265_NAL_IRAP_LAST)
            r->au_key = 1;
    }
    param_take(r, nal, len);
}

/* Appends a whole NAL unit. -1 when the access unit would grow too large. */
static int au_nal(edge_rtp_t *r, const uint8_t *nal, size_t len)
{
    if (len == 0)
        return -1;
    if (buf_reserve(&r->au, 4 + len, EDGE_RTP_MAX_AU) != 0)
        return -1;
    buf_put(&r->au, start_code, 4, EDGE_RTP_MAX_AU);
    size_t off = r->au.len;
    buf_put(&r->au, nal, len, EDGE_RTP_MAX_AU);
    nal_done(r, off);
    return 0;
}

static void au_start(edge_rtp_t *r, int64_t ts)
{
    r->au_open = 1;
    r->au_ts = ts;
    r->au_broken = r->au_key = r->fu_open = 0;
    r->au.len = 0;
}

/* Ends the access unit being assembled: emits it, or counts it lost when it is broken or ends
 * inside a fragmentation unit. */
static void au_end(edge_rtp_t *r, edge_rtp_emit_fn emit, void *arg)
{
    if (!r->au_open)
        return;
    r->au_open = 0;
    if (r->au_broken || r->fu_open) {
        r->lost++;
    } else if (r->au.len > 0) {
        edge_rtp_frame_t f = {
            .data = r->au.p,
            .len = r->au.len,
            .key = r->au_key,
            .ts = r->au_ts,
            .clock_rate = r->clock_rate,
            .lost = r->lost,
            .params = r->params.len ? r->params.p : NULL,
            .params_len = r->params.len,
            .width = r->width,
            .height = r->height,
        };
        r->lost = 0;
        if (emit != NULL)
            emit(arg, &f);
    }
    r->au.len = 0;
    r->fu_open = 0;
}

/* --- depacketising ------------------------------------------------------------------------- */

/* The depacketisers return 0, -1 when the payload is malformed, or 1 when it cannot be used
 * because an earlier packet was lost. */

/* A fragment of a fragmentation unit: hdr is the rebuilt NAL header (hdr_len bytes), used on the
 * first fragment. -1 for a malformed unit, 1 for a continuation whose start is missing (lost). */
static int fu_fragment(edge_rtp_t *r, int start, int end, const uint8_t *hdr, size_t hdr_len,
                       const uint8_t *p, size_t n)
{
    if (start) {
        if (r->fu_open)
            return -1; /* the previous unit never ended */
        if (buf_reserve(&r->au, 4 + hdr_len, EDGE_RTP_MAX_AU) != 0)
            return -1;
        buf_put(&r->au, start_code, 4, EDGE_RTP_MAX_AU);
        r->fu_off = r->au.len;
        buf_put(&r->au, hdr, hdr_len, EDGE_RTP_MAX_AU);
        r->fu_open = 1;
    } else if (!r->fu_open) {
        return 1; /* a continuation without its start: the start was lost */
    }
    if (buf_put(&r->au, p, n, EDGE_RTP_MAX_AU) != 0)
        return -1;
    if (end) {
        r->fu_open = 0;
        nal_done(r, r->fu_off);
    }
    return 0;
}

/* An aggregation packet's units after its hdr_len-byte header: 16-bit size, unit, ... */
static int aggregate(edge_rtp_t *r, const uint8_t *p, size_t n, size_t hdr_len)
{
    if (n <= hdr_len)
        return -1;
    size_t off = hdr_len;
    while (off < n) {
        if (n - off < 2)
            return -1;
        size_t len = be16(p + off);
        off += 2;
        if (len == 0 || len > n - off || au_nal(r, p + off, len) != 0)
            return -1;
        off += len;
    }
    return 0;
}

static int depacketise_h264(edge_rtp_t *r, const uint8_t *p, size_t n)
{
    int t = edge_h264_nal_type(p[0]);
    if (t == 28) { /* FU-A */
        if (n < 2)
            return -1;
        uint8_t hdr = (uint8_t)((p[0] & 0xe0) | (p[1] & 0x1f));
        return fu_fragment(r, p[1] & 0x80, p[1] & 0x40, &hdr, 1, p + 2, n - 2);
    }
    if (r->fu_open)
        return -1; /* a fragmentation unit cut off by another packet */
    if (t >= 1 && t <= 23)
        return au_nal(r, p, n);
    if (t == 24) /* STAP-A */
        return aggregate(r, p, n, 1);
    return -1; /* 0 and 30-31 reserved; STAP-B, MTAP, FU-B need interleaved mode */
}

static int depacketise_h265(edge_rtp_t *r, const uint8_t *p, size_t n)
{
    if (n < 2)
        return -1;
    int t = edge_h265_nal_type(p[0]);
    if (t == 49) { /* FU */
        if (n < 3)
            return -1;
        uint8_t hdr[2] = {(uint8_t)((p[0] & 0x81) | (p[2] & 0x3f) << 1), p[1]};
        return fu_fragment(r, p[2] & 0x80, p[2] & 0x40, hdr, 2, p + 3, n - 3);
    }
    if (r->fu_open)
        return -1;
    if (t < 48)
        return au_nal(r, p, n);
    if (t == 48) /* AP */
        return aggregate(r, p, n, 2);
    return -1; /* PACI and the unspecified types */
}

/* --- packets ------------------------------------------------------------------------------- */

typedef struct {
    uint16_t seq;
    uint32_t ts, ssrc;
    int marker;
    const uint8_t *payload;
    size_t len;
} rtp_hdr_t;

static int parse_header(const uint8_t *p, size_t n, rtp_hdr_t *h)
{
    if (n < 12 || (p[0] >> 6) != 2)
        return -1;
    size_t off = 12 + 4u * (p[0] & 0x0f);
    if (off > n)
        return -1;
    if (p[0] & 0x10) { /* header extension */
        if (n - off < 4)
            return -1;
        size_t ext = 4 + 4u * be16(p + off + 2);
        if (ext > n - off)
            return -1;
        off += ext;
    }
    size_t end = n;
    if (p[0] & 0x20) { /* padding: its count is the last byte */
        size_t pad = p[n - 1];
        if (pad == 0 || pad > n - off)
            return -1;
        end -= pad;
    }
    h->marker = p[1] >> 7;
    h->seq = be16(p + 2);
    h->ts = be32(p + 4);
    h->ssrc = be32(p + 8);
    h->payload = p + off;
    h->len = end - off;
    return 0;
}

/* Follows the sequence number: 1 when there was a gap (or a new start), -1 when the packet is
 * late and to be dropped, 0 otherwise. */
static int track_seq(edge_rtp_t *r, uint16_t seq)
{
    int gap = 0;
    if (r->have_seq) {
        int16_t d = (int16_t)(uint16_t)(seq - r->next_seq);
        if (d < 0 && d >= -LATE_WINDOW)
            return -1;
        if (d > 0)
            r->lost += (uint32_t)d;
        gap = d != 0;
    }
    r->have_seq = 1;
    r->next_seq = (uint16_t)(seq + 1);
    return gap;
}

static int64_t unwrap_ts(const edge_rtp_t *r, uint32_t ts)
{
    if (!r->have_ts)
        return (int64_t)ts;
    return r->last_ts + (int32_t)(ts - (uint32_t)r->last_ts);
}

mm_err_t edge_rtp_packet(edge_rtp_t *r, const uint8_t *p, size_t n, edge_rtp_emit_fn emit,
                         void *arg)
{
    rtp_hdr_t h;
    if (parse_header(p, n, &h) != 0 || (p[1] & 0x7f) != r->pt)
        return MM_EPROTO;
    if (r->have_ssrc && h.ssrc != r->ssrc) { /* a new source: its numbers start afresh */
        r->au_broken |= r->au_open;
        au_end(r, emit, arg);
        r->have_seq = 0;
    }
    r->have_ssrc = 1;
    r->ssrc = h.ssrc;
    int gap = track_seq(r, h.seq);
    if (gap < 0)
        return MM_OK;
    int64_t ts = unwrap_ts(r, h.ts);
    r->have_ts = 1;
    r->last_ts = ts;
    if (gap)
        r->au_broken |= r->au_open;
    if (r->au_open && ts != r->au_ts)
        au_end(r, emit, arg);
    if (!r->au_open)
        au_start(r, ts);
    mm_err_t rc = MM_OK;
    if (!r->au_broken && h.len > 0) {
        int bad = r->codec == EDGE_RTP_H264 ? depacketise_h264(r, h.payload, h.len)
                                            : depacketise_h265(r, h.payload, h.len);
        if (bad) {
            r->au_broken = 1;
            rc = bad < 0 ? MM_EPROTO : MM_OK;
        }
    }
    if (h.marker)
        au_end(r, emit, arg);
    return rc;
}

/* --- RTCP ---------------------------------------------------------------------------------- */

static int64_t ntp_to_unix_us(uint32_t sec, uint32_t frac)
{
    /* NTP era 1 begins in 2036: seconds below 2^31 are taken to be in it. */
    int64_t s = (int64_t)sec + (sec < 0x80000000u ? (1LL << 32) : 0) - NTP_UNIX_OFFSET;
    return s * 1000000 + (int64_t)(((uint64_t)frac * 1000000) >> 32);
}

mm_err_t edge_rtp_rtcp(edge_rtp_t *r, const uint8_t *p, size_t n)
{
    if (n < 4)
        return MM_EPROTO;
    size_t off = 0;
    while (off < n) {
        if (n - off < 4 || (p[off] >> 6) != 2)
            return MM_EPROTO;
        size_t len = 4 * ((size_t)be16(p + off + 2) + 1);
        if (len > n - off)
            return MM_EPROTO;
        const uint8_t *q = p + off;
        if (q[1] == 200 && len >= 28) { /* sender report */
            uint32_t ssrc = be32(q + 4);
            if (!r->have_ssrc || ssrc == r->ssrc) {
                r->have_sr = 1;
                r->sr_ssrc = ssrc;
                r->sr_wall_us = ntp_to_unix_us(be32(q + 8), be32(q + 12));
                r->sr_ts = unwrap_ts(r, be32(q + 16));
            }
        }
        off += len;
    }
    return MM_OK;
}

int64_t edge_rtp_wall_us(const edge_rtp_t *r, int64_t ts)
{
    if (!r->have_sr)
        return 0;
    int64_t d = ts - r->sr_ts;
    int64_t rate = r->clock_rate;
    return r->sr_wall_us + d / rate * 1000000 + d % rate * 1000000 / rate;
}

/* --- life ---------------------------------------------------------------------------------- */

mm_err_t edge_rtp_create(edge_rtp_codec_t codec, uint8_t payload_type, uint32_t clock_rate,
                         const uint8_t *sprop, size_t sprop_len, edge_rtp_t **out)
{
    *out = NULL;
    if (clock_rate == 0 || payload_type > 127 || (codec != EDGE_RTP_H264 && codec != EDGE_RTP_H265))
        return MM_EINVAL;
    edge_rtp_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return MM_ENOMEM;
    r->codec = codec;
    r->pt = payload_type;
    r->clock_rate = clock_rate;
    size_t off = 0, len;
    const uint8_t *nal;
    while (sprop != NULL && edge_annexb_next(sprop, sprop_len, &off, &nal, &len))
        param_take(r, nal, len);
    *out = r;
    return MM_OK;
}

void edge_rtp_destroy(edge_rtp_t *r)
{
    if (r == NULL)
        return;
    free(r->au.p);
    for (int k = 0; k < PS_KINDS; k++)
        free(r->ps[k].p);
    free(r->params.p);
    free(r);
}
