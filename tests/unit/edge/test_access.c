/*
 * test_access.c: who may do what at a site — R-N6.1 (operators are designated by the manager
 * and are never the manager), R-N6.2 (nobody else looks at anything without an emergency grant
 * naming the actions, cameras and time), R-N6.3 (whoever used a grant files a report, and only
 * they), R-N7.2 (a revocation takes effect at the very next call), and the state kept in the
 * store across restarts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/config.h"
#include "edge/access.h"
#include "edge/siteconf.h"

#define HUB_CURVE "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define MIN_US (60LL * 1000000)
#define NOW (1777000000LL * 1000000)

/* People, by index: the manager, two operators from the file, and someone with no role. Their
 * accounts differ from their ids so that the two are never confused. */
enum { TANAKA = 0, SUZUKI = 1, SATO = 2, YAMADA = 3 };

static edge_config_t cfg;
static const edge_governance_t *gov;

static void make(char *text, size_t cap, const char *verifier)
{
    snprintf(text, cap,
             "{\"site\":\"s\",\"key_file\":\"k\",\"state_dir\":\"d\",\"policy\":\"naha\","
             "\"retention_days\":7,"
             "\"installer\":{\"name\":\"中央通り商店街振興組合\",\"contact\":\"048-000-0000\"},"
             "\"purpose\":\"防犯\",\"storage_location\":\"組合事務所\","
             "\"people\":[{\"id\":\"tanaka\",\"name\":\"田中一郎\",\"account\":\"ichiro\"},"
             "{\"id\":\"suzuki\",\"name\":\"鈴木花子\",\"account\":\"hanako\"},"
             "{\"id\":\"sato\",\"name\":\"佐藤次郎\",\"account\":\"jiro\"},"
             "{\"id\":\"yamada\",\"name\":\"山田太郎\",\"account\":\"taro\"}],"
             "\"manager\":\"tanaka\",\"operators\":[\"suzuki\",\"sato\"],"
             "\"hub\":{\"endpoint\":\"tcp://127.0.0.1:7400\",\"curve_public\":\"%s\","
             "\"verifier\":\"%s\"},"
             "\"cameras\":[{\"id\":\"cam1\",\"url\":\"rtsp://127.0.0.1:1/c\","
             "\"location\":\"3番地\",\"purpose\":\"歩道\",\"install_date\":\"2026-04-10\","
             "\"signage\":{\"text\":\"防犯カメラ作動中 設置者 中央通り商店街振興組合\","
             "\"installer_shown\":true,\"checked\":\"2026-04-15\"},"
             "\"coverage\":{\"areas\":[{\"kind\":\"public\",\"points\":[[0,0],[1,0],[1,1],"
             "[0,1]]}]}}]}",
             HUB_CURVE, verifier);
}

static int group_setup(void **state)
{
    (void)state;
    char verifier[MM_VERIFIER_MAX];
    uint8_t pub[MM_ED25519_PUB_LEN] = {1, 2, 3};
    mm_note_verifier_t v;
    assert_int_equal(mm_note_verifier_make("hub", MM_NOTE_ALG_ED25519, pub, &v), MM_OK);
    assert_int_equal(mm_note_verifier_format(&v, verifier, sizeof verifier), MM_OK);
    char text[8192];
    make(text, sizeof text, verifier);
    mm_conf_t *conf = NULL;
    mm_conf_load_string("/etc/mimamori/site.json", text, &conf);
    assert_non_null(conf);
    mm_err_t err = edge_config_parse(conf, &cfg);
    for (size_t j = 0; j < mm_conf_problem_count(conf); j++)
        print_message("problem: %s\n", mm_conf_problem_at(conf, j));
    mm_conf_destroy(conf);
    assert_int_equal(err, MM_OK);
    gov = &cfg.gov;
    assert_int_equal(gov->n_people, 4);
    assert_int_equal(gov->manager, TANAKA);
    assert_string_equal(gov->people[YAMADA].id, "yamada");
    assert_true(gov->is_operator[SUZUKI] && gov->is_operator[SATO]);
    assert_false(gov->is_operator[YAMADA]);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    edge_config_free(&cfg);
    return 0;
}

