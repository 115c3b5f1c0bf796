/*
 * access.c: roles, designations, emergency grants and decisions (see access.h).
 */
#include "edge/access.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/utf8.h"

#define MINUTE_US (60LL * 1000000)

MM_ENUM_DEFINE(edge_action, EDGE_ACT, EDGE_ACTION_MAP, "action")

/* What operators may do: look at the site, its footage, its holds and what the city asks
 * (R-N6.1), prepare a disclosure for the manager to decide (DESIGN.md "Disclosure"), read and
 * acknowledge the city's notices (their acknowledgement says who read them, nothing more), and
 * take complaints and their handling (R-N12(1)); closing one the city sent answers the city, which
 * is the manager's (complaints.h decides that on the complaint). Placing and releasing a hold is
 * the manager's. In the site console they also see a clip's still frame to mark a disclosure's
 * regions on, and the site's alerts. */
#define OPERATOR_ACTIONS                                                                           \
    (EDGE_GRANTABLE | EDGE_ACT_BIT(EDGE_ACT_STANDARDS) | EDGE_ACT_BIT(EDGE_ACT_OPERATORS) |        \
     EDGE_ACT_BIT(EDGE_ACT_EMERGENCY_LIST) | EDGE_ACT_BIT(EDGE_ACT_REQUESTS) |                     \
     EDGE_ACT_BIT(EDGE_ACT_DISCLOSURES) | EDGE_ACT_BIT(EDGE_ACT_DISCLOSURE_PREPARE) |              \
     EDGE_ACT_BIT(EDGE_ACT_NOTICES) | EDGE_ACT_BIT(EDGE_ACT_NOTICE_ACK) |                          \
     EDGE_ACT_BIT(EDGE_ACT_COMPLAINTS) | EDGE_ACT_BIT(EDGE_ACT_COMPLAINT) |                        \
     EDGE_ACT_BIT(EDGE_ACT_HOLDS) | EDGE_ACT_BIT(EDGE_ACT_TIMEZONE) |                              \
     EDGE_ACT_BIT(EDGE_ACT_STILL) | EDGE_ACT_BIT(EDGE_ACT_ALERTS))

/* Whether mask (edge_actions_t) holds act. */
_Static_assert(EDGE_ACT_COUNT <= 64, "edge_actions_t has a bit for each action");
#define HAS(mask, act) ((unsigned)(act) < 64 && (((mask) >> (unsigned)(act)) & 1u))

static const edge_override_t *override_of(const edge_access_t *a, const char *id)
{
    for (size_t i = 0; i < a->n_overrides; i++)
        if (strcmp(a->overrides[i].id, id) == 0)
            return &a->overrides[i];
    return NULL;
}

int edge_access_is_operator(const edge_access_t *a, const edge_governance_t *g, int person)
{
    if (person < 0 || (size_t)person >= g->n_people || person == g->manager)
        return 0;
    const edge_override_t *o = override_of(a, g->people[person].id);
    return o ? o->operator: g->is_operator[person];
}

int edge_grant_active(const edge_grant_t *gr, int64_t now)
{
    return !gr->revoked && gr->reported_us == 0 && now < gr->until_us;
}

