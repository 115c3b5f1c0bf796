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

#define T0 (1779246000LL * 1000000)

typedef struct {
    char dir[64];
    mm_db_t *db;
    hub_findings_t *findings;
    json_t *heard; /* copies of what the observer got */
} fx_t;

static void observer(void *arg, json_t *finding)
{
    fx_t *f = arg;
    /* After the commit: the store already says so. */
    json_t *list = hub_findings_list(f->findings);
    size_t i;
    json_t *v;
    int stored = 0;
    json_array_foreach(list, i, v)
    {
        stored |= json_equal(v, finding);
    }
    json_decref(list);
    assert_true(stored);
    json_array_append_new(f->heard, json_deep_copy(finding));
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

static void test_raise_is_heard_when_new_or_changed_not_when_repeated(void **state)
{
    fx_t *f = *state;
    assert_int_equal(hub_findings_raise(f->findings, "site-a", "fork", "critical", "5",
                                        json_pack("{s:i}", "index", 5), T0, "fork at %d", 5),
                     MM_OK);
    heard(f, 1, (const char *[]){"fork"}, (const char *[]){"open"});

    /* The same again: counted, not news. */
    assert_int_equal(hub_findings_raise(f->findings, "site-a", "fork", "critical", "5",
                                        json_pack("{s:i}", "index", 5), T0 + 1, "fork at %d", 5),
                     MM_OK);
    heard(f, 0, NULL, NULL);

    /* New evidence or a new message is news, with the count as stored. */
    assert_int_equal(hub_findings_raise(f->findings, "site-a", "fork", "critical", "5",
                                        json_pack("{s:i}", "index", 6), T0 + 2, "fork at %d", 5),
                     MM_OK);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(f->heard, 0), "count")), 3);
    heard(f, 1, (const char *[]){"fork"}, (const char *[]){"open"});
    assert_int_equal(hub_findings_raise(f->findings, "site-a", "fork", "critical", "5", NULL,
                                        T0 + 3, "fork at %d!", 5),
                     MM_OK);
    heard(f, 1, (const char *[]){"fork"}, (const char *[]){"open"});
}

static json_t *rule(const char *kind, const char *message)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{}}", "kind", kind, "dedupe", "", "rule",
                     "R-TEST", "severity", "high", "message", message, "evidence");
}

static void reconcile(fx_t *f, json_t *current, int64_t now)
{
    assert_int_equal(hub_findings_reconcile(f->findings, "site-a", current, now, NULL, NULL),
                     MM_OK);
    json_decref(current);
}

static void test_reconcile_is_heard_on_open_change_close_and_reopen(void **state)
{
    fx_t *f = *state;
    reconcile(f, json_pack("[o, o]", rule("site_silent", "61 minutes"), rule("a", "m")), T0);
    heard(f, 2, (const char *[]){"site_silent", "a"}, (const char *[]){"open", "open"});

    /* Still holding, saying the same: nothing. Saying something new: heard. */
    reconcile(f, json_pack("[o, o]", rule("site_silent", "61 minutes"), rule("a", "m")), T0 + 1);
    heard(f, 0, NULL, NULL);
    reconcile(f, json_pack("[o, o]", rule("site_silent", "62 minutes"), rule("a", "m")), T0 + 2);
    heard(f, 1, (const char *[]){"site_silent"}, (const char *[]){"open"});

    /* No longer holding: closed, heard once. */
    reconcile(f, json_pack("[o]", rule("a", "m")), T0 + 3);
    heard(f, 1, (const char *[]){"site_silent"}, (const char *[]){"closed"});
    reconcile(f, json_pack("[o]", rule("a", "m")), T0 + 4);
    heard(f, 0, NULL, NULL);

    /* Holding again: opened again. */
    reconcile(f, json_pack("[o, o]", rule("site_silent", "1 minutes"), rule("a", "m")), T0 + 5);
    heard(f, 1, (const char *[]){"site_silent"}, (const char *[]){"open"});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_raise_is_heard_when_new_or_changed_not_when_repeated,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconcile_is_heard_on_open_change_close_and_reopen,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
