/*
 * entry.h: site-log entries (LogEntry in proto/mimamori/v1), declared once.
 *
 * Entries carry metadata only: ids, times, counts and hashes; never pixels, never keys. Their
 * serialized bytes are the Merkle leaves, so an entry is encoded once, when appended, and those
 * bytes are kept; decoding is for reading, never for re-encoding to check a hash.
 *
 * Every kind is declared in one place, the table below: MM_ENTRY_KINDS lists the kinds (the
 * number of the LogEntry field that carries it, which is also its mm_entry_kind_t, its name and
 * its C struct), and MM_FIELDS_<name> lists the kind's fields in the order of its protobuf
 * message, each with its type, its name (the protobuf field's, the C member's and the JSON
 * member's), its bound and its rules. The C structs, encode, decode, validation, the names, the
 * JSON view and the peek at raw bytes are all made from it, so a new kind is a message in the
 * schema, one line in MM_ENTRY_KINDS and its MM_FIELDS_<name> here.
 *
 * A field is F(S, TYPE, name, arg, flags):
 *   STR      char name[arg]: at most arg - 1 bytes of UTF-8
 *   ENUM     <arg>_t name: one of the names of enumeration arg (vocab.h), a string on the wire
 *   I64, U64, U32, BOOL (an int, 0 or 1)
 *   HASH     uint8_t name[32]: always 32 bytes on the wire
 *   HASHOPT  uint8_t name[32] and int has_<name>: 32 bytes, or absent
 *   HASHES   uint8_t name[arg][32] and size_t n_<name>: a repeated field of at most arg hashes
 * flags: MM_F_REQ (a string or name that may not be empty), MM_F_DATE ("YYYY-MM-DD", or "" when
 * not required), MM_F_JSON_ARRAY / MM_F_JSON_OBJECT ("" or that JSON text), MM_F_PPM (at most
 * 1000000), MM_F_VERSION (at least 1), MM_F_LATE (a string or number appended to its kind after
 * entries of the kind were written: the JSON view leaves it out while it is empty or 0, so that
 * those entries show as they always have; on the wire an empty field is not encoded anyway).
 * Rules across fields are the kind's check (entry.c).
 */
#ifndef MM_ENTRY_H
#define MM_ENTRY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/vocab.h"

#define MM_ID_MAX 64          /* camera, site and hold ids: at most 63 bytes */
#define MM_TEXT_MAX 256       /* reasons and messages: at most 255 bytes */
#define MM_LONG_TEXT_MAX 2048 /* written reasons people compose (an exception): 2047 bytes */
#define MM_ERASED_MAX 512     /* content hashes in one segments_erased entry */
#define MM_REPORT_MAX 16384   /* bytes of a report's JSON, with its NUL */

/* Whether s may be the id of a site's camera, person or request: 1-63 characters of A-Z a-z
 * 0-9 . _ - (safe in file names, keys and the signed statements). */
int mm_id_ok(const char *s);

enum {
    MM_F_REQ = 1 << 0,
    MM_F_DATE = 1 << 1,
    MM_F_JSON_ARRAY = 1 << 2,
    MM_F_JSON_OBJECT = 1 << 3,
    MM_F_PPM = 1 << 4,
    MM_F_VERSION = 1 << 5,
    MM_F_LATE = 1 << 6,
};

/* --- the kinds ------------------------------------------------------------------------------ */

