/*
 * report.h: the report a site gives the city when the city asks for one (R-N10.1) — the city's
 * question, the manager's answer in words, what the site is, and counts of what its own log
 * holds for the period asked about.
 *
 * The report is compact JSON, at most MM_REPORT_MAX - 1 bytes, keys in this order:
 *
 *   {"site", "request", "from_us", "to_us", "generated_us", "question", "answer",
 *    "answered_by", "policy", "retention_days", "registered_retention_days",
 *    "cameras": [{"id", "state", "location"}], "manager", "operators": [ids],
 *    "counts": {"segments_recorded", "segments_erased", "access_allowed", "access_refused",
 *               "viewings", "emergency_grants", "emergency_reports", "complaints_received",
 *               "complaints_answered", "complaints_at_site", "camera_gaps", "holds_placed",
 *               "holds_released",
 *               "disclosures": {"requests", "by_legal_basis": {"consent", "law", "emergency",
 *                               "own_images"}, "by_state": {step: n, ...}}},
 *    "log_size"}
 *
 * "question" is the city's text of the request, "answer" the manager's, "answered_by" the
 * manager's person id. Counts are over the site-log entries whose time_us lies in
 * [from_us, to_us): segment_recorded entries; the segments the segments_erased entries erased
 * (the sum of their counts); access entries allowed and refused; viewings started; role_changed
 * entries granting emergency access; emergency_report entries; city_request entries of
 * complaints the city forwarded and request_answered entries answering them; complaints recorded
 * at the site itself ("complaints_at_site": site_complaint entries of the step "received");
 * camera_gap entries; hold_placed and
 * hold_released entries; and the disclosure requests with a disclosure entry in the period, each
 * counted once by its legal basis and once by its state, the last step the period holds of it
 * ("by_state" names only the steps that occur). log_size is the log's size when the report was
 * made. When the cameras or the operators would not fit, the last ones are left out and
 * "cameras_omitted" / "operators_omitted" say how many.
 *
 * The report says what the caller gives of the site (the configuration now, the cameras' states,
 * the operators in force) and reads the whole log once, in pages; only the entries in the period
 * are decoded in full. Runs on the loop thread.
 */
#ifndef EDGE_REPORT_H
#define EDGE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
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
    const char *policy; /* "kawaguchi", "naha", "city", "voluntary" */
    int retention_days;
    int registered_retention_days;
    const edge_report_camera_t *cameras;
    size_t n_cameras;
    const char *manager;          /* person id; NULL or "" when none */
    const char *const *operators; /* person ids of the operators in force */
    size_t n_operators;
} edge_report_site_t;

/* What was asked and what the manager answers; everything borrowed, NULL as "". */
typedef struct {
    const char *request;  /* the city request's id */
    const char *question; /* the city's text */
    const char *answer;   /* the manager's text */
    const char *by;       /* the manager's person id */
    int64_t from_us, to_us;
} edge_report_ask_t;

/*
 * Builds the report for ask at now_us into out (cap bytes, NUL-terminated; cap of MM_REPORT_MAX
 * suffices for any question and answer the wire and the control socket carry). MM_ERANGE when
 * even the report without cameras and operators does not fit in cap; store errors; MM_ECORRUPT
 * when a log entry does not decode; MM_ENOMEM.
 */
mm_err_t edge_report_build(edge_store_t *st, const edge_report_site_t *site,
                           const edge_report_ask_t *ask, int64_t now_us, char *out, size_t cap);

#endif
