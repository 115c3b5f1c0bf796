/*
 * console_http.c: the console's web server on libh2o with TLS (see console_http.h).
 */
#include "edge/console_http.h"

#include <arpa/inet.h>
#include <h2o.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/httpparse.h"

#define H2O_ENTITY_MAX (1024 * 1024) /* libh2o itself refuses more; we refuse past BODY_MAX */
/* The common policy, and the live view's video from a MediaSource (a blob: URL of this page). */
#define CONSOLE_CSP MM_WWW_CSP "; media-src 'self' blob:"

typedef struct {
    char method[8];
    char *pattern;
    unsigned need;
    edge_http_handler fn;
    void *arg;
} route_t;

struct edge_http {
    uv_tcp_t listener;
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    int port;
    int https;
    int redirect_port; /* a redirector: the HTTPS port, else 0 */
    char host[EDGE_HOST_MAX];
    size_t n_routes;
    route_t routes[EDGE_HTTP_ROUTES];
    edge_http_guard guard;
    void *guard_arg;
    int conns;         /* connections open */
    int closing;       /* edge_http_close was called */
    int listener_open; /* until its close callback */
    uv_timer_t linger; /* at close: how long open connections may take to end */
};

/* A connection's handle, and the server it counts in (libh2o owns the handle's data). */
typedef struct {
    uv_tcp_t tcp;
    edge_http_t *http;
} conn_t;

#define QUIET_MS 100    /* from the last connection's end to the context's */
#define LINGER_MS 12000 /* longer than libh2o's idle keep-alive (10 s): then the loop is stopped   \
                         */

struct edge_http_req {
    edge_http_t *http;
    h2o_req_t *req;
    const char *query;
    size_t query_len;
    char *method, *path;
    mm_http_params_t params;
    void *data;
    int answered;
    edge_http_later_t *later;
};

struct edge_http_later {
    edge_http_req_t *r; /* NULL once the request is disposed of */
};

typedef struct {
    h2o_handler_t super;
    edge_http_t *http;
} handler_t;

/* --- answers -------------------------------------------------------------------------------- */

static void start_answer(edge_http_req_t *r, int status, const char *ctype, const char *cache)
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
    mm_www_security_headers(req, CONSOLE_CSP, r->http->https ? MM_WWW_HSTS : NULL);
    MM_DEBUG("console: %s %s -> %d", r->method, r->path, status);
}

void edge_http_text(edge_http_req_t *r, int status, const char *ctype, const char *data, size_t len)
{
    start_answer(r, status, ctype, "no-store");
    r->req->res.content_length = len; /* GET and HEAD carry the same Content-Length */
    if (!mm_www_head_only(r->req, len))
        h2o_send_inline(r->req, data, len);
}

void edge_http_json(edge_http_req_t *r, int status, json_t *body)
{
    char *text = mm_www_json_text(body);
    if (!text) {
        edge_http_text(r, 500, "application/json", MM_WWW_JSON_OOM, sizeof MM_WWW_JSON_OOM - 1);
        return;
    }
    edge_http_text(r, status, "application/json", text, strlen(text));
    free(text);
}

void edge_http_error(edge_http_req_t *r, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *body = mm_www_error_body(status, code, fmt, ap);
    va_end(ap);
    edge_http_json(r, status, body);
}

void edge_http_static(edge_http_req_t *r, const mm_www_file_t *f)
{
    static h2o_generator_t generator = {NULL, NULL}; /* the bytes outlive the request */
    h2o_req_t *req = r->req;
    char inm[512];
    int fresh =
        edge_http_header(r, "if-none-match", inm, sizeof inm) == 1 && strstr(inm, f->etag) != NULL;
    start_answer(r, fresh ? 304 : 200, fresh ? NULL : f->content_type, MM_WWW_CACHE);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ETAG, NULL, f->etag, strlen(f->etag));
    if (fresh) {
        h2o_send_inline(req, "", 0);
        return;
    }
    if (mm_www_head_only(req, f->len))
        return;
    req->res.content_length = f->len;
    h2o_iovec_t body = h2o_iovec_init(f->data, f->len);
    h2o_start_response(req, &generator);
    h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
}

