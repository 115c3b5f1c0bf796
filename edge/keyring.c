/*
 * keyring.c: the epoch-key ratchet, segment keys and hold keys (see keyring.h).
 *
 * What must stay true: at any time the epoch file holds exactly one key, K[h0], and memory holds
 * no key of an epoch below h0. Keys of later epochs are recomputed from K[h0] on demand; the one
 * most recently derived is cached, because ingest asks for the current hour's key for every
 * segment. Advancing writes K[new h0] over the old bytes before anything in memory changes, so
 * a failed write leaves both file and memory at a valid state, and only then wipes what memory
 * holds of older epochs.
 *
 * The epoch file is created under a temporary name and linked into place once complete, so that
 * a crash while creating it cannot leave a half-written "epoch" that later opens refuse. A file
 * named "epoch" that does not check is never replaced: it may be the only key to the footage.
 *
 * One mutex guards everything, including the hold-key files, so that a destroy cannot interleave
 * with a wrap or unwrap of the same hold. Key derivation is a few microseconds per ratchet step;
 * holding the lock across it is cheap next to writing video.
 */
#include "edge/keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/entry.h"

/*
 * The epoch file: magic (7), version (1), h0 BE64 (8), K[h0] (32), SHA-256 of those 48 (32).
 * That is 80 bytes.
 */
#define EPOCH_MAGIC "MMKEY1\n"
#define EPOCH_MAGIC_LEN 7
#define EPOCH_VERSION 1
#define EPOCH_BODY_LEN (EPOCH_MAGIC_LEN + 1 + 8 + EDGE_KEY_LEN)
#define EPOCH_FILE_LEN (EPOCH_BODY_LEN + MM_SHA256_LEN)
#define EPOCH_NAME "epoch"
#define EPOCH_TMP_NAME ".epoch.new"

/* Ten years of hours (365.25 days a year): the furthest a key is ratcheted forward. */
#define MAX_AHEAD_EPOCHS (10LL * 8766LL)

#define HOLD_PREFIX "hold-"
#define HOLD_NAME_MAX (sizeof(HOLD_PREFIX) + MM_ID_MAX)

static const char ratchet_info[] = "mimamori/v1 epoch ratchet";
static const char segment_info[] = "mimamori/v1 segment";

struct edge_keyring {
    pthread_mutex_t mu;
    char *dir;
    int dirfd;
    int epochfd;
    int64_t h0;
    uint8_t k0[EDGE_KEY_LEN];
    /* The newest epoch key derived so far, if any; never of an epoch below h0. */
    int cached;
    int64_t cache_h;
    uint8_t cache_k[EDGE_KEY_LEN];
};

