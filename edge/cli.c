/*
 * cli.c: the operator commands (see cli.h).
 */
#include "edge/cli.h"

#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/timefmt.h"
#include "edge/cli_impl.h"
#include "edge/siteconf.h"
#include "edge/standards.h"

#define REPLY_MAX (16 * 1024 * 1024)

typedef edge_cli_opts_t opts_t;

/* --- help ------------------------------------------------------------------------------------*/

static int cmd_status(const opts_t *o), cmd_cameras(const opts_t *o), cmd_search(const opts_t *o),
    cmd_playback(const opts_t *o), cmd_standards(const opts_t *o), cmd_check(const opts_t *o),
    cmd_operators(const opts_t *o), cmd_emergency(const opts_t *o), cmd_camera(const opts_t *o);

/* Each command: its usage and what it does (help), and what runs it (here or in a file of its
 * own, cli_impl.h). */
static const struct {
    const char *name, *usage, *what;
    int (*run)(const opts_t *o);
} commands[] = {
    {"status", "status [--json]",
     "The site, its policy, its cameras' states, the log, and your role.", cmd_status},
    {"cameras", "cameras [--json]",
     "Each camera: state, location, purpose, public share of its image, last recording.",
     cmd_cameras},
    {"search", "search CAMERA --from TIME --to TIME [--json]",
     "The segments recorded by CAMERA in the time range (the search is logged).", cmd_search},
    {"playback",
     "playback CAMERA --from TIME [--to TIME] --purpose TEXT [--basis BASIS] [--player NAME]\n"
     "       [--speed 1|2|4|8]",
     "Asks the edge to show footage in a player the site's configuration names (--player NAME;\n"
     "  default its first, normally ffplay), which the edge starts itself, on the display it has;\n"
     "  the edge paces it at --speed times real time (1, 2, 4 or 8; default 1). --to defaults to\n"
     "  10 minutes after --from; one playback covers at most 24 hours. --purpose says why you\n"
     "  look: `site` or `camera` for the site's or the camera's declared purpose (`cameras` shows\n"
     "  them), or another purpose in words, which needs --basis: emergency, law, consent or\n"
     "  own_images, as the site's policy admits (R-K2.2.5, R-N7.4). The command waits until the\n"
     "  viewing ends and says how; a player that fails makes it fail. The start and end, the\n"
     "  purpose and the player are logged. Footage never comes to this command (R-N7.3).",
     cmd_playback},
    {"standards",
     "standards [--html] [--json] [--config FILE]\n"
     "       standards file",
     "The site's standards document (運用規程 / 設置運用基準) as enforced, current version.\n"
     "  `standards file` (the manager) files the current version with the city, for a site\n"
     "  whose configuration says \"filing\": \"manual\" (R-N4.2).\n"
     "  With --config, a draft (案) from that file, without asking the edge: for the first\n"
     "  filing before the site starts.",
     cmd_standards},
    {"check", "check --config FILE [--json]",
     "Checks a site configuration without starting anything: every problem, each naming its\n"
     "  key, and each camera's public share against its threshold. Exit 0 when it is sound,\n"
     "  2 when it is not.",
     cmd_check},
    {"operators", "operators [list|add PERSON|revoke PERSON] [--reason TEXT] [--json]",
     "Lists the people and their roles; the manager designates or revokes operators.",
     cmd_operators},
    {"emergency",
     "emergency list [--json]\n"
     "       emergency grant PERSON --minutes N --actions LIST [--cameras LIST] --reason TEXT\n"
     "       emergency revoke GRANT [--reason TEXT]\n"
     "       emergency report GRANT (--text TEXT | --text-file FILE)",
     "Emergency access (R-N6.2-3): the manager grants someone else status, cameras, search or\n"
     "  playback for up to 72 hours; the holder reports what they did. PERSON is a person id of\n"
     "  the site, or the local account name of someone who is not one.",
     cmd_emergency},
    {"camera", "camera suspend|resume|abolish CAMERA --reason TEXT",
     "The manager suspends, resumes or abolishes a camera; each is filed in the site log "
     "(R-N4.2).",
     cmd_camera},
    {"requests",
     "requests [list] [--json]\n"
     "       requests answer ID (--text TEXT | --text-file FILE)",
     "What the city asks of the site (R-N10.1, R-N12): complaints, report requests and measures\n"
     "  asked for, each open or answered, with its deadline. The manager answers each in words;\n"
     "  the answer to a report request also carries the city's question and a report of the\n"
     "  site's records for the period asked (disclosures, holds, complaints, viewings, ...),\n"
     "  signed with the site's key.",
     edge_cli_requests},
    {"notices",
     "notices [--all] [--json]\n"
     "       notices show ID [--json]\n"
     "       notices ack ID [--text TEXT]",
     "What the city tells the site (R-N4.2, R-N10.2, R-N11): its decisions on filings (accepted,\n"
     "  or returned with the reason), guidance, recommendations, hearings offered (date, place,\n"
     "  how to answer) and publications. The open ones, or --all; `show` prints one in full.\n"
     "  The manager or an operator acknowledges a notice once read (`ack`, with an optional\n"
     "  text); the city sees who did, and when.",
     edge_cli_notices},
    {"disclosures", "disclosures [--json]",
     "Disclosure requests from the city (R-K2.2.5, R-N7.4, R-N8): legal basis, requester,\n"
     "  cameras, range, deadline, what was prepared and decided, and the export's state.",
     edge_cli_disclosures},
    {"disclosure",
     "disclosure prepare ID [--camera CAMERA]... [--from TIME] [--to TIME] [--note TEXT]\n"
     "       disclosure approve ID --reason TEXT [--keep CAMERA:x,y,w,h]...\n"
     "       disclosure deny ID --reason TEXT\n"
     "       disclosure release ID --reason TEXT",
     "An operator or the manager prepares a request: the cameras (some of the request's) and the\n"
     "  range (inside the request's) to disclose, and a note; the last preparation is what is\n"
     "  exported. The manager approves (never what they alone prepared) or denies, with a reason.\n"
     "  An own-images request needs --keep: the regions showing the requester, in fractions of\n"
     "  the frame (x,y,w,h from 0 to 1); everything else is blurred. An approved request is\n"
     "  exported, encrypted to the requester, and sent to the hub; a denied or expired one\n"
     "  releases its footage to retention. An approved one keeps its hold until the manager\n"
     "  releases it, once the export is delivered (or has failed) and the inquiry no longer\n"
     "  needs the footage (R-K2.2.6b); retention then erases what was kept past its time.",
     edge_cli_disclosure},
    {"complaint",
     "complaint record --channel CHANNEL [--camera CAMERA] [--at TIME] (--text T | --text-file F)\n"
     "       complaint handle ID (--text TEXT | --text-file FILE)\n"
     "       complaint close ID (--text TEXT | --text-file FILE)",
     "Complaints received at the site (R-N12(1), R-N7.6), by the manager or an operator: record\n"
     "  one when it comes in (CHANNEL: in_person, phone, letter, email, online, other; --at when "
     "it\n"
     "  was received, the site's time, default now; prints its id), then what was done about it,\n"
     "  then how it was closed. Each step is in the site log and reaches the city, which\n"
     "  expects the complaint closed within 14 days of its receipt. ID may also be a\n"
     "  complaint the city sent (complaint-N); closing one answers the city, which the manager\n"
     "  does.",
     edge_cli_complaint},
    {"complaints", "complaints [--all] [--json]",
     "The open complaints (--all: every one): those received at the site and those the city\n"
     "  sent, each with its state, when it was received and its deadline (! past it).",
     edge_cli_complaints},
    {"hold",
     "hold place --camera CAM[,CAM...] --from TIME --to TIME --reason TEXT [--expires DAYS]\n"
     "       hold release ID [--reason TEXT]",
     "After an incident, the manager keeps footage past retention before any request exists\n"
     "  (R-K2.2.6b): one hold per camera, ids site-N.0, site-N.1, ... (site-N names them all).\n"
     "  Times are the site's. The range must have ended and hold footage on every camera. A hold\n"
     "  expires after --expires days (default 30, at most what the site's policy allows), when\n"
     "  the edge releases it; a disclosure's hold on the same cameras and range supersedes it.\n"
     "  `hold release` ends it early; what it kept past retention is erased at once.",
     edge_cli_hold},
    {"passwd",
     "passwd PERSON [--password-stdin] [--new-totp] [--json]\n"
     "       passwd PERSON --unlock",
     "The site console's password of PERSON (the manager anyone's, a person their own), asked\n"
     "  twice on the terminal or read as one line from standard input. A person without one gets\n"
     "  a TOTP secret too (or anyone with --new-totp): printed once with its otpauth:// URI and\n"
     "  a QR code, for an authenticator app; the person confirms a code at their first login.\n"
     "  --unlock (the manager): unlocks an account locked by failed logins.",
     edge_cli_passwd},
    {"holds", "holds [--json]",
     "Every hold in force, the manager's site holds and disclosure requests' holds: camera,\n"
     "  range, reason, who placed it and when it expires.",
     edge_cli_holds},
    {"alerts", "alerts [--json]",
     "What needs the site's attention now: cameras down, the disk's alarm, the hub unreachable,\n"
     "  the city's requests and notices, disclosures waiting, emergency reports due, a returned\n"
     "  filing, deadlines near or past; each since when. The same alerts go to the webhook the\n"
     "  configuration names (\"alerts\").",
     edge_cli_alerts},
    {"timeline", "timeline CAMERA (--day YYYY-MM-DD | --from TIME --to TIME) [--json]",
     "A camera's day (the site's day, or a range of at most 48 hours): what was recorded, the\n"
     "  gaps with their cause where the edge knows it (the camera broke off, suspended, the disk\n"
     "  full, erased), the holds covering it and what was erased (the call is logged).",
     edge_cli_timeline},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void help_common(FILE *f)
{
    fputs(
        "\nOptions for every command:\n"
        "  --socket PATH  the edge's control socket (default: $MIMAMORI_EDGE_SOCKET, else the one\n"
        "                 socket in /run/mimamori/)\n"
        "  --json         print the edge's answer as JSON\n"
        "  --help         this text\n"
        "TIME: now, -90s, -10m, -2h, -1d, @UNIXSECONDS, or \"YYYY-MM-DD HH:MM[:SS]\" in the "
        "site's\n"
        "  time zone (its configuration's \"timezone\", Asia/Tokyo unless it says; Z for UTC).\n"
        "  Times are shown in the site's zone too, whatever the machine's zone or TZ says.\n"
        "Exit status: 0 done, 1 the edge failed, 2 bad usage, 3 not permitted, 4 not found,\n"
        "5 already in that state, 6 the edge cannot be reached.\n",
        f);
}

static void help_command(FILE *f, const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) {
            fprintf(f, "usage: mimamori-edge %s\n\n  %s\n", commands[i].usage, commands[i].what);
            help_common(f);
        }
}

