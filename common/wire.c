/*
 * wire.c: envelopes between edges and the hub over protobuf-c (see wire.h).
 *
 * Decoding is three gates, cheapest first: the size (MM_WIRE_MAX), a walk over the wire bytes
 * that refuses malformed encodings, strings with NUL or invalid UTF-8 and too many entries
 * before anything is allocated (pbcheck.h), and then protobuf-c's unpack followed by the
 * protocol's own rules (version, body, bounds). What the views need is then copied into one
 * block that the mm_msg_t owns, and protobuf-c's many small allocations are freed at once.
 */
#include "common/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/entry.h"
#include "common/note.h"
#include "common/pbcheck.h"
#include "common/policy.h"
#include "common/utf8.h"
#include "mimamori/v1/mimamori.pb-c.h"

struct mm_msg {
    mm_msg_kind_t kind;
    uint64_t seq;
    mm_batch_t batch;
    mm_ack_t ack;
    void *block; /* entries array, entry bytes and strings, in one allocation */
    Mimamori__V1__Envelope *kept; /* an export chunk's: its data is read where it was unpacked */
    mm_city_request_t *requests;
    mm_export_chunk_t chunk;
    mm_export_ack_t export_ack;
    mm_filing_document_t document;
    mm_document_ack_t document_ack;
};

/* Copies a decoded string into a fixed buffer; -1 when it does not fit or is invalid. */
static int req_str(char *dst, size_t cap, const char *src, int nonempty)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap || (nonempty && n == 0) || (n && !mm_utf8_valid(src, n)))
        return -1;
    memcpy(dst, src ? src : "", n + 1);
    return 0;
}

/* The disclosure fields of a request, by its kind: what a disclosure must carry. */
static int req_disclosure_ok(const mm_city_request_t *r)
{
    if (r->kind == MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED)
        return r->disclosure[0] != 0;
    if (r->kind != MM_REQUEST_KIND_DISCLOSURE)
        return 1;
    if (r->legal_basis == MM_LEGAL_BASIS_NONE || !mm_legal_basis_name(r->legal_basis) ||
        !r->requester[0] || !r->recipient[0] || r->n_cameras == 0 ||
        r->n_cameras > MM_REQUEST_CAMERAS_MAX || !r->has_signature)
        return 0;
    for (size_t i = 0; i < r->n_cameras; i++)
        if (!r->cameras[i][0])
            return 0;
    return 1;
}

/* The city-rule fields of a request, by its kind: what a city_rule must carry (a known policy,
 * the rule's words, a retention of 1 to MM_RETENTION_DAYS_MAX days with a maximum that is none or
 * not below the minimum, the hub's signature). */
static int req_city_rule_ok(const mm_city_request_t *r)
{
    if (r->kind != MM_REQUEST_KIND_CITY_RULE)
        return 1;
    mm_policy_t p;
    return mm_city_rule_policy(r, &p) && r->text[0] && r->has_signature &&
           r->retention_days_min >= 1 && r->retention_days_min <= MM_RETENTION_DAYS_MAX &&
           r->retention_days_max <= MM_RETENTION_DAYS_MAX &&
           (!r->retention_days_max || r->retention_days_max >= r->retention_days_min);
}

int mm_city_rule_policy(const mm_city_request_t *r, mm_policy_t *out)
{
    static const char prefix[] = "policy/";
    mm_policy_t p;
    if (strncmp(r->subject, prefix, sizeof prefix - 1) != 0 ||
        !mm_policy_parse(r->subject + sizeof prefix - 1, &p) || !mm_policy_city_rule(p))
        return 0;
    *out = p;
    return 1;
}

/* Appends "key value\n" to out, escaping the value (\\, \n, \xNN for other controls). */
static int stmt_line(char *out, size_t cap, size_t *at, const char *key, const char *v)
{
    int n = snprintf(out + *at, cap - *at, "%s ", key);
    if (n < 0 || (size_t)n >= cap - *at)
        return -1;
    *at += (size_t)n;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        char esc[5];
        if (*p == '\\')
            snprintf(esc, sizeof esc, "\\\\");
        else if (*p == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (*p < 0x20 || *p == 0x7f)
            snprintf(esc, sizeof esc, "\\x%02x", *p);
        else
            esc[0] = (char)*p, esc[1] = 0;
        size_t el = strlen(esc);
        if (*at + el + 2 > cap)
            return -1;
        memcpy(out + *at, esc, el);
        *at += el;
    }
    if (*at + 2 > cap)
        return -1;
    out[(*at)++] = '\n';
    out[*at] = 0;
    return 0;
}

