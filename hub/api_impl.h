/*
 * api_impl.h: the inside of the hub's API (api.h), shared by its files.
 *
 * The API is one module in one file per resource, the way h2o keeps one file per handler in
 * lib/handler/: api_sites.c (the hub, its sites, their checkpoints and entries), api_findings.c,
 * api_registry.c (the public registry and the city's record of a site), api_filings.c (filings
 * and the city's decisions), api_measures.c (measures, hearings, publications), api_requests.c
 * (complaints, appeals, measure and report requests), api_hublog.c (the hub's own log),
 * api_requester.c (what a disclosure requester's form needs), api_documents.c (the standards
 * documents filings carry) and api_public.c (what residents may do without an account: complain
 * online).
 * api.c adds their routes in the order below and holds the helpers they share.
 *
 * One private header rather than one per file: each file offers the rest of the module a single
 * function, its routes, and needs nothing of the others but these helpers; a header apiece would
 * hold one line each and hide that the files are parts of one module with one public face. The
 * API's other parts with a life of their own (disclosureapi.h, feedapi.h) have their own.
 */
#ifndef HUB_API_IMPL_H
#define HUB_API_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/merkle.h"
#include "hub/api.h"
#include "hub/http.h"
#include "hub/registry.h"

/* Who may read what the city reads (everything but the public registry). */
#define HUB_API_READ (HUB_ROLE_OVERSIGHT | HUB_ROLE_READONLY)

/* --- the resources' routes, in the order hub_api_register adds them ------------------------- */

/* api_sites.c: GET /api/v1/hub, /sites, /sites/{site}/checkpoint, /sites/{site}/entries. */
mm_err_t hub_api_sites_register(hub_http_t *h, hub_api_t *api);
/* api_findings.c: GET /api/v1/findings. */
mm_err_t hub_api_findings_register(hub_http_t *h, hub_api_t *api);
/* api_registry.c: GET /api/v1/registry (public), /sites/{site}/registry. */
mm_err_t hub_api_registry_register(hub_http_t *h, hub_api_t *api);
/* api_filings.c: GET /sites/{site}/filings, POST .../filings/{filing}/decision. */
mm_err_t hub_api_filings_register(hub_http_t *h, hub_api_t *api);
/* api_measures.c: /sites/{site}/measures, .../hearing, .../publication; GET /publications. */
mm_err_t hub_api_measures_register(hub_http_t *h, hub_api_t *api);
/* api_requests.c: POST /complaints; /sites/{site}/requests, .../appeal, .../measures,
 * /sites/{site}/report-requests. */
mm_err_t hub_api_requests_register(hub_http_t *h, hub_api_t *api);
/* api_hublog.c: GET /api/v1/hub/checkpoint, /hub/entries. */
mm_err_t hub_api_hublog_register(hub_http_t *h, hub_api_t *api);
/* api_requester.c: GET /api/v1/requester (requester only). */
mm_err_t hub_api_requester_register(hub_http_t *h, hub_api_t *api);
/* api_documents.c: GET /sites/{site}/filings/{version}/document, .../document.html. */
mm_err_t hub_api_documents_register(hub_http_t *h, hub_api_t *api);
/* api_public.c: POST /api/v1/public/sites/{site}/complaints (anyone, rate-limited). */
mm_err_t hub_api_public_register(hub_http_t *h, hub_api_t *api);

/* --- shared helpers (api.c) ------------------------------------------------------------------ */

/* The configured site named in the path's {site}, or NULL once a 404 has been answered. */
const char *hub_api_site(hub_http_req_t *req, hub_api_t *api);

/* The record of the site named in the path's {site} (its name in *site unless site is NULL), the
 * caller's to hub_site_record_free; NULL once a 404 or a 500 has been answered. */
hub_site_record_t *hub_api_record(hub_http_req_t *req, hub_api_t *api, const char **site);

/* The query parameter name as a non-negative integer (fallback when absent): 0, or -1 once a
 * 400 has been answered. */
int hub_api_query_u64(hub_http_req_t *req, const char *name, uint64_t fallback, uint64_t *out);

/* Storage of size bytes for a request's parsed body, on the heap (a body holds kilobytes of
 * text): the caller frees it on every path. NULL once a 500 has been answered. */
void *hub_api_body_alloc(hub_http_req_t *req, size_t size);

/* Appends a log entry to the JSON array arg as the API shows entries ({"index", "leaf_hash",
 * "entry", "raw"}); 1 (stop) when out of memory. The shape of mirror.h's hub_entry_fn. */
int hub_api_add_entry(uint64_t index, const void *data, size_t len, const mm_hash_t *leaf,
                      void *arg);

#endif
