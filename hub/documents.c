/*
 * documents.c: the standards documents at the hub (see documents.h).
 *
 * A document is judged against the site's record as it stands when it arrives: the registry is
 * learned in the mirror's transaction, so the record holds exactly what the verified log holds
 * and never runs ahead of it. The checks are cheapest-first and every refusal says why in the
 * answer; only the one that shows the site contradicting its own log — a Markdown that does not
 * hash to the logged document_hash — is a finding. The value is written in one transaction that
 * first looks for a document held already, so a resend writes nothing.
 */
#include "hub/documents.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/utf8.h"

#define FORMAT 1
#define HEAD (1 + 8 + 32 + 4 + 4) /* format, received_us, SHA-256, the two lengths */
#define KEY_MAX (MM_KEY_NAME_MAX + 1 + 4)

struct hub_documents {
    mm_db_t *db;
    MDB_dbi dbi;
    hub_registry_t *registry;
    hub_findings_t *findings;
};

mm_err_t hub_documents_open(mm_db_t *db, hub_registry_t *registry, hub_findings_t *findings,
                            hub_documents_t **out)
{
    hub_documents_t *d = calloc(1, sizeof *d);
    if (!d)
        return MM_ENOMEM;
    d->db = db;
    d->registry = registry;
    d->findings = findings;
    mm_err_t err = mm_db_dbi(db, "hub.documents", 0, &d->dbi);
    if (err != MM_OK) {
        free(d);
        return err;
    }
    *out = d;
    return MM_OK;
}

void hub_documents_close(hub_documents_t *d)
{
    free(d);
}

/* site \0 version (BE32); 0 when the site's name does not fit. */
static size_t make_key(uint8_t key[KEY_MAX], const char *site, uint32_t version)
{
    size_t n = strlen(site);
    if (n == 0 || n >= MM_KEY_NAME_MAX)
        return 0;
    memcpy(key, site, n);
    key[n] = 0;
    mm_be32_put(key + n + 1, version);
    return n + 1 + 4;
}

