/*
 * console.h: the site console — the edge's own web console, on the site's network, over HTTPS
 * (console_http.h, console_tls.h), on the edge's loop. People of the site log in with their
 * password and TOTP code (console_auth.h; `mimamori-edge passwd` sets them) and get a session
 * (common/session.h); what they do goes through the same control operations as the CLI, as
 * themselves (ops.h edge_ops_call_as), decided and logged the same way.
 *
 * Routes (docs/protocol.md "Site console"); a POST needs X-CSRF-Token once a session exists and
 * is refused when its Origin is another site's; answers are JSON ({"error": {"status", "code",
 * "message"}} when refused) but for the pages and files:
 *
 *   GET  /                   the home page (index.html); it sends a person without a session to
 *   GET  /login              the login page: password, then TOTP code, or enrolment
 *   GET  /static/{name}      the compiled-in scripts, style sheet and icon (console_www.h)
 *   POST /api/login          person, password  ->  {"next": "code"|"enrol", "csrf"}, a session
 *                            cookie at its first stage; 401 wrong (after a second), 423 locked
 *   POST /api/login/code     code  ->  {"next": "home", "csrf"}: logged in, a new session id
 *   GET  /api/enrol          {"secret", "otpauth_uri"} of the secret to enrol (enrolment stage)
 *   GET  /api/enrol/qr.svg   the same URI as a QR code (image/svg+xml)
 *   POST /api/enrol          code  ->  {"next": "home", "csrf"}: enrolled and logged in
 *   GET  /api/session        {"person", "name", "role", "stage", "csrf", "site", "timezone"}
 *   POST /api/logout         ends the session
 *   GET  /api/status         what `mimamori-edge status` shows, for the person logged in
 *
 * Failed logins are answered after EDGE_CONSOLE_DELAY_MS, without holding the loop; after
 * max_failures in a row the account is locked until the manager unlocks it (`mimamori-edge
 * passwd PERSON --unlock`). Every login, logout, failure, lock and unlock is an access entry in
 * the site log (action "login", "logout", "login_failed", "locked", "unlocked"; account
 * "console"; reason the client's address and what happened), never with a password or code.
 *
 * New pages add their routes in a file of their own through console_impl.h (edge_console_route,
 * edge_console_call) and their views in edge/www (console.js's mmConsole.view).
 */
#ifndef EDGE_CONSOLE_H
#define EDGE_CONSOLE_H

#include <uv.h>

#include "common/err.h"
#include "edge/ops.h"
#include "edge/siteconf.h"

/* The session cookie (common/session.h): the __Host- prefix, so that no other site on the name
 * can set it. */
#define EDGE_SESSION_COOKIE "__Host-mm_console"
#define EDGE_CONSOLE_DELAY_MS 1000 /* a failed login's answer waits this long */

typedef struct edge_console edge_console_t;

/*
 * Starts the console cfg->console names (cfg->console.enabled): its certificate (made in
 * state_dir when the configuration names none), the HTTPS listener and the redirector. ops and
 * cfg are borrowed and must outlive it. MM_OK, or an error once logged.
 */
mm_err_t edge_console_create(uv_loop_t *loop, const edge_config_t *cfg, edge_ops_t *ops,
                             edge_console_t **out);
/* "https://host:port/" and the certificate's SHA-256 fingerprint. */
const char *edge_console_url(const edge_console_t *c);
const char *edge_console_fingerprint(const edge_console_t *c);
/* Stops listening, ends every session and pending answer; frees c once nothing is in flight.
 * Accepts NULL. */
void edge_console_close(edge_console_t *c);

#endif
