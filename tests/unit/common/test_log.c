/*
 * test_log.c: the LMDB Merkle log's appends from its in-memory compact ranges: the root and
 * every stored node are what the tree over the entries says, across transactions; a
 * transaction that aborts leaves no trace in the ranges (the next append rebuilds from the
 * store); a batch whose root is not the wanted one writes nothing; another handle's appends
 * are noticed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "common/merkle.h"

#define MAXE 300

typedef struct {
    char dir[64];
    mm_db_t *db;
    mm_log_t *log;
    uint8_t data[MAXE][8];
    mm_bytes_t e[MAXE];
    mm_hash_t leaves[MAXE];
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/mm-test-log-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(mm_db_open(f->dir, 0, 8, &f->db), MM_OK);
    assert_int_equal(mm_log_open(f->db, &f->log), MM_OK);
    for (int i = 0; i < MAXE; i++) {
        snprintf((char *)f->data[i], 8, "e%05d", i);
        f->e[i] = (mm_bytes_t){f->data[i], 7};
        mm_merkle_leaf_hash(f->data[i], 7, &f->leaves[i]);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    mm_log_close(f->log);
    mm_db_close(f->db);
    char p[128];
    snprintf(p, sizeof p, "%s/data.mdb", f->dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", f->dir);
    unlink(p);
    rmdir(f->dir);
    free(f);
    return 0;
}

typedef struct {
    fx_t *f;
    mm_log_t *log;
    uint32_t id;
    size_t first, n;
    const mm_bytes_t *e; /* NULL: f->e + first */
    const mm_hash_t *want;
    mm_err_t fail; /* returned after the append, to abort */
    mm_err_t got;
} app_t;

static mm_err_t append_txn(MDB_txn *txn, void *arg)
{
    app_t *a = arg;
    a->got = mm_log_append_many(a->log, txn, a->id, a->e ? a->e : a->f->e + a->first, a->n, a->want,
                                NULL);
    return a->got != MM_OK ? a->got : a->fail;
}

/* The stored log id has exactly leaves[0 .. size): its size, root, and every leaf. */
static void stored_is(fx_t *f, uint32_t id, const mm_hash_t *leaves, uint64_t size)
{
    MDB_txn *txn;
    assert_int_equal(mm_db_read(f->db, &txn), MM_OK);
    uint64_t have;
    assert_int_equal(mm_log_size(f->log, txn, id, &have), MM_OK);
    assert_int_equal(have, size);
    mm_hash_t got, want;
    assert_int_equal(mm_log_root(f->log, txn, id, size, &got), MM_OK);
    assert_int_equal(mm_merkle_root(mm_merkle_leaves_node, (void *)leaves, size, &want), MM_OK);
    assert_memory_equal(got.b, want.b, 32);
    for (uint64_t i = 0; i < size; i++) {
        assert_int_equal(mm_log_leaf(f->log, txn, id, i, &got), MM_OK);
        assert_memory_equal(got.b, leaves[i].b, 32);
    }
    mdb_txn_abort(txn);
}

static void appends_across_transactions_make_the_tree(void **state)
{
    fx_t *f = *state;
    size_t at = 0;
    /* Uneven batches, two logs interleaved. */
    for (size_t n = 1; at + n <= MAXE; at += n, n = n * 3 % 37 + 1) {
        app_t a = {.f = f, .log = f->log, .id = 7, .first = at, .n = n};
        assert_int_equal(mm_db_write(f->db, append_txn, &a), MM_OK);
        app_t b = {.f = f, .log = f->log, .id = 9, .first = 0, .n = 1, .e = &f->e[at]};
        assert_int_equal(mm_db_write(f->db, append_txn, &b), MM_OK);
        stored_is(f, 7, f->leaves, at + n);
    }
    /* And a fresh handle, whose ranges load from the store, goes on the same. */
    mm_log_t *other;
    assert_int_equal(mm_log_open(f->db, &other), MM_OK);
    app_t a = {.f = f, .log = other, .id = 7, .first = at, .n = MAXE - at};
    assert_int_equal(mm_db_write(f->db, append_txn, &a), MM_OK);
    mm_log_close(other);
    stored_is(f, 7, f->leaves, MAXE);
}

/* An aborted transaction's appends are forgotten: entries appended after it, different ones at
 * the same indexes, make the tree of what was committed. */
static void aborted_appends_leave_no_trace(void **state)
{
    fx_t *f = *state;
    app_t a = {.f = f, .log = f->log, .id = 3, .first = 0, .n = 5};
    assert_int_equal(mm_db_write(f->db, append_txn, &a), MM_OK);
    app_t bad = {.f = f, .log = f->log, .id = 3, .first = 100, .n = 6, .fail = MM_EIO};
    assert_int_equal(mm_db_write(f->db, append_txn, &bad), MM_EIO);
    assert_int_equal(bad.got, MM_OK);
    app_t good = {.f = f, .log = f->log, .id = 3, .first = 5, .n = 6};
    assert_int_equal(mm_db_write(f->db, append_txn, &good), MM_OK);
    stored_is(f, 3, f->leaves, 11);
}

/* A batch whose root is not the one wanted writes nothing and says what root it made. */
static void a_wrong_root_writes_nothing(void **state)
{
    fx_t *f = *state;
    app_t a = {.f = f, .log = f->log, .id = 4, .first = 0, .n = 3};
    assert_int_equal(mm_db_write(f->db, append_txn, &a), MM_OK);
    mm_hash_t want;
    assert_int_equal(mm_merkle_root(mm_merkle_leaves_node, f->leaves, 8, &want), MM_OK);
    want.b[0] ^= 1;
    app_t w = {.f = f, .log = f->log, .id = 4, .first = 3, .n = 5, .want = &want};
    assert_int_equal(mm_db_write(f->db, append_txn, &w), MM_EVERIFY);
    stored_is(f, 4, f->leaves, 3);
    want.b[0] ^= 1;
    assert_int_equal(mm_db_write(f->db, append_txn, &w), MM_OK);
    stored_is(f, 4, f->leaves, 8);
    /* An empty entry: MM_ETOOBIG, nothing written. */
    mm_bytes_t empty[2] = {f->e[8], {f->data[9], 0}};
    app_t e = {.f = f, .log = f->log, .id = 4, .n = 2, .e = empty};
    assert_int_equal(mm_db_write(f->db, append_txn, &e), MM_ETOOBIG);
    stored_is(f, 4, f->leaves, 8);
}

/* Another handle's appends to the same log are noticed by the size, not trusted from memory. */
static void another_writer_is_noticed(void **state)
{
    fx_t *f = *state;
    mm_log_t *other;
    assert_int_equal(mm_log_open(f->db, &other), MM_OK);
    app_t a = {.f = f, .log = f->log, .id = 5, .first = 0, .n = 4};
    assert_int_equal(mm_db_write(f->db, append_txn, &a), MM_OK);
    app_t b = {.f = f, .log = other, .id = 5, .first = 4, .n = 3};
    assert_int_equal(mm_db_write(f->db, append_txn, &b), MM_OK);
    app_t c = {.f = f, .log = f->log, .id = 5, .first = 7, .n = 2};
    assert_int_equal(mm_db_write(f->db, append_txn, &c), MM_OK);
    mm_log_close(other);
    stored_is(f, 5, f->leaves, 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(appends_across_transactions_make_the_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(aborted_appends_leave_no_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(a_wrong_root_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(another_writer_is_noticed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
