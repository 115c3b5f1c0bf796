/*
 * test_merkle.c: RFC 6962 hashing, roots and proofs against the certificate-transparency
 * reference test vectors (the eight leaves of merkle_tree_test), plus every proof of every tree
 * up to 64 leaves verified, and tampered proofs refused.
 *
 * The roots for sizes 1..8 and the proofs below are the published CT vectors; they were also
 * recomputed with an independent implementation (Python hashlib, RFC 6962 section 2.1 verbatim)
 * when this test was written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/crypto.h"
#include "common/merkle.h"

#define MAXN 64

static const char *const leaf_hex[8] = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

static const char *const roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* A node store in memory: nodes[level][index]. */
typedef struct {
    mm_hash_t nodes[7][MAXN];
    int have[7][MAXN];
    uint64_t size;
} tree_t;

static mm_err_t get_node(void *ctx, unsigned level, uint64_t index, mm_hash_t *out)
{
    tree_t *t = ctx;
    assert_true(level < 7 && index < MAXN);
    assert_true(t->have[level][index]); /* only perfect subtrees inside the tree are asked for */
    assert_true(((index + 1) << level) <= t->size);
    *out = t->nodes[level][index];
    return MM_OK;
}

static mm_err_t put_node(void *ctx, unsigned level, uint64_t index, const mm_hash_t *h)
{
    tree_t *t = ctx;
    t->nodes[level][index] = *h;
    t->have[level][index] = 1;
    return MM_OK;
}

static void append(tree_t *t, const void *data, size_t len)
{
    mm_hash_t h;
    mm_merkle_leaf_hash(data, len, &h);
    put_node(t, 0, t->size, &h);
    t->size++;
    assert_int_equal(mm_merkle_complete(get_node, put_node, t, t->size - 1), MM_OK);
}

static void hex_hash(const char *hex, mm_hash_t *out)
{
    assert_int_equal(mm_hex_decode(hex, 64, out->b, 32), 32);
}

static void build_ct(tree_t *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < 8; i++) {
        uint8_t buf[16];
        size_t n = strlen(leaf_hex[i]) / 2;
        if (n)
            assert_int_equal(mm_hex_decode(leaf_hex[i], n * 2, buf, sizeof buf), (int)n);
        append(t, buf, n);
    }
}

static void empty_and_roots(void **state)
{
    (void)state;
    mm_hash_t h, want;
    mm_merkle_empty_root(&h);
    hex_hash("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", &want);
    assert_memory_equal(h.b, want.b, 32);

    tree_t t;
    build_ct(&t);
    for (uint64_t n = 1; n <= 8; n++) {
        assert_int_equal(mm_merkle_root(get_node, &t, n, &h), MM_OK);
        hex_hash(roots[n - 1], &want);
        assert_memory_equal(h.b, want.b, 32);
    }
}

static void check_proof(const mm_hash_t *got, size_t n, const char *const *want, size_t wn)
{
    assert_int_equal(n, wn);
    for (size_t i = 0; i < n; i++) {
        mm_hash_t w;
        hex_hash(want[i], &w);
        assert_memory_equal(got[i].b, w.b, 32);
    }
}

