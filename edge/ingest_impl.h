/*
 * ingest_impl.h: what the recorder's parts share (ingest.h is the outside's view).
 *
 * ingest.c does what each frame asks whatever reads it — gaps, stalls, jumps of the clock,
 * segment cuts, the tap, the write (ingest_frame) — and the events, pauses and the API. Two
 * sources feed it, one per camera: ingest_own.c, our RTSP client on the reader pool
 * (readers.h), and ingest_libav.c, libavformat on a thread of the camera's own (the fallback,
 * camera key "rtsp_client": "libav"). A camera's frames come from one thread at a time, so its
 * session state needs no lock.
 */
#ifndef EDGE_INGEST_IMPL_H
#define EDGE_INGEST_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/clock.h"
#include "edge/frametime.h"
#include "edge/ingest.h"
#include "edge/readers.h"

#define INGEST_BACKOFF_MIN_MS 500
#define INGEST_BACKOFF_MAX_MS 10000

typedef struct event_s event_t;

typedef struct {
    struct edge_ingest *in;
    char *id, *url, *dir;
    char *shown; /* url as logs show it: its password and query hidden (redact.h) */
    int segment_seconds;
    int libav;     /* read by libavformat on a thread of its own (else by the reader pool) */
    size_t reader; /* its index in the reader pool */
    pthread_t thread;
    int started;
    int64_t deadline_us; /* libav: monotonic; av_read_frame gives up after it */
    /* the session, on the camera's (reader) thread only */
    edge_segment_writer_t *w; /* the open segment */
    int64_t seg_start;        /* its start */
    int in_session;           /* own: a frame came in this session */
    int wrote;                /* a frame was written in this session */
    int waiting_params;       /* own: keyframes without parameter sets were skipped */
    /* gap bookkeeping, camera thread only */
    int64_t last_frame_us;   /* time of the last frame written, 0 before the first */
    int64_t last_frame_mono; /* its monotonic time, 0 before the first of this run */
    uint64_t seg_jumps;      /* the clock's jumps when the open segment started */
    uint64_t frame_jumps;    /* the clock's jumps at the last frame written */
    edge_frametime_t ft;     /* frame times of the session (frametime.h) */
    int broken;              /* a break happened since last_frame_us */
    char why[MM_TEXT_MAX];   /* what the break was */
    _Atomic int64_t seen_us; /* the last frame written in this run, for alerts (any thread) */
    /* pause, under in->lock */
    int paused;
    char pause_reason[MM_TEXT_MAX];
} camera_t;

struct edge_ingest {
    uv_loop_t *loop;
    uv_async_t async;
    edge_ingest_hooks_t hooks;
    atomic_int stop;
    pthread_mutex_t lock;
    pthread_cond_t wake;      /* backoff sleeps and pauses wake on stop and resume */
    event_t *head, *tail;     /* events for the loop, under lock */
    pthread_mutex_t tap_lock; /* held while the tap runs */
    edge_ingest_tap_fn tap;   /* under tap_lock */
    void *tap_arg;
    size_t n;
    camera_t *cams;
    edge_readers_t *readers;    /* NULL when every camera is read by libav */
    pthread_mutex_t clock_lock; /* the wall time of every camera, one mapping (clock.h) */
    mm_wallmap_t clock;
    int64_t jump_us;
};

/* A frame as a source read it. */
typedef struct {
    const char *codec;   /* "h264" or "hevc" */
    const uint8_t *data; /* Annex B */
    size_t len;
    int key;
    int64_t ts;               /* the stream's timestamp of the frame ... */
    uint32_t rate;            /* ... in ticks of this many a second; 0: none (frametime.h) */
    int64_t pts;              /* the camera's presentation time, kept beside the frame */
    const uint8_t *extradata; /* the parameter sets as the source found them; may be empty */
    size_t extradata_len;
    int width, height;
} ingest_frame_t;

/* A new connection of c: frame times anchor anew; nothing written in it yet. */
void ingest_session_begin(camera_t *c);

/* One frame of c, just read: the tap sees it, then it is timed and written (or waits for a
 * keyframe). MM_OK, or the error of a write that failed (the session should end). */
mm_err_t ingest_frame(camera_t *c, const ingest_frame_t *f);

/* c's connection ended: the open segment ends at the last frame written. */
void ingest_session_end(camera_t *c);

/* Notes a break in recording; the first reason given since the last frame is kept. */
void ingest_note_break(camera_t *c, const char *what, const char *detail);

/* Whether c is paused; its reason copied into reason (cap bytes) when it is. */
int ingest_paused(camera_t *c, char *reason, size_t cap);

/* ingest_libav.c: starts the thread of a camera read by libavformat (c->started set). */
mm_err_t ingest_libav_start(camera_t *c);

/* ingest_own.c: adds camera c to the reader pool (before it starts). */
mm_err_t ingest_own_add(edge_readers_t *r, camera_t *c);

#endif
