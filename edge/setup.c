/*
 * setup.c: `mimamori-edge setup` (see setup.h). Makes the site's key pair (0600, never
 * overwritten) and each camera's login file in the credentials directory, and writes a site
 * configuration that the edge's own loader has accepted.
 */
#include "edge/setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/keys.h"
#include "common/policy.h"
#include "common/setup.h"
#include "edge/siteconf.h"

static void usage(FILE *f)
{
    fputs("usage: mimamori-edge setup [--yes] [--site ID] [--config FILE]\n"
          "         [--credentials DIR|none] [--hub JSON] [--hub-endpoint tcp://HOST:PORT]\n"
          "         [--policy NAME] [--timezone ZONE] [--state-dir DIR]\n"
          "         [--installer-name TEXT] [--installer-contact TEXT] [--purpose TEXT]\n"
          "         [--storage-location TEXT] [--manager-name TEXT] [--manager-account LOGIN]\n"
          "         [--consensus-date YYYY-MM-DD] [--consensus-note TEXT]\n"
          "         [--land-permission TEXT] [--land-permission-date YYYY-MM-DD]\n"
          "         [--camera ID=rtsp://HOST/PATH]... [--camera-login-ID USER:PASSWORD]\n"
          "         [--camera-location-ID TEXT] [--control-socket PATH]\n"
          "\n"
          "Asks what a site's first install needs (what no flag answered; on a terminal, or one\n"
          "answer per line on stdin; --yes takes every default). --hub takes the line\n"
          "`mimamori-hub setup` printed (the hub's name, verifier, curve_public, endpoint).\n"
          "Makes the site's keys and each camera's login file (mode 0600) in the credentials\n"
          "directory (default /etc/mimamori/credentials/edge/ID, which the unit\n"
          "mimamori-edge@ID loads with LoadCredential=; \"none\": beside the configuration),\n"
          "and writes the configuration (default /etc/mimamori/edge/ID.json, mode 0600) once the\n"
          "edge's loader accepts it. Each camera's coverage starts as the whole picture public:\n"
          "draw its real areas before the site records in earnest. Prints the site's public\n"
          "keys, which the hub's `site add` takes.\n",
          f);
}

int edge_setup_check(const char *path)
{
    edge_config_t cfg;
    if (edge_config_load(path, &cfg) != MM_OK)
        return 2;
    mm_keypair_t k = {0};
    char why[400] = "";
    int rc = 0;
    if (mm_keys_load(cfg.key_file, &k, why, sizeof why) != MM_OK) {
        MM_ERROR("%s: key_file: %s", path, why);
        rc = 2;
    } else if (strcmp(k.name, cfg.site) != 0) {
        MM_ERROR("%s: key_file: the key is named \"%s\", the site \"%s\"", path, k.name, cfg.site);
        rc = 2;
    }
    mm_keys_wipe(&k);
    edge_config_free(&cfg);
    return rc;
}

static mm_err_t check(const char *path)
{
    return edge_setup_check(path) == 0 ? MM_OK : MM_ECONFIG;
}

/* A file of the credentials directory, mode 0600, written only when absent. 0 or -1. */
static int write_secret(const char *path, const char *text)
{
    if (access(path, F_OK) == 0)
        return 0;
    mode_t old = umask(0077);
    FILE *f = fopen(path, "w");
    umask(old);
    if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0) {
        fprintf(stderr, "mimamori-edge setup: cannot write %s\n", path);
        return -1;
    }
    return mm_setup_give(path);
}