mm_err_t mm_disclosure_statement(const mm_city_request_t *r, const char *site, char *out,
                                 size_t cap, size_t *len)
{
    char cams[MM_REQUEST_CAMERAS_MAX * 64 + 1] = "";
    size_t cl = 0;
    for (size_t i = 0; i < r->n_cameras && i < MM_REQUEST_CAMERAS_MAX; i++) {
        size_t n = strnlen(r->cameras[i], sizeof r->cameras[i] - 1);
        if (i)
            cams[cl++] = ',';
        memcpy(cams + cl, r->cameras[i], n);
        cl += n;
        cams[cl] = 0;
    }
    char num[4][24];
    snprintf(num[0], sizeof num[0], "%lld", (long long)r->from_us);
    snprintf(num[1], sizeof num[1], "%lld", (long long)r->to_us);
    snprintf(num[2], sizeof num[2], "%lld", (long long)r->time_us);
    snprintf(num[3], sizeof num[3], "%lld", (long long)r->deadline_us);
    const char *basis = mm_legal_basis_name(r->legal_basis);
    size_t at = 0;
    if (cap < 32 || !basis)
        return MM_ERANGE;
    at = (size_t)snprintf(out, cap, "mimamori-disclosure/1\n");
    if (stmt_line(out, cap, &at, "id", r->id) || stmt_line(out, cap, &at, "site", site) ||
        stmt_line(out, cap, &at, "legal_basis", basis) ||
        stmt_line(out, cap, &at, "reference", r->reference) ||
        stmt_line(out, cap, &at, "requester", r->requester) ||
        stmt_line(out, cap, &at, "recipient", r->recipient) ||
        stmt_line(out, cap, &at, "cameras", cams) || stmt_line(out, cap, &at, "from_us", num[0]) ||
        stmt_line(out, cap, &at, "to_us", num[1]) || stmt_line(out, cap, &at, "time_us", num[2]) ||
        stmt_line(out, cap, &at, "deadline_us", num[3]) ||
        stmt_line(out, cap, &at, "reason", r->text))
        return MM_ERANGE;
    *len = at;
    return MM_OK;
}

mm_err_t mm_city_rule_statement(const mm_city_request_t *r, const char *site, char *out, size_t cap,
                                size_t *len)
{
    mm_policy_t p;
    if (cap < 32 || !mm_city_rule_policy(r, &p))
        return MM_ERANGE;
    char num[3][24];
    snprintf(num[0], sizeof num[0], "%u", (unsigned)r->retention_days_min);
    snprintf(num[1], sizeof num[1], "%u", (unsigned)r->retention_days_max);
    snprintf(num[2], sizeof num[2], "%lld", (long long)r->time_us);
    size_t at = (size_t)snprintf(out, cap, "mimamori-city-rule/1\n");
    if (stmt_line(out, cap, &at, "id", r->id) || stmt_line(out, cap, &at, "site", site) ||
        stmt_line(out, cap, &at, "policy", mm_policy_name(p)) ||
        stmt_line(out, cap, &at, "retention_days_min", num[0]) ||
        stmt_line(out, cap, &at, "retention_days_max", num[1]) ||
        stmt_line(out, cap, &at, "rule", r->text) || stmt_line(out, cap, &at, "time_us", num[2]))
        return MM_ERANGE;
    *len = at;
    return MM_OK;
}

/* Bump allocator over the message's block; sizes are computed before it is created. */
typedef struct {
    uint8_t *p;
} bump_t;

static void *bump(bump_t *b, const void *src, size_t len)
{
    void *at = b->p;
    if (len)
        memcpy(at, src, len);
    b->p += len;
    return at;
}

