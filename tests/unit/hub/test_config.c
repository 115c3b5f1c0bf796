/*
 * test_config.c: the hub's configuration — a good file is read whole with paths resolved
 * against its directory; every mistake is reported at once, each naming the file and the key.
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

#include "common/config.h"
#include "hub/hubconf.h"

typedef struct {
    char dir[64];
    char conf_path[128];
    char key_path[128];
    mm_keypair_t hub;
    mm_keypair_t site[3];
    char verifier[3][MM_VERIFIER_MAX];
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/mm-test-hubconf-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->conf_path, sizeof f->conf_path, "%s/hub.json", f->dir);
    snprintf(f->key_path, sizeof f->key_path, "%s/hub.key", f->dir);
    assert_int_equal(mm_keys_generate("hub", &f->hub), MM_OK);
    assert_int_equal(mm_keys_save(&f->hub, f->key_path), MM_OK);
    static const char *const names[3] = {"site-a", "site-b", "site-c"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(mm_keys_generate(names[i], &f->site[i]), MM_OK);
        assert_int_equal(mm_keys_verifier(&f->site[i], f->verifier[i], sizeof f->verifier[i]),
                         MM_OK);
    }
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

static void write_conf(fx_t *f, const char *text)
{
    FILE *fp = fopen(f->conf_path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/*
 * Parses text as the file hub.json in the fixture's directory; checks that every expected
 * problem is there (each a substring of one problem line) and returns how many there are.
 */
static size_t parse(fx_t *f, const char *text, hub_config_t *cfg, const char *const *expect)
{
    write_conf(f, text);
    mm_conf_t *conf = NULL;
    mm_conf_load(f->conf_path, &conf);
    assert_non_null(conf);
    mm_err_t err = hub_config_parse(conf, cfg);
    size_t n = mm_conf_problem_count(conf);
    assert_int_equal(err, n ? MM_ECONFIG : MM_OK);
    for (size_t j = 0; j < n; j++) {
        /* Every problem names the file. */
        const char *p = mm_conf_problem_at(conf, j);
        assert_true(strncmp(p, f->conf_path, strlen(f->conf_path)) == 0);
    }
    for (size_t i = 0; expect && expect[i]; i++) {
        int found = 0;
        for (size_t j = 0; j < n; j++)
            if (strstr(mm_conf_problem_at(conf, j), expect[i]))
                found = 1;
        if (!found) {
            for (size_t j = 0; j < n; j++)
                print_message("problem: %s\n", mm_conf_problem_at(conf, j));
            fail_msg("no problem containing \"%s\"", expect[i]);
        }
    }
    mm_conf_destroy(conf);
    return n;
}

static void good(void **state)
{
    fx_t *f = *state;
    char text[4096];
    snprintf(text, sizeof text,
             "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"state/hub\",\n"
             " \"listen\": \"tcp://127.0.0.1:7400\",\n"
             " \"http\": {\"host\": \"127.0.0.1\", \"port\": 8480},\n"
             " \"sites\": [{\"id\": \"site-a\", \"verifier\": \"%s\", \"curve_public\": \"%s\"},\n"
             "           {\"id\": \"site-b\", \"verifier\": \"%s\", \"curve_public\": \"%s\"}]}\n",
             f->verifier[0], f->site[0].curve_public, f->verifier[1], f->site[1].curve_public);
    hub_config_t cfg;
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    char want[160];
    assert_string_equal(cfg.name, "hub");
    snprintf(want, sizeof want, "%s/hub.key", f->dir);
    assert_string_equal(cfg.key_file, want);
    snprintf(want, sizeof want, "%s/state/hub", f->dir);
    assert_string_equal(cfg.state_dir, want);
    assert_string_equal(cfg.listen, "tcp://127.0.0.1:7400");
    assert_string_equal(cfg.http_host, "127.0.0.1");
    assert_int_equal(cfg.http_port, 8480);
    assert_int_equal(cfg.n_sites, 2);
    assert_string_equal(cfg.sites[1].id, "site-b");
    assert_string_equal(cfg.sites[1].verifier.name, "site-b");
    assert_memory_equal(cfg.sites[1].verifier.pub, f->site[1].sign.pub, MM_ED25519_PUB_LEN);
    assert_string_equal(cfg.sites[1].curve_public, f->site[1].curve_public);
    assert_int_equal(cfg.disclosure_days, 14); /* defaults */
    assert_int_equal(cfg.disclosure_max_hours, 24);
    assert_string_equal(cfg.timezone, "Asia/Tokyo");

    /* Look-ups by id and by raw CURVE key. */
    uint8_t raw[32];
    assert_int_equal(mm_keys_z85_decode(f->site[0].curve_public, raw), MM_OK);
    assert_ptr_equal(hub_config_site_by_key(&cfg, raw), &cfg.sites[0]);
    assert_int_equal(mm_keys_z85_decode(f->site[2].curve_public, raw), MM_OK);
    assert_null(hub_config_site_by_key(&cfg, raw));
    assert_ptr_equal(hub_config_site(&cfg, "site-b"), &cfg.sites[1]);
    assert_null(hub_config_site(&cfg, "site-c"));
    hub_config_free(&cfg);

    /* Absolute paths stay; http.host defaults to loopback; no sites is allowed. */
    snprintf(text, sizeof text,
             "{\"name\": \"hub\", \"key_file\": \"%s\", \"state_dir\": \"/var/lib/mm\","
             " \"listen\": \"ipc:///tmp/hub.sock\", \"http\": {\"port\": 0}, \"sites\": []}",
             f->key_path);
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    assert_string_equal(cfg.key_file, f->key_path);
    assert_string_equal(cfg.state_dir, "/var/lib/mm");
    assert_string_equal(cfg.http_host, "127.0.0.1");
    assert_int_equal(cfg.n_sites, 0);
    hub_config_free(&cfg);
}

