/*
 * coverlog.c: camera_coverage entries, logged when they change (see coverlog.h).
 */
#include "common/policy.h"
#include "edge/coverlog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t ppm(double fraction)
{
    double v = round(fraction * 1e6);
    return v < 0 ? 0 : v > 1e6 ? 1000000u : (uint32_t)v;
}

void edge_coverage_entry(const char *camera, mm_policy_t policy, const edge_camera_gov_t *gov,
                         int64_t now_us, mm_entry_t *e)
{
    memset(e, 0, sizeof *e);
    e->time_us = now_us;
    e->kind = MM_ENTRY_CAMERA_COVERAGE;
    mm_camera_coverage_t *c = &e->u.camera_coverage;
    snprintf(c->camera, sizeof c->camera, "%s", camera);
    c->policy = policy;
    c->public_ppm = ppm(gov->coverage.public_area);
    c->private_ppm = ppm(gov->coverage.private_area);
    c->masked_ppm = ppm(gov->coverage.masked_area);
    c->share_ppm = ppm(gov->coverage.public_share);
    c->threshold_ppm = ppm(mm_policy_share_threshold(policy, gov->exception != NULL));
    if (gov->exception)
        snprintf(c->exception, sizeof c->exception, "%s", gov->exception);
}

mm_err_t edge_coverage_log(edge_store_t *st, const char *camera, mm_policy_t policy,
                           const edge_camera_gov_t *gov, int64_t now_us, int *logged)
{
    *logged = 0;
    mm_entry_t *e = malloc(sizeof *e);
    if (!e)
        return MM_ENOMEM;
    edge_coverage_entry(camera, policy, gov, 0, e);
    char name[MM_ID_MAX + 16];
    snprintf(name, sizeof name, "coverage/%s", camera);
    mm_err_t err = edge_store_append_changed(st, e, name, now_us, logged);
    free(e);
    return err;
}
