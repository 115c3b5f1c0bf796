/*
 * mirror.c: verifying and storing site logs at the hub (see mirror.h and docs/protocol.md).
 */
#include "hub/mirror.h"

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/entry.h"

#include "hub/integrity.h"

#define MIRROR_HELPERS_MAX 3 /* threads beside the loop thread: checks, leaves, decoding */

struct batch;

struct hub_mirror {
    mm_db_t *db;
    mm_log_t *log;
    MDB_dbi sites;
    MDB_dbi state;
    MDB_dbi epochs;
    const hub_config_t *cfg;
    const mm_keypair_t *keys;
    hub_findings_t *findings;
    hub_registry_t *registry; /* NULL: entries are only mirrored */
    void (*learned)(void *arg, const char *site);
    void *learned_arg;
    hub_mirror_observer observer;
    void *observer_arg;
    hub_mirror_applier_t applier; /* apply NULL: none */
    hub_mirror_watcher_t watcher;
    uint64_t accepted, refused;   /* batches answered, for the metrics */
    /* The entries of the batch in the transaction, decoded, and of the next one (decoded ahead
     * by a helper meanwhile): each for scratch_cap entries. */
    mm_entry_t *scratch[2];
    size_t scratch_cap;
    mm_ed25519_signer_t *signer; /* the hub's key made ready for cosigning; NULL: keys->sign */
    /* Helpers beside the loop thread: they check signatures, cosign, hash leaves and decode
     * entries, touching only the batch a task names, never LMDB. A group's tasks are queued in
     * tasks[0 .. n_tasks) (of cap), taken in order from first_pending; the loop thread waits for
     * the one it needs next, doing it itself when nobody has taken it yet (task_wait). */
    pthread_t helpers[MIRROR_HELPERS_MAX];
    size_t n_helpers;
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    struct task *tasks;
    size_t n_tasks, cap_tasks, first_pending;
    int stopping;
};

void hub_mirror_set_registry(hub_mirror_t *m, hub_registry_t *r,
                             void (*learned)(void *arg, const char *site), void *arg)
{
    m->registry = r;
    m->learned = learned;
    m->learned_arg = arg;
}

void hub_mirror_set_observer(hub_mirror_t *m, hub_mirror_observer fn, void *arg)
{
    m->observer = fn;
    m->observer_arg = arg;
}

void hub_mirror_set_applier(hub_mirror_t *m, const hub_mirror_applier_t *a)
{
    m->applier = *a;
}

void hub_mirror_set_watcher(hub_mirror_t *m, const hub_mirror_watcher_t *w)
{
    m->watcher = *w;
}

void hub_mirror_counts(const hub_mirror_t *m, uint64_t *accepted, uint64_t *refused)
{
    *accepted = m->accepted;
    *refused = m->refused;
}

static void helpers_start(hub_mirror_t *m);
static void helpers_stop(hub_mirror_t *m);

mm_err_t hub_mirror_open(mm_db_t *db, const hub_config_t *cfg, const mm_keypair_t *keys,
                         hub_findings_t *findings, hub_mirror_t **out)
{
    hub_mirror_t *m = calloc(1, sizeof *m);
    if (!m)
        return MM_ENOMEM;
    m->db = db;
    m->cfg = cfg;
    m->keys = keys;
    m->findings = findings;
    mm_err_t err = mm_log_open_with(db, MM_LOG_OWN_TABLES, &m->log);
    if (err == MM_OK)
        err = mm_db_dbi(db, "hub.sites", 0, &m->sites);
    if (err == MM_OK)
        err = mm_db_dbi(db, "hub.state", 0, &m->state);
    if (err == MM_OK)
        err = mm_db_dbi(db, "hub.epochs", 0, &m->epochs);
    if (err != MM_OK) {
        hub_mirror_close(m);
        return err;
    }
    /* Without it each cosignature derives the public key again (mm_cosig_sign still works). */
    if (keys->sign.has_secret && mm_ed25519_signer_new(&keys->sign, &m->signer) != MM_OK)
        m->signer = NULL;
    helpers_start(m);
    *out = m;
    return MM_OK;
}

void hub_mirror_close(hub_mirror_t *m)
{
    if (!m)
        return;
    helpers_stop(m);
    mm_ed25519_signer_free(m->signer);
    mm_log_close(m->log);
    free(m->scratch[0]);
    free(m->scratch[1]);
    free(m->tasks);
    free(m);
}

/* --- site ids to log ids -------------------------------------------------------------------*/

static mm_err_t lookup_id(hub_mirror_t *m, MDB_txn *txn, const char *site, uint32_t *id)
{
    MDB_val k = {strlen(site), (void *)site}, v;
    int rc = mdb_get(txn, m->sites, &k, &v);
    if (rc != 0)
        return mm_db_err(rc, "read site log id");
    if (v.mv_size != 4)
        return MM_ECORRUPT;
    *id = mm_be32_get(v.mv_data);
    return MM_OK;
}

typedef struct {
    hub_mirror_t *m;
    const char *site;
    uint32_t id;
} assign_t;

#define EPOCH_RECORD 12 /* hub.epochs: per closed log, its id (BE32) and size (BE64) */
static mm_err_t max_id(MDB_txn *txn, MDB_dbi dbi, size_t stride, uint32_t *max);

static mm_err_t assign_txn(MDB_txn *txn, void *arg)
{
    assign_t *a = arg;
    if (lookup_id(a->m, txn, a->site, &a->id) == MM_OK)
        return MM_OK;
    /* Log ids start at 1; the hub's own log is 0. The next is one past the highest in use, the
     * closed logs of sites that began anew included (hub.epochs). */
    uint32_t max = 0;
    mm_err_t err = max_id(txn, a->m->sites, 4, &max);
    if (err == MM_OK)
        err = max_id(txn, a->m->epochs, EPOCH_RECORD, &max);
    if (err != MM_OK)
        return err;
    a->id = max + 1;
    uint8_t b[4];
    mm_be32_put(b, a->id);
    MDB_val k = {strlen(a->site), (void *)a->site}, v = {4, b};
    return mm_db_err(mdb_put(txn, a->m->sites, &k, &v, MDB_NOOVERWRITE), "assign site log id");
}

static mm_err_t site_log(hub_mirror_t *m, const char *site, int create, uint32_t *id)
{
    MDB_txn *txn;
    mm_err_t err = mm_db_read(m->db, &txn);
    if (err != MM_OK)
        return err;
    err = lookup_id(m, txn, site, id);
    mdb_txn_abort(txn);
    if (err != MM_ENOTFOUND || !create)
        return err;
    assign_t a = {m, site, 0};
    err = mm_db_write(m->db, assign_txn, &a);
    if (err == MM_OK)
        *id = a.id;
    return err;
}

/* --- answers ---------------------------------------------------------------------------------*/