int edge_grant_has_camera(const edge_grant_t *gr, const char *camera)
{
    if (!gr->cameras[0])
        return 1;
    if (!camera || !*camera)
        return 0;
    size_t n = strlen(camera);
    for (const char *p = gr->cameras; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && memcmp(p, camera, n) == 0)
            return 1;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

void edge_access_decide_passwd(const edge_access_t *a, const edge_governance_t *g,
                               const edge_caller_t *who, int target, int unlock, int64_t now,
                               edge_decision_t *d)
{
    edge_action_t act = unlock ? EDGE_ACT_PASSWD_UNLOCK : EDGE_ACT_PASSWD;
    edge_access_decide(a, g, who, act, NULL, now, d);
    if (d->allowed || unlock || who->person < 0 || who->person != target)
        return;
    /* One's own password, whatever one's role. */
    d->allowed = 1;
    d->reason[0] = 0;
}

/* Whether grant gr belongs to the caller: by person, or by account for an outsider. */
static int grant_is_callers(const edge_grant_t *gr, const edge_governance_t *g,
                            const edge_caller_t *who)
{
    if (who->person >= 0 && (size_t)who->person < g->n_people)
        return strcmp(gr->person, g->people[who->person].id) == 0;
    return gr->person[0] == '@' && who->account[0] && strcmp(gr->account, who->account) == 0;
}

static const char *caller_name(const edge_governance_t *g, const edge_caller_t *who)
{
    if (who->person >= 0 && (size_t)who->person < g->n_people)
        return g->people[who->person].id;
    return who->account[0] ? who->account : "(an account without a name)";
}

void edge_access_decide(const edge_access_t *a, const edge_governance_t *g,
                        const edge_caller_t *who, edge_action_t act, const char *camera,
                        int64_t now, edge_decision_t *d)
{
    memset(d, 0, sizeof *d);
    d->grant = -1;
    const char *name = caller_name(g, who);
    if ((unsigned)act >= EDGE_ACT_COUNT) {
        snprintf(d->reason, sizeof d->reason, "unknown action");
        return;
    }
    if (who->person >= 0 && who->person == g->manager) {
        d->role = MM_ROLE_MANAGER;
        /* A report is filed with the manager, by whoever used a grant. */
        d->allowed = act != EDGE_ACT_EMERGENCY_REPORT;
        if (!d->allowed)
            snprintf(d->reason, sizeof d->reason,
                     "the manager files no emergency report: the grant's holder does (R-N6.3)");
        return;
    }
    if (edge_access_is_operator(a, g, who->person)) {
        d->role = MM_ROLE_OPERATOR;
        if (act == EDGE_ACT_EMERGENCY_REPORT)
            goto report; /* an operator may also hold an old grant */
        d->allowed = HAS(OPERATOR_ACTIONS, act);
        if (!d->allowed)
            snprintf(d->reason, sizeof d->reason, "%s is an operator; only the manager may %s",
                     name, edge_action_name(act));
        return;
    }
    /* The site's zone is no secret (the city's registry shows it): whoever may reach the socket
     * learns it, so that a command reads the times they typed in the site's zone. */
    if (act == EDGE_ACT_TIMEZONE) {
        d->allowed = 1;
        return;
    }
    /* Anybody else: an emergency grant, or nothing (R-N6.2). */
    /* Of the caller's grants in force, the one that allows act on camera, else one that allows
     * act, else any (for the reason given). */
    int held = -1, held_fit = -1, expired = -1;
    for (size_t i = 0; i < a->n_grants; i++) {
        const edge_grant_t *gr = &a->grants[i];
        if (!grant_is_callers(gr, g, who))
            continue;
        if (edge_grant_active(gr, now)) {
            int fit = HAS(gr->actions, act)
                          ? 1 + (!camera || !*camera || edge_grant_has_camera(gr, camera))
                          : 0;
            if (fit > held_fit) {
                held = (int)i;
                held_fit = fit;
            }
        } else if (!gr->revoked && gr->reported_us == 0) {
            expired = (int)i;
        }
    }
    /* A holder sees their own grants (to know the id to report on) and files the report. */
    if (act == EDGE_ACT_EMERGENCY_REPORT || act == EDGE_ACT_EMERGENCY_LIST)
        goto report;
    if (held >= 0) {
        const edge_grant_t *gr = &a->grants[held];
        d->role = MM_ROLE_EMERGENCY;
        d->grant = held;
        if (!HAS(gr->actions, act))
            snprintf(d->reason, sizeof d->reason, "emergency grant %s does not allow %s", gr->id,
                     edge_action_name(act));
        else if (camera && *camera && !edge_grant_has_camera(gr, camera))
            snprintf(d->reason, sizeof d->reason, "emergency grant %s does not cover camera %s",
                     gr->id, camera);
        else
            d->allowed = 1;
        return;
    }
    if (expired >= 0)
        snprintf(d->reason, sizeof d->reason,
                 "emergency grant %s has ended; its report is still to be filed (R-N6.3)",
                 a->grants[expired].id);
    else if (who->person < 0)
        snprintf(d->reason, sizeof d->reason,
                 "account %s is none of the site's people and holds no emergency grant (R-N6.2)",
                 name);
    else
        snprintf(d->reason, sizeof d->reason,
                 "%s is neither the manager nor an operator and holds no emergency grant (R-N6.2)",
                 name);
    return;

report:
    /* Whoever holds a grant whose report is open may file it; which one is checked there. */
    for (size_t i = 0; i < a->n_grants; i++) {
        const edge_grant_t *gr = &a->grants[i];
        if (grant_is_callers(gr, g, who) && !gr->revoked && gr->reported_us == 0) {
            if (d->role == MM_ROLE_NONE)
                d->role = MM_ROLE_EMERGENCY;
            d->grant = (int)i;
            d->allowed = 1;
            return;
        }
    }
    snprintf(d->reason, sizeof d->reason, "%s holds no emergency grant with a report to file%s",
             name, act == EDGE_ACT_EMERGENCY_LIST ? " (R-N6.2)" : "");
}

int edge_access_still(const edge_access_t *a, const edge_governance_t *g, const edge_caller_t *who,
                      mm_role_t role, const char *grant_id, edge_action_t act, const char *camera,
                      int64_t now, char *reason, size_t cap)
{
    edge_decision_t d;
    edge_access_decide(a, g, who, act, camera, now, &d);
    if (d.allowed)
        return 1;
    /* Why the right it was allowed under ended, rather than why the caller may not start now. */
    const char *name = caller_name(g, who);
    const edge_grant_t *gr = NULL;
    for (size_t i = 0; role == MM_ROLE_EMERGENCY && grant_id && i < a->n_grants; i++)
        if (strcmp(a->grants[i].id, grant_id) == 0)
            gr = &a->grants[i];
    if (role == MM_ROLE_OPERATOR)
        snprintf(reason, cap, "the operator role of %s was revoked (R-N7.2)", name);
    else if (gr && gr->revoked)
        snprintf(reason, cap, "emergency grant %s of %s was revoked (R-N6.2)", gr->id, name);
    else if (gr && gr->reported_us)
        snprintf(reason, cap, "emergency grant %s of %s ended with its report (R-N6.3)", gr->id,
                 name);
    else if (gr && now >= gr->until_us)
        snprintf(reason, cap, "emergency grant %s of %s expired (R-N6.2)", gr->id, name);
    else
        snprintf(reason, cap, "%s", d.reason);
    return 0;
}

static mm_err_t set_override(edge_access_t *a, const char *id, int op, const char *by, int64_t now)
{
    edge_override_t *o = (edge_override_t *)override_of(a, id);
    if (!o) {
        if (a->n_overrides == EDGE_MAX_PEOPLE)
            return MM_EFULL;
        o = &a->overrides[a->n_overrides++];
        snprintf(o->id, sizeof o->id, "%s", id);
    }
    o->operator= op;
    o->time_us = now;
    snprintf(o->by, sizeof o->by, "%s", by);
    return MM_OK;
}

mm_err_t edge_access_designate(edge_access_t *a, const edge_governance_t *g, int person,
                               const char *by, int64_t now, char *msg, size_t cap)
{
    if (person < 0 || (size_t)person >= g->n_people)
        return mm_errf(MM_ENOTFOUND, msg, cap, "no such person");
    const char *id = g->people[person].id;
    if (person == g->manager)
        return mm_errf(MM_EDENIED, msg, cap,
                       "%s is the manager; an operator must be someone else (R-N6.1)", id);
    if (edge_access_is_operator(a, g, person))
        return mm_errf(MM_EEXIST, msg, cap, "%s is an operator already", id);
    if (set_override(a, id, 1, by, now) != MM_OK)
        return mm_errf(MM_EFULL, msg, cap, "too many designations");
    return MM_OK;
}

mm_err_t edge_access_revoke(edge_access_t *a, const edge_governance_t *g, int person,
                            const char *by, int64_t now, char *msg, size_t cap)
{
    if (person < 0 || (size_t)person >= g->n_people)
        return mm_errf(MM_ENOTFOUND, msg, cap, "no such person");
    const char *id = g->people[person].id;
    if (!edge_access_is_operator(a, g, person))
        return mm_errf(MM_ENOTFOUND, msg, cap, "%s is not an operator", id);
    if (set_override(a, id, 0, by, now) != MM_OK)
        return mm_errf(MM_EFULL, msg, cap, "too many designations");
    return MM_OK;
}

mm_err_t edge_actions_parse(const char *list, edge_actions_t *out, char *msg, size_t cap)
{
    edge_actions_t bits = 0;
    const char *p = list;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char word[32];
        if (len == 0 || len >= sizeof word)
            return mm_errf(MM_EINVAL, msg, cap, "bad action list \"%s\"", list);
        memcpy(word, p, len);
        word[len] = 0;
        edge_action_t act;
        if (!edge_action_parse(word, &act) || !HAS(EDGE_GRANTABLE, act))
            return mm_errf(MM_EINVAL, msg, cap,
                           "\"%s\" cannot be granted: a grant allows status, cameras, search, "
                           "playback, live, timeline",
                           word);
        bits |= EDGE_ACT_BIT(act);
        p = comma ? comma + 1 : NULL;
    }
    if (!bits)
        return mm_errf(MM_EINVAL, msg, cap, "a grant must allow at least one action");
    *out = bits;
    return MM_OK;
}

