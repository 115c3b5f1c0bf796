/*
 * console_timeline.c: the timeline's routes (console_impl.h) — a camera's day, and playback of its
 * footage into the browser (R-N7.3: viewing is looking, not copying).
 *
 *   GET /api/timeline
 *       the `cameras` operation as the logged-in person: the cameras to choose from.
 *   GET /api/timeline/{camera}?day=YYYY-MM-DD   (the site's day) or ?from_us=&to_us= (<= 48 h)
 *       the `timeline` operation (ops_timeline.c) as the logged-in person: recorded spans, gaps
 *       with their causes, holds, erasures.
 *   GET /api/playback/{camera}?from_us=&to_us=&speed=1|2|4|8&purpose=&basis=
 *       the `playback` operation as the person (purpose, basis, pace and the 24 hours checked and
 *       logged exactly as on the control socket); its stream, fragmented MP4 for Media Source
 *       Extensions (footage.h), is the answer's body, video/mp4.
 *
 * The viewing runs on its own thread (viewing.h) and writes into one end of a socket pair; the
 * console reads the other end on the loop and forwards what comes into the streamed answer
 * (console_http.h), reading no more while more than STREAM_HIGH bytes wait for the browser. The
 * edge paces the stream, not the browser. When the browser goes away the console closes its end;
 * the viewing sees the hang-up and ends, and its end is logged ("the viewer closed the stream").
 * When the viewing ends (finished, stopped because the viewer's right ended, failed) its end of
 * the pair closes and the answer's body ends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/diag.h"
#include "edge/console_impl.h"

#define STREAM_HIGH (1 << 20) /* bytes waiting for the browser before reading pauses */
#define READ_BUF (64 * 1024)
#define HOUR_US (3600LL * 1000000)

/* --- the day -------------------------------------------------------------------------------- */

/* Query parameter name as a whole number: 1 found, 0 absent, -1 malformed. */
static int query_i64(edge_http_req_t *req, const char *name, int64_t *out)
{
    char v[32], *end;
    int got = edge_http_query(req, name, v, sizeof v);
    if (got != 1)
        return got;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (end == v || *end || errno || n < 0)
        return -1;
    *out = n;
    return 1;
}

/* Midnight at the start of day "YYYY-MM-DD" in the site's zone (the edge's own, timefmt.h
 * mm_tz_use) and the next midnight: 0, or -1 when it is no date. */
static int day_range(const char *day, int64_t *from, int64_t *to)
{
    int y, m, d, n = 0;
    if (strlen(day) != 10 || sscanf(day, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    struct tm a = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    struct tm b = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1, .tm_isdst = -1};
    time_t ta = mktime(&a), tb = mktime(&b);
    if (ta == (time_t)-1 || tb == (time_t)-1 || a.tm_mday != d || a.tm_mon != m - 1)
        return -1;
    *from = (int64_t)ta * 1000000;
    *to = (int64_t)tb * 1000000;
    return 0;
}

/* The camera of the path into r->camera: 0, or -1 once answered 400. */
static int camera_of(edge_http_req_t *req, edge_request_t *r)
{
    const char *cam = edge_http_param(req, "camera");
    if (!cam || !*cam || strlen(cam) >= sizeof r->camera) {
        edge_http_error(req, 400, "camera", "no such camera id");
        return -1;
    }
    snprintf(r->camera, sizeof r->camera, "%s", cam);
    return 0;
}

static void get_timeline(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    edge_request_t r = {.action = EDGE_ACT_TIMELINE};
    if (camera_of(req, &r) != 0)
        return;
    char day[16];
    int d = edge_http_query(req, "day", day, sizeof day);
    int f = query_i64(req, "from_us", &r.from_us), t = query_i64(req, "to_us", &r.to_us);
    if (d == 1 ? day_range(day, &r.from_us, &r.to_us) != 0 : d < 0) {
        edge_http_error(req, 400, "day", "day must be a date YYYY-MM-DD");
        return;
    }
    if (d != 1 && (f != 1 || t != 1)) {
        edge_http_error(req, 400, "range", "give day=YYYY-MM-DD, or from_us and to_us");
        return;
    }
    if (r.to_us <= r.from_us || r.to_us - r.from_us > EDGE_TIMELINE_SPAN_MAX_US) {
        edge_http_error(req, 400, "range",
                        "the range must run forwards and cover at most 48 hours");
        return;
    }
    edge_console_call(c, req, &r);
}

/* --- playback ------------------------------------------------------------------------------- */

typedef struct {
    edge_console_t *c;
    edge_http_stream_t *s; /* NULL once ended */
    uv_pipe_t pipe;        /* the console's end of the socket pair */
    int reading, closing;
    char session[MM_ID_MAX];
} pb_t;

static void pb_closed(uv_handle_t *h)
{
    pb_t *p = h->data;
    edge_console_t *c = p->c;
    free(p);
    edge_console_job_done(c);
}

/* Ends the answer and closes the console's end (the viewing then sees a hang-up, if it still
 * runs). */
static void pb_finish(pb_t *p, const char *why)
{
    if (p->closing)
        return;
    p->closing = 1;
    MM_INFO("console: playback %s: %s", p->session, why);
    if (p->s)
        edge_http_stream_end(p->s);
    p->s = NULL;
    uv_close((uv_handle_t *)&p->pipe, pb_closed);
}

static void pb_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)h, (void)hint;
    buf->base = malloc(READ_BUF);
    buf->len = buf->base ? READ_BUF : 0;
}

