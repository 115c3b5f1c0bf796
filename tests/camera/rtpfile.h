/*
 * rtpfile.h: a video file split once into RTP payloads, for mimamori-testcam --replay.
 *
 * tc_rtpfile_load reads an H.264 or H.265 stream from any container libavformat reads (.mp4,
 * .ts, raw .h264/.h265), starting at its first keyframe, and packetises every access unit:
 * RFC 6184 single NAL unit / FU-A (H.264), RFC 7798 single / FU (H.265), RTP packets of at most
 * TC_RTP_MTU bytes with their 12-byte header, the marker bit on an access unit's last packet.
 * The parameter sets (VPS, SPS, PPS) are taken out of the access units and kept as packets of
 * their own, so that the server decides per client whether to send them before a keyframe;
 * the first one of each kind seen also makes the SDP's sprop. Only the payloads are stored: the
 * server writes each client's RTP header (sequence number, timestamp, SSRC) itself.
 */
#ifndef TC_RTPFILE_H
#define TC_RTPFILE_H

#include <stddef.h>
#include <stdint.h>

#define TC_RTP_MTU 1400 /* an RTP packet, header included, as rtph264pay's default */
#define TC_RTP_HDR 12

typedef struct {
    uint32_t off;   /* into tc_rtpfile_t.bytes */
    uint16_t len;   /* payload bytes */
    uint8_t marker; /* last packet of its access unit */
} tc_pkt_t;

typedef struct {
    int64_t send_us; /* decoding time from the first access unit, µs: when it is sent */
    int64_t ts;      /* presentation time from the first access unit's decoding time, 90 kHz */
    uint32_t first;  /* index of its first packet in tc_rtpfile_t.pkts */
    uint32_t count;  /* its packets */
    uint32_t lead;   /* of which the access unit delimiter's, which parameter sets follow */
    int key;         /* IDR (H.264) or IRAP (H.265) */
} tc_au_t;

typedef struct {
    int h265;
    uint8_t *bytes; /* every payload, one after another */
    size_t bytes_len;
    tc_pkt_t *pkts;
    size_t npkts;
    tc_au_t *aus;
    size_t naus;
    tc_pkt_t params[3]; /* VPS (H.265), SPS, PPS as single NAL unit packets; len 0 if never seen */
    size_t nparams;     /* 2 (H.264) or 3 (H.265) */
    int64_t dur_us;     /* one pass of the file: the last decoding time plus a frame's duration */
    int64_t dur90;      /* the same in 90 kHz ticks */
    size_t file_bytes;  /* the access units' NAL units without start codes or parameter sets */
} tc_rtpfile_t;

/* Reads and packetises path. 0, or -1 with why in msg (cap bytes). */
int tc_rtpfile_load(const char *path, tc_rtpfile_t *f, char *msg, size_t cap);

/*
 * The SDP's format parameters after "a=fmtp:96 " (NUL-terminated in out, cap bytes):
 * packetization-mode, profile-level-id and sprop-parameter-sets (H.264) or sprop-vps/sps/pps
 * (H.265); without the parameter sets when sprop is 0. 0, or -1 when cap is too small.
 */
int tc_rtpfile_fmtp(const tc_rtpfile_t *f, int sprop, char *out, size_t cap);

void tc_rtpfile_free(tc_rtpfile_t *f);

#endif
