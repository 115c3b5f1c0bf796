/*
 * test_purpose.c: why footage is looked at (purpose.h) — R-K2.2.5 and R-N7.4: a viewing records
 * its purpose; one the site declared (the site's, or the camera's) needs nothing more, another
 * needs a legal basis the site's policy admits for use for another purpose: at a Kawaguchi site an
 * emergency or a legal procedure, never consent; at a Naha site consent too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/config.h"
#include "edge/purpose.h"
#include "edge/siteconf.h"

#define HUB_CURVE "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

static edge_config_t kawaguchi, naha;

#define CAMERA(id, purpose)                                                                        \
    "{\"id\":\"" id                                                                                \
    "\",\"url\":\"rtsp://127.0.0.1:1/c\",\"location\":\"3番地\",\"purpose\":\"" purpose            \
    "\",\"install_date\":\"2026-04-10\",\"signage\":{\"text\":\"防犯カメラ作動中\","       \
    "\"installer_shown\":true,\"checked\":\"2026-04-15\"},\"coverage\":{\"areas\":[{"              \
    "\"kind\":\"public\",\"points\":[[0,0],[1,0],[1,1],[0,1]]}]}}"

static void load(edge_config_t *cfg, const char *policy)
{
    char verifier[MM_VERIFIER_MAX];
    uint8_t pub[MM_ED25519_PUB_LEN] = {1, 2, 3};
    mm_note_verifier_t v;
    assert_int_equal(mm_note_verifier_make("hub", MM_NOTE_ALG_ED25519, pub, &v), MM_OK);
    assert_int_equal(mm_note_verifier_format(&v, verifier, sizeof verifier), MM_OK);
    char text[8192];
    snprintf(
        text, sizeof text,
        "{\"site\":\"s\",\"key_file\":\"k\",\"state_dir\":\"d\",\"policy\":\"%s\",\"retention_"
        "days\":7,"
        "\"installer\":{\"name\":\"組合\",\"contact\":\"048\"},"
        "\"purpose\":\" 防犯（街頭犯罪の抑止） \",\"storage_location\":\"事務所\","
        "\"consensus\":{\"date\":\"2026-03-01\"},"
        "\"land_owner_permission\":{\"reference\":\"許可 1\"},"
        "\"people\":[{\"id\":\"m\",\"name\":\"管理\",\"account\":\"mgr\"}],\"manager\":\"m\","
        "\"hub\":{\"endpoint\":\"tcp://127.0.0.1:7400\",\"curve_public\":\"%s\","
        "\"verifier\":\"%s\"},"
        "\"cameras\":[" CAMERA("cam1", "歩道の見守り") "," CAMERA("cam2", "交通事故の確認") "]}",
        policy, HUB_CURVE, verifier);
    mm_conf_t *conf = NULL;
    mm_conf_load_string("/etc/mimamori/site.json", text, &conf);
    assert_non_null(conf);
    mm_err_t err = edge_config_parse(conf, cfg);
    for (size_t j = 0; j < mm_conf_problem_count(conf); j++)
        print_message("problem: %s\n", mm_conf_problem_at(conf, j));
    mm_conf_destroy(conf);
    assert_int_equal(err, MM_OK);
}

static int group_setup(void **state)
{
    (void)state;
    load(&kawaguchi, "kawaguchi");
    load(&naha, "naha");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    edge_config_free(&kawaguchi);
    edge_config_free(&naha);
    return 0;
}

static edge_purpose_decision_t decide(const edge_config_t *cfg, const char *camera,
                                      const char *purpose, mm_legal_basis_t basis)
{
    edge_purpose_decision_t d;
    edge_purpose_decide(cfg, camera, purpose, basis, &d);
    return d;
}

static void assert_declared(edge_purpose_decision_t d, const char *recorded)
{
    if (!d.allowed || d.other || strcmp(d.purpose, recorded) != 0)
        fail_msg("want the declared \"%s\", got allowed=%d other=%d \"%s\" (%s)", recorded,
                 d.allowed, d.other, d.purpose, d.reason);
}

static void assert_refused(edge_purpose_decision_t d, const char *want)
{
    if (d.allowed || !strstr(d.reason, want))
        fail_msg("want a refusal saying \"%s\", got allowed=%d \"%s\"", want, d.allowed, d.reason);
}

/* R-K2.2.5: the site's and the camera's purposes pass, by their text or by the words that name
 * them, and are recorded as declared; another camera's purpose is another purpose here. */
static void R_K2_2_5_a_declared_purpose_needs_nothing_more(void **state)
{
    (void)state;
    const char *site = "防犯（街頭犯罪の抑止）";
    assert_declared(decide(&kawaguchi, "cam1", "防犯（街頭犯罪の抑止）", MM_LEGAL_BASIS_NONE),
                    site);
    assert_declared(decide(&kawaguchi, "cam1", "  防犯（街頭犯罪の抑止）\n", MM_LEGAL_BASIS_NONE),
                    site);
    assert_declared(decide(&kawaguchi, "cam1", "site", MM_LEGAL_BASIS_NONE), site);
    assert_declared(decide(&kawaguchi, "cam1", "camera", MM_LEGAL_BASIS_NONE), "歩道の見守り");
    assert_declared(decide(&kawaguchi, "cam2", "camera", MM_LEGAL_BASIS_NONE), "交通事故の確認");
    assert_declared(decide(&kawaguchi, "cam2", "交通事故の確認", MM_LEGAL_BASIS_NONE),
                    "交通事故の確認");
    /* Not this camera's: another purpose. */
    assert_refused(decide(&kawaguchi, "cam1", "交通事故の確認", MM_LEGAL_BASIS_NONE),
                   "not one the site declared");
    /* Live view of the site (no camera): any camera's purpose is the site's. */
    assert_declared(decide(&kawaguchi, NULL, "交通事故の確認", MM_LEGAL_BASIS_NONE),
                    "交通事故の確認");
    assert_refused(decide(&kawaguchi, "", "camera", MM_LEGAL_BASIS_NONE),
                   "not one the site declared");
    /* A basis given with a declared purpose changes nothing. */
    assert_declared(decide(&naha, "cam1", "site", MM_LEGAL_BASIS_LAW), site);
}

