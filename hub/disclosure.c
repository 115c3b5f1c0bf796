/*
 * disclosure.c: the hub's side of a disclosure (see disclosure.h).
 *
 * Three things must stay true here. A request the hub refuses leaves no trace but the answer:
 * every check runs before the one write transaction that stores the record, logs it and queues
 * it for the site. Every step is in both logs: a step the site logs is logged again in the
 * hub's log inside the mirror's transaction that stores the site's entry (both logs live in
 * the one LMDB environment, so hub_audit_append_in can join that transaction), which is why
 * no queue is needed and nothing can be lost between the two. And the hub hands out only
 * ciphertext whose SHA-256 and length the site logged, only to the requester who filed the
 * request, and only after the download is logged.
 *
 * The ciphertext arrives in chunks of at most 512 KiB, each written and fdatasync'd before it
 * is acknowledged. What the hub holds is the length of the ".part" file, so a transfer resumes
 * after a broken link or a restart from what is on disk. Its SHA-256 is computed as the chunks
 * arrive (a few contexts are kept; after a restart the part on disk is hashed once), so that
 * the last chunk does not stall the loop reading hundreds of megabytes back.
 */
#include "hub/disclosure.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/entry.h"
#include "common/files.h"

#define DAY_US (86400LL * 1000000)
#define HOUR_US (3600LL * 1000000)
#define PIECE (256 * 1024) /* bytes read at a time when hashing a file */
#define PART_HASHES 4      /* transfers whose running SHA-256 is kept */
#define ID_PREFIX "disclosure-"

/* The running SHA-256 of one transfer: of the first `at` bytes of its part file. */
typedef struct {
    char site[MM_ID_MAX]; /* "": free */
    uint64_t n;
    uint8_t sha[32]; /* the logged hash the transfer is for */
    uint64_t at;
    uint64_t used; /* for reuse: the least recently used goes */
    mm_sha256_ctx_t *ctx;
} part_hash_t;

struct hub_disclosure {
    mm_db_t *db;
    MDB_dbi dbi, meta;
    const hub_config_t *cfg;
    const mm_keypair_t *keys;
    hub_registry_t *registry;
    hub_audit_t *audit;
    part_hash_t parts[PART_HASHES];
    uint64_t tick;
};

mm_err_t hub_disclosure_open(mm_db_t *db, const hub_config_t *cfg, const mm_keypair_t *keys,
                             hub_registry_t *registry, hub_audit_t *audit, hub_disclosure_t **out)
{
    hub_disclosure_t *d = calloc(1, sizeof *d);
    if (!d)
        return MM_ENOMEM;
    d->db = db;
    d->cfg = cfg;
    d->keys = keys;
    d->registry = registry;
    d->audit = audit;
    mm_err_t err = mm_db_dbi(db, "hub.disclosures", 0, &d->dbi);
    if (err == MM_OK)
        err = mm_db_dbi(db, "hub.disclosure_meta", 0, &d->meta);
    if (err != MM_OK) {
        free(d);
        return err;
    }
    *out = d;
    return MM_OK;
}

void hub_disclosure_close(hub_disclosure_t *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < PART_HASHES; i++)
        mm_sha256_destroy(d->parts[i].ctx);
    free(d);
}

/* --- records ---------------------------------------------------------------------------------*/

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* N of "disclosure-N" (decimal, no leading zero, N >= 1), or 0 when id is not one. */
static uint64_t id_number(const char *id)
{
    if (!id || strncmp(id, ID_PREFIX, sizeof ID_PREFIX - 1) != 0)
        return 0;
    const char *p = id + sizeof ID_PREFIX - 1;
    if (*p < '1' || *p > '9')
        return 0;
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    return v;
}

/* The record N in txn (a new reference), NULL when there is none. */
static json_t *load(hub_disclosure_t *d, MDB_txn *txn, uint64_t n)
{
    uint8_t key[8];
    mm_be64_put(key, n);
    MDB_val k = {8, key}, v;
    if (mdb_get(txn, d->dbi, &k, &v) != 0)
        return NULL;
    json_t *rec = json_loadb(v.mv_data, v.mv_size, 0, NULL);
    if (!json_is_object(rec)) {
        MM_ERROR("disclosure: the record of %s%" PRIu64 " is damaged", ID_PREFIX, n);
        json_decref(rec);
        return NULL;
    }
    return rec;
}

static json_t *load_read(hub_disclosure_t *d, uint64_t n)
{
    MDB_txn *txn;
    if (!n || mm_db_read(d->db, &txn) != MM_OK)
        return NULL;
    json_t *rec = load(d, txn, n);
    mdb_txn_abort(txn);
    return rec;
}

static mm_err_t put(hub_disclosure_t *d, MDB_txn *txn, uint64_t n, json_t *rec)
{
    return mm_db_put_json(txn, d->dbi, n, rec, "put disclosure record");
}

static int visible(const hub_person_t *who, json_t *rec)
{
    if (who->role & (HUB_ROLE_OVERSIGHT | HUB_ROLE_READONLY))
        return 1;
    return (who->role & HUB_ROLE_REQUESTER) &&
           !strcmp(str(json_object_get(rec, "requester"), "id"), who->id);
}

static void refuse(hub_disclosure_why_t *why, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void refuse(hub_disclosure_why_t *why, int status, const char *code, const char *fmt, ...)
{
    why->status = status;
    why->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->message, sizeof why->message, fmt, ap);
    va_end(ap);
}

/* A city action about disclosure id of site by person (with role) at now. */
static hub_city_action_t action(hub_action_t what, int64_t now, const char *site, const char *id,
                                const char *person, const char *role)
{
    return (hub_city_action_t){.action = what,
                               .time_us = now,
                               .site = site,
                               .subject = id,
                               .person = person,
                               .role = role};
}

