/*
 * siteconf.h: the site configuration an edge runs from.
 *
 *   {"site": "site-a",
 *    "key_file": "site-a.key",
 *    "state_dir": "state/site-a",
 *    "segment_seconds": 10,
 *    "policy": "kawaguchi", "retention_days": 7, "registered_retention_days": 14,
 *    "min_free_mb": 1024,
 *    "control_socket": "/run/mimamori/site-a.sock",
 *    "filing": "automatic",     or "manual": the manager files each version (R-N4.2)
 *    "timezone": "Asia/Tokyo",  the site's zone (default), an IANA name of the system's tzdata
 *    "night_staff": true,       false: nobody works at the site at night (default true)
 *    "hub": {"endpoint": "tcp://127.0.0.1:7400", "curve_public": "<Z85>",
 *            "verifier": "hub+1a2b3c4d+AQ..."},
 *    "cameras": [{"id": "cam1", "url": "rtsp://127.0.0.1:8554/cam1", "priority": 0, ...}],
 *    "players": {"ffplay": "ffplay -loglevel error -autoexit -"},   see players.h
 *    "console": {"listen": "0.0.0.0:8443",          the site console over HTTPS (console.h)
 *                "cert": "console.crt", "key": "console.key",   both or neither: PEM files;
 *                                      neither: the edge makes one (state_dir/console/)
 *                "http_redirect": "0.0.0.0:8080",   optional: plain HTTP that only redirects
 *                "idle_minutes": 15, "session_hours": 12,   a session's idle, absolute expiry
 *                "max_failures": 5},   failed logins in a row that lock an account
 *    "alerts": {"webhook": "http://127.0.0.1:9000/hook",   optional: where alerts are posted
 *               "camera_down_seconds": 60,   a camera silent this long is down (1..86400)
 *               "hub_down_minutes": 10,      the hub silent this long is down (1..1440)
 *               "deadline_days": 3},         a deadline this near is an alert (0..30; 0: past)
 *    "scrub": {"period_seconds": 3600,       the edge audits itself this often (scrub.h)
 *              "bytes_per_second": 16777216},  reading at most this fast
 *    ...}
 *
 * and the keys of edge/governance.h: installer, purpose, people, manager, operators, and per
 * camera its location, signage and coverage map.
 *
 * Relative paths resolve against the directory of the configuration file. Loading checks every
 * key and reports every problem at once, each naming the file and the key.
 *
 * Retention (R-K2.2.6b, R-N7.5): policy names the rules the site runs under ("kawaguchi",
 * "naha", "city" or "voluntary", common/policy.h). A policy whose text sets the least period
 * (kawaguchi 第2の2(6)イ "おおむね7日間以上", and voluntary by its spirit) makes it the floor and
 * the default of retention_days; one whose text leaves the period to the city's rule (naha
 * 第7条第5号, city 第9条) has no floor here, and retention_days (or registered_retention_days)
 * must be given: the edge holds it to the city's rule once the hub has sent it (cityrule.h).
 * retention_days may not be above the period the site registered with the city
 * (registered_retention_days, default retention_days). None of these bounds can be configured
 * away: a configuration outside them does not load.
 *
 * timezone: every time the site shows a person or takes from one (mimamori-edge's commands, the
 * dates of the standards document) is in this zone, whatever the machine's zone or TZ says; it is
 * reported to the city in site_facts. A name the system's time zone database does not hold is a
 * configuration error (common/timefmt.h mm_tz_check).
 *
 * night_staff: false says that nobody works at the site at night, so that nobody has reason to
 * look at its footage then; it is reported to the city in site_facts (no_night_staff), and the
 * hub raises a finding for a viewing in the night hours of the site's zone (hub/watch.h,
 * R-K2.2.3-4, R-N7.2). The edge itself refuses nothing for it. Must be true or false.
 *
 * clock: {"jump_seconds": 2} (1 to 3600): a step of the wall clock further than this from the
 * monotonic clock is a jump — logged once as clock_jumped, the segments in progress cut at it
 * (ingest.h, common/clock.h).
 *
 * min_free_mb: below this much free space in the state directory the edge raises a storage
 * alarm and stops its lowest-priority camera (the lowest "priority", then the last listed);
 * cameras resume once twice as much is free.
 */
#ifndef EDGE_SITECONF_H
#define EDGE_SITECONF_H

#include <stddef.h>

