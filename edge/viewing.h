/*
 * viewing.h: one viewing of recorded footage, on a thread of its own — the stream paced by the
 * edge (footage.h) into a player the edge starts (player.h) or, for the site console, into the
 * caller's socket; stopped at once when the loop says so (the viewer's right ended, R-N7.2); and
 * how it ended, in words (R-N7.3: viewing is looking, not copying).
 *
 * The caller's connection stays open for the whole viewing. With a player, the edge writes one
 * line on it when the viewing starts and one when it ends, and a hang-up of the caller ends the
 * viewing (the player is ended too); with the stream, the line is followed by the stream until
 * the edge closes. Either way the caller gets nothing faster than the speed allows.
 *
 * Threads: edge_viewing_start, _stop, _done, _join and _destroy are called from one thread (the
 * loop); the viewing's own thread touches only the viewing. done(arg) is called from that thread
 * once it has finished (to wake the loop, e.g. uv_async_send); the loop then joins it.
 */
#ifndef EDGE_VIEWING_H
#define EDGE_VIEWING_H

#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"
#include "edge/players.h"
#include "edge/vault.h"

typedef struct edge_viewing edge_viewing_t;

typedef struct {
    const edge_vault_t *vault; /* borrowed; outlives the viewing */
    char session[MM_ID_MAX];
    char camera[MM_ID_MAX];
    int64_t from_us, to_us;
    int speed;                   /* 1, 2, 4 or 8 */
    int has_player;              /* 1: start player; 0: the stream goes to the caller */
    int fmp4; /* the stream to the caller: fragmented MP4 (footage.h) for the site console */
    edge_player_conf_t player;   /* copied */
    char head[MM_LONG_TEXT_MAX]; /* the first line to the caller (a JSON object, no newline);
                                    "": none, the stream starts at once (the console's) */
    void (*done)(void *arg);
    void *arg;
} edge_viewing_conf_t;

/* How a viewing ended. */
typedef struct {
    uint64_t bytes;            /* of the stream that went out */
    int failed;                /* the viewing failed: failure says why */
    int stopped;               /* edge_viewing_stop ended it: reason is the one it gave */
    char reason[MM_TEXT_MAX];  /* how it ended, in words: "finished", "failed", ... */
    char failure[MM_TEXT_MAX]; /* why it failed; "" when it did not */
} edge_viewing_result_t;

/*
 * Takes the caller's connection fd (closing it in every case) and starts the viewing's thread.
 * MM_ENOMEM or MM_EIO when it cannot; nothing was sent then.
 */
mm_err_t edge_viewing_start(const edge_viewing_conf_t *conf, int fd, edge_viewing_t **out);

/*
 * Ends the viewing at once: the stream stops, a player is ended, the caller is told reason
 * (denied: its right to look ended, else the edge ended it). The first stop's reason is the one
 * kept. The thread finishes within milliseconds.
 */
void edge_viewing_stop(edge_viewing_t *vw, int denied, const char *reason);

/* Whether it has ended, its result settled: 1 or 0. Set before the client sees the end of its
 * stream; the thread finishes right after (edge_viewing_join waits for it). */
int edge_viewing_done(edge_viewing_t *vw);

/* Waits for its thread and says how it ended. Call once. */
void edge_viewing_join(edge_viewing_t *vw, edge_viewing_result_t *res);

/* Frees a joined viewing. Accepts NULL. */
void edge_viewing_destroy(edge_viewing_t *vw);

#endif
