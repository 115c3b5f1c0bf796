/*
 * segment_sync.h: one thread that fdatasyncs the segment files of every writer in the process, so
 * that a writer's caller (a reader thread serving many cameras) never waits for the disk.
 *
 * A writer writes a chunk into the page cache (where a crash of the process cannot lose it) and
 * asks for a sync; the thread takes every file asked for since its last round, starts their
 * writeback together (sync_file_range), then fdatasyncs each: ext4 commits the metadata of all of
 * them in the first commit, so a round costs about one journal commit, not one per file. A file
 * asked for while queued is synced once. A power loss thus loses the chunk being filled plus at
 * most one round of the thread (segment.h's policy: under a second when the disk keeps up).
 *
 * A sync that fails is remembered in the request and returned by the writer's next call. Before
 * a writer closes its file it withdraws its request (edge_segsync_withdraw), which waits while
 * the thread is syncing that file, so the thread never touches a closed descriptor.
 *
 * When the thread cannot be started the caller syncs at once, as before.
 */
#ifndef EDGE_SEGMENT_SYNC_H
#define EDGE_SEGMENT_SYNC_H

#include <stdint.h>

/* One writer's request; zero it, then set fd. Owned by the writer, used under the module's lock. */
typedef struct edge_segsync_req {
    struct edge_segsync_req *next;       /* in the queue */
    struct edge_segsync_req *round_next; /* in the round being synced (the thread's own) */
    int fd;
    int queued;         /* waiting for the next round */
    int busy;           /* the thread is syncing fd now */
    int err;            /* errno of a sync that failed, until taken; 0 */
    int64_t asked_mono; /* when it was queued (µs, monotonic), for the lag figure */
} edge_segsync_req_t;

/* Queues r->fd for an fdatasync (nothing when already queued). Returns 0, or an errno when the
 * file had to be synced here and that failed, or a previous sync of it failed. */
int edge_segsync_ask(edge_segsync_req_t *r);

/* Takes r out of the queue and waits while the thread is syncing it. Returns the errno of a sync
 * of it that failed and was not yet returned, or 0. After it the caller may close r->fd. */
int edge_segsync_withdraw(edge_segsync_req_t *r);

/* The longest time (µs) a request waited from its ask to the end of its fdatasync since the last
 * call, and the rounds done; for benchmarks and tests. */
int64_t edge_segsync_lag_us(uint64_t *rounds);

#endif
