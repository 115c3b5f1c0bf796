/*
 * disclosure_export.c: the export's ciphertext at the hub (disclosure.h hub_disclosure_chunk).
 *
 * The ciphertext arrives in chunks of at most 512 KiB. A chunk that names no window (an older
 * edge, one chunk in flight) is written and fdatasync'd before it is acknowledged; with a window
 * the part is fdatasync'd once HUB_EXPORT_SYNC bytes (or half the window, if less) are written
 * unsynced, and at the last byte. An acknowledgement's `have` is only ever what is synced, and
 * its `received` what is written, where the next chunk must start. What the hub holds is the
 * length of the ".part" file (synced once when a transfer's hash is made again from it), so a
 * transfer resumes after a broken link or a restart from what is on disk; a power loss that took
 * bytes it had written but not synced is caught by the whole file's hash, which must be the
 * logged one (else the part is emptied and sent again). The record says which export the part
 * is of (the build the edge named, or the logged hash from an edge that names none), because the
 * site may log a new export of the same request, or build it again after a restart. Chunks of a
 * build in progress are taken once the site has logged the request approved, before it logs the
 * export's length and hash: written where the part ends, never declared received until chunks
 * naming the logged length and hash complete it. The SHA-256 is computed as
 * the chunks arrive (a few contexts are kept; after a restart the part on disk is hashed once),
 * so that the last chunk does not stall the loop reading hundreds of megabytes back. Only a
 * whole file whose hash is the one the site logged is kept, and recorded as received in the
 * record and the hub's log in one transaction.
 */
#include "hub/disclosure.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/files.h"
#include "hub/disclosure_codec.h"
#include "hub/disclosure_impl.h"

#define PIECE (256 * 1024) /* bytes read at a time when hashing a file */
#define PART_EXT ".age.part"               /* what an export's name ends with while it arrives */
#define HUB_EXPORT_SYNC (4u * 1024 * 1024) /* most bytes written unsynced in a windowed transfer   \
                                            */

/* --- exports on disk -------------------------------------------------------------------------*/

int hub_disclosure_export_paths(hub_disclosure_t *d, const char *site, const char *id,
                                hub_export_paths_t *p)
{
    int a = snprintf(p->dir, sizeof p->dir, "%s/exports/%s", d->cfg->state_dir, site);
    int b = snprintf(p->part, sizeof p->part, "%s/%s" PART_EXT, p->dir, id);
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

static int ensure_dirs(hub_disclosure_t *d, const hub_export_paths_t *p)
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
    for (size_t i = 0; i < HUB_DISCLOSURE_PART_HASHES; i++) {
        hub_part_hash_t *p = &d->parts[i];
        if (p->n == n && !strcmp(p->site, site)) {
            p->site[0] = 0;
            p->used = 0;
        }
    }
}

/* fdatasyncs the file at path: 0, or -1 with errno. */
static int sync_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fdatasync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* The running hash of the first have bytes of the transfer (site, n) of the export ident (the
 * part's identity): the one kept, or one made again from the part on disk (which is then
 * synced). NULL on an error. */