static mm_err_t take_batch(mm_msg_t *m, const Mimamori__V1__Batch *b)
{
    size_t cplen = strlen(b->checkpoint);
    if (b->n_entries > MM_WIRE_BATCH_MAX || cplen == 0 || cplen > MM_NOTE_MAX)
        return MM_EPROTO;
    size_t total = b->n_entries * sizeof(mm_bytes_t) + cplen + 1;
    for (size_t i = 0; i < b->n_entries; i++)
        total += b->entries[i].len; /* bounded by MM_WIRE_MAX: no overflow */
    m->block = malloc(total);
    if (!m->block)
        return MM_ENOMEM;
    bump_t bp = {m->block};
    mm_bytes_t *entries = (mm_bytes_t *)bp.p; /* first, so it is aligned */
    bp.p += b->n_entries * sizeof(mm_bytes_t);
    for (size_t i = 0; i < b->n_entries; i++) {
        entries[i].len = b->entries[i].len;
        entries[i].data = bump(&bp, b->entries[i].data, b->entries[i].len);
    }
    m->batch.first_index = b->first_index;
    m->batch.n_entries = b->n_entries;
    m->batch.entries = entries;
    m->batch.checkpoint = bump(&bp, b->checkpoint, cplen + 1);
    m->batch.checkpoint_len = cplen;
    m->kind = MM_MSG_BATCH;
    return MM_OK;
}

static mm_err_t take_ack(mm_msg_t *m, const Mimamori__V1__Ack *a)
{
    switch (a->status) {
    case MIMAMORI__V1__ACK_STATUS__ACK_STATUS_OK:
        m->ack.status = MM_ACK_OK;
        break;
    case MIMAMORI__V1__ACK_STATUS__ACK_STATUS_WRONG_SIZE:
        m->ack.status = MM_ACK_WRONG_SIZE;
        break;
    case MIMAMORI__V1__ACK_STATUS__ACK_STATUS_REFUSED:
        m->ack.status = MM_ACK_REFUSED;
        break;
    default:
        return MM_EPROTO;
    }
    const char *cos = a->cosignature ? a->cosignature : "";
    const char *why = a->reason ? a->reason : "";
    size_t clen = strlen(cos), rlen = strlen(why);
    if (clen > MM_NOTE_MAX || rlen > MM_NOTE_MAX)
        return MM_EPROTO;
    m->block = malloc(clen + 1 + rlen + 1);
    if (!m->block)
        return MM_ENOMEM;
    bump_t bp = {m->block};
    m->ack.size = a->size;
    m->ack.features = a->features;
    m->ack.cosignature = bump(&bp, cos, clen + 1);
    m->ack.reason = bump(&bp, why, rlen + 1);
    if (a->n_requests > MM_WIRE_REQUESTS_MAX)
        return MM_EPROTO;
    if (a->n_requests) {
        m->requests = calloc(a->n_requests, sizeof *m->requests);
        if (!m->requests)
            return MM_ENOMEM;
        for (size_t i = 0; i < a->n_requests; i++) {
            const Mimamori__V1__CityRequest *q = a->requests[i];
            mm_city_request_t *r = &m->requests[i];
            if (!q || req_str(r->id, sizeof r->id, q->id, 1) ||
                !mm_request_kind_parse(q->kind, &r->kind) ||
                req_str(r->camera, sizeof r->camera, q->camera, 0) ||
                req_str(r->text, sizeof r->text, q->text, 0) ||
                req_str(r->complaint, sizeof r->complaint, q->complaint, 0) ||
                !mm_legal_basis_parse(q->legal_basis ? q->legal_basis : "", &r->legal_basis) ||
                req_str(r->reference, sizeof r->reference, q->reference, 0) ||
                req_str(r->requester, sizeof r->requester, q->requester, 0) ||
                req_str(r->recipient, sizeof r->recipient, q->recipient, 0) ||
                req_str(r->disclosure, sizeof r->disclosure, q->disclosure, 0) ||
                req_str(r->subject, sizeof r->subject, q->subject, 0) ||
                req_str(r->detail, sizeof r->detail, q->detail, 0) ||
                q->n_cameras > MM_REQUEST_CAMERAS_MAX ||
                (q->signature.len != 0 && q->signature.len != 64))
                return MM_EPROTO;
            r->n_cameras = q->n_cameras;
            for (size_t c = 0; c < q->n_cameras; c++)
                if (req_str(r->cameras[c], sizeof r->cameras[c], q->cameras[c], 1))
                    return MM_EPROTO;
            r->has_signature = q->signature.len == 64;
            if (r->has_signature)
                memcpy(r->signature, q->signature.data, 64);
            r->retention_days_min = q->retention_days_min;
            r->retention_days_max = q->retention_days_max;
            if (!req_disclosure_ok(r) || !req_city_rule_ok(r))
                return MM_EPROTO;
            r->time_us = q->time_us;
            r->deadline_us = q->deadline_us;
            r->from_us = q->from_us;
            r->to_us = q->to_us;
        }
        m->ack.requests = m->requests;
        m->ack.n_requests = a->n_requests;
    }
    m->kind = MM_MSG_ACK;
    return MM_OK;
}

