/*
 * test_timefmt.c: instants for people in a site's zone — a zone is checked against the system's
 * time zone database before it is used, and once used it decides what times read, whatever TZ
 * the process was started with; the days the rules count stay Japan's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/timefmt.h"

#define JUL1_NOON_UTC_US (1782907200LL * 1000000)  /* 2026-07-01T12:00:00Z */
#define JAN15_NOON_UTC_US (1768478400LL * 1000000) /* 2026-01-15T12:00:00Z */

static void zones_of_the_database_are_known(void **state)
{
    (void)state;
    char why[200];
    assert_int_equal(mm_tz_check("Asia/Tokyo", why, sizeof why), 0);
    assert_int_equal(mm_tz_check("Europe/London", why, sizeof why), 0);
    assert_int_equal(mm_tz_check("America/Argentina/Buenos_Aires", why, sizeof why), 0);
    assert_int_equal(mm_tz_check("UTC", why, sizeof why), 0);
    assert_int_equal(mm_tz_check("Etc/GMT-9", why, sizeof why), 0);
}

static void anything_else_is_refused_with_a_reason(void **state)
{
    (void)state;
    char why[200];
    static const char *const bad[] = {
        "",
        "Mars/Olympus",
        "Asia/Tokio",
        "/usr/share/zoneinfo/Asia/Tokyo",
        "../../etc/passwd",
        "Asia/../Asia/Tokyo",
        "Asia//Tokyo",
        "Asia/Tokyo/",
        "Asia/Tokyo ",
        "JST-9",
        "localtime",
        "posixrules",
        "right/Asia/Tokyo",
        "posix/Asia/Tokyo",
        "zone.tab",
        "Asia",
        "Asia/Tokyo\n",
        "A/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why[0] = 0;
        if (mm_tz_check(bad[i], why, sizeof why) != -1)
            fail_msg("\"%s\" was taken for a zone", bad[i]);
        assert_true(why[0] != 0);
    }
    assert_int_equal(mm_tz_check(NULL, why, sizeof why), -1);
    assert_non_null(strstr(why, "not a time zone name"));
    mm_tz_check("Mars/Olympus", why, sizeof why);
    assert_string_equal(why, "unknown time zone \"Mars/Olympus\" (not in the time zone database "
                             "/usr/share/zoneinfo)");
}

/* A machine without the database knows no zone, and says where it looked. */
static void a_missing_database_knows_no_zone(void **state)
{
    (void)state;
    char why[200];
    setenv("TZDIR", "/nonexistent-zoneinfo", 1);
    assert_int_equal(mm_tz_check("Asia/Tokyo", why, sizeof why), -1);
    assert_non_null(strstr(why, "/nonexistent-zoneinfo"));
    unsetenv("TZDIR");
    assert_int_equal(mm_tz_check("Asia/Tokyo", why, sizeof why), 0);
}

/* The zone used is the site's, not the one the process was started in. */
static void times_read_in_the_zone_used_whatever_tz_said(void **state)
{
    (void)state;
    setenv("TZ", "America/New_York", 1);
    tzset();
    char t[MM_LOCALTIME_MAX], day[11];
    assert_int_equal(mm_tz_use("Asia/Tokyo"), 0);
    mm_time_local(JUL1_NOON_UTC_US, t);
    assert_string_equal(t, "2026-07-01 21:00:00 JST");
    mm_time_local(JAN15_NOON_UTC_US + 999999, t); /* whole seconds, rounded down */
    assert_string_equal(t, "2026-01-15 21:00:00 JST");
    mm_local_day(JUL1_NOON_UTC_US + 3 * 3600 * 1000000LL, day); /* 00:00 the next day in Japan */
    assert_string_equal(day, "2026-07-02");

    assert_int_equal(mm_tz_use("Europe/London"), 0);
    mm_time_local(JUL1_NOON_UTC_US, t);
    assert_string_equal(t, "2026-07-01 13:00:00 BST"); /* summer time */
    mm_time_local(JAN15_NOON_UTC_US, t);
    assert_string_equal(t, "2026-01-15 12:00:00 GMT");
    mm_local_day(JUL1_NOON_UTC_US, day);
    assert_string_equal(day, "2026-07-01");

    /* mktime reads a typed wall time in the same zone. */
    struct tm tm = {.tm_year = 126, .tm_mon = 6, .tm_mday = 1, .tm_hour = 13, .tm_isdst = -1};
    assert_int_equal((int64_t)mktime(&tm) * 1000000, JUL1_NOON_UTC_US);

    /* An unknown zone changes nothing. */
    assert_int_equal(mm_tz_use("Mars/Olympus"), -1);
    mm_time_local(JAN15_NOON_UTC_US, t);
    assert_string_equal(t, "2026-01-15 12:00:00 GMT");
}

/* The Japan-day helpers do not move with the zone used: the rules count days in Japan. */
static void japan_days_stay_in_japan(void **state)
{
    (void)state;
    assert_int_equal(mm_tz_use("America/New_York"), 0);
    char day[11], rfc[MM_RFC3339_MAX];
    mm_jst_day(JUL1_NOON_UTC_US + 12 * 3600 * 1000000LL, day);
    assert_string_equal(day, "2026-07-02");
    mm_time_rfc3339(JUL1_NOON_UTC_US, rfc);
    assert_string_equal(rfc, "2026-07-01T12:00:00Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zones_of_the_database_are_known),
        cmocka_unit_test(anything_else_is_refused_with_a_reason),
        cmocka_unit_test(a_missing_database_knows_no_zone),
        cmocka_unit_test(times_read_in_the_zone_used_whatever_tz_said),
        cmocka_unit_test(japan_days_stay_in_japan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
