/*
 * test_segment_gcm.c: the one-pass AES-256-GCM the segment writer seals its chunks with
 * (crypto.h mm_gcm_seal_*): for every length and split into pieces, with the head (the chunk's
 * frame count) and the aad's tag ("CHNK" or "LAST") known only at the end, the ciphertext and the
 * tag are exactly those of mm_aes256gcm_seal over the whole chunk, so that segment files keep
 * their format and every reader opens them (R-N7.3, R-N7.7).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/crypto.h"

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

static void check_one(size_t len, size_t head_len, int relabel, int pieces)
{
    uint8_t key[32], nonce[12], aad[44], aad2[44];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)rnd();
    for (size_t i = 0; i < sizeof nonce; i++)
        nonce[i] = (uint8_t)rnd();
    for (size_t i = 0; i < sizeof aad; i++)
        aad[i] = (uint8_t)rnd();
    memcpy(aad2, aad, sizeof aad);
    memcpy(aad + 40, "CHNK", 4);
    memcpy(aad2 + 40, relabel ? "LAST" : "CHNK", 4);
    uint8_t *pt = malloc(len + 1), *want = malloc(len + 1), *got = malloc(len + 1);
    assert_non_null(pt);
    assert_non_null(want);
    assert_non_null(got);
    for (size_t i = 0; i < len; i++)
        pt[i] = (uint8_t)rnd();
    uint8_t want_tag[16], got_tag[16];
    assert_int_equal(mm_aes256gcm_seal(key, nonce, aad2, sizeof aad2, pt, len, want, want_tag),
                     MM_OK);

    mm_gcm_seal_t *s;
    assert_int_equal(mm_gcm_seal_create(key, &s), MM_OK);
    /* Twice on one context: a second message under another nonce reuses it. */
    for (int round = 0; round < 2; round++) {
        memset(got, 0xee, len + 1);
        assert_int_equal(mm_gcm_seal_begin(s, nonce, aad, sizeof aad, got, head_len), MM_OK);
        size_t at = head_len;
        for (int p = 0; p < pieces && at < len; p++) {
            size_t n = p == pieces - 1 ? len - at : rnd() % (len - at + 1);
            /* In place, as the writer does for its frame records. */
            memcpy(got + at, pt + at, n);
            assert_int_equal(mm_gcm_seal_update(s, got + at, n, got + at), MM_OK);
            at += n;
        }
        if (at < len) {
            assert_int_equal(mm_gcm_seal_update(s, pt + at, len - at, got + at), MM_OK);
            at = len;
        }
        assert_int_equal(mm_gcm_seal_end(s, aad2, got, pt, got_tag), MM_OK);
        assert_memory_equal(got, want, len);
        assert_int_equal(got[len], 0xee);
        assert_memory_equal(got_tag, want_tag, 16);
    }
    mm_gcm_seal_destroy(s);
    free(pt);
    free(want);
    free(got);
}

static void gcm_in_pieces_equals_one_shot(void **state)
{
    (void)state;
    static const size_t lens[] = {4,  5,  15,  16,   17,   31,   32,    33,    47,    48,
                                  49, 63, 100, 1000, 4096, 4097, 65536, 65539, 300001};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
        for (int relabel = 0; relabel < 2; relabel++)
            for (int pieces = 1; pieces <= 40; pieces += 13)
                check_one(lens[i], 4, relabel, pieces);
    /* Other head lengths, and none. */
    check_one(16, 16, 1, 3);
    check_one(100, 16, 0, 5);
    check_one(100, 0, 1, 5);
    check_one(0, 0, 1, 1);
}

/* A wrong head or aad gives a tag that does not open: the correction is not a no-op. */
static void gcm_in_pieces_tag_depends_on_head(void **state)
{
    (void)state;
    uint8_t key[32] = {1}, nonce[12] = {2}, aad[44] = {3}, pt[64], ct[64], tag[16], out[64];
    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)i;
    mm_gcm_seal_t *s;
    assert_int_equal(mm_gcm_seal_create(key, &s), MM_OK);
    assert_int_equal(mm_gcm_seal_begin(s, nonce, aad, sizeof aad, ct, 4), MM_OK);
    assert_int_equal(mm_gcm_seal_update(s, pt + 4, 60, ct + 4), MM_OK);
    assert_int_equal(mm_gcm_seal_end(s, aad, ct, pt, tag), MM_OK);
    assert_int_equal(mm_aes256gcm_open(key, nonce, aad, sizeof aad, ct, 64, out, tag), MM_OK);
    assert_memory_equal(out, pt, 64);
    ct[1] ^= 1; /* the head's ciphertext */
    assert_int_equal(mm_aes256gcm_open(key, nonce, aad, sizeof aad, ct, 64, out, tag), MM_EVERIFY);
    ct[1] ^= 1;
    aad[43] ^= 1;
    assert_int_equal(mm_aes256gcm_open(key, nonce, aad, sizeof aad, ct, 64, out, tag), MM_EVERIFY);
    assert_int_equal(mm_gcm_seal_begin(s, nonce, aad, 65, ct, 4), MM_EINVAL);
    assert_int_equal(mm_gcm_seal_begin(s, nonce, aad, sizeof aad, ct, 17), MM_EINVAL);
    mm_gcm_seal_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gcm_in_pieces_equals_one_shot),
        cmocka_unit_test(gcm_in_pieces_tag_depends_on_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
