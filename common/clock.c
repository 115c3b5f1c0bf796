/*
 * clock.c: the injectable wall clock (see clock.h).
 */
#include "common/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/diag.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t offset_us;
static int64_t next_read_mono_us; /* when to read the file again */

static int64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void read_offset(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        offset_us = 0; /* no file yet: no offset */
        return;
    }
    long long v;
    if (fscanf(f, "%lld", &v) == 1)
        offset_us = v;
    else
        MM_WARN("MM_TEST_CLOCK_FILE %s: not a number of microseconds; offset unchanged", path);
    fclose(f);
}

int64_t mm_now_us(void)
{
    static const char *path;
    static int looked;
    int64_t now = clock_us(CLOCK_REALTIME);
    pthread_mutex_lock(&lock);
    if (!looked) {
        path = getenv("MM_TEST_CLOCK_FILE");
        looked = 1;
        if (path && *path)
            MM_WARN("test clock: adding the offset in %s to the wall clock", path);
    }
    if (path && *path) {
        int64_t mono = clock_us(CLOCK_MONOTONIC);
        if (mono >= next_read_mono_us) {
            read_offset(path);
            next_read_mono_us = mono + 100000;
        }
        now += offset_us;
    }
    pthread_mutex_unlock(&lock);
    return now;
}

int64_t mm_mono_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}

int mm_wallmap_step(mm_wallmap_t *m, int64_t wall_us, int64_t mono_us, int64_t bound_us,
                    int64_t *mapped_us, mm_clock_jump_t *jump)
{
    if (!m->anchored) {
        *m = (mm_wallmap_t){wall_us, mono_us, 1, m->jumps};
        *mapped_us = wall_us;
        return 0;
    }
    int64_t mapped = m->anchor_wall_us + (mono_us - m->anchor_mono_us);
    int64_t diff = wall_us - mapped;
    if (diff > bound_us || diff < -bound_us) {
        *jump = (mm_clock_jump_t){mapped, wall_us, diff};
        m->anchor_wall_us = wall_us;
        m->anchor_mono_us = mono_us;
        m->jumps++;
        *mapped_us = wall_us;
        return 1;
    }
    if (diff > 0) { /* the wall clock ran a little ahead: follow it */
        m->anchor_wall_us = wall_us;
        m->anchor_mono_us = mono_us;
        mapped = wall_us;
    }
    *mapped_us = mapped;
    return 0;
}
