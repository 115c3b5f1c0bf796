/*
 * test_store.c: the edge store — a segment's index row and its log entry are one record; the
 * index finds a camera's segments by time; everything survives a reopen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/crypto.h"
#include "edge/store.h"

static char dir[] = "/tmp/mm-test-store-XXXXXX";

static void make_seg(mm_segment_recorded_t *s, const char *camera, int64_t start)
{
    memset(s, 0, sizeof *s);
    snprintf(s->camera, sizeof s->camera, "%s", camera);
    s->start_us = start;
    s->end_us = start + 10000000;
    s->bytes = (uint64_t)start / 1000;
    s->frames = 150;
    mm_sha256(&start, sizeof start, s->content_hash);
    snprintf(s->codec, sizeof s->codec, "h264");
}

typedef struct {
    int n;
    int64_t starts[16];
    char files[16][EDGE_PATH_MAX];
} found_t;

static int collect(const edge_segment_row_t *row, void *arg)
{
    found_t *f = arg;
    mm_segment_recorded_t want;
    make_seg(&want, row->seg.camera, row->seg.start_us);
    assert_memory_equal(row->seg.content_hash, want.content_hash, 32);
    assert_int_equal(row->seg.end_us, want.end_us);
    assert_int_equal(row->seg.bytes, want.bytes);
    assert_int_equal(row->seg.frames, 150);
    assert_string_equal(row->seg.codec, "h264");
    f->starts[f->n] = row->seg.start_us;
    snprintf(f->files[f->n], sizeof f->files[0], "%s", row->file);
    f->n++;
    return 0;
}

static void records_and_finds(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    edge_store_t *st;
    assert_int_equal(edge_store_open(dir, &st), MM_OK);

    /* cam1 and cam10 share a prefix: the index must keep them apart. */
    const char *cams[] = {"cam1", "cam10", "cam1", "cam1", "cam10"};
    const int64_t starts[] = {1000000000, 1000000000, 1010000000, 1020000000, 1010000000};
    for (int i = 0; i < 5; i++) {
        mm_segment_recorded_t s;
        make_seg(&s, cams[i], starts[i]);
        char file[64];
        snprintf(file, sizeof file, "%s/%lld.mmseg", cams[i], (long long)starts[i]);
        uint64_t index = 99;
        assert_int_equal(edge_store_add_segment(st, &s, file, 5000000000 + i, &index), MM_OK);
        assert_int_equal(index, (uint64_t)i);
    }
    uint64_t size;
    assert_int_equal(edge_store_size(st, &size), MM_OK);
    assert_int_equal(size, 5);

    found_t f = {0};
    assert_int_equal(edge_store_segments(st, "cam1", 0, INT64_MAX, collect, &f), MM_OK);
    assert_int_equal(f.n, 3);
    assert_int_equal(f.starts[0], 1000000000);
    assert_int_equal(f.starts[2], 1020000000);
    assert_string_equal(f.files[1], "cam1/1010000000.mmseg");

    memset(&f, 0, sizeof f);
    assert_int_equal(edge_store_segments(st, "cam1", 1005000000, 1020000000, collect, &f), MM_OK);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.starts[0], 1010000000);

    memset(&f, 0, sizeof f);
    assert_int_equal(edge_store_segments(st, "cam10", 0, INT64_MAX, collect, &f), MM_OK);
    assert_int_equal(f.n, 2);
    memset(&f, 0, sizeof f);
    assert_int_equal(edge_store_segments(st, "cam2", 0, INT64_MAX, collect, &f), MM_OK);
    assert_int_equal(f.n, 0);

    /* Log entries are the segments, in order. */
    mm_bytes_t *e = NULL;
    assert_int_equal(edge_store_entries(st, 1, 3, &e), MM_OK);
    for (int i = 0; i < 3; i++) {
        mm_entry_t ent;
        assert_int_equal(mm_entry_decode(e[i].data, e[i].len, &ent), MM_OK);
        assert_int_equal(ent.kind, MM_ENTRY_SEGMENT_RECORDED);
        assert_string_equal(ent.u.segment_recorded.camera, cams[i + 1]);
        assert_int_equal(ent.u.segment_recorded.start_us, starts[i + 1]);
        assert_int_equal(ent.time_us, 5000000000 + i + 1);
    }
    free(e);
    assert_int_equal(edge_store_entries(st, 3, 3, &e), MM_ERANGE);

    /* Roots: the stored tree agrees with one computed from the entries. */
    mm_hash_t leaves[5], root, want;
    assert_int_equal(edge_store_entries(st, 0, 5, &e), MM_OK);
    for (int i = 0; i < 5; i++)
        mm_merkle_leaf_hash(e[i].data, e[i].len, &leaves[i]);
    free(e);
    mm_hash_t l01, l23, l0123;
    mm_merkle_node_hash(&leaves[0], &leaves[1], &l01);
    mm_merkle_node_hash(&leaves[2], &leaves[3], &l23);
    mm_merkle_node_hash(&l01, &l23, &l0123);
    mm_merkle_node_hash(&l0123, &leaves[4], &want);
    assert_int_equal(edge_store_root(st, 5, &root), MM_OK);
    assert_memory_equal(root.b, want.b, 32);

    uint64_t acked;
    assert_int_equal(edge_store_acked(st, &acked), MM_OK);
    assert_int_equal(acked, 0);
    assert_int_equal(edge_store_set_acked(st, 4, "note\n", 5), MM_OK);
    edge_store_close(st);

    /* Reopen: all still there. */
    assert_int_equal(edge_store_open(dir, &st), MM_OK);
    assert_int_equal(edge_store_size(st, &size), MM_OK);
    assert_int_equal(size, 5);
    assert_int_equal(edge_store_acked(st, &acked), MM_OK);
    assert_int_equal(acked, 4);
    assert_int_equal(edge_store_root(st, 5, &root), MM_OK);
    assert_memory_equal(root.b, want.b, 32);
    edge_store_close(st);
}

