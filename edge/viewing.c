/*
 * viewing.c: one viewing on a thread of its own (see viewing.h).
 *
 * The thread blocks only in poll(), on everything that can end the viewing at once: the stop
 * (an eventfd the loop writes), the caller's connection (a hang-up), the player's standard input
 * (its reader gone) and its standard error (read as it comes, so that a chatty player never
 * blocks). The footage module asks it to wait before each frame, until the frame is due, and
 * whenever the descriptor it writes is full (footage.h edge_footage_sink_t); descriptors are
 * non-blocking, so no write can hold the thread past a stop.
 *
 * How it ended is decided once the stream and the player are over, in this order: a stop (the
 * loop's reason), the footage failing (it does not verify, it cannot be remuxed), the player
 * failing (player.h), the viewer going away (the player closed, the caller hung up), finished.
 */
#include "edge/viewing.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/diag.h"
#include "edge/footage.h"
#include "edge/player.h"

#define POLL_MAX_MS 1000 /* no wait lasts longer without looking again */

struct edge_viewing {
    edge_viewing_conf_t conf;
    pthread_t thread;
    int started; /* the thread exists */
    int stop_fd; /* eventfd: readable once stopped */
    int fd;      /* the caller's connection */

    pthread_mutex_t lock; /* guards what follows */
    int done, stop_requested, stop_denied;
    char stop_reason[MM_TEXT_MAX];

