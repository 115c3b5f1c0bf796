/*
 * rules_watch.c: the rules over what the hub watches with its own clock (see rules_watch.h).
 *
 * Like rules.c, each rule reads typed facts and adds a finding with its requirement ID, dedupe
 * key, evidence and an English message; unlike those rules, what a site is held to here depends
 * on its policy row (watchpolicy.h), and the numbers come from the hub's configuration. A site
 * whose policy has no row is held to none of them (rules.c reports the unknown policy). The order
 * is the clock's, the erasures', the viewings', then each camera's, then the count's, so that
 * new findings get ids in an order that does not change from one run to the next.
 */
#include "hub/rules_watch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/timefmt.h"
#include "hub/rules.h"
#include "hub/watchpolicy.h"

#define MIN_US (60LL * 1000000)
#define HOUR_US (60 * MIN_US)
#define DAY_US (24 * HOUR_US)

/* Evidence of the entries at[0 .. n) (an index repeated is cited once). */
static hub_evidence_t *entries(hub_evidence_t *ev, size_t n, const int64_t *at)
{
    memset(ev, 0, sizeof *ev);
    if (n == 2 && at[0] == at[1])
        n = 1;
    hub_evidence_ints(ev, "entries", n, at);
    return ev;
}

/* A span of time for people: "8 d 3 h", "5 h 12 min", "4 min 10 s". */
static const char *span(int64_t us, char *buf, size_t cap)
{
    long long s = (long long)((us < 0 ? -us : us) / 1000000);
    if (s >= 86400)
        snprintf(buf, cap, "%lld d %lld h", s / 86400, s % 86400 / 3600);
    else if (s >= 3600)
        snprintf(buf, cap, "%lld h %lld min", s / 3600, s % 3600 / 60);
    else
        snprintf(buf, cap, "%lld min %lld s", s / 60, s % 60);
    return buf;
}

/* --- the site's clock and its erasures ------------------------------------------------------- */

static void clock_rule(hub_rules_found_t *fd, const hub_watch_policy_t *pol,
                       const hub_watch_state_t *st, const hub_watch_conf_t *cfg)
{
    const hub_watch_skew_t *k = hub_watch_skew_now(st);
    if (!k || (k->offset_us <= cfg->skew_max_us && -k->offset_us <= cfg->skew_max_us))
        return;
    char how[48], at[MM_RFC3339_MAX];
    mm_time_rfc3339(k->received_us, at);
    hub_evidence_t ev;
    const int64_t idx[1] = {(int64_t)k->index};
    entries(&ev, 1, idx);
    hub_evidence_int(&ev, "offset_s", k->offset_us / 1000000);
    hub_evidence_text(&ev, "measured", at);
    hub_rules_add(
        fd, "clock_skew", "", pol->erasure.rule, HUB_SEVERITY_HIGH, &ev,
        "the site's clock was %s%s %s the hub's when its entries up to #%llu arrived (%s); the "
        "site keeps and erases footage by its own clock (%s)",
        k->bound ? "at least " : "", span(k->offset_us, how, sizeof how),
        k->offset_us > 0 ? "ahead of" : "behind", (unsigned long long)k->index, at,
        pol->erasure.clause);
}

static void erasure_rules(hub_rules_found_t *fd, const hub_watch_policy_t *pol,
                          const hub_watch_state_t *st)
{
    for (size_t i = 0; i < st->n_erasures; i++) {
        const hub_watch_erasure_t *g = &st->erasures[i];
        char key[96], how[48], due[MM_RFC3339_MAX];
        snprintf(key, sizeof key, "%s/%s", g->camera, g->day);
        mm_time_rfc3339(g->due_us, due);
        hub_evidence_t ev;
        const int64_t idx[2] = {(int64_t)g->first_index, (int64_t)g->last_index};
        entries(&ev, 2, idx);
        hub_evidence_text(&ev, "camera", g->camera);
        hub_evidence_text(&ev, "day", g->day);
        hub_evidence_int(&ev, "count", g->count);
        hub_evidence_int(&ev, "early_s", g->early_us / 1000000);
        hub_evidence_int(&ev, "retention_days", g->retention_days);
        hub_rules_add(
            fd, "erased_early", key, pol->erasure.rule, HUB_SEVERITY_HIGH, &ev,
            "camera %s: %u erasure(s) that reached the hub on %s went up to %s before the "
            "footage's %u days of retention were over by the hub's clock (%s; due %s)",
            g->camera, g->count, g->day, span(g->early_us, how, sizeof how), g->retention_days,
            pol->erasure.clause, due);
    }
}