void edge_actions_format(edge_actions_t actions, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap)
        buf[0] = 0;
    for (int i = 0; i < EDGE_ACT_COUNT; i++)
        if (HAS(actions, i)) {
            int w = snprintf(buf + n, n < cap ? cap - n : 0, "%s%s", n ? "," : "",
                             edge_action_name((edge_action_t)i));
            if (w < 0 || n + (size_t)w >= cap)
                return;
            n += (size_t)w;
        }
}

/* Camera ids in a grant: a comma-separated list of ids, no empty ones. */
static int cameras_ok(const char *cameras)
{
    if (!*cameras)
        return 1;
    for (const char *p = cameras; *p; p++)
        if (*p == ',' && (p == cameras || p[1] == 0 || p[1] == ','))
            return 0;
    return 1;
}

/* Drops the oldest closed grant (reported or revoked) to make room; 0 when none is closed. */
static int make_room(edge_access_t *a, int64_t now)
{
    int oldest = -1;
    for (size_t i = 0; i < a->n_grants; i++) {
        const edge_grant_t *gr = &a->grants[i];
        if ((gr->revoked || gr->reported_us) && !edge_grant_active(gr, now) &&
            (oldest < 0 || gr->granted_us < a->grants[oldest].granted_us))
            oldest = (int)i;
    }
    if (oldest < 0)
        return 0;
    memmove(&a->grants[oldest], &a->grants[oldest + 1],
            (a->n_grants - (size_t)oldest - 1) * sizeof a->grants[0]);
    a->n_grants--;
    return 1;
}

