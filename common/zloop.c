/*
 * zloop.c: a ZeroMQ socket driven by a libuv loop (see zloop.h).
 */
#include "common/zloop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"

/* The most messages, and about the most time, one drain spends before the loop goes on (what
 * is left is drained in the next turn, which the idle handle makes come at once): a flood of
 * large messages whose handling writes to disk (an export's chunks at the hub) cannot keep the
 * loop's other sockets (the API's) waiting for more than about this. */
#define DRAIN_MAX_MSGS 256
#define DRAIN_MAX_NS (5u * 1000 * 1000)

struct mm_zsock {
    uv_poll_t poll;
    uv_check_t check;
    uv_idle_t idle; /* running while a drain stopped with messages left */
    void *socket;
    mm_zsock_recv_cb cb;
    void *arg;
    int closing;
    int draining; /* set while drain() runs, so a send from a callback does not re-enter */
    int open_handles;
    int deliver_long; /* mm_zsock_deliver_long: long messages are cut short, not dropped */
    void (*done)(void *);
    void *done_arg;
};

/* Receives one whole message; returns 1 when one was delivered, 0 on EAGAIN, -1 on error. */
static int recv_one(mm_zsock_t *zs)
{
    mm_zmsg_t msg = {0};
    int more = 1;
    int dropped = 0;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, zs->socket, msg.n == 0 && !dropped ? ZMQ_DONTWAIT : 0) < 0) {
            int e = zmq_errno();
            zmq_msg_close(&part);
            for (size_t i = 0; i < msg.n; i++)
                zmq_msg_close(&msg.parts[i]);
            if (e == EAGAIN)
                return 0;
            if (e != ETERM)
                MM_WARN("zmq receive failed: %s", zmq_strerror(e));
            return -1;
        }
        more = zmq_msg_more(&part);
        if (msg.n < MM_ZMSG_MAX_PARTS && !dropped) {
            msg.parts[msg.n++] = part;
        } else if (zs->deliver_long) {
            msg.beyond++;
            msg.beyond_bytes += zmq_msg_size(&part);
            zmq_msg_close(&part);
        } else {
            zmq_msg_close(&part);
            if (!dropped)
                MM_WARN("dropping a message with more than %d parts", MM_ZMSG_MAX_PARTS);
            dropped = 1;
        }
    }
    if (!dropped)
        zs->cb(zs, &msg, zs->arg);
    for (size_t i = 0; i < msg.n; i++)
        zmq_msg_close(&msg.parts[i]);
    return 1;
}

static void on_idle(uv_idle_t *h);

/* Reads ZMQ_EVENTS and receives until the socket has nothing more, or the budget above is spent. */
static void drain(mm_zsock_t *zs)
{
    if (zs->draining)
        return;
    zs->draining = 1;
    /* Bound the work per wake-up so a flood cannot starve the rest of the loop. What is left
     * raises no new edge on ZMQ_FD, so the idle handle keeps the loop turning (its poll does not
     * block) until a drain finds the socket empty. */
    uint64_t t0 = uv_hrtime();
    int left = 0;
    for (int budget = DRAIN_MAX_MSGS; !zs->closing; budget--) {
        int events = 0;
        size_t len = sizeof events;
        if (zmq_getsockopt(zs->socket, ZMQ_EVENTS, &events, &len) != 0)
            break;
        if (!(events & ZMQ_POLLIN))
            break;
        if (budget == 0 || uv_hrtime() - t0 > DRAIN_MAX_NS) {
            left = 1;
            break;
        }
        if (recv_one(zs) <= 0)
            break;
    }
    if (!zs->closing) {
        if (left)
            uv_idle_start(&zs->idle, on_idle);
        else
            uv_idle_stop(&zs->idle);
    }
    zs->draining = 0;
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    (void)events;
    mm_zsock_t *zs = h->data;
    if (status < 0)
        MM_WARN("zmq poll: %s", uv_strerror(status));
    drain(zs);
}

static void on_check(uv_check_t *h)
{
    drain(h->data);
}

static void on_idle(uv_idle_t *h)
{
    drain(h->data);
}

mm_err_t mm_zsock_create(uv_loop_t *loop, void *socket, mm_zsock_recv_cb cb, void *arg,
                         mm_zsock_t **out)
{
    int fd;
    size_t len = sizeof fd;
    if (zmq_getsockopt(socket, ZMQ_FD, &fd, &len) != 0)
        return MM_ENET;
    mm_zsock_t *zs = calloc(1, sizeof *zs);
    if (!zs)
        return MM_ENOMEM;
    zs->socket = socket;
    zs->cb = cb;
    zs->arg = arg;
    if (uv_poll_init(loop, &zs->poll, fd) != 0) {
        free(zs);
        return MM_EIO;
    }
    zs->poll.data = zs;
    uv_check_init(loop, &zs->check);
    zs->check.data = zs;
    uv_idle_init(loop, &zs->idle);
    zs->idle.data = zs;
    zs->open_handles = 3;
    uv_poll_start(&zs->poll, UV_READABLE, on_poll);
    uv_check_start(&zs->check, on_check);
    *out = zs;
    return MM_OK;
}

mm_err_t mm_zsock_send(mm_zsock_t *zs, const void *const *parts, const size_t *lens, size_t n)
{
    mm_err_t err = MM_OK;
    for (size_t i = 0; i < n; i++) {
        int flags = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);
        if (zmq_send(zs->socket, parts[i], lens[i], flags) < 0) {
            int e = zmq_errno();
            /* A multi-part message is atomic: a failure on the first part sends nothing, and
             * later parts of an accepted first part do not fail with EAGAIN. */
            if (e == EAGAIN)
                err = MM_EAGAIN;
            else if (e == EHOSTUNREACH)
                err = MM_ENOTFOUND;
            else
                err = MM_ENET;
            break;
        }
    }
    /* A send can consume the ZMQ_FD edge that announced pending input. */
    drain(zs);
    return err;
}

static void on_closed(uv_handle_t *h)
{
    mm_zsock_t *zs = h->data;
    if (--zs->open_handles == 0) {
        void (*done)(void *) = zs->done;
        void *arg = zs->done_arg;
        free(zs);
        if (done)
            done(arg);
    }
}

void mm_zsock_close(mm_zsock_t *zs, void (*done)(void *arg), void *arg)
{
    if (!zs)
        return;
    zs->closing = 1;
    zs->done = done;
    zs->done_arg = arg;
    uv_close((uv_handle_t *)&zs->poll, on_closed);
    uv_close((uv_handle_t *)&zs->check, on_closed);
    uv_close((uv_handle_t *)&zs->idle, on_closed);
}

void mm_zsock_deliver_long(mm_zsock_t *zs)
{
    zs->deliver_long = 1;
}
