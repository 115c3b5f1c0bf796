/*
 * export.h: a disclosure export — the only way footage leaves a site (R-K2.2.5, R-N7.3, R-N8;
 * DESIGN.md "Disclosure"). Called by the disclosure flow once the manager has approved a
 * request, never by an operator command.
 *
 * What it makes, streamed into the age format to the requester's X25519 key (common/age.h), so
 * that the requester decrypts it with the standard `age` tool: a tar archive (POSIX ustar) of
 *
 *   <request>/<camera>.mp4        each camera's footage, remuxed, not re-encoded (footage.h): the
 *                                 whole segments that overlap the requested range, so that
 *                                 each segment's content hash can be recomputed from the file
 *   <request>/manifest.json       what it is (format "mimamori-export/1"): site, request (id,
 *                                 legal basis, reference, requester, reason, recipient, and the
 *                                 statement of it the hub signed, with that signature), the
 *                                 requested range, and per camera the clip's bounds (the first
 *                                 segment's start to the last one's end), the MP4's SHA-256, the
 *                                 frames' content hash, and every segment in it, in order, with
 *                                 its times, frame count, content hash and site-log index (and,
 *                                 where the hub's checkpoint covers it, the entry's bytes and
 *                                 its inclusion proof to that checkpoint); the site's latest
 *                                 checkpoint cosigned by the hub; the site's time zone
 *   <request>/manifest.json.sig   Ed25519 signature of manifest.json's bytes by the site key
 *   <request>/site-key.pem        the site's public key, so that
 *                                 `openssl pkeyutl -verify -pubin -inkey site-key.pem -rawin
 *                                  -in manifest.json -sigfile manifest.json.sig` checks it
 *
 * A segment's frames are the next "frames" samples of the MP4 after those of the segments before
 * it: that is how mimamori-verify (verify.h) splits a clip to check it against the site log.
 * docs/protocol.md "Verifying an export" describes the manifest field by field.
 *
 * The clear MP4s are written to work_dir (mode 0600, removed before returning) only for as long
 * as it takes to stream them into the encryption.
 */
#ifndef EDGE_EXPORT_H
#define EDGE_EXPORT_H

#include <stdint.h>

#include "common/age.h"
#include "common/err.h"
#include "common/keys.h"
#include "edge/redact.h"
#include "edge/vault.h"

/* A region of one camera's picture kept clear in an own-image export (R-N8). */
typedef struct {
    const char *camera;
    edge_region_t region;
} edge_export_region_t;

typedef struct {
    const char *id;          /* the request's id: [A-Za-z0-9._-], names the archive's folder */
    const char *legal_basis; /* "consent", "law", "emergency", "own_images" */
    const char *reference;   /* the document reference (a warrant, an inquiry), or "" */
    const char *requester;
    const char *const *cameras;
    size_t n_cameras;
    int64_t from_us, to_us;
    uint8_t recipient[32];      /* the requester's X25519 key (mm_age_recipient_parse) */
    const char *recipient_text; /* the "age1..." it was parsed from, for the manifest, or NULL */
    const char *reason;         /* why the footage is asked for, or NULL */
    /* The site's time zone (an IANA name), so that the recipient's verifier shows times as the
     * site reads them; NULL: the manifest names none (the verifier shows UTC). */
    const char *timezone;
    /* The request as the hub signed it (docs/protocol.md, "Disclosure requests"): the disclosure
     * statement's exact text (mm_disclosure_statement) and the hub's 64-byte Ed25519 signature
     * over it, both or neither. The manifest carries them so that the recipient can check the
     * request against the hub's key, which does not vouch for the site key that signs the
     * manifest. The export does not check them: the disclosure flow did when the request came. */
    const char *hub_statement;
    const uint8_t *hub_signature;
    /* Own images (R-N8): when redact is set, every camera's clip is blurred but for its regions
     * (none: all of it) and re-encoded (redact.h); the manifest says "redacted": true and, per
     * camera, the regions kept and the encoder. The segments listed are still those of the
     * source, with their hashes and proofs: they name the footage the rendering was made from. */
    int redact;
    const edge_export_region_t *regions;
    size_t n_regions;
} edge_export_req_t;

typedef struct {
    size_t files;   /* in the archive */
    uint64_t bytes; /* of the archive, before encryption */
    uint8_t manifest_sha256[32];
} edge_export_report_t;

/*
 * Builds the export for r from the footage of v and streams it, encrypted, to sink. MM_EINVAL
 * for a bad request (id, camera list, range), MM_ENOTFOUND when a camera has no footage in the
 * range, the footage errors of edge_footage_mp4 (a segment that fails to verify stops the
 * export: nothing unverified leaves), MM_EMEDIA when a camera's clip would not hold exactly its
 * segments' frames (a segment that does not start with a keyframe), the errors of
 * edge_redact_mp4 for a redacted export (MM_EINVAL for a region of a camera not in the request,
 * or more than EDGE_REDACT_MAX_REGIONS for one camera), MM_EIO when the sink fails. MM_EINVAL
 * too for a hub statement without its signature or the other way round, and for a
 * recipient_text that is not the recipient. Fills rep when not NULL.
 */
mm_err_t edge_export_build(const edge_vault_t *v, const mm_keypair_t *site_key,
                           const char *work_dir, const edge_export_req_t *r, mm_age_sink_fn sink,
                           void *arg, edge_export_report_t *rep);

#endif
