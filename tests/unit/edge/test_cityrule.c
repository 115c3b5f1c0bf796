/*
 * test_cityrule.c: the city's rule for the retention period at the site (edge/cityrule.h, R-N7.5)
 * — taken only when the hub signed it for this site and for a policy that leaves the period to
 * the city; the latest of those is the rule in force, read from the logged notices; a
 * configuration outside it is named by its key and the rule; the floor under disk pressure is
 * the text's, else the rule's, else the configured retention (no 1-day floor: it had no source).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/crypto.h"
#include "edge/cityrule.h"
#include "edge/requests.h"

#define RULE "那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条"

typedef struct {
    char dir[64];
    edge_store_t *st;
    mm_ed25519_t hub, other;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-cityrule-XXXXXX");
    if (!mkdtemp(f->dir) || edge_store_open(f->dir, &f->st) != MM_OK ||
        mm_ed25519_generate(&f->hub) != MM_OK || mm_ed25519_generate(&f->other) != MM_OK)
        return -1;
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
    mm_ed25519_wipe(&f->hub);
    mm_ed25519_wipe(&f->other);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* A city_rule notice for site, signed by key. */
static mm_city_request_t rule(const char *id, const char *policy, uint32_t min, uint32_t max,
                              int64_t time_us, const char *site, const mm_ed25519_t *key)
{
    mm_city_request_t q;
    memset(&q, 0, sizeof q);
    snprintf(q.id, sizeof q.id, "%s", id);
    q.kind = MM_REQUEST_KIND_CITY_RULE;
    q.time_us = time_us;
    snprintf(q.subject, sizeof q.subject, "policy/%s", policy);
    snprintf(q.text, sizeof q.text, RULE);
    q.retention_days_min = min;
    q.retention_days_max = max;
    char stmt[MM_STATEMENT_MAX];
    size_t len = 0;
    if (mm_city_rule_statement(&q, site, stmt, sizeof stmt, &len) == MM_OK &&
        mm_ed25519_sign(key, stmt, len, q.signature) == MM_OK)
        q.has_signature = 1;
    return q;
}

static void R_N7_5_only_the_hubs_signature_for_this_site_counts(void **state)
{
    fixture_t *f = *state;
    edge_city_rule_t r;
    char why[256];
    mm_city_request_t q = rule("notice-1", "naha", 7, 14, 100, "site-a", &f->hub);
    assert_int_equal(edge_city_rule_of(&q, "site-a", f->hub.pub, &r, why, sizeof why), 0);
    assert_true(r.has);
    assert_int_equal(r.policy, MM_POLICY_NAHA);
    assert_int_equal(r.min_days, 7);
    assert_int_equal(r.max_days, 14);
    assert_string_equal(r.rule, RULE);
    assert_string_equal(r.id, "notice-1");
    /* Signed for another site, or by another key: not taken. */
    assert_int_equal(edge_city_rule_of(&q, "site-b", f->hub.pub, &r, why, sizeof why), -1);
    assert_non_null(strstr(why, "does not verify"));
    q = rule("notice-1", "naha", 7, 14, 100, "site-a", &f->other);
    assert_int_equal(edge_city_rule_of(&q, "site-a", f->hub.pub, &r, why, sizeof why), -1);
    /* Changed after signing. */
    q = rule("notice-1", "naha", 7, 14, 100, "site-a", &f->hub);
    q.retention_days_max = 31;
    assert_int_equal(edge_city_rule_of(&q, "site-a", f->hub.pub, &r, why, sizeof why), -1);
    /* Unsigned, or for a policy whose text sets the period itself. */
    q = rule("notice-1", "naha", 7, 14, 100, "site-a", &f->hub);
    q.has_signature = 0;
    assert_int_equal(edge_city_rule_of(&q, "site-a", f->hub.pub, &r, why, sizeof why), -1);
    assert_non_null(strstr(why, "no signature"));
    q = rule("notice-1", "kawaguchi", 7, 14, 100, "site-a", &f->hub);
    assert_int_equal(edge_city_rule_of(&q, "site-a", f->hub.pub, &r, why, sizeof why), -1);
}

