/*
 * segment_pool.c: chunk buffers by size class, and each camera's last need (see segment_pool.h).
 *
 * Idle buffers are kept in one list per class. The cameras' needs are in a small open-addressed
 * table keyed by camera id; when it is full a new camera simply starts from the smallest class.
 */
#include "edge/segment_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/entry.h"

#define CLASSES 12   /* 64 KiB .. 128 MiB */
#define CAMERAS 1024 /* table slots: EDGE_MAX_CAMERAS (256) with room to spare */

typedef struct idle {
    struct idle *next;
} idle_t;

typedef struct {
    char id[MM_ID_MAX];
    size_t need;
} need_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static idle_t *idle_list[CLASSES];
static size_t idle_bytes, in_use;
static need_t needs[CAMERAS];

/* The class index of a size, or -1 beyond the largest class. */
static int class_of(size_t need)
{
    size_t size = EDGE_SEGPOOL_MIN;
    for (int c = 0; c < CLASSES; c++, size *= 2)
        if (need <= size)
            return c;
    return -1;
}

size_t edge_segpool_class(size_t need)
{
    int c = class_of(need);
    return c < 0 ? need : (size_t)EDGE_SEGPOOL_MIN << c;
}

/* The slot of camera: its own, or an empty one; NULL when the table is full. Under lock. */
static need_t *slot(const char *camera)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = camera; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    for (uint32_t i = 0; i < CAMERAS; i++) {
        need_t *n = &needs[(h + i) % CAMERAS];
        if (!n->id[0] || strcmp(n->id, camera) == 0)
            return n;
    }
    return NULL;
}

size_t edge_segpool_hint(const char *camera)
{
    pthread_mutex_lock(&lock);
    need_t *n = slot(camera);
    size_t need = n && n->id[0] ? n->need : 0;
    pthread_mutex_unlock(&lock);
    return need;
}

void edge_segpool_learn(const char *camera, size_t largest)
{
    if (!camera[0] || strlen(camera) >= MM_ID_MAX)
        return;
    pthread_mutex_lock(&lock);
    need_t *n = slot(camera);
    if (n) {
        memcpy(n->id, camera, strlen(camera) + 1);
        n->need = largest;
    }
    pthread_mutex_unlock(&lock);
}

uint8_t *edge_segpool_get(size_t need, size_t *cap)
{
    int c = class_of(need);
    size_t size = edge_segpool_class(need);
    uint8_t *buf = NULL;
    pthread_mutex_lock(&lock);
    if (c >= 0 && idle_list[c]) {
        idle_t *b = idle_list[c];
        idle_list[c] = b->next;
        idle_bytes -= size;
        buf = (uint8_t *)b;
    }
    if (buf)
        in_use++;
    pthread_mutex_unlock(&lock);
    if (!buf) {
        buf = malloc(size);
        if (!buf)
            return NULL;
        pthread_mutex_lock(&lock);
        in_use++;
        pthread_mutex_unlock(&lock);
    }
    *cap = size;
    return buf;
}

void edge_segpool_put(uint8_t *buf, size_t cap)
{
    if (!buf)
        return;
    int c = class_of(cap);
    int keep = 0;
    pthread_mutex_lock(&lock);
    in_use--;
    if (c >= 0 && ((size_t)EDGE_SEGPOOL_MIN << c) == cap &&
        idle_bytes + cap <= EDGE_SEGPOOL_IDLE_MAX) {
        idle_t *b = (idle_t *)(void *)buf;
        b->next = idle_list[c];
        idle_list[c] = b;
        idle_bytes += cap;
        keep = 1;
    }
    pthread_mutex_unlock(&lock);
    if (!keep)
        free(buf);
}

void edge_segpool_drop(uint8_t *buf)
{
    if (!buf)
        return;
    pthread_mutex_lock(&lock);
    in_use--;
    pthread_mutex_unlock(&lock);
    free(buf);
}

size_t edge_segpool_idle(size_t *n)
{
    pthread_mutex_lock(&lock);
    size_t b = idle_bytes;
    if (n)
        *n = in_use;
    pthread_mutex_unlock(&lock);
    return b;
}
