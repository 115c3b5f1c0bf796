/*
 * link.c: the ROUTER socket that edges talk to (see link.h and docs/protocol.md).
 *
 * Batches are answered in groups: each batch received is queued (its frames kept, not copied),
 * and an idle handle, active while the queue holds any, hands everything queued — whatever
 * arrived from every site since the last turn of the loop, up to HUB_LINK_GROUP_MAX — to
 * hub_mirror_batches, which verifies and stores them in one transaction with one synced
 * commit. Only then is each site sent its acknowledgement, so an ack always follows the commit
 * of what it acknowledges. Everything else a site sends is answered at once, as it comes.
 */
#include "hub/link.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/wire.h"
#include "common/zloop.h"

/* A batch waiting for its group: its two frames (moved here from the socket's message) and
 * the message decoded from the second. */
typedef struct {
    zmq_msg_t routing;
    zmq_msg_t body;
    mm_msg_t *m;
    int64_t now;
} queued_t;

struct hub_link {
    void *socket;
    uv_idle_t idle; /* active while queue holds batches */
    queued_t *queue;
    size_t n_queued, cap_queued;
    mm_zsock_t *zs;
    hub_mirror_t *mirror;
    void (*done)(void *);
    void *done_arg;
    hub_link_requests_fn requests;
    void *requests_arg;
    hub_link_export_fn exports;
    void *exports_arg;
    hub_link_document_fn documents;
    void *documents_arg;
    mm_city_request_t pending[MM_WIRE_REQUESTS_MAX];
};

void hub_link_set_requests(hub_link_t *l, hub_link_requests_fn fn, void *arg)
{
    l->requests = fn;
    l->requests_arg = arg;
}

void hub_link_set_exports(hub_link_t *l, hub_link_export_fn fn, void *arg)
{
    l->exports = fn;
    l->exports_arg = arg;
}

void hub_link_set_documents(hub_link_t *l, hub_link_document_fn fn, void *arg)
{
    l->documents = fn;
    l->documents_arg = arg;
}

static void send_parts(hub_link_t *l, zmq_msg_t *routing, const uint8_t *buf, size_t len)
{
    const void *parts[2] = {zmq_msg_data(routing), buf};
    size_t lens[2] = {zmq_msg_size(routing), len};
    mm_err_t err = mm_zsock_send(l->zs, parts, lens, 2);
    if (err != MM_OK)
        MM_WARN("cannot answer a site: %s", mm_strerror(err));
}

/* A chunk of a disclosure export: answered by the disclosure module (link.h). */
static void export_chunk(hub_link_t *l, const char *site, zmq_msg_t *routing, const mm_msg_t *m)
{
    mm_export_ack_t a;
    const mm_export_chunk_t *c = mm_msg_export_chunk(m);
    l->exports(l->exports_arg, site, c, &a);
    if (a.status == MM_EXPORT_REFUSED)
        MM_WARN("site %s: export chunk of %s at %" PRIu64 " refused: %s", site, c->request,
                c->offset, a.reason);
    uint8_t *buf;
    size_t len;
    if (mm_msg_encode_export_ack(mm_msg_seq(m), &a, &buf, &len) != MM_OK) {
        MM_ERROR("cannot encode an export acknowledgement");
        return;
    }
    send_parts(l, routing, buf, len);
    free(buf);
}

/* A filing's standards document: answered by the documents module (link.h). */
static void filing_document(hub_link_t *l, const char *site, zmq_msg_t *routing, const mm_msg_t *m)
{
    mm_document_ack_t a;
    const mm_filing_document_t *d = mm_msg_filing_document(m);
    l->documents(l->documents_arg, site, d, &a);
    if (a.status == MM_DOCUMENT_REFUSED)
        MM_WARN("site %s: document of version %" PRIu32 " refused: %s", site, d->version, a.reason);
    else if (a.status == MM_DOCUMENT_NOT_YET)
        MM_DEBUG("site %s: document of version %" PRIu32 ": %s", site, d->version, a.reason);
    uint8_t *buf;
    size_t len;
    if (mm_msg_encode_document_ack(mm_msg_seq(m), &a, &buf, &len) != MM_OK) {
        MM_ERROR("cannot encode a document acknowledgement");
        return;
    }
    send_parts(l, routing, buf, len);
    free(buf);
}

static void send_answer(hub_link_t *l, zmq_msg_t *routing, uint64_t seq, const hub_answer_t *a)
{
    uint8_t *buf;
    size_t len;
    if (mm_msg_encode_ack(seq, &a->ack, &buf, &len) != MM_OK) {
        MM_ERROR("cannot encode an acknowledgement");
        return;
    }
    send_parts(l, routing, buf, len);
    free(buf);
}

