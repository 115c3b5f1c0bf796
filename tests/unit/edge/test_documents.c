/*
 * test_documents.c: the standards documents the edge keeps and sends (edge/documents, R-N4.2) —
 * kept byte for byte and replaced whole; offered one version at a time, lowest first; a version
 * the hub answered is not offered again, not even after a restart, while one without a record is;
 * a version too large for a filing is recorded unsendable; a send that is not taken is offered
 * again at the next pump.
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

#include "edge/documents.h"

typedef struct {
    char dir[64];
    char docs[96];
    edge_store_t *st;
    /* what send saw */
    uint32_t sent[16];
    size_t n_sent;
    char last_md[256];
    size_t last_html_len;
    mm_err_t answer; /* what send returns */
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-documents-XXXXXX");
    if (!mkdtemp(f->dir) || edge_store_open(f->dir, &f->st) != MM_OK)
        return -1;
    snprintf(f->docs, sizeof f->docs, "%s/standards", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    edge_store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static mm_err_t fake_send(void *arg, const mm_filing_document_t *d)
{
    fixture_t *f = arg;
    if (f->answer != MM_OK)
        return f->answer;
    assert_true(f->n_sent < 16);
    f->sent[f->n_sent++] = d->version;
    snprintf(f->last_md, sizeof f->last_md, "%.*s", (int)d->markdown_len,
             (const char *)d->markdown);
    f->last_html_len = d->html_len;
    return MM_OK;
}

static edge_documents_t *sender(fixture_t *f)
{
    edge_documents_t *d;
    edge_documents_conf_t c = {.dir = f->docs, .store = f->st, .send = fake_send, .arg = f};
    assert_int_equal(edge_documents_create(&c, &d), MM_OK);
    return d;
}

/* Kept as given, replaced whole; a version without HTML loses the old HTML. */
static void test_documents_keeps_what_was_rendered(void **state)
{
    fixture_t *f = *state;
    assert_false(edge_documents_kept(f->docs, 1));
    assert_int_equal(edge_documents_keep(f->docs, 1, "# 基準 第1版\n", "<p>第1版</p>"), MM_OK);
    assert_true(edge_documents_kept(f->docs, 1));
    uint8_t *md, *html;
    size_t ml, hl;
    assert_int_equal(edge_documents_load(f->docs, 1, &md, &ml, &html, &hl), MM_OK);
    assert_int_equal(ml, strlen("# 基準 第1版\n"));
    assert_memory_equal(md, "# 基準 第1版\n", ml);
    assert_int_equal(hl, strlen("<p>第1版</p>"));
    assert_memory_equal(html, "<p>第1版</p>", hl);
    free(md);
    free(html);
    struct stat st;
    char path[160];
    snprintf(path, sizeof path, "%s/1.md", f->docs);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/1.md.tmp", f->docs);
    assert_int_not_equal(stat(path, &st), 0);

    assert_int_equal(edge_documents_keep(f->docs, 1, "# x\n", NULL), MM_OK);
    assert_int_equal(edge_documents_load(f->docs, 1, &md, &ml, &html, &hl), MM_OK);
    assert_int_equal(ml, 4);
    assert_null(html);
    assert_int_equal(hl, 0);
    free(md);
    assert_int_equal(edge_documents_load(f->docs, 2, &md, &ml, &html, &hl), MM_ENOTFOUND);
    assert_int_equal(edge_documents_keep(f->docs, 0, "# x\n", NULL), MM_EINVAL);
}

/* R-N4.2: one at a time, lowest first; answered versions are never offered again, even by a
 * new sender after a restart; a version whose record is lost is offered again. */
static void test_documents_sends_each_version_until_answered(void **state)
{
    fixture_t *f = *state;
    for (uint32_t v = 1; v <= 3; v++) {
        char md[32];
        snprintf(md, sizeof md, "# version %u\n", v);
        assert_int_equal(edge_documents_keep(f->docs, v, md, v == 2 ? NULL : "<p>h</p>"), MM_OK);
    }
    edge_documents_t *d = sender(f);
    edge_documents_pump(d);
    edge_documents_pump(d); /* one in flight: nothing more */
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(f->sent[0], 1);
    assert_string_equal(f->last_md, "# version 1\n");
    assert_int_equal(f->last_html_len, 8);
    edge_documents_done(d, 1, 1, "");
    assert_int_equal(f->n_sent, 2);
    assert_int_equal(f->sent[1], 2);
    assert_int_equal(f->last_html_len, 0);
    edge_documents_done(d, 2, 0, "the Markdown does not hash to the logged document_hash");
    assert_int_equal(f->sent[2], 3);
    edge_documents_destroy(d); /* a stop before the hub answered version 3 */

    char buf[512];
    size_t len;
    assert_int_equal(edge_store_meta_get(f->st, "document/1", buf, sizeof buf - 1, &len), MM_OK);
    buf[len] = 0;
    assert_non_null(strstr(buf, "\"status\":\"ok\""));
    assert_int_equal(edge_store_meta_get(f->st, "document/2", buf, sizeof buf - 1, &len), MM_OK);
    buf[len] = 0;
    assert_non_null(strstr(buf, "\"status\":\"refused\""));
    assert_non_null(strstr(buf, "document_hash"));
    assert_int_equal(edge_store_meta_get(f->st, "document/3", buf, sizeof buf, &len), MM_ENOTFOUND);

    /* After a restart: only version 3 again; then a new version 4. */
    f->n_sent = 0;
    d = sender(f);
    edge_documents_pump(d);
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(f->sent[0], 3);
    edge_documents_done(d, 3, 1, "");
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(edge_documents_keep(f->docs, 4, "# version 4\n", "<p>4</p>"), MM_OK);
    edge_documents_pump(d);
    assert_int_equal(f->n_sent, 2);
    assert_int_equal(f->sent[1], 4);
    edge_documents_destroy(d);
}

/* Not taken (the uplink is away): offered again at the next pump. Too large: recorded
 * unsendable and passed over. */
static void test_documents_passes_over_what_cannot_go(void **state)
{
    fixture_t *f = *state;
    char *big = malloc(MM_DOCUMENT_MAX + 2);
    memset(big, 'x', MM_DOCUMENT_MAX + 1);
    big[MM_DOCUMENT_MAX + 1] = 0;
    assert_int_equal(edge_documents_keep(f->docs, 1, big, NULL), MM_OK);
    free(big);
    assert_int_equal(edge_documents_keep(f->docs, 2, "# version 2\n", NULL), MM_OK);
    edge_documents_t *d = sender(f);
    f->answer = MM_ECLOSED;
    edge_documents_pump(d);
    assert_int_equal(f->n_sent, 0);
    f->answer = MM_OK;
    edge_documents_pump(d);
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(f->sent[0], 2);
    char buf[512];
    size_t len;
    assert_int_equal(edge_store_meta_get(f->st, "document/1", buf, sizeof buf - 1, &len), MM_OK);
    buf[len] = 0;
    assert_non_null(strstr(buf, "\"status\":\"unsendable\""));
    edge_documents_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_documents_keeps_what_was_rendered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_documents_sends_each_version_until_answered, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_documents_passes_over_what_cannot_go, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
