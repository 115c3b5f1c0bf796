/*
 * disclosure.c: disclosure requests at the site (see disclosure.h).
 *
 * The record "disclosure/<id>" is the one truth about a request; each step is an entry written in
 * the same transaction as the record that says the step was taken. Holds are the exception: the
 * retention module places and releases them in transactions of their own, so the order is
 * chosen to make a stop harmless. Holds are placed before the "held" step (a stop in between
 * leaves holds and no record: the receipt is redone from the logged city request, and a hold
 * already there with the same camera and range counts as placed); a denial, an expiry and the
 * manager's release of a delivered request are logged before the holds are released (a stop in
 * between leaves a closed request with holds: the next start releases them). Nothing is ever
 * approved without its holds, and an approved request keeps them until the manager releases
 * them: only a person can say that the inquiry no longer needs the footage.
 *
 * The export is the one slow step. It runs on a libuv worker thread, one at a time (export.c
 * streams through static buffers, and one export at a time is what a small box can afford),
 * into <exports_dir>/<id>.age.tmp, synced and renamed; its SHA-256 and size are taken in the
 * sink as the bytes go by. The worker only reads: the store through LMDB read transactions of
 * its own (the environment is MDB_NOTLS, as for playback threads), the keyring (thread-safe),
 * the segment files (kept by the request's holds, which retention never erases). Its result is
 * logged on the loop thread, the store's only writer. A stop asks the worker to give up at the
 * next bytes it writes; the request stays approved and is exported again at the next start.
 *
 * The exports directory holds clear footage only while export.c remuxes it; anything a stop
 * left there that is not a ciphertext still to be sent is removed at start.
 */
#include "edge/disclosure.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/age.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/entry.h"
#include "common/files.h"
#include "common/utf8.h"
#include "edge/export.h"
#include "edge/governance.h"
#include "edge/redact.h"
#include "edge/requests.h"
#include "edge/retention.h"
#include "edge/siteconf.h"

#define PREFIX "disclosure/"
#define KEY_MAX (sizeof PREFIX + MM_ID_MAX)
#define RECORD_MAX (1 << 20)
#define CAMS_MAX MM_REQUEST_CAMERAS_MAX
#define SWEEP_MS 10000

/* Cameras and a range: what a request names, a preparation chose, an approval covers. */
typedef struct {
    size_t n;
    char cam[CAMS_MAX][MM_ID_MAX];
    int64_t from_us, to_us;
} sel_t;

typedef struct {
    char by[MM_ID_MAX];
    int64_t time_us;
    sel_t sel;
    char note[MM_LONG_TEXT_MAX];
} prep_t;

typedef struct {
    char camera[MM_ID_MAX];
    double x, y, w, h;
} region_t;

/* A request and everything that happened to it, as kept in "disclosure/<id>". */
typedef struct {
    mm_city_request_t q; /* as received; kind "disclosure" */
    mm_disclosure_step_t state;
    int64_t received_us, updated_us;
    char refusal[MM_LONG_TEXT_MAX];
    size_t n_holds; /* holds placed: one per camera of the request, or none */
    size_t n_preps;
    prep_t preps[EDGE_DISCLOSURE_PREPS_MAX];
    char decision[16]; /* "" none, "approved", "denied", "expired" */
    char decided_by[MM_ID_MAX];
    int64_t decided_us;
    char decision_reason[MM_LONG_TEXT_MAX];
    sel_t approved; /* the decision's cameras and range */
    size_t n_regions;
    region_t regions[EDGE_DISCLOSURE_REGIONS_MAX];
    uint32_t attempts;
    char failure[MM_LONG_TEXT_MAX];
    int exported;
    uint8_t sha256[32], manifest_sha256[32];
    uint64_t bytes;
    int64_t exported_us, delivered_us, downloaded_us;
    int64_t released_us; /* 0: the holds are not released by the manager */
    char released_by[MM_ID_MAX];
    char release_reason[MM_LONG_TEXT_MAX];
} rec_t;

/* An export being built on the worker thread. */
typedef struct {
    uv_work_t req;
    edge_disclosure_t *d;
    char id[MM_ID_MAX];
    char basis[16], reference[MM_TEXT_MAX], requester[MM_ID_MAX];
    char reason[MM_REQUEST_TEXT_MAX];
    char recipient[sizeof(((mm_city_request_t *)0)->recipient)];
    char statement[MM_STATEMENT_MAX]; /* the request as the hub signed it, for the manifest */
    uint8_t hub_signature[64];
    sel_t sel;
    const char *cams[CAMS_MAX];
    region_t keep[EDGE_DISCLOSURE_REGIONS_MAX]; /* own images: the regions kept clear */
    edge_export_region_t regions[EDGE_DISCLOSURE_REGIONS_MAX];
    edge_export_req_t r;
    char path[PATH_MAX], tmp[PATH_MAX];
    int fd;
    mm_sha256_ctx_t *sha;
    uint64_t bytes;
    int sink_errno;
    mm_err_t err;
    char what[MM_TEXT_MAX];
    uint8_t digest[32];
    edge_export_report_t rep;
} job_t;

struct edge_disclosure {
    edge_disclosure_conf_t conf;
    char cameras[EDGE_MAX_CAMERAS][MM_ID_MAX];
    size_t n_cameras;
    uint8_t hub_pub[MM_ED25519_PUB_LEN];
    char *exports_dir;
    uv_timer_t timer;
    int timer_open;
    job_t *job;
    atomic_int cancel; /* the worker gives up: the edge is stopping */
    int catch_up;      /* receipts to finish from the logged city requests */
    int closing;
    void (*done)(void *);
    void *done_arg;
};

/* --- small helpers ---------------------------------------------------------------------------*/

/* Copies src into dst (cap bytes), cut at a character boundary when it does not fit. */
static void put(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = 0;
}

static void fmt_time(int64_t us, char *buf, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void record_key(const char *id, char key[KEY_MAX])
{
    snprintf(key, KEY_MAX, PREFIX "%s", id);
}

/*
 * The hold of the request's camera i: "dsc.<id>.<i>". The last dot ends the id, so no two
 * requests share a hold id. An id too long for that is replaced by 32 hex digits of its SHA-256.
 */
static void hold_id(const char *id, size_t i, char out[MM_ID_MAX])
{
    int n = snprintf(out, MM_ID_MAX, "dsc.%s.%zu", id, i);
    if (n < 0 || n >= MM_ID_MAX || !mm_id_ok(out)) {
        uint8_t h[MM_SHA256_LEN];
        char hex[33];
        mm_sha256(id, strlen(id), h);
        mm_hex_encode(h, 16, hex, sizeof hex);
        snprintf(out, MM_ID_MAX, "dsc.%s.%zu", hex, i);
    }
}

static int undecided(const rec_t *r)
{
    return r->state == MM_DISCLOSURE_STEP_HELD || r->state == MM_DISCLOSURE_STEP_PREPARED;
}

/* Waiting for the manager: to decide, or to approve again after a failure. */
static int waiting(const rec_t *r)
{
    return undecided(r) || r->state == MM_DISCLOSURE_STEP_FAILED;
}

static int due(const rec_t *r, int64_t now_us)
{
    return undecided(r) && r->q.deadline_us > 0 && now_us >= r->q.deadline_us;
}

/* Closed with its holds released (or to be released, after a stop): denied, expired, released. */
static int closed(const rec_t *r)
{
    return r->state == MM_DISCLOSURE_STEP_DENIED || r->state == MM_DISCLOSURE_STEP_EXPIRED ||
           r->state == MM_DISCLOSURE_STEP_RELEASED;
}

static void request_sel(const rec_t *r, sel_t *s)
{
    memset(s, 0, sizeof *s);
    s->n = r->q.n_cameras;
    for (size_t i = 0; i < s->n; i++)
        put(s->cam[i], sizeof s->cam[i], r->q.cameras[i]);
    s->from_us = r->q.from_us;
    s->to_us = r->q.to_us;
}

/* What an approval now would export: the last preparation, else the request. */
static const sel_t *current_sel(const rec_t *r, sel_t *scratch)
{
    if (r->n_preps)
        return &r->preps[r->n_preps - 1].sel;
    request_sel(r, scratch);
    return scratch;
}

static void join_cams(const sel_t *s, char *out, size_t cap)
{
    size_t at = 0;
    out[0] = 0;
    for (size_t i = 0; i < s->n; i++) {
        int n = snprintf(out + at, cap - at, "%s%s", i ? "," : "", s->cam[i]);
        if (n < 0 || (size_t)n >= cap - at)
            break;
        at += (size_t)n;
    }
}

static int sel_has(const sel_t *s, const char *camera)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->cam[i], camera) == 0)
            return 1;
    return 0;
}

/* --- the record as JSON ----------------------------------------------------------------------*/

static json_t *cams_json(const sel_t *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->n; i++)
        json_array_append_new(a, json_string(s->cam[i]));
    return a;
}

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char hex[2 * 32 + 1];
    mm_hex_encode(p, n, hex, sizeof hex);
    return json_string(hex);
}

static json_t *regions_json(const rec_t *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->n_regions; i++) {
        const region_t *g = &r->regions[i];
        json_array_append_new(a, json_pack("{s:s, s:f, s:f, s:f, s:f}", "camera", g->camera, "x",
                                           g->x, "y", g->y, "w", g->w, "h", g->h));
    }
    return a;
}

