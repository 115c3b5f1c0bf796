/*
 * test_footage.c: the read path over real footage. H.264 and H.265 with B-frames, encoded by
 * Debian's ffmpeg into MPEG-TS (Annex B, as cameras send it over RTSP), are recorded here into
 * encrypted 2-second segments with keys from a real keyring and indexed in a real store, the
 * way ingest and app.c do. Then: segments are found by time; verification catches an altered,
 * swapped or missing file and erased keys (R-N7.5); an MP4 export plays (ffprobe and ffmpeg
 * decode every frame in display order), and carries exactly the frames recorded: its content
 * hash, recomputed here from the MP4's own length-prefixed NAL units, equals the hash in the
 * log. Damaged footage is never exported, not even in part (R-N7.3: stored footage is hashed
 * at recording so any alteration is detectable).
 *
 * ffmpeg and ffprobe are required (ops/bootstrap.sh installs them): without them every test
 * fails and says so.
 */
#include <fcntl.h>
#include <time.h>

#include "footage_fixture.h"

#include "common/age.h"
#include "common/entry.h"
#include "common/merkle.h"
#include "edge/export.h"
#include "edge/footage.h"

/* --- helpers ---------------------------------------------------------------------------------*/

static long file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (long)st.st_size;
}

/*
 * What an export of cam1 over [start, end) must hold, worked out here from the segments read back
 * with edge_segment_next: the frames from the last keyframe at or before start (or the first
 * after it) with times before end. Their content hash, count and first time.
 */
static void expected_export(fx_t *f, int64_t start, int64_t end, uint8_t hash[32], uint64_t *n,
                            int64_t *first_us)
{
    /* Pass 1: the keyframe to start at. */
    int64_t before = INT64_MIN, after = INT64_MAX;
    for (size_t i = 0; i < f->nseg; i++) {
        edge_segment_reader_t *r;
        edge_segment_info_t hdr;
        assert_int_equal(edge_segment_open(f->seg[i].path, edge_vault_segment_key, f->v, &r, &hdr),
                         MM_OK);
        edge_frame_t fr;
        while (edge_segment_next(r, &fr) == MM_OK) {
            if (fr.key && fr.time_us <= start && fr.time_us > before)
                before = fr.time_us;
            if (fr.key && fr.time_us > start && fr.time_us < after)
                after = fr.time_us;
        }
        edge_segment_close(r);
    }
    int64_t from = before != INT64_MIN ? before : after;
    mm_sha256_ctx_t *h;
    assert_int_equal(mm_sha256_create(&h), MM_OK);
    *n = 0;
    *first_us = 0;
    for (size_t i = 0; i < f->nseg; i++) {
        edge_segment_reader_t *r;
        edge_segment_info_t hdr;
        assert_int_equal(edge_segment_open(f->seg[i].path, edge_vault_segment_key, f->v, &r, &hdr),
                         MM_OK);
        edge_frame_t fr;
        while (edge_segment_next(r, &fr) == MM_OK) {
            if (fr.time_us < from || fr.time_us >= end)
                continue;
            if (*n == 0)
                *first_us = fr.time_us;
            edge_segment_hash_frame(h, fr.data, fr.len);
            (*n)++;
        }
        edge_segment_close(r);
    }
    mm_sha256_final(h, hash);
    mm_sha256_destroy(h);
}

/*
 * The content hash of an MP4, computed from the file alone: every packet is a run of NAL units
 * each prefixed by its 4-byte big-endian length, hashed as u32 length || NAL unit (segment.h).
 * Also checks that the muxer wrote avcC/hvcC parameter sets (first byte 1), not Annex B.
 */
