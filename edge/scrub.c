/*
 * scrub.c: the edge audits itself (see scrub.h).
 */
#include "edge/scrub.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/note.h"
#include "edge/footage.h"

#define ENTRIES_AT_ONCE 512 /* entries hashed in one read transaction */
#define ROWS_AT_ONCE 64     /* index rows read at once */
#define QUEUE_MAX 256       /* faults waiting for the loop; more are found again next pass */

static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* --- the root of leaves given one by one ------------------------------------------------------*/

void edge_scrub_root_init(edge_scrub_root_t *r)
{
    memset(r, 0, sizeof *r);
}

void edge_scrub_root_add(edge_scrub_root_t *r, const mm_hash_t *leaf)
{
    r->stack[r->depth] = *leaf;
    r->size[r->depth++] = 1;
    /* Perfect subtrees of equal size merge, as the tree of RFC 6962 does on the left. */
    while (r->depth >= 2 && r->size[r->depth - 1] == r->size[r->depth - 2]) {
        mm_hash_t h;
        mm_merkle_node_hash(&r->stack[r->depth - 2], &r->stack[r->depth - 1], &h);
        r->stack[r->depth - 2] = h;
        r->size[r->depth - 2] *= 2;
        r->depth--;
    }
    r->n++;
}

void edge_scrub_root_get(const edge_scrub_root_t *r, mm_hash_t *out)
{
    if (r->depth == 0) {
        mm_merkle_empty_root(out);
        return;
    }
    /* The smaller subtrees on the right fold into the larger ones on their left. */
    mm_hash_t acc = r->stack[r->depth - 1];
    for (unsigned i = r->depth - 1; i-- > 0;) {
        mm_hash_t h;
        mm_merkle_node_hash(&r->stack[i], &acc, &h);
        acc = h;
    }
    *out = acc;
}

/* --- the log ----------------------------------------------------------------------------------*/

/* The size and root of the hub-cosigned checkpoint in the store; 0 when there is none. */
static int cosigned(edge_store_t *st, mm_checkpoint_t *cp)
{
    char text[4096];
    size_t len = 0;
    mm_note_t note;
    if (edge_store_meta_get(st, "cosigned", text, sizeof text - 1, &len) != MM_OK || len == 0)
        return 0;
    text[len] = 0;
    return mm_note_parse(text, len, &note) == MM_OK &&
           mm_checkpoint_parse_body(note.body, note.body_len, cp) == MM_OK;
}

static void fault_log(const edge_scrub_sink_t *sink, mm_integrity_t kind, uint64_t index,
                      const mm_hash_t *expected, const mm_hash_t *found, const char *detail)
{
    mm_integrity_fault_t f = {.fault = kind, .index = index};
    memcpy(f.expected_hash, expected->b, 32);
    f.has_expected_hash = 1;
    memcpy(f.found_hash, found->b, 32);
    f.has_found_hash = 1;
    snprintf(f.detail, sizeof f.detail, "%s", detail);
    sink->fault(sink->arg, &f);
}

typedef struct {
    const edge_scrub_sink_t *sink;
    edge_scrub_root_t root;
    uint64_t root_size; /* leaves that go into the root */
    uint64_t altered;   /* altered entries below root_size */
    uint64_t bytes;
} log_walk_t;

static int hash_entry(void *arg, uint64_t index, const void *data, size_t len,
                      const mm_hash_t *leaf)
{
    log_walk_t *w = arg;
    mm_hash_t h;
    mm_merkle_leaf_hash(data, len, &h);
    w->bytes += len;
    if (memcmp(h.b, leaf->b, MM_HASH_LEN) != 0) {
        char d[MM_TEXT_MAX];
        snprintf(d, sizeof d,
                 "log entry %" PRIu64 " no longer hashes to the leaf stored when it was appended: "
                 "its bytes were altered",
                 index);
        fault_log(w->sink, MM_INTEGRITY_LOG_ENTRY_ALTERED, index, leaf, &h, d);
        if (index < w->root_size)
            w->altered++;
    }
    if (index < w->root_size)
        edge_scrub_root_add(&w->root, &h);
    return 0;
}

