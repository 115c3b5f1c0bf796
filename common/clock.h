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
 */
#ifndef MM_CLOCK_H
#define MM_CLOCK_H

#include <stdint.h>

int64_t mm_now_us(void);

#endif
