/*
 * test_legalbasis.c: the legal bases each policy admits (common/legalbasis.h). Kawaguchi admits
 * law, emergency and own images but never consent (R-K2.2.5, R-K3); Naha admits all four
 * (R-N7.4, R-N8); "none" and values outside the enums are admitted by nobody.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kawaguchi_never_admits_consent),
        cmocka_unit_test(test_naha_admits_consent_law_emergency_own_images),
        cmocka_unit_test(test_none_and_strangers_are_never_admitted),
        cmocka_unit_test(test_every_policy_admits_the_common_three),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
