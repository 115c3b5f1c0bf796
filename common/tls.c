/*
 * tls.c: server contexts and self-signed certificates (see tls.h).
 */
#include "common/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <h2o.h>
#include <limits.h>
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

#include "common/files.h"

#define SAN_MAX 1024

/* The library's last error, for a message. */
static const char *ssl_error(char *buf, size_t cap)
{
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (!e)
        return "no detail";
    ERR_error_string_n(e, buf, cap);
    return buf;
}

int mm_tls_host_loopback(const char *host)
{
    struct in_addr a4;
    if (!strcmp(host, "localhost") || !strcmp(host, "::1"))
        return 1;
    return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* --- certificates --------------------------------------------------------------------------- */

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

/* Whether name may stand in a certificate as a DNS name: letters, digits, '-', '.', '*'. */
static int dns_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.*", name[i]))
            return 0;
    return 1;
}

/* "DNS:a,IP:b,...", each name once, into san. */
static mm_err_t san_list(const char *const *names, size_t n, char *san, size_t cap, char *msg,
                         size_t mcap)
{
    size_t len = 0;
    san[0] = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char buf[16];
        int ip = inet_pton(AF_INET, names[i], buf) == 1 || inet_pton(AF_INET6, names[i], buf) == 1;
        if (!ip && !dns_name_ok(names[i]))
            return mm_errf(MM_EINVAL, msg, mcap,
                           "\"%.80s\" is neither an IP address nor a host name", names[i]);
        int seen = 0;
        for (size_t k = 0; k < i; k++)
            seen |= !strcmp(names[k], names[i]);
        if (seen)
            continue;
        int w =
            snprintf(san + len, cap - len, "%s%s:%s", len ? "," : "", ip ? "IP" : "DNS", names[i]);
        if (w < 0 || (size_t)w >= cap - len)
            return mm_errf(MM_EINVAL, msg, mcap, "too many names for one certificate");
        len += (size_t)w;
    }
    if (!len)
        return mm_errf(MM_EINVAL, msg, mcap, "a certificate needs a host name or address");
    return MM_OK;
}

/* A self-signed certificate for key. */
static X509 *self_signed(EVP_PKEY *key, const char *cn, const char *san, int days)
{
    X509 *x = X509_new();
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    int ok = x && RAND_bytes(serial, sizeof serial) == 1 &&
             (bn = BN_bin2bn(serial, sizeof serial, NULL)) &&
             BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) && X509_set_version(x, 2) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400) &&
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

/* Writes a PEM file at path (mode) through a temporary file that is then linked to path, so
 * that an existing path is never replaced (EEXIST). */
