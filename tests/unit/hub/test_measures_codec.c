/*
 * test_measures_codec.c: measures as stored (hub/measures_codec). Every measure a hub of the
 * integration tests stored (tests/data/hub/records/measures.jsonl) reads into the struct and
 * writes back byte for byte, and the API shows it as stored; what the struct cannot hold as it is
 * is refused rather than changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hub/measures_codec.h"

#define RECORDS MM_TEST_DATA "/hub/records/measures.jsonl"

static void stored_measures_read_and_write_back_byte_for_byte(void **state)
{
    (void)state;
    FILE *in = fopen(RECORDS, "r");
    assert_non_null(in);
    char *line = NULL;
    size_t cap = 0, n = 0, published = 0;
    ssize_t len;
    hub_measure_t *m = malloc(sizeof *m);
    while ((len = getline(&line, &cap, in)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = 0;
        if (!len)
            continue;
        assert_int_equal(hub_measure_decode(line, (size_t)len, m), MM_OK);
        assert_true(m->id > 0);
        assert_true(m->n_findings > 0);
        published += m->published;
        char *again = hub_measure_encode(m);
        assert_string_equal(again, line);
        free(again);
        json_t *j = hub_measure_json(m);
        char *shown = json_dumps(j, JSON_COMPACT);
        assert_string_equal(shown, line);
        free(shown);
        json_decref(j);
        n++;
    }
    free(m);
    free(line);
    fclose(in);
    assert_true(n >= 3);
    assert_true(published >= 1);
}

static void what_the_struct_cannot_hold_is_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "7",
        "{\"id\":1,\"kind\":\"advice\",\"state\":\"given\"}",
        "{\"id\":1,\"kind\":\"guidance\",\"state\":\"pondered\"}",
        "{\"id\":1,\"kind\":\"guidance\",\"state\":\"given\",\"history\":[{\"state\":\"x\"}]}",
        "{\"id\":1,\"kind\":\"recommendation\",\"state\":\"heard\",\"hearing\":{\"outcome\":\"?\"}"
        "}",
        "{\"id\":1,\"kind\":\"guidance\",\"state\":\"given\",\"hearing\":{\"deadline\":\"2026-12-"
        "200\"}}",
    };
    hub_measure_t *m = malloc(sizeof *m);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(hub_measure_decode(bad[i], strlen(bad[i]), m), MM_ECORRUPT);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_measures_read_and_write_back_byte_for_byte),
        cmocka_unit_test(what_the_struct_cannot_hold_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
