/*
 * disclosure_impl.h: the inside of the disclosure module (disclosure.h), shared by its files and
 * by nothing else.
 *
 * The module is one file per job, as hub/disclosure is:
 *
 *   disclosure.c           the module's life: create, start (the exports directory cleaned, the
 *                          first sweep, the timer), close
 *   disclosure_record.c    the record "disclosure/<id>" and its JSON, a step logged with its
 *                          record, the walk over every record and what the control socket lists
 *   disclosure_receipt.c   a request received (checked, held or refused), the download notice,
 *                          and the holds: placed on receipt, released when a request closes
 *   disclosure_decide.c    the decisions: prepare, approve, deny (by people), expire (at the
 *                          deadline), and the manager's release of the hold
 *   disclosure_export.c    the export, built on a libuv worker thread
 *   disclosure_transfer.c  the export's transfer to the hub, and the sweep
 *
 * One private header rather than one per file: the files share one state (struct
 * edge_disclosure) and one record (rec_t); a header apiece would hide that they are parts of one
 * module with one public face. The types keep the short names they had as one file's: nothing
 * outside these files sees them. Everything runs on the loop thread but the export's worker,
 * which touches only its job_t and reads the store, the vault and the keyring.
 */
#ifndef EDGE_DISCLOSURE_IMPL_H
#define EDGE_DISCLOSURE_IMPL_H

#include <jansson.h>
#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "common/crypto.h"
#include "common/entry.h"
#include "common/helper.h"
#include "common/timefmt.h"
#include "edge/disclosure.h"
#include "edge/export.h"
#include "edge/siteconf.h"

#define CAMS_MAX MM_REQUEST_CAMERAS_MAX

/* Cameras and a range: what a request names, a preparation chose, an approval covers. */
typedef struct {
    size_t n;
    char cam[CAMS_MAX][MM_ID_MAX];
    int64_t from_us, to_us;
} sel_t;

typedef struct {
    char by[MM_ID_MAX];
    int64_t time_us;
    sel_t sel;
    char note[MM_LONG_TEXT_MAX];
} prep_t;

typedef struct {
    char camera[MM_ID_MAX];
    double x, y, w, h;
} region_t;

/* A request and everything that happened to it, as kept in "disclosure/<id>". */
typedef struct {
    mm_city_request_t q; /* as received; kind "disclosure" */
    mm_disclosure_step_t state;
    int64_t received_us, updated_us;
    char refusal[MM_LONG_TEXT_MAX];
    size_t n_holds; /* holds placed: one per camera of the request, or none */
    size_t n_preps;
    prep_t preps[EDGE_DISCLOSURE_PREPS_MAX];
    char decision[16]; /* "" none, "approved", "denied", "expired" */
    char decided_by[MM_ID_MAX];
    int64_t decided_us;
    char decision_reason[MM_LONG_TEXT_MAX];
    sel_t approved; /* the decision's cameras and range */
    size_t n_regions;
    region_t regions[EDGE_DISCLOSURE_REGIONS_MAX];
    uint32_t attempts;
    char failure[MM_LONG_TEXT_MAX];
    int exported;
    uint8_t sha256[32], manifest_sha256[32];
    uint64_t bytes;
    int64_t exported_us, delivered_us, downloaded_us;
    int64_t released_us; /* 0: the holds are not released by the manager */
    char released_by[MM_ID_MAX];
    char release_reason[MM_LONG_TEXT_MAX];
} rec_t;

/* An export being built on the worker thread. */
typedef struct {
    uv_work_t req;
    edge_disclosure_t *d;
    char id[MM_ID_MAX];
    char basis[16], reference[MM_TEXT_MAX], requester[MM_ID_MAX];
    char reason[MM_REQUEST_TEXT_MAX];
    char recipient[sizeof(((mm_city_request_t *)0)->recipient)];
    char statement[MM_STATEMENT_MAX]; /* the request as the hub signed it, for the manifest */
    uint8_t hub_signature[64];
    sel_t sel;
    const char *cams[CAMS_MAX];
    region_t keep[EDGE_DISCLOSURE_REGIONS_MAX]; /* own images: the regions kept clear */
    edge_export_region_t regions[EDGE_DISCLOSURE_REGIONS_MAX];
    edge_export_req_t r;
    char path[PATH_MAX], tmp[PATH_MAX];
    int fd;
    mm_sha256_ctx_t *sha;
    mm_helper_t helper;     /* hashes what the sink writes, beside the write (sink) */
    const uint8_t *hash_at; /* the helper's job: the ciphertext to hash */
    size_t hash_len;
    uint64_t bytes;
    uint64_t flushed; /* bytes whose writeback was started (sync_file_range) */
    uint64_t told;    /* bytes the loop was woken for last (the worker's) */
    atomic_uint_least64_t written; /* bytes written to tmp, for the loop (conf.building) */
    uv_async_t wake;               /* the worker tells the loop that more is written */
    int sink_errno;
    mm_err_t err;
    char what[MM_TEXT_MAX];
    uint8_t digest[32];
    edge_export_report_t rep;
} job_t;

