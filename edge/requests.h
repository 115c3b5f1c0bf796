/*
 * requests.h: what the city asks of the site — complaints, report requests and measures asked
 * for (R-N10.1, R-N12) — and what it tells the site — its notices (R-N4.2, R-N10.2, R-N11) —
 * received, logged, answered and acknowledged.
 *
 * The hub sends its open requests with every acknowledgement (wire.h, mm_city_request_t) until
 * the site's log holds a city_request entry with the request's id. The edge logs each request
 * once, however often it arrives: the entry and the edge.meta record "request/<id>" (the request
 * as JSON, with its state) are written in one transaction, so the record says exactly whether
 * the entry exists.
 *
 * Disclosure requests (kind "disclosure") and the hub's notices that one was downloaded (kind
 * "disclosure_downloaded") are logged here like the others, with every field they carry kept in
 * the record, and then handed to disclosure.h, which decides nothing by words: they are neither
 * listed nor answered here (edge_requests_answer refuses them).
 *
 * Complaints, complaint measures and report requests wait for the manager, who answers them in
 * words (edge_requests_answer). A report request's answer carries a report (report.h): the
 * city's question, the manager's answer, what the site is and counts of its log over the period
 * asked about, compact JSON signed with the site's Ed25519 key (report_signature: the standard
 * base64 of the 64-byte signature of the report's bytes), in the request_answered entry with
 * `by` the manager.
 *
 * The city's notices (vocab.h mm_request_kind_is_notice: its decision on a filing, guidance, a
 * recommendation, a hearing offered, a publication, the city's rule for the retention period,
 * cityrule.h) carry a subject and their particulars
 * (detail, a JSON object; hub/notices.h lists them). They are listed by edge_requests_notices,
 * not by edge_requests_list, and acknowledged by the manager or an operator
 * (edge_requests_ack): a request_answered entry with `by` the person and their text, if any.
 *
 * Everything here runs on the loop thread.
 */
#ifndef EDGE_REQUESTS_H
#define EDGE_REQUESTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/crypto.h"
#include "common/err.h"
#include "common/wire.h"
#include "edge/report.h"
#include "edge/store.h"

/*
 * Handles requests as received from the hub (r[0..n)), at now_us: logs a city_request entry for
 * each id not seen before. Requests seen before are skipped, so the hub may send them again and
 * again. *logged (may be NULL) counts the entries appended, also when an error stops the rest.
 *
 * Returns MM_OK, or the first error: MM_EINVAL for a request that cannot be logged (an id that
 * is empty or too long for an entry, a detail that is no JSON object); MM_ECORRUPT when a stored
 * record is damaged; MM_ENOMEM; store errors. The other requests are handled all the same.
 */
mm_err_t edge_requests_receive(edge_store_t *st, const mm_city_request_t *r, size_t n,
                               int64_t now_us, size_t *logged);

/*
 * The manager answers request id in words: appends a request_answered entry (by: the manager's
 * person id; text: 1..2047 bytes) and marks the request answered, in one transaction. A report
 * request's entry also carries the report for its period with the question and this answer
 * (report.h), signed with key (the site's signing key, with its secret): site says what the
 * report says of the site. On success *out (may be NULL) is the request as edge_requests_list
 * shows it (caller owns it). Errors, with why in msg (cap bytes), nothing changed: MM_ENOTFOUND
 * (no such request), MM_ECONFLICT (a disclosure: the manager approves or denies it,
 * disclosure.h; a download notice; one of the city's notices: edge_requests_ack), MM_EEXIST
 * (answered already), MM_EINVAL (empty or over-long text or by; a report request with no key to
 * sign with), MM_ERANGE (the report does not fit), MM_ECORRUPT, store errors.
 */
mm_err_t edge_requests_answer(edge_store_t *st, const char *id, const char *by, const char *text,
                              const edge_report_site_t *site, const mm_ed25519_t *key,
                              int64_t now_us, json_t **out, char *msg, size_t cap);

/*
 * Someone (the manager or an operator: the caller decides who may) acknowledges the city's
 * notice id: appends a request_answered entry (by: their person id; text: "" or up to 2047
 * bytes) and marks the notice acknowledged, in one transaction. On success *out (may be NULL) is
 * the notice as edge_requests_notices shows it. Errors, with why in msg, nothing changed:
 * MM_ENOTFOUND (no such notice), MM_ECONFLICT (a request that is no notice), MM_EEXIST
 * (acknowledged already, by whom), MM_EINVAL (a bad by or text), MM_ECORRUPT, store errors.
 */
mm_err_t edge_requests_ack(edge_store_t *st, const char *id, const char *by, const char *text,
                           int64_t now_us, json_t **out, char *msg, size_t cap);

/*
 * The city's notices. With id: {"notice": {...}} of that one (MM_ENOTFOUND, with msg, when no
 * notice has that id). Without: {"notices": [...], "open": n}, the open ones only unless all, in
 * the order the city made them. A notice is {"id", "kind", "subject", "text", "detail" (the
 * particulars as an object, {} when none), "time_us" (when the city made it), "received_us",
 * "state" ("open" or "acknowledged"), "acknowledged_us", "by", "answer" (the acknowledgement's
 * text)}. The caller owns *out. MM_ECORRUPT, MM_ENOMEM, store errors.
 */
mm_err_t edge_requests_notices(edge_store_t *st, const char *id, int all, json_t **out, char *msg,
                               size_t cap);

/*
 * The city's latest decision on a filing of the standards (the filing_decision notice with a
 * "version", the latest the city made): {"notice", "decision" ("accepted" or "returned"),
 * "version", "time_us", "date" (its day in Japan, "YYYY-MM-DD"), "reason" (the notice's text),
 * "acknowledged"}; *out NULL when there is none. MM_ECORRUPT, MM_ENOMEM, store errors.
 */
mm_err_t edge_requests_filing_decision(edge_store_t *st, json_t **out);

/*
 * The logged request id as received (every field, disclosures' too). MM_ENOTFOUND when the site
 * has not logged it, MM_ECORRUPT, MM_ENOMEM, store errors.
 */
mm_err_t edge_requests_get(edge_store_t *st, const char *id, mm_city_request_t *out);

/*
 * Calls fn for every logged request of kind "disclosure" or "disclosure_downloaded", in id order,
 * outside any transaction (fn may write). Returns the first error of the walk, else the first
 * error fn returned (the others are called all the same).
 */
mm_err_t edge_requests_each_disclosure(edge_store_t *st,
                                       mm_err_t (*fn)(void *arg, const mm_city_request_t *q),
                                       void *arg);

/*
 * Calls fn for every logged request of kind (every field as received), in id order, outside any
 * transaction; errors as edge_requests_each_disclosure.
 */
mm_err_t edge_requests_each_of(edge_store_t *st, mm_request_kind_t kind,
                               mm_err_t (*fn)(void *arg, const mm_city_request_t *q), void *arg);

/*
 * Every request received but disclosures and notices, in id order: {"requests": [{"id", "kind",
 * "state" ("open" or "answered"), "received_us", "time_us" (the city's), "deadline_us",
 * "overdue" (open past its deadline at now_us), "camera", "text", "from_us", "to_us",
 * "complaint", "answered_us", "by"}], "open": n}. The caller owns *out. MM_ECORRUPT when a
 * record is damaged, MM_ENOMEM, store errors.
 */
mm_err_t edge_requests_list(edge_store_t *st, int64_t now_us, json_t **out);

#endif
