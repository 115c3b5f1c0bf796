/*
 * test_keyring.c: the edge keyring — epoch keys survive a reopen, advancing destroys older
 * epochs for good (in memory, on reopen and in the file's bytes), the ratchet is the one
 * keyring.h states, a damaged key file is refused and left alone, and hold keys wrap, unwrap
 * and are destroyed. Cryptographic erasure is R-N7.5 and R-K2.2.6c.
 *
 * Expected keys are recomputed here from the formulas in keyring.h with mm_hkdf_sha256, which
 * test_crypto.c checks against RFC 5869.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/crypto.h"
#include "edge/keyring.h"

#define H 480000LL /* an hour in 2024 */
#define T0 (H * EDGE_EPOCH_US + 1234)
#define FILE_LEN 80 /* magic 7, version 1, h0 8, key 32, SHA-256 32 */

static const uint8_t salt[EDGE_SALT_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static int setup(void **state)
{
    char *dir = strdup("/tmp/mm-test-keyring-XXXXXX");
    assert_non_null(mkdtemp(dir));
    *state = dir;
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", (char *)*state);
    assert_int_equal(system(cmd), 0);
    free(*state);
    return 0;
}

/* The keyring lives in a subdirectory so that the test also sees it created. */
static void kr_dir(void **state, char *out, size_t cap)
{
    snprintf(out, cap, "%s/keys", (char *)*state);
}

static void read_file(const char *dir, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    *len = fread(buf, 1, cap, f);
    fclose(f);
}

static void write_file(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return 1;
    return 0;
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void ratchet(const uint8_t in[32], uint8_t out[32])
{
    static const char info[] = "mimamori/v1 epoch ratchet";
    assert_int_equal(
        mm_hkdf_sha256(in, 32, NULL, 0, (const uint8_t *)info, sizeof info - 1, out, 32), MM_OK);
}

static void segment_key_by_hand(const uint8_t k[32], const char *camera, int64_t start,
                                uint8_t out[32])
{
    uint8_t info[128];
    size_t n = strlen("mimamori/v1 segment");
    memcpy(info, "mimamori/v1 segment", n);
    memcpy(info + n, camera, strlen(camera));
    n += strlen(camera);
    info[n++] = 0;
    for (int i = 7; i >= 0; i--)
        info[n++] = (uint8_t)((uint64_t)start >> (8 * i));
    assert_int_equal(mm_hkdf_sha256(k, 32, salt, sizeof salt, info, n, out, 32), MM_OK);
}

static void epoch_of_floors_negative_and_boundary_times(void **state)
{
    (void)state;
    assert_int_equal(edge_epoch_of(0), 0);
    assert_int_equal(edge_epoch_of(EDGE_EPOCH_US - 1), 0);
    assert_int_equal(edge_epoch_of(EDGE_EPOCH_US), 1);
    assert_int_equal(edge_epoch_of(-1), -1);
    assert_int_equal(edge_epoch_of(-EDGE_EPOCH_US), -1);
    assert_int_equal(edge_epoch_of(-EDGE_EPOCH_US - 1), -2);
    assert_int_equal(edge_epoch_of(T0), H);
    assert_int_equal(edge_epoch_of(INT64_MIN), INT64_MIN / EDGE_EPOCH_US - 1);
    assert_int_equal(edge_epoch_of(INT64_MAX), INT64_MAX / EDGE_EPOCH_US);
}

/* A keyring directory its group or others may enter is refused (issue 19: the footage keys
 * are the site's alone): the edge does not start on it. */
static void a_directory_open_to_others_is_refused(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(chmod(dir, 0750), 0);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_EDENIED);
    assert_null(kr);
    assert_int_equal(chmod(dir, 0700), 0);
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    edge_keyring_close(kr);
}

static void open_creates_private_files_and_reopen_gives_same_segment_key(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    assert_int_equal(edge_keyring_oldest(kr), H);

    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char path[300];
    snprintf(path, sizeof path, "%s/epoch", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, FILE_LEN);

    uint8_t a[32], b[32], c[32];
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt, a), MM_OK);
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt, b), MM_OK);
    assert_memory_equal(a, b, 32);
    /* Camera, start and salt each change the key. */
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam2", T0, salt, c), MM_OK);
    assert_memory_not_equal(a, c, 32);
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0 + 1, salt, c), MM_OK);
    assert_memory_not_equal(a, c, 32);
    uint8_t salt2[EDGE_SALT_LEN] = {0};
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt2, c), MM_OK);
    assert_memory_not_equal(a, c, 32);
    edge_keyring_close(kr);

    /* The time given to a reopen does not matter: the file decides. */
    assert_int_equal(edge_keyring_open(dir, T0 + 5 * EDGE_EPOCH_US, &kr), MM_OK);
    assert_int_equal(edge_keyring_oldest(kr), H);
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt, b), MM_OK);
    assert_memory_equal(a, b, 32);
    edge_keyring_close(kr);
    edge_keyring_close(NULL);

    /* A second directory has its own random key. */
    char other[300];
    snprintf(other, sizeof other, "%s/other", (char *)*state);
    assert_int_equal(edge_keyring_open(other, T0, &kr), MM_OK);
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt, b), MM_OK);
    assert_memory_not_equal(a, b, 32);
    edge_keyring_close(kr);
}

