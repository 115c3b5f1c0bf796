/*
 * test_scrub.c: the edge's audit of its log (R-K2.2.6d) — the root of leaves given one by one is
 * RFC 6962's, an intact log is silent, an entry whose bytes were edited after the hub cosigned it
 * is log_entry_altered at its index, and a tree whose stored root no longer is the cosigned one
 * is log_root_mismatch in the quick form; of real recorded footage (footage_fixture.h), a deleted
 * segment is segment_missing in the quick form and the full pass, one altered in place (same
 * size) is segment_altered in the full pass only, and an intact store is silent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lmdb.h>

#include "footage_fixture.h"

#include "common/crypto.h"
#include "common/note.h"
#include "edge/scrub.h"

static void root_is_rfc6962(void **state)
{
    (void)state;
    mm_hash_t leaves[70], want, got;
    for (uint64_t n = 0; n <= 70; n++) {
        edge_scrub_root_t r;
        edge_scrub_root_init(&r);
        for (uint64_t i = 0; i < n; i++) {
            uint8_t b = (uint8_t)i;
            mm_merkle_leaf_hash(&b, 1, &leaves[i]);
            edge_scrub_root_add(&r, &leaves[i]);
        }
        if (n == 70)
            break;
        edge_scrub_root_get(&r, &got);
        if (n == 0)
            mm_merkle_empty_root(&want);
        else
            assert_int_equal(mm_merkle_root(mm_merkle_leaves_node, leaves, n, &want), MM_OK);
        assert_memory_equal(got.b, want.b, MM_HASH_LEN);
    }
}

typedef struct {
    int n;
    mm_integrity_fault_t f[8];
} got_t;

static void on_fault(void *arg, const mm_integrity_fault_t *f)
{
    got_t *g = arg;
    if (g->n < 8)
        g->f[g->n] = *f;
    g->n++;
}

/* A store of n segment entries whose checkpoint at size n the "hub" cosigned. */
static edge_store_t *store_of(char *dir, uint64_t n)
{
    assert_non_null(mkdtemp(dir));
    edge_store_t *st;
    assert_int_equal(edge_store_open(dir, &st), MM_OK);
    for (uint64_t i = 0; i < n; i++) {
        mm_segment_recorded_t s = {0};
        snprintf(s.camera, sizeof s.camera, "cam1");
        s.start_us = 1000000000LL + (int64_t)i * 2000000;
        s.end_us = s.start_us + 2000000;
        s.frames = 50;
        mm_sha256(&i, sizeof i, s.content_hash);
        assert_int_equal(edge_store_add_segment(st, &s, "cam1/x.mmseg", s.start_us, NULL), MM_OK);
    }
    mm_checkpoint_t cp = {.size = n};
    snprintf(cp.origin, sizeof cp.origin, "mimamori/site/site-a");
    assert_int_equal(edge_store_root(st, n, &cp.root), MM_OK);
    mm_ed25519_t key;
    assert_int_equal(mm_ed25519_generate(&key), MM_OK);
    char note[4096];
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, "site-a", &key, note, sizeof note, &len), MM_OK);
    mm_ed25519_wipe(&key);
    assert_int_equal(edge_store_set_acked(st, n, note, len), MM_OK);
    return st;
}

