/*
 * readers.c: reader threads, each an epoll loop over its cameras' RTSP sessions (see readers.h).
 *
 * A thread's cameras are its own: only it touches their sessions. Other threads reach a camera
 * through its atomic pause flag and the thread's eventfd, which wakes the loop to look.
 */
#include "edge/readers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/redact.h"

#define BACKOFF_MIN_US 500000
#define BACKOFF_MAX_US 10000000
#define MAX_EVENTS 64

typedef struct thread_s thread_t;

typedef struct {
    char *id, *url;
    char *shown; /* url as logs show it (redact.h) */
    edge_reader_fns_t fns;
    void *arg;
    thread_t *th;
    atomic_int paused;
    /* reader thread only */
    edge_rtsp_t *rtsp;
    uint32_t events;  /* as registered with epoll */
    int fd;           /* the descriptor registered (the session's changes once: rtsp.h) */
    int got;          /* frames came in this session */
    int64_t retry_at; /* monotonic: when to connect (no session open) */
    int64_t backoff;
} cam_t;

struct thread_s {
    edge_readers_t *r;
    pthread_t thread;
    int started;
    int ep, wake;
    int64_t next; /* monotonic: when a camera's timer is next due (reconnect, deadline) */
    size_t n, cap;
    cam_t **cams;
};

struct edge_readers {
    atomic_int stop;
    size_t n_threads;
    thread_t threads[EDGE_READERS_MAX];
    size_t n, cap;
    cam_t **cams;
};

static int on_frame(void *arg, const edge_rtsp_stream_t *st, const edge_rtp_frame_t *f)
{
    cam_t *c = arg;
    c->got = 1;
    return c->fns.frame(c->arg, st, f);
}

/* Ends c's session (if any) with err and why; schedules the reconnect. */
static void end_session(cam_t *c, mm_err_t err, const char *why, int64_t now)
{
    if (c->rtsp) {
        epoll_ctl(c->th->ep, EPOLL_CTL_DEL, edge_rtsp_fd(c->rtsp), NULL);
        edge_rtsp_close(c->rtsp);
        c->rtsp = NULL;
    }
    int got = c->got;
    if (got)
        c->backoff = BACKOFF_MIN_US;
    c->got = 0;
    c->fns.ended(c->arg, err, why);
    if (atomic_load(&c->paused) || atomic_load(&c->th->r->stop))
        return;
    char clean[MM_REDACT_MAX];
    mm_redact(why, clean, sizeof clean);
    if (got)
        MM_WARN("%s: camera down (%s); reconnecting in %lld ms", c->id, clean,
                (long long)(c->backoff / 1000));
    else
        MM_WARN("%s: cannot open %s: %s; trying again in %lld ms", c->id, c->shown, clean,
                (long long)(c->backoff / 1000));
    c->retry_at = now + c->backoff;
    if (c->retry_at < c->th->next)
        c->th->next = c->retry_at;
    c->backoff = c->backoff * 2 > BACKOFF_MAX_US ? BACKOFF_MAX_US : c->backoff * 2;
}

/* Registers the session's descriptor and events with epoll, or brings them up to date. */
static int watch(cam_t *c)
{
    uint32_t ev = edge_rtsp_events(c->rtsp);
    int fd = edge_rtsp_fd(c->rtsp);
    if (ev == c->events && fd == c->fd)
        return 0;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    int rc = epoll_ctl(c->th->ep, fd == c->fd ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &e);
    c->events = ev;
    c->fd = fd;
    return rc;
}

static void open_session(cam_t *c, int64_t now)
{
    char why[256];
    mm_err_t err = edge_rtsp_open(c->url, now, on_frame, c, &c->rtsp, why, sizeof why);
    if (err == MM_OK) {
        c->events = 0;
        c->fd = -1;
        if (watch(c) != 0) {
            err = MM_ENET;
            snprintf(why, sizeof why, "cannot watch the camera's socket");
        }
    } else {
        c->rtsp = NULL;
    }
    if (err != MM_OK)
        end_session(c, err, why, now);
}

static void step(cam_t *c, int64_t now)
{
    char why[256];
    mm_err_t err = edge_rtsp_step(c->rtsp, now, why, sizeof why);
    if (err == MM_OK && watch(c) != 0) {
        err = MM_ENET;
        snprintf(why, sizeof why, "cannot watch the camera's socket");
    }
    if (err != MM_OK)
        end_session(c, err, why, now);
}

/* Timers and pauses of every camera of t; returns the next time anything is due. */
static int64_t scan(thread_t *t, int64_t now)
{
    int64_t next = now + 1000000;
    for (size_t i = 0; i < t->n; i++) {
        cam_t *c = t->cams[i];
        int paused = atomic_load(&c->paused);
        if (c->rtsp && paused)
            end_session(c, MM_ECLOSED, "paused", now);
        if (!c->rtsp && paused) { /* on resume, connect at once */
            c->retry_at = 0;
            c->backoff = BACKOFF_MIN_US;
        } else if (c->rtsp && now >= edge_rtsp_deadline(c->rtsp))
            step(c, now);
        else if (!c->rtsp && !paused && now >= c->retry_at)
            open_session(c, now);
        int64_t due = c->rtsp ? edge_rtsp_deadline(c->rtsp) : paused ? next : c->retry_at;
        if (due < next)
            next = due;
    }
    return next;
}

