/*
 * feedapi.c: the feed as Server-Sent Events (see feedapi.h).
 *
 * A client is first "catching up": it is sent stored events a page at a time, the next page
 * only once the connection has taken most of the last one (the stream's drained callback), so
 * that a client resuming from long ago neither fills the hub's memory nor is dropped for being
 * behind. Live events that arrive meanwhile are ignored, because they are already in the store
 * and the catching up will read them. When a read finds no more, the client switches to live
 * events. The loop is single-threaded and an event is stored before it is published, so nothing
 * falls between the two; an event at or below the last id sent is never sent twice.
 */
#include "hub/feedapi.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/httpparse.h"

#define KEEPALIVE_MS 15000
#define PAGE 100                 /* stored events read at once */
#define PUMP_BEHIND (256 * 1024) /* catching up pauses while this much is unsent */

typedef struct client client_t;

struct hub_feedapi {
    uv_timer_t timer;
    hub_feed_t *feed;
    client_t *clients;
    size_t n_clients;
    size_t max_total, max_per_person, max_behind; /* hub_feedapi_set_limits */
};

struct client {
    hub_feedapi_t *fa;
    hub_http_stream_t *stream;
    hub_feed_sub_t *sub;
    char person[MM_KEY_NAME_MAX]; /* who reads it ("" when unknown) */
    uint64_t sent; /* id of the last event written (or the one the client resumes after) */
    int catching_up;
    client_t *prev, *next;
};

static void forget(client_t *c)
{
    hub_feed_unsubscribe(c->sub);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->fa->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->fa->n_clients--;
    free(c);
}

/* The stream is over (client gone, too far behind, or the server closing). */
static void on_closed(void *arg)
{
    forget(arg);
}

/* Ends c's stream from our side (out of memory, a storage error). */
static void drop(client_t *c, mm_err_t why)
{
    MM_WARN("feed: dropping a client: %s", mm_strerror(why));
    hub_http_stream_end(c->stream);
    forget(c);
}

/* Writes to c's stream; -1 when c is gone after it (and must not be used). A client that would
 * fall more than max_behind bytes behind (it does not read) is dropped: what it has not taken is
 * never more than that. */
static int put(client_t *c, const char *data, size_t len)
{
    size_t behind = hub_http_stream_behind(c->stream);
    if (behind + len > c->fa->max_behind) {
        MM_WARN("feed: dropping %s's client: it has not taken %zu bytes (the most is %zu); it "
                "may reconnect with Last-Event-ID",
                c->person[0] ? c->person : "a", behind, c->fa->max_behind);
        hub_http_stream_abort(c->stream);
        forget(c);
        return -1;
    }
    mm_err_t err = hub_http_stream_write(c->stream, data, len);
    if (err == MM_OK)
        return 0;
    if (err != MM_EFULL) /* EFULL: on_closed has run */
        drop(c, err);
    return -1;
}

static int put_event(client_t *c, uint64_t id, const char *type, const char *json, size_t len)
{
    char head[96];
    int n = snprintf(head, sizeof head, "id: %" PRIu64 "\nevent: %s\ndata: ", id, type);
    if (n < 0 || (size_t)n >= sizeof head)
        return 0; /* no type of ours is that long */
    char *buf = malloc((size_t)n + len + 2);
    if (!buf) {
        drop(c, MM_ENOMEM);
        return -1;
    }
    memcpy(buf, head, (size_t)n);
    memcpy(buf + n, json, len);
    memcpy(buf + n + len, "\n\n", 2);
    int rc = put(c, buf, (size_t)n + len + 2);
    free(buf);
    if (rc == 0)
        c->sent = id;
    return rc;
}

typedef struct {
    client_t *c;
    size_t n;
    int gone, paused;
} page_t;

static int replay_one(void *arg, uint64_t id, const char *type, const char *json, size_t len)
{
    page_t *p = arg;
    p->n++;
    if (put_event(p->c, id, type, json, len) != 0) {
        p->gone = 1;
        return 1;
    }
    if (hub_http_stream_behind(p->c->stream) >= PUMP_BEHIND) {
        p->paused = 1;
        return 1;
    }
    return 0;
}

/* Sends stored events while the connection keeps up; switches to live ones at the end. */
static void pump(client_t *c)
{
    while (c->catching_up) {
        page_t p = {.c = c};
        mm_err_t err = hub_feed_read(c->fa->feed, c->sent, PAGE, replay_one, &p);
        if (p.gone)
            return;
        if (err != MM_OK) {
            drop(c, err);
            return;
        }
        if (p.paused)
            return; /* on_drained goes on */
        if (p.n < PAGE)
            c->catching_up = 0;
    }
}

static void on_drained(void *arg)
{
    client_t *c = arg;
    if (c->catching_up)
        pump(c);
}

static int on_event(void *arg, uint64_t id, const char *type, const char *json, size_t len)
{
    client_t *c = arg;
    if (!c->catching_up && id > c->sent)
        put_event(c, id, type, json, len);
    return 0;
}

static void on_keepalive(uv_timer_t *t)
{
    hub_feedapi_t *fa = t->data;
    static const char ka[] = ": keep-alive\n\n";
    for (client_t *c = fa->clients, *next; c; c = next) {
        next = c->next; /* put may forget c */
        put(c, ka, sizeof ka - 1);
    }
}