int edge_cli_is_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return 1;
    return strcmp(name, "help") == 0;
}

static void help_all(FILE *f)
{
    fputs("Operator commands (each asks the running edge, which checks who you are):\n", f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  mimamori-edge %s\n", commands[i].usage);
    help_common(f);
}

/* --- talking to the edge ---------------------------------------------------------------------*/

static const char *find_socket(const char *given)
{
    if (given)
        return given;
    const char *env = getenv("MIMAMORI_EDGE_SOCKET");
    if (env && *env)
        return env;
    static char found[256];
    glob_t g;
    if (glob("/run/mimamori/*.sock", 0, NULL, &g) == 0 && g.gl_pathc == 1 &&
        strlen(g.gl_pathv[0]) < sizeof found) {
        snprintf(found, sizeof found, "%s", g.gl_pathv[0]);
        globfree(&g);
        return found;
    }
    if (g.gl_pathc > 1)
        fprintf(stderr,
                "mimamori-edge: %zu edges run here; name one with --socket "
                "/run/mimamori/SITE.sock\n",
                g.gl_pathc);
    globfree(&g);
    return NULL;
}

static int connect_edge(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "mimamori-edge: socket path too long: %s\n", path);
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "mimamori-edge: cannot reach the edge at %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Reads one line (the answer) from fd; what came after it stays in *rest (*rest_len bytes). */
static char *read_line(int fd, char **rest, size_t *rest_len)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        char *nl = memchr(buf, '\n', len);
        if (nl) {
            *nl = 0;
            *rest = nl + 1;
            *rest_len = len - (size_t)(nl + 1 - buf);
            return buf;
        }
        if (len == cap) {
            if (cap >= REPLY_MAX)
                break;
            char *b = realloc(buf, cap * 2);
            if (!b)
                break;
            buf = b;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    free(buf);
    return NULL;
}

static int exit_for(const char *code)
{
    if (!code)
        return EDGE_EXIT_FAILED;
    if (!strcmp(code, "denied"))
        return EDGE_EXIT_DENIED;
    if (!strcmp(code, "not_found"))
        return EDGE_EXIT_NOT_FOUND;
    if (!strcmp(code, "conflict"))
        return EDGE_EXIT_CONFLICT;
    if (!strcmp(code, "invalid"))
        return EDGE_EXIT_USAGE;
    return EDGE_EXIT_FAILED;
}

static void print_json(json_t *j)
{
    char *d = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (d)
        puts(d);
    free(d);
}

/*
 * Sends req (stolen) and reads the answer. Returns the exit status; *result is the answer's
 * result on success. For a stream, *fd_out keeps the connection open and the bytes already read
 * after the answer line are in *extra (malloc'd, with *line to free).
 */
static int call(const opts_t *o, json_t *req, json_t **result, int *fd_out, char **line,
                char **extra, size_t *extra_len)
{
    *result = NULL;
    const char *path = find_socket(o->socket);
    if (!path) {
        json_decref(req);
        fputs("mimamori-edge: no control socket found; give --socket PATH\n", stderr);
        return EDGE_EXIT_UNREACHABLE;
    }
    char *s = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    int fd = s ? connect_edge(path) : -1;
    if (fd < 0) {
        free(s);
        return EDGE_EXIT_UNREACHABLE;
    }
    size_t n = strlen(s);
    s[n] = '\n'; /* json_dumps left room for the NUL, which becomes the newline */
    int rc = send_all(fd, s, n + 1);
    free(s);
    char *rest = NULL;
    size_t rest_len = 0;
    char *ans = rc == 0 ? read_line(fd, &rest, &rest_len) : NULL;
    json_t *j = ans ? json_loads(ans, 0, NULL) : NULL;
    if (!j) {
        fprintf(stderr, "mimamori-edge: the edge at %s gave no answer\n", path);
        free(ans);
        close(fd);
        return EDGE_EXIT_FAILED;
    }
    const char *tz = json_string_value(json_object_get(j, "timezone"));
    if (tz)
        edge_cli_use_zone(tz, 1);
    if (!json_is_true(json_object_get(j, "ok"))) {
        const char *code = json_string_value(json_object_get(j, "code"));
        const char *err = json_string_value(json_object_get(j, "error"));
        if (o->json)
            print_json(j);
        fprintf(stderr, "mimamori-edge: refused: %s\n", err ? err : "(no reason given)");
        rc = exit_for(code);
        json_decref(j);
        free(ans);
        close(fd);
        return rc;
    }
    if (fd_out) {
        *fd_out = fd;
        *line = ans;
        *extra = rest;
        *extra_len = rest_len;
        *result = j;
        return EDGE_EXIT_OK;
    }
    close(fd);
    free(ans);
    json_t *res = json_object_get(j, "result");
    *result = json_incref(res ? res : json_object());
    json_decref(j);
    return EDGE_EXIT_OK;
}

/* --- printing answers ------------------------------------------------------------------------*/

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static json_int_t num(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* The city's latest decision on the standards, as status shows it (R-N4.2). */
static void show_filing_decision(json_t *d)
{
    if (!json_is_object(d)) {
        printf("filing      no decision from the city yet\n");
        return;
    }
    int version = (int)num(d, "version");
    if (strcmp(str(d, "decision"), "returned") != 0)
        printf("filing      version %d accepted by the city on %s\n", version, str(d, "date"));
    else if (json_is_true(json_object_get(d, "superseded")))
        printf("filing      version %d was returned by the city on %s; a later version is "
               "filed\n",
               version, str(d, "date"));
    else
        printf("filing      RETURNED: the city returned version %d on %s: %s\n"
               "            file a corrected version (mimamori-edge notices show %s)\n",
               version, str(d, "date"), str(d, "reason"), str(d, "notice"));
}

/* The city's rule for the retention period, where the policy leaves the period to it (null
 * until received; absent under a policy whose text sets it). */
static void show_city_rule(json_t *r)
{
    json_t *cr = json_object_get(r, "city_rule");
    if (json_is_object(cr) && num(cr, "retention_days_max"))
        printf("city rule   %s: %d to %d days (notice %s)\n", str(cr, "rule"),
               (int)num(cr, "retention_days_min"), (int)num(cr, "retention_days_max"),
               str(cr, "notice"));
    else if (json_is_object(cr))
        printf("city rule   %s: at least %d days (notice %s)\n", str(cr, "rule"),
               (int)num(cr, "retention_days_min"), str(cr, "notice"));
    else if (json_is_null(cr))
        printf("city rule   not yet received: footage is kept as configured until the hub sends "
               "it\n");
}

static void show_status(json_t *r)
{
    json_t *you = json_object_get(r, "you"), *cams = json_object_get(r, "cameras"),
           *log = json_object_get(r, "log"), *st = json_object_get(r, "standards");
    printf("site        %s (%s)\n", str(r, "site"), str(r, "installer"));
    printf("time zone   %s (every time shown and typed here)\n", str(r, "timezone"));
    printf("policy      %s: footage kept %d days (floor %d, registered %d)\n", str(r, "policy"),
           (int)num(r, "retention_days"), (int)num(r, "floor_days"),
           (int)num(r, "registered_retention_days"));
    show_city_rule(r);
    printf("cameras     %d recording, %d suspended, %d abolished\n", (int)num(cams, "recording"),
           (int)num(cams, "suspended"), (int)num(cams, "abolished"));
    printf("site log    %" JSON_INTEGER_FORMAT " entries, %" JSON_INTEGER_FORMAT
           " acknowledged by the hub\n",
           num(log, "entries"), num(log, "acknowledged_by_hub"));
    if (!strcmp(str(st, "filing"), "none"))
        printf("standards   version %d of %s; the %s policy files nothing with the city\n",
               (int)num(st, "version"), str(st, "date"), str(r, "policy"));
    else
        printf("standards   version %d of %s; version %d filed with the city (%s filing)\n",
               (int)num(st, "version"), str(st, "date"), (int)num(st, "filed"), str(st, "filing"));
    printf("emergency   %d report(s) not yet filed\n", (int)num(r, "open_emergency_reports"));
    printf("city        %d request(s) open (mimamori-edge requests)\n",
           (int)num(r, "open_city_requests"));
    printf("notices     %d notice(s) from the city not yet acknowledged (mimamori-edge notices)\n",
           (int)num(r, "open_notices"));
    show_filing_decision(json_object_get(r, "filing_decision"));
    printf("disclosure  %d request(s) waiting for the manager (mimamori-edge disclosures)\n",
           (int)num(r, "disclosures_waiting"));
    printf("alerts      %d standing (mimamori-edge alerts)\n", (int)num(r, "alerts"));
    json_t *console = json_object_get(r, "console");
    if (console)
        printf("console     %s\n            certificate SHA-256 %s\n", str(console, "url"),
               str(console, "fingerprint"));
    printf("you         %s (%s), role %s\n", str(you, "person"), str(you, "account"),
           str(you, "role"));
}

static void show_cameras(json_t *r)
{
    size_t i;
    json_t *c;
    printf("%-12s %-10s %7s %7s  %-23s  %s\n", "CAMERA", "STATE", "PUBLIC", "NEEDED",
           "LAST RECORDED", "LOCATION");
    json_array_foreach(json_object_get(r, "cameras"), i, c)
    {
        char t[MM_LOCALTIME_MAX];
        edge_cli_format_time(num(c, "last_recorded_us"), t);
        double need = json_number_value(json_object_get(c, "threshold")) * 100;
        char needed[16];
        if (need > 0)
            snprintf(needed, sizeof needed, "%6.1f%%", need);
        else
            snprintf(needed, sizeof needed, "%7s", "-"); /* no threshold but kawaguchi's */
        printf("%-12s %-10s %6.1f%% %s  %-23s  %s\n", str(c, "id"), str(c, "state"),
               json_number_value(json_object_get(c, "public_share")) * 100, needed, t,
               str(c, "location"));
    }
}

static void show_search(json_t *r)
{
    size_t i;
    json_t *s;
    json_t *segs = json_object_get(r, "segments");
    printf("%-23s  %-23s %7s %10s  %-8s %s\n", "START", "END", "FRAMES", "BYTES", "FOOTAGE",
           "CONTENT HASH");
    json_array_foreach(segs, i, s)
    {
        char a[MM_LOCALTIME_MAX], b[MM_LOCALTIME_MAX];
        edge_cli_format_time(num(s, "start_us"), a);
        edge_cli_format_time(num(s, "end_us"), b);
        printf("%-23s  %-23s %7d %10" JSON_INTEGER_FORMAT "  %-8s %.16s…%s\n", a, b,
               (int)num(s, "frames"), num(s, "bytes"), str(s, "footage"), str(s, "content_hash"),
               json_is_true(json_object_get(s, "recovered")) ? " (recovered)" : "");
    }
    printf("%zu segment(s)%s\n", json_array_size(segs),
           json_is_true(json_object_get(r, "truncated")) ? ", list cut short" : "");
    if (num(r, "missing") || num(r, "altered"))
        printf("footage %s: %" JSON_INTEGER_FORMAT " segment(s) missing, %" JSON_INTEGER_FORMAT
               " altered (R-K2.2.6d)\n",
               str(r, "footage"), num(r, "missing"), num(r, "altered"));
}

static void show_people(json_t *r)
{
    size_t i;
    json_t *p;
    printf("%-14s %-10s %-14s %s\n", "PERSON", "ROLE", "ACCOUNT", "NAME");
    json_array_foreach(json_object_get(r, "people"), i, p) printf(
        "%-14s %-10s %-14s %s\n", str(p, "id"), str(p, "role"), str(p, "account"), str(p, "name"));
}

static void show_grant(json_t *g)
{
    char a[MM_LOCALTIME_MAX], b[MM_LOCALTIME_MAX];
    edge_cli_format_time(num(g, "granted_us"), a);
    edge_cli_format_time(num(g, "until_us"), b);
    printf("%-22s %-12s %-9s %s → %s  report %-12s %s [%s]\n", str(g, "id"), str(g, "person"),
           str(g, "state"), a, b, str(g, "report"), str(g, "actions"),
           *str(g, "cameras") ? str(g, "cameras") : "all cameras");
}

static void show_grants(json_t *r)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(r, "grants"), i, g) show_grant(g);
    printf("%d report(s) not yet filed\n", (int)num(r, "open_reports"));
}

