/*
 * test_manifest.c: a hub backup's manifest (hub/manifest.h) — what the backup writes parses back
 * to the same; at restore, where it is outside bytes, every malformed or unsafe manifest (a path
 * out of the state directory, a file or log named twice, no database, a hash that is not one,
 * unknown keys) is refused with a reason naming the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hub/manifest.h"

static const uint8_t H1[32] = {1, 2, 3}, H2[32] = {0xff, 0xee};

static void round_trip(void **state)
{
    (void)state;
    hub_manifest_t m, back;
    hub_manifest_init(&m);
    snprintf(m.hub, sizeof m.hub, "hub");
    snprintf(m.time, sizeof m.time, "2026-12-07T01:00:00Z");
    m.time_us = 1796605200000000;
    assert_int_equal(hub_manifest_add_file(&m, "data.mdb", 135168, H1), MM_OK);
    assert_int_equal(hub_manifest_add_file(&m, "exports/site-a/disclosure-1.age", 7, H2), MM_OK);
    assert_int_equal(hub_manifest_add_log(&m, "hub", 0, 4, H1), MM_OK);
    assert_int_equal(hub_manifest_add_log(&m, "site-a", 1, 123456789, H2), MM_OK);
    char *text;
    assert_int_equal(hub_manifest_format(&m, &text), MM_OK);
    char why[256];
    assert_int_equal(hub_manifest_parse(text, strlen(text), &back, why, sizeof why), MM_OK);
    assert_string_equal(back.hub, "hub");
    assert_string_equal(back.time, m.time);
    assert_true(back.time_us == m.time_us);
    assert_int_equal(back.n_files, 2);
    const hub_manifest_file_t *f = hub_manifest_file(&back, "exports/site-a/disclosure-1.age");
    assert_non_null(f);
    assert_true(f->bytes == 7);
    assert_memory_equal(f->sha256, H2, 32);
    const hub_manifest_log_t *l = hub_manifest_log(&back, 1);
    assert_non_null(l);
    assert_string_equal(l->name, "site-a");
    assert_true(l->size == 123456789);
    assert_memory_equal(l->root, H2, 32);
    assert_null(hub_manifest_log(&back, 2));
    free(text);
    hub_manifest_deinit(&m);
    hub_manifest_deinit(&back);
}

static void paths_stay_inside(void **state)
{
    (void)state;
    const char *good[] = {"data.mdb", "exports/site-a/x.age", "exports/site-a/x.age.part", "a_b-c"};
    const char *bad[] = {"",           "/etc/passwd", "../x",    "exports/../../x",
                         "exports//x", "exports/",    ".hidden", "exports/.x",
                         "a\\b",       "a b",         "ü",       "./data.mdb"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(hub_manifest_path_ok(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(hub_manifest_path_ok(bad[i]));
    char longp[HUB_MANIFEST_PATH_MAX + 1];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = 0;
    assert_false(hub_manifest_path_ok(longp));
}

#define HASH "\"0000000000000000000000000000000000000000000000000000000000000000\""
#define HEAD                                                                                       \
    "{\"format\": \"mimamori-hub-backup/1\", \"hub\": \"hub\", \"time\": \"t\", \"time_us\": 1, "
#define DB "{\"path\": \"data.mdb\", \"bytes\": 1, \"sha256\": " HASH "}"
#define LOG0 "{\"name\": \"hub\", \"id\": 0, \"size\": 0, \"root\": " HASH "}"

/* text is refused, and the reason names word. */
static void refused(const char *text, const char *word)
{
    hub_manifest_t m;
    char why[256];
    assert_int_equal(hub_manifest_parse(text, strlen(text), &m, why, sizeof why), MM_EPARSE);
    if (!strstr(why, word))
        fail_msg("\"%s\" does not name %s", why, word);
    hub_manifest_deinit(&m);
}

static void bad_manifests_refused_with_the_field_named(void **state)
{
    (void)state;
    hub_manifest_t m;
    char why[256];
    const char *ok = HEAD "\"files\": [" DB "], \"logs\": [" LOG0 "]}";
    assert_int_equal(hub_manifest_parse(ok, strlen(ok), &m, why, sizeof why), MM_OK);
    hub_manifest_deinit(&m);
    refused("", "not JSON");
    refused("[]", "not a JSON object");
    refused("{\"format\": \"mimamori-hub-backup/2\"}", "format");
    refused(HEAD "\"files\": [], \"logs\": [" LOG0 "]}", "data.mdb");
    refused(HEAD "\"files\": [" DB "], \"logs\": []}", "id 0");
    refused(HEAD "\"files\": [" DB ", " DB "], \"logs\": [" LOG0 "]}", "twice");
    refused(HEAD "\"files\": [" DB "], \"logs\": [" LOG0 ", " LOG0 "]}", "twice");
    refused(HEAD "\"files\": [{\"path\": \"../data.mdb\", \"bytes\": 1, \"sha256\": " HASH
                 "}], \"logs\": [" LOG0 "]}",
            "files[0].path");
    refused(HEAD "\"files\": [{\"path\": \"data.mdb\", \"bytes\": -1, \"sha256\": " HASH
                 "}], \"logs\": [" LOG0 "]}",
            "files[0].bytes");
    refused(HEAD "\"files\": [{\"path\": \"data.mdb\", \"bytes\": 1, \"sha256\": \"00\"}], "
                 "\"logs\": [" LOG0 "]}",
            "files[0].sha256");
    refused(HEAD "\"files\": [" DB "], \"logs\": [{\"name\": \"a b\", \"id\": 0, \"size\": 0, "
                 "\"root\": " HASH "}]}",
            "logs[0].name");
    refused(HEAD "\"files\": [" DB "], \"logs\": [{\"name\": \"hub\", \"id\": 4294967296, "
                 "\"size\": 0, \"root\": " HASH "}]}",
            "logs[0].id");
    refused(HEAD "\"files\": [" DB "], \"logs\": [{\"name\": \"hub\", \"id\": 0, \"size\": 0, "
                 "\"root\": \"zz\"}]}",
            "logs[0].root");
    refused(HEAD "\"files\": [" DB "], \"logs\": [" LOG0 "], \"extra\": 1}", "extra");
    refused(HEAD "\"files\": [" DB "], \"logs\": [" LOG0 "], \"logs\": []}", "not JSON");
    refused(HEAD "\"files\": {}, \"logs\": [" LOG0 "]}", "files");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(paths_stay_inside),
        cmocka_unit_test(bad_manifests_refused_with_the_field_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