/*
 * A message that is not one frame of at most MM_WIRE_MAX bytes: refused unread, and a finding
 * (hub_mirror_bad_frame) that the same site repeating it only counts up. Returns 1 when it was
 * such a message (answered), 0 otherwise.
 */
static int bad_frame(hub_link_t *l, const char *site, mm_zmsg_t *msg, int64_t now)
{
    size_t parts = msg->n - 1 + msg->beyond; /* the peer's parts, without the routing id */
    uint64_t bytes = msg->beyond_bytes, largest = 0;
    for (size_t i = 1; i < msg->n; i++) {
        size_t n = zmq_msg_size(&msg->parts[i]);
        bytes += n;
        largest = n > largest ? n : largest;
    }
    const char *kind;
    if (parts != 1)
        kind = HUB_LINK_MULTIPART;
    else if (largest > MM_WIRE_MAX)
        kind = HUB_LINK_OVERSIZED;
    else
        return 0;
    hub_answer_t answer;
    hub_mirror_bad_frame(l->mirror, site, kind, parts, bytes, now, &answer);
    MM_WARN("site %s: message refused: %s", site, answer.reason);
    send_answer(l, &msg->parts[0], 0, &answer);
    return 1;
}

/* Answers one group of queued batches, q[0 .. n), and releases them. */
static void answer_group(hub_link_t *l, queued_t *q, size_t n)
{
    hub_mirror_item_t *items = calloc(n, sizeof *items);
    hub_answer_t *answers = calloc(n, sizeof *answers);
    if (!items || !answers) {
        MM_WARN("%zu batches dropped unanswered: out of memory", n);
        n = 0; /* the sites send them again */
    }
    for (size_t i = 0; i < n; i++)
        items[i] = (hub_mirror_item_t){zmq_msg_gets(&q[i].body, "User-Id"), mm_msg_batch(q[i].m),
                                       q[i].now, &answers[i]};
    hub_mirror_batches(l->mirror, items, n);
    for (size_t i = 0; i < n; i++) {
        const char *site = items[i].site;
        const mm_batch_t *b = items[i].batch;
        hub_answer_t *a = &answers[i];
        uint64_t seq = mm_msg_seq(q[i].m);
        if (l->requests) {
            a->ack.n_requests =
                l->requests(l->requests_arg, site, l->pending, MM_WIRE_REQUESTS_MAX);
            a->ack.requests = l->pending;
        }
        if (a->ack.status == MM_ACK_REFUSED)
            MM_WARN("site %s: batch seq %" PRIu64 " [%" PRIu64 ", +%zu) refused: %s", site, seq,
                    b->first_index, b->n_entries, a->reason);
        else if (a->ack.status == MM_ACK_WRONG_SIZE)
            MM_INFO("site %s: batch seq %" PRIu64 " starts at %" PRIu64 ", the hub holds %" PRIu64,
                    site, seq, b->first_index, a->ack.size);
        send_answer(l, &q[i].routing, seq, a);
    }
    free(items);
    free(answers);
}

static void release(queued_t *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mm_msg_free(q[i].m);
        zmq_msg_close(&q[i].routing);
        zmq_msg_close(&q[i].body);
    }
}

/* The idle handle: everything queued, HUB_LINK_GROUP_MAX batches a group. Sending the answers
 * may receive more (zloop.h): those queue anew and wait for the next turn. */
static void on_idle(uv_idle_t *h)
{
    hub_link_t *l = h->data;
    queued_t *q = l->queue;
    size_t n = l->n_queued;
    l->queue = NULL;
    l->n_queued = l->cap_queued = 0;
    for (size_t at = 0; at < n; at += HUB_LINK_GROUP_MAX) {
        size_t k = n - at < HUB_LINK_GROUP_MAX ? n - at : HUB_LINK_GROUP_MAX;
        answer_group(l, q + at, k);
        release(q + at, k);
    }
    free(q);
    if (l->n_queued == 0)
        uv_idle_stop(&l->idle);
}

/* Queues a batch (m, decoded from msg's second frame) for the next group: takes m, and moves
 * msg's frames here. */
static mm_err_t enqueue(hub_link_t *l, mm_zmsg_t *msg, mm_msg_t *m, int64_t now)
{
    if (l->n_queued == l->cap_queued) {
        size_t cap = l->cap_queued ? 2 * l->cap_queued : 64;
        queued_t *grown = realloc(l->queue, cap * sizeof *grown);
        if (!grown)
            return MM_ENOMEM;
        l->queue = grown;
        l->cap_queued = cap;
    }
    queued_t *q = &l->queue[l->n_queued++];
    zmq_msg_init(&q->routing);
    zmq_msg_init(&q->body);
    zmq_msg_move(&q->routing, &msg->parts[0]);
    zmq_msg_move(&q->body, &msg->parts[1]);
    q->m = m;
    q->now = now;
    uv_idle_start(&l->idle, on_idle);
    return MM_OK;
}