#define MM_ENTRY_KINDS(X)                                                                          \
    X(10, SEGMENT_RECORDED, segment_recorded, mm_segment_recorded_t)                               \
    X(11, CAMERA_GAP, camera_gap, mm_camera_gap_t)                                                 \
    X(12, CAMERA_UPTIME, camera_uptime, mm_camera_uptime_t)                                        \
    X(13, SEGMENTS_ERASED, segments_erased, mm_segments_erased_t)                                  \
    X(14, HOLD_PLACED, hold_placed, mm_hold_placed_t)                                              \
    X(15, HOLD_RELEASED, hold_released, mm_hold_released_t)                                        \
    X(16, STORAGE_ALARM, storage_alarm, mm_storage_alarm_t)                                        \
    X(17, CAMERA_COVERAGE, camera_coverage, mm_camera_coverage_t)                                  \
    X(18, ACCESS, access, mm_access_t)                                                             \
    X(19, ROLE_CHANGED, role_changed, mm_role_changed_t)                                           \
    X(20, EMERGENCY_REPORT, emergency_report, mm_emergency_report_t)                               \
    X(21, VIEWING, viewing, mm_viewing_t)                                                          \
    X(22, CAMERA_STATE, camera_state, mm_camera_state_t)                                           \
    X(23, CONFIGURATION_CHANGED, configuration_changed, mm_configuration_changed_t)                \
    X(24, SITE_FACTS, site_facts, mm_site_facts_t)                                                 \
    X(25, CAMERA_FACTS, camera_facts, mm_camera_facts_t)                                           \
    X(26, CITY_ACTION, city_action, mm_city_action_t)                                              \
    X(27, CITY_REQUEST, city_request, mm_city_request_entry_t)                                     \
    X(28, REQUEST_ANSWERED, request_answered, mm_request_answered_t)                               \
    X(29, STANDARDS_FILED, standards_filed, mm_standards_filed_t)                                  \
    X(30, DISCLOSURE, disclosure, mm_disclosure_t)                                                 \
    X(31, SITE_COMPLAINT, site_complaint, mm_site_complaint_t)                                     \
    X(32, LOG_RESTARTED, log_restarted, mm_log_restarted_t)                                        \
    X(33, INTEGRITY_FAULT, integrity_fault, mm_integrity_fault_t)                                  \
    X(34, CLOCK_JUMPED, clock_jumped, mm_clock_jumped_t)

/* --- the fields of each kind ---------------------------------------------------------------- */

/* A site's log begun anew after its store was lost (entry 0 of the new log; the proto's
 * LogRestarted): the epoch (1, 2, ...), why, and the size of the lost log the hub held. */
#define MM_FIELDS_log_restarted(F, S)                                                              \
    F(S, U32, epoch, 0, 0)                                                                         \
    F(S, STR, reason, MM_TEXT_MAX, MM_F_REQ)                                                       \
    F(S, U64, previous_size, 0, 0)

/* The edge's scrub (edge/scrub.h) found its own records damaged, inside retention
 * (R-K2.2.6d): what (fault), the camera, segment start and file for footage, the log index (the
 * altered entry; a segment's segment_recorded entry; the checkpoint's size for a root), the hash
 * that was expected (logged, or the cosigned root) and the one found, and a sentence. */
#define MM_FIELDS_integrity_fault(F, S)                                                            \
    F(S, ENUM, fault, mm_integrity, MM_F_REQ)                                                      \
    F(S, STR, camera, MM_ID_MAX, 0)                                                                \
    F(S, I64, start_us, 0, 0)                                                                      \
    F(S, STR, file, MM_TEXT_MAX, 0)                                                                \
    F(S, U64, index, 0, 0)                                                                         \
    F(S, HASHOPT, expected_hash, 0, 0)                                                             \
    F(S, HASHOPT, found_hash, 0, 0)                                                                \
    F(S, STR, detail, MM_TEXT_MAX, 0)

/* The edge's wall clock was stepped by more than its bound (common/clock.h): the wall time the
 * monotonic clock expected, the wall time read, and the step (read - expected, negative when the
 * clock went back). Logged once per jump; the segments in progress were cut at it. */
#define MM_FIELDS_clock_jumped(F, S)                                                               \
    F(S, I64, expected_us, 0, 0)                                                                   \
    F(S, I64, read_us, 0, 0)                                                                       \
    F(S, I64, step_us, 0, 0)

/* A segment of one camera's footage was written and closed. start_us and end_us are the
 * wall-clock times of the first frame and just past the last; the content hash is over the
 * coded frames (docs/protocol.md); recovered: rebuilt at restart from the complete chunks of an
 * unfinished segment. */
#define MM_FIELDS_segment_recorded(F, S)                                                           \
    F(S, STR, camera, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, I64, start_us, 0, 0)                                                                      \
    F(S, I64, end_us, 0, 0)                                                                        \
    F(S, U64, bytes, 0, 0)                                                                         \
    F(S, U32, frames, 0, 0)                                                                        \
    F(S, HASH, content_hash, 0, 0)                                                                 \
    F(S, STR, codec, 16, 0)                                                                        \
    F(S, BOOL, recovered, 0, 0)

/* A camera's recording was broken from start_us to end_us (end_us >= start_us). */
#define MM_FIELDS_camera_gap(F, S)                                                                 \
    F(S, STR, camera, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, I64, start_us, 0, 0)                                                                      \
    F(S, I64, end_us, 0, 0)                                                                        \
    F(S, STR, reason, MM_TEXT_MAX, 0)

