/*
 * integrity.c: findings from a site's own audit (see integrity.h).
 */
#include "hub/integrity.h"

#include <inttypes.h>
#include <stdio.h>

#include "common/crypto.h"

const char *hub_integrity_kind(mm_integrity_t fault, hub_severity_t *severity)
{
    switch (fault) {
    case MM_INTEGRITY_LOG_ENTRY_ALTERED:
    case MM_INTEGRITY_LOG_ROOT_MISMATCH:
        *severity = HUB_SEVERITY_CRITICAL;
        return "log_tampered";
    case MM_INTEGRITY_SEGMENT_MISSING:
        *severity = HUB_SEVERITY_HIGH;
        return "footage_missing";
    default:
        *severity = HUB_SEVERITY_HIGH;
        return "footage_altered";
    }
}

static void raise_one(hub_findings_t *f, const char *site, uint64_t index,
                      const mm_integrity_fault_t *q, int64_t now_us)
{
    hub_severity_t sev;
    const char *kind = hub_integrity_kind(q->fault, &sev);
    hub_evidence_t ev = {0};
    hub_evidence_int(&ev, "entry", (int64_t)index);
    hub_evidence_text(&ev, "fault", mm_integrity_name(q->fault));
    hub_evidence_int(&ev, "index", (int64_t)q->index);
    if (q->camera[0]) {
        hub_evidence_text(&ev, "camera", q->camera);
        hub_evidence_int(&ev, "start_us", q->start_us);
        hub_evidence_text(&ev, "file", q->file);
    }
    char hex[65];
    if (q->has_expected_hash) {
        mm_hex32(q->expected_hash, hex);
        hub_evidence_text(&ev, "expected_hash", hex);
    }
    if (q->has_found_hash) {
        mm_hex32(q->found_hash, hex);
        hub_evidence_text(&ev, "found_hash", hex);
    }
    char dk[96];
    snprintf(dk, sizeof dk, "%s %" PRIu64, mm_integrity_name(q->fault), q->index);
    hub_findings_raise(f, site, kind, sev, dk, &ev, now_us,
                       "the site's own audit found %s (log entry %" PRIu64 "): %s",
                       mm_integrity_name(q->fault), index, q->detail);
    hub_evidence_deinit(&ev);
}

void hub_integrity_findings(hub_findings_t *f, const char *site, uint64_t first_index,
                            const mm_entry_t *entries, size_t n, int64_t now_us)
{
    for (size_t i = 0; i < n; i++)
        if (entries[i].kind == MM_ENTRY_INTEGRITY_FAULT)
            raise_one(f, site, first_index + i, &entries[i].u.integrity_fault, now_us);
}
