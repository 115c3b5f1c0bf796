/*
 * rules.c: the rules, from a site's record to findings (see rules.h).
 *
 * Each rule reads the typed record and, when it does not hold, adds a finding with its
 * requirement ID, its dedupe key (what makes two findings of one kind different: a camera, a
 * day, a grant, a request, a complaint) and its evidence: the indexes of the entries in the site's
 * log the record took the facts from, and what names the thing concerned. The order of the
 * findings is the site's, then each camera's, the grants', the filings', the requests', the
 * site's complaints', the holds' and the silence's, so that new findings get their ids in an
 * order that does not change from one run to the next.
 */
#include "hub/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/policy.h"
#include "common/timefmt.h"
#include "hub/cityrules.h"
#include "hub/watchpolicy.h"

#define DAY_US (86400LL * 1000000)
#define YEAR5_US (5LL * 365 * DAY_US + 1 * DAY_US) /* five years, one leap day */

int hub_rules_floor(mm_policy_t policy)
{
    return mm_policy_floor_days(policy);
}

int hub_rules_floor_days(const char *policy)
{
    mm_policy_t p;
    return mm_policy_parse(policy, &p) ? hub_rules_floor(p) : -1;
}

/* Evidence {"entries": [index...]} of the n entries given, then "camera", "day", "grant" or
 * "request" (NULL: none) as texts; a name of NULL ends them. */
static hub_evidence_t *evidence(hub_evidence_t *ev, size_t n, const int64_t *entries, ...)
{
    memset(ev, 0, sizeof *ev);
    hub_evidence_ints(ev, "entries", n, entries);
    va_list ap;
    va_start(ap, entries);
    for (const char *name; (name = va_arg(ap, const char *));)
        hub_evidence_text(ev, name, va_arg(ap, const char *));
    va_end(ap);
    return ev;
}

/* Evidence with one named text and no entries. */
static hub_evidence_t *named(hub_evidence_t *ev, const char *name, const char *text)
{
    memset(ev, 0, sizeof *ev);
    hub_evidence_text(ev, name, text);
    return ev;
}

/* Midnight in Japan at the start of the day ymd, 0 when ymd is no date. */
static int64_t date_us(const char *ymd)
{
    int64_t us;
    return mm_jst_date_us(ymd, &us) == 0 ? us : 0;
}

static int listed(const char *csv, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = csv; *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && !memcmp(p, id, n))
            return 1;
        if (!c)
            break;
        p = c + 1;
    }
    return 0;
}

/* R-N7.5: where the policy's text leaves the period to the city's rule, the site's retention and
 * its registered period lie within the rule the hub's configuration sets, whether or not the
 * site has received it yet (cityrules.h). */
static void city_rule_rules(hub_rules_found_t *fd, const hub_site_record_t *rec,
                            const hub_rules_input_t *in)
{
    const hub_city_rule_conf_t *c = in->city_rule;
    const mm_site_facts_t *f = &rec->facts;
    if (!c)
        return;
    int64_t min = c->min_days, max = c->max_days;
    int64_t ret = f->retention_days, reg = f->registered_retention_days;
    int ret_out = ret < min || (max && ret > max),
        reg_out = reg && (reg < min || (max && reg > max));
    if (!ret_out && !reg_out)
        return;
    const hub_request_t *q = hub_city_rule_latest(rec, f->policy);
    int received = q && hub_members_has(&q->members, HUB_REQUEST_DELIVERED) &&
                   q->retention_days_min == min && q->retention_days_max == max &&
                   !strcmp(q->text, c->rule);
    const int64_t at[2] = {(int64_t)rec->facts_at.index,
                           received ? (int64_t)q->delivered.index : 0};
    char range[64];
    if (max)
        snprintf(range, sizeof range, "%lld to %lld days", (long long)min, (long long)max);
    else
        snprintf(range, sizeof range, "at least %lld days", (long long)min);
    const mm_policy_rules_t *r = mm_policy_rules(f->policy);
    hub_evidence_t ev;
    evidence(&ev, received ? 2 : 1, at, "rule", c->rule, "notice", q ? q->id : "", NULL);
    hub_evidence_ints(&ev, "retention_days_min", 1, &min);
    hub_evidence_ints(&ev, "retention_days_max", 1, &max);
    hub_rules_add(
        fd, "retention_outside_city_rule", "", "R-N7.5", HUB_SEVERITY_HIGH, &ev,
        "footage is kept %lld days (registered %lld); the city's rule for the %s policy (%s, under "
        "%s %s) sets %s%s",
        (long long)ret, (long long)reg, mm_policy_name(f->policy), c->rule, r ? r->text : "",
        r ? r->retention_clause : "", range,
        received ? "" : "; the site has not yet logged the rule");
}

