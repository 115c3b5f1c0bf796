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

#include "common/note.h"

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

/* A checkpoint carries its signer's time as the extension line "time <T>" (the hub compares a
 * site's clock with its own by it, R-K2.2.6b / R-N7.5); a body without one, or with a "time" line
 * in another form, has time 0, and the line is written only when there is a time. */
static void checkpoint_time_line(void **state)
{
    (void)state;
    const char *root = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    mm_checkpoint_t cp = {.origin = "o", .size = 2, .time = 1795486421};
    char b[512], want[512];
    size_t len;
    assert_int_equal(mm_checkpoint_body(&cp, b, sizeof b, &len), MM_OK);
    snprintf(want, sizeof want, "o\n2\n%s\ntime 1795486421\n", root);
    assert_string_equal(b, want);
    mm_checkpoint_t back;
    assert_int_equal(mm_checkpoint_parse_body(b, len, &back), MM_OK);
    assert_int_equal(back.time, 1795486421);
    cp.time = 0;
    assert_int_equal(mm_checkpoint_body(&cp, b, sizeof b, &len), MM_OK);
    assert_null(strstr(b, "time"));
    cp.time = (uint64_t)INT64_MAX + 1;
    assert_int_equal(mm_checkpoint_body(&cp, b, sizeof b, &len), MM_EINVAL);

    const char *other[] = {"time 01",  "time -1", "time",   "time 9223372036854775808",
                           "time 12x", "times 5", "time  5"};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        snprintf(b, sizeof b, "o\n2\n%s\n%s\n", root, other[i]);
        assert_int_equal(mm_checkpoint_parse_body(b, strlen(b), &back), MM_OK);
        if (back.time != 0)
            fail_msg("\"%s\" read as time %llu", other[i], (unsigned long long)back.time);
    }
    snprintf(b, sizeof b, "o\n2\n%s\nother\ntime 7\ntime 8\n", root);
    assert_int_equal(mm_checkpoint_parse_body(b, strlen(b), &back), MM_OK);
    assert_int_equal(back.time, 7);
    snprintf(b, sizeof b, "o\n2\n%s\ntime 9223372036854775807\n", root);
    assert_int_equal(mm_checkpoint_parse_body(b, strlen(b), &back), MM_OK);
    assert_int_equal(back.time, (uint64_t)INT64_MAX);
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

/*
 * A real checkpoint of a CT log (arche2025h1.staging.ct.transparency.dev) with the log's own
 * Ed25519 signature, an RFC 6962 signature (type 0x05, 82 bytes: longer than we keep) and four
 * witness cosignatures (cosignature/v1), as published in the tests of a Python tlog client.
 * Every signature below was checked with python3-cryptography when this test was written.
 */
static const char *const ARCHE_NOTE =
    "arche2025h1.staging.ct.transparency.dev\n"
    "1432088532\n"
    "U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n"
    "\n"
    "\xe2\x80\x94 arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX"
    "6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=\n"
    "\xe2\x80\x94 arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefw"
    "hUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=\n"
    "\xe2\x80\x94 transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/"
    "KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==\n"
    "\xe2\x80\x94 witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH"
    "+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==\n"
    "\xe2\x80\x94 remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCI"
    "obWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==\n"
    "\xe2\x80\x94 witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUv"
    "Vr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==\n";

static void real_checkpoint_with_witness_cosignatures(void **state)
{
    (void)state;
    mm_note_verifier_t log, remora, stagemole;
    assert_int_equal(mm_note_verifier_parse("arche2025h1.staging.ct.transparency.dev+ba2f06c0+"
                                            "AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f",
                                            &log),
                     MM_OK);
    assert_int_equal(mm_note_verifier_parse(
                         "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
                         &remora),
                     MM_OK);
    assert_int_equal(remora.alg, MM_NOTE_ALG_COSIG_V1);
    assert_int_equal(mm_note_verifier_parse("witness.stagemole.eu+67f7aea0+"
                                            "BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv",
                                            &stagemole),
                     MM_OK);

    mm_note_t note;
    size_t len = strlen(ARCHE_NOTE);
    assert_int_equal(mm_note_parse(ARCHE_NOTE, len, &note), MM_OK);
    assert_int_equal(note.nsigs, 5); /* the 82-byte RFC 6962 signature is skipped */
    assert_int_equal(mm_note_verify(&note, &log, NULL), MM_OK);
    uint64_t ts = 0;
    assert_int_equal(mm_note_verify(&note, &remora, &ts), MM_OK);
    assert_int_equal(ts, 1779573024);
    ts = 0;
    assert_int_equal(mm_note_verify(&note, &stagemole, &ts), MM_OK);
    assert_int_equal(ts, 1779573024);

    mm_checkpoint_t cp;
    assert_int_equal(mm_checkpoint_open(ARCHE_NOTE, len, &log, &cp), MM_OK);
    assert_string_equal(cp.origin, "arche2025h1.staging.ct.transparency.dev");
    assert_int_equal(cp.size, 1432088532);
    assert_int_equal(cp.root.b[0], 0x53);

    /* The log's key under the cosignature algorithm has another id: no line of it. */
    mm_note_verifier_t as_cosig;
    assert_int_equal(mm_note_verifier_make(log.name, MM_NOTE_ALG_COSIG_V1, log.pub, &as_cosig),
                     MM_OK);
    assert_int_equal(mm_note_verify(&note, &as_cosig, NULL), MM_ENOTFOUND);

    /* Another size: neither the log's signature nor the cosignature verifies. */
    char bad[1024];
    memcpy(bad, ARCHE_NOTE, len + 1);
    char *size = strstr(bad, "1432088532");
    size[9] = '3';
    assert_int_equal(mm_note_parse(bad, len, &note), MM_OK);
    assert_int_equal(mm_note_verify(&note, &log, NULL), MM_EVERIFY);
    assert_int_equal(mm_note_verify(&note, &remora, NULL), MM_EVERIFY);
}

