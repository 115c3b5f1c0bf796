/*
 * footage.h: the read path — a camera's recorded footage found by time, decrypted and checked
 * against the record, and remuxed into one playable MP4 file.
 *
 * This is an internal C API, meant for the disclosure export and for playback, and nothing else
 * calls it: no command line and no HTTP route reaches it (R-N7.3: footage is copied only for a
 * disclosure). Whoever calls edge_footage_mp4() is responsible for that file, which holds
 * footage in clear.
 *
 * What comes out is what was recorded or an error, never something in between. Every segment
 * used is read whole: each chunk is authenticated as it is decrypted (segment.h), and the
 * segment's content hash, frame count, camera and start must equal those of its index row —
 * which are the ones its segment_recorded entry in the site log carries. A segment whose key
 * is gone (erased, R-N7.5) fails with MM_EERASED.
 *
 * A segment overlaps [start_us, end_us) when start < end_us and end > start_us, where
 * [start, end) is its row's span (a segment of a single frame counts as [start, start + 1)).
 * No segment is longer than an epoch (EDGE_EPOCH_US), so the index is searched from one epoch
 * before start_us. One edge case follows from the half-open span: a segment that ended because
 * its camera stopped ends at its last frame's time, so a range starting exactly there does not
 * include that one frame.
 *
 * The functions read the store (any thread: LMDB read transactions) and do blocking file I/O
 * for as long as the range takes; the caller chooses the thread.
 */
#ifndef EDGE_FOOTAGE_H
#define EDGE_FOOTAGE_H

#include <stdint.h>

#include "common/err.h"
#include "edge/segment.h"
#include "edge/store.h"
#include "edge/vault.h"

/* What a verify or an export did. */
typedef struct {
    uint32_t segments;         /* overlapping segments read (verify: attempted) */
    uint32_t failed;           /* verify: segments that failed */
    uint64_t frames;           /* verify: frames read; mp4: frames written */
    uint64_t bytes;            /* those frames' Annex B bytes */
    int64_t first_us, last_us; /* mp4: times of the first and last frame written */
    unsigned passes;           /* mp4: readings of the segments it took, 1 or 2 (below) */
    uint8_t content_hash[32];  /* mp4: content hash (segment.h) of the frames written */
    mm_err_t failed_err;       /* the first failure, MM_OK when none */
    int64_t failed_start_us;   /* start of the segment that failed first */
    char failed_path[EDGE_SEG_PATH_MAX];
} edge_footage_report_t;

/* Called with each row found; returns non-zero to stop. row is valid during the call. */
typedef int (*edge_footage_fn)(const edge_segment_row_t *row, void *arg);

/*
 * Calls fn for every index row of camera that overlaps [start_us, end_us), in time order. No
 * file is opened. MM_EINVAL for an empty range or a bad camera id, MM_ENOMEM, or a store error.
 */
mm_err_t edge_footage_find(const edge_vault_t *v, const char *camera, int64_t start_us,
                           int64_t end_us, edge_footage_fn fn, void *arg);

/* The same rows as an array: *rows (malloc'd, the caller frees it; NULL when *n is 0) holds the
 * *n rows overlapping [start_us, end_us) in time order. Errors as edge_footage_find. */
mm_err_t edge_footage_rows(const edge_vault_t *v, const char *camera, int64_t start_us,
                           int64_t end_us, edge_segment_row_t **rows, size_t *n);

/*
 * Reads every overlapping segment whole with edge_vault_segment_key and checks it against its
 * index row (see above). Goes on after a failure, so that rep counts every damaged segment, and
 * returns the first failure: MM_ECORRUPT (altered, cut short, or not the file the index names),
 * MM_EERASED (its key no longer exists), MM_EIO (missing or unreadable file); each is logged
 * with the segment's path. MM_ENOTFOUND when no segment overlaps. Fills rep when not NULL.
 */
mm_err_t edge_footage_verify(const edge_vault_t *v, const char *camera, int64_t start_us,
                             int64_t end_us, edge_footage_report_t *rep);

/*
 * Reads one segment whole (row: an index row, as edge_footage_find gives) and checks it against
 * the row as edge_footage_verify does, for the scrub (scrub.h). *bytes (may be NULL) gets the
 * frames' bytes read. MM_OK, MM_ECORRUPT, MM_EERASED, MM_EIO (missing or unreadable), logged with
 * the path.
 */
mm_err_t edge_footage_verify_row(const edge_vault_t *v, const edge_segment_row_t *row,
                                 uint64_t *bytes);