/* edge_access_t is large (all the grants): one on the heap for each test. */
static int setup(void **state)
{
    edge_access_t *a = calloc(1, sizeof *a);
    assert_non_null(a);
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static edge_caller_t person(int p)
{
    edge_caller_t who = {.uid = 1000u + (uint32_t)p, .person = p};
    snprintf(who.account, sizeof who.account, "%s", gov->people[p].account);
    return who;
}

static edge_caller_t outsider(const char *account)
{
    edge_caller_t who = {.uid = 2000, .person = -1};
    snprintf(who.account, sizeof who.account, "%s", account);
    return who;
}

static edge_decision_t decide(const edge_access_t *a, edge_caller_t who, edge_action_t act,
                              const char *camera, int64_t now)
{
    edge_decision_t d;
    edge_access_decide(a, gov, &who, act, camera, now, &d);
    return d;
}

/* A refusal, with a reason that says why (containing want, when given). */
static void assert_refused(edge_decision_t d, const char *want)
{
    if (d.allowed || !d.reason[0] || (want && !strstr(d.reason, want)))
        fail_msg("want a refusal saying \"%s\", got allowed=%d reason \"%s\"", want ? want : "",
                 d.allowed, d.reason);
}

static const edge_grant_t *grant(edge_access_t *a, const char *grantee, const char *actions,
                                 const char *cameras, int minutes, int64_t now)
{
    edge_actions_t bits = 0;
    char msg[256] = "";
    assert_int_equal(edge_actions_parse(actions, &bits, msg, sizeof msg), MM_OK);
    const edge_grant_t *gr = NULL;
    mm_err_t err = edge_access_grant(a, gov, grantee, "tanaka", bits, cameras, minutes,
                                     "不審者の通報があり確認する", now, &gr, msg, sizeof msg);
    if (err != MM_OK)
        fail_msg("grant to %s: %s: %s", grantee, mm_err_name(err), msg);
    assert_non_null(gr);
    return gr;
}

/* --- R-N6.1: operators ------------------------------------------------------------------------*/

/* R-N6.1: the manager designates operators, who are never the manager. */
static void R_N6_1_designation_of_operators(void **state)
{
    edge_access_t *a = *state;
    char msg[256] = "";

    assert_int_equal(edge_access_designate(a, gov, TANAKA, "tanaka", NOW, msg, sizeof msg),
                     MM_EDENIED);
    assert_non_null(strstr(msg, "R-N6.1"));
    assert_non_null(strstr(msg, "tanaka"));
    assert_int_equal(a->n_overrides, 0);
    assert_false(edge_access_is_operator(a, gov, TANAKA));

    msg[0] = 0;
    assert_int_equal(edge_access_designate(a, gov, SUZUKI, "tanaka", NOW, msg, sizeof msg),
                     MM_EEXIST);
    assert_non_null(strstr(msg, "suzuki"));
    assert_int_equal(a->n_overrides, 0);

    assert_int_equal(edge_access_designate(a, gov, 99, "tanaka", NOW, msg, sizeof msg),
                     MM_ENOTFOUND);
    assert_int_equal(edge_access_designate(a, gov, -1, "tanaka", NOW, msg, sizeof msg),
                     MM_ENOTFOUND);

    /* Yamada has no role, then is designated: the next call is an operator's. */
    edge_decision_t d = decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", NOW);
    assert_int_equal(d.role, MM_ROLE_NONE);
    assert_refused(d, "R-N6.2");
    assert_int_equal(edge_access_designate(a, gov, YAMADA, "tanaka", NOW, msg, sizeof msg), MM_OK);
    assert_true(edge_access_is_operator(a, gov, YAMADA));
    d = decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", NOW + 1);
    assert_int_equal(d.role, MM_ROLE_OPERATOR);
    assert_true(d.allowed);
    assert_int_equal(d.grant, -1);
    assert_int_equal(a->n_overrides, 1);
    assert_string_equal(a->overrides[0].id, "yamada");
    assert_string_equal(a->overrides[0].by, "tanaka");
    assert_int_equal(a->overrides[0].operator, 1);
    assert_int_equal(a->overrides[0].time_us, NOW);

    /* Designated twice is an operator already. */
    assert_int_equal(edge_access_designate(a, gov, YAMADA, "tanaka", NOW, msg, sizeof msg),
                     MM_EEXIST);
}

/* --- R-N6.2: roles --------------------------------------------------------------------------*/

/* R-N6.2: without a role, nothing; operators look; the manager does everything else too. */
static void R_N6_2_roles_decide_what_each_caller_may_do(void **state)
{
    edge_access_t *a = *state;
    /* Operators also read and acknowledge the city's notices (R-N4.2, R-N10.2, R-N11). */
    static const edge_action_t looking[] = {EDGE_ACT_STATUS,   EDGE_ACT_SEARCH,
                                            EDGE_ACT_PLAYBACK, EDGE_ACT_REQUESTS,
                                            EDGE_ACT_NOTICES,  EDGE_ACT_NOTICE_ACK};
    static const edge_action_t managing[] = {EDGE_ACT_OPERATOR_DESIGNATE, EDGE_ACT_EMERGENCY_GRANT,
                                             EDGE_ACT_CAMERA_SUSPEND, EDGE_ACT_REQUEST_ANSWER};

    for (size_t i = 0; i < sizeof looking / sizeof looking[0]; i++) {
        /* Someone of the site with no role. */
        edge_decision_t d = decide(a, person(YAMADA), looking[i], "cam1", NOW);
        assert_int_equal(d.role, MM_ROLE_NONE);
        assert_int_equal(d.grant, -1);
        assert_refused(d, "yamada is neither the manager nor an operator");
        /* An account that is none of the site's people. */
        d = decide(a, outsider("guest"), looking[i], "cam1", NOW);
        assert_int_equal(d.role, MM_ROLE_NONE);
        assert_refused(d, "account guest is none of the site's people");
        /* A uid without an account at all. */
        d = decide(a, outsider(""), looking[i], "cam1", NOW);
        assert_refused(d, "R-N6.2");
        /* Operators look. */
        d = decide(a, person(SUZUKI), looking[i], "cam1", NOW);
        assert_int_equal(d.role, MM_ROLE_OPERATOR);
        assert_true(d.allowed);
    }

    for (size_t i = 0; i < sizeof managing / sizeof managing[0]; i++) {
        edge_decision_t d = decide(a, person(SUZUKI), managing[i], "cam1", NOW);
        assert_int_equal(d.role, MM_ROLE_OPERATOR);
        assert_refused(d, "suzuki is an operator; only the manager may");
        assert_non_null(strstr(d.reason, edge_action_name(managing[i])));
        d = decide(a, person(YAMADA), managing[i], "cam1", NOW);
        assert_refused(d, NULL);
    }

    /* The manager may do everything but file a report (the grant's holder does). */
    for (int act = 0; act < EDGE_ACT_COUNT; act++) {
        edge_decision_t d = decide(a, person(TANAKA), (edge_action_t)act, "cam1", NOW);
        assert_int_equal(d.role, MM_ROLE_MANAGER);
        if (act == EDGE_ACT_EMERGENCY_REPORT)
            assert_refused(d, "R-N6.3");
        else if (!d.allowed)
            fail_msg("the manager is refused %s: %s", edge_action_name((edge_action_t)act),
                     d.reason);
    }

    /* An action that does not exist is nobody's. */
    assert_refused(decide(a, person(TANAKA), EDGE_ACT_COUNT, NULL, NOW), "unknown action");
}

/* The site's zone is asked by anyone who can reach the socket (a command reads typed times in
 * it), and by nothing else: it opens no other action. */
static void anyone_may_ask_the_sites_zone(void **state)
{
    edge_access_t *a = *state;
    const edge_caller_t callers[] = {person(TANAKA), person(SUZUKI), person(YAMADA),
                                     outsider("guest"), outsider("")};
    for (size_t i = 0; i < sizeof callers / sizeof *callers; i++) {
        edge_decision_t d = decide(a, callers[i], EDGE_ACT_TIMEZONE, NULL, NOW);
        assert_true(d.allowed);
        if (i > 0) /* the manager designates; nobody else does */
            assert_refused(decide(a, callers[i], EDGE_ACT_OPERATOR_DESIGNATE, NULL, NOW), NULL);
    }
    assert_refused(decide(a, person(YAMADA), EDGE_ACT_STATUS, NULL, NOW), NULL);
    assert_false(EDGE_GRANTABLE & EDGE_ACT_BIT(EDGE_ACT_TIMEZONE)); /* nothing to grant */
}

/* R-N12(1): the manager and the operators take complaints at the site and log their handling;
 * nobody else does, and no emergency grant allows it (it allows looking only). */
static void R_N12_complaints_are_the_manager_s_and_the_operators(void **state)
{
    edge_access_t *a = *state;
    static const edge_action_t acts[] = {EDGE_ACT_COMPLAINTS, EDGE_ACT_COMPLAINT};
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
        edge_decision_t d = decide(a, person(TANAKA), acts[i], NULL, NOW);
        assert_int_equal(d.role, MM_ROLE_MANAGER);
        assert_true(d.allowed);
        d = decide(a, person(SUZUKI), acts[i], NULL, NOW);
        assert_int_equal(d.role, MM_ROLE_OPERATOR);
        assert_true(d.allowed);
        assert_refused(decide(a, person(YAMADA), acts[i], NULL, NOW), "R-N6.2");
        assert_refused(decide(a, outsider("guest"), acts[i], NULL, NOW), "R-N6.2");
    }
    edge_actions_t bits = 0;
    char msg[256] = "";
    assert_int_equal(edge_actions_parse("complaint", &bits, msg, sizeof msg), MM_EINVAL);
    assert_non_null(strstr(msg, "cannot be granted"));
    grant(a, "yamada", "status", "", 60, NOW);
    edge_decision_t d = decide(a, person(YAMADA), EDGE_ACT_COMPLAINT, NULL, NOW + 1);
    assert_int_equal(d.role, MM_ROLE_EMERGENCY);
    assert_refused(d, "does not allow complaint");
}

