/*
 * test_segment.c: segment files — frames read back as written, the content hash is the hash of
 * the NAL units (recomputed here independently), truncated or altered files are detected, and
 * the complete chunks of a segment cut short by a crash are recovered (R-K2.2.6c, R-N7.5).
 * Footage is encrypted at rest (R-K2.2.6d, R-N7.7) and any alteration of it is detectable
 * (R-N7.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/crypto.h"
#include "edge/segment.h"

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

static const uint8_t seg_key[EDGE_SEG_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                                   15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
                                                   27, 28, 29, 30, 31, 32};
static const uint8_t seg_salt[EDGE_SEG_SALT_LEN] = {0xa5, 0x5a};
#define T0 1700000000000000LL
#define EPOCH 472222LL

/* The key callback of these tests: checks what the header says and hands out seg_key. */
static mm_err_t key_of(void *arg, const edge_segment_info_t *hdr, uint8_t key[EDGE_SEG_KEY_LEN])
{
    const uint8_t *k = arg ? arg : seg_key;
    if (hdr->epoch != EPOCH || memcmp(hdr->salt, seg_salt, EDGE_SEG_SALT_LEN) != 0)
        return MM_EINVAL;
    memcpy(key, k, EDGE_SEG_KEY_LEN);
    return MM_OK;
}

static mm_err_t key_erased(void *arg, const edge_segment_info_t *hdr,
                           uint8_t key[EDGE_SEG_KEY_LEN])
{
    (void)arg, (void)hdr, (void)key;
    return MM_EERASED;
}

static edge_segment_writer_t *start_segment(const char *camera, int64_t start)
{
    static const uint8_t extra[] = {0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xce};
    edge_segment_writer_t *w;
    assert_int_equal(edge_segment_create(dir, camera, "h264", extra, sizeof extra, start, EPOCH,
                                         seg_salt, seg_key, &w),
                     MM_OK);
    return w;
}

/* Writes frames [0, n) at 15 frames a second. */
static void write_frames(edge_segment_writer_t *w, int64_t start, int n)
{
    uint8_t f[4096];
    for (int i = 0; i < n; i++) {
        size_t len = make_frame(i, f);
        assert_int_equal(edge_segment_write(w, start + i * 66666, i * 6000, i % 15 == 0, f, len),
                         MM_OK);
    }
}

static void write_segment(edge_segment_info_t *info)
{
    edge_segment_writer_t *w = start_segment("cam1", T0);
    write_frames(w, T0, FRAMES);
    assert_int_equal(edge_segment_frames(w), FRAMES);
    assert_int_equal(edge_segment_finish(w, T0 + 3000000, info), MM_OK);
}

static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void spit(const char *path, const uint8_t *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
}

static void segment_round_trip_reads_every_frame(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    edge_segment_info_t info;
    write_segment(&info);
    assert_string_equal(info.camera, "cam1");
    assert_string_equal(info.codec, "h264");
    assert_int_equal(info.frames, FRAMES);
    assert_int_equal(info.start_us, T0);
    assert_int_equal(info.end_us, T0 + 3000000);
    assert_int_equal(info.epoch, EPOCH);
    assert_int_equal(info.recovered, 0);
    /* Chunks close once their frames span 0.4 s: 8 frames at 15 per second, then LAST. */
    assert_int_equal(info.chunks, 6);
    char want_path[256];
    snprintf(want_path, sizeof want_path, "%s/%lld.mmseg", dir, T0);
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

    /* The frames are not in the file in clear (R-K2.2.6d, R-N7.7). */
    static uint8_t file[1 << 20];
    size_t n = slurp(info.path, file, sizeof file);
    uint8_t f[4096];
    size_t len = make_frame(20, f);
    assert_null(memmem(file, n, f + 9, len - 10));

    /* Read back: every frame as written. */
    edge_segment_reader_t *r;
    edge_segment_info_t h;
    assert_int_equal(edge_segment_open(info.path, key_of, NULL, &r, &h), MM_OK);
    assert_string_equal(h.camera, "cam1");
    assert_int_equal(h.epoch, EPOCH);
    size_t xlen;
    assert_non_null(edge_segment_extradata(r, &xlen));
    assert_int_equal(xlen, 12);
    edge_frame_t fr;
    for (int i = 0; i < FRAMES; i++) {
        assert_int_equal(edge_segment_next(r, &fr), MM_OK);
        len = make_frame(i, f);
        assert_int_equal(fr.len, len);
        assert_memory_equal(fr.data, f, len);
        assert_int_equal(fr.key, i % 15 == 0);
        assert_int_equal(fr.pts, i * 6000);
        assert_int_equal(fr.time_us, T0 + i * 66666);
    }
    assert_int_equal(edge_segment_next(r, &fr), MM_ENOTFOUND);
    assert_int_equal(edge_segment_next(r, &fr), MM_ENOTFOUND);
    edge_segment_close(r);

    edge_segment_info_t v;
    assert_int_equal(edge_segment_verify(info.path, key_of, NULL, &v), MM_OK);
    assert_memory_equal(v.content_hash, want, 32);
    assert_int_equal(v.frames, FRAMES);
    assert_int_equal(v.bytes, info.bytes);
    assert_int_equal(v.end_us, T0 + 3000000);
}