mm_err_t edge_access_grant(edge_access_t *a, const edge_governance_t *g, const char *grantee,
                           const char *by, edge_actions_t actions, const char *cameras, int minutes,
                           const char *reason, int64_t now, const edge_grant_t **out, char *msg,
                           size_t cap)
{
    if (!grantee || !*grantee || strlen(grantee) >= EDGE_ACCOUNT_MAX)
        return mm_errf(MM_EINVAL, msg, cap, "a grant names the person or account it is for");
    if (minutes <= 0 || minutes > EDGE_GRANT_MAX_MINUTES)
        return mm_errf(MM_EINVAL, msg, cap, "a grant lasts 1 to %d minutes, not %d",
                       EDGE_GRANT_MAX_MINUTES, minutes);
    if (!reason || !*reason || strlen(reason) >= MM_LONG_TEXT_MAX ||
        !mm_utf8_valid(reason, strlen(reason)))
        return mm_errf(MM_EINVAL, msg, cap, "a grant needs its reason (UTF-8, under %d bytes)",
                       MM_LONG_TEXT_MAX);
    if (!cameras)
        cameras = "";
    if (strlen(cameras) >= MM_TEXT_MAX || !cameras_ok(cameras))
        return mm_errf(MM_EINVAL, msg, cap, "bad camera list \"%s\"", cameras);
    if (!actions || (actions & ~EDGE_GRANTABLE))
        return mm_errf(MM_EINVAL, msg, cap,
                       "a grant allows status, cameras, search, playback, live, "
                       "timeline");
    int person = -1;
    for (size_t i = 0; i < g->n_people; i++)
        if (strcmp(g->people[i].id, grantee) == 0)
            person = (int)i;
    if (person >= 0 && person == g->manager)
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is the manager and needs no grant", grantee);
    if (person >= 0 && edge_access_is_operator(a, g, person))
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is an operator and needs no grant", grantee);
    if (person < 0 && edge_governance_person_by_account(g, grantee) >= 0)
        return mm_errf(MM_EINVAL, msg, cap,
                       "account %s belongs to one of the site's people: name the person's id",
                       grantee);
    if (a->n_grants == EDGE_MAX_GRANTS && !make_room(a, now))
        return mm_errf(MM_EFULL, msg, cap, "%d grants are open; file their reports first",
                       EDGE_MAX_GRANTS);
    edge_grant_t *gr = &a->grants[a->n_grants];
    memset(gr, 0, sizeof *gr);
    /* Ids are unique while grants are kept: the time, then a counter when two share it. */
    for (unsigned k = 0;; k++) {
        if (k == 0)
            snprintf(gr->id, sizeof gr->id, "em-%" PRId64, now / 1000000);
        else
            snprintf(gr->id, sizeof gr->id, "em-%" PRId64 "-%u", now / 1000000, k);
        int taken = 0;
        for (size_t i = 0; i < a->n_grants; i++)
            taken |= strcmp(a->grants[i].id, gr->id) == 0;
        if (!taken)
            break;
    }
    if (person >= 0) {
        snprintf(gr->person, sizeof gr->person, "%s", g->people[person].id);
        snprintf(gr->account, sizeof gr->account, "%s", g->people[person].account);
    } else {
        snprintf(gr->person, sizeof gr->person, "@%s", grantee);
        snprintf(gr->account, sizeof gr->account, "%s", grantee);
    }
    snprintf(gr->by, sizeof gr->by, "%s", by);
    gr->actions = actions;
    snprintf(gr->cameras, sizeof gr->cameras, "%s", cameras);
    snprintf(gr->reason, sizeof gr->reason, "%s", reason);
    gr->granted_us = now;
    gr->until_us = now + (int64_t)minutes * MINUTE_US;
    a->n_grants++;
    if (out)
        *out = gr;
    return MM_OK;
}

