/*
 * test_findings.c: the observer of findings (hub/findings), which feeds the hub's feed: it
 * hears of a finding when it is opened, opened again, closed, or says something new, after the
 * commit and once per change; a repeat that only counts is not news; a site's reconciling keeps
 * to the site's own range of the key index; and raising and reconciling store, and tell the
 * observer, byte for byte what the store wrote when it kept findings as JSON
 * (tests/data/hub/findings_scenario.txt, written by that code). (Reconciling itself is tested in
 * test_registry.c.)
 */
#include "hub_fixture.h"
#include "hub/findings.h"
#include "hub/findings_codec.h"

#define T0 (1779246000LL * 1000000)

typedef struct {
    hubfx_t hub;
    json_t *heard; /* copies of what the observer got */
} fx_t;

static void observer(void *arg, const hub_finding_t *heard)
{
    fx_t *f = arg;
    json_t *finding = hub_finding_json(heard);
    /* After the commit: the store already says so. */
    json_t *list = hubfx_findings(&f->hub);
    size_t i;
    json_t *v;
    int stored = 0;
    json_array_foreach(list, i, v)
    {
        stored |= json_equal(v, finding);
    }
    json_decref(list);
    assert_true(stored);
    json_array_append_new(f->heard, finding);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    hubfx_open(&f->hub, "findings", HUBFX_FINDINGS);
    f->heard = json_array();
    hub_findings_set_observer(f->hub.findings, observer, f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hubfx_close(&f->hub);
    json_decref(f->heard);
    free(f);
    return 0;
}

static const char *str_at(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    assert_non_null(s);
    return s;
}

/* What the observer heard since the last call: n findings, the i-th in state states[i]. */
static void heard(fx_t *f, size_t n, const char *const *kinds, const char *const *states)
{
    assert_int_equal(json_array_size(f->heard), n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(str_at(json_array_get(f->heard, i), "kind"), kinds[i]);
        assert_string_equal(str_at(json_array_get(f->heard, i), "state"), states[i]);
    }
    json_array_clear(f->heard);
}

/* Evidence {"index": i}. */
static hub_evidence_t *at_index(hub_evidence_t *ev, int64_t i)
{
    hub_evidence_deinit(ev);
    assert_int_equal(hub_evidence_int(ev, "index", i), MM_OK);
    return ev;
}

static void test_raise_is_heard_when_new_or_changed_not_when_repeated(void **state)
{
    fx_t *f = *state;
    hub_evidence_t ev = {0};
    assert_int_equal(hub_findings_raise(f->hub.findings, "site-a", "fork", HUB_SEVERITY_CRITICAL,
                                        "5", at_index(&ev, 5), T0, "fork at %d", 5),
                     MM_OK);
    heard(f, 1, (const char *[]){"fork"}, (const char *[]){"open"});

    /* The same again: counted, not news. */
    assert_int_equal(hub_findings_raise(f->hub.findings, "site-a", "fork", HUB_SEVERITY_CRITICAL,
                                        "5", at_index(&ev, 5), T0 + 1, "fork at %d", 5),
                     MM_OK);
    heard(f, 0, NULL, NULL);

    /* New evidence or a new message is news, with the count as stored. */
    assert_int_equal(hub_findings_raise(f->hub.findings, "site-a", "fork", HUB_SEVERITY_CRITICAL,
                                        "5", at_index(&ev, 6), T0 + 2, "fork at %d", 5),
                     MM_OK);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(f->heard, 0), "count")), 3);
    heard(f, 1, (const char *[]){"fork"}, (const char *[]){"open"});
    assert_int_equal(hub_findings_raise(f->hub.findings, "site-a", "fork", HUB_SEVERITY_CRITICAL,
                                        "5", NULL, T0 + 3, "fork at %d!", 5),
                     MM_OK);
    heard(f, 1, (const char *[]){"fork"}, (const char *[]){"open"});
    hub_evidence_deinit(&ev);
}

/* A rules finding of kind saying message, with no evidence, at the end of l. */
static void rule(hub_finding_list_t *l, const char *kind, const char *message)
{
    hub_finding_t *c = hub_finding_list_add(l);
    assert_non_null(c);
    snprintf(c->kind, sizeof c->kind, "%s", kind);
    strcpy(c->rule, "R-TEST");
    c->severity = HUB_SEVERITY_HIGH;
    snprintf(c->message, sizeof c->message, "%s", message);
}

/* Reconciles site-a with the rules findings given as kind, message pairs (NULL ends them). */
static void reconcile(fx_t *f, int64_t now, ...)
{
    hub_finding_list_t l;
    hub_finding_list_init(&l);
    va_list ap;
    va_start(ap, now);
    for (const char *kind; (kind = va_arg(ap, const char *));)
        rule(&l, kind, va_arg(ap, const char *));
    va_end(ap);
    assert_int_equal(
        hub_findings_reconcile(f->hub.findings, "site-a", l.items, l.n, now, NULL, NULL), MM_OK);
    hub_finding_list_deinit(&l);
}

