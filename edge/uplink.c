/*
 * uplink.c: the site log's way to the hub, and disclosure exports' (see uplink.h and
 * docs/protocol.md).
 *
 * Batches and export chunks share the DEALER socket but not their state: the batch in flight
 * and each export's chunk in flight are answered, timed out and resent each on their own, so a
 * 512 KiB chunk never holds back the batch that carries the entry the hub waits for, and
 * batches never hold back a transfer. A chunk is read from the file when it is sent (pread at
 * the hub's `have`), so nothing but one chunk's buffer is kept in memory. A standards document
 * (at most twice MM_DOCUMENT_MAX) is copied when handed over and kept until the hub answers it.
 */
#include "edge/uplink.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/wire.h"
#include "common/zloop.h"

#define TICK_MS 250
#define UNREACHABLE_WAIT_MS 1000 /* a chunk the socket would not take is tried again after */
#define DOCUMENT_WAIT_MAX_MS 60000 /* the longest wait after a document's NOT_YET */

/* An export being sent. */
typedef struct {
    int used;
    char id[64];
    char *path;
    int fd; /* -1 until the first chunk is read */
    uint64_t total;
    uint8_t sha256[32];
    int building;      /* total and sha256 not known yet: */
    uint64_t ready;    /* the bytes of the file written so far */
    int has_build;     /* build is known (once the file has MM_EXPORT_BUILD_PREFIX bytes) */
    uint8_t build[32]; /* what the chunks name: the SHA-256 of the file's first bytes */
    int end_due;       /* all was sent while built: an empty chunk at the end completes it */
    uint64_t built_seq; /* the last chunk's seq sent while built: a REFUSED to it or one before
                           ends only the early sending, even when it comes after the log */
    uint64_t after; /* no chunk until the hub has acknowledged this many entries */
    uint64_t have;                            /* what the hub last said it holds, synced */
    uint64_t next;                            /* where the next chunk starts */
    unsigned in_flight;                       /* chunks sent since the last rewind and unanswered */
    uint64_t seqs[EDGE_UPLINK_WINDOW_CHUNKS]; /* their envelopes' seqs, oldest first, */
    uint64_t ends[EDGE_UPLINK_WINDOW_CHUNKS]; /* and where each ends */
    uint64_t stale;      /* answers to seqs up to this one came before a rewind: ignored */
    uint64_t heard_at;   /* uv_now of the last chunk sent or answer taken */
    uint64_t wait_until; /* no chunk before this uv_now (WAIT, socket full) */
    int failed;          /* ends at the next tick with why */
    char why[512];
    edge_uplink_export_done_fn done;
    void *arg;
} xfer_t;

/* The standards document being sent. */
typedef struct {
    int used;
    mm_filing_document_t d; /* its parts point into buf */
    uint8_t *buf;
    uint64_t after;      /* sent once the hub has acknowledged this many entries */
    int in_flight;       /* sent and unanswered */
    uint64_t seq;        /* its envelope's seq */
    uint64_t sent_at;    /* uv_now when it was sent */
    uint64_t wait_until; /* not before this uv_now (NOT_YET, socket full) */
    unsigned not_yet;    /* NOT_YET answers in a row */
    edge_uplink_document_done_fn done;
    void *arg;
} doc_t;

struct edge_uplink {
    uv_loop_t *loop;
    uv_timer_t timer;
    void *socket;
    mm_zsock_t *zs;
    edge_store_t *store;
    edge_uplink_conf_t conf;
    char origin[MM_ORIGIN_MAX + 1];

    uint64_t acked; /* size the hub acknowledged */
    uint64_t next_seq;
    uint64_t last_contact; /* uv_now of the last acknowledgement, 0 for never */
    int64_t last_contact_us; /* its mm_now_us, for alerts.h */
    uint64_t wait_until;   /* no sending before this uv_now (after REFUSED) */
    int unreachable_said;  /* "hub not reachable" logged since the last contact */
    uint32_t hub_features; /* what the hub's last acknowledgement says it takes (MM_FEATURE_*) */
    int features_heard;    /* an acknowledgement has come since the start */

    /* The batch in flight. */
    int in_flight;
    uint64_t seq;
    uint64_t first;
    uint64_t size;
    uint64_t sent_at;
    char note[MM_NOTE_MAX + 1];
    size_t note_len;

    xfer_t xfers[EDGE_UPLINK_EXPORTS];
    uint8_t *chunk; /* MM_EXPORT_CHUNK_MAX bytes, allocated at the first export */

    doc_t doc;

    int closing;
    void (*done)(void *);
    void *done_arg;
};

static void try_send(edge_uplink_t *up);
static void tick_exports(edge_uplink_t *up);

static int setopt_int(void *s, int opt, int v)
{
    return zmq_setsockopt(s, opt, &v, sizeof v);
}

/* Signs a checkpoint for the first size entries into up->note, with the time of signing by the
 * site's clock (the hub compares it with its own, hub/watch.h). */