/* R-K2.2.6b: only the manager places or releases a site hold; operators see the holds; nobody
 * else, and no emergency grant, does either. */
static void R_K2_2_6b_site_holds_are_the_managers(void **state)
{
    edge_access_t *a = *state;
    static const edge_action_t changing[] = {EDGE_ACT_HOLD_PLACE, EDGE_ACT_HOLD_RELEASE};
    for (size_t i = 0; i < 2; i++) {
        edge_decision_t d = decide(a, person(TANAKA), changing[i], NULL, NOW);
        assert_int_equal(d.role, MM_ROLE_MANAGER);
        assert_true(d.allowed);
        d = decide(a, person(SUZUKI), changing[i], NULL, NOW);
        assert_int_equal(d.role, MM_ROLE_OPERATOR);
        assert_refused(d, "only the manager may");
        assert_refused(decide(a, person(YAMADA), changing[i], NULL, NOW), "R-N6.2");
    }
    assert_true(decide(a, person(SUZUKI), EDGE_ACT_HOLDS, NULL, NOW).allowed);
    assert_refused(decide(a, person(YAMADA), EDGE_ACT_HOLDS, NULL, NOW), "R-N6.2");
    edge_actions_t bits;
    char msg[256];
    assert_int_equal(edge_actions_parse("holds", &bits, msg, sizeof msg), MM_EINVAL);
    assert_int_equal(edge_actions_parse("hold_place", &bits, msg, sizeof msg), MM_EINVAL);
}

/* --- R-N7.2: revocation ---------------------------------------------------------------------*/

/* R-N7.2: an operator revoked is refused at the very next call. */
static void R_N7_2_revocation_takes_effect_at_the_next_call(void **state)
{
    edge_access_t *a = *state;
    char msg[256] = "";

    assert_true(decide(a, person(SUZUKI), EDGE_ACT_PLAYBACK, "cam1", NOW).allowed);
    assert_int_equal(edge_access_revoke(a, gov, SUZUKI, "tanaka", NOW, msg, sizeof msg), MM_OK);
    edge_decision_t d = decide(a, person(SUZUKI), EDGE_ACT_PLAYBACK, "cam1", NOW);
    assert_int_equal(d.role, MM_ROLE_NONE);
    assert_refused(d, "suzuki is neither the manager nor an operator");

    /* The file still names suzuki; the revocation takes precedence. */
    assert_true(gov->is_operator[SUZUKI]);
    assert_false(edge_access_is_operator(a, gov, SUZUKI));
    assert_true(edge_access_is_operator(a, gov, SATO));

    /* Only an operator can be revoked. */
    msg[0] = 0;
    assert_int_equal(edge_access_revoke(a, gov, SUZUKI, "tanaka", NOW, msg, sizeof msg),
                     MM_ENOTFOUND);
    assert_non_null(strstr(msg, "suzuki is not an operator"));
    assert_int_equal(edge_access_revoke(a, gov, YAMADA, "tanaka", NOW, msg, sizeof msg),
                     MM_ENOTFOUND);
    assert_int_equal(edge_access_revoke(a, gov, TANAKA, "tanaka", NOW, msg, sizeof msg),
                     MM_ENOTFOUND);
    assert_int_equal(edge_access_revoke(a, gov, 42, "tanaka", NOW, msg, sizeof msg), MM_ENOTFOUND);
    assert_int_equal(a->n_overrides, 1);

    /* Designated again at run time, an operator again. */
    assert_int_equal(edge_access_designate(a, gov, SUZUKI, "tanaka", NOW + MIN_US, msg, sizeof msg),
                     MM_OK);
    assert_true(decide(a, person(SUZUKI), EDGE_ACT_PLAYBACK, "cam1", NOW + MIN_US).allowed);
    assert_int_equal(a->n_overrides, 1);
}

