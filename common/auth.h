/*
 * auth.h: how people prove who they are to the site console (edge/console.h) and to the hub's
 * dashboard (hub/login.h): a password kept as an Argon2id hash (Debian's libargon2) and a TOTP
 * second factor (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step either side
 * accepted, no step used twice), with the base32 text and the otpauth:// URI that an
 * authenticator app reads. Plain functions that need no store, unit tested against RFC 6238's
 * vectors. Neither a password nor a TOTP secret or code is ever logged by their callers.
 */
#ifndef COMMON_AUTH_H
#define COMMON_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define MM_PASSWORD_MIN 10  /* characters (code points) */
#define MM_PASSWORD_MAX 256 /* bytes */
#define MM_HASH_MAX 160     /* an encoded Argon2id hash, with its NUL */
#define MM_TOTP_SECRET_LEN 20
#define MM_TOTP_B32_LEN 33 /* 32 base32 characters and a NUL */
#define MM_TOTP_STEP_S 30
#define MM_TOTP_DIGITS 6
#define MM_OTPAUTH_MAX 512

/* NULL when password is acceptable, else why not: shorter than MM_PASSWORD_MIN characters,
 * longer than MM_PASSWORD_MAX bytes, not UTF-8, or holding a control character. */
const char *mm_password_problem(const char *password);
/* Hashes password with Argon2id (t=3, 64 MiB, 1 lane, a random 16-byte salt) into out (an
 * encoded string, MM_HASH_MAX bytes). Takes a tenth of a second or so: not on the loop when
 * it can be helped. MM_ECRYPTO. */
mm_err_t mm_password_hash(const char *password, char out[MM_HASH_MAX]);
/* 1 when password matches the encoded hash, else 0 (a malformed hash matches nothing). */
int mm_password_verify(const char *encoded, const char *password);
/* Whether encoded looks like an encoded Argon2id hash ("$argon2id$v=19$m=..,t=..,p=..$salt$hash"),
 * as a configuration file must hold it. */
int mm_password_hash_ok(const char *encoded);

/* The code of step (Unix time / 30) for secret (RFC 6238 with SHA-1: RFC 4226's truncation, the
 * last MM_TOTP_DIGITS digits). */
uint32_t mm_totp_code(const uint8_t *secret, size_t len, uint64_t step);
/*
 * Checks code (exactly six ASCII digits) against the steps around now_us (one either side)
 * that come after last (the last step accepted): the step it matches, or -1. Comparisons take
 * the same time whatever the code.
 */
int64_t mm_totp_check(const uint8_t *secret, size_t len, const char *code, int64_t now_us,
                      int64_t last);
/* RFC 4648 base32 of in, without padding, into out (cap >= (8 * n + 4) / 5 + 1): 0, or -1. */
int mm_base32(const uint8_t *in, size_t n, char *out, size_t cap);
/* Decodes RFC 4648 base32 text (upper or lower case, '=' padding allowed at the end only) into
 * out (cap bytes): the number of bytes, or -1 when text is not base32 or does not fit. */
int mm_base32_decode(const char *text, uint8_t *out, size_t cap);
/* The otpauth:// URI an authenticator app reads (Key Uri Format): label "mimamori <place>:
 * <person>" (place: the site's or the hub's name), issuer, secret (MM_TOTP_SECRET_LEN bytes),
 * SHA1, 6 digits, 30 s. 0, or -1 when it does not fit. */
int mm_otpauth_uri(const char *place, const char *person, const uint8_t *secret, char *out,
                   size_t cap);

#endif
