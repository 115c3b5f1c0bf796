/*
 * segment_sync.c: the syncer thread of the segment writers (see segment_sync.h).
 *
 * The queue, the flags of each request and the figures are under one lock, held only to move
 * requests; the thread syncs with it released. A request is busy from the moment its round takes
 * it until its fdatasync has returned, and its writer waits for that before closing the file.
 */
#include "edge/segment_sync.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/diag.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER; /* a request was queued */
static pthread_cond_t done = PTHREAD_COND_INITIALIZER; /* a request stopped being busy */
static edge_segsync_req_t *head, *tail;
static int64_t max_lag;
static uint64_t rounds;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int running;

/* One round: every request queued so far, writeback started for all, then each fdatasync'd. */
static void sync_round(edge_segsync_req_t *round)
{
    for (edge_segsync_req_t *r = round; r; r = r->round_next)
        (void)sync_file_range(r->fd, 0, 0, SYNC_FILE_RANGE_WRITE); /* a hint: errors come below */
    for (edge_segsync_req_t *r = round, *next; r; r = next) {
        next = r->round_next; /* r may be freed once it is not busy */
        int rc = fdatasync(r->fd) == 0 ? 0 : errno;
        int64_t now = mm_mono_us();
        pthread_mutex_lock(&lock);
        if (rc && !r->err)
            r->err = rc;
        if (now - r->asked_mono > max_lag)
            max_lag = now - r->asked_mono;
        r->busy = 0;
        pthread_cond_broadcast(&done);
        pthread_mutex_unlock(&lock);
    }
}

static void *syncer(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        while (!head)
            pthread_cond_wait(&work, &lock);
        edge_segsync_req_t *round = head;
        for (edge_segsync_req_t *r = head; r; r = r->next) {
            r->queued = 0;
            r->busy = 1;
            r->round_next = r->next;
        }
        head = tail = NULL;
        rounds++;
        pthread_mutex_unlock(&lock);
        sync_round(round);
    }
    return NULL;
}

static void start(void)
{
    /* The thread takes no signals: the daemon's loop handles them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_t t;
    if (pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        running = pthread_create(&t, &attr, syncer, NULL) == 0;
        pthread_attr_destroy(&attr);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!running)
        MM_WARN("no syncer thread for segment files: each writer syncs its own chunks");
}

int edge_segsync_ask(edge_segsync_req_t *r)
{
    pthread_once(&once, start);
    if (!running)
        return fdatasync(r->fd) == 0 ? 0 : errno;
    pthread_mutex_lock(&lock);
    int err = r->err;
    r->err = 0;
    if (!r->queued) {
        r->queued = 1;
        r->next = NULL;
        r->asked_mono = mm_mono_us();
        if (tail)
            tail->next = r;
        else
            head = r;
        tail = r;
        pthread_cond_signal(&work);
    }
    pthread_mutex_unlock(&lock);
    return err;
}

int edge_segsync_withdraw(edge_segsync_req_t *r)
{
    pthread_mutex_lock(&lock);
    if (r->queued) {
        edge_segsync_req_t **pp = &head, *prev = NULL;
        while (*pp && *pp != r) {
            prev = *pp;
            pp = &(*pp)->next;
        }
        if (*pp) {
            *pp = r->next;
            if (tail == r)
                tail = prev;
        }
        r->queued = 0;
    }
    while (r->busy)
        pthread_cond_wait(&done, &lock);
    int err = r->err;
    r->err = 0;
    pthread_mutex_unlock(&lock);
    return err;
}

int64_t edge_segsync_lag_us(uint64_t *n)
{
    pthread_mutex_lock(&lock);
    int64_t lag = max_lag;
    max_lag = 0;
    if (n)
        *n = rounds;
    pthread_mutex_unlock(&lock);
    return lag;
}
