/*
 * watch.c: learning what a site does, against the hub's clock (see watch.h).
 *
 * Pure: a state, the configuration, a receipt and decoded entries in, the state out. The store
 * (watchstore.c) runs it inside the mirror's transaction and keeps the result; the rules
 * (rules_watch.c) judge it later with the hub's clock then. What needs the hub's clock at the
 * moment of arrival — the site's clock, an erasure's earliness — is decided here, once, because
 * that moment does not come back.
 */
#include "hub/watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/policy.h"
#include "hub/rules.h"
#include "hub/sitetime.h"

#define DAY_US (86400LL * 1000000)

void hub_watch_state_init(hub_watch_state_t *st)
{
    memset(st, 0, sizeof *st);
}

/* --- the site's clock ------------------------------------------------------------------------ */

int64_t hub_watch_offset_at(const hub_watch_state_t *st, int64_t site_us)
{
    if (!st->n_skews)
        return 0;
    int64_t off = st->skews[0].offset_us;
    for (size_t i = 0; i < st->n_skews && st->skews[i].site_us <= site_us; i++)
        off = st->skews[i].offset_us;
    return off;
}

const hub_watch_skew_t *hub_watch_skew_now(const hub_watch_state_t *st)
{
    return st->n_skews ? &st->skews[st->n_skews - 1] : NULL;
}

static int64_t absdiff(int64_t a, int64_t b)
{
    return a > b ? a - b : b - a;
}

int hub_watch_clock_moved(const hub_watch_skew_t *last, int64_t offset_us,
                          const hub_watch_conf_t *cfg)
{
    int64_t step = cfg->skew_max_us / 2 < HUB_WATCH_SKEW_STEP_US ? cfg->skew_max_us / 2
                                                                 : HUB_WATCH_SKEW_STEP_US;
    return !last || absdiff(last->offset_us, offset_us) > step;
}

/* Measures the site's clock from r (and the newest entry's time when the checkpoint has none);
 * a point when it moved. Returns whether st changed. */
static int measure(hub_watch_state_t *st, const hub_watch_conf_t *cfg, const hub_watch_receipt_t *r,
                   const mm_entry_t *e, size_t n)
{
    hub_watch_skew_t m = {.received_us = r->received_us, .index = r->size ? r->size - 1 : 0};
    if (r->signed_s) {
        m.site_us = (int64_t)r->signed_s * 1000000;
        m.offset_us = m.site_us - r->received_us;
    } else {
        int64_t newest = 0;
        for (size_t i = 0; i < n; i++)
            if (e[i].time_us > newest)
                newest = e[i].time_us;
        if (!n || newest <= r->received_us)
            return 0; /* nothing says the site's clock is off */
        m.site_us = newest;
        m.offset_us = newest - r->received_us;
        m.bound = 1;
    }
    if (!hub_watch_clock_moved(hub_watch_skew_now(st), m.offset_us, cfg))
        return 0;
    if (st->n_skews == HUB_WATCH_SKEWS_MAX) {
        memmove(&st->skews[0], &st->skews[1], (HUB_WATCH_SKEWS_MAX - 1) * sizeof st->skews[0]);
        st->n_skews--;
    }
    st->skews[st->n_skews++] = m;
    return 1;
}

/* --- footage erased early -------------------------------------------------------------------- */

/* The days e's footage had to be kept: the site's retention, at least its floor; for an erasure
 * to make room, the floor alone. The floor is the policy's text's; where the text leaves the
 * period to the city's rule, the rule's least as the site reports it (the hub checks that against
 * its own rule: retention_outside_city_rule), and with no rule received the whole retention (such
 * a site never erases inside it). 0 when nothing is known to judge by. */
static uint32_t kept_days(const hub_watch_state_t *st, const mm_segments_erased_t *e)
{
    int floor = st->has_facts ? hub_rules_floor(st->policy) : -1;
    if (floor < 0)
        floor = 0;
    if (st->has_facts && mm_policy_city_rule(st->policy))
        floor = st->floor_days ? (int)st->floor_days : (int)st->retention_days;
    if (e->reason == MM_ERASE_REASON_STORAGE_PRESSURE)
        return (uint32_t)floor;
    return st->retention_days > (uint32_t)floor ? st->retention_days : (uint32_t)floor;
}

