/*
 * test_documents.c: the standards documents at the hub (hub/documents), judged against a site's
 * record learned from real encoded entries as the mirror applies them (R-N4.2): a document whose
 * Markdown hashes to the logged document_hash is stored and read back; one that does not is
 * refused, stored nowhere and raised as a document_mismatch finding with its evidence; a version
 * the log does not hold yet is "not yet"; an unfiled version that a newer one superseded is
 * refused without a finding; a resend is answered OK and writes nothing, another HTML for a
 * version held is refused; HTML that is not UTF-8 is refused.
 */
#include "hub_fixture.h"
#include "common/crypto.h"
#include "hub/documents.h"

#define T0 (1779246000LL * 1000000)

typedef struct {
    hubfx_t fx;
    hub_documents_t *docs;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    hubfx_open(&f->fx, "documents", HUBFX_REGISTRY | HUBFX_FINDINGS);
    assert_int_equal(hub_documents_open(f->fx.db, f->fx.reg, f->fx.findings, &f->docs), MM_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hub_documents_close(f->docs);
    hubfx_close(&f->fx);
    free(f);
    return 0;
}

static const char *markdown(uint32_t version)
{
    return version == 1 ? "# 防犯カメラ設置運用基準\n\n第1版\n"
                        : "# 防犯カメラ設置運用基準\n\n第2版\n";
}

static const char HTML[] = "<!DOCTYPE html><html lang=\"ja\"><body><h1>基準</h1></body></html>";

/* configuration_changed of version, its document_hash that of markdown(version). */
static mm_entry_t changed(uint32_t version)
{
    mm_entry_t e = {.time_us = T0 + version, .kind = MM_ENTRY_CONFIGURATION_CHANGED};
    mm_configuration_changed_t *c = &e.u.configuration_changed;
    c->version = version;
    mm_sha256(markdown(version), strlen(markdown(version)), c->document_hash);
    memset(c->config_hash, 0xc0, 32);
    c->policy = MM_POLICY_NAHA;
    c->cameras = 1;
    snprintf(c->summary, sizeof c->summary, "version %u", version);
    return e;
}

static mm_entry_t filed(uint32_t version)
{
    mm_entry_t e = {.time_us = T0 + 100 + version, .kind = MM_ENTRY_STANDARDS_FILED};
    e.u.standards_filed.version = version;
    mm_sha256(markdown(version), strlen(markdown(version)), e.u.standards_filed.document_hash);
    e.u.standards_filed.automatic = 1;
    return e;
}

typedef struct {
    hub_registry_t *reg;
    uint64_t index;
    const mm_entry_t *e;
} one_t;

static mm_err_t apply_txn(MDB_txn *txn, void *arg)
{
    one_t *o = arg;
    hub_registry_batch_t rb;
    hub_registry_batch_begin(&rb, o->reg, txn, "site-a");
    uint8_t *data;
    size_t len;
    mm_entry_t *e = malloc(sizeof *e);
    assert_non_null(e);
    assert_int_equal(mm_entry_encode(o->e, &data, &len), MM_OK);
    assert_int_equal(mm_entry_decode(data, len, e), MM_OK);
    free(data);
    assert_int_equal(hub_registry_apply(&rb, o->index, e), MM_OK);
    free(e);
    return hub_registry_batch_end(&rb, 1);
}

/* The site's log gets e at index, as the mirror applies it. */
static void logged(fx_t *f, uint64_t index, mm_entry_t e)
{
    one_t o = {f->fx.reg, index, &e};
    assert_int_equal(mm_db_write(f->fx.db, apply_txn, &o), MM_OK);
}

static mm_document_status_t send(fx_t *f, uint32_t version, const char *md, const char *html,
                                 char *reason)
{
    mm_filing_document_t d = {.version = version,
                              .markdown = (const uint8_t *)md,
                              .markdown_len = strlen(md),
                              .html = (const uint8_t *)html,
                              .html_len = html ? strlen(html) : 0};
    mm_document_ack_t a;
    hub_documents_receive(f->docs, "site-a", &d, T0 + 5000, &a);
    assert_int_equal(a.version, version);
    if (reason)
        strcpy(reason, a.reason);
    return a.status;
}

static size_t count_findings(fx_t *f, const char *kind)
{
    json_t *all = hubfx_findings(&f->fx);
    size_t n = 0, i;
    json_t *v;
    json_array_foreach(all, i, v) n += !strcmp(json_string_value(json_object_get(v, "kind")), kind);
    json_decref(all);
    return n;
}

/* R-N4.2: the document the log vouches for is kept, byte for byte, with its hash and time. */
static void test_documents_stores_the_logged_document(void **state)
{
    fx_t *f = *state;
    char why[512];
    assert_int_equal(send(f, 1, markdown(1), HTML, why), MM_DOCUMENT_NOT_YET);
    assert_non_null(strstr(why, "does not yet hold version 1"));
    logged(f, 3, changed(1));
    /* Not filed yet (a site that files by hand): the standards it runs under vouch for it. */
    assert_int_equal(send(f, 1, markdown(1), HTML, NULL), MM_DOCUMENT_OK);
    hub_document_t doc;
    assert_int_equal(hub_documents_get(f->docs, "site-a", 1, &doc), MM_OK);
    assert_int_equal(doc.version, 1);
    assert_int_equal(doc.received_us, T0 + 5000);
    assert_string_equal(doc.markdown, markdown(1));
    assert_int_equal(doc.markdown_len, strlen(markdown(1)));
    assert_string_equal(doc.html, HTML);
    uint8_t h[32];
    mm_sha256(markdown(1), strlen(markdown(1)), h);
    assert_memory_equal(doc.sha256, h, 32);
    hub_document_deinit(&doc);
    assert_int_equal(hub_documents_get(f->docs, "site-a", 2, &doc), MM_ENOTFOUND);
    assert_int_equal(hub_documents_get(f->docs, "site-b", 1, &doc), MM_ENOTFOUND);

    /* Sent again: OK, nothing rewritten (the first time stays). */
    logged(f, 4, filed(1));
    assert_int_equal(send(f, 1, markdown(1), HTML, NULL), MM_DOCUMENT_OK);
    /* Another HTML for the version held: refused, the first kept. */
    assert_int_equal(send(f, 1, markdown(1), "<p>другое</p>", why), MM_DOCUMENT_REFUSED);
    assert_non_null(strstr(why, "another HTML"));
    assert_int_equal(hub_documents_get(f->docs, "site-a", 1, &doc), MM_OK);
    assert_string_equal(doc.html, HTML);
    hub_document_deinit(&doc);
    assert_int_equal(count_findings(f, "document_mismatch"), 0);
}

/* R-N4.2: a Markdown that is not the one logged is refused, not stored, and a finding with the
 * version and both hashes as evidence. */
static void test_documents_refuses_a_tampered_document(void **state)
{
    fx_t *f = *state;
    logged(f, 3, changed(1));
    logged(f, 4, filed(1));
    char why[512];
    const char *tampered = "# 防犯カメラ設置運用基準\n\n第1版（改ざん）\n";
    assert_int_equal(send(f, 1, tampered, HTML, why), MM_DOCUMENT_REFUSED);
    char logged_hex[65], got_hex[65];
    uint8_t h[32];
    mm_sha256(markdown(1), strlen(markdown(1)), h);
    mm_hex32(h, logged_hex);
    mm_sha256(tampered, strlen(tampered), h);
    mm_hex32(h, got_hex);
    assert_non_null(strstr(why, logged_hex));
    assert_non_null(strstr(why, got_hex));
    hub_document_t doc;
    assert_int_equal(hub_documents_get(f->docs, "site-a", 1, &doc), MM_ENOTFOUND);

    json_t *all = hubfx_findings(&f->fx);
    assert_int_equal(json_array_size(all), 1);
    json_t *x = json_array_get(all, 0);
    assert_string_equal(json_string_value(json_object_get(x, "kind")), "document_mismatch");
    assert_string_equal(json_string_value(json_object_get(x, "severity")), "high");
    assert_string_equal(json_string_value(json_object_get(x, "site")), "site-a");
    json_t *ev = json_object_get(x, "evidence");
    assert_int_equal(json_integer_value(json_object_get(ev, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(ev, "logged_hash")), logged_hex);
    assert_string_equal(json_string_value(json_object_get(ev, "received_hash")), got_hex);
    json_decref(all);

    /* Sent again: the same finding, counted; the true document is still taken after. */
    assert_int_equal(send(f, 1, tampered, HTML, NULL), MM_DOCUMENT_REFUSED);
    assert_int_equal(count_findings(f, "document_mismatch"), 1);
    assert_int_equal(send(f, 1, markdown(1), HTML, NULL), MM_DOCUMENT_OK);
}

/* A version left unfiled and superseded is refused without a finding; a version filed before a
 * newer one runs is still taken, against its filing's hash. */
static void test_documents_knows_versions_by_their_filings(void **state)
{
    fx_t *f = *state;
    logged(f, 3, changed(1));
    logged(f, 5, changed(2));
    char why[512];
    assert_int_equal(send(f, 1, markdown(1), HTML, why), MM_DOCUMENT_REFUSED);
    assert_non_null(strstr(why, "never filed"));
    assert_int_equal(count_findings(f, "document_mismatch"), 0);
    assert_int_equal(send(f, 2, markdown(2), NULL, NULL), MM_DOCUMENT_OK);
    assert_int_equal(send(f, 3, markdown(2), NULL, NULL), MM_DOCUMENT_NOT_YET);

    logged(f, 6, filed(2));
    logged(f, 8, changed(3));
    /* Version 2 runs no more but was filed: its filing vouches; no HTML is kept as "". */
    assert_int_equal(send(f, 2, markdown(2), NULL, NULL), MM_DOCUMENT_OK);
    hub_document_t doc;
    assert_int_equal(hub_documents_get(f->docs, "site-a", 2, &doc), MM_OK);
    assert_string_equal(doc.html, "");
    assert_int_equal(doc.html_len, 0);
    hub_document_deinit(&doc);
}

/* HTML (or Markdown) that is not UTF-8 text is refused and not stored. */
static void test_documents_refuses_html_that_is_not_text(void **state)
{
    fx_t *f = *state;
    logged(f, 3, changed(1));
    char why[512];
    assert_int_equal(send(f, 1, markdown(1), "<p>\xff\xfe</p>", why), MM_DOCUMENT_REFUSED);
    assert_non_null(strstr(why, "HTML"));
    mm_filing_document_t d = {.version = 1,
                              .markdown = (const uint8_t *)markdown(1),
                              .markdown_len = strlen(markdown(1)),
                              .html = (const uint8_t *)"a\0b",
                              .html_len = 3};
    mm_document_ack_t a;
    hub_documents_receive(f->docs, "site-a", &d, T0, &a);
    assert_int_equal(a.status, MM_DOCUMENT_REFUSED);
    hub_document_t doc;
    assert_int_equal(hub_documents_get(f->docs, "site-a", 1, &doc), MM_ENOTFOUND);
    assert_int_equal(count_findings(f, "document_mismatch"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_documents_stores_the_logged_document, setup, teardown),
        cmocka_unit_test_setup_teardown(test_documents_refuses_a_tampered_document, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_documents_knows_versions_by_their_filings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_documents_refuses_html_that_is_not_text, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
