/*
 * note.c: C2SP signed notes, checkpoints and cosignatures (see note.h).
 *
 * Everything here parses text that arrives from the network, so every parser works on
 * (pointer, length) without NUL termination, bounds every field, allocates nothing and accepts
 * one spelling of each value: a note that parses is byte for byte the note that was signed.
 * Signing and verifying build the signed message in a stack buffer of at most
 * MM_NOTE_MAX + 64 bytes.
 */
#include "common/note.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/utf8.h"

#define EM_DASH "\xe2\x80\x94"
#define SIG_PREFIX EM_DASH " "
#define SIG_PREFIX_LEN 4
#define COSIG_HEADER_MAX 48 /* "cosignature/v1\ntime <20 digits>\n" */
#define COSIG_MSG_MAX (COSIG_HEADER_MAX + MM_NOTE_MAX)
#define TIMESTAMP_MAX 0x7fffffffffffffffULL /* tlog-cosignature: at most 2^63 - 1 */

/*
 * A key name (C2SP signed-note): non-empty UTF-8 without Unicode spaces or '+'. We also refuse
 * control characters, and names that do not fit MM_KEY_NAME_MAX (fits == 0 then).
 */
static int name_valid(const char *s, size_t n, int *fits)
{
    if (n == 0)
        return 0;
    const char *p = s, *end = s + n;
    while (p < end) {
        uint32_t cp;
        size_t k = mm_utf8_next(p, end, &cp);
        if (k == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == '+' ||
            mm_utf8_is_space(cp))
            return 0;
        p += k;
    }
    if (fits)
        *fits = n < MM_KEY_NAME_MAX;
    return 1;
}

static int name_ok(const char *s, size_t n)
{
    int fits = 0;
    return name_valid(s, n, &fits) && fits;
}

/* Text of a note or a body: UTF-8 without control characters other than '\n'. */
static int text_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
            return 0;
    return mm_utf8_valid(s, n);
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
    size_t n = strnlen(name, MM_KEY_NAME_MAX);
    if (!name_ok(name, n) || (alg != MM_NOTE_ALG_ED25519 && alg != MM_NOTE_ALG_COSIG_V1))
        return MM_EINVAL;
    memset(out, 0, sizeof *out);
    memcpy(out->name, name, n);
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
    /* name + 8 hex digits + base64; the name has no '+', the base64 may. */
    const char *p1 = memchr(text, '+', len);
    if (!p1)
        return MM_EPARSE;
    size_t nlen = (size_t)(p1 - text);
    const char *hex = p1 + 1;
    if ((size_t)(hex - text) + 9 > len || hex[8] != '+')
        return MM_EPARSE;
    if (!name_ok(text, nlen))
        return MM_EPARSE;
    for (int i = 0; i < 8; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return MM_EPARSE; /* canonical: lower case */
    uint8_t id[4];
    if (mm_hex_decode(hex, 8, id, sizeof id) != 4)
        return MM_EPARSE;
    uint8_t raw[1 + MM_ED25519_PUB_LEN + 2];
    const char *b64 = hex + 9;
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
    size_t olen = strnlen(cp->origin, sizeof cp->origin);
    if (olen == 0 || olen > MM_ORIGIN_MAX || memchr(cp->origin, '\n', olen) ||
        !text_ok(cp->origin, olen))
        return MM_EINVAL;
    char root[64];
    if (mm_base64_encode(cp->root.b, MM_HASH_LEN, root, sizeof root) < 0)
        return MM_ERANGE;
    if (cp->time > (uint64_t)INT64_MAX)
        return MM_EINVAL;
    int n = snprintf(out, cap, "%.*s\n%llu\n%s\n", (int)olen, cp->origin,
                     (unsigned long long)cp->size, root);
    if (n < 0 || (size_t)n >= cap)
        return MM_ERANGE;
    if (cp->time) {
        int t = snprintf(out + n, cap - (size_t)n, "time %llu\n", (unsigned long long)cp->time);
        if (t < 0 || (size_t)t >= cap - (size_t)n)
            return MM_ERANGE;
        n += t;
    }
    *len = (size_t)n;
    return MM_OK;
}

