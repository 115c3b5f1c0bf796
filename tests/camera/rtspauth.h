/*
 * rtspauth.h: a camera's login for mimamori-testcam --replay: RTSP Basic, or Digest (RFC 2617
 * MD5, qop "auth" offered; a client's answer without qop is accepted too, as cameras do).
 */
#ifndef TC_RTSPAUTH_H
#define TC_RTSPAUTH_H

#include <stddef.h>

typedef struct {
    const char *user, *pass; /* NULL user: no login */
    int digest;
    char nonce[33];
} tc_auth_t;

#define TC_AUTH_REALM "mimamori-testcam"

/* Sets up a (user:pass from spec; digest or basic) with a fresh nonce. */
void tc_auth_init(tc_auth_t *a, const char *spec, int digest);

/* 1 when the request's Authorization value (hdr, len bytes; NULL when absent) lets it in. */
int tc_auth_ok(const tc_auth_t *a, const char *method, const char *hdr, size_t len);

/* A fresh nonce: answers made with the one before are refused from now on. */
void tc_auth_renew(tc_auth_t *a);

/* The WWW-Authenticate line of a 401 (with its CRLF) in out (cap bytes); stale (Digest): the
 * client's answer was right but for a nonce no longer current (RFC 2617 3.2.1). */
void tc_auth_challenge(const tc_auth_t *a, int stale, char *out, size_t cap);

#endif