/* Flips one byte of entry index's stored bytes, as someone with the disk would. */
static void edit_entry(const char *dir, uint64_t index)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 256);
    assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "log.entries", 0, &dbi), 0);
    uint8_t k[12] = {0, 0, 0, 1};
    for (int i = 0; i < 8; i++)
        k[4 + i] = (uint8_t)(index >> (56 - 8 * i));
    MDB_val key = {sizeof k, k}, val;
    assert_int_equal(mdb_get(txn, dbi, &key, &val), 0);
    uint8_t *copy = malloc(val.mv_size);
    memcpy(copy, val.mv_data, val.mv_size);
    copy[val.mv_size - 3] ^= 0x01; /* inside the content hash */
    MDB_val nv = {val.mv_size, copy};
    assert_int_equal(mdb_put(txn, dbi, &key, &nv, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    free(copy);
    mdb_env_close(env);
}

static void log_check(void **state)
{
    (void)state;
    char dir[] = "/tmp/mm-test-scrub-XXXXXX";
    edge_store_t *st = store_of(dir, 37);
    got_t g = {0};
    edge_scrub_sink_t sink = {on_fault, NULL, &g};
    assert_int_equal(edge_scrub_log(st, 1, &sink), MM_OK);
    assert_int_equal(edge_scrub_log(st, 0, &sink), MM_OK);
    assert_int_equal(g.n, 0); /* intact: silent */
    edge_store_close(st);

    edit_entry(dir, 21);
    assert_int_equal(edge_store_open(dir, &st), MM_OK);
    assert_int_equal(edge_scrub_log(st, 1, &sink), MM_OK);
    assert_int_equal(g.n, 0); /* the stored tree is untouched: the quick form cannot see it */
    assert_int_equal(edge_scrub_log(st, 0, &sink), MM_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.f[0].fault, MM_INTEGRITY_LOG_ENTRY_ALTERED);
    assert_int_equal(g.f[0].index, 21);
    assert_true(g.f[0].has_expected_hash && g.f[0].has_found_hash);
    assert_memory_not_equal(g.f[0].expected_hash, g.f[0].found_hash, 32);
    edge_store_close(st);
}

static void root_check(void **state)
{
    (void)state;
    char dir[] = "/tmp/mm-test-scrub-XXXXXX";
    edge_store_t *st = store_of(dir, 9);
    /* A cosigned note whose root is not this log's: the quick form and the full pass say so. */
    mm_checkpoint_t cp = {.size = 9};
    snprintf(cp.origin, sizeof cp.origin, "mimamori/site/site-a");
    memset(cp.root.b, 0x42, MM_HASH_LEN);
    mm_ed25519_t key;
    assert_int_equal(mm_ed25519_generate(&key), MM_OK);
    char note[4096];
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, "site-a", &key, note, sizeof note, &len), MM_OK);
    mm_ed25519_wipe(&key);
    assert_int_equal(edge_store_set_acked(st, 9, note, len), MM_OK);
    got_t g = {0};
    edge_scrub_sink_t sink = {on_fault, NULL, &g};
    assert_int_equal(edge_scrub_log(st, 1, &sink), MM_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.f[0].fault, MM_INTEGRITY_LOG_ROOT_MISMATCH);
    assert_int_equal(g.f[0].index, 9);
    assert_memory_equal(g.f[0].expected_hash, cp.root.b, 32);
    assert_int_equal(edge_scrub_log(st, 0, &sink), MM_OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.f[1].fault, MM_INTEGRITY_LOG_ROOT_MISMATCH);
    edge_store_close(st);
}

static int count_kind(const got_t *g, mm_integrity_t kind, int64_t start_us)
{
    int n = 0;
    for (int i = 0; i < g->n && i < 8; i++)
        n += g->f[i].fault == kind && g->f[i].start_us == start_us &&
             !strcmp(g->f[i].camera, "cam1") && g->f[i].file[0];
    return n;
}

static void footage_check(void **state)
{
    fx_t *f = *state;
    got_t g = {0};
    edge_scrub_sink_t sink = {on_fault, NULL, &g};
    assert_int_equal(edge_scrub_footage(f->v, 1, &sink), MM_OK);
    assert_int_equal(edge_scrub_footage(f->v, 0, &sink), MM_OK);
    assert_int_equal(g.n, 0);

    assert_int_equal(unlink(f->seg[1].path), 0);
    struct stat sb;
    assert_int_equal(stat(f->seg[2].path, &sb), 0);
    flip_byte(f->seg[2].path, sb.st_size / 2);

    assert_int_equal(edge_scrub_footage(f->v, 1, &sink), MM_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(count_kind(&g, MM_INTEGRITY_SEGMENT_MISSING, f->seg[1].start_us), 1);

    g.n = 0;
    assert_int_equal(edge_scrub_footage(f->v, 0, &sink), MM_OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(count_kind(&g, MM_INTEGRITY_SEGMENT_MISSING, f->seg[1].start_us), 1);
    assert_int_equal(count_kind(&g, MM_INTEGRITY_SEGMENT_ALTERED, f->seg[2].start_us), 1);
    assert_memory_equal(g.f[1].expected_hash, f->seg[2].content_hash, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(root_is_rfc6962),
        cmocka_unit_test(log_check),
        cmocka_unit_test(root_check),
        cmocka_unit_test_prestate_setup_teardown(footage_check, setup, teardown, &h264),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
