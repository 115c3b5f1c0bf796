/*
 * test_refusals.c: refusals to unknown accounts are counted, one entry per account and minute
 * (edge/refusals.h): a flood of 300 is two entries whose counts add up to 300, and every account
 * is counted on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "edge/refusals.h"

#define S 1000000LL

static void a_flood_is_one_entry_a_minute(void **state)
{
    (void)state;
    static edge_refusals_t r;
    memset(&r, 0, sizeof r);
    edge_refusal_t due;
    int64_t t0 = 1000 * S;
    long logged = 0, counted = 0;
    for (int i = 0; i < 300; i++)
        logged += edge_refusals_note(&r, 1234, "mallory", "status", "nobody", t0 + i * 2000);
    assert_int_equal(logged, 1);
    assert_int_equal(edge_refusals_due(&r, t0 + 59 * S, 0, &due), 0); /* not yet */
    assert_int_equal(edge_refusals_due(&r, t0 + 60 * S, 0, &due), 1);
    assert_int_equal(due.uid, 1234);
    assert_string_equal(due.account, "mallory");
    counted += due.count;
    assert_int_equal(edge_refusals_due(&r, t0 + 60 * S, 0, &due), 0);
    assert_int_equal(logged + counted, 300);
    /* the next minute counts again; a quiet minute forgets the account */
    assert_int_equal(edge_refusals_note(&r, 1234, "mallory", "search", "x", t0 + 61 * S), 0);
    assert_int_equal(edge_refusals_due(&r, t0 + 120 * S, 0, &due), 1);
    assert_int_equal(due.count, 1);
    assert_string_equal(due.action, "search");
    assert_int_equal(edge_refusals_due(&r, t0 + 180 * S, 0, &due), 0);
    assert_int_equal(edge_refusals_note(&r, 1234, "mallory", "status", "x", t0 + 181 * S), 1);
}

static void accounts_are_counted_apart_and_all_at_stop(void **state)
{
    (void)state;
    static edge_refusals_t r;
    memset(&r, 0, sizeof r);
    edge_refusal_t due;
    assert_int_equal(edge_refusals_note(&r, 1, "a", "status", "x", 10 * S), 1);
    assert_int_equal(edge_refusals_note(&r, 2, "b", "status", "x", 10 * S), 1);
    assert_int_equal(edge_refusals_note(&r, 1, "a", "status", "x", 11 * S), 0);
    assert_int_equal(edge_refusals_note(&r, 2, "b", "status", "x", 11 * S), 0);
    assert_int_equal(edge_refusals_note(&r, 2, "b", "status", "x", 12 * S), 0);
    uint32_t sum = 0;
    int n = 0;
    while (edge_refusals_due(&r, 13 * S, 1, &due)) {
        sum += due.count;
        n++;
    }
    assert_int_equal(n, 2);
    assert_int_equal(sum, 3);
}

static void a_full_table_logs_each(void **state)
{
    (void)state;
    static edge_refusals_t r;
    memset(&r, 0, sizeof r);
    for (uid_t u = 0; u < EDGE_REFUSALS_ACCOUNTS; u++)
        assert_int_equal(edge_refusals_note(&r, 100 + u, "x", "status", "x", S), 1);
    assert_int_equal(edge_refusals_note(&r, 5000, "y", "status", "x", S), 1);
    assert_int_equal(edge_refusals_note(&r, 5000, "y", "status", "x", S), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_flood_is_one_entry_a_minute),
        cmocka_unit_test(accounts_are_counted_apart_and_all_at_stop),
        cmocka_unit_test(a_full_table_logs_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
