/*
 * findings.h: what the hub found wrong, kept in LMDB.
 *
 * A finding (hub_finding_t) has a kind ("root_mismatch", "fork", "bad_signature", "unknown_peer",
 * or one of the rules' kinds, rules.h), a severity, the site it concerns ("" when none is known),
 * a message, evidence (named facts: indexes of the site's log, counts, texts), a state ("open",
 * "closed") with its history, its source ("verification" or "rules", with the rule's requirement
 * ID), and when it was first and last seen with a count. The same (site, kind, dedupe key) raised
 * again updates the one finding instead of adding another, so a peer repeating a bad message
 * cannot grow the store without bound.
 *
 *   hub.findings   id (BE64)            -> the finding as JSON (findings_codec.h)
 *   hub.findkeys   site \0 kind \0 key  -> id (BE64)
 *
 * The key index is in site order, so a site's findings are one range of it: reconciling a site
 * reads that range and the findings it names, never another site's.
 */
#ifndef HUB_FINDINGS_H
#define HUB_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/enum.h"
#include "common/err.h"
#include "common/keys.h"
#include "common/timefmt.h"

/* A finding's "state" (and each item of its "history"). */
#define HUB_FINDING_STATE_MAP(X, P) X(P, OPEN, "open") X(P, CLOSED, "closed")
MM_ENUM_DECLARE(hub_finding_state, HUB_FINDING_STATE, HUB_FINDING_STATE_MAP)

/* A finding's "source": the verification of what a site sent (hub_findings_raise), or the rules
 * over its record (hub_findings_reconcile), which alone close findings. */
#define HUB_FINDING_SOURCE_MAP(X, P) X(P, VERIFICATION, "verification") X(P, RULES, "rules")
MM_ENUM_DECLARE(hub_finding_source, HUB_FINDING_SOURCE, HUB_FINDING_SOURCE_MAP)

/* How much a finding matters; "critical" for what breaks the log's integrity. */
#define HUB_SEVERITY_MAP(X, P)                                                                     \
    X(P, LOW, "low") X(P, MEDIUM, "medium") X(P, HIGH, "high") X(P, CRITICAL, "critical")
MM_ENUM_DECLARE(hub_severity, HUB_SEVERITY, HUB_SEVERITY_MAP)

/* --- evidence ------------------------------------------------------------------------------- */

#define HUB_EVIDENCE_MAX 8      /* named facts in one finding's evidence */
#define HUB_EVIDENCE_INTS_MAX 4 /* numbers in one list (the entries a rule cites) */

/* What one fact of the evidence is: a number (an index, a size), a text (a checkpoint, a camera,
 * a root in hex), or a list of numbers (the site log's entries cited). */
typedef enum { HUB_EVIDENCE_INT, HUB_EVIDENCE_TEXT, HUB_EVIDENCE_INTS } hub_evidence_type_t;

typedef struct {
    char name[24];
    hub_evidence_type_t type;
    int64_t i;     /* INT */
    char *text;    /* TEXT: owned */
    size_t n_ints; /* INTS */
    int64_t ints[HUB_EVIDENCE_INTS_MAX];
} hub_evidence_item_t;

/* A finding's evidence: named facts in the order they were given. Zeroed is empty; the texts
 * are owned, so an evidence that has any is given back with hub_evidence_deinit. */
typedef struct {
    size_t n;
    hub_evidence_item_t item[HUB_EVIDENCE_MAX];
} hub_evidence_t;

/* Each adds a fact after the others: MM_OK, MM_ERANGE when the evidence is full or a list is too
 * long, MM_ENOMEM. A name longer than 23 bytes is cut short. */
mm_err_t hub_evidence_int(hub_evidence_t *ev, const char *name, int64_t v);
mm_err_t hub_evidence_text(hub_evidence_t *ev, const char *name, const char *text);
mm_err_t hub_evidence_ints(hub_evidence_t *ev, const char *name, size_t n, const int64_t *v);
/* The fact named name, NULL when there is none. */
const hub_evidence_item_t *hub_evidence_get(const hub_evidence_t *ev, const char *name);
/* Whether a and b say the same: the same names with the same values, in any order. */
int hub_evidence_equal(const hub_evidence_t *a, const hub_evidence_t *b);
/* dst (empty or given back) becomes a copy of src: MM_OK or MM_ENOMEM (dst empty then). */
mm_err_t hub_evidence_copy(hub_evidence_t *dst, const hub_evidence_t *src);
/* Frees the texts; ev is empty after. */
void hub_evidence_deinit(hub_evidence_t *ev);

/* --- a finding ------------------------------------------------------------------------------ */

