/*
 * test_vault.c: footage at rest and the keys that read it — a segment's key from the keyring or
 * from a hold, holds placed and released with their key files, rows and wrapped keys, the _in
 * functions committing or aborting with the caller's transaction, and erasure of the segments it
 * is handed (R-K2.2.6b, R-K2.2.6c, R-N7.5). Everything here is real: segment files written with
 * keys from a real keyring, a real LMDB store, real hold key files (vault_fixture.h).
 */
#include "common/db.h"
#include "vault_fixture.h"

#define S 1000000LL

/* Opens the segment of info with the vault's key lookup. */
static mm_err_t opens(fx_t *f, const edge_segment_info_t *info)
{
    edge_segment_info_t out;
    return edge_segment_verify(info->path, edge_vault_segment_key, f->v, &out);
}

static void create_refuses_a_missing_argument(void **state)
{
    fx_t *f = *state;
    edge_vault_t *v = NULL;
    assert_int_equal(edge_vault_create(NULL, f->kr, f->segdir, &v), MM_EINVAL);
    assert_int_equal(edge_vault_create(f->store, NULL, f->segdir, &v), MM_EINVAL);
    assert_int_equal(edge_vault_create(f->store, f->kr, NULL, &v), MM_EINVAL);
    assert_null(v);
    edge_vault_destroy(NULL);
    assert_ptr_equal(edge_vault_store(f->v), f->store);
    assert_ptr_equal(edge_vault_keyring(f->v), f->kr);
}

static void a_segment_path_is_camera_and_start_under_the_segments_directory(void **state)
{
    fx_t *f = *state;
    char path[EDGE_SEG_PATH_MAX], want[EDGE_SEG_PATH_MAX];
    assert_int_equal(edge_vault_path(f->v, "cam1", T0, path, sizeof path), 0);
    snprintf(want, sizeof want, "%s/cam1/%lld.mmseg", f->segdir, (long long)T0);
    assert_string_equal(path, want);
    char small[16];
    assert_int_equal(edge_vault_path(f->v, "cam1", T0, small, sizeof small), -1);
}

/* R-N7.5: the keyring's key while it has the epoch, a hold's after, nobody's without a hold. */
static void a_segment_key_comes_from_the_keyring_then_only_from_a_hold(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t held, other;
    record(f, "cam1", T0 + 600 * S, 10 * S, &held);
    record(f, "cam1", T0 + 1200 * S, 10 * S, &other);
    assert_int_equal(opens(f, &held), MM_OK);
    assert_int_equal(opens(f, &other), MM_OK);
    assert_int_equal(
        edge_vault_hold_place(f->v, "h", "cam1", T0 + 605 * S, T0 + 700 * S, "inquiry", T0 + H),
        MM_OK);
    assert_int_equal(edge_keyring_advance(f->kr, E0 + 1), MM_OK);
    assert_int_equal(opens(f, &held), MM_OK);
    assert_int_equal(opens(f, &other), MM_EERASED);
    /* A header whose epoch is not that of its start is refused, not looked up. */
    edge_segment_info_t hdr = {.start_us = T0 + 600 * S, .epoch = E0 + 5};
    snprintf(hdr.camera, sizeof hdr.camera, "cam1");
    uint8_t key[EDGE_SEG_KEY_LEN];
    assert_int_equal(edge_vault_segment_key(f->v, &hdr, key), MM_ECORRUPT);
}

