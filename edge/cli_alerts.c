/*
 * cli_alerts.c: `mimamori-edge alerts` (cli_impl.h; alerts.h on the edge's side): what needs the
 * site's attention now, with since when in the site's zone, and where the webhook stands.
 */
#include <stdio.h>

#include "common/timefmt.h"
#include "edge/cli.h"
#include "edge/cli_impl.h"

static void show_alerts(json_t *r)
{
    size_t i;
    json_t *a;
    json_t *list = json_object_get(r, "alerts");
    if (json_array_size(list))
        printf("%-19s %-20s %-23s %s\n", "KIND", "SUBJECT", "SINCE", "WHAT");
    json_array_foreach(list, i, a)
    {
        char since[MM_LOCALTIME_MAX];
        edge_cli_format_time(edge_cli_num(a, "since_us"), since);
        printf("%-19s %-20s %-23s %s\n", edge_cli_str(a, "kind"), edge_cli_str(a, "subject"), since,
               edge_cli_str(a, "text_en"));
        printf("%-19s %-20s %-23s %s\n", "", "", "", edge_cli_str(a, "text_ja"));
    }
    printf("%zu alert(s)\n", json_array_size(list));
    json_t *hook = json_object_get(r, "webhook");
    if (json_is_object(hook))
        printf("webhook %s: %d sent, %d waiting, %d failed tries%s%s\n", edge_cli_str(hook, "url"),
               (int)edge_cli_num(hook, "sent"), (int)edge_cli_num(hook, "queued"),
               (int)edge_cli_num(hook, "failures"),
               *edge_cli_str(hook, "last_error") ? "; last: " : "",
               edge_cli_str(hook, "last_error"));
    else
        printf(
            "no webhook configured (\"alerts\": {\"webhook\": ...} in the site's configuration)\n");
}

int edge_cli_alerts(const edge_cli_opts_t *o)
{
    if (o->n_args) {
        edge_cli_help(stderr, "alerts");
        return EDGE_EXIT_USAGE;
    }
    return edge_cli_simple(o, json_pack("{s:s}", "action", "alerts"), show_alerts);
}