/* How long a camera recorded in one hour, and how many gaps broke it. */
#define MM_FIELDS_camera_uptime(F, S)                                                              \
    F(S, STR, camera, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, I64, hour_start_us, 0, 0)                                                                 \
    F(S, I64, recorded_us, 0, 0)                                                                   \
    F(S, U32, gaps, 0, 0)

/* Segments of one camera erased: their range, count, bytes and content hashes; hold_id when a
 * released hold had kept them. */
#define MM_FIELDS_segments_erased(F, S)                                                            \
    F(S, STR, camera, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, I64, start_us, 0, 0)                                                                      \
    F(S, I64, end_us, 0, 0)                                                                        \
    F(S, U32, count, 0, 0)                                                                         \
    F(S, U64, bytes, 0, 0)                                                                         \
    F(S, HASHES, content_hashes, MM_ERASED_MAX, 0)                                                 \
    F(S, ENUM, reason, mm_erase_reason, MM_F_REQ)                                                  \
    F(S, STR, hold_id, MM_ID_MAX, 0)

/* A legal hold placed on a camera's range (R-K2.2.6b): a disclosure's (by "", expires_us 0),
 * or a site hold the manager `by` placed before any request, which the edge releases by itself
 * at expires_us. */
#define MM_FIELDS_hold_placed(F, S)                                                                \
    F(S, STR, hold_id, MM_ID_MAX, MM_F_REQ)                                                        \
    F(S, STR, camera, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, I64, start_us, 0, 0)                                                                      \
    F(S, I64, end_us, 0, 0)                                                                        \
    F(S, STR, reason, MM_TEXT_MAX, 0)                                                              \
    F(S, U32, segments, 0, 0)                                                                      \
    F(S, STR, by, MM_ID_MAX, MM_F_LATE)                                                            \
    F(S, I64, expires_us, 0, MM_F_LATE)

/* A hold released, by the person `by` ("" when the edge itself released it). */
#define MM_FIELDS_hold_released(F, S)                                                              \
    F(S, STR, hold_id, MM_ID_MAX, MM_F_REQ)                                                        \
    F(S, STR, reason, MM_TEXT_MAX, 0)                                                              \
    F(S, STR, by, MM_ID_MAX, MM_F_LATE)

/* The disk filled, a camera was stopped or resumed for it, or space came back. */
#define MM_FIELDS_storage_alarm(F, S)                                                              \
    F(S, ENUM, state, mm_alarm, MM_F_REQ)                                                          \
    F(S, STR, camera, MM_ID_MAX, 0)                                                                \
    F(S, U64, free_bytes, 0, 0)                                                                    \
    F(S, U64, total_bytes, 0, 0)                                                                   \
    F(S, STR, message, MM_TEXT_MAX, 0)

/* What share of a camera's view is public (R-K2.1.3b, R-N5): fractions of the frame in parts
 * per million; share = public / (frame - masked); threshold 0 when the policy sets none;
 * exception: the written reason for a share under the threshold. */
#define MM_FIELDS_camera_coverage(F, S)                                                            \
    F(S, STR, camera, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, U32, public_ppm, 0, MM_F_PPM)                                                             \
    F(S, U32, private_ppm, 0, MM_F_PPM)                                                            \
    F(S, U32, masked_ppm, 0, MM_F_PPM)                                                             \
    F(S, U32, share_ppm, 0, MM_F_PPM)                                                              \
    F(S, U32, threshold_ppm, 0, MM_F_PPM)                                                          \
    F(S, ENUM, policy, mm_policy, MM_F_REQ)                                                        \
    F(S, STR, exception, MM_LONG_TEXT_MAX, 0)

/* A call on the edge's control socket, allowed or refused (R-K2.2.3-4, R-N6.2, R-N7.2). The
 * caller is known by the peer credentials of the socket: uid and account ("uid:<n>" when the
 * uid has no name) always, person ("" when nobody the site knows) when the account is one of the
 * site's people. action: "status", "search", "playback", ...; camera "" and the range 0 when the
 * call names none; reason: why it was refused, or a note on what was done; a playback's purpose
 * and legal basis as the caller gave them (R-K2.2.5, R-N7.4), "" for other calls. count: 0 for
 * one call; else the number of refused calls of an account that is nobody the site knows, counted
 * in the minute since that account's last logged refusal and logged as one entry with the last
 * call's action and reason (edge/refusals.h). */