int64_t edge_epoch_of(int64_t time_us)
{
    int64_t q = time_us / EDGE_EPOCH_US;
    if (time_us % EDGE_EPOCH_US < 0) {
        q--;
    }
    return q;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static void epoch_encode(int64_t h, const uint8_t k[EDGE_KEY_LEN], uint8_t buf[EPOCH_FILE_LEN])
{
    memcpy(buf, EPOCH_MAGIC, EPOCH_MAGIC_LEN);
    buf[EPOCH_MAGIC_LEN] = EPOCH_VERSION;
    put_be64(buf + EPOCH_MAGIC_LEN + 1, (uint64_t)h);
    memcpy(buf + EPOCH_MAGIC_LEN + 1 + 8, k, EDGE_KEY_LEN);
    mm_sha256(buf, EPOCH_BODY_LEN, buf + EPOCH_BODY_LEN);
}

static mm_err_t epoch_decode(const uint8_t buf[EPOCH_FILE_LEN], int64_t *h, uint8_t k[EDGE_KEY_LEN])
{
    uint8_t sum[MM_SHA256_LEN];
    mm_sha256(buf, EPOCH_BODY_LEN, sum);
    if (memcmp(buf, EPOCH_MAGIC, EPOCH_MAGIC_LEN) != 0 || buf[EPOCH_MAGIC_LEN] != EPOCH_VERSION ||
        memcmp(sum, buf + EPOCH_BODY_LEN, MM_SHA256_LEN) != 0) {
        return MM_ECORRUPT;
    }
    *h = (int64_t)get_be64(buf + EPOCH_MAGIC_LEN + 1);
    memcpy(k, buf + EPOCH_MAGIC_LEN + 1 + 8, EDGE_KEY_LEN);
    return MM_OK;
}

/* Writes all of buf at offset 0 and makes it durable. */
static mm_err_t write_sync(int fd, const void *buf, size_t len, const char *what, const char *dir)
{
    ssize_t n = pwrite(fd, buf, len, 0);
    if (n != (ssize_t)len) {
        MM_ERROR("keyring %s: cannot write %s: %s", dir, what,
                 n < 0 ? strerror(errno) : "short write");
        return MM_EIO;
    }
    if (fdatasync(fd) != 0) {
        MM_ERROR("keyring %s: cannot sync %s: %s", dir, what, strerror(errno));
        return MM_EIO;
    }
    return MM_OK;
}

static mm_err_t sync_dir(edge_keyring_t *kr)
{
    if (fsync(kr->dirfd) != 0) {
        MM_ERROR("keyring %s: cannot sync the directory: %s", kr->dir, strerror(errno));
        return MM_EIO;
    }
    return MM_OK;
}

/* One ratchet step; in and out may be the same buffer. */
static mm_err_t ratchet(const uint8_t in[EDGE_KEY_LEN], uint8_t out[EDGE_KEY_LEN])
{
    uint8_t next[EDGE_KEY_LEN];
    mm_err_t err = mm_hkdf_sha256(in, EDGE_KEY_LEN, NULL, 0, (const uint8_t *)ratchet_info,
                                  sizeof(ratchet_info) - 1, next, EDGE_KEY_LEN);
    if (err == MM_OK) {
        memcpy(out, next, EDGE_KEY_LEN);
    }
    mm_wipe(next, sizeof(next));
    return err;
}

/*
 * K[epoch] for h0 <= epoch <= h0 + MAX_AHEAD_EPOCHS, from the cache when it is not past epoch,
 * else from K[h0]. Called with the lock held.
 */
static mm_err_t epoch_key(edge_keyring_t *kr, int64_t epoch, uint8_t k[EDGE_KEY_LEN])
{
    if (epoch < kr->h0) {
        return MM_EERASED;
    }
    if ((uint64_t)epoch - (uint64_t)kr->h0 > (uint64_t)MAX_AHEAD_EPOCHS) {
        return MM_ERANGE;
    }
    int64_t h = kr->h0;
    memcpy(k, kr->k0, EDGE_KEY_LEN);
    if (kr->cached && kr->cache_h <= epoch) {
        h = kr->cache_h;
        memcpy(k, kr->cache_k, EDGE_KEY_LEN);
    }
    for (; h < epoch; h++) {
        mm_err_t err = ratchet(k, k);
        if (err != MM_OK) {
            mm_wipe(k, EDGE_KEY_LEN);
            return err;
        }
    }
    if (!kr->cached || epoch > kr->cache_h) {
        kr->cached = 1;
        kr->cache_h = epoch;
        memcpy(kr->cache_k, k, EDGE_KEY_LEN);
    }
    return MM_OK;
}

/* Creates <dir>/epoch holding a random key for epoch h, complete or not at all. */
static mm_err_t epoch_create(edge_keyring_t *kr, int64_t h)
{
    uint8_t k[EDGE_KEY_LEN], buf[EPOCH_FILE_LEN];
    mm_err_t err = mm_random(k, sizeof(k));
    if (err != MM_OK) {
        goto out;
    }
    epoch_encode(h, k, buf);
    /* A leftover temporary file never became the key; its bytes are overwritten in place. */
    int fd = openat(kr->dirfd, EPOCH_TMP_NAME, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        MM_ERROR("keyring %s: cannot create %s: %s", kr->dir, EPOCH_TMP_NAME, strerror(errno));
        err = MM_EIO;
        goto out;
    }
    err = write_sync(fd, buf, sizeof(buf), EPOCH_TMP_NAME, kr->dir);
    if (err == MM_OK && ftruncate(fd, EPOCH_FILE_LEN) != 0) {
        MM_ERROR("keyring %s: cannot truncate %s: %s", kr->dir, EPOCH_TMP_NAME, strerror(errno));
        err = MM_EIO;
    }
    close(fd);
    /* link, not rename: a key file that appeared meanwhile is kept, never replaced. */
    if (err == MM_OK && linkat(kr->dirfd, EPOCH_TMP_NAME, kr->dirfd, EPOCH_NAME, 0) != 0 &&
        errno != EEXIST) {
        MM_ERROR("keyring %s: cannot link %s: %s", kr->dir, EPOCH_NAME, strerror(errno));
        err = MM_EIO;
    }
    if (err == MM_OK) {
        unlinkat(kr->dirfd, EPOCH_TMP_NAME, 0);
        err = sync_dir(kr);
    }
out:
    mm_wipe(k, sizeof(k));
    mm_wipe(buf, sizeof(buf));
    return err;
}

static mm_err_t epoch_load(edge_keyring_t *kr)
{
    uint8_t buf[EPOCH_FILE_LEN];
    struct stat st;
    mm_err_t err = MM_OK;
    kr->epochfd = openat(kr->dirfd, EPOCH_NAME, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (kr->epochfd < 0) {
        MM_ERROR("keyring %s: cannot open %s: %s", kr->dir, EPOCH_NAME, strerror(errno));
        return MM_EIO;
    }
    if (fstat(kr->epochfd, &st) != 0) {
        MM_ERROR("keyring %s: cannot stat %s: %s", kr->dir, EPOCH_NAME, strerror(errno));
        return MM_EIO;
    }
    if (!S_ISREG(st.st_mode) || st.st_size != EPOCH_FILE_LEN) {
        MM_ERROR("keyring %s: %s is not a file of %d bytes; refusing it", kr->dir, EPOCH_NAME,
                 EPOCH_FILE_LEN);
        return MM_ECORRUPT;
    }
    ssize_t n = pread(kr->epochfd, buf, sizeof(buf), 0);
    if (n != (ssize_t)sizeof(buf)) {
        MM_ERROR("keyring %s: cannot read %s: %s", kr->dir, EPOCH_NAME,
                 n < 0 ? strerror(errno) : "short read");
        err = MM_EIO;
    } else if (epoch_decode(buf, &kr->h0, kr->k0) != MM_OK) {
        MM_ERROR("keyring %s: %s does not check; refusing it", kr->dir, EPOCH_NAME);
        err = MM_ECORRUPT;
    }
    if (st.st_mode & 077) {
        MM_WARN("keyring %s: %s is readable by others (mode %o)", kr->dir, EPOCH_NAME,
                (unsigned)(st.st_mode & 0777));
    }
    mm_wipe(buf, sizeof(buf));
    return err;
}

mm_err_t edge_keyring_open(const char *dir, int64_t now_us, edge_keyring_t **out)
{
    mm_err_t err = MM_OK;
    edge_keyring_t *kr = calloc(1, sizeof(*kr));
    if (kr == NULL || (kr->dir = strdup(dir)) == NULL) {
        free(kr);
        return MM_ENOMEM;
    }
    kr->dirfd = -1;
    kr->epochfd = -1;
    pthread_mutex_init(&kr->mu, NULL);

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        MM_ERROR("keyring %s: cannot create the directory: %s", dir, strerror(errno));
        err = MM_EIO;
        goto out;
    }
    kr->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (kr->dirfd < 0) {
        MM_ERROR("keyring %s: cannot open the directory: %s", dir, strerror(errno));
        err = MM_EIO;
        goto out;
    }
    struct stat st;
    if (fstat(kr->dirfd, &st) == 0 && (st.st_mode & 077)) {
        /* the footage keys are the site's alone, as its signing key is (keys.h) */
        MM_ERROR("keyring %s: the directory of the footage keys is open to group or others "
                 "(mode %04o); run chmod 700 %s",
                 dir, (unsigned)(st.st_mode & 07777), dir);
        err = MM_EDENIED;
        goto out;
    }
    if (faccessat(kr->dirfd, EPOCH_NAME, F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) {
            MM_ERROR("keyring %s: cannot look for %s: %s", dir, EPOCH_NAME, strerror(errno));
            err = MM_EIO;
            goto out;
        }
        err = epoch_create(kr, edge_epoch_of(now_us));
        if (err != MM_OK) {
            goto out;
        }
        MM_INFO("keyring %s: new epoch key for epoch %lld", dir, (long long)edge_epoch_of(now_us));
    }
    err = epoch_load(kr);
out:
    if (err != MM_OK) {
        edge_keyring_close(kr);
        kr = NULL;
    }
    *out = kr;
    return err;
}

void edge_keyring_close(edge_keyring_t *kr)
{
    if (kr == NULL) {
        return;
    }
    mm_wipe(kr->k0, sizeof(kr->k0));
    mm_wipe(kr->cache_k, sizeof(kr->cache_k));
    if (kr->epochfd >= 0) {
        close(kr->epochfd);
    }
    if (kr->dirfd >= 0) {
        close(kr->dirfd);
    }
    pthread_mutex_destroy(&kr->mu);
    free(kr->dir);
    free(kr);
}

int64_t edge_keyring_oldest(edge_keyring_t *kr)
{
    pthread_mutex_lock(&kr->mu);
    int64_t h = kr->h0;
    pthread_mutex_unlock(&kr->mu);
    return h;
}

mm_err_t edge_keyring_segment_key(edge_keyring_t *kr, int64_t epoch, const char *camera,
                                  int64_t start_us, const uint8_t salt[EDGE_SALT_LEN],
                                  uint8_t key[EDGE_KEY_LEN])
{
    size_t clen = camera != NULL ? strlen(camera) : 0;
    if (clen == 0 || clen >= MM_ID_MAX) {
        return MM_EINVAL;
    }
    uint8_t info[sizeof(segment_info) - 1 + MM_ID_MAX + 8];
    size_t n = sizeof(segment_info) - 1;
    memcpy(info, segment_info, n);
    memcpy(info + n, camera, clen);
    n += clen;
    info[n++] = 0x00;
    put_be64(info + n, (uint64_t)start_us);
    n += 8;

    uint8_t k[EDGE_KEY_LEN];
    pthread_mutex_lock(&kr->mu);
    mm_err_t err = epoch_key(kr, epoch, k);
    pthread_mutex_unlock(&kr->mu);
    if (err == MM_OK) {
        err = mm_hkdf_sha256(k, EDGE_KEY_LEN, salt, EDGE_SALT_LEN, info, n, key, EDGE_KEY_LEN);
    }
    mm_wipe(k, sizeof(k));
    return err;
}

mm_err_t edge_keyring_advance(edge_keyring_t *kr, int64_t new_h0)
{
    uint8_t k[EDGE_KEY_LEN], buf[EPOCH_FILE_LEN];
    mm_err_t err = MM_OK;
    pthread_mutex_lock(&kr->mu);
    if (new_h0 <= kr->h0) {
        goto out;
    }
    err = epoch_key(kr, new_h0, k);
    if (err != MM_OK) {
        goto out;
    }
    epoch_encode(new_h0, k, buf);
    err = write_sync(kr->epochfd, buf, sizeof(buf), EPOCH_NAME, kr->dir);
    if (err != MM_OK) {
        goto out;
    }
    kr->h0 = new_h0;
    memcpy(kr->k0, k, EDGE_KEY_LEN);
    if (kr->cached && kr->cache_h < new_h0) {
        kr->cached = 0;
        mm_wipe(kr->cache_k, sizeof(kr->cache_k));
    }
out:
    pthread_mutex_unlock(&kr->mu);
    mm_wipe(k, sizeof(k));
    mm_wipe(buf, sizeof(buf));
    return err;
}

/* Writes "hold-<id>" to name, or returns MM_EINVAL for an id that is not 1..63 of the set. */
static mm_err_t hold_name(const char *id, char name[HOLD_NAME_MAX])
{
    size_t n = id != NULL ? strlen(id) : 0;
    if (n == 0 || n >= MM_ID_MAX) {
        return MM_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.')) {
            return MM_EINVAL;
        }
    }
    snprintf(name, HOLD_NAME_MAX, HOLD_PREFIX "%s", id);
    return MM_OK;
}

