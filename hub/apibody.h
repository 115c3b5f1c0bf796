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

#include "entry.h"
#include "err.h"

/* POST /api/v1/sites/{site}/filings/{filing}/decision
 *   {"decision": "accepted" | "returned", "reason": "..."}   (a return needs its reason) */
typedef struct {
    int accepted;                  /* 1 accepted, 0 returned */
    char reason[MM_LONG_TEXT_MAX]; /* "" when none */
} hub_decision_body_t;

/* MM_EPROTO with what is wrong in msg (naming the key). */
mm_err_t hub_body_decision(const char *body, size_t len, hub_decision_body_t *out, char *msg,
                           size_t cap);

#define HUB_MEASURE_FINDINGS_MAX 64

/* POST /api/v1/sites/{site}/measures
 *   {"kind": "guidance" | "recommendation", "findings": [finding ids, 1..64], "text": "..."} */
typedef struct {
    char kind[16];
    size_t n_findings;
    uint64_t findings[HUB_MEASURE_FINDINGS_MAX];
    char text[MM_LONG_TEXT_MAX];
} hub_measure_body_t;
mm_err_t hub_body_measure(const char *body, size_t len, hub_measure_body_t *out, char *msg,
                          size_t cap);

/* POST /api/v1/sites/{site}/measures/{id}/hearing
 *   {"action": "offer", "deadline": "YYYY-MM-DD", "text": "the letter"}
 *   {"action": "outcome", "outcome": "opinion_stated" | "no_opinion" | "declined",
 *    "text": "the record"} */
typedef struct {
    int offer; /* 1 offer, 0 outcome */
    char deadline[11];
    char outcome[16];
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
    char via[16];
} hub_complaint_body_t;
mm_err_t hub_body_complaint(const char *body, size_t len, hub_complaint_body_t *out, char *msg,
                            size_t cap);

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

#endif
