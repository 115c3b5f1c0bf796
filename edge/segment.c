/*
 * segment.c: segment files (see segment.h for the format).
 */
#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "db.h"
#include "diag.h"

#define MAGIC "MMSEG1\n"
#define MAGIC_LEN 7
#define VERSION 1
#define CHUNK_US 1000000        /* frames per chunk: about one second */
#define FRAME_HDR (8 + 8 + 1 + 4)
#define TRAILER_LEN (4 + 4 + 8 + 32 + 32)

struct edge_segment_writer {
    int fd;
    int dirfd;
    char partial[EDGE_SEG_PATH_MAX];
    char final[EDGE_SEG_PATH_MAX];
    edge_segment_info_t info;
    mm_sha256_ctx_t *hash;
    mm_sha256_ctx_t *file_hash; /* every byte before the trailer */
    uint8_t *buf;          /* the chunk being filled: its frames' records */
    size_t len, cap;
    uint32_t chunk_frames;
    int64_t chunk_start;
    uint64_t written;
};

static mm_err_t write_all(int fd, const void *data, size_t len)
{
    if (len == 0)
        return MM_OK;
    const uint8_t *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == ENOSPC ? MM_EFULL : MM_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return MM_OK;
}

/* Splits Annex B data into NAL units and calls fn on each. */
static void each_nal(const uint8_t *d, size_t len, void (*fn)(void *, const uint8_t *, size_t),
                     void *arg)
{
    size_t i = 0, start = SIZE_MAX;
    while (i + 3 <= len) {
        if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) {
            if (start != SIZE_MAX) {
                size_t end = i;
                while (end > start && d[end - 1] == 0)
                    end--;
                if (end > start)
                    fn(arg, d + start, end - start);
            }
            i += 3;
            start = i;
        } else {
            i++;
        }
    }
    if (start == SIZE_MAX) {
        /* No start code: the whole buffer is one NAL unit. */
        if (len)
            fn(arg, d, len);
        return;
    }
    size_t end = len;
    while (end > start && d[end - 1] == 0)
        end--;
    if (end > start)
        fn(arg, d + start, end - start);
}

static void hash_nal(void *arg, const uint8_t *nal, size_t len)
{
    uint8_t be[4];
    mm_be32_put(be, (uint32_t)len);
    mm_sha256_update(arg, be, 4);
    mm_sha256_update(arg, nal, len);
}

void edge_segment_hash_frame(struct mm_sha256_ctx *ctx, const uint8_t *data, size_t len)
{
    each_nal(data, len, hash_nal, ctx);
}

static int id_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n < max;
}

mm_err_t edge_segment_create(const char *dir, const char *camera, const char *codec,
                             const uint8_t *extradata, size_t extralen, int64_t start_us,
                             edge_segment_writer_t **out)
{
    if (!id_ok(camera, MM_ID_MAX) || !id_ok(codec, EDGE_SEG_CODEC_MAX) ||
        extralen > EDGE_SEG_EXTRA_MAX)
        return MM_EINVAL;
    edge_segment_writer_t *w = calloc(1, sizeof *w);
    if (!w)
        return MM_ENOMEM;
    w->fd = w->dirfd = -1;
    int n1 = snprintf(w->final, sizeof w->final, "%s/%lld.mmseg", dir, (long long)start_us);
    int n2 = snprintf(w->partial, sizeof w->partial, "%s.partial", w->final);
    if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof w->partial) {
        free(w);
        return MM_EINVAL;
    }
    snprintf(w->info.camera, sizeof w->info.camera, "%s", camera);
    snprintf(w->info.codec, sizeof w->info.codec, "%s", codec);
    w->info.start_us = start_us;
    mm_err_t err = mm_sha256_create(&w->hash);
    if (err == MM_OK)
        err = mm_sha256_create(&w->file_hash);
    if (err != MM_OK) {
        mm_sha256_destroy(w->hash);
        free(w);
        return err;
    }
    w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    w->fd = open(w->partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (w->fd < 0 || w->dirfd < 0) {
        MM_ERROR("cannot create segment %s: %s", w->partial, strerror(errno));
        err = errno == ENOSPC ? MM_EFULL : MM_EIO;
        edge_segment_abort(w);
        return err;
    }
    size_t cl = strlen(camera), kl = strlen(codec);
    size_t hl = MAGIC_LEN + 1 + 1 + cl + 1 + kl + 8 + 4 + extralen;
    uint8_t *h = malloc(hl);
    if (!h) {
        edge_segment_abort(w);
        return MM_ENOMEM;
    }
    uint8_t *p = h;
    memcpy(p, MAGIC, MAGIC_LEN), p += MAGIC_LEN;
    *p++ = VERSION;
    *p++ = (uint8_t)cl;
    memcpy(p, camera, cl), p += cl;
    *p++ = (uint8_t)kl;
    memcpy(p, codec, kl), p += kl;
    mm_be64_put(p, (uint64_t)start_us), p += 8;
    mm_be32_put(p, (uint32_t)extralen), p += 4;
    if (extralen)
        memcpy(p, extradata, extralen);
    err = write_all(w->fd, h, hl);
    mm_sha256_update(w->file_hash, h, hl);
    free(h);
    if (err != MM_OK) {
        edge_segment_abort(w);
        return err;
    }
    w->written = hl;
    *out = w;
    return MM_OK;
}

