/*
 * registry_apply.c: what each kind of entry in a site's verified log does to the site's record
 * (registry.h hub_site_record_apply).
 *
 * One switch over the entry's kind, one small function per kind. Facts replace facts and keep
 * the entry they came from; a camera appears at its first entry of any kind; every
 * standards_filed and camera_state is a filing, received (noted where the site's policy makes
 * filings notices only; none where it files nothing, common/policy.h); a request the site logs
 * that the city
 * never sent is kept, marked, so that the city sees it. Nothing here reads the clock or the
 * store: the record is all there is, and the same entries always make the same record.
 */
#include "hub/registry.h"

#include <stdio.h>
#include <string.h>

#include "common/policy.h"
#include "common/timefmt.h"

static mm_err_t site_facts(hub_site_record_t *r, hub_origin_t at, const mm_site_facts_t *f)
{
    r->has_facts = 1;
    r->facts = *f;
    r->facts_at = at;
    return MM_OK;
}

static mm_err_t camera_facts(hub_site_record_t *r, hub_origin_t at, const mm_camera_facts_t *f)
{
    hub_camera_t *c = hub_site_record_camera(r, f->camera, 1);
    if (!c)
        return MM_ENOMEM;
    c->facts = *f;
    c->facts_at = at;
    hub_members_add(&c->members, HUB_CAMERA_FACTS);
    return MM_OK;
}

static mm_err_t coverage(hub_site_record_t *r, hub_origin_t at, const mm_camera_coverage_t *f)
{
    hub_camera_t *c = hub_site_record_camera(r, f->camera, 1);
    if (!c)
        return MM_ENOMEM;
    c->coverage = *f;
    c->coverage_at = at;
    hub_members_add(&c->members, HUB_CAMERA_COVERAGE);
    return MM_OK;
}

/* Adds an hour's recorded time to its day in Japan; keeps the newest HUB_UPTIME_DAYS days. */
static mm_err_t uptime(hub_site_record_t *r, hub_origin_t at, const mm_camera_uptime_t *u)
{
    hub_camera_t *c = hub_site_record_camera(r, u->camera, 1);
    if (!c)
        return MM_ENOMEM;
    hub_members_add(&c->members, HUB_CAMERA_UPTIME);
    char day[11];
    mm_jst_day(u->hour_start_us, day);
    hub_uptime_day_t *d = NULL;
    for (size_t i = 0; i < c->n_uptime && !d; i++)
        if (!strcmp(c->uptime[i].day, day))
            d = &c->uptime[i];
    if (!d) {
        d = &c->uptime[c->n_uptime++];
        *d = (hub_uptime_day_t){.first_index = at.index};
        memcpy(d->day, day, sizeof day);
    }
    d->recorded_us += u->recorded_us;
    d->hours++;
    d->gaps += u->gaps;
    d->last_index = at.index;
    while (c->n_uptime > HUB_UPTIME_DAYS) {
        size_t oldest = 0;
        for (size_t i = 1; i < c->n_uptime; i++)
            if (strcmp(c->uptime[i].day, c->uptime[oldest].day) < 0)
                oldest = i;
        memmove(&c->uptime[oldest], &c->uptime[oldest + 1],
                (c->n_uptime - oldest - 1) * sizeof *c->uptime);
        c->n_uptime--;
    }
    return MM_OK;
}

/* The policy the site runs under as its record knows it: its facts', else its standards', else
 * none (-1). */
static int policy_of(const hub_site_record_t *r)
{
    if (r->has_facts)
        return (int)r->facts.policy;
    if (hub_members_has(&r->members, HUB_RECORD_STANDARDS))
        return (int)r->standards.policy;
    return -1;
}

/* What the site's filings are (common/policy.h): for the city to decide, notices only, or none
 * at all; a policy the record does not know yet files for the city to decide. */
static mm_filing_t filing_of(const hub_site_record_t *r)
{
    int p = policy_of(r);
    return p < 0 ? MM_FILING_DUTY : mm_policy_filing((mm_policy_t)p);
}

/* A new filing of kind from the entry at: received, or noted when the site's filings are notices
 * only. NULL when out of memory. */
static hub_filing_t *add_filing(hub_site_record_t *r, hub_origin_t at, hub_filing_kind_t kind)
{
    hub_filing_state_t state =
        filing_of(r) == MM_FILING_NOTICE ? HUB_FILING_STATE_NOTED : HUB_FILING_STATE_RECEIVED;
    hub_filing_t *f = hub_site_record_add_filing(r);
    if (!f)
        return NULL;
    snprintf(f->id, sizeof f->id, "%llu", (unsigned long long)at.index);
    f->kind = kind;
    f->at = at;
    f->state = state;
    f->history[f->n_history++] = (hub_filing_step_t){.state = state, .time_us = at.time_us};
    return f;
}

