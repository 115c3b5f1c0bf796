/*
 * bench_writer: the edge's segment writer fed from a file, for tests/bench/bench_writer.py.
 *
 * Demuxes the first H.264 video stream of INPUT with libavformat, turns MP4-style packets into
 * Annex B with the h264_mp4toannexb filter (the edge receives Annex B from RTSP), and writes
 * segments of SECONDS into OUTDIR with edge_segment_create/write/finish, cutting at the first
 * keyframe after the target length, as edge/ingest.c does. Keys come from an edge keyring in
 * OUTDIR/keys, derived per segment as edge/app.c does. Frame times are the file's timestamps
 * (not the wall clock), so a chunk holds about 0.5 s of footage and is then fdatasync'd by the
 * writers' syncer thread (edge/segment_sync.h), as in live recording; getrusage counts that
 * thread too.
 *
 * Prints one JSON line: CPU seconds of this process (getrusage, user and system), wall seconds
 * of the loop, bytes of packets read, bytes written, segments and frames, and the process's
 * resident memory before the first segment and at its peak (VmHWM). Exits 1 on any error.
 *
 * With --writers N every frame goes to N writers at once (cameras bench000.., each in its own
 * OUTDIR/wNNN), as N cameras of the same stream: the peak RSS less the base, over N, is the
 * writer's memory per stream.
 *
 * With --state STATE --camera CAMERA --start-us T it lays the footage out as an edge whose
 * state_dir is STATE would have recorded it from T on (STATE/keys, STATE/db,
 * STATE/segments/CAMERA/), every segment indexed and logged as segment_recorded, so that a real
 * edge started on STATE holds it as its own (tests/bench/bench_export.py: an hour of footage
 * without waiting an hour).
 */
#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "edge/keyring.h"
#include "edge/segment.h"
#include "edge/store.h"

typedef struct {
    edge_keyring_t *keyring;
    edge_store_t *store; /* --state: index and log each segment */
    const char *camera;
    const char *dir;
    edge_segment_writer_t *w;
    int64_t seg_start;
    int64_t last_time;
    uint64_t bytes_out;
    unsigned segments;
    unsigned frames;
    char name[32];
    char path[1024];
} bench_t;

