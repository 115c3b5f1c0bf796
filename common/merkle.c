/*
 * merkle.c: RFC 6962 / RFC 9162 Merkle tree hashing and proofs (see merkle.h).
 *
 * Roots and proofs follow the recursive definitions of RFC 6962 section 2.1 (MTH, PATH,
 * SUBPROOF); every range they visit starts at a multiple of the largest power of two not above
 * its length, so each perfect part is one stored node. Verification follows RFC 9162 sections
 * 2.1.3.2 and 2.1.4.2 step by step.
 */
#include "common/merkle.h"

#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"

void mm_merkle_leaf_hash(const void *data, size_t len, mm_hash_t *out)
{
    /* Small leaves (every entry so far) hash from the stack; larger ones stream. */
    uint8_t buf[1 + 1024];
    if (len < sizeof buf) {
        buf[0] = 0x00;
        memcpy(buf + 1, data, len);
        mm_sha256(buf, len + 1, out->b);
        return;
    }
    mm_sha256_ctx_t *c = NULL;
    if (mm_sha256_create(&c) != MM_OK)
        abort(); /* out of memory while hashing: nothing sensible is left to do */
    static const uint8_t prefix = 0x00;
    mm_sha256_update(c, &prefix, 1);
    mm_sha256_update(c, data, len);
    mm_sha256_final(c, out->b);
    mm_sha256_destroy(c);
}

void mm_merkle_node_hash(const mm_hash_t *left, const mm_hash_t *right, mm_hash_t *out)
{
    uint8_t buf[1 + 2 * MM_HASH_LEN];
    buf[0] = 0x01;
    memcpy(buf + 1, left->b, MM_HASH_LEN);
    memcpy(buf + 1 + MM_HASH_LEN, right->b, MM_HASH_LEN);
    mm_sha256(buf, sizeof buf, out->b);
}

void mm_merkle_empty_root(mm_hash_t *out)
{
    mm_sha256("", 0, out->b);
}

/* Largest power of two strictly smaller than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k < n - k)
        k <<= 1;
    return k;
}

static int is_pow2(uint64_t n)
{
    return n && !(n & (n - 1));
}

static unsigned log2_u64(uint64_t n)
{
    unsigned l = 0;
    while (n >>= 1)
        l++;
    return l;
}

/* MTH of leaves [start, start + n), n >= 1. */
static mm_err_t range_hash(mm_merkle_node_fn fn, void *ctx, uint64_t start, uint64_t n,
                           mm_hash_t *out)
{
    if (is_pow2(n)) {
        unsigned level = log2_u64(n);
        return fn(ctx, level, start >> level, out);
    }
    uint64_t k = split_point(n);
    mm_hash_t l, r;
    mm_err_t err = range_hash(fn, ctx, start, k, &l);
    if (err == MM_OK)
        err = range_hash(fn, ctx, start + k, n - k, &r);
    if (err == MM_OK)
        mm_merkle_node_hash(&l, &r, out);
    return err;
}

mm_err_t mm_merkle_root(mm_merkle_node_fn fn, void *ctx, uint64_t size, mm_hash_t *out)
{
    if (size == 0) {
        mm_merkle_empty_root(out);
        return MM_OK;
    }
    return range_hash(fn, ctx, 0, size, out);
}

/* PATH(m, D[start:start+n]) appended to proof. */
static mm_err_t path(mm_merkle_node_fn fn, void *ctx, uint64_t m, uint64_t start, uint64_t n,
                     mm_hash_t *proof, size_t *len)
{
    if (n <= 1)
        return MM_OK;
    uint64_t k = split_point(n);
    mm_err_t err;
    if (m < k) {
        err = path(fn, ctx, m, start, k, proof, len);
        if (err == MM_OK)
            err = range_hash(fn, ctx, start + k, n - k, &proof[(*len)++]);
    } else {
        err = path(fn, ctx, m - k, start + k, n - k, proof, len);
        if (err == MM_OK)
            err = range_hash(fn, ctx, start, k, &proof[(*len)++]);
    }
    return err;
}

mm_err_t mm_merkle_inclusion_proof(mm_merkle_node_fn fn, void *ctx, uint64_t index,
                                   uint64_t size, mm_hash_t *proof, size_t *n)
{
    if (index >= size)
        return MM_ERANGE;
    *n = 0;
    return path(fn, ctx, index, 0, size, proof, n);
}

/* SUBPROOF(m, D[start:start+n], b) appended to proof. */
static mm_err_t subproof(mm_merkle_node_fn fn, void *ctx, uint64_t m, uint64_t start, uint64_t n,
                         int b, mm_hash_t *proof, size_t *len)
{
    if (m == n) {
        if (b)
            return MM_OK;
        return range_hash(fn, ctx, start, n, &proof[(*len)++]);
    }
    uint64_t k = split_point(n);
    mm_err_t err;
    if (m <= k) {
        err = subproof(fn, ctx, m, start, k, b, proof, len);
        if (err == MM_OK)
            err = range_hash(fn, ctx, start + k, n - k, &proof[(*len)++]);
    } else {
        err = subproof(fn, ctx, m - k, start + k, n - k, 0, proof, len);
        if (err == MM_OK)
            err = range_hash(fn, ctx, start, k, &proof[(*len)++]);
    }
    return err;
}

mm_err_t mm_merkle_consistency_proof(mm_merkle_node_fn fn, void *ctx, uint64_t old_size,
                                     uint64_t new_size, mm_hash_t *proof, size_t *n)
{
    if (old_size == 0 || old_size > new_size)
        return MM_ERANGE;
    *n = 0;
    if (old_size == new_size)
        return MM_OK;
    return subproof(fn, ctx, old_size, 0, new_size, 1, proof, n);
}

