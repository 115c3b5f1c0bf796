/*
 * api_registry.c: the registry (api_impl.h) — the public registry that anyone may read, and
 * the city's whole record of one site for those who read what the city reads.
 *
 * The public registry says only what a resident may know of a site: who runs it, its cameras
 * with their purpose and share of public space, the standards it last filed, whom to ask, and
 * how many complaints it has had and answered (the city's and the site's own, counted once, never
 * their words); and whom at the city to turn to ("city", from the configuration). No people other
 * than the manager, no grants, no evidence: public_site picks those members and nothing else, so
 * that a member added to the record is never public by accident.
 */
#include "hub/api_impl.h"

#include <stdlib.h>
#include <string.h>

#include "common/policy.h"
#include "hub/cityrules.h"
#include "hub/registry_codec.h"

/* A camera as the public registry shows it (location, purpose and date null when no facts are
 * on record, the share null when no coverage is). */
static json_t *public_camera(const hub_camera_t *c)
{
    int facts = hub_members_has(&c->members, HUB_CAMERA_FACTS);
    int coverage = hub_members_has(&c->members, HUB_CAMERA_COVERAGE);
    return json_pack("{s:s, s:o, s:o, s:o, s:s, s:o}", "id", c->id, "location",
                     facts ? json_string(c->facts.location) : json_null(), "purpose",
                     facts ? json_string(c->facts.purpose) : json_null(), "install_date",
                     facts ? json_string(c->facts.install_date) : json_null(), "state",
                     hub_camera_state_name(c->state), "public_share",
                     coverage ? json_real((double)c->coverage.share_ppm / 1e6) : json_null());
}

/* How many complaints the site has had and how many are answered: the city's (R-N12) and those
 * the site received itself, a site complaint that handles one of the city's counted once. */
static json_t *complaint_counts(const hub_site_record_t *rec)
{
    json_int_t received = 0, answered = 0;
    for (size_t i = 0; i < rec->n_requests; i++) {
        const hub_request_t *q = &rec->requests[i];
        if (q->kind != MM_REQUEST_KIND_COMPLAINT)
            continue;
        received++;
        answered += hub_members_has(&q->members, HUB_REQUEST_ANSWER);
    }
    for (size_t i = 0; i < rec->n_site_complaints; i++) {
        const hub_site_complaint_t *c = &rec->site_complaints[i];
        int counted = 0;
        for (size_t k = 0; c->hub_complaint[0] && k < rec->n_requests; k++)
            counted |= !strcmp(rec->requests[k].id, c->hub_complaint);
        if (counted)
            continue;
        received++;
        answered += c->state == MM_COMPLAINT_STEP_CLOSED;
    }
    return json_pack("{s:I, s:I}", "received", received, "answered", answered);
}

/* What the site files with the city under its policy (common/policy.h): "duty" (filings the
 * city decides), "notice" (filings that only inform it) or "none" (the city's own cameras). */
static const char *filing_name(mm_policy_t p)
{
    switch (mm_policy_filing(p)) {
    case MM_FILING_NOTICE:
        return "notice";
    case MM_FILING_NONE:
        return "none";
    default:
        return "duty";
    }
}

/* What a resident may know of a site (which has facts on record). */
static json_t *public_site(const hub_site_record_t *rec)
{
    const mm_site_facts_t *f = &rec->facts;
    json_t *cams = json_array();
    for (size_t i = 0; i < rec->n_cameras; i++)
        json_array_append_new(cams, public_camera(&rec->cameras[i]));
    const hub_filing_t *last = NULL;
    for (size_t i = 0; i < rec->n_filings; i++)
        if (hub_filing_of_standards(&rec->filings[i]))
            last = &rec->filings[i];
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "site",
                     rec->site, "installer", f->installer_name, "installer_address",
                     f->installer_address, "contact", f->installer_contact, "manager",
                     f->manager_name, "purpose", f->purpose, "policy", mm_policy_name(f->policy),
                     "filing", filing_name(f->policy), "timezone", hub_site_record_timezone(rec),
                     "cameras", cams, "standards_version",
                     last ? json_integer(last->version) : json_null(), "standards_state",
                     last ? json_string(hub_filing_state_name(last->state)) : json_null(),
                     "complaints", complaint_counts(rec));
}

static void get_registry(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    json_t *sites = json_array();
    hub_site_record_t *rec = malloc(sizeof *rec);
    mm_err_t err = rec && sites ? MM_OK : MM_ENOMEM;
    for (size_t i = 0; err == MM_OK && i < api->cfg->n_sites; i++) {
        err = hub_registry_get(api->registry, api->cfg->sites[i].id, rec);
        if (err == MM_OK && rec->has_facts)
            json_array_append_new(sites, public_site(rec));
        hub_site_record_deinit(rec);
    }
    free(rec);
    if (err != MM_OK) {
        json_decref(sites);
        hub_http_error(req, 500, "storage", "cannot read the registry");
        return;
    }
    const hub_config_t *cfg = api->cfg;
    json_t *city = cfg->city_name ? json_pack("{s:s, s:s}", "name", cfg->city_name, "contact",
                                              cfg->city_contact ? cfg->city_contact : "")
                                  : json_null();
    hub_http_json(req, 200,
                  json_pack("{s:o, s:s, s:s, s:o}", "sites", sites, "timezone", cfg->timezone,
                            "complaints",
                            "苦情・問合せは各設置者の連絡先か、このページの様式から。設置者は期限"
                            "までに答え、市がそれを見守ります。対応に不服があるときは市へ申し出る"
                            "ことができます。 / Complain to the installer's contact or with this "
                            "page's form; the installer must answer by the deadline and the city "
                            "watches. If unhappy with the answer, appeal to the city.",
                            "city", city));
}

/* The record as stored, and the site's zone: at the top, and in its facts when it has facts
 * ("Asia/Tokyo" while the site has not named one); and "retention": where the site's retention
 * comes from and where it stands with the city's rule (cityrules.h hub_city_rule_status). */
static void get_site_registry(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    hub_site_record_t *rec = hub_api_record(req, api, NULL);
    if (!rec)
        return;
    json_t *o = hub_site_record_json(rec);
    const char *tz = hub_site_record_timezone(rec);
    json_t *facts = o ? json_object_get(o, "facts") : NULL;
    json_t *rule = hub_city_rule_status(rec, api->cfg);
    if (o &&
        (json_object_set_new(o, "timezone", json_string(tz)) != 0 ||
         (json_is_object(facts) && json_object_set_new(facts, "timezone", json_string(tz)) != 0) ||
         json_object_set_new(o, "retention", rule ? rule : json_null()) != 0)) {
        json_decref(o);
        o = NULL;
    }
    hub_site_record_free(rec);
    if (!o) {
        hub_http_error(req, 500, "internal", "out of memory");
        return;
    }
    hub_http_json(req, 200, o);
}

mm_err_t hub_api_registry_register(hub_http_t *h, hub_api_t *api)
{
    mm_err_t err = hub_http_route(h, "GET", "/api/v1/registry", 0, get_registry, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/registry", HUB_API_READ,
                             get_site_registry, api);
    return err;
}