/* One file with a mistake of every kind: each is reported, naming its key. */
static void every_problem_at_once(void **state)
{
    fx_t *f = *state;
    char text[8192];
    char short_z85[32];
    snprintf(short_z85, sizeof short_z85, "%.30s", f->site[2].curve_public);
    snprintf(
        text, sizeof text,
        "{\"name\": \"hub\", \"key_file\": \"nowhere.key\", \"state_dir\": \"s\",\n"
        " \"listen\": \"http://127.0.0.1:7400\", \"colour\": \"blue\",\n"
        " \"http\": {\"host\": \"127.0.0.1\", \"port\": 70000, \"tls\": true},\n"
        " \"sites\": [\n"
        "  {\"id\": \"site-a\", \"verifier\": \"site-a+00000000+AQ\", \"curve_public\": \"%s\"},\n"
        "  {\"id\": \"site-x\", \"verifier\": \"%s\", \"curve_public\": \"%s\"},\n"
        "  {\"id\": \"site-a\", \"verifier\": \"%s\", \"curve_public\": \"%s\"},\n"
        "  {\"id\": \"site-c\", \"verifier\": \"%s\", \"curve_public\": \"%s\","
        "   \"note\": 1},\n"
        "  {\"id\": \"site c\", \"verifier\": 7},\n"
        "  \"site-d\"]}\n",
        f->site[0].curve_public,                 /* sites[0]: bad verifier */
        f->verifier[1], f->site[1].curve_public, /* sites[1]: name != id */
        f->verifier[0], f->site[0].curve_public, /* sites[2]: dup id and key */
        f->verifier[2], short_z85);              /* sites[3]: short key */
    hub_config_t cfg;
    const char *const expect[] = {
        ": key_file: ",
        "nowhere.key",
        ": listen: must start with tcp:// or ipc://",
        ": colour: unknown key",
        ": http.port: must be between 0 and 65535, got 70000",
        ": http.tls: must be an object",
        ": sites[0].verifier: not an Ed25519 signed-note verifier key",
        ": sites[1].verifier: the key is named \"site-b\" but the site is \"site-x\"",
        ": sites[2].id: duplicate site id \"site-a\" (also sites[0])",
        ": sites[2].curve_public: the same CURVE key as sites[0]",
        ": sites[3].curve_public: must be a 40-character Z85 CURVE public key, got 30",
        ": sites[3].note: unknown key",
        ": sites[4].id: must be 1-63 characters",
        ": sites[4].verifier: must be a string",
        ": sites[4].curve_public: missing",
        ": sites[5]: must be an object",
        NULL};
    size_t n = parse(f, text, &cfg, expect);
    assert_int_equal(n, 15);
    hub_config_free(&cfg);
}

