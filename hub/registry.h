/*
 * registry.h: what the city knows of each site, learned only from the site's verified log.
 *
 * As the mirror stores a batch (mirror.h), in the same LMDB transaction, every new entry of a
 * kind the registry cares about is applied to the site's record: its registered facts
 * (site_facts), each camera's facts, coverage, state and daily recording time (camera_facts,
 * camera_coverage, camera_state, camera_uptime), its first recording (its first
 * segment_recorded), the holds its manager placed and their release (hold_placed naming a
 * person, hold_released; R-K2.2.6b), the standards it runs under
 * (configuration_changed), its filings (standards_filed is a filing of the standards — initial
 * or change —, camera_state one of suspension, resumption or abolition, R-N4.2), its emergency
 * grants and their reports (role_changed, emergency_report, R-N6.3), and what the city asked of it
 * — complaints, report requests, measures — with their delivery (city_request) and answers
 * (request_answered), R-N10.1, R-N12, and the complaints the site received itself, with their
 * handling and closing (site_complaint, R-N12(1), R-N7.6), and the jumps of its wall clock
 * (clock_jumped: the rules raise each, and do not count the time a clock skipped as time a
 * camera did not record). A record is therefore never ahead of or
 * behind the verified log, and nothing in it comes from anywhere else: the city does not have to
 * trust the installer. What the city adds is its own doing, never the site's: its decisions on
 * filings (hub_registry_decide), the requests it sends (requests.h, disclosure.h) and the appeals
 * of complaints, the site's complaints' too (requests.h), each logged as a city action in the hub's
 * log (audit.h) in the transaction that records it.
 *
 *   hub.registry   site id -> the record as JSON (registry_codec.h; docs/architecture.md,
 *                  "Hub registry")
 *
 * Each fact keeps the index of the entry it came from, so that findings can cite evidence. In
 * memory a record is a hub_site_record_t (below), which the rules read (rules.h); only its codec
 * (registry_codec.h) knows its JSON, for storage and for the API.
 */
#ifndef HUB_REGISTRY_H
#define HUB_REGISTRY_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/enum.h"
#include "common/err.h"
#include "common/wire.h"
#include "hub/audit.h"
#include "hub/hubconf.h"
#include "hub/members.h"

#define HUB_UPTIME_DAYS 14 /* days of recording time kept per camera */

/* What a filing is (R-N4.2): of the standards — the first ("initial"), then each "change" —
 * or of a camera's state. Its "kind" in the record. */
#define HUB_FILING_KIND_MAP(X, P)                                                                  \
    X(P, INITIAL, "initial")                                                                       \
    X(P, CHANGE, "change")                                                                         \
    X(P, SUSPENSION, "suspension") X(P, RESUMPTION, "resumption") X(P, ABOLITION, "abolition")
MM_ENUM_DECLARE(hub_filing_kind, HUB_FILING_KIND, HUB_FILING_KIND_MAP)

/* Where a filing stands: "received" as the site logged it, until the city accepts or returns
 * it; "noted" for a filing that is a notice only (a site whose policy files that way, common/
 * policy.h: the voluntary policy, Kawaguchi 第4), on which the city decides nothing. Its "state"
 * in the record, and in each item of its "history". */
#define HUB_FILING_STATE_MAP(X, P)                                                                 \
    X(P, RECEIVED, "received")                                                                     \
    X(P, ACCEPTED, "accepted") X(P, RETURNED, "returned") X(P, NOTED, "noted")
MM_ENUM_DECLARE(hub_filing_state, HUB_FILING_STATE, HUB_FILING_STATE_MAP)

/* A camera's "state" in the record, as its camera_state entries leave it: recording (before
 * any, and again once resumed), suspended or abolished. */
#define HUB_CAMERA_STATE_MAP(X, P)                                                                 \
    X(P, RECORDING, "recording") X(P, SUSPENDED, "suspended") X(P, ABOLISHED, "abolished")