static void ct_inclusion_vectors(void **state)
{
    (void)state;
    tree_t t;
    build_ct(&t);
    mm_hash_t proof[MM_MERKLE_MAX_PROOF];
    size_t n;
    static const char *const p0_8[] = {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"};
    static const char *const p5_8[] = {
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"};
    static const char *const p2_3[] = {
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"};
    static const char *const p1_5[] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"};
    assert_int_equal(mm_merkle_inclusion_proof(get_node, &t, 0, 1, proof, &n), MM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(mm_merkle_inclusion_proof(get_node, &t, 0, 8, proof, &n), MM_OK);
    check_proof(proof, n, p0_8, 3);
    assert_int_equal(mm_merkle_inclusion_proof(get_node, &t, 5, 8, proof, &n), MM_OK);
    check_proof(proof, n, p5_8, 3);
    assert_int_equal(mm_merkle_inclusion_proof(get_node, &t, 2, 3, proof, &n), MM_OK);
    check_proof(proof, n, p2_3, 1);
    assert_int_equal(mm_merkle_inclusion_proof(get_node, &t, 1, 5, proof, &n), MM_OK);
    check_proof(proof, n, p1_5, 3);
    assert_int_equal(mm_merkle_inclusion_proof(get_node, &t, 8, 8, proof, &n), MM_ERANGE);
}

static void ct_consistency_vectors(void **state)
{
    (void)state;
    tree_t t;
    build_ct(&t);
    mm_hash_t proof[MM_MERKLE_MAX_PROOF];
    size_t n;
    static const char *const c1_8[] = {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"};
    static const char *const c6_8[] = {
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"};
    static const char *const c2_5[] = {
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"};
    assert_int_equal(mm_merkle_consistency_proof(get_node, &t, 1, 1, proof, &n), MM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(mm_merkle_consistency_proof(get_node, &t, 1, 8, proof, &n), MM_OK);
    check_proof(proof, n, c1_8, 3);
    assert_int_equal(mm_merkle_consistency_proof(get_node, &t, 6, 8, proof, &n), MM_OK);
    check_proof(proof, n, c6_8, 3);
    assert_int_equal(mm_merkle_consistency_proof(get_node, &t, 2, 5, proof, &n), MM_OK);
    check_proof(proof, n, c2_5, 2);
    assert_int_equal(mm_merkle_consistency_proof(get_node, &t, 0, 5, proof, &n), MM_ERANGE);
    assert_int_equal(mm_merkle_consistency_proof(get_node, &t, 6, 5, proof, &n), MM_ERANGE);
}

/* Every proof of every tree up to MAXN leaves verifies, and a tampered one does not. */
static void all_proofs_verify(void **state)
{
    (void)state;
    static tree_t t;
    memset(&t, 0, sizeof t);
    mm_hash_t r[MAXN + 1];
    for (int i = 0; i < MAXN; i++) {
        uint8_t d[8];
        memset(d, i, sizeof d);
        append(&t, d, (size_t)(i % 7));
        assert_int_equal(mm_merkle_root(get_node, &t, t.size, &r[t.size]), MM_OK);
    }
    /* Roots over 1..64 leaves of i repeated (i % 7) times, hashed together, as computed with
     * Python hashlib from RFC 6962 2.1. */
    uint8_t all[MAXN * 32], digest[32], want[32];
    for (int n = 1; n <= MAXN; n++)
        memcpy(all + (n - 1) * 32, r[n].b, 32);
    mm_sha256(all, sizeof all, digest);
    assert_int_equal(
        mm_hex_decode("294b763dcfa4511589158afeebd63a55d240101242e9628c54f0c02cfd3adfee", 64,
                      want, 32),
        32);
    assert_memory_equal(digest, want, 32);

    mm_hash_t proof[MM_MERKLE_MAX_PROOF];
    size_t n;
    for (uint64_t size = 1; size <= MAXN; size++) {
        for (uint64_t i = 0; i < size; i++) {
            mm_hash_t leaf = t.nodes[0][i];
            assert_int_equal(mm_merkle_inclusion_proof(get_node, &t, i, size, proof, &n), MM_OK);
            assert_int_equal(mm_merkle_verify_inclusion(&leaf, i, size, proof, n, &r[size]),
                             MM_OK);
            /* wrong index, wrong size, wrong root, tampered or shortened proof */
            if (size > 1)
                assert_int_equal(
                    mm_merkle_verify_inclusion(&leaf, (i + 1) % size, size, proof, n, &r[size]),
                    MM_EVERIFY);
            if (size < MAXN)
                assert_int_equal(
                    mm_merkle_verify_inclusion(&leaf, i, size + 1, proof, n, &r[size + 1]),
                    MM_EVERIFY);
            if (size > 1)
                assert_int_equal(
                    mm_merkle_verify_inclusion(&leaf, i, size, proof, n, &r[size - 1]),
                    MM_EVERIFY);
            if (n > 0) {
                mm_hash_t saved = proof[n - 1];
                proof[n - 1].b[7] ^= 1;
                assert_int_equal(mm_merkle_verify_inclusion(&leaf, i, size, proof, n, &r[size]),
                                 MM_EVERIFY);
                proof[n - 1] = saved;
                assert_int_equal(
                    mm_merkle_verify_inclusion(&leaf, i, size, proof, n - 1, &r[size]),
                    MM_EVERIFY);
            }
        }
        for (uint64_t old = 1; old <= size; old++) {
            assert_int_equal(mm_merkle_consistency_proof(get_node, &t, old, size, proof, &n),
                             MM_OK);
            assert_int_equal(
                mm_merkle_verify_consistency(old, size, &r[old], &r[size], proof, n), MM_OK);
            if (old < size) {
                assert_int_equal(
                    mm_merkle_verify_consistency(old, size, &r[old + 1], &r[size], proof, n),
                    MM_EVERIFY);
                if (n > 0) {
                    proof[0].b[0] ^= 0x80;
                    assert_int_equal(
                        mm_merkle_verify_consistency(old, size, &r[old], &r[size], proof, n),
                        MM_EVERIFY);
                }
            }
        }
    }
    assert_int_equal(mm_merkle_verify_consistency(0, 4, &r[1], &r[4], proof, 0), MM_EVERIFY);
    assert_int_equal(mm_merkle_verify_consistency(5, 4, &r[5], &r[4], proof, 0), MM_EVERIFY);
}

/* The compact range a writer keeps gives, at every size, the root the stored nodes give; it
 * hands over the same nodes mm_merkle_complete makes; and loaded from the stored nodes at any
 * size it goes on as if it had been appended all along. */
static void compact_range_matches_the_stored_tree(void **state)
{
    (void)state;
    static tree_t t, fromrange;
    memset(&t, 0, sizeof t);
    memset(&fromrange, 0, sizeof fromrange);
    mm_merkle_range_t r;
    mm_merkle_range_init(&r);
    mm_hash_t a, b;
    mm_merkle_range_root(&r, &a);
    mm_merkle_empty_root(&b);
    assert_memory_equal(a.b, b.b, 32);
    for (int i = 0; i < MAXN; i++) {
        uint8_t data[2] = {(uint8_t)i, 0x5a};
        append(&t, data, sizeof data);
        mm_hash_t leaf;
        mm_merkle_leaf_hash(data, sizeof data, &leaf);
        fromrange.size = t.size;
        assert_int_equal(mm_merkle_range_append(&r, &leaf, put_node, &fromrange), MM_OK);
        assert_int_equal(r.size, t.size);
        assert_int_equal(mm_merkle_root(get_node, &t, t.size, &b), MM_OK);
        mm_merkle_range_root(&r, &a);
        assert_memory_equal(a.b, b.b, 32);
        mm_merkle_range_t loaded;
        assert_int_equal(mm_merkle_range_load(&loaded, get_node, &t, t.size), MM_OK);
        assert_int_equal(loaded.size, r.size);
        assert_memory_equal(loaded.h, r.h,
                            sizeof(mm_hash_t) * (size_t)__builtin_popcountll(r.size));
    }
    for (int l = 0; l < 7; l++)
        for (int i = 0; i < MAXN; i++) {
            assert_int_equal(fromrange.have[l][i], t.have[l][i]);
            if (t.have[l][i])
                assert_memory_equal(fromrange.nodes[l][i].b, t.nodes[l][i].b, 32);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_and_roots),
        cmocka_unit_test(ct_inclusion_vectors),
        cmocka_unit_test(ct_consistency_vectors),
        cmocka_unit_test(all_proofs_verify),
        cmocka_unit_test(compact_range_matches_the_stored_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
