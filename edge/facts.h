/*
 * facts.h: what the site's configuration says, in the site log (R-N4.1, R-N5, R-K2.1.3b-c,
 * R-K2.2.1-2, R-N6.1).
 *
 * The city keeps a registry of each site: who installed the cameras and why, how long footage
 * is kept, who manages and who operates them, and where each camera is and what its sign says.
 * The edge logs those facts as one site_facts entry and one camera_facts entry per camera, so
 * that the hub builds the registry from the signed log rather than from papers. Each is logged
 * only when it differs from the last one logged of its kind (for cameras, of that camera): at
 * start after a configuration change, and when the operators in force change.
 */
#ifndef EDGE_FACTS_H
#define EDGE_FACTS_H

#include <stdint.h>

#include "edge/cityrule.h"
#include "edge/siteconf.h"
#include "edge/store.h"

/*
 * Appends the site_facts entry and each camera's camera_facts entry (time now, µs since the
 * epoch) that differ from the last ones logged: edge.meta "facts/site" and "facts/camera/<id>"
 * keep the bytes of those, without their time, set in the same transaction as the append.
 *
 * is_operator, indexed like cfg->gov.people, says who operates now (designations and
 * revocations at run time); NULL means cfg->gov.is_operator. The manager is never listed as an
 * operator (R-N6.1). Contractors are written as compact JSON, [{"name":..,"staff":[ids]}],
 * "[]" when there are none.
 *
 * The retention's source (site_facts retention_rule, floor_days, retention_max_days, city_rule):
 * the policy's clause and floor when its text sets the period; else the city's rule in force,
 * rule (cityrule.h; NULL or not received: none, floor 0).
 *
 * *logged counts the entries appended, also when an error stops the rest. MM_EINVAL when a text
 * does not fit its entry field (the operators' ids together, the contractors' JSON) or the entry
 * is refused by mm_entry_encode; nothing is cut short. Store errors as edge_store_append_meta.
 */
mm_err_t edge_facts_log(edge_store_t *st, const edge_config_t *cfg, const int *is_operator,
                        const edge_city_rule_t *rule, int64_t now, int *logged);

#endif