/* --- viewing --------------------------------------------------------------------------------- */

static void viewing_rules(hub_rules_found_t *fd, const hub_watch_policy_t *pol, mm_policy_t policy,
                          int no_night_staff, const hub_watch_state_t *st,
                          const hub_watch_conf_t *cfg)
{
    const hub_watch_bounds_t *b = &cfg->viewing[policy];
    for (size_t i = 0; pol->viewing.rule && i < st->n_viewings; i++) {
        const hub_watch_viewing_t *v = &st->viewings[i];
        char key[96];
        snprintf(key, sizeof key, "%s/%s", v->person, v->day);
        hub_evidence_t ev;
        if (v->viewings > b->viewings || v->footage_us > b->footage_us) {
            const int64_t idx[2] = {(int64_t)v->first_index, (int64_t)v->last_index};
            entries(&ev, v->viewings ? 2 : 0, idx);
            hub_evidence_text(&ev, "person", v->person);
            hub_evidence_text(&ev, "day", v->day);
            hub_evidence_int(&ev, "viewings", v->viewings);
            hub_evidence_int(&ev, "footage_min", v->footage_us / MIN_US);
            hub_evidence_int(&ev, "max_viewings", b->viewings);
            hub_evidence_int(&ev, "max_minutes", b->footage_us / MIN_US);
            hub_rules_add(
                fd, "viewing_volume", key, pol->viewing.rule, HUB_SEVERITY_MEDIUM, &ev,
                "%s viewed footage %u time(s) on %s, %.1f h of it; the city's bound is %lld "
                "viewings and %.1f h a person a day (%s)",
                v->person, v->viewings, v->day, (double)v->footage_us / HOUR_US,
                (long long)b->viewings, (double)b->footage_us / HOUR_US, pol->viewing.clause);
        }
        if (no_night_staff && v->night) {
            const int64_t idx[1] = {(int64_t)v->night_index};
            entries(&ev, 1, idx);
            hub_evidence_text(&ev, "person", v->person);
            hub_evidence_text(&ev, "day", v->day);
            hub_evidence_int(&ev, "night", v->night);
            hub_evidence_int(&ev, "from_hour", cfg->night_from);
            hub_evidence_int(&ev, "to_hour", cfg->night_to);
            hub_rules_add(
                fd, "night_viewing", key, pol->viewing.rule, HUB_SEVERITY_MEDIUM, &ev,
                "%s started %u viewing(s) at night (%02d:00-%02d:00 in the site's zone) on %s, "
                "at a site that says nobody works there at night (%s)",
                v->person, v->night, cfg->night_from, cfg->night_to, v->day, pol->viewing.clause);
        }
    }
}

/* --- cameras --------------------------------------------------------------------------------- */

static void suspension_rule(hub_rules_found_t *fd, const hub_watch_policy_t *pol,
                            const hub_camera_t *cam, const hub_watch_conf_t *cfg, int64_t now_us)
{
    int64_t since = cam->state_at.time_us;
    if (!pol->suspension.rule || cam->state != HUB_CAMERA_STATE_SUSPENDED ||
        now_us - since <= cfg->suspension_max_us)
        return;
    char at[MM_RFC3339_MAX];
    mm_time_rfc3339(since, at);
    long long days = (long long)((now_us - since) / DAY_US);
    hub_evidence_t ev;
    const int64_t idx[1] = {(int64_t)cam->state_at.index};
    entries(&ev, 1, idx);
    hub_evidence_text(&ev, "camera", cam->id);
    hub_evidence_text(&ev, "since", at);
    hub_evidence_int(&ev, "days", days);
    hub_evidence_int(&ev, "max_days", cfg->suspension_max_us / DAY_US);
    hub_rules_add(
        fd, "camera_suspended_long", cam->id, pol->suspension.rule, HUB_SEVERITY_MEDIUM, &ev,
        "camera %s has been suspended since %s, %lld days, longer than the city's limit of %lld "
        "days (%s)",
        cam->id, at, days, (long long)(cfg->suspension_max_us / DAY_US), pol->suspension.clause);
}

