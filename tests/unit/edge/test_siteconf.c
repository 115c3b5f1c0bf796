/*
 * test_siteconf.c: the edge's site configuration — every mistake is reported at once, each
 * naming the file and the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/config.h"
#include "edge/siteconf.h"

#define HUB_CURVE "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

static char verifier[MM_VERIFIER_MAX];

/* The governance records every site needs (tests/unit/edge/test_governance.c tests them). */
#define SITE_GOV                                                                                   \
    "\"installer\":{\"name\":\"組合\",\"contact\":\"048\"},\"purpose\":\"防犯\","                        \
    "\"storage_location\":\"事務所\",\"consensus\":{\"date\":\"2026-03-01\"},"                        \
    "\"land_owner_permission\":{\"reference\":\"許可 1\"},"                                            \
    "\"people\":[{\"id\":\"m\",\"name\":\"管理\",\"account\":\"mgr\"}],\"manager\":\"m\","
#define CAM_GOV                                                                                    \
    ",\"location\":\"通り\",\"purpose\":\"防犯\",\"install_date\":\"2026-04-01\","                    \
    "\"signage\":{\"text\":\"防犯カメラ作動中\",\"installer_shown\":true,\"checked\":\"2026-04-01\"},"  \
    "\"coverage\":{\"areas\":[{\"kind\":\"public\",\"points\":[[0,0],[1,0],[1,1],[0,1]]}]}"

static int setup(void **state)
{
    (void)state;
    uint8_t pub[MM_ED25519_PUB_LEN] = {1, 2, 3};
    mm_note_verifier_t v;
    assert_int_equal(mm_note_verifier_make("hub", MM_NOTE_ALG_ED25519, pub, &v), MM_OK);
    assert_int_equal(mm_note_verifier_format(&v, verifier, sizeof verifier), MM_OK);
    return 0;
}

/* Parses text as site.json; returns the number of problems and checks each expected one. */
static size_t parse(const char *text, edge_config_t *cfg, const char *const *expect)
{
    mm_conf_t *conf = NULL;
    mm_conf_load_string("/etc/mimamori/site.json", text, &conf);
    assert_non_null(conf);
    mm_err_t err = edge_config_parse(conf, cfg);
    size_t n = mm_conf_problem_count(conf);
    assert_int_equal(err, n ? MM_ECONFIG : MM_OK);
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
    (void)state;
    char text[4096];
    snprintf(text, sizeof text,
             "{\"site\":\"site-a\",\"key_file\":\"keys/site-a.key\",\"state_dir\":\"/var/lib/mm\","
             "\"segment_seconds\":4,\"policy\":\"kawaguchi\",\"retention_days\":10,"
             "\"registered_retention_days\":14," SITE_GOV
             "\"hub\":{\"endpoint\":\"tcp://127.0.0.1:7400\",\"curve_public\":\"%s\","
             "\"verifier\":\"%s\"},"
             "\"cameras\":[{\"id\":\"cam1\",\"url\":\"rtsp://127.0.0.1:8554/cam1\"" CAM_GOV "},"
             "{\"id\":\"cam2\",\"url\":\"rtsp://127.0.0.1:8554/cam2\"" CAM_GOV "}]}",
             HUB_CURVE, verifier);
    edge_config_t cfg;
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_string_equal(cfg.site, "site-a");
    assert_string_equal(cfg.key_file, "/etc/mimamori/keys/site-a.key");
    assert_string_equal(cfg.state_dir, "/var/lib/mm");
    assert_int_equal(cfg.segment_seconds, 4);
    assert_string_equal(cfg.hub_endpoint, "tcp://127.0.0.1:7400");
    assert_string_equal(cfg.hub_curve_public, HUB_CURVE);
    assert_string_equal(cfg.hub_verifier.name, "hub");
    assert_int_equal(cfg.n_cameras, 2);
    assert_string_equal(cfg.cameras[1].id, "cam2");
    assert_string_equal(cfg.cameras[1].url, "rtsp://127.0.0.1:8554/cam2");
    assert_int_equal(cfg.policy, MM_POLICY_KAWAGUCHI);
    assert_int_equal(cfg.retention_days, 10);
    assert_int_equal(cfg.registered_retention_days, 14);
    assert_int_equal(cfg.min_free_mb, 1024);
    assert_int_equal(cfg.cameras[0].priority, 0);
    assert_string_equal(cfg.gov.people[cfg.gov.manager].account, "mgr");
    assert_string_equal(cfg.cameras[1].gov.location, "通り");
    assert_true(cfg.cameras[1].gov.coverage.public_share > 0.999999);
    assert_string_equal(cfg.timezone, "Asia/Tokyo"); /* unset: Japan */
    edge_config_free(&cfg);
}

