/*
 * watchconf.h: the thresholds of what the hub watches with its own clock and data (watch.h,
 * rules_watch.h), the "watch" object of the hub's configuration. Every key is optional:
 *
 *   "watch": {
 *     "erasure_tolerance_minutes": 10,  footage erased this much before its retention ended, by
 *                                       the hub's clock, is not yet a finding (0..1440)
 *     "clock_skew_max_seconds": 300,    a site's clock further than this from the hub's is a
 *                                       finding (1..86400)
 *     "viewings_per_day": 20,           one person's viewings on one day above this (1..100000)
 *     "viewing_minutes_per_day": 480,   or minutes of footage they viewed above this (1..144000)
 *     "night": {"from": 22, "to": 6},   the night, in whole hours of the site's zone: from its
 *                                       "from" hour up to its "to" hour (0..23, not equal)
 *     "suspension_max_days": 30,        a camera suspended longer than this (1..3650)
 *     "sign_check_max_days": 365,       a sign last checked longer ago than this (1..3650)
 *     "camera_count_grace_hours": 24,   a change of the number of cameras unfiled this long
 *                                       (0..8760)
 *     "policies": {"naha": {"viewings_per_day": 10, "viewing_minutes_per_day": 240}}
 *   }
 *
 * "policies" sets the viewing bounds of one policy (a name of mm_policy); a policy it does not
 * name, and a key it leaves out, take the global bound. Every problem names its key
 * ("watch.night.from: must be ...").
 */
#ifndef HUB_WATCHCONF_H
#define HUB_WATCHCONF_H

#include <jansson.h>
#include <stdint.h>

#include "common/config.h"
#include "common/vocab.h"

/* How much viewing one person may do on one day before it is a finding (R-K2.2.3-4, R-N7.2). */
typedef struct {
    int64_t viewings;   /* viewings started */
    int64_t footage_us; /* footage viewed */
} hub_watch_bounds_t;

typedef struct {
    int64_t erasure_tolerance_us;
    int64_t skew_max_us;
    hub_watch_bounds_t viewing[MM_POLICY_COUNT]; /* per policy */
    int night_from, night_to;                    /* hours of the site's zone */
    int64_t suspension_max_us;
    int64_t sign_check_max_us;
    int64_t camera_count_grace_us;
} hub_watch_conf_t;

/* The defaults (as above), for a hub configuration without "watch" and for tests. */
void hub_watch_conf_default(hub_watch_conf_t *out);

/* Reads root's "watch" (absent: the defaults) into out, recording every problem in conf. */
void hub_watch_conf_parse(mm_conf_t *conf, json_t *root, hub_watch_conf_t *out);

/* Whether hour (0..23) of the site's zone is in the night of c. */
int hub_watch_conf_night(const hub_watch_conf_t *c, int hour);

#endif
