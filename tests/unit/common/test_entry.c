/*
 * test_entry.c: site-log entries — encode/decode round trips, the JSON view field by field,
 * the exact bytes of a known entry, and entries the hub must refuse (hash not 32 bytes,
 * strings too long, with NUL or not UTF-8, no kind, too big). What encode accepts, decode
 * accepts: an edge must never append an entry the hub will refuse forever.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/entry.h"
#include "common/log.h"

static mm_entry_t sample(void)
{
    mm_entry_t e = {.time_us = 1795486419123456, .kind = MM_ENTRY_SEGMENT_RECORDED};
    mm_segment_recorded_t *s = &e.u.segment_recorded;
    strcpy(s->camera, "gate-1");
    s->start_us = 1795486400000000;
    s->end_us = 1795486410000000;
    s->bytes = 5242880;
    s->frames = 300;
    for (int i = 0; i < 32; i++)
        s->content_hash[i] = (uint8_t)(0xf0 + i);
    strcpy(s->codec, "hevc");
    return e;
}

/* Hand-written protobuf of a SegmentRecorded with the given camera and hash lengths. */
static size_t segment_bytes(uint8_t *out, const char *camera, size_t camlen, size_t hashlen)
{
    size_t n = 0, inner = 2 + camlen + 2 + hashlen;
    out[n++] = 0x08; /* time_us = 1 */
    out[n++] = 0x01;
    out[n++] = 0x52; /* field 10, length-delimited */
    out[n++] = (uint8_t)inner;
    out[n++] = 0x0a; /* camera */
    out[n++] = (uint8_t)camlen;
    memcpy(out + n, camera, camlen);
    n += camlen;
    out[n++] = 0x32; /* content_hash */
    out[n++] = (uint8_t)hashlen;
    memset(out + n, 0xab, hashlen);
    return n + hashlen;
}

static void segment_recorded_round_trip(void **state)
{
    (void)state;
    mm_entry_t e = sample(), back;
    uint8_t *buf, *again;
    size_t len, len2;
    assert_int_equal(mm_entry_encode(&e, &buf, &len), MM_OK);
    assert_int_equal(mm_entry_decode(buf, len, &back), MM_OK);
    assert_int_equal(back.kind, MM_ENTRY_SEGMENT_RECORDED);
    assert_int_equal(back.time_us, e.time_us);
    const mm_segment_recorded_t *a = &e.u.segment_recorded, *b = &back.u.segment_recorded;
    assert_string_equal(b->camera, a->camera);
    assert_int_equal(b->start_us, a->start_us);
    assert_int_equal(b->end_us, a->end_us);
    assert_int_equal(b->bytes, a->bytes);
    assert_int_equal(b->frames, a->frames);
    assert_memory_equal(b->content_hash, a->content_hash, 32);
    assert_string_equal(b->codec, a->codec);
    /* Encoding is a function of the entry: the same entry, the same leaf bytes. */
    assert_int_equal(mm_entry_encode(&back, &again, &len2), MM_OK);
    assert_int_equal(len2, len);
    assert_memory_equal(again, buf, len);
    free(again);
    free(buf);

    /* Negative times and the extremes of each integer survive. */
    e.time_us = -1;
    e.u.segment_recorded.start_us = INT64_MIN;
    e.u.segment_recorded.end_us = INT64_MAX;
    e.u.segment_recorded.bytes = UINT64_MAX;
    e.u.segment_recorded.frames = UINT32_MAX;
    e.u.segment_recorded.codec[0] = 0; /* an empty codec is allowed */
    assert_int_equal(mm_entry_encode(&e, &buf, &len), MM_OK);
    assert_int_equal(mm_entry_decode(buf, len, &back), MM_OK);
    assert_int_equal(back.time_us, -1);
    assert_true(back.u.segment_recorded.start_us == INT64_MIN);
    assert_true(back.u.segment_recorded.end_us == INT64_MAX);
    assert_true(back.u.segment_recorded.bytes == UINT64_MAX);
    assert_int_equal(back.u.segment_recorded.frames, UINT32_MAX);
    assert_string_equal(back.u.segment_recorded.codec, "");
    free(buf);
}

static void known_bytes(void **state)
{
    (void)state;
    /* The leaf bytes of a small entry, written out from the schema by hand. */
    mm_entry_t e = {.time_us = 1, .kind = MM_ENTRY_SEGMENT_RECORDED};
    strcpy(e.u.segment_recorded.camera, "c");
    e.u.segment_recorded.frames = 2;
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_entry_encode(&e, &buf, &len), MM_OK);
    static const uint8_t want[] = {
        0x08, 0x01,                         /* time_us = 1 */
        0x52, 0x27,                         /* segment_recorded, 39 bytes */
        0x0a, 0x01, 'c',                    /* camera */
        0x28, 0x02,                         /* frames = 2 */
        0x32, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, /* content_hash, 32 zero bytes */
        0,    0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    assert_int_equal(len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    free(buf);
}

static void json_view_fields(void **state)
{
    (void)state;
    mm_entry_t e = sample();
    e.time_us = -5; /* int64 fields are JSON integers, signed */
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_entry_encode(&e, &buf, &len), MM_OK);
    json_t *j = mm_entry_to_json(buf, len);
    assert_non_null(j);
    assert_true(json_is_integer(json_object_get(j, "time_us")));
    assert_int_equal(json_integer_value(json_object_get(j, "time_us")), -5);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "segment_recorded");
    json_t *s = json_object_get(j, "segment_recorded");
    assert_true(json_is_object(s));
    assert_int_equal(json_object_size(s), 8);
    assert_false(json_is_true(json_object_get(s, "recovered")));
    assert_string_equal(json_string_value(json_object_get(s, "camera")), "gate-1");
    assert_int_equal(json_integer_value(json_object_get(s, "start_us")), 1795486400000000);
    assert_int_equal(json_integer_value(json_object_get(s, "end_us")), 1795486410000000);
    assert_int_equal(json_integer_value(json_object_get(s, "bytes")), 5242880);
    assert_int_equal(json_integer_value(json_object_get(s, "frames")), 300);
    assert_string_equal(json_string_value(json_object_get(s, "content_hash")),
                        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f");
    assert_string_equal(json_string_value(json_object_get(s, "codec")), "hevc");
    json_decref(j);
    free(buf);

    /* A uint64 beyond JSON's signed range is written as a decimal string, not wrapped. */
    e.u.segment_recorded.bytes = UINT64_MAX;
    assert_int_equal(mm_entry_encode(&e, &buf, &len), MM_OK);
    j = mm_entry_to_json(buf, len);
    s = json_object_get(j, "segment_recorded");
    assert_string_equal(json_string_value(json_object_get(s, "bytes")), "18446744073709551615");
    json_decref(j);
    free(buf);
}

