/*
 * siteconf.c: loading and checking the edge's site configuration (see siteconf.h).
 */
#include "edge/siteconf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/policy.h"
#include "common/redact.h"
#include "common/wire.h"

/*
 * policy and retention. A policy whose text sets a least period (kawaguchi, voluntary: 7 days)
 * makes it the default and the floor; one whose text leaves the period to the city's rule (naha,
 * city) has no floor here and no default: the site says the period it registered, and the edge
 * holds it to the city's rule once the hub has sent it (edge/cityrule.h).
 */
static void parse_retention(mm_conf_t *conf, json_t *root, edge_config_t *out)
{
    const char *pol = mm_conf_string(conf, root, "", "policy", 1, NULL);
    int known = pol && mm_policy_parse(pol, &out->policy);
    if (pol && !known)
        mm_conf_problem(conf, "policy", "must be %s, got \"%.40s\"", mm_policy_names(), pol);
    const mm_policy_rules_t *rules = known ? mm_policy_rules(out->policy) : NULL;
    int floor = rules ? mm_policy_floor_days(out->policy) : 0;
    int64_t reg_given =
        mm_conf_int(conf, root, "", "registered_retention_days", 0, 0, 1, MM_RETENTION_DAYS_MAX);
    if (rules && !floor && !json_object_get(root, "retention_days") && !reg_given &&
        !json_object_get(root, "registered_retention_days"))
        mm_conf_problem(conf, "retention_days",
                        "the %s policy leaves the retention period to the city's rule (%s %s): set "
                        "retention_days to the period registered with the city",
                        mm_policy_name(out->policy), rules->text, rules->retention_clause);
    int64_t def = floor ? floor : reg_given ? reg_given : 1;
    int64_t days = mm_conf_int(conf, root, "", "retention_days", 0, def, 1, MM_RETENTION_DAYS_MAX);
    int64_t reg = reg_given ? reg_given : days;
    if (floor && days < floor)
        mm_conf_problem(conf, "retention_days",
                        "the %s policy keeps footage at least %d days (%s %s); %lld is below that "
                        "floor",
                        mm_policy_name(out->policy), floor, rules->text, rules->retention_clause,
                        (long long)days);
    if (days > reg)
        mm_conf_problem(conf, "retention_days",
                        "%lld days is longer than the period registered with the city "
                        "(registered_retention_days = %lld)",
                        (long long)days, (long long)reg);
    out->retention_days = (int)days;
    out->registered_retention_days = (int)reg;
    out->min_free_mb = mm_conf_int(conf, root, "", "min_free_mb", 0, 1024, 1, 1 << 20);
}

static void parse_hub(mm_conf_t *conf, json_t *root, edge_config_t *out)
{
    static const char *const keys[] = {"endpoint", "curve_public", "verifier", NULL};
    json_t *hub = mm_conf_object(conf, root, "", "hub", 1);
    if (!hub)
        return;
    mm_conf_check_keys(conf, hub, "hub", keys);

    const char *ep = mm_conf_string(conf, hub, "hub", "endpoint", 1, NULL);
    if (ep) {
        if (strncmp(ep, "tcp://", 6) != 0 && strncmp(ep, "ipc://", 6) != 0)
            mm_conf_problem(conf, "hub.endpoint", "must start with tcp:// or ipc://, got \"%s\"",
                            ep);
        else
            out->hub_endpoint = strdup(ep);
    }

    const char *cp = mm_conf_string(conf, hub, "hub", "curve_public", 1, NULL);
    if (cp) {
        if (mm_keys_z85_decode(cp, NULL) != MM_OK)
            mm_conf_problem(conf, "hub.curve_public", "must be a %d-character Z85 CURVE public key",
                            MM_Z85_KEY_LEN);
        else
            memcpy(out->hub_curve_public, cp, MM_Z85_KEY_LEN + 1);
    }

    const char *v = mm_conf_string(conf, hub, "hub", "verifier", 1, NULL);
    if (v && mm_note_verifier_parse(v, &out->hub_verifier) != MM_OK)
        mm_conf_problem(conf, "hub.verifier",
                        "not a signed-note verifier key (name+keyid+base64): \"%.80s\"", v);
    else if (v && out->hub_verifier.alg != MM_NOTE_ALG_ED25519)
        mm_conf_problem(conf, "hub.verifier", "must be an Ed25519 key (algorithm 1)");
}

