/*
 * mkcorpus_hubbatch.c: writes the seed corpus of fuzz_hubbatch into a directory.
 *
 *   mkcorpus_hubbatch tests/fuzz/corpus/hubbatch
 *
 * Each file is what fuzz_hubbatch reads: envelopes, each preceded by its length (2 bytes,
 * big-endian). site-a signs with the seed 32 × 0x5a as in the fuzz target, so the seeds reach
 * storing, resends, extensions, forks, gaps, altered entries, rollbacks and foreign signatures,
 * and standards documents judged against the filings the batches logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/entry.h"
#include "common/merkle.h"
#include "common/note.h"
#include "common/wire.h"

#define MAX_ENTRIES 16

typedef struct {
    uint8_t *data[MAX_ENTRIES];
    size_t len[MAX_ENTRIES];
    size_t n;
} log_t;

typedef struct {
    uint8_t buf[1 << 15];
    size_t len;
} seed_t;

static mm_ed25519_t site_key, other_key;

static void die(const char *what)
{
    fprintf(stderr, "mkcorpus_hubbatch: %s\n", what);
    exit(1);
}

static void add_entry(log_t *log, const char *camera, int salt)
{
    if (log->n == MAX_ENTRIES)
        die("too many entries");
    mm_entry_t e = {.kind = MM_ENTRY_SEGMENT_RECORDED};
    mm_segment_recorded_t *s = &e.u.segment_recorded;
    int64_t t = 1795486400000000LL + (int64_t)log->n * 10000000LL;
    e.time_us = t + 10000000LL;
    snprintf(s->camera, sizeof s->camera, "%s", camera);
    s->start_us = t;
    s->end_us = t + 10000000LL;
    s->bytes = 250000 + (uint64_t)log->n * 17 + (uint64_t)salt;
    s->frames = 300;
    memset(s->content_hash, 0x30 + (int)log->n + salt, sizeof s->content_hash);
    snprintf(s->codec, sizeof s->codec, "h264");
    if (mm_entry_encode(&e, &log->data[log->n], &log->len[log->n]) != MM_OK)
        die("mm_entry_encode");
    log->n++;
}

static void add_any(log_t *log, const mm_entry_t *e)
{
    if (log->n == MAX_ENTRIES)
        die("too many entries");
    if (mm_entry_encode(e, &log->data[log->n], &log->len[log->n]) != MM_OK)
        die("mm_entry_encode");
    log->n++;
}

static const char MD1[] = "# 防犯カメラ設置運用基準\n\n第1版\n";
static const char MD2[] = "# 防犯カメラ設置運用基準\n\n第2版\n";

/* configuration_changed of version whose document is md, and (filed) its standards_filed. */
static void add_version(log_t *log, uint32_t version, const char *md, int filed)
{
    mm_entry_t e = {.time_us = 1795486400000000LL + (int64_t)log->n,
                    .kind = MM_ENTRY_CONFIGURATION_CHANGED};
    mm_configuration_changed_t *c = &e.u.configuration_changed;
    c->version = version;
    mm_sha256(md, strlen(md), c->document_hash);
    memset(c->config_hash, 0xc0, 32);
    c->policy = MM_POLICY_NAHA;
    c->cameras = 1;
    snprintf(c->summary, sizeof c->summary, "version %u", version);
    add_any(log, &e);
    if (!filed)
        return;
    mm_entry_t f = {.time_us = e.time_us + 1, .kind = MM_ENTRY_STANDARDS_FILED};
    f.u.standards_filed.version = version;
    mm_sha256(md, strlen(md), f.u.standards_filed.document_hash);
    f.u.standards_filed.automatic = 1;
    add_any(log, &f);
}

static void add_raw(seed_t *s, const void *data, size_t len);

static void add_document(seed_t *s, uint32_t version, const char *md, const char *html)
{
    mm_filing_document_t d = {.version = version,
                              .markdown = (const uint8_t *)md,
                              .markdown_len = strlen(md),
                              .html = (const uint8_t *)html,
                              .html_len = html ? strlen(html) : 0};
    uint8_t *msg;
    size_t len;
    if (mm_msg_encode_filing_document(3, &d, &msg, &len) != MM_OK)
        die("mm_msg_encode_filing_document");
    add_raw(s, msg, len);
    free(msg);
}

/* Appends the batch of entries [first, first + n) with a checkpoint of size `size`. */
static void add_batch_signed(seed_t *s, const log_t *log, const log_t *signed_log,
                             uint64_t first, size_t n, uint64_t size, const mm_ed25519_t *key)
{
    mm_checkpoint_t cp = {.size = size};
    snprintf(cp.origin, sizeof cp.origin, "mimamori/site/site-a");
    mm_hash_t leaves[MAX_ENTRIES];
    for (size_t i = 0; i < signed_log->n; i++)
        mm_merkle_leaf_hash(signed_log->data[i], signed_log->len[i], &leaves[i]);
    if (mm_merkle_root(mm_merkle_leaves_node, leaves, size, &cp.root) != MM_OK)
        die("mm_merkle_root");
    char note[1024];
    size_t note_len;
    if (mm_checkpoint_sign(&cp, "site-a", key, note, sizeof note, &note_len) != MM_OK)
        die("mm_checkpoint_sign");
    mm_bytes_t entries[MAX_ENTRIES];
    for (size_t i = 0; i < n; i++) {
        entries[i].data = log->data[first + i];
        entries[i].len = log->len[first + i];
    }
    mm_batch_t b = {.first_index = first,
                    .n_entries = n,
                    .entries = entries,
                    .checkpoint = note,
                    .checkpoint_len = note_len};
    uint8_t *msg;
    size_t len;
    if (mm_msg_encode_batch(1, &b, &msg, &len) != MM_OK)
        die("mm_msg_encode_batch");
    if (len > 0xffff || s->len + 2 + len > sizeof s->buf)
        die("seed too long");
    s->buf[s->len++] = (uint8_t)(len >> 8);
    s->buf[s->len++] = (uint8_t)len;
    memcpy(s->buf + s->len, msg, len);
    s->len += len;
    free(msg);
}

