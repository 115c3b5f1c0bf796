/*
 * footage_fixture.h: real recorded footage for the tests of the read path and of disclosure
 * (test_footage.c, test_verify.c). H.264 and H.265 with B-frames, encoded by Debian's ffmpeg into
 * MPEG-TS (Annex B, as cameras send it over RTSP) once per program (group_setup), are recorded by
 * setup into encrypted 2-second segments with keys from a real keyring and indexed in a real store,
 * the way ingest and app.c do: cam1 holds four segments of 30 frames from T0. The hub's part of
 * an export — the checkpoint it cosigned, the request it signed — is made here as the hub makes
 * it.
 *
 * Included by one test program each: everything here is static, and marked unused so that a
 * program takes only what it needs.
 */
#ifndef MM_TEST_FOOTAGE_FIXTURE_H
#define MM_TEST_FOOTAGE_FIXTURE_H

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

#include <libavformat/avformat.h>

#include "common/crypto.h"
#include "common/keys.h"
#include "common/note.h"
#include "common/wire.h"
#include "edge/export.h"
#include "edge/keyring.h"
#include "edge/segment.h"
#include "edge/store.h"
#include "edge/vault.h"

#define FX_UNUSED __attribute__((unused))

#define S 1000000LL
#define T0 (472222LL * EDGE_EPOCH_US + 600 * S) /* ten minutes into an epoch */
#define SEG_US (2 * S)
#define NSEG_MAX 16
#define FRAME_US 66667 /* 15 frames a second */

typedef struct {
    const char *codec; /* as segments name it */
    const char *probe; /* as ffprobe names it */
    char src[160];     /* the MPEG-TS file encoded in the group setup */
} media_t;

FX_UNUSED static media_t h264 = {"h264", "h264", ""};
FX_UNUSED static media_t h265 = {"hevc", "hevc", ""};
FX_UNUSED static char media_dir[] = "/tmp/mm-test-footage-media-XXXXXX";
FX_UNUSED static char media_error[6144];

typedef struct {
    const media_t *media;
    char dir[64];
    char segdir[128];
    edge_store_t *store;
    edge_keyring_t *kr;
    edge_vault_t *v;
    size_t nseg;
    edge_segment_info_t seg[NSEG_MAX]; /* cam1's segments, in time order */
    int64_t end[NSEG_MAX];             /* their index rows' ends */
    uint32_t frames;                   /* cam1's frames */
    int stopped; /* record: the last segment ends at its last frame, as when a camera stops */
    int64_t late_b_after; /* record, when not 0: frames shown before one decoded earlier (B-frames)
                           * after this time are recorded half a frame late, as a camera's clock
                           * may jitter; their export needs a longer presentation delay */
} fx_t;

/* Runs cmd through the shell with stderr folded into out; returns its exit status. */
FX_UNUSED static int run(const char *cmd, char *out, size_t cap)
{
    char full[4096];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FX_UNUSED static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

FX_UNUSED static void flip_byte(const char *path, long at)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    int c = fgetc(f);
    assert_true(c != EOF);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    assert_int_equal(fputc(c ^ 0x20, f), c ^ 0x20);
    assert_int_equal(fclose(f), 0);
}

/* Finishes a segment and indexes it as app.c record_segment does. */
FX_UNUSED static void finish_segment(fx_t *f, edge_segment_writer_t *w, int64_t end, int mine)
{
    edge_segment_info_t info;
    assert_int_equal(edge_segment_finish(w, end, &info), MM_OK);
    mm_segment_recorded_t seg = {0};
    snprintf(seg.camera, sizeof seg.camera, "%s", info.camera);
    seg.start_us = info.start_us;
    seg.end_us = info.end_us;
    seg.bytes = info.bytes;
    seg.frames = info.frames;
    memcpy(seg.content_hash, info.content_hash, 32);
    snprintf(seg.codec, sizeof seg.codec, "%s", info.codec);
    char file[EDGE_PATH_MAX];
    snprintf(file, sizeof file, "%s/%lld.mmseg", info.camera, (long long)info.start_us);
    assert_int_equal(edge_store_add_segment(f->store, &seg, file, end, NULL), MM_OK);
    if (mine) {
        assert_true(f->nseg < NSEG_MAX);
        f->end[f->nseg] = seg.end_us;
        f->seg[f->nseg++] = info;
    }
}

