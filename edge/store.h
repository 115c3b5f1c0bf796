/*
 * store.h: the edge's records in LMDB — the segment index and the site log.
 *
 * A recorded segment becomes, in one write transaction, a row in the segment index and a
 * *segment recorded* entry in the site log; neither exists without the other. The index is
 * keyed by (camera, start) so a camera's segments are found by time:
 *
 *   seg.index  camera id || 0x00 || start_us (BE64)  ->  edge_segment_row_t, packed (see store.c)
 *   edge.meta  "acked"      ->  BE64 size the hub has acknowledged
 *              "cosigned"   ->  the latest checkpoint note with the hub's cosignature line
 *
 * The site log is log id EDGE_SITE_LOG in the shared log databases (common/log.h).
 */
#ifndef EDGE_STORE_H
#define EDGE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "entry.h"
#include "err.h"
#include "log.h"
#include "merkle.h"
#include "wire.h"

#define EDGE_SITE_LOG 1u
#define EDGE_PATH_MAX 512

typedef struct edge_store edge_store_t;

/* One row of the segment index. */
typedef struct {
    mm_segment_recorded_t seg;
    uint64_t log_index;            /* index of its segment recorded entry */
    char file[EDGE_PATH_MAX];      /* segment file, relative to the segments directory */
} edge_segment_row_t;

/* Opens (creating) the store in dir. */
mm_err_t edge_store_open(const char *dir, edge_store_t **out);
void edge_store_close(edge_store_t *st);

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

/* The size the hub has acknowledged (0 at first) and its update. */
mm_err_t edge_store_acked(edge_store_t *st, uint64_t *size);
mm_err_t edge_store_set_acked(edge_store_t *st, uint64_t size, const char *cosigned, size_t len);

/* Calls fn for each segment of camera whose start lies in [start_us, end_us), in time order;
 * fn returns non-zero to stop. */
mm_err_t edge_store_segments(edge_store_t *st, const char *camera, int64_t start_us,
                             int64_t end_us, int (*fn)(const edge_segment_row_t *row, void *arg),
                             void *arg);

#endif