static mm_err_t sign_checkpoint(edge_uplink_t *up, uint64_t size)
{
    int64_t now = mm_now_us();
    mm_checkpoint_t cp = {.size = size, .time = now > 1000000 ? (uint64_t)(now / 1000000) : 1};
    snprintf(cp.origin, sizeof cp.origin, "%s", up->origin);
    mm_err_t err = edge_store_root(up->store, size, &cp.root);
    if (err != MM_OK)
        return err;
    err = mm_checkpoint_sign(&cp, up->conf.keys->name, &up->conf.keys->sign, up->note,
                             sizeof up->note, &up->note_len);
    if (err == MM_OK)
        up->note[up->note_len] = 0;
    return err;
}

static void try_send(edge_uplink_t *up)
{
    if (up->closing || up->in_flight)
        return;
    uint64_t now = uv_now(up->loop);
    if (now < up->wait_until)
        return;
    uint64_t size;
    if (edge_store_size(up->store, &size) != MM_OK)
        return;
    if (up->acked > size) {
        /* Said when the hub's answer revealed it; nothing sensible can be sent. */
        return;
    }
    uint64_t n = size - up->acked;
    /* Idle: a hello once a keepalive interval, so both sides know where they are and the
     * hub's answer can bring the city's requests. */
    if (n == 0 && up->last_contact && now - up->last_contact < up->conf.keepalive_ms)
        return;
    if (n > EDGE_UPLINK_BATCH)
        n = EDGE_UPLINK_BATCH;

    for (;;) {
        mm_bytes_t *entries = NULL;
        mm_err_t err = MM_OK;
        if (n > 0)
            err = edge_store_entries(up->store, up->acked, (size_t)n, &entries);
        if (err == MM_OK)
            err = sign_checkpoint(up, up->acked + n);
        if (err != MM_OK) {
            free(entries);
            MM_ERROR("cannot prepare a batch from %" PRIu64 ": %s", up->acked, mm_strerror(err));
            return;
        }
        mm_batch_t batch = {.first_index = up->acked,
                            .n_entries = (size_t)n,
                            .entries = entries,
                            .checkpoint = up->note,
                            .checkpoint_len = up->note_len};
        uint8_t *buf = NULL;
        size_t len = 0;
        uint64_t seq = ++up->next_seq;
        err = mm_msg_encode_batch(seq, &batch, &buf, &len);
        free(entries);
        if (err == MM_ETOOBIG && n > 1) {
            n /= 2;
            continue;
        }
        if (err != MM_OK) {
            MM_ERROR("cannot encode a batch: %s", mm_strerror(err));
            return;
        }
        const void *parts[1] = {buf};
        size_t lens[1] = {len};
        err = mm_zsock_send(up->zs, parts, lens, 1);
        free(buf);
        if (err == MM_EAGAIN) {
            if (!up->unreachable_said)
                MM_WARN("hub %s not reachable; recording goes on, %" PRIu64
                        " entries wait to be sent",
                        up->conf.hub_endpoint, size - up->acked);
            up->unreachable_said = 1;
            return;
        }
        if (err != MM_OK) {
            MM_ERROR("sending a batch failed: %s", mm_strerror(err));
            return;
        }
        up->in_flight = 1;
        up->seq = seq;
        up->first = up->acked;
        up->size = up->acked + n;
        up->sent_at = now;
        MM_DEBUG("sent batch seq %" PRIu64 ": entries [%" PRIu64 ", %" PRIu64 ")", seq, up->first,
                 up->size);
        return;
    }
}

static void on_ok(edge_uplink_t *up, const mm_ack_t *ack, uint64_t own_size)
{
    if (ack->size > own_size) {
        MM_ERROR("hub acknowledged size %" PRIu64 " but this site's log has %" PRIu64
                 " entries: the site's state was lost or replaced",
                 ack->size, own_size);
        up->wait_until = uv_now(up->loop) + up->conf.refused_wait_ms;
        return;
    }
    char cosigned[MM_NOTE_MAX + MM_NOTE_LINE_MAX + 1];
    const char *keep = NULL;
    size_t keep_len = 0;
    size_t clen = strlen(ack->cosignature);
    if (ack->size == up->size && clen > 0 && clen < MM_NOTE_LINE_MAX) {
        memcpy(cosigned, up->note, up->note_len);
        memcpy(cosigned + up->note_len, ack->cosignature, clen);
        cosigned[up->note_len + clen] = 0;
        /* The hub cosigns with its signing key under the cosignature algorithm. */
        mm_note_t note;
        mm_note_verifier_t cv;
        uint64_t ts = 0;
        mm_err_t err = mm_note_verifier_make(up->conf.hub_verifier->name, MM_NOTE_ALG_COSIG_V1,
                                             up->conf.hub_verifier->pub, &cv);
        if (err == MM_OK)
            err = mm_note_parse(cosigned, up->note_len + clen, &note);
        if (err == MM_OK)
            err = mm_note_verify(&note, &cv, &ts);
        if (err == MM_OK) {
            keep = cosigned;
            keep_len = up->note_len + clen;
        } else {
            MM_WARN("the hub's cosignature on size %" PRIu64 " does not verify with %s: %s",
                    ack->size, up->conf.hub_verifier->name, mm_strerror(err));
        }
    }
    if (edge_store_set_acked(up->store, ack->size, keep, keep_len) != MM_OK)
        return;
    if (ack->size != up->acked)
        MM_DEBUG("hub holds %" PRIu64 " entries", ack->size);
    up->acked = ack->size;
}

