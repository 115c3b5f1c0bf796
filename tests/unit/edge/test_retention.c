/*
 * test_retention.c: retention erases expired hours so that no key the store still holds can
 * decrypt them, then removes the files and logs what went; holds keep their footage through
 * retention, and releasing a hold destroys its key and erases what was past retention
 * (R-K2.2.6b, R-K2.2.6c, R-N7.5, R-N7.6). Everything here is real: segment files written with
 * keys from a real keyring, a real LMDB store, real hold key files.
 */
#include "edge/retention.h"
#include "vault_fixture.h"

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
        edge_retention_run(f->v, KEEP, T0 + H + KEEP - 1, MM_ERASE_REASON_RETENTION, 0, &rep),
        MM_OK);
    assert_int_equal(rep.erased, 0);
    assert_int_equal(edge_keyring_oldest(f->kr), E0);

    /* Two hours are past retention; the third is not. */
    assert_int_equal(
        edge_retention_run(f->v, KEEP, T0 + 2 * H + KEEP, MM_ERASE_REASON_RETENTION, 0, &rep),
        MM_OK);
    assert_int_equal(rep.old_h0, E0);
    assert_int_equal(rep.new_h0, E0 + 2);
    assert_int_equal(rep.erased, 2);
    assert_int_equal(edge_keyring_oldest(f->kr), E0 + 2);
    for (int i = 0; i < 2; i++) {
        assert_false(exists(s[i].path));
        assert_false(any_key_opens(f, saved[i])); /* no key the store holds opens a copy */
        edge_segment_info_t info;
        assert_int_equal(edge_segment_verify(saved[i], edge_vault_segment_key, f->v, &info),
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
        edge_retention_run(f->v, KEEP, T0 + 2 * H + KEEP, MM_ERASE_REASON_RETENTION, 0, &rep),
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
        edge_retention_run(f->v, KEEP, T0 + H + KEEP, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    assert_int_equal(rep.erased, 0);
    assert_true(exists(s.path));
    assert_int_equal(
        edge_retention_run(f->v, KEEP, T0 + H + KEEP + 5000000, MM_ERASE_REASON_RETENTION, 0, &rep),
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
    /* What placing does and refuses is test_vault.c's. */
    assert_int_equal(edge_vault_hold_place(f->v, "req-1", "cam1", T0 + 605 * 1000000LL,
                                           T0 + 700 * 1000000LL, "inquiry 2026-123", T0 + H),
                     MM_OK);

    char saved[200];
    snprintf(saved, sizeof saved, "%s/held-copy.mmseg", f->dir);
    copy_file(held.path, saved);

    edge_retention_report_t rep;
    assert_int_equal(
        edge_retention_run(f->v, KEEP, T0 + 30 * DAY, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    assert_int_equal(rep.erased, 2); /* the other cam1 segment and cam2's */
    assert_int_equal(rep.held, 1);
    assert_true(edge_keyring_oldest(f->kr) > E0);
    assert_false(exists(other.path));
    assert_false(exists(cam2.path));
    assert_true(exists(held.path));
    /* The epoch key is gone, yet the held segment opens through the hold. */
    edge_segment_info_t info;
    assert_int_equal(edge_segment_verify(held.path, edge_vault_segment_key, f->v, &info), MM_OK);
    assert_memory_equal(info.content_hash, held.content_hash, 32);
    /* Retention again, later: still kept. */
    assert_int_equal(
        edge_retention_run(f->v, KEEP, T0 + 60 * DAY, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    assert_int_equal(rep.erased, 0);
    assert_true(exists(held.path));

    /* Release: the hold key is destroyed, the footage erased and logged. */
    uint64_t before = log_size(f);
    assert_int_equal(
        edge_retention_release_hold(f->v, "req-1", "request withdrawn", T0 + 61 * DAY, &rep),
        MM_OK);
    assert_int_equal(rep.erased, 1);
    assert_false(exists(held.path));
    assert_false(edge_keyring_hold_exists(f->kr, "req-1"));
    assert_false(any_key_opens(f, saved));
    assert_int_equal(edge_segment_verify(saved, edge_vault_segment_key, f->v, &info), MM_EERASED);
    mm_entry_t e;
    entry_at(f, before, &e);
    assert_int_equal(e.kind, MM_ENTRY_HOLD_RELEASED);
    assert_string_equal(e.u.hold_released.hold_id, "req-1");
    assert_string_equal(e.u.hold_released.reason, "request withdrawn");
    entry_at(f, before + 1, &e);
    assert_int_equal(e.kind, MM_ENTRY_SEGMENTS_ERASED);
    assert_int_equal(e.u.segments_erased.reason, MM_ERASE_REASON_HOLD_RELEASED);
    assert_string_equal(e.u.segments_erased.hold_id, "req-1");
    assert_memory_equal(e.u.segments_erased.content_hashes[0], held.content_hash, 32);
    assert_int_equal(edge_retention_release_hold(f->v, "req-1", "again", T0 + 61 * DAY, &rep),
                     MM_ENOTFOUND);
}

/* A hold placed on footage still inside retention; released before retention: nothing is
 * erased early. */
static void releasing_a_hold_inside_retention_erases_nothing(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t s;
    record(f, "cam2", T0 + 60 * 1000000LL, 10000000, &s);
    assert_int_equal(edge_vault_hold_place(f->v, "h2", "cam2", T0, T0 + H, "emergency", T0 + H),
                     MM_OK);
    edge_retention_report_t rep;
    assert_int_equal(edge_retention_release_hold(f->v, "h2", "denied", T0 + 2 * H, &rep), MM_OK);
    assert_int_equal(rep.erased, 0);
    assert_true(exists(s.path));
    edge_segment_info_t info;
    assert_int_equal(edge_segment_verify(s.path, edge_vault_segment_key, f->v, &info), MM_OK);
}

/* Two holds on the same footage: releasing one keeps it for the other. */
static void footage_under_two_holds_stays_until_both_are_released(void **state)
{
    fx_t *f = *state;
    edge_segment_info_t s;
    record(f, "cam1", T0 + 60 * 1000000LL, 10000000, &s);
    assert_int_equal(edge_vault_hold_place(f->v, "a", "cam1", T0, T0 + H, "one", T0 + H), MM_OK);
    assert_int_equal(
        edge_vault_hold_place(f->v, "b", "cam1", T0 + 65 * 1000000LL, T0 + H, "two", T0 + H),
        MM_OK);
    edge_retention_report_t rep;
    assert_int_equal(
        edge_retention_run(f->v, KEEP, T0 + 10 * DAY, MM_ERASE_REASON_RETENTION, 0, &rep), MM_OK);
    assert_int_equal(rep.held, 1);
    assert_int_equal(edge_retention_release_hold(f->v, "a", "done", T0 + 10 * DAY, &rep), MM_OK);
    assert_int_equal(rep.erased, 0);
    edge_segment_info_t info;
    assert_int_equal(edge_segment_verify(s.path, edge_vault_segment_key, f->v, &info), MM_OK);
    assert_int_equal(edge_retention_release_hold(f->v, "b", "done", T0 + 10 * DAY, &rep), MM_OK);
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
    assert_int_equal(edge_retention_run(f->v, KEEP, T0 + H, MM_ERASE_REASON_RETENTION, 0, &rep),
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
        edge_retention_run(f->v, KEEP, T0 + 10 * DAY, MM_ERASE_REASON_STORAGE_PRESSURE, 1, &rep),
        MM_OK);
    assert_int_equal(rep.erased, 1);
    assert_int_equal(edge_keyring_oldest(f->kr), E0 + 1);
    int64_t due;
    assert_int_equal(edge_retention_due(f->v, KEEP, T0 + 10 * DAY, &due), MM_OK);
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
