/*
 * cli.c: mimamori-hub person/site (see cli.h).
 */
#include "hub/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/askpass.h"
#include "common/auth.h"
#include "common/config.h"
#include "common/crypto.h"
#include "common/keys.h"
#include "common/qr.h"
#include "common/timefmt.h"
#include "hub/hubconf.h"

#define PROG "mimamori-hub"

typedef struct {
    const char *config, *name, *role, *expires, *verifier, *curve;
    int password_stdin, existing_installer;
    const char *args[4];
    int n_args;
} opts_t;

#define HUB_CLI_DEFAULT_CONFIG "/etc/mimamori/hub.json"

static void usage(void)
{
    fputs("usage: " PROG " person add ID --name NAME --role ROLE [--expires YYYY-MM-DD] "
          "--config FILE\n"
          "       " PROG " person remove ID --config FILE\n"
          "       " PROG " person passwd ID [--password-stdin] --config FILE\n"
          "       " PROG " person token ID [--expires YYYY-MM-DD] --config FILE\n"
          "       " PROG " site add ID --verifier VKEY --curve-public Z85 [--existing-installer] "
          "--config FILE\n"
          "       " PROG " site remove ID --config FILE\n"
          "ROLE: oversight, requester, intake or readonly. The file is checked, replaced "
          "atomically (mode 0600), and the running hub reloads it (SIGHUP).\n"
          "Without --config: " HUB_CLI_DEFAULT_CONFIG ", when it exists.\n",
          stderr);
}

static int parse_opts(int argc, char **argv, opts_t *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **v = !strcmp(a, "--config")         ? &o->config
                         : !strcmp(a, "--name")         ? &o->name
                         : !strcmp(a, "--role")         ? &o->role
                         : !strcmp(a, "--expires")      ? &o->expires
                         : !strcmp(a, "--verifier")     ? &o->verifier
                         : !strcmp(a, "--curve-public") ? &o->curve
                                                        : NULL;
        if (v) {
            if (i + 1 >= argc) {
                fprintf(stderr, PROG ": %s needs a value\n", a);
                return -1;
            }
            *v = argv[++i];
        } else if (!strcmp(a, "--password-stdin")) {
            o->password_stdin = 1;
        } else if (!strcmp(a, "--existing-installer")) {
            o->existing_installer = 1;
        } else if (a[0] == '-' || o->n_args >= 4) {
            fprintf(stderr, PROG ": unknown option %s\n", a);
            return -1;
        } else {
            o->args[o->n_args++] = a;
        }
    }
    if (!o->config && access(HUB_CLI_DEFAULT_CONFIG, F_OK) == 0)
        o->config = HUB_CLI_DEFAULT_CONFIG; /* the packages' (mimamori-hub setup's) */
    if (!o->config) {
        fputs(PROG ": --config FILE is needed (there is no " HUB_CLI_DEFAULT_CONFIG ")\n", stderr);
        return -1;
    }
    return 0;
}

/* --- the file ------------------------------------------------------------------------------- */

/* The text of doc checked with the hub's parser as if it were path; the state directory it
 * names into state (malloc'd). 0, or -1 with every problem said. */
static int check(const char *path, const char *text, char **state)
{
    mm_conf_t *conf = NULL;
    hub_config_t cfg;
    mm_err_t err = mm_conf_load_string(path, text, &conf);
    if (err == MM_ENOMEM)
        return -1;
    if (err == MM_OK)
        err = hub_config_parse(conf, &cfg);
    else
        memset(&cfg, 0, sizeof cfg);
    if (err != MM_OK) {
        fprintf(stderr, PROG ": the change would leave %s with problems, so nothing was written:\n",
                path);
        for (size_t i = 0; i < mm_conf_problem_count(conf); i++)
            fprintf(stderr, "  %s\n", mm_conf_problem_at(conf, i));
    } else {
        *state = cfg.state_dir ? strdup(cfg.state_dir) : NULL;
    }
    hub_config_free(&cfg);
    mm_conf_destroy(conf);
    return err == MM_OK ? 0 : -1;
}

/* Replaces path with text: a temporary file beside it (0600, the owner and group of the file it
 * replaces — root editing the hub's file leaves it the hub's to read), fsync, rename, fsync of
 * the directory. 0, or -1 (said). */
