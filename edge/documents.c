/*
 * documents.c: the standards documents kept on disk and sent to the hub (see documents.h).
 *
 * The versions to send are the files in the directory, not a count kept elsewhere: whatever
 * was kept is offered, and a version is done only once the hub said so and edge.meta records
 * it. A cursor remembers the lowest version that may still be due, so that a pump looks at the
 * done records of at most the versions it passes once.
 */
#include "edge/documents.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/files.h"

struct edge_documents {
    char *dir;
    edge_store_t *store;
    mm_err_t (*send)(void *arg, const mm_filing_document_t *d);
    void *arg;
    uint32_t next;    /* no version below it is due */
    uint32_t sending; /* the version handed to send, 0 when none */
};

static int path_of(char *out, size_t cap, const char *dir, uint32_t version, const char *ext)
{
    int n = snprintf(out, cap, "%s/%" PRIu32 ".%s", dir, version, ext);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Writes len bytes of data to path through path.tmp, synced and renamed. 0, or -1 (logged). */
static int write_file(const char *path, const char *data, size_t len)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t done = 0;
    while (fd >= 0 && done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int ok = fd >= 0 && done == len && fdatasync(fd) == 0;
    int saved = errno;
    if (fd >= 0)
        close(fd);
    if (ok && rename(tmp, path) == 0)
        return 0;
    MM_ERROR("cannot keep the standards document %s: %s", path, strerror(ok ? errno : saved));
    unlink(tmp);
    return -1;
}

mm_err_t edge_documents_keep(const char *dir, uint32_t version, const char *md, const char *html)
{
    char p_md[PATH_MAX], p_html[PATH_MAX];
    if (version == 0 || !md || path_of(p_md, sizeof p_md, dir, version, "md") != 0 ||
        path_of(p_html, sizeof p_html, dir, version, "html") != 0)
        return MM_EINVAL;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        MM_ERROR("cannot create %s: %s", dir, strerror(errno));
        return MM_EIO;
    }
    if (write_file(p_md, md, strlen(md)) != 0)
        return MM_EIO;
    if (html ? write_file(p_html, html, strlen(html)) != 0 : unlink(p_html) != 0 && errno != ENOENT)
        return MM_EIO;
    /* The names are durable with their directory, and the directory with its parent. */
    if (mm_dir_sync(dir) != MM_OK || mm_dir_sync_of(dir) != MM_OK) {
        MM_ERROR("cannot sync %s: %s", dir, strerror(errno));
        return MM_EIO;
    }
    return MM_OK;
}

int edge_documents_kept(const char *dir, uint32_t version)
{
    char p[PATH_MAX];
    struct stat st;
    return path_of(p, sizeof p, dir, version, "md") == 0 && stat(p, &st) == 0 &&
           S_ISREG(st.st_mode);
}

/* The whole file at path into *out (malloc'd, *len bytes): MM_OK, MM_ENOTFOUND, MM_ETOOBIG,
 * MM_EIO or MM_ENOMEM. */
static mm_err_t read_file(const char *path, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? MM_ENOTFOUND : MM_EIO;
    struct stat st;
    mm_err_t err = MM_OK;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) != 0)
        err = MM_EIO;
    else if (st.st_size > MM_DOCUMENT_MAX)
        err = MM_ETOOBIG;
    else if (!(buf = malloc((size_t)st.st_size + 1)))
        err = MM_ENOMEM;
    size_t got = 0;
    while (err == MM_OK && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            err = MM_EIO;
        else
            got += (size_t)n;
    }
    close(fd);
    if (err != MM_OK) {
        free(buf);
        return err;
    }
    *out = buf;
    *len = got;
    return MM_OK;
}

mm_err_t edge_documents_load(const char *dir, uint32_t version, uint8_t **md, size_t *md_len,
                             uint8_t **html, size_t *html_len)
{
    char p_md[PATH_MAX], p_html[PATH_MAX];
    *md = *html = NULL;
    *md_len = *html_len = 0;
    if (path_of(p_md, sizeof p_md, dir, version, "md") != 0 ||
        path_of(p_html, sizeof p_html, dir, version, "html") != 0)
        return MM_EINVAL;
    mm_err_t err = read_file(p_md, md, md_len);
    if (err == MM_OK) {
        err = read_file(p_html, html, html_len);
        if (err == MM_ENOTFOUND)
            err = MM_OK;
    }
    if (err != MM_OK) {
        free(*md);
        *md = NULL;
        *md_len = 0;
    }
    return err;
}