/* Length of the line starting at p (without its '\n'), or -1 when there is no '\n'. */
static long line_len(const char *p, const char *end)
{
    if (p >= end)
        return -1;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? (long)(nl - p) : -1;
}

/* The T of an extension line "time <T>" (n bytes at p) in canonical decimal, at most
 * 2^63 - 1; 0 when the line is not one. */
static uint64_t time_line(const char *p, long n)
{
    if (n < 6 || n > 5 + 19 || memcmp(p, "time ", 5) != 0 || p[5] == '0')
        return 0;
    uint64_t t = 0;
    for (long i = 5; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        t = t * 10 + (uint64_t)(p[i] - '0');
    }
    return t <= (uint64_t)INT64_MAX ? t : 0;
}

mm_err_t mm_checkpoint_parse_body(const char *body, size_t len, mm_checkpoint_t *out)
{
    if (len > MM_NOTE_MAX)
        return MM_EPARSE;
    if (!text_ok(body, len))
        return MM_EPARSE;
    const char *p = body, *end = body + len;
    mm_checkpoint_t cp;
    memset(&cp, 0, sizeof cp);

    /* Origin: non-empty, bounded. */
    long n = line_len(p, end);
    if (n <= 0 || n > MM_ORIGIN_MAX)
        return MM_EPARSE;
    memcpy(cp.origin, p, (size_t)n);
    p += n + 1;

    /* Tree size: decimal, no leading zeros, no overflow. */
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

    /* Root hash: canonical base64 of exactly 32 bytes. */
    n = line_len(p, end);
    if (n != 44 || mm_base64_decode(p, (size_t)n, cp.root.b, MM_HASH_LEN) != MM_HASH_LEN)
        return MM_EPARSE;
    p += n + 1;

    /* Extension lines: opaque, but non-empty and newline-terminated. */
    while (p < end) {
        n = line_len(p, end);
        if (n <= 0)
            return MM_EPARSE;
        if (!cp.time)
            cp.time = time_line(p, n);
        p += n + 1;
    }
    *out = cp;
    return MM_OK;
}

/*
 * Decodes canonical base64 of any length to check its form, keeping only the first cap bytes
 * (none when cap is 0). Returns the decoded length or -1. Works in 64-character pieces so that
 * a long foreign signature needs no large buffer.
 */
static long b64_check(const char *b, size_t n, uint8_t *keep, size_t cap)
{
    uint8_t tmp[48];
    long total = 0;
    if (n % 4 != 0)
        return -1;
    while (n > 0) {
        size_t piece = n > 64 ? 64 : n;
        /* Padding may only end the whole text, which mm_base64_decode sees per piece. */
        if (piece < n && memchr(b, '=', piece))
            return -1;
        int got = mm_base64_decode(b, piece, tmp, sizeof tmp);
        if (got < 0)
            return -1;
        for (int i = 0; i < got; i++, total++)
            if ((size_t)total < cap)
                keep[total] = tmp[i];
        b += piece;
        n -= piece;
    }
    return total;
}

/*
 * Parses one signature line [p, p+n) (without '\n'). Fills sig and sets *keep when the line
 * can be one of ours; a well-formed line that cannot is accepted with *keep = 0.
 */
