/*
 * scrub.h: the edge audits itself (R-K2.2.6d: footage inside retention must not be lost or
 * damaged unnoticed, and neither may the log that records it).
 *
 * A thread of its own reads what the edge stores and recomputes it:
 *
 *   log      every entry of the site log hashed again (RFC 6962 leaf) against the leaf hash
 *            stored for it, and the root of the first N recomputed leaves against the root of
 *            the last hub-cosigned checkpoint in the store (edge.meta "cosigned", size N);
 *   footage  every segment in the index (retention removes the rows of what it erases, so the
 *            index is what is inside retention) present, decrypting, and hashing to the content
 *            hash of its segment_recorded entry (footage.h edge_footage_verify_row); a segment
 *            whose key is already erased (a retention run between its steps) is skipped.
 *
 * At start a quick form runs first: the root of the stored tree against the cosigned root, and
 * each segment file's presence and size. Then a full pass, and one every period_seconds. Reads
 * are paced: after each unit of work of b bytes the thread sleeps b / bytes_per_second, so a
 * full pass never competes with recording (its reads are bounded, and it writes nothing).
 *
 * A fault found is handed to the loop, which appends an integrity_fault entry (common/entry.h)
 * unless one was logged for it already: edge.meta "scrub/<fault>/<index>" marks it, written in
 * the entry's transaction, so each fault is logged once, not every period nor after a restart.
 * A segment fault is dropped if the segment's index row is gone by then (retention erased it
 * meanwhile). The same marks answer edge_scrub_known, which search and playback ask.
 */
#ifndef EDGE_SCRUB_H
#define EDGE_SCRUB_H

#include <stdint.h>
#include <uv.h>

#include "common/entry.h"
#include "common/err.h"
#include "common/merkle.h"
#include "edge/siteconf.h"
#include "edge/store.h"
#include "edge/vault.h"

typedef struct edge_scrub edge_scrub_t;

/* Where the scrub's faults go, on the thread that finds them; returns non-zero to stop. */
typedef struct {
    void (*fault)(void *arg, const mm_integrity_fault_t *f);
    /* b bytes were read: sleeps as the budget asks; non-zero stops the pass. NULL: no pacing. */
    int (*pace)(void *arg, uint64_t b);
    void *arg;
} edge_scrub_sink_t;

/* The RFC 6962 root of n leaves given one by one, in O(log n) memory. */
typedef struct {
    mm_hash_t stack[64];
    uint64_t size[64];
    unsigned depth;
    uint64_t n;
} edge_scrub_root_t;

void edge_scrub_root_init(edge_scrub_root_t *r);
void edge_scrub_root_add(edge_scrub_root_t *r, const mm_hash_t *leaf);
/* The root of the leaves added (the empty root for none). */
void edge_scrub_root_get(const edge_scrub_root_t *r, mm_hash_t *out);

/*
 * The log check (see above). quick: only the stored tree's root against the cosigned root. A
 * store without a cosigned checkpoint has its leaves checked and no root. MM_OK when it ran
 * (faults went to sink), or a store error.
 */
mm_err_t edge_scrub_log(edge_store_t *st, int quick, const edge_scrub_sink_t *sink);

/* The footage check (see above). quick: presence and size only. */
mm_err_t edge_scrub_footage(const edge_vault_t *v, int quick, const edge_scrub_sink_t *sink);

/* Starts the thread on loop (the loop appends the entries; kick, when not NULL, is called on the
 * loop after each, to wake the uplink). */
mm_err_t edge_scrub_start(uv_loop_t *loop, const edge_vault_t *v, const edge_scrub_conf_t *conf,
                          void (*kick)(void *arg), void *kick_arg, edge_scrub_t **out);
/* Stops the thread and closes its handle (the loop must run once more to finish the close). */
void edge_scrub_stop(edge_scrub_t *s);

/*
 * Whether the scrub logged fault f for the segment whose segment_recorded entry is index (an
 * edge.meta mark, above): 1 or 0. Any thread.
 */
int edge_scrub_known(edge_store_t *st, mm_integrity_t f, uint64_t index);

#endif
