/*
 * alerts.h: the site's alerts on the edge's loop — what needs attention now (alertrules.h),
 * kept current, logged when it changes, posted to the configured webhook (webhook.h), and shown
 * by `mimamori-edge alerts` and the site console.
 *
 * Every EDGE_ALERTS_TICK_MS a timer asks the owner for a snapshot of the edge's state, decides
 * the alerts, and compares them with the set before: each alert raised or cleared is one line
 * in the daemon's log and, when "alerts" names a webhook, one POST of
 *
 *   {"site", "kind", "subject", "state": "raised"|"cleared", "since_us", "deadline_us" (0 none),
 *    "time_us" (when the edge saw the change), "text_ja", "text_en"}
 *
 * Alerts are operational, not the rules' evidence: they go to no site log entry. What they are
 * about is in the log already (a gap, a storage alarm, the city's requests, a disclosure's steps)
 * or is the link itself (the hub down). The set lives in memory: after a restart what still
 * stands is raised again (a receiver tells a repeat by kind, subject and since_us) and what ended
 * while the edge was stopped is not cleared.
 *
 * Times: the snapshot's times are the edge's clock (mm_now_us). A camera counts as seen at the
 * start and whenever it is resumed, the hub at the start, so that neither is down before it
 * had its chance. When the clock steps (NTP, or a test moving it) by more than
 * EDGE_ALERTS_STEP_US against the monotonic clock, no alert is raised for EDGE_ALERTS_HOLD_MS,
 * so that cameras and the hub show they are well before a silence is measured across the step.
 */
#ifndef EDGE_ALERTS_H
#define EDGE_ALERTS_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "common/err.h"
#include "edge/alertrules.h"
#include "edge/siteconf.h"

#define EDGE_ALERTS_TICK_MS 2000
#define EDGE_ALERTS_MAX 256 /* alerts kept at once; more are counted, not kept */
#define EDGE_ALERTS_STEP_US 5000000
#define EDGE_ALERTS_HOLD_MS 10000

typedef struct edge_alerts edge_alerts_t;

/*
 * Fills st (zeroed, with now_us and the thresholds set) with the edge's state: each camera (in
 * the configuration's order, always the same) with seen_us its last frame (0 none yet), the
 * disk's alarm, hub_seen_us the hub's last acknowledgement (0 none yet), the open items.
 */
typedef void (*edge_alerts_snapshot_fn)(void *arg, edge_alert_state_t *st);

typedef struct {
    uv_loop_t *loop;
    const char *site;               /* borrowed */
    const edge_alerts_conf_t *conf; /* borrowed */
    edge_alerts_snapshot_fn snapshot;
    void *arg;
    uint64_t tick_ms; /* 0: EDGE_ALERTS_TICK_MS */
} edge_alerts_setup_t;

/* Makes the runner (and its webhook sender); nothing runs until edge_alerts_start. MM_ENOMEM. */
mm_err_t edge_alerts_create(const edge_alerts_setup_t *setup, edge_alerts_t **out);
/* Starts the timer; the first tick comes at once. */
void edge_alerts_start(edge_alerts_t *al);

/*
 * The current alerts as `alerts` shows them: {"alerts": [{"kind", "subject", "since_us",
 * "deadline_us", "text_ja", "text_en"}], "count", "version" (counts changes since the start),
 * "thresholds": {"camera_down_seconds", "hub_down_minutes", "deadline_days"}, "webhook": null or
 * {"url", "queued", "sent", "failures", "dropped", "last_error"}}. NULL when out of memory.
 */
json_t *edge_alerts_json(const edge_alerts_t *al);
/* How many alerts stand, and the number of changes so far. */
size_t edge_alerts_count(const edge_alerts_t *al);
uint64_t edge_alerts_version(const edge_alerts_t *al);

/* Stops, drops what the webhook has not sent, and frees al once libuv has closed its handles.
 * Accepts NULL. */
void edge_alerts_close(edge_alerts_t *al);

#endif
