/*
 * api_documents.c: the standards document a filing carries (api_impl.h, documents.h) — the
 * Markdown the site's log vouches for, as JSON, and the site's printable HTML of the same
 * version, served as a page the site wrote: sandboxed, no script runs, nothing is fetched
 * (hub_http_untrusted_html). Both are read by whoever may read the filings.
 */
#include "hub/api_impl.h"

#include "common/crypto.h"
#include "common/timefmt.h"
#include "common/httpparse.h"

/* The document named by the path's {site} and {version} into doc: 0, or -1 once answered. */
static int load(hub_http_req_t *req, hub_api_t *api, hub_document_t *doc)
{
    const char *site = hub_api_site(req, api);
    if (!site)
        return -1;
    const char *v = hub_http_param(req, "version");
    uint64_t version = 0;
    if (!v || mm_http_parse_u64(v, &version) != 0 || version == 0 || version > UINT32_MAX) {
        hub_http_error(req, 400, "bad_version",
                       "a standards version is a whole number from 1, not \"%.32s\"", v ? v : "");
        return -1;
    }
    mm_err_t err = api->documents ? hub_documents_get(api->documents, site, (uint32_t)version, doc)
                                  : MM_ENOTFOUND;
    if (err == MM_ENOTFOUND) {
        hub_http_error(req, 404, "no_document",
                       "the hub holds no standards document of version %u of site %s",
                       (unsigned)version, site);
        return -1;
    }
    if (err != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the document: %s", mm_strerror(err));
        return -1;
    }
    return 0;
}

static void get_document(hub_http_req_t *req, void *arg)
{
    hub_document_t doc;
    if (load(req, arg, &doc) != 0)
        return;
    char hex[65], received[MM_RFC3339_MAX];
    mm_hex32(doc.sha256, hex);
    mm_time_rfc3339(doc.received_us, received);
    json_t *md = json_stringn(doc.markdown, doc.markdown_len);
    hub_http_json(req, 200,
                  md ? json_pack("{s:s, s:I, s:o, s:s, s:I, s:s, s:b, s:I}", "site",
                                 hub_http_param(req, "site"), "version", (json_int_t)doc.version,
                                 "markdown", md, "document_hash", hex, "received_us",
                                 (json_int_t)doc.received_us, "received", received, "has_html",
                                 doc.html_len > 0, "html_bytes", (json_int_t)doc.html_len)
                     : NULL);
    hub_document_deinit(&doc);
}

static void get_document_html(hub_http_req_t *req, void *arg)
{
    hub_document_t doc;
    if (load(req, arg, &doc) != 0)
        return;
    if (doc.html_len == 0)
        hub_http_error(req, 404, "no_html", "the site sent no HTML of version %u",
                       (unsigned)doc.version);
    else
        hub_http_untrusted_html(req, doc.html, doc.html_len);
    hub_document_deinit(&doc);
}

mm_err_t hub_api_documents_register(hub_http_t *h, hub_api_t *api)
{
    mm_err_t err = hub_http_route(h, "GET", "/api/v1/sites/{site}/filings/{version}/document",
                                  HUB_API_READ, get_document, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/filings/{version}/document.html",
                             HUB_API_READ, get_document_html, api);
    return err;
}