/* A camera suspended, resumed or abolished: its state, and a filing of it (R-N4.2). */
static mm_err_t camera_state(hub_site_record_t *r, hub_origin_t at, const mm_camera_state_t *s)
{
    hub_camera_t *c = hub_site_record_camera(r, s->camera, 1);
    if (!c)
        return MM_ENOMEM;
    c->state = s->state == MM_CAM_STATE_SUSPENDED ? HUB_CAMERA_STATE_SUSPENDED
               : s->state == MM_CAM_STATE_RESUMED ? HUB_CAMERA_STATE_RECORDING
                                                  : HUB_CAMERA_STATE_ABOLISHED;
    c->state_at = at;
    hub_members_add(&c->members, HUB_CAMERA_STATE_AT);
    if (filing_of(r) == MM_FILING_NONE)
        return MM_OK; /* the city's own cameras: a state, no filing (R-N9) */
    hub_filing_t *f = add_filing(r, at,
                                 s->state == MM_CAM_STATE_SUSPENDED ? HUB_FILING_KIND_SUSPENSION
                                 : s->state == MM_CAM_STATE_RESUMED ? HUB_FILING_KIND_RESUMPTION
                                                                    : HUB_FILING_KIND_ABOLITION);
    if (!f)
        return MM_ENOMEM;
    snprintf(f->camera, sizeof f->camera, "%s", s->camera);
    snprintf(f->reason, sizeof f->reason, "%s", s->reason);
    snprintf(f->by, sizeof f->by, "%s", s->by);
    return MM_OK;
}

/* The standards the site now runs under; filed or not is standards_filed's to say. */
static mm_err_t standards(hub_site_record_t *r, hub_origin_t at,
                          const mm_configuration_changed_t *c)
{
    r->standards = *c;
    r->standards_at = at;
    hub_members_add(&r->members, HUB_RECORD_STANDARDS);
    return MM_OK;
}

/* A filing of the standards: the first is "initial"; the version running, if it is the one
 * filed, gives its summary, configuration and policy. */
static mm_err_t standards_filed(hub_site_record_t *r, hub_origin_t at,
                                const mm_standards_filed_t *s)
{
    if (filing_of(r) == MM_FILING_NONE)
        return MM_ENOTFOUND; /* the city's own cameras file nothing (R-N9) */
    int first = 1;
    for (size_t i = 0; i < r->n_filings; i++)
        first &= !hub_filing_of_standards(&r->filings[i]);
    hub_filing_t *f = add_filing(r, at, first ? HUB_FILING_KIND_INITIAL : HUB_FILING_KIND_CHANGE);
    if (!f)
        return MM_ENOMEM;
    f->version = s->version;
    memcpy(f->document_hash, s->document_hash, sizeof f->document_hash);
    f->automatic = s->automatic;
    snprintf(f->by, sizeof f->by, "%s", s->by);
    f->has_run =
        hub_members_has(&r->members, HUB_RECORD_STANDARDS) && r->standards.version == s->version;
    if (f->has_run) {
        snprintf(f->summary, sizeof f->summary, "%s", r->standards.summary);
        memcpy(f->config_hash, r->standards.config_hash, sizeof f->config_hash);
        f->policy = r->standards.policy;
    }
    return MM_OK;
}

/* Emergency grants (R-N6.3): granted, or revoked (it ends when revoked). */
static mm_err_t role_changed(hub_site_record_t *r, hub_origin_t at, const mm_role_changed_t *c)
{
    if (c->change == MM_ROLE_CHANGE_EMERGENCY_GRANTED && c->grant_id[0]) {
        hub_grant_t *g = hub_site_record_grant(r, c->grant_id, 1);
        if (!g)
            return MM_ENOMEM;
        *g = (hub_grant_t){.until_us = c->until_us, .granted = at};
        snprintf(g->id, sizeof g->id, "%s", c->grant_id);
        snprintf(g->person, sizeof g->person, "%s", c->person);
        snprintf(g->by, sizeof g->by, "%s", c->by);
        snprintf(g->actions, sizeof g->actions, "%s", c->actions);
        snprintf(g->cameras, sizeof g->cameras, "%s", c->cameras);
    } else if (c->change == MM_ROLE_CHANGE_EMERGENCY_REVOKED) {
        hub_grant_t *g = hub_site_record_grant(r, c->grant_id, 0);
        if (g)
            g->until_us = c->until_us;
    }
    return MM_OK;
}

static mm_err_t emergency_report(hub_site_record_t *r, hub_origin_t at,
                                 const mm_emergency_report_t *e)
{
    hub_grant_t *g = hub_site_record_grant(r, e->grant_id, 0);
    if (g) {
        g->reported = 1;
        g->report = at;
    }
    return MM_OK;
}

