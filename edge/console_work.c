/*
 * console_work.c: the site's work in the site console (console_impl.h) — every control operation
 * a person may do from a page, and the still frame an own-images disclosure's regions are drawn
 * on.
 *
 *   POST /api/op              body: a control request exactly as the control socket takes it
 *                             ({"action": "operator_designate", "person": ..., ...},
 *                             edge_request_parse) -> what edge_console_call answers
 *   GET  /api/op/{action}     a list without a body: operators, cameras, emergency_list,
 *                             disclosures, holds, complaints, notices, requests, standards,
 *                             status; query all=1, html=1, request_id=ID as the request's keys
 *   GET  /api/still/{camera}?at_us=T   the keyframe at or before T as image/jpeg (X-MM-Time-Us:
 *                             the keyframe's time; X-MM-Width, X-MM-Height), the "still" action
 *
 * Each runs as the logged-in person (edge_ops_call_as): decided by edge_access_decide as for the
 * control socket and logged the same way, one access entry with account "console". What is no
 * console call is refused before it reaches an operation: a playback (it streams to a socket).
 * A body that does not parse is refused 400 naming what is wrong, and logged as the socket logs
 * it: an access entry "malformed" of the person, refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "edge/console_impl.h"

/* Refuses an operation that is no console call (400), or returns 0. */
static int console_call_ok(edge_http_req_t *req, const edge_request_t *r)
{
    if (r->action == EDGE_ACT_PLAYBACK) {
        edge_http_error(req, 400, "not_console",
                        "a playback streams to a socket; the console plays back on its timeline");
        return -1;
    }
    return 0;
}

static void refuse_malformed(edge_console_t *c, edge_http_req_t *req, const char *msg)
{
    mm_session_t *s = edge_console_session(req);
    char peer[48] = "?", reason[MM_TEXT_MAX];
    edge_http_peer(req, peer, sizeof peer);
    /* JSON's own error names the text near the fault, which may be a password being set: the
     * log says only that the body was not JSON; the answer, to whoever sent it, says where. */
    int json = strncmp(msg, "request is not JSON", 19) == 0;
    snprintf(reason, sizeof reason, "from %s: %s", peer, json ? "the body is not JSON" : msg);
    edge_console_log(c, s ? s->person : "", "malformed", 0, reason);
    edge_http_error(req, 400, "invalid", "%s", msg);
}

static void post_op(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    size_t len;
    const char *body = edge_http_body(req, &len);
    edge_request_t *r = malloc(sizeof *r);
    char msg[MM_TEXT_MAX];
    if (!r) {
        edge_http_error(req, 503, "busy", "out of memory");
        return;
    }
    if (edge_request_parse(body ? body : "", len, r, msg, sizeof msg) != MM_OK)
        refuse_malformed(c, req, msg);
    else if (console_call_ok(req, r) == 0)
        edge_console_call(c, req, r);
    explicit_bzero(r->password, sizeof r->password);
    free(r);
}

