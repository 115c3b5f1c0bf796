/*
 * vault_fixture.h: a real vault for the tests of footage at rest and of retention
 * (test_vault.c, test_retention.c): a real LMDB store, a real keyring with its hold key files,
 * and segment files of cam1 and cam2 written with its keys and indexed the way ingest and app.c
 * do (record). Epochs start at E0; a retention of KEEP is the tests' usual one.
 *
 * Included by one test program each: everything here is static, and marked unused so that a
 * program takes only what it needs.
 */
#ifndef MM_TEST_VAULT_FIXTURE_H
#define MM_TEST_VAULT_FIXTURE_H

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

#include "common/crypto.h"
#include "edge/keyring.h"
#include "edge/segment.h"
#include "edge/store.h"
#include "edge/vault.h"

#define FX_UNUSED __attribute__((unused))

#define H EDGE_EPOCH_US
#define DAY (24 * H)
#define KEEP (7 * DAY)
#define E0 472222LL /* the first epoch */
#define T0 (E0 * H)

typedef struct {
    char dir[64];
    char segdir[128];
    edge_store_t *store;
    edge_keyring_t *kr;
    edge_vault_t *v;
} fx_t;

FX_UNUSED static void fx_open(fx_t *f)
{
    char p[160];
    snprintf(p, sizeof p, "%s/db", f->dir);
    assert_int_equal(edge_store_open(p, &f->store), MM_OK);
    snprintf(p, sizeof p, "%s/keys", f->dir);
    assert_int_equal(edge_keyring_open(p, T0, &f->kr), MM_OK);
    assert_int_equal(edge_vault_create(f->store, f->kr, f->segdir, &f->v), MM_OK);
}

FX_UNUSED static void fx_close(fx_t *f)
{
    edge_vault_destroy(f->v);
    edge_keyring_close(f->kr);
    edge_store_close(f->store);
}

FX_UNUSED static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-vault-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->segdir, sizeof f->segdir, "%s/segments", f->dir);
    assert_int_equal(mkdir(f->segdir, 0700), 0);
    char p[160];
    snprintf(p, sizeof p, "%s/cam1", f->segdir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/cam2", f->segdir);
    assert_int_equal(mkdir(p, 0700), 0);
    fx_open(f);
    *state = f;
    return 0;
}

FX_UNUSED static int teardown(void **state)
{
    fx_t *f = *state;
    fx_close(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Records a 10-second segment of camera at start, the way ingest and app.c do. */
FX_UNUSED static void record(fx_t *f, const char *camera, int64_t start, int64_t len_us,
                             edge_segment_info_t *out)
{
    char dir[160];
    snprintf(dir, sizeof dir, "%s/%s", f->segdir, camera);
    uint8_t salt[EDGE_SEG_SALT_LEN], key[EDGE_SEG_KEY_LEN];
    assert_int_equal(mm_random(salt, sizeof salt), MM_OK);
    int64_t epoch = edge_epoch_of(start);
    assert_int_equal(edge_keyring_segment_key(f->kr, epoch, camera, start, salt, key), MM_OK);
    edge_segment_writer_t *w;
    assert_int_equal(edge_segment_create(dir, camera, "h264", NULL, 0, start, epoch, salt, key, &w),
                     MM_OK);
    uint8_t frame[64] = {0, 0, 0, 1, 0x65};
    for (int i = 0; i < 10; i++) {
        frame[5] = (uint8_t)i;
        memcpy(frame + 6, &start, sizeof start);
        assert_int_equal(
            edge_segment_write(w, start + i * (len_us / 10), i, i == 0, frame, sizeof frame),
            MM_OK);
    }
    edge_segment_info_t info;
    assert_int_equal(edge_segment_finish(w, start + len_us, &info), MM_OK);
    mm_segment_recorded_t seg = {0};
    snprintf(seg.camera, sizeof seg.camera, "%s", camera);
    seg.start_us = start;
    seg.end_us = info.end_us;
    seg.bytes = info.bytes;
    seg.frames = info.frames;
    memcpy(seg.content_hash, info.content_hash, 32);
    snprintf(seg.codec, sizeof seg.codec, "h264");
    char file[128];
    snprintf(file, sizeof file, "%s/%lld.mmseg", camera, (long long)start);
    assert_int_equal(edge_store_add_segment(f->store, &seg, file, start + len_us, NULL), MM_OK);
    if (out)
        *out = info;
}

FX_UNUSED static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

FX_UNUSED static void copy_file(const char *from, const char *to)
{
    char cmd[2 * EDGE_SEG_PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    assert_int_equal(system(cmd), 0);
}

FX_UNUSED static int count_rows(const edge_segment_row_t *row, void *arg)
{
    (void)row;
    (*(int *)arg)++;
    return 0;
}

FX_UNUSED static int rows(fx_t *f, const char *camera)
{
    int n = 0;
    assert_int_equal(edge_store_segments(f->store, camera, 0, INT64_MAX, count_rows, &n), MM_OK);
    return n;
}

/* Decodes log entry i. */
FX_UNUSED static void entry_at(fx_t *f, uint64_t i, mm_entry_t *e)
{
    mm_bytes_t *b;
    assert_int_equal(edge_store_entries(f->store, i, 1, &b), MM_OK);
    assert_int_equal(mm_entry_decode(b[0].data, b[0].len, e), MM_OK);
    free(b);
}

FX_UNUSED static uint64_t log_size(fx_t *f)
{
    uint64_t n;
    assert_int_equal(edge_store_size(f->store, &n), MM_OK);
    return n;
}

/* A key callback that hands out one fixed key. */
FX_UNUSED static mm_err_t fixed_key(void *arg, const edge_segment_info_t *hdr,
                                    uint8_t key[EDGE_SEG_KEY_LEN])
{
    (void)hdr;
    memcpy(key, arg, EDGE_SEG_KEY_LEN);
    return MM_OK;
}

/*
 * Tries every key the store can still produce for the file: the vault's own lookup, and the
 * segment key derived from every epoch key from the oldest kept to two days past it.
 * Returns 1 if any of them opens it.
 */
FX_UNUSED static int any_key_opens(fx_t *f, const char *path)
{
    edge_segment_info_t info;
    if (edge_segment_verify(path, edge_vault_segment_key, f->v, &info) == MM_OK)
        return 1;
    edge_segment_reader_t *r;
    edge_segment_info_t hdr;
    uint8_t zero[EDGE_SEG_KEY_LEN] = {0};
    /* Read the header (the key does not matter for that). */
    assert_int_equal(edge_segment_open(path, fixed_key, zero, &r, &hdr), MM_OK);
    edge_segment_close(r);
    int64_t h0 = edge_keyring_oldest(f->kr);
    for (int64_t e = h0; e < h0 + 48; e++) {
        uint8_t key[EDGE_SEG_KEY_LEN];
        assert_int_equal(
            edge_keyring_segment_key(f->kr, e, hdr.camera, hdr.start_us, hdr.salt, key), MM_OK);
        if (edge_segment_verify(path, fixed_key, key, &info) == MM_OK)
            return 1;
    }
    return 0;
}

#endif
