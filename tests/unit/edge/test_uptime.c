/*
 * test_uptime.c: hourly uptime summaries come from the segment index, count every uncovered
 * stretch as a gap, and are written once per hour and camera, across restarts (R-K2.2.6a).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/crypto.h"
#include "edge/keyring.h"
#include "edge/store.h"
#include "edge/uptime.h"

#define H EDGE_EPOCH_US
#define S 1000000LL
#define T0 (472222LL * H)

static char dir[] = "/tmp/mm-test-uptime-XXXXXX";

static void add(edge_store_t *st, const char *camera, int64_t start, int64_t end)
{
    mm_segment_recorded_t s = {0};
    snprintf(s.camera, sizeof s.camera, "%s", camera);
    s.start_us = start;
    s.end_us = end;
    s.frames = 1;
    mm_sha256(&start, sizeof start, s.content_hash);
    snprintf(s.codec, sizeof s.codec, "h264");
    assert_int_equal(edge_store_add_segment(st, &s, "x", end, NULL), MM_OK);
}

static void uptime_counts_what_the_segments_cover(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    edge_store_t *st;
    assert_int_equal(edge_store_open(dir, &st), MM_OK);
    /* From the hour before, into this hour by 5 s; then 10:00:05..10:30:05 in 10 s segments
     * but for one missing segment (a 10 s gap) and a 1 s hole (below the slack, not a gap);
     * then nothing until 10:59:59; then a segment reaching into the next hour. */
    add(st, "cam1", T0 - 5 * S, T0 + 5 * S);
    int64_t t = T0 + 5 * S;
    while (t < T0 + 1800 * S) {
        int64_t end = t + 10 * S;
        if (t != T0 + 605 * S)
            add(st, "cam1", t == T0 + 905 * S ? t + S : t, end);
        t = end;
    }
    add(st, "cam1", T0 + H - S, T0 + H + 9 * S);
    mm_camera_uptime_t u;
    assert_int_equal(edge_uptime_hour(st, "cam1", T0, &u), MM_OK);
    assert_string_equal(u.camera, "cam1");
    assert_int_equal(u.hour_start_us, T0);
    /* Covered: 0..1805 s (the last 10 s segment starts at 1795 s) minus 10 s and 1 s, plus the
     * last second. */
    assert_int_equal(u.recorded_us, (1805 - 10 - 1 + 1) * S);
    assert_int_equal(u.gaps, 2); /* the missing segment, and 1805..3599 s */
    /* An hour with nothing at all: one gap, nothing recorded. */
    assert_int_equal(edge_uptime_hour(st, "cam1", T0 + 5 * H, &u), MM_OK);
    assert_int_equal(u.recorded_us, 0);
    assert_int_equal(u.gaps, 1);
    /* A camera never seen. */
    assert_int_equal(edge_uptime_hour(st, "cam9", T0, &u), MM_OK);
    assert_int_equal(u.recorded_us, 0);
    edge_store_close(st);
}

/* R-K2.2.6a */
static void uptime_is_logged_once_per_hour_across_restarts(void **state)
{
    (void)state;
    edge_store_t *st;
    assert_int_equal(edge_store_open(dir, &st), MM_OK);
    uint64_t before;
    assert_int_equal(edge_store_size(st, &before), MM_OK);
    uint32_t n;
    /* The hour of the first segment (T0 - 1 h) and T0 are due 60 s after T0 + 1 h. */
    assert_int_equal(edge_uptime_catch_up(st, "cam1", T0 + H + 59 * S, 100, &n), MM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(edge_uptime_catch_up(st, "cam1", T0 + H + 60 * S, 100, &n), MM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(edge_uptime_catch_up(st, "cam1", T0 + H + 61 * S, 100, &n), MM_OK);
    assert_int_equal(n, 0);
    edge_store_close(st);
    assert_int_equal(edge_store_open(dir, &st), MM_OK);
    /* After a restart, three hours later: those three, oldest first, at most max_hours. */
    assert_int_equal(edge_uptime_catch_up(st, "cam1", T0 + 4 * H + 60 * S, 2, &n), MM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(edge_uptime_catch_up(st, "cam1", T0 + 4 * H + 60 * S, 2, &n), MM_OK);
    assert_int_equal(n, 1);
    uint64_t after;
    assert_int_equal(edge_store_size(st, &after), MM_OK);
    assert_int_equal(after, before + 5);
    mm_bytes_t *b;
    assert_int_equal(edge_store_entries(st, before, 5, &b), MM_OK);
    for (int i = 0; i < 5; i++) {
        mm_entry_t e;
        assert_int_equal(mm_entry_decode(b[i].data, b[i].len, &e), MM_OK);
        assert_int_equal(e.kind, MM_ENTRY_CAMERA_UPTIME);
        assert_int_equal(e.u.camera_uptime.hour_start_us, T0 + (i - 1) * H);
    }
    mm_entry_t e;
    assert_int_equal(mm_entry_decode(b[0].data, b[0].len, &e), MM_OK);
    assert_int_equal(e.u.camera_uptime.recorded_us, 5 * S);
    free(b);
    /* A camera with no footage yet gets nothing. */
    assert_int_equal(edge_uptime_catch_up(st, "cam9", T0 + 9 * H, 100, &n), MM_OK);
    assert_int_equal(n, 0);
    edge_store_close(st);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uptime_counts_what_the_segments_cover),
        cmocka_unit_test(uptime_is_logged_once_per_hour_across_restarts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
