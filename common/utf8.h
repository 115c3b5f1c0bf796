/*
 * utf8.h: strict UTF-8, for text that arrives from the network (notes, protobuf strings).
 *
 * Strict means RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
 * U+10FFFF, no truncated sequences. NUL is valid UTF-8; callers that refuse it say so.
 */
#ifndef MM_UTF8_H
#define MM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the character at p (at most end - p bytes). Returns its length in bytes (1..4) and
 * writes the code point to *cp, or returns 0 when the bytes there are not UTF-8 (or p == end).
 */
size_t mm_utf8_next(const char *p, const char *end, uint32_t *cp);

/* Returns non-zero when the len bytes at s are UTF-8. */
int mm_utf8_valid(const char *s, size_t len);

/*
 * Returns non-zero when the string in the cap-byte buffer s is a field as the log and the wire
 * carry one: NUL-terminated inside the buffer (at most cap - 1 bytes), UTF-8, and not empty when
 * nonempty is set.
 */
int mm_utf8_field_ok(const char *s, size_t cap, int nonempty);

/*
 * Returns non-zero for the code points Go's unicode.IsSpace reports (which C2SP signed-note
 * means by "Unicode spaces"): ASCII white space, U+0085, U+00A0, U+1680, U+2000..U+200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000.
 */
int mm_utf8_is_space(uint32_t cp);

#endif
