/*
 * session.h: the sessions of people logged in with a password and a TOTP code — at the site
 * console (edge/console.h) and at the hub's dashboard (hub/login.h) — and the parsing of the
 * headers that carry them.
 *
 * A session is made when a password is accepted and lives only in the daemon's memory (a
 * restart logs everybody out). Its id is 32 random bytes, sent once as 64 hex digits in a
 * cookie the daemon names (HttpOnly, Secure, SameSite=Strict, Path=/, the __Host- prefix so
 * that no other site on the name can set it); its CSRF token is 32 other random bytes that the
 * page reads from GET /api/session and sends back in the X-CSRF-Token header (or a "csrf" form
 * field) of every POST. Lookups compare in constant time.
 *
 * A session goes through stages: the password was right and a TOTP code is due
 * (MM_SESSION_TOTP), or the person has no confirmed second factor yet and must enrol one
 * (MM_SESSION_ENROL); only MM_SESSION_FULL reaches the site's operations. It ends at logout,
 * after idle_us without a request, idle_us from its start while not yet full, or absolute_us
 * after it began, whichever comes first; times are mm_now_us (the injectable clock).
 */
#ifndef COMMON_SESSION_H
#define COMMON_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"

#define MM_SESSION_HEX 65 /* 64 hex digits and a NUL */
#define MM_SESSIONS_MAX 64
#define MM_CSRF_HEADER "x-csrf-token"

typedef enum {
    MM_SESSION_TOTP = 0, /* password accepted, TOTP code due */
    MM_SESSION_ENROL,    /* password accepted, second factor to enrol */
    MM_SESSION_FULL,     /* logged in */
} mm_session_stage_t;

typedef struct {
    int live;
    uint8_t id[32];
    char csrf[MM_SESSION_HEX];
    char person[MM_ID_MAX];
    mm_session_stage_t stage;
    int64_t created_us, used_us;
    char peer[48]; /* the client's address when it logged in */
} mm_session_t;

typedef struct mm_sessions mm_sessions_t;

mm_sessions_t *mm_sessions_create(int64_t idle_us, int64_t absolute_us);
void mm_sessions_destroy(mm_sessions_t *s);

/*
 * A new session for person at stage, its id's hex into id_hex. When the table is full the
 * session used longest ago ends. NULL when no random bytes could be had.
 */
mm_session_t *mm_sessions_new(mm_sessions_t *s, const char *person, mm_session_stage_t stage,
                              const char *peer, int64_t now, char id_hex[MM_SESSION_HEX]);
/*
 * The live session whose id is id_hex (64 hex digits) at now, its use time moved to now; NULL
 * when there is none, with *why "none" (unknown id, malformed) or "expired" (it ended by time
 * and is removed now).
 */
mm_session_t *mm_sessions_find(mm_sessions_t *s, const char *id_hex, int64_t now, const char **why);
void mm_sessions_end(mm_sessions_t *s, mm_session_t *session);
/* Ends every session of person (a new password, a lock, a revocation). Returns how many. */
int mm_sessions_end_person(mm_sessions_t *s, const char *person);
/* How many sessions are live at now (expired ones are not counted). */
int mm_sessions_count(mm_sessions_t *s, int64_t now);

/* Whether token (NUL-terminated, NULL: none) is session's CSRF token; constant time. */
int mm_session_csrf_ok(const mm_session_t *session, const char *token);

/* --- parsing (pure, fuzzed) ----------------------------------------------------------------- */

/*
 * Finds cookie name in a Cookie header value (RFC 6265 "a=b; c=d", of len bytes) and copies its
 * value into out (cap bytes): 1 found, 0 absent, -1 malformed (a control character, a pair with
 * no '=', the cookie given twice, or a value that does not fit).
 */
int mm_cookie_get(const char *header, size_t len, const char *name, char *out, size_t cap);
/* Whether text (len bytes) is exactly 64 lower-case hex digits: a session id or CSRF token. */
int mm_token_ok(const char *text, size_t len);

#endif