static void *run(void *arg)
{
    thread_t *t = arg;
    struct epoll_event evs[MAX_EVENTS];
    t->next = 0;
    while (!atomic_load(&t->r->stop)) {
        int64_t now = mm_mono_us();
        if (now >= t->next)
            t->next = scan(t, now);
        int64_t wait_ms = (t->next - now + 999) / 1000;
        int n = epoll_wait(t->ep, evs, MAX_EVENTS, (int)(wait_ms < 0 ? 0 : wait_ms));
        now = mm_mono_us();
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == t) {
                uint64_t v;
                (void)!read(t->wake, &v, sizeof v);
                t->next = 0; /* a pause or resume: look at every camera */
                continue;
            }
            cam_t *c = evs[i].data.ptr;
            if (c->rtsp)
                step(c, now);
        }
    }
    for (size_t i = 0; i < t->n; i++)
        if (t->cams[i]->rtsp)
            end_session(t->cams[i], MM_ECLOSED, "the edge is stopping", mm_mono_us());
    return NULL;
}

mm_err_t edge_readers_create(size_t threads, edge_readers_t **out)
{
    if (threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 ? (size_t)cores : 1;
    }
    if (threads > EDGE_READERS_MAX)
        threads = EDGE_READERS_MAX;
    edge_readers_t *r = calloc(1, sizeof *r);
    if (!r)
        return MM_ENOMEM;
    atomic_init(&r->stop, 0);
    r->n_threads = threads;
    for (size_t i = 0; i < threads; i++) {
        thread_t *t = &r->threads[i];
        t->r = r;
        t->ep = epoll_create1(EPOLL_CLOEXEC);
        t->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = t};
        if (t->ep < 0 || t->wake < 0 || epoll_ctl(t->ep, EPOLL_CTL_ADD, t->wake, &e) != 0) {
            MM_ERROR("cannot make the reader threads' epoll and eventfd");
            edge_readers_destroy(r);
            return MM_EIO;
        }
    }
    *out = r;
    return MM_OK;
}

static mm_err_t push(cam_t ***arr, size_t *n, size_t *cap, cam_t *c)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        cam_t **a = realloc(*arr, nc * sizeof *a);
        if (!a)
            return MM_ENOMEM;
        *arr = a;
        *cap = nc;
    }
    (*arr)[(*n)++] = c;
    return MM_OK;
}

mm_err_t edge_readers_add(edge_readers_t *r, const char *id, const char *url,
                          const edge_reader_fns_t *fns, void *arg, size_t *idx)
{
    cam_t *c = calloc(1, sizeof *c);
    if (!c)
        return MM_ENOMEM;
    char shown[MM_REDACT_MAX];
    c->id = strdup(id);
    c->url = strdup(url);
    c->shown = strdup(mm_redact(url, shown, sizeof shown));
    c->fns = *fns;
    c->arg = arg;
    c->backoff = BACKOFF_MIN_US;
    atomic_init(&c->paused, 0);
    c->th = &r->threads[r->n % r->n_threads];
    mm_err_t err =
        c->id && c->url && c->shown ? push(&c->th->cams, &c->th->n, &c->th->cap, c) : MM_ENOMEM;
    if (err == MM_OK && (err = push(&r->cams, &r->n, &r->cap, c)) != MM_OK)
        c->th->n--;
    if (err != MM_OK) {
        free(c->id);
        free(c->url);
        free(c->shown);
        free(c);
        return err;
    }
    *idx = r->n - 1;
    return MM_OK;
}

mm_err_t edge_readers_start(edge_readers_t *r)
{
    for (size_t i = 0; i < r->n_threads; i++) {
        thread_t *t = &r->threads[i];
        if (pthread_create(&t->thread, NULL, run, t) != 0)
            return MM_ENOMEM;
        t->started = 1;
    }
    MM_INFO("reading %zu cameras on %zu reader threads", r->n, r->n_threads);
    return MM_OK;
}

static void wake(thread_t *t)
{
    uint64_t one = 1;
    (void)!write(t->wake, &one, sizeof one);
}

void edge_readers_pause(edge_readers_t *r, size_t idx, int paused)
{
    if (idx >= r->n)
        return;
    cam_t *c = r->cams[idx];
    atomic_store(&c->paused, paused);
    wake(c->th);
}

size_t edge_readers_threads(const edge_readers_t *r)
{
    return r->n_threads;
}

void edge_readers_stop(edge_readers_t *r)
{
    atomic_store(&r->stop, 1);
    for (size_t i = 0; i < r->n_threads; i++)
        wake(&r->threads[i]);
    for (size_t i = 0; i < r->n_threads; i++)
        if (r->threads[i].started) {
            pthread_join(r->threads[i].thread, NULL);
            r->threads[i].started = 0;
        }
}

void edge_readers_destroy(edge_readers_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_threads; i++) {
        thread_t *t = &r->threads[i];
        if (t->ep > 0)
            close(t->ep);
        if (t->wake > 0)
            close(t->wake);
        free(t->cams);
    }
    for (size_t i = 0; i < r->n; i++) {
        free(r->cams[i]->id);
        free(r->cams[i]->url);
        free(r->cams[i]->shown);
        free(r->cams[i]);
    }
    free(r->cams);
    free(r);
}