static void pb_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    pb_t *p = st->data;
    if (n > 0 && !p->closing) {
        long queued = edge_http_stream_write(p->s, buf->base, (size_t)n);
        if (queued < 0) {
            pb_finish(p, "the browser went away");
        } else if (queued > STREAM_HIGH) {
            uv_read_stop(st);
            p->reading = 0;
        }
    } else if (n < 0) {
        pb_finish(p, n == UV_EOF ? "the viewing ended" : uv_strerror((int)n));
    }
    free(buf->base);
}

static void pb_drain(void *arg)
{
    pb_t *p = arg;
    if (!p->closing && !p->reading &&
        uv_read_start((uv_stream_t *)&p->pipe, pb_alloc, pb_read) == 0)
        p->reading = 1;
}

static void pb_gone(void *arg)
{
    pb_finish(arg, "the browser went away");
}

typedef struct {
    json_t *answer;
} reply_t;

static void took_reply(void *arg, json_t *answer)
{
    ((reply_t *)arg)->answer = answer;
}

/* The refusal of a playback as an HTTP error (console.c's statuses, and busy: 429). */
static void refuse(edge_http_req_t *req, json_t *answer)
{
    const char *code = json_string_value(json_object_get(answer, "code"));
    const char *msg = json_string_value(json_object_get(answer, "error"));
    static const struct {
        const char *code;
        int status;
    } map[] = {{"denied", 403}, {"not_found", 404},       {"invalid", 400},
               {"busy", 429},   {"footage_missing", 410}, {"footage_altered", 409}};
    int status = 500;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (code && !strcmp(code, map[i].code))
            status = map[i].status;
    edge_http_error(req, status, code ? code : "internal", "%s", msg ? msg : "refused");
}

