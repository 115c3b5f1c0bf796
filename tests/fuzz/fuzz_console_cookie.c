/*
 * fuzz_console_cookie.c: the headers that carry a site console session — the Cookie header
 * (edge_cookie_get) and the session id and CSRF token in it and in X-CSRF-Token
 * (edge_token_ok), on arbitrary bytes (console_session.h). A cookie found fits its buffer and
 * holds no control character; a token accepted is exactly 64 lower-case hex digits; a session
 * table looked up with the bytes finds nothing it did not make.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edge/console_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[EDGE_SESSION_HEX + 1];
    int got = edge_cookie_get((const char *)data, size, EDGE_SESSION_COOKIE, out, sizeof out);
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
    if (edge_token_ok((const char *)data, size)) {
        if (size != 64)
            __builtin_trap();
        for (size_t i = 0; i < size; i++)
            if (!strchr("0123456789abcdef", data[i]) || !data[i])
                __builtin_trap();
    }
    static edge_sessions_t *s;
    static edge_session_t *mine;
    char id[EDGE_SESSION_HEX];
    if (!s) {
        s = edge_sessions_create(60000000, 3600000000LL);
        mine = edge_sessions_new(s, "kanri", EDGE_SESSION_FULL, "127.0.0.1", 1, id);
    }
    const char *why;
    char text[EDGE_SESSION_HEX + 1];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = 0;
    edge_session_t *found = edge_sessions_find(s, got == 1 ? out : text, 2, &why);
    if (found && found != mine)
        __builtin_trap();
    if (mine && edge_session_csrf_ok(mine, text) && strcmp(text, mine->csrf) != 0)
        __builtin_trap();
    return 0;
}
