/*
 * age.h: encryption to an X25519 recipient in the age format (age-encryption.org/v1), so that a
 * requester decrypts a disclosure export with the standard `age` tool (issue 6, DESIGN.md
 * "Disclosure").
 *
 * Only what an export needs: one X25519 recipient ("age1..." in Bech32), binary output (no
 * armor), the plaintext streamed in. The format, as the age specification gives it:
 *
 *   header   "age-encryption.org/v1\n"
 *            "-> X25519 " base64(ephemeral share) "\n" base64(wrapped file key) "\n"
 *            "---" " " base64(HMAC-SHA256 over the header up to "---") "\n"
 *   payload  a 16-byte nonce, then the plaintext in 64 KiB chunks, each ChaCha20-Poly1305 under
 *            HKDF-SHA256(file key, nonce, "payload") with an 11-byte big-endian counter and a
 *            last-chunk flag as its nonce.
 *
 * base64 is the standard alphabet without padding, wrapped at 64 columns. The file key is 16
 * random bytes, wrapped with HKDF-SHA256(X25519(ephemeral, recipient), share || recipient,
 * "age-encryption.org/v1/X25519") and a zero nonce. Nothing here decrypts: the requester does.
 */
#ifndef MM_AGE_H
#define MM_AGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define MM_AGE_CHUNK (64 * 1024)
/* The most ciphertext given to the sink at once: 16 sealed chunks. */
#define MM_AGE_SINK_MAX (16 * (MM_AGE_CHUNK + 16))

/* Decodes "age1..." (Bech32, HRP "age", checksum checked) into the 32-byte X25519 public key.
 * MM_EINVAL naming nothing more: a recipient is right or it is not. */
mm_err_t mm_age_recipient_parse(const char *text, uint8_t pub[32]);

typedef struct mm_age_writer mm_age_writer_t;

/* Where encrypted bytes go: returns 0, or -1 to stop (the writer then fails with MM_EIO). */
typedef int (*mm_age_sink_fn)(void *arg, const uint8_t *data, size_t len);

/* Starts an encryption to recipient: the header goes to sink at once. */
mm_err_t mm_age_begin(const uint8_t recipient[32], mm_age_sink_fn sink, void *arg,
                      mm_age_writer_t **out);
/* Encrypts len more bytes of plaintext. The ciphertext goes to the sink up to 1 MiB at a time,
 * not necessarily before mm_age_write returns: all of it by mm_age_end. */
mm_err_t mm_age_write(mm_age_writer_t *w, const void *data, size_t len);
/* Writes the last chunk and frees w (also after an error: then nothing more is written). */
mm_err_t mm_age_end(mm_age_writer_t *w);

#endif
