/*
 * documents.h: the standards documents the edge generated, kept as they were filed, and their
 * way to the hub (R-N4.2).
 *
 * A filing of the standards travels in the site log as a version and the SHA-256 of its
 * Markdown (configuration_changed, standards_filed); the city decides reading the document. So
 * when ops makes a version (ops.h), it keeps that version's Markdown and HTML here before it
 * logs the entry, exactly as rendered then, in the state directory:
 *
 *   <state_dir>/standards/<version>.md     the Markdown whose SHA-256 is the document_hash
 *   <state_dir>/standards/<version>.html   the printable HTML of the same version
 *
 * each written to a temporary name, synced, renamed and its directory synced. A kept document
 * is never rendered again from a configuration that may have changed since: what goes to the hub
 * is what was hashed then.
 *
 * The sender hands the hub one version at a time (through the caller's send hook: the uplink,
 * uplink.h), lowest first, and notes in edge.meta what the hub answered:
 *
 *   "document/<version>"  ->  {"status": "ok" | "refused" | "unsendable", "reason", "time_us"}
 *
 * A version with a record is not sent again; a version without one is sent (again) after a
 * restart, so a lost record costs one resend and nothing else. A version whose files are
 * missing (made before documents were kept) is skipped; one larger than MM_DOCUMENT_MAX is
 * recorded "unsendable". Everything runs on the loop thread.
 */
#ifndef EDGE_DOCUMENTS_H
#define EDGE_DOCUMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/wire.h"
#include "edge/store.h"

/*
 * Keeps version's Markdown (md) and HTML (html, may be NULL: none) in dir, made 0700 when
 * missing, replacing what was there. MM_OK once both are durable; MM_EINVAL for version 0 or
 * an over-long dir; MM_EIO (logged with the path) when they cannot be written.
 */
mm_err_t edge_documents_keep(const char *dir, uint32_t version, const char *md, const char *html);

/* Whether dir holds version's Markdown. */
int edge_documents_kept(const char *dir, uint32_t version);

/*
 * Reads version's document from dir into malloc'd buffers the caller frees: *md (*md_len bytes)
 * and *html (*html_len bytes; NULL and 0 when there is no HTML file). MM_ENOTFOUND when there is
 * no Markdown, MM_ETOOBIG when either is over MM_DOCUMENT_MAX, MM_EIO, MM_ENOMEM.
 */
mm_err_t edge_documents_load(const char *dir, uint32_t version, uint8_t **md, size_t *md_len,
                             uint8_t **html, size_t *html_len);

typedef struct edge_documents edge_documents_t;

typedef struct {
    const char *dir;     /* where the documents are kept (copied) */
    edge_store_t *store; /* the done records (borrowed) */
    /* Hands d (borrowed for the call) on to be sent: MM_OK when taken, else it is offered again
     * at the next pump. The answer comes back through edge_documents_done. */
    mm_err_t (*send)(void *arg, const mm_filing_document_t *d);
    void *arg;
} edge_documents_conf_t;

mm_err_t edge_documents_create(const edge_documents_conf_t *conf, edge_documents_t **out);
/* Accepts NULL. */
void edge_documents_destroy(edge_documents_t *d);

/* Offers the lowest version not yet answered to send, unless one is being sent: after start,
 * and whenever a version may have been made. */
void edge_documents_pump(edge_documents_t *d);

/*
 * The hub's final answer on version: stored (1) or refused (0, reason says why). Recorded, and
 * the next version offered. A version other than the one being sent is recorded all the same.
 */
void edge_documents_done(edge_documents_t *d, uint32_t version, int stored, const char *reason);

#endif
