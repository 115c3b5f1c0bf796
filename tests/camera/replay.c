/*
 * replay.c: mimamori-testcam --replay, a camera server of our own (see replay.h).
 *
 * The quirks (--quirk, repeatable) make it behave as cameras do that mimamori must cope with:
 *   no-sprop          the SDP has no parameter sets: they come in-band only (before keyframes)
 *   late-params       no parameter sets in the SDP, none before a client's first keyframe: they
 *                     come once, before its second keyframe
 *   ignore-keepalive  GET_PARAMETER and OPTIONS get no answer once the client plays
 *   ts-jump           the RTP timestamp leaps forward by 10 minutes once, 5 s into playing
 *   digest            --auth asks for Digest (MD5) instead of Basic
 *   stale-nonce       (with digest) at a client's first PLAY the nonce is renewed and the PLAY
 *                     answered 401 with stale=TRUE: the client must answer the new nonce
 *   server-ping       the server sends each playing client an OPTIONS request with every sender
 *                     report (5 s) and drops a client that has not answered the one before
 * A client whose socket does not take what is due keeps a backlog in memory; over
 * BACKLOG_MAX it is dropped, as a camera drops a viewer that does not read.
 */
#include "tests/camera/replay.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "tests/camera/rtpfile.h"
#include "tests/camera/rtspauth.h"
#include "tests/camera/rtspreq.h"

#define PT 96
#define SR_EVERY_US 5000000
#define JUMP_AFTER_US 5000000
#define JUMP_90K (600LL * 90000)
#define BACKLOG_MAX (8u << 20)
#define BATCH 512 /* packets per writev: two iovecs each, IOV_MAX is 1024 */
#define IN_MAX 16384

enum {
    Q_NO_SPROP = 1,
    Q_LATE_PARAMS = 2,
    Q_IGNORE_KEEPALIVE = 4,
    Q_TS_JUMP = 8,
    Q_DIGEST = 16,
    Q_STALE_NONCE = 32,
    Q_SERVER_PING = 64,
};
static const char *const quirk_names[] = {"no-sprop", "late-params", "ignore-keepalive", "ts-jump",
                                          "digest",   "stale-nonce", "server-ping"};

enum { ST_INIT, ST_READY, ST_PLAYING, ST_DONE };

typedef struct {
    int fd, stream, state, closing, ch;
    char in[IN_MAX];
    size_t in_len, skip; /* skip: bytes of a client's interleaved frame still to drop */
    uint8_t *out;        /* backlog: bytes due that the socket has not taken */
    size_t out_off, out_len, out_cap;
    char session[17];
    uint32_t ssrc, ts_base, pkt_count, octet_count;
    uint16_t seq;
    int64_t origin_us, loops, jump90, next_sr_us;
    int64_t play_us; /* when it sent PLAY */
    size_t au, idx;
    int jumped, keys;
    int staled;    /* stale-nonce: its PLAY was answered stale once */
    int ping_out;  /* server-ping: an OPTIONS of ours is unanswered */
    long ping_seq; /* server-ping: the CSeq of our last */
} client_t;

