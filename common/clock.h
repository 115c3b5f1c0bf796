/*
 * clock.h: the wall clock of mimamori's daemons, injectable for tests.
 *
 * mm_now_us() is CLOCK_REALTIME in microseconds since the Unix epoch, plus an offset that a test
 * can set while the daemon runs: when the environment variable MM_TEST_CLOCK_FILE names a file,
 * the file's content (a decimal number of microseconds, possibly negative) is added. The file is
 * read again at most every 100 ms, so a test moves a running edge eight days forward by writing
 * one number. Without the variable nothing is read and the offset is 0. Thread-safe.
 *
 * Every time that goes into a log entry, a segment or a retention decision comes from here;
 * durations and timeouts use monotonic clocks (uv_now, CLOCK_MONOTONIC), never this.
 *
 * Wall time that cannot lie to itself (mm_wallmap_t). Frame times, segment bounds and gaps are
 * wall times mapped from the monotonic clock: mapped = anchor_wall + (mono - anchor_mono). Each
 * reading of the wall clock is compared with the mapping: a difference beyond a bound (the edge's
 * "clock": {"jump_seconds"}, 2 s by default) is a jump — the wall clock was stepped — and the
 * mapping is anchored anew at the wall time read; a smaller difference forward is followed
 * (the mapping never runs behind the wall clock by more than the bound), a smaller one backward
 * is not (mapped time never goes back but at a jump). So between two jumps mapped time advances
 * exactly as the monotonic clock does: durations are never negative, nor inflated by a step.
 */
#ifndef MM_CLOCK_H
#define MM_CLOCK_H

#include <stdint.h>

int64_t mm_now_us(void);

/* CLOCK_MONOTONIC in microseconds. */
int64_t mm_mono_us(void);

#define MM_CLOCK_JUMP_US 2000000 /* the default bound of a jump: 2 s */

/* The mapping from the monotonic clock to wall time (zero it before the first step). */
typedef struct {
    int64_t anchor_wall_us, anchor_mono_us;
    int anchored;
    uint64_t jumps; /* how many jumps it has seen */
} mm_wallmap_t;

/* A jump of the wall clock: the wall time the mapping expected, the wall time read, and the step
 * (read - expected; negative when the clock went back). */
typedef struct {
    int64_t expected_us, read_us, step_us;
} mm_clock_jump_t;

/*
 * Pure: steps m with a reading of both clocks (wall_us, mono_us) and returns the wall time of
 * this instant on the mapping. Returns 1 and fills *jump when |wall - mapped| > bound_us (the
 * mapping is then anchored at wall_us, which is returned); 0 otherwise. The first step anchors
 * without a jump.
 */
int mm_wallmap_step(mm_wallmap_t *m, int64_t wall_us, int64_t mono_us, int64_t bound_us,
                    int64_t *mapped_us, mm_clock_jump_t *jump);

#endif
