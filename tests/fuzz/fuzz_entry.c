/*
 * fuzz_entry.c: the entry decoder, its JSON view and the peek at kind and time, on arbitrary
 * bytes — what a site's log holds is bytes a hub received from outside.
 *
 * What must hold: an entry that decodes encodes again and decodes to the same struct (the
 * encoder takes everything the decoder lets through, so an edge can never log what a hub
 * refuses); its JSON view exists exactly when it decodes; and the peek agrees with the decoder
 * on the kind and the time of every entry that decodes.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/entry.h"

static mm_entry_t a, b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int ok = mm_entry_decode(data, size, &a) == MM_OK;
    json_t *j = mm_entry_to_json(data, size);
    if (ok != (j != NULL))
        __builtin_trap();
    json_decref(j);
    mm_entry_kind_t kind;
    int64_t t;
    int peeked = mm_entry_peek(data, size, &kind, &t) == MM_OK;
    if (!ok)
        return 0;
    if (!peeked || kind != a.kind || t != a.time_us)
        __builtin_trap();
    uint8_t *buf = NULL;
    size_t len = 0;
    if (mm_entry_encode(&a, &buf, &len) != MM_OK)
        __builtin_trap();
    /* Only the kind's member of the union is decoded (entry.h): that part must match. */
    const mm_entry_kind_info_t *k = mm_entry_kind_info(a.kind);
    if (!k || mm_entry_decode(buf, len, &b) != MM_OK ||
        memcmp(&a, &b, offsetof(mm_entry_t, u) + k->size) != 0)
        __builtin_trap();
    free(buf);
    return 0;
}
