/*
 * console_auth.h: how people prove who they are to the site console (console.h) — a password
 * kept as an Argon2id hash (Debian's libargon2) and a TOTP second factor (RFC 6238: HMAC-SHA-1,
 * 6 digits, 30-second steps, one step either side accepted, no step used twice) — and the
 * accounts that hold them, one per person of the site, in the edge's LMDB.
 *
 *   console.accounts  person id  ->  the account, JSON (console_auth.c)
 *
 * An account is written only in one transaction with the site-log entry that says so (an access
 * entry: who set the password, who was locked or unlocked), as the holds are (vault.h). Neither
 * the password nor the TOTP secret ever goes into the log or the diagnostic log. The secret is
 * kept as it is (a TOTP check needs it); the store's directory is the daemon's alone (0700).
 *
 * The pieces that need no store — hashing, TOTP codes, base32, otpauth URIs, the rules of a good
 * password — are common/auth.h's, shared with the hub's dashboard.
 */
#ifndef EDGE_CONSOLE_AUTH_H
#define EDGE_CONSOLE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "common/auth.h"
#include "common/entry.h"
#include "common/err.h"
#include "edge/store.h"

typedef struct {
    char person[MM_ID_MAX];
    char hash[MM_HASH_MAX]; /* "$argon2id$v=19$m=...", "" when no password is set */
    uint8_t totp[MM_TOTP_SECRET_LEN];
    int totp_confirmed; /* a code from the person's app has been seen (enrolment done) */
    int64_t totp_last;  /* the last step accepted, so that no code logs in twice */
    int failures;       /* failed logins in a row */
    int locked;         /* until the manager unlocks it */
    int64_t changed_us; /* when the password was last set */
    char by[MM_ID_MAX]; /* who set it */
} edge_account_t;

/* --- the accounts --------------------------------------------------------------------------- */

typedef struct edge_accounts edge_accounts_t;

/* Opens (creating) the accounts' table in store's environment. MM_ENOMEM, mm_db_dbi's errors. */
mm_err_t edge_accounts_open(edge_store_t *store, edge_accounts_t **out);
void edge_accounts_close(edge_accounts_t *a);

/* person's account into out: MM_OK, MM_ENOTFOUND (none yet), MM_ECORRUPT, or the store's. */
mm_err_t edge_accounts_get(edge_accounts_t *a, const char *person, edge_account_t *out);
/* Writes acc and appends e[0..n) (their times set by the caller) to the site log in one
 * transaction. */
mm_err_t edge_accounts_put(edge_accounts_t *a, const edge_account_t *acc, const mm_entry_t *e,
                           size_t n);

#endif
