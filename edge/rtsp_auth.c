/*
 * rtsp_auth.c: answering an RTSP server's 401 — Basic, or Digest with MD5 (RFC 2617, RFC 7616;
 * qop "auth" or none) — see rtsp.h.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/crypto.h"
#include "edge/rtsp.h"

/* Copies the value of a parameter (quoted or token) at *p into out; advances *p. */
static void param_value(const char **p, const char *e, char *out, size_t cap)
{
    const char *s = *p;
    size_t n = 0;
    if (s < e && *s == '"') {
        s++;
        while (s < e && *s != '"') {
            if (*s == '\\' && s + 1 < e)
                s++;
            if (n + 1 < cap)
                out[n++] = *s;
            s++;
        }
        if (s < e)
            s++;
    } else {
        while (s < e && *s != ',' && *s != ' ' && *s != '\t') {
            if (n + 1 < cap)
                out[n++] = *s;
            s++;
        }
    }
    out[n] = 0;
    *p = s;
}

static mm_err_t digest_params(const char *p, const char *e, edge_rtsp_challenge_t *c)
{
    char algorithm[256] = "", qop[256] = "", name[32], value[256];
    while (p < e) {
        while (p < e && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        const char *ns = p;
        while (p < e && *p != '=' && *p != ' ' && *p != ',')
            p++;
        if (p >= e || *p != '=')
            break;
        snprintf(name, sizeof name, "%.*s", (int)(p - ns), ns);
        p++;
        param_value(&p, e, value, sizeof value);
        if (strcasecmp(name, "realm") == 0)
            snprintf(c->realm, sizeof c->realm, "%s", value);
        else if (strcasecmp(name, "nonce") == 0)
            snprintf(c->nonce, sizeof c->nonce, "%s", value);
        else if (strcasecmp(name, "opaque") == 0)
            snprintf(c->opaque, sizeof c->opaque, "%s", value);
        else if (strcasecmp(name, "algorithm") == 0)
            snprintf(algorithm, sizeof algorithm, "%s", value);
        else if (strcasecmp(name, "qop") == 0)
            snprintf(qop, sizeof qop, "%s", value);
        else if (strcasecmp(name, "stale") == 0)
            c->stale = strcasecmp(value, "true") == 0;
    }
    if (!c->realm[0] || !c->nonce[0])
        return MM_EPROTO;
    if (algorithm[0] && strcasecmp(algorithm, "MD5") != 0)
        return MM_EPROTO;
    /* qop is a list ("auth,auth-int"): auth if it is among them. */
    char *save = NULL;
    for (char *t = strtok_r(qop, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save))
        if (strcasecmp(t, "auth") == 0)
            c->qop_auth = 1;
    return MM_OK;
}

mm_err_t edge_rtsp_challenge_parse(const char *v, size_t n, edge_rtsp_challenge_t *c)
{
    memset(c, 0, sizeof *c);
    const char *e = v + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    if (e - v >= 5 && strncasecmp(v, "Basic", 5) == 0 && (e - v == 5 || v[5] == ' '))
        return MM_OK;
    if (e - v >= 7 && strncasecmp(v, "Digest", 6) == 0 && (v[6] == ' ' || v[6] == '\t')) {
        c->digest = 1;
        return digest_params(v + 7, e, c);
    }
    return MM_EPROTO;
}

/* Lower-case hex MD5 of text. */
static mm_err_t md5_hex(const char *text, char out[33])
{
    uint8_t d[16];
    unsigned int dl = 0;
    if (EVP_Digest(text, strlen(text), d, &dl, EVP_md5(), NULL) != 1 || dl != 16)
        return MM_ECRYPTO;
    return mm_hex_encode(d, 16, out, 33);
}

static mm_err_t digest_answer(const edge_rtsp_challenge_t *c, const char *user, const char *pass,
                              const char *method, const char *uri, const char *cnonce, unsigned nc,
                              char *out, size_t cap)
{
    char buf[1024], ha1[33], ha2[33], resp[33], ncs[9];
    snprintf(ncs, sizeof ncs, "%08x", nc);
    mm_err_t err = MM_ETOOBIG;
    if ((size_t)snprintf(buf, sizeof buf, "%s:%s:%s", user, c->realm, pass) < sizeof buf)
        err = md5_hex(buf, ha1);
    if (err == MM_OK)
        err = (size_t)snprintf(buf, sizeof buf, "%s:%s", method, uri) < sizeof buf
                  ? md5_hex(buf, ha2)
                  : MM_ETOOBIG;
    int n = 0;
    if (err == MM_OK && c->qop_auth)
        n = snprintf(buf, sizeof buf, "%s:%s:%s:%s:auth:%s", ha1, c->nonce, ncs, cnonce, ha2);
    else if (err == MM_OK)
        n = snprintf(buf, sizeof buf, "%s:%s:%s", ha1, c->nonce, ha2);
    if (err == MM_OK)
        err = (size_t)n < sizeof buf ? md5_hex(buf, resp) : MM_ETOOBIG;
    mm_wipe(buf, sizeof buf);
    mm_wipe(ha1, sizeof ha1);
    if (err != MM_OK)
        return err;
    n = snprintf(out, cap,
                 "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
                 "response=\"%s\"",
                 user, c->realm, c->nonce, uri, resp);
    if (n > 0 && (size_t)n < cap && c->opaque[0])
        n += snprintf(out + n, cap - (size_t)n, ", opaque=\"%s\"", c->opaque);
    if (n > 0 && (size_t)n < cap && c->qop_auth)
        n += snprintf(out + n, cap - (size_t)n, ", qop=auth, nc=%s, cnonce=\"%s\"", ncs, cnonce);
    if (n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, ", algorithm=MD5");
    return n > 0 && (size_t)n < cap ? MM_OK : MM_ETOOBIG;
}

mm_err_t edge_rtsp_authorization(const edge_rtsp_challenge_t *c, const char *user, const char *pass,
                                 const char *method, const char *uri, const char *cnonce,
                                 unsigned nc, char *out, size_t cap)
{
    if (c->digest)
        return digest_answer(c, user, pass, method, uri, cnonce, nc, out, cap);
    char plain[512];
    int n = snprintf(plain, sizeof plain, "%s:%s", user, pass);
    if (n < 0 || (size_t)n >= sizeof plain || cap < 7)
        return MM_ETOOBIG;
    memcpy(out, "Basic ", 6);
    int rc = mm_base64_encode(plain, (size_t)n, out + 6, cap - 6);
    mm_wipe(plain, sizeof plain);
    return rc < 0 ? MM_ETOOBIG : MM_OK;
}
