/*
 * coverlog.c: camera_coverage entries, logged when they change (see coverlog.h).
 */
#include "coverlog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t ppm(double fraction)
{
    double v = round(fraction * 1e6);
    return v < 0 ? 0 : v > 1e6 ? 1000000u : (uint32_t)v;
}

void edge_coverage_entry(const char *camera, edge_policy_t policy, const edge_camera_gov_t *gov,
                         int64_t now_us, mm_entry_t *e)
{
    memset(e, 0, sizeof *e);
    e->time_us = now_us;
    e->kind = MM_ENTRY_CAMERA_COVERAGE;
    mm_camera_coverage_t *c = &e->u.camera_coverage;
    snprintf(c->camera, sizeof c->camera, "%s", camera);
    snprintf(c->policy, sizeof c->policy, "%s", edge_policy_name(policy));
    c->public_ppm = ppm(gov->coverage.public_area);
    c->private_ppm = ppm(gov->coverage.private_area);
    c->masked_ppm = ppm(gov->coverage.masked_area);
    c->share_ppm = ppm(gov->coverage.public_share);
    c->threshold_ppm = ppm(edge_policy_share_threshold(policy, gov->exception != NULL));
    if (gov->exception)
        snprintf(c->exception, sizeof c->exception, "%s", gov->exception);
}

mm_err_t edge_coverage_log(edge_store_t *st, const char *camera, edge_policy_t policy,
                           const edge_camera_gov_t *gov, int64_t now_us, int *logged)
{
    *logged = 0;
    /* The entry without its time is what is compared. */
    mm_entry_t *e = malloc(sizeof *e);
    if (!e)
        return MM_ENOMEM;
    edge_coverage_entry(camera, policy, gov, 0, e);
    uint8_t *bytes = NULL, *last = NULL;
    size_t len = 0, last_len = 0;
    char name[MM_ID_MAX + 16];
    snprintf(name, sizeof name, "coverage/%s", camera);
    mm_err_t err = mm_entry_encode(e, &bytes, &len);
    if (err == MM_OK && !(last = malloc(len + 1)))
        err = MM_ENOMEM;
    if (err == MM_OK) {
        err = edge_store_meta_get(st, name, last, len + 1, &last_len);
        if (err == MM_OK && last_len == len && memcmp(last, bytes, len) == 0)
            goto out; /* logged before, unchanged */
        if (err == MM_OK || err == MM_ENOTFOUND || err == MM_ERANGE)
            err = MM_OK;
    }
    if (err == MM_OK) {
        e->time_us = now_us;
        err = edge_store_append_meta(st, e, name, bytes, len, NULL);
        *logged = err == MM_OK;
    }
out:
    free(bytes);
    free(last);
    free(e);
    return err;
}