/* The record; shown adds what the control socket shows besides. NULL when out of memory. */
static json_t *rec_json(const rec_t *r, int shown)
{
    const mm_city_request_t *q = &r->q;
    sel_t req;
    request_sel(r, &req);
    json_t *holds = json_array();
    for (size_t i = 0; holds && i < r->n_holds; i++) {
        char h[MM_ID_MAX];
        hold_id(q->id, i, h);
        json_array_append_new(holds, json_string(h));
    }
    json_t *preps = json_array();
    for (size_t i = 0; preps && i < r->n_preps; i++) {
        const prep_t *p = &r->preps[i];
        json_array_append_new(preps,
                              json_pack("{s:s, s:I, s:o, s:I, s:I, s:s}", "by", p->by, "time_us",
                                        (json_int_t)p->time_us, "cameras", cams_json(&p->sel),
                                        "from_us", (json_int_t)p->sel.from_us, "to_us",
                                        (json_int_t)p->sel.to_us, "note", p->note));
    }
    json_t *decision =
        r->decision[0] ? json_pack("{s:s, s:s, s:I, s:s, s:o, s:I, s:I, s:o}", "state", r->decision,
                                   "by", r->decided_by, "time_us", (json_int_t)r->decided_us,
                                   "reason", r->decision_reason, "cameras", cams_json(&r->approved),
                                   "from_us", (json_int_t)r->approved.from_us, "to_us",
                                   (json_int_t)r->approved.to_us, "regions", regions_json(r))
                       : json_null();
    json_t *exp = r->exported ? json_pack("{s:o, s:I, s:o, s:I, s:I}", "sha256",
                                          hex_json(r->sha256, 32), "bytes", (json_int_t)r->bytes,
                                          "manifest_sha256", hex_json(r->manifest_sha256, 32),
                                          "exported_us", (json_int_t)r->exported_us, "delivered_us",
                                          (json_int_t)r->delivered_us)
                              : json_null();
    json_t *rel = r->released_us
                      ? json_pack("{s:s, s:I, s:s}", "by", r->released_by, "time_us",
                                  (json_int_t)r->released_us, "reason", r->release_reason)
                      : json_null();
    char sig[2 * sizeof q->signature + 1] = "";
    if (q->has_signature)
        mm_hex_encode(q->signature, sizeof q->signature, sig, sizeof sig);
    json_t *j = json_object();
    if (!j || !holds || !preps || !decision || !exp || !rel) {
        json_decref(j);
        json_decref(holds);
        json_decref(preps);
        json_decref(decision);
        json_decref(exp);
        json_decref(rel);
        return NULL;
    }
    /* Keys go out in the order they are set. */
    int bad = 0;
    bad |= json_object_set_new(j, "id", json_string(q->id));
    bad |= json_object_set_new(j, "state", json_string(mm_disclosure_step_name(r->state)));
    bad |= json_object_set_new(j, "legal_basis", json_string(mm_legal_basis_name(q->legal_basis)));
    bad |= json_object_set_new(j, "reference", json_string(q->reference));
    bad |= json_object_set_new(j, "requester", json_string(q->requester));
    bad |= json_object_set_new(j, "recipient", json_string(q->recipient));
    bad |= json_object_set_new(j, "cameras", cams_json(&req));
    bad |= json_object_set_new(j, "from_us", json_integer(q->from_us));
    bad |= json_object_set_new(j, "to_us", json_integer(q->to_us));
    bad |= json_object_set_new(j, "reason", json_string(q->text));
    bad |= json_object_set_new(j, "time_us", json_integer(q->time_us));
    bad |= json_object_set_new(j, "deadline_us", json_integer(q->deadline_us));
    bad |= json_object_set_new(j, "signature", json_string(sig));
    bad |= json_object_set_new(j, "received_us", json_integer(r->received_us));
    bad |= json_object_set_new(j, "updated_us", json_integer(r->updated_us));
    bad |= json_object_set_new(j, "holds", holds);
    bad |= json_object_set_new(j, "refusal", json_string(r->refusal));
    bad |= json_object_set_new(j, "preparations", preps);
    bad |= json_object_set_new(j, "decision", decision);
    bad |= json_object_set_new(j, "attempts", json_integer(r->attempts));
    bad |= json_object_set_new(j, "failure", json_string(r->failure));
    bad |= json_object_set_new(j, "export", exp);
    bad |= json_object_set_new(j, "downloaded_us", json_integer(r->downloaded_us));
    bad |= json_object_set_new(j, "release", rel);
    if (shown) {
        sel_t scratch;
        const sel_t *s = current_sel(r, &scratch);
        const char *wait = waiting(r)                                ? "manager"
                           : r->state == MM_DISCLOSURE_STEP_APPROVED ? "export"
                           : r->state == MM_DISCLOSURE_STEP_EXPORTED ? "hub"
                                                                     : "";
        bad |=
            json_object_set_new(j, "selection",
                                json_pack("{s:o, s:I, s:I}", "cameras", cams_json(s), "from_us",
                                          (json_int_t)s->from_us, "to_us", (json_int_t)s->to_us));
        bad |= json_object_set_new(j, "waiting_for", json_string(wait));
    }
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* Reads a string member into dst; -1 when missing, not a string, too long or not UTF-8. */
static int get_str(json_t *o, const char *key, char *dst, size_t cap, int nonempty)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n >= cap || strlen(s) != n || (nonempty && !n) || !mm_utf8_valid(s, n))
        return -1;
    memcpy(dst, s, n + 1);
    return 0;
}

static int get_int(json_t *o, const char *key, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        return -1;
    *out = json_integer_value(v);
    return 0;
}

static int get_hex(json_t *o, const char *key, uint8_t *out, size_t n)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) && json_string_length(v) == 2 * n &&
                   mm_hex_decode(json_string_value(v), 2 * n, out, n) == (int)n
               ? 0
               : -1;
}

static int get_sel(json_t *o, sel_t *s)
{
    memset(s, 0, sizeof *s);
    json_t *a = json_object_get(o, "cameras");
    if (!json_is_array(a) || json_array_size(a) > CAMS_MAX || get_int(o, "from_us", &s->from_us) ||
        get_int(o, "to_us", &s->to_us))
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *c = json_array_get(a, i);
        if (!json_is_string(c) || json_string_length(c) >= MM_ID_MAX ||
            !mm_utf8_valid(json_string_value(c), json_string_length(c)))
            return -1;
        put(s->cam[i], sizeof s->cam[i], json_string_value(c));
    }
    s->n = json_array_size(a);
    return 0;
}

static mm_err_t rec_parse(const void *buf, size_t len, rec_t *r)
{
    memset(r, 0, sizeof *r);
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
    mm_city_request_t *q = &r->q;
    char state[16], basis[16], sig[2 * sizeof q->signature + 1];
    sel_t req;
    int64_t attempts = 0;
    json_t *holds = json_object_get(j, "holds"), *preps = json_object_get(j, "preparations"),
           *dec = json_object_get(j, "decision"), *exp = json_object_get(j, "export"),
           *rel = json_object_get(j, "release");
    int bad =
        !json_is_object(j) || get_str(j, "id", q->id, sizeof q->id, 1) ||
        get_str(j, "state", state, sizeof state, 1) ||
        !mm_disclosure_step_parse(state, &r->state) ||
        get_str(j, "legal_basis", basis, sizeof basis, 0) ||
        !mm_legal_basis_parse(basis, &q->legal_basis) ||
        get_str(j, "reference", q->reference, sizeof q->reference, 0) ||
        get_str(j, "requester", q->requester, sizeof q->requester, 0) ||
        get_str(j, "recipient", q->recipient, sizeof q->recipient, 0) || get_sel(j, &req) ||
        get_str(j, "reason", q->text, sizeof q->text, 0) || get_int(j, "time_us", &q->time_us) ||
        get_int(j, "deadline_us", &q->deadline_us) || get_str(j, "signature", sig, sizeof sig, 0) ||
        get_int(j, "received_us", &r->received_us) || get_int(j, "updated_us", &r->updated_us) ||
        !json_is_array(holds) || json_array_size(holds) > CAMS_MAX ||
        get_str(j, "refusal", r->refusal, sizeof r->refusal, 0) || !json_is_array(preps) ||
        json_array_size(preps) > EDGE_DISCLOSURE_PREPS_MAX ||
        !(json_is_null(dec) || json_is_object(dec)) || get_int(j, "attempts", &attempts) ||
        attempts < 0 || attempts > UINT32_MAX ||
        get_str(j, "failure", r->failure, sizeof r->failure, 0) ||
        !(json_is_null(exp) || json_is_object(exp)) ||
        get_int(j, "downloaded_us", &r->downloaded_us) ||
        !(!rel || json_is_null(rel) || json_is_object(rel)); /* none in older records */
    if (!bad) {
        q->kind = MM_REQUEST_KIND_DISCLOSURE;
        q->n_cameras = req.n;
        for (size_t i = 0; i < req.n; i++)
            put(q->cameras[i], sizeof q->cameras[i], req.cam[i]);
        q->from_us = req.from_us;
        q->to_us = req.to_us;
        q->has_signature = sig[0] != 0;
        bad = sig[0] && mm_hex_decode(sig, strlen(sig), q->signature, sizeof q->signature) !=
                            (int)sizeof q->signature;
        r->n_holds = json_array_size(holds);
        r->attempts = (uint32_t)attempts;
    }
    for (size_t i = 0; !bad && i < json_array_size(preps); i++) {
        json_t *p = json_array_get(preps, i);
        prep_t *pp = &r->preps[i];
        bad = !json_is_object(p) || get_str(p, "by", pp->by, sizeof pp->by, 1) ||
              get_int(p, "time_us", &pp->time_us) || get_sel(p, &pp->sel) ||
              get_str(p, "note", pp->note, sizeof pp->note, 0);
        r->n_preps = i + 1;
    }
    if (!bad && json_is_object(dec)) {
        json_t *regs = json_object_get(dec, "regions");
        bad = get_str(dec, "state", r->decision, sizeof r->decision, 1) ||
              get_str(dec, "by", r->decided_by, sizeof r->decided_by, 0) ||
              get_int(dec, "time_us", &r->decided_us) ||
              get_str(dec, "reason", r->decision_reason, sizeof r->decision_reason, 0) ||
              get_sel(dec, &r->approved) || !json_is_array(regs) ||
              json_array_size(regs) > EDGE_DISCLOSURE_REGIONS_MAX;
        for (size_t i = 0; !bad && i < json_array_size(regs); i++) {
            json_t *g = json_array_get(regs, i);
            region_t *rg = &r->regions[i];
            bad = !json_is_object(g) || get_str(g, "camera", rg->camera, sizeof rg->camera, 1) ||
                  !json_is_number(json_object_get(g, "x")) ||
                  !json_is_number(json_object_get(g, "y")) ||
                  !json_is_number(json_object_get(g, "w")) ||
                  !json_is_number(json_object_get(g, "h"));
            if (!bad) {
                rg->x = json_number_value(json_object_get(g, "x"));
                rg->y = json_number_value(json_object_get(g, "y"));
                rg->w = json_number_value(json_object_get(g, "w"));
                rg->h = json_number_value(json_object_get(g, "h"));
            }
            r->n_regions = i + 1;
        }
    }
    if (!bad && json_is_object(exp)) {
        int64_t bytes = 0;
        r->exported = 1;
        bad = get_hex(exp, "sha256", r->sha256, 32) || get_int(exp, "bytes", &bytes) || bytes < 0 ||
              get_hex(exp, "manifest_sha256", r->manifest_sha256, 32) ||
              get_int(exp, "exported_us", &r->exported_us) ||
              get_int(exp, "delivered_us", &r->delivered_us);
        r->bytes = (uint64_t)bytes;
    }
    if (!bad && json_is_object(rel))
        bad = get_str(rel, "by", r->released_by, sizeof r->released_by, 1) ||
              get_int(rel, "time_us", &r->released_us) || r->released_us <= 0 ||
              get_str(rel, "reason", r->release_reason, sizeof r->release_reason, 1);
    json_decref(j);
    return bad ? MM_ECORRUPT : MM_OK;
}

