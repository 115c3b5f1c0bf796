/*
 * test_rules_watch.c: the rules over what the hub watches with its own clock (hub/rules_watch),
 * each a pure function of a site's record (written by hand in its stored shape and read through
 * the registry's codec), its watch state and the hub's time: clock_skew and erased_early
 * (R-K2.2.6b, R-N7.5), viewing_volume and night_viewing (R-K2.2.3-4, R-N7.2),
 * camera_suspended_long (R-K2.1.3b), camera_count_unfiled (R-N4.2, R-K2.1.3b), signage_check_old
 * (R-K2.2.1, R-N5.4); and the policy table (hub/watchpolicy) with a row for every policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/timefmt.h"
#include "hub/findings_codec.h"
#include "hub/registry.h"
#include "hub/registry_codec.h"
#include "hub/rules_watch.h"
#include "hub/watchpolicy.h"

#define S_US 1000000LL
#define MIN_US (60 * S_US)
#define HOUR_US (60 * MIN_US)
#define DAY_US (24 * HOUR_US)
#define NOW_US (1779246000LL * S_US) /* 2026-05-20 12:00 in Japan */

static hub_watch_conf_t CFG;

static int setup(void **state)
{
    (void)state;
    hub_watch_conf_default(&CFG);
    return 0;
}

/* A site that breaks none of these rules: cam1 recording, its sign checked 2026-04-15. */
static json_t *record(const char *policy)
{
    json_t *rec = json_pack(
        "{s:s, s:{s:s, s:i, s:s, s:I, s:I}, s:{s:{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:b, "
        "s:s, s:I, s:I}}}, s:[], s:{}}",
        "site", "site-a", "facts", "policy", policy, "retention_days", 7, "installer_name", "組合",
        "index", (json_int_t)3, "time_us", (json_int_t)100, "cameras", "cam1", "id", "cam1",
        "state", "recording", "facts", "camera", "cam1", "location", "3 番地", "purpose", "見守り",
        "install_date", "2026-04-10", "signage_text", "防犯カメラ作動中", "signage_installer_shown",
        1, "signage_checked", "2026-04-15", "index", (json_int_t)4, "time_us", (json_int_t)101,
        "filings", "grants");
    assert_non_null(rec);
    return rec;
}

static json_t *cam(json_t *rec)
{
    return json_object_get(json_object_get(rec, "cameras"), "cam1");
}

static hub_watch_state_t *state_of(const char *policy)
{
    hub_watch_state_t *st = calloc(1, sizeof *st);
    assert_non_null(st);
    st->has_facts = 1;
    assert_true(mm_policy_parse(policy, &st->policy));
    st->retention_days = 7;
    return st;
}

/* The findings for rec (NULL: none) and st at now, as JSON. */
static json_t *eval(json_t *rec, const hub_watch_state_t *st, int64_t now)
{
    hub_site_record_t *r = NULL;
    if (rec) {
        r = malloc(sizeof *r);
        assert_non_null(r);
        assert_int_equal(hub_site_record_from_json(rec, r), MM_OK);
    }
    hub_finding_list_t l;
    hub_finding_list_init(&l);
    assert_int_equal(hub_rules_watch_evaluate(r, st, &CFG, now, &l), MM_OK);
    json_t *out = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const hub_finding_t *f = &l.items[i];
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:o}", "kind", f->kind, "dedupe",
                                             f->dedupe, "rule", f->rule, "message", f->message,
                                             "evidence", hub_evidence_json(&f->evidence)));
    }
    hub_finding_list_deinit(&l);
    if (r) {
        hub_site_record_deinit(r);
        free(r);
    }
    return out;
}

/* The one finding of out, checked for its kind, rule and dedupe key. */
static json_t *only(json_t *out, const char *kind, const char *rule, const char *dedupe)
{
    if (json_array_size(out) != 1)
        fail_msg("%zu findings: %s", json_array_size(out), json_dumps(out, 0));
    json_t *f = json_array_get(out, 0);
    assert_string_equal(json_string_value(json_object_get(f, "kind")), kind);
    assert_string_equal(json_string_value(json_object_get(f, "rule")), rule);
    assert_string_equal(json_string_value(json_object_get(f, "dedupe")), dedupe);
    return f;
}

