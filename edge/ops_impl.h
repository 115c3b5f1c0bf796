/*
 * ops_impl.h: the inside of ops (ops.h), shared by its files and by nothing else.
 *
 * Ops is one module in one file per job, as Knot DNS keeps one file per handler:
 *
 *   ops.c            the module's life (create: the state restored and brought up to date;
 *                    close), appending its entries, the site's facts, and `status`
 *   ops_dispatch.c   a control-socket request: who calls, the access decision, the handler table,
 *                    and answering or refusing, each call one access entry
 *   ops_cameras.c    the cameras as people see them, and their states (suspend, resume, abolish)
 *   ops_playback.c   footage for people: `search`, and playback — its purpose, its player, its
 *                    viewing entries, and its end when the viewer's right ends
 *   ops_standards.c  the standards document's versions (configuration_changed) and filings
 *                    (standards_filed)
 *   ops_people.c     who may do what: the access state, the people and their operator roles
 *   ops_grants.c     emergency grants, their revocation and their reports
 *   ops_city.c       what the city asks and tells: requests logged and answered, notices
 *                    acknowledged, disclosure requests handed on and their steps taken by people
 *   ops_complaints.c complaints received at the site, their handling and closing
 *   ops_holds.c      holds the manager places at the site (siteholds.h), and every hold listed
 *   ops_passwd.c     the site console's passwords and TOTP secrets set, accounts unlocked
 *   ops_still.c      a still frame of a recording (the console's disclosure drawing)
 *   ops_alerts.c     what the alerts look at (alerts.h), and `alerts`
 *   ops_timeline.c   a camera's day: recorded spans, gaps with their causes, holds, erasures
 *
 * One private header rather than one per file: the files share one state (struct edge_ops) and
 * one call being answered (edge_ops_call_t), and each offers the others its handlers and a few
 * helpers; a header apiece would hide that they are parts of one module with one public face.
 * Everything runs on the loop thread but a playback stream, which runs on a thread of its own
 * (viewing.h) and touches nothing of ops.
 */
#ifndef EDGE_OPS_IMPL_H
#define EDGE_OPS_IMPL_H

#include <uv.h>

#include "edge/access.h"
#include "edge/control.h"
#include "edge/ops.h"
#include "edge/refusals.h"

typedef struct edge_viewer edge_viewer_t;

struct edge_ops {
    /* From edge_ops_conf_t, borrowed. */
    uv_loop_t *loop;
    const char *config_path;
    const char *documents_dir;
    const edge_config_t *cfg;
    edge_store_t *store;
    const edge_vault_t *vault;
    edge_disclosure_t *disclosure;
    const mm_ed25519_t *site_key;
    void (*logged)(void *arg);
    void *arg;

    edge_ingest_t *ingest; /* set once recording starts; NULL before */

    edge_city_rule_t city_rule; /* ops_city.c: the city's rule in force (cityrule.h) */
    /* ops_passwd.c */
    edge_accounts_t *accounts;
    void (*account_changed)(void *arg, const char *person);
    void *account_arg;
    char console_url[128];
    char console_fingerprint[96];
    const edge_alerts_t *alerts; /* ops_alerts.c; NULL until set */

    edge_access_t access;                         /* ops_people.c, ops_grants.c */
    edge_cam_state_t cam_state[EDGE_MAX_CAMERAS]; /* ops_cameras.c */

    /* ops_standards.c */
    uint32_t standards_version;
    char standards_date[EDGE_DATE_LEN];
    uint32_t standards_filed;   /* the last version filed with the city, 0 none */
    char standards_content[65]; /* hex SHA-256 of the unversioned document */

    /* ops_playback.c */
    uv_async_t viewer_done;  /* a viewing's thread finished */
    uv_timer_t viewer_watch; /* rechecks the viewers' rights while any runs */
    int playback_handles;    /* of those two, not yet closed */
    uv_close_cb playback_closed;
    edge_viewer_t *viewers[EDGE_MAX_VIEWERS];
    unsigned next_session;

