/*
 * test_www.c: the dashboard's files as compiled into the hub (hub/www, www_embed.cmake): each is
 * byte for byte the file in the source tree, with a content type and a quoted ETag of its hash;
 * a name is found only as it is spelled in the table, so no spelling of a path reaches another
 * file; the pages hold no inline script, event handler or style attribute (the hub's
 * Content-Security-Policy would refuse them), every file they name is embedded, and the scripts
 * never turn text into markup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hub/www.h"

#define WWW_DIR MM_WWW_DIR

/* The file's bytes as a NUL-terminated string (the table's arrays end in a NUL too). */
static const char *text(const hub_www_file_t *f)
{
    return (const char *)f->data;
}

/* Does the text of f hold needle (case-insensitive)? */
static int holds(const hub_www_file_t *f, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= f->len; i++)
        if (strncasecmp(text(f) + i, needle, n) == 0)
            return 1;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void test_each_file_is_the_source_file_with_type_and_etag(void **state)
{
    (void)state;
    assert_true(hub_www_n_files >= 6);
    for (size_t i = 0; i < hub_www_n_files; i++) {
        const hub_www_file_t *f = &hub_www_files[i];
        char path[512];
        snprintf(path, sizeof path, "%s/%s", WWW_DIR, f->name);
        FILE *in = fopen(path, "rb");
        assert_non_null(in);
        char *buf = malloc(f->len + 1);
        assert_non_null(buf);
        size_t got = fread(buf, 1, f->len + 1, in);
        fclose(in);
        int same = got == f->len && memcmp(buf, f->data, f->len) == 0;
        free(buf);
        if (!same)
            fail_msg("%s: the hub has %zu bytes, the source tree %zu or other bytes (rebuild)",
                     f->name, f->len, got);
        assert_int_equal(f->data[f->len], 0);
        assert_int_equal(strlen(f->etag), 34);
        assert_true(f->etag[0] == '"' && f->etag[33] == '"');
        const char *want = ends_with(f->name, ".html")  ? "text/html; charset=utf-8"
                           : ends_with(f->name, ".js")  ? "text/javascript; charset=utf-8"
                           : ends_with(f->name, ".css") ? "text/css; charset=utf-8"
                           : ends_with(f->name, ".svg") ? "image/svg+xml"
                                                        : NULL;
        assert_non_null(want);
        assert_string_equal(f->content_type, want);
        for (size_t j = 0; j < i; j++)
            assert_true(strcmp(hub_www_files[j].name, f->name) < 0); /* sorted, unique */
    }
}

static void test_find_takes_only_the_exact_name(void **state)
{
    (void)state;
    assert_non_null(hub_www_find("index.html"));
    assert_non_null(hub_www_find("registry.html"));
    assert_non_null(hub_www_find("static/dashboard.js"));
    assert_string_equal(hub_www_find("static/style.css")->content_type, "text/css; charset=utf-8");
    static const char *const no[] = {"",
                                     "/",
                                     "/index.html",
                                     "INDEX.HTML",
                                     "index.html ",
                                     "./index.html",
                                     "static/../index.html",
                                     "static/./dashboard.js",
                                     "static//dashboard.js",
                                     "static/",
                                     "static",
                                     "../hub/www/index.html",
                                     "static/dashboard.js/",
                                     "static/%64ashboard.js",
                                     "/etc/passwd",
                                     NULL};
    for (int i = 0; no[i]; i++)
        assert_null(hub_www_find(no[i]));
}

static void test_pages_hold_no_inline_script_or_style(void **state)
{
    (void)state;
    for (size_t i = 0; i < hub_www_n_files; i++) {
        const hub_www_file_t *f = &hub_www_files[i];
        if (!ends_with(f->name, ".html"))
            continue;
        /* Every <script> names its file, and nothing runs from an attribute. */
        const char *p = text(f);
        while ((p = strstr(p, "<script")) != NULL) {
            const char *end = strchr(p, '>');
            assert_non_null(end);
            assert_non_null(memmem(p, (size_t)(end - p), " src=\"/static/", 14));
            assert_non_null(strstr(end, "</script>"));
            assert_true(strncmp(end + 1, "</script>", 9) == 0); /* an empty body */
            p = end;
        }
        assert_false(holds(f, "<style"));
        assert_false(holds(f, " style="));
        assert_false(holds(f, "javascript:"));
        static const char *const handlers[] = {
            " onclick=", " onload=", " onerror=", " onsubmit=", " onchange=", " oninput=", NULL};
        for (int k = 0; handlers[k]; k++)
            assert_false(holds(f, handlers[k]));
        /* Every file the page names is one the hub serves. */
        p = text(f);
        while ((p = strstr(p, "\"/static/")) != NULL) {
            p += 1;
            const char *q = strchr(p, '"');
            assert_non_null(q);
            char name[128];
            assert_true((size_t)(q - p) < sizeof name);
            snprintf(name, sizeof name, "%.*s", (int)(q - p - 1), p + 1);
            if (!hub_www_find(name))
                fail_msg("%s names %s, which is not embedded", f->name, name);
            p = q;
        }
    }
}

static void test_scripts_never_parse_text_as_markup(void **state)
{
    (void)state;
    for (size_t i = 0; i < hub_www_n_files; i++) {
        const hub_www_file_t *f = &hub_www_files[i];
        if (!ends_with(f->name, ".js"))
            continue;
        assert_false(holds(f, "innerHTML"));
        assert_false(holds(f, "outerHTML"));
        assert_false(holds(f, "insertAdjacentHTML"));
        assert_false(holds(f, "document.write"));
        assert_false(holds(f, "eval("));
        assert_false(holds(f, "new Function"));
        assert_true(holds(f, "'use strict';"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_file_is_the_source_file_with_type_and_etag),
        cmocka_unit_test(test_find_takes_only_the_exact_name),
        cmocka_unit_test(test_pages_hold_no_inline_script_or_style),
        cmocka_unit_test(test_scripts_never_parse_text_as_markup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
