/*
 * store.h: the edge's records in LMDB — the segment index and the site log.
 *
 * A recorded segment becomes, in one write transaction, a row in the segment index and a
 * *segment recorded* entry in the site log; neither exists without the other. Each camera has
 * an index database of its own, keyed by start so that its segments are found by time:
 *
 *   seg/<camera>  start_us (BE64)  ->  edge_segment_row_t, packed (see store.c)
 *   edge.meta  "acked"      ->  BE64 size the hub has acknowledged
 *              "cosigned"   ->  the latest checkpoint note with the hub's cosignature line
 *              "uptime/<camera>" -> BE64 the last hour (epoch) summarised for the camera
 *              "request/<id>" -> a city request and its state, JSON (requests.h)
 *              "disclosure/<id>" -> a disclosure request and every step of it, JSON
 *                                   (disclosure.h)
 *
 * The site log is log id EDGE_SITE_LOG in the shared log databases (common/log.h). Other modules
 * keep tables of their own in the same environment (the holds, vault.h) and write them in one
 * transaction with their log entry through edge_store_db and edge_store_append_in.
 */
#ifndef EDGE_STORE_H
#define EDGE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/err.h"
#include "common/log.h"
#include "common/merkle.h"
#include "common/wire.h"

#define EDGE_SITE_LOG 1u
#define EDGE_PATH_MAX 512
/* Cameras that can ever have recorded into one store (each has an index database): twice the
 * cameras one configuration takes (EDGE_MAX_CAMERAS, 256), for cameras replaced over the years. */
#define EDGE_STORE_CAMERAS_MAX 512

typedef struct edge_store edge_store_t;

/* One row of the segment index. */
typedef struct {
    mm_segment_recorded_t seg;
    uint64_t log_index;       /* index of its segment recorded entry */
    char file[EDGE_PATH_MAX]; /* segment file, relative to the segments directory */
} edge_segment_row_t;

/* Opens (creating) the store in dir. */
mm_err_t edge_store_open(const char *dir, edge_store_t **out);
void edge_store_close(edge_store_t *st);

/*
 * The LMDB environment of the store, for a module that keeps tables of its own beside the log
 * and writes them with mm_db_write in one transaction with their entry. Valid until
 * edge_store_close.
 */
mm_db_t *edge_store_db(edge_store_t *st);

/*
 * Records a finished segment: the index row and its log entry (time now_us), in one
 * transaction. Writes the entry's log index to *index (may be NULL).
 */
mm_err_t edge_store_add_segment(edge_store_t *st, const mm_segment_recorded_t *seg,
                                const char *file, int64_t now_us, uint64_t *index);

/* Current size of the site log and the root at any size up to it. */
mm_err_t edge_store_size(edge_store_t *st, uint64_t *size);
mm_err_t edge_store_root(edge_store_t *st, uint64_t size, mm_hash_t *root);

/*
 * Copies entries [first, first + n) of the site log into one malloc'd block: n views followed by
 * the bytes they point at. Free with free(*out). MM_ERANGE when they are not all there.
 */
mm_err_t edge_store_entries(edge_store_t *st, uint64_t first, size_t n, mm_bytes_t **out);
/* The inclusion proof (RFC 6962) of entry index in the site log of size entries; proof has room
 * for MM_MERKLE_MAX_PROOF hashes. MM_ERANGE when index >= size or size is beyond the log. */
mm_err_t edge_store_inclusion_proof(edge_store_t *st, uint64_t index, uint64_t size,
                                    mm_hash_t *proof, size_t *n);

/*
 * Calls fn for entries [first, end) of the site log inside one read transaction, with each
 * entry's bytes and the leaf hash stored for it (data valid only during the call); fn returns
 * non-zero to stop. For the scrub (scrub.h), which recomputes what is stored. MM_ERANGE when end
 * is beyond the log.
 */
mm_err_t edge_store_each_entry(edge_store_t *st, uint64_t first, uint64_t end,
                               int (*fn)(void *arg, uint64_t index, const void *data, size_t len,
                                         const mm_hash_t *leaf),
                               void *arg);

