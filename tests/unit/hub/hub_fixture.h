/*
 * hub_fixture.h: the hub's stores for its unit tests, opened the way hub/app.c opens them: one
 * LMDB environment in a temporary directory, the hub's own keys, and of its modules the ones a
 * program asks for (HUBFX_*), each wired to the others as the daemon wires them (the audit logs
 * in the hub's log and, when the feed is open, announces on it). hubfx_close closes what is open
 * and removes the directory.
 *
 * And the reading of text files line by line that the tests of stored records share: the
 * records the hubs of the integration tests stored (tests/data/hub/records/), each read into its
 * struct and written back byte for byte; the scenarios written by the code before a module kept
 * typed records (the scenario files of tests/data/hub/), compared line by line.
 *
 * Included by one test program each: everything here is static, and marked unused so that a
 * program takes only what it needs.
 */
#ifndef MM_TEST_HUB_FIXTURE_H
#define MM_TEST_HUB_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/keys.h"
#include "hub/audit.h"
#include "hub/feed.h"
#include "hub/findings.h"
#include "hub/findings_codec.h"
#include "hub/hublog.h"
#include "hub/measures.h"
#include "hub/registry.h"
#include "hub/requests.h"

#define FX_UNUSED __attribute__((unused))

/* What hubfx_open opens; each brings what it needs (the audit the hub's log, and so on). */
enum {
    HUBFX_HUBLOG = 1 << 0,
    HUBFX_FEED = 1 << 1,
    HUBFX_AUDIT = 1 << 2 | HUBFX_HUBLOG,
    HUBFX_REGISTRY = 1 << 3,
    HUBFX_FINDINGS = 1 << 4,
    HUBFX_REQUESTS = 1 << 5 | HUBFX_REGISTRY | HUBFX_AUDIT,
    HUBFX_MEASURES = 1 << 6 | HUBFX_AUDIT | HUBFX_REGISTRY,
};

typedef struct {
    char dir[64];
    mm_db_t *db;
    mm_keypair_t keys; /* the hub's */
    hub_hublog_t *hublog;
    hub_feed_t *feed;
    hub_audit_t *audit;
    hub_registry_t *reg;
    hub_findings_t *findings;
    hub_requests_t *q;
    hub_measures_t *m;
    hub_person_t clerk;  /* oversight-1, of the oversight role */
    hub_person_t intake; /* intake-1, of the intake role */
} hubfx_t;

/* Opens what asks for (HUBFX_*) in a new directory /tmp/mm-test-<name>-XXXXXX. */
FX_UNUSED static void hubfx_open(hubfx_t *h, const char *name, unsigned what)
{
    snprintf(h->dir, sizeof h->dir, "/tmp/mm-test-%s-XXXXXX", name);
    assert_non_null(mkdtemp(h->dir));
    assert_int_equal(mm_db_open(h->dir, 0, HUB_DB_TABLES, &h->db), MM_OK);
    assert_int_equal(mm_keys_generate("hub", &h->keys), MM_OK);
    if (what & HUBFX_HUBLOG)
        assert_int_equal(hub_hublog_open(h->db, &h->keys, &h->hublog), MM_OK);
    if (what & HUBFX_FEED)
        assert_int_equal(hub_feed_open(h->db, 0, &h->feed), MM_OK);
    if ((what & HUBFX_AUDIT) == HUBFX_AUDIT) {
        assert_int_equal(hub_audit_create(h->db, h->hublog, &h->audit), MM_OK);
        if (h->feed)
            hub_audit_set_feed(h->audit, h->feed);
    }
    if (what & HUBFX_REGISTRY)
        assert_int_equal(hub_registry_open(h->db, &h->reg), MM_OK);
    if (what & HUBFX_FINDINGS)
        assert_int_equal(hub_findings_open(h->db, &h->findings), MM_OK);
    if ((what & HUBFX_REQUESTS) == HUBFX_REQUESTS)
        assert_int_equal(hub_requests_create(h->reg, h->audit, &h->q), MM_OK);
    if ((what & HUBFX_MEASURES) == HUBFX_MEASURES)
        assert_int_equal(hub_measures_open(h->db, h->audit, h->reg, &h->m), MM_OK);
    h->clerk = (hub_person_t){.id = "oversight-1", .role = HUB_ROLE_OVERSIGHT};
    h->intake = (hub_person_t){.id = "intake-1", .role = HUB_ROLE_INTAKE};
}

/* Closes what hubfx_open opened, in the reverse order, and removes the directory. */
FX_UNUSED static void hubfx_close(hubfx_t *h)
{
    hub_measures_close(h->m);
    hub_requests_destroy(h->q);
    hub_findings_close(h->findings);
    hub_registry_close(h->reg);
    hub_audit_destroy(h->audit);
    hub_feed_close(h->feed);
    hub_hublog_close(h->hublog);
    mm_db_close(h->db);
    mm_keys_wipe(&h->keys);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", h->dir);
    assert_int_equal(system(cmd), 0);
}