void edge_http_see_other(edge_http_req_t *r, const char *location)
{
    edge_http_set_header(r, "location", location);
    edge_http_text(r, 303, "text/plain; charset=utf-8", "see other\n", 10);
}

void edge_http_set_header(edge_http_req_t *r, const char *name, const char *value)
{
    h2o_req_t *req = r->req;
    size_t n = strlen(name), v = strlen(value);
    h2o_add_header_by_str(&req->pool, &req->res.headers, h2o_strdup(&req->pool, name, n).base, n, 0,
                          NULL, h2o_strdup(&req->pool, value, v).base, v);
}

/* --- the request ---------------------------------------------------------------------------- */

const char *edge_http_param(const edge_http_req_t *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->params.n; i++)
        if (r->params.name_lens[i] == n && memcmp(r->params.names[i], name, n) == 0)
            return r->params.values[i];
    return NULL;
}

int edge_http_query(const edge_http_req_t *r, const char *name, char *out, size_t cap)
{
    return r->query ? mm_http_query_get(r->query, r->query_len, name, out, cap) : 0;
}

const char *edge_http_body(const edge_http_req_t *r, size_t *len)
{
    return mm_www_body(r->req, len);
}

int edge_http_header(const edge_http_req_t *r, const char *name, char *out, size_t cap)
{
    return mm_www_header(r->req, name, out, cap);
}

int edge_http_peer(const edge_http_req_t *r, char *out, size_t cap)
{
    return mm_www_peer(r->req, out, cap);
}

int edge_http_authority(const edge_http_req_t *r, char *out, size_t cap)
{
    const h2o_iovec_t *a = &r->req->authority;
    if (!a->base || !a->len)
        return 0;
    if (a->len >= cap)
        return -1;
    memcpy(out, a->base, a->len);
    out[a->len] = 0;
    return 1;
}

const char *edge_http_method(const edge_http_req_t *r)
{
    return r->method;
}

const char *edge_http_path(const edge_http_req_t *r)
{
    return r->path;
}

void edge_http_set_data(edge_http_req_t *r, void *data)
{
    r->data = data;
}

void *edge_http_data(const edge_http_req_t *r)
{
    return r->data;
}

/* The request's pool is cleared: a kept request is gone. */
static void req_disposed(void *p)
{
    edge_http_req_t *r = p;
    if (r->later)
        r->later->r = NULL;
}

edge_http_later_t *edge_http_defer(edge_http_req_t *r)
{
    edge_http_later_t *l = calloc(1, sizeof *l);
    if (!l) {
        edge_http_error(r, 503, "busy", "the edge is out of memory");
        return NULL;
    }
    l->r = r;
    r->later = l;
    r->answered = 1; /* by whoever resumes it */
    return l;
}

edge_http_req_t *edge_http_resume(edge_http_later_t *l)
{
    edge_http_req_t *r = l ? l->r : NULL;
    if (r)
        r->later = NULL;
    free(l);
    return r;
}

/* --- dispatch ------------------------------------------------------------------------------- */

/* GET routes that show footage or run an operation, logged as an access when they answer: HEAD
 * is not answered there (405), since it would log a viewing or an operation whose answer nobody
 * gets. */
static int head_refused(const char *pattern)
{
    static const char *const viewing[] = {"/api/live/{camera}", "/api/playback/{camera}",
                                          "/api/still/{camera}", "/api/op/{action}", NULL};
    for (size_t i = 0; viewing[i]; i++)
        if (strcmp(pattern, viewing[i]) == 0)
            return 1;
    return 0;
}

/* The route for r's path and method: answers 404 or 405 and returns NULL when there is none.
 * HEAD is answered by a GET route (the same status and headers, no body), but those above. */
static route_t *find_route(edge_http_t *h, edge_http_req_t *r, size_t plen)
{
    char allow[64] = "";
    int head = strcmp(r->method, "HEAD") == 0;
    for (size_t i = 0; i < h->n_routes; i++) {
        route_t *rt = &h->routes[i];
        if (!mm_http_match(rt->pattern, r->req->path.base, plen, &r->params))
            continue;
        if (strcmp(r->method, rt->method) == 0 ||
            (head && strcmp(rt->method, "GET") == 0 && !head_refused(rt->pattern)))
            return rt;
        size_t al = strlen(allow);
        snprintf(allow + al, sizeof allow - al, "%s%s", al ? ", " : "", rt->method);
    }
    if (allow[0]) {
        edge_http_set_header(r, "allow", allow);
        edge_http_error(r, 405, "method_not_allowed", "allowed: %s", allow);
    } else {
        edge_http_error(r, 404, "not_found", "no such resource");
    }
    return NULL;
}

