/*
 * test_webhook.c: the alerts' webhook — the status line and URL parsers, and the sender on a real
 * loop against a receiver in this test (libuv on loopback): a 2xx ends a post, a 500, an answer
 * that is no HTTP, a receiver that closes without answering and one that is not there are tried
 * again after a backoff, posts go in order, and closing leaves the loop clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "edge/webhook.h"

static void status_lines_are_read_whole_or_not_at_all(void **state)
{
    (void)state;
    const char *ok = "HTTP/1.1 204 No Content\r\n";
    assert_int_equal(edge_webhook_status(ok, strlen(ok)), 204);
    for (size_t n = 0; n < strlen(ok) - 1; n++)
        assert_int_equal(edge_webhook_status(ok, n), 0);
    assert_int_equal(edge_webhook_status("HTTP/1.0 500\n", 13), 500);
    assert_int_equal(edge_webhook_status("HTTP/1.1 200\r\n", 14), 200);
    assert_int_equal(edge_webhook_status("HTTP/2 200\r\n", 12), -1);
    assert_int_equal(edge_webhook_status("HTTP/1.1 099 x\r\n", 16), -1);
    assert_int_equal(edge_webhook_status("HTTP/1.1 20x\r\n", 14), -1);
    assert_int_equal(edge_webhook_status("HTTP/1.1 200x\r\n", 15), -1);
    assert_int_equal(edge_webhook_status("HTTP/1.1 200 O\rK\n", 17), -1);
    assert_int_equal(edge_webhook_status("HTTP/1.1 200 \x01\r\n", 16), -1);
    assert_int_equal(edge_webhook_status("SSH-2.0-x\r\n", 11), -1);
    char longline[600];
    memcpy(longline, "HTTP/1.1 200 ", 13);
    memset(longline + 13, 'a', sizeof longline - 13);
    assert_int_equal(edge_webhook_status(longline, sizeof longline), -1);
}

static void urls_are_taken_apart_or_refused_with_why(void **state)
{
    (void)state;
    edge_webhook_url_t u;
    char why[200];
    assert_int_equal(edge_webhook_url_parse("http://hook.local:8080", &u, why, sizeof why), 0);
    assert_string_equal(u.host, "hook.local");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.path, "/");
    assert_int_equal(edge_webhook_url_parse("http://10.0.0.5?x=1", &u, why, sizeof why), 0);
    assert_string_equal(u.path, "/?x=1");
    assert_int_equal(u.port, 80);
    assert_int_equal(edge_webhook_url_parse("http://[fe80::1]:81/a", &u, why, sizeof why), 0);
    assert_string_equal(u.host, "fe80::1");
    assert_int_equal(edge_webhook_url_parse("http://[zz]/a", &u, why, sizeof why), -1);
    assert_non_null(strstr(why, "not an IPv6 address"));
    assert_int_equal(edge_webhook_url_parse("http://h/#frag", &u, why, sizeof why), -1);
    assert_int_equal(edge_webhook_url_parse("http://h:65536/", &u, why, sizeof why), -1);
    assert_int_equal(edge_webhook_url_parse("http://h_x/", &u, why, sizeof why), -1);
    assert_non_null(strstr(why, "letters, digits"));
    assert_int_equal(edge_webhook_url_parse("https://h/", &u, why, sizeof why), -1);
    assert_non_null(strstr(why, "only http://"));
}

/* --- a receiver on loopback ---------------------------------------------------------------- */

typedef struct {
    uv_loop_t loop;
    uv_tcp_t server;
    const char *const *answers; /* answer i to request i; NULL: close without answering */
    size_t n_answers, requests;
    char bodies[8][128];
    uint64_t at_ms[8];
    int content_type_ok;
    edge_webhook_t *w;
    uv_timer_t watch;
    uint64_t want_sent, want_failures;
} rx_t;

typedef struct {
    uv_tcp_t tcp;
    uv_write_t wr;
    rx_t *rx;
    char buf[4096];
    size_t len;
} conn_t;

static void conn_closed(uv_handle_t *h)
{
    free(h->data);
}

