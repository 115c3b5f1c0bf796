/*
 * crypto.h: the small set of primitives mimamori needs, all through OpenSSL 3.
 *
 * SHA-256, Ed25519 signing, secure random bytes, and the text encodings used in keys, notes and
 * the API (standard base64 with padding, lower-case hex). Secret material lives in value types
 * that the caller wipes with mm_ed25519_wipe() when done.
 */
#ifndef MM_CRYPTO_H
#define MM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define MM_SHA256_LEN 32
#define MM_ED25519_PUB_LEN 32
#define MM_ED25519_SEED_LEN 32
#define MM_ED25519_SIG_LEN 64

/* One-shot SHA-256 of len bytes at data into out. Cannot fail. */
void mm_sha256(const void *data, size_t len, uint8_t out[MM_SHA256_LEN]);

/* Incremental SHA-256. */
typedef struct mm_sha256_ctx mm_sha256_ctx_t;
/* Returns MM_OK, or MM_ENOMEM. */
mm_err_t mm_sha256_create(mm_sha256_ctx_t **out);
void mm_sha256_update(mm_sha256_ctx_t *ctx, const void *data, size_t len);
/* Writes the digest; the context may then only be destroyed or reset. */
void mm_sha256_final(mm_sha256_ctx_t *ctx, uint8_t out[MM_SHA256_LEN]);
/* Starts a new digest on the same context. */
void mm_sha256_reset(mm_sha256_ctx_t *ctx);
/* Accepts NULL. */
void mm_sha256_destroy(mm_sha256_ctx_t *ctx);

/* Fills buf with len cryptographically secure random bytes. Returns MM_OK or MM_ECRYPTO. */
mm_err_t mm_random(void *buf, size_t len);

/*
 * An Ed25519 key. A value type: has_secret says whether seed holds the private seed (RFC 8032)
 * or only pub is meaningful. Wipe it with mm_ed25519_wipe() when it held a secret.
 */
typedef struct {
    uint8_t pub[MM_ED25519_PUB_LEN];
    uint8_t seed[MM_ED25519_SEED_LEN];
    int has_secret;
} mm_ed25519_t;

/* Generates a new key pair. Returns MM_OK or MM_ECRYPTO. */
mm_err_t mm_ed25519_generate(mm_ed25519_t *out);
/* Derives the key pair of a 32-byte seed. Returns MM_OK or MM_ECRYPTO. */
mm_err_t mm_ed25519_from_seed(const uint8_t seed[MM_ED25519_SEED_LEN], mm_ed25519_t *out);
/* Signs msg. Returns MM_OK, MM_EINVAL when key has no secret, or MM_ECRYPTO. */
mm_err_t mm_ed25519_sign(const mm_ed25519_t *key, const void *msg, size_t len,
                         uint8_t sig[MM_ED25519_SIG_LEN]);
/*
 * A signing key made ready once, for a process that signs often with the same key (the hub's
 * cosignatures): mm_ed25519_sign derives the public key from the seed again at every call, a
 * scalar multiplication as costly as the signature. The signer holds the secret in OpenSSL's
 * object (cleansed when freed); it may sign from several threads at once. MM_EINVAL when key
 * has no secret.
 */
typedef struct mm_ed25519_signer mm_ed25519_signer_t;
mm_err_t mm_ed25519_signer_new(const mm_ed25519_t *key, mm_ed25519_signer_t **out);
/* As mm_ed25519_sign, with the signer's key. */
mm_err_t mm_ed25519_signer_sign(const mm_ed25519_signer_t *s, const void *msg, size_t len,
                                uint8_t sig[MM_ED25519_SIG_LEN]);
/* The signer's public key. */
const uint8_t *mm_ed25519_signer_pub(const mm_ed25519_signer_t *s);
/* Accepts NULL. */
void mm_ed25519_signer_free(mm_ed25519_signer_t *s);
/* Returns MM_OK when sig is a valid signature of msg by pub, MM_EVERIFY when it is not. */
mm_err_t mm_ed25519_verify(const uint8_t pub[MM_ED25519_PUB_LEN], const void *msg, size_t len,
                           const uint8_t sig[MM_ED25519_SIG_LEN]);
/* Overwrites the secret seed (and everything else) with zeros. */
void mm_ed25519_wipe(mm_ed25519_t *key);

/*
 * HKDF-SHA256 (RFC 5869): extract with salt (may be NULL/0), expand with info to outlen bytes
 * (at most 255 * 32). Returns MM_OK or MM_ECRYPTO.
 */