/* The playback's request from the query: 0, or -1 once answered 400. */
static int playback_request(edge_http_req_t *req, edge_request_t *r)
{
    int64_t speed = 1;
    int f = query_i64(req, "from_us", &r->from_us), t = query_i64(req, "to_us", &r->to_us);
    int s = query_i64(req, "speed", &speed);
    char basis[32];
    int b = edge_http_query(req, "basis", basis, sizeof basis);
    int p = edge_http_query(req, "purpose", r->purpose, sizeof r->purpose);
    if (f != 1 || t < 0) {
        edge_http_error(req, 400, "range", "from_us (microseconds) is needed, to_us optional");
        return -1;
    }
    if (t == 0)
        r->to_us = r->from_us + HOUR_US;
    if (r->to_us <= r->from_us || r->to_us - r->from_us > EDGE_PLAYBACK_SPAN_MAX_US) {
        edge_http_error(req, 400, "range",
                        "the range must run forwards and cover at most 24 hours: one playback "
                        "shows at most a day of footage (R-N7.3)");
        return -1;
    }
    if (s < 0 || !edge_playback_speed_ok(speed)) {
        edge_http_error(req, 400, "speed", "speed must be 1, 2, 4 or 8");
        return -1;
    }
    if (p < 0 || b < 0 ||
        (b == 1 && (!mm_legal_basis_parse(basis, &r->basis) || r->basis == MM_LEGAL_BASIS_NONE))) {
        edge_http_error(req, 400, p < 0 ? "purpose" : "basis",
                        p < 0 ? "the purpose is too long" : "no such legal basis");
        return -1;
    }
    r->speed = (int)speed;
    r->stream = 1;
    return 0;
}

/* Starts forwarding the viewing's stream from fd (the console's end) into req's answer. */
static void pb_start(edge_console_t *c, edge_http_req_t *req, int fd, const char *session)
{
    pb_t *p = calloc(1, sizeof *p);
    if (!p || uv_pipe_init(c->loop, &p->pipe, 0) != 0) {
        free(p);
        close(fd); /* the viewing sees the hang-up and ends */
        edge_http_error(req, 500, "internal", "out of memory");
        return;
    }
    p->c = c;
    p->pipe.data = p;
    snprintf(p->session, sizeof p->session, "%s", session);
    c->jobs++;
    if (uv_pipe_open(&p->pipe, fd) != 0) {
        close(fd);
        p->closing = 1;
        uv_close((uv_handle_t *)&p->pipe, pb_closed);
        edge_http_error(req, 500, "internal", "the stream cannot be read");
        return;
    }
    if (!(p->s = edge_http_stream_start(req, 200, "video/mp4"))) {
        pb_finish(p, "out of memory");
        return;
    }
    edge_http_stream_notify(p->s, pb_drain, pb_gone, p);
    pb_drain(p);
}

static void get_playback(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    mm_session_t *s = edge_console_session(req);
    edge_request_t r = {.action = EDGE_ACT_PLAYBACK};
    if (!s || camera_of(req, &r) != 0 || playback_request(req, &r) != 0) {
        if (!s)
            edge_http_error(req, 401, "no_session", "log in first");
        return;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        edge_http_error(req, 500, "internal", "no socket for the stream: %s", strerror(errno));
        return;
    }
    reply_t rep = {NULL};
    int theirs = sv[1];
    edge_ops_playback_as(c->ops, s->person, &r, &theirs, took_reply, &rep);
    if (theirs >= 0)
        close(theirs); /* refused: the viewing never took it */
    json_t *ok = json_is_true(json_object_get(rep.answer, "ok"))
                     ? json_object_get(rep.answer, "result")
                     : NULL;
    if (!ok) {
        close(sv[0]);
        if (rep.answer)
            refuse(req, rep.answer);
        else
            edge_http_error(req, 500, "internal", "the operation gave no answer");
        json_decref(rep.answer);
        return;
    }
    const char *session = json_string_value(json_object_get(ok, "session"));
    pb_start(c, req, sv[0], session ? session : "?");
    json_decref(rep.answer);
}

/* The cameras the timeline offers: the `cameras` operation, as the person. */
static void get_cameras(edge_http_req_t *req, void *arg)
{
    edge_request_t r = {.action = EDGE_ACT_CAMERAS};
    edge_console_call(arg, req, &r);
}

mm_err_t edge_console_timeline_routes(edge_console_t *c)
{
    mm_err_t err = edge_console_route(c, "GET", "/api/timeline", EDGE_NEED_FULL, get_cameras);
    if (err == MM_OK)
        err = edge_console_route(c, "GET", "/api/timeline/{camera}", EDGE_NEED_FULL, get_timeline);
    if (err == MM_OK)
        err = edge_console_route(c, "GET", "/api/playback/{camera}", EDGE_NEED_FULL, get_playback);
    return err;
}
