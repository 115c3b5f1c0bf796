/*
 * test_facts.c: what the configuration says about the site and each camera is in the site log
 * (R-N4.1, R-N5, R-K2.2.1, R-N6.1) once, and again only for what changed: a camera's record
 * when that camera's facts change, the site's when the operators in force change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "edge/facts.h"

typedef struct {
    char dir[64];
    edge_store_t *st;
    edge_config_t *cfg;
    uint64_t seen; /* entries of the log already checked */
} fixture_t;

static void person(edge_governance_t *g, const char *id, const char *name)
{
    assert_true(strlen(id) < MM_ID_MAX);
    edge_person_t *p = &g->people[g->n_people];
    memcpy(p->id, id, strlen(id) + 1);
    p->name = (char *)name;
    snprintf(p->account, sizeof p->account, "user%zu", g->n_people++);
}

static void camera(edge_config_t *cfg, const char *id, const char *location)
{
    edge_config_camera_t *c = &cfg->cameras[cfg->n_cameras++];
    snprintf(c->id, sizeof c->id, "%s", id);
    c->gov.location = (char *)location;
    c->gov.purpose = "防犯";
    snprintf(c->gov.install_date, sizeof c->gov.install_date, "2026-04-10");
    c->gov.signage_text = "防犯カメラ作動中 設置者 中央通り商店街振興組合";
    c->gov.signage_installer_shown = 1;
    snprintf(c->gov.signage_checked, sizeof c->gov.signage_checked, "2026-04-15");
}

/* A kawaguchi site: manager tanaka, operator suzuki, sato of a contractor; two cameras. */
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f || !(f->cfg = calloc(1, sizeof *f->cfg)))
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-facts-XXXXXX");
    if (!mkdtemp(f->dir) || edge_store_open(f->dir, &f->st) != MM_OK)
        return -1;
    edge_config_t *cfg = f->cfg;
    cfg->policy = MM_POLICY_KAWAGUCHI;
    cfg->retention_days = 7;
    cfg->registered_retention_days = 14;
    edge_governance_t *g = &cfg->gov;
    g->installer_name = "中央通り商店街振興組合";
    g->installer_contact = "048-000-0000";
    g->purpose = "防犯";
    g->storage_location = "組合事務所 2 階";
    snprintf(g->consensus_date, sizeof g->consensus_date, "2026-03-01");
    g->land_permission_ref = "許可 2026-17";
    snprintf(g->land_permission_date, sizeof g->land_permission_date, "2026-03-10");
    person(g, "tanaka", "田中一郎");
    person(g, "suzuki", "鈴木花子");
    person(g, "sato", "佐藤次郎");
    g->manager = 0;
    g->is_operator[1] = g->is_operator[2] = 1;
    g->n_contractors = 1;
    g->contractors[0].name = "東京警備株式会社";
    g->contractors[0].n_staff = 1;
    g->contractors[0].staff[0] = 2;
    camera(cfg, "gate-1", "中央通り 3 番地 街灯柱");
    camera(cfg, "lobby", "中央通り 5 番地 アーケード入口");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    edge_store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f->cfg);
    free(f);
    return rc;
}

/* The entries appended since the last call, decoded, in *out (n of them; free it). */
static mm_entry_t *appended(fixture_t *f, size_t *n)
{
    uint64_t size;
    assert_int_equal(edge_store_size(f->st, &size), MM_OK);
    *n = (size_t)(size - f->seen);
    mm_entry_t *es = calloc(*n + 1, sizeof *es);
    assert_non_null(es);
    if (*n) {
        mm_bytes_t *raw = NULL;
        assert_int_equal(edge_store_entries(f->st, f->seen, *n, &raw), MM_OK);
        for (size_t i = 0; i < *n; i++)
            assert_int_equal(mm_entry_decode(raw[i].data, raw[i].len, &es[i]), MM_OK);
        free(raw);
    }
    f->seen = size;
    return es;
}

