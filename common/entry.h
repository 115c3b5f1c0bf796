/*
 * entry.h: site-log entries (LogEntry in proto/mimamori/v1).
 *
 * Entries carry metadata only: ids, times, counts and hashes; never pixels, never keys. Their
 * serialized bytes are the Merkle leaves, so an entry is encoded once, when appended, and those
 * bytes are kept; decoding is for reading, never for re-encoding to check a hash.
 */
#ifndef MM_ENTRY_H
#define MM_ENTRY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define MM_ID_MAX 64          /* camera, site and hold ids: at most 63 bytes */
#define MM_TEXT_MAX 256       /* reasons and messages: at most 255 bytes */
#define MM_LONG_TEXT_MAX 2048 /* written reasons people compose (an exception): 2047 bytes */
#define MM_ERASED_MAX 512     /* content hashes in one segments_erased entry */

typedef enum {
    MM_ENTRY_SEGMENT_RECORDED = 10,
    MM_ENTRY_CAMERA_GAP = 11,
    MM_ENTRY_CAMERA_UPTIME = 12,
    MM_ENTRY_SEGMENTS_ERASED = 13,
    MM_ENTRY_HOLD_PLACED = 14,
    MM_ENTRY_HOLD_RELEASED = 15,
    MM_ENTRY_STORAGE_ALARM = 16,
    MM_ENTRY_CAMERA_COVERAGE = 17,
    MM_ENTRY_ACCESS = 18,
    MM_ENTRY_ROLE_CHANGED = 19,
    MM_ENTRY_EMERGENCY_REPORT = 20,
    MM_ENTRY_VIEWING = 21,
    MM_ENTRY_CAMERA_STATE = 22,
    MM_ENTRY_CONFIGURATION_CHANGED = 23,
    MM_ENTRY_SITE_FACTS = 24,
    MM_ENTRY_CAMERA_FACTS = 25,
    MM_ENTRY_CITY_ACTION = 26,
    MM_ENTRY_CITY_REQUEST = 27,
    MM_ENTRY_REQUEST_ANSWERED = 28,
    MM_ENTRY_STANDARDS_FILED = 29,
    MM_ENTRY_DISCLOSURE = 30,
} mm_entry_kind_t;

typedef struct {
    char camera[MM_ID_MAX];
    int64_t start_us;
    int64_t end_us;
    uint64_t bytes;
    uint32_t frames;
    uint8_t content_hash[32];
    char codec[16];
    int recovered; /* rebuilt at restart from the complete chunks of an unfinished segment */
} mm_segment_recorded_t;

typedef struct {
    char camera[MM_ID_MAX];
    int64_t start_us;
    int64_t end_us;
    char reason[MM_TEXT_MAX];
} mm_camera_gap_t;

typedef struct {
    char camera[MM_ID_MAX];
    int64_t hour_start_us;
    int64_t recorded_us;
    uint32_t gaps;
} mm_camera_uptime_t;

typedef struct {
    char camera[MM_ID_MAX];
    int64_t start_us;
    int64_t end_us;
    uint32_t count;
    uint64_t bytes;
    size_t n_hashes; /* 0..MM_ERASED_MAX */
    uint8_t hashes[MM_ERASED_MAX][32];
    char reason[32]; /* "retention" or "hold_released" */
    char hold_id[MM_ID_MAX];
} mm_segments_erased_t;

typedef struct {
    char hold_id[MM_ID_MAX];
    char camera[MM_ID_MAX];
    int64_t start_us;
    int64_t end_us;
    char reason[MM_TEXT_MAX];
    uint32_t segments;
} mm_hold_placed_t;

typedef struct {
    char hold_id[MM_ID_MAX];
    char reason[MM_TEXT_MAX];
} mm_hold_released_t;

typedef struct {
    char state[32]; /* "disk_full", "camera_stopped", "camera_resumed", "space_recovered" */
    char camera[MM_ID_MAX];
    uint64_t free_bytes;
    uint64_t total_bytes;
    char message[MM_TEXT_MAX];
} mm_storage_alarm_t;

