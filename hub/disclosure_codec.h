/*
 * disclosure_codec.h: a disclosure's record (disclosure.h) as the JSON text stored in
 * hub.disclosures, and as the API shows it.
 *
 * {"id", "site", "state", "requester": {"id", "name", "organisation"}, "legal_basis",
 * "reference", "reason", "cameras": [...], "from_us", "to_us", "recipient", "time_us",
 * "deadline_us", "signature", "hub_log_index", "history": [{"time_us", "step", "by", "text",
 * "index" (the site's steps), "hub_log_index", and as the step has them "sha256", "bytes",
 * "manifest_sha256", "regions", "download"}], "downloads", "holding", then as they came
 * "forwarded_index" with "forwarded_us", "export": {"sha256", "bytes", "manifest_sha256",
 * "index", "time_us"}, "holds_released_us", "approved_index", "received_us", "part_sha256",
 * "downloaded_us"}. Hashes are lower-case hex.
 */
#ifndef HUB_DISCLOSURE_CODEC_H
#define HUB_DISCLOSURE_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "hub/disclosure.h"

/* r as stored: compact JSON text (malloc'd), NULL when out of memory. */
char *hub_disclosure_rec_encode(const hub_disclosure_rec_t *r);
/* The stored text[0 .. len) into out, which this initialises (the caller deinits it, on an error
 * too). MM_ECORRUPT when the text is not a record the struct can hold as it is, MM_ENOMEM. */
mm_err_t hub_disclosure_rec_decode(const void *text, size_t len, hub_disclosure_rec_t *out);

/* r as a JSON object (a new reference; NULL when out of memory), and back (as decode). */
json_t *hub_disclosure_rec_json(const hub_disclosure_rec_t *r);
mm_err_t hub_disclosure_rec_from_json(const json_t *o, hub_disclosure_rec_t *out);

#endif