static void R_N7_5_outside_the_rule_names_the_key_and_the_rule(void **state)
{
    (void)state;
    edge_city_rule_t r = {.has = 1,
                          .id = "notice-2",
                          .policy = MM_POLICY_NAHA,
                          .min_days = 7,
                          .max_days = 14,
                          .rule = RULE};
    const char *key = NULL;
    char why[1024];
    assert_int_equal(edge_city_rule_check(&r, 7, 14, &key, why, sizeof why), 0);
    assert_int_equal(edge_city_rule_check(&r, 31, 31, &key, why, sizeof why), -1);
    assert_string_equal(key, "retention_days");
    assert_string_equal(why, "31 days is outside the city's rule for the naha policy: " RULE
                             " (第7条第5号) sets 7 to 14 days (received as notice-2; R-N7.5)");
    assert_int_equal(edge_city_rule_check(&r, 7, 31, &key, why, sizeof why), -1);
    assert_string_equal(key, "registered_retention_days");
    assert_int_equal(edge_city_rule_check(&r, 3, 14, &key, why, sizeof why), -1);
    r.max_days = 0; /* no maximum */
    assert_int_equal(edge_city_rule_check(&r, 7, 3650, &key, why, sizeof why), 0);
    assert_int_equal(edge_city_rule_check(&r, 6, 3650, &key, why, sizeof why), -1);
    assert_non_null(strstr(why, "sets at least 7 days"));
    /* Not received: anything goes until it is. */
    edge_city_rule_t none = {0};
    assert_int_equal(edge_city_rule_check(&none, 1, 3650, &key, why, sizeof why), 0);
    assert_int_equal(edge_city_rule_check(NULL, 1, 3650, &key, why, sizeof why), 0);
}

static void R_N7_5_the_floor_under_disk_pressure(void **state)
{
    (void)state;
    edge_city_rule_t r = {.has = 1, .policy = MM_POLICY_NAHA, .min_days = 5, .max_days = 14};
    assert_int_equal(edge_city_rule_floor(MM_POLICY_KAWAGUCHI, &r, 30), 7);
    assert_int_equal(edge_city_rule_floor(MM_POLICY_VOLUNTARY, NULL, 30), 7);
    assert_int_equal(edge_city_rule_floor(MM_POLICY_NAHA, &r, 30), 5);
    /* No rule yet: nothing inside the configured retention goes. */
    assert_int_equal(edge_city_rule_floor(MM_POLICY_NAHA, NULL, 30), 30);
    /* A rule for another policy is not this one's. */
    assert_int_equal(edge_city_rule_floor(MM_POLICY_CITY, &r, 30), 30);
}

/* The latest logged notice for the site's policy that the hub signed is the rule in force. */
static void R_N7_5_the_latest_signed_rule_is_in_force(void **state)
{
    fixture_t *f = *state;
    edge_city_rule_t r;
    assert_int_equal(edge_city_rule_load(f->st, "site-a", f->hub.pub, MM_POLICY_NAHA, &r), MM_OK);
    assert_false(r.has);
    mm_city_request_t q[5] = {
        rule("notice-1", "naha", 7, 14, 100, "site-a", &f->hub),
        rule("notice-2", "naha", 10, 31, 300, "site-a", &f->hub),
        rule("notice-3", "naha", 1, 2, 900, "site-a", &f->other), /* forged: never in force */
        rule("notice-4", "city", 30, 60, 800, "site-a", &f->hub), /* another policy's */
        rule("notice-5", "naha", 8, 9, 200, "site-a", &f->hub),   /* older than notice-2 */
    };
    size_t logged = 0;
    assert_int_equal(edge_requests_receive(f->st, q, 5, 1000, &logged), MM_OK);
    assert_int_equal(logged, 5);
    assert_int_equal(edge_city_rule_load(f->st, "site-a", f->hub.pub, MM_POLICY_NAHA, &r), MM_OK);
    assert_true(r.has);
    assert_string_equal(r.id, "notice-2");
    assert_int_equal(r.min_days, 10);
    assert_int_equal(r.max_days, 31);
    assert_int_equal(edge_city_rule_load(f->st, "site-a", f->hub.pub, MM_POLICY_CITY, &r), MM_OK);
    assert_string_equal(r.id, "notice-4");
    /* A policy whose text sets the period has no rule, whatever was logged. */
    assert_int_equal(edge_city_rule_load(f->st, "site-a", f->hub.pub, MM_POLICY_KAWAGUCHI, &r),
                     MM_OK);
    assert_false(r.has);
    /* The logged entry carries the days. */
    mm_city_request_t got;
    assert_int_equal(edge_requests_get(f->st, "notice-2", &got), MM_OK);
    assert_int_equal(got.retention_days_min, 10);
    assert_true(got.has_signature);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(R_N7_5_only_the_hubs_signature_for_this_site_counts, setup,
                                        teardown),
        cmocka_unit_test(R_N7_5_outside_the_rule_names_the_key_and_the_rule),
        cmocka_unit_test(R_N7_5_the_floor_under_disk_pressure),
        cmocka_unit_test_setup_teardown(R_N7_5_the_latest_signed_rule_is_in_force, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
