/*
 * test_note.c: C2SP signed notes, checkpoints and cosignatures — the published signed-note
 * example (the PeterNeumann key of the C2SP / Go sumdb note documentation), round trips, and
 * malformed notes refused with the right error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "note.h"

/* The example from the signed-note specification. */
static const char *const PN_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char *const PN_SEED_B64 = "gQoUAtUUbI2E8kQzMPVAgOv5juF9nHT2JS/F1ccoMXM=";
static const char *const PN_NOTE =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

static void spec_example(void **state)
{
    (void)state;
    mm_note_verifier_t v;
    assert_int_equal(mm_note_verifier_parse(PN_VERIFIER, &v), MM_OK);
    assert_string_equal(v.name, "PeterNeumann");
    assert_int_equal(v.alg, MM_NOTE_ALG_ED25519);
    char back[MM_VERIFIER_MAX];
    assert_int_equal(mm_note_verifier_format(&v, back, sizeof back), MM_OK);
    assert_string_equal(back, PN_VERIFIER);

    mm_note_t note;
    assert_int_equal(mm_note_parse(PN_NOTE, strlen(PN_NOTE), &note), MM_OK);
    assert_int_equal(note.nsigs, 1);
    assert_int_equal(note.body_len, strlen(PN_NOTE) - strlen(strstr(PN_NOTE, "\n\n")) + 1);
    assert_int_equal(mm_note_verify(&note, &v, NULL), MM_OK);

    /* Ed25519 is deterministic: signing the same text with the same seed gives the same line. */
    uint8_t seed[32];
    assert_int_equal(mm_base64_decode(PN_SEED_B64, strlen(PN_SEED_B64), seed, sizeof seed), 32);
    mm_ed25519_t key;
    assert_int_equal(mm_ed25519_from_seed(seed, &key), MM_OK);
    assert_memory_equal(key.pub, v.pub, 32);
    char line[MM_NOTE_LINE_MAX];
    assert_int_equal(mm_note_sign(note.body, note.body_len, "PeterNeumann", &key, line,
                                  sizeof line),
                     MM_OK);
    assert_string_equal(line, strstr(PN_NOTE, "\n\n") + 2);
}

static void make_key(const char *name, mm_ed25519_t *key, mm_note_verifier_t *v,
                     mm_note_alg_t alg)
{
    assert_int_equal(mm_ed25519_generate(key), MM_OK);
    assert_int_equal(mm_note_verifier_make(name, alg, key->pub, v), MM_OK);
}

static void checkpoint_round_trip(void **state)
{
    (void)state;
    mm_ed25519_t key;
    mm_note_verifier_t v;
    make_key("site-a", &key, &v, MM_NOTE_ALG_ED25519);
    mm_checkpoint_t cp = {.origin = "mimamori/site/site-a", .size = 12345};
    for (int i = 0; i < 32; i++)
        cp.root.b[i] = (uint8_t)(i * 7);
    char text[MM_NOTE_MAX];
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, "site-a", &key, text, sizeof text, &len), MM_OK);
    assert_int_equal(strlen(text), len);
    /* The body is exactly origin, size, base64 root. */
    assert_memory_equal(text, "mimamori/site/site-a\n12345\nAAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tk=\n\n",
                        strlen("mimamori/site/site-a\n12345\nAAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tk=\n\n"));
    mm_checkpoint_t back;
    assert_int_equal(mm_checkpoint_open(text, len, &v, &back), MM_OK);
    assert_string_equal(back.origin, cp.origin);
    assert_int_equal(back.size, cp.size);
    assert_memory_equal(back.root.b, cp.root.b, 32);

    /* Another key of the same name: not found; a changed byte: does not verify. */
    mm_ed25519_t other;
    mm_note_verifier_t ov;
    make_key("site-a", &other, &ov, MM_NOTE_ALG_ED25519);
    assert_int_equal(mm_checkpoint_open(text, len, &ov, &back), MM_ENOTFOUND);
    char bad[MM_NOTE_MAX];
    memcpy(bad, text, len + 1);
    bad[strlen("mimamori/site/site-a\n1234")] = '6'; /* 12346 */
    assert_int_equal(mm_checkpoint_open(bad, len, &v, &back), MM_EVERIFY);
}

