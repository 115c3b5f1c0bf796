/*
 * members.h: which optional members a stored record has, in the order they came.
 *
 * The hub keeps its records (the registry's, findings, disclosures) as JSON objects and the API
 * shows them as stored. jansson keeps an object's members in the order they were first set, so
 * the optional members of a record stand in the order of the events that set them: a camera's
 * coverage before or after its facts, a complaint's appeal before or after its answer. A typed
 * record keeps that order in a hub_members_t, a list of the record's own member tags (small enums
 * declared with the record): the code that sets an optional member adds its tag, the record's
 * codec reads the tags in the stored order and writes the members in the list's order, so that a
 * record goes back to storage, and out to the API, byte for byte as it came.
 *
 * A tag in the list is also how a record says it has the member at all.
 */
#ifndef HUB_MEMBERS_H
#define HUB_MEMBERS_H

#include <stdint.h>

#define HUB_MEMBERS_MAX 24 /* optional members of one record */

typedef struct {
    uint8_t n;
    uint8_t tag[HUB_MEMBERS_MAX];
} hub_members_t;

/* Whether m has the member tag. */
static inline int hub_members_has(const hub_members_t *m, int tag)
{
    for (uint8_t i = 0; i < m->n; i++)
        if (m->tag[i] == tag)
            return 1;
    return 0;
}

/* Notes that the member tag is set: after the others, unless it is there already (setting a
 * member again keeps its place, as jansson does). */
static inline void hub_members_add(hub_members_t *m, int tag)
{
    if (!hub_members_has(m, tag) && m->n < HUB_MEMBERS_MAX)
        m->tag[m->n++] = (uint8_t)tag;
}

#endif
