/*
 * bench_index: the segment index after a long recording, without recording it, for
 * tests/bench/bench_live.py.
 *
 * A live run of a minute fills one or two LMDB pages, too few to say what the index costs per
 * camera-minute once pages split and fill. This program writes what HOURS of recording CAMERAS
 * cameras in SECONDS-long segments would put there, through the edge's own store
 * (edge_store_add_segment: the index row and its site-log entry in one transaction), in the
 * order the edge writes them: time order, the cameras interleaved. Names and sizes are those of
 * the live run ("cam00/<start_us>.mmseg", 10-second segments of about 2.5 MB). The caller reads
 * the table's size with mdb_stat.
 *
 * Every transaction is synced as in the edge; run it under bench_nosync.so to make it fast (the
 * pages written are the same).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "edge/store.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_index DBDIR CAMERAS HOURS SECONDS\n");
        return 2;
    }
    mm_diag_init("bench_index", MM_DIAG_WARN);
    int cameras = atoi(argv[2]), hours = atoi(argv[3]), seconds = atoi(argv[4]);
    if (cameras < 1 || cameras > 100 || hours < 1 || seconds < 1) {
        fprintf(stderr, "bench_index: CAMERAS 1..100, HOURS and SECONDS at least 1\n");
        return 2;
    }
    edge_store_t *st = NULL;
    mm_err_t err = edge_store_open(argv[1], &st);
    if (err != MM_OK) {
        fprintf(stderr, "bench_index: cannot open the store in %s: %s\n", argv[1],
                mm_strerror(err));
        return 1;
    }
    const int64_t base = 1795000000LL * 1000000LL;
    long steps = (long)hours * 3600 / seconds, rows = 0;
    for (long k = 0; k < steps && err == MM_OK; k++) {
        for (int c = 0; c < cameras && err == MM_OK; c++) {
            /* Cameras start a few hundred milliseconds apart, as they do live. */
            int64_t start = base + k * (int64_t)seconds * 1000000 + c * 37000;
            mm_segment_recorded_t seg = {.start_us = start,
                                         .end_us = start + (int64_t)seconds * 1000000,
                                         .bytes = 2500000 + (uint64_t)(k % 1000),
                                         .frames = (uint32_t)(seconds * 15)};
            snprintf(seg.camera, sizeof seg.camera, "cam%02d", c);
            snprintf(seg.codec, sizeof seg.codec, "h264");
            err = mm_random(seg.content_hash, sizeof seg.content_hash);
            char file[EDGE_PATH_MAX];
            snprintf(file, sizeof file, "%s/%lld.mmseg", seg.camera, (long long)start);
            if (err == MM_OK)
                err = edge_store_add_segment(st, &seg, file, seg.end_us, NULL);
            rows++;
        }
    }
    edge_store_close(st);
    if (err != MM_OK) {
        fprintf(stderr, "bench_index: row %ld: %s\n", rows, mm_strerror(err));
        return 1;
    }
    printf("{\"rows\": %ld, \"camera_minutes\": %.1f}\n", rows, (double)rows * seconds / 60.0);
    return 0;
}
