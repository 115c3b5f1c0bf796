/*
 * test_rtsp.c: the pure parts of our RTSP client (edge/rtsp.h) — the incremental parser of
 * what a server sends (responses, its own requests, interleaved `$` frames, fed whole and a
 * byte at a time), the URL split, and the answers to a 401: Digest against the examples of
 * RFC 7616 (section 3.9.1, MD5) and RFC 2617 (section 3.5), Digest without qop, and Basic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "edge/rtsp.h"

static const char describe[] = "RTSP/1.0 200 OK\r\n"
                               "CSeq: 2\r\n"
                               "Content-Base: rtsp://127.0.0.1:8554/cam1/\r\n"
                               "content-length: 10\r\n"
                               "\r\n"
                               "v=0\r\ns=x\r\n";

static void parses_a_response_with_a_body(void **state)
{
    (void)state;
    edge_rtsp_msg_t m;
    char why[128];
    size_t n = strlen(describe);
    assert_int_equal(edge_rtsp_parse((const uint8_t *)describe, n, &m, why, sizeof why), n);
    assert_int_equal(m.kind, EDGE_RTSP_RESPONSE);
    assert_int_equal(m.status, 200);
    assert_int_equal(m.len, 10);
    assert_memory_equal(m.data, "v=0\r\ns=x\r\n", 10);
    size_t vl;
    const char *v = edge_rtsp_header(&m, "content-base", &vl);
    assert_non_null(v);
    assert_int_equal(vl, strlen("rtsp://127.0.0.1:8554/cam1/"));
    v = edge_rtsp_header(&m, "CSeq", &vl);
    assert_int_equal(vl, 1);
    assert_int_equal(v[0], '2');
    /* Every cut short is "need more", never an error or a message. */
    for (size_t cut = 0; cut < n; cut++)
        assert_int_equal(edge_rtsp_parse((const uint8_t *)describe, cut, &m, why, sizeof why), 0);
}

static void parses_frames_between_responses(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t n = 0;
    const uint8_t frame[] = {'$', 1, 0, 3, 0xaa, 0xbb, 0xcc};
    memcpy(buf + n, frame, sizeof frame);
    n += sizeof frame;
    const char *resp = "RTSP/1.0 200 OK\r\nCSeq: 7\r\n\r\n";
    memcpy(buf + n, resp, strlen(resp));
    n += strlen(resp);
    const char *req = "SET_PARAMETER rtsp://h/x RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 2\r\n\r\nok";
    memcpy(buf + n, req, strlen(req));
    n += strlen(req);
    memcpy(buf + n, frame, 4); /* a frame's header without its packet */
    n += 4;
    edge_rtsp_msg_t m;
    char why[128];
    long rc = edge_rtsp_parse(buf, n, &m, why, sizeof why);
    assert_int_equal(rc, 7);
    assert_int_equal(m.kind, EDGE_RTSP_FRAME);
    assert_int_equal(m.channel, 1);
    assert_int_equal(m.len, 3);
    assert_int_equal(m.data[2], 0xcc);
    size_t off = (size_t)rc;
    rc = edge_rtsp_parse(buf + off, n - off, &m, why, sizeof why);
    assert_int_equal(rc, strlen(resp));
    assert_int_equal(m.kind, EDGE_RTSP_RESPONSE);
    off += (size_t)rc;
    rc = edge_rtsp_parse(buf + off, n - off, &m, why, sizeof why);
    assert_int_equal(rc, strlen(req));
    assert_int_equal(m.kind, EDGE_RTSP_REQUEST);
    assert_int_equal(m.method_len, strlen("SET_PARAMETER"));
    assert_memory_equal(m.method, "SET_PARAMETER", m.method_len);
    assert_memory_equal(m.data, "ok", 2);
    off += (size_t)rc;
    assert_int_equal(edge_rtsp_parse(buf + off, n - off, &m, why, sizeof why), 0);
}

static void refuses_what_is_no_rtsp(void **state)
{
    (void)state;
    edge_rtsp_msg_t m;
    char why[128] = "";
    const char *bad[] = {"HTTP/1.1 200 OK\r\n\r\n", "RTSP/1.0 OK\r\n\r\n",
                         "RTSP/1.0 200 OK\r\nno colon here\r\n\r\n",
                         "RTSP/1.0 200 OK\r\nContent-Length: x\r\n\r\n",
                         "RTSP/1.0 200 OK\r\nA: b\x01\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why[0] = 0;
        assert_int_equal(
            edge_rtsp_parse((const uint8_t *)bad[i], strlen(bad[i]), &m, why, sizeof why),
            MM_EPROTO);
        assert_true(why[0] != 0);
    }
    /* A head that never ends, and a body beyond the limit. */
    static uint8_t big[EDGE_RTSP_HEAD_MAX + 64];
    memset(big, 'a', sizeof big);
    memcpy(big, "RTSP/1.0 200 OK\r\nX: ", 21);
    assert_int_equal(edge_rtsp_parse(big, sizeof big, &m, why, sizeof why), MM_ETOOBIG);
    const char *huge = "RTSP/1.0 200 OK\r\nContent-Length: 999999\r\n\r\n";
    assert_int_equal(edge_rtsp_parse((const uint8_t *)huge, strlen(huge), &m, why, sizeof why),
                     MM_ETOOBIG);
}

