/*
 * test_governance.c: the rules about people and cameras that the site configuration enforces
 * as it loads — R-K2.2.2 / R-N5.5 (a manager), R-N6.1 (operators are not the manager), R-N5.6
 * (contractor staff are operators), R-K2.2.1 / R-N5.4 (signage showing the installer),
 * R-K2.1.3a (public share: 2/3, or 1/2 with a written reason), R-K2.1.3c (consensus and the land
 * owner's permission). Each mistake is reported with the key it is at, all at once.
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

static int setup(void **state)
{
    (void)state;
    uint8_t pub[MM_ED25519_PUB_LEN] = {1, 2, 3};
    mm_note_verifier_t v;
    assert_int_equal(mm_note_verifier_make("hub", MM_NOTE_ALG_ED25519, pub, &v), MM_OK);
    assert_int_equal(mm_note_verifier_format(&v, verifier, sizeof verifier), MM_OK);
    return 0;
}

/* The site's governance members, good, with three people; tests replace what they break. */
#define INSTALLER "\"installer\":{\"name\":\"中央通り商店街振興組合\",\"contact\":\"048-000-0000\"},"
#define PURPOSE "\"purpose\":\"防犯\",\"storage_location\":\"組合事務所\","
#define CONSENT                                                                                    \
    "\"consensus\":{\"date\":\"2026-03-01\",\"note\":\"総会\"},"                                       \
    "\"land_owner_permission\":{\"reference\":\"許可 17\",\"date\":\"2026-03-10\"},"
#define PEOPLE                                                                                     \
    "\"people\":[{\"id\":\"tanaka\",\"name\":\"田中一郎\",\"account\":\"tanaka\"},"                     \
    "{\"id\":\"suzuki\",\"name\":\"鈴木花子\",\"account\":\"suzuki\"},"                                 \
    "{\"id\":\"sato\",\"name\":\"佐藤次郎\",\"account\":\"sato\"}],"
#define ROLES "\"manager\":\"tanaka\",\"operators\":[\"suzuki\",\"sato\"],"
#define SIGN                                                                                       \
    "\"signage\":{\"text\":\"防犯カメラ作動中 設置者 中央通り商店街振興組合\","                        \
    "\"installer_shown\":true,\"checked\":\"2026-04-15\"}"
#define CAM_BASE "\"location\":\"3番地\",\"purpose\":\"歩道\",\"install_date\":\"2026-04-10\","
#define ALL_PUBLIC                                                                                 \
    "\"coverage\":{\"areas\":[{\"kind\":\"public\",\"points\":[[0,0],[1,0],[1,1],[0,1]]}]}"

/* A public rectangle over the left fraction w of the frame, as a coverage member. */
static void left_public(char *out, size_t cap, double w, const char *exception)
{
    char ex[256] = "";
    if (exception)
        snprintf(ex, sizeof ex, ",\"exception\":\"%s\"", exception);
    snprintf(out, cap,
             "\"coverage\":{\"areas\":[{\"kind\":\"public\",\"points\":[[0,0],[%.6f,0],[%.6f,1],"
             "[0,1]]},{\"kind\":\"private\",\"points\":[[%.6f,0],[1,0],[1,1],[%.6f,1]]}]%s}",
             w, w, w, w, ex);
}

static void make(char *text, size_t cap, const char *policy, const char *site_members,
                 const char *camera_members)
{
    snprintf(text, cap,
             "{\"site\":\"s\",\"key_file\":\"k\",\"state_dir\":\"d\",\"policy\":\"%s\","
             "\"retention_days\":7,%s"
             "\"hub\":{\"endpoint\":\"tcp://127.0.0.1:7400\",\"curve_public\":\"%s\","
             "\"verifier\":\"%s\"},"
             "\"cameras\":[{\"id\":\"cam1\",\"url\":\"rtsp://127.0.0.1:1/c\",%s}]}",
             policy, site_members, HUB_CURVE, verifier, camera_members);
}