static mm_err_t flush_chunk(edge_segment_writer_t *w)
{
    if (w->chunk_frames == 0)
        return MM_OK;
    uint8_t hdr[12];
    memcpy(hdr, "CHNK", 4);
    mm_be32_put(hdr + 4, (uint32_t)w->len);
    mm_be32_put(hdr + 8, w->chunk_frames);
    mm_err_t err = write_all(w->fd, hdr, sizeof hdr);
    if (err == MM_OK)
        err = write_all(w->fd, w->buf, w->len);
    if (err != MM_OK)
        return err;
    mm_sha256_update(w->file_hash, hdr, sizeof hdr);
    mm_sha256_update(w->file_hash, w->buf, w->len);
    w->written += sizeof hdr + w->len;
    w->len = 0;
    w->chunk_frames = 0;
    return MM_OK;
}

mm_err_t edge_segment_write(edge_segment_writer_t *w, int64_t time_us, int64_t pts, int key,
                            const uint8_t *data, size_t len)
{
    if (len == 0 || len > EDGE_SEG_FRAME_MAX)
        return MM_EINVAL;
    if (w->chunk_frames && time_us - w->chunk_start >= CHUNK_US) {
        mm_err_t err = flush_chunk(w);
        if (err != MM_OK)
            return err;
    }
    if (w->len + FRAME_HDR + len > w->cap) {
        size_t cap = w->cap ? w->cap : 256 * 1024;
        while (cap < w->len + FRAME_HDR + len)
            cap *= 2;
        uint8_t *nb = realloc(w->buf, cap);
        if (!nb)
            return MM_ENOMEM;
        w->buf = nb;
        w->cap = cap;
    }
    if (w->chunk_frames == 0)
        w->chunk_start = time_us;
    uint8_t *p = w->buf + w->len;
    mm_be64_put(p, (uint64_t)time_us), p += 8;
    mm_be64_put(p, (uint64_t)pts), p += 8;
    *p++ = key ? 1 : 0;
    mm_be32_put(p, (uint32_t)len), p += 4;
    memcpy(p, data, len);
    w->len += FRAME_HDR + len;
    w->chunk_frames++;
    w->info.frames++;
    edge_segment_hash_frame(w->hash, data, len);
    return MM_OK;
}

uint32_t edge_segment_frames(const edge_segment_writer_t *w)
{
    return w->info.frames;
}

static void writer_free(edge_segment_writer_t *w)
{
    if (w->fd >= 0)
        close(w->fd);
    if (w->dirfd >= 0)
        close(w->dirfd);
    mm_sha256_destroy(w->hash);
    mm_sha256_destroy(w->file_hash);
    free(w->buf);
    free(w);
}

