/*
 * test_ratelimit.c: how often one client may complain online (R-N12) — limit uses in a window per
 * client, the wait until the next, a new window once one ends, IPv6 clients by their /64, and a
 * table that never grows however many clients come.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "hub/ratelimit.h"

#define S 1000000LL
#define HOUR (3600 * S)
#define T0 (1795400000LL * S)

static void R_N12_five_an_hour_then_told_how_long_to_wait(void **state)
{
    (void)state;
    hub_ratelimit_t *r = NULL;
    assert_int_equal(hub_ratelimit_create(16, 5, HOUR, &r), MM_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(hub_ratelimit_take(r, "192.0.2.1", T0 + i * S), 0);
    assert_int_equal(hub_ratelimit_take(r, "192.0.2.1", T0 + 10 * S), HOUR - 10 * S);
    assert_int_equal(hub_ratelimit_take(r, "192.0.2.1", T0 + HOUR - 1), 1);
    /* Another client is counted apart. */
    assert_int_equal(hub_ratelimit_take(r, "192.0.2.2", T0 + 10 * S), 0);
    /* The window ends an hour after it began: five more. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(hub_ratelimit_take(r, "192.0.2.1", T0 + HOUR + i), 0);
    assert_true(hub_ratelimit_take(r, "192.0.2.1", T0 + HOUR + 5) > 0);
    hub_ratelimit_destroy(r);
    hub_ratelimit_destroy(NULL);
    assert_int_equal(hub_ratelimit_create(0, 5, HOUR, &r), MM_EINVAL);
    assert_int_equal(hub_ratelimit_create(4, 0, HOUR, &r), MM_EINVAL);
    assert_int_equal(hub_ratelimit_create(4, 5, 0, &r), MM_EINVAL);
}

static void R_N12_clients_by_address_ipv6_by_its_64(void **state)
{
    (void)state;
    char a[HUB_RATELIMIT_KEY_MAX], b[HUB_RATELIMIT_KEY_MAX];
    assert_int_equal(hub_ratelimit_key("192.0.2.7", a), 0);
    assert_string_equal(a, "192.0.2.7");
    assert_int_equal(hub_ratelimit_key("::ffff:192.0.2.7", b), 0);
    assert_string_equal(b, "192.0.2.7");
    assert_int_equal(hub_ratelimit_key("2001:db8:1:2:aaaa::1", a), 0);
    assert_int_equal(hub_ratelimit_key("2001:db8:1:2:bbbb:cccc:dddd:eeee", b), 0);
    assert_string_equal(a, b);
    assert_string_equal(a, "2001:db8:1:2::/64");
    assert_int_equal(hub_ratelimit_key("2001:db8:1:3::1", b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(hub_ratelimit_key("not an address", a), -1);
    assert_int_equal(hub_ratelimit_key("", a), -1);
    assert_int_equal(hub_ratelimit_key(NULL, a), -1);
}

/* A flood of clients takes the slots whose windows began first, never more room; a client
 * still in its window keeps its count while there is any other slot to take. */
static void R_N12_the_table_is_bounded(void **state)
{
    (void)state;
    hub_ratelimit_t *r = NULL;
    assert_int_equal(hub_ratelimit_create(4, 2, HOUR, &r), MM_OK);
    assert_int_equal(hub_ratelimit_take(r, "10.0.0.1", T0), 0);
    assert_int_equal(hub_ratelimit_take(r, "10.0.0.1", T0), 0);
    assert_true(hub_ratelimit_take(r, "10.0.0.1", T0) > 0);
    char key[32];
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "10.0.1.%d", i);
        assert_int_equal(hub_ratelimit_take(r, key, T0 + S + i), 0);
    }
    /* All four slots run: 10.0.0.1 is still counted. */
    assert_true(hub_ratelimit_take(r, "10.0.0.1", T0 + 10 * S) > 0);
    /* A fifth client takes the slot whose window began first: 10.0.0.1's. */
    assert_int_equal(hub_ratelimit_take(r, "10.0.2.1", T0 + 11 * S), 0);
    assert_int_equal(hub_ratelimit_take(r, "10.0.0.1", T0 + 12 * S), 0);
    /* Ended windows are reused before running ones: 10.0.2.1 (since T0 + 11 s) keeps its count. */
    assert_int_equal(hub_ratelimit_take(r, "10.0.3.1", T0 + HOUR + 2 * S), 0);
    assert_int_equal(hub_ratelimit_take(r, "10.0.2.1", T0 + HOUR + 3 * S), 0);
    assert_int_equal(hub_ratelimit_take(r, "10.0.2.1", T0 + HOUR + 3 * S), 8 * S);
    hub_ratelimit_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(R_N12_five_an_hour_then_told_how_long_to_wait),
        cmocka_unit_test(R_N12_clients_by_address_ipv6_by_its_64),
        cmocka_unit_test(R_N12_the_table_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
