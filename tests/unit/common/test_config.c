/*
 * test_config.c: paths in a configuration — relative ones from the file's directory, and
 * "credential:NAME" from systemd's $CREDENTIALS_DIRECTORY (LoadCredential=), with a problem that
 * names the credential when it is not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"

static mm_conf_t *load(void)
{
    mm_conf_t *c = NULL;
    assert_int_equal(mm_conf_load_string("/etc/mimamori/hub.json", "{}", &c), MM_OK);
    return c;
}

static void plain_paths_are_relative_to_the_file(void **state)
{
    (void)state;
    mm_conf_t *c = load();
    char *p = mm_conf_resolve(c, "keys/hub.key");
    assert_string_equal(p, "/etc/mimamori/keys/hub.key");
    free(p);
    p = mm_conf_resolve(c, "/var/lib/mimamori/hub");
    assert_string_equal(p, "/var/lib/mimamori/hub");
    free(p);
    assert_false(mm_conf_failed(c));
    mm_conf_destroy(c);
}

static void a_credential_comes_from_the_credentials_directory(void **state)
{
    (void)state;
    char dir[] = "/tmp/mm-cred-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char file[64];
    snprintf(file, sizeof file, "%s/hub_curve.key", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("secret\n", f);
    fclose(f);
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    mm_conf_t *c = load();
    char *p = mm_conf_resolve(c, "credential:hub_curve.key");
    assert_string_equal(p, file);
    free(p);
    assert_false(mm_conf_failed(c));

    /* Not loaded by the unit: a problem naming the credential and the directory. */
    p = mm_conf_resolve(c, "credential:hub_tls.key");
    assert_non_null(p);
    free(p);
    assert_true(mm_conf_failed(c));
    const char *why = mm_conf_problem_at(c, 0);
    assert_non_null(strstr(why, "credential:hub_tls.key"));
    assert_non_null(strstr(why, "\"hub_tls.key\" cannot be read"));
    assert_non_null(strstr(why, dir));
    mm_conf_destroy(c);
    unlink(file);
    rmdir(dir);
    unsetenv("CREDENTIALS_DIRECTORY");
}

static void a_credential_outside_systemd_says_so(void **state)
{
    (void)state;
    unsetenv("CREDENTIALS_DIRECTORY");
    mm_conf_t *c = load();
    char *p = mm_conf_resolve(c, "credential:site_curve.key");
    free(p);
    assert_int_equal(mm_conf_problem_count(c), 1);
    assert_non_null(strstr(mm_conf_problem_at(c, 0), "$CREDENTIALS_DIRECTORY is not set"));
    mm_conf_destroy(c);
}

static void a_credential_name_is_a_plain_file_name(void **state)
{
    (void)state;
    setenv("CREDENTIALS_DIRECTORY", "/tmp", 1);
    static const char *const bad[] = {"credential:", "credential:../etc/shadow",
                                      "credential:a/b", "credential:..", NULL};
    for (const char *const *b = bad; *b; b++) {
        mm_conf_t *c = load();
        char *p = mm_conf_resolve(c, *b);
        free(p);
        assert_int_equal(mm_conf_problem_count(c), 1);
        assert_non_null(strstr(mm_conf_problem_at(c, 0), "plain file name"));
        mm_conf_destroy(c);
    }
    unsetenv("CREDENTIALS_DIRECTORY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_paths_are_relative_to_the_file),
        cmocka_unit_test(a_credential_comes_from_the_credentials_directory),
        cmocka_unit_test(a_credential_outside_systemd_says_so),
        cmocka_unit_test(a_credential_name_is_a_plain_file_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