static void segment_key_follows_the_stated_formula(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    uint8_t file[FILE_LEN + 8];
    size_t len;
    read_file(dir, "epoch", file, sizeof file, &len);
    assert_int_equal(len, FILE_LEN);
    assert_memory_equal(file, "MMKEY1\n\x01", 8);
    assert_int_equal(be64(file + 8), H);
    uint8_t sum[32];
    mm_sha256(file, 48, sum);
    assert_memory_equal(file + 48, sum, 32);

    uint8_t want[32], got[32];
    segment_key_by_hand(file + 16, "cam1", T0, want);
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt, got), MM_OK);
    assert_memory_equal(got, want, 32);

    /* An epoch ahead of h0 uses the ratcheted key (what the recorder does every hour). */
    uint8_t k1[32];
    ratchet(file + 16, k1);
    segment_key_by_hand(k1, "cam1", T0 + EDGE_EPOCH_US, want);
    assert_int_equal(edge_keyring_segment_key(kr, H + 1, "cam1", T0 + EDGE_EPOCH_US, salt, got),
                     MM_OK);
    assert_memory_equal(got, want, 32);
    edge_keyring_close(kr);
}

/* R-N7.5, R-K2.2.6c */
static void advance_erases_older_epochs_for_good(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    uint8_t before[FILE_LEN], k0[32], k1[32];
    size_t len;
    read_file(dir, "epoch", before, sizeof before, &len);
    memcpy(k0, before + 16, 32);
    ratchet(k0, k1);

    uint8_t key[32];
    /* Derive keys of H and H+1 first, so that the cache holds them when the ratchet passes. */
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt, key), MM_OK);
    assert_int_equal(edge_keyring_segment_key(kr, H + 1, "cam1", T0, salt, key), MM_OK);
    assert_int_equal(edge_keyring_advance(kr, H + 2), MM_OK);
    assert_int_equal(edge_keyring_oldest(kr), H + 2);
    memset(key, 0x5a, sizeof key);
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt, key), MM_EERASED);
    assert_int_equal(edge_keyring_segment_key(kr, H + 1, "cam1", T0, salt, key), MM_EERASED);
    assert_int_equal(edge_keyring_segment_key(kr, H + 2, "cam1", T0, salt, key), MM_OK);

    /* Going back, or standing still, changes nothing. */
    assert_int_equal(edge_keyring_advance(kr, H), MM_OK);
    assert_int_equal(edge_keyring_advance(kr, H + 2), MM_OK);
    assert_int_equal(edge_keyring_oldest(kr), H + 2);
    edge_keyring_close(kr);

    /* The file: same size, the new h0, and neither erased key anywhere in it. */
    uint8_t after[FILE_LEN + 8];
    read_file(dir, "epoch", after, sizeof after, &len);
    assert_int_equal(len, FILE_LEN);
    assert_int_equal(be64(after + 8), H + 2);
    assert_false(contains(after, len, k0, 32));
    assert_false(contains(after, len, k1, 32));

    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    assert_int_equal(edge_keyring_oldest(kr), H + 2);
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt, key), MM_EERASED);
    assert_int_equal(edge_keyring_segment_key(kr, H + 1, "cam1", T0, salt, key), MM_EERASED);
    edge_keyring_close(kr);
    mm_wipe(k0, 32);
    mm_wipe(k1, 32);
}