static void cosignature_round_trip(void **state)
{
    (void)state;
    mm_ed25519_t site, hub;
    mm_note_verifier_t sv, hv, hv_plain;
    make_key("site-a", &site, &sv, MM_NOTE_ALG_ED25519);
    make_key("hub", &hub, &hv, MM_NOTE_ALG_COSIG_V1);
    assert_int_equal(mm_note_verifier_make("hub", MM_NOTE_ALG_ED25519, hub.pub, &hv_plain), MM_OK);
    assert_memory_not_equal(hv.id, hv_plain.id, 4); /* the algorithm is part of the key id */

    mm_checkpoint_t cp = {.origin = "mimamori/site/site-a", .size = 3};
    char text[MM_NOTE_MAX];
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, "site-a", &site, text, sizeof text, &len), MM_OK);
    mm_note_t note;
    assert_int_equal(mm_note_parse(text, len, &note), MM_OK);
    char line[MM_NOTE_LINE_MAX];
    assert_int_equal(mm_cosig_sign(note.body, note.body_len, "hub", &hub, 1795486419, line,
                                   sizeof line),
                     MM_OK);
    strcat(text, line);
    len = strlen(text);
    assert_int_equal(mm_note_parse(text, len, &note), MM_OK);
    assert_int_equal(note.nsigs, 2);
    uint64_t ts = 0;
    assert_int_equal(mm_note_verify(&note, &hv, &ts), MM_OK);
    assert_int_equal(ts, 1795486419);
    assert_int_equal(mm_note_verify(&note, &sv, NULL), MM_OK);
    /* The hub's plain Ed25519 verifier has another key id: it finds no line. */
    assert_int_equal(mm_note_verify(&note, &hv_plain, NULL), MM_ENOTFOUND);

    /* Changing the timestamp inside the cosignature breaks it. */
    mm_note_sig_t *cs = &note.sigs[1];
    cs->sig[7] ^= 1;
    assert_int_equal(mm_note_verify(&note, &hv, NULL), MM_EVERIFY);
}

