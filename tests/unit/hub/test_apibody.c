/*
 * test_apibody.c: the body of a resident's complaint on the public route (R-N12) — what it
 * takes, and every way it is refused: too big (for 413), not a JSON object, unknown keys, no
 * text, a text too long in characters or in bytes, control characters, a contact of two lines, a
 * camera that is no id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hub/apibody.h"

static hub_public_complaint_body_t body;
static char msg[256];

static mm_err_t parse(const char *text)
{
    msg[0] = 0;
    return hub_body_public_complaint(text, strlen(text), &body, msg, sizeof msg);
}

static void refused(const char *text, const char *why)
{
    if (parse(text) != MM_EPROTO)
        fail_msg("accepted: %s", text);
    if (!strstr(msg, why))
        fail_msg("for %s: want \"%s\" in \"%s\"", text, why, msg);
}

static void R_N12_public_complaint_body_taken(void **state)
{
    (void)state;
    assert_int_equal(parse("{\"text\":\"窓が映っています\\n直してください\"}"), MM_OK);
    assert_string_equal(body.text, "窓が映っています\n直してください");
    assert_string_equal(body.contact, "");
    assert_string_equal(body.camera, "");
    assert_int_equal(parse("{\"text\":\"x\",\"contact\":\"090-0000-0000\",\"camera\":\"cam1\"}"),
                     MM_OK);
    assert_string_equal(body.contact, "090-0000-0000");
    assert_string_equal(body.camera, "cam1");
    /* 2000 characters is the most; 680 kana fit the site log's 2047 bytes. */
    char *big = malloc(8192);
    strcpy(big, "{\"text\":\"");
    for (int i = 0; i < 2000; i++)
        strcat(big, "a");
    strcat(big, "\"}");
    assert_int_equal(parse(big), MM_OK);
    strcpy(big, "{\"text\":\"");
    for (int i = 0; i < 682; i++)
        strcat(big, "あ");
    strcat(big, "\"}");
    assert_int_equal(parse(big), MM_OK);
    free(big);
}

static void R_N12_public_complaint_body_refused(void **state)
{
    (void)state;
    refused("", "needs a JSON body");
    refused("[]", "must be a JSON object");
    refused("{\"text\":", "not JSON");
    refused("{\"text\":\"x\",\"site\":\"site-a\"}", "\"site\" is not a key");
    refused("{\"contact\":\"x\"}", "\"text\" is required");
    refused("{\"text\":\"\"}", "\"text\" is required");
    refused("{\"text\":3}", "\"text\" must be a string");
    refused("{\"text\":\"a\\u0000b\"}", "not JSON");
    refused("{\"text\":\"a\\u0007b\"}", "control character");
    refused("{\"text\":\"a\\tb\"}", "control character");
    refused("{\"text\":\"a\\rb\"}", "control character");
    refused("{\"text\":\"x\",\"contact\":\"a\\nb\"}", "\"contact\" holds a control character");
    refused("{\"text\":\"x\",\"camera\":\"../x\"}", "\"camera\" is no camera id");
    char *big = malloc(8192);
    strcpy(big, "{\"text\":\"");
    for (int i = 0; i < 2001; i++)
        strcat(big, "a");
    strcat(big, "\"}");
    refused(big, "longer than 2000 characters");
    strcpy(big, "{\"text\":\"");
    for (int i = 0; i < 683; i++)
        strcat(big, "あ");
    strcat(big, "\"}");
    refused(big, "longer than 2047 bytes");
    /* Over the public route's size: said so, for 413, whatever it holds. */
    memset(big, ' ', 4097);
    big[4097] = 0;
    assert_int_equal(parse(big), MM_ETOOBIG);
    assert_non_null(strstr(msg, "longer than 4096 bytes"));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(R_N12_public_complaint_body_taken),
        cmocka_unit_test(R_N12_public_complaint_body_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
