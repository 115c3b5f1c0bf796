/*
 * findings_codec.h: a finding (findings.h) as the JSON text stored in hub.findings, and as the
 * API, the feed and the metrics' callers see it.
 *
 * The two sources lay a finding out differently, as they always have: a verification finding
 * {"id", "site", "kind", "severity", "message", "first_seen", "last_seen", "count", "evidence",
 * "state", "source", "history"}, a rules finding {"id", "site", "kind", "first_seen", "source",
 * "count", "dedupe", "history", "state", "severity", "rule", "message", "evidence", "last_seen"}
 * and "closed_at" once it has closed; each item of "history" is {"state", "at"}. The evidence is
 * an object of the facts in their order: numbers, strings, arrays of numbers.
 */
#ifndef HUB_FINDINGS_CODEC_H
#define HUB_FINDINGS_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "hub/findings.h"

/* f as stored: compact JSON text (malloc'd), NULL when out of memory. */
char *hub_finding_encode(const hub_finding_t *f);
/* The stored text[0 .. len) into out, which this initialises (the caller deinits it, on an error
 * too). MM_ECORRUPT when the text is not a finding the struct can hold as it is, MM_ENOMEM. */
mm_err_t hub_finding_decode(const void *text, size_t len, hub_finding_t *out);

/* f as a JSON object (a new reference; NULL when out of memory). */
json_t *hub_finding_json(const hub_finding_t *f);
/* The finding o into out (initialised here; the caller deinits it): as hub_finding_decode. */
mm_err_t hub_finding_from_json(const json_t *o, hub_finding_t *out);

/* An evidence as a JSON object (a new reference), and back (out emptied first; MM_ECORRUPT for a
 * member that is no number, string or list of numbers, or too many of them). */
json_t *hub_evidence_json(const hub_evidence_t *ev);
mm_err_t hub_evidence_from_json(const json_t *o, hub_evidence_t *out);

#endif
