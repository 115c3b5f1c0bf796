/*
 * test_redact.c: R-N8, "other people in the frame are masked in the export". Debian's ffmpeg
 * encodes a test pattern (H.264 with B-frames, and H.265) into MP4 clips; edge_redact_mp4 blurs
 * all but the requester's regions. What comes out is checked with the standard tools only:
 * ffprobe names the codec, the size and the number of frames and lists the frames' times, and
 * ffmpeg decodes both clips to raw grey pictures, compared here pixel by pixel. A kept region
 * must stay close to the original (only the re-encoding's loss), while everything outside it
 * must differ clearly and lose almost all of its detail (the sum of the horizontal gradients,
 * which is what makes a face or a number plate readable, drops by a large factor).
 *
 * ffmpeg and ffprobe are required (ops/bootstrap.sh installs them): without them every test
 * fails and says so.
 */
#include <grp.h>
#include <math.h>
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

#include "edge/redact.h"

#define W 320
#define H 240
#define FRAMES 45    /* 3 s at 15 frames a second */
#define MARGIN 8     /* pixels left out on either side of a region's edge when measuring */
#define NOBODY 65534 /* the user an unwritable directory is tried as, when tests run as root */

typedef struct {
    const char *name;
    const char *encode; /* ffmpeg's options */
    char path[160];
    uint8_t *gray; /* its frames decoded, FRAMES * W * H bytes */
} clip_t;

static clip_t h264 = {"h264", "-c:v libx264 -bf 2 -g 15", "", NULL};
static clip_t h265 = {"h265", "-c:v libx265 -x265-params keyint=15:bframes=2:log-level=error", "",
                      NULL};
static char media_dir[] = "/tmp/mm-test-redact-media-XXXXXX";
static char media_error[8192];

typedef struct {
    const clip_t *clip;
    char dir[64];
    char out[128], tmp[256];
} fx_t;

/* --- helpers ---------------------------------------------------------------------------------*/

