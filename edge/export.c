/*
 * export.c: a disclosure export, remuxed, signed, archived and encrypted (see export.h).
 *
 * A content hash covers a whole segment, so a clip is made of whole segments: the ones that
 * overlap the requested range, from the first one's start to the last one's end. The manifest
 * lists them in order with their frame counts, and the clip must hold exactly those frames, in
 * that order, or the export fails: a verifier splits the MP4's samples by those counts and
 * hashes each run against the segment's entry in the site log.
 */
#include "edge/export.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/helper.h"
#include "common/merkle.h"
#include "common/note.h"
#include "edge/footage.h"
#include "edge/governance.h"

#define BLOCK 512

typedef struct {
    mm_age_writer_t *w;
    uint64_t bytes;
    size_t files;
} tar_t;

static mm_err_t put(tar_t *t, const void *data, size_t len)
{
    t->bytes += len;
    return mm_age_write(t->w, data, len);
}

/* 11 octal digits and a NUL (a ustar number field of 12 bytes). */
static void octal(uint8_t *field, uint64_t v)
{
    for (int i = 10; i >= 0; i--, v >>= 3)
        field[i] = (uint8_t)('0' + (v & 7));
    field[11] = 0;
}

/* A ustar header for prefix/name of size bytes, then nothing: the caller writes the data. */
static mm_err_t header(tar_t *t, const char *prefix, const char *name, uint64_t size)
{
    uint8_t h[BLOCK] = {0};
    if (strlen(name) >= 100 || strlen(prefix) >= 155)
        return MM_EINVAL;
    memcpy(h, name, strlen(name));
    memcpy(h + 100, "0000600", 7);
    memcpy(h + 108, "0000000", 7);
    memcpy(h + 116, "0000000", 7);
    if (size > 077777777777ULL)
        return MM_ETOOBIG; /* ustar sizes have 11 octal digits: 8 GiB */
    octal(h + 124, size);
    octal(h + 136, (uint64_t)(mm_now_us() / 1000000) & 077777777777ULL);
    memset(h + 148, ' ', 8);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memcpy(h + 265, "mimamori", 8);
    memcpy(h + 297, "mimamori", 8);
    memcpy(h + 345, prefix, strlen(prefix));
    unsigned sum = 0;
    for (int i = 0; i < BLOCK; i++)
        sum += h[i];
    for (int i = 5; i >= 0; i--, sum >>= 3)
        h[148 + i] = (uint8_t)('0' + (sum & 7));
    h[154] = 0;
    h[155] = ' ';
    t->files++;
    return put(t, h, BLOCK);
}

static mm_err_t pad(tar_t *t, uint64_t size)
{
    static const uint8_t zero[BLOCK];
    size_t rest = (size_t)(size % BLOCK);
    return rest ? put(t, zero, BLOCK - rest) : MM_OK;
}

static mm_err_t add_bytes(tar_t *t, const char *prefix, const char *name, const void *data,
                          size_t len)
{
    mm_err_t err = header(t, prefix, name, len);
    if (err == MM_OK)
        err = put(t, data, len);
    return err == MM_OK ? pad(t, len) : err;
}

/*
 * The SHA-256 of a file put into the archive is taken on a second thread while the same bytes
 * are encrypted into the archive here (the age writer, and the sink's hash of the ciphertext):
 * both read the piece, neither changes it, and the next piece is read meanwhile. A box with two
 * cores thus hashes the clear MP4 at no cost in time; without the thread it is hashed here.
 */
typedef struct {
    mm_sha256_ctx_t *ctx;
    const uint8_t *data;
    size_t len;
} piece_t;

static void hash_piece(void *arg)
{
    piece_t *p = arg;
    mm_sha256_update(p->ctx, p->data, p->len);
}