/* Parses text; checks that each expected problem is there and that there are exactly n. */
static void expect_problems(const char *text, size_t n, const char *const *expect,
                            edge_config_t *cfg_out)
{
    mm_conf_t *conf = NULL;
    mm_conf_load_string("/etc/mimamori/site.json", text, &conf);
    assert_non_null(conf);
    edge_config_t cfg;
    mm_err_t err = edge_config_parse(conf, &cfg);
    size_t got = mm_conf_problem_count(conf);
    int bad = got != n;
    for (size_t i = 0; expect && expect[i]; i++) {
        int found = 0;
        for (size_t j = 0; j < got; j++)
            if (strstr(mm_conf_problem_at(conf, j), expect[i]))
                found = 1;
        if (!found) {
            print_message("missing: %s\n", expect[i]);
            bad = 1;
        }
    }
    if (bad) {
        for (size_t j = 0; j < got; j++)
            print_message("problem: %s\n", mm_conf_problem_at(conf, j));
        fail_msg("%zu problems, want %zu", got, n);
    }
    assert_int_equal(err, n ? MM_ECONFIG : MM_OK);
    mm_conf_destroy(conf);
    if (cfg_out)
        *cfg_out = cfg;
    else
        edge_config_free(&cfg);
}

static void a_good_site_loads_with_its_people_and_cameras(void **state)
{
    (void)state;
    char text[8192];
    make(text, sizeof text, "kawaguchi", INSTALLER PURPOSE CONSENT PEOPLE ROLES,
         CAM_BASE SIGN "," ALL_PUBLIC);
    edge_config_t cfg;
    expect_problems(text, 0, NULL, &cfg);
    const edge_governance_t *g = &cfg.gov;
    assert_string_equal(g->installer_name, "中央通り商店街振興組合");
    assert_string_equal(g->consensus_date, "2026-03-01");
    assert_string_equal(g->land_permission_ref, "許可 17");
    assert_int_equal(g->n_people, 3);
    assert_string_equal(g->people[g->manager].id, "tanaka");
    assert_false(g->is_operator[g->manager]);
    assert_true(g->is_operator[1] && g->is_operator[2]);
    assert_int_equal(edge_governance_person_by_account(g, "sato"), 2);
    assert_int_equal(edge_governance_person_by_account(g, "root"), -1);
    const edge_camera_gov_t *c = &cfg.cameras[0].gov;
    assert_string_equal(c->install_date, "2026-04-10");
    assert_true(c->signage_installer_shown);
    assert_int_equal(c->n_areas, 1);
    assert_true(c->coverage.public_share > 0.999999);
    assert_true(c->threshold > 0.66 && c->threshold < 0.67);
    edge_config_free(&cfg);
}

/* R-K2.2.2, R-N5.5: a site cannot record without a named manager. */
static void R_K2_2_2_no_manager_no_recording(void **state)
{
    (void)state;
    char text[8192];
    static const char *const missing[] = {
        "site.json: manager: missing: a site records only with a named manager", NULL};
    make(text, sizeof text, "kawaguchi",
         INSTALLER PURPOSE CONSENT PEOPLE "\"operators\":[\"suzuki\"],",
         CAM_BASE SIGN "," ALL_PUBLIC);
    expect_problems(text, 1, missing, NULL);

    static const char *const nobody[] = {"site.json: manager: \"yamada\" is not in people", NULL};
    make(text, sizeof text, "naha", INSTALLER PURPOSE PEOPLE "\"manager\":\"yamada\",",
         CAM_BASE SIGN "," ALL_PUBLIC);
    expect_problems(text, 1, nobody, NULL);
}

/* R-N6.1: operators are other people than the manager; one OS account is one person. */
static void R_N6_1_an_operator_who_is_the_manager_is_refused(void **state)
{
    (void)state;
    char text[8192];
    static const char *const same[] = {
        "site.json: operators[1]: tanaka is the manager; an operator must be someone else", NULL};
    make(text, sizeof text, "kawaguchi",
         INSTALLER PURPOSE CONSENT PEOPLE "\"manager\":\"tanaka\",\"operators\":[\"suzuki\","
                                          "\"tanaka\"],",
         CAM_BASE SIGN "," ALL_PUBLIC);
    expect_problems(text, 1, same, NULL);

    /* The manager under a second person id with the same account is the same person. */
    static const char *const account[] = {
        "site.json: people[1].account: account \"tanaka\" already belongs to tanaka", NULL};
    make(text, sizeof text, "kawaguchi",
         INSTALLER PURPOSE CONSENT
         "\"people\":[{\"id\":\"tanaka\",\"name\":\"田中\",\"account\":\"tanaka\"},"
         "{\"id\":\"tanaka2\",\"name\":\"田中\",\"account\":\"tanaka\"}],"
         "\"manager\":\"tanaka\",\"operators\":[\"tanaka2\"],",
         CAM_BASE SIGN "," ALL_PUBLIC);
    expect_problems(text, 1, account, NULL);
}

