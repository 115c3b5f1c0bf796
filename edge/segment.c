/*
 * segment.c: segment files (see segment.h for the format).
 *
 * The writer encrypts each frame into the chunk being filled as it comes (AES-GCM in pieces,
 * crypto.h mm_gcm_seal_*: one pass over data still in the cache, no plaintext copy kept), and when
 * the chunk is done sets its frame count and tag and writes it with its header in one writev; the
 * syncer thread fdatasyncs it (segment_sync.h). A chunk is on disk whole, or the reader and the
 * recovery see a short chunk and stop before it. The reader opens a whole chunk
 * before handing out any of its frames, so altered footage is never played.
 */
#include "edge/segment.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/db.h"
#include "common/diag.h"
#include "edge/segment_pool.h"
#include "edge/segment_sync.h"

#define MAGIC "MMSEG2\n"
#define MAGIC_LEN 7
#define VERSION 2
#define FRAME_HDR (8 + 8 + 1 + 4)
#define LAST_TAIL (8 + 4 + 32 + 1)
#define CHUNK_MAX (64u * 1024 * 1024)  /* largest chunk a reader accepts */
#define HEADER_MAX (MAGIC_LEN + 1 + 1 + MM_ID_MAX + 1 + EDGE_SEG_CODEC_MAX + 8 + 8 + \
                    EDGE_SEG_SALT_LEN + 4 + EDGE_SEG_EXTRA_MAX)

/* --- shared by writer, reader and recovery ---------------------------------------------------*/

static mm_err_t io_err(void)
{
    return errno == ENOSPC || errno == EDQUOT ? MM_EFULL : MM_EIO;
}

static mm_err_t write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return io_err();
        }
        p += n;
        len -= (size_t)n;
    }
    return MM_OK;
}

static void chunk_nonce(uint64_t index, uint8_t nonce[MM_GCM_NONCE_LEN])
{
    memset(nonce, 0, 4);
    mm_be64_put(nonce + 4, index);
}

static void chunk_aad(const uint8_t hh[32], uint64_t index, const char *tag, uint8_t aad[44])
{
    memcpy(aad, hh, 32);
    mm_be64_put(aad + 32, index);
    memcpy(aad + 40, tag, 4);
}

/*
 * Encrypts pt (len bytes) in place as chunk number index with the given tag, writes it, and
 * fdatasyncs when sync is set (otherwise the caller has it synced). The plaintext is destroyed.
 */
static mm_err_t write_chunk(int fd, const char *tag, uint8_t *pt, size_t len,
                            const uint8_t gtag[MM_GCM_TAG_LEN], int sync);

static mm_err_t put_chunk(int fd, const uint8_t key[32], const uint8_t hh[32], uint64_t index,
                          const char *tag, uint8_t *pt, size_t len, int sync)
{
    uint8_t nonce[MM_GCM_NONCE_LEN], aad[44], gtag[MM_GCM_TAG_LEN];
    chunk_nonce(index, nonce);
    chunk_aad(hh, index, tag, aad);
    mm_err_t err = mm_aes256gcm_seal(key, nonce, aad, sizeof aad, pt, len, pt, gtag);
    if (err != MM_OK)
        return err;
    return write_chunk(fd, tag, pt, len, gtag, sync);
}

/* Writes a sealed chunk: its header, ciphertext ct and tag; fdatasyncs when sync is set. */
static mm_err_t write_chunk(int fd, const char *tag, uint8_t *ct, size_t len,
                            const uint8_t gtag[MM_GCM_TAG_LEN], int sync)
{
    mm_err_t err;
    uint8_t hdr[8];
    memcpy(hdr, tag, 4);
    mm_be32_put(hdr + 4, (uint32_t)len);
    struct iovec iov[3] = {{hdr, 8}, {ct, len}, {(void *)gtag, MM_GCM_TAG_LEN}};
    size_t total = 8 + len + MM_GCM_TAG_LEN;
    ssize_t n;
    do
        n = writev(fd, iov, 3);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return io_err();
    if ((size_t)n < total) {
        /* A short writev (rare: a signal, or the disk filling): write the rest in order. */
        size_t done = (size_t)n;
        for (int i = 0; i < 3; i++) {
            if (done >= iov[i].iov_len) {
                done -= iov[i].iov_len;
                continue;
            }
            err = write_all(fd, (uint8_t *)iov[i].iov_base + done, iov[i].iov_len - done);
            if (err != MM_OK)
                return err;
            done = 0;
        }
    }
    if (sync && fdatasync(fd) != 0)
        return io_err();
    return MM_OK;
}

