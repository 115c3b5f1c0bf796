/*
 * control.h: the edge's control socket — a local Unix stream socket through which people
 * operate the site (mimamori-edge status, search, playback, operators, ...).
 *
 * The socket is the only way in, and it knows who is calling: the kernel's peer credentials
 * (SO_PEERCRED) give the caller's uid, which the edge maps to a local account and a person
 * (access.h). Nothing the client says about itself is believed.
 *
 * Protocol (docs/protocol.md, "Control socket"): the client sends one request, a JSON object
 * on one line of at most EDGE_REQUEST_MAX bytes; the edge answers with one JSON object on one
 * line and closes, except for playback (ops_playback.c): its answer line is followed, when the
 * edge starts a configured player, by one more line saying how the viewing ended, or, when the
 * caller asked for the stream itself ("stream": true), by the stream, paced by the edge, until
 * the edge closes. A connection that sends nothing for EDGE_REQUEST_TIMEOUT_MS is closed.
 *
 * The socket is the site's, not everyone's: mode 0660, its group the group of the directory it
 * lies in (with systemd, RuntimeDirectory= makes that the service's group; the site's people are
 * members). One account (uid) holds at most EDGE_CONTROL_CONNS_PER_UID connections at once and
 * all together at most EDGE_CONTROL_CONNS: idle connections of one account cannot lock out the
 * others.
 */
#ifndef EDGE_CONTROL_H
#define EDGE_CONTROL_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "common/err.h"
#include "edge/access.h"
#include "edge/console_auth.h"

#define EDGE_REQUEST_MAX (64 * 1024)
#define EDGE_REQUEST_TIMEOUT_MS 3000 /* a connection idle this long is closed */
#define EDGE_CONTROL_CONNS 64        /* connections at once; more are answered "busy" and closed */
#define EDGE_CONTROL_CONNS_PER_UID 8 /* connections of one account at once; more are "busy" */

#define EDGE_KEEP_MAX 32  /* regions kept clear in one approval (own images, R-N8) */
#define EDGE_KEEP_LEN 128 /* bytes of one "CAM:x,y,w,h", with its NUL */
#define EDGE_REQUEST_DAYS_MAX 3650 /* "expires_days" a request may carry at all */

/* Playback (R-N7.3): at most a day of footage per call, at most 8 times real time. */
#define EDGE_PLAYBACK_SPAN_MAX_US (24LL * 3600 * 1000000)
#define EDGE_PLAYBACK_SPEED_MAX 8
#define EDGE_TIMELINE_SPAN_MAX_US (48LL * 3600 * 1000000) /* one timeline call's range */
#define EDGE_PLAYER_SOCKET "@socket" /* a viewing's player when the stream went to the caller */

/* Whether speed is one playback runs at: 1, 2, 4 or 8. */
static inline int edge_playback_speed_ok(long long speed)
{
    return speed == 1 || speed == 2 || speed == 4 || speed == EDGE_PLAYBACK_SPEED_MAX;
}

