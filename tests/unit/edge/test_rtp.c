/*
 * test_rtp.c: RTP to access units (edge/rtp.h) — each packetisation mode of RFC 6184 (single
 * NAL unit, STAP-A, FU-A) and RFC 7798 (single, AP, FU), the RTP header's optional parts,
 * sequence and timestamp wrap, loss and reordering, parameter sets from the SDP, in band and
 * late, the picture size from the SPS, and RTCP sender reports mapping RTP time to wall time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "edge/rtp.h"

/* Parameter sets made by x264 (1920x1080 High, cropped from 1088) and x265 (642x362 Main,
 * coded as 648x368 with a conformance window). */
static const uint8_t sps264[] = {0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02,
                                 0x27, 0xe5, 0xc0, 0x44, 0x00, 0x00, 0x03, 0x00, 0x04,
                                 0x00, 0x00, 0x03, 0x00, 0xc8, 0x3c, 0x60, 0xc6, 0x58};
static const uint8_t pps264[] = {0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};
/* x264 320x240 Constrained Baseline: a second SPS to replace the first. */
static const uint8_t sps264b[] = {0x67, 0x42, 0xc0, 0x0d, 0xd9, 0x01, 0x41, 0xfb,
                                  0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00,
                                  0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0xa4, 0x80};
static const uint8_t pps264b[] = {0x68, 0xcb, 0x83, 0xcb, 0x20};
static const uint8_t vps265[] = {0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60,
                                 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03,
                                 0x00, 0x00, 0x03, 0x00, 0x3f, 0x95, 0x98, 0x09};
static const uint8_t sps265[] = {0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00,
                                 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0xa0, 0x05, 0x12, 0x01,
                                 0x71, 0xc9, 0x26, 0x59, 0x59, 0xa4, 0x93, 0x2b, 0xc0, 0x5a, 0x02,
                                 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00, 0x32, 0x10};
static const uint8_t pps265[] = {0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};

#define PT 96
#define SSRC 0x11223344u

/* --- what emit saw ------------------------------------------------------------------------- */

typedef struct {
    uint8_t data[65536];
    size_t len;
    int key;
    int64_t ts;
    uint32_t lost;
    uint8_t params[512];
    size_t params_len;
    int width, height;
} frame_t;

static frame_t frames[16];
static int nframes;

static void collect(void *arg, const edge_rtp_frame_t *f)
{
    (void)arg;
    assert_true(nframes < 16);
    frame_t *c = &frames[nframes++];
    assert_true(f->len <= sizeof(c->data) && f->params_len <= sizeof(c->params));
    assert_int_equal(f->clock_rate, 90000);
    memcpy(c->data, f->data, f->len);
    c->len = f->len;
    c->key = f->key;
    c->ts = f->ts;
    c->lost = f->lost;
    if (f->params_len)
        memcpy(c->params, f->params, f->params_len);
    c->params_len = f->params_len;
    c->width = f->width;
    c->height = f->height;
}

static int reset(void **state)
{
    (void)state;
    memset(frames, 0, sizeof(frames));
    nframes = 0;
    return 0;
}

/* --- making packets ------------------------------------------------------------------------ */

static uint8_t pkt[70000];

