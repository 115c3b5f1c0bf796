/*
 * test_keys.c: key pairs and key files — a round trip through a file, the file's mode, refusal
 * to overwrite, and every kind of broken file refused with a message that names the file and
 * the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <zmq.h>

#include "common/keys.h"
#include "common/note.h"

typedef struct {
    char dir[64];
    char path[128];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-keys-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/site.key", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Writes text to path with mode. */
static void write_file(const char *path, const char *text, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static void keys_round_trip_through_a_file(void **state)
{
    fixture_t *f = *state;
    mm_keypair_t k, back;
    assert_int_equal(mm_keys_generate("site-a", &k), MM_OK);
    assert_string_equal(k.name, "site-a");
    assert_true(k.sign.has_secret);
    assert_int_equal(strlen(k.curve_public), MM_Z85_KEY_LEN);
    assert_int_equal(strlen(k.curve_secret), MM_Z85_KEY_LEN);
    assert_int_equal(mm_keys_save(&k, f->path), MM_OK);

    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    char err[512] = "";
    assert_int_equal(mm_keys_load(f->path, &back, err, sizeof err), MM_OK);
    assert_string_equal(back.name, k.name);
    assert_memory_equal(back.sign.pub, k.sign.pub, 32);
    assert_memory_equal(back.sign.seed, k.sign.seed, 32);
    assert_true(back.sign.has_secret);
    assert_string_equal(back.curve_public, k.curve_public);
    assert_string_equal(back.curve_secret, k.curve_secret);

    /* The loaded key still signs what the saved one verifies. */
    uint8_t sig[64];
    assert_int_equal(mm_ed25519_sign(&back.sign, "m", 1, sig), MM_OK);
    assert_int_equal(mm_ed25519_verify(k.sign.pub, "m", 1, sig), MM_OK);

    /* The verifier key parses back to the same public key, name and algorithm. */
    char vtext[MM_VERIFIER_MAX];
    assert_int_equal(mm_keys_verifier(&back, vtext, sizeof vtext), MM_OK);
    assert_true(strncmp(vtext, "site-a+", 7) == 0);
    mm_note_verifier_t v;
    assert_int_equal(mm_note_verifier_parse(vtext, &v), MM_OK);
    assert_string_equal(v.name, "site-a");
    assert_int_equal(v.alg, MM_NOTE_ALG_ED25519);
    assert_memory_equal(v.pub, k.sign.pub, 32);

    /* Never overwritten. */
    mm_keypair_t other;
    assert_int_equal(mm_keys_generate("site-a", &other), MM_OK);
    assert_int_equal(mm_keys_save(&other, f->path), MM_EEXIST);
    assert_int_equal(mm_keys_load(f->path, &back, err, sizeof err), MM_OK);
    assert_memory_equal(back.sign.pub, k.sign.pub, 32);

    mm_keys_wipe(&k);
    mm_keys_wipe(&back);
    mm_keys_wipe(&other);
    uint8_t zero[32] = {0};
    assert_memory_equal(k.sign.seed, zero, 32);
    assert_int_equal(k.curve_secret[0], 0);
}

static void key_files_readable_by_others_are_refused(void **state)
{
    fixture_t *f = *state;
    mm_keypair_t k;
    assert_int_equal(mm_keys_generate("site-a", &k), MM_OK);
    assert_int_equal(mm_keys_save(&k, f->path), MM_OK);
    static const mode_t modes[] = {0640, 0604, 0660, 0700, 0610};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        assert_int_equal(chmod(f->path, modes[i]), 0);
        char err[512] = "";
        mm_keypair_t back;
        mm_err_t got = mm_keys_load(f->path, &back, err, sizeof err);
        if (modes[i] & 077) {
            assert_int_equal(got, MM_ECONFIG);
            assert_non_null(strstr(err, f->path));
            assert_non_null(strstr(err, "group or others"));
        } else {
            assert_int_equal(got, MM_OK); /* 0700: only the owner */
            mm_keys_wipe(&back);
        }
    }
    mm_keys_wipe(&k);
}

