/*
 * ops_live.c: watching a camera live, decided and logged (see ops_live.h and ops_impl.h).
 */
#include "edge/ops_live.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/ops_impl.h"
#include "edge/purpose.h"

struct edge_live_right {
    edge_caller_t who;
    mm_role_t role;
    char grant_id[MM_ID_MAX];
    int cam;
    char session[MM_ID_MAX];
    char person[MM_ID_MAX];
    char camera[MM_ID_MAX];
    char purpose[MM_LONG_TEXT_MAX];
    mm_legal_basis_t basis;
    int other_purpose;
    int64_t start_us;
};

static void log_viewing(edge_ops_t *ops, const edge_live_right_t *v, mm_viewing_state_t state,
                        const char *why, uint64_t bytes)
{
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_VIEWING};
    mm_viewing_t *w = &e.u.viewing;
    w->state = state;
    snprintf(w->session, sizeof w->session, "%s", v->session);
    snprintf(w->person, sizeof w->person, "%s", v->person);
    snprintf(w->camera, sizeof w->camera, "%s", v->camera);
    w->start_us = v->start_us;
    w->end_us = state == MM_VIEWING_STATE_ENDED ? e.time_us : 0;
    w->bytes = bytes;
    snprintf(w->reason, sizeof w->reason, "%s", why ? why : "");
    snprintf(w->purpose, sizeof w->purpose, "%s", v->purpose);
    w->basis = v->basis;
    w->other_purpose = v->other_purpose;
    snprintf(w->player, sizeof w->player, "%s", EDGE_LIVE_PLAYER);
    w->speed = 1;
    edge_ops_append(ops, &e, NULL, NULL, 0);
}

static void keep_answer(void *arg, json_t *answer)
{
    json_t **out = arg;
    json_decref(*out);
    *out = answer;
}

/* Whether the camera may be watched: it records. 0, or -1 once refused. */
static int camera_ok(edge_ops_call_t *c, int cam)
{
    if (cam < 0) {
        edge_ops_refuse(c, "not_found", "the site has no camera %s", c->r->camera);
        return -1;
    }
    if (c->ops->cam_state[cam] != EDGE_CAM_RECORDING) {
        edge_ops_refuse(c, "denied", "camera %s is %s: it is not watched", c->r->camera,
                        edge_cam_state_name(c->ops->cam_state[cam]));
        return -1;
    }
    return 0;
}

edge_live_right_t *edge_ops_live_open(edge_ops_t *ops, const char *person, const char *camera,
                                      const char *purpose, mm_legal_basis_t basis, json_t **refusal)
{
    edge_request_t r = {.action = EDGE_ACT_LIVE, .basis = basis};
    snprintf(r.camera, sizeof r.camera, "%s", camera);
    snprintf(r.purpose, sizeof r.purpose, "%s", purpose ? purpose : "");
    edge_ops_call_t c = {.ops = ops, .r = &r, .reply = keep_answer, .reply_arg = refusal};
    const edge_governance_t *g = &ops->cfg->gov;
    /* The console vouches for the person: decided as that person, logged as the console. */
    c.who.person = edge_governance_person(g, person);
    snprintf(c.who.account, sizeof c.who.account, "console");
    snprintf(c.person, sizeof c.person, "%s", c.who.person >= 0 ? person : "@console");
    if (c.who.person < 0) {
        edge_ops_refuse(&c, "denied", "%s is not one of the site's people", person);
        return NULL;
    }
    int64_t now = mm_now_us();
    edge_access_decide(&ops->access, g, &c.who, EDGE_ACT_LIVE, r.camera, now, &c.d);
    if (!c.d.allowed) {
        edge_ops_refuse(&c, "denied", "%s", c.d.reason);
        return NULL;
    }
    int cam = edge_ops_camera_index(ops, r.camera);
    if (camera_ok(&c, cam) != 0)
        return NULL;
    edge_purpose_decision_t pd;
    edge_purpose_decide(ops->cfg, r.camera, r.purpose, r.basis, &pd);
    if (!pd.allowed) {
        edge_ops_refuse(&c, pd.other ? "denied" : "invalid", "%s", pd.reason);
        return NULL;
    }
    edge_live_right_t *v = calloc(1, sizeof *v);
    if (!v) {
        edge_ops_refuse(&c, "internal", "out of memory");
        return NULL;
    }
    v->who = c.who;
    v->role = c.d.role;
    if (c.d.grant >= 0 && (size_t)c.d.grant < ops->access.n_grants)
        snprintf(v->grant_id, sizeof v->grant_id, "%s", ops->access.grants[c.d.grant].id);
    v->cam = cam;
    snprintf(v->session, sizeof v->session, "lv-%" PRId64 "-%u", now / 1000000,
             ops->next_session++);
    snprintf(v->person, sizeof v->person, "%s", person);
    snprintf(v->camera, sizeof v->camera, "%s", r.camera);
    snprintf(v->purpose, sizeof v->purpose, "%s", pd.purpose);
    v->basis = basis;
    v->other_purpose = pd.other;
    v->start_us = now;
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "session %s, live on the console", v->session);
    edge_ops_log_call(&c, 1, note);
    log_viewing(ops, v, MM_VIEWING_STATE_STARTED, NULL, 0);
    MM_INFO("live %s of %s by %s started (%s)", v->session, v->camera, v->person, v->purpose);
    return v;
}

int edge_ops_live_still(edge_ops_t *ops, const edge_live_right_t *v, char *why, size_t cap)
{
    edge_cam_state_t st = ops->cam_state[v->cam];
    if (st != EDGE_CAM_RECORDING) {
        snprintf(why, cap, "camera %s was %s", v->camera, edge_cam_state_name(st));
        return 0;
    }
    /* By id: a reload may have renumbered the people, or removed this one (reload.h). */
    edge_caller_t who = v->who;
    who.person = edge_governance_person(&ops->cfg->gov, v->person);
    return edge_access_still(&ops->access, &ops->cfg->gov, &who, v->role, v->grant_id,
                             EDGE_ACT_LIVE, v->camera, mm_now_us(), why, cap);
}

const char *edge_ops_live_session(const edge_live_right_t *v)
{
    return v->session;
}

const char *edge_ops_live_purpose(const edge_live_right_t *v)
{
    return v->purpose;
}

int edge_ops_live_camera(const edge_live_right_t *v)
{
    return v->cam;
}

void edge_ops_live_close(edge_ops_t *ops, edge_live_right_t *v, const char *why, uint64_t bytes,
                         uint64_t frames)
{
    if (!v)
        return;
    char reason[MM_TEXT_MAX];
    snprintf(reason, sizeof reason, "%s; %" PRIu64 " frames shown", why, frames);
    log_viewing(ops, v, MM_VIEWING_STATE_ENDED, reason, bytes);
    MM_INFO("live %s of %s by %s ended: %s", v->session, v->camera, v->person, reason);
    free(v);
}

edge_ingest_t *edge_ops_ingest(edge_ops_t *ops)
{
    return ops->ingest;
}

void edge_ops_do_live(edge_ops_call_t *c)
{
    edge_ops_refuse(c, "invalid",
                    "live video is watched on the site console (GET /api/live/{camera}), not "
                    "through the control socket");
}