static void refuses_bad_rows(void **state)
{
    (void)state;
    edge_store_t *st;
    assert_int_equal(edge_store_open(dir, &st), MM_OK);
    mm_segment_recorded_t s;
    make_seg(&s, "", 1);
    assert_int_equal(edge_store_add_segment(st, &s, "f", 1, NULL), MM_EINVAL);
    make_seg(&s, "cam1", 1);
    char longname[EDGE_PATH_MAX + 8];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_int_equal(edge_store_add_segment(st, &s, longname, 1, NULL), MM_EINVAL);
    uint64_t size;
    assert_int_equal(edge_store_size(st, &size), MM_OK);
    assert_int_equal(size, 5);
    edge_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

typedef struct {
    int n;
    edge_segment_row_t rows[4];
} rows_t;

static int keep_row(const edge_segment_row_t *row, void *arg)
{
    rows_t *r = arg;
    assert_true(r->n < 4);
    r->rows[r->n++] = *row;
    return 0;
}

/* A row keeps its file name only when it is not the usual one; both read back the same. */
static void row_file_names_and_codecs(void **state)
{
    (void)state;
    char d[] = "/tmp/mm-test-store-rows-XXXXXX";
    assert_non_null(mkdtemp(d));
    edge_store_t *st;
    assert_int_equal(edge_store_open(d, &st), MM_OK);
    mm_segment_recorded_t a, b;
    make_seg(&a, "door", 3000000000);
    make_seg(&b, "door", 3010000000);
    snprintf(b.codec, sizeof b.codec, "hevc");
    b.frames = 7;
    assert_int_equal(edge_store_add_segment(st, &a, "door/3000000000.mmseg", 1, NULL), MM_OK);
    assert_int_equal(edge_store_add_segment(st, &b, "moved/elsewhere.mmseg", 2, NULL), MM_OK);
    rows_t r = {0};
    assert_int_equal(edge_store_segments(st, "door", 0, INT64_MAX, keep_row, &r), MM_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.rows[0].file, "door/3000000000.mmseg");
    assert_string_equal(r.rows[0].seg.codec, "h264");
    assert_int_equal(r.rows[0].log_index, 0);
    assert_string_equal(r.rows[1].file, "moved/elsewhere.mmseg");
    assert_string_equal(r.rows[1].seg.codec, "hevc");
    assert_int_equal(r.rows[1].seg.frames, 7);
    assert_int_equal(r.rows[1].seg.bytes, b.bytes);
    assert_int_equal(r.rows[1].seg.end_us, b.end_us);
    assert_memory_equal(r.rows[1].seg.content_hash, b.content_hash, 32);
    assert_int_equal(r.rows[1].log_index, 1);
    edge_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d);
    assert_int_equal(system(cmd), 0);
}

typedef struct {
    int n;
    char names[4][MM_ID_MAX];
} names_t;

static int keep_name(const char *camera, void *arg)
{
    names_t *n = arg;
    assert_true(n->n < 4);
    snprintf(n->names[n->n++], MM_ID_MAX, "%s", camera);
    return 0;
}

/* Cameras are listed while they have a row; the last segment is the latest; an unknown camera
 * has none; erasing rows of a camera that never recorded still logs the entry. */