/* --- commands --------------------------------------------------------------------------------*/

static int simple(const opts_t *o, json_t *req, void (*show)(json_t *))
{
    json_t *res;
    int rc = call(o, req, &res, NULL, NULL, NULL, NULL);
    if (rc == EDGE_EXIT_OK) {
        if (o->json || !show)
            print_json(res);
        else
            show(res);
    }
    json_decref(res);
    return rc;
}

/* Whether s is a date and time without "Z": one the site's zone must read. */
static int wall_time(const char *s)
{
    size_t n = strlen(s);
    return n && s[0] >= '0' && s[0] <= '9' && s[n - 1] != 'Z';
}

/* Asks the edge for its zone, once, before a typed date and time is read (logged, as every call
 * is; access.c lets anyone ask). */
static int learn_zone(const opts_t *o)
{
    if (edge_cli_zone_from_edge())
        return 0;
    json_t *res;
    int rc = call(o, json_pack("{s:s}", "action", "timezone"), &res, NULL, NULL, NULL, NULL);
    json_decref(res);
    if (rc == EDGE_EXIT_OK && !edge_cli_zone_from_edge()) {
        fputs("mimamori-edge: the edge did not name its time zone\n", stderr);
        rc = EDGE_EXIT_FAILED;
    }
    return rc;
}