/* Text of a configuration that is good but for its retention keys (given as JSON members). */
static void with_retention(char *text, size_t cap, const char *members)
{
    snprintf(text, cap,
             "{\"site\":\"s\",\"key_file\":\"k\",\"state_dir\":\"d\",%s" SITE_GOV
             "\"hub\":{\"endpoint\":\"tcp://127.0.0.1:7400\",\"curve_public\":\"%s\","
             "\"verifier\":\"%s\"},"
             "\"cameras\":[{\"id\":\"c\",\"url\":\"rtsp://127.0.0.1:1/c\",\"priority\":5" CAM_GOV
             "}]}",
             members, HUB_CURVE, verifier);
}

/* The site's zone is an IANA name of the system's tzdata; anything else is refused with the key
 * named, and never taken for UTC the way the C library would take it. */
static void timezone_named_or_refused(void **state)
{
    (void)state;
    char text[4096];
    edge_config_t cfg;
    with_retention(text, sizeof text,
                   "\"policy\":\"naha\",\"retention_days\":7,\"timezone\":\"Europe/London\",");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_string_equal(cfg.timezone, "Europe/London");
    edge_config_free(&cfg);

    static const char *const unknown[] = {
        "/etc/mimamori/site.json: timezone: unknown time zone \"Mars/Olympus\"", NULL};
    with_retention(text, sizeof text,
                   "\"policy\":\"naha\",\"retention_days\":7,\"timezone\":\"Mars/Olympus\",");
    assert_int_equal(parse(text, &cfg, unknown), 1);
    edge_config_free(&cfg);

    static const char *const bad[] = {"/etc/mimamori/site.json: timezone: ", NULL};
    const char *names[] = {"\"../../etc/passwd\"", "\"\"", "\"JST-9\"",      "\"localtime\"",
                           "\"right/Asia/Tokyo\"", "9",    "\"Asia/Tokyo \""};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char member[96];
        snprintf(member, sizeof member, "\"policy\":\"naha\",\"retention_days\":7,\"timezone\":%s,",
                 names[i]);
        with_retention(text, sizeof text, member);
        if (parse(text, &cfg, bad) != 1)
            fail_msg("timezone %s was not refused once", names[i]);
        edge_config_free(&cfg);
    }
}

/* "night_staff": false says nobody works at the site at night (the hub then watches for viewings
 * at night, R-K2.2.3-4 / R-N7.2); unset is true; anything but a boolean is refused naming the
 * key. */
static void night_staff_is_a_boolean(void **state)
{
    (void)state;
    char text[4096];
    edge_config_t cfg;
    with_retention(text, sizeof text, "\"policy\":\"naha\",\"retention_days\":7,");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.no_night_staff, 0);
    edge_config_free(&cfg);
    with_retention(text, sizeof text,
                   "\"policy\":\"naha\",\"retention_days\":7,\"night_staff\":false,");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.no_night_staff, 1);
    edge_config_free(&cfg);
    with_retention(text, sizeof text,
                   "\"policy\":\"naha\",\"retention_days\":7,\"night_staff\":true,");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.no_night_staff, 0);
    edge_config_free(&cfg);
    static const char *const bad[] = {"/etc/mimamori/site.json: night_staff: must be true or false",
                                      NULL};
    const char *values[] = {"\"no\"", "0", "null", "[]"};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char member[96];
        snprintf(member, sizeof member,
                 "\"policy\":\"naha\",\"retention_days\":7,\"night_staff\":%s,", values[i]);
        with_retention(text, sizeof text, member);
        if (parse(text, &cfg, bad) != 1)
            fail_msg("night_staff %s was not refused once", values[i]);
        edge_config_free(&cfg);
    }
}

