/*
 * zloop.h: a ZeroMQ socket driven by a libuv loop.
 *
 * ZeroMQ exposes readiness through ZMQ_FD, which is edge-triggered and only says "look at
 * ZMQ_EVENTS". So after every wake-up, and after every send (a send can consume the edge), this
 * module reads ZMQ_EVENTS and receives until EAGAIN. A uv_check handle repeats that check after
 * each loop turn, which catches events that arrived while callbacks ran (libzmq #1434). One
 * wake-up receives at most 256 messages and stops after about 5 ms of callbacks; a uv_idle handle
 * then turns the loop again at once for the rest, so the loop's other handles (an HTTP server's
 * sockets) are served between.
 *
 * The loop thread is the only thread that touches the socket.
 */
#ifndef MM_ZLOOP_H
#define MM_ZLOOP_H

#include <stddef.h>
#include <uv.h>
#include <zmq.h>

#include "common/err.h"

#define MM_ZMSG_MAX_PARTS 8 /* a ZAP request has 7 */

/* One multi-part message. Parts are closed by this module after the callback returns. */
typedef struct {
    size_t n;
    zmq_msg_t parts[MM_ZMSG_MAX_PARTS];
    size_t beyond;       /* parts after the first MM_ZMSG_MAX_PARTS (mm_zsock_deliver_long) */
    size_t beyond_bytes; /* and their bytes (those parts are closed) */
} mm_zmsg_t;

typedef struct mm_zsock mm_zsock_t;

/* Called on the loop thread for each message received. Messages with more than
 * MM_ZMSG_MAX_PARTS parts are dropped with a warning (unless mm_zsock_deliver_long). */
typedef void (*mm_zsock_recv_cb)(mm_zsock_t *zs, mm_zmsg_t *msg, void *arg);

/*
 * Starts polling socket (borrowed: it must stay open until the close callback has run) on loop.
 * Returns MM_OK, MM_ENOMEM, MM_ENET (ZMQ_FD unavailable) or MM_EIO (libuv).
 */
mm_err_t mm_zsock_create(uv_loop_t *loop, void *socket, mm_zsock_recv_cb cb, void *arg,
                         mm_zsock_t **out);

/* From now on a message with more than MM_ZMSG_MAX_PARTS parts is delivered with its first
 * MM_ZMSG_MAX_PARTS parts and msg->beyond counting the others (received and closed), so that the
 * callback can say who sent it, instead of being dropped with a warning. */
void mm_zsock_deliver_long(mm_zsock_t *zs);

/*
 * Sends n parts without blocking. Returns MM_OK; MM_EAGAIN when the message cannot be queued now
 * (high-water mark, or no connected peer with ZMQ_IMMEDIATE); MM_ENOTFOUND when a ROUTER with
 * ZMQ_ROUTER_MANDATORY has no such peer; MM_ENET otherwise.
 */
mm_err_t mm_zsock_send(mm_zsock_t *zs, const void *const *parts, const size_t *lens, size_t n);

/*
 * Stops polling and frees zs once libuv has closed its handles, then calls done(arg) (may be
 * NULL). Does not close the ZeroMQ socket. Accepts NULL.
 */
void mm_zsock_close(mm_zsock_t *zs, void (*done)(void *arg), void *arg);

#endif