#include "common/config.h"
#include "common/entry.h"
#include "common/err.h"
#include "common/keys.h"
#include "common/note.h"
#include "common/timefmt.h"
#include "edge/governance.h"
#include "edge/players.h"
#include "edge/webhook.h"

#define EDGE_MAX_CAMERAS 256

/* Which RTSP client reads a camera: ours (edge/rtsp.h, the default for rtsp:// URLs) or
 * libavformat (the fallback; the only one for rtsps:// URLs). Key "rtsp_client". */
typedef enum { EDGE_RTSP_CLIENT_OWN, EDGE_RTSP_CLIENT_LIBAV } edge_rtsp_client_t;

typedef struct {
    char id[MM_ID_MAX];
    char *url;
    edge_rtsp_client_t rtsp_client;
    int priority;          /* higher keeps recording longer when the disk is full */
    edge_camera_gov_t gov; /* location, purpose, signage, coverage (governance.h) */
} edge_config_camera_t;

/* An address to listen on: "host:port" (an IPv4 address) or "[v6]:port"; port 0 any free one. */
#define EDGE_HOST_MAX 48
typedef struct {
    char host[EDGE_HOST_MAX];
    int port;
} edge_listen_t;

/* The site console (console.h); enabled 0 when the configuration has no "console". */
typedef struct {
    int enabled;
    edge_listen_t listen;
    int redirect; /* "http_redirect" given */
    edge_listen_t http_redirect;
    char *cert, *key; /* resolved, or both NULL: the edge's own certificate */
    int idle_minutes, session_hours, max_failures;
} edge_console_conf_t;

/* What alerts.h raises and where it posts them; the defaults when the configuration has no
 * "alerts". */
typedef struct {
    int has_webhook;
    edge_webhook_url_t webhook;
    int camera_down_seconds, hub_down_minutes, deadline_days;
} edge_alerts_conf_t;

/* "scrub" (scrub.h): a full audit of the log and the footage every period_seconds (1 to 7 days,
 * default 3600), reading at most bytes_per_second (at least 4096, default 16 MiB) so that it never
 * competes with recording. */
#define EDGE_SCRUB_PERIOD_DEFAULT 3600
#define EDGE_SCRUB_BPS_DEFAULT (16LL * 1024 * 1024)
typedef struct {
    int period_seconds;
    int64_t bytes_per_second;
} edge_scrub_conf_t;

/* Parses "host:port" or "[v6]:port" into out: 0, or -1 (why says what is wrong, cap bytes). */
int edge_listen_parse(const char *text, edge_listen_t *out, char *why, size_t cap);

typedef struct {
    char site[MM_KEY_NAME_MAX];
    char *key_file;       /* resolved */
    char *state_dir;      /* resolved */
    char *control_socket; /* resolved; default /run/mimamori/<site>.sock (control.h) */
    int filing_manual;    /* "filing": "manual" — the manager files each standards version */
    char timezone[MM_TZ_NAME_MAX]; /* the site's zone, "Asia/Tokyo" unless configured */
    int no_night_staff;            /* "night_staff": false — nobody works at the site at night */
    int segment_seconds;  /* target segment length */
    int clock_jump_seconds; /* "clock": {"jump_seconds"}: a step beyond it is a jump (ingest.h) */
    mm_policy_t policy;
    int retention_days;
    int registered_retention_days;
    int64_t min_free_mb;
    char *hub_endpoint;
    char hub_curve_public[MM_Z85_KEY_LEN + 1];
    mm_note_verifier_t hub_verifier;
    edge_governance_t gov; /* installer, people and roles (governance.h) */
    edge_players_t players; /* the players the edge may start (players.h) */
    size_t n_cameras;
    edge_config_camera_t cameras[EDGE_MAX_CAMERAS];
    edge_console_conf_t console;
    edge_alerts_conf_t alerts;
    edge_scrub_conf_t scrub;
} edge_config_t;

/*
 * Reads the configuration out of conf (already loaded, see common/config.h), recording every
 * problem in conf. Returns MM_ECONFIG when conf has problems afterwards.
 */
mm_err_t edge_config_parse(mm_conf_t *conf, edge_config_t *out);

/* Loads path and parses it; on MM_ECONFIG every problem has been written to the log. */
mm_err_t edge_config_load(const char *path, edge_config_t *out);
void edge_config_free(edge_config_t *cfg);

#endif
