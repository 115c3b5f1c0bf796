/*
 * test_wire.c: envelopes and log entries — round trips, and every kind of bad input refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/entry.h"
#include "common/log.h"
#include "common/note.h"
#include "common/wire.h"

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
    assert_int_equal(g->features, 0); /* none named: an older hub's ack */
    mm_msg_free(m);
    free(buf);

    /* What the hub takes goes across, bits this code does not know included. */
    a.features = MM_FEATURE_EXPORT_BUILDING | 0x80000000u;
    assert_int_equal(mm_msg_encode_ack(6, &a, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    assert_int_equal(mm_msg_ack(m)->features, MM_FEATURE_EXPORT_BUILDING | 0x80000000u);
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

/* A protobuf writer for hand-made envelopes, independent of protobuf-c. */
typedef struct {
    uint8_t *b;
    size_t n, cap;
} pb_t;

static void pb_byte(pb_t *p, uint8_t c)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 256;
        p->b = realloc(p->b, p->cap);
        assert_non_null(p->b);
    }
    p->b[p->n++] = c;
}

static void pb_varint(pb_t *p, uint64_t v)
{
    while (v >= 0x80) {
        pb_byte(p, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    pb_byte(p, (uint8_t)v);
}

static void pb_uint(pb_t *p, unsigned field, uint64_t v)
{
    pb_varint(p, (uint64_t)field << 3);
    pb_varint(p, v);
}

static void pb_bytes(pb_t *p, unsigned field, const void *data, size_t n)
{
    pb_varint(p, (uint64_t)field << 3 | 2);
    pb_varint(p, n);
    for (size_t i = 0; i < n; i++)
        pb_byte(p, ((const uint8_t *)data)[i]);
}

/* An envelope of version 1 whose body (field) is x is refused as not a message; x is freed. */
static void refused_body(unsigned field, pb_t *x)
{
    pb_t e = {0};
    pb_uint(&e, 1, 1);
    pb_bytes(&e, field, x->b, x->n);
    mm_msg_t *m = NULL;
    assert_int_equal(mm_msg_decode(e.b, e.n, &m), MM_EPROTO);
    free(x->b);
    free(e.b);
}

/* An envelope of version 1 whose batch body is inner. */
static pb_t envelope_with_batch(const pb_t *inner)
{
    pb_t e = {0};
    pb_uint(&e, 1, 1);
    pb_uint(&e, 2, 9);
    pb_bytes(&e, 10, inner->b, inner->n);
    return e;
}

static mm_err_t decode_batch(const pb_t *inner)
{
    pb_t e = envelope_with_batch(inner);
    mm_msg_t *m = NULL;
    mm_err_t err = mm_msg_decode(e.b, e.n, &m);
    mm_msg_free(m);
    free(e.b);
    return err;
}

static void hand_made_envelopes(void **state)
{
    (void)state;
    static const char cp[] = "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 s AAAAAAA=\n";

    /* The reference: a good batch, with an unknown field that old readers skip. */
    pb_t b = {0};
    pb_uint(&b, 1, 4);
    pb_bytes(&b, 2, "\x08\x01", 2);
    pb_bytes(&b, 3, cp, strlen(cp));
    pb_uint(&b, 99, 12345);
    assert_int_equal(decode_batch(&b), MM_OK);
    free(b.b);

    /* A checkpoint with a NUL inside: C would silently see only its first part. */
    char nul[sizeof cp];
    memcpy(nul, cp, sizeof cp);
    nul[3] = 0;
    b = (pb_t){0};
    pb_bytes(&b, 3, nul, strlen(cp));
    assert_int_equal(decode_batch(&b), MM_EPROTO);
    free(b.b);

    /* A checkpoint that is not UTF-8. */
    b = (pb_t){0};
    pb_bytes(&b, 3, "o\xff\n", 3);
    assert_int_equal(decode_batch(&b), MM_EPROTO);
    free(b.b);

    /* A checkpoint longer than any note. */
    char *longcp = malloc(MM_NOTE_MAX + 1);
    memset(longcp, 'a', MM_NOTE_MAX + 1);
    b = (pb_t){0};
    pb_bytes(&b, 3, longcp, MM_NOTE_MAX + 1);
    assert_int_equal(decode_batch(&b), MM_EPROTO);
    free(b.b);
    b = (pb_t){0};
    pb_bytes(&b, 3, longcp, MM_NOTE_MAX);
    assert_int_equal(decode_batch(&b), MM_OK); /* the longest is fine at this level */
    free(b.b);
    free(longcp);

    /* One entry more than a batch may carry, refused before protobuf-c allocates them. */
    for (int extra = 0; extra <= 1; extra++) {
        b = (pb_t){0};
        for (int i = 0; i < MM_WIRE_BATCH_MAX + extra; i++)
            pb_bytes(&b, 2, "", 0);
        pb_bytes(&b, 3, cp, strlen(cp));
        assert_int_equal(decode_batch(&b), extra ? MM_EPROTO : MM_OK);
        free(b.b);
    }

    /* A known field with the wrong wire type, a group, a length past the end, a tag of 0. */
    b = (pb_t){0};
    pb_bytes(&b, 1, "\x01", 1); /* first_index as bytes */
    pb_bytes(&b, 3, cp, strlen(cp));
    assert_int_equal(decode_batch(&b), MM_EPROTO);
    free(b.b);
    static const uint8_t group[] = {0x08, 0x01, 0x53, 0x54};          /* field 10, start group */
    static const uint8_t past[] = {0x08, 0x01, 0x52, 0x7f, 0x1a, 0x00}; /* length 127 of 2 */
    static const uint8_t tag0[] = {0x00, 0x01};
    static const uint8_t longvarint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    mm_msg_t *m = NULL;
    assert_int_equal(mm_msg_decode(group, sizeof group, &m), MM_EPROTO);
    assert_int_equal(mm_msg_decode(past, sizeof past, &m), MM_EPROTO);
    assert_int_equal(mm_msg_decode(tag0, sizeof tag0, &m), MM_EPROTO);
    assert_int_equal(mm_msg_decode(longvarint, sizeof longvarint, &m), MM_EPROTO);
    assert_int_equal(mm_msg_decode("", 0, &m), MM_EPROTO); /* version 0, no body */
    assert_null(m);

    /* An ack whose reason has a NUL in it. */
    pb_t a = {0};
    pb_bytes(&a, 4, "ab\0cd", 5);
    pb_t e = {0};
    pb_uint(&e, 1, 1);
    pb_bytes(&e, 11, a.b, a.n);
    assert_int_equal(mm_msg_decode(e.b, e.n, &m), MM_EPROTO);
    free(a.b);
    free(e.b);
}

static void decoded_messages_own_their_bytes(void **state)
{
    (void)state;
    static const uint8_t entry[] = {0x08, 0x2a};
    mm_bytes_t entries[1] = {{entry, sizeof entry}};
    const char *cp = "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 s AAAAAAA=\n";
    mm_batch_t b = {.first_index = 0, .n_entries = 1, .entries = entries, .checkpoint = cp,
                    .checkpoint_len = strlen(cp)};
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_batch(3, &b, &buf, &len), MM_OK);
    mm_msg_t *m;
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    memset(buf, 0xee, len); /* the receive buffer is reused... */
    free(buf);
    const mm_batch_t *got = mm_msg_batch(m); /* ...and the views still hold the message */
    assert_int_equal(got->n_entries, 1);
    assert_memory_equal(got->entries[0].data, entry, sizeof entry);
    assert_string_equal(got->checkpoint, cp);
    assert_int_equal(got->checkpoint_len, strlen(cp));
    mm_msg_free(m);
    mm_msg_free(NULL);

    /* The encoder refuses what the decoder would: no checkpoint, a wrong length, not UTF-8. */
    b.checkpoint_len = 3;
    assert_int_equal(mm_msg_encode_batch(3, &b, &buf, &len), MM_EINVAL);
    b.checkpoint = "";
    b.checkpoint_len = 0;
    assert_int_equal(mm_msg_encode_batch(3, &b, &buf, &len), MM_EINVAL);
    b.checkpoint = "o\xff\n";
    b.checkpoint_len = 3;
    assert_int_equal(mm_msg_encode_batch(3, &b, &buf, &len), MM_EINVAL);

    /* An empty batch (a "hello") and every ack status go through. */
    b = (mm_batch_t){.first_index = 17, .checkpoint = cp, .checkpoint_len = strlen(cp)};
    assert_int_equal(mm_msg_encode_batch(4, &b, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    assert_int_equal(mm_msg_batch(m)->n_entries, 0);
    assert_int_equal(mm_msg_batch(m)->first_index, 17);
    mm_msg_free(m);
    free(buf);
    const char *line = "\xe2\x80\x94 hub AAAA\n";
    for (int st = MM_ACK_OK; st <= MM_ACK_REFUSED; st++) {
        mm_ack_t a = {.status = (mm_ack_status_t)st, .size = 1000 + (uint64_t)st,
                      .cosignature = st == MM_ACK_OK ? line : NULL, .reason = NULL};
        assert_int_equal(mm_msg_encode_ack(UINT64_MAX, &a, &buf, &len), MM_OK);
        assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
        assert_int_equal(mm_msg_seq(m), UINT64_MAX);
        assert_int_equal(mm_msg_ack(m)->status, st);
        assert_int_equal(mm_msg_ack(m)->size, 1000 + st);
        assert_string_equal(mm_msg_ack(m)->cosignature, st == MM_ACK_OK ? line : "");
        assert_string_equal(mm_msg_ack(m)->reason, "");
        mm_msg_free(m);
        free(buf);
    }
    mm_ack_t bad = {.status = (mm_ack_status_t)7};
    assert_int_equal(mm_msg_encode_ack(1, &bad, &buf, &len), MM_EINVAL);

    /* A reason cut inside a character (a fixed buffer) is sent up to the last whole one. */
    mm_ack_t cut = {.status = MM_ACK_REFUSED, .reason = "origin \xe5\xb7\x9d\xe5"};
    assert_int_equal(mm_msg_encode_ack(1, &cut, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    assert_string_equal(mm_msg_ack(m)->reason, "origin \xe5\xb7\x9d");
    mm_msg_free(m);
    free(buf);
}

static mm_city_request_t city_request(int i)
{
    mm_city_request_t q;
    memset(&q, 0, sizeof q);
    snprintf(q.id, sizeof q.id, "complaint-%d", i);
    q.kind = MM_REQUEST_KIND_COMPLAINT;
    q.time_us = 1795486400000000 + i;
    q.deadline_us = 1796091200000000 + i;
    return q;
}

/* A hand-made ack (status OK, size 3) with n requests whose kind is kind. */
static mm_err_t decode_ack_with(int n, const char *kind, const char *id)
{
    pb_t a = {0};
    pb_uint(&a, 2, 3);
    for (int i = 0; i < n; i++) {
        pb_t q = {0};
        pb_bytes(&q, 1, id, strlen(id));
        pb_bytes(&q, 2, kind, strlen(kind));
        pb_uint(&q, 3, 1795486400000000);
        pb_bytes(&q, 6, "text", 4);
        pb_bytes(&a, 5, q.b, q.n);
        free(q.b);
    }
    pb_t e = {0};
    pb_uint(&e, 1, 1);
    pb_uint(&e, 2, 9);
    pb_bytes(&e, 11, a.b, a.n);
    mm_msg_t *m = NULL;
    mm_err_t err = mm_msg_decode(e.b, e.n, &m);
    if (err == MM_OK &&
        (mm_msg_ack(m)->n_requests != (size_t)n ||
         (n && strcmp(mm_request_kind_name(mm_msg_ack(m)->requests[n - 1].kind), kind) != 0)))
        err = MM_EINVAL; /* decoded, but not as sent */
    mm_msg_free(m);
    free(a.b);
    free(e.b);
    return err;
}

/* R-N10.1, R-N12: the city's requests ride on acks, every field as sent; at most 16, of the
 * three kinds, each with an id. */
static void ack_with_requests_round_trip(void **state)
{
    (void)state;
    mm_city_request_t q[MM_WIRE_REQUESTS_MAX + 1];
    for (int i = 0; i <= MM_WIRE_REQUESTS_MAX; i++)
        q[i] = city_request(i);
    snprintf(q[0].camera, sizeof q[0].camera, "cam1");
    snprintf(q[0].text, sizeof q[0].text, "カメラが自宅の玄関を映している\n二行目");
    snprintf(q[1].id, sizeof q[1].id, "report-3");
    q[1].kind = MM_REQUEST_KIND_REPORT_REQUEST;
    q[1].from_us = 1790000000000000;
    q[1].to_us = 1795000000000000;
    snprintf(q[1].complaint, sizeof q[1].complaint, "complaint-0");

    mm_ack_t a = {.status = MM_ACK_OK, .size = 12, .cosignature = "", .reason = "",
                  .n_requests = 2, .requests = q};
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_ack(8, &a, &buf, &len), MM_OK);
    mm_msg_t *m;
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    const mm_ack_t *g = mm_msg_ack(m);
    assert_non_null(g);
    assert_int_equal(g->size, 12);
    assert_int_equal(g->n_requests, 2);
    for (int i = 0; i < 2; i++) {
        const mm_city_request_t *w = &q[i], *r = &g->requests[i];
        assert_string_equal(r->id, w->id);
        assert_int_equal(r->kind, w->kind);
        assert_int_equal(r->time_us, w->time_us);
        assert_int_equal(r->deadline_us, w->deadline_us);
        assert_string_equal(r->camera, w->camera);
        assert_string_equal(r->text, w->text);
        assert_int_equal(r->from_us, w->from_us);
        assert_int_equal(r->to_us, w->to_us);
        assert_string_equal(r->complaint, w->complaint);
    }
    mm_msg_free(m);

    /* Any status may carry them; none is none. */
    a.status = MM_ACK_REFUSED;
    a.n_requests = MM_WIRE_REQUESTS_MAX;
    assert_int_equal(mm_msg_encode_ack(9, &a, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    assert_int_equal(mm_msg_ack(m)->n_requests, MM_WIRE_REQUESTS_MAX);
    assert_string_equal(mm_msg_ack(m)->requests[15].id, "complaint-15");
    mm_msg_free(m);
    free(buf);
    a.n_requests = 0;
    assert_int_equal(mm_msg_encode_ack(10, &a, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    assert_int_equal(mm_msg_ack(m)->n_requests, 0);
    assert_null(mm_msg_ack(m)->requests);
    mm_msg_free(m);
    free(buf);

    /* 17 are refused, by the encoder and by the decoder. */
    a.n_requests = MM_WIRE_REQUESTS_MAX + 1;
    assert_int_equal(mm_msg_encode_ack(11, &a, &buf, &len), MM_EINVAL);
    assert_int_equal(decode_ack_with(MM_WIRE_REQUESTS_MAX, "complaint", "c-1"), MM_OK);
    assert_int_equal(decode_ack_with(MM_WIRE_REQUESTS_MAX + 1, "complaint", "c-1"), MM_EPROTO);

    /* A kind that is none of the three, or a request without an id, likewise. */
    a.n_requests = 2;
    q[1].kind = (mm_request_kind_t)MM_REQUEST_KIND_COUNT; /* no name: "appeal" */
    assert_int_equal(mm_msg_encode_ack(12, &a, &buf, &len), MM_EINVAL);
    q[1].kind = MM_REQUEST_KIND_COMPLAINT_MEASURE;
    q[1].id[0] = 0;
    assert_int_equal(mm_msg_encode_ack(12, &a, &buf, &len), MM_EINVAL);
    assert_int_equal(decode_ack_with(1, "complaint_measure", "m-1"), MM_OK);
    assert_int_equal(decode_ack_with(1, "report_request", "r-1"), MM_OK);
    assert_int_equal(decode_ack_with(1, "appeal", "c-1"), MM_EPROTO);
    assert_int_equal(decode_ack_with(1, "", "c-1"), MM_EPROTO);
    assert_int_equal(decode_ack_with(1, "complaint", ""), MM_EPROTO);
    char long_id[80];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = 0;
    assert_int_equal(decode_ack_with(1, "complaint", long_id), MM_EPROTO);
}

/* R-N4.2, R-N11: the city's notices travel with what they are about and their particulars. */
static void notices_round_trip(void **state)
{
    (void)state;
    static mm_city_request_t q[2];
    memset(q, 0, sizeof q);
    const char *kinds[] = {"filing_decision", "hearing_offer"};
    for (int i = 0; i < 2; i++) {
        snprintf(q[i].id, sizeof q[i].id, "notice-%d", i + 1);
        assert_true(mm_request_kind_parse(kinds[i], &q[i].kind));
        assert_true(mm_request_kind_is_notice(q[i].kind));
        q[i].time_us = 1795486400000000 + i;
    }
    snprintf(q[0].subject, sizeof q[0].subject, "filing/12");
    snprintf(q[0].detail, sizeof q[0].detail, "{\"decision\":\"returned\",\"version\":3}");
    snprintf(q[0].text, sizeof q[0].text, "保存期間の記載が不十分");
    snprintf(q[1].subject, sizeof q[1].subject, "measure/2");
    memset(q[1].detail, 'x', sizeof q[1].detail - 1); /* the longest the wire carries */
    mm_ack_t a = {
        .status = MM_ACK_OK, .cosignature = "", .reason = "", .n_requests = 2, .requests = q};
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_ack(3, &a, &buf, &len), MM_OK);
    mm_msg_t *m;
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    const mm_ack_t *g = mm_msg_ack(m);
    assert_int_equal(g->n_requests, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(g->requests[i].kind, q[i].kind);
        assert_string_equal(g->requests[i].subject, q[i].subject);
        assert_string_equal(g->requests[i].detail, q[i].detail);
        assert_string_equal(g->requests[i].text, q[i].text);
    }
    mm_msg_free(m);
    /* The other kinds are no notices. */
    assert_false(mm_request_kind_is_notice(MM_REQUEST_KIND_COMPLAINT));
    assert_false(mm_request_kind_is_notice(MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED));
    assert_false(mm_request_kind_is_notice((mm_request_kind_t)MM_REQUEST_KIND_COUNT));
}

static mm_city_request_t disclosure_request(void)
{
    mm_city_request_t q;
    memset(&q, 0, sizeof q);
    snprintf(q.id, sizeof q.id, "disclosure-4");
    q.kind = MM_REQUEST_KIND_DISCLOSURE;
    q.time_us = 1795486400000000;
    q.deadline_us = 1796696000000000;
    q.from_us = 1795400000000000;
    q.to_us = 1795403600000000;
    q.legal_basis = MM_LEGAL_BASIS_LAW;
    snprintf(q.reference, sizeof q.reference, "那覇署 捜査関係事項照会 第123号");
    snprintf(q.requester, sizeof q.requester, "police1");
    snprintf(q.recipient, sizeof q.recipient, "age1qqqq");
    snprintf(q.text, sizeof q.text, "theft on 11/20\nnear the gate");
    q.n_cameras = 2;
    snprintf(q.cameras[0], sizeof q.cameras[0], "cam1");
    snprintf(q.cameras[1], sizeof q.cameras[1], "cam2");
    q.has_signature = 1;
    memset(q.signature, 0xab, 64);
    return q;
}

/* R-K2.2.5, R-N7.4: a disclosure request travels with its legal basis, requester, recipient,
 * cameras and the hub's signature, every field as sent; one without them is refused. */
static void disclosure_requests_round_trip(void **state)
{
    (void)state;
    mm_city_request_t q[2] = {disclosure_request(), city_request(1)};
    snprintf(q[1].id, sizeof q[1].id, "download-1");
    q[1].kind = MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED;
    snprintf(q[1].disclosure, sizeof q[1].disclosure, "disclosure-4");
    mm_ack_t a = {.status = MM_ACK_OK, .size = 3, .cosignature = "", .reason = "",
                  .n_requests = 2, .requests = q};
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_ack(8, &a, &buf, &len), MM_OK);
    mm_msg_t *m;
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    const mm_city_request_t *r = &mm_msg_ack(m)->requests[0];
    assert_int_equal(r->legal_basis, MM_LEGAL_BASIS_LAW);
    assert_string_equal(r->reference, q[0].reference);
    assert_string_equal(r->requester, "police1");
    assert_string_equal(r->recipient, "age1qqqq");
    assert_int_equal(r->n_cameras, 2);
    assert_string_equal(r->cameras[1], "cam2");
    assert_true(r->has_signature);
    assert_memory_equal(r->signature, q[0].signature, 64);
    assert_string_equal(mm_msg_ack(m)->requests[1].disclosure, "disclosure-4");
    mm_msg_free(m);

    /* Without a legal basis, a signature, cameras or a requester it is not a request. */
    mm_city_request_t bad = disclosure_request();
    a.requests = &bad;
    a.n_requests = 1;
    bad.legal_basis = (mm_legal_basis_t)MM_LEGAL_BASIS_COUNT; /* no name: "curiosity" */
    assert_int_equal(mm_msg_encode_ack(9, &a, &buf, &len), MM_EINVAL);
    bad = disclosure_request();
    bad.has_signature = 0;
    assert_int_equal(mm_msg_encode_ack(9, &a, &buf, &len), MM_EINVAL);
    bad = disclosure_request();
    bad.n_cameras = 0;
    assert_int_equal(mm_msg_encode_ack(9, &a, &buf, &len), MM_EINVAL);
    bad = disclosure_request();
    bad.requester[0] = 0;
    assert_int_equal(mm_msg_encode_ack(9, &a, &buf, &len), MM_EINVAL);
    bad = city_request(2);
    bad.kind = MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED;
    assert_int_equal(mm_msg_encode_ack(9, &a, &buf, &len), MM_EINVAL);
    /* A hand-made disclosure without its fields is refused by the decoder too. */
    assert_int_equal(decode_ack_with(1, "disclosure", "d-1"), MM_EPROTO);
}

/* The statement the hub signs is one exact byte string: fields in order, text escaped. */
static void disclosure_statement_is_exact(void **state)
{
    (void)state;
    mm_city_request_t q = disclosure_request();
    char out[MM_STATEMENT_MAX];
    size_t len = 0;
    assert_int_equal(mm_disclosure_statement(&q, "shotengai-1", out, sizeof out, &len), MM_OK);
    assert_int_equal(len, strlen(out));
    assert_string_equal(out, "mimamori-disclosure/1\n"
                             "id disclosure-4\n"
                             "site shotengai-1\n"
                             "legal_basis law\n"
                             "reference 那覇署 捜査関係事項照会 第123号\n"
                             "requester police1\n"
                             "recipient age1qqqq\n"
                             "cameras cam1,cam2\n"
                             "from_us 1795400000000000\n"
                             "to_us 1795403600000000\n"
                             "time_us 1795486400000000\n"
                             "deadline_us 1796696000000000\n"
                             "reason theft on 11/20\\nnear the gate\n");
    /* A reason that tries to add a line cannot: it stays one escaped line. */
    snprintf(q.text, sizeof q.text, "x\nsite other\\\x01");
    assert_int_equal(mm_disclosure_statement(&q, "s", out, sizeof out, &len), MM_OK);
    assert_non_null(strstr(out, "reason x\\nsite other\\\\\\x01\n"));
    assert_int_equal(mm_disclosure_statement(&q, "s", out, 100, &len), MM_ERANGE);
}

static mm_city_request_t city_rule_request(void)
{
    mm_city_request_t q;
    memset(&q, 0, sizeof q);
    snprintf(q.id, sizeof q.id, "notice-3");
    q.kind = MM_REQUEST_KIND_CITY_RULE;
    q.time_us = 1795486400000000;
    snprintf(q.subject, sizeof q.subject, "policy/naha");
    snprintf(q.text, sizeof q.text, "那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条");
    snprintf(q.detail, sizeof q.detail, "{\"policy\":\"naha\"}");
    q.retention_days_min = 7;
    q.retention_days_max = 14;
    q.has_signature = 1;
    memset(q.signature, 0xcd, 64);
    return q;
}

/* R-N7.5: the city's rule travels with its days (fields 19, 20), its policy in the subject and
 * the hub's signature; one without them, or with days that are no range, is refused both ways. */
static void city_rules_round_trip(void **state)
{
    (void)state;
    mm_city_request_t q = city_rule_request();
    mm_ack_t a = {
        .status = MM_ACK_OK, .cosignature = "", .reason = "", .n_requests = 1, .requests = &q};
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_ack(4, &a, &buf, &len), MM_OK);
    mm_msg_t *m;
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    const mm_city_request_t *r = &mm_msg_ack(m)->requests[0];
    assert_int_equal(r->kind, MM_REQUEST_KIND_CITY_RULE);
    assert_true(mm_request_kind_is_notice(r->kind));
    assert_int_equal(r->retention_days_min, 7);
    assert_int_equal(r->retention_days_max, 14);
    assert_string_equal(r->text, q.text);
    assert_memory_equal(r->signature, q.signature, 64);
    mm_policy_t p;
    assert_true(mm_city_rule_policy(r, &p));
    assert_int_equal(p, MM_POLICY_NAHA);
    mm_msg_free(m);

    static const struct {
        const char *subject;
        uint32_t min, max;
        int signed_;
        const char *text;
    } bad[] = {
        {"policy/kawaguchi", 7, 14, 1, "x"}, /* its text sets the period itself */
        {"policy/tokyo", 7, 14, 1, "x"},     {"filing/1", 7, 14, 1, "x"},
        {"policy/naha", 0, 14, 1, "x"},      {"policy/naha", 9, 8, 1, "x"},
        {"policy/naha", 7, 3651, 1, "x"},    {"policy/naha", 7, 14, 0, "x"},
        {"policy/naha", 7, 14, 1, ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mm_city_request_t b = city_rule_request();
        snprintf(b.subject, sizeof b.subject, "%s", bad[i].subject);
        b.retention_days_min = bad[i].min;
        b.retention_days_max = bad[i].max;
        b.has_signature = bad[i].signed_;
        snprintf(b.text, sizeof b.text, "%s", bad[i].text);
        a.requests = &b;
        if (mm_msg_encode_ack(5, &a, &buf, &len) != MM_EINVAL)
            fail_msg("a city_rule with %s %u..%u signed %d \"%s\" was encoded", bad[i].subject,
                     bad[i].min, bad[i].max, bad[i].signed_, bad[i].text);
    }
    /* A hand-made city_rule without its fields is refused by the decoder too. */
    assert_int_equal(decode_ack_with(1, "city_rule", "notice-1"), MM_EPROTO);
    /* A rule without a maximum is one. */
    q.retention_days_max = 0;
    a.requests = &q;
    assert_int_equal(mm_msg_encode_ack(6, &a, &buf, &len), MM_OK);
    free(buf);
}

/* The statement the hub signs for a city's rule is one exact byte string. */
static void city_rule_statement_is_exact(void **state)
{
    (void)state;
    mm_city_request_t q = city_rule_request();
    char out[MM_STATEMENT_MAX];
    size_t len = 0;
    assert_int_equal(mm_city_rule_statement(&q, "naha-1", out, sizeof out, &len), MM_OK);
    assert_int_equal(len, strlen(out));
    assert_string_equal(out, "mimamori-city-rule/1\n"
                             "id notice-3\n"
                             "site naha-1\n"
                             "policy naha\n"
                             "retention_days_min 7\n"
                             "retention_days_max 14\n"
                             "rule 那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条\n"
                             "time_us 1795486400000000\n");
    snprintf(q.subject, sizeof q.subject, "policy/kawaguchi");
    assert_int_equal(mm_city_rule_statement(&q, "naha-1", out, sizeof out, &len), MM_ERANGE);
    q = city_rule_request();
    assert_int_equal(mm_city_rule_statement(&q, "naha-1", out, 64, &len), MM_ERANGE);
}

/* c encoded and decoded again: the chunk decoded, in *m (to free). */
static const mm_export_chunk_t *chunk_round_trip(const mm_export_chunk_t *c, mm_msg_t **m)
{
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_export_chunk(7, c, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, m), MM_OK);
    free(buf);
    assert_int_equal(mm_msg_kind(*m), MM_MSG_EXPORT_CHUNK);
    return mm_msg_export_chunk(*m);
}

/* Export chunks and their acks round-trip; a chunk past its total or without a 32-byte hash
 * is not one, nor a chunk being built that names no build or names a size or hash. */
static void export_chunks_round_trip(void **state)
{
    (void)state;
    static uint8_t data[MM_EXPORT_CHUNK_MAX + 1];
    memset(data, 0x5a, sizeof data);
    mm_export_chunk_t c = {.request = "disclosure-4", .offset = 1024, .data = data,
                           .len = MM_EXPORT_CHUNK_MAX, .total = 4 * MM_EXPORT_CHUNK_MAX};
    memset(c.sha256, 0x11, 32);
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_export_chunk(5, &c, &buf, &len), MM_OK);
    mm_msg_t *m;
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    assert_int_equal(mm_msg_kind(m), MM_MSG_EXPORT_CHUNK);
    assert_null(mm_msg_ack(m));
    const mm_export_chunk_t *g = mm_msg_export_chunk(m);
    assert_string_equal(g->request, "disclosure-4");
    assert_int_equal(g->offset, 1024);
    assert_int_equal(g->len, MM_EXPORT_CHUNK_MAX);
    assert_int_equal(g->total, 4 * MM_EXPORT_CHUNK_MAX);
    assert_memory_equal(g->data, data, g->len);
    assert_memory_equal(g->sha256, c.sha256, 32);
    assert_int_equal(g->window, 0); /* an edge that sends one chunk at a time */
    mm_msg_free(m);
    c.window = 16 * 1024 * 1024;
    assert_int_equal(mm_msg_encode_export_chunk(5, &c, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    assert_int_equal(mm_msg_export_chunk(m)->window, 16 * 1024 * 1024);
    mm_msg_free(m);

    c.len = MM_EXPORT_CHUNK_MAX + 1;
    assert_int_equal(mm_msg_encode_export_chunk(5, &c, &buf, &len), MM_EINVAL);
    c.len = 10;
    c.offset = c.total - 5;
    assert_int_equal(mm_msg_encode_export_chunk(5, &c, &buf, &len), MM_EINVAL);
    c.offset = 0;
    c.request[0] = 0;
    assert_int_equal(mm_msg_encode_export_chunk(5, &c, &buf, &len), MM_EINVAL);

    /* Hand-made: a hash of 31 bytes, or data past the total. */
    for (int k = 0; k < 2; k++) {
        pb_t x = {0};
        pb_bytes(&x, 1, "d-1", 3);
        pb_uint(&x, 2, k ? 10 : 0);
        pb_bytes(&x, 3, "abcdef", 6);
        pb_uint(&x, 4, 12);
        pb_bytes(&x, 5, data, k ? 32 : 31);
        refused_body(12, &x);
    }

    /* A chunk of a build in progress: a build named, no total, no hash; a chunk of a finished
     * build may name its build too. */
    mm_export_chunk_t b = {.request = "disclosure-4",
                           .offset = 3 * MM_EXPORT_CHUNK_MAX,
                           .data = data,
                           .len = 100,
                           .has_build = 1,
                           .building = 1};
    memset(b.build, 0x33, 32);
    g = chunk_round_trip(&b, &m);
    assert_true(g->building);
    assert_true(g->has_build);
    assert_memory_equal(g->build, b.build, 32);
    assert_int_equal(g->offset, 3 * MM_EXPORT_CHUNK_MAX);
    assert_int_equal(g->total, 0);
    mm_msg_free(m);
    snprintf(c.request, sizeof c.request, "disclosure-4");
    c.has_build = 1;
    memset(c.build, 0x44, 32);
    g = chunk_round_trip(&c, &m);
    assert_false(g->building);
    assert_true(g->has_build);
    assert_memory_equal(g->build, c.build, 32);
    assert_memory_equal(g->sha256, c.sha256, 32);
    mm_msg_free(m);
    b.has_build = 0; /* being built, but which build? */
    assert_int_equal(mm_msg_encode_export_chunk(5, &b, &buf, &len), MM_EINVAL);
    b.has_build = 1;
    b.total = 1000; /* being built with a total */
    assert_int_equal(mm_msg_encode_export_chunk(5, &b, &buf, &len), MM_EINVAL);
    b.total = 0;
    b.offset = MM_EXPORT_OFFSET_MAX + 1;
    assert_int_equal(mm_msg_encode_export_chunk(5, &b, &buf, &len), MM_EINVAL);

    /* Hand-made: being built with a hash, without a build, with a build of 31 bytes, or past the
     * furthest offset. */
    for (int k = 0; k < 4; k++) {
        pb_t x = {0};
        pb_bytes(&x, 1, "d-1", 3);
        pb_uint(&x, 2, k == 3 ? MM_EXPORT_OFFSET_MAX + 1 : 0);
        pb_bytes(&x, 3, "abcdef", 6);
        if (k == 0)
            pb_bytes(&x, 5, data, 32);
        if (k != 1)
            pb_bytes(&x, 7, data, k == 2 ? 31 : 32);
        pb_uint(&x, 8, 1);
        refused_body(12, &x);
    }

    mm_export_ack_t a = {.request = "disclosure-4", .status = MM_EXPORT_WAIT, .have = 77,
                         .reason = "the site's exported entry has not arrived yet"};
    assert_int_equal(mm_msg_encode_export_ack(6, &a, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    const mm_export_ack_t *ga = mm_msg_export_ack(m);
    assert_non_null(ga);
    assert_int_equal(ga->status, MM_EXPORT_WAIT);
    assert_int_equal(ga->have, 77);
    assert_int_equal(ga->received, 0); /* an older hub's answer: received is have */
    assert_string_equal(ga->reason, a.reason);
    mm_msg_free(m);
    /* A hub that syncs every few MiB: written past what is synced. */
    a.status = MM_EXPORT_CONTINUE;
    a.received = 4096;
    assert_int_equal(mm_msg_encode_export_ack(6, &a, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    assert_int_equal(mm_msg_export_ack(m)->have, 77);
    assert_int_equal(mm_msg_export_ack(m)->received, 4096);
    mm_msg_free(m);
    /* Written below synced is not an answer, sent or received. */
    a.received = 76;
    assert_int_equal(mm_msg_encode_export_ack(6, &a, &buf, &len), MM_EINVAL);
    {
        pb_t x = {0};
        pb_bytes(&x, 1, "d-1", 3);
        pb_uint(&x, 3, 77);
        pb_uint(&x, 5, 76);
        refused_body(13, &x);
    }
    a.received = 0;
    a.status = (mm_export_status_t)9;
    assert_int_equal(mm_msg_encode_export_ack(6, &a, &buf, &len), MM_EINVAL);
}

/* A filing's document and its answer round-trip; both parts at their cap fit one envelope; a
 * version 0, an empty Markdown or a part over the cap is not one (R-N4.2). */
static void filing_documents_round_trip(void **state)
{
    (void)state;
    static uint8_t md[MM_DOCUMENT_MAX + 1], html[MM_DOCUMENT_MAX + 1];
    memset(md, 'm', sizeof md);
    memset(html, 'h', sizeof html);
    mm_filing_document_t d = {.version = 3,
                              .markdown = md,
                              .markdown_len = MM_DOCUMENT_MAX,
                              .html = html,
                              .html_len = MM_DOCUMENT_MAX};
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_msg_encode_filing_document(8, &d, &buf, &len), MM_OK);
    assert_true(len <= MM_WIRE_MAX);
    mm_msg_t *m;
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    assert_int_equal(mm_msg_kind(m), MM_MSG_FILING_DOCUMENT);
    assert_int_equal(mm_msg_seq(m), 8);
    assert_null(mm_msg_batch(m));
    assert_null(mm_msg_document_ack(m));
    const mm_filing_document_t *g = mm_msg_filing_document(m);
    assert_int_equal(g->version, 3);
    assert_int_equal(g->markdown_len, MM_DOCUMENT_MAX);
    assert_int_equal(g->html_len, MM_DOCUMENT_MAX);
    assert_memory_equal(g->markdown, md, MM_DOCUMENT_MAX);
    assert_memory_equal(g->html, html, MM_DOCUMENT_MAX);
    mm_msg_free(m);

    /* No HTML is allowed; the view then has none. */
    d.html = NULL;
    d.html_len = 0;
    d.markdown_len = 5;
    assert_int_equal(mm_msg_encode_filing_document(9, &d, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    g = mm_msg_filing_document(m);
    assert_int_equal(g->html_len, 0);
    assert_null(g->html);
    mm_msg_free(m);

    d.version = 0;
    assert_int_equal(mm_msg_encode_filing_document(9, &d, &buf, &len), MM_EINVAL);
    d.version = 1;
    d.markdown_len = 0;
    assert_int_equal(mm_msg_encode_filing_document(9, &d, &buf, &len), MM_EINVAL);
    d.markdown_len = MM_DOCUMENT_MAX + 1;
    assert_int_equal(mm_msg_encode_filing_document(9, &d, &buf, &len), MM_EINVAL);
    d.markdown_len = 1;
    d.html = html;
    d.html_len = MM_DOCUMENT_MAX + 1;
    assert_int_equal(mm_msg_encode_filing_document(9, &d, &buf, &len), MM_EINVAL);

    /* Hand-made: version 0, no Markdown, or HTML over the cap are refused by the decoder. */
    for (int k = 0; k < 3; k++) {
        pb_t x = {0};
        pb_uint(&x, 1, k == 0 ? 0 : 2);
        if (k != 1)
            pb_bytes(&x, 2, "# x\n", 4);
        pb_bytes(&x, 3, html, k == 2 ? MM_DOCUMENT_MAX + 1 : 4);
        refused_body(14, &x);
    }

    mm_document_ack_t a = {.version = 3,
                           .status = MM_DOCUMENT_REFUSED,
                           .reason = "the Markdown does not hash to the logged document_hash"};
    assert_int_equal(mm_msg_encode_document_ack(10, &a, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    assert_int_equal(mm_msg_kind(m), MM_MSG_DOCUMENT_ACK);
    const mm_document_ack_t *ga = mm_msg_document_ack(m);
    assert_non_null(ga);
    assert_int_equal(ga->version, 3);
    assert_int_equal(ga->status, MM_DOCUMENT_REFUSED);
    assert_string_equal(ga->reason, a.reason);
    mm_msg_free(m);
    /* A reason cut inside a character goes up to the cut. */
    strcpy(a.reason, "\xe6\x9c\xaa\xe5\xb1");
    assert_int_equal(mm_msg_encode_document_ack(10, &a, &buf, &len), MM_OK);
    assert_int_equal(mm_msg_decode(buf, len, &m), MM_OK);
    free(buf);
    assert_string_equal(mm_msg_document_ack(m)->reason, "\xe6\x9c\xaa");
    mm_msg_free(m);
    a.status = (mm_document_status_t)7;
    assert_int_equal(mm_msg_encode_document_ack(10, &a, &buf, &len), MM_EINVAL);
    /* Hand-made: an unknown status is refused by the decoder. */
    pb_t x = {0}, e = {0};
    pb_uint(&x, 1, 3);
    pb_uint(&x, 2, 3);
    pb_uint(&e, 1, 1);
    pb_bytes(&e, 15, x.b, x.n);
    assert_int_equal(mm_msg_decode(e.b, e.n, &m), MM_EPROTO);
    free(x.b);
    free(e.b);
}

static void oversize_batches_are_not_encoded(void **state)
{
    (void)state;
    /* 300 entries of 4 KiB: more than MM_WIRE_MAX in all. */
    enum { N = 300, SZ = 4096 };
    uint8_t *blob = calloc(1, SZ);
    mm_bytes_t *e = calloc(N, sizeof *e);
    for (int i = 0; i < N; i++)
        e[i] = (mm_bytes_t){blob, SZ};
    mm_batch_t b = {.n_entries = N, .entries = e, .checkpoint = "x", .checkpoint_len = 1};
    uint8_t *buf = NULL;
    size_t len;
    assert_int_equal(mm_msg_encode_batch(1, &b, &buf, &len), MM_ETOOBIG);
    b.n_entries = N / 2;
    assert_int_equal(mm_msg_encode_batch(1, &b, &buf, &len), MM_OK);
    assert_true(len <= MM_WIRE_MAX);
    free(buf);
    free(e);
    free(blob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_round_trip),
        cmocka_unit_test(ack_round_trip),
        cmocka_unit_test(bad_envelopes),
        cmocka_unit_test(entries),
        cmocka_unit_test(hand_made_envelopes),
        cmocka_unit_test(decoded_messages_own_their_bytes),
        cmocka_unit_test(oversize_batches_are_not_encoded),
        cmocka_unit_test(ack_with_requests_round_trip),
        cmocka_unit_test(notices_round_trip),
        cmocka_unit_test(disclosure_requests_round_trip),
        cmocka_unit_test(disclosure_statement_is_exact),
        cmocka_unit_test(city_rules_round_trip),
        cmocka_unit_test(city_rule_statement_is_exact),
        cmocka_unit_test(export_chunks_round_trip),
        cmocka_unit_test(filing_documents_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
