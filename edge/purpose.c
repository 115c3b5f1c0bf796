/*
 * purpose.c: a viewing's purpose decided (see purpose.h).
 */
#include "edge/purpose.h"

#include <stdio.h>
#include <string.h>

#include "common/legalbasis.h"
#include "common/policy.h"

/* The one place this module asks which bases a policy admits (legalbasis.h). */
int edge_purpose_basis_admitted(mm_policy_t policy, mm_legal_basis_t basis)
{
    return mm_legal_basis_admitted(policy, basis);
}

const char *edge_purpose_clause(mm_policy_t policy)
{
    const mm_policy_rules_t *r = mm_policy_rules(policy);
    return r ? r->other_use : "";
}

/* s without the spaces at either end: *n bytes from the returned pointer. */
static const char *trimmed(const char *s, size_t *n)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t len = strlen(s);
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    *n = len;
    return s;
}

/* Whether purpose (trimmed to n bytes) is declared, the text declared, or the word that names
 * it ("site", "camera"); 1 and the declared text into d->purpose. */
static int matches(const char *p, size_t n, const char *word, const char *declared,
                   edge_purpose_decision_t *d)
{
    if (!declared)
        return 0;
    size_t dn;
    const char *dp = trimmed(declared, &dn);
    int same = (n == dn && memcmp(p, dp, n) == 0) ||
               (word && n == strlen(word) && memcmp(p, word, n) == 0);
    if (same)
        snprintf(d->purpose, sizeof d->purpose, "%.*s", (int)dn, dp);
    return same;
}

/* The bases policy admits for another purpose, in its text's order (policy.h), "emergency, law"
 * into buf. */
static void admitted_list(mm_policy_t policy, char *buf, size_t cap)
{
    const mm_policy_rules_t *r = mm_policy_rules(policy);
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = 0;
         r && i < MM_LEGAL_BASIS_COUNT && r->bases[i].basis != MM_LEGAL_BASIS_NONE && at < cap;
         i++) {
        if (!edge_purpose_basis_admitted(policy, r->bases[i].basis))
            continue;
        int w = snprintf(buf + at, cap - at, "%s%s", at ? ", " : "",
                         mm_legal_basis_name(r->bases[i].basis));
        if (w < 0)
            break;
        at += (size_t)w;
    }
    if (!buf[0])
        snprintf(buf, cap, "none");
}

void edge_purpose_decide(const edge_config_t *cfg, const char *camera, const char *purpose,
                         mm_legal_basis_t basis, edge_purpose_decision_t *d)
{
    memset(d, 0, sizeof *d);
    size_t n;
    const char *p = trimmed(purpose ? purpose : "", &n);
    if (n == 0) {
        snprintf(d->reason, sizeof d->reason,
                 "a viewing names its purpose: \"site\" or \"camera\" (the site's or the camera's "
                 "declared purpose, or its text), or another purpose with a legal basis (%s %s)",
                 mm_policy_name(cfg->policy), edge_purpose_clause(cfg->policy));
        return;
    }
    int found = matches(p, n, "site", cfg->gov.purpose, d);
    for (size_t i = 0; !found && i < cfg->n_cameras; i++) {
        const edge_config_camera_t *c = &cfg->cameras[i];
        int this_one = camera && *camera && strcmp(c->id, camera) == 0;
        if (this_one || !camera || !*camera)
            found = matches(p, n, this_one ? "camera" : NULL, c->gov.purpose, d);
    }
    if (found) {
        d->allowed = 1;
        return;
    }
    d->other = 1;
    snprintf(d->purpose, sizeof d->purpose, "%.*s", (int)n, p);
    char list[80]; /* "consent, law, emergency, own_images" */
    admitted_list(cfg->policy, list, sizeof list);
    if (basis == MM_LEGAL_BASIS_NONE || (int)basis < 0 || basis >= MM_LEGAL_BASIS_COUNT)
        snprintf(d->reason, sizeof d->reason,
                 "the purpose is not one the site declared: use for another purpose needs a basis "
                 "the %s policy admits (%s): %s",
                 mm_policy_name(cfg->policy), edge_purpose_clause(cfg->policy), list);
    else if (!edge_purpose_basis_admitted(cfg->policy, basis))
        snprintf(d->reason, sizeof d->reason,
                 "%s is no basis for use for another purpose under the %s policy (%s), which "
                 "admits %s",
                 mm_legal_basis_name(basis), mm_policy_name(cfg->policy),
                 edge_purpose_clause(cfg->policy), list);
    else
        d->allowed = 1;
}
