/*
 * test_livemux.c: frames to fragmented MP4 (livemux.h) — an H.264 keyframe (x264's, in the fuzz
 * corpus) gives an init segment ftyp + moov with avc1/avcC and its codec as MSE names it, and
 * each later frame closes the fragment (moof + mdat) of the one before, the keyframe's marked;
 * an H.265 one (x265's) gives hvc1/hvcC; bytes with no parameter sets are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "edge/livemux.h"

#define CORPUS MM_TEST_DATA "/../fuzz/corpus/livemux/"

typedef struct {
    int inits, fragments, keys;
    int init_has_box;
    const char *box;
} seen_t;

static void out(void *arg, const uint8_t *buf, size_t len, int init, int key)
{
    seen_t *s = arg;
    if (init) {
        s->inits++;
        assert_memory_equal(buf + 4, "ftyp", 4);
        for (size_t i = 0; i + 4 <= len; i++)
            if (memcmp(buf + i, s->box, 4) == 0)
                s->init_has_box = 1;
    } else {
        s->fragments++;
        s->keys += key;
        assert_memory_equal(buf + 4, "moof", 4);
    }
}

static uint8_t *slurp(const char *name, size_t *len)
{
    FILE *f = fopen(name, "rb");
    assert_non_null(f);
    static uint8_t buf[65536];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static void muxes(const char *file, const char *codec, const char *box, const char *prefix)
{
    size_t len;
    uint8_t *d = slurp(file, &len);
    seen_t s = {.box = box};
    edge_livemux_t *m = NULL;
    assert_int_equal(edge_livemux_create(codec, d + 1, len - 1, 64, 48, out, &s, &m), MM_OK);
    assert_int_equal(s.inits, 1);
    assert_true(s.init_has_box);
    printf("%s: %s\n", codec, edge_livemux_codec(m));
    assert_int_equal(strncmp(edge_livemux_codec(m), prefix, strlen(prefix)), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(edge_livemux_frame(m, d + 1, len - 1, i == 0, 66667LL * i), MM_OK);
    assert_int_equal(s.fragments, 3);
    assert_int_equal(s.keys, 1);
    edge_livemux_destroy(m);
}

static void h264_is_avc1(void **state)
{
    (void)state;
    muxes(CORPUS "h264_keyframe", "h264", "avcC", "avc1.");
}

static void h265_is_hvc1(void **state)
{
    (void)state;
    muxes(CORPUS "h265_keyframe", "hevc", "hvcC", "hvc1.");
}

static void no_parameter_sets_refused(void **state)
{
    (void)state;
    static const uint8_t slice[] = {0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00};
    seen_t s = {.box = "avcC"};
    edge_livemux_t *m = NULL;
    assert_int_equal(edge_livemux_create("h264", slice, sizeof slice, 64, 48, out, &s, &m),
                     MM_EINVAL);
    assert_int_equal(edge_livemux_create("vp8", slice, sizeof slice, 64, 48, out, &s, &m),
                     MM_EINVAL);
    assert_int_equal(s.inits, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(h264_is_avc1),
        cmocka_unit_test(h265_is_hvc1),
        cmocka_unit_test(no_parameter_sets_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