static mm_err_t read_piece(int fd, uint8_t *buf, size_t cap, uint64_t left, size_t *got)
{
    size_t want = left < cap ? (size_t)left : cap;
    *got = 0;
    while (*got < want) {
        ssize_t n = read(fd, buf + *got, want - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return MM_EIO; /* the file shrank, or cannot be read */
        *got += (size_t)n;
    }
    return MM_OK;
}

#define PIECE (1024 * 1024)

/* A file into the archive, and its SHA-256. */
static mm_err_t add_file(tar_t *t, const char *prefix, const char *name, const char *path,
                         uint8_t sha[32])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return MM_EIO;
    off_t size = lseek(fd, 0, SEEK_END);
    piece_t h = {0};
    mm_err_t err = size < 0 || lseek(fd, 0, SEEK_SET) != 0 ? MM_EIO : mm_sha256_create(&h.ctx);
    if (err == MM_OK)
        err = header(t, prefix, name, (uint64_t)size);
    mm_helper_t helper;
    mm_helper_start(&helper);
    static uint8_t buf[2][PIECE];
    int cur = 0;
    size_t len = 0;
    uint64_t done = 0;
    if (err == MM_OK)
        err = read_piece(fd, buf[cur], PIECE, (uint64_t)size, &len);
    while (err == MM_OK && len) {
        h.data = buf[cur];
        h.len = len;
        mm_helper_run(&helper, hash_piece, &h);
        err = put(t, buf[cur], len);
        done += len;
        size_t next = 0;
        if (err == MM_OK)
            err = read_piece(fd, buf[1 - cur], PIECE, (uint64_t)size - done, &next);
        mm_helper_wait(&helper); /* buf[cur] is read into again only once hashed */
        cur = 1 - cur;
        len = next;
    }
    close(fd);
    mm_helper_stop(&helper);
    if (err == MM_OK)
        err = pad(t, (uint64_t)size);
    if (h.ctx) {
        mm_sha256_final(h.ctx, sha);
        mm_sha256_destroy(h.ctx);
    }
    return err;
}

typedef struct {
    int64_t after; /* the clip's last segment's start */
    int found;
} later_t;

static int later(const edge_segment_row_t *row, void *arg)
{
    later_t *l = arg;
    l->found |= row->seg.start_us > l->after;
    return l->found;
}

/*
 * The end to ask edge_footage_mp4 for, so that the clip holds its last segment whole. That is
 * the segment's end, except for a segment that ended because its camera stopped: it ends at its
 * last frame's time (footage.h), which a half-open range leaves out. One microsecond more takes
 * that frame in, and nothing else as long as no later segment starts there.
 */
static mm_err_t clip_end(const edge_vault_t *v, const char *camera, const edge_segment_row_t *last,
                         int64_t clip_to, int64_t *mp4_to)
{
    later_t l = {last->seg.start_us, 0};
    mm_err_t err = edge_footage_find(v, camera, clip_to, clip_to + 1, later, &l);
    *mp4_to = l.found ? clip_to : clip_to + 1;
    return err;
}

typedef struct {
    json_t *list;
    edge_store_t *store;
    uint64_t tree_size; /* the size of the hub-cosigned checkpoint, 0 when none */
} segs_t;

/*
 * A segment for the manifest: its times, frame count, content hash and site-log index, and —
 * when the hub has cosigned a checkpoint that covers it — its log entry's bytes and their
 * inclusion proof to that checkpoint, so that a verifier needs nothing but the export and the
 * hub's key.
 */
static mm_err_t add_segment(const edge_segment_row_t *row, segs_t *s)
{
    char hex[65];
    mm_hex32(row->seg.content_hash, hex);
    json_t *o =
        json_pack("{s:I, s:I, s:I, s:s, s:I}", "start_us", (json_int_t)row->seg.start_us, "end_us",
                  (json_int_t)row->seg.end_us, "frames", (json_int_t)row->seg.frames,
                  "content_hash", hex, "log_index", (json_int_t)row->log_index);
    if (!o)
        return MM_ENOMEM;
    mm_hash_t proof[MM_MERKLE_MAX_PROOF];
    size_t n = 0;
    mm_bytes_t *entry = NULL;
    if (row->log_index < s->tree_size &&
        edge_store_inclusion_proof(s->store, row->log_index, s->tree_size, proof, &n) == MM_OK &&
        edge_store_entries(s->store, row->log_index, 1, &entry) == MM_OK) {
        size_t cap = mm_base64_encoded_len(entry[0].len) + 1;
        char *b64 = malloc(cap);
        json_t *path = json_array();
        for (size_t i = 0; path && i < n; i++) {
            char h[65];
            mm_hex32(proof[i].b, h);
            json_array_append_new(path, json_string(h));
        }
        if (b64 && path && mm_base64_encode(entry[0].data, entry[0].len, b64, cap) >= 0) {
            json_object_set_new(o, "entry", json_string(b64));
            json_object_set_new(o, "tree_size", json_integer((json_int_t)s->tree_size));
            json_object_set_new(o, "inclusion", path);
        } else {
            json_decref(path);
        }
        free(b64);
    }
    free(entry);
    return json_array_append_new(s->list, o) == 0 ? MM_OK : MM_ENOMEM;
}

