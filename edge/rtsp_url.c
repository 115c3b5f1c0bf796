/*
 * rtsp_url.c: splitting a camera's rtsp:// URL into the login, the address and the URL that
 * requests name (see rtsp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/httpparse.h"
#include "edge/rtsp.h"

/* Percent-decodes [p, e) into out (cap bytes, NUL-terminated); -1 for a bad escape, an encoded
 * NUL, or a result that does not fit. */
static int pct_decode(const char *p, const char *e, char *out, size_t cap)
{
    return mm_http_pct_decode(p, (size_t)(e - p), 0, out, cap) < 0 ? -1 : 0;
}

static mm_err_t bad(char *why, size_t cap, const char *msg)
{
    if (why && cap)
        snprintf(why, cap, "%s", msg);
    return MM_EINVAL;
}

/* host[:port] or [v6][:port] in [p, e). */
static mm_err_t host_port(const char *p, const char *e, edge_rtsp_url_t *u, char *why, size_t cap)
{
    const char *hs = p, *he;
    if (p < e && *p == '[') {
        hs = p + 1;
        he = memchr(hs, ']', (size_t)(e - hs));
        if (!he)
            return bad(why, cap, "an IPv6 address without its closing ']'");
        p = he + 1;
    } else {
        he = memchr(p, ':', (size_t)(e - p));
        if (!he)
            he = e;
        p = he;
    }
    if (he == hs || (size_t)(he - hs) >= sizeof u->host)
        return bad(why, cap, "no host, or a host name too long");
    memcpy(u->host, hs, (size_t)(he - hs));
    u->host[he - hs] = 0;
    u->port = 554;
    if (p < e) {
        if (*p != ':' || p + 1 == e || e - p > 6)
            return bad(why, cap, "a port that is not a number from 1 to 65535");
        unsigned port = 0;
        for (const char *q = p + 1; q < e; q++) {
            if (*q < '0' || *q > '9')
                return bad(why, cap, "a port that is not a number from 1 to 65535");
            port = port * 10 + (unsigned)(*q - '0');
        }
        if (port == 0 || port > 65535)
            return bad(why, cap, "a port that is not a number from 1 to 65535");
        u->port = port;
    }
    return MM_OK;
}

mm_err_t edge_rtsp_url_parse(const char *url, edge_rtsp_url_t *u, char *why, size_t cap)
{
    memset(u, 0, sizeof *u);
    if (strncasecmp(url, "rtsp://", 7) != 0)
        return bad(why, cap, "not an rtsp:// URL (our client does not speak rtsps://)");
    const char *a = url + 7;
    const char *ae = a + strcspn(a, "/?#");
    const char *at = NULL;
    for (const char *q = a; q < ae; q++)
        if (*q == '@')
            at = q;
    if (at) {
        const char *colon = memchr(a, ':', (size_t)(at - a));
        const char *ue = colon ? colon : at;
        if (pct_decode(a, ue, u->user, sizeof u->user) != 0 ||
            (colon && pct_decode(colon + 1, at, u->pass, sizeof u->pass) != 0))
            return bad(why, cap, "a user name or password too long");
        a = at + 1;
    }
    mm_err_t err = host_port(a, ae, u, why, cap);
    if (err != MM_OK)
        return err;
    int n = snprintf(u->request, sizeof u->request, "rtsp://%.*s%s", (int)(ae - a), a, ae);
    if (n < 0 || (size_t)n >= sizeof u->request)
        return bad(why, cap, "a URL too long");
    return MM_OK;
}