static void segment_altered_or_truncated_is_detected(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/%lld.mmseg", dir, T0);
    static uint8_t orig[1 << 20];
    size_t n = slurp(path, orig, sizeof orig);
    char bad[300];
    snprintf(bad, sizeof bad, "%s/bad.mmseg", dir);
    edge_segment_info_t v;

    /* Every single-byte change, header included, and every truncation, is caught (R-N7.3). */
    for (size_t pos = 0; pos < n; pos += 7) {
        orig[pos] ^= 0x20;
        spit(bad, orig, n);
        orig[pos] ^= 0x20;
        if (edge_segment_verify(bad, key_of, NULL, &v) == MM_OK)
            fail_msg("a changed byte at offset %zu went unnoticed", pos);
    }
    for (size_t cut = 0; cut < n; cut += 101) {
        spit(bad, orig, cut);
        assert_int_equal(edge_segment_verify(bad, key_of, NULL, &v), MM_ECORRUPT);
    }
    /* Bytes appended after LAST. */
    orig[n] = 0;
    spit(bad, orig, n + 1);
    assert_int_equal(edge_segment_verify(bad, key_of, NULL, &v), MM_ECORRUPT);

    /* The reader hands out no frame of a chunk that does not open. */
    orig[n - 30] ^= 1; /* inside the LAST chunk */
    spit(bad, orig, n);
    orig[n - 30] ^= 1;
    edge_segment_reader_t *r;
    assert_int_equal(edge_segment_open(bad, key_of, NULL, &r, &v), MM_OK);
    edge_frame_t fr;
    int got = 0;
    mm_err_t err;
    while ((err = edge_segment_next(r, &fr)) == MM_OK)
        got++;
    assert_int_equal(err, MM_ECORRUPT);
    assert_int_equal(got, 40); /* the five whole chunks before LAST */
    edge_segment_close(r);

    /* A wrong key opens nothing; a key that no longer exists is reported as such. */
    uint8_t other[EDGE_SEG_KEY_LEN] = {9};
    assert_int_equal(edge_segment_verify(path, key_of, other, &v), MM_ECORRUPT);
    assert_int_equal(edge_segment_verify(path, key_erased, NULL, &v), MM_EERASED);

    /* Not a segment at all. */
    spit(bad, (const uint8_t *)"hello", 5);
    assert_int_equal(edge_segment_verify(bad, key_of, NULL, &v), MM_ECORRUPT);
    assert_int_equal(edge_segment_verify("/nonexistent/x.mmseg", key_of, NULL, &v), MM_EIO);
    unlink(bad);
}

/* Chunk offsets of a file: walks the tags. */
static size_t chunk_offsets(const uint8_t *buf, size_t n, size_t header, size_t *off, size_t max)
{
    size_t k = 0, pos = header;
    while (pos + 8 <= n && k < max) {
        off[k++] = pos;
        size_t len = ((size_t)buf[pos + 4] << 24) | ((size_t)buf[pos + 5] << 16) |
                     ((size_t)buf[pos + 6] << 8) | buf[pos + 7];
        pos += 8 + len + 16;
    }
    return k;
}

