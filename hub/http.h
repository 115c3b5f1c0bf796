/*
 * http.h: the hub's HTTP server — libh2o on the daemon's libuv loop, a small route table, JSON
 * answers, and JSON errors for anything malformed or hostile.
 *
 * Requests are checked before any route sees them (common/httpparse.h): a bad path or query gets
 * 400, an unknown path 404, a known path with another method 405 with Allow. HEAD is answered by
 * a path's GET route: the same status and headers, no body (hub_http_is_head). Every answer carries
 * the security headers of common/www.h (mm_www_security_headers: nosniff, no referrer, never
 * framed) and a Content-Security-Policy that allows only the hub's own files (HUB_HTTP_CSP);
 * every answer but
 * a static file's (hub_http_static) carries Cache-Control: no-store.
 *
 * With TLS (hub_http_use_tls) the server speaks HTTPS only — HTTP/1.1 and h2 by ALPN, TLS 1.2
 * at least (common/tls.h) — and every answer carries Strict-Transport-Security.
 */
#ifndef HUB_HTTP_H
#define HUB_HTTP_H

#include <jansson.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "common/err.h"
#include "common/www.h"
#include "hub/hubconf.h"

/* The Content-Security-Policy of every answer: scripts, styles, images and connections from the
 * hub itself only, no inline script or style, no plugins, never framed. */
#define HUB_HTTP_CSP MM_WWW_CSP

/* The Content-Security-Policy of an answer that is a page a site wrote (hub_http_untrusted_html):
 * a sandbox (no scripts, no forms, an origin of its own), nothing fetched, inline styles only. */
#define HUB_HTTP_CSP_UNTRUSTED                                                                     \
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "     \
    "form-action 'none'; frame-ancestors 'none'"

typedef struct hub_http hub_http_t;
typedef struct hub_http_req hub_http_req_t;

/* Handles a request; must answer it with one of the hub_http_* answer calls. */
typedef void (*hub_http_handler)(hub_http_req_t *req, void *arg);

/* Listens on host:port (port 0: any free port) on loop. */
mm_err_t hub_http_create(uv_loop_t *loop, const char *host, int port, hub_http_t **out);
/* The port actually listened on. */
int hub_http_port(const hub_http_t *h);
/*
 * The TLS context of the configuration's "http.tls" (PEM certificate chain cert, private key
 * key; common/tls.h) into *out, made before the server so that a start it stops leaves no
 * server behind. MM_ECONFIG / MM_ECRYPTO when it cannot be made (a key readable by group or
 * others among the reasons), said in the log naming the key and the file.
 */
mm_err_t hub_http_tls_context(const char *cert, const char *key, SSL_CTX **out);
/* Serves HTTPS only from now on, with ssl (taken: freed when the server closes), and
 * Strict-Transport-Security: max-age=hsts_max_age on every answer. Call before the loop runs. */
void hub_http_use_tls(hub_http_t *h, SSL_CTX *ssl, int hsts_max_age);
/* Whether the server speaks HTTPS. */
int hub_http_tls(const hub_http_t *h);

/*
 * Adds a route; pattern segments {name} capture one path segment. At most 64 routes. roles 0:
 * anyone; else the caller must present "Authorization: Bearer <token>" of a person (of cfg,
 * given to hub_http_set_people) whose role is one of roles, or, without that header, the
 * session cookie of one (hub_http_set_sessions): 401 without a known token or session (or with
 * an expired one), 403 for another role.
 */
mm_err_t hub_http_route(hub_http_t *h, const char *method, const char *pattern, unsigned roles,
                        hub_http_handler fn, void *arg);
/* The people whose tokens the routes accept (cfg must outlive h). A token past its
 * token_expires day is refused (401 token_expired). */
void hub_http_set_people(hub_http_t *h, const hub_config_t *cfg);
/*
 * Who a request without an Authorization header is, by its session cookie (hub/login.h): the
 * person, or NULL — having answered req itself (401 for a session that expired, 403 for a
 * change without its CSRF token) or not (the usual 401 follows). Unset: bearer tokens only.
 */
typedef const hub_person_t *(*hub_http_session_fn)(hub_http_req_t *req, void *arg);
void hub_http_set_sessions(hub_http_t *h, hub_http_session_fn fn, void *arg);
/* Whether req has been answered. */
int hub_http_answered(const hub_http_req_t *req);
/* The request's method ("GET", ...) into out: 0, or -1 when it does not fit. */
int hub_http_method(const hub_http_req_t *req, char *out, size_t cap);
/* Whether req is a HEAD request (answered by a GET route; a route that streams ends at once). */
int hub_http_is_head(const hub_http_req_t *req);
/* The person who made an authenticated request, NULL on a public route. */
const hub_person_t *hub_http_caller(const hub_http_req_t *req);
/* The request body (NULL and 0 when there is none); at most 1 MiB. */
const char *hub_http_body(const hub_http_req_t *req, size_t *len);
/* The value of request header name (lower case) into out: 1 found, 0 absent, -1 too long. */
int hub_http_header(const hub_http_req_t *req, const char *name, char *out, size_t cap);
/* The client's address as inet_ntop writes it (the peer of the connection; the hub believes no
 * header about it) into out (cap bytes, INET6_ADDRSTRLEN suffices): 0, or -1 when unknown. */