static void test_reconcile_is_heard_on_open_change_close_and_reopen(void **state)
{
    fx_t *f = *state;
    reconcile(f, T0, "site_silent", "61 minutes", "a", "m", NULL);
    heard(f, 2, (const char *[]){"site_silent", "a"}, (const char *[]){"open", "open"});

    /* Still holding, saying the same: nothing. Saying something new: heard. */
    reconcile(f, T0 + 1, "site_silent", "61 minutes", "a", "m", NULL);
    heard(f, 0, NULL, NULL);
    reconcile(f, T0 + 2, "site_silent", "62 minutes", "a", "m", NULL);
    heard(f, 1, (const char *[]){"site_silent"}, (const char *[]){"open"});

    /* No longer holding: closed, heard once. */
    reconcile(f, T0 + 3, "a", "m", NULL);
    heard(f, 1, (const char *[]){"site_silent"}, (const char *[]){"closed"});
    reconcile(f, T0 + 4, "a", "m", NULL);
    heard(f, 0, NULL, NULL);

    /* Holding again: opened again. */
    reconcile(f, T0 + 5, "site_silent", "1 minutes", "a", "m", NULL);
    heard(f, 1, (const char *[]){"site_silent"}, (const char *[]){"open"});
}

/* One rules finding "x" for site, or none: the counts opened and closed. */
static void reconcile_site(fx_t *f, const char *site, int holds, size_t want_opened,
                           size_t want_closed)
{
    hub_finding_list_t l;
    hub_finding_list_init(&l);
    if (holds)
        rule(&l, "x", "m");
    size_t opened, closed;
    assert_int_equal(
        hub_findings_reconcile(f->hub.findings, site, l.items, l.n, T0, &opened, &closed), MM_OK);
    assert_int_equal(opened, want_opened);
    assert_int_equal(closed, want_closed);
    hub_finding_list_deinit(&l);
}

static void test_reconcile_keeps_to_the_sites_own_range(void **state)
{
    fx_t *f = *state;
    /* Sites whose keys start alike: "site-a" is a prefix of "site-a2", "site-" of both. */
    reconcile_site(f, "site-a2", 1, 1, 0);
    reconcile_site(f, "site-", 1, 1, 0);
    reconcile_site(f, "site-a", 1, 1, 0);
    hub_evidence_t ev = {0};
    assert_int_equal(hub_findings_raise(f->hub.findings, "site-a", "fork", HUB_SEVERITY_CRITICAL,
                                        "", &ev, T0, "fork"),
                     MM_OK);
    json_array_clear(f->heard);
    /* Nothing holds at site-a: its rules finding closes, the others' and its fork stay open. */
    reconcile_site(f, "site-a", 0, 0, 1);
    heard(f, 1, (const char *[]){"x"}, (const char *[]){"closed"});
    reconcile_site(f, "site-a", 0, 0, 0);
    json_t *list = hubfx_findings(&f->hub);
    assert_int_equal(json_array_size(list), 4);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *site = str_at(v, "site"), *kind = str_at(v, "kind");
        int closed = !strcmp(site, "site-a") && !strcmp(kind, "x");
        assert_string_equal(str_at(v, "state"), closed ? "closed" : "open");
    }
    json_decref(list);
    reconcile_site(f, "site-", 0, 0, 1);
    reconcile_site(f, "site-a2", 0, 0, 1);
}

/* --- byte for byte what the findings kept as JSON wrote ----------------------------------- */

#define SCENARIO MM_TEST_DATA "/hub/findings_scenario.txt"

static void heard_golden(void *arg, const hub_finding_t *finding)
{
    labelled_is(arg, "heard", hub_finding_json(finding));
}

static int stored_golden(void *arg, const hub_finding_t *finding)
{
    labelled_is(arg, "stored", hub_finding_json(finding));
    return 0;
}

/* Evidence from JSON, kept for the test's length (static: a few at most). */
static hub_evidence_t *ev_of(json_t *j)
{
    static hub_evidence_t ev[8];
    static size_t n;
    assert_true(n < 8);
    hub_evidence_t *e = &ev[n++];
    assert_int_equal(hub_evidence_from_json(j, e), MM_OK);
    json_decref(j);
    return e;
}

static void rule_of(hub_finding_t *f, const char *kind, const char *dedupe, hub_severity_t sev,
                    const char *msg, json_t *ev)
{
    hub_finding_init(f);
    strcpy(f->kind, kind);
    strcpy(f->dedupe, dedupe);
    strcpy(f->rule, "R-X");
    f->severity = sev;
    strcpy(f->message, msg);
    assert_int_equal(hub_evidence_from_json(ev, &f->evidence), MM_OK);
    json_decref(ev);
}

