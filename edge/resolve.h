/*
 * resolve.h: a camera's host name resolved off the reader thread.
 *
 * getaddrinfo blocks for as long as the name service takes (seconds when a DNS server does not
 * answer), and a reader thread serves many cameras: one camera named by a host name that does
 * not resolve must not stall the others. A name is resolved on a short-lived thread of its own;
 * the caller polls a file descriptor that becomes readable when the answer is in.
 */
#ifndef EDGE_RESOLVE_H
#define EDGE_RESOLVE_H

#include <netdb.h>

#include "common/err.h"

typedef struct edge_resolve edge_resolve_t;

/* Starts resolving host (a name, not an address) and port for a TCP connection. MM_ENOMEM, or
 * MM_EIO when no thread or descriptor can be made. */
mm_err_t edge_resolve_start(const char *host, unsigned port, edge_resolve_t **out);

/* The descriptor that becomes readable when the answer is in (for epoll). */
int edge_resolve_fd(const edge_resolve_t *r);

/* 0 while the name is being resolved; 1 when done, with *res the addresses (valid until
 * edge_resolve_free) or NULL and *gai the getaddrinfo error (gai_strerror says it). */
int edge_resolve_done(edge_resolve_t *r, const struct addrinfo **res, int *gai);

/* Gives r up; when its thread is still resolving, the thread frees it once done. Accepts NULL. */
void edge_resolve_free(edge_resolve_t *r);

#endif
