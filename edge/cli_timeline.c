/*
 * cli_timeline.c: `mimamori-edge timeline CAMERA --day YYYY-MM-DD` (cli_impl.h; ops_timeline.c on
 * the edge's side) — a camera's day as the site console draws it, in lines: each recorded span
 * and each gap with its cause in time order, then the holds and the erasures that touch it.
 *
 * The day is the site's (its zone, which the edge names): from its midnight to the next one, so a
 * day when the clocks change has 23 or 25 hours. --from and --to give any other range, of at most
 * 48 hours.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/timefmt.h"
#include "edge/cli.h"
#include "edge/cli_impl.h"

static void show_range(const char *what, json_t *o, const char *rest)
{
    char range[2 * MM_LOCALTIME_MAX + 8];
    edge_cli_format_range(o, range, sizeof range);
    long long s = (long long)((edge_cli_num(o, "end_us") - edge_cli_num(o, "start_us")) / 1000000);
    printf("%-9s %s  %3lld:%02lld:%02lld  %s\n", what, range, s / 3600, s / 60 % 60, s % 60, rest);
}

static void show_timeline(json_t *r)
{
    json_t *rec = json_object_get(r, "recorded"), *gaps = json_object_get(r, "gaps");
    size_t i = 0, k = 0;
    while (i < json_array_size(rec) || k < json_array_size(gaps)) {
        json_t *a = json_array_get(rec, i), *g = json_array_get(gaps, k);
        if (a && (!g || edge_cli_num(a, "start_us") <= edge_cli_num(g, "start_us"))) {
            char n[32];
            snprintf(n, sizeof n, "%d segment(s)", (int)edge_cli_num(a, "segments"));
            show_range("recorded", a, n);
            i++;
        } else {
            char why[1024];
            snprintf(why, sizeof why, "%s%s%s", edge_cli_str(g, "cause"),
                     *edge_cli_str(g, "reason") ? ": " : "", edge_cli_str(g, "reason"));
            show_range("gap", g, why);
            k++;
        }
    }
    json_t *h;
    json_array_foreach(json_object_get(r, "holds"), i, h)
    {
        char what[1024];
        snprintf(what, sizeof what, "%s %s: %s", edge_cli_str(h, "kind"), edge_cli_str(h, "id"),
                 edge_cli_str(h, "reason"));
        show_range("held", h, what);
    }
    json_array_foreach(json_object_get(r, "erased"), i, h)
    {
        char what[1024];
        snprintf(what, sizeof what, "%d segment(s), %s %s", (int)edge_cli_num(h, "count"),
                 edge_cli_str(h, "reason"), edge_cli_str(h, "hold_id"));
        show_range("erased", h, what);
    }
    if (json_is_true(json_object_get(r, "truncated")))
        printf("(the list of recorded spans is cut short)\n");
}

/* "YYYY-MM-DD" and the day after it, each as "YYYY-MM-DD 00:00"; -1 when day is no date. */
static int day_bounds(const char *day, char *start, char *next, size_t cap)
{
    int y, m, d, n = 0;
    if (strlen(day) != 10 || sscanf(day, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1, .tm_hour = 12};
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || !gmtime_r(&t, &tm))
        return -1;
    snprintf(start, cap, "%.10s 00:00", day);
    snprintf(next, cap, "%04d-%02d-%02d 00:00", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100);
    return 0;
}

int edge_cli_timeline(const edge_cli_opts_t *o)
{
    if (o->n_args != 1 || (!o->day) == (!o->from && !o->to)) {
        edge_cli_help(stderr, "timeline");
        return EDGE_EXIT_USAGE;
    }
    int64_t now = mm_now_us(), from, to;
    char a[64], b[64];
    if (o->day && day_bounds(o->day, a, b, sizeof a) != 0) {
        fprintf(stderr, "mimamori-edge: --day: \"%s\" is not a date YYYY-MM-DD\n", o->day);
        return EDGE_EXIT_USAGE;
    }
    int rc = edge_cli_read_time(o, o->day ? "--day" : "--from", o->day ? a : o->from, now, &from);
    if (rc == EDGE_EXIT_OK)
        rc = edge_cli_read_time(o, o->day ? "--day" : "--to", o->day ? b : o->to, now, &to);
    if (rc != EDGE_EXIT_OK)
        return rc;
    return edge_cli_simple(o,
                           json_pack("{s:s, s:s, s:I, s:I}", "action", "timeline", "camera",
                                     o->args[0], "from_us", (json_int_t)from, "to_us",
                                     (json_int_t)to),
                           show_timeline);
}
