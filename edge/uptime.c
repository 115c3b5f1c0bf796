/*
 * uptime.c: hourly recording summaries from the segment index (see uptime.h).
 */
#include "edge/uptime.h"

#include <stdio.h>
#include <string.h>

#include "common/db.h"
#include "common/diag.h"
#include "edge/keyring.h"

#define HOUR_US EDGE_EPOCH_US

typedef struct {
    int64_t from, to;      /* the hour */
    int64_t covered_to;    /* the end of what is covered so far, from the hour's start */
    int64_t recorded;
    uint32_t gaps;
} walk_t;

static int add_segment(const edge_segment_row_t *row, void *arg)
{
    walk_t *w = arg;
    int64_t a = row->seg.start_us > w->from ? row->seg.start_us : w->from;
    int64_t b = row->seg.end_us < w->to ? row->seg.end_us : w->to;
    if (b <= a || b <= w->covered_to)
        return 0;
    if (a < w->covered_to)
        a = w->covered_to;
    if (a - w->covered_to > EDGE_UPTIME_SLACK_US)
        w->gaps++;
    w->recorded += b - a;
    w->covered_to = b;
    return 0;
}

mm_err_t edge_uptime_hour(edge_store_t *st, const char *camera, int64_t hour_start_us,
                          mm_camera_uptime_t *out)
{
    walk_t w = {hour_start_us, hour_start_us + HOUR_US, hour_start_us, 0, 0};
    /* Segments that started in the hour before may reach into this one. */
    int64_t from = hour_start_us - HOUR_US > 0 ? hour_start_us - HOUR_US : 0;
    mm_err_t err = edge_store_segments(st, camera, from, w.to, add_segment, &w);
    if (err != MM_OK)
        return err;
    if (w.to - w.covered_to > EDGE_UPTIME_SLACK_US)
        w.gaps++;
    memset(out, 0, sizeof *out);
    snprintf(out->camera, sizeof out->camera, "%s", camera);
    out->hour_start_us = hour_start_us;
    out->recorded_us = w.recorded;
    out->gaps = w.gaps;
    return MM_OK;
}

/* The first segment's start of camera, or MM_ENOTFOUND. */
static int first_start(const edge_segment_row_t *row, void *arg)
{
    *(int64_t *)arg = row->seg.start_us;
    return 1;
}

mm_err_t edge_uptime_catch_up(edge_store_t *st, const char *camera, int64_t now_us,
                              uint32_t max_hours, uint32_t *appended)
{
    *appended = 0;
    char name[MM_ID_MAX + 8];
    snprintf(name, sizeof name, "uptime/%s", camera);
    uint8_t b[8];
    size_t len;
    int64_t next;
    mm_err_t err = edge_store_meta_get(st, name, b, sizeof b, &len);
    if (err == MM_OK && len == 8) {
        next = (int64_t)mm_be64_get(b) + 1;
    } else if (err == MM_ENOTFOUND) {
        int64_t first = -1;
        err = edge_store_segments(st, camera, 0, INT64_MAX, first_start, &first);
        if (err != MM_OK)
            return err;
        if (first < 0)
            return MM_OK; /* nothing recorded yet */
        next = edge_epoch_of(first);
    } else {
        return err == MM_OK ? MM_ECORRUPT : err;
    }
    while (*appended < max_hours && (next + 1) * HOUR_US + EDGE_UPTIME_GRACE_US <= now_us) {
        mm_entry_t e = {.time_us = now_us, .kind = MM_ENTRY_CAMERA_UPTIME};
        mm_be64_put(b, (uint64_t)next);
        if ((err = edge_uptime_hour(st, camera, next * HOUR_US, &e.u.camera_uptime)) != MM_OK ||
            (err = edge_store_append_meta(st, &e, name, b, 8, NULL)) != MM_OK)
            return err;
        (*appended)++;
        next++;
    }
    return MM_OK;
}