static void site_rules(hub_rules_found_t *fd, const hub_site_record_t *rec)
{
    const mm_site_facts_t *f = &rec->facts;
    const int64_t at[1] = {(int64_t)rec->facts_at.index};
    const char *policy = mm_policy_name(f->policy) ? mm_policy_name(f->policy) : "";
    int floor = hub_rules_floor(f->policy);
    int64_t ret = f->retention_days, reg = f->registered_retention_days;
    hub_evidence_t ev;
    if (!f->manager[0])
        hub_rules_add(fd, "manager_missing", "", "R-K2.2.2", HUB_SEVERITY_HIGH,
                      evidence(&ev, 1, at, NULL), "the site names no manager");
    else if (listed(f->operators, f->manager))
        hub_rules_add(fd, "operator_is_manager", f->manager, "R-N6.1", HUB_SEVERITY_HIGH,
                      evidence(&ev, 1, at, NULL), "the manager %s is also listed as an operator",
                      f->manager);
    if (floor < 0)
        hub_rules_add(fd, "policy_unknown", "", "R-N4.1", HUB_SEVERITY_HIGH,
                      evidence(&ev, 1, at, NULL), "the site runs under an unknown policy \"%s\"",
                      policy);
    else if (ret < floor)
        hub_rules_add(fd, "retention_below_floor", "", "R-K2.2.6b", HUB_SEVERITY_HIGH,
                      evidence(&ev, 1, at, NULL),
                      "footage is kept %lld days, below the %s floor of %d", (long long)ret, policy,
                      floor);
    /* floor 0: the text leaves the period to the city's rule (city_rule_rules). */
    if (reg > 0 && ret > reg)
        hub_rules_add(fd, "retention_above_registered", "", "R-K2.2.6b", HUB_SEVERITY_HIGH,
                      evidence(&ev, 1, at, NULL),
                      "footage is kept %lld days, longer than the registered %lld", (long long)ret,
                      (long long)reg);
    if (mm_policy_consensus_required(f->policy)) {
        if (!f->consensus_date[0])
            hub_rules_add(fd, "consensus_missing", "", "R-K2.1.3c", HUB_SEVERITY_MEDIUM,
                          evidence(&ev, 1, at, NULL),
                          "no date of the local consensus is registered");
        if (!f->land_permission_ref[0])
            hub_rules_add(fd, "land_permission_missing", "", "R-K2.1.3c", HUB_SEVERITY_MEDIUM,
                          evidence(&ev, 1, at, NULL), "no land owner's permission is registered");
    }
}

/* The time of the day that begins at day_us that the site's clock skipped: the overlap of the
 * day with its logged forward jumps (from the time expected to the time read). */
static int64_t skipped_in_day(const hub_site_record_t *rec, int64_t day_us)
{
    int64_t skipped = 0;
    for (size_t i = 0; rec && i < rec->n_jumps; i++) {
        const mm_clock_jumped_t *j = &rec->jumps[i].jump;
        int64_t a = j->expected_us > day_us ? j->expected_us : day_us;
        int64_t b = j->read_us < day_us + DAY_US ? j->read_us : day_us + DAY_US;
        if (j->step_us > 0 && b > a)
            skipped += b - a;
    }
    return skipped < DAY_US ? skipped : DAY_US;
}

/* R-K2.2.6a: a day a camera recorded less than the configured share of. A suspended camera is
 * here only when its policy holds suspended cameras to the rule (watchpolicy.h): its message then
 * says so, with the clause (suspended, else NULL). Time the site's clock skipped forward (a
 * logged clock_jumped) is no time the camera failed to record: the share is of the rest of the
 * day, and a day the clock skipped (almost) whole is not judged. */
