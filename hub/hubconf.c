/*
 * hubconf.c: loading and checking the hub's configuration (see hubconf.h).
 */
#include "hub/hubconf.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/auth.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/policy.h"
#include "common/timefmt.h"
#include "common/tls.h"
#include "common/wire.h"
#include "hub/sitetime.h"

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
    static const char *const keys[] = {"id", "verifier", "curve_public", "existing_installer",
                                       NULL};
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
                        "the key is named \"%s\" but the site is \"%s\"", site.verifier.name, id);
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
    site.existing_installer = mm_conf_bool(conf, s, path, "existing_installer", 0, 0);
    if (ok)
        out->sites[out->n_sites++] = site;
}

MM_ENUM_DEFINE(hub_person_role, HUB_PERSON_ROLE, HUB_PERSON_ROLE_MAP, "hub person's role")

const char *hub_role_name(unsigned role)
{
    for (int r = 0; r < HUB_PERSON_ROLE_COUNT; r++)
        if (role == HUB_ROLE_BIT(r))
            return hub_person_role_name((hub_person_role_t)r);
    return "none";
}

/* The token, its expiry and the dashboard's login of people[i] (at path), into p; 0 when wrong. */
static int parse_person_secrets(mm_conf_t *conf, json_t *o, const char *path, hub_config_t *out,
                                hub_person_t *p)
{
    char kp[128];
    int ok = 1;
    const char *hash = mm_conf_string(conf, o, path, "token_sha256", 0, NULL);
    if (hash && (strlen(hash) != 64 || mm_hex_decode(hash, 64, p->token_sha256, 32) != 32)) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "token_sha256"),
                        "must be the 64 hex digits of the token's SHA-256 (mimamori-hub token "
                        "makes both)");
        ok = 0;
    } else if (hash) {
        p->has_token = 1;
        for (size_t i = 0; i < out->n_people; i++)
            if (out->people[i].has_token &&
                !memcmp(out->people[i].token_sha256, p->token_sha256, 32)) {
                mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "token_sha256"),
                                "the same token as %s", out->people[i].id);
                ok = 0;
            }
    }
    const char *exp = mm_conf_string(conf, o, path, "token_expires", 0, NULL);
    int64_t day;
    if (exp && (strlen(exp) != 10 || mm_jst_date_us(exp, &day) != 0)) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "token_expires"),
                        "must be a date YYYY-MM-DD (the token's last day), got \"%.40s\"", exp);
        ok = 0;
    } else if (exp && !hash) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "token_expires"),
                        "is the expiry of token_sha256, which is not given");
        ok = 0;
    } else if (exp) {
        memcpy(p->token_expires, exp, 11);
    }
    const char *pw = mm_conf_string(conf, o, path, "password_argon2id", 0, NULL);
    if (pw && !mm_password_hash_ok(pw)) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "password_argon2id"),
                        "must be an encoded Argon2id hash (\"$argon2id$v=19$...\"; mimamori-hub "
                        "person passwd writes it)");
        ok = 0;
    } else if (pw) {
        snprintf(p->password, sizeof p->password, "%s", pw);
        out->holds_secrets = 1;
    }
    const char *totp = mm_conf_string(conf, o, path, "totp_secret", 0, NULL);
    int n = totp ? mm_base32_decode(totp, p->totp, sizeof p->totp) : 0;
    if (totp && n < 10) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "totp_secret"),
                        "must be the base32 text of 10 to %d bytes", HUB_TOTP_MAX);
        ok = 0;
    } else if (totp) {
        p->totp_len = (size_t)n;
        out->holds_secrets = 1;
    }
    if (pw && !totp) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "totp_secret"),
                        "a person who logs in with a password needs a TOTP secret too "
                        "(mimamori-hub person passwd makes one)");
        ok = 0;
    }
    return ok;
}

/* people[i]: {"id", "name", "role", "token_sha256", "token_expires", "password_argon2id",
 * "totp_secret"} */