typedef struct {
    const char *port, *file, *auth;
    char **names;
    int nnames, loop, shared, quirks;
    int64_t start_us; /* the shared clock's origin (--shared-clock) */
    tc_rtpfile_t f;
    tc_auth_t login;
    char fmtp[4096];
    int ep, lfd, sfd;
    client_t **clients;
    size_t nclients, cap;
    int64_t late_max_us; /* the longest an access unit waited past its time */
} server_t;

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint32_t rand32(void)
{
    uint32_t r;
    if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
        r = (uint32_t)mono_us() * 2654435761u;
    return r;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* --- clients: the backlog and writes -----------------------------------------------------------*/

static void close_client(server_t *s, client_t *c)
{
    epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    s->clients[c->idx] = s->clients[--s->nclients];
    s->clients[c->idx]->idx = c->idx;
    free(c->out);
    free(c);
}

static void want_out(server_t *s, client_t *c, int on)
{
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Appends iov[] from byte skip on to the backlog. -1 when it would pass BACKLOG_MAX. */
static int backlog(client_t *c, const struct iovec *iov, int cnt, size_t skip)
{
    for (int i = 0; i < cnt; i++) {
        size_t len = iov[i].iov_len;
        if (skip >= len) {
            skip -= len;
            continue;
        }
        len -= skip;
        if (c->out_off && c->out_off == c->out_len)
            c->out_off = c->out_len = 0;
        if (c->out_len + len > c->out_cap) {
            if (c->out_len - c->out_off + len > BACKLOG_MAX) {
                fprintf(stderr, "mimamori-testcam: a client of %s does not read: dropped\n",
                        c->state == ST_INIT ? "no stream" : "a stream");
                return -1;
            }
            memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
            c->out_len -= c->out_off, c->out_off = 0;
            size_t cap = c->out_cap ? c->out_cap : 65536;
            while (cap < c->out_len + len)
                cap *= 2;
            uint8_t *p = realloc(c->out, cap);
            if (!p)
                return -1;
            c->out = p, c->out_cap = cap;
        }
        memcpy(c->out + c->out_len, (const uint8_t *)iov[i].iov_base + skip, len);
        c->out_len += len;
        skip = 0;
    }
    return 0;
}

/* Sends iov[] (or queues it behind the backlog). -1 when the client is to be dropped. */
static int send_iov(server_t *s, client_t *c, const struct iovec *iov, int cnt)
{
    size_t total = 0, done = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].iov_len;
    if (c->out_len == c->out_off) {
        ssize_t n = writev(c->fd, iov, cnt);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        done = n > 0 ? (size_t)n : 0;
        if (done == total)
            return 0;
        want_out(s, c, 1);
    }
    return backlog(c, iov, cnt, done);
}

static int flush_backlog(server_t *s, client_t *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        c->out_off += (size_t)n;
    }
    c->out_off = c->out_len = 0;
    want_out(s, c, 0);
    return c->closing ? -1 : 0;
}

/* --- RTP and RTCP ------------------------------------------------------------------------------*/

typedef struct {
    struct iovec iov[2 * BATCH];
    uint8_t hdr[BATCH][4 + TC_RTP_HDR];
    int n;
} batch_t;

static int batch_flush(server_t *s, client_t *c, batch_t *b)
{
    int rc = b->n ? send_iov(s, c, b->iov, 2 * b->n) : 0;
    b->n = 0;
    return rc;
}

static int batch_add(server_t *s, client_t *c, batch_t *b, const tc_pkt_t *p, uint32_t ts)
{
    if (b->n == BATCH && batch_flush(s, c, b))
        return -1;
    uint8_t *h = b->hdr[b->n];
    h[0] = '$', h[1] = (uint8_t)c->ch;
    put16(h + 2, TC_RTP_HDR + p->len);
    h[4] = 0x80, h[5] = (uint8_t)((p->marker ? 0x80 : 0) | PT);
    put16(h + 6, c->seq++);
    put32(h + 8, ts);
    put32(h + 12, c->ssrc);
    b->iov[2 * b->n] = (struct iovec){h, sizeof b->hdr[0]};
    b->iov[2 * b->n + 1] = (struct iovec){s->f.bytes + p->off, p->len};
    b->n++;
    c->pkt_count++;
    c->octet_count += p->len;
    return 0;
}

/* The RTP time of monotonic time now for client c (the media clock runs with the monotonic). */
static uint32_t rtp_now(const client_t *c, int64_t now)
{
    return c->ts_base + (uint32_t)((now - c->origin_us) * 9 / 100 + c->jump90);
}

/* A sender report with the client's CNAME, and a BYE after it when bye. */
static int send_sr(server_t *s, client_t *c, int64_t now, int bye)
{
    uint8_t p[4 + 28 + 28 + 8]; /* $ header, SR, SDES, BYE */
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    uint64_t ntp_frac = ((uint64_t)wall.tv_nsec << 32) / 1000000000u;
    size_t n = 4;
    p[n] = 0x80, p[n + 1] = 200, put16(p + n + 2, 6), put32(p + n + 4, c->ssrc);
    put32(p + n + 8, (uint32_t)(wall.tv_sec + 2208988800u)), put32(p + n + 12, (uint32_t)ntp_frac);
    put32(p + n + 16, rtp_now(c, now)), put32(p + n + 20, c->pkt_count);
    put32(p + n + 24, c->octet_count);
    n += 28;
    /* SDES: header, SSRC, CNAME item (type, length, 17 bytes), end of items: 28 bytes */
    static const char cname[] = "testcam@127.0.0.1";
    p[n] = 0x81, p[n + 1] = 202, put16(p + n + 2, 6), put32(p + n + 4, c->ssrc);
    p[n + 8] = 1, p[n + 9] = sizeof cname - 1;
    memcpy(p + n + 10, cname, sizeof cname - 1);
    p[n + 27] = 0;
    n += 28;
    if (bye) {
        p[n] = 0x81, p[n + 1] = 203, put16(p + n + 2, 1), put32(p + n + 4, c->ssrc);
        n += 8;
    }
    p[0] = '$', p[1] = (uint8_t)(c->ch + 1), put16(p + 2, (uint32_t)(n - 4));
    struct iovec iov = {p, n};
    return send_iov(s, c, &iov, 1);
}

