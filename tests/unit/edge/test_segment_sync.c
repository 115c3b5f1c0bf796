/*
 * test_segment_sync.c: the segment writers' syncer thread and buffer pool — a chunk's sync is
 * done by the syncer (its rounds count up) and its failure reaches the writer; a withdrawn request
 * is never synced after it; buffers come in size classes, are reused, are bounded when idle, and a
 * camera's next segment gets a buffer sized from its last; no buffer is left out after segments
 * end, finished or aborted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "edge/segment.h"
#include "edge/segment_pool.h"
#include "edge/segment_sync.h"

static char dir[] = "/tmp/mm-test-segsync-XXXXXX";

static const uint8_t seg_key[EDGE_SEG_KEY_LEN] = {7};
static const uint8_t seg_salt[EDGE_SEG_SALT_LEN] = {9};

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Waits (up to 10 s) until the syncer has taken a round after the given count. */
static uint64_t wait_round(uint64_t after)
{
    uint64_t n = 0;
    for (int i = 0; i < 1000; i++) {
        edge_segsync_lag_us(&n);
        if (n > after)
            return n;
        sleep_ms(10);
    }
    fail_msg("the syncer took no round in 10 s");
    return n;
}

static void syncer_syncs_a_file_off_the_caller(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/f", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite("data", 1, 4, f), 4);
    fflush(f);
    uint64_t before = 0;
    edge_segsync_lag_us(&before);
    edge_segsync_req_t r = {.fd = fileno(f)};
    assert_int_equal(edge_segsync_ask(&r), 0);
    /* Asked again while queued: still one request. */
    assert_int_equal(edge_segsync_ask(&r), 0);
    wait_round(before);
    assert_int_equal(edge_segsync_withdraw(&r), 0);
    assert_false(r.queued);
    assert_false(r.busy);
    fclose(f);
}

/* fdatasync of a pipe fails (EINVAL): the failure comes back to the writer, once. */
static void syncer_failure_reaches_the_writer(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    uint64_t before = 0;
    edge_segsync_lag_us(&before);
    edge_segsync_req_t r = {.fd = p[1]};
    assert_int_equal(edge_segsync_ask(&r), 0);
    wait_round(before);
    assert_int_equal(edge_segsync_withdraw(&r), EINVAL);
    assert_int_equal(edge_segsync_withdraw(&r), 0);
    close(p[0]);
    close(p[1]);
}

/* A request withdrawn while still queued is not synced after: its descriptor may be closed. */
static void syncer_withdrawn_request_is_forgotten(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    edge_segsync_req_t reqs[64];
    memset(reqs, 0, sizeof reqs);
    for (int i = 0; i < 64; i++) {
        reqs[i].fd = p[1];
        assert_int_equal(edge_segsync_ask(&reqs[i]), 0);
    }
    /* Withdrawn out of order: the queue stays a list of the others. */
    for (int i = 63; i >= 0; i -= 2)
        edge_segsync_withdraw(&reqs[i]);
    for (int i = 0; i < 64; i += 2)
        edge_segsync_withdraw(&reqs[i]);
    for (int i = 0; i < 64; i++) {
        assert_false(reqs[i].queued);
        assert_false(reqs[i].busy);
    }
    /* The queue still works after. */
    uint64_t before = 0;
    edge_segsync_lag_us(&before);
    assert_int_equal(edge_segsync_ask(&reqs[0]), 0);
    wait_round(before);
    assert_int_equal(edge_segsync_withdraw(&reqs[0]), EINVAL);
    close(p[0]);
    close(p[1]);
}

static void pool_classes_reuse_and_bound(void **state)
{
    (void)state;
    assert_int_equal(edge_segpool_class(1), EDGE_SEGPOOL_MIN);
    assert_int_equal(edge_segpool_class(EDGE_SEGPOOL_MIN), EDGE_SEGPOOL_MIN);
    assert_int_equal(edge_segpool_class(EDGE_SEGPOOL_MIN + 1), 2 * EDGE_SEGPOOL_MIN);
    assert_int_equal(edge_segpool_class(300 * 1024), 512 * 1024);
    size_t huge = (size_t)1 << 30;
    assert_int_equal(edge_segpool_class(huge), huge); /* beyond the classes: as asked */

    size_t base_in_use;
    edge_segpool_idle(&base_in_use);
    size_t cap;
    uint8_t *a = edge_segpool_get(200 * 1024, &cap);
    assert_non_null(a);
    assert_int_equal(cap, 256 * 1024);
    memset(a, 0x5a, cap); /* all of it is ours */
    edge_segpool_put(a, cap);
    uint8_t *b = edge_segpool_get(129 * 1024, &cap);
    assert_ptr_equal(b, a); /* the idle buffer of that class, reused */
    edge_segpool_put(b, cap);

    /* Idle buffers beyond the bound go back to the system. */
    enum { N = EDGE_SEGPOOL_IDLE_MAX / (4 * 1024 * 1024) + 4 };
    uint8_t *many[N];
    for (int i = 0; i < N; i++) {
        many[i] = edge_segpool_get(4 * 1024 * 1024, &cap);
        assert_non_null(many[i]);
    }
    size_t in_use;
    edge_segpool_idle(&in_use);
    assert_int_equal(in_use, base_in_use + N);
    for (int i = 0; i < N; i++)
        edge_segpool_put(many[i], cap);
    assert_true(edge_segpool_idle(&in_use) <= EDGE_SEGPOOL_IDLE_MAX);
    assert_int_equal(in_use, base_in_use);
}