/* A duplicate is found even when the first of the two is wrong in another way. */
static void duplicates_of_bad_sites(void **state)
{
    fx_t *f = *state;
    char text[4096];
    snprintf(text, sizeof text,
             "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
             " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 8480},"
             " \"sites\": [{\"id\": \"site-a\", \"verifier\": \"bad\", \"curve_public\": \"%s\"},"
             "             {\"id\": \"site-a\", \"verifier\": \"%s\", \"curve_public\": \"%s\"}]}",
             f->site[1].curve_public, f->verifier[0], f->site[1].curve_public);
    hub_config_t cfg;
    const char *const expect[] = {": sites[0].verifier: ", ": sites[1].id: duplicate site id",
                                  ": sites[1].curve_public: the same CURVE key as sites[0]", NULL};
    assert_int_equal(parse(f, text, &cfg, expect), 3);
    hub_config_free(&cfg);
}

/* The key file must exist, be a key file, and carry the hub's name. */
static void key_file_problems(void **state)
{
    fx_t *f = *state;
    hub_config_t cfg;
#define TMPL                                                                                       \
    "{\"name\": \"%s\", \"key_file\": \"%s\", \"state_dir\": \"s\","                               \
    " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 8480}, \"sites\": []}"
    char text[1024];

    snprintf(text, sizeof text, TMPL, "city-hub", "hub.key");
    const char *const named[] = {": key_file: the key in",
                                 "is named \"hub\", but name is "
                                 "\"city-hub\"",
                                 NULL};
    assert_int_equal(parse(f, text, &cfg, named), 1);
    hub_config_free(&cfg);

    char bad[160];
    snprintf(bad, sizeof bad, "%s/junk.key", f->dir);
    FILE *fp = fopen(bad, "w");
    assert_non_null(fp);
    fputs("{\"name\": \"hub\"}", fp);
    fclose(fp);
    chmod(bad, 0600);
    snprintf(text, sizeof text, TMPL, "hub", "junk.key");
    const char *const junk[] = {": key_file: ", "junk.key", NULL};
    assert_int_equal(parse(f, text, &cfg, junk), 1);
    hub_config_free(&cfg);

    /* A directory is not a key file. */
    snprintf(text, sizeof text, TMPL, "hub", ".");
    const char *const dir[] = {": key_file: ", NULL};
    assert_int_equal(parse(f, text, &cfg, dir), 1);
    hub_config_free(&cfg);
#undef TMPL
}

/* Missing keys, wrong types, and files that are not JSON. */
static void missing_and_malformed(void **state)
{
    fx_t *f = *state;
    hub_config_t cfg;
    const char *const missing[] = {": name: missing",
                                   ": key_file: missing",
                                   ": state_dir: missing",
                                   ": listen: missing",
                                   ": http: missing",
                                   ": sites: missing",
                                   NULL};
    assert_int_equal(parse(f, "{}", &cfg, missing), 6);
    hub_config_free(&cfg);

    const char *const types[] = {": name: must be a string", ": sites: ", ": http: ", NULL};
    assert_true(parse(f,
                      "{\"name\": 1, \"key_file\": \"hub.key\", \"state_dir\": \"s\","
                      " \"listen\": \"tcp://127.0.0.1:1\", \"http\": [], \"sites\": {}}",
                      &cfg, types) >= 3);
    hub_config_free(&cfg);

    const char *const syntax[] = {"not valid JSON at line 2", NULL};
    assert_int_equal(parse(f, "{\"name\": \"hub\",\n  oops}", &cfg, syntax), 1);
    hub_config_free(&cfg);

    /* hub_config_load on a file that is not there reports, and returns MM_ECONFIG. */
    char nowhere[160];
    snprintf(nowhere, sizeof nowhere, "%s/none.json", f->dir);
    assert_int_equal(hub_config_load(nowhere, &cfg), MM_ECONFIG);
    assert_null(cfg.sites);
}

/* hub_config_load reads a good file and refuses a bad one, leaving nothing allocated. */
/* The disclosure limits: a request's deadline in days and the longest range it may name. */
static void disclosure_limits(void **state)
{
    fx_t *f = *state;
    char text[1024];
    hub_config_t cfg;
    snprintf(text, sizeof text,
             "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
             " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 0}, \"sites\": [],"
             " \"disclosure_days\": 30, \"disclosure_max_hours\": 168}");
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    assert_int_equal(cfg.disclosure_days, 30);
    assert_int_equal(cfg.disclosure_max_hours, 168);
    hub_config_free(&cfg);
    snprintf(text, sizeof text,
             "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
             " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 0}, \"sites\": [],"
             " \"disclosure_days\": 0, \"disclosure_max_hours\": \"24\"}");
    const char *const expect[] = {": disclosure_days: must be between 1 and 90, got 0",
                                  ": disclosure_max_hours: ", NULL};
    assert_int_equal(parse(f, text, &cfg, expect), 2);
    hub_config_free(&cfg);
    snprintf(text, sizeof text,
             "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
             " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 0}, \"sites\": [],"
             " \"disclosure_days\": 91, \"disclosure_max_hours\": 169}");
    const char *const expect2[] = {": disclosure_days: must be between 1 and 90, got 91",
                                   ": disclosure_max_hours: must be between 1 and 168, got 169",
                                   NULL};
    assert_int_equal(parse(f, text, &cfg, expect2), 2);
    hub_config_free(&cfg);
}

