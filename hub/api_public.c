/*
 * api_public.c: what a resident may do without an account (api_impl.h): complain online about a
 * site (R-N12), as the public registry offers.
 *
 *   POST /api/v1/public/sites/{site}/complaints  {"text", "contact"?, "camera"?}
 *     201 {"reference": "<site>/<id>", "site", "id", "time_us", "deadline_us"}
 *
 * The complaint is made as one the city's staff register (requests.h, via "public", by
 * "public"): it goes to the site with the next ack, and the site must answer it by its deadline.
 * Because anyone may send it, the body is small (apibody.h: 4 KiB, 413 beyond) and each client
 * address makes at most HUB_PUBLIC_COMPLAINTS_PER_HOUR an hour (ratelimit.h; 429 with
 * Retry-After beyond). Only what would make a complaint is counted: a body refused as malformed
 * is answered and forgotten. Nothing is made unless everything holds.
 */
#include "hub/api_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "hub/apibody.h"
#include "hub/ratelimit.h"

/* Whether camera is one of site's cameras on record; answers 404 or 500 when it is not. */
static int camera_known(hub_http_req_t *req, hub_api_t *api, const char *site, const char *camera)
{
    hub_site_record_t *rec = NULL;
    if (hub_registry_read(api->registry, site, &rec) != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the record of %s", site);
        return 0;
    }
    int known = hub_site_record_camera(rec, camera, 0) != NULL;
    hub_site_record_free(rec);
    if (!known)
        hub_http_error(req, 404, "unknown_camera", "site %s has no camera \"%s\"", site, camera);
    return known;
}

/* One more complaint from this client: 1, or 0 once 429 has been answered. */
static int within_limit(hub_http_req_t *req, hub_api_t *api)
{
    char addr[64], key[HUB_RATELIMIT_KEY_MAX];
    if (hub_http_peer(req, addr, sizeof addr) != 0 || hub_ratelimit_key(addr, key) != 0)
        snprintf(key, sizeof key, "unknown");
    int64_t wait = hub_ratelimit_take(api->complaint_limit, key, mm_now_us());
    if (wait <= 0)
        return 1;
    long long s = (long long)((wait + 999999) / 1000000);
    char after[24];
    snprintf(after, sizeof after, "%lld", s);
    hub_http_set_header(req, "retry-after", after);
    hub_http_error(req, 429, "too_many",
                   "at most %d complaints an hour are taken from one address; try again in %lld "
                   "minute(s), or call the site or the city",
                   HUB_PUBLIC_COMPLAINTS_PER_HOUR, (s + 59) / 60);
    return 0;
}

static void post_public_complaint(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = hub_api_site(req, api);
    if (!site)
        return;
    size_t len;
    const char *body = hub_http_body(req, &len);
    hub_public_complaint_body_t *b = hub_api_body_alloc(req, sizeof *b);
    hub_complaint_body_t *c = b ? hub_api_body_alloc(req, sizeof *c) : NULL;
    char msg[256];
    mm_err_t err = b && c ? hub_body_public_complaint(body, len, b, msg, sizeof msg) : MM_ENOMEM;
    if (err == MM_ETOOBIG) {
        hub_http_error(req, 413, "too_large", "%s", msg);
    } else if (err == MM_EPROTO) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
    } else if (err == MM_OK && (!b->camera[0] || camera_known(req, api, site, b->camera)) &&
               within_limit(req, api)) {
        memset(c, 0, sizeof *c);
        snprintf(c->site, sizeof c->site, "%s", site);
        snprintf(c->camera, sizeof c->camera, "%s", b->camera);
        snprintf(c->text, sizeof c->text, "%s", b->text);
        snprintf(c->contact, sizeof c->contact, "%s", b->contact);
        c->via = HUB_COMPLAINT_VIA_PUBLIC;
        hub_request_made_t made;
        err = hub_requests_complaint(api->requests, NULL, c, mm_now_us(), &made);
        if (err != MM_OK) {
            hub_http_error(req, 500, "storage", "cannot record it: %s", mm_strerror(err));
        } else {
            char ref[2 * MM_ID_MAX + 2];
            snprintf(ref, sizeof ref, "%s/%s", site, made.id);
            hub_http_json(req, 201,
                          json_pack("{s:s, s:s, s:s, s:I, s:I}", "reference", ref, "site", site,
                                    "id", made.id, "time_us", (json_int_t)made.request.time_us,
                                    "deadline_us", (json_int_t)made.request.deadline_us));
        }
    }
    free(b);
    free(c);
}

mm_err_t hub_api_public_register(hub_http_t *h, hub_api_t *api)
{
    return hub_http_route(h, "POST", "/api/v1/public/sites/{site}/complaints", 0,
                          post_public_complaint, api);
}