static void bad_entries_are_refused(void **state)
{
    (void)state;
    uint8_t buf[256];
    mm_entry_t d;
    size_t n;
    /* The hash must be exactly 32 bytes. */
    static const size_t hashlens[] = {0, 1, 31, 33, 64};
    for (size_t i = 0; i < sizeof hashlens / sizeof hashlens[0]; i++) {
        n = segment_bytes(buf, "cam", 3, hashlens[i]);
        assert_int_equal(mm_entry_decode(buf, n, &d), MM_EPROTO);
        assert_null(mm_entry_to_json(buf, n));
    }
    n = segment_bytes(buf, "cam", 3, 32);
    assert_int_equal(mm_entry_decode(buf, n, &d), MM_OK);
    json_t *j = mm_entry_to_json(buf, n);
    assert_non_null(j);
    json_decref(j);

    /* Camera: empty, 64 bytes, a NUL inside, not UTF-8. */
    char cam[64];
    memset(cam, 'c', sizeof cam);
    n = segment_bytes(buf, cam, 63, 32);
    assert_int_equal(mm_entry_decode(buf, n, &d), MM_OK);
    n = segment_bytes(buf, cam, 64, 32);
    assert_int_equal(mm_entry_decode(buf, n, &d), MM_EPROTO);
    n = segment_bytes(buf, "", 0, 32);
    assert_int_equal(mm_entry_decode(buf, n, &d), MM_EPROTO);
    n = segment_bytes(buf, "ca\0m", 4, 32);
    assert_int_equal(mm_entry_decode(buf, n, &d), MM_EPROTO);
    assert_null(mm_entry_to_json(buf, n));
    n = segment_bytes(buf, "ca\xc3", 3, 32);
    assert_int_equal(mm_entry_decode(buf, n, &d), MM_EPROTO);

    /* No kind, malformed bytes, too big. */
    static const uint8_t no_kind[] = {0x08, 0x01};
    assert_int_equal(mm_entry_decode(no_kind, sizeof no_kind, &d), MM_EPROTO);
    assert_null(mm_entry_to_json(no_kind, sizeof no_kind));
    static const uint8_t cut[] = {0x08, 0x01, 0x52, 0x10, 0x0a};
    assert_int_equal(mm_entry_decode(cut, sizeof cut, &d), MM_EPROTO);
    uint8_t *big = calloc(1, MM_LOG_ENTRY_MAX + 1);
    assert_non_null(big);
    assert_int_equal(mm_entry_decode(big, MM_LOG_ENTRY_MAX + 1, &d), MM_ETOOBIG);
    assert_null(mm_entry_to_json(big, MM_LOG_ENTRY_MAX + 1));
    free(big);

    /* The encoder refuses the same: it never writes what the hub would refuse. */
    mm_entry_t e = sample();
    uint8_t *out;
    size_t len;
    memset(e.u.segment_recorded.camera, 'c', MM_ID_MAX); /* no NUL within 64 bytes */
    assert_int_equal(mm_entry_encode(&e, &out, &len), MM_EINVAL);
    e = sample();
    e.u.segment_recorded.camera[0] = 0;
    assert_int_equal(mm_entry_encode(&e, &out, &len), MM_EINVAL);
    e = sample();
    strcpy(e.u.segment_recorded.camera, "ca\xc3");
    assert_int_equal(mm_entry_encode(&e, &out, &len), MM_EINVAL);
    e = sample();
    memset(e.u.segment_recorded.codec, 'h', sizeof e.u.segment_recorded.codec);
    assert_int_equal(mm_entry_encode(&e, &out, &len), MM_EINVAL);
    e = sample();
    e.kind = (mm_entry_kind_t)99;
    assert_int_equal(mm_entry_encode(&e, &out, &len), MM_EINVAL);

    assert_string_equal(mm_entry_kind_name(MM_ENTRY_SEGMENT_RECORDED), "segment_recorded");
    assert_string_equal(mm_entry_kind_name((mm_entry_kind_t)99), "unknown");
}

/* Encodes, decodes, and checks that decoding gives back exactly what was encoded. */
static void round_trip(const mm_entry_t *e)
{
    uint8_t *buf;
    size_t len;
    mm_entry_t *back = malloc(sizeof *back);
    assert_non_null(back);
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_OK);
    /* Decoded over what an earlier entry left: the kind's member is still all written. */
    memset(back, 0xa5, sizeof *back);
    assert_int_equal(mm_entry_decode(buf, len, back), MM_OK);
    assert_int_equal(back->kind, e->kind);
    assert_int_equal(back->time_us, e->time_us);
    json_t *j = mm_entry_to_json(buf, len);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")), mm_entry_kind_name(e->kind));
    json_decref(j);
    free(buf);
    /* Every field compared: the structs were zeroed before filling, and decode zeroes the
     * kind's member (only it: the rest of the union is left as it was). */
    assert_memory_equal(&back->u, &e->u, mm_entry_kind_info(e->kind)->size);
    free(back);
}

static mm_entry_t *zeroed(mm_entry_kind_t kind)
{
    mm_entry_t *e = calloc(1, sizeof *e);
    assert_non_null(e);
    e->time_us = 1795486419000000;
    e->kind = kind;
    return e;
}

