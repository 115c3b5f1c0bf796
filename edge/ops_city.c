/*
 * ops_city.c: what the city asks and tells (ops_impl.h, requests.h, disclosure.h) — the requests
 * that come with the hub's acknowledgements, each logged once as `city_request`; complaints,
 * measures and report requests answered by the manager (`requests`, `request_answer`; a report
 * request's answer carries a report signed by the site key, report.h); the city's notices
 * listed and acknowledged by the manager or an operator (`notices`, `notice_ack`); disclosure
 * requests handed on to the disclosure module once logged, and the steps people take on them
 * (`disclosures`, `disclosure_prepare`, `_approve`, `_deny`, `_release`).
 *
 * A report says what the site is now: as configured, with the cameras' states and the operators
 * in force. A failure to log is logged and finished later (the hub sends the request again, the
 * disclosure module's sweep); it never keeps the edge from recording.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/ops_impl.h"
#include "edge/requests.h"

/* What a report says of the site now: as configured, with the cameras' states and the
 * operators in force. */
typedef struct {
    edge_report_site_t site;
    edge_report_camera_t cams[EDGE_MAX_CAMERAS];
    const char *operators[EDGE_MAX_PEOPLE];
} report_site_t;

static void report_site(const edge_ops_t *ops, report_site_t *rs)
{
    const edge_config_t *cfg = ops->cfg;
    const edge_governance_t *g = &cfg->gov;
    size_t n_ops = 0;
    for (size_t i = 0; i < cfg->n_cameras; i++)
        rs->cams[i] =
            (edge_report_camera_t){cfg->cameras[i].id, edge_cam_state_name(ops->cam_state[i]),
                                   cfg->cameras[i].gov.location};
    for (size_t i = 0; i < g->n_people; i++)
        if (edge_access_is_operator(&ops->access, g, (int)i))
            rs->operators[n_ops++] = g->people[i].id;
    rs->site = (edge_report_site_t){
        .site = cfg->site,
        .policy = mm_policy_name(cfg->policy),
        .retention_days = cfg->retention_days,
        .registered_retention_days = cfg->registered_retention_days,
        .cameras = rs->cams,
        .n_cameras = cfg->n_cameras,
        .manager = g->manager >= 0 ? g->people[g->manager].id : "",
        .operators = rs->operators,
        .n_operators = n_ops,
    };
}

/* Says in the diagnostic log what a notice that just arrived means for the site. */
static void tell_of_decision(const edge_ops_t *ops, const mm_city_request_t *q)
{
    if (q->kind != MM_REQUEST_KIND_FILING_DECISION)
        return;
    json_t *d = json_loads(q->detail, JSON_REJECT_DUPLICATES, NULL);
    const char *decision = json_string_value(json_object_get(d, "decision"));
    json_int_t version = json_integer_value(json_object_get(d, "version"));
    if (decision && !strcmp(decision, "returned") && version >= (json_int_t)ops->standards_filed)
        MM_WARN("the city returned version %" JSON_INTEGER_FORMAT " of the standards (R-N4.2): "
                "%s; file a corrected version",
                version, q->text);
    json_decref(d);
}

const edge_city_rule_t *edge_ops_city_rule(const edge_ops_t *ops)
{
    return &ops->city_rule;
}

/* A city's rule that arrived among the requests (now logged): the rule in force read again
 * (cityrule.h); when it changed, the facts and the standards take it up, and a configuration
 * outside it is named (R-N7.5). A notice whose signature fails is logged and said here. */