/* One request, checked: every field the action needs is there and within its bounds. */
typedef struct {
    edge_action_t action;
    char camera[MM_ID_MAX];        /* "" when none */
    int64_t from_us, to_us;        /* 0 when none */
    char person[MM_ID_MAX];        /* operator_designate/revoke, emergency_grant: whom */
    char grant_id[MM_ID_MAX];      /* emergency_revoke, emergency_report */
    int minutes;                   /* emergency_grant */
    edge_actions_t actions;        /* emergency_grant: bits of edge_action_t */
    char cameras[MM_TEXT_MAX];     /* emergency_grant: comma-separated, "" all;
                                      disclosure_prepare: the cameras chosen, "" the request's;
                                      hold_place: the cameras held */
    char reason[MM_LONG_TEXT_MAX]; /* grants, designations, camera state changes; disclosure
                                      approve, deny and release; hold place and release */
    char text[MM_LONG_TEXT_MAX];   /* emergency_report: what was done; request_answer: answer;
                                      disclosure_prepare: the note ("" none); notice_ack: what
                                      the acknowledgement says ("" none) */
    char request_id[MM_ID_MAX];    /* request_answer, disclosure_*, notice_ack: the city
                                      request; notices: the one to show ("" all) */
    int html;                      /* standards: HTML instead of Markdown */
    int all;                       /* notices, complaints: the closed ones too */
    size_t n_keep;                 /* disclosure_approve: regions kept clear, as given */
    char keep[EDGE_KEEP_MAX][EDGE_KEEP_LEN]; /* "CAM:x,y,w,h" (checked by disclosure.h) */
    /* complaint: the step ("received" records a new one, with its channel and when; "handled"
     * and "closed" name the complaint) and its text */
    int has_step;
    mm_complaint_step_t step;
    char complaint_id[MM_ID_MAX];
    int has_channel;
    mm_complaint_channel_t channel;
    int64_t received_us; /* 0 when not given */
    char hold_id[MM_ID_MAX]; /* hold_release: a site hold or its group (siteholds.h) */
    int days;                /* hold_place "expires_days": 1 to EDGE_REQUEST_DAYS_MAX, 0 none */
    /* playback: to the configured player named ("" the site's first) or, with stream, to the
     * caller over this socket; at speed times real time (1 when not given); for purpose ("" when
     * not given), under basis (MM_LEGAL_BASIS_NONE when not given) */
    char player[MM_ID_MAX];
    int stream;
    int speed;
    char purpose[MM_LONG_TEXT_MAX];
    mm_legal_basis_t basis;
    char password[MM_PASSWORD_MAX + 1];   /* passwd: the new console password (never logged) */
    int new_totp;                         /* passwd: make a new TOTP secret */
} edge_request_t;

/*
 * Parses one request line (without its newline). MM_EPROTO with a message naming the problem
 * in msg: not JSON, not an object, unknown action, unknown key, a missing or out-of-range
 * field. Times are microseconds since the epoch; a range must have from < to, and a search's
 * covers at most 31 days, a playback's at most EDGE_PLAYBACK_SPAN_MAX_US, a timeline's at most
 * EDGE_TIMELINE_SPAN_MAX_US; a playback's speed is 1, 2, 4 or 8, and it names a player or asks
 * for the stream, not both.
 */
mm_err_t edge_request_parse(const char *line, size_t len, edge_request_t *out, char *msg,
                            size_t cap);

typedef struct edge_control edge_control_t;
typedef struct edge_conn edge_conn_t;

typedef struct {
    /* A request arrived on conn from the peer (uid, pid). Call edge_conn_reply or
     * edge_conn_take exactly once, now or later. */
    void (*request)(void *arg, edge_conn_t *conn, uid_t uid, pid_t pid, const edge_request_t *r);
    /* A request that does not parse (msg says why); the connection is answered "invalid" and
     * closed after the call. NULL: nothing is told. */
    void (*malformed)(void *arg, uid_t uid, pid_t pid, const char *msg);
    void *arg;
} edge_control_hooks_t;

/*
 * Listens on path (a stale socket there is replaced; any other file there is an error), with
 * mode 0660 and the group of path's directory: the accounts of that group may connect, and the
 * edge decides what each may do. MM_EIO, said in the diagnostic log, when the socket cannot get
 * that group (the edge's account is not a member of it) or cannot listen.
 */
mm_err_t edge_control_open(uv_loop_t *loop, const char *path, const edge_control_hooks_t *hooks,
                           edge_control_t **out);
/* Stops listening, closes every connection, removes the socket file; frees c once the loop
 * has run the close callbacks. */
void edge_control_close(edge_control_t *c);

/* Sends reply (one JSON object, reference stolen) and closes the connection. */
void edge_conn_reply(edge_conn_t *conn, json_t *reply);
/* Sends {"ok":false,"code":code,"error":msg} and closes. */
void edge_conn_error(edge_conn_t *conn, const char *code, const char *msg);
/*
 * Hands the connection over for a stream: returns a blocking file descriptor the caller owns
 * (and must close), or -1. The connection object is gone after this call.
 */
int edge_conn_take(edge_conn_t *conn);

#endif
