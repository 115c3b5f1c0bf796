/*
 * cli_impl.h: the inside of the operator commands (cli.h), shared by cli.c and the commands kept
 * in files of their own (cli_complaints.c, cli_city.c, cli_disclosures.c, cli_holds.c).
 *
 * cli.c reads the command line into edge_cli_opts_t, talks to the edge and prints; a command in a
 * file of its own builds its request and its printing from these and nothing else.
 */
#ifndef EDGE_CLI_IMPL_H
#define EDGE_CLI_IMPL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/timefmt.h"

/* The command line, as read. */
typedef struct {
    const char *socket;
    int json;
    const char *config;
    const char *from, *to, *reason, *text, *text_file, *actions, *cameras, *player, *note;
    int minutes, html;
    const char *camera[16]; /* --camera, repeated (disclosure prepare) */
    int n_camera;
    const char *keep[32]; /* --keep, repeated (disclosure approve) */
    int n_keep;
    const char *args[4]; /* positional arguments after the command */
    int n_args;
    const char *channel, *at; /* complaint record */
    const char *purpose, *basis, *speed; /* playback */
    int all;                  /* complaints, notices */
    int expires;              /* --expires DAYS (hold place), 0 when not given */
    int password_stdin, new_totp, unlock; /* passwd */
    const char *day;                      /* timeline: YYYY-MM-DD, the site's day */
} edge_cli_opts_t;

/* Sends req (stolen) to the edge and prints its answer with show (as JSON with --json or when
 * show is NULL). Returns the exit status (cli.h). */
int edge_cli_simple(const edge_cli_opts_t *o, json_t *req, void (*show)(json_t *));
/* --text or --text-file into text (cap bytes); what names the command for messages. 0, or -1
 * once the problem is said on standard error. */
int edge_cli_text_option(const edge_cli_opts_t *o, const char *what, char *text, size_t cap);
/* The usage of command name, on f. */
void edge_cli_help(FILE *f, const char *name);

/*
 * Times as people read and type them at the site: in the site's zone, which the edge names in
 * every answer (and, asked once, before a typed date and time is read), whatever the machine's
 * zone or TZ says (timefmt.h). edge_cli_read_time reads the TIME of option opt (cli.h
 * edge_cli_parse_time) into *out: 0, or the exit status once the problem is said on standard
 * error. edge_cli_format_time writes "YYYY-MM-DD HH:MM:SS JST" ("-" for 0 or less).
 */
int edge_cli_read_time(const edge_cli_opts_t *o, const char *opt, const char *val, int64_t now,
                       int64_t *out);
void edge_cli_format_time(int64_t us, char buf[MM_LOCALTIME_MAX]);
/* cli_time.c: makes name the zone times are read and shown in (from_edge: the edge named it; an
 * unknown name keeps the zone in use, or Japan's rule when none is); whether the edge has named
 * it yet. */
void edge_cli_use_zone(const char *name, int from_edge);
int edge_cli_zone_from_edge(void);

/* A string member of o ("" when absent or not a string); an integer member (0 when absent). */
const char *edge_cli_str(json_t *o, const char *key);
json_int_t edge_cli_num(json_t *o, const char *key);
/* How many bytes of text's first line fit in max, cut at a character's start; *more is "…" when
 * some of the text is left out, else "". */
int edge_cli_first_line(const char *text, size_t max, const char **more);
/* o's from_us and to_us as "A → B" in the site's zone. */
void edge_cli_format_range(json_t *o, char *buf, size_t cap);
/* The --camera options joined with commas into list (cap bytes); with one_each, each must name
 * one camera. 0, or -1 once the problem is said on standard error. */
int edge_cli_camera_list(const edge_cli_opts_t *o, int one_each, char *list, size_t cap);

/* The commands in files of their own: each reads what it needs of o, and returns the exit status
 * (cli.h). */
int edge_cli_complaint(const edge_cli_opts_t *o); /* cli_complaints.c */
int edge_cli_complaints(const edge_cli_opts_t *o);
int edge_cli_requests(const edge_cli_opts_t *o); /* cli_city.c */
int edge_cli_notices(const edge_cli_opts_t *o);
int edge_cli_disclosures(const edge_cli_opts_t *o); /* cli_disclosures.c */
int edge_cli_passwd(const edge_cli_opts_t *o);      /* cli_passwd.c */
int edge_cli_disclosure(const edge_cli_opts_t *o);
int edge_cli_hold(const edge_cli_opts_t *o); /* cli_holds.c */
int edge_cli_holds(const edge_cli_opts_t *o);
int edge_cli_alerts(const edge_cli_opts_t *o); /* cli_alerts.c */
int edge_cli_timeline(const edge_cli_opts_t *o); /* cli_timeline.c */

#endif