/* server-ping: an OPTIONS request of the server's; -1 (the client dropped) when it has not
 * answered the one before, as cameras that ping their clients do. */
static int ping(server_t *s, client_t *c)
{
    if (c->ping_out) {
        fprintf(stderr, "mimamori-testcam: %s: client dropped: no answer to OPTIONS %ld\n",
                s->names[c->stream], c->ping_seq);
        return -1;
    }
    char req[512];
    int n = snprintf(req, sizeof req,
                     "OPTIONS rtsp://127.0.0.1:%s/%s RTSP/1.0\r\nCSeq: %ld\r\n"
                     "Server: mimamori-testcam\r\n\r\n",
                     s->port, s->names[c->stream], ++c->ping_seq);
    struct iovec iov = {req, (size_t)n};
    c->ping_out = 1;
    return send_iov(s, c, &iov, 1);
}

/* Sends every access unit due for c at now. -1 when the client is to be dropped. */
static int play_due(server_t *s, client_t *c, int64_t now)
{
    static batch_t b;
    const tc_rtpfile_t *f = &s->f;
    b.n = 0;
    while (c->state == ST_PLAYING) {
        const tc_au_t *au = &f->aus[c->au];
        int64_t at = c->origin_us + c->loops * f->dur_us + au->send_us;
        if (at > now)
            break;
        if (now - at > s->late_max_us)
            s->late_max_us = now - at;
        if ((s->quirks & Q_TS_JUMP) && !c->jumped && at - c->play_us >= JUMP_AFTER_US)
            c->jump90 += JUMP_90K, c->jumped = 1;
        uint32_t ts = c->ts_base + (uint32_t)(au->ts + c->loops * f->dur90 + c->jump90);
        int params = au->key && ((s->quirks & Q_LATE_PARAMS) ? c->keys == 1 : 1);
        c->keys += au->key;
        for (uint32_t i = 0; i < au->count; i++) {
            for (size_t k = 0; params && i == au->lead && k < f->nparams; k++)
                if (batch_add(s, c, &b, &f->params[k], ts))
                    return -1; /* after the access unit delimiter, before the rest */
            if (batch_add(s, c, &b, &f->pkts[au->first + i], ts))
                return -1;
        }
        if (++c->au == f->naus) {
            c->au = 0, c->loops++;
            if (!s->loop)
                c->state = ST_DONE;
        }
    }
    if (batch_flush(s, c, &b))
        return -1;
    if (c->state == ST_DONE)
        return send_sr(s, c, now, 1);
    if (now >= c->next_sr_us) {
        c->next_sr_us = now + SR_EVERY_US;
        if ((s->quirks & Q_SERVER_PING) && ping(s, c))
            return -1;
        return send_sr(s, c, now, 0);
    }
    return 0;
}

/* When c next needs the loop: its next access unit or sender report; INT64_MAX for never. */
static int64_t next_due(const server_t *s, const client_t *c)
{
    if (c->state != ST_PLAYING)
        return INT64_MAX;
    const tc_au_t *au = &s->f.aus[c->au];
    int64_t at = c->origin_us + c->loops * s->f.dur_us + au->send_us;
    return at < c->next_sr_us ? at : c->next_sr_us;
}

/* --- RTSP --------------------------------------------------------------------------------------*/

/* A response with CSeq and, once set up, Session; extra header lines (with their CRLFs), then
   body. */
