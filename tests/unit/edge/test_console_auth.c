/*
 * test_console_auth.c: the site console's proofs of who one is (console_auth.h) and its sessions
 * (common/session.h) — TOTP codes against RFC 6238's SHA-1 vectors, the one-step window and no
 * code twice; base32 (RFC 4648); Argon2id hashes; what makes a password; cookies and tokens read
 * strictly; sessions that end when idle or old; and who may set whose password
 * (edge_access_decide_passwd, R-N6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "edge/access.h"
#include "edge/console_auth.h"
#include "common/session.h"

static const uint8_t rfc_key[] = "12345678901234567890";

static void totp_matches_rfc6238(void **state)
{
    (void)state;
    static const struct {
        uint64_t t;
        uint32_t code; /* the last six of RFC 6238's eight digits */
    } v[] = {{59, 287082},       {1111111109, 81804},  {1111111111, 50471},
             {1234567890, 5924}, {2000000000, 279037}, {20000000000ULL, 353130}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(mm_totp_code(rfc_key, 20, v[i].t / 30), v[i].code);
}

static void totp_window_and_replay(void **state)
{
    (void)state;
    int64_t now = 1111111111LL * 1000000, step = 1111111111 / 30;
    char code[8];
    snprintf(code, sizeof code, "%06u", mm_totp_code(rfc_key, 20, (uint64_t)step - 1));
    assert_int_equal(mm_totp_check(rfc_key, 20, code, now, 0), step - 1);  /* one step back */
    assert_int_equal(mm_totp_check(rfc_key, 20, code, now, step - 1), -1); /* used */
    snprintf(code, sizeof code, "%06u", mm_totp_code(rfc_key, 20, (uint64_t)step + 2));
    assert_int_equal(mm_totp_check(rfc_key, 20, code, now, 0), -1); /* too far ahead */
    assert_int_equal(mm_totp_check(rfc_key, 20, "12345", now, 0), -1);
    assert_int_equal(mm_totp_check(rfc_key, 20, "1234567", now, 0), -1);
    assert_int_equal(mm_totp_check(rfc_key, 20, "12a456", now, 0), -1);
}

static void base32_and_uri(void **state)
{
    (void)state;
    char out[64], uri[MM_OTPAUTH_MAX];
    assert_int_equal(mm_base32((const uint8_t *)"foobar", 6, out, sizeof out), 0);
    assert_string_equal(out, "MZXW6YTBOI");
    assert_int_equal(mm_base32(rfc_key, 20, out, sizeof out), 0);
    assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_int_equal(mm_base32(rfc_key, 20, out, 32), -1); /* no room for the NUL */
    assert_int_equal(mm_otpauth_uri("chuo", "kanri", rfc_key, uri, sizeof uri), 0);
    assert_string_equal(uri, "otpauth://totp/mimamori%20chuo:kanri?secret="
                             "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=mimamori%20chuo&"
                             "algorithm=SHA1&digits=6&period=30");
}

static void passwords(void **state)
{
    (void)state;
    assert_null(mm_password_problem("kanri-no-himitsu"));
    assert_null(mm_password_problem("見守りのパスワード十文字")); /* characters, not bytes */
    assert_non_null(mm_password_problem("short"));
    assert_non_null(mm_password_problem("ten chars\x01!"));
    assert_non_null(mm_password_problem("\xff\xfe not utf-8 at all"));
    char hash[MM_HASH_MAX], again[MM_HASH_MAX];
    assert_int_equal(mm_password_hash("kanri-no-himitsu", hash), MM_OK);
    assert_int_equal(strncmp(hash, "$argon2id$v=19$m=65536,t=3,p=1$", 31), 0);
    assert_true(mm_password_verify(hash, "kanri-no-himitsu"));
    assert_false(mm_password_verify(hash, "kanri-no-himitsv"));
    assert_false(mm_password_verify("$argon2i$nonsense", "kanri-no-himitsu"));
    assert_int_equal(mm_password_hash("kanri-no-himitsu", again), MM_OK);
    assert_string_not_equal(hash, again); /* a salt of its own */
}

