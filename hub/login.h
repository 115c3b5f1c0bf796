/*
 * login.h: people log in to the hub's dashboard with a password (Argon2id) and a TOTP code
 * (common/auth.h), into a session (common/session.h) carried by the cookie HUB_SESSION_COOKIE
 * (HttpOnly, Secure, SameSite=Strict, Path=/, the __Host- prefix). Machines go on using bearer
 * tokens (hub/http.h); a request with an Authorization header is judged by its token alone.
 *
 *   POST /api/v1/login    {"person": "kanri", "password": "...", "code": "123456"}
 *                         -> 200 {"person", "name", "role", "csrf"} and Set-Cookie;
 *                            401 login_failed (the same answer for an unknown person, a wrong
 *                            password and a wrong code), 423 locked, 400 bad_body
 *   GET  /api/v1/session  -> 200 {"person", "name", "role", "csrf"} (csrf null for a token)
 *   POST /api/v1/logout   -> 200 {"ended": true}
 *
 * Every POST, PUT and DELETE made with the cookie must carry the session's CSRF token in the
 * X-CSRF-Token header (403 csrf otherwise); a session ends after the configured idle time or
 * lifetime ("sessions", hub/hubconf.h; 401 session_expired), at logout, and when its person is
 * removed or gets a new password at a reload (hub_login_reloaded). lock_after failed logins in a
 * row lock the person out for lock_seconds (423). Logins, failures, locks and logouts go to the
 * diagnostic log with the person and the peer's address — never a password or a code.
 */
#ifndef HUB_LOGIN_H
#define HUB_LOGIN_H

#include <stddef.h>

#include "common/auth.h"
#include "common/err.h"
#include "common/session.h"
#include "hub/http.h"
#include "hub/hubconf.h"

#define HUB_SESSION_COOKIE "__Host-mm_hub"

typedef struct hub_login hub_login_t;

/* The login's routes on h, and the session hook of h's authorization (hub_http_set_sessions);
 * cfg must outlive l (a reload changes it in place). */
mm_err_t hub_login_create(hub_http_t *h, const hub_config_t *cfg, hub_login_t **out);
void hub_login_destroy(hub_login_t *l);
/* After a reload: the sessions of people removed, or whose password or TOTP secret changed,
 * end; the other sessions go on. old is the configuration before the reload. */
void hub_login_reloaded(hub_login_t *l, const hub_config_t *old);

/* --- the login form (pure, fuzzed: tests/fuzz/fuzz_hublogin.c) ------------------------------ */

typedef struct {
    char person[MM_KEY_NAME_MAX];
    char password[MM_PASSWORD_MAX + 1];
    char code[MM_TOTP_DIGITS + 1];
} hub_login_form_t;

/* Parses the body of POST /api/v1/login: a JSON object with exactly "person" (a person id),
 * "password" (1 to MM_PASSWORD_MAX bytes, no NUL) and "code" (six digits). NULL, or what is
 * wrong (a sentence naming the key; never the values). */
const char *hub_login_parse(const char *body, size_t len, hub_login_form_t *out);

#endif