/* Where the client resumes: -1 when it asked in a way that was answered 400. */
static int resume_point(hub_http_req_t *req, uint64_t last, uint64_t *after)
{
    char buf[32];
    const char *from = "the Last-Event-ID header";
    int rc = hub_http_header(req, "last-event-id", buf, sizeof buf);
    if (rc == 0) {
        from = "last_event_id";
        rc = hub_http_query(req, from, buf, sizeof buf);
    }
    if (rc == 0) {
        from = "from";
        rc = hub_http_query(req, from, buf, sizeof buf);
    }
    if (rc == 0) {
        *after = last; /* from now on */
        return 0;
    }
    if (rc < 0 || mm_http_parse_u64(buf, after) != 0) {
        hub_http_error(req, 400, "bad_query", "%s must be an event id (a non-negative integer)",
                       from);
        return -1;
    }
    /* An id the feed has not reached belongs to another store (the hub's state was replaced):
     * everything kept is new to this client. */
    if (*after > last)
        *after = 0;
    return 0;
}

/* Whether another stream may open for person: answers 429 and returns -1 when not. */
static int admit(hub_feedapi_t *fa, hub_http_req_t *req, const char *person)
{
    size_t mine = 0;
    for (client_t *c = fa->clients; c; c = c->next)
        mine += strcmp(c->person, person) == 0;
    if (fa->n_clients < fa->max_total && mine < fa->max_per_person)
        return 0;
    int all = fa->n_clients >= fa->max_total;
    MM_WARN("feed: %s refused a stream: %zu open (the most is %zu), %zu of them %s's (the most "
            "is %zu)",
            person, fa->n_clients, fa->max_total, mine, person, fa->max_per_person);
    hub_http_set_header(req, "Retry-After", "10");
    hub_http_error(req, 429, all ? "feed_full" : "feed_too_many",
                   all ? "the feed has %zu clients already, the most it serves"
                       : "%zu feed streams are open with this token already, the most one "
                         "person may have",
                   all ? fa->max_total : fa->max_per_person);
    return -1;
}

static void get_feed(hub_http_req_t *req, void *arg)
{
    hub_feedapi_t *fa = arg;
    uint64_t after;
    if (resume_point(req, hub_feed_last_id(fa->feed), &after) != 0)
        return;
    if (hub_http_is_head(req)) { /* the headers of the stream, and its end */
        hub_http_stream_t *s =
            hub_http_stream_open(req, "text/event-stream; charset=utf-8", NULL, NULL);
        if (s)
            hub_http_stream_end(s);
        else
            hub_http_error(req, 500, "internal", "out of memory");
        return;
    }
    const hub_person_t *who = hub_http_caller(req);
    const char *person = who ? who->id : "";
    if (admit(fa, req, person) != 0)
        return;
    client_t *c = calloc(1, sizeof *c);
    if (!c) {
        hub_http_error(req, 500, "internal", "out of memory");
        return;
    }
    if (hub_feed_subscribe(fa->feed, on_event, c, &c->sub) != MM_OK) {
        free(c);
        hub_http_error(req, 500, "internal", "out of memory");
        return;
    }
    c->fa = fa;
    fa->n_clients++;
    snprintf(c->person, sizeof c->person, "%s", person);
    c->sent = after;
    c->catching_up = 1;
    c->next = fa->clients;
    if (c->next)
        c->next->prev = c;
    fa->clients = c;
    c->stream = hub_http_stream_open(req, "text/event-stream; charset=utf-8", on_closed, c);
    if (!c->stream) {
        forget(c);
        hub_http_error(req, 500, "internal", "out of memory");
        return;
    }
    hub_http_stream_set_drained(c->stream, on_drained);
    /* The headers go out with the first bytes; a client reconnects after 1 s. */
    static const char hello[] = "retry: 1000\n\n";
    if (put(c, hello, sizeof hello - 1) != 0)
        return;
    uint64_t oldest = 0;
    hub_feed_oldest_id(fa->feed, &oldest);
    if (oldest > after + 1) {
        char note[128];
        int n = snprintf(note, sizeof note,
                         ": events %" PRIu64 " to %" PRIu64 " are no longer kept\n\n", after + 1,
                         oldest - 1);
        if (put(c, note, (size_t)n) != 0)
            return;
    }
    pump(c);
}

mm_err_t hub_feedapi_create(uv_loop_t *loop, hub_http_t *http, hub_feed_t *feed,
                            hub_feedapi_t **out)
{
    hub_feedapi_t *fa = calloc(1, sizeof *fa);
    if (!fa)
        return MM_ENOMEM;
    fa->feed = feed;
    hub_feedapi_set_limits(fa, HUB_FEED_MAX_SUBSCRIBERS, HUB_FEED_MAX_PER_PERSON,
                           HUB_FEED_MAX_BEHIND);
    mm_err_t err = hub_http_route(http, "GET", "/api/v1/feed",
                                  HUB_ROLE_OVERSIGHT | HUB_ROLE_READONLY, get_feed, fa);
    if (err != MM_OK) {
        free(fa);
        return err;
    }
    uv_timer_init(loop, &fa->timer);
    fa->timer.data = fa;
    uv_timer_start(&fa->timer, on_keepalive, KEEPALIVE_MS, KEEPALIVE_MS);
    *out = fa;
    return MM_OK;
}

void hub_feedapi_set_limits(hub_feedapi_t *fa, size_t max_total, size_t max_per_person,
                            size_t max_behind)
{
    fa->max_total = max_total;
    fa->max_per_person = max_per_person;
    fa->max_behind = max_behind;
}

static void on_timer_closed(uv_handle_t *h)
{
    free(h->data);
}

void hub_feedapi_close(hub_feedapi_t *fa)
{
    if (!fa)
        return;
    while (fa->clients) {
        client_t *c = fa->clients;
        hub_http_stream_end(c->stream);
        forget(c);
    }
    uv_close((uv_handle_t *)&fa->timer, on_timer_closed);
}
