/*
 * webhook.c: the alerts' HTTP POST sender (see webhook.h).
 *
 * One attempt at a time: resolve (uv_getaddrinfo on the thread pool), connect, write the whole
 * request, read until the status line is whole, then close. The timer bounds an attempt and,
 * between attempts that failed, waits the backoff. An attempt ends exactly once (end_attempt);
 * what it started still calls back afterwards (a cancelled resolution, a write cancelled by the
 * close) and finds the attempt over. The tcp handle is closed after every attempt and made anew
 * for the next, so that no byte of an old answer is read as a new one's.
 */
#include "edge/webhook.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/redact.h"

#define STATUS_LINE_MAX 512

/* --- parsing (pure) ------------------------------------------------------------------------- */

static int host_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.';
}

/* The authority "host[:port]" of len bytes into out. */
static int parse_authority(const char *a, size_t len, edge_webhook_url_t *out, char *why,
                           size_t cap)
{
    size_t hl;
    const char *rest;
    if (len && a[0] == '[') {
        const char *close = memchr(a, ']', len);
        if (!close || close - a - 1 >= EDGE_WEBHOOK_HOST_MAX) {
            snprintf(why, cap, "an IPv6 address goes between [ and ]");
            return -1;
        }
        hl = (size_t)(close - a - 1);
        memcpy(out->host, a + 1, hl);
        out->host[hl] = 0;
        unsigned char buf[16];
        if (inet_pton(AF_INET6, out->host, buf) != 1) {
            snprintf(why, cap, "\"%s\" is not an IPv6 address", out->host);
            return -1;
        }
        rest = close + 1;
    } else {
        const char *colon = memchr(a, ':', len);
        hl = colon ? (size_t)(colon - a) : len;
        if (hl == 0 || hl >= EDGE_WEBHOOK_HOST_MAX) {
            snprintf(why, cap, "needs a host after http://");
            return -1;
        }
        for (size_t i = 0; i < hl; i++)
            if (!host_char(a[i])) {
                snprintf(why, cap, "the host may hold only letters, digits, '-' and '.'");
                return -1;
            }
        memcpy(out->host, a, hl);
        out->host[hl] = 0;
        rest = a + hl;
    }
    size_t rl = len - (size_t)(rest - a);
    out->port = 80;
    if (rl == 0)
        return 0;
    if (rest[0] != ':' || rl < 2 || rl > 6) {
        snprintf(why, cap, "the port must be 1-65535 after ':'");
        return -1;
    }
    long port = 0;
    for (size_t i = 1; i < rl; i++) {
        if (rest[i] < '0' || rest[i] > '9') {
            snprintf(why, cap, "the port must be 1-65535 after ':'");
            return -1;
        }
        port = port * 10 + (rest[i] - '0');
    }
    if (port < 1 || port > 65535) {
        snprintf(why, cap, "the port must be 1-65535 after ':'");
        return -1;
    }
    out->port = (int)port;
    return 0;
}

int edge_webhook_url_parse(const char *text, edge_webhook_url_t *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (!strncmp(text, "https://", 8)) {
        snprintf(why, cap,
                 "only http:// is spoken (a receiver on the site's network, or a local relay "
                 "to an https one)");
        return -1;
    }
    if (strncmp(text, "http://", 7) != 0) {
        snprintf(why, cap, "must be an http:// URL, got \"%.80s\"", text);
        return -1;
    }
    const char *a = text + 7;
    for (const char *p = a; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '#' || *p == '@') {
            snprintf(why, cap,
                     "may hold no space, control character, non-ASCII byte, user "
                     "name ('@') or fragment ('#')");
            return -1;
        }
    size_t alen = strcspn(a, "/?");
    if (parse_authority(a, alen, out, why, cap) != 0)
        return -1;
    const char *path = a + alen;
    int n = snprintf(out->path, sizeof out->path, "%s%s", *path == '/' ? "" : "/", path);
    if (n < 0 || (size_t)n >= sizeof out->path) {
        snprintf(why, cap, "the path is longer than %d bytes", EDGE_WEBHOOK_PATH_MAX - 1);
        return -1;
    }
    return 0;
}

