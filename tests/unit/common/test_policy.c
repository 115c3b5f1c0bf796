/*
 * test_policy.c: the table of what each policy's text says (common/policy.h): the retention's
 * source and floor (R-K2.2.6b, R-N7.5: Naha's text leaves the period to the city's rule and has
 * no floor), filings (R-N4.2; none for the city's own cameras, R-N9; notices for a voluntary
 * installer, R-K4), the share threshold (R-K2.1.3a) and the consensus (R-K2.1.3c), and the bases
 * each admits with their clauses as the texts number them (R-K2.2.5, R-N7.4, R-N8, R-K3, R-N9).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/policy.h"

static void test_every_policy_has_a_whole_row(void **state)
{
    (void)state;
    for (int p = 0; p < MM_POLICY_COUNT; p++) {
        const mm_policy_rules_t *r = mm_policy_rules((mm_policy_t)p);
        assert_non_null(r);
        assert_int_equal(r->policy, p);
        const char *texts[] = {r->title,
                               r->text,
                               r->scope,
                               r->why,
                               r->bases_text,
                               r->other_use,
                               r->retention_clause,
                               r->retention_words,
                               r->filing_clause,
                               r->doc_title,
                               r->doc_basis,
                               r->op_term};
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
            assert_non_null(texts[i]);
            assert_true(strlen(texts[i]) > 0);
        }
        /* At least one basis, each with a clause and words, the list NONE-terminated. */
        size_t n = 0;
        while (n < MM_LEGAL_BASIS_COUNT && r->bases[n].basis != MM_LEGAL_BASIS_NONE) {
            assert_non_null(r->bases[n].clause);
            assert_non_null(r->bases[n].words);
            n++;
        }
        assert_true(n >= 3 && n < MM_LEGAL_BASIS_COUNT);
        assert_true(r->retention == MM_RETENTION_FROM_TEXT ||
                    r->retention == MM_RETENTION_FROM_CITY_RULE);
    }
    assert_null(mm_policy_rules(MM_POLICY_COUNT));
    assert_null(mm_policy_rules((mm_policy_t)-1));
}

/* R-K2.2.6b, R-N7.5, R-K4: a number in the text, or the city's rule. */
static void test_where_the_retention_comes_from(void **state)
{
    (void)state;
    assert_int_equal(mm_policy_floor_days(MM_POLICY_KAWAGUCHI), 7);
    assert_string_equal(mm_policy_rules(MM_POLICY_KAWAGUCHI)->retention_clause, "第2の2(6)イ");
    assert_false(mm_policy_city_rule(MM_POLICY_KAWAGUCHI));
    assert_int_equal(mm_policy_floor_days(MM_POLICY_VOLUNTARY), 7);
    assert_false(mm_policy_city_rule(MM_POLICY_VOLUNTARY));
    /* Naha 第7条第5号: "規則で定めるところにより保管期間を定め" — no number, no floor. */
    assert_int_equal(mm_policy_floor_days(MM_POLICY_NAHA), 0);
    assert_true(mm_policy_city_rule(MM_POLICY_NAHA));
    assert_string_equal(mm_policy_rules(MM_POLICY_NAHA)->retention_clause, "第7条第5号");
    assert_non_null(strstr(mm_policy_rules(MM_POLICY_NAHA)->retention_words, "規則で定めるところ"));
    assert_int_equal(mm_policy_floor_days(MM_POLICY_CITY), 0);
    assert_true(mm_policy_city_rule(MM_POLICY_CITY));
    assert_int_equal(mm_policy_floor_days(MM_POLICY_COUNT), -1);
    assert_false(mm_policy_city_rule(MM_POLICY_COUNT));
}

/* R-N4.2, R-N9, R-K4: what each files; an unknown policy is held to the most. */
static void test_what_each_files(void **state)
{
    (void)state;
    assert_int_equal(mm_policy_filing(MM_POLICY_KAWAGUCHI), MM_FILING_DUTY);
    assert_int_equal(mm_policy_filing(MM_POLICY_NAHA), MM_FILING_DUTY);
    assert_string_equal(mm_policy_rules(MM_POLICY_NAHA)->filing_clause, "第4条第2項");
    assert_int_equal(mm_policy_filing(MM_POLICY_CITY), MM_FILING_NONE);
    assert_int_equal(mm_policy_filing(MM_POLICY_VOLUNTARY), MM_FILING_NOTICE);
    assert_int_equal(mm_policy_filing(MM_POLICY_COUNT), MM_FILING_DUTY);
}

