/*
 * test_storage.c: when the disk is short of space, cameras give way lowest priority first and
 * come back highest priority first; free space is read from the filesystem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "edge/storage.h"

static void lowest_priority_camera_stops_first_and_resumes_last(void **state)
{
    (void)state;
    edge_storage_camera_t c[4] = {
        {"entrance", 10, 0}, {"street-1", 0, 0}, {"street-2", 0, 0}, {"lobby", 5, 0}};
    int order[4];
    for (int k = 0; k < 4; k++) {
        int i = edge_storage_pick_pause(c, 4);
        assert_true(i >= 0);
        c[i].paused = 1;
        order[k] = i;
    }
    /* Equal priority: the last listed goes first. */
    assert_int_equal(order[0], 2);
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 3);
    assert_int_equal(order[3], 0);
    assert_int_equal(edge_storage_pick_pause(c, 4), -1);
    assert_int_equal(edge_storage_pick_resume(c, 4), 0);
    c[0].paused = 0;
    assert_int_equal(edge_storage_pick_resume(c, 4), 3);
    c[3].paused = 0;
    assert_int_equal(edge_storage_pick_resume(c, 4), 1); /* the first listed among equals */
    c[1].paused = c[2].paused = 0;
    assert_int_equal(edge_storage_pick_resume(c, 4), -1);
}

static void free_space_is_read_from_the_filesystem(void **state)
{
    (void)state;
    uint64_t f, t;
    assert_int_equal(edge_storage_space("/tmp", &f, &t), MM_OK);
    assert_true(t > 0 && f <= t);
    assert_int_equal(edge_storage_space("/nonexistent/dir", &f, &t), MM_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lowest_priority_camera_stops_first_and_resumes_last),
        cmocka_unit_test(free_space_is_read_from_the_filesystem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
