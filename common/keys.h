/*
 * keys.h: the key pairs of a site or of the hub, and the files that hold them.
 *
 * Each party has two key pairs: Ed25519 for signing (checkpoints, cosignatures, manifests) and a
 * CURVE (Curve25519) pair for ZeroMQ transport encryption and authentication. A key file is JSON
 * with mode 0600:
 *
 *   {"name": "site-a", "sign_seed": "<base64 32 bytes>",
 *    "curve_public": "<Z85 40 chars>", "curve_secret": "<Z85 40 chars>"}
 *
 * The public halves are given to the other side as a signed-note verifier key
 * ("name+keyid+base64", see note.h) and the Z85 CURVE public key.
 */
#ifndef MM_KEYS_H
#define MM_KEYS_H

#include "common/crypto.h"
#include "common/err.h"

#define MM_KEY_NAME_MAX 64
#define MM_Z85_KEY_LEN 40

typedef struct {
    char name[MM_KEY_NAME_MAX];               /* key name in signed notes; see mm_keys_name_ok */
    mm_ed25519_t sign;                        /* signing pair, with secret */
    char curve_public[MM_Z85_KEY_LEN + 1];    /* Z85, NUL-terminated */
    char curve_secret[MM_Z85_KEY_LEN + 1];    /* Z85, NUL-terminated */
} mm_keypair_t;

/*
 * Returns non-zero when name may be a key name: 1..63 bytes of [A-Za-z0-9._-], which keeps it
 * valid as a signed-note key name (no spaces, no '+') and as a site id in URLs.
 */
int mm_keys_name_ok(const char *name);

/*
 * Decodes a 40-character Z85 CURVE key into 32 bytes (raw may be NULL to only check it).
 * Returns MM_OK or MM_EPARSE.
 */
mm_err_t mm_keys_z85_decode(const char *z85, uint8_t *raw);

/* Generates both pairs. Returns MM_OK, MM_EINVAL for a bad name, or MM_ECRYPTO. */
mm_err_t mm_keys_generate(const char *name, mm_keypair_t *out);

/*
 * Writes k to path with mode 0600, refusing to overwrite an existing file (MM_EEXIST).
 * Returns MM_OK, MM_EEXIST or MM_EIO.
 */
mm_err_t mm_keys_save(const mm_keypair_t *k, const char *path);

/*
 * Loads a key file. On failure returns MM_EIO (unreadable), MM_ECONFIG (a missing or malformed
 * field, or a file readable by group or others) and writes a message naming the file and the
 * field into err (cap bytes, may be NULL).
 */
mm_err_t mm_keys_load(const char *path, mm_keypair_t *out, char *err, size_t cap);

/* Writes this pair's signed-note verifier key ("name+keyid+base64") into out. */
mm_err_t mm_keys_verifier(const mm_keypair_t *k, char *out, size_t cap);

/* Wipes the secrets in k. */
void mm_keys_wipe(mm_keypair_t *k);

#endif