mm_err_t mm_merkle_verify_inclusion(const mm_hash_t *leaf, uint64_t index, uint64_t size,
                                    const mm_hash_t *proof, size_t n, const mm_hash_t *root)
{
    if (index >= size || n > MM_MERKLE_MAX_PROOF)
        return MM_EVERIFY;
    uint64_t fn = index, sn = size - 1;
    mm_hash_t r = *leaf;
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return MM_EVERIFY;
        if ((fn & 1) || fn == sn) {
            mm_merkle_node_hash(&proof[i], &r, &r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            mm_merkle_node_hash(&r, &proof[i], &r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || memcmp(r.b, root->b, MM_HASH_LEN) != 0)
        return MM_EVERIFY;
    return MM_OK;
}

mm_err_t mm_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
                                      const mm_hash_t *old_root, const mm_hash_t *new_root,
                                      const mm_hash_t *proof, size_t n)
{
    if (old_size == 0 || old_size > new_size || n > MM_MERKLE_MAX_PROOF)
        return MM_EVERIFY;
    if (old_size == new_size)
        return n == 0 && memcmp(old_root->b, new_root->b, MM_HASH_LEN) == 0 ? MM_OK : MM_EVERIFY;

    /* When old_size is a power of two its root is the first element of the full path. */
    const mm_hash_t *first;
    size_t i = 0;
    if (is_pow2(old_size)) {
        first = old_root;
    } else {
        if (n == 0)
            return MM_EVERIFY;
        first = &proof[0];
        i = 1;
    }
    uint64_t fn = old_size - 1, sn = new_size - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    mm_hash_t fr = *first, sr = *first;
    for (; i < n; i++) {
        if (sn == 0)
            return MM_EVERIFY;
        if ((fn & 1) || fn == sn) {
            mm_merkle_node_hash(&proof[i], &fr, &fr);
            mm_merkle_node_hash(&proof[i], &sr, &sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            mm_merkle_node_hash(&sr, &proof[i], &sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || memcmp(fr.b, old_root->b, MM_HASH_LEN) != 0 ||
        memcmp(sr.b, new_root->b, MM_HASH_LEN) != 0)
        return MM_EVERIFY;
    return MM_OK;
}

mm_err_t mm_merkle_complete(mm_merkle_node_fn fn, mm_merkle_store_fn store, void *ctx,
                            uint64_t index)
{
    unsigned level = 0;
    uint64_t i = index;
    while (i & 1) {
        mm_hash_t l, r, parent;
        mm_err_t err = fn(ctx, level, i - 1, &l);
        if (err == MM_OK)
            err = fn(ctx, level, i, &r);
        if (err != MM_OK)
            return err;
        mm_merkle_node_hash(&l, &r, &parent);
        level++;
        i >>= 1;
        err = store(ctx, level, i, &parent);
        if (err != MM_OK)
            return err;
    }
    return MM_OK;
}

mm_err_t mm_merkle_leaves_node(void *ctx, unsigned level, uint64_t index, mm_hash_t *out)
{
    const mm_hash_t *leaves = ctx;
    if (level == 0) {
        *out = leaves[index];
        return MM_OK;
    }
    mm_hash_t l, r;
    mm_merkle_leaves_node(ctx, level - 1, index * 2, &l);
    mm_merkle_leaves_node(ctx, level - 1, index * 2 + 1, &r);
    mm_merkle_node_hash(&l, &r, out);
    return MM_OK;
}

/* --- compact ranges --------------------------------------------------------------------------*/

void mm_merkle_range_init(mm_merkle_range_t *r)
{
    r->size = 0;
}

mm_err_t mm_merkle_range_load(mm_merkle_range_t *r, mm_merkle_node_fn fn, void *ctx, uint64_t size)
{
    /* The subtrees left to right: the highest set bit covers leaves [0, 2^bit), and so on. */
    uint64_t start = 0;
    int n = 0;
    for (int bit = 63; bit >= 0; bit--) {
        if (!(size >> bit & 1))
            continue;
        mm_err_t err = fn(ctx, (unsigned)bit, start >> bit, &r->h[n++]);
        if (err != MM_OK)
            return err;
        start += (uint64_t)1 << bit;
    }
    r->size = size;
    return MM_OK;
}

mm_err_t mm_merkle_range_append(mm_merkle_range_t *r, const mm_hash_t *leaf,
                                mm_merkle_store_fn store, void *ctx)
{
    int n = __builtin_popcountll(r->size);
    uint64_t index = r->size;
    mm_hash_t h = *leaf;
    if (store) {
        mm_err_t err = store(ctx, 0, index, &h);
        if (err != MM_OK)
            return err;
    }
    /* Each trailing one bit of the size is a subtree of the new leaf's level to its left. */
    unsigned level = 0;
    while (r->size >> level & 1) {
        mm_hash_t parent;
        mm_merkle_node_hash(&r->h[--n], &h, &parent);
        h = parent;
        level++;
        index >>= 1;
        if (store) {
            mm_err_t err = store(ctx, level, index, &h);
            if (err != MM_OK)
                return err;
        }
    }
    r->h[n] = h;
    r->size++;
    return MM_OK;
}

void mm_merkle_range_root(const mm_merkle_range_t *r, mm_hash_t *out)
{
    int n = __builtin_popcountll(r->size);
    if (n == 0) {
        mm_merkle_empty_root(out);
        return;
    }
    mm_hash_t h = r->h[n - 1];
    for (int i = n - 2; i >= 0; i--) {
        mm_hash_t t;
        mm_merkle_node_hash(&r->h[i], &h, &t);
        h = t;
    }
    *out = h;
}
