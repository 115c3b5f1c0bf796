/*
 * pbcheck.h: a strict look at protobuf bytes before protobuf-c unpacks them.
 *
 * protobuf-c unpacks whatever it is given: strings with embedded NULs (which C then cuts short
 * without a word), invalid UTF-8 (which the JSON API cannot carry), and any number of repeated
 * elements (each one an allocation). This module walks the wire encoding against the message's
 * descriptor first, without allocating, and refuses such input so that what the daemons see
 * after unpacking is exactly what was sent.
 */
#ifndef MM_PBCHECK_H
#define MM_PBCHECK_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define MM_PB_DEPTH_MAX 8 /* nesting limit; our schemas are not recursive */

/*
 * Checks that the len bytes at buf are a well-formed encoding of a message of descriptor d:
 * tags and lengths in bounds, no groups, known fields with the wire type their schema gives,
 * string fields valid UTF-8 without NUL, nested messages checked the same way, and no repeated
 * field (of any message) with more than max_repeated elements. Unknown fields are allowed when
 * well formed. Returns MM_OK or MM_EPROTO.
 */
mm_err_t mm_pb_check(const ProtobufCMessageDescriptor *d, const void *buf, size_t len,
                     size_t max_repeated);

/* One field of a message's encoding, as mm_pb_field reads it. */
typedef struct {
    uint32_t number;
    int wire_type;       /* 0 varint, 1 64-bit, 2 length-delimited, 5 32-bit */
    uint64_t varint;     /* wire type 0: its value */
    const uint8_t *data; /* wire types 1, 2 and 5: its bytes */
    size_t len;
} mm_pb_field_t;

/*
 * Reads the field that starts at *p (before end) into f and moves *p past it, for a look at a
 * message's top level without unpacking it. Returns 1 when a field was read, 0 at end, -1 when
 * the bytes are malformed (a varint of more than 64 bits, a field past end, a group, field 0).
 */
int mm_pb_field(const uint8_t **p, const uint8_t *end, mm_pb_field_t *f);

#endif