MM_ENUM_DECLARE(hub_camera_state, HUB_CAMERA_STATE, HUB_CAMERA_STATE_MAP)

/* Where a request stands in the record: "pending" as the city made it, "delivered" once the
 * site's log holds its city_request entry, "answered" once it holds its request_answered. */
#define HUB_REQUEST_STATE_MAP(X, P)                                                                \
    X(P, PENDING, "pending") X(P, DELIVERED, "delivered") X(P, ANSWERED, "answered")
MM_ENUM_DECLARE(hub_request_state, HUB_REQUEST_STATE, HUB_REQUEST_STATE_MAP)

/* How a complaint reached the city: from the public, or through the city's staff. */
#define HUB_COMPLAINT_VIA_MAP(X, P) X(P, PUBLIC, "public") X(P, STAFF, "staff")
MM_ENUM_DECLARE(hub_complaint_via, HUB_COMPLAINT_VIA, HUB_COMPLAINT_VIA_MAP)

/* --- the record ------------------------------------------------------------------------------ */

#define HUB_FILING_HISTORY_MAX 4 /* steps of one filing: received, then the city's decision */

/* Where a fact came from: the index of its entry in the site's log, and the entry's time. */
typedef struct {
    uint64_t index;
    int64_t time_us;
} hub_origin_t;

/* A camera's recording on one day in Japan: its camera_uptime hours summed. */
typedef struct {
    char day[11]; /* "YYYY-MM-DD" */
    int64_t recorded_us;
    int64_t hours, gaps;
    uint64_t first_index, last_index; /* the first and last camera_uptime entries of the day */
} hub_uptime_day_t;

/* A camera's optional members, in the order its entries set them (members.h). */
enum { HUB_CAMERA_FACTS, HUB_CAMERA_COVERAGE, HUB_CAMERA_UPTIME, HUB_CAMERA_STATE_AT };

/* A camera, from its camera_facts, camera_coverage, camera_state and camera_uptime entries. */
typedef struct {
    char id[MM_ID_MAX];
    hub_camera_state_t state;
    hub_origin_t state_at; /* HUB_CAMERA_STATE_AT: its last camera_state entry */
    mm_camera_facts_t facts;
    hub_origin_t facts_at; /* HUB_CAMERA_FACTS */
    mm_camera_coverage_t coverage;
    hub_origin_t coverage_at; /* HUB_CAMERA_COVERAGE */
    size_t n_uptime;          /* HUB_CAMERA_UPTIME: the newest HUB_UPTIME_DAYS days, */
    hub_uptime_day_t uptime[HUB_UPTIME_DAYS + 1]; /* in the order they were first seen */
    hub_members_t members;
} hub_camera_t;

/* One step of a filing: received as the site logged it, or the city's decision (decided: by
 * whom, and why). */
typedef struct {
    hub_filing_state_t state;
    int64_t time_us;
    int decided;
    char by[MM_KEY_NAME_MAX];
    char reason[MM_LONG_TEXT_MAX]; /* "" when none */
} hub_filing_step_t;

/* A filing (R-N4.2): of the standards (standards_filed) or of a camera's state (camera_state). */
typedef struct {
    char id[24]; /* the index of its entry, in decimal */
    hub_filing_kind_t kind;
    hub_origin_t at;
    hub_filing_state_t state;
    size_t n_history;
    hub_filing_step_t history[HUB_FILING_HISTORY_MAX];
    char by[MM_ID_MAX]; /* who at the site ("" for a filing the site made by itself) */
    /* a camera's state: */
    char camera[MM_ID_MAX];
    char reason[MM_LONG_TEXT_MAX];
    /* the standards: */
    uint32_t version;
    uint8_t document_hash[32];
    int automatic;
    int has_run; /* the version filed is the one running: its summary, configuration, policy */
    char summary[MM_TEXT_MAX];
    uint8_t config_hash[32];
    mm_policy_t policy;
} hub_filing_t;

/* Whether filing is one of the standards: initial or change. */
int hub_filing_of_standards(const hub_filing_t *filing);