static void answer(hub_answer_t *out, mm_ack_status_t status, uint64_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void answer(hub_answer_t *out, mm_ack_status_t status, uint64_t size, const char *fmt, ...)
{
    out->ack.status = status;
    out->ack.size = size;
    out->ack.features = MM_HUB_FEATURES;
    out->ack.cosignature = out->cosignature;
    out->ack.reason = out->reason;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
}

void hub_mirror_malformed(hub_mirror_t *m, const char *site, mm_err_t why, const char *what,
                          int64_t now_us, hub_answer_t *out)
{
    memset(out, 0, sizeof *out);
    hub_site_state_t st = {0};
    hub_mirror_state(m, site, &st);
    hub_findings_raise(m->findings, site, "malformed_message", HUB_SEVERITY_MEDIUM,
                       mm_err_name(why), NULL, now_us, "a message from the site was refused: %s",
                       what);
    answer(out, MM_ACK_REFUSED, st.size, "%s", what);
    m->refused++;
}

void hub_mirror_bad_frame(hub_mirror_t *m, const char *site, const char *kind, size_t parts,
                          uint64_t bytes, int64_t now_us, hub_answer_t *out)
{
    memset(out, 0, sizeof *out);
    hub_site_state_t st = {0};
    hub_mirror_state(m, site, &st);
    hub_evidence_t ev = {0};
    hub_evidence_int(&ev, "parts", (int64_t)parts);
    hub_evidence_int(&ev, "bytes", (int64_t)bytes);
    char what[160];
    if (parts != 1)
        snprintf(what, sizeof what,
                 "a message of %zu parts (%" PRIu64 " bytes); a site sends one frame at a time",
                 parts, bytes);
    else
        snprintf(what, sizeof what, "a message of %" PRIu64 " bytes; the most is %d", bytes,
                 MM_WIRE_MAX);
    hub_findings_raise(m->findings, site, kind, HUB_SEVERITY_MEDIUM, "", &ev, now_us,
                       "a message from the site was refused unread: %s", what);
    hub_evidence_deinit(&ev);
    answer(out, MM_ACK_REFUSED, st.size, "%s", what);
    m->refused++;
}

/* --- the batch -------------------------------------------------------------------------------*/

/*
 * Batches are answered in groups (hub_mirror_batches): each is checked alone (its form, the
 * site's signature, then the cosignature and the leaf hashes) by a task queued for the helper
 * threads; meanwhile ONE write transaction takes the batches in order, waiting for each one's
 * checks in its turn, so the helpers check the batches ahead while the loop thread stores. The
 * batches that passed go in, each decoding its entries there (into two arrays the mirror keeps,
 * the batch being stored and the next, decoded ahead by a task, so that a group never holds more
 * than two batches' decoded entries: an mm_entry_t is large) and deciding against what the
 * transaction already holds (so two batches of one site in a group follow each other); then one
 * synced commit; and only then is each answered, its findings raised and its observers told,
 * and the refused checkpoints' findings raised (report: a finding is a transaction of its own).
 * A batch
 * refused inside the transaction (a fork, a root that does not match, an epoch not the next) is
 * refused before it writes anything, so the others still commit. An error of storage aborts the
 * whole transaction; the group then goes again one batch at a time, so that it costs only the
 * batch that meets it.
 */
typedef enum {
    OUT_NONE,       /* not in the transaction (answered by check, or storage failed) */
    OUT_STORED,     /* new entries stored */
    OUT_WRONG_SIZE, /* starts beyond what the hub holds */
    OUT_HELD,       /* a resend of what the hub holds, root matching */
    OUT_HELD_FORK,  /* a resend whose root differs from the hub's */
    OUT_REFUSED,    /* refused in the transaction: refusal says why */
    OUT_MALFORMED   /* entry bad_index is not a log entry (bad_err) */
} outcome_t;

/* What the checks of a checkpoint found (verify). */
enum {
    VERDICT_OK,        /* checked and cosigned */
    VERDICT_FORM,      /* the note or its body does not parse (verr) */
    VERDICT_SIGNATURE, /* not signed by the site's key, or a bad signature (verr) */
    VERDICT_ORIGIN,    /* names another log */
    VERDICT_SIZE,      /* its size is not first_index + n_entries */
    VERDICT_COSIGN,    /* the hub could not cosign it (verr) */
    VERDICT_MEMORY     /* no memory for the cosigned note */
};

/* One batch being answered: what every step of it needs. */
typedef struct batch {
    hub_mirror_t *m;
    const char *site;
    const hub_site_conf_t *sc;
    const mm_batch_t *b;
    int64_t now_us;
    hub_answer_t *out;
    mm_note_t note;
    mm_checkpoint_t cp;
    mm_entry_t *decoded; /* b's entries decoded, in the transaction only (the mirror's scratch) */
    int ahead;           /* decoded (or being decoded) by a task: decode_entries */
    size_t verify_task;  /* the task of verify() (to_check) */
    size_t decode_task;  /* the task of decode_entries() (ahead) */
    mm_err_t dec_err;    /* what decode_entries found: MM_OK, or the error of entry dec_bad */
    uint64_t dec_bad;
    mm_log_restarted_t restart_entry; /* entry 0, when it is a log_restarted */
    char *cosigned;      /* note + the hub's cosignature line, made before the transaction */
    size_t cosigned_len;
    int live; /* checked and cosigned: goes into the transaction */
    mm_hash_t *leaves; /* the leaf hash of each of b's entries (verify), or NULL: hashed here */
    /* What verify() found, before any finding is raised (report() raises them). */
    int to_check;      /* the site is known: its checkpoint is to be checked */
    int verdict;       /* VERDICT_* */
    mm_err_t verr;     /* VERDICT_FORM, VERDICT_SIGNATURE, VERDICT_COSIGN: why */
    /* Set in the write transaction, from the start at each attempt. */
    outcome_t outcome;
    mm_err_t refusal;
    uint32_t id;          /* the site's log (a new one when begun anew) */
    uint64_t held;        /* entries the hub holds of it (before this batch) */
    int restart;          /* entry 0 is a log_restarted the hub's log does not hold */
    uint32_t closed_id;   /* restart: the site's log the hub closed, */
    uint64_t closed_size; /* at this size */
    uint32_t epoch_want;  /* restart refused: the epoch the hub expects */
    int fork;             /* refused: entry fork_index sent again differs */
    uint64_t fork_index;
    mm_hash_t computed; /* the root the hub computed (a mismatch, or a resend's) */
    int registry_changed;
    uint64_t bad_index; /* OUT_MALFORMED */
    mm_err_t bad_err;
} batch_t;

#define EARLIER_SCAN_MAX 100000 /* entries looked at for a site's first recording, once */

/* The first segment_recorded entry below before in the site's log (registry.h
 * hub_registry_earlier_fn); arg is the batch_t. Peeks at each entry, decodes only that one. */
static mm_err_t earlier_segment(void *arg, MDB_txn *txn, uint64_t before, mm_entry_t *e,
                                uint64_t *index)
{
    batch_t *s = arg;
    for (uint64_t i = 0; i < before && i < EARLIER_SCAN_MAX; i++) {
        const void *d;
        size_t len;
        mm_entry_kind_t kind;
        mm_err_t err = mm_log_get(s->m->log, txn, s->id, i, &d, &len);
        if (err != MM_OK)
            return err;
        if (mm_entry_peek(d, len, &kind, NULL) != MM_OK || kind != MM_ENTRY_SEGMENT_RECORDED)
            continue;
        if (mm_entry_decode(d, len, e) != MM_OK)
            continue;
        *index = i;
        return MM_OK;
    }
    return MM_ENOTFOUND;
}

/* The highest log id in use in dbi (hub.sites: BE32 values; hub.epochs: 12-byte records whose
 * first 4 bytes are a log id) into *max. */
static mm_err_t max_id(MDB_txn *txn, MDB_dbi dbi, size_t stride, uint32_t *max)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0)
        return mm_db_err(rc, "open cursor for log ids");
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        for (size_t at = 0; at + 4 <= v.mv_size; at += stride) {
            uint32_t id = mm_be32_get((const uint8_t *)v.mv_data + at);
            if (id > *max)
                *max = id;
        }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? MM_OK : mm_db_err(rc, "walk log ids");
}