static mm_err_t take_export_chunk(mm_msg_t *m, const Mimamori__V1__ExportChunk *c)
{
    mm_export_chunk_t *x = &m->chunk;
    if (req_str(x->request, sizeof x->request, c->request, 1) ||
        c->data.len > MM_EXPORT_CHUNK_MAX || (c->build.len != 0 && c->build.len != 32))
        return MM_EPROTO;
    if (c->building) {
        /* Size and hash unknown yet; the offset only bounded so that offset + len cannot wrap. */
        if (c->build.len != 32 || c->total != 0 || c->sha256.len != 0 ||
            c->offset > MM_EXPORT_OFFSET_MAX)
            return MM_EPROTO;
    } else if (c->sha256.len != 32 || c->offset > c->total || c->data.len > c->total - c->offset) {
        return MM_EPROTO;
    }
    /* Up to 512 KiB: not copied once more; the envelope is kept until the message is freed. */
    static const uint8_t none[1];
    x->data = c->data.len ? c->data.data : none;
    x->len = c->data.len;
    x->offset = c->offset;
    x->total = c->total;
    if (c->sha256.len == 32)
        memcpy(x->sha256, c->sha256.data, 32);
    x->window = c->window;
    x->has_build = c->build.len == 32;
    if (x->has_build)
        memcpy(x->build, c->build.data, 32);
    x->building = c->building;
    m->kind = MM_MSG_EXPORT_CHUNK;
    return MM_OK;
}

static mm_err_t take_export_ack(mm_msg_t *m, const Mimamori__V1__ExportAck *a)
{
    mm_export_ack_t *x = &m->export_ack;
    if (req_str(x->request, sizeof x->request, a->request, 1) ||
        req_str(x->reason, sizeof x->reason, a->reason, 0))
        return MM_EPROTO;
    switch (a->status) {
    case MIMAMORI__V1__EXPORT_STATUS__EXPORT_STATUS_CONTINUE:
        x->status = MM_EXPORT_CONTINUE;
        break;
    case MIMAMORI__V1__EXPORT_STATUS__EXPORT_STATUS_COMPLETE:
        x->status = MM_EXPORT_COMPLETE;
        break;
    case MIMAMORI__V1__EXPORT_STATUS__EXPORT_STATUS_WAIT:
        x->status = MM_EXPORT_WAIT;
        break;
    case MIMAMORI__V1__EXPORT_STATUS__EXPORT_STATUS_REFUSED:
        x->status = MM_EXPORT_REFUSED;
        break;
    default:
        return MM_EPROTO;
    }
    if (a->received && a->received < a->have)
        return MM_EPROTO; /* what is written holds what is synced */
    x->have = a->have;
    x->received = a->received;
    m->kind = MM_MSG_EXPORT_ACK;
    return MM_OK;
}

static mm_err_t take_filing_document(mm_msg_t *m, const Mimamori__V1__FilingDocument *d)
{
    if (d->version == 0 || d->markdown.len == 0 || d->markdown.len > MM_DOCUMENT_MAX ||
        d->html.len > MM_DOCUMENT_MAX)
        return MM_EPROTO;
    m->block = malloc(d->markdown.len + d->html.len);
    if (!m->block)
        return MM_ENOMEM;
    bump_t bp = {m->block};
    mm_filing_document_t *x = &m->document;
    x->version = d->version;
    x->markdown = bump(&bp, d->markdown.data, d->markdown.len);
    x->markdown_len = d->markdown.len;
    x->html = d->html.len ? bump(&bp, d->html.data, d->html.len) : NULL;
    x->html_len = d->html.len;
    m->kind = MM_MSG_FILING_DOCUMENT;
    return MM_OK;
}

static mm_err_t take_document_ack(mm_msg_t *m, const Mimamori__V1__DocumentAck *a)
{
    mm_document_ack_t *x = &m->document_ack;
    if (req_str(x->reason, sizeof x->reason, a->reason, 0))
        return MM_EPROTO;
    switch (a->status) {
    case MIMAMORI__V1__DOCUMENT_STATUS__DOCUMENT_STATUS_OK:
        x->status = MM_DOCUMENT_OK;
        break;
    case MIMAMORI__V1__DOCUMENT_STATUS__DOCUMENT_STATUS_NOT_YET:
        x->status = MM_DOCUMENT_NOT_YET;
        break;
    case MIMAMORI__V1__DOCUMENT_STATUS__DOCUMENT_STATUS_REFUSED:
        x->status = MM_DOCUMENT_REFUSED;
        break;
    default:
        return MM_EPROTO;
    }
    x->version = a->version;
    m->kind = MM_MSG_DOCUMENT_ACK;
    return MM_OK;
}

