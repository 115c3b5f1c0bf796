/*
 * manifest.c: a hub backup's manifest (see manifest.h).
 */
#include "hub/manifest.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"

#define SIZE_MAX_JSON ((uint64_t)1 << 53) /* what a JSON integer holds exactly */

void hub_manifest_init(hub_manifest_t *m)
{
    memset(m, 0, sizeof *m);
}

void hub_manifest_deinit(hub_manifest_t *m)
{
    free(m->files);
    free(m->logs);
    memset(m, 0, sizeof *m);
}

int hub_manifest_path_ok(const char *path)
{
    size_t n = strlen(path);
    if (n == 0 || n >= HUB_MANIFEST_PATH_MAX)
        return 0;
    int start = 1; /* at the start of a part */
    for (const char *p = path; *p; p++) {
        char c = *p;
        if (c == '/') {
            if (start)
                return 0; /* a leading slash or an empty part */
            start = 1;
            continue;
        }
        if (start && c == '.')
            return 0; /* ".", "..", hidden files */
        start = 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return !start; /* no trailing slash */
}

mm_err_t hub_manifest_add_file(hub_manifest_t *m, const char *path, uint64_t bytes,
                               const uint8_t sha256[32])
{
    if (!hub_manifest_path_ok(path) || bytes >= SIZE_MAX_JSON)
        return MM_EINVAL;
    if (m->n_files >= HUB_MANIFEST_FILES_MAX)
        return MM_ERANGE;
    hub_manifest_file_t *f = realloc(m->files, (m->n_files + 1) * sizeof *f);
    if (!f)
        return MM_ENOMEM;
    m->files = f;
    f += m->n_files++;
    memset(f, 0, sizeof *f); /* whole, so that two manifests compare byte for byte */
    snprintf(f->path, sizeof f->path, "%s", path);
    f->bytes = bytes;
    memcpy(f->sha256, sha256, 32);
    return MM_OK;
}

mm_err_t hub_manifest_add_log(hub_manifest_t *m, const char *name, uint32_t id, uint64_t size,
                              const uint8_t root[32])
{
    if (!name[0] || strlen(name) >= MM_KEY_NAME_MAX || size >= SIZE_MAX_JSON)
        return MM_EINVAL;
    if (m->n_logs >= HUB_MANIFEST_LOGS_MAX)
        return MM_ERANGE;
    hub_manifest_log_t *l = realloc(m->logs, (m->n_logs + 1) * sizeof *l);
    if (!l)
        return MM_ENOMEM;
    m->logs = l;
    l += m->n_logs++;
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->id = id;
    l->size = size;
    memcpy(l->root, root, 32);
    return MM_OK;
}

const hub_manifest_file_t *hub_manifest_file(const hub_manifest_t *m, const char *path)
{
    for (size_t i = 0; i < m->n_files; i++)
        if (!strcmp(m->files[i].path, path))
            return &m->files[i];
    return NULL;
}

const hub_manifest_log_t *hub_manifest_log(const hub_manifest_t *m, uint32_t id)
{
    for (size_t i = 0; i < m->n_logs; i++)
        if (m->logs[i].id == id)
            return &m->logs[i];
    return NULL;
}

/* --- writing ---------------------------------------------------------------------------------*/

static json_t *hex_json(const uint8_t h[32])
{
    char hex[65];
    mm_hex32(h, hex);
    return json_string(hex);
}

mm_err_t hub_manifest_format(const hub_manifest_t *m, char **out)
{
    json_t *files = json_array(), *logs = json_array();
    for (size_t i = 0; files && i < m->n_files; i++) {
        const hub_manifest_file_t *f = &m->files[i];
        json_array_append_new(files,
                              json_pack("{s:s, s:I, s:o}", "path", f->path, "bytes",
                                        (json_int_t)f->bytes, "sha256", hex_json(f->sha256)));
    }
    for (size_t i = 0; logs && i < m->n_logs; i++) {
        const hub_manifest_log_t *l = &m->logs[i];
        json_array_append_new(logs, json_pack("{s:s, s:I, s:I, s:o}", "name", l->name, "id",
                                              (json_int_t)l->id, "size", (json_int_t)l->size,
                                              "root", hex_json(l->root)));
    }
    json_t *o = files && logs
                    ? json_pack("{s:s, s:s, s:s, s:I, s:O, s:O}", "format", HUB_MANIFEST_FORMAT,
                                "hub", m->hub, "time", m->time, "time_us", (json_int_t)m->time_us,
                                "files", files, "logs", logs)
                    : NULL;
    json_decref(files);
    json_decref(logs);
    char *text = o ? json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!text)
        return MM_ENOMEM;
    size_t n = strlen(text);
    char *t = realloc(text, n + 2);
    if (!t) {
        free(text);
        return MM_ENOMEM;
    }
    t[n] = '\n';
    t[n + 1] = 0;
    *out = t;
    return MM_OK;
}

/* --- parsing ---------------------------------------------------------------------------------*/

typedef struct {
    char *why;
    size_t cap;
} why_t;

static mm_err_t bad(why_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static mm_err_t bad(why_t *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (w->cap)
        vsnprintf(w->why, w->cap, fmt, ap);
    va_end(ap);
    return MM_EPARSE;
}

/* Only the keys named (a NULL-terminated list) may be in o. */
static const char *unknown_key(json_t *o, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        const char *const *p = keys;
        while (*p && strcmp(*p, k))
            p++;
        if (!*p)
            return k;
    }
    return NULL;
}

static int get_u64(json_t *o, const char *key, uint64_t max, uint64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
        return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int get_hash(json_t *o, const char *key, uint8_t out[32])
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && strlen(s) == 64 && mm_hex_decode(s, 64, out, 32) == 32 ? 0 : -1;
}

