/*
 * reload.h: what a running edge takes from its site configuration again on SIGHUP — the people
 * and their roles — and what it refuses to take without a restart.
 *
 * The new file is loaded and checked whole, as at start (siteconf.h). Only the site's people,
 * manager, operators and contractors (governance.h, EDGE_RELOAD_KEYS) may differ from the file
 * the edge started with; a file that does not load, or that changes anything else (cameras,
 * keys, the hub, the policy, the console...), changes nothing, and the caller logs why. The
 * recorder never stops for a reload.
 *
 * This module compares and swaps; the caller (app.c) logs, and brings the site's facts and
 * standards up to date after a swap (ops.h edge_ops_reloaded), as a start would.
 */
#ifndef EDGE_RELOAD_H
#define EDGE_RELOAD_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "edge/siteconf.h"

/*
 * The site configuration at path without the keys a reload may change: a new JSON object, NULL
 * when the file cannot be read as JSON (the configuration's loader says why).
 */
json_t *edge_reload_fixed(const char *path);

/* The top-level keys whose values differ between fixed configurations a and b, as "cameras,
 * hub" into out (cap bytes): their count, 0 when none. */
int edge_reload_diff(json_t *a, json_t *b, char *out, size_t cap);

/*
 * Loads path again and, when it loads and its fixed part equals fixed, swaps its governance
 * into cfg. MM_OK with *changed 1 when the people or roles differ — the governance cfg had is
 * then in *old, which the caller frees (edge_governance_free) — or 0 when the file says what
 * cfg says already; MM_ECONFIG when the file does not load (its problems
 * logged by the loader) or changes what needs a restart: why (cap bytes) names the keys, and
 * nothing changed.
 */
mm_err_t edge_reload(const char *path, edge_config_t *cfg, json_t *fixed, int *changed,
                     edge_governance_t *old, char *why, size_t cap);

#endif