/* A plain-HTTP request: 308 to the same path over HTTPS. */
static void redirect(edge_http_t *h, edge_http_req_t *r)
{
    char host[EDGE_HOST_MAX + 2], loc[MM_HTTP_PATH_MAX + 128];
    size_t n = r->req->authority.len;
    const char *a = r->req->authority.base;
    size_t hl = 0;
    if (n && a[0] == '[') { /* [v6]:port */
        const char *close = memchr(a, ']', n);
        hl = close ? (size_t)(close - a) + 1 : 0;
    } else {
        while (hl < n && a[hl] != ':')
            hl++;
    }
    int plain = hl > 0 && hl < sizeof host;
    for (size_t i = 0; plain && i < hl; i++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:",
                       a[i]) != NULL;
    if (plain)
        snprintf(host, sizeof host, "%.*s", (int)hl, a);
    else
        snprintf(host, sizeof host, strchr(h->host, ':') ? "[%s]" : "%s", h->host);
    snprintf(loc, sizeof loc, "https://%s:%d%s", host, h->redirect_port, r->path);
    edge_http_set_header(r, "location", loc);
    edge_http_text(r, 308, "text/plain; charset=utf-8", "this console is served over HTTPS\n", 34);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    edge_http_t *h = ((handler_t *)self)->http;
    edge_http_req_t *r = h2o_mem_alloc_shared(&req->pool, sizeof *r, req_disposed);
    memset(r, 0, sizeof *r);
    r->http = h;
    r->req = req;
    size_t plen = req->path.len;
    if (req->query_at != SIZE_MAX && req->query_at < plen) {
        r->query = req->path.base + req->query_at + 1;
        r->query_len = plen - req->query_at - 1;
        plen = req->query_at;
    }
    r->method = h2o_strdup(&req->pool, req->method.base, req->method.len).base;
    r->path = h2o_strdup(&req->pool, req->path.base, plen).base;
    const char *problem = mm_http_path_problem(req->path.base, plen);
    if (problem) {
        edge_http_error(r, 400, "bad_path", "%s", problem);
        return 0;
    }
    if (h->redirect_port) {
        redirect(h, r);
        return 0;
    }
    if (r->query_len > MM_HTTP_QUERY_MAX) {
        edge_http_error(r, 400, "bad_query", "the query is longer than %d bytes",
                        MM_HTTP_QUERY_MAX);
        return 0;
    }
    if (req->entity.base && req->entity.len > EDGE_HTTP_BODY_MAX) {
        edge_http_error(r, 413, "too_large", "the request body is larger than %d bytes",
                        EDGE_HTTP_BODY_MAX);
        return 0;
    }
    route_t *rt = find_route(h, r, plen);
    if (!rt)
        return 0;
    if (rt->need && h->guard && h->guard(h->guard_arg, r, rt->need) != 0)
        return 0;
    rt->fn(r, rt->arg);
    if (!r->answered)
        edge_http_error(r, 500, "internal", "the handler gave no answer");
    return 0;
}

/* --- the server ----------------------------------------------------------------------------- */

static void maybe_dispose(edge_http_t *h);

static void on_conn_closed(uv_handle_t *handle)
{
    conn_t *conn = (conn_t *)handle;
    edge_http_t *h = conn->http;
    free(conn);
    h->conns--;
    maybe_dispose(h);
}

static void on_accept(uv_stream_t *listener, int status)
{
    edge_http_t *h = listener->data;
    if (status != 0 || h->closing)
        return;
    conn_t *conn = h2o_mem_alloc(sizeof *conn);
    conn->http = h;
    uv_tcp_init(listener->loop, &conn->tcp);
    h->conns++;
    if (uv_accept(listener, (uv_stream_t *)&conn->tcp) != 0) {
        uv_close((uv_handle_t *)&conn->tcp, on_conn_closed);
        return;
    }
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)&conn->tcp, on_conn_closed);
    h2o_accept(&h->accept_ctx, sock);
}