/* R-N7.5 */
static void ratchet_gives_the_same_keys_before_and_after_advance(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    const int64_t start = T0 + 2 * EDGE_EPOCH_US;
    uint8_t ahead[32], ahead3[32], after[32];
    assert_int_equal(edge_keyring_segment_key(kr, H + 2, "cam1", start, salt, ahead), MM_OK);
    assert_int_equal(
        edge_keyring_segment_key(kr, H + 3, "cam1", start + EDGE_EPOCH_US, salt, ahead3), MM_OK);
    uint8_t file[FILE_LEN], k[32];
    size_t len;
    read_file(dir, "epoch", file, sizeof file, &len);
    ratchet(file + 16, k);
    ratchet(k, k);

    assert_int_equal(edge_keyring_advance(kr, H + 2), MM_OK);
    assert_int_equal(edge_keyring_segment_key(kr, H + 2, "cam1", start, salt, after), MM_OK);
    assert_memory_equal(ahead, after, 32);
    edge_keyring_close(kr);

    /* After a reopen nothing is cached: the key comes from the file, which holds K[H+2]. */
    read_file(dir, "epoch", file, sizeof file, &len);
    assert_memory_equal(file + 16, k, 32);
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    assert_int_equal(edge_keyring_segment_key(kr, H + 2, "cam1", start, salt, after), MM_OK);
    assert_memory_equal(ahead, after, 32);
    assert_int_equal(
        edge_keyring_segment_key(kr, H + 3, "cam1", start + EDGE_EPOCH_US, salt, after), MM_OK);
    assert_memory_equal(ahead3, after, 32);
    edge_keyring_close(kr);
}

static void far_future_epoch_is_out_of_range(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    uint8_t key[32];
    const int64_t ten_years = 10LL * 8766;
    assert_int_equal(edge_keyring_segment_key(kr, H + ten_years + 1, "cam1", T0, salt, key),
                     MM_ERANGE);
    assert_int_equal(edge_keyring_segment_key(kr, INT64_MAX, "cam1", T0, salt, key), MM_ERANGE);
    assert_int_equal(edge_keyring_segment_key(kr, INT64_MIN, "cam1", T0, salt, key), MM_EERASED);
    /* Advancing that far is refused as well, and leaves the keyring as it was. */
    assert_int_equal(edge_keyring_advance(kr, INT64_MAX), MM_ERANGE);
    assert_int_equal(edge_keyring_oldest(kr), H);
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt, key), MM_OK);
    edge_keyring_close(kr);
}

static void segment_key_refuses_bad_camera(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    uint8_t key[32];
    char longname[65];
    memset(longname, 'c', 64);
    longname[64] = 0;
    assert_int_equal(edge_keyring_segment_key(kr, H, "", T0, salt, key), MM_EINVAL);
    assert_int_equal(edge_keyring_segment_key(kr, H, NULL, T0, salt, key), MM_EINVAL);
    assert_int_equal(edge_keyring_segment_key(kr, H, longname, T0, salt, key), MM_EINVAL);
    longname[63] = 0;
    assert_int_equal(edge_keyring_segment_key(kr, H, longname, T0, salt, key), MM_OK);
    edge_keyring_close(kr);
}

static void expect_refused_and_untouched(const char *dir, const uint8_t *content, size_t len)
{
    edge_keyring_t *kr = (edge_keyring_t *)1;
    assert_int_equal(edge_keyring_open(dir, T0 + 7 * EDGE_EPOCH_US, &kr), MM_ECORRUPT);
    assert_null(kr);
    uint8_t now[FILE_LEN + 8];
    size_t n;
    read_file(dir, "epoch", now, sizeof now, &n);
    assert_int_equal(n, len);
    assert_memory_equal(now, content, len);
}

static void damaged_epoch_file_is_refused_and_never_replaced(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    edge_keyring_close(kr);
    uint8_t good[FILE_LEN], bad[FILE_LEN + 1];
    size_t len;
    read_file(dir, "epoch", good, sizeof good, &len);

    /* One flipped bit anywhere: magic, version, h0, key or checksum. */
    for (size_t i = 0; i < FILE_LEN; i += 7) {
        memcpy(bad, good, FILE_LEN);
        bad[i] ^= 0x01;
        write_file(dir, "epoch", bad, FILE_LEN);
        expect_refused_and_untouched(dir, bad, FILE_LEN);
    }
    /* Truncated, empty, one byte too long. */
    write_file(dir, "epoch", good, 40);
    expect_refused_and_untouched(dir, good, 40);
    write_file(dir, "epoch", good, 0);
    expect_refused_and_untouched(dir, good, 0);
    memcpy(bad, good, FILE_LEN);
    bad[FILE_LEN] = 0;
    write_file(dir, "epoch", bad, FILE_LEN + 1);
    expect_refused_and_untouched(dir, bad, FILE_LEN + 1);

    /* Restored, it opens again with its old key. */
    write_file(dir, "epoch", good, FILE_LEN);
    assert_int_equal(edge_keyring_open(dir, T0 + 7 * EDGE_EPOCH_US, &kr), MM_OK);
    assert_int_equal(edge_keyring_oldest(kr), H);
    edge_keyring_close(kr);
}