/* An RTP packet of payload (n bytes) in pkt; returns its length. */
static size_t make(uint16_t seq, uint32_t ts, int marker, const void *payload, size_t n)
{
    pkt[0] = 0x80;
    pkt[1] = (uint8_t)((marker ? 0x80 : 0) | PT);
    pkt[2] = (uint8_t)(seq >> 8), pkt[3] = (uint8_t)seq;
    for (int i = 0; i < 4; i++) {
        pkt[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
        pkt[8 + i] = (uint8_t)(SSRC >> (24 - 8 * i));
    }
    memcpy(pkt + 12, payload, n);
    return 12 + n;
}

static void send_pkt(edge_rtp_t *r, uint16_t seq, uint32_t ts, int marker, const void *payload,
                     size_t n, mm_err_t want)
{
    size_t len = make(seq, ts, marker, payload, n);
    assert_int_equal(edge_rtp_packet(r, pkt, len, collect, NULL), want);
}

/* The Annex B form of the units given as (pointer, length) pairs, ended by NULL. */
static size_t annexb(uint8_t *out, ...)
{
    va_list ap;
    va_start(ap, out);
    size_t len = 0;
    const uint8_t *p;
    while ((p = va_arg(ap, const uint8_t *)) != NULL) {
        size_t n = va_arg(ap, size_t);
        memcpy(out + len, "\0\0\0\1", 4);
        memcpy(out + len + 4, p, n);
        len += 4 + n;
    }
    va_end(ap);
    return len;
}

static edge_rtp_t *make_reader(edge_rtp_codec_t codec, const uint8_t *sprop, size_t len)
{
    edge_rtp_t *r = NULL;
    assert_int_equal(edge_rtp_create(codec, PT, 90000, sprop, len, &r), MM_OK);
    return r;
}

/* A slice NAL unit of type t (H.264) with n bytes of body. */
static size_t slice264(uint8_t *out, int t, size_t n, uint8_t fill)
{
    out[0] = (uint8_t)(0x60 | t);
    memset(out + 1, fill, n);
    return n + 1;
}

/* --- H.264 --------------------------------------------------------------------------------- */

static void test_rtp_h264_single_nal_units_marker_ends_access_unit(void **state)
{
    (void)state;
    edge_rtp_t *r = make_reader(EDGE_RTP_H264, NULL, 0);
    uint8_t idr[100], want[512];
    size_t n = slice264(idr, 5, 50, 0xaa);
    send_pkt(r, 1, 1000, 0, sps264, sizeof(sps264), MM_OK);
    send_pkt(r, 2, 1000, 0, pps264, sizeof(pps264), MM_OK);
    assert_int_equal(nframes, 0);
    send_pkt(r, 3, 1000, 1, idr, n, MM_OK);
    assert_int_equal(nframes, 1);
    size_t wl = annexb(want, sps264, sizeof(sps264), pps264, sizeof(pps264), idr, n, NULL);
    assert_int_equal(frames[0].len, wl);
    assert_memory_equal(frames[0].data, want, wl);
    assert_true(frames[0].key);
    assert_int_equal(frames[0].ts, 1000);
    assert_int_equal(frames[0].lost, 0);
    size_t pl = annexb(want, sps264, sizeof(sps264), pps264, sizeof(pps264), NULL);
    assert_int_equal(frames[0].params_len, pl);
    assert_memory_equal(frames[0].params, want, pl);
    assert_int_equal(frames[0].width, 1920);
    assert_int_equal(frames[0].height, 1080);

    uint8_t p[100];
    n = slice264(p, 1, 20, 0xbb);
    send_pkt(r, 4, 4000, 1, p, n, MM_OK);
    assert_int_equal(nframes, 2);
    assert_false(frames[1].key);
    assert_int_equal(frames[1].ts, 4000);
    assert_int_equal(frames[1].params_len, pl); /* the current sets, on every frame */
    edge_rtp_destroy(r);
}

static void test_rtp_h264_new_timestamp_ends_access_unit_without_marker(void **state)
{
    (void)state;
    edge_rtp_t *r = make_reader(EDGE_RTP_H264, NULL, 0);
    uint8_t a[64], b[64], want[256];
    size_t na = slice264(a, 1, 10, 1), nb = slice264(b, 1, 10, 2);
    send_pkt(r, 10, 3000, 0, a, na, MM_OK);
    send_pkt(r, 11, 3000, 0, b, nb, MM_OK);
    assert_int_equal(nframes, 0);
    send_pkt(r, 12, 6000, 0, a, na, MM_OK);
    assert_int_equal(nframes, 1);
    size_t wl = annexb(want, a, na, b, nb, NULL);
    assert_int_equal(frames[0].len, wl);
    assert_memory_equal(frames[0].data, want, wl);
    assert_int_equal(frames[0].ts, 3000);
    assert_int_equal(frames[0].params_len, 0);
    assert_int_equal(frames[0].width, 0);
    edge_rtp_destroy(r);
}

static void test_rtp_h264_stap_a_with_parameter_sets(void **state)
{
    (void)state;
    edge_rtp_t *r = make_reader(EDGE_RTP_H264, NULL, 0);
    uint8_t stap[256], idr[64], want[512];
    size_t n = 0;
    stap[n++] = 0x78; /* NRI 3, type 24 */
    const uint8_t *units[] = {sps264, pps264};
    size_t lens[] = {sizeof(sps264), sizeof(pps264)};
    for (int i = 0; i < 2; i++) {
        stap[n++] = (uint8_t)(lens[i] >> 8), stap[n++] = (uint8_t)lens[i];
        memcpy(stap + n, units[i], lens[i]);
        n += lens[i];
    }
    size_t ni = slice264(idr, 5, 30, 7);
    stap[n++] = 0, stap[n++] = (uint8_t)ni;
    memcpy(stap + n, idr, ni);
    n += ni;
    send_pkt(r, 100, 9000, 1, stap, n, MM_OK);
    assert_int_equal(nframes, 1);
    size_t wl = annexb(want, sps264, sizeof(sps264), pps264, sizeof(pps264), idr, ni, NULL);
    assert_int_equal(frames[0].len, wl);
    assert_memory_equal(frames[0].data, want, wl);
    assert_true(frames[0].key);
    assert_int_equal(frames[0].width, 1920);
    assert_true(frames[0].params_len > 0);

    /* A unit that runs past the packet's end: the access unit is dropped, the next says so. */
    stap[1] = 0xff;
    send_pkt(r, 101, 12000, 1, stap, n, MM_EPROTO);
    assert_int_equal(nframes, 1);
    uint8_t p[32];
    size_t np = slice264(p, 1, 5, 1);
    send_pkt(r, 102, 15000, 1, p, np, MM_OK);
    assert_int_equal(nframes, 2);
    assert_int_equal(frames[1].lost, 1);
    edge_rtp_destroy(r);
}

/* Splits nal into FU-A packets of at most mtu payload bytes; returns how many. */
static int fu_a(const uint8_t *nal, size_t len, size_t mtu, uint8_t out[][1500], size_t *lens)
{
    int k = 0;
    size_t off = 1;
    while (off < len) {
        size_t chunk = len - off < mtu - 2 ? len - off : mtu - 2;
        out[k][0] = (uint8_t)((nal[0] & 0xe0) | 28);
        out[k][1] =
            (uint8_t)((off == 1 ? 0x80 : 0) | (off + chunk == len ? 0x40 : 0) | (nal[0] & 0x1f));
        memcpy(out[k] + 2, nal + off, chunk);
        lens[k++] = chunk + 2;
        off += chunk;
    }
    return k;
}

static void test_rtp_h264_fu_a_reassembles_the_unit(void **state)
{
    (void)state;
    size_t sl = (sizeof(sps264) + sizeof(pps264)) + 8;
    uint8_t sprop[64];
    assert_int_equal(annexb(sprop, sps264, sizeof(sps264), pps264, sizeof(pps264), NULL), sl);
    edge_rtp_t *r = make_reader(EDGE_RTP_H264, sprop, sl);
    static uint8_t idr[5000], fus[8][1500], want[6000];
    size_t lens[8];
    size_t n = slice264(idr, 5, 4000, 0);
    for (size_t i = 1; i < n; i++)
        idr[i] = (uint8_t)(i * 7);
    int k = fu_a(idr, n, 1400, fus, lens);
    assert_int_equal(k, 3);
    for (int i = 0; i < k; i++)
        send_pkt(r, (uint16_t)(200 + i), 90000, i == k - 1, fus[i], lens[i], MM_OK);
    assert_int_equal(nframes, 1);
    size_t wl = annexb(want, idr, n, NULL);
    assert_int_equal(frames[0].len, wl);
    assert_memory_equal(frames[0].data, want, wl);
    assert_true(frames[0].key);
    /* The SDP's sets, though none came in band. */
    assert_int_equal(frames[0].params_len, sl);
    assert_memory_equal(frames[0].params, sprop, sl);
    assert_int_equal(frames[0].width, 1920);
    edge_rtp_destroy(r);
}

static void test_rtp_h264_lost_fragment_drops_the_frame_whole(void **state)
{
    (void)state;
    edge_rtp_t *r = make_reader(EDGE_RTP_H264, NULL, 0);
    static uint8_t idr[5000], fus[8][1500];
    size_t lens[8];
    size_t n = slice264(idr, 5, 4000, 3);
    int k = fu_a(idr, n, 1400, fus, lens);
    /* The middle fragment never comes. */
    send_pkt(r, 1, 90000, 0, fus[0], lens[0], MM_OK);
    send_pkt(r, 3, 90000, 1, fus[2], lens[2], MM_OK);
    assert_int_equal(nframes, 0);
    /* Whole frames follow; the first says 1 packet lost and 1 frame dropped. */
    for (int i = 0; i < k; i++)
        send_pkt(r, (uint16_t)(4 + i), 93000, i == k - 1, fus[i], lens[i], MM_OK);
    assert_int_equal(nframes, 1);
    assert_int_equal(frames[0].lost, 2);
    assert_int_equal(frames[0].ts, 93000);
    assert_int_equal(frames[0].len, n + 4);

    /* The first fragment lost: its continuations are read past without a frame. */
    send_pkt(r, 8, 96000, 0, fus[1], lens[1], MM_OK);
    send_pkt(r, 9, 96000, 1, fus[2], lens[2], MM_OK);
    assert_int_equal(nframes, 1);
    uint8_t p[16];
    size_t np = slice264(p, 1, 4, 0);
    send_pkt(r, 10, 99000, 1, p, np, MM_OK);
    assert_int_equal(nframes, 2);
    assert_int_equal(frames[1].lost, 2); /* seq 7 and the frame at 96000 */
    edge_rtp_destroy(r);
}

static void test_rtp_sequence_and_timestamp_wrap(void **state)
{
    (void)state;
    edge_rtp_t *r = make_reader(EDGE_RTP_H264, NULL, 0);
    uint8_t p[16];
    size_t np = slice264(p, 1, 4, 0);
    uint32_t ts = 0xffffffffu - 6000;
    uint16_t seq = 65534;
    for (int i = 0; i < 5; i++) {
        send_pkt(r, seq++, ts, 1, p, np, MM_OK);
        ts += 3000;
    }
    assert_int_equal(nframes, 5);
    int64_t first = 0xffffffffLL - 6000;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(frames[i].ts, first + 3000 * i);
        assert_int_equal(frames[i].lost, 0);
    }
    assert_true(frames[4].ts > 0xffffffffLL);
    edge_rtp_destroy(r);
}