static void check_camera(const mm_entry_t *e, const edge_config_camera_t *c, int64_t time)
{
    assert_int_equal(e->kind, MM_ENTRY_CAMERA_FACTS);
    assert_int_equal(e->time_us, time);
    const mm_camera_facts_t *cf = &e->u.camera_facts;
    assert_string_equal(cf->camera, c->id);
    assert_string_equal(cf->location, c->gov.location);
    assert_string_equal(cf->purpose, c->gov.purpose);
    assert_string_equal(cf->install_date, c->gov.install_date);
    assert_string_equal(cf->signage_text, c->gov.signage_text);
    assert_int_equal(cf->signage_installer_shown, 1);
    assert_string_equal(cf->signage_checked, c->gov.signage_checked);
}

/* The first call logs the site and every camera, with every field as configured. */
static void first_call_logs_site_and_each_camera(void **state)
{
    fixture_t *f = *state;
    int logged = -1;
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 1000, &logged), MM_OK);
    assert_int_equal(logged, 3);
    size_t n;
    mm_entry_t *es = appended(f, &n);
    assert_int_equal(n, 3);
    assert_int_equal(es[0].kind, MM_ENTRY_SITE_FACTS);
    assert_int_equal(es[0].time_us, 1000);
    const mm_site_facts_t *s = &es[0].u.site_facts;
    assert_int_equal(s->policy, MM_POLICY_KAWAGUCHI);
    assert_int_equal(s->retention_days, 7);
    assert_int_equal(s->registered_retention_days, 14);
    assert_int_equal(s->floor_days, 7);
    assert_string_equal(s->installer_name, "中央通り商店街振興組合");
    assert_string_equal(s->installer_address, ""); /* not given */
    assert_string_equal(s->installer_contact, "048-000-0000");
    assert_string_equal(s->purpose, "防犯");
    assert_string_equal(s->storage_location, "組合事務所 2 階");
    assert_string_equal(s->consensus_date, "2026-03-01");
    assert_string_equal(s->land_permission_ref, "許可 2026-17");
    assert_string_equal(s->land_permission_date, "2026-03-10");
    assert_string_equal(s->manager, "tanaka");
    assert_string_equal(s->manager_name, "田中一郎");
    assert_string_equal(s->operators, "suzuki,sato"); /* NULL: the configured operators */
    assert_string_equal(s->contractors, "[{\"name\":\"東京警備株式会社\",\"staff\":[\"sato\"]}]");
    assert_int_equal(s->cameras, 2);
    assert_int_equal(s->no_night_staff, 0); /* "night_staff" unset: staffed */
    check_camera(&es[1], &f->cfg->cameras[0], 1000);
    check_camera(&es[2], &f->cfg->cameras[1], 1000);
    free(es);

    /* The same facts later: nothing new, whatever the time. */
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 2000, &logged), MM_OK);
    assert_int_equal(logged, 0);
    es = appended(f, &n);
    assert_int_equal(n, 0);
    free(es);
}

/* A camera moved: exactly that camera's record is logged again. */
static void changed_camera_logs_that_camera_only(void **state)
{
    fixture_t *f = *state;
    int logged;
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 1000, &logged), MM_OK);
    free(appended(f, &(size_t){0}));
    f->cfg->cameras[1].gov.location = "中央通り 7 番地 アーケード出口";
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 2000, &logged), MM_OK);
    assert_int_equal(logged, 1);
    size_t n;
    mm_entry_t *es = appended(f, &n);
    assert_int_equal(n, 1);
    check_camera(&es[0], &f->cfg->cameras[1], 2000);
    assert_string_equal(es[0].u.camera_facts.location, "中央通り 7 番地 アーケード出口");
    free(es);
    /* A removed sign is a change too (R-K2.2.1). */
    f->cfg->cameras[0].gov.signage_text = NULL;
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 3000, &logged), MM_OK);
    assert_int_equal(logged, 1);
    es = appended(f, &n);
    assert_string_equal(es[0].u.camera_facts.camera, "gate-1");
    assert_string_equal(es[0].u.camera_facts.signage_text, "");
    free(es);
}

/* "night_staff": false is a change of the site's facts, logged as no_night_staff (the hub
 * watches for viewings at night then, R-K2.2.3-4 / R-N7.2). */
