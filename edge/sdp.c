/*
 * sdp.c: the video stream out of a camera's SDP (see sdp.h).
 *
 * One pass over the lines keeps slices of the body (never copies) for what matters: the session
 * control, and for the first video media its formats, rtpmaps, fmtps and control. Then the format
 * is chosen, its fmtp read, and the control resolved. Lines of other media, other attributes and
 * unknown types are skipped, as RFC 8866 asks of a reader.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "edge/sdp.h"

#define MAX_FMTS 16

typedef struct {
    const char *p;
    size_t n;
} slice_t;

typedef struct {
    int pt;
    int ok;       /* the line parsed */
    slice_t name; /* the encoding name */
    uint32_t rate;
} rtpmap_t;

typedef struct {
    slice_t session_control, control;
    int video; /* 1 while in the first video media, 2 after it */
    int fmts[MAX_FMTS];
    int nfmts;
    rtpmap_t maps[MAX_FMTS];
    int nmaps;
    slice_t fmtps[MAX_FMTS]; /* each the value after "a=fmtp:" */
    int nfmtps;
} scan_t;

static int slice_is(slice_t s, const char *lit)
{
    return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

static int starts(slice_t s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n >= n && memcmp(s.p, lit, n) == 0;
}

static slice_t after(slice_t s, size_t k)
{
    return (slice_t){s.p + k, s.n - k};
}

static slice_t trim(slice_t s)
{
    while (s.n > 0 && isspace((unsigned char)s.p[0]))
        s.p++, s.n--;
    while (s.n > 0 && isspace((unsigned char)s.p[s.n - 1]))
        s.n--;
    return s;
}

/* The next token of s up to sep (or its end); s moves past it and the separator. */
static slice_t token(slice_t *s, char sep)
{
    const char *e = memchr(s->p, sep, s->n);
    size_t k = e ? (size_t)(e - s->p) : s->n;
    slice_t t = {s->p, k};
    *s = e ? after(*s, k + 1) : (slice_t){s->p + s->n, 0};
    return t;
}

/* A decimal number of at most 9 digits, or -1. */
static long number(slice_t s)
{
    if (s.n == 0 || s.n > 9)
        return -1;
    long v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (!isdigit((unsigned char)s.p[i]))
            return -1;
        v = v * 10 + (s.p[i] - '0');
    }
    return v;
}

/* "m=video <port> <proto> <fmt> ...": the formats, or -1 when there are none or one is bad. */
static int scan_media(scan_t *sc, slice_t v)
{
    token(&v, ' '); /* media */
    token(&v, ' '); /* port */
    token(&v, ' '); /* proto */
    while (v.n > 0) {
        long pt = number(trim(token(&v, ' ')));
        if (pt < 0 || pt > 127)
            return -1;
        if (sc->nfmts < MAX_FMTS)
            sc->fmts[sc->nfmts++] = (int)pt;
    }
    return sc->nfmts > 0 ? 0 : -1;
}

/* "a=rtpmap:<pt> <name>/<rate>[/<params>]" */
static void scan_rtpmap(scan_t *sc, slice_t v)
{
    if (sc->nmaps == MAX_FMTS)
        return;
    rtpmap_t *m = &sc->maps[sc->nmaps++];
    m->pt = (int)number(token(&v, ' '));
    v = trim(v);
    m->name = token(&v, '/');
    slice_t r = trim(token(&v, '/'));
    long rate = r.n == 0 ? 0 : number(r);
    m->ok = m->pt >= 0 && m->name.n > 0 && rate >= 0;
    m->rate = rate > 0 ? (uint32_t)rate : 0;
}

static void scan_attribute(scan_t *sc, slice_t a)
{
    if (starts(a, "control:")) {
        if (sc->video == 0)
            sc->session_control = trim(after(a, 8));
        else if (sc->video == 1)
            sc->control = trim(after(a, 8));
    } else if (sc->video == 1 && starts(a, "rtpmap:")) {
        scan_rtpmap(sc, after(a, 7));
    } else if (sc->video == 1 && starts(a, "fmtp:") && sc->nfmtps < MAX_FMTS) {
        sc->fmtps[sc->nfmtps++] = after(a, 5);
    }
}

