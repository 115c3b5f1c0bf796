/*
 * rtsp.c: one RTSP session over a non-blocking TCP socket (see rtsp.h).
 *
 * One request is outstanding at a time while the session is set up (OPTIONS, DESCRIBE, SETUP,
 * PLAY); once playing, keep-alives are sent on time whether or not the last one was answered.
 * Responses are matched to requests by CSeq; a response to an older request is ignored.
 */
#include "edge/rtsp.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/redact.h"
#include "edge/resolve.h"
#include "edge/sdp.h"

#define IN_CAP (72 * 1024) /* a 64 KiB read plus the unfinished message before it */
#define READ_SIZE (64 * 1024)
#define READS_PER_STEP 8 /* then the other sessions of the thread get their turn */
#define OUT_CAP 4096
#define DEFAULT_TIMEOUT_S 60
#define ADDRS_MAX 4 /* a host's first addresses, tried in turn (an IPv6 one may not answer) */
#define STALE_MAX 3 /* answers to "stale" nonces in a row before a 401 is taken as a refusal */

typedef enum {
    ST_RESOLVING,
    ST_CONNECTING,
    ST_OPTIONS,
    ST_DESCRIBE,
    ST_SETUP,
    ST_PLAY,
    ST_PLAYING
} state_t;

struct edge_rtsp {
    int fd; /* the socket; while resolving, the resolver's descriptor */
    state_t state;
    edge_resolve_t *resolve;                 /* while the host name is resolved */
    struct sockaddr_storage addr[ADDRS_MAX]; /* the host's addresses, tried in turn */
    socklen_t addr_len[ADDRS_MAX];
    int n_addr, addr_i; /* addr_i: the next to try */
    edge_rtsp_url_t url;
    char *control; /* the SETUP URL */
    char session[128];
    int timeout_s;
    int get_parameter;      /* the server listed GET_PARAMETER */
    unsigned cseq, waiting; /* the last CSeq sent; the one whose answer the set-up waits for */
    edge_rtsp_challenge_t ch;
    int auth;      /* ch is to be answered on every request */
    int auth_sent; /* a request with our answer has been sent: a second 401 is a refusal */
    int stale;     /* 401s with stale=true answered (a new nonce, the password was right) */
    unsigned nc;
    char cnonce[33];
    uint8_t rtp_ch, rtcp_ch;
    uint8_t *in;
    size_t in_len;
    char out[OUT_CAP];
    size_t out_len, out_off;
    int64_t last_rx, next_keepalive;
    edge_rtp_t *rtp;
    edge_rtsp_stream_t st;
    int playing_known; /* st is valid */
    edge_rtsp_frame_fn fn;
    void *arg;
    int stop; /* fn asked to stop */
};