/* The "hub" object from the line the hub's setup printed (and --hub-endpoint); NULL if bad. */
static json_t *hub_section(mm_setup_t *s)
{
    const char *line = mm_setup_ask(s, "hub",
                                    "The hub's keys (the line `mimamori-hub setup` printed)", NULL);
    json_error_t jerr;
    json_t *h = line ? json_loads(line, 0, &jerr) : NULL;
    const char *v = json_string_value(json_object_get(h, "verifier"));
    const char *c = json_string_value(json_object_get(h, "curve_public"));
    const char *e = json_string_value(json_object_get(h, "endpoint"));
    if (!v || !c) {
        if (line)
            fprintf(stderr, "mimamori-edge setup: --hub: a JSON object with \"verifier\" and "
                            "\"curve_public\" is expected\n");
        json_decref(h);
        return NULL;
    }
    const char *ep = mm_setup_ask(s, "hub-endpoint", "The hub's address as this site reaches it",
                                  e);
    json_t *out = ep ? json_pack("{s:s, s:s, s:s}", "endpoint", ep, "curve_public", c, "verifier",
                                 v)
                     : NULL;
    json_decref(h);
    return out;
}

/* One camera "ID=URL" with its questions; NULL (message printed) when wrong. */
static json_t *camera(mm_setup_t *s, const char *site, const char *spec, const char *creddir,
                      int systemd, const char *purpose, const char *installer, const char *today)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || eq - spec > 63) {
        fprintf(stderr, "mimamori-edge setup: a camera is ID=rtsp://HOST/PATH, got \"%s\"\n",
                spec);
        return NULL;
    }
    char id[64], q[128], key[128], sign[512], ref[160];
    snprintf(id, sizeof id, "%.*s", (int)(eq - spec), spec);
    snprintf(key, sizeof key, "camera-login-%s", id);
    snprintf(q, sizeof q, "%s: USER:PASSWORD (empty: none)", id);
    const char *login = mm_setup_ask(s, key, q, "");
    snprintf(key, sizeof key, "camera-location-%s", id);
    snprintf(q, sizeof q, "%s: where it is and what it looks at", id);
    const char *where = login ? mm_setup_ask(s, key, q, NULL) : NULL;
    if (!where)
        return NULL;
    snprintf(sign, sizeof sign, "防犯カメラ作動中 設置者 %s", installer);
    json_t *cam = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:b, s:s}, s:{s:[{s:s, s:[[i,i],[i,i],[i,i],[i,i]]}]}}",
        "id", id, "url", eq + 1, "location", where, "purpose", purpose, "install_date", today,
        "signage", "text", sign, "installer_shown", 1, "checked", today, "coverage", "areas",
        "kind", "public", "points", 0, 0, 1, 0, 1, 1, 0, 1);
    if (cam && *login) {
        char file[4096];
        snprintf(file, sizeof file, "%.2000s/camera-%s", creddir, id);
        snprintf(ref, sizeof ref, "credential:%s_camera-%s", site, id);
        if (write_secret(file, login) != 0) {
            json_decref(cam);
            return NULL;
        }
        json_object_set_new(cam, "credentials", json_string(systemd ? ref : file));
    }
    return cam;
}

/* The site's governance answers into doc; -1 (message printed) when one is missing. */
static int governance(mm_setup_t *s, json_t *doc, mm_policy_t policy)
{
    const char *in = mm_setup_ask(s, "installer-name", "Installer (the association's name)", NULL);
    const char *ic = in ? mm_setup_ask(s, "installer-contact", "Installer's contact", NULL) : NULL;
    const char *pu = ic ? mm_setup_ask(s, "purpose", "Purpose of the cameras",
                                       "防犯（街頭犯罪の抑止と事後の捜査協力）")
                        : NULL;
    const char *st = pu ? mm_setup_ask(s, "storage-location", "Where the recorder is kept", NULL)
                        : NULL;
    const char *mn = st ? mm_setup_ask(s, "manager-name", "Manager (name)", NULL) : NULL;
    const char *ma =
        mn ? mm_setup_ask(s, "manager-account", "Manager's login account on this machine", NULL)
           : NULL;
    if (!ma)
        return -1;
    json_object_set_new(doc, "installer", json_pack("{s:s, s:s}", "name", in, "contact", ic));
    json_object_set_new(doc, "purpose", json_string(pu));
    json_object_set_new(doc, "storage_location", json_string(st));
    json_object_set_new(doc, "people",
                        json_pack("[{s:s, s:s, s:s}]", "id", "manager", "name", mn, "account", ma));
    json_object_set_new(doc, "manager", json_string("manager"));
    if (!mm_policy_consensus_required(policy))
        return 0;
    const char *cd = mm_setup_ask(s, "consensus-date", "Date of the local consensus", NULL);
    const char *cn = cd ? mm_setup_ask(s, "consensus-note", "How it was reached", "") : NULL;
    const char *lp = cn ? mm_setup_ask(s, "land-permission", "Land owner's permission (reference)",
                                       NULL)
                        : NULL;
    const char *ld = lp ? mm_setup_ask(s, "land-permission-date", "Its date", "") : NULL;
    if (!ld)
        return -1;
    json_t *c = json_pack("{s:s}", "date", cd);
    if (*cn)
        json_object_set_new(c, "note", json_string(cn));
    json_object_set_new(doc, "consensus", c);
    json_t *p = json_pack("{s:s}", "reference", lp);
    if (*ld)
        json_object_set_new(p, "date", json_string(ld));
    json_object_set_new(doc, "land_owner_permission", p);
    return 0;
}

