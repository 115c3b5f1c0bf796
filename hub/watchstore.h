/*
 * watchstore.h: what the hub has seen each site do (watch.h), kept in LMDB.
 *
 *   hub.watch   site id -> the site's watch state as JSON (watch_codec.h)
 *
 * It learns from every batch the mirror stores, inside the mirror's transaction, so that it is
 * never ahead of or behind the verified log, and from every batch the hub already held (a
 * site's hello every few seconds): that tells only the site's clock, and is written only when
 * the clock moved. The hub's clock at each arrival is the one thing learned here that cannot be
 * learned again later; the state survives restarts with the rest of the hub's database.
 */
#ifndef HUB_WATCHSTORE_H
#define HUB_WATCHSTORE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/err.h"
#include "hub/watch.h"
#include "hub/watchconf.h"

typedef struct hub_watchstore hub_watchstore_t;

/* cfg is borrowed and must outlive the store. */
mm_err_t hub_watchstore_open(mm_db_t *db, const hub_watch_conf_t *cfg, hub_watchstore_t **out);
void hub_watchstore_close(hub_watchstore_t *w);

/* Learns from a batch of site stored in txn (hub_watch_learn) and writes the state if it changed.
 * MM_OK or a storage error (which aborts the batch: the site sends it again). */
mm_err_t hub_watchstore_learn_in(hub_watchstore_t *w, MDB_txn *txn, const char *site,
                                 const hub_watch_receipt_t *r, uint64_t first, const mm_entry_t *e,
                                 size_t n);

/* Learns the clock from a batch of site the hub already held, in a transaction of its own when
 * the state changes. MM_OK or a storage error (already logged). */
mm_err_t hub_watchstore_hello(hub_watchstore_t *w, const char *site, const hub_watch_receipt_t *r);

/* The state of site, on the heap (the caller frees it with free()): empty when the hub has seen
 * nothing of it, or when its stored state does not read (logged). MM_OK, MM_ENOMEM or a storage
 * error (*out NULL then). */
mm_err_t hub_watchstore_get(hub_watchstore_t *w, const char *site, hub_watch_state_t **out);

#endif
