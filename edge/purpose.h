/*
 * purpose.h: why footage is looked at (R-K2.2.5, R-N7.4) — whether a viewing's purpose is one the
 * site declared, and if it is not, whether the legal basis given admits use for another purpose
 * under the site's policy. A pure function of the configuration, as access.h is of the roles:
 * playback asks it before a stream starts, and the site console will ask it before live view;
 * the caller logs the decision.
 *
 * The declared purposes are the site's "purpose" and its cameras' (governance.h), as the
 * standards document states them: for a viewing of one camera, the site's and that camera's.
 * A purpose matches one of them when it is the same text once spaces at either end are dropped;
 * "site" and "camera" stand for the site's and the camera's, so that nobody has to type them
 * out. Any other text is use for another purpose: Kawaguchi's standard 第2の2(5) allows it only in
 * an emergency or under a legal procedure, Naha's ordinance 第7条第4号 with the person's consent,
 * where a law or ordinance provides, or in an emergency, the city's own cameras as the
 * personal-information law does — the bases common/legalbasis.h admits for the policy, cited
 * with their clauses from its table (common/policy.h).
 */
#ifndef EDGE_PURPOSE_H
#define EDGE_PURPOSE_H

#include "common/entry.h"
#include "common/legalbasis.h"
#include "common/vocab.h"
#include "edge/siteconf.h"

typedef struct {
    int allowed;
    int other;                         /* the purpose is not one the site declared */
    char purpose[MM_LONG_TEXT_MAX];    /* as recorded: a declared purpose's text, or as given */
    char reason[MM_BASIS_REFUSAL_MAX]; /* why it was refused (what the table cites fits the
                                          access entry's MM_TEXT_MAX) */
} edge_purpose_decision_t;

/*
 * Decides a viewing of camera (NULL or "": of the site, any camera's purpose counting) for
 * purpose, with basis (MM_LEGAL_BASIS_NONE: none given). Refused: no purpose; another purpose
 * without a basis, or with one the policy does not admit (the reason names the clause and the
 * bases it admits).
 */
void edge_purpose_decide(const edge_config_t *cfg, const char *camera, const char *purpose,
                         mm_legal_basis_t basis, edge_purpose_decision_t *d);

/* Whether policy admits basis for use for another purpose: 1 or 0. */
int edge_purpose_basis_admitted(mm_policy_t policy, mm_legal_basis_t basis);

/* The clause of policy's text that forbids use for another purpose but on its bases, as the
 * policy table cites it (common/policy.h): "第2の2(5)"; "" for a policy without a row. */
const char *edge_purpose_clause(mm_policy_t policy);

#endif
