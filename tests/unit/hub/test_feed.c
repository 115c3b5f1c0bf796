/*
 * test_feed.c: the hub's feed of events (hub/feed), with real LMDB: events are stored with ids
 * that only increase, also across a reopen; reading after an id gives exactly the later ones;
 * the store keeps the newest N; subscribers get each event once, after it is stored, and may
 * leave from inside the call; an "entries" event counts kinds and lists only the entries that
 * are not segments, at most 50.
 */
#include "hub_fixture.h"
#include "common/entry.h"
#include "hub/feed.h"
#include "hub/findings_codec.h"

typedef hubfx_t fx_t;

static void reopen(fx_t *f, uint64_t keep)
{
    hub_feed_close(f->feed);
    mm_db_close(f->db);
    assert_int_equal(mm_db_open(f->dir, 0, 16, &f->db), MM_OK);
    assert_int_equal(hub_feed_open(f->db, keep, &f->feed), MM_OK);
}

static int setup(void **state)
{
    *state = hubfx_new("feed", HUBFX_FEED);
    return 0;
}

/* What hub_feed_read gave: ids, types and the events parsed. */
typedef struct {
    size_t n;
    uint64_t ids[64];
    char types[64][16];
    json_t *events[64];
    size_t stop_after; /* 0: never stop */
} seen_t;

static int collect(void *arg, uint64_t id, const char *type, const char *json, size_t len)
{
    seen_t *s = arg;
    assert_true(s->n < 64);
    s->ids[s->n] = id;
    snprintf(s->types[s->n], sizeof s->types[0], "%s", type);
    s->events[s->n] = json_loadb(json, len, 0, NULL);
    assert_non_null(s->events[s->n]);
    s->n++;
    return s->stop_after && s->n == s->stop_after;
}

static void seen_free(seen_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        json_decref(s->events[i]);
    memset(s, 0, sizeof *s);
}

static void test_publish_stores_event_with_id_time_type_site(void **state)
{
    fx_t *f = *state;
    assert_int_equal(hub_feed_last_id(f->feed), 0);
    uint64_t id = 0;
    assert_int_equal(hub_feed_publish(f->feed, "filing", "site-a",
                                      json_pack("{s:s, s:i, s:s}", "state", "accepted", "id", 99,
                                                "type", "not this"),
                                      &id),
                     MM_OK);
    assert_int_equal(id, 1);
    assert_int_equal(hub_feed_publish(f->feed, "finding", NULL, NULL, &id), MM_OK);
    assert_int_equal(id, 2);
    assert_int_equal(hub_feed_last_id(f->feed), 2);

    seen_t s = {0};
    assert_int_equal(hub_feed_read(f->feed, 0, 10, collect, &s), MM_OK);
    assert_int_equal(s.n, 2);
    json_t *e = s.events[0];
    /* The feed's own members win over the data's. */
    assert_int_equal(json_integer_value(json_object_get(e, "id")), 1);
    assert_string_equal(json_string_value(json_object_get(e, "type")), "filing");
    assert_string_equal(s.types[0], "filing");
    assert_string_equal(json_string_value(json_object_get(e, "site")), "site-a");
    assert_string_equal(json_string_value(json_object_get(e, "state")), "accepted");
    const char *t = json_string_value(json_object_get(e, "time"));
    assert_non_null(t);
    assert_int_equal(strlen(t), 20); /* 2026-05-20T03:00:00Z */
    assert_string_equal(json_string_value(json_object_get(s.events[1], "site")), "");
    seen_free(&s);
}

static void test_publish_refuses_data_that_is_not_an_object(void **state)
{
    fx_t *f = *state;
    assert_int_equal(hub_feed_publish(f->feed, "filing", "site-a", json_array(), NULL), MM_EINVAL);
    assert_int_equal(hub_feed_last_id(f->feed), 0);
    seen_t s = {0};
    assert_int_equal(hub_feed_read(f->feed, 0, 10, collect, &s), MM_OK);
    assert_int_equal(s.n, 0);
}