static edge_grant_t *grant_by_id(edge_access_t *a, const char *id)
{
    for (size_t i = 0; i < a->n_grants; i++)
        if (id && strcmp(a->grants[i].id, id) == 0)
            return &a->grants[i];
    return NULL;
}

mm_err_t edge_access_grant_revoke(edge_access_t *a, const char *grant_id, int64_t now,
                                  const edge_grant_t **out, char *msg, size_t cap)
{
    edge_grant_t *gr = grant_by_id(a, grant_id);
    if (!gr)
        return mm_errf(MM_ENOTFOUND, msg, cap, "no emergency grant %s", grant_id ? grant_id : "");
    if (!edge_grant_active(gr, now))
        return mm_errf(MM_ECONFLICT, msg, cap, "emergency grant %s is no longer in force", gr->id);
    /* Ending a grant early ends the access, not the duty to report what was done. */
    gr->until_us = now;
    if (out)
        *out = gr;
    return MM_OK;
}

mm_err_t edge_access_report(edge_access_t *a, const edge_governance_t *g, const edge_caller_t *who,
                            const char *grant_id, int64_t now, const edge_grant_t **out, char *msg,
                            size_t cap)
{
    edge_grant_t *gr = grant_by_id(a, grant_id);
    if (!gr)
        return mm_errf(MM_ENOTFOUND, msg, cap, "no emergency grant %s", grant_id ? grant_id : "");
    if (!grant_is_callers(gr, g, who))
        return mm_errf(MM_EDENIED, msg, cap, "emergency grant %s is not yours: %s reports on it",
                       gr->id, gr->person);
    if (gr->reported_us)
        return mm_errf(MM_EEXIST, msg, cap, "the report on emergency grant %s is filed already",
                       gr->id);
    gr->reported_us = now;
    if (out)
        *out = gr;
    return MM_OK;
}

/* --- persistence -----------------------------------------------------------------------------*/

