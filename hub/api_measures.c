/*
 * api_measures.c: measures (api_impl.h) — guidance and recommendations on a site's findings,
 * the hearing offered on a recommendation and its outcome, publication (R-N10.2, R-N11), the
 * site's measures, and the public list of what has been published.
 *
 * The measures module keeps the ordinance's order and logs each step (measures.h); a refusal
 * comes back with its reason, which is the answer's message. Only the findings a measure names
 * are checked here, against the site's findings, because they are the request's to get right.
 */
#include "hub/api_impl.h"

#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "hub/apibody.h"
#include "common/httpparse.h"
#include "hub/measures_codec.h"

typedef enum { CREATE, HEARING, PUBLISH } step_t;

/* Answers a measure step's outcome: the measure as it now is, or why not. */
static void answer(hub_http_req_t *req, step_t step, mm_err_t err, hub_measure_op_t *op)
{
    if (err == MM_OK) {
        json_t *o = hub_measure_json(&op->result);
        if (!o) {
            hub_http_error(req, 500, "internal", "out of memory");
            return;
        }
        json_object_set_new(o, "hub_log_index", json_integer((json_int_t)op->hub_log_index));
        if (op->notice[0]) /* the notice that tells the site (notices.h) */
            json_object_set_new(o, "notice", json_string(op->notice));
        hub_http_json(req, step == CREATE ? 201 : 200, o);
    } else if (err == MM_ENOTFOUND) {
        hub_http_error(req, 404, "unknown_measure", "%s", op->why);
    } else if (err == MM_ECONFLICT) {
        hub_http_error(req, 409, step == PUBLISH ? "hearing_required" : "conflict", "%s", op->why);
    } else if (err == MM_EINVAL && step == HEARING) {
        hub_http_error(req, 422, "hearing_incomplete", "%s", op->why);
    } else if (err == MM_EINVAL) {
        hub_http_error(req, 400, "bad_body", "%s", op->why);
    } else {
        hub_http_error(req, 500, "storage", "cannot record it: %s", mm_strerror(err));
    }
}

/* The measure named in the path, or -1 once a 404 has been answered. */
static int measure_id(hub_http_req_t *req, uint64_t *id)
{
    const char *s = hub_http_param(req, "id");
    if (!s || mm_http_parse_u64(s, id) != 0 || *id == 0) {
        hub_http_error(req, 404, "unknown_measure", "no measure \"%.32s\"", s ? s : "");
        return -1;
    }
    return 0;
}

/* Whether every finding b names is one of site's; else 0 once a 400 has been answered. A
 * store that cannot be read checks nothing: the measure is the city's to give. */
static int findings_of_site(hub_http_req_t *req, hub_api_t *api, const char *site,
                            const hub_measure_body_t *b)
{
    for (size_t i = 0; i < b->n_findings; i++) {
        hub_finding_t f;
        mm_err_t err = hub_findings_get(api->findings, b->findings[i], &f);
        int ok = err != MM_OK && err != MM_ENOTFOUND; /* unreadable: not checked */
        ok |= err == MM_OK && !strcmp(f.site, site);
        hub_finding_deinit(&f);
        if (!ok) {
            hub_http_error(req, 400, "unknown_finding", "site %s has no finding %llu", site,
                           (unsigned long long)b->findings[i]);
            return 0;
        }
    }
    return 1;
}