static void test_rtp_reordered_and_duplicate_packets_are_dropped_and_counted(void **state)
{
    (void)state;
    edge_rtp_t *r = make_reader(EDGE_RTP_H264, NULL, 0);
    uint8_t p[16];
    size_t np = slice264(p, 1, 4, 0);
    send_pkt(r, 10, 1000, 1, p, np, MM_OK);
    send_pkt(r, 12, 7000, 1, p, np, MM_OK); /* 11 comes after 12 */
    send_pkt(r, 11, 4000, 1, p, np, MM_OK);
    send_pkt(r, 12, 7000, 1, p, np, MM_OK); /* a duplicate */
    send_pkt(r, 13, 10000, 1, p, np, MM_OK);
    assert_int_equal(nframes, 3);
    assert_int_equal(frames[0].ts, 1000);
    assert_int_equal(frames[1].ts, 7000);
    assert_int_equal(frames[1].lost, 1);
    assert_int_equal(frames[2].ts, 10000);
    assert_int_equal(frames[2].lost, 0);
    /* A big step back is the sender starting over, not a late packet. */
    send_pkt(r, 5000, 13000, 1, p, np, MM_OK);
    assert_int_equal(nframes, 4);
    assert_int_equal(frames[3].ts, 13000);
    edge_rtp_destroy(r);
}