/* R-K2.2.6b */
static void placing_a_hold_wraps_what_it_covers_and_logs_hold_placed(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t held, other;
    record(f, "cam1", T0 + 600 * S, 10 * S, &held);
    record(f, "cam1", T0 + 1200 * S, 10 * S, &other);
    uint64_t before = log_size(f);
    assert_int_equal(edge_vault_hold_place(f->v, "req-1", "cam1", T0 + 605 * S, T0 + 700 * S,
                                           "inquiry 2026-123", T0 + H),
                     MM_OK);
    assert_int_equal(edge_vault_hold_place(f->v, "req-1", "cam1", T0, T0 + 1, "again", T0 + H),
                     MM_EEXIST);
    assert_int_equal(edge_vault_hold_place(f->v, "bad id!", "cam1", T0, T0 + 1, "x", T0 + H),
                     MM_EINVAL);
    assert_int_equal(edge_vault_hold_place(f->v, "req-2", "cam1", T0 + 5, T0 + 5, "empty", T0 + H),
                     MM_EINVAL);
    assert_int_equal(edge_vault_hold_place(f->v, "req-2", "", T0, T0 + 1, "no camera", T0 + H),
                     MM_EINVAL);
    char long_reason[MM_TEXT_MAX + 1];
    memset(long_reason, 'x', MM_TEXT_MAX);
    long_reason[MM_TEXT_MAX] = 0;
    assert_int_equal(edge_vault_hold_place(f->v, "req-2", "cam1", T0, T0 + 1, long_reason, T0 + H),
                     MM_EINVAL);
    assert_int_equal(log_size(f), before + 1);
    mm_entry_t e;
    entry_at(f, before, &e);
    assert_int_equal(e.kind, MM_ENTRY_HOLD_PLACED);
    assert_string_equal(e.u.hold_placed.hold_id, "req-1");
    assert_string_equal(e.u.hold_placed.camera, "cam1");
    assert_string_equal(e.u.hold_placed.reason, "inquiry 2026-123");
    assert_int_equal(e.u.hold_placed.start_us, T0 + 605 * S);
    assert_int_equal(e.u.hold_placed.end_us, T0 + 700 * S);
    assert_int_equal(e.u.hold_placed.segments, 1);

    edge_hold_row_t h;
    assert_int_equal(edge_vault_hold_get(f->v, "req-1", &h), MM_OK);
    assert_string_equal(h.id, "req-1");
    assert_string_equal(h.camera, "cam1");
    assert_int_equal(h.start_us, T0 + 605 * S);
    assert_int_equal(h.end_us, T0 + 700 * S);
    assert_int_equal(edge_vault_hold_get(f->v, "req-2", &h), MM_ENOTFOUND);
    assert_int_equal(edge_vault_hold_get(f->v, "", &h), MM_EINVAL);
    assert_true(edge_keyring_hold_exists(f->kr, "req-1"));

    /* The key was wrapped at placement: wrapping again wraps nothing new. */
    edge_vault_holds_t hs;
    assert_int_equal(edge_vault_holds_load(f->v, &hs), MM_OK);
    uint32_t wrapped = 0;
    assert_int_equal(edge_vault_holds_wrap(f->v, &hs, T0, T0 + H, &wrapped), MM_OK);
    assert_int_equal(wrapped, 0);
    edge_vault_holds_free(&hs);
    assert_null(hs.h);
}

/* Too late is too late: a key the ratchet has passed cannot be wrapped any more (R-N7.5). */
static void wrapping_a_key_the_ratchet_has_passed_fails_as_erased(void **state)
{
    fx_t *f = *state;
    record(f, "cam1", T0 + 60 * S, 10 * S, NULL);
    assert_int_equal(edge_keyring_hold_create(f->kr, "late"), MM_OK);
    assert_int_equal(edge_keyring_advance(f->kr, E0 + 1), MM_OK);
    edge_hold_row_t h = {.id = "late", .camera = "cam1", .start_us = T0, .end_us = T0 + H};
    edge_vault_holds_t one = {&h, 1};
    uint32_t wrapped = 0;
    assert_int_equal(edge_vault_holds_wrap(f->v, &one, T0, T0 + H, &wrapped), MM_EERASED);
    assert_int_equal(wrapped, 0);
}

typedef struct {
    fx_t *f;
    edge_hold_row_t h;
    const char *remove; /* a hold id to remove instead of adding h */
    mm_entry_t e;
    mm_err_t then; /* what the caller's transaction returns after the vault's step */
} caller_txn_t;

