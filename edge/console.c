/*
 * console.c: the site console's life, its guard and its bridge to the control operations (see
 * console.h and console_impl.h).
 */
#include "edge/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/console_impl.h"

#define MINUTE_US (60LL * 1000000)

/* --- the log -------------------------------------------------------------------------------- */

void edge_console_entry(edge_console_t *c, const char *person, const char *action, int allowed,
                        const char *reason, mm_entry_t *e)
{
    memset(e, 0, sizeof *e);
    e->time_us = mm_now_us();
    e->kind = MM_ENTRY_ACCESS;
    mm_access_t *a = &e->u.access;
    int p = edge_governance_person(&c->cfg->gov, person);
    if (p >= 0)
        snprintf(a->person, sizeof a->person, "%s", person);
    snprintf(a->account, sizeof a->account, "console");
    a->role = edge_ops_role(c->ops, p);
    snprintf(a->action, sizeof a->action, "%s", action);
    a->allowed = allowed;
    snprintf(a->reason, sizeof a->reason, "%s", reason);
}

void edge_console_log(edge_console_t *c, const char *person, const char *action, int allowed,
                      const char *reason)
{
    mm_entry_t e;
    edge_console_entry(c, person, action, allowed, reason, &e);
    edge_ops_log(c->ops, &e);
}

/* --- the guard ------------------------------------------------------------------------------ */

void edge_console_cookie(edge_console_t *c, edge_http_req_t *req, const char *id_hex)
{
    char v[256];
    (void)c;
    if (id_hex)
        snprintf(v, sizeof v, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict",
                 EDGE_SESSION_COOKIE, id_hex);
    else
        snprintf(v, sizeof v, "%s=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
                 EDGE_SESSION_COOKIE);
    edge_http_set_header(req, "set-cookie", v);
}

mm_session_t *edge_console_session(const edge_http_req_t *req)
{
    return edge_http_data(req);
}

/* A POST from a page of another origin is refused (the browser names the page's origin). */
static int origin_ok(edge_http_req_t *req)
{
    char origin[256], host[256], want[300];
    int o = edge_http_header(req, "origin", origin, sizeof origin);
    if (o == 0)
        return 1; /* not a browser's cross-site request: the CSRF token decides */
    if (o < 0 || edge_http_authority(req, host, sizeof host) != 1)
        return 0;
    snprintf(want, sizeof want, "https://%s", host);
    return strcmp(origin, want) == 0;
}

/* The session the request's cookie names, or NULL with *why ("none", "expired", "malformed"). */
static mm_session_t *session_of(edge_console_t *c, edge_http_req_t *req, const char **why)
{
    char cookie[4096], id[MM_SESSION_HEX + 1];
    *why = "none";
    int got = edge_http_header(req, "cookie", cookie, sizeof cookie);
    if (got == 0)
        return NULL;
    int found =
        got == 1 ? mm_cookie_get(cookie, strlen(cookie), EDGE_SESSION_COOKIE, id, sizeof id) : -1;
    if (found < 0) {
        *why = "malformed";
        return NULL;
    }
    return found ? mm_sessions_find(c->sessions, id, mm_now_us(), why) : NULL;
}

static int stage_fits(unsigned need, const mm_session_t *s)
{
    switch (need) {
    case EDGE_NEED_STEP:
        return s->stage == MM_SESSION_TOTP;
    case EDGE_NEED_ENROL:
        return s->stage == MM_SESSION_ENROL;
    case EDGE_NEED_FULL:
        return s->stage == MM_SESSION_FULL;
    default:
        return 1;
    }
}

static int guard(void *arg, edge_http_req_t *req, unsigned need)
{
    edge_console_t *c = arg;
    char peer[64] = "?";
    edge_http_peer(req, peer, sizeof peer);
    int post = strcmp(edge_http_method(req), "GET") != 0 && strcmp(edge_http_method(req), "HEAD");
    if (post && !origin_ok(req)) {
        MM_WARN("console: %s %s from %s refused: another site's page", edge_http_method(req),
                edge_http_path(req), peer);
        edge_http_error(req, 403, "origin", "this request comes from another site's page");
        return -1;
    }
    const char *why;
    mm_session_t *s = session_of(c, req, &why);
    if (need == EDGE_NEED_NONE && !s)
        return 0;
    if (!s) {
        MM_INFO("console: %s %s from %s: no session (%s)", edge_http_method(req),
                edge_http_path(req), peer, why);
        edge_console_cookie(c, req, NULL);
        edge_http_error(req, 401, !strcmp(why, "expired") ? "expired" : "no_session",
                        !strcmp(why, "expired") ? "the session has expired: log in again"
                                                : "log in first");
        return -1;
    }
    if (!stage_fits(need, s)) {
        edge_http_error(req, 403, "stage", "the login is not at this step");
        return -1;
    }
    char token[128];
    if (post && (edge_http_header(req, MM_CSRF_HEADER, token, sizeof token) != 1 ||
                 !mm_session_csrf_ok(s, token))) {
        MM_WARN("console: %s %s from %s (%s) refused: no or wrong CSRF token",
                edge_http_method(req), edge_http_path(req), peer, s->person);
        edge_http_error(req, 403, "csrf", "the request lacks this session's X-CSRF-Token");
        return -1;
    }
    edge_http_set_data(req, s);
    return 0;
}

mm_err_t edge_console_route(edge_console_t *c, const char *method, const char *pattern,
                            unsigned need, edge_http_handler fn)
{
    return edge_http_route(c->http, method, pattern, need, fn, c);
}

/* --- the bridge ----------------------------------------------------------------------------- */