static int write_atomic(const char *path, const char *text)
{
    char tmp[4200], dir[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    snprintf(dir, sizeof dir, "%s", path);
    struct stat was;
    int had = stat(path, &was) == 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    size_t n = strlen(text);
    int ok = fd >= 0 && fchmod(fd, 0600) == 0 &&
             (!had || (was.st_uid == geteuid() && was.st_gid == getegid()) ||
              fchown(fd, was.st_uid, was.st_gid) == 0) &&
             write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        fprintf(stderr, PROG ": cannot write %s: %s\n", path, strerror(e));
        unlink(tmp);
        return -1;
    }
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* SIGHUP to the hub whose pid is in <state>/hub.pid, and what happened said. */
static void reload_hub(const char *state)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/hub.pid", state ? state : ".");
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    /* A pid file left by a hub that died may name another program now: SIGHUP would end it. */
    char comm_path[64], comm[64] = "";
    snprintf(comm_path, sizeof comm_path, "/proc/%ld/comm", pid);
    FILE *c = pid > 1 ? fopen(comm_path, "r") : NULL;
    if (c) {
        if (!fgets(comm, sizeof comm, c))
            comm[0] = 0;
        fclose(c);
        comm[strcspn(comm, "\n")] = 0;
    }
    if (pid > 1 && c && strcmp(comm, "mimamori-hub") != 0)
        printf("%s names pid %ld, which is not a hub (a stale file): the change takes effect "
               "when the hub starts\n",
               path, pid);
    else if (pid > 1 && kill((pid_t)pid, SIGHUP) == 0)
        printf("the running hub (pid %ld) reloads its configuration now; its log says what "
               "changed\n",
               pid);
    else
        printf("no running hub found (%s): the change takes effect when the hub starts\n", path);
}

/* Checks doc, writes it to o->config and reloads the hub: the exit status. */
static int save(const opts_t *o, json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    char *state = NULL;
    int rc = 2;
    if (text && check(o->config, text, &state) == 0)
        rc = write_atomic(o->config, text) == 0 ? 0 : 1;
    if (text) {
        OPENSSL_cleanse(text, strlen(text));
        free(text);
    }
    if (rc == 0)
        reload_hub(state);
    free(state);
    return rc;
}