/*
 * Records media as camera from t0: frames timed by their decode timestamps (the order a camera
 * sends them in), a new segment at the first keyframe 2 s after the last one started. extra,
 * when not NULL, replaces the parameter sets in the headers. Returns the time after the last
 * frame.
 */
FX_UNUSED static int64_t record(fx_t *f, const media_t *media, const char *camera, int64_t t0,
                                const uint8_t *extra, size_t extralen)
{
    char camdir[256];
    snprintf(camdir, sizeof camdir, "%s/%s", f->segdir, camera);
    mkdir(camdir, 0700);
    AVFormatContext *ic = NULL;
    assert_int_equal(avformat_open_input(&ic, media->src, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(ic, NULL) >= 0);
    int vs = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    assert_true(vs >= 0);
    AVStream *st = ic->streams[vs];
    if (!extra) {
        extra = st->codecpar->extradata;
        extralen = (size_t)st->codecpar->extradata_size;
    }
    int mine = strcmp(camera, "cam1") == 0;
    AVPacket *pkt = av_packet_alloc();
    assert_non_null(pkt);
    edge_segment_writer_t *w = NULL;
    int64_t dts0 = AV_NOPTS_VALUE, seg_start = 0, last = t0, top_pts = INT64_MIN;
    while (av_read_frame(ic, pkt) >= 0) {
        if (pkt->stream_index != vs) {
            av_packet_unref(pkt);
            continue;
        }
        if (dts0 == AV_NOPTS_VALUE)
            dts0 = pkt->dts;
        int64_t t = t0 + av_rescale_q(pkt->dts - dts0, st->time_base, (AVRational){1, 1000000});
        int key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
        if (key)
            top_pts = INT64_MIN;
        if (f->late_b_after && t > f->late_b_after && !key && pkt->pts < top_pts)
            t += FRAME_US / 2;
        if (pkt->pts > top_pts)
            top_pts = pkt->pts;
        if (w && key && t - seg_start >= SEG_US) {
            finish_segment(f, w, t, mine);
            w = NULL;
        }
        if (!w) {
            assert_true(key);
            uint8_t salt[EDGE_SEG_SALT_LEN], k[EDGE_SEG_KEY_LEN];
            assert_int_equal(mm_random(salt, sizeof salt), MM_OK);
            int64_t epoch = edge_epoch_of(t);
            assert_int_equal(edge_keyring_segment_key(f->kr, epoch, camera, t, salt, k), MM_OK);
            assert_int_equal(edge_segment_create(camdir, camera, media->codec, extra, extralen, t,
                                                 epoch, salt, k, &w),
                             MM_OK);
            seg_start = t;
        }
        assert_int_equal(edge_segment_write(w, t, pkt->pts, key, pkt->data, (size_t)pkt->size),
                         MM_OK);
        if (mine)
            f->frames++;
        last = t;
        av_packet_unref(pkt);
    }
    assert_non_null(w);
    finish_segment(f, w, f->stopped ? last : last + FRAME_US, mine);
    av_packet_free(&pkt);
    avformat_close_input(&ic);
    return last + FRAME_US;
}

FX_UNUSED static int encode(media_t *m, const char *name, const char *codec_args)
{
    snprintf(m->src, sizeof m->src, "%s/%s.ts", media_dir, name);
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=320x240:rate=15 -t 8 "
             "-pix_fmt yuv420p %s -f mpegts '%s'",
             codec_args, m->src);
    if (run(cmd, out, sizeof out) != 0 || !exists(m->src)) {
        snprintf(media_error, sizeof media_error,
                 "cannot encode test footage with ffmpeg (ops/bootstrap.sh installs it): %s: %s",
                 cmd, out);
        return -1;
    }
    return 0;
}

