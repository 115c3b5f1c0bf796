/*
 * api_sites.c: the hub and its sites (api_impl.h) — the hub's public keys, each configured
 * site with the size of its verified log and the time of its last checkpoint, a site's latest
 * cosigned checkpoint, and its entries a page at a time.
 *
 * Pages are at most ENTRIES_PAGE entries, so that one request cannot make the hub read and
 * encode a whole log; a range that reaches past the log's end is cut at it.
 */
#include "hub/api_impl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/note.h"
#include "common/timefmt.h"

#define ENTRIES_PAGE 1000

static json_t *time_json(int64_t us)
{
    if (us <= 0)
        return json_null();
    char buf[MM_RFC3339_MAX];
    mm_time_rfc3339(us, buf);
    return json_string(buf);
}

/* The city's rules for the retention period the configuration sets, by policy (hubconf.h): the
 * law the sites are held to is public. */
static json_t *city_rules(const hub_config_t *cfg)
{
    json_t *o = json_object();
    for (int p = 0; o && p < MM_POLICY_COUNT; p++) {
        const hub_city_rule_conf_t *c = &cfg->city_rules[p];
        if (c->set)
            json_object_set_new(o, mm_policy_name((mm_policy_t)p),
                                json_pack("{s:s, s:i, s:i}", "rule", c->rule, "retention_days_min",
                                          c->min_days, "retention_days_max", c->max_days));
    }
    return o;
}

static void get_hub(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    char verifier[MM_VERIFIER_MAX];
    if (mm_keys_verifier(api->keys, verifier, sizeof verifier) != MM_OK) {
        hub_http_error(req, 500, "internal", "cannot format the hub's verifier key");
        return;
    }
    hub_http_json(req, 200,
                  json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", api->keys->name, "verifier",
                            verifier, "curve_public", api->keys->curve_public, "timezone",
                            api->cfg->timezone, "city_rules", city_rules(api->cfg)));
}

static void get_sites(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    json_t *sites = json_array();
    for (size_t i = 0; i < api->cfg->n_sites; i++) {
        const char *id = api->cfg->sites[i].id;
        hub_site_state_t st;
        if (hub_mirror_state(api->mirror, id, &st) != MM_OK) {
            json_decref(sites);
            hub_http_error(req, 500, "storage", "cannot read the state of site %s", id);
            return;
        }
        /* The site's key as the hub has it on record: a requester checks an export's
         * site-key.pem against it (mimamori-verify --site-key). */
        char verifier[MM_VERIFIER_MAX];
        if (mm_note_verifier_format(&api->cfg->sites[i].verifier, verifier, sizeof verifier) !=
            MM_OK) {
            json_decref(sites);
            hub_http_error(req, 500, "internal", "cannot format the verifier key of site %s", id);
            return;
        }
        json_array_append_new(sites,
                              json_pack("{s:s, s:s, s:I, s:o, s:o}", "id", id, "verifier", verifier,
                                        "log_size", (json_int_t)st.size, "last_checkpoint_time",
                                        time_json(st.checkpoint_us), "last_checkpoint_unix",
                                        st.checkpoint_us > 0
                                            ? json_integer((json_int_t)(st.checkpoint_us / 1000000))
                                            : json_null()));
    }
    hub_http_json(req, 200, json_pack("{s:o}", "sites", sites));
}

static void get_checkpoint(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = hub_api_site(req, api);
    if (!site)
        return;
    char *note = NULL;
    mm_err_t err = hub_mirror_checkpoint(api->mirror, site, &note);
    if (err == MM_ENOTFOUND) {
        hub_http_error(req, 404, "no_checkpoint", "site %s has sent no verified checkpoint yet",
                       site);
        return;
    }
    if (err != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the checkpoint of %s", site);
        return;
    }
    hub_http_text(req, 200, "text/plain; charset=utf-8", note, strlen(note));
    free(note);
}

static void get_entries(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = hub_api_site(req, api);
    if (!site)
        return;
    hub_site_state_t st;
    if (hub_mirror_state(api->mirror, site, &st) != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the state of %s", site);
        return;
    }
    uint64_t start, end;
    if (hub_api_query_u64(req, "start", 0, &start) ||
        hub_api_query_u64(req, "end", UINT64_MAX, &end))
        return;
    if (end == UINT64_MAX) /* absent: one page */
        end = start > UINT64_MAX - ENTRIES_PAGE ? UINT64_MAX : start + ENTRIES_PAGE;
    if (start > end) {
        hub_http_error(req, 400, "bad_query", "start (%" PRIu64 ") is after end (%" PRIu64 ")",
                       start, end);
        return;
    }
    if (end - start > ENTRIES_PAGE)
        end = start + ENTRIES_PAGE;
    if (end > st.size)
        end = st.size;
    if (start > end)
        start = end;
    json_t *entries = json_array();
    if (hub_mirror_entries(api->mirror, site, start, end, hub_api_add_entry, entries) != MM_OK) {
        json_decref(entries);
        hub_http_error(req, 500, "storage", "cannot read the entries of %s", site);
        return;
    }
    hub_http_json(req, 200,
                  json_pack("{s:s, s:I, s:I, s:I, s:o}", "site", site, "start", (json_int_t)start,
                            "end", (json_int_t)end, "size", (json_int_t)st.size, "entries",
                            entries));
}

mm_err_t hub_api_sites_register(hub_http_t *h, hub_api_t *api)
{
    mm_err_t err = hub_http_route(h, "GET", "/api/v1/hub", 0, get_hub, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites", 0, get_sites, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/checkpoint", 0, get_checkpoint, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/entries", HUB_API_READ, get_entries,
                             api);
    return err;
}
