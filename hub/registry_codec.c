/*
 * registry_codec.c: a site's record as stored JSON text and back (see registry_codec.h).
 *
 * The layout is the one the registry's JSON code used to build, member by member, so that an
 * existing hub's records read and write back byte for byte: fixed members where the registry
 * always set them in one order, and for the rest the order the record kept (members.h). The facts
 * a record keeps of an entry are the entry's fields as its JSON view writes them, then "index"
 * and "time_us". A request's members depend on its kind; each kind's order is a list below.
 */
#include "hub/registry_codec.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/codec.h"

/* --- writing ------------------------------------------------------------------------------- */

/* An entry's fields with where they came from, as a record keeps them. */
static json_t *entry_json(mm_entry_kind_t kind, const void *s, const hub_origin_t *at)
{
    json_t *o = json_object();
    int bad = !o || mm_entry_fields_json(o, kind, s) != 0;
    hub_codec_add(o, "index", json_integer((json_int_t)at->index), &bad);
    hub_codec_add(o, "time_us", json_integer(at->time_us), &bad);
    return hub_codec_built(o, bad);
}

static json_t *uptime_json(const hub_camera_t *c)
{
    json_t *days = json_object();
    for (size_t i = 0; days && i < c->n_uptime; i++) {
        const hub_uptime_day_t *d = &c->uptime[i];
        json_t *v =
            json_pack("{s:I, s:I, s:I, s:I, s:I}", "recorded_us", (json_int_t)d->recorded_us,
                      "hours", (json_int_t)d->hours, "gaps", (json_int_t)d->gaps, "first_index",
                      (json_int_t)d->first_index, "last_index", (json_int_t)d->last_index);
        if (!v || json_object_set_new(days, d->day, v) != 0) {
            json_decref(days);
            return NULL;
        }
    }
    return days;
}

static json_t *camera_json(const hub_camera_t *c)
{
    json_t *o = json_object();
    int bad = !o;
    hub_codec_add(o, "id", json_string(c->id), &bad);
    hub_codec_add(o, "state", json_string(hub_camera_state_name(c->state)), &bad);
    for (uint8_t i = 0; i < c->members.n; i++) {
        switch (c->members.tag[i]) {
        case HUB_CAMERA_FACTS:
            hub_codec_add(o, "facts", entry_json(MM_ENTRY_CAMERA_FACTS, &c->facts, &c->facts_at),
                          &bad);
            break;
        case HUB_CAMERA_COVERAGE:
            hub_codec_add(o, "coverage",
                          entry_json(MM_ENTRY_CAMERA_COVERAGE, &c->coverage, &c->coverage_at),
                          &bad);
            break;
        case HUB_CAMERA_UPTIME:
            hub_codec_add(o, "uptime", uptime_json(c), &bad);
            break;
        case HUB_CAMERA_STATE_AT:
            hub_codec_add(o, "state_index", json_integer((json_int_t)c->state_at.index), &bad);
            hub_codec_add(o, "state_time_us", json_integer(c->state_at.time_us), &bad);
            break;
        }
    }
    return hub_codec_built(o, bad);
}

static json_t *filing_history_json(const hub_filing_t *f)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < f->n_history; i++) {
        const hub_filing_step_t *h = &f->history[i];
        const char *state = hub_filing_state_name(h->state);
        json_t *v =
            h->decided ? json_pack("{s:s, s:I, s:s, s:s}", "state", state, "time_us",
                                   (json_int_t)h->time_us, "by", h->by, "reason", h->reason)
                       : json_pack("{s:s, s:I}", "state", state, "time_us", (json_int_t)h->time_us);
        hub_codec_append(&a, v);
    }
    return a;
}

json_t *hub_filing_json(const hub_filing_t *f)
{
    json_t *o = json_object();
    int bad = !o;
    hub_codec_add(o, "id", json_string(f->id), &bad);
    hub_codec_add(o, "kind", json_string(hub_filing_kind_name(f->kind)), &bad);
    hub_codec_add(o, "index", json_integer((json_int_t)f->at.index), &bad);
    hub_codec_add(o, "time_us", json_integer(f->at.time_us), &bad);
    hub_codec_add(o, "state", json_string(hub_filing_state_name(f->state)), &bad);
    hub_codec_add(o, "history", filing_history_json(f), &bad);
    if (hub_filing_of_standards(f)) {
        hub_codec_add(o, "version", json_integer(f->version), &bad);
        hub_codec_add(o, "document_hash", hub_codec_hex32_json(f->document_hash), &bad);
        hub_codec_add(o, "automatic", json_boolean(f->automatic), &bad);
        hub_codec_add(o, "by", json_string(f->by), &bad);
        /* null when the version filed is not the one running */
        hub_codec_add(o, "summary", f->has_run ? json_string(f->summary) : json_null(), &bad);
        hub_codec_add(o, "config_hash",
                      f->has_run ? hub_codec_hex32_json(f->config_hash) : json_null(), &bad);
        hub_codec_add(o, "policy",
                      f->has_run ? json_string(mm_policy_name(f->policy)) : json_null(), &bad);
    } else {
        hub_codec_add(o, "camera", json_string(f->camera), &bad);
        hub_codec_add(o, "reason", json_string(f->reason), &bad);
        hub_codec_add(o, "by", json_string(f->by), &bad);
    }
    return hub_codec_built(o, bad);
}