static void test_rtp_late_in_band_parameter_sets_replace_the_sdp_ones(void **state)
{
    (void)state;
    edge_rtp_t *r = make_reader(EDGE_RTP_H264, NULL, 0);
    uint8_t idr[64], want[256];
    size_t n = slice264(idr, 5, 20, 9);
    /* A keyframe before any parameter set: emitted, without params. */
    send_pkt(r, 1, 0, 1, idr, n, MM_OK);
    assert_int_equal(nframes, 1);
    assert_true(frames[0].key);
    assert_int_equal(frames[0].params_len, 0);
    /* An SPS alone is not a set. */
    send_pkt(r, 2, 3000, 0, sps264, sizeof(sps264), MM_OK);
    send_pkt(r, 3, 3000, 1, idr, n, MM_OK);
    assert_int_equal(frames[1].params_len, 0);
    assert_int_equal(frames[1].width, 1920);
    send_pkt(r, 4, 6000, 0, pps264, sizeof(pps264), MM_OK);
    send_pkt(r, 5, 6000, 1, idr, n, MM_OK);
    size_t pl = annexb(want, sps264, sizeof(sps264), pps264, sizeof(pps264), NULL);
    assert_int_equal(frames[2].params_len, pl);
    /* New sets in band replace the old. */
    send_pkt(r, 6, 9000, 0, sps264b, sizeof(sps264b), MM_OK);
    send_pkt(r, 7, 9000, 0, pps264b, sizeof(pps264b), MM_OK);
    send_pkt(r, 8, 9000, 1, idr, n, MM_OK);
    pl = annexb(want, sps264b, sizeof(sps264b), pps264b, sizeof(pps264b), NULL);
    assert_int_equal(frames[3].params_len, pl);
    assert_memory_equal(frames[3].params, want, pl);
    assert_int_equal(frames[3].width, 320);
    assert_int_equal(frames[3].height, 240);
    edge_rtp_destroy(r);
}