static void on_ack(edge_uplink_t *up, const mm_ack_t *ack, uint64_t seq)
{
    uint32_t building = ack->features & MM_FEATURE_EXPORT_BUILDING;
    if (!up->features_heard || building != (up->hub_features & MM_FEATURE_EXPORT_BUILDING))
        MM_INFO("%s", building ? "the hub takes an export while it is built"
                               : "the hub takes an export only once logged (an older hub)");
    up->hub_features = ack->features; /* whatever the seq: it says what the hub runs */
    up->features_heard = 1;
    if (!up->in_flight || seq != up->seq) {
        MM_DEBUG("ignoring an acknowledgement for seq %" PRIu64, seq);
        return;
    }
    up->in_flight = 0;
    up->last_contact = uv_now(up->loop);
    up->last_contact_us = mm_now_us();
    if (up->unreachable_said)
        MM_INFO("hub %s reachable again", up->conf.hub_endpoint);
    up->unreachable_said = 0;
    uint64_t own = 0;
    if (edge_store_size(up->store, &own) != MM_OK)
        return;
    switch (ack->status) {
    case MM_ACK_OK:
        on_ok(up, ack, own);
        break;
    case MM_ACK_WRONG_SIZE:
        if (ack->size > own) {
            MM_ERROR("hub holds %" PRIu64 " entries of this site but its log has %" PRIu64
                     ": the site's state was lost or replaced; not sending",
                     ack->size, own);
            up->wait_until = uv_now(up->loop) + up->conf.refused_wait_ms;
            return;
        }
        MM_INFO("hub holds %" PRIu64 " entries, sending from there", ack->size);
        up->acked = ack->size;
        edge_store_set_acked(up->store, ack->size, NULL, 0);
        break;
    case MM_ACK_REFUSED:
        MM_ERROR("hub refused the batch [%" PRIu64 ", %" PRIu64 "): %s; retrying in %" PRIu64 " s",
                 up->first, up->size, ack->reason, up->conf.refused_wait_ms / 1000);
        up->wait_until = uv_now(up->loop) + up->conf.refused_wait_ms;
        return;
    }
    try_send(up);
    tick_exports(up); /* an export waiting for this acknowledgement goes now */
}

/* --- exports --------------------------------------------------------------------------------*/

static void xfer_free(xfer_t *x)
{
    if (x->fd >= 0)
        close(x->fd);
    free(x->path);
    memset(x, 0, sizeof *x);
    x->fd = -1;
}

/* The transfer of export id, or NULL. */
static xfer_t *find_xfer(edge_uplink_t *up, const char *id)
{
    for (int i = 0; i < EDGE_UPLINK_EXPORTS; i++)
        if (up->xfers[i].used && strcmp(up->xfers[i].id, id) == 0)
            return &up->xfers[i];
    return NULL;
}

/* A free transfer, cleared, or NULL when EDGE_UPLINK_EXPORTS are in use. */
static xfer_t *free_xfer(edge_uplink_t *up)
{
    for (int i = 0; i < EDGE_UPLINK_EXPORTS; i++) {
        xfer_t *x = &up->xfers[i];
        if (!x->used) {
            memset(x, 0, sizeof *x);
            x->fd = -1;
            return x;
        }
    }
    return NULL;
}

/* Ends a transfer and tells its owner. */
static void xfer_finish(xfer_t *x, int delivered, const char *why)
{
    char id[sizeof x->id], reason[sizeof x->why];
    snprintf(id, sizeof id, "%s", x->id);
    snprintf(reason, sizeof reason, "%s", why ? why : "");
    edge_uplink_export_done_fn done = x->done;
    void *arg = x->arg;
    xfer_free(x);
    if (delivered)
        MM_INFO("export %s delivered to the hub", id);
    else
        MM_ERROR("export %s not delivered: %s", id, reason);
    if (done)
        done(arg, id, delivered, reason);
}

static void xfer_fail(xfer_t *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void xfer_fail(xfer_t *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->why, sizeof x->why, fmt, ap);
    va_end(ap);
    x->failed = 1;
}

/* Sends nothing more of x in flight: what is unanswered is forgotten (its answers ignored), and
 * the next chunk starts at from. */
static void xfer_rewind(edge_uplink_t *up, xfer_t *x, uint64_t from)
{
    x->stale = up->next_seq;
    x->in_flight = 0;
    x->next = from;
}

/* Where what may be sent of x ends: the bytes written so far while it is built. */
static uint64_t xfer_end(const xfer_t *x)
{
    return x->building ? x->ready : x->total;
}

