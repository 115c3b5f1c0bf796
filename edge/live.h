/*
 * live.h: cameras watched live — per camera, the viewers, one fragmented-MP4 muxer
 * (livemux.h) whose bytes go to all of them, and nothing on disk.
 *
 * The frames come from the recording's own connection (ingest.h's tap): a camera is read once
 * however many watch it, and only while someone does. The tap copies each frame into a bounded
 * queue per camera (EDGE_LIVE_QUEUE_FRAMES frames, EDGE_LIVE_QUEUE_BYTES bytes; past it frames
 * are dropped and the stream resumes at the next keyframe) and wakes the loop (uv_async), where
 * the frames are muxed and handed out. A new viewer gets the init segment and the current GOP
 * from its keyframe (kept up to EDGE_LIVE_GOP_BYTES; else it starts at the next keyframe); a
 * viewer whose queue passes EDGE_LIVE_BEHIND_BYTES drops to the next keyframe.
 *
 * Who may watch is not decided here (console_live.c does, ops_live.h logs it).
 * Everything but the tap runs on the loop thread.
 */
#ifndef EDGE_LIVE_H
#define EDGE_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "edge/ingest.h"

#define EDGE_LIVE_QUEUE_FRAMES 120
#define EDGE_LIVE_QUEUE_BYTES (16 * 1024 * 1024)
#define EDGE_LIVE_GOP_BYTES (8 * 1024 * 1024)
#define EDGE_LIVE_BEHIND_BYTES (1024 * 1024)

typedef struct edge_live edge_live_t;
typedef struct edge_live_sub edge_live_sub_t;

/* A viewer's side. Neither callback may unsubscribe. */
typedef struct {
    /* The stream can start: its codec (as MSE names it), size and the wall-clock time (µs) its
     * track time 0 stands for; the init segment follows through write. Returns 0, or -1 when the
     * viewer is gone (it is then not called again). */
    int (*ready)(void *arg, const char *codec, int width, int height, int64_t epoch_us);
    /* Bytes for the viewer: returns the bytes it has queued, or -1 once it is gone. */
    long (*write)(void *arg, const uint8_t *buf, size_t len);
    void *arg;
} edge_live_viewer_t;

/* Live view of in's n cameras (the configuration's order) on loop. NULL when out of memory. */
edge_live_t *edge_live_create(uv_loop_t *loop, edge_ingest_t *in, size_t n);
/* A viewer of camera (index); NULL when out of memory or no such camera. */
edge_live_sub_t *edge_live_subscribe(edge_live_t *lv, size_t camera, const edge_live_viewer_t *v);
/* Bytes handed to the viewer so far. */
uint64_t edge_live_bytes(const edge_live_sub_t *s);
/* Frames (fragments) handed to the viewer so far. */
uint64_t edge_live_frames(const edge_live_sub_t *s);
/* Ends a viewer; its callbacks are not called again. */
void edge_live_unsubscribe(edge_live_sub_t *s);
/* Removes the tap and frees lv once libuv has closed its handle (every viewer unsubscribed
 * first). Accepts NULL. */
void edge_live_close(edge_live_t *lv);

#endif
