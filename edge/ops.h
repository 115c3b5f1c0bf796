/*
 * ops.h: what the edge does for the people who run it — each call on the control socket
 * decided (access.h), done and logged; camera suspension, resumption and abolition; the
 * standards document and its versions (standards.h).
 *
 * Every call is one `access` entry in the site log, allowed or refused, naming the person (or
 * the account), the action, the camera and the time range (R-K2.2.3-4). Changes of role are
 * `role_changed` entries, reports `emergency_report`, playback `viewing` started/ended, camera
 * states `camera_state` (a filing, R-N4.2). Whenever the standards document differs from the
 * last version (at start after a configuration change, when the manager changes the operators
 * or a camera's state), a new version is made and logged as `configuration_changed` with the
 * document's hash (R-N4.2), its Markdown and HTML kept first as they were hashed (documents.h).
 * The site's facts for the city's registry (facts.h) are logged at
 * start and when the operators change, each only when it differs from the last logged.
 *
 * What the city asks (requests.h) comes with the hub's acknowledgements: each request is logged
 * once as `city_request`; report requests are answered at once with a signed report, complaints
 * and measures by the manager (`request_answer`), each answer a `request_answered` entry.
 * Disclosure requests and the hub's download notices are handed on to disclosure.h once logged;
 * people list, prepare, approve, deny and release them here (`disclosures`, `disclosure_prepare`,
 * `disclosure_approve`, `disclosure_deny`, `disclosure_release`), each step a `disclosure` entry.
 *
 * State kept in the store (edge.meta): "access" (designations and grants, JSON),
 * "camera_state/<id>" ("suspended" or "abolished"), "standards" (version, date, content hash),
 * "facts/site" and "facts/camera/<id>" (the last logged entries' bytes, facts.h),
 * "request/<id>" (each city request and its state, requests.h), "disclosure/<id>" (each
 * disclosure request and its steps, disclosure.h).
 *
 * Playback (ops_playback.c) runs on a thread of its own (viewing.h), paced by the edge, into a
 * player the site's configuration names, started by the edge, or, asked for explicitly, into the
 * caller's socket; its end comes back to the loop, which logs it. A viewer whose right ends is
 * stopped at once.
 *
 * The site console (console.h) calls the same operations for a person logged in to it
 * (edge_ops_call_as); the console's accounts (console_auth.h) are kept here too, in
 * console.accounts, and `passwd` sets a password and TOTP secret, `passwd_unlock` unlocks.
 *
 * The module is one file per job (dispatch, cameras, playback, standards, people, grants, the
 * city's requests, console passwords) around one private state; ops_impl.h says which file does
 * what. Callers use only the functions below.
 */
#ifndef EDGE_OPS_H
#define EDGE_OPS_H

#include <stddef.h>
#include <sys/types.h>
#include <uv.h>

#include "common/crypto.h"
#include "common/wire.h"
#include "edge/alertrules.h"
#include "edge/cityrule.h"
#include "edge/console_auth.h"
#include "edge/control.h"
#include "edge/disclosure.h"
#include "edge/ingest.h"
#include "edge/siteconf.h"
#include "edge/store.h"
#include "edge/vault.h"

#define EDGE_MAX_VIEWERS 8 /* playback streams at once */

typedef enum {
    EDGE_CAM_RECORDING = 0,
    EDGE_CAM_SUSPENDED,
    EDGE_CAM_ABOLISHED,
} edge_cam_state_t;

const char *edge_cam_state_name(edge_cam_state_t s);

typedef struct edge_ops edge_ops_t;

/* What ops works with; everything is borrowed and must outlive it. */
typedef struct {
    uv_loop_t *loop;
    const char *config_path;   /* hashed into configuration_changed entries */
    const char *documents_dir; /* each version's document is kept here (documents.h) */
    const edge_config_t *cfg;
    edge_store_t *store;
    const edge_vault_t *vault;     /* footage for search and playback */
    edge_disclosure_t *disclosure; /* disclosure requests; NULL: none are taken */
    const mm_ed25519_t *site_key;  /* signs reports to the city (requests.h); NULL: no reports */
    const edge_city_rule_t *city_rule; /* the city's rule in force at start (copied); NULL: none */
    void (*logged)(void *arg);     /* an entry was appended: wake the uplink */
    void *arg;
} edge_ops_conf_t;

/*
 * Creates ops: loads the access state and camera states from the store, logs the site's facts
 * that changed (facts.h), brings the standards document's version up to date (logging
 * configuration_changed when it changed), answers the report requests a stop left open, and
 * starts its loop handle (for playback streams that end). MM_ECORRUPT when the stored state is
 * malformed (named in the log); MM_ENOMEM; the errors of edge_facts_log and of the store.
 */
mm_err_t edge_ops_create(const edge_ops_conf_t *conf, edge_ops_t **out);

/* Recording has started: camera states change the recorder from now on (borrowed). */
void edge_ops_set_ingest(edge_ops_t *ops, edge_ingest_t *ingest);