static void pool_learns_each_camera(void **state)
{
    (void)state;
    assert_int_equal(edge_segpool_hint("cam-never"), 0);
    edge_segpool_learn("cam-a", 700000);
    edge_segpool_learn("cam-b", 90000);
    assert_int_equal(edge_segpool_hint("cam-a"), 700000);
    assert_int_equal(edge_segpool_hint("cam-b"), 90000);
    edge_segpool_learn("cam-a", 300000); /* the last segment's need, not the largest ever */
    assert_int_equal(edge_segpool_hint("cam-a"), 300000);
}

/* Writes n frames of size bytes at 30 fps into a new segment of camera at start. */
static edge_segment_writer_t *write_segment(const char *camera, int64_t start, int n, size_t size)
{
    edge_segment_writer_t *w;
    assert_int_equal(
        edge_segment_create(dir, camera, "h264", NULL, 0, start, 1, seg_salt, seg_key, &w), MM_OK);
    uint8_t *f = malloc(size);
    assert_non_null(f);
    for (size_t k = 0; k < size; k++)
        f[k] = (uint8_t)(k * 7 + 3) | 0x80;
    f[0] = 0, f[1] = 0, f[2] = 0, f[3] = 1, f[4] = 0x65;
    for (int i = 0; i < n; i++)
        assert_int_equal(edge_segment_write(w, start + i * 33333, i, i == 0, f, size), MM_OK);
    free(f);
    return w;
}

static mm_err_t key_of(void *arg, const edge_segment_info_t *hdr, uint8_t key[EDGE_SEG_KEY_LEN])
{
    (void)arg, (void)hdr;
    memcpy(key, seg_key, EDGE_SEG_KEY_LEN);
    return MM_OK;
}

/* A camera's segment teaches the pool its need; segments of other bit rates are apart; every
 * buffer is given back when a segment finishes or is aborted; the files read back whole. */
static void writer_buffers_follow_the_bit_rate(void **state)
{
    (void)state;
    size_t base_in_use;
    edge_segpool_idle(&base_in_use);
    const int64_t t0 = 1700000000000000LL;
    /* 60 frames of 20 kB at 30 fps: chunks of 14 frames (0.4 s), 280 kB. */
    edge_segment_writer_t *w = write_segment("cam-fast", t0, 60, 20000);
    size_t in_use;
    edge_segpool_idle(&in_use);
    assert_int_equal(in_use, base_in_use + 1);
    edge_segment_info_t info;
    assert_int_equal(edge_segment_finish(w, t0 + 2000000, &info), MM_OK);
    assert_true(info.chunks >= 3);
    size_t fast = edge_segpool_hint("cam-fast");
    assert_true(fast >= 13 * 20000 && fast <= 15 * (20000 + 21) + 4);
    edge_segment_info_t check;
    assert_int_equal(edge_segment_verify(info.path, key_of, NULL, &check), MM_OK);
    assert_int_equal(check.frames, 60);

    /* A slow camera: small chunks, a small need. */
    w = write_segment("cam-slow", t0, 60, 500);
    assert_int_equal(edge_segment_finish(w, t0 + 2000000, &info), MM_OK);
    size_t slow = edge_segpool_hint("cam-slow");
    assert_true(slow > 0 && slow < 32 * 1024);
    assert_true(edge_segpool_class(slow) < edge_segpool_class(fast));

    /* The next segment of the fast camera starts at its class: nothing regrows. */
    w = write_segment("cam-fast", t0 + 10000000, 60, 20000);
    edge_segment_abort(w);
    edge_segpool_idle(&in_use);
    assert_int_equal(in_use, base_in_use);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syncer_syncs_a_file_off_the_caller),
        cmocka_unit_test(syncer_failure_reaches_the_writer),
        cmocka_unit_test(syncer_withdrawn_request_is_forgotten),
        cmocka_unit_test(pool_classes_reuse_and_bound),
        cmocka_unit_test(pool_learns_each_camera),
        cmocka_unit_test(writer_buffers_follow_the_bit_rate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
