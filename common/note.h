/*
 * note.h: signed notes (C2SP signed-note), checkpoints (C2SP tlog-checkpoint) and witness
 * cosignatures (C2SP tlog-cosignature, cosignature/v1).
 *
 * A checkpoint body is three lines: origin, decimal tree size, base64 root hash. A note is the
 * body, a blank line, and one or more signature lines "— <name> <base64(keyid || signature)>",
 * where keyid is the first 4 bytes of SHA-256(name || "\n" || alg || public key).
 *
 *   alg 0x01, Ed25519: the signature is over the body bytes.
 *   alg 0x04, cosignature/v1: the signature is over "cosignature/v1\ntime <T>\n" || body and
 *   the line carries keyid || T (8 bytes, big-endian) || signature.
 *
 * Verifier keys are written "<name>+<keyid as 8 hex digits>+<base64(alg || public key)>"; that
 * is the form configuration files take for the other side's signing key.
 *
 * Parsers here read bytes from the network and from files: they bound every length, accept only
 * the canonical form (strict UTF-8, no control characters but '\n', canonical base64, decimal
 * without leading zeros), and never allocate. Signature lines that are well formed but cannot
 * be ours (a name of MM_KEY_NAME_MAX bytes or more, a signature longer than MM_NOTE_SIG_MAX,
 * as post-quantum ones are) are skipped, as C2SP asks verifiers to skip unknown keys.
 */
#ifndef MM_NOTE_H
#define MM_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "common/crypto.h"
#include "common/err.h"
#include "common/keys.h"
#include "common/merkle.h"

#define MM_NOTE_MAX 8192        /* longest note accepted */
#define MM_NOTE_MAX_SIGS 16     /* most signature lines kept from one note (C2SP: at least 16) */
#define MM_ORIGIN_MAX 128       /* longest origin line, without the newline */
#define MM_NOTE_SIG_MAX 80      /* longest decoded signature field: 4 + 8 + 64 */
#define MM_NOTE_LINE_MAX 256    /* room for one formatted signature line */
#define MM_VERIFIER_MAX 160     /* room for one formatted verifier key */

typedef enum { MM_NOTE_ALG_ED25519 = 0x01, MM_NOTE_ALG_COSIG_V1 = 0x04 } mm_note_alg_t;

typedef struct {
    char name[MM_KEY_NAME_MAX];
    uint8_t alg;
    uint8_t id[4];
    uint8_t pub[MM_ED25519_PUB_LEN];
} mm_note_verifier_t;

/* A checkpoint. time: when its signer signed it, in seconds since the epoch by the signer's
 * clock, carried as the extension line "time <decimal seconds>" (0: none; a site's edge writes
 * it, so that the hub can compare the site's clock with its own, hub/watch.h). */
typedef struct {
    char origin[MM_ORIGIN_MAX + 1];
    uint64_t size;
    mm_hash_t root;
    uint64_t time;
} mm_checkpoint_t;

typedef struct {
    char name[MM_KEY_NAME_MAX];
    uint8_t id[4];
    uint8_t sig[MM_NOTE_SIG_MAX]; /* decoded signature field after the key id */
    size_t sig_len;
} mm_note_sig_t;

/* A note split into body and signature lines. body points into the parsed text. */
typedef struct {
    const char *body;
    size_t body_len;
    size_t nsigs;
    mm_note_sig_t sigs[MM_NOTE_MAX_SIGS];
} mm_note_t;

/* Builds a verifier from its parts, computing the key id. MM_EINVAL for a bad name or alg. */
mm_err_t mm_note_verifier_make(const char *name, mm_note_alg_t alg,
                               const uint8_t pub[MM_ED25519_PUB_LEN], mm_note_verifier_t *out);
/* Parses "name+hex+base64". MM_EPARSE when malformed or when the key id does not match. */
mm_err_t mm_note_verifier_parse(const char *text, mm_note_verifier_t *out);
/* Formats v; cap >= MM_VERIFIER_MAX is always enough. */
mm_err_t mm_note_verifier_format(const mm_note_verifier_t *v, char *out, size_t cap);

/*
 * Writes the checkpoint body (three lines, then "time <T>" when cp->time is not 0, each ending
 * in '\n') and a NUL. MM_EINVAL when the origin is empty, longer than MM_ORIGIN_MAX or holds
 * control characters, or time is over 2^63 - 1; MM_ERANGE when cap is short.
 */
mm_err_t mm_checkpoint_body(const mm_checkpoint_t *cp, char *out, size_t cap, size_t *len);
/* Parses a body; extension lines after the root are allowed and ignored, but for the first
 * "time <T>" line (T canonical decimal, at most 2^63 - 1), which sets out->time (0 without
 * one; a "time" line in another form is an ordinary extension line). MM_EPARSE if bad. */
mm_err_t mm_checkpoint_parse_body(const char *body, size_t len, mm_checkpoint_t *out);

/*
 * Splits text into body and signature lines without checking any signature. Signature lines
 * beyond MM_NOTE_MAX_SIGS are checked for form and then ignored. MM_EPARSE or MM_ETOOBIG on
 * bad input.
 */
mm_err_t mm_note_parse(const char *text, size_t len, mm_note_t *out);

/*
 * Writes the Ed25519 signature line for body (which must end in '\n'), ending in '\n'.
 * MM_EINVAL for a bad name or body, MM_ERANGE when cap is short (MM_NOTE_LINE_MAX is enough).
 */
mm_err_t mm_note_sign(const char *body, size_t len, const char *name, const mm_ed25519_t *key,
                      char *line, size_t cap);

/*
 * Finds the signature lines of v (same name and key id) in note and checks them.
 * MM_OK when they all verify, MM_ENOTFOUND when there is none, MM_EVERIFY when one does not
 * verify (C2SP: a bad signature from a known key rejects the note).
 * For a cosignature verifier, writes its timestamp to *timestamp when not NULL.
 */
mm_err_t mm_note_verify(const mm_note_t *note, const mm_note_verifier_t *v, uint64_t *timestamp);

/*
 * Writes the cosignature/v1 line of body at time timestamp (seconds since the epoch, at most
 * 2^63 - 1), ending in '\n'. MM_EINVAL for a bad name, body or timestamp, MM_ERANGE when cap is
 * short.
 */
mm_err_t mm_cosig_sign(const char *body, size_t len, const char *name, const mm_ed25519_t *key,
                       uint64_t timestamp, char *line, size_t cap);

/* As mm_cosig_sign, with a signer made once (crypto.h) instead of the key. */
mm_err_t mm_cosig_sign_with(const char *body, size_t len, const char *name,
                            const mm_ed25519_signer_t *signer, uint64_t timestamp, char *line,
                            size_t cap);

/* Signs cp as a complete note: body, blank line, signature line. */
mm_err_t mm_checkpoint_sign(const mm_checkpoint_t *cp, const char *name, const mm_ed25519_t *key,
                            char *out, size_t cap, size_t *len);

/*
 * Parses note text, checks the signature of signer, and parses the body into out.
 * MM_EPARSE, MM_ETOOBIG, MM_ENOTFOUND or MM_EVERIFY.
 */
mm_err_t mm_checkpoint_open(const char *text, size_t len, const mm_note_verifier_t *signer,
                            mm_checkpoint_t *out);

#endif
