/*
 * segment.h: segment files — one camera's coded frames between two keyframe cuts, encrypted
 * and authenticated chunk by chunk so that a crash loses at most the chunk being filled. The
 * encryption is what keeps footage safe at rest (R-K2.2.6d, R-N7.7); the authentication makes
 * any alteration of it detectable (R-N7.3).
 *
 * File layout (all integers big-endian):
 *
 *   header  "MMSEG2\n" version(u8 = 2)
 *           camera (u8 length, bytes)  codec (u8 length, bytes)  start_us (i64)
 *           epoch (i64)  salt (16)
 *           extradata (u32 length, bytes: the codec's parameter sets as the demuxer gave them)
 *   chunk*  tag ("CHNK", or "LAST" for the final one)  length (u32)  ciphertext (length)
 *           gcm tag (16)
 *
 * Each chunk is AES-256-GCM under the segment's key (keyring.h: derived from the epoch key and
 * the salt), with nonce = 0x00000000 || chunk number (BE64; chunks are numbered from 0) and
 * additional data = SHA-256(header) || chunk number (BE64) || the chunk's tag. So a chunk cannot
 * be altered, moved, dropped from the middle, copied from another file or relabelled LAST
 * without failing to open. Plaintext of a chunk:
 *
 *   frame_count (u32) then frame_count × [time_us (i64) pts (i64) flags (u8: 1 = keyframe)
 *                                          length (u32) data (Annex B)]
 *   and, in the LAST chunk only, after the frames:
 *   end_us (i64)  total frame count (u32)  content hash (32)  recovered (u8)
 *
 * A file is complete only with its LAST chunk; one that ends without it was cut short, and is
 * refused by the reader (MM_ECORRUPT) — except by edge_segment_recover(), which keeps the chunks
 * that open and writes the LAST chunk for them. The header is in clear (the camera, the times
 * and the parameter sets are not secret; they are authenticated through every chunk).
 *
 * Chunks hold about half a second of frames: a chunk is written (one writev) once its frames span
 * 0.4 s, so a crash of the process loses about half a second, leaving room under the second it
 * may lose for frames still in the socket or held up behind another camera's write (at 0.8 s a
 * kill of an edge with 16 cameras lost up to 0.86 s; docs/performance.md); the writers' syncer
 * thread (segment_sync.h) then fdatasyncs it, so a power loss loses that plus the syncer's lag
 * (under a second while the disk keeps up), and the caller never waits for the disk but at
 * edge_segment_finish (the LAST chunk is synced before the rename). That is the fsync policy;
 * docs/architecture.md states it with its cost. The chunk buffer comes from a pool sized per
 * camera from its last segment (segment_pool.h).
 *
 * Content hash: SHA-256 over, for every frame in order, every NAL unit of the frame written as
 * u32 length || NAL unit bytes. NAL units are taken from the Annex B data (start codes removed,
 * trailing zero bytes removed), so the same NAL units in an MP4 (length-prefixed) give the same
 * hash; edge_footage_mp4 writes each frame as exactly these NAL units (a plain remux may keep
 * an encoder's trailing zero bytes inside the MP4's NAL units). The container, times and
 * extradata are not covered: the hash names the footage.
 *
 * A segment is written to "<start_us>.mmseg.partial", and renamed to "<start_us>.mmseg" when its
 * LAST chunk is on disk, then its directory is fsync'd.
 */
#ifndef EDGE_SEGMENT_H
#define EDGE_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"

#define EDGE_SEG_PATH_MAX 512
#define EDGE_SEG_CODEC_MAX 16
#define EDGE_SEG_FRAME_MAX (16 * 1024 * 1024)  /* largest frame accepted */
#define EDGE_SEG_EXTRA_MAX (64 * 1024)
#define EDGE_SEG_SALT_LEN 16
#define EDGE_SEG_KEY_LEN 32
#define EDGE_SEG_CHUNK_US 500000 /* a chunk is written once its frames span this long */

/* What a segment is. */
typedef struct {
    char camera[MM_ID_MAX];
    char codec[EDGE_SEG_CODEC_MAX];
    int64_t start_us;
    int64_t end_us;
    int64_t epoch;                        /* the epoch whose key derives the segment key */
    uint8_t salt[EDGE_SEG_SALT_LEN];
    uint64_t bytes;                       /* file size */
    uint32_t frames;
    uint32_t chunks;
    uint8_t content_hash[32];
    int recovered;                        /* finished by edge_segment_recover() */
    char path[EDGE_SEG_PATH_MAX];
} edge_segment_info_t;

/*
 * How a reader gets a segment's key: from the header fields in *hdr (camera, start_us, epoch,
 * salt). Returns MM_OK with key filled, or an error that the open returns (MM_EERASED when no
 * key exists any more).
 */
typedef mm_err_t (*edge_segment_key_fn)(void *arg, const edge_segment_info_t *hdr,
                                        uint8_t key[EDGE_SEG_KEY_LEN]);

typedef struct edge_segment_writer edge_segment_writer_t;

/* A segment file's path, "<dir>/<start_us>.mmseg" (no "<dir>/" when dir is NULL), with
 * ".partial" while it is being written when partial is set. The one place that spells the
 * name: the recorder, recovery, the index and the vault all ask here. Returns 0, or -1 when it
 * does not fit in cap. */