/* R-K2.2.5: another purpose at a Kawaguchi site only in an emergency or under a legal procedure
 * (2(5) ア, イ), or for the person's own images (R-K3); never on consent. The refusal names the
 * clause. */
static void R_K2_2_5_another_purpose_at_kawaguchi_needs_emergency_or_law(void **state)
{
    (void)state;
    edge_purpose_decision_t d =
        decide(&kawaguchi, "cam1", "近隣トラブルの確認", MM_LEGAL_BASIS_NONE);
    assert_refused(d, "use for another purpose needs a basis the kawaguchi policy admits "
                      "(第2の2(5)): emergency, law, own_images");
    assert_refused(decide(&kawaguchi, "cam1", "保険会社への説明", MM_LEGAL_BASIS_CONSENT),
                   "consent is no basis for use for another purpose under the kawaguchi policy "
                   "(第2の2(5)), which admits emergency, law, own_images");
    d = decide(&kawaguchi, "cam1", " 行方不明者の捜索 ", MM_LEGAL_BASIS_EMERGENCY);
    assert_true(d.allowed && d.other);
    assert_string_equal(d.purpose, "行方不明者の捜索");
    d = decide(&kawaguchi, "cam2", "捜査関係事項照会への対応", MM_LEGAL_BASIS_LAW);
    assert_true(d.allowed && d.other);
    /* Out-of-range bases are none. */
    assert_refused(decide(&kawaguchi, "cam1", "x", (mm_legal_basis_t)99), "needs a basis");
}

/* R-N7.4: at a Naha site consent, a law or ordinance, or an emergency. */
static void R_N7_4_another_purpose_at_naha_may_rest_on_consent(void **state)
{
    (void)state;
    edge_purpose_decision_t d = decide(&naha, "cam1", "保険会社への説明", MM_LEGAL_BASIS_CONSENT);
    assert_true(d.allowed && d.other);
    assert_refused(decide(&naha, "cam1", "保険会社への説明", MM_LEGAL_BASIS_NONE),
                   "needs a basis the naha policy admits (第7条第4号): consent, law, emergency, "
                   "own_images");
    assert_true(decide(&naha, "cam1", "火災", MM_LEGAL_BASIS_EMERGENCY).allowed);
    assert_true(decide(&naha, "cam1", "令状", MM_LEGAL_BASIS_LAW).allowed);
    assert_true(edge_purpose_basis_admitted(MM_POLICY_NAHA, MM_LEGAL_BASIS_CONSENT));
    assert_false(edge_purpose_basis_admitted(MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_CONSENT));
    assert_false(edge_purpose_basis_admitted(MM_POLICY_NAHA, MM_LEGAL_BASIS_NONE));
}

/* No purpose at all is refused, saying how to give one. */
static void a_viewing_names_its_purpose(void **state)
{
    (void)state;
    assert_refused(decide(&kawaguchi, "cam1", "", MM_LEGAL_BASIS_NONE), "names its purpose");
    assert_refused(decide(&kawaguchi, "cam1", " \t ", MM_LEGAL_BASIS_EMERGENCY), "\"site\"");
    assert_refused(decide(&naha, "cam1", NULL, MM_LEGAL_BASIS_NONE), "(naha 第7条第4号)");
}

/* Under every policy a refusal fits an access entry's reason whole (MM_TEXT_MAX), clauses and
 * all. */
static void every_policys_refusal_fits_the_log(void **state)
{
    (void)state;
    for (int p = 0; p < MM_POLICY_COUNT; p++) {
        edge_config_t cfg;
        load(&cfg, mm_policy_name((mm_policy_t)p));
        for (int b = 0; b < MM_LEGAL_BASIS_COUNT; b++) {
            edge_purpose_decision_t d = decide(&cfg, "cam1", "別の目的", (mm_legal_basis_t)b);
            if (!d.allowed && (strlen(d.reason) >= MM_TEXT_MAX || !strstr(d.reason, "(")))
                fail_msg("%s, %s: %zu bytes: %s", mm_policy_name((mm_policy_t)p),
                         mm_legal_basis_name((mm_legal_basis_t)b), strlen(d.reason), d.reason);
        }
        edge_config_free(&cfg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(R_K2_2_5_a_declared_purpose_needs_nothing_more),
        cmocka_unit_test(R_K2_2_5_another_purpose_at_kawaguchi_needs_emergency_or_law),
        cmocka_unit_test(R_N7_4_another_purpose_at_naha_may_rest_on_consent),
        cmocka_unit_test(a_viewing_names_its_purpose),
        cmocka_unit_test(every_policys_refusal_fits_the_log),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