static int respond(server_t *s, client_t *c, const tc_req_t *r, const char *status,
                   const char *extra, const char *body)
{
    char head[4096];
    size_t blen = body ? strlen(body) : 0;
    int n = snprintf(head, sizeof head, "RTSP/1.0 %s\r\nCSeq: %ld\r\nServer: mimamori-testcam\r\n",
                     status, r->cseq);
    if (c->session[0] && (size_t)n < sizeof head)
        n += snprintf(head + n, sizeof head - (size_t)n, "Session: %s;timeout=60\r\n", c->session);
    if ((size_t)n < sizeof head)
        n += snprintf(head + n, sizeof head - (size_t)n, "%sContent-Length: %zu\r\n\r\n",
                      extra ? extra : "", blen);
    if ((size_t)n >= sizeof head)
        return -1;
    struct iovec iov[2] = {{head, (size_t)n}, {(void *)body, blen}};
    return send_iov(s, c, iov, blen ? 2 : 1);
}

/* The stream a request's path names ("/NAME", "/NAME/", "/NAME/trackID=0"), or -1. */
static int stream_of(const server_t *s, const char *uri)
{
    const char *p = tc_req_path(uri);
    if (*p == '/')
        p++;
    for (int i = 0; i < s->nnames; i++) {
        size_t l = strlen(s->names[i]);
        if (strncmp(p, s->names[i], l) == 0 && (p[l] == 0 || p[l] == '/'))
            return i;
    }
    return -1;
}

static int describe(server_t *s, client_t *c, const tc_req_t *r, int stream)
{
    char sdp[8192], extra[1200];
    snprintf(sdp, sizeof sdp,
             "v=0\r\no=- %u 1 IN IP4 127.0.0.1\r\ns=%s\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
             "a=control:*\r\na=range:npt=0-\r\nm=video 0 RTP/AVP %d\r\na=rtpmap:%d %s/90000\r\n"
             "a=fmtp:%d %s\r\na=control:trackID=0\r\n",
             rand32(), s->names[stream], PT, PT, s->f.h265 ? "H265" : "H264", PT, s->fmtp);
    snprintf(extra, sizeof extra,
             "Content-Type: application/sdp\r\nContent-Base: rtsp://127.0.0.1:%s/%s/\r\n", s->port,
             s->names[stream]);
    return respond(s, c, r, "200 OK", extra, sdp);
}

static int setup(server_t *s, client_t *c, const tc_req_t *r, int stream)
{
    size_t len;
    const char *t = tc_req_header(r, "Transport", &len);
    char tr[512];
    snprintf(tr, sizeof tr, "%.*s", t ? (int)len : 0, t ? t : "");
    const char *il = strstr(tr, "interleaved=");
    if (!strstr(tr, "RTP/AVP/TCP"))
        return respond(s, c, r, "461 Unsupported Transport", NULL, NULL);
    c->ch = il ? atoi(il + 12) & 0xfe : 0;
    c->stream = stream;
    if (!c->session[0])
        snprintf(c->session, sizeof c->session, "%08x%08x", rand32(), rand32());
    c->ssrc = rand32();
    c->state = c->state == ST_INIT ? ST_READY : c->state;
    char extra[256];
    snprintf(extra, sizeof extra,
             "Transport: RTP/AVP/TCP;unicast;interleaved=%d-%d;ssrc=%08X;mode=\"PLAY\"\r\n", c->ch,
             c->ch + 1, c->ssrc);
    return respond(s, c, r, "200 OK", extra, NULL);
}

/*
 * --shared-clock: the stream has played since the server started (stream i ahead by i/N of the
 * file, so that N streams' keyframes do not all fall together); the client joins at its next
 * keyframe, as with a real camera.
 */
static void join_clock(const server_t *s, client_t *c)
{
    const tc_rtpfile_t *f = &s->f;
    int64_t origin = s->start_us - c->stream * f->dur_us / s->nnames;
    int64_t pos = c->origin_us - origin;
    int64_t loops = pos / f->dur_us, in = pos % f->dur_us;
    size_t k = 0;
    while (k < f->naus && (f->aus[k].send_us < in || !f->aus[k].key))
        k++;
    if (k == f->naus)
        k = 0, loops++; /* the file starts with a keyframe */
    c->origin_us = origin, c->loops = loops, c->au = k;
}

