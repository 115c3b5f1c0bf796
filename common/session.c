/*
 * session.c: sessions and their cookies (see session.h).
 */
#include "common/session.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"

struct mm_sessions {
    int64_t idle_us, absolute_us;
    mm_session_t table[MM_SESSIONS_MAX];
};

mm_sessions_t *mm_sessions_create(int64_t idle_us, int64_t absolute_us)
{
    mm_sessions_t *s = calloc(1, sizeof *s);
    if (s) {
        s->idle_us = idle_us;
        s->absolute_us = absolute_us;
    }
    return s;
}

void mm_sessions_destroy(mm_sessions_t *s)
{
    if (s)
        OPENSSL_cleanse(s, sizeof *s);
    free(s);
}

static int expired(const mm_sessions_t *s, const mm_session_t *x, int64_t now)
{
    /* A session still proving who it is gets the idle time from its start, no more. */
    int64_t idle_from = x->stage == MM_SESSION_FULL ? x->used_us : x->created_us;
    return now - idle_from >= s->idle_us || now - x->created_us >= s->absolute_us ||
           now < x->created_us;
}

mm_session_t *mm_sessions_new(mm_sessions_t *s, const char *person, mm_session_stage_t stage,
                              const char *peer, int64_t now, char id_hex[MM_SESSION_HEX])
{
    mm_session_t *slot = NULL;
    for (size_t i = 0; i < MM_SESSIONS_MAX; i++) {
        mm_session_t *x = &s->table[i];
        if (!x->live || expired(s, x, now)) {
            slot = x;
            break;
        }
        if (!slot || x->used_us < slot->used_us)
            slot = x;
    }
    uint8_t csrf[32];
    mm_session_t n = {.live = 1, .stage = stage, .created_us = now, .used_us = now};
    if (mm_random(n.id, sizeof n.id) != MM_OK || mm_random(csrf, sizeof csrf) != MM_OK)
        return NULL;
    mm_hex_encode(csrf, sizeof csrf, n.csrf, sizeof n.csrf);
    mm_hex_encode(n.id, sizeof n.id, id_hex, MM_SESSION_HEX);
    snprintf(n.person, sizeof n.person, "%s", person);
    snprintf(n.peer, sizeof n.peer, "%s", peer ? peer : "");
    *slot = n;
    OPENSSL_cleanse(&n, sizeof n);
    return slot;
}

mm_session_t *mm_sessions_find(mm_sessions_t *s, const char *id_hex, int64_t now, const char **why)
{
    uint8_t id[32];
    *why = "none";
    if (!id_hex || !mm_token_ok(id_hex, strlen(id_hex)) ||
        mm_hex_decode(id_hex, 64, id, sizeof id) != 32)
        return NULL;
    mm_session_t *found = NULL;
    for (size_t i = 0; i < MM_SESSIONS_MAX; i++) {
        mm_session_t *x = &s->table[i];
        /* every slot is compared, live or not, found or not */
        int same = CRYPTO_memcmp(x->id, id, sizeof id) == 0;
        if (same && x->live && !found)
            found = x;
    }
    if (!found)
        return NULL;
    if (expired(s, found, now)) {
        *why = "expired";
        mm_sessions_end(s, found);
        return NULL;
    }
    found->used_us = now;
    return found;
}

void mm_sessions_end(mm_sessions_t *s, mm_session_t *session)
{
    (void)s;
    OPENSSL_cleanse(session, sizeof *session);
}

int mm_sessions_end_person(mm_sessions_t *s, const char *person)
{
    int n = 0;
    for (size_t i = 0; i < MM_SESSIONS_MAX; i++)
        if (s->table[i].live && strcmp(s->table[i].person, person) == 0) {
            mm_sessions_end(s, &s->table[i]);
            n++;
        }
    return n;
}

int mm_sessions_count(mm_sessions_t *s, int64_t now)
{
    int n = 0;
    for (size_t i = 0; i < MM_SESSIONS_MAX; i++)
        n += s->table[i].live && !expired(s, &s->table[i], now);
    return n;
}

int mm_session_csrf_ok(const mm_session_t *session, const char *token)
{
    if (!token || !mm_token_ok(token, strlen(token)))
        return 0;
    return CRYPTO_memcmp(session->csrf, token, 64) == 0;
}

int mm_token_ok(const char *text, size_t len)
{
    if (len != 64)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
            return 0;
    return 1;
}

int mm_cookie_get(const char *header, size_t len, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    int found = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && (header[i] == ' ' || header[i] == '\t'))
            i++;
        size_t start = i;
        while (i < len && header[i] != ';') {
            if ((unsigned char)header[i] < 0x20 || header[i] == 0x7f)
                return -1;
            i++;
        }
        size_t end = i;
        while (end > start && (header[end - 1] == ' ' || header[end - 1] == '\t'))
            end--;
        i++; /* past ';' */
        if (end == start)
            continue;
        const char *eq = memchr(header + start, '=', end - start);
        if (!eq)
            return -1;
        size_t klen = (size_t)(eq - (header + start)), vlen = end - start - klen - 1;
        if (klen != nl || memcmp(header + start, name, nl) != 0)
            continue;
        if (found || vlen >= cap)
            return -1;
        memcpy(out, eq + 1, vlen);
        out[vlen] = 0;
        found = 1;
    }
    return found;
}
