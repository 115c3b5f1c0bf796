/*
 * config.c: strict JSON configuration files with errors people can act on (see config.h).
 */
#include "common/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/diag.h"

#define MAX_PROBLEMS 256

struct mm_conf {
    char *path;
    json_t *root;
    size_t n;
    char *problems[MAX_PROBLEMS];
    size_t dropped;
};

static mm_conf_t *conf_new(const char *path)
{
    mm_conf_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->path = strdup(path);
    if (!c->path) {
        free(c);
        return NULL;
    }
    return c;
}

static mm_err_t finish_load(mm_conf_t *c, json_t *root, const json_error_t *jerr)
{
    if (!root) {
        if (jerr->line > 0)
            mm_conf_problem(c, "", "not valid JSON at line %d, column %d: %s", jerr->line,
                            jerr->column, jerr->text);
        else
            mm_conf_problem(c, "", "%s", jerr->text);
        return MM_ECONFIG;
    }
    if (!json_is_object(root)) {
        mm_conf_problem(c, "", "must be a JSON object");
        json_decref(root);
        return MM_ECONFIG;
    }
    c->root = root;
    return MM_OK;
}

mm_err_t mm_conf_load(const char *path, mm_conf_t **out)
{
    mm_conf_t *c = conf_new(path);
    if (!c)
        return MM_ENOMEM;
    *out = c;
    json_error_t jerr;
    FILE *f = fopen(path, "rb");
    if (!f) {
        mm_conf_problem(c, "", "cannot read the file: %m");
        return MM_ECONFIG;
    }
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    fclose(f);
    return finish_load(c, root, &jerr);
}

mm_err_t mm_conf_load_string(const char *name, const char *text, mm_conf_t **out)
{
    mm_conf_t *c = conf_new(name);
    if (!c)
        return MM_ENOMEM;
    *out = c;
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    return finish_load(c, root, &jerr);
}

void mm_conf_destroy(mm_conf_t *conf)
{
    if (!conf)
        return;
    for (size_t i = 0; i < conf->n; i++)
        free(conf->problems[i]);
    json_decref(conf->root);
    free(conf->path);
    free(conf);
}

json_t *mm_conf_root(mm_conf_t *conf)
{
    return conf->root;
}

void mm_conf_problem(mm_conf_t *conf, const char *keypath, const char *fmt, ...)
{
    if (conf->n >= MAX_PROBLEMS) {
        conf->dropped++;
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *line = NULL;
    int rc = keypath && *keypath ? asprintf(&line, "%s: %s: %s", conf->path, keypath, msg)
                                 : asprintf(&line, "%s: %s", conf->path, msg);
    if (rc < 0) {
        conf->dropped++;
        return;
    }
    conf->problems[conf->n++] = line;
}

int mm_conf_failed(const mm_conf_t *conf)
{
    return conf->n > 0 || conf->dropped > 0;
}

size_t mm_conf_problem_count(const mm_conf_t *conf)
{
    return conf->n;
}

const char *mm_conf_problem_at(const mm_conf_t *conf, size_t i)
{
    return i < conf->n ? conf->problems[i] : NULL;
}

void mm_conf_report(const mm_conf_t *conf)
{
    for (size_t i = 0; i < conf->n; i++)
        MM_ERROR("%s", conf->problems[i]);
    if (conf->dropped)
        MM_ERROR("%s: %zu more problem(s) not shown", conf->path, conf->dropped);
}

const char *mm_conf_key(char *buf, size_t cap, const char *objpath, const char *key)
{
    if (objpath && *objpath)
        snprintf(buf, cap, "%s.%s", objpath, key);
    else
        snprintf(buf, cap, "%s", key);
    return buf;
}

const char *mm_conf_index(char *buf, size_t cap, const char *objpath, size_t i)
{
    snprintf(buf, cap, "%s[%zu]", objpath ? objpath : "", i);
    return buf;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "something else";
}

/* The value at key, or NULL (recording "missing" when required). */
static json_t *lookup(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key,
                      int required, char *path, size_t cap)
{
    mm_conf_key(path, cap, objpath, key);
    json_t *v = obj && json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!v && required)
        mm_conf_problem(conf, path, "missing");
    return v;
}

