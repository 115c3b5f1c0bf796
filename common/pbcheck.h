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

#include "err.h"

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

#endif