static void foreign_signature_lines_are_checked_then_skipped(void **state)
{
    (void)state;
    mm_ed25519_t key;
    mm_note_verifier_t v;
    make_key("s", &key, &v, MM_NOTE_ALG_ED25519);
    mm_checkpoint_t cp = {.origin = "o", .size = 1};
    char note_text[MM_NOTE_MAX];
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, "s", &key, note_text, sizeof note_text, &len),
                     MM_OK);

    /* A post-quantum-sized signature (2,420 + 12 bytes) and a 70-byte key name. */
    uint8_t big[2432];
    memset(big, 0x5a, sizeof big);
    char b64[4000];
    assert_true(mm_base64_encode(big, sizeof big, b64, sizeof b64) > 0);
    char text[3 * MM_NOTE_MAX];
    snprintf(text, sizeof text,
             "%s\xe2\x80\x94 pq.example/witness %s\n"
             "\xe2\x80\x94 %070d AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",
             note_text, b64, 7);
    assert_true(strlen(text) <= MM_NOTE_MAX);
    mm_note_t note;
    assert_int_equal(mm_note_parse(text, strlen(text), &note), MM_OK);
    assert_int_equal(note.nsigs, 1);
    assert_int_equal(mm_note_verify(&note, &v, NULL), MM_OK);

    /* Skipped lines are still checked: bad base64 far into a long signature, padding inside. */
    char *far = strstr(text, "pq.example/witness ") + strlen("pq.example/witness ") + 2000;
    char saved = *far;
    *far = '*';
    assert_int_equal(mm_note_parse(text, strlen(text), &note), MM_EPARSE);
    *far = '=';
    assert_int_equal(mm_note_parse(text, strlen(text), &note), MM_EPARSE);
    *far = saved;
    assert_int_equal(mm_note_parse(text, strlen(text), &note), MM_OK);
}

static void text_must_be_utf8_and_names_without_spaces(void **state)
{
    (void)state;
    mm_ed25519_t key;
    mm_note_verifier_t v;
    /* A UTF-8 key name is fine (C2SP forbids only spaces and '+'). */
    make_key("\xe8\xa6\x8b\xe5\xae\x88\xe3\x82\x8a", &key, &v, MM_NOTE_ALG_ED25519);
    const char *body = "\xe5\xb7\x9d\xe5\x8f\xa3/site\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    char line[MM_NOTE_LINE_MAX], text[1024];
    assert_int_equal(mm_note_sign(body, strlen(body), v.name, &key, line, sizeof line), MM_OK);
    snprintf(text, sizeof text, "%s\n%s", body, line);
    mm_note_t note;
    assert_int_equal(mm_note_parse(text, strlen(text), &note), MM_OK);
    assert_int_equal(mm_note_verify(&note, &v, NULL), MM_OK);
    mm_checkpoint_t cp;
    assert_int_equal(mm_checkpoint_parse_body(note.body, note.body_len, &cp), MM_OK);
    assert_string_equal(cp.origin, "\xe5\xb7\x9d\xe5\x8f\xa3/site");

    static const char *const bad_text[] = {
        "\xff\n\n\xe2\x80\x94 s AAAAAAA=\n",             /* not UTF-8 */
        "\xc0\xaf\n\n\xe2\x80\x94 s AAAAAAA=\n",         /* overlong '/' */
        "\xed\xa0\x80\n\n\xe2\x80\x94 s AAAAAAA=\n",     /* a surrogate */
        "\xe5\xb7\n\n\xe2\x80\x94 s AAAAAAA=\n",         /* cut short */
        "o\n\n\xe2\x80\x94 a\xc2\xa0" "b AAAAAAA=\n",    /* NO-BREAK SPACE in the name */
        "o\n\n\xe2\x80\x94 a\xe3\x80\x80" "b AAAAAAA=\n", /* IDEOGRAPHIC SPACE in the name */
        "o\n\n\xe2\x80\x94 a\xe2\x80\xa8" "b AAAAAAA=\n", /* LINE SEPARATOR in the name */
        "o\n\n\xe2\x80\x94  AAAAAAA=\n",                 /* empty name */
        "o\n\n\xe2\x80\x93 s AAAAAAA=\n",                /* en dash */
        "o\n\n\xe2\x80\x94s AAAAAAA=\n",                 /* no space after the dash */
    };
    for (size_t i = 0; i < sizeof bad_text / sizeof bad_text[0]; i++)
        if (mm_note_parse(bad_text[i], strlen(bad_text[i]), &note) != MM_EPARSE)
            fail_msg("note %zu accepted", i);
    const char *bad_body = "o\xff\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    assert_int_equal(mm_checkpoint_parse_body(bad_body, strlen(bad_body), &cp), MM_EPARSE);
    const char *nul_ext = "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nx\0y\n";
    assert_int_equal(mm_checkpoint_parse_body(nul_ext, 52, &cp), MM_EPARSE);

    uint8_t pub[32] = {0};
    assert_int_equal(mm_note_verifier_make("a\xc2\xa0" "b", MM_NOTE_ALG_ED25519, pub, &v),
                     MM_EINVAL);
    assert_int_equal(mm_note_verifier_make("a\xff", MM_NOTE_ALG_ED25519, pub, &v), MM_EINVAL);
}