/* --- filing ----------------------------------------------------------------------------------*/

typedef struct {
    hub_disclosure_t *d;
    const hub_person_t *who;
    const hub_disclosure_body_t *b;
    int64_t now;
    hub_city_action_t *a; /* "disclosure_requested", its subject set here */
    json_t *record;       /* the new record, once committed */
    hub_request_t request; /* what goes to the site (among the record's requests) */
    uint64_t index;       /* in the hub's log */
} file_t;

/* Puts the request arg among the site's requests (a request of that id already there is
 * replaced where it stands). */
static mm_err_t add_request(hub_site_record_t *rec, void *arg)
{
    const hub_request_t *q = arg;
    hub_request_t *there = hub_site_record_request(rec, q->id);
    if (!there && !(there = hub_site_record_add_request(rec)))
        return MM_ENOMEM;
    *there = *q;
    return MM_OK;
}

/* The request the site receives of a disclosure r, as the record keeps it. */
static void request_of(hub_request_t *q, const mm_city_request_t *r, const char *by,
                       const char *sig64)
{
    memset(q, 0, sizeof *q);
    snprintf(q->id, sizeof q->id, "%s", r->id);
    q->kind = MM_REQUEST_KIND_DISCLOSURE;
    q->state = HUB_REQUEST_STATE_PENDING;
    snprintf(q->by, sizeof q->by, "%s", by);
    q->time_us = r->time_us;
    q->deadline_us = r->deadline_us;
    snprintf(q->text, sizeof q->text, "%s", r->text);
    q->from_us = r->from_us;
    q->to_us = r->to_us;
    q->legal_basis = r->legal_basis;
    snprintf(q->reference, sizeof q->reference, "%s", r->reference);
    snprintf(q->requester, sizeof q->requester, "%s", r->requester);
    snprintf(q->recipient, sizeof q->recipient, "%s", r->recipient);
    q->n_cameras = r->n_cameras;
    for (size_t i = 0; i < r->n_cameras; i++)
        snprintf(q->cameras[i], sizeof q->cameras[i], "%s", r->cameras[i]);
    snprintf(q->signature, sizeof q->signature, "%s", sig64);
}

static mm_err_t file_txn(MDB_txn *txn, void *arg)
{
    file_t *f = arg;
    hub_disclosure_t *d = f->d;
    const hub_disclosure_body_t *b = f->b;
    json_decref(f->record);
    f->record = NULL;
    MDB_stat st;
    int rc = mdb_stat(txn, d->dbi, &st);
    if (rc != 0)
        return mm_db_err(rc, "count disclosures");
    uint64_t n = (uint64_t)st.ms_entries + 1; /* records are never removed */

    /* What the site receives, and the statement of it the hub signs. */
    mm_city_request_t *r = calloc(1, sizeof *r);
    char *stmt = malloc(MM_STATEMENT_MAX);
    if (!r || !stmt) {
        free(r);
        free(stmt);
        return MM_ENOMEM;
    }
    snprintf(r->id, sizeof r->id, "%s%" PRIu64, ID_PREFIX, n);
    r->kind = MM_REQUEST_KIND_DISCLOSURE;
    r->time_us = f->now;
    r->deadline_us = f->now + (int64_t)d->cfg->disclosure_days * DAY_US;
    snprintf(r->text, sizeof r->text, "%s", b->reason);
    r->from_us = b->from_us;
    r->to_us = b->to_us;
    r->legal_basis = b->legal_basis;
    snprintf(r->reference, sizeof r->reference, "%s", b->reference);
    snprintf(r->requester, sizeof r->requester, "%s", f->who->id);
    snprintf(r->recipient, sizeof r->recipient, "%s", b->recipient);
    r->n_cameras = b->n_cameras;
    for (size_t i = 0; i < b->n_cameras; i++)
        snprintf(r->cameras[i], sizeof r->cameras[i], "%s", b->cameras[i]);
    size_t slen = 0;
    uint8_t sig[MM_ED25519_SIG_LEN];
    char sig64[96];
    mm_err_t err = mm_disclosure_statement(r, b->site, stmt, MM_STATEMENT_MAX, &slen);
    if (err == MM_OK)
        err = mm_ed25519_sign(&d->keys->sign, stmt, slen, sig);
    if (err == MM_OK && mm_base64_encode(sig, sizeof sig, sig64, sizeof sig64) < 0)
        err = MM_ERANGE;
    free(stmt);
    if (err != MM_OK) {
        free(r);
        return err;
    }

    f->a->subject = r->id;
    err = hub_audit_append_in(d->audit, txn, f->a, &f->index);
    f->a->subject = NULL; /* r goes */
    if (err != MM_OK) {
        free(r);
        return err;
    }
    json_t *cams = json_array();
    for (size_t i = 0; i < b->n_cameras; i++)
        json_array_append_new(cams, json_string(b->cameras[i]));
    request_of(&f->request, r, f->who->id, sig64);
    f->record = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:o, s:I, s:I, s:s, s:I, s:I, s:s, "
        "s:I, s:[{s:I, s:s, s:s, s:s, s:I}], s:i}",
        "id", r->id, "site", b->site, "state", "filed", "requester", "id", f->who->id, "name",
        f->who->name, "organisation", b->organisation, "legal_basis",
        mm_legal_basis_name(b->legal_basis), "reference", b->reference, "reason", b->reason,
        "cameras", cams, "from_us", (json_int_t)b->from_us, "to_us", (json_int_t)b->to_us,
        "recipient", b->recipient, "time_us", (json_int_t)r->time_us, "deadline_us",
        (json_int_t)r->deadline_us, "signature", sig64, "hub_log_index", (json_int_t)f->index,
        "history", "time_us", (json_int_t)r->time_us, "step", "filed", "by", f->who->id, "text", "",
        "hub_log_index", (json_int_t)f->index, "downloads", 0);
    free(r);
    if (!f->record ||
        json_object_set_new(f->record, "holding", json_false()) != 0) /* until the site holds */
        return MM_ENOMEM;
    err = put(d, txn, n, f->record);
    if (err == MM_OK)
        err = hub_registry_update_in(d->registry, txn, b->site, add_request, &f->request);
    return err;
}

