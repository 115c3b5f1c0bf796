/*
 * http.c: the hub's HTTP server on libh2o and libuv (see http.h).
 */
#include "hub/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <h2o.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/httpparse.h"
#include "common/tls.h"
#include "common/www.h"

#define MAX_ROUTES 64
#define BODY_MAX (1024 * 1024)
#define STREAM_BEHIND_MAX (4 * 1024 * 1024) /* a stream's client further behind is dropped */
#define FILE_PIECE (256 * 1024)             /* bytes of a file read and sent at a time */

typedef struct {
    char method[8];
    char *pattern;
    unsigned roles;
    hub_http_handler fn;
    void *arg;
} route_t;

struct hub_http {
    uv_loop_t *loop;
    uv_tcp_t listener;
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    int port;
    size_t n_routes;
    route_t routes[MAX_ROUTES];
    const hub_config_t *people;
    hub_http_session_fn session_fn;
    void *session_arg;
    void (*done)(void *);
    void *done_arg;
    uint64_t requests;
    hub_http_stream_t *streams; /* open streams, so that closing the server ends them */
    SSL_CTX *ssl;               /* HTTPS only, when set (hub_http_use_tls) */
    char hsts[32];              /* "max-age=N" over HTTPS, "" over plain HTTP */
};

struct hub_http_req {
    hub_http_t *http;
    h2o_req_t *req;
    const char *query; /* without '?', may be NULL */
    size_t query_len;
    mm_http_params_t params;
    const hub_person_t *caller;
    int answered;
};

typedef struct {
    h2o_handler_t super;
    hub_http_t *http;
} handler_t;

/* The status and the headers every answer carries; cache is the Cache-Control value, csp the
 * Content-Security-Policy. */
static void start_answer_csp(hub_http_req_t *r, int status, const char *ctype, const char *cache,
                             const char *csp)
{
    h2o_req_t *req = r->req;
    r->answered = 1;
    req->res.status = status;
    req->res.reason = mm_www_reason(status);
    if (ctype)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype,
                       strlen(ctype));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, cache,
                   strlen(cache));
    mm_www_security_headers(req, csp, r->http->hsts[0] ? r->http->hsts : NULL);
}

/* How much of a request's path the debug log shows: the query is left out, since it may carry a
 * token or a person's search (redact.h's rule for URLs). */
static int logged_path_len(const h2o_req_t *req)
{
    return (int)(req->query_at == SIZE_MAX ? req->path.len : req->query_at);
}

static void start_answer_cached(hub_http_req_t *r, int status, const char *ctype, const char *cache)
{
    start_answer_csp(r, status, ctype, cache, HUB_HTTP_CSP);
}

static void start_answer(hub_http_req_t *r, int status, const char *ctype)
{
    start_answer_cached(r, status, ctype, "no-store");
}

static void send_body(hub_http_req_t *r, int status, const char *ctype, const char *data,
                      size_t len)
{
    h2o_req_t *req = r->req;
    start_answer(r, status, ctype);
    /* h2o_send_inline copies the body into the request's pool. With its length given, GET and
     * HEAD carry the same Content-Length. */
    req->res.content_length = len;
    if (!mm_www_head_only(req, len))
        h2o_send_inline(req, data, len);
    MM_DEBUG("%.*s %.*s -> %d", (int)req->method.len, req->method.base, logged_path_len(req),
             req->path.base, status);
}

void hub_http_text(hub_http_req_t *req, int status, const char *content_type, const char *data,
                   size_t len)
{
    send_body(req, status, content_type, data, len);
}

void hub_http_untrusted_html(hub_http_req_t *r, const char *data, size_t len)
{
    start_answer_csp(r, 200, "text/html; charset=utf-8", "no-store", HUB_HTTP_CSP_UNTRUSTED);
    r->req->res.content_length = len;
    if (!mm_www_head_only(r->req, len))
        h2o_send_inline(r->req, data, len);
}

/* Whether an If-None-Match value (a list of quoted tags, or "*") names etag; weak tags
 * ("W/...") compare by their tag, as RFC 9110 13.1.2 asks of If-None-Match. */
static int etag_listed(const char *list, const char *etag)
{
    size_t elen = strlen(etag);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == elen && memcmp(p, etag, n) == 0)
            return 1;
        if (!end)
            break;
        p = end;
    }
    return 0;
}