/* Every kind of issue 3 (gap, uptime, erasure, holds, storage alarms) survives the trip. */
static void recorder_kinds_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_SEGMENT_RECORDED);
    *e = sample();
    e->u.segment_recorded.recovered = 1;
    round_trip(e);
    free(e);

    e = zeroed(MM_ENTRY_CAMERA_GAP);
    strcpy(e->u.camera_gap.camera, "gate-1");
    e->u.camera_gap.start_us = 1795486400000000;
    e->u.camera_gap.end_us = 1795486412500000;
    strcpy(e->u.camera_gap.reason, "timeout: no packet for 5 s");
    round_trip(e);
    e->u.camera_gap.end_us = e->u.camera_gap.start_us - 1; /* ends before it starts */
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    free(e);

    e = zeroed(MM_ENTRY_CAMERA_UPTIME);
    strcpy(e->u.camera_uptime.camera, "gate-1");
    e->u.camera_uptime.hour_start_us = 1795485600000000;
    e->u.camera_uptime.recorded_us = 3587000000;
    e->u.camera_uptime.gaps = 2;
    round_trip(e);
    free(e);

    e = zeroed(MM_ENTRY_SEGMENTS_ERASED);
    mm_segments_erased_t *x = &e->u.segments_erased;
    strcpy(x->camera, "gate-1");
    x->start_us = 1795400000000000;
    x->end_us = 1795403600000000;
    x->count = MM_ERASED_MAX;
    x->bytes = 123456789;
    x->n_content_hashes = MM_ERASED_MAX;
    for (size_t i = 0; i < MM_ERASED_MAX; i++)
        memset(x->content_hashes[i], (int)i, 32);
    x->reason = MM_ERASE_REASON_HOLD_RELEASED;
    strcpy(x->hold_id, "req-2026-0042");
    round_trip(e);
    x->n_content_hashes = MM_ERASED_MAX + 1;
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    x->n_content_hashes = 0;
    x->reason = (mm_erase_reason_t)MM_ERASE_REASON_COUNT; /* no reason */
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    free(e);

    e = zeroed(MM_ENTRY_HOLD_PLACED);
    strcpy(e->u.hold_placed.hold_id, "req-2026-0042");
    strcpy(e->u.hold_placed.camera, "gate-1");
    e->u.hold_placed.start_us = 1795400000000000;
    e->u.hold_placed.end_us = 1795400600000000;
    strcpy(e->u.hold_placed.reason, "捜査関係事項照会");
    e->u.hold_placed.segments = 60;
    round_trip(e);
    e->u.hold_placed.hold_id[0] = 0;
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    free(e);

    e = zeroed(MM_ENTRY_HOLD_RELEASED);
    strcpy(e->u.hold_released.hold_id, "req-2026-0042");
    strcpy(e->u.hold_released.reason, "denied");
    round_trip(e);
    free(e);

    e = zeroed(MM_ENTRY_STORAGE_ALARM);
    e->u.storage_alarm.state = MM_ALARM_CAMERA_STOPPED;
    strcpy(e->u.storage_alarm.camera, "lobby");
    e->u.storage_alarm.free_bytes = 1024;
    e->u.storage_alarm.total_bytes = 1 << 30;
    strcpy(e->u.storage_alarm.message, "nothing may be erased to make room");
    round_trip(e);
    e->u.storage_alarm.state = (mm_alarm_t)MM_ALARM_COUNT;
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    free(e);
}

/* camera_coverage (R-K2.1.3a): round trip, and fractions over a million parts refused. */
static void camera_coverage_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_CAMERA_COVERAGE);
    mm_camera_coverage_t *c = &e->u.camera_coverage;
    strcpy(c->camera, "gate-1");
    c->policy = MM_POLICY_KAWAGUCHI;
    c->public_ppm = 600000;
    c->private_ppm = 350000;
    c->masked_ppm = 50000;
    c->share_ppm = 631579;
    c->threshold_ppm = 500000;
    memset(c->exception, 'a', sizeof c->exception - 1); /* the longest written reason */
    round_trip(e);
    uint8_t *buf;
    size_t len;
    c->share_ppm = 1000001;
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    c->share_ppm = 631579;
    c->policy = (mm_policy_t)MM_POLICY_COUNT; /* no policy */
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    free(e);
}

/*
 * Sets a string field and zeroes the rest of its buffer, as decode leaves it: round_trip compares
 * whole structs, so a shorter string written over a longer one must not leave the tail behind.
 */
static void set_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    assert_true(n < cap);
    memset(dst, 0, cap);
    memcpy(dst, src, n);
}

#define SET(dst, src) set_str((dst), sizeof(dst), (src))

/* The value named src of enumeration en, or one past its last value when src names none. */
static int name_value(const mm_enum_t *en, const char *src)
{
    int v = mm_enum_value(en, src);
    return v < 0 ? en->count : v;
}

#define SETE(dst, en, src) ((dst) = name_value(&en##_enum, (src)))

/* Expects encode to refuse e with MM_EINVAL. */
static void refused(const mm_entry_t *e)
{
    uint8_t *buf = NULL;
    size_t len;
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    assert_null(buf);
}

/* Encodes e and returns its bytes (the caller frees them): a start for hand-altered bytes. */
static uint8_t *encoded(const mm_entry_t *e, size_t *len)
{
    uint8_t *buf;
    assert_int_equal(mm_entry_encode(e, &buf, len), MM_OK);
    return buf;
}

/*
 * access (R-K2.2.3-4, R-N6.2): a call on the control socket, allowed or refused, survives the
 * trip with every field; the role must be one the site knows; account, role and action are
 * required, person, camera and reason are not.
 */
static void access_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_ACCESS);
    mm_access_t *a = &e->u.access;
    SET(a->person, "tanaka");
    SET(a->account, "tanaka");
    a->uid = 1001;
    SETE(a->role, mm_role, "operator");
    SET(a->action, "playback");
    SET(a->camera, "gate-1");
    a->start_us = 1795486400000000;
    a->end_us = 1795486700000000;
    a->allowed = 1;
    SET(a->reason, "捜査関係事項照会 2026-0042");
    round_trip(e);

    /* Someone the site does not know, refused: person and camera empty, allowed false. */
    SET(a->person, "");
    SET(a->camera, "");
    SET(a->account, "uid:4242");
    a->uid = 4242;
    SETE(a->role, mm_role, "none");
    a->start_us = a->end_us = 0;
    a->allowed = 0;
    SET(a->reason, "not one of the site's people");
    round_trip(e);
    static const char *const roles[] = {"manager", "operator", "emergency"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        SETE(a->role, mm_role, roles[i]);
        round_trip(e);
    }

    SETE(a->role, mm_role, "admin"); /* not a role */
    refused(e);
    SETE(a->role, mm_role, "Manager"); /* roles are matched exactly */
    refused(e);
    SETE(a->role, mm_role, "");
    refused(e);
    SETE(a->role, mm_role, "none");
    SET(a->account, "");
    refused(e);
    SET(a->account, "uid:4242");
    SET(a->action, "");
    refused(e);
    memset(a->account, 'a', sizeof a->account); /* no NUL within the buffer */
    SET(a->action, "status");
    refused(e);
    free(e);
}

