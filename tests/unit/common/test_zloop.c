/*
 * test_zloop.c: a ZeroMQ socket on a libuv loop — every message is delivered, also those left
 * when a wake-up's budget is spent with nothing more arriving, and a flood of slow messages
 * does not keep the loop's other handles waiting until it is over (the hub's API while an
 * export's chunks arrive).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/zloop.h"

typedef struct {
    void *ctx, *push, *pull;
    uv_loop_t loop;
    mm_zsock_t *zs;
    uv_timer_t other;    /* another handle of the loop, due at once */
    uv_timer_t watchdog; /* ends a test that would otherwise wait for ever */
    size_t want, got;
    size_t got_when_other_ran; /* messages delivered when the other handle first ran */
    int arm_other; /* the first delivery makes the other handle due */
    int other_ran, timed_out;
    long slow_ns; /* how long each delivery takes */
} fx_t;

static void sleep_ns(long ns)
{
    struct timespec ts = {0, ns};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void on_other(uv_timer_t *t);

static void on_msg(mm_zsock_t *zs, mm_zmsg_t *msg, void *arg)
{
    (void)zs;
    fx_t *f = arg;
    assert_int_equal(msg->n, 1);
    assert_int_equal(zmq_msg_size(&msg->parts[0]), sizeof(uint32_t));
    uint32_t seq;
    memcpy(&seq, zmq_msg_data(&msg->parts[0]), sizeof seq);
    assert_int_equal(seq, f->got); /* in order, none lost */
    f->got++;
    if (f->got == 1 && f->arm_other)
        uv_timer_start(&f->other, on_other, 0, 0);
    if (f->slow_ns)
        sleep_ns(f->slow_ns);
    if (f->got == f->want)
        uv_stop(&f->loop);
}

static void on_other(uv_timer_t *t)
{
    fx_t *f = t->data;
    if (!f->other_ran) {
        f->other_ran = 1;
        f->got_when_other_ran = f->got;
    }
}

static void on_watchdog(uv_timer_t *t)
{
    fx_t *f = t->data;
    f->timed_out = 1;
    uv_stop(&f->loop);
}

static void fx_open(fx_t *f, size_t n, long slow_ns)
{
    memset(f, 0, sizeof *f);
    f->want = n;
    f->slow_ns = slow_ns;
    f->ctx = zmq_ctx_new();
    f->push = zmq_socket(f->ctx, ZMQ_PUSH);
    f->pull = zmq_socket(f->ctx, ZMQ_PULL);
    int hwm = 0;
    zmq_setsockopt(f->push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(f->pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
    assert_int_equal(zmq_bind(f->pull, "inproc://zloop"), 0);
    assert_int_equal(zmq_connect(f->push, "inproc://zloop"), 0);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    assert_int_equal(mm_zsock_create(&f->loop, f->pull, on_msg, f, &f->zs), MM_OK);
    uv_timer_init(&f->loop, &f->watchdog);
    f->watchdog.data = f;
    uv_timer_start(&f->watchdog, on_watchdog, 20000, 0);
    uv_timer_init(&f->loop, &f->other);
    f->other.data = f;
}

/* All n messages are queued before the loop first runs: they arrive as one flood. */
static void fx_send_all(fx_t *f)
{
    for (uint32_t i = 0; i < f->want; i++)
        assert_int_equal(zmq_send(f->push, &i, sizeof i, 0), (int)sizeof i);
}

static void fx_close(fx_t *f)
{
    mm_zsock_close(f->zs, NULL, NULL);
    uv_close((uv_handle_t *)&f->watchdog, NULL);
    uv_close((uv_handle_t *)&f->other, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    zmq_close(f->push);
    zmq_close(f->pull);
    zmq_ctx_term(f->ctx);
}

/* More messages than one wake-up takes, and then nothing: the rest must not wait for a new
 * message or a timer (ZMQ_FD raises no new edge for messages already queued). */
static void a_flood_is_delivered_whole_with_nothing_after_it(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 2000, 0);
    fx_send_all(&f);
    uv_run(&f.loop, UV_RUN_DEFAULT);
    assert_false(f.timed_out);
    assert_int_equal(f.got, 2000);
    fx_close(&f);
}

/* 300 messages taking 1 ms each: a timer made due by the first of them runs after a few more,
 * not after the first 256 (about 5 ms of deliveries a wake-up, zloop.h). */
static void other_handles_run_between_slow_messages(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 300, 1000 * 1000);
    f.arm_other = 1;
    fx_send_all(&f);
    uv_run(&f.loop, UV_RUN_DEFAULT);
    assert_false(f.timed_out);
    assert_int_equal(f.got, 300);
    assert_true(f.other_ran);
    /* The timer runs once the wake-up that made it due has spent its budget. A budget of
     * messages alone would let 256 go first. */
    assert_true(f.got_when_other_ran < 64);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_flood_is_delivered_whole_with_nothing_after_it),
        cmocka_unit_test(other_handles_run_between_slow_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