/* R-N5.6: contractor staff work the cameras as operators, with the same limits. */
static void R_N5_6_contractor_staff_must_be_operators(void **state)
{
    (void)state;
    char text[8192];
    static const char *const expect[] = {
        "site.json: contractors[0].staff[1]: tanaka works for a contractor but is not an "
        "operator",
        NULL};
    make(text, sizeof text, "naha",
         INSTALLER PURPOSE PEOPLE ROLES
         "\"contractors\":[{\"name\":\"警備会社\",\"staff\":[\"sato\",\"tanaka\"]}],",
         CAM_BASE SIGN "," ALL_PUBLIC);
    expect_problems(text, 1, expect, NULL);
}

/* R-K2.2.1, R-N5.4: a sign says that the camera operates and shows who installed it. */
static void R_K2_2_1_signage_is_required_and_names_the_installer(void **state)
{
    (void)state;
    char text[8192];
    static const char *const none[] = {"site.json: cameras[0].signage: missing: every camera "
                                       "needs a sign",
                                       NULL};
    make(text, sizeof text, "naha", INSTALLER PURPOSE PEOPLE ROLES, CAM_BASE ALL_PUBLIC);
    expect_problems(text, 1, none, NULL);

    static const char *const hidden[] = {
        "site.json: cameras[0].signage.installer_shown: the sign must show the installer's name",
        "site.json: cameras[0].signage.checked: must be a date written YYYY-MM-DD, got "
        "\"2026-02-30\"",
        NULL};
    make(text, sizeof text, "naha", INSTALLER PURPOSE PEOPLE ROLES,
         CAM_BASE "\"signage\":{\"text\":\"作動中\",\"installer_shown\":false,"
                  "\"checked\":\"2026-02-30\"}," ALL_PUBLIC);
    expect_problems(text, 2, hidden, NULL);

    /* Every character of a date is a digit or one of its two dashes. */
    static const char *const loose[] = {
        "site.json: cameras[0].signage.checked: must be a date written YYYY-MM-DD, got "
        "\"2026-+4- 1\"",
        NULL};
    make(text, sizeof text, "naha", INSTALLER PURPOSE PEOPLE ROLES,
         CAM_BASE "\"signage\":{\"text\":\"作動中\",\"installer_shown\":true,"
                  "\"checked\":\"2026-+4- 1\"}," ALL_PUBLIC);
    expect_problems(text, 1, loose, NULL);
}

/* R-K2.1.3a: at least 2/3 of the image is public; 1/2 with a written reason; naha: reported. */
static void R_K2_1_3a_public_share_threshold_and_exception(void **state)
{
    (void)state;
    char text[8192], cam[2048], cov[1024];
    edge_config_t cfg;

    left_public(cov, sizeof cov, 0.7, NULL);
    snprintf(cam, sizeof cam, CAM_BASE SIGN ",%s", cov);
    make(text, sizeof text, "kawaguchi", INSTALLER PURPOSE CONSENT PEOPLE ROLES, cam);
    expect_problems(text, 0, NULL, &cfg);
    assert_true(cfg.cameras[0].gov.coverage.public_share > 0.699999 &&
                cfg.cameras[0].gov.coverage.public_share < 0.700001);
    edge_config_free(&cfg);

    static const char *const below[] = {
        "site.json: cameras[0].coverage: camera cam1 shows 60.0 % public space; the kawaguchi "
        "policy needs at least 2/3, or 1/2 with a written reason in coverage.exception",
        NULL};
    left_public(cov, sizeof cov, 0.6, NULL);
    snprintf(cam, sizeof cam, CAM_BASE SIGN ",%s", cov);
    make(text, sizeof text, "kawaguchi", INSTALLER PURPOSE CONSENT PEOPLE ROLES, cam);
    expect_problems(text, 1, below, NULL);

    /* The same camera with the building written down as the reason. */
    left_public(cov, sizeof cov, 0.6, "両側の建物が道路に迫り 2/3 は写せない");
    snprintf(cam, sizeof cam, CAM_BASE SIGN ",%s", cov);
    make(text, sizeof text, "kawaguchi", INSTALLER PURPOSE CONSENT PEOPLE ROLES, cam);
    expect_problems(text, 0, NULL, &cfg);
    assert_true(cfg.cameras[0].gov.threshold == 0.5);
    edge_config_free(&cfg);

    static const char *const half[] = {
        "site.json: cameras[0].coverage: camera cam1 shows 45.0 % public space; even with the "
        "exception the kawaguchi policy needs at least 1/2",
        NULL};
    left_public(cov, sizeof cov, 0.45, "建物");
    snprintf(cam, sizeof cam, CAM_BASE SIGN ",%s", cov);
    make(text, sizeof text, "kawaguchi", INSTALLER PURPOSE CONSENT PEOPLE ROLES, cam);
    expect_problems(text, 1, half, NULL);

    /* Naha has no share threshold: the share is computed and kept for the report. */
    left_public(cov, sizeof cov, 0.45, NULL);
    snprintf(cam, sizeof cam, CAM_BASE SIGN ",%s", cov);
    make(text, sizeof text, "naha", INSTALLER PURPOSE PEOPLE ROLES, cam);
    expect_problems(text, 0, NULL, &cfg);
    assert_true(cfg.cameras[0].gov.threshold == 0);
    assert_true(cfg.cameras[0].gov.coverage.public_share < 0.450001);
    edge_config_free(&cfg);

    static const char *const bad_area[] = {
        "site.json: cameras[0].coverage.areas[0].kind: must be \"public\", \"private\" or "
        "\"masked\", got \"street\"",
        "site.json: cameras[0].coverage.areas[1].points[1]: must be a point [x, y] of two "
        "numbers",
        "site.json: cameras[0].coverage.areas[2].points:",
        NULL};
    make(text, sizeof text, "naha", INSTALLER PURPOSE PEOPLE ROLES,
         CAM_BASE SIGN ",\"coverage\":{\"areas\":["
                       "{\"kind\":\"street\",\"points\":[[0,0],[1,0],[1,1]]},"
                       "{\"kind\":\"public\",\"points\":[[0,0],\"x\",[1,1]]},"
                       "{\"kind\":\"public\",\"points\":[[0,0],[1,1]]}]}");
    expect_problems(text, 3, bad_area, NULL);
}

