/*
 * rules_watch.h: the rules over what the hub has seen a site do with its own clock (watch.h) and
 * over the site's record (registry.h) read against that clock: footage erased before its
 * retention ended, the site's clock off the hub's, one person's viewing on one day above the
 * city's bounds, viewing at night at a site that says nobody works there then, a camera
 * suspended too long, the number of cameras changed without a filing, a sign checked too long
 * ago. Which of them a site is held to, under which requirement, is its policy's
 * (watchpolicy.h); the thresholds are the hub's configuration (watchconf.h).
 *
 * Findings (kind, dedupe key, what the evidence names):
 *   clock_skew             ""              entries [the batch's last], offset_s, measured
 *   erased_early           camera/day      entries [first, last], camera, day, count, early_s,
 *                                          retention_days
 *   viewing_volume         person/day      entries [first, last], person, day, viewings,
 *                                          footage_min, max_viewings, max_minutes
 *   night_viewing          person/day      entries [first at night], person, day, night,
 *                                          from_hour, to_hour
 *   camera_suspended_long  camera          entries [its camera_state], camera, since, days,
 *                                          max_days
 *   camera_count_unfiled   ""              entries [site_facts, standards_filed], cameras,
 *                                          filed_cameras, version
 *   signage_check_old      camera          entries [its camera_facts], camera, checked, days,
 *                                          max_days
 */
#ifndef HUB_RULES_WATCH_H
#define HUB_RULES_WATCH_H

#include <stdint.h>

#include "common/err.h"
#include "hub/findings.h"
#include "hub/registry.h"
#include "hub/watch.h"
#include "hub/watchconf.h"

/* The findings that hold for rec and st (either may be NULL) at the hub's time now_us, appended
 * to out. MM_OK or MM_ENOMEM (out then holds what was found before). */
mm_err_t hub_rules_watch_evaluate(const hub_site_record_t *rec, const hub_watch_state_t *st,
                                  const hub_watch_conf_t *cfg, int64_t now_us,
                                  hub_finding_list_t *out);

#endif
