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
 *   hub.disclosures       N (BE64)      -> the record of "disclosure-N" (hub_disclosure_rec_t,
 *                                          stored as JSON: disclosure_codec.h)
 *   hub.disclosure_meta   "downloads"   -> BE64 count of downloads ("download-N" notices)
 *   <state_dir>/exports/<site>/<id>.age.part   the ciphertext as it arrives (file 0600, dirs 0700)
 *   <state_dir>/exports/<site>/<id>.age        all of it, its SHA-256 the one the site logged
 *
 * A record keeps the request as filed (requester, legal basis, reference, reason, cameras,
 * range, recipient, deadline, the hub's signature of its statement and the hub-log entry that
 * logged it), its history (each step with its time, who took it, its text, the site's entry or
 * the hub's, and for an export its hashes and length), and as they happen: the site's
 * city_request entry (forwarded), the export the site logged, whether the site keeps the
 * request's footage under a legal hold ("holding": from its step "held" until the step that
 * released the holds — "denied", "expired" or the manager's "released" —, so that the city sees
 * which disclosures still hold footage, R-K2.2.6b, and when that was), the approval's entry,
 * when the hub held the whole ciphertext, and the downloads.
 *
 * Its state (hub_disclosure_state_t): "filed"; "forwarded" once the site logged the request;
 * then the step the site logged last ("held", "refused", "prepared", "approved", "denied",
 * "expired", "exported", "failed", "released" after a failure); "received" once the hub holds
 * the whole ciphertext, "downloaded" once the requester took it. After "received" the site's
 * later steps ("delivered", its "downloaded", "released") go to the history only.
 *
 * Only the loop thread calls these.
 */
#ifndef HUB_DISCLOSURE_H
#define HUB_DISCLOSURE_H

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
#include "hub/members.h"
#include "hub/registry.h"

/* Where a disclosure stands, and what each step of its history is: the hub's own ("filed",
 * "received", "downloaded"), "forwarded", and the site's steps (mm_disclosure_step_t), by name. */
#define HUB_DISCLOSURE_STATE_MAP(X, P)                                                             \
    X(P, FILED, "filed")                                                                           \
    X(P, FORWARDED, "forwarded")                                                                   \
    X(P, HELD, "held") X(P, REFUSED, "refused") X(P, PREPARED, "prepared")                         \
        X(P, APPROVED, "approved") X(P, DENIED, "denied") X(P, EXPIRED, "expired")                 \
            X(P, EXPORTED, "exported") X(P, FAILED, "failed") X(P, DELIVERED, "delivered")         \
                X(P, DOWNLOADED, "downloaded") X(P, RELEASED, "released")                          \
                    X(P, RECEIVED, "received")
MM_ENUM_DECLARE(hub_disclosure_state, HUB_DISCLOSURE_STATE, HUB_DISCLOSURE_STATE_MAP)

/* One step of a disclosure's history. */
typedef struct {
    int64_t time_us;
    hub_disclosure_state_t step;
    char by[MM_KEY_NAME_MAX]; /* who took it ("" for the site itself) */
    char text[MM_LONG_TEXT_MAX];
    int has_index;
    uint64_t index;         /* has_index: the site's entry of the step */
    uint64_t hub_log_index; /* the hub's log entry of it */
    int has_sha256, has_bytes, has_manifest;
    uint8_t sha256[32];
    uint64_t bytes;
    uint8_t manifest_sha256[32];
    char regions[MM_LONG_TEXT_MAX]; /* "" or the JSON array of the regions kept clear */
    char download[MM_ID_MAX];       /* a download's notice to the site, "" for none */
} hub_disclosure_step_t;

/* The export the site logged (its "exported" step). */
typedef struct {
    uint8_t sha256[32];
    uint64_t bytes;
    uint8_t manifest_sha256[32];
    uint64_t index;
    int64_t time_us;
} hub_disclosure_export_t;

/* A record's members that come as the disclosure goes, in the order they came (members.h). */
enum {
    HUB_DISCLOSURE_FORWARDED,      /* forwarded_index, forwarded_us */
    HUB_DISCLOSURE_EXPORT,         /* export */
    HUB_DISCLOSURE_HOLDS_RELEASED, /* holds_released_us */
    HUB_DISCLOSURE_APPROVED,       /* approved_index */
    HUB_DISCLOSURE_RECEIVED,       /* received_us */
    HUB_DISCLOSURE_PART,           /* part_sha256 */
    HUB_DISCLOSURE_DOWNLOADED,     /* downloaded_us */
};

/* The record of one disclosure request. history is owned: hub_disclosure_rec_init before use,
 * hub_disclosure_rec_deinit after. */
