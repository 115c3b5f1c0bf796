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
#include <stdint.h>

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

/* The particulars of the city actions of a disclosure (the hub log's JSON detail, audit.h), new
 * references (NULL when out of memory): */
/* a request filed: its legal basis, reference, cameras, range, recipient and organisation; */
json_t *hub_disclosure_filing_detail(const hub_disclosure_body_t *b);
/* a step the site logged (entry index at site_time): what identifies the site's entry and what
 * it says, the longer members only while they fit one entry of the hub's log; */
json_t *hub_disclosure_step_detail(const mm_disclosure_t *s, uint64_t index, int64_t site_time);
/* the whole ciphertext received: its SHA-256 (hex) and length; */
json_t *hub_disclosure_received_detail(const char *sha_hex, uint64_t bytes);
/* a download: the export's SHA-256 and length, and the notice to the site. */
json_t *hub_disclosure_download_detail(const hub_disclosure_rec_t *rec, const char *download);

#endif
