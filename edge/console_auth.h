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
 * password — are plain functions, unit tested against RFC 6238's vectors.
 */
#ifndef EDGE_CONSOLE_AUTH_H
#define EDGE_CONSOLE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"
#include "edge/store.h"

#define EDGE_PASSWORD_MIN 10  /* characters (code points) */
#define EDGE_PASSWORD_MAX 256 /* bytes */
#define EDGE_HASH_MAX 160     /* an encoded Argon2id hash, with its NUL */
#define EDGE_TOTP_SECRET_LEN 20
#define EDGE_TOTP_B32_LEN 33 /* 32 base32 characters and a NUL */
#define EDGE_TOTP_STEP_S 30
#define EDGE_TOTP_DIGITS 6
#define EDGE_OTPAUTH_MAX 512

typedef struct {
    char person[MM_ID_MAX];
    char hash[EDGE_HASH_MAX]; /* "$argon2id$v=19$m=...", "" when no password is set */
    uint8_t totp[EDGE_TOTP_SECRET_LEN];
    int totp_confirmed; /* a code from the person's app has been seen (enrolment done) */
    int64_t totp_last;  /* the last step accepted, so that no code logs in twice */
    int failures;       /* failed logins in a row */
    int locked;         /* until the manager unlocks it */
    int64_t changed_us; /* when the password was last set */
    char by[MM_ID_MAX]; /* who set it */
} edge_account_t;

/* --- the pure pieces ------------------------------------------------------------------------ */

/* NULL when password is acceptable, else why not: shorter than EDGE_PASSWORD_MIN characters,
 * longer than EDGE_PASSWORD_MAX bytes, not UTF-8, or holding a control character. */
const char *edge_password_problem(const char *password);
/* Hashes password with Argon2id (t=3, 64 MiB, 1 lane, a random 16-byte salt) into out (an
 * encoded string, EDGE_HASH_MAX bytes). Takes a tenth of a second or so: not on the loop when
 * it can be helped. MM_ECRYPTO. */
mm_err_t edge_password_hash(const char *password, char out[EDGE_HASH_MAX]);
/* 1 when password matches the encoded hash, else 0 (a malformed hash matches nothing). */
int edge_password_verify(const char *encoded, const char *password);

/* The code of step (Unix time / 30) for secret (RFC 6238 with SHA-1: RFC 4226's truncation, the
 * last EDGE_TOTP_DIGITS digits). */
uint32_t edge_totp_code(const uint8_t *secret, size_t len, uint64_t step);
/*
 * Checks code (exactly six ASCII digits) against the steps around now_us (one either side)
 * that come after last (the last step accepted): the step it matches, or -1. Comparisons take
 * the same time whatever the code.
 */
int64_t edge_totp_check(const uint8_t *secret, size_t len, const char *code, int64_t now_us,
                        int64_t last);
/* RFC 4648 base32 of in, without padding, into out (cap >= (8 * n + 4) / 5 + 1): 0, or -1. */
int edge_base32(const uint8_t *in, size_t n, char *out, size_t cap);
/* The otpauth:// URI an authenticator app reads (Key Uri Format): label "mimamori <site>:
 * <person>", issuer, secret, SHA1, 6 digits, 30 s. 0, or -1 when it does not fit. */
int edge_otpauth_uri(const char *site, const char *person, const uint8_t *secret, char *out,
                     size_t cap);

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