/* The request id the site logged something of; one the city never sent is kept, marked. */
static hub_request_t *request_of(hub_site_record_t *r, const char *id, mm_request_kind_t kind)
{
    hub_request_t *q = hub_site_record_request(r, id);
    if (q)
        return q;
    if (!(q = hub_site_record_add_request(r)))
        return NULL;
    snprintf(q->id, sizeof q->id, "%s", id);
    q->kind = kind;
    q->unknown_to_hub = 1;
    return q;
}

/* Sets q's state (a request the hub never sent has one only from now on). */
static void request_state(hub_request_t *q, hub_request_state_t state)
{
    q->state = state;
    if (q->unknown_to_hub)
        hub_members_add(&q->members, HUB_REQUEST_STATE);
}

/* The site has the request (R-N10.1, R-N12): its city_request entry. */
static mm_err_t delivered(hub_site_record_t *r, hub_origin_t at, const mm_city_request_entry_t *e)
{
    hub_request_t *q = request_of(r, e->id, e->kind);
    if (!q)
        return MM_ENOMEM;
    if (!hub_members_has(&q->members, HUB_REQUEST_DELIVERED)) {
        q->delivered = at;
        hub_members_add(&q->members, HUB_REQUEST_DELIVERED);
        if (!hub_members_has(&q->members, HUB_REQUEST_ANSWER))
            request_state(q, HUB_REQUEST_STATE_DELIVERED);
    }
    return MM_OK;
}

static mm_err_t answered(hub_site_record_t *r, hub_origin_t at, const mm_request_answered_t *a)
{
    hub_request_t *q = request_of(r, a->id, a->kind);
    if (!q)
        return MM_ENOMEM;
    q->answer = *a;
    q->answer_at = at;
    hub_members_add(&q->members, HUB_REQUEST_ANSWER);
    request_state(q, HUB_REQUEST_STATE_ANSWERED);
    return MM_OK;
}

/* A step of a complaint received at the site (R-N12(1), R-N7.6). The first entry of an id says
 * what the complaint is; a closed complaint stays closed (the site takes no step after it). */
static mm_err_t site_complaint(hub_site_record_t *r, hub_origin_t at, const mm_site_complaint_t *s)
{
    hub_site_complaint_t *c = hub_site_record_site_complaint(r, s->id, 0);
    if (!c) {
        if (!(c = hub_site_record_site_complaint(r, s->id, 1)))
            return MM_ENOMEM;
        c->first = at;
        c->received_us = s->received_us;
        c->deadline_us = s->received_us + HUB_COMPLAINT_DAYS * 86400LL * 1000000;
        c->channel = s->channel;
        snprintf(c->about, sizeof c->about, "%s", s->about);
        snprintf(c->camera, sizeof c->camera, "%s", s->camera);
        snprintf(c->by, sizeof c->by, "%s", s->by);
        snprintf(c->hub_complaint, sizeof c->hub_complaint, "%s", s->hub_complaint);
        c->state = MM_COMPLAINT_STEP_RECEIVED;
    }
    if (s->step == MM_COMPLAINT_STEP_RECEIVED || c->state == MM_COMPLAINT_STEP_CLOSED)
        return MM_OK;
    int closed = s->step == MM_COMPLAINT_STEP_CLOSED;
    hub_complaint_step_t *step = closed ? &c->closed : &c->handled;
    step->at = at;
    snprintf(step->by, sizeof step->by, "%s", s->by);
    snprintf(step->text, sizeof step->text, "%s", s->text);
    hub_members_add(&c->members, closed ? HUB_SITE_COMPLAINT_CLOSED : HUB_SITE_COMPLAINT_HANDLED);
    c->handlings += !closed;
    c->state = s->step;
    return MM_OK;
}

/* The site's first recording, once: a record that has one keeps it. */
static mm_err_t first_recording(hub_site_record_t *r, hub_origin_t at,
                                const mm_segment_recorded_t *s)
{
    if (hub_members_has(&r->members, HUB_RECORD_FIRST_RECORDING))
        return MM_OK;
    snprintf(r->first.camera, sizeof r->first.camera, "%s", s->camera);
    r->first.start_us = s->start_us;
    r->first.at = at;
    hub_members_add(&r->members, HUB_RECORD_FIRST_RECORDING);
    return MM_OK;
}

/* A hold the manager placed (a person is named): a site hold, in place. A disclosure's hold
 * (no person) is the disclosure's record's to know of. */
