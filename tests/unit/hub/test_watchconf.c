/*
 * test_watchconf.c: the thresholds of what the hub watches (hub/watchconf.h) — defaults, every
 * key read within its bounds, per-policy viewing bounds, and every mistake reported with its key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/config.h"
#include "hub/watchconf.h"

#define MIN_US (60LL * 1000000)
#define DAY_US (1440 * MIN_US)

/* Parses text; returns the number of problems, each expected one checked. */
static size_t parse(const char *text, hub_watch_conf_t *out, const char *const *expect)
{
    mm_conf_t *conf = NULL;
    assert_int_equal(mm_conf_load_string("/etc/mimamori/hub.json", text, &conf), MM_OK);
    hub_watch_conf_parse(conf, mm_conf_root(conf), out);
    size_t n = mm_conf_problem_count(conf);
    for (size_t i = 0; expect && expect[i]; i++) {
        int found = 0;
        for (size_t j = 0; j < n; j++)
            found |= strstr(mm_conf_problem_at(conf, j), expect[i]) != NULL;
        if (!found) {
            for (size_t j = 0; j < n; j++)
                print_message("problem: %s\n", mm_conf_problem_at(conf, j));
            fail_msg("no problem containing \"%s\"", expect[i]);
        }
    }
    mm_conf_destroy(conf);
    return n;
}

static void defaults_without_watch(void **state)
{
    (void)state;
    hub_watch_conf_t c;
    assert_int_equal(parse("{}", &c, NULL), 0);
    assert_int_equal(c.erasure_tolerance_us, 10 * MIN_US);
    assert_int_equal(c.skew_max_us, 5 * MIN_US);
    for (int p = 0; p < MM_POLICY_COUNT; p++) {
        assert_int_equal(c.viewing[p].viewings, 20);
        assert_int_equal(c.viewing[p].footage_us, 480 * MIN_US);
    }
    assert_int_equal(c.night_from, 22);
    assert_int_equal(c.night_to, 6);
    assert_int_equal(c.suspension_max_us, 30 * DAY_US);
    assert_int_equal(c.sign_check_max_us, 365 * DAY_US);
    assert_int_equal(c.camera_count_grace_us, DAY_US);
    hub_watch_conf_t d;
    hub_watch_conf_default(&d);
    assert_memory_equal(&c, &d, sizeof c);
}

/* Global viewing bounds apply to every policy but those "policies" sets; a key a policy leaves
 * out keeps the global value. */
static void every_key_and_per_policy_bounds(void **state)
{
    (void)state;
    hub_watch_conf_t c;
    assert_int_equal(
        parse("{\"watch\":{\"erasure_tolerance_minutes\":0,\"clock_skew_max_seconds\":60,"
              "\"viewings_per_day\":3,\"viewing_minutes_per_day\":90,"
              "\"night\":{\"from\":1,\"to\":4},\"suspension_max_days\":2,"
              "\"sign_check_max_days\":30,\"camera_count_grace_hours\":0,"
              "\"policies\":{\"naha\":{\"viewings_per_day\":2}}}}",
              &c, NULL),
        0);
    assert_int_equal(c.erasure_tolerance_us, 0);
    assert_int_equal(c.skew_max_us, 60000000);
    assert_int_equal(c.viewing[MM_POLICY_KAWAGUCHI].viewings, 3);
    assert_int_equal(c.viewing[MM_POLICY_KAWAGUCHI].footage_us, 90 * MIN_US);
    assert_int_equal(c.viewing[MM_POLICY_NAHA].viewings, 2);
    assert_int_equal(c.viewing[MM_POLICY_NAHA].footage_us, 90 * MIN_US);
    assert_int_equal(c.night_from, 1);
    assert_int_equal(c.night_to, 4);
    assert_int_equal(c.suspension_max_us, 2 * DAY_US);
    assert_int_equal(c.sign_check_max_us, 30 * DAY_US);
    assert_int_equal(c.camera_count_grace_us, 0);
}

/* The night runs from its "from" hour up to its "to" hour, across midnight when from > to. */
static void night_hours_wrap_midnight(void **state)
{
    (void)state;
    hub_watch_conf_t c;
    hub_watch_conf_default(&c); /* 22 .. 6 */
    int want[24] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
    for (int h = 0; h < 24; h++)
        assert_int_equal(hub_watch_conf_night(&c, h), want[h]);
    c.night_from = 1;
    c.night_to = 4;
    for (int h = 0; h < 24; h++)
        assert_int_equal(hub_watch_conf_night(&c, h), h >= 1 && h < 4);
}

static void mistakes_name_their_key(void **state)
{
    (void)state;
    hub_watch_conf_t c;
    static const char *const range[] = {
        "hub.json: watch.clock_skew_max_seconds: must be between 1 and 86400, got 0",
        "hub.json: watch.erasure_tolerance_minutes: must be between 0 and 1440, got -1",
        "hub.json: watch.suspension_max_days: must be an integer",
        "hub.json: watch.viewings_per_day: must be between 1 and 100000, got 0",
        "hub.json: watch.unknown",
        NULL};
    assert_int_equal(parse("{\"watch\":{\"clock_skew_max_seconds\":0,"
                           "\"erasure_tolerance_minutes\":-1,\"suspension_max_days\":1.5,"
                           "\"viewings_per_day\":0,\"unknown\":1}}",
                           &c, range),
                     5);
    /* A mistaken key leaves its default. */
    assert_int_equal(c.skew_max_us, 5 * MIN_US);
    static const char *const night[] = {
        "hub.json: watch.night: from and to are both 6: the night must be at least an hour", NULL};
    assert_int_equal(parse("{\"watch\":{\"night\":{\"from\":6,\"to\":6}}}", &c, night), 1);
    assert_int_equal(c.night_from, 22);
    static const char *const night2[] = {"hub.json: watch.night.from: must be between 0 and 23",
                                         "hub.json: watch.night.to: missing", NULL};
    assert_int_equal(parse("{\"watch\":{\"night\":{\"from\":24}}}", &c, night2), 2);
    static const char *const pol[] = {
        "hub.json: watch.policies.mars: is no policy",
        "hub.json: watch.policies.naha: must be an object",
        "hub.json: watch.policies.kawaguchi.viewing_minutes_per_day: must be between 1", NULL};
    assert_int_equal(parse("{\"watch\":{\"policies\":{\"mars\":{},\"naha\":3,"
                           "\"kawaguchi\":{\"viewing_minutes_per_day\":0}}}}",
                           &c, pol),
                     3);
    static const char *const obj[] = {"hub.json: watch: must be an object", NULL};
    assert_int_equal(parse("{\"watch\":[]}", &c, obj), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_without_watch),
        cmocka_unit_test(every_key_and_per_policy_bounds),
        cmocka_unit_test(night_hours_wrap_midnight),
        cmocka_unit_test(mistakes_name_their_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
