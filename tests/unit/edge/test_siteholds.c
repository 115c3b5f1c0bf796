/*
 * test_siteholds.c: holds the manager places at the site (siteholds.h; R-K2.2.6b, R-K2.2.6c,
 * R-N7.5, R-N7.6) — what a hold may name, checked as a pure function at its boundaries; holds
 * placed with their ids, person and expiry in their rows and hold_placed entries; footage kept
 * past retention while held and erased once released, expired or superseded by a disclosure's
 * hold. Real vault, keyring, store and segment files (vault_fixture.h).
 */
#include "common/timefmt.h"
#include "edge/governance.h"
#include "edge/retention.h"
#include "edge/siteholds.h"
#include "vault_fixture.h"

#define S 1000000LL
#define NOW (T0 + 2 * H)

static edge_config_t *cfg_of(mm_policy_t policy)
{
    static edge_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.policy = policy;
    cfg.n_cameras = 2;
    snprintf(cfg.cameras[0].id, MM_ID_MAX, "cam1");
    snprintf(cfg.cameras[1].id, MM_ID_MAX, "cam2");
    return &cfg;
}

static edge_sitehold_req_t req(const char *cams, int64_t from, int64_t to, int days,
                               const char *reason)
{
    edge_sitehold_req_t q = {.from_us = from, .to_us = to, .days = days, .reason = reason};
    char why[MM_TEXT_MAX];
    assert_int_equal(edge_sitehold_cameras(cams, &q, why, sizeof why), MM_OK);
    return q;
}

static mm_err_t check(const edge_sitehold_req_t *q, mm_policy_t policy, int *days, char *why)
{
    return edge_sitehold_check(q, cfg_of(policy), NOW, days, why, MM_TEXT_MAX);
}