/*
 * A site's log begun anew (log_restarted as entry 0, of the epoch after the logs closed so far):
 * the log held is closed at its size (hub.epochs), the site gets a new log id, and s->id is it.
 * MM_ECONFLICT (s->epoch_want set) for an epoch that is not the next.
 */

/* The epoch a log_restarted in entry 0 must carry: one past the logs of site closed so far.
 * MM_ECONFLICT (s->epoch_want set) when it does not; reads only. */
static mm_err_t restart_epoch(batch_t *s, MDB_txn *txn)
{
    MDB_val k = {strlen(s->site), (void *)s->site}, v;
    int rc = mdb_get(txn, s->m->epochs, &k, &v);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return mm_db_err(rc, "read hub.epochs");
    s->epoch_want = (uint32_t)(rc == 0 ? v.mv_size / EPOCH_RECORD : 0) + 1;
    return s->restart_entry.epoch == s->epoch_want ? MM_OK : MM_ECONFLICT;
}

/*
 * A site's log begun anew (its epoch checked by restart_epoch): the log held is closed at its
 * size (hub.epochs), the site gets a new log id, and s->id is it.
 */
static mm_err_t restart_in(batch_t *s, MDB_txn *txn)
{
    hub_mirror_t *m = s->m;
    MDB_val k = {strlen(s->site), (void *)s->site}, v;
    size_t closed = s->epoch_want - 1;
    uint8_t *rec = NULL;
    int rc = closed ? mdb_get(txn, m->epochs, &k, &v) : 0;
    if (rc != 0)
        return mm_db_err(rc, "read hub.epochs");
    uint64_t held;
    uint32_t max = 0;
    mm_err_t err = mm_log_size(m->log, txn, s->id, &held);
    if (err == MM_OK)
        err = max_id(txn, m->sites, 4, &max);
    if (err == MM_OK)
        err = max_id(txn, m->epochs, EPOCH_RECORD, &max);
    if (err == MM_OK && !(rec = malloc((closed + 1) * EPOCH_RECORD)))
        err = MM_ENOMEM;
    if (err != MM_OK)
        return err;
    if (closed)
        memcpy(rec, v.mv_data, closed * EPOCH_RECORD);
    mm_be32_put(rec + closed * EPOCH_RECORD, s->id);
    mm_be64_put(rec + closed * EPOCH_RECORD + 4, held);
    MDB_val ev = {(closed + 1) * EPOCH_RECORD, rec};
    rc = mdb_put(txn, m->epochs, &k, &ev, 0);
    free(rec);
    if (rc != 0)
        return mm_db_err(rc, "put hub.epochs");
    uint8_t idb[4];
    mm_be32_put(idb, max + 1);
    MDB_val iv = {4, idb};
    rc = mdb_put(txn, m->sites, &k, &iv, 0);
    if (rc != 0)
        return mm_db_err(rc, "put the site's new log id");
    s->closed_id = s->id;
    s->closed_size = held;
    s->id = max + 1;
    s->held = 0;
    return MM_OK;
}

/* The leaf hash of the batch's entry i (from its first), made by verify when it could. */
static void leaf_of(const batch_t *x, size_t i, mm_hash_t *out)
{
    if (x->leaves)
        *out = x->leaves[i];
    else
        mm_merkle_leaf_hash(x->b->entries[i].data, x->b->entries[i].len, out);
}

/* Refuses s inside the transaction (nothing of it written): MM_OK, so the group goes on. */
static mm_err_t refuse_in(batch_t *s, mm_err_t why)
{
    s->outcome = OUT_REFUSED;
    s->refusal = why;
    return MM_OK;
}

/* The registry, the applier and the watcher learn from the new entries [held, size), then the
 * site's state: all in txn. */
static mm_err_t learn_in(batch_t *s, MDB_txn *txn, uint64_t held)
{
    hub_mirror_t *m = s->m;
    const mm_batch_t *b = s->b;
    mm_err_t err = MM_OK;
    if (m->registry && held < s->cp.size) {
        hub_registry_batch_t rb;
        hub_registry_batch_begin(&rb, m->registry, txn, s->site);
        rb.earlier = earlier_segment;
        rb.earlier_arg = s;
        for (uint64_t i = held; i < s->cp.size && err == MM_OK; i++)
            err = hub_registry_apply(&rb, i, &s->decoded[i - b->first_index]);
        mm_err_t end = hub_registry_batch_end(&rb, err == MM_OK);
        if (err == MM_OK)
            err = end;
        if (err != MM_OK)
            return err;
        s->registry_changed = rb.dirty;
    }
    for (uint64_t i = held; m->applier.apply && i < s->cp.size; i++) {
        err = m->applier.apply(m->applier.arg, txn, s->site, i, &s->decoded[i - b->first_index]);
        if (err != MM_OK)
            return err;
    }
    if (m->watcher.stored && held < s->cp.size) {
        err = m->watcher.stored(m->watcher.arg, txn, s->site, s->now_us, &s->cp, held,
                                &s->decoded[held - b->first_index], (size_t)(s->cp.size - held));
        if (err != MM_OK)
            return err;
    }
    uint8_t key[4];
    mm_be32_put(key, s->id);
    MDB_val k = {4, key}, v = {8 + s->cosigned_len, NULL};
    int rc = mdb_put(txn, m->state, &k, &v, MDB_RESERVE);
    if (rc != 0)
        return mm_db_err(rc, "put site state");
    mm_be64_put(v.mv_data, (uint64_t)s->now_us);
    memcpy((uint8_t *)v.mv_data + 8, s->cosigned, s->cosigned_len);
    return MM_OK;
}

/* 3. New entries, in txn: stored if, with what the hub holds, they hash to the signed root.
 * Every check comes before the first write. */
static mm_err_t store_in(batch_t *s, MDB_txn *txn)
{
    hub_mirror_t *m = s->m;
    const mm_batch_t *b = s->b;
    mm_err_t err;
    if (s->restart) {
        if ((err = restart_epoch(s, txn)) != MM_OK)
            return err == MM_ECONFLICT ? refuse_in(s, err) : err;
        /* The new log holds nothing: the batch alone must make the signed root. */
        mm_merkle_range_t r;
        mm_merkle_range_init(&r);
        for (size_t i = 0; i < b->n_entries; i++) {
            mm_hash_t leaf;
            leaf_of(s, i, &leaf);
            mm_merkle_range_append(&r, &leaf, NULL, NULL);
        }
        mm_merkle_range_root(&r, &s->computed);
        if (memcmp(s->computed.b, s->cp.root.b, MM_HASH_LEN) != 0)
            return refuse_in(s, MM_EVERIFY);
        if ((err = restart_in(s, txn)) != MM_OK)
            return err;
    }
    uint64_t held = s->held;
    /* The overlap must be what we hold. */
    for (uint64_t i = b->first_index; i < held; i++) {
        mm_hash_t ours, theirs;
        if ((err = mm_log_leaf(m->log, txn, s->id, i, &ours)) != MM_OK)
            return err;
        leaf_of(s, (size_t)(i - b->first_index), &theirs);
        if (memcmp(ours.b, theirs.b, MM_HASH_LEN) != 0) {
            s->fork = 1;
            s->fork_index = i;
            return refuse_in(s, MM_EVERIFY);
        }
    }
    size_t from = (size_t)(held - b->first_index);
    err = mm_log_append_hashed(m->log, txn, s->id, &b->entries[from],
                               s->leaves ? &s->leaves[from] : NULL, (size_t)(s->cp.size - held),
                               &s->cp.root, &s->computed);
    if (err == MM_EVERIFY || err == MM_ETOOBIG)
        return refuse_in(s, err); /* nothing of this batch was written */
    if (err != MM_OK)
        return err;
    s->outcome = OUT_STORED;
    return learn_in(s, txn, held);
}

