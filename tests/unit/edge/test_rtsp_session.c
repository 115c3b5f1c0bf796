/*
 * test_rtsp_session.c: our RTSP client's session (edge/rtsp.h) against a server scripted here on
 * loopback, with the monotonic time given by the test. One run goes through everything a camera
 * may ask of it: OPTIONS without GET_PARAMETER in Public (so keep-alives are OPTIONS), a 401 on
 * DESCRIBE offering Basic and MD5 Digest (answered once, with Digest, the password never sent),
 * an SDP with parameter sets and a relative a=control resolved against Content-Base, SETUP with
 * the session's timeout (keep-alives every half of it), interleaved channels the server chose,
 * PLAY, an IDR frame out of the depacketiser, keep-alives that the server never answers (no
 * error), then silence: the read deadline ends the session. Closing sends TEARDOWN. A second
 * run: a second 401 is a refusal that names the login, and the password is in no message.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "edge/rtsp.h"

static int listen_any(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 4), 0);
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Reads one request (head only) from the server's side; "" when none comes within ms. */
static void read_request(int fd, char *out, size_t cap, int ms)
{
    size_t n = 0;
    out[0] = 0;
    while (n + 1 < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, ms) != 1)
            break;
        if (read(fd, out + n, 1) != 1)
            break;
        out[++n] = 0;
        if (n >= 4 && memcmp(out + n - 4, "\r\n\r\n", 4) == 0)
            break;
    }
}

static unsigned cseq_of(const char *req)
{
    const char *c = strstr(req, "CSeq: ");
    assert_non_null(c);
    return (unsigned)atoi(c + 6);
}

static void answer(int fd, const char *req, const char *headers, const char *body)
{
    char out[2048];
    int n = snprintf(out, sizeof out, "RTSP/1.0 %sCSeq: %u\r\n", headers, cseq_of(req));
    if (body)
        n += snprintf(out + n, sizeof out - (size_t)n, "Content-Length: %zu\r\n\r\n%s",
                      strlen(body), body);
    else
        n += snprintf(out + n, sizeof out - (size_t)n, "\r\n");
    assert_int_equal(write(fd, out, (size_t)n), n);
}

typedef struct {
    int frames, keys;
    int w, h;
    const char *codec;
} got_t;

static int on_frame(void *arg, const edge_rtsp_stream_t *st, const edge_rtp_frame_t *f)
{
    got_t *g = arg;
    g->frames++;
    g->keys += f->key;
    g->w = f->width;
    g->h = f->height;
    g->codec = st->codec;
    return 0;
}

/* Lets the client take what the server sent (waiting at most ms for the first bytes, then as
 * long as more come within 100 ms), stepping it at now. */
static mm_err_t pump(edge_rtsp_t *s, int64_t now, int ms, char *why, size_t cap)
{
    struct pollfd p = {.fd = edge_rtsp_fd(s), .events = POLLIN};
    int ready = poll(&p, 1, ms);
    mm_err_t err = edge_rtsp_step(s, now, why, cap);
    while (err == MM_OK && ready == 1 && (ready = poll(&p, 1, 100)) == 1)
        err = edge_rtsp_step(s, now, why, cap);
    return err;
}

static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\n"
                          "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                          "a=fmtp:96 packetization-mode=1;sprop-parameter-sets="
                          "Z0LAHtkDxWhAAAADAEAAAA8DxYuS,aMuMsg==\r\na=control:track1\r\n";

/* An RTP packet on channel ch: one IDR NAL unit with the marker set. */
static void send_idr(int fd, uint8_t ch, uint16_t seq, uint32_t ts)
{
    static const uint8_t idr[8] = {0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0, 1};
    uint8_t p[4 + 12 + 8] = {'$', ch, 0, 20, 0x80, 0x80 | 96};
    p[6] = (uint8_t)(seq >> 8);
    p[7] = (uint8_t)seq;
    for (int i = 0; i < 4; i++) {
        p[8 + i] = (uint8_t)(ts >> (24 - 8 * i));
        p[12 + i] = (uint8_t)(i + 1); /* SSRC 01020304 */
    }
    memcpy(p + 16, idr, sizeof idr);
    assert_int_equal(write(fd, p, sizeof p), (ssize_t)sizeof p);
}

