/*
 * reload.h: the hub re-reads its configuration (SIGHUP; mimamori-hub person/site ... send it)
 * and swaps its people, their tokens and logins, and its sites at once, on the loop, between
 * two events: the ZAP handler (zap.h), the mirror and the API read the configuration in place,
 * so a new site's CURVE key is admitted and a removed site's refused from the next handshake
 * on, and a removed person's token and sessions stop working at once. A configuration that does
 * not load changes nothing (every problem has been logged, naming the file and the key). What
 * only a restart can change (name, key_file, state_dir, listen, http, timezone, sessions) is kept
 * as it was, with a warning naming each key.
 */
#ifndef HUB_RELOAD_H
#define HUB_RELOAD_H

#include <stddef.h>

#include "common/err.h"
#include "hub/hubconf.h"

/* What a reload changed: ids of sites added and removed (a changed key counts as both). */
typedef struct {
    size_t n_sites_added, n_sites_removed, n_people_added, n_people_removed, n_people_changed;
    char (*sites_added)[MM_KEY_NAME_MAX];
    char (*sites_removed)[MM_KEY_NAME_MAX];
} hub_reload_changes_t;

/*
 * Moves next's people and sites into cur (next is emptied of them and must still be freed),
 * keeping cur's other settings (warnings for those that differ); old receives cur's people and
 * sites as they were (free with hub_config_free), and ch what changed (free with
 * hub_reload_changes_free). MM_ENOMEM leaves cur unchanged.
 */
mm_err_t hub_reload_swap(hub_config_t *cur, hub_config_t *next, hub_config_t *old,
                         hub_reload_changes_t *ch);
void hub_reload_changes_free(hub_reload_changes_t *ch);

/* Writes pid to <state_dir>/hub.pid (mode 0644, replaced atomically); 0, or -1 (logged). */
int hub_pidfile_write(const char *state_dir);
/* Removes it (at a clean stop). */
void hub_pidfile_remove(const char *state_dir);

#endif
