/*
 * watchpolicy.h: what the hub watches at a site of each policy, under which requirement and
 * clause (rules_watch.h, and the uptime rule of rules.c). One table, a row per policy: a policy
 * added to MM_POLICY_MAP is one row more here (a unit test walks every policy and fails on one
 * without a row).
 */
#ifndef HUB_WATCHPOLICY_H
#define HUB_WATCHPOLICY_H

#include "common/vocab.h"

/* A duty a policy puts on a site, as a finding names it: the requirement ID (REQUIREMENTS.md)
 * and the clause of the text, in words. rule NULL: the policy asks nothing of the kind. */
typedef struct {
    const char *rule;
    const char *clause;
} hub_watch_duty_t;

typedef struct {
    /* Footage is kept its retention and erased only after it; the site's clock decides when. */
    hub_watch_duty_t erasure;
    /* Information from images is not misused: viewing volume, viewing at night. */
    hub_watch_duty_t viewing;
    /* A camera operates (a suspension longer than the configured time is a finding). */
    hub_watch_duty_t suspension;
    /* The number of cameras does not change without a filing. */
    hub_watch_duty_t camera_count;
    /* The sign that cameras operate is there (checked within the configured time). */
    hub_watch_duty_t sign;
    /* A suspended camera is held to the uptime rule (R-K2.2.6a) like a recording one. */
    int uptime_counts_suspended;
    hub_watch_duty_t uptime;
} hub_watch_policy_t;

/* The row of policy p; NULL for a value outside the enumeration or a policy without its row
 * (then the hub holds the site to none of these duties: a unit test fails for such a policy). */
const hub_watch_policy_t *hub_watch_policy(mm_policy_t p);

#endif
