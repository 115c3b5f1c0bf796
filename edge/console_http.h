/*
 * console_http.h: the site console's web server — libh2o over TLS (HTTP/1.1 and h2 by ALPN) on
 * the edge's libuv loop, a route table, answers with the security headers, and a plain-HTTP
 * listener that only redirects to it. It knows nothing of people: a guard the console sets
 * (console.h) decides, before a route's handler runs, whether the request may reach it.
 *
 * Requests are checked before any route sees them (common/httpparse.h): a bad path or query is
 * 400, a body over EDGE_HTTP_BODY_MAX 413, an unknown path 404, a known path with another method
 * 405 with Allow. Every answer carries the security headers of common/www.h (nosniff, no
 * referrer, never framed, the Content-Security-Policy MM_WWW_CSP with media-src 'self' blob: for
 * the live view's MediaSource, Strict-Transport-Security) and Cache-Control: no-store, but a static
 * file's (no-cache with its ETag).
 *
 * A handler answers at once, or later: edge_http_defer keeps the request, and edge_http_resume
 * gives it back — or NULL when the client went away meanwhile. Or it answers with a stream
 * (edge_http_stream_start): a body given piece by piece for as long as the caller wants, with
 * back-pressure (how much is queued) and word when the client goes away.
 */
#ifndef EDGE_CONSOLE_HTTP_H
#define EDGE_CONSOLE_HTTP_H

#include <jansson.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <uv.h>

#include "common/err.h"
#include "common/www.h"
#include "edge/siteconf.h"

#define EDGE_HTTP_BODY_MAX (16 * 1024)
#define EDGE_HTTP_ROUTES 64

typedef struct edge_http edge_http_t;
typedef struct edge_http_req edge_http_req_t;
typedef struct edge_http_later edge_http_later_t;

/* Handles a request; must answer it (now, or later through edge_http_defer). */
typedef void (*edge_http_handler)(edge_http_req_t *req, void *arg);
/* Runs before the handler of a route whose need is not 0: returns 0 to let the handler run,
 * else it has answered the request itself. */
typedef int (*edge_http_guard)(void *arg, edge_http_req_t *req, unsigned need);

/* Listens with TLS (ssl, borrowed: it must outlive the server) on at. MM_ENET / MM_EINVAL with
 * msg. */
mm_err_t edge_http_create(uv_loop_t *loop, const edge_listen_t *at, SSL_CTX *ssl, edge_http_t **out,
                          char *msg, size_t cap);
/* Listens in plain HTTP on at and answers every request 308 to https://<host>:https_port<path>,
 * <host> the request's Host without its port (when it is a plain name or address) or at's. */
mm_err_t edge_http_redirector(uv_loop_t *loop, const edge_listen_t *at, int https_port,
                              edge_http_t **out, char *msg, size_t cap);
/* The port actually listened on. */
int edge_http_port(const edge_http_t *h);
void edge_http_set_guard(edge_http_t *h, edge_http_guard guard, void *arg);
/* Adds a route; pattern segments {name} capture one decoded path segment. need is handed to
 * the guard (0: no guard). At most EDGE_HTTP_ROUTES routes. */
mm_err_t edge_http_route(edge_http_t *h, const char *method, const char *pattern, unsigned need,
                         edge_http_handler fn, void *arg);
/* Stops listening; connections still open end with the loop. Accepts NULL. */
void edge_http_close(edge_http_t *h);

/* --- a request ------------------------------------------------------------------------------ */

const char *edge_http_param(const edge_http_req_t *req, const char *name);
/* Query parameter name: 1 found, 0 absent, -1 malformed. */
int edge_http_query(const edge_http_req_t *req, const char *name, char *out, size_t cap);
/* The body (NULL, *len 0 when none); at most EDGE_HTTP_BODY_MAX bytes. */
const char *edge_http_body(const edge_http_req_t *req, size_t *len);
/* Request header name (lower case) into out: 1 found, 0 absent, -1 too long. */
int edge_http_header(const edge_http_req_t *req, const char *name, char *out, size_t cap);
/* The client's address (the connection's peer): 0, or -1 when unknown. */
int edge_http_peer(const edge_http_req_t *req, char *out, size_t cap);
/* The host the request is for (Host, or h2's :authority), with its port: 1, 0 none, -1 too
 * long. */
int edge_http_authority(const edge_http_req_t *req, char *out, size_t cap);
/* "GET", "POST", ... and the path (without the query), NUL-terminated copies in the request. */
const char *edge_http_method(const edge_http_req_t *req);
const char *edge_http_path(const edge_http_req_t *req);
/* A pointer the guard leaves for the handler (the session), NULL until set. */
void edge_http_set_data(edge_http_req_t *req, void *data);
void *edge_http_data(const edge_http_req_t *req);

/* --- answers -------------------------------------------------------------------------------- */

/* Adds header name: value (both copied) to the answer about to be given (Set-Cookie, ...). */
void edge_http_set_header(edge_http_req_t *req, const char *name, const char *value);
/* Answers with body as compact JSON (body stolen; NULL: 500). */
void edge_http_json(edge_http_req_t *req, int status, json_t *body);
/* Answers {"error": {"status": .., "code": "..", "message": ".."}}. */
void edge_http_error(edge_http_req_t *req, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Answers with a compiled-in file: 200, or 304 when If-None-Match names its ETag. */
void edge_http_static(edge_http_req_t *req, const mm_www_file_t *f);
/* Answers with data (copied) of content_type. */
void edge_http_text(edge_http_req_t *req, int status, const char *content_type, const char *data,
                    size_t len);
/* Answers 303 See Other to location (a path of this server). */
void edge_http_see_other(edge_http_req_t *req, const char *location);

/* Keeps req for an answer later; the handler returns without answering. */
edge_http_later_t *edge_http_defer(edge_http_req_t *req);
/* The request kept, to answer now; NULL when its client has gone (nothing to answer). Either
 * way later is spent. */
edge_http_req_t *edge_http_resume(edge_http_later_t *later);

/* --- streamed answers ----------------------------------------------------------------------- */

typedef struct edge_http_stream edge_http_stream_t;
/* Answers req with status and content_type and a body sent piece by piece (chunked in
 * HTTP/1.1, DATA frames in h2), with the security headers and Cache-Control: no-store. NULL
 * (the request answered 503) when out of memory. */
edge_http_stream_t *edge_http_stream_start(edge_http_req_t *req, int status,
                                           const char *content_type);
/* Queues len bytes (copied). Returns the bytes queued and not yet sent (the caller stops
 * feeding past its own limit), or -1 once the client has gone away (or out of memory). */
long edge_http_stream_write(edge_http_stream_t *s, const void *buf, size_t len);
/* on_drain(arg) when everything queued has gone out; on_gone(arg) once, when the client goes
 * away (after it s must not be used, but edge_http_stream_end is still allowed). Neither is
 * called from within edge_http_stream_write or _end. Either may be NULL. */
void edge_http_stream_notify(edge_http_stream_t *s, void (*on_drain)(void *arg),
                             void (*on_gone)(void *arg), void *arg);
/* Ends the body (what is queued still goes out) and frees s. on_drain and on_gone are not
 * called after it. */
void edge_http_stream_end(edge_http_stream_t *s);

#endif