/* The size the hub has acknowledged (0 at first) and its update. */
mm_err_t edge_store_acked(edge_store_t *st, uint64_t *size);
mm_err_t edge_store_set_acked(edge_store_t *st, uint64_t size, const char *cosigned, size_t len);

/* Calls fn for each segment of camera whose start lies in [start_us, end_us), in time order;
 * fn returns non-zero to stop. */
mm_err_t edge_store_segments(edge_store_t *st, const char *camera, int64_t start_us, int64_t end_us,
                             int (*fn)(const edge_segment_row_t *row, void *arg), void *arg);
/* The same rows as an array: *rows (malloc'd, the caller frees it; NULL when *n is 0). MM_ENOMEM,
 * or the errors of edge_store_segments. */
mm_err_t edge_store_segment_rows(edge_store_t *st, const char *camera, int64_t start_us,
                                 int64_t end_us, edge_segment_row_t **rows, size_t *n);

/*
 * Appends one entry (time e->time_us) to the site log inside the caller's write transaction txn
 * (edge_store_db), which the caller commits or aborts: for a record that must commit with its
 * entry. Writes the entry's index to *index (may be NULL); it counts once txn commits. The
 * mm_log_append errors (MM_EFULL: let mm_db_write grow the map and run again).
 */
mm_err_t edge_store_append_in(edge_store_t *st, MDB_txn *txn, const mm_entry_t *e, uint64_t *index);
/* Appends one entry (time e->time_us) to the site log in its own transaction. */
mm_err_t edge_store_append(edge_store_t *st, const mm_entry_t *e, uint64_t *index);
/* The same, and sets the edge.meta value name in the same transaction. */
mm_err_t edge_store_append_meta(edge_store_t *st, const mm_entry_t *e, const char *name,
                                const void *val, size_t len, uint64_t *index);

/*
 * Appends e at time now unless the edge.meta value name holds e's bytes (encoded with time 0)
 * already; when it appends, name gets those bytes in the same transaction. *appended says which.
 * For entries logged when a fact changes (camera_coverage, site_facts, camera_facts). e's
 * time_us is overwritten.
 */
mm_err_t edge_store_append_changed(edge_store_t *st, mm_entry_t *e, const char *name, int64_t now,
                                   int *appended);

/*
 * Small named values in edge.meta. get copies the value into buf (MM_ERANGE when longer than
 * cap) and sets *len; MM_ENOTFOUND when there is none.
 */
mm_err_t edge_store_meta_get(edge_store_t *st, const char *name, void *buf, size_t cap,
                             size_t *len);
mm_err_t edge_store_meta_put(edge_store_t *st, const char *name, const void *buf, size_t len);
/*
 * Calls fn for every edge.meta value whose name starts with prefix, in name order, inside one
 * read transaction: name (name_len bytes, not NUL-terminated) and val are valid only during the
 * call, and fn must not write to the store. fn returns non-zero to stop.
 */
mm_err_t edge_store_meta_each(edge_store_t *st, const char *prefix,
                              int (*fn)(const char *name, size_t name_len, const void *val,
                                        size_t len, void *arg),
                              void *arg);

/* The camera's segment with the latest start; MM_ENOTFOUND when it has none. */
mm_err_t edge_store_last_segment(edge_store_t *st, const char *camera, edge_segment_row_t *row);

/* Calls fn for every camera that has segments in the index, in order; fn returns non-zero to
 * stop. */
mm_err_t edge_store_cameras(edge_store_t *st, int (*fn)(const char *camera, void *arg), void *arg);

/*
 * Erasure: removes the index rows of camera at starts[0..n) and appends e (a segments_erased
 * entry), in one transaction. Rows already gone are skipped.
 */
mm_err_t edge_store_erase(edge_store_t *st, const char *camera, const int64_t *starts, size_t n,
                          const mm_entry_t *e, uint64_t *index);

#endif
