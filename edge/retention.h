/*
 * retention.h: what is kept and for how long — which hours of footage are due for erasure, when
 * the keyring's ratchet passes them, and which of their segments go (R-K2.2.6b, R-K2.2.6c,
 * R-N7.5).
 *
 * This is the policy; the mechanics of footage at rest, of holds and of their keys are the
 * vault's (vault.h), and the ratchet itself is the keyring's (keyring.h).
 *
 * Erasure is cryptographic and happens an hour (an epoch, keyring.h) at a time. Epoch h expires
 * once every segment that starts in it has ended at least keep_us ago (and the hour itself has),
 * so no footage is erased before it has been kept for the whole retention period. A retention
 * run then, in this order:
 *
 *   1. wraps the keys of held segments in the expiring epochs under their holds' keys, durably
 *      (edge_vault_holds_wrap);
 *   2. advances the keyring past the expired epochs: from then on no key that can decrypt them
 *      exists (the undecryptable step);
 *   3. removes the files of the segments that no hold covers, and
 *   4. removes their index rows and logs a segments_erased entry (camera, range, count, bytes,
 *      content hashes; several entries when there are more than MM_ERASED_MAX) in one
 *      transaction per entry (3 and 4: edge_vault_erase).
 *
 * A crash between any two steps is finished by the next run: wraps are idempotent, the advance
 * is a no-op when done, and a file already gone counts as removed.
 *
 * Releasing a hold (edge_retention_release_hold) ends what it kept: the vault destroys its key
 * and logs hold_released, and what it covered whose epoch has expired and that no other hold
 * covers is erased with reason hold_released.
 *
 * Everything here runs on the loop thread (the store's only writer).
 */
#ifndef EDGE_RETENTION_H
#define EDGE_RETENTION_H

#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"
#include "edge/vault.h"

/* What a run did. */
typedef struct {
    int64_t old_h0, new_h0;     /* the keyring's oldest epoch before and after */
    uint32_t erased;            /* segments erased */
    uint64_t erased_bytes;
    uint32_t wrapped;           /* segment keys wrapped under holds */
    uint32_t held;              /* expired segments kept because a hold covers them */
} edge_retention_report_t;

/*
 * The first epoch that is not yet expired for a retention of keep_us at now_us (>= the
 * keyring's oldest).
 */
mm_err_t edge_retention_due(const edge_vault_t *v, int64_t keep_us, int64_t now_us,
                            int64_t *h0);

/*
 * Runs retention for keep_us at now_us (see above). reason goes into the erased entries
 * (MM_ERASE_REASON_RETENTION, or _STORAGE_PRESSURE when the disk is short of space and keep_us is
 * shorter than the configured retention but not than the floor). At most max_epochs epochs are
 * passed in one run (0: no limit). Fills rep when not NULL.
 */
mm_err_t edge_retention_run(const edge_vault_t *v, int64_t keep_us, int64_t now_us,
                            mm_erase_reason_t reason, uint32_t max_epochs,
                            edge_retention_report_t *rep);

/*
 * Releases hold id (edge_vault_hold_release: its key destroyed, hold_released logged) and erases
 * (reason hold_released) what it kept past retention unless another hold keeps it. Fills rep
 * (erased, erased_bytes) when not NULL. MM_ENOTFOUND for an unknown hold, MM_EINVAL for a reason
 * too long; vault and store errors.
 */
mm_err_t edge_retention_release_hold(const edge_vault_t *v, const char *id, const char *reason,
                                     int64_t now_us, edge_retention_report_t *rep);

/* The same, released by the person by (the hold_released entry's; "" or NULL: the edge). */
mm_err_t edge_retention_release_hold_by(const edge_vault_t *v, const char *id, const char *reason,
                                        const char *by, int64_t now_us,
                                        edge_retention_report_t *rep);

#endif
