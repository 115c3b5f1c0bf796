/*
 * feed.h: the hub's feed of events — verified entries, findings and filings as they happen —
 * kept in LMDB so that a client that was away can resume where it left off.
 *
 * Each event is a compact JSON object {"id", "time", "type", "site", ...} where the rest are
 * the members of the data the publisher gave. Ids start at 1 and only ever increase, across
 * restarts; the newest `keep` events are kept (HUB_FEED_KEEP by default) and older ones are
 * deleted as new ones arrive. An event is stored before it is handed to the subscribers, so a
 * subscriber that reads the store up to the last id and then listens misses nothing.
 *
 *   hub.feed   id (BE64) -> the event as compact JSON
 *
 * Types: "entries" (a verified batch, hub_feed_entries), "finding" (a finding opened, changed or
 * closed, hub_feed_finding), "filing" (a filing's state changed, hub_feed_filing), "city_action"
 * (an entry of the hub's own log, hub_feed_city_action, which audit.h calls once the entry has
 * committed).
 *
 * Only the loop thread calls these (they write LMDB and call subscribers synchronously).
 */
#ifndef HUB_FEED_H
#define HUB_FEED_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/entry.h"
#include "common/err.h"
#include "common/wire.h"
#include "hub/findings.h"

#define HUB_FEED_KEEP 100000                /* events kept by default */
#define HUB_FEED_ENTRIES_MAX 50             /* non-segment entries listed in one "entries" event */
#define HUB_FEED_ENTRIES_BYTES (256 * 1024) /* and their JSON at most this long */

typedef struct hub_feed hub_feed_t;
typedef struct hub_feed_sub hub_feed_sub_t;

/* Opens the feed in db, keeping the newest keep events (0: HUB_FEED_KEEP). */
mm_err_t hub_feed_open(mm_db_t *db, uint64_t keep, hub_feed_t **out);
/* Closes the feed and forgets any subscribers still registered. Accepts NULL. */
void hub_feed_close(hub_feed_t *f);

/*
 * Stores an event of type for site ("" or NULL: none) and hands it to every subscriber. data is
 * an object whose members join the event (stolen; NULL for none); its own "id", "time", "type"
 * or "site" are ignored. *id (may be NULL) is the new event's id. Returns MM_OK, MM_EINVAL for
 * data that is not an object, MM_ENOMEM, or a storage error (logged); on an error nothing is
 * stored or sent.
 */
mm_err_t hub_feed_publish(hub_feed_t *f, const char *type, const char *site, json_t *data,
                          uint64_t *id);

/*
 * An "entries" event for a verified batch of site: entries [first, size) of its log, whose bytes
 * are entries[0 .. size - first). The event carries "from" (first), "to" (size), "kinds" (how
 * many entries of each kind) and "entries": the entries that are not segment_recorded, as the
 * API shows them with their "index", at most HUB_FEED_ENTRIES_MAX of them and
 * HUB_FEED_ENTRIES_BYTES of JSON ("entries_omitted" then says how many more there were).
 */
mm_err_t hub_feed_entries(hub_feed_t *f, const char *site, uint64_t first, uint64_t size,
                          const mm_bytes_t *entries);
/* A "finding" event for the finding's site: {"finding": the finding as stored
 * (findings_codec.h)} (finding borrowed). */
mm_err_t hub_feed_finding(hub_feed_t *f, const hub_finding_t *finding);
/* A "filing" event: {"filing": the filing with its new state, as the record keeps it
 * (registry_codec.h hub_filing_json)} (filing borrowed). */
mm_err_t hub_feed_filing(hub_feed_t *f, const char *site, json_t *filing);

/* A "city_action" event for site: the hub-log entry index (a city action, its bytes as logged:
 * entry[0 .. len)) as the API shows it, with its "hub_log_index". f NULL: nothing (MM_OK). */
mm_err_t hub_feed_city_action(hub_feed_t *f, const char *site, const void *entry, size_t len,
                              uint64_t index);

/* The id of the newest event (0 when there has been none). */
uint64_t hub_feed_last_id(const hub_feed_t *f);

/*
 * An event as stored: its id, type (NUL-terminated) and JSON text (len bytes, not
 * NUL-terminated). The pointers are valid only during the call.
 */
typedef int (*hub_feed_fn)(void *arg, uint64_t id, const char *type, const char *json, size_t len);

/* The id of the oldest event kept into *id (0 when none), so that a reader can tell that
 * events it asked for were trimmed. Returns MM_OK or a storage error. */
mm_err_t hub_feed_oldest_id(hub_feed_t *f, uint64_t *id);

/*
 * Calls fn for up to max stored events with an id above after, oldest first, until fn returns
 * non-zero. Returns MM_OK or a storage error.
 */
mm_err_t hub_feed_read(hub_feed_t *f, uint64_t after, size_t max, hub_feed_fn fn, void *arg);

/*
 * Registers fn to receive every event published from now on (its return value is ignored).
 * fn may unsubscribe its own subscription, or any other, from inside the call.
 */
mm_err_t hub_feed_subscribe(hub_feed_t *f, hub_feed_fn fn, void *arg, hub_feed_sub_t **out);
/* Ends a subscription: fn is not called again. Accepts NULL. */
void hub_feed_unsubscribe(hub_feed_sub_t *s);
/* How many subscriptions there are. */
size_t hub_feed_subscribers(const hub_feed_t *f);

#endif