mm_err_t edge_scrub_log(edge_store_t *st, int quick, const edge_scrub_sink_t *sink)
{
    mm_checkpoint_t cp;
    int have = cosigned(st, &cp);
    uint64_t size = 0;
    mm_err_t err = edge_store_size(st, &size);
    if (err != MM_OK)
        return err;
    if (have && cp.size > size) {
        have = 0; /* not this log's (a store begun anew keeps no old note, newlog.h) */
    }
    if (quick) {
        mm_hash_t root;
        if (!have || cp.size == 0)
            return MM_OK;
        if ((err = edge_store_root(st, cp.size, &root)) != MM_OK)
            return err;
        if (memcmp(root.b, cp.root.b, MM_HASH_LEN) != 0)
            fault_log(sink, MM_INTEGRITY_LOG_ROOT_MISMATCH, cp.size, &cp.root, &root,
                      "the stored log's tree no longer has the root the hub cosigned");
        return MM_OK;
    }
    log_walk_t w = {.sink = sink, .root_size = have ? cp.size : 0};
    edge_scrub_root_init(&w.root);
    for (uint64_t first = 0; first < size; first += ENTRIES_AT_ONCE) {
        uint64_t end = first + ENTRIES_AT_ONCE < size ? first + ENTRIES_AT_ONCE : size;
        w.bytes = 0;
        if ((err = edge_store_each_entry(st, first, end, hash_entry, &w)) != MM_OK)
            return err;
        if (sink->pace && sink->pace(sink->arg, w.bytes))
            return MM_OK; /* stopped: no verdict on the root */
    }
    if (have && cp.size > 0 && w.altered == 0) {
        mm_hash_t root;
        edge_scrub_root_get(&w.root, &root);
        if (memcmp(root.b, cp.root.b, MM_HASH_LEN) != 0)
            fault_log(sink, MM_INTEGRITY_LOG_ROOT_MISMATCH, cp.size, &cp.root, &root,
                      "the log's entries, hashed again, no longer give the root the hub cosigned");
    }
    return MM_OK;
}

/* --- the footage ------------------------------------------------------------------------------*/

static void fault_segment(const edge_scrub_sink_t *sink, mm_integrity_t kind,
                          const edge_segment_row_t *row, const char *detail)
{
    mm_integrity_fault_t f = {.fault = kind, .index = row->log_index};
    snprintf(f.camera, sizeof f.camera, "%s", row->seg.camera);
    f.start_us = row->seg.start_us;
    snprintf(f.file, sizeof f.file, "%.255s", row->file);
    memcpy(f.expected_hash, row->seg.content_hash, 32);
    f.has_expected_hash = 1;
    snprintf(f.detail, sizeof f.detail, "%s", detail);
    sink->fault(sink->arg, &f);
}

typedef struct {
    const edge_segment_row_t *row;
    mm_entry_t e;
    int differs;
} row_cmp_t;

static int compare_row(void *arg, uint64_t index, const void *data, size_t len,
                       const mm_hash_t *leaf)
{
    row_cmp_t *c = arg;
    mm_hash_t h;
    (void)index;
    mm_merkle_leaf_hash(data, len, &h);
    if (memcmp(h.b, leaf->b, MM_HASH_LEN) != 0 || mm_entry_decode(data, len, &c->e) != MM_OK)
        return 1; /* the entry itself was altered: the log check's to report */
    const mm_segment_recorded_t *s = &c->e.u.segment_recorded;
    const mm_segment_recorded_t *r = &c->row->seg;
    c->differs = c->e.kind != MM_ENTRY_SEGMENT_RECORDED || strcmp(s->camera, r->camera) != 0 ||
                 s->start_us != r->start_us || s->bytes != r->bytes || s->frames != r->frames ||
                 memcmp(s->content_hash, r->content_hash, 32) != 0;
    return 1;
}

/* Whether row no longer says what its segment_recorded entry says (the index edited to match an
 * altered file): 1 with why in d. */
