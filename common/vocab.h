/*
 * vocab.h: the enumerated words of the site log and the wire, shared by edge and hub.
 *
 * Each is declared once here (enum.h) with the exact name that goes into entries, messages and
 * the API. Decoding an entry or a message refuses any other name, as it refuses an over-long
 * string, so adding a name here is a change that older hubs cannot read: add at the end.
 */
#ifndef MM_VOCAB_H
#define MM_VOCAB_H

#include "common/enum.h"

/* The rules a site runs under: Kawaguchi's standard, Naha's ordinance, the city's own cameras
 * (R-N9: Naha 第9条, personal-information law) or an installer outside a policy's scope who
 * follows Kawaguchi's standard by its spirit (R-K4: Kawaguchi 第4). What each says is one table,
 * common/policy.h. */
#define MM_POLICY_MAP(X, P)                                                                        \
    X(P, KAWAGUCHI, "kawaguchi")                                                                   \
    X(P, NAHA, "naha") X(P, CITY, "city") X(P, VOLUNTARY, "voluntary")
MM_ENUM_DECLARE(mm_policy, MM_POLICY, MM_POLICY_MAP)

/* A person's role at a site (R-N6): who may view, designate and approve. "none": the account
 * is nobody the site knows, or holds no role. */
#define MM_ROLE_MAP(X, P)                                                                          \
    X(P, NONE, "none")                                                                             \
    X(P, MANAGER, "manager") X(P, OPERATOR, "operator") X(P, EMERGENCY, "emergency")
MM_ENUM_DECLARE(mm_role, MM_ROLE, MM_ROLE_MAP)

/* What a role_changed entry records (R-N6.1, R-N6.3). */
#define MM_ROLE_CHANGE_MAP(X, P)                                                                   \
    X(P, OPERATOR_DESIGNATED, "operator_designated")                                               \
    X(P, OPERATOR_REVOKED, "operator_revoked")                                                     \
    X(P, EMERGENCY_GRANTED, "emergency_granted")                                                   \
    X(P, EMERGENCY_REVOKED, "emergency_revoked")
MM_ENUM_DECLARE(mm_role_change, MM_ROLE_CHANGE, MM_ROLE_CHANGE_MAP)

/* The two ends of one viewing (R-K2.2.3-4). */
#define MM_VIEWING_STATE_MAP(X, P) X(P, STARTED, "started") X(P, ENDED, "ended")
MM_ENUM_DECLARE(mm_viewing_state, MM_VIEWING_STATE, MM_VIEWING_STATE_MAP)

/* A camera_state entry: a camera suspended, resumed or abolished (R-N4.2). */
#define MM_CAM_STATE_MAP(X, P)                                                                     \
    X(P, SUSPENDED, "suspended") X(P, RESUMED, "resumed") X(P, ABOLISHED, "abolished")
MM_ENUM_DECLARE(mm_cam_state, MM_CAM_STATE, MM_CAM_STATE_MAP)

/* What a storage_alarm entry says happened to the disk. */
#define MM_ALARM_MAP(X, P)                                                                         \
    X(P, DISK_FULL, "disk_full")                                                                   \
    X(P, CAMERA_STOPPED, "camera_stopped") X(P, CAMERA_RESUMED, "camera_resumed")                  \
        X(P, SPACE_RECOVERED, "space_recovered")
MM_ENUM_DECLARE(mm_alarm, MM_ALARM, MM_ALARM_MAP)

/* Why footage was erased: its retention ended, the disk needed room above the policy's floor,
 * or the legal hold that kept it was released. */
#define MM_ERASE_REASON_MAP(X, P)                                                                  \
    X(P, RETENTION, "retention")                                                                   \
    X(P, STORAGE_PRESSURE, "storage_pressure") X(P, HOLD_RELEASED, "hold_released")
MM_ENUM_DECLARE(mm_erase_reason, MM_ERASE_REASON, MM_ERASE_REASON_MAP)

/* What the city asks of a site (CityRequest, and the city_request entry that logs it). From
 * filing_decision on they are notices: the city tells the site of its decision on a filing
 * (R-N4.2), of guidance or a recommendation (R-N10.2), of a hearing it offers or of a publication
 * (R-N11), and of the rule that sets the retention its policy's text leaves to the city
 * ("city_rule", R-N7.5: signed by the hub, enforced by the site); the site acknowledges them. */