FX_UNUSED static int group_setup(void **state)
{
    (void)state;
    if (!mkdtemp(media_dir)) {
        snprintf(media_error, sizeof media_error, "cannot create %s", media_dir);
        return 0;
    }
    char out[4096];
    if (run("ffprobe -version", out, sizeof out) != 0) {
        snprintf(media_error, sizeof media_error,
                 "ffprobe is missing (ops/bootstrap.sh installs ffmpeg): %s", out);
        return 0;
    }
    /* Keyframes every second exactly; B-frames as the encoders like them; closed groups of
     * pictures, as cameras send. */
    if (encode(&h264, "h264", "-c:v libx264 -g 15 -keyint_min 15 -sc_threshold 0") == 0)
        encode(&h265, "h265",
               "-c:v libx265 -x265-params "
               "keyint=15:min-keyint=15:scenecut=0:open-gop=0:log-level=error");
    return 0; /* a failure is reported by every test, in setup */
}

FX_UNUSED static int group_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", media_dir);
    return system(cmd) == 0 ? 0 : -1;
}

FX_UNUSED static int setup(void **state)
{
    if (media_error[0])
        fail_msg("%s", media_error);
    fx_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->media = *state;
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-footage-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->segdir, sizeof f->segdir, "%s/segments", f->dir);
    assert_int_equal(mkdir(f->segdir, 0700), 0);
    char p[160];
    snprintf(p, sizeof p, "%s/db", f->dir);
    assert_int_equal(edge_store_open(p, &f->store), MM_OK);
    snprintf(p, sizeof p, "%s/keys", f->dir);
    assert_int_equal(edge_keyring_open(p, T0, &f->kr), MM_OK);
    assert_int_equal(edge_vault_create(f->store, f->kr, f->segdir, &f->v), MM_OK);
    record(f, f->media, "cam1", T0, NULL, 0);
    /* 8 s of footage with a keyframe each second: four 2-second segments of 30 frames. */
    assert_int_equal(f->nseg, 4);
    assert_int_equal(f->frames, 120);
    for (size_t i = 0; i < f->nseg; i++) {
        assert_int_equal(f->seg[i].start_us, T0 + (int64_t)i * SEG_US);
        assert_int_equal(f->seg[i].frames, 30);
        if (i + 1 < f->nseg)
            assert_int_equal(f->end[i], T0 + (int64_t)(i + 1) * SEG_US);
    }
    *state = f;
    return 0;
}

