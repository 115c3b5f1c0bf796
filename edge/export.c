/*
 * export.c: a disclosure export, remuxed, signed, archived and encrypted (see export.h).
 */
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "crypto.h"
#include "diag.h"
#include "footage.h"
#include "governance.h"
#include "merkle.h"

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

/* A file into the archive, and its SHA-256. */
static mm_err_t add_file(tar_t *t, const char *prefix, const char *name, const char *path,
                         uint8_t sha[32])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return MM_EIO;
    off_t size = lseek(fd, 0, SEEK_END);
    mm_sha256_ctx_t *ctx = NULL;
    mm_err_t err = size < 0 || lseek(fd, 0, SEEK_SET) != 0 ? MM_EIO : mm_sha256_create(&ctx);
    if (err == MM_OK)
        err = header(t, prefix, name, (uint64_t)size);
    static uint8_t buf[64 * 1024];
    uint64_t done = 0;
    while (err == MM_OK && done < (uint64_t)size) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            err = MM_EIO;
            break;
        }
        mm_sha256_update(ctx, buf, (size_t)n);
        err = put(t, buf, (size_t)n);
        done += (uint64_t)n;
    }
    close(fd);
    if (err == MM_OK)
        err = pad(t, (uint64_t)size);
    if (ctx) {
        mm_sha256_final(ctx, sha);
        mm_sha256_destroy(ctx);
    }
    return err;
}

typedef struct {
    json_t *list;
    edge_store_t *store;
    uint64_t tree_size; /* the size of the hub-cosigned checkpoint, 0 when none */
} segs_t;

/*
 * A segment for the manifest: its times, content hash and site-log index, and — when the hub
 * has cosigned a checkpoint that covers it — its log entry's bytes and their inclusion proof
 * to that checkpoint, so that a verifier needs nothing but the export and the hub's key.
 */
static int add_segment(const edge_segment_row_t *row, void *arg)
{
    segs_t *s = arg;
    char hex[65];
    mm_hex_encode(row->seg.content_hash, 32, hex, sizeof hex);
    json_t *o = json_pack("{s:I, s:I, s:s, s:I}", "start_us", (json_int_t)row->seg.start_us,
                          "end_us", (json_int_t)row->seg.end_us, "content_hash", hex, "log_index",
                          (json_int_t)row->log_index);
    mm_hash_t proof[MM_MERKLE_MAX_PROOF];
    size_t n = 0;
    mm_bytes_t *entry = NULL;
    if (o && row->log_index < s->tree_size &&
        edge_store_inclusion_proof(s->store, row->log_index, s->tree_size, proof, &n) == MM_OK &&
        edge_store_entries(s->store, row->log_index, 1, &entry) == MM_OK) {
        size_t cap = mm_base64_encoded_len(entry[0].len) + 1;
        char *b64 = malloc(cap);
        json_t *path = json_array();
        for (size_t i = 0; i < n; i++) {
            char h[65];
            mm_hex_encode(proof[i].b, 32, h, sizeof h);
            json_array_append_new(path, json_string(h));
        }
        if (b64 && mm_base64_encode(entry[0].data, entry[0].len, b64, cap) >= 0) {
            json_object_set_new(o, "entry", json_string(b64));
            json_object_set_new(o, "tree_size", json_integer((json_int_t)s->tree_size));
            json_object_set_new(o, "inclusion", path);
        } else {
            json_decref(path);
        }
        free(b64);
    }
    free(entry);
    json_array_append_new(s->list, o);
    return 0;
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
    return s && s[0] != '.' && edge_id_ok(s);
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
    char(*paths)[512] = calloc(r->n_cameras, sizeof *paths);
    json_t *cams = json_array(), *manifest = NULL;
    char *text = NULL;
    tar_t t = {0};
    mm_err_t err = paths && cams ? MM_OK : MM_ENOMEM;

    /* The footage, verified segment by segment, remuxed into clear MP4s in work_dir. */
    for (size_t i = 0; err == MM_OK && i < r->n_cameras; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s-%s.mp4", work_dir, r->id, r->cameras[i]);
        edge_footage_report_t fr;
        err = edge_footage_mp4(v, r->cameras[i], r->from_us, r->to_us, paths[i], &fr);
        json_t *segs = json_array();
        segs_t sg = {segs, v->store, 0};
        if (edge_store_acked(v->store, &sg.tree_size) != MM_OK)
            sg.tree_size = 0;
        if (err == MM_OK)
            err = edge_footage_find(v, r->cameras[i], r->from_us, r->to_us, add_segment, &sg);
        char hex[65];
        mm_hex_encode(fr.content_hash, 32, hex, sizeof hex);
        char file[80];
        snprintf(file, sizeof file, "%s.mp4", r->cameras[i]);
        json_array_append_new(
            cams,
            json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:o}", "camera", r->cameras[i], "file", file,
                      "frames", (json_int_t)fr.frames, "first_us", (json_int_t)fr.first_us,
                      "last_us", (json_int_t)fr.last_us, "content_hash", hex, "segments", segs));
    }

    /* Start the archive: header, then the MP4s, hashing each on its way in. */
    if (err == MM_OK)
        err = mm_age_begin(r->recipient, sink, arg, &t.w);
    for (size_t i = 0; err == MM_OK && i < r->n_cameras; i++) {
        uint8_t sha[32];
        char hex[65];
        json_t *c = json_array_get(cams, i);
        err = add_file(&t, r->id, json_string_value(json_object_get(c, "file")), paths[i], sha);
        mm_hex_encode(sha, 32, hex, sizeof hex);
        json_object_set_new(c, "mp4_sha256", json_string(hex));
    }

    /* The manifest, signed with the site key, and the key to check it with. */
    char checkpoint[4096];
    size_t cl = 0;
    if (edge_store_meta_get(v->store, "cosigned", checkpoint, sizeof checkpoint - 1, &cl) != MM_OK)
        cl = 0;
    checkpoint[cl] = 0;
    if (err == MM_OK) {
        manifest =
            json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:I, s:I}, s:I, s:O, s:s?, "
                      "s:b}",
                      "format", "mimamori-export/1", "site", site_key->name, "request", "id", r->id,
                      "legal_basis", r->legal_basis, "reference", r->reference ? r->reference : "",
                      "requester", r->requester ? r->requester : "", "range", "from_us",
                      (json_int_t)r->from_us, "to_us", (json_int_t)r->to_us, "created_us",
                      (json_int_t)mm_now_us(), "cameras", cams, "checkpoint",
                      cl ? checkpoint : NULL, "redacted", 0);
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
