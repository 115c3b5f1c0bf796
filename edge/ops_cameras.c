/*
 * ops_cameras.c: the site's cameras as people see them (ops_impl.h) — `cameras` lists them with
 * their states, and the manager suspends, resumes or abolishes one (R-N4.2).
 *
 * A camera's state is kept in edge.meta ("camera_state/<id>") in the transaction of its
 * `camera_state` entry, and the recorder follows it: a suspended or abolished camera is paused,
 * a resumed one records again. Abolition is final. The standards document lists each camera's
 * state, so a change makes a new version of it (ops_standards.c).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/ops_impl.h"

const char *edge_cam_state_name(edge_cam_state_t s)
{
    switch (s) {
    case EDGE_CAM_SUSPENDED:
        return "suspended";
    case EDGE_CAM_ABOLISHED:
        return "abolished";
    default:
        return "recording";
    }
}

int edge_ops_camera_index(const edge_ops_t *ops, const char *id)
{
    for (size_t i = 0; i < ops->cfg->n_cameras; i++)
        if (strcmp(ops->cfg->cameras[i].id, id) == 0)
            return (int)i;
    return -1;
}

edge_cam_state_t edge_ops_camera_state(const edge_ops_t *ops, size_t i)
{
    return ops->cam_state[i];
}

int edge_ops_may_record(const edge_ops_t *ops, size_t i)
{
    return ops->cam_state[i] == EDGE_CAM_RECORDING;
}

static void camera_state_key(const char *camera, char *key, size_t cap)
{
    snprintf(key, cap, "camera_state/%s", camera);
}

mm_err_t edge_ops_cameras_load(edge_ops_t *ops)
{
    for (size_t i = 0; i < ops->cfg->n_cameras; i++) {
        char key[MM_ID_MAX + 16], val[32];
        size_t len = 0;
        camera_state_key(ops->cfg->cameras[i].id, key, sizeof key);
        mm_err_t err = edge_store_meta_get(ops->store, key, val, sizeof val - 1, &len);
        ops->cam_state[i] = EDGE_CAM_RECORDING;
        if (err == MM_ENOTFOUND)
            continue;
        if (err != MM_OK)
            return err;
        val[len] = 0;
        if (strcmp(val, "suspended") == 0)
            ops->cam_state[i] = EDGE_CAM_SUSPENDED;
        else if (strcmp(val, "abolished") == 0)
            ops->cam_state[i] = EDGE_CAM_ABOLISHED;
        else if (strcmp(val, "recording") != 0) {
            MM_ERROR("the store's state of camera %s is damaged: \"%s\"", ops->cfg->cameras[i].id,
                     val);
            return MM_ECORRUPT;
        }
    }
    return MM_OK;
}

static json_t *camera_json(edge_ops_t *ops, size_t i)
{
    const edge_config_camera_t *cam = &ops->cfg->cameras[i];
    edge_segment_row_t last;
    int64_t last_end = 0;
    if (edge_store_last_segment(ops->store, cam->id, &last) == MM_OK)
        last_end = last.seg.end_us;
    const char *state = edge_cam_state_name(ops->cam_state[i]);
    if (ops->cam_state[i] == EDGE_CAM_RECORDING && ops->ingest &&
        edge_ingest_paused(ops->ingest, cam->id, NULL, 0))
        state = "paused";
    return json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:f, s:f, s:s?, s:I}", "id", cam->id, "state",
                     state, "location", cam->gov.location, "purpose", cam->gov.purpose,
                     "install_date", cam->gov.install_date, "public_share",
                     cam->gov.coverage.public_share, "threshold", cam->gov.threshold, "exception",
                     cam->gov.exception, "last_recorded_us", (json_int_t)last_end);
}

void edge_ops_do_cameras(edge_ops_call_t *c)
{
    json_t *list = json_array();
    for (size_t i = 0; i < c->ops->cfg->n_cameras; i++) {
        /* An emergency grant shows only the cameras it covers. */
        if (c->d.role == MM_ROLE_EMERGENCY &&
            !edge_grant_has_camera(&c->ops->access.grants[c->d.grant], c->ops->cfg->cameras[i].id))
            continue;
        json_array_append_new(list, camera_json(c->ops, i));
    }
    edge_ops_answer(c, json_pack("{s:o}", "cameras", list), NULL);
}

