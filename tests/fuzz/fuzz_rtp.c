/*
 * fuzz_rtp.c: what a camera (or anyone on its path) can send the RTP reader — a stream of
 * records, each a 2-byte big-endian length and a packet, every packet fed to an H.264 reader,
 * an H.265 reader (payload type 96, as the seed capture's) and both readers' RTCP parser.
 * Nothing may crash, hang or read out of bounds; every frame emitted must be a non-empty Annex B
 * access unit within EDGE_RTP_MAX_AU, its parameter sets Annex B too, its size sane. The first
 * record, when it is not RTP, doubles as the SDP's parameter sets, so that path is fuzzed too.
 * Seeds: tests/fuzz/fuzz_rtp_capture.py records what mimamori-testcam sends.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edge/rtp.h"

static void check(void *arg, const edge_rtp_frame_t *f)
{
    (void)arg;
    if (f->len < 5 || f->len > EDGE_RTP_MAX_AU || memcmp(f->data, "\0\0\0\1", 4) != 0)
        abort();
    if (f->params_len > 0 && (f->params == NULL || memcmp(f->params, "\0\0\0\1", 4) != 0))
        abort();
    if (f->width < 0 || f->height < 0 || f->width > 16888 || f->height > 16888)
        abort();
    if (f->clock_rate != 90000)
        abort();
    volatile uint8_t sink = f->data[f->len - 1];
    if (f->params_len > 0)
        sink ^= f->params[f->params_len - 1];
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sprop = NULL;
    size_t sprop_len = 0;
    if (size >= 3) {
        size_t n = (size_t)data[0] << 8 | data[1];
        if (n <= size - 2 && n > 0 && (data[2] >> 6) != 2)
            sprop = data + 2, sprop_len = n;
    }
    edge_rtp_t *r[2] = {NULL, NULL};
    if (edge_rtp_create(EDGE_RTP_H264, 96, 90000, sprop, sprop_len, &r[0]) != MM_OK ||
        edge_rtp_create(EDGE_RTP_H265, 96, 90000, sprop, sprop_len, &r[1]) != MM_OK)
        abort();
    size_t off = 0;
    while (size - off >= 2) {
        size_t n = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (n > size - off)
            n = size - off;
        for (int i = 0; i < 2; i++) {
            edge_rtp_packet(r[i], data + off, n, check, NULL);
            edge_rtp_rtcp(r[i], data + off, n);
            (void)edge_rtp_wall_us(r[i], 0);
        }
        off += n;
    }
    edge_rtp_destroy(r[0]);
    edge_rtp_destroy(r[1]);
    return 0;
}
