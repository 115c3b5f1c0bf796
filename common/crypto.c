/*
 * crypto.c: SHA-256, Ed25519, HKDF, AES-256-GCM, random bytes and text encodings over OpenSSL 3.
 *
 * OpenSSL errors are drained from its error queue and logged here, where the failing call is
 * known; callers see MM_ECRYPTO. Secrets pass through OpenSSL only as raw 32-byte seeds and keys,
 * and the OpenSSL objects holding them are freed (OpenSSL cleanses key schedules on free) before
 * returning. A GCM tag that does not match is not a library failure: it is MM_EVERIFY, and
 * nothing of the unauthenticated plaintext is left in the caller's buffer.
 */
#include "common/crypto.h"

#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"

struct mm_sha256_ctx {
    EVP_MD_CTX *md;
};

static mm_err_t ssl_fail(const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "no detail";
    if (e != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
    }
    ERR_clear_error();
    MM_ERROR("%s: %s", what, buf);
    return MM_ECRYPTO;
}

/*
 * SHA-256 fetched from the default provider once: EVP_sha256() makes OpenSSL 3 look the
 * algorithm up again on every digest (under a global lock), which cost the hub's ingest more
 * than the hashing itself (docs/performance.md, "Hub").
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
/* Each thread's context for mm_sha256, made at its first digest and freed when it ends:
 * EVP_Digest makes and frees a context at every call, about a third of the cost of hashing a
 * Merkle leaf or node. */
static pthread_key_t sha256_ctx_key;
static int sha256_ctx_keyed;

static void sha256_ctx_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    sha256_ctx_keyed = pthread_key_create(&sha256_ctx_key, sha256_ctx_free) == 0;
}

static const EVP_MD *sha256(void)
{
    pthread_once(&sha256_once, sha256_fetch);
    return sha256_md ? sha256_md : EVP_sha256();
}

/* This thread's context for mm_sha256; NULL when it cannot have one. */
static EVP_MD_CTX *sha256_ctx(void)
{
    if (!sha256_ctx_keyed) {
        return NULL;
    }
    EVP_MD_CTX *md = pthread_getspecific(sha256_ctx_key);
    if (md == NULL && (md = EVP_MD_CTX_new()) != NULL &&
        pthread_setspecific(sha256_ctx_key, md) != 0) {
        EVP_MD_CTX_free(md);
        md = NULL;
    }
    return md;
}

void mm_sha256(const void *data, size_t len, uint8_t out[MM_SHA256_LEN])
{
    unsigned int n = 0;
    const EVP_MD *alg = sha256();
    EVP_MD_CTX *md = sha256_ctx();
    /* SHA-256 over the built-in provider cannot fail short of memory corruption. */
    int ok = md != NULL ? EVP_DigestInit_ex(md, alg, NULL) == 1 &&
                              EVP_DigestUpdate(md, data, len) == 1 &&
                              EVP_DigestFinal_ex(md, out, &n) == 1
                        : EVP_Digest(data, len, out, &n, alg, NULL) == 1;
    if (!ok) {
        ssl_fail("SHA-256");
        abort();
    }
}

mm_err_t mm_sha256_create(mm_sha256_ctx_t **out)
{
    mm_sha256_ctx_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return MM_ENOMEM;
    }
    c->md = EVP_MD_CTX_new();
    if (c->md == NULL || EVP_DigestInit_ex(c->md, sha256(), NULL) != 1) {
        EVP_MD_CTX_free(c->md);
        free(c);
        return MM_ENOMEM;
    }
    *out = c;
    return MM_OK;
}

void mm_sha256_update(mm_sha256_ctx_t *ctx, const void *data, size_t len)
{
    if (EVP_DigestUpdate(ctx->md, data, len) != 1) {
        ssl_fail("SHA-256 update");
        abort();
    }
}

void mm_sha256_final(mm_sha256_ctx_t *ctx, uint8_t out[MM_SHA256_LEN])
{
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx->md, out, &n) != 1) {
        ssl_fail("SHA-256 final");
        abort();
    }
}