/* Reads len bytes of x's file at offset into buf: 0, or -1 with x failed. */
static int read_at(xfer_t *x, uint8_t *buf, size_t len, uint64_t offset)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = pread(x->fd, buf + got, len - got, (off_t)(offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            xfer_fail(x, "cannot read the export file %s at %" PRIu64 ": %s", x->path, offset + got,
                      n < 0 ? strerror(errno) : "it is shorter than logged");
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

/* Sends the chunk of x that starts at x->next: 0 when it went, -1 when it did not (x->wait_until
 * or x->failed says what next, or the build cannot be named yet). */
static int send_chunk(edge_uplink_t *up, xfer_t *x)
{
    uint64_t now = uv_now(up->loop);
    if (x->fd < 0) {
        x->fd = open(x->path, O_RDONLY | O_CLOEXEC);
        if (x->fd < 0) {
            xfer_fail(x, "cannot read the export file %s: %s", x->path, strerror(errno));
            return -1;
        }
    }
    if (!up->chunk && !(up->chunk = malloc(MM_EXPORT_CHUNK_MAX))) {
        x->wait_until = now + UNREACHABLE_WAIT_MS;
        return -1;
    }
    uint64_t end = xfer_end(x);
    if (!x->has_build && end >= MM_EXPORT_BUILD_PREFIX) {
        /* The build the chunks name: the file's first bytes hold age's fresh X25519 share. */
        if (read_at(x, up->chunk, MM_EXPORT_BUILD_PREFIX, 0) != 0)
            return -1;
        mm_sha256(up->chunk, MM_EXPORT_BUILD_PREFIX, x->build);
        x->has_build = 1;
    }
    if (x->building && !x->has_build)
        return -1; /* not before the build can be named */
    size_t len =
        end - x->next < MM_EXPORT_CHUNK_MAX ? (size_t)(end - x->next) : MM_EXPORT_CHUNK_MAX;
    if (read_at(x, up->chunk, len, x->next) != 0)
        return -1;
    mm_export_chunk_t c = {.offset = x->next,
                           .data = up->chunk,
                           .len = len,
                           .total = x->building ? 0 : x->total,
                           .window = EDGE_UPLINK_WINDOW,
                           .has_build = x->has_build,
                           .building = x->building};
    snprintf(c.request, sizeof c.request, "%s", x->id);
    if (!x->building)
        memcpy(c.sha256, x->sha256, 32);
    memcpy(c.build, x->build, 32);
    uint8_t *buf = NULL;
    size_t blen = 0;
    uint64_t seq = up->next_seq + 1;
    mm_err_t err = mm_msg_encode_export_chunk(seq, &c, &buf, &blen);
    if (err == MM_OK) {
        /* In flight before it goes: a send drains the socket, and the answer may be in it. */
        up->next_seq = seq;
        x->seqs[x->in_flight] = seq;
        x->ends[x->in_flight++] = x->next + len;
        x->next += len;
        x->heard_at = now;
        const void *parts[1] = {buf};
        size_t lens[1] = {blen};
        err = mm_zsock_send(up->zs, parts, lens, 1);
        free(buf);
        if (err != MM_OK) {
            x->in_flight--;
            x->next -= len;
        }
    }
    if (err == MM_EAGAIN) {
        /* The hub is away: the batches say so; try again in a while, not every tick. */
        x->wait_until = now + UNREACHABLE_WAIT_MS;
        return -1;
    }
    if (err != MM_OK) {
        MM_ERROR("export %s: sending a chunk failed: %s", x->id, mm_strerror(err));
        x->wait_until = now + UNREACHABLE_WAIT_MS;
        return -1;
    }
    MM_DEBUG("export %s: sent [%" PRIu64 ", %" PRIu64 ") of %" PRIu64 "%s, seq %" PRIu64, x->id,
             x->next - len, x->next, end, x->building ? " written so far" : "", seq);
    return 0;
}

/* Sends chunks of x while its window has room: up to EDGE_UPLINK_WINDOW bytes beyond what the
 * hub holds synced, in at most EDGE_UPLINK_WINDOW_CHUNKS chunks; none before the hub has
 * acknowledged the log that holds the export's "exported" entry, or, while it is built, its
 * "approved" one (it would answer WAIT). When all was sent while built, one empty chunk at the
 * end names the logged length and hash, and completes it. */
static void fill_window(edge_uplink_t *up, xfer_t *x)
{
    /* A hub that has not said it takes an export being built (an older one refuses such chunks
     * as malformed) gets it once logged, whole. */
    if (x->building && !(up->hub_features & MM_FEATURE_EXPORT_BUILDING))
        return;
    if (x->end_due && x->next == x->total && !x->failed && !up->closing && up->acked >= x->after &&
        uv_now(up->loop) >= x->wait_until && send_chunk(up, x) == 0)
        x->end_due = 0;
    while (!x->failed && !up->closing && up->acked >= x->after && x->next < xfer_end(x) &&
           x->next - x->have < EDGE_UPLINK_WINDOW && x->in_flight < EDGE_UPLINK_WINDOW_CHUNKS &&
           uv_now(up->loop) >= x->wait_until && send_chunk(up, x) == 0) {
    }
}

/* Ends what failed, times out what is unanswered, sends what may go. */
static void tick_exports(edge_uplink_t *up)
{
    uint64_t now = uv_now(up->loop);
    for (int i = 0; i < EDGE_UPLINK_EXPORTS && !up->closing; i++) {
        xfer_t *x = &up->xfers[i];
        if (!x->used)
            continue;
        if (x->failed && x->building) {
            MM_WARN("export %s: not sent while it is built: %s", x->id, x->why);
            xfer_free(x); /* sent once logged */
            continue;
        }
        if (x->failed) {
            xfer_finish(x, 0, x->why);
            continue;
        }
        /* Unanswered, or all sent and answered but not all held: from what the hub holds. */
        if ((x->in_flight || (!x->building && x->next >= x->total)) &&
            now - x->heard_at >= up->conf.resend_ms) {
            MM_DEBUG("export %s: no answer since seq %" PRIu64 "; sending from %" PRIu64 " again",
                     x->id, x->stale, x->have);
            xfer_rewind(up, x, x->have);
            x->heard_at = now;
        }
        fill_window(up, x);
    }
}

/* The hub stored a chunk of x, or did not: `have` is what it holds synced, received what it has
 * written (where the next chunk must start). A chunk not stored where it was sent rewinds to
 * where the hub's copy ends. */
static void export_continue(edge_uplink_t *up, xfer_t *x, const mm_export_ack_t *a, uint64_t end)
{
    uint64_t received = a->received ? a->received : a->have;
    if (!x->building && (a->have > x->total || received > x->total)) {
        xfer_finish(x, 0, "the hub says it holds more bytes than the export has");
        return;
    }
    if (a->have < x->have)
        MM_INFO("export %s: the hub holds %" PRIu64 " bytes, sending from there", x->id, a->have);
    else if (a->have > x->have) /* every few MiB: the hub syncs its part that often */
        MM_DEBUG("export %s: the hub holds %" PRIu64 " bytes synced", x->id, a->have);
    x->have = a->have;
    if (received != end) {
        MM_DEBUG("export %s: the hub has written %" PRIu64 " bytes, not %" PRIu64
                 "; sending from there",
                 x->id, received, end);
        xfer_rewind(up, x, received);
    }
    fill_window(up, x);
}

static void on_export_ack(edge_uplink_t *up, const mm_export_ack_t *a, uint64_t seq)
{
    xfer_t *x = find_xfer(up, a->request);
    if (!x) {
        MM_DEBUG("ignoring the hub's answer about export %s: none is being sent", a->request);
        return;
    }
    /* Answers come in the order the chunks went; one lost leaves its seq behind. */
    unsigned k = 0;
    while (k < x->in_flight && x->seqs[k] < seq)
        k++;
    if (seq <= x->stale || k == x->in_flight || x->seqs[k] != seq) {
        MM_DEBUG("export %s: ignoring a late answer (seq %" PRIu64 ")", x->id, seq);
        return;
    }
    uint64_t end = x->ends[k];
    x->in_flight -= k + 1;
    memmove(x->seqs, x->seqs + k + 1, x->in_flight * sizeof *x->seqs);
    memmove(x->ends, x->ends + k + 1, x->in_flight * sizeof *x->ends);
    x->heard_at = uv_now(up->loop);
    switch (a->status) {
    case MM_EXPORT_CONTINUE:
        export_continue(up, x, a, end);
        break;
    case MM_EXPORT_WAIT:
        /* The hub has not verified the "exported" entry yet: make sure it is on its way. */
        MM_DEBUG("export %s: the hub waits for the log; again in %" PRIu64 " ms", x->id,
                 up->conf.export_wait_ms);
        xfer_rewind(up, x, x->have);
        x->wait_until = uv_now(up->loop) + up->conf.export_wait_ms;
        try_send(up);
        break;
    case MM_EXPORT_REFUSED:
        if (x->building || seq <= x->built_seq) {
            /* Not before it is logged (the request ended meanwhile): the export goes whole
             * once logged, and the hub's answer then is the one that counts. */
            MM_INFO("export %s: the hub does not take it while it is built (%s); it is sent %s",
                    x->id, a->reason, x->building ? "once logged" : "whole");
            if (x->building) {
                xfer_free(x);
                break;
            }
            /* Logged before this answer came: the whole export, from its start. */
            x->built_seq = 0;
            x->have = 0;
            x->end_due = 0;
            xfer_rewind(up, x, 0);
            fill_window(up, x);
            break;
        }
        xfer_finish(x, 0, a->reason[0] ? a->reason : "the hub refused it without a reason");
        break;
    case MM_EXPORT_COMPLETE:
        xfer_finish(x, 1, "");
        break;
    }
}

/* x (found, or free) given to export id: the file at path (copied), its owner's done and arg,
 * and chunks that wait for the hub to acknowledge the log as it stands now, which holds the entry
 * they follow ("approved" while built, "exported" after). */
static mm_err_t xfer_take(edge_uplink_t *up, xfer_t *x, const char *id, const char *path,
                          edge_uplink_export_done_fn done, void *arg)
{
    char *copy = strdup(path);
    if (!copy)
        return MM_ENOMEM;
    free(x->path);
    x->path = copy;
    if (!x->used) {
        x->used = 1;
        snprintf(x->id, sizeof x->id, "%s", id);
    }
    if (edge_store_size(up->store, &x->after) != MM_OK)
        x->after = 0; /* the hub's WAIT paces it then */
    x->done = done;
    x->arg = arg;
    return MM_OK;
}

mm_err_t edge_uplink_send_export(edge_uplink_t *up, const char *id, const char *path,
                                 uint64_t total, const uint8_t sha256[32],
                                 edge_uplink_export_done_fn done, void *arg)
{
    if (!id || !*id || strlen(id) >= sizeof up->xfers[0].id || !path || !*path || !total)
        return MM_EINVAL;
    xfer_t *x = find_xfer(up, id);
    if (x && !x->building)
        return MM_OK;
    if (x && x->failed) {
        /* The early sending failed (say, the file was renamed into place before its first chunk
         * could open it): that was only the early sending; the export goes whole. */
        MM_INFO("export %s: not sent while it was built (%s); sending it whole", id, x->why);
        xfer_free(x);
        x = NULL;
    }
    int built = x != NULL;
    if (!x && !(x = free_xfer(up)))
        return MM_EFULL;
    mm_err_t err = xfer_take(up, x, id, path, done, arg);
    if (err != MM_OK)
        return err;
    if (built) {
        /* Sent while built: the rest goes as this export, from where it is (the file renamed
         * into place is the one its descriptor reads). */
        x->building = 0;
        x->built_seq = up->next_seq;
        x->end_due = x->next == total;
        MM_INFO("export %s: %" PRIu64 " bytes, %" PRIu64 " sent while it was built", id, total,
                x->next);
    } else {
        MM_INFO("export %s: sending %" PRIu64 " bytes to the hub", id, total);
    }
    x->total = total;
    memcpy(x->sha256, sha256, 32);
    return MM_OK; /* the first chunk goes at the next tick */
}

mm_err_t edge_uplink_export_building(edge_uplink_t *up, const char *id, const char *path,
                                     uint64_t ready, edge_uplink_export_done_fn done, void *arg)
{
    if (!id || !*id || strlen(id) >= sizeof up->xfers[0].id || (path && !*path))
        return MM_EINVAL;
    xfer_t *x = find_xfer(up, id);
    if (!path) {
        if (x && x->building)
            xfer_free(x);
        return MM_OK;
    }
    if (x) {
        if (x->building && ready > x->ready) {
            x->ready = ready;
            fill_window(up, x);
        }
        return MM_OK;
    }
    if (ready != 0)
        return MM_OK; /* not kept (the uplink was full): sent once logged */
    if (!(x = free_xfer(up)))
        return MM_EFULL;
    mm_err_t err = xfer_take(up, x, id, path, done, arg);
    if (err != MM_OK)
        return err;
    x->building = 1;
    MM_INFO("export %s: sending it to the hub while it is built", id);
    return MM_OK;
}

/* --- standards documents ------------------------------------------------------------------*/

static void doc_free(doc_t *x)
{
    free(x->buf);
    memset(x, 0, sizeof *x);
}

static void doc_finish(edge_uplink_t *up, int stored, const char *reason)
{
    doc_t *x = &up->doc;
    uint32_t version = x->d.version;
    char why[sizeof((mm_document_ack_t *)0)->reason];
    snprintf(why, sizeof why, "%s", reason ? reason : "");
    edge_uplink_document_done_fn done = x->done;
    void *arg = x->arg;
    doc_free(x);
    if (done)
        done(arg, version, stored, why);
}

static void send_document(edge_uplink_t *up)
{
    doc_t *x = &up->doc;
    uint64_t now = uv_now(up->loop);
    uint8_t *buf = NULL;
    size_t len = 0;
    uint64_t seq = ++up->next_seq;
    mm_err_t err = mm_msg_encode_filing_document(seq, &x->d, &buf, &len);
    if (err == MM_OK) {
        /* In flight before it goes: a send drains the socket, and the answer may be in it. */
        x->in_flight = 1;
        x->seq = seq;
        x->sent_at = now;
        const void *parts[1] = {buf};
        size_t lens[1] = {len};
        err = mm_zsock_send(up->zs, parts, lens, 1);
        free(buf);
        if (err != MM_OK)
            x->in_flight = 0;
    }
    if (err != MM_OK) {
        if (err != MM_EAGAIN)
            MM_ERROR("standards document of version %" PRIu32 ": sending failed: %s", x->d.version,
                     mm_strerror(err));
        x->wait_until = now + UNREACHABLE_WAIT_MS;
        return;
    }
    MM_DEBUG("standards document of version %" PRIu32 ": sent, seq %" PRIu64, x->d.version, seq);
}

/* Times out an unanswered document, sends one that may go. */
static void tick_document(edge_uplink_t *up)
{
    doc_t *x = &up->doc;
    if (!x->used || up->closing)
        return;
    uint64_t now = uv_now(up->loop);
    if (x->in_flight && now - x->sent_at >= up->conf.resend_ms) {
        MM_DEBUG("standards document of version %" PRIu32 ": no answer; sending it again",
                 x->d.version);
        x->in_flight = 0;
    }
    if (!x->in_flight && now >= x->wait_until && up->acked >= x->after)
        send_document(up);
}

static void on_document_ack(edge_uplink_t *up, const mm_document_ack_t *a, uint64_t seq)
{
    doc_t *x = &up->doc;
    if (!x->used || !x->in_flight || seq != x->seq || a->version != x->d.version) {
        MM_DEBUG("ignoring a late answer about the standards document of version %" PRIu32,
                 a->version);
        return;
    }
    x->in_flight = 0;
    switch (a->status) {
    case MM_DOCUMENT_OK:
        doc_finish(up, 1, "");
        break;
    case MM_DOCUMENT_REFUSED:
        doc_finish(up, 0, a->reason[0] ? a->reason : "the hub refused it without a reason");
        break;
    case MM_DOCUMENT_NOT_YET: {
        uint64_t wait = up->conf.export_wait_ms << (x->not_yet < 6 ? x->not_yet : 6);
        if (wait > DOCUMENT_WAIT_MAX_MS)
            wait = DOCUMENT_WAIT_MAX_MS;
        x->not_yet++;
        MM_DEBUG("standards document of version %" PRIu32 ": not yet (%s); again in %" PRIu64 " ms",
                 x->d.version, a->reason, wait);
        x->wait_until = uv_now(up->loop) + wait;
        try_send(up);
        break;
    }
    }
}

mm_err_t edge_uplink_send_document(edge_uplink_t *up, const mm_filing_document_t *d,
                                   edge_uplink_document_done_fn done, void *arg)
{
    if (up->doc.used)
        return MM_EFULL;
    if (d->version == 0 || !d->markdown || d->markdown_len == 0 ||
        d->markdown_len > MM_DOCUMENT_MAX || d->html_len > MM_DOCUMENT_MAX ||
        (d->html_len && !d->html))
        return MM_EINVAL;
    uint64_t size;
    mm_err_t err = edge_store_size(up->store, &size);
    if (err != MM_OK)
        return err;
    doc_t *x = &up->doc;
    memset(x, 0, sizeof *x);
    if (!(x->buf = malloc(d->markdown_len + d->html_len)))
        return MM_ENOMEM;
    memcpy(x->buf, d->markdown, d->markdown_len);
    if (d->html_len)
        memcpy(x->buf + d->markdown_len, d->html, d->html_len);
    x->d = (mm_filing_document_t){.version = d->version,
                                  .markdown = x->buf,
                                  .markdown_len = d->markdown_len,
                                  .html = d->html_len ? x->buf + d->markdown_len : NULL,
                                  .html_len = d->html_len};
    x->after = size;
    x->done = done;
    x->arg = arg;
    x->used = 1;
    return MM_OK; /* it goes at a tick once the hub has acknowledged `after` entries */
}

static void on_recv(mm_zsock_t *zs, mm_zmsg_t *msg, void *arg)
{
    (void)zs;
    edge_uplink_t *up = arg;
    if (msg->n != 1) {
        MM_WARN("ignoring a %zu-part message from the hub", msg->n);
        return;
    }
    mm_msg_t *m = NULL;
    mm_err_t err = mm_msg_decode(zmq_msg_data(&msg->parts[0]), zmq_msg_size(&msg->parts[0]), &m);
    if (err != MM_OK) {
        MM_WARN("ignoring an undecodable message from the hub: %s", mm_strerror(err));
        return;
    }
    const mm_ack_t *ack = mm_msg_ack(m);
    /* Requests first, so that what the hook logs goes out with the batch this ack lets us
     * send. They are what the hub still waits for, whatever the ack answers: a late ack's are
     * taken too (logging is once per id). */
    if (ack && ack->n_requests && up->conf.requests && !up->closing)
        up->conf.requests(up->conf.arg, ack->requests, ack->n_requests);
    const mm_export_ack_t *xa = mm_msg_export_ack(m);
    const mm_document_ack_t *da = mm_msg_document_ack(m);
    if (ack)
        on_ack(up, ack, mm_msg_seq(m));
    else if (xa && !up->closing)
        on_export_ack(up, xa, mm_msg_seq(m));
    else if (da && !up->closing)
        on_document_ack(up, da, mm_msg_seq(m));
    else if (!xa && !da)
        MM_WARN("ignoring a message from the hub that is neither an acknowledgement nor an "
                "export's or a document's answer");
    mm_msg_free(m);
}

static void on_tick(uv_timer_t *t)
{
    edge_uplink_t *up = t->data;
    uint64_t now = uv_now(up->loop);
    if (up->in_flight && now - up->sent_at >= up->conf.resend_ms) {
        MM_DEBUG("no acknowledgement for seq %" PRIu64 " after %" PRIu64 " ms; sending again",
                 up->seq, now - up->sent_at);
        up->in_flight = 0;
    }
    try_send(up);
    tick_exports(up);
    tick_document(up);
}

mm_err_t edge_uplink_create(uv_loop_t *loop, void *zctx, edge_store_t *store,
                            const edge_uplink_conf_t *conf, edge_uplink_t **out)
{
    edge_uplink_t *up = calloc(1, sizeof *up);
    if (!up)
        return MM_ENOMEM;
    up->loop = loop;
    up->store = store;
    up->conf = *conf;
    if (!up->conf.resend_ms)
        up->conf.resend_ms = 5000;
    if (!up->conf.refused_wait_ms)
        up->conf.refused_wait_ms = 30000;
    if (!up->conf.keepalive_ms)
        up->conf.keepalive_ms = 5000;
    if (!up->conf.export_wait_ms)
        up->conf.export_wait_ms = 1000;
    for (int i = 0; i < EDGE_UPLINK_EXPORTS; i++)
        up->xfers[i].fd = -1;
    snprintf(up->origin, sizeof up->origin, "mimamori/site/%s", conf->site);
    mm_err_t err = edge_store_acked(store, &up->acked);
    if (err != MM_OK) {
        free(up);
        return err;
    }

    void *s = zmq_socket(zctx, ZMQ_DEALER);
    if (!s) {
        free(up);
        return MM_ENET;
    }
    int64_t maxmsg = MM_WIRE_MAX;
    int rc = 0;
    rc |= zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, conf->hub_curve_public,
                         strlen(conf->hub_curve_public) + 1);
    rc |= zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, conf->keys->curve_public,
                         strlen(conf->keys->curve_public) + 1);
    rc |= zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, conf->keys->curve_secret,
                         strlen(conf->keys->curve_secret) + 1);
    rc |= setopt_int(s, ZMQ_IMMEDIATE, 1);
    rc |= setopt_int(s, ZMQ_LINGER, 0);
    rc |= setopt_int(s, ZMQ_HEARTBEAT_IVL, 2000);
    rc |= setopt_int(s, ZMQ_HEARTBEAT_TIMEOUT, 6000);
    rc |= setopt_int(s, ZMQ_RECONNECT_IVL, 500);
    rc |= setopt_int(s, ZMQ_RECONNECT_IVL_MAX, 5000);
    /* A TCP connect begun while the link was cut would otherwise wait out SYN retries (1, 3,
     * 7, 15 s ...) after the link heals; given up after 2 s, the next try comes within 5 s. */
    rc |= setopt_int(s, ZMQ_CONNECT_TIMEOUT, 2000);
    rc |= zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    if (rc != 0) {
        MM_ERROR("setting up the hub socket: %s", zmq_strerror(zmq_errno()));
        zmq_close(s);
        free(up);
        return MM_ENET;
    }
    if (zmq_connect(s, conf->hub_endpoint) != 0) {
        MM_ERROR("connecting to %s: %s", conf->hub_endpoint, zmq_strerror(zmq_errno()));
        zmq_close(s);
        free(up);
        return MM_ENET;
    }
    up->socket = s;
    err = mm_zsock_create(loop, s, on_recv, up, &up->zs);
    if (err != MM_OK) {
        zmq_close(s);
        free(up);
        return err;
    }
    uv_timer_init(loop, &up->timer);
    up->timer.data = up;
    uv_timer_start(&up->timer, on_tick, TICK_MS, TICK_MS);
    MM_INFO("sending the site log to %s; the hub has acknowledged %" PRIu64 " entries",
            conf->hub_endpoint, up->acked);
    *out = up;
    return MM_OK;
}

void edge_uplink_kick(edge_uplink_t *up)
{
    try_send(up);
}

static void on_timer_closed(uv_handle_t *h)
{
    edge_uplink_t *up = h->data;
    void (*done)(void *) = up->done;
    void *arg = up->done_arg;
    for (int i = 0; i < EDGE_UPLINK_EXPORTS; i++)
        xfer_free(&up->xfers[i]); /* not delivered: sent again after the next start */
    doc_free(&up->doc);           /* not answered: sent again after the next start */
    free(up->chunk);
    free(up);
    if (done)
        done(arg);
}

static void on_zs_closed(void *arg)
{
    edge_uplink_t *up = arg;
    zmq_close(up->socket);
    uv_close((uv_handle_t *)&up->timer, on_timer_closed);
}

void edge_uplink_close(edge_uplink_t *up, void (*done)(void *arg), void *arg)
{
    if (!up)
        return;
    up->closing = 1;
    up->done = done;
    up->done_arg = arg;
    uv_timer_stop(&up->timer);
    mm_zsock_close(up->zs, on_zs_closed, up);
}

int64_t edge_uplink_last_contact(const edge_uplink_t *up)
{
    return up->last_contact_us;
}
