/*
 * disclosure_check.c: whether a disclosure request's range can hold footage, before it is filed
 * (disclosure_impl.h; rangecheck.h): what the site's record knows of its first recording, its
 * registered retention and the holds its manager placed, and which of the hub's disclosure
 * records still hold footage at the site.
 */
#include <stdlib.h>
#include <string.h>

#include "hub/disclosure_codec.h"
#include "hub/disclosure_impl.h"
#include "hub/rangecheck.h"

typedef struct {
    const char *site;
    hub_disclosure_rec_t *rec; /* scratch */
    hub_held_range_t *held;
    size_t n, cap;
    char (*cams)[MM_ID_MAX]; /* the disclosures' cameras, owned here (held points into them) */
    int failed;
} gather_t;

static int add(gather_t *g, const char *camera, int64_t from, int64_t to)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        hub_held_range_t *h = realloc(g->held, cap * sizeof *h);
        char(*c)[MM_ID_MAX] = realloc(g->cams, cap * sizeof *c);
        if (h)
            g->held = h;
        if (c)
            g->cams = c;
        if (!h || !c) {
            g->failed = 1;
            return 1;
        }
        g->cap = cap;
    }
    snprintf(g->cams[g->n], MM_ID_MAX, "%s", camera);
    g->held[g->n++] = (hub_held_range_t){NULL, from, to};
    return 0;
}

/* A disclosure of the site whose holds are in place: each camera's range. */
static int disclosure_row(const MDB_val *k, const MDB_val *v, void *arg)
{
    (void)k;
    gather_t *g = arg;
    int stop = 0;
    if (hub_disclosure_rec_decode(v->mv_data, v->mv_size, g->rec) == MM_OK && g->rec->holding &&
        !strcmp(g->rec->site, g->site))
        for (size_t i = 0; !stop && i < g->rec->n_cameras; i++)
            stop = add(g, g->rec->cameras[i], g->rec->from_us, g->rec->to_us);
    hub_disclosure_rec_deinit(g->rec);
    return stop;
}

int hub_disclosure_check_footage(hub_disclosure_t *d, const hub_disclosure_body_t *b,
                                 const hub_site_record_t *site, int64_t now_us,
                                 hub_disclosure_why_t *why)
{
    gather_t g = {.site = b->site, .rec = malloc(sizeof(hub_disclosure_rec_t))};
    mm_err_t err = g.rec ? MM_OK : MM_ENOMEM;
    for (size_t i = 0; err == MM_OK && i < site->n_holds; i++) {
        const hub_site_hold_t *h = &site->holds[i];
        if (!h->released && add(&g, h->placed.camera, h->placed.start_us, h->placed.end_us))
            err = MM_ENOMEM;
    }
    if (err == MM_OK)
        err = mm_db_each(d->db, d->dbi, NULL, disclosure_row, &g, "read disclosures' holds");
    if (err == MM_OK && g.failed)
        err = MM_ENOMEM;
    int rc = 0;
    if (err != MM_OK) {
        why->status = 500;
        why->code = "storage";
        snprintf(why->message, sizeof why->message, "cannot read what the site holds: %s",
                 mm_strerror(err));
        rc = -1;
    } else {
        for (size_t i = 0; i < g.n; i++)
            g.held[i].camera = g.cams[i];
        const mm_site_facts_t *f = &site->facts;
        int days =
            (int)(f->registered_retention_days > f->retention_days ? f->registered_retention_days
                                                                   : f->retention_days);
        hub_site_footage_t fo = {.first_us =
                                     hub_members_has(&site->members, HUB_RECORD_FIRST_RECORDING)
                                         ? site->first.start_us
                                         : 0,
                                 .retention_days = site->has_facts ? days : 0,
                                 .held = g.held,
                                 .n_held = g.n};
        const char *cams[MM_REQUEST_CAMERAS_MAX];
        for (size_t i = 0; i < b->n_cameras; i++)
            cams[i] = b->cameras[i];
        hub_range_why_t rw;
        if (hub_range_check(b->from_us, b->to_us, cams, b->n_cameras, &fo, now_us, &rw) != 0) {
            why->status = 422;
            why->code = rw.code;
            snprintf(why->message, sizeof why->message, "%s", rw.message);
            rc = -1;
        }
    }
    free(g.held);
    free(g.cams);
    free(g.rec);
    return rc;
}
