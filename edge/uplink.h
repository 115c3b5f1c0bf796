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
 */
#ifndef EDGE_UPLINK_H
#define EDGE_UPLINK_H

#include <stdint.h>
#include <uv.h>

#include "err.h"
#include "keys.h"
#include "note.h"
#include "store.h"
#include "wire.h"

#define EDGE_UPLINK_BATCH 256 /* most entries per batch */

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

/* The size the hub has acknowledged. */
uint64_t edge_uplink_acked(const edge_uplink_t *up);

/* Stops, closes the socket and frees up once libuv has closed its handles, then calls done. */
void edge_uplink_close(edge_uplink_t *up, void (*done)(void *arg), void *arg);

#endif