static mm_err_t scan(const char *body, size_t len, scan_t *sc, char *msg, size_t cap)
{
    slice_t rest = {body, len};
    int media = 0;
    while (rest.n > 0) {
        slice_t line = token(&rest, '\n');
        if (line.n > 0 && line.p[line.n - 1] == '\r')
            line.n--;
        if (line.n < 2 || line.p[1] != '=')
            continue;
        slice_t v = after(line, 2);
        if (line.p[0] == 'm') {
            media++;
            if (sc->video == 1) {
                sc->video = 2;
            } else if (sc->video == 0 && starts(v, "video ")) {
                sc->video = 1;
                if (scan_media(sc, v) != 0)
                    return mm_errf(MM_EPARSE, msg, cap, "malformed video media line \"m=%.*s\"",
                                   (int)(v.n > 80 ? 80 : v.n), v.p);
            }
        } else if (line.p[0] == 'a' && (media == 0 || sc->video == 1)) {
            scan_attribute(sc, v);
        }
    }
    if (sc->video == 0)
        return mm_errf(MM_EPARSE, msg, cap, "no video media (m=video) in the SDP");
    return MM_OK;
}

/* --- parameter sets ------------------------------------------------------------------------ */

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decodes base64 (padding optional) into out; the length, or -1. */
static long b64_decode(slice_t s, uint8_t *out, size_t cap)
{
    while (s.n > 0 && s.p[s.n - 1] == '=')
        s.n--;
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++) {
        int v = b64_value(s.p[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap)
                return -1;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return s.n % 4 == 1 ? -1 : (long)n;
}

/* Appends each comma-separated base64 unit of v to out->sprop as Annex B. */
static void add_sprop(edge_sdp_t *out, slice_t v)
{
    while (v.n > 0) {
        slice_t unit = trim(token(&v, ','));
        if (unit.n == 0)
            continue;
        size_t room = EDGE_SDP_SPROP_MAX - out->sprop_len;
        long k = room > 4 ? b64_decode(unit, out->sprop + out->sprop_len + 4, room - 4) : -1;
        if (k <= 0) {
            out->sprop_invalid = 1;
            continue;
        }
        memcpy(out->sprop + out->sprop_len, "\0\0\0\1", 4);
        out->sprop_len += 4 + (size_t)k;
    }
}

/* "a=fmtp:<pt> key=value;key=value" of the chosen format. */
static void read_fmtp(edge_sdp_t *out, const scan_t *sc)
{
    slice_t sets[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}}; /* H.265: VPS, SPS, PPS */
    for (int i = 0; i < sc->nfmtps; i++) {
        slice_t v = sc->fmtps[i];
        if (number(token(&v, ' ')) != out->payload_type)
            continue;
        while (v.n > 0) {
            slice_t param = trim(token(&v, ';'));
            slice_t key = trim(token(&param, '='));
            param = trim(param);
            if (out->codec == EDGE_RTP_H264 && slice_is(key, "sprop-parameter-sets"))
                add_sprop(out, param);
            else if (out->codec == EDGE_RTP_H264 && slice_is(key, "packetization-mode"))
                out->packetization_mode = (int)number(param);
            else if (slice_is(key, "sprop-vps"))
                sets[0] = param;
            else if (slice_is(key, "sprop-sps"))
                sets[1] = param;
            else if (slice_is(key, "sprop-pps"))
                sets[2] = param;
        }
    }
    if (out->codec == EDGE_RTP_H265)
        for (int k = 0; k < 3; k++)
            add_sprop(out, sets[k]);
}

/* --- the format ---------------------------------------------------------------------------- */

static const rtpmap_t *map_of(const scan_t *sc, int pt)
{
    for (int i = 0; i < sc->nmaps; i++)
        if (sc->maps[i].pt == pt)
            return &sc->maps[i];
    return NULL;
}