const char *mm_conf_string(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key,
                           int required, const char *fallback)
{
    char path[256];
    json_t *v = lookup(conf, obj, objpath, key, required, path, sizeof path);
    if (!v)
        return fallback;
    if (!json_is_string(v)) {
        mm_conf_problem(conf, path, "must be a string, not %s", type_name(v));
        return fallback;
    }
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v)) {
        mm_conf_problem(conf, path, "must not contain a NUL character");
        return fallback;
    }
    return s;
}

int64_t mm_conf_int(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key,
                    int required, int64_t fallback, int64_t min, int64_t max)
{
    char path[256];
    json_t *v = lookup(conf, obj, objpath, key, required, path, sizeof path);
    if (!v)
        return fallback;
    if (!json_is_integer(v)) {
        mm_conf_problem(conf, path, "must be an integer, not %s", type_name(v));
        return fallback;
    }
    json_int_t i = json_integer_value(v);
    if (i < min || i > max) {
        mm_conf_problem(conf, path, "must be between %lld and %lld, got %lld", (long long)min,
                        (long long)max, (long long)i);
        return fallback;
    }
    return i;
}

int mm_conf_bool(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key, int required,
                 int fallback)
{
    char path[256];
    json_t *v = lookup(conf, obj, objpath, key, required, path, sizeof path);
    if (!v)
        return fallback;
    if (!json_is_boolean(v)) {
        mm_conf_problem(conf, path, "must be true or false, not %s", type_name(v));
        return fallback;
    }
    return json_is_true(v);
}

json_t *mm_conf_object(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key,
                       int required)
{
    char path[256];
    json_t *v = lookup(conf, obj, objpath, key, required, path, sizeof path);
    if (v && !json_is_object(v)) {
        mm_conf_problem(conf, path, "must be an object, not %s", type_name(v));
        return NULL;
    }
    return v;
}

json_t *mm_conf_array(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key,
                      int required)
{
    char path[256];
    json_t *v = lookup(conf, obj, objpath, key, required, path, sizeof path);
    if (v && !json_is_array(v)) {
        mm_conf_problem(conf, path, "must be an array, not %s", type_name(v));
        return NULL;
    }
    return v;
}

void mm_conf_check_keys(mm_conf_t *conf, json_t *obj, const char *objpath,
                        const char *const *allowed)
{
    if (!obj || !json_is_object(obj))
        return;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = 1;
        if (!ok) {
            char path[256];
            mm_conf_problem(conf, mm_conf_key(path, sizeof path, objpath, key), "unknown key");
        }
    }
}

/* "credential:NAME" (config.h): $CREDENTIALS_DIRECTORY/NAME, checked to be there. */
static char *resolve_credential(mm_conf_t *conf, const char *path)
{
    const char *name = path + strlen(MM_CONF_CREDENTIAL);
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    char *out = NULL;
    if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
        mm_conf_problem(conf, path, "a credential's name is a plain file name, got \"%.80s\"",
                        name);
        return strdup(path);
    }
    if (!dir || !*dir) {
        mm_conf_problem(conf, path,
                        "no credentials: $CREDENTIALS_DIRECTORY is not set (the systemd unit "
                        "loads them with LoadCredential=; outside systemd set "
                        "CREDENTIALS_DIRECTORY to a directory holding the file %s)",
                        name);
        return strdup(path);
    }
    if (asprintf(&out, "%s/%s", dir, name) < 0)
        return NULL;
    if (access(out, R_OK) != 0)
        mm_conf_problem(conf, path,
                        "credential \"%s\" cannot be read in %s: %m (is it loaded by a "
                        "LoadCredential= line of the unit, or missing from its directory?)",
                        name, dir);
    return out;
}

char *mm_conf_resolve(mm_conf_t *conf, const char *path)
{
    if (!strncmp(path, MM_CONF_CREDENTIAL, strlen(MM_CONF_CREDENTIAL)))
        return resolve_credential(conf, path);
    if (path[0] == '/')
        return strdup(path);
    const char *slash = strrchr(conf->path, '/');
    if (!slash)
        return strdup(path);
    size_t dl = (size_t)(slash - conf->path);
    size_t n = dl + 1 + strlen(path) + 1;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%.*s/%s", (int)dl, conf->path, path);
    return out;
}