static hub_watch_erasure_t *erasure_group(hub_watch_state_t *st, const char *camera,
                                          const char *day)
{
    for (size_t i = 0; i < st->n_erasures; i++)
        if (!strcmp(st->erasures[i].camera, camera) && !strcmp(st->erasures[i].day, day))
            return &st->erasures[i];
    if (st->n_erasures == HUB_WATCH_ERASURES_MAX) {
        memmove(&st->erasures[0], &st->erasures[1],
                (HUB_WATCH_ERASURES_MAX - 1) * sizeof st->erasures[0]);
        st->n_erasures--;
    }
    hub_watch_erasure_t *g = &st->erasures[st->n_erasures++];
    memset(g, 0, sizeof *g);
    snprintf(g->camera, sizeof g->camera, "%s", camera);
    snprintf(g->day, sizeof g->day, "%s", day);
    return g;
}

static int learn_erasure(hub_watch_state_t *st, const hub_watch_conf_t *cfg,
                         const hub_watch_receipt_t *r, uint64_t index,
                         const mm_segments_erased_t *e)
{
    uint32_t days = kept_days(st, e);
    if (!days || e->end_us <= 0)
        return 0;
    int64_t due = e->end_us - hub_watch_offset_at(st, e->end_us) + (int64_t)days * DAY_US;
    int64_t early = due - r->received_us;
    if (early <= cfg->erasure_tolerance_us)
        return 0;
    char day[11];
    mm_jst_day(r->received_us, day);
    hub_watch_erasure_t *g = erasure_group(st, e->camera, day);
    if (!g->count)
        g->first_index = index;
    g->count++;
    g->last_index = index;
    if (early > g->early_us) {
        g->early_us = early;
        g->due_us = due;
        g->received_us = r->received_us;
        g->retention_days = days;
    }
    return 1;
}

/* --- viewing --------------------------------------------------------------------------------- */

/* The row of person on day; a new one when there is none (the oldest day's row making room). */
static hub_watch_viewing_t *viewing_row(hub_watch_state_t *st, const char *person, const char *day)
{
    for (size_t i = 0; i < st->n_viewings; i++)
        if (!strcmp(st->viewings[i].person, person) && !strcmp(st->viewings[i].day, day))
            return &st->viewings[i];
    if (st->n_viewings == HUB_WATCH_VIEWINGS_MAX) {
        size_t oldest = 0;
        for (size_t i = 1; i < st->n_viewings; i++)
            if (strcmp(st->viewings[i].day, st->viewings[oldest].day) < 0)
                oldest = i;
        memmove(&st->viewings[oldest], &st->viewings[oldest + 1],
                (st->n_viewings - oldest - 1) * sizeof st->viewings[0]);
        st->n_viewings--;
    }
    hub_watch_viewing_t *v = &st->viewings[st->n_viewings++];
    memset(v, 0, sizeof *v);
    snprintf(v->person, sizeof v->person, "%s", person);
    snprintf(v->day, sizeof v->day, "%s", day);
    return v;
}

/* Drops the rows of days more than HUB_WATCH_VIEWING_DAYS before the day of at_us. */
static void viewing_prune(hub_watch_state_t *st, int64_t at_us)
{
    int hour;
    char cutoff[11];
    hub_sitetime(st->timezone, at_us - HUB_WATCH_VIEWING_DAYS * DAY_US, &hour, cutoff);
    size_t k = 0;
    for (size_t i = 0; i < st->n_viewings; i++)
        if (strcmp(st->viewings[i].day, cutoff) >= 0)
            st->viewings[k++] = st->viewings[i];
    st->n_viewings = k;
}