static void sixteen_signatures_are_kept(void **state)
{
    (void)state;
    /* C2SP: verifiers must accept at least 16 signatures. */
    const char *body = "o\n2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    char text[MM_NOTE_MAX];
    snprintf(text, sizeof text, "%s\n", body);
    mm_note_verifier_t v[17];
    for (int i = 0; i < 17; i++) {
        mm_ed25519_t k;
        char name[16], line[MM_NOTE_LINE_MAX];
        snprintf(name, sizeof name, "w%d", i);
        make_key(name, &k, &v[i], MM_NOTE_ALG_ED25519);
        assert_int_equal(mm_note_sign(body, strlen(body), name, &k, line, sizeof line), MM_OK);
        strcat(text, line);
    }
    mm_note_t note;
    assert_int_equal(mm_note_parse(text, strlen(text), &note), MM_OK);
    assert_int_equal(note.nsigs, 16);
    for (int i = 0; i < 16; i++)
        assert_int_equal(mm_note_verify(&note, &v[i], NULL), MM_OK);
    assert_int_equal(mm_note_verify(&note, &v[16], NULL), MM_ENOTFOUND);
}

static void a_bad_line_of_a_known_key_rejects_the_note(void **state)
{
    (void)state;
    mm_ed25519_t key;
    mm_note_verifier_t v;
    make_key("s", &key, &v, MM_NOTE_ALG_ED25519);
    mm_checkpoint_t cp = {.origin = "o", .size = 1};
    char text[MM_NOTE_MAX];
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, "s", &key, text, sizeof text, &len), MM_OK);
    /* The same line twice verifies; a second line with one flipped signature bit does not. */
    const char *line = strstr(text, "\n\n") + 2;
    char twice[MM_NOTE_MAX];
    snprintf(twice, sizeof twice, "%s%s", text, line);
    mm_note_t note;
    assert_int_equal(mm_note_parse(twice, strlen(twice), &note), MM_OK);
    assert_int_equal(mm_note_verify(&note, &v, NULL), MM_OK);
    note.sigs[1].sig[10] ^= 0x01;
    assert_int_equal(mm_note_verify(&note, &v, NULL), MM_EVERIFY);
    /* A line of the right name and id but the wrong length does not verify either. */
    assert_int_equal(mm_note_parse(twice, strlen(twice), &note), MM_OK);
    note.sigs[0].sig_len = 63;
    assert_int_equal(mm_note_verify(&note, &v, NULL), MM_EVERIFY);
}

