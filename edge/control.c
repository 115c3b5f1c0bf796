/*
 * control.c: the control socket (see control.h).
 */
#include "edge/control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/utf8.h"

/* --- requests --------------------------------------------------------------------------------*/

enum {
    K_CAMERA = 1 << 0,
    K_FROM = 1 << 1,
    K_TO = 1 << 2,
    K_PERSON = 1 << 3,
    K_GRANT = 1 << 4,
    K_MINUTES = 1 << 5,
    K_ACTIONS = 1 << 6,
    K_CAMERAS = 1 << 7,
    K_REASON = 1 << 8,
    K_TEXT = 1 << 9,
    K_HTML = 1 << 10,
    K_REQUEST = 1 << 11,
    K_KEEP = 1 << 12,
    K_STEP = 1 << 13,
    K_COMPLAINT = 1 << 14,
    K_CHANNEL = 1 << 15,
    K_RECEIVED = 1 << 16,
    K_ALL = 1 << 17,
    K_HOLD = 1 << 18,
    K_DAYS = 1 << 19,
    K_PLAYER = 1 << 20,
    K_STREAM = 1 << 21,
    K_SPEED = 1 << 22,
    K_PURPOSE = 1 << 23,
    K_BASIS = 1 << 24,
    K_PASSWORD = 1 << 25,
    K_NEW_TOTP = 1 << 26,
};

static const char *const key_names[] = {
    "camera", "from_us", "to_us", "person", "grant_id", "minutes", "actions", "cameras",
    "reason", "text", "html", "request_id", "keep", "step", "complaint_id", "channel",
    "received_us", "all", "hold_id", "expires_days", "player", "stream", "speed", "purpose",
    "basis", "password", "new_totp"};
#define N_KEYS (sizeof key_names / sizeof key_names[0])

/* Per action: the keys it requires, and those it may have besides. */
static const struct {
    unsigned need, may;
} action_keys[EDGE_ACT_COUNT] = {
    [EDGE_ACT_STATUS] = {0, 0},
    [EDGE_ACT_CAMERAS] = {0, 0},
    [EDGE_ACT_SEARCH] = {K_CAMERA | K_FROM | K_TO, 0},
    /* the purpose is the handler's to check (purpose.h), so that a missing one is refused
     * with the site's purposes named */
    [EDGE_ACT_PLAYBACK] = {K_CAMERA | K_FROM | K_TO,
                           K_PLAYER | K_STREAM | K_SPEED | K_PURPOSE | K_BASIS},
    [EDGE_ACT_STANDARDS] = {0, K_HTML},
    [EDGE_ACT_OPERATORS] = {0, 0},
    [EDGE_ACT_OPERATOR_DESIGNATE] = {K_PERSON, K_REASON},
    [EDGE_ACT_OPERATOR_REVOKE] = {K_PERSON, K_REASON},
    [EDGE_ACT_EMERGENCY_GRANT] = {K_PERSON | K_MINUTES | K_ACTIONS | K_REASON, K_CAMERAS},
    [EDGE_ACT_EMERGENCY_REVOKE] = {K_GRANT, K_REASON},
    [EDGE_ACT_EMERGENCY_LIST] = {0, 0},
    [EDGE_ACT_EMERGENCY_REPORT] = {K_GRANT | K_TEXT, 0},
    [EDGE_ACT_CAMERA_SUSPEND] = {K_CAMERA | K_REASON, 0},
    [EDGE_ACT_CAMERA_RESUME] = {K_CAMERA | K_REASON, 0},
    [EDGE_ACT_CAMERA_ABOLISH] = {K_CAMERA | K_REASON, 0},
    [EDGE_ACT_REQUESTS] = {0, 0},
    [EDGE_ACT_REQUEST_ANSWER] = {K_REQUEST | K_TEXT, 0},
    [EDGE_ACT_STANDARDS_FILE] = {0, 0},
    [EDGE_ACT_DISCLOSURES] = {0, 0},
    [EDGE_ACT_DISCLOSURE_PREPARE] = {K_REQUEST, K_CAMERAS | K_FROM | K_TO | K_TEXT},
    [EDGE_ACT_DISCLOSURE_APPROVE] = {K_REQUEST | K_REASON, K_KEEP},
    [EDGE_ACT_DISCLOSURE_DENY] = {K_REQUEST | K_REASON, 0},
    [EDGE_ACT_DISCLOSURE_RELEASE] = {K_REQUEST | K_REASON, 0},
    [EDGE_ACT_NOTICES] = {0, K_REQUEST | K_ALL},
    [EDGE_ACT_NOTICE_ACK] = {K_REQUEST, K_TEXT},
    [EDGE_ACT_COMPLAINTS] = {0, K_ALL},
    /* which keys go with which step is the handler's to check */
    [EDGE_ACT_COMPLAINT] = {K_STEP | K_TEXT, K_COMPLAINT | K_CHANNEL | K_RECEIVED | K_CAMERA},
    [EDGE_ACT_HOLD_PLACE] = {K_CAMERAS | K_FROM | K_TO | K_REASON, K_DAYS},
    [EDGE_ACT_HOLD_RELEASE] = {K_HOLD, K_REASON},
    [EDGE_ACT_HOLDS] = {0, 0},
    [EDGE_ACT_TIMEZONE] = {0, 0},
    [EDGE_ACT_PASSWD] = {K_PERSON | K_PASSWORD, K_NEW_TOTP},
    [EDGE_ACT_PASSWD_UNLOCK] = {K_PERSON, 0},
    [EDGE_ACT_STILL] = {K_CAMERA | K_FROM, 0}, /* from_us: the time of the frame */
    [EDGE_ACT_ALERTS] = {0, 0},
    [EDGE_ACT_TIMELINE] = {K_CAMERA | K_FROM | K_TO, 0},
    [EDGE_ACT_LIVE] = {K_CAMERA, K_PURPOSE | K_BASIS},
};

