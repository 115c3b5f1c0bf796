/*
 * httpparse.h: the parts of HTTP request handling that read outside bytes — path checks, route
 * patterns, percent-decoding, query strings. No libh2o here, so all of it is unit tested and
 * fuzzed directly.
 */
#ifndef MM_HTTPPARSE_H
#define MM_HTTPPARSE_H

#include <stddef.h>
#include <stdint.h>

#define MM_HTTP_PATH_MAX 2048
#define MM_HTTP_QUERY_MAX 4096
#define MM_HTTP_PARAM_MAX 128 /* longest decoded path parameter */
#define MM_HTTP_MAX_PARAMS 4

typedef struct {
    size_t n;
    const char *names[MM_HTTP_MAX_PARAMS]; /* point into the pattern; not NUL-ended */
    size_t name_lens[MM_HTTP_MAX_PARAMS];
    char values[MM_HTTP_MAX_PARAMS][MM_HTTP_PARAM_MAX + 1];
} mm_http_params_t;

/*
 * Decodes %XX escapes of in[0..len) into out (cap bytes, NUL-terminated); plus_space turns '+'
 * into a space (query strings). Returns the decoded length, or -1 for a bad escape, an encoded
 * NUL, or a result that does not fit.
 */
long mm_http_pct_decode(const char *in, size_t len, int plus_space, char *out, size_t cap);

/*
 * Checks a request path (without its query). Returns NULL when it is acceptable, otherwise a
 * message saying what is wrong (too long, not absolute, a control character, a bad escape, a
 * "." or ".." segment).
 */
const char *mm_http_path_problem(const char *path, size_t len);

/*
 * Matches path against pattern ("/api/v1/sites/{site}/entries"): literal segments must be equal,
 * {name} segments capture one non-empty decoded segment. Returns 1 on a match (params filled),
 * 0 otherwise.
 */
int mm_http_match(const char *pattern, const char *path, size_t len, mm_http_params_t *params);

/*
 * Finds name in a query string (without '?') and decodes its value into out. Returns 1 when
 * found, 0 when absent, -1 when the query or that value is malformed.
 */
int mm_http_query_get(const char *query, size_t len, const char *name, char *out, size_t cap);

/*
 * Parses a decimal unsigned integer (no sign, no spaces, no leading zeros except "0", no
 * overflow). Returns 0 on success, -1 otherwise.
 */
int mm_http_parse_u64(const char *s, uint64_t *out);

#endif
