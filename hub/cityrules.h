/*
 * cityrules.h: the city's rules for the retention period (R-N7.5), sent to the sites whose
 * policy leaves the period to the city, and where each site stands with its rule.
 *
 * Naha's ordinance leaves the retention period to the city's rule (第7条第5号: "規則で定める
 * ところにより保管期間を定め"), and the city's own cameras keep theirs by the city's own rule
 * (第9条); the hub's configuration sets each such policy's rule ("city_rules", hubconf.h). A site
 * of that policy — as its verified facts say — whose record holds no city_rule notice with the
 * configured rule is sent one (notices.h): `notice-N`, subject "policy/<policy>", text the rule's
 * citation, particulars {"policy", "retention_days_min", "retention_days_max", "rule", "clause"}
 * (the clause of the text that delegates), the retention in days, and the hub's Ed25519 signature
 * over the city-rule statement (wire.h mm_city_rule_statement), which the site checks before it
 * enforces the rule (edge/cityrule.h). The notice and the city action "city_rule_sent" (person:
 * the hub's name, role "hub"; audit.h) are written in one transaction. Like every notice it rides
 * on each ack until the site logs it, and a named person there acknowledges it.
 *
 * A rule changed in the configuration is sent again, as a new notice, at the next look; a rule
 * removed from it sends nothing, and the sites keep the last they received. The hub looks after
 * every batch that changed a site's record and every 5 s (app.c), before the rules run.
 *
 * Until the site has logged the notice it keeps the retention it registered, and the dashboard
 * shows the rule as "pending" (hub_city_rule_status); the finding for facts outside the rule
 * does not wait for it (rules.h).
 *
 * Only the loop thread calls these.
 */
#ifndef HUB_CITYRULES_H
#define HUB_CITYRULES_H

#include <jansson.h>
#include <stdint.h>

#include "common/err.h"
#include "common/keys.h"
#include "common/vocab.h"
#include "hub/audit.h"
#include "hub/hubconf.h"
#include "hub/registry.h"

/* The configured rule for the policy of rec's facts, NULL when rec has no facts, its policy's
 * text sets the period itself, or the configuration sets no rule for it. */
const hub_city_rule_conf_t *hub_city_rule_of(const hub_site_record_t *rec, const hub_config_t *cfg);

/* The latest city_rule notice in rec for policy p (its subject "policy/<p>"), NULL when none. */
const hub_request_t *hub_city_rule_latest(const hub_site_record_t *rec, mm_policy_t p);

/* Whether rec needs a new city_rule notice under cfg (pure): its policy has a configured rule,
 * and the latest notice for that policy is none or says another rule. 1 or 0. */
int hub_city_rule_due(const hub_site_record_t *rec, const hub_config_t *cfg);

/*
 * Sends site the configured rule when hub_city_rule_due (checked again inside the write
 * transaction): the notice, signed with keys, and its city action, in one transaction through
 * audit. *sent (may be NULL) is 1 when a notice was made. MM_OK (also when nothing was due),
 * MM_ERANGE when the rule does not fit the wire (nothing written), storage errors.
 */
mm_err_t hub_city_rule_send(hub_registry_t *r, hub_audit_t *audit, const hub_config_t *cfg,
                            const mm_keypair_t *keys, const char *site, int64_t now_us, int *sent);

/*
 * Where rec stands with the retention its policy's text asks for, for the API and the dashboard
 * (a new reference; null when rec has no facts):
 *   {"policy", "source": "text" | "city_rule", "text" (the text that decides), "clause",
 *    "floor_days" (text: the least days),
 *    "rule": {"rule", "retention_days_min", "retention_days_max"} or null (not configured),
 *    "state": "text" | "not_configured" | "not_sent" | "pending" (sent, not logged at the site)
 *             | "received",
 *    "notice", "sent_us", "received_us", "received_index", "acknowledged"}
 * (the notice's members only once one was sent). NULL when out of memory.
 */
json_t *hub_city_rule_status(const hub_site_record_t *rec, const hub_config_t *cfg);

#endif