void mm_sha256_reset(mm_sha256_ctx_t *ctx)
{
    if (EVP_DigestInit_ex(ctx->md, sha256(), NULL) != 1) {
        ssl_fail("SHA-256 reset");
        abort();
    }
}

void mm_sha256_destroy(mm_sha256_ctx_t *ctx)
{
    if (ctx == NULL) {
        return;
    }
    EVP_MD_CTX_free(ctx->md);
    free(ctx);
}

mm_err_t mm_random(void *buf, size_t len)
{
    if (len > 0 && RAND_bytes(buf, (int)len) != 1) {
        return ssl_fail("RAND_bytes");
    }
    return MM_OK;
}

void mm_wipe(void *p, size_t len)
{
    OPENSSL_cleanse(p, len);
}

mm_err_t mm_ed25519_from_seed(const uint8_t seed[MM_ED25519_SEED_LEN], mm_ed25519_t *out)
{
    EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, MM_ED25519_SEED_LEN);
    if (pk == NULL) {
        return ssl_fail("Ed25519 private key");
    }
    size_t publen = MM_ED25519_PUB_LEN;
    int ok = EVP_PKEY_get_raw_public_key(pk, out->pub, &publen);
    EVP_PKEY_free(pk);
    if (ok != 1 || publen != MM_ED25519_PUB_LEN) {
        return ssl_fail("Ed25519 public key");
    }
    memcpy(out->seed, seed, MM_ED25519_SEED_LEN);
    out->has_secret = 1;
    return MM_OK;
}

mm_err_t mm_ed25519_generate(mm_ed25519_t *out)
{
    uint8_t seed[MM_ED25519_SEED_LEN];
    mm_err_t err = mm_random(seed, sizeof(seed));
    if (err == MM_OK) {
        err = mm_ed25519_from_seed(seed, out);
    }
    mm_wipe(seed, sizeof(seed));
    return err;
}

mm_err_t mm_ed25519_sign(const mm_ed25519_t *key, const void *msg, size_t len,
                         uint8_t sig[MM_ED25519_SIG_LEN])
{
    if (!key->has_secret) {
        return MM_EINVAL;
    }
    mm_err_t err = MM_OK;
    EVP_MD_CTX *md = NULL;
    EVP_PKEY *pk =
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, key->seed, MM_ED25519_SEED_LEN);
    if (pk == NULL) {
        err = ssl_fail("Ed25519 private key");
        goto out;
    }
    md = EVP_MD_CTX_new();
    size_t siglen = MM_ED25519_SIG_LEN;
    if (md == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL, pk) != 1 ||
        EVP_DigestSign(md, sig, &siglen, msg, len) != 1 || siglen != MM_ED25519_SIG_LEN) {
        err = ssl_fail("Ed25519 sign");
    }
out:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    return err;
}

struct mm_ed25519_signer {
    EVP_PKEY *pk;
    uint8_t pub[MM_ED25519_PUB_LEN];
};

mm_err_t mm_ed25519_signer_new(const mm_ed25519_t *key, mm_ed25519_signer_t **out)
{
    if (!key->has_secret) {
        return MM_EINVAL;
    }
    mm_ed25519_signer_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return MM_ENOMEM;
    }
    s->pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, key->seed, MM_ED25519_SEED_LEN);
    size_t publen = MM_ED25519_PUB_LEN;
    if (s->pk == NULL || EVP_PKEY_get_raw_public_key(s->pk, s->pub, &publen) != 1 ||
        publen != MM_ED25519_PUB_LEN) {
        mm_ed25519_signer_free(s);
        return ssl_fail("Ed25519 private key");
    }
    *out = s;
    return MM_OK;
}

mm_err_t mm_ed25519_signer_sign(const mm_ed25519_signer_t *s, const void *msg, size_t len,
                                uint8_t sig[MM_ED25519_SIG_LEN])
{
    mm_err_t err = MM_OK;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t siglen = MM_ED25519_SIG_LEN;
    if (md == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL, s->pk) != 1 ||
        EVP_DigestSign(md, sig, &siglen, msg, len) != 1 || siglen != MM_ED25519_SIG_LEN) {
        err = ssl_fail("Ed25519 sign");
    }
    EVP_MD_CTX_free(md);
    return err;
}

