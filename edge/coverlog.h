/*
 * coverlog.h: a camera's coverage in the site log (R-K2.1.3a, R-N5.2-3).
 *
 * When the edge starts a camera it logs a camera_coverage entry with the public, private and
 * masked parts of its view, its public share, the policy's threshold and any written exception —
 * unless the last one logged for that camera says the same. The hub and the city see each
 * camera's share from the log, and every change to it.
 */
#ifndef EDGE_COVERLOG_H
#define EDGE_COVERLOG_H

#include <stdint.h>

#include "common/entry.h"
#include "edge/governance.h"
#include "edge/store.h"

/* Fills e (kind camera_coverage, time now_us) from the camera's coverage as configured. */
void edge_coverage_entry(const char *camera, mm_policy_t policy, const edge_camera_gov_t *gov,
                         int64_t now_us, mm_entry_t *e);

/*
 * Appends the camera's camera_coverage entry when it differs from the last one logged for the
 * camera (edge.meta "coverage/<camera>" keeps that one's bytes, set in the same transaction).
 * *logged says whether it was appended.
 */
mm_err_t edge_coverage_log(edge_store_t *st, const char *camera, mm_policy_t policy,
                           const edge_camera_gov_t *gov, int64_t now_us, int *logged);

#endif