static void cookies_and_tokens(void **state)
{
    (void)state;
    char v[80];
    const char *h = "a=1; __Host-mm_console=abc ;b=2";
    assert_int_equal(mm_cookie_get(h, strlen(h), "__Host-mm_console", v, sizeof v), 1);
    assert_string_equal(v, "abc");
    assert_int_equal(mm_cookie_get(h, strlen(h), "c", v, sizeof v), 0);
    h = "x=1; x=2";
    assert_int_equal(mm_cookie_get(h, strlen(h), "x", v, sizeof v), -1);
    h = "x=1; junk";
    assert_int_equal(mm_cookie_get(h, strlen(h), "x", v, sizeof v), -1);
    h = "x=\x01";
    assert_int_equal(mm_cookie_get(h, strlen(h), "x", v, sizeof v), -1);
    assert_int_equal(mm_cookie_get("x=12345", 7, "x", v, 4), -1); /* does not fit */
    char tok[65];
    memset(tok, 'a', 64);
    tok[64] = 0;
    assert_true(mm_token_ok(tok, 64));
    tok[3] = 'A';
    assert_false(mm_token_ok(tok, 64));
    assert_false(mm_token_ok(tok, 63));
}

static void sessions_expire(void **state)
{
    (void)state;
    mm_sessions_t *s = mm_sessions_create(100, 1000);
    char id[MM_SESSION_HEX], other[MM_SESSION_HEX];
    const char *why;
    mm_session_t *x = mm_sessions_new(s, "kanri", MM_SESSION_FULL, "127.0.0.1", 10, id);
    assert_non_null(x);
    assert_ptr_equal(mm_sessions_find(s, id, 90, &why), x);
    assert_ptr_equal(mm_sessions_find(s, id, 180, &why), x); /* used at 90: not idle */
    assert_true(mm_session_csrf_ok(x, x->csrf));
    assert_false(mm_session_csrf_ok(x, id));
    assert_null(mm_sessions_find(s, id, 281, &why)); /* idle 101 */
    assert_string_equal(why, "expired");
    assert_null(mm_sessions_find(s, id, 282, &why)); /* gone */
    assert_string_equal(why, "none");
    x = mm_sessions_new(s, "kanri", MM_SESSION_FULL, "", 0, id);
    for (int64_t t = 50; t < 1000; t += 50)
        assert_non_null(mm_sessions_find(s, id, t, &why));
    assert_null(mm_sessions_find(s, id, 1000, &why)); /* absolute */
    x = mm_sessions_new(s, "sousa", MM_SESSION_TOTP, "", 0, id);
    assert_non_null(mm_sessions_find(s, id, 50, &why));
    assert_null(mm_sessions_find(s, id, 100, &why)); /* a half login: idle from its start */
    mm_sessions_new(s, "sousa", MM_SESSION_FULL, "", 0, id);
    mm_sessions_new(s, "sousa", MM_SESSION_FULL, "", 0, other);
    assert_int_equal(mm_sessions_end_person(s, "sousa"), 2);
    assert_null(mm_sessions_find(s, other, 1, &why));
    mm_sessions_destroy(s);
}

static void who_sets_whose_password(void **state)
{
    (void)state;
    static edge_governance_t g;
    g.n_people = 3;
    g.manager = 0;
    snprintf(g.people[0].id, MM_ID_MAX, "kanri");
    snprintf(g.people[1].id, MM_ID_MAX, "sousa");
    snprintf(g.people[2].id, MM_ID_MAX, "tanin");
    g.is_operator[1] = 1;
    static edge_access_t a;
    edge_decision_t d;
    edge_caller_t mgr = {.person = 0}, op = {.person = 1}, other = {.person = 2},
                  nobody = {.person = -1};
    edge_access_decide_passwd(&a, &g, &mgr, 1, 0, 0, &d);
    assert_true(d.allowed);
    edge_access_decide_passwd(&a, &g, &mgr, 1, 1, 0, &d); /* the manager unlocks */
    assert_true(d.allowed);
    edge_access_decide_passwd(&a, &g, &op, 1, 0, 0, &d); /* one's own */
    assert_true(d.allowed);
    assert_int_equal(d.role, MM_ROLE_OPERATOR);
    edge_access_decide_passwd(&a, &g, &op, 0, 0, 0, &d); /* not the manager's */
    assert_false(d.allowed);
    edge_access_decide_passwd(&a, &g, &op, 1, 1, 0, &d); /* never one's own unlock */
    assert_false(d.allowed);
    edge_access_decide_passwd(&a, &g, &other, 2, 0, 0, &d); /* no role, still one's own */
    assert_true(d.allowed);
    edge_access_decide_passwd(&a, &g, &nobody, -1, 0, 0, &d);
    assert_false(d.allowed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(totp_matches_rfc6238),    cmocka_unit_test(totp_window_and_replay),
        cmocka_unit_test(base32_and_uri),          cmocka_unit_test(passwords),
        cmocka_unit_test(cookies_and_tokens),      cmocka_unit_test(sessions_expire),
        cmocka_unit_test(who_sets_whose_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
