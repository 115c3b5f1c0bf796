/*
 * audit.h: the city's audit vocabulary, and the one way a city action enters the hub's log.
 *
 * Everything the city does through the hub is a `city_action` entry (common/entry.h) in the
 * hub's own signed log (hublog.h): who (person, with their role) did what (action) to which
 * site's what (subject), why (reason), and the action's particulars (detail, a JSON object or
 * ""). Every action the hub can log is named once, below; the names are what entries carry, so
 * a name never changes and a new one goes at the end. Each domain module appends its own
 * actions inside the write transaction that changes its record (hub_audit_append_in), so that
 * the record and the log never disagree; the feed hears of an action only once that transaction
 * has committed (hub_audit_done).
 *
 * action                    appended by   subject              reason           detail
 * filing_accepted           registry.c    the filing's id      the decision's   {"notice"}
 * filing_returned           registry.c    the filing's id      the decision's   {"notice"}
 * guidance_given            measures.c    "measure/<id>"       the text         {"findings",
 *                                                                                "notice"}
 * recommendation_given      measures.c    "measure/<id>"       the text         {"findings",
 *                                                                                "notice"}
 * hearing_offered           measures.c    "measure/<id>"       the letter       {"deadline",
 *                                                                                "date", "place",
 *                                                                                "how", "notice"}
 * hearing_recorded          measures.c    "measure/<id>"       the record       {"outcome"}
 * recommendation_published  measures.c    "measure/<id>"       the publication  {"notice"}
 * complaint_registered      requests.c    "complaint-N"        the complaint    ""
 * complaint_appealed        requests.c    "complaint-N" or     the appeal       ""
 *                                         "site-complaint-N"
 * measures_requested        requests.c    "measure-request-N"  the text         ""
 * report_requested          requests.c    "report-N"           the text         ""
 * disclosure_requested      disclosure.c  "disclosure-N"       the reason       see below
 * disclosure_<step>         disclosure.c  "disclosure-N"       the site's text  see below
 * disclosure_received       disclosure.c  "disclosure-N"       ""               {"sha256", "bytes"}
 * disclosure_downloaded     disclosure.c  "disclosure-N"       ""               see below
 * city_rule_sent            cityrules.c   "policy/<policy>"    the rule         {"notice",
 *                                                                                "retention_days_min",
 *                                                                                "retention_days_max"}
 * site_added                app.c         "site/<id>"          ""               {"curve_public"}
 * site_removed              app.c         "site/<id>"          ""               {"curve_public"}
 *
 * site_added and site_removed are logged when a reload of the configuration (reload.h) admits a
 * site's CURVE key or stops admitting it (a changed key: both); person is the hub's name, role
 * "hub". Changes to the hub's people are in the diagnostic log only (they are no site's).
 *
 * "notice" is the id of the notice that tells the site of the action (notices.h), made in the same
 * transaction; actions logged before notices existed have none (filing decisions and
 * publications had "" as their detail). A hearing offered before date, place and how were asked
 * for has {"deadline"} only.
 *
 * The person is the hub person who acted, with hub_role_name() of their role, except for a
 * resident's complaint filed online, whose person and role are "public", and for the
 * steps a site logged of a disclosure, which the hub logs again as "disclosure_<step>" (held,
 * refused, prepared, approved, denied, expired, exported, failed, delivered, downloaded,
 * released) with the site's person and role "site", and for disclosure_received and
 * city_rule_sent (the rule the hub's configuration sets, sent to a site), whose person is the
 * hub's name and role "hub". Details: disclosure_requested {"legal_basis", "reference",
 * "cameras": [ids], "from_us", "to_us", "recipient", "organisation"}; disclosure_<step> {"index",
 * "time_us" of the site's entry, what it says of "sha256", "bytes", "manifest_sha256",
 * "legal_basis", "requester", "from_us", "to_us", and, while they fit, "cameras", "reference",
 * "regions"}; disclosure_downloaded, the requester's download, {"sha256", "bytes", "download"}
 * (the site's own step "downloaded" has the same name, with role "site").
 *
 * Only the loop thread calls these.
 */
#ifndef HUB_AUDIT_H
#define HUB_AUDIT_H

#include <jansson.h>
#include <lmdb.h>
#include <stdint.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/enum.h"
#include "common/err.h"
#include "common/vocab.h"
#include "hub/feed.h"
#include "hub/hublog.h"