static void splits_urls(void **state)
{
    (void)state;
    edge_rtsp_url_t u;
    char why[128];
    assert_int_equal(
        edge_rtsp_url_parse("rtsp://admin:p%40ss:word@10.0.0.5:8554/cam1?x=1", &u, why, sizeof why),
        MM_OK);
    assert_string_equal(u.user, "admin");
    assert_string_equal(u.pass, "p@ss:word");
    assert_string_equal(u.host, "10.0.0.5");
    assert_int_equal(u.port, 8554);
    assert_string_equal(u.request, "rtsp://10.0.0.5:8554/cam1?x=1");
    assert_int_equal(edge_rtsp_url_parse("rtsp://[::1]/s", &u, why, sizeof why), MM_OK);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 554);
    assert_string_equal(u.user, "");
    const char *bad[] = {"rtsps://h/x",      "rtsp:///x",     "rtsp://h:0/x",
                         "rtsp://h:99999/x", "rtsp://h:8a/x", "rtsp://u:secret@/x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why[0] = 0;
        assert_int_equal(edge_rtsp_url_parse(bad[i], &u, why, sizeof why), MM_EINVAL);
        assert_true(why[0] != 0);
        assert_null(strstr(why, "secret"));
    }
}

/* RFC 7616 section 3.9.1: the MD5 example. */
static void digest_answers_rfc7616(void **state)
{
    (void)state;
    const char *ch = "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
                     "algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
                     "opaque=\"FQhe/qaa\"";
    edge_rtsp_challenge_t c;
    assert_int_equal(edge_rtsp_challenge_parse(ch, strlen(ch), &c), MM_OK);
    assert_true(c.digest);
    assert_true(c.qop_auth);
    assert_string_equal(c.realm, "http-auth@example.org");
    assert_string_equal(c.opaque, "FQhe/qaa");
    char out[1024];
    assert_int_equal(
        edge_rtsp_authorization(&c, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
                                "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", 1, out, sizeof out),
        MM_OK);
    assert_non_null(strstr(out, "response=\"8ca523f5e9506fed4657c9700eebdbec\""));
    assert_non_null(strstr(out, "username=\"Mufasa\""));
    assert_non_null(strstr(out, "nc=00000001"));
    assert_non_null(strstr(out, "qop=auth"));
    assert_non_null(strstr(out, "opaque=\"FQhe/qaa\""));
    assert_null(strstr(out, "Circle"));
    /* Too small a buffer is refused, not cut. */
    assert_int_equal(
        edge_rtsp_authorization(&c, "Mufasa", "Circle of Life", "GET", "/", "x", 1, out, 40),
        MM_ETOOBIG);
}

/* RFC 2617 section 3.5 (no algorithm named: MD5). */
static void digest_answers_rfc2617(void **state)
{
    (void)state;
    const char *ch = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                     "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                     "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
    edge_rtsp_challenge_t c;
    assert_int_equal(edge_rtsp_challenge_parse(ch, strlen(ch), &c), MM_OK);
    char out[1024];
    assert_int_equal(edge_rtsp_authorization(&c, "Mufasa", "Circle Of Life", "GET",
                                             "/dir/index.html", "0a4f113b", 1, out, sizeof out),
                     MM_OK);
    assert_non_null(strstr(out, "response=\"6629fae49393a05397450978507c4ef1\""));
}

/* Without qop (RFC 2069 style, as many cameras send): MD5(HA1:nonce:HA2). */
static void digest_answers_without_qop(void **state)
{
    (void)state;
    const char *ch = "Digest realm=\"cam\", nonce=\"abc123\"";
    edge_rtsp_challenge_t c;
    assert_int_equal(edge_rtsp_challenge_parse(ch, strlen(ch), &c), MM_OK);
    assert_false(c.qop_auth);
    assert_false(c.stale);
    const char *st = "Digest realm=\"cam\", nonce=\"n2\", stale=TRUE";
    edge_rtsp_challenge_t c2;
    assert_int_equal(edge_rtsp_challenge_parse(st, strlen(st), &c2), MM_OK);
    assert_true(c2.stale);
    char out[1024];
    assert_int_equal(edge_rtsp_authorization(&c, "admin", "secret", "DESCRIBE",
                                             "rtsp://127.0.0.1:8554/cam1", "zz", 1, out,
                                             sizeof out),
                     MM_OK);
    assert_non_null(strstr(out, "response=\"9a1903d5cfe2a7835075183f117a51ca\""));
    assert_null(strstr(out, "nc="));
}

static void basic_and_refused_challenges(void **state)
{
    (void)state;
    edge_rtsp_challenge_t c;
    const char *b = "Basic realm=\"IP Camera\"";
    assert_int_equal(edge_rtsp_challenge_parse(b, strlen(b), &c), MM_OK);
    assert_false(c.digest);
    char out[256];
    assert_int_equal(edge_rtsp_authorization(&c, "admin", "p@ss:word", "DESCRIBE", "rtsp://h/", "x",
                                             1, out, sizeof out),
                     MM_OK);
    assert_string_equal(out, "Basic YWRtaW46cEBzczp3b3Jk");
    const char *bad[] = {"Bearer x", "Digest realm=\"r\"", "Digest nonce=\"n\"",
                         "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256", "Negotiate"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(edge_rtsp_challenge_parse(bad[i], strlen(bad[i]), &c), MM_EPROTO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_response_with_a_body),
        cmocka_unit_test(parses_frames_between_responses),
        cmocka_unit_test(refuses_what_is_no_rtsp),
        cmocka_unit_test(splits_urls),
        cmocka_unit_test(digest_answers_rfc7616),
        cmocka_unit_test(digest_answers_rfc2617),
        cmocka_unit_test(digest_answers_without_qop),
        cmocka_unit_test(basic_and_refused_challenges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
