/*
 * restore.c: a hub's state directory brought up from a backup (see backup.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/files.h"
#include "hub/backup.h"

#define WALK_DEPTH 8

typedef struct {
    const char *dir; /* the backup */
    hub_manifest_t m;
    char *why;
    size_t cap;
} restore_t;

static mm_err_t refuse(restore_t *r, mm_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static mm_err_t refuse(restore_t *r, mm_err_t err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, r->cap, fmt, ap);
    va_end(ap);
    return err;
}

static mm_err_t read_manifest(restore_t *r)
{
    char path[PATH_MAX];
    hub_backup_path(path, r->dir, HUB_MANIFEST_NAME);
    FILE *f = fopen(path, "rb");
    if (!f)
        return refuse(r, MM_ENOTFOUND, "%s: %s (not a hub backup, or one that was not finished)",
                      path, strerror(errno));
    char *text = malloc(HUB_MANIFEST_BYTES_MAX + 1);
    size_t n = text ? fread(text, 1, HUB_MANIFEST_BYTES_MAX + 1, f) : 0;
    fclose(f);
    if (!text)
        return refuse(r, MM_ENOMEM, "out of memory");
    char why[256];
    mm_err_t err = hub_manifest_parse(text, n, &r->m, why, sizeof why);
    free(text);
    if (err != MM_OK)
        return refuse(r, err, "%s: %s", path, err == MM_EPARSE ? why : mm_strerror(err));
    return MM_OK;
}

/* Every file the manifest names is in root with its size and SHA-256. */
static mm_err_t check_files(restore_t *r, const char *root)
{
    for (size_t i = 0; i < r->m.n_files; i++) {
        const hub_manifest_file_t *f = &r->m.files[i];
        char path[PATH_MAX];
        hub_backup_path(path, root, f->path);
        struct stat st;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            return refuse(r, MM_ENOTFOUND,
                          "%s: missing (the manifest names it): the backup is "
                          "incomplete",
                          path);
        uint8_t h[32];
        uint64_t bytes;
        if (hub_backup_hash_file(path, h, &bytes) != MM_OK)
            return refuse(r, MM_EIO, "%s: cannot read it: %s", path, strerror(errno));
        if (bytes != f->bytes)
            return refuse(r, MM_ECORRUPT,
                          "%s: %" PRIu64 " bytes, the manifest says %" PRIu64
                          ": the backup is damaged",
                          path, bytes, f->bytes);
        if (memcmp(h, f->sha256, 32) != 0)
            return refuse(r, MM_ECORRUPT,
                          "%s: its SHA-256 is not the manifest's: the backup is "
                          "damaged",
                          path);
    }
    return MM_OK;
}

/* Nothing in the backup below rel that the manifest does not name. */
static mm_err_t check_extra(restore_t *r, const char *rel, int depth)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s%s%s", r->dir, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return refuse(r, MM_EIO, "cannot read %s: %s", dir, strerror(errno));
    mm_err_t err = MM_OK;
    struct dirent *de;
    while (err == MM_OK && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub[PATH_MAX], path[PATH_MAX];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        hub_backup_path(path, r->dir, sub);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && depth < WALK_DEPTH)
            err = check_extra(r, sub, depth + 1);
        else if (strcmp(sub, HUB_MANIFEST_NAME) && !hub_manifest_file(&r->m, sub))
            err = refuse(r, MM_EINVAL,
                         "%s: not in the manifest (a backup of another hub, or "
                         "changed after it was taken)",
                         path);
    }
    closedir(d);
    return err;
}

