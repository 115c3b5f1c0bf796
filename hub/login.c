/*
 * login.c: the dashboard's login and sessions (see login.h).
 */
#include "hub/login.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/keys.h"

/* What the hub remembers of a person's logins between requests (memory only). */
typedef struct {
    char person[MM_KEY_NAME_MAX];
    int failures;         /* in a row */
    int64_t locked_until; /* 0: not locked */
    int64_t totp_last;    /* the last TOTP step accepted: no code logs in twice */
} tries_t;

struct hub_login {
    const hub_config_t *cfg;
    char decoy[MM_HASH_MAX]; /* checked for a person who has no password, so that the answer
                                takes as long as for one who has */
    mm_sessions_t *sessions;
    tries_t tries[HUB_MAX_PEOPLE];
};

/* --- the form ------------------------------------------------------------------------------- */

/* The string at key of o into out (cap bytes): NULL, or what is wrong. */
static const char *form_string(json_t *o, const char *key, char *out, size_t cap)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return "needs \"person\", \"password\" and \"code\", each a string";
    size_t n = json_string_length(v);
    if (n == 0 || n >= cap || memchr(json_string_value(v), 0, n))
        return NULL; /* the caller names the key */
    memcpy(out, json_string_value(v), n + 1);
    return "";
}

const char *hub_login_parse(const char *body, size_t len, hub_login_form_t *out)
{
    memset(out, 0, sizeof *out);
    if (!body || len == 0)
        return "the body must be a JSON object {\"person\", \"password\", \"code\"}";
    json_error_t jerr;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *why = NULL;
    if (!json_is_object(o))
        why = "the body must be a JSON object {\"person\", \"password\", \"code\"}";
    else if (json_object_size(o) != 3)
        why = "the body has exactly the keys \"person\", \"password\" and \"code\"";
    const char *r;
    if (!why && (r = form_string(o, "person", out->person, sizeof out->person)) != NULL && *r)
        why = r;
    else if (!why && (!r || !mm_keys_name_ok(out->person)))
        why = "\"person\" must be a person's id (1-63 characters of A-Z a-z 0-9 . _ -)";
    if (!why && (r = form_string(o, "password", out->password, sizeof out->password)) != NULL && *r)
        why = r;
    else if (!why && !r)
        why = "\"password\" must be 1 to 256 bytes";
    if (!why && (r = form_string(o, "code", out->code, sizeof out->code)) != NULL && *r)
        why = r;
    else if (!why && !r)
        why = "\"code\" must be the six digits the authenticator app shows";
    for (int i = 0; !why && i < MM_TOTP_DIGITS; i++)
        if (out->code[i] < '0' || out->code[i] > '9')
            why = "\"code\" must be the six digits the authenticator app shows";
    json_decref(o);
    if (why)
        OPENSSL_cleanse(out, sizeof *out);
    return why;
}

/* --- the tries ------------------------------------------------------------------------------ */

static tries_t *tries_of(hub_login_t *l, const char *person)
{
    tries_t *free_slot = NULL;
    for (size_t i = 0; i < HUB_MAX_PEOPLE; i++) {
        if (!strcmp(l->tries[i].person, person))
            return &l->tries[i];
        if (!free_slot && !l->tries[i].person[0])
            free_slot = &l->tries[i];
    }
    if (free_slot)
        snprintf(free_slot->person, sizeof free_slot->person, "%s", person);
    return free_slot;
}

/* --- the answers ---------------------------------------------------------------------------- */

static json_t *who_json(const hub_person_t *p, const char *csrf)
{
    return json_pack("{s:s, s:s, s:s, s:s?}", "person", p->id, "name", p->name, "role",
                     hub_role_name(p->role), "csrf", csrf);
}

static void set_cookie(hub_http_req_t *req, const char *value, int max_age)
{
    char c[256];
    snprintf(c, sizeof c, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=%d",
             HUB_SESSION_COOKIE, value, max_age);
    hub_http_set_header(req, "set-cookie", c);
}

