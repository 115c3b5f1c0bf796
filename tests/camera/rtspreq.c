/*
 * rtspreq.c: one RTSP request read from a client's bytes (see rtspreq.h).
 */
#include "tests/camera/rtspreq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *find_end(const char *buf, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
            return buf + i;
    return NULL;
}

/* A header's value as a number (a bounded copy: the buffer has no NUL), or dflt when absent
   or not a number. */
static long header_long(const tc_req_t *r, const char *name, long dflt)
{
    size_t len;
    const char *v = tc_req_header(r, name, &len);
    char num[24], *end;
    if (!v || len == 0 || len >= sizeof num)
        return v ? -2 : dflt;
    memcpy(num, v, len);
    num[len] = 0;
    long n = strtol(num, &end, 10);
    return *end ? -2 : n;
}

long tc_req_parse(const char *buf, size_t n, tc_req_t *r)
{
    const char *end = find_end(buf, n < TC_REQ_MAX ? n : TC_REQ_MAX);
    if (!end)
        return n >= TC_REQ_MAX ? -1 : 0;
    const char *eol = memchr(buf, '\r', (size_t)(end - buf) + 1);
    char line[TC_REQ_MAX];
    size_t ll = (size_t)(eol - buf);
    memcpy(line, buf, ll);
    line[ll] = 0;
    char version[16];
    /* "METHOD URI RTSP/1.0"; the sizes below are those of r->method, r->uri and version. */
    /* A client's answer to a request of the server's is "RTSP/1.0 CODE REASON": its method is
     * "RTSP/1.0" and its uri the code. */
    if (sscanf(line, "%31s %1023s %15s", r->method, r->uri, version) != 3 ||
        (strcmp(version, "RTSP/1.0") != 0 && strcmp(r->method, "RTSP/1.0") != 0))
        return -1;
    r->head = eol + 2 <= end ? eol + 2 : end;
    r->head_len = (size_t)(end + 2 - r->head);
    if (r->head > end)
        r->head_len = 0;
    r->cseq = header_long(r, "CSeq", -1);
    if (r->cseq < -1)
        r->cseq = -1;
    long body = header_long(r, "Content-Length", 0);
    if (body < 0 || body > TC_REQ_MAX)
        return -1;
    size_t total = (size_t)(end + 4 - buf) + (size_t)body;
    return total <= n ? (long)total : 0;
}

const char *tc_req_header(const tc_req_t *r, const char *name, size_t *len)
{
    size_t nl = strlen(name);
    const char *p = r->head, *end = r->head + r->head_len;
    while (p < end) {
        const char *eol = memchr(p, '\r', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            const char *e = eol;
            while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            *len = (size_t)(e - v);
            return v;
        }
        p = eol + 2;
    }
    return NULL;
}

const char *tc_req_path(const char *uri)
{
    if (strncasecmp(uri, "rtsp://", 7) == 0) {
        const char *slash = strchr(uri + 7, '/');
        return slash ? slash : "";
    }
    return uri;
}