static int status_of(const char *code)
{
    static const struct {
        const char *code;
        int status;
    } map[] = {{"denied", 403},   {"not_found", 404},       {"invalid", 400},
               {"conflict", 409}, {"footage_missing", 410}, {"footage_altered", 409}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (code && !strcmp(code, map[i].code))
            return map[i].status;
    return 500;
}

static void call_answered(void *arg, json_t *answer)
{
    edge_http_req_t *req = arg;
    if (!answer) {
        edge_http_error(req, 500, "internal", "the operation gave no answer");
        return;
    }
    if (json_is_true(json_object_get(answer, "ok"))) {
        json_object_del(answer, "ok");
        edge_http_json(req, 200, answer);
        return;
    }
    const char *code = json_string_value(json_object_get(answer, "code"));
    const char *msg = json_string_value(json_object_get(answer, "error"));
    edge_http_error(req, status_of(code), code ? code : "internal", "%s", msg ? msg : "refused");
    json_decref(answer);
}

void edge_console_call(edge_console_t *c, edge_http_req_t *req, const edge_request_t *r)
{
    mm_session_t *s = edge_console_session(req);
    if (!s || s->stage != MM_SESSION_FULL) {
        edge_http_error(req, 401, "no_session", "log in first");
        return;
    }
    edge_ops_call_as(c->ops, s->person, r, call_answered, req);
}

/* --- life ----------------------------------------------------------------------------------- */

static void account_changed(void *arg, const char *person)
{
    edge_console_t *c = arg;
    int n = mm_sessions_end_person(c->sessions, person);
    if (n)
        MM_INFO("console: %d session(s) of %s ended: the account changed", n, person);
}

static mm_err_t listen_all(edge_console_t *c)
{
    char msg[256];
    const edge_console_conf_t *cc = &c->cfg->console;
    mm_err_t err = edge_http_create(c->loop, &cc->listen, c->ssl, &c->http, msg, sizeof msg);
    if (err == MM_OK && cc->redirect)
        err = edge_http_redirector(c->loop, &cc->http_redirect, edge_http_port(c->http),
                                   &c->redirector, msg, sizeof msg);
    if (err != MM_OK) {
        MM_ERROR("console: %s", msg);
        return err;
    }
    edge_http_set_guard(c->http, guard, c);
    const char *h = cc->listen.host;
    int wild = !strcmp(h, "0.0.0.0") || !strcmp(h, "::");
    snprintf(c->url, sizeof c->url, strchr(h, ':') && !wild ? "https://[%s]:%d/" : "https://%s:%d/",
             wild ? "127.0.0.1" : h, edge_http_port(c->http));
    return MM_OK;
}

mm_err_t edge_console_create(uv_loop_t *loop, const edge_config_t *cfg, edge_ops_t *ops,
                             edge_console_t **out)
{
    const edge_console_conf_t *cc = &cfg->console;
    edge_console_t *c = calloc(1, sizeof *c);
    if (!c)
        return MM_ENOMEM;
    c->loop = loop;
    c->cfg = cfg;
    c->ops = ops;
    c->accounts = edge_ops_accounts(ops);
    c->sessions =
        mm_sessions_create(cc->idle_minutes * MINUTE_US, cc->session_hours * 60 * MINUTE_US);
    char msg[512];
    mm_err_t err = c->sessions ? MM_OK : MM_ENOMEM;
    if (err == MM_OK)
        err = edge_console_tls(cc, cfg->state_dir, cfg->site, &c->ssl, c->fingerprint, msg,
                               sizeof msg);
    if (err != MM_OK) {
        MM_ERROR("console: %s", err == MM_ENOMEM ? "out of memory" : msg);
        mm_sessions_destroy(c->sessions);
        free(c);
        return err;
    }
    if ((err = listen_all(c)) == MM_OK && (err = edge_console_login_routes(c)) == MM_OK)
        err = edge_console_page_routes(c);
    if (err == MM_OK)
        err = edge_console_work_routes(c);
    if (err == MM_OK)
        err = edge_console_alerts_routes(c);
    if (err == MM_OK)
        err = edge_console_timeline_routes(c);
    if (err == MM_OK)
        err = edge_console_live_routes(c);
    if (err != MM_OK) {
        c->jobs = 0;
        edge_console_close(c);
        return err;
    }
    edge_ops_on_account(ops, account_changed, c);
    edge_ops_set_console(ops, c->url, c->fingerprint);
    MM_INFO("console: %s (certificate SHA-256 %s)", c->url, c->fingerprint);
    *out = c;
    return MM_OK;
}

const char *edge_console_url(const edge_console_t *c)
{
    return c->url;
}

const char *edge_console_fingerprint(const edge_console_t *c)
{
    return c->fingerprint;
}

static void console_free(edge_console_t *c)
{
    mm_sessions_destroy(c->sessions);
    /* The servers free themselves once their connections are gone (console_http.c); a
     * connection still open holds its own reference to the TLS context, which OpenSSL counts. */
    SSL_CTX_free(c->ssl);
    free(c);
}

void edge_console_job_done(edge_console_t *c)
{
    c->jobs--;
    if (c->closing && c->jobs == 0)
        console_free(c);
}

void edge_console_close(edge_console_t *c)
{
    if (!c)
        return;
    edge_ops_on_account(c->ops, NULL, NULL);
    edge_console_alerts_close(c);
    edge_console_live_close(c);
    edge_http_close(c->http);
    edge_http_close(c->redirector);
    c->closing = 1;
    if (c->jobs == 0)
        console_free(c);
}
