/*
 * console_login.c: logging in to the site console (console_impl.h) — the password, checked on
 * libuv's thread pool (Argon2id takes a tenth of a second); the TOTP code, or the enrolment of a
 * second factor; logout; and what a session is.
 *
 * A failure is written to the account (failures in a row; the lock at max_failures) in one
 * transaction with its access entries, then answered after EDGE_CONSOLE_DELAY_MS on a timer. A
 * password check and its delayed answer count as one of EDGE_CONSOLE_JOBS at once, so that
 * guessing cannot go faster than that many tries a second. An unknown person's password is
 * checked against a hash of nothing, so that the answer takes as long as for a known one.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/console_form.h"
#include "common/qr.h"
#include "edge/console_impl.h"

typedef struct {
    uv_work_t work;
    uv_timer_t timer;
    edge_console_t *c;
    edge_http_later_t *later;
    char person[MM_ID_MAX];
    char password[MM_PASSWORD_MAX + 1];
    char hash[MM_HASH_MAX];
    char peer[48];
    int known, ok;
    int status; /* the delayed answer */
    char code[32], msg[160];
} job_t;

static char dummy_hash[MM_HASH_MAX]; /* of nothing anybody types: made once */

/* --- answers -------------------------------------------------------------------------------- */

static void job_free(uv_handle_t *h)
{
    job_t *j = h->data;
    edge_console_t *c = j->c;
    OPENSSL_cleanse(j, sizeof *j);
    free(j);
    edge_console_job_done(c);
}

static void delay_over(uv_timer_t *t)
{
    job_t *j = t->data;
    edge_http_req_t *req = edge_http_resume(j->later);
    if (req)
        edge_http_error(req, j->status, j->code, "%s", j->msg);
    uv_close((uv_handle_t *)&j->timer, job_free);
}

/* Ends a job whose request is answered. */
static void job_end(job_t *j)
{
    uv_close((uv_handle_t *)&j->timer, job_free);
}

/* Answers the job's request with an error after the delay; the job ends then. */
static void fail_later(job_t *j, edge_http_req_t *req, int status, const char *code,
                       const char *msg)
{
    j->later = edge_http_defer(req);
    j->status = status;
    snprintf(j->code, sizeof j->code, "%s", code);
    snprintf(j->msg, sizeof j->msg, "%s", msg);
    uv_timer_start(&j->timer, delay_over, EDGE_CONSOLE_DELAY_MS, 0);
}

/* A new job for req, counted; NULL once req is answered 503. */
static job_t *job_new(edge_console_t *c, edge_http_req_t *req)
{
    job_t *j = c->jobs < EDGE_CONSOLE_JOBS ? calloc(1, sizeof *j) : NULL;
    if (!j) {
        edge_http_set_header(req, "retry-after", "1");
        edge_http_error(req, 503, "busy", "too many logins at once: try again in a second");
        return NULL;
    }
    j->c = c;
    c->jobs++;
    uv_timer_init(c->loop, &j->timer); /* the delay; closing it ends the job */
    j->timer.data = j;
    edge_http_peer(req, j->peer, sizeof j->peer);
    return j;
}

static void answer_next(edge_console_t *c, edge_http_req_t *req, const char *person,
                        mm_session_stage_t stage, const char *peer)
{
    char id[MM_SESSION_HEX];
    mm_session_t *s = mm_sessions_new(c->sessions, person, stage, peer, mm_now_us(), id);
    if (!s) {
        edge_http_error(req, 500, "internal", "no random bytes for a session");
        return;
    }
    edge_console_cookie(c, req, id);
    OPENSSL_cleanse(id, sizeof id);
    const char *next = stage == MM_SESSION_FULL    ? "home"
                       : stage == MM_SESSION_ENROL ? "enrol"
                                                   : "code";
    edge_http_json(req, 200, json_pack("{s:s, s:s}", "next", next, "csrf", s->csrf));
}

/* --- failures ------------------------------------------------------------------------------- */

/* Counts a failure on acc (read anew), locks it at the limit, and writes it with its entries.
 * Returns whether the account is locked now. */