static mm_err_t say(mm_err_t err, char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static mm_err_t say(mm_err_t err, char *why, size_t cap, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return err;
}

static const char *method_of(state_t st)
{
    switch (st) {
    case ST_OPTIONS:
        return "OPTIONS";
    case ST_DESCRIBE:
        return "DESCRIBE";
    case ST_SETUP:
        return "SETUP";
    case ST_PLAY:
        return "PLAY";
    default:
        return "?";
    }
}

/* Queues a request (extra: further header lines, each ending in \r\n). */
static mm_err_t request(edge_rtsp_t *s, const char *method, const char *uri, const char *extra)
{
    char auth[1200] = "";
    if (s->auth) {
        char cnonce_hex[33];
        uint8_t r[16];
        if (mm_random(r, sizeof r) != MM_OK)
            return MM_ECRYPTO;
        mm_hex_encode(r, sizeof r, cnonce_hex, sizeof cnonce_hex);
        memcpy(s->cnonce, cnonce_hex, sizeof s->cnonce);
        char value[1100];
        mm_err_t err = edge_rtsp_authorization(&s->ch, s->url.user, s->url.pass, method, uri,
                                               s->cnonce, ++s->nc, value, sizeof value);
        if (err != MM_OK)
            return err;
        snprintf(auth, sizeof auth, "Authorization: %s\r\n", value);
        mm_wipe(value, sizeof value);
        s->auth_sent = 1;
    }
    char sess[160] = "";
    if (s->session[0])
        snprintf(sess, sizeof sess, "Session: %s\r\n", s->session);
    size_t room = OUT_CAP - s->out_len;
    int n = snprintf(s->out + s->out_len, room,
                     "%s %s RTSP/1.0\r\nCSeq: %u\r\nUser-Agent: mimamori\r\n%s%s%s\r\n", method,
                     uri, ++s->cseq, auth, sess, extra ? extra : "");
    mm_wipe(auth, sizeof auth);
    if (n < 0 || (size_t)n >= room)
        return MM_ETOOBIG;
    s->out_len += (size_t)n;
    return MM_OK;
}

static mm_err_t send_state(edge_rtsp_t *s, state_t st)
{
    s->state = st;
    mm_err_t err;
    switch (st) {
    case ST_OPTIONS:
        err = request(s, "OPTIONS", s->url.request, NULL);
        break;
    case ST_DESCRIBE:
        err = request(s, "DESCRIBE", s->url.request, "Accept: application/sdp\r\n");
        break;
    case ST_SETUP:
        err = request(s, "SETUP", s->control, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
        break;
    default:
        err = request(s, "PLAY", s->url.request, "Range: npt=0.000-\r\n");
        break;
    }
    s->waiting = s->cseq;
    return err;
}

/* Writes what is queued; MM_OK also when the socket is full. */
static mm_err_t flush(edge_rtsp_t *s, char *why, size_t cap)
{
    while (s->out_off < s->out_len) {
        ssize_t n = send(s->fd, s->out + s->out_off, s->out_len - s->out_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return MM_OK;
        if (n < 0)
            return say(MM_ENET, why, cap, "cannot send to the camera: %s", strerror(errno));
        s->out_off += (size_t)n;
    }
    s->out_off = s->out_len = 0;
    return MM_OK;
}

/* The best challenge of a 401 in *best (Digest over Basic); 0 when it has none we can answer. */
static int best_challenge(const edge_rtsp_msg_t *m, edge_rtsp_challenge_t *best)
{
    int found = 0;
    for (size_t i = 0; i < m->n_headers; i++) {
        const edge_rtsp_header_t *h = &m->headers[i];
        edge_rtsp_challenge_t c;
        if (h->name_len != 16 || strncasecmp(h->name, "WWW-Authenticate", 16) != 0 ||
            edge_rtsp_challenge_parse(h->value, h->value_len, &c) != MM_OK)
            continue;
        if (!found || (c.digest && !best->digest))
            *best = c;
        found = 1;
        mm_wipe(&c, sizeof c);
    }
    return found;
}

/* A 401 to a keep-alive while playing: the stream goes on; a new Digest nonce is taken for the
 * keep-alives that follow. */
static void keepalive_401(edge_rtsp_t *s, const edge_rtsp_msg_t *m)
{
    edge_rtsp_challenge_t best;
    if (s->auth && best_challenge(m, &best) && best.digest && s->ch.digest) {
        s->ch = best;
        s->nc = 0;
    }
    mm_wipe(&best, sizeof best);
}

/* A 401: answers it once with the best scheme offered; again only when the camera says the
 * nonce went stale (the password was right), a few times at most. */
static mm_err_t on_401(edge_rtsp_t *s, const edge_rtsp_msg_t *m, char *why, size_t cap)
{
    edge_rtsp_challenge_t best;
    int found = best_challenge(m, &best);
    int stale = found && best.digest && best.stale && s->auth_sent && s->stale < STALE_MAX;
    if ((s->auth_sent && !stale) || !s->url.user[0]) {
        mm_wipe(&best, sizeof best);
        return say(MM_EDENIED, why, cap, "the camera refused the login (%s answered 401%s)",
                   method_of(s->state), s->url.user[0] ? "" : "; the URL has no user");
    }
    if (!found)
        return say(MM_EDENIED, why, cap,
                   "the camera asks for a login in a way we cannot answer (401 without a Basic "
                   "or MD5 Digest challenge)");
    s->stale = stale ? s->stale + 1 : 0;
    s->ch = best;
    s->nc = 0; /* a new nonce counts from 1 */
    mm_wipe(&best, sizeof best);
    s->auth = 1;
    return send_state(s, s->state);
}

/* A request from the camera (some send OPTIONS or SET_PARAMETER as keep-alives of their own, and
 * drop a client that does not answer): answered 200 for OPTIONS, GET_PARAMETER and a
 * SET_PARAMETER with no parameters, 451 for parameters we do not take, 501 for the rest. */
static mm_err_t on_request(edge_rtsp_t *s, const edge_rtsp_msg_t *m)
{
    static const char *const ok[] = {"OPTIONS", "GET_PARAMETER", "SET_PARAMETER"};
    int code = 501;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (m->method_len == strlen(ok[i]) && memcmp(m->method, ok[i], m->method_len) == 0)
            code = i == 2 && m->len > 0 ? 451 : 200;
    size_t n;
    const char *cs = edge_rtsp_header(m, "CSeq", &n);
    char cseq[32] = "";
    if (cs && n < 16)
        snprintf(cseq, sizeof cseq, "CSeq: %.*s\r\n", (int)n, cs);
    size_t room = OUT_CAP - s->out_len;
    int w = snprintf(s->out + s->out_len, room, "RTSP/1.0 %d %s\r\n%s%s\r\n", code,
                     code == 200   ? "OK"
                     : code == 451 ? "Parameter Not Understood"
                                   : "Not Implemented",
                     cseq, code == 200 ? "Public: OPTIONS, GET_PARAMETER, SET_PARAMETER\r\n" : "");
    if (w < 0 || (size_t)w >= room)
        return MM_ETOOBIG;
    s->out_len += (size_t)w;
    return MM_OK;
}

/* The stream DESCRIBE's SDP names: the depacketiser made, the SETUP URL kept. */
static mm_err_t use_sdp(edge_rtsp_t *s, const char *body, size_t len, const char *base, char *why,
                        size_t cap)
{
    edge_sdp_t *sdp = malloc(sizeof *sdp);
    if (!sdp)
        return MM_ENOMEM;
    char w[200];
    mm_err_t err = edge_sdp_parse(body, len, base, sdp, w, sizeof w);
    if (err != MM_OK) {
        free(sdp);
        return say(MM_EMEDIA, why, cap, "the camera's stream description: %s", w);
    }
    if (sdp->sprop_invalid)
        MM_WARN("%s: the camera's SDP has parameter sets that cannot be read; waiting for them in "
                "band",
                s->url.host);
    s->st.codec = sdp->codec == EDGE_RTP_H265 ? "hevc" : "h264";
    s->st.clock_rate = sdp->clock_rate;
    s->control = strdup(sdp->control);
    err = s->control ? edge_rtp_create(sdp->codec, sdp->payload_type, sdp->clock_rate, sdp->sprop,
                                       sdp->sprop_len, &s->rtp)
                     : MM_ENOMEM;
    free(sdp);
    return err == MM_OK ? MM_OK
                        : say(err, why, cap, "cannot read the stream: %s", mm_strerror(err));
}

static mm_err_t on_describe(edge_rtsp_t *s, const edge_rtsp_msg_t *m, char *why, size_t cap)
{
    size_t bl = 0;
    const char *base = edge_rtsp_header(m, "Content-Base", &bl);
    if (!base)
        base = edge_rtsp_header(m, "Content-Location", &bl);
    char b[1024];
    if (base && bl < sizeof b)
        snprintf(b, sizeof b, "%.*s", (int)bl, base);
    else
        snprintf(b, sizeof b, "%s", s->url.request);
    return use_sdp(s, (const char *)m->data, m->len, b, why, cap);
}

/* "id;timeout=60" -> session and timeout. */
static void session_header(edge_rtsp_t *s, const edge_rtsp_msg_t *m)
{
    size_t n;
    const char *v = edge_rtsp_header(m, "Session", &n);
    if (!v)
        return;
    const char *semi = memchr(v, ';', n);
    size_t idl = semi ? (size_t)(semi - v) : n;
    snprintf(s->session, sizeof s->session, "%.*s", (int)(idl < 127 ? idl : 127), v);
    if (semi) {
        char rest[64];
        snprintf(rest, sizeof rest, "%.*s", (int)(n - idl), semi);
        const char *t = strcasestr(rest, "timeout=");
        int to = t ? atoi(t + 8) : 0;
        if (to >= 2 && to <= 3600)
            s->timeout_s = to;
    }
}

/* Transport: ...;interleaved=a-b -> the channels the server chose. */
static void transport_header(edge_rtsp_t *s, const edge_rtsp_msg_t *m)
{
    size_t n;
    const char *v = edge_rtsp_header(m, "Transport", &n);
    char t[256];
    if (!v || n >= sizeof t)
        return;
    snprintf(t, sizeof t, "%.*s", (int)n, v);
    const char *i = strstr(t, "interleaved=");
    int a, b;
    if (i && sscanf(i + 12, "%d-%d", &a, &b) == 2 && a >= 0 && a < 256 && b >= 0 && b < 256) {
        s->rtp_ch = (uint8_t)a;
        s->rtcp_ch = (uint8_t)b;
    } else if (i && sscanf(i + 12, "%d", &a) == 1 && a >= 0 && a < 255) {
        s->rtp_ch = (uint8_t)a;
        s->rtcp_ch = (uint8_t)(a + 1);
    }
}

static mm_err_t on_response(edge_rtsp_t *s, const edge_rtsp_msg_t *m, int64_t now, char *why,
                            size_t cap)
{
    size_t n;
    const char *cs = edge_rtsp_header(m, "CSeq", &n);
    unsigned cseq = cs ? (unsigned)strtoul(cs, NULL, 10) : s->waiting;
    if (s->state == ST_PLAYING && m->status == 401)
        keepalive_401(s, m);
    if (m->status / 100 == 2)
        s->stale = 0; /* a login that went through: stale nonces are counted afresh */
    if (s->state == ST_PLAYING || cseq != s->waiting)
        return MM_OK; /* a keep-alive's answer, or an old one */
    if (m->status == 401)
        return on_401(s, m, why, cap);
    if (s->state == ST_OPTIONS) {
        const char *pub = edge_rtsp_header(m, "Public", &n);
        char p[512];
        snprintf(p, sizeof p, "%.*s", (int)(pub && n < sizeof p ? n : 0), pub ? pub : "");
        s->get_parameter = m->status / 100 == 2 && strcasestr(p, "GET_PARAMETER") != NULL;
        return send_state(s, ST_DESCRIBE); /* a failed OPTIONS is no reason to give up */
    }
    if (m->status / 100 != 2)
        return say(MM_ENET, why, cap, "the camera answered %s with %d", method_of(s->state),
                   m->status);
    mm_err_t err = MM_OK;
    switch (s->state) {
    case ST_DESCRIBE:
        err = on_describe(s, m, why, cap);
        return err == MM_OK ? send_state(s, ST_SETUP) : err;
    case ST_SETUP:
        session_header(s, m);
        transport_header(s, m);
        if (!s->session[0])
            return say(MM_EPROTO, why, cap, "the camera answered SETUP without a Session");
        return send_state(s, ST_PLAY);
    default: /* PLAY */
        s->state = ST_PLAYING;
        s->playing_known = 1;
        s->next_keepalive = now + (int64_t)s->timeout_s * 500000;
        return MM_OK;
    }
}

static void on_rtp_frame(void *arg, const edge_rtp_frame_t *f)
{
    edge_rtsp_t *s = arg;
    if (!s->stop && s->fn(s->arg, &s->st, f))
        s->stop = 1;
}

/* Takes every whole message from the input buffer. */
static mm_err_t consume(edge_rtsp_t *s, int64_t now, char *why, size_t cap)
{
    size_t off = 0;
    mm_err_t err = MM_OK;
    while (err == MM_OK && !s->stop) {
        edge_rtsp_msg_t m;
        char w[128];
        long rc = edge_rtsp_parse(s->in + off, s->in_len - off, &m, w, sizeof w);
        if (rc < 0) {
            err = say((mm_err_t)rc, why, cap, "the camera sent something we cannot read: %s", w);
            break;
        }
        if (rc == 0)
            break;
        off += (size_t)rc;
        if (m.kind == EDGE_RTSP_RESPONSE)
            err = on_response(s, &m, now, why, cap);
        else if (m.kind == EDGE_RTSP_REQUEST && on_request(s, &m) != MM_OK)
            err = say(MM_EPROTO, why, cap, "the camera sent requests faster than we answer");
        else if (m.kind == EDGE_RTSP_FRAME && s->rtp && m.channel == s->rtp_ch)
            edge_rtp_packet(s->rtp, m.data, m.len, on_rtp_frame, s); /* a bad packet is skipped */
        else if (m.kind == EDGE_RTSP_FRAME && s->rtp && m.channel == s->rtcp_ch)
            edge_rtp_rtcp(s->rtp, m.data, m.len);
    }
    if (off > 0) {
        memmove(s->in, s->in + off, s->in_len - off);
        s->in_len -= off;
    }
    return err;
}

static mm_err_t read_some(edge_rtsp_t *s, int64_t now, char *why, size_t cap)
{
    for (int i = 0; i < READS_PER_STEP && !s->stop; i++) {
        size_t room = IN_CAP - s->in_len;
        if (room > READ_SIZE)
            room = READ_SIZE;
        ssize_t n = recv(s->fd, s->in + s->in_len, room, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return MM_OK;
        if (n < 0)
            return say(MM_ENET, why, cap, "reading from the camera failed: %s", strerror(errno));
        if (n == 0)
            return say(MM_ECLOSED, why, cap, "the camera closed the connection");
        s->in_len += (size_t)n;
        s->last_rx = now;
        mm_err_t err = consume(s, now, why, cap);
        if (err != MM_OK)
            return err;
        if (s->in_len == IN_CAP)
            return say(MM_EPROTO, why, cap, "the camera sent a message we cannot read");
        if ((size_t)n < room)
            return MM_OK;
    }
    return MM_OK;
}

/* Begins the non-blocking connect to the next of the host's addresses; last says why the one
 * before failed. The new socket is made before the old one is closed, so that its number differs
 * (the reader thread watches the number: rtsp.h). */
static mm_err_t connect_next(edge_rtsp_t *s, int last, char *why, size_t cap)
{
    while (s->addr_i < s->n_addr) {
        int i = s->addr_i++;
        int fd = socket(s->addr[i].ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return say(MM_ENET, why, cap, "cannot make a socket: %s", strerror(errno));
        if (s->fd >= 0 && !s->resolve)
            close(s->fd);
        s->fd = fd;
        s->state = ST_CONNECTING;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, (const struct sockaddr *)&s->addr[i], s->addr_len[i]) == 0 ||
            errno == EINPROGRESS)
            return MM_OK;
        last = errno;
    }
    return say(MM_ENET, why, cap, "cannot connect to the camera: %s", strerror(last));
}

/* Keeps the first addresses of res and begins connecting to them. */
static mm_err_t connect_to(edge_rtsp_t *s, const struct addrinfo *res, char *why, size_t cap)
{
    s->n_addr = s->addr_i = 0;
    for (; res && s->n_addr < ADDRS_MAX; res = res->ai_next) {
        if (res->ai_addrlen > sizeof s->addr[0])
            continue;
        memcpy(&s->addr[s->n_addr], res->ai_addr, res->ai_addrlen);
        s->addr_len[s->n_addr++] = res->ai_addrlen;
    }
    return connect_next(s, EADDRNOTAVAIL, why, cap);
}

/* An address is connected to at once; a name is resolved off this thread first (resolve.h). */
static mm_err_t start_connect(edge_rtsp_t *s, char *why, size_t cap)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV},
                    *res = NULL;
    char port[8];
    snprintf(port, sizeof port, "%u", s->url.port);
    int rc = getaddrinfo(s->url.host, port, &hints, &res);
    if (rc == 0) {
        mm_err_t err = connect_to(s, res, why, cap);
        freeaddrinfo(res);
        return err;
    }
    if (rc != EAI_NONAME)
        return say(MM_ENET, why, cap, "cannot use the address %s: %s", s->url.host,
                   gai_strerror(rc));
    if (edge_resolve_start(s->url.host, s->url.port, &s->resolve) != MM_OK)
        return say(MM_ENET, why, cap, "cannot start resolving %s", s->url.host);
    s->state = ST_RESOLVING;
    s->fd = edge_resolve_fd(s->resolve);
    return MM_OK;
}

/* The name is resolved, or not yet: the connect begins, or the session waits. */
static mm_err_t resolved(edge_rtsp_t *s, char *why, size_t cap)
{
    const struct addrinfo *res;
    int gai;
    if (!edge_resolve_done(s->resolve, &res, &gai))
        return MM_OK;
    mm_err_t err =
        res ? connect_to(s, res, why, cap)
            : say(MM_ENET, why, cap, "cannot resolve %s: %s", s->url.host, gai_strerror(gai));
    if (s->fd == edge_resolve_fd(s->resolve))
        s->fd = -1; /* the resolver's descriptor goes with it */
    edge_resolve_free(s->resolve);
    s->resolve = NULL;
    return err;
}

/* The connect's outcome, once the socket says it (a step for a deadline may come before). */
static mm_err_t connected(edge_rtsp_t *s, char *why, size_t cap)
{
    struct pollfd p = {.fd = s->fd, .events = POLLOUT};
    if (poll(&p, 1, 0) == 0)
        return MM_OK; /* still connecting */
    int e = 0;
    socklen_t el = sizeof e;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
        e = errno;
    if (e == EINPROGRESS)
        return MM_OK;
    if (e != 0)
        return connect_next(s, e, why, cap);
    return send_state(s, ST_OPTIONS);
}

mm_err_t edge_rtsp_step(edge_rtsp_t *s, int64_t now, char *why, size_t cap)
{
    mm_err_t err = MM_OK;
    if (s->state == ST_RESOLVING) { /* the connect, if begun, completes with the socket's event */
        err = resolved(s, why, cap);
        if (err == MM_OK && s->state == ST_RESOLVING &&
            now - s->last_rx > EDGE_RTSP_READ_DEADLINE_US)
            err = say(MM_ETIMEDOUT, why, cap, "%s did not resolve in %d s", s->url.host,
                      EDGE_RTSP_READ_DEADLINE_US / 1000000);
        return err;
    }
    if (s->state == ST_CONNECTING)
        err = connected(s, why, cap);
    if (err == MM_OK && s->state != ST_CONNECTING)
        err = read_some(s, now, why, cap);
    if (err == MM_OK && s->stop)
        err = say(MM_ECLOSED, why, cap, "the recording stopped reading the camera");
    if (err == MM_OK && now - s->last_rx > EDGE_RTSP_READ_DEADLINE_US)
        err = say(MM_ETIMEDOUT, why, cap, "nothing from the camera for %d s%s",
                  EDGE_RTSP_READ_DEADLINE_US / 1000000,
                  s->state == ST_PLAYING ? "" : " while setting up the stream");
    if (err == MM_OK && s->state == ST_PLAYING && now >= s->next_keepalive) {
        err = request(s, s->get_parameter ? "GET_PARAMETER" : "OPTIONS", s->url.request, NULL);
        s->next_keepalive = now + (int64_t)s->timeout_s * 500000;
    }
    if (err == MM_OK && s->state != ST_CONNECTING)
        err = flush(s, why, cap);
    return err;
}

int edge_rtsp_fd(const edge_rtsp_t *s)
{
    return s->fd;
}

uint32_t edge_rtsp_events(const edge_rtsp_t *s)
{
    if (s->state == ST_RESOLVING)
        return EPOLLIN;
    return EPOLLIN | (s->state == ST_CONNECTING || s->out_len > s->out_off ? EPOLLOUT : 0);
}

int64_t edge_rtsp_deadline(const edge_rtsp_t *s)
{
    int64_t d = s->last_rx + EDGE_RTSP_READ_DEADLINE_US + 1;
    if (s->state == ST_PLAYING && s->next_keepalive < d)
        d = s->next_keepalive;
    return d;
}

const edge_rtsp_stream_t *edge_rtsp_stream(const edge_rtsp_t *s)
{
    return s->playing_known ? &s->st : NULL;
}

mm_err_t edge_rtsp_open(const char *url, int64_t now, edge_rtsp_frame_fn fn, void *arg,
                        edge_rtsp_t **out, char *why, size_t cap)
{
    edge_rtsp_t *s = calloc(1, sizeof *s);
    if (!s)
        return MM_ENOMEM;
    s->fd = -1;
    s->fn = fn;
    s->arg = arg;
    s->timeout_s = DEFAULT_TIMEOUT_S;
    s->rtcp_ch = 1;
    s->last_rx = now;
    mm_err_t err = edge_rtsp_url_parse(url, &s->url, why, cap);
    if (err == MM_OK && !(s->in = malloc(IN_CAP)))
        err = MM_ENOMEM;
    if (err == MM_OK)
        err = start_connect(s, why, cap);
    if (err != MM_OK) {
        edge_rtsp_close(s);
        return err;
    }
    *out = s;
    return MM_OK;
}

void edge_rtsp_close(edge_rtsp_t *s)
{
    if (!s)
        return;
    if (s->fd >= 0 && s->session[0] && s->state >= ST_PLAY) {
        s->out_len = s->out_off = 0;
        if (request(s, "TEARDOWN", s->url.request, NULL) == MM_OK)
            (void)!send(s->fd, s->out, s->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    if (s->resolve)
        edge_resolve_free(s->resolve); /* its descriptor is s->fd, closed with it */
    else if (s->fd >= 0)
        close(s->fd);
    edge_rtp_destroy(s->rtp);
    free(s->control);
    free(s->in);
    mm_wipe(&s->url, sizeof s->url);
    mm_wipe(&s->ch, sizeof s->ch);
    free(s);
}