/* A line of /proc/self/status ("VmRSS:", "VmHWM:") in kB, 0 when missing. */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, n))
            kb = strtol(line + n, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static double seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int finish_segment(bench_t *b)
{
    if (!b->w)
        return 0;
    edge_segment_info_t info;
    mm_err_t err = edge_segment_finish(b->w, b->last_time, &info);
    b->w = NULL;
    if (err != MM_OK) {
        fprintf(stderr, "bench_writer: finishing a segment: %s\n", mm_strerror(err));
        return -1;
    }
    if (b->store) {
        mm_segment_recorded_t seg = {0};
        snprintf(seg.camera, sizeof seg.camera, "%s", b->camera);
        seg.start_us = info.start_us;
        seg.end_us = info.end_us;
        seg.bytes = info.bytes;
        seg.frames = info.frames;
        memcpy(seg.content_hash, info.content_hash, 32);
        snprintf(seg.codec, sizeof seg.codec, "h264");
        char file[256];
        snprintf(file, sizeof file, "%s/%lld.mmseg", b->camera, (long long)info.start_us);
        uint64_t index;
        err = edge_store_add_segment(b->store, &seg, file, mm_now_us(), &index);
        if (err != MM_OK) {
            fprintf(stderr, "bench_writer: indexing a segment: %s\n", mm_strerror(err));
            return -1;
        }
    }
    b->bytes_out += info.bytes;
    b->segments++;
    return 0;
}

static int start_segment(bench_t *b, const AVCodecParameters *par, int64_t time_us)
{
    int64_t epoch = edge_epoch_of(time_us);
    uint8_t salt[EDGE_SEG_SALT_LEN], key[EDGE_SEG_KEY_LEN];
    mm_err_t err = mm_random(salt, sizeof salt);
    if (err == MM_OK)
        err = edge_keyring_segment_key(b->keyring, epoch, b->camera, time_us, salt, key);
    if (err == MM_OK)
        err = edge_segment_create(b->dir, b->camera, "h264", par->extradata,
                                  par->extradata_size > 0 ? (size_t)par->extradata_size : 0,
                                  time_us, epoch, salt, key, &b->w);
    mm_wipe(key, sizeof key);
    if (err != MM_OK) {
        fprintf(stderr, "bench_writer: starting a segment: %s\n", mm_strerror(err));
        return -1;
    }
    b->seg_start = time_us;
    return 0;
}

/* One frame for one writer: cuts at the first keyframe after the target length. */
static int feed(bench_t *b, const AVCodecParameters *par, int seg_seconds, int64_t t, int64_t pts,
                int key, const uint8_t *data, size_t len)
{
    if (b->w && key && t - b->seg_start >= (int64_t)seg_seconds * 1000000) {
        b->last_time = t;
        if (finish_segment(b) != 0)
            return -1;
    }
    if (!b->w && key && start_segment(b, par, t) != 0)
        return -1;
    if (b->w) {
        mm_err_t err = edge_segment_write(b->w, t, pts, key, data, len);
        if (err != MM_OK) {
            fprintf(stderr, "bench_writer: write: %s\n", mm_strerror(err));
            return -1;
        }
        b->frames++;
        b->last_time = t;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *state = NULL, *camera = "bench";
    int64_t base_us = mm_now_us();
    int nw = 1;
    while (argc > 4 && !strncmp(argv[1], "--", 2)) {
        if (!strcmp(argv[1], "--writers"))
            nw = atoi(argv[2]);
        else if (!strcmp(argv[1], "--state"))
            state = argv[2];
        else if (!strcmp(argv[1], "--camera"))
            camera = argv[2];
        else if (!strcmp(argv[1], "--start-us"))
            base_us = strtoll(argv[2], NULL, 10);
        else
            break;
        argc -= 2;
        argv += 2;
    }
    if (argc != 4 && !(state && argc == 3)) {
        fprintf(stderr,
                "usage: bench_writer [--writers N] INPUT OUTDIR SECONDS\n"
                "       bench_writer --state STATE --camera C --start-us T INPUT SECONDS\n");
        return 2;
    }
    mm_diag_init("bench_writer", MM_DIAG_WARN);
    const char *input = argv[1];
    int seg_seconds = atoi(argv[argc - 1]);
    char seg_dir[1024], keys_dir[1024], db_dir[1024];
    bench_t b = {.dir = argv[2], .camera = camera};
    bench_t *bs = NULL;
    AVFormatContext *fmt = NULL;
    AVBSFContext *bsf = NULL;
    AVPacket *pkt = av_packet_alloc();
    int rc = 1;
    mm_err_t err;
    if (state) {
        snprintf(seg_dir, sizeof seg_dir, "%s/segments", state);
        snprintf(db_dir, sizeof db_dir, "%s/db", state);
        if (mkdir(state, 0700) != 0 || mkdir(seg_dir, 0700) != 0 || mkdir(db_dir, 0700) != 0) {
            fprintf(stderr, "bench_writer: cannot create %s (it must not exist)\n", state);
            goto out;
        }
        snprintf(seg_dir, sizeof seg_dir, "%s/segments/%s", state, camera);
        snprintf(keys_dir, sizeof keys_dir, "%s/keys", state);
        b.dir = seg_dir;
        if ((err = edge_store_open(db_dir, &b.store)) != MM_OK) {
            fprintf(stderr, "bench_writer: store: %s\n", mm_strerror(err));
            goto out;
        }
    } else {
        snprintf(keys_dir, sizeof keys_dir, "%s/keys", b.dir);
    }
    if (!pkt || seg_seconds < 1 || nw < 1 || (state && nw != 1) || mkdir(b.dir, 0700) != 0) {
        fprintf(stderr, "bench_writer: cannot create %s (it must not exist)\n", b.dir);
        goto out;
    }
    /* The keyring's epoch must cover the first frame: frames are timed from base_us on. */
    err = edge_keyring_open(keys_dir, base_us, &b.keyring);
    if (err != MM_OK) {
        fprintf(stderr, "bench_writer: keyring: %s\n", mm_strerror(err));
        goto out;
    }
    bs = calloc((size_t)nw, sizeof *bs);
    if (!bs)
        goto out;
    for (int i = 0; i < nw; i++) {
        bs[i] = b;
        if (nw > 1) {
            snprintf(bs[i].name, sizeof bs[i].name, "bench%03d", i);
            snprintf(bs[i].path, sizeof bs[i].path, "%s/w%03d", b.dir, i);
            bs[i].camera = bs[i].name;
            bs[i].dir = bs[i].path;
            if (mkdir(bs[i].dir, 0700) != 0) {
                fprintf(stderr, "bench_writer: cannot create %s\n", bs[i].dir);
                goto out;
            }
        }
    }
    long rss_base = status_kb("VmRSS:");
    double wall0 = mono_now();
    if (avformat_open_input(&fmt, input, NULL, NULL) < 0 ||
        avformat_find_stream_info(fmt, NULL) < 0) {
        fprintf(stderr, "bench_writer: cannot open %s\n", input);
        goto out;
    }
    int vs = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (vs < 0 || fmt->streams[vs]->codecpar->codec_id != AV_CODEC_ID_H264) {
        fprintf(stderr, "bench_writer: %s has no H.264 stream\n", input);
        goto out;
    }
    AVStream *st = fmt->streams[vs];
    const AVBitStreamFilter *filter = av_bsf_get_by_name("h264_mp4toannexb");
    if (!filter || av_bsf_alloc(filter, &bsf) < 0 ||
        avcodec_parameters_copy(bsf->par_in, st->codecpar) < 0) {
        fprintf(stderr, "bench_writer: no h264_mp4toannexb filter\n");
        goto out;
    }
    bsf->time_base_in = st->time_base;
    if (av_bsf_init(bsf) < 0) {
        fprintf(stderr, "bench_writer: h264_mp4toannexb does not start\n");
        goto out;
    }
    uint64_t bytes_in = 0;
    int64_t first_ts = AV_NOPTS_VALUE;
    for (;;) {
        int r = av_read_frame(fmt, pkt);
        if (r == AVERROR_EOF)
            break;
        if (r < 0) {
            fprintf(stderr, "bench_writer: reading %s failed\n", input);
            goto out;
        }
        if (pkt->stream_index != vs) {
            av_packet_unref(pkt);
            continue;
        }
        bytes_in += (uint64_t)pkt->size;
        if (av_bsf_send_packet(bsf, pkt) < 0) {
            fprintf(stderr, "bench_writer: h264_mp4toannexb refused a packet\n");
            goto out;
        }
        while (av_bsf_receive_packet(bsf, pkt) == 0) {
            /* Decode order times: frames reach the recorder in this order. */
            int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
            if (first_ts == AV_NOPTS_VALUE)
                first_ts = ts;
            int64_t t = base_us + av_rescale_q(ts - first_ts, st->time_base, AV_TIME_BASE_Q);
            int key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
            for (int i = 0; i < nw; i++)
                if (feed(&bs[i], bsf->par_out, seg_seconds, t, pkt->pts, key, pkt->data,
                         (size_t)pkt->size) != 0)
                    goto out;
            av_packet_unref(pkt);
        }
    }
    uint64_t bytes_out = 0;
    unsigned segments = 0, frames = 0;
    for (int i = 0; i < nw; i++) {
        if (finish_segment(&bs[i]) != 0)
            goto out;
        bytes_out += bs[i].bytes_out;
        segments += bs[i].segments;
        frames += bs[i].frames;
    }
    double wall = mono_now() - wall0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"user_s\": %.3f, \"sys_s\": %.3f, \"wall_s\": %.3f, \"bytes_in\": %llu, "
           "\"bytes_out\": %llu, \"segments\": %u, \"frames\": %u, \"writers\": %d, "
           "\"rss_base_kb\": %ld, \"rss_peak_kb\": %ld}\n",
           seconds(ru.ru_utime), seconds(ru.ru_stime), wall, (unsigned long long)bytes_in,
           (unsigned long long)bytes_out, segments, frames, nw, rss_base, status_kb("VmHWM:"));
    rc = 0;
out:
    for (int i = 0; bs && i < nw; i++)
        edge_segment_abort(bs[i].w);
    free(bs);
    av_bsf_free(&bsf);
    avformat_close_input(&fmt);
    av_packet_free(&pkt);
    edge_keyring_close(b.keyring);
    edge_store_close(b.store);
    return rc;
}
