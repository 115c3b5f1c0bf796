/*
 * webhook.h: posting the site's alerts (alerts.h) to the receiver the configuration names —
 * JSON over HTTP/1.1 POST on the edge's loop, with retries.
 *
 * Bodies queue (at most EDGE_WEBHOOK_QUEUE; past that the oldest is dropped with a warning) and
 * go one at a time, in order. A post succeeds when the receiver answers 2xx; anything else — no
 * connection, a timeout of EDGE_WEBHOOK_TIMEOUT_MS, another status, an answer that is no HTTP
 * status line — is tried again after 1 s, then 2, 4 ... up to 60 s between tries, for as long as
 * the edge runs; a success resets the wait. Nothing here blocks the loop: the name is resolved on
 * libuv's thread pool, the connection and the answer are libuv's, and a receiver that is down
 * only keeps the queue waiting.
 *
 * Only http:// is spoken (the receiver is on the site's network or the same machine; a TLS
 * endpoint is reached through a local relay). The request carries Host, Content-Type
 * application/json, Content-Length, User-Agent mimamori-edge and Connection: close; the answer's
 * status line is all that is read.
 */
#ifndef EDGE_WEBHOOK_H
#define EDGE_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "common/err.h"

#define EDGE_WEBHOOK_QUEUE 256
#define EDGE_WEBHOOK_TIMEOUT_MS 10000
#define EDGE_WEBHOOK_BACKOFF_MAX_MS 60000
#define EDGE_WEBHOOK_HOST_MAX 256
#define EDGE_WEBHOOK_PATH_MAX 1024

/* An http:// URL taken apart. */
typedef struct {
    char host[EDGE_WEBHOOK_HOST_MAX]; /* a name, an IPv4 address, or an IPv6 one without [] */
    int port;                         /* 80 unless given */
    char path[EDGE_WEBHOOK_PATH_MAX]; /* from the first '/', "/" when none; with the query */
} edge_webhook_url_t;

/*
 * Parses "http://host[:port][/path]" (host a name of letters, digits, '-' and '.', an IPv4
 * address or "[v6]"; no user info, no fragment, printable ASCII only): 0, or -1 with why in
 * why (cap bytes), e.g. that https is not spoken.
 */
int edge_webhook_url_parse(const char *text, edge_webhook_url_t *out, char *why, size_t cap);

/*
 * The status code of an HTTP answer that begins with buf[0..len): 100..599 once the status line
 * ("HTTP/1.x NNN reason" ended by CRLF or LF) is whole; 0 while it may still come (len too short
 * and nothing wrong yet); -1 when these bytes are no HTTP/1 status line. Pure; fuzzed.
 */
int edge_webhook_status(const char *buf, size_t len);

typedef struct edge_webhook edge_webhook_t;

/* What the sender has done, for `alerts` (counts since start). */
typedef struct {
    size_t queued;        /* waiting, the one in flight included */
    uint64_t sent;        /* answered 2xx */
    uint64_t failures;    /* tries that failed */
    uint64_t dropped;     /* pushed out of a full queue */
    char last_error[128]; /* the last failure, "" none since the last success */
} edge_webhook_stats_t;

/* Starts a sender to url (copied) on loop. MM_ENOMEM. */
mm_err_t edge_webhook_create(uv_loop_t *loop, const edge_webhook_url_t *url, edge_webhook_t **out);

/* Queues body (len bytes, copied) to be posted. MM_ENOMEM (nothing queued). */
mm_err_t edge_webhook_post(edge_webhook_t *w, const char *body, size_t len);

void edge_webhook_stats(const edge_webhook_t *w, edge_webhook_stats_t *out);

/* Drops what is queued, ends a post in flight and frees w once libuv has closed its handles.
 * Accepts NULL. */
void edge_webhook_close(edge_webhook_t *w);

#endif
