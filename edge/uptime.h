/*
 * uptime.h: each camera's hourly recording summary (R-K2.2.6a: cameras run 24 hours a day).
 *
 * For every whole UTC hour since a camera's first segment, one camera_uptime entry says how
 * much of the hour its segments cover (recorded_us) and in how many separate stretches it was
 * not recording (gaps: uncovered stretches longer than EDGE_UPTIME_SLACK_US). The numbers are
 * computed from the segment index, so they say what is on disk, not what the recorder believes.
 * An hour is summarised once it has been over for EDGE_UPTIME_GRACE_US (a segment that
 * straddles the hour is then finished); the last hour summarised per camera is kept in
 * edge.meta ("uptime/<camera>"), so a restart neither repeats nor skips an hour.
 */
#ifndef EDGE_UPTIME_H
#define EDGE_UPTIME_H

#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"
#include "edge/store.h"

#define EDGE_UPTIME_GRACE_US (60LL * 1000000)
#define EDGE_UPTIME_SLACK_US 2000000

/* Computes the summary of camera for the hour starting at hour_start_us into *out. */
mm_err_t edge_uptime_hour(edge_store_t *st, const char *camera, int64_t hour_start_us,
                          mm_camera_uptime_t *out);

/*
 * Appends the entries of every hour of camera that is due at now_us and not yet summarised
 * (at most max_hours per call, oldest first), and records progress. *appended counts them.
 */
mm_err_t edge_uptime_catch_up(edge_store_t *st, const char *camera, int64_t now_us,
                              uint32_t max_hours, uint32_t *appended);

#endif
