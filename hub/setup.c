/*
 * setup.c: `mimamori-hub setup` (see setup.h). Makes the hub's key pair (0600, never
 * overwritten), optionally a self-signed TLS certificate through `mimamori-keys tls`, and
 * writes a configuration that the hub's own loader has accepted.
 */
#include "hub/setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/keys.h"
#include "common/setup.h"
#include "hub/hubconf.h"

static void usage(FILE *f)
{
    fputs("usage: mimamori-hub setup [--yes] [--config FILE] [--credentials DIR|none]\n"
          "         [--name NAME] [--listen tcp://HOST:PORT] [--http-host HOST]\n"
          "         [--http-port PORT] [--tls self-signed|none|CERT.pem] [--tls-key KEY.pem]\n"
          "         [--tls-host HOSTNAME] [--state-dir DIR] [--city-name TEXT]\n"
          "         [--city-contact TEXT]\n"
          "\n"
          "Asks what a first install needs (what no flag answered; on a terminal, or one\n"
          "answer per line on stdin; --yes takes every default), makes the hub's keys in the\n"
          "credentials directory (default /etc/mimamori/credentials/hub, which the systemd unit\n"
          "loads with LoadCredential=; \"none\": beside the configuration), and writes the\n"
          "configuration (default /etc/mimamori/hub.json, mode 0600) once the hub's loader\n"
          "accepts it. Prints the hub's public keys, which every edge's setup asks for.\n",
          f);
}

int hub_setup_check(const char *path)
{
    hub_config_t cfg;
    if (hub_config_load(path, &cfg) != MM_OK)
        return 2;
    hub_config_free(&cfg);
    return 0;
}

static mm_err_t check(const char *path)
{
    return hub_setup_check(path) == 0 ? MM_OK : MM_ECONFIG;
}

/* The hub's key pair in kf: made when absent, kept when present. 0 or -1. */
static int make_keys(const char *name, const char *kf, mm_keypair_t *k)
{
    char why[400] = "";
    if (access(kf, F_OK) == 0) {
        if (mm_keys_load(kf, k, why, sizeof why) != MM_OK) {
            fprintf(stderr, "mimamori-hub setup: %s\n", why);
            return -1;
        }
        fprintf(stderr, "mimamori-hub setup: keeping the keys in %s\n", kf);
        return 0;
    }
    if (mm_keys_generate(name, k) != MM_OK || mm_keys_save(k, kf) != MM_OK ||
        mm_setup_give(kf) != 0) {
        fprintf(stderr, "mimamori-hub setup: cannot make the key file %s\n", kf);
        return -1;
    }
    return 0;
}

/* `mimamori-keys tls` (beside this program, else on PATH); 0 or -1. */
static int self_signed(const char *self, const char *host, const char *cert, const char *key)
{
    char tool[4096] = "mimamori-keys";
    const char *slash = strrchr(self, '/');
    if (slash) {
        snprintf(tool, sizeof tool, "%.*s/mimamori-keys", (int)(slash - self), self);
        if (access(tool, X_OK) != 0)
            snprintf(tool, sizeof tool, "mimamori-keys");
    }
    if (access(key, F_OK) == 0 && access(cert, F_OK) == 0) {
        fprintf(stderr, "mimamori-hub setup: keeping the certificate %s\n", cert);
        return 0;
    }
    pid_t pid = fork();
    if (pid == 0) {
        execlp(tool, tool, "tls", "--host", host, "--cert", cert, "--key", key, (char *)NULL);
        fprintf(stderr, "mimamori-hub setup: cannot run %s\n", tool);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "mimamori-hub setup: `%s tls` failed: no certificate made\n", tool);
        return -1;
    }
    return mm_setup_give(key);
}

/* The "http" object, with "tls" made or named; NULL (message printed) on a wrong answer. */
static json_t *http_section(mm_setup_t *s, const char *self, const char *confdir,
                            const char *creddir)
{
    const char *host = mm_setup_ask(s, "http-host", "Dashboard and API address", "0.0.0.0");
    const char *port = host ? mm_setup_ask(s, "http-port", "Dashboard and API port", "8443")
                            : NULL;
    int loop = host && (!strcmp(host, "127.0.0.1") || !strcmp(host, "::1") ||
                        !strcmp(host, "localhost"));
    const char *tls = port ? mm_setup_ask(s, "tls",
                                          "TLS certificate (a PEM file, \"self-signed\" to "
                                          "make one, \"none\" on loopback only)",
                                          loop ? "none" : "self-signed")
                           : NULL;
    if (!tls)
        return NULL;
    char *end = NULL;
    long p = strtol(port, &end, 10);
    if (*end || p < 1 || p > 65535) {
        fprintf(stderr, "mimamori-hub setup: the port must be 1-65535, got \"%s\"\n", port);
        return NULL;
    }
    json_t *http = json_pack("{s:s, s:i}", "host", host, "port", (int)p);
    if (!strcmp(tls, "none"))
        return http;
    char cert[4096], key[4096];
    if (!strcmp(tls, "self-signed")) {
        char hn[256] = "localhost";
        gethostname(hn, sizeof hn);
        const char *th = mm_setup_ask(s, "tls-host", "Host name in the certificate", hn);
        snprintf(cert, sizeof cert, "%.2000s/hub.crt", confdir);
        snprintf(key, sizeof key, "%.2000s/tls.key", creddir);
        if (!th || self_signed(self, th, cert, key) != 0) {
            json_decref(http);
            return NULL;
        }
        if (strcmp(creddir, confdir) != 0)
            snprintf(key, sizeof key, "credential:hub_tls.key");
    } else {
        const char *k = mm_setup_ask(s, "tls-key", "TLS private key (PEM file)", NULL);
        if (!k) {
            json_decref(http);
            return NULL;
        }
        snprintf(cert, sizeof cert, "%s", tls);
        snprintf(key, sizeof key, "%s", k);
    }
    json_object_set_new(http, "tls",
                        json_pack("{s:s, s:s}", "certificate", cert, "private_key", key));
    return http;
}

