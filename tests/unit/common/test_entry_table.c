/*
 * test_entry_table.c: the entry table (entry.h) walked field by field.
 *
 * For every kind: an entry with every field set round-trips through encode and decode to the
 * same struct, bytes and JSON; the bytes are what a plain protobuf writer makes of the table
 * (written here, field n of the table being protobuf field n + 1), so the table and the schema
 * agree; and every field's bound holds at its edge on both sides — a string at its cap encodes,
 * one byte over is refused by encode and, written by hand, by decode; an enumerated value
 * outside its names, a fraction over a million, a version of 0, a 31- or 33-byte hash, one hash
 * too many, likewise. Every value of every enumeration has a name, and the name gives it back.
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

/* --- a plain protobuf writer ----------------------------------------------------------------- */

typedef struct {
    uint8_t *b;
    size_t n, cap;
} pb_t;

static void pb_raw(pb_t *p, const void *d, size_t n)
{
    if (p->n + n > p->cap) {
        p->cap = (p->n + n) * 2 + 64;
        p->b = realloc(p->b, p->cap);
        assert_non_null(p->b);
    }
    memcpy(p->b + p->n, d, n);
    p->n += n;
}

static void pb_varint(pb_t *p, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    pb_raw(p, b, n);
}

static void pb_uint(pb_t *p, uint32_t field, uint64_t v)
{
    if (!v)
        return; /* proto3: a zero scalar is not written */
    pb_varint(p, (uint64_t)field << 3);
    pb_varint(p, v);
}

static void pb_bytes(pb_t *p, uint32_t field, const void *d, size_t n)
{
    pb_varint(p, (uint64_t)field << 3 | 2);
    pb_varint(p, n);
    pb_raw(p, d, n);
}

/* A field's value to write instead of the struct's, to step over a bound the encoder keeps. */
typedef struct {
    size_t field;     /* index in the kind's table */
    const char *text; /* STR, ENUM: this text */
    size_t hash_len;  /* HASH, HASHOPT: this many bytes; HASHES: elements */
    uint64_t number;  /* U32: this value */
    int set;
} over_t;

/* The bytes of e as protobuf writes a LogEntry: time_us = 1, the kind's message at its number. */
static pb_t write_entry(const mm_entry_t *e, const over_t *over)
{
    const mm_entry_kind_info_t *k = mm_entry_kind_info(e->kind);
    assert_non_null(k);
    const char *s = (const char *)&e->u;
    pb_t m = {0};
    static const uint8_t zeros[64 * 32];
    for (size_t i = 0; i < k->n_fields; i++) {
        const mm_entry_field_t *f = &k->fields[i];
        const char *v = s + f->offset;
        uint32_t num = mm_entry_field_number(e->kind, i);
        assert_true(num >= 1);
        int o = over && over->set && over->field == i;
        switch (f->type) {
        case MM_FT_STR:
        case MM_FT_ENUM: {
            int x;
            memcpy(&x, v, sizeof x);
            const char *t = o ? over->text : f->type == MM_FT_STR ? v : mm_enum_name(f->values, x);
            if (*t)
                pb_bytes(&m, num, t, strlen(t));
            break;
        }
        case MM_FT_I64: {
            int64_t x;
            memcpy(&x, v, sizeof x);
            pb_uint(&m, num, (uint64_t)x);
            break;
        }
        case MM_FT_U64: {
            uint64_t x;
            memcpy(&x, v, sizeof x);
            pb_uint(&m, num, x);
            break;
        }
        case MM_FT_U32: {
            uint32_t x;
            memcpy(&x, v, sizeof x);
            pb_uint(&m, num, o ? over->number : x);
            break;
        }
        case MM_FT_BOOL: {
            int x;
            memcpy(&x, v, sizeof x);
            pb_uint(&m, num, x != 0);
            break;
        }
        case MM_FT_HASH:
        case MM_FT_HASHOPT: {
            int has = 1;
            if (f->type == MM_FT_HASHOPT)
                memcpy(&has, s + f->aux, sizeof has);
            if (o)
                pb_bytes(&m, num, zeros, over->hash_len);
            else if (has)
                pb_bytes(&m, num, v, 32);
            break;
        }
        case MM_FT_HASHES: {
            size_t n;
            memcpy(&n, s + f->aux, sizeof n);
            if (o)
                for (size_t j = 0; j < over->hash_len; j++)
                    pb_bytes(&m, num, zeros, 32);
            else
                for (size_t j = 0; j < n; j++)
                    pb_bytes(&m, num, v + 32 * j, 32);
            break;
        }
        }
    }
    pb_t le = {0};
    pb_uint(&le, 1, (uint64_t)e->time_us);
    pb_bytes(&le, (uint32_t)e->kind, m.b ? m.b : zeros, m.n);
    free(m.b);
    return le;
}

