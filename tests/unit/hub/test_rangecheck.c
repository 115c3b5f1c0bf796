/*
 * test_rangecheck.c: whether a request's range can hold footage (hub/rangecheck; R-K2.2.6b,
 * R-N7.5), a pure function checked at its boundaries: times in seconds and milliseconds told
 * from microseconds, a range before the site's first recording, a range wholly before what the
 * site keeps by its registered retention unless a hold keeps some of it, and nothing refused on
 * what the hub does not know.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hub/rangecheck.h"

#define S 1000000LL
#define DAY_US (86400 * S)
#define NOW (1796500000LL * S) /* 2026-12-04 */
#define Y2000 (946684800LL * S)

static const char *const CAM1[] = {"cam1"};

static void seconds_and_milliseconds_are_told_from_microseconds(void **state)
{
    (void)state;
    /* Seconds: from 2000-01-01 to a year from now, read as seconds. */
    assert_int_equal(hub_range_unit(1733400000, NOW), 1000000);
    assert_int_equal(hub_range_unit(946684800, NOW), 1000000);
    assert_int_equal(hub_range_unit(946684799, NOW), 0);
    assert_int_equal(hub_range_unit((NOW + 366 * DAY_US) / S, NOW), 1000000);
    assert_int_equal(hub_range_unit((NOW + 366 * DAY_US) / S + 1, NOW), 0);
    /* Milliseconds. */
    assert_int_equal(hub_range_unit(1733400000000, NOW), 1000);
    assert_int_equal(hub_range_unit(946684800000, NOW), 1000);
    assert_int_equal(hub_range_unit(946684799999, NOW), 0);
    assert_int_equal(hub_range_unit((NOW + 366 * DAY_US) / 1000 + 1, NOW), 0);
    /* Microseconds, and times that are none of them (1970 is 1970). */
    assert_int_equal(hub_range_unit(NOW, NOW), 0);
    assert_int_equal(hub_range_unit(Y2000, NOW), 0);
    assert_int_equal(hub_range_unit(Y2000 - 1, NOW), 0);
    assert_int_equal(hub_range_unit(0, NOW), 0);
    assert_int_equal(hub_range_unit(3600 * S, NOW), 0);
    assert_int_equal(hub_range_unit(-5, NOW), 0);
    assert_int_equal(hub_range_unit(INT64_MAX, NOW), 0);

    hub_range_why_t why;
    assert_int_equal(hub_range_check_units(1733400000, 1733403600, NOW, &why), -1);
    assert_string_equal(why.code, "range_in_seconds");
    assert_non_null(strstr(why.message, "from_us 1733400000 looks like seconds"));
    assert_non_null(strstr(why.message, "1733400000000000"));
    assert_int_equal(hub_range_check_units(NOW - S, 1733403600000, NOW, &why), -1);
    assert_string_equal(why.code, "range_in_milliseconds");
    assert_non_null(strstr(why.message, "to_us 1733403600000 looks like milliseconds"));
    assert_int_equal(hub_range_check_units(NOW - S, NOW, NOW, &why), 0);
}

static int check(int64_t from, int64_t to, const hub_site_footage_t *f, hub_range_why_t *why)
{
    return hub_range_check(from, to, CAM1, 1, f, NOW, why);
}

/* A range that ends at the first recording's start has nothing; one a microsecond later may. */
static void a_range_before_the_first_recording_is_refused(void **state)
{
    (void)state;
    int64_t first = NOW - 3 * DAY_US;
    hub_site_footage_t f = {.first_us = first};
    hub_range_why_t why;
    assert_int_equal(check(first - 3600 * S, first, &f, &why), -1);
    assert_string_equal(why.code, "before_first_recording");
    assert_non_null(strstr(why.message, "first recording"));
    assert_int_equal(check(first - 3600 * S, first + 1, &f, &why), 0);
    /* 1970, in microseconds. */
    assert_int_equal(check(0, 3600 * S, &f, &why), -1);
    assert_string_equal(why.code, "before_first_recording");
    /* No first recording known: not refused on it. */
    f.first_us = 0;
    assert_int_equal(check(0, 3600 * S, &f, &why), 0);
}

/* Wholly before now minus the registered retention, with no hold on any of it: refused. */
static void a_range_outside_retention_is_refused_unless_held(void **state)
{
    (void)state;
    int64_t kept_from = NOW - 14 * DAY_US;
    hub_site_footage_t f = {.first_us = NOW - 100 * DAY_US, .retention_days = 14};
    hub_range_why_t why;
    assert_int_equal(check(kept_from - 3600 * S, kept_from, &f, &why), -1);
    assert_string_equal(why.code, "outside_retention");
    assert_non_null(strstr(why.message, "14 days"));
    assert_int_equal(check(kept_from - 3600 * S, kept_from + 1, &f, &why), 0);
    /* A hold of another camera does not count; one of this camera overlapping does; one that
     * ends where the range starts does not overlap. */
    hub_held_range_t held[] = {{"cam2", kept_from - 2 * 3600 * S, kept_from},
                               {"cam1", kept_from - 5 * 3600 * S, kept_from - 3600 * S}};
    f.held = held;
    f.n_held = 2;
    assert_int_equal(check(kept_from - 3600 * S, kept_from, &f, &why), -1);
    held[1].to_us = kept_from - 3600 * S + 1;
    assert_int_equal(check(kept_from - 3600 * S, kept_from, &f, &why), 0);
    /* Retention not known: not refused on it. */
    hub_site_footage_t unknown = {0};
    assert_int_equal(check(kept_from - 3600 * S, kept_from, &unknown, &why), 0);
}

/* A range given in seconds is refused as such before anything else is said of it. */
static void units_come_first(void **state)
{
    (void)state;
    hub_site_footage_t f = {.first_us = NOW - DAY_US, .retention_days = 7};
    hub_range_why_t why;
    assert_int_equal(check(1733400000, 1733403600, &f, &why), -1);
    assert_string_equal(why.code, "range_in_seconds");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seconds_and_milliseconds_are_told_from_microseconds),
        cmocka_unit_test(a_range_before_the_first_recording_is_refused),
        cmocka_unit_test(a_range_outside_retention_is_refused_unless_held),
        cmocka_unit_test(units_come_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