/*
 * role_changed (R-N6.1, R-N7.2): a designation and an emergency grant survive the trip; the
 * change must be one of the four; change, person and by are required.
 */
static void role_changed_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_ROLE_CHANGED);
    mm_role_changed_t *r = &e->u.role_changed;
    SETE(r->change, mm_role_change, "operator_designated");
    SET(r->person, "tanaka");
    SET(r->by, "suzuki");
    round_trip(e);

    SETE(r->change, mm_role_change, "emergency_granted");
    SET(r->person, "police-1");
    SET(r->grant_id, "g-2026-0007");
    SET(r->actions, "search,playback");
    SET(r->cameras, "gate-1,lobby");
    r->until_us = 1795490000000000;
    memset(r->reason, 'r', sizeof r->reason - 1); /* the longest written reason */
    round_trip(e);
    static const char *const changes[] = {"operator_revoked", "emergency_revoked"};
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        SETE(r->change, mm_role_change, changes[i]);
        round_trip(e);
    }

    SETE(r->change, mm_role_change, "operator_promoted");
    refused(e);
    SETE(r->change, mm_role_change, "");
    refused(e);
    SETE(r->change, mm_role_change, "emergency_revoked");
    SET(r->by, ""); /* a change always has a manager behind it */
    refused(e);
    SET(r->by, "suzuki");
    SET(r->person, "");
    refused(e);
    SET(r->person, "police-1");
    memset(r->reason, 'r', sizeof r->reason); /* 2048 bytes: one too many */
    refused(e);
    free(e);
}

/* emergency_report (R-N6.3): grant, person and text are all required. */
static void emergency_report_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_EMERGENCY_REPORT);
    mm_emergency_report_t *r = &e->u.emergency_report;
    SET(r->grant_id, "g-2026-0007");
    SET(r->person, "police-1");
    memset(r->text, 't', sizeof r->text - 1);
    round_trip(e);
    SET(r->text, "viewed gate-1 from 02:10 to 02:25 for the reported break-in");
    round_trip(e);

    SET(r->text, "");
    refused(e);
    SET(r->text, "x");
    SET(r->grant_id, "");
    refused(e);
    SET(r->grant_id, "g-2026-0007");
    SET(r->person, "");
    refused(e);
    free(e);
}

/*
 * viewing (R-K2.2.3-4): a started and an ended viewing survive the trip; the state is
 * "started" or "ended"; state, session, person and camera are required.
 */
static void viewing_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_VIEWING);
    mm_viewing_t *v = &e->u.viewing;
    SETE(v->state, mm_viewing_state, "started");
    SET(v->session, "v-81f3");
    SET(v->person, "tanaka");
    SET(v->camera, "gate-1");
    v->start_us = 1795486400000000;
    v->end_us = 1795486700000000;
    round_trip(e);
    SETE(v->state, mm_viewing_state, "ended");
    v->bytes = UINT64_MAX;
    SET(v->reason, "viewer closed");
    round_trip(e);

    SETE(v->state, mm_viewing_state, "paused");
    refused(e);
    SETE(v->state, mm_viewing_state, "ended");
    SET(v->session, "");
    refused(e);
    SET(v->session, "v-81f3");
    SET(v->person, "");
    refused(e);
    SET(v->person, "tanaka");
    SET(v->camera, "");
    refused(e);
    free(e);
}

/*
 * camera_state (R-N4.2): each of the three filings survives the trip; camera, state and the
 * manager are required.
 */
static void camera_state_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_CAMERA_STATE);
    mm_camera_state_t *c = &e->u.camera_state;
    SET(c->camera, "gate-1");
    SET(c->by, "suzuki");
    static const char *const states[] = {"suspended", "resumed", "abolished"};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        SETE(c->state, mm_cam_state, states[i]);
        round_trip(e);
    }
    memset(c->reason, 'r', sizeof c->reason - 1);
    round_trip(e);

    SETE(c->state, mm_cam_state, "removed");
    refused(e);
    SETE(c->state, mm_cam_state, "");
    refused(e);
    SETE(c->state, mm_cam_state, "abolished");
    SET(c->by, "");
    refused(e);
    SET(c->by, "suzuki");
    SET(c->camera, "");
    refused(e);
    free(e);
}

/* Sets the version of an encoded configuration_changed: its first field, as a one-byte varint. */
static void set_config_version(uint8_t *buf, size_t len, uint8_t version)
{
    /* time_us (1 + 8 bytes), the oneof's tag (2 bytes) and length (1 byte), then version. */
    assert_true(len > 14);
    assert_int_equal(buf[12], 0x08);
    buf[13] = version;
}

/*
 * configuration_changed (R-N4.1-2): the version and both hashes survive the trip, and show in
 * the JSON view as an integer and hex; version 0 and an empty policy are refused.
 */
static void configuration_changed_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_CONFIGURATION_CHANGED);
    mm_configuration_changed_t *c = &e->u.configuration_changed;
    c->version = 1;
    for (int i = 0; i < 32; i++) {
        c->document_hash[i] = (uint8_t)i;
        c->config_hash[i] = (uint8_t)(0xe0 + i);
    }
    SETE(c->policy, mm_policy, "kawaguchi");
    c->cameras = 4;
    SET(c->summary, "first configuration");
    round_trip(e);

    size_t len;
    uint8_t *buf = encoded(e, &len);
    json_t *j = mm_entry_to_json(buf, len);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "configuration_changed");
    json_t *o = json_object_get(j, "configuration_changed");
    assert_int_equal(json_object_size(o), 6);
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(o, "document_hash")),
                        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    assert_string_equal(json_string_value(json_object_get(o, "config_hash")),
                        "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    assert_string_equal(json_string_value(json_object_get(o, "policy")), "kawaguchi");
    assert_int_equal(json_integer_value(json_object_get(o, "cameras")), 4);
    assert_string_equal(json_string_value(json_object_get(o, "summary")), "first configuration");
    json_decref(j);

    /* The same bytes with version 0 are refused by decode as encode refuses them. */
    mm_entry_t *d = malloc(sizeof *d);
    assert_non_null(d);
    set_config_version(buf, len, 0);
    assert_int_equal(mm_entry_decode(buf, len, d), MM_EPROTO);
    assert_null(mm_entry_to_json(buf, len));
    set_config_version(buf, len, 2);
    assert_int_equal(mm_entry_decode(buf, len, d), MM_OK);
    assert_int_equal(d->u.configuration_changed.version, 2);
    free(buf);
    free(d);

    c->version = UINT32_MAX;
    SET(c->summary, ""); /* the summary may be empty */
    SETE(c->policy, mm_policy, "naha");
    round_trip(e);
    c->version = 0;
    refused(e);
    c->version = 2;
    SETE(c->policy, mm_policy, "");
    refused(e);
    free(e);
}

