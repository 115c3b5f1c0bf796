/*
 * test_login.c: the hub's people with logins and the reload's swap (issue 19): a person's
 * password hash, TOTP secret, optional token and its expiry parsed from the configuration, each
 * fault named; a file holding secrets refused at mode 0644 and loaded at 0600; a token past its
 * last day expired (in the hub's zone); the login form's parser (hub/login.h); and
 * hub_reload_swap (hub/reload.h) moving people and sites in at once and saying what changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/auth.h"
#include "common/config.h"
#include "common/keys.h"
#include "common/timefmt.h"
#include "hub/hubconf.h"
#include "hub/login.h"
#include "hub/reload.h"

#define HASH "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"
#define TOTP "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

typedef struct {
    char dir[64], conf[128];
    mm_keypair_t site;
    char verifier[MM_VERIFIER_MAX];
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/mm-test-hublogin-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->conf, sizeof f->conf, "%s/hub.json", f->dir);
    char key[128];
    snprintf(key, sizeof key, "%s/hub.key", f->dir);
    mm_keypair_t hub;
    assert_int_equal(mm_keys_generate("hub", &hub), MM_OK);
    assert_int_equal(mm_keys_save(&hub, key), MM_OK);
    assert_int_equal(mm_keys_generate("site-a", &f->site), MM_OK);
    assert_int_equal(mm_keys_verifier(&f->site, f->verifier, sizeof f->verifier), MM_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Writes the configuration with people (a JSON array's inside) and sites (ditto) at mode. */
static void write_conf(fx_t *f, const char *people, const char *sites, int mode)
{
    FILE *fp = fopen(f->conf, "w");
    assert_non_null(fp);
    fprintf(fp,
            "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
            " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 0},"
            " \"sessions\": {\"idle_seconds\": 5}, \"sites\": [%s], \"people\": [%s]}",
            sites, people);
    fclose(fp);
    chmod(f->conf, (mode_t)mode);
}

/* Parses the file; every expected problem is there; returns how many there are. */
static size_t parse(fx_t *f, hub_config_t *cfg, const char *const *expect)
{
    mm_conf_t *conf = NULL;
    mm_conf_load(f->conf, &conf);
    assert_non_null(conf);
    hub_config_parse(conf, cfg);
    size_t n = mm_conf_problem_count(conf);
    for (size_t i = 0; expect && expect[i]; i++) {
        int found = 0;
        for (size_t j = 0; j < n; j++)
            found |= strstr(mm_conf_problem_at(conf, j), expect[i]) != NULL;
        if (!found) {
            for (size_t j = 0; j < n; j++)
                print_message("problem: %s\n", mm_conf_problem_at(conf, j));
            fail_msg("no problem containing \"%s\"", expect[i]);
        }
    }
    mm_conf_destroy(conf);
    return n;
}

static void people_with_logins(void **state)
{
    fx_t *f = *state;
    hub_config_t cfg;
    write_conf(
        f,
        "{\"id\": \"kanri\", \"name\": \"K\", \"role\": \"oversight\", \"password_argon2id\":"
        " \"" HASH "\", \"totp_secret\": \"" TOTP "\"},"
        "{\"id\": \"bot\", \"name\": \"B\", \"role\": \"readonly\", \"token_sha256\": "
        "\"0000000000000000000000000000000000000000000000000000000000000001\","
        " \"token_expires\": \"2026-03-31\"}",
        "", 0600);
    assert_int_equal(parse(f, &cfg, NULL), 0);
    assert_int_equal(cfg.n_people, 2);
    assert_true(cfg.holds_secrets);
    assert_int_equal(cfg.sessions.idle_s, 5);
    assert_int_equal(cfg.sessions.lock_after, 5);
    const hub_person_t *k = hub_config_person(&cfg, "kanri");
    assert_string_equal(k->password, HASH);
    assert_int_equal(k->totp_len, 20);
    assert_memory_equal(k->totp, "12345678901234567890", 20);
    assert_false(k->has_token);
    /* A person without a token is found by no token, not even an all-zero one. */
    assert_null(hub_config_person_by_token(&cfg, "", 0));
    const hub_person_t *b = hub_config_person(&cfg, "bot");
    int64_t day;
    assert_int_equal(mm_jst_date_us("2026-03-31", &day), 0);
    assert_false(hub_person_token_expired(&cfg, b, day + 23 * 3600000000LL)); /* its last day */
    assert_true(hub_person_token_expired(&cfg, b, day + 24 * 3600000000LL));  /* the day after */
    hub_config_free(&cfg);
}

static void login_faults_named(void **state)
{
    fx_t *f = *state;
    hub_config_t cfg;
    write_conf(f,
               "{\"id\": \"a\", \"name\": \"A\", \"role\": \"oversight\", \"password_argon2id\":"
               " \"" HASH "\"},"
               "{\"id\": \"b\", \"name\": \"B\", \"role\": \"oversight\", \"password_argon2id\":"
               " \"secret\", \"totp_secret\": \"not base32!\"},"
               "{\"id\": \"c\", \"name\": \"C\", \"role\": \"oversight\", \"token_expires\": "
               "\"2026-02-30x\"},"
               "{\"id\": \"d\", \"name\": \"D\", \"role\": \"oversight\", \"token_expires\": "
               "\"2026-02-01\"}",
               "", 0600);
    const char *const expect[] = {
        "people[0].totp_secret: a person who logs in with a password needs a TOTP secret",
        "people[1].password_argon2id: must be an encoded Argon2id hash",
        "people[1].totp_secret: must be the base32 text",
        "people[2].token_expires: must be a date YYYY-MM-DD",
        "people[3].token_expires: is the expiry of token_sha256, which is not given",
        NULL};
    assert_int_equal(parse(f, &cfg, expect), 5);
    hub_config_free(&cfg);
}