const uint8_t *mm_ed25519_signer_pub(const mm_ed25519_signer_t *s)
{
    return s->pub;
}

void mm_ed25519_signer_free(mm_ed25519_signer_t *s)
{
    if (s == NULL) {
        return;
    }
    EVP_PKEY_free(s->pk);
    free(s);
}

mm_err_t mm_ed25519_verify(const uint8_t pub[MM_ED25519_PUB_LEN], const void *msg, size_t len,
                           const uint8_t sig[MM_ED25519_SIG_LEN])
{
    mm_err_t err = MM_EVERIFY;
    EVP_MD_CTX *md = NULL;
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, MM_ED25519_PUB_LEN);
    if (pk == NULL) {
        /* Not every 32-byte string is a point; such a key verifies nothing. */
        ERR_clear_error();
        goto out;
    }
    md = EVP_MD_CTX_new();
    if (md == NULL) {
        err = MM_ENOMEM;
        goto out;
    }
    if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) == 1 &&
        EVP_DigestVerify(md, sig, MM_ED25519_SIG_LEN, msg, len) == 1) {
        err = MM_OK;
    }
    ERR_clear_error();
out:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    return err;
}

void mm_ed25519_wipe(mm_ed25519_t *key)
{
    mm_wipe(key, sizeof(*key));
}

mm_err_t mm_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                        const uint8_t *info, size_t info_len, uint8_t *out, size_t outlen)
{
    /*
     * OpenSSL wants non-NULL octet strings. An absent salt is left out of the parameters:
     * RFC 5869 then uses HashLen zero bytes, which HMAC treats exactly like an empty key.
     */
    static const uint8_t empty[1];
    mm_err_t err = MM_OK;
    EVP_KDF_CTX *kctx = NULL;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
    if (kdf == NULL) {
        err = ssl_fail("HKDF fetch");
        goto out;
    }
    kctx = EVP_KDF_CTX_new(kdf);
    if (kctx == NULL) {
        err = ssl_fail("HKDF context");
        goto out;
    }
    OSSL_PARAM params[5];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                    (void *)(ikm_len > 0 ? ikm : empty), ikm_len);
    if (salt_len > 0) {
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    }
    if (info_len > 0) {
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    }
    params[n] = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(kctx, out, outlen, params) != 1) {
        err = ssl_fail("HKDF derive");
    }
out:
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return err;
}

/*
 * EVP_*Update takes an int length; longer inputs go through in pieces, which GCM allows (the
 * pieces need not be block-aligned). aad is skipped when empty so that NULL is acceptable.
 */
#define GCM_PIECE ((size_t)1 << 30)

static int gcm_update(EVP_CIPHER_CTX *c, int enc, uint8_t *out, const uint8_t *in, size_t len)
{
    while (len > 0) {
        int n = (int)(len < GCM_PIECE ? len : GCM_PIECE);
        int outl = 0;
        int ok =
            enc ? EVP_EncryptUpdate(c, out, &outl, in, n) : EVP_DecryptUpdate(c, out, &outl, in, n);
        if (ok != 1 || (out != NULL && outl != n)) {
            return 0;
        }
        in += n;
        if (out != NULL) {
            out += n;
        }
        len -= (size_t)n;
    }
    return 1;
}

mm_err_t mm_aes256gcm_seal(const uint8_t key[MM_AES_KEY_LEN], const uint8_t nonce[MM_GCM_NONCE_LEN],
                           const void *aad, size_t aad_len, const void *in, size_t len, void *out,
                           uint8_t tag[MM_GCM_TAG_LEN])
{
    mm_err_t err = MM_OK;
    uint8_t rest[16]; /* GCM is a stream mode: the final step writes nothing */
    int outl = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c == NULL) {
        err = ssl_fail("AES-GCM context");
        goto out;
    }
    /* 12 bytes is GCM's default nonce length; it is set anyway so that nothing depends on it. */
    if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, MM_GCM_NONCE_LEN, NULL) != 1 ||
        EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) != 1) {
        err = ssl_fail("AES-GCM seal init");
        goto out;
    }
    if (!gcm_update(c, 1, NULL, aad, aad_len) || !gcm_update(c, 1, out, in, len) ||
        EVP_EncryptFinal_ex(c, rest, &outl) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, MM_GCM_TAG_LEN, tag) != 1) {
        err = ssl_fail("AES-GCM seal");
    }