/* Every answer into the configuration document; NULL (message printed) when one is wrong. */
static json_t *ask_all(mm_setup_t *s, const char *self, const char *confdir, const char *creddir,
                       mm_keypair_t *k)
{
    const char *name = mm_setup_ask(s, "name", "Hub name (in its signed notes)", "hub");
    if (!name)
        return NULL;
    if (!mm_keys_name_ok(name)) {
        fprintf(stderr, "mimamori-hub setup: a name is 1-63 of A-Z a-z 0-9 . _ -\n");
        return NULL;
    }
    const char *listen =
        mm_setup_ask(s, "listen", "Address the edges connect to (ZeroMQ)", "tcp://0.0.0.0:7400");
    if (!listen)
        return NULL;
    json_t *http = http_section(s, self, confdir, creddir);
    const char *state =
        http ? mm_setup_ask(s, "state-dir", "State directory", "/var/lib/mimamori/hub") : NULL;
    const char *city = state ? mm_setup_ask(s, "city-name", "City (shown to residents)", "")
                             : NULL;
    const char *contact =
        city ? mm_setup_ask(s, "city-contact", "City's contact for residents", "") : NULL;
    if (!contact) {
        json_decref(http);
        return NULL;
    }
    char kf[4096];
    snprintf(kf, sizeof kf, "%.2000s/%s", creddir, strcmp(creddir, confdir) ? "curve.key" : "hub.key");
    if (mm_setup_mkdirs(creddir, 0700) != 0 || make_keys(name, kf, k) != 0) {
        json_decref(http);
        return NULL;
    }
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:o, s:[]}", "name", name, "key_file",
                            strcmp(creddir, confdir) ? "credential:hub_curve.key" : kf,
                            "state_dir", state, "listen", listen, "http", http, "sites");
    if (*city || *contact)
        json_object_set_new(doc, "city", json_pack("{s:s, s:s}", "name", city, "contact",
                                                   contact));
    return doc;
}

static int print_public(const mm_keypair_t *k, const char *listen)
{
    char verifier[MM_VERIFIER_MAX];
    if (mm_keys_verifier(k, verifier, sizeof verifier) != MM_OK)
        return 1;
    printf("{\"name\": \"%s\", \"verifier\": \"%s\", \"curve_public\": \"%s\", "
           "\"endpoint\": \"%s\"}\n",
           k->name, verifier, k->curve_public, listen);
    return 0;
}

int hub_setup_main(int argc, char **argv)
{
    mm_setup_t s;
    int begun = mm_setup_begin(&s, argc, argv, "mimamori-hub", usage);
    if (begun >= 0)
        return begun;
    mm_diag_init("hub", MM_DIAG_INFO);
    const char *config = mm_setup_opt(&s, "config");
    config = config ? config : "/etc/mimamori/hub.json";
    char confdir[4096];
    snprintf(confdir, sizeof confdir, "%s", config);
    char *slash = strrchr(confdir, '/');
    if (!slash)
        snprintf(confdir, sizeof confdir, ".");
    else
        slash[slash == confdir] = 0;
    const char *cred = mm_setup_opt(&s, "credentials");
    const char *creddir =
        !cred ? "/etc/mimamori/credentials/hub" : !strcmp(cred, "none") ? confdir : cred;
    if (access(config, F_OK) == 0) {
        fprintf(stderr, "mimamori-hub setup: %s exists: not overwritten (move it away first)\n",
                config);
        return 1;
    }
    mm_keypair_t k = {0};
    if (mm_setup_mkdirs(confdir, 0750) != 0)
        return 1;
    json_t *doc = ask_all(&s, argv[0], confdir, creddir, &k);
    int rc = doc ? 0 : 2;
    char staged[64] = "";
    if (doc && strcmp(creddir, confdir) != 0 &&
        mm_setup_stage_credentials("hub", creddir, staged, sizeof staged) != 0)
        rc = 1;
    if (rc == 0 && mm_setup_write_config(doc, config, check) != 0)
        rc = 1;
    if (staged[0])
        mm_setup_unstage_credentials(staged);
    if (rc == 0) {
        fprintf(stderr, "mimamori-hub setup: wrote %s; the hub's public keys for the edges:\n",
                config);
        rc = print_public(&k, json_string_value(json_object_get(doc, "listen")));
    }
    json_decref(doc);
    mm_keys_wipe(&k);
    mm_setup_done(&s);
    return rc;
}
