/*
 * test_findings.c: the observer of findings (hub/findings), which feeds the hub's feed: it
 * hears of a finding when it is opened, opened again, closed, or says something new, after the
 * commit and once per change; a repeat that only counts is not news. (Reconciling itself is
 * tested in test_registry.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hub/findings.h"
#include "hub/findings_codec.h"

#define T0 (1779246000LL * 1000000)

typedef struct {
    char dir[64];
    mm_db_t *db;
    hub_findings_t *findings;
    json_t *heard; /* copies of what the observer got */
} fx_t;

static int add_json(void *arg, const hub_finding_t *finding)
{
    json_array_append_new(arg, hub_finding_json(finding));
    return 0;
}

/* Every finding as stored, as the API lists them. */
static json_t *list_of(fx_t *f)
{
    json_t *list = json_array();
    assert_int_equal(hub_findings_each(f->findings, add_json, list), MM_OK);
    return list;
}

static void observer(void *arg, const hub_finding_t *heard)
{
    fx_t *f = arg;
    json_t *finding = hub_finding_json(heard);
    /* After the commit: the store already says so. */
    json_t *list = list_of(f);
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
    strcpy(f->dir, "/tmp/mm-test-findings-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(mm_db_open(f->dir, 0, 16, &f->db), MM_OK);
    assert_int_equal(hub_findings_open(f->db, &f->findings), MM_OK);
    f->heard = json_array();
    hub_findings_set_observer(f->findings, observer, f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hub_findings_close(f->findings);
    mm_db_close(f->db);
    json_decref(f->heard);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
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
    assert_int_equal(hub_findings_raise(f->findings, "site-a", "fork", HUB_SEVERITY_CRITICAL, "5",
                                        at_index(&ev, 5), T0, "fork at %d", 5),
                     MM_OK);
    heard(f, 1, (const char *[]){"fork"}, (const char *[]){"open"});

    /* The same again: counted, not news. */
    assert_int_equal(hub_findings_raise(f->findings, "site-a", "fork", HUB_SEVERITY_CRITICAL, "5",
                                        at_index(&ev, 5), T0 + 1, "fork at %d", 5),
                     MM_OK);
    heard(f, 0, NULL, NULL);

    /* New evidence or a new message is news, with the count as stored. */
    assert_int_equal(hub_findings_raise(f->findings, "site-a", "fork", HUB_SEVERITY_CRITICAL, "5",
                                        at_index(&ev, 6), T0 + 2, "fork at %d", 5),
                     MM_OK);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(f->heard, 0), "count")), 3);
    heard(f, 1, (const char *[]){"fork"}, (const char *[]){"open"});
    assert_int_equal(hub_findings_raise(f->findings, "site-a", "fork", HUB_SEVERITY_CRITICAL, "5",
                                        NULL, T0 + 3, "fork at %d!", 5),
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
    assert_int_equal(hub_findings_reconcile(f->findings, "site-a", l.items, l.n, now, NULL, NULL),
                     MM_OK);
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
    assert_int_equal(hub_findings_reconcile(f->findings, site, l.items, l.n, T0, &opened, &closed),
                     MM_OK);
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
    assert_int_equal(hub_findings_raise(f->findings, "site-a", "fork", HUB_SEVERITY_CRITICAL, "",
                                        &ev, T0, "fork"),
                     MM_OK);
    json_array_clear(f->heard);
    /* Nothing holds at site-a: its rules finding closes, the others' and its fork stay open. */
    reconcile_site(f, "site-a", 0, 0, 1);
    heard(f, 1, (const char *[]){"x"}, (const char *[]){"closed"});
    reconcile_site(f, "site-a", 0, 0, 0);
    json_t *list = list_of(f);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_raise_is_heard_when_new_or_changed_not_when_repeated,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconcile_is_heard_on_open_change_close_and_reopen,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconcile_keeps_to_the_sites_own_range, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
