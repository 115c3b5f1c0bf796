/*
 * codec.h: what the hub's storage codecs share (registry_codec.c, findings_codec.c,
 * measures_codec.c, disclosure_codec.c).
 *
 * Each codec turns one domain's stored JSON text into its C struct and back. Reading is lenient
 * where the hub's own older records, or the tests' records written by hand, may lack a member
 * (it reads as empty or zero, as it did when records were read as JSON), and strict where a
 * member could not be kept as it is (a text longer than its field, a number that is a string):
 * such a record is refused whole rather than changed behind the city's back. Writing always
 * gives compact JSON with the members in the order the record says (members.h).
 */
#ifndef HUB_CODEC_H
#define HUB_CODEC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"

/*
 * A codec's stored text, defined from its JSON (name##_json and name##_from_json): name##_encode,
 * the record as compact JSON text (malloc'd; NULL when out of memory), and name##_decode, the text
 * read back as from_json reads it (a text that is no JSON object is refused as from_json refuses
 * one). Every codec stores its JSON so, in its .c file: HUB_CODEC_TEXT_DEFINE(hub_measure,
 * hub_measure_t).
 */
#define HUB_CODEC_TEXT_DEFINE(name, type)                                                          \
    char *name##_encode(const type *r)                                                             \
    {                                                                                              \
        return hub_codec_dump(name##_json(r));                                                     \
    }                                                                                              \
    mm_err_t name##_decode(const void *text, size_t len, type *out)                                \
    {                                                                                              \
        json_t *o = hub_codec_load(text, len);                                                     \
        mm_err_t err = name##_from_json(o, out);                                                   \
        json_decref(o);                                                                            \
        return err;                                                                                \
    }

/* The JSON object in text[0 .. len) as a new reference; NULL when it is not one. */
json_t *hub_codec_load(const void *text, size_t len);
/* o as compact JSON text (malloc'd), and o released; NULL when out of memory (o released too). */
char *hub_codec_dump(json_t *o);

/* Adds v to o as name, in order; a failure (v NULL too) is remembered in *bad. Writing builds an
 * object member by member so, and looks once, at the end, with hub_codec_built. */
void hub_codec_add(json_t *o, const char *name, json_t *v, int *bad);
/* o when nothing failed (bad 0); else NULL, and o released. */
json_t *hub_codec_built(json_t *o, int bad);
/* Appends v to the array *a; when that fails (v NULL too), *a is released and becomes NULL, so
 * that a loop over "*a && ..." stops there. */
void hub_codec_append(json_t **a, json_t *v);

/* The string member key of o into dst (cap bytes): 0; "" when absent or null; -1 when it is
 * not a string or does not fit. */
int hub_codec_str(const json_t *o, const char *key, char *dst, size_t cap);
/* The integer member key of o; 0 when absent or not an integer. */
int64_t hub_codec_int(const json_t *o, const char *key);
/* Whether the member key of o is true. */
int hub_codec_bool(const json_t *o, const char *key);
/* Whether o has the member key (null counts as none). */
int hub_codec_has(const json_t *o, const char *key);
/* The hex member key of o (64 lower-case digits) into out: 0, or -1 when it is not one. */
int hub_codec_hex32(const json_t *o, const char *key, uint8_t out[32]);
/* 32 bytes as 64 lower-case hex digits, a new JSON string. */
json_t *hub_codec_hex32_json(const uint8_t b[32]);

/* The fields of kind from o into the struct at s, which the caller has zeroed: absent fields stay
 * zero; 0, or -1 for a field that is present but not what its type can hold. The inverse of
 * mm_entry_fields_json (common/entry.h), which writes a record's facts of an entry. */
int hub_codec_fields_from_json(const json_t *o, mm_entry_kind_t kind, void *s);

#endif