    /* ops_dispatch.c: refusals to unknown accounts, counted (refusals.h); the timer logs each
     * account's count when its minute is over */
    edge_refusals_t refusals;
    uv_timer_t refusals_timer;
};

/* A call being answered: on the control socket (conn), or from the console (reply). */
typedef struct {
    edge_ops_t *ops;
    edge_conn_t *conn;
    edge_ops_reply_fn reply; /* the console's call: its answer goes here */
    void *reply_arg;
    const edge_request_t *r;
    edge_caller_t who;
    edge_decision_t d;
    char person[MM_ID_MAX]; /* the caller's person id, or "@account" */
    int logged;
    int *stream_fd; /* the console's playback: the socket its stream goes to, set to -1 once
                       the viewing has taken it (edge_ops_playback_as); NULL otherwise */
} edge_ops_call_t;

/* --- the handlers, one per action (ops_dispatch.c's table) --------------------------------- */

/* ops.c */
void edge_ops_do_status(edge_ops_call_t *c);
void edge_ops_do_timezone(edge_ops_call_t *c);
/* ops_cameras.c: the list; suspend, resume and abolish */
void edge_ops_do_cameras(edge_ops_call_t *c);
void edge_ops_do_camera_state(edge_ops_call_t *c);
/* ops_playback.c; playback answers by taking the connection over */
void edge_ops_do_search(edge_ops_call_t *c);
void edge_ops_do_playback(edge_ops_call_t *c);
/* ops_standards.c */
void edge_ops_do_standards(edge_ops_call_t *c);
void edge_ops_do_standards_file(edge_ops_call_t *c);
/* ops_people.c: the list; operator_designate and operator_revoke */
void edge_ops_do_operators(edge_ops_call_t *c);
void edge_ops_do_designation(edge_ops_call_t *c);
/* ops_grants.c */
void edge_ops_do_grant(edge_ops_call_t *c);
void edge_ops_do_grant_revoke(edge_ops_call_t *c);
void edge_ops_do_grant_list(edge_ops_call_t *c);
void edge_ops_do_grant_report(edge_ops_call_t *c);
/* ops_city.c; a disclosure step is prepare, approve, deny or release */
void edge_ops_do_requests(edge_ops_call_t *c);
void edge_ops_do_request_answer(edge_ops_call_t *c);
void edge_ops_do_notices(edge_ops_call_t *c);
void edge_ops_do_notice_ack(edge_ops_call_t *c);
void edge_ops_do_disclosures(edge_ops_call_t *c);
void edge_ops_do_disclosure_step(edge_ops_call_t *c);
/* ops_complaints.c: the list; a complaint recorded, handled or closed */
void edge_ops_do_complaints(edge_ops_call_t *c);
void edge_ops_do_complaint(edge_ops_call_t *c);
/* ops_holds.c: holds the manager places at the site, and every hold listed */
void edge_ops_do_hold_place(edge_ops_call_t *c);
void edge_ops_do_hold_release(edge_ops_call_t *c);
void edge_ops_do_holds(edge_ops_call_t *c);

/* ops_passwd.c */
void edge_ops_do_passwd(edge_ops_call_t *c);
void edge_ops_do_passwd_unlock(edge_ops_call_t *c);
/* ops_still.c: a still frame of a recording */
void edge_ops_do_still(edge_ops_call_t *c);
/* ops_alerts.c */
void edge_ops_do_alerts(edge_ops_call_t *c);
/* ops_timeline.c: a camera's recorded spans, gaps with their causes, holds and erasures */
void edge_ops_do_timeline(edge_ops_call_t *c);
/* ops_live.c: live view is the console's (ops_live.h); the control socket's call is refused */
void edge_ops_do_live(edge_ops_call_t *c);

/* --- answering (ops_dispatch.c) ------------------------------------------------------------- */