static void parse_person(mm_conf_t *conf, json_t *o, const char *path, hub_config_t *out)
{
    static const char *const keys[] = {
        "id",          "name", "role", "token_sha256", "token_expires", "password_argon2id",
        "totp_secret", NULL};
    if (!json_is_object(o)) {
        mm_conf_problem(conf, path, "must be an object");
        return;
    }
    mm_conf_check_keys(conf, o, path, keys);
    char kp[128];
    hub_person_t p;
    memset(&p, 0, sizeof p);
    int ok = 1;
    const char *id = mm_conf_string(conf, o, path, "id", 1, NULL);
    if (!id || !mm_keys_name_ok(id)) {
        if (id)
            mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "id"),
                            "must be 1-63 characters of A-Z a-z 0-9 . _ -, got \"%.80s\"", id);
        ok = 0;
    } else if (!strcmp(id, "public")) {
        /* A resident's complaint filed online is by "public" (requests.h): nobody else is. */
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "id"),
                        "\"public\" stands for residents who complain online; choose another id");
        ok = 0;
    } else {
        for (size_t i = 0; i < out->n_people; i++)
            if (!strcmp(out->people[i].id, id)) {
                mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "id"),
                                "duplicate person id \"%s\"", id);
                ok = 0;
            }
        snprintf(p.id, sizeof p.id, "%s", id);
    }
    const char *name = mm_conf_string(conf, o, path, "name", 1, NULL);
    if (name && strlen(name) >= sizeof p.name) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "name"), "at most %zu bytes",
                        sizeof p.name - 1);
        ok = 0;
    } else if (name) {
        snprintf(p.name, sizeof p.name, "%s", name);
    } else {
        ok = 0;
    }
    const char *role = mm_conf_string(conf, o, path, "role", 1, NULL);
    hub_person_role_t r;
    if (role && hub_person_role_parse(role, &r))
        p.role = HUB_ROLE_BIT(r);
    if (role && !p.role)
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "role"),
                        "must be oversight, requester, intake or readonly, got \"%.40s\"", role);
    if (!p.role)
        ok = 0;
    if (!parse_person_secrets(conf, o, path, out, &p))
        ok = 0;
    if (ok)
        out->people[out->n_people++] = p;
    OPENSSL_cleanse(&p, sizeof p);
}

/* "sessions": the dashboard's session lifetimes and lockout (hub/login.h). */
static void parse_sessions(mm_conf_t *conf, json_t *root, hub_session_conf_t *out)
{
    static const char *const keys[] = {"idle_seconds", "absolute_seconds", "lock_after_failures",
                                       "lock_seconds", NULL};
    *out = (hub_session_conf_t){
        .idle_s = 1800, .absolute_s = 12 * 3600, .lock_after = 5, .lock_s = 900};
    json_t *o =
        json_object_get(root, "sessions") ? mm_conf_object(conf, root, "", "sessions", 0) : NULL;
    if (!o)
        return;
    mm_conf_check_keys(conf, o, "sessions", keys);
    out->idle_s = (int)mm_conf_int(conf, o, "sessions", "idle_seconds", 0, 1800, 1, 86400);
    out->absolute_s =
        (int)mm_conf_int(conf, o, "sessions", "absolute_seconds", 0, 12 * 3600, 1, 7 * 86400);
    out->lock_after = (int)mm_conf_int(conf, o, "sessions", "lock_after_failures", 0, 5, 1, 100);
    out->lock_s = (int)mm_conf_int(conf, o, "sessions", "lock_seconds", 0, 900, 1, 86400);
}

/* A line of text for people to read at key of obj (at path): 1 to cap - 1 bytes, no control
 * characters. */
static char *line_text(mm_conf_t *conf, json_t *obj, const char *path, const char *key, size_t cap)
{
    const char *v = mm_conf_string(conf, obj, path, key, 1, NULL);
    if (!v)
        return NULL;
    size_t n = strlen(v);
    int ctl = 0;
    for (size_t i = 0; i < n; i++)
        ctl |= (unsigned char)v[i] < 0x20 || v[i] == 0x7f;
    if (n == 0 || n >= cap || ctl) {
        char kp[96];
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, key),
                        "must be one line of 1 to %zu bytes", cap - 1);
        return NULL;
    }
    return strdup(v);
}

