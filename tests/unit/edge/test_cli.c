/*
 * test_cli.c: the operator commands' time arguments (edge/cli.h). The commands themselves run
 * against a real edge in tests/integration/test_governance.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "common/timefmt.h"
#include "edge/cli.h"

#define S 1000000LL
static const int64_t NOW = 1795480000LL * S;

static void relative_and_absolute_times(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(edge_cli_parse_time("now", NOW, &t), 0);
    assert_true(t == NOW);
    assert_int_equal(edge_cli_parse_time("-90s", NOW, &t), 0);
    assert_true(t == NOW - 90 * S);
    assert_int_equal(edge_cli_parse_time("-10m", NOW, &t), 0);
    assert_true(t == NOW - 600 * S);
    assert_int_equal(edge_cli_parse_time("-2h", NOW, &t), 0);
    assert_true(t == NOW - 7200 * S);
    assert_int_equal(edge_cli_parse_time("-1d", NOW, &t), 0);
    assert_true(t == NOW - 86400 * S);
    assert_int_equal(edge_cli_parse_time("@1700000000", NOW, &t), 0);
    assert_true(t == 1700000000LL * S);
    /* UTC with Z; 2026-11-22 03:04:05Z = 1795316645 */
    assert_int_equal(edge_cli_parse_time("2026-11-22T03:04:05Z", NOW, &t), 0);
    assert_true(t == 1795316645LL * S);
    assert_int_equal(edge_cli_parse_time("2026-11-22 03:04Z", NOW, &t), 0);
    assert_true(t == 1795316640LL * S);
    /* Local time: Japan has no daylight saving, so JST is exactly UTC+9. */
    setenv("TZ", "JST-9", 1); /* POSIX form: no tzdata needed */
    tzset();
    assert_int_equal(edge_cli_parse_time("2026-11-22 12:04:05", NOW, &t), 0);
    assert_true(t == 1795316645LL * S);
}

/* A date and time is read in the zone the command makes its own (the site's, timefmt.h
 * mm_tz_use), whatever TZ the process was started with; Z is still UTC, and the relative forms
 * need no zone. */
static void times_are_read_in_the_sites_zone_in_any_time_zone(void **state)
{
    (void)state;
    int64_t t = 0;
    setenv("TZ", "EST5", 1);
    tzset();
    assert_int_equal(mm_tz_use("Asia/Tokyo"), 0);
    assert_int_equal(edge_cli_parse_time("2026-11-22 12:04:05", NOW, &t), 0);
    assert_true(t == 1795316645LL * S);
    assert_int_equal(edge_cli_parse_time("2026-11-22T12:04", NOW, &t), 0);
    assert_true(t == 1795316640LL * S);
    assert_int_equal(mm_tz_use("Europe/London"), 0); /* GMT in November */
    assert_int_equal(edge_cli_parse_time("2026-11-22 03:04:05", NOW, &t), 0);
    assert_true(t == 1795316645LL * S);
    assert_int_equal(edge_cli_parse_time("2026-07-01 13:00", NOW, &t), 0); /* BST */
    assert_true(t == 1782907200LL * S);
    assert_int_equal(edge_cli_parse_time("2026-11-22 03:04:05Z", NOW, &t), 0);
    assert_true(t == 1795316645LL * S);
    assert_int_equal(edge_cli_parse_time("-2h", NOW, &t), 0);
    assert_true(t == NOW - 7200 * S);
    assert_int_equal(edge_cli_parse_time("2026-11-22", NOW, &t), -1);
    /* 01:30 on the last Sunday of March never shows on a London clock. */
    assert_int_equal(edge_cli_parse_time("2026-03-29 01:30", NOW, &t), -1);
    assert_int_equal(edge_cli_parse_time("2026-03-29 02:30", NOW, &t), 0);
    /* 01:30 on the last Sunday of October shows twice: the first (BST, 00:30 UTC) is meant. */
    assert_int_equal(edge_cli_parse_time("2026-10-25 01:30", NOW, &t), 0);
    assert_true(t == (int64_t)1792888200 * S);
    assert_int_equal(edge_cli_parse_time("2026-10-25 00:59", NOW, &t), 0);
    assert_true(t == (int64_t)(1792888200 - 31 * 60) * S);
    assert_int_equal(edge_cli_parse_time("2026-10-25 02:00", NOW, &t), 0);
    assert_true(t == (int64_t)(1792888200 + 5400) * S);
}

static void bad_times_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "yesterday",
        "-",
        "-5",
        "-5w",
        "--5m",
        "@",
        "@12x",
        "@-5",
        "-5m ",
        "2026-13-01 00:00",
        "2026-11-32 00:00",
        "2026-11-22 24:00",
        "2026-11-22 10:60",
        "2026-11-22",
        "1969-12-31 00:00",
        "2026-02-30 10:00",
        "2026-04-31 10:00Z",
        "2026-11-22 10:00:60",
        "2026-11-22T10:00:00+09:00",
        "2026-11-22 10:00:00ZZ",
        "-99999999999999999999d",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 42;
        if (edge_cli_parse_time(bad[i], NOW, &t) != -1)
            fail_msg("\"%s\" was taken as a time", bad[i]);
        assert_true(t == 42);
    }
    assert_int_equal(edge_cli_parse_time(NULL, NOW, &(int64_t){0}), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(relative_and_absolute_times),
        cmocka_unit_test(times_are_read_in_the_sites_zone_in_any_time_zone),
        cmocka_unit_test(bad_times_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
