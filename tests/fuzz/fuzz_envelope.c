/*
 * fuzz_envelope.c: the envelope decoder on arbitrary bytes — everything a peer can send over
 * the link — and the entry decoder and JSON view on every entry of a batch that decodes.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "entry.h"
#include "wire.h"

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
    }
    mm_msg_free(m);
    return 0;
}
