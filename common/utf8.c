/*
 * utf8.c: strict UTF-8 decoding (see utf8.h).
 *
 * Table-free: each lead byte says how many continuation bytes follow and the smallest code
 * point that length may carry, which is how overlong forms are refused.
 */
#include "common/utf8.h"

#include <string.h>

size_t mm_utf8_next(const char *p, const char *end, uint32_t *cp)
{
    if (p >= end)
        return 0;
    const unsigned char *s = (const unsigned char *)p;
    size_t avail = (size_t)(end - p);
    uint32_t c = s[0];
    size_t n;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2;
        min = 0x80;
        c &= 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3;
        min = 0x800;
        c &= 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4;
        min = 0x10000;
        c &= 0x07;
    } else {
        return 0; /* a continuation byte, or 0xf8..0xff */
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

int mm_utf8_valid(const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    while (p < end) {
        uint32_t cp;
        size_t n = mm_utf8_next(p, end, &cp);
        if (n == 0)
            return 0;
        p += n;
    }
    return 1;
}

int mm_utf8_is_space(uint32_t cp)
{
    switch (cp) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f:
    case 0x3000:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200a;
    }
}

int mm_utf8_field_ok(const char *s, size_t cap, int nonempty)
{
    size_t n = strnlen(s, cap);
    return n < cap && (n > 0 || !nonempty) && mm_utf8_valid(s, n);
}