/* --- entries with every field set ---------------------------------------------------------- */

/* Writes a text of exactly n bytes into dst that meets the field's rules: a date, a JSON array
 * or object padded with spaces, or letters. */
static void fill_text(const mm_entry_field_t *f, char *dst, size_t n)
{
    if (f->flags & MM_F_DATE) {
        strcpy(dst, "2026-12-06");
        return;
    }
    memset(dst, 'a', n);
    dst[n] = 0;
    if ((f->flags & (MM_F_JSON_ARRAY | MM_F_JSON_OBJECT)) && n >= 2) {
        int array = (f->flags & MM_F_JSON_ARRAY) != 0;
        memset(dst, ' ', n);
        dst[0] = array ? '[' : '{';
        dst[n - 1] = array ? ']' : '}';
    }
}

/* An entry of kind with every field set, strings as long as they may be. */
static mm_entry_t *full_entry(const mm_entry_kind_info_t *k)
{
    mm_entry_t *e = calloc(1, sizeof *e);
    assert_non_null(e);
    e->kind = k->kind;
    e->time_us = 1796500000123456;
    char *s = (char *)&e->u;
    for (size_t i = 0; i < k->n_fields; i++) {
        const mm_entry_field_t *f = &k->fields[i];
        char *v = s + f->offset;
        switch (f->type) {
        case MM_FT_STR:
            fill_text(f, v, f->size - 1);
            break;
        case MM_FT_ENUM: {
            int x = f->values->count - 1;
            memcpy(v, &x, sizeof x);
            break;
        }
        case MM_FT_I64: {
            int64_t x = -1000 * (int64_t)(i + 1);
            memcpy(v, &x, sizeof x);
            break;
        }
        case MM_FT_U64: {
            uint64_t x = UINT64_MAX - i; /* above INT64_MAX: a string in JSON */
            memcpy(v, &x, sizeof x);
            break;
        }
        case MM_FT_U32: {
            uint32_t x = (f->flags & MM_F_PPM) ? 1000000 : 4000000000u;
            memcpy(v, &x, sizeof x);
            break;
        }
        case MM_FT_BOOL: {
            int x = 1;
            memcpy(v, &x, sizeof x);
            break;
        }
        case MM_FT_HASHOPT: {
            int x = 1;
            memcpy(s + f->aux, &x, sizeof x);
        } /* fall through */
        case MM_FT_HASH:
            memset(v, 0xa0 + (int)i, 32);
            break;
        case MM_FT_HASHES: {
            size_t n = f->size;
            memcpy(s + f->aux, &n, sizeof n);
            for (size_t j = 0; j < n; j++)
                memset(v + 32 * j, (int)(j & 0xff), 32);
            break;
        }
        }
    }
    /* The rules across fields: a gap and a segment end after they start; an export has its
     * hashes; a site complaint was received at some time; a clock's step is read - expected. */
    if (k->kind == MM_ENTRY_CAMERA_GAP)
        e->u.camera_gap.end_us = -e->u.camera_gap.end_us;
    if (k->kind == MM_ENTRY_SEGMENT_RECORDED)
        e->u.segment_recorded.end_us = -e->u.segment_recorded.end_us;
    if (k->kind == MM_ENTRY_CLOCK_JUMPED)
        e->u.clock_jumped.step_us = e->u.clock_jumped.read_us - e->u.clock_jumped.expected_us;
    if (k->kind == MM_ENTRY_DISCLOSURE)
        e->u.disclosure.step = MM_DISCLOSURE_STEP_EXPORTED;
    if (k->kind == MM_ENTRY_SITE_COMPLAINT)
        e->u.site_complaint.received_us = -e->u.site_complaint.received_us;
    return e;
}

