/*
 * vault.h: footage at rest and the keys that read it — where each segment file is, which key
 * opens it, the legal holds with the segment keys wrapped under them, and how footage is taken
 * away (R-K2.2.6b, R-K2.2.6c, R-N7.5).
 *
 * The boundary. The vault does what footage at rest needs done and decides nothing about time:
 * it finds a segment's key (the epoch key while the keyring still has it, else a key wrapped
 * under a hold that covers the segment), places and releases holds (key file, row, wrapped keys,
 * log entry), wraps the keys of held segments when asked, and erases the segments it is handed
 * (files first, then index rows with their segments_erased entry). Which hours and segments are
 * due, when the ratchet advances and in what order a run goes are retention's (retention.h);
 * the key material itself, the ratchet and the hold key files are the keyring's (keyring.h); the
 * segment index and the site log are the store's (store.h), and the holds' tables live in the
 * store's environment so that a hold row commits with its log entry.
 *
 * Holds. A hold keeps one camera's footage in [start_us, end_us): every segment overlapping it
 * has its key wrapped under the hold's own key (keyring.h) when the hold is placed and, for
 * segments recorded later, before their epoch expires. Releasing a hold destroys its key first:
 * from then on the keys wrapped under it open nothing. Tables, in the store's environment:
 *
 *   hold.list  hold id  ->  camera || 0x00 || start_us (BE64) || end_us (BE64)
 *                          [ || expires_us (BE64) || placed_us (BE64) || by || 0x00 || reason ]
 *   hold.keys  hold id || 0x00 || camera || 0x00 || start_us (BE64)  ->  wrapped key (60 bytes:
 *              nonce || ciphertext || tag, EDGE_WRAPPED_LEN), its aad camera || 0x00 || start_us
 *
 * The bracketed part is written when a hold has any of them (every hold placed since holds
 * carry them); a row without it, written before, reads with them empty.
 *
 * Transactions. A hold row and its hold_placed entry commit together, as do the removal of a
 * hold with every key wrapped under it and its hold_released entry: the _in functions take the
 * caller's write transaction (mm_db_write on edge_store_db) for such steps, and the caller
 * appends its entry there with edge_store_append_in. Wrapped keys are committed one at a time:
 * a wrap is idempotent, and a crash between wraps is finished by the next retention run.
 *
 * Threads. The vault does not change after edge_vault_create. edge_vault_segment_key, _path,
 * _hold_get and _holds_load only read (LMDB read transactions, the keyring is thread-safe) and
 * may run on any thread (playback and export read footage from threads of their own); every
 * function that writes runs on the loop thread, the store's only writer.
 */
#ifndef EDGE_VAULT_H
#define EDGE_VAULT_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"
#include "edge/keyring.h"
#include "edge/segment.h"
#include "edge/store.h"

/* No segment is longer than an epoch: a segment that overlaps [a, b) starts after a minus this. */
#define EDGE_VAULT_SEGMENT_MAX_US EDGE_EPOCH_US

typedef struct edge_vault edge_vault_t;

/* A legal hold on one camera's footage in [start_us, end_us): placed at placed_us by the person
 * by ("" for a disclosure's hold, which the edge places itself) with its reason; expires_us 0
 * when it does not expire (a disclosure's), else when the edge is to release it (a site hold:
 * siteholds.h). What the vault keeps of them it only keeps; it decides nothing by expires_us. */
typedef struct {
    char id[MM_ID_MAX];
    char camera[MM_ID_MAX];
    int64_t start_us;
    int64_t end_us;
    int64_t expires_us;
    int64_t placed_us;
    char by[MM_ID_MAX];
    char reason[MM_TEXT_MAX];
} edge_hold_row_t;

/* The holds in force at one moment, copied (edge_vault_holds_load). */
typedef struct {
    edge_hold_row_t *h;
    size_t n;
} edge_vault_holds_t;

/*
 * Creates the vault over store, keyring and the segments directory (segment files are
 * <segments_dir>/<camera>/<start_us>.mmseg), and the holds' tables in the store's environment.
 * All three are borrowed and must outlive it; call at start, before other threads read the
 * store. MM_ENOMEM, MM_EINVAL for a missing argument, the errors of mm_db_dbi.
 */
mm_err_t edge_vault_create(edge_store_t *store, edge_keyring_t *keyring, const char *segments_dir,
                           edge_vault_t **out);
/* Frees the vault (before the store closes). Accepts NULL. */
void edge_vault_destroy(edge_vault_t *v);

/* The store and the keyring the vault was created over (borrowed). */
edge_store_t *edge_vault_store(const edge_vault_t *v);
edge_keyring_t *edge_vault_keyring(const edge_vault_t *v);

/* --- footage at rest ------------------------------------------------------------------------ */

/* The path of a segment file of camera starting at start_us; -1 when it does not fit in cap. */
int edge_vault_path(const edge_vault_t *v, const char *camera, int64_t start_us, char *out,
                    size_t cap);

/*
 * The key of a segment from its header: from the keyring while its epoch is kept, else from a
 * hold that covers it. MM_EERASED when neither has it any more, MM_ECORRUPT when the header's
 * epoch is not that of its start. An edge_segment_key_fn with arg = the vault.
 */
mm_err_t edge_vault_segment_key(void *vault, const edge_segment_info_t *hdr,
                                uint8_t key[EDGE_SEG_KEY_LEN]);

