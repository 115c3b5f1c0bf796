/*
 * files.c: directory syncs (see files.h).
 */
#include "common/files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

mm_err_t mm_dir_sync(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return MM_EIO;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc == 0 ? MM_OK : MM_EIO;
}

mm_err_t mm_dir_sync_of(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        return mm_dir_sync(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof dir)
        return MM_ERANGE;
    memcpy(dir, path, n);
    dir[n] = 0;
    return mm_dir_sync(dir);
}