mm_err_t hub_disclosure_file(hub_disclosure_t *d, const hub_person_t *who,
                             const hub_disclosure_body_t *b, int64_t now_us, json_t **out,
                             hub_disclosure_why_t *why)
{
    memset(why, 0, sizeof *why);
    *out = NULL;
    if (!hub_config_site(d->cfg, b->site)) {
        refuse(why, 404, "unknown_site", "no site \"%.64s\" is registered", b->site);
        return MM_EINVAL;
    }
    if (b->to_us > now_us) {
        refuse(why, 422, "range_in_future",
               "\"to_us\" is in the future: only footage already recorded can be requested");
        return MM_EINVAL;
    }
    if (b->to_us - b->from_us > (int64_t)d->cfg->disclosure_max_hours * HOUR_US) {
        refuse(why, 422, "range_too_long",
               "the range is %lld minutes long; one request may name at most %d hours "
               "(disclosure_max_hours)",
               (long long)((b->to_us - b->from_us) / 60000000), d->cfg->disclosure_max_hours);
        return MM_EINVAL;
    }
    hub_site_record_t *site = malloc(sizeof *site);
    if (!site || hub_registry_get(d->registry, b->site, site) != MM_OK) {
        if (site)
            hub_site_record_deinit(site);
        free(site);
        refuse(why, 500, "storage", "cannot read the record of site %s", b->site);
        return MM_EDB;
    }
    for (size_t i = 0; i < b->n_cameras; i++) {
        if (!hub_site_record_camera(site, b->cameras[i], 0)) {
            refuse(why, 422, "unknown_camera", "site %s has no camera %s", b->site, b->cameras[i]);
            hub_site_record_deinit(site);
            free(site);
            return MM_EINVAL;
        }
    }
    hub_site_record_deinit(site);
    free(site);

    json_t *cams = json_array();
    for (size_t i = 0; i < b->n_cameras; i++)
        json_array_append_new(cams, json_string(b->cameras[i]));
    json_t *detail = json_pack(
        "{s:s, s:s, s:o, s:I, s:I, s:s, s:s}", "legal_basis", mm_legal_basis_name(b->legal_basis),
        "reference", b->reference, "cameras", cams, "from_us", (json_int_t)b->from_us, "to_us",
        (json_int_t)b->to_us, "recipient", b->recipient, "organisation", b->organisation);
    hub_city_action_t a = action(HUB_ACTION_DISCLOSURE_REQUESTED, now_us, b->site, NULL, who->id,
                                 hub_role_name(who->role));
    a.reason = b->reason;
    a.detail = detail;
    mm_err_t err = detail ? hub_audit_check(&a) : MM_ENOMEM;
    if (err == MM_ERANGE) {
        refuse(why, 422, "too_long",
               "the request's particulars (reference, organisation, cameras) are too long to "
               "log in one entry of the hub's log; shorten the reference or the organisation");
        json_decref(detail);
        return MM_EINVAL;
    }
    file_t *f = calloc(1, sizeof *f); /* a request's worth of kilobytes: on the heap */
    if (!f)
        err = MM_ENOMEM;
    else
        *f = (file_t){.d = d, .who = who, .b = b, .now = now_us, .a = &a};
    if (err == MM_OK)
        err = hub_audit_write(d->audit, file_txn, f);
    json_t *record = f ? f->record : NULL;
    free(f);
    json_decref(detail);
    if (err != MM_OK) {
        json_decref(record);
        refuse(why, 500, "storage", "cannot record the request: %s", mm_strerror(err));
        return err;
    }
    MM_INFO("disclosure %s filed by %s for site %s (%s)", str(record, "id"), who->id, b->site,
            mm_legal_basis_name(b->legal_basis));
    *out = record;
    return MM_OK;
}

/* --- reading ---------------------------------------------------------------------------------*/

json_t *hub_disclosure_list(hub_disclosure_t *d, const hub_person_t *who)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    if (mm_db_read(d->db, &txn) != MM_OK)
        return NULL;
    if (mdb_cursor_open(txn, d->dbi, &cur) != 0) {
        mdb_txn_abort(txn);
        return NULL;
    }
    json_t *list = json_array();
    MDB_val k, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
        json_t *rec = json_loadb(v.mv_data, v.mv_size, 0, NULL);
        if (rec && visible(who, rec))
            json_array_append(list, rec);
        json_decref(rec);
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (rc != MDB_NOTFOUND) {
        mm_db_err(rc, "list disclosures");
        json_decref(list);
        return NULL;
    }
    return list;
}

mm_err_t hub_disclosure_get(hub_disclosure_t *d, const hub_person_t *who, const char *id,
                            json_t **out)
{
    json_t *rec = load_read(d, id_number(id));
    if (!rec || !visible(who, rec)) {
        json_decref(rec);
        return MM_ENOTFOUND;
    }
    *out = rec;
    return MM_OK;
}

/* --- exports on disk -------------------------------------------------------------------------*/

typedef struct {
    char dir[PATH_MAX];
    char part[PATH_MAX];
    char whole[PATH_MAX];
} paths_t;

