/*
 * test_segment.c: segment files — frames read back as written, the content hash is the hash of
 * the NAL units (recomputed here independently), and truncated or altered files are detected.
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

#include "crypto.h"
#include "segment.h"

static char dir[] = "/tmp/mm-test-segment-XXXXXX";

#define FRAMES 45

/* Frame i: two NAL units with 4- and 3-byte start codes and a trailing zero byte. */
static size_t make_frame(int i, uint8_t *buf)
{
    size_t n = 0;
    static const uint8_t sc4[] = {0, 0, 0, 1}, sc3[] = {0, 0, 1};
    memcpy(buf + n, sc4, 4), n += 4;
    buf[n++] = 0x09; /* access unit delimiter */
    buf[n++] = 0xf0;
    memcpy(buf + n, sc3, 3), n += 3;
    buf[n++] = i % 15 == 0 ? 0x65 : 0x41;
    for (int k = 0; k < 100 + i * 37; k++)
        buf[n++] = (uint8_t)(k * 31 + i) | 1;
    buf[n++] = 0; /* trailing_zero_8bits: not part of the NAL unit */
    return n;
}

/* The content hash as segment.h defines it, written out by hand for these frames. */
static void expected_hash(uint8_t out[32])
{
    uint8_t *all = malloc(1 << 20);
    size_t n = 0;
    uint8_t f[4096];
    for (int i = 0; i < FRAMES; i++) {
        size_t len = make_frame(i, f);
        /* NAL 1: bytes 4..5; NAL 2: from byte 9 to before the trailing zero. */
        uint8_t l1[4] = {0, 0, 0, 2};
        memcpy(all + n, l1, 4), n += 4;
        memcpy(all + n, f + 4, 2), n += 2;
        uint32_t len2 = (uint32_t)(len - 1 - 9);
        uint8_t l2[4] = {(uint8_t)(len2 >> 24), (uint8_t)(len2 >> 16), (uint8_t)(len2 >> 8),
                         (uint8_t)len2};
        memcpy(all + n, l2, 4), n += 4;
        memcpy(all + n, f + 9, len2), n += len2;
    }
    mm_sha256(all, n, out);
    free(all);
}

static void write_segment(edge_segment_info_t *info)
{
    static const uint8_t extra[] = {0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xce};
    edge_segment_writer_t *w;
    assert_int_equal(edge_segment_create(dir, "cam1", "h264", extra, sizeof extra,
                                         1700000000000000, &w),
                     MM_OK);
    uint8_t f[4096];
    for (int i = 0; i < FRAMES; i++) {
        size_t len = make_frame(i, f);
        /* 15 frames a second: three chunks of about a second each. */
        assert_int_equal(edge_segment_write(w, 1700000000000000 + i * 66666, i * 6000,
                                            i % 15 == 0, f, len),
                         MM_OK);
    }
    assert_int_equal(edge_segment_frames(w), FRAMES);
    assert_int_equal(edge_segment_finish(w, 1700000003000000, info), MM_OK);
}

static void round_trip(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    edge_segment_info_t info;
    write_segment(&info);
    assert_string_equal(info.camera, "cam1");
    assert_string_equal(info.codec, "h264");
    assert_int_equal(info.frames, FRAMES);
    assert_int_equal(info.start_us, 1700000000000000);
    assert_int_equal(info.end_us, 1700000003000000);
    char want_path[256];
    snprintf(want_path, sizeof want_path, "%s/1700000000000000.mmseg", dir);
    assert_string_equal(info.path, want_path);
    struct stat st;
    assert_int_equal(stat(info.path, &st), 0);
    assert_int_equal((uint64_t)st.st_size, info.bytes);
    char partial[EDGE_SEG_PATH_MAX + 16];
    snprintf(partial, sizeof partial, "%s.partial", info.path);
    assert_int_not_equal(access(partial, F_OK), 0); /* renamed away */

    uint8_t want[32];
    expected_hash(want);
    assert_memory_equal(info.content_hash, want, 32);

    /* Read back: every frame as written. */
    edge_segment_reader_t *r;
    edge_segment_info_t h;
    assert_int_equal(edge_segment_open(info.path, &r, &h), MM_OK);
    assert_string_equal(h.camera, "cam1");
    size_t xlen;
    assert_non_null(edge_segment_extradata(r, &xlen));
    assert_int_equal(xlen, 12);
    edge_frame_t fr;
    uint8_t f[4096];
    for (int i = 0; i < FRAMES; i++) {
        assert_int_equal(edge_segment_next(r, &fr), MM_OK);
        size_t len = make_frame(i, f);
        assert_int_equal(fr.len, len);
        assert_memory_equal(fr.data, f, len);
        assert_int_equal(fr.key, i % 15 == 0);
        assert_int_equal(fr.pts, i * 6000);
    }
    assert_int_equal(edge_segment_next(r, &fr), MM_ENOTFOUND);
    edge_segment_close(r);

    edge_segment_info_t v;
    assert_int_equal(edge_segment_verify(info.path, &v), MM_OK);
    assert_memory_equal(v.content_hash, want, 32);
    assert_int_equal(v.frames, FRAMES);
    assert_int_equal(v.bytes, info.bytes);
}

static void damage_is_detected(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/1700000000000000.mmseg", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t orig[1 << 20];
    size_t n = fread(orig, 1, sizeof orig, f);
    fclose(f);
    char bad[300];
    snprintf(bad, sizeof bad, "%s/bad.mmseg", dir);
    edge_segment_info_t v;

    /* Every single-byte change after the header, and every truncation, is caught. */
    size_t header = 7 + 1 + 1 + 4 + 1 + 4 + 8 + 4 + 12;
    for (size_t pos = header; pos < n; pos += 7) {
        orig[pos] ^= 0x20;
        f = fopen(bad, "wb");
        fwrite(orig, 1, n, f);
        fclose(f);
        orig[pos] ^= 0x20;
        if (edge_segment_verify(bad, &v) == MM_OK)
            fail_msg("a changed byte at offset %zu went unnoticed", pos);
    }
    for (size_t cut = 0; cut < n; cut += 101) {
        f = fopen(bad, "wb");
        fwrite(orig, 1, cut, f);
        fclose(f);
        mm_err_t err = edge_segment_verify(bad, &v);
        assert_true(err == MM_ECORRUPT);
    }
    /* Not a segment at all. */
    f = fopen(bad, "wb");
    fputs("hello", f);
    fclose(f);
    assert_int_equal(edge_segment_verify(bad, &v), MM_ECORRUPT);
    assert_int_equal(edge_segment_verify("/nonexistent/x.mmseg", &v), MM_EIO);
}

static void abort_removes(void **state)
{
    (void)state;
    edge_segment_writer_t *w;
    assert_int_equal(edge_segment_create(dir, "cam2", "h265", NULL, 0, 5, &w), MM_OK);
    char partial[300];
    snprintf(partial, sizeof partial, "%s/5.mmseg.partial", dir);
    assert_int_equal(access(partial, F_OK), 0);
    edge_segment_abort(w);
    assert_int_not_equal(access(partial, F_OK), 0);
    assert_int_equal(edge_segment_create(dir, "", "h264", NULL, 0, 5, &w), MM_EINVAL);
    assert_int_equal(edge_segment_create("/nonexistent", "c", "h264", NULL, 0, 5, &w), MM_EIO);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(damage_is_detected),
        cmocka_unit_test(abort_removes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
