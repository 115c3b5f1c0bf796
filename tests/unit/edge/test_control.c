/*
 * test_control.c: control-socket request lines for the holds the manager places (control.h,
 * siteholds.h): what hold_place, hold_release and holds carry, and what they may not; and what a
 * playback may ask for (R-N7.3). The rest of
 * the parser is fuzzed (tests/fuzz/fuzz_control.c) with its corpus replayed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "edge/control.h"

static mm_err_t parse(const char *line, edge_request_t *r, char *msg)
{
    return edge_request_parse(line, strlen(line), r, msg, MM_TEXT_MAX);
}

static void a_hold_names_cameras_a_range_a_reason_and_maybe_its_days(void **state)
{
    (void)state;
    edge_request_t r;
    char msg[MM_TEXT_MAX];
    assert_int_equal(parse("{\"action\":\"hold_place\",\"cameras\":\"cam1,cam2\",\"from_us\":1,"
                           "\"to_us\":2,\"reason\":\"事故\",\"expires_days\":60}",
                           &r, msg),
                     MM_OK);
    assert_int_equal(r.action, EDGE_ACT_HOLD_PLACE);
    assert_string_equal(r.cameras, "cam1,cam2");
    assert_int_equal(r.from_us, 1);
    assert_int_equal(r.to_us, 2);
    assert_string_equal(r.reason, "事故");
    assert_int_equal(r.days, 60);
    assert_int_equal(parse("{\"action\":\"hold_place\",\"cameras\":\"cam1\",\"from_us\":1,"
                           "\"to_us\":2,\"reason\":\"r\"}",
                           &r, msg),
                     MM_OK);
    assert_int_equal(r.days, 0);
    static const char *const bad[][2] = {
        {"{\"action\":\"hold_place\",\"from_us\":1,\"to_us\":2,\"reason\":\"r\"}", "cameras"},
        {"{\"action\":\"hold_place\",\"cameras\":\"c\",\"from_us\":1,\"to_us\":2}", "reason"},
        {"{\"action\":\"hold_place\",\"cameras\":\"c\",\"to_us\":2,\"reason\":\"r\"}", "from_us"},
        {"{\"action\":\"hold_place\",\"cameras\":\"c\",\"from_us\":2,\"to_us\":1,\"reason\":\"r\"}",
         "forwards"},
        {"{\"action\":\"hold_place\",\"cameras\":\"c\",\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"expires_days\":0}",
         "expires_days"},
        {"{\"action\":\"hold_place\",\"cameras\":\"c\",\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"expires_days\":3651}",
         "expires_days"},
        {"{\"action\":\"hold_place\",\"cameras\":\"c\",\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"hold_id\":\"site-1\"}",
         "hold_id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i][0], &r, msg) != MM_EPROTO)
            fail_msg("%s parsed", bad[i][0]);
        if (!strstr(msg, bad[i][1]))
            fail_msg("%s: \"%s\" does not say %s", bad[i][0], msg, bad[i][1]);
    }
}

static void a_release_names_the_hold_and_a_list_nothing(void **state)
{
    (void)state;
    edge_request_t r;
    char msg[MM_TEXT_MAX];
    assert_int_equal(parse("{\"action\":\"hold_release\",\"hold_id\":\"site-3\"}", &r, msg), MM_OK);
    assert_string_equal(r.hold_id, "site-3");
    assert_string_equal(r.reason, "");
    assert_int_equal(
        parse("{\"action\":\"hold_release\",\"hold_id\":\"site-3.1\",\"reason\":\"不要\"}", &r,
              msg),
        MM_OK);
    assert_string_equal(r.reason, "不要");
    assert_int_equal(parse("{\"action\":\"hold_release\",\"reason\":\"r\"}", &r, msg), MM_EPROTO);
    assert_int_equal(parse("{\"action\":\"hold_release\",\"hold_id\":\"\"}", &r, msg), MM_EPROTO);
    assert_int_equal(
        parse("{\"action\":\"hold_release\",\"hold_id\":\"s\",\"expires_days\":5}", &r, msg),
        MM_EPROTO);
    assert_int_equal(parse("{\"action\":\"holds\"}", &r, msg), MM_OK);
    assert_int_equal(r.action, EDGE_ACT_HOLDS);
    assert_int_equal(parse("{\"action\":\"holds\",\"camera\":\"cam1\"}", &r, msg), MM_EPROTO);
}

/* R-N7.3: a playback covers at most a day, at 1, 2, 4 or 8 times real time (1 unless asked),
 * goes to a player or to the caller, not both; its purpose and basis are read as given. */
