/*
 * api_findings.c: the findings (api_impl.h) — what verification and the rules found wrong,
 * every finding with its state and history, for those who read what the city reads.
 */
#include "hub/api_impl.h"

#include "hub/findings_codec.h"

static int add_finding(void *arg, const hub_finding_t *finding)
{
    json_t *o = hub_finding_json(finding);
    return !o || json_array_append_new(arg, o) != 0;
}

static void get_findings(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    json_t *list = json_array();
    if (!list || hub_findings_each(api->findings, add_finding, list) != MM_OK) {
        json_decref(list);
        hub_http_error(req, 500, "storage", "cannot read the findings");
        return;
    }
    hub_http_json(req, 200, json_pack("{s:o}", "findings", list));
}

mm_err_t hub_api_findings_register(hub_http_t *h, hub_api_t *api)
{
    return hub_http_route(h, "GET", "/api/v1/findings", HUB_API_READ, get_findings, api);
}