static mm_err_t parse_sig_line(const char *p, size_t n, mm_note_sig_t *sig, int *keep)
{
    *keep = 0;
    if (n < SIG_PREFIX_LEN + 2 || memcmp(p, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
        return MM_EPARSE;
    p += SIG_PREFIX_LEN;
    n -= SIG_PREFIX_LEN;
    const char *sp = memchr(p, ' ', n);
    if (!sp)
        return MM_EPARSE;
    size_t nlen = (size_t)(sp - p);
    int fits = 0;
    if (!name_valid(p, nlen, &fits))
        return MM_EPARSE;
    uint8_t raw[4 + MM_NOTE_SIG_MAX];
    long got = b64_check(sp + 1, n - nlen - 1, raw, sizeof raw);
    if (got < 5) /* a key id and at least one byte of signature */
        return MM_EPARSE;
    if (!fits || got > (long)sizeof raw)
        return MM_OK;
    memset(sig, 0, sizeof *sig);
    memcpy(sig->name, p, nlen);
    memcpy(sig->id, raw, 4);
    memcpy(sig->sig, raw + 4, (size_t)got - 4);
    sig->sig_len = (size_t)got - 4;
    *keep = 1;
    return MM_OK;
}

mm_err_t mm_note_parse(const char *text, size_t len, mm_note_t *out)
{
    if (len > MM_NOTE_MAX)
        return MM_ETOOBIG;
    if (len < 2 || text[len - 1] != '\n' || !text_ok(text, len))
        return MM_EPARSE;
    /* The signatures start after the last blank line; the body keeps its final '\n'. */
    size_t split = 0;
    for (size_t i = len - 1; i > 0; i--)
        if (text[i] == '\n' && text[i - 1] == '\n') {
            split = i;
            break;
        }
    if (split == 0 || split + 1 >= len)
        return MM_EPARSE; /* no blank line, or no signature line after it */
    mm_note_t note;
    memset(&note, 0, offsetof(mm_note_t, sigs));
    note.body = text;
    note.body_len = split;

    const char *p = text + split + 1, *end = text + len;
    while (p < end) {
        long n = line_len(p, end);
        if (n <= 0)
            return MM_EPARSE;
        mm_note_sig_t sig;
        int keep;
        if (parse_sig_line(p, (size_t)n, &sig, &keep) != MM_OK)
            return MM_EPARSE;
        if (keep && note.nsigs < MM_NOTE_MAX_SIGS)
            note.sigs[note.nsigs++] = sig;
        p += n + 1;
    }
    memcpy(out, &note, offsetof(mm_note_t, sigs) + note.nsigs * sizeof note.sigs[0]);
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

static int body_ok(const char *body, size_t len)
{
    return len > 0 && len <= MM_NOTE_MAX && body[len - 1] == '\n' && text_ok(body, len);
}

mm_err_t mm_note_sign(const char *body, size_t len, const char *name, const mm_ed25519_t *key,
                      char *line, size_t cap)
{
    if (!name_ok(name, strnlen(name, MM_KEY_NAME_MAX)) || !body_ok(body, len))
        return MM_EINVAL;
    uint8_t raw[4 + MM_ED25519_SIG_LEN];
    key_id(name, MM_NOTE_ALG_ED25519, key->pub, raw);
    mm_err_t err = mm_ed25519_sign(key, body, len, raw + 4);
    if (err != MM_OK)
        return err;
    return format_line(name, raw, sizeof raw, line, cap);
}

/* Builds "cosignature/v1\ntime <T>\n" || body into buf; returns its length, 0 if too long. */
static size_t cosig_message(const char *body, size_t len, uint64_t ts, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "cosignature/v1\ntime %llu\n", (unsigned long long)ts);
    if (n < 0 || (size_t)n >= cap || len > cap - (size_t)n)
        return 0;
    memcpy(buf + n, body, len);
    return (size_t)n + len;
}

/* The cosignature line of body at timestamp, signed with key or (when key is NULL) signer. */
static mm_err_t cosig_sign(const char *body, size_t len, const char *name, const mm_ed25519_t *key,
                           const mm_ed25519_signer_t *signer, uint64_t timestamp, char *line,
                           size_t cap)
{
    if (!name_ok(name, strnlen(name, MM_KEY_NAME_MAX)) || !body_ok(body, len) ||
        timestamp > TIMESTAMP_MAX)
        return MM_EINVAL;
    char msg[COSIG_MSG_MAX];
    size_t mlen = cosig_message(body, len, timestamp, msg, sizeof msg);
    if (!mlen)
        return MM_EINVAL;
    uint8_t raw[4 + 8 + MM_ED25519_SIG_LEN];
    key_id(name, MM_NOTE_ALG_COSIG_V1, key ? key->pub : mm_ed25519_signer_pub(signer), raw);
    for (int i = 0; i < 8; i++)
        raw[4 + i] = (uint8_t)(timestamp >> (56 - 8 * i));
    mm_err_t err = key ? mm_ed25519_sign(key, msg, mlen, raw + 12)
                       : mm_ed25519_signer_sign(signer, msg, mlen, raw + 12);
    if (err != MM_OK)
        return err;
    return format_line(name, raw, sizeof raw, line, cap);
}

mm_err_t mm_cosig_sign(const char *body, size_t len, const char *name, const mm_ed25519_t *key,
                       uint64_t timestamp, char *line, size_t cap)
{
    return cosig_sign(body, len, name, key, NULL, timestamp, line, cap);
}

mm_err_t mm_cosig_sign_with(const char *body, size_t len, const char *name,
                            const mm_ed25519_signer_t *signer, uint64_t timestamp, char *line,
                            size_t cap)
{
    return cosig_sign(body, len, name, NULL, signer, timestamp, line, cap);
}

/* Checks one signature line already matched to v by name and key id. */
static int sig_verifies(const mm_note_t *note, const mm_note_sig_t *s,
                        const mm_note_verifier_t *v, uint64_t *ts_out)
{
    if (v->alg == MM_NOTE_ALG_ED25519) {
        return s->sig_len == MM_ED25519_SIG_LEN &&
               mm_ed25519_verify(v->pub, note->body, note->body_len, s->sig) == MM_OK;
    }
    if (v->alg == MM_NOTE_ALG_COSIG_V1) {
        if (s->sig_len != 8 + MM_ED25519_SIG_LEN)
            return 0;
        uint64_t ts = 0;
        for (int i = 0; i < 8; i++)
            ts = (ts << 8) | s->sig[i];
        if (ts > TIMESTAMP_MAX)
            return 0;
        char msg[COSIG_MSG_MAX];
        size_t mlen = cosig_message(note->body, note->body_len, ts, msg, sizeof msg);
        if (!mlen || mm_ed25519_verify(v->pub, msg, mlen, s->sig + 8) != MM_OK)
            return 0;
        *ts_out = ts;
        return 1;
    }
    return 0;
}

mm_err_t mm_note_verify(const mm_note_t *note, const mm_note_verifier_t *v, uint64_t *timestamp)
{
    int good = 0;
    uint64_t first_ts = 0;
    for (size_t i = 0; i < note->nsigs; i++) {
        const mm_note_sig_t *s = &note->sigs[i];
        if (strcmp(s->name, v->name) != 0 || memcmp(s->id, v->id, 4) != 0)
            continue; /* another key: C2SP says ignore it */
        uint64_t ts = 0;
        if (!sig_verifies(note, s, v, &ts))
            return MM_EVERIFY;
        if (!good++)
            first_ts = ts;
    }
    if (!good)
        return MM_ENOTFOUND;
    if (timestamp && v->alg == MM_NOTE_ALG_COSIG_V1)
        *timestamp = first_ts;
    return MM_OK;
}

mm_err_t mm_checkpoint_sign(const mm_checkpoint_t *cp, const char *name, const mm_ed25519_t *key,
                            char *out, size_t cap, size_t *len)
{
    size_t blen;
    mm_err_t err = mm_checkpoint_body(cp, out, cap, &blen);
    if (err != MM_OK)
        return err;
    char line[MM_NOTE_LINE_MAX];
    err = mm_note_sign(out, blen, name, key, line, sizeof line);
    if (err != MM_OK)
        return err;
    size_t llen = strlen(line);
    if (blen + 1 + llen + 1 > cap)
        return MM_ERANGE;
    out[blen] = '\n';
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