static void take_city_rule(edge_ops_t *ops, const mm_city_request_t *r, size_t n)
{
    const edge_config_t *cfg = ops->cfg;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].kind != MM_REQUEST_KIND_CITY_RULE)
            continue;
        any = 1;
        edge_city_rule_t one;
        char why[MM_TEXT_MAX];
        if (edge_city_rule_of(&r[i], cfg->site, cfg->hub_verifier.pub, &one, why, sizeof why) != 0)
            MM_ERROR("the city's rule %s is not taken up: %s", r[i].id, why);
    }
    edge_city_rule_t now;
    if (!any || edge_city_rule_load(ops->store, cfg->site, cfg->hub_verifier.pub, cfg->policy,
                                    &now) != MM_OK)
        return;
    if (!now.has || (ops->city_rule.has && !strcmp(now.id, ops->city_rule.id)))
        return;
    ops->city_rule = now;
    char range[64];
    edge_city_rule_range(&now, range, sizeof range);
    MM_INFO("the city's rule for the retention period (%s policy): %s sets %s (notice %s)",
            mm_policy_name(now.policy), now.rule, range, now.id);
    const char *key = NULL;
    char why[MM_LONG_TEXT_MAX];
    if (edge_city_rule_check(&now, cfg->retention_days, cfg->registered_retention_days, &key, why,
                             sizeof why) != 0)
        MM_ERROR("%s: %s: %s; this configuration will be refused at the next start: change it to "
                 "lie within the city's rule",
                 ops->config_path ? ops->config_path : "the configuration", key, why);
    edge_ops_facts_update(ops);
    edge_ops_standards_update(ops, "the city's rule for the retention period received");
}

void edge_ops_city_requests(void *arg, const mm_city_request_t *r, size_t n)
{
    edge_ops_t *ops = arg;
    size_t logged = 0;
    mm_err_t err = edge_requests_receive(ops->store, r, n, mm_now_us(), &logged);
    if (err != MM_OK)
        MM_ERROR("city requests: not all could be logged: %s", mm_strerror(err));
    if (logged && ops->logged)
        ops->logged(ops->arg);
    if (logged)
        for (size_t i = 0; i < n; i++)
            tell_of_decision(ops, &r[i]);
    if (logged)
        take_city_rule(ops, r, n);
    /* Disclosures go on once their city_request entry is logged, as logged; each is handled
     * once however often it comes, and what fails here is finished by the module's sweep. */
    mm_city_request_t *q = NULL;
    for (size_t i = 0; i < n && ops->disclosure; i++) {
        if (r[i].kind != MM_REQUEST_KIND_DISCLOSURE &&
            r[i].kind != MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED)
            continue;
        if (!q && !(q = malloc(sizeof *q)))
            break;
        if (edge_requests_get(ops->store, r[i].id, q) == MM_OK)
            edge_disclosure_receive(ops->disclosure, q, mm_now_us());
    }
    free(q);
}

/* Says what waits for the manager and for anyone who acknowledges notices. */
void edge_ops_city_at_start(edge_ops_t *ops)
{
    json_t *list = NULL, *notices = NULL;
    if (edge_requests_list(ops->store, mm_now_us(), &list) == MM_OK) {
        json_int_t open = json_integer_value(json_object_get(list, "open"));
        if (open)
            MM_WARN("%" JSON_INTEGER_FORMAT " city request(s) not yet answered (R-N10.1, "
                    "R-N12): mimamori-edge requests",
                    open);
    }
    char msg[MM_TEXT_MAX];
    if (edge_requests_notices(ops->store, NULL, 0, &notices, msg, sizeof msg) == MM_OK) {
        json_int_t open = json_integer_value(json_object_get(notices, "open"));
        if (open)
            MM_WARN("%" JSON_INTEGER_FORMAT " notice(s) from the city not yet acknowledged: "
                    "mimamori-edge notices",
                    open);
    }
    json_decref(list);
    json_decref(notices);
}

void edge_ops_do_requests(edge_ops_call_t *c)
{
    json_t *res = NULL;
    mm_err_t err = edge_requests_list(c->ops->store, mm_now_us(), &res);
    if (err != MM_OK) {
        edge_ops_refuse(c, "internal", "the city's requests cannot be read: %s", mm_strerror(err));
        return;
    }
    edge_ops_answer(c, res, NULL);
}

void edge_ops_do_request_answer(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    char msg[MM_TEXT_MAX];
    json_t *res = NULL;
    report_site_t rs;
    report_site(ops, &rs);
    mm_err_t err =
        edge_requests_answer(ops->store, c->r->request_id, c->person, c->r->text, &rs.site,
                             ops->site_key, mm_now_us(), &res, msg, sizeof msg);
    if (err != MM_OK) {
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", msg);
        return;
    }
    if (ops->logged)
        ops->logged(ops->arg);
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "city request %s answered", c->r->request_id);
    edge_ops_answer(c, res, note);
}