static void hold_wraps_and_unwraps_bound_to_aad(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    assert_false(edge_keyring_hold_exists(kr, "case-2024.17"));
    assert_int_equal(edge_keyring_hold_create(kr, "case-2024.17"), MM_OK);
    assert_true(edge_keyring_hold_exists(kr, "case-2024.17"));
    assert_int_equal(edge_keyring_hold_create(kr, "case-2024.17"), MM_EEXIST);

    char path[300];
    struct stat st;
    snprintf(path, sizeof path, "%s/hold-case-2024.17", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);

    uint8_t sk[32], wrapped[EDGE_WRAPPED_LEN], wrapped2[EDGE_WRAPPED_LEN], back[32];
    assert_int_equal(edge_keyring_segment_key(kr, H, "cam1", T0, salt, sk), MM_OK);
    const char aad[] = "cam1 1728000000001234";
    assert_int_equal(edge_keyring_hold_wrap(kr, "case-2024.17", sk, aad, sizeof aad, wrapped),
                     MM_OK);
    assert_false(contains(wrapped, sizeof wrapped, sk, 32));
    /* A fresh nonce every time. */
    assert_int_equal(edge_keyring_hold_wrap(kr, "case-2024.17", sk, aad, sizeof aad, wrapped2),
                     MM_OK);
    assert_memory_not_equal(wrapped, wrapped2, 12);

    assert_int_equal(edge_keyring_hold_unwrap(kr, "case-2024.17", wrapped, aad, sizeof aad, back),
                     MM_OK);
    assert_memory_equal(back, sk, 32);

    /* Another segment's aad, a changed byte, or another hold: MM_EVERIFY. */
    const char other[] = "cam1 1728000000001235";
    assert_int_equal(
        edge_keyring_hold_unwrap(kr, "case-2024.17", wrapped, other, sizeof other, back),
        MM_EVERIFY);
    for (size_t i = 0; i < EDGE_WRAPPED_LEN; i += 11) {
        uint8_t w[EDGE_WRAPPED_LEN];
        memcpy(w, wrapped, sizeof w);
        w[i] ^= 0x40;
        assert_int_equal(edge_keyring_hold_unwrap(kr, "case-2024.17", w, aad, sizeof aad, back),
                         MM_EVERIFY);
    }
    assert_int_equal(edge_keyring_hold_create(kr, "other"), MM_OK);
    assert_int_equal(edge_keyring_hold_unwrap(kr, "other", wrapped, aad, sizeof aad, back),
                     MM_EVERIFY);

    /* A hold that was never created has no key to wrap under. */
    assert_int_equal(edge_keyring_hold_wrap(kr, "nohold", sk, aad, sizeof aad, wrapped2),
                     MM_ENOTFOUND);

    /* Holds survive a reopen. */
    edge_keyring_close(kr);
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    assert_int_equal(edge_keyring_hold_unwrap(kr, "case-2024.17", wrapped, aad, sizeof aad, back),
                     MM_OK);
    assert_memory_equal(back, sk, 32);
    edge_keyring_close(kr);
}

/* R-N7.5, R-K2.2.6c */
static void hold_destroy_makes_wrapped_keys_useless(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    assert_int_equal(edge_keyring_hold_create(kr, "h1"), MM_OK);
    uint8_t sk[32] = {7}, wrapped[EDGE_WRAPPED_LEN], back[32];
    assert_int_equal(edge_keyring_hold_wrap(kr, "h1", sk, "a", 1, wrapped), MM_OK);

    /* The ratchet passing the segment's epoch does not touch the hold. */
    assert_int_equal(edge_keyring_advance(kr, H + 5), MM_OK);
    assert_int_equal(edge_keyring_hold_unwrap(kr, "h1", wrapped, "a", 1, back), MM_OK);
    assert_memory_equal(back, sk, 32);

    assert_int_equal(edge_keyring_hold_destroy(kr, "h1"), MM_OK);
    assert_false(edge_keyring_hold_exists(kr, "h1"));
    char path[300];
    snprintf(path, sizeof path, "%s/hold-h1", dir);
    assert_int_equal(access(path, F_OK), -1);
    memset(back, 0x5a, sizeof back);
    assert_int_equal(edge_keyring_hold_unwrap(kr, "h1", wrapped, "a", 1, back), MM_EERASED);
    assert_int_equal(edge_keyring_hold_wrap(kr, "h1", sk, "a", 1, wrapped), MM_ENOTFOUND);
    assert_int_equal(edge_keyring_hold_destroy(kr, "h1"), MM_ENOTFOUND);
    edge_keyring_close(kr);

    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    assert_int_equal(edge_keyring_hold_unwrap(kr, "h1", wrapped, "a", 1, back), MM_EERASED);
    /* The id may be used again, for a new key that opens nothing old. */
    assert_int_equal(edge_keyring_hold_create(kr, "h1"), MM_OK);
    assert_int_equal(edge_keyring_hold_unwrap(kr, "h1", wrapped, "a", 1, back), MM_EVERIFY);
    edge_keyring_close(kr);
}