static uint8_t *must_encode(const mm_entry_t *e, size_t *len)
{
    uint8_t *buf = NULL;
    char why[200] = "";
    mm_err_t err = mm_entry_validate(e, why, sizeof why);
    if (err != MM_OK)
        fail_msg("%s does not validate: %s", mm_entry_kind_name(e->kind), why);
    assert_int_equal(mm_entry_encode(e, &buf, len), MM_OK);
    return buf;
}

/* --- the tests ------------------------------------------------------------------------------ */

static void test_every_kind_round_trips_with_every_field_set(void **state)
{
    (void)state;
    size_t n;
    const mm_entry_kind_info_t *kinds = mm_entry_kinds(&n);
    assert_true(n >= 21);
    mm_entry_t *back = malloc(sizeof *back);
    assert_non_null(back);
    for (size_t i = 0; i < n; i++) {
        mm_entry_t *e = full_entry(&kinds[i]);
        size_t len;
        uint8_t *buf = must_encode(e, &len);
        /* The bytes are the schema's: a plain writer makes the same of the table. */
        pb_t w = write_entry(e, NULL);
        if (w.n != len || memcmp(w.b, buf, len) != 0)
            fail_msg("%s: the table and the schema disagree", kinds[i].name);
        assert_int_equal(mm_entry_decode(buf, len, back), MM_OK);
        assert_int_equal(back->kind, kinds[i].kind);
        assert_int_equal(back->time_us, e->time_us);
        if (memcmp(&back->u, &e->u, kinds[i].size) != 0)
            fail_msg("%s: decoded is not what was encoded", kinds[i].name);
        mm_entry_kind_t pk;
        int64_t pt;
        assert_int_equal(mm_entry_peek(buf, len, &pk, &pt), MM_OK);
        assert_int_equal(pk, kinds[i].kind);
        assert_int_equal(pt, e->time_us);
        assert_int_equal(mm_entry_kind_parse(kinds[i].name), kinds[i].kind);
        assert_string_equal(mm_entry_kind_name(kinds[i].kind), kinds[i].name);
        /* The JSON view: every field by name, in the schema's order. */
        json_t *j = mm_entry_to_json(buf, len);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "type")), kinds[i].name);
        json_t *body = json_object_get(j, kinds[i].name);
        assert_int_equal(json_object_size(body), kinds[i].n_fields);
        size_t f = 0;
        const char *key;
        json_t *v;
        json_object_foreach(body, key, v)
        {
            assert_string_equal(key, kinds[i].fields[f].name);
            f++;
        }
        json_decref(j);
        free(w.b);
        free(buf);
        free(e);
    }
    free(back);
    assert_string_equal(mm_entry_kind_name((mm_entry_kind_t)99), "unknown");
    assert_int_equal(mm_entry_kind_parse("no_such_kind"), 0);
}

/* Encode refuses e, and decode refuses its hand-written bytes with over applied. */
static void refused_both_ways(mm_entry_t *e, const over_t *over, const char *what)
{
    uint8_t *buf = NULL;
    size_t len;
    if (mm_entry_encode(e, &buf, &len) != MM_EINVAL)
        fail_msg("encode took %s", what);
    pb_t w = write_entry(e, over);
    mm_entry_t *d = malloc(sizeof *d);
    assert_non_null(d);
    if (mm_entry_decode(w.b, w.n, d) != MM_EPROTO)
        fail_msg("decode took %s", what);
    free(d);
    free(w.b);
}

/* Decode refuses the bytes of the (valid) e with over applied. */
static void decode_refuses(const mm_entry_t *e, const over_t *over, const char *what)
{
    pb_t w = write_entry(e, over);
    mm_entry_t *d = malloc(sizeof *d);
    assert_non_null(d);
    if (mm_entry_decode(w.b, w.n, d) != MM_EPROTO)
        fail_msg("decode took %s", what);
    free(d);
    free(w.b);
}

