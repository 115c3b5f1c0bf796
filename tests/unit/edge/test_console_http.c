/*
 * test_console_http.c: the console server's streamed answers (console_http.h) over plain HTTP/1.1
 * on loopback — a long body given piece by piece arrives whole and in order (chunked), the
 * writer's queue stays under its own limit by waiting for on_drain (back-pressure), and a client
 * that goes away mid-body is told through on_gone, after which the writer ends the stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "edge/console_http.h"

#define PIECE 65536
#define LIMIT (256 * 1024)

typedef struct {
    edge_http_stream_t *s;
    size_t total, sent; /* bytes to send, bytes written */
    long max_queued;
    int drains, gone, ended;
    int port;
    size_t client_reads; /* the client stops after this many body bytes (0: all) */
    size_t client_got;
    int client_ok, client_done;
} fixture_t;

static unsigned char byte_at(size_t i)
{
    return (unsigned char)((i * 7 + i / 251) & 0xff);
}

/* Writes until the queue passes LIMIT, then waits for on_drain. */
static void feed(void *arg)
{
    fixture_t *f = arg;
    f->drains++;
    unsigned char buf[PIECE];
    while (f->sent < f->total) {
        size_t n = f->total - f->sent < PIECE ? f->total - f->sent : PIECE;
        for (size_t i = 0; i < n; i++)
            buf[i] = byte_at(f->sent + i);
        long q = edge_http_stream_write(f->s, buf, n);
        if (q < 0)
            return; /* on_gone follows */
        f->sent += n;
        if (q > f->max_queued)
            f->max_queued = q;
        if (q > LIMIT)
            return;
    }
    edge_http_stream_end(f->s);
    f->ended = 1;
}

static void gone(void *arg)
{
    fixture_t *f = arg;
    f->gone++;
    edge_http_stream_end(f->s);
    f->ended = 1;
}

static void handler(edge_http_req_t *req, void *arg)
{
    fixture_t *f = arg;
    f->s = edge_http_stream_start(req, 200, "application/octet-stream");
    assert_non_null(f->s);
    edge_http_stream_notify(f->s, feed, gone, f);
    feed(f);
}

/* Reads the answer's chunked body, slowly at first, checking every byte. */
static void *client(void *arg)
{
    fixture_t *f = arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int rcvbuf = 16384;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        goto out;
    const char get[] = "GET /s HTTP/1.1\r\nHost: x\r\n\r\n";
    if (write(fd, get, sizeof get - 1) != (ssize_t)(sizeof get - 1))
        goto out;
    static char raw[1 << 16];
    size_t have = 0, pos = 0, chunk_left = 0;
    int in_head = 1, ok = 1, last = 0, reads = 0;
    while (!last) {
        if (have == sizeof raw && pos > 0) {
            memmove(raw, raw + pos, have - pos);
            have -= pos;
            pos = 0;
        }
        ssize_t n = read(fd, raw + have, sizeof raw - have);
        if (n <= 0)
            break;
        have += (size_t)n;
        if (++reads < 40)
            usleep(5000); /* a slow reader at first: the server's queue fills */
        for (;;) {
            if (in_head) {
                char *end = memmem(raw + pos, have - pos, "\r\n\r\n", 4);
                if (!end)
                    break;
                ok = ok && strncmp(raw, "HTTP/1.1 200", 12) == 0 &&
                     memmem(raw, (size_t)(end - raw), "chunked", 7) != NULL &&
                     memmem(raw, (size_t)(end - raw), "no-store", 8) != NULL;
                pos = (size_t)(end - raw) + 4;
                in_head = 0;
            } else if (chunk_left) {
                size_t take = have - pos < chunk_left ? have - pos : chunk_left;
                if (!take)
                    break;
                for (size_t i = 0; i < take; i++)
                    ok = ok && (unsigned char)raw[pos + i] == byte_at(f->client_got + i);
                f->client_got += take;
                pos += take;
                chunk_left -= take;
            } else {
                char *eol = memmem(raw + pos, have - pos, "\r\n", 2);
                if (!eol)
                    break;
                if (eol == raw + pos) { /* the CRLF after a chunk */
                    pos += 2;
                    continue;
                }
                chunk_left = strtoul(raw + pos, NULL, 16);
                pos = (size_t)(eol - raw) + 2;
                if (!chunk_left) {
                    last = 1;
                    break;
                }
            }
        }
        if (f->client_reads && f->client_got >= f->client_reads)
            break;
    }
    f->client_ok = ok && (f->client_reads ? f->client_got >= f->client_reads
                                          : last && f->client_got == f->total);
out:
    close(fd);
    __atomic_store_n(&f->client_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void watch(uv_timer_t *t)
{
    fixture_t *f = t->data;
    if (__atomic_load_n(&f->client_done, __ATOMIC_SEQ_CST) && (f->ended || !f->client_reads) &&
        (!f->client_reads || f->gone))
        uv_stop(t->loop);
}

static void too_long(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* The loops and servers stay reachable: the server's memory is left to process exit, as the
 * console leaves it (console_http.c). */
static uv_loop_t loops[4];
static edge_http_t *servers[4];
static int n_runs;

static void run(fixture_t *f)
{
    uv_loop_t *loop = &loops[n_runs];
    uv_loop_init(loop);
    edge_listen_t at = {.host = "127.0.0.1", .port = 0};
    edge_http_t *h = NULL;
    char msg[256];
    assert_int_equal(edge_http_create(loop, &at, NULL, &h, msg, sizeof msg), MM_OK);
    servers[n_runs++] = h;
    assert_int_equal(edge_http_route(h, "GET", "/s", 0, handler, f), MM_OK);
    f->port = edge_http_port(h);
    pthread_t th;
    pthread_create(&th, NULL, client, f);
    uv_timer_t t;
    uv_timer_init(loop, &t);
    t.data = f;
    uv_timer_start(&t, watch, 10, 10);
    uv_timer_t limit; /* a test that hangs fails */
    uv_timer_init(loop, &limit);
    uv_timer_start(&limit, too_long, 30000, 0);
    uv_run(loop, UV_RUN_DEFAULT);
    pthread_join(th, NULL);
    uv_close((uv_handle_t *)&t, NULL);
    uv_close((uv_handle_t *)&limit, NULL);
    edge_http_close(h);
    uv_run(loop, UV_RUN_NOWAIT);
}

static void long_body_arrives_whole_with_back_pressure(void **state)
{
    (void)state;
    fixture_t f = {.total = 16u * 1024 * 1024 + 123};
    run(&f);
    assert_true(f.client_ok);
    assert_int_equal(f.client_got, f.total);
    assert_true(f.ended);
    assert_int_equal(f.gone, 0);
    assert_true(f.drains > 1); /* it waited for the client at least once */
    assert_true(f.max_queued <= LIMIT + PIECE);
    printf("16 MiB streamed: %d drains, at most %ld bytes queued\n", f.drains, f.max_queued);
}

static void client_gone_is_told(void **state)
{
    (void)state;
    fixture_t f = {.total = (size_t)1 << 40, .client_reads = 1024 * 1024};
    run(&f);
    assert_true(f.client_ok);
    assert_int_equal(f.gone, 1);
    assert_true(f.ended);
    assert_true(f.sent < f.total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_body_arrives_whole_with_back_pressure),
        cmocka_unit_test(client_gone_is_told),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