mm_err_t edge_documents_create(const edge_documents_conf_t *conf, edge_documents_t **out)
{
    edge_documents_t *d = calloc(1, sizeof *d);
    if (!d || !(d->dir = strdup(conf->dir))) {
        free(d);
        return MM_ENOMEM;
    }
    d->store = conf->store;
    d->send = conf->send;
    d->arg = conf->arg;
    d->next = 1;
    *out = d;
    return MM_OK;
}

void edge_documents_destroy(edge_documents_t *d)
{
    if (!d)
        return;
    free(d->dir);
    free(d);
}

/* The lowest version at or above from whose Markdown the directory holds; 0 when none. */
static uint32_t next_kept(const edge_documents_t *d, uint32_t from)
{
    DIR *dh = opendir(d->dir);
    if (!dh)
        return 0;
    uint32_t best = 0;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(de->d_name, &end, 10);
        if (end == de->d_name || de->d_name[0] == '0' || errno || strcmp(end, ".md") != 0 ||
            v > UINT32_MAX)
            continue;
        if (v >= from && (best == 0 || v < best))
            best = (uint32_t)v;
    }
    closedir(dh);
    return best;
}

static void meta_name(char *out, size_t cap, uint32_t version)
{
    snprintf(out, cap, "document/%" PRIu32, version);
}

static int answered(edge_documents_t *d, uint32_t version)
{
    char name[32], buf[1024];
    size_t len;
    meta_name(name, sizeof name, version);
    mm_err_t err = edge_store_meta_get(d->store, name, buf, sizeof buf, &len);
    return err == MM_OK || err == MM_ERANGE;
}

static void record(edge_documents_t *d, uint32_t version, const char *status, const char *reason)
{
    char name[32];
    meta_name(name, sizeof name, version);
    json_t *o = json_pack("{s:s, s:s, s:I}", "status", status, "reason", reason ? reason : "",
                          "time_us", (json_int_t)mm_now_us());
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    mm_err_t err = s ? edge_store_meta_put(d->store, name, s, strlen(s)) : MM_ENOMEM;
    free(s);
    if (err != MM_OK)
        MM_ERROR("cannot record the hub's answer on the standards document of version %" PRIu32
                 " (%s); it will be sent again after a restart",
                 version, mm_strerror(err));
}

void edge_documents_pump(edge_documents_t *d)
{
    while (d && !d->sending) {
        uint32_t v = next_kept(d, d->next);
        if (v == 0)
            return;
        if (answered(d, v)) {
            d->next = v + 1;
            continue;
        }
        uint8_t *md, *html;
        size_t md_len, html_len;
        mm_err_t err = edge_documents_load(d->dir, v, &md, &md_len, &html, &html_len);
        if (err == MM_OK) {
            mm_filing_document_t fd = {.version = v,
                                       .markdown = md,
                                       .markdown_len = md_len,
                                       .html = html,
                                       .html_len = html_len};
            err = md_len ? d->send(d->arg, &fd) : MM_EINVAL;
            free(md);
            free(html);
            if (err == MM_OK) {
                d->sending = v;
                d->next = v;
                MM_INFO("standards document of version %" PRIu32 ": sending it to the hub", v);
                return;
            }
        }
        if (err != MM_ETOOBIG && err != MM_EINVAL) {
            MM_DEBUG("standards document of version %" PRIu32 " not sent now: %s", v,
                     mm_strerror(err));
            return; /* offered again at the next pump */
        }
        MM_ERROR("the standards document of version %" PRIu32 " cannot be sent: %s", v,
                 err == MM_ETOOBIG ? "larger than a filing may carry" : "it is empty");
        record(d, v, "unsendable", mm_strerror(err));
        d->next = v + 1;
    }
}

void edge_documents_done(edge_documents_t *d, uint32_t version, int stored, const char *reason)
{
    if (stored)
        MM_INFO("standards document of version %" PRIu32 ": the hub holds it", version);
    else
        MM_ERROR("standards document of version %" PRIu32 ": the hub refused it: %s", version,
                 reason && *reason ? reason : "no reason given");
    record(d, version, stored ? "ok" : "refused", reason);
    if (d->sending == version) {
        d->sending = 0;
        d->next = version + 1;
    }
    edge_documents_pump(d);
}
