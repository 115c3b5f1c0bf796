/*
 * config.h: strict JSON configuration files with errors people can act on.
 *
 * A loader reads the whole file, then asks for each key through the getters below. Every problem
 * (a syntax error with its line and column, a missing key, a wrong type, a value out of range, an
 * unknown key) is recorded as "<file>: <key path>: <problem>" and loading goes on, so that one run
 * reports every mistake at once. The caller checks mm_conf_failed() at the end.
 *
 * Key paths are written as in JavaScript: "hub.endpoint", "cameras[2].url".
 */
#ifndef MM_CONFIG_H
#define MM_CONFIG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct mm_conf mm_conf_t;

/*
 * Reads and parses path. Always creates *out (unless out of memory: MM_ENOMEM) so that problems
 * can be reported; returns MM_ECONFIG when the file is unreadable, not JSON, or not an object.
 */
mm_err_t mm_conf_load(const char *path, mm_conf_t **out);
/* Parses text as if read from a file called name (for tests and the key tool). */
mm_err_t mm_conf_load_string(const char *name, const char *text, mm_conf_t **out);
void mm_conf_destroy(mm_conf_t *conf);

/* The top-level object; borrowed, valid until mm_conf_destroy. NULL when loading failed. */
json_t *mm_conf_root(mm_conf_t *conf);

/* Records a problem at key path (may be "" for the whole file). */
void mm_conf_problem(mm_conf_t *conf, const char *keypath, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int mm_conf_failed(const mm_conf_t *conf);
size_t mm_conf_problem_count(const mm_conf_t *conf);
/* The i-th problem, "<file>: <key path>: <problem>". */
const char *mm_conf_problem_at(const mm_conf_t *conf, size_t i);
/* Writes every problem to the diagnostic log at error level. */
void mm_conf_report(const mm_conf_t *conf);

/*
 * Getters. obj is a JSON object, objpath its key path ("" for the root). When the key is absent,
 * required getters record "missing" and return the fallback; optional ones return the fallback
 * silently. A present key of the wrong type or out of range is always a problem. Returned strings
 * are borrowed from the document.
 */
const char *mm_conf_string(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key,
                           int required, const char *fallback);
int64_t mm_conf_int(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key,
                    int required, int64_t fallback, int64_t min, int64_t max);
int mm_conf_bool(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key, int required,
                 int fallback);
/* Returns the object or array at key, or NULL (recording a problem when required or mistyped). */
json_t *mm_conf_object(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key,
                       int required);
json_t *mm_conf_array(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key,
                      int required);

/* Records "unknown key" for every key of obj not in the NULL-terminated list allowed. */
void mm_conf_check_keys(mm_conf_t *conf, json_t *obj, const char *objpath,
                        const char *const *allowed);

/* Formats a child key path into buf: "<objpath>.<key>" or "<objpath>[<i>]". Returns buf. */
const char *mm_conf_key(char *buf, size_t cap, const char *objpath, const char *key);
const char *mm_conf_index(char *buf, size_t cap, const char *objpath, size_t i);

/*
 * Resolves a path from the configuration relative to the directory of the configuration file
 * (absolute paths stay as they are). "credential:NAME" is the file NAME in $CREDENTIALS_DIRECTORY,
 * where systemd puts what the unit's LoadCredential= lines load; when that variable is unset, NAME
 * is no plain file name or no such file is there, a problem naming the credential is recorded
 * (the path is returned all the same, so that the caller goes on and only mm_conf_failed tells).
 * Returns a malloc'd string or NULL when out of memory.
 */
#define MM_CONF_CREDENTIAL "credential:"
char *mm_conf_resolve(mm_conf_t *conf, const char *path);

#endif