static int count_failure(edge_console_t *c, edge_account_t *acc, const char *peer, const char *what)
{
    mm_entry_t e[2];
    char reason[MM_TEXT_MAX];
    size_t n = 1;
    acc->failures++;
    snprintf(reason, sizeof reason, "from %s: %s (%d in a row)", peer, what, acc->failures);
    edge_console_entry(c, acc->person, "login_failed", 0, reason, &e[0]);
    if (!acc->locked && acc->failures >= c->cfg->console.max_failures) {
        acc->locked = 1;
        snprintf(reason, sizeof reason,
                 "from %s: %d failed logins in a row; locked until the manager unlocks it", peer,
                 acc->failures);
        edge_console_entry(c, acc->person, "locked", 0, reason, &e[n++]);
        MM_WARN("console: the account of %s is locked after %d failed logins", acc->person,
                acc->failures);
    }
    mm_err_t err = edge_accounts_put(c->accounts, acc, e, n);
    if (err != MM_OK)
        MM_ERROR("console: cannot record a failed login of %s: %s", acc->person, mm_strerror(err));
    if (acc->locked)
        mm_sessions_end_person(c->sessions, acc->person);
    return acc->locked;
}

/* --- the password --------------------------------------------------------------------------- */

static void check_password(uv_work_t *w)
{
    job_t *j = w->data;
    j->ok = mm_password_verify(j->hash, j->password);
    OPENSSL_cleanse(j->password, sizeof j->password);
}

static void password_checked(uv_work_t *w, int status)
{
    job_t *j = w->data;
    edge_console_t *c = j->c;
    edge_http_req_t *req = edge_http_resume(j->later);
    j->later = NULL;
    edge_account_t acc;
    if (!req || c->closing || status != 0) {
        if (req)
            edge_http_error(req, 503, "closing", "the console is closing");
        job_end(j);
        return;
    }
    if (!j->known || edge_accounts_get(c->accounts, j->person, &acc) != MM_OK) {
        char reason[MM_TEXT_MAX];
        snprintf(reason, sizeof reason, "from %s: no console account \"%s\"", j->peer,
                 mm_id_ok(j->person) ? j->person : "?");
        edge_console_log(c, "", "login_failed", 0, reason);
        fail_later(j, req, 401, "wrong", "the name or the password is wrong");
    } else if (acc.locked) {
        edge_console_log(c, acc.person, "login_failed", 0, "the account is locked");
        fail_later(j, req, 423, "locked", "the account is locked: ask the manager to unlock it");
    } else if (!j->ok) {
        int locked = count_failure(c, &acc, j->peer, "wrong password");
        fail_later(j, req, locked ? 423 : 401, locked ? "locked" : "wrong",
                   locked ? "the account is locked: ask the manager to unlock it"
                          : "the name or the password is wrong");
    } else {
        answer_next(c, req, acc.person, acc.totp_confirmed ? MM_SESSION_TOTP : MM_SESSION_ENROL,
                    j->peer);
        job_end(j);
    }
    OPENSSL_cleanse(&acc, sizeof acc);
}

static void post_login(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    char person[MM_ID_MAX], password[MM_PASSWORD_MAX + 1], msg[MM_TEXT_MAX];
    edge_form_field_t f[] = {{"person", person, sizeof person, 1, 0},
                             {"password", password, sizeof password, 1, 0}};
    size_t len;
    const char *body = edge_http_body(req, &len);
    if (edge_form_parse(body ? body : "", len, f, 2, msg, sizeof msg) != MM_OK) {
        OPENSSL_cleanse(password, sizeof password);
        edge_http_error(req, 400, "bad_form", "%s", msg);
        return;
    }
    job_t *j = job_new(c, req);
    if (!j) {
        OPENSSL_cleanse(password, sizeof password);
        return;
    }
    edge_account_t acc;
    j->known = edge_governance_person(&c->cfg->gov, person) >= 0 &&
               edge_accounts_get(c->accounts, person, &acc) == MM_OK && acc.hash[0];
    snprintf(j->person, sizeof j->person, "%s", person);
    snprintf(j->password, sizeof j->password, "%s", password);
    snprintf(j->hash, sizeof j->hash, "%s", j->known ? acc.hash : dummy_hash);
    OPENSSL_cleanse(password, sizeof password);
    OPENSSL_cleanse(&acc, sizeof acc);
    j->work.data = j;
    j->later = edge_http_defer(req);
    if (!j->later || uv_queue_work(c->loop, &j->work, check_password, password_checked) != 0) {
        edge_http_req_t *r = edge_http_resume(j->later);
        if (r)
            edge_http_error(r, 503, "busy", "the password cannot be checked now");
        job_end(j);
    }
}