/*
 * Erases rows[0..n) of camera (in time order): removes their files (one already gone counts as
 * removed), then their index rows with a segments_erased entry (reason, hold_id when not NULL,
 * range, count, bytes, content hashes), one entry and one transaction per MM_ERASED_MAX rows.
 * Adds what it erased and logged to *erased and *bytes (either may be NULL). Whether the rows
 * are due is the caller's to decide. MM_EIO when a file cannot be removed (logged with its path),
 * MM_EINVAL, MM_ENOMEM, store errors. A failure leaves the rows of its group in the index, even
 * where the file is gone already: erasing them again finishes the job.
 */
mm_err_t edge_vault_erase(const edge_vault_t *v, const char *camera, const edge_segment_row_t *rows,
                          size_t n, mm_erase_reason_t reason, const char *hold_id, int64_t now_us,
                          uint32_t *erased, uint64_t *bytes);

/* --- holds ---------------------------------------------------------------------------------- */

/*
 * Places hold id on camera's footage in [start_us, end_us): creates the hold's key (or reuses
 * one a crash left before the hold was stored), wraps the key of every segment it covers whose
 * epoch the keyring still has, then stores the hold and logs hold_placed with the reason and the
 * number of segments it keeps, in one transaction. MM_EEXIST for a hold id in use, MM_EINVAL
 * for a bad id (1..63 of [A-Za-z0-9._-]), camera or reason, or an empty range; keyring and
 * store errors.
 */
mm_err_t edge_vault_hold_place(const edge_vault_t *v, const char *id, const char *camera,
                               int64_t start_us, int64_t end_us, const char *reason,
                               int64_t now_us);

/*
 * The same, for a hold a person places: by (a person id, "" or NULL for none) and expires_us (0
 * none) are kept in the hold's row and its hold_placed entry. MM_EINVAL also for a by that is
 * no id, or an expires_us below 0.
 */
mm_err_t edge_vault_hold_place_by(const edge_vault_t *v, const char *id, const char *camera,
                                  int64_t start_us, int64_t end_us, const char *reason,
                                  const char *by, int64_t expires_us, int64_t now_us);

/*
 * Releases hold id: destroys its key (after which what was wrapped under it opens nothing), then
 * removes the hold and its wrapped keys and logs hold_released with the reason, in one
 * transaction. *released (may be NULL) is the hold as it was, so that the caller can erase what
 * it kept past retention (retention.h). Erases no footage. MM_ENOTFOUND for an unknown hold,
 * MM_EINVAL for a reason too long; keyring and store errors.
 */
mm_err_t edge_vault_hold_release(const edge_vault_t *v, const char *id, const char *reason,
                                 int64_t now_us, edge_hold_row_t *released);

/* The same, released by the person by (kept in the hold_released entry; "" or NULL: the edge
 * itself). MM_EINVAL also for a by that is no id. */
mm_err_t edge_vault_hold_release_by(const edge_vault_t *v, const char *id, const char *reason,
                                    const char *by, int64_t now_us, edge_hold_row_t *released);

/* Hold id: MM_OK with *h, MM_ENOTFOUND, MM_EINVAL for a bad id, MM_ECORRUPT. */
mm_err_t edge_vault_hold_get(const edge_vault_t *v, const char *id, edge_hold_row_t *h);

/* Every hold, in id order, into *hs (free with edge_vault_holds_free). MM_ENOMEM, MM_ECORRUPT. */
mm_err_t edge_vault_holds_load(const edge_vault_t *v, edge_vault_holds_t *hs);
/* Frees what edge_vault_holds_load filled in and empties hs. */
void edge_vault_holds_free(edge_vault_holds_t *hs);

/* Whether a hold in hs other than skip (NULL: none) covers the segment of row. */
int edge_vault_holds_cover(const edge_vault_holds_t *hs, const char *skip,
                           const edge_segment_row_t *row);

/*
 * Wraps, under each hold in hs, the key of every segment it covers that starts in
 * [from_us, to_us) and is not wrapped under it yet, and commits each wrapped key; *wrapped
 * counts the keys wrapped now. Retention calls it before the ratchet passes [from_us, to_us).
 * MM_EERASED when a key is gone already; segment file, keyring and store errors (logged with the
 * hold).
 */
mm_err_t edge_vault_holds_wrap(const edge_vault_t *v, const edge_vault_holds_t *hs, int64_t from_us,
                               int64_t to_us, uint32_t *wrapped);

/* --- inside the caller's write transaction --------------------------------------------------- */

/*
 * Stores hold h in txn, to commit with the caller's entry (hold_placed). Nothing else: the key
 * and its wraps are edge_vault_hold_place's. MM_EEXIST for an id in use, MM_EINVAL for a bad id
 * or camera, MM_EFULL (the map is full: mm_db_write grows it and runs again), MM_EDB.
 */
mm_err_t edge_vault_hold_add_in(const edge_vault_t *v, MDB_txn *txn, const edge_hold_row_t *h);

/*
 * Removes hold id and every key wrapped under it in txn, to commit with the caller's entry
 * (hold_released). The hold's key file is edge_vault_hold_release's. MM_ENOTFOUND, MM_EINVAL for
 * a bad id, MM_EFULL, MM_EDB.
 */
mm_err_t edge_vault_hold_remove_in(const edge_vault_t *v, MDB_txn *txn, const char *id);

#endif
