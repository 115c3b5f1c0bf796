/*
 * test_age.c: age-format encryption (common/age.h), checked by the standard `age` tool (Debian's
 * age package): what we encrypt to a key age-keygen made, `age -d` decrypts to the same bytes —
 * for the sizes where the chunking has edges (empty, one byte, exactly one chunk, one chunk and
 * a byte, several chunks). And recipients: a real one parses; a changed checksum, another
 * prefix, upper case, or a short key do not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/age.h"
#include "common/crypto.h"

typedef struct {
    char dir[64];
    char key[96];
    char recipient[128];
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-age-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->key, sizeof f->key, "%s/key.txt", f->dir);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "age-keygen -o %s 2>/dev/null", f->key);
    if (system(cmd) != 0)
        return -1;
    FILE *k = fopen(f->key, "r");
    char line[256];
    while (k && fgets(line, sizeof line, k))
        if (sscanf(line, "# public key: %127s", f->recipient) == 1)
            break;
    if (k)
        fclose(k);
    *state = f;
    return f->recipient[0] ? 0 : -1;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    (void)system(cmd);
    free(f);
    return 0;
}

static int to_file(void *arg, const uint8_t *data, size_t len)
{
    return fwrite(data, 1, len, arg) == len ? 0 : -1;
}

/* Encrypts n bytes, decrypts them with `age -d`, and compares. */
static void round_trip(fx_t *f, size_t n, size_t piece)
{
    uint8_t pub[32];
    assert_int_equal(mm_age_recipient_parse(f->recipient, pub), MM_OK);
    uint8_t *plain = malloc(n ? n : 1);
    assert_non_null(plain);
    assert_int_equal(mm_random(plain, n ? n : 1), MM_OK);
    char enc[128], dec[128], cmd[512];
    snprintf(enc, sizeof enc, "%s/x.age", f->dir);
    snprintf(dec, sizeof dec, "%s/x.out", f->dir);
    FILE *o = fopen(enc, "wb");
    assert_non_null(o);
    mm_age_writer_t *w;
    assert_int_equal(mm_age_begin(pub, to_file, o, &w), MM_OK);
    for (size_t off = 0; off < n; off += piece)
        assert_int_equal(mm_age_write(w, plain + off, n - off < piece ? n - off : piece), MM_OK);
    assert_int_equal(mm_age_end(w), MM_OK);
    fclose(o);
    snprintf(cmd, sizeof cmd, "age -d -i %s -o %s %s", f->key, dec, enc);
    assert_int_equal(system(cmd), 0);
    /* age creates its output file on the first byte it writes: none for an empty plaintext. */
    FILE *d = fopen(dec, "rb");
    assert_true(d != NULL || n == 0);
    uint8_t *back = malloc(n + 1);
    size_t got = d ? fread(back, 1, n + 1, d) : 0;
    if (d)
        fclose(d);
    unlink(dec);
    assert_int_equal(got, n);
    if (n)
        assert_memory_equal(back, plain, n);
    free(back);
    free(plain);
}

static void age_tool_decrypts_what_we_encrypt(void **state)
{
    fx_t *f = *state;
    round_trip(f, 0, 1);
    round_trip(f, 1, 1);
    round_trip(f, MM_AGE_CHUNK - 1, 4096);
    round_trip(f, MM_AGE_CHUNK, MM_AGE_CHUNK);
    round_trip(f, MM_AGE_CHUNK + 1, 7);
    round_trip(f, 3 * MM_AGE_CHUNK + 12345, 100000);
}

/* A tampered byte is refused by age: the payload is authenticated. */
static void age_tool_refuses_a_changed_byte(void **state)
{
    fx_t *f = *state;
    uint8_t pub[32];
    assert_int_equal(mm_age_recipient_parse(f->recipient, pub), MM_OK);
    char enc[128], cmd[512];
    snprintf(enc, sizeof enc, "%s/t.age", f->dir);
    FILE *o = fopen(enc, "wb");
    mm_age_writer_t *w;
    assert_int_equal(mm_age_begin(pub, to_file, o, &w), MM_OK);
    assert_int_equal(mm_age_write(w, "footage", 7), MM_OK);
    assert_int_equal(mm_age_end(w), MM_OK);
    long size = ftell(o);
    fclose(o);
    FILE *e = fopen(enc, "r+b");
    fseek(e, size - 3, SEEK_SET);
    int c = fgetc(e);
    fseek(e, size - 3, SEEK_SET);
    fputc(c ^ 1, e);
    fclose(e);
    snprintf(cmd, sizeof cmd, "age -d -i %s %s >/dev/null 2>&1", f->key, enc);
    assert_int_not_equal(system(cmd), 0);
}

static void recipients(void **state)
{
    fx_t *f = *state;
    uint8_t pub[32];
    assert_int_equal(mm_age_recipient_parse(f->recipient, pub), MM_OK);
    char bad[128];
    snprintf(bad, sizeof bad, "%s", f->recipient);
    size_t n = strlen(bad);
    bad[n - 1] = bad[n - 1] == 'q' ? 'p' : 'q'; /* the checksum no longer matches */
    assert_int_equal(mm_age_recipient_parse(bad, pub), MM_EINVAL);
    snprintf(bad, sizeof bad, "%s", f->recipient);
    for (char *p = bad; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    assert_int_equal(mm_age_recipient_parse(bad, pub), MM_EINVAL);
    snprintf(bad, sizeof bad, "agf1%s", f->recipient + 4);
    assert_int_equal(mm_age_recipient_parse(bad, pub), MM_EINVAL);
    assert_int_equal(mm_age_recipient_parse("age1qqqqqq", pub), MM_EINVAL);
    assert_int_equal(mm_age_recipient_parse("", pub), MM_EINVAL);
    assert_int_equal(mm_age_recipient_parse(NULL, pub), MM_EINVAL);
}

/* A sink that fails stops the writer, with an error, at the first bytes it refuses (the
 * ciphertext goes to it MM_AGE_SINK_MAX bytes at a time). */
static int refuse(void *arg, const uint8_t *data, size_t len)
{
    (void)data;
    (void)len;
    return --*(int *)arg < 0 ? -1 : 0;
}

static void a_failing_sink_fails_the_writer(void **state)
{
    fx_t *f = *state;
    uint8_t pub[32];
    assert_int_equal(mm_age_recipient_parse(f->recipient, pub), MM_OK);
    int allowed = 0;
    mm_age_writer_t *w;
    assert_int_equal(mm_age_begin(pub, refuse, &allowed, &w), MM_EIO);
    allowed = 2; /* header and nonce */
    assert_int_equal(mm_age_begin(pub, refuse, &allowed, &w), MM_OK);
    static uint8_t big[MM_AGE_SINK_MAX / (MM_AGE_CHUNK + 16) * MM_AGE_CHUNK + 1];
    assert_int_equal(mm_age_write(w, big, sizeof big), MM_EIO);
    assert_int_equal(mm_age_end(w), MM_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(age_tool_decrypts_what_we_encrypt, setup, teardown),
        cmocka_unit_test_setup_teardown(age_tool_refuses_a_changed_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(recipients, setup, teardown),
        cmocka_unit_test_setup_teardown(a_failing_sink_fails_the_writer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