/* Hand-written configuration_changed with hashes of the given lengths and policy "naha". */
static size_t config_bytes(uint8_t *out, size_t doclen, size_t cfglen)
{
    size_t n = 0;
    out[n++] = 0x08; /* time_us = 1 */
    out[n++] = 0x01;
    out[n++] = 0xba; /* configuration_changed (23), length-delimited: a two-byte tag */
    out[n++] = 0x01;
    out[n++] = (uint8_t)(2 + 2 + doclen + 2 + cfglen + 6);
    out[n++] = 0x08; /* version 1 */
    out[n++] = 0x01;
    out[n++] = 0x12; /* document_hash */
    out[n++] = (uint8_t)doclen;
    memset(out + n, 0xab, doclen);
    n += doclen;
    out[n++] = 0x1a; /* config_hash */
    out[n++] = (uint8_t)cfglen;
    memset(out + n, 0xcd, cfglen);
    n += cfglen;
    out[n++] = 0x22; /* policy "naha" */
    out[n++] = 0x04;
    memcpy(out + n, "naha", 4);
    return n + 4;
}

/* Hand-written access with the given role and account "a", action "status". */
static size_t access_bytes(uint8_t *out, const char *role)
{
    size_t n = 0, rl = strlen(role);
    out[n++] = 0x08; /* time_us = 1 */
    out[n++] = 0x01;
    out[n++] = 0x92; /* access (18), length-delimited: a two-byte tag */
    out[n++] = 0x01;
    out[n++] = (uint8_t)(3 + 2 + rl + 8);
    out[n++] = 0x12; /* account "a" */
    out[n++] = 0x01;
    out[n++] = 'a';
    out[n++] = 0x22; /* role */
    out[n++] = (uint8_t)rl;
    memcpy(out + n, role, rl);
    n += rl;
    out[n++] = 0x2a; /* action "status" */
    out[n++] = 0x06;
    memcpy(out + n, "status", 6);
    return n + 6;
}

/*
 * What the hub decodes of the new kinds: hashes of exactly 32 bytes (R-N4.1-2), roles the site
 * knows (R-N6.2). Bytes another encoder might write are refused as ours would be.
 */
static void new_kinds_refused_on_decode(void **state)
{
    (void)state;
    uint8_t buf[128];
    mm_entry_t *d = malloc(sizeof *d);
    assert_non_null(d);
    assert_int_equal(mm_entry_decode(buf, config_bytes(buf, 32, 32), d), MM_OK);
    assert_int_equal(d->kind, MM_ENTRY_CONFIGURATION_CHANGED);
    assert_int_equal(d->u.configuration_changed.policy, MM_POLICY_NAHA);
    assert_int_equal(d->u.configuration_changed.document_hash[31], 0xab);
    assert_int_equal(d->u.configuration_changed.config_hash[0], 0xcd);
    static const size_t bad[] = {0, 31, 33};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(mm_entry_decode(buf, config_bytes(buf, bad[i], 32), d), MM_EPROTO);
        assert_int_equal(mm_entry_decode(buf, config_bytes(buf, 32, bad[i]), d), MM_EPROTO);
        assert_null(mm_entry_to_json(buf, config_bytes(buf, 32, bad[i])));
    }

    assert_int_equal(mm_entry_decode(buf, access_bytes(buf, "emergency"), d), MM_OK);
    assert_int_equal(d->kind, MM_ENTRY_ACCESS);
    assert_int_equal(d->u.access.role, MM_ROLE_EMERGENCY);
    assert_false(d->u.access.allowed);
    assert_int_equal(mm_entry_decode(buf, access_bytes(buf, "root"), d), MM_EPROTO);
    assert_int_equal(mm_entry_decode(buf, access_bytes(buf, ""), d), MM_EPROTO);
    assert_null(mm_entry_to_json(buf, access_bytes(buf, "root")));
    free(d);

    assert_string_equal(mm_entry_kind_name(MM_ENTRY_ACCESS), "access");
    assert_string_equal(mm_entry_kind_name(MM_ENTRY_ROLE_CHANGED), "role_changed");
    assert_string_equal(mm_entry_kind_name(MM_ENTRY_EMERGENCY_REPORT), "emergency_report");
    assert_string_equal(mm_entry_kind_name(MM_ENTRY_VIEWING), "viewing");
    assert_string_equal(mm_entry_kind_name(MM_ENTRY_CAMERA_STATE), "camera_state");
    assert_string_equal(mm_entry_kind_name(MM_ENTRY_CONFIGURATION_CHANGED),
                        "configuration_changed");
}

/* Replaces the first occurrence of from in buf by to, of the same length. */
static void patch(uint8_t *buf, size_t len, const char *from, const char *to)
{
    size_t n = strlen(from);
    assert_int_equal(strlen(to), n);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(buf + i, from, n) == 0) {
            memcpy(buf + i, to, n);
            return;
        }
    fail_msg("\"%s\" is not in the bytes", from);
}

/* Expects decode to refuse the bytes of e with from replaced by to, and the JSON view too. */
static void refused_on_decode(const mm_entry_t *e, const char *from, const char *to)
{
    size_t len;
    uint8_t *buf = encoded(e, &len);
    mm_entry_t *d = malloc(sizeof *d);
    assert_non_null(d);
    assert_int_equal(mm_entry_decode(buf, len, d), MM_OK);
    patch(buf, len, from, to);
    assert_int_equal(mm_entry_decode(buf, len, d), MM_EPROTO);
    assert_null(mm_entry_to_json(buf, len));
    free(d);
    free(buf);
}