/* R-N7.3: the players the edge may start are the configuration's, ffplay when it names none;
 * each runs without a shell, so a command a shell would read differently is refused with the key
 * named, as is a name that is not one. */
static void R_N7_3_players_are_named_commands_without_a_shell(void **state)
{
    (void)state;
    char text[4096];
    edge_config_t cfg;
    with_retention(text, sizeof text, "\"policy\":\"naha\",\"retention_days\":7,");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.players.n, 1);
    assert_string_equal(cfg.players.v[0].name, "ffplay");
    assert_string_equal(cfg.players.v[0].command, "ffplay -loglevel error -autoexit -");
    edge_config_free(&cfg);

    with_retention(text, sizeof text,
                   "\"policy\":\"naha\",\"retention_days\":7,\"players\":{\"mpv\":\"/usr/bin/mpv  "
                   "--really-quiet -\","
                   "\"ff\":\"ffplay -\"},");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.players.n, 2);
    const edge_player_conf_t *mpv = edge_players_find(&cfg.players, "mpv");
    assert_non_null(mpv);
    assert_null(edge_players_find(&cfg.players, "cat > f.ts"));
    assert_null(edge_players_find(&cfg.players, NULL));
    char names[64], buf[EDGE_PLAYER_CMD_MAX], *argv[EDGE_PLAYER_WORDS_MAX];
    edge_players_names(&cfg.players, names, sizeof names);
    assert_string_equal(names, "mpv, ff");
    assert_int_equal(edge_player_words(mpv->command, buf, sizeof buf, argv, EDGE_PLAYER_WORDS_MAX),
                     3);
    assert_string_equal(argv[0], "/usr/bin/mpv");
    assert_string_equal(argv[1], "--really-quiet");
    assert_string_equal(argv[2], "-");
    assert_null(argv[3]);
    edge_config_free(&cfg);

    with_retention(text, sizeof text, "\"policy\":\"naha\",\"retention_days\":7,\"players\":{},");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.players.n, 0);
    edge_players_names(&cfg.players, names, sizeof names);
    assert_string_equal(names, "(none)");
    edge_config_free(&cfg);

    static const char *const shell[] = {
        "players.copy: the command runs without a shell", "players.x y: a player's name",
        "players.empty: ", "players.n: must be the player's command", NULL};
    with_retention(
        text, sizeof text,
        "\"policy\":\"naha\",\"retention_days\":7,\"players\":{\"copy\":\"cat > /tmp/f.ts\","
        "\"x y\":\"ffplay -\",\"empty\":\"  \",\"n\":3,\"ok\":\"ffplay -\"},");
    assert_int_equal(parse(text, &cfg, shell), 4);
    edge_config_free(&cfg);
    static const char *const not_object[] = {"players: must be an object", NULL};
    with_retention(text, sizeof text,
                   "\"policy\":\"naha\",\"retention_days\":7,\"players\":\"ffplay -\",");
    assert_int_equal(parse(text, &cfg, not_object), 1);
    edge_config_free(&cfg);
    for (const char *c = "|&;<>()$`\\\"'*?{}"; *c; c++) {
        char cmd[16];
        snprintf(cmd, sizeof cmd, "play %c x", *c);
        assert_int_equal(edge_player_words(cmd, buf, sizeof buf, argv, EDGE_PLAYER_WORDS_MAX), -1);
    }
    assert_int_equal(edge_player_words("", buf, sizeof buf, argv, EDGE_PLAYER_WORDS_MAX), -1);
    assert_int_equal(edge_player_words("a\tb", buf, sizeof buf, argv, EDGE_PLAYER_WORDS_MAX), -1);
    assert_int_equal(edge_player_words("a b c", buf, sizeof buf, argv, 3), -1);
}