/* Logs the call as an access entry: once, with how it ended (reason NULL: none). A refusal on
 * the control socket to an account nobody at the site has may be counted instead, for one entry
 * a minute (refusals.h). 1 when an entry was appended now, 0 when not. */
int edge_ops_log_call(edge_ops_call_t *c, int allowed, const char *reason);
/* Logs the counted refusals of every account whose minute is over (all: every account now, as the
 * edge stops). */
void edge_ops_log_refusals(edge_ops_t *ops, int all);
/* Fills e as the call's access entry (for a handler that appends it in a transaction of its
 * own; it then sets c->logged). */
void edge_ops_call_entry(const edge_ops_call_t *c, int allowed, const char *reason, mm_entry_t *e);
/* Refuses the call with an error code ("denied", "not_found", ...) and a message, logged. */
void edge_ops_refuse(edge_ops_call_t *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answers {"ok": true, "result": result} (taking result; NULL: {}) and logs the call as allowed
 * with note. */
void edge_ops_answer(edge_ops_call_t *c, json_t *result, const char *note);
/* The control socket's error code for an error. */
const char *edge_ops_err_code(mm_err_t err);

/* --- what the files share ------------------------------------------------------------------- */

/*
 * Appends e to the site log, with the edge.meta value meta (NULL: none) in the same transaction,
 * and wakes the uplink; a failure is logged with the entry's kind (ops.c).
 */
mm_err_t edge_ops_append(edge_ops_t *ops, mm_entry_t *e, const char *meta, const void *val,
                         size_t len);
/* Logs the site's facts that changed, with the operators in force now (ops.c). */
mm_err_t edge_ops_facts_update(edge_ops_t *ops);

/* The index of camera id in the configuration, or -1 (ops_cameras.c). */
int edge_ops_camera_index(const edge_ops_t *ops, const char *id);
/* Restores the cameras' states from the store; MM_ECORRUPT for a damaged one (ops_cameras.c). */
mm_err_t edge_ops_cameras_load(edge_ops_t *ops);

/* Restores who may do what from the store; MM_ECORRUPT when it is damaged (ops_people.c). */
mm_err_t edge_ops_access_load(edge_ops_t *ops);
/* Stores the access state with its entry e, in one transaction (ops_people.c). */
mm_err_t edge_ops_access_save(edge_ops_t *ops, mm_entry_t *e);
/* Fills e as a role_changed entry of now (ops_people.c). */
void edge_ops_role_entry(mm_entry_t *e, mm_role_change_t change, const char *person, const char *by,
                         const char *reason);

/* Emergency grants whose report is still open (ops_grants.c). */
int edge_ops_open_reports(const edge_ops_t *ops);

/*
 * Makes and logs a new version of the standards document when what it says differs from the last
 * version's, summary saying why, and files it when the site files automatically
 * (ops_standards.c).
 */
mm_err_t edge_ops_standards_update(edge_ops_t *ops, const char *summary);

/* Starts the playback module's handles (ops_playback.c). */
mm_err_t edge_ops_playback_init(edge_ops_t *ops);
/* Ends every stream, logs their ends, and closes the handles; closed(&ops->viewer_done) runs
 * once libuv has closed them all (ops_playback.c). */
void edge_ops_playback_close(edge_ops_t *ops, uv_close_cb closed);
/* Ends, within the second, each playback whose viewer may no longer look: the operator role
 * revoked, the emergency grant revoked or expired, the camera abolished (ops_playback.c). Called
 * after each such change, and by a timer while playbacks run. */
void edge_ops_playback_recheck(edge_ops_t *ops);
/* Ends the playbacks running under emergency grant grant_id, why saying so (ops_playback.c): a
 * revoked grant looks like one that expired (access.h), so its revocation says it itself. */
void edge_ops_playback_end_grant(edge_ops_t *ops, const char *grant_id, const char *why);

/* Says what waits for the manager and what notices are not yet acknowledged (ops_city.c). */
void edge_ops_city_at_start(edge_ops_t *ops);

#endif
