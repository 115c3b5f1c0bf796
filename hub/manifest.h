/*
 * manifest.h: what a hub backup holds (backup.h), as the JSON file manifest.json beside it.
 *
 *   {"format": "mimamori-hub-backup/1", "hub": "<hub name>", "time": "<RFC 3339>",
 *    "time_us": <µs since the epoch>,
 *    "files": [{"path": "data.mdb", "bytes": N, "sha256": "<hex>"}, ...],
 *    "logs":  [{"name": "hub" | "<site id>", "id": <log id>, "size": N, "root": "<hex>"}, ...]}
 *
 * "files" are relative to the state directory (data.mdb is the hub's LMDB environment, copied
 * compacted; the rest is what else the state directory held, disclosure exports among it);
 * "logs" are the hub's own log (id 0, named "hub") and each site's log (and the logs it closed
 * when the site began its log anew, under the same name) with the size and RFC 6962 root of what
 * the copy holds. At restore the manifest is outside bytes: the parser accepts only
 * this shape, every path relative and plain (no "..", no empty or hidden part, no backslash), each
 * once, data.mdb among them, each log id once.
 */
#ifndef HUB_MANIFEST_H
#define HUB_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/keys.h"

#define HUB_MANIFEST_FORMAT "mimamori-hub-backup/1"
#define HUB_MANIFEST_NAME "manifest.json"
#define HUB_MANIFEST_DB "data.mdb"
#define HUB_MANIFEST_PATH_MAX 512
#define HUB_MANIFEST_FILES_MAX 100000
#define HUB_MANIFEST_LOGS_MAX 65536
#define HUB_MANIFEST_BYTES_MAX (64u << 20) /* the manifest file itself */

typedef struct {
    char path[HUB_MANIFEST_PATH_MAX];
    uint64_t bytes;
    uint8_t sha256[32];
} hub_manifest_file_t;

typedef struct {
    char name[MM_KEY_NAME_MAX];
    uint32_t id;
    uint64_t size;
    uint8_t root[32];
} hub_manifest_log_t;

typedef struct {
    char hub[MM_KEY_NAME_MAX];
    char time[40];
    int64_t time_us;
    size_t n_files;
    hub_manifest_file_t *files;
    size_t n_logs;
    hub_manifest_log_t *logs;
} hub_manifest_t;

void hub_manifest_init(hub_manifest_t *m);
void hub_manifest_deinit(hub_manifest_t *m);

/* Whether path is one the manifest may name: relative, parts of [A-Za-z0-9._-] not starting with
 * a dot, at most HUB_MANIFEST_PATH_MAX - 1 bytes. */
int hub_manifest_path_ok(const char *path);

/* Adds a file or a log (copied). MM_OK, MM_EINVAL for a path or name it may not hold, MM_ENOMEM,
 * MM_ERANGE past the limits above. */
mm_err_t hub_manifest_add_file(hub_manifest_t *m, const char *path, uint64_t bytes,
                               const uint8_t sha256[32]);
mm_err_t hub_manifest_add_log(hub_manifest_t *m, const char *name, uint32_t id, uint64_t size,
                              const uint8_t root[32]);

/* The file named path, or the log of id; NULL when none. */
const hub_manifest_file_t *hub_manifest_file(const hub_manifest_t *m, const char *path);
const hub_manifest_log_t *hub_manifest_log(const hub_manifest_t *m, uint32_t id);

/* The manifest as JSON text (malloc'd, NUL-terminated, a newline at the end). MM_ENOMEM. */
mm_err_t hub_manifest_format(const hub_manifest_t *m, char **out);

/*
 * Parses len bytes of text into out (initialised here; deinit it either way). MM_OK, or MM_EPARSE
 * with why (cap bytes) naming what is wrong ("files[3].sha256: not 64 hex digits"), or MM_ENOMEM.
 */
mm_err_t hub_manifest_parse(const char *text, size_t len, hub_manifest_t *out, char *why,
                            size_t cap);

#endif
