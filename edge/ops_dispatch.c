/*
 * ops_dispatch.c: a call on the control socket (ops_impl.h) — who is calling (the peer's uid, its
 * account and the person with that account), whether they may (access.h), which handler does
 * it, and the answer or the refusal.
 *
 * Every call is logged as one access entry, allowed or refused, exactly once: a handler ends by
 * answering (edge_ops_answer) or refusing (edge_ops_refuse), which log it; playback logs it
 * before it takes the connection over. The table below has a handler for every action; an action
 * without one is refused as internal rather than sent to some other handler.
 */
#include <jansson.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/ops_impl.h"

void edge_ops_call_entry(const edge_ops_call_t *c, int allowed, const char *reason, mm_entry_t *e)
{
    const edge_governance_t *g = &c->ops->cfg->gov;
    memset(e, 0, sizeof *e);
    e->time_us = mm_now_us();
    e->kind = MM_ENTRY_ACCESS;
    mm_access_t *a = &e->u.access;
    if (c->who.person >= 0)
        snprintf(a->person, sizeof a->person, "%s", g->people[c->who.person].id);
    if (c->who.account[0])
        snprintf(a->account, sizeof a->account, "%s", c->who.account);
    else
        snprintf(a->account, sizeof a->account, "uid:%u", (unsigned)c->who.uid);
    a->uid = c->who.uid;
    a->role = c->d.role;
    snprintf(a->action, sizeof a->action, "%s",
             c->r->action == EDGE_ACT_COUNT ? "malformed" : edge_action_name(c->r->action));
    snprintf(a->camera, sizeof a->camera, "%s", c->r->camera);
    a->start_us = c->r->from_us;
    a->end_us = c->r->to_us;
    a->allowed = allowed;
    snprintf(a->reason, sizeof a->reason, "%s", reason ? reason : "");
    snprintf(a->purpose, sizeof a->purpose, "%s", c->r->purpose); /* a playback's, as given */
    a->basis = c->r->basis;
}

/* Logs the call as an access entry: once, with how it ended; a refusal to an unknown account
 * on the socket (no console reply) may be counted instead (refusals.h). */
int edge_ops_log_call(edge_ops_call_t *c, int allowed, const char *reason)
{
    if (c->logged)
        return 0;
    c->logged = 1;
    mm_entry_t e;
    edge_ops_call_entry(c, allowed, reason, &e);
    if (!allowed && !c->reply && c->who.person < 0 &&
        !edge_refusals_note(&c->ops->refusals, c->who.uid, e.u.access.account, e.u.access.action,
                            e.u.access.reason, e.time_us))
        return 0;
    if (!allowed && !c->reply && c->who.person < 0)
        e.u.access.count = 1; /* the first of its minute: the entries of a minute add up */
    edge_ops_append(c->ops, &e, NULL, NULL, 0);
    return 1;
}

void edge_ops_log_refusals(edge_ops_t *ops, int all)
{
    edge_refusal_t due;
    while (edge_refusals_due(&ops->refusals, mm_now_us(), all, &due)) {
        mm_entry_t e;
        memset(&e, 0, sizeof e);
        e.time_us = mm_now_us();
        e.kind = MM_ENTRY_ACCESS;
        mm_access_t *a = &e.u.access;
        snprintf(a->account, sizeof a->account, "%s", due.account);
        a->uid = due.uid;
        a->role = MM_ROLE_NONE;
        snprintf(a->action, sizeof a->action, "%s", due.action);
        snprintf(a->reason, sizeof a->reason, "%s", due.reason);
        a->count = due.count;
        MM_WARN("control: %s: %u more call(s) refused since the last logged one (%s)", due.account,
                (unsigned)due.count, due.reason);
        edge_ops_append(ops, &e, NULL, NULL, 0);
    }
}

/* Sends the answer where the call came from. */
static void send_answer(edge_ops_call_t *c, json_t *answer)
{
    if (c->reply)
        c->reply(c->reply_arg, answer);
    else
        edge_conn_reply(c->conn, answer);
}

