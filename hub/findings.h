/*
 * findings.h: what the hub found wrong, kept in LMDB.
 *
 * A finding has a kind ("root_mismatch", "fork", "bad_signature", "unknown_peer", ...), a
 * severity, the site it concerns ("" when none is known), a message, evidence (a JSON object),
 * a state ("open", "closed") with its history, its source ("verification" or "rules", with the
 * rule's requirement ID), and when it was first and last seen with a count. The same (site, kind,
 * dedupe key) raised again updates the one finding instead of adding another, so a peer repeating a
 * bad message cannot grow the store without bound.
 *
 *   hub.findings   id (BE64)            -> JSON object
 *   hub.findkeys   site \0 kind \0 key  -> id (BE64)
 */
#ifndef HUB_FINDINGS_H
#define HUB_FINDINGS_H

#include <jansson.h>
#include <stdint.h>

#include "common/db.h"
#include "common/enum.h"
#include "common/err.h"

/* A finding's "state" (and each item of its "history"). */
#define HUB_FINDING_STATE_MAP(X, P) X(P, OPEN, "open") X(P, CLOSED, "closed")
MM_ENUM_DECLARE(hub_finding_state, HUB_FINDING_STATE, HUB_FINDING_STATE_MAP)

/* A finding's "source": the verification of what a site sent (hub_findings_raise), or the rules
 * over its record (hub_findings_reconcile), which alone close findings. */
#define HUB_FINDING_SOURCE_MAP(X, P) X(P, VERIFICATION, "verification") X(P, RULES, "rules")
MM_ENUM_DECLARE(hub_finding_source, HUB_FINDING_SOURCE, HUB_FINDING_SOURCE_MAP)

typedef struct hub_findings hub_findings_t;

mm_err_t hub_findings_open(mm_db_t *db, hub_findings_t **out);
void hub_findings_close(hub_findings_t *f);

/*
 * Records a finding (its own write transaction). evidence is stolen (may be NULL). now_us is
 * the wall clock. Returns MM_OK or a storage error (already logged).
 */
mm_err_t hub_findings_raise(hub_findings_t *f, const char *site, const char *kind,
                            const char *severity, const char *dedupe, json_t *evidence,
                            int64_t now_us, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/*
 * The findings the rules (rules.h) see for site now: current is an array of {"kind", "dedupe",
 * "rule", "severity", "message", "evidence"}. Each is opened, or refreshed (last_seen, message,
 * evidence) if open, or opened again if it had closed; every open rules finding of the site that
 * is not in current is closed. A finding keeps its history of openings and closings
 * ({"state", "at"}). Verification findings (hub_findings_raise) are left alone.
 */
mm_err_t hub_findings_reconcile(hub_findings_t *f, const char *site, json_t *current,
                                int64_t now_us, size_t *opened, size_t *closed);

/*
 * From now on, fn(arg, finding) runs for every finding that hub_findings_raise or
 * hub_findings_reconcile opened, opened again, closed, or changed (severity, rule, message or
 * evidence; a repeat that only counts is not a change), after the transaction has committed.
 * finding is the finding as stored, borrowed for the call.
 */
void hub_findings_set_observer(hub_findings_t *f, void (*fn)(void *arg, json_t *finding),
                               void *arg);

/* Every finding, oldest first, as a new JSON array (NULL on failure). */
json_t *hub_findings_list(hub_findings_t *f);

#endif
