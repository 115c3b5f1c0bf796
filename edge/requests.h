/*
 * requests.h: what the city asks of the site — complaints, report requests and measures asked
 * for (R-N10.1, R-N12) — received, logged and answered.
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
 * A report request is answered by the edge itself, at once: a report built from the site's own
 * records (the configuration's facts as the caller gives them, and counts of the log's entries
 * in the period asked for), signed with the site's Ed25519 key, in a request_answered entry with
 * `by` "". Complaints and complaint measures wait for the manager, who answers them in words
 * (edge_requests_answer).
 *
 * The report is compact JSON, at most MM_REPORT_MAX - 1 bytes, keys in this order:
 *
 *   {"site", "from_us", "to_us", "generated_us", "policy", "retention_days",
 *    "registered_retention_days", "cameras": [{"id", "state", "location"}], "manager",
 *    "operators": [ids], "counts": {"segments_recorded", "segments_erased", "access_allowed",
 *    "access_refused", "viewings", "emergency_grants", "emergency_reports",
 *    "complaints_received", "complaints_answered", "camera_gaps"}, "log_size"}
 *
 * Counts are over the site-log entries whose time_us lies in [from_us, to_us): segment_recorded
 * entries; the segments the segments_erased entries erased (the sum of their counts); access
 * entries allowed and refused; viewings started; role_changed entries granting emergency access;
 * emergency_report entries; city_request entries of complaints; request_answered entries of
 * complaints; camera_gap entries. log_size is the log's size when the report was made (it
 * includes the request's own city_request entry). When the cameras or the operators would not
 * fit, the last ones are left out and "cameras_omitted" / "operators_omitted" say how many.
 * The signature (report_signature) is the standard base64 of the 64-byte Ed25519 signature of
 * the report's bytes.
 *
 * Everything here runs on the loop thread; a report reads the whole log once (in pages, only the
 * entries in the period are decoded in full).
 */
#ifndef EDGE_REQUESTS_H
#define EDGE_REQUESTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/crypto.h"
#include "common/err.h"
#include "common/wire.h"
#include "edge/store.h"

/* One camera as a report shows it. */
typedef struct {
    const char *id;
    const char *state;    /* "recording", "suspended", "abolished" */
    const char *location; /* may be NULL */
} edge_report_camera_t;

/* What a report says of the site besides its log; everything borrowed. */
typedef struct {
    const char *site;
    const char *policy; /* "kawaguchi", "naha" */
    int retention_days;
    int registered_retention_days;
    const edge_report_camera_t *cameras;
    size_t n_cameras;
    const char *manager;          /* person id; NULL or "" when none */
    const char *const *operators; /* person ids of the operators in force */
    size_t n_operators;
} edge_report_site_t;

/*
 * Handles requests as received from the hub (r[0..n)), at now_us: logs a city_request entry for
 * each id not seen before, and answers each report request that is still open with a signed
 * report (key: the site's signing key, with its secret). Requests seen before are skipped, so
 * the hub may send them again and again. *logged (may be NULL) counts the entries appended,
 * also when an error stops the rest.
 *
 * Returns MM_OK, or the first error: MM_EINVAL for a request that cannot be logged (an id that
 * is empty or too long for an entry); MM_ECORRUPT when a stored record is damaged; MM_ENOMEM;
 * store errors. The other requests are handled all the same.
 */
mm_err_t edge_requests_receive(edge_store_t *st, const mm_city_request_t *r, size_t n,
                               const edge_report_site_t *site, const mm_ed25519_t *key,
                               int64_t now_us, size_t *logged);

/*
 * Answers every report request that is logged but still open (the edge stopped between the
 * request's entry and its answer, or the report could not be made then). Run at start. *logged
 * as above.
 */
mm_err_t edge_requests_catch_up(edge_store_t *st, const edge_report_site_t *site,
                                const mm_ed25519_t *key, int64_t now_us, size_t *logged);

/*
 * Builds the report for [from_us, to_us) at now_us into out (cap bytes, NUL-terminated; cap of
 * MM_REPORT_MAX suffices). MM_ERANGE when even the report without cameras and operators does
 * not fit in cap; store errors; MM_ECORRUPT when a log entry does not decode.
 */
mm_err_t edge_requests_report(edge_store_t *st, const edge_report_site_t *site, int64_t from_us,
                              int64_t to_us, int64_t now_us, char *out, size_t cap);

/*
 * The manager answers request id in words: appends a request_answered entry (by: the manager's
 * person id; text: 1..2047 bytes) and marks the request answered, in one transaction. On
 * success *out (may be NULL) is the request as edge_requests_list shows it (caller owns it).
 * Errors, with why in msg (cap bytes), nothing changed: MM_ENOTFOUND (no such request),
 * MM_ECONFLICT (a report request: the edge answers those itself; a disclosure: the manager
 * approves or denies it, disclosure.h; a download notice), MM_EEXIST (answered already),
 * MM_EINVAL (empty or over-long text or by), MM_ECORRUPT, store errors.
 */
mm_err_t edge_requests_answer(edge_store_t *st, const char *id, const char *by, const char *text,
                              int64_t now_us, json_t **out, char *msg, size_t cap);

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
 * Every request received but disclosures, in id order: {"requests": [{"id", "kind", "state" ("open"
 * or "answered"), "received_us", "time_us" (the city's), "deadline_us", "overdue" (open past its
 * deadline at now_us), "camera", "text", "from_us", "to_us", "complaint", "answered_us", "by"}],
 * "open": n}. The caller owns *out. MM_ECORRUPT when a record is damaged, MM_ENOMEM, store
 * errors.
 */
mm_err_t edge_requests_list(edge_store_t *st, int64_t now_us, json_t **out);

#endif