void edge_ops_do_camera_state(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    int i = edge_ops_camera_index(ops, c->r->camera);
    if (i < 0) {
        edge_ops_refuse(c, "not_found", "the site has no camera %s", c->r->camera);
        return;
    }
    edge_cam_state_t from = ops->cam_state[i], to;
    switch (c->r->action) {
    case EDGE_ACT_CAMERA_SUSPEND:
        to = EDGE_CAM_SUSPENDED;
        break;
    case EDGE_ACT_CAMERA_RESUME:
        to = EDGE_CAM_RECORDING;
        break;
    default:
        to = EDGE_CAM_ABOLISHED;
        break;
    }
    if (from == EDGE_CAM_ABOLISHED) {
        edge_ops_refuse(c, "conflict", "camera %s is abolished; that is final", c->r->camera);
        return;
    }
    if (from == to || (to == EDGE_CAM_RECORDING && from != EDGE_CAM_SUSPENDED)) {
        edge_ops_refuse(c, "conflict", "camera %s is %s already", c->r->camera,
                        edge_cam_state_name(from));
        return;
    }
    /* A camera stopping stops before its filing is timed, so that no footage comes after it
     * (edge_ingest_pause); one starting again starts after. */
    char was[MM_TEXT_MAX] = "";
    int was_paused = 0;
    if (ops->ingest && to != EDGE_CAM_RECORDING) {
        was_paused = edge_ingest_paused(ops->ingest, c->r->camera, was, sizeof was);
        edge_ingest_pause(ops->ingest, c->r->camera,
                          to == EDGE_CAM_SUSPENDED ? "camera suspended" : "camera abolished");
    }
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_CAMERA_STATE};
    mm_camera_state_t *cs = &e.u.camera_state;
    snprintf(cs->camera, sizeof cs->camera, "%s", c->r->camera);
    cs->state = to == EDGE_CAM_RECORDING   ? MM_CAM_STATE_RESUMED
                : to == EDGE_CAM_SUSPENDED ? MM_CAM_STATE_SUSPENDED
                                           : MM_CAM_STATE_ABOLISHED;
    snprintf(cs->by, sizeof cs->by, "%s", c->person);
    snprintf(cs->reason, sizeof cs->reason, "%s", c->r->reason);
    char key[MM_ID_MAX + 16];
    camera_state_key(c->r->camera, key, sizeof key);
    const char *val = edge_cam_state_name(to);
    if (edge_ops_append(ops, &e, key, val, strlen(val)) != MM_OK) {
        if (ops->ingest && to != EDGE_CAM_RECORDING) { /* as it was */
            if (was_paused)
                edge_ingest_pause(ops->ingest, c->r->camera, was);
            else
                edge_ingest_resume(ops->ingest, c->r->camera);
        }
        edge_ops_refuse(c, "internal", "the change could not be stored; nothing changed");
        return;
    }
    ops->cam_state[i] = to;
    if (ops->ingest && to == EDGE_CAM_RECORDING)
        edge_ingest_resume(ops->ingest, c->r->camera);
    MM_INFO("%s: camera %s by %s: %s", c->r->camera, mm_cam_state_name(cs->state), c->person,
            c->r->reason);
    edge_ops_answer(
        c, json_pack("{s:s, s:s}", "camera", c->r->camera, "state", edge_cam_state_name(to)), NULL);
    edge_ops_playback_recheck(ops); /* an abolished camera's playbacks end now */
    /* The standards list each camera's state: a new version comes with the filing. */
    char summary[MM_TEXT_MAX];
    snprintf(summary, sizeof summary, "camera %s %s by %s", c->r->camera,
             mm_cam_state_name(cs->state), c->person);
    if (edge_ops_standards_update(ops, summary) != MM_OK)
        MM_ERROR("standards: cannot record the new version after %s", summary);
}
