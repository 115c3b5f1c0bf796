/*
 * api.c: the hub's JSON API (see api.h): its routes, added resource by resource, and the
 * helpers the resources' files share (api_impl.h).
 *
 * A handler parses what the request says, calls the domain module that decides and records,
 * and answers: the status codes, error codes and JSON members each answer has are part of the
 * API (docs/protocol.md) and do not change with the code behind them. Bodies are parsed into
 * storage of the request's own, never a static: every request owns what it parsed.
 */
#include "hub/api.h"

#include <stdlib.h>

#include "common/crypto.h"
#include "common/entry.h"
#include "hub/api_impl.h"
#include "common/httpparse.h"

const char *hub_api_site(hub_http_req_t *req, hub_api_t *api)
{
    const char *site = hub_http_param(req, "site");
    if (!site || !hub_config_site(api->cfg, site)) {
        hub_http_error(req, 404, "unknown_site", "no site \"%.64s\" is registered",
                       site ? site : "");
        return NULL;
    }
    return site;
}

hub_site_record_t *hub_api_record(hub_http_req_t *req, hub_api_t *api, const char **site)
{
    const char *name = hub_api_site(req, api);
    if (!name)
        return NULL;
    hub_site_record_t *rec;
    if (hub_registry_read(api->registry, name, &rec) != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the record of %s", name);
        return NULL;
    }
    if (site)
        *site = name;
    return rec;
}

int hub_api_query_u64(hub_http_req_t *req, const char *name, uint64_t fallback, uint64_t *out)
{
    char buf[32];
    int rc = hub_http_query(req, name, buf, sizeof buf);
    if (rc == 0) {
        *out = fallback;
        return 0;
    }
    if (rc < 0 || mm_http_parse_u64(buf, out) != 0) {
        hub_http_error(req, 400, "bad_query", "%s must be a non-negative integer", name);
        return -1;
    }
    return 0;
}

void *hub_api_body_alloc(hub_http_req_t *req, size_t size)
{
    void *p = malloc(size);
    if (!p)
        hub_http_error(req, 500, "internal", "out of memory");
    return p;
}

int hub_api_add_entry(uint64_t index, const void *data, size_t len, const mm_hash_t *leaf,
                      void *arg)
{
    json_t *entries = arg;
    char hex[65];
    mm_hex32(leaf->b, hex);
    size_t blen = mm_base64_encoded_len(len) + 1;
    char *b64 = malloc(blen);
    if (!b64 || mm_base64_encode(data, len, b64, blen) < 0) {
        free(b64);
        return 1;
    }
    json_t *e = mm_entry_to_json(data, len);
    json_array_append_new(entries,
                          json_pack("{s:I, s:s, s:o, s:s}", "index", (json_int_t)index, "leaf_hash",
                                    hex, "entry", e ? e : json_null(), "raw", b64));
    free(b64);
    return 0;
}

mm_err_t hub_api_register(hub_http_t *h, hub_api_t *api)
{
    mm_err_t (*const resources[])(hub_http_t *, hub_api_t *) = {
        hub_api_sites_register,   hub_api_findings_register,  hub_api_registry_register,
        hub_api_filings_register, hub_api_measures_register,  hub_api_requests_register,
        hub_api_hublog_register,  hub_api_requester_register, hub_api_documents_register,
        hub_api_public_register,
    };
    mm_err_t err = MM_OK;
    for (size_t i = 0; err == MM_OK && i < sizeof resources / sizeof resources[0]; i++)
        err = resources[i](h, api);
    return err;
}