static int play(server_t *s, client_t *c, const tc_req_t *r)
{
    if (c->state == ST_INIT)
        return respond(s, c, r, "455 Method Not Valid in This State", NULL, NULL);
    if (c->state != ST_PLAYING) {
        c->state = ST_PLAYING;
        c->seq = (uint16_t)rand32(), c->ts_base = rand32();
        c->origin_us = c->next_sr_us = c->play_us = mono_us();
        c->au = 0, c->loops = 0, c->jump90 = 0, c->jumped = 0, c->keys = 0;
        c->pkt_count = c->octet_count = 0;
        if (s->shared)
            join_clock(s, c);
    }
    char extra[1400];
    snprintf(extra, sizeof extra,
             "Range: npt=0.000-\r\nRTP-Info: url=rtsp://127.0.0.1:%s/%s/trackID=0;seq=%u;"
             "rtptime=%u\r\n",
             s->port, s->names[c->stream], c->seq, rtp_now(c, mono_us()));
    return respond(s, c, r, "200 OK", extra, NULL);
}

/* One request. -1 when the client is to be dropped. */
static int handle(server_t *s, client_t *c, const tc_req_t *r)
{
    const char *m = r->method;
    if (strcmp(m, "RTSP/1.0") == 0) { /* an answer to our OPTIONS */
        if (r->cseq == c->ping_seq && c->ping_out) {
            c->ping_out = 0;
            printf("answered %s OPTIONS %ld with %s\n", s->names[c->stream], c->ping_seq, r->uri);
            fflush(stdout);
        }
        return 0;
    }
    int keepalive = strcmp(m, "GET_PARAMETER") == 0 || strcmp(m, "OPTIONS") == 0;
    if (keepalive && c->state == ST_PLAYING && (s->quirks & Q_IGNORE_KEEPALIVE))
        return 0; /* the quirk: no answer at all */
    if (strcmp(m, "OPTIONS") == 0)
        return respond(s, c, r, "200 OK",
                       "Public: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, GET_PARAMETER, "
                       "SET_PARAMETER, TEARDOWN\r\n",
                       NULL);
    size_t len;
    const char *a = tc_req_header(r, "Authorization", &len);
    int stale = 0;
    if ((s->quirks & Q_STALE_NONCE) && a && strcmp(m, "PLAY") == 0 && !c->staled) {
        tc_auth_renew(&s->login); /* the nonce the client answered is now an old one */
        c->staled = stale = 1;
        printf("renewed the nonce at %s PLAY\n", s->names[c->stream]);
        fflush(stdout);
    }
    if (!tc_auth_ok(&s->login, m, a, len)) {
        char ch[320];
        tc_auth_challenge(&s->login, stale || (a && (s->quirks & Q_STALE_NONCE)), ch, sizeof ch);
        return respond(s, c, r, "401 Unauthorized", ch, NULL);
    }
    const char *sess = tc_req_header(r, "Session", &len);
    if (sess && c->session[0] && (len < 16 || strncmp(sess, c->session, 16) != 0))
        return respond(s, c, r, "454 Session Not Found", NULL, NULL);
    int stream = stream_of(s, r->uri);
    if (strcmp(m, "DESCRIBE") == 0 || strcmp(m, "SETUP") == 0) {
        if (stream < 0)
            return respond(s, c, r, "404 Not Found", NULL, NULL);
        return m[0] == 'D' ? describe(s, c, r, stream) : setup(s, c, r, stream);
    }
    if (strcmp(m, "PLAY") == 0)
        return play(s, c, r);
    if (strcmp(m, "PAUSE") == 0 && c->state != ST_INIT)
        c->state = ST_READY;
    if (strcmp(m, "TEARDOWN") == 0)
        c->closing = 1, c->state = ST_DONE;
    if (strcmp(m, "PAUSE") == 0 || strcmp(m, "TEARDOWN") == 0 || keepalive ||
        strcmp(m, "SET_PARAMETER") == 0) {
        int rc = respond(s, c, r, "200 OK", NULL, NULL);
        return rc ? rc : c->closing && c->out_off == c->out_len ? -1 : 0;
    }
    return respond(s, c, r, "501 Not Implemented", NULL, NULL);
}

