/*
 * link.h: the hub's side of the edge link — a ROUTER socket with CURVE (server), whose every
 * message is attributed to the site ZAP named (User-Id), verified by the mirror, and answered.
 */
#ifndef HUB_LINK_H
#define HUB_LINK_H

#include <uv.h>

#include "common/err.h"
#include "common/keys.h"
#include "common/wire.h"
#include "hub/mirror.h"

typedef struct hub_link hub_link_t;

/*
 * A site's message is one frame of at most MM_WIRE_MAX bytes. One of more parts is a finding
 * "multipart_message", one larger than MM_WIRE_MAX a finding "oversized_message" (both medium,
 * evidence: "parts" and "bytes", counted up when the site repeats it, like "malformed_message"),
 * and is refused unread. A frame larger than HUB_LINK_FRAME_CEILING is never read: libzmq
 * (ZMQ_MAXMSGSIZE) drops the connection, before the hub can know who sent it.
 */
#define HUB_LINK_MULTIPART "multipart_message"
#define HUB_LINK_OVERSIZED "oversized_message"
#define HUB_LINK_FRAME_CEILING (8 * MM_WIRE_MAX)

/*
 * Batches that arrive together, from any number of sites, are verified and stored in one
 * transaction with one synced commit (hub_mirror_batches), at most this many a transaction;
 * each site's acknowledgement is sent only after that commit.
 */
#define HUB_LINK_GROUP_MAX 256

/* Binds endpoint with the hub's CURVE keys. The ZAP handler must exist already. */
mm_err_t hub_link_create(uv_loop_t *loop, void *zctx, const char *endpoint,
                         const mm_keypair_t *keys, hub_mirror_t *mirror, hub_link_t **out);
void hub_link_close(hub_link_t *l, void (*done)(void *arg), void *arg);

/* What the city asks of a site, to go with every ack to it until the site has logged it:
 * fn fills up to cap requests for site and returns how many. */
typedef size_t (*hub_link_requests_fn)(void *arg, const char *site, mm_city_request_t *out,
                                       size_t cap);
void hub_link_set_requests(hub_link_t *l, hub_link_requests_fn fn, void *arg);

/* What answers an ExportChunk from site (the site ZAP named, as for batches: never a name in
 * the message): fn fills out, which goes back with the chunk's seq. Until this is set a chunk
 * is refused like any message that is not a batch. */
typedef void (*hub_link_export_fn)(void *arg, const char *site, const mm_export_chunk_t *c,
                                   mm_export_ack_t *out);
void hub_link_set_exports(hub_link_t *l, hub_link_export_fn fn, void *arg);

/* What answers a FilingDocument from site (the site ZAP named): fn fills out, which goes back as
 * a DocumentAck with the document's seq (documents.h). Until this is set a document is refused
 * like any message that is not a batch. */
typedef void (*hub_link_document_fn)(void *arg, const char *site, const mm_filing_document_t *d,
                                     mm_document_ack_t *out);
void hub_link_set_documents(hub_link_t *l, hub_link_document_fn fn, void *arg);

#endif
