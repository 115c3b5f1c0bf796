/*
 * console_alerts.c: the site's alerts in the console (console_impl.h; alerts.h).
 *
 *   GET /api/alerts[?wait=VERSION]  the `alerts` operation as the person logged in: {"timezone",
 *                                   "result": {"alerts": [...], "count", "version", ...}}
 *
 * The console's banner asks again and again; each answer is one `alerts` call, logged as an
 * access entry like every other. So that an open page does not fill the site log with them, the
 * page names the version it has (wait=): the answer waits until the alerts change or
 * EDGE_ALERTS_WAIT_MS pass (a long poll), so a quiet site logs one call a minute per open page,
 * and a change reaches the page within a second. Without wait, or naming another version, the
 * answer comes at once.
 *
 * A waiting request holds no session: it keeps the session's id and, when its answer is due,
 * answers 401 if that session has ended meanwhile (logout, a new password, the manager's unlock
 * or revocation), as any request would be.
 */
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "edge/alerts.h"
#include "edge/console_impl.h"

#define EDGE_ALERTS_WAIT_MS 50000 /* a long poll's longest wait */
#define WAITERS_MAX 64            /* long polls at once; more are answered at once */
#define CHECK_MS 500

typedef struct waiter {
    struct waiter *next;
    edge_http_later_t *later;
    mm_session_t *session; /* the table's slot (common/session.h): checked by id */
    uint8_t id[32];
    uint64_t version, until_ms;
} waiter_t;

struct edge_console_alerts {
    edge_console_t *c;
    uv_timer_t timer;
    waiter_t *head;
    int n;
};

static uint64_t version_now(edge_console_t *c)
{
    const edge_alerts_t *al = edge_ops_alerts(c->ops);
    return al ? edge_alerts_version(al) : 0;
}

static void answer(edge_console_t *c, edge_http_req_t *req)
{
    edge_request_t r = {.action = EDGE_ACT_ALERTS};
    edge_console_call(c, req, &r);
}

/* A waiter's time has come: its answer, unless its client or its session has gone. */
static void finish(edge_console_alerts_t *ca, waiter_t *w)
{
    edge_http_req_t *req = edge_http_resume(w->later);
    if (req) {
        mm_session_t *s = w->session;
        if (!s->live || memcmp(s->id, w->id, sizeof w->id) != 0 || ca->c->closing)
            edge_http_error(req, 401, "no_session", "the session has ended: log in again");
        else
            answer(ca->c, req);
    }
    free(w);
    ca->n--;
}

static void check(uv_timer_t *t)
{
    edge_console_alerts_t *ca = t->data;
    uint64_t v = version_now(ca->c), now = uv_now(t->loop);
    for (waiter_t **p = &ca->head; *p;) {
        waiter_t *w = *p;
        if (w->version == v && now < w->until_ms) {
            p = &w->next;
            continue;
        }
        *p = w->next;
        finish(ca, w);
    }
    if (!ca->head)
        uv_timer_stop(&ca->timer);
}

static void get_alerts(edge_http_req_t *req, void *arg)
{
    edge_console_t *c = arg;
    edge_console_alerts_t *ca = c->alerts;
    char text[24];
    int q = edge_http_query(req, "wait", text, sizeof text);
    char *end = NULL;
    unsigned long long want = q == 1 ? strtoull(text, &end, 10) : 0;
    if (q < 0 || (q == 1 && (!text[0] || *end || text[0] == '-'))) {
        edge_http_error(req, 400, "invalid", "wait must be the version of the alerts the page has");
        return;
    }
    mm_session_t *s = edge_console_session(req);
    if (q == 0 || want != version_now(c) || ca->n >= WAITERS_MAX || !s) {
        answer(c, req);
        return;
    }
    waiter_t *w = calloc(1, sizeof *w);
    if (!w) {
        answer(c, req);
        return;
    }
    w->later = edge_http_defer(req);
    if (!w->later) {
        free(w);
        return; /* answered 503 */
    }
    w->session = s;
    memcpy(w->id, s->id, sizeof w->id);
    w->version = want;
    w->until_ms = uv_now(c->loop) + EDGE_ALERTS_WAIT_MS;
    w->next = ca->head;
    ca->head = w;
    ca->n++;
    if (!uv_is_active((uv_handle_t *)&ca->timer))
        uv_timer_start(&ca->timer, check, CHECK_MS, CHECK_MS);
}

mm_err_t edge_console_alerts_routes(edge_console_t *c)
{
    edge_console_alerts_t *ca = calloc(1, sizeof *ca);
    if (!ca)
        return MM_ENOMEM;
    ca->c = c;
    uv_timer_init(c->loop, &ca->timer);
    ca->timer.data = ca;
    c->alerts = ca;
    return edge_console_route(c, "GET", "/api/alerts", EDGE_NEED_FULL, get_alerts);
}

static void closed(uv_handle_t *h)
{
    free(h->data);
}

void edge_console_alerts_close(edge_console_t *c)
{
    edge_console_alerts_t *ca = c->alerts;
    if (!ca)
        return;
    c->alerts = NULL;
    while (ca->head) {
        waiter_t *w = ca->head;
        ca->head = w->next;
        edge_http_req_t *req = edge_http_resume(w->later);
        if (req)
            edge_http_error(req, 503, "closing", "the edge is stopping");
        free(w);
    }
    uv_close((uv_handle_t *)&ca->timer, closed);
}
