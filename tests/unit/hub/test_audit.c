/*
 * test_audit.c: the city's audit vocabulary and its way into the hub's log (hub/audit).
 *
 * Every action has a name, and its name parses back to it; a disclosure step's action is
 * "disclosure_<step>". The entries are the bytes the hub has always logged: every city action in
 * tests/data/entries.golden (made by the code before this module) is made again from its fields
 * byte for byte, and an action appended to a real hub log reads back as the entry built field by
 * field. An action reaches the feed only once its transaction has committed: not when it aborts,
 * and once when the transaction runs again from the start. A detail too long for the entry is
 * refused, and nothing is logged.
 */
#include "hub_fixture.h"
#include "common/crypto.h"
#include "common/entry.h"
#include "hub/audit.h"
#include "hub/feed.h"
#include "hub/hublog.h"

#define GOLDEN MM_TEST_DATA "/entries.golden"
#define T0 (1795000000LL * 1000000)

/* --- the vocabulary --------------------------------------------------------------------------*/

static void test_every_action_has_a_name_that_parses_back(void **state)
{
    (void)state;
    for (int v = 0; v < HUB_ACTION_COUNT; v++) {
        const char *name = hub_action_name((hub_action_t)v);
        assert_non_null(name);
        assert_true(name[0] != 0);
        assert_true(strlen(name) < sizeof((mm_city_action_t *)0)->action);
        hub_action_t back = HUB_ACTION_COUNT;
        assert_int_equal(hub_action_parse(name, &back), 1);
        assert_int_equal(back, v);
        for (int w = 0; w < v; w++)
            assert_string_not_equal(hub_action_name((hub_action_t)w), name);
    }
    hub_action_t untouched = HUB_ACTION_REPORT_REQUESTED;
    assert_null(hub_action_name(HUB_ACTION_COUNT));
    assert_int_equal(hub_action_parse("filing_decided", &untouched), 0);
    assert_int_equal(hub_action_parse("", &untouched), 0);
    assert_int_equal(hub_action_parse(NULL, &untouched), 0);
    assert_int_equal(untouched, HUB_ACTION_REPORT_REQUESTED);
}

static void test_each_disclosure_step_has_its_action(void **state)
{
    (void)state;
    for (int s = 0; s < MM_DISCLOSURE_STEP_COUNT; s++) {
        char want[64];
        snprintf(want, sizeof want, "disclosure_%s",
                 mm_disclosure_step_name((mm_disclosure_step_t)s));
        const char *got = hub_action_name(hub_action_of_step((mm_disclosure_step_t)s));
        assert_non_null(got);
        assert_string_equal(got, want);
    }
    assert_int_equal(hub_action_of_step(MM_DISCLOSURE_STEP_COUNT), HUB_ACTION_COUNT);
}

/* --- the entries' bytes ----------------------------------------------------------------------*/

/* The action a city_action entry's JSON view (as the golden file has it) describes; detail is
 * parsed from its text (a new reference in *detail, NULL for ""). */
static hub_city_action_t from_json(json_t *j, json_t **detail)
{
    json_t *a = json_object_get(j, "city_action");
    hub_city_action_t out = {.time_us = json_integer_value(json_object_get(j, "time_us"))};
    assert_int_equal(hub_action_parse(json_string_value(json_object_get(a, "action")), &out.action),
                     1);
    out.site = json_string_value(json_object_get(a, "site"));
    out.subject = json_string_value(json_object_get(a, "subject"));
    out.person = json_string_value(json_object_get(a, "person"));
    out.role = json_string_value(json_object_get(a, "role"));
    out.reason = json_string_value(json_object_get(a, "reason"));
    const char *d = json_string_value(json_object_get(a, "detail"));
    *detail = d && *d ? json_loads(d, 0, NULL) : NULL;
    assert_true(!(d && *d) || *detail);
    out.detail = *detail;
    return out;
}

/* Every city action the hub logged before this module, made again from its fields: the same
 * bytes. Every action that occurs there is in the vocabulary. */