/* An emergency grant (role_changed) and its report (emergency_report), R-N6.3. */
typedef struct {
    char id[MM_ID_MAX];
    char person[MM_ID_MAX];
    char by[MM_ID_MAX];
    char actions[MM_TEXT_MAX];
    char cameras[MM_TEXT_MAX];
    int64_t until_us;     /* when it ends, or ended when revoked */
    hub_origin_t granted; /* granted_index, granted_us */
    int reported;
    hub_origin_t report; /* report_index, reported_us: once reported */
} hub_grant_t;

/* An appeal of a complaint to the mayor (R-N12.2). */
typedef struct {
    char text[MM_LONG_TEXT_MAX];
    int64_t time_us;
    char by[MM_KEY_NAME_MAX];
} hub_appeal_t;

/* A request's optional members, in the order they came (members.h). A request the city sent
 * has its state from the start; one the hub never sent (unknown_to_hub) has one only once the
 * site has logged something of it. */
enum { HUB_REQUEST_APPEAL, HUB_REQUEST_DELIVERED, HUB_REQUEST_STATE, HUB_REQUEST_ANSWER };

/*
 * What the city asked of the site (requests.h, disclosure.h) and what the site logged of it.
 * Which members a request has is its kind's: a complaint its camera, contact and via; a measure
 * request its complaint; a report request its range; a disclosure its range, legal basis,
 * reference, requester, recipient, cameras and the hub's signature; a download's notice its
 * disclosure; the city's notices (notices.h) their subject, text and detail, and the city's rule
 * (cityrules.h) also its retention and the hub's signature.
 */
typedef struct {
    char id[MM_ID_MAX];
    mm_request_kind_t kind;
    hub_request_state_t state;
    int unknown_to_hub; /* the site logged it; the city never sent it */
    char by[MM_KEY_NAME_MAX];
    int64_t time_us, deadline_us;
    char text[MM_LONG_TEXT_MAX];
    char camera[MM_ID_MAX];
    char contact[256];
    hub_complaint_via_t via;
    hub_appeal_t appeal; /* HUB_REQUEST_APPEAL */
    char complaint[MM_ID_MAX];
    int64_t from_us, to_us;
    mm_legal_basis_t legal_basis;
    char reference[MM_TEXT_MAX];
    char requester[MM_KEY_NAME_MAX];
    char recipient[128];
    size_t n_cameras;
    char cameras[MM_REQUEST_CAMERAS_MAX][MM_ID_MAX];
    char signature[96]; /* base64: the hub's Ed25519 signature of the disclosure statement */
    char disclosure[MM_ID_MAX];
    char subject[MM_ID_MAX];       /* notices: what it is about */
    char detail[MM_LONG_TEXT_MAX]; /* notices: the particulars, a compact JSON object */
    int64_t retention_days_min;    /* city_rule: the retention the city's rule sets (cityrules.h) */
    int64_t retention_days_max;    /* city_rule: its most, 0 none */
    hub_origin_t delivered;        /* HUB_REQUEST_DELIVERED: the site's city_request entry */
    mm_request_answered_t answer;
    hub_origin_t answer_at; /* HUB_REQUEST_ANSWER */
    hub_members_t members;
} hub_request_t;

/* The days a site has to close a complaint (R-N12): the same for the city's and the site's. */
#define HUB_COMPLAINT_DAYS MM_COMPLAINT_DAYS

/* A site complaint's optional members, in the order they came (members.h). */
enum { HUB_SITE_COMPLAINT_HANDLED, HUB_SITE_COMPLAINT_CLOSED, HUB_SITE_COMPLAINT_APPEAL };

/* A step the site logged of one of its complaints: its entry, who took it and what they said. */
typedef struct {
    hub_origin_t at;
    char by[MM_ID_MAX];
    char text[MM_LONG_TEXT_MAX];
} hub_complaint_step_t;

