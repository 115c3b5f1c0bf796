/*
 * age.c: age-format encryption to one X25519 recipient (see age.h), on OpenSSL 3.
 */
#include "common/age.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"

#define FILE_KEY_LEN 16
#define STANZA_LABEL "age-encryption.org/v1/X25519"

struct mm_age_writer {
    mm_age_sink_fn sink;
    void *arg;
    uint8_t key[32]; /* payload key */
    uint64_t counter;
    size_t fill;
    uint8_t buf[MM_AGE_CHUNK];
    uint8_t out[MM_AGE_SINK_MAX]; /* sealed chunks not yet given to the sink */
    size_t out_fill;
    int failed;
};

/* --- Bech32 (BIP 173) ------------------------------------------------------------------------*/

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t polymod_step(uint32_t chk, uint8_t v)
{
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint8_t top = (uint8_t)(chk >> 25);
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; i++)
        if ((top >> i) & 1)
            chk ^= gen[i];
    return chk;
}

mm_err_t mm_age_recipient_parse(const char *text, uint8_t pub[32])
{
    size_t n = text ? strlen(text) : 0;
    if (n < 4 + 6 || n > 200 || strncmp(text, "age1", 4) != 0)
        return MM_EINVAL;
    /* "age" then "1", then data characters; the last six are the checksum. */
    uint32_t chk = 1;
    static const char hrp[] = "age";
    for (size_t i = 0; i < 3; i++)
        chk = polymod_step(chk, (uint8_t)(hrp[i] >> 5));
    chk = polymod_step(chk, 0);
    for (size_t i = 0; i < 3; i++)
        chk = polymod_step(chk, (uint8_t)(hrp[i] & 31));
    uint8_t vals[200];
    size_t nv = 0;
    for (size_t i = 4; i < n; i++) {
        const char *p = strchr(charset, text[i]);
        if (!p || !text[i])
            return MM_EINVAL; /* upper case or another character */
        vals[nv] = (uint8_t)(p - charset);
        chk = polymod_step(chk, vals[nv++]);
    }
    if (chk != 1 || nv < 6)
        return MM_EINVAL;
    /* 5-bit groups to bytes, without the checksum; leftover bits must be zero padding. */
    uint32_t acc = 0;
    int bits = 0;
    size_t out = 0;
    for (size_t i = 0; i < nv - 6; i++) {
        acc = (acc << 5) | vals[i];
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (out == 32)
                return MM_EINVAL;
            pub[out++] = (uint8_t)(acc >> bits);
        }
    }
    if (out != 32 || bits >= 5 || (acc & ((1u << bits) - 1)))
        return MM_EINVAL;
    return MM_OK;
}

/* --- primitives ------------------------------------------------------------------------------*/

/* ChaCha20-Poly1305 with a 12-byte nonce and no associated data: out = ciphertext || tag. */
static mm_err_t seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *in, size_t len,
                     uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, ok = c && len <= INT32_MAX &&
                    EVP_EncryptInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce) == 1 &&
                    (len == 0 || EVP_EncryptUpdate(c, out, &n, in, (int)len) == 1) &&
                    EVP_EncryptFinal_ex(c, out + n, &n) == 1 &&
                    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, out + len) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? MM_OK : MM_ECRYPTO;
}

/* X25519: a fresh ephemeral key's public share, and the secret it shares with pub. */
static mm_err_t x25519(const uint8_t pub[32], uint8_t share[32], uint8_t secret[32])
{
    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
    EVP_PKEY *eph = NULL, *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, 32);
    EVP_PKEY_CTX *dc = NULL;
    size_t sl = 32, dl = 32;
    int ok = kc && peer && EVP_PKEY_keygen_init(kc) == 1 && EVP_PKEY_keygen(kc, &eph) == 1 &&
             EVP_PKEY_get_raw_public_key(eph, share, &sl) == 1 && sl == 32 &&
             (dc = EVP_PKEY_CTX_new(eph, NULL)) && EVP_PKEY_derive_init(dc) == 1 &&
             EVP_PKEY_derive_set_peer(dc, peer) == 1 && EVP_PKEY_derive(dc, secret, &dl) == 1 &&
             dl == 32;
    EVP_PKEY_CTX_free(dc);
    EVP_PKEY_free(eph);
    EVP_PKEY_free(peer);
    EVP_PKEY_CTX_free(kc);
    if (!ok)
        return MM_ECRYPTO;
    uint8_t any = 0;
    for (int i = 0; i < 32; i++)
        any |= secret[i];
    return any ? MM_OK : MM_EINVAL; /* a low-order recipient key: refused, as age does */
}

/* Standard base64 without padding. */
static size_t b64raw(const uint8_t *in, size_t len, char *out, size_t cap)
{
    int n = mm_base64_encode(in, len, out, cap);
    if (n < 0)
        return 0;
    while (n > 0 && out[n - 1] == '=')
        out[--n] = 0;
    return (size_t)n;
}

/* --- writing ---------------------------------------------------------------------------------*/