static mm_err_t parse_files(json_t *a, hub_manifest_t *m, why_t *w)
{
    static const char *const keys[] = {"path", "bytes", "sha256", NULL};
    if (!json_is_array(a))
        return bad(w, "files: not an array");
    if (json_array_size(a) > HUB_MANIFEST_FILES_MAX)
        return bad(w, "files: more than %d", HUB_MANIFEST_FILES_MAX);
    size_t i;
    json_t *f;
    json_array_foreach(a, i, f)
    {
        const char *k = json_is_object(f) ? unknown_key(f, keys) : NULL;
        if (!json_is_object(f) || k)
            return bad(w, "files[%zu]: %s%s", i, k ? "unknown key " : "not an object", k ? k : "");
        const char *path = json_string_value(json_object_get(f, "path"));
        uint64_t bytes;
        uint8_t h[32];
        if (!path || !hub_manifest_path_ok(path))
            return bad(w, "files[%zu].path: not a plain relative path", i);
        if (hub_manifest_file(m, path))
            return bad(w, "files[%zu].path: %s named twice", i, path);
        if (get_u64(f, "bytes", SIZE_MAX_JSON - 1, &bytes) != 0)
            return bad(w, "files[%zu].bytes: not a size", i);
        if (get_hash(f, "sha256", h) != 0)
            return bad(w, "files[%zu].sha256: not 64 hex digits", i);
        mm_err_t err = hub_manifest_add_file(m, path, bytes, h);
        if (err != MM_OK)
            return err == MM_ENOMEM ? err : bad(w, "files[%zu]: %s", i, mm_strerror(err));
    }
    if (!hub_manifest_file(m, HUB_MANIFEST_DB))
        return bad(w, "files: %s (the hub's database) is not among them", HUB_MANIFEST_DB);
    return MM_OK;
}

static mm_err_t parse_logs(json_t *a, hub_manifest_t *m, why_t *w)
{
    static const char *const keys[] = {"name", "id", "size", "root", NULL};
    if (!json_is_array(a))
        return bad(w, "logs: not an array");
    if (json_array_size(a) > HUB_MANIFEST_LOGS_MAX)
        return bad(w, "logs: more than %d", HUB_MANIFEST_LOGS_MAX);
    size_t i;
    json_t *l;
    json_array_foreach(a, i, l)
    {
        const char *k = json_is_object(l) ? unknown_key(l, keys) : NULL;
        if (!json_is_object(l) || k)
            return bad(w, "logs[%zu]: %s%s", i, k ? "unknown key " : "not an object", k ? k : "");
        const char *name = json_string_value(json_object_get(l, "name"));
        uint64_t id, size;
        uint8_t root[32];
        if (!name || !mm_keys_name_ok(name))
            return bad(w, "logs[%zu].name: not a site or hub name", i);
        if (get_u64(l, "id", UINT32_MAX, &id) != 0)
            return bad(w, "logs[%zu].id: not a log id", i);
        if (hub_manifest_log(m, (uint32_t)id))
            return bad(w, "logs[%zu].id: log %" PRIu64 " named twice", i, id);
        if (get_u64(l, "size", SIZE_MAX_JSON - 1, &size) != 0)
            return bad(w, "logs[%zu].size: not a size", i);
        if (get_hash(l, "root", root) != 0)
            return bad(w, "logs[%zu].root: not 64 hex digits", i);
        mm_err_t err = hub_manifest_add_log(m, name, (uint32_t)id, size, root);
        if (err != MM_OK)
            return err == MM_ENOMEM ? err : bad(w, "logs[%zu]: %s", i, mm_strerror(err));
    }
    if (!hub_manifest_log(m, 0))
        return bad(w, "logs: the hub's own log (id 0) is not among them");
    return MM_OK;
}

static mm_err_t parse_top(json_t *o, hub_manifest_t *m, why_t *w)
{
    static const char *const keys[] = {"format", "hub", "time", "time_us", "files", "logs", NULL};
    if (!json_is_object(o))
        return bad(w, "not a JSON object");
    const char *k = unknown_key(o, keys);
    if (k)
        return bad(w, "unknown key %s", k);
    const char *format = json_string_value(json_object_get(o, "format"));
    if (!format || strcmp(format, HUB_MANIFEST_FORMAT))
        return bad(w, "format: not \"%s\"", HUB_MANIFEST_FORMAT);
    const char *hub = json_string_value(json_object_get(o, "hub"));
    if (!hub || !mm_keys_name_ok(hub))
        return bad(w, "hub: not a hub name");
    snprintf(m->hub, sizeof m->hub, "%s", hub);
    const char *time = json_string_value(json_object_get(o, "time"));
    if (!time || strlen(time) >= sizeof m->time)
        return bad(w, "time: not a time");
    snprintf(m->time, sizeof m->time, "%s", time);
    uint64_t us;
    if (get_u64(o, "time_us", SIZE_MAX_JSON - 1, &us) != 0)
        return bad(w, "time_us: not a time");
    m->time_us = (int64_t)us;
    mm_err_t err = parse_files(json_object_get(o, "files"), m, w);
    return err == MM_OK ? parse_logs(json_object_get(o, "logs"), m, w) : err;
}

mm_err_t hub_manifest_parse(const char *text, size_t len, hub_manifest_t *out, char *why,
                            size_t cap)
{
    hub_manifest_init(out);
    why_t w = {why, cap};
    if (cap)
        why[0] = 0;
    if (len > HUB_MANIFEST_BYTES_MAX)
        return bad(&w, "larger than %u bytes", HUB_MANIFEST_BYTES_MAX);
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return bad(&w, "not JSON: line %d: %s", je.line, je.text);
    mm_err_t err = parse_top(o, out, &w);
    json_decref(o);
    return err;
}