/*
 * The size of the checkpoint in the hub-cosigned note, 0 when there is none. Proofs go to this
 * size, not to the acknowledged one: an acknowledgement whose cosignature did not verify moves
 * the latter without replacing the note (uplink.c).
 */
static uint64_t checkpoint_size(const char *text, size_t len)
{
    mm_note_t note;
    mm_checkpoint_t cp;
    if (len == 0 || mm_note_parse(text, len, &note) != MM_OK ||
        mm_checkpoint_parse_body(note.body, note.body_len, &cp) != MM_OK)
        return 0;
    return cp.size;
}

/*
 * Own images (R-N8): replaces the clip at path by its rendering with everything but camera's
 * regions blurred, and says so in the camera's manifest entry c. The clear source is removed
 * with the rest by the caller.
 */
static mm_err_t redact(const edge_export_req_t *r, const char *camera, const char *path, json_t *c)
{
    edge_region_t keep[EDGE_REDACT_MAX_REGIONS];
    size_t n = 0;
    json_t *list = json_array();
    if (!list)
        return MM_ENOMEM;
    for (size_t i = 0; i < r->n_regions; i++) {
        if (!r->regions[i].camera || strcmp(r->regions[i].camera, camera) != 0)
            continue;
        if (n == EDGE_REDACT_MAX_REGIONS) {
            json_decref(list);
            return MM_EINVAL;
        }
        keep[n++] = r->regions[i].region;
        json_array_append_new(list, json_pack("{s:f, s:f, s:f, s:f}", "x", r->regions[i].region.x,
                                              "y", r->regions[i].region.y, "w",
                                              r->regions[i].region.w, "h", r->regions[i].region.h));
    }
    char out[600];
    if ((size_t)snprintf(out, sizeof out, "%s.redacted.mp4", path) >= sizeof out) {
        json_decref(list);
        return MM_EINVAL;
    }
    edge_redact_report_t rr = {0};
    mm_err_t err = edge_redact_mp4(path, out, keep, n, &rr);
    if (err == MM_OK && rename(out, path) != 0) {
        MM_ERROR("export %s: cannot put the redacted clip in place: %s", r->id, strerror(errno));
        unlink(out);
        err = MM_EIO;
    }
    if (err != MM_OK) {
        MM_ERROR("export %s: redacting %s failed: %s", r->id, camera, mm_strerror(err));
        json_decref(list);
        return err;
    }
    json_object_set_new(c, "redaction",
                        json_pack("{s:o, s:s, s:I, s:I}", "kept_regions", list, "encoder",
                                  rr.encoder, "frames_in", (json_int_t)rr.frames_in, "frames_out",
                                  (json_int_t)rr.frames_out));
    return MM_OK;
}

