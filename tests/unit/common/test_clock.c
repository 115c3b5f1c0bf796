/*
 * test_clock.c: the mapping of the monotonic clock to wall time (common/clock.h) — between jumps
 * mapped time advances exactly as the monotonic clock does, so durations are never negative nor
 * inflated; a step of the wall clock beyond the bound is one jump, reported with the time
 * expected, the time read and the step, and the mapping follows the new wall time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/clock.h"

#define S 1000000LL
#define T0 (1780000000LL * S) /* a wall time */
#define HOUR (3600 * S)
#define DAY (24 * HOUR)

static int64_t step(mm_wallmap_t *m, int64_t wall, int64_t mono, mm_clock_jump_t *j, int *jumped)
{
    int64_t mapped = 0;
    *jumped = mm_wallmap_step(m, wall, mono, MM_CLOCK_JUMP_US, &mapped, j);
    return mapped;
}

static void the_first_reading_anchors_without_a_jump(void **state)
{
    (void)state;
    mm_wallmap_t m = {0};
    mm_clock_jump_t j;
    int jumped;
    assert_int_equal(step(&m, T0, 5 * S, &j, &jumped), T0);
    assert_int_equal(jumped, 0);
    assert_int_equal(m.jumps, 0);
}

/* A steady clock: mapped time is the wall time. */
static void a_steady_clock_maps_to_itself(void **state)
{
    (void)state;
    mm_wallmap_t m = {0};
    mm_clock_jump_t j;
    int jumped;
    step(&m, T0, 5 * S, &j, &jumped);
    for (int64_t i = 1; i < 100; i++) {
        assert_int_equal(step(&m, T0 + i * 40000, 5 * S + i * 40000, &j, &jumped), T0 + i * 40000);
        assert_int_equal(jumped, 0);
    }
}

/* R-K2.2.6a: the wall clock set back an hour (the −3591.8 s segment of issue 20): one jump,
 * negative, and from then on time advances from the new wall time, never backwards again. */
static void an_hour_back_is_one_jump(void **state)
{
    (void)state;
    mm_wallmap_t m = {0};
    mm_clock_jump_t j = {0};
    int jumped;
    step(&m, T0, 0, &j, &jumped);
    assert_int_equal(step(&m, T0 + 8 * S, 8 * S, &j, &jumped), T0 + 8 * S);
    /* 0.1 s later the wall clock reads an hour earlier */
    int64_t read = T0 + 8 * S + 100000 - HOUR;
    assert_int_equal(step(&m, read, 8 * S + 100000, &j, &jumped), read);
    assert_int_equal(jumped, 1);
    assert_int_equal(j.expected_us, T0 + 8 * S + 100000);
    assert_int_equal(j.read_us, read);
    assert_int_equal(j.step_us, -HOUR);
    assert_int_equal(m.jumps, 1);
    /* and only once: the next readings follow */
    int64_t prev = read;
    for (int64_t i = 1; i <= 50; i++) {
        int64_t mapped = step(&m, read + i * S, 8 * S + 100000 + i * S, &j, &jumped);
        assert_int_equal(jumped, 0);
        assert_true(mapped > prev);
        prev = mapped;
    }
    assert_int_equal(m.jumps, 1);
}

/* Two days ahead: one jump, positive; the two days are not time that passed. */
static void two_days_ahead_is_one_jump(void **state)
{
    (void)state;
    mm_wallmap_t m = {0};
    mm_clock_jump_t j = {0};
    int jumped;
    step(&m, T0, 0, &j, &jumped);
    int64_t read = T0 + 3 * S + 2 * DAY;
    assert_int_equal(step(&m, read, 3 * S, &j, &jumped), read);
    assert_int_equal(jumped, 1);
    assert_int_equal(j.expected_us, T0 + 3 * S);
    assert_int_equal(j.step_us, 2 * DAY);
    assert_int_equal(step(&m, read + S, 4 * S, &j, &jumped), read + S);
    assert_int_equal(jumped, 0);
}

/* Within the bound: a small step back is not followed (mapped time never goes back), a small
 * step forward is; neither is a jump. Exactly the bound is no jump, just beyond it is. */
static void small_steps_are_no_jumps(void **state)
{
    (void)state;
    mm_wallmap_t m = {0};
    mm_clock_jump_t j;
    int jumped;
    step(&m, T0, 0, &j, &jumped);
    assert_int_equal(step(&m, T0 + S - 1500000, S, &j, &jumped), T0 + S);
    assert_int_equal(jumped, 0);
    assert_int_equal(step(&m, T0 + 2 * S + 1500000, 2 * S, &j, &jumped), T0 + 2 * S + 1500000);
    assert_int_equal(jumped, 0);
    /* now anchored at (T0 + 3.5 s, 2 s) */
    assert_int_equal(step(&m, T0 + 5500000 + MM_CLOCK_JUMP_US, 4 * S, &j, &jumped),
                     T0 + 5500000 + MM_CLOCK_JUMP_US);
    assert_int_equal(jumped, 0);
    step(&m, T0 + 8500000 + MM_CLOCK_JUMP_US + 1, 5 * S, &j, &jumped);
    assert_int_equal(jumped, 1);
    assert_int_equal(j.step_us, MM_CLOCK_JUMP_US + 1);
}

/* A frozen monotonic clock with a wall clock that runs back slowly never yields a smaller time. */
static void mapped_time_never_goes_back_without_a_jump(void **state)
{
    (void)state;
    mm_wallmap_t m = {0};
    mm_clock_jump_t j;
    int jumped;
    int64_t prev = step(&m, T0, 0, &j, &jumped);
    for (int64_t i = 1; i < 20; i++) {
        int64_t mapped = step(&m, T0 - i * 100000, i * 1000, &j, &jumped);
        assert_int_equal(jumped, 0);
        assert_true(mapped >= prev);
        prev = mapped;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_first_reading_anchors_without_a_jump),
        cmocka_unit_test(a_steady_clock_maps_to_itself),
        cmocka_unit_test(an_hour_back_is_one_jump),
        cmocka_unit_test(two_days_ahead_is_one_jump),
        cmocka_unit_test(small_steps_are_no_jumps),
        cmocka_unit_test(mapped_time_never_goes_back_without_a_jump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