/*
 * A complaint received at the site (site_complaint entries; R-N12(1), R-N7.6). What it is comes
 * from the first of its entries (every entry repeats it): when and how it was received, what
 * about, the camera, who recorded it, and the hub's complaint when it came through the city. Its
 * deadline is the city's (HUB_COMPLAINT_DAYS after receipt). Of its handling the hub keeps the
 * last step and the count (the site's log has them all); its closing; and the complainant's
 * appeal to the city, which is the city's own addition (requests.h).
 */
typedef struct {
    char id[MM_ID_MAX];
    mm_complaint_step_t state; /* the last step: received, handled, closed */
    hub_origin_t first;        /* the first of its entries */
    int64_t received_us, deadline_us;
    mm_complaint_channel_t channel;
    char about[MM_LONG_TEXT_MAX];
    char camera[MM_ID_MAX];
    char by[MM_ID_MAX]; /* who recorded the first step */
    char hub_complaint[MM_ID_MAX];
    uint32_t handlings;
    hub_complaint_step_t handled; /* HUB_SITE_COMPLAINT_HANDLED: the last handling */
    hub_complaint_step_t closed;  /* HUB_SITE_COMPLAINT_CLOSED */
    hub_appeal_t appeal;          /* HUB_SITE_COMPLAINT_APPEAL */
    hub_members_t members;
} hub_site_complaint_t;

/* A record's optional members, in the order they came (members.h). */
enum {
    HUB_RECORD_STANDARDS,
    HUB_RECORD_REQUESTS,
    HUB_RECORD_SITE_COMPLAINTS,
    HUB_RECORD_FIRST_RECORDING,
    HUB_RECORD_HOLDS,
    HUB_RECORD_CLOCK_JUMPS,
};

#define HUB_CLOCK_JUMPS_MAX 16 /* the newest jumps of a site's clock a record keeps */

/* A jump of the site's wall clock, as its clock_jumped entry logged it. */
typedef struct {
    mm_clock_jumped_t jump;
    hub_origin_t at;
} hub_clock_jump_t;

#define HUB_SITE_HOLDS_MAX 64 /* site holds a record keeps: all in place, the newest released */

/*
 * A hold the site's manager placed (siteholds.h at the edge; R-K2.2.6b): a hold_placed entry that
 * names a person, and the hold_released entry that ended it. A disclosure's holds are the
 * disclosure's record's (disclosure.h "holding"), not these.
 */
typedef struct {
    mm_hold_placed_t placed;
    hub_origin_t placed_at;
    int released;
    mm_hold_released_t release;
    hub_origin_t released_at; /* released: its hold_released entry */
} hub_site_hold_t;

/* The site's first recording: its first segment_recorded entry (the footage's start and camera),
 * so that a request for a range before it is refused (disclosure.h). */
typedef struct {
    char camera[MM_ID_MAX];
    int64_t start_us;
    hub_origin_t at;
} hub_first_recording_t;

/*
 * The city's record of one site. Cameras, grants and requests are kept in the order they first
 * appeared. The arrays are owned: hub_site_record_init before use, hub_site_record_deinit after.
 */
typedef struct {
    char site[MM_KEY_NAME_MAX];
    int has_facts;
    mm_site_facts_t facts;
    hub_origin_t facts_at;
    size_t n_cameras;
    hub_camera_t *cameras;
    size_t n_filings;
    hub_filing_t *filings;
    size_t n_grants;
    hub_grant_t *grants;
    mm_configuration_changed_t standards; /* HUB_RECORD_STANDARDS: the standards it runs under */
    hub_origin_t standards_at;
    size_t n_requests; /* HUB_RECORD_REQUESTS */
    hub_request_t *requests;
    size_t n_site_complaints; /* HUB_RECORD_SITE_COMPLAINTS */
    hub_site_complaint_t *site_complaints;
    hub_first_recording_t first; /* HUB_RECORD_FIRST_RECORDING */
    size_t n_holds;              /* HUB_RECORD_HOLDS: site holds, in the order placed */
    hub_site_hold_t *holds;
    size_t n_jumps; /* HUB_RECORD_CLOCK_JUMPS: the newest HUB_CLOCK_JUMPS_MAX, oldest first */
    hub_clock_jump_t jumps[HUB_CLOCK_JUMPS_MAX];
    hub_members_t members;
} hub_site_record_t;

