/*
 * requests.h: what the city asks of a site (R-N10.1, R-N12) — a resident's complaint, the
 * complainant's appeal to the mayor, the measures the city requests on a complaint, and a request
 * for a report on a period.
 *
 * Each request joins the "requests" of the site's record (registry.h), from where it goes out
 * with every ack until the site logs that it has it; an appeal joins the complaint it appeals.
 * The record and the city action that logs the request (audit.h: complaint_registered,
 * complaint_appealed, measures_requested, report_requested) commit in one transaction. A
 * complaint the site received itself (site_complaint, registry.h) may be appealed too; its
 * appeal joins it in the record. Ids are
 * "complaint-N", "measure-request-N" and "report-N", N counting all of the site's requests.
 *
 * A request is a hub_request_t in the record (registry.h): the fields of its kind, who made it
 * and when, its id and kind, state "pending", and for complaint measures the complaint; the
 * registry adds what the site logs of it (its delivery, its answer, its state). Only the loop
 * thread calls these.
 */
#ifndef HUB_REQUESTS_H
#define HUB_REQUESTS_H

#include <stdint.h>

#include "common/err.h"
#include "hub/apibody.h"
#include "hub/audit.h"
#include "hub/hubconf.h"
#include "hub/registry.h"

typedef struct hub_requests hub_requests_t;

/* Requests kept in registry's records and logged through audit (both outlive q). */
mm_err_t hub_requests_create(hub_registry_t *registry, hub_audit_t *audit, hub_requests_t **out);
/* Accepts NULL. */
void hub_requests_destroy(hub_requests_t *q);

/* What became of a request made. */
typedef struct {
    char id[64];            /* the new request's id; for an appeal the complaint's */
    hub_request_t request;  /* on success: the request as stored (an appeal: the complaint) */
    int appeal;             /* what was made is request's appeal */
    uint64_t hub_log_index; /* on success: the city action's index in the hub's log */
    const char *why;        /* on MM_ENOTFOUND / MM_ECONFLICT: why, in words */
} hub_request_made_t;

/*
 * Each makes one request of site by who at now_us, or refuses it with why and nothing written:
 * MM_ENOTFOUND when the complaint an appeal or a measure request names is not one of the site's
 * complaints, MM_ECONFLICT when the complaint has been appealed already. Else storage errors.
 */

/* Who a resident's own complaint, filed online without an account, is by: its "by", and the
 * person and role of its complaint_registered action. */
#define HUB_REQUESTS_PUBLIC "public"

/* A complaint about b->site (which the caller has checked), due in HUB_COMPLAINT_DAYS; who NULL:
 * a resident's, filed online (HUB_REQUESTS_PUBLIC). The complainant's contact stays at the hub:
 * the site gets the complaint, not the person. */
mm_err_t hub_requests_complaint(hub_requests_t *q, const hub_person_t *who,
                                const hub_complaint_body_t *b, int64_t now_us,
                                hub_request_made_t *out);
/* An appeal of complaint (R-N12.2): its text, time and who, as the complaint's appeal.
 * complaint is one the city registered (a request) or one the site received (a site complaint,
 * registry.h), which must exist. */
mm_err_t hub_requests_appeal(hub_requests_t *q, const hub_person_t *who, const char *site,
                             const char *complaint, const hub_request_body_t *b, int64_t now_us,
                             hub_request_made_t *out);
/* Measures requested on complaint, due in b->deadline_days. */
mm_err_t hub_requests_measures(hub_requests_t *q, const hub_person_t *who, const char *site,
                               const char *complaint, const hub_request_body_t *b, int64_t now_us,
                               hub_request_made_t *out);
/* A report on [b->from_us, b->to_us], due in b->deadline_days (R-N10.1). */
mm_err_t hub_requests_report(hub_requests_t *q, const hub_person_t *who, const char *site,
                             const hub_request_body_t *b, int64_t now_us, hub_request_made_t *out);

/* Whether the report q's answer carries is signed by the site's key: 1 or 0; -1 when the answer
 * carries no report (or there is no answer). */
int hub_requests_report_valid(const hub_site_conf_t *site, const hub_request_t *q);

#endif
