/*
 * retention.h: what is kept and what is erased — retention, legal holds, and the keys that read
 * footage (R-K2.2.6b, R-K2.2.6c, R-N7.5).
 *
 * Erasure is cryptographic and happens an hour (an epoch, keyring.h) at a time. Epoch h expires
 * once every segment that starts in it has ended at least keep_us ago (and the hour itself has),
 * so no footage is erased before it has been kept for the whole retention period. A retention
 * run then, in this order:
 *
 *   1. wraps the keys of held segments in the expiring epochs under their holds' keys, durably;
 *   2. advances the keyring past the expired epochs: from then on no key that can decrypt them
 *      exists (the undecryptable step);
 *   3. removes the files of the segments that no hold covers, and
 *   4. removes their index rows and logs a segments_erased entry (camera, range, count, bytes,
 *      content hashes; several entries when there are more than MM_ERASED_MAX) in one
 *      transaction per entry.
 *
 * A crash between any two steps is finished by the next run: wraps are idempotent, the advance
 * is a no-op when done, and a file already gone counts as removed.
 *
 * Holds. A hold keeps one camera's footage in [start_us, end_us): every segment overlapping it
 * has its key wrapped under the hold's own key when the hold is placed (and, for segments
 * recorded later, before their epoch expires), and is skipped by erasure. Releasing a hold
 * destroys its key and erases the segments it covered whose epoch has expired and that no other
 * hold covers. Placing and releasing are logged (hold_placed, hold_released).
 *
 * Everything here runs on the loop thread (the store's only writer).
 */
#ifndef EDGE_RETENTION_H
#define EDGE_RETENTION_H

#include <stdint.h>

#include "common/err.h"
#include "edge/keyring.h"
#include "edge/segment.h"
#include "edge/store.h"

typedef struct {
    edge_store_t *store;
    edge_keyring_t *keyring;
    const char *segments_dir;   /* segment files are <segments_dir>/<camera>/<start_us>.mmseg */
} edge_vault_t;

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
 * Places hold id on camera's footage in [start_us, end_us) and logs hold_placed with the reason
 * and the number of segments it keeps. MM_EEXIST for a hold id in use, MM_EINVAL for a bad id or
 * an empty range.
 */
mm_err_t edge_hold_place(const edge_vault_t *v, const char *id, const char *camera,
                         int64_t start_us, int64_t end_us, const char *reason, int64_t now_us);

/*
 * Releases hold id: destroys its key, logs hold_released, and erases (reason "hold_released")
 * what it kept past retention. MM_ENOTFOUND for an unknown hold.
 */
mm_err_t edge_hold_release(const edge_vault_t *v, const char *id, const char *reason,
                           int64_t now_us, edge_retention_report_t *rep);

/*
 * The key of a segment from its header: from the keyring while its epoch is kept, else from a
 * hold that covers it; MM_EERASED when neither has it any more. An edge_segment_key_fn with
 * arg = the vault.
 */
mm_err_t edge_vault_segment_key(void *vault, const edge_segment_info_t *hdr,
                                uint8_t key[EDGE_SEG_KEY_LEN]);

/* The path of a segment file of camera starting at start_us. */
int edge_vault_path(const edge_vault_t *v, const char *camera, int64_t start_us, char *out,
                    size_t cap);

#endif
