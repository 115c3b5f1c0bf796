/*
 * disclosure.h: disclosure requests at the site — the only way footage leaves it (R-K2.2.5,
 * R-K2.2.6b, R-N7.3, R-N7.4, R-N7.6, R-N8; DESIGN.md "Disclosure"; docs/protocol.md "Disclosure
 * requests").
 *
 * A request comes from the hub as a city request of kind "disclosure" (wire.h), logged first as
 * its city_request entry (requests.h) and then handed here. Each step it takes is one
 * `disclosure` entry in the site log, written in the same transaction as the request's record
 * in edge.meta, "disclosure/<id>", so that the record and the log never disagree:
 *
 *   held        the hub's Ed25519 signature over the disclosure statement (mm_disclosure_statement
 *               with this site's id) verifies, every camera is one of the site's, the range runs
 *               forwards, the recipient is an age X25519 recipient, the id is 1-63 of
 *               [A-Za-z0-9._-]: a legal hold is placed on each camera's footage in the range
 *               (hold ids "dsc.<id>.<n>", n the camera's place in the request) before the entry
 *   refused     one of those checks failed; the text says which; no hold
 *   prepared    an operator or the manager chose the cameras (a subset of the request's) and the
 *               range (inside the request's) and added a note; the last preparation is what an
 *               approval exports
 *   approved    the manager approved, with a reason; for own images (R-N8) with the regions that
 *               show the requester. Nobody approves what they prepared alone: refused when every
 *               preparation so far is the approver's own (none at all is fine)
 *   denied      the manager denied, with a reason; the holds are released
 *   expired     undecided at the request's deadline; the holds are released
 *   exported    the export (export.h) is built and encrypted to the requester, in
 *               <exports_dir>/<id>.age; its SHA-256, size and the manifest's SHA-256 are logged
 *   failed      the export or its transfer failed; the text says what; the manager may approve
 *               again
 *   delivered   the hub holds the whole export; the site's copy is deleted
 *   downloaded  the hub says the requester downloaded it
 *   released    the manager ended the legal hold, with a reason, once the export was delivered
 *               (or downloaded) or had failed: the inquiry no longer needs the footage
 *               (R-K2.2.6b: kept as long as it needs, and no longer); the holds are released.
 *               Nothing else ends the hold of an approved request: nothing is released on its
 *               own, not even once the requester has downloaded the export
 *
 * The record: {"id", "state" (the last step's name), "legal_basis", "reference", "requester",
 * "recipient", "cameras": [ids], "from_us", "to_us", "reason", "time_us", "deadline_us",
 * "signature" (hex), "received_us", "updated_us", "holds": [hold ids], "refusal" (why, when
 * refused), "preparations": [{"by", "time_us", "cameras", "from_us", "to_us", "note"}],
 * "decision": null or {"state" ("approved", "denied", "expired"), "by", "time_us", "reason",
 * "cameras", "from_us", "to_us", "regions": [{"camera", "x", "y", "w", "h"}]}, "attempts"
 * (approvals so far), "failure" (the last failure, "" none), "export": null or {"sha256",
 * "bytes", "manifest_sha256", "exported_us", "delivered_us"} (hex digests), "downloaded_us",
 * "release": null or {"by", "time_us", "reason"}}.
 * What the control socket shows adds "selection" ({"cameras", "from_us", "to_us"}: what an
 * approval now would export) and "waiting_for" ("manager", "export", "hub" or "").
 *
 * Nothing is lost to a stop: a receipt is finished at the next start from the logged city
 * request (holds already placed are recognised), the holds of a denial, an expiry or a release
 * are released again, an approved export is built again, and an exported one is sent again. The
 * export runs on a libuv worker thread (one at a time), reading the store and the footage as
 * playback does (LMDB read transactions of their own, MDB_NOTLS; keyring.h is thread-safe);
 * everything else, every write included, runs on the loop thread.
 */
