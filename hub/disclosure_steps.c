/*
 * disclosure_steps.c: what a site logs of a disclosure, learned inside the mirror's transaction
 * (disclosure.h hub_disclosure_apply_in).
 *
 * The site's city_request entry of a disclosure marks it forwarded; each disclosure entry is a
 * step, added to the record's history and logged again in the hub's own log in the same
 * transaction, so that the step is in both logs or in neither (R-N7.6). A step of a request the
 * hub did not send the site is only noted in the diagnostic log: the site cannot write into
 * another site's record. The record's state is the step the site logged last, until the hub
 * holds the whole ciphertext; from then on it is the hub's to say, and the site's later steps
 * are history.
 */
#include "hub/disclosure.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "hub/disclosure_codec.h"
#include "hub/disclosure_impl.h"

void hub_disclosure_applied(hub_disclosure_t *d, int committed)
{
    hub_audit_done(d->audit, committed);
    for (size_t i = 0; committed && i < d->n_ended; i++)
        hub_disclosure_drop_part(d, d->ended[i].site, d->ended[i].id);
    d->n_ended = 0;
}

/* rec ended in this transaction: its part goes once the transaction commits (if this cannot
 * be noted, the sweep at the next start removes it). */
static void ended(hub_disclosure_t *d, const hub_disclosure_rec_t *rec)
{
    if (d->n_ended == d->cap_ended) {
        size_t cap = d->cap_ended ? 2 * d->cap_ended : 8;
        hub_part_end_t *p = realloc(d->ended, cap * sizeof *p);
        if (!p)
            return;
        d->ended = p;
        d->cap_ended = cap;
    }
    hub_part_end_t *e = &d->ended[d->n_ended++];
    snprintf(e->site, sizeof e->site, "%s", rec->site);
    snprintf(e->id, sizeof e->id, "%s", rec->id);
}

/* The site logged that it has request r (its city_request entry). */
static mm_err_t forwarded(hub_disclosure_t *d, MDB_txn *txn, const char *site, uint64_t index,
                          const mm_entry_t *e)
{
    const mm_city_request_entry_t *r = &e->u.city_request;
    uint64_t n = r->kind == MM_REQUEST_KIND_DISCLOSURE ? hub_disclosure_number(r->id) : 0;
    if (!n)
        return MM_OK;
    hub_disclosure_rec_t rec;
    mm_err_t err = hub_disclosure_load(d, txn, n, &rec);
    if (err == MM_OK && !strcmp(rec.site, site) &&
        !hub_members_has(&rec.members, HUB_DISCLOSURE_FORWARDED)) {
        rec.forwarded = (hub_origin_t){index, e->time_us};
        hub_members_add(&rec.members, HUB_DISCLOSURE_FORWARDED);
        if (rec.state == HUB_DISCLOSURE_STATE_FILED)
            rec.state = HUB_DISCLOSURE_STATE_FORWARDED;
        err = hub_disclosure_put(d, txn, n, &rec);
    }
    hub_disclosure_rec_deinit(&rec);
    return err == MM_ENOTFOUND ? MM_OK : err;
}

/* Steps with which the site releases the request's holds. */
static int releases_holds(mm_disclosure_step_t step)
{
    return step == MM_DISCLOSURE_STEP_DENIED || step == MM_DISCLOSURE_STEP_EXPIRED ||
           step == MM_DISCLOSURE_STEP_RELEASED;
}

static int in_history(const hub_disclosure_rec_t *rec, hub_disclosure_state_t step)
{
    for (size_t i = 0; i < rec->n_history; i++)
        if (rec->history[i].step == step)
            return 1;
    return 0;
}

