/*
 * disclosureapi.h: the disclosure routes of the hub's API (disclosure.h; docs/protocol.md,
 * "Hub API").
 *
 *   POST /api/v1/disclosures                 requester: file a request (apibody.h
 *                                            hub_body_disclosure); 201 with the record
 *   GET  /api/v1/disclosures                 {"disclosures": [records]}: oversight and readonly
 *                                            see all, a requester their own
 *   GET  /api/v1/disclosures/{id}            the record (404 for another requester's)
 *   GET  /api/v1/disclosures/{id}/export     the requester who filed it: the ciphertext
 *                                            (application/octet-stream, attachment
 *                                            "<id>.age"), streamed from disk; 403 for anyone
 *                                            else, 409 until the hub holds all of it
 *
 * Errors are the API's JSON errors: 400 "bad_body" naming the key, 404 "unknown_site" /
 * "unknown_disclosure" / "not_found", 422 "unknown_camera", "range_in_future",
 * "range_too_long", "too_long", 403 "forbidden", 409 "not_received", 500 "storage".
 */
#ifndef HUB_DISCLOSUREAPI_H
#define HUB_DISCLOSUREAPI_H

#include "common/err.h"
#include "hub/disclosure.h"
#include "hub/http.h"

/* Adds the routes to h; d must outlive h. */
mm_err_t hub_disclosureapi_register(hub_http_t *h, hub_disclosure_t *d);

#endif