/* MM_OK with *r, MM_ENOTFOUND, MM_ECORRUPT (named in the log), MM_ENOMEM, store errors. */
static mm_err_t rec_load(edge_disclosure_t *d, const char *id, rec_t *r)
{
    if (!id || !mm_utf8_field_ok(id, MM_ID_MAX, 1))
        return MM_ENOTFOUND;
    char key[KEY_MAX];
    record_key(id, key);
    char *buf = malloc(RECORD_MAX);
    if (!buf)
        return MM_ENOMEM;
    size_t len = 0;
    mm_err_t err = edge_store_meta_get(d->conf.store, key, buf, RECORD_MAX, &len);
    if (err == MM_ERANGE)
        err = MM_ECORRUPT;
    if (err == MM_OK)
        err = rec_parse(buf, len, r);
    if (err == MM_ECORRUPT)
        MM_ERROR("the store's record of disclosure request %s is damaged", id);
    free(buf);
    return err;
}

/* --- steps -----------------------------------------------------------------------------------*/

typedef struct {
    const char *by;
    const sel_t *sel; /* NULL: the request's */
    const char *text;
    const char *regions; /* JSON array, or NULL */
} step_t;

/*
 * Logs step of r (a disclosure entry from s) and stores r, updated at now_us, in one
 * transaction. r->state must already say where the step leads.
 */
static mm_err_t log_step(edge_disclosure_t *d, rec_t *r, mm_disclosure_step_t step, const step_t *s,
                         int64_t now_us)
{
    mm_entry_t *e = calloc(1, sizeof *e);
    if (!e)
        return MM_ENOMEM;
    e->time_us = now_us;
    e->kind = MM_ENTRY_DISCLOSURE;
    mm_disclosure_t *x = &e->u.disclosure;
    const mm_city_request_t *q = &r->q;
    sel_t req;
    if (!s->sel)
        request_sel(r, &req);
    const sel_t *sel = s->sel ? s->sel : &req;
    put(x->request, sizeof x->request, q->id);
    x->step = step;
    put(x->by, sizeof x->by, s->by ? s->by : "");
    join_cams(sel, x->cameras, sizeof x->cameras);
    x->from_us = sel->from_us;
    x->to_us = sel->to_us;
    x->legal_basis = q->legal_basis;
    if (step == MM_DISCLOSURE_STEP_HELD || step == MM_DISCLOSURE_STEP_REFUSED) {
        put(x->reference, sizeof x->reference, q->reference);
        put(x->requester, sizeof x->requester, q->requester);
    }
    put(x->text, sizeof x->text, s->text ? s->text : "");
    put(x->regions, sizeof x->regions, s->regions ? s->regions : "");
    if (step == MM_DISCLOSURE_STEP_EXPORTED) {
        x->has_sha256 = 1;
        x->has_manifest_sha256 = 1;
        memcpy(x->sha256, r->sha256, 32);
        memcpy(x->manifest_sha256, r->manifest_sha256, 32);
        x->bytes = r->bytes;
    }
    r->updated_us = now_us;
    char key[KEY_MAX];
    record_key(q->id, key);
    json_t *j = rec_json(r, 0);
    char *val = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    mm_err_t err =
        val ? edge_store_append_meta(d->conf.store, e, key, val, strlen(val), NULL) : MM_ENOMEM;
    free(val);
    free(e);
    if (err != MM_OK) {
        MM_ERROR("disclosure %s: cannot log step %s: %s", q->id, mm_disclosure_step_name(step),
                 mm_strerror(err));
        return err;
    }
    MM_INFO("disclosure %s: %s%s%s%s%s", q->id, mm_disclosure_step_name(step),
            s->by && *s->by ? " by " : "", s->by ? s->by : "", s->text && *s->text ? ": " : "",
            s->text ? s->text : "");
    if (d->conf.logged)
        d->conf.logged(d->conf.arg);
    return MM_OK;
}

/* Releases what is left of r's holds; a hold already gone is fine. */
static mm_err_t release_holds(edge_disclosure_t *d, const rec_t *r, const char *why, int64_t now_us)
{
    char reason[MM_TEXT_MAX];
    snprintf(reason, sizeof reason, "disclosure request %.63s %s", r->q.id, why);
    mm_err_t first = MM_OK;
    for (size_t i = 0; i < r->n_holds; i++) {
        char h[MM_ID_MAX];
        hold_id(r->q.id, i, h);
        edge_retention_report_t rep;
        mm_err_t err = edge_retention_release_hold(d->conf.vault, h, reason, now_us, &rep);
        if (err == MM_ENOTFOUND)
            continue;
        if (err != MM_OK)
            MM_ERROR("disclosure %s: cannot release hold %s: %s", r->q.id, h, mm_strerror(err));
        else if (d->conf.logged)
            d->conf.logged(d->conf.arg);
        if (first == MM_OK)
            first = err;
    }
    return first;
}

static mm_err_t expire(edge_disclosure_t *d, rec_t *r, int64_t now_us)
{
    char when[40], text[128];
    fmt_time(r->q.deadline_us, when, sizeof when);
    snprintf(text, sizeof text, "not decided by its deadline, %s", when);
    mm_disclosure_step_t was = r->state;
    r->state = MM_DISCLOSURE_STEP_EXPIRED;
    snprintf(r->decision, sizeof r->decision, "expired");
    r->decided_by[0] = 0;
    r->decided_us = now_us;
    put(r->decision_reason, sizeof r->decision_reason, text);
    request_sel(r, &r->approved);
    r->n_regions = 0;
    step_t s = {.text = text};
    mm_err_t err = log_step(d, r, MM_DISCLOSURE_STEP_EXPIRED, &s, now_us);
    if (err != MM_OK) {
        r->state = was;
        r->decision[0] = 0;
        return err;
    }
    release_holds(d, r, "expired", now_us);
    return MM_OK;
}

/* --- receipt ---------------------------------------------------------------------------------*/

