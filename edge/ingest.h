/*
 * ingest.h: recording cameras — RTSP in, segment files out.
 *
 * A camera is read over RTSP/TCP without transcoding by our own client (edge/rtsp.h) on a small
 * pool of reader threads (edge/readers.h: each an epoll loop over many cameras), or, with
 * libav set (camera key "rtsp_client": "libav"; always for rtsps://), by libavformat on a thread
 * of its own, with a socket timeout and an interrupt callback. Either gives up on a camera
 * silent for 10 s (so stopping never waits on the network), reconnects with capped
 * exponential backoff (0.5 s doubling to 10 s), and the recorder cuts a new segment at the first
 * keyframe after the target length. H.264 and H.265 are recorded; anything else is refused with
 * a message. A frame's time is when it was taken: its read time on the monotonic clock, corrected
 * by the camera's own timestamps (frametime.h: frames read late together after the edge stalled
 * keep their spacing; none is later than its reading), mapped to wall time by one mm_wallmap_t for
 * all cameras (common/clock.h), so that within a segment frame times advance as the monotonic
 * clock does. A step of the wall clock beyond the bound (jump_us) is reported once (the
 * clock_jumped hook) and cuts every segment in progress at its last frame before the step; the
 * next begins at a keyframe after it. The camera's own presentation time is kept beside each
 * frame for reference.
 *
 * Gaps. Every break in a camera's recording is reported when it ends, with its exact bounds:
 * from the time of the last frame written before it to the first frame written after it. A
 * break is a lost connection, a stall of more than EDGE_GAP_US between frames' times (on the
 * monotonic clock: a jump of the wall clock is no stall, and a gap is as long as it truly was), a
 * write that failed (disk full), a pause (edge_ingest_pause), or, for the first frame after
 * start, the time since last_seen_us, when the edge itself was not recording. A gap still open
 * when the edge stops is reported at the next start through last_seen_us.
 *
 * Events (finished segments, gaps, a full disk) are handed to the libuv loop thread
 * (uv_async_send), where the hooks run. The key hook runs on the camera's thread (its reader
 * thread, or its libav thread).
 *
 * A tap (edge_ingest_tap) sees every video frame read, on the camera's thread, as it is read:
 * the live view (live.h) takes its frames from the same connection as the recording, so that a
 * camera is read once however many watch it.
 */
#ifndef EDGE_INGEST_H
#define EDGE_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "common/clock.h"
#include "common/entry.h"
#include "common/err.h"
#include "edge/segment.h"

#define EDGE_GAP_US 2000000 /* frames further apart than this are a gap */

typedef struct {
    const char *id;         /* camera id */
    const char *url;        /* rtsp://... */
    const char *dir;        /* where its segment files go (exists) */
    int segment_seconds;    /* target length */
    int64_t last_seen_us;   /* end of its last recorded segment before this start, or 0 */
    int libav;              /* read by libavformat on a thread of its own, not our client */
} edge_camera_conf_t;

typedef struct {
    /* Loop thread: a finished segment. */
    void (*segment)(void *arg, const edge_segment_info_t *info);
    /* Loop thread: a gap that has ended. */
    void (*gap)(void *arg, const mm_camera_gap_t *gap);
    /* Loop thread: a write of camera failed for lack of space. */
    void (*disk_full)(void *arg, const char *camera);
    /* Loop thread: the wall clock jumped (once per jump). */
    void (*clock_jumped)(void *arg, const mm_clock_jump_t *jump);
    /*
     * Camera thread: a new segment's key. Fills epoch, salt and key for (camera, start_us).
     * An error stops that segment from starting (the camera backs off and retries).
     */
    mm_err_t (*key)(void *arg, const char *camera, int64_t start_us, int64_t *epoch,
                    uint8_t salt[EDGE_SEG_SALT_LEN], uint8_t key[EDGE_SEG_KEY_LEN]);
    void *arg;
    int64_t jump_us; /* the bound of a jump of the wall clock; 0: MM_CLOCK_JUMP_US */
} edge_ingest_hooks_t;

typedef struct edge_ingest edge_ingest_t;

/* A frame as read, for a tap: valid only during the call. */
typedef struct {
    size_t camera;       /* index in the configuration's order */
    const char *codec;   /* "h264" or "hevc" */
    const uint8_t *data; /* the frame's NAL units, Annex B as the RTSP reader gives */
    size_t len;
    int key;                  /* a keyframe */
    int64_t time_us;          /* wall clock at receipt: the frame's recording time */
    int64_t pts;              /* the camera's presentation time, in its time base */
    const uint8_t *extradata; /* the stream's parameter sets as the reader found them (SPS,
                                 PPS, VPS; Annex B or avcC/hvcC), may be empty */
    size_t extradata_len;
    int width, height;
} edge_tap_frame_t;

/* Called on the camera's thread for each video frame; must be quick (copy and go). */
typedef void (*edge_ingest_tap_fn)(void *arg, const edge_tap_frame_t *f);

/* Prepares recording of n cameras (configuration and hooks are copied). Nothing starts yet. */
mm_err_t edge_ingest_create(uv_loop_t *loop, const edge_camera_conf_t *cams, size_t n,
                            const edge_ingest_hooks_t *hooks, edge_ingest_t **out);

/* Starts the reader threads, and a thread per camera read by libav. */
mm_err_t edge_ingest_start(edge_ingest_t *in);

/*
 * Pauses one camera: its thread finishes the open segment and disconnects, and records nothing
 * until resumed; the time in between is a gap with the reason given. Resume reconnects at once.
 * No frame is written with a time later than the call: one read before it may still be written,
 * none read after. So an entry timed after the call (a suspension, an abolition) comes after the
 * camera's last frame. MM_ENOTFOUND for an unknown camera. Any thread.
 */
mm_err_t edge_ingest_pause(edge_ingest_t *in, const char *camera, const char *reason);
mm_err_t edge_ingest_resume(edge_ingest_t *in, const char *camera);
/* Whether the camera is paused, and why (into reason, cap bytes, when reason is not NULL). */
int edge_ingest_paused(edge_ingest_t *in, const char *camera, char *reason, size_t cap);

/* When (mm_now_us) the camera's last frame was written in this run; 0 before its first, or for
 * an unknown camera. Any thread (alerts.h reads it on the loop). */
int64_t edge_ingest_last_frame(edge_ingest_t *in, const char *camera);
/* Sets (fn NULL: removes) the tap. Any thread; once it returns, the old tap is not running and
 * is not called again. */
void edge_ingest_tap(edge_ingest_t *in, edge_ingest_tap_fn fn, void *arg);

/*
 * On the loop thread: stops every thread (they finish their open segments), delivers every
 * event not yet delivered, and closes the loop handle. Call once.
 */
void edge_ingest_stop(edge_ingest_t *in);

/* Frees in after the loop has run its close callbacks. Accepts NULL. */
void edge_ingest_destroy(edge_ingest_t *in);

#endif