/* The step s (the site's entry index at site_time) in rec, logged in the hub's log as hindex. */
static mm_err_t add_step(hub_disclosure_rec_t *rec, const mm_disclosure_t *s, uint64_t index,
                         int64_t site_time, uint64_t hindex)
{
    hub_disclosure_state_t step = HUB_DISCLOSURE_STATE_FILED;
    hub_disclosure_state_parse(mm_disclosure_step_name(s->step), &step); /* every step is one */
    hub_disclosure_step_t *h = hub_disclosure_rec_add_step(rec);
    if (!h)
        return MM_ENOMEM;
    *h = (hub_disclosure_step_t){.time_us = site_time,
                                 .step = step,
                                 .has_index = 1,
                                 .index = index,
                                 .hub_log_index = hindex};
    snprintf(h->by, sizeof h->by, "%s", s->by);
    snprintf(h->text, sizeof h->text, "%s", s->text);
    snprintf(h->regions, sizeof h->regions, "%s", s->regions);
    if (s->has_sha256) {
        h->has_sha256 = h->has_bytes = h->has_manifest = 1;
        memcpy(h->sha256, s->sha256, 32);
        h->bytes = s->bytes;
        memcpy(h->manifest_sha256, s->manifest_sha256, 32);
        if (s->step == MM_DISCLOSURE_STEP_EXPORTED) {
            rec->export =
                (hub_disclosure_export_t){.bytes = s->bytes, .index = index, .time_us = site_time};
            memcpy(rec->export.sha256, s->sha256, 32);
            memcpy(rec->export.manifest_sha256, s->manifest_sha256, 32);
            hub_members_add(&rec->members, HUB_DISCLOSURE_EXPORT);
        }
    }
    /* Whether the site keeps footage for the request past retention (R-K2.2.6b): from "held"
     * until the step that released the holds, the first of which says when. */
    if (s->step == MM_DISCLOSURE_STEP_HELD) {
        rec->holding = 1;
    } else if (releases_holds(s->step)) {
        if (in_history(rec, HUB_DISCLOSURE_STATE_HELD) &&
            !hub_members_has(&rec->members, HUB_DISCLOSURE_HOLDS_RELEASED)) {
            rec->holds_released_us = site_time;
            hub_members_add(&rec->members, HUB_DISCLOSURE_HOLDS_RELEASED);
        }
        rec->holding = 0;
    }
    if (s->step == MM_DISCLOSURE_STEP_APPROVED &&
        !hub_members_has(&rec->members, HUB_DISCLOSURE_APPROVED)) {
        rec->approved_index = index;
        hub_members_add(&rec->members, HUB_DISCLOSURE_APPROVED);
    }
    /* Once the hub holds the ciphertext its state is the hub's to say; the site's later steps
     * (delivered, downloaded, released) are history, and "holding" says whether it is released. */
    if (!hub_members_has(&rec->members, HUB_DISCLOSURE_RECEIVED))
        rec->state = step;
    return MM_OK;
}

/* A step the site logged: into the record, and into the hub's log in the same transaction. */
static mm_err_t step(hub_disclosure_t *d, MDB_txn *txn, const char *site, uint64_t index,
                     const mm_entry_t *e)
{
    const mm_disclosure_t *s = &e->u.disclosure;
    uint64_t n = hub_disclosure_number(s->request);
    hub_disclosure_rec_t rec;
    mm_err_t err = n ? hub_disclosure_load(d, txn, n, &rec) : MM_ENOTFOUND;
    if (err == MM_ENOTFOUND || (err == MM_OK && strcmp(rec.site, site) != 0)) {
        MM_WARN("site %s logged step %s of disclosure \"%s\" (entry %" PRIu64
                "), which the hub did not send it",
                site, mm_disclosure_step_name(s->step), s->request, index);
        if (n)
            hub_disclosure_rec_deinit(&rec);
        return MM_OK;
    }
    /* person: who at the site took the step, or the site itself ("site:<id>" when it fits). */
    char person[MM_ID_MAX];
    if (s->by[0])
        snprintf(person, sizeof person, "%s", s->by);
    else if (strlen(site) + 5 < sizeof person)
        snprintf(person, sizeof person, "site:%s", site);
    else
        snprintf(person, sizeof person, "site");
    hub_city_action_t a = hub_disclosure_action(hub_action_of_step(s->step), mm_now_us(), site,
                                                s->request, person, "site");
    a.reason = s->text;
    a.detail = err == MM_OK ? hub_disclosure_step_detail(s, index, e->time_us) : NULL;
    uint64_t hindex = 0;
    if (err == MM_OK)
        err = a.detail ? hub_audit_append_in(d->audit, txn, &a, &hindex) : MM_ENOMEM;
    json_decref(a.detail);
    if (err == MM_OK)
        MM_INFO("disclosure %s: site %s logged step %s (entry %" PRIu64 "; hub log %" PRIu64 ")",
                s->request, site, mm_disclosure_step_name(s->step), index, hindex);
    if (err == MM_OK)
        err = add_step(&rec, s, index, e->time_us, hindex);
    if (err == MM_OK)
        err = hub_disclosure_put(d, txn, n, &rec);
    if (err == MM_OK && hub_disclosure_ended(rec.state))
        ended(d, &rec);
    hub_disclosure_rec_deinit(&rec);
    return err;
}

mm_err_t hub_disclosure_apply_in(hub_disclosure_t *d, MDB_txn *txn, const char *site,
                                 uint64_t index, const mm_entry_t *e)
{
    switch (e->kind) {
    case MM_ENTRY_DISCLOSURE:
        return step(d, txn, site, index, e);
    case MM_ENTRY_CITY_REQUEST:
        return forwarded(d, txn, site, index, e);
    default:
        return MM_OK;
    }
}
