/*
 * cli_complaints.c: `mimamori-edge complaint record|handle|close` and `mimamori-edge complaints`
 * (cli_impl.h; complaints.h on the edge's side).
 *
 * What a person types is checked here first, so that a mistake gets a message that says what to
 * type instead (the edge checks it all again): the channel is one of its names, --at a time
 * before now. Times are read and shown in the site's zone (cli_impl.h edge_cli_read_time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/entry.h"
#include "common/timefmt.h"
#include "common/vocab.h"
#include "edge/cli.h"
#include "edge/cli_impl.h"

/* --at: now, -2h, @UNIX, or "YYYY-MM-DD HH:MM[:SS]" at the site (edge_cli_read_time); not
 * after now. 0, or the exit status once the problem is said. */
static int received_at(const edge_cli_opts_t *o, int64_t now, int64_t *out)
{
    *out = now;
    if (!o->at)
        return EDGE_EXIT_OK;
    int rc = edge_cli_read_time(o, "--at", o->at, now, out);
    if (rc != EDGE_EXIT_OK)
        return rc;
    if (*out > now) {
        char when[MM_LOCALTIME_MAX];
        edge_cli_format_time(*out, when);
        fprintf(stderr, "mimamori-edge: --at: %s is in the future\n", when);
        return EDGE_EXIT_USAGE;
    }
    return EDGE_EXIT_OK;
}

static void show_recorded(json_t *r)
{
    puts(edge_cli_str(r, "id"));
}

static void show_step(json_t *r)
{
    char due[MM_LOCALTIME_MAX];
    edge_cli_format_time(edge_cli_num(r, "deadline_us"), due);
    printf("%s: %s (deadline %s)\n", edge_cli_str(r, "id"), edge_cli_str(r, "state"), due);
    if (*edge_cli_str(r, "hub_complaint"))
        printf("the city's %s: %s\n", edge_cli_str(r, "hub_complaint"),
               *edge_cli_str(r, "city_answer") ? edge_cli_str(r, "city_answer")
                                               : "not answered yet");
}

static int record(const edge_cli_opts_t *o)
{
    mm_complaint_channel_t ch;
    if (!o->channel || !mm_complaint_channel_parse(o->channel, &ch)) {
        fprintf(stderr,
                "mimamori-edge: complaint record needs --channel: in_person, phone, letter, "
                "email, online or other%s%s%s\n",
                o->channel ? " (not \"" : "", o->channel ? o->channel : "",
                o->channel ? "\")" : "");
        return EDGE_EXIT_USAGE;
    }
    if (o->n_camera > 1) {
        fputs("mimamori-edge: a complaint names one --camera at most\n", stderr);
        return EDGE_EXIT_USAGE;
    }
    int64_t at;
    static char text[MM_LONG_TEXT_MAX];
    int rc = received_at(o, mm_now_us(), &at);
    if (rc != EDGE_EXIT_OK)
        return rc;
    if (edge_cli_text_option(o, "complaint record", text, sizeof text) != 0)
        return EDGE_EXIT_USAGE;
    json_t *req = json_pack("{s:s, s:s, s:s, s:I, s:s}", "action", "complaint", "step", "received",
                            "channel", o->channel, "received_us", (json_int_t)at, "text", text);
    if (o->n_camera)
        json_object_set_new(req, "camera", json_string(o->camera[0]));
    return edge_cli_simple(o, req, show_recorded);
}

int edge_cli_complaint(const edge_cli_opts_t *o)
{
    const char *sub = o->n_args ? o->args[0] : "";
    if (!strcmp(sub, "record") && o->n_args == 1)
        return record(o);
    if ((!strcmp(sub, "handle") || !strcmp(sub, "close")) && o->n_args == 2) {
        if (o->channel || o->at || o->n_camera) {
            fprintf(stderr,
                    "mimamori-edge: complaint %s takes the complaint's id and --text: its "
                    "channel, time and camera were given when it was recorded\n",
                    sub);
            return EDGE_EXIT_USAGE;
        }
        static char text[MM_LONG_TEXT_MAX];
        char what[32];
        snprintf(what, sizeof what, "complaint %s", sub);
        if (edge_cli_text_option(o, what, text, sizeof text) != 0)
            return EDGE_EXIT_USAGE;
        return edge_cli_simple(o,
                               json_pack("{s:s, s:s, s:s, s:s}", "action", "complaint", "step",
                                         !strcmp(sub, "handle") ? "handled" : "closed",
                                         "complaint_id", o->args[1], "text", text),
                               show_step);
    }
    edge_cli_help(stderr, "complaint");
    return EDGE_EXIT_USAGE;
}

static void show_list(json_t *r)
{
    size_t i;
    json_t *c;
    printf("%-20s %-6s %-9s %-23s  %-23s  %-9s %-8s %s\n", "COMPLAINT", "FROM", "STATE", "RECEIVED",
           "DEADLINE", "CHANNEL", "CAMERA", "ABOUT");
    json_array_foreach(json_object_get(r, "complaints"), i, c)
    {
        char got[MM_LOCALTIME_MAX], due[MM_LOCALTIME_MAX];
        edge_cli_format_time(edge_cli_num(c, "received_us"), got);
        edge_cli_format_time(edge_cli_num(c, "deadline_us"), due);
        const char *more, *about = edge_cli_str(c, "about");
        int n = edge_cli_first_line(about, 40, &more);
        const char *link = *edge_cli_str(c, "hub_complaint") ? edge_cli_str(c, "hub_complaint")
                                                             : edge_cli_str(c, "site_complaint");
        printf("%-20s %-6s %-9s %-23s  %-23s%s %-9s %-8s %.*s%s%s%s%s\n", edge_cli_str(c, "id"),
               edge_cli_str(c, "source"), edge_cli_str(c, "state"), got, due,
               json_is_true(json_object_get(c, "overdue")) ? "!" : " ",
               *edge_cli_str(c, "channel") ? edge_cli_str(c, "channel") : "-",
               *edge_cli_str(c, "camera") ? edge_cli_str(c, "camera") : "-", n, about, more,
               *link ? " [" : "", link, *link ? "]" : "");
    }
    printf("%d open (! past its deadline)\n", (int)edge_cli_num(r, "open"));
}

int edge_cli_complaints(const edge_cli_opts_t *o)
{
    if (o->n_args) {
        edge_cli_help(stderr, "complaints");
        return EDGE_EXIT_USAGE;
    }
    json_t *req = json_pack("{s:s}", "action", "complaints");
    if (o->all)
        json_object_set_new(req, "all", json_true());
    return edge_cli_simple(o, req, show_list);
}
