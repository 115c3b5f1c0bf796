/*
 * ops_holds.c: holds the manager places at the site (ops_impl.h, siteholds.h; R-K2.2.6b) —
 * `hold_place` and `hold_release` (the manager's), and `holds`, every hold in force, site and
 * disclosure, for the manager and operators.
 *
 * Each placed or released hold is its own hold_placed or hold_released entry, written by the
 * vault with the hold; the call itself is one access entry, as every call is.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "edge/ops_impl.h"
#include "edge/siteholds.h"

void edge_ops_do_hold_place(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    edge_sitehold_req_t q = {
        .from_us = c->r->from_us, .to_us = c->r->to_us, .days = c->r->days, .reason = c->r->reason};
    char why[MM_TEXT_MAX];
    json_t *placed = NULL;
    mm_err_t err = edge_sitehold_cameras(c->r->cameras, &q, why, sizeof why);
    if (err == MM_OK)
        err = edge_siteholds_place(ops->vault, ops->cfg, &q, c->person, mm_now_us(), &placed, why,
                                   sizeof why);
    if (placed && json_array_size(json_object_get(placed, "holds")) && ops->logged)
        ops->logged(ops->arg);
    if (err != MM_OK) {
        json_decref(placed);
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", why);
        return;
    }
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "hold %s placed on %.200s",
             json_string_value(json_object_get(placed, "hold")), c->r->cameras);
    edge_ops_answer(c, placed, note);
}

void edge_ops_do_hold_release(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    char why[MM_TEXT_MAX];
    size_t released = 0;
    uint32_t erased = 0;
    mm_err_t err = edge_siteholds_release(ops->vault, c->r->hold_id, c->r->reason, c->person,
                                          mm_now_us(), &released, &erased, why, sizeof why);
    if (released && ops->logged)
        ops->logged(ops->arg);
    if (err != MM_OK) {
        edge_ops_refuse(c, edge_ops_err_code(err), "%s", why);
        return;
    }
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "hold %s released (%zu camera(s), %u segment(s) erased)",
             c->r->hold_id, released, erased);
    edge_ops_answer(c,
                    json_pack("{s:s, s:I, s:I}", "hold", c->r->hold_id, "released",
                              (json_int_t)released, "erased", (json_int_t)erased),
                    note);
}

void edge_ops_do_holds(edge_ops_call_t *c)
{
    json_t *list = edge_siteholds_list(c->ops->vault);
    if (!list) {
        edge_ops_refuse(c, "internal", "the holds cannot be read");
        return;
    }
    edge_ops_answer(c, json_pack("{s:o}", "holds", list), NULL);
}
