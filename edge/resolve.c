/*
 * resolve.c: a host name resolved on a thread of its own (see resolve.h).
 *
 * The request is shared by its caller and its thread, each holding a reference; the last to let
 * go frees it, so that the caller can give up a request whose thread is still waiting on the
 * name service.
 */
#include "edge/resolve.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define RESOLVE_STACK (256 * 1024) /* getaddrinfo and the NSS modules it loads */

struct edge_resolve {
    atomic_int refs;
    atomic_int done;
    int efd;
    char host[256], port[8];
    int gai;
    struct addrinfo *res;
};

static void release(edge_resolve_t *r)
{
    if (atomic_fetch_sub(&r->refs, 1) != 1)
        return;
    if (r->res)
        freeaddrinfo(r->res);
    close(r->efd);
    free(r);
}

static void *run(void *arg)
{
    edge_resolve_t *r = arg;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    r->gai = getaddrinfo(r->host, r->port, &hints, &r->res);
    atomic_store(&r->done, 1);
    uint64_t one = 1;
    (void)!write(r->efd, &one, sizeof one);
    release(r);
    return NULL;
}

mm_err_t edge_resolve_start(const char *host, unsigned port, edge_resolve_t **out)
{
    if (strlen(host) >= sizeof((edge_resolve_t *)0)->host)
        return MM_EINVAL;
    edge_resolve_t *r = calloc(1, sizeof *r);
    if (!r)
        return MM_ENOMEM;
    snprintf(r->host, sizeof r->host, "%s", host);
    snprintf(r->port, sizeof r->port, "%u", port);
    atomic_init(&r->refs, 2);
    atomic_init(&r->done, 0);
    if ((r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
        free(r);
        return MM_EIO;
    }
    pthread_attr_t attr;
    pthread_t t;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, RESOLVE_STACK);
        rc = pthread_create(&t, &attr, run, r);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        close(r->efd);
        free(r);
        return MM_EIO;
    }
    *out = r;
    return MM_OK;
}

int edge_resolve_fd(const edge_resolve_t *r)
{
    return r->efd;
}

int edge_resolve_done(edge_resolve_t *r, const struct addrinfo **res, int *gai)
{
    if (!atomic_load(&r->done))
        return 0;
    *res = r->gai == 0 ? r->res : NULL;
    *gai = r->gai;
    return 1;
}

void edge_resolve_free(edge_resolve_t *r)
{
    if (r)
        release(r);
}