/* "city": {"name": "...", "contact": "..."}: who residents turn to when a site's answer to their
 * complaint does not satisfy them (R-N12(2)), shown on the public registry. Optional. */
static void parse_city(mm_conf_t *conf, json_t *root, hub_config_t *out)
{
    static const char *const keys[] = {"name", "contact", NULL};
    if (!json_object_get(root, "city"))
        return;
    json_t *city = mm_conf_object(conf, root, "", "city", 1);
    if (!city)
        return;
    mm_conf_check_keys(conf, city, "city", keys);
    out->city_name = line_text(conf, city, "city", "name", HUB_CITY_TEXT_MAX);
    out->city_contact = line_text(conf, city, "city", "contact", HUB_CITY_TEXT_MAX);
}

/* One policy's rule in "city_rules" (hubconf.h): the days and the rule's citation. */
static void parse_city_rule(mm_conf_t *conf, json_t *o, const char *name, hub_config_t *out)
{
    static const char *const keys[] = {"retention_days_min", "retention_days_max", "rule", NULL};
    char path[96];
    snprintf(path, sizeof path, "city_rules.%s", name);
    mm_policy_t p;
    if (!mm_policy_parse(name, &p)) {
        mm_conf_problem(conf, path, "no such policy: must be %s", mm_policy_names());
        return;
    }
    const mm_policy_rules_t *r = mm_policy_rules(p);
    if (!mm_policy_city_rule(p)) {
        mm_conf_problem(conf, path,
                        "the %s policy's retention comes from its text (%s %s), not from a city's "
                        "rule",
                        name, r ? r->text : "", r ? r->retention_clause : "");
        return;
    }
    if (!json_is_object(o)) {
        mm_conf_problem(conf, path, "must be an object");
        return;
    }
    mm_conf_check_keys(conf, o, path, keys);
    hub_city_rule_conf_t *c = &out->city_rules[p];
    c->min_days =
        (int)mm_conf_int(conf, o, path, "retention_days_min", 1, 0, 1, MM_RETENTION_DAYS_MAX);
    c->max_days =
        (int)mm_conf_int(conf, o, path, "retention_days_max", 0, 0, 1, MM_RETENTION_DAYS_MAX);
    char *rule = line_text(conf, o, path, "rule", sizeof c->rule);
    if (c->max_days && c->min_days && c->max_days < c->min_days) {
        char kp[128];
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "retention_days_max"),
                        "%d is below retention_days_min (%d)", c->max_days, c->min_days);
    }
    if (rule)
        snprintf(c->rule, sizeof c->rule, "%s", rule);
    free(rule);
    c->set = rule && c->min_days > 0;
}

/* "city_rules": {"<policy>": {...}, ...}, optional: the city's rule for the retention period of
 * each policy whose text leaves it to the city (R-N7.5). */
static void parse_city_rules(mm_conf_t *conf, json_t *root, hub_config_t *out)
{
    if (!json_object_get(root, "city_rules"))
        return;
    json_t *rules = mm_conf_object(conf, root, "", "city_rules", 1);
    if (!rules)
        return;
    const char *name;
    json_t *o;
    json_object_foreach(rules, name, o) parse_city_rule(conf, o, name, out);
}

