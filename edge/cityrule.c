/*
 * cityrule.c: the city's rule for the retention period, received and enforced (see cityrule.h).
 */
#include "edge/cityrule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/policy.h"
#include "edge/requests.h"

int edge_city_rule_of(const mm_city_request_t *q, const char *site, const uint8_t *hub_pub,
                      edge_city_rule_t *out, char *why, size_t cap)
{
    mm_policy_t p;
    if (q->kind != MM_REQUEST_KIND_CITY_RULE || !mm_city_rule_policy(q, &p)) {
        snprintf(why, cap, "%s is not the city's rule for a policy that leaves the period to it",
                 q->id);
        return -1;
    }
    if (!q->has_signature) {
        snprintf(why, cap, "%s carries no signature of the hub", q->id);
        return -1;
    }
    if (strlen(q->text) >= sizeof out->rule || !q->text[0]) {
        snprintf(why, cap, "%s names its rule in %zu bytes (1 to %zu)", q->id, strlen(q->text),
                 sizeof out->rule - 1);
        return -1;
    }
    char *stmt = malloc(MM_STATEMENT_MAX);
    size_t len = 0;
    mm_err_t err = stmt ? mm_city_rule_statement(q, site, stmt, MM_STATEMENT_MAX, &len) : MM_ENOMEM;
    if (err == MM_OK && mm_ed25519_verify(hub_pub, stmt, len, q->signature) != MM_OK)
        err = MM_EVERIFY;
    free(stmt);
    if (err != MM_OK) {
        snprintf(why, cap, "%s: %s", q->id,
                 err == MM_EVERIFY ? "the hub's signature does not verify"
                                   : "its statement cannot be made");
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->has = 1;
    snprintf(out->id, sizeof out->id, "%s", q->id);
    out->policy = p;
    out->min_days = q->retention_days_min;
    out->max_days = q->retention_days_max;
    memcpy(out->rule, q->text, strlen(q->text) + 1); /* it fits: checked above */
    out->time_us = q->time_us;
    return 0;
}

void edge_city_rule_range(const edge_city_rule_t *rule, char *out, size_t cap)
{
    if (rule->max_days)
        snprintf(out, cap, "%u to %u days", (unsigned)rule->min_days, (unsigned)rule->max_days);
    else
        snprintf(out, cap, "at least %u days", (unsigned)rule->min_days);
}

int edge_city_rule_check(const edge_city_rule_t *rule, int retention_days, int registered_days,
                         const char **key, char *why, size_t cap)
{
    if (!rule || !rule->has)
        return 0;
    const char *names[2] = {"retention_days", "registered_retention_days"};
    const int days[2] = {retention_days, registered_days};
    for (int i = 0; i < 2; i++) {
        if ((uint32_t)days[i] >= rule->min_days &&
            (!rule->max_days || (uint32_t)days[i] <= rule->max_days))
            continue;
        char range[64];
        edge_city_rule_range(rule, range, sizeof range);
        *key = names[i];
        snprintf(why, cap,
                 "%d days is outside the city's rule for the %s policy: %s (%s) sets %s "
                 "(received as %s; R-N7.5)",
                 days[i], mm_policy_name(rule->policy), rule->rule,
                 mm_policy_rules(rule->policy) ? mm_policy_rules(rule->policy)->retention_clause
                                               : "",
                 range, rule->id);
        return -1;
    }
    return 0;
}

int edge_city_rule_floor(mm_policy_t policy, const edge_city_rule_t *rule, int retention_days)
{
    int floor = mm_policy_floor_days(policy);
    if (floor > 0)
        return floor;
    if (rule && rule->has && rule->policy == policy)
        return (int)rule->min_days;
    return retention_days;
}

/* What the walk over the logged city_rule notices looks for. */
typedef struct {
    const char *site;
    const uint8_t *hub_pub;
    mm_policy_t policy;
    edge_city_rule_t *best;
} load_t;

static mm_err_t consider(void *arg, const mm_city_request_t *q)
{
    load_t *l = arg;
    edge_city_rule_t r;
    char why[256];
    if (edge_city_rule_of(q, l->site, l->hub_pub, &r, why, sizeof why) != 0 ||
        r.policy != l->policy)
        return MM_OK;
    edge_city_rule_t *b = l->best;
    /* Ids are "notice-N": the longer one is the later at a tie of times. */
    size_t rl = strlen(r.id), bl = strlen(b->id);
    if (!b->has || r.time_us > b->time_us ||
        (r.time_us == b->time_us && (rl > bl || (rl == bl && strcmp(r.id, b->id) > 0))))
        *b = r;
    return MM_OK;
}

mm_err_t edge_city_rule_load(edge_store_t *st, const char *site, const uint8_t *hub_pub,
                             mm_policy_t policy, edge_city_rule_t *out)
{
    memset(out, 0, sizeof *out);
    if (!mm_policy_city_rule(policy))
        return MM_OK;
    load_t l = {site, hub_pub, policy, out};
    return edge_requests_each_of(st, MM_REQUEST_KIND_CITY_RULE, consider, &l);
}