/* A hubfx_t of its own, opened; for programs whose state is the hub's stores and no more. */
FX_UNUSED static hubfx_t *hubfx_new(const char *name, unsigned what)
{
    hubfx_t *h = calloc(1, sizeof *h);
    assert_non_null(h);
    hubfx_open(h, name, what);
    return h;
}

/* A teardown for cmocka of the hubfx_t that hubfx_new made. */
FX_UNUSED static int hubfx_teardown(void **state)
{
    hubfx_close(*state);
    free(*state);
    return 0;
}

static int hubfx_add_entry(uint64_t index, const void *data, size_t len, void *arg)
{
    (void)index;
    json_array_append_new(arg, mm_entry_to_json(data, len));
    return 0;
}

/* The hub's log, as the API shows its entries (a new reference). */
FX_UNUSED static json_t *hubfx_log(hubfx_t *h)
{
    json_t *all = json_array();
    assert_int_equal(hub_hublog_entries(h->hublog, 0, UINT64_MAX, hubfx_add_entry, all), MM_OK);
    return all;
}

/* How many entries the hub's log holds. */
FX_UNUSED static uint64_t hubfx_log_size(hubfx_t *h)
{
    uint64_t n = 0;
    assert_int_equal(hub_hublog_size(h->hublog, &n), MM_OK);
    return n;
}

/* A city action as the hub's log shows it; what is NULL (time_us 0) is not looked at. */
typedef struct {
    const char *action, *site, *subject, *person, *role, *reason, *detail;
    int64_t time_us;
} hubfx_action_t;

/* Entry i of the hub's log is the city action want. */
FX_UNUSED static void hubfx_logged(hubfx_t *h, size_t i, hubfx_action_t want)
{
    json_t *log = hubfx_log(h);
    assert_true(i < json_array_size(log));
    json_t *e = json_array_get(log, i), *a = json_object_get(e, "city_action");
    const char *const names[] = {"action", "site", "subject", "person", "role", "reason", "detail"};
    const char *const wants[] = {want.action, want.site,   want.subject, want.person,
                                 want.role,   want.reason, want.detail};
    for (size_t m = 0; m < sizeof names / sizeof *names; m++) {
        const char *got = json_string_value(json_object_get(a, names[m]));
        if (wants[m])
            assert_string_equal(got ? got : "", wants[m]);
    }
    if (want.time_us)
        assert_int_equal(json_integer_value(json_object_get(e, "time_us")), want.time_us);
    json_decref(log);
}

static int hubfx_add_finding(void *arg, const hub_finding_t *finding)
{
    json_array_append_new(arg, hub_finding_json(finding));
    return 0;
}

/* Every finding, oldest first, as stored and as the API lists them (a new reference). */
FX_UNUSED static json_t *hubfx_findings(hubfx_t *h)
{
    json_t *list = json_array();
    assert_int_equal(hub_findings_each(h->findings, hubfx_add_finding, list), MM_OK);
    return list;
}

/* --- text files, line by line ----------------------------------------------------------------*/

typedef struct {
    FILE *in;
    char *line; /* the current line, without its newline */
    size_t len;
    size_t cap;
} lines_t;

FX_UNUSED static void lines_open(lines_t *l, const char *path)
{
    *l = (lines_t){.in = fopen(path, "r")};
    assert_non_null(l->in);
}

/* The next line that is not empty, in l->line; 0 at the end of the file. */
FX_UNUSED static int lines_next(lines_t *l)
{
    ssize_t n;
    while ((n = getline(&l->line, &l->cap, l->in)) > 0) {
        if (l->line[n - 1] == '\n')
            l->line[--n] = 0;
        if (n > 0) {
            l->len = (size_t)n;
            return 1;
        }
    }
    return 0;
}

FX_UNUSED static void lines_close(lines_t *l)
{
    free(l->line);
    fclose(l->in);
}

/* The next line is got. */
FX_UNUSED static void line_is(lines_t *l, const char *got)
{
    assert_true(lines_next(l));
    if (strcmp(got, l->line) != 0) /* whole: cmocka cuts long strings short */
        fprintf(stderr, "got:  %s\nwant: %s\n", got, l->line);
    assert_string_equal(got, l->line);
}

/* The next line is label, a space and o's compact JSON (o released). */
FX_UNUSED static void labelled_is(lines_t *l, const char *label, json_t *o)
{
    assert_non_null(o);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char *got = malloc(strlen(label) + strlen(text) + 2);
    sprintf(got, "%s %s", label, text);
    line_is(l, got);
    free(got);
    free(text);
}

/* A stored record read from the current line writes back as it: the codec's text again, and the
 * API's JSON shown (both released). */
FX_UNUSED static void written_back_is(const lines_t *l, char *again, json_t *shown)
{
    assert_non_null(again);
    assert_string_equal(again, l->line);
    free(again);
    assert_non_null(shown);
    char *text = json_dumps(shown, JSON_COMPACT);
    assert_string_equal(text, l->line);
    free(text);
    json_decref(shown);
}

#endif
