/*
 * cityrule.h: the city's rule for the retention period, where the site's policy leaves the
 * period to it (Naha 第7条第5号 "規則で定めるところにより保管期間を定め"; the city's own
 * cameras, Naha 第9条) — received, kept and enforced (R-N7.5).
 *
 * The hub's configuration sets the rule per policy ("city_rules", hub/hubconf.h) and the hub
 * sends it to every site of that policy as a notice of kind "city_rule" (wire.h): the retention
 * in days, at least min and at most max (0: no maximum), the rule's citation, and the hub's
 * Ed25519 signature over the city-rule statement (wire.h mm_city_rule_statement). The site logs
 * it as it logs every request (requests.h: a city_request entry that carries the numbers, its
 * record in edge.meta), and a named person acknowledges it like any notice. The rule in force is
 * the latest such notice, by the city's time, whose policy is the site's and whose signature
 * verifies with the hub's key; it is read from those records at start and again when one
 * arrives. A notice that fails the checks is logged all the same (it arrived) and never enforced.
 *
 * Enforced: at start the edge refuses a configuration whose retention_days or
 * registered_retention_days lies outside the rule in force, with an error naming the key and
 * the rule, and exits as for any configuration problem (status 2). The edge reads its
 * configuration only at start, so a change takes effect, and is checked, at the next start. A
 * rule that arrives while the edge runs is logged at once, the site's facts and standards
 * document take it up, and when the running configuration lies outside it the edge says so and
 * refuses that configuration at its next start; the hub raises its finding from the site's
 * facts meanwhile (hub/rules.h).
 *
 * Until a rule arrives the site keeps the retention it configured and registered, its
 * standards document says that the city's rule has not been received, its facts name no rule,
 * and under disk pressure nothing inside the configured retention is erased: the text sets no
 * floor to fall back to (edge_city_rule_floor).
 */
#ifndef EDGE_CITYRULE_H
#define EDGE_CITYRULE_H

#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"
#include "common/vocab.h"
#include "common/wire.h"
#include "edge/store.h"

/* The city's rule in force at the site. */
typedef struct {
    int has;            /* a rule was received; the rest is meaningful only then */
    char id[MM_ID_MAX]; /* the notice that carried it */
    mm_policy_t policy;
    uint32_t min_days;      /* the least retention, at least 1 */
    uint32_t max_days;      /* the most, 0: no maximum */
    char rule[MM_TEXT_MAX]; /* the rule's citation */
    int64_t time_us;        /* when the city set it (the notice's time) */
} edge_city_rule_t;

/*
 * The rule that request q carries for site, into out, when q is a city_rule notice whose
 * statement the hub's key hub_pub (32 bytes) signed, with a rule's citation of at most
 * MM_TEXT_MAX - 1 bytes: 0. Else -1 and why (cap bytes), out untouched.
 */
int edge_city_rule_of(const mm_city_request_t *q, const char *site, const uint8_t *hub_pub,
                      edge_city_rule_t *out, char *why, size_t cap);

/*
 * Whether retention_days and registered_days lie within rule (pure): 0, or -1 with *key the
 * configuration key that does not ("retention_days" first, then "registered_retention_days")
 * and why (cap bytes) naming the rule and the days it allows. A rule not received (has 0)
 * allows anything.
 */
int edge_city_rule_check(const edge_city_rule_t *rule, int retention_days, int registered_days,
                         const char **key, char *why, size_t cap);

/* The days rule allows, "7 to 14 days" or "at least 7 days", into out (cap bytes). */
void edge_city_rule_range(const edge_city_rule_t *rule, char *out, size_t cap);

/*
 * The least days the site keeps footage under disk pressure (pure): its policy's text's floor
 * (kawaguchi, voluntary: 7), else the city's rule's least when one was received, else
 * retention_days (a text that leaves the period to a rule not yet received sets no floor, and
 * nothing inside the configured retention is given up for it).
 */
int edge_city_rule_floor(mm_policy_t policy, const edge_city_rule_t *rule, int retention_days);

/*
 * The rule in force for site under policy: the latest logged city_rule notice for policy whose
 * signature verifies with hub_pub (by the city's time, then the request id), into out (has 0
 * when there is none). MM_OK, or the store's errors (MM_ECORRUPT for a damaged record).
 */
mm_err_t edge_city_rule_load(edge_store_t *st, const char *site, const uint8_t *hub_pub,
                             mm_policy_t policy, edge_city_rule_t *out);

#endif
