/*
 * redact.c: URLs made safe to show (see redact.h).
 */
#include "common/redact.h"

#include <string.h>

/* Where the URL token that starts at s ends: white space, a quote, '<', '>' or the end. */
static size_t token_len(const char *s)
{
    size_t n = 0;
    while (s[n] && !strchr(" \t\r\n\"'<>", s[n]))
        n++;
    return n;
}

typedef struct {
    char *out;
    size_t cap, len;
} sink_t;

static void put(sink_t *k, const char *s, size_t n)
{
    size_t room = k->cap - 1 - k->len;
    if (n > room)
        n = room;
    memcpy(k->out + k->len, s, n);
    k->len += n;
}

/* Writes the part of a URL after "://" (n bytes at s) with its password and query hidden. */
static void put_rest(sink_t *k, const char *s, size_t n)
{
    size_t q = 0;
    while (q < n && s[q] != '?' && s[q] != '#')
        q++;
    size_t at = q;
    while (at > 0 && s[at - 1] != '@')
        at--;
    if (at > 0) { /* s[0 .. at-1) is the user information */
        const char *colon = memchr(s, ':', at - 1);
        if (colon && colon > s) {
            put(k, s, (size_t)(colon - s) + 1);
            put(k, "***@", 4);
        } else {
            put(k, "***@", 4);
        }
    }
    put(k, s + at, q - at);
    if (q < n && s[q] == '?') {
        put(k, "?***", 4);
        size_t h = q;
        while (h < n && s[h] != '#')
            h++;
        put(k, s + h, n - h);
    } else {
        put(k, s + q, n - q);
    }
}

const char *mm_redact(const char *text, char *out, size_t cap)
{
    sink_t k = {out, cap, 0};
    if (!text)
        text = "";
    const char *p = text;
    for (;;) {
        const char *sep = strstr(p, "://");
        if (!sep) {
            put(&k, p, strlen(p));
            break;
        }
        put(&k, p, (size_t)(sep - p) + 3);
        const char *rest = sep + 3;
        size_t n = token_len(rest);
        put_rest(&k, rest, n);
        p = rest + n;
    }
    out[k.len] = '\0';
    return out;
}