/* Reads the time val of option opt into *out; 0, or the exit status (the message printed). */
static int need_time(const opts_t *o, const char *opt, const char *val, int64_t now, int64_t *out)
{
    if (!val) {
        fprintf(stderr, "mimamori-edge: %s TIME is required\n", opt);
        return EDGE_EXIT_USAGE;
    }
    if (wall_time(val)) {
        int rc = learn_zone(o);
        if (rc != EDGE_EXIT_OK)
            return rc;
    }
    if (edge_cli_parse_time(val, now, out) != 0) {
        fprintf(stderr, "mimamori-edge: %s: \"%s\" is not a time (see --help)\n", opt, val);
        return EDGE_EXIT_USAGE;
    }
    return EDGE_EXIT_OK;
}

int edge_cli_read_time(const opts_t *o, const char *opt, const char *val, int64_t now, int64_t *out)
{
    return need_time(o, opt, val, now, out);
}

/* Reads the line that says how a viewing ended: the bytes already read (have, n), then fd. */
static json_t *read_end(int fd, const char *have, size_t n)
{
    char buf[65536];
    size_t len = n < sizeof buf ? n : sizeof buf - 1;
    memcpy(buf, have, len);
    for (;;) {
        char *nl = memchr(buf, '\n', len);
        if (nl) {
            *nl = 0;
            return json_loads(buf, 0, NULL);
        }
        if (len == sizeof buf - 1)
            return NULL;
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return NULL;
        len += (size_t)r;
    }
}