/* "feed": the limits of GET /api/v1/feed (hubconf.h), optional. */
static void parse_feed(mm_conf_t *conf, json_t *root, hub_config_t *out)
{
    static const char *const keys[] = {"max_subscribers", "max_per_person", "max_behind_bytes",
                                       NULL};
    json_t *feed = json_object_get(root, "feed") ? mm_conf_object(conf, root, "", "feed", 1) : NULL;
    out->feed_max_subscribers = HUB_FEED_MAX_SUBSCRIBERS;
    out->feed_max_per_person = HUB_FEED_MAX_PER_PERSON;
    out->feed_max_behind_bytes = HUB_FEED_MAX_BEHIND;
    if (!feed)
        return;
    mm_conf_check_keys(conf, feed, "feed", keys);
    out->feed_max_subscribers = (int)mm_conf_int(conf, feed, "feed", "max_subscribers", 0,
                                                 HUB_FEED_MAX_SUBSCRIBERS, 1, 10000);
    out->feed_max_per_person = (int)mm_conf_int(conf, feed, "feed", "max_per_person", 0,
                                                HUB_FEED_MAX_PER_PERSON, 1, 10000);
    out->feed_max_behind_bytes = (int)mm_conf_int(conf, feed, "feed", "max_behind_bytes", 0,
                                                  HUB_FEED_MAX_BEHIND, 1 << 20, 4 << 20);
}

/* "http": where the API listens, and whether over TLS (hubconf.h). */
static void parse_http(mm_conf_t *conf, json_t *root, hub_config_t *out)
{
    static const char *const keys[] = {"host",          "port",         "tls",
                                       "insecure_http", "hsts_max_age", NULL};
    static const char *const tls_keys[] = {"certificate", "private_key", NULL};
    json_t *http = mm_conf_object(conf, root, "", "http", 1);
    if (!http)
        return;
    mm_conf_check_keys(conf, http, "http", keys);
    const char *host = mm_conf_string(conf, http, "http", "host", 0, "127.0.0.1");
    out->http_host = strdup(host ? host : "127.0.0.1");
    out->http_port = (int)mm_conf_int(conf, http, "http", "port", 1, 0, 0, 65535);
    out->insecure_http = mm_conf_bool(conf, http, "http", "insecure_http", 0, 0);
    out->hsts_max_age =
        (int)mm_conf_int(conf, http, "http", "hsts_max_age", 0, 31536000, 0, 315360000);
    json_t *tls =
        json_object_get(http, "tls") ? mm_conf_object(conf, http, "http", "tls", 1) : NULL;
    if (tls) {
        mm_conf_check_keys(conf, tls, "http.tls", tls_keys);
        const char *cert = mm_conf_string(conf, tls, "http.tls", "certificate", 1, NULL);
        const char *key = mm_conf_string(conf, tls, "http.tls", "private_key", 1, NULL);
        if (cert && key) {
            out->tls_certificate = mm_conf_resolve(conf, cert);
            out->tls_private_key = mm_conf_resolve(conf, key);
        }
    } else if (!json_object_get(http, "tls") && host && !mm_tls_host_loopback(host) &&
               !out->insecure_http) {
        mm_conf_problem(conf, "http.host",
                        "\"%.64s\" is not loopback, and without \"tls\" bearer tokens and "
                        "logins would cross the network in clear: add \"tls\": "
                        "{\"certificate\": FILE, \"private_key\": FILE} (mimamori-keys tls "
                        "makes a self-signed pair), or listen on 127.0.0.1 behind a TLS proxy, "
                        "or set \"insecure_http\": true to accept plain HTTP",
                        host);
    }
}

const hub_person_t *hub_config_person_by_token(const hub_config_t *cfg, const char *token,
                                               size_t len)
{
    uint8_t h[32];
    mm_sha256(token, len, h);
    const hub_person_t *found = NULL;
    for (size_t i = 0; i < cfg->n_people; i++) {
        /* Every hash is compared whole, whatever matched before. */
        uint8_t diff = 0;
        for (size_t k = 0; k < 32; k++)
            diff |= h[k] ^ cfg->people[i].token_sha256[k];
        if (!diff && cfg->people[i].has_token)
            found = &cfg->people[i];
    }
    return found;
}

int hub_person_token_expired(const hub_config_t *cfg, const hub_person_t *p, int64_t now_us)
{
    if (!p->token_expires[0])
        return 0;
    int hour;
    char today[11];
    hub_sitetime(cfg->timezone, now_us, &hour, today);
    return strcmp(today, p->token_expires) > 0;
}

