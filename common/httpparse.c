/*
 * httpparse.c: request path, route and query parsing (see httpparse.h).
 */
#include "common/httpparse.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long mm_http_pct_decode(const char *in, size_t len, int plus_space, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            if (c == 0)
                return -1;
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        } else if (c == 0) {
            return -1;
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    if (cap == 0)
        return -1;
    out[o] = 0;
    return (long)o;
}

const char *mm_http_path_problem(const char *path, size_t len)
{
    if (len == 0 || path[0] != '/')
        return "the path must start with /";
    if (len > MM_HTTP_PATH_MAX)
        return "the path is longer than 2048 bytes";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c < 0x20 || c == 0x7f)
            return "the path contains a control character";
        if (c == '%' && (i + 2 >= len || hexval(path[i + 1]) < 0 || hexval(path[i + 2]) < 0))
            return "the path contains a bad percent-escape";
        if (c == '%' && hexval(path[i + 1]) == 0 && hexval(path[i + 2]) == 0)
            return "the path contains an encoded NUL";
    }
    /* No "." or ".." segments, encoded or not. */
    size_t s = 1;
    while (s <= len) {
        size_t e = s;
        while (e < len && path[e] != '/')
            e++;
        char seg[8];
        if (e - s <= 6 && mm_http_pct_decode(path + s, e - s, 0, seg, sizeof seg) >= 0 &&
            (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0))
            return "the path contains a . or .. segment";
        s = e + 1;
    }
    return NULL;
}

int mm_http_match(const char *pattern, const char *path, size_t len, mm_http_params_t *params)
{
    params->n = 0;
    const char *p = pattern;
    size_t i = 0;
    if (*p != '/' || len == 0 || path[0] != '/')
        return 0;
    while (*p) {
        /* Both at a '/'. */
        if (*p != '/' || i >= len || path[i] != '/')
            return 0;
        p++;
        i++;
        const char *pe = strchr(p, '/');
        size_t plen = pe ? (size_t)(pe - p) : strlen(p);
        size_t e = i;
        while (e < len && path[e] != '/')
            e++;
        if (plen >= 2 && p[0] == '{' && p[plen - 1] == '}') {
            if (e == i || params->n >= MM_HTTP_MAX_PARAMS)
                return 0;
            char *v = params->values[params->n];
            if (mm_http_pct_decode(path + i, e - i, 0, v, MM_HTTP_PARAM_MAX + 1) <= 0)
                return 0;
            params->names[params->n] = p + 1;
            params->name_lens[params->n] = plen - 2;
            params->n++;
        } else if (plen != e - i || memcmp(p, path + i, plen) != 0) {
            return 0;
        }
        p += plen;
        i = e;
    }
    return i == len;
}

int mm_http_query_get(const char *query, size_t len, const char *name, char *out, size_t cap)
{
    if (len > MM_HTTP_QUERY_MAX)
        return -1;
    size_t nlen = strlen(name);
    size_t s = 0;
    while (s < len) {
        size_t e = s;
        while (e < len && query[e] != '&')
            e++;
        const char *eq = memchr(query + s, '=', e - s);
        size_t klen = eq ? (size_t)(eq - (query + s)) : e - s;
        char key[64];
        long kd = mm_http_pct_decode(query + s, klen, 1, key, sizeof key);
        if (kd >= 0 && (size_t)kd == nlen && memcmp(key, name, nlen) == 0) {
            const char *v = eq ? eq + 1 : query + e;
            size_t vlen = eq ? (size_t)(query + e - v) : 0;
            return mm_http_pct_decode(v, vlen, 1, out, cap) < 0 ? -1 : 1;
        }
        s = e + 1;
    }
    return 0;
}

int mm_http_parse_u64(const char *s, uint64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
