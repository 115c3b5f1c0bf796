/*
 * test_still.c: a still frame of real recorded footage (still.h; footage_fixture.h records cam1's
 * four 2-second segments of H.264 or H.265 with B-frames and a keyframe each second). R-N8: the
 * manager marks an own-images disclosure's regions on this frame.
 */
#include "footage_fixture.h"

#include "edge/still.h"

/* (width, height) from a JPEG's start-of-frame marker; 0, 0 when there is none. */
static void jpeg_size(const uint8_t *d, size_t n, int *w, int *h)
{
    *w = *h = 0;
    assert_true(n > 4 && d[0] == 0xFF && d[1] == 0xD8);
    size_t i = 2;
    while (i + 9 < n && d[i] == 0xFF) {
        uint8_t m = d[i + 1];
        size_t len = (size_t)d[i + 2] << 8 | d[i + 3];
        if (m >= 0xC0 && m <= 0xC3) {
            *h = d[i + 5] << 8 | d[i + 6];
            *w = d[i + 7] << 8 | d[i + 8];
            return;
        }
        i += 2 + len;
    }
}

/* The keyframe at or before the time, decoded and made a JPEG at the picture's own size. */
static void still_is_the_keyframe_before_the_time_as_a_jpeg(void **state)
{
    fx_t *f = *state;
    char msg[256];
    edge_still_t st;
    int64_t at = f->seg[1].start_us + 1500000; /* keyframes at +0 s and +1 s of the segment */
    assert_int_equal(edge_still_jpeg(f->v, "cam1", at, &st, msg, sizeof msg), MM_OK);
    assert_true(st.time_us <= at && st.time_us > f->seg[1].start_us + 900000);
    assert_string_equal(st.codec, f->media->codec);
    assert_int_equal(st.width, 320);
    assert_int_equal(st.height, 240);
    int w, h;
    jpeg_size(st.data, st.len, &w, &h);
    assert_int_equal(w, 320);
    assert_int_equal(h, 240);
    free(st.data);

    /* The segment's very first frame is a keyframe: a still at its start is that frame. */
    assert_int_equal(edge_still_jpeg(f->v, "cam1", f->seg[2].start_us, &st, msg, sizeof msg),
                     MM_OK);
    assert_int_equal(st.time_us, f->seg[2].start_us);
    free(st.data);
}

static void still_where_nothing_was_recorded_is_not_found(void **state)
{
    fx_t *f = *state;
    char msg[256] = "";
    edge_still_t st;
    assert_int_equal(edge_still_jpeg(f->v, "cam1", T0 - S, &st, msg, sizeof msg), MM_ENOTFOUND);
    assert_non_null(strstr(msg, "recorded nothing"));
    assert_null(st.data);
    assert_int_equal(edge_still_jpeg(f->v, "cam1", T0 + 60 * S, &st, msg, sizeof msg),
                     MM_ENOTFOUND);
    assert_int_equal(edge_still_jpeg(f->v, "cam9", T0 + S, &st, msg, sizeof msg), MM_ENOTFOUND);
    assert_int_not_equal(edge_still_jpeg(f->v, "../cam1", T0 + S, &st, msg, sizeof msg), MM_OK);
    assert_null(st.data);
}

/* R-N7.5: footage past retention has no key; no still of it can be made. */
static void still_of_erased_footage_is_eerased(void **state)
{
    fx_t *f = *state;
    char msg[256] = "";
    edge_still_t st;
    assert_int_equal(edge_keyring_advance(f->kr, edge_epoch_of(T0) + 1), MM_OK);
    assert_int_equal(edge_still_jpeg(f->v, "cam1", T0 + S, &st, msg, sizeof msg), MM_EERASED);
    assert_non_null(strstr(msg, "erased"));
    assert_null(st.data);
}

/* An altered segment does not read back: no still of it. */
static void still_of_an_altered_segment_is_corrupt(void **state)
{
    fx_t *f = *state;
    char msg[256] = "";
    edge_still_t st;
    flip_byte(f->seg[1].path, 400);
    assert_int_equal(edge_still_jpeg(f->v, "cam1", f->seg[1].start_us + S / 2, &st, msg,
                                     sizeof msg),
                     MM_ECORRUPT);
    assert_null(st.data);
}

#define BOTH(fn)                                                                                   \
    cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &h264),                          \
        cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &h265)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(still_is_the_keyframe_before_the_time_as_a_jpeg),
        cmocka_unit_test_prestate_setup_teardown(still_where_nothing_was_recorded_is_not_found,
                                                 setup, teardown, &h264),
        cmocka_unit_test_prestate_setup_teardown(still_of_erased_footage_is_eerased, setup,
                                                 teardown, &h264),
        cmocka_unit_test_prestate_setup_teardown(still_of_an_altered_segment_is_corrupt, setup,
                                                 teardown, &h264),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