static void secrets_need_mode_0600(void **state)
{
    fx_t *f = *state;
    hub_config_t cfg;
    write_conf(
        f,
        "{\"id\": \"kanri\", \"name\": \"K\", \"role\": \"oversight\", \"password_argon2id\":"
        " \"" HASH "\", \"totp_secret\": \"" TOTP "\"}",
        "", 0644);
    assert_int_equal(hub_config_load(f->conf, &cfg), MM_ECONFIG);
    chmod(f->conf, 0600);
    assert_int_equal(hub_config_load(f->conf, &cfg), MM_OK);
    hub_config_free(&cfg);
    /* Without secrets the mode is the operator's business. */
    write_conf(f, "", "", 0644);
    assert_int_equal(hub_config_load(f->conf, &cfg), MM_OK);
    hub_config_free(&cfg);
}

static void login_form(void **state)
{
    (void)state;
    hub_login_form_t form;
#define P(s) hub_login_parse(s, strlen(s), &form)
    assert_null(P("{\"person\": \"kanri\", \"password\": \"pw pw pw\", \"code\": \"012345\"}"));
    assert_string_equal(form.person, "kanri");
    assert_string_equal(form.password, "pw pw pw");
    assert_string_equal(form.code, "012345");
    assert_non_null(P("{\"person\": \"kanri\", \"password\": \"pw\", \"code\": \"01234\"}"));
    assert_non_null(P("{\"person\": \"kanri\", \"password\": \"pw\", \"code\": \"01234x\"}"));
    assert_non_null(P("{\"person\": \"a b\", \"password\": \"pw\", \"code\": \"012345\"}"));
    assert_non_null(P("{\"person\": \"kanri\", \"password\": \"\", \"code\": \"012345\"}"));
    assert_non_null(
        P("{\"person\": \"kanri\", \"password\": \"p\\u0000w\", \"code\": \"012345\"}"));
    assert_non_null(P("{\"person\": \"kanri\", \"password\": \"pw\", \"code\": \"012345\", "
                      "\"x\": 1}"));
    const char *why = P("{\"person\": \"kanri\", \"password\": \"hunter2hunter2\", \"code\": 1}");
    assert_non_null(why);
    assert_null(strstr(why, "hunter2")); /* a refusal never repeats the values */
    assert_string_equal(form.password, "");
    assert_non_null(hub_login_parse(NULL, 0, &form));
#undef P
}

static void reload_swaps_people_and_sites(void **state)
{
    fx_t *f = *state;
    hub_config_t cur, next, old;
    char site[512];
    snprintf(site, sizeof site,
             "{\"id\": \"site-a\", \"verifier\": \"%s\", \"curve_public\": \"%s\"}", f->verifier,
             f->site.curve_public);
    write_conf(f,
               "{\"id\": \"a\", \"name\": \"A\", \"role\": \"oversight\"},"
               "{\"id\": \"b\", \"name\": \"B\", \"role\": \"readonly\"}",
               "", 0600);
    assert_int_equal(hub_config_load(f->conf, &cur), MM_OK);
    write_conf(f,
               "{\"id\": \"b\", \"name\": \"B\", \"role\": \"oversight\"},"
               "{\"id\": \"c\", \"name\": \"C\", \"role\": \"readonly\"}",
               site, 0600);
    assert_int_equal(hub_config_load(f->conf, &next), MM_OK);
    hub_reload_changes_t ch;
    assert_int_equal(hub_reload_swap(&cur, &next, &old, &ch), MM_OK);
    assert_int_equal(ch.n_sites_added, 1);
    assert_string_equal(ch.sites_added[0], "site-a");
    assert_int_equal(ch.n_sites_removed, 0);
    assert_int_equal(ch.n_people_added, 1);
    assert_int_equal(ch.n_people_removed, 1);
    assert_int_equal(ch.n_people_changed, 1);
    uint8_t raw[32];
    assert_int_equal(mm_keys_z85_decode(f->site.curve_public, raw), MM_OK);
    assert_non_null(hub_config_site_by_key(&cur, raw));
    assert_null(hub_config_person(&cur, "a"));
    assert_non_null(hub_config_person(&old, "a"));
    assert_int_equal(next.n_people, 0);
    hub_reload_changes_free(&ch);
    hub_config_free(&old);
    hub_config_free(&next);
    hub_config_free(&cur);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(people_with_logins, setup, teardown),
        cmocka_unit_test_setup_teardown(login_faults_named, setup, teardown),
        cmocka_unit_test_setup_teardown(secrets_need_mode_0600, setup, teardown),
        cmocka_unit_test(login_form),
        cmocka_unit_test_setup_teardown(reload_swaps_people_and_sites, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
