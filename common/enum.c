/*
 * enum.c: names of enumerated values (see enum.h).
 *
 * The enumerations are small (at most a few dozen names), so a look-up is a scan; nothing here
 * allocates or can fail.
 */
#include "common/enum.h"

#include <string.h>

const char *mm_enum_name(const mm_enum_t *e, int v)
{
    return v >= 0 && v < e->count ? e->names[v] : NULL;
}

int mm_enum_value(const mm_enum_t *e, const char *s)
{
    if (!s)
        return -1;
    for (int v = 0; v < e->count; v++)
        if (strcmp(e->names[v], s) == 0)
            return v;
    return -1;
}
