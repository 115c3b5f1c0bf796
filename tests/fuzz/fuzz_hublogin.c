/*
 * fuzz_hublogin.c: the body of the hub's POST /api/v1/login (hub/login.h hub_login_parse) on
 * arbitrary bytes. A form accepted has a person id the keys accept, a password of 1 to 256
 * bytes with no NUL, and a code of exactly six ASCII digits; a form refused is wiped and says
 * why without repeating the values.
 */
#include <stdint.h>
#include <string.h>

#include "common/keys.h"
#include "hub/login.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hub_login_form_t f;
    const char *why = hub_login_parse((const char *)data, size, &f);
    if (why) {
        if (f.person[0] || f.password[0] || f.code[0] || !*why)
            __builtin_trap();
        return 0;
    }
    size_t pl = strnlen(f.password, sizeof f.password);
    if (!mm_keys_name_ok(f.person) || pl == 0 || pl > MM_PASSWORD_MAX ||
        strnlen(f.code, sizeof f.code) != MM_TOTP_DIGITS)
        __builtin_trap();
    for (int i = 0; i < MM_TOTP_DIGITS; i++)
        if (f.code[i] < '0' || f.code[i] > '9')
            __builtin_trap();
    return 0;
}