/* --- the second factor ---------------------------------------------------------------------- */

/* Checks the posted code against the session's account: the step it matched (and acc read), or
 * -1 once req is answered (now, or after the delay for a wrong code). */
static int64_t check_code(edge_console_t *c, edge_http_req_t *req, mm_session_t *s,
                          edge_account_t *acc)
{
    char code[16], msg[MM_TEXT_MAX], peer[48] = "?";
    edge_form_field_t f[] = {{"code", code, sizeof code, 1, 0}};
    size_t len;
    const char *body = edge_http_body(req, &len);
    if (edge_form_parse(body ? body : "", len, f, 1, msg, sizeof msg) != MM_OK) {
        edge_http_error(req, 400, "bad_form", "%s", msg);
        return -1;
    }
    edge_http_peer(req, peer, sizeof peer);
    if (edge_accounts_get(c->accounts, s->person, acc) != MM_OK || acc->locked) {
        mm_sessions_end(c->sessions, s);
        edge_console_cookie(c, req, NULL);
        edge_http_error(req, 423, "locked", "the account is locked: ask the manager to unlock it");
        return -1;
    }
    int64_t step = mm_totp_check(acc->totp, sizeof acc->totp, code, mm_now_us(),
                                 acc->totp_confirmed ? acc->totp_last : -1);
    if (step >= 0)
        return step;
    job_t *j = job_new(c, req);
    if (!j)
        return -1;
    int locked = count_failure(c, acc, peer, "wrong TOTP code");
    if (locked)
        edge_console_cookie(c, req, NULL);
    fail_later(j, req, locked ? 423 : 401, locked ? "locked" : "wrong_code",
               locked ? "the account is locked: ask the manager to unlock it"
                      : "the code is wrong or has expired");
    return -1;
}

/* The code was right: the account is written with its login entry, and the person gets a new
 * session id, logged in. */
static void logged_in(edge_console_t *c, edge_http_req_t *req, mm_session_t *s, edge_account_t *acc,
                      int64_t step, const char *how)
{
    char reason[MM_TEXT_MAX], peer[48] = "?", person[MM_ID_MAX];
    mm_entry_t e;
    edge_http_peer(req, peer, sizeof peer);
    acc->totp_last = step;
    acc->totp_confirmed = 1;
    acc->failures = 0;
    snprintf(reason, sizeof reason, "from %s: %s", peer, how);
    edge_console_entry(c, acc->person, "login", 1, reason, &e);
    mm_err_t err = edge_accounts_put(c->accounts, acc, &e, 1);
    if (err != MM_OK) {
        edge_http_error(req, 500, "internal", "cannot record the login: %s", mm_strerror(err));
        return;
    }
    MM_INFO("console: %s logged in from %s", acc->person, peer);
    snprintf(person, sizeof person, "%s", s->person);
    mm_sessions_end(c->sessions, s);
    answer_next(c, req, person, MM_SESSION_FULL, peer);
}

static void post_code(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    mm_session_t *s = edge_console_session(req);
    edge_account_t acc;
    int64_t step = check_code(c, req, s, &acc);
    if (step >= 0)
        logged_in(c, req, s, &acc, step, "password and TOTP code");
    OPENSSL_cleanse(&acc, sizeof acc);
}

static void post_enrol(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    mm_session_t *s = edge_console_session(req);
    edge_account_t acc;
    int64_t step = check_code(c, req, s, &acc);
    if (step >= 0)
        logged_in(c, req, s, &acc, step, "password, and a second factor enrolled");
    OPENSSL_cleanse(&acc, sizeof acc);
}

