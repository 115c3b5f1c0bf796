/*
 * requests.c: what the city asks of a site (see requests.h).
 *
 * The four kinds of request differ only in their fields, their id's prefix and their city
 * action, so one transaction makes them all: it adds the request to the site's record (or the
 * appeal to its complaint) and then appends the city action, whose subject is the id that only
 * the transaction can give. Its fields are set before the transaction; the transaction adds its
 * id, kind, state (and complaint), and may run again when the map grows, so it only ever sets
 * them. The order in which the record and the API show a kind's members is registry_codec.c's.
 */
#include "hub/requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"

#define DAY_US (86400LL * 1000000)

struct hub_requests {
    hub_registry_t *registry;
    hub_audit_t *audit;
};

mm_err_t hub_requests_create(hub_registry_t *registry, hub_audit_t *audit, hub_requests_t **out)
{
    hub_requests_t *q = calloc(1, sizeof *q);
    if (!q)
        return MM_ENOMEM;
    q->registry = registry;
    q->audit = audit;
    *out = q;
    return MM_OK;
}

void hub_requests_destroy(hub_requests_t *q)
{
    free(q);
}

/* One request being made. */
typedef struct {
    hub_requests_t *q;
    const char *site;
    hub_action_t action;
    int appeal;             /* an appeal: appeal goes to the complaint target */
    mm_request_kind_t kind; /* else the new request's kind */
    const char *target;     /* appeal, complaint measure: the complaint acted on */
    hub_request_t *fields;  /* a new request's fields (owned) */
    hub_appeal_t appeal_of; /* an appeal's */
    const hub_person_t *who;
    int64_t now_us;
    hub_request_made_t *out;
} make_t;

static const char *id_prefix(mm_request_kind_t kind)
{
    switch (kind) {
    case MM_REQUEST_KIND_COMPLAINT:
        return "complaint";
    case MM_REQUEST_KIND_COMPLAINT_MEASURE:
        return "measure-request";
    default:
        return "report";
    }
}

/* An appeal of the complaint c->target received at the site (R-N12(2)). */
static mm_err_t add_site_appeal(hub_site_complaint_t *t, make_t *c)
{
    if (hub_members_has(&t->members, HUB_SITE_COMPLAINT_APPEAL)) {
        c->out->why = "the complaint has been appealed already";
        return MM_ECONFLICT;
    }
    t->appeal = c->appeal_of;
    hub_members_add(&t->members, HUB_SITE_COMPLAINT_APPEAL);
    snprintf(c->out->id, sizeof c->out->id, "%s", c->target);
    c->out->request.appeal = t->appeal;
    c->out->appeal = 1;
    return MM_OK;
}

/* An appeal of the complaint c->target. */
static mm_err_t add_appeal(hub_request_t *t, make_t *c)
{
    if (hub_members_has(&t->members, HUB_REQUEST_APPEAL)) {
        c->out->why = "the complaint has been appealed already";
        return MM_ECONFLICT;
    }
    t->appeal = c->appeal_of;
    hub_members_add(&t->members, HUB_REQUEST_APPEAL);
    snprintf(c->out->id, sizeof c->out->id, "%s", c->target);
    c->out->request = *t;
    c->out->appeal = 1;
    return MM_OK;
}

static mm_err_t add_request(hub_site_record_t *rec, void *arg)
{
    make_t *c = arg;
    if (c->target) {
        hub_request_t *t = hub_site_record_request(rec, c->target);
        hub_site_complaint_t *sc =
            c->appeal && !t ? hub_site_record_site_complaint(rec, c->target, 0) : NULL;
        if (sc)
            return add_site_appeal(sc, c);
        if (!t || t->kind != MM_REQUEST_KIND_COMPLAINT) {
            c->out->why = "no such complaint";
            return MM_ENOTFOUND;
        }
        if (c->appeal) /* an appeal to the mayor (R-N12.2) */
            return add_appeal(t, c);
    }
    snprintf(c->out->id, sizeof c->out->id, "%s-%zu", id_prefix(c->kind), rec->n_requests + 1);
    hub_request_t *q = hub_site_record_request(rec, c->out->id);
    if (!q && !(q = hub_site_record_add_request(rec)))
        return MM_ENOMEM;
    *q = *c->fields;
    snprintf(q->id, sizeof q->id, "%s", c->out->id);
    q->kind = c->kind;
    q->state = HUB_REQUEST_STATE_PENDING;
    if (c->target)
        snprintf(q->complaint, sizeof q->complaint, "%s", c->target);
    c->out->request = *q;
    return MM_OK;
}