#define MM_FIELDS_access(F, S)                                                                     \
    F(S, STR, person, MM_ID_MAX, 0)                                                                \
    F(S, STR, account, 40, MM_F_REQ)                                                               \
    F(S, U32, uid, 0, 0)                                                                           \
    F(S, ENUM, role, mm_role, MM_F_REQ)                                                            \
    F(S, STR, action, 32, MM_F_REQ)                                                                \
    F(S, STR, camera, MM_ID_MAX, 0)                                                                \
    F(S, I64, start_us, 0, 0)                                                                      \
    F(S, I64, end_us, 0, 0)                                                                        \
    F(S, BOOL, allowed, 0, 0)                                                                      \
    F(S, STR, reason, MM_TEXT_MAX, 0)                                                              \
    F(S, STR, purpose, MM_LONG_TEXT_MAX, MM_F_LATE)                                                \
    F(S, ENUM, basis, mm_legal_basis, MM_F_LATE)                                                   \
    F(S, U32, count, 0, MM_F_LATE)

/* Who may do what changed (R-N6): person's role, changed by the manager `by`. Emergency grants
 * also carry the grant's id, its allowed actions and cameras (comma-separated, cameras "" for
 * all) and when it ends. */
#define MM_FIELDS_role_changed(F, S)                                                               \
    F(S, ENUM, change, mm_role_change, MM_F_REQ)                                                   \
    F(S, STR, person, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, STR, by, MM_ID_MAX, MM_F_REQ)                                                             \
    F(S, STR, grant_id, MM_ID_MAX, 0)                                                              \
    F(S, STR, actions, MM_TEXT_MAX, 0)                                                             \
    F(S, STR, cameras, MM_TEXT_MAX, 0)                                                             \
    F(S, I64, until_us, 0, 0)                                                                      \
    F(S, STR, reason, MM_LONG_TEXT_MAX, 0)

/* What the holder of an emergency grant did under it, reported to the manager (R-N6.3). */
#define MM_FIELDS_emergency_report(F, S)                                                           \
    F(S, STR, grant_id, MM_ID_MAX, MM_F_REQ)                                                       \
    F(S, STR, person, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, STR, text, MM_LONG_TEXT_MAX, MM_F_REQ)

/* Someone began or ended watching footage (R-K2.2.3-4); session ties the two together; the
 * range is the footage's; "ended" adds the bytes streamed and why it ended, and failure: why it
 * failed ("" when it did not). Both carry the purpose (R-K2.2.5, R-N7.4: a declared one, or
 * another with other_purpose set and the legal basis admitted for it), the player (a configured
 * player's name, or "@socket": the stream went to the caller) and the speed (1, 2, 4 or 8; the
 * edge paces the stream, R-N7.3). */
#define MM_FIELDS_viewing(F, S)                                                                    \
    F(S, ENUM, state, mm_viewing_state, MM_F_REQ)                                                  \
    F(S, STR, session, MM_ID_MAX, MM_F_REQ)                                                        \
    F(S, STR, person, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, STR, camera, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, I64, start_us, 0, 0)                                                                      \
    F(S, I64, end_us, 0, 0)                                                                        \
    F(S, U64, bytes, 0, 0)                                                                         \
    F(S, STR, reason, MM_TEXT_MAX, 0)                                                              \
    F(S, STR, purpose, MM_LONG_TEXT_MAX, MM_F_LATE)                                                \
    F(S, ENUM, basis, mm_legal_basis, MM_F_LATE)                                                   \
    F(S, STR, player, MM_ID_MAX, MM_F_LATE)                                                        \
    F(S, U32, speed, 0, MM_F_LATE)                                                                 \
    F(S, STR, failure, MM_TEXT_MAX, MM_F_LATE)                                                     \
    F(S, BOOL, other_purpose, 0, MM_F_LATE)

/* A camera suspended, resumed or abolished by the manager `by`: a filing for the city (R-N4.2). */
#define MM_FIELDS_camera_state(F, S)                                                               \
    F(S, STR, camera, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, ENUM, state, mm_cam_state, MM_F_REQ)                                                      \
    F(S, STR, by, MM_ID_MAX, MM_F_REQ)                                                             \
    F(S, STR, reason, MM_LONG_TEXT_MAX, 0)