/* Whether the batch begins the site's log anew: from index 0, its first entry a log_restarted
 * that is not the first entry the hub holds (a resend of a log already begun anew is not). */
static int begins_anew(batch_t *x, MDB_txn *txn)
{
    const mm_batch_t *b = x->b;
    if (b->first_index != 0 || b->n_entries == 0 || x->held == 0 ||
        x->decoded[0].kind != MM_ENTRY_LOG_RESTARTED)
        return 0;
    mm_hash_t ours, theirs;
    mm_err_t err = mm_log_leaf(x->m->log, txn, x->id, 0, &ours);
    leaf_of(x, 0, &theirs);
    return err == MM_OK && memcmp(ours.b, theirs.b, MM_HASH_LEN) != 0;
}

/* Decodes the batch's entries into x->decoded, stopping at the first that is not a log entry
 * (x->dec_err, x->dec_bad). Touches nothing but x and what x->decoded points to, so that a
 * helper decodes the next batch while the loop thread stores this one. */
static void decode_entries(batch_t *x)
{
    const mm_batch_t *b = x->b;
    x->dec_err = MM_OK;
    for (size_t i = 0; i < b->n_entries; i++) {
        mm_err_t de = mm_entry_decode(b->entries[i].data, b->entries[i].len, &x->decoded[i]);
        if (de != MM_OK) {
            x->dec_err = de;
            x->dec_bad = b->first_index + i;
            return;
        }
    }
}

/* The batch's entries decoded (x->decoded, set by group_txn; by a helper already when
 * x->ahead): OUT_MALFORMED for the first that is not a log entry. */
static mm_err_t decode_in(batch_t *x)
{
    const mm_batch_t *b = x->b;
    if (!x->ahead)
        decode_entries(x);
    if (x->dec_err != MM_OK) {
        x->outcome = OUT_MALFORMED;
        x->bad_index = x->dec_bad;
        x->bad_err = x->dec_err;
        return MM_OK;
    }
    if (b->n_entries && x->decoded[0].kind == MM_ENTRY_LOG_RESTARTED)
        x->restart_entry = x->decoded[0].u.log_restarted;
    return MM_OK;
}

/* 2. Where a checked batch stands against what the transaction holds, and what it does. */
static mm_err_t step_in(batch_t *x, MDB_txn *txn)
{
    x->outcome = OUT_NONE;
    x->restart = 0;
    x->closed_id = 0;
    x->closed_size = 0;
    x->fork = 0;
    x->registry_changed = 0;
    mm_err_t err = lookup_id(x->m, txn, x->site, &x->id);
    if (err == MM_ENOTFOUND) {
        assign_t a = {x->m, x->site, 0};
        err = assign_txn(txn, &a);
        x->id = a.id;
    }
    if (err == MM_OK)
        err = mm_log_size(x->m->log, txn, x->id, &x->held);
    if (err == MM_OK)
        err = decode_in(x);
    if (err != MM_OK || x->outcome == OUT_MALFORMED)
        return err;
    const mm_batch_t *b = x->b;
    if ((x->restart = begins_anew(x, txn)))
        return store_in(x, txn);
    if (b->first_index > x->held) {
        x->outcome = OUT_WRONG_SIZE;
        return MM_OK;
    }
    if (x->cp.size > x->held)
        return store_in(x, txn);
    /* A batch that ends within what the hub holds: a resend, or a fork. */
    if (x->cp.size == 0)
        mm_merkle_empty_root(&x->computed);
    else if ((err = mm_log_root(x->m->log, txn, x->id, x->cp.size, &x->computed)) != MM_OK)
        return err;
    x->outcome = memcmp(x->computed.b, x->cp.root.b, MM_HASH_LEN) == 0 ? OUT_HELD : OUT_HELD_FORK;
    return MM_OK;
}

typedef struct {
    batch_t *x;
    size_t n;
} group_t;

static size_t task_post(hub_mirror_t *m, batch_t *x, void (*fn)(batch_t *x));
static void task_wait(hub_mirror_t *m, size_t t);
static void report(batch_t *x);

/* The next batch of g from i whose checkpoint is checked (g->n when none). */
static size_t next_checked(const group_t *g, size_t i)
{
    while (i < g->n && !g->x[i].to_check)
        i++;
    return i;
}

/* Fewer entries than this are decoded by the loop thread itself: waking a helper costs about
 * as much as decoding a dozen entries. */
#define AHEAD_MIN 32

/* The batches of g in order, in txn (again from the start when the transaction runs again).
 * Each batch's checks (verify, queued by hub_mirror_batches before the transaction) are waited
 * for when its turn comes, so the helpers check the batches after it while the loop thread
 * stores it; a batch that passed goes in (x->live), one that did not is left for report()
 * after the transaction (a finding is written in a transaction of its own). With helpers, each
 * batch's entries are decoded by a task while the loop thread stores the batch before it: two
 * scratch arrays, one for the batch being stored, one for the next. */
static mm_err_t group_txn(MDB_txn *txn, void *arg)
{
    group_t *g = arg;
    size_t i = next_checked(g, 0);
    if (i == g->n)
        return MM_OK;
    hub_mirror_t *m = g->x[i].m;
    size_t most = 0, checked = 0;
    for (size_t k = i; k < g->n; k++)
        if (g->x[k].to_check) {
            checked++;
            g->x[k].ahead = 0;
            if (g->x[k].b->n_entries > most)
                most = g->x[k].b->n_entries;
        }
    int ahead = m->n_helpers && checked > 1;
    if (most > m->scratch_cap) {
        for (int k = 0; k < 2; k++) {
            free(m->scratch[k]);
            m->scratch[k] = NULL;
        }
        m->scratch_cap = 0;
        if (!(m->scratch[0] = malloc(most * sizeof *m->scratch[0])) ||
            !(m->scratch[1] = malloc(most * sizeof *m->scratch[1])))
            return MM_ENOMEM;
        m->scratch_cap = most;
    }
    mm_err_t err = MM_OK;
    batch_t *pending = NULL; /* a batch being decoded ahead, whose task must end before we do */
    for (size_t j; i < g->n && err == MM_OK; i = j) {
        batch_t *x = &g->x[i];
        j = next_checked(g, i + 1);
        task_wait(m, x->verify_task);
        if (x->ahead) {
            task_wait(m, x->decode_task); /* decoded, or its scratch array free again */
            pending = NULL;
        }
        x->live = x->verdict == VERDICT_OK;
        if (!x->live)
            continue;
        if (!x->ahead)
            x->decoded = m->scratch[0]; /* no decoding is under way */
        /* (The queue's room is counted: a transaction run again after the map grew posts
         * its decoding again.) */
        if (ahead && j < g->n && g->x[j].b->n_entries >= AHEAD_MIN && m->n_tasks < m->cap_tasks) {
            batch_t *y = &g->x[j];
            y->decoded = m->scratch[x->decoded == m->scratch[0]];
            y->ahead = 1;
            y->decode_task = task_post(m, y, decode_entries);
            pending = y;
        }
        err = step_in(x, txn);
    }
    if (pending)
        task_wait(m, pending->decode_task); /* nothing may still write into the scratch arrays */
    return err;
}