void hub_http_static(hub_http_req_t *r, const char *content_type, const void *data, size_t len,
                     const char *etag, const char *cache_control)
{
    /* Nothing to free or to call back: the bytes outlive the request. */
    static h2o_generator_t generator = {NULL, NULL};
    h2o_req_t *req = r->req;
    char inm[512];
    int fresh = hub_http_header(r, "if-none-match", inm, sizeof inm) == 1 && etag_listed(inm, etag);
    start_answer_cached(r, fresh ? 304 : 200, fresh ? NULL : content_type, cache_control);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ETAG, NULL, etag, strlen(etag));
    MM_DEBUG("%.*s %.*s -> %d", (int)req->method.len, req->method.base, logged_path_len(req),
             req->path.base, fresh ? 304 : 200);
    if (fresh) {
        h2o_send_inline(req, "", 0);
        return;
    }
    if (mm_www_head_only(req, len))
        return;
    req->res.content_length = len;
    h2o_iovec_t body = h2o_iovec_init(data, len);
    h2o_start_response(req, &generator);
    h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
}

void hub_http_json(hub_http_req_t *req, int status, json_t *body)
{
    char *text = mm_www_json_text(body);
    if (!text) {
        send_body(req, 500, "application/json", MM_WWW_JSON_OOM, sizeof MM_WWW_JSON_OOM - 1);
        return;
    }
    send_body(req, status, "application/json", text, strlen(text));
    free(text);
}

void hub_http_error(hub_http_req_t *req, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *body = mm_www_error_body(status, code, fmt, ap);
    va_end(ap);
    hub_http_json(req, status, body);
}

const char *hub_http_param(const hub_http_req_t *req, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < req->params.n; i++)
        if (req->params.name_lens[i] == n && memcmp(req->params.names[i], name, n) == 0)
            return req->params.values[i];
    return NULL;
}

int hub_http_query(const hub_http_req_t *req, const char *name, char *out, size_t cap)
{
    if (!req->query)
        return 0;
    return mm_http_query_get(req->query, req->query_len, name, out, cap);
}

void hub_http_set_people(hub_http_t *h, const hub_config_t *cfg)
{
    h->people = cfg;
}

void hub_http_set_sessions(hub_http_t *h, hub_http_session_fn fn, void *arg)
{
    h->session_fn = fn;
    h->session_arg = arg;
}

int hub_http_answered(const hub_http_req_t *req)
{
    return req->answered;
}

int hub_http_method(const hub_http_req_t *req, char *out, size_t cap)
{
    if (req->req->method.len >= cap)
        return -1;
    memcpy(out, req->req->method.base, req->req->method.len);
    out[req->req->method.len] = 0;
    return 0;
}

int hub_http_is_head(const hub_http_req_t *req)
{
    return h2o_memis(req->req->method.base, req->req->method.len, H2O_STRLIT("HEAD"));
}

const hub_person_t *hub_http_caller(const hub_http_req_t *req)
{
    return req->caller;
}

const char *hub_http_body(const hub_http_req_t *req, size_t *len)
{
    return mm_www_body(req->req, len);
}

int hub_http_header(const hub_http_req_t *req, const char *name, char *out, size_t cap)
{
    return mm_www_header(req->req, name, out, cap);
}

int hub_http_peer(const hub_http_req_t *req, char *out, size_t cap)
{
    return mm_www_peer(req->req, out, cap);
}

void hub_http_set_header(hub_http_req_t *req, const char *name, const char *value)
{
    h2o_req_t *r = req->req;
    size_t n = strlen(name), v = strlen(value);
    h2o_add_header_by_str(&r->pool, &r->res.headers, h2o_strdup(&r->pool, name, n).base, n, 0, NULL,
                          h2o_strdup(&r->pool, value, v).base, v);
}

uint64_t hub_http_requests(const hub_http_t *h)
{
    return h->requests;
}

/* --- files ---------------------------------------------------------------------------------
 *
 * The same generator protocol with one buffer: proceed means the piece sent is taken, so the
 * next one is read into the same buffer and sent. The generator and the buffer live in the
 * request's pool; the generator is a shared chunk whose dispose closes the file, so the file is
 * closed when the request is done with, whether it ended, failed or was stopped. */