static mm_err_t choose_format(const scan_t *sc, edge_sdp_t *out, char *msg, size_t cap)
{
    for (int i = 0; i < sc->nfmts; i++) {
        const rtpmap_t *m = map_of(sc, sc->fmts[i]);
        if (m == NULL || !m->ok)
            continue;
        int h264 = slice_is(m->name, "H264"), h265 = slice_is(m->name, "H265");
        if (!h264 && !h265)
            continue;
        if (m->rate == 0)
            return mm_errf(MM_EPARSE, msg, cap, "video format %d (%.*s) has no clock rate", m->pt,
                           (int)m->name.n, m->name.p);
        out->codec = h264 ? EDGE_RTP_H264 : EDGE_RTP_H265;
        out->payload_type = (uint8_t)m->pt;
        out->clock_rate = m->rate;
        return MM_OK;
    }
    const rtpmap_t *m = map_of(sc, sc->fmts[0]);
    if (m == NULL)
        return mm_errf(MM_EPARSE, msg, cap,
                       "video format %d has no a=rtpmap, so is not H264 or "
                       "H265",
                       sc->fmts[0]);
    if (!m->ok)
        return mm_errf(MM_EPARSE, msg, cap, "malformed a=rtpmap for video format %d", sc->fmts[0]);
    return mm_errf(MM_EPARSE, msg, cap, "video format %d is %.*s/%u, not H264 or H265", m->pt,
                   (int)(m->name.n > 32 ? 32 : m->name.n), m->name.p, m->rate);
}

/* --- the control URL ----------------------------------------------------------------------- */

static int is_absolute(slice_t s)
{
    size_t i = 0;
    if (s.n == 0 || !isalpha((unsigned char)s.p[0]))
        return 0;
    while (i < s.n && (isalnum((unsigned char)s.p[i]) || strchr("+.-", s.p[i]) != NULL))
        i++;
    return s.n - i >= 3 && memcmp(s.p + i, "://", 3) == 0;
}

/* Resolves ctl against base into out (cap bytes): -1 when it does not fit. */
static int resolve(const char *base, slice_t ctl, char *out, size_t cap)
{
    int n;
    if (ctl.n == 0 || slice_is(ctl, "*")) {
        n = snprintf(out, cap, "%s", base);
    } else if (is_absolute(ctl)) {
        n = snprintf(out, cap, "%.*s", (int)ctl.n, ctl.p);
    } else if (ctl.p[0] == '/') {
        const char *auth = strstr(base, "://");
        const char *path = auth ? strchr(auth + 3, '/') : NULL;
        int keep = path ? (int)(path - base) : (int)strlen(base);
        n = snprintf(out, cap, "%.*s%.*s", keep, base, (int)ctl.n, ctl.p);
    } else {
        size_t bl = strlen(base);
        const char *sep = bl > 0 && base[bl - 1] != '/' ? "/" : "";
        n = snprintf(out, cap, "%s%s%.*s", base, sep, (int)ctl.n, ctl.p);
    }
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

mm_err_t edge_sdp_parse(const char *body, size_t len, const char *base_url, edge_sdp_t *out,
                        char *msg, size_t cap)
{
    memset(out, 0, sizeof(*out));
    scan_t sc;
    memset(&sc, 0, sizeof(sc));
    mm_err_t rc = scan(body, len, &sc, msg, cap);
    if (rc == MM_OK)
        rc = choose_format(&sc, out, msg, cap);
    if (rc != MM_OK)
        return rc;
    read_fmtp(out, &sc);
    char base[EDGE_SDP_URL_MAX];
    if (resolve(base_url ? base_url : "", sc.session_control, base, sizeof(base)) != 0 ||
        resolve(base, sc.control, out->control, sizeof(out->control)) != 0)
        return mm_errf(MM_ETOOBIG, msg, cap, "the control URL is longer than %d bytes",
                       EDGE_SDP_URL_MAX - 1);
    if (out->control[0] == '\0')
        return mm_errf(MM_EPARSE, msg, cap, "no control URL (a=control) and no base URL");
    return MM_OK;
}
