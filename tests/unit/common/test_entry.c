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

#include "entry.h"
#include "log.h"

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
    assert_int_equal(mm_entry_decode(buf, len, back), MM_OK);
    assert_int_equal(back->kind, e->kind);
    assert_int_equal(back->time_us, e->time_us);
    json_t *j = mm_entry_to_json(buf, len);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")), mm_entry_kind_name(e->kind));
    json_decref(j);
    free(buf);
    /* Every field compared: the structs were zeroed before filling, and decode zeroes. */
    assert_memory_equal(&back->u, &e->u, sizeof e->u);
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
    x->n_hashes = MM_ERASED_MAX;
    for (size_t i = 0; i < MM_ERASED_MAX; i++)
        memset(x->hashes[i], (int)i, 32);
    strcpy(x->reason, "hold_released");
    strcpy(x->hold_id, "req-2026-0042");
    round_trip(e);
    x->n_hashes = MM_ERASED_MAX + 1;
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    x->n_hashes = 0;
    x->reason[0] = 0; /* the reason is required */
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
    strcpy(e->u.storage_alarm.state, "camera_stopped");
    strcpy(e->u.storage_alarm.camera, "lobby");
    e->u.storage_alarm.free_bytes = 1024;
    e->u.storage_alarm.total_bytes = 1 << 30;
    strcpy(e->u.storage_alarm.message, "nothing may be erased to make room");
    round_trip(e);
    e->u.storage_alarm.state[0] = 0;
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
    strcpy(c->policy, "kawaguchi");
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
    c->policy[0] = 0; /* the policy is required */
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_EINVAL);
    free(e);
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
    assert_int_equal(d->u.segments_erased.n_hashes, 1);
    assert_string_equal(d->u.segments_erased.reason, "retention");
    assert_int_equal(mm_entry_decode(buf, erased_bytes(buf, 31), d), MM_EPROTO);
    assert_int_equal(mm_entry_decode(buf, erased_bytes(buf, 33), d), MM_EPROTO);
    free(d);
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
        cmocka_unit_test(erased_hash_length_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