static void R_N7_3_a_playback_is_a_day_at_most_eight_times_real_time(void **state)
{
    (void)state;
    edge_request_t r;
    char msg[MM_TEXT_MAX];
    assert_int_equal(parse("{\"action\":\"playback\",\"camera\":\"cam1\",\"from_us\":1,"
                           "\"to_us\":86400000001,\"purpose\":\"捜索\",\"basis\":\"emergency\","
                           "\"player\":\"ffplay\"}",
                           &r, msg),
                     MM_OK);
    assert_int_equal(r.speed, 1);
    assert_string_equal(r.player, "ffplay");
    assert_false(r.stream);
    assert_string_equal(r.purpose, "捜索");
    assert_int_equal(r.basis, MM_LEGAL_BASIS_EMERGENCY);
    assert_int_equal(parse("{\"action\":\"playback\",\"camera\":\"c\",\"from_us\":1,"
                           "\"to_us\":2,\"stream\":true,\"speed\":8}",
                           &r, msg),
                     MM_OK);
    assert_true(r.stream);
    assert_int_equal(r.speed, 8);
    assert_int_equal(parse("{\"action\":\"timeline\",\"camera\":\"c\",\"from_us\":1,"
                           "\"to_us\":172800000001}",
                           &r, msg),
                     MM_OK);
    assert_int_equal(r.action, EDGE_ACT_TIMELINE);
    assert_int_equal(parse("{\"action\":\"playback\",\"camera\":\"c\",\"from_us\":1,"
                           "\"to_us\":2,\"stream\":true,\"speed\":8}",
                           &r, msg),
                     MM_OK);
    assert_string_equal(r.purpose, "");
    assert_int_equal(r.basis, MM_LEGAL_BASIS_NONE);
    static const char *const bad[][2] = {
        {"{\"action\":\"playback\",\"camera\":\"c\",\"from_us\":1,\"to_us\":86400000002}",
         "at most 24 hours"},
        {"{\"action\":\"playback\",\"camera\":\"c\",\"from_us\":1,\"to_us\":2,\"speed\":16}",
         "at most 8 times"},
        {"{\"action\":\"playback\",\"camera\":\"c\",\"from_us\":1,\"to_us\":2,\"speed\":3}",
         "speed"},
        {"{\"action\":\"playback\",\"camera\":\"c\",\"from_us\":1,\"to_us\":2,\"speed\":0}",
         "speed"},
        {"{\"action\":\"playback\",\"camera\":\"c\",\"from_us\":1,\"to_us\":2,\"stream\":true,"
         "\"player\":\"ffplay\"}",
         "not both"},
        {"{\"action\":\"playback\",\"camera\":\"c\",\"from_us\":1,\"to_us\":2,"
         "\"stream\":false}",
         "stream"},
        {"{\"action\":\"playback\",\"camera\":\"c\",\"from_us\":1,\"to_us\":2,"
         "\"basis\":\"whim\"}",
         "basis"},
        {"{\"action\":\"playback\",\"camera\":\"c\",\"from_us\":1,\"to_us\":2,"
         "\"player\":\"\"}",
         "player"},
        {"{\"action\":\"search\",\"camera\":\"c\",\"from_us\":1,\"to_us\":2,\"speed\":1}", "speed"},
        {"{\"action\":\"search\",\"camera\":\"c\",\"from_us\":1,\"to_us\":2678400000002}",
         "31 days"},
        /* a timeline covers at most 48 hours, and takes no playback's keys */
        {"{\"action\":\"timeline\",\"camera\":\"c\",\"from_us\":1,\"to_us\":172800000002}",
         "48 hours"},
        {"{\"action\":\"timeline\",\"camera\":\"c\",\"from_us\":1,\"to_us\":2,\"speed\":1}",
         "speed"},
        {"{\"action\":\"timeline\",\"from_us\":1,\"to_us\":2}", "camera"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i][0], &r, msg) != MM_EPROTO)
            fail_msg("%s parsed", bad[i][0]);
        if (!strstr(msg, bad[i][1]))
            fail_msg("%s: \"%s\" does not say %s", bad[i][0], msg, bad[i][1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_hold_names_cameras_a_range_a_reason_and_maybe_its_days),
        cmocka_unit_test(R_N7_3_a_playback_is_a_day_at_most_eight_times_real_time),
        cmocka_unit_test(a_release_names_the_hold_and_a_list_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