typedef struct {
    h2o_generator_t gen;
    h2o_req_t *req;
    int fd;
    uint64_t left;
    char *buf;
} file_gen_t;

static void file_close(void *p)
{
    file_gen_t *g = p;
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
}

static void file_send(file_gen_t *g)
{
    size_t want = g->left < FILE_PIECE ? (size_t)g->left : FILE_PIECE, got = 0;
    while (got < want) {
        ssize_t n = read(g->fd, g->buf + got, want - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < want) {
        MM_ERROR("http: a file being sent ended or failed %llu bytes early: %s",
                 (unsigned long long)(g->left - got), got ? "short read" : strerror(errno));
        file_close(g);
        h2o_send(g->req, NULL, 0, H2O_SEND_STATE_ERROR);
        return;
    }
    g->left -= got;
    h2o_iovec_t b = h2o_iovec_init(g->buf, got);
    if (!g->left)
        file_close(g);
    h2o_send(g->req, &b, 1, g->left ? H2O_SEND_STATE_IN_PROGRESS : H2O_SEND_STATE_FINAL);
}

static void file_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    (void)req;
    file_send((file_gen_t *)gen);
}

static void file_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    (void)req;
    MM_DEBUG("http: a file's client went away");
    file_close(gen);
}

void hub_http_file(hub_http_req_t *r, int fd, uint64_t size, const char *content_type,
                   const char *filename)
{
    h2o_req_t *req = r->req;
    file_gen_t *g = h2o_mem_alloc_shared(&req->pool, sizeof *g, file_close);
    g->gen.proceed = file_proceed;
    g->gen.stop = file_stop;
    g->req = req;
    g->fd = fd;
    g->left = size;
    g->buf = h2o_mem_alloc_pool(&req->pool, FILE_PIECE);
    start_answer(r, 200, content_type);
    req->res.content_length = (size_t)size;
    if (filename) {
        char cd[256];
        int n = snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", filename);
        if (n > 0 && (size_t)n < sizeof cd)
            h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("content-disposition"),
                                  0, NULL, h2o_strdup(&req->pool, cd, (size_t)n).base, (size_t)n);
    }
    MM_DEBUG("%.*s %.*s -> 200, a file of %llu bytes", (int)req->method.len, req->method.base,
             logged_path_len(req), req->path.base, (unsigned long long)size);
    if (mm_www_head_only(req, (size_t)size))
        return; /* the file is closed with the request's pool */
    h2o_start_response(req, &g->gen);
    file_send(g);
}

/* --- streams ---------------------------------------------------------------------------------
 *
 * libh2o's generator protocol: after h2o_send(IN_PROGRESS) the bytes given stay ours to keep
 * unchanged until libh2o calls proceed, and nothing may be sent before it does; stop means the
 * request is being disposed of (the client went away) and no call may follow. So a stream has
 * two buffers: the one in flight, and the one that fills meanwhile; proceed swaps them. A
 * response is ended with h2o_send(FINAL or ERROR) only when nothing is in flight, after which
 * libh2o calls neither proceed nor stop, and the stream is freed at once. */

struct hub_http_stream {
    h2o_generator_t gen; /* libh2o hands this back to proceed and stop */
    h2o_req_t *req;
    hub_http_t *http; /* NULL once unlinked from the server's list */
    hub_http_stream_t *prev, *next;
    char *sending; /* in flight: libh2o's until proceed */
    size_t sending_len, sending_cap;
    char *queued;
    size_t queued_len, queued_cap;
    int in_flight;
    int ended;  /* closed has run, or the owner ended it: no more writes */
    int finish; /* 0, or 1 + the h2o_send_state_t that ends the response when nothing is in flight
                 */
    void (*closed)(void *arg);
    void (*drained)(void *arg);
    void *arg;
};

static void stream_unlink(hub_http_stream_t *s)
{
    if (!s->http)
        return;
    if (s->prev)
        s->prev->next = s->next;
    else
        s->http->streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->http = NULL;
}

static void stream_free(hub_http_stream_t *s)
{
    stream_unlink(s);
    free(s->sending);
    free(s->queued);
    free(s);
}

/* The owner is told, once, that the stream is over. */
static void stream_end(hub_http_stream_t *s)
{
    if (s->ended)
        return;
    s->ended = 1;
    s->queued_len = 0;
    if (s->closed)
        s->closed(s->arg);
}

