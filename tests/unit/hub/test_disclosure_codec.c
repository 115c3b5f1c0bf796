/*
 * test_disclosure_codec.c: disclosure records as stored (hub/disclosure_codec). Every record a
 * hub of the integration tests stored (tests/data/hub/records/disclosures.jsonl) — filed,
 * forwarded, held, approved, exported with regions, received, downloaded, released after a
 * download — reads into the struct and writes back byte for byte, and the API shows it as
 * stored; what the struct cannot hold as it is is refused rather than changed.
 */
#include "hub_fixture.h"
#include "hub/disclosure_codec.h"

#define RECORDS MM_TEST_DATA "/hub/records/disclosures.jsonl"

static void stored_records_read_and_write_back_byte_for_byte(void **state)
{
    (void)state;
    lines_t in;
    lines_open(&in, RECORDS);
    size_t n = 0, received = 0, released = 0;
    hub_disclosure_rec_t *r = malloc(sizeof *r);
    while (lines_next(&in)) {
        assert_int_equal(hub_disclosure_rec_decode(in.line, in.len, r), MM_OK);
        assert_true(r->n_history > 0);
        assert_int_equal(r->history[0].step, HUB_DISCLOSURE_STATE_FILED);
        received += hub_members_has(&r->members, HUB_DISCLOSURE_RECEIVED);
        released += hub_members_has(&r->members, HUB_DISCLOSURE_HOLDS_RELEASED);
        written_back_is(&in, hub_disclosure_rec_encode(r), hub_disclosure_rec_json(r));
        hub_disclosure_rec_deinit(r);
        n++;
    }
    free(r);
    lines_close(&in);
    assert_true(n >= 6);
    assert_true(received >= 2);
    assert_true(released >= 2);
}

static void what_the_struct_cannot_hold_is_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "null",
        "{\"id\":\"disclosure-1\",\"state\":\"lost\",\"legal_basis\":\"law\"}",
        "{\"id\":\"disclosure-1\",\"state\":\"filed\",\"legal_basis\":\"whim\"}",
        "{\"id\":\"disclosure-1\",\"state\":\"filed\",\"legal_basis\":\"law\","
        "\"history\":[{\"step\":\"dreamt\"}]}",
        "{\"id\":\"disclosure-1\",\"state\":\"filed\",\"legal_basis\":\"law\","
        "\"export\":{\"sha256\":\"00\"}}",
        "{\"id\":\"disclosure-1\",\"state\":\"filed\",\"legal_basis\":\"law\","
        "\"part_sha256\":\"ABCDEF\"}",
    };
    hub_disclosure_rec_t *r = malloc(sizeof *r);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(hub_disclosure_rec_decode(bad[i], strlen(bad[i]), r), MM_ECORRUPT);
        hub_disclosure_rec_deinit(r);
    }
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_records_read_and_write_back_byte_for_byte),
        cmocka_unit_test(what_the_struct_cannot_hold_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
