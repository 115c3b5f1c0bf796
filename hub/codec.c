/*
 * codec.c: reading JSON members into typed fields and back, for the storage codecs (codec.h).
 */
#include "hub/codec.h"

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
