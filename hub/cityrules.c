/*
 * cityrules.c: the city's rules for the retention period, sent signed to the sites of their
 * policy (see cityrules.h).
 */
#include "hub/cityrules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/policy.h"
#include "common/wire.h"
#include "hub/notices.h"

const hub_city_rule_conf_t *hub_city_rule_of(const hub_site_record_t *rec, const hub_config_t *cfg)
{
    if (!rec || !rec->has_facts || !mm_policy_city_rule(rec->facts.policy))
        return NULL;
    const hub_city_rule_conf_t *c = &cfg->city_rules[rec->facts.policy];
    return c->set ? c : NULL;
}

/* "policy/<p>" into out. */
static void subject_of(mm_policy_t p, char out[MM_ID_MAX])
{
    snprintf(out, MM_ID_MAX, "policy/%s", mm_policy_name(p));
}

const hub_request_t *hub_city_rule_latest(const hub_site_record_t *rec, mm_policy_t p)
{
    char subject[MM_ID_MAX];
    subject_of(p, subject);
    const hub_request_t *latest = NULL;
    for (size_t i = 0; rec && i < rec->n_requests; i++) {
        const hub_request_t *q = &rec->requests[i];
        if (q->kind == MM_REQUEST_KIND_CITY_RULE && !q->unknown_to_hub &&
            !strcmp(q->subject, subject))
            latest = q; /* requests are kept in the order the city made them */
    }
    return latest;
}

int hub_city_rule_due(const hub_site_record_t *rec, const hub_config_t *cfg)
{
    const hub_city_rule_conf_t *c = hub_city_rule_of(rec, cfg);
    if (!c)
        return 0;
    const hub_request_t *q = hub_city_rule_latest(rec, rec->facts.policy);
    return !q || q->retention_days_min != c->min_days || q->retention_days_max != c->max_days ||
           strcmp(q->text, c->rule) != 0;
}

/* What the transaction needs and gives back. */
typedef struct {
    hub_registry_t *r;
    hub_audit_t *audit;
    const hub_config_t *cfg;
    const mm_keypair_t *keys;
    const char *site;
    int64_t now_us;
    mm_policy_t policy;
    char notice[MM_ID_MAX];
} send_t;

/* The particulars of rule c for policy p. */
static json_t *detail_of(mm_policy_t p, const hub_city_rule_conf_t *c)
{
    const mm_policy_rules_t *r = mm_policy_rules(p);
    char clause[MM_TEXT_MAX];
    snprintf(clause, sizeof clause, "%s %s", r ? r->text : "", r ? r->retention_clause : "");
    return json_pack("{s:s, s:i, s:i, s:s, s:s}", "policy", mm_policy_name(p), "retention_days_min",
                     c->min_days, "retention_days_max", c->max_days, "rule", c->rule, "clause",
                     clause);
}

/* The new notice's retention and the hub's signature over its statement. */
static mm_err_t sign(hub_request_t *q, const send_t *s, const hub_city_rule_conf_t *c)
{
    q->retention_days_min = c->min_days;
    q->retention_days_max = c->max_days;
    mm_city_request_t *w = calloc(1, sizeof *w);
    char *stmt = malloc(MM_STATEMENT_MAX);
    size_t len = 0;
    uint8_t sig[MM_ED25519_SIG_LEN];
    mm_err_t err = w && stmt ? MM_OK : MM_ENOMEM;
    if (err == MM_OK) {
        w->kind = MM_REQUEST_KIND_CITY_RULE;
        w->time_us = q->time_us;
        w->retention_days_min = (uint32_t)c->min_days;
        w->retention_days_max = (uint32_t)c->max_days;
        snprintf(w->id, sizeof w->id, "%s", q->id);
        snprintf(w->subject, sizeof w->subject, "%s", q->subject);
        snprintf(w->text, sizeof w->text, "%s", q->text);
        err = mm_city_rule_statement(w, s->site, stmt, MM_STATEMENT_MAX, &len);
    }
    if (err == MM_OK)
        err = mm_ed25519_sign(&s->keys->sign, stmt, len, sig);
    if (err == MM_OK && mm_base64_encode(sig, sizeof sig, q->signature, sizeof q->signature) < 0)
        err = MM_ERANGE;
    free(w);
    free(stmt);
    return err;
}