static void test_rtp_header_csrc_extension_padding_and_bad_packets(void **state)
{
    (void)state;
    edge_rtp_t *r = make_reader(EDGE_RTP_H264, NULL, 0);
    uint8_t p[16];
    size_t np = slice264(p, 1, 4, 0x55);
    /* 2 CSRCs, an extension of 1 word, 3 bytes of padding. */
    uint8_t b[128];
    size_t n = make(1, 3000, 1, "", 0);
    memcpy(b, pkt, 12);
    b[0] = 0x80 | 0x20 | 0x10 | 2;
    memset(b + 12, 0xcc, 8);
    memcpy(b + 20, "\xbe\xde\x00\x01\x01\x02\x03\x04", 8);
    memcpy(b + 28, p, np);
    n = 28 + np;
    memcpy(b + n, "\0\0\3", 3);
    n += 3;
    assert_int_equal(edge_rtp_packet(r, b, n, collect, NULL), MM_OK);
    assert_int_equal(nframes, 1);
    assert_int_equal(frames[0].len, 4 + np);
    assert_memory_equal(frames[0].data + 4, p, np);

    assert_int_equal(edge_rtp_packet(r, b, 11, collect, NULL), MM_EPROTO);
    b[0] = 0x40; /* version 1 */
    assert_int_equal(edge_rtp_packet(r, b, n, collect, NULL), MM_EPROTO);
    b[0] = 0x80 | 0x20 | 0x10 | 2;
    b[n - 1] = 200; /* padding longer than the payload */
    assert_int_equal(edge_rtp_packet(r, b, n, collect, NULL), MM_EPROTO);
    b[n - 1] = 3;
    b[23] = 0x40; /* an extension past the end */
    assert_int_equal(edge_rtp_packet(r, b, n, collect, NULL), MM_EPROTO);
    b[23] = 1;
    b[1] = 97 | 0x80; /* another payload type */
    assert_int_equal(edge_rtp_packet(r, b, n, collect, NULL), MM_EPROTO);
    uint8_t bad = 0x7e; /* STAP-B: not in non-interleaved mode */
    send_pkt(r, 2, 6000, 1, &bad, 1, MM_EPROTO);
    assert_int_equal(nframes, 1);
    edge_rtp_destroy(r);
    edge_rtp_t *none = r;
    assert_int_equal(edge_rtp_create(EDGE_RTP_H264, PT, 0, NULL, 0, &none), MM_EINVAL);
    assert_null(none);
    assert_int_equal(edge_rtp_create(EDGE_RTP_H264, 128, 90000, NULL, 0, &none), MM_EINVAL);
    edge_rtp_destroy(NULL);
}

