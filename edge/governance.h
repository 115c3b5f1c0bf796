/*
 * governance.h: who runs a site and by which rules — the parts of the site configuration that
 * the Kawaguchi guideline and the Naha ordinance ask for, checked as they load.
 *
 * In the site configuration (edge/siteconf.h), at the top level:
 *
 *   "installer": {"name": "中央通り商店街振興組合", "address": "...", "contact": "048-000-0000"},
 *   "purpose": "防犯",                      the site's purpose (R-N5.1)
 *   "storage_location": "組合事務所 2 階",   where the recorder and its media are kept (R-K2.2.7)
 *   "consensus": {"date": "2026-03-01", "note": "..."},           local consensus (R-K2.1.3c)
 *   "land_owner_permission": {"reference": "...", "date": "2026-03-10"},       (R-K2.1.3c)
 *   "people": [{"id": "tanaka", "name": "田中一郎", "account": "tanaka"}, ...],
 *   "manager": "tanaka",                    a person id (R-K2.2.2, R-N5.5)
 *   "operators": ["suzuki"],                person ids, never the manager (R-N6.1)
 *   "contractors": [{"name": "...", "staff": ["sato"]}]     staff must be operators (R-N5.6)
 *
 * and in each camera:
 *
 *   "location": "中央通り 3 番地 街灯柱", "purpose": "...", "install_date": "2026-04-10",
 *   "signage": {"text": "防犯カメラ作動中 設置者 ...", "installer_shown": true,
 *               "checked": "2026-04-15"},                            (R-K2.2.1, R-N5.4)
 *   "coverage": {"areas": [{"kind": "public", "points": [[0, 0], [1, 0], [1, 1], [0, 1]]},
 *                          {"kind": "masked", "points": [...]}],
 *                "exception": "a written reason for the 1/2 rule"}    (R-K2.1.3a, R-N5.2-3)
 *
 * Dates are YYYY-MM-DD. A person's account is the local OS account the edge recognises them by
 * on its control socket. Consensus and the land owner's permission are required by the
 * kawaguchi policy, optional under the others (common/policy.h). The public share of each
 * camera (edge/coverage.h) must be at least 2/3 under kawaguchi, or 1/2 when the coverage names
 * an exception with its reason; under the others it is computed and reported, and no threshold
 * applies.
 */
#ifndef EDGE_GOVERNANCE_H
#define EDGE_GOVERNANCE_H

#include <stddef.h>

#include "common/config.h"
#include "common/entry.h"
#include "edge/coverage.h"

#define EDGE_MAX_PEOPLE 64
#define EDGE_MAX_CONTRACTORS 16
#define EDGE_MAX_AREAS 32   /* polygons in one camera's coverage map */
#define EDGE_TEXT_MAX 2000  /* bytes of any free text (UTF-8) */
#define EDGE_ACCOUNT_MAX 33 /* POSIX login names: at most 32 characters */
#define EDGE_DATE_LEN 11    /* "YYYY-MM-DD" and its NUL */

#define EDGE_HOLD_DEFAULT_DAYS 30 /* a site hold's expiry when the manager names none */

/* The longest a site hold may last under a policy, in days (siteholds.h; governance.c says
 * where the number comes from). */
int edge_policy_hold_max_days(mm_policy_t p);

typedef struct {
    char id[MM_ID_MAX];
    char *name;
    char account[EDGE_ACCOUNT_MAX];
} edge_person_t;

typedef struct {
    char *name;
    size_t n_staff;
    int staff[EDGE_MAX_PEOPLE]; /* indexes into people */
} edge_contractor_t;

typedef struct {
    char *installer_name;
    char *installer_address; /* may be NULL */
    char *installer_contact;
    char *purpose;
    char *storage_location;
    char consensus_date[EDGE_DATE_LEN];       /* "" when not given */
    char *consensus_note;                     /* may be NULL */
    char *land_permission_ref;                /* may be NULL */
    char land_permission_date[EDGE_DATE_LEN]; /* "" when not given */
    size_t n_people;
    edge_person_t people[EDGE_MAX_PEOPLE];
    int manager; /* index into people, -1 when unset */
    int is_operator[EDGE_MAX_PEOPLE];
    size_t n_contractors;
    edge_contractor_t contractors[EDGE_MAX_CONTRACTORS];
} edge_governance_t;

typedef struct {
    char *location;
    char *purpose;
    char install_date[EDGE_DATE_LEN];
    char *signage_text;
    int signage_installer_shown;
    char signage_checked[EDGE_DATE_LEN];
    size_t n_areas;
    edge_polygon_t *areas;    /* n_areas, malloc'd */
    char *exception;          /* the 1/2 rule's written reason, or NULL */
    edge_coverage_t coverage; /* computed from areas */
    double threshold;         /* the least share allowed (0: none) */
} edge_camera_gov_t;

/* Reads the site's governance keys from root, recording every problem in conf. */
void edge_governance_parse(mm_conf_t *conf, json_t *root, mm_policy_t policy,
                           edge_governance_t *out);
/* Reads one camera's governance keys from cam (at key path path). */
void edge_camera_gov_parse(mm_conf_t *conf, json_t *cam, const char *path, mm_policy_t policy,
                           edge_camera_gov_t *out);

/* The keys edge_governance_parse and edge_camera_gov_parse read, for unknown-key checks. */
extern const char *const edge_governance_keys[];
extern const char *const edge_camera_gov_keys[];

/* The person whose id is id, or -1. */
int edge_governance_person(const edge_governance_t *g, const char *id);
/* The person whose OS account is account, or -1. */
int edge_governance_person_by_account(const edge_governance_t *g, const char *account);

void edge_governance_free(edge_governance_t *g);
void edge_camera_gov_free(edge_camera_gov_t *c);

#endif
