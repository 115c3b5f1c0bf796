/*
 * uplink.h: sending the site log to the hub (docs/protocol.md).
 *
 * A DEALER socket with CURVE connects to the hub. One batch is in flight at a time: the entries
 * from the size the hub last acknowledged, with a checkpoint signed for exactly their end. An
 * acknowledgement moves the acknowledged size forward and stores the hub's cosignature with the
 * checkpoint; no answer within the resend interval sends again; WRONG_SIZE adopts the hub's
 * size; REFUSED waits before trying again. While the hub is away nothing is lost: entries stay
 * in the log and go out when it returns.
 *
 * When no entries wait, an empty batch presenting the current checkpoint (a hello) goes out
 * every keepalive interval, so that the hub's answers, and the city requests they carry, reach
 * a quiet site too. Every acknowledgement's requests, whatever its status, are handed to the
 * requests hook on the loop thread; the hub sends them again until the site has logged them.
 *
 * Disclosure exports (disclosure.h) go to the hub on the same socket, as ExportChunk messages of
 * at most MM_EXPORT_CHUNK_MAX bytes, read from the ciphertext file, starting once the hub has
 * acknowledged the log as it stood when the export was handed over (which holds its "exported"
 * entry, without which the hub answers WAIT). Each export keeps a window in flight: chunks up to
 * EDGE_UPLINK_WINDOW bytes beyond the `have` the hub last acknowledged — the bytes it holds synced,
 * so that a broken link or a restart resumes where the hub's durable copy ends —, which the chunks
 * name so that the hub syncs every few MiB rather than every chunk. The hub's ExportAck (matched by
 * request id and the chunk's seq) says what to do: CONTINUE moves `have` and, when the hub did not
 * write the chunk where it was sent (its `received` is not the chunk's end), sends from `received`,
 * answers to what was in flight before ignored; WAIT (the hub's verified copy of the log does not
 * yet show the export's "exported" entry) sends again from `have` after export_wait_ms, while the
 * batches that carry the entry go on; REFUSED and COMPLETE end the transfer. No answer within the
 * resend interval sends from the last known `have` again. Batches and chunks each keep their own
 * slot in flight, so neither waits for the other.
 *
 * An export may be handed over while it is still being built (edge_uplink_export_building): its
 * bytes go as they are written, as chunks marked `building` with no length or hash, once the
 * hub has acknowledged the log as it stood then (which holds the request's "approved" entry).
 * Every chunk names the build: the SHA-256 of the file's first MM_EXPORT_BUILD_PREFIX bytes, so
 * that the hub keeps one build's bytes, and a resend after a restart (the same file) resumes
 * where its copy ends while a new build starts again. When the build is logged,
 * edge_uplink_send_export turns the transfer into an ordinary one: the rest, and an empty chunk
 * where the file ends if all was sent, name the logged length and hash. While building, the
 * hub's REFUSED ends the early transfer quietly (the request ended meanwhile); the export is sent
 * whole once logged (from its start, when the refusal of a chunk sent while built comes after). Chunks being built go only to a hub whose last acknowledgement named
 * MM_FEATURE_EXPORT_BUILDING: an older hub cannot decode them, and gets the export once logged.
 *
 * A standards document (FilingDocument, documents.h) has a slot of its own too, one document at
 * a time. It goes once the hub has acknowledged the log as it stood when the document was handed
 * over — which holds the entry with the version's document_hash —, and again after the resend
 * interval without an answer (a link that broke and came back), and after NOT_YET (the hub's
 * verified copy does not show the version yet) with a wait that doubles from export_wait_ms up to
 * a minute. OK and REFUSED end it.
 */
#ifndef EDGE_UPLINK_H
#define EDGE_UPLINK_H

#include <stdint.h>
#include <uv.h>

#include "common/err.h"
#include "common/keys.h"
#include "common/note.h"
#include "common/wire.h"
#include "edge/store.h"

#define EDGE_UPLINK_BATCH 256 /* most entries per batch */
#define EDGE_UPLINK_WINDOW (16u * 1024 * 1024) /* an export's bytes in flight beyond `have` */
#define EDGE_UPLINK_WINDOW_CHUNKS (EDGE_UPLINK_WINDOW / MM_EXPORT_CHUNK_MAX)

