/*
 * watch.h: what the hub learns of a site with its own clock, batch by batch (a value, and the
 * pure function that learns it; watchstore.h keeps it, rules_watch.h judges it).
 *
 * The registry (registry.h) keeps what a site says it is; this keeps what the hub sees the site
 * do, measured against the hub's own clock, for rules the site's word cannot settle:
 *
 * - The site's clock. Each batch's checkpoint carries the time the site signed it
 *   (common/note.h); that time minus the hub's clock at the batch's arrival is the offset of the
 *   site's clock (transit takes milliseconds; a batch sent after a link outage is signed when it
 *   is sent, so its old entries do not count against the site). A checkpoint without a time
 *   (an older edge) gives only a lower bound, when the batch's newest entry is dated after its
 *   arrival. The offsets are kept as a short history of the changes (a new point when it moves
 *   more than HUB_WATCH_SKEW_STEP_US or half the configured bound), so that an instant by the
 *   site's clock can be put on the hub's: by the offset in force when the site's clock read it.
 * - Footage erased early. A segments_erased entry (retention, or a released hold's) names the
 *   erased footage's end by the site's clock; put on the hub's clock, plus the site's retention
 *   (at least its policy's floor; for storage_pressure the floor alone), it is when the footage
 *   could first go. When that is later than the entry's arrival at the hub by more than the
 *   configured tolerance, the footage went early: a site whose clock jumped eight days ahead
 *   erases a week early, and this is how the hub sees it. Judged once, when the entry arrives
 *   (the hub's clock at arrival is the point), and kept per camera and day of arrival.
 * - Viewing. Each viewing started counts for its person on its day in the site's zone, with the
 *   footage it covers (its range; a live viewing, which has none, the time until it ended), and
 *   whether it started at night (the configured hours, in the site's zone).
 * - The number of cameras, as site_facts says it, against the number in the standards version
 *   last filed (configuration_changed gives each version's number, standards_filed the filing).
 *
 * Everything is bounded (HUB_WATCH_*_MAX): the oldest goes first.
 */
#ifndef HUB_WATCH_H
#define HUB_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/timefmt.h"
#include "hub/watchconf.h"

#define HUB_WATCH_SKEWS_MAX 16
#define HUB_WATCH_SKEW_STEP_US (60LL * 1000000) /* a new point when the offset moves this much */
#define HUB_WATCH_ERASURES_MAX 32
#define HUB_WATCH_VIEWINGS_MAX 256
#define HUB_WATCH_VIEWING_DAYS 35 /* days of viewing kept, before the newest viewing's */
#define HUB_WATCH_VERSIONS_MAX 8

/* One measurement of the site's clock that differed from the one before. */
typedef struct {
    int64_t site_us;     /* the site's clock: the checkpoint's time */
    int64_t offset_us;   /* the site's clock minus the hub's */
    int64_t received_us; /* the hub's clock */
    uint64_t index;      /* the last entry the checkpoint covers */
    int bound;           /* a lower bound only (no time in the checkpoint) */
} hub_watch_skew_t;

/* The early erasures of one camera that arrived on one day (in Japan). */
typedef struct {
    char camera[MM_ID_MAX];
    char day[11];
    uint32_t count;
    uint64_t first_index, last_index;
    /* the earliest of them, against its retention's end: */
    int64_t early_us;        /* how much before its retention ended it went */
    int64_t due_us;          /* its retention's end, by the hub's clock */
    int64_t received_us;     /* its arrival */
    uint32_t retention_days; /* the period it was judged by */
} hub_watch_erasure_t;

/* One person's viewing on one day of the site's zone. */
typedef struct {
    char person[MM_ID_MAX];
    char day[11];
    uint32_t viewings;
    int64_t footage_us;
    uint32_t night;                                /* viewings started at night */
    uint64_t first_index, last_index, night_index; /* night_index: the first at night */
} hub_watch_viewing_t;

/* A standards version and its number of cameras (configuration_changed). */
typedef struct {
    uint32_t version, cameras;
    uint64_t index;
} hub_watch_version_t;

/* What the hub has seen a site do. Zeroed (hub_watch_state_init) is a site never seen. */
typedef struct {
    /* from site_facts, as the entries go: what the rest is judged by */
    int has_facts;
    mm_policy_t policy;
    uint32_t retention_days;
    uint32_t
        floor_days; /* the least the site enforces (its policy's text's, or the city's rule's) */
    char timezone[MM_TZ_NAME_MAX];
    uint32_t cameras;         /* the number of cameras site_facts gives */
    uint64_t cameras_index;   /* the site_facts entry that first gave that number */
    int64_t cameras_since_us; /* its arrival at the hub */
    /* the standards version last filed, with its number of cameras */
    int has_filed;
    uint32_t filed_version, filed_cameras;
    int filed_cameras_known;
    uint64_t filed_index;
    size_t n_versions;
    hub_watch_version_t versions[HUB_WATCH_VERSIONS_MAX];
    size_t n_skews; /* oldest first */
    hub_watch_skew_t skews[HUB_WATCH_SKEWS_MAX];
    size_t n_erasures; /* oldest first */
    hub_watch_erasure_t erasures[HUB_WATCH_ERASURES_MAX];
    size_t n_viewings; /* in the order first seen */
    hub_watch_viewing_t viewings[HUB_WATCH_VIEWINGS_MAX];
} hub_watch_state_t;

void hub_watch_state_init(hub_watch_state_t *st);

/* A batch as the hub received it: its clock then, and its checkpoint. */
typedef struct {
    int64_t received_us;
    uint64_t signed_s; /* the checkpoint's time (seconds), 0 when it has none */
    uint64_t size;     /* the checkpoint's size */
} hub_watch_receipt_t;

/*
 * Learns from a batch: r, and its new entries e[0 .. n), the first of them entry first of the
 * site's log (n may be 0: a hello, or a batch the hub already holds, tells only the clock).
 * Returns whether st changed.
 */
int hub_watch_learn(hub_watch_state_t *st, const hub_watch_conf_t *cfg,
                    const hub_watch_receipt_t *r, uint64_t first, const mm_entry_t *e, size_t n);

/* The offset of the site's clock from the hub's in force when the site's clock read site_us (the
 * last measurement at or before it, else the first); 0 when there is none. */
int64_t hub_watch_offset_at(const hub_watch_state_t *st, int64_t site_us);

/* Whether the site's clock, read as offset_us from the hub's, has moved from last (NULL: never
 * measured) by more than the step that makes a new measurement (see above). */
int hub_watch_clock_moved(const hub_watch_skew_t *last, int64_t offset_us,
                          const hub_watch_conf_t *cfg);

/* The latest measurement, NULL when none. */
const hub_watch_skew_t *hub_watch_skew_now(const hub_watch_state_t *st);

#endif
