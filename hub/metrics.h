/*
 * metrics.h: GET /metrics — the hub's state in the Prometheus text format (version 0.0.4), for
 * the city's monitoring. No token: it says how much, never what (no entry, no finding's text).
 *
 *   mimamori_hub_sites                                   gauge    sites configured
 *   mimamori_hub_site_log_entries{site}                  gauge    verified entries held
 *   mimamori_hub_site_checkpoint_age_seconds{site}       gauge    since the latest checkpoint
 *   mimamori_hub_findings_open{severity}                 gauge    open findings
 *   mimamori_hub_batches_total{result="accepted|refused"} counter  since start
 *   mimamori_hub_feed_subscribers                        gauge    open /api/v1/feed streams
 *   mimamori_hub_http_requests_total                     counter  since start
 *
 * The counts come from the modules that see the events (hub_mirror_counts, hub_http_requests,
 * hub_feed_subscribers); the rest is read from the store at each scrape.
 */
#ifndef HUB_METRICS_H
#define HUB_METRICS_H

#include "common/err.h"
#include "hub/feed.h"
#include "hub/findings.h"
#include "hub/http.h"
#include "hub/hubconf.h"
#include "hub/mirror.h"

typedef struct {
    const hub_config_t *cfg;
    hub_mirror_t *mirror;
    hub_findings_t *findings;
    hub_feed_t *feed;
    hub_http_t *http;
} hub_metrics_t;

/* Adds GET /metrics to h; m must outlive h. */
mm_err_t hub_metrics_register(hub_http_t *h, hub_metrics_t *m);

#endif