/*
 * A camera's "credentials": a file (a path, or "credential:NAME" that the unit loads with
 * LoadCredential=) holding "USER:PASSWORD" on one line, put into the URL's authority so that the
 * configuration itself holds no password. Returns the malloc'd URL, or NULL with a problem.
 */
static char *camera_credentials(mm_conf_t *conf, const char *kp, const char *url, const char *cred)
{
    const char *rest = strstr(url, "://");
    if (!rest || strchr(rest + 3, '@')) {
        mm_conf_problem(conf, kp, "the URL has a user already: give it in one place only");
        return NULL;
    }
    char *file = mm_conf_resolve(conf, cred);
    FILE *f = file ? fopen(file, "r") : NULL;
    char line[512] = "";
    int ok = f && fgets(line, sizeof line, f);
    if (f)
        fclose(f);
    line[strcspn(line, "\r\n")] = 0;
    char *out = NULL;
    if (!f)
        mm_conf_problem(conf, kp, "cannot read %s: %m", file ? file : cred);
    else if (!ok || !strchr(line, ':') || strpbrk(line, "@/ "))
        mm_conf_problem(conf, kp, "%s must hold one line USER:PASSWORD (no @, / or space)", file);
    else if (asprintf(&out, "%.*s%s@%s", (int)(rest + 3 - url), url, line, rest + 3) < 0)
        out = NULL;
    explicit_bzero(line, sizeof line);
    free(file);
    return out;
}

/* The camera's "rtsp_client": "own" (the default for rtsp://) or "libav" (the default, and the
 * only client, for rtsps://). */
static edge_rtsp_client_t rtsp_client(mm_conf_t *conf, json_t *cam, const char *path,
                                      const char *url)
{
    int tls = url && strncmp(url, "rtsps://", 8) == 0;
    const char *v = mm_conf_string(conf, cam, path, "rtsp_client", 0, NULL);
    char kp[96];
    if (!v)
        return tls ? EDGE_RTSP_CLIENT_LIBAV : EDGE_RTSP_CLIENT_OWN;
    if (strcmp(v, "libav") == 0)
        return EDGE_RTSP_CLIENT_LIBAV;
    if (strcmp(v, "own") != 0)
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "rtsp_client"),
                        "must be \"own\" (our RTSP client) or \"libav\" (libavformat's), got "
                        "\"%.40s\"",
                        v);
    else if (tls)
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "rtsp_client"),
                        "our RTSP client does not speak rtsps://: leave it out or give \"libav\"");
    return EDGE_RTSP_CLIENT_OWN;
}

static void parse_cameras(mm_conf_t *conf, json_t *root, edge_config_t *out)
{
    static const char *const own[] = {"id", "url", "priority", "credentials", "rtsp_client", NULL};
    const char *keys[16];
    size_t nk = 0;
    for (size_t k = 0; own[k]; k++)
        keys[nk++] = own[k];
    for (size_t k = 0; edge_camera_gov_keys[k] && nk + 1 < sizeof keys / sizeof *keys; k++)
        keys[nk++] = edge_camera_gov_keys[k];
    keys[nk] = NULL;
    json_t *cams = mm_conf_array(conf, root, "", "cameras", 1);
    if (!cams)
        return;
    if (json_array_size(cams) > EDGE_MAX_CAMERAS) {
        mm_conf_problem(conf, "cameras", "at most %d cameras per edge, got %zu", EDGE_MAX_CAMERAS,
                        json_array_size(cams));
        return;
    }
    size_t i;
    json_t *cam;
    json_array_foreach(cams, i, cam)
    {
        char path[64];
        mm_conf_index(path, sizeof path, "cameras", i);
        if (!json_is_object(cam)) {
            mm_conf_problem(conf, path, "must be an object");
            continue;
        }
        mm_conf_check_keys(conf, cam, path, keys);
        edge_config_camera_t *c = &out->cameras[out->n_cameras];
        const char *id = mm_conf_string(conf, cam, path, "id", 1, NULL);
        const char *url = mm_conf_string(conf, cam, path, "url", 1, NULL);
        char kp[96];
        if (id && !mm_id_ok(id)) {
            mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "id"),
                            "must be 1-63 characters of A-Z a-z 0-9 . _ -, got \"%.80s\"", id);
            id = NULL;
        }
        if (id) {
            /* Compare with every earlier camera, including ones with other mistakes. */
            for (size_t j = 0; j < i; j++) {
                const char *other =
                    json_string_value(json_object_get(json_array_get(cams, j), "id"));
                if (other && strcmp(other, id) == 0) {
                    mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "id"),
                                    "duplicate camera id \"%s\" (also cameras[%zu])", id, j);
                    id = NULL;
                    break;
                }
            }
        }
        if (url && strncmp(url, "rtsp://", 7) != 0 && strncmp(url, "rtsps://", 8) != 0) {
            char shown[MM_REDACT_MAX];
            mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "url"),
                            "must be an rtsp:// or rtsps:// URL, got \"%.80s\"",
                            mm_redact(url, shown, sizeof shown));
            url = NULL;
        }
        char *with_cred = NULL;
        const char *cred = mm_conf_string(conf, cam, path, "credentials", 0, NULL);
        if (url && cred)
            url = with_cred = camera_credentials(
                conf, mm_conf_key(kp, sizeof kp, path, "credentials"), url, cred);
        int prio = (int)mm_conf_int(conf, cam, path, "priority", 0, 0, -1000, 1000);
        edge_rtsp_client_t client = rtsp_client(conf, cam, path, url);
        edge_camera_gov_t gov;
        edge_camera_gov_parse(conf, cam, path, out->policy, &gov);
        if (id && url) {
            c->priority = prio;
            c->rtsp_client = client;
            snprintf(c->id, sizeof c->id, "%s", id);
            c->url = strdup(url);
            c->gov = gov;
            out->n_cameras++;
        } else {
            edge_camera_gov_free(&gov);
        }
        if (with_cred) {
            explicit_bzero(with_cred, strlen(with_cred));
            free(with_cred);
        }
    }
    if (json_array_size(cams) == 0)
        mm_conf_problem(conf, "cameras", "an edge needs at least one camera");
}