static void camera_lists_split_and_refuse_what_names_no_camera(void **state)
{
    (void)state;
    edge_sitehold_req_t q = {0};
    char why[MM_TEXT_MAX];
    assert_int_equal(edge_sitehold_cameras("cam1,cam2", &q, why, sizeof why), MM_OK);
    assert_int_equal(q.n_cameras, 2);
    assert_string_equal(q.cameras[1], "cam2");
    assert_int_equal(edge_sitehold_cameras("", &q, why, sizeof why), MM_EINVAL);
    assert_int_equal(edge_sitehold_cameras(NULL, &q, why, sizeof why), MM_EINVAL);
    assert_int_equal(edge_sitehold_cameras("cam1,,cam2", &q, why, sizeof why), MM_EINVAL);
    assert_int_equal(edge_sitehold_cameras("cam1,", &q, why, sizeof why), MM_EINVAL);
    assert_int_equal(edge_sitehold_cameras("cam1,cam1", &q, why, sizeof why), MM_EINVAL);
    assert_non_null(strstr(why, "twice"));
    char many[200] = "";
    for (int i = 0; i <= EDGE_SITEHOLD_CAMERAS_MAX; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%sc%d", i ? "," : "", i);
    assert_int_equal(edge_sitehold_cameras(many, &q, why, sizeof why), MM_EINVAL);
    many[strlen(many) - 4] = 0; /* drop ",c16": sixteen cameras */
    assert_int_equal(edge_sitehold_cameras(many, &q, why, sizeof why), MM_OK);
    assert_int_equal(q.n_cameras, EDGE_SITEHOLD_CAMERAS_MAX);
}

/* The range: forwards, over by now (to == now is over), not empty. */
static void the_range_runs_forwards_and_has_ended(void **state)
{
    (void)state;
    int days = 0;
    char why[MM_TEXT_MAX];
    edge_sitehold_req_t q = req("cam1", NOW - H, NOW, 0, "incident");
    assert_int_equal(check(&q, MM_POLICY_KAWAGUCHI, &days, why), MM_OK);
    q.to_us = NOW + 1;
    assert_int_equal(check(&q, MM_POLICY_KAWAGUCHI, &days, why), MM_EINVAL);
    assert_non_null(strstr(why, "future"));
    q = req("cam1", NOW - H, NOW - H, 0, "incident");
    assert_int_equal(check(&q, MM_POLICY_KAWAGUCHI, &days, why), MM_EINVAL);
    assert_non_null(strstr(why, "backwards"));
    q = req("cam1", NOW - H, NOW - 2 * H, 0, "incident");
    assert_int_equal(check(&q, MM_POLICY_KAWAGUCHI, &days, why), MM_EINVAL);
    /* Times in messages are the site's (the process's zone: Asia/Tokyo here, main). */
    char site[MM_LOCALTIME_MAX];
    mm_time_local(NOW - H, site);
    assert_non_null(strstr(why, site));
    assert_non_null(strstr(why, " JST"));
}

/* The expiry: default 30 days, 1 .. the policy's bound (60 under either policy). */
static void the_expiry_defaults_to_30_days_and_stays_within_the_policy(void **state)
{
    (void)state;
    char why[MM_TEXT_MAX];
    mm_policy_t policies[] = {MM_POLICY_KAWAGUCHI, MM_POLICY_NAHA};
    for (size_t i = 0; i < 2; i++) {
        int max = edge_policy_hold_max_days(policies[i]), days = 0;
        assert_true(max >= EDGE_HOLD_DEFAULT_DAYS);
        edge_sitehold_req_t q = req("cam1", NOW - H, NOW, 0, "incident");
        assert_int_equal(check(&q, policies[i], &days, why), MM_OK);
        assert_int_equal(days, EDGE_HOLD_DEFAULT_DAYS);
        q.days = 1;
        assert_int_equal(check(&q, policies[i], &days, why), MM_OK);
        assert_int_equal(days, 1);
        q.days = max;
        assert_int_equal(check(&q, policies[i], &days, why), MM_OK);
        assert_int_equal(days, max);
        q.days = max + 1;
        assert_int_equal(check(&q, policies[i], &days, why), MM_EINVAL);
        assert_non_null(strstr(why, mm_policy_name(policies[i])));
        q.days = -1;
        assert_int_equal(check(&q, policies[i], &days, why), MM_EINVAL);
    }
}

static void cameras_and_reasons_are_the_sites_and_said(void **state)
{
    (void)state;
    int days;
    char why[MM_TEXT_MAX];
    edge_sitehold_req_t q = req("cam1,cam9", NOW - H, NOW, 0, "incident");
    assert_int_equal(check(&q, MM_POLICY_NAHA, &days, why), MM_ENOTFOUND);
    assert_non_null(strstr(why, "cam9"));
    q = req("cam1", NOW - H, NOW, 0, "");
    assert_int_equal(check(&q, MM_POLICY_NAHA, &days, why), MM_EINVAL);
    q.reason = NULL;
    assert_int_equal(check(&q, MM_POLICY_NAHA, &days, why), MM_EINVAL);
    char reason[MM_TEXT_MAX + 1];
    memset(reason, 'r', MM_TEXT_MAX);
    reason[MM_TEXT_MAX] = 0;
    q.reason = reason;
    assert_int_equal(check(&q, MM_POLICY_NAHA, &days, why), MM_EINVAL);
    reason[MM_TEXT_MAX - 1] = 0; /* 255 bytes */
    assert_int_equal(check(&q, MM_POLICY_NAHA, &days, why), MM_OK);
    q.n_cameras = 0;
    assert_int_equal(check(&q, MM_POLICY_NAHA, &days, why), MM_EINVAL);
    q = req("cam1", NOW - H, NOW, 0, "x");
    snprintf(q.cameras[1], MM_ID_MAX, "cam1");
    q.n_cameras = 2;
    assert_int_equal(check(&q, MM_POLICY_NAHA, &days, why), MM_EINVAL);
}

static void ids_tell_site_holds_from_others(void **state)
{
    (void)state;
    assert_true(edge_sitehold_is_site("site-1"));
    assert_true(edge_sitehold_is_site("site-12.0"));
    assert_false(edge_sitehold_is_site("site-"));
    assert_false(edge_sitehold_is_site("site-1."));
    assert_false(edge_sitehold_is_site("site-1.x"));
    assert_false(edge_sitehold_is_site("site-1.2.3"));
    assert_false(edge_sitehold_is_site("dsc.disclosure-1.0"));
    assert_false(edge_sitehold_is_site(NULL));
}

/* Placed: one hold per camera, numbered, with the manager and the expiry in row and entry. */
static void a_hold_is_placed_per_camera_with_its_person_and_expiry(void **state)
{
    fx_t *f = *state;
    record(f, "cam1", T0 + 600 * S, 10 * S, NULL);
    record(f, "cam2", T0 + 600 * S, 10 * S, NULL);
    edge_sitehold_req_t q = req("cam1,cam2", T0 + 590 * S, T0 + 620 * S, 0, "転倒事故 11/20");
    char why[MM_TEXT_MAX];
    json_t *placed = NULL;
    uint64_t before = log_size(f);
    assert_int_equal(edge_siteholds_place(f->v, cfg_of(MM_POLICY_KAWAGUCHI), &q, "kanri", NOW,
                                          &placed, why, sizeof why),
                     MM_OK);
    assert_string_equal(json_string_value(json_object_get(placed, "hold")), "site-1");
    json_t *holds = json_object_get(placed, "holds");
    assert_int_equal(json_array_size(holds), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(holds, 1), "id")),
                        "site-1.1");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(holds, 0), "segments")), 1);
    int64_t expires = NOW + 30 * DAY;
    assert_int_equal(json_integer_value(json_object_get(placed, "expires_us")), expires);
    json_decref(placed);
    mm_entry_t e;
    entry_at(f, before + 1, &e);
    assert_int_equal(e.kind, MM_ENTRY_HOLD_PLACED);
    assert_string_equal(e.u.hold_placed.hold_id, "site-1.1");
    assert_string_equal(e.u.hold_placed.camera, "cam2");
    assert_string_equal(e.u.hold_placed.by, "kanri");
    assert_int_equal(e.u.hold_placed.expires_us, expires);
    assert_string_equal(e.u.hold_placed.reason, "転倒事故 11/20");
    edge_hold_row_t h;
    assert_int_equal(edge_vault_hold_get(f->v, "site-1.0", &h), MM_OK);
    assert_string_equal(h.by, "kanri");
    assert_int_equal(h.expires_us, expires);
    assert_int_equal(h.placed_us, NOW);
    assert_string_equal(h.reason, "転倒事故 11/20");
    /* The next is number 2, even after the first is gone. */
    assert_int_equal(
        edge_siteholds_release(f->v, "site-1", NULL, "kanri", NOW, NULL, NULL, why, sizeof why),
        MM_OK);
    q = req("cam1", T0 + 590 * S, T0 + 620 * S, 60, "again");
    assert_int_equal(edge_siteholds_place(f->v, cfg_of(MM_POLICY_KAWAGUCHI), &q, "kanri", NOW,
                                          &placed, why, sizeof why),
                     MM_OK);
    assert_string_equal(json_string_value(json_object_get(placed, "hold")), "site-2");
    json_decref(placed);
}

