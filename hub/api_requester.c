/*
 * api_requester.c: what a disclosure requester's form needs (api_impl.h) — who the caller is,
 * and for each configured site its installer, its cameras, the legal bases its policy admits
 * (common/legalbasis.h) and its time zone, in which the form's date and time pickers are read
 * (the zone the site reports, Asia/Tokyo while it has said none); the top-level "timezone" is
 * the hub's own (its configuration's), for the page's times that are no site's.
 *
 * The requester reads nothing else of the city's record here: no people, grants, filings,
 * findings or requests, and no other requester's disclosures (those are disclosureapi.c's, which
 * shows a requester their own). What is shown of a site is what the public registry shows of it
 * and the cameras its verified log names, the ones a request may name (disclosure.h).
 *
 *   GET /api/v1/requester   requester only:
 *     {"person": {"id", "name"}, "timezone", "disclosure_max_hours", "disclosure_days",
 *      "sites": [{"id", "installer" (null until the site's facts are on record), "policy" (ditto),
 *                 "legal_bases": ["law", ...], "legal_basis_clauses": {"law": "<text> <clause>",
 *                 ...} (the clause that admits each; {} while the policy is unknown), "timezone",
 *                 "cameras": [{"id", "location" (null without facts), "state"}]}]}
 */
#include "hub/api_impl.h"

#include <stdlib.h>

#include "common/legalbasis.h"

/* The bases a site admits: its policy's, or every policy's while its policy is unknown. */
static json_t *legal_bases(const hub_site_record_t *rec)
{
    json_t *list = json_array();
    for (int b = 0; list && b < MM_LEGAL_BASIS_COUNT; b++) {
        int ok = rec->has_facts ? mm_legal_basis_admitted(rec->facts.policy, (mm_legal_basis_t)b)
                                : mm_legal_basis_admitted_by_all((mm_legal_basis_t)b);
        if (ok)
            json_array_append_new(list, json_string(mm_legal_basis_name((mm_legal_basis_t)b)));
    }
    return list;
}

/* The clause that admits each of those bases, by basis ({} while the site's policy is unknown):
 * "川口市防犯カメラの設置及び運用に関する基準 第2の2(5)イ" (common/policy.h). */
static json_t *basis_clauses(const hub_site_record_t *rec)
{
    json_t *o = json_object();
    for (int b = 1; o && rec->has_facts && b < MM_LEGAL_BASIS_COUNT; b++) {
        char cite[MM_TEXT_MAX];
        mm_legal_basis_citation(rec->facts.policy, (mm_legal_basis_t)b, cite, sizeof cite);
        if (cite[0])
            json_object_set_new(o, mm_legal_basis_name((mm_legal_basis_t)b), json_string(cite));
    }
    return o;
}

static json_t *camera_json(const hub_camera_t *c)
{
    int facts = hub_members_has(&c->members, HUB_CAMERA_FACTS);
    return json_pack("{s:s, s:o, s:s}", "id", c->id, "location",
                     facts ? json_string(c->facts.location) : json_null(), "state",
                     hub_camera_state_name(c->state));
}

static json_t *site_json(const hub_site_record_t *rec)
{
    json_t *cams = json_array();
    for (size_t i = 0; cams && i < rec->n_cameras; i++)
        json_array_append_new(cams, camera_json(&rec->cameras[i]));
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:o}", "id", rec->site, "installer",
                     rec->has_facts ? json_string(rec->facts.installer_name) : json_null(),
                     "policy",
                     rec->has_facts ? json_string(mm_policy_name(rec->facts.policy)) : json_null(),
                     "legal_bases", legal_bases(rec), "legal_basis_clauses", basis_clauses(rec),
                     "timezone", hub_site_record_timezone(rec), "cameras", cams);
}

static void get_requester(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const hub_person_t *who = hub_http_caller(req);
    json_t *sites = json_array();
    hub_site_record_t *rec = malloc(sizeof *rec); /* kilobytes of texts: on the heap */
    mm_err_t err = rec && sites ? MM_OK : MM_ENOMEM;
    for (size_t i = 0; err == MM_OK && i < api->cfg->n_sites; i++) {
        err = hub_registry_get(api->registry, api->cfg->sites[i].id, rec);
        if (err == MM_OK) {
            json_t *s = site_json(rec);
            err = s && json_array_append_new(sites, s) == 0 ? MM_OK : MM_ENOMEM;
        }
        hub_site_record_deinit(rec);
    }
    free(rec);
    if (err != MM_OK) {
        json_decref(sites);
        hub_http_error(req, 500, "storage", "cannot read the sites: %s", mm_strerror(err));
        return;
    }
    hub_http_json(req, 200,
                  json_pack("{s:{s:s, s:s}, s:s, s:i, s:i, s:o}", "person", "id", who->id, "name",
                            who->name, "timezone", api->cfg->timezone, "disclosure_max_hours",
                            api->cfg->disclosure_max_hours, "disclosure_days",
                            api->cfg->disclosure_days, "sites", sites));
}

mm_err_t hub_api_requester_register(hub_http_t *h, hub_api_t *api)
{
    return hub_http_route(h, "GET", "/api/v1/requester", HUB_ROLE_REQUESTER, get_requester, api);
}