static int row_differs(const edge_vault_t *v, const edge_segment_row_t *row, char *d, size_t cap)
{
    row_cmp_t *c = calloc(1, sizeof *c);
    if (!c)
        return 0;
    c->row = row;
    edge_store_each_entry(edge_vault_store(v), row->log_index, row->log_index + 1, compare_row, c);
    int differs = c->differs;
    free(c);
    if (differs)
        snprintf(d, cap,
                 "the index row of segment file %.160s no longer matches log entry %" PRIu64,
                 row->file, row->log_index);
    return differs;
}

/* One segment: its file there with its size (quick), and read whole against its entry. */
static void check_row(const edge_vault_t *v, const edge_segment_row_t *row, int quick,
                      const edge_scrub_sink_t *sink, uint64_t *bytes)
{
    char path[EDGE_SEG_PATH_MAX], d[MM_TEXT_MAX];
    struct stat sb;
    *bytes = 0;
    if (edge_vault_path(v, row->seg.camera, row->seg.start_us, path, sizeof path) != 0)
        return;
    if (stat(path, &sb) != 0) {
        snprintf(d, sizeof d, "segment file %.160s is %s", row->file,
                 errno == ENOENT ? "missing" : "unreadable");
        fault_segment(
            sink, errno == ENOENT ? MM_INTEGRITY_SEGMENT_MISSING : MM_INTEGRITY_SEGMENT_UNREADABLE,
            row, d);
        return;
    }
    if ((uint64_t)sb.st_size != row->seg.bytes) {
        snprintf(d, sizeof d, "segment file %.160s has %lld bytes, its entry says %" PRIu64,
                 row->file, (long long)sb.st_size, row->seg.bytes);
        fault_segment(sink, MM_INTEGRITY_SEGMENT_ALTERED, row, d);
        return;
    }
    if (quick)
        return;
    if (row_differs(v, row, d, sizeof d)) {
        fault_segment(sink, MM_INTEGRITY_SEGMENT_ALTERED, row, d);
        return;
    }
    mm_err_t err = edge_footage_verify_row(v, row, bytes);
    *bytes = row->seg.bytes;
    if (err == MM_OK || err == MM_EERASED)
        return;
    snprintf(d, sizeof d, "segment file %.160s %s", row->file,
             err == MM_ECORRUPT ? "does not decrypt to the content hash of its log entry"
                                : "cannot be read");
    fault_segment(
        sink, err == MM_ECORRUPT ? MM_INTEGRITY_SEGMENT_ALTERED : MM_INTEGRITY_SEGMENT_UNREADABLE,
        row, d);
}

typedef struct {
    edge_segment_row_t rows[ROWS_AT_ONCE];
    size_t n;
} batch_t;

static int take_row(const edge_segment_row_t *row, void *arg)
{
    batch_t *b = arg;
    b->rows[b->n++] = *row;
    return b->n == ROWS_AT_ONCE;
}

typedef struct {
    char (*names)[MM_ID_MAX];
    size_t n;
} cams_t;

static int take_camera(const char *camera, void *arg)
{
    cams_t *c = arg;
    if (c->n < EDGE_STORE_CAMERAS_MAX)
        snprintf(c->names[c->n++], MM_ID_MAX, "%s", camera);
    return 0;
}

/* One camera's segments, a batch of rows at a time (no read transaction held while reading). */
static int scrub_camera(const edge_vault_t *v, const char *camera, int quick,
                        const edge_scrub_sink_t *sink, batch_t *b)
{
    int64_t from = 0;
    for (;;) {
        b->n = 0;
        if (edge_store_segments(edge_vault_store(v), camera, from, INT64_MAX, take_row, b) !=
                MM_OK ||
            b->n == 0)
            return 0;
        uint64_t total = 0;
        for (size_t i = 0; i < b->n; i++) {
            uint64_t bytes;
            check_row(v, &b->rows[i], quick, sink, &bytes);
            total += bytes;
            if (!quick && sink->pace && sink->pace(sink->arg, bytes))
                return 1;
        }
        if (quick && sink->pace && sink->pace(sink->arg, 0))
            return 1;
        from = b->rows[b->n - 1].seg.start_us + 1;
        (void)total;
    }
}