static int write_pem(const char *path, int mode, EVP_PKEY *key, X509 *cert)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid()) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    FILE *f = fd >= 0 && fchmod(fd, (mode_t)mode) == 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        errno = e;
        return -1;
    }
    int ok =
        key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, cert);
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    int e = ok ? 0 : (errno ? errno : EIO);
    if (fclose(f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && link(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    unlink(tmp);
    if (!ok) {
        errno = e;
        return -1;
    }
    mm_dir_sync_of(path);
    return 0;
}

mm_err_t mm_tls_cert_make(const char *cert_path, const char *key_path, const char *cn,
                          const char *const *names, size_t n, int days, char *msg, size_t cap)
{
    char san[SAN_MAX], why[160];
    if (days < 1 || days > MM_TLS_DAYS_MAX)
        return mm_errf(MM_EINVAL, msg, cap, "the days a certificate is valid must be 1 to %d",
                       MM_TLS_DAYS_MAX);
    mm_err_t err = san_list(names, n, san, sizeof san, msg, cap);
    if (err != MM_OK)
        return err;
    const char *there = access(cert_path, F_OK) == 0  ? cert_path
                        : access(key_path, F_OK) == 0 ? key_path
                                                      : NULL;
    if (there)
        return mm_errf(MM_EEXIST, msg, cap, "%s already exists; it is never replaced", there);
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = key ? self_signed(key, cn, san, days) : NULL;
    if (!x) {
        err = mm_errf(MM_ECRYPTO, msg, cap, "cannot make a certificate: %s",
                      ssl_error(why, sizeof why));
    } else if (write_pem(key_path, 0600, key, NULL) != 0) {
        err = mm_errf(errno == EEXIST ? MM_EEXIST : MM_EIO, msg, cap, "cannot write %s: %s",
                      key_path, strerror(errno));
    } else if (write_pem(cert_path, 0644, NULL, x) != 0) {
        err = mm_errf(errno == EEXIST ? MM_EEXIST : MM_EIO, msg, cap, "cannot write %s: %s",
                      cert_path, strerror(errno));
        unlink(key_path); /* made just now: a key without its certificate serves nobody */
    }
    X509_free(x);
    EVP_PKEY_free(key);
    return err;
}

/* --- contexts ------------------------------------------------------------------------------- */

/* The SHA-256 of the certificate in ctx as "AB:CD:...". */
static int fingerprint(SSL_CTX *ctx, char fp[MM_TLS_FINGERPRINT_LEN])
{
    X509 *x = SSL_CTX_get0_certificate(ctx);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!x || !X509_digest(x, EVP_sha256(), md, &n) || n != 32)
        return -1;
    for (unsigned i = 0; i < n; i++)
        snprintf(fp + 3 * i, MM_TLS_FINGERPRINT_LEN - 3 * i, "%02X%s", md[i], i + 1 < n ? ":" : "");
    return 0;
}

/* The private key in path, refused when the file is not a regular file only its owner reads. */
static mm_err_t read_key(const char *path, const char *name, EVP_PKEY **out, char *msg, size_t cap)
{
    char why[160];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        mm_err_t err =
            mm_errf(MM_ECONFIG, msg, cap, "%s: cannot read %s: %s", name, path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return err;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
        close(fd);
        if (!S_ISREG(st.st_mode))
            return mm_errf(MM_ECONFIG, msg, cap, "%s: %s is not a regular file", name, path);
        return mm_errf(MM_ECONFIG, msg, cap,
                       "%s: the private key %s may be read by group or others (mode %03o); "
                       "chmod 600 it (and make a new key if others may have read it)",
                       name, path, (unsigned)(st.st_mode & 0777));
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return mm_errf(MM_ECONFIG, msg, cap, "%s: cannot read %s: %s", name, path, strerror(errno));
    }
    *out = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!*out)
        return mm_errf(MM_ECONFIG, msg, cap, "%s: %s holds no PEM private key: %s", name, path,
                       ssl_error(why, sizeof why));
    return MM_OK;
}

mm_err_t mm_tls_server_context(const char *cert, const char *key, const char *cert_name,
                               const char *key_name, SSL_CTX **out, char fp[MM_TLS_FINGERPRINT_LEN],
                               char *msg, size_t cap)
{
    char why[160];
    EVP_PKEY *pkey = NULL;
    mm_err_t err = read_key(key, key_name, &pkey, msg, cap);
    if (err != MM_OK)
        return err;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        EVP_PKEY_free(pkey);
        return mm_errf(MM_ECRYPTO, msg, cap, "no TLS context: %s", ssl_error(why, sizeof why));
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
        err = mm_errf(MM_ECONFIG, msg, cap, "%s: cannot use %s: %s", cert_name, cert,
                      ssl_error(why, sizeof why));
    else if (SSL_CTX_use_PrivateKey(ctx, pkey) != 1 || SSL_CTX_check_private_key(ctx) != 1)
        err = mm_errf(MM_ECONFIG, msg, cap, "%s: %s is not the key of %s", key_name, key, cert);
    else if (fp && fingerprint(ctx, fp) != 0)
        err = mm_errf(MM_ECRYPTO, msg, cap, "cannot take the fingerprint of %s", cert);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    if (err != MM_OK) {
        SSL_CTX_free(ctx);
        return err;
    }
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
    *out = ctx;
    return MM_OK;
}
