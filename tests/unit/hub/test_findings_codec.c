/*
 * test_findings_codec.c: findings as stored (hub/findings_codec). Every finding a hub of the
 * integration tests stored (tests/data/hub/records/findings.jsonl, copied from their databases)
 * reads into the struct and writes back byte for byte, in both sources' layouts; the API's JSON is
 * the stored text; evidence keeps its facts and their order; what the struct cannot hold as it is
 * is refused rather than changed.
 */
#include "hub_fixture.h"
#include "hub/findings_codec.h"

#define RECORDS MM_TEST_DATA "/hub/records/findings.jsonl"

static void stored_findings_read_and_write_back_byte_for_byte(void **state)
{
    (void)state;
    lines_t in;
    lines_open(&in, RECORDS);
    size_t n = 0, sources[HUB_FINDING_SOURCE_COUNT] = {0}, closed = 0;
    while (lines_next(&in)) {
        hub_finding_t f;
        assert_int_equal(hub_finding_decode(in.line, in.len, &f), MM_OK);
        assert_true(f.id > 0);
        assert_true(f.n_history > 0);
        assert_int_equal(f.state, f.history[f.n_history - 1].state);
        sources[f.source]++;
        closed += f.closed_at[0] != 0;
        written_back_is(&in, hub_finding_encode(&f), hub_finding_json(&f));
        hub_finding_deinit(&f);
        n++;
    }
    lines_close(&in);
    assert_true(n >= 50);
    assert_true(sources[HUB_FINDING_SOURCE_RULES] > 0);
    assert_true(sources[HUB_FINDING_SOURCE_VERIFICATION] > 0);
    assert_true(closed > 0);
}

static void evidence_keeps_its_facts_in_order(void **state)
{
    (void)state;
    hub_evidence_t ev = {0};
    const int64_t entries[2] = {14, 37};
    assert_int_equal(hub_evidence_ints(&ev, "entries", 2, entries), MM_OK);
    assert_int_equal(hub_evidence_text(&ev, "camera", "e1"), MM_OK);
    assert_int_equal(hub_evidence_int(&ev, "size", 12), MM_OK);
    json_t *j = hub_evidence_json(&ev);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_string_equal(text, "{\"entries\":[14,37],\"camera\":\"e1\",\"size\":12}");
    free(text);

    /* Back, and the same facts in another order are equal; another value is not. */
    hub_evidence_t back = {0}, other = {0};
    assert_int_equal(hub_evidence_from_json(j, &back), MM_OK);
    assert_true(hub_evidence_equal(&ev, &back));
    assert_int_equal(hub_evidence_int(&other, "size", 12), MM_OK);
    assert_int_equal(hub_evidence_ints(&other, "entries", 2, entries), MM_OK);
    assert_int_equal(hub_evidence_text(&other, "camera", "e1"), MM_OK);
    assert_true(hub_evidence_equal(&ev, &other));
    hub_evidence_deinit(&other);
    assert_int_equal(hub_evidence_int(&other, "size", 13), MM_OK);
    assert_int_equal(hub_evidence_ints(&other, "entries", 2, entries), MM_OK);
    assert_int_equal(hub_evidence_text(&other, "camera", "e1"), MM_OK);
    assert_false(hub_evidence_equal(&ev, &other));
    assert_non_null(hub_evidence_get(&back, "camera"));
    assert_string_equal(hub_evidence_get(&back, "camera")->text, "e1");
    assert_null(hub_evidence_get(&back, "day"));
    json_decref(j);
    hub_evidence_deinit(&other);
    hub_evidence_deinit(&back);

    /* Full is full. */
    hub_evidence_deinit(&ev);
    for (int i = 0; i < HUB_EVIDENCE_MAX; i++) {
        char name[8];
        snprintf(name, sizeof name, "n%d", i);
        assert_int_equal(hub_evidence_int(&ev, name, i), MM_OK);
    }
    assert_int_equal(hub_evidence_int(&ev, "more", 1), MM_ERANGE);
    const int64_t many[HUB_EVIDENCE_INTS_MAX + 1] = {0};
    hub_evidence_deinit(&ev);
    assert_int_equal(hub_evidence_ints(&ev, "entries", HUB_EVIDENCE_INTS_MAX + 1, many), MM_ERANGE);
    hub_evidence_deinit(&ev);
}

static void what_the_struct_cannot_hold_is_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "[]",
        "{\"id\":1,\"evidence\":{\"nested\":{\"a\":1}}}",
        "{\"id\":1,\"evidence\":{\"entries\":[1,2,3,4,5]}}",
        "{\"id\":1,\"evidence\":{\"entries\":[\"x\"]}}",
        "{\"id\":1,\"severity\":\"dire\"}",
        "{\"id\":1,\"state\":\"ajar\"}",
        "{\"id\":1,\"history\":[{\"state\":\"open\",\"at\":7}]}",
        "{\"id\":1,\"site\":\"0123456789012345678901234567890123456789012345678901234567890123\"}",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hub_finding_t f;
        assert_int_equal(hub_finding_decode(bad[i], strlen(bad[i]), &f), MM_ECORRUPT);
        hub_finding_deinit(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_findings_read_and_write_back_byte_for_byte),
        cmocka_unit_test(evidence_keeps_its_facts_in_order),
        cmocka_unit_test(what_the_struct_cannot_hold_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
