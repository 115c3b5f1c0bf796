/*
 * readers.h: a small pool of reader threads for our own RTSP client (edge/rtsp.h) — each an
 * epoll loop over many cameras' sockets, never a thread per camera.
 *
 * A camera is given to one thread (in turn) when it is added. Its thread connects it, steps its
 * session when the socket is ready or a deadline (keep-alive, read deadline) comes, and when the
 * session ends reconnects after a backoff of 0.5 s doubling to 10 s (back to 0.5 s after a
 * session that brought frames). Pausing a camera closes its session and opens none until it is
 * resumed, when it connects at once. The frame and ended callbacks run on the camera's reader
 * thread; they must not block for long, since the thread's other cameras wait meanwhile.
 */
#ifndef EDGE_READERS_H
#define EDGE_READERS_H

#include <stddef.h>

#include "common/err.h"
#include "edge/rtsp.h"

#define EDGE_READERS_MAX 4 /* threads */

typedef struct {
    /* Reader thread: one access unit of the camera. Nonzero ends the session. */
    int (*frame)(void *arg, const edge_rtsp_stream_t *st, const edge_rtp_frame_t *f);
    /* Reader thread: the camera's session ended, or could not start (err, why for a person);
     * also when it is paused or the pool stops while a session is open. */
    void (*ended)(void *arg, mm_err_t err, const char *why);
} edge_reader_fns_t;

typedef struct edge_readers edge_readers_t;

/* A pool of threads (0: as many as the cores, at most EDGE_READERS_MAX). Nothing runs yet. */
mm_err_t edge_readers_create(size_t threads, edge_readers_t **out);

/* Adds a camera before start (id and url copied; url is not shown in logs, common/redact.h).
 * Its index, for pause, in *idx. */
mm_err_t edge_readers_add(edge_readers_t *r, const char *id, const char *url,
                          const edge_reader_fns_t *fns, void *arg, size_t *idx);

/* Starts the threads. */
mm_err_t edge_readers_start(edge_readers_t *r);

/* Pauses (1) or resumes (0) camera idx. Any thread; takes effect on its reader thread soon. */
void edge_readers_pause(edge_readers_t *r, size_t idx, int paused);

/* The number of threads. */
size_t edge_readers_threads(const edge_readers_t *r);

/* Closes every session (ended is called for each open one) and joins the threads. Call once. */
void edge_readers_stop(edge_readers_t *r);

/* Frees r (after stop, or when never started). Accepts NULL. */
void edge_readers_destroy(edge_readers_t *r);

#endif
