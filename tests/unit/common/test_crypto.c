/*
 * test_crypto.c: SHA-256 against the FIPS 180-2 examples, Ed25519 against RFC 8032 section 7.1
 * (tests 1 and 2), HKDF-SHA256 against RFC 5869 appendix A (cases 1 and 3), AES-256-GCM against
 * McGrew and Viega's GCM specification (test cases 13 and 16, the 256-bit-key ones), base64
 * against RFC 4648 section 10 and its canonical form, and hex.
 *
 * The expected values are the published ones; they were also recomputed with Python's hashlib
 * and python3-cryptography (Debian's /usr/bin/python3) when this test was written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/crypto.h"

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(mm_hex_decode(hex, strlen(hex), out, n), (int)n);
}

static void assert_hex(const uint8_t *b, size_t n, const char *want)
{
    char buf[256];
    assert_true(2 * n + 1 <= sizeof buf);
    assert_int_equal(mm_hex_encode(b, n, buf, sizeof buf), MM_OK);
    assert_string_equal(buf, want);
}

static void sha256_known_vectors(void **state)
{
    (void)state;
    uint8_t d[MM_SHA256_LEN];
    mm_sha256("", 0, d);
    assert_hex(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    mm_sha256("abc", 3, d);
    assert_hex(d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    mm_sha256(two, strlen(two), d);
    assert_hex(d, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void sha256_incremental_matches_one_shot(void **state)
{
    (void)state;
    /* One million 'a' (FIPS 180-2 example 3), fed in uneven pieces. */
    mm_sha256_ctx_t *c = NULL;
    assert_int_equal(mm_sha256_create(&c), MM_OK);
    char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        mm_sha256_update(c, chunk, n);
        left -= n;
    }
    uint8_t d[32];
    mm_sha256_final(c, d);
    assert_hex(d, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    /* Reset starts over: "abc" in two pieces equals the one-shot digest. */
    mm_sha256_reset(c);
    mm_sha256_update(c, "a", 1);
    mm_sha256_update(c, "bc", 2);
    uint8_t e[32], f[32];
    mm_sha256_final(c, e);
    mm_sha256("abc", 3, f);
    assert_memory_equal(e, f, 32);
    mm_sha256_destroy(c);
    mm_sha256_destroy(NULL);
}

static void ed25519_rfc8032_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *secret, *pub, *msg, *sig;
    } v[] = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
         "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
         "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t seed[32], msg[8], sig[64], got[64];
        size_t mlen = strlen(v[i].msg) / 2;
        unhex(v[i].secret, seed, 32);
        if (mlen)
            unhex(v[i].msg, msg, mlen);
        unhex(v[i].sig, sig, 64);
        mm_ed25519_t k;
        assert_int_equal(mm_ed25519_from_seed(seed, &k), MM_OK);
        assert_true(k.has_secret);
        assert_hex(k.pub, 32, v[i].pub);
        assert_int_equal(mm_ed25519_sign(&k, msg, mlen, got), MM_OK);
        assert_memory_equal(got, sig, 64);
        assert_int_equal(mm_ed25519_verify(k.pub, msg, mlen, sig), MM_OK);

        /* Any changed bit of the signature, the message or the key fails. */
        got[17] ^= 0x10;
        assert_int_equal(mm_ed25519_verify(k.pub, msg, mlen, got), MM_EVERIFY);
        uint8_t longer[9] = {0};
        memcpy(longer, msg, mlen);
        assert_int_equal(mm_ed25519_verify(k.pub, longer, mlen + 1, sig), MM_EVERIFY);
        uint8_t pub2[32];
        memcpy(pub2, k.pub, 32);
        pub2[0] ^= 1;
        assert_int_equal(mm_ed25519_verify(pub2, msg, mlen, sig), MM_EVERIFY);

        mm_ed25519_wipe(&k);
        assert_false(k.has_secret);
        uint8_t zero[32] = {0};
        assert_memory_equal(k.seed, zero, 32);
    }
}

