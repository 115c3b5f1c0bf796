/*
 * fuzz_sdp.c: a camera's answer to DESCRIBE, any bytes, read by edge_sdp_parse against a fixed
 * base URL. Nothing may crash or read out of bounds; a parse that succeeds must give a
 * NUL-terminated control URL, a clock rate, and parameter sets that are Annex B within bounds,
 * which then feed an RTP reader; one that fails must say why.
 * Seeds: GStreamer's SDPs (tests/fuzz/fuzz_rtp_capture.py) and cameras' shapes by hand.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edge/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static edge_sdp_t sdp;
    char msg[256] = "";
    mm_err_t rc = edge_sdp_parse((const char *)data, size, "rtsp://127.0.0.1:554/cam/", &sdp, msg,
                                 sizeof(msg));
    if (rc != MM_OK) {
        if (msg[0] == '\0')
            abort();
        return 0;
    }
    if (memchr(sdp.control, 0, sizeof(sdp.control)) == NULL || sdp.control[0] == '\0' ||
        sdp.clock_rate == 0 || sdp.payload_type > 127 || sdp.sprop_len > sizeof(sdp.sprop))
        abort();
    if (sdp.sprop_len > 0 && (sdp.sprop_len < 5 || memcmp(sdp.sprop, "\0\0\0\1", 4) != 0))
        abort();
    edge_rtp_t *r = NULL;
    if (edge_rtp_create(sdp.codec, sdp.payload_type, sdp.clock_rate, sdp.sprop, sdp.sprop_len,
                        &r) != MM_OK)
        abort();
    edge_rtp_destroy(r);
    return 0;
}