/* The enforced configuration, and so its standards document, changed (R-N4.1-2, R-K2.2.7):
 * version 1 for the first; the SHA-256 of the generated Markdown document and of the
 * configuration file as loaded; summary: what changed, in words. */
#define MM_FIELDS_configuration_changed(F, S)                                                      \
    F(S, U32, version, 0, MM_F_VERSION)                                                            \
    F(S, HASH, document_hash, 0, 0)                                                                \
    F(S, HASH, config_hash, 0, 0)                                                                  \
    F(S, ENUM, policy, mm_policy, MM_F_REQ)                                                        \
    F(S, U32, cameras, 0, 0)                                                                       \
    F(S, STR, summary, MM_TEXT_MAX, 0)

/* What the site's configuration says about the site, as the city registers it: logged at start
 * when it differs from the last logged, and when the operators in force change. The hub builds
 * its registry and checks the rules from these (R-N4.1, R-N5, R-K2.1.3c, R-K2.2.2, R-N6.1).
 * floor_days: the least retention the site enforces (its policy's text's, or the city's rule's;
 * 0: none); manager: a person id; operators: the person ids in force, comma-separated;
 * contractors: [{"name": "...", "staff": ["id", ...]}]; timezone: the site's zone, an IANA name
 * ("" from a site that has not said: Asia/Tokyo); retention_rule: where the retention bounds
 * come from (the policy's clause, or the city's rule received; "" none), retention_max_days the
 * city rule's most (0: none), city_rule the id of the notice that carried it (policy.h); no_night_staff:
 * the site says nobody works there at night (a viewing at night is then a finding at the hub). */
#define MM_FIELDS_site_facts(F, S)                                                                 \
    F(S, ENUM, policy, mm_policy, MM_F_REQ)                                                        \
    F(S, U32, retention_days, 0, 0)                                                                \
    F(S, U32, registered_retention_days, 0, 0)                                                     \
    F(S, U32, floor_days, 0, 0)                                                                    \
    F(S, STR, installer_name, MM_LONG_TEXT_MAX, MM_F_REQ)                                          \
    F(S, STR, installer_address, MM_LONG_TEXT_MAX, 0)                                              \
    F(S, STR, installer_contact, MM_LONG_TEXT_MAX, 0)                                              \
    F(S, STR, purpose, MM_LONG_TEXT_MAX, 0)                                                        \
    F(S, STR, storage_location, MM_LONG_TEXT_MAX, 0)                                               \
    F(S, STR, consensus_date, 16, MM_F_DATE)                                                       \
    F(S, STR, land_permission_ref, MM_LONG_TEXT_MAX, 0)                                            \
    F(S, STR, land_permission_date, 16, MM_F_DATE)                                                 \
    F(S, STR, manager, MM_ID_MAX, 0)                                                               \
    F(S, STR, manager_name, MM_LONG_TEXT_MAX, 0)                                                   \
    F(S, STR, operators, MM_LONG_TEXT_MAX, 0)                                                      \
    F(S, STR, contractors, MM_LONG_TEXT_MAX, MM_F_JSON_ARRAY)                                      \
    F(S, U32, cameras, 0, 0)                                                                       \
    F(S, STR, timezone, 64, MM_F_LATE)                                                             \
    F(S, STR, retention_rule, MM_TEXT_MAX, MM_F_LATE)                                              \
    F(S, U32, retention_max_days, 0, MM_F_LATE)                                                    \
    F(S, STR, city_rule, MM_ID_MAX, MM_F_LATE)                                                     \
    F(S, BOOL, no_night_staff, 0, MM_F_LATE)

/* What the configuration says about one camera (R-K2.1.3b, R-K2.2.1, R-N5.1-4), logged at start
 * when it differs from the last logged: signage_text "" when there is no sign, signage_checked
 * "" when never. Its share is in camera_coverage, its state in camera_state. */
#define MM_FIELDS_camera_facts(F, S)                                                               \
    F(S, STR, camera, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, STR, location, MM_LONG_TEXT_MAX, MM_F_REQ)                                                \
    F(S, STR, purpose, MM_LONG_TEXT_MAX, MM_F_REQ)                                                 \
    F(S, STR, install_date, 16, MM_F_REQ | MM_F_DATE)                                              \
    F(S, STR, signage_text, MM_LONG_TEXT_MAX, 0)                                                   \
    F(S, BOOL, signage_installer_shown, 0, 0)                                                      \
    F(S, STR, signage_checked, 16, MM_F_DATE)

