/*
 * access.h: who may do what at a site — roles, operator designations and emergency grants, and
 * the decision for each call on the control socket (R-K2.2.3-4, R-N6, R-N7.2).
 *
 * Roles follow the rules: the manager (R-K2.2.2, R-N5.5) does everything a site needs done;
 * operators, who are never the manager (R-N6.1), look at the site's status and footage; anybody
 * else only with an emergency grant from the manager, for the actions, cameras and time it
 * names (R-N6.2), and until they have filed their report (R-N6.3). A grant whose report is not
 * filed stays open, expired or not, and shows as such.
 *
 * The configuration names the operators; the manager designates and revokes operators at run
 * time, and those changes take precedence over the file and survive restarts (they are kept in
 * the store, see edge_access_to_json). Revocation takes effect at the next call (R-N7.2), and
 * ends what runs on from an earlier one (edge_access_still: a playback).
 *
 * This module decides; it does not talk to sockets or the log. The caller logs every decision.
 */
#ifndef EDGE_ACCESS_H
#define EDGE_ACCESS_H

#include <jansson.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"
#include "edge/governance.h"

#define EDGE_MAX_GRANTS 128
#define EDGE_GRANT_MAX_MINUTES (72 * 60) /* an emergency lasts at most three days */

/*
 * What a caller asks of the control socket, with the name it goes by on the socket and in the
 * access entries. New actions go last: grants keep their actions as bits of these numbers.
 */
#define EDGE_ACTION_MAP(X, P)                                                                      \
    X(P, STATUS, "status")                                                                         \
    X(P, CAMERAS, "cameras")                                                                       \
    X(P, SEARCH, "search")                                                                         \
    X(P, PLAYBACK, "playback")                                                                     \
    X(P, STANDARDS, "standards")                                                                   \
    X(P, OPERATORS, "operators") /* list the people and their roles */                             \
    X(P, OPERATOR_DESIGNATE, "operator_designate")                                                 \
    X(P, OPERATOR_REVOKE, "operator_revoke")                                                       \
    X(P, EMERGENCY_GRANT, "emergency_grant")                                                       \
    X(P, EMERGENCY_REVOKE, "emergency_revoke")                                                     \
    X(P, EMERGENCY_LIST, "emergency_list")                                                         \
    X(P, EMERGENCY_REPORT, "emergency_report")                                                     \
    X(P, CAMERA_SUSPEND, "camera_suspend")                                                         \
    X(P, CAMERA_RESUME, "camera_resume")                                                           \
    X(P, CAMERA_ABOLISH, "camera_abolish")                                                         \
    X(P, REQUESTS, "requests")             /* list the city's requests (R-N10.1, R-N12) */         \
    X(P, REQUEST_ANSWER, "request_answer") /* the manager answers a complaint or a measure */      \
    X(P, STANDARDS_FILE, "standards_file") /* the manager files the current standards (R-N4.2) */  \
    /* Disclosure requests (disclosure.h; R-K2.2.5, R-N7.4, R-N8): */                              \
    X(P, DISCLOSURES, "disclosures")               /* list them (the manager and operators) */     \
    X(P, DISCLOSURE_PREPARE, "disclosure_prepare") /* narrow cameras and range, add a note */      \
    X(P, DISCLOSURE_APPROVE, "disclosure_approve") /* the manager only */                          \
    X(P, DISCLOSURE_DENY, "disclosure_deny")       /* the manager only */                          \
    X(P, DISCLOSURE_RELEASE, "disclosure_release") /* end the hold of a delivered request */       \
    /* The city's notices (requests.h; R-N4.2, R-N10.2, R-N11): */                                 \
    X(P, NOTICES, "notices")       /* list them, or show one (the manager and operators) */        \
    X(P, NOTICE_ACK, "notice_ack") /* acknowledge one (the manager and operators) */               \
    /* Complaints received at the site (complaints.h; R-N12(1), R-N7.6), the manager's and the     \
     * operators': */                                                                              \
    X(P, COMPLAINTS, "complaints") /* list them, with the city's complaints */                     \
    X(P, COMPLAINT, "complaint")   /* record one, or log its handling or closing */                \
    /* Holds the manager places at the site (siteholds.h; R-K2.2.6b): */                           \
    X(P, HOLD_PLACE, "hold_place")     /* the manager only */                                      \
    X(P, HOLD_RELEASE, "hold_release") /* the manager only */                                      \
    X(P, HOLDS, "holds")               /* list every hold (the manager and operators) */           \
    X(P, TIMEZONE, "timezone") /* the site's id and zone, for a command to read a typed time */    \
    /* The site console's passwords and second factors (console_auth.h): */                        \
    X(P, PASSWD, "passwd")               /* the manager anyone's, a person their own */            \
    X(P, PASSWD_UNLOCK, "passwd_unlock") /* the manager unlocks a locked account */                \
    /* The site console's views (console.h): */                                                    \
    X(P, LIVE, "live")         /* watch a camera live (Naha 2(3): displayed images count) */       \
    X(P, TIMELINE, "timeline") /* a camera's day: recorded, gaps, holds, erasures */               \
    X(P, STILL, "still")       /* one frame of a clip, to mark a disclosure's regions on */        \
    X(P, ALERTS, "alerts")     /* what needs the site's attention now */