/* --speed: 1, 2, 4 or 8; 0 when not given, -1 once the mistake is said. */
static int speed_option(const char *val)
{
    if (!val)
        return 0;
    char *end = NULL;
    long v = strtol(val, &end, 10);
    if (end && end != val && (*end == 0 || (end[0] == 'x' && end[1] == 0)) &&
        (v == 1 || v == 2 || v == 4 || v == 8))
        return (int)v;
    fprintf(stderr, "mimamori-edge: --speed: 1, 2, 4 or 8 times real time, not \"%s\"\n", val);
    return -1;
}

/*
 * The edge starts the player and paces the stream; this command only asks, waits for the
 * viewing to end and says how. Footage never comes here (R-N7.3): the request names a player of
 * the site, never the stream.
 */
static int cmd_playback(const opts_t *o)
{
    if (o->n_args != 1) {
        help_command(stderr, "playback");
        return EDGE_EXIT_USAGE;
    }
    int speed = speed_option(o->speed);
    if (speed < 0)
        return EDGE_EXIT_USAGE;
    int64_t now = mm_now_us(), from, to;
    int rc = need_time(o, "--from", o->from, now, &from);
    if (rc != EDGE_EXIT_OK)
        return rc;
    if (o->to) {
        if ((rc = need_time(o, "--to", o->to, now, &to)) != EDGE_EXIT_OK)
            return rc;
    } else {
        to = from + 600LL * 1000000;
    }
    json_t *req = json_pack("{s:s, s:s, s:I, s:I}", "action", "playback", "camera", o->args[0],
                            "from_us", (json_int_t)from, "to_us", (json_int_t)to);
    if (speed)
        json_object_set_new(req, "speed", json_integer(speed));
    if (o->purpose)
        json_object_set_new(req, "purpose", json_string(o->purpose));
    if (o->basis)
        json_object_set_new(req, "basis", json_string(o->basis));
    if (o->player)
        json_object_set_new(req, "player", json_string(o->player));
    json_t *head;
    int fd = -1;
    char *line = NULL, *extra = NULL;
    size_t extra_len = 0;
    rc = call(o, req, &head, &fd, &line, &extra, &extra_len);
    if (rc != EDGE_EXIT_OK)
        return rc;
    fprintf(stderr, "mimamori-edge: playing %s in %s at %dx, session %s, for %s%s%s (logged)\n",
            o->args[0], str(head, "player"), (int)num(head, "speed"), str(head, "session"),
            str(head, "purpose"),
            json_is_true(json_object_get(head, "other_purpose")) ? ", under " : "",
            json_is_true(json_object_get(head, "other_purpose")) ? str(head, "basis") : "");
    json_decref(head);
    json_t *end = read_end(fd, extra, extra_len);
    close(fd);
    free(line);
    if (!end) {
        fputs("mimamori-edge: the edge ended the playback without saying how\n", stderr);
        return EDGE_EXIT_FAILED;
    }
    const char *failure = str(end, "failure");
    if (json_is_true(json_object_get(end, "ok"))) {
        fprintf(stderr, "mimamori-edge: playback ended: %s\n", str(end, "reason"));
    } else {
        fprintf(stderr, "mimamori-edge: playback %s: %s\n", *failure ? "failed" : "ended",
                *failure ? failure : str(end, "reason"));
        rc = exit_for(json_string_value(json_object_get(end, "code")));
    }
    json_decref(end);
    return rc;
}

