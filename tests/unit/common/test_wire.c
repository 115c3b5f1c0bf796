/*
 * test_wire.c: envelopes and log entries — round trips, and every kind of bad input refused.
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
#include "wire.h"

static void segment(mm_entry_t *e, int i)
{
    memset(e, 0, sizeof *e);
    e->time_us = 1795486419000000 + i;
    e->kind = MM_ENTRY_SEGMENT_RECORDED;
    mm_segment_recorded_t *s = &e->u.segment_recorded;
    strcpy(s->camera, "cam1");
    s->start_us = 1795486400000000 + i * 10000000LL;
    s->end_us = s->start_us + 10000000;
    s->bytes = 123456 + (uint64_t)i;
    s->frames = 150;
    memset(s->content_hash, 0xa0 + i, 32);
    strcpy(s->codec, "h264");
}

static void batch_round_trip(void **state)
{
    (void)state;
    uint8_t *enc[3];
    mm_bytes_t entries[3];
    for (int i = 0; i < 3; i++) {
        mm_entry_t e;
        segment(&e, i);
        size_t len;
        assert_int_equal(mm_entry_encode(&e, &enc[i], &len), MM_OK);
        entries[i].data = enc[i];
        entries[i].len = len;
    }
    const char *cp = "mimamori/site/a\n3\nAAAA\n\n\xe2\x80\x94 a AAAAAAA=\n";
    mm_batch_t b = {.first_index = 7, .n_entries = 3, .entries = entries, .checkpoint = cp,
                    .checkpoint_len = strlen(cp)};
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_batch(42, &b, &buf, &len), MM_OK);
    mm_msg_t *m;
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    assert_int_equal(mm_msg_kind(m), MM_MSG_BATCH);
    assert_int_equal(mm_msg_seq(m), 42);
    assert_null(mm_msg_ack(m));
    const mm_batch_t *got = mm_msg_batch(m);
    assert_int_equal(got->first_index, 7);
    assert_int_equal(got->n_entries, 3);
    assert_string_equal(got->checkpoint, cp);
    for (int i = 0; i < 3; i++) {
        /* The bytes are exactly those sent: the hub hashes what the edge hashed. */
        assert_int_equal(got->entries[i].len, entries[i].len);
        assert_memory_equal(got->entries[i].data, entries[i].data, entries[i].len);
        mm_entry_t e, want;
        assert_int_equal(mm_entry_decode(got->entries[i].data, got->entries[i].len, &e), MM_OK);
        segment(&want, i);
        assert_memory_equal(&e, &want, sizeof e);
    }
    mm_msg_free(m);

    /* Every truncation is refused or decodes to something that is not this batch. */
    for (size_t cut = 0; cut < len; cut++) {
        if (mm_msg_decode(buf, cut, &m) == MM_OK) {
            const mm_batch_t *tb = mm_msg_batch(m);
            assert_false(tb && tb->n_entries == 3 && strcmp(tb->checkpoint, cp) == 0);
            mm_msg_free(m);
        }
    }
    free(buf);
    for (int i = 0; i < 3; i++)
        free(enc[i]);
}

static void ack_round_trip(void **state)
{
    (void)state;
    mm_ack_t a = {.status = MM_ACK_WRONG_SIZE, .size = 99, .cosignature = "", .reason = "why"};
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_ack(5, &a, &buf, &len), MM_OK);
    mm_msg_t *m;
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    const mm_ack_t *g = mm_msg_ack(m);
    assert_non_null(g);
    assert_null(mm_msg_batch(m));
    assert_int_equal(g->status, MM_ACK_WRONG_SIZE);
    assert_int_equal(g->size, 99);
    assert_string_equal(g->reason, "why");
    assert_string_equal(g->cosignature, "");
    mm_msg_free(m);
    free(buf);
}