mm_err_t mm_msg_decode(const void *buf, size_t len, mm_msg_t **out)
{
    if (len > MM_WIRE_MAX)
        return MM_ETOOBIG;
    if (mm_pb_check(&mimamori__v1__envelope__descriptor, buf, len, MM_WIRE_BATCH_MAX) != MM_OK)
        return MM_EPROTO;
    Mimamori__V1__Envelope *env = mimamori__v1__envelope__unpack(NULL, len, buf);
    if (!env)
        return MM_EPROTO;
    mm_err_t err = MM_EPROTO;
    mm_msg_t *m = calloc(1, sizeof *m);
    if (!m) {
        err = MM_ENOMEM;
        goto out;
    }
    m->seq = env->seq;
    if (env->version != MM_WIRE_VERSION)
        err = MM_EPROTO;
    else if (env->body_case == MIMAMORI__V1__ENVELOPE__BODY_BATCH && env->batch)
        err = take_batch(m, env->batch);
    else if (env->body_case == MIMAMORI__V1__ENVELOPE__BODY_ACK && env->ack)
        err = take_ack(m, env->ack);
    else if (env->body_case == MIMAMORI__V1__ENVELOPE__BODY_EXPORT_CHUNK && env->export_chunk)
        err = take_export_chunk(m, env->export_chunk);
    else if (env->body_case == MIMAMORI__V1__ENVELOPE__BODY_EXPORT_ACK && env->export_ack)
        err = take_export_ack(m, env->export_ack);
    else if (env->body_case == MIMAMORI__V1__ENVELOPE__BODY_FILING_DOCUMENT && env->filing_document)
        err = take_filing_document(m, env->filing_document);
    else if (env->body_case == MIMAMORI__V1__ENVELOPE__BODY_DOCUMENT_ACK && env->document_ack)
        err = take_document_ack(m, env->document_ack);
    else
        err = MM_EPROTO;
    if (err == MM_OK && m->kind == MM_MSG_EXPORT_CHUNK) {
        m->kept = env; /* the chunk's data points into it */
        env = NULL;
    }
out:
    if (env)
        mimamori__v1__envelope__free_unpacked(env, NULL);
    if (err != MM_OK) {
        mm_msg_free(m);
        return err;
    }
    *out = m;
    return MM_OK;
}

void mm_msg_free(mm_msg_t *msg)
{
    if (!msg)
        return;
    free(msg->block);
    free(msg->requests);
    if (msg->kept)
        mimamori__v1__envelope__free_unpacked(msg->kept, NULL);
    free(msg);
}

mm_msg_kind_t mm_msg_kind(const mm_msg_t *msg)
{
    return msg->kind;
}

uint64_t mm_msg_seq(const mm_msg_t *msg)
{
    return msg->seq;
}

const mm_batch_t *mm_msg_batch(const mm_msg_t *msg)
{
    return msg->kind == MM_MSG_BATCH ? &msg->batch : NULL;
}

const mm_ack_t *mm_msg_ack(const mm_msg_t *msg)
{
    return msg->kind == MM_MSG_ACK ? &msg->ack : NULL;
}

const mm_export_chunk_t *mm_msg_export_chunk(const mm_msg_t *msg)
{
    return msg->kind == MM_MSG_EXPORT_CHUNK ? &msg->chunk : NULL;
}

const mm_export_ack_t *mm_msg_export_ack(const mm_msg_t *msg)
{
    return msg->kind == MM_MSG_EXPORT_ACK ? &msg->export_ack : NULL;
}

const mm_filing_document_t *mm_msg_filing_document(const mm_msg_t *msg)
{
    return msg->kind == MM_MSG_FILING_DOCUMENT ? &msg->document : NULL;
}

const mm_document_ack_t *mm_msg_document_ack(const mm_msg_t *msg)
{
    return msg->kind == MM_MSG_DOCUMENT_ACK ? &msg->document_ack : NULL;
}

