/*
 * console_auth.c: passwords, TOTP codes and the console's accounts (see console_auth.h).
 */
#include "edge/console_auth.h"

#include <argon2.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/db.h"
#include "common/utf8.h"

#define ARGON_T 3
#define ARGON_M_KIB (64 * 1024)
#define ARGON_LANES 1
#define ARGON_SALT 16
#define ARGON_LEN 32

/* --- passwords ------------------------------------------------------------------------------ */

const char *edge_password_problem(const char *password)
{
    size_t n = strlen(password), chars = 0;
    if (n > EDGE_PASSWORD_MAX)
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
    if (chars < EDGE_PASSWORD_MIN)
        return "a password has at least 10 characters";
    return NULL;
}

mm_err_t edge_password_hash(const char *password, char out[EDGE_HASH_MAX])
{
    uint8_t salt[ARGON_SALT];
    if (mm_random(salt, sizeof salt) != MM_OK)
        return MM_ECRYPTO;
    int rc = argon2id_hash_encoded(ARGON_T, ARGON_M_KIB, ARGON_LANES, password, strlen(password),
                                   salt, sizeof salt, ARGON_LEN, out, EDGE_HASH_MAX);
    return rc == ARGON2_OK ? MM_OK : MM_ECRYPTO;
}

int edge_password_verify(const char *encoded, const char *password)
{
    if (strncmp(encoded, "$argon2id$", 10) != 0)
        return 0;
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}

/* --- TOTP ----------------------------------------------------------------------------------- */

uint32_t edge_totp_code(const uint8_t *secret, size_t len, uint64_t step)
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

int64_t edge_totp_check(const uint8_t *secret, size_t len, const char *code, int64_t now_us,
                        int64_t last)
{
    uint32_t given = 0;
    for (int i = 0; i < EDGE_TOTP_DIGITS; i++) {
        if (code[i] < '0' || code[i] > '9')
            return -1;
        given = given * 10 + (uint32_t)(code[i] - '0');
    }
    if (code[EDGE_TOTP_DIGITS] || now_us < 0)
        return -1;
    int64_t now = now_us / 1000000 / EDGE_TOTP_STEP_S, found = -1;
    for (int64_t s = now - 1; s <= now + 1; s++) {
        uint32_t want = edge_totp_code(secret, len, (uint64_t)s);
        /* every step is computed and compared, whichever matches */
        int same = CRYPTO_memcmp(&want, &given, sizeof want) == 0;
        if (same && s > last && found < 0)
            found = s;
    }
    return found;
}

int edge_base32(const uint8_t *in, size_t n, char *out, size_t cap)
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