/* The secret being enrolled, as text or as a QR code (svg). */
static void enrol_secret(edge_http_req_t *req, void *arg, int svg)
{
    edge_console_t *c = arg;
    mm_session_t *s = edge_console_session(req);
    edge_account_t acc;
    char b32[MM_TOTP_B32_LEN], uri[MM_OTPAUTH_MAX];
    if (edge_accounts_get(c->accounts, s->person, &acc) != MM_OK || acc.totp_confirmed ||
        mm_base32(acc.totp, sizeof acc.totp, b32, sizeof b32) != 0 ||
        mm_otpauth_uri(c->cfg->site, acc.person, acc.totp, uri, sizeof uri) != 0) {
        edge_http_error(req, 409, "enrolled", "there is no second factor to enrol");
        OPENSSL_cleanse(&acc, sizeof acc);
        return;
    }
    char *image = svg ? mm_qr_svg(uri) : NULL;
    if (svg && !image)
        edge_http_error(req, 500, "internal", "cannot draw the QR code");
    else if (svg)
        edge_http_text(req, 200, "image/svg+xml", image, strlen(image));
    else
        edge_http_json(req, 200, json_pack("{s:s, s:s}", "secret", b32, "otpauth_uri", uri));
    free(image);
    OPENSSL_cleanse(&acc, sizeof acc);
    OPENSSL_cleanse(b32, sizeof b32);
    OPENSSL_cleanse(uri, sizeof uri);
}

static void get_enrol(edge_http_req_t *req, void *arg)
{
    enrol_secret(req, arg, 0);
}

static void get_enrol_qr(edge_http_req_t *req, void *arg)
{
    enrol_secret(req, arg, 1);
}

/* --- the session ---------------------------------------------------------------------------- */

static void post_logout(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    mm_session_t *s = edge_console_session(req);
    char peer[48] = "?", reason[MM_TEXT_MAX], person[MM_ID_MAX];
    edge_http_peer(req, peer, sizeof peer);
    snprintf(person, sizeof person, "%s", s->person);
    snprintf(reason, sizeof reason, "from %s", peer);
    int full = s->stage == MM_SESSION_FULL;
    mm_sessions_end(c->sessions, s);
    if (full)
        edge_console_log(c, person, "logout", 1, reason);
    edge_console_cookie(c, req, NULL);
    edge_http_json(req, 200, json_object());
}

static void get_session(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    mm_session_t *s = edge_console_session(req);
    static const char *const stages[] = {"code", "enrol", "full"};
    int p = edge_governance_person(&c->cfg->gov, s->person);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "person", s->person, "name",
                          p >= 0 ? c->cfg->gov.people[p].name : "", "role",
                          mm_role_name(edge_ops_role(c->ops, p)), "stage", stages[s->stage], "csrf",
                          s->csrf, "site", c->cfg->site, "timezone", c->cfg->timezone);
    edge_http_json(req, 200, j);
}

mm_err_t edge_console_login_routes(edge_console_t *c)
{
    if (!dummy_hash[0] && mm_password_hash("\x01 nobody types this \x01", dummy_hash) != MM_OK)
        return MM_ECRYPTO;
    static const struct {
        const char *method, *pattern;
        unsigned need;
        edge_http_handler fn;
    } routes[] = {
        {"POST", "/api/login", EDGE_NEED_NONE, post_login},
        {"POST", "/api/login/code", EDGE_NEED_STEP, post_code},
        {"GET", "/api/enrol", EDGE_NEED_ENROL, get_enrol},
        {"GET", "/api/enrol/qr.svg", EDGE_NEED_ENROL, get_enrol_qr},
        {"POST", "/api/enrol", EDGE_NEED_ENROL, post_enrol},
        {"POST", "/api/logout", EDGE_NEED_ANY, post_logout},
        {"GET", "/api/session", EDGE_NEED_ANY, get_session},
    };
    mm_err_t err = MM_OK;
    for (size_t i = 0; err == MM_OK && i < sizeof routes / sizeof routes[0]; i++)
        err = edge_console_route(c, routes[i].method, routes[i].pattern, routes[i].need,
                                 routes[i].fn);
    return err;
}