static mm_err_t add_notice(hub_site_record_t *rec, void *arg)
{
    send_t *s = arg;
    s->notice[0] = 0;
    if (!hub_city_rule_due(rec, s->cfg))
        return MM_OK; /* sent meanwhile, or no longer due */
    s->policy = rec->facts.policy;
    const hub_city_rule_conf_t *c = hub_city_rule_of(rec, s->cfg);
    char subject[MM_ID_MAX];
    subject_of(s->policy, subject);
    json_t *detail = detail_of(s->policy, c);
    hub_notice_t n = {.kind = MM_REQUEST_KIND_CITY_RULE,
                      .subject = subject,
                      .text = c->rule,
                      .detail = detail,
                      .by = s->keys->name,
                      .time_us = s->now_us};
    mm_err_t err = detail ? hub_notice_add(rec, &n, s->notice, sizeof s->notice) : MM_ENOMEM;
    json_decref(detail);
    hub_request_t *q = err == MM_OK ? hub_site_record_request(rec, s->notice) : NULL;
    if (err == MM_OK)
        err = q ? sign(q, s, c) : MM_ENOMEM;
    if (err != MM_OK)
        s->notice[0] = 0;
    return err;
}

static mm_err_t send_txn(MDB_txn *txn, void *arg)
{
    send_t *s = arg;
    mm_err_t err = hub_registry_update_in(s->r, txn, s->site, add_notice, s);
    if (err != MM_OK || !s->notice[0])
        return err;
    const hub_city_rule_conf_t *c = &s->cfg->city_rules[s->policy];
    char subject[MM_ID_MAX];
    subject_of(s->policy, subject);
    json_t *detail = json_pack("{s:s, s:i, s:i}", "notice", s->notice, "retention_days_min",
                               c->min_days, "retention_days_max", c->max_days);
    hub_city_action_t a = {.action = HUB_ACTION_CITY_RULE_SENT,
                           .time_us = s->now_us,
                           .site = s->site,
                           .subject = subject,
                           .person = s->keys->name,
                           .role = "hub",
                           .reason = c->rule,
                           .detail = detail};
    err = detail ? hub_audit_append_in(s->audit, txn, &a, NULL) : MM_ENOMEM;
    json_decref(detail);
    return err;
}

mm_err_t hub_city_rule_send(hub_registry_t *r, hub_audit_t *audit, const hub_config_t *cfg,
                            const mm_keypair_t *keys, const char *site, int64_t now_us, int *sent)
{
    send_t s = {.r = r, .audit = audit, .cfg = cfg, .keys = keys, .site = site, .now_us = now_us};
    if (sent)
        *sent = 0;
    mm_err_t err = hub_audit_write(audit, send_txn, &s);
    if (err == MM_OK && s.notice[0] && sent)
        *sent = 1;
    return err;
}

/* The notice's members of the status: when it was sent, and what the site logged of it. */
static int notice_status(json_t *o, const hub_request_t *q)
{
    int delivered = hub_members_has(&q->members, HUB_REQUEST_DELIVERED);
    int bad = json_object_set_new(o, "notice", json_string(q->id)) ||
              json_object_set_new(o, "sent_us", json_integer(q->time_us)) ||
              json_object_set_new(o, "acknowledged",
                                  json_boolean(hub_members_has(&q->members, HUB_REQUEST_ANSWER)));
    if (delivered)
        bad |=
            json_object_set_new(o, "received_us", json_integer(q->delivered.time_us)) ||
            json_object_set_new(o, "received_index", json_integer((json_int_t)q->delivered.index));
    return bad;
}

json_t *hub_city_rule_status(const hub_site_record_t *rec, const hub_config_t *cfg)
{
    if (!rec || !rec->has_facts)
        return json_null();
    mm_policy_t p = rec->facts.policy;
    const mm_policy_rules_t *r = mm_policy_rules(p);
    if (!r)
        return json_null();
    int text = r->retention == MM_RETENTION_FROM_TEXT;
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s}", "policy", mm_policy_name(p), "source",
                  text ? "text" : "city_rule", "text", r->text, "clause", r->retention_clause);
    if (!o)
        return NULL;
    int bad = 0;
    if (text) {
        bad |= json_object_set_new(o, "floor_days", json_integer(r->floor_days)) ||
               json_object_set_new(o, "state", json_string("text"));
        return bad ? (json_decref(o), NULL) : o;
    }
    const hub_city_rule_conf_t *c = hub_city_rule_of(rec, cfg);
    bad |=
        json_object_set_new(o, "rule",
                            c ? json_pack("{s:s, s:i, s:i}", "rule", c->rule, "retention_days_min",
                                          c->min_days, "retention_days_max", c->max_days)
                              : json_null());
    const hub_request_t *q = hub_city_rule_latest(rec, p);
    const char *state = !c                                                    ? "not_configured"
                        : hub_city_rule_due(rec, cfg)                         ? "not_sent"
                        : hub_members_has(&q->members, HUB_REQUEST_DELIVERED) ? "received"
                                                                              : "pending";
    bad |= json_object_set_new(o, "state", json_string(state));
    if (q && c && !hub_city_rule_due(rec, cfg))
        bad |= notice_status(o, q);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