static void segment_moved_or_dropped_chunk_is_detected(void **state)
{
    (void)state;
    char path[256], bad[300];
    snprintf(path, sizeof path, "%s/%lld.mmseg", dir, T0);
    snprintf(bad, sizeof bad, "%s/bad.mmseg", dir);
    static uint8_t orig[1 << 20], out[1 << 20];
    size_t n = slurp(path, orig, sizeof orig);
    size_t header = 7 + 1 + 1 + 4 + 1 + 4 + 8 + 8 + 16 + 4 + 12;
    size_t off[8];
    assert_int_equal(chunk_offsets(orig, n, header, off, 8), 6);
    edge_segment_info_t v;
    /* Chunk 1 dropped. */
    memcpy(out, orig, off[1]);
    memcpy(out + off[1], orig + off[2], n - off[2]);
    spit(bad, out, off[1] + n - off[2]);
    assert_int_equal(edge_segment_verify(bad, key_of, NULL, &v), MM_ECORRUPT);
    /* Chunks 1 and 2 swapped. */
    size_t l1 = off[2] - off[1], l2 = off[3] - off[2];
    memcpy(out, orig, n);
    memcpy(out + off[1], orig + off[2], l2);
    memcpy(out + off[1] + l2, orig + off[1], l1);
    spit(bad, out, n);
    assert_int_equal(edge_segment_verify(bad, key_of, NULL, &v), MM_ECORRUPT);
    /* A CHNK relabelled LAST with the file cut after it. */
    memcpy(out, orig, off[2]);
    memcpy(out + off[1], "LAST", 4);
    spit(bad, out, off[2]);
    assert_int_equal(edge_segment_verify(bad, key_of, NULL, &v), MM_ECORRUPT);
    unlink(bad);
}

/* A child writes n frames and dies without finishing, as under kill -9. */
static void crash_while_writing(const char *camera, int64_t start, int n)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        edge_segment_writer_t *w = start_segment(camera, start);
        write_frames(w, start, n);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void segment_crash_recovers_complete_chunks(void **state)
{
    (void)state;
    /* 36 frames: four chunks of 8 are on disk, the last 4 frames (0.2 s) were in memory. */
    crash_while_writing("cam3", T0, 36);
    char partial[300], final[300];
    snprintf(partial, sizeof partial, "%s/%lld.mmseg.partial", dir, T0);
    snprintf(final, sizeof final, "%s/%lld.mmseg", dir, T0);
    unlink(final);
    /* The crash also left half a chunk behind: recovery drops it. */
    FILE *f = fopen(partial, "ab");
    assert_non_null(f);
    fwrite("CHNK\0\0\1\0garbage", 1, 15, f);
    fclose(f);

    edge_segment_info_t info;
    assert_int_equal(edge_segment_recover(partial, key_of, NULL, &info), MM_OK);
    assert_int_equal(info.recovered, 1);
    assert_int_equal(info.frames, 32);
    assert_int_equal(info.chunks, 5);
    assert_int_equal(info.end_us, T0 + 31 * 66666); /* the last kept frame */
    assert_string_equal(info.path, final);
    assert_int_not_equal(access(partial, F_OK), 0);
    /* Lost: what was in memory, less than a second. */
    assert_true(T0 + 35 * 66666 - info.end_us < 1000000);

    edge_segment_info_t v;
    assert_int_equal(edge_segment_verify(final, key_of, NULL, &v), MM_OK);
    assert_int_equal(v.frames, 32);
    assert_int_equal(v.recovered, 1);
    assert_memory_equal(v.content_hash, info.content_hash, 32);
    struct stat st;
    assert_int_equal(stat(final, &st), 0);
    assert_int_equal((uint64_t)st.st_size, info.bytes);
    unlink(final);
}

static void segment_crash_before_first_chunk_leaves_nothing(void **state)
{
    (void)state;
    crash_while_writing("cam4", T0 + 1, 5); /* 0.27 s: no chunk written yet */
    char partial[300];
    snprintf(partial, sizeof partial, "%s/%lld.mmseg.partial", dir, T0 + 1);
    edge_segment_info_t info;
    assert_int_equal(edge_segment_recover(partial, key_of, NULL, &info), MM_ENOTFOUND);
    assert_int_not_equal(access(partial, F_OK), 0);
    /* Not a partial name; a partial whose header is damaged is left alone. */
    assert_int_equal(edge_segment_recover("/tmp/x.mmseg", key_of, NULL, &info), MM_EINVAL);
    snprintf(partial, sizeof partial, "%s/9.mmseg.partial", dir);
    spit(partial, (const uint8_t *)"MMSEG2\n", 7);
    assert_int_equal(edge_segment_recover(partial, key_of, NULL, &info), MM_ECORRUPT);
    assert_int_equal(access(partial, F_OK), 0);
    unlink(partial);
}