static int read_file_text(const char *path, char *buf, size_t cap)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "mimamori-edge: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fread(buf, 1, cap - 1, f);
    int big = !feof(f);
    if (f != stdin)
        fclose(f);
    buf[n] = 0;
    if (big) {
        fprintf(stderr, "mimamori-edge: %s: the text is at most %zu bytes\n", path, cap - 1);
        return -1;
    }
    return 0;
}

static int cmd_emergency(const opts_t *o)
{
    const char *sub = o->n_args ? o->args[0] : "list";
    if (!strcmp(sub, "list") && o->n_args <= 1)
        return simple(o, json_pack("{s:s}", "action", "emergency_list"), show_grants);
    if (!strcmp(sub, "grant") && o->n_args == 2) {
        if (!o->minutes || !o->actions || !o->reason) {
            fputs("mimamori-edge: emergency grant needs --minutes, --actions and --reason\n",
                  stderr);
            return EDGE_EXIT_USAGE;
        }
        json_t *req = json_pack("{s:s, s:s, s:i, s:s, s:s}", "action", "emergency_grant", "person",
                                o->args[1], "minutes", o->minutes, "actions", o->actions, "reason",
                                o->reason);
        if (o->cameras)
            json_object_set_new(req, "cameras", json_string(o->cameras));
        return simple(o, req, show_grant);
    }
    if (!strcmp(sub, "revoke") && o->n_args == 2) {
        json_t *req = json_pack("{s:s, s:s}", "action", "emergency_revoke", "grant_id", o->args[1]);
        if (o->reason)
            json_object_set_new(req, "reason", json_string(o->reason));
        return simple(o, req, show_grant);
    }
    if (!strcmp(sub, "report") && o->n_args == 2) {
        static char text[2048];
        if (o->text_file) {
            if (read_file_text(o->text_file, text, sizeof text) != 0)
                return EDGE_EXIT_USAGE;
        } else if (o->text) {
            if (strlen(o->text) >= sizeof text) {
                fprintf(stderr,
                        "mimamori-edge: a report is at most %zu bytes; use --text-file "
                        "for a long one and shorten it\n",
                        sizeof text - 1);
                return EDGE_EXIT_USAGE;
            }
            snprintf(text, sizeof text, "%s", o->text);
        } else {
            fputs("mimamori-edge: emergency report needs --text or --text-file\n", stderr);
            return EDGE_EXIT_USAGE;
        }
        return simple(o,
                      json_pack("{s:s, s:s, s:s}", "action", "emergency_report", "grant_id",
                                o->args[1], "text", text),
                      show_grant);
    }
    help_command(stderr, "emergency");
    return EDGE_EXIT_USAGE;
}

/* --text or --text-file into text (cap bytes); what names the command for messages. */
static int text_option(const opts_t *o, const char *what, char *text, size_t cap)
{
    if (o->text_file)
        return read_file_text(o->text_file, text, cap);
    if (!o->text) {
        fprintf(stderr, "mimamori-edge: %s needs --text or --text-file\n", what);
        return -1;
    }
    if (strlen(o->text) >= cap) {
        fprintf(stderr, "mimamori-edge: %s: the text is at most %zu bytes\n", what, cap - 1);
        return -1;
    }
    snprintf(text, cap, "%s", o->text);
    return 0;
}

static int cmd_operators(const opts_t *o)
{
    const char *sub = o->n_args ? o->args[0] : "list";
    if (!strcmp(sub, "list") && o->n_args <= 1)
        return simple(o, json_pack("{s:s}", "action", "operators"), show_people);
    if ((!strcmp(sub, "add") || !strcmp(sub, "revoke")) && o->n_args == 2) {
        json_t *req = json_pack("{s:s, s:s}", "action",
                                !strcmp(sub, "add") ? "operator_designate" : "operator_revoke",
                                "person", o->args[1]);
        if (o->reason)
            json_object_set_new(req, "reason", json_string(o->reason));
        return simple(o, req, NULL);
    }
    help_command(stderr, "operators");
    return EDGE_EXIT_USAGE;
}

static int cmd_camera(const opts_t *o)
{
    if (o->n_args != 2 || (strcmp(o->args[0], "suspend") && strcmp(o->args[0], "resume") &&
                           strcmp(o->args[0], "abolish"))) {
        help_command(stderr, "camera");
        return EDGE_EXIT_USAGE;
    }
    if (!o->reason) {
        fputs("mimamori-edge: camera changes are filed with the city: --reason TEXT is required\n",
              stderr);
        return EDGE_EXIT_USAGE;
    }
    char action[32];
    snprintf(action, sizeof action, "camera_%s", o->args[0]);
    return simple(
        o,
        json_pack("{s:s, s:s, s:s}", "action", action, "camera", o->args[1], "reason", o->reason),
        NULL);
}

static int cmd_status(const opts_t *o)
{
    if (o->n_args) {
        help_command(stderr, "status");
        return EDGE_EXIT_USAGE;
    }
    return simple(o, json_pack("{s:s}", "action", "status"), show_status);
}

static int cmd_cameras(const opts_t *o)
{
    if (o->n_args) {
        help_command(stderr, "cameras");
        return EDGE_EXIT_USAGE;
    }
    return simple(o, json_pack("{s:s}", "action", "cameras"), show_cameras);
}

