/*
 * ops.c: the life of ops (see ops.h and ops_impl.h) — restoring what people decided before a
 * stop, bringing the site's facts and the standards document up to date, the site overview that
 * `status` answers, and the end of it all; the other jobs are in the ops_*.c files.
 *
 * Creation restores before it logs: the access state and the cameras' states come from the store
 * first, because the facts and the standards document both name the operators in force and the
 * cameras' states. A damaged stored state stops the edge rather than be guessed at.
 */
#include <jansson.h>
#include <stdlib.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/policy.h"
#include "edge/alerts.h"
#include "edge/facts.h"
#include "edge/ops_impl.h"
#include "edge/requests.h"

#define REFUSALS_CHECK_MS 2000 /* how often the counted refusals are looked at */

static void on_refusals_timer(uv_timer_t *t)
{
    edge_ops_log_refusals(t->data, 0);
}

mm_err_t edge_ops_create(const edge_ops_conf_t *conf, edge_ops_t **out)
{
    edge_ops_t *ops = calloc(1, sizeof *ops);
    if (!ops)
        return MM_ENOMEM;
    ops->loop = conf->loop;
    ops->config_path = conf->config_path;
    ops->documents_dir = conf->documents_dir;
    ops->cfg = conf->cfg;
    ops->store = conf->store;
    ops->vault = conf->vault;
    ops->disclosure = conf->disclosure;
    ops->site_key = conf->site_key;
    ops->logged = conf->logged;
    ops->arg = conf->arg;
    if (conf->city_rule)
        ops->city_rule = *conf->city_rule;
    mm_err_t err = edge_accounts_open(ops->store, &ops->accounts);
    if (err == MM_OK)
        err = edge_ops_access_load(ops);
    if (err == MM_OK)
        err = edge_ops_cameras_load(ops);
    if (err == MM_OK)
        err = edge_ops_facts_update(ops);
    if (err == MM_OK)
        err = edge_ops_standards_update(ops, "configuration changed");
    if (err == MM_OK)
        err = edge_ops_playback_init(ops);
    if (err != MM_OK) {
        edge_accounts_close(ops->accounts);
        free(ops);
        return err;
    }
    for (size_t i = 0; i < ops->cfg->n_cameras; i++)
        if (ops->cam_state[i] != EDGE_CAM_RECORDING)
            MM_INFO("%s: %s; not recording", ops->cfg->cameras[i].id,
                    edge_cam_state_name(ops->cam_state[i]));
    uv_timer_init(ops->loop, &ops->refusals_timer);
    ops->refusals_timer.data = ops;
    uv_timer_start(&ops->refusals_timer, on_refusals_timer, REFUSALS_CHECK_MS, REFUSALS_CHECK_MS);
    uv_unref((uv_handle_t *)&ops->refusals_timer);
    int open = edge_ops_open_reports(ops);
    if (open)
        MM_WARN("%d emergency report(s) not yet filed (R-N6.3)", open);
    edge_ops_city_at_start(ops);
    *out = ops;
    return MM_OK;
}

void edge_ops_set_ingest(edge_ops_t *ops, edge_ingest_t *ingest)
{
    ops->ingest = ingest;
}

static void on_closed(uv_handle_t *h)
{
    edge_ops_t *ops = h->data;
    edge_accounts_close(ops->accounts);
    free(ops);
}

static void on_refusals_closed(uv_handle_t *h)
{
    edge_ops_t *ops = h->data;
    edge_ops_playback_close(ops, on_closed);
}

void edge_ops_close(edge_ops_t *ops)
{
    if (!ops)
        return;
    edge_ops_log_refusals(ops, 1); /* what was counted is logged before the edge stops */
    uv_close((uv_handle_t *)&ops->refusals_timer, on_refusals_closed);
}

/* --- what the other files share ------------------------------------------------------------*/

mm_err_t edge_ops_append(edge_ops_t *ops, mm_entry_t *e, const char *meta, const void *val,
                         size_t len)
{
    uint64_t index;
    mm_err_t err = meta ? edge_store_append_meta(ops->store, e, meta, val, len, &index)
                        : edge_store_append(ops->store, e, &index);
    if (err != MM_OK)
        MM_ERROR("cannot log a %s entry: %s", mm_entry_kind_name(e->kind), mm_strerror(err));
    else if (ops->logged)
        ops->logged(ops->arg);
    return err;
}

/*
 * Logs site_facts and camera_facts where they differ from the last logged (facts.h), with the
 * operators in force now: the city's registry names them (R-N6.1).
 */
mm_err_t edge_ops_facts_update(edge_ops_t *ops)
{
    int is_op[EDGE_MAX_PEOPLE] = {0};
    for (size_t i = 0; i < ops->cfg->gov.n_people; i++)
        is_op[i] = edge_access_is_operator(&ops->access, &ops->cfg->gov, (int)i);
    int logged = 0;
    mm_err_t err =
        edge_facts_log(ops->store, ops->cfg, is_op, &ops->city_rule, mm_now_us(), &logged);
    if (err != MM_OK)
        MM_ERROR("cannot log the site's facts: %s", mm_strerror(err));
    if (logged && ops->logged)
        ops->logged(ops->arg);
    return err;
}

