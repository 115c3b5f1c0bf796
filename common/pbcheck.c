/*
 * pbcheck.c: strict pre-unpack checks of protobuf bytes (see pbcheck.h).
 *
 * A plain walk over (tag, value) pairs. Repeated elements are counted per field of one message
 * occurrence; a field number that occurs again in the same message (which protobuf merges or
 * overwrites) is counted too, and packed scalars count one per element.
 */
#include "common/pbcheck.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/utf8.h"

#define COUNTED_FIELDS 64 /* repeated fields counted per message (ours have a handful) */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

/* Reads a varint of at most 10 bytes; returns its length or 0 when malformed. */
static size_t varint(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 10 && p + i < end; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            if (i == 9 && p[i] > 1)
                return 0; /* more than 64 bits */
            *out = v;
            return i + 1;
        }
    }
    return 0;
}

/* The wire type a scalar field of type t is written with when not packed. */
static int scalar_wire_type(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return WT_I32;
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return WT_I64;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
        return WT_LEN;
    default:
        return WT_VARINT;
    }
}

/* Number of elements in a packed run of scalars of type t, or -1 when malformed. */
static long packed_count(ProtobufCType t, const uint8_t *p, size_t len)
{
    int wt = scalar_wire_type(t);
    if (wt == WT_I32)
        return len % 4 ? -1 : (long)(len / 4);
    if (wt == WT_I64)
        return len % 8 ? -1 : (long)(len / 8);
    long n = 0;
    const uint8_t *end = p + len;
    while (p < end) {
        uint64_t v;
        size_t k = varint(p, end, &v);
        if (!k)
            return -1;
        p += k;
        n++;
    }
    return n;
}

static mm_err_t check(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end,
                      size_t max_repeated, int depth)
{
    if (depth > MM_PB_DEPTH_MAX)
        return MM_EPROTO;
    size_t counts[COUNTED_FIELDS] = {0};
    while (p < end) {
        uint64_t tag;
        size_t k = varint(p, end, &tag);
        if (!k || tag > UINT32_MAX)
            return MM_EPROTO;
        p += k;
        uint32_t number = (uint32_t)(tag >> 3);
        int wt = (int)(tag & 7);
        if (number == 0 || number > 536870911u)
            return MM_EPROTO;
        const uint8_t *value = p;
        size_t vlen = 0;
        switch (wt) {
        case WT_VARINT: {
            uint64_t v;
            if (!(k = varint(p, end, &v)))
                return MM_EPROTO;
            p += k;
            break;
        }
        case WT_I64:
        case WT_I32: {
            size_t n = wt == WT_I64 ? 8 : 4;
            if ((size_t)(end - p) < n)
                return MM_EPROTO;
            p += n;
            break;
        }
        case WT_LEN: {
            uint64_t n;
            if (!(k = varint(p, end, &n)) || n > (uint64_t)(end - p - (ptrdiff_t)k))
                return MM_EPROTO;
            value = p + k;
            vlen = (size_t)n;
            p = value + vlen;
            break;
        }
        default:
            return MM_EPROTO; /* groups (3, 4) and the unused types 6, 7 */
        }

        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, number);
        if (!f)
            continue; /* unknown: skipped, as protobuf-c keeps it aside */
        long elements = 1;
        int want = scalar_wire_type(f->type);
        if (wt != want) {
            /* Only a repeated scalar may differ, and only as a packed run. */
            if (f->label != PROTOBUF_C_LABEL_REPEATED || wt != WT_LEN || want == WT_LEN)
                return MM_EPROTO;
            elements = packed_count(f->type, value, vlen);
            if (elements < 0)
                return MM_EPROTO;
        } else if (f->type == PROTOBUF_C_TYPE_STRING) {
            if (memchr(value, 0, vlen) || !mm_utf8_valid((const char *)value, vlen))
                return MM_EPROTO;
        } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            mm_err_t err = check(f->descriptor, value, value + vlen, max_repeated, depth + 1);
            if (err != MM_OK)
                return err;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t idx = (size_t)(f - d->fields);
            if (idx < COUNTED_FIELDS) {
                counts[idx] += (size_t)elements;
                if (counts[idx] > max_repeated)
                    return MM_EPROTO;
            }
        }
    }
    return MM_OK;
}

mm_err_t mm_pb_check(const ProtobufCMessageDescriptor *d, const void *buf, size_t len,
                     size_t max_repeated)
{
    if (len == 0)
        return MM_OK; /* the empty message: every field at its default */
    if (!buf)
        return MM_EPROTO;
    const uint8_t *p = buf;
    return check(d, p, p + len, max_repeated, 0);
}

int mm_pb_field(const uint8_t **p, const uint8_t *end, mm_pb_field_t *f)
{
    if (*p >= end)
        return 0;
    uint64_t tag;
    size_t n = varint(*p, end, &tag);
    if (!n || tag >> 3 == 0 || tag >> 3 > UINT32_MAX)
        return -1;
    const uint8_t *q = *p + n;
    *f = (mm_pb_field_t){.number = (uint32_t)(tag >> 3), .wire_type = (int)(tag & 7)};
    size_t len;
    switch (f->wire_type) {
    case WT_VARINT:
        if (!(n = varint(q, end, &f->varint)))
            return -1;
        *p = q + n;
        return 1;
    case WT_I64:
        len = 8;
        break;
    case WT_I32:
        len = 4;
        break;
    case WT_LEN: {
        uint64_t l;
        if (!(n = varint(q, end, &l)))
            return -1;
        q += n;
        if (l > (uint64_t)(end - q))
            return -1;
        len = (size_t)l;
        break;
    }
    default:
        return -1;
    }
    if (len > (size_t)(end - q))
        return -1;
    f->data = q;
    f->len = len;
    *p = q + len;
    return 1;
}
