/*
 * frametime.h: when a frame was taken, from the camera's own timestamps bounded by the monotonic
 * clock.
 *
 * A frame read from the network is not always a frame just taken: when the edge itself stalls
 * (SIGSTOP, a swapped-out process, a starved CPU) the kernel keeps the camera's frames in the
 * socket's buffer, and they are read together once the edge runs again. Timed by their reading,
 * seconds of footage would be squeezed into a moment. The camera's timestamps (RTP time, the
 * reader's pts) keep their true spacing, but a camera's clock is not ours: it starts anywhere,
 * drifts, and some cameras step or reset it.
 *
 * So a frame's time is the first frame's read time plus the stream's time elapsed since, on the
 * monotonic clock:
 *   - never later than the frame's own read time (a frame is not read before it is taken): a
 *     frame that would be is re-anchored at its read time, which also takes up a camera clock
 *     that runs fast, and the anchor settles on the least-delayed frames;
 *   - never earlier than the frame before it (small steps back, as B-frames' pts make, are held
 *     at the previous time);
 *   - re-anchored at its read time when the stream's timestamps step back by more than a second
 *     or fall behind the read time by more than EDGE_FRAMETIME_MAX_LAG_US (a reset or a
 *     broken clock, not a backlog);
 *   - a camera clock that runs slow is taken up once per EDGE_FRAMETIME_WINDOW_US: when even the
 *     least-delayed frame of the window was read more than EDGE_FRAMETIME_SLACK_US after its
 *     time, the anchor moves forward by that least delay.
 * Without timestamps (rate 0) a frame's time is its read time, never earlier than the last.
 *
 * Pure and single-threaded: one per connection, on the thread that reads it.
 */
#ifndef EDGE_FRAMETIME_H
#define EDGE_FRAMETIME_H

#include <stdint.h>

#define EDGE_FRAMETIME_MAX_LAG_US 30000000LL /* a backlog longer than this is no backlog */
#define EDGE_FRAMETIME_WINDOW_US 10000000LL  /* drift is looked at this often */
#define EDGE_FRAMETIME_SLACK_US 250000LL     /* least delay in a window above this is drift */

typedef struct {
    int anchored;
    int64_t ts0, mono0;   /* the anchor: a stream timestamp and its monotonic time */
    uint32_t rate;        /* the anchor's ticks per second */
    int64_t last_ts;      /* the previous frame's timestamp */
    int64_t last;         /* the previous frame's time */
    int64_t window_start; /* monotonic read time where the drift window began */
    int64_t window_lag;   /* the least (read - time) in the window */
    uint64_t reanchors;   /* how often the anchor was set anew after the first (for tests) */
} edge_frametime_t;

/* A new connection: the next frame anchors. */
void edge_frametime_reset(edge_frametime_t *t);

/* The monotonic time (µs) of a frame with stream timestamp ts (rate ticks a second; 0: none)
 * read at monotonic time mono (see above). */
int64_t edge_frametime_at(edge_frametime_t *t, int64_t ts, uint32_t rate, int64_t mono);

#endif
