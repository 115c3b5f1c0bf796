/*
 * backup.c: a hot copy of the hub's state directory (see backup.h), and what restore.c shares.
 */
#include "hub/backup.h"

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

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/files.h"
#include "common/log.h"
#include "common/merkle.h"
#include "common/timefmt.h"

#define PIECE (256 * 1024)
#define WALK_DEPTH 8

mm_err_t hub_backup_hash_file(const char *path, uint8_t sha256[32], uint64_t *bytes)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return MM_EIO;
    mm_sha256_ctx_t *ctx = NULL;
    uint8_t *buf = malloc(PIECE);
    mm_err_t err = buf ? mm_sha256_create(&ctx) : MM_ENOMEM;
    uint64_t total = 0;
    while (err == MM_OK) {
        ssize_t n = read(fd, buf, PIECE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            err = MM_EIO;
        if (n <= 0)
            break;
        mm_sha256_update(ctx, buf, (size_t)n);
        total += (uint64_t)n;
    }
    if (err == MM_OK) {
        mm_sha256_final(ctx, sha256);
        *bytes = total;
    }
    mm_sha256_destroy(ctx);
    free(buf);
    int saved = errno;
    close(fd);
    errno = saved;
    return err;
}

mm_err_t hub_backup_copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return MM_EIO;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    uint8_t *buf = malloc(PIECE);
    mm_err_t err = out >= 0 && buf ? MM_OK : MM_EIO;
    while (err == MM_OK) {
        ssize_t n = read(in, buf, PIECE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? MM_EIO : MM_OK;
            break;
        }
        for (ssize_t done = 0; err == MM_OK && done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno != EINTR)
                err = MM_EIO;
            else if (w > 0)
                done += w;
        }
    }
    if (err == MM_OK && fsync(out) != 0)
        err = MM_EIO;
    int saved = errno;
    free(buf);
    close(in);
    if (out >= 0)
        close(out);
    errno = saved;
    return err;
}

int hub_backup_path(char *out, const char *a, const char *b)
{
    int n = snprintf(out, PATH_MAX, "%s/%s", a, b);
    if (n >= 0 && n < PATH_MAX)
        return 0;
    out[0] = 0;
    return -1;
}

int hub_backup_mkdirs(const char *root, const char *rel)
{
    char path[PATH_MAX];
    int n = hub_backup_path(path, root, rel);
    if (n < 0 || (size_t)n >= sizeof path)
        return -1;
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

/* --- the logs, recomputed from their entries -------------------------------------------------*/

/* The root of log id's first size entries, from the entries' bytes (never the stored nodes). */
static mm_err_t recompute(mm_log_t *log, MDB_txn *txn, uint32_t id, uint64_t size, mm_hash_t *root)
{
    if (size == 0) {
        mm_merkle_empty_root(root);
        return MM_OK;
    }
    if (size > SIZE_MAX / sizeof(mm_hash_t))
        return MM_ERANGE;
    mm_hash_t *leaves = malloc((size_t)size * sizeof *leaves);
    if (!leaves)
        return MM_ENOMEM;
    mm_err_t err = MM_OK;
    for (uint64_t i = 0; err == MM_OK && i < size; i++) {
        const void *d;
        size_t len;
        err = mm_log_get(log, txn, id, i, &d, &len);
        if (err == MM_OK)
            mm_merkle_leaf_hash(d, len, &leaves[i]);
    }
    if (err == MM_OK)
        err = mm_merkle_root(mm_merkle_leaves_node, leaves, size, root);
    free(leaves);
    return err;
}

static mm_err_t add_log(hub_manifest_t *m, mm_log_t *log, MDB_txn *txn, const char *name,
                        uint32_t id)
{
    uint64_t size;
    mm_hash_t root;
    mm_err_t err = mm_log_size(log, txn, id, &size);
    if (err == MM_OK)
        err = recompute(log, txn, id, size, &root);
    return err == MM_OK ? hub_manifest_add_log(m, name, id, size, root.b) : err;
}

/* Each row of dbi (site name -> records of stride bytes, each starting with a BE32 log id) adds
 * the logs it names. hub.sites holds each site's current log, hub.epochs the logs closed when a
 * site began its log anew (hub/mirror.c). */
static mm_err_t add_logs_of(hub_manifest_t *m, mm_log_t *log, MDB_txn *txn, MDB_dbi dbi,
                            size_t stride)
{
    MDB_cursor *cur = NULL;
    mm_err_t err = mm_db_err(mdb_cursor_open(txn, dbi, &cur), "open a cursor on the sites");
    MDB_val k, v;
    int rc = err == MM_OK ? mdb_cursor_get(cur, &k, &v, MDB_FIRST) : MDB_NOTFOUND;
    for (; err == MM_OK && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        char name[MM_KEY_NAME_MAX];
        if (v.mv_size % stride || k.mv_size == 0 || k.mv_size >= sizeof name) {
            err = MM_ECORRUPT;
            break;
        }
        memcpy(name, k.mv_data, k.mv_size);
        name[k.mv_size] = 0;
        for (size_t at = 0; err == MM_OK && at < v.mv_size; at += stride)
            err = add_log(m, log, txn, name, mm_be32_get((const uint8_t *)v.mv_data + at));
    }
    if (err == MM_OK && rc != MDB_NOTFOUND)
        err = mm_db_err(rc, "walk the sites");
    if (cur)
        mdb_cursor_close(cur);
    return err;
}

mm_err_t hub_backup_logs(mm_db_t *db, hub_manifest_t *m)
{
    mm_log_t *log;
    MDB_dbi sites, epochs;
    mm_err_t err = mm_log_open(db, &log);
    if (err != MM_OK)
        return err;
    err = mm_db_dbi(db, "hub.sites", 0, &sites);
    if (err == MM_OK)
        err = mm_db_dbi(db, "hub.epochs", 0, &epochs);
    MDB_txn *txn = NULL;
    if (err == MM_OK)
        err = mm_db_read(db, &txn);
    if (err == MM_OK)
        err = add_log(m, log, txn, "hub", 0);
    if (err == MM_OK)
        err = add_logs_of(m, log, txn, sites, 4);
    if (err == MM_OK)
        err = add_logs_of(m, log, txn, epochs, 12);
    if (txn)
        mdb_txn_abort(txn);
    mm_log_close(log);
    return err;
}

/* --- the backup ------------------------------------------------------------------------------*/

typedef struct {
    const char *state; /* the hub's state directory */
    const char *tmp;   /* where the backup is written */
    hub_manifest_t *m;
    char *why;
    size_t cap;
} backup_t;

static mm_err_t fail(backup_t *b, mm_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static mm_err_t fail(backup_t *b, mm_err_t err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->why, b->cap, fmt, ap);
    va_end(ap);
    return err;
}

/* Removes the tree at path (files and directories), as far as it can. */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub[PATH_MAX];
        if (hub_backup_path(sub, path, de->d_name) < (int)sizeof sub)
            remove_tree(sub);
    }
    closedir(d);
    rmdir(path);
}

