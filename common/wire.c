/*
 * wire.c: envelopes between edges and the hub over protobuf-c (see wire.h).
 */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include "mimamori/v1/mimamori.pb-c.h"
#include "note.h"

struct mm_msg {
    Mimamori__V1__Envelope *env;
    mm_msg_kind_t kind;
    mm_batch_t batch;
    mm_bytes_t *entries;
    mm_ack_t ack;
};

mm_err_t mm_msg_decode(const void *buf, size_t len, mm_msg_t **out)
{
    if (len > MM_WIRE_MAX)
        return MM_ETOOBIG;
    Mimamori__V1__Envelope *env = mimamori__v1__envelope__unpack(NULL, len, buf);
    if (!env)
        return MM_EPROTO;
    mm_err_t err = MM_OK;
    mm_msg_t *m = calloc(1, sizeof *m);
    if (!m) {
        mimamori__v1__envelope__free_unpacked(env, NULL);
        return MM_ENOMEM;
    }
    m->env = env;
    if (env->version != MM_WIRE_VERSION) {
        err = MM_EPROTO;
    } else if (env->body_case == MIMAMORI__V1__ENVELOPE__BODY_BATCH && env->batch) {
        const Mimamori__V1__Batch *b = env->batch;
        size_t cplen = strlen(b->checkpoint);
        if (b->n_entries > MM_WIRE_BATCH_MAX || cplen == 0 || cplen > MM_NOTE_MAX) {
            err = MM_EPROTO;
        } else {
            m->kind = MM_MSG_BATCH;
            if (b->n_entries) {
                m->entries = calloc(b->n_entries, sizeof *m->entries);
                if (!m->entries)
                    err = MM_ENOMEM;
            }
            for (size_t i = 0; err == MM_OK && i < b->n_entries; i++) {
                m->entries[i].data = b->entries[i].data;
                m->entries[i].len = b->entries[i].len;
            }
            m->batch.first_index = b->first_index;
            m->batch.n_entries = b->n_entries;
            m->batch.entries = m->entries;
            m->batch.checkpoint = b->checkpoint;
            m->batch.checkpoint_len = cplen;
        }
    } else if (env->body_case == MIMAMORI__V1__ENVELOPE__BODY_ACK && env->ack) {
        const Mimamori__V1__Ack *a = env->ack;
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
            err = MM_EPROTO;
        }
        m->kind = MM_MSG_ACK;
        m->ack.size = a->size;
        m->ack.cosignature = a->cosignature ? a->cosignature : "";
        m->ack.reason = a->reason ? a->reason : "";
    } else {
        err = MM_EPROTO;
    }
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
    if (msg->env)
        mimamori__v1__envelope__free_unpacked(msg->env, NULL);
    free(msg->entries);
    free(msg);
}

mm_msg_kind_t mm_msg_kind(const mm_msg_t *msg)
{
    return msg->kind;
}

uint64_t mm_msg_seq(const mm_msg_t *msg)
{
    return msg->env->seq;
}

const mm_batch_t *mm_msg_batch(const mm_msg_t *msg)
{
    return msg->kind == MM_MSG_BATCH ? &msg->batch : NULL;
}

const mm_ack_t *mm_msg_ack(const mm_msg_t *msg)
{
    return msg->kind == MM_MSG_ACK ? &msg->ack : NULL;
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
    if (batch->n_entries > MM_WIRE_BATCH_MAX || !batch->checkpoint)
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
    a.cosignature = (char *)(ack->cosignature ? ack->cosignature : "");
    a.reason = (char *)(ack->reason ? ack->reason : "");
    Mimamori__V1__Envelope env = MIMAMORI__V1__ENVELOPE__INIT;
    env.version = MM_WIRE_VERSION;
    env.seq = seq;
    env.body_case = MIMAMORI__V1__ENVELOPE__BODY_ACK;
    env.ack = &a;
    return pack(&env, out, len);
}