static void ed25519_generate_sign_verify(void **state)
{
    (void)state;
    mm_ed25519_t a, b;
    assert_int_equal(mm_ed25519_generate(&a), MM_OK);
    assert_int_equal(mm_ed25519_generate(&b), MM_OK);
    assert_memory_not_equal(a.pub, b.pub, 32);
    uint8_t sig[64];
    assert_int_equal(mm_ed25519_sign(&a, "hello", 5, sig), MM_OK);
    assert_int_equal(mm_ed25519_verify(a.pub, "hello", 5, sig), MM_OK);
    assert_int_equal(mm_ed25519_verify(b.pub, "hello", 5, sig), MM_EVERIFY);

    /* A public-only key cannot sign. */
    mm_ed25519_t pub_only = {.has_secret = 0};
    memcpy(pub_only.pub, a.pub, 32);
    assert_int_equal(mm_ed25519_sign(&pub_only, "x", 1, sig), MM_EINVAL);
    mm_ed25519_wipe(&a);
    mm_ed25519_wipe(&b);
}

static void random_bytes_differ(void **state)
{
    (void)state;
    uint8_t a[32], b[32];
    assert_int_equal(mm_random(a, sizeof a), MM_OK);
    assert_int_equal(mm_random(b, sizeof b), MM_OK);
    assert_memory_not_equal(a, b, sizeof a);
    assert_int_equal(mm_random(a, 0), MM_OK);
    mm_wipe(a, sizeof a);
    uint8_t zero[32] = {0};
    assert_memory_equal(a, zero, sizeof a);
}

static void hkdf_sha256_rfc5869_case1(void **state)
{
    (void)state;
    uint8_t ikm[22], salt[13], info[10], okm[42];
    memset(ikm, 0x0b, sizeof ikm);
    for (int i = 0; i < 13; i++)
        salt[i] = (uint8_t)i;
    for (int i = 0; i < 10; i++)
        info[i] = (uint8_t)(0xf0 + i);
    assert_int_equal(
        mm_hkdf_sha256(ikm, sizeof ikm, salt, sizeof salt, info, sizeof info, okm, sizeof okm),
        MM_OK);
    assert_hex(okm, 42,
               "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b88718"
               "5865");
}

static void hkdf_sha256_rfc5869_case3_without_salt_or_info(void **state)
{
    (void)state;
    uint8_t ikm[22], okm[42];
    memset(ikm, 0x0b, sizeof ikm);
    const char *want =
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4"
        "b61a96c8";
    assert_int_equal(mm_hkdf_sha256(ikm, sizeof ikm, NULL, 0, NULL, 0, okm, sizeof okm), MM_OK);
    assert_hex(okm, 42, want);
    /* A zero-length salt given as a pointer is the same as none. */
    uint8_t s0[1] = {0};
    assert_int_equal(mm_hkdf_sha256(ikm, sizeof ikm, s0, 0, s0, 0, okm, sizeof okm), MM_OK);
    assert_hex(okm, 42, want);
}

static void hkdf_sha256_refuses_more_than_255_blocks(void **state)
{
    (void)state;
    static uint8_t okm[255 * 32 + 1];
    uint8_t ikm[32] = {1};
    assert_int_equal(mm_hkdf_sha256(ikm, 32, NULL, 0, NULL, 0, okm, 255 * 32), MM_OK);
    assert_int_equal(mm_hkdf_sha256(ikm, 32, NULL, 0, NULL, 0, okm, sizeof okm), MM_ECRYPTO);
}

