/*
 * cli_disclosures.c: `mimamori-edge disclosures` and `mimamori-edge disclosure
 * prepare|approve|deny|release ID` (cli_impl.h; disclosure*.c on the edge's side): the site's
 * part in a disclosure request the city forwarded — an operator prepares (the cameras and range
 * the request allows, in the site's time), the manager approves with the regions to keep, denies,
 * or ends the hold afterwards (R-N7.4, R-K2.2.5).
 */
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/timefmt.h"
#include "edge/cli.h"
#include "edge/cli_impl.h"

/* A JSON array of strings, joined with commas into buf (cut short when full). */
static void join_strings(json_t *a, char *buf, size_t cap)
{
    size_t i, at = 0;
    json_t *v;
    buf[0] = 0;
    json_array_foreach(a, i, v)
    {
        int n = snprintf(buf + at, cap - at, "%s%s", i ? "," : "", json_string_value(v));
        if (n < 0 || (size_t)n >= cap - at)
            break;
        at += (size_t)n;
    }
}

static void show_disclosure(json_t *q)
{
    char range[2 * MM_LOCALTIME_MAX + 8], cams[256], deadline[MM_LOCALTIME_MAX];
    json_t *sel = json_object_get(q, "selection");
    edge_cli_format_range(sel, range, sizeof range);
    join_strings(json_object_get(sel, "cameras"), cams, sizeof cams);
    edge_cli_format_time(edge_cli_num(q, "deadline_us"), deadline);
    const char *wait = edge_cli_str(q, "waiting_for");
    printf("%-20s %-10s %-10s %-12s %s [%s] deadline %s%s%s\n", edge_cli_str(q, "id"),
           edge_cli_str(q, "state"), edge_cli_str(q, "legal_basis"), edge_cli_str(q, "requester"),
           range, cams, deadline, *wait ? ", waiting for the " : "", wait);
    if (*edge_cli_str(q, "refusal"))
        printf("  refused: %s\n", edge_cli_str(q, "refusal"));
    if (*edge_cli_str(q, "failure"))
        printf("  failed: %s\n", edge_cli_str(q, "failure"));
    json_t *rel = json_object_get(q, "release");
    if (json_is_object(rel)) {
        char when[MM_LOCALTIME_MAX];
        edge_cli_format_time(edge_cli_num(rel, "time_us"), when);
        printf("  hold released %s by %s: %s\n", when, edge_cli_str(rel, "by"),
               edge_cli_str(rel, "reason"));
    }
}

static void show_disclosures(json_t *r)
{
    size_t i;
    json_t *q;
    printf("%-20s %-10s %-10s %-12s %s\n", "REQUEST", "STATE", "BASIS", "REQUESTER",
           "RANGE [CAMERAS], DEADLINE");
    json_array_foreach(json_object_get(r, "disclosures"), i, q) show_disclosure(q);
    printf("%d waiting for the manager\n", (int)edge_cli_num(r, "waiting"));
}

int edge_cli_disclosures(const edge_cli_opts_t *o)
{
    if (o->n_args) {
        edge_cli_help(stderr, "disclosures");
        return EDGE_EXIT_USAGE;
    }
    return edge_cli_simple(o, json_pack("{s:s}", "action", "disclosures"), show_disclosures);
}

/* --from or --to (opt, val) as the request's member key, if given. 0, or the exit status. */
static int add_time(const edge_cli_opts_t *o, json_t *req, const char *opt, const char *val,
                    const char *key)
{
    int64_t t;
    if (!val)
        return EDGE_EXIT_OK;
    int rc = edge_cli_read_time(o, opt, val, mm_now_us(), &t);
    if (rc == EDGE_EXIT_OK)
        json_object_set_new(req, key, json_integer(t));
    return rc;
}

static int prepare(const edge_cli_opts_t *o, const char *id)
{
    if (o->reason || o->n_keep) {
        fputs("mimamori-edge: disclosure prepare takes --camera, --from, --to and --note\n", stderr);
        return EDGE_EXIT_USAGE;
    }
    json_t *req = json_pack("{s:s, s:s}", "action", "disclosure_prepare", "request_id", id);
    int rc = add_time(o, req, "--from", o->from, "from_us");
    if (rc == EDGE_EXIT_OK)
        rc = add_time(o, req, "--to", o->to, "to_us");
    if (rc == EDGE_EXIT_OK && o->n_camera) {
        char list[256];
        if (edge_cli_camera_list(o, 1, list, sizeof list) != 0)
            rc = EDGE_EXIT_USAGE;
        else
            json_object_set_new(req, "cameras", json_string(list));
    }
    if (rc != EDGE_EXIT_OK) {
        json_decref(req);
        return rc;
    }
    if (o->note)
        json_object_set_new(req, "text", json_string(o->note));
    return edge_cli_simple(o, req, show_disclosure);
}

/* approve, deny or release (sub): the manager's decision, with its reason. */
static int decide(const edge_cli_opts_t *o, const char *sub, const char *id)
{
    int approve = !strcmp(sub, "approve");
    if (!o->reason) {
        fprintf(stderr, "mimamori-edge: disclosure %s needs --reason TEXT\n", sub);
        return EDGE_EXIT_USAGE;
    }
    if (o->n_camera || o->from || o->to || o->note || (!approve && o->n_keep)) {
        fprintf(stderr, "mimamori-edge: disclosure %s takes --reason%s\n", sub,
                approve ? " and --keep" : "");
        return EDGE_EXIT_USAGE;
    }
    const char *action = approve                ? "disclosure_approve"
                         : !strcmp(sub, "deny") ? "disclosure_deny"
                                                : "disclosure_release";
    json_t *req =
        json_pack("{s:s, s:s, s:s}", "action", action, "request_id", id, "reason", o->reason);
    if (o->n_keep) {
        json_t *keep = json_array();
        for (int i = 0; i < o->n_keep; i++)
            json_array_append_new(keep, json_string(o->keep[i]));
        json_object_set_new(req, "keep", keep);
    }
    return edge_cli_simple(o, req, show_disclosure);
}

int edge_cli_disclosure(const edge_cli_opts_t *o)
{
    const char *sub = o->n_args == 2 ? o->args[0] : "";
    if (!strcmp(sub, "prepare"))
        return prepare(o, o->args[1]);
    if (!strcmp(sub, "approve") || !strcmp(sub, "deny") || !strcmp(sub, "release"))
        return decide(o, sub, o->args[1]);
    edge_cli_help(stderr, "disclosure");
    return EDGE_EXIT_USAGE;
}
