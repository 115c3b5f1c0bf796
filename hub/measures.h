/*
 * measures.h: what the city does about findings (R-N10.2, R-N11) — guidance and
 * recommendations tied to findings, the hearing that must be offered before a recommendation
 * ignored without good reason may be published, and the publication itself.
 *
 * A measure is a JSON record in LMDB; every change to it is made in the same transaction as
 * the `city_action` entry that logs it in the hub's own log (hublog.h), so the record and the
 * log never disagree. The order the ordinance sets cannot be skipped:
 *
 *   recommendation ──offer hearing──▶ hearing offered ──record outcome──▶ heard ──publish──▶
 *
 * Publication is refused (MM_ECONFLICT, with the reason) for guidance, before a hearing has
 * been offered, and before its outcome is recorded.
 *
 *   hub.measures   id (BE64) -> {"id", "site", "kind", "findings": [ids], "text", "state",
 *                                "hearing": {...}, "publication": {...}, "history": [...]}
 */
#ifndef HUB_MEASURES_H
#define HUB_MEASURES_H

#include <jansson.h>
#include <lmdb.h>
#include <stdint.h>

#include "common/db.h"
#include "common/err.h"

typedef struct hub_measures hub_measures_t;

mm_err_t hub_measures_open(mm_db_t *db, hub_measures_t **out);
void hub_measures_close(hub_measures_t *m);

/* Everything about one change, for the transaction and for its log entry. */
typedef struct {
    const char *site;
    const char *by; /* the hub person acting */
    int64_t now_us;
    char why[256];  /* on MM_ECONFLICT / MM_ENOTFOUND / MM_EINVAL: why, in words */
    uint64_t id;    /* create: the new measure's id; else the measure acted on */
    json_t *result; /* the measure as it now is (new reference), on success */
} hub_measure_op_t;

/* New guidance or recommendation ("guidance" | "recommendation") tied to findings (ids of
 * that site's findings, checked by the caller). */
mm_err_t hub_measures_create(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                             const char *kind, json_t *findings, const char *text);
/* A hearing offered, with its deadline ("YYYY-MM-DD") and letter. Recommendations only. */
mm_err_t hub_measures_offer_hearing(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                                    const char *deadline, const char *text);
/* The hearing's outcome ("opinion_stated", "no_opinion", "declined") and its record. */
mm_err_t hub_measures_record_hearing(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                                     const char *outcome, const char *text);
/* Publishes that the recommendation was ignored without good reason (R-N11). */
mm_err_t hub_measures_publish(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                              const char *text);

/* The measures of site (NULL: all), oldest first; published_only for the public list. */
json_t *hub_measures_list(hub_measures_t *m, const char *site, int published_only);

#endif