    /* the thread's own */
    edge_player_t *player;
    int out_fd; /* the player's standard input, -1 when none */
    int client_gone, player_gone, player_failed_start;
    char start_failure[MM_TEXT_MAX];
    mm_err_t err;
    edge_viewing_result_t res;
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int stopped(edge_viewing_t *vw)
{
    pthread_mutex_lock(&vw->lock);
    int s = vw->stop_requested;
    pthread_mutex_unlock(&vw->lock);
    return s;
}

/* The caller's connection has something to read: nothing is expected, so an end of it is a
 * hang-up and anything else is dropped. */
static void read_caller(edge_viewing_t *vw)
{
    char buf[512];
    ssize_t r = recv(vw->fd, buf, sizeof buf, MSG_DONTWAIT);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        vw->client_gone = 1;
}

/*
 * Waits until fd (>= 0) can be written or, fd < 0, until the monotonic time until_us; MM_OK, or
 * MM_ECLOSED once stopped or once the caller or the player is gone. Drains the player's standard
 * error meanwhile. The footage module's sink wait (footage.h).
 */
static mm_err_t wait_for(void *arg, int fd, int64_t until_us)
{
    edge_viewing_t *vw = arg;
    for (;;) {
        struct pollfd p[4];
        int n = 0, ei = -1, oi = -1;
        p[n++] = (struct pollfd){vw->stop_fd, POLLIN, 0};
        p[n++] =
            (struct pollfd){vw->fd, (short)(POLLIN | POLLRDHUP | (fd == vw->fd ? POLLOUT : 0)), 0};
        if (vw->player && edge_player_err_fd(vw->player) >= 0) {
            ei = n;
            p[n++] = (struct pollfd){edge_player_err_fd(vw->player), POLLIN, 0};
        }
        if (vw->out_fd >= 0) {
            oi = n;
            p[n++] = (struct pollfd){vw->out_fd, (short)(fd == vw->out_fd ? POLLOUT : 0), 0};
        }
        int64_t left = fd >= 0 ? POLL_MAX_MS * 1000LL : until_us - mono_us();
        int timeout = left <= 0                      ? 0
                      : left >= POLL_MAX_MS * 1000LL ? POLL_MAX_MS
                                                     : (int)((left + 999) / 1000);
        int r = poll(p, (nfds_t)n, timeout);
        if (r < 0 && errno != EINTR) {
            MM_ERROR("playback %s: poll: %s", vw->conf.session, strerror(errno));
            return MM_EIO;
        }
        if (r < 0)
            continue;
        if (p[0].revents || stopped(vw))
            return MM_ECLOSED;
        if (p[1].revents & (POLLHUP | POLLERR | POLLRDHUP))
            vw->client_gone = 1;
        else if (p[1].revents & POLLIN)
            read_caller(vw);
        if (vw->client_gone)
            return MM_ECLOSED;
        if (ei >= 0 && p[ei].revents)
            edge_player_drain(vw->player);
        if (oi >= 0 && (p[oi].revents & (POLLERR | POLLHUP))) {
            vw->player_gone = 1;
            return MM_ECLOSED;
        }
        if (fd >= 0 && (p[fd == vw->fd ? 1 : oi].revents & POLLOUT))
            return MM_OK;
        if (fd < 0 && mono_us() >= until_us)
            return MM_OK;
    }
}

/* Whether the other end of fd is gone (a write found nobody reading). */
static int peer_gone(int fd)
{
    struct pollfd p = {fd, POLLOUT, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/* After the stream: the player reads to its end and exits, unless the viewing is stopped or the
 * caller hangs up, which end it. */
static void await_player(edge_viewing_t *vw)
{
    while (!edge_player_exited(vw->player)) {
        if (stopped(vw) || vw->client_gone) {
            edge_player_end(vw->player);
            return;
        }
        struct pollfd p[3] = {{vw->stop_fd, POLLIN, 0},
                              {vw->fd, POLLIN | POLLRDHUP, 0},
                              {edge_player_err_fd(vw->player), POLLIN, 0}};
        int n = p[2].fd >= 0 ? 3 : 2;
        if (poll(p, (nfds_t)n, 100) > 0) {
            if (p[1].revents & (POLLHUP | POLLERR | POLLRDHUP))
                vw->client_gone = 1;
            else if (p[1].revents & POLLIN)
                read_caller(vw);
            if (n == 3 && p[2].revents)
                edge_player_drain(vw->player);
        }
    }
}

static void say(edge_viewing_result_t *res, int failed, const char *reason, const char *failure)
{
    res->failed = failed;
    snprintf(res->reason, sizeof res->reason, "%s", reason);
    snprintf(res->failure, sizeof res->failure, "%s", failure ? failure : "");
}

/* How it ended (see the top of this file). */
static void decide(edge_viewing_t *vw)
{
    edge_viewing_result_t *res = &vw->res;
    char why[MM_TEXT_MAX];
    pthread_mutex_lock(&vw->lock);
    int stop = vw->stop_requested;
    snprintf(why, sizeof why, "%s", vw->stop_reason);
    pthread_mutex_unlock(&vw->lock);
    int gone = vw->client_gone || vw->player_gone;
    if (stop) {
        res->stopped = 1;
        say(res, 0, why, NULL);
    } else if (vw->player_failed_start) {
        say(res, 1, "failed", vw->start_failure);
    } else if ((vw->err == MM_ECORRUPT || vw->err == MM_EIO) && !gone) {
        /* Found on reading before the scrub (scrub.h) logged it: said as search would say it. */
        snprintf(why, sizeof why,
                 "footage in that range is %s: a segment %s its logged content hash (R-K2.2.6d)",
                 vw->err == MM_EIO ? "missing or unreadable" : "altered",
                 vw->err == MM_EIO ? "cannot be read to check" : "does not decrypt to");
        say(res, 1, "failed", why);
    } else if (vw->err != MM_OK && vw->err != MM_ECLOSED && !gone) {
        snprintf(why, sizeof why, "the footage cannot be played: %s", mm_strerror(vw->err));
        say(res, 1, "failed", why);
    } else if (vw->player && edge_player_failed(vw->player, why, sizeof why)) {
        say(res, 1, "failed", why);
    } else if (vw->client_gone) {
        say(res, 0, vw->player ? "the viewer ended the session" : "the viewer closed the stream",
            NULL);
    } else if (vw->player_gone) {
        say(res, 0, "the viewer closed the player", NULL);
    } else {
        say(res, 0, "finished", NULL);
    }
}

static void send_line(edge_viewing_t *vw, json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s)
        return;
    size_t n = strlen(s);
    s[n] = '\n'; /* json_dumps left room for the NUL */
    if (send(vw->fd, s, n + 1, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)(n + 1))
        vw->client_gone = 1;
    free(s);
}

/* The player's viewing ends with a line saying how (viewing.h). */
static void send_end(edge_viewing_t *vw)
{
    const edge_viewing_result_t *r = &vw->res;
    pthread_mutex_lock(&vw->lock);
    int denied = vw->stop_denied;
    pthread_mutex_unlock(&vw->lock);
    int ok = !r->failed && !r->stopped;
    json_t *o = json_pack("{s:b, s:b, s:s, s:s, s:I}", "ended", 1, "ok", ok, "reason", r->reason,
                          "failure", r->failure, "bytes", (json_int_t)r->bytes);
    const char *code = denied                                ? "denied"
                       : r->stopped                          ? "failed"
                       : vw->err == MM_EIO && r->failed      ? "footage_missing"
                       : vw->err == MM_ECORRUPT && r->failed ? "footage_altered"
                                                             : "failed";
    if (o && !ok)
        json_object_set_new(o, "code", json_string(code));
    send_line(vw, o);
}

static void *viewing_main(void *arg)
{
    edge_viewing_t *vw = arg;
    char head[sizeof vw->conf.head + 1];
    int n = vw->conf.head[0] ? snprintf(head, sizeof head, "%s\n", vw->conf.head) : 0;
    if (n && send(vw->fd, head, (size_t)n, MSG_NOSIGNAL) != n)
        vw->client_gone = 1;
    int fl = fcntl(vw->fd, F_GETFL);
    if (fl < 0 || fcntl(vw->fd, F_SETFL, fl | O_NONBLOCK) < 0)
        vw->client_gone = 1;
    if (!vw->client_gone && vw->conf.has_player &&
        edge_player_start(&vw->conf.player, vw->conf.session, &vw->player, &vw->out_fd,
                          vw->start_failure, sizeof vw->start_failure) != MM_OK)
        vw->player_failed_start = 1;
    if (!vw->client_gone && !vw->player_failed_start) {
        edge_footage_sink_t sink = {vw->player ? vw->out_fd : vw->fd, vw->conf.speed, wait_for, vw,
                                    !vw->player && vw->conf.fmp4};
        vw->err = edge_footage_stream(vw->conf.vault, vw->conf.camera, vw->conf.from_us,
                                      vw->conf.to_us, &sink, &vw->res.bytes, NULL);
        if (vw->err != MM_OK && !vw->client_gone && !vw->player_gone) {
            vw->client_gone = !vw->player && peer_gone(vw->fd);
            vw->player_gone = vw->player && peer_gone(vw->out_fd);
        }
    }
    /* Stopped, or nobody watching: the player is ended before its stream is, so that what it
     * shows ends now, whatever it does at the end of its input. */
    if (vw->player && (stopped(vw) || vw->client_gone))
        edge_player_end(vw->player);
    if (vw->out_fd >= 0) {
        close(vw->out_fd); /* the end of the stream, for the player */
        vw->out_fd = -1;
    }
    if (vw->player)
        await_player(vw);
    decide(vw);
    if (vw->conf.has_player)
        send_end(vw);
    /* Done before the client sees the end: one who starts another playback at once is not
     * refused for this one (a person's playbacks run at most 8x together). The loop joins this
     * thread before it closes fd. */
    pthread_mutex_lock(&vw->lock);
    vw->done = 1;
    pthread_mutex_unlock(&vw->lock);
    shutdown(vw->fd, SHUT_RDWR);
    vw->conf.done(vw->conf.arg);
    return NULL;
}

mm_err_t edge_viewing_start(const edge_viewing_conf_t *conf, int fd, edge_viewing_t **out)
{
    *out = NULL;
    edge_viewing_t *vw = calloc(1, sizeof *vw);
    if (!vw) {
        close(fd);
        return MM_ENOMEM;
    }
    vw->conf = *conf;
    vw->fd = fd;
    vw->out_fd = -1;
    vw->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (vw->stop_fd < 0 || pthread_mutex_init(&vw->lock, NULL) != 0) {
        MM_ERROR("playback %s: cannot set up the viewing: %s", conf->session, strerror(errno));
        if (vw->stop_fd >= 0)
            close(vw->stop_fd);
        close(fd);
        free(vw);
        return MM_EIO;
    }
    if (pthread_create(&vw->thread, NULL, viewing_main, vw) != 0) {
        MM_ERROR("playback %s: cannot start its thread", conf->session);
        edge_viewing_destroy(vw);
        return MM_ENOMEM;
    }
    vw->started = 1;
    *out = vw;
    return MM_OK;
}

void edge_viewing_stop(edge_viewing_t *vw, int denied, const char *reason)
{
    pthread_mutex_lock(&vw->lock);
    if (!vw->stop_requested) {
        vw->stop_requested = 1;
        vw->stop_denied = denied;
        snprintf(vw->stop_reason, sizeof vw->stop_reason, "%s", reason);
    }
    pthread_mutex_unlock(&vw->lock);
    uint64_t one = 1;
    if (write(vw->stop_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        MM_ERROR("playback %s: cannot signal the stop: %s", vw->conf.session, strerror(errno));
}

int edge_viewing_done(edge_viewing_t *vw)
{
    pthread_mutex_lock(&vw->lock);
    int d = vw->done;
    pthread_mutex_unlock(&vw->lock);
    return d;
}

void edge_viewing_join(edge_viewing_t *vw, edge_viewing_result_t *res)
{
    if (vw->started) {
        pthread_join(vw->thread, NULL);
        vw->started = 0;
    }
    *res = vw->res;
}

void edge_viewing_destroy(edge_viewing_t *vw)
{
    if (!vw)
        return;
    if (vw->started)
        pthread_join(vw->thread, NULL);
    edge_player_destroy(vw->player);
    if (vw->out_fd >= 0)
        close(vw->out_fd);
    close(vw->fd);
    close(vw->stop_fd);
    pthread_mutex_destroy(&vw->lock);
    free(vw);
}