int edge_webhook_status(const char *buf, size_t len)
{
    static const char pre[] = "HTTP/1.";
    size_t i;
    for (i = 0; i < 7; i++) {
        if (i >= len)
            return 0;
        if (buf[i] != pre[i])
            return -1;
    }
    /* "HTTP/1.x NNN" */
    static const char *const shape[] = {"01", " ", "12345", "0123456789", "0123456789"};
    for (size_t k = 0; k < 5; k++, i++) {
        if (i >= len)
            return 0;
        if (!buf[i] || !strchr(shape[k], buf[i]))
            return -1;
    }
    int code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
    if (i >= len)
        return 0;
    if (buf[i] != ' ' && buf[i] != '\r' && buf[i] != '\n')
        return -1;
    for (; i < len && i < STATUS_LINE_MAX; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (ch == '\n')
            return code;
        if (ch == '\r') {
            if (i + 1 >= len)
                return 0;
            return buf[i + 1] == '\n' ? code : -1;
        }
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return -1;
    }
    return i >= STATUS_LINE_MAX ? -1 : 0;
}

/* --- the sender ----------------------------------------------------------------------------- */

typedef struct {
    char *body;
    size_t len;
} item_t;

struct edge_webhook {
    uv_loop_t *loop;
    edge_webhook_url_t url;
    char port[8];
    item_t q[EDGE_WEBHOOK_QUEUE];
    size_t head, n;
    uv_timer_t timer; /* an attempt's time limit; the wait before the next */
    uv_tcp_t tcp;
    uv_getaddrinfo_t gai;
    uv_connect_t connect;
    uv_write_t write;
    int tcp_open, resolving, timer_open;
    int busy;    /* an attempt runs */
    int ending;  /* it has ended; the tcp handle is closing */
    int waiting; /* the backoff timer runs */
    int ok;      /* how the ending attempt went */
    char *req;
    size_t req_len;
    char ans[STATUS_LINE_MAX + 1];
    size_t ans_len;
    uint64_t backoff_ms;
    int closing;
    edge_webhook_stats_t st;
};

static void start_attempt(edge_webhook_t *w);

static void maybe_free(edge_webhook_t *w)
{
    if (!w->closing || w->tcp_open || w->resolving || w->timer_open)
        return;
    free(w->req);
    free(w);
}

static void on_retry(uv_timer_t *t)
{
    start_attempt(t->data);
}

/* After an attempt: the next body, or the wait before trying this one again. */
static void after_attempt(edge_webhook_t *w)
{
    w->busy = w->ending = 0;
    free(w->req);
    w->req = NULL;
    if (w->closing) {
        maybe_free(w);
        return;
    }
    if (w->ok) {
        free(w->q[w->head].body);
        w->q[w->head].body = NULL;
        w->head = (w->head + 1) % EDGE_WEBHOOK_QUEUE;
        w->n--;
        w->st.sent++;
        w->st.last_error[0] = 0;
        w->backoff_ms = 0;
        if (w->n)
            start_attempt(w);
        return;
    }
    w->st.failures++;
    w->backoff_ms = w->backoff_ms ? w->backoff_ms * 2 : 1000;
    if (w->backoff_ms > EDGE_WEBHOOK_BACKOFF_MAX_MS)
        w->backoff_ms = EDGE_WEBHOOK_BACKOFF_MAX_MS;
    w->waiting = 1;
    uv_timer_start(&w->timer, on_retry, w->backoff_ms, 0);
}

static void tcp_closed(uv_handle_t *h)
{
    edge_webhook_t *w = h->data;
    w->tcp_open = 0;
    after_attempt(w);
}