static void uptime_rules(hub_rules_found_t *fd, const hub_site_record_t *rec,
                         const hub_camera_t *cam, const hub_rules_input_t *in,
                         const char *suspended)
{
    if (cam->n_uptime < 2)
        return;
    char today[11];
    mm_jst_day(in->now_us, today);
    const char *first = cam->uptime[0].day;
    for (size_t i = 1; i < cam->n_uptime; i++)
        if (strcmp(cam->uptime[i].day, first) < 0)
            first = cam->uptime[i].day;
    for (size_t i = 0; i < cam->n_uptime; i++) {
        const hub_uptime_day_t *d = &cam->uptime[i];
        /* The first day is the installation's; today is not over. */
        if (!strcmp(d->day, first) || strcmp(d->day, today) >= 0)
            continue;
        int64_t day_len = DAY_US - skipped_in_day(rec, date_us(d->day));
        if (day_len < 3600LL * 1000000)
            continue;
        double share = (double)d->recorded_us / (double)day_len;
        if (share < in->uptime_min) {
            char key[96];
            snprintf(key, sizeof key, "%s/%s", cam->id, d->day);
            const int64_t at[2] = {(int64_t)d->first_index, (int64_t)d->last_index};
            hub_evidence_t ev;
            evidence(&ev, 2, at, "camera", cam->id, "day", d->day, NULL);
            if (suspended)
                hub_evidence_text(&ev, "state", "suspended");
            hub_rules_add(
                fd, "uptime_below_24h", key, "R-K2.2.6a", HUB_SEVERITY_MEDIUM, &ev,
                "camera %s recorded %.1f h of %s (%lld gaps): cameras run 24 hours a day%s%s%s",
                cam->id, (double)d->recorded_us / 3.6e9, d->day, (long long)d->gaps,
                suspended ? "; a suspended camera too (" : "", suspended ? suspended : "",
                suspended ? ")" : "");
        }
    }
}

/* An abolished camera is held to its five years (R-K2.1.3b) and to nothing else. */
static void abolished_rules(hub_rules_found_t *fd, const hub_camera_t *cam)
{
    int has_facts = hub_members_has(&cam->members, HUB_CAMERA_FACTS);
    const char *install = has_facts ? cam->facts.install_date : "";
    int64_t installed = date_us(install);
    int64_t gone = cam->state_at.time_us;
    if (installed && gone < installed + YEAR5_US) {
        const int64_t at[2] = {has_facts ? (int64_t)cam->facts_at.index : 0,
                               (int64_t)cam->state_at.index};
        hub_evidence_t ev;
        hub_rules_add(
            fd, "camera_retired_early", cam->id, "R-K2.1.3b", HUB_SEVERITY_MEDIUM,
            evidence(&ev, 2, at, "camera", cam->id, NULL),
            "camera %s, installed %s, was abolished after %.1f years; cameras run 5 years", cam->id,
            install, (double)(gone - installed) / (365.25 * DAY_US));
    }
}