/* An empty record of site. */
void hub_site_record_init(hub_site_record_t *r, const char *site);
void hub_site_record_deinit(hub_site_record_t *r);
/* Deinits and frees a record that hub_registry_read made. Accepts NULL. */
void hub_site_record_free(hub_site_record_t *r);

/* The site's time zone, as its facts name it (an IANA name, as the site sent it), or
 * "Asia/Tokyo" while it has said none: the zone the dashboard shows the site's times in. */
const char *hub_site_record_timezone(const hub_site_record_t *r);

/* The camera id of r; absent: NULL, or with add a new one, recording (NULL when out of memory).
 * Pointers into r are valid until the next addition. */
hub_camera_t *hub_site_record_camera(hub_site_record_t *r, const char *id, int add);
/* The grant id of r, or with add a new one at the end; as above. */
hub_grant_t *hub_site_record_grant(hub_site_record_t *r, const char *id, int add);
/* The filing id of r, NULL when none. */
hub_filing_t *hub_site_record_filing(hub_site_record_t *r, const char *id);
/* A new filing at the end of r (zeroed), NULL when out of memory. */
hub_filing_t *hub_site_record_add_filing(hub_site_record_t *r);
/* The request id of r, NULL when none. */
hub_request_t *hub_site_record_request(hub_site_record_t *r, const char *id);
/* A new request at the end of r (zeroed; r then has requests), NULL when out of memory. */
hub_request_t *hub_site_record_add_request(hub_site_record_t *r);
/* The site complaint id of r, or with add a new one at the end (zeroed but its id; r then has
 * site complaints); NULL when none or out of memory. */
hub_site_complaint_t *hub_site_record_site_complaint(hub_site_record_t *r, const char *id, int add);
/* The site hold id of r, NULL when none. */
hub_site_hold_t *hub_site_record_hold(hub_site_record_t *r, const char *id);
/* A new site hold at the end of r (zeroed; r then has holds), NULL when out of memory. When r
 * keeps HUB_SITE_HOLDS_MAX already, the oldest released one goes first, if there is one. */
hub_site_hold_t *hub_site_record_add_hold(hub_site_record_t *r);

/*
 * Applies entry index of the site's log, e (borrowed), to the site's record r
 * (registry_apply.c). MM_OK when the record has a place for e (r may have changed),
 * MM_ENOTFOUND when it has none (r is as it was: a kind it does not keep, a disclosure's hold
 * placed or released), MM_ENOMEM. A segment_recorded is the
 * site's first recording when r has none yet (the caller hands it the site's first one), and
 * changes nothing after.
 */
mm_err_t hub_site_record_apply(hub_site_record_t *r, uint64_t index, const mm_entry_t *e);
/* Whether a record has a place for entries of kind (most entries, segments, have none). */
int hub_site_record_learns(mm_entry_kind_t kind);

/* --- the store ------------------------------------------------------------------------------ */

typedef struct hub_registry hub_registry_t;

mm_err_t hub_registry_open(mm_db_t *db, hub_registry_t **out);
void hub_registry_close(hub_registry_t *r);

/*
 * Where the registry finds the first segment_recorded entry of a site's log below index before
 * (inside txn), for a record that does not know its first recording yet (a hub that mirrored the
 * log before records kept it): MM_OK with *e and *index, MM_ENOTFOUND when there is none.
 */
typedef mm_err_t (*hub_registry_earlier_fn)(void *arg, MDB_txn *txn, uint64_t before, mm_entry_t *e,
                                            uint64_t *index);