/* McGrew and Viega, "The Galois/Counter Mode of Operation", test case 16. */
static const char gcm16_key[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
static const char gcm16_nonce[] = "cafebabefacedbaddecaf888";
static const char gcm16_aad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
static const char gcm16_plain[] = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                                  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
static const char gcm16_cipher[] =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
static const char gcm16_tag[] = "76fc6ece0f4e1768cddf8853bb2d551b";

typedef struct {
    uint8_t key[32], nonce[12], aad[20], plain[60], cipher[60], tag[16];
} gcm_vec_t;

static void gcm16_load(gcm_vec_t *v)
{
    unhex(gcm16_key, v->key, 32);
    unhex(gcm16_nonce, v->nonce, 12);
    unhex(gcm16_aad, v->aad, 20);
    unhex(gcm16_plain, v->plain, 60);
    unhex(gcm16_cipher, v->cipher, 60);
    unhex(gcm16_tag, v->tag, 16);
}

static void aes256gcm_known_answer(void **state)
{
    (void)state;
    gcm_vec_t v;
    gcm16_load(&v);
    uint8_t out[60], tag[16];
    assert_int_equal(mm_aes256gcm_seal(v.key, v.nonce, v.aad, 20, v.plain, 60, out, tag), MM_OK);
    assert_memory_equal(out, v.cipher, 60);
    assert_memory_equal(tag, v.tag, 16);
    uint8_t back[60];
    assert_int_equal(mm_aes256gcm_open(v.key, v.nonce, v.aad, 20, v.cipher, 60, back, v.tag),
                     MM_OK);
    assert_memory_equal(back, v.plain, 60);

    /* Test case 13: zero key and nonce, nothing to encrypt, no aad; only the tag. */
    uint8_t zero[32] = {0};
    assert_int_equal(mm_aes256gcm_seal(zero, zero, NULL, 0, NULL, 0, NULL, tag), MM_OK);
    assert_hex(tag, 16, "530f8afbc74536b9a963b4f1c4cb738b");
    assert_int_equal(mm_aes256gcm_open(zero, zero, NULL, 0, NULL, 0, NULL, tag), MM_OK);
    tag[0] ^= 1;
    assert_int_equal(mm_aes256gcm_open(zero, zero, NULL, 0, NULL, 0, NULL, tag), MM_EVERIFY);
}

static void aes256gcm_round_trip_in_place(void **state)
{
    (void)state;
    uint8_t key[32], nonce[12], buf[1000], orig[1000], tag[16];
    assert_int_equal(mm_random(key, sizeof key), MM_OK);
    assert_int_equal(mm_random(nonce, sizeof nonce), MM_OK);
    assert_int_equal(mm_random(orig, sizeof orig), MM_OK);
    memcpy(buf, orig, sizeof buf);
    assert_int_equal(mm_aes256gcm_seal(key, nonce, "cam1", 4, buf, sizeof buf, buf, tag), MM_OK);
    assert_memory_not_equal(buf, orig, sizeof buf);
    assert_int_equal(mm_aes256gcm_open(key, nonce, "cam1", 4, buf, sizeof buf, buf, tag), MM_OK);
    assert_memory_equal(buf, orig, sizeof buf);

    /* In place agrees with out of place. */
    uint8_t sep[1000], tag2[16];
    memcpy(buf, orig, sizeof buf);
    assert_int_equal(mm_aes256gcm_seal(key, nonce, "cam1", 4, buf, sizeof buf, buf, tag), MM_OK);
    assert_int_equal(mm_aes256gcm_seal(key, nonce, "cam1", 4, orig, sizeof orig, sep, tag2), MM_OK);
    assert_memory_equal(buf, sep, sizeof buf);
    assert_memory_equal(tag, tag2, 16);
    mm_wipe(key, sizeof key);
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void aes256gcm_any_flipped_byte_fails_and_zeroes_output(void **state)
{
    (void)state;
    gcm_vec_t good;
    gcm16_load(&good);
    /* One flipped bit in each input the tag covers, at its first, a middle and its last byte. */
    for (int what = 0; what < 5; what++) {
        size_t len = what == 0 ? 32 : what == 1 ? 12 : what == 2 ? 20 : what == 3 ? 60 : 16;
        size_t at[3] = {0, len / 2, len - 1};
        for (int j = 0; j < 3; j++) {
            gcm_vec_t v = good;
            uint8_t *p = what == 0   ? v.key
                         : what == 1 ? v.nonce
                         : what == 2 ? v.aad
                         : what == 3 ? v.cipher
                                     : v.tag;
            p[at[j]] ^= 0x80;
            uint8_t out[60];
            memset(out, 0xa5, sizeof out);
            if (mm_aes256gcm_open(v.key, v.nonce, v.aad, 20, v.cipher, 60, out, v.tag) !=
                MM_EVERIFY)
                fail_msg("input %d byte %zu: opened", what, at[j]);
            assert_true(all_zero(out, sizeof out));

            /* The same in place: the ciphertext buffer is zeroed, nothing of it is left. */
            if (mm_aes256gcm_open(v.key, v.nonce, v.aad, 20, v.cipher, 60, v.cipher, v.tag) !=
                MM_EVERIFY)
                fail_msg("input %d byte %zu: opened in place", what, at[j]);
            assert_true(all_zero(v.cipher, sizeof v.cipher));
        }
    }
    /* A shorter aad or ciphertext fails as well. */
    uint8_t out[60];
    assert_int_equal(
        mm_aes256gcm_open(good.key, good.nonce, good.aad, 19, good.cipher, 60, out, good.tag),
        MM_EVERIFY);
    assert_int_equal(
        mm_aes256gcm_open(good.key, good.nonce, good.aad, 20, good.cipher, 59, out, good.tag),
        MM_EVERIFY);
    assert_true(all_zero(out, 59));
}

static void base64_rfc4648_vectors(void **state)
{
    (void)state;
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                      "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char enc[16];
        size_t n = strlen(in[i]);
        assert_int_equal(mm_base64_encoded_len(n), strlen(out[i]));
        assert_int_equal(mm_base64_encode(in[i], n, enc, sizeof enc), (int)strlen(out[i]));
        assert_string_equal(enc, out[i]);
        uint8_t dec[8];
        assert_int_equal(mm_base64_decode(out[i], strlen(out[i]), dec, sizeof dec), (int)n);
        assert_memory_equal(dec, in[i], n);
    }
    /* Every byte value through the whole alphabet and back. */
    uint8_t all[256], back[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    char enc[400];
    int n = mm_base64_encode(all, sizeof all, enc, sizeof enc);
    assert_int_equal(n, 344);
    assert_int_equal(mm_base64_decode(enc, (size_t)n, back, sizeof back), 256);
    assert_memory_equal(all, back, 256);
}

static void base64_refuses_non_canonical(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Zh==",     /* unused bits set */
        "Zm9=",     /* unused bits set */
        "Zg=",      /* length not a multiple of 4 */
        "Zg",       /* no padding */
        "Z===",     /* three padding characters */
        "====",     /* only padding */
        "=Zg=",     /* padding first */
        "Zg==Zm8=", /* padding in the middle */
        "Zm 9",     /* space */
        "Zm9v\n",   /* newline */
        "Zm-_",     /* URL alphabet */
        "Zm9\0",    /* NUL (length 4 given) */
    };
    uint8_t out[16];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = i == sizeof bad / sizeof bad[0] - 1 ? 4 : strlen(bad[i]);
        if (mm_base64_decode(bad[i], len, out, sizeof out) != MM_EPARSE)
            fail_msg("accepted \"%s\"", bad[i]);
    }
    /* Room: decoding into too little space and encoding without room for the NUL. */
    assert_int_equal(mm_base64_decode("Zm9vYmFy", 8, out, 5), MM_ERANGE);
    char small[5];
    assert_int_equal(mm_base64_encode("foo", 3, small, 4), MM_ERANGE);
    assert_int_equal(mm_base64_encode("foo", 3, small, 5), 4);
}

