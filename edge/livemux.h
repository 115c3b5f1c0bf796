/*
 * livemux.h: a camera's frames as fragmented MP4 for Media Source Extensions — an init segment
 * (ftyp + moov with avcC or hvcC, sample entry avc1 or hvc1) and then one fragment (moof + mdat)
 * per frame, each given out as soon as the muxer closes it: the fragment of a frame is closed
 * when the next frame comes (libavformat's mp4 muxer with empty_moov, default_base_moof and
 * frag_every_frame, into memory). Nothing is written to disk.
 *
 * Frames are H.264 or H.265 as the RTSP reader gives them (Annex B); parameter sets come from
 * the reader's extradata, or from the first keyframe when it has none. Times are microseconds
 * from the stream's start (any origin the caller keeps), on a 90 kHz track timescale, so that a
 * fragment's tfdt / 90000 s is its frame's time (the page measures its latency from it).
 */
#ifndef EDGE_LIVEMUX_H
#define EDGE_LIVEMUX_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define EDGE_LIVEMUX_TIMESCALE 90000
#define EDGE_LIVEMUX_CODEC_MAX 48

typedef struct edge_livemux edge_livemux_t;

/* Bytes made: the init segment (init 1), or one fragment (key: it starts with a keyframe). */
typedef void (*edge_livemux_out_fn)(void *arg, const uint8_t *buf, size_t len, int init, int key);

/*
 * A muxer for codec ("h264" or "hevc") of width x height whose parameter sets are in params
 * (Annex B, or the first keyframe's NAL units: the SPS, PPS and VPS are picked out). The init
 * segment is given to out before this returns. MM_EINVAL (another codec, no parameter sets),
 * MM_ENOMEM, MM_EIO (the muxer refused).
 */
mm_err_t edge_livemux_create(const char *codec, const uint8_t *params, size_t params_len, int width,
                             int height, edge_livemux_out_fn out, void *arg, edge_livemux_t **mux);
/* Adds a frame (Annex B) of time t_us (after the last one's); out gets the fragment closed. */
mm_err_t edge_livemux_frame(edge_livemux_t *m, const uint8_t *data, size_t len, int key,
                            int64_t t_us);
/* The codec as MSE names it ("avc1.64001f", "hvc1.1.6.L93.B0"), from the init segment. */
const char *edge_livemux_codec(const edge_livemux_t *m);
void edge_livemux_destroy(edge_livemux_t *m);

/* The codec string from an init segment's avcC or hvcC into out: 0, or -1 when it has neither. */
int edge_livemux_codec_of(const uint8_t *init, size_t len, char *out, size_t cap);

#endif