/* --- H.265 --------------------------------------------------------------------------------- */

/* A slice NAL unit of type t (H.265) with n bytes of body. */
static size_t slice265(uint8_t *out, int t, size_t n, uint8_t fill)
{
    out[0] = (uint8_t)(t << 1);
    out[1] = 1;
    memset(out + 2, fill, n);
    return n + 2;
}

static void test_rtp_h265_single_ap_and_fu(void **state)
{
    (void)state;
    edge_rtp_t *r = make_reader(EDGE_RTP_H265, NULL, 0);
    /* AP: VPS, SPS, PPS. */
    uint8_t ap[256], want[8192];
    size_t n = 0;
    ap[n++] = 48 << 1, ap[n++] = 1;
    const uint8_t *units[] = {vps265, sps265, pps265};
    size_t lens[] = {sizeof(vps265), sizeof(sps265), sizeof(pps265)};
    for (int i = 0; i < 3; i++) {
        ap[n++] = 0, ap[n++] = (uint8_t)lens[i];
        memcpy(ap + n, units[i], lens[i]);
        n += lens[i];
    }
    send_pkt(r, 1, 500, 0, ap, n, MM_OK);
    /* FU: an IDR_W_RADL (19) in three fragments. */
    static uint8_t idr[3000];
    size_t ni = slice265(idr, 19, 2900, 0);
    for (size_t i = 2; i < ni; i++)
        idr[i] = (uint8_t)(i * 13);
    size_t off = 2;
    uint16_t seq = 2;
    while (off < ni) {
        uint8_t fu[1500];
        size_t chunk = ni - off < 1000 ? ni - off : 1000;
        fu[0] = 49 << 1, fu[1] = 1;
        fu[2] = (uint8_t)((off == 2 ? 0x80 : 0) | (off + chunk == ni ? 0x40 : 0) | 19);
        memcpy(fu + 3, idr + off, chunk);
        off += chunk;
        send_pkt(r, seq++, 500, off == ni, fu, chunk + 3, MM_OK);
    }
    assert_int_equal(nframes, 1);
    size_t wl = annexb(want, vps265, sizeof(vps265), sps265, sizeof(sps265), pps265, sizeof(pps265),
                       idr, ni, NULL);
    assert_int_equal(frames[0].len, wl);
    assert_memory_equal(frames[0].data, want, wl);
    assert_true(frames[0].key);
    assert_int_equal(frames[0].params_len, wl - ni - 4);
    assert_memory_equal(frames[0].params, want, wl - ni - 4);
    assert_int_equal(frames[0].width, 642);
    assert_int_equal(frames[0].height, 362);
    /* A single NAL unit: TRAIL_R (1) is not a keyframe; CRA (21) is. */
    uint8_t p[32];
    size_t np = slice265(p, 1, 10, 4);
    send_pkt(r, seq++, 3500, 1, p, np, MM_OK);
    assert_int_equal(nframes, 2);
    assert_false(frames[1].key);
    assert_int_equal(frames[1].len, np + 4);
    np = slice265(p, 21, 10, 4);
    send_pkt(r, seq++, 6500, 1, p, np, MM_OK);
    assert_true(frames[2].key);
    /* PACI (50) is not supported; an AP cut short is malformed. */
    p[0] = 50 << 1;
    send_pkt(r, seq++, 9500, 1, p, np, MM_EPROTO);
    send_pkt(r, seq++, 12500, 1, ap, 5, MM_EPROTO);
    np = slice265(p, 1, 10, 4);
    send_pkt(r, seq++, 15500, 1, p, np, MM_OK);
    assert_int_equal(nframes, 4);
    assert_int_equal(frames[3].lost, 2);
    edge_rtp_destroy(r);
}

