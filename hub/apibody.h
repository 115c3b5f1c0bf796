/*
 * apibody.h: the bodies of the hub API's requests that change something, checked strictly
 * before any handler acts: a JSON object with exactly the keys the request may have, each of
 * its type and within its bounds, UTF-8 without control characters (reasons may have newlines).
 * Every parser here has a fuzz target (tests/fuzz/fuzz_apibody.c).
 */
#ifndef HUB_APIBODY_H
#define HUB_APIBODY_H

#include <stddef.h>

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

#endif
