/*
 * hubconf.c: loading and checking the hub's configuration (see hubconf.h).
 */
#include "hubconf.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

/*
 * Every site id and CURVE key seen so far, valid site or not, so that a duplicate is reported
 * whatever else is wrong with either site.
 */
typedef struct {
    size_t n_ids, n_keys;
    const char **ids;
    const char **id_paths;
    uint8_t (*keys)[32];
    char (*key_paths)[32];
} seen_t;

static void parse_site(mm_conf_t *conf, json_t *s, const char *path, hub_config_t *out,
                       seen_t *seen)
{
    static const char *const keys[] = {"id", "verifier", "curve_public", NULL};
    if (!json_is_object(s)) {
        mm_conf_problem(conf, path, "must be an object");
        return;
    }
    mm_conf_check_keys(conf, s, path, keys);
    char kp[128];
    hub_site_conf_t site;
    memset(&site, 0, sizeof site);
    int ok = 1;

    const char *id = mm_conf_string(conf, s, path, "id", 1, NULL);
    if (id) {
        for (size_t i = 0; i < seen->n_ids; i++)
            if (strcmp(seen->ids[i], id) == 0) {
                mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "id"),
                                "duplicate site id \"%.80s\" (also %s)", id, seen->id_paths[i]);
                ok = 0;
                break;
            }
        seen->ids[seen->n_ids] = id;
        seen->id_paths[seen->n_ids++] = path;
    }
    if (!id) {
        ok = 0;
    } else if (!mm_keys_name_ok(id)) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "id"),
                        "must be 1-63 characters of A-Z a-z 0-9 . _ -, got \"%.80s\"", id);
        ok = 0;
    } else {
        snprintf(site.id, sizeof site.id, "%s", id);
    }

    const char *v = mm_conf_string(conf, s, path, "verifier", 1, NULL);
    if (!v) {
        ok = 0;
    } else if (mm_note_verifier_parse(v, &site.verifier) != MM_OK ||
               site.verifier.alg != MM_NOTE_ALG_ED25519) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "verifier"),
                        "not an Ed25519 signed-note verifier key (name+keyid+base64): "
                        "\"%.80s\"",
                        v);
        ok = 0;
    } else if (id && strcmp(site.verifier.name, id) != 0) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "verifier"),
                        "the key is named \"%s\" but the site is \"%s\"", site.verifier.name,
                        id);
        ok = 0;
    }

    const char *cp = mm_conf_string(conf, s, path, "curve_public", 1, NULL);
    if (!cp) {
        ok = 0;
    } else if (strlen(cp) != MM_Z85_KEY_LEN || mm_keys_z85_decode(cp, site.curve_raw) != MM_OK) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "curve_public"),
                        "must be a %d-character Z85 CURVE public key, got %zu characters",
                        MM_Z85_KEY_LEN, strlen(cp));
        ok = 0;
    } else {
        for (size_t i = 0; i < seen->n_keys; i++)
            if (memcmp(seen->keys[i], site.curve_raw, 32) == 0) {
                mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "curve_public"),
                                "the same CURVE key as %s", seen->key_paths[i]);
                ok = 0;
                break;
            }
        memcpy(seen->keys[seen->n_keys], site.curve_raw, 32);
        snprintf(seen->key_paths[seen->n_keys++], sizeof seen->key_paths[0], "%s", path);
        memcpy(site.curve_public, cp, MM_Z85_KEY_LEN + 1);
    }
    if (ok)
        out->sites[out->n_sites++] = site;
}