static hub_part_hash_t *part_hash(hub_disclosure_t *d, const char *site, uint64_t n,
                                  const uint8_t ident[32], uint64_t have, const char *path)
{
    hub_part_hash_t *slot = NULL, *lru = &d->parts[0];
    for (size_t i = 0; i < HUB_DISCLOSURE_PART_HASHES; i++) {
        hub_part_hash_t *p = &d->parts[i];
        if (p->site[0] && p->n == n && !strcmp(p->site, site) && !memcmp(p->ident, ident, 32))
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
    if (hash_file(path, have, slot->ctx) != MM_OK || (have > 0 && sync_file(path) != 0))
        return NULL;
    snprintf(slot->site, sizeof slot->site, "%s", site);
    slot->n = n;
    memcpy(slot->ident, ident, 32);
    slot->at = have;
    slot->synced = have; /* what was written before is synced now */
    slot->used = ++d->tick;
    return slot;
}

/* Writes len bytes at offset of path (made 0600 when new), and fdatasyncs the file if sync. */
static int append_at(const char *path, uint64_t offset, const uint8_t *data, size_t len, int sync)
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
    int rc = done == len && (!sync || fdatasync(fd) == 0) ? 0 : -1;
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
    json_t *detail = hub_disclosure_received_detail(sha_hex, bytes);
    hub_city_action_t a =
        hub_disclosure_action(HUB_ACTION_DISCLOSURE_RECEIVED, now, site, id, d->keys->name, "hub");
    a.detail = detail;
    hub_disclosure_change_t c = {.d = d,
                                 .n = n,
                                 .a = &a,
                                 .now = now,
                                 .step = HUB_DISCLOSURE_STATE_RECEIVED,
                                 .by = d->keys->name};
    mm_err_t err = detail ? hub_audit_write(d->audit, hub_disclosure_change_txn, &c) : MM_ENOMEM;
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

/* One chunk of the export of request n (id) of site, being received. */
typedef struct {
    hub_disclosure_t *d;
    const char *site, *id;
    uint64_t n;
    const hub_disclosure_rec_t *rec;
    const mm_export_chunk_t *c;
    int known;        /* the site has logged the export this chunk is of: */
    uint64_t bytes;   /* its length, */
    uint8_t want[32]; /* and its SHA-256 */
    char want_hex[65];
    const uint8_t *ident; /* the part's identity: the chunk's build, else want */
    int64_t now;
    hub_export_paths_t p;
    mm_export_ack_t *out;
} chunk_t;

/* A whole file left by a stop between its rename and the commit that records it: recorded if it
 * is the export logged (1), else removed (0). */
static int whole_left(chunk_t *k)
{
    struct stat st;
    if (stat(k->p.whole, &st) != 0)
        return 0;
    mm_sha256_ctx_t *ctx = NULL;
    uint8_t got[32];
    int same = 0;
    if ((uint64_t)st.st_size == k->bytes && mm_sha256_create(&ctx) == MM_OK &&
        hash_file(k->p.whole, k->bytes, ctx) == MM_OK) {
        mm_sha256_final(ctx, got);
        same = !memcmp(got, k->want, 32);
    }
    mm_sha256_destroy(ctx);
    if (same) {
        finish(k->d, k->site, k->n, k->id, k->want_hex, k->bytes, k->now, k->out);
        return 1;
    }
    unlink(k->p.whole);
    return 0;
}

/* How much of this export the part on disk holds (a part of another export or build is
 * emptied), the record saying which export the part is of: 0 with *have, or -1 once answered. */
static int part_held(chunk_t *k, uint64_t *have)
{
    struct stat st;
    *have = 0;
    if (stat(k->p.part, &st) == 0) {
        *have = (uint64_t)st.st_size;
    } else if (errno != ENOENT) {
        ack(k->out, MM_EXPORT_WAIT, 0, "hub storage error: %s", strerror(errno));
        return -1;
    }
    /* The part must be of this export: the site may have logged a new one since, or begun
     * building another (a restart builds again, under a new file key). */
    int of_this = hub_members_has(&k->rec->members, HUB_DISCLOSURE_PART) &&
                  !memcmp(k->rec->part_sha256, k->ident, 32);
    if ((k->known && *have > k->bytes) || (*have > 0 && !of_this)) {
        MM_INFO("disclosure %s: the part held is of another export or build; starting again",
                k->id);
        if (empty_file(k->p.part) != 0) {
            ack(k->out, MM_EXPORT_WAIT, 0, "hub storage error: %s", strerror(errno));
            return -1;
        }
        part_forget(k->d, k->site, k->n);
        *have = 0;
    }
    if (*have == 0 && !of_this) {
        hub_disclosure_change_t ch = {.d = k->d, .n = k->n, .part_sha256 = k->ident};
        mm_err_t err = mm_db_write(k->d->db, hub_disclosure_change_txn, &ch);
        if (err != MM_OK) {
            ack(k->out, MM_EXPORT_WAIT, 0, "hub storage error: %s", mm_strerror(err));
            return -1;
        }
    }
    return 0;
}

/* Whether a chunk that brings the part to have bytes, of which ph->synced are synced, is to be
 * synced before it is answered: every chunk of an edge without a window, else every
 * HUB_EXPORT_SYNC (or half the window, if less), and the last one. */
static int sync_now(const chunk_t *k, const hub_part_hash_t *ph, uint64_t have)
{
    uint32_t w = k->c->window;
    uint64_t step = w / 2 < HUB_EXPORT_SYNC ? w / 2 : HUB_EXPORT_SYNC;
    return w == 0 || (k->known && have >= k->bytes) || have - ph->synced >= step;
}

/* The chunk appended where the part ends: 0 with *have moved on to the logged length, or -1 once
 * answered (CONTINUE with `have` what is synced and `received` what is written). */
static int append_chunk(chunk_t *k, uint64_t *have)
{
    const mm_export_chunk_t *c = k->c;
    if (k->known && c->offset + c->len > k->bytes) {
        ack(k->out, MM_EXPORT_REFUSED, 0,
            "a chunk past the end of the export the site logged (%" PRIu64 " bytes)", k->bytes);
        return -1;
    }
    hub_part_hash_t *ph = part_hash(k->d, k->site, k->n, k->ident, *have, k->p.part);
    if (!ph) {
        ack(k->out, MM_EXPORT_WAIT, 0, "hub storage error: cannot read what it holds");
        return -1;
    }
    if (c->offset != *have) {
        ack(k->out, MM_EXPORT_CONTINUE, ph->synced,
            "the hub holds %" PRIu64 " bytes: send from there", *have);
        k->out->received = *have;
        return -1;
    }
    if (c->len == 0) {
        ack(k->out, MM_EXPORT_CONTINUE, ph->synced, "%s", "");
        k->out->received = *have;
        return -1;
    }
    int sync = sync_now(k, ph, *have + c->len);
    if (append_at(k->p.part, *have, c->data, c->len, sync) != 0) {
        MM_ERROR("disclosure: cannot write %s: %s", k->p.part, strerror(errno));
        part_forget(k->d, k->site, k->n);
        ack(k->out, MM_EXPORT_WAIT, 0, "hub storage error: cannot store the chunk");
        return -1;
    }
    mm_sha256_update(ph->ctx, c->data, c->len);
    ph->at += c->len;
    *have += c->len;
    if (sync)
        ph->synced = *have;
    if (!k->known || *have < k->bytes) {
        ack(k->out, MM_EXPORT_CONTINUE, ph->synced, "%s", "");
        k->out->received = *have;
        return -1;
    }
    return 0;
}

/* All of it is in the part: kept whole if it is what the site logged, else emptied. */
static void complete(chunk_t *k, uint64_t have)
{
    if (k->bytes == 0 && append_at(k->p.part, 0, (const uint8_t *)"", 0, 1) != 0) {
        ack(k->out, MM_EXPORT_WAIT, 0, "hub storage error: %s", strerror(errno));
        return;
    }
    hub_part_hash_t *ph = part_hash(k->d, k->site, k->n, k->ident, have, k->p.part);
    if (!ph) {
        ack(k->out, MM_EXPORT_WAIT, have, "hub storage error: cannot read what it holds");
        return;
    }
    uint8_t got[32];
    mm_sha256_final(ph->ctx, got);
    part_forget(k->d, k->site, k->n);
    if (memcmp(got, k->want, 32) != 0) {
        char got_hex[65];
        mm_hex32(got, got_hex);
        MM_WARN("disclosure %s: the %" PRIu64 " bytes from site %s hash to %s, the site logged %s;"
                " emptied",
                k->id, k->bytes, k->site, got_hex, k->want_hex);
        if (empty_file(k->p.part) != 0) {
            ack(k->out, MM_EXPORT_WAIT, 0, "hub storage error: %s", strerror(errno));
            return;
        }
        ack(k->out, MM_EXPORT_REFUSED, 0, "hash mismatch; send again from 0");
        return;
    }
    if (rename(k->p.part, k->p.whole) != 0 || mm_dir_sync(k->p.dir) != MM_OK) {
        MM_ERROR("disclosure: cannot make %s whole: %s", k->p.whole, strerror(errno));
        ack(k->out, MM_EXPORT_WAIT, have, "hub storage error: cannot keep the export");
        return;
    }
    finish(k->d, k->site, k->n, k->id, k->want_hex, k->bytes, k->now, k->out);
}

/* The chunk of an approved export, logged and matched or still being built: stored, or
 * answered. */
static void receive(chunk_t *k)
{
    if (hub_disclosure_export_paths(k->d, k->site, k->id, &k->p) != 0 ||
        ensure_dirs(k->d, &k->p) != 0) {
        ack(k->out, MM_EXPORT_WAIT, 0, "hub storage error: cannot make the export's directory");
        return;
    }
    uint64_t have;
    if ((k->known && whole_left(k)) || part_held(k, &have) != 0)
        return;
    if ((!k->known || have < k->bytes) && append_chunk(k, &have) != 0)
        return;
    complete(k, have);
}

int hub_disclosure_ended(hub_disclosure_state_t state)
{
    return state == HUB_DISCLOSURE_STATE_REFUSED || state == HUB_DISCLOSURE_STATE_DENIED ||
           state == HUB_DISCLOSURE_STATE_EXPIRED || state == HUB_DISCLOSURE_STATE_RELEASED;
}

/* What to answer a chunk of rec's export that the hub has not received whole yet; 1 when the
 * chunk is to be received (k->known then says whether its length and hash are logged). A chunk
 * of a build in progress is taken once the site has logged the request approved: when the
 * request is approved again after a failure, the export logged before is not this one. */
static int answer(chunk_t *k)
{
    const hub_disclosure_rec_t *rec = k->rec;
    const mm_export_chunk_t *c = k->c;
    int logged = hub_members_has(&rec->members, HUB_DISCLOSURE_EXPORT);
    int same = logged && !c->building && c->total == k->bytes && !memcmp(c->sha256, k->want, 32);
    k->known = logged && rec->state != HUB_DISCLOSURE_STATE_APPROVED;
    k->ident = c->has_build ? c->build : k->want;
    if (hub_members_has(&rec->members, HUB_DISCLOSURE_RECEIVED)) {
        if (same)
            ack(k->out, MM_EXPORT_COMPLETE, k->bytes, "%s", "");
        else if (c->building) /* sent before the build ended: its end's chunks are answered */
            ack(k->out, MM_EXPORT_WAIT, 0, "the hub holds the export of %s the site logged", k->id);
        else
            ack(k->out, MM_EXPORT_REFUSED, 0,
                "the hub holds the export of %s the site logged, and this is not it", k->id);
    } else if (hub_disclosure_ended(rec->state)) {
        ack(k->out, MM_EXPORT_REFUSED, 0, "disclosure %s was %s: no export of it is accepted",
            k->id, hub_disclosure_state_name(rec->state));
    } else if (c->building && rec->state == HUB_DISCLOSURE_STATE_APPROVED) {
        return 1;
    } else if (c->building && rec->state == HUB_DISCLOSURE_STATE_EXPORTED &&
               hub_members_has(&rec->members, HUB_DISCLOSURE_APPROVED)) {
        return 1; /* the last chunks of a build, sent before the site logged it exported */
    } else if (c->building || !logged || !k->known) {
        ack(k->out, MM_EXPORT_WAIT, 0,
            "the hub has not yet seen the site's \"%s\" step of %s in its verified log",
            c->building ? "approved" : "exported", k->id);
    } else if (!hub_members_has(&rec->members, HUB_DISCLOSURE_APPROVED)) {
        ack(k->out, MM_EXPORT_REFUSED, 0,
            "the site logged an export of %s it never logged approved", k->id);
    } else if (!same) {
        ack(k->out, MM_EXPORT_REFUSED, 0,
            "not the export the site logged: %s is %" PRIu64 " bytes with SHA-256 %s", k->id,
            k->bytes, k->want_hex);
    } else {
        return 1;
    }
    return 0;
}

void hub_disclosure_chunk(hub_disclosure_t *d, const char *site, const mm_export_chunk_t *c,
                          int64_t now_us, mm_export_ack_t *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->request, sizeof out->request, "%s", c->request);
    uint64_t n = hub_disclosure_number(c->request);
    hub_disclosure_rec_t *rec = malloc(sizeof *rec);
    mm_err_t err = rec ? hub_disclosure_load_read(d, n, rec) : MM_ENOMEM;
    if (err != MM_OK || strcmp(rec->site, site) != 0) {
        ack(out, MM_EXPORT_REFUSED, 0, "no disclosure request %.64s for site %s", c->request, site);
    } else {
        chunk_t k = {.d = d,
                     .site = site,
                     .id = rec->id,
                     .n = n,
                     .rec = rec,
                     .c = c,
                     .now = now_us,
                     .out = out};
        if (hub_members_has(&rec->members, HUB_DISCLOSURE_EXPORT)) {
            k.bytes = rec->export.bytes;
            memcpy(k.want, rec->export.sha256, 32);
            mm_hex32(k.want, k.want_hex);
        }
        if (answer(&k))
            receive(&k);
    }
    if (rec)
        hub_disclosure_rec_deinit(rec);
    free(rec);
}