/* Reads a hold key. missing is returned when the file does not exist. Lock held. */
static mm_err_t hold_read(edge_keyring_t *kr, const char *name, mm_err_t missing,
                          uint8_t k[EDGE_KEY_LEN])
{
    int fd = openat(kr->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) {
            return missing;
        }
        MM_ERROR("keyring %s: cannot open %s: %s", kr->dir, name, strerror(errno));
        return MM_EIO;
    }
    uint8_t buf[EDGE_KEY_LEN + 1];
    mm_err_t err = MM_OK;
    ssize_t n = pread(fd, buf, sizeof(buf), 0);
    if (n < 0) {
        MM_ERROR("keyring %s: cannot read %s: %s", kr->dir, name, strerror(errno));
        err = MM_EIO;
    } else if (n != EDGE_KEY_LEN) {
        MM_ERROR("keyring %s: %s holds %zd bytes, not %d", kr->dir, name, n, EDGE_KEY_LEN);
        err = MM_ECORRUPT;
    } else {
        memcpy(k, buf, EDGE_KEY_LEN);
    }
    close(fd);
    mm_wipe(buf, sizeof(buf));
    return err;
}

mm_err_t edge_keyring_hold_create(edge_keyring_t *kr, const char *hold_id)
{
    char name[HOLD_NAME_MAX];
    mm_err_t err = hold_name(hold_id, name);
    if (err != MM_OK) {
        return err;
    }
    uint8_t k[EDGE_KEY_LEN];
    pthread_mutex_lock(&kr->mu);
    int fd = openat(kr->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            err = MM_EEXIST;
        } else {
            MM_ERROR("keyring %s: cannot create %s: %s", kr->dir, name, strerror(errno));
            err = MM_EIO;
        }
        goto out;
    }
    err = mm_random(k, sizeof(k));
    if (err == MM_OK) {
        err = write_sync(fd, k, sizeof(k), name, kr->dir);
    }
    if (err != MM_OK) {
        /* Nothing was wrapped under this key yet: remove it rather than leave a broken hold. */
        static const uint8_t zero[EDGE_KEY_LEN];
        (void)!pwrite(fd, zero, sizeof(zero), 0);
        unlinkat(kr->dirfd, name, 0);
    }
    close(fd);
    if (err == MM_OK) {
        err = sync_dir(kr);
    }
