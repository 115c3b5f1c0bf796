/*
 * rules.h: the rules the hub checks for the city, turned from a site's registry record
 * (registry.h) into findings (findings.h), each with its requirement ID and the site-log
 * entries that are its evidence.
 *
 * The rules read only verified facts and the hub's own clock; the thresholds are the hub's
 * (the policy floors of common/policy.h, 2/3 and 1/2, the city's rule of its configuration),
 * never the ones a site claims. Evaluated after every batch
 * that changed a record and on a timer (for what time alone changes: a silent site, a report
 * now overdue, a day now over); a finding whose facts no longer hold closes itself.
 */
#ifndef HUB_RULES_H
#define HUB_RULES_H

#include <stdint.h>

#include "common/err.h"
#include "common/vocab.h"
#include "hub/findings.h"
#include "hub/registry.h"

/* How long after a site hold's expiry the hub waits for its release before a finding: the edge
 * releases it on its next loop turn, and the entry comes with the next batch. */
#define HUB_HOLD_EXPIRY_GRACE_US (10LL * 60 * 1000000)

typedef struct {
    int64_t now_us;
    int64_t last_checkpoint_us; /* the site's last verified checkpoint, 0 when none */
    int64_t silent_after_us;    /* a site silent this long is a finding */
    double uptime_min;          /* the least share of a day a camera must record (0.99) */
    int64_t filing_grace_us;    /* how long a new version may go unfiled (R-N4.2) */
    int64_t transitional_us;    /* an existing installer's first filing is due by then
                                   (R-N-T: the ordinance's day + 3 months); 0: not one */
    const hub_city_rule_conf_t *city_rule; /* the city's rule for the retention period of the
                                              site's policy (cityrules.h); NULL: none */
} hub_rules_input_t;

/* The findings that hold for rec now, appended to out: each with its kind, dedupe key, rule,
 * severity, message and evidence (hub_findings_reconcile's input). rec NULL holds none. MM_OK or
 * MM_ENOMEM (out then holds what was found before). */
mm_err_t hub_rules_evaluate(const hub_site_record_t *rec, const hub_rules_input_t *in,
                            hub_finding_list_t *out);

/* The least retention (days) the hub accepts for a policy by its text (common/policy.h:
 * kawaguchi and voluntary 7; 0 for a policy that leaves the period to the city's rule, which
 * the hub holds the site to instead), -1 for an unknown policy; the same by the policy's name
 * (NULL is none). */
int hub_rules_floor(mm_policy_t policy);
int hub_rules_floor_days(const char *policy);

/* What the rules (rules.c, rules_watch.c) add a finding with: the list, and the first error. */
typedef struct {
    hub_finding_list_t *out;
    mm_err_t err;
} hub_rules_found_t;

/* Adds a finding to fd->out; ev (may be NULL) is taken over by it, or given back when there is no
 * room (fd->err is then MM_ENOMEM and later adds do nothing). */
void hub_rules_add(hub_rules_found_t *fd, const char *kind, const char *dedupe, const char *rule,
                   hub_severity_t severity, hub_evidence_t *ev, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

#endif