#define MAX_SPAN_US (31LL * 86400 * 1000000) /* a search covers at most 31 days */

/* Says why in msg, and refuses the body (err.h mm_errf). */
#define bad(msg, cap, ...) mm_errf(MM_EPROTO, msg, cap, __VA_ARGS__)

/* A string field: UTF-8, no control characters, shorter than cap. */
static int get_text(json_t *v, char *dst, size_t cap, int line)
{
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n >= cap || strlen(s) != n || !mm_utf8_valid(s, n))
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && !(!line && (s[i] == '\n' || s[i] == '\t')))
            return -1;
    memcpy(dst, s, n + 1);
    return 0;
}

/* Reads the value v of the key bit (K_*) into out. 1 when it is good, 0 when not, -1 when it is
 * not and msg already says why. */
static int parse_value(unsigned bit, json_t *v, edge_request_t *out, char *msg, size_t cap)
{
    int ok = 0;
    switch (bit) {
    case K_CAMERA:
        ok = get_text(v, out->camera, sizeof out->camera, 1) == 0 && out->camera[0];
        break;
    case K_FROM:
        ok = json_is_integer(v) && (out->from_us = json_integer_value(v)) > 0;
        break;
    case K_TO:
        ok = json_is_integer(v) && (out->to_us = json_integer_value(v)) > 0;
        break;
    case K_PERSON:
        ok = get_text(v, out->person, sizeof out->person, 1) == 0 && out->person[0];
        break;
    case K_GRANT:
        ok = get_text(v, out->grant_id, sizeof out->grant_id, 1) == 0 && out->grant_id[0];
        break;
    case K_MINUTES:
        ok = json_is_integer(v) && json_integer_value(v) > 0 &&
             json_integer_value(v) <= EDGE_GRANT_MAX_MINUTES;
        if (ok)
            out->minutes = (int)json_integer_value(v);
        break;
    case K_ACTIONS: {
        char list[MM_TEXT_MAX], why[MM_TEXT_MAX];
        ok = get_text(v, list, sizeof list, 1) == 0;
        if (ok && edge_actions_parse(list, &out->actions, why, sizeof why) != MM_OK) {
            bad(msg, cap, "\"actions\": %s", why);
            return -1;
        }
        break;
    }
    case K_CAMERAS:
        ok = get_text(v, out->cameras, sizeof out->cameras, 1) == 0;
        break;
    case K_REASON:
        ok = get_text(v, out->reason, sizeof out->reason, 0) == 0 && out->reason[0];
        break;
    case K_TEXT:
        ok = get_text(v, out->text, sizeof out->text, 0) == 0 && out->text[0];
        break;
    case K_HTML:
        ok = json_is_boolean(v);
        out->html = json_is_true(v);
        break;
    case K_ALL:
        ok = json_is_boolean(v);
        out->all = json_is_true(v);
        break;
    case K_REQUEST:
        ok = get_text(v, out->request_id, sizeof out->request_id, 1) == 0 && out->request_id[0];
        break;
    case K_KEEP:
        /* One to EDGE_KEEP_MAX non-empty strings; what they say is checked by the action. */
        ok = json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= EDGE_KEEP_MAX;
        for (size_t i = 0; ok && i < json_array_size(v); i++)
            ok = get_text(json_array_get(v, i), out->keep[i], sizeof out->keep[i], 1) == 0 &&
                 out->keep[i][0];
        if (ok)
            out->n_keep = json_array_size(v);
        break;
    case K_STEP:
        ok = json_is_string(v) && mm_complaint_step_parse(json_string_value(v), &out->step);
        out->has_step = ok;
        break;
    case K_COMPLAINT:
        ok = get_text(v, out->complaint_id, sizeof out->complaint_id, 1) == 0 &&
             out->complaint_id[0];
        break;
    case K_CHANNEL:
        ok = json_is_string(v) && mm_complaint_channel_parse(json_string_value(v), &out->channel);
        out->has_channel = ok;
        break;
    case K_RECEIVED:
        ok = json_is_integer(v) && (out->received_us = json_integer_value(v)) > 0;
        break;
    case K_HOLD:
        ok = get_text(v, out->hold_id, sizeof out->hold_id, 1) == 0 && out->hold_id[0];
        break;
    case K_PLAYER:
        ok = get_text(v, out->player, sizeof out->player, 1) == 0 && out->player[0];
        break;
    case K_STREAM:
        ok = json_is_true(v);
        out->stream = ok;
        break;
    case K_SPEED:
        ok = json_is_integer(v) && edge_playback_speed_ok(json_integer_value(v));
        if (!ok) {
            bad(msg, cap,
                "\"speed\" is 1, 2, 4 or 8 times real time: the edge plays footage at "
                "most %d times as fast as it was recorded (R-N7.3)",
                EDGE_PLAYBACK_SPEED_MAX);
            return -1;
        }
        out->speed = (int)json_integer_value(v);
        break;
    case K_PURPOSE:
        ok = get_text(v, out->purpose, sizeof out->purpose, 1) == 0;
        break;
    case K_BASIS:
        ok = json_is_string(v) && mm_legal_basis_parse(json_string_value(v), &out->basis) &&
             out->basis != MM_LEGAL_BASIS_NONE;
        break;
    case K_PASSWORD:
        /* What makes a good password is console_auth.h's to say; here only that it fits. */
        ok = get_text(v, out->password, sizeof out->password, 1) == 0 && out->password[0];
        break;
    case K_NEW_TOTP:
        ok = json_is_boolean(v);
        out->new_totp = json_is_true(v);
        break;
    case K_DAYS:
        /* How many days the policy allows is the hold's check (siteholds.h). */
        ok = json_is_integer(v) && json_integer_value(v) > 0 &&
             json_integer_value(v) <= EDGE_REQUEST_DAYS_MAX;
        if (ok)
            out->days = (int)json_integer_value(v);
        break;
    }
    return ok;
}