/* One camera's clip, remuxed into path, and its entry in the manifest's camera list. */
static mm_err_t add_camera(const edge_vault_t *v, const edge_export_req_t *r, const char *camera,
                           const char *path, uint64_t tree_size, json_t *cams)
{
    edge_segment_row_t *rows = NULL;
    size_t n_rows = 0;
    json_t *segs = json_array();
    mm_err_t err =
        segs ? edge_footage_rows(v, camera, r->from_us, r->to_us, &rows, &n_rows) : MM_ENOMEM;
    if (err == MM_OK && n_rows == 0) {
        MM_ERROR("export %s: camera %s has no footage in [%lld, %lld)", r->id, camera,
                 (long long)r->from_us, (long long)r->to_us);
        err = MM_ENOTFOUND;
    }
    if (err != MM_OK)
        goto out;

    const edge_segment_row_t *last = &rows[n_rows - 1];
    int64_t clip_from = rows[0].seg.start_us, mp4_to;
    int64_t clip_to =
        last->seg.end_us > last->seg.start_us ? last->seg.end_us : last->seg.start_us + 1;
    uint64_t frames = 0;
    for (size_t i = 0; i < n_rows; i++)
        frames += rows[i].seg.frames;
    edge_footage_report_t fr = {0};
    if ((err = clip_end(v, camera, last, clip_to, &mp4_to)) != MM_OK ||
        (err = edge_footage_mp4(v, camera, clip_from, mp4_to, path, &fr)) != MM_OK)
        goto out;
    if (fr.frames != frames) {
        MM_ERROR("export %s: the clip of %s [%lld, %lld) holds %llu frames but its %zu segments "
                 "hold %llu: its segments could not be checked one by one",
                 r->id, camera, (long long)clip_from, (long long)clip_to,
                 (unsigned long long)fr.frames, n_rows, (unsigned long long)frames);
        err = MM_EMEDIA;
        goto out;
    }
    segs_t sg = {segs, edge_vault_store(v), tree_size};
    for (size_t i = 0; err == MM_OK && i < n_rows; i++)
        err = add_segment(&rows[i], &sg);
    if (err != MM_OK)
        goto out;
    char hex[65], file[80];
    mm_hex32(fr.content_hash, hex);
    snprintf(file, sizeof file, "%s.mp4", camera);
    json_t *c =
        json_pack("{s:s, s:s, s:{s:I, s:I}, s:I, s:I, s:I, s:s, s:O}", "camera", camera, "file",
                  file, "clip", "from_us", (json_int_t)clip_from, "to_us", (json_int_t)clip_to,
                  "frames", (json_int_t)fr.frames, "first_us", (json_int_t)fr.first_us, "last_us",
                  (json_int_t)fr.last_us, "content_hash", hex, "segments", segs);
    if (c && r->redact)
        err = redact(r, camera, path, c);
    if (err != MM_OK) {
        json_decref(c);
        goto out;
    }
    err = c && json_array_append_new(cams, c) == 0 ? MM_OK : MM_ENOMEM;
out:
    json_decref(segs);
    free(rows);
    return err;
}