/* Every city action the hub logs, with the name its entries carry. */
#define HUB_ACTION_MAP(X, P)                                                                       \
    X(P, FILING_ACCEPTED, "filing_accepted")                                                       \
    X(P, FILING_RETURNED, "filing_returned")                                                       \
    X(P, GUIDANCE_GIVEN, "guidance_given")                                                         \
    X(P, RECOMMENDATION_GIVEN, "recommendation_given")                                             \
    X(P, HEARING_OFFERED, "hearing_offered")                                                       \
    X(P, HEARING_RECORDED, "hearing_recorded")                                                     \
    X(P, RECOMMENDATION_PUBLISHED, "recommendation_published")                                     \
    X(P, COMPLAINT_REGISTERED, "complaint_registered")                                             \
    X(P, COMPLAINT_APPEALED, "complaint_appealed")                                                 \
    X(P, MEASURES_REQUESTED, "measures_requested")                                                 \
    X(P, REPORT_REQUESTED, "report_requested")                                                     \
    X(P, DISCLOSURE_REQUESTED, "disclosure_requested")                                             \
    X(P, DISCLOSURE_HELD, "disclosure_held")                                                       \
    X(P, DISCLOSURE_REFUSED, "disclosure_refused")                                                 \
    X(P, DISCLOSURE_PREPARED, "disclosure_prepared")                                               \
    X(P, DISCLOSURE_APPROVED, "disclosure_approved")                                               \
    X(P, DISCLOSURE_DENIED, "disclosure_denied")                                                   \
    X(P, DISCLOSURE_EXPIRED, "disclosure_expired")                                                 \
    X(P, DISCLOSURE_EXPORTED, "disclosure_exported")                                               \
    X(P, DISCLOSURE_FAILED, "disclosure_failed")                                                   \
    X(P, DISCLOSURE_DELIVERED, "disclosure_delivered")                                             \
    X(P, DISCLOSURE_DOWNLOADED, "disclosure_downloaded")                                           \
    X(P, DISCLOSURE_RELEASED, "disclosure_released")                                               \
    X(P, DISCLOSURE_RECEIVED, "disclosure_received")                                               \
    X(P, CITY_RULE_SENT, "city_rule_sent")                                                         \
    X(P, SITE_ADDED, "site_added") X(P, SITE_REMOVED, "site_removed")
MM_ENUM_DECLARE(hub_action, HUB_ACTION, HUB_ACTION_MAP)

/* The action that logs again a step the site logged of a disclosure ("disclosure_<step>"). */
hub_action_t hub_action_of_step(mm_disclosure_step_t step);

/* One city action as a domain module describes it. Strings longer than the entry's field are
 * cut at its bound (entry.h); NULL strings are "". */
typedef struct {
    hub_action_t action;
    int64_t time_us;
    const char *site;    /* required */
    const char *subject; /* what was acted on */
    const char *person;  /* required: a hub person's id, a site's person, or the hub's name */
    const char *role;    /* required: hub_role_name() of the person, "site" or "hub" */
    const char *reason;
    json_t *detail; /* borrowed; NULL: none (""); else written as compact JSON */
} hub_city_action_t;

/*
 * The city_action entry of a into e (caller storage, overwritten). MM_ERANGE when the detail's
 * JSON is longer than the entry holds (nothing else is refused: a domain module that takes
 * particulars from a request checks with this before it writes anything), MM_EINVAL for an
 * action outside the enumeration, MM_ENOMEM.
 */
mm_err_t hub_audit_entry(const hub_city_action_t *a, mm_entry_t *e);
/* Whether a makes an entry: hub_audit_entry's result, without keeping the entry. */
mm_err_t hub_audit_check(const hub_city_action_t *a);

typedef struct hub_audit hub_audit_t;

/* An audit trail writing to log in db (both must outlive it). */
mm_err_t hub_audit_create(mm_db_t *db, hub_hublog_t *log, hub_audit_t **out);
/* Forgets any action not yet announced. Accepts NULL. */
void hub_audit_destroy(hub_audit_t *a);

/* Committed actions are announced on feed from now on ("city_action" events; NULL: not). */
void hub_audit_set_feed(hub_audit_t *a, hub_feed_t *feed);

/*
 * Appends the city action a to the hub's log inside the caller's write transaction txn and
 * signs the log's new checkpoint there (hublog.h hub_hublog_append_in); *index (may be NULL) is
 * its index in the hub's log. The caller commits or aborts txn, and then calls hub_audit_done.
 * A transaction that runs again from the start (MM_EFULL, the map grew) may append again: what
 * it had appended before is forgotten. Errors: those of hub_audit_entry, storage errors.
 */
mm_err_t hub_audit_append_in(hub_audit_t *au, MDB_txn *txn, const hub_city_action_t *a,
                             uint64_t *index);

/* The transaction of the actions appended since the last call is over: committed, they go to
 * the feed (and the diagnostic log), in order; else they are forgotten. */
void hub_audit_done(hub_audit_t *au, int committed);

/* mm_db_write(db, fn, arg) and then hub_audit_done with how it went: the write transaction of
 * a domain module that appends city actions in fn. Returns mm_db_write's result. */
mm_err_t hub_audit_write(hub_audit_t *au, mm_err_t (*fn)(MDB_txn *txn, void *arg), void *arg);

#endif