mm_err_t edge_scrub_footage(const edge_vault_t *v, int quick, const edge_scrub_sink_t *sink)
{
    cams_t c = {calloc(EDGE_STORE_CAMERAS_MAX, MM_ID_MAX), 0};
    batch_t *b = malloc(sizeof *b);
    mm_err_t err = c.names && b ? MM_OK : MM_ENOMEM;
    if (err == MM_OK)
        err = edge_store_cameras(edge_vault_store(v), take_camera, &c);
    for (size_t i = 0; err == MM_OK && i < c.n; i++)
        if (scrub_camera(v, c.names[i], quick, sink, b))
            break;
    free(c.names);
    free(b);
    return err;
}

/* --- the thread and the loop ------------------------------------------------------------------*/

struct edge_scrub {
    const edge_vault_t *v;
    edge_scrub_conf_t conf;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stop, started;
    uv_async_t async;
    mm_integrity_fault_t *queue;
    size_t n_queue;
    void (*kick)(void *arg);
    void *kick_arg;
};

static void mark_name(mm_integrity_t f, uint64_t index, char *out, size_t cap)
{
    snprintf(out, cap, "scrub/%s/%" PRIu64, mm_integrity_name(f), index);
}

int edge_scrub_known(edge_store_t *st, mm_integrity_t f, uint64_t index)
{
    char name[96], val[8];
    size_t len;
    mark_name(f, index, name, sizeof name);
    return edge_store_meta_get(st, name, val, sizeof val, &len) == MM_OK;
}

/* Sleeps until deadline (CLOCK_MONOTONIC) or a stop: 1 when stopped. */
static int sleep_until(edge_scrub_t *s, const struct timespec *deadline)
{
    pthread_mutex_lock(&s->lock);
    while (!s->stop && pthread_cond_timedwait(&s->cond, &s->lock, deadline) != ETIMEDOUT) {
    }
    int stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

static void after(struct timespec *t, int64_t us)
{
    clock_gettime(CLOCK_MONOTONIC, t);
    t->tv_sec += us / 1000000;
    t->tv_nsec += (us % 1000000) * 1000;
    if (t->tv_nsec >= 1000000000) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000;
    }
}

static int pace(void *arg, uint64_t b)
{
    edge_scrub_t *s = arg;
    struct timespec t;
    after(&t, (int64_t)(b * 1000000 / (uint64_t)s->conf.bytes_per_second));
    return sleep_until(s, &t);
}

/* On the scrub's thread: the fault waits for the loop. */
static void queue_fault(void *arg, const mm_integrity_fault_t *f)
{
    edge_scrub_t *s = arg;
    pthread_mutex_lock(&s->lock);
    if (s->n_queue < QUEUE_MAX)
        s->queue[s->n_queue++] = *f;
    pthread_mutex_unlock(&s->lock);
    uv_async_send(&s->async);
}

static void *run(void *arg)
{
    edge_scrub_t *s = arg;
    edge_scrub_sink_t sink = {queue_fault, pace, s};
    edge_store_t *st = edge_vault_store(s->v);
    int64_t t0 = mono_us();
    edge_scrub_log(st, 1, &sink);
    edge_scrub_footage(s->v, 1, &sink);
    MM_INFO("scrub: quick check done in %.1f s", (double)(mono_us() - t0) / 1e6);
    for (;;) {
        t0 = mono_us();
        mm_err_t e1 = edge_scrub_log(st, 0, &sink);
        mm_err_t e2 = edge_scrub_footage(s->v, 0, &sink);
        if (e1 != MM_OK || e2 != MM_OK)
            MM_WARN("scrub: a pass could not read the store: %s",
                    mm_strerror(e1 != MM_OK ? e1 : e2));
        MM_INFO("scrub: full pass done in %.1f s", (double)(mono_us() - t0) / 1e6);
        int64_t left = (int64_t)s->conf.period_seconds * 1000000 - (mono_us() - t0);
        struct timespec t;
        after(&t, left > 0 ? left : 0);
        if (sleep_until(s, &t))
            break;
    }
    return NULL;
}

