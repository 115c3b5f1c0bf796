/*
 * test_auth.c: what common/auth.h, common/session.h and common/qr.h add for the hub's dashboard
 * besides the site console's pieces (tested in tests/unit/edge/test_console_auth.c): base32
 * decoding is base32 encoding's inverse (RFC 4648's test vectors, lower case, padding, refusals);
 * an encoded Argon2id hash is told from other text; the TOTP of a decoded secret is RFC 6238's;
 * the terminal QR draws a square; the hub's cookie is found beside the console's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/auth.h"
#include "common/qr.h"
#include "common/session.h"

static void base32_round_trips(void **state)
{
    (void)state;
    static const char *const vec[][2] = {{"f", "MY"},           {"fo", "MZXQ"},
                                         {"foo", "MZXW6"},      {"foob", "MZXW6YQ"},
                                         {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"}};
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        char enc[32];
        uint8_t dec[16];
        assert_int_equal(mm_base32((const uint8_t *)vec[i][0], strlen(vec[i][0]), enc, sizeof enc),
                         0);
        assert_string_equal(enc, vec[i][1]);
        int n = mm_base32_decode(vec[i][1], dec, sizeof dec);
        assert_int_equal(n, (int)strlen(vec[i][0]));
        assert_memory_equal(dec, vec[i][0], (size_t)n);
    }
    uint8_t out[16];
    assert_int_equal(mm_base32_decode("mzxw6ytboi", out, sizeof out), 6); /* lower case */
    assert_int_equal(mm_base32_decode("MZXW6YQ=", out, sizeof out), 4);   /* padding */
    assert_int_equal(mm_base32_decode("MZXW1", out, sizeof out), -1);     /* not base32 */
    assert_int_equal(mm_base32_decode("MZ=XW", out, sizeof out), -1);     /* padding inside */
    assert_int_equal(mm_base32_decode("MZXW6YTBOI", out, 3), -1);         /* does not fit */
}

static void totp_of_a_decoded_secret(void **state)
{
    (void)state;
    /* RFC 6238 appendix B's SHA-1 secret "12345678901234567890", as an app is given it. */
    char b32[MM_TOTP_B32_LEN];
    uint8_t secret[64];
    assert_int_equal(mm_base32((const uint8_t *)"12345678901234567890", 20, b32, sizeof b32), 0);
    assert_int_equal(mm_base32_decode(b32, secret, sizeof secret), 20);
    assert_int_equal(mm_totp_code(secret, 20, 59 / 30), 287082);
    assert_int_equal(mm_totp_code(secret, 20, 1111111109 / 30), 81804);
}

static void argon2id_hashes_told_apart(void **state)
{
    (void)state;
    char hash[MM_HASH_MAX];
    assert_int_equal(mm_password_hash("a good long password", hash), MM_OK);
    assert_true(mm_password_hash_ok(hash));
    assert_true(mm_password_verify(hash, "a good long password"));
    assert_false(mm_password_verify(hash, "a good long passworD"));
    assert_false(mm_password_hash_ok("$argon2i$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA"));
    assert_false(mm_password_hash_ok("$argon2id$v=19$m=65536,t=3,p=1$c2FsdA"));
    assert_false(mm_password_hash_ok("$argon2id$v=19$m=65536 t=3,p=1$c2FsdA$aGFzaA"));
    assert_false(mm_password_hash_ok("plain text"));
    assert_true(mm_password_hash_ok("$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA"));
}

static void terminal_qr_is_square(void **state)
{
    (void)state;
    char *qr = mm_qr_text("otpauth://totp/mimamori%20hub:kanri?secret=ABC");
    assert_non_null(qr);
    size_t lines = 0, first = 0;
    for (char *p = qr; *p; p++)
        if (*p == '\n') {
            if (!lines)
                first = (size_t)(p - qr);
            lines++;
        }
    assert_true(lines >= 12);
    assert_true(first > 2 * lines); /* two module rows a line: about twice as wide as tall */
    free(qr);
}

static void hub_cookie_beside_the_consoles(void **state)
{
    (void)state;
    const char *h = "__Host-mm_console=aa; __Host-mm_hub=bb";
    char out[8];
    assert_int_equal(mm_cookie_get(h, strlen(h), "__Host-mm_hub", out, sizeof out), 1);
    assert_string_equal(out, "bb");
    const char *twice = "__Host-mm_hub=a; __Host-mm_hub=b";
    assert_int_equal(mm_cookie_get(twice, strlen(twice), "__Host-mm_hub", out, sizeof out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base32_round_trips),
        cmocka_unit_test(totp_of_a_decoded_secret),
        cmocka_unit_test(argon2id_hashes_told_apart),
        cmocka_unit_test(terminal_qr_is_square),
        cmocka_unit_test(hub_cookie_beside_the_consoles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
