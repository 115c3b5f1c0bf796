/*
 * segment.h: segment files — one camera's coded frames between two keyframe cuts.
 *
 * File layout (all integers big-endian):
 *
 *   header   "MMSEG1\n" version(u8 = 1)
 *            camera (u8 length, bytes)  codec (u8 length, bytes)  start_us (i64)
 *            extradata (u32 length, bytes: the codec's parameter sets as the demuxer gave them)
 *   chunk*   "CHNK" payload_length(u32) frame_count(u32) payload
 *            payload = frame_count × [time_us(i64) pts(i64) flags(u8: 1 = keyframe)
 *                                     length(u32) data (Annex B)]
 *   trailer  "END!" frame_count(u32) end_us(i64) content_hash(32) file_hash(32)
 *
 * file_hash is SHA-256 over every byte before it (header, chunks, trailer fields), so that any
 * change to a finished file — times, flags, framing, not only the coded frames — is detected.
 * Chunks hold about one second of frames; issue 3 will encrypt and authenticate each chunk
 * (AES-256-GCM) so that a crash loses at most the last one.
 *
 * Content hash: SHA-256 over, for every frame in order, every NAL unit of the frame written as
 * u32 length || NAL unit bytes. NAL units are taken from the Annex B data (start codes removed,
 * trailing zero bytes removed), so the same frames in an MP4 (length-prefixed) give the same
 * hash. The container, times and extradata are not covered: the hash names the footage.
 *
 * A segment is written to "<start_us>.mmseg.partial", fsync'd when finished, then renamed to
 * "<start_us>.mmseg" and its directory fsync'd.
 */
#ifndef EDGE_SEGMENT_H
#define EDGE_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "err.h"

#define EDGE_SEG_PATH_MAX 512
#define EDGE_SEG_CODEC_MAX 16
#define EDGE_SEG_FRAME_MAX (16 * 1024 * 1024)  /* largest frame accepted */
#define EDGE_SEG_EXTRA_MAX (64 * 1024)

/* What a finished segment is. */
typedef struct {
    char camera[MM_ID_MAX];
    char codec[EDGE_SEG_CODEC_MAX];
    int64_t start_us;
    int64_t end_us;
    uint64_t bytes;        /* file size */
    uint32_t frames;
    uint8_t content_hash[32];
    char path[EDGE_SEG_PATH_MAX];
} edge_segment_info_t;

typedef struct edge_segment_writer edge_segment_writer_t;

/* Creates dir/<start_us>.mmseg.partial and writes the header. */
mm_err_t edge_segment_create(const char *dir, const char *camera, const char *codec,
                             const uint8_t *extradata, size_t extralen, int64_t start_us,
                             edge_segment_writer_t **out);

/* Adds one frame (Annex B data). Frames are written out in chunks of about a second. */
mm_err_t edge_segment_write(edge_segment_writer_t *w, int64_t time_us, int64_t pts, int key,
                            const uint8_t *data, size_t len);

/* Frames written so far. */
uint32_t edge_segment_frames(const edge_segment_writer_t *w);

/*
 * Writes the last chunk and the trailer, fsyncs, renames to the final name, fsyncs the
 * directory, and fills info. Frees w whatever happens.
 */
mm_err_t edge_segment_finish(edge_segment_writer_t *w, int64_t end_us, edge_segment_info_t *info);

/* Removes the partial file and frees w. */
void edge_segment_abort(edge_segment_writer_t *w);

/* One frame read back. data points into the reader and stays valid until the next call. */
typedef struct {
    int64_t time_us;
    int64_t pts;
    int key;
    const uint8_t *data;
    size_t len;
} edge_frame_t;

typedef struct edge_segment_reader edge_segment_reader_t;

/*
 * Opens a segment file and reads its header into info (camera, codec, start_us, path).
 * MM_EIO when unreadable, MM_ECORRUPT when the header is bad.
 */
mm_err_t edge_segment_open(const char *path, edge_segment_reader_t **out,
                           edge_segment_info_t *info);
/* The codec's extradata from the header. */
const uint8_t *edge_segment_extradata(const edge_segment_reader_t *r, size_t *len);
/*
 * Next frame: MM_OK with *frame, MM_ENOTFOUND at the trailer (after which the trailer has been
 * checked: frame count and content hash, else MM_ECORRUPT), MM_ECORRUPT for a damaged or
 * truncated file (the diagnostic log names the offset).
 */
mm_err_t edge_segment_next(edge_segment_reader_t *r, edge_frame_t *frame);
void edge_segment_close(edge_segment_reader_t *r);

/* Reads a whole segment, recomputing and checking its content hash; fills info. */
mm_err_t edge_segment_verify(const char *path, edge_segment_info_t *info);

/* Adds the NAL units of one Annex B frame to a content hash (see above). */
struct mm_sha256_ctx;
void edge_segment_hash_frame(struct mm_sha256_ctx *ctx, const uint8_t *data, size_t len);

#endif
