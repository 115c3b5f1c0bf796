/*
 * test_tls.c: self-signed certificates (the key 0600, the names, never overwriting) and server
 * contexts (TLS 1.2 at least, a loose or mismatched key refused naming the file), R-N7.7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common/tls.h"

typedef struct {
    char dir[64];
    char cert[128], key[128];
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-tls-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->cert, sizeof f->cert, "%s/hub.crt", f->dir);
    snprintf(f->key, sizeof f->key, "%s/hub.key", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static const char *const names[] = {"hub.example.jp", "192.0.2.7", "::1", "hub.example.jp"};

static void make_and_use(void **state)
{
    fx_t *f = *state;
    char msg[600];
    assert_int_equal(mm_tls_cert_make(f->cert, f->key, "mimamori hub", names, 4, 30, msg,
                                      sizeof msg),
                     MM_OK);
    struct stat st;
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(f->cert, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* The names, once each, as DNS or IP. */
    FILE *fp = fopen(f->cert, "r");
    X509 *x = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    assert_non_null(x);
    GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    assert_non_null(san);
    assert_int_equal(sk_GENERAL_NAME_num(san), 3);
    assert_int_equal(sk_GENERAL_NAME_value(san, 0)->type, GEN_DNS);
    assert_int_equal(sk_GENERAL_NAME_value(san, 1)->type, GEN_IPADD);
    assert_int_equal(sk_GENERAL_NAME_value(san, 2)->type, GEN_IPADD);
    GENERAL_NAMES_free(san);
    assert_int_equal(X509_check_host(x, "hub.example.jp", 0, 0, NULL), 1);
    assert_int_equal(X509_check_ip_asc(x, "192.0.2.7", 0), 1);
    X509_free(x);

    SSL_CTX *ctx = NULL;
    char fp_text[MM_TLS_FINGERPRINT_LEN];
    assert_int_equal(mm_tls_server_context(f->cert, f->key, "c", "k", &ctx, fp_text, msg,
                                           sizeof msg),
                     MM_OK);
    assert_int_equal(strlen(fp_text), 95);
    assert_int_equal(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    SSL_CTX_free(ctx);

    /* Never overwritten: neither file changes. */
    char other[160];
    snprintf(other, sizeof other, "%s/other.key", f->dir);
    assert_int_equal(mm_tls_cert_make(f->cert, other, "x", names, 1, 30, msg, sizeof msg),
                     MM_EEXIST);
    assert_non_null(strstr(msg, "hub.crt already exists"));
    assert_int_equal(access(other, F_OK), -1);
    assert_int_equal(mm_tls_cert_make(other, f->key, "x", names, 1, 30, msg, sizeof msg),
                     MM_EEXIST);
}

static void refusals(void **state)
{
    fx_t *f = *state;
    char msg[600], key2[160], cert2[160];
    SSL_CTX *ctx = NULL;
    assert_int_equal(mm_tls_cert_make(f->cert, f->key, "a", names, 1, 1, msg, sizeof msg), MM_OK);
    snprintf(cert2, sizeof cert2, "%s/b.crt", f->dir);
    snprintf(key2, sizeof key2, "%s/b.key", f->dir);
    assert_int_equal(mm_tls_cert_make(cert2, key2, "b", names, 1, 1, msg, sizeof msg), MM_OK);

    /* A key group or others may read. */
    assert_int_equal(chmod(f->key, 0640), 0);
    assert_int_equal(mm_tls_server_context(f->cert, f->key, "http.tls.certificate",
                                           "http.tls.private_key", &ctx, NULL, msg, sizeof msg),
                     MM_ECONFIG);
    assert_non_null(strstr(msg, "http.tls.private_key: the private key"));
    assert_non_null(strstr(msg, "mode 640"));
    assert_non_null(strstr(msg, "chmod 600"));
    assert_int_equal(chmod(f->key, 0600), 0);
    /* Another certificate's key; a missing file; a certificate that is no PEM. */
    assert_int_equal(mm_tls_server_context(f->cert, key2, "c", "k", &ctx, NULL, msg, sizeof msg),
                     MM_ECONFIG);
    assert_non_null(strstr(msg, "is not the key of"));
    assert_int_equal(mm_tls_server_context(f->cert, "/nonexistent/k", "c", "k", &ctx, NULL, msg,
                                           sizeof msg),
                     MM_ECONFIG);
    assert_non_null(strstr(msg, "k: cannot read /nonexistent/k"));
    assert_int_equal(mm_tls_server_context(f->key, f->key, "c", "k", &ctx, NULL, msg, sizeof msg),
                     MM_ECONFIG);
    assert_non_null(strstr(msg, "c: cannot use"));

    /* Bad names and days. */
    const char *bad[] = {"no such host"};
    char c3[160], k3[160];
    snprintf(c3, sizeof c3, "%s/c.crt", f->dir);
    snprintf(k3, sizeof k3, "%s/c.key", f->dir);
    assert_int_equal(mm_tls_cert_make(c3, k3, "c", bad, 1, 1, msg, sizeof msg), MM_EINVAL);
    assert_int_equal(mm_tls_cert_make(c3, k3, "c", names, 0, 1, msg, sizeof msg), MM_EINVAL);
    assert_int_equal(mm_tls_cert_make(c3, k3, "c", names, 1, 0, msg, sizeof msg), MM_EINVAL);
    assert_int_equal(access(k3, F_OK), -1);
}

static void loopback(void **state)
{
    (void)state;
    assert_true(mm_tls_host_loopback("127.0.0.1"));
    assert_true(mm_tls_host_loopback("127.1.2.3"));
    assert_true(mm_tls_host_loopback("::1"));
    assert_true(mm_tls_host_loopback("localhost"));
    assert_false(mm_tls_host_loopback("0.0.0.0"));
    assert_false(mm_tls_host_loopback("::"));
    assert_false(mm_tls_host_loopback("192.168.1.10"));
    assert_false(mm_tls_host_loopback("localhost.example"));
    assert_false(mm_tls_host_loopback("128.0.0.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(make_and_use, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals, setup, teardown),
        cmocka_unit_test(loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
