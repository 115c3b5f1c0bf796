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
#include "common/err.h"
#include "common/wire.h"

#define HUB_UPTIME_DAYS 14 /* days of recording time kept per camera */

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
/* Applies entry index of the site (its bytes as logged). Entries the registry does not use are
 * skipped after a look at their kind. */
mm_err_t hub_registry_apply(hub_registry_batch_t *b, uint64_t index, const void *data, size_t len);
/* Writes the record if it changed; frees the batch state either way. */
mm_err_t hub_registry_batch_end(hub_registry_batch_t *b, int commit);

/* The record of site as a new reference (an empty record when none), NULL on a store error. */
json_t *hub_registry_get(hub_registry_t *r, const char *site);

/*
 * A city action on a filing: "accepted", or "returned" with a reason. MM_ENOTFOUND for an
 * unknown filing, MM_ECONFLICT when it is not in the "received" state.
 */
mm_err_t hub_registry_decide_filing(hub_registry_t *r, const char *site, const char *filing_id,
                                    const char *state, const char *reason, const char *by,
                                    int64_t now_us);

/* The same inside the caller's write transaction (with the city action that logs it); the
 * errors are returned, so that the caller aborts. */
mm_err_t hub_registry_decide_in(hub_registry_t *r, MDB_txn *txn, const char *site,
                                const char *filing_id, const char *state, const char *reason,
                                const char *by, int64_t now_us);

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