/* Every camera: the --camera flags, else asked until an empty answer. -1 when none or wrong. */
static int cameras(mm_setup_t *s, json_t *doc, const char *site, const char *creddir, int systemd,
                   const char *installer)
{
    char today[16];
    time_t now = time(NULL);
    struct tm tm;
    strftime(today, sizeof today, "%Y-%m-%d", localtime_r(&now, &tm));
    const char *purpose = json_string_value(json_object_get(doc, "purpose"));
    json_t *list = json_array();
    json_object_set_new(doc, "cameras", list);
    const char *spec;
    for (size_t i = 0; (spec = mm_setup_opt_nth(s, "camera", i)) != NULL; i++) {
        json_t *cam = camera(s, site, spec, creddir, systemd, purpose, installer, today);
        if (!cam)
            return -1;
        json_array_append_new(list, cam);
    }
    while (json_array_size(list) == 0 || (!mm_setup_opt(s, "camera") && !s->yes)) {
        const char *a = mm_setup_ask(s, "camera", "Camera ID=rtsp://HOST/PATH (empty when done)",
                                     json_array_size(list) ? "" : NULL);
        if (!a || !*a)
            break;
        json_t *cam = camera(s, site, a, creddir, systemd, purpose, installer, today);
        if (!cam)
            return -1;
        json_array_append_new(list, cam);
    }
    if (json_array_size(list) == 0)
        return -1;
    return 0;
}

