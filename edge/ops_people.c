/*
 * ops_people.c: who may do what (ops_impl.h) — the access state kept in the store, the site's
 * people with their roles (`operators`), and the manager designating or revoking operators
 * (R-N6.1, R-N7.2).
 *
 * The access state (designations and emergency grants, access.h) is one JSON value in edge.meta,
 * "access", written in the transaction of the entry that changed it, so that the state and the
 * log never disagree; a change that cannot be stored is undone in memory too. The operators in
 * force are part of the site's facts and of the standards document: a designation or revocation
 * logs both anew.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/ops_impl.h"

mm_err_t edge_ops_access_save(edge_ops_t *ops, mm_entry_t *e)
{
    json_t *j = edge_access_to_json(&ops->access);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (!s)
        return MM_ENOMEM;
    mm_err_t err = edge_ops_append(ops, e, "access", s, strlen(s));
    free(s);
    return err;
}

mm_err_t edge_ops_access_load(edge_ops_t *ops)
{
    size_t len = 0, cap = 1 << 20;
    char *buf = malloc(cap);
    if (!buf)
        return MM_ENOMEM;
    mm_err_t err = edge_store_meta_get(ops->store, "access", buf, cap, &len);
    if (err == MM_ENOTFOUND) {
        free(buf);
        memset(&ops->access, 0, sizeof ops->access);
        return MM_OK;
    }
    if (err == MM_OK) {
        json_error_t je;
        json_t *j = json_loadb(buf, len, 0, &je);
        char msg[MM_TEXT_MAX];
        err = j ? edge_access_from_json(j, &ops->access, msg, sizeof msg) : MM_ECORRUPT;
        if (err != MM_OK)
            MM_ERROR("the store's access state is damaged (%s); refusing to guess who may do "
                     "what",
                     j ? msg : je.text);
        json_decref(j);
    }
    free(buf);
    return err;
}

void edge_ops_do_operators(edge_ops_call_t *c)
{
    const edge_governance_t *g = &c->ops->cfg->gov;
    json_t *list = json_array();
    for (size_t i = 0; i < g->n_people; i++) {
        const char *role = (int)i == g->manager                                  ? "manager"
                           : edge_access_is_operator(&c->ops->access, g, (int)i) ? "operator"
                                                                                 : "none";
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "id", g->people[i].id, "name",
                                              g->people[i].name, "account", g->people[i].account,
                                              "role", role));
    }
    edge_ops_answer(c, json_pack("{s:o}", "people", list), NULL);
}

static int person_index(const edge_governance_t *g, const char *id)
{
    for (size_t i = 0; i < g->n_people; i++)
        if (strcmp(g->people[i].id, id) == 0)
            return (int)i;
    return -1;
}

void edge_ops_role_entry(mm_entry_t *e, mm_role_change_t change, const char *person, const char *by,
                         const char *reason)
{
    memset(e, 0, sizeof *e);
    e->time_us = mm_now_us();
    e->kind = MM_ENTRY_ROLE_CHANGED;
    mm_role_changed_t *rc = &e->u.role_changed;
    rc->change = change;
    snprintf(rc->person, sizeof rc->person, "%s", person);
    snprintf(rc->by, sizeof rc->by, "%s", by);
    snprintf(rc->reason, sizeof rc->reason, "%s", reason ? reason : "");
}

void edge_ops_do_designation(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    int designate = c->r->action == EDGE_ACT_OPERATOR_DESIGNATE;
    const edge_governance_t *g = &ops->cfg->gov;
    int p = person_index(g, c->r->person);
    if (p < 0) {
        edge_ops_refuse(c, "not_found", "%s is none of the site's people", c->r->person);
        return;
    }
    edge_access_t saved = ops->access;
    char msg[MM_TEXT_MAX];
    int64_t now = mm_now_us();
    mm_err_t err = designate
                       ? edge_access_designate(&ops->access, g, p, c->person, now, msg, sizeof msg)
                       : edge_access_revoke(&ops->access, g, p, c->person, now, msg, sizeof msg);
    if (err != MM_OK) {
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", msg);
        return;
    }
    mm_entry_t e;
    edge_ops_role_entry(
        &e, designate ? MM_ROLE_CHANGE_OPERATOR_DESIGNATED : MM_ROLE_CHANGE_OPERATOR_REVOKED,
        c->r->person, c->person, c->r->reason);
    if (edge_ops_access_save(ops, &e) != MM_OK) {
        ops->access = saved;
        edge_ops_refuse(c, "internal", "the change could not be stored; nothing changed");
        return;
    }
    edge_ops_answer(
        c, json_pack("{s:s, s:s}", "person", c->r->person, "role", designate ? "operator" : "none"),
        NULL);
    edge_ops_playback_recheck(ops); /* a revoked operator's playback ends now (R-N7.2) */
    /* The city's registry lists the operators in force. Logged on failure, as below. */
    edge_ops_facts_update(ops);
    /* The operators are part of the standards (R-K2.2.7 ウ): a new version, filed. */
    char summary[MM_TEXT_MAX];
    snprintf(summary, sizeof summary, "operator %s %s by %s", c->r->person,
             designate ? "designated" : "revoked", c->person);
    if (edge_ops_standards_update(ops, summary) != MM_OK)
        MM_ERROR("standards: cannot record the new version after %s", summary);
}

void edge_ops_reloaded(edge_ops_t *ops, const edge_governance_t *old)
{
    const edge_governance_t *g = &ops->cfg->gov;
    for (size_t i = 0; i < old->n_people; i++)
        if (edge_governance_person(g, old->people[i].id) < 0 && ops->account_changed)
            ops->account_changed(ops->account_arg, old->people[i].id);
    edge_ops_playback_recheck(ops);
    /* The city's registry names the manager and operators; the standards name the people. */
    edge_ops_facts_update(ops);
    if (edge_ops_standards_update(ops, "people and roles reloaded from the configuration") !=
        MM_OK)
        MM_ERROR("standards: cannot record the new version after the reload");
}
