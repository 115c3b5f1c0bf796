/*
 * complaints.h: complaints received at the site (R-N12(1), R-N7.6) — recorded when they come in,
 * handled, and closed, each step a site_complaint entry.
 *
 * The rules send complaints first to the installer or the manager: a resident may complain at the
 * shop, by phone or by letter, and the city's public registry tells them to. The manager or an
 * operator records such a complaint (when it was received, how, what it is about, the camera
 * concerned), then what was done about it (as often as there is something to say) and how it was
 * closed. The city learns of each step from the verified log, and holds the site to the same
 * deadline as for the complaints it registers itself (MM_COMPLAINT_DAYS after receipt).
 *
 * A complaint the city sent (a city request of kind "complaint", requests.h) is handled and closed
 * the same way, by its hub id ("complaint-N"): its first step makes it a site complaint of its own
 * (channel "other", received when the city registered it, about the city's text) that names the
 * hub's id. Closing such a complaint also answers the city's request with the closing text
 * (edge_requests_answer), which is the manager's to do, as answering any request is.
 *
 * Each complaint is kept in edge.meta as "complaint/<id>" (JSON below), written in the transaction
 * of its step's entry, so that the record and the log never disagree. Ids are "site-complaint-N",
 * N counting the site's complaints from 1. Everything runs on the loop thread.
 *
 *   {"id", "received_us", "channel", "about", "camera", "hub_complaint", "state",
 *    "steps": [{"step", "time_us", "by", "text"}]}
 */
#ifndef EDGE_COMPLAINTS_H
#define EDGE_COMPLAINTS_H

#include <jansson.h>
#include <stdint.h>

#include "common/err.h"
#include "common/vocab.h"
#include "edge/store.h"

#define EDGE_COMPLAINT_STEPS_MAX 32 /* steps of one complaint: received, handlings, closed */

/* A complaint received at the site, as the person who took it says. */
typedef struct {
    mm_complaint_channel_t channel;
    int64_t received_us; /* when it was received: after 0, not after now */
    const char *about;   /* what it is about: 1..2047 bytes of UTF-8 */
    const char *camera;  /* the camera concerned, one of the site's (the caller checks); NULL "" */
    const char *by;      /* the person recording it */
} edge_complaint_t;

/*
 * Records complaint c at now_us: a site_complaint entry "received" and its record, in one
 * transaction. On success *out (may be NULL) is the complaint as edge_complaints_list shows it
 * (the caller owns it); its "id" is the new id. MM_EINVAL with why in msg (cap bytes) for a
 * complaint without a description or a person, a time at or before 0 or after now_us, a channel
 * outside the enumeration; MM_ENOMEM, MM_ECORRUPT (a stored complaint is damaged), store errors;
 * nothing is written then.
 */
mm_err_t edge_complaints_record(edge_store_t *st, const edge_complaint_t *c, int64_t now_us,
                                json_t **out, char *msg, size_t cap);

/*
 * Logs that complaint id was handled (step MM_COMPLAINT_STEP_HANDLED) or closed
 * (MM_COMPLAINT_STEP_CLOSED) by by at now_us, text saying how (1..2047 bytes of UTF-8). id is a
 * site complaint's, or the hub id of a complaint the city sent (see above). answer_city: whether
 * by may answer the city (the manager); closing a complaint the city sent without it is refused.
 * On success *out (may be NULL) is the complaint as listed. Errors, with why in msg, nothing
 * written: MM_ENOTFOUND (no such complaint), MM_ECONFLICT (closed already), MM_EDENIED (the
 * city's complaint closed by someone who may not answer the city), MM_EFULL (it has
 * EDGE_COMPLAINT_STEPS_MAX steps: close it), MM_EINVAL, MM_ECORRUPT, MM_ENOMEM, store errors.
 * The close of a city complaint is logged first and the city answered after it: *out then has
 * "city_answer": "sent", "answered already", or why it failed (logged too; the close stands, and
 * `mimamori-edge requests answer` answers the city then).
 */
mm_err_t edge_complaints_step(edge_store_t *st, const char *id, mm_complaint_step_t step,
                              const char *by, const char *text, int answer_city, int64_t now_us,
                              json_t **out, char *msg, size_t cap);

/*
 * The site's complaints and the city's complaints it received (city requests of kind
 * "complaint"), oldest first: {"complaints": [...], "open": n}. A site complaint is {"id",
 * "source": "site", "state" (received, handled, closed), "received_us", "deadline_us", "overdue",
 * "channel", "about", "camera", "hub_complaint", "steps"}; a city complaint {"id", "source":
 * "city", "state" ("open", "answered"), "received_us" (when the city registered it),
 * "deadline_us", "overdue", "about", "camera", "site_complaint" (the site complaint handling it,
 * "" none)}. With all 0 only the open ones are listed (not closed, not answered); "open" counts
 * them either way. overdue: open after its deadline at now_us. MM_ECORRUPT, MM_ENOMEM, store
 * errors.
 */
mm_err_t edge_complaints_list(edge_store_t *st, int all, int64_t now_us, json_t **out);

#endif
