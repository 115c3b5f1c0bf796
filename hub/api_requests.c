/*
 * api_requests.c: what the city asks of a site (api_impl.h) — complaints, appeals of their
 * answers, measures requested on a complaint, report requests (R-N10.1, R-N12), and the site's
 * requests with their answers. The requests module makes and logs each (requests.h); a new
 * request is answered with its fields, its id, its site and its place in the hub's log.
 */
#include "hub/api_impl.h"

#include <stdlib.h>

#include "common/clock.h"
#include "hub/apibody.h"
#include "hub/registry_codec.h"

/* Answers a request made (target: the complaint an appeal or a measure request names). */
static void answer(hub_http_req_t *req, const char *site, const char *target, mm_err_t err,
                   hub_request_made_t *made)
{
    if (err == MM_OK) {
        json_t *out = made->appeal ? hub_appeal_json(&made->request.appeal)
                                   : hub_request_json(&made->request);
        json_object_set_new(out, "id", json_string(made->id));
        json_object_set_new(out, "site", json_string(site));
        json_object_set_new(out, "hub_log_index", json_integer((json_int_t)made->hub_log_index));
        hub_http_json(req, 201, out);
    } else if (err == MM_ENOTFOUND) {
        hub_http_error(req, 404, "unknown_request", "%s of site %s: %s", target, site, made->why);
    } else if (err == MM_ECONFLICT) {
        hub_http_error(req, 409, "conflict", "%s: %s", target, made->why);
    } else {
        hub_http_error(req, 500, "storage", "cannot record it: %s", mm_strerror(err));
    }
}

static void post_complaint(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    hub_complaint_body_t *b = hub_api_body_alloc(req, sizeof *b);
    if (!b)
        return;
    size_t len;
    const char *body = hub_http_body(req, &len);
    char msg[256];
    hub_request_made_t made;
    if (hub_body_complaint(body, len, b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
    } else if (!hub_config_site(api->cfg, b->site)) {
        hub_http_error(req, 404, "unknown_site", "no site \"%.64s\" is registered", b->site);
    } else {
        mm_err_t err =
            hub_requests_complaint(api->requests, hub_http_caller(req), b, mm_now_us(), &made);
        answer(req, b->site, NULL, err, &made);
    }
    free(b);
}

/* What the three requests on a site's path take: a request_body_t parsed by one of
 * apibody.h's parsers, and the maker that makes the request of it. */
typedef mm_err_t (*parse_fn)(const char *body, size_t len, hub_request_body_t *out, char *msg,
                             size_t cap);
typedef mm_err_t (*make_fn)(hub_api_t *api, hub_http_req_t *req, const char *site,
                            const hub_request_body_t *b, hub_request_made_t *made);

/* Parses the body with parse into storage of the request's own, makes the request with make,
 * and answers. */
static void site_request(hub_http_req_t *req, hub_api_t *api, parse_fn parse, make_fn make)
{
    const char *site = hub_api_site(req, api);
    if (!site)
        return;
    hub_request_body_t *b = hub_api_body_alloc(req, sizeof *b);
    if (!b)
        return;
    size_t len;
    const char *body = hub_http_body(req, &len);
    char msg[256];
    if (parse(body, len, b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
    } else {
        hub_request_made_t made;
        mm_err_t err = make(api, req, site, b, &made);
        answer(req, site, hub_http_param(req, "id"), err, &made);
    }
    free(b);
}

static mm_err_t make_appeal(hub_api_t *api, hub_http_req_t *req, const char *site,
                            const hub_request_body_t *b, hub_request_made_t *made)
{
    return hub_requests_appeal(api->requests, hub_http_caller(req), site, hub_http_param(req, "id"),
                               b, mm_now_us(), made);
}

static mm_err_t make_measures(hub_api_t *api, hub_http_req_t *req, const char *site,
                              const hub_request_body_t *b, hub_request_made_t *made)
{
    return hub_requests_measures(api->requests, hub_http_caller(req), site,
                                 hub_http_param(req, "id"), b, mm_now_us(), made);
}

static mm_err_t make_report(hub_api_t *api, hub_http_req_t *req, const char *site,
                            const hub_request_body_t *b, hub_request_made_t *made)
{
    return hub_requests_report(api->requests, hub_http_caller(req), site, b, mm_now_us(), made);
}

static void post_appeal(hub_http_req_t *req, void *arg)
{
    site_request(req, arg, hub_body_appeal, make_appeal);
}

static void post_complaint_measures(hub_http_req_t *req, void *arg)
{
    site_request(req, arg, hub_body_measures, make_measures);
}

static void post_report_request(hub_http_req_t *req, void *arg)
{
    site_request(req, arg, hub_body_report_request, make_report);
}

/* A request as the record keeps it, its answer's report signature checked with the site's
 * key ("report_signature_valid" in the answer). */
static json_t *request_listed(const hub_site_conf_t *sc, const hub_request_t *q)
{
    json_t *o = hub_request_json(q);
    int valid = hub_requests_report_valid(sc, q);
    if (o && valid >= 0)
        json_object_set_new(json_object_get(o, "answer"), "report_signature_valid",
                            json_boolean(valid));
    return o;
}

/* The site's requests, oldest first. */
static void get_requests(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site;
    hub_site_record_t *rec = hub_api_record(req, api, &site);
    if (!rec)
        return;
    const hub_site_conf_t *sc = hub_config_site(api->cfg, site);
    json_t *list = json_array();
    for (size_t i = 0; list && i < rec->n_requests; i++)
        json_array_append_new(list, request_listed(sc, &rec->requests[i]));
    hub_site_record_free(rec);
    hub_http_json(req, 200, json_pack("{s:s, s:o}", "site", site, "requests", list));
}

mm_err_t hub_api_requests_register(hub_http_t *h, hub_api_t *api)
{
    mm_err_t err = hub_http_route(h, "POST", "/api/v1/complaints",
                                  HUB_ROLE_OVERSIGHT | HUB_ROLE_INTAKE, post_complaint, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/requests", HUB_API_READ, get_requests,
                             api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/requests/{id}/appeal",
                             HUB_ROLE_OVERSIGHT | HUB_ROLE_INTAKE, post_appeal, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/requests/{id}/measures",
                             HUB_ROLE_OVERSIGHT, post_complaint_measures, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/report-requests", HUB_ROLE_OVERSIGHT,
                             post_report_request, api);
    return err;
}