/* Runs cmd through the shell with stderr folded into out; returns its exit status. */
static int run(const char *cmd, char *out, size_t cap)
{
    char full[1024];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Decodes path to grey frames of W x H; returns them (malloc'd) and their number in *frames. */
static uint8_t *decode_gray(const char *path, const char *dir, size_t *frames)
{
    char raw[200], cmd[600], out[4096];
    snprintf(raw, sizeof raw, "%s/decoded.gray", dir);
    snprintf(cmd, sizeof cmd, "ffmpeg -v error -y -i '%s' -f rawvideo -pix_fmt gray '%s'", path,
             raw);
    if (run(cmd, out, sizeof out) != 0) {
        fprintf(stderr, "%s: %s\n", cmd, out);
        return NULL;
    }
    FILE *f = fopen(raw, "rb");
    if (!f)
        return NULL;
    size_t cap = (FRAMES + 8) * (size_t)W * H;
    uint8_t *buf = malloc(cap);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    fclose(f);
    unlink(raw);
    *frames = n / ((size_t)W * H);
    return buf;
}

/* A rectangle of pixels, [x0, x1) x [y0, y1). */
typedef struct {
    int x0, y0, x1, y1;
} box_t;

static int inside(const box_t *b, int x, int y)
{
    return x >= b->x0 && x < b->x1 && y >= b->y0 && y < b->y1;
}

/* Which pixels a measure covers: those in the box "in", or (when in is NULL) those farther than
 * MARGIN from every box of keep[0..n). */
typedef struct {
    const box_t *in;
    const box_t *keep;
    size_t n;
} area_t;

static int covers(const area_t *a, int x, int y)
{
    if (a->in)
        return inside(a->in, x, y);
    for (size_t i = 0; i < a->n; i++) {
        box_t grown = {a->keep[i].x0 - MARGIN, a->keep[i].y0 - MARGIN, a->keep[i].x1 + MARGIN,
                       a->keep[i].y1 + MARGIN};
        if (inside(&grown, x, y))
            return 0;
    }
    return 1;
}

/* Mean absolute difference between two clips' frames over an area. */
static double mad(const uint8_t *a, const uint8_t *b, const area_t *area)
{
    double sum = 0;
    size_t count = 0;
    for (size_t f = 0; f < FRAMES; f++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                if (covers(area, x, y)) {
                    size_t i = f * W * H + (size_t)y * W + (size_t)x;
                    sum += abs((int)a[i] - (int)b[i]);
                    count++;
                }
    assert_true(count > 0);
    return sum / (double)count;
}

/* Mean squared horizontal gradient of a clip over an area: its fine detail. (Not the absolute
 * gradient: a blur spreads an edge out but keeps its total rise, so that sum would barely move
 * on the test pattern's bars; the squares fall with the edge's width.) */
static double detail(const uint8_t *a, const area_t *area)
{
    double sum = 0;
    size_t count = 0;
    for (size_t f = 0; f < FRAMES; f++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x + 1 < W; x++)
                if (covers(area, x, y) && covers(area, x + 1, y)) {
                    size_t i = f * W * H + (size_t)y * W + (size_t)x;
                    int g = (int)a[i + 1] - (int)a[i];
                    sum += g * g;
                    count++;
                }
    assert_true(count > 0);
    return sum / (double)count;
}

/* ffprobe's view of a clip: codec, size, frames counted by decoding. */
static void probe(const char *path, char *codec, size_t cap, int *w, int *h, long *frames)
{
    char cmd[400], out[4096];
    snprintf(cmd, sizeof cmd,
             "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
             "stream=codec_name,width,height,nb_read_frames -of csv=p=0 '%s'",
             path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    char name[32];
    if (sscanf(out, "%31[^,],%d,%d,%ld", name, w, h, frames) != 4)
        fail_msg("ffprobe %s: %s", path, out);
    snprintf(codec, cap, "%s", name);
}

/* The frames' presentation times, in display order, as ffprobe reads them. */
static size_t frame_times(const char *path, double *t, size_t cap)
{
    char cmd[400], out[8192];
    snprintf(cmd, sizeof cmd,
             "ffprobe -v error -select_streams v:0 -show_entries frame=best_effort_timestamp_time "
             "-of csv=p=0 '%s'",
             path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    size_t n = 0;
    for (char *line = strtok(out, "\n"); line && n < cap; line = strtok(NULL, "\n"))
        t[n++] = strtod(line, NULL);
    return n;
}

/* Runs edge_redact_mp4 on the fixture's clip and checks what every good output shares: H.264,
 * the same size and frames at the same times, mode 0600, no temporary file. Returns its frames. */
static uint8_t *redact_ok(fx_t *f, const edge_region_t *r, size_t n)
{
    edge_redact_report_t rep;
    assert_int_equal(edge_redact_mp4(f->clip->path, f->out, r, n, &rep), MM_OK);
    assert_int_equal(rep.frames_in, FRAMES);
    assert_int_equal(rep.frames_out, FRAMES);
    assert_int_equal(rep.width, W);
    assert_int_equal(rep.height, H);
    assert_string_equal(rep.encoder, "libx264");
    struct stat st;
    assert_int_equal(stat(f->out, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_false(exists(f->tmp));

    char codec[32];
    int w, h;
    long frames;
    probe(f->out, codec, sizeof codec, &w, &h, &frames);
    assert_string_equal(codec, "h264");
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    assert_int_equal(frames, FRAMES);
    double tin[FRAMES + 8], tout[FRAMES + 8];
    assert_int_equal(frame_times(f->clip->path, tin, FRAMES + 8), FRAMES);
    assert_int_equal(frame_times(f->out, tout, FRAMES + 8), FRAMES);
    for (size_t i = 0; i < FRAMES; i++)
        if (fabs(tin[i] - tout[i]) > 0.0005)
            fail_msg("frame %zu is shown at %.4f s, not %.4f s", i, tout[i], tin[i]);

    size_t decoded = 0;
    uint8_t *gray = decode_gray(f->out, f->dir, &decoded);
    assert_non_null(gray);
    assert_int_equal(decoded, FRAMES);
    return gray;
}

/* The pixel box of a region as the module keeps it: rounded inwards to even pixels. */
static box_t box_of(double x, double y, double w, double h)
{
    box_t b = {(int)ceil(x * W), (int)ceil(y * H), (int)floor((x + w) * W),
               (int)floor((y + h) * H)};
    b.x0 += b.x0 & 1;
    b.y0 += b.y0 & 1;
    b.x1 -= b.x1 & 1;
    b.y1 -= b.y1 & 1;
    return b;
}

/* Asserts that each kept box is close to the original and that the rest has lost its detail. */
static void check_kept_and_blurred(const uint8_t *orig, const uint8_t *red, const box_t *keep,
                                   size_t n)
{
    for (size_t i = 0; i < n; i++) {
        box_t inner = {keep[i].x0 + MARGIN, keep[i].y0 + MARGIN, keep[i].x1 - MARGIN,
                       keep[i].y1 - MARGIN};
        area_t a = {&inner, NULL, 0};
        double d = mad(orig, red, &a);
        print_message("kept box %zu: mean abs diff %.2f\n", i, d);
        assert_true(d < 3.0);
    }
    area_t rest = {NULL, keep, n};
    double d = mad(orig, red, &rest);
    double before = detail(orig, &rest), after = detail(red, &rest);
    print_message("blurred area: mean abs diff %.2f, detail %.2f -> %.2f (%.1fx less)\n", d, before,
                  after, before / after);
    /* A single box blur of radius 16, re-encoded the same way, divides this pattern's detail by
     * about 50, one of radius 8 by about 26: the module's blur must do better than the first. */
    assert_true(d > 12.0);
    assert_true(after * 50 < before);
}

/* --- setup -----------------------------------------------------------------------------------*/

static int encode(clip_t *c)
{
    char cmd[600], out[4096];
    snprintf(c->path, sizeof c->path, "%s/%s.mp4", media_dir, c->name);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -v error -y -f lavfi -i testsrc2=size=%dx%d:rate=15 -t 3 %s "
             "-pix_fmt yuv420p '%s'",
             W, H, c->encode, c->path);
    if (run(cmd, out, sizeof out) != 0) {
        snprintf(media_error, sizeof media_error, "%s: %s", cmd, out);
        return -1;
    }
    size_t frames = 0;
    c->gray = decode_gray(c->path, media_dir, &frames);
    if (!c->gray || frames != FRAMES) {
        snprintf(media_error, sizeof media_error, "%s decodes to %zu frames, not %d", c->path,
                 frames, FRAMES);
        return -1;
    }
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    if (!mkdtemp(media_dir) || chmod(media_dir, 0755) != 0) {
        snprintf(media_error, sizeof media_error, "cannot create %s", media_dir);
        return 0;
    }
    char out[4096];
    if (run("ffprobe -version", out, sizeof out) != 0) {
        snprintf(media_error, sizeof media_error,
                 "ffprobe is missing (ops/bootstrap.sh installs ffmpeg): %s", out);
        return 0;
    }
    if (encode(&h264) == 0)
        encode(&h265);
    return 0; /* a failure is reported by every test, in setup */
}

static int group_teardown(void **state)
{
    (void)state;
    free(h264.gray);
    free(h265.gray);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", media_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int setup(void **state)
{
    if (media_error[0])
        fail_msg("%s", media_error);
    fx_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->clip = *state ? *state : &h264;
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-redact-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->out, sizeof f->out, "%s/out.mp4", f->dir);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp", f->out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    if (!f || f == (void *)&h264 || f == (void *)&h265)
        return 0;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "chmod -R u+w %s; rm -rf %s", f->dir, f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* --- regions ---------------------------------------------------------------------------------*/

static void region_parse_reads_fractions(void **state)
{
    (void)state;
    edge_region_t r;
    assert_int_equal(edge_region_parse("0.25,0.25,0.5,0.5", &r), MM_OK);
    assert_true(r.x == 0.25 && r.y == 0.25 && r.w == 0.5 && r.h == 0.5);
    assert_int_equal(edge_region_parse("0,0,1,1", &r), MM_OK);
    assert_true(r.x == 0 && r.y == 0 && r.w == 1 && r.h == 1);
    assert_int_equal(edge_region_parse(".5,0.0,.5,1.0", &r), MM_OK);
    assert_true(r.x == 0.5 && r.y == 0 && r.w == 0.5 && r.h == 1);
    /* Decimal fractions that add up to 1 are at the edge, not past it. */
    assert_int_equal(edge_region_parse("0.7,0.9,0.3,0.1", &r), MM_OK);
    assert_true(r.x == 0.7 && r.y == 0.9 && r.w == 0.3 && r.h == 0.1);
}

static void region_parse_rejects_bad_regions_unchanged(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "0.1,0.1,0,0.5",                /* w = 0 */
        "0.1,0.1,0.5,0",                /* h = 0 */
        "0.6,0,0.5,0.5",                /* x + w > 1 */
        "0,0.6,0.5,0.5",                /* y + h > 1 */
        "1,2,3",                        /* three numbers */
        "1,2,3,4",                      /* beyond the frame */
        "0.1,0.1,0.5,0.5,0.1",          /* five */
        "0.1,0.1,0.5,0.5,",             /* a trailing comma */
        "garbage",                      /* */
        "",                             /* */
        " 0.1,0.1,0.5,0.5",             /* a space */
        "0.1, 0.1,0.5,0.5",             /* */
        "-0.1,0.1,0.5,0.5",             /* a sign */
        "+0.1,0.1,0.5,0.5",             /* */
        "1e-1,0.1,0.5,0.5",             /* an exponent */
        "nan,0.1,0.5,0.5",              /* */
        "inf,0,0.5,0.5",                /* */
        "0x0.1p0,0,0.5,0.5",            /* hexadecimal */
        "0.1,,0.5,0.5",                 /* an empty number */
        "0.1.2,0,0.5,0.5",              /* two dots */
        "1.,0,0.5,0.5",                 /* a dot without a fraction */
        ".,0,0.5,0.5",                  /* */
        "0.1234567890123456,0,0.5,0.5", /* more digits than a double holds */
        "0,0,0.5,0.5\n",                /* */
    };
    const edge_region_t before = {9, 9, 9, 9};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        edge_region_t r = before;
        if (edge_region_parse(bad[i], &r) != MM_EINVAL)
            fail_msg("\"%s\" is accepted", bad[i]);
        assert_memory_equal(&r, &before, sizeof r);
    }
    edge_region_t r;
    assert_int_equal(edge_region_parse(NULL, &r), MM_EINVAL);
    assert_int_equal(edge_region_parse("0,0,1,1", NULL), MM_EINVAL);
}

/* --- redaction -------------------------------------------------------------------------------*/

/* R-N8: the requester's region is kept, everyone else is blurred; H.264 with B-frames and H.265
 * in, H.264 out, with the same size, frames and times. */
static void redact_keeps_the_region_and_blurs_the_rest(void **state)
{
    fx_t *f = *state;
    edge_region_t r;
    assert_int_equal(edge_region_parse("0.25,0.25,0.5,0.5", &r), MM_OK);
    uint8_t *red = redact_ok(f, &r, 1);
    box_t keep = box_of(0.25, 0.25, 0.5, 0.5);
    assert_int_equal(keep.x0, 80);
    assert_int_equal(keep.x1, 240);
    check_kept_and_blurred(f->clip->gray, red, &keep, 1);
    free(red);
}

/* R-N8: with no region marked, nobody in the frame can be made out. */
static void redact_without_regions_blurs_the_whole_frame(void **state)
{
    fx_t *f = *state;
    uint8_t *red = redact_ok(f, NULL, 0);
    check_kept_and_blurred(f->clip->gray, red, NULL, 0);
    free(red);
}

/* Two regions (a requester in two places, say) are both kept; between them all is blurred. Their
 * edges at odd pixels are rounded inwards. */
static void redact_keeps_the_union_of_regions(void **state)
{
    fx_t *f = *state;
    edge_region_t r[2] = {{0, 0, 0.3015625, 0.3515625},
                          {0.6015625, 0.5515625, 0.3984375, 0.4484375}};
    uint8_t *red = redact_ok(f, r, 2);
    box_t keep[2] = {box_of(r[0].x, r[0].y, r[0].w, r[0].h),
                     box_of(r[1].x, r[1].y, r[1].w, r[1].h)};
    /* 96.5 x 84.375 pixels from the corner, and from (192.5, 132.375) to the far corner */
    assert_true(keep[0].x1 == 96 && keep[0].y1 == 84);
    assert_true(keep[1].x0 == 194 && keep[1].y0 == 134 && keep[1].x1 == W && keep[1].y1 == H);
    check_kept_and_blurred(f->clip->gray, red, keep, 2);
    free(red);
}

static void redact_rejects_bad_arguments(void **state)
{
    fx_t *f = *state;
    const char *in = f->clip->path;
    edge_redact_report_t rep;
    edge_region_t ok = {0.25, 0.25, 0.5, 0.5};
    const edge_region_t bad[] = {
        {0.1, 0.1, 0, 0.5},  {0.6, 0, 0.5, 0.5}, {0, 0.6, 0.5, 0.5},
        {-0.1, 0, 0.5, 0.5}, {NAN, 0, 0.5, 0.5}, {0, 0, INFINITY, 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        edge_region_t two[2] = {ok, bad[i]};
        assert_int_equal(edge_redact_mp4(in, f->out, two, 2, &rep), MM_EINVAL);
    }
    assert_int_equal(edge_redact_mp4(in, f->out, NULL, 1, &rep), MM_EINVAL);
    edge_region_t many[EDGE_REDACT_MAX_REGIONS + 1];
    for (size_t i = 0; i <= EDGE_REDACT_MAX_REGIONS; i++)
        many[i] = ok;
    assert_int_equal(edge_redact_mp4(in, f->out, many, EDGE_REDACT_MAX_REGIONS + 1, &rep),
                     MM_EINVAL);
    assert_int_equal(edge_redact_mp4(NULL, f->out, &ok, 1, &rep), MM_EINVAL);
    assert_int_equal(edge_redact_mp4("", f->out, &ok, 1, &rep), MM_EINVAL);
    assert_int_equal(edge_redact_mp4(in, NULL, &ok, 1, &rep), MM_EINVAL);
    assert_int_equal(edge_redact_mp4(in, "", &ok, 1, &rep), MM_EINVAL);
    char longpath[5000];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = 0;
    assert_int_equal(edge_redact_mp4(in, longpath, &ok, 1, &rep), MM_EINVAL);
    assert_int_equal(rep.frames_out, 0);
    assert_false(exists(f->out));
    assert_false(exists(f->tmp));
    /* The most regions allowed do go through. */
    assert_int_equal(edge_redact_mp4(in, f->out, many, EDGE_REDACT_MAX_REGIONS, &rep), MM_OK);
    assert_int_equal(rep.frames_out, FRAMES);
}

static void redact_of_a_missing_input_is_eio_and_writes_nothing(void **state)
{
    fx_t *f = *state;
    char in[128];
    snprintf(in, sizeof in, "%s/missing.mp4", f->dir);
    edge_redact_report_t rep;
    assert_int_equal(edge_redact_mp4(in, f->out, NULL, 0, &rep), MM_EIO);
    assert_int_equal(rep.frames_out, 0);
    assert_false(exists(f->out));
    assert_false(exists(f->tmp));
}

/* Anything but an MP4 with H.264 or H.265 video is refused before a file is made: bytes that
 * are no MP4, a network URL, an MP4 of another codec. */
static void redact_of_other_media_is_emedia_and_writes_nothing(void **state)
{
    fx_t *f = *state;
    char in[128], cmd[400], out[4096];
    snprintf(in, sizeof in, "%s/garbage.mp4", f->dir);
    FILE *g = fopen(in, "w");
    assert_non_null(g);
    fputs("this is not a video, only words in a file that calls itself .mp4\n", g);
    assert_int_equal(fclose(g), 0);
    edge_redact_report_t rep;
    assert_int_equal(edge_redact_mp4(in, f->out, NULL, 0, &rep), MM_EMEDIA);
    assert_false(exists(f->out));
    assert_false(exists(f->tmp));

    assert_int_not_equal(edge_redact_mp4("http://127.0.0.1:9/x.mp4", f->out, NULL, 0, &rep), MM_OK);
    assert_false(exists(f->out));

    /* Cut short: the index of an MP4 (moov) comes last, as ffmpeg writes it. */
    snprintf(in, sizeof in, "%s/short.mp4", f->dir);
    snprintf(cmd, sizeof cmd, "head -c 20000 '%s' > '%s'", f->clip->path, in);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_int_equal(edge_redact_mp4(in, f->out, NULL, 0, &rep), MM_EMEDIA);
    assert_false(exists(f->out));
    assert_false(exists(f->tmp));

    snprintf(in, sizeof in, "%s/mpeg4.mp4", f->dir);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -v error -y -f lavfi -i testsrc2=size=64x48:rate=15 -t 1 -c:v mpeg4 '%s'", in);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_int_equal(edge_redact_mp4(in, f->out, NULL, 0, &rep), MM_EMEDIA);
    assert_false(exists(f->out));
    assert_false(exists(f->tmp));
}

/* A picture size that changes within the clip (new parameter sets in the stream) cannot go
 * through one filter graph and one encoder: refused, and the file begun is removed. */
static void redact_of_a_clip_that_changes_size_is_emedia(void **state)
{
    fx_t *f = *state;
    char in[128], cmd[800], out[4096];
    snprintf(in, sizeof in, "%s/two-sizes.mp4", f->dir);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=15 -t 1 -c:v "
             "libx264 a.h264 && ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=15 -t 1 "
             "-c:v libx264 b.h264 && cat a.h264 b.h264 > ab.h264 && ffmpeg -v error -r 15 -i "
             "ab.h264 -c copy '%s'",
             f->dir, in);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    edge_redact_report_t rep;
    assert_int_equal(edge_redact_mp4(in, f->out, NULL, 0, &rep), MM_EMEDIA);
    assert_int_equal(rep.frames_out, 0);
    assert_int_equal(rep.width, W);
    assert_false(exists(f->out));
    assert_false(exists(f->tmp));
}

/* The output directory cannot be written to: MM_EIO, and no temporary file. Root writes
 * anywhere, so the call is made by a child process as an unprivileged user. */
static void redact_into_an_unwritable_directory_is_eio(void **state)
{
    fx_t *f = *state;
    char ro[128], out[200];
    snprintf(ro, sizeof ro, "%s/ro", f->dir);
    assert_int_equal(mkdir(ro, 0555), 0);
    assert_int_equal(chmod(f->dir, 0755), 0);
    snprintf(out, sizeof out, "%s/out.mp4", ro);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 &&
            (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0))
            _exit(2);
        edge_redact_report_t rep;
        mm_err_t err = edge_redact_mp4(f->clip->path, out, NULL, 0, &rep);
        _exit(err == MM_EIO && rep.frames_out == 0 ? 0 : 1);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    char tmp[220];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    assert_false(exists(out));
    assert_false(exists(tmp));
}

/* A failure after the temporary file is written (here the final rename, over a directory)
 * removes it and leaves what was at out_path alone. */
static void redact_failing_at_the_end_removes_the_temporary_file(void **state)
{
    fx_t *f = *state;
    assert_int_equal(mkdir(f->out, 0700), 0);
    char inner[200];
    snprintf(inner, sizeof inner, "%s/keep", f->out);
    FILE *k = fopen(inner, "w");
    assert_non_null(k);
    assert_int_equal(fclose(k), 0);
    edge_redact_report_t rep;
    assert_int_equal(edge_redact_mp4(f->clip->path, f->out, NULL, 0, &rep), MM_EIO);
    assert_int_equal(rep.frames_out, 0);
    assert_int_equal(rep.frames_in, FRAMES);
    assert_false(exists(f->tmp));
    assert_true(exists(inner));
}

/* An earlier output is replaced whole, and a stale temporary file does not get in the way. */
static void redact_replaces_an_earlier_output(void **state)
{
    fx_t *f = *state;
    FILE *o = fopen(f->out, "w");
    assert_non_null(o);
    fputs("old", o);
    assert_int_equal(fclose(o), 0);
    o = fopen(f->tmp, "w");
    assert_non_null(o);
    fputs("stale", o);
    assert_int_equal(fclose(o), 0);
    assert_int_equal(chmod(f->tmp, 0644), 0);
    uint8_t *red = redact_ok(f, NULL, 0);
    free(red);
}

#define BOTH(fn)                                                                                   \
    cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &h264),                          \
        cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &h265)
#define ONE(fn) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &h264)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(region_parse_reads_fractions),
        cmocka_unit_test(region_parse_rejects_bad_regions_unchanged),
        BOTH(redact_keeps_the_region_and_blurs_the_rest),
        BOTH(redact_without_regions_blurs_the_whole_frame),
        ONE(redact_keeps_the_union_of_regions),
        ONE(redact_rejects_bad_arguments),
        ONE(redact_of_a_missing_input_is_eio_and_writes_nothing),
        ONE(redact_of_other_media_is_emedia_and_writes_nothing),
        ONE(redact_of_a_clip_that_changes_size_is_emedia),
        ONE(redact_into_an_unwritable_directory_is_eio),
        ONE(redact_failing_at_the_end_removes_the_temporary_file),
        ONE(redact_replaces_an_earlier_output),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
