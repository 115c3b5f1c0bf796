/*
 * console_tls.c: the console's certificate and TLS context (see console_tls.h), made by
 * common/tls.h.
 */
#include "edge/console_tls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/diag.h"
#include "edge/store.h"

#define CERT_DAYS (10 * 365)

mm_err_t edge_console_cert_make(const char *dir, const char *site, const char *host, char *msg,
                                size_t cap)
{
    char cert_path[EDGE_PATH_MAX + 16], key_path[EDGE_PATH_MAX + 16], cn[128];
    snprintf(cert_path, sizeof cert_path, "%s/cert.pem", dir);
    snprintf(key_path, sizeof key_path, "%s/key.pem", dir);
    if (access(cert_path, F_OK) == 0 || access(key_path, F_OK) == 0)
        return mm_errf(MM_EEXIST, msg, cap, "%s already holds a certificate or key", dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return mm_errf(MM_EIO, msg, cap, "cannot make %s: %s", dir, strerror(errno));
    int wildcard = !strcmp(host, "0.0.0.0") || !strcmp(host, "::");
    const char *names[] = {"localhost", "127.0.0.1", host};
    snprintf(cn, sizeof cn, "mimamori %s console", site);
    return mm_tls_cert_make(cert_path, key_path, cn, names, wildcard ? 2 : 3, CERT_DAYS, msg, cap);
}

mm_err_t edge_console_tls(const edge_console_conf_t *cfg, const char *state_dir, const char *site,
                          SSL_CTX **out, char fp[EDGE_FINGERPRINT_LEN], char *msg, size_t cap)
{
    char dir[EDGE_PATH_MAX], cert[EDGE_PATH_MAX + 16], key[EDGE_PATH_MAX + 16];
    if (snprintf(dir, sizeof dir, "%s/console", state_dir) >= (int)sizeof dir)
        return mm_errf(MM_EINVAL, msg, cap, "the state directory's path is too long");
    snprintf(cert, sizeof cert, "%s", cfg->cert ? cfg->cert : "");
    snprintf(key, sizeof key, "%s", cfg->key ? cfg->key : "");
    if (!cfg->cert) {
        snprintf(cert, sizeof cert, "%s/cert.pem", dir);
        snprintf(key, sizeof key, "%s/key.pem", dir);
        if (access(cert, F_OK) != 0 && access(key, F_OK) != 0) {
            mm_err_t err = edge_console_cert_make(dir, site, cfg->listen.host, msg, cap);
            if (err != MM_OK)
                return err;
            MM_INFO("console: made a self-signed certificate in %s", dir);
        }
    }
    return mm_tls_server_context(cert, key, "console.cert", "console.key", out, fp, msg, cap);
}
