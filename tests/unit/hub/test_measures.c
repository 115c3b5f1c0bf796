/*
 * test_measures.c: guidance, recommendations, hearings and publication (hub/measures), with
 * real LMDB and a real hub log.
 *
 * Each step changes the measure and logs its city action in one commit (R-N10.2, R-N11): the
 * action, subject, reason and detail are the ones the hub has always logged. The ordinance's
 * order cannot be skipped: no hearing on guidance, no publication of guidance, before a hearing
 * is offered or before its outcome is on record (R-N11.2), no second hearing or publication;
 * each refusal says why and leaves the measure and the hub's log as they were. A measure of
 * another site, or none, is not found. And a scenario of steps and refusals stores, answers and
 * lists byte for byte what the hub did when it kept measures as JSON
 * (tests/data/hub/measures_scenario.txt, written by that code).
 */
#include "hub_fixture.h"
#include "common/entry.h"
#include "hub/audit.h"
#include "hub/hublog.h"
#include "hub/measures.h"
#include "hub/measures_codec.h"

#define T0 (1795000000LL * 1000000)

typedef hubfx_t fx_t;

static int setup(void **state)
{
    *state = hubfx_new("measures", HUBFX_MEASURES);
    return 0;
}

static hub_measure_op_t op(fx_t *f, const char *site, uint64_t id, int64_t now)
{
    return (hub_measure_op_t){.site = site, .who = &f->clerk, .now_us = now, .id = id};
}