#define HUB_FINDING_KIND_MAX 48
#define HUB_FINDING_RULE_MAX 16
#define HUB_FINDING_DEDUPE_MAX 192
#define HUB_FINDING_MESSAGE_MAX 512

/* One opening or closing of a finding, with when (RFC 3339, as stored). */
typedef struct {
    hub_finding_state_t state;
    char at[MM_RFC3339_MAX];
} hub_finding_step_t;

/*
 * A finding. The rules (rules.h) fill kind, dedupe, rule, severity, message and evidence of what
 * holds now; the store fills the rest. Times are RFC 3339 to the second, as stored and shown.
 * A verification finding has no rule or dedupe member when stored; closed_at is "" until a rules
 * finding first closes (it stays when the finding opens again). history and the evidence's
 * texts are owned: hub_finding_init before use, hub_finding_deinit after.
 */
typedef struct {
    uint64_t id;
    char site[MM_KEY_NAME_MAX];
    char kind[HUB_FINDING_KIND_MAX];
    hub_finding_source_t source;
    hub_severity_t severity;
    char rule[HUB_FINDING_RULE_MAX]; /* rules: the requirement ID ("R-N4.2") */
    char dedupe[HUB_FINDING_DEDUPE_MAX];
    char message[HUB_FINDING_MESSAGE_MAX];
    hub_evidence_t evidence;
    hub_finding_state_t state;
    int64_t count; /* times raised (verification); 1 for rules findings */
    char first_seen[MM_RFC3339_MAX];
    char last_seen[MM_RFC3339_MAX];
    char closed_at[MM_RFC3339_MAX];
    size_t n_history;
    hub_finding_step_t *history;
} hub_finding_t;

void hub_finding_init(hub_finding_t *f);
void hub_finding_deinit(hub_finding_t *f);
/* Appends a step to f's history and makes it f's state: MM_OK or MM_ENOMEM. */
mm_err_t hub_finding_step(hub_finding_t *f, hub_finding_state_t state, const char *at);

/* Findings in order; items[0 .. n) are initialised and owned by the list. */
typedef struct {
    size_t n, cap;
    hub_finding_t *items;
} hub_finding_list_t;

void hub_finding_list_init(hub_finding_list_t *l);
void hub_finding_list_deinit(hub_finding_list_t *l);
/* A new, initialised finding at the end of l; NULL when out of memory. */
hub_finding_t *hub_finding_list_add(hub_finding_list_t *l);

/* --- the store ------------------------------------------------------------------------------ */

typedef struct hub_findings hub_findings_t;

mm_err_t hub_findings_open(mm_db_t *db, hub_findings_t **out);
void hub_findings_close(hub_findings_t *f);

/*
 * Records a finding (its own write transaction). evidence is borrowed (NULL: none, or for a
 * repeat: the evidence stored stays). now_us is the wall clock. Returns MM_OK or a storage error
 * (already logged).
 */
mm_err_t hub_findings_raise(hub_findings_t *f, const char *site, const char *kind,
                            hub_severity_t severity, const char *dedupe,
                            const hub_evidence_t *evidence, int64_t now_us, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/*
 * The findings the rules (rules.h) see for site now: current[0 .. n), each with its kind, dedupe,
 * rule, severity, message and evidence. Each is opened, or refreshed (last_seen, message,
 * evidence) if open, or opened again if it had closed; every open rules finding of the site that
 * is not in current is closed. A finding keeps its history of openings and closings. Verification
 * findings (hub_findings_raise) are left alone. Only the site's range of hub.findkeys is read,
 * and only the findings it names.
 */
mm_err_t hub_findings_reconcile(hub_findings_t *f, const char *site, const hub_finding_t *current,
                                size_t n, int64_t now_us, size_t *opened, size_t *closed);

/*
 * From now on, fn(arg, finding) runs for every finding that hub_findings_raise or
 * hub_findings_reconcile opened, opened again, closed, or changed (severity, rule, message or
 * evidence; a repeat that only counts is not a change), after the transaction has committed.
 * finding is the finding as stored, borrowed for the call.
 */
void hub_findings_set_observer(hub_findings_t *f,
                               void (*fn)(void *arg, const hub_finding_t *finding), void *arg);

/* Calls fn for every finding, oldest first, until fn returns non-zero (finding borrowed for the
 * call). A stored finding that does not decode is skipped. MM_OK or a storage error. */
mm_err_t hub_findings_each(hub_findings_t *f, int (*fn)(void *arg, const hub_finding_t *finding),
                           void *arg);

/* The finding id into out (initialised here; the caller deinits it on MM_OK). MM_ENOTFOUND when
 * there is none, else a storage error. */
mm_err_t hub_findings_get(hub_findings_t *f, uint64_t id, hub_finding_t *out);

#endif
