/*
 * console_impl.h: the inside of the site console (console.h), shared by its files and by
 * nothing else:
 *
 *   console.c        the module's life, the guard every route's request passes (session, stage,
 *                    CSRF, origin), the bridge to the control operations, the log of logins
 *   console_login.c  logging in: password (Argon2id on libuv's thread pool), TOTP code,
 *                    enrolment, logout, the session's description
 *   console_pages.c  the pages and static files, and the site's status
 *   common/qr.c     a QR code as SVG (libqrencode)
 *   console_alerts.c the site's alerts (alerts.h), answered at once or when they change
 *
 * A file that adds pages (the live view, the timeline, the site's work) registers its routes
 * with edge_console_route and calls operations with edge_console_call.
 */
#ifndef EDGE_CONSOLE_IMPL_H
#define EDGE_CONSOLE_IMPL_H

#include <openssl/ssl.h>

#include "common/session.h"
#include "edge/console.h"
#include "edge/console_auth.h"
#include "edge/console_http.h"
#include "edge/console_tls.h"

/* What a route needs before its handler runs (the guard, console.c). A POST always has its
 * origin checked, and its CSRF token once there is a session. */
enum {
    EDGE_NEED_NONE = 1,  /* anybody (checks only a POST's origin) */
    EDGE_NEED_STEP = 2,  /* a session at its TOTP stage */
    EDGE_NEED_ENROL = 3, /* a session at its enrolment stage */
    EDGE_NEED_ANY = 4,   /* a session at any stage */
    EDGE_NEED_FULL = 5,  /* logged in */
};

typedef struct edge_console_alerts edge_console_alerts_t;

#define EDGE_CONSOLE_JOBS 4 /* password checks at once; more are answered 503 */

struct edge_console {
    uv_loop_t *loop;
    const edge_config_t *cfg;
    edge_ops_t *ops;
    edge_accounts_t *accounts;
    mm_sessions_t *sessions;
    SSL_CTX *ssl;
    edge_http_t *http, *redirector;
    char url[128];
    char fingerprint[EDGE_FINGERPRINT_LEN];
    int jobs;    /* password checks and delayed answers in flight */
    int closing; /* freed when the last job ends */
    edge_console_alerts_t *alerts; /* console_alerts.c */
    struct edge_console_live *live; /* console_live.c: made at the first watch, else NULL */
};

/* Adds a route (console_http.h) guarded by need (EDGE_NEED_*). */
mm_err_t edge_console_route(edge_console_t *c, const char *method, const char *pattern,
                            unsigned need, edge_http_handler fn);
/* The session the guard found for req (NULL on an EDGE_NEED_NONE route without one). */
mm_session_t *edge_console_session(const edge_http_req_t *req);
/*
 * Runs r as the logged-in person of req's session (edge_ops_call_as) and answers req: 200 with
 * the operation's "result" (and "timezone"), or its refusal with the status its code means
 * (denied 403, not_found 404, invalid 400, conflict 409, else 500).
 */
void edge_console_call(edge_console_t *c, edge_http_req_t *req, const edge_request_t *r);

/* Appends an access entry for a console event (action "login", "login_failed", ...) of person
 * (an id, "" unknown), allowed or not, with reason, to e (not logged: edge_console_log does). */
void edge_console_entry(edge_console_t *c, const char *person, const char *action, int allowed,
                        const char *reason, mm_entry_t *e);
void edge_console_log(edge_console_t *c, const char *person, const char *action, int allowed,
                      const char *reason);
/* The Set-Cookie value of a session id (or, id NULL, of its removal). */
void edge_console_cookie(edge_console_t *c, edge_http_req_t *req, const char *id_hex);
/* The job count went down: frees c when it is closing and nothing is left. */
void edge_console_job_done(edge_console_t *c);

/* console_login.c, console_pages.c: their routes. */
mm_err_t edge_console_login_routes(edge_console_t *c);
mm_err_t edge_console_page_routes(edge_console_t *c);
/* console_work.c: the site's work (control operations) and the still frame. */
mm_err_t edge_console_work_routes(edge_console_t *c);
/* console_alerts.c: GET /api/alerts, and the end of its waiting requests at close. */
mm_err_t edge_console_alerts_routes(edge_console_t *c);
void edge_console_alerts_close(edge_console_t *c);
/* console_timeline.c: a camera's day and playback into the browser. */
mm_err_t edge_console_timeline_routes(edge_console_t *c);
/* console_live.c: the live view's routes; ending every watch when the console closes. */
mm_err_t edge_console_live_routes(edge_console_t *c);
void edge_console_live_close(edge_console_t *c);
/* common/qr.c: text as a QR code in SVG (malloc'd), or NULL. */

#endif
