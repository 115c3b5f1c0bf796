/*
 * test_log.c: the LMDB Merkle log's appends from its in-memory compact ranges: the root and
 * every stored node are what the tree over the entries says, across transactions; a
 * transaction that aborts leaves no trace in the ranges (the next append rebuilds from the
 * store); a batch whose root is not the wanted one writes nothing; another handle's appends
 * are noticed; only nodes from MM_LOG_NODE_LEVEL up are stored, every proof still verifies; a
 * store of the layout before (entries alone, every node stored) reads and grows. The same tests
 * run again with a table of its own for each log (MM_LOG_OWN_TABLES), and more on those tables:
 * their pages fill, a log begun in the shared table stays there, an aborted table leaves
 * nothing, a reader that began before a table sees an empty log, and with no room for another
 * table a log goes into the shared one.
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

#define OWN_DBS 24 /* the tables of the fixture with tables of their own */

static int setup_with(void **state, unsigned flags)
{
    fx_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/mm-test-log-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(mm_db_open(f->dir, 0, flags ? OWN_DBS : 8, &f->db), MM_OK);
    assert_int_equal(mm_log_open_with(f->db, flags, &f->log), MM_OK);
    for (int i = 0; i < MAXE; i++) {
        snprintf((char *)f->data[i], 8, "e%05d", i);
        f->e[i] = (mm_bytes_t){f->data[i], 7};
        mm_merkle_leaf_hash(f->data[i], 7, &f->leaves[i]);
    }
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, 0);
}

static int setup_own(void **state)
{
    return setup_with(state, MM_LOG_OWN_TABLES);
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

/* The stored log id has exactly leaves[0 .. size): its size, root, every leaf, and every leaf's
 * inclusion proof at every tenth size. */
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
    for (uint64_t n = size % 10 + 1; n <= size; n += 10) {
        mm_hash_t root, proof[MM_MERKLE_MAX_PROOF];
        assert_int_equal(mm_merkle_root(mm_merkle_leaves_node, (void *)leaves, n, &root), MM_OK);
        for (uint64_t i = 0; i < n; i++) {
            size_t len;
            assert_int_equal(mm_log_inclusion_proof(f->log, txn, id, i, n, proof, &len), MM_OK);
            assert_int_equal(mm_merkle_verify_inclusion(&leaves[i], i, n, proof, len, &root),
                             MM_OK);
        }
    }
    mdb_txn_abort(txn);
}

/* Entry index of log id reads back as data (len bytes). */
static void entry_is(fx_t *f, uint32_t id, uint64_t index, const void *data, size_t len)
{
    MDB_txn *txn;
    assert_int_equal(mm_db_read(f->db, &txn), MM_OK);
    const void *got;
    size_t got_len;
    assert_int_equal(mm_log_get(f->log, txn, id, index, &got, &got_len), MM_OK);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, data, len);
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

/* Only the nodes of level MM_LOG_NODE_LEVEL and up are stored, one for every perfect subtree
 * of those levels; the roots and proofs of stored_is still come out right. */
static void nodes_are_stored_from_their_level(void **state)
{
    fx_t *f = *state;
    app_t a = {.f = f, .log = f->log, .id = 7, .first = 0, .n = MAXE};
    assert_int_equal(mm_db_write(f->db, append_txn, &a), MM_OK);
    MDB_dbi nodes;
    assert_int_equal(mm_db_dbi(f->db, "log.nodes", 0, &nodes), MM_OK);
    MDB_txn *txn;
    MDB_cursor *cur;
    assert_int_equal(mm_db_read(f->db, &txn), MM_OK);
    assert_int_equal(mdb_cursor_open(txn, nodes, &cur), 0);
    MDB_val k, v;
    size_t n = 0, want = 0;
    for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op) == 0; op = MDB_NEXT) {
        assert_int_equal(k.mv_size, 13);
        assert_true(((uint8_t *)k.mv_data)[4] >= MM_LOG_NODE_LEVEL);
        n++;
    }
    for (unsigned level = MM_LOG_NODE_LEVEL; level < 64; level++)
        want += (size_t)MAXE >> level;
    assert_int_equal(n, want);
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    stored_is(f, 7, f->leaves, MAXE);
    entry_is(f, 7, 0, f->data[0], 7);
    entry_is(f, 7, MAXE - 1, f->data[MAXE - 1], 7);
}

