/*
 * auth.c: passwords and TOTP codes (see auth.h).
 */
#include "common/auth.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "common/crypto.h"
#include "common/entry.h"
#include "common/utf8.h"

#define ARGON_T 3
#define ARGON_M_KIB (64 * 1024)
#define ARGON_LANES 1
#define ARGON_SALT 16
#define ARGON_LEN 32

/* --- passwords ------------------------------------------------------------------------------ */

const char *mm_password_problem(const char *password)
{
    size_t n = strlen(password), chars = 0;
    if (n > MM_PASSWORD_MAX)
        return "a password has at most 256 bytes";
    if (!mm_utf8_valid(password, n))
        return "a password must be UTF-8 text";
    const char *p = password, *end = password + n;
    while (p < end) {
        uint32_t cp;
        size_t k = mm_utf8_next(p, end, &cp);
        if (!k || cp < 0x20 || cp == 0x7f)
            return "a password holds no control characters";
        p += k;
        chars++;
    }
    if (chars < MM_PASSWORD_MIN)
        return "a password has at least 10 characters";
    return NULL;
}

mm_err_t mm_password_hash(const char *password, char out[MM_HASH_MAX])
{
    uint8_t salt[ARGON_SALT];
    if (mm_random(salt, sizeof salt) != MM_OK)
        return MM_ECRYPTO;
    int rc = argon2id_hash_encoded(ARGON_T, ARGON_M_KIB, ARGON_LANES, password, strlen(password),
                                   salt, sizeof salt, ARGON_LEN, out, MM_HASH_MAX);
    return rc == ARGON2_OK ? MM_OK : MM_ECRYPTO;
}

int mm_password_verify(const char *encoded, const char *password)
{
    if (strncmp(encoded, "$argon2id$", 10) != 0)
        return 0;
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}

int mm_password_hash_ok(const char *encoded)
{
    /* "$argon2id$v=19$m=65536,t=3,p=1$<salt b64>$<hash b64>": five '$', printable ASCII. */
    if (strncmp(encoded, "$argon2id$v=", 12) != 0 || strlen(encoded) >= MM_HASH_MAX)
        return 0;
    int dollars = 0;
    for (const char *p = encoded; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f)
            return 0;
        dollars += *p == '$';
    }
    return dollars == 5;
}

/* --- TOTP ----------------------------------------------------------------------------------- */

uint32_t mm_totp_code(const uint8_t *secret, size_t len, uint64_t step)
{
    uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0;
    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)(step & 0xff);
        step >>= 8;
    }
    if (!HMAC(EVP_sha1(), secret, (int)len, msg, sizeof msg, mac, &maclen) || maclen < 20)
        return UINT32_MAX; /* matches no six-digit code */
    unsigned off = mac[maclen - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    return bin % 1000000;
}

int64_t mm_totp_check(const uint8_t *secret, size_t len, const char *code, int64_t now_us,
                      int64_t last)
{
    uint32_t given = 0;
    for (int i = 0; i < MM_TOTP_DIGITS; i++) {
        if (code[i] < '0' || code[i] > '9')
            return -1;
        given = given * 10 + (uint32_t)(code[i] - '0');
    }
    if (code[MM_TOTP_DIGITS] || now_us < 0)
        return -1;
    int64_t now = now_us / 1000000 / MM_TOTP_STEP_S, found = -1;
    for (int64_t s = now - 1; s <= now + 1; s++) {
        uint32_t want = mm_totp_code(secret, len, (uint64_t)s);
        /* every step is computed and compared, whichever matches */
        int same = CRYPTO_memcmp(&want, &given, sizeof want) == 0;
        if (same && s > last && found < 0)
            found = s;
    }
    return found;
}

int mm_base32(const uint8_t *in, size_t n, char *out, size_t cap)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t need = (8 * n + 4) / 5, o = 0;
    if (cap < need + 1)
        return -1;
    uint32_t buf = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        buf = (buf << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = alphabet[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = alphabet[(buf << (5 - bits)) & 31];
    out[o] = 0;
    return 0;
}

int mm_base32_decode(const char *text, uint8_t *out, size_t cap)
{
    uint32_t buf = 0;
    int bits = 0;
    size_t o = 0;
    const char *p = text;
    for (; *p && *p != '='; p++) {
        int v;
        char c = *p;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= '2' && c <= '7')
            v = c - '2' + 26;
        else
            return -1;
        buf = (buf << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            if (o >= cap)
                return -1;
            out[o++] = (uint8_t)(buf >> (bits - 8));
            bits -= 8;
        }
    }
    for (; *p; p++)
        if (*p != '=')
            return -1;
    return (int)o;
}

/* Percent-encodes s into out for a URI's label or parameter (unreserved characters kept). */
static int uri_escape(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        if (o + (plain ? 1 : 3) >= cap)
            return -1;
        if (plain)
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, cap - o, "%%%02X", *p);
    }
    out[o] = 0;
    return 0;
}

int mm_otpauth_uri(const char *place, const char *person, const uint8_t *secret, char *out,
                   size_t cap)
{
    char b32[MM_TOTP_B32_LEN], issuer[3 * (MM_ID_MAX + 16)], who[3 * MM_ID_MAX];
    char label_site[sizeof issuer];
    char issuer_text[MM_ID_MAX + 16];
    snprintf(issuer_text, sizeof issuer_text, "mimamori %s", place);
    if (mm_base32(secret, MM_TOTP_SECRET_LEN, b32, sizeof b32) != 0 ||
        uri_escape(issuer_text, issuer, sizeof issuer) != 0 ||
        uri_escape(issuer_text, label_site, sizeof label_site) != 0 ||
        uri_escape(person, who, sizeof who) != 0)
        return -1;
    int n = snprintf(out, cap,
                     "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d",
                     label_site, who, b32, issuer, MM_TOTP_DIGITS, MM_TOTP_STEP_S);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}
