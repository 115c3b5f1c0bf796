/*
 * measures_codec.h: a measure (measures.h) as the JSON text stored in hub.measures, and as the
 * API shows it.
 *
 * {"id", "site", "kind", "findings": [ids], "text", "by", "time_us", "history": [{"state",
 * "time_us", "by", "text"}], "state", then once offered "hearing": {"deadline", "letter",
 * "offered_us", the hearing's "date", "place" and "how" (when the offer named them: offers made
 * before they were asked for have none), and once heard "outcome", "record", "recorded_us"}, and
 * once published "publication": {"text", "published_us"}}.
 */
#ifndef HUB_MEASURES_CODEC_H
#define HUB_MEASURES_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "hub/measures.h"

/* m as stored: compact JSON text (malloc'd), NULL when out of memory. */
char *hub_measure_encode(const hub_measure_t *m);
/* The stored text[0 .. len) into out (zeroed first). MM_ECORRUPT when the text is not a measure
 * the struct can hold as it is. */
mm_err_t hub_measure_decode(const void *text, size_t len, hub_measure_t *out);

/* m as a JSON object (a new reference; NULL when out of memory), and back (as decode). */
json_t *hub_measure_json(const hub_measure_t *m);
mm_err_t hub_measure_from_json(const json_t *o, hub_measure_t *out);

/*
 * The particulars of the city action that logs a step of m (the hub log's JSON detail, audit.h),
 * m as the step left it: {"findings": [ids]} when guidance or a recommendation is given,
 * {"deadline", "date", "place", "how"} when a hearing is offered, {"outcome"} when it is
 * recorded; NULL for a step with none (publication). A new reference. (measures.c adds the
 * notice's id.)
 */
json_t *hub_measure_detail(hub_action_t action, const hub_measure_t *m);

/* The kind of notice (notices.h) that tells the site of a step: 1 with *kind, or 0 for a step
 * the site is not notified of (a hearing's outcome: the site took part in it). */
int hub_measure_notice_kind(hub_action_t action, mm_request_kind_t *kind);

/* The notice's particulars for a step of m (notices.h lists them); NULL when out of memory or
 * for a step with no notice. A new reference. */
json_t *hub_measure_notice_detail(hub_action_t action, const hub_measure_t *m);

#endif