mm_err_t edge_request_parse(const char *line, size_t len, edge_request_t *out, char *msg,
                            size_t cap)
{
    memset(out, 0, sizeof *out);
    if (len > EDGE_REQUEST_MAX)
        return bad(msg, cap, "request longer than %d bytes", EDGE_REQUEST_MAX);
    json_error_t je;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return bad(msg, cap, "request is not JSON: %s", je.text);
    mm_err_t err = MM_EPROTO;
    if (!json_is_object(o)) {
        bad(msg, cap, "request is not a JSON object");
        goto out;
    }
    json_t *a = json_object_get(o, "action");
    if (!json_is_string(a) || !edge_action_parse(json_string_value(a), &out->action)) {
        bad(msg, cap, "\"action\" is missing or names no action");
        goto out;
    }
    unsigned need = action_keys[out->action].need, may = need | action_keys[out->action].may;
    unsigned have = 0;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "action") == 0)
            continue;
        size_t k = 0;
        while (k < N_KEYS && strcmp(key, key_names[k]) != 0)
            k++;
        if (k == N_KEYS || !((may >> k) & 1)) {
            bad(msg, cap, "\"%.64s\" is not a key of a %s request", key,
                edge_action_name(out->action));
            goto out;
        }
        have |= 1u << k;
        int ok = parse_value(1u << k, v, out, msg, cap);
        if (ok < 0)
            goto out;
        if (!ok) {
            bad(msg, cap, "\"%s\" has a bad value", key);
            goto out;
        }
    }
    if ((have & need) != need) {
        for (size_t k = 0; k < N_KEYS; k++)
            if (((need & ~have) >> k) & 1) {
                bad(msg, cap, "a %s request needs \"%s\"", edge_action_name(out->action),
                    key_names[k]);
                goto out;
            }
    }
    /* A search spans at most 31 days and a playback 24 hours; a disclosure's range is the
     * city's. */
    int64_t span = out->action == EDGE_ACT_SEARCH     ? MAX_SPAN_US
                   : out->action == EDGE_ACT_PLAYBACK ? EDGE_PLAYBACK_SPAN_MAX_US
                   : out->action == EDGE_ACT_TIMELINE ? EDGE_TIMELINE_SPAN_MAX_US
                                                      : 0;
    if ((have & K_FROM) && (have & K_TO) &&
        (out->to_us <= out->from_us || (span && out->to_us - out->from_us > span))) {
        bad(msg, cap, "the time range must run forwards%s",
            !span                               ? ""
            : span == MAX_SPAN_US               ? " and cover at most 31 days"
            : span == EDGE_TIMELINE_SPAN_MAX_US ? " and cover at most 48 hours"
                                                : " and cover at most 24 hours: one playback "
                                                  "shows at most a day of footage (R-N7.3)");
        goto out;
    }
    if (out->player[0] && out->stream) {
        bad(msg, cap,
            "a playback goes to a player (\"player\") or to the caller (\"stream\"), "
            "not both");
        goto out;
    }
    if (out->action == EDGE_ACT_PLAYBACK && !out->speed)
        out->speed = 1;
    err = MM_OK;