static int export_paths(hub_disclosure_t *d, const char *site, const char *id, paths_t *p)
{
    int a = snprintf(p->dir, sizeof p->dir, "%s/exports/%s", d->cfg->state_dir, site);
    int b = snprintf(p->part, sizeof p->part, "%s/%s.age.part", p->dir, id);
    int c = snprintf(p->whole, sizeof p->whole, "%s/%s.age", p->dir, id);
    return a > 0 && (size_t)a < sizeof p->dir && b > 0 && (size_t)b < sizeof p->part && c > 0 &&
                   (size_t)c < sizeof p->whole
               ? 0
               : -1;
}

/* mkdir dir 0700 unless it exists; a new directory is made durable in its parent. */
static int make_dir(const char *dir, const char *parent)
{
    if (mkdir(dir, 0700) == 0)
        return mm_dir_sync(parent) == MM_OK ? 0 : -1;
    return errno == EEXIST ? 0 : -1;
}

static int ensure_dirs(hub_disclosure_t *d, const paths_t *p)
{
    char exports[PATH_MAX];
    snprintf(exports, sizeof exports, "%s/exports", d->cfg->state_dir);
    if (make_dir(exports, d->cfg->state_dir) != 0 || make_dir(p->dir, exports) != 0) {
        MM_ERROR("disclosure: cannot create %s: %s", p->dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* Hashes the first upto bytes of path into ctx. */
static mm_err_t hash_file(const char *path, uint64_t upto, mm_sha256_ctx_t *ctx)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return upto == 0 && errno == ENOENT ? MM_OK : MM_EIO;
    uint8_t *buf = malloc(PIECE);
    mm_err_t err = buf ? MM_OK : MM_ENOMEM;
    while (err == MM_OK && upto > 0) {
        ssize_t n = read(fd, buf, upto < PIECE ? (size_t)upto : PIECE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = MM_EIO;
            break;
        }
        mm_sha256_update(ctx, buf, (size_t)n);
        upto -= (uint64_t)n;
    }
    free(buf);
    close(fd);
    if (err == MM_EIO)
        MM_ERROR("disclosure: cannot read %s: %s", path, errno ? strerror(errno) : "short");
    return err;
}

static void part_forget(hub_disclosure_t *d, const char *site, uint64_t n)
{
    for (size_t i = 0; i < PART_HASHES; i++) {
        part_hash_t *p = &d->parts[i];
        if (p->n == n && !strcmp(p->site, site)) {
            p->site[0] = 0;
            p->used = 0;
        }
    }
}

/* The running hash of the first have bytes of the transfer (site, n) for the logged hash sha:
 * the one kept, or one made again from the part on disk. NULL on an error. */
static part_hash_t *part_hash(hub_disclosure_t *d, const char *site, uint64_t n,
                              const uint8_t sha[32], uint64_t have, const char *path)
{
    part_hash_t *slot = NULL, *lru = &d->parts[0];
    for (size_t i = 0; i < PART_HASHES; i++) {
        part_hash_t *p = &d->parts[i];
        if (p->site[0] && p->n == n && !strcmp(p->site, site) && !memcmp(p->sha, sha, 32))
            slot = p;
        if (p->used < lru->used)
            lru = p;
    }
    if (slot && slot->at == have) {
        slot->used = ++d->tick;
        return slot;
    }
    if (!slot)
        slot = lru;
    if (!slot->ctx && mm_sha256_create(&slot->ctx) != MM_OK)
        return NULL;
    mm_sha256_reset(slot->ctx);
    slot->site[0] = 0;
    if (hash_file(path, have, slot->ctx) != MM_OK)
        return NULL;
    snprintf(slot->site, sizeof slot->site, "%s", site);
    slot->n = n;
    memcpy(slot->sha, sha, 32);
    slot->at = have;
    slot->used = ++d->tick;
    return slot;
}

/* Writes len bytes at offset of path (made 0600 when new) and fdatasyncs them. */
static int append_at(const char *path, uint64_t offset, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(fd, data + done, len - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int rc = done == len && fdatasync(fd) == 0 ? 0 : -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int empty_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    int rc = fdatasync(fd);
    close(fd);
    return rc;
}

/* --- the record changing in one transaction with its hub-log entry ---------------------------*/

typedef struct {
    hub_disclosure_t *d;
    uint64_t n;
    hub_city_action_t *a; /* NULL: no city action */
    uint64_t index;       /* of a in the hub's log */
    int64_t now;
    const char *step; /* "received", "downloaded", or NULL (only part_sha256) */
    const char *by;
    json_t *fields; /* merged into the history item (borrowed) */
    const char *part_sha256;
    char download[MM_ID_MAX]; /* "downloaded": the notice's id, made here */
} change_t;

static mm_err_t change_txn(MDB_txn *txn, void *arg)
{
    change_t *c = arg;
    hub_disclosure_t *d = c->d;
    json_t *rec = load(d, txn, c->n);
    if (!rec)
        return MM_ENOTFOUND;
    mm_err_t err = MM_OK;
    json_t *detail = NULL;
    hub_request_t *notice = NULL;
    if (c->step && !strcmp(c->step, "downloaded")) {
        /* The notice to the site ("download-N"), and its id in the hub's log. */
        uint64_t count = 0;
        MDB_val k = {9, "downloads"}, v;
        int rc = mdb_get(txn, d->meta, &k, &v);
        if (rc == 0 && v.mv_size == 8)
            count = mm_be64_get(v.mv_data);
        else if (rc != MDB_NOTFOUND && rc != 0)
            err = mm_db_err(rc, "read downloads");
        uint8_t b[8];
        mm_be64_put(b, ++count);
        MDB_val nv = {8, b};
        if (err == MM_OK)
            err = mm_db_err(mdb_put(txn, d->meta, &k, &nv, 0), "count downloads");
        snprintf(c->download, sizeof c->download, "download-%" PRIu64, count);
        detail = json_pack("{s:O, s:O, s:s}", "sha256",
                           json_object_get(json_object_get(rec, "export"), "sha256"), "bytes",
                           json_object_get(json_object_get(rec, "export"), "bytes"), "download",
                           c->download);
        if (err == MM_OK && !detail)
            err = MM_ENOMEM;
        c->a->detail = detail;
        notice = calloc(1, sizeof *notice);
        if (err == MM_OK && !notice)
            err = MM_ENOMEM;
        if (err == MM_OK) {
            snprintf(notice->id, sizeof notice->id, "%s", c->download);
            notice->kind = MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED;
            notice->state = HUB_REQUEST_STATE_PENDING;
            snprintf(notice->by, sizeof notice->by, "%s", c->by);
            snprintf(notice->disclosure, sizeof notice->disclosure, "%s", str(rec, "id"));
            notice->time_us = c->now;
            err = hub_registry_update_in(d->registry, txn, str(rec, "site"), add_request, notice);
        }
    }
    if (err == MM_OK && c->a)
        err = hub_audit_append_in(d->audit, txn, c->a, &c->index);
    if (err == MM_OK && c->step) {
        json_t *h =
            json_pack("{s:I, s:s, s:s, s:s, s:I}", "time_us", (json_int_t)c->now, "step", c->step,
                      "by", c->by, "text", "", "hub_log_index", (json_int_t)c->index);
        if (c->fields)
            json_object_update(h, c->fields);
        if (c->download[0])
            json_object_set_new(h, "download", json_string(c->download));
        json_array_append_new(json_object_get(rec, "history"), h);
        json_object_set_new(rec, "state", json_string(c->step));
        if (!strcmp(c->step, "received")) {
            json_object_set_new(rec, "received_us", json_integer((json_int_t)c->now));
        } else {
            json_object_set_new(rec, "downloaded_us", json_integer((json_int_t)c->now));
            json_object_set_new(
                rec, "downloads",
                json_integer(json_integer_value(json_object_get(rec, "downloads")) + 1));
        }
    }
    if (err == MM_OK && c->part_sha256)
        json_object_set_new(rec, "part_sha256", json_string(c->part_sha256));
    if (err == MM_OK)
        err = put(d, txn, c->n, rec);
    if (detail)
        c->a->detail = NULL; /* made again if the transaction runs again */
    json_decref(detail);
    free(notice);
    json_decref(rec);
    return err;
}

/* --- downloads -------------------------------------------------------------------------------*/

mm_err_t hub_disclosure_download(hub_disclosure_t *d, const hub_person_t *who, const char *id,
                                 int64_t now_us, int *fd, uint64_t *size, hub_disclosure_why_t *why)
{
    memset(why, 0, sizeof *why);
    *fd = -1;
    *size = 0;
    uint64_t n = id_number(id);
    json_t *rec = load_read(d, n);
    mm_err_t err = MM_EINVAL;
    paths_t p;
    if (!rec) {
        refuse(why, 404, "unknown_disclosure", "no disclosure \"%.64s\"", id ? id : "");
        return MM_EINVAL;
    }
    json_t *x = json_object_get(rec, "export");
    const char *site = str(rec, "site");
    if (!(who->role & HUB_ROLE_REQUESTER)) {
        refuse(why, 403, "forbidden",
               "the city oversees disclosures, it does not receive footage: only the requester "
               "who filed %s may download its export",
               id);
    } else if (strcmp(str(json_object_get(rec, "requester"), "id"), who->id) != 0) {
        refuse(why, 403, "forbidden", "this export is another requester's");
    } else if (!json_object_get(rec, "received_us") || !x) {
        refuse(why, 409, "not_received", "the export of %s has not arrived at the hub (state %s)",
               id, str(rec, "state"));
    } else if (export_paths(d, site, str(rec, "id"), &p) != 0) {
        refuse(why, 500, "storage", "the export of %s has no path", id);
        err = MM_ERANGE;
    } else if ((*fd = open(p.whole, O_RDONLY | O_CLOEXEC)) < 0) {
        refuse(why, 500, "storage", "cannot open the export of %s", id);
        MM_ERROR("disclosure: cannot open %s: %s", p.whole, strerror(errno));
        err = MM_EIO;
    } else {
        struct stat st;
        uint64_t bytes = (uint64_t)json_integer_value(json_object_get(x, "bytes"));
        if (fstat(*fd, &st) != 0 || (uint64_t)st.st_size != bytes) {
            refuse(why, 500, "storage", "the export of %s on disk is not the one received", id);
            MM_ERROR("disclosure: %s is not %" PRIu64 " bytes", p.whole, bytes);
            err = MM_ECORRUPT;
        } else {
            *size = bytes;
            err = MM_OK;
        }
    }
    if (err != MM_OK) {
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        json_decref(rec);
        return err;
    }
    json_t *fields = json_pack("{s:O}", "sha256", json_object_get(x, "sha256"));
    hub_city_action_t a = action(HUB_ACTION_DISCLOSURE_DOWNLOADED, now_us, site, str(rec, "id"),
                                 who->id, hub_role_name(who->role));
    change_t c = {.d = d,
                  .n = n,
                  .a = &a,
                  .now = now_us,
                  .step = "downloaded",
                  .by = who->id,
                  .fields = fields};
    err = fields ? hub_audit_write(d->audit, change_txn, &c) : MM_ENOMEM;
    if (err == MM_OK) {
        MM_INFO("disclosure %s: export downloaded by %s (%s)", id, who->id, c.download);
    } else {
        refuse(why, 500, "storage", "cannot record the download: %s", mm_strerror(err));
        close(*fd);
        *fd = -1;
        *size = 0;
    }
    json_decref(fields);
    json_decref(rec);
    return err;
}

/* --- what the site logs ----------------------------------------------------------------------*/

void hub_disclosure_applied(hub_disclosure_t *d, int committed)
{
    hub_audit_done(d->audit, committed);
}

/* The site logged that it has request r (its city_request entry). */
static mm_err_t forwarded(hub_disclosure_t *d, MDB_txn *txn, const char *site, uint64_t index,
                          const mm_entry_t *e)
{
    const mm_city_request_entry_t *r = &e->u.city_request;
    uint64_t n = r->kind == MM_REQUEST_KIND_DISCLOSURE ? id_number(r->id) : 0;
    json_t *rec = n ? load(d, txn, n) : NULL;
    mm_err_t err = MM_OK;
    if (rec && !strcmp(str(rec, "site"), site) && !json_object_get(rec, "forwarded_index")) {
        json_object_set_new(rec, "forwarded_index", json_integer((json_int_t)index));
        json_object_set_new(rec, "forwarded_us", json_integer((json_int_t)e->time_us));
        if (!strcmp(str(rec, "state"), "filed"))
            json_object_set_new(rec, "state", json_string("forwarded"));
        err = put(d, txn, n, rec);
    }
    json_decref(rec);
    return err;
}

/* The step's particulars for the hub's log: what identifies the site's entry and what it says,
 * the longer members only while they fit one entry. */
static json_t *step_detail(const mm_disclosure_t *s, uint64_t index, int64_t site_time)
{
    json_t *o =
        json_pack("{s:I, s:I}", "index", (json_int_t)index, "time_us", (json_int_t)site_time);
    if (!o)
        return NULL;
    if (s->has_sha256) {
        char h[65], m[65];
        mm_hex32(s->sha256, h);
        mm_hex32(s->manifest_sha256, m);
        json_object_set_new(o, "sha256", json_string(h));
        json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes));
        json_object_set_new(o, "manifest_sha256", json_string(m));
    }
    if (s->legal_basis != MM_LEGAL_BASIS_NONE)
        json_object_set_new(o, "legal_basis", json_string(mm_legal_basis_name(s->legal_basis)));
    if (s->requester[0])
        json_object_set_new(o, "requester", json_string(s->requester));
    if (s->from_us || s->to_us) {
        json_object_set_new(o, "from_us", json_integer((json_int_t)s->from_us));
        json_object_set_new(o, "to_us", json_integer((json_int_t)s->to_us));
    }
    const char *optional[][2] = {
        {"cameras", s->cameras}, {"reference", s->reference}, {"regions", s->regions}};
    for (size_t i = 0; i < 3; i++) {
        if (!optional[i][1][0])
            continue;
        json_object_set_new(o, optional[i][0], json_string(optional[i][1]));
        char *text = json_dumps(o, JSON_COMPACT);
        size_t n = text ? strlen(text) : SIZE_MAX;
        free(text);
        if (n >= MM_LONG_TEXT_MAX)
            json_object_del(o, optional[i][0]);
    }
    return o;
}

/* States after which no export of the request is taken. */
static int terminal(const char *state)
{
    return !strcmp(state, "refused") || !strcmp(state, "denied") || !strcmp(state, "expired") ||
           !strcmp(state, "released");
}

/* Steps with which the site releases the request's holds. */
static int releases_holds(mm_disclosure_step_t step)
{
    return step == MM_DISCLOSURE_STEP_DENIED || step == MM_DISCLOSURE_STEP_EXPIRED ||
           step == MM_DISCLOSURE_STEP_RELEASED;
}

static int in_history(json_t *rec, const char *step)
{
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(rec, "history"), i, h)
    {
        if (!strcmp(str(h, "step"), step))
            return 1;
    }
    return 0;
}

