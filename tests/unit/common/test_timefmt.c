/*
 * test_timefmt.c: instants for people in Japan time — written, and read back from what a person
 * types, with every malformed or impossible time refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/timefmt.h"

#define S 1000000LL

static void test_jst_time_is_utc_plus_nine(void **state)
{
    (void)state;
    char out[MM_RFC3339_MAX];
    mm_jst_time(1767225600 * S, out); /* 2026-01-01T00:00:00Z */
    assert_string_equal(out, "2026-01-01 09:00:00");
    mm_jst_time(1767225600 * S - 1, out); /* rounded down, to the second before */
    assert_string_equal(out, "2026-01-01 08:59:59");
    mm_jst_time(0, out);
    assert_string_equal(out, "-");
}

static void test_jst_parse_reads_what_jst_time_writes(void **state)
{
    (void)state;
    int64_t us = 0;
    assert_int_equal(mm_jst_parse("2026-01-01 09:00:00", &us), 0);
    assert_int_equal(us, 1767225600 * S);
    assert_int_equal(mm_jst_parse("2026-01-01T09:00", &us), 0);
    assert_int_equal(us, 1767225600 * S);
    assert_int_equal(mm_jst_parse("2026-01-01 00:30", &us), 0);
    assert_int_equal(us, (1767225600 - 9 * 3600 + 1800) * S);
    char out[MM_RFC3339_MAX];
    mm_jst_time(1795486419 * S, out);
    assert_int_equal(mm_jst_parse(out, &us), 0);
    assert_int_equal(us, 1795486419 * S);
}

static void test_jst_parse_refuses_what_is_no_time(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "now",
        "2026-01-01",
        "2026-01-01 9:00",
        "2026-1-01 09:00",
        "2026-02-30 10:00",
        "2026-13-01 10:00",
        "2026-01-01 24:00",
        "2026-01-01 10:60",
        "2026-01-01 10:00:60",
        "2026-01-01 10:00Z",
        "2026-01-01 10:00:00 ",
        "1969-12-31 23:00",
        "2026-01-01/10:00",
        "2026-01-01 10:00:5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t us = 42;
        if (mm_jst_parse(bad[i], &us) != -1)
            fail_msg("\"%s\" was read as a time", bad[i]);
        assert_int_equal(us, 42);
    }
    assert_int_equal(mm_jst_parse(NULL, NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jst_time_is_utc_plus_nine),
        cmocka_unit_test(test_jst_parse_reads_what_jst_time_writes),
        cmocka_unit_test(test_jst_parse_refuses_what_is_no_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