static void test_golden_city_actions_are_made_again_byte_for_byte(void **state)
{
    (void)state;
    lines_t in;
    lines_open(&in, GOLDEN);
    size_t n_actions = 0;
    int seen[HUB_ACTION_COUNT] = {0};
    mm_entry_t *e = malloc(sizeof *e);
    assert_non_null(e);
    while (lines_next(&in)) {
        char *tab = strchr(in.line, '\t');
        assert_non_null(tab);
        json_t *j = json_loads(tab + 1, 0, NULL);
        assert_non_null(j);
        if (strcmp(json_string_value(json_object_get(j, "type")), "city_action") != 0) {
            json_decref(j);
            continue;
        }
        json_t *detail = NULL;
        hub_city_action_t a = from_json(j, &detail);
        seen[a.action] = 1;
        assert_int_equal(hub_audit_entry(&a, e), MM_OK);
        uint8_t *bytes = NULL;
        size_t len = 0;
        assert_int_equal(mm_entry_encode(e, &bytes, &len), MM_OK);
        char *hex = malloc(2 * len + 1);
        for (size_t i = 0; i < len; i++)
            snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
        *tab = 0;
        if (strcmp(hex, in.line) != 0)
            fail_msg("%s of %s: other bytes\n%s\nnot\n%s", hub_action_name(a.action), a.site, hex,
                     in.line);
        free(hex);
        free(bytes);
        json_decref(detail);
        json_decref(j);
        n_actions++;
    }
    free(e);
    lines_close(&in);
    assert_true(n_actions > 50);
    /* All but the steps an edge has not logged in the golden runs. */
    assert_true(seen[HUB_ACTION_FILING_ACCEPTED] && seen[HUB_ACTION_FILING_RETURNED]);
    assert_true(seen[HUB_ACTION_GUIDANCE_GIVEN] && seen[HUB_ACTION_RECOMMENDATION_GIVEN]);
    assert_true(seen[HUB_ACTION_HEARING_OFFERED] && seen[HUB_ACTION_HEARING_RECORDED]);
    assert_true(seen[HUB_ACTION_RECOMMENDATION_PUBLISHED]);
    assert_true(seen[HUB_ACTION_COMPLAINT_REGISTERED] && seen[HUB_ACTION_COMPLAINT_APPEALED]);
    assert_true(seen[HUB_ACTION_MEASURES_REQUESTED] && seen[HUB_ACTION_REPORT_REQUESTED]);
    assert_true(seen[HUB_ACTION_DISCLOSURE_REQUESTED] && seen[HUB_ACTION_DISCLOSURE_RECEIVED]);
    assert_true(seen[HUB_ACTION_DISCLOSURE_DOWNLOADED] && seen[HUB_ACTION_DISCLOSURE_HELD]);
}

/* Strings are cut at their field's bound, as snprintf cuts them; a detail is never cut. */
static void test_long_strings_are_cut_and_long_details_refused(void **state)
{
    (void)state;
    char subject[200];
    memset(subject, 's', sizeof subject - 1);
    subject[sizeof subject - 1] = 0;
    hub_city_action_t a = {.action = HUB_ACTION_COMPLAINT_REGISTERED,
                           .time_us = T0,
                           .site = "site-a",
                           .subject = subject,
                           .person = "intake-1",
                           .role = "intake"};
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(hub_audit_entry(&a, e), MM_OK);
    assert_int_equal(strlen(e->u.city_action.subject), MM_ID_MAX - 1);
    assert_string_equal(e->u.city_action.reason, "");
    assert_string_equal(e->u.city_action.detail, "");

    char *big = malloc(MM_LONG_TEXT_MAX);
    memset(big, 'x', MM_LONG_TEXT_MAX - 1);
    big[MM_LONG_TEXT_MAX - 1] = 0;
    a.subject = "complaint-1";
    a.detail = json_pack("{s:s}", "text", big);
    assert_int_equal(hub_audit_entry(&a, e), MM_ERANGE);
    assert_int_equal(hub_audit_check(&a), MM_ERANGE);
    json_decref(a.detail);
    a.detail = NULL;
    a.action = HUB_ACTION_COUNT;
    assert_int_equal(hub_audit_check(&a), MM_EINVAL);
    free(big);
    free(e);
}