/* The state directory is missing (*exists 0) or empty (1). */
static mm_err_t check_state(restore_t *r, const char *state, int *exists)
{
    DIR *d = opendir(state);
    *exists = d != NULL;
    if (!d)
        return errno == ENOENT ? MM_OK
                               : refuse(r, MM_EIO, "cannot read %s: %s", state, strerror(errno));
    struct dirent *de;
    mm_err_t err = MM_OK;
    while (err == MM_OK && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            err = refuse(r, MM_EEXIST,
                         "%s is not empty (it holds %s): a restore brings up a new "
                         "state directory; move this one away first",
                         state, de->d_name);
    closedir(d);
    return err;
}

static mm_err_t place(restore_t *r, const char *stage)
{
    for (size_t i = 0; i < r->m.n_files; i++) {
        char from[PATH_MAX], to[PATH_MAX];
        hub_backup_path(from, r->dir, r->m.files[i].path);
        hub_backup_path(to, stage, r->m.files[i].path);
        if (hub_backup_mkdirs(stage, r->m.files[i].path) != 0 ||
            hub_backup_copy_file(from, to) != MM_OK)
            return refuse(r, MM_EIO, "cannot copy %s to %s: %s", from, to, strerror(errno));
        if (mm_dir_sync_of(to) != MM_OK)
            return refuse(r, MM_EIO, "cannot sync the folder of %s", to);
    }
    return MM_OK;
}

/* Every log's root recomputed from the restored database is the manifest's. */
static mm_err_t check_logs(restore_t *r, const char *stage)
{
    mm_db_t *db;
    if (mm_db_open(stage, 0, HUB_DB_TABLES, &db) != MM_OK)
        return refuse(r, MM_EDB, "the restored database in %s does not open", stage);
    hub_manifest_t got;
    hub_manifest_init(&got);
    mm_err_t err = hub_backup_logs(db, &got);
    mm_db_close(db);
    if (err != MM_OK)
        err = refuse(r, err, "the restored database's logs cannot be read: %s", mm_strerror(err));
    if (err == MM_OK && got.n_logs != r->m.n_logs)
        err = refuse(r, MM_ECORRUPT, "the restored database holds %zu logs, the manifest %zu",
                     got.n_logs, r->m.n_logs);
    for (size_t i = 0; err == MM_OK && i < got.n_logs; i++) {
        const hub_manifest_log_t *g = &got.logs[i], *w = hub_manifest_log(&r->m, g->id);
        if (!w || strcmp(w->name, g->name))
            err = refuse(r, MM_ECORRUPT, "log %" PRIu32 " (%s) is not in the manifest", g->id,
                         g->name);
        else if (w->size != g->size || memcmp(w->root, g->root, 32))
            err = refuse(r, MM_ECORRUPT,
                         "log %s: size %" PRIu64 " and its root recomputed from "
                         "the restored entries are not the manifest's (size %" PRIu64 ")",
                         g->name, g->size, w->size);
    }
    hub_manifest_deinit(&got);
    return err;
}

static void remove_stage(const char *stage, const hub_manifest_t *m)
{
    char path[PATH_MAX];
    for (size_t i = 0; i < m->n_files; i++) {
        hub_backup_path(path, stage, m->files[i].path);
        unlink(path);
        /* the folders above it, deepest first, while they are empty */
        for (char *s = strrchr(path, '/'); s && s > path + strlen(stage); s = strrchr(path, '/')) {
            *s = 0;
            rmdir(path);
        }
    }
    hub_backup_path(path, stage, "lock.mdb");
    unlink(path);
    rmdir(stage);
}

static mm_err_t bring_up(restore_t *r, const char *state, int exists)
{
    char stage[PATH_MAX], lock[PATH_MAX];
    int n = snprintf(stage, sizeof stage, "%s.restore-%ld", state, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof stage || mkdir(stage, 0700) != 0)
        return refuse(r, MM_EIO, "cannot create %s: %s", stage, strerror(errno));
    mm_err_t err = place(r, stage);
    if (err == MM_OK)
        err = check_files(r, stage); /* what was written is what was checked */
    if (err == MM_OK)
        err = check_logs(r, stage);
    hub_backup_path(lock, stage, "lock.mdb");
    unlink(lock);
    if (err == MM_OK && exists && rmdir(state) != 0)
        err = refuse(r, MM_EIO, "cannot replace the empty %s: %s", state, strerror(errno));
    if (err == MM_OK && (rename(stage, state) != 0 || mm_dir_sync_of(state) != MM_OK))
        err = refuse(r, MM_EIO, "cannot rename %s to %s: %s", stage, state, strerror(errno));
    if (err != MM_OK)
        remove_stage(stage, &r->m);
    return err;
}

mm_err_t hub_restore_run(const hub_config_t *cfg, const char *dir, char *why, size_t cap)
{
    restore_t r = {.dir = dir, .why = why, .cap = cap};
    hub_manifest_init(&r.m);
    int exists = 0;
    mm_err_t err = read_manifest(&r);
    if (err == MM_OK && strcmp(r.m.hub, cfg->name))
        err = refuse(&r, MM_EINVAL, "%s is a backup of hub \"%s\", not of \"%s\"", dir, r.m.hub,
                     cfg->name);
    if (err == MM_OK)
        err = check_state(&r, cfg->state_dir, &exists);
    if (err == MM_OK)
        err = check_files(&r, dir);
    if (err == MM_OK)
        err = check_extra(&r, "", 0);
    if (err == MM_OK)
        err = bring_up(&r, cfg->state_dir, exists);
    if (err == MM_OK)
        MM_INFO("hub %s restored into %s from the backup of %s (%zu file(s), %zu log(s))",
                cfg->name, cfg->state_dir, r.m.time, r.m.n_files, r.m.n_logs);
    hub_manifest_deinit(&r.m);
    return err;
}