static mm_err_t pack(const Mimamori__V1__Envelope *env, uint8_t **out, size_t *len)
{
    size_t n = mimamori__v1__envelope__get_packed_size(env);
    if (n > MM_WIRE_MAX)
        return MM_ETOOBIG;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return MM_ENOMEM;
    mimamori__v1__envelope__pack(env, buf);
    *out = buf;
    *len = n;
    return MM_OK;
}

mm_err_t mm_msg_encode_batch(uint64_t seq, const mm_batch_t *batch, uint8_t **out, size_t *len)
{
    if (batch->n_entries > MM_WIRE_BATCH_MAX || !batch->checkpoint || batch->checkpoint_len == 0 ||
        batch->checkpoint_len > MM_NOTE_MAX ||
        strnlen(batch->checkpoint, batch->checkpoint_len + 1) != batch->checkpoint_len ||
        !mm_utf8_valid(batch->checkpoint, batch->checkpoint_len))
        return MM_EINVAL;
    ProtobufCBinaryData *entries = NULL;
    if (batch->n_entries) {
        entries = calloc(batch->n_entries, sizeof *entries);
        if (!entries)
            return MM_ENOMEM;
    }
    for (size_t i = 0; i < batch->n_entries; i++) {
        entries[i].data = (uint8_t *)batch->entries[i].data;
        entries[i].len = batch->entries[i].len;
    }
    Mimamori__V1__Batch b = MIMAMORI__V1__BATCH__INIT;
    b.first_index = batch->first_index;
    b.n_entries = batch->n_entries;
    b.entries = entries;
    b.checkpoint = (char *)batch->checkpoint;
    Mimamori__V1__Envelope env = MIMAMORI__V1__ENVELOPE__INIT;
    env.version = MM_WIRE_VERSION;
    env.seq = seq;
    env.body_case = MIMAMORI__V1__ENVELOPE__BODY_BATCH;
    env.batch = &b;
    mm_err_t err = pack(&env, out, len);
    free(entries);
    return err;
}