static json_t *grant_json(const hub_grant_t *g)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "person", g->person, "by", g->by,
                          "actions", g->actions, "cameras", g->cameras, "until_us",
                          (json_int_t)g->until_us, "granted_index", (json_int_t)g->granted.index,
                          "granted_us", (json_int_t)g->granted.time_us);
    int bad = !o;
    if (g->reported) {
        hub_codec_add(o, "report_index", json_integer((json_int_t)g->report.index), &bad);
        hub_codec_add(o, "reported_us", json_integer(g->report.time_us), &bad);
    }
    return hub_codec_built(o, bad);
}

json_t *hub_appeal_json(const hub_appeal_t *a)
{
    return json_pack("{s:s, s:I, s:s}", "text", a->text, "time_us", (json_int_t)a->time_us, "by",
                     a->by);
}

/* --- a request's members -------------------------------------------------------------------- */

typedef enum { M_STR, M_I64, M_KIND, M_STATE, M_VIA, M_BASIS, M_CAMERAS, M_TRUE, M_JSON } mtype_t;

typedef struct {
    const char *name;
    mtype_t type;
    size_t off, size; /* M_STR: the field and its size */
} member_t;

#define STR_(name)                                                                                 \
    {                                                                                              \
#name, M_STR, offsetof(hub_request_t, name), sizeof((hub_request_t *)0)->name              \
    }
#define I64_(name)                                                                                 \
    {                                                                                              \
#name, M_I64, offsetof(hub_request_t, name), 0                                             \
    }

/* Every member a request may have before what the site logged of it. */
static const member_t MEMBERS[] = {
    STR_(id),
    {"kind", M_KIND, 0, 0},
    {"state", M_STATE, 0, 0},
    {"unknown_to_hub", M_TRUE, 0, 0},
    STR_(by),
    I64_(time_us),
    I64_(deadline_us),
    STR_(text),
    STR_(camera),
    STR_(contact),
    {"via", M_VIA, 0, 0},
    STR_(complaint),
    I64_(from_us),
    I64_(to_us),
    {"legal_basis", M_BASIS, 0, 0},
    STR_(reference),
    STR_(requester),
    STR_(recipient),
    {"cameras", M_CAMERAS, 0, 0},
    STR_(signature),
    STR_(disclosure),
    STR_(subject),
    {"detail", M_JSON, offsetof(hub_request_t, detail), sizeof((hub_request_t *)0)->detail},
    I64_(retention_days_min),
    I64_(retention_days_max),
};
#define N_MEMBERS (sizeof MEMBERS / sizeof *MEMBERS)

/* Each kind's members in the order the city's code has always set them. */
static const char *const COMPLAINT[] = {"camera",  "text", "contact", "via",   "deadline_us", "by",
                                        "time_us", "id",   "kind",    "state", NULL};
static const char *const MEASURE[] = {"text", "deadline_us", "by",        "time_us", "id",
                                      "kind", "state",       "complaint", NULL};
static const char *const REPORT[] = {"text",    "from_us", "to_us", "deadline_us", "by",
                                     "time_us", "id",      "kind",  "state",       NULL};
static const char *const DISCLOSURE[] = {"id",        "kind",        "state",     "by",
                                         "time_us",   "deadline_us", "text",      "from_us",
                                         "to_us",     "legal_basis", "reference", "requester",
                                         "recipient", "cameras",     "signature", NULL};
static const char *const NOTICE[] = {"id", "kind", "state", "by", "disclosure", "time_us", NULL};
static const char *const CITY_NOTICE[] = {"id",      "kind", "state",  "by", "time_us",
                                          "subject", "text", "detail", NULL};
static const char *const CITY_RULE[] = {"id",
                                        "kind",
                                        "state",
                                        "by",
                                        "time_us",
                                        "subject",
                                        "text",
                                        "detail",
                                        "retention_days_min",
                                        "retention_days_max",
                                        "signature",
                                        NULL};