/* Whether a top-level name of the state directory is the environment's or the running hub's
 * own (not copied as a file): data.mdb is copied through LMDB, lock.mdb and hub.pid belong to
 * the process that runs. */
static int not_a_file_of_state(const char *rel)
{
    return !strcmp(rel, HUB_MANIFEST_DB) || !strcmp(rel, "lock.mdb") || !strcmp(rel, "hub.pid");
}

/* Copies the regular files below state/rel (rel "" the top) into tmp, each into the manifest. */
static mm_err_t copy_tree(backup_t *b, const char *rel, int depth)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s%s%s", b->state, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT && *rel
                   ? MM_OK
                   : fail(b, MM_EIO, "cannot read %s: %s", dir, strerror(errno));
    mm_err_t err = MM_OK;
    struct dirent *de;
    while (err == MM_OK && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub[HUB_MANIFEST_PATH_MAX + 1], from[PATH_MAX], to[PATH_MAX];
        int n = snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        if (n < 0 || (size_t)n >= sizeof sub || !hub_manifest_path_ok(sub)) {
            MM_WARN("backup: %s/%s left out: not a name a backup holds", dir, de->d_name);
            continue;
        }
        if (!*rel && not_a_file_of_state(sub))
            continue;
        hub_backup_path(from, b->state, sub);
        hub_backup_path(to, b->tmp, sub);
        struct stat st;
        if (lstat(from, &st) != 0)
            continue; /* gone since the listing */
        if (S_ISDIR(st.st_mode)) {
            err = depth < WALK_DEPTH ? copy_tree(b, sub, depth + 1)
                                     : fail(b, MM_ERANGE, "%s: folders too deep", from);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        uint8_t h[32];
        uint64_t bytes;
        if (hub_backup_mkdirs(b->tmp, sub) != 0 || hub_backup_copy_file(from, to) != MM_OK)
            err = fail(b, MM_EIO, "cannot copy %s to %s: %s", from, to, strerror(errno));
        else if (hub_backup_hash_file(to, h, &bytes) != MM_OK)
            err = fail(b, MM_EIO, "cannot read %s: %s", to, strerror(errno));
        else if ((err = hub_manifest_add_file(b->m, sub, bytes, h)) != MM_OK)
            fail(b, err, "%s: %s", sub, mm_strerror(err));
    }
    closedir(d);
    return err;
}