static void camera_rules(hub_rules_found_t *fd, int kawaguchi, const hub_watch_policy_t *wp,
                         const hub_site_record_t *rec, const hub_camera_t *cam,
                         const hub_rules_input_t *in)
{
    hub_evidence_t ev;
    if (cam->state == HUB_CAMERA_STATE_ABOLISHED) {
        abolished_rules(fd, cam);
        return;
    }
    const mm_camera_coverage_t *cov = &cam->coverage;
    if (!hub_members_has(&cam->members, HUB_CAMERA_COVERAGE)) {
        hub_rules_add(fd, "coverage_missing", cam->id, "R-N5.3", HUB_SEVERITY_HIGH,
                      named(&ev, "camera", cam->id), "camera %s has no coverage map on record",
                      cam->id);
    } else if (kawaguchi) {
        int exception = cov->exception[0] != 0;
        int64_t need = exception ? 500000 : 666667, share = cov->share_ppm;
        const int64_t at[1] = {(int64_t)cam->coverage_at.index};
        if (share < need)
            hub_rules_add(fd, "coverage_below_threshold", cam->id, "R-K2.1.3a", HUB_SEVERITY_HIGH,
                          evidence(&ev, 1, at, NULL), "camera %s shows %.1f %% public space; %s",
                          cam->id, share / 1e4,
                          exception ? "at least 1/2 is needed even with an exception"
                                    : "at least 2/3 is needed (1/2 with a written exception)");
    }
    const mm_camera_facts_t *facts = &cam->facts;
    const int64_t at[1] = {(int64_t)cam->facts_at.index};
    if (!hub_members_has(&cam->members, HUB_CAMERA_FACTS))
        hub_rules_add(fd, "camera_unregistered", cam->id, "R-N5.1", HUB_SEVERITY_MEDIUM,
                      named(&ev, "camera", cam->id),
                      "camera %s records but its location and purpose are not on record", cam->id);
    else if (!facts->signage_text[0] || !facts->signage_installer_shown ||
             !facts->signage_checked[0])
        hub_rules_add(fd, "signage_missing", cam->id, "R-K2.2.1", HUB_SEVERITY_HIGH,
                      evidence(&ev, 1, at, NULL),
                      "camera %s has no sign on record that shows it operates and who installed it",
                      cam->id);
    if (cam->state == HUB_CAMERA_STATE_RECORDING)
        uptime_rules(fd, rec, cam, in, NULL);
    else if (cam->state == HUB_CAMERA_STATE_SUSPENDED && wp && wp->uptime_counts_suspended)
        uptime_rules(fd, rec, cam, in, wp->uptime.clause);
}

/* R-N6.3: whoever used emergency access reports to the manager without delay. */
static void grant_rules(hub_rules_found_t *fd, const hub_site_record_t *rec,
                        const hub_rules_input_t *in)
{
    for (size_t i = 0; i < rec->n_grants; i++) {
        const hub_grant_t *g = &rec->grants[i];
        if (g->reported || g->until_us > in->now_us)
            continue;
        const int64_t at[1] = {(int64_t)g->granted.index};
        char ended[MM_RFC3339_MAX];
        mm_time_rfc3339(g->until_us, ended);
        hub_evidence_t ev;
        hub_rules_add(fd, "emergency_report_open", g->id, "R-N6.3", HUB_SEVERITY_MEDIUM,
                      evidence(&ev, 1, at, "grant", g->id, NULL),
                      "emergency grant %s to %s ended %s; no report of what was done is on record",
                      g->id, g->person, ended);
    }
}

/* R-N4.2: the standards the site runs under are filed; R-N-T: an existing installer files
 * within three months of the ordinance. */
static void filing_rules(hub_rules_found_t *fd, const hub_site_record_t *rec,
                         const hub_rules_input_t *in)
{
    /* A policy whose filings are notices only, or that files nothing, has nothing overdue
     * (common/policy.h: voluntary, R-K4; city, R-N9). */
    int policy = rec->has_facts                                         ? (int)rec->facts.policy
                 : hub_members_has(&rec->members, HUB_RECORD_STANDARDS) ? (int)rec->standards.policy
                                                                        : -1;
    if (policy >= 0 && mm_policy_filing((mm_policy_t)policy) != MM_FILING_DUTY)
        return;
    int64_t filed = 0;
    for (size_t i = 0; i < rec->n_filings; i++)
        if (hub_filing_of_standards(&rec->filings[i]) && rec->filings[i].version > filed)
            filed = rec->filings[i].version;
    const mm_configuration_changed_t *run = &rec->standards;
    hub_evidence_t ev;
    if (hub_members_has(&rec->members, HUB_RECORD_STANDARDS) && run->version > filed &&
        in->now_us - rec->standards_at.time_us > in->filing_grace_us) {
        const int64_t at[1] = {(int64_t)rec->standards_at.index};
        hub_rules_add(
            fd, "filing_overdue", "", "R-N4.2", HUB_SEVERITY_HIGH, evidence(&ev, 1, at, NULL),
            "the site runs under version %lld of its standards (%s) but has filed %s%lld",
            (long long)run->version, run->summary, filed ? "only version " : "", (long long)filed);
    }
    if (in->transitional_us && !filed && in->now_us > in->transitional_us)
        hub_rules_add(
            fd, "initial_filing_overdue", "", "R-N-T", HUB_SEVERITY_HIGH, NULL,
            "an installer running cameras when the ordinance took effect files its standards "
            "within three months; nothing has been filed");
}