static const char *const UNKNOWN[] = {"id", "kind", "unknown_to_hub", NULL};

static const char *const *layout(const hub_request_t *q)
{
    if (q->unknown_to_hub)
        return UNKNOWN;
    switch (q->kind) {
    case MM_REQUEST_KIND_COMPLAINT:
        return COMPLAINT;
    case MM_REQUEST_KIND_COMPLAINT_MEASURE:
        return MEASURE;
    case MM_REQUEST_KIND_REPORT_REQUEST:
        return REPORT;
    case MM_REQUEST_KIND_DISCLOSURE:
        return DISCLOSURE;
    case MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED:
        return NOTICE;
    case MM_REQUEST_KIND_CITY_RULE:
        return CITY_RULE;
    default:
        return mm_request_kind_is_notice(q->kind) ? CITY_NOTICE : NOTICE;
    }
}

static const member_t *member(const char *name)
{
    for (size_t i = 0; i < N_MEMBERS; i++)
        if (!strcmp(MEMBERS[i].name, name))
            return &MEMBERS[i];
    return NULL;
}

static json_t *member_json(const member_t *m, const hub_request_t *q)
{
    const char *p = (const char *)q + m->off;
    int64_t v;
    switch (m->type) {
    case M_STR:
        return json_string(p);
    case M_I64:
        memcpy(&v, p, sizeof v);
        return json_integer(v);
    case M_KIND:
        return json_string(mm_request_kind_name(q->kind));
    case M_STATE:
        return json_string(hub_request_state_name(q->state));
    case M_VIA:
        return json_string(hub_complaint_via_name(q->via));
    case M_BASIS:
        return json_string(mm_legal_basis_name(q->legal_basis));
    case M_TRUE:
        return json_true();
    case M_JSON: { /* an object, or null when there is none (or it is damaged) */
        json_t *j = *p ? json_loads(p, JSON_REJECT_DUPLICATES, NULL) : NULL;
        return j ? j : json_null();
    }
    case M_CAMERAS: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < q->n_cameras; i++)
            json_array_append_new(a, json_string(q->cameras[i]));
        return a;
    }
    }
    return NULL;
}

json_t *hub_request_json(const hub_request_t *q)
{
    json_t *o = json_object();
    int bad = !o;
    for (const char *const *name = layout(q); *name; name++)
        hub_codec_add(o, *name, member_json(member(*name), q), &bad);
    for (uint8_t i = 0; i < q->members.n; i++) {
        switch (q->members.tag[i]) {
        case HUB_REQUEST_APPEAL:
            hub_codec_add(o, "appeal", hub_appeal_json(&q->appeal), &bad);
            break;
        case HUB_REQUEST_DELIVERED:
            hub_codec_add(o, "delivered_index", json_integer((json_int_t)q->delivered.index), &bad);
            hub_codec_add(o, "delivered_us", json_integer(q->delivered.time_us), &bad);
            break;
        case HUB_REQUEST_STATE:
            if (q->unknown_to_hub) /* else it is one of the kind's members */
                hub_codec_add(o, "state", json_string(hub_request_state_name(q->state)), &bad);
            break;
        case HUB_REQUEST_ANSWER:
            hub_codec_add(o, "answer",
                          entry_json(MM_ENTRY_REQUEST_ANSWERED, &q->answer, &q->answer_at), &bad);
            break;
        }
    }
    return hub_codec_built(o, bad);
}

/* --- a site complaint ---------------------------------------------------------------------- */

static json_t *complaint_step_json(const hub_complaint_step_t *s)
{
    return json_pack("{s:I, s:I, s:s, s:s}", "index", (json_int_t)s->at.index, "time_us",
                     (json_int_t)s->at.time_us, "by", s->by, "text", s->text);
}

json_t *hub_site_complaint_json(const hub_site_complaint_t *c)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "id",
                          c->id, "state", mm_complaint_step_name(c->state), "received_us",
                          (json_int_t)c->received_us, "deadline_us", (json_int_t)c->deadline_us,
                          "channel", mm_complaint_channel_name(c->channel), "about", c->about,
                          "camera", c->camera, "by", c->by, "hub_complaint", c->hub_complaint,
                          "index", (json_int_t)c->first.index, "time_us",
                          (json_int_t)c->first.time_us, "handlings", (json_int_t)c->handlings);
    int bad = !o;
    for (uint8_t i = 0; i < c->members.n; i++) {
        switch (c->members.tag[i]) {
        case HUB_SITE_COMPLAINT_HANDLED:
            hub_codec_add(o, "handled", complaint_step_json(&c->handled), &bad);
            break;
        case HUB_SITE_COMPLAINT_CLOSED:
            hub_codec_add(o, "closed", complaint_step_json(&c->closed), &bad);
            break;
        case HUB_SITE_COMPLAINT_APPEAL:
            hub_codec_add(o, "appeal", hub_appeal_json(&c->appeal), &bad);
            break;
        }
    }
    return hub_codec_built(o, bad);
}