static void cameras_last_and_erase(void **state)
{
    (void)state;
    char d[] = "/tmp/mm-test-store-cams-XXXXXX";
    assert_non_null(mkdtemp(d));
    edge_store_t *st;
    assert_int_equal(edge_store_open(d, &st), MM_OK);
    const char *cams[] = {"gate", "gate", "yard", "gate"};
    const int64_t starts[] = {4000000000, 4010000000, 4000000000, 4020000000};
    for (int i = 0; i < 4; i++) {
        mm_segment_recorded_t s;
        make_seg(&s, cams[i], starts[i]);
        char file[64];
        snprintf(file, sizeof file, "%s/%lld.mmseg", cams[i], (long long)starts[i]);
        assert_int_equal(edge_store_add_segment(st, &s, file, 1, NULL), MM_OK);
    }
    names_t n = {0};
    assert_int_equal(edge_store_cameras(st, keep_name, &n), MM_OK);
    assert_int_equal(n.n, 2);
    assert_string_equal(n.names[0], "gate");
    assert_string_equal(n.names[1], "yard");

    edge_segment_row_t row;
    assert_int_equal(edge_store_last_segment(st, "gate", &row), MM_OK);
    assert_int_equal(row.seg.start_us, 4020000000);
    assert_string_equal(row.seg.camera, "gate");
    assert_int_equal(edge_store_last_segment(st, "nobody", &row), MM_ENOTFOUND);

    int64_t yard = 4000000000;
    static mm_entry_t e = {.time_us = 2, .kind = MM_ENTRY_SEGMENTS_ERASED};
    mm_segments_erased_t *er = &e.u.segments_erased;
    snprintf(er->camera, sizeof er->camera, "yard");
    er->reason = MM_ERASE_REASON_RETENTION;
    er->start_us = yard;
    er->end_us = yard + 10000000;
    er->count = 1;
    er->n_content_hashes = 1;
    uint64_t index = 0;
    assert_int_equal(edge_store_erase(st, "yard", &yard, 1, &e, &index), MM_OK);
    assert_int_equal(index, 4);
    assert_int_equal(edge_store_last_segment(st, "yard", &row), MM_ENOTFOUND);
    snprintf(er->camera, sizeof er->camera, "nobody");
    assert_int_equal(edge_store_erase(st, "nobody", &yard, 1, &e, &index), MM_OK);
    assert_int_equal(index, 5);
    memset(&n, 0, sizeof n);
    assert_int_equal(edge_store_cameras(st, keep_name, &n), MM_OK);
    assert_int_equal(n.n, 1);
    assert_string_equal(n.names[0], "gate");

    /* Closed and opened again, the rows are found the same way. */
    edge_store_close(st);
    assert_int_equal(edge_store_open(d, &st), MM_OK);
    assert_int_equal(edge_store_last_segment(st, "gate", &row), MM_OK);
    assert_int_equal(row.seg.start_us, 4020000000);
    edge_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d);
    assert_int_equal(system(cmd), 0);
}

static int keep_meta(const char *name, size_t name_len, const void *val, size_t len, void *arg)
{
    char *seen = arg;
    size_t n = strlen(seen);
    snprintf(seen + n, 256 - n, "%.*s=%.*s;", (int)name_len, name, (int)len, (const char *)val);
    return strncmp(name, "request/c", 9) == 0; /* stops after the first request/c... */
}

/* Meta values are walked by prefix, in name order, and the walk stops when asked. */
static void meta_values_by_prefix(void **state)
{
    (void)state;
    char d[] = "/tmp/mm-test-store-meta-XXXXXX";
    assert_non_null(mkdtemp(d));
    edge_store_t *st;
    assert_int_equal(edge_store_open(d, &st), MM_OK);
    const char *names[] = {"request/b", "requests", "request/a", "reques", "request/c", "request/d"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_int_equal(edge_store_meta_put(st, names[i], "v", 1), MM_OK);
    char seen[256] = "";
    assert_int_equal(edge_store_meta_each(st, "request/", keep_meta, seen), MM_OK);
    assert_string_equal(seen, "request/a=v;request/b=v;request/c=v;");
    seen[0] = 0;
    assert_int_equal(edge_store_meta_each(st, "nothing/", keep_meta, seen), MM_OK);
    assert_string_equal(seen, "");
    assert_int_equal(edge_store_meta_each(st, "", keep_meta, seen), MM_EINVAL);
    edge_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d);
    assert_int_equal(system(cmd), 0);
}

/* A store whose index is the single table of earlier versions is refused with a message. */
static void refuses_old_single_table_index(void **state)
{
    (void)state;
    char d[] = "/tmp/mm-test-store-old-XXXXXX";
    assert_non_null(mkdtemp(d));
    mm_db_t *db;
    MDB_dbi old;
    assert_int_equal(mm_db_open(d, 0, 4, &db), MM_OK);
    assert_int_equal(mm_db_dbi(db, "seg.index", 0, &old), MM_OK);
    mm_db_close(db);
    edge_store_t *st = NULL;
    assert_int_equal(edge_store_open(d, &st), MM_ECORRUPT);
    assert_null(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_and_finds),
        cmocka_unit_test(refuses_bad_rows),
        cmocka_unit_test(row_file_names_and_codecs),
        cmocka_unit_test(cameras_last_and_erase),
        cmocka_unit_test(refuses_old_single_table_index),
        cmocka_unit_test(meta_values_by_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