/* R-N12, R-N10.1: what the city asked is answered by its deadline. */
static void request_rules(hub_rules_found_t *fd, const hub_site_record_t *rec,
                          const hub_rules_input_t *in)
{
    for (size_t i = 0; i < rec->n_requests; i++) {
        const hub_request_t *q = &rec->requests[i];
        /* A disclosure is not answered but decided, and at its deadline the site itself logs
         * it expired: its steps are the disclosure module's to follow, not a finding here. */
        if (!q->deadline_us || in->now_us <= q->deadline_us ||
            hub_members_has(&q->members, HUB_REQUEST_ANSWER) || q->unknown_to_hub ||
            q->kind == MM_REQUEST_KIND_DISCLOSURE ||
            q->kind == MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED)
            continue;
        int delivered = hub_members_has(&q->members, HUB_REQUEST_DELIVERED);
        hub_evidence_t ev;
        named(&ev, "request", q->id);
        const int64_t at[1] = {(int64_t)q->delivered.index};
        if (delivered)
            hub_evidence_ints(&ev, "entries", 1, at);
        hub_rules_add(fd, "request_overdue", q->id,
                      q->kind == MM_REQUEST_KIND_REPORT_REQUEST ? "R-N10.1" : "R-N12",
                      HUB_SEVERITY_MEDIUM, &ev, "%s %s was not answered by its deadline%s",
                      mm_request_kind_name(q->kind), q->id,
                      delivered ? "" : " (the site never received it)");
    }
}

/* Whether rec has the request id. */
static int has_request(const hub_site_record_t *rec, const char *id)
{
    for (size_t i = 0; i < rec->n_requests; i++)
        if (!strcmp(rec->requests[i].id, id))
            return 1;
    return 0;
}

/* R-N12(1), R-N7.6: a complaint received at the site is closed by the city's deadline, as the
 * city's own complaints are answered by theirs, and is the same finding when it is not. One that
 * came through the city is held to the city's request (request_rules), not twice. */
static void site_complaint_rules(hub_rules_found_t *fd, const hub_site_record_t *rec,
                                 const hub_rules_input_t *in)
{
    for (size_t i = 0; i < rec->n_site_complaints; i++) {
        const hub_site_complaint_t *c = &rec->site_complaints[i];
        if (c->state == MM_COMPLAINT_STEP_CLOSED || in->now_us <= c->deadline_us ||
            (c->hub_complaint[0] && has_request(rec, c->hub_complaint)))
            continue;
        int handled = hub_members_has(&c->members, HUB_SITE_COMPLAINT_HANDLED);
        const int64_t at[2] = {(int64_t)c->first.index, (int64_t)c->handled.at.index};
        char received[MM_RFC3339_MAX];
        mm_time_rfc3339(c->received_us, received);
        hub_evidence_t ev;
        hub_rules_add(fd, "request_overdue", c->id, "R-N12", HUB_SEVERITY_MEDIUM,
                      evidence(&ev, handled ? 2 : 1, at, "complaint", c->id, NULL),
                      "complaint %s, received at the site %s, was not closed by its deadline (%s)",
                      c->id, received, handled ? "handled, not closed" : "not even handled");
    }
}

/* R-K2.2.6b, R-N7.5: a site hold keeps footage past retention only until it expires; the edge
 * releases it then, and one still in place past its expiry (and a grace for the release to
 * reach the hub) keeps footage nobody asked for. Closed when its release arrives. */
static void hold_rules(hub_rules_found_t *fd, const hub_site_record_t *rec,
                       const hub_rules_input_t *in)
{
    for (size_t i = 0; i < rec->n_holds; i++) {
        const hub_site_hold_t *h = &rec->holds[i];
        const mm_hold_placed_t *p = &h->placed;
        if (h->released || !p->expires_us || in->now_us <= p->expires_us + HUB_HOLD_EXPIRY_GRACE_US)
            continue;
        const int64_t at[1] = {(int64_t)h->placed_at.index};
        char expired[MM_RFC3339_MAX];
        mm_time_rfc3339(p->expires_us, expired);
        hub_evidence_t ev;
        hub_rules_add(
            fd, "hold_past_expiry", p->hold_id, "R-K2.2.6b", HUB_SEVERITY_MEDIUM,
            evidence(&ev, 1, at, "camera", p->camera, "hold", p->hold_id, NULL),
            "hold %s on camera %s, placed by %s, expired %s and is still in place: footage past "
            "retention is kept that nobody has asked for",
            p->hold_id, p->camera, p->by, expired);
    }
}