static mm_err_t put_old_node(void *arg, unsigned level, uint64_t index, const mm_hash_t *h)
{
    MDB_txn **txn = arg;
    static MDB_dbi nodes;
    uint8_t key[13] = {0, 0, 0, 11};
    key[4] = (uint8_t)level;
    for (int i = 0; i < 8; i++)
        key[5 + i] = (uint8_t)(index >> (56 - 8 * i));
    MDB_val k = {sizeof key, key}, v = {32, (void *)h->b};
    assert_int_equal(mdb_dbi_open(*txn, "log.nodes", 0, &nodes), 0);
    assert_int_equal(mdb_put(*txn, nodes, &k, &v, 0), 0);
    return MM_OK;
}

/* A store of the layout before: each entry's bytes alone, every node from level 0. It reads as
 * it was written, and grows in the new layout beside it. */
static void a_store_of_the_old_layout_reads_and_grows(void **state)
{
    fx_t *f = *state;
    enum { OLD = 37 };
    MDB_txn *txn;
    MDB_dbi entries, meta;
    assert_int_equal(mdb_txn_begin(mm_db_env(f->db), NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "log.entries", 0, &entries), 0);
    assert_int_equal(mdb_dbi_open(txn, "log.meta", 0, &meta), 0);
    mm_merkle_range_t r;
    mm_merkle_range_init(&r);
    for (uint64_t i = 0; i < OLD; i++) {
        uint8_t key[12] = {0, 0, 0, 11, 0, 0, 0, 0, 0, 0, 0, (uint8_t)i};
        MDB_val k = {sizeof key, key}, v = {7, f->data[i]};
        assert_int_equal(mdb_put(txn, entries, &k, &v, 0), 0);
        assert_int_equal(mm_merkle_range_append(&r, &f->leaves[i], put_old_node, &txn), MM_OK);
    }
    uint8_t mkey[4] = {0, 0, 0, 11}, size[8] = {0, 0, 0, 0, 0, 0, 0, OLD};
    MDB_val mk = {4, mkey}, mv = {8, size};
    assert_int_equal(mdb_put(txn, meta, &mk, &mv, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);

    stored_is(f, 11, f->leaves, OLD);
    entry_is(f, 11, 5, f->data[5], 7);
    app_t a = {.f = f, .log = f->log, .id = 11, .first = OLD, .n = 40};
    assert_int_equal(mm_db_write(f->db, append_txn, &a), MM_OK);
    stored_is(f, 11, f->leaves, OLD + 40);
    entry_is(f, 11, OLD - 1, f->data[OLD - 1], 7);
    entry_is(f, 11, OLD, f->data[OLD], 7);
    /* And a fresh handle, whose range loads from both layouts, goes on the same. */
    mm_log_t *other;
    assert_int_equal(mm_log_open(f->db, &other), MM_OK);
    app_t b = {.f = f, .log = other, .id = 11, .first = OLD + 40, .n = 50};
    assert_int_equal(mm_db_write(f->db, append_txn, &b), MM_OK);
    mm_log_close(other);
    stored_is(f, 11, f->leaves, OLD + 90);
}

/* Whether log id has a table of its own, and how many entries and leaf pages it holds. */
static int own_table(fx_t *f, uint32_t id, size_t *entries, size_t *pages)
{
    char name[32];
    snprintf(name, sizeof name, "log.e.%u", id);
    MDB_txn *txn;
    MDB_dbi d;
    assert_int_equal(mdb_txn_begin(mm_db_env(f->db), NULL, MDB_RDONLY, &txn), 0);
    int rc = mdb_dbi_open(txn, name, 0, &d);
    MDB_stat st = {0};
    if (rc == 0)
        assert_int_equal(mdb_stat(txn, d, &st), 0);
    mdb_txn_abort(txn);
    if (entries)
        *entries = st.ms_entries;
    if (pages)
        *pages = st.ms_leaf_pages;
    return rc == 0;
}

static size_t shared_pages(fx_t *f)
{
    MDB_txn *txn;
    MDB_dbi d;
    MDB_stat st;
    assert_int_equal(mdb_txn_begin(mm_db_env(f->db), NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "log.entries", 0, &d), 0);
    assert_int_equal(mdb_stat(txn, d, &st), 0);
    mdb_txn_abort(txn);
    return st.ms_leaf_pages;
}

/* One round of own_tables_fill: entry e of each log, every log in turn. */
typedef struct {
    fx_t *f;
    mm_log_t *shared;
    const mm_bytes_t *e;
} round_t;

#define FILL_LOGS 8 /* logs 30.. in tables of their own, 50.. in the shared one */

static mm_err_t round_txn(MDB_txn *txn, void *arg)
{
    round_t *r = arg;
    for (uint32_t k = 0; k < FILL_LOGS; k++) {
        assert_int_equal(mm_log_append_many(r->f->log, txn, 30 + k, r->e, 1, NULL, NULL), MM_OK);
        assert_int_equal(mm_log_append_many(r->shared, txn, 50 + k, r->e, 1, NULL, NULL), MM_OK);
    }
    return MM_OK;
}

/* Each new log gets a table of its own with all its entries. Logs appended in turn, one entry
 * each at a time (a hub's sites), fill their pages there, while the same in the shared table
 * leave pages half full: each log's entries go into the middle of the table, and a split page's
 * left half is never written again. */
static void own_tables_hold_each_log_and_fill_their_pages(void **state)
{
    fx_t *f = *state;
    enum { N = 300, LEN = 200 };
    static uint8_t big[N][LEN];
    mm_bytes_t e[N];
    mm_hash_t leaves[N];
    for (int i = 0; i < N; i++) {
        memset(big[i], 'a' + i % 26, LEN);
        snprintf((char *)big[i], LEN, "entry %d", i);
        e[i] = (mm_bytes_t){big[i], LEN};
        mm_merkle_leaf_hash(big[i], LEN, &leaves[i]);
    }
    mm_log_t *shared;
    assert_int_equal(mm_log_open(f->db, &shared), MM_OK);
    for (int i = 0; i < N; i++) {
        round_t r = {f, shared, &e[i]};
        assert_int_equal(mm_db_write(f->db, round_txn, &r), MM_OK);
    }
    mm_log_close(shared);
    size_t own_pages = 0;
    for (uint32_t k = 0; k < FILL_LOGS; k++) {
        size_t n, p;
        assert_true(own_table(f, 30 + k, &n, &p));
        assert_false(own_table(f, 50 + k, NULL, NULL));
        assert_int_equal(n, N);
        own_pages += p;
    }
    size_t sp = shared_pages(f); /* logs 50.. alone */
    print_message("leaf pages: own tables %zu, shared table %zu, for the same entries\n", own_pages,
                  sp);
    assert_true(own_pages * 10 <= sp * 7);
    stored_is(f, 30, leaves, N);
    stored_is(f, 50, leaves, N);
    stored_is(f, 30 + FILL_LOGS - 1, leaves, N);
    entry_is(f, 31, N - 1, big[N - 1], LEN);
    /* A fresh handle without MM_LOG_OWN_TABLES reads them. */
    mm_log_t *mine = f->log;
    assert_int_equal(mm_log_open(f->db, &f->log), MM_OK);
    stored_is(f, 32, leaves, N);
    entry_is(f, 32, 3, big[3], LEN);
    mm_log_close(f->log);
    f->log = mine;
}

/* A log begun in the shared table (a store written before, or another handle) stays there. */
static void a_log_begun_in_the_shared_table_stays_there(void **state)
{
    fx_t *f = *state;
    mm_log_t *shared;
    assert_int_equal(mm_log_open(f->db, &shared), MM_OK);
    app_t a = {.f = f, .log = shared, .id = 11, .first = 0, .n = 10};
    assert_int_equal(mm_db_write(f->db, append_txn, &a), MM_OK);
    mm_log_close(shared);
    app_t b = {.f = f, .log = f->log, .id = 11, .first = 10, .n = 20};
    assert_int_equal(mm_db_write(f->db, append_txn, &b), MM_OK);
    assert_false(own_table(f, 11, NULL, NULL));
    stored_is(f, 11, f->leaves, 30);
}

/* A table made by a transaction that aborts is gone, and made again by the next; a reader that
 * began before a table was committed sees its log empty, not an error. */
static void an_aborted_table_leaves_nothing_and_an_older_reader_sees_none(void **state)
{
    fx_t *f = *state;
    app_t bad = {.f = f, .log = f->log, .id = 13, .first = 0, .n = 4, .fail = MM_EIO};
    assert_int_equal(mm_db_write(f->db, append_txn, &bad), MM_EIO);
    assert_false(own_table(f, 13, NULL, NULL));
    MDB_txn *old;
    assert_int_equal(mm_db_read(f->db, &old), MM_OK);
    app_t good = {.f = f, .log = f->log, .id = 13, .first = 0, .n = 4};
    assert_int_equal(mm_db_write(f->db, append_txn, &good), MM_OK);
    assert_true(own_table(f, 13, NULL, NULL));
    uint64_t size = 9;
    const void *data;
    size_t len;
    assert_int_equal(mm_log_size(f->log, old, 13, &size), MM_OK);
    assert_int_equal(size, 0);
    assert_int_equal(mm_log_get(f->log, old, 13, 0, &data, &len), MM_ENOTFOUND);
    mdb_txn_abort(old);
    stored_is(f, 13, f->leaves, 4);
}

/* With no room for another table, a new log goes into the shared one, and works. */
static void with_no_room_for_a_table_a_log_shares(void **state)
{
    fx_t *f = *state;
    uint32_t id = 100;
    for (; own_table(f, id - 1, NULL, NULL) || id == 100; id++) {
        app_t a = {.f = f, .log = f->log, .id = id, .first = 0, .n = 3};
        assert_int_equal(mm_db_write(f->db, append_txn, &a), MM_OK);
        assert_true(id < 100 + OWN_DBS);
    }
    /* id - 1 is the first that got none. */
    assert_false(own_table(f, id - 1, NULL, NULL));
    stored_is(f, id - 1, f->leaves, 3);
    app_t a = {.f = f, .log = f->log, .id = id - 1, .first = 3, .n = 30};
    assert_int_equal(mm_db_write(f->db, append_txn, &a), MM_OK);
    stored_is(f, id - 1, f->leaves, 33);
    stored_is(f, 100, f->leaves, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(appends_across_transactions_make_the_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(aborted_appends_leave_no_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(a_wrong_root_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(another_writer_is_noticed, setup, teardown),
        cmocka_unit_test_setup_teardown(nodes_are_stored_from_their_level, setup, teardown),
        cmocka_unit_test_setup_teardown(a_store_of_the_old_layout_reads_and_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(appends_across_transactions_make_the_tree, setup_own,
                                        teardown),
        cmocka_unit_test_setup_teardown(aborted_appends_leave_no_trace, setup_own, teardown),
        cmocka_unit_test_setup_teardown(a_wrong_root_writes_nothing, setup_own, teardown),
        cmocka_unit_test_setup_teardown(another_writer_is_noticed, setup_own, teardown),
        cmocka_unit_test_setup_teardown(a_store_of_the_old_layout_reads_and_grows, setup_own,
                                        teardown),
        cmocka_unit_test_setup_teardown(own_tables_hold_each_log_and_fill_their_pages, setup_own,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_log_begun_in_the_shared_table_stays_there, setup_own,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            an_aborted_table_leaves_nothing_and_an_older_reader_sees_none, setup_own, teardown),
        cmocka_unit_test_setup_teardown(with_no_room_for_a_table_a_log_shares, setup_own, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