static void add_batch(seed_t *s, const log_t *log, uint64_t first, size_t n, uint64_t size,
                      const mm_ed25519_t *key)
{
    add_batch_signed(s, log, log, first, n, size, key);
}

static void add_raw(seed_t *s, const void *data, size_t len)
{
    if (len > 0xffff || s->len + 2 + len > sizeof s->buf)
        die("seed too long");
    s->buf[s->len++] = (uint8_t)(len >> 8);
    s->buf[s->len++] = (uint8_t)len;
    memcpy(s->buf + s->len, data, len);
    s->len += len;
}

static void save(const char *dir, const char *name, seed_t *s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->buf, 1, s->len, f) != s->len || fclose(f) != 0)
        die(path);
    s->len = 0;
}

static void free_log(log_t *log)
{
    for (size_t i = 0; i < log->n; i++)
        free(log->data[i]);
    log->n = 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkcorpus_hubbatch DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    uint8_t seed[32];
    memset(seed, 0x5a, sizeof seed);
    if (mm_ed25519_from_seed(seed, &site_key) != MM_OK)
        die("seed");
    memset(seed, 0x77, sizeof seed);
    if (mm_ed25519_from_seed(seed, &other_key) != MM_OK)
        die("seed");

    static seed_t s;
    log_t log = {0}, fork = {0};
    for (int i = 0; i < 6; i++)
        add_entry(&log, i % 2 ? "cam2" : "cam1", 0);

    add_batch(&s, &log, 0, 2, 2, &site_key);
    save(dir, "first", &s);

    add_batch(&s, &log, 0, 2, 2, &site_key);
    add_batch(&s, &log, 2, 3, 5, &site_key);
    add_batch(&s, &log, 5, 1, 6, &site_key);
    save(dir, "extend", &s);

    add_batch(&s, &log, 0, 3, 3, &site_key);
    add_batch(&s, &log, 0, 3, 3, &site_key);
    save(dir, "resend", &s);

    add_batch(&s, &log, 0, 3, 3, &site_key);
    add_batch(&s, &log, 2, 3, 5, &site_key); /* overlaps what is held */
    save(dir, "overlap", &s);

    add_batch(&s, &log, 0, 0, 0, &site_key);
    save(dir, "empty", &s);

    add_batch(&s, &log, 3, 2, 5, &site_key); /* the hub holds nothing yet */
    save(dir, "gap", &s);

    add_batch(&s, &log, 0, 3, 3, &other_key);
    save(dir, "foreign_key", &s);

    add_batch(&s, &log, 0, 4, 4, &site_key);
    add_batch(&s, &log, 0, 2, 2, &site_key); /* an older checkpoint */
    save(dir, "rollback", &s);

    for (int i = 0; i < 6; i++)
        add_entry(&fork, i % 2 ? "cam2" : "cam1", i >= 2 ? 9 : 0);
    add_batch(&s, &log, 0, 3, 3, &site_key);
    add_batch(&s, &fork, 3, 2, 5, &site_key); /* signed, but not an extension of 3 */
    save(dir, "fork", &s);

    /* An entry altered after signing: the checkpoint's root no longer matches. */
    log_t altered = log;
    uint8_t copy[512];
    memcpy(copy, log.data[1], log.len[1]);
    copy[log.len[1] - 3] ^= 0x01;
    altered.data[1] = copy;
    add_batch_signed(&s, &altered, &log, 0, 3, 3, &site_key);
    save(dir, "altered", &s);

    mm_ack_t ack = {.status = MM_ACK_OK, .size = 3, .cosignature = "", .reason = ""};
    uint8_t *msg;
    size_t len;
    if (mm_msg_encode_ack(7, &ack, &msg, &len) != MM_OK)
        die("mm_msg_encode_ack");
    add_raw(&s, msg, len);
    free(msg);
    add_batch(&s, &log, 0, 1, 1, &site_key);
    add_raw(&s, "\x0a\x03zzz", 5);
    add_batch(&s, &log, 1, 1, 2, &site_key);
    save(dir, "not_batches", &s);

    /* Standards documents (R-N4.2): before the hub holds the version, the one logged, a
     * tampered one, one of a version to come, the same again, another HTML; a version left
     * unfiled and superseded. */
    log_t filings = {0};
    add_version(&filings, 1, MD1, 1);
    add_document(&s, 1, MD1, "<p>第1版</p>");
    add_batch(&s, &filings, 0, 2, 2, &site_key);
    add_document(&s, 1, MD1, "<p>第1版</p>");
    add_document(&s, 1, "# 防犯カメラ設置運用基準\n\n第1版（改ざん）\n", "<p>第1版</p>");
    add_document(&s, 2, MD2, NULL);
    add_document(&s, 1, MD1, "<p>第1版</p>");
    add_document(&s, 1, MD1, "<p>別の版</p>");
    save(dir, "documents", &s);

    add_version(&filings, 2, MD2, 0);
    add_version(&filings, 3, MD1, 1);
    add_batch(&s, &filings, 0, 5, 5, &site_key);
    add_document(&s, 2, MD2, NULL);
    add_document(&s, 3, MD1, "<p>\xff</p>");
    add_document(&s, 3, MD1, "");
    save(dir, "documents_superseded", &s);

    free_log(&filings);
    free_log(&log);
    free_log(&fork);
    return 0;
}