/* Applying one batch's new entries inside the mirror's write transaction. */
typedef struct {
    hub_registry_t *r;
    MDB_txn *txn;
    const char *site;
    hub_site_record_t *rec; /* loaded at the first entry that matters */
    int dirty;
    hub_registry_earlier_fn earlier; /* NULL: the batch's own first segment is taken */
    void *earlier_arg;
    int first_known; /* the record has its first recording: segments change nothing */
    int first_new;   /* ... because this batch set it */
} hub_registry_batch_t;

void hub_registry_batch_begin(hub_registry_batch_t *b, hub_registry_t *r, MDB_txn *txn,
                              const char *site);
/* Applies entry index of the site, as the mirror decoded it (borrowed). Entries of kinds the
 * registry does not use change nothing. A segment_recorded loads the record only while the
 * registry does not know that the record has its first recording (it remembers, per site, from
 * the first record it reads that has one): segments are nearly every entry. */
mm_err_t hub_registry_apply(hub_registry_batch_t *b, uint64_t index, const mm_entry_t *e);
/* Writes the record if it changed; frees the batch state either way. */
mm_err_t hub_registry_batch_end(hub_registry_batch_t *b, int commit);

/* The record of site into out (initialised here, an empty record when none; the caller deinits
 * it). MM_OK or a storage error (out empty then). */
mm_err_t hub_registry_get(hub_registry_t *r, const char *site, hub_site_record_t *out);
/* The record of site as hub_registry_get reads it, in storage of its own on the heap (a record
 * is kilobytes): *out is the caller's to hub_site_record_free, NULL on error. MM_OK, MM_ENOMEM
 * or a storage error. */
mm_err_t hub_registry_read(hub_registry_t *r, const char *site, hub_site_record_t **out);

/* The city's decision on one filing. */
typedef struct {
    const char *site;
    const char *filing;       /* its id in the site's record */
    hub_filing_state_t state; /* HUB_FILING_STATE_ACCEPTED or _RETURNED */
    const char *reason;       /* NULL: none (a return has one: apibody.h) */
    const hub_person_t *who;
    int64_t now_us;
    uint64_t hub_log_index; /* on success: the city action's index in the hub's log */
    hub_filing_t decided;   /* on success: the filing as it now is */
    char notice[MM_ID_MAX]; /* on success: the id of the notice that tells the site */
} hub_filing_decision_t;

/*
 * Accepts or returns a filing: its state and history change, a notice of the decision joins the
 * site's requests (notices.h: it goes out with every ack until the site logs it), and
 * "filing_accepted" or "filing_returned" is appended to the hub's log through audit with the
 * notice's id as its detail ({"notice"}), in one transaction. MM_ENOTFOUND
 * for an unknown site or filing, MM_EDENIED for a filing that is a notice only ("noted"),
 * MM_ECONFLICT when the filing is not "received" any more, MM_EINVAL for a state that is no
 * decision; nothing is written then. Else storage errors.
 */
mm_err_t hub_registry_decide(hub_registry_t *r, hub_audit_t *audit, hub_filing_decision_t *d);

/* Changes site's record with fn inside the caller's write transaction (the city's own
 * additions: requests it sends, their appeals); fn's error aborts. */
mm_err_t hub_registry_update_in(hub_registry_t *r, MDB_txn *txn, const char *site,
                                mm_err_t (*fn)(hub_site_record_t *rec, void *arg), void *arg);

/*
 * The requests in site's record that the site has not logged as received (no delivered_index,
 * not unknown_to_hub), up to cap, as they go out with every ack (link.h): complaints, report
 * requests, measures, and disclosures with their legal basis, reference, requester, recipient,
 * cameras and the hub's signature (base64 in the record), notices of a download
 * ("disclosure"), and the city's notices with their subject and detail (notices.h). A request whose
 * fields do not fit the wire's bounds is left out (and logged): cut short, a disclosure's statement
 * would no longer match its signature. Returns how many.
 */
size_t hub_registry_pending(hub_registry_t *r, const char *site, mm_city_request_t *out,
                            size_t cap);

#endif
