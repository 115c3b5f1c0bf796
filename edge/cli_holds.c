/*
 * cli_holds.c: `mimamori-edge hold place|release` and `mimamori-edge holds` (cli_impl.h;
 * siteholds.h on the edge's side).
 *
 * The manager keeps footage past retention ahead of an inquiry (R-K2.2.6b): the cameras, the
 * range in the site's time (cli_impl.h edge_cli_read_time), the reason and how many days. The
 * edge checks it all again; here a mistake gets a message that says what to type.
 */
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/timefmt.h"
#include "edge/cli.h"
#include "edge/cli_impl.h"

static void show_hold(json_t *hd)
{
    char range[2 * MM_LOCALTIME_MAX + 8], exp[MM_LOCALTIME_MAX], placed[MM_LOCALTIME_MAX];
    edge_cli_format_range(hd, range, sizeof range);
    edge_cli_format_time(edge_cli_num(hd, "placed_us"), placed);
    if (edge_cli_num(hd, "expires_us"))
        edge_cli_format_time(edge_cli_num(hd, "expires_us"), exp);
    else
        snprintf(exp, sizeof exp, "%s", "no expiry");
    const char *of = *edge_cli_str(hd, "group") ? edge_cli_str(hd, "group") : edge_cli_str(hd, "request");
    printf("%-22s %-10s %-12s %s  expires %-23s  %s%s%s\n", edge_cli_str(hd, "id"), edge_cli_str(hd, "kind"),
           edge_cli_str(hd, "camera"), range, exp, of, *of ? ": " : "", edge_cli_str(hd, "reason"));
    if (*edge_cli_str(hd, "by"))
        printf("  placed %s by %s\n", placed, edge_cli_str(hd, "by"));
}

static void show_holds(json_t *r)
{
    size_t i;
    json_t *hd;
    json_t *list = json_object_get(r, "holds");
    printf("%-22s %-10s %-12s %s\n", "HOLD", "KIND", "CAMERA", "RANGE, EXPIRY, REASON");
    json_array_foreach(list, i, hd) show_hold(hd);
    printf("%zu hold(s) in force\n", json_array_size(list));
}

static void show_placed(json_t *r)
{
    size_t i;
    json_t *hd;
    char exp[MM_LOCALTIME_MAX];
    edge_cli_format_time(edge_cli_num(r, "expires_us"), exp);
    printf("hold %s placed; it expires %s\n", edge_cli_str(r, "hold"), exp);
    json_array_foreach(json_object_get(r, "holds"), i, hd)
        printf("  %-22s %-12s %d segment(s)\n", edge_cli_str(hd, "id"), edge_cli_str(hd, "camera"),
               (int)edge_cli_num(hd, "segments"));
}

static void show_released(json_t *r)
{
    printf("hold %s released: %d camera(s), %d segment(s) past retention erased\n", edge_cli_str(r, "hold"),
           (int)edge_cli_num(r, "released"), (int)edge_cli_num(r, "erased"));
}

static int place(const edge_cli_opts_t *o)
{
    char cams[256];
    int64_t now = mm_now_us(), from, to;
    if (!o->n_camera) {
        fputs("mimamori-edge: hold place needs --camera CAM[,CAM...]\n", stderr);
        return EDGE_EXIT_USAGE;
    }
    if (edge_cli_camera_list(o, 0, cams, sizeof cams) != 0)
        return EDGE_EXIT_USAGE;
    int rc = edge_cli_read_time(o, "--from", o->from, now, &from);
    if (rc == EDGE_EXIT_OK)
        rc = edge_cli_read_time(o, "--to", o->to, now, &to);
    if (rc != EDGE_EXIT_OK)
        return rc;
    if (!o->reason) {
        fputs("mimamori-edge: hold place needs --reason TEXT\n", stderr);
        return EDGE_EXIT_USAGE;
    }
    json_t *req = json_pack("{s:s, s:s, s:I, s:I, s:s}", "action", "hold_place", "cameras", cams,
                            "from_us", (json_int_t)from, "to_us", (json_int_t)to, "reason",
                            o->reason);
    if (o->expires)
        json_object_set_new(req, "expires_days", json_integer(o->expires));
    return edge_cli_simple(o, req, show_placed);
}

int edge_cli_hold(const edge_cli_opts_t *o)
{
    const char *sub = o->n_args ? o->args[0] : "";
    if (!strcmp(sub, "place") && o->n_args == 1)
        return place(o);
    if (!strcmp(sub, "release") && o->n_args == 2) {
        if (o->n_camera || o->from || o->to || o->expires) {
            fputs("mimamori-edge: hold release takes the hold's id and --reason\n", stderr);
            return EDGE_EXIT_USAGE;
        }
        json_t *req = json_pack("{s:s, s:s}", "action", "hold_release", "hold_id", o->args[1]);
        if (o->reason)
            json_object_set_new(req, "reason", json_string(o->reason));
        return edge_cli_simple(o, req, show_released);
    }
    edge_cli_help(stderr, "hold");
    return EDGE_EXIT_USAGE;
}

int edge_cli_holds(const edge_cli_opts_t *o)
{
    if (o->n_args) {
        edge_cli_help(stderr, "holds");
        return EDGE_EXIT_USAGE;
    }
    return edge_cli_simple(o, json_pack("{s:s}", "action", "holds"), show_holds);
}