int edge_segment_path(char *out, size_t cap, const char *dir, int64_t start_us, int partial);

/* Parses a segment file's name (no directory): 1 for "<start_us>.mmseg", 2 for
 * "<start_us>.mmseg.partial", 0 for any other name. */
int edge_segment_name(const char *name, int64_t *start_us);

/* Whether dir holds a segment file starting at start_us, finished or partial (or its name cannot
 * be checked): a writer created there would replace it. */
int edge_segment_exists(const char *dir, int64_t start_us);

/*
 * Creates dir/<start_us>.mmseg.partial and writes the header. key is the segment key derived
 * for (epoch, salt, camera, start_us); it is copied and wiped when the writer ends.
 * MM_EFULL when the disk is full, MM_EIO otherwise.
 */
mm_err_t edge_segment_create(const char *dir, const char *camera, const char *codec,
                             const uint8_t *extradata, size_t extralen, int64_t start_us,
                             int64_t epoch, const uint8_t salt[EDGE_SEG_SALT_LEN],
                             const uint8_t key[EDGE_SEG_KEY_LEN], edge_segment_writer_t **out);

/* Adds one frame (Annex B data), sealed into the chunk being filled; writes the chunk when its
 * frames span EDGE_SEG_CHUNK_US (without waiting for its sync). MM_EFULL when the disk is full;
 * MM_EIO when a write or an earlier chunk's sync failed (finish then leaves the partial file
 * for recovery). */
mm_err_t edge_segment_write(edge_segment_writer_t *w, int64_t time_us, int64_t pts, int key,
                            const uint8_t *data, size_t len);

/* Frames written so far. */
uint32_t edge_segment_frames(const edge_segment_writer_t *w);

/*
 * Writes the LAST chunk, fdatasyncs, renames to the final name, fsyncs the directory, and fills
 * info. Frees w whatever happens. When the disk is full (here or in an earlier write), the file is
 * finished from the complete chunks already on disk as edge_segment_recover does (recovered = 1,
 * end_us = the last kept frame's time, the frames of the chunk that could not be written lost):
 * MM_OK with info filled, or edge_segment_recover's error. On any other failure the partial file
 * is left for recovery at the next start.
 */
mm_err_t edge_segment_finish(edge_segment_writer_t *w, int64_t end_us, edge_segment_info_t *info);

/* Removes the partial file and frees w. Accepts NULL. */
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
 * Opens a segment file, reads its header into info (camera, codec, start_us, epoch, salt, path)
 * and gets its key from key_fn. MM_EIO when unreadable, MM_ECORRUPT when the header is bad, or
 * what key_fn returned.
 */
mm_err_t edge_segment_open(const char *path, edge_segment_key_fn key_fn, void *arg,
                           edge_segment_reader_t **out, edge_segment_info_t *info);
/* The codec's extradata from the header. */
const uint8_t *edge_segment_extradata(const edge_segment_reader_t *r, size_t *len);
/*
 * Next frame: MM_OK with *frame; MM_ENOTFOUND after the last frame (the LAST chunk has then been
 * checked: frame count and content hash); MM_ECORRUPT for a chunk that does not open (altered or
 * truncated), a file without its LAST chunk, or bytes after it (the diagnostic log names the
 * chunk and the offset). No frame of a chunk is returned before the whole chunk has opened.
 */
mm_err_t edge_segment_next(edge_segment_reader_t *r, edge_frame_t *frame);
/* After MM_ENOTFOUND from next: the LAST chunk's end time, frame count, hash and flag. */
void edge_segment_trailer(const edge_segment_reader_t *r, edge_segment_info_t *info);
void edge_segment_close(edge_segment_reader_t *r);

/* Reads a whole segment, decrypting every chunk and checking its content hash; fills info. */
mm_err_t edge_segment_verify(const char *path, edge_segment_key_fn key_fn, void *arg,
                             edge_segment_info_t *info);

/*
 * Finishes what a crash left: partial is a "<start_us>.mmseg.partial" file. Keeps the longest
 * run of chunks from the start that open, drops what follows (a chunk cut short by the crash),
 * writes a LAST chunk (recovered = 1, end_us = the last kept frame's time) and renames the file
 * to its final name. MM_OK with info filled; MM_ENOTFOUND when no complete chunk was there (the
 * file is removed: less than a chunk was lost); MM_ECORRUPT when the header is unreadable (the
 * file is left alone); MM_EFULL, MM_EIO, or what key_fn returned.
 */
mm_err_t edge_segment_recover(const char *partial, edge_segment_key_fn key_fn, void *arg,
                              edge_segment_info_t *info);

/*
 * Splits one frame of Annex B data into its NAL units as the content hash does: start codes and
 * trailing zero bytes removed; data without any start code is one NAL unit. Calls fn on each.
 */
void edge_segment_each_nal(const uint8_t *data, size_t len,
                           void (*fn)(void *arg, const uint8_t *nal, size_t len), void *arg);

/* Adds the NAL units of one Annex B frame to a content hash (see above). */
struct mm_sha256_ctx;
void edge_segment_hash_frame(struct mm_sha256_ctx *ctx, const uint8_t *data, size_t len);

#endif