static int learn_viewing(hub_watch_state_t *st, const hub_watch_conf_t *cfg, uint64_t index,
                         int64_t time_us, const mm_viewing_t *v)
{
    int64_t footage = 0;
    int started = v->state == MM_VIEWING_STATE_STARTED;
    if (started && v->end_us > v->start_us)
        footage = v->end_us - v->start_us;
    else if (!started && v->end_us <= v->start_us && v->start_us > 0 && time_us > v->start_us)
        footage = time_us - v->start_us; /* live: from its start to its end */
    if (!started && !footage)
        return 0;
    if (footage > 366 * DAY_US)
        footage = 366 * DAY_US; /* no range is longer than a site keeps footage */
    int hour;
    char day[11];
    hub_sitetime(st->timezone, time_us, &hour, day);
    viewing_prune(st, time_us);
    hub_watch_viewing_t *row = viewing_row(st, v->person, day);
    if (started) {
        if (!row->viewings)
            row->first_index = index;
        row->viewings++;
        row->last_index = index;
        if (hub_watch_conf_night(cfg, hour) && !row->night++)
            row->night_index = index;
    }
    row->footage_us += footage;
    return 1;
}

/* --- the number of cameras -------------------------------------------------------------------- */

static int learn_facts(hub_watch_state_t *st, const hub_watch_receipt_t *r, uint64_t index,
                       const mm_site_facts_t *f)
{
    int first = !st->has_facts;
    int changed = first || st->policy != f->policy || st->retention_days != f->retention_days ||
                  st->floor_days != f->floor_days || strcmp(st->timezone, f->timezone);
    st->has_facts = 1;
    st->policy = f->policy;
    st->retention_days = f->retention_days;
    st->floor_days = f->floor_days;
    snprintf(st->timezone, sizeof st->timezone, "%s", f->timezone);
    if (first || st->cameras != f->cameras) {
        st->cameras = f->cameras;
        st->cameras_index = index;
        st->cameras_since_us = r->received_us;
        changed = 1;
    }
    return changed;
}

static int learn_version(hub_watch_state_t *st, uint64_t index, const mm_configuration_changed_t *c)
{
    if (st->n_versions == HUB_WATCH_VERSIONS_MAX) {
        memmove(&st->versions[0], &st->versions[1],
                (HUB_WATCH_VERSIONS_MAX - 1) * sizeof st->versions[0]);
        st->n_versions--;
    }
    st->versions[st->n_versions++] =
        (hub_watch_version_t){.version = c->version, .cameras = c->cameras, .index = index};
    return 1;
}

static int learn_filed(hub_watch_state_t *st, uint64_t index, const mm_standards_filed_t *f)
{
    st->has_filed = 1;
    st->filed_version = f->version;
    st->filed_index = index;
    st->filed_cameras_known = 0;
    for (size_t i = st->n_versions; i-- > 0;)
        if (st->versions[i].version == f->version) {
            st->filed_cameras = st->versions[i].cameras;
            st->filed_cameras_known = 1;
            break;
        }
    return 1;
}

/* --- a batch --------------------------------------------------------------------------------- */

int hub_watch_learn(hub_watch_state_t *st, const hub_watch_conf_t *cfg,
                    const hub_watch_receipt_t *r, uint64_t first, const mm_entry_t *e, size_t n)
{
    int changed = measure(st, cfg, r, e, n);
    for (size_t i = 0; i < n; i++) {
        uint64_t index = first + i;
        switch (e[i].kind) {
        case MM_ENTRY_SITE_FACTS:
            changed |= learn_facts(st, r, index, &e[i].u.site_facts);
            break;
        case MM_ENTRY_SEGMENTS_ERASED:
            changed |= learn_erasure(st, cfg, r, index, &e[i].u.segments_erased);
            break;
        case MM_ENTRY_VIEWING:
            changed |= learn_viewing(st, cfg, index, e[i].time_us, &e[i].u.viewing);
            break;
        case MM_ENTRY_CONFIGURATION_CHANGED:
            changed |= learn_version(st, index, &e[i].u.configuration_changed);
            break;
        case MM_ENTRY_STANDARDS_FILED:
            changed |= learn_filed(st, index, &e[i].u.standards_filed);
            break;
        default:
            break;
        }
    }
    return changed;
}
