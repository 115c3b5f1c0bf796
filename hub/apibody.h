/*
 * apibody.h: the bodies of the hub API's requests that change something, checked strictly
 * before any handler acts: a JSON object with exactly the keys the request may have, each of
 * its type and within its bounds, UTF-8 without control characters (reasons may have newlines).
 * Every parser here has a fuzz target (tests/fuzz/fuzz_apibody.c).
 */
#ifndef HUB_APIBODY_H
#define HUB_APIBODY_H

#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"
#include "common/vocab.h"
#include "common/wire.h"
#include "hub/measures.h"
#include "hub/registry.h"

/* POST /api/v1/sites/{site}/filings/{filing}/decision
 *   {"decision": "accepted" | "returned", "reason": "..."}   (a return needs its reason) */
typedef struct {
    hub_filing_state_t decision;   /* HUB_FILING_STATE_ACCEPTED or _RETURNED */
    char reason[MM_LONG_TEXT_MAX]; /* "" when none */
} hub_decision_body_t;

/* MM_EPROTO with what is wrong in msg (naming the key). */
mm_err_t hub_body_decision(const char *body, size_t len, hub_decision_body_t *out, char *msg,
                           size_t cap);

/* POST /api/v1/sites/{site}/measures
 *   {"kind": "guidance" | "recommendation", "findings": [finding ids, 1..64], "text": "..."} */
typedef struct {
    hub_measure_kind_t kind;
    size_t n_findings;
    uint64_t findings[HUB_MEASURE_FINDINGS_MAX];
    char text[MM_LONG_TEXT_MAX];
} hub_measure_body_t;
mm_err_t hub_body_measure(const char *body, size_t len, hub_measure_body_t *out, char *msg,
                          size_t cap);

/* POST /api/v1/sites/{site}/measures/{id}/hearing
 *   {"action": "offer", "deadline": "YYYY-MM-DD", "date": "YYYY-MM-DD[ HH:MM]", "place": "...",
 *    "how": "...", "text": "the letter"}
 *   {"action": "outcome", "outcome": "opinion_stated" | "no_opinion" | "declined",
 *    "text": "the record"}
 * An offer's date is the hearing's, in Japan time ("T" may stand for the space, as a browser's
 * datetime-local gives it; it is stored with a space); place is one line (at most 255 bytes);
 * how (how the party answers) at most 511 bytes. An offer without its date, place or how is
 * MM_EINVAL, with msg naming the missing key (the API answers 422: the body is well formed but
 * the offer is not complete); every other fault is MM_EPROTO. */
typedef struct {
    int offer; /* 1 offer, 0 outcome */
    char deadline[11];
    char date[HUB_HEARING_DATE_MAX];
    char place[HUB_HEARING_PLACE_MAX];
    char how[HUB_HEARING_HOW_MAX];
    hub_hearing_outcome_t outcome; /* an outcome's */
    char text[MM_LONG_TEXT_MAX];
} hub_hearing_body_t;
mm_err_t hub_body_hearing(const char *body, size_t len, hub_hearing_body_t *out, char *msg,
                          size_t cap);

/* POST /api/v1/sites/{site}/measures/{id}/publication  {"text": "what is published"} */
typedef struct {
    char text[MM_LONG_TEXT_MAX];
} hub_publication_body_t;
mm_err_t hub_body_publication(const char *body, size_t len, hub_publication_body_t *out, char *msg,
                              size_t cap);

/* POST /api/v1/complaints
 *   {"site": "...", "camera": "...", "text": "...", "contact": "...", "via": "public" | "staff"}
 * (camera and contact optional; via defaults to "public") */
typedef struct {
    char site[MM_ID_MAX];
    char camera[MM_ID_MAX];
    char text[MM_LONG_TEXT_MAX];
    char contact[256];
    hub_complaint_via_t via;
} hub_complaint_body_t;
mm_err_t hub_body_complaint(const char *body, size_t len, hub_complaint_body_t *out, char *msg,
                            size_t cap);

/*
 * POST /api/v1/public/sites/{site}/complaints (anyone, no login: a resident complains online)
 *   {"text": "what happened", "contact": "how to reach me", "camera": "cam1"}
 * The whole body at most HUB_PUBLIC_BODY_MAX bytes: MM_ETOOBIG beyond (the handler answers 413).
 * text required: 1 to HUB_PUBLIC_TEXT_CHARS characters that fit the site log's text (fewer than
 * MM_LONG_TEXT_MAX bytes of UTF-8), no control characters but line breaks; contact optional: one
 * line of at most 255 bytes; camera optional: a camera id (A-Z a-z 0-9 . _ -, at most 63 bytes),
 * which the caller checks against the site's cameras. Else MM_EPROTO with why in msg.
 */
#define HUB_PUBLIC_BODY_MAX 4096
#define HUB_PUBLIC_TEXT_CHARS 2000
typedef struct {
    char text[MM_LONG_TEXT_MAX];
    char contact[256];
    char camera[MM_ID_MAX];
} hub_public_complaint_body_t;
mm_err_t hub_body_public_complaint(const char *body, size_t len, hub_public_complaint_body_t *out,
                                   char *msg, size_t cap);

/* POST .../requests/{id}/appeal {"text"}; .../requests/{id}/measures {"text", "deadline_days"};
 * POST /api/v1/sites/{site}/report-requests {"from_us", "to_us", "text", "deadline_days"}
 * (text optional for report requests; deadline_days 1..90, default 14) */
typedef struct {
    char text[MM_LONG_TEXT_MAX];
    int deadline_days;
    int64_t from_us, to_us;
} hub_request_body_t;
mm_err_t hub_body_appeal(const char *body, size_t len, hub_request_body_t *out, char *msg,
                         size_t cap);
mm_err_t hub_body_measures(const char *body, size_t len, hub_request_body_t *out, char *msg,
                           size_t cap);
mm_err_t hub_body_report_request(const char *body, size_t len, hub_request_body_t *out, char *msg,
                                 size_t cap);

/*
 * POST /api/v1/disclosures
 *   {"site": "...", "cameras": ["cam1", ...], "from_us": .., "to_us": ..,
 *    "legal_basis": "consent" | "law" | "emergency" | "own_images",
 *    "reference": "...", "reason": "...", "recipient": "age1...", "organisation": "..."}
 * cameras: 1..16 distinct camera ids (A-Z a-z 0-9 . _ -, at most 63 bytes); from_us >= 0 and
 * before to_us; reference (one line, at most 255 bytes) required for law (the warrant or the
 * inquiry's number) and consent (the subject's written consent), optional otherwise; reason
 * required (at most 2047 bytes, may have newlines); recipient an age X25519 recipient that
 * parses; organisation optional (one line, at most 255 bytes). What needs the clock, the
 * configuration or the site's record (a range in the future or too long, an unknown site or
 * camera) is checked by the disclosure module (disclosure.h).
 */
typedef struct {
    char site[MM_ID_MAX];
    size_t n_cameras;
    char cameras[MM_REQUEST_CAMERAS_MAX][MM_ID_MAX];
    int64_t from_us, to_us;
    mm_legal_basis_t legal_basis;
    char reference[MM_TEXT_MAX];
    char reason[MM_LONG_TEXT_MAX];
    char recipient[128];
    char organisation[MM_TEXT_MAX];
} hub_disclosure_body_t;
mm_err_t hub_body_disclosure(const char *body, size_t len, hub_disclosure_body_t *out, char *msg,
                             size_t cap);

#endif
