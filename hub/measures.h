/*
 * measures.h: what the city does about findings (R-N10.2, R-N11) — guidance and
 * recommendations tied to findings, the hearing that must be offered before a recommendation
 * ignored without good reason may be published, and the publication itself.
 *
 * A measure (hub_measure_t) is kept in LMDB as JSON (measures_codec.h); every change to it is
 * made in the same transaction as the `city_action` entry that logs it in the hub's own log
 * (audit.h), so the record and the log never disagree. The order the ordinance sets cannot be
 * skipped:
 *
 *   recommendation ──offer hearing──▶ hearing offered ──record outcome──▶ heard ──publish──▶
 *
 * Publication is refused (MM_ECONFLICT, with the reason) for guidance, before a hearing has
 * been offered, and before its outcome is recorded.
 *
 *   hub.measures   id (BE64) -> the measure as JSON (measures_codec.h)
 */
#ifndef HUB_MEASURES_H
#define HUB_MEASURES_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/enum.h"
#include "common/err.h"
#include "common/keys.h"
#include "hub/audit.h"
#include "hub/hubconf.h"
#include "hub/registry.h"

/* What a measure is (its "kind"): guidance, or a recommendation, which alone may be published. */
#define HUB_MEASURE_KIND_MAP(X, P) X(P, GUIDANCE, "guidance") X(P, RECOMMENDATION, "recommendation")
MM_ENUM_DECLARE(hub_measure_kind, HUB_MEASURE_KIND, HUB_MEASURE_KIND_MAP)

/* Where a measure stands (its "state", and each item of its "history"). */
#define HUB_MEASURE_STATE_MAP(X, P)                                                                \
    X(P, GIVEN, "given")                                                                           \
    X(P, HEARING_OFFERED, "hearing_offered") X(P, HEARD, "heard") X(P, PUBLISHED, "published")
MM_ENUM_DECLARE(hub_measure_state, HUB_MEASURE_STATE, HUB_MEASURE_STATE_MAP)

/* How a hearing went (R-N11.2): the party stated its opinion, stated none, or declined. */
#define HUB_HEARING_OUTCOME_MAP(X, P)                                                              \
    X(P, OPINION_STATED, "opinion_stated") X(P, NO_OPINION, "no_opinion") X(P, DECLINED, "declined")
MM_ENUM_DECLARE(hub_hearing_outcome, HUB_HEARING_OUTCOME, HUB_HEARING_OUTCOME_MAP)

#define HUB_MEASURE_FINDINGS_MAX 64 /* findings one measure is tied to */
#define HUB_MEASURE_HISTORY_MAX 4   /* given, hearing offered, heard, published */

/* One step of a measure: its state from then, when, by whom, and the step's text. */
typedef struct {
    hub_measure_state_t state;
    int64_t time_us;
    char by[MM_KEY_NAME_MAX];
    char text[MM_LONG_TEXT_MAX];
} hub_measure_step_t;

#define HUB_HEARING_DATE_MAX 17   /* "YYYY-MM-DD HH:MM", with its NUL */
#define HUB_HEARING_PLACE_MAX 256 /* one line */
#define HUB_HEARING_HOW_MAX 512   /* how to answer: a few lines */

/* The hearing offered on a recommendation (R-N11.2), and once heard its outcome. A hearing
 * offered before the offer named its date, place and how to answer has them empty. */
typedef struct {
    char deadline[11];               /* "YYYY-MM-DD" */
    char date[HUB_HEARING_DATE_MAX]; /* "YYYY-MM-DD" or "YYYY-MM-DD HH:MM", Japan time */
    char place[HUB_HEARING_PLACE_MAX];
    char how[HUB_HEARING_HOW_MAX];
    char letter[MM_LONG_TEXT_MAX];
    int64_t offered_us;
    int heard;
    hub_hearing_outcome_t outcome;
    char record[MM_LONG_TEXT_MAX];
    int64_t recorded_us;
} hub_hearing_t;