static void no_night_staff_is_logged(void **state)
{
    fixture_t *f = *state;
    int logged;
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 1000, &logged), MM_OK);
    free(appended(f, &(size_t){0}));
    f->cfg->no_night_staff = 1;
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 2000, &logged), MM_OK);
    assert_int_equal(logged, 1);
    size_t n;
    mm_entry_t *es = appended(f, &n);
    assert_int_equal(n, 1);
    assert_int_equal(es[0].kind, MM_ENTRY_SITE_FACTS);
    assert_int_equal(es[0].u.site_facts.no_night_staff, 1);
    free(es);
}

/*
 * Operators designated or revoked at run time (R-N6.1): only site_facts is logged, naming the
 * operators in force; the manager is never one of them, whatever is_operator says.
 */
static void changed_operators_log_site_only(void **state)
{
    fixture_t *f = *state;
    int logged;
    int ops[EDGE_MAX_PEOPLE] = {0, 1, 1};
    assert_int_equal(edge_facts_log(f->st, f->cfg, ops, NULL, 1000, &logged), MM_OK);
    assert_int_equal(logged, 3);
    free(appended(f, &(size_t){0}));
    /* The configured operators, given explicitly, are the same facts. */
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 1500, &logged), MM_OK);
    assert_int_equal(logged, 0);

    ops[1] = 0; /* suzuki revoked */
    assert_int_equal(edge_facts_log(f->st, f->cfg, ops, NULL, 2000, &logged), MM_OK);
    assert_int_equal(logged, 1);
    size_t n;
    mm_entry_t *es = appended(f, &n);
    assert_int_equal(n, 1);
    assert_int_equal(es[0].kind, MM_ENTRY_SITE_FACTS);
    assert_int_equal(es[0].time_us, 2000);
    assert_string_equal(es[0].u.site_facts.operators, "sato");
    assert_string_equal(es[0].u.site_facts.manager, "tanaka");
    free(es);

    ops[0] = 1; /* the manager cannot operate */
    ops[2] = 0; /* nobody operates */
    assert_int_equal(edge_facts_log(f->st, f->cfg, ops, NULL, 3000, &logged), MM_OK);
    assert_int_equal(logged, 1);
    es = appended(f, &n);
    assert_int_equal(n, 1);
    assert_string_equal(es[0].u.site_facts.operators, "");
    free(es);
}

/* A site without contractors says so with an empty JSON array. Naha's text sets no floor: until
 * the city's rule arrives the facts name none (R-N7.5); then they carry it. */
static void naha_site_without_contractors(void **state)
{
    fixture_t *f = *state;
    f->cfg->policy = MM_POLICY_NAHA;
    f->cfg->retention_days = 1;
    f->cfg->gov.n_contractors = 0;
    f->cfg->gov.consensus_date[0] = 0;
    f->cfg->gov.land_permission_ref = NULL;
    f->cfg->gov.land_permission_date[0] = 0;
    int logged;
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 1000, &logged), MM_OK);
    assert_int_equal(logged, 3);
    size_t n;
    mm_entry_t *es = appended(f, &n);
    const mm_site_facts_t *s = &es[0].u.site_facts;
    assert_int_equal(s->policy, MM_POLICY_NAHA);
    assert_int_equal(s->retention_days, 1);
    assert_int_equal(s->floor_days, 0);
    assert_string_equal(s->retention_rule, "");
    assert_int_equal(s->retention_max_days, 0);
    assert_string_equal(s->city_rule, "");
    assert_string_equal(s->contractors, "[]");
    assert_string_equal(s->consensus_date, "");
    assert_string_equal(s->land_permission_ref, "");
    assert_string_equal(s->land_permission_date, "");
    free(es);

    edge_city_rule_t rule = {.has = 1,
                             .id = "notice-3",
                             .policy = MM_POLICY_NAHA,
                             .min_days = 1,
                             .max_days = 31,
                             .rule = "那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条"};
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, &rule, 2000, &logged), MM_OK);
    assert_int_equal(logged, 1);
    es = appended(f, &n);
    s = &es[0].u.site_facts;
    assert_int_equal(s->floor_days, 1);
    assert_int_equal(s->retention_max_days, 31);
    assert_string_equal(s->retention_rule, rule.rule);
    assert_string_equal(s->city_rule, "notice-3");
    free(es);
}