/*
 * Writes the frames of camera whose time lies in [start_us, end_us) to out_path as one MP4 (the
 * frames' NAL units as recorded, no re-encoding; only the start codes become lengths and trailing
 * zero bytes, which belong to no NAL unit, are dropped), starting at the last keyframe at or before
 * start_us so that the file plays from its first frame. Timestamps are the frames' recording
 * times on a 1/90000 clock starting at 0 (decode order; display order comes from the frames'
 * camera timestamps). rep->content_hash is the content hash of the frames written: for a range
 * that is exactly one segment it equals that segment's hash in the log.
 *
 * Each segment is read once: it is verified whole before any of its frames is written, and if
 * any fails the export fails with its error (as for verify) and no file is left. Footage whose
 * presentation delay (see footage.c) grows after its first group of pictures, or with more than
 * 64 MiB between keyframes, is read a second time, as edge_footage_mp4_two_passes does, which
 * gives the same bytes; rep->passes says which.
 * The file is written to out_path + ".tmp" (mode 0600) and renamed,
 * not synced (it is a clear temporary that the export reads once and removes; after a crash it
 * is made again); on any failure the temporary file is removed. MM_ENOTFOUND when the range holds
 * no keyframe-led footage, MM_EMEDIA for footage that cannot go into one MP4 track (codec changes
 * within the range, parameter sets not in Annex B form) or a muxer failure, MM_EIO or MM_EFULL
 * when the file cannot be written, MM_EINVAL for bad arguments. Fills rep when not NULL.
 */
mm_err_t edge_footage_mp4(const edge_vault_t *v, const char *camera, int64_t start_us,
                          int64_t end_us, const char *out_path, edge_footage_report_t *rep);

/* edge_footage_mp4 in two passes: every overlapping segment verified first, then read again and
 * written. The same file as edge_footage_mp4 makes; for tests that compare the two. */
mm_err_t edge_footage_mp4_two_passes(const edge_vault_t *v, const char *camera, int64_t start_us,
                                     int64_t end_us, const char *out_path,
                                     edge_footage_report_t *rep);

/* A gap in the recording longer than this counts as this long in a stream (see below). */
#define EDGE_FOOTAGE_GAP_US (5LL * 1000000)

/* Where a stream goes, and how fast. */
typedef struct {
    int fd;    /* a socket or a pipe to a player, blocking or not */
    int speed; /* footage seconds per second of the stream: 1 to 8 */
    /*
     * Waits: with fd >= 0, until fd can take more bytes; with fd < 0, until CLOCK_MONOTONIC
     * reaches until_us (microseconds; a time already past only checks). Returns MM_OK, or an
     * error that ends the stream at once (the viewing was stopped, the viewer went away), which
     * edge_footage_stream then returns. Called from the streaming thread.
     */
    mm_err_t (*wait)(void *arg, int fd, int64_t until_us);
    void *arg;
    /* 0: MPEG-TS. 1: fragmented MP4 for a browser's Media Source Extensions — an init segment
     * (ftyp, moov without samples) and then one fragment (moof, mdat) per frame, flushed as it is
     * due; before each fragment a box of type "uuid" with the user type EDGE_FOOTAGE_UUID and
     * two big-endian 64-bit numbers: the frame's recording time (microseconds since the epoch)
     * and its decode time in the stream (1/90000 s), so that a viewer can tell the footage's time
     * of any moment of the stream (gaps being shortened) without it being burned in. */
    int fmp4;
} edge_footage_sink_t;

/* The user type of a fragmented MP4 stream's time boxes (above): 16 bytes. */
#define EDGE_FOOTAGE_UUID "mimamori-footage"
#define EDGE_FOOTAGE_TIMEBOX 40 /* bytes of one such box */

/*
 * The same frames as edge_footage_mp4, verified the same way first, written as an MPEG-TS
 * stream (or fragmented MP4, sink->fmp4) to sink->fd (a socket or pipe to a player: playback, never
 * a file), paced by the footage's own times: a frame recorded t after the first goes out no sooner
 * than t / speed after the first went out, and its timestamps in the stream are divided by speed
 * too, so that a player shows it at that speed. A gap in the recording (no frame for more than
 * EDGE_FOOTAGE_GAP_US) counts as EDGE_FOOTAGE_GAP_US, in the pacing and in the stream's times:
 * no footage, nothing to pace. sink->wait is asked before each frame and whenever fd is full,
 * and between segments while they are verified. Writing stops at the first failed write:
 * MM_ECLOSED when nobody reads any more (the viewer went away), MM_EMEDIA for another failure,
 * or the error sink->wait returned. *written counts the bytes that went out. MM_EINVAL for a bad
 * sink (no wait, speed outside 1..8).
 */
mm_err_t edge_footage_stream(const edge_vault_t *v, const char *camera, int64_t start_us,
                             int64_t end_us, const edge_footage_sink_t *sink, uint64_t *written,
                             edge_footage_report_t *rep);

/*
 * How a clip file is written, here and by redact.h: edge_footage_tmp_create makes tmp anew, empty,
 * mode 0600 (removing what a failed run left); edge_footage_publish syncs tmp, renames it to
 * out_path and syncs out_path's directory, so the file is durable under its final name. Both log
 * what failed with the path and return MM_EFULL (no space) or MM_EIO; the caller removes tmp.
 */
mm_err_t edge_footage_tmp_create(const char *tmp);
mm_err_t edge_footage_publish(const char *tmp, const char *out_path);

#endif