/* R-K2.2.6b: retention can be configured neither below the policy's floor nor above the
 * registered period; the floor is what an unset retention means. */
static void retention_floor_and_ceiling_cannot_be_configured_away(void **state)
{
    (void)state;
    char text[4096];
    edge_config_t cfg;
    with_retention(text, sizeof text, "\"policy\":\"kawaguchi\",");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.retention_days, 7);
    assert_int_equal(cfg.registered_retention_days, 7);
    assert_int_equal(cfg.cameras[0].priority, 5);
    edge_config_free(&cfg);

    with_retention(text, sizeof text, "\"policy\":\"naha\",\"retention_days\":2,");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.policy, MM_POLICY_NAHA);
    assert_int_equal(cfg.retention_days, 2);
    edge_config_free(&cfg);

    static const char *const below[] = {
        "retention_days: the kawaguchi policy keeps footage at least 7 days "
        "(川口市防犯カメラの設置及び運用に関する基準 第2の2(6)イ); 3 is below",
        NULL};
    with_retention(text, sizeof text, "\"policy\":\"kawaguchi\",\"retention_days\":3,");
    assert_int_equal(parse(text, &cfg, below), 1);
    edge_config_free(&cfg);

    static const char *const above[] = {
        "retention_days: 30 days is longer than the period registered with the city "
        "(registered_retention_days = 14)",
        NULL};
    with_retention(text, sizeof text,
                   "\"policy\":\"naha\",\"retention_days\":30,\"registered_retention_days\":14,");
    assert_int_equal(parse(text, &cfg, above), 1);
    edge_config_free(&cfg);

    static const char *const missing[] = {"policy: missing", NULL};
    with_retention(text, sizeof text, "");
    assert_int_equal(parse(text, &cfg, missing), 1);
    edge_config_free(&cfg);

    static const char *const unknown[] = {
        "policy: must be \"kawaguchi\", \"naha\", \"city\" or \"voluntary\", got \"tokyo\"", NULL};
    with_retention(text, sizeof text, "\"policy\":\"tokyo\",");
    assert_int_equal(parse(text, &cfg, unknown), 1);
    edge_config_free(&cfg);
}

/* R-N7.5: a policy whose text leaves the period to the city's rule (naha 第7条第5号, city 第9条)
 * has no floor and no default here — the site names the period it registered, and the edge holds
 * it to the city's rule once received (cityrule.h); the 1-day floor there used to be has no
 * source. A policy whose text sets a number keeps it as floor and default (voluntary by
 * Kawaguchi 第4, R-K4). */
static void retention_from_the_text_or_named_for_the_city_rule(void **state)
{
    (void)state;
    char text[4096];
    edge_config_t cfg;
    static const char *const unnamed[] = {
        "retention_days: the naha policy leaves the retention period to the city's rule "
        "(那覇市防犯カメラの設置及び運用に関する条例 第7条第5号): set retention_days",
        NULL};
    with_retention(text, sizeof text, "\"policy\":\"naha\",");
    assert_int_equal(parse(text, &cfg, unnamed), 1);
    edge_config_free(&cfg);
    static const char *const unnamed_city[] = {
        "retention_days: the city policy leaves the retention period to the city's rule "
        "(那覇市防犯カメラの設置及び運用に関する条例 第9条)",
        NULL};
    with_retention(text, sizeof text, "\"policy\":\"city\",");
    assert_int_equal(parse(text, &cfg, unnamed_city), 1);
    edge_config_free(&cfg);

    with_retention(text, sizeof text, "\"policy\":\"naha\",\"retention_days\":1,");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.retention_days, 1);
    edge_config_free(&cfg);
    with_retention(text, sizeof text, "\"policy\":\"city\",\"registered_retention_days\":14,");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.policy, MM_POLICY_CITY);
    assert_int_equal(cfg.retention_days, 14);
    assert_int_equal(cfg.registered_retention_days, 14);
    edge_config_free(&cfg);

    with_retention(text, sizeof text, "\"policy\":\"voluntary\",");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.policy, MM_POLICY_VOLUNTARY);
    assert_int_equal(cfg.retention_days, 7);
    edge_config_free(&cfg);
    static const char *const below[] = {
        "retention_days: the voluntary policy keeps footage at least 7 days "
        "(川口市防犯カメラの設置及び運用に関する基準 第4（第2の2(6)イの趣旨）); 5 is below",
        NULL};
    with_retention(text, sizeof text, "\"policy\":\"voluntary\",\"retention_days\":5,");
    assert_int_equal(parse(text, &cfg, below), 1);
    edge_config_free(&cfg);
}