/* Sends what is queued, else the end if one is due, unless a send is in flight. The end frees
 * s. */
static void stream_flush(hub_http_stream_t *s)
{
    if (s->in_flight)
        return;
    if (s->queued_len == 0) {
        if (s->finish) {
            h2o_send(s->req, NULL, 0, (h2o_send_state_t)(s->finish - 1));
            stream_free(s);
        }
        return;
    }
    char *b = s->sending;
    size_t cap = s->sending_cap;
    s->sending = s->queued;
    s->sending_cap = s->queued_cap;
    s->sending_len = s->queued_len;
    s->queued = b;
    s->queued_cap = cap;
    s->queued_len = 0;
    s->in_flight = 1;
    h2o_iovec_t buf = h2o_iovec_init(s->sending, s->sending_len);
    h2o_send(s->req, &buf, 1, H2O_SEND_STATE_IN_PROGRESS);
}

static void stream_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    hub_http_stream_t *s = (hub_http_stream_t *)gen;
    s->in_flight = 0;
    s->sending_len = 0;
    if (s->finish || s->queued_len) {
        stream_flush(s);
        return;
    }
    if (s->drained && !s->ended)
        s->drained(s->arg);
}

static void stream_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    hub_http_stream_t *s = (hub_http_stream_t *)gen;
    MM_DEBUG("http: a stream's client went away");
    stream_end(s);
    stream_free(s);
}

hub_http_stream_t *hub_http_stream_open(hub_http_req_t *req, const char *content_type,
                                        void (*closed)(void *arg), void *arg)
{
    hub_http_stream_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->gen.proceed = stream_proceed;
    s->gen.stop = stream_stop;
    s->req = req->req;
    s->closed = closed;
    s->arg = arg;
    s->http = req->http;
    s->next = s->http->streams;
    if (s->next)
        s->next->prev = s;
    s->http->streams = s;
    start_answer(req, 200, content_type);
    h2o_start_response(req->req, &s->gen);
    MM_DEBUG("%.*s %.*s -> 200, streaming", (int)req->req->method.len, req->req->method.base,
             logged_path_len(req->req), req->req->path.base);
    return s;
}

void hub_http_stream_set_drained(hub_http_stream_t *s, void (*drained)(void *arg))
{
    s->drained = drained;
}

mm_err_t hub_http_stream_write(hub_http_stream_t *s, const void *data, size_t len)
{
    if (s->ended)
        return MM_ECLOSED;
    if (len > STREAM_BEHIND_MAX - s->queued_len - s->sending_len) {
        MM_WARN("http: a stream's client is more than %d bytes behind; ending the stream",
                STREAM_BEHIND_MAX);
        s->finish = 1 + H2O_SEND_STATE_ERROR;
        stream_end(s);
        stream_flush(s);
        return MM_EFULL;
    }
    if (s->queued_len + len > s->queued_cap) {
        size_t cap = s->queued_cap ? s->queued_cap : 4096;
        while (cap < s->queued_len + len)
            cap *= 2;
        char *b = realloc(s->queued, cap);
        if (!b)
            return MM_ENOMEM;
        s->queued = b;
        s->queued_cap = cap;
    }
    memcpy(s->queued + s->queued_len, data, len);
    s->queued_len += len;
    stream_flush(s);
    return MM_OK;
}

size_t hub_http_stream_behind(const hub_http_stream_t *s)
{
    return s->queued_len + s->sending_len;
}

void hub_http_stream_abort(hub_http_stream_t *s)
{
    s->ended = 1; /* the owner ends it: closed does not run */
    s->queued_len = 0;
    s->finish = 1 + H2O_SEND_STATE_ERROR;
    stream_flush(s);
}

void hub_http_stream_end(hub_http_stream_t *s)
{
    s->ended = 1; /* the owner ends it: closed does not run */
    s->finish = 1 + H2O_SEND_STATE_FINAL;
    stream_flush(s);
}

