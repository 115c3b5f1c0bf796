/*
 * watch_codec.h: what the hub has seen a site do (watch.h) as stored JSON text and back, in
 * hub.watch (watchstore.h):
 *
 *   {"facts": {"policy", "retention_days", "timezone", "cameras", "cameras_index",
 *              "cameras_since_us"},                                    once site_facts came
 *    "filed": {"version", "cameras", "cameras_known", "index"},        once a version was filed
 *    "versions": [{"version", "cameras", "index"}],
 *    "skews": [{"site_us", "offset_us", "received_us", "index", "bound"}],
 *    "erasures": [{"camera", "day", "count", "first_index", "last_index", "early_us", "due_us",
 *                  "received_us", "retention_days"}],
 *    "viewings": [{"person", "day", "viewings", "footage_us", "night", "first_index",
 *                  "last_index", "night_index"}]}
 *
 * Reading refuses (MM_ECORRUPT) a text that is not such an object: a member of the wrong type, a
 * text longer than its field, more items than the state keeps, a policy it does not know.
 */
#ifndef HUB_WATCH_CODEC_H
#define HUB_WATCH_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "hub/watch.h"

/* st as a new JSON object; NULL when out of memory. */
json_t *hub_watch_json(const hub_watch_state_t *st);
/* o into out (initialised here): MM_OK or MM_ECORRUPT (out then empty). */
mm_err_t hub_watch_from_json(const json_t *o, hub_watch_state_t *out);
/* The same as compact text (malloc'd, NULL when out of memory) and from text. */
char *hub_watch_encode(const hub_watch_state_t *st);
mm_err_t hub_watch_decode(const void *text, size_t len, hub_watch_state_t *out);

#endif