int edge_listen_parse(const char *text, edge_listen_t *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    const char *colon = strrchr(text, ':'), *host = text;
    size_t hl = colon ? (size_t)(colon - text) : 0;
    if (hl >= 2 && text[0] == '[' && text[hl - 1] == ']') {
        host++;
        hl -= 2;
    }
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || !colon[1] || *end || port < 0 || port > 65535) {
        snprintf(why, cap, "must be \"host:port\" (port 0 to 65535), got \"%.80s\"", text);
        return -1;
    }
    unsigned char buf[sizeof(struct in6_addr)];
    if (hl == 0 || hl >= sizeof out->host) {
        snprintf(why, cap, "needs an IP address before the port, got \"%.80s\"", text);
        return -1;
    }
    memcpy(out->host, host, hl);
    out->host[hl] = 0;
    int v6 = host != text;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, out->host, buf) != 1) {
        snprintf(why, cap, "\"%s\" is not an IPv%d address%s", out->host, v6 ? 6 : 4,
                 v6 ? "" : " (write an IPv6 one as [addr]:port)");
        return -1;
    }
    out->port = (int)port;
    return 0;
}

/* One address key of "console" into out; 1 when given and good. */
static int parse_listen(mm_conf_t *conf, json_t *obj, const char *key, int required,
                        edge_listen_t *out)
{
    char kp[64], why[160];
    const char *text = mm_conf_string(conf, obj, "console", key, required, NULL);
    if (!text)
        return 0;
    if (edge_listen_parse(text, out, why, sizeof why) != 0) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, "console", key), "%s", why);
        return 0;
    }
    return 1;
}

static void parse_console(mm_conf_t *conf, json_t *root, edge_config_t *out)
{
    static const char *const keys[] = {
        "listen",       "cert",          "key",          "http_redirect",
        "idle_minutes", "session_hours", "max_failures", NULL};
    edge_console_conf_t *c = &out->console;
    json_t *obj = mm_conf_object(conf, root, "", "console", 0);
    if (!obj)
        return;
    mm_conf_check_keys(conf, obj, "console", keys);
    c->enabled = parse_listen(conf, obj, "listen", 1, &c->listen);
    c->redirect = parse_listen(conf, obj, "http_redirect", 0, &c->http_redirect);
    const char *cert = mm_conf_string(conf, obj, "console", "cert", 0, NULL);
    const char *key = mm_conf_string(conf, obj, "console", "key", 0, NULL);
    if (!cert != !key)
        mm_conf_problem(conf, cert ? "console.key" : "console.cert",
                        "\"cert\" and \"key\" go together: give both PEM files, or neither for "
                        "a certificate the edge makes itself");
    else if (cert) {
        c->cert = mm_conf_resolve(conf, cert);
        c->key = mm_conf_resolve(conf, key);
    }
    c->idle_minutes = (int)mm_conf_int(conf, obj, "console", "idle_minutes", 0, 15, 1, 24 * 60);
    c->session_hours = (int)mm_conf_int(conf, obj, "console", "session_hours", 0, 12, 1, 7 * 24);
    c->max_failures = (int)mm_conf_int(conf, obj, "console", "max_failures", 0, 5, 1, 100);
    if (c->enabled && c->redirect && !strcmp(c->listen.host, c->http_redirect.host) &&
        c->listen.port && c->listen.port == c->http_redirect.port)
        mm_conf_problem(conf, "console.http_redirect", "must be another port than \"listen\"");
}