static void segment_finished_but_not_renamed_is_kept_whole(void **state)
{
    (void)state;
    /* The crash came between the LAST chunk and the rename: nothing is lost or marked. */
    edge_segment_info_t info;
    edge_segment_writer_t *w = start_segment("cam5", T0);
    write_frames(w, T0, 20);
    assert_int_equal(edge_segment_finish(w, T0 + 2000000, &info), MM_OK);
    char partial[EDGE_SEG_PATH_MAX + 16];
    snprintf(partial, sizeof partial, "%s.partial", info.path);
    assert_int_equal(rename(info.path, partial), 0);
    edge_segment_info_t r;
    assert_int_equal(edge_segment_recover(partial, key_of, NULL, &r), MM_OK);
    assert_int_equal(r.recovered, 0);
    assert_int_equal(r.frames, 20);
    assert_int_equal(r.end_us, T0 + 2000000);
    assert_memory_equal(r.content_hash, info.content_hash, 32);
    assert_int_equal(access(info.path, F_OK), 0);
}

static void segment_abort_removes_partial(void **state)
{
    (void)state;
    edge_segment_writer_t *w;
    assert_int_equal(
        edge_segment_create(dir, "cam2", "h265", NULL, 0, 5, EPOCH, seg_salt, seg_key, &w), MM_OK);
    char partial[300];
    snprintf(partial, sizeof partial, "%s/5.mmseg.partial", dir);
    assert_int_equal(access(partial, F_OK), 0);
    edge_segment_abort(w);
    assert_int_not_equal(access(partial, F_OK), 0);
    edge_segment_abort(NULL);
    assert_int_equal(
        edge_segment_create(dir, "", "h264", NULL, 0, 5, EPOCH, seg_salt, seg_key, &w),
        MM_EINVAL);
    assert_int_equal(edge_segment_create("/nonexistent", "c", "h264", NULL, 0, 5, EPOCH, seg_salt,
                                         seg_key, &w),
                     MM_EIO);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* --- the NAL splitter against a byte-by-byte reference -------------------------------------*/

typedef struct {
    size_t off[4096], len[4096];
    size_t n;
    const uint8_t *base;
} nals_t;

static void collect_nal(void *arg, const uint8_t *nal, size_t len)
{
    nals_t *ns = arg;
    assert_true(ns->n < 4096);
    ns->off[ns->n] = (size_t)(nal - ns->base);
    ns->len[ns->n++] = len;
}

/* The definition in segment.h, one byte at a time: NAL units are what lies between start codes
 * 00 00 01, without trailing zero bytes; a buffer without any start code is one NAL unit. */
static void reference_nals(const uint8_t *d, size_t len, nals_t *ns)
{
    size_t start = SIZE_MAX;
    int found = 0;
    for (size_t i = 0; i + 3 <= len; i++) {
        if (d[i] != 0 || d[i + 1] != 0 || d[i + 2] != 1)
            continue;
        if (found) {
            size_t end = i;
            while (end > start && d[end - 1] == 0)
                end--;
            if (end > start)
                collect_nal(ns, d + start, end - start);
        }
        found = 1;
        start = i + 3;
        i += 2;
    }
    if (!found) {
        if (len)
            collect_nal(ns, d, len);
        return;
    }
    size_t end = len;
    while (end > start && d[end - 1] == 0)
        end--;
    if (end > start)
        collect_nal(ns, d + start, end - start);
}

static void segment_nal_splitter_matches_reference(void **state)
{
    (void)state;
    static uint8_t buf[8192];
    static nals_t got, want;
    srand(7);
    for (int round = 0; round < 20000; round++) {
        /* Bytes from {0, 1, 2, 0xff} mostly, so that start codes, runs of zeros, 00 00 02
         * and 00 01 appear everywhere, including at both ends. */
        size_t len = (size_t)(rand() % (round < 1000 ? 12 : 600));
        for (size_t i = 0; i < len; i++) {
            int r = rand() % 10;
            buf[i] = r < 5 ? 0 : r < 8 ? 1 : r < 9 ? 2 : 0xff;
        }
        got.n = want.n = 0;
        got.base = want.base = buf;
        edge_segment_each_nal(buf, len, collect_nal, &got);
        reference_nals(buf, len, &want);
        assert_int_equal(got.n, want.n);
        for (size_t k = 0; k < got.n; k++) {
            assert_int_equal(got.off[k], want.off[k]);
            assert_int_equal(got.len[k], want.len[k]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(segment_round_trip_reads_every_frame),
        cmocka_unit_test(segment_altered_or_truncated_is_detected),
        cmocka_unit_test(segment_moved_or_dropped_chunk_is_detected),
        cmocka_unit_test(segment_crash_recovers_complete_chunks),
        cmocka_unit_test(segment_crash_before_first_chunk_leaves_nothing),
        cmocka_unit_test(segment_finished_but_not_renamed_is_kept_whole),
        cmocka_unit_test(segment_abort_removes_partial),
        cmocka_unit_test(segment_nal_splitter_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