/* The site, its keys, and every answer into the document; NULL (message printed) if wrong. */
static json_t *ask_all(mm_setup_t *s, const char *site, const char *creddir, int systemd,
                       mm_keypair_t *k)
{
    json_t *hub = hub_section(s);
    const char *pol = hub ? mm_setup_ask(s, "policy", "Policy", "kawaguchi") : NULL;
    mm_policy_t policy;
    if (pol && !mm_policy_parse(pol, &policy)) {
        fprintf(stderr, "mimamori-edge setup: no such policy \"%s\": %s\n", pol,
                mm_policy_names());
        pol = NULL;
    }
    char sd[256];
    snprintf(sd, sizeof sd, "/var/lib/mimamori/edge/%s", site);
    const char *tz = pol ? mm_setup_ask(s, "timezone", "Time zone", "Asia/Tokyo") : NULL;
    const char *state = tz ? mm_setup_ask(s, "state-dir", "State directory", sd) : NULL;
    if (!state) {
        json_decref(hub);
        return NULL;
    }
    char kf[4096];
    snprintf(kf, sizeof kf, "%.2000s/%s", creddir, systemd ? "curve.key" : "site.key");
    char ref[128];
    snprintf(ref, sizeof ref, "credential:%s_curve.key", site);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "site", site, "key_file", systemd ? ref : kf,
                  "state_dir", state, "policy", pol, "timezone", tz, "hub", hub);
    const char *sock = mm_setup_opt(s, "control-socket");
    if (sock)
        json_object_set_new(doc, "control_socket", json_string(sock));
    if (governance(s, doc, policy) != 0 || mm_setup_mkdirs(creddir, 0700) != 0 ||
        cameras(s, doc, site, creddir, systemd,
                json_string_value(json_object_get(json_object_get(doc, "installer"), "name"))) !=
            0) {
        json_decref(doc);
        return NULL;
    }
    char why[400] = "";
    if (access(kf, F_OK) == 0) {
        if (mm_keys_load(kf, k, why, sizeof why) != MM_OK) {
            fprintf(stderr, "mimamori-edge setup: %s\n", why);
            json_decref(doc);
            return NULL;
        }
        fprintf(stderr, "mimamori-edge setup: keeping the keys in %s\n", kf);
    } else if (mm_keys_generate(site, k) != MM_OK || mm_keys_save(k, kf) != MM_OK ||
               mm_setup_give(kf) != 0) {
        fprintf(stderr, "mimamori-edge setup: cannot make the key file %s\n", kf);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

int edge_setup_main(int argc, char **argv)
{
    mm_setup_t s;
    int begun = mm_setup_begin(&s, argc, argv, "mimamori-edge", usage);
    if (begun >= 0)
        return begun;
    mm_diag_init("edge", MM_DIAG_INFO);
    int rc = 2;
    const char *site = mm_setup_ask(&s, "site", "Site id (A-Z a-z 0-9 . _ -)", NULL);
    if (site && !mm_keys_name_ok(site)) {
        fprintf(stderr, "mimamori-edge setup: a site id is 1-63 of A-Z a-z 0-9 . _ -\n");
        site = NULL;
    }
    char config[4096], confdir[4096], creddir[4096];
    const char *c = mm_setup_opt(&s, "config"), *cred = mm_setup_opt(&s, "credentials");
    if (site) {
        snprintf(config, sizeof config, "%s", c ? c : "");
        if (!c)
            snprintf(config, sizeof config, "/etc/mimamori/edge/%s.json", site);
        snprintf(confdir, sizeof confdir, "%s", config);
        char *slash = strrchr(confdir, '/');
        if (!slash)
            snprintf(confdir, sizeof confdir, ".");
        else
            slash[slash == confdir] = 0;
        snprintf(creddir, sizeof creddir, "%s", cred ? cred : "");
        if (!cred)
            snprintf(creddir, sizeof creddir, "/etc/mimamori/credentials/edge/%s", site);
        else if (!strcmp(cred, "none"))
            snprintf(creddir, sizeof creddir, "%.2000s/%s", confdir, site);
        if (access(config, F_OK) == 0) {
            fprintf(stderr, "mimamori-edge setup: %s exists: not overwritten\n", config);
            site = NULL;
            rc = 1;
        }
    }
    int systemd = !cred || strcmp(cred, "none") != 0;
    mm_keypair_t k = {0};
    json_t *doc = site && mm_setup_mkdirs(confdir, 0750) == 0
                      ? ask_all(&s, site, creddir, systemd, &k)
                      : NULL;
    char staged[64] = "";
    if (doc) {
        rc = 0;
        if (systemd && mm_setup_stage_credentials(site, creddir, staged, sizeof staged) != 0)
            rc = 1;
        if (rc == 0 && mm_setup_write_config(doc, config, check) != 0)
            rc = 1;
        if (staged[0])
            mm_setup_unstage_credentials(staged);
    }
    if (rc == 0) {
        char verifier[MM_VERIFIER_MAX];
        mm_keys_verifier(&k, verifier, sizeof verifier);
        fprintf(stderr, "mimamori-edge setup: wrote %s; the site's public keys for the hub:\n",
                config);
        printf("{\"name\": \"%s\", \"verifier\": \"%s\", \"curve_public\": \"%s\"}\n", k.name,
               verifier, k.curve_public);
    }
    json_decref(doc);
    mm_keys_wipe(&k);
    mm_setup_done(&s);
    return rc;
}
