/*
 * rules.c: the rules, from a registry record to findings (see rules.h).
 */
#include "hub/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/timefmt.h"
#include "common/vocab.h"
#include "hub/registry.h"

#define DAY_US (86400LL * 1000000)
#define YEAR5_US (5LL * 365 * DAY_US + 1 * DAY_US) /* five years, one leap day */

int hub_rules_floor_days(const char *policy)
{
    mm_policy_t p;
    if (!mm_policy_parse(policy, &p))
        return -1;
    switch (p) {
    case MM_POLICY_KAWAGUCHI:
        return 7; /* "about 7 days or more" (R-K2.2.6b) */
    case MM_POLICY_NAHA:
        return 1;
    default:
        return -1;
    }
}

static int is_kawaguchi(const char *policy)
{
    mm_policy_t p;
    return mm_policy_parse(policy, &p) && p == MM_POLICY_KAWAGUCHI;
}

static int camera_is(json_t *cam, hub_camera_state_t state)
{
    hub_camera_state_t st;
    return hub_camera_state_parse(json_string_value(json_object_get(cam, "state")), &st) &&
           st == state;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void add(json_t *out, const char *kind, const char *dedupe, const char *rule,
                const char *severity, json_t *evidence, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void add(json_t *out, const char *kind, const char *dedupe, const char *rule,
                const char *severity, json_t *evidence, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "kind", kind, "dedupe",
                                         dedupe, "rule", rule, "severity", severity, "message", msg,
                                         "evidence", evidence ? evidence : json_object()));
}