/* --- the record ----------------------------------------------------------------------------- */

/* An object of id -> part: items[0 .. n) of size bytes each, whose id is a string at id_off,
 * each written by fn. */
static json_t *object_of(const void *items, size_t n, size_t size, size_t id_off,
                         json_t *(*fn)(const void *item))
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++) {
        const char *item = (const char *)items + i * size;
        json_t *v = fn(item);
        if (!v || json_object_set_new(o, item + id_off, v) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

static json_t *any_camera_json(const void *c)
{
    return camera_json(c);
}

static json_t *any_grant_json(const void *g)
{
    return grant_json(g);
}

static json_t *any_request_json(const void *q)
{
    return hub_request_json(q);
}

static json_t *any_site_complaint_json(const void *c)
{
    return hub_site_complaint_json(c);
}

static json_t *site_hold_json(const hub_site_hold_t *h)
{
    json_t *o = entry_json(MM_ENTRY_HOLD_PLACED, &h->placed, &h->placed_at);
    int bad = !o;
    if (h->released)
        hub_codec_add(o, "released",
                      entry_json(MM_ENTRY_HOLD_RELEASED, &h->release, &h->released_at), &bad);
    return hub_codec_built(o, bad);
}

static json_t *site_holds_json(const hub_site_record_t *r)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < r->n_holds; i++) {
        json_t *v = site_hold_json(&r->holds[i]);
        if (!v || json_object_set_new(o, r->holds[i].placed.hold_id, v) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

static json_t *first_recording_json(const hub_first_recording_t *f)
{
    return json_pack("{s:s, s:I, s:I, s:I}", "camera", f->camera, "start_us",
                     (json_int_t)f->start_us, "index", (json_int_t)f->at.index, "time_us",
                     (json_int_t)f->at.time_us);
}

/* [{expected_us, read_us, step_us, index, time_us}...], oldest first. */
static json_t *clock_jumps_json(const hub_site_record_t *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->n_jumps; i++)
        hub_codec_append(&a, entry_json(MM_ENTRY_CLOCK_JUMPED, &r->jumps[i].jump, &r->jumps[i].at));
    return a;
}

json_t *hub_site_record_json(const hub_site_record_t *r)
{
    json_t *o = json_object();
    int bad = !o;
    hub_codec_add(o, "site", json_string(r->site), &bad);
    hub_codec_add(o, "facts",
                  r->has_facts ? entry_json(MM_ENTRY_SITE_FACTS, &r->facts, &r->facts_at)
                               : json_null(),
                  &bad);
    hub_codec_add(o, "cameras",
                  object_of(r->cameras, r->n_cameras, sizeof *r->cameras,
                            offsetof(hub_camera_t, id), any_camera_json),
                  &bad);
    json_t *filings = json_array();
    for (size_t i = 0; filings && i < r->n_filings; i++)
        hub_codec_append(&filings, hub_filing_json(&r->filings[i]));
    hub_codec_add(o, "filings", filings, &bad);
    hub_codec_add(o, "grants",
                  object_of(r->grants, r->n_grants, sizeof *r->grants, offsetof(hub_grant_t, id),
                            any_grant_json),
                  &bad);
    for (uint8_t i = 0; i < r->members.n; i++) {
        if (r->members.tag[i] == HUB_RECORD_STANDARDS)
            hub_codec_add(
                o, "standards",
                entry_json(MM_ENTRY_CONFIGURATION_CHANGED, &r->standards, &r->standards_at), &bad);
        else if (r->members.tag[i] == HUB_RECORD_REQUESTS)
            hub_codec_add(o, "requests",
                          object_of(r->requests, r->n_requests, sizeof *r->requests,
                                    offsetof(hub_request_t, id), any_request_json),
                          &bad);
        else if (r->members.tag[i] == HUB_RECORD_SITE_COMPLAINTS)
            hub_codec_add(o, "site_complaints",
                          object_of(r->site_complaints, r->n_site_complaints,
                                    sizeof *r->site_complaints, offsetof(hub_site_complaint_t, id),
                                    any_site_complaint_json),
                          &bad);
        else if (r->members.tag[i] == HUB_RECORD_FIRST_RECORDING)
            hub_codec_add(o, "first_recording", first_recording_json(&r->first), &bad);
        else if (r->members.tag[i] == HUB_RECORD_HOLDS)
            hub_codec_add(o, "holds", site_holds_json(r), &bad);
        else if (r->members.tag[i] == HUB_RECORD_CLOCK_JUMPS)
            hub_codec_add(o, "clock_jumps", clock_jumps_json(r), &bad);
    }
    return hub_codec_built(o, bad);
}

/* --- reading -------------------------------------------------------------------------------- */

static hub_origin_t origin_of(const json_t *o)
{
    return (hub_origin_t){(uint64_t)hub_codec_int(o, "index"), hub_codec_int(o, "time_us")};
}

static int uptime_from(const json_t *days, hub_camera_t *c)
{
    const char *day;
    json_t *d;
    if (!json_is_object(days) || json_object_size(days) > HUB_UPTIME_DAYS)
        return -1;
    json_object_foreach((json_t *)days, day, d)
    {
        hub_uptime_day_t *u = &c->uptime[c->n_uptime++];
        if (strlen(day) >= sizeof u->day)
            return -1;
        snprintf(u->day, sizeof u->day, "%s", day);
        u->recorded_us = hub_codec_int(d, "recorded_us");
        u->hours = hub_codec_int(d, "hours");
        u->gaps = hub_codec_int(d, "gaps");
        u->first_index = (uint64_t)hub_codec_int(d, "first_index");
        u->last_index = (uint64_t)hub_codec_int(d, "last_index");
    }
    return 0;
}

static int camera_from(const char *id, const json_t *o, hub_camera_t *c)
{
    const char *state = json_string_value(json_object_get(o, "state"));
    if (!json_is_object(o) || strlen(id) >= sizeof c->id ||
        (state && !hub_camera_state_parse(state, &c->state)))
        return -1;
    snprintf(c->id, sizeof c->id, "%s", id);
    const char *key;
    json_t *v;
    int bad = 0;
    json_object_foreach((json_t *)o, key, v)
    {
        if (!strcmp(key, "facts")) {
            hub_members_add(&c->members, HUB_CAMERA_FACTS);
            bad |= hub_codec_fields_from_json(v, MM_ENTRY_CAMERA_FACTS, &c->facts);
            c->facts_at = origin_of(v);
        } else if (!strcmp(key, "coverage")) {
            hub_members_add(&c->members, HUB_CAMERA_COVERAGE);
            bad |= hub_codec_fields_from_json(v, MM_ENTRY_CAMERA_COVERAGE, &c->coverage);
            c->coverage_at = origin_of(v);
        } else if (!strcmp(key, "uptime")) {
            hub_members_add(&c->members, HUB_CAMERA_UPTIME);
            bad |= uptime_from(v, c);
        } else if (!strcmp(key, "state_index")) {
            hub_members_add(&c->members, HUB_CAMERA_STATE_AT);
            c->state_at =
                (hub_origin_t){(uint64_t)json_integer_value(v), hub_codec_int(o, "state_time_us")};
        }
    }
    return bad ? -1 : 0;
}

static int filing_history_from(const json_t *a, hub_filing_t *f)
{
    size_t i;
    json_t *h;
    if (json_array_size(a) > HUB_FILING_HISTORY_MAX)
        return -1;
    json_array_foreach((json_t *)a, i, h)
    {
        hub_filing_step_t *s = &f->history[f->n_history++];
        if (!hub_filing_state_parse(json_string_value(json_object_get(h, "state")), &s->state))
            return -1;
        s->time_us = hub_codec_int(h, "time_us");
        s->decided = hub_codec_has(h, "by");
        if (hub_codec_str(h, "by", s->by, sizeof s->by) ||
            hub_codec_str(h, "reason", s->reason, sizeof s->reason))
            return -1;
    }
    return 0;
}

static int filing_from(const json_t *o, hub_filing_t *f)
{
    const char *state = json_string_value(json_object_get(o, "state"));
    if (!hub_filing_kind_parse(json_string_value(json_object_get(o, "kind")), &f->kind) ||
        (state && !hub_filing_state_parse(state, &f->state)) ||
        hub_codec_str(o, "id", f->id, sizeof f->id) ||
        hub_codec_str(o, "by", f->by, sizeof f->by) ||
        filing_history_from(json_object_get(o, "history"), f))
        return -1;
    f->at = origin_of(o);
    if (!hub_filing_of_standards(f))
        return hub_codec_str(o, "camera", f->camera, sizeof f->camera) ||
                       hub_codec_str(o, "reason", f->reason, sizeof f->reason)
                   ? -1
                   : 0;
    f->version = (uint32_t)hub_codec_int(o, "version");
    f->automatic = hub_codec_bool(o, "automatic");
    if (hub_codec_has(o, "document_hash") && hub_codec_hex32(o, "document_hash", f->document_hash))
        return -1;
    f->has_run = json_is_string(json_object_get(o, "summary"));
    const char *policy = json_string_value(json_object_get(o, "policy"));
    if (f->has_run &&
        (hub_codec_str(o, "summary", f->summary, sizeof f->summary) ||
         hub_codec_hex32(o, "config_hash", f->config_hash) || !mm_policy_parse(policy, &f->policy)))
        return -1;
    return 0;
}

static int grant_from(const char *id, const json_t *o, hub_grant_t *g)
{
    if (!json_is_object(o) || strlen(id) >= sizeof g->id)
        return -1;
    snprintf(g->id, sizeof g->id, "%s", id);
    g->until_us = hub_codec_int(o, "until_us");
    g->granted =
        (hub_origin_t){(uint64_t)hub_codec_int(o, "granted_index"), hub_codec_int(o, "granted_us")};
    g->reported = hub_codec_has(o, "report_index");
    g->report =
        (hub_origin_t){(uint64_t)hub_codec_int(o, "report_index"), hub_codec_int(o, "reported_us")};
    return hub_codec_str(o, "person", g->person, sizeof g->person) ||
                   hub_codec_str(o, "by", g->by, sizeof g->by) ||
                   hub_codec_str(o, "actions", g->actions, sizeof g->actions) ||
                   hub_codec_str(o, "cameras", g->cameras, sizeof g->cameras)
               ? -1
               : 0;
}

/* One of the request's own members, present in o as v. */
static int member_from(const member_t *m, const json_t *v, hub_request_t *q)
{
    char *p = (char *)q + m->off;
    switch (m->type) {
    case M_STR:
        if (!json_is_string(v) || json_string_length(v) >= m->size)
            return -1;
        memcpy(p, json_string_value(v), json_string_length(v) + 1);
        return 0;
    case M_I64: {
        int64_t x = json_integer_value(v);
        memcpy(p, &x, sizeof x);
        return 0;
    }
    case M_KIND:
        return mm_request_kind_parse(json_string_value(v), &q->kind) ? 0 : -1;
    case M_STATE:
        return hub_request_state_parse(json_string_value(v), &q->state) ? 0 : -1;
    case M_VIA:
        return hub_complaint_via_parse(json_string_value(v), &q->via) ? 0 : -1;
    case M_BASIS:
        return mm_legal_basis_parse(json_string_value(v), &q->legal_basis) ? 0 : -1;
    case M_TRUE:
        q->unknown_to_hub = json_is_true(v);
        return 0;
    case M_JSON: {
        char *text = json_is_object(v) ? json_dumps(v, JSON_COMPACT) : NULL;
        int bad = !text || strlen(text) >= m->size;
        if (!bad)
            memcpy(p, text, strlen(text) + 1);
        free(text);
        return bad ? -1 : 0;
    }
    case M_CAMERAS: {
        size_t i;
        json_t *c;
        if (json_array_size(v) > MM_REQUEST_CAMERAS_MAX)
            return -1;
        json_array_foreach((json_t *)v, i, c)
        {
            if (!json_is_string(c) || json_string_length(c) >= sizeof q->cameras[0])
                return -1;
            snprintf(q->cameras[q->n_cameras++], sizeof q->cameras[0], "%s", json_string_value(c));
        }
        return 0;
    }
    }
    return -1;
}

/* What the site logged of the request, and its appeal, in the order they came. */
static int request_tail_from(const json_t *o, hub_request_t *q)
{
    const char *key;
    json_t *v;
    int bad = 0;
    json_object_foreach((json_t *)o, key, v)
    {
        if (!strcmp(key, "appeal")) {
            hub_members_add(&q->members, HUB_REQUEST_APPEAL);
            q->appeal.time_us = hub_codec_int(v, "time_us");
            bad |= hub_codec_str(v, "text", q->appeal.text, sizeof q->appeal.text) ||
                   hub_codec_str(v, "by", q->appeal.by, sizeof q->appeal.by);
        } else if (!strcmp(key, "delivered_index")) {
            hub_members_add(&q->members, HUB_REQUEST_DELIVERED);
            q->delivered =
                (hub_origin_t){(uint64_t)json_integer_value(v), hub_codec_int(o, "delivered_us")};
        } else if (!strcmp(key, "state") && q->unknown_to_hub) {
            hub_members_add(&q->members, HUB_REQUEST_STATE);
        } else if (!strcmp(key, "answer")) {
            hub_members_add(&q->members, HUB_REQUEST_ANSWER);
            bad |= hub_codec_fields_from_json(v, MM_ENTRY_REQUEST_ANSWERED, &q->answer);
            q->answer_at = origin_of(v);
        }
    }
    return bad ? -1 : 0;
}

static int request_from(const char *id, const json_t *o, hub_request_t *q)
{
    if (!json_is_object(o))
        return -1;
    for (size_t i = 0; i < N_MEMBERS; i++) {
        const json_t *v = json_object_get(o, MEMBERS[i].name);
        if (v && !json_is_null(v) && member_from(&MEMBERS[i], v, q) != 0)
            return -1;
    }
    if (!q->id[0] && strlen(id) < sizeof q->id)
        snprintf(q->id, sizeof q->id, "%s", id);
    return request_tail_from(o, q);
}

static int complaint_step_from(const json_t *o, hub_complaint_step_t *s)
{
    s->at = origin_of(o);
    return !json_is_object(o) || hub_codec_str(o, "by", s->by, sizeof s->by) ||
                   hub_codec_str(o, "text", s->text, sizeof s->text)
               ? -1
               : 0;
}

static int site_complaint_from(const char *id, const json_t *o, hub_site_complaint_t *c)
{
    if (!json_is_object(o) || strlen(id) >= sizeof c->id ||
        !mm_complaint_step_parse(json_string_value(json_object_get(o, "state")), &c->state) ||
        !mm_complaint_channel_parse(json_string_value(json_object_get(o, "channel")),
                                    &c->channel) ||
        hub_codec_str(o, "about", c->about, sizeof c->about) ||
        hub_codec_str(o, "camera", c->camera, sizeof c->camera) ||
        hub_codec_str(o, "by", c->by, sizeof c->by) ||
        hub_codec_str(o, "hub_complaint", c->hub_complaint, sizeof c->hub_complaint))
        return -1;
    snprintf(c->id, sizeof c->id, "%s", id);
    c->received_us = hub_codec_int(o, "received_us");
    c->deadline_us = hub_codec_int(o, "deadline_us");
    c->first = origin_of(o);
    c->handlings = (uint32_t)hub_codec_int(o, "handlings");
    const char *key;
    json_t *v;
    int bad = 0;
    json_object_foreach((json_t *)o, key, v)
    {
        if (!strcmp(key, "handled")) {
            hub_members_add(&c->members, HUB_SITE_COMPLAINT_HANDLED);
            bad |= complaint_step_from(v, &c->handled);
        } else if (!strcmp(key, "closed")) {
            hub_members_add(&c->members, HUB_SITE_COMPLAINT_CLOSED);
            bad |= complaint_step_from(v, &c->closed);
        } else if (!strcmp(key, "appeal")) {
            hub_members_add(&c->members, HUB_SITE_COMPLAINT_APPEAL);
            c->appeal.time_us = hub_codec_int(v, "time_us");
            bad |= !json_is_object(v) ||
                   hub_codec_str(v, "text", c->appeal.text, sizeof c->appeal.text) ||
                   hub_codec_str(v, "by", c->appeal.by, sizeof c->appeal.by);
        }
    }
    return bad ? -1 : 0;
}

/* Reads each member (id, value) of the object o with fn into a new element of *arr (of size
 * bytes, zeroed), counted in *n. An absent o is none. */
static mm_err_t read_object(const json_t *o, void **arr, size_t *n, size_t size,
                            int (*fn)(const char *id, const json_t *v, void *item))
{
    if (!o || json_is_null(o))
        return MM_OK;
    if (!json_is_object(o))
        return MM_ECORRUPT;
    if (json_object_size(o) && !(*arr = calloc(json_object_size(o), size)))
        return MM_ENOMEM;
    const char *id;
    json_t *v;
    json_object_foreach((json_t *)o, id, v)
    {
        if (fn(id, v, (char *)*arr + *n * size) != 0)
            return MM_ECORRUPT;
        (*n)++;
    }
    return MM_OK;
}

static int any_camera_from(const char *id, const json_t *v, void *c)
{
    return camera_from(id, v, c);
}

static int any_grant_from(const char *id, const json_t *v, void *g)
{
    return grant_from(id, v, g);
}

static int any_request_from(const char *id, const json_t *v, void *q)
{
    return request_from(id, v, q);
}

static int any_site_complaint_from(const char *id, const json_t *v, void *c)
{
    return site_complaint_from(id, v, c);
}

static int site_hold_from(const char *id, const json_t *o, void *item)
{
    hub_site_hold_t *h = item;
    if (!json_is_object(o) || hub_codec_fields_from_json(o, MM_ENTRY_HOLD_PLACED, &h->placed) ||
        strcmp(h->placed.hold_id, id) != 0)
        return -1;
    h->placed_at = origin_of(o);
    const json_t *rel = json_object_get(o, "released");
    if (!rel)
        return 0;
    h->released = 1;
    h->released_at = origin_of(rel);
    return json_is_object(rel) &&
                   !hub_codec_fields_from_json(rel, MM_ENTRY_HOLD_RELEASED, &h->release)
               ? 0
               : -1;
}

static int first_recording_from(const json_t *o, hub_first_recording_t *f)
{
    f->start_us = hub_codec_int(o, "start_us");
    f->at = origin_of(o);
    return json_is_object(o) && !hub_codec_str(o, "camera", f->camera, sizeof f->camera) ? 0 : -1;
}

static int clock_jumps_from(const json_t *a, hub_site_record_t *r)
{
    if (!json_is_array(a) || json_array_size(a) > HUB_CLOCK_JUMPS_MAX)
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *j = json_array_get(a, i);
        hub_clock_jump_t *c = &r->jumps[r->n_jumps++];
        c->at = origin_of(j);
        if (!json_is_object(j) || hub_codec_fields_from_json(j, MM_ENTRY_CLOCK_JUMPED, &c->jump))
            return -1;
    }
    return 0;
}

mm_err_t hub_site_record_from_json(const json_t *o, hub_site_record_t *out)
{
    hub_site_record_init(out, "");
    if (!json_is_object(o) || hub_codec_str(o, "site", out->site, sizeof out->site))
        return MM_ECORRUPT;
    mm_err_t err = MM_OK;
    const json_t *facts = json_object_get(o, "facts");
    if (json_is_object(facts)) {
        out->has_facts = 1;
        out->facts_at = origin_of(facts);
        if (hub_codec_fields_from_json(facts, MM_ENTRY_SITE_FACTS, &out->facts))
            err = MM_ECORRUPT;
    }
    if (!err)
        err = read_object(json_object_get(o, "cameras"), (void **)&out->cameras, &out->n_cameras,
                          sizeof *out->cameras, any_camera_from);
    if (!err)
        err = read_object(json_object_get(o, "grants"), (void **)&out->grants, &out->n_grants,
                          sizeof *out->grants, any_grant_from);
    const json_t *filings = json_object_get(o, "filings");
    if (!err && json_array_size(filings) &&
        !(out->filings = calloc(json_array_size(filings), sizeof *out->filings)))
        err = MM_ENOMEM;
    for (size_t i = 0; !err && i < json_array_size(filings); i++)
        if (filing_from(json_array_get(filings, i), &out->filings[out->n_filings++]))
            err = MM_ECORRUPT;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        if (err)
            break;
        if (!strcmp(key, "standards")) {
            hub_members_add(&out->members, HUB_RECORD_STANDARDS);
            out->standards_at = origin_of(v);
            if (hub_codec_fields_from_json(v, MM_ENTRY_CONFIGURATION_CHANGED, &out->standards))
                err = MM_ECORRUPT;
        } else if (!strcmp(key, "requests")) {
            hub_members_add(&out->members, HUB_RECORD_REQUESTS);
            err = read_object(v, (void **)&out->requests, &out->n_requests, sizeof *out->requests,
                              any_request_from);
        } else if (!strcmp(key, "site_complaints")) {
            hub_members_add(&out->members, HUB_RECORD_SITE_COMPLAINTS);
            err = read_object(v, (void **)&out->site_complaints, &out->n_site_complaints,
                              sizeof *out->site_complaints, any_site_complaint_from);
        } else if (!strcmp(key, "first_recording")) {
            hub_members_add(&out->members, HUB_RECORD_FIRST_RECORDING);
            if (first_recording_from(v, &out->first))
                err = MM_ECORRUPT;
        } else if (!strcmp(key, "holds")) {
            hub_members_add(&out->members, HUB_RECORD_HOLDS);
            err = read_object(v, (void **)&out->holds, &out->n_holds, sizeof *out->holds,
                              site_hold_from);
        } else if (!strcmp(key, "clock_jumps")) {
            hub_members_add(&out->members, HUB_RECORD_CLOCK_JUMPS);
            if (clock_jumps_from(v, out))
                err = MM_ECORRUPT;
        }
    }
    return err;
}

HUB_CODEC_TEXT_DEFINE(hub_site_record, hub_site_record_t)
