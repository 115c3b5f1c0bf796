/*
 * storage.c: free space and the order in which cameras give way (see storage.h).
 */
#include "edge/storage.h"

#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include "common/diag.h"

mm_err_t edge_storage_space(const char *path, uint64_t *free_bytes, uint64_t *total_bytes)
{
    struct statvfs s;
    if (statvfs(path, &s) != 0) {
        MM_ERROR("cannot read free space of %s: %s", path, strerror(errno));
        return MM_EIO;
    }
    *free_bytes = (uint64_t)s.f_bavail * s.f_frsize;
    *total_bytes = (uint64_t)s.f_blocks * s.f_frsize;
    return MM_OK;
}

int edge_storage_pick_pause(const edge_storage_camera_t *cams, size_t n)
{
    int pick = -1;
    for (size_t i = 0; i < n; i++)
        if (!cams[i].paused && (pick < 0 || cams[i].priority <= cams[pick].priority))
            pick = (int)i;
    return pick;
}

int edge_storage_pick_resume(const edge_storage_camera_t *cams, size_t n)
{
    int pick = -1;
    for (size_t i = 0; i < n; i++)
        if (cams[i].paused && (pick < 0 || cams[i].priority > cams[pick].priority))
            pick = (int)i;
    return pick;
}