static const char *str_at(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* The measure a step left, as the API shows it. */
static json_t *result_of(const hub_measure_op_t *o)
{
    json_t *j = hub_measure_json(&o->result);
    assert_non_null(j);
    return j;
}

static int add_json(void *arg, const hub_measure_t *m)
{
    json_array_append_new(arg, hub_measure_json(m));
    return 0;
}

/* The measures of site (NULL: all), as the API lists them. */
static json_t *list_of(fx_t *f, const char *site, int published_only)
{
    json_t *list = json_array();
    assert_int_equal(hub_measures_each(f->m, site, published_only, add_json, list), MM_OK);
    return list;
}

/* A hearing offered by deadline with letter text, on 2026-12-15 10:00 at the city hall, to be
 * answered in writing. */
static mm_err_t offer(fx_t *f, hub_measure_op_t *o, const char *deadline, const char *text)
{
    hub_hearing_offer_t h = {deadline, "2026-12-15 10:00", "市役所 3階 会議室", "書面で防犯課へ",
                             text};
    return hub_measures_offer_hearing(f->m, o, &h);
}

/* Entry i of the hub's log is the clerk's city action on site-a with these members. */
static void logged(fx_t *f, size_t i, const char *action, const char *subject, const char *reason,
                   const char *detail, int64_t time_us)
{
    hubfx_logged(f, i,
                 (hubfx_action_t){action, "site-a", subject, "oversight-1", "oversight", reason,
                                  detail, time_us});
}

/* A recommendation through its hearing to publication, each step logged as it has been. */
static void test_recommendation_is_heard_then_published_and_each_step_logged(void **state)
{
    fx_t *f = *state;
    json_t *res;
    const uint64_t findings[] = {2, 5};
    hub_measure_op_t o = op(f, "site-a", 0, T0);
    assert_int_equal(hub_measures_create(f->m, &o, HUB_MEASURE_KIND_RECOMMENDATION, findings, 2,
                                         "カメラを再設置すること"),
                     MM_OK);
    assert_int_equal(o.id, 1);
    assert_int_equal(o.hub_log_index, 0);
    res = result_of(&o);
    assert_string_equal(str_at(res, "kind"), "recommendation");
    assert_string_equal(str_at(res, "state"), "given");
    assert_string_equal(str_at(res, "by"), "oversight-1");
    assert_int_equal(json_array_size(json_object_get(res, "findings")), 2);
    json_decref(res);
    logged(f, 0, "recommendation_given", "measure/1", "カメラを再設置すること",
           "{\"findings\":[2,5],\"notice\":\"notice-1\"}", T0);

    o = op(f, "site-a", 1, T0 + 1);
    assert_int_equal(offer(f, &o, "2026-12-20", "意見を述べる機会"), MM_OK);
    assert_int_equal(o.hub_log_index, 1);
    res = result_of(&o);
    assert_string_equal(str_at(res, "state"), "hearing_offered");
    json_decref(res);
    logged(f, 1, "hearing_offered", "measure/1", "意見を述べる機会",
           "{\"deadline\":\"2026-12-20\",\"date\":\"2026-12-15 10:00\",\"place\":\"市役所 3階 "
           "会議室\",\"how\":\"書面で防犯課へ\",\"notice\":\"notice-2\"}",
           T0 + 1);

    o = op(f, "site-a", 1, T0 + 2);
    assert_int_equal(
        hub_measures_record_hearing(f->m, &o, HUB_HEARING_OUTCOME_NO_OPINION, "意見の提出なし"),
        MM_OK);
    res = result_of(&o);
    assert_string_equal(str_at(res, "state"), "heard");
    assert_string_equal(str_at(json_object_get(res, "hearing"), "outcome"), "no_opinion");
    json_decref(res);
    logged(f, 2, "hearing_recorded", "measure/1", "意見の提出なし", "{\"outcome\":\"no_opinion\"}",
           T0 + 2);

    o = op(f, "site-a", 1, T0 + 3);
    assert_int_equal(hub_measures_publish(f->m, &o, "公表する"), MM_OK);
    res = result_of(&o);
    assert_string_equal(str_at(res, "state"), "published");
    json_t *h = json_object_get(res, "history");
    assert_int_equal(json_array_size(h), 4);
    const char *states[] = {"given", "hearing_offered", "heard", "published"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(str_at(json_array_get(h, i), "state"), states[i]);
    json_decref(res);
    logged(f, 3, "recommendation_published", "measure/1", "公表する", "{\"notice\":\"notice-3\"}",
           T0 + 3);

    json_t *pub = list_of(f, NULL, 1);
    assert_int_equal(json_array_size(pub), 1);
    json_decref(pub);
}

/* Each refusal of the ordinance's order says why, and changes neither measure nor log. */
static void test_order_cannot_be_skipped(void **state)
{
    fx_t *f = *state;
    const uint64_t findings[] = {1};
    hub_measure_op_t o = op(f, "site-a", 0, T0);
    assert_int_equal(
        hub_measures_create(f->m, &o, HUB_MEASURE_KIND_GUIDANCE, findings, 1, "運用すること"),
        MM_OK);
    logged(f, 0, "guidance_given", "measure/1", "運用すること",
           "{\"findings\":[1],\"notice\":\"notice-1\"}", T0);
    o = op(f, "site-a", 0, T0);
    assert_int_equal(hub_measures_create(f->m, &o, HUB_MEASURE_KIND_RECOMMENDATION, findings, 1,
                                         "再設置すること"),
                     MM_OK);
    assert_int_equal(o.id, 2);
    assert_int_equal(hubfx_log_size(f), 2);

    /* Guidance has no hearing and is never published. */
    o = op(f, "site-a", 1, T0 + 1);
    assert_int_equal(offer(f, &o, "2026-12-20", "x"), MM_ECONFLICT);
    assert_non_null(strstr(o.why, "guidance"));
    assert_int_equal(o.result.id, 0); /* nothing left */
    o = op(f, "site-a", 1, T0 + 1);
    assert_int_equal(hub_measures_publish(f->m, &o, "x"), MM_ECONFLICT);
    assert_non_null(strstr(o.why, "R-N11"));

    /* A recommendation: no outcome before a hearing is offered, no publication before it is
     * offered or before its outcome is recorded, no second hearing. */
    o = op(f, "site-a", 2, T0 + 1);
    assert_int_equal(hub_measures_record_hearing(f->m, &o, HUB_HEARING_OUTCOME_DECLINED, "x"),
                     MM_ECONFLICT);
    assert_non_null(strstr(o.why, "no hearing has been offered"));
    o = op(f, "site-a", 2, T0 + 1);
    assert_int_equal(hub_measures_publish(f->m, &o, "x"), MM_ECONFLICT);
    assert_non_null(strstr(o.why, "none has been offered"));
    o = op(f, "site-a", 2, T0 + 1);
    assert_int_equal(offer(f, &o, "2026-12-20", "letter"), MM_OK);
    o = op(f, "site-a", 2, T0 + 2);
    assert_int_equal(offer(f, &o, "2026-12-21", "again"), MM_ECONFLICT);
    assert_non_null(strstr(o.why, "already"));
    o = op(f, "site-a", 2, T0 + 2);
    assert_int_equal(hub_measures_publish(f->m, &o, "x"), MM_ECONFLICT);
    assert_non_null(strstr(o.why, "has none yet"));
    assert_int_equal(hubfx_log_size(f), 3);

    /* An outcome outside the enumeration, a kind outside it. */
    o = op(f, "site-a", 2, T0 + 2);
    assert_int_equal(hub_measures_record_hearing(f->m, &o, HUB_HEARING_OUTCOME_COUNT, "x"),
                     MM_EINVAL);
    o = op(f, "site-a", 0, T0 + 2);
    assert_int_equal(hub_measures_create(f->m, &o, HUB_MEASURE_KIND_COUNT, findings, 1, "x"),
                     MM_EINVAL);
    assert_int_equal(hubfx_log_size(f), 3);

    /* Nothing of the refusals is in the measures. */
    json_t *list = list_of(f, "site-a", 0);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(str_at(json_array_get(list, 0), "state"), "given");
    assert_string_equal(str_at(json_array_get(list, 1), "state"), "hearing_offered");
    json_decref(list);
}

/* A measure of another site, or none, is not found; nothing is logged. */
static void test_unknown_measures_are_not_found(void **state)
{
    fx_t *f = *state;
    const uint64_t findings[] = {1};
    hub_measure_op_t o = op(f, "site-a", 0, T0);
    assert_int_equal(
        hub_measures_create(f->m, &o, HUB_MEASURE_KIND_RECOMMENDATION, findings, 1, "x"), MM_OK);
    o = op(f, "site-b", 1, T0);
    assert_int_equal(offer(f, &o, "2026-12-20", "x"), MM_ENOTFOUND);
    assert_string_equal(o.why, "site site-b has no measure 1");
    o = op(f, "site-a", 7, T0);
    assert_int_equal(hub_measures_publish(f->m, &o, "x"), MM_ENOTFOUND);
    assert_int_equal(hubfx_log_size(f), 1);
    json_t *list = list_of(f, "site-b", 0);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
}

/* --- byte for byte what the measures kept as JSON wrote ------------------------------------ */

#define SCENARIO MM_TEST_DATA "/hub/measures_scenario.txt"

typedef struct {
    lines_t want;      /* tests/data/hub/measures_scenario.txt, written by the JSON measures */
    const char *label; /* of the measures listed */
} golden_t;

/* The outcome of a step (err, id, place in the hub's log, why) and the measure it left. */
static void step_is(golden_t *g, const char *label, mm_err_t err, const hub_measure_op_t *o)
{
    char line[1024];
    snprintf(line, sizeof line, "%s err=%d id=%llu log=%llu why=%s", label, err,
             (unsigned long long)o->id, (unsigned long long)o->hub_log_index, o->why);
    line_is(&g->want, line);
    if (err == MM_OK)
        labelled_is(&g->want, label, hub_measure_json(&o->result));
}

static int listed_is(void *arg, const hub_measure_t *m)
{
    golden_t *g = arg;
    labelled_is(&g->want, g->label, hub_measure_json(m));
    return 0;
}

static void test_measures_store_what_the_json_measures_stored(void **state)
{
    fx_t *f = *state;
    const int64_t S0 = 1779246000LL * 1000000; /* the scenario's clock */
    golden_t g = {.label = "all"};
    lines_open(&g.want, SCENARIO);
    const uint64_t f1[] = {1}, f2[] = {2, 5};
    hub_measure_op_t o = op(f, "site-a", 0, S0);
    step_is(&g, "guidance",
            hub_measures_create(f->m, &o, HUB_MEASURE_KIND_GUIDANCE, f1, 1, "運用 \"すること\""),
            &o);
    o = op(f, "site-a", 0, S0);
    step_is(&g, "recommendation",
            hub_measures_create(f->m, &o, HUB_MEASURE_KIND_RECOMMENDATION, f2, 2, "再設置"), &o);
    o = op(f, "site-a", 1, S0 + 1);
    step_is(&g, "offer-guidance", offer(f, &o, "2026-12-20", "x"), &o);
    o = op(f, "site-a", 2, S0 + 2);
    step_is(&g, "publish-early", hub_measures_publish(f->m, &o, "x"), &o);
    o = op(f, "site-a", 2, S0 + 2);
    step_is(&g, "offer", offer(f, &o, "2026-12-20", "意見の機会"), &o);
    o = op(f, "site-a", 2, S0 + 2);
    step_is(&g, "record",
            hub_measures_record_hearing(f->m, &o, HUB_HEARING_OUTCOME_DECLINED, "辞退"), &o);
    o = op(f, "site-a", 2, S0 + 2);
    step_is(&g, "publish", hub_measures_publish(f->m, &o, "公表"), &o);
    o = op(f, "site-b", 0, S0 + 3);
    step_is(&g, "other-site",
            hub_measures_create(f->m, &o, HUB_MEASURE_KIND_RECOMMENDATION, f1, 1, "b"), &o);
    o = op(f, "site-b", 3, S0 + 4);
    step_is(&g, "offer-b", offer(f, &o, "2027-01-01", "letter b"), &o);
    assert_int_equal(hub_measures_each(f->m, NULL, 0, listed_is, &g), MM_OK);
    g.label = "published";
    assert_int_equal(hub_measures_each(f->m, "site-a", 1, listed_is, &g), MM_OK);
    assert_false(lines_next(&g.want)); /* nothing more */
    lines_close(&g.want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_recommendation_is_heard_then_published_and_each_step_logged, setup,
            hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_order_cannot_be_skipped, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_measures_are_not_found, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_measures_store_what_the_json_measures_stored, setup,
                                        hubfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
