/*
 * cli_city.c: what the city asks and tells the site, at the command line (cli_impl.h;
 * requests.h and notices.h on the edge's side):
 *   `mimamori-edge requests [list] | answer ID --text TEXT`: complaints, measures and report
 *   requests the city sent, answered by the manager (R-N10.1, R-N11);
 *   `mimamori-edge notices [--all] | show ID | ack ID [--text TEXT]`: its decisions on filings,
 *   guidance, recommendations, hearing offers and publications (R-N4.2, R-N10.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timefmt.h"
#include "edge/cli.h"
#include "edge/cli_impl.h"

static void show_requests(json_t *r)
{
    size_t i;
    json_t *q;
    printf("%-20s %-18s %-9s %-23s  %s\n", "REQUEST", "KIND", "STATE", "DEADLINE", "TEXT");
    json_array_foreach(json_object_get(r, "requests"), i, q)
    {
        char deadline[MM_LOCALTIME_MAX];
        edge_cli_format_time(edge_cli_num(q, "deadline_us"), deadline);
        const char *more, *text = edge_cli_str(q, "text");
        int n = edge_cli_first_line(text, 60, &more);
        int overdue = json_is_true(json_object_get(q, "overdue"));
        printf("%-20s %-18s %-9s %-23s%s %.*s%s\n", edge_cli_str(q, "id"), edge_cli_str(q, "kind"),
               edge_cli_str(q, "state"), deadline, overdue ? "!" : " ", n, text, more);
    }
    printf("%d open (! past its deadline)\n", (int)edge_cli_num(r, "open"));
}

static void show_request(json_t *q)
{
    printf("%s (%s): %s by %s\n", edge_cli_str(q, "id"), edge_cli_str(q, "kind"),
           edge_cli_str(q, "state"), edge_cli_str(q, "by"));
}

int edge_cli_requests(const edge_cli_opts_t *o)
{
    const char *sub = o->n_args ? o->args[0] : "list";
    if (!strcmp(sub, "list") && o->n_args <= 1)
        return edge_cli_simple(o, json_pack("{s:s}", "action", "requests"), show_requests);
    if (!strcmp(sub, "answer") && o->n_args == 2) {
        static char text[2048];
        if (edge_cli_text_option(o, "requests answer", text, sizeof text) != 0)
            return EDGE_EXIT_USAGE;
        return edge_cli_simple(o,
                               json_pack("{s:s, s:s, s:s}", "action", "request_answer",
                                         "request_id", o->args[1], "text", text),
                               show_request);
    }
    edge_cli_help(stderr, "requests");
    return EDGE_EXIT_USAGE;
}

/* A notice's particulars, one "key: value" a line, in the order the city wrote them. */
static void show_detail(json_t *d)
{
    const char *key;
    json_t *v;
    json_object_foreach(d, key, v)
    {
        char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        printf("  %-12s %s\n", key, text ? text : json_string_value(v));
        free(text);
    }
}

static void show_notice_full(json_t *n)
{
    char made[MM_LOCALTIME_MAX], got[MM_LOCALTIME_MAX], acked[MM_LOCALTIME_MAX];
    edge_cli_format_time(edge_cli_num(n, "time_us"), made);
    edge_cli_format_time(edge_cli_num(n, "received_us"), got);
    edge_cli_format_time(edge_cli_num(n, "acknowledged_us"), acked);
    printf("%s (%s) about %s\n  made by the city %s, received %s\n", edge_cli_str(n, "id"),
           edge_cli_str(n, "kind"), edge_cli_str(n, "subject"), made, got);
    if (*edge_cli_str(n, "text"))
        printf("  %s\n", edge_cli_str(n, "text"));
    show_detail(json_object_get(n, "detail"));
    const char *answer = edge_cli_str(n, "answer");
    if (!strcmp(edge_cli_str(n, "state"), "acknowledged"))
        printf("  acknowledged %s by %s%s%s\n", acked, edge_cli_str(n, "by"), *answer ? ": " : "",
               answer);
    else
        printf("  not yet acknowledged (mimamori-edge notices ack %s)\n", edge_cli_str(n, "id"));
}

static void show_notice(json_t *r)
{
    show_notice_full(json_object_get(r, "notice"));
}

static void show_notices(json_t *r)
{
    size_t i;
    json_t *n;
    printf("%-14s %-16s %-12s %-23s %-13s %s\n", "NOTICE", "KIND", "ABOUT", "MADE", "STATE",
           "TEXT");
    json_array_foreach(json_object_get(r, "notices"), i, n)
    {
        char made[MM_LOCALTIME_MAX];
        edge_cli_format_time(edge_cli_num(n, "time_us"), made);
        const char *more, *text = edge_cli_str(n, "text");
        int len = edge_cli_first_line(text, 60, &more);
        printf("%-14s %-16s %-12s %-23s %-13s %.*s%s\n", edge_cli_str(n, "id"),
               edge_cli_str(n, "kind"), edge_cli_str(n, "subject"), made, edge_cli_str(n, "state"),
               len, text, more);
    }
    printf("%d not yet acknowledged\n", (int)edge_cli_num(r, "open"));
}

static int acknowledge(const edge_cli_opts_t *o)
{
    json_t *req = json_pack("{s:s, s:s}", "action", "notice_ack", "request_id", o->args[1]);
    json_t *text = o->text ? json_string(o->text) : NULL;
    if (o->text && (!*o->text || !text)) {
        json_decref(req);
        json_decref(text);
        fprintf(stderr, "mimamori-edge: notices ack: --text %s\n",
                !*o->text ? "is empty; leave it out to acknowledge without words"
                          : "is not UTF-8");
        return EDGE_EXIT_USAGE;
    }
    if (text)
        json_object_set_new(req, "text", text);
    return edge_cli_simple(o, req, show_notice_full);
}

int edge_cli_notices(const edge_cli_opts_t *o)
{
    const char *sub = o->n_args ? o->args[0] : "list";
    if (!strcmp(sub, "list") && o->n_args <= 1 && !o->text) {
        json_t *req = json_pack("{s:s}", "action", "notices");
        if (o->all)
            json_object_set_new(req, "all", json_true());
        return edge_cli_simple(o, req, show_notices);
    }
    if (!strcmp(sub, "show") && o->n_args == 2 && !o->all && !o->text)
        return edge_cli_simple(
            o, json_pack("{s:s, s:s}", "action", "notices", "request_id", o->args[1]), show_notice);
    if (!strcmp(sub, "ack") && o->n_args == 2 && !o->all)
        return acknowledge(o);
    edge_cli_help(stderr, "notices");
    return EDGE_EXIT_USAGE;
}
