/*
 * fuzz_manifest.c: a hub backup's manifest.json (hub/manifest.h), which `mimamori-hub restore`
 * reads from a folder it did not write. Nothing may crash or hang, and every outcome must be what
 * the parser promises: MM_OK with a database file among the files, the hub's log among the logs,
 * every path one that stays inside the state directory and each named once, each log id once;
 * or MM_EPARSE with a reason. What parses formats and parses again to the same. Violations
 * abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/manifest.h"

static void check_ok(const hub_manifest_t *m)
{
    if (!hub_manifest_file(m, HUB_MANIFEST_DB) || !hub_manifest_log(m, 0))
        abort();
    for (size_t i = 0; i < m->n_files; i++) {
        if (!hub_manifest_path_ok(m->files[i].path))
            abort();
        for (size_t j = 0; j < i; j++)
            if (!strcmp(m->files[i].path, m->files[j].path))
                abort();
    }
    for (size_t i = 0; i < m->n_logs; i++)
        for (size_t j = 0; j < i; j++)
            if (m->logs[i].id == m->logs[j].id)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hub_manifest_t m, again;
    char why[256];
    mm_err_t err = hub_manifest_parse((const char *)data, size, &m, why, sizeof why);
    if (err == MM_OK) {
        check_ok(&m);
        char *text;
        if (hub_manifest_format(&m, &text) == MM_OK) {
            if (hub_manifest_parse(text, strlen(text), &again, why, sizeof why) != MM_OK ||
                again.n_files != m.n_files || again.n_logs != m.n_logs ||
                strcmp(again.hub, m.hub) || again.time_us != m.time_us ||
                memcmp(again.files, m.files, m.n_files * sizeof *m.files) ||
                memcmp(again.logs, m.logs, m.n_logs * sizeof *m.logs))
                abort();
            hub_manifest_deinit(&again);
            free(text);
        }
    } else if (err != MM_EPARSE && err != MM_ENOMEM) {
        abort();
    } else if (err == MM_EPARSE && !why[0]) {
        abort();
    }
    hub_manifest_deinit(&m);
    return 0;
}
