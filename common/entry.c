/*
 * entry.c: site-log entries (see entry.h).
 *
 * mm_entry_to_json walks the protobuf-c descriptors, so a new entry kind added to the schema
 * shows in the API without code here; encode and decode are written per kind because they
 * check bounds that the schema cannot say.
 */
#include "common/entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/log.h"
#include "common/pbcheck.h"
#include "common/utf8.h"
#include "mimamori/v1/mimamori.pb-c.h"

/*
 * The edge must never append an entry that the hub's decoder refuses (the log would be stuck
 * behind it), so encode checks with the same rules that decode applies.
 */
#define ENTRY_REPEATED_MAX MM_ERASED_MAX /* segments_erased.content_hashes */
#define PPM 1000000u                     /* camera_coverage fractions */

/*
 * The values an enumerated string field may take. Decode refuses any other value as it refuses
 * an over-long string, so adding a value here is a change that old hubs cannot ignore.
 */
static const char *const access_roles[] = {"manager", "operator", "emergency", "none", NULL};
static const char *const role_changes[] = {"operator_designated", "operator_revoked",
                                           "emergency_granted", "emergency_revoked", NULL};
static const char *const viewing_states[] = {"started", "ended", NULL};
static const char *const camera_states[] = {"suspended", "resumed", "abolished", NULL};
static const char *const policies[] = {"kawaguchi", "naha", NULL};