/* Who is calling a route that needs a role; answers 401/403 and returns -1 otherwise. */
static int authorize(hub_http_t *h, hub_http_req_t *r, unsigned roles)
{
    char auth[512];
    int got = hub_http_header(r, "authorization", auth, sizeof auth);
    const hub_person_t *p = NULL;
    if (got == 1 && strncasecmp(auth, "Bearer ", 7) == 0 && h->people)
        p = hub_config_person_by_token(h->people, auth + 7, strlen(auth + 7));
    if (p && hub_person_token_expired(h->people, p, mm_now_us())) {
        MM_INFO("http: %s's token refused: it expired after %s", p->id, p->token_expires);
        hub_http_error(r, 401, "token_expired", "this token expired after %s; ask for a new one",
                       p->token_expires);
        return -1;
    }
    if (got == 0 && h->session_fn) {
        p = h->session_fn(r, h->session_arg);
        if (r->answered)
            return -1;
    }
    if (!p) {
        h2o_add_header_by_str(&r->req->pool, &r->req->res.headers, H2O_STRLIT("www-authenticate"),
                              0, NULL, H2O_STRLIT("Bearer realm=\"mimamori\""));
        hub_http_error(r, 401, "unauthorized",
                       got == 1 ? "the token is not one the hub knows"
                                : "this needs \"Authorization: Bearer <token>\"");
        return -1;
    }
    if (!(p->role & roles)) {
        hub_http_error(r, 403, "forbidden", "%s (%s) may not do this", p->id,
                       hub_role_name(p->role));
        return -1;
    }
    r->caller = p;
    return 0;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    hub_http_t *h = ((handler_t *)self)->http;
    hub_http_req_t r = {.http = h, .req = req};
    h->requests++;
    size_t plen = req->path.len;
    if (req->query_at != SIZE_MAX && req->query_at < plen) {
        r.query = req->path.base + req->query_at + 1;
        r.query_len = plen - req->query_at - 1;
        plen = req->query_at;
    }
    const char *problem = mm_http_path_problem(req->path.base, plen);
    if (problem) {
        hub_http_error(&r, 400, "bad_path", "%s", problem);
        return 0;
    }
    if (r.query_len > MM_HTTP_QUERY_MAX) {
        hub_http_error(&r, 400, "bad_query", "the query is longer than %d bytes",
                       MM_HTTP_QUERY_MAX);
        return 0;
    }
    if (req->entity.base && req->entity.len > BODY_MAX) {
        hub_http_error(&r, 413, "too_large", "the request body is larger than %d bytes", BODY_MAX);
        return 0;
    }
    char allow[64] = "";
    /* HEAD is answered by the GET route, with the same status and headers; libh2o sends no body
     * for a HEAD request. */
    int head = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
    for (size_t i = 0; i < h->n_routes; i++) {
        route_t *rt = &h->routes[i];
        if (!mm_http_match(rt->pattern, req->path.base, plen, &r.params))
            continue;
        if (!h2o_memis(req->method.base, req->method.len, rt->method, strlen(rt->method)) &&
            !(head && strcmp(rt->method, "GET") == 0)) {
            size_t al = strlen(allow);
            snprintf(allow + al, sizeof allow - al, "%s%s", al ? ", " : "", rt->method);
            continue;
        }
        if (rt->roles && authorize(h, &r, rt->roles) != 0)
            return 0;
        rt->fn(&r, rt->arg);
        if (!r.answered)
            hub_http_error(&r, 500, "internal", "the handler gave no answer");
        return 0;
    }
    if (allow[0]) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL,
                       h2o_strdup(&req->pool, allow, SIZE_MAX).base, strlen(allow));
        hub_http_error(&r, 405, "method_not_allowed", "allowed: %s", allow);
        return 0;
    }
    hub_http_error(&r, 404, "not_found", "no such resource");
    return 0;
}

static void on_accept(uv_stream_t *listener, int status)
{
    hub_http_t *h = listener->data;
    if (status != 0)
        return;
    uv_tcp_t *conn = h2o_mem_alloc(sizeof *conn);
    uv_tcp_init(listener->loop, conn);
    if (uv_accept(listener, (uv_stream_t *)conn) != 0) {
        uv_close((uv_handle_t *)conn, (uv_close_cb)free);
        return;
    }
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)conn, (uv_close_cb)free);
    h2o_accept(&h->accept_ctx, sock);
}