static void hex_encode_decode(void **state)
{
    (void)state;
    const uint8_t b[] = {0x00, 0x01, 0xab, 0xcd, 0xef, 0xff};
    char s[13];
    assert_int_equal(mm_hex_encode(b, sizeof b, s, sizeof s), MM_OK);
    assert_string_equal(s, "0001abcdefff");
    assert_int_equal(mm_hex_encode(b, sizeof b, s, 12), MM_ERANGE);
    uint8_t out[6];
    assert_int_equal(mm_hex_decode("0001ABCDefFF", 12, out, sizeof out), 6);
    assert_memory_equal(out, b, 6);
    assert_int_equal(mm_hex_decode("abc", 3, out, sizeof out), MM_EPARSE);
    assert_int_equal(mm_hex_decode("zz", 2, out, sizeof out), MM_EPARSE);
    assert_int_equal(mm_hex_decode("0x12", 4, out, sizeof out), MM_EPARSE);
    assert_int_equal(mm_hex_decode("00112233445566", 14, out, sizeof out), MM_ERANGE);
    assert_int_equal(mm_hex_decode("", 0, out, sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_known_vectors),
        cmocka_unit_test(sha256_incremental_matches_one_shot),
        cmocka_unit_test(ed25519_rfc8032_vectors),
        cmocka_unit_test(ed25519_generate_sign_verify),
        cmocka_unit_test(random_bytes_differ),
        cmocka_unit_test(hkdf_sha256_rfc5869_case1),
        cmocka_unit_test(hkdf_sha256_rfc5869_case3_without_salt_or_info),
        cmocka_unit_test(hkdf_sha256_refuses_more_than_255_blocks),
        cmocka_unit_test(aes256gcm_known_answer),
        cmocka_unit_test(aes256gcm_round_trip_in_place),
        cmocka_unit_test(aes256gcm_any_flipped_byte_fails_and_zeroes_output),
        cmocka_unit_test(base64_rfc4648_vectors),
        cmocka_unit_test(base64_refuses_non_canonical),
        cmocka_unit_test(hex_encode_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
