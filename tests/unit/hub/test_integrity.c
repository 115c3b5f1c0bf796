/*
 * test_integrity.c: the findings the hub raises from a site's own audit (hub/integrity.h,
 * R-K2.2.6d) — each integrity_fault entry, as it comes off the wire, is log_tampered (critical),
 * footage_missing or footage_altered (high) with the entry's index as evidence; other kinds raise
 * nothing; the same fault sent again counts on the same finding.
 */
#include "hub_fixture.h"
#include "hub/integrity.h"

typedef struct {
    int n;
    char kind[4][HUB_FINDING_KIND_MAX];
    hub_severity_t sev[4];
    int64_t entry[4], index[4], count[4];
} seen_t;

static int collect(void *arg, const hub_finding_t *f)
{
    seen_t *s = arg;
    if (s->n < 4) {
        snprintf(s->kind[s->n], sizeof s->kind[0], "%s", f->kind);
        s->sev[s->n] = f->severity;
        s->entry[s->n] = hub_evidence_get(&f->evidence, "entry")->i;
        s->index[s->n] = hub_evidence_get(&f->evidence, "index")->i;
        s->count[s->n] = f->count;
    }
    s->n++;
    return 0;
}

/* e through its bytes, as the mirror has it. */
static void wire(mm_entry_t *e)
{
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_OK);
    memset(e, 0, sizeof *e);
    assert_int_equal(mm_entry_decode(buf, len, e), MM_OK);
    free(buf);
}

static void findings_from_faults(void **state)
{
    (void)state;
    hubfx_t h = {0};
    hubfx_open(&h, "integrity", HUBFX_FINDINGS);
    static mm_entry_t e[4];
    memset(e, 0, sizeof e);
    e[0].kind = MM_ENTRY_CAMERA_GAP;
    snprintf(e[0].u.camera_gap.camera, MM_ID_MAX, "cam1");
    mm_integrity_t what[3] = {MM_INTEGRITY_LOG_ENTRY_ALTERED, MM_INTEGRITY_SEGMENT_MISSING,
                              MM_INTEGRITY_SEGMENT_ALTERED};
    for (int i = 1; i < 4; i++) {
        e[i].time_us = 1780000000000000LL;
        e[i].kind = MM_ENTRY_INTEGRITY_FAULT;
        mm_integrity_fault_t *q = &e[i].u.integrity_fault;
        q->fault = what[i - 1];
        q->index = (uint64_t)(10 * i);
        q->has_expected_hash = 1;
        memset(q->expected_hash, i, 32);
        if (i > 1) {
            snprintf(q->camera, sizeof q->camera, "cam1");
            snprintf(q->file, sizeof q->file, "cam1/%d.mmseg", i);
            q->start_us = 1780000000000000LL + i;
        }
        snprintf(q->detail, sizeof q->detail, "fault %d", i);
    }
    for (int i = 0; i < 4; i++)
        wire(&e[i]);
    assert_int_equal(e[2].u.integrity_fault.fault, MM_INTEGRITY_SEGMENT_MISSING);
    assert_string_equal(e[2].u.integrity_fault.file, "cam1/2.mmseg");

    hub_integrity_findings(h.findings, "site-a", 100, e, 4, 1780000000000000LL);
    seen_t s = {0};
    assert_int_equal(hub_findings_each(h.findings, collect, &s), MM_OK);
    assert_int_equal(s.n, 3);
    const char *kinds[3] = {"log_tampered", "footage_missing", "footage_altered"};
    hub_severity_t sevs[3] = {HUB_SEVERITY_CRITICAL, HUB_SEVERITY_HIGH, HUB_SEVERITY_HIGH};
    for (int i = 0; i < 3; i++) {
        assert_string_equal(s.kind[i], kinds[i]);
        assert_int_equal(s.sev[i], sevs[i]);
        assert_int_equal(s.entry[i], 101 + i);
        assert_int_equal(s.index[i], 10 * (i + 1));
        assert_int_equal(s.count[i], 1);
    }
    /* The same batch again: the same findings, counted. */
    hub_integrity_findings(h.findings, "site-a", 100, e, 4, 1780000001000000LL);
    memset(&s, 0, sizeof s);
    assert_int_equal(hub_findings_each(h.findings, collect, &s), MM_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.count[0], 2);
    hubfx_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(findings_from_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