static void every_mistake_at_once(void **state)
{
    (void)state;
    const char *text =
        "{\"site\":\"site a\",\"state_dir\":\"/x\",\"segment_seconds\":0,\"colour\":1,"
        "\"hub\":{\"endpoint\":\"http://hub\",\"curve_public\":\"short\",\"verifier\":\"nope\"},"
        "\"cameras\":[{\"id\":\"cam1\",\"url\":\"http://x\"},{\"id\":\"cam1\",\"url\":\"rtsp://a\"},"
        "{\"url\":\"rtsp://b\",\"zoom\":2},7]}";
    static const char *const expect[] = {
        "/etc/mimamori/site.json: site: must be 1-63 characters",
        "/etc/mimamori/site.json: key_file: missing",
        "/etc/mimamori/site.json: segment_seconds:",
        "/etc/mimamori/site.json: colour: unknown key",
        "/etc/mimamori/site.json: hub.endpoint: must start with tcp://",
        "/etc/mimamori/site.json: hub.curve_public: must be a 40-character Z85",
        "/etc/mimamori/site.json: hub.verifier: not a signed-note verifier key",
        "/etc/mimamori/site.json: cameras[0].url: must be an rtsp://",
        "/etc/mimamori/site.json: cameras[1].id: duplicate camera id \"cam1\"",
        "/etc/mimamori/site.json: cameras[2].id: missing",
        "/etc/mimamori/site.json: cameras[2].zoom: unknown key",
        "/etc/mimamori/site.json: cameras[3]: must be an object",
        NULL,
    };
    edge_config_t cfg;
    size_t n = parse(text, &cfg, expect);
    assert_true(n >= 12);
    edge_config_free(&cfg);
}

static void no_cameras_and_no_hub(void **state)
{
    (void)state;
    static const char *const expect[] = {
        "site.json: hub: missing",
        "site.json: cameras: an edge needs at least one camera",
        NULL,
    };
    edge_config_t cfg;
    parse("{\"site\":\"s\",\"key_file\":\"k\",\"state_dir\":\"d\",\"cameras\":[]}", &cfg, expect);
    edge_config_free(&cfg);
}

static void not_json(void **state)
{
    (void)state;
    mm_conf_t *conf = NULL;
    assert_int_equal(mm_conf_load_string("site.json", "{\"site\": ", &conf), MM_ECONFIG);
    edge_config_t cfg;
    assert_int_equal(edge_config_parse(conf, &cfg), MM_ECONFIG);
    assert_true(mm_conf_problem_count(conf) >= 1);
    assert_non_null(strstr(mm_conf_problem_at(conf, 0), "site.json"));
    mm_conf_destroy(conf);
    edge_config_free(&cfg);
}

/* A configuration good but for its "console" member (console, a JSON value). */
static size_t with_console(const char *console, edge_config_t *cfg, const char *const *expect)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"site\":\"s\",\"key_file\":\"k\",\"state_dir\":\"d\",\"policy\":\"naha\","
             "\"retention_days\":7," SITE_GOV
             "\"hub\":{\"endpoint\":\"tcp://127.0.0.1:7400\",\"curve_public\":\"%s\","
             "\"verifier\":\"%s\"},"
             "\"cameras\":[{\"id\":\"c\",\"url\":\"rtsp://127.0.0.1:1/c\"" CAM_GOV "}],"
             "\"console\":%s}",
             HUB_CURVE, verifier, console);
    return parse(text, cfg, expect);
}

