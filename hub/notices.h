/*
 * notices.h: what the city tells a site of its own doing — its decision on a filing (R-N4.2),
 * guidance and recommendations (R-N10.2), the hearing it offers and the publication that may
 * follow (R-N11) — so that the city's word reaches the site, and the city sees that it did.
 *
 * A notice is a request in the site's record (registry.h hub_request_t) of one of the notice
 * kinds (vocab.h mm_request_kind_is_notice): id "notice-N" (N counting all of the site's
 * requests, as requests.h counts them), its subject ("filing/<id>" or "measure/<id>"), the
 * city's words as its text (a return's reason, the guidance, the recommendation, the hearing's
 * letter, what was published), its particulars as a JSON object (detail), who at the city made
 * it and when (sent). Like every request it rides on each ack until the site's log holds its
 * city_request entry (delivered: that entry's index and time), and the site's request_answered
 * entry is its acknowledgement (by a named person, when, with an optional text). A notice has no
 * deadline: acknowledging it is good practice, not a duty, and an unacknowledged notice is no
 * finding.
 *
 * The module that does the thing makes its notice inside the write transaction that changes its
 * own record and appends its city action (registry.c for filing decisions, measures.c for
 * measures), so that the decision, the notice and the hub's log never disagree; the city
 * action's detail names the notice ("notice": id).
 *
 * Particulars (detail), compact JSON, keys in this order:
 *   filing_decision  {"decision": "accepted"|"returned", "filing": id, "filing_kind": "initial"|
 *                     "change"|"suspension"|"resumption"|"abolition", and for the standards
 *                     "version": N, for a camera's filing "camera": id}
 *   guidance, recommendation
 *                    {"measure": id, "findings": [finding ids]}
 *   hearing_offer    {"measure": id, "date": the hearing's "YYYY-MM-DD[ HH:MM]" (Japan time),
 *                     "place", "how" (how to answer), "deadline": "YYYY-MM-DD"}
 *   publication      {"measure": id, "published_us"}
 * A filing decision's reason is its text (it is the city's words and may be long), not a
 * particular. Only the loop thread calls these.
 */
#ifndef HUB_NOTICES_H
#define HUB_NOTICES_H

#include <jansson.h>
#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/vocab.h"
#include "hub/registry.h"

/* One notice as the module that makes it describes it; everything borrowed. */
typedef struct {
    mm_request_kind_t kind; /* one of the notice kinds */
    const char *subject;    /* "filing/<id>", "measure/<id>" */
    const char *text;       /* the city's words; NULL: none */
    json_t *detail;         /* an object: the particulars */
    const char *by;         /* the hub person who acted */
    int64_t time_us;
} hub_notice_t;

/*
 * Adds n to rec as a new pending request and writes its id ("notice-N") into id (cap bytes).
 * MM_EINVAL for a kind that is no notice or a detail that is no object, MM_ERANGE when the
 * subject, the text or the detail as compact JSON does not fit the wire (wire.h: the site could
 * not log it), MM_ENOMEM. Nothing is added on error.
 */
mm_err_t hub_notice_add(hub_site_record_t *rec, const hub_notice_t *n, char *id, size_t cap);

/* hub_notice_add to site's record inside the caller's write transaction txn. */
mm_err_t hub_notice_add_in(hub_registry_t *r, MDB_txn *txn, const char *site,
                           const hub_notice_t *n, char *id, size_t cap);

/* The particulars of the decision on filing f (as above); NULL when out of memory. */
json_t *hub_notice_filing_detail(const hub_filing_t *f, hub_filing_state_t decision);

#endif
