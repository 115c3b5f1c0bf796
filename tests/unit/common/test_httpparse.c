/*
 * test_httpparse.c: request paths, routes, percent-decoding and queries as a hostile client
 * might write them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/httpparse.h"

static void pct(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(mm_http_pct_decode("a%41b", 5, 0, out, sizeof out), 3);
    assert_string_equal(out, "aAb");
    assert_int_equal(mm_http_pct_decode("a+b", 3, 1, out, sizeof out), 3);
    assert_string_equal(out, "a b");
    assert_int_equal(mm_http_pct_decode("a+b", 3, 0, out, sizeof out), 3);
    assert_string_equal(out, "a+b");
    assert_int_equal(mm_http_pct_decode("%00", 3, 0, out, sizeof out), -1);
    assert_int_equal(mm_http_pct_decode("%4", 2, 0, out, sizeof out), -1);
    assert_int_equal(mm_http_pct_decode("%zz", 3, 0, out, sizeof out), -1);
    assert_int_equal(mm_http_pct_decode("abcd", 4, 0, out, 4), -1); /* no room for NUL */
    assert_int_equal(mm_http_pct_decode("", 0, 0, out, sizeof out), 0);
}

static void paths(void **state)
{
    (void)state;
    assert_null(mm_http_path_problem("/api/v1/sites", 13));
    assert_null(mm_http_path_problem("/a%20b", 6));
    assert_non_null(mm_http_path_problem("api", 3));
    assert_non_null(mm_http_path_problem("", 0));
    assert_non_null(mm_http_path_problem("/a/../b", 7));
    assert_non_null(mm_http_path_problem("/a/%2e%2E/b", 11));
    assert_non_null(mm_http_path_problem("/a/./b", 6));
    assert_non_null(mm_http_path_problem("/a/%00", 6));
    assert_non_null(mm_http_path_problem("/a/%", 4));
    assert_non_null(mm_http_path_problem("/a\tb", 4));
    char longp[MM_HTTP_PATH_MAX + 2];
    memset(longp, 'a', sizeof longp);
    longp[0] = '/';
    assert_non_null(mm_http_path_problem(longp, sizeof longp));
    assert_null(mm_http_path_problem("/a...b/..c", 10));
}

static void routes(void **state)
{
    (void)state;
    mm_http_params_t p;
    const char *pat = "/api/v1/sites/{site}/entries";
    assert_int_equal(mm_http_match(pat, "/api/v1/sites/site-a/entries", 28, &p), 1);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.name_lens[0], 4);
    assert_memory_equal(p.names[0], "site", 4);
    assert_string_equal(p.values[0], "site-a");
    assert_int_equal(mm_http_match(pat, "/api/v1/sites/a%2Fb/entries", 27, &p), 1);
    assert_string_equal(p.values[0], "a/b"); /* decoded; it then names no site */
    assert_int_equal(mm_http_match(pat, "/api/v1/sites//entries", 22, &p), 0);
    assert_int_equal(mm_http_match(pat, "/api/v1/sites/a/entries/", 24, &p), 0);
    assert_int_equal(mm_http_match(pat, "/api/v1/sites/a/entrie", 22, &p), 0);
    assert_int_equal(mm_http_match(pat, "/api/v1/sites/a", 15, &p), 0);
    assert_int_equal(mm_http_match("/api/v1/sites", "/api/v1/sites", 13, &p), 1);
    assert_int_equal(mm_http_match("/api/v1/sites", "/api/v1/sitesx", 14, &p), 0);
    char longseg[200] = "/api/v1/sites/";
    memset(longseg + 14, 'a', 150);
    strcpy(longseg + 164, "/entries");
    assert_int_equal(mm_http_match(pat, longseg, strlen(longseg), &p), 0);
}

static void queries(void **state)
{
    (void)state;
    char v[32];
    const char *q = "start=10&end=%32%30&flag&x=a+b";
    assert_int_equal(mm_http_query_get(q, strlen(q), "start", v, sizeof v), 1);
    assert_string_equal(v, "10");
    assert_int_equal(mm_http_query_get(q, strlen(q), "end", v, sizeof v), 1);
    assert_string_equal(v, "20");
    assert_int_equal(mm_http_query_get(q, strlen(q), "flag", v, sizeof v), 1);
    assert_string_equal(v, "");
    assert_int_equal(mm_http_query_get(q, strlen(q), "x", v, sizeof v), 1);
    assert_string_equal(v, "a b");
    assert_int_equal(mm_http_query_get(q, strlen(q), "nope", v, sizeof v), 0);
    assert_int_equal(mm_http_query_get("start=%zz", 9, "start", v, sizeof v), -1);
    assert_int_equal(mm_http_query_get("start=%00", 9, "start", v, sizeof v), -1);

    uint64_t n;
    assert_int_equal(mm_http_parse_u64("0", &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(mm_http_parse_u64("18446744073709551615", &n), 0);
    assert_int_equal(n, UINT64_MAX);
    assert_int_equal(mm_http_parse_u64("18446744073709551616", &n), -1);
    assert_int_equal(mm_http_parse_u64("-1", &n), -1);
    assert_int_equal(mm_http_parse_u64("01", &n), -1);
    assert_int_equal(mm_http_parse_u64("", &n), -1);
    assert_int_equal(mm_http_parse_u64("1 ", &n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pct),
        cmocka_unit_test(paths),
        cmocka_unit_test(routes),
        cmocka_unit_test(queries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