/* Whether s, a NUL-terminated string, is one of the NULL-terminated set. */
static int str_in(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

static int str_ok(const char *s, size_t cap, int nonempty)
{
    size_t n = strnlen(s, cap);
    return n < cap && (n > 0 || !nonempty) && mm_utf8_valid(s, n);
}

/* Whether s is a date as the configuration writes one: exactly "YYYY-MM-DD" in digits, or "". */
static int date_ok(const char *s, int nonempty)
{
    if (!*s)
        return !nonempty;
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    return s[10] == 0;
}

/*
 * Whether s is "" or the text of a JSON array (site_facts.contractors). The hub parses it to
 * build its registry, so text it could not parse must not enter the log.
 */
static int json_array_ok(const char *s)
{
    if (!*s)
        return 1;
    json_t *j = json_loads(s, 0, NULL);
    int ok = json_is_array(j);
    json_decref(j);
    return ok;
}

int mm_request_kind_ok(const char *k)
{
    return !strcmp(k, "complaint") || !strcmp(k, "report_request") ||
           !strcmp(k, "complaint_measure") || !strcmp(k, "disclosure") ||
           !strcmp(k, "disclosure_downloaded");
}

int mm_disclosure_step_ok(const char *s)
{
    static const char *const steps[] = {"held",      "refused",    "prepared", "approved",
                                        "denied",    "expired",    "exported", "failed",
                                        "delivered", "downloaded", "released"};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (!strcmp(s, steps[i]))
            return 1;
    return 0;
}

int mm_legal_basis_ok(const char *s)
{
    return !strcmp(s, "consent") || !strcmp(s, "law") || !strcmp(s, "emergency") ||
           !strcmp(s, "own_images");
}

/* Whether s is "" or the text of a JSON object (city_action.detail). */
static int json_object_ok(const char *s)
{
    if (!*s)
        return 1;
    json_t *j = json_loads(s, 0, NULL);
    int ok = json_is_object(j);
    json_decref(j);
    return ok;
}

/* Every string field of an entry: its C buffer and whether it may be empty. */
#define CHECK_STR(field, nonempty)                                                                 \
    do {                                                                                           \
        if (!str_ok((field), sizeof(field), (nonempty)))                                           \
            return MM_EINVAL;                                                                      \
    } while (0)

mm_err_t mm_entry_encode(const mm_entry_t *e, uint8_t **out, size_t *len)
{
    Mimamori__V1__LogEntry le = MIMAMORI__V1__LOG_ENTRY__INIT;
    Mimamori__V1__SegmentRecorded sr = MIMAMORI__V1__SEGMENT_RECORDED__INIT;
    Mimamori__V1__CameraGap gap = MIMAMORI__V1__CAMERA_GAP__INIT;
    Mimamori__V1__CameraUptime up = MIMAMORI__V1__CAMERA_UPTIME__INIT;
    Mimamori__V1__SegmentsErased er = MIMAMORI__V1__SEGMENTS_ERASED__INIT;
    Mimamori__V1__HoldPlaced hp = MIMAMORI__V1__HOLD_PLACED__INIT;
    Mimamori__V1__HoldReleased hr = MIMAMORI__V1__HOLD_RELEASED__INIT;
    Mimamori__V1__StorageAlarm al = MIMAMORI__V1__STORAGE_ALARM__INIT;
    Mimamori__V1__CameraCoverage cc = MIMAMORI__V1__CAMERA_COVERAGE__INIT;
    Mimamori__V1__Access ac = MIMAMORI__V1__ACCESS__INIT;
    Mimamori__V1__RoleChanged rc = MIMAMORI__V1__ROLE_CHANGED__INIT;
    Mimamori__V1__EmergencyReport rp = MIMAMORI__V1__EMERGENCY_REPORT__INIT;
    Mimamori__V1__Viewing vw = MIMAMORI__V1__VIEWING__INIT;
    Mimamori__V1__CameraState cs = MIMAMORI__V1__CAMERA_STATE__INIT;
    Mimamori__V1__ConfigurationChanged cf = MIMAMORI__V1__CONFIGURATION_CHANGED__INIT;
    Mimamori__V1__SiteFacts sf = MIMAMORI__V1__SITE_FACTS__INIT;
    Mimamori__V1__CameraFacts cm = MIMAMORI__V1__CAMERA_FACTS__INIT;
    Mimamori__V1__CityAction ca = MIMAMORI__V1__CITY_ACTION__INIT;
    Mimamori__V1__CityRequestReceived cq = MIMAMORI__V1__CITY_REQUEST_RECEIVED__INIT;
    Mimamori__V1__RequestAnswered ra = MIMAMORI__V1__REQUEST_ANSWERED__INIT;
    Mimamori__V1__StandardsFiled sd = MIMAMORI__V1__STANDARDS_FILED__INIT;
    Mimamori__V1__Disclosure ds = MIMAMORI__V1__DISCLOSURE__INIT;
    ProtobufCBinaryData hashes[MM_ERASED_MAX];
    le.time_us = e->time_us;
    switch (e->kind) {
    case MM_ENTRY_SEGMENT_RECORDED: {
        const mm_segment_recorded_t *s = &e->u.segment_recorded;
        CHECK_STR(s->camera, 1);
        CHECK_STR(s->codec, 0);
        sr.camera = (char *)s->camera;
        sr.start_us = s->start_us;
        sr.end_us = s->end_us;
        sr.bytes = s->bytes;
        sr.frames = s->frames;
        sr.content_hash.data = (uint8_t *)s->content_hash;
        sr.content_hash.len = 32;
        sr.codec = (char *)s->codec;
        sr.recovered = s->recovered != 0;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_SEGMENT_RECORDED;
        le.segment_recorded = &sr;
        break;
    }
    case MM_ENTRY_CAMERA_GAP: {
        const mm_camera_gap_t *g = &e->u.camera_gap;
        CHECK_STR(g->camera, 1);
        CHECK_STR(g->reason, 0);
        if (g->end_us < g->start_us)
            return MM_EINVAL;
        gap.camera = (char *)g->camera;
        gap.start_us = g->start_us;
        gap.end_us = g->end_us;
        gap.reason = (char *)g->reason;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_CAMERA_GAP;
        le.camera_gap = &gap;
        break;
    }
    case MM_ENTRY_CAMERA_UPTIME: {
        const mm_camera_uptime_t *u = &e->u.camera_uptime;
        CHECK_STR(u->camera, 1);
        up.camera = (char *)u->camera;
        up.hour_start_us = u->hour_start_us;
        up.recorded_us = u->recorded_us;
        up.gaps = u->gaps;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_CAMERA_UPTIME;
        le.camera_uptime = &up;
        break;
    }
    case MM_ENTRY_SEGMENTS_ERASED: {
        const mm_segments_erased_t *x = &e->u.segments_erased;
        CHECK_STR(x->camera, 1);
        CHECK_STR(x->reason, 1);
        CHECK_STR(x->hold_id, 0);
        if (x->n_hashes > MM_ERASED_MAX)
            return MM_EINVAL;
        er.camera = (char *)x->camera;
        er.start_us = x->start_us;
        er.end_us = x->end_us;
        er.count = x->count;
        er.bytes = x->bytes;
        for (size_t i = 0; i < x->n_hashes; i++) {
            hashes[i].data = (uint8_t *)x->hashes[i];
            hashes[i].len = 32;
        }
        er.n_content_hashes = x->n_hashes;
        er.content_hashes = hashes;
        er.reason = (char *)x->reason;
        er.hold_id = (char *)x->hold_id;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_SEGMENTS_ERASED;
        le.segments_erased = &er;
        break;
    }
    case MM_ENTRY_HOLD_PLACED: {
        const mm_hold_placed_t *h = &e->u.hold_placed;
        CHECK_STR(h->hold_id, 1);
        CHECK_STR(h->camera, 1);
        CHECK_STR(h->reason, 0);
        hp.hold_id = (char *)h->hold_id;
        hp.camera = (char *)h->camera;
        hp.start_us = h->start_us;
        hp.end_us = h->end_us;
        hp.reason = (char *)h->reason;
        hp.segments = h->segments;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_HOLD_PLACED;
        le.hold_placed = &hp;
        break;
    }
    case MM_ENTRY_HOLD_RELEASED: {
        const mm_hold_released_t *h = &e->u.hold_released;
        CHECK_STR(h->hold_id, 1);
        CHECK_STR(h->reason, 0);
        hr.hold_id = (char *)h->hold_id;
        hr.reason = (char *)h->reason;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_HOLD_RELEASED;
        le.hold_released = &hr;
        break;
    }
    case MM_ENTRY_STORAGE_ALARM: {
        const mm_storage_alarm_t *a = &e->u.storage_alarm;
        CHECK_STR(a->state, 1);
        CHECK_STR(a->camera, 0);
        CHECK_STR(a->message, 0);
        al.state = (char *)a->state;
        al.camera = (char *)a->camera;
        al.free_bytes = a->free_bytes;
        al.total_bytes = a->total_bytes;
        al.message = (char *)a->message;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_STORAGE_ALARM;
        le.storage_alarm = &al;
        break;
    }
    case MM_ENTRY_CAMERA_COVERAGE: {
        const mm_camera_coverage_t *c = &e->u.camera_coverage;
        CHECK_STR(c->camera, 1);
        CHECK_STR(c->policy, 1);
        CHECK_STR(c->exception, 0);
        if (c->public_ppm > PPM || c->private_ppm > PPM || c->masked_ppm > PPM ||
            c->share_ppm > PPM || c->threshold_ppm > PPM)
            return MM_EINVAL;
        cc.camera = (char *)c->camera;
        cc.public_ppm = c->public_ppm;
        cc.private_ppm = c->private_ppm;
        cc.masked_ppm = c->masked_ppm;
        cc.share_ppm = c->share_ppm;
        cc.threshold_ppm = c->threshold_ppm;
        cc.policy = (char *)c->policy;
        cc.exception = (char *)c->exception;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_CAMERA_COVERAGE;
        le.camera_coverage = &cc;
        break;
    }
    case MM_ENTRY_ACCESS: {
        const mm_access_t *a = &e->u.access;
        CHECK_STR(a->person, 0);
        CHECK_STR(a->account, 1);
        CHECK_STR(a->role, 1);
        CHECK_STR(a->action, 1);
        CHECK_STR(a->camera, 0);
        CHECK_STR(a->reason, 0);
        if (!str_in(a->role, access_roles))
            return MM_EINVAL;
        ac.person = (char *)a->person;
        ac.account = (char *)a->account;
        ac.uid = a->uid;
        ac.role = (char *)a->role;
        ac.action = (char *)a->action;
        ac.camera = (char *)a->camera;
        ac.start_us = a->start_us;
        ac.end_us = a->end_us;
        ac.allowed = a->allowed != 0;
        ac.reason = (char *)a->reason;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_ACCESS;
        le.access = &ac;
        break;
    }
    case MM_ENTRY_ROLE_CHANGED: {
        const mm_role_changed_t *r = &e->u.role_changed;
        CHECK_STR(r->change, 1);
        CHECK_STR(r->person, 1);
        CHECK_STR(r->by, 1);
        CHECK_STR(r->grant_id, 0);
        CHECK_STR(r->actions, 0);
        CHECK_STR(r->cameras, 0);
        CHECK_STR(r->reason, 0);
        if (!str_in(r->change, role_changes))
            return MM_EINVAL;
        rc.change = (char *)r->change;
        rc.person = (char *)r->person;
        rc.by = (char *)r->by;
        rc.grant_id = (char *)r->grant_id;
        rc.actions = (char *)r->actions;
        rc.cameras = (char *)r->cameras;
        rc.until_us = r->until_us;
        rc.reason = (char *)r->reason;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_ROLE_CHANGED;
        le.role_changed = &rc;
        break;
    }
    case MM_ENTRY_EMERGENCY_REPORT: {
        const mm_emergency_report_t *r = &e->u.emergency_report;
        CHECK_STR(r->grant_id, 1);
        CHECK_STR(r->person, 1);
        CHECK_STR(r->text, 1);
        rp.grant_id = (char *)r->grant_id;
        rp.person = (char *)r->person;
        rp.text = (char *)r->text;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_EMERGENCY_REPORT;
        le.emergency_report = &rp;
        break;
    }
    case MM_ENTRY_VIEWING: {
        const mm_viewing_t *v = &e->u.viewing;
        CHECK_STR(v->state, 1);
        CHECK_STR(v->session, 1);
        CHECK_STR(v->person, 1);
        CHECK_STR(v->camera, 1);
        CHECK_STR(v->reason, 0);
        if (!str_in(v->state, viewing_states))
            return MM_EINVAL;
        vw.state = (char *)v->state;
        vw.session = (char *)v->session;
        vw.person = (char *)v->person;
        vw.camera = (char *)v->camera;
        vw.start_us = v->start_us;
        vw.end_us = v->end_us;
        vw.bytes = v->bytes;
        vw.reason = (char *)v->reason;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_VIEWING;
        le.viewing = &vw;
        break;
    }
    case MM_ENTRY_CAMERA_STATE: {
        const mm_camera_state_t *c = &e->u.camera_state;
        CHECK_STR(c->camera, 1);
        CHECK_STR(c->state, 1);
        CHECK_STR(c->by, 1);
        CHECK_STR(c->reason, 0);
        if (!str_in(c->state, camera_states))
            return MM_EINVAL;
        cs.camera = (char *)c->camera;
        cs.state = (char *)c->state;
        cs.by = (char *)c->by;
        cs.reason = (char *)c->reason;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_CAMERA_STATE;
        le.camera_state = &cs;
        break;
    }
    case MM_ENTRY_CONFIGURATION_CHANGED: {
        const mm_configuration_changed_t *c = &e->u.configuration_changed;
        CHECK_STR(c->policy, 1);
        CHECK_STR(c->summary, 0);
        if (c->version < 1)
            return MM_EINVAL;
        cf.version = c->version;
        cf.document_hash.data = (uint8_t *)c->document_hash;
        cf.document_hash.len = 32;
        cf.config_hash.data = (uint8_t *)c->config_hash;
        cf.config_hash.len = 32;
        cf.policy = (char *)c->policy;
        cf.cameras = c->cameras;
        cf.summary = (char *)c->summary;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_CONFIGURATION_CHANGED;
        le.configuration_changed = &cf;
        break;
    }
    case MM_ENTRY_SITE_FACTS: {
        const mm_site_facts_t *f = &e->u.site_facts;
        CHECK_STR(f->policy, 1);
        CHECK_STR(f->installer_name, 1);
        CHECK_STR(f->installer_address, 0);
        CHECK_STR(f->installer_contact, 0);
        CHECK_STR(f->purpose, 0);
        CHECK_STR(f->storage_location, 0);
        CHECK_STR(f->consensus_date, 0);
        CHECK_STR(f->land_permission_ref, 0);
        CHECK_STR(f->land_permission_date, 0);
        CHECK_STR(f->manager, 0);
        CHECK_STR(f->manager_name, 0);
        CHECK_STR(f->operators, 0);
        CHECK_STR(f->contractors, 0);
        if (!str_in(f->policy, policies) || !date_ok(f->consensus_date, 0) ||
            !date_ok(f->land_permission_date, 0) || !json_array_ok(f->contractors))
            return MM_EINVAL;
        sf.policy = (char *)f->policy;
        sf.retention_days = f->retention_days;
        sf.registered_retention_days = f->registered_retention_days;
        sf.floor_days = f->floor_days;
        sf.installer_name = (char *)f->installer_name;
        sf.installer_address = (char *)f->installer_address;
        sf.installer_contact = (char *)f->installer_contact;
        sf.purpose = (char *)f->purpose;
        sf.storage_location = (char *)f->storage_location;
        sf.consensus_date = (char *)f->consensus_date;
        sf.land_permission_ref = (char *)f->land_permission_ref;
        sf.land_permission_date = (char *)f->land_permission_date;
        sf.manager = (char *)f->manager;
        sf.manager_name = (char *)f->manager_name;
        sf.operators = (char *)f->operators;
        sf.contractors = (char *)f->contractors;
        sf.cameras = f->cameras;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_SITE_FACTS;
        le.site_facts = &sf;
        break;
    }
    case MM_ENTRY_STANDARDS_FILED: {
        const mm_standards_filed_t *f = &e->u.standards_filed;
        CHECK_STR(f->by, 0);
        if (f->version < 1)
            return MM_EINVAL;
        sd.version = f->version;
        sd.document_hash.data = (uint8_t *)f->document_hash;
        sd.document_hash.len = 32;
        sd.by = (char *)f->by;
        sd.automatic = f->automatic != 0;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_STANDARDS_FILED;
        le.standards_filed = &sd;
        break;
    }
    case MM_ENTRY_DISCLOSURE: {
        const mm_disclosure_t *d = &e->u.disclosure;
        CHECK_STR(d->request, 1);
        CHECK_STR(d->step, 1);
        CHECK_STR(d->by, 0);
        CHECK_STR(d->cameras, 0);
        CHECK_STR(d->legal_basis, 0);
        CHECK_STR(d->reference, 0);
        CHECK_STR(d->requester, 0);
        CHECK_STR(d->text, 0);
        CHECK_STR(d->regions, 0);
        if (!mm_disclosure_step_ok(d->step) ||
            (d->legal_basis[0] && !mm_legal_basis_ok(d->legal_basis)) ||
            !json_array_ok(d->regions) || (d->has_sha256 != 0) != !strcmp(d->step, "exported"))
            return MM_EINVAL;
        ds.request = (char *)d->request;
        ds.step = (char *)d->step;
        ds.by = (char *)d->by;
        ds.cameras = (char *)d->cameras;
        ds.from_us = d->from_us;
        ds.to_us = d->to_us;
        ds.legal_basis = (char *)d->legal_basis;
        ds.reference = (char *)d->reference;
        ds.requester = (char *)d->requester;
        ds.text = (char *)d->text;
        if (d->has_sha256) {
            ds.sha256.data = (uint8_t *)d->sha256;
            ds.sha256.len = 32;
            ds.manifest_sha256.data = (uint8_t *)d->manifest_sha256;
            ds.manifest_sha256.len = 32;
        }
        ds.bytes = d->bytes;
        ds.regions = (char *)d->regions;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_DISCLOSURE;
        le.disclosure = &ds;
        break;
    }
    case MM_ENTRY_CITY_REQUEST: {
        const mm_city_request_entry_t *q = &e->u.city_request;
        CHECK_STR(q->id, 1);
        CHECK_STR(q->kind, 1);
        CHECK_STR(q->camera, 0);
        CHECK_STR(q->text, 0);
        CHECK_STR(q->complaint, 0);
        if (!mm_request_kind_ok(q->kind))
            return MM_EINVAL;
        cq.id = (char *)q->id;
        cq.kind = (char *)q->kind;
        cq.city_time_us = q->city_time_us;
        cq.deadline_us = q->deadline_us;
        cq.camera = (char *)q->camera;
        cq.text = (char *)q->text;
        cq.from_us = q->from_us;
        cq.to_us = q->to_us;
        cq.complaint = (char *)q->complaint;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_CITY_REQUEST;
        le.city_request = &cq;
        break;
    }
    case MM_ENTRY_REQUEST_ANSWERED: {
        const mm_request_answered_t *r = &e->u.request_answered;
        CHECK_STR(r->id, 1);
        CHECK_STR(r->kind, 1);
        CHECK_STR(r->by, 0);
        CHECK_STR(r->text, 0);
        CHECK_STR(r->report, 0);
        CHECK_STR(r->report_signature, 0);
        if (!mm_request_kind_ok(r->kind) || !json_object_ok(r->report))
            return MM_EINVAL;
        ra.id = (char *)r->id;
        ra.kind = (char *)r->kind;
        ra.by = (char *)r->by;
        ra.text = (char *)r->text;
        ra.report = (char *)r->report;
        ra.report_signature = (char *)r->report_signature;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_REQUEST_ANSWERED;
        le.request_answered = &ra;
        break;
    }
    case MM_ENTRY_CITY_ACTION: {
        const mm_city_action_t *a = &e->u.city_action;
        CHECK_STR(a->action, 1);
        CHECK_STR(a->site, 1);
        CHECK_STR(a->subject, 0);
        CHECK_STR(a->person, 1);
        CHECK_STR(a->role, 1);
        CHECK_STR(a->reason, 0);
        CHECK_STR(a->detail, 0);
        if (!json_object_ok(a->detail))
            return MM_EINVAL;
        ca.action = (char *)a->action;
        ca.site = (char *)a->site;
        ca.subject = (char *)a->subject;
        ca.person = (char *)a->person;
        ca.role = (char *)a->role;
        ca.reason = (char *)a->reason;
        ca.detail = (char *)a->detail;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_CITY_ACTION;
        le.city_action = &ca;
        break;
    }
    case MM_ENTRY_CAMERA_FACTS: {
        const mm_camera_facts_t *f = &e->u.camera_facts;
        CHECK_STR(f->camera, 1);
        CHECK_STR(f->location, 1);
        CHECK_STR(f->purpose, 1);
        CHECK_STR(f->install_date, 1);
        CHECK_STR(f->signage_text, 0);
        CHECK_STR(f->signage_checked, 0);
        if (!date_ok(f->install_date, 1) || !date_ok(f->signage_checked, 0))
            return MM_EINVAL;
        cm.camera = (char *)f->camera;
        cm.location = (char *)f->location;
        cm.purpose = (char *)f->purpose;
        cm.install_date = (char *)f->install_date;
        cm.signage_text = (char *)f->signage_text;
        cm.signage_installer_shown = f->signage_installer_shown != 0;
        cm.signage_checked = (char *)f->signage_checked;
        le.kind_case = MIMAMORI__V1__LOG_ENTRY__KIND_CAMERA_FACTS;
        le.camera_facts = &cm;
        break;
    }
    default:
        return MM_EINVAL;
    }
    size_t n = mimamori__v1__log_entry__get_packed_size(&le);
    if (n > MM_LOG_ENTRY_MAX)
        return MM_ETOOBIG;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return MM_ENOMEM;
    mimamori__v1__log_entry__pack(&le, buf);
    *out = buf;
    *len = n;
    return MM_OK;
}

/* Copies a decoded string; -1 when it does not fit (or is empty and must not be). */
static int copy_str(char *dst, size_t cap, const char *src, int nonempty)
{
    size_t n = strlen(src);
    if (n >= cap || (nonempty && n == 0))
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

#define COPY_STR(dst, src, nonempty) copy_str((dst), sizeof(dst), (src), (nonempty))

static int decode_kind(const Mimamori__V1__LogEntry *le, mm_entry_t *out)
{
    switch (le->kind_case) {
    case MIMAMORI__V1__LOG_ENTRY__KIND_SEGMENT_RECORDED: {
        const Mimamori__V1__SegmentRecorded *sr = le->segment_recorded;
        mm_segment_recorded_t *s = &out->u.segment_recorded;
        out->kind = MM_ENTRY_SEGMENT_RECORDED;
        if (!sr || COPY_STR(s->camera, sr->camera, 1) || COPY_STR(s->codec, sr->codec, 0) ||
            sr->content_hash.len != 32)
            return -1;
        s->start_us = sr->start_us;
        s->end_us = sr->end_us;
        s->bytes = sr->bytes;
        s->frames = sr->frames;
        memcpy(s->content_hash, sr->content_hash.data, 32);
        s->recovered = sr->recovered != 0;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_CAMERA_GAP: {
        const Mimamori__V1__CameraGap *g = le->camera_gap;
        mm_camera_gap_t *c = &out->u.camera_gap;
        out->kind = MM_ENTRY_CAMERA_GAP;
        if (!g || COPY_STR(c->camera, g->camera, 1) || COPY_STR(c->reason, g->reason, 0) ||
            g->end_us < g->start_us)
            return -1;
        c->start_us = g->start_us;
        c->end_us = g->end_us;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_CAMERA_UPTIME: {
        const Mimamori__V1__CameraUptime *u = le->camera_uptime;
        mm_camera_uptime_t *c = &out->u.camera_uptime;
        out->kind = MM_ENTRY_CAMERA_UPTIME;
        if (!u || COPY_STR(c->camera, u->camera, 1))
            return -1;
        c->hour_start_us = u->hour_start_us;
        c->recorded_us = u->recorded_us;
        c->gaps = u->gaps;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_SEGMENTS_ERASED: {
        const Mimamori__V1__SegmentsErased *x = le->segments_erased;
        mm_segments_erased_t *c = &out->u.segments_erased;
        out->kind = MM_ENTRY_SEGMENTS_ERASED;
        if (!x || COPY_STR(c->camera, x->camera, 1) || COPY_STR(c->reason, x->reason, 1) ||
            COPY_STR(c->hold_id, x->hold_id, 0) || x->n_content_hashes > MM_ERASED_MAX)
            return -1;
        c->start_us = x->start_us;
        c->end_us = x->end_us;
        c->count = x->count;
        c->bytes = x->bytes;
        c->n_hashes = x->n_content_hashes;
        for (size_t i = 0; i < x->n_content_hashes; i++) {
            if (x->content_hashes[i].len != 32)
                return -1;
            memcpy(c->hashes[i], x->content_hashes[i].data, 32);
        }
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_HOLD_PLACED: {
        const Mimamori__V1__HoldPlaced *h = le->hold_placed;
        mm_hold_placed_t *c = &out->u.hold_placed;
        out->kind = MM_ENTRY_HOLD_PLACED;
        if (!h || COPY_STR(c->hold_id, h->hold_id, 1) || COPY_STR(c->camera, h->camera, 1) ||
            COPY_STR(c->reason, h->reason, 0))
            return -1;
        c->start_us = h->start_us;
        c->end_us = h->end_us;
        c->segments = h->segments;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_HOLD_RELEASED: {
        const Mimamori__V1__HoldReleased *h = le->hold_released;
        mm_hold_released_t *c = &out->u.hold_released;
        out->kind = MM_ENTRY_HOLD_RELEASED;
        if (!h || COPY_STR(c->hold_id, h->hold_id, 1) || COPY_STR(c->reason, h->reason, 0))
            return -1;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_STORAGE_ALARM: {
        const Mimamori__V1__StorageAlarm *a = le->storage_alarm;
        mm_storage_alarm_t *c = &out->u.storage_alarm;
        out->kind = MM_ENTRY_STORAGE_ALARM;
        if (!a || COPY_STR(c->state, a->state, 1) || COPY_STR(c->camera, a->camera, 0) ||
            COPY_STR(c->message, a->message, 0))
            return -1;
        c->free_bytes = a->free_bytes;
        c->total_bytes = a->total_bytes;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_CAMERA_COVERAGE: {
        const Mimamori__V1__CameraCoverage *a = le->camera_coverage;
        mm_camera_coverage_t *c = &out->u.camera_coverage;
        out->kind = MM_ENTRY_CAMERA_COVERAGE;
        if (!a || COPY_STR(c->camera, a->camera, 1) || COPY_STR(c->policy, a->policy, 1) ||
            COPY_STR(c->exception, a->exception, 0) || a->public_ppm > PPM ||
            a->private_ppm > PPM || a->masked_ppm > PPM || a->share_ppm > PPM ||
            a->threshold_ppm > PPM)
            return -1;
        c->public_ppm = a->public_ppm;
        c->private_ppm = a->private_ppm;
        c->masked_ppm = a->masked_ppm;
        c->share_ppm = a->share_ppm;
        c->threshold_ppm = a->threshold_ppm;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_ACCESS: {
        const Mimamori__V1__Access *a = le->access;
        mm_access_t *c = &out->u.access;
        out->kind = MM_ENTRY_ACCESS;
        if (!a || COPY_STR(c->person, a->person, 0) || COPY_STR(c->account, a->account, 1) ||
            COPY_STR(c->role, a->role, 1) || COPY_STR(c->action, a->action, 1) ||
            COPY_STR(c->camera, a->camera, 0) || COPY_STR(c->reason, a->reason, 0) ||
            !str_in(c->role, access_roles))
            return -1;
        c->uid = a->uid;
        c->start_us = a->start_us;
        c->end_us = a->end_us;
        c->allowed = a->allowed != 0;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_ROLE_CHANGED: {
        const Mimamori__V1__RoleChanged *r = le->role_changed;
        mm_role_changed_t *c = &out->u.role_changed;
        out->kind = MM_ENTRY_ROLE_CHANGED;
        if (!r || COPY_STR(c->change, r->change, 1) || COPY_STR(c->person, r->person, 1) ||
            COPY_STR(c->by, r->by, 1) || COPY_STR(c->grant_id, r->grant_id, 0) ||
            COPY_STR(c->actions, r->actions, 0) || COPY_STR(c->cameras, r->cameras, 0) ||
            COPY_STR(c->reason, r->reason, 0) || !str_in(c->change, role_changes))
            return -1;
        c->until_us = r->until_us;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_EMERGENCY_REPORT: {
        const Mimamori__V1__EmergencyReport *r = le->emergency_report;
        mm_emergency_report_t *c = &out->u.emergency_report;
        out->kind = MM_ENTRY_EMERGENCY_REPORT;
        if (!r || COPY_STR(c->grant_id, r->grant_id, 1) || COPY_STR(c->person, r->person, 1) ||
            COPY_STR(c->text, r->text, 1))
            return -1;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_VIEWING: {
        const Mimamori__V1__Viewing *v = le->viewing;
        mm_viewing_t *c = &out->u.viewing;
        out->kind = MM_ENTRY_VIEWING;
        if (!v || COPY_STR(c->state, v->state, 1) || COPY_STR(c->session, v->session, 1) ||
            COPY_STR(c->person, v->person, 1) || COPY_STR(c->camera, v->camera, 1) ||
            COPY_STR(c->reason, v->reason, 0) || !str_in(c->state, viewing_states))
            return -1;
        c->start_us = v->start_us;
        c->end_us = v->end_us;
        c->bytes = v->bytes;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_CAMERA_STATE: {
        const Mimamori__V1__CameraState *s = le->camera_state;
        mm_camera_state_t *c = &out->u.camera_state;
        out->kind = MM_ENTRY_CAMERA_STATE;
        if (!s || COPY_STR(c->camera, s->camera, 1) || COPY_STR(c->state, s->state, 1) ||
            COPY_STR(c->by, s->by, 1) || COPY_STR(c->reason, s->reason, 0) ||
            !str_in(c->state, camera_states))
            return -1;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_CONFIGURATION_CHANGED: {
        const Mimamori__V1__ConfigurationChanged *f = le->configuration_changed;
        mm_configuration_changed_t *c = &out->u.configuration_changed;
        out->kind = MM_ENTRY_CONFIGURATION_CHANGED;
        if (!f || COPY_STR(c->policy, f->policy, 1) || COPY_STR(c->summary, f->summary, 0) ||
            f->version < 1 || f->document_hash.len != 32 || f->config_hash.len != 32)
            return -1;
        c->version = f->version;
        memcpy(c->document_hash, f->document_hash.data, 32);
        memcpy(c->config_hash, f->config_hash.data, 32);
        c->cameras = f->cameras;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_SITE_FACTS: {
        const Mimamori__V1__SiteFacts *f = le->site_facts;
        mm_site_facts_t *c = &out->u.site_facts;
        out->kind = MM_ENTRY_SITE_FACTS;
        if (!f || COPY_STR(c->policy, f->policy, 1) ||
            COPY_STR(c->installer_name, f->installer_name, 1) ||
            COPY_STR(c->installer_address, f->installer_address, 0) ||
            COPY_STR(c->installer_contact, f->installer_contact, 0) ||
            COPY_STR(c->purpose, f->purpose, 0) ||
            COPY_STR(c->storage_location, f->storage_location, 0) ||
            COPY_STR(c->consensus_date, f->consensus_date, 0) ||
            COPY_STR(c->land_permission_ref, f->land_permission_ref, 0) ||
            COPY_STR(c->land_permission_date, f->land_permission_date, 0) ||
            COPY_STR(c->manager, f->manager, 0) || COPY_STR(c->manager_name, f->manager_name, 0) ||
            COPY_STR(c->operators, f->operators, 0) ||
            COPY_STR(c->contractors, f->contractors, 0) || !str_in(c->policy, policies) ||
            !date_ok(c->consensus_date, 0) || !date_ok(c->land_permission_date, 0) ||
            !json_array_ok(c->contractors))
            return -1;
        c->retention_days = f->retention_days;
        c->registered_retention_days = f->registered_retention_days;
        c->floor_days = f->floor_days;
        c->cameras = f->cameras;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_STANDARDS_FILED: {
        const Mimamori__V1__StandardsFiled *f = le->standards_filed;
        mm_standards_filed_t *c = &out->u.standards_filed;
        out->kind = MM_ENTRY_STANDARDS_FILED;
        if (!f || f->version < 1 || f->document_hash.len != 32 || COPY_STR(c->by, f->by, 0))
            return -1;
        c->version = f->version;
        memcpy(c->document_hash, f->document_hash.data, 32);
        c->automatic = f->automatic != 0;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_DISCLOSURE: {
        const Mimamori__V1__Disclosure *d = le->disclosure;
        mm_disclosure_t *c = &out->u.disclosure;
        out->kind = MM_ENTRY_DISCLOSURE;
        if (!d || COPY_STR(c->request, d->request, 1) || COPY_STR(c->step, d->step, 1) ||
            COPY_STR(c->by, d->by, 0) || COPY_STR(c->cameras, d->cameras, 0) ||
            COPY_STR(c->legal_basis, d->legal_basis, 0) ||
            COPY_STR(c->reference, d->reference, 0) || COPY_STR(c->requester, d->requester, 0) ||
            COPY_STR(c->text, d->text, 0) || COPY_STR(c->regions, d->regions, 0) ||
            !mm_disclosure_step_ok(c->step) ||
            (c->legal_basis[0] && !mm_legal_basis_ok(c->legal_basis)) || !json_array_ok(c->regions))
            return -1;
        int exported = !strcmp(c->step, "exported");
        if (exported != (d->sha256.len == 32) || (d->sha256.len != 0 && d->sha256.len != 32) ||
            d->manifest_sha256.len != d->sha256.len)
            return -1;
        c->has_sha256 = exported;
        if (exported) {
            memcpy(c->sha256, d->sha256.data, 32);
            memcpy(c->manifest_sha256, d->manifest_sha256.data, 32);
        }
        c->from_us = d->from_us;
        c->to_us = d->to_us;
        c->bytes = d->bytes;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_CITY_REQUEST: {
        const Mimamori__V1__CityRequestReceived *q = le->city_request;
        mm_city_request_entry_t *c = &out->u.city_request;
        out->kind = MM_ENTRY_CITY_REQUEST;
        if (!q || COPY_STR(c->id, q->id, 1) || COPY_STR(c->kind, q->kind, 1) ||
            COPY_STR(c->camera, q->camera, 0) || COPY_STR(c->text, q->text, 0) ||
            COPY_STR(c->complaint, q->complaint, 0) || !mm_request_kind_ok(c->kind))
            return -1;
        c->city_time_us = q->city_time_us;
        c->deadline_us = q->deadline_us;
        c->from_us = q->from_us;
        c->to_us = q->to_us;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_REQUEST_ANSWERED: {
        const Mimamori__V1__RequestAnswered *r = le->request_answered;
        mm_request_answered_t *c = &out->u.request_answered;
        out->kind = MM_ENTRY_REQUEST_ANSWERED;
        if (!r || COPY_STR(c->id, r->id, 1) || COPY_STR(c->kind, r->kind, 1) ||
            COPY_STR(c->by, r->by, 0) || COPY_STR(c->text, r->text, 0) ||
            COPY_STR(c->report, r->report, 0) ||
            COPY_STR(c->report_signature, r->report_signature, 0) || !mm_request_kind_ok(c->kind) ||
            !json_object_ok(c->report))
            return -1;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_CITY_ACTION: {
        const Mimamori__V1__CityAction *a = le->city_action;
        mm_city_action_t *c = &out->u.city_action;
        out->kind = MM_ENTRY_CITY_ACTION;
        if (!a || COPY_STR(c->action, a->action, 1) || COPY_STR(c->site, a->site, 1) ||
            COPY_STR(c->subject, a->subject, 0) || COPY_STR(c->person, a->person, 1) ||
            COPY_STR(c->role, a->role, 1) || COPY_STR(c->reason, a->reason, 0) ||
            COPY_STR(c->detail, a->detail, 0) || !json_object_ok(c->detail))
            return -1;
        return 0;
    }
    case MIMAMORI__V1__LOG_ENTRY__KIND_CAMERA_FACTS: {
        const Mimamori__V1__CameraFacts *f = le->camera_facts;
        mm_camera_facts_t *c = &out->u.camera_facts;
        out->kind = MM_ENTRY_CAMERA_FACTS;
        if (!f || COPY_STR(c->camera, f->camera, 1) || COPY_STR(c->location, f->location, 1) ||
            COPY_STR(c->purpose, f->purpose, 1) || COPY_STR(c->install_date, f->install_date, 1) ||
            COPY_STR(c->signage_text, f->signage_text, 0) ||
            COPY_STR(c->signage_checked, f->signage_checked, 0) || !date_ok(c->install_date, 1) ||
            !date_ok(c->signage_checked, 0))
            return -1;
        c->signage_installer_shown = f->signage_installer_shown != 0;
        return 0;
    }
    default:
        return -1;
    }
}

mm_err_t mm_entry_decode(const void *buf, size_t len, mm_entry_t *out)
{
    if (len > MM_LOG_ENTRY_MAX)
        return MM_ETOOBIG;
    /* Strings with NUL or bad UTF-8, malformed or oversized encodings: refused before unpack. */
    if (mm_pb_check(&mimamori__v1__log_entry__descriptor, buf, len, ENTRY_REPEATED_MAX) != MM_OK)
        return MM_EPROTO;
    Mimamori__V1__LogEntry *le = mimamori__v1__log_entry__unpack(NULL, len, buf);
    if (!le)
        return MM_EPROTO;
    memset(out, 0, sizeof *out);
    out->time_us = le->time_us;
    mm_err_t err = decode_kind(le, out) == 0 ? MM_OK : MM_EPROTO;
    mimamori__v1__log_entry__free_unpacked(le, NULL);
    return err;
}

const char *mm_entry_kind_name(mm_entry_kind_t kind)
{
    switch (kind) {
    case MM_ENTRY_SEGMENT_RECORDED:
        return "segment_recorded";
    case MM_ENTRY_CAMERA_GAP:
        return "camera_gap";
    case MM_ENTRY_CAMERA_UPTIME:
        return "camera_uptime";
    case MM_ENTRY_SEGMENTS_ERASED:
        return "segments_erased";
    case MM_ENTRY_HOLD_PLACED:
        return "hold_placed";
    case MM_ENTRY_HOLD_RELEASED:
        return "hold_released";
    case MM_ENTRY_STORAGE_ALARM:
        return "storage_alarm";
    case MM_ENTRY_CAMERA_COVERAGE:
        return "camera_coverage";
    case MM_ENTRY_ACCESS:
        return "access";
    case MM_ENTRY_ROLE_CHANGED:
        return "role_changed";
    case MM_ENTRY_EMERGENCY_REPORT:
        return "emergency_report";
    case MM_ENTRY_VIEWING:
        return "viewing";
    case MM_ENTRY_CAMERA_STATE:
        return "camera_state";
    case MM_ENTRY_CONFIGURATION_CHANGED:
        return "configuration_changed";
    case MM_ENTRY_SITE_FACTS:
        return "site_facts";
    case MM_ENTRY_CAMERA_FACTS:
        return "camera_facts";
    case MM_ENTRY_CITY_ACTION:
        return "city_action";
    case MM_ENTRY_CITY_REQUEST:
        return "city_request";
    case MM_ENTRY_STANDARDS_FILED:
        return "standards_filed";
    case MM_ENTRY_DISCLOSURE:
        return "disclosure";
    case MM_ENTRY_REQUEST_ANSWERED:
        return "request_answered";
    }
    return "unknown";
}

/* JSON of one scalar or message field at member. */
static json_t *field_json(const ProtobufCFieldDescriptor *f, const void *member);

static json_t *message_json(const ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)m;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which = *(const uint32_t *)(base + f->quantifier_offset);
            if (which != f->id)
                continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            const char *arr = *(char *const *)(base + f->offset);
            size_t sz = 0;
            switch (f->type) {
            case PROTOBUF_C_TYPE_INT32:
            case PROTOBUF_C_TYPE_UINT32:
            case PROTOBUF_C_TYPE_ENUM:
            case PROTOBUF_C_TYPE_SINT32:
            case PROTOBUF_C_TYPE_FIXED32:
            case PROTOBUF_C_TYPE_SFIXED32:
            case PROTOBUF_C_TYPE_FLOAT:
                sz = 4;
                break;
            case PROTOBUF_C_TYPE_BOOL:
                sz = sizeof(protobuf_c_boolean);
                break;
            case PROTOBUF_C_TYPE_STRING:
            case PROTOBUF_C_TYPE_MESSAGE:
                sz = sizeof(void *);
                break;
            case PROTOBUF_C_TYPE_BYTES:
                sz = sizeof(ProtobufCBinaryData);
                break;
            default:
                sz = 8;
            }
            json_t *a = json_array();
            for (size_t k = 0; a && k < n; k++)
                json_array_append_new(a, field_json(f, arr + k * sz));
            json_object_set_new(o, f->name, a ? a : json_null());
            continue;
        }
        json_t *v = field_json(f, base + f->offset);
        json_object_set_new(o, f->name, v ? v : json_null());
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF && f->type == PROTOBUF_C_TYPE_MESSAGE)
            json_object_set_new(o, "type", json_string(f->name));
    }
    return o;
}

static json_t *field_json(const ProtobufCFieldDescriptor *f, const void *member)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)member);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)member);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer(*(const int64_t *)member);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        /* JSON integers here are signed 64-bit; larger values go as strings. */
        uint64_t u = *(const uint64_t *)member;
        if (u > INT64_MAX) {
            char buf[24];
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)u);
            return json_string(buf);
        }
        return json_integer((json_int_t)u);
    }
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)member);
    case PROTOBUF_C_TYPE_FLOAT:
        return json_real(*(const float *)member);
    case PROTOBUF_C_TYPE_DOUBLE:
        return json_real(*(const double *)member);
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *ed = f->descriptor;
        const ProtobufCEnumValue *ev =
            protobuf_c_enum_descriptor_get_value(ed, *(const int *)member);
        return ev ? json_string(ev->name) : json_integer(*(const int *)member);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)member;
        return s ? json_string(s) : json_string("");
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = member;
        char *hex = malloc(b->len * 2 + 1);
        if (!hex)
            return NULL;
        json_t *j =
            mm_hex_encode(b->data, b->len, hex, b->len * 2 + 1) == MM_OK ? json_string(hex) : NULL;
        free(hex);
        return j;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)member;
        return m ? message_json(m) : json_null();
    }
    }
    return json_null();
}

json_t *mm_entry_to_json(const void *buf, size_t len)
{
    mm_entry_t check;
    if (mm_entry_decode(buf, len, &check) != MM_OK)
        return NULL;
    Mimamori__V1__LogEntry *le = mimamori__v1__log_entry__unpack(NULL, len, buf);
    if (!le)
        return NULL;
    json_t *j = message_json(&le->base);
    mimamori__v1__log_entry__free_unpacked(le, NULL);
    return j;
}