/* --- parts of requests that ended ------------------------------------------------------------*/

void hub_disclosure_drop_part(hub_disclosure_t *d, const char *site, const char *id)
{
    hub_export_paths_t p;
    if (hub_disclosure_export_paths(d, site, id, &p) != 0)
        return;
    part_forget(d, site, hub_disclosure_number(id));
    if (unlink(p.part) == 0)
        MM_INFO("disclosure %s: removed the part of its export that site %s had sent: the "
                "request ended, and the hub will never take it whole",
                id, site);
    else if (errno != ENOENT)
        MM_WARN("disclosure %s: cannot remove %s: %s", id, p.part, strerror(errno));
}

/* The part name's request, if name is "<id>" PART_EXT of a disclosure: its number, else 0. */
static uint64_t part_of(const char *name, char id[MM_ID_MAX])
{
    size_t len = strlen(name), e = sizeof PART_EXT - 1;
    if (len <= e || len - e >= MM_ID_MAX || strcmp(name + len - e, PART_EXT) != 0)
        return 0;
    memcpy(id, name, len - e);
    id[len - e] = 0;
    return hub_disclosure_number(id);
}

/* The parts in one site's folder of exports. */
static void sweep_site(hub_disclosure_t *d, const char *site, const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    hub_disclosure_rec_t rec;
    struct dirent *de;
    while ((de = readdir(dp))) {
        char id[MM_ID_MAX];
        uint64_t n = part_of(de->d_name, id);
        if (!n || hub_disclosure_load_read(d, n, &rec) != MM_OK)
            continue; /* not a part, or of no request the hub knows: left alone */
        if (!strcmp(rec.site, site) && (hub_disclosure_ended(rec.state) ||
                                        hub_members_has(&rec.members, HUB_DISCLOSURE_RECEIVED)))
            hub_disclosure_drop_part(d, site, id);
        hub_disclosure_rec_deinit(&rec);
    }
    closedir(dp);
}

void hub_disclosure_sweep_parts(hub_disclosure_t *d)
{
    char exports[PATH_MAX];
    snprintf(exports, sizeof exports, "%s/exports", d->cfg->state_dir);
    DIR *dp = opendir(exports);
    if (!dp)
        return; /* no export yet */
    struct dirent *de;
    while ((de = readdir(dp))) {
        char dir[PATH_MAX];
        if (de->d_name[0] == '.' || strlen(de->d_name) >= MM_ID_MAX ||
            snprintf(dir, sizeof dir, "%s/%s", exports, de->d_name) >= (int)sizeof dir)
            continue;
        sweep_site(d, de->d_name, dir); /* a folder is a site's: its records must say so */
    }
    closedir(dp);
}