static mm_err_t caller_txn(MDB_txn *txn, void *arg)
{
    caller_txn_t *c = arg;
    mm_err_t err = c->remove ? edge_vault_hold_remove_in(c->f->v, txn, c->remove)
                             : edge_vault_hold_add_in(c->f->v, txn, &c->h);
    if (err == MM_OK)
        err = edge_store_append_in(c->f->store, txn, &c->e, NULL);
    return err == MM_OK ? c->then : err;
}

static mm_err_t in_caller_txn(caller_txn_t *c)
{
    return mm_db_write(edge_store_db(c->f->store), caller_txn, c);
}

/* A hold a person places keeps who, when and until when in its row and its entry; a row stored
 * as rows were before holds had those reads with them empty, and writes back the same. */
static void a_holds_particulars_are_kept_and_old_rows_read_without_them(void **state)
{
    fx_t *f = *state;
    record(f, "cam1", T0 + 60 * S, 10 * S, NULL);
    assert_int_equal(edge_vault_hold_place_by(f->v, "site-1.0", "cam1", T0, T0 + H, "incident",
                                              "kanri", T0 + 30 * DAY, T0 + H),
                     MM_OK);
    edge_hold_row_t h;
    assert_int_equal(edge_vault_hold_get(f->v, "site-1.0", &h), MM_OK);
    assert_string_equal(h.camera, "cam1");
    assert_int_equal(h.end_us, T0 + H);
    assert_string_equal(h.by, "kanri");
    assert_string_equal(h.reason, "incident");
    assert_int_equal(h.expires_us, T0 + 30 * DAY);
    assert_int_equal(h.placed_us, T0 + H);
    mm_entry_t e;
    entry_at(f, log_size(f) - 1, &e);
    assert_string_equal(e.u.hold_placed.by, "kanri");
    assert_int_equal(e.u.hold_placed.expires_us, T0 + 30 * DAY);
    assert_int_equal(
        edge_vault_hold_place_by(f->v, "x", "cam1", T0, T0 + H, "r", "not an id!", 0, T0 + H),
        MM_EINVAL);
    assert_int_equal(edge_vault_hold_place_by(f->v, "x", "cam1", T0, T0 + H, "r", "", -1, T0 + H),
                     MM_EINVAL);
    /* A disclosure's hold: no person, no expiry; its entry is as such entries always were. */
    assert_int_equal(edge_vault_hold_place(f->v, "dsc.r.0", "cam1", T0, T0 + H, "", T0 + H), MM_OK);
    entry_at(f, log_size(f) - 1, &e);
    json_t *j = mm_entry_json(&e);
    assert_null(json_object_get(json_object_get(j, "hold_placed"), "by"));
    assert_null(json_object_get(json_object_get(j, "hold_placed"), "expires_us"));
    json_decref(j);
    /* A row without particulars, as stored before: camera || 0 || start || end. */
    caller_txn_t c = {.f = f, .then = MM_OK};
    c.h = (edge_hold_row_t){.id = "old", .camera = "cam2", .start_us = T0, .end_us = T0 + H};
    c.e = (mm_entry_t){.time_us = T0, .kind = MM_ENTRY_HOLD_PLACED};
    snprintf(c.e.u.hold_placed.hold_id, MM_ID_MAX, "old");
    snprintf(c.e.u.hold_placed.camera, MM_ID_MAX, "cam2");
    assert_int_equal(in_caller_txn(&c), MM_OK);
    assert_int_equal(edge_vault_hold_get(f->v, "old", &h), MM_OK);
    assert_string_equal(h.camera, "cam2");
    assert_int_equal(h.start_us, T0);
    assert_int_equal(h.end_us, T0 + H);
    assert_string_equal(h.by, "");
    assert_string_equal(h.reason, "");
    assert_int_equal(h.expires_us, 0);
    /* Released by a person: the entry names them. */
    assert_int_equal(edge_vault_hold_release_by(f->v, "site-1.0", "done", "kanri", T0 + 2 * H, &h),
                     MM_OK);
    entry_at(f, log_size(f) - 1, &e);
    assert_string_equal(e.u.hold_released.by, "kanri");
    assert_int_equal(edge_vault_hold_release_by(f->v, "old", "done", "bad id!", T0 + 2 * H, &h),
                     MM_EINVAL);
}