/* "feed": the feed's limits (feedapi.h), the defaults without it, each refused by name out of
 * range, an unknown key named. */
static void feed_limits(void **state)
{
    fx_t *f = *state;
    char text[1024];
    hub_config_t cfg;
    static const char head[] =
        "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
        " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 0}, \"sites\": []";
    snprintf(text, sizeof text, "%s}", head);
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    assert_int_equal(cfg.feed_max_subscribers, HUB_FEED_MAX_SUBSCRIBERS);
    assert_int_equal(cfg.feed_max_per_person, HUB_FEED_MAX_PER_PERSON);
    assert_int_equal(cfg.feed_max_behind_bytes, HUB_FEED_MAX_BEHIND);
    hub_config_free(&cfg);
    snprintf(text, sizeof text,
             "%s, \"feed\": {\"max_subscribers\": 200, \"max_per_person\": 2,"
             " \"max_behind_bytes\": 2097152}}",
             head);
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    assert_int_equal(cfg.feed_max_subscribers, 200);
    assert_int_equal(cfg.feed_max_per_person, 2);
    assert_int_equal(cfg.feed_max_behind_bytes, 2097152);
    hub_config_free(&cfg);
    snprintf(text, sizeof text,
             "%s, \"feed\": {\"max_subscribers\": 0, \"max_per_person\": \"4\","
             " \"max_behind_bytes\": 1000, \"max\": 1}}",
             head);
    const char *const expect[] = {
        ": feed.max_subscribers: must be between 1 and 10000, got 0",
        ": feed.max_per_person: ", ": feed.max_behind_bytes: ", ": feed.max: unknown key", NULL};
    assert_int_equal(parse(f, text, &cfg, expect), 4);
    hub_config_free(&cfg);
    snprintf(text, sizeof text, "%s, \"feed\": 5}", head);
    const char *const expect2[] = {": feed: must be an object", NULL};
    assert_int_equal(parse(f, text, &cfg, expect2), 1);
    hub_config_free(&cfg);
}

/* The zone of the hub's own pages: an IANA name of the system's tzdata, or refused by name. */
static void timezone_of_the_hubs_pages(void **state)
{
    fx_t *f = *state;
    char text[1024];
    hub_config_t cfg;
    const char *head = "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
                       " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 0},"
                       " \"sites\": [],";
    snprintf(text, sizeof text, "%s \"timezone\": \"Europe/London\"}", head);
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    assert_string_equal(cfg.timezone, "Europe/London");
    hub_config_free(&cfg);
    snprintf(text, sizeof text, "%s \"timezone\": \"Asia/Edo\"}", head);
    const char *const expect[] = {": timezone: unknown time zone \"Asia/Edo\"", NULL};
    assert_int_equal(parse(f, text, &cfg, expect), 1);
    hub_config_free(&cfg);
    snprintf(text, sizeof text, "%s \"timezone\": 9}", head);
    const char *const expect2[] = {": timezone: ", NULL};
    assert_int_equal(parse(f, text, &cfg, expect2), 1);
    hub_config_free(&cfg);
}

/* R-N7.7: "http.tls", insecure_http and hsts_max_age; plain HTTP off loopback is a problem
 * that says how to fix it. */