mm_err_t mm_msg_encode_ack(uint64_t seq, const mm_ack_t *ack, uint8_t **out, size_t *len)
{
    Mimamori__V1__Ack a = MIMAMORI__V1__ACK__INIT;
    switch (ack->status) {
    case MM_ACK_OK:
        a.status = MIMAMORI__V1__ACK_STATUS__ACK_STATUS_OK;
        break;
    case MM_ACK_WRONG_SIZE:
        a.status = MIMAMORI__V1__ACK_STATUS__ACK_STATUS_WRONG_SIZE;
        break;
    case MM_ACK_REFUSED:
        a.status = MIMAMORI__V1__ACK_STATUS__ACK_STATUS_REFUSED;
        break;
    default:
        return MM_EINVAL;
    }
    a.size = ack->size;
    a.features = ack->features;
    a.cosignature = (char *)(ack->cosignature ? ack->cosignature : "");
    size_t clen = strnlen(a.cosignature, MM_NOTE_MAX + 1);
    if (clen > MM_NOTE_MAX || !mm_utf8_valid(a.cosignature, clen))
        return MM_EINVAL;
    /*
     * The reason is prose, often formatted into a fixed buffer that may have cut a character
     * in half: send its longest valid prefix rather than an ack the edge must refuse.
     */
    char reason[MM_NOTE_MAX + 1];
    const char *r = ack->reason ? ack->reason : "";
    const char *rend = r + strnlen(r, MM_NOTE_MAX);
    size_t rlen = 0;
    uint32_t cp;
    for (size_t k; (k = mm_utf8_next(r + rlen, rend, &cp)) != 0;)
        rlen += k;
    memcpy(reason, r, rlen);
    reason[rlen] = 0;
    a.reason = reason;
    Mimamori__V1__CityRequest reqs[MM_WIRE_REQUESTS_MAX];
    Mimamori__V1__CityRequest *reqp[MM_WIRE_REQUESTS_MAX];
    char *cams[MM_WIRE_REQUESTS_MAX][MM_REQUEST_CAMERAS_MAX];
    if (ack->n_requests > MM_WIRE_REQUESTS_MAX)
        return MM_EINVAL;
    for (size_t i = 0; i < ack->n_requests; i++) {
        const mm_city_request_t *q = &ack->requests[i];
        if (!q->id[0] || !mm_request_kind_name(q->kind) || !mm_legal_basis_name(q->legal_basis) ||
            !mm_utf8_field_ok(q->text, sizeof q->text, 0) ||
            !mm_utf8_field_ok(q->camera, sizeof q->camera, 0) ||
            !mm_utf8_field_ok(q->complaint, sizeof q->complaint, 0) ||
            !mm_utf8_field_ok(q->reference, sizeof q->reference, 0) ||
            !mm_utf8_field_ok(q->requester, sizeof q->requester, 0) ||
            !mm_utf8_field_ok(q->recipient, sizeof q->recipient, 0) ||
            !mm_utf8_field_ok(q->subject, sizeof q->subject, 0) ||
            !mm_utf8_field_ok(q->detail, sizeof q->detail, 0) || !req_disclosure_ok(q) ||
            !req_city_rule_ok(q))
            return MM_EINVAL;
        mimamori__v1__city_request__init(&reqs[i]);
        reqs[i].id = (char *)q->id;
        reqs[i].kind = (char *)mm_request_kind_name(q->kind);
        reqs[i].time_us = q->time_us;
        reqs[i].deadline_us = q->deadline_us;
        reqs[i].camera = (char *)q->camera;
        reqs[i].text = (char *)q->text;
        reqs[i].from_us = q->from_us;
        reqs[i].to_us = q->to_us;
        reqs[i].complaint = (char *)q->complaint;
        reqs[i].legal_basis = (char *)mm_legal_basis_name(q->legal_basis);
        reqs[i].reference = (char *)q->reference;
        reqs[i].requester = (char *)q->requester;
        reqs[i].recipient = (char *)q->recipient;
        reqs[i].disclosure = (char *)q->disclosure;
        reqs[i].subject = (char *)q->subject;
        reqs[i].detail = (char *)q->detail;
        reqs[i].retention_days_min = q->retention_days_min;
        reqs[i].retention_days_max = q->retention_days_max;
        reqs[i].n_cameras = q->n_cameras;
        for (size_t c = 0; c < q->n_cameras; c++)
            cams[i][c] = (char *)q->cameras[c];
        reqs[i].cameras = q->n_cameras ? cams[i] : NULL;
        if (q->has_signature) {
            reqs[i].signature.data = (uint8_t *)q->signature;
            reqs[i].signature.len = 64;
        }
        reqp[i] = &reqs[i];
    }
    a.n_requests = ack->n_requests;
    a.requests = ack->n_requests ? reqp : NULL;
    Mimamori__V1__Envelope env = MIMAMORI__V1__ENVELOPE__INIT;
    env.version = MM_WIRE_VERSION;
    env.seq = seq;
    env.body_case = MIMAMORI__V1__ENVELOPE__BODY_ACK;
    env.ack = &a;
    return pack(&env, out, len);
}

mm_err_t mm_msg_encode_export_chunk(uint64_t seq, const mm_export_chunk_t *c, uint8_t **out,
                                    size_t *len)
{
    if (!c->request[0] || strnlen(c->request, sizeof c->request) == sizeof c->request ||
        c->len > MM_EXPORT_CHUNK_MAX ||
        (c->building ? !c->has_build || c->total != 0 || c->offset > MM_EXPORT_OFFSET_MAX
                     : c->offset > c->total || c->len > c->total - c->offset))
        return MM_EINVAL;
    Mimamori__V1__ExportChunk x = MIMAMORI__V1__EXPORT_CHUNK__INIT;
    x.request = (char *)c->request;
    x.offset = c->offset;
    x.data.data = (uint8_t *)c->data;
    x.data.len = c->len;
    x.total = c->total;
    if (!c->building) {
        x.sha256.data = (uint8_t *)c->sha256;
        x.sha256.len = 32;
    }
    x.window = c->window;
    if (c->has_build) {
        x.build.data = (uint8_t *)c->build;
        x.build.len = 32;
    }
    x.building = c->building;
    Mimamori__V1__Envelope env = MIMAMORI__V1__ENVELOPE__INIT;
    env.version = MM_WIRE_VERSION;
    env.seq = seq;
    env.body_case = MIMAMORI__V1__ENVELOPE__BODY_EXPORT_CHUNK;
    env.export_chunk = &x;
    return pack(&env, out, len);
}

