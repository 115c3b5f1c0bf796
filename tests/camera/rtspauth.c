/*
 * rtspauth.c: a camera's login, Basic or Digest (see rtspauth.h).
 */
#include "tests/camera/rtspauth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void tc_auth_init(tc_auth_t *a, const char *spec, int digest)
{
    static char user[256];
    memset(a, 0, sizeof *a);
    a->digest = digest;
    if (!spec)
        return;
    const char *colon = strchr(spec, ':');
    snprintf(user, sizeof user, "%.*s", (int)(colon - spec), spec);
    a->user = user;
    a->pass = colon + 1;
    tc_auth_renew(a);
}

void tc_auth_renew(tc_auth_t *a)
{
    unsigned char r[16];
    if (RAND_bytes(r, sizeof r) != 1)
        memset(r, 0x5a, sizeof r);
    for (int i = 0; i < 16; i++)
        snprintf(a->nonce + 2 * i, 3, "%02x", r[i]);
}

static void md5_hex(const char *s, char out[33])
{
    unsigned char d[16];
    unsigned int n = 0;
    EVP_Digest(s, strlen(s), d, &n, EVP_md5(), NULL);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The value of key in a Digest header's list (quoted or not) into out; 0 when absent. */
static int param(const char *h, size_t len, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    const char *end = h + len;
    for (const char *p = h; p + kl < end; p++) {
        if ((p == h || p[-1] == ' ' || p[-1] == ',') && strncasecmp(p, key, kl) == 0 &&
            p[kl] == '=') {
            const char *v = p + kl + 1, *e;
            if (v < end && *v == '"') {
                v++;
                e = memchr(v, '"', (size_t)(end - v));
            } else {
                e = v;
                while (e < end && *e != ',' && *e != ' ')
                    e++;
            }
            if (!e || (size_t)(e - v) >= cap)
                return 0;
            memcpy(out, v, (size_t)(e - v));
            out[e - v] = 0;
            return 1;
        }
    }
    return 0;
}

static int digest_ok(const tc_auth_t *a, const char *method, const char *h, size_t len)
{
    char user[256], realm[128], nonce[64], uri[1024], resp[64], qop[16], nc[16], cnonce[128];
    if (!param(h, len, "username", user, sizeof user) ||
        !param(h, len, "realm", realm, sizeof realm) ||
        !param(h, len, "nonce", nonce, sizeof nonce) || !param(h, len, "uri", uri, sizeof uri) ||
        !param(h, len, "response", resp, sizeof resp))
        return 0;
    if (strcmp(user, a->user) != 0 || strcmp(realm, TC_AUTH_REALM) != 0 ||
        strcmp(nonce, a->nonce) != 0)
        return 0;
    char buf[2048], ha1[33], ha2[33], want[33];
    snprintf(buf, sizeof buf, "%s:%s:%s", a->user, TC_AUTH_REALM, a->pass);
    md5_hex(buf, ha1);
    snprintf(buf, sizeof buf, "%s:%s", method, uri);
    md5_hex(buf, ha2);
    if (param(h, len, "qop", qop, sizeof qop)) {
        if (strcmp(qop, "auth") != 0 || !param(h, len, "nc", nc, sizeof nc) ||
            !param(h, len, "cnonce", cnonce, sizeof cnonce))
            return 0;
        snprintf(buf, sizeof buf, "%s:%s:%s:%s:%s:%s", ha1, nonce, nc, cnonce, qop, ha2);
    } else {
        snprintf(buf, sizeof buf, "%s:%s:%s", ha1, nonce, ha2);
    }
    md5_hex(buf, want);
    return strcasecmp(want, resp) == 0;
}

int tc_auth_ok(const tc_auth_t *a, const char *method, const char *hdr, size_t len)
{
    if (!a->user)
        return 1;
    if (!hdr)
        return 0;
    if (a->digest)
        return len > 7 && strncasecmp(hdr, "Digest ", 7) == 0 &&
               digest_ok(a, method, hdr + 7, len - 7);
    char plain[600], want[820];
    snprintf(plain, sizeof plain, "%s:%s", a->user, a->pass);
    EVP_EncodeBlock((unsigned char *)want, (const unsigned char *)plain, (int)strlen(plain));
    size_t wl = strlen(want);
    return len == 6 + wl && strncasecmp(hdr, "Basic ", 6) == 0 && memcmp(hdr + 6, want, wl) == 0;
}

void tc_auth_challenge(const tc_auth_t *a, int stale, char *out, size_t cap)
{
    if (a->digest)
        snprintf(out, cap,
                 "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5, "
                 "qop=\"auth\"%s\r\n",
                 TC_AUTH_REALM, a->nonce, stale ? ", stale=TRUE" : "");
    else
        snprintf(out, cap, "WWW-Authenticate: Basic realm=\"%s\"\r\n", TC_AUTH_REALM);
}
