/*
 * alerts.c: the alerts' runner (see alerts.h): a timer, the snapshot, the decision, the changes
 * logged and posted.
 *
 * Two sets are kept, the one before and the one being made; a tick makes the new one, keeps for
 * each alert that still stands its first since and words (so that an alert reads the same as
 * long as it stands), reports the differences and swaps. Cameras are matched by their place in
 * the configuration, which does not change while the edge runs.
 */
#include "edge/alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/redact.h"
#include "edge/webhook.h"

struct edge_alerts {
    edge_alerts_setup_t set;
    uv_timer_t timer;
    edge_webhook_t *webhook;
    char url[EDGE_WEBHOOK_HOST_MAX + EDGE_WEBHOOK_PATH_MAX + 32];
    edge_alert_state_t st;
    edge_alert_t *prev, *cur;
    size_t n_prev;
    uint64_t version;
    int64_t start_us;
    int64_t watched_since[EDGE_ALERT_CAMERAS_MAX]; /* 0: not watched at the last tick */
    int ticked;
    int64_t last_wall_us;
    uint64_t last_mono_ms, hold_until_ms;
    int said_too_many;
};

mm_err_t edge_alerts_create(const edge_alerts_setup_t *setup, edge_alerts_t **out)
{
    edge_alerts_t *al = calloc(1, sizeof *al);
    if (!al)
        return MM_ENOMEM;
    al->set = *setup;
    if (!al->set.tick_ms)
        al->set.tick_ms = EDGE_ALERTS_TICK_MS;
    al->prev = calloc(EDGE_ALERTS_MAX, sizeof *al->prev);
    al->cur = calloc(EDGE_ALERTS_MAX, sizeof *al->cur);
    const edge_alerts_conf_t *c = setup->conf;
    mm_err_t err = al->prev && al->cur ? MM_OK : MM_ENOMEM;
    if (err == MM_OK && c->has_webhook) {
        err = edge_webhook_create(setup->loop, &c->webhook, &al->webhook);
        int v6 = strchr(c->webhook.host, ':') != NULL;
        char full[sizeof al->url];
        snprintf(full, sizeof full, "http://%s%s%s:%d%s", v6 ? "[" : "", c->webhook.host,
                 v6 ? "]" : "", c->webhook.port, c->webhook.path);
        mm_redact(full, al->url, sizeof al->url); /* shown in the status: no query (redact.h) */
    }
    if (err != MM_OK) {
        free(al->prev);
        free(al->cur);
        free(al);
        return err;
    }
    uv_timer_init(setup->loop, &al->timer);
    al->timer.data = al;
    *out = al;
    return MM_OK;
}

static json_t *alert_json(const edge_alert_t *a)
{
    return json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "kind", edge_alert_kind_name(a->kind),
                     "subject", a->subject, "since_us", (json_int_t)a->since_us, "deadline_us",
                     (json_int_t)a->deadline_us, "text_ja", a->text_ja, "text_en", a->text_en);
}

/* A change: the daemon's log, and the webhook. */
static void changed(void *arg, const edge_alert_t *a, int raised)
{
    edge_alerts_t *al = arg;
    const char *kind = edge_alert_kind_name(a->kind);
    if (raised)
        MM_WARN("alert raised: %s %s: %s", kind, a->subject, a->text_en);
    else
        MM_INFO("alert cleared: %s %s", kind, a->subject);
    if (!al->webhook)
        return;
    json_t *j = alert_json(a);
    if (j) {
        json_object_set_new(j, "site", json_string(al->set.site));
        json_object_set_new(j, "state", json_string(raised ? "raised" : "cleared"));
        json_object_set_new(j, "time_us", json_integer((json_int_t)al->st.now_us));
    }
    char *body = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!body || edge_webhook_post(al->webhook, body, strlen(body)) != MM_OK)
        MM_ERROR("alerts: out of memory; the %s of %s %s is not posted",
                 raised ? "raising" : "clearing", kind, a->subject);
    free(body);
    json_decref(j);
}

/* Cameras and the hub count as seen when watching them began: the start, a resume. */
static void apply_floors(edge_alerts_t *al)
{
    edge_alert_state_t *st = &al->st;
    for (size_t i = 0; i < st->n_cameras && i < EDGE_ALERT_CAMERAS_MAX; i++) {
        edge_alert_camera_t *c = &st->cameras[i];
        if (!c->watched) {
            al->watched_since[i] = 0;
            continue;
        }
        if (!al->watched_since[i])
            al->watched_since[i] = st->now_us;
        if (c->seen_us < al->watched_since[i])
            c->seen_us = al->watched_since[i];
    }
    if (st->hub_seen_us < al->start_us)
        st->hub_seen_us = al->start_us;
}