mm_err_t mm_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                        const uint8_t *info, size_t info_len, uint8_t *out, size_t outlen);

#define MM_AES_KEY_LEN 32
#define MM_GCM_NONCE_LEN 12
#define MM_GCM_TAG_LEN 16

/*
 * AES-256-GCM. seal encrypts len bytes of in to out (same length; in == out allowed) and writes
 * the 16-byte tag. open decrypts and checks the tag: MM_EVERIFY when the key, nonce, aad,
 * ciphertext or tag do not match (out is then zeroed), MM_ECRYPTO on library failure.
 */
mm_err_t mm_aes256gcm_seal(const uint8_t key[MM_AES_KEY_LEN], const uint8_t nonce[MM_GCM_NONCE_LEN],
                           const void *aad, size_t aad_len, const void *in, size_t len, void *out,
                           uint8_t tag[MM_GCM_TAG_LEN]);
mm_err_t mm_aes256gcm_open(const uint8_t key[MM_AES_KEY_LEN], const uint8_t nonce[MM_GCM_NONCE_LEN],
                           const void *aad, size_t aad_len, const void *in, size_t len, void *out,
                           const uint8_t tag[MM_GCM_TAG_LEN]);

/*
 * AES-256-GCM sealing in pieces, for a message whose first bytes (its head, at most 16) and some
 * bytes of its aad are known only at its end: the ciphertext is made as the plaintext comes (one
 * pass over data still in the cache), and at the end the head's ciphertext and the tag are
 * corrected (GHASH is linear in every block) to exactly what mm_aes256gcm_seal would give for the
 * whole message under the final aad. One context serves many messages under one key.
 *
 * create: MM_OK, MM_ENOMEM or MM_ECRYPTO. begin: a message under nonce with aad (at most
 * MM_GCM_AAD_MAX bytes, as it is at the start), and head_len (at most 16) bytes of head whose
 * ciphertext, made for zero bytes, is written to out. update: len bytes of plaintext in to out
 * (in == out allowed). end: head (head_len bytes) is the head's plaintext, out_head where begin
 * wrote its ciphertext (corrected in place), final_aad the aad as it is now (same length); the
 * tag is written. Errors: MM_ECRYPTO (library failure), MM_EINVAL (bad lengths).
 */
#define MM_GCM_AAD_MAX 64
typedef struct mm_gcm_seal mm_gcm_seal_t;
mm_err_t mm_gcm_seal_create(const uint8_t key[MM_AES_KEY_LEN], mm_gcm_seal_t **out);
mm_err_t mm_gcm_seal_begin(mm_gcm_seal_t *s, const uint8_t nonce[MM_GCM_NONCE_LEN], const void *aad,
                           size_t aad_len, void *out, size_t head_len);
mm_err_t mm_gcm_seal_update(mm_gcm_seal_t *s, const void *in, size_t len, void *out);
mm_err_t mm_gcm_seal_end(mm_gcm_seal_t *s, const void *final_aad, uint8_t *out_head,
                         const void *head, uint8_t tag[MM_GCM_TAG_LEN]);
/* Frees the context (OpenSSL cleanses the key schedule). Accepts NULL. */
void mm_gcm_seal_destroy(mm_gcm_seal_t *s);

/* Overwrites len bytes at p with zeros in a way the compiler cannot remove. */
void mm_wipe(void *p, size_t len);

/*
 * Base64 (RFC 4648, standard alphabet, with padding).
 * mm_base64_encode writes a NUL-terminated string; cap must be at least
 * mm_base64_encoded_len(len) + 1. Returns the length written (without NUL), or MM_ERANGE.
 * mm_base64_decode accepts only canonical input (correct padding, no whitespace, zero unused
 * bits) and returns the number of bytes written, MM_EPARSE for bad input or MM_ERANGE when out
 * is too small.
 */
size_t mm_base64_encoded_len(size_t len);
int mm_base64_encode(const void *in, size_t len, char *out, size_t cap);
int mm_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

/*
 * Lower-case hex. mm_hex_encode writes 2*len characters and a NUL (cap >= 2*len+1) and returns
 * MM_OK or MM_ERANGE. mm_hex_decode accepts upper or lower case, needs an even length, and
 * returns the number of bytes written, MM_EPARSE or MM_ERANGE.
 */
mm_err_t mm_hex_encode(const void *in, size_t len, char *out, size_t cap);
/* The 32 bytes at h (a SHA-256, a key) as 64 lower-case hex digits and a NUL. */
void mm_hex32(const uint8_t h[32], char out[65]);
int mm_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap);

#endif