static int cmd_search(const opts_t *o)
{
    if (o->n_args != 1) {
        help_command(stderr, "search");
        return EDGE_EXIT_USAGE;
    }
    int64_t now = mm_now_us(), from, to;
    int rc = need_time(o, "--from", o->from, now, &from);
    if (rc == EDGE_EXIT_OK)
        rc = need_time(o, "--to", o->to, now, &to);
    if (rc != EDGE_EXIT_OK)
        return rc;
    return simple(o,
                  json_pack("{s:s, s:s, s:I, s:I}", "action", "search", "camera", o->args[0],
                            "from_us", (json_int_t)from, "to_us", (json_int_t)to),
                  show_search);
}

static void show_document(json_t *r)
{
    fputs(str(r, "document"), stdout);
}

/* Loads a configuration for check and the draft standards; problems go to standard error. Its
 * zone becomes the one times are shown in. */
static int load_config(const opts_t *o, edge_config_t *cfg)
{
    mm_diag_init("mimamori-edge", MM_DIAG_WARN);
    if (edge_config_load(o->config, cfg) != MM_OK)
        return -1;
    edge_cli_use_zone(cfg->timezone, 0);
    return 0;
}

static int cmd_check(const opts_t *o)
{
    if (!o->config || o->n_args) {
        help_command(stderr, "check");
        return EDGE_EXIT_USAGE;
    }
    edge_config_t cfg;
    if (load_config(o, &cfg) != 0)
        return EDGE_EXIT_USAGE;
    json_t *list = json_array();
    for (size_t i = 0; i < cfg.n_cameras; i++) {
        const edge_camera_gov_t *g = &cfg.cameras[i].gov;
        json_array_append_new(list,
                              json_pack("{s:s, s:f, s:f, s:f, s:f, s:s?}", "id", cfg.cameras[i].id,
                                        "public_share", g->coverage.public_share, "threshold",
                                        g->threshold, "masked", g->coverage.masked_area, "private",
                                        g->coverage.private_area, "exception", g->exception));
    }
    json_t *res =
        json_pack("{s:s, s:s, s:i, s:s, s:i, s:o}", "site", cfg.site, "policy",
                  mm_policy_name(cfg.policy), "retention_days", cfg.retention_days, "timezone",
                  cfg.timezone, "people", (int)cfg.gov.n_people, "cameras", list);
    if (o->json) {
        print_json(res);
    } else {
        printf("%s: site %s, policy %s, footage kept %d days, time zone %s, %zu people, %zu "
               "cameras: sound\n",
               o->config, cfg.site, mm_policy_name(cfg.policy), cfg.retention_days, cfg.timezone,
               cfg.gov.n_people, cfg.n_cameras);
        for (size_t i = 0; i < cfg.n_cameras; i++) {
            const edge_camera_gov_t *g = &cfg.cameras[i].gov;
            char needed[32];
            if (g->threshold > 0)
                snprintf(needed, sizeof needed, "needed %4.1f%%", g->threshold * 100);
            else
                snprintf(needed, sizeof needed, "no threshold under %s",
                         mm_policy_name(cfg.policy));
            printf("  %-12s public %5.1f%% of the image (%s; masked %4.1f%%, private %4.1f%%)%s\n",
                   cfg.cameras[i].id, g->coverage.public_share * 100, needed,
                   g->coverage.masked_area * 100, g->coverage.private_area * 100,
                   g->exception ? ", 1/2 rule with a written exception" : "");
        }
    }
    json_decref(res);
    edge_config_free(&cfg);
    return EDGE_EXIT_OK;
}

static int cmd_standards(const opts_t *o)
{
    if (o->n_args == 1 && !strcmp(o->args[0], "file"))
        return simple(o, json_pack("{s:s}", "action", "standards_file"), NULL);
    if (o->n_args) {
        help_command(stderr, "standards");
        return EDGE_EXIT_USAGE;
    }
    if (o->config) {
        edge_config_t cfg;
        if (load_config(o, &cfg) != 0)
            return EDGE_EXIT_USAGE;
        char *doc = edge_standards_render(&cfg, NULL, o->html ? EDGE_DOC_HTML : EDGE_DOC_MARKDOWN);
        edge_config_free(&cfg);
        if (!doc)
            return EDGE_EXIT_FAILED;
        fputs(doc, stdout);
        free(doc);
        return EDGE_EXIT_OK;
    }
    json_t *req = json_pack("{s:s}", "action", "standards");
    if (o->html)
        json_object_set_new(req, "html", json_true());
    return simple(o, req, show_document);
}

/* An option by where its value goes in opts_t. */
typedef struct {
    const char *name;
    size_t at;
} option_t;

/* The options that take a text (a const char * each), and the flags (an int each). */
static const option_t text_options[] = {
    {"--socket", offsetof(opts_t, socket)},
    {"--config", offsetof(opts_t, config)},
    {"--from", offsetof(opts_t, from)},
    {"--to", offsetof(opts_t, to)},
    {"--reason", offsetof(opts_t, reason)},
    {"--text", offsetof(opts_t, text)},
    {"--text-file", offsetof(opts_t, text_file)},
    {"--actions", offsetof(opts_t, actions)},
    {"--cameras", offsetof(opts_t, cameras)},
    {"--player", offsetof(opts_t, player)},
    {"--purpose", offsetof(opts_t, purpose)},
    {"--basis", offsetof(opts_t, basis)},
    {"--speed", offsetof(opts_t, speed)},
    {"--note", offsetof(opts_t, note)},
    {"--channel", offsetof(opts_t, channel)},
    {"--at", offsetof(opts_t, at)},
    {"--day", offsetof(opts_t, day)},
};
static const option_t flag_options[] = {
    {"--json", offsetof(opts_t, json)},
    {"--html", offsetof(opts_t, html)},
    {"--all", offsetof(opts_t, all)},
    {"--password-stdin", offsetof(opts_t, password_stdin)},
    {"--new-totp", offsetof(opts_t, new_totp)},
    {"--unlock", offsetof(opts_t, unlock)},
};