/* --- the city's notices ---------------------------------------------------------------------*/

/* The open notices (all with "all"), or the one named. */
void edge_ops_do_notices(edge_ops_call_t *c)
{
    char msg[MM_TEXT_MAX];
    json_t *res = NULL;
    const char *id = c->r->request_id[0] ? c->r->request_id : NULL;
    mm_err_t err = edge_requests_notices(c->ops->store, id, c->r->all, &res, msg, sizeof msg);
    if (err != MM_OK) {
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", msg);
        return;
    }
    edge_ops_answer(c, res, NULL);
}

/* The manager or an operator acknowledges a notice: request_answered, by them. */
void edge_ops_do_notice_ack(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    char msg[MM_TEXT_MAX];
    json_t *res = NULL;
    mm_err_t err = edge_requests_ack(ops->store, c->r->request_id, c->person, c->r->text,
                                     mm_now_us(), &res, msg, sizeof msg);
    if (err != MM_OK) {
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", msg);
        return;
    }
    if (ops->logged)
        ops->logged(ops->arg);
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "notice %s acknowledged", c->r->request_id);
    edge_ops_answer(c, res, note);
}

/* --- disclosure requests --------------------------------------------------------------------*/

static int disclosures_ready(edge_ops_call_t *c)
{
    if (c->ops->disclosure)
        return 1;
    edge_ops_refuse(c, "internal", "this edge takes no disclosure requests (not started)");
    return 0;
}

void edge_ops_do_disclosures(edge_ops_call_t *c)
{
    json_t *res = NULL;
    if (!disclosures_ready(c))
        return;
    mm_err_t err = edge_disclosure_list(c->ops->disclosure, &res);
    if (err != MM_OK) {
        edge_ops_refuse(c, "internal", "the disclosure requests cannot be read: %s",
                        mm_strerror(err));
        return;
    }
    edge_ops_answer(c, res, NULL);
}

/* prepare, approve, deny or release; the note in the access entry names the request and the
 * step. */
void edge_ops_do_disclosure_step(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    const edge_request_t *r = c->r;
    if (!disclosures_ready(c))
        return;
    char msg[MM_TEXT_MAX];
    json_t *res = NULL;
    mm_err_t err;
    const char *step;
    int64_t now = mm_now_us();
    if (r->action == EDGE_ACT_DISCLOSURE_PREPARE) {
        char list[sizeof r->cameras];
        const char *cams[MM_REQUEST_CAMERAS_MAX + 1];
        size_t n = 0;
        snprintf(list, sizeof list, "%s", r->cameras);
        for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            if (n == MM_REQUEST_CAMERAS_MAX) {
                edge_ops_refuse(c, "invalid", "a request names at most %d cameras",
                                MM_REQUEST_CAMERAS_MAX);
                return;
            }
            cams[n++] = t;
        }
        step = "prepared";
        err = edge_disclosure_prepare(ops->disclosure, r->request_id, c->person, cams, n,
                                      r->from_us, r->to_us, r->text, now, &res, msg, sizeof msg);
    } else if (r->action == EDGE_ACT_DISCLOSURE_APPROVE) {
        const char *keep[EDGE_KEEP_MAX];
        for (size_t i = 0; i < r->n_keep; i++)
            keep[i] = r->keep[i];
        step = "approved";
        err = edge_disclosure_approve(ops->disclosure, r->request_id, c->person, r->reason, keep,
                                      r->n_keep, now, &res, msg, sizeof msg);
    } else if (r->action == EDGE_ACT_DISCLOSURE_DENY) {
        step = "denied";
        err = edge_disclosure_deny(ops->disclosure, r->request_id, c->person, r->reason, now, &res,
                                   msg, sizeof msg);
    } else {
        step = "released";
        err = edge_disclosure_release(ops->disclosure, r->request_id, c->person, r->reason, now,
                                      &res, msg, sizeof msg);
    }
    if (err != MM_OK) {
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", msg);
        return;
    }
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "disclosure %s %s", r->request_id, step);
    edge_ops_answer(c, res, note);
}