/* Checks the password and the code of a person who may log in (p and t NULL: someone unknown,
 * checked against the decoy all the same): 1 when both are right. */
static int proves(hub_login_t *l, const hub_person_t *p, tries_t *t, const hub_login_form_t *f,
                  int64_t now)
{
    int pw = mm_password_verify(p && p->password[0] ? p->password : l->decoy, f->password) && p &&
             p->password[0];
    if (!p || !t)
        return 0;
    int64_t step = pw ? mm_totp_check(p->totp, p->totp_len, f->code, now, t->totp_last) : -1;
    if (step < 0)
        return 0;
    t->totp_last = step;
    return 1;
}

static void post_login(hub_http_req_t *req, void *arg)
{
    hub_login_t *l = arg;
    size_t len;
    const char *body = hub_http_body(req, &len);
    hub_login_form_t f;
    const char *why = hub_login_parse(body, len, &f);
    char peer[64] = "?";
    hub_http_peer(req, peer, sizeof peer);
    if (why) {
        hub_http_error(req, 400, "bad_body", "%s", why);
        return;
    }
    int64_t now = mm_now_us();
    const hub_person_t *p = hub_config_person(l->cfg, f.person);
    tries_t *t = p ? tries_of(l, p->id) : NULL;
    if (t && t->locked_until > now) {
        MM_WARN("login: %s refused from %s: locked after %d failed logins", p->id, peer,
                t->failures);
        hub_http_error(req, 423, "locked",
                       "too many failed logins: this account is locked for a while");
    } else if (!proves(l, p, t, &f, now)) {
        if (t) {
            t->failures++;
            if (t->failures >= l->cfg->sessions.lock_after) {
                t->locked_until = now + (int64_t)l->cfg->sessions.lock_s * 1000000;
                MM_WARN("login: %s locked for %d s after %d failed logins (the last from %s)",
                        p->id, l->cfg->sessions.lock_s, t->failures, peer);
            }
        }
        MM_WARN("login: failed for %s from %s: %s", p ? p->id : "an unknown person", peer,
                p && !p->password[0] ? "no password is set" : "wrong password or code");
        hub_http_error(req, 401, "login_failed", "the person, the password or the code is wrong");
    } else {
        char id[MM_SESSION_HEX];
        mm_session_t *s = mm_sessions_new(l->sessions, p->id, MM_SESSION_FULL, peer, now, id);
        if (!s) {
            hub_http_error(req, 500, "internal", "no random bytes for a session");
        } else {
            t->failures = 0;
            t->locked_until = 0;
            MM_INFO("login: %s (%s) logged in from %s", p->id, hub_role_name(p->role), peer);
            set_cookie(req, id, l->cfg->sessions.absolute_s);
            hub_http_json(req, 200, who_json(p, s->csrf));
        }
        OPENSSL_cleanse(id, sizeof id);
    }
    OPENSSL_cleanse(&f, sizeof f);
}

/* The session of req's cookie: found (1), none (0), expired (-1) or a malformed cookie (-2). */
static int find_session(hub_login_t *l, hub_http_req_t *req, mm_session_t **out)
{
    char cookie[4096], id[MM_SESSION_HEX + 1];
    int got = hub_http_header(req, "cookie", cookie, sizeof cookie);
    if (got == 0)
        return 0;
    int found =
        got == 1 ? mm_cookie_get(cookie, strlen(cookie), HUB_SESSION_COOKIE, id, sizeof id) : -1;
    if (found == 0)
        return 0;
    if (found < 0)
        return -2;
    const char *why;
    *out = mm_sessions_find(l->sessions, id, mm_now_us(), &why);
    OPENSSL_cleanse(id, sizeof id);
    if (*out)
        return 1;
    return strcmp(why, "expired") == 0 ? -1 : 0;
}