/* R-K2.2.6a, R-K2.2.6b: each logged jump of the site's wall clock (the newest the record keeps).
 * The edge cut its segments at the jump and measures durations and gaps on its monotonic clock;
 * but the times of its footage and of its erasures are wall times, off by the step from then. */
static void clock_rules(hub_rules_found_t *fd, const hub_site_record_t *rec)
{
    for (size_t i = 0; i < rec->n_jumps; i++) {
        const hub_clock_jump_t *c = &rec->jumps[i];
        const mm_clock_jumped_t *j = &c->jump;
        char key[32], from[MM_RFC3339_MAX], to[MM_RFC3339_MAX];
        snprintf(key, sizeof key, "entry %llu", (unsigned long long)c->at.index);
        mm_time_rfc3339(j->expected_us, from);
        mm_time_rfc3339(j->read_us, to);
        const int64_t at[1] = {(int64_t)c->at.index};
        hub_evidence_t ev;
        evidence(&ev, 1, at, "expected", from, "read", to, NULL);
        hub_evidence_int(&ev, "step_ms", j->step_us / 1000);
        double s = (double)(j->step_us < 0 ? -j->step_us : j->step_us) / 1e6;
        hub_rules_add(fd, "clock_jumped", key, "R-K2.2.6b", HUB_SEVERITY_MEDIUM, &ev,
                      "the site's wall clock jumped %.1f s %s (it read %s where %s was due); "
                      "footage and entries after it are dated by the new time, and the time "
                      "skipped is not counted as time without recording",
                      s, j->step_us < 0 ? "back" : "ahead", to, from);
    }
}

mm_err_t hub_rules_evaluate(const hub_site_record_t *rec, const hub_rules_input_t *in,
                            hub_finding_list_t *out)
{
    hub_rules_found_t fd = {out, MM_OK};
    if (!rec)
        return MM_OK;
    if (rec->has_facts)
        site_rules(&fd, rec);
    if (rec->has_facts)
        city_rule_rules(&fd, rec, in);
    int kawaguchi = rec->has_facts && mm_policy_share_threshold(rec->facts.policy, 0) > 0;
    const hub_watch_policy_t *wp = rec->has_facts ? hub_watch_policy(rec->facts.policy) : NULL;
    for (size_t i = 0; i < rec->n_cameras; i++)
        camera_rules(&fd, kawaguchi, wp, rec, &rec->cameras[i], in);
    clock_rules(&fd, rec);
    grant_rules(&fd, rec, in);
    filing_rules(&fd, rec, in);
    request_rules(&fd, rec, in);
    site_complaint_rules(&fd, rec, in);
    hold_rules(&fd, rec, in);
    if (in->last_checkpoint_us && in->silent_after_us > 0 &&
        in->now_us - in->last_checkpoint_us > in->silent_after_us)
        hub_rules_add(&fd, "site_silent", "", "R-K2.2.6a", HUB_SEVERITY_HIGH, NULL,
                      "no verified checkpoint for %lld minutes",
                      (long long)((in->now_us - in->last_checkpoint_us) / 60000000));
    return fd.err;
}

void hub_rules_add(hub_rules_found_t *fd, const char *kind, const char *dedupe, const char *rule,
                   hub_severity_t severity, hub_evidence_t *ev, const char *fmt, ...)
{
    hub_finding_t *f = fd->err == MM_OK ? hub_finding_list_add(fd->out) : NULL;
    if (!f) {
        fd->err = MM_ENOMEM;
        if (ev)
            hub_evidence_deinit(ev);
        return;
    }
    snprintf(f->kind, sizeof f->kind, "%s", kind);
    snprintf(f->dedupe, sizeof f->dedupe, "%s", dedupe);
    snprintf(f->rule, sizeof f->rule, "%s", rule);
    f->severity = severity;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    if (ev) {
        f->evidence = *ev; /* the texts go with it */
        ev->n = 0;
    }
}