static void test_every_field_bound_holds_at_its_edge(void **state)
{
    (void)state;
    size_t n;
    const mm_entry_kind_info_t *kinds = mm_entry_kinds(&n);
    char what[160];
    for (size_t i = 0; i < n; i++) {
        const mm_entry_kind_info_t *k = &kinds[i];
        for (size_t fi = 0; fi < k->n_fields; fi++) {
            const mm_entry_field_t *f = &k->fields[fi];
            mm_entry_t *e = full_entry(k);
            char *v = (char *)&e->u + f->offset;
            over_t over = {.field = fi, .set = 1};
            snprintf(what, sizeof what, "%s.%s", k->name, f->name);
            switch (f->type) {
            case MM_FT_STR: {
                /* At the cap it round-trips (full_entry); one byte over, it does not. */
                char *text = malloc(f->size + 1);
                assert_non_null(text);
                memset(text, 'a', f->size);
                text[f->size] = 0;
                memset(v, 'a', f->size); /* no NUL inside the buffer */
                over.text = text;
                refused_both_ways(e, &over, what);
                free(text);
                if (f->flags & MM_F_REQ) {
                    v[0] = 0;
                    over.text = "";
                    refused_both_ways(e, &over, what);
                }
                if (f->flags & MM_F_DATE) {
                    strcpy(v, "2026-12-6");
                    over.text = v;
                    refused_both_ways(e, &over, what);
                }
                if (f->flags & (MM_F_JSON_ARRAY | MM_F_JSON_OBJECT)) {
                    strcpy(v, (f->flags & MM_F_JSON_ARRAY) ? "{}" : "[]");
                    over.text = v;
                    refused_both_ways(e, &over, what);
                }
                /* Not UTF-8. */
                strcpy(v, "a\xff");
                over.text = v;
                refused_both_ways(e, &over, what);
                break;
            }
            case MM_FT_ENUM: {
                int x = f->values->count;
                memcpy(v, &x, sizeof x);
                over.text = "no-such-name";
                refused_both_ways(e, &over, what);
                if (f->flags & MM_F_REQ) {
                    over.text = "";
                    decode_refuses(e, &over, what);
                }
                break;
            }
            case MM_FT_U32:
                if (f->flags & MM_F_PPM) {
                    uint32_t x = 1000001;
                    memcpy(v, &x, sizeof x);
                    over.number = x;
                    refused_both_ways(e, &over, what);
                }
                if (f->flags & MM_F_VERSION) {
                    uint32_t x = 0;
                    memcpy(v, &x, sizeof x);
                    over.number = 0;
                    refused_both_ways(e, &over, what);
                }
                break;
            case MM_FT_HASH:
            case MM_FT_HASHOPT:
                over.hash_len = 31;
                decode_refuses(e, &over, what);
                over.hash_len = 33;
                decode_refuses(e, &over, what);
                break;
            case MM_FT_HASHES: {
                size_t x = f->size + 1;
                memcpy((char *)&e->u + f->aux, &x, sizeof x);
                over.hash_len = f->size + 1;
                refused_both_ways(e, &over, what);
                break;
            }
            default:
                break;
            }
            free(e);
        }
    }
}

static void test_rules_across_fields_hold_both_ways(void **state)
{
    (void)state;
    /* A gap that ends before it starts. */
    mm_entry_t *e = full_entry(mm_entry_kind_info(MM_ENTRY_CAMERA_GAP));
    e->u.camera_gap.end_us = e->u.camera_gap.start_us - 1;
    refused_both_ways(e, NULL, "a gap ending before it starts");
    free(e);
    /* A segment of negative duration (a wall clock set back, issue 20). */
    e = full_entry(mm_entry_kind_info(MM_ENTRY_SEGMENT_RECORDED));
    e->u.segment_recorded.end_us = e->u.segment_recorded.start_us - 1;
    refused_both_ways(e, NULL, "a segment ending before it starts");
    free(e);
    /* A clock jump whose step is not read - expected, or no step at all. */
    e = full_entry(mm_entry_kind_info(MM_ENTRY_CLOCK_JUMPED));
    e->u.clock_jumped.step_us += 1;
    refused_both_ways(e, NULL, "a clock step that is not read - expected");
    e->u.clock_jumped.read_us = e->u.clock_jumped.expected_us;
    e->u.clock_jumped.step_us = 0;
    refused_both_ways(e, NULL, "a clock jump of no step");
    free(e);
    /* Hashes on a step other than "exported", or "exported" without them. */
    e = full_entry(mm_entry_kind_info(MM_ENTRY_DISCLOSURE));
    e->u.disclosure.step = MM_DISCLOSURE_STEP_DELIVERED;
    refused_both_ways(e, NULL, "hashes on a delivered step");
    e->u.disclosure.step = MM_DISCLOSURE_STEP_EXPORTED;
    e->u.disclosure.has_manifest_sha256 = 0;
    refused_both_ways(e, NULL, "an export without its manifest hash");
    e->u.disclosure.has_sha256 = 0;
    refused_both_ways(e, NULL, "an export without its hashes");
    free(e);
}

