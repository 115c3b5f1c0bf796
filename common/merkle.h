/*
 * merkle.h: RFC 6962 / RFC 9162 Merkle tree hashing and proofs.
 *
 * Leaves are hashed as SHA-256(0x00 || data) and interior nodes as SHA-256(0x01 || left ||
 * right). The tree over n leaves splits at the largest power of two smaller than n.
 *
 * The functions that build roots and proofs read stored hashes through an mm_merkle_node_fn:
 * the hash of the *perfect* subtree at (level, index), covering leaves
 * [index << level, (index + 1) << level). Any store that keeps those hashes (LMDB in log.h, an
 * array in tests) can serve them, and every root or proof then costs O(log n) lookups. Only
 * perfect subtrees that lie entirely inside the tree are ever asked for.
 *
 * Verification functions need nothing but their arguments.
 */
#ifndef MM_MERKLE_H
#define MM_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define MM_HASH_LEN 32
/* A proof for a tree of at most 2^64 leaves has at most 64 hashes (consistency: 2 * 64 max). */
#define MM_MERKLE_MAX_PROOF 128

typedef struct {
    uint8_t b[MM_HASH_LEN];
} mm_hash_t;

/*
 * Writes the hash of the perfect subtree (level, index) into out. Returns MM_OK or an error,
 * which the caller passes on.
 */
typedef mm_err_t (*mm_merkle_node_fn)(void *ctx, unsigned level, uint64_t index, mm_hash_t *out);

void mm_merkle_leaf_hash(const void *data, size_t len, mm_hash_t *out);
void mm_merkle_node_hash(const mm_hash_t *left, const mm_hash_t *right, mm_hash_t *out);

/* The root of the empty tree: SHA-256 of the empty string. */
void mm_merkle_empty_root(mm_hash_t *out);

/* Root of the tree over the first size leaves. */
mm_err_t mm_merkle_root(mm_merkle_node_fn fn, void *ctx, uint64_t size, mm_hash_t *out);

/*
 * A node function over an array of leaf hashes (ctx = the array), computing each perfect
 * subtree from its leaves: for checking roots from scratch in tests and tools, not for logs.
 */
mm_err_t mm_merkle_leaves_node(void *ctx, unsigned level, uint64_t index, mm_hash_t *out);

/*
 * Inclusion proof (audit path) of leaf index in the tree of size leaves. Writes up to
 * MM_MERKLE_MAX_PROOF hashes to proof and their count to n. MM_ERANGE when index >= size.
 */
mm_err_t mm_merkle_inclusion_proof(mm_merkle_node_fn fn, void *ctx, uint64_t index,
                                   uint64_t size, mm_hash_t *proof, size_t *n);

/*
 * Consistency proof between the trees of old_size and new_size leaves (RFC 6962 2.1.2).
 * MM_ERANGE unless 0 < old_size <= new_size. An empty proof when old_size == new_size.
 */
mm_err_t mm_merkle_consistency_proof(mm_merkle_node_fn fn, void *ctx, uint64_t old_size,
                                     uint64_t new_size, mm_hash_t *proof, size_t *n);

/* Returns MM_OK when proof shows leaf at index in the tree of size with root, else MM_EVERIFY. */
mm_err_t mm_merkle_verify_inclusion(const mm_hash_t *leaf, uint64_t index, uint64_t size,
                                    const mm_hash_t *proof, size_t n, const mm_hash_t *root);

/* Returns MM_OK when proof shows old_root's tree is a prefix of new_root's, else MM_EVERIFY. */
mm_err_t mm_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
                                      const mm_hash_t *old_root, const mm_hash_t *new_root,
                                      const mm_hash_t *proof, size_t n);

/*
 * Appending. The caller has stored leaf hash h as node (0, index) where index is the new leaf's
 * index (the old size). For every perfect subtree that this leaf completes, this computes its
 * hash from its two children (read through fn) and hands it to store, lowest level first.
 */
typedef mm_err_t (*mm_merkle_store_fn)(void *ctx, unsigned level, uint64_t index,
                                       const mm_hash_t *hash);
mm_err_t mm_merkle_complete(mm_merkle_node_fn fn, mm_merkle_store_fn store, void *ctx,
                            uint64_t index);

/*
 * A compact range: what a log's writer needs to append and to know its root without reading
 * back a single node. For a tree of size leaves it holds the hashes of the perfect subtrees
 * that size's set bits name, left to right (highest bit first), so at most 64 of them. A value
 * type: copy it to try an append and keep the copy only if it is wanted.
 */
typedef struct {
    uint64_t size;
    mm_hash_t h[64]; /* h[0 .. popcount(size)) */
} mm_merkle_range_t;

/* The empty range (size 0). */
void mm_merkle_range_init(mm_merkle_range_t *r);

/*
 * The range of a tree of size leaves, its perfect subtrees read through fn: popcount(size)
 * reads. fn's error is returned.
 */
mm_err_t mm_merkle_range_load(mm_merkle_range_t *r, mm_merkle_node_fn fn, void *ctx, uint64_t size);

/*
 * Appends leaf hash leaf as leaf r->size. When store is not NULL it is handed the leaf as node
 * (0, index) and then every perfect subtree the leaf completes, lowest level first; its error
 * stops the append, leaving r as it was.
 */
mm_err_t mm_merkle_range_append(mm_merkle_range_t *r, const mm_hash_t *leaf,
                                mm_merkle_store_fn store, void *ctx);

/* The root of the tree the range describes (the empty root for size 0). */
void mm_merkle_range_root(const mm_merkle_range_t *r, mm_hash_t *out);

#endif
