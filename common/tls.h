/*
 * tls.h: the TLS both web servers speak — the hub's API and dashboard (hub/http.h) and the
 * edge's site console (edge/console_tls.h) — and the self-signed certificates the edge makes
 * for itself and `mimamori-keys tls` makes for tests, the demo and a first setup.
 *
 * A context speaks TLS 1.2 and 1.3 only (no compression, no renegotiation, the server's cipher
 * order) and offers h2 by ALPN; a client that offers only http/1.1, or no ALPN, speaks HTTP/1.1.
 * Its private key is read from a regular file that neither group nor others may read: a key
 * that may have leaked is refused, not used.
 */
#ifndef MM_TLS_H
#define MM_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>

#include "common/err.h"

/* "AB:CD:...": 32 bytes as upper-case hex pairs joined by ':', and a NUL. */
#define MM_TLS_FINGERPRINT_LEN 96
#define MM_TLS_DAYS_MAX (100 * 365)

/*
 * A server context into *out (the caller frees it with SSL_CTX_free) from the PEM certificate
 * (a chain allowed) in cert and the PEM private key in key; cert_name and key_name are the
 * configuration keys that named them ("http.tls.certificate"), for messages. fp (NULL: not
 * wanted) gets the certificate's SHA-256 fingerprint. MM_OK, or MM_ECONFIG (a file missing,
 * unreadable, not PEM, a key readable by group or others, a key that is not the certificate's)
 * / MM_ECRYPTO with what went wrong in msg (cap bytes), naming the key and the file.
 */
mm_err_t mm_tls_server_context(const char *cert, const char *key, const char *cert_name,
                               const char *key_name, SSL_CTX **out, char fp[MM_TLS_FINGERPRINT_LEN],
                               char *msg, size_t cap);

/*
 * Makes a self-signed certificate (ECDSA P-256, SHA-256, serverAuth, not a CA, valid from an
 * hour ago for days days) for the subject common name cn, naming names[0..n) as its subject
 * alternative names (an IPv4 or IPv6 address as IP:, anything else as DNS:; duplicates once),
 * and writes the certificate to cert_path (mode 0644) and its key to key_path (mode 0600), each
 * through a temporary file, never replacing a file: MM_EEXIST when either is there (nothing
 * written then). MM_EINVAL for no name, a name that is neither an address nor a host name, or
 * days outside 1..MM_TLS_DAYS_MAX; MM_EIO, MM_ECRYPTO. msg (cap bytes) says what went wrong.
 */
mm_err_t mm_tls_cert_make(const char *cert_path, const char *key_path, const char *cn,
                          const char *const *names, size_t n, int days, char *msg, size_t cap);

/* Whether host names this machine only: "127.0.0.1" (any 127.x.y.z), "::1" or "localhost". */
int mm_tls_host_loopback(const char *host);

#endif
