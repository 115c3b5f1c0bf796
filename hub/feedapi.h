/*
 * feedapi.h: GET /api/v1/feed — the hub's feed (feed.h) as Server-Sent Events.
 *
 * A client gets the stored events after the id it names (the Last-Event-ID header, else the
 * last_event_id or from query parameter; none: only what happens from now on), then every new
 * event as it is published, each as
 *
 *   id: <id>\nevent: <type>\ndata: <the event as compact JSON>\n\n
 *
 * and a comment line ": keep-alive" every 15 s. Oversight and read-only people may read it.
 *
 * Limits (hub_feedapi_set_limits; the configuration's "feed", hubconf.h): at most max_total
 * streams open at once and max_per_person for one person (one token or login), beyond which the
 * request is answered 429 ("feed_full" or "feed_too_many", Retry-After: 10); and a client that
 * does not read is dropped (a warning in the log) once it would be more than max_behind bytes
 * behind, so that what the hub holds for clients is bounded by max_total * max_behind. A dropped
 * client resumes with Last-Event-ID and misses nothing kept. HEAD answers the stream's headers
 * and ends at once.
 */
#ifndef HUB_FEEDAPI_H
#define HUB_FEEDAPI_H

#include <uv.h>

#include "common/err.h"
#include "hub/feed.h"
#include "hub/http.h"
#include "hub/hubconf.h"

typedef struct hub_feedapi hub_feedapi_t;

/* Adds the route to http and starts the keep-alive timer on loop; feed and http must outlive
 * the result until hub_feedapi_close. */
mm_err_t hub_feedapi_create(uv_loop_t *loop, hub_http_t *http, hub_feed_t *feed,
                            hub_feedapi_t **out);

/* Sets the limits (above); until called, the defaults of hubconf.h (HUB_FEED_MAX_*). */
void hub_feedapi_set_limits(hub_feedapi_t *fa, size_t max_total, size_t max_per_person,
                            size_t max_behind);

/* Ends the streams still open (hub_http_close has usually ended them already) and stops the
 * timer; the memory goes in the timer's close callback. Accepts NULL. */
void hub_feedapi_close(hub_feedapi_t *fa);

#endif