/* A policy whose text sets the period names its clause and floor, whatever rule is given. */
static void text_policy_names_its_clause(void **state)
{
    fixture_t *f = *state;
    edge_city_rule_t rule = {.has = 1, .id = "notice-1", .policy = MM_POLICY_NAHA, .min_days = 2};
    int logged;
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, &rule, 1000, &logged), MM_OK);
    size_t n;
    mm_entry_t *es = appended(f, &n);
    const mm_site_facts_t *s = &es[0].u.site_facts;
    assert_int_equal(s->policy, MM_POLICY_KAWAGUCHI);
    assert_int_equal(s->floor_days, 7);
    assert_string_equal(s->retention_rule,
                        "川口市防犯カメラの設置及び運用に関する基準 第2の2(6)イ");
    assert_string_equal(s->city_rule, "");
    free(es);
}

/*
 * What does not fit its field is refused with MM_EINVAL, never cut short: the operators' ids
 * together, the contractors' JSON, a text over the entry's limit. Nothing is logged.
 */
static void too_long_is_refused_not_truncated(void **state)
{
    fixture_t *f = *state;
    edge_governance_t *g = &f->cfg->gov;
    char ids[40][MM_ID_MAX];
    int ops[EDGE_MAX_PEOPLE] = {0};
    for (int i = 0; i < 40; i++) { /* 40 ids of 63 bytes: over 2047 bytes together */
        memset(ids[i], 'a' + i % 26, MM_ID_MAX - 1);
        ids[i][MM_ID_MAX - 1] = 0;
        ids[i][0] = (char)('A' + i % 26);
        ids[i][1] = (char)('A' + i / 26);
        person(g, ids[i], "x");
        ops[g->n_people - 1] = 1;
    }
    int logged = -1;
    assert_int_equal(edge_facts_log(f->st, f->cfg, ops, NULL, 1000, &logged), MM_EINVAL);
    assert_int_equal(logged, 0);
    g->n_people -= 40;

    char *name = malloc(EDGE_TEXT_MAX + 1);
    assert_non_null(name);
    memset(name, 'n', EDGE_TEXT_MAX);
    name[EDGE_TEXT_MAX] = 0;
    /* Two names each as long as the configuration allows: together over the field. */
    g->contractors[1].name = g->contractors[0].name = name;
    g->n_contractors = 2;
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 1000, &logged), MM_EINVAL);
    assert_int_equal(logged, 0);
    g->n_contractors = 1;
    g->contractors[0].name = "東京警備株式会社";

    char *loc = malloc(MM_LONG_TEXT_MAX + 1);
    assert_non_null(loc);
    memset(loc, 'l', MM_LONG_TEXT_MAX);
    loc[MM_LONG_TEXT_MAX] = 0;
    f->cfg->cameras[1].gov.location = loc;
    /* The site and the first camera are logged; the second camera stops the call. */
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 1000, &logged), MM_EINVAL);
    assert_int_equal(logged, 2);
    loc[MM_LONG_TEXT_MAX - 1] = 0; /* 2047 bytes: the longest that fits */
    assert_int_equal(edge_facts_log(f->st, f->cfg, NULL, NULL, 2000, &logged), MM_OK);
    assert_int_equal(logged, 1);
    size_t n;
    mm_entry_t *es = appended(f, &n);
    assert_int_equal(n, 3);
    assert_int_equal(strlen(es[2].u.camera_facts.location), MM_LONG_TEXT_MAX - 1);
    free(es);
    free(loc);
    free(name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(first_call_logs_site_and_each_camera, setup, teardown),
        cmocka_unit_test_setup_teardown(changed_camera_logs_that_camera_only, setup, teardown),
        cmocka_unit_test_setup_teardown(changed_operators_log_site_only, setup, teardown),
        cmocka_unit_test_setup_teardown(no_night_staff_is_logged, setup, teardown),
        cmocka_unit_test_setup_teardown(naha_site_without_contractors, setup, teardown),
        cmocka_unit_test_setup_teardown(text_policy_names_its_clause, setup, teardown),
        cmocka_unit_test_setup_teardown(too_long_is_refused_not_truncated, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