static mm_err_t emit(mm_age_writer_t *w, const void *data, size_t len)
{
    if (w->failed || w->sink(w->arg, data, len) != 0) {
        w->failed = 1;
        return MM_EIO;
    }
    return MM_OK;
}

mm_err_t mm_age_begin(const uint8_t recipient[32], mm_age_sink_fn sink, void *arg,
                      mm_age_writer_t **out)
{
    mm_age_writer_t *w = calloc(1, sizeof *w);
    if (!w)
        return MM_ENOMEM;
    w->sink = sink;
    w->arg = arg;
    uint8_t file_key[FILE_KEY_LEN], share[32], secret[32], salt[64], wrap[32], body[32],
        mac_key[32], mac[32], nonce[16];
    static const uint8_t zero_nonce[12];
    char header[512], s_share[64], s_body[64], s_mac[64];
    mm_err_t err = mm_random(file_key, sizeof file_key);
    if (err == MM_OK)
        err = x25519(recipient, share, secret);
    if (err == MM_OK) {
        memcpy(salt, share, 32);
        memcpy(salt + 32, recipient, 32);
        err = mm_hkdf_sha256(secret, 32, salt, 64, (const uint8_t *)STANZA_LABEL,
                             strlen(STANZA_LABEL), wrap, 32);
    }
    if (err == MM_OK)
        err = seal(wrap, zero_nonce, file_key, FILE_KEY_LEN, body);
    /* The header up to "---" is what the MAC covers. A 43-character body is one short line. */
    int hl = 0;
    if (err == MM_OK) {
        b64raw(share, 32, s_share, sizeof s_share);
        b64raw(body, 32, s_body, sizeof s_body);
        hl = snprintf(header, sizeof header, "age-encryption.org/v1\n-> X25519 %s\n%s\n---",
                      s_share, s_body);
        err = mm_hkdf_sha256(file_key, FILE_KEY_LEN, NULL, 0, (const uint8_t *)"header", 6, mac_key,
                             32);
    }
    size_t ml = 0;
    if (err == MM_OK && (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, mac_key, 32,
                                    (const uint8_t *)header, (size_t)hl, mac, sizeof mac, &ml) ||
                         ml != 32))
        err = MM_ECRYPTO;
    if (err == MM_OK) {
        b64raw(mac, 32, s_mac, sizeof s_mac);
        hl += snprintf(header + hl, sizeof header - (size_t)hl, " %s\n", s_mac);
        err = mm_random(nonce, sizeof nonce);
    }
    if (err == MM_OK)
        err = mm_hkdf_sha256(file_key, FILE_KEY_LEN, nonce, sizeof nonce,
                             (const uint8_t *)"payload", 7, w->key, 32);
    if (err == MM_OK)
        err = emit(w, header, (size_t)hl);
    if (err == MM_OK)
        err = emit(w, nonce, sizeof nonce);
    memset(file_key, 0, sizeof file_key);
    memset(secret, 0, sizeof secret);
    memset(wrap, 0, sizeof wrap);
    memset(mac_key, 0, sizeof mac_key);
    if (err != MM_OK) {
        memset(w->key, 0, sizeof w->key);
        free(w);
        return err;
    }
    *out = w;
    return MM_OK;
}

/* Encrypts the buffered chunk (last or not); the sealed chunks go to the sink MM_AGE_SINK_MAX
 * bytes at a time, and what is left with the last, so that the sink is called once a MiB, not
 * once a chunk. */
static mm_err_t flush(mm_age_writer_t *w, int last)
{
    uint8_t nonce[12] = {0};
    uint64_t c = w->counter++;
    for (int i = 10; i >= 3; i--, c >>= 8)
        nonce[i] = (uint8_t)c;
    nonce[11] = last ? 1 : 0;
    mm_err_t err = seal(w->key, nonce, w->buf, w->fill, w->out + w->out_fill);
    w->out_fill += w->fill + 16;
    w->fill = 0;
    if (err == MM_OK && (last || w->out_fill + MM_AGE_CHUNK + 16 > sizeof w->out)) {
        err = emit(w, w->out, w->out_fill);
        w->out_fill = 0;
    }
    return err;
}

mm_err_t mm_age_write(mm_age_writer_t *w, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        if (w->failed)
            return MM_EIO;
        /* A full chunk goes out only once more data follows: the last chunk must be marked. */
        if (w->fill == MM_AGE_CHUNK) {
            mm_err_t err = flush(w, 0);
            if (err != MM_OK)
                return err;
        }
        size_t n = MM_AGE_CHUNK - w->fill < len ? MM_AGE_CHUNK - w->fill : len;
        memcpy(w->buf + w->fill, p, n);
        w->fill += n;
        p += n;
        len -= n;
    }
    return w->failed ? MM_EIO : MM_OK;
}

mm_err_t mm_age_end(mm_age_writer_t *w)
{
    if (!w)
        return MM_EINVAL;
    mm_err_t err = w->failed ? MM_EIO : flush(w, 1);
    memset(w->key, 0, sizeof w->key);
    memset(w->buf, 0, sizeof w->buf);
    free(w);
    return err;
}