static void broken_key_files_name_file_and_field(void **state)
{
    fixture_t *f = *state;
    mm_keypair_t k;
    assert_int_equal(mm_keys_generate("site-a", &k), MM_OK);
    char seed[64];
    assert_true(mm_base64_encode(k.sign.seed, 32, seed, sizeof seed) > 0);
    mm_keypair_t k2;
    assert_int_equal(mm_keys_generate("site-b", &k2), MM_OK);

    /* Each case changes one field of a good file: NULL removes it, else its JSON value. */
    char bad_z85[64];
    snprintf(bad_z85, sizeof bad_z85, "\"%.39s~\"", k.curve_public);
    struct {
        const char *what, *field, *value, *words;
    } cases[] = {
        {"missing name", "name", NULL, "missing"},
        {"missing seed", "sign_seed", NULL, "missing"},
        {"missing curve_public", "curve_public", NULL, "missing"},
        {"missing curve_secret", "curve_secret", NULL, "missing"},
        {"seed not a string", "sign_seed", "12", "string"},
        {"bad name", "name", "\"site a\"", "characters"},
        {"short seed", "sign_seed", "\"AAAA\"", "32 bytes"},
        {"non-canonical seed", "sign_seed", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\"",
         "32 bytes"},
        {"bad z85", "curve_public", bad_z85, "Z85"},
        {"unknown key", "colour", "\"red\"", "unknown"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", "site-a", "sign_seed", seed,
                              "curve_public", k.curve_public, "curve_secret", k.curve_secret);
        assert_non_null(o);
        if (cases[i].value)
            json_object_set_new(o, cases[i].field,
                                json_loads(cases[i].value, JSON_DECODE_ANY, NULL));
        else
            json_object_del(o, cases[i].field);
        char *text = json_dumps(o, 0);
        json_decref(o);
        write_file(f->path, text, 0600);
        free(text);
        char err[512] = "";
        mm_keypair_t back;
        mm_err_t got = mm_keys_load(f->path, &back, err, sizeof err);
        if (got != MM_ECONFIG || !strstr(err, f->path) || !strstr(err, cases[i].field) ||
            !strstr(err, cases[i].words))
            fail_msg("%s: got %s, \"%s\"", cases[i].what, mm_err_name(got), err);
    }

    /* A CURVE public key that is not the secret's. */
    char text[1024];
    snprintf(text, sizeof text,
             "{\"name\":\"site-a\",\"sign_seed\":\"%s\",\"curve_public\":\"%s\","
             "\"curve_secret\":\"%s\"}",
             seed, k2.curve_public, k.curve_secret);
    write_file(f->path, text, 0600);
    char err[512] = "";
    mm_keypair_t back;
    assert_int_equal(mm_keys_load(f->path, &back, err, sizeof err), MM_ECONFIG);
    assert_non_null(strstr(err, "curve_public"));
    assert_non_null(strstr(err, "curve_secret"));

    /* Not JSON, not an object: the file and the position. */
    write_file(f->path, "{\"name\": \n", 0600);
    assert_int_equal(mm_keys_load(f->path, &back, err, sizeof err), MM_ECONFIG);
    assert_non_null(strstr(err, f->path));
    assert_non_null(strstr(err, "line"));
    write_file(f->path, "[1, 2]", 0600);
    assert_int_equal(mm_keys_load(f->path, &back, err, sizeof err), MM_ECONFIG);
    assert_non_null(strstr(err, "object"));

    /* Missing file and a directory. */
    unlink(f->path);
    assert_int_equal(mm_keys_load(f->path, &back, err, sizeof err), MM_EIO);
    assert_non_null(strstr(err, f->path));
    assert_int_equal(mm_keys_load(f->dir, &back, err, sizeof err), MM_ECONFIG);
    assert_non_null(strstr(err, f->dir));
    /* err may be NULL. */
    assert_int_equal(mm_keys_load(f->path, &back, NULL, 0), MM_EIO);
    mm_keys_wipe(&k);
    mm_keys_wipe(&k2);
}

static void key_names_and_z85(void **state)
{
    (void)state;
    assert_true(mm_keys_name_ok("site-a"));
    assert_true(mm_keys_name_ok("hub.city_1"));
    assert_false(mm_keys_name_ok(""));
    assert_false(mm_keys_name_ok("site a"));
    assert_false(mm_keys_name_ok("site+a"));
    assert_false(mm_keys_name_ok("site/a"));
    assert_false(mm_keys_name_ok("s\xc3\xa9"));
    char longest[64];
    memset(longest, 'a', 63);
    longest[63] = 0;
    assert_true(mm_keys_name_ok(longest));
    char too_long[65];
    memset(too_long, 'a', 64);
    too_long[64] = 0;
    assert_false(mm_keys_name_ok(too_long));
    mm_keypair_t k;
    assert_int_equal(mm_keys_generate("bad name", &k), MM_EINVAL);

    char pub[41], sec[41];
    assert_int_equal(zmq_curve_keypair(pub, sec), 0);
    uint8_t raw[32], want[32];
    assert_int_equal(mm_keys_z85_decode(pub, raw), MM_OK);
    assert_non_null(zmq_z85_decode(want, pub));
    assert_memory_equal(raw, want, 32);
    assert_int_equal(mm_keys_z85_decode(pub, NULL), MM_OK);
    pub[39] = 0;
    assert_int_equal(mm_keys_z85_decode(pub, raw), MM_EPARSE);
    pub[39] = '~'; /* not in the Z85 alphabet */
    assert_int_equal(mm_keys_z85_decode(pub, raw), MM_EPARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(keys_round_trip_through_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(key_files_readable_by_others_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(broken_key_files_name_file_and_field, setup, teardown),
        cmocka_unit_test(key_names_and_z85),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
