/*
 * test_retention.c: retention erases expired hours so that no key the store still holds can
 * decrypt them, then removes the files and logs what went; holds keep their footage through
 * retention, and releasing a hold destroys its key and erases what was past retention
 * (R-K2.2.6b, R-K2.2.6c, R-N7.5, R-N7.6). Everything here is real: segment files written with
 * keys from a real keyring, a real LMDB store, real hold key files.
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

#include "common/crypto.h"
#include "edge/keyring.h"
#include "edge/retention.h"
#include "edge/segment.h"
#include "edge/store.h"

#define H EDGE_EPOCH_US
#define DAY (24 * H)
#define KEEP (7 * DAY)
#define E0 472222LL        /* the first epoch */
#define T0 (E0 * H)

typedef struct {
    char dir[64];
    char segdir[128];
    edge_store_t *store;
    edge_keyring_t *kr;
    edge_vault_t v;
} fx_t;

static void fx_open(fx_t *f)
{
    char p[160];
    snprintf(p, sizeof p, "%s/db", f->dir);
    assert_int_equal(edge_store_open(p, &f->store), MM_OK);
    snprintf(p, sizeof p, "%s/keys", f->dir);
    assert_int_equal(edge_keyring_open(p, T0, &f->kr), MM_OK);
    f->v = (edge_vault_t){f->store, f->kr, f->segdir};
}