static void a_whole_session(void **state)
{
    (void)state;
    unsigned port;
    int lfd = listen_any(&port);
    char url[128], why[256] = "", req[4096];
    snprintf(url, sizeof url, "rtsp://cam%%40user:s3cret%%21@127.0.0.1:%u/live", port);
    got_t g = {0};
    edge_rtsp_t *s = NULL;
    int64_t now = 1000000;
    assert_int_equal(edge_rtsp_open(url, now, on_frame, &g, &s, why, sizeof why), MM_OK);
    int fd = accept(lfd, NULL, NULL);
    assert_true(fd >= 0);
    int one = 1; /* each write of the server goes out at once */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    assert_int_equal(pump(s, now, 50, why, sizeof why), MM_OK); /* connected: OPTIONS sent */
    read_request(fd, req, sizeof req, 1000);
    assert_non_null(strstr(req, "OPTIONS rtsp://127.0.0.1:"));
    assert_null(strstr(req, "s3cret"));
    answer(fd, req, "200 OK\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n", NULL);
    assert_int_equal(pump(s, now, 1000, why, sizeof why), MM_OK);
    read_request(fd, req, sizeof req, 1000);
    assert_non_null(strstr(req, "DESCRIBE "));
    assert_non_null(strstr(req, "Accept: application/sdp"));
    assert_null(strstr(req, "Authorization"));
    answer(fd, req,
           "401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"cam\"\r\n"
           "WWW-Authenticate: Digest realm=\"cam\", nonce=\"n0nce\", qop=\"auth\"\r\n",
           NULL);
    assert_int_equal(pump(s, now, 1000, why, sizeof why), MM_OK);
    read_request(fd, req, sizeof req, 1000);
    assert_non_null(strstr(req, "DESCRIBE "));
    assert_non_null(strstr(req, "Authorization: Digest username=\"cam@user\""));
    assert_non_null(strstr(req, "nc=00000001"));
    assert_null(strstr(req, "s3cret"));
    char base[128];
    snprintf(base, sizeof base,
             "200 OK\r\nContent-Type: application/sdp\r\nContent-Base: "
             "rtsp://127.0.0.1:%u/live/\r\n",
             port);
    answer(fd, req, base, sdp);
    assert_int_equal(pump(s, now, 1000, why, sizeof why), MM_OK);
    read_request(fd, req, sizeof req, 1000);
    char setup[128];
    snprintf(setup, sizeof setup, "SETUP rtsp://127.0.0.1:%u/live/track1 RTSP/1.0", port);
    assert_non_null(strstr(req, setup));
    assert_non_null(strstr(req, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1"));
    assert_non_null(strstr(req, "Authorization: Digest"));
    assert_non_null(strstr(req, "nc=00000002"));
    answer(fd, req,
           "200 OK\r\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3\r\n"
           "Session: abc123;timeout=20\r\n",
           NULL);
    assert_int_equal(pump(s, now, 1000, why, sizeof why), MM_OK);
    read_request(fd, req, sizeof req, 1000);
    assert_non_null(strstr(req, "PLAY "));
    assert_non_null(strstr(req, "Session: abc123\r\n"));
    assert_null(edge_rtsp_stream(s));
    answer(fd, req, "200 OK\r\nSession: abc123\r\n", NULL);
    send_idr(fd, 0, 1, 1000); /* on a channel the server did not choose: not ours */
    send_idr(fd, 2, 1, 3000);
    assert_int_equal(pump(s, now, 1000, why, sizeof why), MM_OK);
    assert_non_null(edge_rtsp_stream(s));
    assert_string_equal(edge_rtsp_stream(s)->codec, "h264");
    assert_int_equal(g.frames, 1);
    assert_int_equal(g.keys, 1);
    assert_string_equal(g.codec, "h264");
    /* Keep-alives every 10 s (half the timeout), OPTIONS as GET_PARAMETER was not listed. */
    assert_int_equal(edge_rtsp_deadline(s), now + 10000000);
    for (int i = 0; i < 2; i++) {
        now += 9 * 1000000; /* keep the session alive with a packet a little before each */
        send_idr(fd, 2, (uint16_t)(2 + i), 6000 + 3000 * (uint32_t)i);
        assert_int_equal(pump(s, now, 1000, why, sizeof why), MM_OK);
        now += 1000000;
        assert_int_equal(pump(s, now, 0, why, sizeof why), MM_OK);
        read_request(fd, req, sizeof req, 1000);
        assert_non_null(strstr(req, "OPTIONS "));
        assert_non_null(strstr(req, "Session: abc123"));
        /* never answered: no error */
    }
    assert_int_equal(g.frames, 3);
    /* Silence: within the deadline still fine, beyond it over. */
    now += EDGE_RTSP_READ_DEADLINE_US - 1000000;
    assert_int_equal(pump(s, now, 0, why, sizeof why), MM_OK);
    read_request(fd, req, sizeof req, 100); /* the keep-alive due meanwhile */
    now += 2000000;
    assert_int_equal(pump(s, now, 0, why, sizeof why), MM_ETIMEDOUT);
    assert_non_null(strstr(why, "nothing from the camera"));
    edge_rtsp_close(s);
    read_request(fd, req, sizeof req, 1000);
    assert_non_null(strstr(req, "TEARDOWN "));
    close(fd);
    close(lfd);
}

static void a_refused_login(void **state)
{
    (void)state;
    unsigned port;
    int lfd = listen_any(&port);
    char url[128], why[256] = "", req[4096];
    snprintf(url, sizeof url, "rtsp://admin:wrongpass@127.0.0.1:%u/live", port);
    got_t g = {0};
    edge_rtsp_t *s = NULL;
    assert_int_equal(edge_rtsp_open(url, 0, on_frame, &g, &s, why, sizeof why), MM_OK);
    int fd = accept(lfd, NULL, NULL);
    assert_int_equal(pump(s, 0, 50, why, sizeof why), MM_OK);
    read_request(fd, req, sizeof req, 1000);
    answer(fd, req, "200 OK\r\nPublic: OPTIONS, DESCRIBE, GET_PARAMETER\r\n", NULL);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pump(s, 0, 1000, why, sizeof why), MM_OK);
        read_request(fd, req, sizeof req, 1000);
        assert_non_null(strstr(req, "DESCRIBE "));
        assert_true(i == 0 || strstr(req, "Authorization: Basic ") != NULL);
        answer(fd, req, "401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"cam\"\r\n", NULL);
    }
    assert_int_equal(pump(s, 0, 1000, why, sizeof why), MM_EDENIED);
    assert_non_null(strstr(why, "refused the login"));
    assert_null(strstr(why, "wrongpass"));
    edge_rtsp_close(s);
    close(fd);
    close(lfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_whole_session),
        cmocka_unit_test(a_refused_login),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
