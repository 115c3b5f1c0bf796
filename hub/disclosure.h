/*
 * disclosure.h: the hub's side of a disclosure (issue 6; R-K2.2.5, R-N7.3, R-N7.4, R-N7.6, R-N8;
 * DESIGN.md "Disclosure").
 *
 * A requester files a request here. The hub checks it against its clock, its configuration and
 * what the site's verified log says the site has; logs it in its own log; signs its statement
 * (wire.h mm_disclosure_statement) with the hub's key; and puts it among the site's requests
 * (registry.h), which go out with every ack until the site logs that it has it. The site holds
 * the footage and its manager decides; every step the site logs (a disclosure entry) is learned
 * as the mirror stores the entry, and logged again in the hub's own log in the same
 * transaction, so that each step is in both logs or in neither (R-N7.6). On approval the site
 * sends the export's ciphertext in chunks; the hub keeps only that ciphertext, which it cannot
 * read (it holds no key), and hands it to the requester who filed the request and to nobody
 * else: the city oversees disclosures, it does not receive footage.
 *
 *   hub.disclosures       N (BE64)      -> the record of "disclosure-N" (JSON, below)
 *   hub.disclosure_meta   "downloads"   -> BE64 count of downloads ("download-N" notices)
 *   <state_dir>/exports/<site>/<id>.age.part   the ciphertext as it arrives (file 0600, dirs 0700)
 *   <state_dir>/exports/<site>/<id>.age        all of it, its SHA-256 the one the site logged
 *
 * A record: {"id", "site", "state", "requester": {"id", "name", "organisation"}, "legal_basis",
 * "reference", "reason", "cameras": [...], "from_us", "to_us", "recipient", "time_us",
 * "deadline_us", "signature" (base64, the hub's Ed25519 signature of the statement),
 * "hub_log_index", "history": [{"time_us", "step", "by", "text", and "index" (the site log's)
 * or "hub_log_index", with "sha256", "bytes", "manifest_sha256" for "exported"}], "export":
 * {"sha256", "bytes", "manifest_sha256", "index", "time_us"} once the site logged it,
 * "forwarded_index"/"forwarded_us" (the site's city_request entry), "received_us",
 * "downloaded_us", "downloads", "holding" (whether the site keeps the request's footage under a
 * legal hold: true from its step "held" until the step that released the holds — "denied",
 * "expired" or the manager's "released" —, so that the city sees which disclosures still hold
 * footage, R-K2.2.6b), "holds_released_us" (the site's time of that step, once logged)}.
 *
 * state: "filed"; "forwarded" once the site logged the request; then the step the site logged
 * last ("held", "refused", "prepared", "approved", "denied", "expired", "exported", "failed",
 * "released" after a failure); "received" once the hub holds the whole ciphertext,
 * "downloaded" once the requester took it. After "received" the site's later steps
 * ("delivered", its "downloaded", "released") go to the history only.
 *
 * Only the loop thread calls these.
 */
#ifndef HUB_DISCLOSURE_H
#define HUB_DISCLOSURE_H

#include <jansson.h>
#include <lmdb.h>
#include <stdint.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/err.h"
#include "common/keys.h"
#include "common/wire.h"
#include "hub/apibody.h"
#include "hub/audit.h"
#include "hub/hubconf.h"
#include "hub/registry.h"

typedef struct hub_disclosure hub_disclosure_t;

/*
 * Opens the module's databases in db (at start-up, before other transactions). cfg gives the
 * sites, people, limits and state_dir (exports go under <state_dir>/exports); keys are the
 * hub's (its Ed25519 key signs each request); the city actions of disclosures go to the hub's
 * log through audit (audit.h), which announces them once they commit. All must outlive the
 * module.
 */
mm_err_t hub_disclosure_open(mm_db_t *db, const hub_config_t *cfg, const mm_keypair_t *keys,
                             hub_registry_t *registry, hub_audit_t *audit, hub_disclosure_t **out);
/* Accepts NULL. */
void hub_disclosure_close(hub_disclosure_t *d);

/* Why a call was refused: the HTTP status it answers with, an error code and what is wrong. */
typedef struct {
    int status;
    const char *code;
    char message[512];
} hub_disclosure_why_t;

