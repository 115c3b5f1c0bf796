/*
 * fuzz_http.c: the hub's request-path and query parsing on arbitrary bytes. Input: a request
 * target ("/path?query"); everything a client can put in the request line reaches these.
 */
#include <stdint.h>
#include <string.h>

#include "common/httpparse.h"

static const char *const patterns[] = {
    "/api/v1/sites",
    "/api/v1/sites/{site}/checkpoint",
    "/api/v1/sites/{site}/entries",
    "/api/v1/findings",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *t = (const char *)data;
    const char *q = memchr(t, '?', size);
    size_t plen = q ? (size_t)(q - t) : size;
    if (mm_http_path_problem(t, plen) == NULL) {
        mm_http_params_t params;
        for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
            if (mm_http_match(patterns[i], t, plen, &params))
                for (size_t k = 0; k < params.n; k++)
                    if (strlen(params.values[k]) == 0 ||
                        strlen(params.values[k]) > MM_HTTP_PARAM_MAX)
                        __builtin_trap();
    }
    if (q) {
        char out[64];
        const char *query = q + 1;
        size_t qlen = size - plen - 1;
        static const char *const names[] = {"start", "end", "", "a b"};
        for (size_t i = 0; i < 4; i++)
            if (mm_http_query_get(query, qlen, names[i], out, sizeof out) == 1) {
                uint64_t v;
                (void)mm_http_parse_u64(out, &v);
            }
    }
    char dec[256];
    (void)mm_http_pct_decode(t, size, 1, dec, sizeof dec);
    return 0;
}