mm_err_t hub_http_create(uv_loop_t *loop, const char *host, int port, hub_http_t **out)
{
    hub_http_t *h = calloc(1, sizeof *h);
    if (!h)
        return MM_ENOMEM;
    h->loop = loop;
    h2o_config_init(&h->config);
    h->config.max_request_entity_size = BODY_MAX;
    h2o_hostconf_t *host_conf =
        h2o_config_register_host(&h->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path_conf = h2o_config_register_path(host_conf, "/", 0);
    handler_t *handler = (handler_t *)h2o_create_handler(path_conf, sizeof *handler);
    handler->super.on_req = on_req;
    handler->http = h;
    h2o_context_init(&h->ctx, loop, &h->config);
    h->accept_ctx.ctx = &h->ctx;
    h->accept_ctx.hosts = h->config.hosts;

    struct sockaddr_storage addr;
    int rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&addr);
    if (rc != 0)
        rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr);
    if (rc != 0) {
        MM_ERROR("http: \"%s\" is not an IP address", host);
        free(h);
        return MM_EINVAL;
    }
    uv_tcp_init(loop, &h->listener);
    h->listener.data = h;
    rc = uv_tcp_bind(&h->listener, (struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&h->listener, 128, on_accept);
    if (rc != 0) {
        MM_ERROR("http: cannot listen on %s:%d: %s", host, port, uv_strerror(rc));
        /* h stays allocated: libh2o's context points into it (a start-up failure exits). */
        uv_close((uv_handle_t *)&h->listener, NULL);
        return MM_ENET;
    }
    struct sockaddr_storage bound;
    int blen = sizeof bound;
    uv_tcp_getsockname(&h->listener, (struct sockaddr *)&bound, &blen);
    h->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    *out = h;
    return MM_OK;
}

int hub_http_port(const hub_http_t *h)
{
    return h->port;
}

mm_err_t hub_http_tls_context(const char *cert, const char *key, SSL_CTX **out)
{
    char msg[600];
    mm_err_t err = mm_tls_server_context(cert, key, "http.tls.certificate", "http.tls.private_key",
                                         out, NULL, msg, sizeof msg);
    if (err != MM_OK)
        MM_ERROR("http: %s", msg);
    return err;
}

void hub_http_use_tls(hub_http_t *h, SSL_CTX *ssl, int hsts_max_age)
{
    h->ssl = ssl;
    h->accept_ctx.ssl_ctx = ssl;
    snprintf(h->hsts, sizeof h->hsts, "max-age=%d", hsts_max_age);
}

int hub_http_tls(const hub_http_t *h)
{
    return h->ssl != NULL;
}

mm_err_t hub_http_route(hub_http_t *h, const char *method, const char *pattern, unsigned roles,
                        hub_http_handler fn, void *arg)
{
    if (h->n_routes >= MAX_ROUTES || strlen(method) >= sizeof h->routes[0].method)
        return MM_EINVAL;
    route_t *r = &h->routes[h->n_routes];
    snprintf(r->method, sizeof r->method, "%s", method);
    r->pattern = strdup(pattern);
    if (!r->pattern)
        return MM_ENOMEM;
    r->fn = fn;
    r->arg = arg;
    r->roles = roles;
    h->n_routes++;
    return MM_OK;
}

static void on_listener_closed(uv_handle_t *handle)
{
    hub_http_t *h = handle->data;
    void (*done)(void *) = h->done;
    void *arg = h->done_arg;
    for (size_t i = 0; i < h->n_routes; i++)
        free(h->routes[i].pattern);
    /* A connection still open holds its own reference to the TLS context (OpenSSL counts). */
    SSL_CTX_free(h->ssl);
    h->ssl = NULL;
    /* Connections still open belong to libh2o until the loop ends; the context is left to
     * process exit rather than disposed under them. */
    if (done)
        done(arg);
}

void hub_http_close(hub_http_t *h, void (*done)(void *arg), void *arg)
{
    if (!h)
        return;
    while (h->streams) {
        hub_http_stream_t *s = h->streams;
        stream_end(s);
        s->finish = 1 + H2O_SEND_STATE_FINAL;
        if (s->in_flight)
            stream_unlink(s); /* left to libh2o, which calls stop or proceed, or to exit */
        else
            stream_flush(s);
    }
    h->done = done;
    h->done_arg = arg;
    uv_close((uv_handle_t *)&h->listener, on_listener_closed);
}