static void mp4_hash(const char *path, uint8_t hash[32], uint64_t *n)
{
    AVFormatContext *ic = NULL;
    assert_int_equal(avformat_open_input(&ic, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(ic, NULL) >= 0);
    assert_int_equal(ic->nb_streams, 1);
    const AVCodecParameters *par = ic->streams[0]->codecpar;
    assert_true(par->extradata_size > 0);
    assert_int_equal(par->extradata[0], 1);
    assert_int_equal(par->width, 320);
    assert_int_equal(par->height, 240);
    mm_sha256_ctx_t *h;
    assert_int_equal(mm_sha256_create(&h), MM_OK);
    AVPacket *pkt = av_packet_alloc();
    *n = 0;
    while (av_read_frame(ic, pkt) >= 0) {
        const uint8_t *p = pkt->data;
        size_t left = (size_t)pkt->size;
        while (left > 0) {
            assert_true(left >= 4);
            uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
            assert_true(len > 0 && len <= left - 4);
            mm_sha256_update(h, p, 4 + len);
            p += 4 + len;
            left -= 4 + len;
        }
        (*n)++;
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    avformat_close_input(&ic);
    mm_sha256_final(h, hash);
    mm_sha256_destroy(h);
}

/* ffprobe names the codec, and decoding gives every frame, in strictly increasing display
 * times. */
static void assert_shows(const char *path, const media_t *media, uint64_t frames)
{
    char cmd[512], out[1 << 16];
    snprintf(cmd, sizeof cmd, "ffprobe -v error -show_entries stream=codec_name -of csv=p=0 '%s'",
             path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    char want[32];
    snprintf(want, sizeof want, "%s\n", media->probe);
    assert_string_equal(out, want);

    snprintf(
        cmd, sizeof cmd,
        "ffprobe -v error -select_streams v:0 -show_entries frame=pts -of default=nw=1:nk=1 '%s'",
        path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    uint64_t n = 0;
    long long prev = -1;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char *end;
        long long pts = strtoll(line, &end, 10);
        if (end == line || *end != 0)
            fail_msg("ffprobe, decoding %s: %s", path, line);
        if (pts <= prev)
            fail_msg("frame %llu shown at %lld, after %lld", (unsigned long long)n, pts, prev);
        prev = pts;
        n++;
    }
    assert_int_equal(n, frames);
}

/* assert_shows, and ffmpeg decodes the file without an error. */
static void assert_plays(const char *path, const media_t *media, uint64_t frames)
{
    char cmd[512], out[1 << 12];
    assert_shows(path, media, frames);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -i '%s' -f null -", path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_string_equal(out, "");
}

static void out_path(fx_t *f, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", f->dir, name);
}

static int no_export(const char *path)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    return !exists(path) && !exists(tmp);
}

/* --- find ------------------------------------------------------------------------------------*/

typedef struct {
    int64_t starts[NSEG_MAX];
    size_t n;
    size_t stop_after;
} found_t;

static int on_row(const edge_segment_row_t *row, void *arg)
{
    found_t *fd = arg;
    assert_string_equal(row->seg.camera, "cam1");
    fd->starts[fd->n++] = row->seg.start_us;
    return fd->stop_after && fd->n == fd->stop_after;
}

static size_t find(fx_t *f, int64_t start, int64_t end, found_t *fd)
{
    memset(fd, 0, sizeof *fd);
    assert_int_equal(edge_footage_find(f->v, "cam1", start, end, on_row, fd), MM_OK);
    return fd->n;
}

static void footage_find_returns_overlapping_segments_in_time_order(void **state)
{
    fx_t *f = *state;
    const int64_t *s =
        (int64_t[]){f->seg[0].start_us, f->seg[1].start_us, f->seg[2].start_us, f->seg[3].start_us};
    found_t fd;
    /* A range that starts inside a segment finds it (it started before the range). */
    assert_int_equal(find(f, s[1] + 500000, s[2] + 1, &fd), 2);
    assert_int_equal(fd.starts[0], s[1]);
    assert_int_equal(fd.starts[1], s[2]);
    /* The whole recording, in time order. */
    assert_int_equal(find(f, T0 - EDGE_EPOCH_US, T0 + EDGE_EPOCH_US, &fd), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(fd.starts[i], s[i]);
    /* Half-open: a range ending where a segment starts does not find it, nor one starting where
     * a segment ends. */
    assert_int_equal(find(f, s[1], s[2], &fd), 1);
    assert_int_equal(fd.starts[0], s[1]);
    assert_int_equal(find(f, T0 - 10 * S, s[0], &fd), 0);
    assert_int_equal(find(f, f->end[3], f->end[3] + S, &fd), 0);
    assert_int_equal(find(f, f->end[3] - 1, f->end[3] + S, &fd), 1);
    /* fn stops the walk. */
    memset(&fd, 0, sizeof fd);
    fd.stop_after = 2;
    assert_int_equal(edge_footage_find(f->v, "cam1", T0, T0 + 60 * S, on_row, &fd), MM_OK);
    assert_int_equal(fd.n, 2);
    /* Another camera has nothing; bad arguments. */
    memset(&fd, 0, sizeof fd);
    assert_int_equal(edge_footage_find(f->v, "cam2", T0, T0 + 60 * S, on_row, &fd), MM_OK);
    assert_int_equal(fd.n, 0);
    assert_int_equal(edge_footage_find(f->v, "cam1", T0, T0, on_row, &fd), MM_EINVAL);
    assert_int_equal(edge_footage_find(f->v, "", T0, T0 + S, on_row, &fd), MM_EINVAL);
    assert_int_equal(edge_footage_find(f->v, "cam1", T0, T0 + S, NULL, NULL), MM_EINVAL);
}

/* --- verify ----------------------------------------------------------------------------------*/

static void footage_verify_passes_on_recorded_footage(void **state)
{
    fx_t *f = *state;
    edge_footage_report_t rep;
    assert_int_equal(edge_footage_verify(f->v, "cam1", T0, T0 + 60 * S, &rep), MM_OK);
    assert_int_equal(rep.segments, 4);
    assert_int_equal(rep.failed, 0);
    assert_int_equal(rep.failed_err, MM_OK);
    assert_int_equal(rep.frames, 120);
    assert_true(rep.bytes > 0);
    assert_int_equal(
        edge_footage_verify(f->v, "cam1", f->seg[1].start_us + 1, f->seg[1].start_us + 2, &rep),
        MM_OK);
    assert_int_equal(rep.segments, 1);
    assert_int_equal(rep.frames, 30);
    /* No footage in the range, bad ranges. */
    assert_int_equal(edge_footage_verify(f->v, "cam1", T0 - 60 * S, T0, &rep), MM_ENOTFOUND);
    assert_int_equal(rep.segments, 0);
    assert_int_equal(edge_footage_verify(f->v, "cam1", T0, T0 - 1, NULL), MM_EINVAL);
}

/* R-N7.3: an altered byte in a stored segment is detected, named, and blocks its export. */
static void footage_altered_segment_fails_verify_and_export_naming_it(void **state)
{
    fx_t *f = *state;
    const edge_segment_info_t *bad = &f->seg[2];
    flip_byte(bad->path, file_size(bad->path) / 2);

    edge_footage_report_t rep;
    assert_int_equal(edge_footage_verify(f->v, "cam1", T0, T0 + 60 * S, &rep), MM_ECORRUPT);
    assert_int_equal(rep.segments, 4);
    assert_int_equal(rep.failed, 1);
    assert_int_equal(rep.failed_err, MM_ECORRUPT);
    assert_int_equal(rep.failed_start_us, bad->start_us);
    assert_string_equal(rep.failed_path, bad->path);
    assert_int_equal(rep.frames, 90); /* the three good segments */

    char out[256];
    out_path(f, "export.mp4", out, sizeof out);
    assert_int_equal(edge_footage_mp4(f->v, "cam1", f->seg[1].start_us + S, f->end[3], out, &rep),
                     MM_ECORRUPT);
    assert_int_equal(rep.failed_err, MM_ECORRUPT);
    assert_int_equal(rep.failed_start_us, bad->start_us);
    assert_string_equal(rep.failed_path, bad->path);
    assert_int_equal(rep.frames, 0);
    assert_true(no_export(out));

    /* The undamaged footage before it still exports. */
    assert_int_equal(edge_footage_mp4(f->v, "cam1", T0, f->end[1], out, &rep), MM_OK);
    assert_int_equal(rep.frames, 60);
    assert_true(exists(out));
}

/* A segment file replaced by another (a valid one, of the same camera) is not what the index
 * names: refused. */
static void footage_swapped_segment_file_is_corrupt(void **state)
{
    fx_t *f = *state;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", f->seg[2].path, f->seg[1].path);
    assert_int_equal(system(cmd), 0);
    edge_footage_report_t rep;
    assert_int_equal(edge_footage_verify(f->v, "cam1", T0, T0 + 60 * S, &rep), MM_ECORRUPT);
    assert_int_equal(rep.failed, 1);
    assert_int_equal(rep.failed_start_us, f->seg[1].start_us);
    char out[256];
    out_path(f, "export.mp4", out, sizeof out);
    assert_int_equal(edge_footage_mp4(f->v, "cam1", T0, T0 + 60 * S, out, &rep), MM_ECORRUPT);
    assert_true(no_export(out));
}

static void footage_missing_segment_file_is_eio(void **state)
{
    fx_t *f = *state;
    assert_int_equal(unlink(f->seg[3].path), 0);
    edge_footage_report_t rep;
    assert_int_equal(edge_footage_verify(f->v, "cam1", T0, T0 + 60 * S, &rep), MM_EIO);
    assert_int_equal(rep.failed, 1);
    assert_int_equal(rep.failed_start_us, f->seg[3].start_us);
    assert_string_equal(rep.failed_path, f->seg[3].path);
    char out[256];
    out_path(f, "export.mp4", out, sizeof out);
    assert_int_equal(edge_footage_mp4(f->v, "cam1", f->seg[3].start_us, T0 + 60 * S, out, &rep),
                     MM_EIO);
    assert_true(no_export(out));
}

/* R-N7.5: once the keyring has passed the epoch, no key reads the footage; nothing exports. */
static void footage_erased_epoch_is_eerased(void **state)
{
    fx_t *f = *state;
    assert_int_equal(edge_keyring_advance(f->kr, edge_epoch_of(T0) + 1), MM_OK);
    edge_footage_report_t rep;
    assert_int_equal(edge_footage_verify(f->v, "cam1", T0, T0 + 60 * S, &rep), MM_EERASED);
    assert_int_equal(rep.segments, 4);
    assert_int_equal(rep.failed, 4);
    assert_int_equal(rep.failed_start_us, T0);
    assert_int_equal(rep.frames, 0);
    char out[256];
    out_path(f, "export.mp4", out, sizeof out);
    assert_int_equal(edge_footage_mp4(f->v, "cam1", T0, T0 + 60 * S, out, &rep), MM_EERASED);
    assert_true(no_export(out));
}

/* --- mp4 -------------------------------------------------------------------------------------*/

/* A range inside two segments: the export starts at the keyframe before it, plays, and holds
 * exactly the frames recorded (its own hash, from the MP4, equals the one from the segments). */
static void footage_mp4_of_a_middle_range_plays_and_hashes_as_recorded(void **state)
{
    fx_t *f = *state;
    int64_t start = f->seg[1].start_us + 500000, end = f->seg[2].start_us + 1500000;
    char out[256];
    out_path(f, "middle.mp4", out, sizeof out);
    edge_footage_report_t rep;
    assert_int_equal(edge_footage_mp4(f->v, "cam1", start, end, out, &rep), MM_OK);
    assert_true(exists(out));
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    assert_false(exists(tmp));

    uint8_t want[32];
    uint64_t n;
    int64_t first_us;
    expected_export(f, start, end, want, &n, &first_us);
    assert_int_equal(first_us, f->seg[1].start_us); /* the keyframe at or before start */
    assert_int_equal(rep.first_us, first_us);
    assert_true(rep.last_us < end);
    assert_int_equal(rep.frames, n);
    assert_int_equal(n, 53); /* all 30 of the first segment, 23 of the second */
    assert_int_equal(rep.segments, 2);
    assert_memory_equal(rep.content_hash, want, 32);

    uint8_t got[32];
    uint64_t packets;
    mp4_hash(out, got, &packets);
    assert_int_equal(packets, n);
    assert_memory_equal(got, want, 32);
    assert_plays(out, f->media, n);
}

/* An export of exactly one segment has that segment's hash from the log; of two, the hash of
 * their frames read back one after the other. */
static void footage_mp4_of_whole_segments_hashes_to_the_log(void **state)
{
    fx_t *f = *state;
    char out[256];
    out_path(f, "one.mp4", out, sizeof out);
    edge_footage_report_t rep;
    assert_int_equal(edge_footage_mp4(f->v, "cam1", f->seg[1].start_us, f->end[1], out, &rep),
                     MM_OK);
    assert_int_equal(rep.frames, 30);
    assert_memory_equal(rep.content_hash, f->seg[1].content_hash, 32);
    uint8_t got[32];
    uint64_t packets;
    mp4_hash(out, got, &packets);
    assert_memory_equal(got, f->seg[1].content_hash, 32);
    assert_plays(out, f->media, 30);

    out_path(f, "two.mp4", out, sizeof out);
    assert_int_equal(edge_footage_mp4(f->v, "cam1", f->seg[2].start_us, f->end[3], out, &rep),
                     MM_OK);
    uint8_t want[32];
    uint64_t n;
    int64_t first_us;
    expected_export(f, f->seg[2].start_us, f->end[3], want, &n, &first_us);
    assert_int_equal(n, 60);
    assert_int_equal(rep.frames, 60);
    assert_memory_equal(rep.content_hash, want, 32);
    mp4_hash(out, got, &packets);
    assert_memory_equal(got, want, 32);
    assert_plays(out, f->media, 60);

    /* The whole recording; an existing file is replaced. */
    assert_int_equal(edge_footage_mp4(f->v, "cam1", T0 - 60 * S, T0 + 60 * S, out, &rep), MM_OK);
    assert_int_equal(rep.frames, 120);
    assert_int_equal(rep.first_us, T0);
    assert_plays(out, f->media, 120);
}

/* A range that holds one keyframe and nothing else gives a one-frame file that plays. */
static void footage_mp4_of_a_single_keyframe_plays(void **state)
{
    fx_t *f = *state;
    char out[256];
    out_path(f, "still.mp4", out, sizeof out);
    edge_footage_report_t rep;
    assert_int_equal(edge_footage_mp4(f->v, "cam1", T0 - 10 * S, T0 + 1, out, &rep), MM_OK);
    assert_int_equal(rep.frames, 1);
    assert_int_equal(rep.first_us, T0);
    assert_plays(out, f->media, 1);
}

static void footage_mp4_refuses_what_it_cannot_write(void **state)
{
    fx_t *f = *state;
    edge_footage_report_t rep;
    char out[256];
    out_path(f, "x.mp4", out, sizeof out);
    /* No footage there. */
    assert_int_equal(edge_footage_mp4(f->v, "cam1", T0 - 60 * S, T0, out, &rep), MM_ENOTFOUND);
    assert_true(no_export(out));
    /* A directory that does not exist. */
    char nodir[300];
    snprintf(nodir, sizeof nodir, "%s/no/such/dir/x.mp4", f->dir);
    assert_int_equal(edge_footage_mp4(f->v, "cam1", T0, T0 + S, nodir, &rep), MM_EIO);
    assert_int_equal(edge_footage_mp4(f->v, "cam1", T0, T0 + S, NULL, &rep), MM_EINVAL);
    assert_int_equal(edge_footage_mp4(f->v, "cam1", T0 + S, T0, out, &rep), MM_EINVAL);

    /* Parameter sets that are not Annex B (an avcC box) are refused rather than guessed at. */
    static const uint8_t avcc[] = {1, 0x64, 0, 0x0d, 0xff, 0xe1, 0,    4,    0x67, 0x64,
                                   0, 0x0d, 1, 0,    4,    0x68, 0xee, 0x3c, 0x80};
    record(f, f->media, "cam2", T0, avcc, sizeof avcc);
    assert_int_equal(edge_footage_verify(f->v, "cam2", T0, T0 + 60 * S, &rep), MM_OK);
    assert_int_equal(edge_footage_mp4(f->v, "cam2", T0, T0 + 60 * S, out, &rep), MM_EMEDIA);
    assert_true(no_export(out));

    /* A codec change inside the range: one MP4 track cannot hold both. */
    const media_t *other = f->media == &h264 ? &h265 : &h264;
    int64_t t = record(f, f->media, "cam3", T0, NULL, 0);
    record(f, other, "cam3", t + S, NULL, 0);
    assert_int_equal(edge_footage_verify(f->v, "cam3", T0, T0 + 60 * S, &rep), MM_OK);
    assert_int_equal(edge_footage_mp4(f->v, "cam3", T0, T0 + 60 * S, out, &rep), MM_EMEDIA);
    assert_true(no_export(out));
    /* Each part alone exports. */
    assert_int_equal(edge_footage_mp4(f->v, "cam3", t + S, T0 + 60 * S, out, &rep), MM_OK);
    assert_plays(out, other, 120);
}

/* The bytes of two files are the same. */
static void assert_same_file(const char *a, const char *b)
{
    char cmd[700], out[256];
    snprintf(cmd, sizeof cmd, "cmp '%s' '%s' 2>&1", a, b);
    if (run(cmd, out, sizeof out) != 0)
        fail_msg("%s and %s differ: %s", a, b, out);
}

/*
 * An export reads each segment once, and makes the file that verifying every segment first and
 * reading them again makes, byte for byte. Footage whose B-frames come later than before after
 * a while (a jittering clock) needs a longer presentation delay than its first group of pictures
 * showed: it is read a second time, and the file is again the same, plays and hashes as recorded.
 */
static void footage_mp4_in_one_pass_is_the_two_pass_file(void **state)
{
    fx_t *f = *state;
    char one[256], two[256];
    out_path(f, "one.mp4", one, sizeof one);
    out_path(f, "two.mp4", two, sizeof two);
    edge_footage_report_t r1, r2;
    /* From the middle of segment 1 (its keyframe before) to the end. */
    int64_t ranges[][2] = {{T0 - 60 * S, T0 + 60 * S}, {f->seg[1].start_us + S / 2, f->end[2]}};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(edge_footage_mp4(f->v, "cam1", ranges[i][0], ranges[i][1], one, &r1),
                         MM_OK);
        assert_int_equal(r1.passes, 1);
        assert_int_equal(
            edge_footage_mp4_two_passes(f->v, "cam1", ranges[i][0], ranges[i][1], two, &r2), MM_OK);
        assert_int_equal(r2.passes, 2);
        assert_int_equal(r1.frames, r2.frames);
        assert_int_equal(r1.segments, r2.segments);
        assert_int_equal(r1.first_us, r2.first_us);
        assert_memory_equal(r1.content_hash, r2.content_hash, 32);
        assert_same_file(one, two);
    }

    f->late_b_after = T0 + 3 * S;
    record(f, f->media, "cam5", T0, NULL, 0);
    assert_int_equal(edge_footage_mp4(f->v, "cam5", T0, T0 + 60 * S, one, &r1), MM_OK);
    assert_int_equal(r1.passes, 2);
    assert_int_equal(edge_footage_mp4_two_passes(f->v, "cam5", T0, T0 + 60 * S, two, &r2), MM_OK);
    assert_same_file(one, two);
    assert_int_equal(r1.frames, 120);
    uint8_t got[32];
    uint64_t packets;
    mp4_hash(one, got, &packets);
    assert_memory_equal(got, r1.content_hash, 32);
    /* Not assert_plays: ffmpeg's null output, at a constant frame rate, finds two of frames half
     * a frame apart on the same tick and says so. */
    assert_shows(one, f->media, 120);
    /* Up to the late frames, one pass does. */
    assert_int_equal(edge_footage_mp4(f->v, "cam5", T0, T0 + 2 * S, one, &r1), MM_OK);
    assert_int_equal(r1.passes, 1);
    assert_int_equal(edge_footage_mp4_two_passes(f->v, "cam5", T0, T0 + 2 * S, two, &r2), MM_OK);
    assert_same_file(one, two);
}

/* Segments whose header has no parameter sets (a camera whose SDP carried none): the muxer
 * takes them from the first keyframe, which carries them in-band. */
static void footage_mp4_without_parameter_sets_in_headers_plays(void **state)
{
    fx_t *f = *state;
    static const uint8_t none[1];
    record(f, f->media, "cam4", T0, none, 0);
    char out[256];
    out_path(f, "bare.mp4", out, sizeof out);
    edge_footage_report_t rep;
    assert_int_equal(edge_footage_mp4(f->v, "cam4", T0, T0 + 60 * S, out, &rep), MM_OK);
    assert_int_equal(rep.frames, 120);
    uint8_t got[32];
    uint64_t packets;
    mp4_hash(out, got, &packets);
    assert_memory_equal(got, rep.content_hash, 32);
    assert_plays(out, f->media, 120);
}

/* --- playback streams (R-N7.3) --------------------------------------------------------------*/

typedef struct {
    int calls, stop_at; /* stop_at: the call that ends the stream, 0 never */
} pace_t;

static int64_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A sink's wait that sleeps until each frame is due, and ends the stream at its stop_at-th call. */
static mm_err_t pace_wait(void *arg, int fd, int64_t until_us)
{
    pace_t *p = arg;
    if (++p->calls == p->stop_at)
        return MM_ECLOSED;
    int64_t left = fd < 0 ? until_us - mono_now() : 0;
    if (left > 0)
        nanosleep(&(struct timespec){left / 1000000, (left % 1000000) * 1000}, NULL);
    return MM_OK;
}

/* The stream's last packet's time, in seconds (ffprobe), and its packets. */
static double last_packet_s(const char *path, int *packets)
{
    char cmd[600], out[1 << 16];
    snprintf(cmd, sizeof cmd,
             "ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 '%s'",
             path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    double last = 0, first = -1;
    *packets = 0;
    for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        double t = atof(l);
        if (first < 0)
            first = t;
        last = t > last ? t : last;
        ++*packets;
    }
    return last - first;
}

/* A frame recorded t after the first goes out no sooner than t / speed after it, and the stream's
 * own times say the same, so that a player shows it at that speed. */
static void footage_stream_is_paced_by_the_footage_times(void **state)
{
    fx_t *f = *state;
    char out[256];
    out_path(f, "paced.ts", out, sizeof out);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    pace_t p = {0, 0};
    edge_footage_sink_t sink = {fd, 8, pace_wait, &p, 0};
    uint64_t written;
    edge_footage_report_t rep;
    int64_t t0 = mono_now();
    assert_int_equal(edge_footage_stream(f->v, "cam1", T0, T0 + 60 * S, &sink, &written, &rep),
                     MM_OK);
    double took = (double)(mono_now() - t0) / 1e6;
    close(fd);
    double footage = (double)(rep.last_us - rep.first_us) / 1e6; /* 119 frames after the first */
    assert_int_equal(rep.frames, 120);
    assert_true(written > 10000);
    assert_true(p.calls >= 120); /* each frame waited for */
    if (took < footage / 8 || took > footage / 8 + 1.0)
        fail_msg("%.2f s of footage at 8x went out in %.2f s", footage, took);
    int packets;
    double span = last_packet_s(out, &packets);
    assert_int_equal(packets, 120);
    if (span < footage / 8 - 0.01 || span > footage / 8 + 0.01)
        fail_msg("the stream's times span %.3f s for %.2f s of footage at 8x", span, footage);
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/*
 * R-N7.3: the site console's stream is fragmented MP4 that a browser's Media Source Extensions
 * play: ftyp and moov first (with the parameter sets), then for each frame a time box (the
 * frame's recording time and decode time) and one fragment (moof, mdat) whose tfdt is that decode
 * time, starting at 0 at the keyframe the stream starts from; ffprobe reads it whole.
 */
static void footage_stream_fmp4_is_fragmented_per_frame(void **state)
{
    fx_t *f = *state;
    char out[256];
    out_path(f, "frag.mp4", out, sizeof out);
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    pace_t p = {0, 0};
    edge_footage_sink_t sink = {fd, 8, pace_wait, &p, 1};
    uint64_t written;
    edge_footage_report_t rep;
    assert_int_equal(
        edge_footage_stream(f->v, "cam1", T0 + 3 * S, T0 + 9 * S, &sink, &written, &rep), MM_OK);
    static uint8_t buf[1 << 22];
    ssize_t len = pread(fd, buf, sizeof buf, 0);
    close(fd);
    assert_int_equal((uint64_t)len, written);
    char order[4096] = "";
    int frags = 0, avcc = 0;
    int64_t last_time = -1, first_time = -1;
    uint64_t box_dts = 0;
    for (ssize_t at = 0; at + 8 <= len;) {
        uint32_t size =
            (uint32_t)buf[at] << 24 | buf[at + 1] << 16 | buf[at + 2] << 8 | buf[at + 3];
        assert_true(size >= 8 && at + size <= len);
        const uint8_t *b = buf + at;
        if (!memcmp(b + 4, "uuid", 4)) {
            assert_int_equal(size, EDGE_FOOTAGE_TIMEBOX);
            assert_memory_equal(b + 8, EDGE_FOOTAGE_UUID, 16);
            int64_t t = (int64_t)be64(b + 24);
            assert_true(t > last_time);
            if (first_time < 0)
                first_time = t;
            last_time = t;
            box_dts = be64(b + 32);
            frags++;
        } else if (!memcmp(b + 4, "moof", 4)) {
            /* the tfdt is the time box's decode time */
            for (uint32_t k = 8; k + 20 <= size; k++)
                if (!memcmp(b + k, "tfdt", 4)) {
                    uint64_t d = b[k + 4] == 1 ? be64(b + k + 8) : (uint64_t)be64(b + k + 4) >> 32;
                    assert_true(d == box_dts);
                    break;
                }
        } else if (!memcmp(b + 4, "moov", 4)) {
            for (uint32_t k = 8; k + 4 <= size; k++)
                avcc |= !memcmp(b + k, "avcC", 4);
        }
        if (strlen(order) < sizeof order - 8)
            strncat(order, (const char *)b + 4, 4);
        at += size;
    }
    assert_true(!strncmp(order, "ftypmoovuuidmoofmdatuuidmoofmdat", 32));
    assert_true(avcc);
    assert_int_equal(frags, (int)rep.frames);
    assert_true(first_time == rep.first_us && last_time == rep.last_us);
    assert_true(first_time <= T0 + 3 * S);
    int packets;
    last_packet_s(out, &packets);
    assert_int_equal(packets, (int)rep.frames);
}

/* The sink's wait ends the stream at once, with its error; bad sinks are refused. */
static void footage_stream_ends_when_its_sink_says(void **state)
{
    fx_t *f = *state;
    char out[256];
    out_path(f, "stopped.ts", out, sizeof out);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    pace_t p = {0, 12};
    edge_footage_sink_t sink = {fd, 1, pace_wait, &p, 0};
    uint64_t written;
    int64_t t0 = mono_now();
    assert_int_equal(edge_footage_stream(f->v, "cam1", T0, T0 + 60 * S, &sink, &written, NULL),
                     MM_ECLOSED);
    assert_true(mono_now() - t0 < 2 * S); /* 8 s of footage at 1x, ended early */
    assert_int_equal(p.calls, 12);
    p = (pace_t){0, 2}; /* while the segments are verified */
    assert_int_equal(edge_footage_stream(f->v, "cam1", T0, T0 + 60 * S, &sink, &written, NULL),
                     MM_ECLOSED);
    assert_int_equal(written, 0);
    for (int speed = -1; speed <= 16; speed += 17) {
        edge_footage_sink_t bad = {fd, speed == -1 ? 0 : speed, pace_wait, &p, 0};
        assert_int_equal(edge_footage_stream(f->v, "cam1", T0, T0 + S, &bad, &written, NULL),
                         MM_EINVAL);
    }
    edge_footage_sink_t nowait = {fd, 1, NULL, NULL, 0};
    assert_int_equal(edge_footage_stream(f->v, "cam1", T0, T0 + S, &nowait, &written, NULL),
                     MM_EINVAL);
    close(fd);
}

#define BOTH(fn)                                                                                   \
    cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &h264),                          \
        cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &h265)

/* --- disclosure export ---------------------------------------------------------------------*/

/*
 * R-K2.2.5, R-N7.3, R-N8: an export decrypts with the standard age tool, unpacks with tar, its
 * MP4 plays, its manifest's signature checks with openssl and the site's key, its request carries
 * the statement the hub signed and the recipient it is encrypted to, every segment it names is
 * the index's (content hash, frame count and site-log index, with the entry's bytes and their
 * inclusion proof to the hub-cosigned checkpoint), and no clear footage stays behind. The clip is
 * made of whole segments: a range that starts and ends inside segments gets both whole.
 */
static void export_opens_with_standard_tools_and_matches_the_record(void **state)
{
    fx_t *f = *state;
    char key[128], cmd[2048], out[4096], rec[128], enc[128], dir[160];
    requester_key(f, "requester.key", key, rec);
    mm_keypair_t site, hub;
    assert_int_equal(mm_keys_generate("site-a", &site), MM_OK);
    assert_int_equal(mm_keys_generate("hub", &hub), MM_OK);
    const char *cams[] = {"cam1"};
    /* From the middle of segment 1 to the middle of segment 2: the clip holds both whole. */
    int64_t start = f->seg[1].start_us + S / 2, end = f->seg[2].start_us + 3 * S / 2;
    edge_export_req_t req = {.id = "req-1",
                             .legal_basis = "law",
                             .reference = "捜査関係事項照会 第123号",
                             .requester = "警察署",
                             .reason = "窃盗事件の捜査",
                             .cameras = cams,
                             .n_cameras = 1,
                             .from_us = start,
                             .to_us = end};
    assert_int_equal(mm_age_recipient_parse(rec, req.recipient), MM_OK);
    /* The hub signed the request when it was filed: the manifest carries that. */
    char *stmt = malloc(MM_STATEMENT_MAX);
    uint8_t hub_sig[64];
    assert_non_null(stmt);
    hub_signs(&hub, site.name, &req, rec, 0, stmt, hub_sig);
    /* The hub has acknowledged the whole log: the manifest then proves each segment's entry. */
    uint64_t size = 0;
    mm_hash_t root;
    cosign_log(f, &site, &hub, &size, &root);
    snprintf(enc, sizeof enc, "%s/export.age", f->dir);
    FILE *o = fopen(enc, "wb");
    edge_export_report_t rep;
    assert_int_equal(edge_export_build(f->v, &site, f->dir, &req, to_file, o, &rep), MM_OK);
    fclose(o);
    assert_int_equal(rep.files, 4);
    snprintf(cmd, sizeof cmd, "%s/req-1-cam1.mp4", f->dir);
    assert_false(exists(cmd)); /* the clear MP4 is gone */

    snprintf(dir, sizeof dir, "%s/opened", f->dir);
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && age -d -i %s %s | tar -x -C %s && "
             "openssl pkeyutl -verify -pubin -inkey %s/req-1/site-key.pem -rawin "
             "-in %s/req-1/manifest.json -sigfile %s/req-1/manifest.json.sig 2>&1",
             dir, key, enc, dir, dir, dir, dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "Signature Verified Successfully"));

    char mp4[256], man[256];
    snprintf(mp4, sizeof mp4, "%s/req-1/cam1.mp4", dir);
    snprintf(man, sizeof man, "%s/req-1/manifest.json", dir);
    uint8_t want[32];
    uint64_t n;
    int64_t first_us;
    expected_export(f, f->seg[1].start_us, f->end[2], want, &n, &first_us);
    assert_int_equal(n, 60);
    assert_plays(mp4, f->media, n);

    json_t *m = json_load_file(man, 0, NULL);
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "site")), "site-a");
    json_t *r = json_object_get(m, "request");
    assert_string_equal(json_string_value(json_object_get(r, "legal_basis")), "law");
    assert_string_equal(json_string_value(json_object_get(r, "reason")), "窃盗事件の捜査");
    /* The request as the hub signed it, and the key the export is encrypted to. */
    assert_string_equal(json_string_value(json_object_get(r, "recipient")), rec);
    assert_string_equal(json_string_value(json_object_get(r, "hub_statement")), stmt);
    const char *sig64 = json_string_value(json_object_get(r, "hub_signature"));
    assert_non_null(sig64);
    uint8_t got_sig[64 + 3];
    assert_int_equal(mm_base64_decode(sig64, strlen(sig64), got_sig, sizeof got_sig), 64);
    assert_memory_equal(got_sig, hub_sig, 64);
    /* The range is the request's; the clip, its whole segments. */
    json_t *range = json_object_get(m, "range");
    assert_int_equal(json_integer_value(json_object_get(range, "from_us")), start);
    assert_int_equal(json_integer_value(json_object_get(range, "to_us")), end);
    json_t *c = json_array_get(json_object_get(m, "cameras"), 0);
    json_t *clip = json_object_get(c, "clip");
    assert_int_equal(json_integer_value(json_object_get(clip, "from_us")), f->seg[1].start_us);
    assert_int_equal(json_integer_value(json_object_get(clip, "to_us")), f->end[2]);
    assert_int_equal(json_integer_value(json_object_get(c, "frames")), 60);
    char hex[65];
    mm_hex_encode(want, 32, hex, sizeof hex);
    assert_string_equal(json_string_value(json_object_get(c, "content_hash")), hex);
    /* The MP4's own hash, as the manifest states it. */
    FILE *mf = fopen(mp4, "rb");
    fseek(mf, 0, SEEK_END);
    long sz = ftell(mf);
    fseek(mf, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)sz);
    assert_int_equal(fread(buf, 1, (size_t)sz, mf), (size_t)sz);
    fclose(mf);
    uint8_t sha[32];
    mm_sha256(buf, (size_t)sz, sha);
    free(buf);
    mm_hex_encode(sha, 32, hex, sizeof hex);
    assert_string_equal(json_string_value(json_object_get(c, "mp4_sha256")), hex);
    /* Every segment named is the index's, with its frames and log index; their frames add up
     * to the clip's. */
    json_t *segs = json_object_get(c, "segments");
    assert_int_equal(json_array_size(segs), 2);
    json_int_t frames = 0;
    for (size_t i = 0; i < 2; i++) {
        json_t *sg = json_array_get(segs, i);
        mm_hex_encode(f->seg[i + 1].content_hash, 32, hex, sizeof hex);
        assert_string_equal(json_string_value(json_object_get(sg, "content_hash")), hex);
        assert_int_equal(json_integer_value(json_object_get(sg, "start_us")),
                         f->seg[i + 1].start_us);
        assert_int_equal(json_integer_value(json_object_get(sg, "end_us")), f->end[i + 1]);
        assert_int_equal(json_integer_value(json_object_get(sg, "frames")), f->seg[i + 1].frames);
        frames += json_integer_value(json_object_get(sg, "frames"));
        assert_true(json_is_integer(json_object_get(sg, "log_index")));
        /* The entry is the segment's, and its proof leads to the acknowledged root. */
        const char *b64 = json_string_value(json_object_get(sg, "entry"));
        assert_non_null(b64);
        uint8_t raw[4096];
        int len = mm_base64_decode(b64, strlen(b64), raw, sizeof raw);
        assert_true(len > 0);
        mm_entry_t e;
        assert_int_equal(mm_entry_decode(raw, (size_t)len, &e), MM_OK);
        assert_int_equal(e.kind, MM_ENTRY_SEGMENT_RECORDED);
        assert_memory_equal(e.u.segment_recorded.content_hash, f->seg[i + 1].content_hash, 32);
        json_t *path = json_object_get(sg, "inclusion");
        mm_hash_t proof[MM_MERKLE_MAX_PROOF], leaf;
        size_t np = json_array_size(path);
        for (size_t j = 0; j < np; j++)
            assert_int_equal(
                mm_hex_decode(json_string_value(json_array_get(path, j)), 64, proof[j].b, 32), 32);
        mm_merkle_leaf_hash(raw, (size_t)len, &leaf);
        assert_int_equal(json_integer_value(json_object_get(sg, "tree_size")), (json_int_t)size);
        assert_int_equal(mm_merkle_verify_inclusion(
                             &leaf, (uint64_t)json_integer_value(json_object_get(sg, "log_index")),
                             size, proof, np, &root),
                         MM_OK);
    }
    assert_int_equal(frames, json_integer_value(json_object_get(c, "frames")));
    assert_non_null(
        strstr(json_string_value(json_object_get(m, "checkpoint")), "mimamori/site/site-a\n"));
    json_decref(m);

    /* One changed byte in the manifest and the signature no longer checks. */
    flip_byte(man, 20);
    snprintf(cmd, sizeof cmd,
             "openssl pkeyutl -verify -pubin -inkey %s/req-1/site-key.pem -rawin -in %s "
             "-sigfile %s/req-1/manifest.json.sig 2>&1",
             dir, man, dir);
    assert_int_not_equal(run(cmd, out, sizeof out), 0);

    /* A request the export cannot serve is refused before anything is written; a camera with
     * no footage in the range fails the export. */
    edge_export_req_t bad = req;
    bad.id = "../etc";
    assert_int_equal(edge_export_build(f->v, &site, f->dir, &bad, to_file, NULL, NULL), MM_EINVAL);
    bad = req;
    bad.from_us = T0 - 60 * S;
    bad.to_us = T0;
    assert_int_equal(edge_export_build(f->v, &site, f->dir, &bad, to_file, NULL, NULL),
                     MM_ENOTFOUND);
    free(stmt);
    mm_keys_wipe(&site);
    mm_keys_wipe(&hub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(
            export_opens_with_standard_tools_and_matches_the_record, setup, teardown, &h264),
        cmocka_unit_test_prestate_setup_teardown(
            footage_find_returns_overlapping_segments_in_time_order, setup, teardown, &h264),
        cmocka_unit_test_prestate_setup_teardown(footage_verify_passes_on_recorded_footage, setup,
                                                 teardown, &h264),
        BOTH(footage_altered_segment_fails_verify_and_export_naming_it),
        cmocka_unit_test_prestate_setup_teardown(footage_swapped_segment_file_is_corrupt, setup,
                                                 teardown, &h264),
        cmocka_unit_test_prestate_setup_teardown(footage_missing_segment_file_is_eio, setup,
                                                 teardown, &h264),
        BOTH(footage_erased_epoch_is_eerased),
        BOTH(footage_mp4_of_a_middle_range_plays_and_hashes_as_recorded),
        BOTH(footage_mp4_of_whole_segments_hashes_to_the_log),
        BOTH(footage_mp4_of_a_single_keyframe_plays),
        BOTH(footage_mp4_in_one_pass_is_the_two_pass_file),
        BOTH(footage_mp4_without_parameter_sets_in_headers_plays),
        BOTH(footage_mp4_refuses_what_it_cannot_write),
        cmocka_unit_test_prestate_setup_teardown(footage_stream_is_paced_by_the_footage_times,
                                                 setup, teardown, &h264),
        cmocka_unit_test_prestate_setup_teardown(footage_stream_ends_when_its_sink_says, setup,
                                                 teardown, &h264),
        cmocka_unit_test_prestate_setup_teardown(footage_stream_fmp4_is_fragmented_per_frame, setup,
                                                 teardown, &h264),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