static mm_err_t make_txn(MDB_txn *txn, void *arg)
{
    make_t *c = arg;
    mm_err_t err = hub_registry_update_in(c->q->registry, txn, c->site, add_request, c);
    hub_city_action_t a = {.action = c->action,
                           .time_us = c->now_us,
                           .site = c->site,
                           .subject = c->out->id,
                           .person = c->who ? c->who->id : HUB_REQUESTS_PUBLIC,
                           .role = c->who ? hub_role_name(c->who->role) : HUB_REQUESTS_PUBLIC,
                           .reason = c->appeal ? c->appeal_of.text : c->fields->text};
    if (err == MM_OK)
        err = hub_audit_append_in(c->q->audit, txn, &a, &c->out->hub_log_index);
    return err;
}

/* Makes the request c (its fields and everything but the answer set), and frees its fields. */
static mm_err_t make(make_t *c)
{
    hub_request_made_t *out = c->out;
    memset(out, 0, sizeof *out);
    mm_err_t err = MM_ENOMEM;
    if (c->appeal || c->fields) {
        hub_appeal_t *a = &c->appeal_of;
        snprintf(c->appeal ? a->by : c->fields->by, sizeof a->by, "%s",
                 c->who ? c->who->id : HUB_REQUESTS_PUBLIC);
        if (c->appeal)
            a->time_us = c->now_us;
        else
            c->fields->time_us = c->now_us;
        err = hub_audit_write(c->q->audit, make_txn, c);
    }
    if (err != MM_OK)
        memset(&out->request, 0, sizeof out->request);
    free(c->fields);
    return err;
}

/* A new request's fields, zeroed, with its text and deadline; NULL when out of memory. */
static hub_request_t *fields(const char *text, int64_t deadline_us)
{
    hub_request_t *f = calloc(1, sizeof *f);
    if (f) {
        snprintf(f->text, sizeof f->text, "%s", text);
        f->deadline_us = deadline_us;
    }
    return f;
}

mm_err_t hub_requests_complaint(hub_requests_t *q, const hub_person_t *who,
                                const hub_complaint_body_t *b, int64_t now_us,
                                hub_request_made_t *out)
{
    make_t c = {.q = q,
                .site = b->site,
                .action = HUB_ACTION_COMPLAINT_REGISTERED,
                .kind = MM_REQUEST_KIND_COMPLAINT,
                .fields = fields(b->text, now_us + HUB_COMPLAINT_DAYS * DAY_US),
                .who = who,
                .now_us = now_us,
                .out = out};
    if (c.fields) {
        snprintf(c.fields->camera, sizeof c.fields->camera, "%s", b->camera);
        snprintf(c.fields->contact, sizeof c.fields->contact, "%s", b->contact);
        c.fields->via = b->via;
    }
    return make(&c);
}

mm_err_t hub_requests_appeal(hub_requests_t *q, const hub_person_t *who, const char *site,
                             const char *complaint, const hub_request_body_t *b, int64_t now_us,
                             hub_request_made_t *out)
{
    make_t c = {.q = q,
                .site = site,
                .action = HUB_ACTION_COMPLAINT_APPEALED,
                .appeal = 1,
                .target = complaint ? complaint : "",
                .who = who,
                .now_us = now_us,
                .out = out};
    snprintf(c.appeal_of.text, sizeof c.appeal_of.text, "%s", b->text);
    return make(&c);
}

mm_err_t hub_requests_measures(hub_requests_t *q, const hub_person_t *who, const char *site,
                               const char *complaint, const hub_request_body_t *b, int64_t now_us,
                               hub_request_made_t *out)
{
    make_t c = {.q = q,
                .site = site,
                .action = HUB_ACTION_MEASURES_REQUESTED,
                .kind = MM_REQUEST_KIND_COMPLAINT_MEASURE,
                .target = complaint ? complaint : "",
                .fields = fields(b->text, now_us + b->deadline_days * DAY_US),
                .who = who,
                .now_us = now_us,
                .out = out};
    return make(&c);
}

mm_err_t hub_requests_report(hub_requests_t *q, const hub_person_t *who, const char *site,
                             const hub_request_body_t *b, int64_t now_us, hub_request_made_t *out)
{
    make_t c = {.q = q,
                .site = site,
                .action = HUB_ACTION_REPORT_REQUESTED,
                .kind = MM_REQUEST_KIND_REPORT_REQUEST,
                .fields = fields(b->text, now_us + b->deadline_days * DAY_US),
                .who = who,
                .now_us = now_us,
                .out = out};
    if (c.fields) {
        c.fields->from_us = b->from_us;
        c.fields->to_us = b->to_us;
    }
    return make(&c);
}

int hub_requests_report_valid(const hub_site_conf_t *site, const hub_request_t *q)
{
    const mm_request_answered_t *a = &q->answer;
    if (!hub_members_has(&q->members, HUB_REQUEST_ANSWER) || !a->report[0])
        return -1;
    uint8_t raw[128];
    int n = mm_base64_decode(a->report_signature, strlen(a->report_signature), raw, sizeof raw);
    return n == 64 &&
           mm_ed25519_verify(site->verifier.pub, a->report, strlen(a->report), raw) == MM_OK;
}