MM_ENUM_DECLARE(edge_action, EDGE_ACT, EDGE_ACTION_MAP)

/* A set of actions: bit EDGE_ACT_BIT(act) for each (64 bits; edge_access.c checks there are no
 * more actions than that). */
typedef uint64_t edge_actions_t;
#define EDGE_ACT_BIT(act) (UINT64_C(1) << (unsigned)(act))

/* The actions an emergency grant may allow: looking, never changing. */
#define EDGE_GRANTABLE                                                                             \
    (EDGE_ACT_BIT(EDGE_ACT_STATUS) | EDGE_ACT_BIT(EDGE_ACT_CAMERAS) |                              \
     EDGE_ACT_BIT(EDGE_ACT_SEARCH) | EDGE_ACT_BIT(EDGE_ACT_PLAYBACK) |                             \
     EDGE_ACT_BIT(EDGE_ACT_LIVE) | EDGE_ACT_BIT(EDGE_ACT_TIMELINE))

typedef struct {
    char id[MM_ID_MAX];
    char person[MM_ID_MAX]; /* a person id, or "@account" for someone not in the people list */
    char account[EDGE_ACCOUNT_MAX];
    char by[MM_ID_MAX];        /* the manager who granted it */
    edge_actions_t actions;    /* bits (EDGE_ACT_BIT), within EDGE_GRANTABLE */
    char cameras[MM_TEXT_MAX]; /* comma-separated camera ids, "" for all */
    char reason[MM_LONG_TEXT_MAX];
    int64_t granted_us, until_us;
    int revoked;
    int64_t reported_us; /* 0 while the report is not filed */
} edge_grant_t;

typedef struct {
    char id[MM_ID_MAX];
    int operator; /* 1 designated, 0 revoked */
    int64_t time_us;
    char by[MM_ID_MAX];
} edge_override_t;

typedef struct {
    size_t n_overrides;
    edge_override_t overrides[EDGE_MAX_PEOPLE];
    size_t n_grants;
    edge_grant_t grants[EDGE_MAX_GRANTS];
} edge_access_t;

/* Who is calling, as the control socket learned it — or, for a person logged in to the site
 * console (console.h), as the console vouches: uid 0, account "console" and the person, decided
 * exactly as that person is wherever they call from. */
typedef struct {
    uint32_t uid;
    char account[EDGE_ACCOUNT_MAX]; /* "" when the uid has no account */
    int person;                     /* index into the people, -1 when none */
} edge_caller_t;

typedef struct {
    mm_role_t role;
    int allowed;
    int grant;                /* the grant used (MM_ROLE_EMERGENCY), else -1 */
    char reason[MM_TEXT_MAX]; /* why it was refused */
} edge_decision_t;

