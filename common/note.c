/*
 * note.c: C2SP signed notes, checkpoints and cosignatures (see note.h).
 */
#include "note.h"

#include <stdio.h>
#include <string.h>

#define EM_DASH "\xe2\x80\x94"
#define SIG_PREFIX EM_DASH " "
#define SIG_PREFIX_LEN 4
#define COSIG_MSG_MAX (64 + MM_NOTE_MAX)

static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n >= MM_KEY_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* C2SP: a key name is non-empty UTF-8 without spaces or '+'; we also refuse controls. */
        if (c <= 0x20 || c == '+' || c == 0x7f)
            return 0;
    }
    return 1;
}

static void key_id(const char *name, uint8_t alg, const uint8_t pub[MM_ED25519_PUB_LEN],
                   uint8_t id[4])
{
    uint8_t buf[MM_KEY_NAME_MAX + 2 + MM_ED25519_PUB_LEN];
    size_t n = strlen(name);
    memcpy(buf, name, n);
    buf[n] = '\n';
    buf[n + 1] = alg;
    memcpy(buf + n + 2, pub, MM_ED25519_PUB_LEN);
    uint8_t h[MM_SHA256_LEN];
    mm_sha256(buf, n + 2 + MM_ED25519_PUB_LEN, h);
    memcpy(id, h, 4);
}

mm_err_t mm_note_verifier_make(const char *name, mm_note_alg_t alg,
                               const uint8_t pub[MM_ED25519_PUB_LEN], mm_note_verifier_t *out)
{
    if (!name_ok(name, strlen(name)) ||
        (alg != MM_NOTE_ALG_ED25519 && alg != MM_NOTE_ALG_COSIG_V1))
        return MM_EINVAL;
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name);
    out->alg = (uint8_t)alg;
    memcpy(out->pub, pub, MM_ED25519_PUB_LEN);
    key_id(out->name, out->alg, out->pub, out->id);
    return MM_OK;
}

mm_err_t mm_note_verifier_parse(const char *text, mm_note_verifier_t *out)
{
    size_t len = strnlen(text, MM_VERIFIER_MAX + 1);
    if (len > MM_VERIFIER_MAX)
        return MM_EPARSE;
    const char *p1 = memchr(text, '+', len);
    if (!p1)
        return MM_EPARSE;
    const char *p2 = memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - text));
    if (!p2 || p2 - p1 - 1 != 8)
        return MM_EPARSE;
    size_t nlen = (size_t)(p1 - text);
    if (!name_ok(text, nlen))
        return MM_EPARSE;
    uint8_t id[4];
    if (mm_hex_decode(p1 + 1, 8, id, sizeof id) != 4)
        return MM_EPARSE;
    for (const char *h = p1 + 1; h < p2; h++)
        if (*h >= 'A' && *h <= 'F')
            return MM_EPARSE; /* canonical: lower case */
    uint8_t raw[1 + MM_ED25519_PUB_LEN + 1];
    const char *b64 = p2 + 1;
    if (mm_base64_decode(b64, len - (size_t)(b64 - text), raw, sizeof raw) !=
        1 + MM_ED25519_PUB_LEN)
        return MM_EPARSE;
    char name[MM_KEY_NAME_MAX];
    memcpy(name, text, nlen);
    name[nlen] = 0;
    mm_note_verifier_t v;
    if (mm_note_verifier_make(name, (mm_note_alg_t)raw[0], raw + 1, &v) != MM_OK)
        return MM_EPARSE;
    if (memcmp(v.id, id, 4) != 0)
        return MM_EPARSE;
    *out = v;
    return MM_OK;
}

mm_err_t mm_note_verifier_format(const mm_note_verifier_t *v, char *out, size_t cap)
{
    uint8_t raw[1 + MM_ED25519_PUB_LEN];
    raw[0] = v->alg;
    memcpy(raw + 1, v->pub, MM_ED25519_PUB_LEN);
    char b64[64];
    if (mm_base64_encode(raw, sizeof raw, b64, sizeof b64) < 0)
        return MM_ERANGE;
    int n = snprintf(out, cap, "%s+%02x%02x%02x%02x+%s", v->name, v->id[0], v->id[1], v->id[2],
                     v->id[3], b64);
    return n < 0 || (size_t)n >= cap ? MM_ERANGE : MM_OK;
}

mm_err_t mm_checkpoint_body(const mm_checkpoint_t *cp, char *out, size_t cap, size_t *len)
{
    char root[64];
    if (mm_base64_encode(cp->root.b, MM_HASH_LEN, root, sizeof root) < 0)
        return MM_ERANGE;
    int n = snprintf(out, cap, "%s\n%llu\n%s\n", cp->origin, (unsigned long long)cp->size, root);
    if (n < 0 || (size_t)n >= cap)
        return MM_ERANGE;
    *len = (size_t)n;
    return MM_OK;
}

