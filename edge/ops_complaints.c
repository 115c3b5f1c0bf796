/*
 * ops_complaints.c: complaints received at the site (ops_impl.h, complaints.h; R-N12(1),
 * R-N7.6) — `complaints`, the list with the city's complaints beside the site's, and
 * `complaint`, which records one (step "received") or logs its handling or closing.
 *
 * Who may is edge_access_decide's (the manager and the operators); a camera named is one of the
 * site's (ops_dispatch.c checks it); what a step needs and whether the caller may answer the city
 * is said here and in complaints.h. The access entry's note names the complaint and the step.
 */
#include <jansson.h>
#include <stdio.h>

#include "common/clock.h"
#include "edge/complaints.h"
#include "edge/ops_impl.h"

void edge_ops_do_complaints(edge_ops_call_t *c)
{
    json_t *res = NULL;
    mm_err_t err = edge_complaints_list(c->ops->store, c->r->all, mm_now_us(), &res);
    if (err != MM_OK) {
        edge_ops_refuse(c, "internal", "the complaints cannot be read: %s", mm_strerror(err));
        return;
    }
    edge_ops_answer(c, res, NULL);
}

/* What a step may be given: a new complaint its channel, time and camera; a handling or a
 * closing the complaint's id. */
static int step_keys_ok(edge_ops_call_t *c)
{
    const edge_request_t *r = c->r;
    if (r->step == MM_COMPLAINT_STEP_RECEIVED) {
        if (!r->has_channel)
            edge_ops_refuse(c, "invalid", "a complaint received needs its channel");
        else if (r->complaint_id[0])
            edge_ops_refuse(c, "invalid", "a complaint received gets its id from the site");
        else
            return 1;
        return 0;
    }
    if (!r->complaint_id[0])
        edge_ops_refuse(c, "invalid", "a complaint %s needs the complaint's id",
                        mm_complaint_step_name(r->step));
    else if (r->has_channel || r->received_us || r->camera[0])
        edge_ops_refuse(c, "invalid",
                        "the channel, time and camera are the complaint's, given when received");
    else
        return 1;
    return 0;
}

void edge_ops_do_complaint(edge_ops_call_t *c)
{
    const edge_request_t *r = c->r;
    if (!step_keys_ok(c))
        return;
    char msg[MM_TEXT_MAX];
    json_t *res = NULL;
    int64_t now = mm_now_us();
    mm_err_t err;
    if (r->step == MM_COMPLAINT_STEP_RECEIVED) {
        edge_complaint_t in = {.channel = r->channel,
                               .received_us = r->received_us ? r->received_us : now,
                               .about = r->text,
                               .camera = r->camera,
                               .by = c->person};
        err = edge_complaints_record(c->ops->store, &in, now, &res, msg, sizeof msg);
    } else {
        err = edge_complaints_step(c->ops->store, r->complaint_id, r->step, c->person, r->text,
                                   c->d.role == MM_ROLE_MANAGER, now, &res, msg, sizeof msg);
    }
    if (err != MM_OK) {
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", msg);
        return;
    }
    if (c->ops->logged)
        c->ops->logged(c->ops->arg);
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "complaint %s %s", json_string_value(json_object_get(res, "id")),
             mm_complaint_step_name(r->step));
    edge_ops_answer(c, res, note);
}
