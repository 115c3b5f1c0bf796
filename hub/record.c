/*
 * record.c: a site's record as a value (registry.h) — its making, finding and adding of cameras,
 * grants, filings, requests, site complaints and site holds, and its freeing.
 *
 * Cameras, grants, requests and site complaints are looked up by id with a walk: a site has a
 * handful of cameras and grants and at most some hundreds of requests and complaints, and the
 * arrays keep the order in which the record first heard of each, which is the order the city sees
 * them in. Arrays grow one element at a time; a pointer into one is good until the next addition to
 * it.
 */
#include "hub/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timefmt.h"

/* Room for one more element at the end of *arr (n of size bytes), zeroed: NULL when out of
 * memory (*arr unchanged). */
static void *grow(void **arr, size_t n, size_t size)
{
    char *a = realloc(*arr, (n + 1) * size);
    if (!a)
        return NULL;
    *arr = a;
    memset(a + n * size, 0, size);
    return a + n * size;
}

void hub_site_record_init(hub_site_record_t *r, const char *site)
{
    memset(r, 0, sizeof *r);
    snprintf(r->site, sizeof r->site, "%s", site ? site : "");
}

void hub_site_record_deinit(hub_site_record_t *r)
{
    free(r->holds);
    free(r->cameras);
    free(r->filings);
    free(r->grants);
    free(r->requests);
    free(r->site_complaints);
    memset(r, 0, sizeof *r);
}

void hub_site_record_free(hub_site_record_t *r)
{
    if (!r)
        return;
    hub_site_record_deinit(r);
    free(r);
}

const char *hub_site_record_timezone(const hub_site_record_t *r)
{
    return r->has_facts && r->facts.timezone[0] ? r->facts.timezone : MM_TZ_DEFAULT;
}

int hub_filing_of_standards(const hub_filing_t *filing)
{
    return filing->kind == HUB_FILING_KIND_INITIAL || filing->kind == HUB_FILING_KIND_CHANGE;
}

hub_camera_t *hub_site_record_camera(hub_site_record_t *r, const char *id, int add)
{
    for (size_t i = 0; i < r->n_cameras; i++)
        if (!strcmp(r->cameras[i].id, id))
            return &r->cameras[i];
    if (!add)
        return NULL;
    hub_camera_t *c = grow((void **)&r->cameras, r->n_cameras, sizeof *c);
    if (!c)
        return NULL;
    r->n_cameras++;
    snprintf(c->id, sizeof c->id, "%s", id);
    c->state = HUB_CAMERA_STATE_RECORDING;
    return c;
}

hub_grant_t *hub_site_record_grant(hub_site_record_t *r, const char *id, int add)
{
    for (size_t i = 0; i < r->n_grants; i++)
        if (!strcmp(r->grants[i].id, id))
            return &r->grants[i];
    if (!add)
        return NULL;
    hub_grant_t *g = grow((void **)&r->grants, r->n_grants, sizeof *g);
    if (!g)
        return NULL;
    r->n_grants++;
    snprintf(g->id, sizeof g->id, "%s", id);
    return g;
}

hub_filing_t *hub_site_record_filing(hub_site_record_t *r, const char *id)
{
    for (size_t i = 0; i < r->n_filings; i++)
        if (!strcmp(r->filings[i].id, id))
            return &r->filings[i];
    return NULL;
}

hub_filing_t *hub_site_record_add_filing(hub_site_record_t *r)
{
    hub_filing_t *f = grow((void **)&r->filings, r->n_filings, sizeof *f);
    if (f)
        r->n_filings++;
    return f;
}

hub_request_t *hub_site_record_request(hub_site_record_t *r, const char *id)
{
    for (size_t i = 0; i < r->n_requests; i++)
        if (!strcmp(r->requests[i].id, id))
            return &r->requests[i];
    return NULL;
}

hub_request_t *hub_site_record_add_request(hub_site_record_t *r)
{
    hub_request_t *q = grow((void **)&r->requests, r->n_requests, sizeof *q);
    if (!q)
        return NULL;
    r->n_requests++;
    hub_members_add(&r->members, HUB_RECORD_REQUESTS);
    return q;
}

hub_site_complaint_t *hub_site_record_site_complaint(hub_site_record_t *r, const char *id, int add)
{
    for (size_t i = 0; i < r->n_site_complaints; i++)
        if (!strcmp(r->site_complaints[i].id, id))
            return &r->site_complaints[i];
    if (!add)
        return NULL;
    hub_site_complaint_t *c = grow((void **)&r->site_complaints, r->n_site_complaints, sizeof *c);
    if (!c)
        return NULL;
    r->n_site_complaints++;
    snprintf(c->id, sizeof c->id, "%s", id);
    hub_members_add(&r->members, HUB_RECORD_SITE_COMPLAINTS);
    return c;
}

hub_site_hold_t *hub_site_record_hold(hub_site_record_t *r, const char *id)
{
    for (size_t i = 0; i < r->n_holds; i++)
        if (!strcmp(r->holds[i].placed.hold_id, id))
            return &r->holds[i];
    return NULL;
}

hub_site_hold_t *hub_site_record_add_hold(hub_site_record_t *r)
{
    if (r->n_holds >= HUB_SITE_HOLDS_MAX) {
        /* The oldest released goes; holds in place all stay (each ends within the policy's
         * bound, siteholds.h, so they cannot pile up). */
        size_t i = 0;
        while (i < r->n_holds && !r->holds[i].released)
            i++;
        if (i < r->n_holds) {
            memmove(&r->holds[i], &r->holds[i + 1], (r->n_holds - i - 1) * sizeof *r->holds);
            r->n_holds--;
        }
    }
    hub_site_hold_t *h = grow((void **)&r->holds, r->n_holds, sizeof *h);
    if (!h)
        return NULL;
    r->n_holds++;
    hub_members_add(&r->members, HUB_RECORD_HOLDS);
    return h;
}