/* A city action, in the hub's own log (R-N10-12): who (person, with their role) did what to
 * which site's what (subject: the filing, finding, complaint, ... acted on; "" when none), and
 * why; detail "" or a JSON object with the action's particulars (hub/audit.h names them). */
#define MM_FIELDS_city_action(F, S)                                                                \
    F(S, STR, action, 32, MM_F_REQ)                                                                \
    F(S, STR, site, MM_ID_MAX, MM_F_REQ)                                                           \
    F(S, STR, subject, MM_ID_MAX, 0)                                                               \
    F(S, STR, person, MM_ID_MAX, MM_F_REQ)                                                         \
    F(S, STR, role, 16, MM_F_REQ)                                                                  \
    F(S, STR, reason, MM_LONG_TEXT_MAX, 0)                                                         \
    F(S, STR, detail, MM_LONG_TEXT_MAX, MM_F_JSON_OBJECT)

/* The site received something the city asks (wire.h CityRequest), logged once per request id
 * (R-N10.1, R-N12): when the city registered it, its deadline, and for report requests the
 * range, for complaint measures the complaint; for the city's notices (R-N4.2, R-N10.2, R-N11)
 * what the notice is about ("filing/<id>", "measure/<id>", "policy/<policy>") and its particulars
 * (a JSON object); for the city's rule (city_rule, R-N7.5) the retention it sets, in days (max 0:
 * none). */
#define MM_FIELDS_city_request(F, S)                                                               \
    F(S, STR, id, MM_ID_MAX, MM_F_REQ)                                                             \
    F(S, ENUM, kind, mm_request_kind, MM_F_REQ)                                                    \
    F(S, I64, city_time_us, 0, 0)                                                                  \
    F(S, I64, deadline_us, 0, 0)                                                                   \
    F(S, STR, camera, MM_ID_MAX, 0)                                                                \
    F(S, STR, text, MM_LONG_TEXT_MAX, 0)                                                           \
    F(S, I64, from_us, 0, 0)                                                                       \
    F(S, I64, to_us, 0, 0)                                                                         \
    F(S, STR, complaint, MM_ID_MAX, 0)                                                             \
    F(S, STR, subject, MM_ID_MAX, MM_F_LATE)                                                       \
    F(S, STR, detail, MM_LONG_TEXT_MAX, MM_F_JSON_OBJECT | MM_F_LATE)                              \
    F(S, U32, retention_days_min, 0, MM_F_LATE)                                                    \
    F(S, U32, retention_days_max, 0, MM_F_LATE)

/* The site answered a city request (R-N10.1, R-N12): by the person who answered ("" for the edge
 * itself: reports); a report request's report, compact JSON, with the base64 Ed25519 signature
 * of its bytes by the site key. */
#define MM_FIELDS_request_answered(F, S)                                                           \
    F(S, STR, id, MM_ID_MAX, MM_F_REQ)                                                             \
    F(S, ENUM, kind, mm_request_kind, MM_F_REQ)                                                    \
    F(S, STR, by, MM_ID_MAX, 0)                                                                    \
    F(S, STR, text, MM_LONG_TEXT_MAX, 0)                                                           \
    F(S, STR, report, MM_REPORT_MAX, MM_F_JSON_OBJECT)                                             \
    F(S, STR, report_signature, 128, 0)

/* A version of the standards filed with the city (R-N4.2): at once when the site files
 * automatically, or when the manager `by` files it ("" when automatic). */
#define MM_FIELDS_standards_filed(F, S)                                                            \
    F(S, U32, version, 0, MM_F_VERSION)                                                            \
    F(S, HASH, document_hash, 0, 0)                                                                \
    F(S, STR, by, MM_ID_MAX, 0)                                                                    \
    F(S, BOOL, automatic, 0, 0)

/* A step of a disclosure request at the site (vocab.h; R-K2.2.5, R-K2.2.6b, R-N7.4, R-N7.6,
 * R-N8), by a person ("" for the edge itself); cameras comma-separated; text: a note, a reason,
 * what failed; sha256 and manifest_sha256 (with the ciphertext's bytes) only for "exported";
 * regions "" or a JSON array of the regions kept clear. */
