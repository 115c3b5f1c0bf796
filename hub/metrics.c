/*
 * metrics.c: GET /metrics in the Prometheus text format (see metrics.h).
 *
 * Every metric is written with its # HELP and # TYPE lines even when it has no sample, so that a
 * scraper knows the names from the first scrape. A site without a verified checkpoint has no
 * checkpoint age sample (absent, not zero: zero would read as "just heard from").
 */
#include "hub/metrics.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

typedef struct {
    char *buf;
    size_t len, cap;
    int failed;
} out_t;

static void printf_out(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void printf_out(out_t *o, const char *fmt, ...)
{
    if (o->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->failed = 1;
            return;
        }
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = o->cap * 2 + (size_t)n;
        char *b = realloc(o->buf, cap);
        if (!b) {
            o->failed = 1;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
}

static void head(out_t *o, const char *name, const char *type, const char *help)
{
    printf_out(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newline escaped as the format asks. */
static void label_value(const char *v, char *out, size_t cap)
{
    size_t j = 0;
    for (; *v && j + 3 < cap; v++) {
        if (*v == '\\' || *v == '"') {
            out[j++] = '\\';
            out[j++] = *v;
        } else if (*v == '\n') {
            out[j++] = '\\';
            out[j++] = 'n';
        } else {
            out[j++] = *v;
        }
    }
    out[j] = 0;
}

/* Counts an open finding under its severity. */
static int count_open(void *arg, const hub_finding_t *f)
{
    uint64_t *counts = arg;
    if (f->state == HUB_FINDING_STATE_OPEN && (int)f->severity < HUB_SEVERITY_COUNT)
        counts[f->severity]++;
    return 0;
}

static void open_findings(out_t *o, hub_findings_t *findings)
{
    uint64_t counts[HUB_SEVERITY_COUNT] = {0};
    if (hub_findings_each(findings, count_open, counts) != MM_OK) {
        o->failed = 1;
        return;
    }
    /* Every severity has a sample, so that a rate or an alert has a series to work on. */
    head(o, "mimamori_hub_findings_open", "gauge", "Findings now open, by severity.");
    for (int k = 0; k < HUB_SEVERITY_COUNT; k++)
        printf_out(o, "mimamori_hub_findings_open{severity=\"%s\"} %" PRIu64 "\n",
                   hub_severity_name((hub_severity_t)k), counts[k]);
}

static void get_metrics(hub_http_req_t *req, void *arg)
{
    hub_metrics_t *m = arg;
    out_t o = {.cap = 4096};
    o.buf = malloc(o.cap);
    if (!o.buf) {
        hub_http_error(req, 500, "internal", "out of memory");
        return;
    }
    const hub_config_t *cfg = m->cfg;
    head(&o, "mimamori_hub_sites", "gauge", "Sites in the hub's configuration.");
    printf_out(&o, "mimamori_hub_sites %zu\n", cfg->n_sites);

    hub_site_state_t *st = calloc(cfg->n_sites ? cfg->n_sites : 1, sizeof *st);
    if (!st)
        o.failed = 1;
    for (size_t i = 0; st && i < cfg->n_sites; i++)
        if (hub_mirror_state(m->mirror, cfg->sites[i].id, &st[i]) != MM_OK)
            o.failed = 1;
    head(&o, "mimamori_hub_site_log_entries", "gauge",
         "Entries of the site's log the hub has verified and holds.");
    for (size_t i = 0; st && i < cfg->n_sites; i++) {
        char lv[256];
        label_value(cfg->sites[i].id, lv, sizeof lv);
        printf_out(&o, "mimamori_hub_site_log_entries{site=\"%s\"} %" PRIu64 "\n", lv, st[i].size);
    }
    head(&o, "mimamori_hub_site_checkpoint_age_seconds", "gauge",
         "Seconds since the hub verified the site's latest checkpoint (none before the first).");
    int64_t now = mm_now_us();
    for (size_t i = 0; st && i < cfg->n_sites; i++) {
        if (st[i].checkpoint_us <= 0)
            continue;
        char lv[256];
        label_value(cfg->sites[i].id, lv, sizeof lv);
        printf_out(&o, "mimamori_hub_site_checkpoint_age_seconds{site=\"%s\"} %.3f\n", lv,
                   (double)(now - st[i].checkpoint_us) / 1e6);
    }
    free(st);

    open_findings(&o, m->findings);

    uint64_t accepted, refused;
    hub_mirror_counts(m->mirror, &accepted, &refused);
    head(&o, "mimamori_hub_batches_total", "counter",
         "Batches from sites since the hub started: accepted (stored, or a harmless resend) or "
         "refused (not stored).");
    printf_out(&o, "mimamori_hub_batches_total{result=\"accepted\"} %" PRIu64 "\n", accepted);
    printf_out(&o, "mimamori_hub_batches_total{result=\"refused\"} %" PRIu64 "\n", refused);

    head(&o, "mimamori_hub_feed_subscribers", "gauge", "Clients reading /api/v1/feed.");
    printf_out(&o, "mimamori_hub_feed_subscribers %zu\n", hub_feed_subscribers(m->feed));

    head(&o, "mimamori_hub_http_requests_total", "counter", "HTTP requests since the hub started.");
    printf_out(&o, "mimamori_hub_http_requests_total %" PRIu64 "\n", hub_http_requests(m->http));

    if (o.failed)
        hub_http_error(req, 500, "storage", "cannot read the hub's state");
    else
        hub_http_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", o.buf, o.len);
    free(o.buf);
}

mm_err_t hub_metrics_register(hub_http_t *h, hub_metrics_t *m)
{
    return hub_http_route(h, "GET", "/metrics", 0, get_metrics, m);
}