static void bad_envelopes(void **state)
{
    (void)state;
    mm_msg_t *m;
    /* version 2 with an ack body */
    static const uint8_t v2[] = {0x08, 0x02, 0x10, 0x01, 0x5a, 0x02, 0x10, 0x01};
    assert_int_equal(mm_msg_decode(v2, sizeof v2, &m), MM_EPROTO);
    /* version 1 without a body */
    static const uint8_t nobody[] = {0x08, 0x01, 0x10, 0x01};
    assert_int_equal(mm_msg_decode(nobody, sizeof nobody, &m), MM_EPROTO);
    /* a batch without a checkpoint */
    static const uint8_t nocp[] = {0x08, 0x01, 0x52, 0x02, 0x08, 0x01};
    assert_int_equal(mm_msg_decode(nocp, sizeof nocp, &m), MM_EPROTO);
    /* an ack with an unknown status */
    static const uint8_t badst[] = {0x08, 0x01, 0x5a, 0x02, 0x08, 0x07};
    assert_int_equal(mm_msg_decode(badst, sizeof badst, &m), MM_EPROTO);
    /* garbage */
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(mm_msg_decode(junk, sizeof junk, &m), MM_EPROTO);
    /* oversize, refused before protobuf-c sees it */
    uint8_t *big = calloc(1, MM_WIRE_MAX + 1);
    assert_int_equal(mm_msg_decode(big, MM_WIRE_MAX + 1, &m), MM_ETOOBIG);
    free(big);

    /* too many entries */
    mm_bytes_t *many = calloc(MM_WIRE_BATCH_MAX + 1, sizeof *many);
    static const uint8_t one = 1;
    for (int i = 0; i <= MM_WIRE_BATCH_MAX; i++) {
        many[i].data = &one;
        many[i].len = 1;
    }
    mm_batch_t b = {.n_entries = MM_WIRE_BATCH_MAX + 1, .entries = many, .checkpoint = "x",
                    .checkpoint_len = 1};
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_batch(1, &b, &buf, &len), MM_EINVAL);
    free(many);
}

static void entries(void **state)
{
    (void)state;
    mm_entry_t e;
    segment(&e, 1);
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_entry_encode(&e, &buf, &len), MM_OK);
    json_t *j = mm_entry_to_json(buf, len);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "segment_recorded");
    assert_int_equal(json_integer_value(json_object_get(j, "time_us")), e.time_us);
    json_t *s = json_object_get(j, "segment_recorded");
    assert_string_equal(json_string_value(json_object_get(s, "camera")), "cam1");
    assert_int_equal(json_integer_value(json_object_get(s, "bytes")), 123457);
    assert_string_equal(json_string_value(json_object_get(s, "content_hash")),
                        "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1");
    json_decref(j);
    assert_string_equal(mm_entry_kind_name(MM_ENTRY_SEGMENT_RECORDED), "segment_recorded");

    /* A 31-byte hash, an empty camera, an unknown kind: refused. */
    mm_entry_t d;
    int found = 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (buf[i] == 0x32 && buf[i + 1] == 0x20) { /* field 6, length 32 */
            found = 1;
            buf[i + 1] = 0x1f;
            assert_int_equal(mm_entry_decode(buf, len - 1, &d), MM_EPROTO);
            assert_null(mm_entry_to_json(buf, len - 1));
            buf[i + 1] = 0x20;
        }
    assert_true(found);
    free(buf);
    e.u.segment_recorded.camera[0] = 0;
    assert_int_equal(mm_entry_encode(&e, &buf, &len), MM_EINVAL);
    static const uint8_t unknown_kind[] = {0x08, 0x01, 0xa2, 0x01, 0x00}; /* field 20 */
    assert_int_equal(mm_entry_decode(unknown_kind, sizeof unknown_kind, &d), MM_EPROTO);
    uint8_t *big = calloc(1, MM_LOG_ENTRY_MAX + 1);
    assert_int_equal(mm_entry_decode(big, MM_LOG_ENTRY_MAX + 1, &d), MM_ETOOBIG);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_round_trip),
        cmocka_unit_test(ack_round_trip),
        cmocka_unit_test(bad_envelopes),
        cmocka_unit_test(entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