static void console_keys_checked(void **state)
{
    (void)state;
    edge_config_t cfg;
    assert_int_equal(with_console("{\"listen\":\"0.0.0.0:8443\",\"http_redirect\":\"[::1]:80\","
                                  "\"cert\":\"c.pem\",\"key\":\"k.pem\",\"idle_minutes\":5}",
                                  &cfg, NULL),
                     0);
    assert_true(cfg.console.enabled);
    assert_string_equal(cfg.console.listen.host, "0.0.0.0");
    assert_int_equal(cfg.console.listen.port, 8443);
    assert_true(cfg.console.redirect);
    assert_string_equal(cfg.console.http_redirect.host, "::1");
    assert_int_equal(cfg.console.http_redirect.port, 80);
    assert_string_equal(cfg.console.cert, "/etc/mimamori/c.pem");
    assert_int_equal(cfg.console.idle_minutes, 5);
    assert_int_equal(cfg.console.session_hours, 12); /* defaults */
    assert_int_equal(cfg.console.max_failures, 5);
    edge_config_free(&cfg);

    static const char *const expect[] = {
        "console.listen: \"shop.local\" is not an IPv4 address",
        "console.http_redirect: must be \"host:port\"",
        "console.key: \"cert\" and \"key\" go together",
        "console.idle_minutes",
        "console.colour: unknown key",
        NULL,
    };
    assert_int_equal(with_console("{\"listen\":\"shop.local:443\",\"http_redirect\":\"1.2.3.4\","
                                  "\"cert\":\"c.pem\",\"idle_minutes\":0,\"colour\":1}",
                                  &cfg, expect),
                     5);
    edge_config_free(&cfg);
    static const char *const need[] = {"console.listen: missing", NULL};
    assert_int_equal(with_console("{}", &cfg, need), 1);
    edge_config_free(&cfg);
}

/* A configuration good but for its "alerts" member (alerts.h). */
static size_t with_alerts(const char *alerts, edge_config_t *cfg, const char *const *expect)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"site\":\"s\",\"key_file\":\"k\",\"state_dir\":\"d\",\"policy\":\"naha\","
             "\"retention_days\":7," SITE_GOV
             "\"hub\":{\"endpoint\":\"tcp://127.0.0.1:7400\",\"curve_public\":\"%s\","
             "\"verifier\":\"%s\"},"
             "\"cameras\":[{\"id\":\"c\",\"url\":\"rtsp://127.0.0.1:1/c\"" CAM_GOV "}],"
             "\"alerts\":%s}",
             HUB_CURVE, verifier, alerts);
    return parse(text, cfg, expect);
}