static void test_peek_refuses_what_is_no_entry(void **state)
{
    (void)state;
    mm_entry_kind_t k;
    int64_t t;
    assert_int_equal(mm_entry_peek(NULL, 0, &k, &t), MM_EPROTO);
    const uint8_t truncated[] = {0x08, 0x80};
    assert_int_equal(mm_entry_peek(truncated, sizeof truncated, &k, &t), MM_EPROTO);
    const uint8_t no_kind[] = {0x08, 0x01};
    assert_int_equal(mm_entry_peek(no_kind, sizeof no_kind, &k, &t), MM_EPROTO);
    const uint8_t unknown_kind[] = {0x08, 0x01, 0xc2, 0x3e, 0x00}; /* field 1000: no kind */
    assert_int_equal(mm_entry_peek(unknown_kind, sizeof unknown_kind, &k, &t), MM_EPROTO);
    const uint8_t past_end[] = {0x08, 0x01, 0x52, 0x05, 0x0a};
    assert_int_equal(mm_entry_peek(past_end, sizeof past_end, &k, &t), MM_EPROTO);
    /* An entry of time 0 has no time field: peek says 0. */
    const uint8_t timeless[] = {0x52, 0x00}; /* field 10, empty */
    assert_int_equal(mm_entry_peek(timeless, sizeof timeless, &k, &t), MM_OK);
    assert_int_equal(k, MM_ENTRY_SEGMENT_RECORDED);
    assert_int_equal(t, 0);
}

/* Every enumeration of the table (each ENUM field's): each value has a name, distinct, and the
 * name gives the value back; nothing else parses. */
static void check_enum(const mm_enum_t *en)
{
    assert_true(en->count > 0);
    assert_non_null(en->what);
    for (int v = 0; v < en->count; v++) {
        const char *name = mm_enum_name(en, v);
        assert_non_null(name);
        assert_int_equal(mm_enum_value(en, name), v);
        for (int w = 0; w < v; w++)
            assert_string_not_equal(name, mm_enum_name(en, w));
    }
    assert_null(mm_enum_name(en, en->count));
    assert_null(mm_enum_name(en, -1));
    assert_int_equal(mm_enum_value(en, "no-such-name"), -1);
    assert_int_equal(mm_enum_value(en, NULL), -1);
}

static void test_every_enum_value_has_a_name_and_back(void **state)
{
    (void)state;
    size_t n, checked = 0;
    const mm_entry_kind_info_t *kinds = mm_entry_kinds(&n);
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < kinds[i].n_fields; f++)
            if (kinds[i].fields[f].type == MM_FT_ENUM) {
                check_enum(kinds[i].fields[f].values);
                checked++;
            }
    assert_true(checked >= 13);
    /* The typed forms say the same. */
    mm_disclosure_step_t st = MM_DISCLOSURE_STEP_HELD;
    assert_true(mm_disclosure_step_parse("released", &st));
    assert_int_equal(st, MM_DISCLOSURE_STEP_RELEASED);
    assert_false(mm_disclosure_step_parse("Released", &st));
    assert_int_equal(st, MM_DISCLOSURE_STEP_RELEASED); /* untouched */
    assert_string_equal(mm_legal_basis_name(MM_LEGAL_BASIS_OWN_IMAGES), "own_images");
    assert_string_equal(mm_legal_basis_name(MM_LEGAL_BASIS_NONE), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_round_trips_with_every_field_set),
        cmocka_unit_test(test_every_field_bound_holds_at_its_edge),
        cmocka_unit_test(test_rules_across_fields_hold_both_ways),
        cmocka_unit_test(test_peek_refuses_what_is_no_entry),
        cmocka_unit_test(test_every_enum_value_has_a_name_and_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