void edge_segment_each_nal(const uint8_t *d, size_t len,
                           void (*fn)(void *arg, const uint8_t *nal, size_t len), void *arg)
{
    /* A start code 00 00 01 is found from its 01: memchr looks for that byte many bytes at a
     * time, and in coded video it is rare (about one byte in 256), unlike 00. */
    size_t i = 0, start = SIZE_MAX;
    while (i + 3 <= len) {
        const uint8_t *one = memchr(d + i + 2, 1, len - i - 2);
        if (!one)
            break;
        size_t p = (size_t)(one - d);
        if (d[p - 1] != 0 || d[p - 2] != 0) {
            i = p - 1; /* the next candidate 01 is at p + 1 or later */
            continue;
        }
        if (start != SIZE_MAX) {
            size_t end = p - 2;
            while (end > start && d[end - 1] == 0)
                end--;
            if (end > start)
                fn(arg, d + start, end - start);
        }
        i = p + 1;
        start = i;
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
    edge_segment_each_nal(data, len, hash_nal, ctx);
}

/* --- writing ---------------------------------------------------------------------------------*/

struct edge_segment_writer {
    int fd;
    int dirfd;
    char partial[EDGE_SEG_PATH_MAX];
    char final[EDGE_SEG_PATH_MAX];
    edge_segment_info_t info;
    uint8_t key[EDGE_SEG_KEY_LEN];
    uint8_t header_hash[32];
    mm_sha256_ctx_t *hash;
    uint8_t *buf;          /* the chunk being filled: u32 count, then its frames' records */
    size_t len, cap;
    uint32_t chunk_frames;
    int64_t chunk_start;
    uint64_t written;
    int full; /* a chunk could not be written for a full disk: the file is salvaged at finish */
    edge_segsync_req_t sync; /* the syncer's request for fd (segment_sync.h) */
    mm_gcm_seal_t *gcm;      /* the chunk being filled is sealed as it comes */
    int broken;              /* a chunk could not be written (not for a full disk) */
    size_t peak;             /* the largest chunk so far, for the camera's next segment */
};

static int id_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n < max;
}

/* Room for more bytes in the chunk buffer: a buffer of the next size class from the pool
 * (segment_pool.h) when it is full, the old one wiped and freed (its camera now needs more). */
static mm_err_t reserve(edge_segment_writer_t *w, size_t more)
{
    if (w->len + more <= w->cap)
        return MM_OK;
    size_t cap;
    uint8_t *nb = edge_segpool_get(w->len + more, &cap);
    if (!nb)
        return MM_ENOMEM;
    if (w->buf) {
        memcpy(nb, w->buf, w->len);
        mm_wipe(w->buf, w->len);
        edge_segpool_drop(w->buf);
    }
    w->buf = nb;
    w->cap = cap;
    return MM_OK;
}

/* errno of a failed sync as an error: a full disk or an I/O error. */
static mm_err_t sync_err(int e)
{
    errno = e;
    return io_err();
}

static void writer_free(edge_segment_writer_t *w)
{
    if (w->fd >= 0)
        (void)edge_segsync_withdraw(&w->sync); /* the syncer is done with fd */
    if (w->fd >= 0)
        close(w->fd);
    if (w->dirfd >= 0)
        close(w->dirfd);
    mm_sha256_destroy(w->hash);
    mm_gcm_seal_destroy(w->gcm);
    /* The buffer holds ciphertext only; wiped anyway. */
    if (w->buf)
        mm_wipe(w->buf, w->len);
    edge_segpool_put(w->buf, w->cap);
    mm_wipe(w->key, sizeof w->key);
    free(w);
}

/* Serializes a header; returns its length. h must hold HEADER_MAX bytes. */
static size_t header_bytes(uint8_t *h, const edge_segment_info_t *info, const uint8_t *extra,
                           size_t extralen)
{
    size_t cl = strlen(info->camera), kl = strlen(info->codec);
    uint8_t *p = h;
    memcpy(p, MAGIC, MAGIC_LEN), p += MAGIC_LEN;
    *p++ = VERSION;
    *p++ = (uint8_t)cl;
    memcpy(p, info->camera, cl), p += cl;
    *p++ = (uint8_t)kl;
    memcpy(p, info->codec, kl), p += kl;
    mm_be64_put(p, (uint64_t)info->start_us), p += 8;
    mm_be64_put(p, (uint64_t)info->epoch), p += 8;
    memcpy(p, info->salt, EDGE_SEG_SALT_LEN), p += EDGE_SEG_SALT_LEN;
    mm_be32_put(p, (uint32_t)extralen), p += 4;
    if (extralen)
        memcpy(p, extra, extralen), p += extralen;
    return (size_t)(p - h);
}