static mm_err_t listen_on(uv_loop_t *loop, edge_http_t *h, const edge_listen_t *at, char *msg,
                          size_t cap)
{
    uv_tcp_init(loop, &h->listener);
    h->listener.data = h;
    h->listener_open = 1;
    struct sockaddr_storage addr;
    int rc = uv_ip4_addr(at->host, at->port, (struct sockaddr_in *)&addr);
    if (rc != 0)
        rc = uv_ip6_addr(at->host, at->port, (struct sockaddr_in6 *)&addr);
    if (rc != 0)
        return mm_errf(MM_EINVAL, msg, cap, "\"%s\" is not an IP address", at->host);
    rc = uv_tcp_bind(&h->listener, (struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&h->listener, 128, on_accept);
    if (rc != 0)
        return mm_errf(MM_ENET, msg, cap, "cannot listen on %s:%d: %s", at->host, at->port,
                       uv_strerror(rc));
    struct sockaddr_storage bound;
    int blen = sizeof bound;
    uv_tcp_getsockname(&h->listener, (struct sockaddr *)&bound, &blen);
    h->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                : ((struct sockaddr_in *)&bound)->sin_port);
    return MM_OK;
}

static mm_err_t create(uv_loop_t *loop, const edge_listen_t *at, SSL_CTX *ssl, edge_http_t **out,
                       char *msg, size_t cap)
{
    edge_http_t *h = calloc(1, sizeof *h);
    if (!h)
        return mm_errf(MM_ENOMEM, msg, cap, "out of memory");
    snprintf(h->host, sizeof h->host, "%s", at->host);
    h->https = ssl != NULL;
    h2o_config_init(&h->config);
    h->config.max_request_entity_size = H2O_ENTITY_MAX;
    h2o_hostconf_t *host_conf =
        h2o_config_register_host(&h->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path_conf = h2o_config_register_path(host_conf, "/", 0);
    handler_t *handler = (handler_t *)h2o_create_handler(path_conf, sizeof *handler);
    handler->super.on_req = on_req;
    handler->http = h;
    h2o_context_init(&h->ctx, loop, &h->config);
    h->accept_ctx.ctx = &h->ctx;
    h->accept_ctx.hosts = h->config.hosts;
    h->accept_ctx.ssl_ctx = ssl;
    mm_err_t err = listen_on(loop, h, at, msg, cap);
    if (err == MM_OK)
        *out = h;
    else /* closed as a running one is: libh2o's context holds handles that keep the loop */
        edge_http_close(h);
    return err;
}

mm_err_t edge_http_create(uv_loop_t *loop, const edge_listen_t *at, SSL_CTX *ssl, edge_http_t **out,
                          char *msg, size_t cap)
{
    return create(loop, at, ssl, out, msg, cap);
}

mm_err_t edge_http_redirector(uv_loop_t *loop, const edge_listen_t *at, int https_port,
                              edge_http_t **out, char *msg, size_t cap)
{
    mm_err_t err = create(loop, at, NULL, out, msg, cap);
    if (err == MM_OK)
        (*out)->redirect_port = https_port;
    return err;
}

int edge_http_port(const edge_http_t *h)
{
    return h->port;
}

void edge_http_set_guard(edge_http_t *h, edge_http_guard guard, void *arg)
{
    h->guard = guard;
    h->guard_arg = arg;
}

mm_err_t edge_http_route(edge_http_t *h, const char *method, const char *pattern, unsigned need,
                         edge_http_handler fn, void *arg)
{
    if (h->n_routes >= EDGE_HTTP_ROUTES || strlen(method) >= sizeof h->routes[0].method)
        return MM_EINVAL;
    route_t *r = &h->routes[h->n_routes];
    snprintf(r->method, sizeof r->method, "%s", method);
    if (!(r->pattern = strdup(pattern)))
        return MM_ENOMEM;
    r->need = need;
    r->fn = fn;
    r->arg = arg;
    h->n_routes++;
    return MM_OK;
}

/*
 * Closing: the listener closes, libh2o is asked to end its connections (HTTP/2 at once, an idle
 * HTTP/1.1 one at its keep-alive timeout), and once none is left the context is disposed of,
 * which closes libh2o's own handles, so that the edge's loop can end. Connections that outlive
 * LINGER_MS (a client that keeps a stream open) are left to the process's exit: the loop is
 * stopped, as the hub's is, with a warning.
 */
static void on_freed_timer(uv_handle_t *handle)
{
    edge_http_t *h = handle->data;
    for (size_t i = 0; i < h->n_routes; i++)
        free(h->routes[i].pattern);
    h2o_config_dispose(&h->config);
    free(h);
}

static void on_quiet(uv_timer_t *t)
{
    edge_http_t *h = t->data;
    /* Asking libh2o 2.2 to shut down arms an HTTP/2 grace timer that outlives the connections;
     * its context refuses to be disposed of with it armed. */
    if (h2o_timeout_is_linked(&h->ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&h->ctx.http2._graceful_shutdown_timeout);
    h2o_context_dispose(&h->ctx);
    uv_close((uv_handle_t *)&h->linger, on_freed_timer);
}

/* No connection left: what libh2o still has to do for the last ones (its zero timeouts) runs
 * first, then the context goes. */
static void maybe_dispose(edge_http_t *h)
{
    if (!h->closing || h->conns > 0 || h->listener_open || uv_is_closing((uv_handle_t *)&h->linger))
        return;
    uv_timer_start(&h->linger, on_quiet, QUIET_MS, 0);
}

static void on_listener_closed(uv_handle_t *handle)
{
    edge_http_t *h = handle->data;
    h->listener_open = 0;
    maybe_dispose(h);
}

static void on_linger(uv_timer_t *t)
{
    edge_http_t *h = t->data;
    MM_WARN("console: %d connection(s) still open %d s after closing; stopping the loop", h->conns,
            LINGER_MS / 1000);
    uv_stop(t->loop);
}

void edge_http_close(edge_http_t *h)
{
    if (!h || h->closing)
        return;
    h->closing = 1;
    uv_timer_init(h->listener.loop, &h->linger);
    h->linger.data = h;
    uv_timer_start(&h->linger, on_linger, LINGER_MS, 0);
    uv_unref((uv_handle_t *)&h->linger);
    h2o_context_request_shutdown(&h->ctx);
    uv_close((uv_handle_t *)&h->listener, on_listener_closed);
}

/* --- streamed answers ----------------------------------------------------------------------- */

/* Bytes the caller queued wait in pending; the ones handed to libh2o (which keeps the pointer
 * until it calls proceed) are in flight. libh2o's proceed or stop happening inside h2o_send is
 * put off to the loop's next turn (later), so the caller's callbacks never run inside its own
 * write or end. */
struct edge_http_stream {
    h2o_generator_t gen; /* first: libh2o hands it back */
    h2o_req_t *req;      /* NULL once the client has gone */
    h2o_context_t *ctx;
    char *pending, *inflight;
    size_t pending_len, pending_cap, inflight_len, inflight_cap;
    int sending; /* libh2o holds inflight and has not called proceed yet */
    int in_send; /* inside h2o_send */
    int ended, gone, gone_told;
    h2o_timeout_entry_t later;
    void (*on_drain)(void *arg);
    void (*on_gone)(void *arg);
    void *arg;
};

static void stream_free(edge_http_stream_t *s)
{
    if (h2o_timeout_is_linked(&s->later))
        h2o_timeout_unlink(&s->later);
    free(s->pending);
    free(s->inflight);
    free(s);
}

/* Hands what is pending to libh2o, while it is not holding bytes already. */
static void stream_flush(edge_http_stream_t *s)
{
    while (!s->sending && s->pending_len && !s->gone) {
        char *b = s->inflight;
        size_t cap = s->inflight_cap;
        s->inflight = s->pending;
        s->inflight_cap = s->pending_cap;
        s->inflight_len = s->pending_len;
        s->pending = b;
        s->pending_cap = cap;
        s->pending_len = 0;
        h2o_iovec_t iov = h2o_iovec_init(s->inflight, s->inflight_len);
        s->sending = s->in_send = 1;
        h2o_send(s->req, &iov, 1, H2O_SEND_STATE_IN_PROGRESS);
        s->in_send = 0;
    }
}

/* The last bytes, copied into the request's pool (libh2o reads them after s is gone). */
static void stream_finish(edge_http_stream_t *s)
{
    h2o_iovec_t iov = h2o_iovec_init(NULL, 0);
    if (s->pending_len) {
        iov.base = h2o_mem_alloc_pool(&s->req->pool, s->pending_len);
        memcpy(iov.base, s->pending, s->pending_len);
        iov.len = s->pending_len;
    }
    h2o_send(s->req, &iov, iov.len ? 1 : 0, H2O_SEND_STATE_FINAL);
    stream_free(s);
}

static void stream_tell_gone(edge_http_stream_t *s)
{
    if (s->gone_told)
        return;
    s->gone_told = 1;
    if (s->on_gone)
        s->on_gone(s->arg); /* may end s: nothing after this */
}

/* libh2o is ready for more (or the loop's turn after it said so inside h2o_send). */
static void stream_advance(edge_http_stream_t *s)
{
    if (s->ended)
        stream_finish(s);
    else if (s->pending_len)
        stream_flush(s);
    else if (s->on_drain)
        s->on_drain(s->arg); /* may write or end s: nothing after this */
}

static void stream_later(h2o_timeout_entry_t *entry)
{
    edge_http_stream_t *s = H2O_STRUCT_FROM_MEMBER(edge_http_stream_t, later, entry);
    if (s->gone)
        stream_tell_gone(s);
    else if (!s->sending)
        stream_advance(s);
}

static void stream_put_off(edge_http_stream_t *s)
{
    if (!h2o_timeout_is_linked(&s->later))
        h2o_timeout_link(s->ctx->loop, &s->ctx->zero_timeout, &s->later);
}

static void stream_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    (void)req;
    edge_http_stream_t *s = (edge_http_stream_t *)gen;
    s->sending = 0;
    s->inflight_len = 0;
    if (s->in_send)
        stream_put_off(s);
    else
        stream_advance(s);
}

static void stream_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    (void)req;
    edge_http_stream_t *s = (edge_http_stream_t *)gen;
    s->gone = 1;
    s->req = NULL;
    s->sending = 0;
    if (s->ended)
        stream_free(s);
    else if (s->in_send)
        stream_put_off(s);
    else
        stream_tell_gone(s);
}