out:
    EVP_CIPHER_CTX_free(c);
    return err;
}

mm_err_t mm_aes256gcm_open(const uint8_t key[MM_AES_KEY_LEN], const uint8_t nonce[MM_GCM_NONCE_LEN],
                           const void *aad, size_t aad_len, const void *in, size_t len, void *out,
                           const uint8_t tag[MM_GCM_TAG_LEN])
{
    mm_err_t err = MM_OK;
    uint8_t rest[16]; /* GCM is a stream mode: the final step writes nothing */
    int outl = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c == NULL) {
        err = ssl_fail("AES-GCM context");
        goto out;
    }
    if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, MM_GCM_NONCE_LEN, NULL) != 1 ||
        EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, MM_GCM_TAG_LEN, (void *)tag) != 1) {
        err = ssl_fail("AES-GCM open init");
        goto out;
    }
    if (!gcm_update(c, 0, NULL, aad, aad_len) || !gcm_update(c, 0, out, in, len)) {
        err = ssl_fail("AES-GCM open");
        goto out;
    }
    /* The final step only compares tags; its failure is a mismatch, not a broken library. */
    if (EVP_DecryptFinal_ex(c, rest, &outl) != 1) {
        ERR_clear_error();
        err = MM_EVERIFY;
    }
out:
    if (err != MM_OK && len > 0) {
        mm_wipe(out, len);
    }
    EVP_CIPHER_CTX_free(c);
    return err;
}

/* --- AES-256-GCM in pieces with a late head (see crypto.h) --------------------------------------
 *
 * GCM's tag is GHASH_H(A || C || lengths) xor E_K(J0), and GHASH is a sum of each 16-byte block
 * times a power of H: block i of n is multiplied by H^(n-i+1). Changing one block by d changes the
 * tag by d * H^(n-i+1), and changing plaintext bytes changes the ciphertext (CTR) by the same
 * bytes. So the head is sealed as zeros, then its bytes are xored into its ciphertext, and the tag
 * gets the head's block and the changed aad blocks times their powers of H.
 */
struct mm_gcm_seal {
    EVP_CIPHER_CTX *c;
    uint64_t h[2];                 /* H = E_K(0^128), big-endian halves */
    uint8_t aad[MM_GCM_AAD_MAX];   /* the aad as begun */
    size_t aad_len, head_len, len; /* len: plaintext bytes so far, head included */
};

static void gf_load(const uint8_t b[16], uint64_t x[2])
{
    x[0] = x[1] = 0;
    for (int i = 0; i < 8; i++) {
        x[0] = x[0] << 8 | b[i];
        x[1] = x[1] << 8 | b[8 + i];
    }
}

static void gf_store(const uint64_t x[2], uint8_t b[16])
{
    for (int i = 0; i < 8; i++) {
        b[7 - i] = (uint8_t)(x[0] >> (8 * i));
        b[15 - i] = (uint8_t)(x[1] >> (8 * i));
    }
}

/* z = x * y in GCM's field (NIST SP 800-38D, algorithm 1). */
static void gf_mul(const uint64_t x[2], const uint64_t y[2], uint64_t z[2])
{
    uint64_t v0 = y[0], v1 = y[1], z0 = 0, z1 = 0;
    for (int i = 0; i < 128; i++) {
        uint64_t bit = (i < 64 ? x[0] >> (63 - i) : x[1] >> (127 - i)) & 1;
        z0 ^= v0 & (0 - bit);
        z1 ^= v1 & (0 - bit);
        uint64_t carry = v1 & 1;
        v1 = v1 >> 1 | v0 << 63;
        v0 = v0 >> 1 ^ (0xe100000000000000ULL & (0 - carry));
    }
    z[0] = z0;
    z[1] = z1;
}