/* A measure: guidance or a recommendation of a site tied to its findings, with its steps. */
typedef struct {
    uint64_t id;
    char site[MM_KEY_NAME_MAX];
    hub_measure_kind_t kind;
    size_t n_findings;
    uint64_t findings[HUB_MEASURE_FINDINGS_MAX];
    char text[MM_LONG_TEXT_MAX];
    char by[MM_KEY_NAME_MAX];
    int64_t time_us;
    size_t n_history;
    hub_measure_step_t history[HUB_MEASURE_HISTORY_MAX];
    hub_measure_state_t state;
    int has_hearing;
    hub_hearing_t hearing;
    int published;
    char publication[MM_LONG_TEXT_MAX]; /* what was published, */
    int64_t published_us;               /* and when */
} hub_measure_t;

typedef struct hub_measures hub_measures_t;

/* Opens the measures in db; every change is logged through audit, and each step the site is
 * told of becomes a notice in its record in registry (notices.h); all three outlive m. */
mm_err_t hub_measures_open(mm_db_t *db, hub_audit_t *audit, hub_registry_t *registry,
                           hub_measures_t **out);
void hub_measures_close(hub_measures_t *m);

/* Everything about one change. Each call below runs one write transaction: the change, its
 * notice to the site (notices.h: guidance, a recommendation, a hearing offered, a publication)
 * and its city action (audit.h names them; its detail names the notice) commit together or not
 * at all. */
typedef struct {
    const char *site;
    const hub_person_t *who; /* the hub person acting */
    int64_t now_us;
    char why[256];          /* on MM_ECONFLICT / MM_ENOTFOUND / MM_EINVAL: why, in words */
    uint64_t id;            /* create: the new measure's id; else the measure acted on */
    hub_measure_t result;   /* the measure as it now is, on success */
    uint64_t hub_log_index; /* the city action's index in the hub's log, on success */
    char notice[MM_ID_MAX]; /* the notice that tells the site, on success ("" for none) */
} hub_measure_op_t;

/* A hearing offered (R-N11.2): by when the party may state its opinion ("YYYY-MM-DD"), the
 * hearing's date ("YYYY-MM-DD" or "YYYY-MM-DD HH:MM", Japan time), its place, how to answer, and
 * the letter. Every one is required. */
typedef struct {
    const char *deadline, *date, *place, *how, *text;
} hub_hearing_offer_t;

/* New guidance or a recommendation tied to findings (ids of that site's findings, checked by
 * the caller); "guidance_given" / "recommendation_given". */
mm_err_t hub_measures_create(hub_measures_t *m, hub_measure_op_t *op, hub_measure_kind_t kind,
                             const uint64_t *findings, size_t n_findings, const char *text);
/* A hearing offered (above). Recommendations only; MM_EINVAL when a particular is missing or
 * too long (why names it); "hearing_offered". */
mm_err_t hub_measures_offer_hearing(hub_measures_t *m, hub_measure_op_t *op,
                                    const hub_hearing_offer_t *offer);
/* The hearing's outcome and its record; "hearing_recorded". */
mm_err_t hub_measures_record_hearing(hub_measures_t *m, hub_measure_op_t *op,
                                     hub_hearing_outcome_t outcome, const char *text);
/* Publishes that the recommendation was ignored without good reason (R-N11);
 * "recommendation_published". */
mm_err_t hub_measures_publish(hub_measures_t *m, hub_measure_op_t *op, const char *text);

/* Calls fn for each measure of site (NULL: all), oldest first, until fn returns non-zero;
 * published_only for the public list. measure is borrowed for the call; one that does not
 * decode is skipped. MM_OK or a storage error. */
mm_err_t hub_measures_each(hub_measures_t *m, const char *site, int published_only,
                           int (*fn)(void *arg, const hub_measure_t *measure), void *arg);

#endif
