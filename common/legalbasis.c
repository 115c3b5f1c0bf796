/*
 * legalbasis.c: the legal bases each policy admits (see legalbasis.h). One table, a row per
 * policy, so that a policy added to MM_POLICY_MAP without a row here admits nothing rather than
 * everything.
 */
#include "common/legalbasis.h"

#define BIT(b) (1u << (b))

static const unsigned admitted[MM_POLICY_COUNT] = {
    [MM_POLICY_KAWAGUCHI] =
        BIT(MM_LEGAL_BASIS_LAW) | BIT(MM_LEGAL_BASIS_EMERGENCY) | BIT(MM_LEGAL_BASIS_OWN_IMAGES),
    [MM_POLICY_NAHA] = BIT(MM_LEGAL_BASIS_CONSENT) | BIT(MM_LEGAL_BASIS_LAW) |
                       BIT(MM_LEGAL_BASIS_EMERGENCY) | BIT(MM_LEGAL_BASIS_OWN_IMAGES),
};

int mm_legal_basis_admitted(mm_policy_t policy, mm_legal_basis_t basis)
{
    if ((int)policy < 0 || policy >= MM_POLICY_COUNT || (int)basis <= MM_LEGAL_BASIS_NONE ||
        basis >= MM_LEGAL_BASIS_COUNT)
        return 0;
    return (admitted[policy] & BIT(basis)) != 0;
}

int mm_legal_basis_admitted_by_all(mm_legal_basis_t basis)
{
    for (int p = 0; p < MM_POLICY_COUNT; p++)
        if (!mm_legal_basis_admitted((mm_policy_t)p, basis))
            return 0;
    return 1;
}
