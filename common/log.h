/*
 * log.h: the site log, an append-only RFC 6962 Merkle tree in LMDB.
 *
 * The edge keeps one log (its site log); the hub keeps a verified mirror of every site's log and
 * its own log of city actions. All of them live in the same three LMDB databases, told apart by
 * a 32-bit log id that prefixes every key:
 *
 *   log.entries  (id, index)          -> 0x00, the entry's leaf hash (32 bytes), the entry's
 *                                         bytes exactly as hashed into the tree
 *   log.nodes    (id, level, index)   -> 32-byte hash of the perfect subtree there, for levels
 *                                         MM_LOG_NODE_LEVEL and up
 *   log.meta     (id)                 -> size (big-endian u64)
 *
 * Appending stores the entry with its leaf hash, and every perfect subtree of level
 * MM_LOG_NODE_LEVEL or more that it completes, so roots and proofs for any size take O(log n)
 * reads. A subtree below that level is made again, when asked for, from the leaf hashes stored
 * with its entries (at most 8, read through one cursor). That is one put an entry and one for
 * every eight on average; a leaf and every node in a table of their own took three.
 *
 * A log may instead keep its entries in a table of its own, log.e.<id> (decimal), same keys and
 * values: the hub gives one to each log it begins (MM_LOG_OWN_TABLES), so that each log's keys
 * only grow within its table and LMDB fills its pages (appends to the middle of the shared table
 * split pages in half, and the left half is never filled again). A log begun in the shared table
 * stays there, and so does a new one when LMDB has no room for another table (maxdbs). Which
 * table a log uses is found by name at open; a table made by a write transaction is seen by
 * other transactions once it has committed.
 *
 * A store written before this layout holds values that are the entry's bytes alone (an entry
 * never begins with 0x00: its first byte is a protobuf tag) and every node from level 0; both
 * are still read as they are, so an older store opens without being rewritten.
 *
 * The leaf stored with an entry is not made again from its bytes on reading: the scrub
 * (edge/scrub.h) compares the two, and finds an entry altered in place. Nothing is ever
 * rewritten or removed: there is no such function.
 *
 * A writer appends from a compact range of each log it wrote (merkle.h), kept in memory by the
 * mm_log_t: the nodes it stores are computed there, never read back. A range is checked against
 * the stored size at each append and rebuilt from the stored nodes (popcount(size) reads) when
 * it is not there yet (after open), does not match (another writer), or may hold what a
 * transaction that did not commit wrote: mm_db_write tells the log when its transactions end
 * (mm_db_watch). A caller that aborts a write transaction of its own in which it appended calls
 * mm_log_forget.
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
#include "common/wire.h"

#define MM_LOG_ENTRY_MAX (64 * 1024) /* largest entry accepted */
#define MM_LOG_NODE_LEVEL 4          /* the lowest level of the nodes stored */

typedef struct mm_log mm_log_t;

/* Opens the log databases in db (at start-up, before other transactions), and the tables of
 * their own that logs have. */
mm_err_t mm_log_open(mm_db_t *db, mm_log_t **out);

/* A log begun by this mm_log_t gets a table of its own (log.e.<id>) for its entries. */
#define MM_LOG_OWN_TABLES 1u
/* As mm_log_open, with flags (0 or MM_LOG_OWN_TABLES). */
mm_err_t mm_log_open_with(mm_db_t *db, unsigned flags, mm_log_t **out);
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
 * Appends entries[0 .. n) (each 1..MM_LOG_ENTRY_MAX bytes) to log id in write transaction txn,
 * after what it holds, and writes the root of the tree they complete to *root (may be NULL).
 * When want is not NULL and that root is not *want, nothing is written, *root is the root the
 * entries would have made, and the answer is MM_EVERIFY. One read and one write of the size
 * for all n. MM_ETOOBIG for an entry of a bad length (nothing written), MM_EFULL as above.
 */
mm_err_t mm_log_append_many(mm_log_t *log, MDB_txn *txn, uint32_t id, const mm_bytes_t *entries,
                            size_t n, const mm_hash_t *want, mm_hash_t *root);

/*
 * As mm_log_append_many, with the entries' leaf hashes (mm_merkle_leaf_hash of each) already
 * computed by the caller in leaves[0 .. n) (NULL: computed here). The caller must have hashed
 * exactly these bytes: the root compared with *want is made from leaves, not from entries.
 */
mm_err_t mm_log_append_hashed(mm_log_t *log, MDB_txn *txn, uint32_t id, const mm_bytes_t *entries,
                              const mm_hash_t *leaves, size_t n, const mm_hash_t *want,
                              mm_hash_t *root);

/* Drops the compact ranges kept in memory; they are rebuilt from the store when next needed. */
void mm_log_forget(mm_log_t *log);

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