static int row_exists(const edge_segment_row_t *row, void *arg)
{
    (void)row;
    *(int *)arg = 1;
    return 1;
}

/* On the loop: one fault logged, once (see scrub.h). */
static void log_fault(edge_scrub_t *s, const mm_integrity_fault_t *f)
{
    edge_store_t *st = edge_vault_store(s->v);
    if (edge_scrub_known(st, f->fault, f->index))
        return;
    if (f->camera[0]) {
        int there = 0;
        if (edge_store_segments(st, f->camera, f->start_us, f->start_us + 1, row_exists, &there) !=
                MM_OK ||
            !there)
            return; /* erased meanwhile: not a fault */
    }
    mm_entry_t *e = calloc(1, sizeof *e);
    if (!e)
        return;
    e->time_us = mm_now_us();
    e->kind = MM_ENTRY_INTEGRITY_FAULT;
    e->u.integrity_fault = *f;
    char name[96];
    mark_name(f->fault, f->index, name, sizeof name);
    uint64_t index = 0;
    mm_err_t err = edge_store_append_meta(st, e, name, "1", 1, &index);
    free(e);
    if (err != MM_OK) {
        MM_ERROR("scrub: cannot log %s: %s", mm_integrity_name(f->fault), mm_strerror(err));
        return;
    }
    MM_ERROR("scrub: %s (%s) -> log entry %" PRIu64, mm_integrity_name(f->fault), f->detail, index);
    if (s->kick)
        s->kick(s->kick_arg);
}

static void on_faults(uv_async_t *h)
{
    edge_scrub_t *s = h->data;
    mm_integrity_fault_t *q = malloc(QUEUE_MAX * sizeof *q);
    if (!q)
        return;
    pthread_mutex_lock(&s->lock);
    size_t n = s->n_queue;
    memcpy(q, s->queue, n * sizeof *q);
    s->n_queue = 0;
    pthread_mutex_unlock(&s->lock);
    for (size_t i = 0; i < n; i++)
        log_fault(s, &q[i]);
    free(q);
}

mm_err_t edge_scrub_start(uv_loop_t *loop, const edge_vault_t *v, const edge_scrub_conf_t *conf,
                          void (*kick)(void *arg), void *kick_arg, edge_scrub_t **out)
{
    edge_scrub_t *s = calloc(1, sizeof *s);
    if (!s || !(s->queue = calloc(QUEUE_MAX, sizeof *s->queue))) {
        free(s);
        return MM_ENOMEM;
    }
    s->v = v;
    s->conf = *conf;
    if (s->conf.bytes_per_second <= 0)
        s->conf.bytes_per_second = EDGE_SCRUB_BPS_DEFAULT;
    if (s->conf.period_seconds <= 0)
        s->conf.period_seconds = EDGE_SCRUB_PERIOD_DEFAULT;
    s->kick = kick;
    s->kick_arg = kick_arg;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    uv_async_init(loop, &s->async, on_faults);
    s->async.data = s;
    if (pthread_create(&s->thread, NULL, run, s) != 0) {
        MM_ERROR("scrub: cannot start its thread");
        edge_scrub_stop(s);
        return MM_EIO;
    }
    s->started = 1;
    MM_INFO("scrub: every %d s, at most %" PRId64 " bytes/s", s->conf.period_seconds,
            s->conf.bytes_per_second);
    *out = s;
    return MM_OK;
}

static void on_closed(uv_handle_t *h)
{
    edge_scrub_t *s = h->data;
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s->queue);
    free(s);
}

void edge_scrub_stop(edge_scrub_t *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    if (s->started)
        pthread_join(s->thread, NULL);
    uv_close((uv_handle_t *)&s->async, on_closed);
}