static void fx_close(fx_t *f)
{
    edge_keyring_close(f->kr);
    edge_store_close(f->store);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-retention-XXXXXX");
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

static int teardown(void **state)
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
static void record(fx_t *f, const char *camera, int64_t start, int64_t len_us,
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
        assert_int_equal(edge_segment_write(w, start + i * (len_us / 10), i, i == 0, frame,
                                            sizeof frame),
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

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static void copy_file(const char *from, const char *to)
{
    char cmd[2 * EDGE_SEG_PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    assert_int_equal(system(cmd), 0);
}

static int count_rows(const edge_segment_row_t *row, void *arg)
{
    (void)row;
    (*(int *)arg)++;
    return 0;
}

static int rows(fx_t *f, const char *camera)
{
    int n = 0;
    assert_int_equal(edge_store_segments(f->store, camera, 0, INT64_MAX, count_rows, &n), MM_OK);
    return n;
}

/* Decodes log entry i. */
static void entry_at(fx_t *f, uint64_t i, mm_entry_t *e)
{
    mm_bytes_t *b;
    assert_int_equal(edge_store_entries(f->store, i, 1, &b), MM_OK);
    assert_int_equal(mm_entry_decode(b[0].data, b[0].len, e), MM_OK);
    free(b);
}

static uint64_t log_size(fx_t *f)
{
    uint64_t n;
    assert_int_equal(edge_store_size(f->store, &n), MM_OK);
    return n;
}

/* A key callback that hands out one fixed key. */
static mm_err_t fixed_key(void *arg, const edge_segment_info_t *hdr,
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
static int any_key_opens(fx_t *f, const char *path)
{
    edge_segment_info_t info;
    if (edge_segment_verify(path, edge_vault_segment_key, &f->v, &info) == MM_OK)
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
        assert_int_equal(edge_keyring_segment_key(f->kr, e, hdr.camera, hdr.start_us, hdr.salt,
                                                  key),
                         MM_OK);
        if (edge_segment_verify(path, fixed_key, key, &info) == MM_OK)
            return 1;
    }
    return 0;
}

/* R-N7.5, R-K2.2.6c */
static void retention_makes_expired_hours_undecryptable_then_removes_and_logs_them(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t s[3];
    record(f, "cam1", T0 + 100 * 1000000LL, 10000000, &s[0]);
    record(f, "cam1", T0 + H + 100 * 1000000LL, 10000000, &s[1]);
    record(f, "cam1", T0 + 2 * H + 100 * 1000000LL, 10000000, &s[2]);
    char saved[2][200];
    for (int i = 0; i < 2; i++) {
        snprintf(saved[i], sizeof saved[i], "%s/copy%d.mmseg", f->dir, i);
        copy_file(s[i].path, saved[i]);
        assert_true(any_key_opens(f, saved[i]));
    }
    uint64_t before = log_size(f);

    /* Not yet: the first hour ended 7 days ago minus a second. */
    edge_retention_report_t rep;
    assert_int_equal(
        edge_retention_run(&f->v, KEEP, T0 + H + KEEP - 1, MM_ERASE_REASON_RETENTION, 0, &rep),
        MM_OK);
    assert_int_equal(rep.erased, 0);
    assert_int_equal(edge_keyring_oldest(f->kr), E0);

    /* Two hours are past retention; the third is not. */
    assert_int_equal(
        edge_retention_run(&f->v, KEEP, T0 + 2 * H + KEEP, MM_ERASE_REASON_RETENTION, 0, &rep),
        MM_OK);
    assert_int_equal(rep.old_h0, E0);
    assert_int_equal(rep.new_h0, E0 + 2);
    assert_int_equal(rep.erased, 2);
    assert_int_equal(edge_keyring_oldest(f->kr), E0 + 2);
    for (int i = 0; i < 2; i++) {
        assert_false(exists(s[i].path));
        assert_false(any_key_opens(f, saved[i])); /* no key the store holds opens a copy */
        edge_segment_info_t info;
        assert_int_equal(edge_segment_verify(saved[i], edge_vault_segment_key, &f->v, &info),
                         MM_EERASED);
    }
    assert_true(exists(s[2].path));
    assert_true(any_key_opens(f, s[2].path));
    assert_int_equal(rows(f, "cam1"), 1);

    /* One erased entry names both segments by their content hashes. */
    assert_int_equal(log_size(f), before + 1);
    mm_entry_t e;
    entry_at(f, before, &e);
    assert_int_equal(e.kind, MM_ENTRY_SEGMENTS_ERASED);
    mm_segments_erased_t *se = &e.u.segments_erased;
    assert_string_equal(se->camera, "cam1");
    assert_int_equal(se->reason, MM_ERASE_REASON_RETENTION);
    assert_int_equal(se->count, 2);
    assert_int_equal(se->n_content_hashes, 2);
    assert_int_equal(se->start_us, s[0].start_us);
    assert_int_equal(se->end_us, s[1].end_us);
    assert_int_equal(se->bytes, s[0].bytes + s[1].bytes);
    assert_memory_equal(se->content_hashes[0], s[0].content_hash, 32);
    assert_memory_equal(se->content_hashes[1], s[1].content_hash, 32);

    /* The ratchet survives a restart: the old epochs stay gone. */
    fx_close(f);
    fx_open(f);
    assert_int_equal(edge_keyring_oldest(f->kr), E0 + 2);
    assert_false(any_key_opens(f, saved[0]));
    /* A second run does nothing more. */
    assert_int_equal(
        edge_retention_run(&f->v, KEEP, T0 + 2 * H + KEEP, MM_ERASE_REASON_RETENTION, 0, &rep),
        MM_OK);
    assert_int_equal(rep.erased, 0);
    assert_int_equal(log_size(f), before + 1);
}

/* R-K2.2.6b: footage is kept for the whole period, even a segment that crosses into the next
 * hour. */
static void retention_waits_for_the_end_of_a_segment_that_crosses_the_hour(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t s;
    record(f, "cam1", T0 + H - 5000000, 10000000, &s); /* ends 5 s into the next hour */
    edge_retention_report_t rep;
    assert_int_equal(
        edge_retention_run(&f->v, KEEP, T0 + H + KEEP, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    assert_int_equal(rep.erased, 0);
    assert_true(exists(s.path));
    assert_int_equal(edge_retention_run(&f->v, KEEP, T0 + H + KEEP + 5000000,
                                        MM_ERASE_REASON_RETENTION, 0, &rep),
                     MM_OK);
    assert_int_equal(rep.erased, 1);
    assert_false(exists(s.path));
}

/* R-K2.2.6b, R-N7.5: a hold keeps its footage readable past retention; its release destroys
 * the hold key and erases the footage. */
static void held_footage_survives_retention_until_released(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t held, other, cam2;
    record(f, "cam1", T0 + 600 * 1000000LL, 10000000, &held);
    record(f, "cam1", T0 + 1200 * 1000000LL, 10000000, &other);
    record(f, "cam2", T0 + 600 * 1000000LL, 10000000, &cam2);
    uint64_t before = log_size(f);
    assert_int_equal(edge_hold_place(&f->v, "req-1", "cam1", T0 + 605 * 1000000LL,
                                     T0 + 700 * 1000000LL, "inquiry 2026-123", T0 + H),
                     MM_OK);
    assert_int_equal(edge_hold_place(&f->v, "req-1", "cam1", T0, T0 + 1, "again", T0 + H),
                     MM_EEXIST);
    assert_int_equal(edge_hold_place(&f->v, "bad id!", "cam1", T0, T0 + 1, "x", T0 + H),
                     MM_EINVAL);
    assert_int_equal(edge_hold_place(&f->v, "req-2", "cam1", T0 + 5, T0 + 5, "empty", T0 + H),
                     MM_EINVAL);
    mm_entry_t e;
    entry_at(f, before, &e);
    assert_int_equal(e.kind, MM_ENTRY_HOLD_PLACED);
    assert_string_equal(e.u.hold_placed.hold_id, "req-1");
    assert_string_equal(e.u.hold_placed.camera, "cam1");
    assert_string_equal(e.u.hold_placed.reason, "inquiry 2026-123");
    assert_int_equal(e.u.hold_placed.segments, 1);

    char saved[200];
    snprintf(saved, sizeof saved, "%s/held-copy.mmseg", f->dir);
    copy_file(held.path, saved);

    edge_retention_report_t rep;
    assert_int_equal(
        edge_retention_run(&f->v, KEEP, T0 + 30 * DAY, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    assert_int_equal(rep.erased, 2); /* the other cam1 segment and cam2's */
    assert_int_equal(rep.held, 1);
    assert_true(edge_keyring_oldest(f->kr) > E0);
    assert_false(exists(other.path));
    assert_false(exists(cam2.path));
    assert_true(exists(held.path));
    /* The epoch key is gone, yet the held segment opens through the hold. */
    edge_segment_info_t info;
    assert_int_equal(edge_segment_verify(held.path, edge_vault_segment_key, &f->v, &info), MM_OK);
    assert_memory_equal(info.content_hash, held.content_hash, 32);
    /* Retention again, later: still kept. */
    assert_int_equal(
        edge_retention_run(&f->v, KEEP, T0 + 60 * DAY, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    assert_int_equal(rep.erased, 0);
    assert_true(exists(held.path));

    /* Release: the hold key is destroyed, the footage erased and logged. */
    before = log_size(f);
    assert_int_equal(edge_hold_release(&f->v, "req-1", "request withdrawn", T0 + 61 * DAY, &rep),
                     MM_OK);
    assert_int_equal(rep.erased, 1);
    assert_false(exists(held.path));
    assert_false(edge_keyring_hold_exists(f->kr, "req-1"));
    assert_false(any_key_opens(f, saved));
    assert_int_equal(edge_segment_verify(saved, edge_vault_segment_key, &f->v, &info), MM_EERASED);
    entry_at(f, before, &e);
    assert_int_equal(e.kind, MM_ENTRY_HOLD_RELEASED);
    assert_string_equal(e.u.hold_released.hold_id, "req-1");
    assert_string_equal(e.u.hold_released.reason, "request withdrawn");
    entry_at(f, before + 1, &e);
    assert_int_equal(e.kind, MM_ENTRY_SEGMENTS_ERASED);
    assert_int_equal(e.u.segments_erased.reason, MM_ERASE_REASON_HOLD_RELEASED);
    assert_string_equal(e.u.segments_erased.hold_id, "req-1");
    assert_memory_equal(e.u.segments_erased.content_hashes[0], held.content_hash, 32);
    assert_int_equal(edge_hold_release(&f->v, "req-1", "again", T0 + 61 * DAY, &rep),
                     MM_ENOTFOUND);
}

/* A hold placed on footage still inside retention; released before retention: nothing is
 * erased early. */
static void releasing_a_hold_inside_retention_erases_nothing(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t s;
    record(f, "cam2", T0 + 60 * 1000000LL, 10000000, &s);
    assert_int_equal(edge_hold_place(&f->v, "h2", "cam2", T0, T0 + H, "emergency", T0 + H),
                     MM_OK);
    edge_retention_report_t rep;
    assert_int_equal(edge_hold_release(&f->v, "h2", "denied", T0 + 2 * H, &rep), MM_OK);
    assert_int_equal(rep.erased, 0);
    assert_true(exists(s.path));
    edge_segment_info_t info;
    assert_int_equal(edge_segment_verify(s.path, edge_vault_segment_key, &f->v, &info), MM_OK);
}

/* Two holds on the same footage: releasing one keeps it for the other. */
static void footage_under_two_holds_stays_until_both_are_released(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t s;
    record(f, "cam1", T0 + 60 * 1000000LL, 10000000, &s);
    assert_int_equal(edge_hold_place(&f->v, "a", "cam1", T0, T0 + H, "one", T0 + H), MM_OK);
    assert_int_equal(edge_hold_place(&f->v, "b", "cam1", T0 + 65 * 1000000LL, T0 + H, "two",
                                     T0 + H),
                     MM_OK);
    edge_retention_report_t rep;
    assert_int_equal(
        edge_retention_run(&f->v, KEEP, T0 + 10 * DAY, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    assert_int_equal(rep.held, 1);
    assert_int_equal(edge_hold_release(&f->v, "a", "done", T0 + 10 * DAY, &rep), MM_OK);
    assert_int_equal(rep.erased, 0);
    edge_segment_info_t info;
    assert_int_equal(edge_segment_verify(s.path, edge_vault_segment_key, &f->v, &info), MM_OK);
    assert_int_equal(edge_hold_release(&f->v, "b", "done", T0 + 10 * DAY, &rep), MM_OK);
    assert_int_equal(rep.erased, 1);
    assert_false(exists(s.path));
}

/* A run interrupted after the keyring advanced finishes the erasure next time. */
static void an_interrupted_run_is_finished_by_the_next(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t s;
    record(f, "cam1", T0 + 60 * 1000000LL, 10000000, &s);
    assert_int_equal(edge_keyring_advance(f->kr, E0 + 1), MM_OK); /* the crash came here */
    assert_true(exists(s.path));
    edge_retention_report_t rep;
    assert_int_equal(edge_retention_run(&f->v, KEEP, T0 + H, MM_ERASE_REASON_RETENTION, 0, &rep),
                     MM_OK);
    assert_int_equal(rep.erased, 1);
    assert_false(exists(s.path));
    assert_int_equal(rows(f, "cam1"), 0);
}

/* At most max_epochs hours go per run (used when the disk is short of space). */
static void a_run_passes_at_most_max_epochs(void **state)
{
    fx_t *f = *state;
    for (int i = 0; i < 4; i++)
        record(f, "cam1", T0 + i * H + 1000000, 10000000, NULL);
    edge_retention_report_t rep;
    assert_int_equal(
        edge_retention_run(&f->v, KEEP, T0 + 10 * DAY, MM_ERASE_REASON_STORAGE_PRESSURE, 1, &rep),
        MM_OK);
    assert_int_equal(rep.erased, 1);
    assert_int_equal(edge_keyring_oldest(f->kr), E0 + 1);
    int64_t due;
    assert_int_equal(edge_retention_due(&f->v, KEEP, T0 + 10 * DAY, &due), MM_OK);
    assert_true(due > E0 + 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            retention_makes_expired_hours_undecryptable_then_removes_and_logs_them, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            retention_waits_for_the_end_of_a_segment_that_crosses_the_hour, setup, teardown),
        cmocka_unit_test_setup_teardown(held_footage_survives_retention_until_released, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(releasing_a_hold_inside_retention_erases_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(footage_under_two_holds_stays_until_both_are_released,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(an_interrupted_run_is_finished_by_the_next, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_run_passes_at_most_max_epochs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
