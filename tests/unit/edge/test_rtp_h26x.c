/*
 * test_rtp_h26x.c: the picture size from H.264 and H.265 sequence parameter sets (edge/h26x.h)
 * as x264 and x265 write them — interlaced, 4:2:2 with a scaling matrix, 4:4:4, temporal
 * sub-layers, cropping in every case — and refusal of cut-short or hostile ones; the Annex B
 * splitter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "edge/h26x.h"

typedef struct {
    const char *what;
    int h265;
    int w, h;
    uint8_t sps[64];
    size_t len;
} sps_case_t;

static const sps_case_t cases[] = {
    {"x264 718x404 interlaced (tff)",
     0,
     718,
     404,
     {0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x40, 0xb4, 0x6b, 0xd4, 0x98, 0x08, 0x80,
      0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x19, 0x0f, 0x8a, 0x14, 0xcb},
     25},
    {"x264 350x202 High 4:2:2, JVT matrix",
     0,
     350,
     202,
     {0x67, 0x7a, 0x00, 0x0d, 0xbc, 0xd9, 0x41, 0x61, 0xbe, 0xa7, 0xc0, 0x44, 0x00,
      0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xc8, 0x3c, 0x50, 0xa6, 0x58},
     26},
    {"x264 330x190 High 4:4:4",
     0,
     330,
     190,
     {0x67, 0xf4, 0x00, 0x0d, 0x91, 0x9b, 0x28, 0x2a, 0x33, 0xcf, 0x78, 0x08, 0x80,
      0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x19, 0x07, 0x8a, 0x14, 0xcb},
     25},
    {"x265 352x288 4:2:2, two temporal layers",
     1,
     352,
     288,
     {0x42, 0x01, 0x02, 0x04, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9d, 0x08, 0x00, 0x00, 0x03, 0x00,
      0x00, 0x3c, 0x00, 0x00, 0xb0, 0x0b, 0x08, 0x04, 0x85, 0x96, 0x56, 0x62, 0xb3, 0x49, 0x26,
      0x57, 0x80, 0xb4, 0x04, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0x64, 0x20},
     45},
    {"x265 1918x1078 Main",
     1,
     1918,
     1078,
     {0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00,
      0x03, 0x00, 0x78, 0xa0, 0x03, 0xc0, 0x80, 0x10, 0xe7, 0x55, 0x96, 0x56, 0x69, 0x24, 0xca,
      0xf0, 0x16, 0x80, 0x80, 0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x0c, 0x84},
     43},
};

static mm_err_t size_of(const sps_case_t *c, size_t len, int *w, int *h)
{
    return c->h265 ? edge_h265_sps_size(c->sps, len, w, h) : edge_h264_sps_size(c->sps, len, w, h);
}

static void test_h26x_sps_sizes_of_x264_and_x265(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int w = 0, h = 0;
        print_message("%s\n", cases[i].what);
        assert_int_equal(size_of(&cases[i], cases[i].len, &w, &h), MM_OK);
        assert_int_equal(w, cases[i].w);
        assert_int_equal(h, cases[i].h);
    }
}

static void test_h26x_cut_short_or_wrong_sps_is_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* Every prefix either fails, leaving w and h alone, or (once the cropping fields are
         * in) gives the right size: never a wrong one. The first few bytes never suffice. */
        for (size_t len = 0; len < cases[i].len; len++) {
            int w = -1, h = -1;
            mm_err_t rc = size_of(&cases[i], len, &w, &h);
            if (len < 6 || rc != MM_OK) {
                assert_int_equal(rc, MM_EPARSE);
                assert_int_equal(w, -1);
                assert_int_equal(h, -1);
            } else {
                assert_int_equal(w, cases[i].w);
                assert_int_equal(h, cases[i].h);
            }
        }
    }
    /* Not an SPS: a PPS header. */
    int w, h;
    const uint8_t pps[] = {0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};
    assert_int_equal(edge_h264_sps_size(pps, sizeof(pps), &w, &h), MM_EPARSE);
    /* An exp-Golomb code longer than 32 bits. */
    uint8_t zeros[40] = {0x67, 0x42, 0x00, 0x1e};
    assert_int_equal(edge_h264_sps_size(zeros, sizeof(zeros), &w, &h), MM_EPARSE);
    uint8_t zeros265[40] = {0x42, 0x01, 0x01};
    assert_int_equal(edge_h265_sps_size(zeros265, sizeof(zeros265), &w, &h), MM_EPARSE);
}

static void test_h26x_annexb_splits_on_three_and_four_byte_start_codes(void **state)
{
    (void)state;
    const uint8_t b[] = {0, 0, 0, 1, 0x67, 1, 2, 0, 0,    1, 0x68, 3, 0, 0, 0,
                         1, 0, 0, 1, 0,    0, 0, 1, 0x65, 0, 0,    3, 9, 0, 0};
    size_t off = 0, len;
    const uint8_t *nal;
    assert_true(edge_annexb_next(b, sizeof(b), &off, &nal, &len));
    assert_int_equal(len, 3); /* 67 01 02, the zero before 00 00 01 is not part of it */
    assert_int_equal(nal[0], 0x67);
    assert_true(edge_annexb_next(b, sizeof(b), &off, &nal, &len));
    assert_int_equal(len, 2);
    assert_int_equal(nal[0], 0x68);
    assert_true(edge_annexb_next(b, sizeof(b), &off, &nal, &len)); /* the empty unit skipped */
    assert_int_equal(len, 5);
    assert_memory_equal(nal, "\x65\0\0\3\x09", 5);
    assert_false(edge_annexb_next(b, sizeof(b), &off, &nal, &len));
    off = 0;
    assert_false(edge_annexb_next(b, 3, &off, &nal, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h26x_sps_sizes_of_x264_and_x265),
        cmocka_unit_test(test_h26x_cut_short_or_wrong_sps_is_refused),
        cmocka_unit_test(test_h26x_annexb_splits_on_three_and_four_byte_start_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