const hub_person_t *hub_config_person(const hub_config_t *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->n_people; i++)
        if (strcmp(cfg->people[i].id, id) == 0)
            return &cfg->people[i];
    return NULL;
}

mm_err_t hub_config_parse(mm_conf_t *conf, hub_config_t *out)
{
    static const char *const keys[] = {"name",
                                       "key_file",
                                       "state_dir",
                                       "listen",
                                       "http",
                                       "sites",
                                       "silent_after_minutes",
                                       "people",
                                       "filing_grace_days",
                                       "ordinance_effective",
                                       "disclosure_days",
                                       "disclosure_max_hours",
                                       "city",
                                       "timezone",
                                       "watch",
                                       "city_rules",
                                       "sessions",
                                       "feed",
                                       NULL};
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
        mm_conf_problem(conf, "listen", "must start with tcp:// or ipc://, got \"%.80s\"", listen);
    else if (listen)
        out->listen = strdup(listen);

    parse_http(conf, root, out);
    parse_feed(conf, root, out);
    out->silent_after_minutes =
        (int)mm_conf_int(conf, root, "", "silent_after_minutes", 0, 60, 1, 7 * 24 * 60);
    out->filing_grace_days = (int)mm_conf_int(conf, root, "", "filing_grace_days", 0, 30, 0, 365);
    out->disclosure_days = (int)mm_conf_int(conf, root, "", "disclosure_days", 0, 14, 1, 90);
    out->disclosure_max_hours =
        (int)mm_conf_int(conf, root, "", "disclosure_max_hours", 0, 24, 1, 168);
    const char *tz = mm_conf_string(conf, root, "", "timezone", 0, MM_TZ_DEFAULT);
    char why[160];
    if (tz && mm_tz_check(tz, why, sizeof why) != 0)
        mm_conf_problem(conf, "timezone", "%s", why);
    else if (tz)
        snprintf(out->timezone, sizeof out->timezone, "%s", tz);
    const char *ord = mm_conf_string(conf, root, "", "ordinance_effective", 0, NULL);
    if (ord && mm_jst_date_us(ord, &out->ordinance_us) != 0)
        mm_conf_problem(conf, "ordinance_effective", "must be a date YYYY-MM-DD, got \"%.40s\"",
                        ord);
    parse_city(conf, root, out);
    hub_watch_conf_parse(conf, root, &out->watch);
    parse_city_rules(conf, root, out);
    parse_sessions(conf, root, &out->sessions);
    json_t *people =
        json_object_get(root, "people") ? mm_conf_array(conf, root, "", "people", 0) : NULL;
    if (people && json_array_size(people) > HUB_MAX_PEOPLE) {
        mm_conf_problem(conf, "people", "at most %d people, got %zu", HUB_MAX_PEOPLE,
                        json_array_size(people));
    } else if (people) {
        out->people = calloc(json_array_size(people) + 1, sizeof *out->people);
        if (!out->people)
            return MM_ENOMEM;
        size_t i;
        json_t *o;
        json_array_foreach(people, i, o)
        {
            char pp[32];
            parse_person(conf, o, mm_conf_index(pp, sizeof pp, "people", i), out);
        }
    }

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
                json_array_foreach(sites, i, s)
                {
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
    struct stat st;
    if ((err == MM_OK || err == MM_ECONFIG) && out->holds_secrets && stat(path, &st) == 0 &&
        (st.st_mode & 077)) {
        mm_conf_problem(conf, "people",
                        "%s holds password hashes or TOTP secrets but is mode %04o: make it "
                        "readable by the hub alone (chmod 600 %s)",
                        path, (unsigned)(st.st_mode & 07777), path);
        err = MM_ECONFIG;
    }
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
    free(cfg->tls_certificate);
    free(cfg->tls_private_key);
    free(cfg->sites);
    if (cfg->people)
        OPENSSL_cleanse(cfg->people, cfg->n_people * sizeof *cfg->people);
    free(cfg->people);
    free(cfg->city_name);
    free(cfg->city_contact);
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