#ifndef EDGE_DISCLOSURE_H
#define EDGE_DISCLOSURE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "common/err.h"
#include "common/keys.h"
#include "common/wire.h"
#include "edge/store.h"
#include "edge/vault.h"

#define EDGE_DISCLOSURE_PREPS_MAX 32   /* preparations of one request */
#define EDGE_DISCLOSURE_REGIONS_MAX 32 /* regions kept clear in one approval (redact.h) */

typedef struct edge_disclosure edge_disclosure_t;

typedef struct {
    uv_loop_t *loop;
    edge_store_t *store;
    const edge_vault_t *vault;    /* read by the export's worker thread too */
    const mm_keypair_t *site_key; /* signs the export's manifest */
    const char *site;             /* this site's id, as the hub's statement names it */
    const char *timezone;         /* the site's zone (IANA), for the export's manifest, or NULL */
    mm_policy_t policy;           /* the site's policy: the legal bases it admits (legalbasis.h) */
    const uint8_t *hub_pub;       /* the hub's Ed25519 public key (32 bytes) */
    const char *const *cameras;   /* this site's cameras (copied) */
    size_t n_cameras;
    const char *exports_dir; /* ciphertexts and the export's clear work files; made 0700 */
    uint64_t sweep_ms;       /* deadlines are checked this often; default 10000 */
    /* An entry was appended (wake the uplink). NULL: nobody is told. */
    void (*logged)(void *arg);
    /* An export is logged as exported: send path (total bytes, sha256) to the hub, and call
     * edge_disclosure_transfer_done when it ends. Called again for the same export after a
     * start and on every sweep while it is not delivered; the callee ignores what it is
     * sending already. NULL: nothing is sent. */
    void (*send)(void *arg, const char *id, const char *path, uint64_t total,
                 const uint8_t sha256[32]);
    /* An export is being built into path, its first ready bytes written for good: they may go
     * to the hub before it is logged. Called with ready 0 when the build starts, then as it
     * grows (from the loop thread, at most every few MiB), and with path NULL when the build
     * ended without an export; a build that ends with one is handed to send. NULL: nothing is
     * sent before the export is logged. */
    void (*building)(void *arg, const char *id, const char *path, uint64_t ready);
    void *arg;
} edge_disclosure_conf_t;

/*
 * Creates the module (everything in conf is borrowed but the cameras, and must outlive it) and
 * the exports directory. Starts nothing: call edge_disclosure_start. MM_ENOMEM, MM_EINVAL for a
 * missing field, MM_EIO when the directory cannot be made.
 */
mm_err_t edge_disclosure_create(const edge_disclosure_conf_t *conf, edge_disclosure_t **out);

/*
 * At start: removes what a stop left in the exports directory (clear work files, partial
 * ciphertexts, ciphertexts no longer to be sent), finishes what a stop interrupted (see above),
 * expires what is past its deadline, and starts the timer that checks deadlines. Errors are
 * logged and retried by the timer; the first is returned.
 */
mm_err_t edge_disclosure_start(edge_disclosure_t *d, int64_t now_us);

/*
 * A request of kind "disclosure" or "disclosure_downloaded" that the site has logged as its
 * city_request entry. Each is handled once, however often it comes: a disclosure is held or
 * refused; a download notice logs step "downloaded" for its request. MM_EINVAL for another
 * kind, MM_ENOTFOUND for a notice about a request the site does not know, store errors (then it
 * is finished by the next sweep).
 */
mm_err_t edge_disclosure_receive(edge_disclosure_t *d, const mm_city_request_t *q, int64_t now_us);

/* What the timer does: finishes receipts that failed, expires undecided requests past their
 * deadline (releasing their holds), starts an approved export, sends exported ones. */
mm_err_t edge_disclosure_sweep(edge_disclosure_t *d, int64_t now_us);