static void http_tls(void **state)
{
    fx_t *f = *state;
    char text[1024];
    hub_config_t cfg;
    const char *head = "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
                       " \"listen\": \"tcp://127.0.0.1:7400\", \"sites\": [],";
    char want[300];
    snprintf(text, sizeof text,
             "%s \"http\": {\"host\": \"0.0.0.0\", \"port\": 8443, \"tls\": "
             "{\"certificate\": \"tls/hub.crt\", \"private_key\": \"/etc/k.pem\"}}}",
             head);
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    snprintf(want, sizeof want, "%s/tls/hub.crt", f->dir);
    assert_string_equal(cfg.tls_certificate, want);
    assert_string_equal(cfg.tls_private_key, "/etc/k.pem");
    assert_int_equal(cfg.hsts_max_age, 31536000);
    assert_int_equal(cfg.insecure_http, 0);
    hub_config_free(&cfg);
    /* Loopback without TLS, in each spelling; a chosen HSTS age. */
    const char *loop[] = {"127.0.0.1", "::1", "localhost", "127.0.0.2"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(text, sizeof text,
                 "%s \"http\": {\"host\": \"%s\", \"port\": 0, \"hsts_max_age\": 60}}", head,
                 loop[i]);
        assert_int_equal(parse(f, text, &cfg, NULL), 0);
        assert_null(cfg.tls_certificate);
        assert_int_equal(cfg.hsts_max_age, 60);
        hub_config_free(&cfg);
    }
    /* Off loopback without TLS: refused, unless insecure_http. */
    const char *const expect[] = {": http.host: \"0.0.0.0\" is not loopback", "mimamori-keys tls",
                                  "\"insecure_http\": true", NULL};
    snprintf(text, sizeof text, "%s \"http\": {\"host\": \"0.0.0.0\", \"port\": 0}}", head);
    assert_int_equal(parse(f, text, &cfg, expect), 1);
    hub_config_free(&cfg);
    snprintf(text, sizeof text,
             "%s \"http\": {\"host\": \"192.0.2.1\", \"port\": 0, \"insecure_http\": true}}", head);
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    assert_int_equal(cfg.insecure_http, 1);
    hub_config_free(&cfg);
    /* A half "tls", unknown keys, an age out of range. */
    const char *const expect2[] = {": http.tls.private_key: missing",
                                   ": http.tls.cert: unknown key", ": http.hsts_max_age: ", NULL};
    snprintf(text, sizeof text,
             "%s \"http\": {\"port\": 0, \"hsts_max_age\": -1, \"tls\": "
             "{\"certificate\": \"c\", \"cert\": 1}}}",
             head);
    assert_int_equal(parse(f, text, &cfg, expect2), 3);
    hub_config_free(&cfg);
}

/* R-N12(2): the city's name and contact for the public registry — optional, each one line;
 * a malformed one is named; "public" is no person's id. */
static void city_contact(void **state)
{
    fx_t *f = *state;
    const char *head = "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
                       " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 0}, "
                       "\"sites\": []";
    char text[1024];
    hub_config_t cfg;
    snprintf(text, sizeof text, "%s}", head);
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    assert_null(cfg.city_name);
    assert_null(cfg.city_contact);
    hub_config_free(&cfg);
    snprintf(text, sizeof text,
             "%s, \"city\": {\"name\": \"川口市 防犯対策課\", \"contact\": \"048-000-0000\"}}",
             head);
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    assert_string_equal(cfg.city_name, "川口市 防犯対策課");
    assert_string_equal(cfg.city_contact, "048-000-0000");
    hub_config_free(&cfg);
    snprintf(text, sizeof text,
             "%s, \"city\": {\"name\": \"\", \"contact\": \"a\\nb\", \"url\": \"x\"}}", head);
    const char *const expect[] = {": city.name: must be one line of 1 to 255 bytes",
                                  ": city.contact: must be one line", ": city.url: unknown key",
                                  NULL};
    assert_int_equal(parse(f, text, &cfg, expect), 3);
    hub_config_free(&cfg);
    snprintf(text, sizeof text, "%s, \"city\": \"川口市\"}", head);
    const char *const expect2[] = {".json: city: ", NULL};
    assert_int_equal(parse(f, text, &cfg, expect2), 1);
    hub_config_free(&cfg);
    snprintf(text, sizeof text, "%s, \"city\": {\"name\": \"川口市\"}}", head);
    const char *const expect3[] = {": city.contact: ", NULL};
    assert_int_equal(parse(f, text, &cfg, expect3), 1);
    hub_config_free(&cfg);
    snprintf(text, sizeof text,
             "%s, \"people\": [{\"id\": \"public\", \"name\": \"x\", \"role\": \"intake\","
             " \"token_sha256\": \"%064d\"}]}",
             head, 0);
    const char *const expect4[] = {": people[0].id: \"public\" stands for residents", NULL};
    assert_int_equal(parse(f, text, &cfg, expect4), 1);
    hub_config_free(&cfg);
}

/* R-N7.5: the city's rule for the retention period, per policy whose text leaves it to the city;
 * one for a policy whose text sets the period, an unknown policy, days that are no range or a
 * rule that is not one line are named. */
