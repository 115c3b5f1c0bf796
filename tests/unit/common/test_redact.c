/*
 * test_redact.c: a URL shown anywhere keeps its user and host and hides its password and query
 * (common/redact.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/redact.h"

static void expect(const char *in, const char *want)
{
    char out[MM_REDACT_MAX];
    assert_string_equal(mm_redact(in, out, sizeof out), want);
}

static void passwords_are_hidden(void **state)
{
    (void)state;
    expect("rtsp://user:PASS@10.0.0.5:554/stream1", "rtsp://user:***@10.0.0.5:554/stream1");
    expect("cam2: recording rtsp://admin:s3cr%40t@cam/h264 (h264 1920x1080)",
           "cam2: recording rtsp://admin:***@cam/h264 (h264 1920x1080)");
    /* a user information without a colon may be a token itself */
    expect("rtsps://TOKEN@cam/x", "rtsps://***@cam/x");
    /* an unencoded '/' or '@' in a password hides too much rather than too little */
    expect("rtsp://u:pa/ss@h/p", "rtsp://u:***@h/p");
    expect("rtsp://u:p@ss@h/p", "rtsp://u:***@h/p");
    /* two URLs in one line, quoted */
    expect("\"rtsp://a:b@h1/x\" and 'rtsp://c:d@h2/y'",
           "\"rtsp://a:***@h1/x\" and 'rtsp://c:***@h2/y'");
}

static void queries_are_hidden(void **state)
{
    (void)state;
    expect("http://hook:8080/alert?token=abc", "http://hook:8080/alert?***");
    expect("rtsp://u:p@h/s?auth=x#frag", "rtsp://u:***@h/s?***#frag");
}

static void what_has_no_secret_is_kept(void **state)
{
    (void)state;
    expect("rtsp://127.0.0.1:8554/cam1", "rtsp://127.0.0.1:8554/cam1");
    expect("no url here: a@b c:d", "no url here: a@b c:d");
    expect("", "");
    char small[12];
    mm_redact("rtsp://u:PASSWORD@h/", small, sizeof small);
    assert_null(strstr(small, "PASS"));
    assert_true(strlen(small) < sizeof small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(passwords_are_hidden),
        cmocka_unit_test(queries_are_hidden),
        cmocka_unit_test(what_has_no_secret_is_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
