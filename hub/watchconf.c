/*
 * watchconf.c: the "watch" object of the hub's configuration (see watchconf.h).
 *
 * The thresholds are the city's, set once for every site of the hub (and the viewing bounds per
 * policy), never a number a site sends: what the hub watches would otherwise be the installer's
 * to loosen. Each is read with its bounds, and a mistake is reported with its key and the rest of
 * the configuration's problems, as hubconf.c reports its own.
 */
#include "hub/watchconf.h"

#include <stdio.h>
#include <string.h>

#define MINUTE_US (60LL * 1000000)
#define HOUR_US (60 * MINUTE_US)
#define DAY_US (24 * HOUR_US)

void hub_watch_conf_default(hub_watch_conf_t *out)
{
    memset(out, 0, sizeof *out);
    out->erasure_tolerance_us = 10 * MINUTE_US;
    out->skew_max_us = 5 * MINUTE_US;
    for (int p = 0; p < MM_POLICY_COUNT; p++)
        out->viewing[p] = (hub_watch_bounds_t){.viewings = 20, .footage_us = 8 * HOUR_US};
    out->night_from = 22;
    out->night_to = 6;
    out->suspension_max_us = 30 * DAY_US;
    out->sign_check_max_us = 365 * DAY_US;
    out->camera_count_grace_us = 24 * HOUR_US;
}

int hub_watch_conf_night(const hub_watch_conf_t *c, int hour)
{
    if (c->night_from < c->night_to)
        return hour >= c->night_from && hour < c->night_to;
    return hour >= c->night_from || hour < c->night_to; /* across midnight */
}

/* The viewing bounds in obj (at path) over *b, which holds the ones they default to. */
static void parse_bounds(mm_conf_t *conf, json_t *obj, const char *path, hub_watch_bounds_t *b)
{
    b->viewings = mm_conf_int(conf, obj, path, "viewings_per_day", 0, b->viewings, 1, 100000);
    b->footage_us = MINUTE_US * mm_conf_int(conf, obj, path, "viewing_minutes_per_day", 0,
                                            b->footage_us / MINUTE_US, 1, 100 * 24 * 60);
}

/* "night": {"from", "to"}, hours of the site's zone. */
static void parse_night(mm_conf_t *conf, json_t *watch, hub_watch_conf_t *out)
{
    static const char *const keys[] = {"from", "to", NULL};
    if (!json_object_get(watch, "night"))
        return;
    json_t *night = mm_conf_object(conf, watch, "watch", "night", 1);
    if (!night)
        return;
    mm_conf_check_keys(conf, night, "watch.night", keys);
    int from = (int)mm_conf_int(conf, night, "watch.night", "from", 1, -1, 0, 23);
    int to = (int)mm_conf_int(conf, night, "watch.night", "to", 1, -1, 0, 23);
    if (from < 0 || to < 0)
        return;
    if (from == to) {
        mm_conf_problem(conf, "watch.night",
                        "from and to are both %d: the night must be at least an hour", from);
        return;
    }
    out->night_from = from;
    out->night_to = to;
}

/* "policies": {"<policy>": {viewing bounds}}. */
static void parse_policies(mm_conf_t *conf, json_t *watch, hub_watch_conf_t *out)
{
    static const char *const keys[] = {"viewings_per_day", "viewing_minutes_per_day", NULL};
    if (!json_object_get(watch, "policies"))
        return;
    json_t *policies = mm_conf_object(conf, watch, "watch", "policies", 1);
    if (!policies)
        return;
    const char *name;
    json_t *v;
    json_object_foreach(policies, name, v)
    {
        char path[128];
        mm_conf_key(path, sizeof path, "watch.policies", name);
        mm_policy_t p;
        if (!mm_policy_parse(name, &p)) {
            mm_conf_problem(conf, path, "is no policy (a site's policy is one of its names)");
            continue;
        }
        if (!json_is_object(v)) {
            mm_conf_problem(conf, path, "must be an object");
            continue;
        }
        mm_conf_check_keys(conf, v, path, keys);
        parse_bounds(conf, v, path, &out->viewing[p]);
    }
}

void hub_watch_conf_parse(mm_conf_t *conf, json_t *root, hub_watch_conf_t *out)
{
    static const char *const keys[] = {"erasure_tolerance_minutes",
                                       "clock_skew_max_seconds",
                                       "viewings_per_day",
                                       "viewing_minutes_per_day",
                                       "night",
                                       "suspension_max_days",
                                       "sign_check_max_days",
                                       "camera_count_grace_hours",
                                       "policies",
                                       NULL};
    hub_watch_conf_default(out);
    if (!json_object_get(root, "watch"))
        return;
    json_t *w = mm_conf_object(conf, root, "", "watch", 1);
    if (!w)
        return;
    mm_conf_check_keys(conf, w, "watch", keys);
    out->erasure_tolerance_us =
        MINUTE_US * mm_conf_int(conf, w, "watch", "erasure_tolerance_minutes", 0, 10, 0, 1440);
    out->skew_max_us =
        1000000LL * mm_conf_int(conf, w, "watch", "clock_skew_max_seconds", 0, 300, 1, 86400);
    hub_watch_bounds_t global = out->viewing[0];
    parse_bounds(conf, w, "watch", &global);
    for (int p = 0; p < MM_POLICY_COUNT; p++)
        out->viewing[p] = global;
    parse_night(conf, w, out);
    out->suspension_max_us =
        DAY_US * mm_conf_int(conf, w, "watch", "suspension_max_days", 0, 30, 1, 3650);
    out->sign_check_max_us =
        DAY_US * mm_conf_int(conf, w, "watch", "sign_check_max_days", 0, 365, 1, 3650);
    out->camera_count_grace_us =
        HOUR_US * mm_conf_int(conf, w, "watch", "camera_count_grace_hours", 0, 24, 0, 8760);
    parse_policies(conf, w, out);
}