mm_err_t mm_msg_encode_export_ack(uint64_t seq, const mm_export_ack_t *a, uint8_t **out,
                                  size_t *len)
{
    size_t rl = strnlen(a->reason, sizeof a->reason);
    if (!a->request[0] || strnlen(a->request, sizeof a->request) == sizeof a->request ||
        rl == sizeof a->reason || !mm_utf8_valid(a->reason, rl) ||
        (a->received && a->received < a->have))
        return MM_EINVAL;
    Mimamori__V1__ExportAck x = MIMAMORI__V1__EXPORT_ACK__INIT;
    x.request = (char *)a->request;
    switch (a->status) {
    case MM_EXPORT_CONTINUE:
        x.status = MIMAMORI__V1__EXPORT_STATUS__EXPORT_STATUS_CONTINUE;
        break;
    case MM_EXPORT_COMPLETE:
        x.status = MIMAMORI__V1__EXPORT_STATUS__EXPORT_STATUS_COMPLETE;
        break;
    case MM_EXPORT_WAIT:
        x.status = MIMAMORI__V1__EXPORT_STATUS__EXPORT_STATUS_WAIT;
        break;
    case MM_EXPORT_REFUSED:
        x.status = MIMAMORI__V1__EXPORT_STATUS__EXPORT_STATUS_REFUSED;
        break;
    default:
        return MM_EINVAL;
    }
    x.have = a->have;
    x.reason = (char *)a->reason;
    x.received = a->received;
    Mimamori__V1__Envelope env = MIMAMORI__V1__ENVELOPE__INIT;
    env.version = MM_WIRE_VERSION;
    env.seq = seq;
    env.body_case = MIMAMORI__V1__ENVELOPE__BODY_EXPORT_ACK;
    env.export_ack = &x;
    return pack(&env, out, len);
}

mm_err_t mm_msg_encode_filing_document(uint64_t seq, const mm_filing_document_t *d, uint8_t **out,
                                       size_t *len)
{
    if (d->version == 0 || !d->markdown || d->markdown_len == 0 ||
        d->markdown_len > MM_DOCUMENT_MAX || d->html_len > MM_DOCUMENT_MAX ||
        (d->html_len && !d->html))
        return MM_EINVAL;
    Mimamori__V1__FilingDocument x = MIMAMORI__V1__FILING_DOCUMENT__INIT;
    x.version = d->version;
    x.markdown.data = (uint8_t *)d->markdown;
    x.markdown.len = d->markdown_len;
    x.html.data = (uint8_t *)d->html;
    x.html.len = d->html_len;
    Mimamori__V1__Envelope env = MIMAMORI__V1__ENVELOPE__INIT;
    env.version = MM_WIRE_VERSION;
    env.seq = seq;
    env.body_case = MIMAMORI__V1__ENVELOPE__BODY_FILING_DOCUMENT;
    env.filing_document = &x;
    return pack(&env, out, len);
}

mm_err_t mm_msg_encode_document_ack(uint64_t seq, const mm_document_ack_t *a, uint8_t **out,
                                    size_t *len)
{
    size_t rl = strnlen(a->reason, sizeof a->reason);
    if (rl == sizeof a->reason)
        return MM_EINVAL;
    /* As an ack's reason: the longest valid UTF-8 prefix of prose that may have been cut. */
    char reason[sizeof a->reason];
    size_t keep = 0;
    uint32_t cp;
    for (size_t k; (k = mm_utf8_next(a->reason + keep, a->reason + rl, &cp)) != 0 && cp;)
        keep += k;
    memcpy(reason, a->reason, keep);
    reason[keep] = 0;
    Mimamori__V1__DocumentAck x = MIMAMORI__V1__DOCUMENT_ACK__INIT;
    switch (a->status) {
    case MM_DOCUMENT_OK:
        x.status = MIMAMORI__V1__DOCUMENT_STATUS__DOCUMENT_STATUS_OK;
        break;
    case MM_DOCUMENT_NOT_YET:
        x.status = MIMAMORI__V1__DOCUMENT_STATUS__DOCUMENT_STATUS_NOT_YET;
        break;
    case MM_DOCUMENT_REFUSED:
        x.status = MIMAMORI__V1__DOCUMENT_STATUS__DOCUMENT_STATUS_REFUSED;
        break;
    default:
        return MM_EINVAL;
    }
    x.version = a->version;
    x.reason = reason;
    Mimamori__V1__Envelope env = MIMAMORI__V1__ENVELOPE__INIT;
    env.version = MM_WIRE_VERSION;
    env.seq = seq;
    env.body_case = MIMAMORI__V1__ENVELOPE__BODY_DOCUMENT_ACK;
    env.document_ack = &x;
    return pack(&env, out, len);
}