static void a_hold_added_in_the_callers_transaction_commits_or_aborts_with_it(void **state)
{
    fx_t *f = *state;
    caller_txn_t c = {.f = f,
                      .h = {.id = "in-txn", .camera = "cam2", .start_us = T0, .end_us = T0 + H},
                      .e = {.time_us = T0 + H, .kind = MM_ENTRY_HOLD_PLACED},
                      .then = MM_ECONFLICT};
    mm_hold_placed_t *hp = &c.e.u.hold_placed;
    snprintf(hp->hold_id, sizeof hp->hold_id, "in-txn");
    snprintf(hp->camera, sizeof hp->camera, "cam2");
    snprintf(hp->reason, sizeof hp->reason, "inquiry");
    hp->start_us = T0;
    hp->end_us = T0 + H;
    uint64_t before = log_size(f);
    edge_hold_row_t h;
    /* The caller's step fails: neither the hold nor the entry is there. */
    assert_int_equal(in_caller_txn(&c), MM_ECONFLICT);
    assert_int_equal(edge_vault_hold_get(f->v, "in-txn", &h), MM_ENOTFOUND);
    assert_int_equal(log_size(f), before);
    /* It succeeds: both are. */
    c.then = MM_OK;
    assert_int_equal(in_caller_txn(&c), MM_OK);
    assert_int_equal(edge_vault_hold_get(f->v, "in-txn", &h), MM_OK);
    assert_string_equal(h.camera, "cam2");
    assert_int_equal(h.start_us, T0);
    assert_int_equal(h.end_us, T0 + H);
    assert_int_equal(log_size(f), before + 1);
    /* An id in use, and a bad one, abort the caller's transaction. */
    assert_int_equal(in_caller_txn(&c), MM_EEXIST);
    snprintf(c.h.id, sizeof c.h.id, "%s", "");
    assert_int_equal(in_caller_txn(&c), MM_EINVAL);
    assert_int_equal(log_size(f), before + 1);
}

static void removing_a_hold_in_the_callers_transaction_takes_its_wrapped_keys(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t s;
    record(f, "cam1", T0 + 60 * S, 10 * S, &s);
    assert_int_equal(edge_vault_hold_place(f->v, "h", "cam1", T0, T0 + H, "inquiry", T0 + H),
                     MM_OK);
    assert_int_equal(edge_keyring_advance(f->kr, E0 + 1), MM_OK);
    assert_int_equal(opens(f, &s), MM_OK);
    caller_txn_t c = {.f = f,
                      .remove = "h",
                      .e = {.time_us = T0 + H, .kind = MM_ENTRY_HOLD_RELEASED},
                      .then = MM_ECONFLICT};
    snprintf(c.e.u.hold_released.hold_id, sizeof c.e.u.hold_released.hold_id, "h");
    snprintf(c.e.u.hold_released.reason, sizeof c.e.u.hold_released.reason, "withdrawn");
    uint64_t before = log_size(f);
    assert_int_equal(in_caller_txn(&c), MM_ECONFLICT);
    edge_hold_row_t h;
    assert_int_equal(edge_vault_hold_get(f->v, "h", &h), MM_OK);
    assert_int_equal(opens(f, &s), MM_OK);
    c.then = MM_OK;
    assert_int_equal(in_caller_txn(&c), MM_OK);
    assert_int_equal(log_size(f), before + 1);
    assert_int_equal(edge_vault_hold_get(f->v, "h", &h), MM_ENOTFOUND);
    /* The hold's key file is still there, but nothing is wrapped under it any more. */
    assert_true(edge_keyring_hold_exists(f->kr, "h"));
    assert_int_equal(opens(f, &s), MM_EERASED);
    assert_int_equal(in_caller_txn(&c), MM_ENOTFOUND);
    c.remove = "";
    assert_int_equal(in_caller_txn(&c), MM_EINVAL);
}