static json_t *ev(json_t *f, const char *name)
{
    return json_object_get(json_object_get(f, "evidence"), name);
}

static void entries_are(json_t *f, size_t n, const json_int_t *want)
{
    json_t *e = ev(f, "entries");
    assert_int_equal(json_array_size(e), n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(json_integer_value(json_array_get(e, i)), want[i]);
}

static int mentions(json_t *f, const char *text)
{
    return strstr(json_string_value(json_object_get(f, "message")), text) != NULL;
}

/* A sound site and an empty state: nothing. */
static void nothing_to_find(void **state)
{
    (void)state;
    json_t *rec = record("kawaguchi");
    hub_watch_state_t *st = state_of("kawaguchi");
    json_t *out = eval(rec, st, NOW_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    out = eval(NULL, NULL, NOW_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    json_decref(rec);
    free(st);
}

/* R-K2.2.6b / R-N7.5: the site's clock beyond the bound either way is a finding, within it none;
 * the latest measurement decides, so that setting the clock right closes it. */
static void r_k2_2_6b_clock_skew(void **state)
{
    (void)state;
    json_t *rec = record("kawaguchi");
    hub_watch_state_t *st = state_of("kawaguchi");
    st->n_skews = 1;
    st->skews[0] = (hub_watch_skew_t){.site_us = NOW_US + 8 * DAY_US,
                                      .offset_us = 8 * DAY_US,
                                      .received_us = NOW_US,
                                      .index = 41};
    json_t *out = eval(rec, st, NOW_US);
    json_t *f = only(out, "clock_skew", "R-K2.2.6b", "");
    entries_are(f, 1, (json_int_t[]){41});
    assert_int_equal(json_integer_value(ev(f, "offset_s")), 8 * 86400);
    assert_true(mentions(f, "8 d 0 h ahead of the hub's"));
    json_decref(out);
    st->skews[0].offset_us = -6 * MIN_US;
    out = eval(rec, st, NOW_US);
    assert_true(mentions(only(out, "clock_skew", "R-K2.2.6b", ""), "6 min 0 s behind"));
    json_decref(out);
    st->skews[0].offset_us = 5 * MIN_US; /* the bound itself */
    out = eval(rec, st, NOW_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    json_object_set_new(json_object_get(rec, "facts"), "policy", json_string("naha"));
    st->skews[0].offset_us = -HOUR_US;
    out = eval(rec, st, NOW_US);
    only(out, "clock_skew", "R-N7.5", "");
    json_decref(out);
    json_decref(rec);
    free(st);
}

/* R-K2.2.6b / R-N7.5: each camera's early erasures of a day are one finding, citing the first and
 * last entries, for as long as the state keeps them. */
static void r_k2_2_6b_erased_early(void **state)
{
    (void)state;
    json_t *rec = record("kawaguchi");
    hub_watch_state_t *st = state_of("kawaguchi");
    st->n_erasures = 2;
    st->erasures[0] = (hub_watch_erasure_t){.camera = "cam1",
                                            .day = "2026-05-20",
                                            .count = 3,
                                            .first_index = 50,
                                            .last_index = 70,
                                            .early_us = 7 * DAY_US - 5 * MIN_US,
                                            .due_us = NOW_US + 7 * DAY_US,
                                            .received_us = NOW_US,
                                            .retention_days = 7};
    st->erasures[1] = st->erasures[0];
    snprintf(st->erasures[1].camera, MM_ID_MAX, "cam2");
    st->erasures[1].count = 1;
    st->erasures[1].last_index = 50;
    json_t *out = eval(rec, st, NOW_US);
    assert_int_equal(json_array_size(out), 2);
    json_t *f = json_array_get(out, 0);
    assert_string_equal(json_string_value(json_object_get(f, "dedupe")), "cam1/2026-05-20");
    assert_string_equal(json_string_value(json_object_get(f, "rule")), "R-K2.2.6b");
    entries_are(f, 2, (json_int_t[]){50, 70});
    assert_string_equal(json_string_value(ev(f, "camera")), "cam1");
    assert_string_equal(json_string_value(ev(f, "day")), "2026-05-20");
    assert_int_equal(json_integer_value(ev(f, "count")), 3);
    assert_int_equal(json_integer_value(ev(f, "early_s")), 7 * 86400 - 300);
    assert_int_equal(json_integer_value(ev(f, "retention_days")), 7);
    assert_true(mentions(f, "went up to 6 d 23 h before the footage's 7 days of retention"));
    entries_are(json_array_get(out, 1), 1, (json_int_t[]){50});
    json_decref(out);
    json_object_set_new(json_object_get(rec, "facts"), "policy", json_string("naha"));
    out = eval(rec, st, NOW_US);
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "rule")),
                        "R-N7.5");
    json_decref(out);
    json_decref(rec);
    free(st);
}

/* R-K2.2.3-4 / R-N7.2: a person's viewings or footage viewed on a day above the policy's bound;
 * at the bound, none. */
static void r_k2_2_3_4_viewing_volume(void **state)
{
    (void)state;
    CFG.viewing[MM_POLICY_KAWAGUCHI] = (hub_watch_bounds_t){3, 2 * HOUR_US};
    CFG.viewing[MM_POLICY_NAHA] = (hub_watch_bounds_t){1, HOUR_US};
    json_t *rec = record("kawaguchi");
    hub_watch_state_t *st = state_of("kawaguchi");
    st->n_viewings = 1;
    st->viewings[0] = (hub_watch_viewing_t){.person = "sato",
                                            .day = "2026-05-20",
                                            .viewings = 3,
                                            .footage_us = 2 * HOUR_US,
                                            .first_index = 10,
                                            .last_index = 30};
    json_t *out = eval(rec, st, NOW_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    st->viewings[0].viewings = 4;
    out = eval(rec, st, NOW_US);
    json_t *f = only(out, "viewing_volume", "R-K2.2.3-4", "sato/2026-05-20");
    entries_are(f, 2, (json_int_t[]){10, 30});
    assert_string_equal(json_string_value(ev(f, "person")), "sato");
    assert_int_equal(json_integer_value(ev(f, "viewings")), 4);
    assert_int_equal(json_integer_value(ev(f, "footage_min")), 120);
    assert_int_equal(json_integer_value(ev(f, "max_viewings")), 3);
    assert_int_equal(json_integer_value(ev(f, "max_minutes")), 120);
    json_decref(out);
    st->viewings[0].viewings = 1;
    st->viewings[0].footage_us = 2 * HOUR_US + S_US;
    out = eval(rec, st, NOW_US);
    only(out, "viewing_volume", "R-K2.2.3-4", "sato/2026-05-20");
    json_decref(out);
    /* Naha's own bound is lower; the same day is over it. */
    st->viewings[0].footage_us = HOUR_US + S_US;
    json_object_set_new(json_object_get(rec, "facts"), "policy", json_string("naha"));
    out = eval(rec, st, NOW_US);
    only(out, "viewing_volume", "R-N7.2", "sato/2026-05-20");
    json_decref(out);
    hub_watch_conf_default(&CFG);
    json_decref(rec);
    free(st);
}

/* R-K2.2.3-4 / R-N7.2: a viewing at night is a finding only at a site whose facts say nobody
 * works there at night. */
static void r_k2_2_3_4_night_viewing(void **state)
{
    (void)state;
    json_t *rec = record("kawaguchi");
    hub_watch_state_t *st = state_of("kawaguchi");
    st->n_viewings = 1;
    st->viewings[0] = (hub_watch_viewing_t){.person = "sato",
                                            .day = "2026-05-20",
                                            .viewings = 2,
                                            .footage_us = HOUR_US,
                                            .night = 1,
                                            .first_index = 10,
                                            .last_index = 12,
                                            .night_index = 12};
    json_t *out = eval(rec, st, NOW_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    json_object_set_new(json_object_get(rec, "facts"), "no_night_staff", json_true());
    out = eval(rec, st, NOW_US);
    json_t *f = only(out, "night_viewing", "R-K2.2.3-4", "sato/2026-05-20");
    entries_are(f, 1, (json_int_t[]){12});
    assert_int_equal(json_integer_value(ev(f, "night")), 1);
    assert_int_equal(json_integer_value(ev(f, "from_hour")), 22);
    assert_int_equal(json_integer_value(ev(f, "to_hour")), 6);
    assert_true(mentions(f, "(22:00-06:00 in the site's zone)"));
    json_decref(out);
    json_object_set_new(json_object_get(rec, "facts"), "policy", json_string("naha"));
    out = eval(rec, st, NOW_US);
    only(out, "night_viewing", "R-N7.2", "sato/2026-05-20");
    json_decref(out);
    json_decref(rec);
    free(st);
}

/* R-K2.1.3b: under kawaguchi a camera suspended longer than the city's time is a finding (the
 * standard's five years of operation); under naha a filed suspension has no limit. */
static void r_k2_1_3b_camera_suspended_long(void **state)
{
    (void)state;
    json_t *rec = record("kawaguchi");
    json_object_set_new(cam(rec), "state", json_string("suspended"));
    json_object_set_new(cam(rec), "state_index", json_integer(77));
    json_object_set_new(cam(rec), "state_time_us", json_integer(NOW_US - 30 * DAY_US));
    json_t *out = eval(rec, NULL, NOW_US);
    assert_int_equal(json_array_size(out), 0); /* exactly the 30 days */
    json_decref(out);
    out = eval(rec, NULL, NOW_US + S_US);
    json_t *f = only(out, "camera_suspended_long", "R-K2.1.3b", "cam1");
    entries_are(f, 1, (json_int_t[]){77});
    assert_int_equal(json_integer_value(ev(f, "days")), 30);
    assert_int_equal(json_integer_value(ev(f, "max_days")), 30);
    assert_string_equal(json_string_value(ev(f, "camera")), "cam1");
    assert_true(mentions(f, "Kawaguchi standard 2.1(3): cameras run five years"));
    json_decref(out);
    json_object_set_new(json_object_get(rec, "facts"), "policy", json_string("naha"));
    out = eval(rec, NULL, NOW_US + 200 * DAY_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    json_decref(rec);
}

/* R-K2.2.1 / R-N5.4: a sign last checked longer ago than the city's time; an abolished camera and
 * one without a sign (signage_missing's) are not held to it. */
static void r_k2_2_1_signage_check_old(void **state)
{
    (void)state;
    json_t *rec = record("naha");
    int64_t checked;
    assert_int_equal(mm_jst_date_us("2026-04-15", &checked), 0);
    json_t *out = eval(rec, NULL, checked + 365 * DAY_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    out = eval(rec, NULL, NOW_US + 331 * DAY_US);
    json_t *f = only(out, "signage_check_old", "R-N5.4", "cam1");
    entries_are(f, 1, (json_int_t[]){4});
    assert_string_equal(json_string_value(ev(f, "checked")), "2026-04-15");
    assert_int_equal(json_integer_value(ev(f, "days")), 366);
    assert_int_equal(json_integer_value(ev(f, "max_days")), 365);
    json_decref(out);
    json_object_set_new(json_object_get(rec, "facts"), "policy", json_string("kawaguchi"));
    out = eval(rec, NULL, NOW_US + 331 * DAY_US);
    only(out, "signage_check_old", "R-K2.2.1", "cam1");
    json_decref(out);
    json_object_set_new(json_object_get(cam(rec), "facts"), "signage_text", json_string(""));
    out = eval(rec, NULL, NOW_US + 331 * DAY_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    json_object_set_new(json_object_get(cam(rec), "facts"), "signage_text", json_string("表示"));
    json_object_set_new(cam(rec), "state", json_string("abolished"));
    out = eval(rec, NULL, NOW_US + 331 * DAY_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    json_decref(rec);
}

/* R-N4.2 / R-K2.1.3b: the number of cameras the site runs differs from the version it filed last,
 * past the grace; it closes when a version with the number is filed. */
static void r_n4_2_camera_count_unfiled(void **state)
{
    (void)state;
    json_t *rec = record("naha");
    hub_watch_state_t *st = state_of("naha");
    st->cameras = 3;
    st->cameras_index = 60;
    st->cameras_since_us = NOW_US;
    st->has_filed = 1;
    st->filed_version = 2;
    st->filed_cameras = 2;
    st->filed_cameras_known = 1;
    st->filed_index = 40;
    json_t *out = eval(rec, st, NOW_US + DAY_US);
    assert_int_equal(json_array_size(out), 0); /* within the grace */
    json_decref(out);
    out = eval(rec, st, NOW_US + DAY_US + S_US);
    json_t *f = only(out, "camera_count_unfiled", "R-N4.2", "");
    entries_are(f, 2, (json_int_t[]){60, 40});
    assert_int_equal(json_integer_value(ev(f, "cameras")), 3);
    assert_int_equal(json_integer_value(ev(f, "filed_cameras")), 2);
    assert_int_equal(json_integer_value(ev(f, "version")), 2);
    json_decref(out);
    json_object_set_new(json_object_get(rec, "facts"), "policy", json_string("kawaguchi"));
    out = eval(rec, st, NOW_US + 2 * DAY_US);
    only(out, "camera_count_unfiled", "R-K2.1.3b", "");
    json_decref(out);
    st->filed_cameras = 3;
    out = eval(rec, st, NOW_US + 2 * DAY_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    st->filed_cameras = 2;
    st->filed_cameras_known = 0; /* a version the state no longer knows: no judgement */
    out = eval(rec, st, NOW_US + 2 * DAY_US);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    json_decref(rec);
    free(st);
}

/* Every policy has a row: what it holds a site to, with the requirement and clause; a policy
 * added to the vocabulary without a row fails here. */
static void every_policy_has_a_row(void **state)
{
    (void)state;
    for (int p = 0; p < MM_POLICY_COUNT; p++) {
        const hub_watch_policy_t *w = hub_watch_policy((mm_policy_t)p);
        assert_non_null(w);
        const hub_watch_duty_t *duties[] = {&w->erasure,      &w->viewing, &w->suspension,
                                            &w->camera_count, &w->sign,    &w->uptime};
        for (size_t i = 0; i < sizeof duties / sizeof *duties; i++)
            if (!duties[i]->clause || !duties[i]->clause[0])
                fail_msg("policy %s has no row, or a duty without its clause",
                         mm_policy_name((mm_policy_t)p));
        assert_non_null(w->erasure.rule);
    }
    assert_null(hub_watch_policy(MM_POLICY_COUNT));
    assert_null(hub_watch_policy(MM_POLICY_NAHA)->suspension.rule);
    assert_true(hub_watch_policy(MM_POLICY_KAWAGUCHI)->uptime_counts_suspended);
    assert_false(hub_watch_policy(MM_POLICY_NAHA)->uptime_counts_suspended);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_to_find),
        cmocka_unit_test(r_k2_2_6b_clock_skew),
        cmocka_unit_test(r_k2_2_6b_erased_early),
        cmocka_unit_test(r_k2_2_3_4_viewing_volume),
        cmocka_unit_test(r_k2_2_3_4_night_viewing),
        cmocka_unit_test(r_k2_1_3b_camera_suspended_long),
        cmocka_unit_test(r_k2_2_1_signage_check_old),
        cmocka_unit_test(r_n4_2_camera_count_unfiled),
        cmocka_unit_test(every_policy_has_a_row),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