/* Why a request cannot be held, into why (cap bytes); 0 when it can. */
static int check_request(edge_disclosure_t *d, const mm_city_request_t *q, char *why, size_t cap)
{
    /* The signature first: nothing else of an unsigned request is worth reading. */
    char *stmt = malloc(MM_STATEMENT_MAX);
    size_t len = 0;
    if (!stmt) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    mm_err_t err = mm_disclosure_statement(q, d->conf.site, stmt, MM_STATEMENT_MAX, &len);
    if (!q->has_signature)
        snprintf(why, cap, "the request carries no signature of the hub");
    else if (err != MM_OK)
        snprintf(why, cap, "the request's statement cannot be made (%s)", mm_strerror(err));
    else if (mm_ed25519_verify(d->hub_pub, stmt, len, q->signature) != MM_OK)
        snprintf(why, cap, "the hub's signature does not verify");
    else
        why[0] = 0;
    free(stmt);
    if (why[0])
        return -1;
    if (!mm_id_ok(q->id)) {
        snprintf(why, cap,
                 "the request id is not one the site can use (1-63 of A-Z a-z 0-9 . _ -)");
        return -1;
    }
    if (q->legal_basis == MM_LEGAL_BASIS_NONE || !mm_legal_basis_name(q->legal_basis)) {
        snprintf(why, cap, "the legal basis is none of consent, law, emergency, own_images");
        return -1;
    }
    if (q->n_cameras == 0 || q->n_cameras > CAMS_MAX) {
        snprintf(why, cap, "the request names %zu cameras (1 to %d)", q->n_cameras, CAMS_MAX);
        return -1;
    }
    for (size_t i = 0; i < q->n_cameras; i++) {
        size_t k = 0;
        while (k < d->n_cameras && strcmp(d->cameras[k], q->cameras[i]) != 0)
            k++;
        if (k == d->n_cameras) {
            snprintf(why, cap, "this site has no camera %.63s", q->cameras[i]);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(q->cameras[j], q->cameras[i]) == 0) {
                snprintf(why, cap, "camera %.63s is named twice", q->cameras[i]);
                return -1;
            }
    }
    if (q->from_us >= q->to_us || q->from_us < 0) {
        snprintf(why, cap,
                 "the range is empty or runs backwards (from_us %" PRId64 ", to_us %" PRId64 ")",
                 q->from_us, q->to_us);
        return -1;
    }
    uint8_t pub[32];
    if (mm_age_recipient_parse(q->recipient, pub) != MM_OK) {
        snprintf(why, cap, "the recipient is not an age X25519 recipient (age1...)");
        return -1;
    }
    return 0;
}

/* Places the hold of camera i, or recognises it from an earlier attempt. */
static mm_err_t place_hold(edge_disclosure_t *d, const mm_city_request_t *q, size_t i,
                           int64_t now_us)
{
    char h[MM_ID_MAX], reason[MM_TEXT_MAX];
    hold_id(q->id, i, h);
    char full[MM_TEXT_MAX + 512];
    snprintf(full, sizeof full, "disclosure request %s (%s%s%s)", q->id,
             mm_legal_basis_name(q->legal_basis), q->reference[0] ? ": " : "", q->reference);
    put(reason, sizeof reason, full);
    mm_err_t err = edge_vault_hold_place(d->conf.vault, h, q->cameras[i], q->from_us, q->to_us,
                                         reason, now_us);
    if (err == MM_EEXIST) {
        edge_hold_row_t row;
        err = edge_vault_hold_get(d->conf.vault, h, &row);
        if (err == MM_OK && (strcmp(row.camera, q->cameras[i]) != 0 || row.start_us != q->from_us ||
                             row.end_us != q->to_us)) {
            MM_ERROR("disclosure %s: hold %s exists for something else", q->id, h);
            err = MM_ECONFLICT;
        }
    }
    if (err == MM_OK && d->conf.logged)
        d->conf.logged(d->conf.arg);
    return err;
}

static mm_err_t receipt(edge_disclosure_t *d, const mm_city_request_t *q, int64_t now_us)
{
    rec_t *r = calloc(1, sizeof *r);
    if (!r)
        return MM_ENOMEM;
    mm_err_t err = rec_load(d, q->id, r);
    if (err != MM_ENOTFOUND) {
        free(r);
        return err; /* handled before (MM_OK), or the record cannot be read */
    }
    err = MM_OK;
    memset(r, 0, sizeof *r);
    r->q = *q;
    r->received_us = now_us;
    char why[MM_TEXT_MAX];
    if (check_request(d, q, why, sizeof why) != 0) {
        r->state = MM_DISCLOSURE_STEP_REFUSED;
        put(r->refusal, sizeof r->refusal, why);
        step_t s = {.text = why};
        err = log_step(d, r, MM_DISCLOSURE_STEP_REFUSED, &s, now_us);
        MM_WARN("disclosure %s refused: %s", q->id, why);
        free(r);
        return err;
    }
    for (size_t i = 0; err == MM_OK && i < q->n_cameras; i++)
        err = place_hold(d, q, i, now_us);
    if (err == MM_OK) {
        r->n_holds = q->n_cameras;
        r->state = MM_DISCLOSURE_STEP_HELD;
        step_t s = {.text = q->text};
        err = log_step(d, r, MM_DISCLOSURE_STEP_HELD, &s, now_us);
    }
    if (err != MM_OK)
        MM_ERROR("disclosure %s: the receipt is not finished (%s); it is tried again", q->id,
                 mm_strerror(err));
    else
        MM_WARN("disclosure request %s (%s) held on %zu camera(s); the manager decides it "
                "(mimamori-edge disclosures)",
                q->id, mm_legal_basis_name(q->legal_basis), q->n_cameras);
    free(r);
    return err;
}

static mm_err_t downloaded(edge_disclosure_t *d, const mm_city_request_t *q, int64_t now_us)
{
    rec_t *r = calloc(1, sizeof *r);
    if (!r)
        return MM_ENOMEM;
    mm_err_t err = rec_load(d, q->disclosure, r);
    if (err == MM_ENOTFOUND)
        MM_WARN("city request %s: the hub says disclosure %s was downloaded, but the site has no "
                "such request",
                q->id, q->disclosure);
    if (err == MM_OK && !r->downloaded_us) {
        char when[40], text[128];
        fmt_time(q->time_us, when, sizeof when);
        snprintf(text, sizeof text, "the requester downloaded the export from the hub at %s", when);
        mm_disclosure_step_t was = r->state;
        r->downloaded_us = now_us;
        if (r->state == MM_DISCLOSURE_STEP_DELIVERED)
            r->state = MM_DISCLOSURE_STEP_DOWNLOADED;
        const sel_t *sel = r->decision[0] ? &r->approved : NULL;
        step_t s = {.sel = sel, .text = text};
        err = log_step(d, r, MM_DISCLOSURE_STEP_DOWNLOADED, &s, now_us);
        if (err != MM_OK)
            r->state = was;
    }
    free(r);
    return err;
}

mm_err_t edge_disclosure_receive(edge_disclosure_t *d, const mm_city_request_t *q, int64_t now_us)
{
    mm_err_t err;
    if (q->kind == MM_REQUEST_KIND_DISCLOSURE)
        err = receipt(d, q, now_us);
    else if (q->kind == MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED)
        err = downloaded(d, q, now_us);
    else
        return MM_EINVAL;
    if (err != MM_OK && err != MM_ENOTFOUND)
        d->catch_up = 1;
    return err;
}

/* --- export ----------------------------------------------------------------------------------*/