typedef struct {
    char camera[MM_ID_MAX];
    uint32_t public_ppm, private_ppm, masked_ppm; /* of the frame, each <= 1000000 */
    uint32_t share_ppm;                           /* public / (frame - masked) */
    uint32_t threshold_ppm;                       /* 0: the policy sets none */
    char policy[16];
    char exception[MM_LONG_TEXT_MAX];
} mm_camera_coverage_t;

/*
 * A call on the edge's control socket, allowed or refused (R-K2.2.3-4, R-N6.2, R-N7.2). The
 * caller is known by the peer credentials of the socket: uid and account always, person when
 * the account is one of the site's people.
 */
typedef struct {
    char person[MM_ID_MAX]; /* "" when the account is nobody the site knows */
    char account[40];       /* local OS account name, or "uid:<n>" when it has none */
    uint32_t uid;
    char role[16];          /* "manager", "operator", "emergency", "none" */
    char action[32];        /* "status", "search", "playback", "operator_designate", ... */
    char camera[MM_ID_MAX]; /* "" when the call names none */
    int64_t start_us;       /* the time range it names, 0 when none */
    int64_t end_us;
    int allowed;
    char reason[MM_TEXT_MAX]; /* why it was refused, or a note on what was done */
} mm_access_t;

/* Who may do what changed: an operator designated or revoked, an emergency grant given (R-N6). */
typedef struct {
    char change[32];           /* "operator_designated", "operator_revoked", "emergency_granted",
                                  "emergency_revoked" */
    char person[MM_ID_MAX];    /* whose role changed */
    char by[MM_ID_MAX];        /* the manager who changed it */
    char grant_id[MM_ID_MAX];  /* emergency grants: the grant's id */
    char actions[MM_TEXT_MAX]; /* emergency grants: allowed actions, comma-separated */
    char cameras[MM_TEXT_MAX]; /* emergency grants: cameras, comma-separated ("" all) */
    int64_t until_us;          /* emergency grants: when the grant ends */
    char reason[MM_LONG_TEXT_MAX];
} mm_role_changed_t;

/* What someone did under an emergency grant, reported to the manager (R-N6.3). */
typedef struct {
    char grant_id[MM_ID_MAX];
    char person[MM_ID_MAX]; /* who reports: the grant's holder */
    char text[MM_LONG_TEXT_MAX];
} mm_emergency_report_t;

/* Someone began or ended watching footage through the control socket (R-K2.2.3-4). */
typedef struct {
    char state[16];          /* "started" or "ended" */
    char session[MM_ID_MAX]; /* ties the two together */
    char person[MM_ID_MAX];
    char camera[MM_ID_MAX];
    int64_t start_us; /* the footage's range */
    int64_t end_us;
    uint64_t bytes;           /* "ended": bytes streamed */
    char reason[MM_TEXT_MAX]; /* "ended": finished, viewer closed, error ... */
} mm_viewing_t;

/* A camera suspended, resumed or abolished: a filing for the city (R-N4.2). */
typedef struct {
    char camera[MM_ID_MAX];
    char state[16];     /* "suspended", "resumed", "abolished" */
    char by[MM_ID_MAX]; /* the manager */
    char reason[MM_LONG_TEXT_MAX];
} mm_camera_state_t;

/* The enforced configuration, and so its standards document, changed (R-N4.1-2, R-K2.2.7). */
typedef struct {
    uint32_t version;          /* 1 for the first */
    uint8_t document_hash[32]; /* SHA-256 of the generated Markdown document */
    uint8_t config_hash[32];   /* SHA-256 of the configuration file as loaded */
    char policy[16];
    uint32_t cameras;
    char summary[MM_TEXT_MAX]; /* what changed, in words */
} mm_configuration_changed_t;

/*
 * What the site's configuration says about the site, as the city registers it: logged at start
 * when it differs from the last logged, and when the operators in force change. The hub builds
 * its registry and checks the rules from these (R-N4.1, R-N5, R-K2.1.3c, R-K2.2.2, R-N6.1).
 */