/* R-N7.5: releasing destroys the hold's key and logs; erasing what it kept is retention's. */
static void releasing_a_hold_destroys_its_key_and_logs_but_erases_no_footage(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t s;
    record(f, "cam1", T0 + 60 * S, 10 * S, &s);
    assert_int_equal(edge_vault_hold_place(f->v, "h", "cam1", T0, T0 + H, "inquiry", T0 + H),
                     MM_OK);
    assert_int_equal(edge_keyring_advance(f->kr, E0 + 1), MM_OK);
    char long_reason[MM_TEXT_MAX + 1];
    memset(long_reason, 'x', MM_TEXT_MAX);
    long_reason[MM_TEXT_MAX] = 0;
    edge_hold_row_t h;
    assert_int_equal(edge_vault_hold_release(f->v, "h", long_reason, T0 + 2 * H, &h), MM_EINVAL);
    assert_int_equal(opens(f, &s), MM_OK);

    uint64_t before = log_size(f);
    assert_int_equal(edge_vault_hold_release(f->v, "h", "withdrawn", T0 + 2 * H, &h), MM_OK);
    assert_string_equal(h.id, "h");
    assert_string_equal(h.camera, "cam1");
    assert_int_equal(h.start_us, T0);
    assert_int_equal(h.end_us, T0 + H);
    assert_false(edge_keyring_hold_exists(f->kr, "h"));
    assert_int_equal(opens(f, &s), MM_EERASED);
    assert_true(exists(s.path));
    assert_int_equal(rows(f, "cam1"), 1);
    assert_int_equal(log_size(f), before + 1);
    mm_entry_t e;
    entry_at(f, before, &e);
    assert_int_equal(e.kind, MM_ENTRY_HOLD_RELEASED);
    assert_string_equal(e.u.hold_released.hold_id, "h");
    assert_string_equal(e.u.hold_released.reason, "withdrawn");
    assert_int_equal(edge_vault_hold_release(f->v, "h", "again", T0 + 2 * H, NULL), MM_ENOTFOUND);
}

static void holds_load_in_id_order_and_cover_only_overlapping_footage_of_their_camera(void **state)
{
    fx_t *f = *state;
    assert_int_equal(
        edge_vault_hold_place(f->v, "b", "cam1", T0 + 100 * S, T0 + 200 * S, "two", T0 + H), MM_OK);
    assert_int_equal(
        edge_vault_hold_place(f->v, "a", "cam1", T0 + 150 * S, T0 + 300 * S, "one", T0 + H), MM_OK);
    edge_vault_holds_t hs;
    assert_int_equal(edge_vault_holds_load(f->v, &hs), MM_OK);
    assert_int_equal(hs.n, 2);
    assert_string_equal(hs.h[0].id, "a");
    assert_string_equal(hs.h[1].id, "b");
    edge_segment_row_t row = {
        .seg = {.camera = "cam1", .start_us = T0 + 90 * S, .end_us = T0 + 100 * S}};
    assert_false(edge_vault_holds_cover(&hs, NULL, &row)); /* ends where b starts */
    row.seg.end_us = T0 + 100 * S + 1;
    assert_true(edge_vault_holds_cover(&hs, NULL, &row));
    assert_true(edge_vault_holds_cover(&hs, "a", &row));
    assert_false(edge_vault_holds_cover(&hs, "b", &row)); /* only b covers it */
    snprintf(row.seg.camera, sizeof row.seg.camera, "cam2");
    assert_false(edge_vault_holds_cover(&hs, NULL, &row));
    row = (edge_segment_row_t){
        .seg = {.camera = "cam1", .start_us = T0 + 300 * S, .end_us = T0 + 310 * S}};
    assert_false(edge_vault_holds_cover(&hs, NULL, &row)); /* starts where a ends */
    edge_vault_holds_free(&hs);
    assert_int_equal(hs.n, 0);
}