/* Ends the attempt once: why NULL for a 2xx answer. */
static void end_attempt(edge_webhook_t *w, const char *why)
{
    if (!w->busy || w->ending)
        return;
    w->ending = 1;
    w->ok = why == NULL;
    if (why) {
        snprintf(w->st.last_error, sizeof w->st.last_error, "%s", why);
        char url[EDGE_WEBHOOK_HOST_MAX + EDGE_WEBHOOK_PATH_MAX + 16], shown[MM_REDACT_MAX];
        snprintf(url, sizeof url, "http://%s:%d%s", w->url.host, w->url.port, w->url.path);
        MM_WARN("alerts: the webhook %s: %s; trying again", mm_redact(url, shown, sizeof shown),
                why);
    }
    if (!w->closing)
        uv_timer_stop(&w->timer);
    if (w->resolving) {
        uv_cancel((uv_req_t *)&w->gai); /* its callback ends the attempt's tail */
        return;
    }
    if (w->tcp_open) {
        if (!uv_is_closing((uv_handle_t *)&w->tcp))
            uv_close((uv_handle_t *)&w->tcp, tcp_closed);
        return;
    }
    after_attempt(w);
}

static void on_timeout(uv_timer_t *t)
{
    end_attempt(t->data, "no answer within 10 s");
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    edge_webhook_t *w = h->data;
    (void)hint;
    *buf = uv_buf_init(w->ans + w->ans_len, (unsigned)(sizeof w->ans - 1 - w->ans_len));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    edge_webhook_t *w = s->data;
    (void)buf;
    if (nread > 0)
        w->ans_len += (size_t)nread;
    int code = edge_webhook_status(w->ans, w->ans_len);
    if (code == 0 && nread >= 0 && w->ans_len < sizeof w->ans - 1)
        return; /* more to come */
    char why[96];
    if (code >= 200 && code < 300) {
        end_attempt(w, NULL);
        return;
    }
    if (code > 0)
        snprintf(why, sizeof why, "the receiver answered %d", code);
    else if (code < 0 || w->ans_len)
        snprintf(why, sizeof why, "the answer is no HTTP/1 status line");
    else
        snprintf(why, sizeof why, "the receiver closed without answering");
    end_attempt(w, why);
}

static void on_written(uv_write_t *req, int status)
{
    edge_webhook_t *w = req->data;
    if (status < 0) {
        char why[96];
        snprintf(why, sizeof why, "cannot send: %s", uv_strerror(status));
        end_attempt(w, why);
    }
}

static void on_connect(uv_connect_t *req, int status)
{
    edge_webhook_t *w = req->data;
    char why[96];
    if (w->ending)
        return;
    if (status < 0) {
        snprintf(why, sizeof why, "cannot connect: %s", uv_strerror(status));
        end_attempt(w, why);
        return;
    }
    uv_buf_t b = uv_buf_init(w->req, (unsigned)w->req_len);
    w->write.data = w;
    int rc = uv_write(&w->write, (uv_stream_t *)&w->tcp, &b, 1, on_written);
    if (rc == 0)
        rc = uv_read_start((uv_stream_t *)&w->tcp, on_alloc, on_read);
    if (rc < 0) {
        snprintf(why, sizeof why, "cannot send: %s", uv_strerror(rc));
        end_attempt(w, why);
    }
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    edge_webhook_t *w = req->data;
    w->resolving = 0;
    char why[128];
    if (w->ending || w->closing) {
        uv_freeaddrinfo(res);
        if (w->closing)
            maybe_free(w);
        else
            after_attempt(w);
        return;
    }
    if (status < 0 || !res) {
        snprintf(why, sizeof why, "cannot resolve %.60s: %s", w->url.host, uv_strerror(status));
        uv_freeaddrinfo(res);
        end_attempt(w, why);
        return;
    }
    uv_tcp_init(w->loop, &w->tcp);
    w->tcp.data = w;
    w->tcp_open = 1;
    w->connect.data = w;
    int rc = uv_tcp_connect(&w->connect, &w->tcp, res->ai_addr, on_connect);
    uv_freeaddrinfo(res);
    if (rc < 0) {
        snprintf(why, sizeof why, "cannot connect: %s", uv_strerror(rc));
        end_attempt(w, why);
    }
}