static void written(uv_write_t *req, int status)
{
    conn_t *c = req->data;
    (void)status;
    uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    conn_t *c = h->data;
    (void)hint;
    *buf = uv_buf_init(c->buf + c->len, (unsigned)(sizeof c->buf - 1 - c->len));
}

/* A whole request came: record it, then answer as told. */
static void answer(conn_t *c, const char *body)
{
    rx_t *rx = c->rx;
    size_t i = rx->requests++;
    if (i < 8) {
        snprintf(rx->bodies[i], sizeof rx->bodies[i], "%s", body);
        rx->at_ms[i] = uv_now(&rx->loop);
    }
    rx->content_type_ok += strstr(c->buf, "\r\nContent-Type: application/json\r\n") != NULL;
    const char *a = i < rx->n_answers ? rx->answers[i] : "HTTP/1.1 200 OK\r\n\r\n";
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (!a) {
        uv_close((uv_handle_t *)&c->tcp, conn_closed);
        return;
    }
    uv_buf_t b = uv_buf_init((char *)a, (unsigned)strlen(a));
    c->wr.data = c;
    uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, written);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    conn_t *c = s->data;
    (void)buf;
    if (nread < 0) {
        uv_close((uv_handle_t *)&c->tcp, conn_closed);
        return;
    }
    c->len += (size_t)nread;
    c->buf[c->len] = 0;
    char *end = strstr(c->buf, "\r\n\r\n");
    const char *cl = strstr(c->buf, "Content-Length: ");
    if (!end || !cl)
        return;
    size_t want = (size_t)atoi(cl + 16);
    if (c->len - (size_t)(end + 4 - c->buf) >= want)
        answer(c, end + 4);
}

static void on_connection(uv_stream_t *server, int status)
{
    rx_t *rx = server->data;
    assert_int_equal(status, 0);
    conn_t *c = calloc(1, sizeof *c);
    c->rx = rx;
    uv_tcp_init(&rx->loop, &c->tcp);
    c->tcp.data = c;
    assert_int_equal(uv_accept(server, (uv_stream_t *)&c->tcp), 0);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static int rx_listen(rx_t *rx)
{
    struct sockaddr_in a;
    uv_loop_init(&rx->loop);
    uv_tcp_init(&rx->loop, &rx->server);
    rx->server.data = rx;
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_tcp_bind(&rx->server, (const struct sockaddr *)&a, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&rx->server, 8, on_connection), 0);
    struct sockaddr_storage got;
    int len = sizeof got;
    uv_tcp_getsockname(&rx->server, (struct sockaddr *)&got, &len);
    return ntohs(((struct sockaddr_in *)&got)->sin_port);
}

/* Ends the run once the sender has sent and failed what the test waits for. */
static void on_watch(uv_timer_t *t)
{
    rx_t *rx = t->data;
    edge_webhook_stats_t st;
    edge_webhook_stats(rx->w, &st);
    if (st.sent < rx->want_sent || st.failures < rx->want_failures)
        return;
    edge_webhook_close(rx->w);
    rx->w = NULL;
    uv_close((uv_handle_t *)&rx->server, NULL);
    uv_close((uv_handle_t *)&rx->watch, NULL);
}

static edge_webhook_stats_t run_until(rx_t *rx, int port, uint64_t sent, uint64_t failures,
                                      const char *const *bodies, size_t n)
{
    edge_webhook_url_t url;
    char why[200], text[64];
    snprintf(text, sizeof text, "http://127.0.0.1:%d/hook", port);
    assert_int_equal(edge_webhook_url_parse(text, &url, why, sizeof why), 0);
    assert_int_equal(edge_webhook_create(&rx->loop, &url, &rx->w), MM_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(edge_webhook_post(rx->w, bodies[i], strlen(bodies[i])), MM_OK);
    rx->want_sent = sent;
    rx->want_failures = failures;
    uv_timer_init(&rx->loop, &rx->watch);
    rx->watch.data = rx;
    uv_timer_start(&rx->watch, on_watch, 20, 20);
    edge_webhook_stats_t st = {0};
    /* The stats just before the close, taken again by on_watch's condition. */
    edge_webhook_stats(rx->w, &st);
    uv_run(&rx->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&rx->loop), 0);
    return st;
}