/* 1. The checkpoint: form, signature, origin, size; then, when all pass, the hub's cosignature
 * (x->out->cosignature, x->cosigned). Touches nothing but x, so that several batches' checks
 * run at once on the helpers (they are most of a small batch's cost: an Ed25519 verification
 * and a signature); every batch's signature is checked, each once. */
static void verify(batch_t *x)
{
    hub_mirror_t *m = x->m;
    const mm_batch_t *b = x->b;
    mm_err_t err = mm_note_parse(b->checkpoint, b->checkpoint_len, &x->note);
    if (err == MM_OK)
        err = mm_checkpoint_parse_body(x->note.body, x->note.body_len, &x->cp);
    if (err != MM_OK) {
        x->verdict = VERDICT_FORM;
        x->verr = err;
        return;
    }
    err = mm_note_verify(&x->note, &x->sc->verifier, NULL);
    if (err != MM_OK) {
        x->verdict = VERDICT_SIGNATURE;
        x->verr = err;
        return;
    }
    char origin[MM_ORIGIN_MAX + 1];
    snprintf(origin, sizeof origin, "mimamori/site/%s", x->site);
    if (strcmp(x->cp.origin, origin) != 0) {
        x->verdict = VERDICT_ORIGIN;
        return;
    }
    if (b->first_index > UINT64_MAX - b->n_entries || x->cp.size != b->first_index + b->n_entries) {
        x->verdict = VERDICT_SIZE;
        return;
    }
    hub_answer_t *out = x->out;
    uint64_t ts = (uint64_t)(x->now_us / 1000000);
    err = m->signer ? mm_cosig_sign_with(x->note.body, x->note.body_len, m->keys->name, m->signer,
                                         ts, out->cosignature, sizeof out->cosignature)
                    : mm_cosig_sign(x->note.body, x->note.body_len, m->keys->name,
                                    &m->keys->sign, ts, out->cosignature, sizeof out->cosignature);
    if (err != MM_OK) {
        out->cosignature[0] = 0;
        x->verdict = VERDICT_COSIGN;
        x->verr = err;
        return;
    }
    size_t clen = strlen(out->cosignature);
    x->cosigned = malloc(b->checkpoint_len + clen + 1);
    if (!x->cosigned) {
        out->cosignature[0] = 0;
        x->verdict = VERDICT_MEMORY;
        return;
    }
    memcpy(x->cosigned, b->checkpoint, b->checkpoint_len);
    memcpy(x->cosigned + b->checkpoint_len, out->cosignature, clen + 1);
    x->cosigned_len = b->checkpoint_len + clen;
    x->verdict = VERDICT_OK;
    /* The leaves too, here beside the loop thread (left NULL short of memory: hashed later). */
    if (b->n_entries && (x->leaves = malloc(b->n_entries * sizeof *x->leaves)))
        for (size_t i = 0; i < b->n_entries; i++)
            mm_merkle_leaf_hash(b->entries[i].data, b->entries[i].len, &x->leaves[i]);
}

/* After verify and the transaction, on the loop thread: a refused checkpoint's finding and
 * answer (a batch that passed went into the transaction: x->live). */
static void report(batch_t *x)
{
    hub_mirror_t *m = x->m;
    const mm_batch_t *b = x->b;
    const char *site = x->site;
    mm_err_t err = x->verr;
    switch (x->verdict) {
    case VERDICT_OK:
        x->live = 1;
        return;
    case VERDICT_FORM:
        hub_findings_raise(m->findings, site, "malformed_checkpoint", HUB_SEVERITY_HIGH, "", NULL,
                           x->now_us, "a batch carried a checkpoint that does not parse: %s",
                           mm_strerror(err));
        answer(x->out, MM_ACK_REFUSED, x->held, "malformed checkpoint: %s", mm_strerror(err));
        return;
    case VERDICT_SIGNATURE: {
        hub_evidence_t ev = {0};
        hub_evidence_text(&ev, "checkpoint", b->checkpoint);
        hub_evidence_int(&ev, "size", (int64_t)x->cp.size);
        hub_findings_raise(m->findings, site, "bad_signature", HUB_SEVERITY_CRITICAL, "", &ev,
                           x->now_us, "a checkpoint for size %" PRIu64 " %s the site's key %s",
                           x->cp.size,
                           err == MM_ENOTFOUND ? "is not signed by" : "has a bad signature of",
                           x->sc->verifier.name);
        hub_evidence_deinit(&ev);
        answer(x->out, MM_ACK_REFUSED, x->held, "checkpoint signature: %s", mm_strerror(err));
        return;
    }
    case VERDICT_ORIGIN: {
        char origin[MM_ORIGIN_MAX + 1];
        snprintf(origin, sizeof origin, "mimamori/site/%s", site);
        hub_findings_raise(m->findings, site, "bad_origin", HUB_SEVERITY_HIGH, "", NULL, x->now_us,
                           "a checkpoint names the log \"%s\", not \"%s\"", x->cp.origin, origin);
        answer(x->out, MM_ACK_REFUSED, x->held, "checkpoint origin is \"%s\", want \"%s\"",
               x->cp.origin, origin);
        return;
    }
    case VERDICT_SIZE:
        hub_findings_raise(m->findings, site, "malformed_batch", HUB_SEVERITY_MEDIUM, "", NULL,
                           x->now_us,
                           "a batch from %" PRIu64 " with %zu entries carries a checkpoint "
                           "for size %" PRIu64,
                           b->first_index, b->n_entries, x->cp.size);
        answer(x->out, MM_ACK_REFUSED, x->held,
               "checkpoint size %" PRIu64 " is not %" PRIu64 " + %zu", x->cp.size, b->first_index,
               b->n_entries);
        return;
    case VERDICT_COSIGN:
        answer(x->out, MM_ACK_REFUSED, x->held, "cannot cosign: %s", mm_strerror(err));
        return;
    case VERDICT_MEMORY:
        answer(x->out, MM_ACK_REFUSED, x->held, "out of memory");
        return;
    }
}