/*
 * The city's latest decision on the standards (R-N4.2) into res as "filing_decision" (null when
 * there is none): a returned version stays the site's concern ("superseded": false) until a
 * higher version is filed; accepted is accepted.
 */
static void status_filing(const edge_ops_t *ops, json_t *res)
{
    json_t *d = NULL;
    if (edge_requests_filing_decision(ops->store, &d) != MM_OK)
        return;
    if (d) {
        json_int_t version = json_integer_value(json_object_get(d, "version"));
        json_object_set_new(d, "superseded",
                            json_boolean((json_int_t)ops->standards_filed > version));
    }
    json_object_set_new(res, "filing_decision", d ? d : json_null());
}

/* The site and its zone (anyone may ask, access.c): what a command needs to read a typed time. */
void edge_ops_do_timezone(edge_ops_call_t *c)
{
    edge_ops_answer(
        c, json_pack("{s:s, s:s}", "site", c->ops->cfg->site, "timezone", c->ops->cfg->timezone),
        NULL);
}

/* How the site files its standards: "automatic", "manual", or "none" when its policy has it file
 * nothing (the city's own cameras, common/policy.h). */
static const char *filing_name(const edge_ops_t *ops)
{
    if (mm_policy_filing(ops->cfg->policy) == MM_FILING_NONE)
        return "none";
    return ops->cfg->filing_manual ? "manual" : "automatic";
}

void edge_ops_do_status(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    int counts[3] = {0};
    for (size_t i = 0; i < ops->cfg->n_cameras; i++)
        counts[ops->cam_state[i]]++;
    uint64_t size = 0, acked = 0;
    edge_store_size(ops->store, &size);
    edge_store_acked(ops->store, &acked);
    const edge_city_rule_t *rule = &ops->city_rule;
    json_t *res = json_pack(
        "{s:s, s:s, s:s, s:i, s:i, s:i, s:{s:s, s:s, s:s}, s:{s:i, s:i, s:i}, s:{s:I, s:I}, "
        "s:i, s:{s:i, s:s, s:i, s:s}, s:I}",
        "site", ops->cfg->site, "installer", ops->cfg->gov.installer_name, "policy",
        mm_policy_name(ops->cfg->policy), "retention_days", ops->cfg->retention_days, "floor_days",
        edge_city_rule_floor(ops->cfg->policy, rule, 0), "registered_retention_days",
        ops->cfg->registered_retention_days, "you", "person", c->person, "account", c->who.account,
        "role", mm_role_name(c->d.role), "cameras", "recording", counts[0], "suspended", counts[1],
        "abolished", counts[2], "log", "entries", (json_int_t)size, "acknowledged_by_hub",
        (json_int_t)acked, "open_emergency_reports", edge_ops_open_reports(ops), "standards",
        "version", (int)ops->standards_version, "date", ops->standards_date, "filed",
        (int)ops->standards_filed, "filing", filing_name(ops), "time_us", (json_int_t)mm_now_us());
    /* The city's rule for the retention period, where the policy leaves it to the city: null
     * while none has been received (cityrule.h). */
    if (res && mm_policy_city_rule(ops->cfg->policy))
        json_object_set_new(res, "city_rule",
                            rule->has
                                ? json_pack("{s:s, s:s, s:i, s:i, s:I}", "notice", rule->id, "rule",
                                            rule->rule, "retention_days_min", (int)rule->min_days,
                                            "retention_days_max", (int)rule->max_days, "time_us",
                                            (json_int_t)rule->time_us)
                                : json_null());
    if (res)
        json_object_set_new(res, "timezone", json_string(ops->cfg->timezone));
    /* What the city asked and the site has not answered yet (R-N10.1, R-N12), and what it told
     * the site that nobody has acknowledged yet. */
    json_t *reqs = NULL;
    if (res && edge_requests_list(ops->store, mm_now_us(), &reqs) == MM_OK)
        json_object_set(res, "open_city_requests", json_object_get(reqs, "open"));
    json_decref(reqs);
    char msg[MM_TEXT_MAX];
    if (res && edge_requests_notices(ops->store, NULL, 0, &reqs, msg, sizeof msg) == MM_OK)
        json_object_set(res, "open_notices", json_object_get(reqs, "open"));
    json_decref(reqs);
    if (res)
        status_filing(ops, res);
    /* Disclosure requests waiting for the manager: to decide, or to approve again. */
    size_t waiting = 0;
    if (res && ops->disclosure && edge_disclosure_waiting(ops->disclosure, &waiting) == MM_OK)
        json_object_set_new(res, "disclosures_waiting", json_integer((json_int_t)waiting));
    /* How many alerts stand now (alerts.h; `alerts` lists them). */
    if (res && ops->alerts)
        json_object_set_new(res, "alerts",
                            json_integer((json_int_t)edge_alerts_count(ops->alerts)));
    /* Where the site console is, and its certificate's fingerprint for a manager to check. */
    if (res && ops->console_url[0])
        json_object_set_new(res, "console",
                            json_pack("{s:s, s:s}", "url", ops->console_url, "fingerprint",
                                      ops->console_fingerprint));
    edge_ops_answer(c, res, NULL);
}
