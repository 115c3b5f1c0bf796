/*
 * fuzz_console_cookie.c: the headers that carry a session of the site console or the hub's
 * dashboard — the Cookie header (mm_cookie_get) and the session id and CSRF token in it and in
 * X-CSRF-Token (mm_token_ok), on arbitrary bytes (common/session.h). A cookie found fits its buffer
 * and holds no control character; a token accepted is exactly 64 lower-case hex digits; a session
 * table looked up with the bytes finds nothing it did not make.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/session.h"
#include "edge/console.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[MM_SESSION_HEX + 1];
    /* The hub's cookie goes through the same parser (hub/login.h); both names are looked up. */
    char hub[MM_SESSION_HEX + 1];
    int hub_got = mm_cookie_get((const char *)data, size, "__Host-mm_hub", hub, sizeof hub);
    if (hub_got == 1 && strnlen(hub, sizeof hub) >= sizeof hub)
        __builtin_trap();
    int got = mm_cookie_get((const char *)data, size, EDGE_SESSION_COOKIE, out, sizeof out);
    if (got == 1) {
        size_t n = strnlen(out, sizeof out);
        if (n >= sizeof out)
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)out[i] < 0x20 || out[i] == ';')
                __builtin_trap();
    } else if (got != 0 && got != -1) {
        __builtin_trap();
    }
    if (mm_token_ok((const char *)data, size)) {
        if (size != 64)
            __builtin_trap();
        for (size_t i = 0; i < size; i++)
            if (!strchr("0123456789abcdef", data[i]) || !data[i])
                __builtin_trap();
    }
    static mm_sessions_t *s;
    static mm_session_t *mine;
    char id[MM_SESSION_HEX];
    if (!s) {
        s = mm_sessions_create(60000000, 3600000000LL);
        mine = mm_sessions_new(s, "kanri", MM_SESSION_FULL, "127.0.0.1", 1, id);
    }
    const char *why;
    char text[MM_SESSION_HEX + 1];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = 0;
    mm_session_t *found = mm_sessions_find(s, got == 1 ? out : text, 2, &why);
    if (found && found != mine)
        __builtin_trap();
    if (mine && mm_session_csrf_ok(mine, text) && strcmp(text, mine->csrf) != 0)
        __builtin_trap();
    return 0;
}