/*
 * The steps people take; by is the person's id (the control socket has checked the role). On
 * success *out (may be NULL) is the request as the control socket shows it (caller owns it).
 * Errors, with why in msg (cap bytes), nothing changed: MM_ENOTFOUND (no such request),
 * MM_ECONFLICT (not in a state that allows the step: refused, decided, expired — a request past
 * its deadline is expired first —, being exported or delivered; approve: every preparation so
 * far is the approver's own), MM_EINVAL (a camera not the request's, a range outside it, bad or
 * misplaced regions, too many preparations, empty or over-long text), store errors.
 *
 * prepare: cameras[0..n) (n = 0: the request's), [from_us, to_us) (0: the request's bound),
 * note ("" or NULL: none).
 * approve: reason 1..2047 bytes; keep[0..n_keep) regions "CAMERA:x,y,w,h" in fractions of the
 * frame (each 0..1, w and h > 0, x + w <= 1, y + h <= 1), required for legal basis own_images
 * and refused for any other; their camera is one of those approved. The export starts at once
 * on a worker thread.
 * deny: reason 1..2047 bytes; the holds are released.
 */
mm_err_t edge_disclosure_prepare(edge_disclosure_t *d, const char *id, const char *by,
                                 const char *const *cameras, size_t n, int64_t from_us,
                                 int64_t to_us, const char *note, int64_t now_us, json_t **out,
                                 char *msg, size_t cap);
mm_err_t edge_disclosure_approve(edge_disclosure_t *d, const char *id, const char *by,
                                 const char *reason, const char *const *keep, size_t n_keep,
                                 int64_t now_us, json_t **out, char *msg, size_t cap);
mm_err_t edge_disclosure_deny(edge_disclosure_t *d, const char *id, const char *by,
                              const char *reason, int64_t now_us, json_t **out, char *msg,
                              size_t cap);

/*
 * The manager ends the legal hold of an approved request (R-K2.2.6b): by and the reason (1..2047
 * bytes) are logged as step "released", then every hold of the request still there is
 * released (a stop in between: the next start releases them), and retention erases what they
 * kept past its time. *out and msg as for the steps above. Errors, nothing changed:
 * MM_ENOTFOUND (no such request), MM_ECONFLICT (not approved: undecided — deny it instead —,
 * refused, denied or expired; approved but its export is being built or sent to the hub;
 * released already, or none of its holds is left), MM_EINVAL (no or over-long reason), store
 * errors.
 */
mm_err_t edge_disclosure_release(edge_disclosure_t *d, const char *id, const char *by,
                                 const char *reason, int64_t now_us, json_t **out, char *msg,
                                 size_t cap);

/*
 * Every request, in id order: {"disclosures": [request as shown], "waiting": n} where n counts
 * those waiting for the manager (held, prepared, failed). Caller owns *out. MM_ECORRUPT,
 * MM_ENOMEM, store errors.
 */
mm_err_t edge_disclosure_list(edge_disclosure_t *d, json_t **out);

/* How many requests wait for the manager (held, prepared, failed). */
mm_err_t edge_disclosure_waiting(edge_disclosure_t *d, size_t *n);

/* Whether an export is being built (on the worker thread). */
int edge_disclosure_exporting(const edge_disclosure_t *d);

/*
 * The transfer of id's export ended: delivered (the hub holds all of it: step "delivered", the
 * ciphertext is deleted) or not (step "failed" with reason; the manager may approve again).
 * Ignored, with a warning, unless the request is in state exported.
 */
void edge_disclosure_transfer_done(edge_disclosure_t *d, const char *id, int delivered,
                                   const char *reason, int64_t now_us);

/*
 * Stops the timer and asks a running export to stop (its request stays approved and is
 * exported again at the next start); frees d once libuv has closed its handle and the worker
 * has returned, then calls done (may be NULL). Accepts NULL.
 */
void edge_disclosure_close(edge_disclosure_t *d, void (*done)(void *arg), void *arg);

#endif