/* z = h^e (e >= 1). */
static void gf_pow(const uint64_t h[2], uint64_t e, uint64_t z[2])
{
    uint64_t r[2] = {0x8000000000000000ULL, 0}, b[2] = {h[0], h[1]}, t[2];
    while (e) {
        if (e & 1) {
            gf_mul(r, b, t);
            r[0] = t[0], r[1] = t[1];
        }
        gf_mul(b, b, t);
        b[0] = t[0], b[1] = t[1];
        e >>= 1;
    }
    z[0] = r[0], z[1] = r[1];
}

/* tag ^= d * H^e */
static void gf_fix(const mm_gcm_seal_t *s, const uint8_t d[16], uint64_t e, uint8_t tag[16])
{
    uint64_t x[2], p[2], y[2], t[2];
    gf_load(d, x);
    if (!x[0] && !x[1])
        return;
    gf_pow(s->h, e, p);
    gf_mul(x, p, y);
    gf_load(tag, t);
    t[0] ^= y[0], t[1] ^= y[1];
    gf_store(t, tag);
}

mm_err_t mm_gcm_seal_create(const uint8_t key[MM_AES_KEY_LEN], mm_gcm_seal_t **out)
{
    mm_gcm_seal_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return MM_ENOMEM;
    }
    uint8_t zero[16] = {0}, hb[16];
    int outl = 0;
    EVP_CIPHER_CTX *ecb = EVP_CIPHER_CTX_new();
    s->c = EVP_CIPHER_CTX_new();
    int ok = ecb && s->c && EVP_EncryptInit_ex(ecb, EVP_aes_256_ecb(), NULL, key, NULL) == 1 &&
             EVP_CIPHER_CTX_set_padding(ecb, 0) == 1 &&
             EVP_EncryptUpdate(ecb, hb, &outl, zero, 16) == 1 && outl == 16 &&
             EVP_EncryptInit_ex(s->c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(s->c, EVP_CTRL_GCM_SET_IVLEN, MM_GCM_NONCE_LEN, NULL) == 1 &&
             EVP_EncryptInit_ex(s->c, NULL, NULL, key, NULL) == 1;
    EVP_CIPHER_CTX_free(ecb);
    if (!ok) {
        mm_gcm_seal_destroy(s);
        return ssl_fail("AES-GCM stream init");
    }
    gf_load(hb, s->h);
    mm_wipe(hb, sizeof hb);
    *out = s;
    return MM_OK;
}

mm_err_t mm_gcm_seal_begin(mm_gcm_seal_t *s, const uint8_t nonce[MM_GCM_NONCE_LEN], const void *aad,
                           size_t aad_len, void *out, size_t head_len)
{
    static const uint8_t zero[16] = {0};
    if (aad_len > MM_GCM_AAD_MAX || head_len > 16) {
        return MM_EINVAL;
    }
    memcpy(s->aad, aad, aad_len);
    s->aad_len = aad_len;
    s->head_len = s->len = head_len;
    if (EVP_EncryptInit_ex(s->c, NULL, NULL, NULL, nonce) != 1 ||
        !gcm_update(s->c, 1, NULL, aad, aad_len) || !gcm_update(s->c, 1, out, zero, head_len)) {
        return ssl_fail("AES-GCM stream begin");
    }
    return MM_OK;
}

mm_err_t mm_gcm_seal_update(mm_gcm_seal_t *s, const void *in, size_t len, void *out)
{
    if (!gcm_update(s->c, 1, out, in, len)) {
        return ssl_fail("AES-GCM stream");
    }
    s->len += len;
    return MM_OK;
}