/* A batch that ends within what the hub holds, after the commit: acknowledged, or a fork. */
static void held_answer(batch_t *x)
{
    hub_mirror_t *m = x->m;
    hub_answer_t *out = x->out;
    if (x->outcome == OUT_HELD_FORK) {
        char body_hex[65], ours_hex[65];
        mm_hex32(x->cp.root.b, body_hex);
        mm_hex32(x->computed.b, ours_hex);
        hub_evidence_t ev = {0};
        hub_evidence_int(&ev, "size", (int64_t)x->cp.size);
        hub_evidence_text(&ev, "signed_root", body_hex);
        hub_evidence_text(&ev, "hub_root", ours_hex);
        hub_evidence_text(&ev, "checkpoint", x->b->checkpoint);
        char dk[32];
        snprintf(dk, sizeof dk, "%" PRIu64, x->cp.size);
        hub_findings_raise(m->findings, x->site, "fork", HUB_SEVERITY_CRITICAL, dk, &ev, x->now_us,
                           "the site signed a checkpoint for size %" PRIu64
                           " whose root differs from the log the hub holds",
                           x->cp.size);
        hub_evidence_deinit(&ev);
        out->cosignature[0] = 0;
        answer(out, MM_ACK_REFUSED, x->held, "fork: checkpoint %" PRIu64 " disagrees with the hub",
               x->cp.size);
        return;
    }
    /* A resend of what we hold: harmless, acknowledge it (cosigned before the transaction). */
    answer(out, MM_ACK_OK, x->held, "%s", "");
    if (m->watcher.held)
        m->watcher.held(m->watcher.arg, x->site, x->now_us, &x->cp);
}

/* The batch's new entries were not stored (err): a fork, a root that does not match (each a
 * finding), or storage. */
static void refused(batch_t *x, mm_err_t err)
{
    hub_mirror_t *m = x->m;
    const mm_batch_t *b = x->b;
    x->out->cosignature[0] = 0;
    if (err == MM_ECONFLICT && x->restart) {
        uint32_t got = x->restart_entry.epoch;
        hub_findings_raise(m->findings, x->site, "log_restart_refused", HUB_SEVERITY_HIGH, "", NULL,
                           x->now_us,
                           "the site began its log anew as epoch %" PRIu32
                           ", but the next epoch is %" PRIu32 ": refused",
                           got, x->epoch_want);
        answer(x->out, MM_ACK_REFUSED, x->held,
               "log_restarted epoch %" PRIu32 ": the hub expects epoch %" PRIu32, got,
               x->epoch_want);
    } else if (err == MM_EVERIFY && x->fork) {
        hub_evidence_t ev = {0};
        hub_evidence_int(&ev, "index", (int64_t)x->fork_index);
        hub_evidence_text(&ev, "checkpoint", b->checkpoint);
        char dk[32];
        snprintf(dk, sizeof dk, "entry %" PRIu64, x->fork_index);
        hub_findings_raise(m->findings, x->site, "fork", HUB_SEVERITY_CRITICAL, dk, &ev, x->now_us,
                           "entry %" PRIu64 " sent again differs from the one the hub holds",
                           x->fork_index);
        hub_evidence_deinit(&ev);
        answer(x->out, MM_ACK_REFUSED, x->held, "fork: entry %" PRIu64 " differs from the hub's",
               x->fork_index);
    } else if (err == MM_EVERIFY) {
        char body_hex[65], ours_hex[65];
        mm_hex32(x->cp.root.b, body_hex);
        mm_hex32(x->computed.b, ours_hex);
        hub_evidence_t ev = {0};
        hub_evidence_int(&ev, "first_index", (int64_t)b->first_index);
        hub_evidence_int(&ev, "entries", (int64_t)b->n_entries);
        hub_evidence_int(&ev, "checkpoint_size", (int64_t)x->cp.size);
        hub_evidence_text(&ev, "signed_root", body_hex);
        hub_evidence_text(&ev, "computed_root", ours_hex);
        hub_findings_raise(m->findings, x->site, "root_mismatch", HUB_SEVERITY_CRITICAL, "", &ev,
                           x->now_us,
                           "entries [%" PRIu64 ", %" PRIu64 ") do not hash to the signed root: "
                           "an entry was altered after signing",
                           b->first_index, x->cp.size);
        hub_evidence_deinit(&ev);
        answer(x->out, MM_ACK_REFUSED, x->held,
               "entries do not hash to the signed root of size %" PRIu64, x->cp.size);
    } else {
        answer(x->out, MM_ACK_REFUSED, x->held, "hub storage error: %s", mm_strerror(err));
    }
}

/* A site's log begun anew and stored: a finding says what the hub closed and why. */
static void restarted(batch_t *x)
{
    const mm_log_restarted_t *r = &x->restart_entry;
    hub_evidence_t ev = {0};
    hub_evidence_int(&ev, "epoch", (int64_t)r->epoch);
    hub_evidence_int(&ev, "closed_log_size", (int64_t)x->closed_size);
    hub_evidence_int(&ev, "previous_size_said", (int64_t)r->previous_size);
    hub_evidence_text(&ev, "reason", r->reason);
    char dk[32];
    snprintf(dk, sizeof dk, "epoch %" PRIu32, r->epoch);
    hub_findings_raise(x->m->findings, x->site, "site_log_restarted", HUB_SEVERITY_HIGH, dk, &ev,
                       x->now_us,
                       "the site began its log anew with the same key (epoch %" PRIu32
                       ", \"%s\"): the hub closed the log it held at %" PRIu64
                       " entries and keeps it; entries the site had not sent are lost",
                       r->epoch, r->reason, x->closed_size);
    hub_evidence_deinit(&ev);
    MM_WARN("site %s: log begun anew (epoch %" PRIu32
            ", \"%s\"); the log held is closed at %" PRIu64 " entries (log id %" PRIu32 " kept)",
            x->site, r->epoch, r->reason, x->closed_size, x->closed_id);
}

/* The integrity_fault entries among those stored, decoded again one at a time (the decoded
 * batch is gone with its transaction): their findings. */
static void integrity(batch_t *x)
{
    const mm_batch_t *b = x->b;
    mm_entry_t *e = NULL;
    for (uint64_t i = x->held; i < x->cp.size && i >= b->first_index; i++) {
        const mm_bytes_t *d = &b->entries[i - b->first_index];
        mm_entry_kind_t kind;
        if (mm_entry_peek(d->data, d->len, &kind, NULL) != MM_OK ||
            kind != MM_ENTRY_INTEGRITY_FAULT)
            continue;
        if (!e && !(e = malloc(sizeof *e)))
            break;
        if (mm_entry_decode(d->data, d->len, e) == MM_OK)
            hub_integrity_findings(x->m->findings, x->site, i, e, 1, x->now_us);
    }
    free(e);
}

/* New entries stored and committed: findings, the answer, then the observers. */
static void stored(batch_t *x)
{
    hub_mirror_t *m = x->m;
    const mm_batch_t *b = x->b;
    if (x->restart)
        restarted(x);
    integrity(x);
    MM_INFO("site %s: verified entries [%" PRIu64 ", %" PRIu64 ")", x->site, x->held, x->cp.size);
    answer(x->out, MM_ACK_OK, x->cp.size, "%s", "");
    /* The observer first: what the batch says comes before what the rules make of it. */
    if (m->observer && x->held < x->cp.size)
        m->observer(m->observer_arg, x->site, x->held, x->cp.size,
                    &b->entries[x->held - b->first_index]);
    if (x->registry_changed && m->learned)
        m->learned(m->learned_arg, x->site);
}