static void sign_rule(hub_rules_found_t *fd, const hub_watch_policy_t *pol, const hub_camera_t *cam,
                      const hub_watch_conf_t *cfg, int64_t now_us)
{
    const mm_camera_facts_t *f = &cam->facts;
    int64_t checked;
    if (!pol->sign.rule || cam->state == HUB_CAMERA_STATE_ABOLISHED ||
        !hub_members_has(&cam->members, HUB_CAMERA_FACTS) || !f->signage_text[0] ||
        mm_jst_date_us(f->signage_checked, &checked) != 0 ||
        now_us - checked <= cfg->sign_check_max_us)
        return;
    long long days = (long long)((now_us - checked) / DAY_US);
    hub_evidence_t ev;
    const int64_t idx[1] = {(int64_t)cam->facts_at.index};
    entries(&ev, 1, idx);
    hub_evidence_text(&ev, "camera", cam->id);
    hub_evidence_text(&ev, "checked", f->signage_checked);
    hub_evidence_int(&ev, "days", days);
    hub_evidence_int(&ev, "max_days", cfg->sign_check_max_us / DAY_US);
    hub_rules_add(
        fd, "signage_check_old", cam->id, pol->sign.rule, HUB_SEVERITY_MEDIUM, &ev,
        "the sign of camera %s was last checked on %s, %lld days ago; the city asks for a check "
        "at least every %lld days (%s)",
        cam->id, f->signage_checked, days, (long long)(cfg->sign_check_max_us / DAY_US),
        pol->sign.clause);
}

static void count_rule(hub_rules_found_t *fd, const hub_watch_policy_t *pol,
                       const hub_watch_state_t *st, const hub_watch_conf_t *cfg, int64_t now_us)
{
    if (!pol->camera_count.rule || !st->has_facts || !st->has_filed || !st->filed_cameras_known ||
        st->cameras == st->filed_cameras ||
        now_us - st->cameras_since_us <= cfg->camera_count_grace_us)
        return;
    hub_evidence_t ev;
    const int64_t idx[2] = {(int64_t)st->cameras_index, (int64_t)st->filed_index};
    entries(&ev, 2, idx);
    hub_evidence_int(&ev, "cameras", st->cameras);
    hub_evidence_int(&ev, "filed_cameras", st->filed_cameras);
    hub_evidence_int(&ev, "version", st->filed_version);
    hub_rules_add(
        fd, "camera_count_unfiled", "", pol->camera_count.rule, HUB_SEVERITY_MEDIUM, &ev,
        "the site runs %u camera(s), but the standards it filed last (version %u) name %u, and "
        "nothing it filed since says so (%s)",
        st->cameras, st->filed_version, st->filed_cameras, pol->camera_count.clause);
}

mm_err_t hub_rules_watch_evaluate(const hub_site_record_t *rec, const hub_watch_state_t *st,
                                  const hub_watch_conf_t *cfg, int64_t now_us,
                                  hub_finding_list_t *out)
{
    hub_rules_found_t fd = {out, MM_OK};
    int has_policy = (rec && rec->has_facts) || (st && st->has_facts);
    mm_policy_t policy = rec && rec->has_facts ? rec->facts.policy : st ? st->policy : 0;
    const hub_watch_policy_t *pol = has_policy ? hub_watch_policy(policy) : NULL;
    if (!pol)
        return MM_OK;
    if (st) {
        clock_rule(&fd, pol, st, cfg);
        erasure_rules(&fd, pol, st);
        viewing_rules(&fd, pol, policy, rec && rec->has_facts && rec->facts.no_night_staff, st,
                      cfg);
    }
    for (size_t i = 0; rec && i < rec->n_cameras; i++) {
        suspension_rule(&fd, pol, &rec->cameras[i], cfg, now_us);
        sign_rule(&fd, pol, &rec->cameras[i], cfg, now_us);
    }
    if (st)
        count_rule(&fd, pol, st, cfg, now_us);
    return fd.err;
}
