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

#include "err.h"

#define MM_ID_MAX 64      /* camera, site and hold ids: at most 63 bytes */
#define MM_TEXT_MAX 256   /* reasons and messages: at most 255 bytes */
#define MM_LONG_TEXT_MAX 2048 /* written reasons people compose (an exception): 2047 bytes */
#define MM_ERASED_MAX 512 /* content hashes in one segments_erased entry */

typedef enum {
    MM_ENTRY_SEGMENT_RECORDED = 10,
    MM_ENTRY_CAMERA_GAP = 11,
    MM_ENTRY_CAMERA_UPTIME = 12,
    MM_ENTRY_SEGMENTS_ERASED = 13,
    MM_ENTRY_HOLD_PLACED = 14,
    MM_ENTRY_HOLD_RELEASED = 15,
    MM_ENTRY_STORAGE_ALARM = 16,
    MM_ENTRY_CAMERA_COVERAGE = 17,
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
    } u;
} mm_entry_t;

/* Encodes e into a malloc'd buffer. MM_EINVAL for an unknown kind or over-long strings. */
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