json_t *edge_access_to_json(const edge_access_t *a)
{
    json_t *ov = json_array(), *gs = json_array();
    for (size_t i = 0; i < a->n_overrides; i++) {
        const edge_override_t *o = &a->overrides[i];
        json_array_append_new(ov, json_pack("{s:s, s:b, s:I, s:s}", "id", o->id, "operator",
                                            o->operator, "time_us", (json_int_t)o->time_us, "by",
                                            o->by));
    }
    for (size_t i = 0; i < a->n_grants; i++) {
        const edge_grant_t *gr = &a->grants[i];
        json_array_append_new(
            gs, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:b, s:I}", "id", gr->id,
                          "person", gr->person, "account", gr->account, "by", gr->by, "actions",
                          (json_int_t)gr->actions, "cameras", gr->cameras, "reason", gr->reason,
                          "granted_us", (json_int_t)gr->granted_us, "until_us",
                          (json_int_t)gr->until_us, "revoked", gr->revoked, "reported_us",
                          (json_int_t)gr->reported_us));
    }
    return json_pack("{s:i, s:o, s:o}", "version", 1, "overrides", ov, "grants", gs);
}

static int copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap || !mm_utf8_valid(src, n))
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

mm_err_t edge_access_from_json(json_t *j, edge_access_t *a, char *msg, size_t cap)
{
    memset(a, 0, sizeof *a);
    json_t *ov, *gs;
    int version;
    json_error_t je;
    if (json_unpack_ex(j, &je, JSON_STRICT, "{s:i, s:o, s:o}", "version", &version, "overrides",
                       &ov, "grants", &gs) != 0 ||
        version != 1 || !json_is_array(ov) || !json_is_array(gs) ||
        json_array_size(ov) > EDGE_MAX_PEOPLE || json_array_size(gs) > EDGE_MAX_GRANTS)
        return mm_errf(MM_ECORRUPT, msg, cap, "the access state is malformed: %s", je.text);
    size_t i;
    json_t *v;
    json_array_foreach(ov, i, v)
    {
        edge_override_t *o = &a->overrides[i];
        const char *id, *by;
        json_int_t t;
        int op;
        if (json_unpack_ex(v, &je, JSON_STRICT, "{s:s, s:b, s:I, s:s}", "id", &id, "operator", &op,
                           "time_us", &t, "by", &by) != 0 ||
            copy_field(o->id, sizeof o->id, id) || copy_field(o->by, sizeof o->by, by))
            return mm_errf(MM_ECORRUPT, msg, cap, "access state: designation %zu is malformed", i);
        o->operator= op;
        o->time_us = t;
    }
    a->n_overrides = json_array_size(ov);
    json_array_foreach(gs, i, v)
    {
        edge_grant_t *gr = &a->grants[i];
        const char *id, *person, *account, *by, *cameras, *reason;
        json_int_t actions, granted, until, reported;
        int revoked;
        if (json_unpack_ex(
                v, &je, JSON_STRICT, "{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:b, s:I}",
                "id", &id, "person", &person, "account", &account, "by", &by, "actions", &actions,
                "cameras", &cameras, "reason", &reason, "granted_us", &granted, "until_us", &until,
                "revoked", &revoked, "reported_us", &reported) != 0 ||
            copy_field(gr->id, sizeof gr->id, id) ||
            copy_field(gr->person, sizeof gr->person, person) ||
            copy_field(gr->account, sizeof gr->account, account) ||
            copy_field(gr->by, sizeof gr->by, by) ||
            copy_field(gr->cameras, sizeof gr->cameras, cameras) ||
            copy_field(gr->reason, sizeof gr->reason, reason) || actions <= 0 ||
            ((edge_actions_t)actions & ~EDGE_GRANTABLE) || actions > (json_int_t)EDGE_GRANTABLE)
            return mm_errf(MM_ECORRUPT, msg, cap, "access state: grant %zu is malformed", i);
        gr->actions = (edge_actions_t)actions;
        gr->granted_us = granted;
        gr->until_us = until;
        gr->revoked = revoked;
        gr->reported_us = reported;
    }
    a->n_grants = json_array_size(gs);
    return MM_OK;
}