static void test_read_after_id_gives_later_events_in_order(void **state)
{
    fx_t *f = *state;
    for (int i = 0; i < 10; i++)
        assert_int_equal(hub_feed_publish(f->feed, "finding", "site-a", NULL, NULL), MM_OK);
    seen_t s = {0};
    assert_int_equal(hub_feed_read(f->feed, 4, 100, collect, &s), MM_OK);
    assert_int_equal(s.n, 6);
    for (size_t i = 0; i < s.n; i++)
        assert_int_equal(s.ids[i], 5 + i);
    seen_free(&s);

    /* At most max, and fn can stop early. */
    assert_int_equal(hub_feed_read(f->feed, 0, 3, collect, &s), MM_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.ids[2], 3);
    seen_free(&s);
    s.stop_after = 2;
    assert_int_equal(hub_feed_read(f->feed, 7, 100, collect, &s), MM_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[1], 9);
    seen_free(&s);

    /* Nothing after the last, nor after an id past it. */
    assert_int_equal(hub_feed_read(f->feed, 10, 100, collect, &s), MM_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(hub_feed_read(f->feed, UINT64_MAX, 100, collect, &s), MM_OK);
    assert_int_equal(s.n, 0);
}

static void test_ids_keep_increasing_across_reopen(void **state)
{
    fx_t *f = *state;
    for (int i = 0; i < 3; i++)
        assert_int_equal(hub_feed_publish(f->feed, "finding", "site-a", NULL, NULL), MM_OK);
    reopen(f, 0);
    assert_int_equal(hub_feed_last_id(f->feed), 3);
    uint64_t id;
    assert_int_equal(hub_feed_publish(f->feed, "finding", "site-a", NULL, &id), MM_OK);
    assert_int_equal(id, 4);
}

static void test_trimming_keeps_the_newest_and_the_ids(void **state)
{
    fx_t *f = *state;
    reopen(f, 5);
    for (int i = 0; i < 12; i++)
        assert_int_equal(hub_feed_publish(f->feed, "finding", "site-a", NULL, NULL), MM_OK);
    uint64_t oldest;
    assert_int_equal(hub_feed_oldest_id(f->feed, &oldest), MM_OK);
    assert_int_equal(oldest, 8);
    seen_t s = {0};
    assert_int_equal(hub_feed_read(f->feed, 0, 100, collect, &s), MM_OK);
    assert_int_equal(s.n, 5);
    assert_int_equal(s.ids[0], 8);
    assert_int_equal(s.ids[4], 12);
    seen_free(&s);

    /* A smaller bound at the next open trims at the next event; ids go on. */
    reopen(f, 2);
    uint64_t id;
    assert_int_equal(hub_feed_publish(f->feed, "finding", "site-a", NULL, &id), MM_OK);
    assert_int_equal(id, 13);
    assert_int_equal(hub_feed_oldest_id(f->feed, &oldest), MM_OK);
    assert_int_equal(oldest, 12);
}

static void test_oldest_of_an_empty_feed_is_zero(void **state)
{
    fx_t *f = *state;
    uint64_t oldest = 7;
    assert_int_equal(hub_feed_oldest_id(f->feed, &oldest), MM_OK);
    assert_int_equal(oldest, 0);
}

/* A subscriber that records what it gets, checks it is already stored, and may leave. */
typedef struct {
    fx_t *f;
    hub_feed_sub_t *sub;
    hub_feed_sub_t *other; /* unsubscribed by this one at its first event */
    int leave_at;          /* leaves at its n-th event (0: never) */
    int n;
    uint64_t last;
} sub_t;

static int on_event(void *arg, uint64_t id, const char *type, const char *json, size_t len)
{
    sub_t *s = arg;
    s->n++;
    s->last = id;
    /* Published means stored. */
    seen_t seen = {0};
    assert_int_equal(hub_feed_read(s->f->feed, id - 1, 1, collect, &seen), MM_OK);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.ids[0], id);
    json_t *e = json_loadb(json, len, 0, NULL);
    assert_true(json_equal(e, seen.events[0]));
    assert_string_equal(type, seen.types[0]);
    json_decref(e);
    seen_free(&seen);
    if (s->other) {
        hub_feed_unsubscribe(s->other);
        s->other = NULL;
    }
    if (s->leave_at && s->n == s->leave_at)
        hub_feed_unsubscribe(s->sub);
    return 0;
}

