/*
 * documents.h: the standards documents sites file (R-N4.2), kept at the hub once checked
 * against the site's verified log.
 *
 * A filing of the standards is, in the log, a version number and the SHA-256 of its Markdown
 * (configuration_changed, standards_filed). The city decides on what the document says, so the
 * edge sends the document itself (FilingDocument, wire.h) and the hub keeps it here, for the
 * dashboard and the API — but only the Markdown the site's log vouches for: its SHA-256 must be
 * the document_hash that the site's record (registry.h) holds for that version, learned from the
 * verified log alone. The HTML rendering of the same version is not hashed in the log: it is kept
 * as content the site wrote, checked only to be UTF-8 within its bound, and served as untrusted
 * (hub/http.h hub_http_untrusted_html).
 *
 *   hub.documents   site \0 version (BE32)  ->  format (1) ‖ received_us (BE64) ‖
 *                                               SHA-256 of the Markdown (32) ‖
 *                                               Markdown length (BE32) ‖ HTML length (BE32) ‖
 *                                               Markdown ‖ HTML
 *
 * The logged hash of version v is that of the site's filing of the standards with version v;
 * without one, that of the standards the site runs under (configuration_changed) when they are
 * version v. A document whose Markdown hashes to anything else is refused, stored nowhere, and
 * raised as a finding "document_mismatch" (high: the site's own record and what it sends
 * disagree). A version the hub does not know yet is "not yet"; a version the site left unfiled
 * and has superseded will never be filed, and is refused without a finding. A document is
 * written once: the same bytes sent again are answered OK, another HTML for a version held is
 * refused.
 */
#ifndef HUB_DOCUMENTS_H
#define HUB_DOCUMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/err.h"
#include "common/wire.h"
#include "hub/findings.h"
#include "hub/registry.h"

typedef struct hub_documents hub_documents_t;

/* Opens hub.documents in db; registry and findings are borrowed and must outlive it. */
mm_err_t hub_documents_open(mm_db_t *db, hub_registry_t *registry, hub_findings_t *findings,
                            hub_documents_t **out);
/* Accepts NULL. */
void hub_documents_close(hub_documents_t *d);

/*
 * A document from site (the site ZAP named), checked and stored as the top of this file says;
 * out is the answer (its version, status and reason). now_us is the wall clock, the document's
 * received time. A storage error is answered NOT_YET (the site sends again) and logged.
 */
void hub_documents_receive(hub_documents_t *d, const char *site, const mm_filing_document_t *doc,
                           int64_t now_us, mm_document_ack_t *out);

/* A document as kept. markdown and html are owned and NUL-terminated (html "" when the site sent
 * none); hub_document_deinit frees them. */
typedef struct {
    uint32_t version;
    int64_t received_us;
    uint8_t sha256[32]; /* of the Markdown: the logged document_hash */
    char *markdown;
    size_t markdown_len;
    char *html;
    size_t html_len;
} hub_document_t;

/*
 * The document of site's version into out (the caller deinits it on MM_OK). MM_ENOTFOUND when
 * none is held, MM_ECORRUPT for a stored value that does not decode (logged), MM_ENOMEM, or a
 * storage error.
 */
mm_err_t hub_documents_get(hub_documents_t *d, const char *site, uint32_t version,
                           hub_document_t *out);
/* Frees what out owns; out is zeroed. Accepts a zeroed document. */
void hub_document_deinit(hub_document_t *doc);

#endif