mm_err_t edge_segment_finish(edge_segment_writer_t *w, int64_t end_us, edge_segment_info_t *info)
{
    mm_err_t err = flush_chunk(w);
    uint8_t tr[TRAILER_LEN];
    mm_sha256_final(w->hash, w->info.content_hash);
    w->info.end_us = end_us;
    memcpy(tr, "END!", 4);
    mm_be32_put(tr + 4, w->info.frames);
    mm_be64_put(tr + 8, (uint64_t)end_us);
    memcpy(tr + 16, w->info.content_hash, 32);
    mm_sha256_update(w->file_hash, tr, 48);
    mm_sha256_final(w->file_hash, tr + 48);
    if (err == MM_OK)
        err = write_all(w->fd, tr, sizeof tr);
    if (err == MM_OK && fsync(w->fd) != 0)
        err = MM_EIO;
    if (err == MM_OK && rename(w->partial, w->final) != 0)
        err = MM_EIO;
    if (err == MM_OK && fsync(w->dirfd) != 0)
        err = MM_EIO;
    if (err != MM_OK) {
        MM_ERROR("cannot finish segment %s: %s (%s)", w->partial, mm_strerror(err),
                 strerror(errno));
        edge_segment_abort(w);
        return err;
    }
    w->info.bytes = w->written + sizeof tr;
    snprintf(w->info.path, sizeof w->info.path, "%s", w->final);
    *info = w->info;
    writer_free(w);
    return MM_OK;
}

void edge_segment_abort(edge_segment_writer_t *w)
{
    if (!w)
        return;
    unlink(w->partial);
    writer_free(w);
}

/* --- reading --------------------------------------------------------------------------------*/

struct edge_segment_reader {
    FILE *f;
    char path[EDGE_SEG_PATH_MAX];
    uint8_t *extra;
    size_t extralen;
    mm_sha256_ctx_t *hash;
    mm_sha256_ctx_t *file_hash;
    uint8_t *chunk;         /* current chunk payload */
    size_t chunk_len, chunk_pos;
    uint32_t chunk_frames_left;
    uint32_t frames;
    long offset;            /* file offset of the current chunk, for messages */
    int done;
};

static int read_exact(FILE *f, void *buf, size_t len)
{
    return fread(buf, 1, len, f) == len ? 0 : -1;
}

/* Reads and adds to the file hash. */
static int read_hashed(edge_segment_reader_t *r, void *buf, size_t len)
{
    if (read_exact(r->f, buf, len))
        return -1;
    mm_sha256_update(r->file_hash, buf, len);
    return 0;
}

static mm_err_t corrupt(edge_segment_reader_t *r, const char *what)
{
    MM_WARN("segment %s: %s at offset %ld", r->path, what, r->offset);
    return MM_ECORRUPT;
}

mm_err_t edge_segment_open(const char *path, edge_segment_reader_t **out,
                           edge_segment_info_t *info)
{
    edge_segment_reader_t *r = calloc(1, sizeof *r);
    if (!r)
        return MM_ENOMEM;
    snprintf(r->path, sizeof r->path, "%s", path);
    r->f = fopen(path, "rb");
    if (!r->f) {
        free(r);
        return MM_EIO;
    }
    mm_err_t err = mm_sha256_create(&r->hash);
    if (err == MM_OK)
        err = mm_sha256_create(&r->file_hash);
    if (err != MM_OK) {
        edge_segment_close(r);
        return err;
    }
    memset(info, 0, sizeof *info);
    uint8_t m[MAGIC_LEN + 2], b8[8], b4[4], kl;
    if (read_hashed(r, m, sizeof m) || memcmp(m, MAGIC, MAGIC_LEN) || m[MAGIC_LEN] != VERSION ||
        m[MAGIC_LEN + 1] == 0 || m[MAGIC_LEN + 1] >= MM_ID_MAX ||
        read_hashed(r, info->camera, m[MAGIC_LEN + 1]) || read_hashed(r, &kl, 1) || kl == 0 ||
        kl >= EDGE_SEG_CODEC_MAX || read_hashed(r, info->codec, kl) || read_hashed(r, b8, 8) ||
        read_hashed(r, b4, 4) || mm_be32_get(b4) > EDGE_SEG_EXTRA_MAX) {
        err = corrupt(r, "bad header");
        edge_segment_close(r);
        return err;
    }
    info->start_us = (int64_t)mm_be64_get(b8);
    r->extralen = mm_be32_get(b4);
    r->extra = malloc(r->extralen + 1);
    if (!r->extra || (r->extralen && read_hashed(r, r->extra, r->extralen))) {
        err = r->extra ? corrupt(r, "truncated header") : MM_ENOMEM;
        edge_segment_close(r);
        return err;
    }
    snprintf(info->path, sizeof info->path, "%s", path);
    *out = r;
    return MM_OK;
}

const uint8_t *edge_segment_extradata(const edge_segment_reader_t *r, size_t *len)
{
    *len = r->extralen;
    return r->extra;
}

