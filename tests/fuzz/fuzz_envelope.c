/*
 * fuzz_envelope.c: the envelope decoder on arbitrary bytes — everything a peer can send over
 * the link — and the entry decoder and JSON view on every entry of a batch that decodes; the
 * disclosure statement of every request that decodes; re-encoding of export chunks and acks,
 * of filings' documents and of their acks.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/entry.h"
#include "common/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mm_msg_t *m = NULL;
    if (mm_msg_decode(data, size, &m) != MM_OK)
        return 0;
    const mm_batch_t *b = mm_msg_batch(m);
    if (b) {
        for (size_t i = 0; i < b->n_entries; i++) {
            mm_entry_t e;
            int ok = mm_entry_decode(b->entries[i].data, b->entries[i].len, &e) == MM_OK;
            json_t *j = mm_entry_to_json(b->entries[i].data, b->entries[i].len);
            if (ok != (j != NULL))
                __builtin_trap(); /* the JSON view must agree with the decoder */
            json_decref(j);
        }
        /* Re-encoding what decoded must work (the edge's encoder on the hub's view). */
        uint8_t *buf;
        size_t len;
        if (mm_msg_encode_batch(mm_msg_seq(m), b, &buf, &len) == MM_OK)
            free(buf);
    }
    const mm_ack_t *a = mm_msg_ack(m);
    if (a) {
        uint8_t *buf;
        size_t len;
        if (mm_msg_encode_ack(mm_msg_seq(m), a, &buf, &len) == MM_OK)
            free(buf);
        /* The statement of every disclosure that decoded can be built (it always fits). */
        static char stmt[MM_STATEMENT_MAX];
        for (size_t i = 0; i < a->n_requests; i++)
            if (mm_disclosure_statement(&a->requests[i], "site", stmt, sizeof stmt, &len) != MM_OK)
                __builtin_trap();
    }
    const mm_export_chunk_t *c = mm_msg_export_chunk(m);
    if (c) {
        uint8_t *buf;
        size_t len;
        if (mm_msg_encode_export_chunk(mm_msg_seq(m), c, &buf, &len) != MM_OK)
            __builtin_trap(); /* what decoded must encode */
        free(buf);
    }
    const mm_export_ack_t *x = mm_msg_export_ack(m);
    if (x) {
        uint8_t *buf;
        size_t len;
        if (mm_msg_encode_export_ack(mm_msg_seq(m), x, &buf, &len) == MM_OK)
            free(buf);
    }
    const mm_filing_document_t *d = mm_msg_filing_document(m);
    if (d) {
        uint8_t *buf;
        size_t len;
        if (mm_msg_encode_filing_document(mm_msg_seq(m), d, &buf, &len) != MM_OK)
            __builtin_trap(); /* what decoded must encode */
        free(buf);
    }
    const mm_document_ack_t *da = mm_msg_document_ack(m);
    if (da) {
        uint8_t *buf;
        size_t len;
        if (mm_msg_encode_document_ack(mm_msg_seq(m), da, &buf, &len) != MM_OK)
            __builtin_trap(); /* what decoded must encode */
        free(buf);
    }
    mm_msg_free(m);
    return 0;
}
