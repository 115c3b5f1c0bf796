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

#endif