static mm_err_t hold_placed(hub_site_record_t *r, hub_origin_t at, const mm_hold_placed_t *p)
{
    if (!p->by[0])
        return MM_ENOTFOUND;
    hub_site_hold_t *h = hub_site_record_hold(r, p->hold_id);
    if (!h && !(h = hub_site_record_add_hold(r)))
        return MM_ENOMEM;
    *h = (hub_site_hold_t){.placed = *p, .placed_at = at};
    return MM_OK;
}

static mm_err_t hold_released(hub_site_record_t *r, hub_origin_t at, const mm_hold_released_t *x)
{
    hub_site_hold_t *h = hub_site_record_hold(r, x->hold_id);
    if (!h || h->released)
        return MM_ENOTFOUND; /* a disclosure's hold */
    h->released = 1;
    h->release = *x;
    h->released_at = at;
    return MM_OK;
}

/* A jump of the site's clock; the newest HUB_CLOCK_JUMPS_MAX are kept. */
static mm_err_t clock_jumped(hub_site_record_t *r, hub_origin_t at, const mm_clock_jumped_t *j)
{
    hub_members_add(&r->members, HUB_RECORD_CLOCK_JUMPS);
    if (r->n_jumps == HUB_CLOCK_JUMPS_MAX) {
        memmove(&r->jumps[0], &r->jumps[1], (HUB_CLOCK_JUMPS_MAX - 1) * sizeof r->jumps[0]);
        r->n_jumps--;
    }
    r->jumps[r->n_jumps++] = (hub_clock_jump_t){*j, at};
    return MM_OK;
}

mm_err_t hub_site_record_apply(hub_site_record_t *r, uint64_t index, const mm_entry_t *e)
{
    hub_origin_t at = {index, e->time_us};
    switch (e->kind) {
    case MM_ENTRY_SITE_FACTS:
        return site_facts(r, at, &e->u.site_facts);
    case MM_ENTRY_CAMERA_FACTS:
        return camera_facts(r, at, &e->u.camera_facts);
    case MM_ENTRY_CAMERA_COVERAGE:
        return coverage(r, at, &e->u.camera_coverage);
    case MM_ENTRY_CAMERA_UPTIME:
        return uptime(r, at, &e->u.camera_uptime);
    case MM_ENTRY_CAMERA_STATE:
        return camera_state(r, at, &e->u.camera_state);
    case MM_ENTRY_CONFIGURATION_CHANGED:
        return standards(r, at, &e->u.configuration_changed);
    case MM_ENTRY_STANDARDS_FILED:
        return standards_filed(r, at, &e->u.standards_filed);
    case MM_ENTRY_ROLE_CHANGED:
        return role_changed(r, at, &e->u.role_changed);
    case MM_ENTRY_EMERGENCY_REPORT:
        return emergency_report(r, at, &e->u.emergency_report);
    case MM_ENTRY_CITY_REQUEST:
        return delivered(r, at, &e->u.city_request);
    case MM_ENTRY_REQUEST_ANSWERED:
        return answered(r, at, &e->u.request_answered);
    case MM_ENTRY_SITE_COMPLAINT:
        return site_complaint(r, at, &e->u.site_complaint);
    case MM_ENTRY_SEGMENT_RECORDED:
        return first_recording(r, at, &e->u.segment_recorded);
    case MM_ENTRY_HOLD_PLACED:
        return hold_placed(r, at, &e->u.hold_placed);
    case MM_ENTRY_HOLD_RELEASED:
        return hold_released(r, at, &e->u.hold_released);
    case MM_ENTRY_CLOCK_JUMPED:
        return clock_jumped(r, at, &e->u.clock_jumped);
    default:
        return MM_ENOTFOUND; /* a kind the record has no place for */
    }
}

int hub_site_record_learns(mm_entry_kind_t kind)
{
    switch (kind) {
    case MM_ENTRY_SITE_FACTS:
    case MM_ENTRY_CAMERA_FACTS:
    case MM_ENTRY_CAMERA_COVERAGE:
    case MM_ENTRY_CAMERA_UPTIME:
    case MM_ENTRY_CAMERA_STATE:
    case MM_ENTRY_CONFIGURATION_CHANGED:
    case MM_ENTRY_STANDARDS_FILED:
    case MM_ENTRY_ROLE_CHANGED:
    case MM_ENTRY_EMERGENCY_REPORT:
    case MM_ENTRY_CITY_REQUEST:
    case MM_ENTRY_REQUEST_ANSWERED:
    case MM_ENTRY_SITE_COMPLAINT:
    case MM_ENTRY_SEGMENT_RECORDED: /* only the first: hub_registry_apply */
    case MM_ENTRY_HOLD_PLACED:
    case MM_ENTRY_HOLD_RELEASED:
    case MM_ENTRY_CLOCK_JUMPED:
        return 1;
    default:
        return 0;
    }
}