/* The control socket's request hook (arg is the edge_ops_t). */
void edge_ops_request(void *arg, edge_conn_t *conn, uid_t uid, pid_t pid, const edge_request_t *r);

/* The control socket's hook for requests that do not parse: logged as refused calls. */
void edge_ops_malformed(void *arg, uid_t uid, pid_t pid, const char *msg);

/*
 * The uplink's requests hook (arg is the edge_ops_t): logs the city's requests not seen before,
 * answers report requests at once with a report signed by site_key (requests.h), and hands
 * disclosure requests and download notices, once logged, to the disclosure module. A city's rule
 * for the retention period (cityrule.h), once logged, becomes the rule in force when it is the
 * latest for the site's policy that the hub signed: the site's facts and standards take it up,
 * and a running configuration outside it is named in the diagnostic log (it is refused at the
 * next start).
 */
void edge_ops_city_requests(void *arg, const mm_city_request_t *r, size_t n);

/* The city's rule for the retention period in force at the site (cityrule.h): the one loaded at
 * start, or the latest received since; has 0 while there is none. Valid until ops is closed. */
const edge_city_rule_t *edge_ops_city_rule(const edge_ops_t *ops);
/*
 * The site console's way in (console.h): person (an id of the site's people), logged in to the
 * console, makes request r. It is decided (edge_access_decide, as if person called from their own
 * account), done and logged exactly as the same call on the control socket — the access entry
 * says account "console" — and its answer, the JSON object the socket would have sent
 * ({"ok": true, "timezone", "result"} or {"ok": false, "code", "error"}), goes to reply(arg,
 * answer) (answer stolen), at once. Playback is not a console call (it streams to a socket) and
 * is refused as "invalid".
 */
typedef void (*edge_ops_reply_fn)(void *arg, json_t *answer);
void edge_ops_call_as(edge_ops_t *ops, const char *person, const edge_request_t *r,
                      edge_ops_reply_fn reply, void *arg);
/*
 * The console's playback (r->action EDGE_ACT_PLAYBACK, r->stream set): decided, checked and
 * logged as person's, exactly as on the control socket, but the stream — fragmented MP4
 * (footage.h), without a first line — goes to *fd, one end of the console's socket pair. Once the
 * viewing has started it owns that socket (it closes it when it ends) and *fd is set to -1; a
 * hang-up of the other end ends the viewing. reply(arg, answer) comes at once: {"ok": true,
 * "result": {session, format, speed, purpose, ...}} when the viewing started, or the refusal
 * (then *fd is still the caller's to close).
 */
void edge_ops_playback_as(edge_ops_t *ops, const char *person, const edge_request_t *r, int *fd,
                          edge_ops_reply_fn reply, void *arg);

/* The console's accounts (console_auth.h), kept with ops's state in the store. */
edge_accounts_t *edge_ops_accounts(edge_ops_t *ops);
/* Tells fn(arg, person) whenever person's console password is set or their account unlocked,
 * or a reload removed them from the site's people (the console ends their sessions). */
void edge_ops_on_account(edge_ops_t *ops, void (*fn)(void *arg, const char *person), void *arg);
/*
 * The people and roles in ops's configuration were reloaded (reload.h), old being the ones
 * before: the console sessions of those no longer among the people end, playbacks whose viewer
 * may no longer look end (R-N7.2), and the site's facts and standards are brought up to date
 * and logged where they changed, as at a start.
 */
void edge_ops_reloaded(edge_ops_t *ops, const edge_governance_t *old);
/* The role person (an index into the people, -1 none) has now. */
mm_role_t edge_ops_role(const edge_ops_t *ops, int person);
/* Appends e (an entry the console made: a login, a failure) to the site log and wakes the
 * uplink. */
mm_err_t edge_ops_log(edge_ops_t *ops, mm_entry_t *e);
/* Tells ops where the console is, for `status` ("console": {"url", "fingerprint"}); copied. */
void edge_ops_set_console(edge_ops_t *ops, const char *url, const char *fingerprint);

/* The site's alerts (alerts.h): the runner `alerts` lists (borrowed; NULL none yet), and what
 * of ops's state it looks at, added to st's items (ops_alerts.c). */
typedef struct edge_alerts edge_alerts_t;
void edge_ops_set_alerts(edge_ops_t *ops, const edge_alerts_t *alerts);
const edge_alerts_t *edge_ops_alerts(const edge_ops_t *ops);
void edge_ops_alert_items(edge_ops_t *ops, edge_alert_state_t *st);

/* The state of camera i (the configuration's order). */
edge_cam_state_t edge_ops_camera_state(const edge_ops_t *ops, size_t i);
/* Whether camera i may record (neither suspended nor abolished). */
int edge_ops_may_record(const edge_ops_t *ops, size_t i);

/*
 * Ends every playback stream and logs their ends, closes the loop handle, and frees ops once
 * libuv has closed it; no hook may be called after this. Accepts NULL.
 */
void edge_ops_close(edge_ops_t *ops);

#endif
