/*
 * test_legalbasis.c: the legal bases each policy admits (common/legalbasis.h). Kawaguchi admits
 * law, emergency and own images but never consent (R-K2.2.5, R-K3); Naha admits all four
 * (R-N7.4, R-N8); the city's own cameras all four by the personal-information law (R-N9); a
 * voluntary installer Kawaguchi's three by its standard's spirit (R-K4); "none" and values
 * outside the enums are admitted by nobody. A refusal names the clause and what is admitted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/legalbasis.h"

static void test_kawaguchi_never_admits_consent(void **state)
{
    (void)state;
    assert_false(mm_legal_basis_admitted(MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_CONSENT));
    assert_true(mm_legal_basis_admitted(MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_LAW));
    assert_true(mm_legal_basis_admitted(MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_EMERGENCY));
    assert_true(mm_legal_basis_admitted(MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_OWN_IMAGES));
}

static void test_naha_admits_consent_law_emergency_own_images(void **state)
{
    (void)state;
    assert_true(mm_legal_basis_admitted(MM_POLICY_NAHA, MM_LEGAL_BASIS_CONSENT));
    assert_true(mm_legal_basis_admitted(MM_POLICY_NAHA, MM_LEGAL_BASIS_LAW));
    assert_true(mm_legal_basis_admitted(MM_POLICY_NAHA, MM_LEGAL_BASIS_EMERGENCY));
    assert_true(mm_legal_basis_admitted(MM_POLICY_NAHA, MM_LEGAL_BASIS_OWN_IMAGES));
}

static void test_none_and_strangers_are_never_admitted(void **state)
{
    (void)state;
    assert_false(mm_legal_basis_admitted(MM_POLICY_NAHA, MM_LEGAL_BASIS_NONE));
    assert_false(mm_legal_basis_admitted(MM_POLICY_NAHA, MM_LEGAL_BASIS_COUNT));
    assert_false(mm_legal_basis_admitted(MM_POLICY_COUNT, MM_LEGAL_BASIS_LAW));
    assert_false(mm_legal_basis_admitted((mm_policy_t)-1, MM_LEGAL_BASIS_LAW));
}

static void test_every_policy_admits_the_common_three(void **state)
{
    (void)state;
    assert_false(mm_legal_basis_admitted_by_all(MM_LEGAL_BASIS_CONSENT));
    assert_true(mm_legal_basis_admitted_by_all(MM_LEGAL_BASIS_LAW));
    assert_true(mm_legal_basis_admitted_by_all(MM_LEGAL_BASIS_EMERGENCY));
    assert_true(mm_legal_basis_admitted_by_all(MM_LEGAL_BASIS_OWN_IMAGES));
    assert_false(mm_legal_basis_admitted_by_all(MM_LEGAL_BASIS_NONE));
}

static void test_city_and_voluntary(void **state)
{
    (void)state;
    for (int b = MM_LEGAL_BASIS_CONSENT; b < MM_LEGAL_BASIS_COUNT; b++)
        assert_true(mm_legal_basis_admitted(MM_POLICY_CITY, (mm_legal_basis_t)b));
    assert_false(mm_legal_basis_admitted(MM_POLICY_VOLUNTARY, MM_LEGAL_BASIS_CONSENT));
    assert_true(mm_legal_basis_admitted(MM_POLICY_VOLUNTARY, MM_LEGAL_BASIS_LAW));
    assert_true(mm_legal_basis_admitted(MM_POLICY_VOLUNTARY, MM_LEGAL_BASIS_EMERGENCY));
    assert_true(mm_legal_basis_admitted(MM_POLICY_VOLUNTARY, MM_LEGAL_BASIS_OWN_IMAGES));
}

/* R-K2.2.5, R-N7.4: what admits a basis, and why a policy refuses one, by the clause. */
static void test_citations_and_refusals_name_the_clause(void **state)
{
    (void)state;
    char out[MM_BASIS_REFUSAL_MAX];
    assert_string_equal(
        mm_legal_basis_citation(MM_POLICY_NAHA, MM_LEGAL_BASIS_CONSENT, out, sizeof out),
        "那覇市防犯カメラの設置及び運用に関する条例 第7条第4号ア");
    assert_string_equal(
        mm_legal_basis_citation(MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_LAW, out, sizeof out),
        "川口市防犯カメラの設置及び運用に関する基準 第2の2(5)イ");
    assert_string_equal(
        mm_legal_basis_citation(MM_POLICY_CITY, MM_LEGAL_BASIS_OWN_IMAGES, out, sizeof out),
        "個人情報の保護に関する法律 第76条第1項");
    assert_string_equal(
        mm_legal_basis_citation(MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_CONSENT, out, sizeof out), "");

    assert_string_equal(
        mm_legal_basis_refusal(MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_CONSENT, out, sizeof out),
        "the kawaguchi policy does not admit the legal basis \"consent\" "
        "(川口市防犯カメラの設置及び運用に関する基準 第2の2(5)); it admits emergency "
        "(第2の2(5)ア), "
        "law (第2の2(5)イ), own_images (第3)");
    assert_non_null(
        strstr(mm_legal_basis_refusal(MM_POLICY_VOLUNTARY, MM_LEGAL_BASIS_CONSENT, out, sizeof out),
               "(川口市防犯カメラの設置及び運用に関する基準 第4（第2の2(5)の趣旨）)"));
    assert_string_equal(
        mm_legal_basis_refusal(MM_POLICY_NAHA, MM_LEGAL_BASIS_CONSENT, out, sizeof out), "");
    assert_non_null(
        strstr(mm_legal_basis_refusal(MM_POLICY_NAHA, MM_LEGAL_BASIS_NONE, out, sizeof out),
               "\"(none)\""));
    assert_non_null(strstr(
        mm_legal_basis_refusal(MM_POLICY_COUNT, MM_LEGAL_BASIS_LAW, out, sizeof out), "unknown"));
    /* Every refusal fits MM_BASIS_REFUSAL_MAX whole. */
    for (int p = 0; p < MM_POLICY_COUNT; p++)
        for (int b = 0; b < MM_LEGAL_BASIS_COUNT; b++) {
            mm_legal_basis_refusal((mm_policy_t)p, (mm_legal_basis_t)b, out, sizeof out);
            assert_true(strlen(out) < sizeof out - 1);
        }
    /* A small buffer is cut, never overrun. */
    char small[16];
    mm_legal_basis_refusal(MM_POLICY_KAWAGUCHI, MM_LEGAL_BASIS_CONSENT, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kawaguchi_never_admits_consent),
        cmocka_unit_test(test_naha_admits_consent_law_emergency_own_images),
        cmocka_unit_test(test_none_and_strangers_are_never_admitted),
        cmocka_unit_test(test_every_policy_admits_the_common_three),
        cmocka_unit_test(test_city_and_voluntary),
        cmocka_unit_test(test_citations_and_refusals_name_the_clause),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