/* Whether the wall clock stepped since the last tick; then nothing new is raised for a while. */
static int holding(edge_alerts_t *al, int64_t now_us, uint64_t mono_ms)
{
    if (al->ticked) {
        int64_t wall = now_us - al->last_wall_us;
        int64_t mono = (int64_t)(mono_ms - al->last_mono_ms) * 1000;
        if (wall - mono > EDGE_ALERTS_STEP_US || mono - wall > EDGE_ALERTS_STEP_US) {
            MM_INFO("alerts: the clock stepped by %+.1f s; new alerts wait %d s",
                    (double)(wall - mono) / 1e6, EDGE_ALERTS_HOLD_MS / 1000);
            al->hold_until_ms = mono_ms + EDGE_ALERTS_HOLD_MS;
        }
    }
    al->ticked = 1;
    al->last_wall_us = now_us;
    al->last_mono_ms = mono_ms;
    return mono_ms < al->hold_until_ms;
}

/* Keeps what stood before as it was; while holding, drops what is new. Returns the count. */
static size_t settle(edge_alerts_t *al, size_t n, int hold)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const edge_alert_t *old = NULL;
        for (size_t j = 0; j < al->n_prev && !old; j++)
            if (edge_alert_same(&al->prev[j], &al->cur[i]))
                old = &al->prev[j];
        if (old)
            al->cur[k++] = *old;
        else if (!hold)
            al->cur[k++] = al->cur[i];
    }
    return k;
}

static void tick(uv_timer_t *t)
{
    edge_alerts_t *al = t->data;
    edge_alert_state_t *st = &al->st;
    memset(st, 0, sizeof *st);
    st->now_us = mm_now_us();
    if (!al->start_us)
        al->start_us = st->now_us;
    st->camera_down_seconds = al->set.conf->camera_down_seconds;
    st->hub_down_minutes = al->set.conf->hub_down_minutes;
    st->deadline_days = al->set.conf->deadline_days;
    al->set.snapshot(al->set.arg, st);
    apply_floors(al);
    int hold = holding(al, st->now_us, uv_now(al->set.loop));
    size_t n = edge_alerts_decide(st, al->cur, EDGE_ALERTS_MAX);
    if (n > EDGE_ALERTS_MAX) {
        if (!al->said_too_many)
            MM_WARN("alerts: %zu stand; the first %d are kept", n, EDGE_ALERTS_MAX);
        al->said_too_many = 1;
        n = EDGE_ALERTS_MAX;
    }
    n = settle(al, n, hold);
    al->version += edge_alerts_diff(al->prev, al->n_prev, al->cur, n, changed, al);
    edge_alert_t *swap = al->prev;
    al->prev = al->cur;
    al->cur = swap;
    al->n_prev = n;
}

void edge_alerts_start(edge_alerts_t *al)
{
    uv_timer_start(&al->timer, tick, 0, al->set.tick_ms);
}

json_t *edge_alerts_json(const edge_alerts_t *al)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < al->n_prev; i++)
        json_array_append_new(list, alert_json(&al->prev[i]));
    const edge_alerts_conf_t *c = al->set.conf;
    json_t *hook = json_null();
    if (al->webhook) {
        edge_webhook_stats_t ws;
        edge_webhook_stats(al->webhook, &ws);
        hook = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "url", al->url, "queued",
                         (json_int_t)ws.queued, "sent", (json_int_t)ws.sent, "failures",
                         (json_int_t)ws.failures, "dropped", (json_int_t)ws.dropped, "last_error",
                         ws.last_error);
    }
    return json_pack("{s:o*, s:I, s:I, s:{s:i, s:i, s:i}, s:o*}", "alerts", list, "count",
                     (json_int_t)al->n_prev, "version", (json_int_t)al->version, "thresholds",
                     "camera_down_seconds", c->camera_down_seconds, "hub_down_minutes",
                     c->hub_down_minutes, "deadline_days", c->deadline_days, "webhook", hook);
}

size_t edge_alerts_count(const edge_alerts_t *al)
{
    return al->n_prev;
}

uint64_t edge_alerts_version(const edge_alerts_t *al)
{
    return al->version;
}

static void timer_closed(uv_handle_t *h)
{
    edge_alerts_t *al = h->data;
    free(al->prev);
    free(al->cur);
    free(al);
}

void edge_alerts_close(edge_alerts_t *al)
{
    if (!al)
        return;
    edge_webhook_close(al->webhook);
    uv_timer_stop(&al->timer);
    uv_close((uv_handle_t *)&al->timer, timer_closed);
}