static void city_rules(void **state)
{
    fx_t *f = *state;
    const char *head = "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
                       " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 0}, "
                       "\"sites\": []";
    char text[2048];
    hub_config_t cfg;
    snprintf(text, sizeof text, "%s}", head);
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    for (int p = 0; p < MM_POLICY_COUNT; p++)
        assert_false(cfg.city_rules[p].set);
    hub_config_free(&cfg);
    snprintf(
        text, sizeof text,
        "%s, \"city_rules\": {\"naha\": {\"retention_days_min\": 7, \"retention_days_max\": 31,"
        " \"rule\": \"那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条\"},"
        " \"city\": {\"retention_days_min\": 14, \"rule\": \"要綱 第6条\"}}}",
        head);
    assert_int_equal(parse(f, text, &cfg, NULL), 0);
    assert_true(cfg.city_rules[MM_POLICY_NAHA].set);
    assert_int_equal(cfg.city_rules[MM_POLICY_NAHA].min_days, 7);
    assert_int_equal(cfg.city_rules[MM_POLICY_NAHA].max_days, 31);
    assert_string_equal(cfg.city_rules[MM_POLICY_NAHA].rule,
                        "那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条");
    assert_true(cfg.city_rules[MM_POLICY_CITY].set);
    assert_int_equal(cfg.city_rules[MM_POLICY_CITY].max_days, 0); /* no maximum */
    assert_false(cfg.city_rules[MM_POLICY_KAWAGUCHI].set);
    hub_config_free(&cfg);
    snprintf(text, sizeof text,
             "%s, \"city_rules\": {\"kawaguchi\": {\"retention_days_min\": 7, \"rule\": \"x\"},"
             " \"tokyo\": {}, \"naha\": {\"retention_days_min\": 9, \"retention_days_max\": 8,"
             " \"rule\": \"a\\nb\", \"colour\": 1}, \"city\": 7}}",
             head);
    const char *const expect[] = {
        ": city_rules.kawaguchi: the kawaguchi policy's retention comes from its text "
        "(川口市防犯カメラの設置及び運用に関する基準 第2の2(6)イ), not from a city's rule",
        ": city_rules.tokyo: no such policy: must be \"kawaguchi\", \"naha\", \"city\" or "
        "\"voluntary\"",
        ": city_rules.naha.retention_days_max: 8 is below retention_days_min (9)",
        ": city_rules.naha.rule: must be one line of 1 to 255 bytes",
        ": city_rules.naha.colour: unknown key",
        ": city_rules.city: must be an object",
        NULL};
    assert_int_equal(parse(f, text, &cfg, expect), 6);
    hub_config_free(&cfg);
    snprintf(text, sizeof text, "%s, \"city_rules\": {\"naha\": {\"rule\": \"x\"}}}", head);
    const char *const expect2[] = {": city_rules.naha.retention_days_min: ", NULL};
    assert_int_equal(parse(f, text, &cfg, expect2), 1);
    hub_config_free(&cfg);
}

static void load(void **state)
{
    fx_t *f = *state;
    char text[2048];
    snprintf(text, sizeof text,
             "{\"name\": \"hub\", \"key_file\": \"hub.key\", \"state_dir\": \"s\","
             " \"listen\": \"tcp://127.0.0.1:7400\", \"http\": {\"port\": 8480},"
             " \"sites\": [{\"id\": \"site-c\", \"verifier\": \"%s\", \"curve_public\": \"%s\"}]}",
             f->verifier[2], f->site[2].curve_public);
    write_conf(f, text);
    hub_config_t cfg;
    assert_int_equal(hub_config_load(f->conf_path, &cfg), MM_OK);
    assert_int_equal(cfg.n_sites, 1);
    hub_config_free(&cfg);
    write_conf(f, "{\"name\": \"hub\", \"http\": {\"port\": -1}}");
    assert_int_equal(hub_config_load(f->conf_path, &cfg), MM_ECONFIG);
    assert_null(cfg.key_file);
    assert_int_equal(cfg.n_sites, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(good, setup, teardown),
        cmocka_unit_test_setup_teardown(every_problem_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicates_of_bad_sites, setup, teardown),
        cmocka_unit_test_setup_teardown(key_file_problems, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_and_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(disclosure_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(feed_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(timezone_of_the_hubs_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(city_contact, setup, teardown),
        cmocka_unit_test_setup_teardown(http_tls, setup, teardown),
        cmocka_unit_test_setup_teardown(city_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(load, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