/* --- appending -------------------------------------------------------------------------------*/

typedef hubfx_t fx_t;

static int setup(void **state)
{
    *state = hubfx_new("audit", HUBFX_FEED | HUBFX_AUDIT);
    return 0;
}

/* The bytes of entry index of the hub's log. */
static int copy_entry(uint64_t index, const void *data, size_t len, void *arg)
{
    (void)index;
    mm_bytes_t *out = arg;
    out->data = malloc(len);
    memcpy((void *)out->data, data, len);
    out->len = len;
    return 1;
}

static mm_bytes_t logged(fx_t *f, uint64_t index)
{
    mm_bytes_t b = {0};
    assert_int_equal(hub_hublog_entries(f->hublog, index, index + 1, copy_entry, &b), MM_OK);
    assert_non_null(b.data);
    return b;
}

static int count_actions(void *arg, uint64_t id, const char *type, const char *json, size_t len)
{
    (void)id;
    (void)len;
    if (!strcmp(type, "city_action")) {
        json_t *ev = json_loadb(json, len, 0, NULL);
        json_array_append_new(arg, ev);
    }
    return 0;
}

static json_t *feed_actions(fx_t *f)
{
    json_t *all = json_array();
    assert_int_equal(hub_feed_read(f->feed, 0, 1000, count_actions, all), MM_OK);
    return all;
}

typedef struct {
    fx_t *f;
    hub_city_action_t *a;
    int runs;      /* how many times the transaction ran */
    int full_once; /* report MM_EFULL after the first append: the transaction runs again */
    mm_err_t fail; /* returned after appending (MM_OK: none) */
    uint64_t index;
} txn_t;

static mm_err_t append_txn(MDB_txn *txn, void *arg)
{
    txn_t *t = arg;
    t->runs++;
    mm_err_t err = hub_audit_append_in(t->f->audit, txn, t->a, &t->index);
    if (err != MM_OK)
        return err;
    if (t->full_once && t->runs == 1)
        return MM_EFULL;
    return t->fail;
}

/* An appended action is in the hub's log with the bytes of the entry built field by field, and
 * on the feed once committed, with its index. */
static void test_appended_action_is_the_entry_built_field_by_field(void **state)
{
    fx_t *f = *state;
    json_t *detail = json_pack("{s:s}", "deadline", "2026-12-20");
    hub_city_action_t a = {.action = HUB_ACTION_HEARING_OFFERED,
                           .time_us = T0,
                           .site = "chuo",
                           .subject = "measure/1",
                           .person = "oversight-1",
                           .role = "oversight",
                           .reason = "意見を述べる機会を設けます",
                           .detail = detail};
    txn_t t = {.f = f, .a = &a};
    assert_int_equal(hub_audit_write(f->audit, append_txn, &t), MM_OK);
    assert_int_equal(t.index, 0);
    json_decref(detail);

    mm_entry_t *e = calloc(1, sizeof *e);
    e->time_us = T0;
    e->kind = MM_ENTRY_CITY_ACTION;
    strcpy(e->u.city_action.action, "hearing_offered");
    strcpy(e->u.city_action.site, "chuo");
    strcpy(e->u.city_action.subject, "measure/1");
    strcpy(e->u.city_action.person, "oversight-1");
    strcpy(e->u.city_action.role, "oversight");
    strcpy(e->u.city_action.reason, "意見を述べる機会を設けます");
    strcpy(e->u.city_action.detail, "{\"deadline\":\"2026-12-20\"}");
    uint8_t *want = NULL;
    size_t want_len = 0;
    assert_int_equal(mm_entry_encode(e, &want, &want_len), MM_OK);
    mm_bytes_t got = logged(f, 0);
    assert_int_equal(got.len, want_len);
    assert_memory_equal(got.data, want, want_len);
    free((void *)got.data);
    free(want);
    free(e);

    char *note = NULL;
    assert_int_equal(hub_hublog_checkpoint(f->hublog, &note), MM_OK);
    assert_non_null(strstr(note, "mimamori/hub/hub\n1\n"));
    free(note);

    json_t *events = feed_actions(f);
    assert_int_equal(json_array_size(events), 1);
    json_t *ev = json_array_get(events, 0);
    assert_string_equal(json_string_value(json_object_get(ev, "site")), "chuo");
    assert_int_equal(json_integer_value(json_object_get(ev, "hub_log_index")), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ev, "city_action"), "action")),
        "hearing_offered");
    json_decref(events);
}