/* The site's public key as PEM (SubjectPublicKeyInfo), for openssl. */
static void public_pem(const mm_keypair_t *k, char *out, size_t cap)
{
    static const uint8_t prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                       0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    uint8_t der[44];
    char b64[80];
    memcpy(der, prefix, 12);
    memcpy(der + 12, k->sign.pub, 32);
    mm_base64_encode(der, sizeof der, b64, sizeof b64);
    snprintf(out, cap, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n", b64);
}

/* An id that names a file or folder of the archive: an id (governance.h), not hidden. */
static int name_ok(const char *s)
{
    return s && s[0] != '.' && mm_id_ok(s);
}

mm_err_t edge_export_build(const edge_vault_t *v, const mm_keypair_t *site_key,
                           const char *work_dir, const edge_export_req_t *r, mm_age_sink_fn sink,
                           void *arg, edge_export_report_t *rep)
{
    if (!r || !name_ok(r->id) || r->n_cameras == 0 || r->from_us >= r->to_us || !r->legal_basis)
        return MM_EINVAL;
    for (size_t i = 0; i < r->n_cameras; i++)
        if (!name_ok(r->cameras[i]))
            return MM_EINVAL;
    /* The hub's statement goes with its signature; the recipient named is the one encrypted to. */
    if (!r->hub_statement != !r->hub_signature)
        return MM_EINVAL;
    uint8_t to[32];
    if (r->recipient_text && (mm_age_recipient_parse(r->recipient_text, to) != MM_OK ||
                              memcmp(to, r->recipient, sizeof to) != 0))
        return MM_EINVAL;
    char hub_sig[MM_ED25519_SIG_LEN * 2];
    if (r->hub_signature &&
        mm_base64_encode(r->hub_signature, MM_ED25519_SIG_LEN, hub_sig, sizeof hub_sig) < 0)
        return MM_EINVAL;
    /* Regions only in a redacted export, each of a camera the export holds. */
    if (r->n_regions && (!r->redact || !r->regions))
        return MM_EINVAL;
    for (size_t i = 0; i < r->n_regions; i++) {
        size_t k = 0;
        while (k < r->n_cameras &&
               (!r->regions[i].camera || strcmp(r->regions[i].camera, r->cameras[k]) != 0))
            k++;
        if (k == r->n_cameras)
            return MM_EINVAL;
    }
    char(*paths)[512] = calloc(r->n_cameras, sizeof *paths);
    json_t *cams = json_array(), *manifest = NULL;
    char *text = NULL;
    tar_t t = {0};
    mm_err_t err = paths && cams ? MM_OK : MM_ENOMEM;

    /* The hub-cosigned checkpoint, which the segments' inclusion proofs lead to. */
    char checkpoint[4096];
    size_t cl = 0;
    if (edge_store_meta_get(edge_vault_store(v), "cosigned", checkpoint, sizeof checkpoint - 1,
                            &cl) != MM_OK)
        cl = 0;
    checkpoint[cl] = 0;
    uint64_t tree_size = checkpoint_size(checkpoint, cl);

    /* The footage, verified segment by segment, remuxed into clear MP4s in work_dir. */
    for (size_t i = 0; err == MM_OK && i < r->n_cameras; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s-%s.mp4", work_dir, r->id, r->cameras[i]);
        err = add_camera(v, r, r->cameras[i], paths[i], tree_size, cams);
    }

    /* Start the archive: header, then the MP4s, hashing each on its way in. */
    if (err == MM_OK)
        err = mm_age_begin(r->recipient, sink, arg, &t.w);
    for (size_t i = 0; err == MM_OK && i < r->n_cameras; i++) {
        uint8_t sha[32];
        char hex[65];
        json_t *c = json_array_get(cams, i);
        err = add_file(&t, r->id, json_string_value(json_object_get(c, "file")), paths[i], sha);
        mm_hex32(sha, hex);
        json_object_set_new(c, "mp4_sha256", json_string(hex));
    }

    /* The manifest, signed with the site key, and the key to check it with. The request, as the
     * hub signed it, is what ties the manifest's request to the hub's key (verify.h). */
    if (err == MM_OK) {
        manifest = json_pack(
            "{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s*, s:s*, s:s*}, s:{s:I, s:I}, s:I, s:O, "
            "s:s?, s:b, s:s?}",
            "format", "mimamori-export/1", "site", site_key->name, "request", "id", r->id,
            "legal_basis", r->legal_basis, "reference", r->reference ? r->reference : "",
            "requester", r->requester ? r->requester : "", "reason", r->reason ? r->reason : "",
            "recipient", r->recipient_text, "hub_statement", r->hub_statement, "hub_signature",
            r->hub_signature ? hub_sig : NULL, "range", "from_us", (json_int_t)r->from_us, "to_us",
            (json_int_t)r->to_us, "created_us", (json_int_t)mm_now_us(), "cameras", cams,
            "checkpoint", cl ? checkpoint : NULL, "redacted", r->redact != 0, "timezone",
            r->timezone);
        text = manifest ? json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
        err = text ? MM_OK : MM_ENOMEM;
    }
    uint8_t sig[MM_ED25519_SIG_LEN];
    if (err == MM_OK)
        err = mm_ed25519_sign(&site_key->sign, text, strlen(text), sig);
    if (err == MM_OK)
        err = add_bytes(&t, r->id, "manifest.json", text, strlen(text));
    if (err == MM_OK)
        err = add_bytes(&t, r->id, "manifest.json.sig", sig, sizeof sig);
    char pem[256];
    public_pem(site_key, pem, sizeof pem);
    if (err == MM_OK)
        err = add_bytes(&t, r->id, "site-key.pem", pem, strlen(pem));
    static const uint8_t end[2 * BLOCK];
    if (err == MM_OK)
        err = put(&t, end, sizeof end);
    if (t.w) {
        mm_err_t e2 = mm_age_end(t.w);
        if (err == MM_OK)
            err = e2;
    }
    if (err == MM_OK && rep) {
        rep->files = t.files;
        rep->bytes = t.bytes;
        mm_sha256(text, strlen(text), rep->manifest_sha256);
    }
    /* No clear footage stays behind, whatever happened. */
    for (size_t i = 0; paths && i < r->n_cameras; i++)
        if (paths[i][0] && unlink(paths[i]) != 0 && errno != ENOENT)
            MM_ERROR("export: cannot remove %s: %s", paths[i], strerror(errno));
    if (err != MM_OK)
        MM_ERROR("export %s failed: %s", r->id, mm_strerror(err));
    free(text);
    json_decref(manifest);
    json_decref(cams);
    free(paths);
    return err;
}