/* R-K2.1.3c: consensus and the land owner's permission, required under kawaguchi. */
static void R_K2_1_3c_consensus_and_permission(void **state)
{
    (void)state;
    char text[8192];
    static const char *const expect[] = {"site.json: consensus: missing",
                                         "site.json: land_owner_permission: missing", NULL};
    make(text, sizeof text, "kawaguchi", INSTALLER PURPOSE PEOPLE ROLES,
         CAM_BASE SIGN "," ALL_PUBLIC);
    expect_problems(text, 2, expect, NULL);
    make(text, sizeof text, "naha", INSTALLER PURPOSE PEOPLE ROLES, CAM_BASE SIGN "," ALL_PUBLIC);
    expect_problems(text, 0, NULL, NULL);
}

/* Every mistake of a careless file at once, each at its key. */
static void every_governance_mistake_at_once(void **state)
{
    (void)state;
    char text[8192];
    static const char *const expect[] = {
        "site.json: installer: missing",
        "site.json: purpose: must not be empty",
        "site.json: storage_location: missing",
        "site.json: consensus.date: must be a date written YYYY-MM-DD, got \"1 March\"",
        "site.json: land_owner_permission.reference: missing",
        "site.json: people[0].account: must be a login name",
        "site.json: people[2].id: duplicate person id \"b\"",
        "site.json: cameras[0].location: missing",
        "site.json: cameras[0].install_date: missing",
        "site.json: cameras[0].signage.text: missing",
        "site.json: cameras[0].coverage: missing",
        "site.json: cameras[0].tilt: unknown key",
        NULL};
    make(text, sizeof text, "kawaguchi",
         "\"purpose\":\"  \",\"consensus\":{\"date\":\"1 March\"},\"land_owner_permission\":{},"
         "\"people\":[{\"id\":\"a\",\"name\":\"A\",\"account\":\"9root\"},"
         "{\"id\":\"b\",\"name\":\"B\",\"account\":\"b\"},"
         "{\"id\":\"b\",\"name\":\"B2\",\"account\":\"b2\"}],\"manager\":\"a\",",
         "\"purpose\":\"x\",\"tilt\":3,\"signage\":{\"installer_shown\":true,"
         "\"checked\":\"2026-01-01\"}");
    expect_problems(text, 12, expect, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_site_loads_with_its_people_and_cameras),
        cmocka_unit_test(R_K2_2_2_no_manager_no_recording),
        cmocka_unit_test(R_N6_1_an_operator_who_is_the_manager_is_refused),
        cmocka_unit_test(R_N5_6_contractor_staff_must_be_operators),
        cmocka_unit_test(R_K2_2_1_signage_is_required_and_names_the_installer),
        cmocka_unit_test(R_K2_1_3a_public_share_threshold_and_exception),
        cmocka_unit_test(R_K2_1_3c_consensus_and_permission),
        cmocka_unit_test(every_governance_mistake_at_once),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
