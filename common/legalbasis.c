/*
 * legalbasis.c: the legal bases each policy admits (see legalbasis.h), read from the policy
 * table (policy.h): a policy without a row there admits nothing.
 */
#include "common/legalbasis.h"

#include <stdio.h>
#include <string.h>

#include "common/policy.h"

int mm_legal_basis_admitted(mm_policy_t policy, mm_legal_basis_t basis)
{
    return mm_policy_basis(policy, basis) != NULL;
}

int mm_legal_basis_admitted_by_all(mm_legal_basis_t basis)
{
    for (int p = 0; p < MM_POLICY_COUNT; p++)
        if (!mm_legal_basis_admitted((mm_policy_t)p, basis))
            return 0;
    return 1;
}

const char *mm_legal_basis_citation(mm_policy_t policy, mm_legal_basis_t basis, char *out,
                                    size_t cap)
{
    const mm_basis_clause_t *c = mm_policy_basis(policy, basis);
    const mm_policy_rules_t *r = mm_policy_rules(policy);
    if (cap)
        snprintf(out, cap, "%s%s%s", c ? r->bases_text : "", c ? " " : "", c ? c->clause : "");
    return out;
}

const char *mm_legal_basis_refusal(mm_policy_t policy, mm_legal_basis_t basis, char *out,
                                   size_t cap)
{
    if (!cap)
        return out;
    out[0] = 0;
    if (mm_legal_basis_admitted(policy, basis))
        return out;
    const mm_policy_rules_t *r = mm_policy_rules(policy);
    const char *name = mm_legal_basis_name(basis);
    if (!r) {
        snprintf(out, cap, "the site's policy is unknown: it admits no legal basis");
        return out;
    }
    size_t at = (size_t)snprintf(
        out, cap, "the %s policy does not admit the legal basis \"%s\" (%s %s)",
        mm_policy_name(policy), name && *name ? name : "(none)", r->bases_text, r->other_use);
    const char *sep = "; it admits ";
    for (size_t i = 0; i < MM_LEGAL_BASIS_COUNT && r->bases[i].basis != MM_LEGAL_BASIS_NONE; i++) {
        if (at >= cap)
            break;
        at += (size_t)snprintf(out + at, cap - at, "%s%s (%s)", sep,
                               mm_legal_basis_name(r->bases[i].basis), r->bases[i].clause);
        sep = ", ";
    }
    return out;
}
