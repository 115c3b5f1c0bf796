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

#include "crypto.h"
#include "store.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_and_finds),
        cmocka_unit_test(refuses_bad_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
