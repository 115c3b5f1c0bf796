/*
 * api_filings.c: filings (api_impl.h) — a site's filings with their states, and the city's
 * decision on one: accepted, or returned with a reason (R-N4.2). The registry decides and logs
 * the decision and makes the notice that tells the site (registry.h hub_registry_decide); the
 * answer names the notice, and the filing as decided goes to the feed.
 */
#include "hub/api_impl.h"

#include <stdlib.h>

#include "common/clock.h"
#include "hub/apibody.h"
#include "hub/registry_codec.h"

static void get_filings(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site;
    hub_site_record_t *rec = hub_api_record(req, api, &site);
    if (!rec)
        return;
    json_t *filings = json_array();
    for (size_t i = 0; filings && i < rec->n_filings; i++)
        json_array_append_new(filings, hub_filing_json(&rec->filings[i]));
    hub_site_record_free(rec);
    hub_http_json(req, 200, json_pack("{s:s, s:o}", "site", site, "filings", filings));
}

static void answer(hub_http_req_t *req, hub_api_t *api, mm_err_t err,
                   const hub_filing_decision_t *d)
{
    if (err == MM_ENOTFOUND) {
        hub_http_error(req, 404, "unknown_filing", "site %s has no filing \"%.64s\"", d->site,
                       d->filing);
    } else if (err == MM_EDENIED) {
        hub_http_error(
            req, 409, "notice_only",
            "filing %.64s of %s is a notice only: the site's policy files to inform the "
            "city (川口市防犯カメラの設置及び運用に関する基準 第4), which decides nothing "
            "on it",
            d->filing, d->site);
    } else if (err == MM_ECONFLICT) {
        hub_http_error(req, 409, "already_decided", "filing %.64s of %s has been decided already",
                       d->filing, d->site);
    } else if (err != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot record the decision: %s", mm_strerror(err));
    } else {
        json_t *filing = api->feed ? hub_filing_json(&d->decided) : NULL;
        if (filing)
            hub_feed_filing(api->feed, d->site, filing);
        json_decref(filing);
        hub_http_json(req, 200,
                      json_pack("{s:s, s:s, s:s, s:I, s:s}", "site", d->site, "filing", d->filing,
                                "state", hub_filing_state_name(d->state), "hub_log_index",
                                (json_int_t)d->hub_log_index, "notice", d->notice));
    }
}

/* A filing accepted or returned: the registry and the hub's log change in one commit. */
static void post_decision(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = hub_api_site(req, api);
    if (!site)
        return;
    const char *filing = hub_http_param(req, "filing");
    hub_decision_body_t *b = hub_api_body_alloc(req, sizeof *b);
    if (!b)
        return;
    size_t len;
    const char *body = hub_http_body(req, &len);
    char msg[256];
    if (hub_body_decision(body, len, b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
    } else {
        hub_filing_decision_t d = {.site = site,
                                   .filing = filing ? filing : "",
                                   .state = b->decision,
                                   .reason = b->reason,
                                   .who = hub_http_caller(req),
                                   .now_us = mm_now_us()};
        answer(req, api, hub_registry_decide(api->registry, api->audit, &d), &d);
    }
    free(b);
}

mm_err_t hub_api_filings_register(hub_http_t *h, hub_api_t *api)
{
    mm_err_t err =
        hub_http_route(h, "GET", "/api/v1/sites/{site}/filings", HUB_API_READ, get_filings, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/filings/{filing}/decision",
                             HUB_ROLE_OVERSIGHT, post_decision, api);
    return err;
}
