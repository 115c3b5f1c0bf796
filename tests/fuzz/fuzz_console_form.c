/*
 * fuzz_console_form.c: edge_form_parse on arbitrary bytes — the login body (person, password)
 * and a code form, as the site console's routes read them (console_form.h). What parses has
 * every value NUL-terminated inside its field, UTF-8 and free of control characters, and the
 * required ones present; what does not says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "edge/console_form.h"

static void check(const edge_form_field_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strnlen(f[i].out, f[i].cap);
        if (len >= f[i].cap || !mm_utf8_valid(f[i].out, len))
            __builtin_trap();
        for (size_t k = 0; k < len; k++)
            if ((unsigned char)f[i].out[k] < 0x20)
                __builtin_trap();
        if (f[i].required && !len)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char person[64], password[257], code[16], msg[256];
    edge_form_field_t login[] = {{"person", person, sizeof person, 1, 0},
                                 {"password", password, sizeof password, 1, 0}};
    edge_form_field_t one[] = {{"code", code, sizeof code, 1, 0}};
    msg[0] = 0;
    if (edge_form_parse((const char *)data, size, login, 2, msg, sizeof msg) == MM_OK)
        check(login, 2);
    else if (!msg[0])
        __builtin_trap();
    msg[0] = 0;
    if (edge_form_parse((const char *)data, size, one, 1, msg, sizeof msg) == MM_OK)
        check(one, 1);
    else if (!msg[0])
        __builtin_trap();
    return 0;
}