static void site_facts_sample(mm_site_facts_t *f)
{
    SETE(f->policy, mm_policy, "kawaguchi");
    f->retention_days = 7;
    f->registered_retention_days = 14;
    f->floor_days = 7;
    SET(f->installer_name, "中央通り商店街振興組合");
    SET(f->installer_address, "川口市中央通り 1-2-3");
    SET(f->installer_contact, "048-000-0000");
    SET(f->purpose, "防犯");
    SET(f->storage_location, "組合事務所 2 階");
    SET(f->consensus_date, "2026-03-01");
    SET(f->land_permission_ref, "許可 2026-17");
    SET(f->land_permission_date, "2026-03-10");
    SET(f->manager, "tanaka");
    SET(f->manager_name, "田中一郎");
    SET(f->operators, "suzuki,sato");
    SET(f->contractors, "[{\"name\":\"東京警備株式会社\",\"staff\":[\"sato\"]}]");
    f->cameras = 4;
}

/*
 * site_facts (R-N4.1, R-N5, R-K2.2.2, R-N6.1): what the city registers survives the trip and
 * shows in the JSON view; the policy must be one of the two, the installer named, dates
 * "YYYY-MM-DD" or empty, contractors empty or a JSON array. Decode refuses what encode refuses.
 */
static void site_facts_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_SITE_FACTS);
    mm_site_facts_t *f = &e->u.site_facts;
    site_facts_sample(f);
    round_trip(e);

    size_t len;
    uint8_t *buf = encoded(e, &len);
    json_t *j = mm_entry_to_json(buf, len);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "site_facts");
    json_t *o = json_object_get(j, "site_facts");
    assert_int_equal(json_object_size(o), 17); /* the late fields, empty, are left out */
    assert_null(json_object_get(o, "retention_rule"));
    assert_null(json_object_get(o, "city_rule"));
    assert_string_equal(json_string_value(json_object_get(o, "operators")), "suzuki,sato");
    assert_int_equal(json_integer_value(json_object_get(o, "floor_days")), 7);
    json_decref(j);
    free(buf);

    /* What may be empty: all but the policy and the installer's name (naha, nothing given). */
    SETE(f->policy, mm_policy, "naha");
    f->retention_days = f->registered_retention_days = f->floor_days = 1;
    SET(f->installer_address, "");
    SET(f->installer_contact, "");
    SET(f->purpose, "");
    SET(f->storage_location, "");
    SET(f->consensus_date, "");
    SET(f->land_permission_ref, "");
    SET(f->land_permission_date, "");
    SET(f->manager, "");
    SET(f->manager_name, "");
    SET(f->operators, "");
    SET(f->contractors, "");
    f->cameras = 0;
    round_trip(e);
    SET(f->contractors, "[]");
    round_trip(e);
    memset(f->installer_address, 'a', sizeof f->installer_address - 1); /* 2047 bytes */
    round_trip(e);

    site_facts_sample(f);
    SETE(f->policy, mm_policy, "tokyo");
    refused(e);
    SETE(f->policy, mm_policy, "");
    refused(e);
    site_facts_sample(f);
    SET(f->installer_name, "");
    refused(e);
    site_facts_sample(f);
    memset(f->purpose, 'p', sizeof f->purpose); /* 2048 bytes: one too many */
    refused(e);
    static const char *const bad_dates[] = {"2026-3-01",  "2026/03/01", "26-03-01",
                                            "2026-03-01x", "２026-03-01", " 2026-03-01"};
    for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++) {
        site_facts_sample(f);
        SET(f->consensus_date, bad_dates[i]);
        refused(e);
        site_facts_sample(f);
        SET(f->land_permission_date, bad_dates[i]);
        refused(e);
    }
    static const char *const bad_json[] = {"{\"name\":\"x\"}", "[", "[1,]", "\"x\"", "null",
                                           "[] []", "none"};
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        site_facts_sample(f);
        SET(f->contractors, bad_json[i]);
        refused(e);
    }

    /* Another encoder's bytes: refused by decode as ours are by encode. */
    site_facts_sample(f);
    refused_on_decode(e, "kawaguchi", "kawaguchu");
    refused_on_decode(e, "2026-03-10", "2026-03-1x");
    SET(f->contractors, "[1]");
    refused_on_decode(e, "[1]", "{1}");
    refused_on_decode(e, "[1]", "[1,");
    SET(f->contractors, "[]");
    refused_on_decode(e, "[]", "{}"); /* JSON, but not an array */
    free(e);
}

/*
 * camera_facts (R-K2.1.3b, R-K2.2.1, R-N5.1-4): a camera's place, purpose and sign survive the
 * trip; camera, location, purpose and install date are required; dates are "YYYY-MM-DD".
 */
static void camera_facts_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_CAMERA_FACTS);
    mm_camera_facts_t *c = &e->u.camera_facts;
    SET(c->camera, "gate-1");
    SET(c->location, "中央通り 3 番地 街灯柱");
    SET(c->purpose, "防犯");
    SET(c->install_date, "2026-04-10");
    SET(c->signage_text, "防犯カメラ作動中 設置者 中央通り商店街振興組合");
    c->signage_installer_shown = 1;
    SET(c->signage_checked, "2026-04-15");
    round_trip(e);

    size_t len;
    uint8_t *buf = encoded(e, &len);
    json_t *j = mm_entry_to_json(buf, len);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "camera_facts");
    json_t *o = json_object_get(j, "camera_facts");
    assert_int_equal(json_object_size(o), 7);
    assert_true(json_is_true(json_object_get(o, "signage_installer_shown")));
    assert_string_equal(json_string_value(json_object_get(o, "install_date")), "2026-04-10");
    json_decref(j);
    free(buf);

    /* No sign, never checked. */
    SET(c->signage_text, "");
    c->signage_installer_shown = 0;
    SET(c->signage_checked, "");
    round_trip(e);
    memset(c->location, 'l', sizeof c->location - 1);
    round_trip(e);

    SET(c->location, "");
    refused(e);
    SET(c->location, "中央通り");
    SET(c->purpose, "");
    refused(e);
    SET(c->purpose, "防犯");
    SET(c->camera, "");
    refused(e);
    SET(c->camera, "gate-1");
    SET(c->install_date, ""); /* required */
    refused(e);
    SET(c->install_date, "2026-4-10");
    refused(e);
    SET(c->install_date, "2026-04-10");
    SET(c->signage_checked, "yesterday");
    refused(e);
    SET(c->signage_checked, "2026-04-15");
    round_trip(e);

    refused_on_decode(e, "2026-04-10", "2026-04-1o");
    refused_on_decode(e, "2026-04-15", "2026_04-15");
    free(e);

    assert_string_equal(mm_entry_kind_name(MM_ENTRY_SITE_FACTS), "site_facts");
    assert_string_equal(mm_entry_kind_name(MM_ENTRY_CAMERA_FACTS), "camera_facts");
}

