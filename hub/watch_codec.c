/*
 * watch_codec.c: a site's watch state as stored JSON and back (see watch_codec.h).
 *
 * Every item of the state is a flat struct of numbers and short texts, so one table per struct
 * (name, type, offset, size) writes and reads it; the lists are arrays of such objects.
 */
#include "hub/watch_codec.h"

#include <string.h>

#include "hub/codec.h"

typedef enum { F_STR, F_I64, F_U64, F_U32, F_INT } ftype_t;

typedef struct {
    const char *name;
    ftype_t type;
    size_t offset, size;
} field_t;

#define FIELD(st, type, m)                                                                         \
    {                                                                                              \
#m, type, offsetof(st, m), sizeof(((st *)0)->m)                                            \
    }

static const field_t skew_fields[] = {
    FIELD(hub_watch_skew_t, F_I64, site_us),     FIELD(hub_watch_skew_t, F_I64, offset_us),
    FIELD(hub_watch_skew_t, F_I64, received_us), FIELD(hub_watch_skew_t, F_U64, index),
    FIELD(hub_watch_skew_t, F_INT, bound),       {NULL, 0, 0, 0}};
static const field_t erasure_fields[] = {FIELD(hub_watch_erasure_t, F_STR, camera),
                                         FIELD(hub_watch_erasure_t, F_STR, day),
                                         FIELD(hub_watch_erasure_t, F_U32, count),
                                         FIELD(hub_watch_erasure_t, F_U64, first_index),
                                         FIELD(hub_watch_erasure_t, F_U64, last_index),
                                         FIELD(hub_watch_erasure_t, F_I64, early_us),
                                         FIELD(hub_watch_erasure_t, F_I64, due_us),
                                         FIELD(hub_watch_erasure_t, F_I64, received_us),
                                         FIELD(hub_watch_erasure_t, F_U32, retention_days),
                                         {NULL, 0, 0, 0}};
static const field_t viewing_fields[] = {FIELD(hub_watch_viewing_t, F_STR, person),
                                         FIELD(hub_watch_viewing_t, F_STR, day),
                                         FIELD(hub_watch_viewing_t, F_U32, viewings),
                                         FIELD(hub_watch_viewing_t, F_I64, footage_us),
                                         FIELD(hub_watch_viewing_t, F_U32, night),
                                         FIELD(hub_watch_viewing_t, F_U64, first_index),
                                         FIELD(hub_watch_viewing_t, F_U64, last_index),
                                         FIELD(hub_watch_viewing_t, F_U64, night_index),
                                         {NULL, 0, 0, 0}};
static const field_t version_fields[] = {FIELD(hub_watch_version_t, F_U32, version),
                                         FIELD(hub_watch_version_t, F_U32, cameras),
                                         FIELD(hub_watch_version_t, F_U64, index),
                                         {NULL, 0, 0, 0}};
static const field_t facts_fields[] = {FIELD(hub_watch_state_t, F_U32, retention_days),
                                       FIELD(hub_watch_state_t, F_U32, floor_days),
                                       FIELD(hub_watch_state_t, F_STR, timezone),
                                       FIELD(hub_watch_state_t, F_U32, cameras),
                                       FIELD(hub_watch_state_t, F_U64, cameras_index),
                                       FIELD(hub_watch_state_t, F_I64, cameras_since_us),
                                       {NULL, 0, 0, 0}};

/* --- writing --------------------------------------------------------------------------------- */

static json_t *fields_json(json_t *o, const field_t *f, const void *s)
{
    int bad = !o;
    for (; o && f->name; f++) {
        const char *p = (const char *)s + f->offset;
        json_t *v = NULL;
        int64_t i = 0;
        switch (f->type) {
        case F_STR:
            v = json_string(p);
            break;
        case F_I64:
            memcpy(&i, p, sizeof i);
            break;
        case F_U64: {
            uint64_t u;
            memcpy(&u, p, sizeof u);
            i = (int64_t)u;
            break;
        }
        case F_U32: {
            uint32_t u;
            memcpy(&u, p, sizeof u);
            i = u;
            break;
        }
        case F_INT: {
            int n;
            memcpy(&n, p, sizeof n);
            i = n;
            break;
        }
        }
        hub_codec_add(o, f->name, v ? v : json_integer(i), &bad);
    }
    return hub_codec_built(o, bad);
}

static json_t *list_json(const void *items, size_t n, size_t size, const field_t *f)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        hub_codec_append(&a, fields_json(json_object(), f, (const char *)items + i * size));
    return a;
}