/* A range without footage on one of its cameras places nothing. */
static void a_camera_without_footage_in_the_range_places_nothing(void **state)
{
    fx_t *f = *state;
    record(f, "cam1", T0 + 600 * S, 10 * S, NULL);
    edge_sitehold_req_t q = req("cam1,cam2", T0 + 590 * S, T0 + 620 * S, 0, "incident");
    char why[MM_TEXT_MAX];
    uint64_t before = log_size(f);
    json_t *placed = NULL;
    assert_int_equal(edge_siteholds_place(f->v, cfg_of(MM_POLICY_NAHA), &q, "kanri", NOW, &placed,
                                          why, sizeof why),
                     MM_ENOTFOUND);
    assert_null(placed);
    assert_non_null(strstr(why, "cam2 has no footage"));
    /* Just after the segment ends: nothing either. */
    q = req("cam1", T0 + 610 * S, T0 + 620 * S, 0, "incident");
    assert_int_equal(edge_siteholds_place(f->v, cfg_of(MM_POLICY_NAHA), &q, "kanri", NOW, &placed,
                                          why, sizeof why),
                     MM_ENOTFOUND);
    assert_int_equal(log_size(f), before);
    json_t *list = edge_siteholds_list(f->v);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
}

static json_t *place(fx_t *f, const char *cams, int64_t from, int64_t to, int days)
{
    edge_sitehold_req_t q = req(cams, from, to, days, "incident");
    char why[MM_TEXT_MAX];
    json_t *placed = NULL;
    mm_err_t err = edge_siteholds_place(f->v, cfg_of(MM_POLICY_KAWAGUCHI), &q, "kanri", NOW,
                                        &placed, why, sizeof why);
    if (err != MM_OK)
        fail_msg("place: %s", why);
    return placed;
}