/* {"entries": [index, ...]} from the "index" of each object given (those that have one). */
static json_t *evidence(json_t *a, json_t *b)
{
    json_t *list = json_array();
    if (json_is_integer(json_object_get(a, "index")))
        json_array_append(list, json_object_get(a, "index"));
    if (b && json_is_integer(json_object_get(b, "index")))
        json_array_append(list, json_object_get(b, "index"));
    return json_pack("{s:o}", "entries", list);
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

static void site_rules(json_t *out, json_t *f)
{
    const char *policy = str(f, "policy");
    int floor = hub_rules_floor_days(policy);
    json_int_t ret = num(f, "retention_days"), reg = num(f, "registered_retention_days");
    if (!*str(f, "manager"))
        add(out, "manager_missing", "", "R-K2.2.2", "high", evidence(f, NULL),
            "the site names no manager");
    else if (listed(str(f, "operators"), str(f, "manager")))
        add(out, "operator_is_manager", str(f, "manager"), "R-N6.1", "high", evidence(f, NULL),
            "the manager %s is also listed as an operator", str(f, "manager"));
    if (floor < 0)
        add(out, "policy_unknown", "", "R-N4.1", "high", evidence(f, NULL),
            "the site runs under an unknown policy \"%s\"", policy);
    else if (ret < floor)
        add(out, "retention_below_floor", "", "R-K2.2.6b", "high", evidence(f, NULL),
            "footage is kept %lld days, below the %s floor of %d", (long long)ret, policy, floor);
    if (reg > 0 && ret > reg)
        add(out, "retention_above_registered", "", "R-K2.2.6b", "high", evidence(f, NULL),
            "footage is kept %lld days, longer than the registered %lld", (long long)ret,
            (long long)reg);
    if (is_kawaguchi(policy)) {
        if (!*str(f, "consensus_date"))
            add(out, "consensus_missing", "", "R-K2.1.3c", "medium", evidence(f, NULL),
                "no date of the local consensus is registered");
        if (!*str(f, "land_permission_ref"))
            add(out, "land_permission_missing", "", "R-K2.1.3c", "medium", evidence(f, NULL),
                "no land owner's permission is registered");
    }
}

static void uptime_rules(json_t *out, const char *id, json_t *cam, const hub_rules_input_t *in)
{
    json_t *days = json_object_get(cam, "uptime");
    if (!json_is_object(days) || json_object_size(days) < 2)
        return;
    char today[11];
    mm_jst_day(in->now_us, today);
    const char *first = NULL, *d;
    json_t *v;
    json_object_foreach(days, d, v)
    {
        if (!first || strcmp(d, first) < 0)
            first = d;
    }
    json_object_foreach(days, d, v)
    {
        /* The first day is the installation's; today is not over. */
        if (!strcmp(d, first) || strcmp(d, today) >= 0)
            continue;
        double share = (double)num(v, "recorded_us") / (double)DAY_US;
        if (share < in->uptime_min) {
            char key[96];
            snprintf(key, sizeof key, "%s/%s", id, d);
            json_t *ev = json_pack("{s:[I, I], s:s, s:s}", "entries", num(v, "first_index"),
                                   num(v, "last_index"), "camera", id, "day", d);
            add(out, "uptime_below_24h", key, "R-K2.2.6a", "medium", ev,
                "camera %s recorded %.1f h of %s (%lld gaps): cameras run 24 hours a day", id,
                share * 24, d, (long long)num(v, "gaps"));
        }
    }
}

static void camera_rules(json_t *out, const char *policy, const char *id, json_t *cam,
                         const hub_rules_input_t *in)
{
    json_t *facts = json_object_get(cam, "facts"), *cov = json_object_get(cam, "coverage");
    if (camera_is(cam, HUB_CAMERA_STATE_ABOLISHED)) {
        int64_t installed = date_us(str(facts, "install_date"));
        int64_t gone = num(cam, "state_time_us");
        if (installed && gone < installed + YEAR5_US) {
            json_t *ev = json_pack("{s:[I, I], s:s}", "entries", num(facts, "index"),
                                   num(cam, "state_index"), "camera", id);
            add(out, "camera_retired_early", id, "R-K2.1.3b", "medium", ev,
                "camera %s, installed %s, was abolished after %.1f years; cameras run 5 years", id,
                str(facts, "install_date"), (double)(gone - installed) / (365.25 * DAY_US));
        }
        return; /* an abolished camera is held to nothing else */
    }
    if (!cov) {
        add(out, "coverage_missing", id, "R-N5.3", "high", json_pack("{s:s}", "camera", id),
            "camera %s has no coverage map on record", id);
    } else if (is_kawaguchi(policy)) {
        int exception = *str(cov, "exception") != 0;
        json_int_t need = exception ? 500000 : 666667, share = num(cov, "share_ppm");
        if (share < need)
            add(out, "coverage_below_threshold", id, "R-K2.1.3a", "high", evidence(cov, NULL),
                "camera %s shows %.1f %% public space; %s", id, share / 1e4,
                exception ? "at least 1/2 is needed even with an exception"
                          : "at least 2/3 is needed (1/2 with a written exception)");
    }
    if (!facts)
        add(out, "camera_unregistered", id, "R-N5.1", "medium", json_pack("{s:s}", "camera", id),
            "camera %s records but its location and purpose are not on record", id);
    else if (!*str(facts, "signage_text") ||
             !json_is_true(json_object_get(facts, "signage_installer_shown")) ||
             !*str(facts, "signage_checked"))
        add(out, "signage_missing", id, "R-K2.2.1", "high", evidence(facts, NULL),
            "camera %s has no sign on record that shows it operates and who installed it", id);
    if (camera_is(cam, HUB_CAMERA_STATE_RECORDING))
        uptime_rules(out, id, cam, in);
}

json_t *hub_rules_evaluate(json_t *rec, const hub_rules_input_t *in)
{
    json_t *out = json_array();
    if (!out || !rec)
        return out;
    json_t *facts = json_object_get(rec, "facts");
    if (json_is_object(facts))
        site_rules(out, facts);
    const char *policy = json_is_object(facts) ? str(facts, "policy") : "";
    const char *id;
    json_t *cam;
    json_object_foreach(json_object_get(rec, "cameras"), id, cam)
        camera_rules(out, policy, id, cam, in);

    /* R-N6.3: whoever used emergency access reports to the manager without delay. */
    json_t *g;
    json_object_foreach(json_object_get(rec, "grants"), id, g)
    {
        if (json_is_integer(json_object_get(g, "report_index")) || num(g, "until_us") > in->now_us)
            continue;
        json_t *ev = json_pack("{s:[I], s:s}", "entries", num(g, "granted_index"), "grant", id);
        char ended[MM_RFC3339_MAX];
        mm_time_rfc3339(num(g, "until_us"), ended);
        add(out, "emergency_report_open", id, "R-N6.3", "medium", ev,
            "emergency grant %s to %s ended %s; no report of what was done is on record", id,
            str(g, "person"), ended);
    }
    /* R-N4.2: the standards the site runs under are filed; R-N-T: an existing installer files
     * within three months of the ordinance. */
    json_t *run = json_object_get(rec, "standards");
    json_int_t filed = 0;
    size_t fi;
    json_t *fl;
    json_array_foreach(json_object_get(rec, "filings"), fi, fl)
    {
        if (hub_filing_of_standards(fl) && num(fl, "version") > filed)
            filed = num(fl, "version");
    }
    if (run && num(run, "version") > filed &&
        in->now_us - num(run, "time_us") > in->filing_grace_us)
        add(out, "filing_overdue", "", "R-N4.2", "high", evidence(run, NULL),
            "the site runs under version %lld of its standards (%s) but has filed %s%lld",
            (long long)num(run, "version"), str(run, "summary"), filed ? "only version " : "",
            (long long)filed);
    if (in->transitional_us && !filed && in->now_us > in->transitional_us)
        add(out, "initial_filing_overdue", "", "R-N-T", "high", NULL,
            "an installer running cameras when the ordinance took effect files its standards "
            "within three months; nothing has been filed");

    /* R-N12, R-N10.1: what the city asked is answered by its deadline. */
    json_t *q;
    json_object_foreach(json_object_get(rec, "requests"), id, q)
    {
        json_int_t deadline = num(q, "deadline_us");
        const char *kind = str(q, "kind");
        mm_request_kind_t k = MM_REQUEST_KIND_COMPLAINT;
        int known = mm_request_kind_parse(kind, &k);
        /* A disclosure is not answered but decided, and at its deadline the site itself logs
         * it expired: its steps are the disclosure module's to follow, not a finding here. */
        if (!deadline || in->now_us <= deadline || json_object_get(q, "answer") ||
            json_is_true(json_object_get(q, "unknown_to_hub")) || !kind ||
            (known &&
             (k == MM_REQUEST_KIND_DISCLOSURE || k == MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED)))
            continue;
        json_t *ev = json_pack("{s:s}", "request", id);
        if (json_is_integer(json_object_get(q, "delivered_index")))
            json_object_set_new(ev, "entries",
                                json_pack("[O]", json_object_get(q, "delivered_index")));
        add(out, "request_overdue", id,
            known && k == MM_REQUEST_KIND_REPORT_REQUEST ? "R-N10.1" : "R-N12", "medium", ev,
            "%s %s was not answered by its deadline%s", kind, id,
            json_object_get(q, "delivered_index") ? "" : " (the site never received it)");
    }
    if (in->last_checkpoint_us && in->silent_after_us > 0 &&
        in->now_us - in->last_checkpoint_us > in->silent_after_us)
        add(out, "site_silent", "", "R-K2.2.6a", "high", NULL,
            "no verified checkpoint for %lld minutes",
            (long long)((in->now_us - in->last_checkpoint_us) / 60000000));
    return out;
}
