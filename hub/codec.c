/*
 * codec.c: reading JSON members into typed fields and back, for the storage codecs (codec.h).
 */
#include "hub/codec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"

json_t *hub_codec_load(const void *text, size_t len)
{
    json_t *o = json_loadb(text, len, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *hub_codec_dump(json_t *o)
{
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

void hub_codec_add(json_t *o, const char *name, json_t *v, int *bad)
{
    if (!v || json_object_set_new(o, name, v) != 0)
        *bad = 1;
}

json_t *hub_codec_built(json_t *o, int bad)
{
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

void hub_codec_append(json_t **a, json_t *v)
{
    if (!v || json_array_append_new(*a, v) != 0) {
        json_decref(*a);
        *a = NULL;
    }
}

int hub_codec_str(const json_t *o, const char *key, char *dst, size_t cap)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        dst[0] = 0;
        return 0;
    }
    size_t n = json_string_length(v);
    if (!json_is_string(v) || n >= cap) {
        dst[0] = 0;
        return -1;
    }
    memcpy(dst, json_string_value(v), n + 1);
    return 0;
}

int64_t hub_codec_int(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

int hub_codec_bool(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

int hub_codec_has(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return v && !json_is_null(v);
}

int hub_codec_hex32(const json_t *o, const char *key, uint8_t out[32])
{
    const char *s = json_string_value(json_object_get(o, key));
    char again[65];
    if (!s || strlen(s) != 64 || mm_hex_decode(s, 64, out, 32) != 32)
        return -1;
    mm_hex32(out, again); /* only what writing gives back: lower case */
    return strcmp(again, s) ? -1 : 0;
}

json_t *hub_codec_hex32_json(const uint8_t b[32])
{
    char hex[65];
    mm_hex32(b, hex);
    return json_string(hex);
}

/* --- an entry's fields --------------------------------------------------------------------- */

/* A hex string of 32 bytes (or, when may_be_empty, "") into out: its length in bytes, or -1. */
static int hex_from(const json_t *v, uint8_t out[32], int may_be_empty)
{
    const char *s = json_string_value(v);
    char again[65];
    if (!s)
        return -1;
    if (!*s)
        return may_be_empty ? 0 : -1;
    if (strlen(s) != 64 || mm_hex_decode(s, 64, out, 32) != 32)
        return -1;
    mm_hex32(out, again);
    return strcmp(again, s) ? -1 : 32;
}

/* One present field from v into the struct at s: 0 or -1. */
static int field_from(const mm_entry_field_t *f, const json_t *v, char *s)
{
    char *p = s + f->offset;
    int iv;
    switch (f->type) {
    case MM_FT_STR:
        if (!json_is_string(v) || json_string_length(v) >= f->size)
            return -1;
        memcpy(p, json_string_value(v), json_string_length(v) + 1);
        return 0;
    case MM_FT_ENUM:
        iv = mm_enum_value(f->values, json_string_value(v));
        memcpy(p, &iv, sizeof iv);
        return iv < 0 ? -1 : 0;
    case MM_FT_I64: {
        int64_t x = json_integer_value(v);
        memcpy(p, &x, sizeof x);
        return json_is_integer(v) ? 0 : -1;
    }
    case MM_FT_U64: {
        uint64_t x = (uint64_t)json_integer_value(v);
        if (json_is_string(v) && sscanf(json_string_value(v), "%" SCNu64, &x) != 1)
            return -1;
        memcpy(p, &x, sizeof x);
        return json_is_integer(v) || json_is_string(v) ? 0 : -1;
    }
    case MM_FT_U32: {
        uint32_t x = (uint32_t)json_integer_value(v);
        memcpy(p, &x, sizeof x);
        return json_is_integer(v) ? 0 : -1;
    }
    case MM_FT_BOOL:
        iv = json_is_true(v);
        memcpy(p, &iv, sizeof iv);
        return json_is_boolean(v) ? 0 : -1;
    case MM_FT_HASH:
        return hex_from(v, (uint8_t *)p, 0) == 32 ? 0 : -1;
    case MM_FT_HASHOPT:
        iv = hex_from(v, (uint8_t *)p, 1);
        memcpy(s + f->aux, &(int){iv == 32}, sizeof(int));
        return iv < 0 ? -1 : 0;
    case MM_FT_HASHES: {
        size_t n = json_array_size(v);
        if (!json_is_array(v) || n > f->size)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (hex_from(json_array_get(v, i), (uint8_t *)p + 32 * i, 0) != 32)
                return -1;
        memcpy(s + f->aux, &n, sizeof n);
        return 0;
    }
    }
    return -1;
}

int hub_codec_fields_from_json(const json_t *o, mm_entry_kind_t kind, void *s)
{
    const mm_entry_kind_info_t *k = mm_entry_kind_info(kind);
    if (!k)
        return -1;
    for (size_t i = 0; i < k->n_fields; i++) {
        const json_t *v = json_object_get(o, k->fields[i].name);
        if (v && !json_is_null(v) && field_from(&k->fields[i], v, s) != 0)
            return -1;
    }
    return 0;
}
