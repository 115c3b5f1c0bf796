/*
 * registry.h: what the city knows of each site, learned only from the site's verified log.
 *
 * As the mirror stores a batch (mirror.h), in the same LMDB transaction, every new entry of a
 * kind the registry cares about is applied to the site's record: its registered facts
 * (site_facts), each camera's facts, coverage, state and daily recording time (camera_facts,
 * camera_coverage, camera_state, camera_uptime), the standards it runs under
 * (configuration_changed), its filings (standards_filed is a filing of the standards — initial
 * or change —, camera_state one of suspension, resumption or abolition, R-N4.2), its emergency
 * grants and their reports (role_changed, emergency_report, R-N6.3), and what the city asked of it
 * — complaints, report requests, measures — with their delivery (city_request) and answers
 * (request_answered), R-N10.1, R-N12. A record is therefore never ahead of or behind the verified
 * log, and nothing in it comes from anywhere else: the city does not have to trust the installer.
 * What the city adds is its own doing, never the site's: its decisions on filings
 * (hub_registry_decide) and the requests it sends (requests.h, disclosure.h), each logged as a
 * city action in the hub's log (audit.h) in the transaction that records it.
 *
 *   hub.registry   site id -> JSON record (see docs/architecture.md, "Hub registry")
 *
 * Each fact keeps the index of the entry it came from, so that findings can cite evidence.
 */
#ifndef HUB_REGISTRY_H
#define HUB_REGISTRY_H

#include <jansson.h>
#include <lmdb.h>
#include <stdint.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/enum.h"
#include "common/err.h"
#include "common/wire.h"
#include "hub/audit.h"
#include "hub/hubconf.h"

#define HUB_UPTIME_DAYS 14 /* days of recording time kept per camera */

/* What a filing is (R-N4.2): of the standards — the first ("initial"), then each "change" —
 * or of a camera's state. Its "kind" in the record. */
#define HUB_FILING_KIND_MAP(X, P)                                                                  \
    X(P, INITIAL, "initial")                                                                       \
    X(P, CHANGE, "change")                                                                         \
    X(P, SUSPENSION, "suspension") X(P, RESUMPTION, "resumption") X(P, ABOLITION, "abolition")
MM_ENUM_DECLARE(hub_filing_kind, HUB_FILING_KIND, HUB_FILING_KIND_MAP)

/* Where a filing stands: "received" as the site logged it, until the city accepts or returns
 * it. Its "state" in the record, and in each item of its "history". */
#define HUB_FILING_STATE_MAP(X, P)                                                                 \
    X(P, RECEIVED, "received") X(P, ACCEPTED, "accepted") X(P, RETURNED, "returned")
MM_ENUM_DECLARE(hub_filing_state, HUB_FILING_STATE, HUB_FILING_STATE_MAP)

/* A camera's "state" in the record, as its camera_state entries leave it: recording (before
 * any, and again once resumed), suspended or abolished. */
#define HUB_CAMERA_STATE_MAP(X, P)                                                                 \
    X(P, RECORDING, "recording") X(P, SUSPENDED, "suspended") X(P, ABOLISHED, "abolished")
MM_ENUM_DECLARE(hub_camera_state, HUB_CAMERA_STATE, HUB_CAMERA_STATE_MAP)

/* Whether filing (a member of a record's "filings") is one of the standards: initial or change. */
int hub_filing_of_standards(json_t *filing);

typedef struct hub_registry hub_registry_t;

mm_err_t hub_registry_open(mm_db_t *db, hub_registry_t **out);
void hub_registry_close(hub_registry_t *r);

/* Applying one batch's new entries inside the mirror's write transaction. */
typedef struct {
    hub_registry_t *r;
    MDB_txn *txn;
    const char *site;
    json_t *rec; /* loaded at the first entry that matters */
    int dirty;
} hub_registry_batch_t;

void hub_registry_batch_begin(hub_registry_batch_t *b, hub_registry_t *r, MDB_txn *txn,
                              const char *site);
/* Applies entry index of the site, as the mirror decoded it (borrowed). Entries of kinds the
 * registry does not use change nothing. */
mm_err_t hub_registry_apply(hub_registry_batch_t *b, uint64_t index, const mm_entry_t *e);
/* Writes the record if it changed; frees the batch state either way. */
mm_err_t hub_registry_batch_end(hub_registry_batch_t *b, int commit);

/* The record of site as a new reference (an empty record when none), NULL on a store error. */
json_t *hub_registry_get(hub_registry_t *r, const char *site);

/* The city's decision on one filing. */
typedef struct {
    const char *site;
    const char *filing;       /* its id in the site's record */
    hub_filing_state_t state; /* HUB_FILING_STATE_ACCEPTED or _RETURNED */
    const char *reason;       /* NULL: none (a return has one: apibody.h) */
    const hub_person_t *who;
    int64_t now_us;
    uint64_t hub_log_index; /* on success: the city action's index in the hub's log */
    json_t *decided;        /* on success: the filing as it now is (a new reference) */
} hub_filing_decision_t;

/*
 * Accepts or returns a filing: its state and history change, and "filing_accepted" or
 * "filing_returned" is appended to the hub's log through audit, in one transaction. MM_ENOTFOUND
 * for an unknown site or filing, MM_ECONFLICT when the filing is not "received" any more,
 * MM_EINVAL for a state that is no decision; nothing is written then. Else storage errors.
 */
mm_err_t hub_registry_decide(hub_registry_t *r, hub_audit_t *audit, hub_filing_decision_t *d);

/* Changes site's record with fn inside the caller's write transaction (the city's own
 * additions: requests it sends, their appeals); fn's error aborts. */
mm_err_t hub_registry_update_in(hub_registry_t *r, MDB_txn *txn, const char *site,
                                mm_err_t (*fn)(json_t *rec, void *arg), void *arg);

/*
 * The requests in site's record that the site has not logged as received (no delivered_index,
 * not unknown_to_hub), up to cap, as they go out with every ack (link.h): complaints, report
 * requests, measures, and disclosures with their legal basis, reference, requester, recipient,
 * cameras and the hub's signature (base64 "signature" in the record), and notices of a download
 * ("disclosure"). A request whose fields do not fit the wire's bounds is left out (and logged):
 * cut short, a disclosure's statement would no longer match its signature. Returns how many.
 */
size_t hub_registry_pending(hub_registry_t *r, const char *site, mm_city_request_t *out,
                            size_t cap);

#endif