#define MM_FIELDS_disclosure(F, S)                                                                 \
    F(S, STR, request, MM_ID_MAX, MM_F_REQ)                                                        \
    F(S, ENUM, step, mm_disclosure_step, MM_F_REQ)                                                 \
    F(S, STR, by, MM_ID_MAX, 0)                                                                    \
    F(S, STR, cameras, MM_LONG_TEXT_MAX, 0)                                                        \
    F(S, I64, from_us, 0, 0)                                                                       \
    F(S, I64, to_us, 0, 0)                                                                         \
    F(S, ENUM, legal_basis, mm_legal_basis, 0)                                                     \
    F(S, STR, reference, MM_TEXT_MAX, 0)                                                           \
    F(S, STR, requester, MM_ID_MAX, 0)                                                             \
    F(S, STR, text, MM_LONG_TEXT_MAX, 0)                                                           \
    F(S, HASHOPT, sha256, 0, 0)                                                                    \
    F(S, U64, bytes, 0, 0)                                                                         \
    F(S, HASHOPT, manifest_sha256, 0, 0)                                                           \
    F(S, STR, regions, MM_LONG_TEXT_MAX, MM_F_JSON_ARRAY)

/* A step of a complaint received at the site (vocab.h; R-N12(1), R-N7.6): its id at the site,
 * when and how it was received, what it is about and the camera concerned ("" none), who recorded
 * the step, its text (the handling or the closing; "" for received) and the hub's complaint id when
 * it came through the city ("" else). Every step repeats the complaint's description. */
#define MM_FIELDS_site_complaint(F, S)                                                             \
    F(S, STR, id, MM_ID_MAX, MM_F_REQ)                                                             \
    F(S, ENUM, step, mm_complaint_step, MM_F_REQ)                                                  \
    F(S, I64, received_us, 0, 0)                                                                   \
    F(S, ENUM, channel, mm_complaint_channel, MM_F_REQ)                                            \
    F(S, STR, about, MM_LONG_TEXT_MAX, MM_F_REQ)                                                   \
    F(S, STR, camera, MM_ID_MAX, 0)                                                                \
    F(S, STR, by, MM_ID_MAX, MM_F_REQ)                                                             \
    F(S, STR, text, MM_LONG_TEXT_MAX, 0)                                                           \
    F(S, STR, hub_complaint, MM_ID_MAX, 0)

/* --- what the table makes ------------------------------------------------------------------- */

#define MM_MEMBER_STR(name, cap) char name[cap];
#define MM_MEMBER_ENUM(name, en) en##_t name;
#define MM_MEMBER_I64(name, unused) int64_t name;
#define MM_MEMBER_U64(name, unused) uint64_t name;
#define MM_MEMBER_U32(name, unused) uint32_t name;
#define MM_MEMBER_BOOL(name, unused) int name;
#define MM_MEMBER_HASH(name, unused) uint8_t name[32];
#define MM_MEMBER_HASHOPT(name, unused)                                                            \
    int has_##name;                                                                                \
    uint8_t name[32];
#define MM_MEMBER_HASHES(name, max)                                                                \
    size_t n_##name;                                                                               \
    uint8_t name[max][32];
#define MM_ENTRY_MEMBER_(S, type, name, arg, flags) MM_MEMBER_##type(name, arg)
#define MM_ENTRY_STRUCT_(num, ID, name, ctype)                                                     \
    typedef struct {                                                                               \
        MM_FIELDS_##name(MM_ENTRY_MEMBER_, ctype)                                                  \
    } ctype;
MM_ENTRY_KINDS(MM_ENTRY_STRUCT_)

#define MM_ENTRY_ENUM_(num, ID, name, ctype) MM_ENTRY_##ID = num,
typedef enum { MM_ENTRY_KINDS(MM_ENTRY_ENUM_) } mm_entry_kind_t;

#define MM_ENTRY_UNION_(num, ID, name, ctype) ctype name;
typedef struct {
    int64_t time_us;
    mm_entry_kind_t kind;
    union {
        MM_ENTRY_KINDS(MM_ENTRY_UNION_)
    } u;
} mm_entry_t;

/* --- the table, for code that handles every kind (tests, tools) ------------------------------ */

typedef enum {
    MM_FT_STR,
    MM_FT_ENUM,
    MM_FT_I64,
    MM_FT_U64,
    MM_FT_U32,
    MM_FT_BOOL,
    MM_FT_HASH,
    MM_FT_HASHOPT,
    MM_FT_HASHES,
} mm_field_type_t;