/* R-K2.1.3a, R-K2.1.3c: Kawaguchi's own; a voluntary installer's place may be outside it. */
static void test_share_and_consensus_are_kawaguchis(void **state)
{
    (void)state;
    assert_true(mm_policy_share_threshold(MM_POLICY_KAWAGUCHI, 0) > 0.666 &&
                mm_policy_share_threshold(MM_POLICY_KAWAGUCHI, 0) < 0.667);
    assert_true(mm_policy_share_threshold(MM_POLICY_KAWAGUCHI, 1) == 0.5);
    for (int p = MM_POLICY_NAHA; p <= MM_POLICY_COUNT; p++) {
        assert_true(mm_policy_share_threshold((mm_policy_t)p, 0) == 0);
        assert_false(mm_policy_consensus_required((mm_policy_t)p));
    }
    assert_true(mm_policy_consensus_required(MM_POLICY_KAWAGUCHI));
}

/* The clause of each basis, as the texts number them. */
static void test_bases_with_their_clauses(void **state)
{
    (void)state;
    static const struct {
        mm_policy_t p;
        mm_legal_basis_t b;
        const char *clause; /* NULL: not admitted */
    } cases[] = {
        {MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_EMERGENCY, "第2の2(5)ア"},
        {MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_LAW, "第2の2(5)イ"},
        {MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_OWN_IMAGES, "第3"},
        {MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_CONSENT, NULL},
        {MM_POLICY_NAHA, MM_LEGAL_BASIS_CONSENT, "第7条第4号ア"},
        {MM_POLICY_NAHA, MM_LEGAL_BASIS_LAW, "第7条第4号イ"},
        {MM_POLICY_NAHA, MM_LEGAL_BASIS_EMERGENCY, "第7条第4号ウ"},
        {MM_POLICY_NAHA, MM_LEGAL_BASIS_OWN_IMAGES, "第8条"},
        {MM_POLICY_CITY, MM_LEGAL_BASIS_LAW, "第69条第1項"},
        {MM_POLICY_CITY, MM_LEGAL_BASIS_CONSENT, "第69条第2項第1号"},
        {MM_POLICY_CITY, MM_LEGAL_BASIS_EMERGENCY, "第69条第2項第4号"},
        {MM_POLICY_CITY, MM_LEGAL_BASIS_OWN_IMAGES, "第76条第1項"},
        {MM_POLICY_VOLUNTARY, MM_LEGAL_BASIS_EMERGENCY, "第4（第2の2(5)アの趣旨）"},
        {MM_POLICY_VOLUNTARY, MM_LEGAL_BASIS_LAW, "第4（第2の2(5)イの趣旨）"},
        {MM_POLICY_VOLUNTARY, MM_LEGAL_BASIS_OWN_IMAGES, "第4（第3の趣旨）"},
        {MM_POLICY_VOLUNTARY, MM_LEGAL_BASIS_CONSENT, NULL},
        {MM_POLICY_NAHA, MM_LEGAL_BASIS_NONE, NULL},
        {MM_POLICY_COUNT, MM_LEGAL_BASIS_LAW, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const mm_basis_clause_t *c = mm_policy_basis(cases[i].p, cases[i].b);
        if (!cases[i].clause) {
            assert_null(c);
            continue;
        }
        assert_non_null(c);
        assert_string_equal(c->clause, cases[i].clause);
    }
    assert_string_equal(mm_policy_rules(MM_POLICY_KAWAGUCHI)->bases_text, MM_TEXT_KAWAGUCHI);
    assert_string_equal(mm_policy_rules(MM_POLICY_NAHA)->bases_text, MM_TEXT_NAHA);
    assert_string_equal(mm_policy_rules(MM_POLICY_CITY)->bases_text, MM_TEXT_APPI);
    /* The order the texts list them in: Kawaguchi ア emergency before イ law. */
    assert_int_equal(mm_policy_rules(MM_POLICY_KAWAGUCHI)->bases[0].basis,
                     MM_LEGAL_BASIS_EMERGENCY);
    assert_int_equal(mm_policy_rules(MM_POLICY_NAHA)->bases[0].basis, MM_LEGAL_BASIS_CONSENT);
}

static void test_names_list_every_policy(void **state)
{
    (void)state;
    for (int p = 0; p < MM_POLICY_COUNT; p++)
        assert_non_null(strstr(mm_policy_names(), mm_policy_name((mm_policy_t)p)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_policy_has_a_whole_row),
        cmocka_unit_test(test_where_the_retention_comes_from),
        cmocka_unit_test(test_what_each_files),
        cmocka_unit_test(test_share_and_consensus_are_kawaguchis),
        cmocka_unit_test(test_bases_with_their_clauses),
        cmocka_unit_test(test_names_list_every_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
