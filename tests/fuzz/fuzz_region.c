/*
 * fuzz_region.c: edge_region_parse on arbitrary bytes — the "x,y,w,h" regions a manager gives
 * on the control socket for an own-image export (R-N8). What parses must satisfy the region's
 * constraints; what does not must leave the output untouched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edge/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char s[257];
    memcpy(s, data, size);
    s[size] = 0;
    edge_region_t r = {-1, -1, -1, -1};
    if (edge_region_parse(s, &r) != MM_OK) {
        if (r.x != -1 || r.y != -1 || r.w != -1 || r.h != -1)
            __builtin_trap(); /* a refusal changes nothing */
        return 0;
    }
    if (!(r.x >= 0 && r.y >= 0 && r.w > 0 && r.h > 0 && r.x + r.w <= 1 + 1e-9 &&
          r.y + r.h <= 1 + 1e-9))
        __builtin_trap();
    return 0;
}