static void test_subscribers_get_each_event_once_and_may_leave(void **state)
{
    fx_t *f = *state;
    sub_t a = {.f = f}, b = {.f = f, .leave_at = 2}, c = {.f = f};
    assert_int_equal(hub_feed_subscribe(f->feed, on_event, &a, &a.sub), MM_OK);
    assert_int_equal(hub_feed_subscribe(f->feed, on_event, &b, &b.sub), MM_OK);
    assert_int_equal(hub_feed_subscribers(f->feed), 2);
    for (int i = 0; i < 3; i++)
        assert_int_equal(hub_feed_publish(f->feed, "finding", "site-a", NULL, NULL), MM_OK);
    assert_int_equal(a.n, 3);
    assert_int_equal(a.last, 3);
    assert_int_equal(b.n, 2); /* left inside its second call */
    assert_int_equal(hub_feed_subscribers(f->feed), 1);

    /* One subscriber ends another from inside a call: that one hears nothing more. */
    assert_int_equal(hub_feed_subscribe(f->feed, on_event, &c, &c.sub), MM_OK);
    a.other = c.sub; /* c subscribed last: called first */
    c.other = NULL;
    assert_int_equal(hub_feed_publish(f->feed, "finding", "site-a", NULL, NULL), MM_OK);
    assert_int_equal(hub_feed_publish(f->feed, "finding", "site-a", NULL, NULL), MM_OK);
    assert_int_equal(a.n, 5);
    assert_true(c.n <= 1);
    assert_int_equal(hub_feed_subscribers(f->feed), 1);
    hub_feed_unsubscribe(a.sub);
    hub_feed_unsubscribe(NULL);
    assert_int_equal(hub_feed_subscribers(f->feed), 0);
}

static mm_bytes_t entry(mm_entry_t *e)
{
    uint8_t *buf;
    size_t len;
    assert_int_equal(mm_entry_encode(e, &buf, &len), MM_OK);
    return (mm_bytes_t){buf, len};
}

static mm_bytes_t segment(int i)
{
    mm_entry_t e = {.time_us = 1000 + i, .kind = MM_ENTRY_SEGMENT_RECORDED};
    snprintf(e.u.segment_recorded.camera, MM_ID_MAX, "cam1");
    e.u.segment_recorded.start_us = i * 10;
    e.u.segment_recorded.end_us = i * 10 + 10;
    memset(e.u.segment_recorded.content_hash, i, 32);
    strcpy(e.u.segment_recorded.codec, "h264");
    return entry(&e);
}

static mm_bytes_t gap(int i)
{
    mm_entry_t e = {.time_us = 2000 + i, .kind = MM_ENTRY_CAMERA_GAP};
    snprintf(e.u.camera_gap.camera, MM_ID_MAX, "cam%d", i);
    e.u.camera_gap.start_us = 1;
    e.u.camera_gap.end_us = 2;
    strcpy(e.u.camera_gap.reason, "connection lost");
    return entry(&e);
}

static void test_entries_event_counts_kinds_and_lists_non_segments(void **state)
{
    fx_t *f = *state;
    mm_bytes_t b[4] = {segment(0), gap(1), segment(2), segment(3)};
    assert_int_equal(hub_feed_entries(f->feed, "site-a", 10, 14, b), MM_OK);
    seen_t s = {0};
    assert_int_equal(hub_feed_read(f->feed, 0, 10, collect, &s), MM_OK);
    assert_int_equal(s.n, 1);
    json_t *e = s.events[0];
    assert_string_equal(s.types[0], "entries");
    assert_string_equal(json_string_value(json_object_get(e, "site")), "site-a");
    assert_int_equal(json_integer_value(json_object_get(e, "from")), 10);
    assert_int_equal(json_integer_value(json_object_get(e, "to")), 14);
    json_t *kinds = json_object_get(e, "kinds");
    assert_int_equal(json_object_size(kinds), 2);
    assert_int_equal(json_integer_value(json_object_get(kinds, "segment_recorded")), 3);
    assert_int_equal(json_integer_value(json_object_get(kinds, "camera_gap")), 1);
    json_t *list = json_object_get(e, "entries");
    assert_int_equal(json_array_size(list), 1);
    json_t *g = json_array_get(list, 0);
    assert_int_equal(json_integer_value(json_object_get(g, "index")), 11);
    assert_string_equal(json_string_value(json_object_get(g, "type")), "camera_gap");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(g, "camera_gap"), "camera")), "cam1");
    assert_null(json_object_get(e, "entries_omitted"));
    seen_free(&s);
    for (int i = 0; i < 4; i++)
        free((void *)b[i].data);
}

static void test_entries_event_lists_at_most_50(void **state)
{
    fx_t *f = *state;
    enum { N = HUB_FEED_ENTRIES_MAX + 7 };
    mm_bytes_t b[N];
    for (int i = 0; i < N; i++)
        b[i] = gap(i);
    assert_int_equal(hub_feed_entries(f->feed, "site-a", 0, N, b), MM_OK);
    seen_t s = {0};
    assert_int_equal(hub_feed_read(f->feed, 0, 10, collect, &s), MM_OK);
    json_t *e = s.events[0];
    assert_int_equal(json_array_size(json_object_get(e, "entries")), HUB_FEED_ENTRIES_MAX);
    assert_int_equal(json_integer_value(json_object_get(e, "entries_omitted")), 7);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "kinds"), "camera_gap")),
                     N);
    seen_free(&s);
    for (int i = 0; i < N; i++)
        free((void *)b[i].data);
}

