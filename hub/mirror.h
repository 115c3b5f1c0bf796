/*
 * mirror.h: the hub's verified copies of the site logs.
 *
 * Each batch from a site is checked as docs/protocol.md says — signature, origin, size, that it
 * extends what the hub holds, that the entries hash to the signed root — and either stored
 * whole with the checkpoint and the hub's cosignature, in one transaction, or refused whole with
 * a finding. Nothing here touches a socket, so all of it is tested directly.
 *
 *   hub.sites   site id          -> log id (BE32), assigned in order of first contact
 *   hub.state   log id (BE32)    -> checkpoint time (BE64 µs) || cosigned checkpoint note
 */
#ifndef HUB_MIRROR_H
#define HUB_MIRROR_H

#include <stdint.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/keys.h"
#include "common/log.h"
#include "common/note.h"
#include "common/wire.h"
#include "hub/findings.h"
#include "hub/hubconf.h"
#include "hub/registry.h"

typedef struct hub_mirror hub_mirror_t;

/* The answer to a batch; cosignature and reason point into the struct. */
typedef struct {
    mm_ack_t ack;
    char cosignature[MM_NOTE_LINE_MAX];
    char reason[256];
} hub_answer_t;

/* Per-site state for the API. */
typedef struct {
    uint64_t size;
    int64_t checkpoint_us; /* 0 when none yet */
} hub_site_state_t;

/* Opens the mirror and starts its helper threads (one fewer than the processors online, at
 * most 3: pure computation for hub_mirror_batches, see mirror.c); hub_mirror_close joins them.
 * The mirror itself is called from one thread, the loop's. */
mm_err_t hub_mirror_open(mm_db_t *db, const hub_config_t *cfg, const mm_keypair_t *keys,
                         hub_findings_t *findings, hub_mirror_t **out);
void hub_mirror_close(hub_mirror_t *m);

/* From now on, verified entries also go to the registry (registry.h), in the transaction that
 * stores them; learned(arg, site) runs after a batch that changed the site's record. */
void hub_mirror_set_registry(hub_mirror_t *m, hub_registry_t *r,
                             void (*learned)(void *arg, const char *site), void *arg);

/*
 * From now on, fn(arg, site, first, size, entries) runs after every batch that stored new
 * entries, once it has committed: entries [first, size) of the site's log are new, their bytes
 * entries[0 .. size - first) (valid during the call). It runs before learned (above).
 */
typedef void (*hub_mirror_observer)(void *arg, const char *site, uint64_t first, uint64_t size,
                                    const mm_bytes_t *entries);
void hub_mirror_set_observer(hub_mirror_t *m, hub_mirror_observer fn, void *arg);

/*
 * From now on, apply(arg, txn, site, index, e) sees every newly verified entry of a site,
 * decoded (e is borrowed for the call), inside the write transaction that stores it, after the
 * registry has: what it writes there commits with the entries or not at all. Its error aborts the batch, which the site
 * then sends again, so it fails only when storage does (MM_EFULL lets the map grow: the
 * transaction then runs again from the start, apply included). done(arg, committed) runs once
 * the transaction is over, so that what may happen only after a commit (telling the feed) can
 * wait for it.
 */
typedef struct {
    mm_err_t (*apply)(void *arg, MDB_txn *txn, const char *site, uint64_t index,
                      const mm_entry_t *e);
    void (*done)(void *arg, int committed);
    void *arg;
} hub_mirror_applier_t;
void hub_mirror_set_applier(hub_mirror_t *m, const hub_mirror_applier_t *a);

/*
 * From now on, the watcher hears of every batch the hub acknowledges, with the hub's clock when
 * it arrived (now_us) and its checkpoint (whose time, when it has one, is the site's clock):
 * stored(arg, txn, site, now_us, cp, first, e, n) inside the write transaction that stores a
 * batch's new entries, after the registry and the applier, with the new entries decoded
 * (e[0 .. n), the first of them entry first); its error aborts the batch, as the applier's does.
 * held(arg, site, now_us, cp) for a batch the hub already held (a resend, or a site's hello with
 * no new entries), after it was answered OK. Either may be NULL.
 */
typedef struct {
    mm_err_t (*stored)(void *arg, MDB_txn *txn, const char *site, int64_t now_us,
                       const mm_checkpoint_t *cp, uint64_t first, const mm_entry_t *e, size_t n);
    void (*held)(void *arg, const char *site, int64_t now_us, const mm_checkpoint_t *cp);
    void *arg;
} hub_mirror_watcher_t;
void hub_mirror_set_watcher(hub_mirror_t *m, const hub_mirror_watcher_t *w);

/* How many batches were answered OK (stored, or a harmless resend) and how many were not
 * (refused, not where the hub's copy ends, or not a batch at all), since the mirror opened. */
void hub_mirror_counts(const hub_mirror_t *m, uint64_t *accepted, uint64_t *refused);

/* Verifies and stores (or refuses) a batch from site at wall-clock time now_us: a group of one
 * (hub_mirror_batches). Every entry is decoded once, in the write transaction, and the registry
 * and the applier are handed the decoded entry (an integrity_fault entry is decoded again for
 * its finding, after the commit). */
void hub_mirror_batch(hub_mirror_t *m, const char *site, const mm_batch_t *batch, int64_t now_us,
                      hub_answer_t *out);

/* One batch of a group: from site, arrived at now_us, answered in *out. */
typedef struct {
    const char *site;
    const mm_batch_t *batch;
    int64_t now_us;
    hub_answer_t *out;
} hub_mirror_item_t;

/*
 * A group commit: answers items[0 .. n) as hub_mirror_batch would each, in order (several from
 * one site follow each other), with ONE write transaction and one synced commit for all the
 * batches that pass their checks. A batch refused (its signature, its form, a fork, a root that
 * does not match) is refused alone, before it writes anything; an error of storage makes the
 * group go again one batch at a time. Answers, findings, the observer and learned come only
 * after the commit; the applier's done runs once per transaction.
 */
void hub_mirror_batches(hub_mirror_t *m, const hub_mirror_item_t *items, size_t n);

/*
 * Records a message from site that is not a batch or did not decode (a finding, and the answer
 * to give). why is the error code, what says in words what was wrong.
 */
void hub_mirror_malformed(hub_mirror_t *m, const char *site, mm_err_t why, const char *what,
                          int64_t now_us, hub_answer_t *out);

/*
 * Records a message from site refused unread for its frames (link.h): a finding of kind
 * ("multipart_message" or "oversized_message") with evidence "parts" and "bytes", and the answer
 * to give. The same kind from the same site again counts up the one finding.
 */
void hub_mirror_bad_frame(hub_mirror_t *m, const char *site, const char *kind, size_t parts,
                          uint64_t bytes, int64_t now_us, hub_answer_t *out);

/* State of a configured site (size 0 when it never sent anything). */
mm_err_t hub_mirror_state(hub_mirror_t *m, const char *site, hub_site_state_t *out);

/*
 * The latest cosigned checkpoint note of site into a malloc'd NUL-terminated string.
 * MM_ENOTFOUND when there is none.
 */
mm_err_t hub_mirror_checkpoint(hub_mirror_t *m, const char *site, char **note);

/* Calls fn for entries [start, end) of site's log (clamped to its size), in a read txn. */
typedef int (*hub_entry_fn)(uint64_t index, const void *data, size_t len, const mm_hash_t *leaf,
                            void *arg);
mm_err_t hub_mirror_entries(hub_mirror_t *m, const char *site, uint64_t start, uint64_t end,
                            hub_entry_fn fn, void *arg);

#endif