static const hub_person_t *session_caller(hub_http_req_t *req, void *arg)
{
    hub_login_t *l = arg;
    mm_session_t *s = NULL;
    int got = find_session(l, req, &s);
    if (got == -1) {
        set_cookie(req, "", 0);
        hub_http_error(req, 401, "session_expired", "the session has ended; please log in again");
        return NULL;
    }
    if (got == -2)
        hub_http_error(req, 400, "bad_cookie", "the Cookie header is malformed");
    if (got != 1)
        return NULL;
    const hub_person_t *p = hub_config_person(l->cfg, s->person);
    if (!p) {
        mm_sessions_end(l->sessions, s);
        return NULL;
    }
    char method[16] = "";
    hub_http_method(req, method, sizeof method);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        char token[MM_SESSION_HEX + 1];
        int t = hub_http_header(req, MM_CSRF_HEADER, token, sizeof token);
        if (t != 1 || !mm_session_csrf_ok(s, token)) {
            MM_WARN("login: %s's %s without its CSRF token refused", p->id, method);
            hub_http_error(req, 403, "csrf",
                           "a change made with the session cookie needs its X-CSRF-Token header");
            return NULL;
        }
    }
    return p;
}

static void get_session(hub_http_req_t *req, void *arg)
{
    hub_login_t *l = arg;
    mm_session_t *s = NULL;
    const hub_person_t *p = hub_http_caller(req);
    char auth[8];
    int bearer = hub_http_header(req, "authorization", auth, sizeof auth) != 0;
    hub_http_json(req, 200, who_json(p, !bearer && find_session(l, req, &s) == 1 ? s->csrf : NULL));
}

static void post_logout(hub_http_req_t *req, void *arg)
{
    hub_login_t *l = arg;
    mm_session_t *s = NULL;
    if (find_session(l, req, &s) == 1) {
        MM_INFO("login: %s logged out", s->person);
        mm_sessions_end(l->sessions, s);
    }
    set_cookie(req, "", 0);
    hub_http_json(req, 200, json_pack("{s:b}", "ended", 1));
}

mm_err_t hub_login_create(hub_http_t *h, const hub_config_t *cfg, hub_login_t **out)
{
    hub_login_t *l = calloc(1, sizeof *l);
    if (!l)
        return MM_ENOMEM;
    l->cfg = cfg;
    uint8_t r[16];
    char decoy_pw[33];
    if (mm_random(r, sizeof r) != MM_OK) {
        free(l);
        return MM_ECRYPTO;
    }
    mm_hex_encode(r, sizeof r, decoy_pw, sizeof decoy_pw);
    if (mm_password_hash(decoy_pw, l->decoy) != MM_OK) {
        free(l);
        return MM_ECRYPTO;
    }
    l->sessions = mm_sessions_create((int64_t)cfg->sessions.idle_s * 1000000,
                                     (int64_t)cfg->sessions.absolute_s * 1000000);
    mm_err_t err = l->sessions ? MM_OK : MM_ENOMEM;
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/login", 0, post_login, l);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/session", HUB_ROLES_ANY, get_session, l);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/logout", HUB_ROLES_ANY, post_logout, l);
    if (err != MM_OK) {
        hub_login_destroy(l);
        return err;
    }
    hub_http_set_sessions(h, session_caller, l);
    *out = l;
    return MM_OK;
}

void hub_login_destroy(hub_login_t *l)
{
    if (!l)
        return;
    mm_sessions_destroy(l->sessions);
    OPENSSL_cleanse(l, sizeof *l);
    free(l);
}

void hub_login_reloaded(hub_login_t *l, const hub_config_t *old)
{
    for (size_t i = 0; i < old->n_people; i++) {
        const hub_person_t *was = &old->people[i];
        const hub_person_t *now = hub_config_person(l->cfg, was->id);
        if (now && !strcmp(now->password, was->password) && now->totp_len == was->totp_len &&
            !CRYPTO_memcmp(now->totp, was->totp, was->totp_len))
            continue;
        int n = mm_sessions_end_person(l->sessions, was->id);
        tries_t *t = tries_of(l, was->id);
        if (t)
            memset(t, 0, sizeof *t); /* a new password starts with no failures */
        if (n)
            MM_INFO("login: %d session(s) of %s ended: %s", n, was->id,
                    now ? "a new password or second factor" : "no longer a person of the hub");
    }
}
