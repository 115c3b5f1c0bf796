/*
 * sdp.h: the little of a camera's SDP (RFC 8866, the body of the answer to DESCRIBE) that the
 * RTSP reader needs to set up and read its video stream.
 *
 * The first video media description (m=video) is taken; of its formats the first whose
 * a=rtpmap names H264 (RFC 6184) or H265 (RFC 7798) is used: its payload type, clock rate, the
 * parameter sets from its a=fmtp (sprop-parameter-sets; sprop-vps, sprop-sps, sprop-pps) in
 * Annex B, and the URL to SETUP, which is its a=control resolved against the session-level
 * a=control and the base URL (RFC 2326 C.1.1, as cameras and ffmpeg do it: "*" or none is the
 * base itself, an absolute rtsp:// URL stands, anything else is appended after a "/").
 *
 * Parameter sets that are not valid base64 do not fail the parse (the stream may well carry
 * them in band): they are left out, and sprop_invalid says so, for the caller to log.
 *
 * Pure: no I/O, nothing allocated; the result is a value.
 */
#ifndef EDGE_SDP_H
#define EDGE_SDP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "edge/rtp.h"

#define EDGE_SDP_URL_MAX 1024
#define EDGE_SDP_SPROP_MAX 4096

typedef struct {
    edge_rtp_codec_t codec;
    uint8_t payload_type;
    uint32_t clock_rate;               /* from a=rtpmap; 90000 for both codecs */
    char control[EDGE_SDP_URL_MAX];    /* the absolute URL to SETUP, NUL-terminated */
    uint8_t sprop[EDGE_SDP_SPROP_MAX]; /* parameter sets, Annex B (VPS, SPS, PPS order) */
    size_t sprop_len;                  /* 0 when the SDP has none */
    int sprop_invalid;                 /* some sprop value was not base64, or too long */
    int packetization_mode;            /* H.264's fmtp packetization-mode; 0 when absent */
} edge_sdp_t;

/*
 * Parses body (len bytes, not NUL-terminated; lines end in CRLF or LF) into *out, with base_url
 * (the DESCRIBE answer's Content-Base, else Content-Location, else the request's URL) to resolve
 * the control URL against. MM_EPARSE when the body has no video media, no H264 or H265 format in
 * it, a malformed m= or a=rtpmap line of that format, or a clock rate of 0; MM_ETOOBIG when the
 * control URL does not fit. msg (cap bytes) then says which, naming what was found (e.g. "video
 * format 96 is MP4V-ES/90000, not H264 or H265").
 */
mm_err_t edge_sdp_parse(const char *body, size_t len, const char *base_url, edge_sdp_t *out,
                        char *msg, size_t cap);

#endif