/* A whole number from lo to hi as the value of option opt; -1 once the mistake is said. */
static long number_option(const char *opt, const char *val, long lo, long hi, const char *what)
{
    char *end = NULL;
    long v = val ? strtol(val, &end, 10) : 0;
    if (!val || !end || end == val || *end || v < lo || v > hi) {
        fprintf(stderr, "mimamori-edge: %s: %s (%ld to %ld)%s%s%s\n", opt, what, lo, hi,
                val ? ", not \"" : "", val ? val : "", val ? "\"" : "");
        return -1;
    }
    return v;
}

/* One option of the command line at argv[*i] (its value, if any, after it; *i moves past
 * what is read). 0, or the exit status once a mistake is said. */
static int read_option(int argc, char **argv, int *i, opts_t *o)
{
    const char *a = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    for (size_t k = 0; k < sizeof flag_options / sizeof flag_options[0]; k++)
        if (!strcmp(a, flag_options[k].name)) {
            *(int *)((char *)o + flag_options[k].at) = 1;
            return EDGE_EXIT_OK;
        }
    int text = -1;
    for (size_t k = 0; k < sizeof text_options / sizeof text_options[0]; k++)
        if (!strcmp(a, text_options[k].name))
            text = (int)k;
    int cam = !strcmp(a, "--camera"), keep = !strcmp(a, "--keep");
    if (text < 0 && !cam && !keep && strcmp(a, "--expires") && strcmp(a, "--minutes"))
        return -1; /* not an option */
    if (!val) {
        fprintf(stderr, "mimamori-edge: %s needs a value\n", a);
        return EDGE_EXIT_USAGE;
    }
    (*i)++;
    if (text >= 0) {
        *(const char **)((char *)o + text_options[text].at) = val;
    } else if (cam || keep) {
        int *n = cam ? &o->n_camera : &o->n_keep;
        int max = cam ? 16 : 32;
        if (*n == max) {
            fprintf(stderr, "mimamori-edge: %s at most %d times\n", a, max);
            return EDGE_EXIT_USAGE;
        }
        (cam ? o->camera : o->keep)[(*n)++] = val;
    } else {
        int days = !strcmp(a, "--expires");
        long v = number_option(a, val, 1, days ? 3650 : 72 * 60,
                               days ? "a number of days" : "a number of minutes");
        if (v < 0)
            return EDGE_EXIT_USAGE;
        *(days ? &o->expires : &o->minutes) = (int)v;
    }
    return EDGE_EXIT_OK;
}

/* Reads the options and arguments after the command into *o: EDGE_EXIT_OK, OPTIONS_HELP once
 * --help is answered, or the exit status once a mistake is said. */
#define OPTIONS_HELP (-1)
static int read_options(const char *cmd, int argc, char **argv, opts_t *o)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help_command(stdout, cmd);
            return OPTIONS_HELP;
        }
        int rc = read_option(argc, argv, &i, o);
        if (rc >= 0 && rc != EDGE_EXIT_OK)
            return rc;
        if (rc == EDGE_EXIT_OK)
            continue;
        if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "mimamori-edge %s: unknown option %s (see --help)\n", cmd, a);
            return EDGE_EXIT_USAGE;
        }
        if (o->n_args == 4) {
            fprintf(stderr, "mimamori-edge %s: too many arguments\n", cmd);
            return EDGE_EXIT_USAGE;
        }
        o->args[o->n_args++] = a;
    }
    return EDGE_EXIT_OK;
}

int edge_cli_main(int argc, char **argv)
{
    const char *cmd = argv[1];
    opts_t o = {0};
    edge_cli_use_zone(MM_TZ_DEFAULT, 0);
    if (!strcmp(cmd, "help")) {
        help_all(stdout);
        return EDGE_EXIT_OK;
    }
    int rc = read_options(cmd, argc, argv, &o);
    if (rc != EDGE_EXIT_OK)
        return rc == OPTIONS_HELP ? EDGE_EXIT_OK : rc;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(&o);
    help_command(stderr, cmd);
    return EDGE_EXIT_USAGE;
}

/* --- for the commands in files of their own (cli_impl.h) ------------------------------------*/

int edge_cli_simple(const edge_cli_opts_t *o, json_t *req, void (*show)(json_t *))
{
    return simple(o, req, show);
}

int edge_cli_text_option(const edge_cli_opts_t *o, const char *what, char *text, size_t cap)
{
    return text_option(o, what, text, cap);
}

void edge_cli_help(FILE *f, const char *name)
{
    help_command(f, name);
}

const char *edge_cli_str(json_t *o, const char *key)
{
    return str(o, key);
}

json_int_t edge_cli_num(json_t *o, const char *key)
{
    return num(o, key);
}

int edge_cli_first_line(const char *text, size_t max, const char **more)
{
    size_t n = strcspn(text, "\n");
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
            n--;
    }
    *more = text[n] ? "…" : "";
    return (int)n;
}

void edge_cli_format_range(json_t *o, char *buf, size_t cap)
{
    char a[MM_LOCALTIME_MAX], b[MM_LOCALTIME_MAX];
    edge_cli_format_time(num(o, "from_us"), a);
    edge_cli_format_time(num(o, "to_us"), b);
    snprintf(buf, cap, "%s → %s", a, b);
}

int edge_cli_camera_list(const edge_cli_opts_t *o, int one_each, char *list, size_t cap)
{
    size_t at = 0;
    list[0] = 0;
    for (int i = 0; i < o->n_camera; i++) {
        int n = snprintf(list + at, cap - at, "%s%s", i ? "," : "", o->camera[i]);
        if (n < 0 || (size_t)n >= cap - at || (one_each && strchr(o->camera[i], ','))) {
            fprintf(stderr, "mimamori-edge: --camera: %sat most %zu bytes in all\n",
                    one_each ? "one camera each, " : "", cap - 1);
            return -1;
        }
        at += (size_t)n;
    }
    return 0;
}
