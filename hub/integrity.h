/*
 * integrity.h: the findings the hub raises from a site's own audit (edge/scrub.h, R-K2.2.6d).
 *
 * Each integrity_fault entry the mirror stores becomes a verification finding of the site, with
 * the entry's index as evidence: "log_tampered" (critical) for log_entry_altered and
 * log_root_mismatch, "footage_missing" (high) for segment_missing, "footage_altered" (high) for
 * segment_altered and segment_unreadable. The dedupe key is the fault and the index it names, so
 * a fault sent again (a batch resent) counts on the same finding.
 */
#ifndef HUB_INTEGRITY_H
#define HUB_INTEGRITY_H

#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "hub/findings.h"

/* Raises the findings of the integrity_fault entries among entries[0 .. n), which are the site's
 * log from first_index on; other kinds are skipped. */
void hub_integrity_findings(hub_findings_t *f, const char *site, uint64_t first_index,
                            const mm_entry_t *entries, size_t n, int64_t now_us);

/* The finding kind and severity of fault. */
const char *hub_integrity_kind(mm_integrity_t fault, hub_severity_t *severity);

#endif