/* R-N7.2: designations and revocations at run time survive a restart (the store's JSON). */
static void R_N7_2_designations_survive_a_restart(void **state)
{
    edge_access_t *a = *state;
    char msg[256] = "";
    assert_int_equal(edge_access_designate(a, gov, YAMADA, "tanaka", NOW, msg, sizeof msg), MM_OK);
    assert_int_equal(edge_access_revoke(a, gov, SATO, "tanaka", NOW + 1, msg, sizeof msg), MM_OK);

    json_t *j = edge_access_to_json(a);
    assert_non_null(j);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_non_null(text);
    json_error_t je;
    json_t *back = json_loads(text, 0, &je);
    free(text);
    assert_non_null(back);

    edge_access_t *b = calloc(1, sizeof *b);
    assert_non_null(b);
    assert_int_equal(edge_access_from_json(back, b, msg, sizeof msg), MM_OK);
    json_decref(back);

    assert_true(edge_access_is_operator(b, gov, YAMADA));
    assert_false(edge_access_is_operator(b, gov, SATO));
    assert_true(edge_access_is_operator(b, gov, SUZUKI));
    assert_true(decide(b, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", NOW).allowed);
    assert_refused(decide(b, person(SATO), EDGE_ACT_PLAYBACK, "cam1", NOW), "R-N6.2");
    assert_int_equal(b->n_overrides, a->n_overrides);
    for (size_t i = 0; i < a->n_overrides; i++) {
        assert_string_equal(b->overrides[i].id, a->overrides[i].id);
        assert_string_equal(b->overrides[i].by, a->overrides[i].by);
        assert_int_equal(b->overrides[i].operator, a->overrides[i].operator);
        assert_int_equal(b->overrides[i].time_us, a->overrides[i].time_us);
    }
    free(b);
}

/* --- R-N6.2, R-N6.3: emergency grants -------------------------------------------------------*/

/* R-N6.2, R-N6.3: a grant allows the actions and cameras it names, for its time; then its
 * holder, and nobody else, files the report, once. */
static void R_N6_2_R_N6_3_emergency_grant_scope_time_and_report(void **state)
{
    edge_access_t *a = *state;
    char msg[256] = "";
    const edge_grant_t *gr = grant(a, "yamada", "search,playback", "cam1", 30, NOW);
    char id[MM_ID_MAX];
    snprintf(id, sizeof id, "%s", gr->id);
    assert_string_equal(gr->person, "yamada");
    assert_string_equal(gr->account, "taro");
    assert_string_equal(gr->by, "tanaka");
    assert_string_equal(gr->cameras, "cam1");
    assert_int_equal(gr->actions, EDGE_ACT_BIT(EDGE_ACT_SEARCH) | EDGE_ACT_BIT(EDGE_ACT_PLAYBACK));
    assert_int_equal(gr->granted_us, NOW);
    assert_int_equal(gr->until_us, NOW + 30 * MIN_US);
    assert_int_equal(gr->reported_us, 0);
    assert_true(edge_grant_active(gr, NOW));
    assert_false(edge_access_is_operator(a, gov, YAMADA));

    int64_t t = NOW + 10 * MIN_US;
    edge_decision_t d = decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", t);
    assert_int_equal(d.role, MM_ROLE_EMERGENCY);
    assert_int_equal(d.grant, 0);
    assert_true(d.allowed);
    assert_true(decide(a, person(YAMADA), EDGE_ACT_SEARCH, NULL, t).allowed);
    d = decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam2", t);
    assert_int_equal(d.role, MM_ROLE_EMERGENCY);
    assert_refused(d, "does not cover camera cam2");
    d = decide(a, person(YAMADA), EDGE_ACT_STATUS, NULL, t);
    assert_refused(d, "does not allow status");
    assert_refused(decide(a, person(YAMADA), EDGE_ACT_CAMERA_SUSPEND, "cam1", t), NULL);
    /* The grant is yamada's, nobody else's. */
    assert_refused(decide(a, outsider("taro2"), EDGE_ACT_PLAYBACK, "cam1", t), "R-N6.2");

    /* The last instant of the grant, then past it. */
    assert_true(
        decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", NOW + 30 * MIN_US - 1).allowed);
    t = NOW + 31 * MIN_US;
    assert_false(edge_grant_active(gr, t));
    d = decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", t);
    assert_refused(d, "report is still to be filed");
    assert_non_null(strstr(d.reason, id));
    d = decide(a, person(YAMADA), EDGE_ACT_EMERGENCY_REPORT, NULL, t);
    assert_true(d.allowed);
    assert_int_equal(d.role, MM_ROLE_EMERGENCY);
    assert_int_equal(d.grant, 0);

    /* Nobody but the holder files it: not an operator, not the manager, not an outsider. */
    edge_caller_t other = person(SUZUKI);
    msg[0] = 0;
    assert_int_equal(edge_access_report(a, gov, &other, id, t, NULL, msg, sizeof msg), MM_EDENIED);
    assert_non_null(strstr(msg, "not yours"));
    other = person(TANAKA);
    assert_int_equal(edge_access_report(a, gov, &other, id, t, NULL, msg, sizeof msg), MM_EDENIED);
    other = outsider("taro");
    assert_int_equal(edge_access_report(a, gov, &other, id, t, NULL, msg, sizeof msg), MM_EDENIED);
    assert_int_equal(a->grants[0].reported_us, 0);
    edge_caller_t holder = person(YAMADA);
    assert_int_equal(edge_access_report(a, gov, &holder, "em-0", t, NULL, msg, sizeof msg),
                     MM_ENOTFOUND);

    const edge_grant_t *done = NULL;
    assert_int_equal(edge_access_report(a, gov, &holder, id, t, &done, msg, sizeof msg), MM_OK);
    assert_ptr_equal(done, &a->grants[0]);
    assert_int_equal(done->reported_us, t);
    assert_false(edge_grant_active(done, NOW + MIN_US)); /* reported: over, even in its time */
    assert_refused(decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", NOW + MIN_US), "R-N6.2");
    assert_refused(decide(a, person(YAMADA), EDGE_ACT_EMERGENCY_REPORT, NULL, t),
                   "no emergency grant with a report to file");
    msg[0] = 0;
    assert_int_equal(edge_access_report(a, gov, &holder, id, t + 1, NULL, msg, sizeof msg),
                     MM_EEXIST);
    assert_non_null(strstr(msg, "filed already"));
    assert_int_equal(a->grants[0].reported_us, t);
}

/* R-N6.2: a grant to somebody who is no person of the site, by their OS account. */
static void R_N6_2_emergency_grant_to_an_outsider_account(void **state)
{
    edge_access_t *a = *state;
    char msg[256] = "";
    const edge_grant_t *gr = grant(a, "keibi01", "playback", "", 60, NOW);
    char id[MM_ID_MAX];
    snprintf(id, sizeof id, "%s", gr->id);
    assert_string_equal(gr->person, "@keibi01");
    assert_string_equal(gr->account, "keibi01");

    edge_decision_t d = decide(a, outsider("keibi01"), EDGE_ACT_PLAYBACK, "cam1", NOW + 1);
    assert_int_equal(d.role, MM_ROLE_EMERGENCY);
    assert_true(d.allowed);
    assert_true(decide(a, outsider("keibi01"), EDGE_ACT_PLAYBACK, "cam7", NOW + 1).allowed);
    assert_refused(decide(a, outsider("keibi01"), EDGE_ACT_SEARCH, NULL, NOW + 1),
                   "does not allow search");
    assert_refused(decide(a, outsider("keibi02"), EDGE_ACT_PLAYBACK, "cam1", NOW + 1), "R-N6.2");
    assert_refused(decide(a, outsider(""), EDGE_ACT_PLAYBACK, "cam1", NOW + 1), "R-N6.2");
    assert_refused(decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", NOW + 1), "R-N6.2");

    /* An account of one of the site's people is named by the person's id instead. */
    msg[0] = 0;
    assert_int_equal(edge_access_grant(a, gov, "taro", "tanaka", EDGE_ACT_BIT(EDGE_ACT_PLAYBACK),
                                       "", 60, "理由", NOW, NULL, msg, sizeof msg),
                     MM_EINVAL);
    assert_non_null(strstr(msg, "belongs to one of the site's people"));
    assert_int_equal(a->n_grants, 1);

    edge_caller_t other = outsider("keibi02");
    assert_int_equal(edge_access_report(a, gov, &other, id, NOW + 2, NULL, msg, sizeof msg),
                     MM_EDENIED);
    edge_caller_t holder = outsider("keibi01");
    assert_int_equal(edge_access_report(a, gov, &holder, id, NOW + 2, NULL, msg, sizeof msg),
                     MM_OK);
    assert_refused(decide(a, outsider("keibi01"), EDGE_ACT_PLAYBACK, "cam1", NOW + 3), "R-N6.2");
}

/* R-N6.2: grants only to those who need one, for a bounded time, with a reason, to look. */
static void R_N6_2_emergency_grants_that_are_refused(void **state)
{
    edge_access_t *a = *state;
    char msg[256];
    const edge_actions_t play = EDGE_ACT_BIT(EDGE_ACT_PLAYBACK);
    struct {
        const char *grantee;
        edge_actions_t actions;
        const char *cameras;
        int minutes;
        const char *reason;
        const char *want;
    } bad[] = {
        {"tanaka", play, "", 30, "理由", "tanaka is the manager"},
        {"suzuki", play, "", 30, "理由", "suzuki is an operator"},
        {"sato", play, "", 30, "理由", "sato is an operator"},
        {"yamada", play, "", 0, "理由", "1 to 4320 minutes, not 0"},
        {"yamada", play, "", -5, "理由", "not -5"},
        {"yamada", play, "", EDGE_GRANT_MAX_MINUTES + 1, "理由", "not 4321"},
        {"yamada", play, "", 30, "", "needs its reason"},
        {"yamada", play, "", 30, NULL, "needs its reason"},
        {"yamada", play, "", 30, "\xff\xfe", "needs its reason"},
        {"yamada", 0, "", 30, "理由", "a grant allows"},
        {"yamada", play | EDGE_ACT_BIT(EDGE_ACT_CAMERA_SUSPEND), "", 30, "理由", "a grant allows"},
        {"yamada", EDGE_ACT_BIT(EDGE_ACT_OPERATOR_DESIGNATE), "", 30, "理由", "a grant allows"},
        {"yamada", play, "cam1,,cam2", 30, "理由", "bad camera list"},
        {"yamada", play, ",cam1", 30, "理由", "bad camera list"},
        {"yamada", play, "cam1,", 30, "理由", "bad camera list"},
        {"", play, "", 30, "理由", "names the person or account"},
        {NULL, play, "", 30, "理由", "names the person or account"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        msg[0] = 0;
        const edge_grant_t *gr = NULL;
        mm_err_t err =
            edge_access_grant(a, gov, bad[i].grantee, "tanaka", bad[i].actions, bad[i].cameras,
                              bad[i].minutes, bad[i].reason, NOW, &gr, msg, sizeof msg);
        /* Someone who has access anyway is a conflict; the rest are bad arguments. */
        mm_err_t want = i < 3 ? MM_ECONFLICT : MM_EINVAL;
        if (err != want || !strstr(msg, bad[i].want))
            fail_msg("case %zu: %s \"%s\", want %s \"%s\"", i, mm_err_name(err), msg,
                     mm_err_name(want), bad[i].want);
        assert_null(gr);
    }
    assert_int_equal(a->n_grants, 0);

    /* The longest grant there may be is granted. */
    const edge_grant_t *gr = grant(a, "yamada", "status", "", EDGE_GRANT_MAX_MINUTES, NOW);
    assert_int_equal(gr->until_us, NOW + (int64_t)EDGE_GRANT_MAX_MINUTES * MIN_US);

    /* Once designated an operator, yamada needs no grant. */
    assert_int_equal(edge_access_designate(a, gov, YAMADA, "tanaka", NOW, msg, sizeof msg), MM_OK);
    assert_int_equal(edge_access_grant(a, gov, "yamada", "tanaka", play, "", 30, "理由", NOW, NULL,
                                       msg, sizeof msg),
                     MM_ECONFLICT);
    assert_int_equal(a->n_grants, 1);
}

/* R-N6.2: the action list of a grant names only ways of looking. */
static void R_N6_2_grant_actions_parse(void **state)
{
    (void)state;
    char msg[256] = "";
    edge_actions_t bits = 0;
    assert_int_equal(edge_actions_parse("search,playback", &bits, msg, sizeof msg), MM_OK);
    assert_int_equal(bits, EDGE_ACT_BIT(EDGE_ACT_SEARCH) | EDGE_ACT_BIT(EDGE_ACT_PLAYBACK));
    assert_int_equal(edge_actions_parse("status,cameras,search,playback,live,timeline", &bits,
                                        msg, sizeof msg),
                     MM_OK);
    assert_int_equal(bits, EDGE_GRANTABLE);
    char text[128];
    edge_actions_format(bits, text, sizeof text);
    assert_string_equal(text, "status,cameras,search,playback,live,timeline");
    /* actions past bit 31 are kept whole: live is bit 33 */
    assert_int_equal(edge_actions_parse("live", &bits, msg, sizeof msg), MM_OK);
    assert_int_equal(bits, EDGE_ACT_BIT(EDGE_ACT_LIVE));
    assert_true(EDGE_ACT_LIVE > 31);

    static const char *const bad[][2] = {
        {"camera_suspend", "\"camera_suspend\" cannot be granted"},
        {"search,camera_suspend", "\"camera_suspend\" cannot be granted"},
        {"playback,frobnicate", "\"frobnicate\" cannot be granted"},
        {"operator_designate", "\"operator_designate\" cannot be granted"},
        {"emergency_grant", "\"emergency_grant\" cannot be granted"},
        {"still", "\"still\" cannot be granted"},
        {"live,alerts", "\"alerts\" cannot be granted"},
        {"Playback", "\"Playback\" cannot be granted"},
        {"search,,playback", "bad action list"},
        {"", "at least one action"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bits = 12345;
        msg[0] = 0;
        mm_err_t err = edge_actions_parse(bad[i][0], &bits, msg, sizeof msg);
        if (err != MM_EINVAL || !strstr(msg, bad[i][1]) || bits != 12345)
            fail_msg("\"%s\": %s \"%s\"", bad[i][0], mm_err_name(err), msg);
    }
    edge_action_t act;
    assert_true(edge_action_parse("camera_suspend", &act));
    assert_int_equal(act, EDGE_ACT_CAMERA_SUSPEND);
    assert_false(edge_action_parse("frobnicate", &act));
    assert_false(edge_action_parse(NULL, &act));
}

/* R-N6.3: the manager ends a grant early: access ends at once, the duty to report does not. */
static void R_N6_3_grant_revoke_ends_access_but_not_the_report(void **state)
{
    edge_access_t *a = *state;
    char msg[256] = "";
    const edge_grant_t *gr = grant(a, "yamada", "playback", "cam1", 60, NOW);
    char id[MM_ID_MAX];
    snprintf(id, sizeof id, "%s", gr->id);
    int64_t t = NOW + 5 * MIN_US;
    assert_true(decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", t).allowed);

    const edge_grant_t *ended = NULL;
    assert_int_equal(edge_access_grant_revoke(a, id, t, &ended, msg, sizeof msg), MM_OK);
    assert_ptr_equal(ended, &a->grants[0]);
    assert_int_equal(ended->until_us, t);
    assert_int_equal(ended->reported_us, 0);
    assert_false(edge_grant_active(ended, t));

    edge_decision_t d = decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", t);
    assert_refused(d, "report is still to be filed");
    d = decide(a, person(YAMADA), EDGE_ACT_EMERGENCY_REPORT, NULL, t);
    assert_true(d.allowed);
    assert_int_equal(d.role, MM_ROLE_EMERGENCY);
    assert_int_equal(d.grant, 0);

    /* A grant no longer in force cannot be ended again; an unknown one is not found. */
    msg[0] = 0;
    assert_int_equal(edge_access_grant_revoke(a, id, t + 1, NULL, msg, sizeof msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "no longer in force"));
    assert_int_equal(edge_access_grant_revoke(a, "em-1", t, NULL, msg, sizeof msg), MM_ENOTFOUND);
    assert_int_equal(edge_access_grant_revoke(a, NULL, t, NULL, msg, sizeof msg), MM_ENOTFOUND);
    assert_int_equal(a->grants[0].until_us, t);

    edge_caller_t holder = person(YAMADA);
    assert_int_equal(edge_access_report(a, gov, &holder, id, t + MIN_US, NULL, msg, sizeof msg),
                     MM_OK);
    assert_refused(decide(a, person(YAMADA), EDGE_ACT_EMERGENCY_REPORT, NULL, t + MIN_US), NULL);
}

/* Why a right a playback runs under ended (R-N7.2, R-N6.2, R-N6.3): a viewer whose right is intact
 * still may look, whoever else changed. */
static void R_N7_2_a_running_playback_learns_why_its_right_ended(void **state)
{
    edge_access_t *a = *state;
    char msg[256] = "", why[256] = "";
    edge_caller_t suzuki = person(SUZUKI), tanaka = person(TANAKA), yamada = person(YAMADA);
    assert_true(edge_access_still(a, gov, &tanaka, MM_ROLE_MANAGER, "", EDGE_ACT_PLAYBACK, "cam1",
                                  NOW, why, sizeof why));
    assert_true(edge_access_still(a, gov, &suzuki, MM_ROLE_OPERATOR, "", EDGE_ACT_PLAYBACK, "cam1",
                                  NOW, why, sizeof why));
    assert_int_equal(edge_access_revoke(a, gov, SATO, "tanaka", NOW, msg, sizeof msg), MM_OK);
    assert_true(edge_access_still(a, gov, &suzuki, MM_ROLE_OPERATOR, "", EDGE_ACT_PLAYBACK, "cam1",
                                  NOW, why, sizeof why));
    assert_int_equal(edge_access_revoke(a, gov, SUZUKI, "tanaka", NOW, msg, sizeof msg), MM_OK);
    assert_false(edge_access_still(a, gov, &suzuki, MM_ROLE_OPERATOR, "", EDGE_ACT_PLAYBACK, "cam1",
                                   NOW, why, sizeof why));
    assert_string_equal(why, "the operator role of suzuki was revoked (R-N7.2)");

    char id[MM_ID_MAX];
    snprintf(id, sizeof id, "%s", grant(a, "yamada", "playback", "cam1", 10, NOW)->id);
    assert_true(edge_access_still(a, gov, &yamada, MM_ROLE_EMERGENCY, id, EDGE_ACT_PLAYBACK, "cam1",
                                  NOW + MIN_US, why, sizeof why));
    assert_false(edge_access_still(a, gov, &yamada, MM_ROLE_EMERGENCY, id, EDGE_ACT_PLAYBACK,
                                   "cam1", NOW + 10 * MIN_US, why, sizeof why));
    char want[256];
    snprintf(want, sizeof want, "emergency grant %s of yamada expired (R-N6.2)", id);
    assert_string_equal(why, want);
    edge_caller_t holder = yamada;
    assert_int_equal(
        edge_access_report(a, gov, &holder, id, NOW + 2 * MIN_US, NULL, msg, sizeof msg), MM_OK);
    assert_false(edge_access_still(a, gov, &yamada, MM_ROLE_EMERGENCY, id, EDGE_ACT_PLAYBACK,
                                   "cam1", NOW + 2 * MIN_US, why, sizeof why));
    snprintf(want, sizeof want, "emergency grant %s of yamada ended with its report (R-N6.3)", id);
    assert_string_equal(why, want);
    /* A grant that no longer exists: the decision's own reason. */
    assert_false(edge_access_still(a, gov, &yamada, MM_ROLE_EMERGENCY, "em-0", EDGE_ACT_PLAYBACK,
                                   "cam1", NOW + 2 * MIN_US, why, sizeof why));
    assert_non_null(strstr(why, "holds no emergency grant (R-N6.2)"));
}

/* R-N6.2: someone holding two grants may use each for what it names. */
static void R_N6_2_two_grants_each_count_for_their_cameras(void **state)
{
    edge_access_t *a = *state;
    grant(a, "yamada", "playback", "cam1", 30, NOW);
    grant(a, "yamada", "playback", "cam2", 30, NOW);
    assert_int_equal(a->n_grants, 2);
    assert_string_not_equal(a->grants[0].id, a->grants[1].id);

    edge_decision_t d = decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam1", NOW + 1);
    if (!d.allowed)
        fail_msg("cam1 under the first grant: %s", d.reason);
    assert_int_equal(d.grant, 0);
    d = decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam2", NOW + 1);
    if (!d.allowed)
        fail_msg("cam2 under the second grant: %s", d.reason);
    assert_int_equal(d.grant, 1);
    assert_refused(decide(a, person(YAMADA), EDGE_ACT_PLAYBACK, "cam3", NOW + 1),
                   "does not cover camera cam3");
    assert_refused(decide(a, person(YAMADA), EDGE_ACT_STATUS, NULL, NOW + 1),
                   "does not allow status");

    /* A grant for status on every camera beside one for playback on cam1. */
    grant(a, "keibi01", "status", "", 30, NOW);
    grant(a, "keibi01", "playback", "cam1", 30, NOW);
    assert_true(decide(a, outsider("keibi01"), EDGE_ACT_STATUS, NULL, NOW + 1).allowed);
    assert_true(decide(a, outsider("keibi01"), EDGE_ACT_PLAYBACK, "cam1", NOW + 1).allowed);
    assert_refused(decide(a, outsider("keibi01"), EDGE_ACT_PLAYBACK, "cam2", NOW + 1),
                   "does not cover camera cam2");
}

/* --- the state in the store -----------------------------------------------------------------*/

static void assert_grants_equal(const edge_grant_t *x, const edge_grant_t *y)
{
    assert_string_equal(x->id, y->id);
    assert_string_equal(x->person, y->person);
    assert_string_equal(x->account, y->account);
    assert_string_equal(x->by, y->by);
    assert_int_equal(x->actions, y->actions);
    assert_string_equal(x->cameras, y->cameras);
    assert_string_equal(x->reason, y->reason);
    assert_int_equal(x->granted_us, y->granted_us);
    assert_int_equal(x->until_us, y->until_us);
    assert_int_equal(x->revoked, y->revoked);
    assert_int_equal(x->reported_us, y->reported_us);
}

/* R-N6.3, R-N7.2: grants, open or closed, come back from the store exactly as they were. */
static void persistence_round_trip_keeps_grants_exactly(void **state)
{
    edge_access_t *a = *state;
    char msg[256] = "";
    grant(a, "yamada", "search,playback", "cam1,cam2", 30, NOW);
    grant(a, "yamada", "status", "", 45, NOW); /* same second: a second id */
    grant(a, "keibi01", "status,cameras,search,playback", "cam1", EDGE_GRANT_MAX_MINUTES,
          NOW + 7 * MIN_US);
    grant(a, "yamada", "playback", "", 10, NOW + 9 * MIN_US);
    assert_int_equal(
        edge_access_grant_revoke(a, a->grants[1].id, NOW + 2 * MIN_US, NULL, msg, sizeof msg),
        MM_OK);
    edge_caller_t holder = person(YAMADA);
    assert_int_equal(edge_access_report(a, gov, &holder, a->grants[0].id, NOW + 40 * MIN_US, NULL,
                                        msg, sizeof msg),
                     MM_OK);
    a->grants[3].revoked = 1; /* as an older state may hold it */
    assert_int_equal(edge_access_revoke(a, gov, SUZUKI, "tanaka", NOW, msg, sizeof msg), MM_OK);

    json_t *j = edge_access_to_json(a);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_non_null(text);
    json_error_t je;
    json_t *back = json_loads(text, 0, &je);
    free(text);
    assert_non_null(back);
    edge_access_t *b = calloc(1, sizeof *b);
    assert_non_null(b);
    if (edge_access_from_json(back, b, msg, sizeof msg) != MM_OK)
        fail_msg("from_json: %s", msg);
    json_decref(back);

    assert_int_equal(b->n_grants, 4);
    for (size_t i = 0; i < a->n_grants; i++)
        assert_grants_equal(&b->grants[i], &a->grants[i]);
    assert_int_equal(b->n_overrides, 1);
    assert_string_equal(b->overrides[0].id, "suzuki");
    assert_int_equal(b->overrides[0].operator, 0);

    /* The same state gives the same JSON. */
    json_t *again = edge_access_to_json(b);
    assert_true(json_equal(j, again));
    json_decref(again);
    json_decref(j);

    /* And the same decisions: the open report is still open after the restart. */
    edge_decision_t d = decide(b, person(YAMADA), EDGE_ACT_STATUS, NULL, NOW + 3 * MIN_US);
    assert_refused(d, "report is still to be filed");
    assert_true(
        decide(b, outsider("keibi01"), EDGE_ACT_PLAYBACK, "cam1", NOW + 8 * MIN_US).allowed);
    free(b);
}

/* A state the store gives back that is not one this module wrote is refused, not guessed at. */
static void persistence_refuses_malformed_state(void **state)
{
    (void)state;
#define OV "{\"id\":\"suzuki\",\"operator\":false,\"time_us\":1,\"by\":\"tanaka\"}"
#define GR_HEAD "\"id\":\"em-1\",\"person\":\"yamada\",\"account\":\"taro\",\"by\":\"tanaka\","
#define GR_TAIL                                                                                    \
    "\"cameras\":\"\",\"reason\":\"r\",\"granted_us\":1,\"until_us\":2,\"revoked\":false,"         \
    "\"reported_us\":0"
#define ST(ov, gr) "{\"version\":1,\"overrides\":[" ov "],\"grants\":[" gr "]}"
    static const char *const good[] = {
        ST("", ""),
        ST(OV, "{" GR_HEAD "\"actions\":8," GR_TAIL "}"),
        ST(OV, "{" GR_HEAD "\"actions\":15," GR_TAIL "}"),
    };
    static const char *const bad[] = {
        "[]",
        "null",
        "{}",
        "{\"version\":1,\"overrides\":[]}",
        "{\"version\":1,\"grants\":[]}",
        "{\"version\":2,\"overrides\":[],\"grants\":[]}",
        "{\"version\":\"1\",\"overrides\":[],\"grants\":[]}",
        "{\"version\":1,\"overrides\":{},\"grants\":[]}",
        "{\"version\":1,\"overrides\":[],\"grants\":null}",
        "{\"version\":1,\"overrides\":[],\"grants\":[],\"extra\":0}",
        /* designations */
        ST("{\"id\":\"suzuki\",\"operator\":false,\"time_us\":1}", ""),
        ST("{\"id\":\"suzuki\",\"operator\":0,\"time_us\":1,\"by\":\"tanaka\"}", ""),
        ST("{\"id\":\"suzuki\",\"operator\":true,\"time_us\":\"1\",\"by\":\"tanaka\"}", ""),
        ST("{\"id\":7,\"operator\":true,\"time_us\":1,\"by\":\"tanaka\"}", ""),
        ST("{\"id\":\"suzuki\",\"operator\":true,\"time_us\":1,\"by\":\"tanaka\",\"x\":1}", ""),
        ST("\"suzuki\"", ""),
        ST("{\"id\":\""
           "0123456789012345678901234567890123456789012345678901234567890123"
           "\",\"operator\":true,\"time_us\":1,\"by\":\"tanaka\"}",
           ""),
        /* grants */
        ST("", "{" GR_HEAD GR_TAIL "}"),
        ST("", "{" GR_HEAD "\"actions\":\"playback\"," GR_TAIL "}"),
        ST("", "{" GR_HEAD "\"actions\":8.0," GR_TAIL "}"),
        ST("", "{" GR_HEAD "\"actions\":0," GR_TAIL "}"),
        ST("", "{" GR_HEAD "\"actions\":-8," GR_TAIL "}"),
        ST("", "{" GR_HEAD "\"actions\":4104," GR_TAIL "}"),       /* playback|camera_suspend */
        ST("", "{" GR_HEAD "\"actions\":16," GR_TAIL "}"),         /* standards */
        ST("", "{" GR_HEAD "\"actions\":4294967304," GR_TAIL "}"), /* 2^32 + playback */
        ST("", "{\"id\":\"em-1\",\"person\":\"yamada\",\"account\":\"taro\",\"actions\":8," GR_TAIL
               "}"),
        ST("", "{\"id\":\"em-1\",\"person\":null,\"account\":\"taro\",\"by\":\"tanaka\","
               "\"actions\":8," GR_TAIL "}"),
        ST("", "{" GR_HEAD "\"actions\":8,\"cameras\":\"\",\"reason\":\"r\",\"granted_us\":1,"
               "\"until_us\":2,\"revoked\":0,\"reported_us\":0}"),
        ST("", "{" GR_HEAD "\"actions\":8,\"cameras\":\"\",\"reason\":\"r\",\"granted_us\":1,"
               "\"until_us\":2,\"revoked\":false}"),
        ST("", "{" GR_HEAD "\"actions\":8,\"cameras\":\"\",\"reason\":\"r\",\"granted_us\":1,"
               "\"until_us\":\"2\",\"revoked\":false,\"reported_us\":0}"),
        ST("", "{" GR_HEAD "\"actions\":8," GR_TAIL ",\"extra\":true}"),
        ST("", "{\"id\":\"em-1\",\"person\":\"yamada\",\"account\":"
               "\"an-account-name-far-longer-than-posix-allows\",\"by\":\"tanaka\","
               "\"actions\":8," GR_TAIL "}"),
        ST("", "[]"),
    };
#undef OV
#undef GR_HEAD
#undef GR_TAIL
#undef ST
    edge_access_t *b = calloc(1, sizeof *b);
    assert_non_null(b);
    char msg[256];
    json_error_t je;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        json_t *j = json_loads(good[i], JSON_DECODE_ANY, &je);
        if (!j)
            fail_msg("good[%zu] is no JSON: %s", i, je.text);
        msg[0] = 0;
        if (edge_access_from_json(j, b, msg, sizeof msg) != MM_OK)
            fail_msg("good[%zu] refused: %s", i, msg);
        json_decref(j);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i], JSON_DECODE_ANY, &je);
        if (!j)
            fail_msg("bad[%zu] is no JSON: %s", i, je.text);
        msg[0] = 0;
        mm_err_t err = edge_access_from_json(j, b, msg, sizeof msg);
        if (err != MM_ECORRUPT || !msg[0])
            fail_msg("bad[%zu] %s: %s \"%s\"", i, bad[i], mm_err_name(err), msg);
        json_decref(j);
    }
    free(b);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(R_N6_1_designation_of_operators),
        T(R_N6_2_roles_decide_what_each_caller_may_do),
        T(anyone_may_ask_the_sites_zone),
        T(R_K2_2_6b_site_holds_are_the_managers),
        T(R_N7_2_revocation_takes_effect_at_the_next_call),
        T(R_N12_complaints_are_the_manager_s_and_the_operators),
        T(R_N7_2_designations_survive_a_restart),
        T(R_N6_2_R_N6_3_emergency_grant_scope_time_and_report),
        T(R_N6_2_emergency_grant_to_an_outsider_account),
        T(R_N6_2_emergency_grants_that_are_refused),
        T(R_N6_2_grant_actions_parse),
        T(R_N6_3_grant_revoke_ends_access_but_not_the_report),
        T(R_N6_2_two_grants_each_count_for_their_cameras),
        T(R_N7_2_a_running_playback_learns_why_its_right_ended),
        T(persistence_round_trip_keeps_grants_exactly),
        T(persistence_refuses_malformed_state),
    };
#undef T
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