static void post_measure(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = hub_api_site(req, api);
    if (!site)
        return;
    hub_measure_body_t *b = hub_api_body_alloc(req, sizeof *b);
    if (!b)
        return;
    size_t len;
    const char *body = hub_http_body(req, &len);
    char msg[256];
    if (hub_body_measure(body, len, b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
    } else if (findings_of_site(req, api, site, b)) {
        hub_measure_op_t op = {.site = site, .who = hub_http_caller(req), .now_us = mm_now_us()};
        mm_err_t err =
            hub_measures_create(api->measures, &op, b->kind, b->findings, b->n_findings, b->text);
        answer(req, CREATE, err, &op);
    }
    free(b);
}

static void post_hearing(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = hub_api_site(req, api);
    uint64_t id;
    if (!site || measure_id(req, &id) != 0)
        return;
    hub_hearing_body_t *b = hub_api_body_alloc(req, sizeof *b);
    if (!b)
        return;
    size_t len;
    const char *body = hub_http_body(req, &len);
    char msg[256];
    mm_err_t perr = hub_body_hearing(body, len, b, msg, sizeof msg);
    if (perr == MM_EINVAL) { /* well formed, but an offer without its date, place or how */
        hub_http_error(req, 422, "hearing_incomplete", "%s", msg);
    } else if (perr != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
    } else {
        hub_measure_op_t op = {
            .site = site, .who = hub_http_caller(req), .now_us = mm_now_us(), .id = id};
        hub_hearing_offer_t offer = {b->deadline, b->date, b->place, b->how, b->text};
        mm_err_t err = b->offer
                           ? hub_measures_offer_hearing(api->measures, &op, &offer)
                           : hub_measures_record_hearing(api->measures, &op, b->outcome, b->text);
        answer(req, HEARING, err, &op);
    }
    free(b);
}

static void post_publication(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = hub_api_site(req, api);
    uint64_t id;
    if (!site || measure_id(req, &id) != 0)
        return;
    hub_publication_body_t *b = hub_api_body_alloc(req, sizeof *b);
    if (!b)
        return;
    size_t len;
    const char *body = hub_http_body(req, &len);
    char msg[256];
    if (hub_body_publication(body, len, b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
    } else {
        hub_measure_op_t op = {
            .site = site, .who = hub_http_caller(req), .now_us = mm_now_us(), .id = id};
        answer(req, PUBLISH, hub_measures_publish(api->measures, &op, b->text), &op);
    }
    free(b);
}

static int add_measure(void *arg, const hub_measure_t *measure)
{
    json_t *o = hub_measure_json(measure);
    return !o || json_array_append_new(arg, o) != 0;
}

static void get_measures(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = hub_api_site(req, api);
    if (!site)
        return;
    json_t *list = json_array();
    if (!list || hub_measures_each(api->measures, site, 0, add_measure, list) != MM_OK) {
        json_decref(list);
        hub_http_error(req, 500, "storage", "cannot read the measures");
        return;
    }
    hub_http_json(req, 200, json_pack("{s:s, s:o}", "site", site, "measures", list));
}

/* A published measure as the public list shows it: the recommendation, the hearing's outcome,
 * the publication (each null when there is none). */
static int add_publication(void *arg, const hub_measure_t *m)
{
    const hub_hearing_t *h = &m->hearing;
    json_t *o = json_pack(
        "{s:s, s:s, s:o, s:o, s:o}", "site", m->site, "recommendation", m->text, "hearing_outcome",
        m->has_hearing && h->heard ? json_string(hub_hearing_outcome_name(h->outcome))
                                   : json_null(),
        "publication", m->published ? json_string(m->publication) : json_null(), "published_us",
        m->published ? json_integer(m->published_us) : json_null());
    return !o || json_array_append_new(arg, o) != 0;
}

/* What the city has published (R-N11): the recommendation, the hearing, the publication. */
static void get_publications(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    json_t *out = json_array();
    if (!out || hub_measures_each(api->measures, NULL, 1, add_publication, out) != MM_OK) {
        json_decref(out);
        hub_http_error(req, 500, "storage", "cannot read the publications");
        return;
    }
    hub_http_json(req, 200, json_pack("{s:o}", "publications", out));
}

mm_err_t hub_api_measures_register(hub_http_t *h, hub_api_t *api)
{
    mm_err_t err = hub_http_route(h, "POST", "/api/v1/sites/{site}/measures", HUB_ROLE_OVERSIGHT,
                                  post_measure, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/measures", HUB_API_READ, get_measures,
                             api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/measures/{id}/hearing",
                             HUB_ROLE_OVERSIGHT, post_hearing, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/measures/{id}/publication",
                             HUB_ROLE_OVERSIGHT, post_publication, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/publications", 0, get_publications, api);
    return err;
}