typedef struct edge_uplink edge_uplink_t;

typedef struct {
    const char *site;         /* site id; the log origin is "mimamori/site/<site>" */
    const mm_keypair_t *keys; /* the site's keys (borrowed) */
    const char *hub_endpoint;
    const char *hub_curve_public;
    const mm_note_verifier_t *hub_verifier;
    uint64_t resend_ms;       /* default 5000 */
    uint64_t refused_wait_ms; /* default 30000 */
    uint64_t keepalive_ms;    /* a hello when idle this long; default 5000 */
    uint64_t export_wait_ms;  /* after an export's WAIT; default 1000 */
    /* The city's requests in an acknowledgement (r[0..n), valid during the call); NULL: none
     * wanted. It may append to the log and kick the uplink. */
    void (*requests)(void *arg, const mm_city_request_t *r, size_t n);
    void *arg;
} edge_uplink_conf_t;

/* Connects and starts the send timer on loop. zctx is the daemon's ZeroMQ context. */
mm_err_t edge_uplink_create(uv_loop_t *loop, void *zctx, edge_store_t *store,
                            const edge_uplink_conf_t *conf, edge_uplink_t **out);

/* Says that the log has grown; sends at once when nothing is in flight. */
void edge_uplink_kick(edge_uplink_t *up);

#define EDGE_UPLINK_EXPORTS 8 /* exports sent at once */

/*
 * How a transfer ended: delivered (COMPLETE) or not (the hub REFUSED it, or the file could not be
 * read: reason says why). Called on the loop thread, never from within edge_uplink_send_export,
 * and not at all when the uplink closes first.
 */
typedef void (*edge_uplink_export_done_fn)(void *arg, const char *id, int delivered,
                                           const char *reason);

/*
 * Starts sending the export of request id: the file at path (copied), total bytes whose SHA-256
 * is sha256, exactly as logged in the "exported" entry. An export being sent while built goes on
 * as this one, from where it is. MM_OK also when that id is being sent already (nothing changes
 * then); MM_EINVAL for an empty or over-long id or path, or total 0; MM_EFULL when
 * EDGE_UPLINK_EXPORTS are being sent; MM_ENOMEM.
 */
mm_err_t edge_uplink_send_export(edge_uplink_t *up, const char *id, const char *path,
                                 uint64_t total, const uint8_t sha256[32],
                                 edge_uplink_export_done_fn done, void *arg);

/*
 * The export of request id is being built into the file at path (copied), of which the first
 * ready bytes are written and will not change: they may go to the hub before the export is
 * logged. Called first with ready 0, then as the file grows; path NULL ends it (the build ended
 * without an export: nothing more is sent, and done is not called). The first call starts the
 * transfer (MM_EFULL, MM_ENOMEM, MM_EINVAL as for edge_uplink_send_export: the export then goes
 * once logged); later ones only move ready, and MM_OK when no such transfer is kept.
 */
mm_err_t edge_uplink_export_building(edge_uplink_t *up, const char *id, const char *path,
                                     uint64_t ready, edge_uplink_export_done_fn done, void *arg);

/* How sending a standards document ended: the hub stored it (stored 1) or refused it (0, reason
 * says why). Called on the loop thread, never from within edge_uplink_send_document, and not at
 * all when the uplink closes first. */
typedef void (*edge_uplink_document_done_fn)(void *arg, uint32_t version, int stored,
                                             const char *reason);

/*
 * Starts sending d (copied) as described above. MM_EFULL when a document is being sent already;
 * MM_EINVAL for what mm_msg_encode_filing_document refuses; MM_ENOMEM; the errors of
 * edge_store_size.
 */
mm_err_t edge_uplink_send_document(edge_uplink_t *up, const mm_filing_document_t *d,
                                   edge_uplink_document_done_fn done, void *arg);

/* When (mm_now_us) the hub last acknowledged a batch, 0 when it has not since the start. */
int64_t edge_uplink_last_contact(const edge_uplink_t *up);

/* Stops, closes the socket and frees up once libuv has closed its handles, then calls done. */
void edge_uplink_close(edge_uplink_t *up, void (*done)(void *arg), void *arg);

#endif
