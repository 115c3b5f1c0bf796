/*
 * rtsp_parse.c: the incremental parser of what an RTSP server sends over TCP — responses, its
 * own requests, and interleaved `$` frames (see rtsp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "edge/rtsp.h"

static long fail(mm_err_t err, char *why, size_t cap, const char *msg)
{
    if (why && cap)
        snprintf(why, cap, "%s", msg);
    return err;
}

/* The end of the head ("\r\n\r\n" or "\n\n") in buf, or NULL. */
static const uint8_t *head_end(const uint8_t *buf, size_t len, size_t *skip)
{
    for (const uint8_t *p = buf; (p = memchr(p, '\n', (size_t)(buf + len - p))) != NULL; p++) {
        if (p + 1 < buf + len && p[1] == '\n') {
            *skip = 2;
            return p;
        }
        if (p + 2 < buf + len && p[1] == '\r' && p[2] == '\n') {
            *skip = 3;
            return p;
        }
    }
    return NULL;
}

static int is_token(uint8_t c)
{
    return c > 32 && c < 127 && c != ':';
}

/* Parses the first line (status or request line) of head [p, e). */
static long first_line(const char *p, const char *e, edge_rtsp_msg_t *m, char *why, size_t cap)
{
    if (e - p >= 12 && memcmp(p, "RTSP/", 5) == 0) {
        const char *sp = memchr(p, ' ', (size_t)(e - p));
        if (!sp || e - sp < 4 || sp[1] < '1' || sp[1] > '9' || sp[2] < '0' || sp[2] > '9' ||
            sp[3] < '0' || sp[3] > '9' || (e - sp > 4 && sp[4] != ' '))
            return fail(MM_EPROTO, why, cap, "an RTSP response without a status code");
        m->kind = EDGE_RTSP_RESPONSE;
        m->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
        return 0;
    }
    /* A request: METHOD SP URI SP RTSP/1.0 */
    const char *q = p;
    while (q < e && is_token((uint8_t)*q))
        q++;
    if (q == p || q == e || *q != ' ' || e - p < 11 || memcmp(e - 9, " RTSP/", 6) != 0)
        return fail(MM_EPROTO, why, cap, "neither an RTSP response, request nor `$` frame");
    m->kind = EDGE_RTSP_REQUEST;
    m->method = p;
    m->method_len = (size_t)(q - p);
    return 0;
}

/* Parses a header line [p, e) into m (beyond the limit: skipped). */
static long header_line(const char *p, const char *e, edge_rtsp_msg_t *m, char *why, size_t cap)
{
    const char *colon = memchr(p, ':', (size_t)(e - p));
    if (!colon || colon == p)
        return fail(MM_EPROTO, why, cap, "a header line without a name and colon");
    for (const char *q = p; q < colon; q++)
        if (!is_token((uint8_t)*q))
            return fail(MM_EPROTO, why, cap, "a header name with a space or control character");
    const char *v = colon + 1;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    const char *ve = e;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
    if (m->n_headers < EDGE_RTSP_MAX_HEADERS) {
        edge_rtsp_header_t *h = &m->headers[m->n_headers++];
        h->name = p;
        h->name_len = (size_t)(colon - p);
        h->value = v;
        h->value_len = (size_t)(ve - v);
    }
    return 0;
}

/* Content-Length of m: 0 if none; -1 if not a number. */
static long content_length(const edge_rtsp_msg_t *m)
{
    size_t n;
    const char *v = edge_rtsp_header(m, "Content-Length", &n);
    if (!v)
        return 0;
    if (n == 0 || n > 9)
        return -1;
    long len = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        len = len * 10 + (v[i] - '0');
    }
    return len;
}

static long parse_message(const uint8_t *buf, size_t len, edge_rtsp_msg_t *m, char *why, size_t cap)
{
    size_t skip = 0;
    const uint8_t *he = head_end(buf, len, &skip);
    if (!he)
        return len > EDGE_RTSP_HEAD_MAX ? fail(MM_ETOOBIG, why, cap, "a response head beyond 8 KiB")
                                        : 0;
    size_t head = (size_t)(he - buf) + skip;
    if (head > EDGE_RTSP_HEAD_MAX)
        return fail(MM_ETOOBIG, why, cap, "a response head beyond 8 KiB");
    const char *p = (const char *)buf, *end = (const char *)he + 1;
    int first = 1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
        if (e > p) {
            for (const char *q = p; q < e; q++)
                if ((uint8_t)*q < 32 && *q != '\t')
                    return fail(MM_EPROTO, why, cap, "a control character in a response head");
            long rc = first ? first_line(p, e, m, why, cap) : header_line(p, e, m, why, cap);
            if (rc < 0)
                return rc;
            first = 0;
        } else if (first) {
            return fail(MM_EPROTO, why, cap, "an empty first line");
        }
        p = nl + 1;
    }
    long body = content_length(m);
    if (body < 0)
        return fail(MM_EPROTO, why, cap, "a Content-Length that is not a number");
    if (body > EDGE_RTSP_BODY_MAX)
        return fail(MM_ETOOBIG, why, cap, "a response body beyond 32 KiB");
    if (len - head < (size_t)body)
        return 0;
    m->data = buf + head;
    m->len = (size_t)body;
    return (long)(head + (size_t)body);
}

long edge_rtsp_parse(const uint8_t *buf, size_t len, edge_rtsp_msg_t *m, char *why, size_t cap)
{
    memset(m, 0, sizeof *m);
    if (len == 0)
        return 0;
    if (buf[0] == '$') {
        if (len < 4)
            return 0;
        size_t n = ((size_t)buf[2] << 8) | buf[3];
        if (len < 4 + n)
            return 0;
        m->kind = EDGE_RTSP_FRAME;
        m->channel = buf[1];
        m->data = buf + 4;
        m->len = n;
        return (long)(4 + n);
    }
    /* Wait for a whole first word before judging it. */
    size_t i = 0;
    while (i < len && i < 32 && buf[i] != ' ' && buf[i] != '\n')
        i++;
    if (i == len && i < 32)
        return 0;
    long rc = parse_message(buf, len, m, why, cap);
    if (rc <= 0)
        memset(m, 0, sizeof *m);
    return rc;
}

const char *edge_rtsp_header(const edge_rtsp_msg_t *m, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < m->n_headers; i++)
        if (m->headers[i].name_len == n && strncasecmp(m->headers[i].name, name, n) == 0) {
            if (len)
                *len = m->headers[i].value_len;
            return m->headers[i].value;
        }
    return NULL;
}