/* After the transaction (err: how it ended): each live batch's answer. */
static void finish(batch_t *x, mm_err_t err)
{
    if (err != MM_OK) {
        x->out->cosignature[0] = 0;
        answer(x->out, MM_ACK_REFUSED, x->held, "hub storage error: %s", mm_strerror(err));
        return;
    }
    switch (x->outcome) {
    case OUT_STORED:
        stored(x);
        break;
    case OUT_WRONG_SIZE:
        x->out->cosignature[0] = 0;
        answer(x->out, MM_ACK_WRONG_SIZE, x->held, "the hub holds %" PRIu64 " entries", x->held);
        break;
    case OUT_HELD:
    case OUT_HELD_FORK:
        held_answer(x);
        break;
    case OUT_REFUSED:
        refused(x, x->refusal);
        break;
    case OUT_MALFORMED: {
        hub_evidence_t ev = {0};
        hub_evidence_int(&ev, "index", (int64_t)x->bad_index);
        hub_findings_raise(x->m->findings, x->site, "malformed_entry", HUB_SEVERITY_HIGH, "", &ev,
                           x->now_us, "entry %" PRIu64 " is not a log entry: %s", x->bad_index,
                           mm_strerror(x->bad_err));
        hub_evidence_deinit(&ev);
        x->out->cosignature[0] = 0;
        answer(x->out, MM_ACK_REFUSED, x->held, "entry %" PRIu64 ": %s", x->bad_index,
               mm_strerror(x->bad_err));
        break;
    }
    case OUT_NONE:
        refused(x, MM_EDB);
        break;
    }
}

/* 1. Before any write: the site and what the hub holds of it (read in rtxn). Leaves
 * x->to_check set when its checkpoint is to be checked (verify). */
static void prepare(batch_t *x, MDB_txn *rtxn)
{
    hub_mirror_t *m = x->m;
    hub_answer_t *out = x->out;
    memset(out, 0, sizeof *out);
    x->sc = hub_config_site(m->cfg, x->site);
    if (!x->sc) {
        answer(out, MM_ACK_REFUSED, 0, "unknown site \"%s\"", x->site);
        return;
    }
    uint32_t id;
    mm_err_t err = lookup_id(m, rtxn, x->site, &id);
    if (err == MM_OK)
        err = mm_log_size(m->log, rtxn, id, &x->held);
    if (err != MM_OK && err != MM_ENOTFOUND) {
        answer(out, MM_ACK_REFUSED, 0, "hub storage error: %s", mm_strerror(err));
        return;
    }
    x->to_check = 1;
}

/* --- the helpers: checkpoints checked beside the loop thread ---------------------------------*/

/* One task: fn on x; PENDING until taken, then TAKEN, then DONE. */
enum { TASK_PENDING, TASK_TAKEN, TASK_DONE };

typedef struct task {
    batch_t *x;
    void (*fn)(batch_t *x);
    int state;
} task_t;

/* Runs task t (taken by the caller, m->lock held), then marks it done; returns with the lock
 * held. */
static void task_run(hub_mirror_t *m, size_t t)
{
    task_t *k = &m->tasks[t];
    k->state = TASK_TAKEN;
    while (m->first_pending < m->n_tasks && m->tasks[m->first_pending].state != TASK_PENDING)
        m->first_pending++;
    pthread_mutex_unlock(&m->lock);
    k->fn(k->x);
    pthread_mutex_lock(&m->lock);
    k->state = TASK_DONE;
    pthread_cond_broadcast(&m->done);
}

/* Queues fn on x for the helpers (the queue has room: tasks_begin made it) and returns its
 * number. Without helpers it only waits to be done by task_wait. */
static size_t task_post(hub_mirror_t *m, batch_t *x, void (*fn)(batch_t *x))
{
    if (m->n_helpers)
        pthread_mutex_lock(&m->lock);
    size_t t = m->n_tasks++;
    m->tasks[t] = (task_t){x, fn, TASK_PENDING};
    if (m->n_helpers) {
        pthread_cond_signal(&m->wake);
        pthread_mutex_unlock(&m->lock);
    }
    return t;
}

/* Returns once task t is done: the caller does it when nobody has taken it yet, and while a
 * helper has it, does the tasks queued after it rather than sleep. */
static void task_wait(hub_mirror_t *m, size_t t)
{
    if (!m->n_helpers) {
        if (m->tasks[t].state == TASK_PENDING) {
            m->tasks[t].state = TASK_DONE;
            m->tasks[t].fn(m->tasks[t].x);
        }
        return;
    }
    pthread_mutex_lock(&m->lock);
    if (m->tasks[t].state == TASK_PENDING)
        task_run(m, t);
    while (m->tasks[t].state != TASK_DONE) {
        if (m->first_pending < m->n_tasks)
            task_run(m, m->first_pending);
        else
            pthread_cond_wait(&m->done, &m->lock);
    }
    pthread_mutex_unlock(&m->lock);
}

/* The queue emptied (every task in it done, or none posted). */
static void tasks_clear(hub_mirror_t *m)
{
    if (m->n_helpers)
        pthread_mutex_lock(&m->lock);
    m->n_tasks = 0;
    m->first_pending = 0;
    if (m->n_helpers)
        pthread_mutex_unlock(&m->lock);
}

/* A queue for a group: room for cap tasks. MM_ENOMEM when there is none. */
static mm_err_t tasks_begin(hub_mirror_t *m, size_t cap)
{
    if (cap > m->cap_tasks) {
        task_t *grown = realloc(m->tasks, cap * sizeof *grown);
        if (!grown)
            return MM_ENOMEM;
        m->tasks = grown; /* no helper reads it: the queue is empty */
        m->cap_tasks = cap;
    }
    tasks_clear(m);
    return MM_OK;
}

/* Every task of the group done (the caller's share too): the queue is empty again. */
static void tasks_end(hub_mirror_t *m)
{
    for (size_t t = 0; t < m->n_tasks; t++)
        task_wait(m, t);
    tasks_clear(m);
}