static void damaged_hold_file_is_corrupt(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    assert_int_equal(edge_keyring_hold_create(kr, "h2"), MM_OK);
    uint8_t sk[32] = {9}, wrapped[EDGE_WRAPPED_LEN], back[32];
    assert_int_equal(edge_keyring_hold_wrap(kr, "h2", sk, "a", 1, wrapped), MM_OK);
    uint8_t k[40];
    size_t len;
    read_file(dir, "hold-h2", k, sizeof k, &len);
    assert_int_equal(len, 32);
    write_file(dir, "hold-h2", k, 31);
    assert_int_equal(edge_keyring_hold_unwrap(kr, "h2", wrapped, "a", 1, back), MM_ECORRUPT);
    write_file(dir, "hold-h2", k, 33);
    assert_int_equal(edge_keyring_hold_wrap(kr, "h2", sk, "a", 1, wrapped), MM_ECORRUPT);
    /* A damaged hold can still be destroyed. */
    assert_int_equal(edge_keyring_hold_destroy(kr, "h2"), MM_OK);
    assert_false(edge_keyring_hold_exists(kr, "h2"));
    edge_keyring_close(kr);
}

static void bad_hold_ids_are_invalid(void **state)
{
    char dir[256];
    kr_dir(state, dir, sizeof dir);
    edge_keyring_t *kr = NULL;
    assert_int_equal(edge_keyring_open(dir, T0, &kr), MM_OK);
    char longid[65];
    memset(longid, 'h', 64);
    longid[64] = 0;
    const char *bad[] = {"", "a/b", "../epoch", "a b", "h\xc3\xa9", "x\n", longid, NULL};
    uint8_t sk[32] = {0}, wrapped[EDGE_WRAPPED_LEN] = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(edge_keyring_hold_create(kr, bad[i]), MM_EINVAL);
        assert_false(edge_keyring_hold_exists(kr, bad[i]));
        assert_int_equal(edge_keyring_hold_wrap(kr, bad[i], sk, "a", 1, wrapped), MM_EINVAL);
        assert_int_equal(edge_keyring_hold_unwrap(kr, bad[i], wrapped, "a", 1, sk), MM_EINVAL);
        assert_int_equal(edge_keyring_hold_destroy(kr, bad[i]), MM_EINVAL);
    }
    /* 63 characters of the whole set are fine. */
    longid[63] = 0;
    memcpy(longid, "Az09._-", 7);
    assert_int_equal(edge_keyring_hold_create(kr, longid), MM_OK);
    assert_int_equal(edge_keyring_hold_destroy(kr, longid), MM_OK);
    edge_keyring_close(kr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(epoch_of_floors_negative_and_boundary_times),
        cmocka_unit_test_setup_teardown(a_directory_open_to_others_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(
            open_creates_private_files_and_reopen_gives_same_segment_key, setup, teardown),
        cmocka_unit_test_setup_teardown(segment_key_follows_the_stated_formula, setup, teardown),
        cmocka_unit_test_setup_teardown(advance_erases_older_epochs_for_good, setup, teardown),
        cmocka_unit_test_setup_teardown(ratchet_gives_the_same_keys_before_and_after_advance, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(far_future_epoch_is_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(segment_key_refuses_bad_camera, setup, teardown),
        cmocka_unit_test_setup_teardown(damaged_epoch_file_is_refused_and_never_replaced, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(hold_wraps_and_unwraps_bound_to_aad, setup, teardown),
        cmocka_unit_test_setup_teardown(hold_destroy_makes_wrapped_keys_useless, setup, teardown),
        cmocka_unit_test_setup_teardown(damaged_hold_file_is_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_hold_ids_are_invalid, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