#define MM_REQUEST_KIND_MAP(X, P)                                                                  \
    X(P, COMPLAINT, "complaint")                                                                   \
    X(P, REPORT_REQUEST, "report_request")                                                         \
    X(P, COMPLAINT_MEASURE, "complaint_measure")                                                   \
    X(P, DISCLOSURE, "disclosure") X(P, DISCLOSURE_DOWNLOADED, "disclosure_downloaded")            \
        X(P, FILING_DECISION, "filing_decision") X(P, GUIDANCE, "guidance")                        \
            X(P, RECOMMENDATION, "recommendation") X(P, HEARING_OFFER, "hearing_offer")            \
                X(P, PUBLICATION, "publication") X(P, CITY_RULE, "city_rule")
MM_ENUM_DECLARE(mm_request_kind, MM_REQUEST_KIND, MM_REQUEST_KIND_MAP)

/* Whether kind is one of the city's notices (filing_decision ... city_rule): 1 or 0. */
int mm_request_kind_is_notice(mm_request_kind_t kind);

/* The legal basis of a disclosure (R-K2.2.5, R-N7.4, R-N8). NONE ("") only where a step of a
 * disclosure says nothing of it; a request always names one. */
#define MM_LEGAL_BASIS_MAP(X, P)                                                                   \
    X(P, NONE, "")                                                                                 \
    X(P, CONSENT, "consent") X(P, LAW, "law") X(P, EMERGENCY, "emergency")                         \
        X(P, OWN_IMAGES, "own_images")
MM_ENUM_DECLARE(mm_legal_basis, MM_LEGAL_BASIS, MM_LEGAL_BASIS_MAP)

/*
 * The steps of a disclosure at the site, which edge and hub both follow (R-K2.2.5, R-K2.2.6b,
 * R-N7.4, R-N7.6, R-N8): held when it arrives, refused when it cannot be acted on, prepared by
 * an operator, approved or denied by the manager, expired unanswered, exported (the ciphertext
 * built), failed, delivered to the hub, downloaded by the requester, and released (the manager
 * ended the legal hold once the export was delivered or had failed).
 */
#define MM_DISCLOSURE_STEP_MAP(X, P)                                                               \
    X(P, HELD, "held")                                                                             \
    X(P, REFUSED, "refused") X(P, PREPARED, "prepared") X(P, APPROVED, "approved")                 \
        X(P, DENIED, "denied") X(P, EXPIRED, "expired") X(P, EXPORTED, "exported")                 \
            X(P, FAILED, "failed") X(P, DELIVERED, "delivered") X(P, DOWNLOADED, "downloaded")     \
                X(P, RELEASED, "released")
MM_ENUM_DECLARE(mm_disclosure_step, MM_DISCLOSURE_STEP, MM_DISCLOSURE_STEP_MAP)

/* The steps of a complaint received at the site (R-N12(1), R-N7.6): received, handled (what was
 * done about it, possibly more than once) and closed (the answer; nothing follows it). */
#define MM_COMPLAINT_STEP_MAP(X, P)                                                                \
    X(P, RECEIVED, "received") X(P, HANDLED, "handled") X(P, CLOSED, "closed")
MM_ENUM_DECLARE(mm_complaint_step, MM_COMPLAINT_STEP, MM_COMPLAINT_STEP_MAP)

/* The days a site has to answer a complaint, from when it was received (R-N12): the city's rule,
 * which the hub enforces and the site shows. */
#define MM_COMPLAINT_DAYS 14

/* How a complaint reached the site: in person, by phone, letter or email, online, or otherwise
 * (through the city, for one the hub sent). */
#define MM_COMPLAINT_CHANNEL_MAP(X, P)                                                             \
    X(P, IN_PERSON, "in_person")                                                                   \
    X(P, PHONE, "phone")                                                                           \
    X(P, LETTER, "letter") X(P, EMAIL, "email") X(P, ONLINE, "online") X(P, OTHER, "other")
MM_ENUM_DECLARE(mm_complaint_channel, MM_COMPLAINT_CHANNEL, MM_COMPLAINT_CHANNEL_MAP)

/* What the edge's scrub found damaged (integrity_fault): a log entry whose bytes no longer hash
 * to its stored leaf, a log that no longer hashes to the hub-cosigned root, a segment file gone,
 * altered (it does not decrypt to its logged content hash, or its size differs) or unreadable. */
#define MM_INTEGRITY_MAP(X, P)                                                                     \
    X(P, LOG_ENTRY_ALTERED, "log_entry_altered")                                                   \
    X(P, LOG_ROOT_MISMATCH, "log_root_mismatch")                                                   \
    X(P, SEGMENT_MISSING, "segment_missing")                                                       \
    X(P, SEGMENT_ALTERED, "segment_altered") X(P, SEGMENT_UNREADABLE, "segment_unreadable")
MM_ENUM_DECLARE(mm_integrity, MM_INTEGRITY, MM_INTEGRITY_MAP)

#endif