mm_err_t edge_segment_next(edge_segment_reader_t *r, edge_frame_t *fr)
{
    if (r->done)
        return MM_ENOTFOUND;
    while (r->chunk_frames_left == 0) {
        if (r->chunk_pos != r->chunk_len)
            return corrupt(r, "chunk longer than its frames");
        r->offset = ftell(r->f);
        uint8_t tag[4];
        if (read_exact(r->f, tag, 4))
            return corrupt(r, "truncated: no trailer");
        if (memcmp(tag, "END!", 4) == 0) {
            uint8_t tr[TRAILER_LEN - 4], digest[32], fdigest[32];
            if (read_exact(r->f, tr, sizeof tr))
                return corrupt(r, "truncated trailer");
            if (fgetc(r->f) != EOF)
                return corrupt(r, "bytes after the trailer");
            mm_sha256_update(r->file_hash, tag, 4);
            mm_sha256_update(r->file_hash, tr, 44);
            mm_sha256_final(r->file_hash, fdigest);
            if (memcmp(fdigest, tr + 44, 32) != 0)
                return corrupt(r, "file hash does not match: the file was altered");
            if (mm_be32_get(tr) != r->frames)
                return corrupt(r, "frame count in the trailer does not match");
            mm_sha256_final(r->hash, digest);
            if (memcmp(digest, tr + 12, 32) != 0)
                return corrupt(r, "content hash does not match the frames");
            r->done = 1;
            return MM_ENOTFOUND;
        }
        mm_sha256_update(r->file_hash, tag, 4);
        uint8_t h[8];
        if (memcmp(tag, "CHNK", 4) != 0 || read_hashed(r, h, 8))
            return corrupt(r, "bad chunk header");
        size_t len = mm_be32_get(h);
        uint32_t n = mm_be32_get(h + 4);
        if (n == 0 || len > 64 * 1024 * 1024 || len < (size_t)n * FRAME_HDR)
            return corrupt(r, "bad chunk size");
        uint8_t *c = realloc(r->chunk, len);
        if (!c)
            return MM_ENOMEM;
        r->chunk = c;
        if (read_hashed(r, r->chunk, len))
            return corrupt(r, "truncated chunk");
        r->chunk_len = len;
        r->chunk_pos = 0;
        r->chunk_frames_left = n;
    }
    if (r->chunk_len - r->chunk_pos < FRAME_HDR)
        return corrupt(r, "truncated frame header");
    const uint8_t *p = r->chunk + r->chunk_pos;
    fr->time_us = (int64_t)mm_be64_get(p);
    fr->pts = (int64_t)mm_be64_get(p + 8);
    if (p[16] > 1)
        return corrupt(r, "bad frame flags");
    fr->key = p[16];
    fr->len = mm_be32_get(p + 17);
    if (fr->len == 0 || fr->len > r->chunk_len - r->chunk_pos - FRAME_HDR)
        return corrupt(r, "frame longer than its chunk");
    fr->data = p + FRAME_HDR;
    r->chunk_pos += FRAME_HDR + fr->len;
    r->chunk_frames_left--;
    r->frames++;
    edge_segment_hash_frame(r->hash, fr->data, fr->len);
    return MM_OK;
}

void edge_segment_close(edge_segment_reader_t *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    mm_sha256_destroy(r->hash);
    mm_sha256_destroy(r->file_hash);
    free(r->extra);
    free(r->chunk);
    free(r);
}

mm_err_t edge_segment_verify(const char *path, edge_segment_info_t *info)
{
    edge_segment_reader_t *r;
    mm_err_t err = edge_segment_open(path, &r, info);
    if (err != MM_OK)
        return err;
    edge_frame_t fr;
    while ((err = edge_segment_next(r, &fr)) == MM_OK) {
    }
    if (err == MM_ENOTFOUND) {
        err = MM_OK;
        /* The trailer was checked; read its end time and hash again for info. */
        uint8_t tr[TRAILER_LEN];
        if (fseek(r->f, -(long)sizeof tr, SEEK_END) == 0 && read_exact(r->f, tr, sizeof tr) == 0) {
            info->frames = mm_be32_get(tr + 4);
            info->end_us = (int64_t)mm_be64_get(tr + 8);
            memcpy(info->content_hash, tr + 16, 32);
            info->bytes = (uint64_t)ftell(r->f);
        } else {
            err = MM_EIO;
        }
    }
    edge_segment_close(r);
    return err;
}
