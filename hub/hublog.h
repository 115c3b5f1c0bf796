/*
 * hublog.h: the hub's own signed log of city actions, in the same format as the sites' logs.
 *
 * Every action the city takes (audit.h names them all: filing decisions, measures, requests,
 * disclosures) is a `city_action` entry appended to log id 0 of the hub's LMDB (common/log.h),
 * and the hub signs a checkpoint of it in the C2SP signed-note format with its own key, exactly
 * as an edge signs its site log. So a site, a court or a resident can check what the city did
 * with the same tools. Entries are appended only through audit.h, inside the transaction of the
 * record they log.
 *
 *   hub.hublog   "checkpoint"  -> the latest signed checkpoint note
 */
#ifndef HUB_HUBLOG_H
#define HUB_HUBLOG_H

#include <stdint.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/err.h"
#include "common/keys.h"
#include "common/log.h"

#define HUB_LOG_ID 0

typedef struct hub_hublog hub_hublog_t;

mm_err_t hub_hublog_open(mm_db_t *db, const mm_keypair_t *keys, hub_hublog_t **out);
void hub_hublog_close(hub_hublog_t *h);

/* The origin line of the hub's checkpoints: "mimamori/hub/<name>". */
const char *hub_hublog_origin(const hub_hublog_t *h);

/*
 * Appends e and signs the new checkpoint inside the caller's write transaction txn, which the
 * caller commits or aborts, so that an entry commits with the record it logs; *index (may be
 * NULL) is the entry's index. Nothing is logged to the diagnostic log.
 */
mm_err_t hub_hublog_append_in(hub_hublog_t *h, MDB_txn *txn, const mm_entry_t *e, uint64_t *index);

/* The latest signed checkpoint note (malloc'd); MM_ENOTFOUND before the first entry. */
mm_err_t hub_hublog_checkpoint(hub_hublog_t *h, char **note);

/* Size of the hub's log. */
mm_err_t hub_hublog_size(hub_hublog_t *h, uint64_t *size);

/* Calls fn for entries [start, end) (clamped), in a read transaction. */
typedef int (*hub_hublog_fn)(uint64_t index, const void *data, size_t len, void *arg);
mm_err_t hub_hublog_entries(hub_hublog_t *h, uint64_t start, uint64_t end, hub_hublog_fn fn,
                            void *arg);

#endif