static int sink(void *arg, const uint8_t *data, size_t len)
{
    job_t *j = arg;
    if (atomic_load(&j->d->cancel))
        return -1;
    mm_sha256_update(j->sha, data, len);
    j->bytes += len;
    while (len) {
        ssize_t w = write(j->fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            j->sink_errno = w < 0 ? errno : EIO;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

static const char *export_why(mm_err_t err)
{
    switch (err) {
    case MM_ENOTFOUND:
        return "a camera has no footage in the range";
    case MM_EERASED:
        return "footage in the range is erased";
    case MM_EVERIFY:
    case MM_ECORRUPT:
        return "a segment does not verify (nothing unverified leaves the site)";
    case MM_EMEDIA:
        return "the footage could not be remuxed";
    case MM_EINVAL:
        return "the export does not take the request";
    case MM_EFULL:
        return "the disk is full";
    default:
        return mm_strerror(err);
    }
}

/* Worker thread: builds the export into its temporary file, syncs it and puts it in place. */
static void export_work(uv_work_t *req)
{
    job_t *j = req->data;
    edge_disclosure_t *d = j->d;
    j->fd = open(j->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (j->fd < 0) {
        j->err = errno == ENOSPC ? MM_EFULL : MM_EIO;
        snprintf(j->what, sizeof j->what, "cannot create %.200s: %s", j->tmp, strerror(errno));
        return;
    }
    if (mm_sha256_create(&j->sha) != MM_OK) {
        j->err = MM_ENOMEM;
    } else {
        j->err = edge_export_build(d->conf.vault, d->conf.site_key, d->exports_dir, &j->r, sink, j,
                                   &j->rep);
        mm_sha256_final(j->sha, j->digest);
        mm_sha256_destroy(j->sha);
        j->sha = NULL;
    }
    if (j->err == MM_OK && fsync(j->fd) != 0) {
        j->err = errno == ENOSPC ? MM_EFULL : MM_EIO;
        snprintf(j->what, sizeof j->what, "cannot sync %.200s: %s", j->tmp, strerror(errno));
    }
    if (close(j->fd) != 0 && j->err == MM_OK) {
        j->err = MM_EIO;
        snprintf(j->what, sizeof j->what, "cannot close %.200s: %s", j->tmp, strerror(errno));
    }
    j->fd = -1;
    if (j->err == MM_OK && rename(j->tmp, j->path) != 0) {
        j->err = MM_EIO;
        snprintf(j->what, sizeof j->what, "cannot rename %.200s: %s", j->tmp, strerror(errno));
    }
    if (j->err == MM_OK) {
        mm_dir_sync(d->exports_dir); /* best effort: the export is complete either way */
        return;
    }
    unlink(j->tmp);
    if (!j->what[0]) {
        if (j->sink_errno)
            snprintf(j->what, sizeof j->what, "writing the export failed: %s",
                     strerror(j->sink_errno));
        else
            snprintf(j->what, sizeof j->what, "%s", export_why(j->err));
    }
    if (j->sink_errno == ENOSPC)
        j->err = MM_EFULL;
}

static void export_kick(edge_disclosure_t *d);

/* Loop thread: the export is built, or failed. */
static void export_done(uv_work_t *req, int status)
{
    job_t *j = req->data;
    edge_disclosure_t *d = j->d;
    d->job = NULL;
    int64_t now = mm_now_us();
    rec_t *r = calloc(1, sizeof *r);
    mm_err_t err = r ? rec_load(d, j->id, r) : MM_ENOMEM;
    if (status == UV_ECANCELED || (atomic_load(&d->cancel) && j->err != MM_OK)) {
        MM_INFO("disclosure %s: the export was stopped with the edge; it is made again at the "
                "next start",
                j->id);
        unlink(j->tmp);
    } else if (err != MM_OK || r->state != MM_DISCLOSURE_STEP_APPROVED) {
        MM_ERROR("disclosure %s: the export ended but the request is %s; its file is removed",
                 j->id, err != MM_OK ? mm_strerror(err) : mm_disclosure_step_name(r->state));
        unlink(j->path);
    } else if (j->err == MM_OK) {
        r->state = MM_DISCLOSURE_STEP_EXPORTED;
        r->exported = 1;
        memcpy(r->sha256, j->digest, 32);
        memcpy(r->manifest_sha256, j->rep.manifest_sha256, 32);
        r->bytes = j->bytes;
        r->exported_us = now;
        r->delivered_us = 0;
        r->failure[0] = 0;
        char text[MM_TEXT_MAX];
        snprintf(text, sizeof text, "%zu files, %" PRIu64 " bytes before encryption", j->rep.files,
                 j->rep.bytes);
        step_t s = {.sel = &r->approved, .text = text};
        if (log_step(d, r, MM_DISCLOSURE_STEP_EXPORTED, &s, now) == MM_OK) {
            if (d->conf.send && !d->closing)
                d->conf.send(d->conf.arg, r->q.id, j->path, r->bytes, r->sha256);
        } else {
            unlink(j->path); /* built again at the next sweep: the request is still approved */
        }
    } else {
        char text[MM_LONG_TEXT_MAX];
        snprintf(text, sizeof text, "the export could not be built: %s", j->what);
        r->state = MM_DISCLOSURE_STEP_FAILED;
        put(r->failure, sizeof r->failure, text);
        step_t s = {.sel = &r->approved, .text = text};
        log_step(d, r, MM_DISCLOSURE_STEP_FAILED, &s, now);
    }
    free(r);
    free(j);
    if (d->closing) {
        if (!d->timer_open) {
            void (*done)(void *) = d->done;
            void *arg = d->done_arg;
            free(d->exports_dir);
            free(d);
            if (done)
                done(arg);
        }
        return;
    }
    export_kick(d);
}

/* Fails an approved request without building anything. */
static mm_err_t export_refuse(edge_disclosure_t *d, rec_t *r, const char *why, int64_t now_us)
{
    r->state = MM_DISCLOSURE_STEP_FAILED;
    put(r->failure, sizeof r->failure, why);
    step_t s = {.sel = &r->approved, .text = why};
    return log_step(d, r, MM_DISCLOSURE_STEP_FAILED, &s, now_us);
}

/* Starts the export of r (approved) on the worker thread. */
static mm_err_t export_start(edge_disclosure_t *d, rec_t *r, int64_t now_us)
{
    job_t *j = calloc(1, sizeof *j);
    if (!j)
        return MM_ENOMEM;
    j->d = d;
    j->fd = -1;
    put(j->id, sizeof j->id, r->q.id);
    put(j->basis, sizeof j->basis, mm_legal_basis_name(r->q.legal_basis));
    put(j->reference, sizeof j->reference, r->q.reference);
    put(j->requester, sizeof j->requester, r->q.requester);
    put(j->reason, sizeof j->reason, r->q.text);
    put(j->recipient, sizeof j->recipient, r->q.recipient);
    j->sel = r->approved;
    for (size_t i = 0; i < j->sel.n; i++)
        j->cams[i] = j->sel.cam[i];
    j->r = (edge_export_req_t){.id = j->id,
                               .legal_basis = j->basis,
                               .reference = j->reference,
                               .requester = j->requester,
                               .cameras = j->cams,
                               .n_cameras = j->sel.n,
                               .from_us = j->sel.from_us,
                               .to_us = j->sel.to_us,
                               .recipient_text = j->recipient,
                               .reason = j->reason[0] ? j->reason : NULL,
                               .hub_statement = j->statement,
                               .hub_signature = j->hub_signature};
    /* The statement the hub signed, rebuilt from the request as received (check_request verified
     * it then): the manifest carries it so that the recipient can check the request against the
     * hub's key (verify.h). */
    size_t slen = 0;
    if (!r->q.has_signature || mm_disclosure_statement(&r->q, d->conf.site, j->statement,
                                                       sizeof j->statement, &slen) != MM_OK) {
        free(j);
        return export_refuse(d, r, "the request's statement signed by the hub cannot be rebuilt",
                             now_us);
    }
    memcpy(j->hub_signature, r->q.signature, sizeof j->hub_signature);
    /* Own images (R-N8): every clip is blurred but for the regions the manager marked as the
     * requester — never exported clear, whatever the regions say. */
    if (r->q.legal_basis == MM_LEGAL_BASIS_OWN_IMAGES) {
        for (size_t i = 0; i < r->n_regions && i < EDGE_DISCLOSURE_REGIONS_MAX; i++) {
            j->keep[i] = r->regions[i];
            j->regions[i] = (edge_export_region_t){
                j->keep[i].camera, {j->keep[i].x, j->keep[i].y, j->keep[i].w, j->keep[i].h}};
        }
        j->r.redact = 1;
        j->r.regions = j->regions;
        j->r.n_regions = r->n_regions;
    }
    int n1 = snprintf(j->path, sizeof j->path, "%s/%s.age", d->exports_dir, j->id);
    int n2 = snprintf(j->tmp, sizeof j->tmp, "%s/%s.age.tmp", d->exports_dir, j->id);
    if (mm_age_recipient_parse(r->q.recipient, j->r.recipient) != MM_OK || n1 < 0 ||
        (size_t)n1 >= sizeof j->path || n2 < 0 || (size_t)n2 >= sizeof j->tmp) {
        free(j);
        return export_refuse(d, r, "the export cannot be made for this request (recipient or path)",
                             now_us);
    }
    j->req.data = j;
    int rc = uv_queue_work(d->conf.loop, &j->req, export_work, export_done);
    if (rc != 0) {
        MM_ERROR("disclosure %s: cannot start the export: %s", j->id, uv_strerror(rc));
        free(j);
        return MM_ENOMEM;
    }
    d->job = j;
    MM_INFO("disclosure %s: building the export of %zu camera(s)", j->id, j->sel.n);
    return MM_OK;
}

/* --- walking the records ---------------------------------------------------------------------*/

typedef enum { W_COUNT, W_LIST, W_APPROVED, W_SWEEP } walk_mode_t;

typedef struct {
    walk_mode_t mode;
    edge_disclosure_t *d;
    rec_t *r; /* scratch */
    int64_t now_us;
    int starting;
    json_t *list; /* W_LIST: every request as shown */
    size_t waiting;
    char (*ids)[MM_ID_MAX]; /* W_APPROVED: the first approved; W_SWEEP: those to act on */
    size_t n_ids, cap_ids;
    mm_err_t err;
} walk_t;

static int add_id(walk_t *w, const char *id)
{
    if (w->n_ids == w->cap_ids) {
        size_t cap = w->cap_ids ? 2 * w->cap_ids : 8;
        char(*more)[MM_ID_MAX] = realloc(w->ids, cap * sizeof *more);
        if (!more) {
            w->err = MM_ENOMEM;
            return 1;
        }
        w->ids = more;
        w->cap_ids = cap;
    }
    put(w->ids[w->n_ids++], MM_ID_MAX, id);
    return 0;
}

static int walk_one(const char *name, size_t name_len, const void *val, size_t len, void *arg)
{
    walk_t *w = arg;
    if (rec_parse(val, len, w->r) != MM_OK) {
        MM_ERROR("the store's record %.*s is damaged", (int)name_len, name);
        w->err = MM_ECORRUPT;
        return 1;
    }
    const rec_t *r = w->r;
    w->waiting += waiting(r);
    switch (w->mode) {
    case W_COUNT:
        return 0;
    case W_LIST:
        if (json_array_append_new(w->list, rec_json(r, 1)) != 0) {
            w->err = MM_ENOMEM;
            return 1;
        }
        return 0;
    case W_APPROVED:
        return r->state == MM_DISCLOSURE_STEP_APPROVED ? (add_id(w, r->q.id), 1) : 0;
    case W_SWEEP:
        /* What is due, what waits to be sent, and at start the holds closed requests left. */
        if (due(r, w->now_us) || r->state == MM_DISCLOSURE_STEP_EXPORTED ||
            (w->starting && closed(r)))
            return add_id(w, r->q.id);
        return 0;
    }
    return 0;
}

static mm_err_t walk(edge_disclosure_t *d, walk_t *w)
{
    w->d = d;
    w->r = malloc(sizeof *w->r);
    if (!w->r)
        return MM_ENOMEM;
    mm_err_t err = edge_store_meta_each(d->conf.store, PREFIX, walk_one, w);
    free(w->r);
    w->r = NULL;
    return err != MM_OK ? err : w->err;
}

static void export_kick(edge_disclosure_t *d)
{
    while (!d->job && !d->closing) {
        walk_t w = {.mode = W_APPROVED};
        mm_err_t err = walk(d, &w);
        rec_t *r = err == MM_OK && w.n_ids ? calloc(1, sizeof *r) : NULL;
        if (r && rec_load(d, w.ids[0], r) == MM_OK && r->state == MM_DISCLOSURE_STEP_APPROVED)
            err = export_start(d, r, mm_now_us());
        else
            err = MM_ENOTFOUND; /* nothing (more) to export */
        free(r);
        free(w.ids);
        if (err != MM_OK)
            return;
    }
}

static mm_err_t catch_one(void *arg, const mm_city_request_t *q)
{
    mm_err_t err = edge_disclosure_receive(arg, q, mm_now_us());
    return err == MM_ENOTFOUND ? MM_OK : err; /* a notice about no request of ours: said */
}

/* Acts on one request the sweep found (at start, also on closed requests' holds). */
static mm_err_t sweep_one(edge_disclosure_t *d, const char *id, int64_t now_us, int starting)
{
    rec_t *r = calloc(1, sizeof *r);
    mm_err_t err = r ? rec_load(d, id, r) : MM_ENOMEM;
    if (err == MM_OK) {
        if (due(r, now_us)) {
            err = expire(d, r, now_us);
        } else if (r->state == MM_DISCLOSURE_STEP_EXPORTED) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s.age", d->exports_dir, r->q.id);
            if (d->conf.send)
                d->conf.send(d->conf.arg, r->q.id, path, r->bytes, r->sha256);
        } else if (starting && closed(r)) {
            err = release_holds(d, r, mm_disclosure_step_name(r->state), now_us);
        }
    }
    free(r);
    return err;
}

static mm_err_t sweep(edge_disclosure_t *d, int64_t now_us, int starting)
{
    mm_err_t first = MM_OK;
    if (d->catch_up) {
        d->catch_up = 0;
        first = edge_requests_each_disclosure(d->conf.store, catch_one, d);
        if (first != MM_OK)
            d->catch_up = 1;
    }
    walk_t w = {.mode = W_SWEEP, .now_us = now_us, .starting = starting};
    mm_err_t err = walk(d, &w);
    if (first == MM_OK)
        first = err;
    for (size_t i = 0; i < w.n_ids; i++) {
        err = sweep_one(d, w.ids[i], now_us, starting);
        if (first == MM_OK)
            first = err;
    }
    free(w.ids);
    export_kick(d);
    return first;
}

mm_err_t edge_disclosure_sweep(edge_disclosure_t *d, int64_t now_us)
{
    return sweep(d, now_us, 0);
}

static void on_tick(uv_timer_t *t)
{
    edge_disclosure_t *d = t->data;
    if (!d->closing)
        sweep(d, mm_now_us(), 0);
}

/* --- start and stop --------------------------------------------------------------------------*/

static int make_exports_dir(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        MM_ERROR("cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        MM_ERROR("%s is not a directory", dir);
        return -1;
    }
    /* Clear footage passes through it: nobody else may look in. */
    if ((st.st_mode & 0777) != 0700 && chmod(dir, 0700) != 0) {
        MM_ERROR("cannot make %s private: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

mm_err_t edge_disclosure_create(const edge_disclosure_conf_t *conf, edge_disclosure_t **out)
{
    if (!conf->loop || !conf->store || !conf->vault || !conf->site_key || !conf->site ||
        !conf->hub_pub || !conf->exports_dir || conf->n_cameras > EDGE_MAX_CAMERAS)
        return MM_EINVAL;
    edge_disclosure_t *d = calloc(1, sizeof *d);
    if (!d)
        return MM_ENOMEM;
    d->conf = *conf;
    if (!d->conf.sweep_ms)
        d->conf.sweep_ms = SWEEP_MS;
    for (size_t i = 0; i < conf->n_cameras; i++)
        put(d->cameras[i], sizeof d->cameras[i], conf->cameras[i]);
    d->n_cameras = conf->n_cameras;
    d->conf.cameras = NULL;
    memcpy(d->hub_pub, conf->hub_pub, sizeof d->hub_pub);
    atomic_init(&d->cancel, 0);
    d->exports_dir = strdup(conf->exports_dir);
    if (!d->exports_dir) {
        free(d);
        return MM_ENOMEM;
    }
    if (make_exports_dir(d->exports_dir) != 0) {
        free(d->exports_dir);
        free(d);
        return MM_EIO;
    }
    *out = d;
    return MM_OK;
}

/*
 * Removes from the exports directory everything but the ciphertexts still to be sent: clear
 * MP4s and partial ciphertexts a stop left, and ciphertexts of requests delivered or failed.
 */
static void clean_exports(edge_disclosure_t *d)
{
    DIR *dir = opendir(d->exports_dir);
    if (!dir)
        return;
    rec_t *r = malloc(sizeof *r);
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        const char *name = de->d_name;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        size_t n = strlen(name);
        char id[MM_ID_MAX] = "";
        if (n > 4 && !strcmp(name + n - 4, ".age") && n - 4 < sizeof id)
            snprintf(id, sizeof id, "%.*s", (int)(n - 4), name);
        if (id[0] && r && rec_load(d, id, r) == MM_OK && r->state == MM_DISCLOSURE_STEP_EXPORTED)
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", d->exports_dir, name);
        if (unlink(path) == 0)
            MM_INFO("disclosure: removed %s, left by an earlier run", path);
        else
            MM_WARN("disclosure: cannot remove %s: %s", path, strerror(errno));
    }
    free(r);
    closedir(dir);
}

mm_err_t edge_disclosure_start(edge_disclosure_t *d, int64_t now_us)
{
    if (make_exports_dir(d->exports_dir) != 0)
        return MM_EIO;
    clean_exports(d);
    d->catch_up = 1;
    mm_err_t err = sweep(d, now_us, 1);
    if (err != MM_OK)
        MM_ERROR("disclosure: not everything could be caught up at start (%s); tried again "
                 "every %" PRIu64 " s",
                 mm_strerror(err), d->conf.sweep_ms / 1000);
    size_t n = 0;
    if (edge_disclosure_waiting(d, &n) == MM_OK && n)
        MM_WARN("%zu disclosure request(s) wait for the manager: mimamori-edge disclosures", n);
    if (!d->timer_open) {
        uv_timer_init(d->conf.loop, &d->timer);
        d->timer.data = d;
        d->timer_open = 1;
        uv_timer_start(&d->timer, on_tick, d->conf.sweep_ms, d->conf.sweep_ms);
    }
    return err;
}

static void on_timer_closed(uv_handle_t *h)
{
    edge_disclosure_t *d = h->data;
    d->timer_open = 0;
    if (d->job)
        return; /* freed when the worker returns */
    void (*done)(void *) = d->done;
    void *arg = d->done_arg;
    free(d->exports_dir);
    free(d);
    if (done)
        done(arg);
}

void edge_disclosure_close(edge_disclosure_t *d, void (*done)(void *arg), void *arg)
{
    if (!d || d->closing)
        return;
    d->closing = 1;
    d->done = done;
    d->done_arg = arg;
    atomic_store(&d->cancel, 1);
    if (d->job)
        uv_cancel((uv_req_t *)&d->job->req); /* only if it has not started */
    if (d->timer_open) {
        uv_close((uv_handle_t *)&d->timer, on_timer_closed);
        return;
    }
    if (d->job)
        return;
    free(d->exports_dir);
    free(d);
    if (done)
        done(arg);
}

int edge_disclosure_exporting(const edge_disclosure_t *d)
{
    return d->job != NULL;
}

/* --- people's steps --------------------------------------------------------------------------*/

/*
 * Loads id for a step by people as it stands now: refuses an unknown request, and expires one
 * undecided past its deadline first, as for every step people take.
 */
static mm_err_t load_now(edge_disclosure_t *d, const char *id, rec_t *r, int64_t now_us, char *msg,
                         size_t cap)
{
    mm_err_t err = rec_load(d, id, r);
    if (err == MM_ENOTFOUND)
        return mm_errf(err, msg, cap, "no disclosure request %.63s", id ? id : "");
    if (err != MM_OK)
        return mm_errf(err, msg, cap, "the request %s cannot be read: %s", id, mm_strerror(err));
    if (due(r, now_us) && (err = expire(d, r, now_us)) != MM_OK)
        return mm_errf(err, msg, cap, "the request %s cannot be expired: %s", id, mm_strerror(err));
    return MM_OK;
}

/*
 * Loads id for a step that decides (prepare, approve, deny): load_now, then refuses a state the
 * step does not take (an expired request among them).
 */
static mm_err_t load_for_step(edge_disclosure_t *d, const char *id, rec_t *r, int64_t now_us,
                              const char *step, char *msg, size_t cap)
{
    mm_err_t err = load_now(d, id, r, now_us, msg, cap);
    if (err != MM_OK)
        return err;
    char when[40];
    switch (r->state) {
    case MM_DISCLOSURE_STEP_HELD:
    case MM_DISCLOSURE_STEP_PREPARED:
    case MM_DISCLOSURE_STEP_FAILED:
        return MM_OK;
    case MM_DISCLOSURE_STEP_REFUSED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s was refused on arrival (%s): nothing to %s", id,
                       r->refusal, step);
    case MM_DISCLOSURE_STEP_EXPIRED:
        fmt_time(r->q.deadline_us, when, sizeof when);
        return mm_errf(MM_ECONFLICT, msg, cap, "%s expired undecided at its deadline, %s", id,
                       when);
    case MM_DISCLOSURE_STEP_DENIED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is denied already (by %s)", id, r->decided_by);
    case MM_DISCLOSURE_STEP_APPROVED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is approved (by %s); its export is being built",
                       id, r->decided_by);
    case MM_DISCLOSURE_STEP_RELEASED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is closed: %s released its hold", id,
                       r->released_by);
    default:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is %s already (approved by %s)", id,
                       mm_disclosure_step_name(r->state), r->decided_by);
    }
}

static void range_text(int64_t from, int64_t to, char *out, size_t cap)
{
    char a[40], b[40];
    fmt_time(from, a, sizeof a);
    fmt_time(to, b, sizeof b);
    snprintf(out, cap, "%s to %s", a, b);
}

mm_err_t edge_disclosure_prepare(edge_disclosure_t *d, const char *id, const char *by,
                                 const char *const *cameras, size_t n, int64_t from_us,
                                 int64_t to_us, const char *note, int64_t now_us, json_t **out,
                                 char *msg, size_t cap)
{
    if (out)
        *out = NULL;
    if (!note)
        note = "";
    if (!by || !mm_utf8_field_ok(by, MM_ID_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "a preparation names who makes it");
    if (!mm_utf8_field_ok(note, MM_LONG_TEXT_MAX, 0))
        return mm_errf(MM_EINVAL, msg, cap, "a note is at most %d bytes of UTF-8",
                       MM_LONG_TEXT_MAX - 1);
    rec_t *r = calloc(1, sizeof *r);
    if (!r)
        return mm_errf(MM_ENOMEM, msg, cap, "out of memory");
    mm_err_t err = load_for_step(d, id, r, now_us, "prepare", msg, cap);
    if (err != MM_OK)
        goto out;
    if (r->n_preps == EDGE_DISCLOSURE_PREPS_MAX) {
        err = mm_errf(MM_EINVAL, msg, cap, "%s has %d preparations already; no more are taken", id,
                      EDGE_DISCLOSURE_PREPS_MAX);
        goto out;
    }
    sel_t req, sel;
    request_sel(r, &req);
    memset(&sel, 0, sizeof sel);
    char list[MM_LONG_TEXT_MAX];
    join_cams(&req, list, sizeof list);
    for (size_t i = 0; i < n; i++) {
        if (!sel_has(&req, cameras[i])) {
            err = mm_errf(MM_EINVAL, msg, cap, "camera %.63s is not one of the request's (%s)",
                          cameras[i], list);
            goto out;
        }
        if (sel_has(&sel, cameras[i])) {
            err = mm_errf(MM_EINVAL, msg, cap, "camera %.63s is named twice", cameras[i]);
            goto out;
        }
        put(sel.cam[sel.n++], MM_ID_MAX, cameras[i]);
    }
    if (!n)
        sel = req;
    sel.from_us = from_us ? from_us : req.from_us;
    sel.to_us = to_us ? to_us : req.to_us;
    if (sel.from_us < req.from_us || sel.to_us > req.to_us || sel.from_us >= sel.to_us) {
        char range[100];
        range_text(req.from_us, req.to_us, range, sizeof range);
        err = mm_errf(MM_EINVAL, msg, cap,
                      "the range must run forwards and lie inside the request's, %s", range);
        goto out;
    }
    prep_t *p = &r->preps[r->n_preps++];
    memset(p, 0, sizeof *p);
    put(p->by, sizeof p->by, by);
    p->time_us = now_us;
    p->sel = sel;
    put(p->note, sizeof p->note, note);
    mm_disclosure_step_t was = r->state;
    r->state = MM_DISCLOSURE_STEP_PREPARED;
    step_t s = {.by = by, .sel = &sel, .text = note};
    err = log_step(d, r, MM_DISCLOSURE_STEP_PREPARED, &s, now_us);
    if (err != MM_OK) {
        r->state = was;
        mm_errf(err, msg, cap, "the preparation could not be stored: %s", mm_strerror(err));
        goto out;
    }
    if (out)
        *out = rec_json(r, 1);
out:
    free(r);
    return err;
}

/* "CAMERA:x,y,w,h": a camera id, and a region as redact.h's edge_region_parse reads it. */
static int region_parse(const char *s, region_t *g)
{
    const char *colon = strchr(s, ':');
    edge_region_t r;
    if (!colon || colon == s || (size_t)(colon - s) >= sizeof g->camera ||
        edge_region_parse(colon + 1, &r) != MM_OK)
        return -1;
    snprintf(g->camera, sizeof g->camera, "%.*s", (int)(colon - s), s);
    g->x = r.x;
    g->y = r.y;
    g->w = r.w;
    g->h = r.h;
    return 0;
}

mm_err_t edge_disclosure_approve(edge_disclosure_t *d, const char *id, const char *by,
                                 const char *reason, const char *const *keep, size_t n_keep,
                                 int64_t now_us, json_t **out, char *msg, size_t cap)
{
    if (out)
        *out = NULL;
    if (!by || !mm_utf8_field_ok(by, MM_ID_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "an approval names who gives it");
    if (!reason || !mm_utf8_field_ok(reason, MM_LONG_TEXT_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "an approval gives a reason of 1 to %d bytes",
                       MM_LONG_TEXT_MAX - 1);
    rec_t *r = calloc(1, sizeof *r);
    char *regions = NULL;
    if (!r)
        return mm_errf(MM_ENOMEM, msg, cap, "out of memory");
    mm_err_t err = load_for_step(d, id, r, now_us, "approve", msg, cap);
    if (err != MM_OK)
        goto out;
    /* Nobody approves what they prepared alone: someone else prepared it, or nobody did. */
    size_t own = 0;
    for (size_t i = 0; i < r->n_preps; i++)
        own += strcmp(r->preps[i].by, by) == 0;
    if (r->n_preps && own == r->n_preps) {
        err = mm_errf(MM_ECONFLICT, msg, cap,
                      "nobody approves what they prepared alone: every preparation of %s is %s's; "
                      "someone else must prepare it",
                      id, by);
        goto out;
    }
    int own_images = r->q.legal_basis == MM_LEGAL_BASIS_OWN_IMAGES;
    if (own_images && !n_keep) {
        err = mm_errf(MM_EINVAL, msg, cap,
                      "%s asks for the requester's own images (R-N8): mark the requester with at "
                      "least one --keep CAMERA:x,y,w,h; everything else is blurred",
                      id);
        goto out;
    }
    if (!own_images && n_keep) {
        err = mm_errf(MM_EINVAL, msg, cap,
                      "--keep is only for own-images requests; %s's legal basis is %s", id,
                      mm_legal_basis_name(r->q.legal_basis));
        goto out;
    }
    if (n_keep > EDGE_DISCLOSURE_REGIONS_MAX) {
        err = mm_errf(MM_EINVAL, msg, cap, "at most %d regions", EDGE_DISCLOSURE_REGIONS_MAX);
        goto out;
    }
    sel_t scratch;
    const sel_t *sel = current_sel(r, &scratch);
    region_t regs[EDGE_DISCLOSURE_REGIONS_MAX];
    for (size_t i = 0; i < n_keep; i++) {
        if (region_parse(keep[i], &regs[i]) != 0) {
            err = mm_errf(MM_EINVAL, msg, cap,
                          "\"%.100s\" is not a region CAMERA:x,y,w,h in fractions of the frame "
                          "(each 0 to 1, w and h above 0, x+w and y+h at most 1)",
                          keep[i]);
            goto out;
        }
        if (!sel_has(sel, regs[i].camera)) {
            err =
                mm_errf(MM_EINVAL, msg, cap, "region %.100s: camera %s is not one being disclosed",
                        keep[i], regs[i].camera);
            goto out;
        }
    }
    mm_disclosure_step_t was = r->state;
    r->state = MM_DISCLOSURE_STEP_APPROVED;
    snprintf(r->decision, sizeof r->decision, "approved");
    put(r->decided_by, sizeof r->decided_by, by);
    r->decided_us = now_us;
    put(r->decision_reason, sizeof r->decision_reason, reason);
    r->approved = *sel;
    r->n_regions = n_keep;
    memcpy(r->regions, regs, n_keep * sizeof *regs);
    r->attempts++;
    r->failure[0] = 0;
    r->exported = 0;
    json_t *rj = regions_json(r);
    regions = rj ? json_dumps(rj, JSON_COMPACT | JSON_REAL_PRECISION(9)) : NULL;
    json_decref(rj);
    if (!regions) {
        err = mm_errf(MM_ENOMEM, msg, cap, "out of memory");
        goto out;
    }
    if (strlen(regions) >= MM_LONG_TEXT_MAX) {
        err = mm_errf(MM_EINVAL, msg, cap, "the regions do not fit in the log entry; give fewer");
        goto out;
    }
    step_t s = {.by = by, .sel = sel, .text = reason, .regions = n_keep ? regions : ""};
    err = log_step(d, r, MM_DISCLOSURE_STEP_APPROVED, &s, now_us);
    if (err != MM_OK) {
        r->state = was;
        mm_errf(err, msg, cap, "the approval could not be stored: %s", mm_strerror(err));
        goto out;
    }
    if (out)
        *out = rec_json(r, 1);
    export_kick(d);
out:
    free(regions);
    free(r);
    return err;
}

mm_err_t edge_disclosure_deny(edge_disclosure_t *d, const char *id, const char *by,
                              const char *reason, int64_t now_us, json_t **out, char *msg,
                              size_t cap)
{
    if (out)
        *out = NULL;
    if (!by || !mm_utf8_field_ok(by, MM_ID_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "a denial names who gives it");
    if (!reason || !mm_utf8_field_ok(reason, MM_LONG_TEXT_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "a denial gives a reason of 1 to %d bytes",
                       MM_LONG_TEXT_MAX - 1);
    rec_t *r = calloc(1, sizeof *r);
    if (!r)
        return mm_errf(MM_ENOMEM, msg, cap, "out of memory");
    mm_err_t err = load_for_step(d, id, r, now_us, "deny", msg, cap);
    if (err != MM_OK)
        goto out;
    mm_disclosure_step_t was = r->state;
    r->state = MM_DISCLOSURE_STEP_DENIED;
    snprintf(r->decision, sizeof r->decision, "denied");
    put(r->decided_by, sizeof r->decided_by, by);
    r->decided_us = now_us;
    put(r->decision_reason, sizeof r->decision_reason, reason);
    request_sel(r, &r->approved);
    r->n_regions = 0;
    step_t s = {.by = by, .text = reason};
    err = log_step(d, r, MM_DISCLOSURE_STEP_DENIED, &s, now_us);
    if (err != MM_OK) {
        r->state = was;
        mm_errf(err, msg, cap, "the denial could not be stored: %s", mm_strerror(err));
        goto out;
    }
    release_holds(d, r, "denied", now_us); /* what fails here is released at the next start */
    if (out)
        *out = rec_json(r, 1);
out:
    free(r);
    return err;
}

/* --- the end of the hold --------------------------------------------------------------------*/

/*
 * Why r's hold cannot be released now (MM_ECONFLICT with msg), or MM_OK: approved, its export
 * delivered (downloaded too, perhaps) or failed, and at least one of its holds still there.
 */
static mm_err_t release_allowed(edge_disclosure_t *d, const rec_t *r, char *msg, size_t cap)
{
    const char *id = r->q.id;
    char when[40];
    switch (r->state) {
    case MM_DISCLOSURE_STEP_DELIVERED:
    case MM_DISCLOSURE_STEP_DOWNLOADED:
    case MM_DISCLOSURE_STEP_FAILED:
        break;
    case MM_DISCLOSURE_STEP_HELD:
    case MM_DISCLOSURE_STEP_PREPARED:
        return mm_errf(MM_ECONFLICT, msg, cap,
                       "%s is not decided: only an approved request's hold is released; deny it to "
                       "release its footage",
                       id);
    case MM_DISCLOSURE_STEP_REFUSED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s was refused on arrival (%s): it holds nothing",
                       id, r->refusal);
    case MM_DISCLOSURE_STEP_DENIED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is denied (by %s): its hold was released then",
                       id, r->decided_by);
    case MM_DISCLOSURE_STEP_EXPIRED:
        fmt_time(r->q.deadline_us, when, sizeof when);
        return mm_errf(MM_ECONFLICT, msg, cap,
                       "%s expired undecided at its deadline, %s: its hold was released then", id,
                       when);
    case MM_DISCLOSURE_STEP_APPROVED:
        return mm_errf(MM_ECONFLICT, msg, cap,
                       "%s's export is being built: its hold is released once the export is "
                       "delivered (or has failed)",
                       id);
    case MM_DISCLOSURE_STEP_EXPORTED:
        return mm_errf(MM_ECONFLICT, msg, cap,
                       "%s's export is being sent to the hub: its hold is released once the export "
                       "is delivered (or has failed)",
                       id);
    case MM_DISCLOSURE_STEP_RELEASED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s's hold is released already (by %s)", id,
                       r->released_by);
    default:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s's hold cannot be released now", id);
    }
    size_t left = 0;
    for (size_t i = 0; i < r->n_holds; i++) {
        char h[MM_ID_MAX];
        edge_hold_row_t row;
        hold_id(id, i, h);
        mm_err_t err = edge_vault_hold_get(d->conf.vault, h, &row);
        if (err != MM_OK && err != MM_ENOTFOUND)
            return mm_errf(err, msg, cap, "the hold %s cannot be read: %s", h, mm_strerror(err));
        left += err == MM_OK;
    }
    if (!left)
        return mm_errf(MM_ECONFLICT, msg, cap, "%s holds no footage any more: its holds are gone",
                       id);
    return MM_OK;
}

mm_err_t edge_disclosure_release(edge_disclosure_t *d, const char *id, const char *by,
                                 const char *reason, int64_t now_us, json_t **out, char *msg,
                                 size_t cap)
{
    if (out)
        *out = NULL;
    if (!by || !mm_utf8_field_ok(by, MM_ID_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "a release names who gives it");
    if (!reason || !mm_utf8_field_ok(reason, MM_LONG_TEXT_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "a release gives a reason of 1 to %d bytes",
                       MM_LONG_TEXT_MAX - 1);
    rec_t *r = calloc(1, sizeof *r);
    if (!r)
        return mm_errf(MM_ENOMEM, msg, cap, "out of memory");
    mm_err_t err = load_now(d, id, r, now_us, msg, cap);
    if (err == MM_OK)
        err = release_allowed(d, r, msg, cap);
    if (err != MM_OK)
        goto out;
    /* Logged first: a stop before the holds go leaves a released request with holds, which the
     * next start releases. */
    mm_disclosure_step_t was = r->state;
    r->state = MM_DISCLOSURE_STEP_RELEASED;
    r->released_us = now_us;
    put(r->released_by, sizeof r->released_by, by);
    put(r->release_reason, sizeof r->release_reason, reason);
    step_t s = {.by = by, .text = reason};
    err = log_step(d, r, MM_DISCLOSURE_STEP_RELEASED, &s, now_us);
    if (err != MM_OK) {
        r->state = was;
        mm_errf(err, msg, cap, "the release could not be stored: %s", mm_strerror(err));
        goto out;
    }
    release_holds(d, r, "released", now_us); /* what fails here is released at the next start */
    if (out)
        *out = rec_json(r, 1);
out:
    free(r);
    return err;
}

/* --- what the control socket shows -----------------------------------------------------------*/

mm_err_t edge_disclosure_list(edge_disclosure_t *d, json_t **out)
{
    walk_t w = {.mode = W_LIST, .list = json_array()};
    *out = NULL;
    if (!w.list)
        return MM_ENOMEM;
    mm_err_t err = walk(d, &w);
    json_t *res = err == MM_OK ? json_pack("{s:o, s:I}", "disclosures", w.list, "waiting",
                                           (json_int_t)w.waiting)
                               : NULL;
    if (err != MM_OK)
        json_decref(w.list);
    else if (!res)
        err = MM_ENOMEM;
    *out = res;
    return err;
}

mm_err_t edge_disclosure_waiting(edge_disclosure_t *d, size_t *n)
{
    walk_t w = {.mode = W_COUNT};
    mm_err_t err = walk(d, &w);
    *n = w.waiting;
    return err;
}

/* --- the transfer's end ----------------------------------------------------------------------*/

void edge_disclosure_transfer_done(edge_disclosure_t *d, const char *id, int delivered,
                                   const char *reason, int64_t now_us)
{
    rec_t *r = calloc(1, sizeof *r);
    mm_err_t err = r ? rec_load(d, id, r) : MM_ENOMEM;
    if (err != MM_OK || r->state != MM_DISCLOSURE_STEP_EXPORTED) {
        MM_WARN("disclosure %s: the hub's answer on the export is not taken: the request is %s", id,
                err != MM_OK ? mm_strerror(err) : mm_disclosure_step_name(r->state));
        free(r);
        return;
    }
    char path[PATH_MAX], text[MM_LONG_TEXT_MAX];
    snprintf(path, sizeof path, "%s/%s.age", d->exports_dir, r->q.id);
    if (delivered) {
        r->state = MM_DISCLOSURE_STEP_DELIVERED;
        r->delivered_us = now_us;
        snprintf(text, sizeof text, "the hub holds the export, %" PRIu64 " bytes", r->bytes);
        step_t s = {.sel = &r->approved, .text = text};
        err = log_step(d, r, MM_DISCLOSURE_STEP_DELIVERED, &s, now_us);
    } else {
        char why[MM_LONG_TEXT_MAX - 64];
        put(why, sizeof why, reason && *reason ? reason : "no reason given");
        snprintf(text, sizeof text, "the transfer to the hub failed: %s", why);
        r->state = MM_DISCLOSURE_STEP_FAILED;
        put(r->failure, sizeof r->failure, text);
        step_t s = {.sel = &r->approved, .text = text};
        err = log_step(d, r, MM_DISCLOSURE_STEP_FAILED, &s, now_us);
    }
    /* Logged first: a stop before the unlink leaves a file the next start removes. */
    if (err == MM_OK && unlink(path) != 0 && errno != ENOENT)
        MM_WARN("disclosure %s: cannot remove %s: %s", id, path, strerror(errno));
    free(r);
}
