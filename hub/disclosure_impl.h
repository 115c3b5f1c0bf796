/*
 * disclosure_impl.h: the inside of the disclosure module (disclosure.h), shared by its files:
 * disclosure.c (records, filing, reading, downloads), disclosure_steps.c (what the site logs)
 * and disclosure_export.c (the ciphertext on disk, chunk by chunk). As with api_impl.h, one
 * private header: the files are parts of one module with one public face.
 */
#ifndef HUB_DISCLOSURE_IMPL_H
#define HUB_DISCLOSURE_IMPL_H

#include <limits.h>
#include <stdint.h>

#include "common/crypto.h"
#include "hub/disclosure.h"

#define HUB_DISCLOSURE_PART_HASHES 4 /* transfers whose running SHA-256 is kept */

/* The running SHA-256 of one transfer: of the first `at` bytes of its part file, of which the
 * first `synced` are known to be on disk (fdatasync'd). */
typedef struct {
    char site[MM_ID_MAX]; /* "": free */
    uint64_t n;
    uint8_t ident[32]; /* the export the transfer is of (the part's identity, disclosure.h) */
    uint64_t at;
    uint64_t synced;
    uint64_t used; /* for reuse: the least recently used goes */
    mm_sha256_ctx_t *ctx;
} hub_part_hash_t;

/* A request that ended in the mirror's transaction: its part goes once that commits. */
typedef struct {
    char site[MM_ID_MAX];
    char id[MM_ID_MAX];
} hub_part_end_t;

struct hub_disclosure {
    mm_db_t *db;
    MDB_dbi dbi, meta;
    const hub_config_t *cfg;
    const mm_keypair_t *keys;
    hub_registry_t *registry;
    hub_audit_t *audit;
    hub_part_hash_t parts[HUB_DISCLOSURE_PART_HASHES];
    uint64_t tick;
    hub_part_end_t *ended; /* requests ended in the transaction under way (disclosure_steps.c) */
    size_t n_ended, cap_ended;
};

/* --- records (disclosure.c) ----------------------------------------------------------------- */

/* N of "disclosure-N" (decimal, no leading zero, N >= 1), or 0 when id is not one. */
uint64_t hub_disclosure_number(const char *id);
/* The record N in txn into out (initialised here; the caller deinits it): MM_OK, MM_ENOTFOUND
 * (none, or damaged), or a storage error. */
mm_err_t hub_disclosure_load(hub_disclosure_t *d, MDB_txn *txn, uint64_t n,
                             hub_disclosure_rec_t *out);
/* The same in a read transaction of its own. */
mm_err_t hub_disclosure_load_read(hub_disclosure_t *d, uint64_t n, hub_disclosure_rec_t *out);
mm_err_t hub_disclosure_put(hub_disclosure_t *d, MDB_txn *txn, uint64_t n,
                            const hub_disclosure_rec_t *rec);
/* A city action about disclosure id of site by person (with role) at now. */
hub_city_action_t hub_disclosure_action(hub_action_t what, int64_t now, const char *site,
                                        const char *id, const char *person, const char *role);

/* A change of the hub's own to record n, in one transaction with its hub-log entry. */
typedef struct {
    hub_disclosure_t *d;
    uint64_t n;
    hub_city_action_t *a; /* NULL: no city action */
    uint64_t index;       /* of a in the hub's log */
    int64_t now;
    hub_disclosure_state_t step; /* HUB_DISCLOSURE_STATE_RECEIVED or _DOWNLOADED; _FILED: none */
    const char *by;
    const uint8_t *part_sha256; /* NULL, or which export the part on disk is of (no step) */
    char download[MM_ID_MAX];   /* "downloaded": the notice's id, made here */
} hub_disclosure_change_t;

/* mm_db_write's function for a hub_disclosure_change_t (hub_audit_write when a is set). */
mm_err_t hub_disclosure_change_txn(MDB_txn *txn, void *arg);

/* --- the checks of a request (disclosure_check.c) ------------------------------------------- */

/*
 * Whether the range of request b can hold footage at the site whose record is site (rangecheck.h:
 * the first recording, the registered retention, the holds in place — the site's own, and the
 * disclosures' that still hold): 0, or -1 with why (422 and the range check's code and message,
 * or 500 "storage").
 */
int hub_disclosure_check_footage(hub_disclosure_t *d, const hub_disclosure_body_t *b,
                                 const hub_site_record_t *site, int64_t now_us,
                                 hub_disclosure_why_t *why);

/* --- exports on disk (disclosure_export.c) -------------------------------------------------- */

typedef struct {
    char dir[PATH_MAX];
    char part[PATH_MAX];
    char whole[PATH_MAX];
} hub_export_paths_t;

/* The paths of export id of site: 0, or -1 when they do not fit. */
int hub_disclosure_export_paths(hub_disclosure_t *d, const char *site, const char *id,
                                hub_export_paths_t *p);
/* Whether a request in state has ended: no export of it is taken any more (refused, denied,
 * expired, released). */
int hub_disclosure_ended(hub_disclosure_state_t state);
/* Removes the part of request id's export from site: ciphertext the hub will never take whole
 * (the request ended) nor can read. Quiet when there is none. */
void hub_disclosure_drop_part(hub_disclosure_t *d, const char *site, const char *id);
/* At open: removes the parts left of requests that ended or whose export the hub holds whole
 * (a hub stopped before it removed them, or older than this removal). */
void hub_disclosure_sweep_parts(hub_disclosure_t *d);

#endif