static void cosignature_timestamps_fit_63_bits(void **state)
{
    (void)state;
    mm_ed25519_t key;
    mm_note_verifier_t v;
    make_key("hub", &key, &v, MM_NOTE_ALG_COSIG_V1);
    const char *body = "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    char line[MM_NOTE_LINE_MAX], text[1024];
    assert_int_equal(mm_cosig_sign(body, strlen(body), "hub", &key, (uint64_t)1 << 63, line,
                                   sizeof line),
                     MM_EINVAL);
    uint64_t max = ((uint64_t)1 << 63) - 1;
    assert_int_equal(mm_cosig_sign(body, strlen(body), "hub", &key, max, line, sizeof line),
                     MM_OK);
    snprintf(text, sizeof text, "%s\n%s", body, line);
    mm_note_t note;
    uint64_t ts = 0;
    assert_int_equal(mm_note_parse(text, strlen(text), &note), MM_OK);
    assert_int_equal(mm_note_verify(&note, &v, &ts), MM_OK);
    assert_true(ts == max);

    /* A line made by hand for 2^63, correctly signed, is still refused. */
    char msg[256];
    int n = snprintf(msg, sizeof msg, "cosignature/v1\ntime 9223372036854775808\n%s", body);
    uint8_t raw[76];
    memcpy(raw, v.id, 4);
    memset(raw + 4, 0, 8);
    raw[4] = 0x80;
    assert_int_equal(mm_ed25519_sign(&key, msg, (size_t)n, raw + 12), MM_OK);
    char b64[128];
    assert_true(mm_base64_encode(raw, sizeof raw, b64, sizeof b64) > 0);
    snprintf(text, sizeof text, "%s\n\xe2\x80\x94 hub %s\n", body, b64);
    assert_int_equal(mm_note_parse(text, strlen(text), &note), MM_OK);
    assert_int_equal(mm_note_verify(&note, &v, NULL), MM_EVERIFY);
}

static void signing_refuses_bad_input(void **state)
{
    (void)state;
    mm_ed25519_t key;
    mm_note_verifier_t v;
    make_key("s", &key, &v, MM_NOTE_ALG_ED25519);
    char out[MM_NOTE_MAX], line[MM_NOTE_LINE_MAX];
    size_t len;
    mm_checkpoint_t cp = {.origin = "", .size = 1};
    assert_int_equal(mm_checkpoint_sign(&cp, "s", &key, out, sizeof out, &len), MM_EINVAL);
    strcpy(cp.origin, "a\nb");
    assert_int_equal(mm_checkpoint_body(&cp, out, sizeof out, &len), MM_EINVAL);
    strcpy(cp.origin, "a\rb");
    assert_int_equal(mm_checkpoint_body(&cp, out, sizeof out, &len), MM_EINVAL);
    memset(cp.origin, 'o', sizeof cp.origin); /* 129 bytes, no NUL */
    assert_int_equal(mm_checkpoint_body(&cp, out, sizeof out, &len), MM_EINVAL);
    memset(cp.origin, 0, sizeof cp.origin);
    memset(cp.origin, 'o', MM_ORIGIN_MAX); /* the longest origin */
    assert_int_equal(mm_checkpoint_sign(&cp, "s", &key, out, sizeof out, &len), MM_OK);
    mm_checkpoint_t back;
    assert_int_equal(mm_checkpoint_open(out, len, &v, &back), MM_OK);
    assert_string_equal(back.origin, cp.origin);
    assert_int_equal(mm_checkpoint_sign(&cp, "s", &key, out, 150, &len), MM_ERANGE);
    assert_int_equal(mm_checkpoint_sign(&cp, "s", &key, out, 200, &len), MM_ERANGE);
    assert_int_equal(mm_checkpoint_sign(&cp, "s p", &key, out, sizeof out, &len), MM_EINVAL);

    assert_int_equal(mm_note_sign("no newline", 10, "s", &key, line, sizeof line), MM_EINVAL);
    assert_int_equal(mm_note_sign("", 0, "s", &key, line, sizeof line), MM_EINVAL);
    assert_int_equal(mm_note_sign("x\n", 2, "s+", &key, line, sizeof line), MM_EINVAL);
    assert_int_equal(mm_note_sign("x\n", 2, "s", &key, line, 20), MM_ERANGE);
    mm_ed25519_t pub_only = {.has_secret = 0};
    memcpy(pub_only.pub, key.pub, 32);
    assert_int_equal(mm_note_sign("x\n", 2, "s", &pub_only, line, sizeof line), MM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_example),
        cmocka_unit_test(checkpoint_round_trip),
        cmocka_unit_test(cosignature_round_trip),
        cmocka_unit_test(malformed_notes),
        cmocka_unit_test(checkpoint_bodies),
        cmocka_unit_test(verifier_keys),
        cmocka_unit_test(checkpoint_time_line),
        cmocka_unit_test(real_checkpoint_with_witness_cosignatures),
        cmocka_unit_test(foreign_signature_lines_are_checked_then_skipped),
        cmocka_unit_test(text_must_be_utf8_and_names_without_spaces),
        cmocka_unit_test(sixteen_signatures_are_kept),
        cmocka_unit_test(a_bad_line_of_a_known_key_rejects_the_note),
        cmocka_unit_test(cosignature_timestamps_fit_63_bits),
        cmocka_unit_test(signing_refuses_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