/* The request for the body at the head of the queue. */
static int make_request(edge_webhook_t *w)
{
    const item_t *it = &w->q[w->head];
    char head[EDGE_WEBHOOK_PATH_MAX + EDGE_WEBHOOK_HOST_MAX + 256];
    int v6 = strchr(w->url.host, ':') != NULL;
    int n = snprintf(head, sizeof head,
                     "POST %s HTTP/1.1\r\nHost: %s%s%s:%d\r\nUser-Agent: mimamori-edge\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     w->url.path, v6 ? "[" : "", w->url.host, v6 ? "]" : "", w->url.port, it->len);
    if (n < 0 || (size_t)n >= sizeof head || !(w->req = malloc((size_t)n + it->len)))
        return -1;
    memcpy(w->req, head, (size_t)n);
    memcpy(w->req + n, it->body, it->len);
    w->req_len = (size_t)n + it->len;
    return 0;
}

static void start_attempt(edge_webhook_t *w)
{
    w->waiting = 0;
    if (w->closing || w->busy || !w->n)
        return;
    w->busy = 1;
    w->ending = 0;
    w->ans_len = 0;
    if (make_request(w) != 0) {
        end_attempt(w, "out of memory");
        return;
    }
    uv_timer_start(&w->timer, on_timeout, EDGE_WEBHOOK_TIMEOUT_MS, 0);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    w->gai.data = w;
    w->resolving = 1;
    int rc = uv_getaddrinfo(w->loop, &w->gai, on_resolved, w->url.host, w->port, &hints);
    if (rc < 0) {
        w->resolving = 0;
        char why[96];
        snprintf(why, sizeof why, "cannot resolve %.60s: %s", w->url.host, uv_strerror(rc));
        end_attempt(w, why);
    }
}

mm_err_t edge_webhook_create(uv_loop_t *loop, const edge_webhook_url_t *url, edge_webhook_t **out)
{
    edge_webhook_t *w = calloc(1, sizeof *w);
    if (!w)
        return MM_ENOMEM;
    w->loop = loop;
    w->url = *url;
    snprintf(w->port, sizeof w->port, "%d", url->port);
    uv_timer_init(loop, &w->timer);
    w->timer.data = w;
    w->timer_open = 1;
    *out = w;
    return MM_OK;
}

mm_err_t edge_webhook_post(edge_webhook_t *w, const char *body, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return MM_ENOMEM;
    memcpy(copy, body, len);
    if (w->n == EDGE_WEBHOOK_QUEUE) {
        /* The oldest goes, unless it is in flight: then the one after it. */
        size_t drop = w->busy ? 1 : 0;
        free(w->q[(w->head + drop) % EDGE_WEBHOOK_QUEUE].body);
        for (size_t k = drop; k + 1 < w->n; k++)
            w->q[(w->head + k) % EDGE_WEBHOOK_QUEUE] = w->q[(w->head + k + 1) % EDGE_WEBHOOK_QUEUE];
        w->n--;
        w->st.dropped++;
        MM_WARN("alerts: %d posts wait for the webhook; the oldest waiting is dropped",
                EDGE_WEBHOOK_QUEUE);
    }
    w->q[(w->head + w->n) % EDGE_WEBHOOK_QUEUE] = (item_t){copy, len};
    w->n++;
    if (!w->busy && !w->waiting)
        start_attempt(w);
    return MM_OK;
}

void edge_webhook_stats(const edge_webhook_t *w, edge_webhook_stats_t *out)
{
    *out = w->st;
    out->queued = w->n;
}

static void timer_closed(uv_handle_t *h)
{
    edge_webhook_t *w = h->data;
    w->timer_open = 0;
    maybe_free(w);
}

void edge_webhook_close(edge_webhook_t *w)
{
    if (!w)
        return;
    w->closing = 1;
    for (size_t i = 0; i < w->n; i++)
        free(w->q[(w->head + i) % EDGE_WEBHOOK_QUEUE].body);
    w->n = 0;
    uv_close((uv_handle_t *)&w->timer, timer_closed);
    if (w->busy)
        end_attempt(w, NULL);
}