mm_err_t mm_gcm_seal_end(mm_gcm_seal_t *s, const void *final_aad, uint8_t *out_head,
                         const void *head, uint8_t tag[MM_GCM_TAG_LEN])
{
    uint8_t rest[16];
    int outl = 0;
    if (EVP_EncryptFinal_ex(s->c, rest, &outl) != 1 ||
        EVP_CIPHER_CTX_ctrl(s->c, EVP_CTRL_GCM_GET_TAG, MM_GCM_TAG_LEN, tag) != 1) {
        return ssl_fail("AES-GCM stream end");
    }
    /* Blocks: a of the aad, c of the ciphertext, one of the lengths; block i has power n-i+1. */
    uint64_t a = (s->aad_len + 15) / 16, c = (s->len + 15) / 16, n = a + c + 1;
    const uint8_t *fa = final_aad, *hd = head;
    for (uint64_t i = 0; i < a; i++) {
        uint8_t d[16] = {0};
        for (size_t k = 0; k < 16 && i * 16 + k < s->aad_len; k++) {
            d[k] = s->aad[i * 16 + k] ^ fa[i * 16 + k];
        }
        gf_fix(s, d, n - i, tag);
    }
    if (s->head_len) {
        uint8_t d[16] = {0};
        memcpy(d, hd, s->head_len);
        gf_fix(s, d, n - a, tag);
        for (size_t k = 0; k < s->head_len; k++) {
            out_head[k] ^= hd[k];
        }
    }
    return MM_OK;
}

void mm_gcm_seal_destroy(mm_gcm_seal_t *s)
{
    if (s == NULL) {
        return;
    }
    EVP_CIPHER_CTX_free(s->c);
    mm_wipe(s, sizeof *s);
    free(s);
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t mm_base64_encoded_len(size_t len)
{
    return (len + 2) / 3 * 4;
}

int mm_base64_encode(const void *in, size_t len, char *out, size_t cap)
{
    const uint8_t *p = in;
    size_t need = mm_base64_encoded_len(len);
    if (cap < need + 1) {
        return MM_ERANGE;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < len) {
            v |= (uint32_t)p[i + 1] << 8;
        }
        if (i + 2 < len) {
            v |= p[i + 2];
        }
        out[o++] = b64chars[(v >> 18) & 63];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? b64chars[v & 63] : '=';
    }
    out[o] = '\0';
    return (int)o;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

int mm_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
    if (len % 4 != 0) {
        return MM_EPARSE;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int pad = 0;
        int v[4];
        for (int j = 0; j < 4; j++) {
            char c = in[i + j];
            if (c == '=') {
                /* Padding only at the very end, only in the last two places. */
                if (i + 4 != len || j < 2) {
                    return MM_EPARSE;
                }
                pad++;
                v[j] = 0;
            } else {
                if (pad > 0) {
                    return MM_EPARSE;
                }
                v[j] = b64val(c);
                if (v[j] < 0) {
                    return MM_EPARSE;
                }
            }
        }
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        size_t nbytes = 3 - (size_t)pad;
        /* Canonical form: the bits that padding leaves unused must be zero. */
        if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0)) {
            return MM_EPARSE;
        }
        if (o + nbytes > cap) {
            return MM_ERANGE;
        }
        out[o++] = (uint8_t)(w >> 16);
        if (nbytes > 1) {
            out[o++] = (uint8_t)(w >> 8);
        }
        if (nbytes > 2) {
            out[o++] = (uint8_t)w;
        }
    }
    return (int)o;
}

mm_err_t mm_hex_encode(const void *in, size_t len, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = in;
    if (cap < 2 * len + 1) {
        return MM_ERANGE;
    }
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * len] = '\0';
    return MM_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

void mm_hex32(const uint8_t h[32], char out[65])
{
    mm_hex_encode(h, 32, out, 65);
}

int mm_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
    if (len % 2 != 0) {
        return MM_EPARSE;
    }
    if (len / 2 > cap) {
        return MM_ERANGE;
    }
    for (size_t i = 0; i < len; i += 2) {
        int hi = hexval(in[i]);
        int lo = hexval(in[i + 1]);
        if (hi < 0 || lo < 0) {
            return MM_EPARSE;
        }
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(len / 2);
}