static void malformed_notes(void **state)
{
    (void)state;
    mm_ed25519_t key;
    mm_note_verifier_t v;
    make_key("s", &key, &v, MM_NOTE_ALG_ED25519);
    mm_checkpoint_t cp = {.origin = "o", .size = 1};
    char good[MM_NOTE_MAX];
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, "s", &key, good, sizeof good, &len), MM_OK);
    const char *sig = strstr(good, "\n\n") + 2;
    char buf[MM_NOTE_MAX + 64];
    mm_note_t note;

    struct {
        const char *what;
        const char *text;
        mm_err_t want;
    } cases[] = {
        {"empty", "", MM_EPARSE},
        {"no blank line", "o\n1\nAAAA\n", MM_EPARSE},
        {"no signature", "o\n1\nAAAA\n\n", MM_EPARSE},
        {"no final newline", "o\n\n\xe2\x80\x94 s AAAAAAA=", MM_EPARSE},
        {"ascii dash", "o\n\n- s AAAAAAA=\n", MM_EPARSE},
        {"no space after name", "o\n\n\xe2\x80\x94 sAAAAAAA=\n", MM_EPARSE},
        {"bad base64", "o\n\n\xe2\x80\x94 s AA*AAAA=\n", MM_EPARSE},
        {"non-canonical base64", "o\n\n\xe2\x80\x94 s AAAAAAB=\n", MM_EPARSE},
        {"signature too short", "o\n\n\xe2\x80\x94 s AAAA\n", MM_EPARSE},
        {"carriage return", "o\r\n\n\xe2\x80\x94 s AAAAAAA=\n", MM_EPARSE},
        {"empty line among signatures", "o\n\n\xe2\x80\x94 s AAAAAAA=\n\n", MM_EPARSE},
        {"plus in name", "o\n\n\xe2\x80\x94 s+x AAAAAAA=\n", MM_EPARSE},
        {"tab", "o\n\n\xe2\x80\x94 s\tAAAAAAA=\n", MM_EPARSE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mm_err_t got = mm_note_parse(cases[i].text, strlen(cases[i].text), &note);
        if (got != cases[i].want)
            fail_msg("%s: got %s", cases[i].what, mm_err_name(got));
    }
    /* An embedded NUL is refused (length given explicitly). */
    memcpy(buf, good, len);
    buf[1] = 0;
    assert_int_equal(mm_note_parse(buf, len, &note), MM_EPARSE);
    /* Too big. */
    memset(buf, 'a', sizeof buf);
    assert_int_equal(mm_note_parse(buf, MM_NOTE_MAX + 1, &note), MM_ETOOBIG);
    /* More signature lines than kept: the extra ones are checked for form, then ignored. */
    buf[0] = 0;
    strcat(buf, "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n");
    for (int i = 0; i < MM_NOTE_MAX_SIGS + 3; i++)
        strcat(buf, sig);
    assert_int_equal(mm_note_parse(buf, strlen(buf), &note), MM_OK);
    assert_int_equal(note.nsigs, MM_NOTE_MAX_SIGS);
    strcat(buf, "\xe2\x80\x94 s AA*AAAA=\n");
    assert_int_equal(mm_note_parse(buf, strlen(buf), &note), MM_EPARSE);
}

static void checkpoint_bodies(void **state)
{
    (void)state;
    mm_checkpoint_t cp;
    const char *root = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    char b[512];
    snprintf(b, sizeof b, "origin\n0\n%s\n", root);
    assert_int_equal(mm_checkpoint_parse_body(b, strlen(b), &cp), MM_OK);
    assert_int_equal(cp.size, 0);
    snprintf(b, sizeof b, "origin\n18446744073709551615\n%s\nextension line\n", root);
    assert_int_equal(mm_checkpoint_parse_body(b, strlen(b), &cp), MM_OK);
    assert_int_equal(cp.size, UINT64_MAX);

    const char *bad[] = {
        "origin\n1\n",                                               /* no root */
        "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",        /* empty origin */
        "origin\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  /* leading zero */
        "origin\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  /* sign */
        "origin\n18446744073709551616\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", /* 2^64 */
        "origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",  /* 31 bytes */
        "origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",    /* no final newline */
        "origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n", /* empty extension */
        "origin\n 1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  /* space */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (mm_checkpoint_parse_body(bad[i], strlen(bad[i]), &cp) != MM_EPARSE)
            fail_msg("body %zu accepted: %s", i, bad[i]);
}

static void verifier_keys(void **state)
{
    (void)state;
    mm_note_verifier_t v;
    const char *bad[] = {
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* wrong id */
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* upper hex */
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  /* short */
        "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* alg 2 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (mm_note_verifier_parse(bad[i], &v) != MM_EPARSE)
            fail_msg("verifier %zu accepted: %s", i, bad[i]);
    uint8_t pub[32] = {0};
    assert_int_equal(mm_note_verifier_make("a b", MM_NOTE_ALG_ED25519, pub, &v), MM_EINVAL);
    assert_int_equal(mm_note_verifier_make("ok", 2, pub, &v), MM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_example),          cmocka_unit_test(checkpoint_round_trip),
        cmocka_unit_test(cosignature_round_trip), cmocka_unit_test(malformed_notes),
        cmocka_unit_test(checkpoint_bodies),     cmocka_unit_test(verifier_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