FX_UNUSED static int teardown(void **state)
{
    fx_t *f = *state;
    if (!f || f == (void *)&h264 || f == (void *)&h265)
        return 0;
    edge_vault_destroy(f->v);
    edge_keyring_close(f->kr);
    edge_store_close(f->store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* An export's sink: the encrypted bytes into a FILE. */
FX_UNUSED static int to_file(void *arg, const uint8_t *data, size_t len)
{
    return fwrite(data, 1, len, arg) == len ? 0 : -1;
}

/* Makes a requester's age identity in f->dir/<name> with Debian's age-keygen: its path into key,
 * its public key (age1...) into rec. */
FX_UNUSED static void requester_key(fx_t *f, const char *name, char key[128], char rec[128])
{
    char cmd[512], out[4096], line[256];
    snprintf(key, 128, "%s/%s", f->dir, name);
    snprintf(cmd, sizeof cmd, "age-keygen -o %s", key);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    FILE *k = fopen(key, "r");
    assert_non_null(k);
    rec[0] = 0;
    while (fgets(line, sizeof line, k))
        if (sscanf(line, "# public key: %127s", rec) == 1)
            break;
    fclose(k);
    assert_true(rec[0] != 0);
}

/*
 * The hub files r as a disclosure request to site, as hub/disclosure.c does: the disclosure
 * statement of r's id, legal basis, reference, requester, recipient (the "age1..." text), cameras
 * and reason, over [r->from_us - margin, r->to_us + margin) (a margin as when the manager
 * narrowed the request), signed with hub's key. Writes the statement into stmt (MM_STATEMENT_MAX
 * bytes) and the signature into sig, and points r at both and at recipient.
 */
FX_UNUSED static void hub_signs(const mm_keypair_t *hub, const char *site, edge_export_req_t *r,
                                const char *recipient, int64_t margin, char *stmt, uint8_t sig[64])
{
    mm_city_request_t *q = calloc(1, sizeof *q);
    assert_non_null(q);
    snprintf(q->id, sizeof q->id, "%s", r->id);
    q->kind = MM_REQUEST_KIND_DISCLOSURE;
    q->time_us = T0 - 3600 * S;
    q->deadline_us = T0 + 14 * 86400 * S;
    q->from_us = r->from_us - margin;
    q->to_us = r->to_us + margin;
    snprintf(q->text, sizeof q->text, "%s", r->reason ? r->reason : "");
    assert_true(mm_legal_basis_parse(r->legal_basis, &q->legal_basis));
    snprintf(q->reference, sizeof q->reference, "%s", r->reference ? r->reference : "");
    snprintf(q->requester, sizeof q->requester, "%s", r->requester ? r->requester : "");
    snprintf(q->recipient, sizeof q->recipient, "%s", recipient);
    for (size_t i = 0; i < r->n_cameras; i++)
        snprintf(q->cameras[q->n_cameras++], sizeof q->cameras[0], "%s", r->cameras[i]);
    size_t len = 0;
    assert_int_equal(mm_disclosure_statement(q, site, stmt, MM_STATEMENT_MAX, &len), MM_OK);
    assert_int_equal(mm_ed25519_sign(&hub->sign, stmt, len, sig), MM_OK);
    free(q);
    r->recipient_text = recipient;
    r->hub_statement = stmt;
    r->hub_signature = sig;
}

/*
 * The hub acknowledges the whole site log, as the uplink records it: a checkpoint signed by the
 * site key (origin mimamori/site/<site name>), cosigned by hub as hub/mirror.c does, kept with
 * edge_store_set_acked. Writes the log's size and root.
 */
FX_UNUSED static void cosign_log(fx_t *f, const mm_keypair_t *site, const mm_keypair_t *hub,
                                 uint64_t *size, mm_hash_t *root)
{
    mm_checkpoint_t cp = {0};
    snprintf(cp.origin, sizeof cp.origin, "mimamori/site/%s", site->name);
    assert_int_equal(edge_store_size(f->store, &cp.size), MM_OK);
    assert_int_equal(edge_store_root(f->store, cp.size, &cp.root), MM_OK);
    char note[MM_NOTE_MAX + MM_NOTE_LINE_MAX];
    size_t len = 0;
    assert_int_equal(mm_checkpoint_sign(&cp, site->name, &site->sign, note, sizeof note, &len),
                     MM_OK);
    mm_note_t parsed;
    assert_int_equal(mm_note_parse(note, len, &parsed), MM_OK);
    char line[MM_NOTE_LINE_MAX];
    assert_int_equal(mm_cosig_sign(parsed.body, parsed.body_len, hub->name, &hub->sign, 1795486421,
                                   line, sizeof line),
                     MM_OK);
    assert_true(len + strlen(line) < sizeof note);
    memcpy(note + len, line, strlen(line));
    len += strlen(line);
    assert_int_equal(edge_store_set_acked(f->store, cp.size, note, len), MM_OK);
    *size = cp.size;
    *root = cp.root;
}

#endif