static void *helper_main(void *arg)
{
    hub_mirror_t *m = arg;
    pthread_mutex_lock(&m->lock);
    for (;;) {
        while (!m->stopping && m->first_pending >= m->n_tasks)
            pthread_cond_wait(&m->wake, &m->lock);
        if (m->stopping)
            break;
        task_run(m, m->first_pending);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

/* Starts the helpers: one fewer than the processors online, at most MIRROR_HELPERS_MAX; none on
 * one processor (or when a thread cannot start: the loop thread then checks alone). */
static void helpers_start(hub_mirror_t *m)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = cpus > 1 ? (size_t)(cpus - 1) : 0;
    if (want > MIRROR_HELPERS_MAX)
        want = MIRROR_HELPERS_MAX;
    if (want == 0 || pthread_mutex_init(&m->lock, NULL) != 0)
        return;
    if (pthread_cond_init(&m->wake, NULL) != 0) {
        pthread_mutex_destroy(&m->lock);
        return;
    }
    if (pthread_cond_init(&m->done, NULL) != 0) {
        pthread_cond_destroy(&m->wake);
        pthread_mutex_destroy(&m->lock);
        return;
    }
    /* The helpers take no signals: the loop thread handles them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    while (m->n_helpers < want &&
           pthread_create(&m->helpers[m->n_helpers], NULL, helper_main, m) == 0)
        m->n_helpers++;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (m->n_helpers == 0) {
        pthread_cond_destroy(&m->done);
        pthread_cond_destroy(&m->wake);
        pthread_mutex_destroy(&m->lock);
    }
}

static void helpers_stop(hub_mirror_t *m)
{
    if (m->n_helpers == 0)
        return;
    pthread_mutex_lock(&m->lock);
    m->stopping = 1;
    pthread_cond_broadcast(&m->wake);
    pthread_mutex_unlock(&m->lock);
    for (size_t i = 0; i < m->n_helpers; i++)
        pthread_join(m->helpers[i], NULL);
    pthread_cond_destroy(&m->done);
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->lock);
    m->n_helpers = 0;
}

/* 1 to 3 for the checked batches of xs[0 .. n), whose verify tasks are queued: one
 * transaction (each batch's checks waited for in it, group_txn), one commit; on an error of
 * storage, each batch that passed its checks again alone. */
static void run(hub_mirror_t *m, batch_t *xs, size_t n)
{
    size_t checked = 0;
    for (size_t i = 0; i < n; i++)
        checked += xs[i].to_check != 0;
    if (!checked)
        return;
    group_t g = {xs, n};
    mm_err_t err = mm_db_write(m->db, group_txn, &g);
    if (m->applier.done)
        m->applier.done(m->applier.arg, err == MM_OK);
    /* A transaction that failed part way did not wait for every batch's checks. */
    size_t live = 0;
    for (size_t i = 0; i < n; i++)
        if (xs[i].to_check) {
            task_wait(m, xs[i].verify_task);
            xs[i].live = xs[i].verdict == VERDICT_OK;
            live += xs[i].live != 0;
        }
    if (err != MM_OK && live > 1) {
        MM_WARN("a group of %zu batches failed (%s): each again alone", live, mm_strerror(err));
        for (size_t i = 0; i < n; i++)
            if (xs[i].live)
                run(m, &xs[i], 1);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (xs[i].live)
            finish(&xs[i], err);
}

void hub_mirror_batches(hub_mirror_t *m, const hub_mirror_item_t *items, size_t n)
{
    batch_t *xs = calloc(n ? n : 1, sizeof *xs);
    MDB_txn *rtxn = NULL;
    mm_err_t err = xs ? mm_db_read(m->db, &rtxn) : MM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (err != MM_OK) {
            memset(items[i].out, 0, sizeof *items[i].out);
            answer(items[i].out, MM_ACK_REFUSED, 0, "hub storage error: %s", mm_strerror(err));
            continue;
        }
        xs[i] = (batch_t){.m = m,
                          .site = items[i].site,
                          .b = items[i].batch,
                          .now_us = items[i].now_us,
                          .out = items[i].out};
        prepare(&xs[i], rtxn);
    }
    if (rtxn)
        mdb_txn_abort(rtxn);
    if (err == MM_OK && (err = tasks_begin(m, 2 * n + 1)) != MM_OK)
        for (size_t i = 0; i < n; i++)
            if (xs[i].to_check) {
                xs[i].to_check = 0;
                answer(xs[i].out, MM_ACK_REFUSED, xs[i].held, "hub: %s", mm_strerror(err));
            }
    if (err == MM_OK) {
        /* Checks queued for the helpers, then the transaction, which waits for each batch's
         * in its turn; then the findings and answers of the checkpoints refused. */
        for (size_t i = 0; i < n; i++)
            if (xs[i].to_check)
                xs[i].verify_task = task_post(m, &xs[i], verify);
        run(m, xs, n);
        tasks_end(m);
        for (size_t i = 0; i < n; i++)
            if (xs[i].to_check && xs[i].verdict != VERDICT_OK)
                report(&xs[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (items[i].out->ack.status == MM_ACK_OK)
            m->accepted++;
        else
            m->refused++;
        if (xs) {
            free(xs[i].cosigned);
            free(xs[i].leaves);
        }
    }
    free(xs);
}

void hub_mirror_batch(hub_mirror_t *m, const char *site, const mm_batch_t *b, int64_t now_us,
                      hub_answer_t *out)
{
    hub_mirror_item_t it = {site, b, now_us, out};
    hub_mirror_batches(m, &it, 1);
}

/* --- reading ---------------------------------------------------------------------------------*/

/* The log id of site and a read transaction to read it in (the caller aborts it): MM_OK,
 * MM_ENOTFOUND when the hub holds nothing of site, or a storage error. */
static mm_err_t site_read(hub_mirror_t *m, const char *site, uint32_t *id, MDB_txn **txn)
{
    mm_err_t err = site_log(m, site, 0, id);
    return err == MM_OK ? mm_db_read(m->db, txn) : err;
}

/* The stored state of log id (hub.state: the checkpoint's time, then its note) into *v: the
 * return code of mdb_get. */
static int state_get(hub_mirror_t *m, MDB_txn *txn, uint32_t id, MDB_val *v)
{
    uint8_t key[4];
    mm_be32_put(key, id);
    MDB_val k = {4, key};
    return mdb_get(txn, m->state, &k, v);
}

mm_err_t hub_mirror_state(hub_mirror_t *m, const char *site, hub_site_state_t *out)
{
    memset(out, 0, sizeof *out);
    uint32_t id;
    MDB_txn *txn;
    mm_err_t err = site_read(m, site, &id, &txn);
    if (err != MM_OK)
        return err == MM_ENOTFOUND ? MM_OK : err;
    err = mm_log_size(m->log, txn, id, &out->size);
    MDB_val v;
    if (err == MM_OK && state_get(m, txn, id, &v) == 0 && v.mv_size >= 8)
        out->checkpoint_us = (int64_t)mm_be64_get(v.mv_data);
    mdb_txn_abort(txn);
    return err;
}

mm_err_t hub_mirror_checkpoint(hub_mirror_t *m, const char *site, char **note)
{
    uint32_t id;
    MDB_txn *txn;
    mm_err_t err = site_read(m, site, &id, &txn);
    if (err != MM_OK)
        return err;
    MDB_val v;
    int rc = state_get(m, txn, id, &v);
    if (rc == 0 && v.mv_size > 8) {
        *note = malloc(v.mv_size - 8 + 1);
        if (*note) {
            memcpy(*note, (uint8_t *)v.mv_data + 8, v.mv_size - 8);
            (*note)[v.mv_size - 8] = 0;
        } else {
            err = MM_ENOMEM;
        }
    } else {
        err = rc == 0 || rc == MDB_NOTFOUND ? MM_ENOTFOUND : mm_db_err(rc, "read site state");
    }
    mdb_txn_abort(txn);
    return err;
}

mm_err_t hub_mirror_entries(hub_mirror_t *m, const char *site, uint64_t start, uint64_t end,
                            hub_entry_fn fn, void *arg)
{
    uint32_t id;
    MDB_txn *txn;
    mm_err_t err = site_read(m, site, &id, &txn);
    if (err != MM_OK)
        return err == MM_ENOTFOUND ? MM_OK : err;
    uint64_t size;
    err = mm_log_size(m->log, txn, id, &size);
    if (end > size)
        end = size;
    for (uint64_t i = start; err == MM_OK && i < end; i++) {
        const void *d;
        size_t len;
        mm_hash_t leaf;
        err = mm_log_get(m->log, txn, id, i, &d, &len);
        if (err == MM_OK)
            err = mm_log_leaf(m->log, txn, id, i, &leaf);
        if (err == MM_OK && fn(i, d, len, &leaf, arg))
            break;
    }
    mdb_txn_abort(txn);
    return err;
}
