/*
 * console_tls.c: the console's certificate and TLS context (see console_tls.h).
 */
#include "edge/console_tls.h"

#include <errno.h>
#include <fcntl.h>
#include <h2o.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/diag.h"
#include "edge/store.h"

#define CERT_DAYS (10 * 365)

/* The library's last error, for a message. */
static const char *ssl_error(void)
{
    static char buf[160];
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (!e)
        return "no detail";
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

/* Adds extension nid (value as openssl's config syntax) to x, issued by itself. */
static int add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    int ok = ext && X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* A self-signed certificate for key. */
static X509 *self_signed(EVP_PKEY *key, const char *site, const char *host)
{
    X509 *x = X509_new();
    char cn[128], san[160];
    unsigned char serial[16];
    int wildcard = !strcmp(host, "0.0.0.0") || !strcmp(host, "::") || !strcmp(host, "127.0.0.1");
    snprintf(cn, sizeof cn, "mimamori %s console", site);
    snprintf(san, sizeof san, "DNS:localhost,IP:127.0.0.1%s%s",
             wildcard ? "" : ",IP:", wildcard ? "" : host);
    BIGNUM *bn = NULL;
    int ok = x && RAND_bytes(serial, sizeof serial) == 1 &&
             (bn = BN_bin2bn(serial, sizeof serial, NULL)) &&
             BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) && X509_set_version(x, 2) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(x), (long)CERT_DAYS * 86400) &&
             X509_set_pubkey(x, key) &&
             X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                                        (const unsigned char *)cn, -1, -1, 0) &&
             X509_set_issuer_name(x, X509_get_subject_name(x)) &&
             add_ext(x, NID_subject_alt_name, san) &&
             add_ext(x, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, NID_key_usage, "critical,digitalSignature") &&
             add_ext(x, NID_ext_key_usage, "serverAuth") && X509_sign(x, key, EVP_sha256()) > 0;
    BN_free(bn);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Writes a PEM file at path (mode) through a temporary file and a rename. */
static int write_pem(const char *path, int mode, EVP_PKEY *key, X509 *cert)
{
    char tmp[EDGE_PATH_MAX + 24];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int ok =
        key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, cert);
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

mm_err_t edge_console_cert_make(const char *dir, const char *site, const char *host, char *msg,
                                size_t cap)
{
    char cert_path[EDGE_PATH_MAX + 16], key_path[EDGE_PATH_MAX + 16];
    snprintf(cert_path, sizeof cert_path, "%s/cert.pem", dir);
    snprintf(key_path, sizeof key_path, "%s/key.pem", dir);
    if (access(cert_path, F_OK) == 0 || access(key_path, F_OK) == 0)
        return mm_errf(MM_EEXIST, msg, cap, "%s already holds a certificate or key", dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return mm_errf(MM_EIO, msg, cap, "cannot make %s: %s", dir, strerror(errno));
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = key ? self_signed(key, site, host) : NULL;
    mm_err_t err = MM_OK;
    if (!x)
        err = mm_errf(MM_ECRYPTO, msg, cap, "cannot make a certificate: %s", ssl_error());
    else if (write_pem(key_path, 0600, key, NULL) != 0 || write_pem(cert_path, 0644, NULL, x) != 0)
        err = mm_errf(MM_EIO, msg, cap, "cannot write the certificate into %s: %s", dir,
                      strerror(errno));
    X509_free(x);
    EVP_PKEY_free(key);
    return err;
}

/* The SHA-256 of the certificate in ctx as "AB:CD:...". */
static int fingerprint(SSL_CTX *ctx, char fp[EDGE_FINGERPRINT_LEN])
{
    X509 *x = SSL_CTX_get0_certificate(ctx);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!x || !X509_digest(x, EVP_sha256(), md, &n) || n != 32)
        return -1;
    for (unsigned i = 0; i < n; i++)
        snprintf(fp + 3 * i, EDGE_FINGERPRINT_LEN - 3 * i, "%02X%s", md[i], i + 1 < n ? ":" : "");
    return 0;
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
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return mm_errf(MM_ECRYPTO, msg, cap, "no TLS context: %s", ssl_error());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    mm_err_t err = MM_OK;
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
        err = mm_errf(MM_ECONFIG, msg, cap, "console.cert: cannot use %s: %s", cert, ssl_error());
    else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        err = mm_errf(MM_ECONFIG, msg, cap, "console.key: cannot use %s: %s", key, ssl_error());
    else if (SSL_CTX_check_private_key(ctx) != 1)
        err = mm_errf(MM_ECONFIG, msg, cap, "console.key: %s is not the key of %s", key, cert);
    else if (fingerprint(ctx, fp) != 0)
        err = mm_errf(MM_ECRYPTO, msg, cap, "cannot take the fingerprint of %s", cert);
    if (err != MM_OK) {
        SSL_CTX_free(ctx);
        return err;
    }
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
    *out = ctx;
    return MM_OK;
}