static void alerts_keys_checked_with_their_names(void **state)
{
    (void)state;
    edge_config_t cfg;
    assert_int_equal(with_alerts("{\"webhook\":\"http://127.0.0.1:9000/hook\","
                                 "\"camera_down_seconds\":3,\"deadline_days\":0}",
                                 &cfg, NULL),
                     0);
    assert_true(cfg.alerts.has_webhook);
    assert_string_equal(cfg.alerts.webhook.host, "127.0.0.1");
    assert_int_equal(cfg.alerts.webhook.port, 9000);
    assert_string_equal(cfg.alerts.webhook.path, "/hook");
    assert_int_equal(cfg.alerts.camera_down_seconds, 3);
    assert_int_equal(cfg.alerts.hub_down_minutes, 10); /* the default */
    assert_int_equal(cfg.alerts.deadline_days, 0);
    edge_config_free(&cfg);
    assert_int_equal(with_alerts("{\"webhook\":\"http://[::1]/a?b=c\"}", &cfg, NULL), 0);
    assert_string_equal(cfg.alerts.webhook.host, "::1");
    assert_int_equal(cfg.alerts.webhook.port, 80);
    assert_string_equal(cfg.alerts.webhook.path, "/a?b=c");
    edge_config_free(&cfg);

    static const char *const expect[] = {
        "alerts.webhook: only http:// is spoken",
        "alerts.camera_down_seconds",
        "alerts.hub_down_minutes",
        "alerts.deadline_days",
        "alerts.sms: unknown key",
        NULL,
    };
    assert_int_equal(with_alerts("{\"webhook\":\"https://hooks.example/x\","
                                 "\"camera_down_seconds\":0,\"hub_down_minutes\":\"ten\","
                                 "\"deadline_days\":31,\"sms\":1}",
                                 &cfg, expect),
                     5);
    edge_config_free(&cfg);
    static const char *const bad[][2] = {
        {"{\"webhook\":\"ftp://x/\"}", "alerts.webhook: must be an http:// URL"},
        {"{\"webhook\":\"http://user@host/\"}", "alerts.webhook: may hold no space"},
        {"{\"webhook\":\"http://host:0/\"}", "alerts.webhook: the port must be 1-65535"},
        {"{\"webhook\":\"http://ho st/\"}", "alerts.webhook: may hold no space"},
        {"{\"webhook\":\"http://[::1/\"}", "alerts.webhook: an IPv6 address goes between"},
        {"{\"webhook\":\"http:///hook\"}", "alerts.webhook: needs a host"},
        {"{\"webhook\":7}", "alerts.webhook"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *const one[] = {bad[i][1], NULL};
        assert_int_equal(with_alerts(bad[i][0], &cfg, one), 1);
        edge_config_free(&cfg);
    }
}

/* "scrub" (scrub.h): the defaults without it, its keys checked with their names. */
static void scrub_keys_checked_with_their_names(void **state)
{
    (void)state;
    edge_config_t cfg;
    char text[4096];
    snprintf(text, sizeof text,
             "{\"site\":\"s\",\"key_file\":\"k\",\"state_dir\":\"d\",\"policy\":\"naha\","
             "\"retention_days\":7," SITE_GOV
             "\"hub\":{\"endpoint\":\"tcp://127.0.0.1:7400\",\"curve_public\":\"%s\","
             "\"verifier\":\"%s\"},"
             "\"cameras\":[{\"id\":\"c\",\"url\":\"rtsp://127.0.0.1:1/c\"" CAM_GOV "}]}",
             HUB_CURVE, verifier);
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.scrub.period_seconds, 3600);
    assert_int_equal(cfg.scrub.bytes_per_second, 16LL * 1024 * 1024);
    edge_config_free(&cfg);
    size_t len = strlen(text);
    snprintf(text + len - 1, sizeof text - len + 1,
             ",\"scrub\":{\"period_seconds\":10,\"bytes_per_second\":65536}}");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.scrub.period_seconds, 10);
    assert_int_equal(cfg.scrub.bytes_per_second, 65536);
    edge_config_free(&cfg);
    static const char *const expect[] = {"scrub.period_seconds", "scrub.bytes_per_second",
                                         "scrub.every: unknown key", NULL};
    snprintf(text + len - 1, sizeof text - len + 1,
             ",\"scrub\":{\"period_seconds\":0,\"bytes_per_second\":12,\"every\":5}}");
    assert_int_equal(parse(text, &cfg, expect), 3);
    edge_config_free(&cfg);
}

/* "clock": {"jump_seconds"} (ingest.h): 2 s unless given, 1-3600, checked naming its key. */
static void clock_jump_bound_checked(void **state)
{
    (void)state;
    edge_config_t cfg;
    assert_int_equal(with_alerts("{}", &cfg, NULL), 0);
    assert_int_equal(cfg.clock_jump_seconds, 2);
    edge_config_free(&cfg);
    assert_int_equal(with_alerts("{},\"clock\":{\"jump_seconds\":5}", &cfg, NULL), 0);
    assert_int_equal(cfg.clock_jump_seconds, 5);
    edge_config_free(&cfg);
    static const char *const expect[] = {"clock.jump_seconds", "clock.step: unknown key", NULL};
    assert_int_equal(with_alerts("{},\"clock\":{\"jump_seconds\":0,\"step\":1}", &cfg, expect), 2);
    edge_config_free(&cfg);
}

