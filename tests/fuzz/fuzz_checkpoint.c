/*
 * fuzz_checkpoint.c: the signed-note and checkpoint parsers on arbitrary bytes — the text a hub
 * receives in every batch. Whatever parses must also verify (or not) without crashing, and a
 * checkpoint body that parses must format back to the same first three lines.
 */
#include <stdint.h>
#include <string.h>

#include "common/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    mm_note_t note;
    if (mm_note_parse(text, size, &note) == MM_OK) {
        mm_checkpoint_t cp;
        if (mm_checkpoint_parse_body(note.body, note.body_len, &cp) == MM_OK) {
            char body[512];
            size_t len;
            if (mm_checkpoint_body(&cp, body, sizeof body, &len) == MM_OK &&
                (len > note.body_len || memcmp(body, note.body, len) != 0))
                __builtin_trap(); /* parse and format disagree */
        }
        uint8_t pub[32] = {0};
        mm_note_verifier_t v;
        for (size_t i = 0; i < note.nsigs; i++) {
            if (mm_note_verifier_make(note.sigs[i].name, MM_NOTE_ALG_ED25519, pub, &v) == MM_OK)
                (void)mm_note_verify(&note, &v, NULL);
            if (mm_note_verifier_make(note.sigs[i].name, MM_NOTE_ALG_COSIG_V1, pub, &v) == MM_OK)
                (void)mm_note_verify(&note, &v, NULL);
        }
    }
    /* The same bytes as a verifier key (bounded, NUL-terminated copy). */
    char key[MM_VERIFIER_MAX + 2];
    size_t n = size < sizeof key - 1 ? size : sizeof key - 1;
    memcpy(key, data, n);
    key[n] = 0;
    mm_note_verifier_t v;
    if (mm_note_verifier_parse(key, &v) == MM_OK) {
        char back[MM_VERIFIER_MAX];
        if (mm_note_verifier_format(&v, back, sizeof back) != MM_OK || strcmp(back, key) != 0)
            __builtin_trap(); /* only canonical keys parse */
    }
    return 0;
}
