/*
 * registry_codec.h: a site's record (registry.h) as the JSON text stored in hub.registry, and as
 * the API and the feed show it and its parts.
 *
 * The record: {"site", "facts": null or the site_facts entry's fields with "index" and "time_us",
 * "cameras": {id: {"id", "state", then as they came "facts" and "coverage" (their entries'
 * fields with "index" and "time_us"), "uptime": {day: {"recorded_us", "hours", "gaps",
 * "first_index", "last_index"}}, "state_index" and "state_time_us"}}, "filings": [{"id", "kind",
 * "index", "time_us", "state", "history": [{"state", "time_us"[, "by", "reason"]}], then a
 * camera's "camera", "reason", "by" or the standards' "version", "document_hash", "automatic",
 * "by", "summary", "config_hash", "policy" (these three null unless the version filed was the
 * one running)}], "grants": {id: {"person", "by", "actions",
 * "cameras", "until_us", "granted_index", "granted_us"[, "report_index", "reported_us"]}}, then as
 * they came "standards" (the configuration_changed entry's fields with "index" and "time_us"),
 * "requests": {id: the request's members in its kind's order (requests.h, disclosure.h), then as
 * they came "appeal": {"text", "time_us", "by"}, "delivered_index" and "delivered_us", and
 * "answer" (the request_answered entry's fields with "index" and "time_us")},
 * "site_complaints": {id: {"id", "state", "received_us", "deadline_us", "channel", "about",
 * "camera", "by", "hub_complaint", "index" and "time_us" (of its first entry), "handlings", then
 * as they came "handled" and "closed" ({"index", "time_us", "by", "text"}) and "appeal"}},
 * "first_recording": {"camera", "start_us", "index", "time_us"} and "holds" (site holds): {hold
 * id: the hold_placed entry's fields with "index" and "time_us", and once released "released":
 * the hold_released entry's fields with "index" and "time_us"}}. A record without site
 * complaints, a first recording or site holds has none of those members. An entry's fields are
 * written as the entry's JSON view writes them (common/entry.h).
 */
#ifndef HUB_REGISTRY_CODEC_H
#define HUB_REGISTRY_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "hub/registry.h"

/* r as stored: compact JSON text (malloc'd), NULL when out of memory. */
char *hub_site_record_encode(const hub_site_record_t *r);
/* The stored text[0 .. len) into out, which this initialises (the caller deinits it, on an error
 * too). MM_ECORRUPT when the text is not a record the struct can hold as it is, MM_ENOMEM. */
mm_err_t hub_site_record_decode(const void *text, size_t len, hub_site_record_t *out);

/* r as a JSON object (a new reference; NULL when out of memory), and back (as decode). */
json_t *hub_site_record_json(const hub_site_record_t *r);
mm_err_t hub_site_record_from_json(const json_t *o, hub_site_record_t *out);

/* Parts of a record as the record holds them (new references; NULL when out of memory): a
 * filing, a request, a complaint's appeal, a complaint received at the site. */
json_t *hub_filing_json(const hub_filing_t *f);
json_t *hub_request_json(const hub_request_t *q);
json_t *hub_appeal_json(const hub_appeal_t *a);
json_t *hub_site_complaint_json(const hub_site_complaint_t *c);

#endif