void edge_ops_refuse(edge_ops_call_t *c, const char *code, const char *fmt, ...)
{
    char msg[MM_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (edge_ops_log_call(c, 0, msg)) /* a counted refusal is said once a minute */
        MM_WARN("control: %s (%s) %s%s%s refused: %s", c->person, mm_role_name(c->d.role),
                edge_action_name(c->r->action), c->r->camera[0] ? " " : "", c->r->camera, msg);
    send_answer(c, json_pack("{s:b, s:s, s:s}", "ok", 0, "code", code, "error", msg));
}

/* Every answer names the site's zone: the command shows the answer's times in it (timefmt.h). */
void edge_ops_answer(edge_ops_call_t *c, json_t *result, const char *note)
{
    edge_ops_log_call(c, 1, note);
    send_answer(c, json_pack("{s:b, s:s, s:o}", "ok", 1, "timezone", c->ops->cfg->timezone,
                             "result", result ? result : json_object()));
}

const char *edge_ops_err_code(mm_err_t err)
{
    switch (err) {
    case MM_ENOTFOUND:
        return "not_found";
    case MM_EEXIST:
    case MM_ECONFLICT:
        return "conflict";
    case MM_EDENIED:
        return "denied";
    case MM_EINVAL:
        return "invalid";
    default:
        return "internal";
    }
}

/* Who is calling: account and person from the uid. */
static void identify(edge_ops_call_t *c, uid_t uid)
{
    const edge_governance_t *g = &c->ops->cfg->gov;
    c->who.uid = uid;
    c->who.person = -1;
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res &&
        strlen(pw.pw_name) < sizeof c->who.account)
        snprintf(c->who.account, sizeof c->who.account, "%s", pw.pw_name);
    if (c->who.account[0])
        c->who.person = edge_governance_person_by_account(g, c->who.account);
    if (c->who.person >= 0)
        snprintf(c->person, sizeof c->person, "%s", g->people[c->who.person].id);
    else if (c->who.account[0])
        snprintf(c->person, sizeof c->person, "@%s", c->who.account);
    else
        snprintf(c->person, sizeof c->person, "uid:%u", (unsigned)uid);
}

void edge_ops_malformed(void *arg, uid_t uid, pid_t pid, const char *msg)
{
    edge_ops_t *ops = arg;
    edge_request_t r = {.action = EDGE_ACT_COUNT}; /* logged as "malformed" */
    edge_ops_call_t c = {.ops = ops, .r = &r};
    (void)pid;
    identify(&c, uid);
    const edge_governance_t *g = &ops->cfg->gov;
    c.d.role = c.who.person >= 0 && c.who.person == g->manager          ? MM_ROLE_MANAGER
               : edge_access_is_operator(&ops->access, g, c.who.person) ? MM_ROLE_OPERATOR
                                                                        : MM_ROLE_NONE;
    edge_ops_log_call(&c, 0, msg);
}

typedef void (*handler_t)(edge_ops_call_t *c);

static const handler_t handlers[EDGE_ACT_COUNT] = {
    [EDGE_ACT_STATUS] = edge_ops_do_status,
    [EDGE_ACT_CAMERAS] = edge_ops_do_cameras,
    [EDGE_ACT_SEARCH] = edge_ops_do_search,
    [EDGE_ACT_PLAYBACK] = edge_ops_do_playback,
    [EDGE_ACT_STANDARDS] = edge_ops_do_standards,
    [EDGE_ACT_OPERATORS] = edge_ops_do_operators,
    [EDGE_ACT_OPERATOR_DESIGNATE] = edge_ops_do_designation,
    [EDGE_ACT_OPERATOR_REVOKE] = edge_ops_do_designation,
    [EDGE_ACT_EMERGENCY_GRANT] = edge_ops_do_grant,
    [EDGE_ACT_EMERGENCY_REVOKE] = edge_ops_do_grant_revoke,
    [EDGE_ACT_EMERGENCY_LIST] = edge_ops_do_grant_list,
    [EDGE_ACT_EMERGENCY_REPORT] = edge_ops_do_grant_report,
    [EDGE_ACT_CAMERA_SUSPEND] = edge_ops_do_camera_state,
    [EDGE_ACT_CAMERA_RESUME] = edge_ops_do_camera_state,
    [EDGE_ACT_CAMERA_ABOLISH] = edge_ops_do_camera_state,
    [EDGE_ACT_REQUESTS] = edge_ops_do_requests,
    [EDGE_ACT_REQUEST_ANSWER] = edge_ops_do_request_answer,
    [EDGE_ACT_STANDARDS_FILE] = edge_ops_do_standards_file,
    [EDGE_ACT_DISCLOSURES] = edge_ops_do_disclosures,
    [EDGE_ACT_DISCLOSURE_PREPARE] = edge_ops_do_disclosure_step,
    [EDGE_ACT_DISCLOSURE_APPROVE] = edge_ops_do_disclosure_step,
    [EDGE_ACT_DISCLOSURE_DENY] = edge_ops_do_disclosure_step,
    [EDGE_ACT_DISCLOSURE_RELEASE] = edge_ops_do_disclosure_step,
    [EDGE_ACT_NOTICES] = edge_ops_do_notices,
    [EDGE_ACT_NOTICE_ACK] = edge_ops_do_notice_ack,
    [EDGE_ACT_COMPLAINTS] = edge_ops_do_complaints,
    [EDGE_ACT_COMPLAINT] = edge_ops_do_complaint,
    [EDGE_ACT_HOLD_PLACE] = edge_ops_do_hold_place,
    [EDGE_ACT_HOLD_RELEASE] = edge_ops_do_hold_release,
    [EDGE_ACT_HOLDS] = edge_ops_do_holds,
    [EDGE_ACT_TIMEZONE] = edge_ops_do_timezone,
    [EDGE_ACT_PASSWD] = edge_ops_do_passwd,
    [EDGE_ACT_PASSWD_UNLOCK] = edge_ops_do_passwd_unlock,
    [EDGE_ACT_STILL] = edge_ops_do_still,
    [EDGE_ACT_ALERTS] = edge_ops_do_alerts,
    [EDGE_ACT_TIMELINE] = edge_ops_do_timeline,
    [EDGE_ACT_LIVE] = edge_ops_do_live,
};