/* Starts sealing the next chunk: its frame count (4 bytes, set when it ends) first. */
static mm_err_t chunk_begin(edge_segment_writer_t *w)
{
    uint8_t nonce[MM_GCM_NONCE_LEN], aad[44];
    chunk_nonce(w->info.chunks, nonce);
    chunk_aad(w->header_hash, w->info.chunks, "CHNK", aad);
    w->len = 4;
    w->chunk_frames = 0;
    return mm_gcm_seal_begin(w->gcm, nonce, aad, sizeof aad, w->buf, 4);
}

/* Seals len bytes of plaintext onto the chunk; reserve() made room. */
static mm_err_t chunk_add(edge_segment_writer_t *w, const uint8_t *pt, size_t len)
{
    mm_err_t err = mm_gcm_seal_update(w->gcm, pt, len, w->buf + w->len);
    if (err == MM_OK)
        w->len += len;
    return err;
}

#define SEG_SUFFIX ".mmseg"
#define SEG_PARTIAL ".partial"

int edge_segment_path(char *out, size_t cap, const char *dir, int64_t start_us, int partial)
{
    int n = snprintf(out, cap, "%s%s%lld" SEG_SUFFIX "%s", dir ? dir : "", dir ? "/" : "",
                     (long long)start_us, partial ? SEG_PARTIAL : "");
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int edge_segment_name(const char *name, int64_t *start_us)
{
    if (*name < '0' || *name > '9')
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(name, &end, 10);
    if (errno || v < 0)
        return 0;
    *start_us = v;
    if (strcmp(end, SEG_SUFFIX) == 0)
        return 1;
    return strcmp(end, SEG_SUFFIX SEG_PARTIAL) == 0 ? 2 : 0;
}

int edge_segment_exists(const char *dir, int64_t start_us)
{
    char path[EDGE_SEG_PATH_MAX];
    struct stat st;
    for (int partial = 0; partial < 2; partial++) {
        if (edge_segment_path(path, sizeof path, dir, start_us, partial) != 0 ||
            stat(path, &st) == 0 || errno != ENOENT)
            return 1;
    }
    return 0;
}

mm_err_t edge_segment_create(const char *dir, const char *camera, const char *codec,
                             const uint8_t *extradata, size_t extralen, int64_t start_us,
                             int64_t epoch, const uint8_t salt[EDGE_SEG_SALT_LEN],
                             const uint8_t key[EDGE_SEG_KEY_LEN], edge_segment_writer_t **out)
{
    if (!id_ok(camera, MM_ID_MAX) || !id_ok(codec, EDGE_SEG_CODEC_MAX) ||
        extralen > EDGE_SEG_EXTRA_MAX)
        return MM_EINVAL;
    edge_segment_writer_t *w = calloc(1, sizeof *w);
    if (!w)
        return MM_ENOMEM;
    w->fd = w->dirfd = -1;
    if (edge_segment_path(w->final, sizeof w->final, dir, start_us, 0) != 0 ||
        edge_segment_path(w->partial, sizeof w->partial, dir, start_us, 1) != 0) {
        free(w);
        return MM_EINVAL;
    }
    snprintf(w->info.camera, sizeof w->info.camera, "%s", camera);
    snprintf(w->info.codec, sizeof w->info.codec, "%s", codec);
    w->info.start_us = start_us;
    w->info.epoch = epoch;
    memcpy(w->info.salt, salt, EDGE_SEG_SALT_LEN);
    memcpy(w->key, key, EDGE_SEG_KEY_LEN);
    mm_err_t err = mm_sha256_create(&w->hash);
    if (err == MM_OK)
        err = mm_gcm_seal_create(key, &w->gcm);
    if (err != MM_OK) {
        writer_free(w);
        return err;
    }
    w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    w->fd = open(w->partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    w->sync.fd = w->fd;
    if (w->fd < 0 || w->dirfd < 0) {
        err = io_err();
        MM_ERROR("cannot create segment %s: %s", w->partial, strerror(errno));
        edge_segment_abort(w);
        return err;
    }
    uint8_t *h = malloc(HEADER_MAX);
    if (!h) {
        edge_segment_abort(w);
        return MM_ENOMEM;
    }
    size_t hl = header_bytes(h, &w->info, extradata, extralen);
    mm_sha256(h, hl, w->header_hash);
    err = write_all(w->fd, h, hl);
    free(h);
    if (err == MM_OK) /* as large as this camera's last segment needed */
        err = reserve(w, edge_segpool_hint(camera) > 4 ? edge_segpool_hint(camera) : 4);
    if (err == MM_OK)
        err = chunk_begin(w);
    if (err != MM_OK) {
        edge_segment_abort(w);
        return err;
    }
    w->written = hl;
    *out = w;
    return MM_OK;
}

/*
 * Writes the chunk being filled (tag "CHNK" or "LAST"); the buffer is ready for the next. A CHNK
 * is left to the syncer thread (segment_sync.h): the caller does not wait for the disk, and a
 * crash of the process cannot lose what is written. The LAST chunk is synced here, after every
 * sync the syncer was doing of this file, since the file is renamed into place next.
 */
static mm_err_t flush_chunk(edge_segment_writer_t *w, const char *tag)
{
    if (w->broken)
        return MM_EIO;
    uint8_t count[4], aad[44], gtag[MM_GCM_TAG_LEN];
    mm_be32_put(count, w->chunk_frames);
    size_t len = w->len;
    if (len > w->peak)
        w->peak = len;
    int last = strcmp(tag, "LAST") == 0;
    chunk_aad(w->header_hash, w->info.chunks, tag, aad);
    mm_err_t err = mm_gcm_seal_end(w->gcm, aad, w->buf, count, gtag);
    /* Before the LAST chunk: the syncer's work on this file done, and any failure of it known. */
    int e = last && err == MM_OK ? edge_segsync_withdraw(&w->sync) : 0;
    if (e)
        err = sync_err(e);
    if (err == MM_OK)
        err = write_chunk(w->fd, tag, w->buf, len, gtag, last);
    if (err == MM_OK) {
        w->written += 8 + len + MM_GCM_TAG_LEN;
        w->info.chunks++;
        if (!last)
            err = chunk_begin(w);
        if (err == MM_OK && !last && (e = edge_segsync_ask(&w->sync)) != 0)
            err = sync_err(e); /* an earlier chunk's sync failed: this one is written */
    }
    if (err == MM_EFULL)
        w->full = 1; /* what follows on disk may be a chunk cut short */
    else if (err != MM_OK)
        w->broken = 1; /* the partial file is left for recovery */
    return err;
}

mm_err_t edge_segment_write(edge_segment_writer_t *w, int64_t time_us, int64_t pts, int key,
                            const uint8_t *data, size_t len)
{
    if (len == 0 || len > EDGE_SEG_FRAME_MAX)
        return MM_EINVAL;
    mm_err_t err;
    /* A pause longer than a chunk (a stalled camera) closes the chunk before the new frame. */
    if (w->chunk_frames && time_us - w->chunk_start >= EDGE_SEG_CHUNK_US &&
        (err = flush_chunk(w, "CHNK")) != MM_OK)
        return err;
    if ((err = reserve(w, FRAME_HDR + len)) != MM_OK)
        return err;
    if (w->chunk_frames == 0)
        w->chunk_start = time_us;
    uint8_t rec[FRAME_HDR], *p = rec;
    mm_be64_put(p, (uint64_t)time_us), p += 8;
    mm_be64_put(p, (uint64_t)pts), p += 8;
    *p++ = key ? 1 : 0;
    mm_be32_put(p, (uint32_t)len);
    if ((err = chunk_add(w, rec, FRAME_HDR)) != MM_OK || (err = chunk_add(w, data, len)) != MM_OK) {
        w->broken = 1;
        return err;
    }
    w->chunk_frames++;
    w->info.frames++;
    edge_segment_hash_frame(w->hash, data, len);
    if (time_us - w->chunk_start >= EDGE_SEG_CHUNK_US - 100000)
        return flush_chunk(w, "CHNK");
    return MM_OK;
}

uint32_t edge_segment_frames(const edge_segment_writer_t *w)
{
    return w->info.frames;
}

/* Appends the LAST chunk's fields after its frames. */
static void put_last_tail(uint8_t *p, int64_t end_us, uint32_t frames, const uint8_t hash[32],
                          int recovered)
{
    mm_be64_put(p, (uint64_t)end_us);
    mm_be32_put(p + 8, frames);
    memcpy(p + 12, hash, 32);
    p[44] = recovered ? 1 : 0;
}

/* Renames the finished file into place and makes the rename durable. */
static mm_err_t publish(const char *partial, const char *final, int dirfd)
{
    if (rename(partial, final) != 0)
        return io_err();
    if (fsync(dirfd) != 0)
        return io_err();
    return MM_OK;
}

static mm_err_t salvage(edge_segment_writer_t *w, edge_segment_info_t *info);

mm_err_t edge_segment_finish(edge_segment_writer_t *w, int64_t end_us, edge_segment_info_t *info)
{
    if (w->full)
        return salvage(w, info);
    mm_sha256_final(w->hash, w->info.content_hash);
    w->info.end_us = end_us;
    mm_err_t err = w->broken ? MM_EIO : reserve(w, LAST_TAIL);
    if (err == MM_OK) {
        uint8_t tail[LAST_TAIL];
        put_last_tail(tail, end_us, w->info.frames, w->info.content_hash, 0);
        err = chunk_add(w, tail, LAST_TAIL);
    }
    if (err == MM_OK)
        err = flush_chunk(w, "LAST");
    if (err == MM_EFULL)
        return salvage(w, info); /* a full disk: what is on disk is finished now */
    if (err == MM_OK)
        err = publish(w->partial, w->final, w->dirfd);
    if (err != MM_OK) {
        MM_ERROR("cannot finish segment %s: %s (%s)", w->partial, mm_strerror(err),
                 strerror(errno));
        writer_free(w); /* the partial file stays: its complete chunks are recovered later */
        return err;
    }
    w->info.bytes = w->written;
    snprintf(w->info.path, sizeof w->info.path, "%s", w->final);
    *info = w->info;
    edge_segpool_learn(w->info.camera, w->peak);
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

/* --- reading ---------------------------------------------------------------------------------*/

struct edge_segment_reader {
    FILE *f;
    char path[EDGE_SEG_PATH_MAX];
    edge_segment_info_t hdr;
    uint8_t key[EDGE_SEG_KEY_LEN];
    uint8_t header_hash[32];
    uint8_t *extra;
    size_t extralen;
    mm_sha256_ctx_t *hash;
    uint8_t *chunk;         /* the current chunk's plaintext */
    size_t chunk_cap;
    size_t chunk_len, chunk_pos;
    uint32_t chunk_frames_left;
    uint64_t chunk_index;   /* chunks opened so far */
    int chunk_last;         /* the current chunk is LAST */
    uint32_t frames;
    int64_t last_time;      /* time of the last frame returned */
    long offset;            /* file offset of the current chunk, for messages */
    long good_end;          /* file offset after the last chunk that opened */
    int done;
    /* the LAST chunk's fields */
    int64_t end_us;
    uint8_t content_hash[32];
    int recovered;
};

static int read_exact(FILE *f, void *buf, size_t len)
{
    return fread(buf, 1, len, f) == len ? 0 : -1;
}

static mm_err_t corrupt(edge_segment_reader_t *r, const char *what)
{
    MM_WARN("segment %s: %s (chunk %llu at offset %ld)", r->path, what,
            (unsigned long long)r->chunk_index, r->offset);
    return MM_ECORRUPT;
}

/* Reads and parses the header; r->path is set. */
static mm_err_t read_header(edge_segment_reader_t *r)
{
    uint8_t *h = malloc(HEADER_MAX), *p = h;
    if (!h)
        return MM_ENOMEM;
    mm_err_t err = MM_ECORRUPT;
    edge_segment_info_t *info = &r->hdr;
#define TAKE(n) (read_exact(r->f, p, (n)) == 0 ? (p += (n), 1) : 0)
    if (!TAKE(MAGIC_LEN + 2) || memcmp(h, MAGIC, MAGIC_LEN) != 0 || h[MAGIC_LEN] != VERSION) {
        err = corrupt(r, "not a version-2 segment file");
        goto out;
    }
    size_t cl = h[MAGIC_LEN + 1];
    if (cl == 0 || cl >= MM_ID_MAX || !TAKE(cl + 1))
        goto bad;
    memcpy(info->camera, p - cl - 1, cl);
    size_t kl = p[-1];
    if (kl == 0 || kl >= EDGE_SEG_CODEC_MAX || !TAKE(kl + 8 + 8 + EDGE_SEG_SALT_LEN + 4))
        goto bad;
    const uint8_t *q = p - (kl + 8 + 8 + EDGE_SEG_SALT_LEN + 4);
    memcpy(info->codec, q, kl), q += kl;
    info->start_us = (int64_t)mm_be64_get(q), q += 8;
    info->epoch = (int64_t)mm_be64_get(q), q += 8;
    memcpy(info->salt, q, EDGE_SEG_SALT_LEN), q += EDGE_SEG_SALT_LEN;
    r->extralen = mm_be32_get(q);
    if (r->extralen > EDGE_SEG_EXTRA_MAX || (r->extralen && !TAKE(r->extralen)))
        goto bad;
#undef TAKE
    r->extra = malloc(r->extralen + 1);
    if (!r->extra) {
        err = MM_ENOMEM;
        goto out;
    }
    memcpy(r->extra, p - r->extralen, r->extralen);
    mm_sha256(h, (size_t)(p - h), r->header_hash);
    r->good_end = r->offset = (long)(p - h);
    snprintf(info->path, sizeof info->path, "%s", r->path);
    err = MM_OK;
    goto out;
bad:
    err = corrupt(r, "bad or truncated header");
out:
    free(h);
    return err;
}

mm_err_t edge_segment_open(const char *path, edge_segment_key_fn key_fn, void *arg,
                           edge_segment_reader_t **out, edge_segment_info_t *info)
{
    edge_segment_reader_t *r = calloc(1, sizeof *r);
    if (!r)
        return MM_ENOMEM;
    snprintf(r->path, sizeof r->path, "%s", path);
    r->f = fopen(path, "rb");
    if (!r->f) {
        MM_WARN("cannot open segment %s: %s", path, strerror(errno));
        free(r);
        return MM_EIO;
    }
    mm_err_t err = mm_sha256_create(&r->hash);
    if (err == MM_OK)
        err = read_header(r);
    if (err == MM_OK)
        err = key_fn(arg, &r->hdr, r->key);
    if (err != MM_OK) {
        edge_segment_close(r);
        return err;
    }
    *info = r->hdr;
    *out = r;
    return MM_OK;
}

const uint8_t *edge_segment_extradata(const edge_segment_reader_t *r, size_t *len)
{
    *len = r->extralen;
    return r->extra;
}

/*
 * Reads and opens the next chunk. MM_OK; MM_ENOTFOUND at a clean end of file (no bytes left);
 * MM_ECORRUPT for a short, oversized or altered chunk.
 */
static mm_err_t open_chunk(edge_segment_reader_t *r)
{
    r->offset = ftell(r->f);
    uint8_t hdr[8];
    size_t n = fread(hdr, 1, sizeof hdr, r->f);
    if (n == 0 && feof(r->f))
        return MM_ENOTFOUND;
    if (n != sizeof hdr)
        return corrupt(r, "truncated chunk header");
    int last = memcmp(hdr, "LAST", 4) == 0;
    if (!last && memcmp(hdr, "CHNK", 4) != 0)
        return corrupt(r, "bad chunk tag");
    size_t len = mm_be32_get(hdr + 4);
    if (len < 4 || len > CHUNK_MAX)
        return corrupt(r, "bad chunk length");
    if (len + MM_GCM_TAG_LEN > r->chunk_cap) {
        uint8_t *c = realloc(r->chunk, len + MM_GCM_TAG_LEN);
        if (!c)
            return MM_ENOMEM;
        r->chunk = c;
        r->chunk_cap = len + MM_GCM_TAG_LEN;
    }
    if (read_exact(r->f, r->chunk, len + MM_GCM_TAG_LEN))
        return corrupt(r, "truncated chunk");
    uint8_t nonce[MM_GCM_NONCE_LEN], aad[44];
    chunk_nonce(r->chunk_index, nonce);
    chunk_aad(r->header_hash, r->chunk_index, last ? "LAST" : "CHNK", aad);
    mm_err_t err = mm_aes256gcm_open(r->key, nonce, aad, sizeof aad, r->chunk, len, r->chunk,
                                     r->chunk + len);
    if (err == MM_EVERIFY)
        return corrupt(r, "chunk does not authenticate: altered, misplaced or wrong key");
    if (err != MM_OK)
        return err;
    uint32_t frames = mm_be32_get(r->chunk);
    size_t body = len - 4;
    if (last) {
        if (body < LAST_TAIL)
            return corrupt(r, "LAST chunk too short");
        body -= LAST_TAIL;
    }
    if (body < (size_t)frames * FRAME_HDR || (frames == 0 && body != 0))
        return corrupt(r, "bad frame count");
    r->chunk_len = 4 + body;
    r->chunk_pos = 4;
    r->chunk_frames_left = frames;
    r->chunk_last = last;
    r->chunk_index++;
    r->good_end = ftell(r->f);
    if (last) {
        const uint8_t *t = r->chunk + 4 + body;
        r->end_us = (int64_t)mm_be64_get(t);
        if (mm_be32_get(t + 8) != r->frames + frames)
            return corrupt(r, "frame count in the LAST chunk does not match");
        memcpy(r->content_hash, t + 12, 32);
        if (t[44] > 1)
            return corrupt(r, "bad recovered flag");
        r->recovered = t[44];
    }
    return MM_OK;
}

/* The next frame of the current chunk. */
static mm_err_t chunk_frame(edge_segment_reader_t *r, edge_frame_t *fr)
{
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
    r->last_time = fr->time_us;
    edge_segment_hash_frame(r->hash, fr->data, fr->len);
    return MM_OK;
}

/* After the LAST chunk's frames: nothing may follow, and the hash must match. */
static mm_err_t check_end(edge_segment_reader_t *r)
{
    if (r->chunk_pos != r->chunk_len)
        return corrupt(r, "chunk longer than its frames");
    if (fgetc(r->f) != EOF)
        return corrupt(r, "bytes after the LAST chunk");
    uint8_t digest[32];
    mm_sha256_final(r->hash, digest);
    if (memcmp(digest, r->content_hash, 32) != 0)
        return corrupt(r, "content hash does not match the frames");
    r->done = 1;
    return MM_ENOTFOUND;
}

mm_err_t edge_segment_next(edge_segment_reader_t *r, edge_frame_t *fr)
{
    if (r->done)
        return MM_ENOTFOUND;
    while (r->chunk_frames_left == 0) {
        if (r->chunk_last)
            return check_end(r);
        if (r->chunk_pos != r->chunk_len)
            return corrupt(r, "chunk longer than its frames");
        mm_err_t err = open_chunk(r);
        if (err == MM_ENOTFOUND)
            return corrupt(r, "truncated: the file ends without its LAST chunk");
        if (err != MM_OK)
            return err;
    }
    return chunk_frame(r, fr);
}

void edge_segment_trailer(const edge_segment_reader_t *r, edge_segment_info_t *info)
{
    info->end_us = r->end_us;
    info->frames = r->frames;
    info->chunks = (uint32_t)r->chunk_index;
    memcpy(info->content_hash, r->content_hash, 32);
    info->recovered = r->recovered;
    info->bytes = (uint64_t)r->good_end;
}

void edge_segment_close(edge_segment_reader_t *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    mm_sha256_destroy(r->hash);
    free(r->extra);
    if (r->chunk)
        mm_wipe(r->chunk, r->chunk_cap);
    free(r->chunk);
    mm_wipe(r->key, sizeof r->key);
    free(r);
}

mm_err_t edge_segment_verify(const char *path, edge_segment_key_fn key_fn, void *arg,
                             edge_segment_info_t *info)
{
    edge_segment_reader_t *r;
    mm_err_t err = edge_segment_open(path, key_fn, arg, &r, info);
    if (err != MM_OK)
        return err;
    edge_frame_t fr;
    while ((err = edge_segment_next(r, &fr)) == MM_OK) {
    }
    if (err == MM_ENOTFOUND) {
        edge_segment_trailer(r, info);
        err = MM_OK;
    }
    edge_segment_close(r);
    return err;
}

/* --- recovery --------------------------------------------------------------------------------*/

mm_err_t edge_segment_recover(const char *partial, edge_segment_key_fn key_fn, void *arg,
                              edge_segment_info_t *info)
{
    size_t pl = strlen(partial);
    const char *base = strrchr(partial, '/');
    int64_t start;
    if (pl >= EDGE_SEG_PATH_MAX || edge_segment_name(base ? base + 1 : partial, &start) != 2)
        return MM_EINVAL;
    char final[EDGE_SEG_PATH_MAX], dir[EDGE_SEG_PATH_MAX];
    snprintf(final, sizeof final, "%.*s", (int)(pl - strlen(SEG_PARTIAL)), partial);
    snprintf(dir, sizeof dir, "%s", partial);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");

    edge_segment_reader_t *r;
    mm_err_t err = edge_segment_open(partial, key_fn, arg, &r, info);
    if (err != MM_OK)
        return err;
    /* Walk the chunks that open; stop at the first that does not. */
    edge_frame_t fr;
    int complete = 0;
    for (;;) {
        if (r->chunk_frames_left == 0) {
            if (r->chunk_last) {
                complete = check_end(r) == MM_ENOTFOUND;
                break;
            }
            err = open_chunk(r);
            if (err == MM_ENOTFOUND || err == MM_ECORRUPT) {
                err = MM_OK; /* the end of what the crash left */
                break;
            }
            if (err != MM_OK)
                break;
            continue;
        }
        if ((err = chunk_frame(r, &fr)) != MM_OK)
            break;
    }
    int fd = -1, dirfd = -1;
    if (err != MM_OK && err != MM_ECORRUPT)
        goto out;
    err = MM_OK;
    /* Frames of a chunk that opened but was malformed were hashed: count only whole chunks. */
    uint64_t chunks = r->chunk_index - (r->chunk_frames_left ? 1 : 0);
    if (chunks == 0) {
        MM_WARN("segment %s: no complete chunk to recover; removing it", partial);
        unlink(partial);
        err = MM_ENOTFOUND;
        goto out;
    }
    fd = open(partial, O_WRONLY | O_CLOEXEC);
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || dirfd < 0) {
        err = io_err();
        goto out;
    }
    if (!complete) {
        if (r->chunk_frames_left || r->chunk_last) {
            /* A chunk that authenticated but does not parse: written by something else. */
            err = corrupt(r, "malformed chunk");
            goto out;
        }
        uint8_t digest[32];
        mm_sha256_final(r->hash, digest);
        uint8_t last[4 + LAST_TAIL];
        mm_be32_put(last, 0);
        put_last_tail(last + 4, r->last_time, r->frames, digest, 1);
        if (ftruncate(fd, r->good_end) != 0 || lseek(fd, r->good_end, SEEK_SET) < 0) {
            err = io_err();
            goto out;
        }
        err = put_chunk(fd, r->key, r->header_hash, r->chunk_index, "LAST", last, sizeof last, 1);
        if (err != MM_OK)
            goto out;
        r->end_us = r->last_time;
        memcpy(r->content_hash, digest, 32);
        r->recovered = 1;
        r->good_end += 8 + (long)sizeof last + MM_GCM_TAG_LEN;
        r->chunk_index++;
        MM_WARN("segment %s: recovered %u frames in %llu chunks after an unfinished write",
                partial, r->frames, (unsigned long long)chunks);
    } else if (fdatasync(fd) != 0) {
        err = io_err();
        goto out;
    }
    err = publish(partial, final, dirfd);
    if (err == MM_OK) {
        edge_segment_trailer(r, info);
        snprintf(info->path, sizeof info->path, "%s", final);
    }
out:
    if (err != MM_OK && err != MM_ENOTFOUND)
        MM_ERROR("cannot recover segment %s: %s", partial, mm_strerror(err));
    if (fd >= 0)
        close(fd);
    if (dirfd >= 0)
        close(dirfd);
    edge_segment_close(r);
    return err;
}

/* The key of the segment being salvaged: the writer's own, whatever the header says. */
static mm_err_t writer_key(void *arg, const edge_segment_info_t *hdr, uint8_t key[EDGE_SEG_KEY_LEN])
{
    (void)hdr;
    memcpy(key, arg, EDGE_SEG_KEY_LEN);
    return MM_OK;
}

/*
 * Finishing failed for a full disk: the writer is freed (its fd closed, the frames of the chunk
 * it could not write wiped) and the partial file is finished from the complete chunks on disk,
 * as edge_segment_recover does after a crash — truncating the chunk cut short gives back the
 * bytes the small LAST chunk needs.
 */
static mm_err_t salvage(edge_segment_writer_t *w, edge_segment_info_t *info)
{
    char partial[EDGE_SEG_PATH_MAX];
    uint8_t key[EDGE_SEG_KEY_LEN];
    snprintf(partial, sizeof partial, "%s", w->partial);
    memcpy(key, w->key, sizeof key);
    uint32_t frames = w->info.frames;
    writer_free(w);
    MM_WARN("segment %s: the disk is full; finishing it from its complete chunks (%u frames "
            "were written)",
            partial, frames);
    mm_err_t err = edge_segment_recover(partial, writer_key, key, info);
    mm_wipe(key, sizeof key);
    return err;
}