/* Hand-written segments_erased with one content hash of hashlen bytes. */
static size_t erased_bytes(uint8_t *out, size_t hashlen)
{
    size_t n = 0;
    out[n++] = 0x08; /* time_us = 1 */
    out[n++] = 0x01;
    out[n++] = 0x6a; /* segments_erased (13), length-delimited */
    out[n++] = (uint8_t)(3 + 2 + hashlen + 11);
    out[n++] = 0x0a; /* camera "c" */
    out[n++] = 0x01;
    out[n++] = 'c';
    out[n++] = 0x32; /* content_hashes */
    out[n++] = (uint8_t)hashlen;
    memset(out + n, 0xab, hashlen);
    n += hashlen;
    out[n++] = 0x3a; /* reason "retention" */
    out[n++] = 0x09;
    memcpy(out + n, "retention", 9);
    return n + 9;
}

/* A segments_erased entry with a hash that is not 32 bytes is refused by decode. */
static void erased_hash_length_checked(void **state)
{
    (void)state;
    uint8_t buf[128];
    mm_entry_t *d = malloc(sizeof *d);
    assert_non_null(d);
    assert_int_equal(mm_entry_decode(buf, erased_bytes(buf, 32), d), MM_OK);
    assert_int_equal(d->u.segments_erased.n_content_hashes, 1);
    assert_int_equal(d->u.segments_erased.reason, MM_ERASE_REASON_RETENTION);
    assert_int_equal(mm_entry_decode(buf, erased_bytes(buf, 31), d), MM_EPROTO);
    assert_int_equal(mm_entry_decode(buf, erased_bytes(buf, 33), d), MM_EPROTO);
    free(d);
}

/* standards_filed (R-N4.2): round trip; version 0 refused; city_action and the request kinds
 * round trip too (R-N10-12). */
static void standards_filed_and_city_kinds_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_STANDARDS_FILED);
    e->u.standards_filed.version = 3;
    memset(e->u.standards_filed.document_hash, 0xab, 32);
    strcpy(e->u.standards_filed.by, "tanaka");
    round_trip(e);
    memset(e->u.standards_filed.by, 0, sizeof e->u.standards_filed.by);
    e->u.standards_filed.automatic = 1;
    round_trip(e);
    uint8_t *buf;
    size_t len;
    e->u.standards_filed.version = 0;
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    free(e);

    e = zeroed(MM_ENTRY_CITY_ACTION);
    strcpy(e->u.city_action.action, "filing_accepted");
    strcpy(e->u.city_action.site, "site-a");
    strcpy(e->u.city_action.subject, "12");
    strcpy(e->u.city_action.person, "desk-1");
    strcpy(e->u.city_action.role, "oversight");
    strcpy(e->u.city_action.detail, "{\"findings\":[1,2]}");
    round_trip(e);
    strcpy(e->u.city_action.detail, "[1]"); /* detail is an object or nothing */
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    free(e);

    e = zeroed(MM_ENTRY_CITY_REQUEST);
    strcpy(e->u.city_request.id, "complaint-1");
    e->u.city_request.kind = MM_REQUEST_KIND_COMPLAINT;
    strcpy(e->u.city_request.text, "まぶしい");
    e->u.city_request.deadline_us = 5;
    round_trip(e);
    e->u.city_request.kind = (mm_request_kind_t)MM_REQUEST_KIND_COUNT; /* no name: "gossip" */
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    free(e);

    /* A notice (R-N4.2): what it is about and its particulars, a JSON object or nothing. Fields
     * appended to the kind (MM_F_LATE) show in the JSON view only when set, so that the entries
     * logged before them show as they always have. */
    e = zeroed(MM_ENTRY_CITY_REQUEST);
    strcpy(e->u.city_request.id, "notice-4");
    e->u.city_request.kind = MM_REQUEST_KIND_FILING_DECISION;
    json_t *j = mm_entry_json(e);
    assert_null(json_object_get(json_object_get(j, "city_request"), "subject"));
    assert_null(json_object_get(json_object_get(j, "city_request"), "detail"));
    assert_non_null(json_object_get(json_object_get(j, "city_request"), "complaint"));
    json_decref(j);
    strcpy(e->u.city_request.subject, "filing/12");
    strcpy(e->u.city_request.detail, "{\"decision\":\"returned\",\"version\":3}");
    round_trip(e);
    j = mm_entry_json(e);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "city_request"), "subject")),
        "filing/12");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "city_request"), "detail")),
        "{\"decision\":\"returned\",\"version\":3}");
    json_decref(j);
    strcpy(e->u.city_request.detail, "[3]");
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    /* R-N7.5: only the city's rule carries a retention, and it must be one (12, 13, MM_F_LATE). */
    memset(e->u.city_request.detail, 0, sizeof e->u.city_request.detail);
    e->u.city_request.retention_days_min = 7;
    refused(e);
    e->u.city_request.kind = MM_REQUEST_KIND_CITY_RULE;
    memset(e->u.city_request.subject, 0, sizeof e->u.city_request.subject);
    strcpy(e->u.city_request.subject, "policy/naha");
    e->u.city_request.retention_days_max = 14;
    round_trip(e);
    j = mm_entry_json(e);
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(j, "city_request"), "retention_days_max")),
                     14);
    json_decref(j);
    e->u.city_request.retention_days_max = 6; /* below the minimum */
    refused(e);
    e->u.city_request.retention_days_max = 0; /* no maximum */
    round_trip(e);
    e->u.city_request.retention_days_min = 0;
    refused(e);
    free(e);

    e = zeroed(MM_ENTRY_REQUEST_ANSWERED);
    strcpy(e->u.request_answered.id, "report-2");
    e->u.request_answered.kind = MM_REQUEST_KIND_REPORT_REQUEST;
    strcpy(e->u.request_answered.report, "{\"site\":\"site-a\"}");
    strcpy(e->u.request_answered.report_signature, "c2ln");
    round_trip(e);
    strcpy(e->u.request_answered.report, "not json");
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    free(e);
}