/* Adds an index row of camera at start with no file behind it (erasure counts a missing file
 * as removed). */
static void index_only(fx_t *f, const char *camera, int64_t start, uint8_t tag)
{
    mm_segment_recorded_t seg = {
        .start_us = start, .end_us = start + 10 * S, .bytes = 1000, .frames = 10};
    snprintf(seg.camera, sizeof seg.camera, "%s", camera);
    snprintf(seg.codec, sizeof seg.codec, "h264");
    memset(seg.content_hash, tag, sizeof seg.content_hash);
    memcpy(seg.content_hash, &start, sizeof start);
    char file[128];
    snprintf(file, sizeof file, "%s/%lld.mmseg", camera, (long long)start);
    assert_int_equal(edge_store_add_segment(f->store, &seg, file, start + 10 * S, NULL), MM_OK);
}

/* R-K2.2.6c: what is erased is logged by content hash, at most MM_ERASED_MAX to an entry. */
static void erasing_removes_files_and_rows_and_logs_one_entry_per_group(void **state)
{
    fx_t *f = *state;
    size_t n = MM_ERASED_MAX + 1;
    for (size_t i = 0; i < n; i++)
        index_only(f, "cam2", T0 + (int64_t)i * 10 * S, 7);
    edge_segment_row_t *r = NULL;
    size_t got = 0;
    assert_int_equal(edge_store_segment_rows(f->store, "cam2", 0, INT64_MAX, &r, &got), MM_OK);
    assert_int_equal(got, n);
    uint64_t before = log_size(f);
    uint32_t erased = 0;
    uint64_t bytes = 0;
    assert_int_equal(edge_vault_erase(f->v, "cam2", r, n, MM_ERASE_REASON_STORAGE_PRESSURE, NULL,
                                      T0 + 10 * DAY, &erased, &bytes),
                     MM_OK);
    assert_int_equal(erased, n);
    assert_int_equal(bytes, 1000 * n);
    assert_int_equal(rows(f, "cam2"), 0);
    assert_int_equal(log_size(f), before + 2);
    mm_entry_t *e = malloc(sizeof *e);
    assert_non_null(e);
    entry_at(f, before, e);
    assert_int_equal(e->kind, MM_ENTRY_SEGMENTS_ERASED);
    assert_int_equal(e->time_us, T0 + 10 * DAY);
    assert_string_equal(e->u.segments_erased.camera, "cam2");
    assert_int_equal(e->u.segments_erased.reason, MM_ERASE_REASON_STORAGE_PRESSURE);
    assert_string_equal(e->u.segments_erased.hold_id, "");
    assert_int_equal(e->u.segments_erased.count, MM_ERASED_MAX);
    assert_int_equal(e->u.segments_erased.n_content_hashes, MM_ERASED_MAX);
    assert_int_equal(e->u.segments_erased.start_us, r[0].seg.start_us);
    assert_int_equal(e->u.segments_erased.end_us, r[MM_ERASED_MAX - 1].seg.end_us);
    assert_memory_equal(e->u.segments_erased.content_hashes[MM_ERASED_MAX - 1],
                        r[MM_ERASED_MAX - 1].seg.content_hash, 32);
    entry_at(f, before + 1, e);
    assert_int_equal(e->u.segments_erased.count, 1);
    assert_int_equal(e->u.segments_erased.start_us, r[n - 1].seg.start_us);
    assert_memory_equal(e->u.segments_erased.content_hashes[0], r[n - 1].seg.content_hash, 32);
    free(e);
    free(r);

    /* A real file goes, and the entry names the hold whose release erased it. */
    edge_segment_info_t s;
    record(f, "cam1", T0 + 60 * S, 10 * S, &s);
    before = log_size(f);
    assert_int_equal(edge_store_segment_rows(f->store, "cam1", 0, INT64_MAX, &r, &got), MM_OK);
    assert_int_equal(edge_vault_erase(f->v, "cam1", r, got, MM_ERASE_REASON_HOLD_RELEASED, "h",
                                      T0 + 10 * DAY, NULL, NULL),
                     MM_OK);
    free(r);
    assert_false(exists(s.path));
    assert_int_equal(rows(f, "cam1"), 0);
    mm_entry_t one;
    entry_at(f, before, &one);
    assert_int_equal(one.u.segments_erased.reason, MM_ERASE_REASON_HOLD_RELEASED);
    assert_string_equal(one.u.segments_erased.hold_id, "h");
    assert_memory_equal(one.u.segments_erased.content_hashes[0], s.content_hash, 32);
}