out:
    pthread_mutex_unlock(&kr->mu);
    mm_wipe(k, sizeof(k));
    return err;
}

int edge_keyring_hold_exists(edge_keyring_t *kr, const char *hold_id)
{
    char name[HOLD_NAME_MAX];
    if (hold_name(hold_id, name) != MM_OK) {
        return 0;
    }
    pthread_mutex_lock(&kr->mu);
    int ok = faccessat(kr->dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
    pthread_mutex_unlock(&kr->mu);
    return ok;
}

mm_err_t edge_keyring_hold_wrap(edge_keyring_t *kr, const char *hold_id,
                                const uint8_t key[EDGE_KEY_LEN], const void *aad, size_t aad_len,
                                uint8_t wrapped[EDGE_WRAPPED_LEN])
{
    char name[HOLD_NAME_MAX];
    mm_err_t err = hold_name(hold_id, name);
    if (err != MM_OK) {
        return err;
    }
    uint8_t hk[EDGE_KEY_LEN];
    pthread_mutex_lock(&kr->mu);
    err = hold_read(kr, name, MM_ENOTFOUND, hk);
    pthread_mutex_unlock(&kr->mu);
    if (err == MM_OK) {
        err = mm_random(wrapped, MM_GCM_NONCE_LEN);
    }
    if (err == MM_OK) {
        err = mm_aes256gcm_seal(hk, wrapped, aad, aad_len, key, EDGE_KEY_LEN,
                                wrapped + MM_GCM_NONCE_LEN,
                                wrapped + MM_GCM_NONCE_LEN + EDGE_KEY_LEN);
    }
    mm_wipe(hk, sizeof(hk));
    return err;
}

mm_err_t edge_keyring_hold_unwrap(edge_keyring_t *kr, const char *hold_id,
                                  const uint8_t wrapped[EDGE_WRAPPED_LEN], const void *aad,
                                  size_t aad_len, uint8_t key[EDGE_KEY_LEN])
{
    char name[HOLD_NAME_MAX];
    mm_err_t err = hold_name(hold_id, name);
    if (err != MM_OK) {
        return err;
    }
    uint8_t hk[EDGE_KEY_LEN];
    pthread_mutex_lock(&kr->mu);
    err = hold_read(kr, name, MM_EERASED, hk);
    pthread_mutex_unlock(&kr->mu);
    if (err == MM_OK) {
        err = mm_aes256gcm_open(hk, wrapped, aad, aad_len, wrapped + MM_GCM_NONCE_LEN, EDGE_KEY_LEN,
                                key, wrapped + MM_GCM_NONCE_LEN + EDGE_KEY_LEN);
    }
    mm_wipe(hk, sizeof(hk));
    return err;
}

mm_err_t edge_keyring_hold_destroy(edge_keyring_t *kr, const char *hold_id)
{
    char name[HOLD_NAME_MAX];
    mm_err_t err = hold_name(hold_id, name);
    if (err != MM_OK) {
        return err;
    }
    pthread_mutex_lock(&kr->mu);
    int fd = openat(kr->dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) {
            err = MM_ENOTFOUND;
        } else {
            MM_ERROR("keyring %s: cannot open %s: %s", kr->dir, name, strerror(errno));
            err = MM_EIO;
        }
        goto out;
    }
    /* Zeros over every byte the file has, which is the key's 32 unless it was damaged. */
    struct stat st;
    uint8_t zero[4096] = {0};
    size_t len = EDGE_KEY_LEN;
    if (fstat(fd, &st) == 0 && st.st_size > EDGE_KEY_LEN) {
        len = st.st_size < (off_t)sizeof(zero) ? (size_t)st.st_size : sizeof(zero);
    }
    err = write_sync(fd, zero, len, name, kr->dir);
    close(fd);
    if (err != MM_OK) {
        goto out;
    }
    if (unlinkat(kr->dirfd, name, 0) != 0) {
        MM_ERROR("keyring %s: cannot remove %s: %s", kr->dir, name, strerror(errno));
        err = MM_EIO;
        goto out;
    }
    err = sync_dir(kr);
out:
    pthread_mutex_unlock(&kr->mu);
    return err;
}
