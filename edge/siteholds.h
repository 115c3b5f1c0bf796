/*
 * siteholds.h: holds the manager places at the site, before any request exists (R-K2.2.6b).
 *
 * After an incident the manager may keep footage past retention until the police or a court
 * ask for it: `mimamori-edge hold place --camera CAM[,CAM...] --from TIME --to TIME --reason
 * TEXT [--expires DAYS]`. A site hold is a vault hold (vault.h) per camera, so it keeps its
 * footage as a disclosure's hold does: the segment keys are wrapped under the hold's key before
 * the ratchet passes them, and retention erases nothing it covers. What makes it a site hold:
 *
 *   - its id: "site-<n>.<i>" for the i-th camera of the manager's n-th hold ("site-<n>" names
 *     all of them at once); n counts in the store (edge.meta "siteholds/next") and is never used
 *     twice, so that the hub's record of a hold id means one hold;
 *   - who placed it (the manager's person id) and when it expires, in its row and in its
 *     hold_placed entry (by, expires_us): EDGE_HOLD_DEFAULT_DAYS days from placing unless the
 *     manager names 1 to edge_policy_hold_max_days (governance.h);
 *   - how it ends: the manager releases it (hold_released with the manager as by), or the edge
 *     does on its loop (edge_siteholds_tick): at expiry (reason "expired", by ""), and as soon
 *     as a disclosure's hold covers its camera and range (reason naming the disclosure request;
 *     the disclosure's hold is in place before, so nothing is erased in between). What it kept
 *     past retention that no other hold keeps is erased at once (retention.h).
 *
 * What a hold may name is checked before anything is placed (edge_sitehold_check, a pure
 * function): a camera of the site, named once; a range that runs forwards and has ended; a
 * reason; an expiry within the policy's bound. Then each camera must have footage in the range
 * (its index), else nothing is placed. A failure between the cameras' holds leaves those placed
 * in place, each logged; the manager sees them in `mimamori-edge holds`.
 *
 * Everything here runs on the loop thread (the store's only writer).
 */
#ifndef EDGE_SITEHOLDS_H
#define EDGE_SITEHOLDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"
#include "edge/siteconf.h"
#include "edge/vault.h"

#define EDGE_SITEHOLD_PREFIX "site-"
#define EDGE_SITEHOLD_CAMERAS_MAX 16
#define EDGE_SITEHOLD_REASON_EXPIRED "expired"

/* A site hold as the manager asks for it. */
typedef struct {
    size_t n_cameras;
    char cameras[EDGE_SITEHOLD_CAMERAS_MAX][MM_ID_MAX];
    int64_t from_us, to_us;
    int days; /* until it expires, from placing; 0: EDGE_HOLD_DEFAULT_DAYS */
    const char *reason;
} edge_sitehold_req_t;

/*
 * Splits list ("cam1,cam2") into q's cameras. MM_EINVAL with why (cap bytes) for an empty list
 * or name, more than EDGE_SITEHOLD_CAMERAS_MAX, or a camera named twice.
 */
mm_err_t edge_sitehold_cameras(const char *list, edge_sitehold_req_t *q, char *why, size_t cap);

/*
 * Whether the site whose configuration is cfg may hold q at now_us, deciding nothing else and
 * touching nothing: MM_OK with *days the expiry in days (the default filled in); MM_ENOTFOUND
 * for a camera the site does not have; MM_EINVAL for no camera, a range that is empty or runs
 * backwards, a range that ends after now_us, no reason or one over MM_TEXT_MAX - 1 bytes, or
 * days outside 1 .. edge_policy_hold_max_days(cfg->policy). why says which (cap bytes).
 */
mm_err_t edge_sitehold_check(const edge_sitehold_req_t *q, const edge_config_t *cfg, int64_t now_us,
                             int *days, char *why, size_t cap);

/* Whether id is a site hold's ("site-<n>.<i>"), and a site hold group's ("site-<n>"). */
int edge_sitehold_is_site(const char *id);

/*
 * Places q for person by (the manager's id) at now_us: edge_sitehold_check, then footage in the
 * range on every camera (MM_ENOTFOUND naming the camera when one has none), then one vault hold
 * per camera. *placed (may be NULL) is what was placed: {"hold": "site-<n>", "expires_us",
 * "holds": [{"id", "camera", "segments"}]} (a new reference). Errors name what is wrong in why.
 */
mm_err_t edge_siteholds_place(const edge_vault_t *v, const edge_config_t *cfg,
                              const edge_sitehold_req_t *q, const char *by, int64_t now_us,
                              json_t **placed, char *why, size_t cap);

/*
 * The manager by releases id: a site hold ("site-<n>.<i>") or all of a group ("site-<n>"), with
 * reason; what they kept past retention goes (retention.h). *released (may be NULL) counts the
 * holds released and *erased the segments erased. MM_ENOTFOUND for no such site hold, MM_EDENIED
 * for a disclosure's hold (released with its request), MM_EINVAL for a bad reason; storage
 * errors. why says which.
 */
mm_err_t edge_siteholds_release(const edge_vault_t *v, const char *id, const char *reason,
                                const char *by, int64_t now_us, size_t *released, uint32_t *erased,
                                char *why, size_t cap);

/*
 * Every hold in force, site and disclosure, as a new JSON array in id order: {"id", "kind"
 * ("site" or "disclosure"), "group" (a site hold's "site-<n>") or "request" (a disclosure's),
 * "camera", "from_us", "to_us", "reason", "by", "placed_us", "expires_us" (0: none)}. NULL when
 * out of memory or the holds cannot be read.
 */
json_t *edge_siteholds_list(const edge_vault_t *v);

/*
 * The edge's part, on its loop: releases every site hold whose expiry has come (reason
 * "expired", by "") and every one a disclosure's hold covers (same camera, its range within the
 * disclosure's: reason "superseded by disclosure request <id>"). *released counts them (the
 * caller wakes the uplink). Errors are logged and the rest is done; the first is returned.
 */
mm_err_t edge_siteholds_tick(const edge_vault_t *v, int64_t now_us, size_t *released);

#endif