typedef struct {
    char policy[16]; /* "kawaguchi" or "naha" */
    uint32_t retention_days;
    uint32_t registered_retention_days;
    uint32_t floor_days; /* the policy's least retention */
    char installer_name[MM_LONG_TEXT_MAX];
    char installer_address[MM_LONG_TEXT_MAX]; /* "" when not given */
    char installer_contact[MM_LONG_TEXT_MAX];
    char purpose[MM_LONG_TEXT_MAX];
    char storage_location[MM_LONG_TEXT_MAX];
    char consensus_date[16];                    /* "YYYY-MM-DD", "" when not given */
    char land_permission_ref[MM_LONG_TEXT_MAX]; /* "" when not given */
    char land_permission_date[16];
    char manager[MM_ID_MAX]; /* person id; "" when none (never, at our edge) */
    char manager_name[MM_LONG_TEXT_MAX];
    char operators[MM_LONG_TEXT_MAX];   /* person ids in force, comma-separated */
    char contractors[MM_LONG_TEXT_MAX]; /* JSON: [{"name": "...", "staff": ["id", ...]}] */
    uint32_t cameras;                   /* cameras in the configuration */
} mm_site_facts_t;

/* What the configuration says about one camera (R-K2.1.3b, R-K2.2.1, R-N5.1-4). Logged at
 * start when it differs from the last logged. Its share is in camera_coverage, its state in
 * camera_state. */
typedef struct {
    char camera[MM_ID_MAX];
    char location[MM_LONG_TEXT_MAX];
    char purpose[MM_LONG_TEXT_MAX];
    char install_date[16];               /* "YYYY-MM-DD" */
    char signage_text[MM_LONG_TEXT_MAX]; /* "" when there is no sign */
    int signage_installer_shown;
    char signage_checked[16]; /* "YYYY-MM-DD", "" when never */
} mm_camera_facts_t;

/* A city action, in the hub's own log (R-N10-12): who did what to which site's what, and why. */
typedef struct {
    char action[32]; /* "filing_accepted", "filing_returned", ... */
    char site[MM_ID_MAX];
    char subject[MM_ID_MAX]; /* the filing, finding, complaint, ... acted on; "" when none */
    char person[MM_ID_MAX];  /* the hub person who acted */
    char role[16];           /* their role: "oversight", ... */
    char reason[MM_LONG_TEXT_MAX];
    char detail[MM_LONG_TEXT_MAX]; /* "" or a JSON object with the action's particulars */
} mm_city_action_t;

/* The site received something the city asks (wire.h CityRequest): a complaint, a report
 * request, a measure asked for (R-N10.1, R-N12). Logged once per request id. */
typedef struct {
    char id[MM_ID_MAX];
    char kind[32];        /* "complaint", "report_request", "complaint_measure", "disclosure",
                             "disclosure_downloaded" */
    int64_t city_time_us; /* when the city registered it */
    int64_t deadline_us;
    char camera[MM_ID_MAX];
    char text[MM_LONG_TEXT_MAX];
    int64_t from_us, to_us;    /* report requests */
    char complaint[MM_ID_MAX]; /* complaint measures */
} mm_city_request_entry_t;

#define MM_REPORT_MAX 16384 /* bytes of a report's JSON, with its NUL */

/* The site answered a city request: a complaint's answer, a measure taken, or a report built
 * from its own records and signed with the site key (R-N10.1, R-N12). */
typedef struct {
    char id[MM_ID_MAX]; /* the request's id */
    char kind[32];
    char by[MM_ID_MAX]; /* the person who answered, "" for the edge itself (reports) */
    char text[MM_LONG_TEXT_MAX];
    char report[MM_REPORT_MAX]; /* report requests: the report, compact JSON; else "" */
    char report_signature[128]; /* base64 Ed25519 signature of report's bytes by the site key */
} mm_request_answered_t;

/* A version of the standards filed with the city (R-N4.2): at once when the site files
 * automatically, or when the manager files it. */