mm_err_t hub_config_parse(mm_conf_t *conf, hub_config_t *out)
{
    static const char *const keys[] = {"name", "key_file", "state_dir", "listen",
                                       "http", "sites",    "silent_after_minutes", NULL};
    static const char *const http_keys[] = {"host", "port", NULL};
    memset(out, 0, sizeof *out);
    json_t *root = mm_conf_root(conf);
    if (!root)
        return MM_ECONFIG;
    mm_conf_check_keys(conf, root, "", keys);

    const char *name = mm_conf_string(conf, root, "", "name", 1, NULL);
    if (name && !mm_keys_name_ok(name))
        mm_conf_problem(conf, "name", "must be 1-63 characters of A-Z a-z 0-9 . _ -");
    else if (name)
        snprintf(out->name, sizeof out->name, "%s", name);
    const char *kf = mm_conf_string(conf, root, "", "key_file", 1, NULL);
    if (kf)
        out->key_file = mm_conf_resolve(conf, kf);
    if (out->key_file) {
        /* The key file is part of the configuration: its problems are reported with the rest. */
        mm_keypair_t k = {0};
        char why[400] = "";
        if (mm_keys_load(out->key_file, &k, why, sizeof why) != MM_OK) {
            mm_conf_problem(conf, "key_file", "%s", why);
        } else if (out->name[0] && strcmp(k.name, out->name) != 0) {
            mm_conf_problem(conf, "key_file", "the key in %s is named \"%s\", but name is \"%s\"",
                            out->key_file, k.name, out->name);
        }
        mm_keys_wipe(&k);
    }
    const char *sd = mm_conf_string(conf, root, "", "state_dir", 1, NULL);
    if (sd)
        out->state_dir = mm_conf_resolve(conf, sd);
    const char *listen = mm_conf_string(conf, root, "", "listen", 1, NULL);
    if (listen && strncmp(listen, "tcp://", 6) != 0 && strncmp(listen, "ipc://", 6) != 0)
        mm_conf_problem(conf, "listen", "must start with tcp:// or ipc://, got \"%.80s\"",
                        listen);
    else if (listen)
        out->listen = strdup(listen);

    json_t *http = mm_conf_object(conf, root, "", "http", 1);
    if (http) {
        mm_conf_check_keys(conf, http, "http", http_keys);
        const char *host = mm_conf_string(conf, http, "http", "host", 0, "127.0.0.1");
        out->http_host = strdup(host);
        out->http_port = (int)mm_conf_int(conf, http, "http", "port", 1, 0, 0, 65535);
    }
    out->silent_after_minutes =
        (int)mm_conf_int(conf, root, "", "silent_after_minutes", 0, 60, 1, 7 * 24 * 60);

    json_t *sites = mm_conf_array(conf, root, "", "sites", 1);
    if (sites) {
        size_t n = json_array_size(sites);
        if (n > HUB_MAX_SITES) {
            mm_conf_problem(conf, "sites", "at most %d sites, got %zu", HUB_MAX_SITES, n);
        } else {
            size_t cap = n ? n : 1;
            seen_t seen = {0};
            char(*paths)[32] = calloc(cap, sizeof *paths);
            seen.ids = calloc(cap, sizeof *seen.ids);
            seen.id_paths = calloc(cap, sizeof *seen.id_paths);
            seen.keys = calloc(cap, sizeof *seen.keys);
            seen.key_paths = calloc(cap, sizeof *seen.key_paths);
            out->sites = calloc(cap, sizeof *out->sites);
            mm_err_t err = MM_OK;
            if (!paths || !seen.ids || !seen.id_paths || !seen.keys || !seen.key_paths ||
                !out->sites) {
                err = MM_ENOMEM;
            } else {
                size_t i;
                json_t *s;
                json_array_foreach(sites, i, s) {
                    parse_site(conf, s, mm_conf_index(paths[i], sizeof paths[i], "sites", i), out,
                               &seen);
                }
            }
            /* Problems are recorded as they are found, so the paths need not outlive this. */
            free(paths);
            free(seen.ids);
            free(seen.id_paths);
            free(seen.keys);
            free(seen.key_paths);
            if (err != MM_OK)
                return err;
        }
    }
    return mm_conf_failed(conf) ? MM_ECONFIG : MM_OK;
}

mm_err_t hub_config_load(const char *path, hub_config_t *out)
{
    mm_conf_t *conf = NULL;
    mm_err_t err = mm_conf_load(path, &conf);
    if (err == MM_ENOMEM)
        return err;
    if (err == MM_OK)
        err = hub_config_parse(conf, out);
    else
        memset(out, 0, sizeof *out);
    if (err != MM_OK) {
        mm_conf_report(conf);
        MM_ERROR("%zu problem(s) in %s", mm_conf_problem_count(conf), path);
        hub_config_free(out);
    }
    mm_conf_destroy(conf);
    return err;
}

void hub_config_free(hub_config_t *cfg)
{
    free(cfg->key_file);
    free(cfg->state_dir);
    free(cfg->listen);
    free(cfg->http_host);
    free(cfg->sites);
    memset(cfg, 0, sizeof *cfg);
}

const hub_site_conf_t *hub_config_site_by_key(const hub_config_t *cfg, const uint8_t key[32])
{
    for (size_t i = 0; i < cfg->n_sites; i++)
        if (memcmp(cfg->sites[i].curve_raw, key, 32) == 0)
            return &cfg->sites[i];
    return NULL;
}

const hub_site_conf_t *hub_config_site(const hub_config_t *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->n_sites; i++)
        if (strcmp(cfg->sites[i].id, id) == 0)
            return &cfg->sites[i];
    return NULL;
}
