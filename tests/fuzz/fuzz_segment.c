/*
 * fuzz_segment.c: segment files as they could be found on a disk someone had their hands on —
 * arbitrary bytes read as a finished segment and recovered as a partial one. Nothing may crash
 * or hang; what reads back must be self-consistent: the frames the reader returned add up to the
 * count in the LAST chunk, and a recovered file must then verify. The key is fixed (the seed
 * corpus was written with it), so inputs that keep a valid header and chunks exercise the frame
 * parser behind the authentication too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edge/segment.h"

static const uint8_t fuzz_key[EDGE_SEG_KEY_LEN] = {
    0x6d, 0x69, 0x6d, 0x61, 0x6d, 0x6f, 0x72, 0x69, 0x20, 0x66, 0x75, 0x7a, 0x7a, 0x20, 0x6b, 0x65,
    0x79, 0x20, 0x66, 0x6f, 0x72, 0x20, 0x73, 0x65, 0x65, 0x64, 0x73, 0x20, 0x6f, 0x6e, 0x6c, 0x79};

static mm_err_t key_of(void *arg, const edge_segment_info_t *hdr, uint8_t key[EDGE_SEG_KEY_LEN])
{
    (void)arg, (void)hdr;
    memcpy(key, fuzz_key, EDGE_SEG_KEY_LEN);
    return MM_OK;
}

static char dir[64];

static void remove_dir(void)
{
    rmdir(dir);
}

static int put(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/mm-fuzz-segment-XXXXXX");
        if (!mkdtemp(dir))
            abort();
        atexit(remove_dir);
    }
    char path[128], partial[160], final[128];
    snprintf(path, sizeof path, "%s/input.mmseg", dir);
    if (put(path, data, size) != 0)
        abort();
    edge_segment_reader_t *r;
    edge_segment_info_t info;
    if (edge_segment_open(path, key_of, NULL, &r, &info) == MM_OK) {
        edge_frame_t fr;
        uint32_t n = 0;
        mm_err_t err;
        while ((err = edge_segment_next(r, &fr)) == MM_OK)
            n++;
        if (err == MM_ENOTFOUND) {
            edge_segment_info_t t;
            edge_segment_trailer(r, &t);
            if (t.frames != n)
                __builtin_trap();
        }
        edge_segment_close(r);
    }
    unlink(path);

    /* The same bytes as what a crash left. */
    snprintf(final, sizeof final, "%s/1.mmseg", dir);
    snprintf(partial, sizeof partial, "%s.partial", final);
    if (put(partial, data, size) != 0)
        abort();
    if (edge_segment_recover(partial, key_of, NULL, &info) == MM_OK) {
        edge_segment_info_t v;
        if (edge_segment_verify(final, key_of, NULL, &v) != MM_OK || v.frames != info.frames)
            __builtin_trap();
    }
    unlink(partial);
    unlink(final);
    return 0;
}