struct edge_disclosure {
    edge_disclosure_conf_t conf;
    char cameras[EDGE_MAX_CAMERAS][MM_ID_MAX];
    size_t n_cameras;
    uint8_t hub_pub[MM_ED25519_PUB_LEN];
    char *exports_dir;
    uv_timer_t timer;
    int timer_open;
    job_t *job;
    atomic_int cancel; /* the worker gives up: the edge is stopping */
    int catch_up;      /* receipts to finish from the logged city requests */
    int closing;
    void (*done)(void *);
    void *done_arg;
};

typedef struct {
    const char *by;
    const sel_t *sel; /* NULL: the request's */
    const char *text;
    const char *regions; /* JSON array, or NULL */
} step_t;

/* The end of edge_disclosure_close (disclosure.c): once the timer is closed and no export runs,
 * frees d and calls the done callback close was given; before that, nothing. */
void edge_disclosure_close_end(edge_disclosure_t *d);

/* --- the record (disclosure_record.c) ------------------------------------------------------- */

/* Copies src into dst (cap bytes), cut at a character boundary when it does not fit. */
void edge_disclosure_copy(char *dst, size_t cap, const char *src);
/* us in the site's zone (the process's, timefmt.h), "YYYY-MM-DD HH:MM:SS JST": the people who
 * read a refusal or a step's text read the site's clock. */
void edge_disclosure_time_text(int64_t us, char *buf, size_t cap);
/* The hold of the request's camera i: "dsc.<id>.<i>" (see disclosure_record.c). */
void edge_disclosure_hold_id(const char *id, size_t i, char out[MM_ID_MAX]);
/* Undecided at its deadline, now_us past it. */
int edge_disclosure_due(const rec_t *r, int64_t now_us);
/* Closed with its holds released (or to be released, after a stop): denied, expired, released. */
int edge_disclosure_closed(const rec_t *r);
/* The request's cameras and range. */
void edge_disclosure_request_sel(const rec_t *r, sel_t *s);
/* What an approval now would export: the last preparation, else the request (in scratch). */
const sel_t *edge_disclosure_current_sel(const rec_t *r, sel_t *scratch);
/* The cameras of s joined with commas, cut to cap bytes. */
void edge_disclosure_join_cams(const sel_t *s, char *out, size_t cap);
/* The approval's regions as a JSON array (a new reference; NULL when out of memory). */
json_t *edge_disclosure_regions_json(const rec_t *r);
/* The record; shown adds what the control socket shows besides. NULL when out of memory. */
json_t *edge_disclosure_rec_json(const rec_t *r, int shown);
/* Request id's record into r: MM_OK, MM_ENOTFOUND, MM_ECORRUPT (named in the log), MM_ENOMEM,
 * store errors. */
mm_err_t edge_disclosure_rec_load(edge_disclosure_t *d, const char *id, rec_t *r);
/* Logs step of r (a disclosure entry from s) and stores r, updated at now_us, in one transaction;
 * r->state must already say where the step leads. The failure is logged, and returned. */
mm_err_t edge_disclosure_log_step(edge_disclosure_t *d, rec_t *r, mm_disclosure_step_t step,
                                  const step_t *s, int64_t now_us);

typedef enum { W_COUNT, W_LIST, W_APPROVED, W_SWEEP } walk_mode_t;

typedef struct {
    walk_mode_t mode;
    edge_disclosure_t *d;
    rec_t *r; /* scratch */
    int64_t now_us;
    int starting;
    json_t *list; /* W_LIST: every request as shown */
    size_t waiting;
    char (*ids)[MM_ID_MAX]; /* W_APPROVED: the first approved; W_SWEEP: those to act on */
    size_t n_ids, cap_ids;
    mm_err_t err;
} walk_t;

/* Parses every record in turn into w->r and does what w->mode says; w->err, or a store error. */
mm_err_t edge_disclosure_walk(edge_disclosure_t *d, walk_t *w);

/* --- holds (disclosure_receipt.c), decisions (disclosure_decide.c) ------------------------- */

/* Releases what is left of r's holds; a hold already gone is fine. The first failure. */
mm_err_t edge_disclosure_release_holds(edge_disclosure_t *d, const rec_t *r, const char *why,
                                       int64_t now_us);
/* Expires r, undecided past its deadline, and releases its holds. */
mm_err_t edge_disclosure_expire(edge_disclosure_t *d, rec_t *r, int64_t now_us);

/* --- the export (disclosure_export.c), the sweep (disclosure_transfer.c) ------------------- */

/* Starts the export of the first approved request, unless one is being built or d closes. */
void edge_disclosure_export_kick(edge_disclosure_t *d);
/* The sweep (disclosure.h edge_disclosure_sweep); starting, it also releases what closed
 * requests still hold (a stop came between their step and the release). */
mm_err_t edge_disclosure_sweep_run(edge_disclosure_t *d, int64_t now_us, int starting);

#endif