static void a_500_and_bad_answers_are_tried_again_in_order_until_2xx(void **state)
{
    (void)state;
    static const char *const answers[] = {
        "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n",
        "SSH-2.0-nothing-like-http\r\n",
        NULL,
        "HTTP/1.1 204 No Content\r\n\r\n",
    };
    static const char *const bodies[] = {"{\"n\":1}", "{\"n\":2}"};
    rx_t rx = {.answers = answers, .n_answers = 4};
    int port = rx_listen(&rx);
    run_until(&rx, port, 2, 3, bodies, 2);
    /* The first body four times (500, not HTTP, closed, 204), then the second. */
    assert_int_equal(rx.requests, 5);
    for (int i = 0; i < 4; i++)
        assert_string_equal(rx.bodies[i], "{\"n\":1}");
    assert_string_equal(rx.bodies[4], "{\"n\":2}");
    assert_int_equal(rx.content_type_ok, 5);
    /* Backoff: 1 s, then 2 s, then 4 s between the tries. */
    assert_true(rx.at_ms[1] - rx.at_ms[0] >= 950);
    assert_true(rx.at_ms[2] - rx.at_ms[1] >= 1950);
    assert_true(rx.at_ms[3] - rx.at_ms[2] >= 3950);
    assert_true(rx.at_ms[4] - rx.at_ms[3] < 900); /* a success goes on at once */
}

static void a_receiver_not_there_is_a_failure_said_and_closing_ends_clean(void **state)
{
    (void)state;
    rx_t rx = {0};
    int port = rx_listen(&rx);
    /* Nothing listens on the port next to ours: likely refused (or, at worst, still a failure). */
    static const char *const bodies[] = {"{}"};
    uv_close((uv_handle_t *)&rx.server, NULL);
    uv_run(&rx.loop, UV_RUN_NOWAIT);
    uv_tcp_init(&rx.loop, &rx.server); /* closed again by on_watch */
    edge_webhook_url_t url;
    char why[200], text[64];
    snprintf(text, sizeof text, "http://127.0.0.1:%d/hook", port);
    assert_int_equal(edge_webhook_url_parse(text, &url, why, sizeof why), 0);
    assert_int_equal(edge_webhook_create(&rx.loop, &url, &rx.w), MM_OK);
    assert_int_equal(edge_webhook_post(rx.w, bodies[0], 2), MM_OK);
    rx.want_failures = 1;
    uv_timer_init(&rx.loop, &rx.watch);
    rx.watch.data = &rx;
    edge_webhook_stats_t st;
    uv_timer_start(&rx.watch, on_watch, 20, 20);
    /* on_watch closes the sender once the failure is counted; read the error before that. */
    while (uv_run(&rx.loop, UV_RUN_ONCE)) {
        if (rx.w) {
            edge_webhook_stats(rx.w, &st);
            if (st.failures)
                assert_non_null(strstr(st.last_error, "cannot connect"));
        }
    }
    assert_int_equal(uv_loop_close(&rx.loop), 0);
}

static void a_full_queue_drops_the_oldest_waiting(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    edge_webhook_url_t url;
    char why[200];
    assert_int_equal(edge_webhook_url_parse("http://127.0.0.1:9/x", &url, why, sizeof why), 0);
    edge_webhook_t *w;
    assert_int_equal(edge_webhook_create(&loop, &url, &w), MM_OK);
    for (int i = 0; i < EDGE_WEBHOOK_QUEUE + 3; i++)
        assert_int_equal(edge_webhook_post(w, "{}", 2), MM_OK);
    edge_webhook_stats_t st;
    edge_webhook_stats(w, &st);
    assert_int_equal(st.queued, EDGE_WEBHOOK_QUEUE);
    assert_int_equal(st.dropped, 3);
    edge_webhook_close(w);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_lines_are_read_whole_or_not_at_all),
        cmocka_unit_test(urls_are_taken_apart_or_refused_with_why),
        cmocka_unit_test(a_500_and_bad_answers_are_tried_again_in_order_until_2xx),
        cmocka_unit_test(a_receiver_not_there_is_a_failure_said_and_closing_ends_clean),
        cmocka_unit_test(a_full_queue_drops_the_oldest_waiting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