static void test_rtp_h265_sprop_without_vps_gives_no_params(void **state)
{
    (void)state;
    uint8_t sprop[128];
    size_t sl = annexb(sprop, sps265, sizeof(sps265), pps265, sizeof(pps265), NULL);
    edge_rtp_t *r = make_reader(EDGE_RTP_H265, sprop, sl);
    uint8_t p[32];
    size_t np = slice265(p, 19, 10, 4);
    send_pkt(r, 1, 0, 1, p, np, MM_OK);
    assert_int_equal(nframes, 1);
    assert_true(frames[0].key);
    assert_int_equal(frames[0].params_len, 0);
    assert_int_equal(frames[0].width, 642);
    send_pkt(r, 2, 3000, 0, vps265, sizeof(vps265), MM_OK);
    send_pkt(r, 3, 3000, 1, p, np, MM_OK);
    assert_int_equal(frames[1].params_len, sl + sizeof(vps265) + 4);
    edge_rtp_destroy(r);
}

/* --- RTCP ---------------------------------------------------------------------------------- */

static size_t sender_report(uint8_t *b, uint32_t ssrc, uint32_t ntp_sec, uint32_t ntp_frac,
                            uint32_t rtp)
{
    uint32_t w[7] = {0x80c80006u, ssrc, ntp_sec, ntp_frac, rtp, 10, 1000};
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 4; j++)
            b[4 * i + j] = (uint8_t)(w[i] >> (24 - 8 * j));
    return 28;
}

static void test_rtp_sender_report_maps_rtp_time_to_wall_time(void **state)
{
    (void)state;
    edge_rtp_t *r = make_reader(EDGE_RTP_H264, NULL, 0);
    assert_int_equal(edge_rtp_wall_us(r, 0), 0);
    uint8_t p[16];
    size_t np = slice264(p, 1, 4, 0);
    send_pkt(r, 1, 0xfffff000u, 1, p, np, MM_OK);
    send_pkt(r, 2, 0x00001000u, 1, p, np, MM_OK); /* wrapped: 2^32 + 4096 */
    /* A compound packet: SR of another source, an SDES, the stream's SR. 2026-12-07 00:00:00
     * UTC is 1796601600 Unix seconds; half a second in NTP fraction. */
    uint8_t b[128];
    uint32_t ntp = (uint32_t)(1796601600LL + 2208988800LL);
    size_t n = sender_report(b, 0x99, ntp + 100, 0, 0);
    memcpy(b + n, "\x81\xca\x00\x01\x11\x22\x33\x44", 8);
    n += 8;
    n += sender_report(b + n, SSRC, ntp, 0x80000000u, 0x00002000u);
    assert_int_equal(edge_rtp_rtcp(r, b, n), MM_OK);
    int64_t sr_ts = (1LL << 32) + 0x2000;
    assert_int_equal(edge_rtp_wall_us(r, sr_ts), 1796601600500000LL);
    assert_int_equal(edge_rtp_wall_us(r, sr_ts + 90000), 1796601601500000LL);
    assert_int_equal(edge_rtp_wall_us(r, sr_ts - 45), 1796601600499500LL);
    /* Malformed: a length past the end, a version 1 header, too short. */
    b[3] = 0x20;
    assert_int_equal(edge_rtp_rtcp(r, b, n), MM_EPROTO);
    b[3] = 6;
    b[0] = 0x40;
    assert_int_equal(edge_rtp_rtcp(r, b, n), MM_EPROTO);
    assert_int_equal(edge_rtp_rtcp(r, b, 3), MM_EPROTO);
    assert_int_equal(edge_rtp_wall_us(r, sr_ts), 1796601600500000LL);
    edge_rtp_destroy(r);
}

/* --- what the test camera really sends ----------------------------------------------------- */