/* Reads what the client sent: requests, and interleaved RTCP receiver reports (dropped). */
static int on_readable(server_t *s, client_t *c)
{
    ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
    if (n <= 0)
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    c->in_len += (size_t)n;
    size_t pos = 0;
    while (pos < c->in_len) {
        if (c->skip) {
            size_t k = c->skip < c->in_len - pos ? c->skip : c->in_len - pos;
            c->skip -= k, pos += k;
            continue;
        }
        if (c->in[pos] == '$') {
            if (c->in_len - pos < 4)
                break;
            c->skip = 4 + ((size_t)(uint8_t)c->in[pos + 2] << 8 | (uint8_t)c->in[pos + 3]);
            continue;
        }
        tc_req_t r;
        long used = tc_req_parse(c->in + pos, c->in_len - pos, &r);
        if (used < 0)
            return -1;
        if (used == 0)
            break;
        if (handle(s, c, &r))
            return -1;
        pos += (size_t)used;
    }
    memmove(c->in, c->in + pos, c->in_len - pos);
    c->in_len -= pos;
    return c->in_len == sizeof c->in ? -1 : 0;
}

/* --- the loop ----------------------------------------------------------------------------------*/

static void accept_clients(server_t *s)
{
    int fd;
    while ((fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        client_t *c = calloc(1, sizeof *c);
        if (!c || (s->nclients == s->cap &&
                   !(s->clients =
                         realloc(s->clients, (s->cap = s->cap * 2 + 64) * sizeof *s->clients)))) {
            fprintf(stderr, "mimamori-testcam: out of memory\n");
            exit(1);
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->fd = fd;
        c->idx = s->nclients;
        s->clients[s->nclients++] = c;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
    }
}

static int listen_on(server_t *s)
{
    char *end;
    long port = strtol(s->port, &end, 10);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (*end || port < 1 || port > 65535 || s->lfd < 0 ||
        setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        bind(s->lfd, (struct sockaddr *)&a, sizeof a) || listen(s->lfd, 1024)) {
        fprintf(stderr, "mimamori-testcam: cannot listen on 127.0.0.1:%s: %s\n", s->port,
                strerror(errno));
        return -1;
    }
    sigset_t sig;
    sigemptyset(&sig);
    sigaddset(&sig, SIGINT);
    sigaddset(&sig, SIGTERM);
    sigprocmask(SIG_BLOCK, &sig, NULL);
    signal(SIGPIPE, SIG_IGN);
    s->sfd = signalfd(-1, &sig, SFD_CLOEXEC);
    s->ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    struct epoll_event sv = {.events = EPOLLIN, .data.ptr = &s->sfd};
    return epoll_ctl(s->ep, EPOLL_CTL_ADD, s->lfd, &ev) ||
                   epoll_ctl(s->ep, EPOLL_CTL_ADD, s->sfd, &sv)
               ? -1
               : 0;
}

/* Sends what is due to every playing client; the wait until the next is due, in ms. */
static int play_all(server_t *s)
{
    int64_t now = mono_us(), next = INT64_MAX;
    for (size_t i = 0; i < s->nclients;) {
        client_t *c = s->clients[i];
        if (next_due(s, c) <= now && play_due(s, c, now)) {
            close_client(s, c); /* the last client took its place at i */
            continue;
        }
        int64_t d = next_due(s, c);
        next = d < next ? d : next;
        i++;
    }
    if (next == INT64_MAX)
        return -1;
    return next <= now ? 0 : (int)((next - now + 999) / 1000);
}

static int run(server_t *s)
{
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(s->ep, evs, 256, play_all(s));
        if (n < 0 && errno != EINTR)
            return 1;
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &s->sfd)
                return 0;
            if (!p) {
                accept_clients(s);
                continue;
            }
            client_t *c = p;
            int bad = (evs[i].events & EPOLLOUT) && flush_backlog(s, c);
            if (!bad && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                bad = on_readable(s, c);
            if (bad)
                close_client(s, c); /* epoll names an fd once per round */
        }
    }
}

static void usage(FILE *f)
{
    fputs("usage: mimamori-testcam --replay FILE --port PORT (--streams N | --stream NAME ...)\n"
          "                        [--loop | --shared-clock] [--quirk NAME ...]\n"
          "                        [--auth USER:PASSWORD]\n"
          "Serves FILE's H.264 or H.265 video (any container libavformat reads) at\n"
          "rtsp://127.0.0.1:PORT/NAME (--streams N: cam00, cam01, ...) over RTSP/TCP, to each\n"
          "client from the file's start, paced as recorded; --loop plays it again and again.\n"
          "--shared-clock: each stream plays (looped) from the server's start, staggered, and\n"
          "a client joins at its next keyframe, as with a real camera.\n"
          "Quirks: no-sprop, late-params, ignore-keepalive, ts-jump, digest (with --auth),\n"
          "        stale-nonce (with digest), server-ping.\n",
          f);
}

