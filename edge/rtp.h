/*
 * rtp.h: RTP and RTCP for one received video stream, with no I/O — packets in, access units
 * out.
 *
 * edge_rtp_packet takes one RTP packet (RFC 3550) as read from the camera's connection, checks
 * its header (version 2, padding, extension, CSRC list, payload type), follows its sequence
 * number and unwraps its 32-bit timestamp to 64 bits, and depacketises the payload: H.264 per
 * RFC 6184 (single NAL unit, STAP-A, FU-A; packetization-mode 0 and 1) or H.265 per RFC 7798
 * (single NAL unit, AP, FU; no DONL). An access unit ends on the marker bit or, for cameras that
 * do not set it, on the first packet with a new timestamp; it is handed to emit in Annex B form.
 *
 * Loss: a gap in the sequence numbers is counted and reported on the next frame emitted
 * (`lost`). The access unit that was being assembled when packets went missing is dropped whole
 * (so is one whose fragmentation unit runs without its start), and counts as one more in
 * `lost`. A packet that arrives late (its sequence number a little behind the expected one,
 * reordered or duplicated) is discarded; a big step back is taken as the sender starting over.
 *
 * Parameter sets: the SDP's (sprop) are the starting point; each one that arrives in band
 * replaces the one of its kind, and stays in the access unit it came in too. A frame carries the
 * current set (H.264 SPS+PPS, H.265 VPS+SPS+PPS) in `params`, or params_len 0 while any of them
 * has never been seen: a keyframe is emitted all the same and the caller decides. The picture
 * size is read from the newest SPS.
 *
 * RTCP: edge_rtp_rtcp walks a compound packet and keeps the newest sender report of the
 * stream's source, mapping its NTP time to its RTP time, so edge_rtp_wall_us can turn an RTP
 * time into the camera's wall clock.
 *
 * Threading: none of its own; an edge_rtp_t is used by one thread at a time.
 */
#ifndef EDGE_RTP_H
#define EDGE_RTP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* The largest access unit assembled (bytes of Annex B); a larger one is dropped as lost. */
#define EDGE_RTP_MAX_AU (8u * 1024 * 1024)

typedef enum { EDGE_RTP_H264, EDGE_RTP_H265 } edge_rtp_codec_t;

typedef struct edge_rtp edge_rtp_t;

/* One access unit. Every pointer is borrowed: valid only during the emit call. */
typedef struct {
    const uint8_t *data; /* one access unit, Annex B (00 00 00 01 before each NAL) */
    size_t len;
    int key;    /* IDR (H.264) / IRAP 16..23 (H.265) */
    int64_t ts; /* RTP timestamp unwrapped to 64 bits (clock_rate ticks), the
                   first packet's timestamp being its low 32 bits */
    uint32_t clock_rate;
    uint32_t lost;         /* packets lost (sequence gap) or frames dropped since the last
                              frame emitted; 0 normally */
    const uint8_t *params; /* the current parameter sets (VPS, SPS, PPS), Annex B; may be
                              empty */
    size_t params_len;
    int width, height; /* from the SPS; 0 if none seen */
} edge_rtp_frame_t;

typedef void (*edge_rtp_emit_fn)(void *arg, const edge_rtp_frame_t *f);

/*
 * Creates the reader of one stream. sprop: the SDP's parameter sets as Annex B (may be NULL;
 * edge/sdp.h gives them in this form), copied. MM_EINVAL for a clock_rate of 0 or a payload type
 * over 127, MM_ENOMEM.
 */
mm_err_t edge_rtp_create(edge_rtp_codec_t codec, uint8_t payload_type, uint32_t clock_rate,
                         const uint8_t *sprop, size_t sprop_len, edge_rtp_t **out);

/*
 * One RTP packet: calls emit for each access unit it completes (0, 1 or 2 of them). MM_EPROTO
 * for a packet that is not RTP of this stream (too short, not version 2, bad padding or
 * extension length, another payload type) or whose payload is not valid for the codec
 * (reserved or unsupported NAL unit types, an aggregate that runs past its end); the packet is
 * ignored, or the access unit it belonged to dropped, and the stream goes on.
 */
mm_err_t edge_rtp_packet(edge_rtp_t *r, const uint8_t *p, size_t n, edge_rtp_emit_fn emit,
                         void *arg);

/*
 * One RTCP compound packet: keeps the newest sender report of the stream's source (any
 * source's before the first RTP packet). MM_EPROTO when the compound packet is malformed; the
 * sender reports before the fault are kept.
 */
mm_err_t edge_rtp_rtcp(edge_rtp_t *r, const uint8_t *p, size_t n);

/* The wall time (µs since the epoch, from the last SR's NTP time) of RTP time ts; 0 when no
   sender report has come. */
int64_t edge_rtp_wall_us(const edge_rtp_t *r, int64_t ts);

/* Frees r; NULL is fine. */
void edge_rtp_destroy(edge_rtp_t *r);

#endif
