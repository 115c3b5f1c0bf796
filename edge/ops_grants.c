/*
 * ops_grants.c: emergency grants (ops_impl.h) — the manager grants someone the right to look at
 * named cameras for a while (R-N6.2), revokes it, and everyone concerned lists them; the holder
 * files a report of what was done (R-N6.3), and a grant whose report is not filed stays open.
 *
 * Each change is a role_changed or emergency_report entry written with the access state
 * (ops_people.c) in one transaction.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "edge/ops_impl.h"

int edge_ops_open_reports(const edge_ops_t *ops)
{
    int n = 0;
    for (size_t i = 0; i < ops->access.n_grants; i++) {
        const edge_grant_t *gr = &ops->access.grants[i];
        n += !gr->revoked && gr->reported_us == 0;
    }
    return n;
}

static json_t *grant_json(const edge_grant_t *gr, int64_t now)
{
    char actions[MM_TEXT_MAX];
    edge_actions_format(gr->actions, actions, sizeof actions);
    const char *state = edge_grant_active(gr, now) ? "active"
                        : gr->revoked              ? "revoked"
                        : gr->reported_us          ? "reported"
                                                   : "ended";
    const char *report = gr->revoked ? "not_required" : gr->reported_us ? "filed" : "open";
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I}", "id", gr->id,
                     "person", gr->person, "by", gr->by, "actions", actions, "cameras", gr->cameras,
                     "reason", gr->reason, "state", state, "granted_us", (json_int_t)gr->granted_us,
                     "until_us", (json_int_t)gr->until_us, "report", report, "reported_us",
                     (json_int_t)gr->reported_us);
}

void edge_ops_do_grant(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    const char *cams = c->r->cameras;
    /* Every camera a grant names is one of the site's. */
    char list[MM_TEXT_MAX];
    snprintf(list, sizeof list, "%s", cams);
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (edge_ops_camera_index(ops, t) < 0) {
            edge_ops_refuse(c, "not_found", "the site has no camera %s", t);
            return;
        }
    edge_access_t saved = ops->access;
    const edge_grant_t *gr;
    char msg[MM_TEXT_MAX];
    int64_t now = mm_now_us();
    mm_err_t err =
        edge_access_grant(&ops->access, &ops->cfg->gov, c->r->person, c->person, c->r->actions,
                          cams, c->r->minutes, c->r->reason, now, &gr, msg, sizeof msg);
    if (err != MM_OK) {
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", msg);
        return;
    }
    mm_entry_t e;
    edge_ops_role_entry(&e, MM_ROLE_CHANGE_EMERGENCY_GRANTED, gr->person, c->person, c->r->reason);
    mm_role_changed_t *rc = &e.u.role_changed;
    snprintf(rc->grant_id, sizeof rc->grant_id, "%s", gr->id);
    edge_actions_format(gr->actions, rc->actions, sizeof rc->actions);
    snprintf(rc->cameras, sizeof rc->cameras, "%s", gr->cameras);
    rc->until_us = gr->until_us;
    json_t *res = grant_json(gr, now);
    if (edge_ops_access_save(ops, &e) != MM_OK) {
        ops->access = saved;
        json_decref(res);
        edge_ops_refuse(c, "internal", "the grant could not be stored; nothing changed");
        return;
    }
    edge_ops_answer(c, res, NULL);
}

void edge_ops_do_grant_revoke(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    edge_access_t saved = ops->access;
    const edge_grant_t *gr;
    char msg[MM_TEXT_MAX];
    int64_t now = mm_now_us();
    mm_err_t err =
        edge_access_grant_revoke(&ops->access, c->r->grant_id, now, &gr, msg, sizeof msg);
    if (err != MM_OK) {
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", msg);
        return;
    }
    mm_entry_t e;
    edge_ops_role_entry(&e, MM_ROLE_CHANGE_EMERGENCY_REVOKED, gr->person, c->person, c->r->reason);
    snprintf(e.u.role_changed.grant_id, sizeof e.u.role_changed.grant_id, "%s", gr->id);
    e.u.role_changed.until_us = gr->until_us;
    json_t *res = grant_json(gr, now);
    if (edge_ops_access_save(ops, &e) != MM_OK) {
        ops->access = saved;
        json_decref(res);
        edge_ops_refuse(c, "internal", "the change could not be stored; nothing changed");
        return;
    }
    edge_ops_answer(c, res, NULL);
    char why[MM_TEXT_MAX];
    snprintf(why, sizeof why, "emergency grant %s of %s was revoked by %s (R-N6.2)", gr->id,
             gr->person, c->person);
    edge_ops_playback_end_grant(ops, gr->id, why); /* its playbacks end now */
}

void edge_ops_do_grant_list(edge_ops_call_t *c)
{
    json_t *list = json_array();
    int64_t now = mm_now_us();
    /* The manager and operators see every grant; a holder sees their own. */
    int own = c->d.role != MM_ROLE_MANAGER && c->d.role != MM_ROLE_OPERATOR;
    const char *holder = c->d.grant >= 0 ? c->ops->access.grants[c->d.grant].person : "";
    for (size_t i = 0; i < c->ops->access.n_grants; i++) {
        const edge_grant_t *gr = &c->ops->access.grants[i];
        if (!own || strcmp(gr->person, holder) == 0)
            json_array_append_new(list, grant_json(gr, now));
    }
    edge_ops_answer(
        c, json_pack("{s:o, s:i}", "grants", list, "open_reports", edge_ops_open_reports(c->ops)),
        NULL);
}

void edge_ops_do_grant_report(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    edge_access_t saved = ops->access;
    const edge_grant_t *gr;
    char msg[MM_TEXT_MAX];
    int64_t now = mm_now_us();
    mm_err_t err = edge_access_report(&ops->access, &ops->cfg->gov, &c->who, c->r->grant_id, now,
                                      &gr, msg, sizeof msg);
    if (err != MM_OK) {
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", msg);
        return;
    }
    mm_entry_t e = {.time_us = now, .kind = MM_ENTRY_EMERGENCY_REPORT};
    snprintf(e.u.emergency_report.grant_id, sizeof e.u.emergency_report.grant_id, "%s", gr->id);
    snprintf(e.u.emergency_report.person, sizeof e.u.emergency_report.person, "%s", gr->person);
    snprintf(e.u.emergency_report.text, sizeof e.u.emergency_report.text, "%s", c->r->text);
    json_t *res = grant_json(gr, now);
    if (edge_ops_access_save(ops, &e) != MM_OK) {
        ops->access = saved;
        json_decref(res);
        edge_ops_refuse(c, "internal", "the report could not be stored; nothing changed");
        return;
    }
    edge_ops_answer(c, res, NULL);
    edge_ops_playback_recheck(c->ops); /* the report ends the grant, and its playbacks */
}