/* A step the site logged: into the record, and into the hub's log in the same transaction. */
static mm_err_t step(hub_disclosure_t *d, MDB_txn *txn, const char *site, uint64_t index,
                     const mm_entry_t *e)
{
    const mm_disclosure_t *s = &e->u.disclosure;
    uint64_t n = id_number(s->request);
    json_t *rec = n ? load(d, txn, n) : NULL;
    if (!rec || strcmp(str(rec, "site"), site) != 0) {
        MM_WARN("site %s logged step %s of disclosure \"%s\" (entry %" PRIu64
                "), which the hub did not send it",
                site, mm_disclosure_step_name(s->step), s->request, index);
        json_decref(rec);
        return MM_OK;
    }
    /* person: who at the site took the step, or the site itself ("site:<id>" when it fits). */
    char person[MM_ID_MAX];
    if (s->by[0])
        snprintf(person, sizeof person, "%s", s->by);
    else if (strlen(site) + 5 < sizeof person)
        snprintf(person, sizeof person, "site:%s", site);
    else
        snprintf(person, sizeof person, "site");
    hub_city_action_t a =
        action(hub_action_of_step(s->step), mm_now_us(), site, s->request, person, "site");
    a.reason = s->text;
    a.detail = step_detail(s, index, e->time_us);
    uint64_t hindex = 0;
    mm_err_t err = a.detail ? hub_audit_append_in(d->audit, txn, &a, &hindex) : MM_ENOMEM;
    json_decref(a.detail);
    if (err == MM_OK)
        MM_INFO("disclosure %s: site %s logged step %s (entry %" PRIu64 "; hub log %" PRIu64 ")",
                s->request, site, mm_disclosure_step_name(s->step), index, hindex);
    if (err != MM_OK) {
        json_decref(rec);
        return err;
    }

    json_t *h = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "time_us", (json_int_t)e->time_us,
                          "step", mm_disclosure_step_name(s->step), "by", s->by, "text", s->text,
                          "index", (json_int_t)index, "hub_log_index", (json_int_t)hindex);
    if (s->has_sha256) {
        char hx[65], mx[65];
        mm_hex32(s->sha256, hx);
        mm_hex32(s->manifest_sha256, mx);
        json_object_set_new(h, "sha256", json_string(hx));
        json_object_set_new(h, "bytes", json_integer((json_int_t)s->bytes));
        json_object_set_new(h, "manifest_sha256", json_string(mx));
        if (s->step == MM_DISCLOSURE_STEP_EXPORTED)
            json_object_set_new(rec, "export",
                                json_pack("{s:s, s:I, s:s, s:I, s:I}", "sha256", hx, "bytes",
                                          (json_int_t)s->bytes, "manifest_sha256", mx, "index",
                                          (json_int_t)index, "time_us", (json_int_t)e->time_us));
    }
    if (s->regions[0])
        json_object_set_new(h, "regions", json_string(s->regions));
    /* Whether the site keeps footage for the request past retention (R-K2.2.6b): from "held"
     * until the step that released the holds, the first of which says when. */
    if (s->step == MM_DISCLOSURE_STEP_HELD) {
        json_object_set_new(rec, "holding", json_true());
    } else if (releases_holds(s->step)) {
        if (in_history(rec, "held") && !json_object_get(rec, "holds_released_us"))
            json_object_set_new(rec, "holds_released_us", json_integer((json_int_t)e->time_us));
        json_object_set_new(rec, "holding", json_false());
    }
    json_array_append_new(json_object_get(rec, "history"), h);
    if (s->step == MM_DISCLOSURE_STEP_APPROVED && !json_object_get(rec, "approved_index"))
        json_object_set_new(rec, "approved_index", json_integer((json_int_t)index));
    /* Once the hub holds the ciphertext its state is the hub's to say; the site's later steps
     * (delivered, downloaded, released) are history, and "holding" says whether it is released. */
    if (!json_object_get(rec, "received_us"))
        json_object_set_new(rec, "state", json_string(mm_disclosure_step_name(s->step)));
    err = put(d, txn, n, rec);
    json_decref(rec);
    return err;
}