/* "clock": {"jump_seconds": 2} — a step of the wall clock beyond it is a jump (ingest.h). */
static void parse_clock(mm_conf_t *conf, json_t *root, edge_config_t *out)
{
    static const char *const keys[] = {"jump_seconds", NULL};
    json_t *obj = mm_conf_object(conf, root, "", "clock", 0);
    out->clock_jump_seconds = MM_CLOCK_JUMP_US / 1000000;
    if (!obj)
        return;
    mm_conf_check_keys(conf, obj, "clock", keys);
    out->clock_jump_seconds = (int)mm_conf_int(conf, obj, "clock", "jump_seconds", 0,
                                               MM_CLOCK_JUMP_US / 1000000, 1, 3600);
}

/* "alerts" (alerts.h): the webhook and the thresholds, each checked naming its key. */
static void parse_alerts(mm_conf_t *conf, json_t *root, edge_config_t *out)
{
    static const char *const keys[] = {"webhook", "camera_down_seconds", "hub_down_minutes",
                                       "deadline_days", NULL};
    edge_alerts_conf_t *a = &out->alerts;
    json_t *obj = mm_conf_object(conf, root, "", "alerts", 0);
    a->camera_down_seconds = 60;
    a->hub_down_minutes = 10;
    a->deadline_days = 3;
    if (!obj)
        return;
    mm_conf_check_keys(conf, obj, "alerts", keys);
    const char *url = mm_conf_string(conf, obj, "alerts", "webhook", 0, NULL);
    char why[200];
    if (url && edge_webhook_url_parse(url, &a->webhook, why, sizeof why) != 0)
        mm_conf_problem(conf, "alerts.webhook", "%s", why);
    else if (url)
        a->has_webhook = 1;
    a->camera_down_seconds =
        (int)mm_conf_int(conf, obj, "alerts", "camera_down_seconds", 0, 60, 1, 86400);
    a->hub_down_minutes = (int)mm_conf_int(conf, obj, "alerts", "hub_down_minutes", 0, 10, 1, 1440);
    a->deadline_days = (int)mm_conf_int(conf, obj, "alerts", "deadline_days", 0, 3, 0, 30);
}

/* "scrub" (scrub.h): how often the edge audits its log and footage, and how fast it reads. */
static void parse_scrub(mm_conf_t *conf, json_t *root, edge_config_t *out)
{
    static const char *const keys[] = {"period_seconds", "bytes_per_second", NULL};
    edge_scrub_conf_t *s = &out->scrub;
    json_t *obj = mm_conf_object(conf, root, "", "scrub", 0);
    s->period_seconds = EDGE_SCRUB_PERIOD_DEFAULT;
    s->bytes_per_second = EDGE_SCRUB_BPS_DEFAULT;
    if (!obj)
        return;
    mm_conf_check_keys(conf, obj, "scrub", keys);
    s->period_seconds = (int)mm_conf_int(conf, obj, "scrub", "period_seconds", 0,
                                         EDGE_SCRUB_PERIOD_DEFAULT, 1, 7 * 86400);
    s->bytes_per_second = mm_conf_int(conf, obj, "scrub", "bytes_per_second", 0,
                                      EDGE_SCRUB_BPS_DEFAULT, 4096, 1LL << 40);
}

