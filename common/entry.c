/*
 * entry.c: site-log entries (see entry.h).
 *
 * mm_entry_to_json walks the protobuf-c descriptors, so a new entry kind added to the schema
 * shows in the API without code here; encode and decode are written per kind because they
 * check bounds that the schema cannot say.
 */
#include "entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "mimamori/v1/mimamori.pb-c.h"
#include "pbcheck.h"
#include "utf8.h"

/*
 * The edge must never append an entry that the hub's decoder refuses (the log would be stuck
 * behind it), so encode checks with the same rules that decode applies.
 */
#define ENTRY_REPEATED_MAX 256 /* no kind has a repeated field yet; a bound for when one does */

static int str_ok(const char *s, size_t cap, int nonempty)
{
    size_t n = strnlen(s, cap);
    return n < cap && (n > 0 || !nonempty) && mm_utf8_valid(s, n);
}

mm_err_t mm_entry_encode(const mm_entry_t *e, uint8_t **out, size_t *len)
{
    Mimamori__V1__LogEntry le = MIMAMORI__V1__LOG_ENTRY__INIT;
    Mimamori__V1__SegmentRecorded sr = MIMAMORI__V1__SEGMENT_RECORDED__INIT;
    le.time_us = e->time_us;
    switch (e->kind) {
    case MM_ENTRY_SEGMENT_RECORDED: {
        const mm_segment_recorded_t *s = &e->u.segment_recorded;
        if (!str_ok(s->camera, MM_ID_MAX, 1) || !str_ok(s->codec, sizeof s->codec, 0))
            return MM_EINVAL;
        sr.camera = (char *)s->camera;
        sr.start_us = s->start_us;
        sr.end_us = s->end_us;
        sr.bytes = s->bytes;
        sr.frames = s->frames;
        sr.content_hash.data = (uint8_t *)s->content_hash;
        sr.content_hash.len = 32;
        sr.codec = (char *)s->codec;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_SEGMENT_RECORDED;
        le.segment_recorded = &sr;
        break;
    }
    default:
        return MM_EINVAL;
    }
    size_t n = mimamori__v1__log_entry__get_packed_size(&le);
    if (n > MM_LOG_ENTRY_MAX)
        return MM_ETOOBIG;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return MM_ENOMEM;
    mimamori__v1__log_entry__pack(&le, buf);
    *out = buf;
    *len = n;
    return MM_OK;
}

static int copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

mm_err_t mm_entry_decode(const void *buf, size_t len, mm_entry_t *out)
{
    if (len > MM_LOG_ENTRY_MAX)
        return MM_ETOOBIG;
    /* Strings with NUL or bad UTF-8, malformed or oversized encodings: refused before unpack. */
    if (mm_pb_check(&mimamori__v1__log_entry__descriptor, buf, len, ENTRY_REPEATED_MAX) != MM_OK)
        return MM_EPROTO;
    Mimamori__V1__LogEntry *le = mimamori__v1__log_entry__unpack(NULL, len, buf);
    if (!le)
        return MM_EPROTO;
    mm_err_t err = MM_OK;
    memset(out, 0, sizeof *out);
    out->time_us = le->time_us;
    switch (le->kind_case) {
    case MIMAMORI__V1__LOG_ENTRY__KIND_SEGMENT_RECORDED: {
        const Mimamori__V1__SegmentRecorded *sr = le->segment_recorded;
        mm_segment_recorded_t *s = &out->u.segment_recorded;
        out->kind = MM_ENTRY_SEGMENT_RECORDED;
        if (!sr || copy_str(s->camera, sizeof s->camera, sr->camera) != 0 || !s->camera[0] ||
            copy_str(s->codec, sizeof s->codec, sr->codec) != 0 || sr->content_hash.len != 32) {
            err = MM_EPROTO;
            break;
        }
        s->start_us = sr->start_us;
        s->end_us = sr->end_us;
        s->bytes = sr->bytes;
        s->frames = sr->frames;
        memcpy(s->content_hash, sr->content_hash.data, 32);
        break;
    }
    default:
        err = MM_EPROTO;
    }
    mimamori__v1__log_entry__free_unpacked(le, NULL);
    return err;
}

const char *mm_entry_kind_name(mm_entry_kind_t kind)
{
    switch (kind) {
    case MM_ENTRY_SEGMENT_RECORDED:
        return "segment_recorded";
    }
    return "unknown";
}

/* JSON of one scalar or message field at member. */
static json_t *field_json(const ProtobufCFieldDescriptor *f, const void *member);

static json_t *message_json(const ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)m;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which = *(const uint32_t *)(base + f->quantifier_offset);
            if (which != f->id)
                continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            const char *arr = *(char *const *)(base + f->offset);
            size_t sz = 0;
            switch (f->type) {
            case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_ENUM:
            case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_SFIXED32:
            case PROTOBUF_C_TYPE_FLOAT: sz = 4; break;
            case PROTOBUF_C_TYPE_BOOL: sz = sizeof(protobuf_c_boolean); break;
            case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_MESSAGE: sz = sizeof(void *); break;
            case PROTOBUF_C_TYPE_BYTES: sz = sizeof(ProtobufCBinaryData); break;
            default: sz = 8;
            }
            json_t *a = json_array();
            for (size_t k = 0; a && k < n; k++)
                json_array_append_new(a, field_json(f, arr + k * sz));
            json_object_set_new(o, f->name, a ? a : json_null());
            continue;
        }
        json_t *v = field_json(f, base + f->offset);
        json_object_set_new(o, f->name, v ? v : json_null());
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF && f->type == PROTOBUF_C_TYPE_MESSAGE)
            json_object_set_new(o, "type", json_string(f->name));
    }
    return o;
}

static json_t *field_json(const ProtobufCFieldDescriptor *f, const void *member)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)member);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)member);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer(*(const int64_t *)member);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        /* JSON integers here are signed 64-bit; larger values go as strings. */
        uint64_t u = *(const uint64_t *)member;
        if (u > INT64_MAX) {
            char buf[24];
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)u);
            return json_string(buf);
        }
        return json_integer((json_int_t)u);
    }
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)member);
    case PROTOBUF_C_TYPE_FLOAT:
        return json_real(*(const float *)member);
    case PROTOBUF_C_TYPE_DOUBLE:
        return json_real(*(const double *)member);
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *ed = f->descriptor;
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(ed, *(const int *)member);
        return ev ? json_string(ev->name) : json_integer(*(const int *)member);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)member;
        return s ? json_string(s) : json_string("");
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = member;
        char *hex = malloc(b->len * 2 + 1);
        if (!hex)
            return NULL;
        json_t *j = mm_hex_encode(b->data, b->len, hex, b->len * 2 + 1) == MM_OK
                        ? json_string(hex)
                        : NULL;
        free(hex);
        return j;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)member;
        return m ? message_json(m) : json_null();
    }
    }
    return json_null();
}

json_t *mm_entry_to_json(const void *buf, size_t len)
{
    mm_entry_t check;
    if (mm_entry_decode(buf, len, &check) != MM_OK)
        return NULL;
    Mimamori__V1__LogEntry *le = mimamori__v1__log_entry__unpack(NULL, len, buf);
    if (!le)
        return NULL;
    json_t *j = message_json(&le->base);
    mimamori__v1__log_entry__free_unpacked(le, NULL);
    return j;
}