mm_err_t hub_disclosure_apply_in(hub_disclosure_t *d, MDB_txn *txn, const char *site,
                                 uint64_t index, const mm_entry_t *e)
{
    switch (e->kind) {
    case MM_ENTRY_DISCLOSURE:
        return step(d, txn, site, index, e);
    case MM_ENTRY_CITY_REQUEST:
        return forwarded(d, txn, site, index, e);
    default:
        return MM_OK;
    }
}

/* --- chunks of an export ---------------------------------------------------------------------*/

static void ack(mm_export_ack_t *out, mm_export_status_t status, uint64_t have, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));

static void ack(mm_export_ack_t *out, mm_export_status_t status, uint64_t have, const char *fmt,
                ...)
{
    out->status = status;
    out->have = have;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
}

/* The whole ciphertext is at p->whole: the record says so, and the hub's log. */
static void finish(hub_disclosure_t *d, const char *site, uint64_t n, const char *id,
                   const char *sha_hex, uint64_t bytes, int64_t now, mm_export_ack_t *out)
{
    json_t *detail = json_pack("{s:s, s:I}", "sha256", sha_hex, "bytes", (json_int_t)bytes);
    hub_city_action_t a =
        action(HUB_ACTION_DISCLOSURE_RECEIVED, now, site, id, d->keys->name, "hub");
    a.detail = detail;
    change_t c = {.d = d,
                  .n = n,
                  .a = &a,
                  .now = now,
                  .step = "received",
                  .by = d->keys->name,
                  .fields = detail};
    mm_err_t err = detail ? hub_audit_write(d->audit, change_txn, &c) : MM_ENOMEM;
    if (err == MM_OK) {
        MM_INFO("disclosure %s: the export of site %s is here whole (%" PRIu64 " bytes)", id, site,
                bytes);
        ack(out, MM_EXPORT_COMPLETE, bytes, "%s", "");
    } else {
        /* The file stays whole where it is; the next chunk finds it and records it. */
        ack(out, MM_EXPORT_WAIT, 0, "hub storage error: %s", mm_strerror(err));
    }
    json_decref(detail);
}