/* An aborted transaction leaves nothing in the log or on the feed; one that runs again from the
 * start appends and announces its action once. */
static void test_only_committed_actions_reach_the_feed(void **state)
{
    fx_t *f = *state;
    hub_city_action_t a = {.action = HUB_ACTION_REPORT_REQUESTED,
                           .time_us = T0,
                           .site = "site-a",
                           .subject = "report-1",
                           .person = "oversight-1",
                           .role = "oversight",
                           .reason = "last week"};
    txn_t t = {.f = f, .a = &a, .fail = MM_ECONFLICT};
    assert_int_equal(hub_audit_write(f->audit, append_txn, &t), MM_ECONFLICT);
    uint64_t size = 99;
    assert_int_equal(hub_hublog_size(f->hublog, &size), MM_OK);
    assert_int_equal(size, 0);
    json_t *events = feed_actions(f);
    assert_int_equal(json_array_size(events), 0);
    json_decref(events);

    t = (txn_t){.f = f, .a = &a, .full_once = 1};
    assert_int_equal(hub_audit_write(f->audit, append_txn, &t), MM_OK);
    assert_int_equal(t.runs, 2);
    assert_int_equal(hub_hublog_size(f->hublog, &size), MM_OK);
    assert_int_equal(size, 1);
    events = feed_actions(f);
    assert_int_equal(json_array_size(events), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(events, 0), "hub_log_index")), 0);
    json_decref(events);

    /* A detail that does not fit aborts the transaction: nothing is logged. */
    char *big = malloc(MM_LONG_TEXT_MAX);
    memset(big, 'x', MM_LONG_TEXT_MAX - 1);
    big[MM_LONG_TEXT_MAX - 1] = 0;
    a.detail = json_pack("{s:s}", "text", big);
    t = (txn_t){.f = f, .a = &a};
    assert_int_equal(hub_audit_write(f->audit, append_txn, &t), MM_ERANGE);
    json_decref(a.detail);
    free(big);
    assert_int_equal(hub_hublog_size(f->hublog, &size), MM_OK);
    assert_int_equal(size, 1);
    events = feed_actions(f);
    assert_int_equal(json_array_size(events), 1);
    json_decref(events);
}

/* Without a feed the actions are logged all the same. */
static void test_actions_are_logged_without_a_feed(void **state)
{
    fx_t *f = *state;
    hub_audit_set_feed(f->audit, NULL);
    hub_city_action_t a = {.action = HUB_ACTION_DISCLOSURE_RECEIVED,
                           .time_us = T0,
                           .site = "site-a",
                           .subject = "disclosure-1",
                           .person = "hub",
                           .role = "hub"};
    txn_t t = {.f = f, .a = &a};
    assert_int_equal(hub_audit_write(f->audit, append_txn, &t), MM_OK);
    assert_int_equal(hub_audit_write(f->audit, append_txn, &t), MM_OK);
    assert_int_equal(t.index, 1);
    json_t *events = feed_actions(f);
    assert_int_equal(json_array_size(events), 0);
    json_decref(events);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_action_has_a_name_that_parses_back),
        cmocka_unit_test(test_each_disclosure_step_has_its_action),
        cmocka_unit_test(test_golden_city_actions_are_made_again_byte_for_byte),
        cmocka_unit_test(test_long_strings_are_cut_and_long_details_refused),
        cmocka_unit_test_setup_teardown(test_appended_action_is_the_entry_built_field_by_field,
                                        setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_only_committed_actions_reach_the_feed, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_actions_are_logged_without_a_feed, setup,
                                        hubfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
