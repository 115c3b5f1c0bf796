/*
 * legalbasis.h: which legal bases a site's policy admits for a disclosure (R-K2.2.5, R-K3,
 * R-N7.4, R-N8), as a pure function of the policy.
 *
 * Kawaguchi's standards (R-K2.2.5) let images leave the site only (a) for an imminent danger to
 * life, body or property, or urgent disaster information ("emergency"), or (b) under a court
 * warrant or an investigative agency's inquiry under law ("law"); a person's request for images of
 * themselves is personal-information law's (R-K3, "own_images"). Consent is not a basis there.
 * Naha's ordinance (R-N7.4) admits (a) the consent of the person shown ("consent"), (b) what a law
 * or ordinance provides ("law"), (c) an urgent need to protect life, body or property
 * ("emergency"), and R-N8 a person's request for their own images ("own_images").
 *
 * The requester's page offers a site the bases its policy admits (hub/api_requester.c); a site
 * whose policy the hub does not know yet is offered those every policy admits.
 */
#ifndef MM_LEGALBASIS_H
#define MM_LEGALBASIS_H

#include "common/vocab.h"

/* 1 when policy admits basis, 0 when not (MM_LEGAL_BASIS_NONE and values outside the enums:
 * 0). */
int mm_legal_basis_admitted(mm_policy_t policy, mm_legal_basis_t basis);

/* 1 when every policy admits basis. */
int mm_legal_basis_admitted_by_all(mm_legal_basis_t basis);

#endif
