/*
 * log.h: the site log, an append-only RFC 6962 Merkle tree in LMDB.
 *
 * The edge keeps one log (its site log); the hub keeps a verified mirror of every site's log and
 * its own log of city actions. All of them live in the same three LMDB databases, told apart by
 * a 32-bit log id that prefixes every key:
 *
 *   log.entries  (id, index)          -> entry bytes, exactly as hashed into the tree
 *   log.nodes    (id, level, index)   -> 32-byte hash of the perfect subtree there
 *   log.meta     (id)                 -> size (big-endian u64)
 *
 * Appending stores the leaf and every perfect subtree it completes, so roots and proofs for any
 * size take O(log n) reads. Nothing is ever rewritten or removed: there is no such function.
 *
 * Every call works inside a transaction the caller owns, so that an append commits together with
 * the records it describes (a segment's index row and its log entry are one commit).
 */
#ifndef MM_LOG_H
#define MM_LOG_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/err.h"
#include "common/merkle.h"

#define MM_LOG_ENTRY_MAX (64 * 1024) /* largest entry accepted */

typedef struct mm_log mm_log_t;

/* Opens the log databases in db (at start-up, before other transactions). */
mm_err_t mm_log_open(mm_db_t *db, mm_log_t **out);
void mm_log_close(mm_log_t *log);

/* Size (number of entries) of log id; 0 for a log never written. */
mm_err_t mm_log_size(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t *size);

/*
 * Appends one entry (1..MM_LOG_ENTRY_MAX bytes) to log id in write transaction txn and writes its
 * index to *index (may be NULL). MM_EFULL when the map is full (see mm_db_write).
 */
mm_err_t mm_log_append(mm_log_t *log, MDB_txn *txn, uint32_t id, const void *entry, size_t len,
                       uint64_t *index);

/*
 * Reads entry index of log id. *data points into the map and stays valid until txn ends.
 * MM_ENOTFOUND when index >= size.
 */
mm_err_t mm_log_get(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t index, const void **data,
                    size_t *len);

/* Leaf hash of entry index. */
mm_err_t mm_log_leaf(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t index, mm_hash_t *out);

/* Root of the first size entries (size <= current size). MM_ERANGE otherwise. */
mm_err_t mm_log_root(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t size, mm_hash_t *out);

/* An inclusion proof, as in merkle.h, over the stored log. proof has room for
 * MM_MERKLE_MAX_PROOF. */
mm_err_t mm_log_inclusion_proof(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t index,
                                uint64_t size, mm_hash_t *proof, size_t *n);

#endif