/* Feeds a capture of tests/fuzz/fuzz_rtp_capture.py (2-byte length, packet; RTCP among them) to
 * a reader; returns how many packets were RTCP. */
static int replay(edge_rtp_t *r, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/../fuzz/corpus/rtp/%s", MM_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t b[1 << 17];
    size_t n = fread(b, 1, sizeof(b), f);
    fclose(f);
    int rtcp = 0;
    for (size_t off = 0; off + 2 <= n;) {
        size_t k = (size_t)b[off] << 8 | b[off + 1];
        off += 2;
        assert_true(k <= n - off);
        if (b[off + 1] >= 200 && b[off + 1] <= 204) {
            assert_int_equal(edge_rtp_rtcp(r, b + off, k), MM_OK);
            rtcp++;
        } else {
            assert_int_equal(edge_rtp_packet(r, b + off, k, collect, NULL), MM_OK);
        }
        off += k;
    }
    return rtcp;
}

static void test_rtp_replays_gstreamer_h264_and_h265(void **state)
{
    (void)state;
    for (int c = 0; c < 2; c++) {
        reset(NULL);
        edge_rtp_t *r = make_reader(c ? EDGE_RTP_H265 : EDGE_RTP_H264, NULL, 0);
        assert_int_equal(replay(r, c ? "h265-start.bin" : "h264-start.bin"), 0);
        /* rtph26[45]pay: parameter sets in band before the keyframe, which is in fragments. */
        assert_true(nframes >= 3);
        assert_true(frames[0].key);
        assert_true(frames[0].params_len > 0);
        for (int i = 0; i < nframes; i++) {
            assert_int_equal(frames[i].lost, 0);
            assert_int_equal(frames[i].width, 640);
            assert_int_equal(frames[i].height, 360);
            assert_int_equal(frames[i].ts - frames[0].ts, 6000 * i); /* 15 fps */
            assert_int_equal(i > 0, !frames[i].key);
        }
        edge_rtp_destroy(r);
        /* The stream's sender report: the camera's wall clock at the capture (after 2026). */
        reset(NULL);
        r = make_reader(c ? EDGE_RTP_H265 : EDGE_RTP_H264, NULL, 0);
        assert_int_equal(replay(r, c ? "h265-rtcp.bin" : "h264-rtcp.bin"), 1);
        assert_true(nframes >= 2);
        assert_true(edge_rtp_wall_us(r, frames[0].ts) > 1767225600LL * 1000000);
        int64_t dt = edge_rtp_wall_us(r, frames[1].ts) - edge_rtp_wall_us(r, frames[0].ts);
        assert_true(llabs(dt - (frames[1].ts - frames[0].ts) * 1000000 / 90000) <= 1);
        edge_rtp_destroy(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_rtp_h264_single_nal_units_marker_ends_access_unit, reset),
        cmocka_unit_test_setup(test_rtp_h264_new_timestamp_ends_access_unit_without_marker, reset),
        cmocka_unit_test_setup(test_rtp_h264_stap_a_with_parameter_sets, reset),
        cmocka_unit_test_setup(test_rtp_h264_fu_a_reassembles_the_unit, reset),
        cmocka_unit_test_setup(test_rtp_h264_lost_fragment_drops_the_frame_whole, reset),
        cmocka_unit_test_setup(test_rtp_sequence_and_timestamp_wrap, reset),
        cmocka_unit_test_setup(test_rtp_reordered_and_duplicate_packets_are_dropped_and_counted,
                               reset),
        cmocka_unit_test_setup(test_rtp_late_in_band_parameter_sets_replace_the_sdp_ones, reset),
        cmocka_unit_test_setup(test_rtp_header_csrc_extension_padding_and_bad_packets, reset),
        cmocka_unit_test_setup(test_rtp_h265_single_ap_and_fu, reset),
        cmocka_unit_test_setup(test_rtp_h265_sprop_without_vps_gives_no_params, reset),
        cmocka_unit_test_setup(test_rtp_replays_gstreamer_h264_and_h265, reset),
        cmocka_unit_test_setup(test_rtp_sender_report_maps_rtp_time_to_wall_time, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