static json_t *load(const char *path)
{
    json_error_t e;
    json_t *doc = json_load_file(path, JSON_PRESERVE_ORDER | JSON_REJECT_DUPLICATES, &e);
    if (!json_is_object(doc)) {
        fprintf(stderr, PROG ": %s: %s\n", path, doc ? "not a JSON object" : e.text);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* The array at key of doc (made when absent) and the index of the element whose "id" is id
 * (-1 when none). */
static json_t *list(json_t *doc, const char *key, const char *id, long *at)
{
    json_t *a = json_object_get(doc, key);
    if (!a) {
        a = json_array();
        json_object_set_new(doc, key, a);
    }
    *at = -1;
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        const char *eid = json_string_value(json_object_get(e, "id"));
        if (eid && !strcmp(eid, id))
            *at = (long)i;
    }
    return a;
}

/* --- people --------------------------------------------------------------------------------- */

/* A new token into p (token_sha256, token_expires) and printed once. */
static int new_token(json_t *p, const char *expires)
{
    uint8_t raw[32], h[32];
    char tok[65], hex[65];
    if (mm_random(raw, sizeof raw) != MM_OK)
        return -1;
    mm_hex_encode(raw, sizeof raw, tok, sizeof tok);
    mm_sha256(tok, strlen(tok), h);
    mm_hex_encode(h, sizeof h, hex, sizeof hex);
    json_object_set_new(p, "token_sha256", json_string(hex));
    if (expires)
        json_object_set_new(p, "token_expires", json_string(expires));
    else
        json_object_del(p, "token_expires");
    printf("API token of %s (shown this once; the configuration keeps only its SHA-256):\n%s\n",
           json_string_value(json_object_get(p, "id")), tok);
    OPENSSL_cleanse(tok, sizeof tok);
    OPENSSL_cleanse(raw, sizeof raw);
    return 0;
}

/* The password and, when the person has none, a TOTP secret: into p; the URI shown. */
static int set_password(const opts_t *o, json_t *doc, json_t *p)
{
    char pw[MM_PASSWORD_MAX + 2], hash[MM_HASH_MAX];
    if (mm_askpass(PROG " person passwd", "New dashboard password: ", o->password_stdin, pw,
                   sizeof pw) != 0)
        return 2;
    mm_err_t err = mm_password_hash(pw, hash);
    OPENSSL_cleanse(pw, sizeof pw);
    if (err != MM_OK) {
        fputs(PROG ": cannot hash the password\n", stderr);
        return 1;
    }
    json_object_set_new(p, "password_argon2id", json_string(hash));
    if (json_is_string(json_object_get(p, "totp_secret"))) {
        printf("the dashboard password of %s is set (the second factor is the one already "
               "enrolled)\n",
               o->args[2]);
        return 0;
    }
    uint8_t secret[MM_TOTP_SECRET_LEN];
    char b32[MM_TOTP_B32_LEN], uri[MM_OTPAUTH_MAX];
    const char *hub = json_string_value(json_object_get(doc, "name"));
    if (mm_random(secret, sizeof secret) != MM_OK ||
        mm_base32(secret, sizeof secret, b32, sizeof b32) != 0 ||
        mm_otpauth_uri(hub ? hub : "hub", o->args[2], secret, uri, sizeof uri) != 0)
        return 1;
    json_object_set_new(p, "totp_secret", json_string(b32));
    printf("the dashboard password of %s is set; the second factor (TOTP) to enrol in an "
           "authenticator app, shown this once:\n  secret  %s\n  URI     %s\n",
           o->args[2], b32, uri);
    char *qr = mm_qr_text(uri);
    if (qr)
        fputs(qr, stdout);
    free(qr);
    OPENSSL_cleanse(secret, sizeof secret);
    return 0;
}

static int person(const opts_t *o, json_t *doc)
{
    const char *verb = o->args[1], *id = o->args[2];
    long at;
    json_t *people = list(doc, "people", id, &at);
    json_t *p = at >= 0 ? json_array_get(people, (size_t)at) : NULL;
    int rc = 0;
    if (!strcmp(verb, "add")) {
        if (p || !o->name || !o->role) {
            fprintf(stderr,
                    p ? PROG ": %s is a person of the hub already\n"
                      : PROG ": person add needs --name and --role\n",
                    id);
            return 2;
        }
        p = json_pack("{s:s, s:s, s:s}", "id", id, "name", o->name, "role", o->role);
        json_array_append_new(people, p);
        rc = new_token(p, o->expires) == 0 ? 0 : 1;
    } else if (!p) {
        fprintf(stderr, PROG ": %s is not a person of the hub (%s)\n", id, o->config);
        return 2;
    } else if (!strcmp(verb, "remove")) {
        json_array_remove(people, (size_t)at);
        printf("%s removed: their token and sessions stop working at the reload\n", id);
    } else if (!strcmp(verb, "token")) {
        rc = new_token(p, o->expires) == 0 ? 0 : 1;
        if (rc == 0)
            printf("the old token of %s stops working at the reload\n", id);
    } else if (!strcmp(verb, "passwd")) {
        rc = set_password(o, doc, p);
    } else {
        usage();
        return 2;
    }
    return rc ? rc : save(o, doc);
}

static int site(const opts_t *o, json_t *doc)
{
    const char *verb = o->args[1], *id = o->args[2];
    long at;
    json_t *sites = list(doc, "sites", id, &at);
    if (!strcmp(verb, "add")) {
        if (at >= 0 || !o->verifier || !o->curve) {
            fprintf(stderr,
                    at >= 0 ? PROG ": %s is a site of the hub already\n"
                            : PROG ": site add needs --verifier and --curve-public\n",
                    id);
            return 2;
        }
        json_t *s = json_pack("{s:s, s:s, s:s}", "id", id, "verifier", o->verifier, "curve_public",
                              o->curve);
        if (o->existing_installer)
            json_object_set_new(s, "existing_installer", json_true());
        json_array_append_new(sites, s);
        printf("site %s added: the hub admits its key at the reload\n", id);
    } else if (!strcmp(verb, "remove")) {
        if (at < 0) {
            fprintf(stderr, PROG ": %s is not a site of the hub (%s)\n", id, o->config);
            return 2;
        }
        json_array_remove(sites, (size_t)at);
        printf("site %s removed: the hub refuses its key from the reload on (what it sent is "
               "kept)\n",
               id);
    } else {
        usage();
        return 2;
    }
    return save(o, doc);
}

int hub_cli_run(int argc, char **argv)
{
    opts_t o;
    if (parse_opts(argc, argv, &o) != 0 || o.n_args != 3) {
        usage();
        return 2;
    }
    if (!mm_keys_name_ok(o.args[2])) {
        fprintf(stderr, PROG ": \"%s\" is not an id (1-63 characters of A-Z a-z 0-9 . _ -)\n",
                o.args[2]);
        return 2;
    }
    json_t *doc = load(o.config);
    if (!doc)
        return 2;
    int rc = !strcmp(o.args[0], "person") ? person(&o, doc) : site(&o, doc);
    json_decref(doc);
    return rc;
}
