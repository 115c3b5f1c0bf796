/*
 * mimamori-keys: makes the key pairs of a site or of the hub and prints their public halves in
 * the form the other side's configuration takes; and makes a self-signed TLS certificate for
 * the hub's HTTPS (tests, the demo, a first setup).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/keys.h"
#include "common/note.h"
#include "common/tls.h"

static void usage(FILE *f)
{
    fputs("usage: mimamori-keys generate --name NAME --out FILE\n"
          "       mimamori-keys show FILE\n"
          "       mimamori-keys tls --host HOST --cert FILE --key FILE [--days N]\n"
          "\n"
          "generate  creates FILE (mode 0600, never overwritten) with a new Ed25519 signing pair\n"
          "          and a CURVE transport pair named NAME (a site id, or the hub's name), and\n"
          "          prints the public halves.\n"
          "show      prints the public halves of an existing key file.\n"
          "tls       makes a self-signed certificate (ECDSA P-256) naming HOST (a host name or\n"
          "          an IP address; localhost and 127.0.0.1 are named too) valid for N days\n"
          "          (default 825), into --cert (0644) and its private key into --key (0600);\n"
          "          neither file is ever overwritten. For the hub's \"http\": {\"tls\":\n"
          "          {\"certificate\", \"private_key\"}}; clients trust the certificate itself\n"
          "          (curl --cacert FILE). Prints its SHA-256 fingerprint.\n"
          "\n"
          "The output is one JSON object: {\"name\", \"verifier\", \"curve_public\"}. A hub\n"
          "configuration takes a site's verifier and curve_public in its \"sites\" list; an edge\n"
          "configuration takes the hub's under \"hub\".\n"
          "Exit status: 0 done, 1 failure, 2 wrong usage.\n",
          f);
}

static int print_public(const mm_keypair_t *k)
{
    char verifier[MM_VERIFIER_MAX];
    if (mm_keys_verifier(k, verifier, sizeof verifier) != MM_OK) {
        fputs("mimamori-keys: cannot format the verifier key\n", stderr);
        return 1;
    }
    json_t *o = json_pack("{s:s, s:s, s:s}", "name", k->name, "verifier", verifier,
                          "curve_public", k->curve_public);
    char *text = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    if (!text) {
        json_decref(o);
        return 1;
    }
    puts(text);
    free(text);
    json_decref(o);
    return 0;
}

static int generate(int argc, char **argv)
{
    const char *name = NULL, *out = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else {
            fprintf(stderr, "mimamori-keys generate: unknown or incomplete argument \"%s\"\n",
                    argv[i]);
            return 2;
        }
    }
    if (!name || !out) {
        fputs("mimamori-keys generate: --name NAME and --out FILE are required\n", stderr);
        return 2;
    }
    mm_keypair_t k;
    mm_err_t err = mm_keys_generate(name, &k);
    if (err == MM_EINVAL) {
        fprintf(stderr,
                "mimamori-keys: name \"%s\" must be 1-63 characters of A-Z a-z 0-9 . _ -\n",
                name);
        return 2;
    }
    if (err != MM_OK) {
        fprintf(stderr, "mimamori-keys: cannot generate keys: %s\n", mm_strerror(err));
        return 1;
    }
    err = mm_keys_save(&k, out);
    if (err != MM_OK) {
        mm_keys_wipe(&k);
        if (err == MM_EEXIST)
            fprintf(stderr, "mimamori-keys: %s already exists; it is never overwritten\n", out);
        else
            fprintf(stderr, "mimamori-keys: cannot write %s: %s\n", out, mm_strerror(err));
        return 1;
    }
    int rc = print_public(&k);
    mm_keys_wipe(&k);
    return rc;
}

static int show(int argc, char **argv)
{
    if (argc != 1) {
        fputs("mimamori-keys show: exactly one FILE\n", stderr);
        return 2;
    }
    mm_keypair_t k;
    char err[512];
    if (mm_keys_load(argv[0], &k, err, sizeof err) != MM_OK) {
        fprintf(stderr, "mimamori-keys: %s\n", err);
        return 1;
    }
    int rc = print_public(&k);
    mm_keys_wipe(&k);
    return rc;
}

static int tls(int argc, char **argv)
{
    const char *host = NULL, *cert = NULL, *key = NULL;
    int days = 825;
    for (int i = 0; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc)
            host = argv[++i];
        else if (strcmp(argv[i], "--cert") == 0 && i + 1 < argc)
            cert = argv[++i];
        else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            key = argv[++i];
        else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc &&
                 (days = (int)strtol(argv[i + 1], &end, 10), end && !*end && end != argv[i + 1]))
            i++;
        else {
            fprintf(stderr, "mimamori-keys tls: unknown or incomplete argument \"%s\"\n", argv[i]);
            return 2;
        }
    }
    if (!host || !cert || !key) {
        fputs("mimamori-keys tls: --host HOST, --cert FILE and --key FILE are required\n", stderr);
        return 2;
    }
    if (strcmp(cert, key) == 0) {
        fputs("mimamori-keys tls: --cert and --key must be two files\n", stderr);
        return 2;
    }
    const char *names[] = {host, "localhost", "127.0.0.1"};
    char cn[160], msg[600];
    snprintf(cn, sizeof cn, "mimamori %.100s", host);
    mm_err_t err = mm_tls_cert_make(cert, key, cn, names, 3, days, msg, sizeof msg);
    if (err != MM_OK) {
        fprintf(stderr, "mimamori-keys tls: %s\n", msg);
        return err == MM_EINVAL ? 2 : 1;
    }
    SSL_CTX *ctx = NULL;
    char fp[MM_TLS_FINGERPRINT_LEN];
    if (mm_tls_server_context(cert, key, "--cert", "--key", &ctx, fp, msg, sizeof msg) != MM_OK) {
        fprintf(stderr, "mimamori-keys tls: %s\n", msg);
        return 1;
    }
    SSL_CTX_free(ctx);
    json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "certificate", cert, "private_key", key,
                          "host", host, "days", days, "sha256", fp);
    char *text = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    if (text)
        puts(text);
    free(text);
    json_decref(o);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
    if (strcmp(argv[1], "generate") == 0)
        return generate(argc - 2, argv + 2);
    if (strcmp(argv[1], "show") == 0)
        return show(argc - 2, argv + 2);
    if (strcmp(argv[1], "tls") == 0)
        return tls(argc - 2, argv + 2);
    fprintf(stderr, "mimamori-keys: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