int edge_otpauth_uri(const char *site, const char *person, const uint8_t *secret, char *out,
                     size_t cap)
{
    char b32[EDGE_TOTP_B32_LEN], issuer[3 * (MM_ID_MAX + 16)], who[3 * MM_ID_MAX];
    char label_site[sizeof issuer];
    char issuer_text[MM_ID_MAX + 16];
    snprintf(issuer_text, sizeof issuer_text, "mimamori %s", site);
    if (edge_base32(secret, EDGE_TOTP_SECRET_LEN, b32, sizeof b32) != 0 ||
        uri_escape(issuer_text, issuer, sizeof issuer) != 0 ||
        uri_escape(issuer_text, label_site, sizeof label_site) != 0 ||
        uri_escape(person, who, sizeof who) != 0)
        return -1;
    int n = snprintf(out, cap,
                     "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d",
                     label_site, who, b32, issuer, EDGE_TOTP_DIGITS, EDGE_TOTP_STEP_S);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* --- the accounts --------------------------------------------------------------------------- */

struct edge_accounts {
    edge_store_t *store;
    mm_db_t *db;
    MDB_dbi dbi; /* console.accounts */
};

mm_err_t edge_accounts_open(edge_store_t *store, edge_accounts_t **out)
{
    edge_accounts_t *a = calloc(1, sizeof *a);
    if (!a)
        return MM_ENOMEM;
    a->store = store;
    a->db = edge_store_db(store);
    mm_err_t err = mm_db_dbi(a->db, "console.accounts", 0, &a->dbi);
    if (err != MM_OK) {
        free(a);
        return err;
    }
    *out = a;
    return MM_OK;
}

void edge_accounts_close(edge_accounts_t *a)
{
    free(a);
}

static json_t *account_json(const edge_account_t *acc)
{
    char hex[2 * EDGE_TOTP_SECRET_LEN + 1];
    mm_hex_encode(acc->totp, sizeof acc->totp, hex, sizeof hex);
    json_t *j = json_pack("{s:s, s:s, s:b, s:I, s:i, s:b, s:I, s:s}", "hash", acc->hash, "totp",
                          hex, "totp_confirmed", acc->totp_confirmed, "totp_last",
                          (json_int_t)acc->totp_last, "failures", acc->failures, "locked",
                          acc->locked, "changed_us", (json_int_t)acc->changed_us, "by", acc->by);
    OPENSSL_cleanse(hex, sizeof hex);
    return j;
}

static mm_err_t account_from_json(json_t *j, edge_account_t *acc)
{
    const char *hash = json_string_value(json_object_get(j, "hash"));
    const char *totp = json_string_value(json_object_get(j, "totp"));
    const char *by = json_string_value(json_object_get(j, "by"));
    if (!hash || !totp || !by || strlen(hash) >= sizeof acc->hash || strlen(by) >= sizeof acc->by ||
        mm_hex_decode(totp, strlen(totp), acc->totp, sizeof acc->totp) != EDGE_TOTP_SECRET_LEN)
        return MM_ECORRUPT;
    snprintf(acc->hash, sizeof acc->hash, "%s", hash);
    snprintf(acc->by, sizeof acc->by, "%s", by);
    acc->totp_confirmed = json_is_true(json_object_get(j, "totp_confirmed"));
    acc->totp_last = json_integer_value(json_object_get(j, "totp_last"));
    acc->failures = (int)json_integer_value(json_object_get(j, "failures"));
    acc->locked = json_is_true(json_object_get(j, "locked"));
    acc->changed_us = json_integer_value(json_object_get(j, "changed_us"));
    return MM_OK;
}

mm_err_t edge_accounts_get(edge_accounts_t *a, const char *person, edge_account_t *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->person, sizeof out->person, "%s", person);
    MDB_txn *txn;
    mm_err_t err = mm_db_read(a->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_val k = {strlen(person), (void *)person}, v;
    err = mm_db_err(mdb_get(txn, a->dbi, &k, &v), "get console account");
    json_t *j = err == MM_OK ? json_loadb(v.mv_data, v.mv_size, 0, NULL) : NULL;
    mdb_txn_abort(txn);
    if (err != MM_OK)
        return err;
    err = j ? account_from_json(j, out) : MM_ECORRUPT;
    json_decref(j);
    return err;
}

typedef struct {
    edge_accounts_t *a;
    const char *person;
    const char *text;
    const mm_entry_t *e;
    size_t n;
} put_ctx_t;

static mm_err_t put_txn(MDB_txn *txn, void *arg)
{
    put_ctx_t *c = arg;
    MDB_val k = {strlen(c->person), (void *)c->person}, v = {strlen(c->text), (void *)c->text};
    mm_err_t err = mm_db_err(mdb_put(txn, c->a->dbi, &k, &v, 0), "put console account");
    for (size_t i = 0; err == MM_OK && i < c->n; i++)
        err = edge_store_append_in(c->a->store, txn, &c->e[i], NULL);
    return err;
}

mm_err_t edge_accounts_put(edge_accounts_t *a, const edge_account_t *acc, const mm_entry_t *e,
                           size_t n)
{
    json_t *j = account_json(acc);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return MM_ENOMEM;
    put_ctx_t c = {.a = a, .person = acc->person, .text = text, .e = e, .n = n};
    mm_err_t err = mm_db_write(a->db, put_txn, &c);
    OPENSSL_cleanse(text, strlen(text));
    free(text);
    return err;
}