/* R-K2.2.6b: held footage outlives retention and opens; released by the manager, it is erased
 * and the release names the manager. */
static void held_footage_outlives_retention_until_the_manager_releases_it(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t held, other;
    record(f, "cam1", T0 + 600 * S, 10 * S, &held);
    record(f, "cam1", T0 + 1200 * S, 10 * S, &other);
    json_decref(place(f, "cam1", T0 + 600 * S, T0 + 610 * S, 0));
    edge_retention_report_t rep;
    assert_int_equal(
        edge_retention_run(f->v, KEEP, T0 + 20 * DAY, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    assert_false(exists(other.path));
    assert_true(exists(held.path));
    edge_segment_info_t info;
    assert_int_equal(edge_segment_verify(held.path, edge_vault_segment_key, f->v, &info), MM_OK);
    char why[MM_TEXT_MAX];
    size_t n;
    uint32_t erased;
    uint64_t before = log_size(f);
    assert_int_equal(edge_siteholds_release(f->v, "site-1.0", "the police need none", "kanri",
                                            T0 + 20 * DAY, &n, &erased, why, sizeof why),
                     MM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(erased, 1);
    assert_false(exists(held.path));
    mm_entry_t e;
    entry_at(f, before, &e);
    assert_int_equal(e.kind, MM_ENTRY_HOLD_RELEASED);
    assert_string_equal(e.u.hold_released.by, "kanri");
    assert_string_equal(e.u.hold_released.reason, "the police need none");
    assert_int_equal(edge_siteholds_release(f->v, "site-1.0", NULL, "kanri", T0 + 20 * DAY, &n,
                                            &erased, why, sizeof why),
                     MM_ENOTFOUND);
}

/* At expiry the edge releases the hold itself ("expired", by nobody) and erases what it kept;
 * a second before, it does not. */
static void a_hold_expires_into_its_own_release(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t held;
    record(f, "cam1", T0 + 600 * S, 10 * S, &held);
    json_decref(place(f, "cam1", T0 + 600 * S, T0 + 610 * S, 10));
    int64_t expires = NOW + 10 * DAY;
    edge_retention_report_t rep;
    assert_int_equal(
        edge_retention_run(f->v, KEEP, expires - 1, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    size_t released;
    assert_int_equal(edge_siteholds_tick(f->v, expires - 1, &released), MM_OK);
    assert_int_equal(released, 0);
    assert_true(exists(held.path));
    uint64_t before = log_size(f);
    assert_int_equal(edge_siteholds_tick(f->v, expires, &released), MM_OK);
    assert_int_equal(released, 1);
    assert_false(exists(held.path));
    mm_entry_t e;
    entry_at(f, before, &e);
    assert_int_equal(e.kind, MM_ENTRY_HOLD_RELEASED);
    assert_string_equal(e.u.hold_released.hold_id, "site-1.0");
    assert_string_equal(e.u.hold_released.reason, "expired");
    assert_string_equal(e.u.hold_released.by, "");
    entry_at(f, before + 1, &e);
    assert_int_equal(e.kind, MM_ENTRY_SEGMENTS_ERASED);
    assert_int_equal(e.u.segments_erased.reason, MM_ERASE_REASON_HOLD_RELEASED);
}

/* A disclosure's hold over the same camera and range supersedes the site hold; the footage
 * stays (the disclosure's hold keeps it). One covering only part of it does not. */
static void a_disclosures_hold_supersedes_the_site_hold_it_covers(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t a, b;
    record(f, "cam1", T0 + 600 * S, 10 * S, &a);
    record(f, "cam2", T0 + 600 * S, 10 * S, &b);
    json_decref(place(f, "cam1,cam2", T0 + 600 * S, T0 + 610 * S, 0));
    /* cam1: covered whole; cam2: only partly. */
    assert_int_equal(edge_vault_hold_place(f->v, "dsc.disclosure-4.0", "cam1", T0 + 500 * S,
                                           T0 + 700 * S, "disclosure request disclosure-4", NOW),
                     MM_OK);
    assert_int_equal(edge_vault_hold_place(f->v, "dsc.disclosure-4.1", "cam2", T0 + 605 * S,
                                           T0 + 700 * S, "disclosure request disclosure-4", NOW),
                     MM_OK);
    edge_retention_report_t rep;
    assert_int_equal(
        edge_retention_run(f->v, KEEP, T0 + 20 * DAY, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    uint64_t before = log_size(f);
    size_t released;
    assert_int_equal(edge_siteholds_tick(f->v, T0 + 20 * DAY, &released), MM_OK);
    assert_int_equal(released, 1);
    assert_int_equal(log_size(f), before + 1); /* nothing erased */
    mm_entry_t e;
    entry_at(f, before, &e);
    assert_string_equal(e.u.hold_released.hold_id, "site-1.0");
    assert_string_equal(e.u.hold_released.reason, "superseded by disclosure request disclosure-4");
    edge_segment_info_t info;
    assert_int_equal(edge_segment_verify(a.path, edge_vault_segment_key, f->v, &info), MM_OK);
    assert_int_equal(edge_segment_verify(b.path, edge_vault_segment_key, f->v, &info), MM_OK);
    edge_hold_row_t h;
    assert_int_equal(edge_vault_hold_get(f->v, "site-1.1", &h), MM_OK);
}

/* Releasing: a group at once; a disclosure's hold is not the manager's to release here. */
static void release_takes_a_group_and_leaves_disclosures_holds_alone(void **state)
{
    fx_t *f = *state;
    record(f, "cam1", T0 + 600 * S, 10 * S, NULL);
    record(f, "cam2", T0 + 600 * S, 10 * S, NULL);
    json_decref(place(f, "cam1,cam2", T0 + 600 * S, T0 + 610 * S, 0));
    assert_int_equal(edge_vault_hold_place(f->v, "dsc.disclosure-1.0", "cam1", T0, T0 + H,
                                           "disclosure request disclosure-1 (law)", NOW),
                     MM_OK);
    json_t *list = edge_siteholds_list(f->v);
    assert_int_equal(json_array_size(list), 3);
    json_t *d = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(d, "kind")), "disclosure");
    assert_string_equal(json_string_value(json_object_get(d, "request")), "disclosure-1");
    json_t *s1 = json_array_get(list, 2);
    assert_string_equal(json_string_value(json_object_get(s1, "kind")), "site");
    assert_string_equal(json_string_value(json_object_get(s1, "group")), "site-1");
    assert_string_equal(json_string_value(json_object_get(s1, "by")), "kanri");
    json_decref(list);
    char why[MM_TEXT_MAX];
    size_t n;
    assert_int_equal(edge_siteholds_release(f->v, "dsc.disclosure-1.0", NULL, "kanri", NOW, &n,
                                            NULL, why, sizeof why),
                     MM_EDENIED);
    assert_non_null(strstr(why, "disclosure release"));
    assert_int_equal(
        edge_siteholds_release(f->v, "site-9", NULL, "kanri", NOW, &n, NULL, why, sizeof why),
        MM_ENOTFOUND);
    assert_int_equal(
        edge_siteholds_release(f->v, "nothing", NULL, "kanri", NOW, &n, NULL, why, sizeof why),
        MM_ENOTFOUND);
    assert_int_equal(
        edge_siteholds_release(f->v, "site-1", NULL, "kanri", NOW, &n, NULL, why, sizeof why),
        MM_OK);
    assert_int_equal(n, 2);
    list = edge_siteholds_list(f->v);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
}

int main(void)
{
    /* The site's zone, as the edge makes it its own at start. */
    if (mm_tz_use("Asia/Tokyo") != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(camera_lists_split_and_refuse_what_names_no_camera),
        cmocka_unit_test(the_range_runs_forwards_and_has_ended),
        cmocka_unit_test(the_expiry_defaults_to_30_days_and_stays_within_the_policy),
        cmocka_unit_test(cameras_and_reasons_are_the_sites_and_said),
        cmocka_unit_test(ids_tell_site_holds_from_others),
        cmocka_unit_test_setup_teardown(a_hold_is_placed_per_camera_with_its_person_and_expiry,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_camera_without_footage_in_the_range_places_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            held_footage_outlives_retention_until_the_manager_releases_it, setup, teardown),
        cmocka_unit_test_setup_teardown(a_hold_expires_into_its_own_release, setup, teardown),
        cmocka_unit_test_setup_teardown(a_disclosures_hold_supersedes_the_site_hold_it_covers,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(release_takes_a_group_and_leaves_disclosures_holds_alone,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
