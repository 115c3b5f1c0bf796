/*
 * requests.c: what the city asks of a site (see requests.h).
 *
 * The four kinds of request differ only in their fields, their id's prefix and their city
 * action, so one transaction makes them all: it adds the request to the site's record (or the
 * appeal to its complaint) and then appends the city action, whose subject is the id that only
 * the transaction can give. Its fields are built before the transaction, in the order the API has
 * always answered with; the transaction adds "id", "kind", "state" (and "complaint"), and may
 * run again when the map grows, so it only ever sets members, which keeps their order.
 */
#include "hub/requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"

#define DAY_US (86400LL * 1000000)
#define COMPLAINT_DAYS 14 /* a site answers a complaint within two weeks (R-N12) */

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
    int appeal;             /* an appeal: fields go into target's "appeal" */
    mm_request_kind_t kind; /* else the new request's kind */
    const char *target;     /* appeal, complaint measure: the complaint acted on */
    json_t *fields;         /* the request's fields (owned) */
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

static mm_err_t add_request(json_t *rec, void *arg)
{
    make_t *c = arg;
    json_t *reqs = json_object_get(rec, "requests");
    if (!reqs) {
        reqs = json_object();
        json_object_set_new(rec, "requests", reqs);
    }
    if (c->target) {
        json_t *t = json_object_get(reqs, c->target);
        mm_request_kind_t tk;
        if (!t || !mm_request_kind_parse(json_string_value(json_object_get(t, "kind")), &tk) ||
            tk != MM_REQUEST_KIND_COMPLAINT) {
            c->out->why = "no such complaint";
            return MM_ENOTFOUND;
        }
        if (c->appeal) { /* an appeal to the mayor (R-N12.2) */
            if (json_object_get(t, "appeal")) {
                c->out->why = "the complaint has been appealed already";
                return MM_ECONFLICT;
            }
            json_object_set(t, "appeal", c->fields);
            snprintf(c->out->id, sizeof c->out->id, "%s", c->target);
            return MM_OK;
        }
    }
    snprintf(c->out->id, sizeof c->out->id, "%s-%zu", id_prefix(c->kind),
             json_object_size(reqs) + 1);
    json_object_set_new(c->fields, "id", json_string(c->out->id));
    json_object_set_new(c->fields, "kind", json_string(mm_request_kind_name(c->kind)));
    json_object_set_new(c->fields, "state", json_string("pending"));
    if (c->target)
        json_object_set_new(c->fields, "complaint", json_string(c->target));
    json_object_set(reqs, c->out->id, c->fields);
    return MM_OK;
}

static mm_err_t make_txn(MDB_txn *txn, void *arg)
{
    make_t *c = arg;
    mm_err_t err = hub_registry_update_in(c->q->registry, txn, c->site, add_request, c);
    const char *text = json_string_value(json_object_get(c->fields, "text"));
    hub_city_action_t a = {.action = c->action,
                           .time_us = c->now_us,
                           .site = c->site,
                           .subject = c->out->id,
                           .person = c->who->id,
                           .role = hub_role_name(c->who->role),
                           .reason = text};
    if (err == MM_OK)
        err = hub_audit_append_in(c->q->audit, txn, &a, &c->out->hub_log_index);
    return err;
}

/* Makes the request c (its fields and everything but the answer set), and frees its fields. */
static mm_err_t make(make_t *c)
{
    hub_request_made_t *out = c->out;
    memset(out, 0, sizeof *out);
    if (!c->fields)
        return MM_ENOMEM;
    json_object_set_new(c->fields, "by", json_string(c->who->id));
    json_object_set_new(c->fields, "time_us", json_integer((json_int_t)c->now_us));
    mm_err_t err = hub_audit_write(c->q->audit, make_txn, c);
    if (err == MM_OK)
        out->request = json_incref(c->fields);
    json_decref(c->fields);
    return err;
}

mm_err_t hub_requests_complaint(hub_requests_t *q, const hub_person_t *who,
                                const hub_complaint_body_t *b, int64_t now_us,
                                hub_request_made_t *out)
{
    make_t c = {.q = q,
                .site = b->site,
                .action = HUB_ACTION_COMPLAINT_REGISTERED,
                .kind = MM_REQUEST_KIND_COMPLAINT,
                .fields = json_pack("{s:s, s:s, s:s, s:s, s:I}", "camera", b->camera, "text",
                                    b->text, "contact", b->contact, "via", b->via, "deadline_us",
                                    (json_int_t)(now_us + COMPLAINT_DAYS * DAY_US)),
                .who = who,
                .now_us = now_us,
                .out = out};
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
                .fields = json_pack("{s:s, s:I}", "text", b->text, "time_us", (json_int_t)now_us),
                .who = who,
                .now_us = now_us,
                .out = out};
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
                .fields = json_pack("{s:s, s:I}", "text", b->text, "deadline_us",
                                    (json_int_t)(now_us + b->deadline_days * DAY_US)),
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
                .fields =
                    json_pack("{s:s, s:I, s:I, s:I}", "text", b->text, "from_us",
                              (json_int_t)b->from_us, "to_us", (json_int_t)b->to_us, "deadline_us",
                              (json_int_t)(now_us + b->deadline_days * DAY_US)),
                .who = who,
                .now_us = now_us,
                .out = out};
    return make(&c);
}

json_t *hub_requests_list(hub_requests_t *q, const hub_site_conf_t *site)
{
    json_t *rec = hub_registry_get(q->registry, site->id);
    if (!rec)
        return NULL;
    json_t *list = json_array();
    const char *id;
    json_t *r;
    json_object_foreach(json_object_get(rec, "requests"), id, r)
    {
        json_t *ans = json_object_get(r, "answer");
        const char *report = json_string_value(json_object_get(ans, "report"));
        const char *sig = json_string_value(json_object_get(ans, "report_signature"));
        if (report && *report) {
            uint8_t raw[128];
            int n = sig ? mm_base64_decode(sig, strlen(sig), raw, sizeof raw) : -1;
            int ok = n == 64 &&
                     mm_ed25519_verify(site->verifier.pub, report, strlen(report), raw) == MM_OK;
            json_object_set_new(ans, "report_signature_valid", json_boolean(ok));
        }
        json_array_append(list, r);
    }
    json_decref(rec);
    return list;
}