/* Length of the line starting at p (without its '\n'), or -1 when there is no '\n'. */
static long line_len(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? (long)(nl - p) : -1;
}

mm_err_t mm_checkpoint_parse_body(const char *body, size_t len, mm_checkpoint_t *out)
{
    const char *p = body, *end = body + len;
    mm_checkpoint_t cp;
    memset(&cp, 0, sizeof cp);

    long n = line_len(p, end);
    if (n <= 0 || n > MM_ORIGIN_MAX)
        return MM_EPARSE;
    for (long i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
            return MM_EPARSE;
    memcpy(cp.origin, p, (size_t)n);
    p += n + 1;

    n = line_len(p, end);
    if (n <= 0 || n > 20 || (n > 1 && p[0] == '0'))
        return MM_EPARSE;
    uint64_t size = 0;
    for (long i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return MM_EPARSE;
        uint64_t d = (uint64_t)(p[i] - '0');
        if (size > (UINT64_MAX - d) / 10)
            return MM_EPARSE;
        size = size * 10 + d;
    }
    cp.size = size;
    p += n + 1;

    n = line_len(p, end);
    if (n != 44 || mm_base64_decode(p, (size_t)n, cp.root.b, MM_HASH_LEN) != MM_HASH_LEN)
        return MM_EPARSE;
    p += n + 1;

    /* Extension lines: non-empty, and the body ends with a newline. */
    while (p < end) {
        n = line_len(p, end);
        if (n <= 0)
            return MM_EPARSE;
        p += n + 1;
    }
    *out = cp;
    return MM_OK;
}

/* Parses one signature line [p, p+n) (without '\n') into sig (may be NULL). */
static mm_err_t parse_sig_line(const char *p, size_t n, mm_note_sig_t *sig)
{
    if (n < SIG_PREFIX_LEN + 2 || memcmp(p, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
        return MM_EPARSE;
    p += SIG_PREFIX_LEN;
    n -= SIG_PREFIX_LEN;
    const char *sp = memchr(p, ' ', n);
    if (!sp)
        return MM_EPARSE;
    size_t nlen = (size_t)(sp - p);
    if (!name_ok(p, nlen))
        return MM_EPARSE;
    const char *b64 = sp + 1;
    size_t blen = n - nlen - 1;
    uint8_t raw[4 + MM_NOTE_SIG_MAX + 3];
    int got = mm_base64_decode(b64, blen, raw, sizeof raw);
    if (got < 5 || got > 4 + MM_NOTE_SIG_MAX)
        return MM_EPARSE;
    if (sig) {
        memset(sig, 0, sizeof *sig);
        memcpy(sig->name, p, nlen);
        memcpy(sig->id, raw, 4);
        memcpy(sig->sig, raw + 4, (size_t)got - 4);
        sig->sig_len = (size_t)got - 4;
    }
    return MM_OK;
}

mm_err_t mm_note_parse(const char *text, size_t len, mm_note_t *out)
{
    if (len > MM_NOTE_MAX)
        return MM_ETOOBIG;
    if (len < 2 || text[len - 1] != '\n')
        return MM_EPARSE;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            return MM_EPARSE;
    }
    /* The signatures start after the last blank line. */
    size_t split = 0;
    int found = 0;
    for (size_t i = len - 1; i > 0; i--)
        if (text[i] == '\n' && text[i - 1] == '\n') {
            split = i; /* text[split] is the blank line's '\n' */
            found = 1;
            break;
        }
    if (!found || split < 1)
        return MM_EPARSE;
    memset(out, 0, sizeof *out);
    out->body = text;
    out->body_len = split; /* up to and including the body's last '\n' */
    if (out->body_len == 0)
        return MM_EPARSE;

    const char *p = text + split + 1, *end = text + len;
    if (p >= end)
        return MM_EPARSE; /* no signature lines */
    while (p < end) {
        long n = line_len(p, end);
        if (n <= 0)
            return MM_EPARSE;
        mm_note_sig_t *sig = out->nsigs < MM_NOTE_MAX_SIGS ? &out->sigs[out->nsigs] : NULL;
        if (parse_sig_line(p, (size_t)n, sig) != MM_OK)
            return MM_EPARSE;
        if (sig)
            out->nsigs++;
        p += n + 1;
    }
    return MM_OK;
}

static mm_err_t format_line(const char *name, const uint8_t *raw, size_t rlen, char *line,
                            size_t cap)
{
    char b64[160];
    if (mm_base64_encode(raw, rlen, b64, sizeof b64) < 0)
        return MM_ERANGE;
    int n = snprintf(line, cap, SIG_PREFIX "%s %s\n", name, b64);
    return n < 0 || (size_t)n >= cap ? MM_ERANGE : MM_OK;
}

mm_err_t mm_note_sign(const char *body, size_t len, const char *name, const mm_ed25519_t *key,
                      char *line, size_t cap)
{
    if (!name_ok(name, strlen(name)) || len == 0 || body[len - 1] != '\n')
        return MM_EINVAL;
    uint8_t raw[4 + MM_ED25519_SIG_LEN];
    key_id(name, MM_NOTE_ALG_ED25519, key->pub, raw);
    mm_err_t err = mm_ed25519_sign(key, body, len, raw + 4);
    if (err != MM_OK)
        return err;
    return format_line(name, raw, sizeof raw, line, cap);
}

/* Builds "cosignature/v1\ntime <T>\n" || body into buf. */
static size_t cosig_message(const char *body, size_t len, uint64_t ts, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "cosignature/v1\ntime %llu\n", (unsigned long long)ts);
    if (n < 0 || (size_t)n + len > cap)
        return 0;
    memcpy(buf + n, body, len);
    return (size_t)n + len;
}

mm_err_t mm_cosig_sign(const char *body, size_t len, const char *name, const mm_ed25519_t *key,
                       uint64_t timestamp, char *line, size_t cap)
{
    if (!name_ok(name, strlen(name)) || len == 0 || body[len - 1] != '\n' || len > MM_NOTE_MAX)
        return MM_EINVAL;
    char local[COSIG_MSG_MAX];
    size_t mlen = cosig_message(body, len, timestamp, local, sizeof local);
    if (!mlen)
        return MM_ERANGE;
    uint8_t raw[4 + 8 + MM_ED25519_SIG_LEN];
    key_id(name, MM_NOTE_ALG_COSIG_V1, key->pub, raw);
    for (int i = 0; i < 8; i++)
        raw[4 + i] = (uint8_t)(timestamp >> (56 - 8 * i));
    mm_err_t err = mm_ed25519_sign(key, local, mlen, raw + 12);
    if (err != MM_OK)
        return err;
    return format_line(name, raw, sizeof raw, line, cap);
}

mm_err_t mm_note_verify(const mm_note_t *note, const mm_note_verifier_t *v, uint64_t *timestamp)
{
    mm_err_t result = MM_ENOTFOUND;
    for (size_t i = 0; i < note->nsigs; i++) {
        const mm_note_sig_t *s = &note->sigs[i];
        if (strcmp(s->name, v->name) != 0 || memcmp(s->id, v->id, 4) != 0)
            continue;
        if (v->alg == MM_NOTE_ALG_ED25519) {
            if (s->sig_len == MM_ED25519_SIG_LEN &&
                mm_ed25519_verify(v->pub, note->body, note->body_len, s->sig) == MM_OK)
                return MM_OK;
        } else if (v->alg == MM_NOTE_ALG_COSIG_V1) {
            if (s->sig_len == 8 + MM_ED25519_SIG_LEN) {
                uint64_t ts = 0;
                for (int b = 0; b < 8; b++)
                    ts = (ts << 8) | s->sig[b];
                char msg[COSIG_MSG_MAX];
                size_t mlen = cosig_message(note->body, note->body_len, ts, msg, sizeof msg);
                if (mlen && mm_ed25519_verify(v->pub, msg, mlen, s->sig + 8) == MM_OK) {
                    if (timestamp)
                        *timestamp = ts;
                    return MM_OK;
                }
            }
        }
        result = MM_EVERIFY;
    }
    return result;
}

mm_err_t mm_checkpoint_sign(const mm_checkpoint_t *cp, const char *name, const mm_ed25519_t *key,
                            char *out, size_t cap, size_t *len)
{
    size_t blen;
    mm_err_t err = mm_checkpoint_body(cp, out, cap, &blen);
    if (err != MM_OK)
        return err;
    if (blen + 1 >= cap)
        return MM_ERANGE;
    out[blen] = '\n';
    char line[MM_NOTE_LINE_MAX];
    err = mm_note_sign(out, blen, name, key, line, sizeof line);
    if (err != MM_OK)
        return err;
    size_t llen = strlen(line);
    if (blen + 1 + llen + 1 > cap)
        return MM_ERANGE;
    memcpy(out + blen + 1, line, llen + 1);
    *len = blen + 1 + llen;
    return MM_OK;
}

mm_err_t mm_checkpoint_open(const char *text, size_t len, const mm_note_verifier_t *signer,
                            mm_checkpoint_t *out)
{
    mm_note_t note;
    mm_err_t err = mm_note_parse(text, len, &note);
    if (err != MM_OK)
        return err;
    err = mm_note_verify(&note, signer, NULL);
    if (err != MM_OK)
        return err;
    return mm_checkpoint_parse_body(note.body, note.body_len, out);
}