/*
 * disclosure (R-K2.2.5, R-K2.2.6b, R-N7.4, R-N7.6, R-N8): every step survives the trip, the
 * release of the hold included; only "exported" carries hashes and it must; the step and the
 * legal basis must be known ones; regions are a JSON array or nothing.
 */
static void disclosure_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_DISCLOSURE);
    mm_disclosure_t *d = &e->u.disclosure;
    SET(d->request, "disclosure-4");
    SETE(d->step, mm_disclosure_step, "held");
    SET(d->cameras, "cam1,cam2");
    d->from_us = 1795400000000000;
    d->to_us = 1795403600000000;
    SETE(d->legal_basis, mm_legal_basis, "law");
    SET(d->reference, "照会 第123号");
    SET(d->requester, "police1");
    SET(d->text, "theft near the gate");
    round_trip(e);
    SETE(d->step, mm_disclosure_step, "approved");
    SET(d->by, "tanaka");
    SET(d->regions, "[{\"camera\":\"cam1\",\"x\":0.25,\"y\":0.25,\"w\":0.5,\"h\":0.5}]");
    round_trip(e);
    SETE(d->step, mm_disclosure_step, "exported");
    refused(e); /* an export without its hashes */
    d->has_sha256 = d->has_manifest_sha256 = 1;
    memset(d->sha256, 0x42, 32);
    memset(d->manifest_sha256, 0x43, 32);
    d->bytes = 123456789;
    round_trip(e);
    SETE(d->step, mm_disclosure_step, "delivered");
    refused(e); /* hashes belong to "exported" only */
    d->has_sha256 = d->has_manifest_sha256 = 0;
    memset(d->sha256, 0, 32);
    memset(d->manifest_sha256, 0, 32);
    round_trip(e);
    /* The manager ends the hold of a delivered request (R-K2.2.6b). */
    SETE(d->step, mm_disclosure_step, "released");
    SET(d->text, "the inquiry no longer needs the footage");
    round_trip(e);
    SETE(d->step, mm_disclosure_step, "exporting");
    refused(e);
    SETE(d->step, mm_disclosure_step, "denied");
    SETE(d->legal_basis, mm_legal_basis, "whim");
    refused(e);
    SETE(d->legal_basis, mm_legal_basis, "own_images");
    SET(d->regions, "{}");
    refused(e);
    SET(d->regions, "");
    d->request[0] = 0;
    refused(e);
    SET(d->request, "disclosure-4");
    round_trip(e);
    /* Decoding holds the same rules: a step or basis altered in the bytes is refused. */
    refused_on_decode(e, "denied", "dehied");
    refused_on_decode(e, "own_images", "own_imagez");
    free(e);

    e = zeroed(MM_ENTRY_CITY_REQUEST);
    SET(e->u.city_request.id, "disclosure-4");
    SETE(e->u.city_request.kind, mm_request_kind, "disclosure");
    round_trip(e);
    SETE(e->u.city_request.kind, mm_request_kind, "disclosure_downloaded");
    round_trip(e);
    free(e);
}

/*
 * site_complaint (R-N12(1), R-N7.6): each step survives the trip with the complaint's
 * description; a handling or a closing says how; a complaint has a time of receipt, a known
 * channel and step, a description and who recorded it.
 */
static void site_complaint_round_trip(void **state)
{
    (void)state;
    mm_entry_t *e = zeroed(MM_ENTRY_SITE_COMPLAINT);
    mm_site_complaint_t *c = &e->u.site_complaint;
    SET(c->id, "site-complaint-1");
    SETE(c->step, mm_complaint_step, "received");
    c->received_us = 1795400000000000;
    SETE(c->channel, mm_complaint_channel, "in_person");
    SET(c->about, "カメラが自宅の窓を映している");
    SET(c->camera, "cam1");
    SET(c->by, "tanaka");
    round_trip(e);
    SETE(c->step, mm_complaint_step, "handled");
    refused(e); /* handled without saying how */
    SET(c->text, "角度を変えてマスクを追加した");
    round_trip(e);
    SETE(c->step, mm_complaint_step, "closed");
    SET(c->hub_complaint, "complaint-3");
    SETE(c->channel, mm_complaint_channel, "other");
    round_trip(e);
    c->received_us = 0;
    refused(e);
    c->received_us = 1795400000000000;
    SET(c->about, "");
    refused(e);
    SET(c->about, "x");
    SET(c->by, "");
    refused(e);
    SET(c->by, "suzuki");
    SETE(c->channel, mm_complaint_channel, "fax");
    refused(e);
    SETE(c->channel, mm_complaint_channel, "letter");
    round_trip(e);
    refused_on_decode(e, "letter", "lettre");
    refused_on_decode(e, "closed", "closex");
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(segment_recorded_round_trip),
        cmocka_unit_test(known_bytes),
        cmocka_unit_test(json_view_fields),
        cmocka_unit_test(bad_entries_are_refused),
        cmocka_unit_test(recorder_kinds_round_trip),
        cmocka_unit_test(camera_coverage_round_trip),
        cmocka_unit_test(standards_filed_and_city_kinds_round_trip),
        cmocka_unit_test(disclosure_round_trip),
        cmocka_unit_test(site_complaint_round_trip),
        cmocka_unit_test(access_round_trip),
        cmocka_unit_test(role_changed_round_trip),
        cmocka_unit_test(emergency_report_round_trip),
        cmocka_unit_test(viewing_round_trip),
        cmocka_unit_test(camera_state_round_trip),
        cmocka_unit_test(configuration_changed_round_trip),
        cmocka_unit_test(new_kinds_refused_on_decode),
        cmocka_unit_test(site_facts_round_trip),
        cmocka_unit_test(camera_facts_round_trip),
        cmocka_unit_test(erased_hash_length_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
