/*
 * policy.h: what each policy's text says, clause by clause, as one table that the edge, the hub
 * and the generated standards document all read.
 *
 * A site runs under one policy (vocab.h mm_policy_t). Each policy follows a text — Kawaguchi's
 * standard (川口市防犯カメラの設置及び運用に関する基準), Naha's ordinance (那覇市防犯カメラの
 * 設置及び運用に関する条例) — and the table says, with each clause as that text numbers it:
 *
 *   - why the policy applies to a site (whom its text binds);
 *   - which legal bases allow use of the images for another purpose or their provision to a
 *     third party (disclosures, legalbasis.h), each with its clause and the text's words;
 *   - where the retention period comes from: a number in the text (Kawaguchi 第2の2(6)イ,
 *     "おおむね7日間以上") or the city's rule, to which the text leaves it (Naha 第7条第5号,
 *     "規則で定めるところにより保管期間を定め"): the hub's configuration sets that rule per city
 *     and sends it to the sites, which enforce it (edge/cityrule.h, hub/cityrules.h);
 *   - what the site files with the city: filings the city decides (Naha 第4条第2項), filings
 *     that are notices only (an installer outside the scope, Kawaguchi 第4), or none (the city's
 *     own cameras);
 *   - the public share a camera's view must have (Kawaguchi 第2の1(3): 2/3, or 1/2 with a
 *     written reason) and whether local consensus and the land owner's permission are required
 *     (第2の1(3) なお書き).
 *
 * The four policies:
 *
 *   kawaguchi  the standard binds the city and groups the city subsidises (第2の1(2)).
 *   naha       the ordinance binds the installers its 第4条第1項 lists.
 *   city       the city's own cameras (R-N9): Naha 第9条 puts the handling of their images
 *              under the personal-information law (個人情報の保護に関する法律) instead of 第7条
 *              and 第8条; no filing, the city's own rule for the period, the same internal rules.
 *   voluntary  an installer or a place outside Kawaguchi's standard, which 第4 asks to follow the
 *              standard's spirit (R-K4): the same internal rules and bases, filings that are
 *              notices only, no duties to the city.
 *
 * Every function here is pure. A policy value outside the enumeration has no row: the lookups
 * return NULL, 0 or -1 as each says, so that a policy added to MM_POLICY_MAP without a row
 * admits nothing rather than everything.
 */
#ifndef MM_POLICY_H
#define MM_POLICY_H

#include <stddef.h>

#include "common/vocab.h"

/* The texts the table cites. */
#define MM_TEXT_KAWAGUCHI "川口市防犯カメラの設置及び運用に関する基準"
#define MM_TEXT_NAHA "那覇市防犯カメラの設置及び運用に関する条例"
#define MM_TEXT_APPI "個人情報の保護に関する法律"

/* Where a policy's retention period comes from. */
typedef enum {
    MM_RETENTION_FROM_TEXT = 1,  /* the text sets the least period (floor_days) */
    MM_RETENTION_FROM_CITY_RULE, /* the text leaves the period to the city's rule */
} mm_retention_source_t;

/* What a site files with the city (its standards, its cameras' suspension, resumption and
 * abolition). */
typedef enum {
    MM_FILING_DUTY = 1, /* filings the city accepts or returns; one left unfiled is a finding */
    MM_FILING_NOTICE,   /* filings that only inform the city: it decides nothing on them */
    MM_FILING_NONE,     /* the site files nothing */
} mm_filing_t;

/* Which shape the standards document takes (edge/standards.h). */
typedef enum {
    MM_DOC_RULES = 1, /* a 規程 with Kawaguchi 第2の2(7)'s items ア–キ */
    MM_DOC_STANDARDS, /* a 設置運用基準 following Naha 第5条–第7条 */
} mm_doc_form_t;

/* A legal basis a policy admits: the clause of bases_text that admits it, and its words. */
typedef struct {
    mm_legal_basis_t basis; /* MM_LEGAL_BASIS_NONE ends a list */
    const char *clause;     /* as the text numbers it: "第2の2(5)イ", "第7条第4号ア" */
    const char *words;      /* the text's words for the case (Japanese) */
} mm_basis_clause_t;

/* One policy's row. Every string is Japanese, static, and never NULL unless said. */
typedef struct {
    mm_policy_t policy;
    const char *title; /* the policy's name for people: "川口市 防犯カメラ設置運用基準" */
    const char *text;       /* the text the policy follows */
    const char *scope;      /* the clause of text that says whom it binds ("第2の1(2)") */
    const char *why;        /* why the policy applies to a site that names it, in one sentence */
    const char *bases_text; /* the text whose clauses admit the bases (text, or the APPI) */
    const char *other_use;  /* the clause that forbids another use and provision but for bases */
    /* The admitted bases in the order the text lists them, NONE-terminated. */
    mm_basis_clause_t bases[MM_LEGAL_BASIS_COUNT];
    mm_retention_source_t retention;
    int floor_days;               /* FROM_TEXT: the least days; 0 for a city's rule */
    const char *retention_clause; /* of text: "第2の2(6)イ", "第7条第5号" */
    const char *retention_words;  /* what it says of the period */
    mm_filing_t filing;
    const char *filing_clause; /* of text: why the site files, or files nothing */
    int share_rule;            /* 1: 2/3, or 1/2 with a written reason (第2の1(3)); 0: none */
    int consensus_required;    /* local consensus and the land owner's permission */
    mm_doc_form_t doc;
    const char *doc_title; /* the standards document's title */
    const char *doc_basis; /* its subtitle: what the document is made under */
    const char *op_term;   /* what the text calls an operator */
} mm_policy_rules_t;

/* The row of policy p; NULL outside the enumeration. */
const mm_policy_rules_t *mm_policy_rules(mm_policy_t p);

/* The least retention in days p's text sets: kawaguchi and voluntary 7; 0 when the text leaves
 * the period to the city's rule (naha, city); -1 outside the enumeration. */
int mm_policy_floor_days(mm_policy_t p);

/* 1 when p's text leaves the retention period to the city's rule, else 0. */
int mm_policy_city_rule(mm_policy_t p);

/* What a site under p files (MM_FILING_*); MM_FILING_DUTY outside the enumeration, so that an
 * unknown policy is held to the most. */
mm_filing_t mm_policy_filing(mm_policy_t p);

/* The least public share a camera may have under p: 2/3, or 1/2 with a written exception
 * (kawaguchi); 0 (no threshold) for the others and outside the enumeration. */
double mm_policy_share_threshold(mm_policy_t p, int exception);

/* 1 when p requires the date of the local consensus and the land owner's permission. */
int mm_policy_consensus_required(mm_policy_t p);

/* The clause of p's bases_text that admits basis, NULL when p does not admit it. */
const mm_basis_clause_t *mm_policy_basis(mm_policy_t p, mm_legal_basis_t basis);

/* The policy names, "a, b, c or d", for messages. */
const char *mm_policy_names(void);

#endif
