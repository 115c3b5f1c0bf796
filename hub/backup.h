/*
 * backup.h: a hot, consistent copy of the hub's state directory, and a new state directory
 * brought up from one (`mimamori-hub backup|restore --config FILE DIR`).
 *
 * The hub's state is one LMDB environment (data.mdb in state_dir: the site logs, the hub's own
 * log, the registry, findings, measures, requests, disclosures...) and files beside it (the
 * disclosure exports under exports/). A backup copies the environment with mdb_env_copy2
 * (MDB_CP_COMPACT) inside one read transaction, so it never stops the running hub and is one
 * committed state of it; then the other files (an export renamed whole after that state is
 * recorded at the next chunk, a part resumes from its length: hub/disclosure_export.c); then
 * the roots of every log are recomputed from the copy's entries into manifest.json (manifest.h)
 * with each file's SHA-256. All goes to DIR.tmp-<pid> beside DIR, files 0600, directories 0700,
 * each synced, and is renamed to DIR at the end: a DIR that exists is a whole backup.
 *
 * A restore checks everything before it places anything: the manifest parses, names this hub,
 * every file it names is in DIR with its size and SHA-256 (and nothing is left over), the state
 * directory is empty or missing; then the files are copied to a directory beside state_dir, the
 * environment opened there, every log's root recomputed from its entries and compared with the
 * manifest's, and the directory renamed to state_dir. Each refusal names what is wrong.
 */
#ifndef HUB_BACKUP_H
#define HUB_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/err.h"
#include "hub/hubconf.h"
#include "hub/manifest.h"

/* Backs up the state of the hub configured by cfg into dir (which must not exist). MM_OK, or an
 * error with why (cap bytes) saying what went wrong; nothing is left at dir then. */
mm_err_t hub_backup_run(const hub_config_t *cfg, const char *dir, char *why, size_t cap);

/* Restores the backup in dir into cfg's state_dir (empty or missing). MM_OK, or an error with
 * why saying what is wrong; the state directory is as it was then. */
mm_err_t hub_restore_run(const hub_config_t *cfg, const char *dir, char *why, size_t cap);

/* The hub's log (id 0, named "hub"), every site's log in db (hub.sites) and the logs closed when
 * a site began its log anew (hub.epochs, named by their site), each with its size and the root
 * recomputed from its entries' bytes, added to m. */
mm_err_t hub_backup_logs(mm_db_t *db, hub_manifest_t *m);

/* SHA-256 and length of the file at path. MM_OK or MM_EIO (errno kept), MM_ENOMEM. */
mm_err_t hub_backup_hash_file(const char *path, uint8_t sha256[32], uint64_t *bytes);

/* Copies the file from to a new file to (mode 0600, O_EXCL), synced. MM_OK or MM_EIO. */
mm_err_t hub_backup_copy_file(const char *from, const char *to);

/* a "/" b into out (PATH_MAX bytes): 0, or -1 when it does not fit (out is "" then). */
int hub_backup_path(char *out, const char *a, const char *b);

/* mkdir -p of the directories above path (a file's path below root, which exists), 0700. */
int hub_backup_mkdirs(const char *root, const char *rel);

#endif
