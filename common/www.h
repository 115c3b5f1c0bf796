/*
 * www.h: web files compiled into a daemon — the hub's dashboard (hub/www.h) and the edge's
 * console (edge/console_www.h) — and the security headers every answer of either server carries.
 *
 * The build turns a folder of files into a table of these (common/www_embed.cmake, through the
 * CMake function mm_embed_www in common/CMakeLists.txt), in name order. Nothing is read from disk
 * at run time: a name is looked up in the table only, so no spelling of a path reaches another
 * file and nobody can swap a file on disk.
 */
#ifndef MM_WWW_H
#define MM_WWW_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

typedef struct {
    const char *name;         /* relative to the folder: "index.html", "static/app.js" */
    const char *content_type; /* from the extension */
    const unsigned char *data;
    size_t len;
    const char *etag; /* quoted: "\"<32 hex digits of the SHA-256>\"" */
} mm_www_file_t;

/* The file called name (NUL-terminated, exact match) in files[0..n), or NULL. */
const mm_www_file_t *mm_www_find(const mm_www_file_t *files, size_t n, const char *name);

/* Pages change with the daemon: a browser asks again each time and is answered 304 while its
 * copy is current (the ETag is the file's hash). */
#define MM_WWW_CACHE "no-cache"

/* The Content-Security-Policy of every answer: scripts, styles, images and connections from the
 * server itself only, no inline script or style, no plugins, never framed. */
#define MM_WWW_CSP                                                                                 \
    "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; "                 \
    "frame-ancestors 'none'"

/* Strict-Transport-Security of an answer over HTTPS unless configured otherwise (the hub's
 * "http.hsts_max_age"): a year, this host only. */
#define MM_WWW_HSTS "max-age=31536000"

/*
 * Adds the security headers of every answer to req's response (an h2o_req_t *, libh2o's):
 * X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer, X-Frame-Options: DENY,
 * Content-Security-Policy: csp (MM_WWW_CSP or a stricter one; copied), and over HTTPS
 * Strict-Transport-Security: hsts (MM_WWW_HSTS or the configured "max-age=N"; not copied: it
 * must outlive the answer), NULL over plain HTTP.
 */
/* The reason phrase of an HTTP status ("Not Found"; "Status" for one not listed). */
const char *mm_www_reason(int status);

struct st_h2o_req_t;
void mm_www_security_headers(struct st_h2o_req_t *req, const char *csp, const char *hsts);

/* What the hub's API and the site console answer alike: body (stolen) as compact ASCII JSON
 * text (malloc'd), or NULL when it cannot be formatted — then MM_WWW_JSON_OOM is the answer, with
 * status 500; and the refusal {"error": {"status", "code", "message"}} with message from fmt. */
#define MM_WWW_JSON_OOM                                                                            \
    "{\"error\":{\"status\":500,\"code\":\"internal\",\"message\":\"cannot format the answer\"}}"
char *mm_www_json_text(json_t *body);
json_t *mm_www_error_body(int status, const char *code, const char *fmt, va_list ap);

/* What the hub's API and the site console read of a request alike (req an h2o_req_t *): */
/* its body, NULL with *len 0 when it has none; */
const char *mm_www_body(struct st_h2o_req_t *req, size_t *len);
/* header name's first value into out (cap bytes, NUL-terminated): 1, 0 when absent, -1 when it
 * does not fit; */
int mm_www_header(struct st_h2o_req_t *req, const char *name, char *out, size_t cap);
/* the peer's address as text into out: 0, or -1 when it is unknown or does not fit. */
int mm_www_peer(struct st_h2o_req_t *req, char *out, size_t cap);

/* For a HEAD request, sends the headers of an answer of len bytes without the body (libh2o 2.2
 * sends whatever it is given, also for HEAD) and returns 1; 0 for any other method. The caller
 * has set the status and headers GET would have. */
int mm_www_head_only(struct st_h2o_req_t *req, size_t len);

#endif