/*
 * Files the request b (parsed by hub_body_disclosure) by the requester who at now_us. Refused
 * (MM_EINVAL, nothing stored, logged or sent): an unknown site (404 "unknown_site"), a camera
 * the site's verified log never named (422 "unknown_camera": "site X has no camera Y"), a
 * range that ends after now (422 "range_in_future") or is longer than disclosure_max_hours
 * (422 "range_too_long"), particulars too long for one hub-log entry (422 "too_long"). Else
 * the record, the hub-log entry "disclosure_requested" and the request to the site commit in
 * one transaction, and *out is the new record (a new reference). Other errors: storage (why
 * says 500).
 */
mm_err_t hub_disclosure_file(hub_disclosure_t *d, const hub_person_t *who,
                             const hub_disclosure_body_t *b, int64_t now_us, json_t **out,
                             hub_disclosure_why_t *why);

/* The records who may see (oversight and readonly: all; a requester: their own), oldest
 * first, as a new array; NULL on a storage error. */
json_t *hub_disclosure_list(hub_disclosure_t *d, const hub_person_t *who);

/* The record id if who may see it (a new reference); MM_ENOTFOUND when there is none or it is
 * another requester's. */
mm_err_t hub_disclosure_get(hub_disclosure_t *d, const hub_person_t *who, const char *id,
                            json_t **out);

/*
 * The export of id for who to download: only the requester who filed it may (another
 * requester: 403 "this export is another requester's"; oversight and readonly: 403, the city
 * does not receive footage); an unknown id 404; 409 until the hub holds all of it. On MM_OK
 * *fd is the ciphertext opened for reading (the caller closes it), *size its length, and the
 * download is already in the hub's log ("disclosure_downloaded"), in the record, and among the
 * site's requests as a notice ("download-N", kind "disclosure_downloaded"), in one commit:
 * nothing is handed out that is not logged first. MM_EINVAL with why when refused; other
 * errors with why at 500.
 */
mm_err_t hub_disclosure_download(hub_disclosure_t *d, const hub_person_t *who, const char *id,
                                 int64_t now_us, int *fd, uint64_t *size,
                                 hub_disclosure_why_t *why);

/*
 * Learns from entry index of site's verified log (e, as the mirror decoded it), inside the mirror's
 * write transaction txn (mirror.h hub_mirror_set_applier): the site's city_request entry of a
 * disclosure marks it forwarded; a disclosure entry adds its step to the record and appends
 * "disclosure_<step>" to the hub's log in txn. Entries of other kinds, and steps of requests
 * that are not this site's, change nothing. Returns only storage errors (MM_EFULL included),
 * which abort the batch; the feed hears of the new hub-log entries at
 * hub_disclosure_applied(d, 1).
 */
mm_err_t hub_disclosure_apply_in(hub_disclosure_t *d, MDB_txn *txn, const char *site,
                                 uint64_t index, const mm_entry_t *e);
/* The mirror's transaction is over: committed, its hub-log entries go to the feed; else they
 * are forgotten (hub_audit_done). */
void hub_disclosure_applied(hub_disclosure_t *d, int committed);

/*
 * Answers a chunk of an export's ciphertext from site (who ZAP says sent it: never a name in
 * the message). REFUSED when no request of that id is site's, when it was refused, denied,
 * expired or released before the hub held its export, when the site logged an export it never
 * approved, or when the chunk's total and SHA-256 are not the ones of the site's logged
 * "exported" step; WAIT until the verified log shows that step; CONTINUE with what the hub
 * holds (have) when the chunk does not start there, so that a transfer resumes after a broken
 * link or a restart; CONTINUE after storing it (written and fdatasync'd); COMPLETE when the hub
 * holds all of it and its SHA-256 is the logged one (and for any chunk after that). A whole file
 * whose hash differs is emptied and REFUSED "hash mismatch; send again from 0": the hub keeps
 * nothing of it, and a new transfer from 0 is accepted. Storage errors answer WAIT (the edge tries
 * again later).
 */
void hub_disclosure_chunk(hub_disclosure_t *d, const char *site, const mm_export_chunk_t *c,
                          int64_t now_us, mm_export_ack_t *out);

#endif