typedef struct {
    char id[MM_ID_MAX]; /* "disclosure-N" */
    char site[MM_KEY_NAME_MAX];
    hub_disclosure_state_t state;
    char requester[MM_KEY_NAME_MAX];
    char requester_name[128];
    char organisation[MM_TEXT_MAX];
    mm_legal_basis_t legal_basis;
    char reference[MM_TEXT_MAX];
    char reason[MM_LONG_TEXT_MAX];
    size_t n_cameras;
    char cameras[MM_REQUEST_CAMERAS_MAX][MM_ID_MAX];
    int64_t from_us, to_us;
    char recipient[128];
    int64_t time_us, deadline_us;
    char signature[96]; /* base64: the hub's signature of the statement */
    uint64_t hub_log_index;
    size_t n_history;
    hub_disclosure_step_t *history;
    int64_t downloads;
    int holding;
    hub_origin_t forwarded;         /* HUB_DISCLOSURE_FORWARDED: the site's city_request */
    hub_disclosure_export_t export; /* HUB_DISCLOSURE_EXPORT */
    int64_t holds_released_us;      /* HUB_DISCLOSURE_HOLDS_RELEASED */
    uint64_t approved_index;        /* HUB_DISCLOSURE_APPROVED */
    int64_t received_us;            /* HUB_DISCLOSURE_RECEIVED */
    uint8_t part_sha256[32];        /* HUB_DISCLOSURE_PART: which export the part on disk is of:
                                     * the build its chunks named, or, from an edge that names
                                     * none, the logged SHA-256 of the whole */
    int64_t downloaded_us;          /* HUB_DISCLOSURE_DOWNLOADED: the last download */
    hub_members_t members;
} hub_disclosure_rec_t;

void hub_disclosure_rec_init(hub_disclosure_rec_t *r);
void hub_disclosure_rec_deinit(hub_disclosure_rec_t *r);
/* A new step at the end of r's history (zeroed), NULL when out of memory. */
hub_disclosure_step_t *hub_disclosure_rec_add_step(hub_disclosure_rec_t *r);

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
 * (MM_EINVAL, nothing stored, logged or sent): an unknown site (404 "unknown_site"), a time
 * that looks like seconds or milliseconds (422 "range_in_seconds", "range_in_milliseconds"), a
 * range that ends after now (422 "range_in_future") or is longer than disclosure_max_hours
 * (422 "range_too_long"), a legal basis the site's policy does not admit (422
 * "basis_not_admitted", naming the clause, legalbasis.h; while the hub does not know the policy,
 * any basis not every policy admits), a camera the site's verified log never named (422
 * "unknown_camera":
 * "site X has no camera Y"), a range that ends before the site's first recording (422
 * "before_first_recording") or lies wholly before what the site keeps by its registered
 * retention with no hold on any of it (422 "outside_retention"; rangecheck.h), particulars too
 * long for one hub-log entry (422 "too_long"). Else
 * the record, the hub-log entry "disclosure_requested" and the request to the site commit in
 * one transaction, and out (initialised here; the caller deinits it) is the new record. Other
 * errors: storage (why says 500).
 */
mm_err_t hub_disclosure_file(hub_disclosure_t *d, const hub_person_t *who,
                             const hub_disclosure_body_t *b, int64_t now_us,
                             hub_disclosure_rec_t *out, hub_disclosure_why_t *why);

/* Calls fn for each record who may see (oversight and readonly: all; a requester: their own),
 * oldest first, until fn returns non-zero; rec is borrowed for the call. MM_OK or a storage
 * error. */
mm_err_t hub_disclosure_each(hub_disclosure_t *d, const hub_person_t *who,
                             int (*fn)(void *arg, const hub_disclosure_rec_t *rec), void *arg);

/* The record id into out (initialised here; the caller deinits it) if who may see it;
 * MM_ENOTFOUND when there is none or it is another requester's. */
mm_err_t hub_disclosure_get(hub_disclosure_t *d, const hub_person_t *who, const char *id,
                            hub_disclosure_rec_t *out);

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
 * holds (have: synced; received: written) when the chunk does not start where the part ends, so
 * that a transfer resumes after a broken link or a restart; CONTINUE after storing it (written;
 * fdatasync'd at once for a chunk without a window, else every few MiB, and have is what is
 * synced); COMPLETE when the hub
 * holds all of it and its SHA-256 is the logged one (and for any chunk after that). A whole file
 * whose hash differs is emptied and REFUSED "hash mismatch; send again from 0": the hub keeps
 * nothing of it, and a new transfer from 0 is accepted. Storage errors answer WAIT (the edge tries
 * again later).
 */
void hub_disclosure_chunk(hub_disclosure_t *d, const char *site, const mm_export_chunk_t *c,
                          int64_t now_us, mm_export_ack_t *out);

#endif