/* The chunk of an approved, logged export that it matches: stored, or answered. */
static void receive(hub_disclosure_t *d, const char *site, uint64_t n, const char *id, json_t *rec,
                    const mm_export_chunk_t *c, uint64_t bytes, const char *want_hex, int64_t now,
                    mm_export_ack_t *out)
{
    paths_t p;
    if (export_paths(d, site, id, &p) != 0 || ensure_dirs(d, &p) != 0) {
        ack(out, MM_EXPORT_WAIT, 0, "hub storage error: cannot make the export's directory");
        return;
    }
    struct stat st;
    /* A whole file left by a stop between its rename and the commit that records it. */
    if (stat(p.whole, &st) == 0) {
        mm_sha256_ctx_t *ctx = NULL;
        uint8_t got[32];
        char got_hex[65] = "";
        if ((uint64_t)st.st_size == bytes && mm_sha256_create(&ctx) == MM_OK &&
            hash_file(p.whole, bytes, ctx) == MM_OK) {
            mm_sha256_final(ctx, got);
            mm_hex32(got, got_hex);
        }
        mm_sha256_destroy(ctx);
        if (!strcmp(got_hex, want_hex)) {
            finish(d, site, n, id, want_hex, bytes, now, out);
            return;
        }
        unlink(p.whole);
    }
    uint64_t have = 0;
    if (stat(p.part, &st) == 0) {
        have = (uint64_t)st.st_size;
    } else if (errno != ENOENT) {
        ack(out, MM_EXPORT_WAIT, 0, "hub storage error: %s", strerror(errno));
        return;
    }
    /* The part must be of this export: the site may have logged a new one since. */
    const char *part_for = str(rec, "part_sha256");
    if (have > bytes || (have > 0 && strcmp(part_for, want_hex) != 0)) {
        MM_INFO("disclosure %s: the part held is not of the export logged; starting again", id);
        if (empty_file(p.part) != 0) {
            ack(out, MM_EXPORT_WAIT, 0, "hub storage error: %s", strerror(errno));
            return;
        }
        part_forget(d, site, n);
        have = 0;
    }
    if (have == 0 && strcmp(part_for, want_hex) != 0) {
        change_t ch = {.d = d, .n = n, .part_sha256 = want_hex};
        mm_err_t err = mm_db_write(d->db, change_txn, &ch);
        if (err != MM_OK) {
            ack(out, MM_EXPORT_WAIT, 0, "hub storage error: %s", mm_strerror(err));
            return;
        }
    }
    uint8_t want[32];
    mm_hex_decode(want_hex, 64, want, sizeof want);
    part_hash_t *ph;
    if (have < bytes) {
        if (c->offset != have) {
            ack(out, MM_EXPORT_CONTINUE, have, "the hub holds %" PRIu64 " bytes: send from there",
                have);
            return;
        }
        if (c->len == 0) {
            ack(out, MM_EXPORT_CONTINUE, have, "%s", "");
            return;
        }
        ph = part_hash(d, site, n, want, have, p.part);
        if (!ph) {
            ack(out, MM_EXPORT_WAIT, have, "hub storage error: cannot read what it holds");
            return;
        }
        if (append_at(p.part, have, c->data, c->len) != 0) {
            MM_ERROR("disclosure: cannot write %s: %s", p.part, strerror(errno));
            part_forget(d, site, n);
            ack(out, MM_EXPORT_WAIT, have, "hub storage error: cannot store the chunk");
            return;
        }
        mm_sha256_update(ph->ctx, c->data, c->len);
        ph->at += c->len;
        have += c->len;
        if (have < bytes) {
            ack(out, MM_EXPORT_CONTINUE, have, "%s", "");
            return;
        }
    }
    /* All of it: it must be what the site logged. */
    if (bytes == 0 && append_at(p.part, 0, (const uint8_t *)"", 0) != 0) {
        ack(out, MM_EXPORT_WAIT, 0, "hub storage error: %s", strerror(errno));
        return;
    }
    ph = part_hash(d, site, n, want, have, p.part);
    if (!ph) {
        ack(out, MM_EXPORT_WAIT, have, "hub storage error: cannot read what it holds");
        return;
    }
    uint8_t got[32];
    mm_sha256_final(ph->ctx, got);
    part_forget(d, site, n);
    if (memcmp(got, want, 32) != 0) {
        char got_hex[65];
        mm_hex32(got, got_hex);
        MM_WARN("disclosure %s: the %" PRIu64 " bytes from site %s hash to %s, the site logged %s;"
                " emptied",
                id, bytes, site, got_hex, want_hex);
        if (empty_file(p.part) != 0) {
            ack(out, MM_EXPORT_WAIT, 0, "hub storage error: %s", strerror(errno));
            return;
        }
        ack(out, MM_EXPORT_REFUSED, 0, "hash mismatch; send again from 0");
        return;
    }
    if (rename(p.part, p.whole) != 0 || mm_dir_sync(p.dir) != MM_OK) {
        MM_ERROR("disclosure: cannot make %s whole: %s", p.whole, strerror(errno));
        ack(out, MM_EXPORT_WAIT, have, "hub storage error: cannot keep the export");
        return;
    }
    finish(d, site, n, id, want_hex, bytes, now, out);
}

