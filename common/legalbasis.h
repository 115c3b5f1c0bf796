/*
 * legalbasis.h: which legal bases a site's policy admits for using images for another purpose
 * or providing them to a third party — a disclosure, or a viewing for another purpose — and the
 * clause that admits or refuses each (R-K2.2.5, R-K3, R-N7.4, R-N8, R-N9, R-K4), as pure
 * functions of the policy table (policy.h).
 *
 * Kawaguchi's standard (第2の2(5)) lets images serve another purpose or leave the site only ア
 * for an imminent danger to life, body or property, or urgent disaster information
 * ("emergency"), or イ under a court warrant or an investigative agency's inquiry under law
 * ("law"); a person's request for images of themselves is the personal-information law's (第3,
 * "own_images"). Consent is not a basis there. Naha's ordinance (第7条第4号) admits ア the
 * consent of the person shown ("consent"), イ what a law or ordinance provides ("law"), ウ an
 * urgent need to protect life, body or property ("emergency"), and 第8条 a person's request for
 * their own images ("own_images"). The city's own cameras (Naha 第9条) follow the
 * personal-information law: 第69条第1項 (law), 第69条第2項第1号 (consent), 第69条第2項第4号
 * (emergency), 第76条第1項 (own images). An installer outside Kawaguchi's scope follows its
 * standard by its spirit (第4): the same bases as Kawaguchi.
 *
 * The hub refuses a disclosure request whose basis the site's policy does not admit (422
 * basis_not_admitted) and the edge refuses one that reaches it all the same (a disclosure step
 * "refused"), both with mm_legal_basis_refusal's words. The requester's page offers a site the
 * bases its policy admits (hub/api_requester.c); a site whose policy the hub does not know yet
 * is offered, and admits, those every policy admits.
 */
#ifndef MM_LEGALBASIS_H
#define MM_LEGALBASIS_H

#include <stddef.h>

#include "common/vocab.h"

/* 1 when policy admits basis for use for another purpose or provision, 0 when not
 * (MM_LEGAL_BASIS_NONE and values outside the enums: 0). */
int mm_legal_basis_admitted(mm_policy_t policy, mm_legal_basis_t basis);

/* 1 when every policy admits basis. */
int mm_legal_basis_admitted_by_all(mm_legal_basis_t basis);

/* The citation that admits basis under policy, "<text> <clause>" (e.g. "川口市防犯カメラの設置及び
 * 運用に関する基準 第2の2(5)イ"), into out (cap bytes); "" when policy does not admit it. Returns
 * out. */
const char *mm_legal_basis_citation(mm_policy_t policy, mm_legal_basis_t basis, char *out,
                                    size_t cap);

/*
 * Why policy refuses basis, naming the clause and what it admits, into out (cap bytes; at most
 * MM_BASIS_REFUSAL_MAX is ever needed), e.g. 'the kawaguchi policy does not admit the legal basis
 * "consent" (川口市防犯カメラの設置及び運用に関する基準 第2の2(5)); it admits emergency
 * (第2の2(5)ア), law (第2の2(5)イ), own_images (第3)'. Returns out; "" when policy admits basis.
 */
#define MM_BASIS_REFUSAL_MAX 512
const char *mm_legal_basis_refusal(mm_policy_t policy, mm_legal_basis_t basis, char *out,
                                   size_t cap);

#endif