mm_err_t edge_config_parse(mm_conf_t *conf, edge_config_t *out)
{
    static const char *const own[] = {"site",
                                      "key_file",
                                      "state_dir",
                                      "segment_seconds",
                                      "policy",
                                      "retention_days",
                                      "registered_retention_days",
                                      "min_free_mb",
                                      "hub",
                                      "cameras",
                                      "control_socket",
                                      "filing",
                                      "timezone",
                                      "night_staff",
                                      "players",
                                      "console",
                                      "alerts",
                                      "scrub",
                                      "clock",
                                      NULL};
    const char *keys[32];
    size_t nk = 0;
    for (size_t k = 0; own[k]; k++)
        keys[nk++] = own[k];
    for (size_t k = 0; edge_governance_keys[k] && nk + 1 < sizeof keys / sizeof *keys; k++)
        keys[nk++] = edge_governance_keys[k];
    keys[nk] = NULL;
    memset(out, 0, sizeof *out);
    out->gov.manager = -1;
    json_t *root = mm_conf_root(conf);
    if (!root)
        return MM_ECONFIG;
    mm_conf_check_keys(conf, root, "", keys);

    const char *site = mm_conf_string(conf, root, "", "site", 1, NULL);
    if (site) {
        if (!mm_keys_name_ok(site))
            mm_conf_problem(conf, "site",
                            "must be 1-63 characters of A-Z a-z 0-9 . _ -, got \"%.80s\"", site);
        else
            snprintf(out->site, sizeof out->site, "%s", site);
    }
    const char *kf = mm_conf_string(conf, root, "", "key_file", 1, NULL);
    if (kf)
        out->key_file = mm_conf_resolve(conf, kf);
    const char *sd = mm_conf_string(conf, root, "", "state_dir", 1, NULL);
    if (sd)
        out->state_dir = mm_conf_resolve(conf, sd);
    const char *cs = mm_conf_string(conf, root, "", "control_socket", 0, NULL);
    if (cs) {
        out->control_socket = mm_conf_resolve(conf, cs);
    } else if (out->site[0]) {
        char def[sizeof out->site + 32];
        snprintf(def, sizeof def, "/run/mimamori/%s.sock", out->site);
        out->control_socket = strdup(def);
    }
    if (out->control_socket && strlen(out->control_socket) >= 108)
        mm_conf_problem(conf, "control_socket",
                        "a Unix socket path has at most 107 bytes, this one has %zu",
                        strlen(out->control_socket));
    const char *filing = mm_conf_string(conf, root, "", "filing", 0, "automatic");
    if (filing && !strcmp(filing, "manual"))
        out->filing_manual = 1;
    else if (filing && strcmp(filing, "automatic") != 0)
        mm_conf_problem(conf, "filing", "must be \"automatic\" or \"manual\", got \"%.40s\"",
                        filing);
    const char *tz = mm_conf_string(conf, root, "", "timezone", 0, MM_TZ_DEFAULT);
    char why[160];
    if (tz && mm_tz_check(tz, why, sizeof why) != 0)
        mm_conf_problem(conf, "timezone", "%s", why);
    else if (tz)
        snprintf(out->timezone, sizeof out->timezone, "%s", tz);
    /* A value that is no boolean is reported naming the key ("night_staff: must be true or
     * false"), and the default stands. */
    out->no_night_staff = !mm_conf_bool(conf, root, "", "night_staff", 0, 1);
    out->segment_seconds = (int)mm_conf_int(conf, root, "", "segment_seconds", 0, 10, 1, 600);
    parse_retention(conf, root, out);
    parse_hub(conf, root, out);
    edge_governance_parse(conf, root, out->policy, &out->gov);
    parse_cameras(conf, root, out);
    edge_players_parse(conf, root, &out->players);
    parse_console(conf, root, out);
    parse_alerts(conf, root, out);
    parse_scrub(conf, root, out);
    parse_clock(conf, root, out);
    return mm_conf_failed(conf) ? MM_ECONFIG : MM_OK;
}

mm_err_t edge_config_load(const char *path, edge_config_t *out)
{
    mm_conf_t *conf = NULL;
    mm_err_t err = mm_conf_load(path, &conf);
    if (err == MM_ENOMEM)
        return err;
    if (err == MM_OK)
        err = edge_config_parse(conf, out);
    else
        memset(out, 0, sizeof *out);
    if (err != MM_OK) {
        mm_conf_report(conf);
        MM_ERROR("%zu problem(s) in %s", mm_conf_problem_count(conf), path);
        edge_config_free(out);
    }
    mm_conf_destroy(conf);
    return err;
}

void edge_config_free(edge_config_t *cfg)
{
    free(cfg->key_file);
    free(cfg->state_dir);
    free(cfg->control_socket);
    free(cfg->hub_endpoint);
    free(cfg->console.cert);
    free(cfg->console.key);
    for (size_t i = 0; i < cfg->n_cameras; i++) {
        free(cfg->cameras[i].url);
        edge_camera_gov_free(&cfg->cameras[i].gov);
    }
    edge_governance_free(&cfg->gov);
    memset(cfg, 0, sizeof *cfg);
}
