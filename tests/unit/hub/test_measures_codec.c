/*
 * test_measures_codec.c: measures as stored (hub/measures_codec). Every measure a hub of the
 * integration tests stored (tests/data/hub/records/measures.jsonl) reads into the struct and
 * writes back byte for byte, and the API shows it as stored; what the struct cannot hold as it is
 * is refused rather than changed.
 */
#include "hub_fixture.h"
#include "hub/measures_codec.h"

#define RECORDS MM_TEST_DATA "/hub/records/measures.jsonl"

static void stored_measures_read_and_write_back_byte_for_byte(void **state)
{
    (void)state;
    lines_t in;
    lines_open(&in, RECORDS);
    size_t n = 0, published = 0;
    hub_measure_t *m = malloc(sizeof *m);
    while (lines_next(&in)) {
        assert_int_equal(hub_measure_decode(in.line, in.len, m), MM_OK);
        assert_true(m->id > 0);
        assert_true(m->n_findings > 0);
        published += m->published;
        written_back_is(&in, hub_measure_encode(m), hub_measure_json(m));
        n++;
    }
    free(m);
    lines_close(&in);
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