/* The environment copied (compacted, in one read transaction of the running hub's). */
static mm_err_t copy_env(backup_t *b)
{
    char data[PATH_MAX];
    hub_backup_path(data, b->state, HUB_MANIFEST_DB);
    struct stat st;
    if (stat(data, &st) != 0)
        return fail(b, MM_ENOTFOUND, "%s: no hub database there (%s)", data, strerror(errno));
    mm_db_t *db;
    if (mm_db_open(b->state, 0, HUB_DB_TABLES, &db) != MM_OK)
        return fail(b, MM_EDB, "cannot open the hub's database in %s", b->state);
    int rc = mdb_env_copy2(mm_db_env(db), b->tmp, MDB_CP_COMPACT);
    if (rc == MDB_MAP_RESIZED) {
        /* The hub grew its map since this process opened it: adopt the size, copy again. */
        char data2[PATH_MAX];
        hub_backup_path(data2, b->tmp, HUB_MANIFEST_DB);
        unlink(data2);
        mdb_env_set_mapsize(mm_db_env(db), 0);
        rc = mdb_env_copy2(mm_db_env(db), b->tmp, MDB_CP_COMPACT);
    }
    mm_db_close(db);
    if (rc != 0)
        return fail(b, MM_EDB, "cannot copy the hub's database to %s: %s", b->tmp,
                    mdb_strerror(rc));
    hub_backup_path(data, b->tmp, HUB_MANIFEST_DB);
    if (chmod(data, 0600) != 0)
        return fail(b, MM_EIO, "%s: %s", data, strerror(errno));
    return MM_OK;
}

/* The copy's logs (roots recomputed from the copy: what the manifest says is what it holds),
 * then its hash: opening the copy makes a lock file, which is not part of the backup. */
static mm_err_t describe_env(backup_t *b)
{
    mm_db_t *db;
    if (mm_db_open(b->tmp, 0, HUB_DB_TABLES, &db) != MM_OK)
        return fail(b, MM_EDB, "cannot open the copy in %s", b->tmp);
    mm_err_t err = hub_backup_logs(db, b->m);
    mm_db_close(db);
    char path[PATH_MAX];
    hub_backup_path(path, b->tmp, "lock.mdb");
    unlink(path);
    if (err != MM_OK)
        return fail(b, err, "the copy's logs cannot be read: %s", mm_strerror(err));
    hub_backup_path(path, b->tmp, HUB_MANIFEST_DB);
    uint8_t h[32];
    uint64_t bytes;
    if (hub_backup_hash_file(path, h, &bytes) != MM_OK)
        return fail(b, MM_EIO, "cannot read %s: %s", path, strerror(errno));
    return hub_manifest_add_file(b->m, HUB_MANIFEST_DB, bytes, h);
}

static mm_err_t write_manifest(backup_t *b)
{
    char *text;
    mm_err_t err = hub_manifest_format(b->m, &text);
    if (err != MM_OK)
        return fail(b, err, "cannot write the manifest: %s", mm_strerror(err));
    char path[PATH_MAX];
    hub_backup_path(path, b->tmp, HUB_MANIFEST_NAME);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    size_t len = strlen(text);
    int ok = fd >= 0 && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    free(text);
    return ok ? MM_OK : fail(b, MM_EIO, "cannot write %s: %s", path, strerror(errno));
}

/* fsync of every directory below and at dir. */
static mm_err_t sync_dirs(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return MM_EIO;
    mm_err_t err = MM_OK;
    struct dirent *de;
    while (err == MM_OK && depth < WALK_DEPTH && (de = readdir(d))) {
        char sub[PATH_MAX];
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
            snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name) >= (int)sizeof sub)
            continue;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            err = sync_dirs(sub, depth + 1);
    }
    closedir(d);
    return err == MM_OK ? mm_dir_sync(dir) : err;
}

mm_err_t hub_backup_run(const hub_config_t *cfg, const char *dir, char *why, size_t cap)
{
    char tmp[PATH_MAX];
    struct stat st;
    if (stat(dir, &st) == 0) {
        snprintf(why, cap, "%s exists: a backup goes to a new folder", dir);
        return MM_EEXIST;
    }
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-%ld", dir, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp || mkdir(tmp, 0700) != 0) {
        snprintf(why, cap, "cannot create %s: %s", tmp, strerror(errno));
        return MM_EIO;
    }
    hub_manifest_t m;
    hub_manifest_init(&m);
    backup_t b = {.state = cfg->state_dir, .tmp = tmp, .m = &m, .why = why, .cap = cap};
    int64_t now = mm_now_us();
    snprintf(m.hub, sizeof m.hub, "%s", cfg->name);
    m.time_us = now;
    mm_time_rfc3339(now, m.time);
    /* The database first, then the files: an export the copy records as whole is on disk. */
    mm_err_t err = copy_env(&b);
    if (err == MM_OK)
        err = copy_tree(&b, "", 0);
    if (err == MM_OK)
        err = describe_env(&b);
    if (err == MM_OK)
        err = write_manifest(&b);
    if (err == MM_OK && sync_dirs(tmp, 0) != MM_OK)
        err = fail(&b, MM_EIO, "cannot sync %s: %s", tmp, strerror(errno));
    if (err == MM_OK && (rename(tmp, dir) != 0 || mm_dir_sync_of(dir) != MM_OK))
        err = fail(&b, MM_EIO, "cannot rename %s to %s: %s", tmp, dir, strerror(errno));
    if (err != MM_OK)
        remove_tree(tmp);
    else
        MM_INFO("backup of hub %s in %s: %zu file(s), %zu log(s)", cfg->name, dir, m.n_files,
                m.n_logs);
    hub_manifest_deinit(&m);
    return err;
}