/* Whether person (an index into g->people) is an operator now: the file, then overrides. */
int edge_access_is_operator(const edge_access_t *a, const edge_governance_t *g, int person);

/* The caller's role at now, and whether it may do act on camera (NULL or "" for none). */
void edge_access_decide(const edge_access_t *a, const edge_governance_t *g,
                        const edge_caller_t *who, edge_action_t act, const char *camera,
                        int64_t now, edge_decision_t *d);

/*
 * Whether a caller who was allowed act on camera as role (with the emergency grant grant_id for
 * MM_ROLE_EMERGENCY) still may at now — for what runs on after the call that started it, such as
 * a playback: 1, or 0 with why the right ended in reason (cap bytes): the operator role revoked
 * (R-N7.2), the grant revoked, expired or ended by its report (R-N6.2, R-N6.3).
 */
int edge_access_still(const edge_access_t *a, const edge_governance_t *g, const edge_caller_t *who,
                      mm_role_t role, const char *grant_id, edge_action_t act, const char *camera,
                      int64_t now, char *reason, size_t cap);

/*
 * Whether who may set the console password of person target (an index into g->people), or, with
 * unlock, unlock target's account: the manager anyone's; any person their own password (never
 * their own unlock). d as edge_access_decide's, for EDGE_ACT_PASSWD or EDGE_ACT_PASSWD_UNLOCK.
 */
void edge_access_decide_passwd(const edge_access_t *a, const edge_governance_t *g,
                               const edge_caller_t *who, int target, int unlock, int64_t now,
                               edge_decision_t *d);

/*
 * Changes. Each returns MM_OK, or an error with why in msg (cap bytes), and changes nothing then:
 * MM_EINVAL (a bad argument), MM_ENOTFOUND, MM_EEXIST (already so), MM_ECONFLICT (a grant for
 * someone who has access anyway, or one no longer in force), MM_EDENIED (a rule forbids it:
 * the manager as operator, R-N6.1; a report on someone else's grant). by is the manager's id.
 */
mm_err_t edge_access_designate(edge_access_t *a, const edge_governance_t *g, int person,
                               const char *by, int64_t now, char *msg, size_t cap);
mm_err_t edge_access_revoke(edge_access_t *a, const edge_governance_t *g, int person,
                            const char *by, int64_t now, char *msg, size_t cap);
/* grantee: a person id, or the name of a local account that is no person of the site. */
mm_err_t edge_access_grant(edge_access_t *a, const edge_governance_t *g, const char *grantee,
                           const char *by, edge_actions_t actions, const char *cameras, int minutes,
                           const char *reason, int64_t now, const edge_grant_t **out, char *msg,
                           size_t cap);
mm_err_t edge_access_grant_revoke(edge_access_t *a, const char *grant_id, int64_t now,
                                  const edge_grant_t **out, char *msg, size_t cap);
/* The holder of grant_id files its report; nobody else may. */
mm_err_t edge_access_report(edge_access_t *a, const edge_governance_t *g, const edge_caller_t *who,
                            const char *grant_id, int64_t now, const edge_grant_t **out, char *msg,
                            size_t cap);

/* Whether a grant is in force at now: not revoked, not reported, not expired. */
int edge_grant_active(const edge_grant_t *gr, int64_t now);
/* Whether camera is one of the grant's cameras (all when it names none). */
int edge_grant_has_camera(const edge_grant_t *gr, const char *camera);
/* "status,search" for a bit set; into buf. */
void edge_actions_format(edge_actions_t actions, char *buf, size_t cap);
/* Parses "status,search,playback"; MM_EINVAL naming the bad word in msg. */
mm_err_t edge_actions_parse(const char *list, edge_actions_t *out, char *msg, size_t cap);

/* The state as JSON for the store, and back. from_json: MM_ECORRUPT with msg when malformed. */
json_t *edge_access_to_json(const edge_access_t *a);
mm_err_t edge_access_from_json(json_t *j, edge_access_t *a, char *msg, size_t cap);

#endif