out:
    json_decref(o);
    return err;
}

/* --- connections -----------------------------------------------------------------------------*/

struct edge_control {
    uv_loop_t *loop;
    uv_pipe_t server;
    edge_control_hooks_t hooks;
    char *path;
    edge_conn_t *conns; /* open connections, linked */
    size_t n_conns;
    int closing;
};

struct edge_conn {
    edge_control_t *c;
    uid_t uid;    /* the peer's, learnt when it connected */
    int have_uid; /* 0: the kernel did not say; counted with no account */
    uv_pipe_t pipe;
    uv_timer_t timer;
    edge_conn_t *next, **prev;
    char *buf;
    size_t len;
    int answered; /* a request has been handed to the hook */
    int closing;
    int handles; /* open handles: pipe and timer */
};

typedef struct {
    uv_write_t req;
    edge_conn_t *conn;
    char *data;
} reply_write_t;

static void conn_freed(uv_handle_t *h)
{
    edge_conn_t *conn = h->data;
    if (--conn->handles > 0)
        return;
    free(conn->buf);
    free(conn);
}

static void conn_unlink(edge_conn_t *conn)
{
    if (!conn->prev)
        return;
    *conn->prev = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    conn->prev = NULL;
    conn->c->n_conns--;
}

static void conn_close(edge_conn_t *conn)
{
    if (conn->closing)
        return;
    conn->closing = 1;
    conn_unlink(conn);
    uv_close((uv_handle_t *)&conn->pipe, conn_freed);
    uv_close((uv_handle_t *)&conn->timer, conn_freed);
}

static void on_written(uv_write_t *w, int status)
{
    reply_write_t *rw = (reply_write_t *)w;
    (void)status; /* a client that went away misses its answer; the call is logged anyway */
    conn_close(rw->conn);
    free(rw->data);
    free(rw);
}

void edge_conn_reply(edge_conn_t *conn, json_t *reply)
{
    char *s = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
    json_decref(reply);
    reply_write_t *rw = s ? malloc(sizeof *rw) : NULL;
    char *data = s ? malloc(strlen(s) + 2) : NULL;
    if (!rw || !data || conn->closing) {
        free(s);
        free(rw);
        free(data);
        conn_close(conn);
        return;
    }
    size_t n = strlen(s);
    memcpy(data, s, n);
    data[n++] = '\n';
    free(s);
    rw->conn = conn;
    rw->data = data;
    uv_buf_t b = uv_buf_init(data, (unsigned)n);
    if (uv_write(&rw->req, (uv_stream_t *)&conn->pipe, &b, 1, on_written) != 0) {
        free(rw->data);
        free(rw);
        conn_close(conn);
    }
}