/* A file that cannot be removed stops the erasure before its rows or its entry go; erasing
 * again once it can be finishes the job. */
static void erasing_stops_at_a_file_it_cannot_remove_and_keeps_its_rows(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t s[2];
    record(f, "cam1", T0 + 60 * S, 10 * S, &s[0]);
    record(f, "cam1", T0 + 120 * S, 10 * S, &s[1]);
    /* Where the second file was, a directory with something in it: unlink fails even for root. */
    assert_int_equal(unlink(s[1].path), 0);
    assert_int_equal(mkdir(s[1].path, 0700), 0);
    char inner[EDGE_SEG_PATH_MAX + 8];
    snprintf(inner, sizeof inner, "%s/x", s[1].path);
    assert_int_equal(mkdir(inner, 0700), 0);
    edge_segment_row_t *r = NULL;
    size_t n = 0;
    assert_int_equal(edge_store_segment_rows(f->store, "cam1", 0, INT64_MAX, &r, &n), MM_OK);
    assert_int_equal(n, 2);
    uint64_t before = log_size(f);
    uint32_t erased = 0;
    assert_int_equal(edge_vault_erase(f->v, "cam1", r, n, MM_ERASE_REASON_RETENTION, NULL,
                                      T0 + 10 * DAY, &erased, NULL),
                     MM_EIO);
    assert_int_equal(erased, 0);
    assert_false(exists(s[0].path));
    assert_int_equal(rows(f, "cam1"), 2);
    assert_int_equal(log_size(f), before);
    assert_int_equal(rmdir(inner), 0);
    assert_int_equal(rmdir(s[1].path), 0);
    assert_int_equal(edge_vault_erase(f->v, "cam1", r, n, MM_ERASE_REASON_RETENTION, NULL,
                                      T0 + 10 * DAY, &erased, NULL),
                     MM_OK);
    assert_int_equal(erased, 2);
    assert_int_equal(rows(f, "cam1"), 0);
    assert_int_equal(log_size(f), before + 1);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_refuses_a_missing_argument, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_segment_path_is_camera_and_start_under_the_segments_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(a_segment_key_comes_from_the_keyring_then_only_from_a_hold,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(placing_a_hold_wraps_what_it_covers_and_logs_hold_placed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_holds_particulars_are_kept_and_old_rows_read_without_them,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(wrapping_a_key_the_ratchet_has_passed_fails_as_erased,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_hold_added_in_the_callers_transaction_commits_or_aborts_with_it, setup, teardown),
        cmocka_unit_test_setup_teardown(
            removing_a_hold_in_the_callers_transaction_takes_its_wrapped_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(
            releasing_a_hold_destroys_its_key_and_logs_but_erases_no_footage, setup, teardown),
        cmocka_unit_test_setup_teardown(
            holds_load_in_id_order_and_cover_only_overlapping_footage_of_their_camera, setup,
            teardown),
        cmocka_unit_test_setup_teardown(erasing_removes_files_and_rows_and_logs_one_entry_per_group,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(erasing_stops_at_a_file_it_cannot_remove_and_keeps_its_rows,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