static void answer(mm_document_ack_t *out, mm_document_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void answer(mm_document_ack_t *out, mm_document_status_t status, const char *fmt, ...)
{
    out->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
}

/* Whether len bytes at p are UTF-8 without NUL: what the API can show as a string. */
static int text_ok(const uint8_t *p, size_t len)
{
    return len == 0 || (mm_utf8_valid((const char *)p, len) && !memchr(p, 0, len));
}

/* What the site's verified log says of a version's document_hash. */
typedef enum { LOGGED_NOT_YET, LOGGED, LOGGED_NEVER } logged_t;

/*
 * The document_hash the site's verified log holds for version into hash (LOGGED), or that it
 * holds none yet (LOGGED_NOT_YET), or that it never will: the version was left unfiled and
 * *latest has superseded it (LOGGED_NEVER). MM_OK or the registry's error.
 */
static mm_err_t logged_hash(hub_documents_t *d, const char *site, uint32_t version,
                            uint8_t hash[32], logged_t *state, uint32_t *latest)
{
    hub_site_record_t *rec;
    mm_err_t err = hub_registry_read(d->registry, site, &rec);
    if (err != MM_OK)
        return err;
    *state = LOGGED_NOT_YET;
    for (size_t i = 0; i < rec->n_filings && *state == LOGGED_NOT_YET; i++) {
        const hub_filing_t *f = &rec->filings[i];
        if (hub_filing_of_standards(f) && f->version == version) {
            memcpy(hash, f->document_hash, 32);
            *state = LOGGED;
        }
    }
    if (*state == LOGGED_NOT_YET && hub_members_has(&rec->members, HUB_RECORD_STANDARDS)) {
        if (rec->standards.version == version) {
            memcpy(hash, rec->standards.document_hash, 32);
            *state = LOGGED;
        } else if (rec->standards.version > version) {
            *latest = rec->standards.version;
            *state = LOGGED_NEVER;
        }
    }
    hub_site_record_free(rec);
    return MM_OK;
}

/* The Markdown does not hash to the logged document_hash: a finding, and refused. */
static void mismatch(hub_documents_t *d, const char *site, uint32_t version,
                     const uint8_t logged[32], const uint8_t got[32], int64_t now_us,
                     mm_document_ack_t *out)
{
    char logged_hex[65], got_hex[65], dedupe[32];
    mm_hex32(logged, logged_hex);
    mm_hex32(got, got_hex);
    snprintf(dedupe, sizeof dedupe, "version %" PRIu32, version);
    hub_evidence_t ev = {0};
    hub_evidence_int(&ev, "version", version);
    hub_evidence_text(&ev, "logged_hash", logged_hex);
    hub_evidence_text(&ev, "received_hash", got_hex);
    hub_findings_raise(d->findings, site, "document_mismatch", HUB_SEVERITY_HIGH, dedupe, &ev,
                       now_us,
                       "the standards document of version %" PRIu32 " the site sent hashes to "
                       "%.12s…, but its log holds %.12s… for that version (R-N4.2): not stored",
                       version, got_hex, logged_hex);
    hub_evidence_deinit(&ev);
    answer(out, MM_DOCUMENT_REFUSED,
           "the Markdown of version %" PRIu32 " hashes to %s, not to the document_hash %s "
           "the site logged",
           version, got_hex, logged_hex);
}

/* One write: a document stored unless one is held (then *held says whether it is the same). */
typedef struct {
    hub_documents_t *d;
    const uint8_t *key;
    size_t key_len;
    const mm_filing_document_t *doc;
    const uint8_t *sha;
    int64_t now_us;
    int held; /* 0 stored now, 1 held already with these bytes, -1 held with another HTML */
} put_t;

static mm_err_t put_txn(MDB_txn *txn, void *arg)
{
    put_t *p = arg;
    const mm_filing_document_t *doc = p->doc;
    MDB_val k = {p->key_len, (void *)p->key}, v;
    int rc = mdb_get(txn, p->d->dbi, &k, &v);
    if (rc == MDB_SUCCESS) {
        const uint8_t *b = v.mv_data;
        /* The Markdown hashed to the logged hash both times: only the HTML can differ. */
        p->held = v.mv_size == HEAD + doc->markdown_len + doc->html_len && b[0] == FORMAT &&
                          mm_be32_get(b + 41) == doc->markdown_len &&
                          mm_be32_get(b + 45) == doc->html_len &&
                          (doc->html_len == 0 ||
                           memcmp(b + HEAD + doc->markdown_len, doc->html, doc->html_len) == 0)
                      ? 1
                      : -1;
        return MM_OK;
    }
    if (rc != MDB_NOTFOUND)
        return mm_db_err(rc, "get document");
    p->held = 0;
    v.mv_size = HEAD + doc->markdown_len + doc->html_len;
    rc = mdb_put(txn, p->d->dbi, &k, &v, MDB_RESERVE);
    if (rc != MDB_SUCCESS)
        return mm_db_err(rc, "put document");
    uint8_t *b = v.mv_data;
    b[0] = FORMAT;
    mm_be64_put(b + 1, (uint64_t)p->now_us);
    memcpy(b + 9, p->sha, 32);
    mm_be32_put(b + 41, (uint32_t)doc->markdown_len);
    mm_be32_put(b + 45, (uint32_t)doc->html_len);
    memcpy(b + HEAD, doc->markdown, doc->markdown_len);
    if (doc->html_len)
        memcpy(b + HEAD + doc->markdown_len, doc->html, doc->html_len);
    return MM_OK;
}

void hub_documents_receive(hub_documents_t *d, const char *site, const mm_filing_document_t *doc,
                           int64_t now_us, mm_document_ack_t *out)
{
    memset(out, 0, sizeof *out);
    out->version = doc->version;
    uint8_t key[KEY_MAX], logged[32], got[32];
    size_t key_len = make_key(key, site, doc->version);
    uint32_t latest = 0;
    logged_t state = LOGGED_NOT_YET;
    mm_err_t err =
        key_len ? logged_hash(d, site, doc->version, logged, &state, &latest) : MM_EINVAL;
    if (err != MM_OK) {
        answer(out, MM_DOCUMENT_NOT_YET, "hub storage error: %s", mm_strerror(err));
        return;
    }
    if (state == LOGGED_NOT_YET) {
        answer(out, MM_DOCUMENT_NOT_YET,
               "the hub's verified copy of the log does not yet hold version %" PRIu32
               " of the standards",
               doc->version);
        return;
    }
    if (state == LOGGED_NEVER) {
        answer(out, MM_DOCUMENT_REFUSED,
               "version %" PRIu32 " was never filed and version %" PRIu32
               " has superseded it: its document is not taken",
               doc->version, latest);
        return;
    }
    mm_sha256(doc->markdown, doc->markdown_len, got);
    if (memcmp(got, logged, 32) != 0) {
        mismatch(d, site, doc->version, logged, got, now_us, out);
        return;
    }
    if (!text_ok(doc->markdown, doc->markdown_len) || !text_ok(doc->html, doc->html_len)) {
        answer(out, MM_DOCUMENT_REFUSED, "the %s of version %" PRIu32 " is not UTF-8 text",
               text_ok(doc->markdown, doc->markdown_len) ? "HTML" : "Markdown", doc->version);
        return;
    }
    put_t p = {.d = d, .key = key, .key_len = key_len, .doc = doc, .sha = got, .now_us = now_us};
    err = mm_db_write(d->db, put_txn, &p);
    if (err != MM_OK) {
        answer(out, MM_DOCUMENT_NOT_YET, "hub storage error: %s", mm_strerror(err));
    } else if (p.held < 0) {
        answer(out, MM_DOCUMENT_REFUSED,
               "the hub holds the document of version %" PRIu32 " with another HTML", doc->version);
    } else {
        if (!p.held)
            MM_INFO("site %s: standards document of version %" PRIu32 " received (%zu + %zu "
                    "bytes)",
                    site, doc->version, doc->markdown_len, doc->html_len);
        answer(out, MM_DOCUMENT_OK, "%s", "");
    }
}

/* A stored value into out: MM_OK, MM_ECORRUPT or MM_ENOMEM. */
static mm_err_t decode(const MDB_val *v, uint32_t version, hub_document_t *out)
{
    const uint8_t *b = v->mv_data;
    if (v->mv_size < HEAD || b[0] != FORMAT)
        return MM_ECORRUPT;
    size_t ml = mm_be32_get(b + 41), hl = mm_be32_get(b + 45);
    if (ml > MM_DOCUMENT_MAX || hl > MM_DOCUMENT_MAX || v->mv_size != HEAD + ml + hl)
        return MM_ECORRUPT;
    out->markdown = malloc(ml + 1);
    out->html = malloc(hl + 1);
    if (!out->markdown || !out->html) {
        hub_document_deinit(out);
        return MM_ENOMEM;
    }
    out->version = version;
    out->received_us = (int64_t)mm_be64_get(b + 1);
    memcpy(out->sha256, b + 9, 32);
    memcpy(out->markdown, b + HEAD, ml);
    out->markdown[ml] = 0;
    out->markdown_len = ml;
    memcpy(out->html, b + HEAD + ml, hl);
    out->html[hl] = 0;
    out->html_len = hl;
    return MM_OK;
}

mm_err_t hub_documents_get(hub_documents_t *d, const char *site, uint32_t version,
                           hub_document_t *out)
{
    memset(out, 0, sizeof *out);
    uint8_t key[KEY_MAX];
    size_t key_len = make_key(key, site, version);
    if (!key_len)
        return MM_ENOTFOUND;
    MDB_txn *txn;
    mm_err_t err = mm_db_read(d->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_val k = {key_len, key}, v;
    err = mm_db_err(mdb_get(txn, d->dbi, &k, &v), "get document");
    if (err == MM_OK) {
        err = decode(&v, version, out);
        if (err == MM_ECORRUPT)
            MM_ERROR("the stored document of version %" PRIu32 " of site %s is damaged", version,
                     site);
    }
    mdb_txn_abort(txn);
    return err;
}

void hub_document_deinit(hub_document_t *doc)
{
    free(doc->markdown);
    free(doc->html);
    memset(doc, 0, sizeof *doc);
}