/* The lists a page reads with GET. */
static int listing(const char *action)
{
    static const char *const lists[] = {"operators", "cameras",    "emergency_list", "disclosures",
                                        "holds",     "complaints", "notices",        "requests",
                                        "standards", "status"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (!strcmp(action, lists[i]))
            return 1;
    return 0;
}

static void get_op(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    const char *action = edge_http_param(req, "action");
    if (!action || !listing(action)) {
        edge_http_error(req, 404, "not_found", "no list of that name");
        return;
    }
    json_t *j = json_pack("{s:s}", "action", action);
    char v[MM_ID_MAX];
    static const char *const flags[] = {"all", "html"};
    for (size_t i = 0; i < 2; i++) {
        int q = edge_http_query(req, flags[i], v, sizeof v);
        if (q == 1 && (!strcmp(v, "1") || !strcmp(v, "true")))
            json_object_set_new(j, flags[i], json_true());
        else if (q < 0)
            json_object_set_new(j, flags[i], json_null()); /* refused by the parser */
    }
    int q = edge_http_query(req, "request_id", v, sizeof v);
    if (q != 0)
        json_object_set_new(j, "request_id", q > 0 ? json_string(v) : json_null());
    char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    edge_request_t *r = line ? malloc(sizeof *r) : NULL;
    char msg[MM_TEXT_MAX];
    if (!r)
        edge_http_error(req, 503, "busy", "out of memory");
    else if (edge_request_parse(line, strlen(line), r, msg, sizeof msg) != MM_OK)
        refuse_malformed(c, req, msg);
    else
        edge_console_call(c, req, r);
    free(line);
    free(r);
}

/* --- the still frame ------------------------------------------------------------------------ */

static void still_answered(void *arg, json_t *answer)
{
    edge_http_req_t *req = arg;
    json_t *res = json_object_get(answer, "result");
    const char *b64 = json_string_value(json_object_get(res, "jpeg"));
    if (!json_is_true(json_object_get(answer, "ok")) || !b64) {
        const char *code = json_string_value(json_object_get(answer, "code"));
        const char *msg = json_string_value(json_object_get(answer, "error"));
        int status = !code                        ? 500
                     : !strcmp(code, "denied")    ? 403
                     : !strcmp(code, "not_found") ? 404
                     : !strcmp(code, "invalid")   ? 400
                                                  : 500;
        edge_http_error(req, status, code ? code : "internal", "%s", msg ? msg : "refused");
        json_decref(answer);
        return;
    }
    size_t n = strlen(b64), cap = n / 4 * 3 + 3;
    uint8_t *img = malloc(cap);
    int len = img ? mm_base64_decode(b64, n, img, cap) : -1;
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)json_integer_value(json_object_get(res, "time_us")));
    edge_http_set_header(req, "x-mm-time-us", v);
    snprintf(v, sizeof v, "%lld", (long long)json_integer_value(json_object_get(res, "width")));
    edge_http_set_header(req, "x-mm-width", v);
    snprintf(v, sizeof v, "%lld", (long long)json_integer_value(json_object_get(res, "height")));
    edge_http_set_header(req, "x-mm-height", v);
    if (len <= 0)
        edge_http_error(req, 500, "internal", "the still frame cannot be sent");
    else
        edge_http_text(req, 200, "image/jpeg", (const char *)img, (size_t)len);
    free(img);
    json_decref(answer);
}

static void get_still(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    mm_session_t *s = edge_console_session(req);
    const char *camera = edge_http_param(req, "camera");
    char at[32], *end = NULL;
    int q = edge_http_query(req, "at_us", at, sizeof at);
    long long t = q == 1 ? strtoll(at, &end, 10) : 0;
    edge_request_t *r = calloc(1, sizeof *r);
    if (!r) {
        edge_http_error(req, 503, "busy", "out of memory");
        return;
    }
    if (q != 1 || !end || *end || t <= 0 || !camera || !camera[0] ||
        strlen(camera) >= sizeof r->camera) {
        refuse_malformed(c, req,
                         "a still frame needs a camera and at_us, microseconds since the "
                         "epoch");
    } else {
        r->action = EDGE_ACT_STILL;
        snprintf(r->camera, sizeof r->camera, "%s", camera);
        r->from_us = t;
        edge_ops_call_as(c->ops, s->person, r, still_answered, req);
    }
    free(r);
}

mm_err_t edge_console_work_routes(edge_console_t *c)
{
    mm_err_t err = edge_console_route(c, "POST", "/api/op", EDGE_NEED_FULL, post_op);
    if (err == MM_OK)
        err = edge_console_route(c, "GET", "/api/op/{action}", EDGE_NEED_FULL, get_op);
    if (err == MM_OK)
        err = edge_console_route(c, "GET", "/api/still/{camera}", EDGE_NEED_FULL, get_still);
    return err;
}
