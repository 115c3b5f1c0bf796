/*
 * api_registry.c: the registry (api_impl.h) — the public registry that anyone may read, and
 * the city's whole record of one site for those who read what the city reads.
 *
 * The public registry says only what a resident may know of a site: who runs it, its cameras
 * with their purpose and share of public space, the standards it last filed, and whom to ask.
 * No people other than the manager, no grants, no evidence: public_site picks those members and
 * nothing else, so that a member added to the record is never public by accident.
 */
#include "hub/api_impl.h"

/* What a resident may know of a site. */
static json_t *public_site(const char *site, json_t *rec)
{
    json_t *f = json_object_get(rec, "facts");
    json_t *cams = json_array();
    const char *id;
    json_t *c;
    json_object_foreach(json_object_get(rec, "cameras"), id, c)
    {
        json_t *cf = json_object_get(c, "facts"), *cov = json_object_get(c, "coverage");
        json_array_append_new(
            cams,
            json_pack(
                "{s:s, s:O?, s:O?, s:O?, s:O?, s:o}", "id", id, "location",
                json_object_get(cf, "location"), "purpose", json_object_get(cf, "purpose"),
                "install_date", json_object_get(cf, "install_date"), "state",
                json_object_get(c, "state"), "public_share",
                cov ? json_real((double)json_integer_value(json_object_get(cov, "share_ppm")) / 1e6)
                    : json_null()));
    }
    json_t *last = NULL;
    size_t i;
    json_t *fl;
    json_array_foreach(json_object_get(rec, "filings"), i, fl)
    {
        if (hub_filing_of_standards(fl))
            last = fl;
    }
    return json_pack(
        "{s:s, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:o, s:O?, s:O?}", "site", site, "installer",
        json_object_get(f, "installer_name"), "installer_address",
        json_object_get(f, "installer_address"), "contact", json_object_get(f, "installer_contact"),
        "manager", json_object_get(f, "manager_name"), "purpose", json_object_get(f, "purpose"),
        "policy", json_object_get(f, "policy"), "cameras", cams, "standards_version",
        json_object_get(last, "version"), "standards_state", json_object_get(last, "state"));
}

static void get_registry(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    json_t *sites = json_array();
    for (size_t i = 0; i < api->cfg->n_sites; i++) {
        const char *site = api->cfg->sites[i].id;
        json_t *rec = hub_registry_get(api->registry, site);
        if (!rec) {
            json_decref(sites);
            hub_http_error(req, 500, "storage", "cannot read the registry");
            return;
        }
        if (json_is_object(json_object_get(rec, "facts")))
            json_array_append_new(sites, public_site(site, rec));
        json_decref(rec);
    }
    hub_http_json(req, 200,
                  json_pack("{s:o, s:s}", "sites", sites, "complaints",
                            "苦情・問合せは各設置者の連絡先へ。対応に不服があるときは市へ申し出る"
                            "ことができます。 / Complaints go to the installer's contact; if "
                            "unhappy with the answer, appeal to the city."));
}

static void get_site_registry(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = hub_api_site(req, api);
    if (!site)
        return;
    json_t *rec = hub_registry_get(api->registry, site);
    if (!rec) {
        hub_http_error(req, 500, "storage", "cannot read the record of %s", site);
        return;
    }
    hub_http_json(req, 200, rec);
}

mm_err_t hub_api_registry_register(hub_http_t *h, hub_api_t *api)
{
    mm_err_t err = hub_http_route(h, "GET", "/api/v1/registry", 0, get_registry, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/registry", HUB_API_READ,
                             get_site_registry, api);
    return err;
}