static int quirk(const char *name)
{
    for (size_t i = 0; i < sizeof quirk_names / sizeof *quirk_names; i++)
        if (strcmp(name, quirk_names[i]) == 0)
            return 1 << i;
    return 0;
}

/* 0, 1 for --help, or -1 with the reason on stderr. */
static int parse_args(server_t *s, int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0) { /* also "--replay --help" */
            usage(stdout);
            return 1;
        }
    s->names = calloc((size_t)argc + 1000, sizeof *s->names);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--loop") == 0) {
            s->loop = 1;
        } else if (strcmp(a, "--shared-clock") == 0) {
            s->shared = s->loop = 1;
        } else if (!v) {
            fprintf(stderr, "mimamori-testcam: unknown or incomplete argument \"%s\"\n", a);
            return -1;
        } else if (strcmp(a, "--replay") == 0) {
            s->file = argv[++i];
        } else if (strcmp(a, "--port") == 0) {
            s->port = argv[++i];
        } else if (strcmp(a, "--stream") == 0) {
            s->names[s->nnames++] = argv[++i];
        } else if (strcmp(a, "--streams") == 0 && atoi(v) > 0 && atoi(v) <= 1000) {
            for (int k = 0, n = atoi(argv[++i]); k < n; k++)
                if (asprintf(&s->names[s->nnames++], "cam%02d", k) < 0)
                    return -1;
        } else if (strcmp(a, "--quirk") == 0 && quirk(v)) {
            s->quirks |= quirk(argv[++i]);
        } else if (strcmp(a, "--auth") == 0 && strchr(v, ':')) {
            s->auth = argv[++i];
        } else {
            fprintf(stderr, "mimamori-testcam: unknown or bad argument \"%s %s\"\n", a, v);
            return -1;
        }
    }
    const char *why = !s->file     ? "--replay FILE"
                      : !s->port   ? "--port"
                      : !s->nnames ? "a stream"
                                   : NULL;
    if (!why && (s->quirks & Q_DIGEST) && !s->auth)
        why = "--auth with --quirk digest";
    if (!why && (s->quirks & Q_STALE_NONCE) && !(s->quirks & Q_DIGEST))
        why = "--quirk digest with --quirk stale-nonce";
    if (why) {
        fprintf(stderr, "mimamori-testcam: %s is missing\n", why);
        return -1;
    }
    return 0;
}

int tc_replay_main(int argc, char **argv)
{
    static server_t s;
    int rc = parse_args(&s, argc, argv);
    if (rc) {
        if (rc < 0)
            usage(stderr);
        return rc < 0 ? 2 : 0;
    }
    char msg[512];
    if (tc_rtpfile_load(s.file, &s.f, msg, sizeof msg)) {
        fprintf(stderr, "mimamori-testcam: %s\n", msg);
        return 1;
    }
    int sprop = !(s.quirks & (Q_NO_SPROP | Q_LATE_PARAMS));
    if (tc_rtpfile_fmtp(&s.f, sprop, s.fmtp, sizeof s.fmtp)) {
        fprintf(stderr, "mimamori-testcam: parameter sets too large for the SDP\n");
        return 1;
    }
    tc_auth_init(&s.login, s.auth, s.quirks & Q_DIGEST);
    if (listen_on(&s))
        return 1;
    s.start_us = mono_us();
    fprintf(stderr,
            "mimamori-testcam: %s: %s, %zu access units, %zu RTP packets, %.1f s, %.0f kbit/s\n",
            s.file, s.f.h265 ? "H.265" : "H.264", s.f.naus, s.f.npkts, s.f.dur_us / 1e6,
            s.f.file_bytes * 8.0 / (s.f.dur_us / 1e6) / 1000);
    for (int i = 0; i < s.nnames; i++)
        printf("ready rtsp://127.0.0.1:%s/%s\n", s.port, s.names[i]);
    fflush(stdout);
    rc = run(&s);
    fprintf(stderr,
            "mimamori-testcam: stopping; %zu clients connected, an access unit sent "
            "at most %.1f ms late\n",
            s.nclients, s.late_max_us / 1e3);
    while (s.nclients)
        close_client(&s, s.clients[0]);
    tc_rtpfile_free(&s.f);
    return rc;
}