static void test_store_writes_what_the_json_store_wrote(void **state)
{
    fx_t *f = *state;
    lines_t g; /* tests/data/hub/findings_scenario.txt, written by the JSON findings store */
    lines_open(&g, SCENARIO);
    hub_findings_set_observer(f->hub.findings, heard_golden, &g);
    hub_findings_t *s = f->hub.findings;
    json_t *ck = json_pack("{s:i, s:s}", "index", 5, "checkpoint", "note\nline");
    assert_int_equal(hub_findings_raise(s, "site-a", "fork", HUB_SEVERITY_CRITICAL, "5",
                                        ev_of(json_incref(ck)), T0, "fork at %d", 5),
                     MM_OK);
    assert_int_equal(hub_findings_raise(s, "site-a", "fork", HUB_SEVERITY_CRITICAL, "5",
                                        ev_of(ck), T0 + 1000000, "fork at %d", 5),
                     MM_OK);
    assert_int_equal(
        hub_findings_raise(s, "site-a", "fork", HUB_SEVERITY_CRITICAL, "5",
                           ev_of(json_pack("{s:i, s:s}", "index", 6, "checkpoint", "note\nline")),
                           T0 + 2000000, "fork at %d", 5),
        MM_OK);
    assert_int_equal(hub_findings_raise(s, "site-a", "fork", HUB_SEVERITY_CRITICAL, "5", NULL,
                                        T0 + 3000000, "fork at %d!", 5),
                     MM_OK);
    assert_int_equal(hub_findings_raise(s, "", "unknown_peer", HUB_SEVERITY_MEDIUM, "KEY",
                                        ev_of(json_pack("{s:s, s:s}", "curve_public", "KEY",
                                                        "address", "1.2.3.4")),
                                        T0, "peer"),
                     MM_OK);
    assert_int_equal(
        hub_findings_raise(s, "site-a", "root_mismatch", HUB_SEVERITY_CRITICAL, "",
                           ev_of(json_pack("{s:I, s:I, s:I, s:s, s:s}", "first_index",
                                           (json_int_t)0, "entries", (json_int_t)3,
                                           "checkpoint_size", (json_int_t)3, "signed_root", "ab",
                                           "computed_root", "cd")),
                           T0, "root"),
        MM_OK);
    assert_int_equal(hub_findings_raise(s, "site-b", "malformed_message", HUB_SEVERITY_MEDIUM,
                                        "EPROTO", NULL, T0, "bad"),
                     MM_OK);
    hub_finding_t a, b, c, c2, d;
    rule_of(&a, "manager_missing", "", HUB_SEVERITY_HIGH, "no manager",
            json_pack("{s:[i]}", "entries", 1));
    rule_of(&b, "uptime_below_24h", "c/d", HUB_SEVERITY_MEDIUM, "low",
            json_pack("{s:[i,i], s:s, s:s}", "entries", 2, 3, "camera", "c", "day", "d"));
    rule_of(&c, "request_overdue", "r", HUB_SEVERITY_MEDIUM, "late",
            json_pack("{s:s, s:[i]}", "request", "r", "entries", 4));
    rule_of(&c2, "request_overdue", "r", HUB_SEVERITY_MEDIUM, "later",
            json_pack("{s:s, s:[i]}", "request", "r", "entries", 4));
    rule_of(&d, "site_silent", "", HUB_SEVERITY_HIGH, "silent", json_object());
    hub_finding_t l1[] = {a, b, c, d}, l2[] = {a, c2}, l3[] = {a, b, c2};
    assert_int_equal(hub_findings_reconcile(s, "site-a", l1, 4, T0 + 10000000, NULL, NULL), MM_OK);
    assert_int_equal(hub_findings_reconcile(s, "site-a", l2, 2, T0 + 20000000, NULL, NULL), MM_OK);
    assert_int_equal(hub_findings_reconcile(s, "site-a", l3, 3, T0 + 30000000, NULL, NULL), MM_OK);
    assert_int_equal(hub_findings_reconcile(s, "site-b", &a, 1, T0 + 40000000, NULL, NULL), MM_OK);
    assert_int_equal(hub_findings_reconcile(s, "site-b", NULL, 0, T0 + 50000000, NULL, NULL),
                     MM_OK);
    assert_int_equal(hub_findings_each(s, stored_golden, &g), MM_OK);
    assert_false(lines_next(&g)); /* nothing more */
    hub_finding_deinit(&a);
    hub_finding_deinit(&b);
    hub_finding_deinit(&c);
    hub_finding_deinit(&c2);
    hub_finding_deinit(&d);
    hub_findings_set_observer(f->hub.findings, observer, f);
    lines_close(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_raise_is_heard_when_new_or_changed_not_when_repeated,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconcile_is_heard_on_open_change_close_and_reopen,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconcile_keeps_to_the_sites_own_range, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_writes_what_the_json_store_wrote, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
