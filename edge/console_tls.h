/*
 * console_tls.h: the site console's certificate and TLS context.
 *
 * The certificate is the configuration's ("console": {"cert", "key"}: PEM files, a chain
 * allowed), or else one the edge makes at its first start and keeps: a self-signed ECDSA P-256
 * certificate for "mimamori <site> console" (valid ten years, names localhost, 127.0.0.1 and the
 * address listened on) in <state_dir>/console/cert.pem, its key in key.pem (mode 0600). Nobody
 * vouches for a certificate the edge made itself: a manager checks its SHA-256 fingerprint,
 * which `mimamori-edge status` shows, against the one the browser shows, once.
 *
 * The context is common/tls.h's, as the hub's: TLS 1.2 and 1.3 only, h2 and http/1.1 by ALPN,
 * a key readable by group or others refused.
 */
#ifndef EDGE_CONSOLE_TLS_H
#define EDGE_CONSOLE_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>

#include "common/err.h"
#include "common/tls.h"
#include "edge/siteconf.h"

/* "AB:CD:...": 32 bytes as upper-case hex pairs joined by ':', and a NUL. */
#define EDGE_FINGERPRINT_LEN MM_TLS_FINGERPRINT_LEN

/*
 * The console's TLS context into *ctx (the caller frees it with SSL_CTX_free) and its
 * certificate's fingerprint into fp: from cfg's cert and key, or the edge's own in
 * <state_dir>/console/, made first when missing. MM_OK, or MM_ECONFIG / MM_EIO / MM_ECRYPTO with
 * what went wrong in msg (cap bytes), naming the file.
 */
mm_err_t edge_console_tls(const edge_console_conf_t *cfg, const char *state_dir, const char *site,
                          SSL_CTX **ctx, char fp[EDGE_FINGERPRINT_LEN], char *msg, size_t cap);

/* Makes a self-signed certificate for site in dir (cert.pem, key.pem 0600), replacing none:
 * MM_EEXIST when either file is there. host: the address listened on, named in the certificate
 * unless it is a wildcard ("0.0.0.0", "::"). */
mm_err_t edge_console_cert_make(const char *dir, const char *site, const char *host, char *msg,
                                size_t cap);

#endif