json_t *hub_watch_json(const hub_watch_state_t *st)
{
    json_t *o = json_object();
    int bad = !o;
    if (st->has_facts) {
        json_t *f = json_object();
        if (f)
            hub_codec_add(f, "policy", json_string(mm_policy_name(st->policy)), &bad);
        hub_codec_add(o, "facts", fields_json(f, facts_fields, st), &bad);
    }
    if (st->has_filed)
        hub_codec_add(o, "filed",
                      json_pack("{s:I, s:I, s:b, s:I}", "version", (json_int_t)st->filed_version,
                                "cameras", (json_int_t)st->filed_cameras, "cameras_known",
                                st->filed_cameras_known, "index", (json_int_t)st->filed_index),
                      &bad);
    hub_codec_add(o, "versions",
                  list_json(st->versions, st->n_versions, sizeof st->versions[0], version_fields),
                  &bad);
    hub_codec_add(o, "skews", list_json(st->skews, st->n_skews, sizeof st->skews[0], skew_fields),
                  &bad);
    hub_codec_add(o, "erasures",
                  list_json(st->erasures, st->n_erasures, sizeof st->erasures[0], erasure_fields),
                  &bad);
    hub_codec_add(o, "viewings",
                  list_json(st->viewings, st->n_viewings, sizeof st->viewings[0], viewing_fields),
                  &bad);
    return hub_codec_built(o, bad);
}

/* --- reading --------------------------------------------------------------------------------- */

static int fields_from_json(const json_t *o, const field_t *f, void *s)
{
    if (!json_is_object(o))
        return -1;
    for (; f->name; f++) {
        char *p = (char *)s + f->offset;
        json_t *v = json_object_get(o, f->name);
        if (f->type == F_STR) {
            if (hub_codec_str(o, f->name, p, f->size) != 0)
                return -1;
            continue;
        }
        if (v && !json_is_integer(v))
            return -1;
        int64_t i = v ? json_integer_value(v) : 0;
        switch (f->type) {
        case F_I64:
        case F_U64:
            memcpy(p, &i, sizeof i);
            break;
        case F_U32: {
            if (i < 0 || i > UINT32_MAX)
                return -1;
            uint32_t u = (uint32_t)i;
            memcpy(p, &u, sizeof u);
            break;
        }
        case F_INT: {
            int n = i != 0;
            memcpy(p, &n, sizeof n);
            break;
        }
        case F_STR:
            break;
        }
    }
    return 0;
}

static int list_from_json(const json_t *o, const char *name, void *items, size_t *n, size_t max,
                          size_t size, const field_t *f)
{
    const json_t *a = json_object_get(o, name);
    *n = 0;
    if (!a)
        return 0;
    if (!json_is_array(a) || json_array_size(a) > max)
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        if (fields_from_json(json_array_get(a, i), f, (char *)items + i * size) != 0)
            return -1;
        (*n)++;
    }
    return 0;
}

static int facts_from_json(const json_t *o, hub_watch_state_t *st)
{
    const json_t *f = json_object_get(o, "facts");
    if (!f)
        return 0;
    char policy[32];
    if (fields_from_json(f, facts_fields, st) != 0 ||
        hub_codec_str(f, "policy", policy, sizeof policy) != 0 ||
        !mm_policy_parse(policy, &st->policy))
        return -1;
    st->has_facts = 1;
    return 0;
}

static int filed_from_json(const json_t *o, hub_watch_state_t *st)
{
    const json_t *f = json_object_get(o, "filed");
    if (!f)
        return 0;
    if (!json_is_object(f))
        return -1;
    hub_watch_version_t v = {0};
    if (fields_from_json(f, version_fields, &v) != 0)
        return -1;
    st->has_filed = 1;
    st->filed_version = v.version;
    st->filed_cameras = v.cameras;
    st->filed_index = v.index;
    st->filed_cameras_known = hub_codec_bool(f, "cameras_known");
    return 0;
}

mm_err_t hub_watch_from_json(const json_t *o, hub_watch_state_t *out)
{
    hub_watch_state_init(out);
    if (!json_is_object(o) || facts_from_json(o, out) || filed_from_json(o, out) ||
        list_from_json(o, "versions", out->versions, &out->n_versions, HUB_WATCH_VERSIONS_MAX,
                       sizeof out->versions[0], version_fields) ||
        list_from_json(o, "skews", out->skews, &out->n_skews, HUB_WATCH_SKEWS_MAX,
                       sizeof out->skews[0], skew_fields) ||
        list_from_json(o, "erasures", out->erasures, &out->n_erasures, HUB_WATCH_ERASURES_MAX,
                       sizeof out->erasures[0], erasure_fields) ||
        list_from_json(o, "viewings", out->viewings, &out->n_viewings, HUB_WATCH_VIEWINGS_MAX,
                       sizeof out->viewings[0], viewing_fields)) {
        hub_watch_state_init(out);
        return MM_ECORRUPT;
    }
    return MM_OK;
}

char *hub_watch_encode(const hub_watch_state_t *st)
{
    return hub_codec_dump(hub_watch_json(st));
}

mm_err_t hub_watch_decode(const void *text, size_t len, hub_watch_state_t *out)
{
    json_t *o = hub_codec_load(text, len);
    mm_err_t err = hub_watch_from_json(o, out);
    json_decref(o);
    return err;
}