void edge_conn_error(edge_conn_t *conn, const char *code, const char *msg)
{
    edge_conn_reply(conn, json_pack("{s:b, s:s, s:s}", "ok", 0, "code", code, "error", msg));
}

int edge_conn_take(edge_conn_t *conn)
{
    uv_os_fd_t fd;
    int dup_fd = -1;
    if (!conn->closing && uv_fileno((uv_handle_t *)&conn->pipe, &fd) == 0)
        dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (dup_fd >= 0) {
        int fl = fcntl(dup_fd, F_GETFL);
        if (fl < 0 || fcntl(dup_fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
            close(dup_fd);
            dup_fd = -1;
        }
    }
    /* The duplicate keeps the connection open after libuv closes its own descriptor. */
    uv_read_stop((uv_stream_t *)&conn->pipe);
    conn_close(conn);
    return dup_fd;
}

static void on_timeout(uv_timer_t *t)
{
    edge_conn_t *conn = t->data;
    if (!conn->answered) {
        MM_WARN("control: a client sent no request in %d ms; closed", EDGE_REQUEST_TIMEOUT_MS);
        conn_close(conn);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    edge_conn_t *conn = h->data;
    (void)suggested;
    size_t room = EDGE_REQUEST_MAX + 2 - conn->len;
    buf->base = conn->buf + conn->len;
    buf->len = room;
}

static void dispatch(edge_conn_t *conn, size_t line_len)
{
    struct ucred cred;
    socklen_t clen = sizeof cred;
    uv_os_fd_t fd;
    conn->answered = 1;
    uv_read_stop((uv_stream_t *)&conn->pipe);
    uv_timer_stop(&conn->timer);
    if (uv_fileno((uv_handle_t *)&conn->pipe, &fd) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0) {
        MM_ERROR("control: cannot learn who is calling: %s", strerror(errno));
        edge_conn_error(conn, "internal", "the edge cannot learn who is calling");
        return;
    }
    edge_request_t r;
    char msg[MM_TEXT_MAX];
    if (edge_request_parse(conn->buf, line_len, &r, msg, sizeof msg) != MM_OK) {
        /* the hook logs it (counted, for an unknown account): said here only when debugging */
        MM_DEBUG("control: uid %u: bad request: %s", (unsigned)cred.uid, msg);
        if (conn->c->hooks.malformed)
            conn->c->hooks.malformed(conn->c->hooks.arg, cred.uid, cred.pid, msg);
        edge_conn_error(conn, "invalid", msg);
        return;
    }
    conn->c->hooks.request(conn->c->hooks.arg, conn, cred.uid, cred.pid, &r);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    edge_conn_t *conn = s->data;
    (void)buf;
    if (n < 0) {
        conn_close(conn);
        return;
    }
    size_t old = conn->len;
    conn->len += (size_t)n;
    char *nl = memchr(conn->buf + old, '\n', (size_t)n);
    if (nl) {
        dispatch(conn, (size_t)(nl - conn->buf));
    } else if (conn->len > EDGE_REQUEST_MAX) {
        uv_read_stop(s);
        conn->answered = 1;
        edge_conn_error(conn, "invalid", "request longer than 65536 bytes, or no newline");
    }
}

/* Learns the peer's uid from the kernel (SO_PEERCRED). 1 when it did. */
static int peer_uid(edge_conn_t *conn)
{
    struct ucred cred;
    socklen_t clen = sizeof cred;
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&conn->pipe, &fd) == 0 &&
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
        conn->uid = cred.uid;
        conn->have_uid = 1;
    }
    return conn->have_uid;
}

/* The open connections of uid, this one included. */
static size_t conns_of(const edge_control_t *c, uid_t uid)
{
    size_t n = 0;
    for (const edge_conn_t *k = c->conns; k; k = k->next)
        n += k->have_uid && k->uid == uid;
    return n;
}

