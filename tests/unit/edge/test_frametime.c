/*
 * test_frametime.c: frames are timed by the camera's timestamps, bounded by the monotonic clock
 * (edge/frametime.h), so that frames read late together — after the edge itself stalled — keep
 * the spacing they were taken with, and a camera's clock cannot put a frame in the future
 * (R-K2.2.6a: what is recorded, and when, is a true record).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "edge/frametime.h"

#define S 1000000LL
#define RATE 90000u
#define TICKS(us) ((int64_t)(us) * RATE / S)
#define FRAME (S / 25) /* 25 fps: a whole number of ticks and of µs */

static void first_frame_is_its_read_time(void **state)
{
    (void)state;
    edge_frametime_t t = {0};
    edge_frametime_reset(&t);
    assert_int_equal(edge_frametime_at(&t, 123456789, RATE, 50 * S), 50 * S);
    /* The next, a frame later by both clocks. */
    assert_int_equal(edge_frametime_at(&t, 123456789 + TICKS(FRAME), RATE, 50 * S + FRAME),
                     50 * S + FRAME);
}

/* The soak's defect: the edge was stopped for 10 s; the camera's frames waited in the socket and
 * were read within 50 ms. Each keeps its own time. */
static void backlog_keeps_its_spacing(void **state)
{
    (void)state;
    edge_frametime_t t = {0};
    int64_t mono = 100 * S, ts = 0;
    for (int i = 0; i < 30; i++, mono += FRAME, ts += TICKS(FRAME))
        edge_frametime_at(&t, ts, RATE, mono);
    int64_t stopped = mono;
    mono += 10 * S;
    for (int i = 0; i < 150; i++, ts += TICKS(FRAME)) {
        int64_t at = edge_frametime_at(&t, ts, RATE, mono + i * 333);
        assert_int_equal(at, stopped + i * FRAME);
    }
    assert_int_equal(t.reanchors, 0);
}

static void never_in_the_future(void **state)
{
    (void)state;
    edge_frametime_t t = {0};
    edge_frametime_at(&t, 0, RATE, 10 * S);
    /* The camera's clock runs 1 % fast: no frame is later than it was read. */
    int64_t last = 0;
    for (int i = 1; i < 300; i++) {
        int64_t mono = 10 * S + i * FRAME;
        int64_t at = edge_frametime_at(&t, TICKS(i * FRAME * 101 / 100), RATE, mono);
        assert_true(at <= mono);
        assert_true(at >= last);
        last = at;
    }
    assert_true(t.reanchors > 0);
    /* A step of ten minutes forward (a camera that resets its clock): read time. */
    int64_t mono = 10 * S + 300 * FRAME;
    assert_int_equal(edge_frametime_at(&t, TICKS(600 * S), RATE, mono), mono);
}

static void steps_back_and_slow_clocks(void **state)
{
    (void)state;
    edge_frametime_t t = {0};
    edge_frametime_at(&t, TICKS(20 * S), RATE, 5 * S);
    edge_frametime_at(&t, TICKS(20 * S + FRAME), RATE, 5 * S + FRAME);
    /* A small step back (B-frame order) holds the previous time. */
    assert_int_equal(edge_frametime_at(&t, TICKS(20 * S), RATE, 5 * S + 2 * FRAME),
                     5 * S + FRAME);
    /* A step back of a minute is a reset: re-anchored at its read time. */
    assert_int_equal(edge_frametime_at(&t, TICKS(S), RATE, 5 * S + 3 * FRAME), 5 * S + 3 * FRAME);
    assert_int_equal(t.reanchors, 1);

    /* A clock 1 % slow falls behind; each window's least delay is taken up, so frame times stay
     * within the slack plus two windows' drift (the one measured and the one under way) of their
     * read times. */
    edge_frametime_t s = {0};
    int64_t mono = 0;
#define BOUND (EDGE_FRAMETIME_SLACK_US + 2 * EDGE_FRAMETIME_WINDOW_US / 100 + FRAME)
    for (int i = 0; i < 25 * 120; i++) {
        mono = S + i * FRAME;
        int64_t at = edge_frametime_at(&s, TICKS(i * FRAME * 99 / 100), RATE, mono);
        assert_true(at <= mono);
        assert_true(mono - at < BOUND);
    }
    /* A backlog longer than any socket holds is a broken clock: read time. */
    assert_int_equal(edge_frametime_at(&s, TICKS(119 * S), RATE, mono + 40 * S), mono + 40 * S);
}

static void no_timestamps_is_read_time(void **state)
{
    (void)state;
    edge_frametime_t t = {0};
    assert_int_equal(edge_frametime_at(&t, 0, 0, 7 * S), 7 * S);
    assert_int_equal(edge_frametime_at(&t, 0, 0, 6 * S), 7 * S); /* never back */
    assert_int_equal(edge_frametime_at(&t, 0, 0, 8 * S), 8 * S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_frame_is_its_read_time),
        cmocka_unit_test(backlog_keeps_its_spacing),
        cmocka_unit_test(never_in_the_future),
        cmocka_unit_test(steps_back_and_slow_clocks),
        cmocka_unit_test(no_timestamps_is_read_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