typedef struct {
    const char *name; /* the protobuf field's, the C member's and the JSON member's */
    mm_field_type_t type;
    unsigned flags;          /* MM_F_* */
    size_t offset;           /* of the member in the kind's struct */
    size_t size;             /* STR: the buffer (at most size - 1 bytes); HASHES: most hashes */
    size_t aux;              /* HASHOPT: offset of has_<name>; HASHES: of n_<name> */
    const mm_enum_t *values; /* ENUM: its names */
} mm_entry_field_t;

typedef struct {
    mm_entry_kind_t kind;
    const char *name; /* "segment_recorded" */
    size_t n_fields;
    const mm_entry_field_t *fields; /* in the order of the protobuf message */
    size_t size;                    /* of the kind's struct (its member of mm_entry_t's u) */
} mm_entry_kind_info_t;

/* The table's row for kind; NULL when kind is none. */
const mm_entry_kind_info_t *mm_entry_kind_info(mm_entry_kind_t kind);

/* Every kind in the table, in order: *n of them. */
const mm_entry_kind_info_t *mm_entry_kinds(size_t *n);

/* The protobuf field number of kind's i-th field (numbers need not run without gaps: a field
 * appended to a message takes the number it was assigned); 0 when there is no such field or the
 * table does not match the schema. */
uint32_t mm_entry_field_number(mm_entry_kind_t kind, size_t i);

/* --- encoding, decoding, names ------------------------------------------------------------- */

/*
 * Checks e against the table: a known kind, every string within its size, valid UTF-8 and
 * non-empty where required, every enumerated value one of its names, every field's rule (dates,
 * JSON texts, fractions, versions) and the kind's rules across fields. MM_OK or MM_EINVAL, with
 * the field and what is wrong with it in why (cap bytes; why may be NULL).
 */
mm_err_t mm_entry_validate(const mm_entry_t *e, char *why, size_t cap);

/* Encodes e into a malloc'd buffer. MM_EINVAL when mm_entry_validate refuses e, MM_ETOOBIG over
 * MM_LOG_ENTRY_MAX, MM_ENOMEM. */
mm_err_t mm_entry_encode(const mm_entry_t *e, uint8_t **out, size_t *len);

/*
 * Decodes an entry. MM_EPROTO when the bytes are not a LogEntry of a known kind, or a field is
 * out of its bounds (string too long, hash not 32 bytes) or breaks a rule that encode enforces,
 * MM_ETOOBIG over MM_LOG_ENTRY_MAX. Only out->u's member of the entry's kind is written (zeroed,
 * then filled): the rest of the union is left as it was.
 */
mm_err_t mm_entry_decode(const void *buf, size_t len, mm_entry_t *out);

/*
 * The kind and time of an entry from a look at its bytes that decodes nothing: for readers that
 * skip most entries (the registry, the feed, reports over a range). kind and time_us may be NULL.
 * MM_EPROTO when the bytes end inside a field or name no kind. Bytes that peek well may still
 * not decode: a reader that uses an entry decodes it.
 */
mm_err_t mm_entry_peek(const void *buf, size_t len, mm_entry_kind_t *kind, int64_t *time_us);

/* Stable lower-case name of a kind ("segment_recorded"), "unknown" otherwise. */
const char *mm_entry_kind_name(mm_entry_kind_t kind);

/* The kind named s; 0 (no kind) when s names none. */
mm_entry_kind_t mm_entry_kind_parse(const char *s);

/*
 * An entry as a JSON object for the API: {"time_us":..,"segment_recorded":{...},
 * "type":"segment_recorded"}, every field of the kind in the schema's order (but a MM_F_LATE
 * field that is empty or 0), enumerated values by
 * name, hashes in lower-case hex (an absent optional hash as ""), unsigned values above
 * INT64_MAX as decimal strings. The caller owns the reference; NULL when e does not validate.
 */
json_t *mm_entry_json(const mm_entry_t *e);

/* The same for entry bytes; NULL when the bytes do not decode. */
json_t *mm_entry_to_json(const void *buf, size_t len);

/*
 * The fields of an entry of kind (its C struct at s) added to o in the schema's order, written as
 * mm_entry_json writes them. Unlike mm_entry_json this does not validate: the hub's records keep
 * the facts of entries so, and write back what they read. 0, or -1 when kind is unknown or memory
 * runs out.
 */
int mm_entry_fields_json(json_t *o, mm_entry_kind_t kind, const void *s);

#endif