static void on_connection(uv_stream_t *server, int status)
{
    edge_control_t *c = server->data;
    if (status < 0 || c->closing)
        return;
    edge_conn_t *conn = calloc(1, sizeof *conn);
    if (conn)
        conn->buf = malloc(EDGE_REQUEST_MAX + 2);
    if (!conn || !conn->buf) {
        /* Accept and drop, so that the listener is not woken for it again and again. */
        uv_pipe_t tmp;
        uv_pipe_init(c->loop, &tmp, 0);
        if (uv_accept(server, (uv_stream_t *)&tmp) == 0)
            MM_ERROR("control: out of memory; a connection was dropped");
        uv_close((uv_handle_t *)&tmp, NULL);
        if (conn)
            free(conn->buf);
        free(conn);
        return;
    }
    conn->c = c;
    uv_pipe_init(c->loop, &conn->pipe, 0);
    uv_timer_init(c->loop, &conn->timer);
    conn->pipe.data = conn->timer.data = conn;
    conn->handles = 2;
    conn->next = c->conns;
    if (c->conns)
        c->conns->prev = &conn->next;
    conn->prev = &c->conns;
    c->conns = conn;
    c->n_conns++;
    if (uv_accept(server, (uv_stream_t *)&conn->pipe) != 0) {
        conn_close(conn);
        return;
    }
    const char *busy = NULL;
    if (c->n_conns > EDGE_CONTROL_CONNS)
        busy = "too many connections at once; try again";
    else if (peer_uid(conn) && conns_of(c, conn->uid) > EDGE_CONTROL_CONNS_PER_UID)
        busy = "this account has too many connections open at once; close one and try again";
    if (busy) {
        conn->answered = 1;
        edge_conn_error(conn, "busy", busy);
        return;
    }
    uv_timer_start(&conn->timer, on_timeout, EDGE_REQUEST_TIMEOUT_MS, 0);
    uv_read_start((uv_stream_t *)&conn->pipe, on_alloc, on_read);
}

/* Mode 0660 and the group of the directory path lies in (control.h). -1 with errno, said. */
static int give_dir_group(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (n >= sizeof dir)
        n = sizeof dir - 1;
    memcpy(dir, path, n);
    snprintf(dir + n, sizeof dir - n, "%s", !slash ? "." : n == 0 ? "/" : "");
    struct stat ds, ss;
    if (stat(dir, &ds) != 0 || stat(path, &ss) != 0) {
        MM_ERROR("control: cannot look at %s: %s", path, strerror(errno));
        return -1;
    }
    if (ss.st_gid != ds.st_gid && chown(path, (uid_t)-1, ds.st_gid) != 0) {
        int e = errno;
        MM_ERROR("control: cannot give %s the group (gid %u) of its directory %s: %s; make the "
                 "edge's account a member of that group, or put the socket in a directory of "
                 "the edge's group",
                 path, (unsigned)ds.st_gid, dir, strerror(e));
        errno = e;
        return -1;
    }
    if (chmod(path, 0660) != 0) {
        MM_ERROR("control: cannot make %s mode 0660: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* A server that could not listen: freed once its handle has closed. */
static void on_unbound(uv_handle_t *h)
{
    edge_control_t *c = h->data;
    free(c->path);
    free(c);
}

mm_err_t edge_control_open(uv_loop_t *loop, const char *path, const edge_control_hooks_t *hooks,
                           edge_control_t **out)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            MM_ERROR("control: %s exists and is not a socket; not replacing it", path);
            return MM_EEXIST;
        }
        unlink(path);
    }
    edge_control_t *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        return MM_ENOMEM;
    }
    c->loop = loop;
    c->hooks = *hooks;
    uv_pipe_init(loop, &c->server, 0);
    c->server.data = c;
    int rc = uv_pipe_bind(&c->server, path);
    if (rc == 0 && give_dir_group(path) != 0)
        rc = uv_translate_sys_error(errno);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&c->server, 16, on_connection);
    if (rc != 0) {
        MM_ERROR("control: cannot listen on %s: %s", path, uv_strerror(rc));
        c->closing = 1;
        unlink(path);
        uv_close((uv_handle_t *)&c->server, on_unbound); /* frees c */
        return MM_EIO;
    }
    *out = c;
    return MM_OK;
}

static void server_closed(uv_handle_t *h)
{
    edge_control_t *c = h->data;
    free(c->path);
    free(c);
}

void edge_control_close(edge_control_t *c)
{
    if (!c || c->closing)
        return;
    c->closing = 1;
    while (c->conns)
        conn_close(c->conns);
    unlink(c->path);
    uv_close((uv_handle_t *)&c->server, server_closed);
}
