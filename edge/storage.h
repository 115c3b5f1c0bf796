/*
 * storage.h: free space, and which camera gives way when there is too little.
 *
 * A full disk never erases footage that must be kept (held, or inside the policy's floor): the
 * edge first erases footage past the floor that is not held (the hours only the longer
 * configured retention was keeping), then stops cameras one at a time, lowest priority first
 * (ties: the last listed), with a storage_alarm entry for each step; it resumes them, highest
 * priority first, once free space is back above twice the minimum. app.c applies these
 * decisions; the choice itself is here so that it can be tested on its own.
 */
#ifndef EDGE_STORAGE_H
#define EDGE_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct {
    const char *id;
    int priority;
    int paused;
} edge_storage_camera_t;

/* Free and total bytes of the filesystem holding path (for an unprivileged writer). */
mm_err_t edge_storage_space(const char *path, uint64_t *free_bytes, uint64_t *total_bytes);

/* The camera to stop next: the running one of lowest priority, the last listed among equals;
 * -1 when all are stopped. */
int edge_storage_pick_pause(const edge_storage_camera_t *cams, size_t n);

/* The camera to resume next: the paused one of highest priority, the first listed among
 * equals; -1 when none is paused. */
int edge_storage_pick_resume(const edge_storage_camera_t *cams, size_t n);

#endif
