/*
 * api.h: the hub's JSON API (docs/protocol.md, "Hub API").
 *
 *   GET /api/v1/hub                             the hub's public keys
 *   GET /api/v1/sites                           sites, verified log size, last checkpoint time
 *   GET /api/v1/sites/{site}/checkpoint         latest cosigned checkpoint note (text/plain)
 *   GET /api/v1/sites/{site}/entries?start=&end= entries [start, end), at most 1000
 *   GET /api/v1/findings                        findings: verification failures and rules
 *   GET /api/v1/registry                        the public registry: sites, installers, cameras
 *   GET /api/v1/sites/{site}/registry           the city's whole record of a site
 *   GET /api/v1/sites/{site}/filings            the site's filings and their states
 *   POST /api/v1/sites/{site}/filings/{filing}/decision   accept or return a filing (oversight)
 *   GET /api/v1/sites/{site}/filings/{version}/document       a version's standards document
 *   GET /api/v1/sites/{site}/filings/{version}/document.html  its HTML, served as untrusted
 *   POST /api/v1/sites/{site}/measures          guidance or a recommendation on findings
 *   POST /api/v1/sites/{site}/measures/{id}/hearing       offer a hearing / record its outcome
 *   POST /api/v1/sites/{site}/measures/{id}/publication   publish (only after a hearing)
 *   GET /api/v1/sites/{site}/measures           the site's measures
 *   GET /api/v1/publications                    what has been published (public)
 *   POST /api/v1/complaints                     register a complaint (oversight, intake)
 *   GET /api/v1/sites/{site}/requests           what the city asked of the site, and answers
 *   POST /api/v1/sites/{site}/requests/{id}/appeal        appeal a complaint's answer
 *   POST /api/v1/sites/{site}/requests/{id}/measures      request measures on a complaint
 *   POST /api/v1/sites/{site}/report-requests   request a report on a period
 *   GET /api/v1/hub/checkpoint                  the hub's own log: its signed checkpoint
 *   GET /api/v1/hub/entries?start=&end=         the hub's own log: city actions
 *   GET /api/v1/requester                       a requester's form: sites, cameras, legal bases
 *   POST /api/v1/public/sites/{site}/complaints a resident's complaint (anyone; rate-limited)
 *
 * The handlers parse and answer; what may be done, and the city action that logs it, is the
 * domain modules' (registry.h, measures.h, requests.h). The files are laid out in api_impl.h.
 */
#ifndef HUB_API_H
#define HUB_API_H

#include "common/err.h"
#include "common/keys.h"
#include "hub/audit.h"
#include "hub/documents.h"
#include "hub/feed.h"
#include "hub/findings.h"
#include "hub/http.h"
#include "hub/hubconf.h"
#include "hub/hublog.h"
#include "hub/measures.h"
#include "hub/mirror.h"
#include "hub/ratelimit.h"
#include "hub/registry.h"
#include "hub/requests.h"

typedef struct {
    const hub_config_t *cfg;
    const mm_keypair_t *keys;
    hub_mirror_t *mirror;
    hub_findings_t *findings;
    hub_registry_t *registry;
    hub_hublog_t *hublog;
    hub_audit_t *audit; /* the city's decisions on filings are logged through it */
    hub_measures_t *measures;
    hub_requests_t *requests;
    hub_documents_t *documents; /* the standards documents filings carry (NULL: none) */
    hub_feed_t *feed; /* filings are announced here (NULL: not) */
    hub_ratelimit_t *complaint_limit; /* residents' online complaints per client address */
} hub_api_t;

/* How many complaints one client address may make online in an hour (api_public.c). */
#define HUB_PUBLIC_COMPLAINTS_PER_HOUR 5
#define HUB_PUBLIC_CLIENTS 4096 /* client addresses counted at once */

/* Adds the routes to h; api must outlive h. */
mm_err_t hub_api_register(hub_http_t *h, hub_api_t *api);

#endif