static void on_message(mm_zsock_t *zs, mm_zmsg_t *msg, void *arg)
{
    (void)zs;
    hub_link_t *l = arg;
    if (msg->n < 2) {
        MM_WARN("ignoring a %zu-part message", msg->n);
        return;
    }
    /* The site is who ZAP said the peer is, never anything the peer wrote. */
    const char *site = zmq_msg_gets(&msg->parts[1], "User-Id");
    if (!site || !*site) {
        MM_WARN("ignoring a message without a ZAP User-Id");
        return;
    }
    hub_answer_t answer;
    int64_t now = mm_now_us();
    if (bad_frame(l, site, msg, now))
        return;
    mm_msg_t *m = NULL;
    mm_err_t err = mm_msg_decode(zmq_msg_data(&msg->parts[1]), zmq_msg_size(&msg->parts[1]), &m);
    if (err == MM_OK && mm_msg_kind(m) == MM_MSG_EXPORT_CHUNK && l->exports) {
        export_chunk(l, site, &msg->parts[0], m);
        mm_msg_free(m);
        return;
    }
    if (err == MM_OK && mm_msg_kind(m) == MM_MSG_FILING_DOCUMENT && l->documents) {
        filing_document(l, site, &msg->parts[0], m);
        mm_msg_free(m);
        return;
    }
    if (err != MM_OK || mm_msg_kind(m) != MM_MSG_BATCH) {
        char what[160];
        if (err != MM_OK)
            snprintf(what, sizeof what, "not a mimamori.v1 envelope: %s", mm_strerror(err));
        else
            snprintf(what, sizeof what,
                     "a site may send only batches, export chunks and filing documents "
                     "(got kind %d)",
                     (int)mm_msg_kind(m));
        hub_mirror_malformed(l->mirror, site, err != MM_OK ? err : MM_EPROTO, what, now, &answer);
        MM_WARN("site %s: message refused: %s", site, answer.reason);
        send_answer(l, &msg->parts[0], m ? mm_msg_seq(m) : 0, &answer);
        mm_msg_free(m);
        return;
    }
    if (enqueue(l, msg, m, now) != MM_OK) {
        MM_WARN("site %s: batch seq %" PRIu64 " dropped unanswered: out of memory", site,
                mm_msg_seq(m));
        mm_msg_free(m);
    }
}

mm_err_t hub_link_create(uv_loop_t *loop, void *zctx, const char *endpoint,
                         const mm_keypair_t *keys, hub_mirror_t *mirror, hub_link_t **out)
{
    hub_link_t *l = calloc(1, sizeof *l);
    if (!l)
        return MM_ENOMEM;
    l->mirror = mirror;
    void *s = zmq_socket(zctx, ZMQ_ROUTER);
    if (!s) {
        free(l);
        return MM_ENET;
    }
    int one = 1, zero = 0, ivl = 2000, tmo = 6000;
    int64_t maxmsg = HUB_LINK_FRAME_CEILING;
    int rc = 0;
    rc |= zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one);
    rc |=
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, keys->curve_secret, strlen(keys->curve_secret) + 1);
    rc |= zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "mimamori", 8);
    rc |= zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    rc |= zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    rc |= zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    rc |= zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    rc |= zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &tmo, sizeof tmo);
    if (rc != 0 || zmq_bind(s, endpoint) != 0) {
        MM_ERROR("cannot listen on %s: %s", endpoint, zmq_strerror(zmq_errno()));
        zmq_close(s);
        free(l);
        return MM_ENET;
    }
    l->socket = s;
    mm_err_t err = mm_zsock_create(loop, s, on_message, l, &l->zs);
    if (err != MM_OK) {
        zmq_close(s);
        free(l);
        return err;
    }
    uv_idle_init(loop, &l->idle);
    l->idle.data = l;
    mm_zsock_deliver_long(l->zs); /* a site sending too many parts is named in a finding */
    *out = l;
    return MM_OK;
}

static void on_closed(void *arg)
{
    hub_link_t *l = arg;
    void (*done)(void *) = l->done;
    void *darg = l->done_arg;
    /* Batches still queued go unanswered: their sites send them again. */
    release(l->queue, l->n_queued);
    free(l->queue);
    zmq_close(l->socket);
    free(l);
    if (done)
        done(darg);
}

static void on_idle_closed(uv_handle_t *h)
{
    hub_link_t *l = h->data;
    mm_zsock_close(l->zs, on_closed, l);
}

void hub_link_close(hub_link_t *l, void (*done)(void *arg), void *arg)
{
    if (!l)
        return;
    l->done = done;
    l->done_arg = arg;
    uv_close((uv_handle_t *)&l->idle, on_idle_closed);
}