typedef struct {
    uint32_t version;
    uint8_t document_hash[32];
    char by[MM_ID_MAX]; /* the manager who filed it, "" when filed automatically */
    int automatic;
} mm_standards_filed_t;

/* A step of a disclosure request at the site (R-K2.2.5, R-K2.2.6b, R-N7.4, R-N7.6, R-N8). step
 * is one of "held", "refused", "prepared", "approved", "denied", "expired", "exported",
 * "failed", "delivered", "downloaded", "released" (the manager ended the legal hold of an
 * approved request once its export was delivered or had failed); legal_basis "" or one of
 * "consent", "law", "emergency", "own_images". sha256 and manifest_sha256 are set (has_sha256)
 * only for "exported". */
typedef struct {
    char request[MM_ID_MAX];
    char step[16];
    char by[MM_ID_MAX];             /* person id, "" for the edge itself */
    char cameras[MM_LONG_TEXT_MAX]; /* comma-separated camera ids */
    int64_t from_us, to_us;
    char legal_basis[16];
    char reference[MM_TEXT_MAX];
    char requester[MM_ID_MAX];
    char text[MM_LONG_TEXT_MAX]; /* note, reason, what failed */
    int has_sha256;
    uint8_t sha256[32]; /* of the ciphertext */
    uint64_t bytes;     /* of the ciphertext */
    uint8_t manifest_sha256[32];
    char regions[MM_LONG_TEXT_MAX]; /* "" or a JSON array of the regions kept clear */
} mm_disclosure_t;

/* Whether s names a disclosure step / a legal basis / a kind of city request (non-empty). */
int mm_disclosure_step_ok(const char *s);
int mm_legal_basis_ok(const char *s);
int mm_request_kind_ok(const char *s);

typedef struct {
    int64_t time_us;
    mm_entry_kind_t kind;
    union {
        mm_segment_recorded_t segment_recorded;
        mm_camera_gap_t camera_gap;
        mm_camera_uptime_t camera_uptime;
        mm_segments_erased_t segments_erased;
        mm_hold_placed_t hold_placed;
        mm_hold_released_t hold_released;
        mm_storage_alarm_t storage_alarm;
        mm_camera_coverage_t camera_coverage;
        mm_access_t access;
        mm_role_changed_t role_changed;
        mm_emergency_report_t emergency_report;
        mm_viewing_t viewing;
        mm_camera_state_t camera_state;
        mm_configuration_changed_t configuration_changed;
        mm_site_facts_t site_facts;
        mm_camera_facts_t camera_facts;
        mm_city_action_t city_action;
        mm_city_request_entry_t city_request;
        mm_request_answered_t request_answered;
        mm_standards_filed_t standards_filed;
        mm_disclosure_t disclosure;
    } u;
} mm_entry_t;

/* Encodes e into a malloc'd buffer. MM_EINVAL for an unknown kind, an over-long or empty
 * required string, a value outside its enumeration, a version of 0, a date not "YYYY-MM-DD"
 * (nor "" where it may be empty), or site_facts.contractors neither "" nor a JSON array. */
mm_err_t mm_entry_encode(const mm_entry_t *e, uint8_t **out, size_t *len);

/*
 * Decodes an entry. MM_EPROTO when the bytes are not a LogEntry of a known kind, or a field is
 * out of its bounds (string too long, hash not 32 bytes), MM_ETOOBIG over MM_LOG_ENTRY_MAX.
 */
mm_err_t mm_entry_decode(const void *buf, size_t len, mm_entry_t *out);

/* Stable lower-case name of a kind ("segment_recorded"), "unknown" otherwise. */
const char *mm_entry_kind_name(mm_entry_kind_t kind);

/*
 * Converts entry bytes to a JSON object for the API: {"time_us":..,"type":"segment_recorded",
 * "segment_recorded":{...}} with bytes fields in lower-case hex. NULL when the bytes do not
 * decode. The caller owns the reference.
 */
json_t *mm_entry_to_json(const void *buf, size_t len);

#endif