/* Decides the call identified in c and runs its handler, or refuses it. */
static void run_call(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    const edge_request_t *r = c->r;
    int cam = r->camera[0] ? edge_ops_camera_index(ops, r->camera) : 0;
    if (r->action == EDGE_ACT_PASSWD || r->action == EDGE_ACT_PASSWD_UNLOCK) {
        int target = edge_governance_person(&ops->cfg->gov, r->person);
        edge_access_decide_passwd(&ops->access, &ops->cfg->gov, &c->who, target,
                                  r->action == EDGE_ACT_PASSWD_UNLOCK, mm_now_us(), &c->d);
    } else {
        edge_access_decide(&ops->access, &ops->cfg->gov, &c->who, r->action, r->camera, mm_now_us(),
                           &c->d);
    }
    if (!c->d.allowed) {
        edge_ops_refuse(c, "denied", "%s", c->d.reason);
        return;
    }
    if (cam < 0 && r->action != EDGE_ACT_CAMERA_SUSPEND && r->action != EDGE_ACT_CAMERA_RESUME &&
        r->action != EDGE_ACT_CAMERA_ABOLISH) {
        edge_ops_refuse(c, "not_found", "the site has no camera %s", r->camera);
        return;
    }
    handler_t h = (unsigned)r->action < EDGE_ACT_COUNT ? handlers[r->action] : NULL;
    if (!h) {
        edge_ops_refuse(c, "internal", "this edge has no handler for %s",
                        edge_action_name(r->action));
        return;
    }
    h(c);
}

void edge_ops_request(void *arg, edge_conn_t *conn, uid_t uid, pid_t pid, const edge_request_t *r)
{
    edge_ops_t *ops = arg;
    edge_ops_call_t c = {.ops = ops, .conn = conn, .r = r};
    (void)pid;
    identify(&c, uid);
    run_call(&c);
}

/* A call the console makes for person (console.h): decided as that person, logged as the
 * console. stream_fd: the console's playback (edge_ops_playback_as), else NULL. */
static void call_as(edge_ops_t *ops, const char *person, const edge_request_t *r, int *stream_fd,
                    edge_ops_reply_fn reply, void *arg)
{
    edge_ops_call_t c = {
        .ops = ops, .r = r, .reply = reply, .reply_arg = arg, .stream_fd = stream_fd};
    const edge_governance_t *g = &ops->cfg->gov;
    /* The console vouches for the person: decided as that person, logged as the console. */
    c.who.person = edge_governance_person(g, person);
    snprintf(c.who.account, sizeof c.who.account, "console");
    snprintf(c.person, sizeof c.person, "%s", c.who.person >= 0 ? person : "@console");
    if (c.who.person < 0) {
        edge_ops_refuse(&c, "denied", "%s is not one of the site's people", person);
        return;
    }
    if ((r->action == EDGE_ACT_PLAYBACK) != (stream_fd != NULL) ||
        (stream_fd && (*stream_fd < 0 || !r->stream))) {
        edge_ops_refuse(&c, "invalid", "playback streams to a socket, not to the console");
        return;
    }
    run_call(&c);
}

void edge_ops_call_as(edge_ops_t *ops, const char *person, const edge_request_t *r,
                      edge_ops_reply_fn reply, void *arg)
{
    call_as(ops, person, r, NULL, reply, arg);
}

void edge_ops_playback_as(edge_ops_t *ops, const char *person, const edge_request_t *r, int *fd,
                          edge_ops_reply_fn reply, void *arg)
{
    call_as(ops, person, r, fd, reply, arg);
}