static void test_entries_event_lists_at_most_256_kib(void **state)
{
    fx_t *f = *state;
    enum { N = 10 };
    mm_bytes_t b[N];
    static mm_entry_t e; /* large: hashes of 512 segments */
    for (int i = 0; i < N; i++) {
        memset(&e, 0, sizeof e);
        e.time_us = 3000 + i;
        e.kind = MM_ENTRY_SEGMENTS_ERASED;
        strcpy(e.u.segments_erased.camera, "cam1");
        e.u.segments_erased.start_us = 1;
        e.u.segments_erased.end_us = 2;
        e.u.segments_erased.count = MM_ERASED_MAX;
        e.u.segments_erased.n_content_hashes = MM_ERASED_MAX;
        memset(e.u.segments_erased.content_hashes, i + 1,
               sizeof e.u.segments_erased.content_hashes);
        e.u.segments_erased.reason = MM_ERASE_REASON_RETENTION;
        b[i] = entry(&e);
    }
    assert_int_equal(hub_feed_entries(f->feed, "site-a", 0, N, b), MM_OK);
    seen_t s = {0};
    assert_int_equal(hub_feed_read(f->feed, 0, 10, collect, &s), MM_OK);
    json_t *list = json_object_get(s.events[0], "entries");
    size_t listed = json_array_size(list);
    assert_true(listed > 0 && listed < N);
    assert_true(json_dumpb(list, NULL, 0, JSON_COMPACT) <= HUB_FEED_ENTRIES_BYTES + N);
    assert_int_equal(json_integer_value(json_object_get(s.events[0], "entries_omitted")),
                     N - listed);
    seen_free(&s);
    for (int i = 0; i < N; i++)
        free((void *)b[i].data);
}

static void test_finding_and_filing_events_carry_the_object(void **state)
{
    fx_t *f = *state;
    hub_finding_t fd;
    hub_finding_init(&fd);
    fd.id = 7;
    strcpy(fd.site, "site-b");
    strcpy(fd.kind, "fork");
    fd.severity = HUB_SEVERITY_CRITICAL;
    assert_int_equal(hub_evidence_int(&fd.evidence, "index", 5), MM_OK);
    assert_int_equal(hub_finding_step(&fd, HUB_FINDING_STATE_OPEN, "2026-05-20T03:00:00Z"), MM_OK);
    json_t *finding = hub_finding_json(&fd); /* the finding as stored */
    hub_finding_deinit(&fd);
    assert_int_equal(json_integer_value(json_object_get(finding, "id")), 7);
    assert_string_equal(json_string_value(json_object_get(finding, "site")), "site-b");
    assert_string_equal(json_string_value(json_object_get(finding, "kind")), "fork");
    assert_string_equal(json_string_value(json_object_get(finding, "state")), "open");
    json_t *filing = json_pack("{s:s, s:s}", "id", "f-1", "state", "accepted");
    assert_int_equal(hub_finding_from_json(finding, &fd), MM_OK);
    assert_int_equal(hub_feed_finding(f->feed, &fd), MM_OK);
    hub_finding_deinit(&fd);
    assert_int_equal(hub_feed_filing(f->feed, "site-c", filing), MM_OK);
    seen_t s = {0};
    assert_int_equal(hub_feed_read(f->feed, 0, 10, collect, &s), MM_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.types[0], "finding");
    assert_string_equal(json_string_value(json_object_get(s.events[0], "site")), "site-b");
    assert_true(json_equal(json_object_get(s.events[0], "finding"), finding));
    assert_int_equal(json_integer_value(json_object_get(s.events[0], "id")), 1);
    assert_string_equal(s.types[1], "filing");
    assert_string_equal(json_string_value(json_object_get(s.events[1], "site")), "site-c");
    assert_true(json_equal(json_object_get(s.events[1], "filing"), filing));
    seen_free(&s);
    json_decref(finding);
    json_decref(filing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_publish_stores_event_with_id_time_type_site, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_publish_refuses_data_that_is_not_an_object, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_read_after_id_gives_later_events_in_order, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_ids_keep_increasing_across_reopen, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_trimming_keeps_the_newest_and_the_ids, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_oldest_of_an_empty_feed_is_zero, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_subscribers_get_each_event_once_and_may_leave, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_entries_event_counts_kinds_and_lists_non_segments,
                                        setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_entries_event_lists_at_most_50, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_entries_event_lists_at_most_256_kib, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_finding_and_filing_events_carry_the_object, setup,
                                        hubfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
