/*
 * keyring.h: the keys that encrypt footage, and their destruction (cryptographic erasure,
 * R-N7.5, R-K2.2.6c).
 *
 * Epochs are UTC hours: epoch h covers [h × 3600 s, (h + 1) × 3600 s) since the Unix epoch, and
 * a segment belongs to the epoch of its start_us. Epoch keys form a forward ratchet
 *
 *     K[h + 1] = HKDF-SHA256(ikm = K[h], salt = none, info = "mimamori/v1 epoch ratchet")
 *
 * and the keyring file <dir>/epoch holds exactly one of them: K[h0] for the oldest epoch h0 still
 * inside retention, with h0. Advancing to h1 > h0 computes K[h1], overwrites the file in place
 * (same blocks: pwrite at offset 0, fdatasync) and wipes every cached key of an epoch below h1,
 * so that afterwards no key of an epoch before h1 exists anywhere: footage of those epochs can
 * no longer be decrypted by anyone. The first open creates the file with a random K for the
 * epoch of now.
 *
 * A segment's key is derived, never stored:
 *
 *     SK = HKDF-SHA256(ikm = K[epoch], salt = the segment's 16 random salt bytes,
 *                      info = "mimamori/v1 segment" || camera || 0x00 || start_us (BE64))
 *
 * Holds. A legal hold has its own random 32-byte key in <dir>/hold-<hold id>. Before the ratchet
 * passes an epoch, the keys of held segments in it are wrapped under the hold key (AES-256-GCM,
 * the aad binding the wrap to the segment) and kept in LMDB by the caller; releasing the hold
 * overwrites its key file with zeros, fsyncs and unlinks it, after which those wrapped keys
 * are useless.
 *
 * The file layout of <dir>/epoch: "MMKEY1\n" (7 bytes), version u8 = 1, h0 (BE64), K[h0] (32),
 * SHA-256 of the 48 bytes before it (32): 80 bytes. A file that does not check is refused
 * (MM_ECORRUPT), never replaced by a new key: that would silently lose all footage.
 * Files are mode 0600 in a directory of mode 0700.
 *
 * Limits stated plainly: overwriting in place destroys the old key on ordinary filesystems on
 * disks and on SD cards as far as the filesystem can; a copy-on-write filesystem or a flash
 * translation layer may keep old blocks that only the device can reach. docs/architecture.md
 * says what a site should run beneath (full-disk encryption whose key never leaves the box).
 *
 * All functions are thread-safe (ingest threads derive keys while the loop advances).
 */
#ifndef EDGE_KEYRING_H
#define EDGE_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define EDGE_KEY_LEN 32
#define EDGE_SALT_LEN 16
#define EDGE_EPOCH_US (3600LL * 1000000LL)
#define EDGE_WRAPPED_LEN (12 + 32 + 16) /* nonce || ciphertext || tag */

typedef struct edge_keyring edge_keyring_t;

/* The epoch (UTC hour number) of a time; floor division, so negative times work too. */
int64_t edge_epoch_of(int64_t time_us);

/*
 * Opens the keyring in dir (created with mode 0700 if missing). Creates the epoch file with a
 * random key for edge_epoch_of(now_us) when it does not exist. MM_ECORRUPT for a damaged file,
 * MM_EIO, MM_ECRYPTO.
 */
mm_err_t edge_keyring_open(const char *dir, int64_t now_us, edge_keyring_t **out);
/* Wipes every key in memory and frees. Accepts NULL. */
void edge_keyring_close(edge_keyring_t *kr);

/* h0: the oldest epoch whose footage can still be decrypted from the epoch key. */
int64_t edge_keyring_oldest(edge_keyring_t *kr);

/*
 * Derives the key of a segment (see above). MM_EERASED when epoch < h0: that key no longer
 * exists. Epochs far in the future (more than 10 years past h0) are MM_ERANGE.
 */
mm_err_t edge_keyring_segment_key(edge_keyring_t *kr, int64_t epoch, const char *camera,
                                  int64_t start_us, const uint8_t salt[EDGE_SALT_LEN],
                                  uint8_t key[EDGE_KEY_LEN]);

/*
 * Advances h0 to new_h0 and destroys every older epoch key (see above). new_h0 <= h0 does
 * nothing and returns MM_OK. On failure the file still holds a valid key (the old or the new).
 */
mm_err_t edge_keyring_advance(edge_keyring_t *kr, int64_t new_h0);

/* Creates the key of a hold (MM_EEXIST when it exists). hold ids are 1..63 of [A-Za-z0-9._-]. */
mm_err_t edge_keyring_hold_create(edge_keyring_t *kr, const char *hold_id);
/* Whether the hold's key exists. */
int edge_keyring_hold_exists(edge_keyring_t *kr, const char *hold_id);
/*
 * Wraps a segment key under the hold's key; aad (e.g. camera || start) is bound to the wrap.
 * MM_ENOTFOUND when the hold has no key.
 */
mm_err_t edge_keyring_hold_wrap(edge_keyring_t *kr, const char *hold_id,
                                const uint8_t key[EDGE_KEY_LEN], const void *aad, size_t aad_len,
                                uint8_t wrapped[EDGE_WRAPPED_LEN]);
/* Unwraps; MM_EERASED when the hold's key was destroyed, MM_EVERIFY when it does not open. */
mm_err_t edge_keyring_hold_unwrap(edge_keyring_t *kr, const char *hold_id,
                                  const uint8_t wrapped[EDGE_WRAPPED_LEN], const void *aad,
                                  size_t aad_len, uint8_t key[EDGE_KEY_LEN]);
/* Overwrites the hold's key file with zeros, fsyncs, unlinks, fsyncs the directory. */
mm_err_t edge_keyring_hold_destroy(edge_keyring_t *kr, const char *hold_id);

#endif