#define RTSP_CLIENT_FMT                                                                            \
    "{\"site\":\"s\",\"key_file\":\"k\",\"state_dir\":\"d\",\"policy\":\"naha\",\"retention_"      \
    "days\":7," SITE_GOV "\"hub\":{\"endpoint\":\"tcp://127.0.0.1:7400\",\"curve_public\":\"%s\"," \
    "\"verifier\":\"%s\"},\"cameras\":[{\"id\":\"a\",\"url\":\"rtsp://h/a\"" CAM_GOV               \
    "},{\"id\":\"b\",\"url\":\"rtsps://h/b\"" CAM_GOV "},{\"id\":\"c\","                           \
    "\"url\":\"rtsp://h/c\",\"rtsp_client\":\"%s\"" CAM_GOV "}]}"

/* A camera's RTSP client: ours by default for rtsp://, libavformat's for rtsps:// and on request;
 * anything else, or ours for rtsps://, is refused with the key named. */
static void rtsp_client_chosen_or_refused(void **state)
{
    (void)state;
    char text[4096];
    edge_config_t cfg;
    snprintf(text, sizeof text, RTSP_CLIENT_FMT, HUB_CURVE, verifier, "libav");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.cameras[0].rtsp_client, EDGE_RTSP_CLIENT_OWN);
    assert_int_equal(cfg.cameras[1].rtsp_client, EDGE_RTSP_CLIENT_LIBAV);
    assert_int_equal(cfg.cameras[2].rtsp_client, EDGE_RTSP_CLIENT_LIBAV);
    edge_config_free(&cfg);
    snprintf(text, sizeof text, RTSP_CLIENT_FMT, HUB_CURVE, verifier, "own");
    assert_int_equal(parse(text, &cfg, NULL), 0);
    assert_int_equal(cfg.cameras[2].rtsp_client, EDGE_RTSP_CLIENT_OWN);
    edge_config_free(&cfg);
    static const char *const expect[] = {"cameras[2].rtsp_client: must be \"own\"", NULL};
    snprintf(text, sizeof text, RTSP_CLIENT_FMT, HUB_CURVE, verifier, "gst");
    assert_int_equal(parse(text, &cfg, expect), 1);
    edge_config_free(&cfg);
    char *b = strstr(text, "rtsps://h/b\"");
    assert_non_null(b);
    memmove(b + 12 + 20, b + 12, strlen(b + 12) + 1);
    memcpy(b + 12, ",\"rtsp_client\":\"own\"", 20);
    static const char *const expect2[] = {"cameras[1].rtsp_client: our RTSP client does not speak",
                                          NULL};
    assert_int_equal(parse(text, &cfg, expect2), 2);
    edge_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good),
        cmocka_unit_test(every_mistake_at_once),
        cmocka_unit_test(scrub_keys_checked_with_their_names),
        cmocka_unit_test(retention_floor_and_ceiling_cannot_be_configured_away),
        cmocka_unit_test(retention_from_the_text_or_named_for_the_city_rule),
        cmocka_unit_test(no_cameras_and_no_hub),
        cmocka_unit_test(not_json),
        cmocka_unit_test(timezone_named_or_refused),
        cmocka_unit_test(night_staff_is_a_boolean),
        cmocka_unit_test(R_N7_3_players_are_named_commands_without_a_shell),
        cmocka_unit_test(console_keys_checked),
        cmocka_unit_test(alerts_keys_checked_with_their_names),
        cmocka_unit_test(clock_jump_bound_checked),
        cmocka_unit_test(rtsp_client_chosen_or_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