edge_http_stream_t *edge_http_stream_start(edge_http_req_t *r, int status, const char *ctype)
{
    edge_http_stream_t *s = calloc(1, sizeof *s);
    if (!s) {
        edge_http_error(r, 503, "busy", "the edge is out of memory");
        return NULL;
    }
    s->gen.proceed = stream_proceed;
    s->gen.stop = stream_stop;
    s->req = r->req;
    s->ctx = r->req->conn->ctx;
    s->later.cb = stream_later;
    start_answer(r, status, ctype, "no-store");
    h2o_start_response(r->req, &s->gen);
    return s;
}

long edge_http_stream_write(edge_http_stream_t *s, const void *buf, size_t len)
{
    if (s->gone || s->ended)
        return -1;
    if (s->pending_len + len > s->pending_cap) {
        size_t cap = s->pending_cap ? s->pending_cap : 4096;
        while (cap < s->pending_len + len)
            cap *= 2;
        char *p = realloc(s->pending, cap);
        if (!p)
            return -1;
        s->pending = p;
        s->pending_cap = cap;
    }
    memcpy(s->pending + s->pending_len, buf, len);
    s->pending_len += len;
    stream_flush(s);
    return s->gone ? -1 : (long)(s->pending_len + s->inflight_len);
}

void edge_http_stream_notify(edge_http_stream_t *s, void (*on_drain)(void *arg),
                             void (*on_gone)(void *arg), void *arg)
{
    s->on_drain = on_drain;
    s->on_gone = on_gone;
    s->arg = arg;
}

void edge_http_stream_end(edge_http_stream_t *s)
{
    if (!s)
        return;
    if (h2o_timeout_is_linked(&s->later))
        h2o_timeout_unlink(&s->later);
    s->ended = 1;
    s->on_drain = NULL;
    s->on_gone = NULL;
    if (s->gone)
        stream_free(s);
    else if (!s->sending)
        stream_finish(s);
    /* else stream_proceed finishes it */
}