int hub_http_peer(const hub_http_req_t *req, char *out, size_t cap);
/* Adds header name: value (both copied) to the answer about to be given (Retry-After, ...). */
void hub_http_set_header(hub_http_req_t *req, const char *name, const char *value);

/* The decoded value of a {name} segment of the matched route, or NULL. */
const char *hub_http_param(const hub_http_req_t *req, const char *name);

/*
 * The decoded value of query parameter name into out: 1 found, 0 absent, -1 malformed (the
 * caller answers 400).
 */
int hub_http_query(const hub_http_req_t *req, const char *name, char *out, size_t cap);

/* Answers with body as compact JSON (body is stolen). */
void hub_http_json(hub_http_req_t *req, int status, json_t *body);
/* Answers {"error": {"status": .., "code": "..", "message": ".."}}. */
void hub_http_error(hub_http_req_t *req, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Answers with data of the given content type (copied). */
void hub_http_text(hub_http_req_t *req, int status, const char *content_type, const char *data,
                   size_t len);

/*
 * Answers 200 with an HTML page that came from elsewhere (a site's standards document): data
 * (copied) as text/html; charset=utf-8, with HUB_HTTP_CSP_UNTRUSTED instead of HUB_HTTP_CSP and
 * the other headers of every answer (nosniff among them), so that a browser shown the page runs
 * none of its scripts, loads nothing it names, and keeps it out of the hub's origin.
 */
void hub_http_untrusted_html(hub_http_req_t *req, const char *data, size_t len);

/*
 * Answers with static bytes — data must stay valid and unchanged for as long as the server runs
 * (a compiled-in array): 200 with content_type, ETag: etag (quoted, as sent) and Cache-Control:
 * cache_control; or 304 with no body when the request's If-None-Match names etag (or is "*").
 * data is not copied.
 */
void hub_http_static(hub_http_req_t *req, const char *content_type, const void *data, size_t len,
                     const char *etag, const char *cache_control);

/*
 * Answers 200 with the first size bytes of the open file fd, read and sent 256 KiB at a time as
 * the connection takes them, so that a file of any size is never held in memory whole; with
 * content_type, Content-Length, and, when filename is given (a plain name: no quotes, slashes
 * or control characters), Content-Disposition: attachment; filename="<filename>". Takes fd: it
 * is closed when the answer ends, however it ends. A read error or a file shorter than size
 * ends the answer early: the client sees fewer bytes than Content-Length promised.
 */
void hub_http_file(hub_http_req_t *req, int fd, uint64_t size, const char *content_type,
                   const char *filename);

/*
 * Streams: an answer that stays open and is written to as things happen (Server-Sent Events).
 *
 * hub_http_stream_open answers req with 200, content_type and the usual headers, and keeps the
 * connection open; nothing is sent until the first write. It returns NULL when out of memory
 * (req is not answered then). closed(arg) runs exactly once: when the client goes away, when
 * the client is too far behind (hub_http_stream_write), or when the server closes
 * (hub_http_close); after it the stream is gone and must not be used. drained(arg) (optional)
 * runs whenever everything written has been handed to the connection, so that a writer with
 * much to send can send it a piece at a time.
 */
typedef struct hub_http_stream hub_http_stream_t;
hub_http_stream_t *hub_http_stream_open(hub_http_req_t *req, const char *content_type,
                                        void (*closed)(void *arg), void *arg);
void hub_http_stream_set_drained(hub_http_stream_t *s, void (*drained)(void *arg));
/*
 * Queues len bytes (copied) and sends them as soon as the connection takes them. MM_EFULL when
 * the client would be more than 4 MiB behind: the stream is ended and closed has already run;
 * MM_ENOMEM (nothing queued, the stream stays).
 */
mm_err_t hub_http_stream_write(hub_http_stream_t *s, const void *data, size_t len);
/* Bytes written but not yet taken by the connection. */
size_t hub_http_stream_behind(const hub_http_stream_t *s);
/* Ends the answer at once, dropping what is queued and closing the connection once what is in
 * flight is done with (a client that does not read); closed does not run, and s must not be used
 * again. */
void hub_http_stream_abort(hub_http_stream_t *s);
/* Ends the answer after what is queued; closed does not run, and s must not be used again. */
void hub_http_stream_end(hub_http_stream_t *s);

/* Requests received since the server started. */
uint64_t hub_http_requests(const hub_http_t *h);

/* Stops listening and ends every open stream; done(arg) runs once the listener is closed. */
void hub_http_close(hub_http_t *h, void (*done)(void *arg), void *arg);

#endif