void hub_disclosure_chunk(hub_disclosure_t *d, const char *site, const mm_export_chunk_t *c,
                          int64_t now_us, mm_export_ack_t *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->request, sizeof out->request, "%s", c->request);
    uint64_t n = id_number(c->request);
    json_t *rec = load_read(d, n);
    if (!rec || strcmp(str(rec, "site"), site) != 0) {
        ack(out, MM_EXPORT_REFUSED, 0, "no disclosure request %.64s for site %s", c->request, site);
        json_decref(rec);
        return;
    }
    const char *id = str(rec, "id");
    const char *state = str(rec, "state");
    json_t *x = json_object_get(rec, "export");
    const char *want_hex = str(x, "sha256");
    uint64_t bytes = (uint64_t)json_integer_value(json_object_get(x, "bytes"));
    char got_hex[65];
    mm_hex32(c->sha256, got_hex);
    int same = x && c->total == bytes && !strcmp(got_hex, want_hex);
    if (json_object_get(rec, "received_us")) {
        if (same)
            ack(out, MM_EXPORT_COMPLETE, bytes, "%s", "");
        else
            ack(out, MM_EXPORT_REFUSED, 0,
                "the hub holds the export of %s the site logged, and this is not it", id);
    } else if (terminal(state)) {
        ack(out, MM_EXPORT_REFUSED, 0, "disclosure %s was %s: no export of it is accepted", id,
            state);
    } else if (!x) {
        ack(out, MM_EXPORT_WAIT, 0,
            "the hub has not yet seen the site's \"exported\" step of %s in its verified log", id);
    } else if (!json_object_get(rec, "approved_index")) {
        ack(out, MM_EXPORT_REFUSED, 0, "the site logged an export of %s it never logged approved",
            id);
    } else if (!same) {
        ack(out, MM_EXPORT_REFUSED, 0,
            "not the export the site logged: %s is %" PRIu64 " bytes with SHA-256 %s", id, bytes,
            want_hex);
    } else {
        receive(d, site, n, id, rec, c, bytes, want_hex, now_us, out);
    }
    json_decref(rec);
}
