/*
 * verify.h: checks a disclosure export (export.h) the way its recipient does, with nothing but
 * the export and the hub's public key — the library behind `mimamori-verify` (ops/verify.c) and
 * DESIGN.md "Disclosure", step 4.
 *
 * The folder is the one the archive unpacks into (<request>/, holding manifest.json). Checks, in
 * this order, each run whatever the ones before found (docs/protocol.md "Verifying an export"):
 *
 *   signature   manifest.json.sig is the Ed25519 signature of manifest.json's exact bytes by the
 *               key in site-key.pem
 *   manifest    manifest.json parses, format "mimamori-export/1", the fields have their types
 *   request     the request's hub_statement is a disclosure statement (docs/protocol.md,
 *               "Disclosure requests") whose hub_signature verifies with the hub's key, and the
 *               manifest agrees with it: id, site, legal basis, reference, requester, reason and
 *               recipient the same, every camera one the hub signed, the range within the hub's
 *               (the manager may narrow a request, never widen it)
 *   checkpoint  the manifest's checkpoint note: origin mimamori/site/<site>, signed by the key in
 *               site-key.pem under the site's name, cosigned (cosignature/v1) by the hub's key
 *   clip        each camera's MP4 has the SHA-256 the manifest gives
 *   hashes      each segment's frames — the next "frames" samples of the MP4 — hash to its
 *               content hash, and the samples are exactly the segments' (not for a redacted
 *               export, whose clip is a rendering: its segment hashes name the source footage)
 *   log         each segment's entry is a segment_recorded of that camera with its times, frame
 *               count and content hash
 *   inclusion   each entry, at its log index, is in the checkpoint's tree (RFC 6962 proof)
 *   site key    only when the caller gives the site's key as the hub has it on record: the key
 *               in site-key.pem is that key, of the manifest's site
 *
 * What the hub's key vouches for is the checkpoint — that the site's log held these entries when
 * the hub cosigned it — and the request, which the hub signed when it was filed. site-key.pem
 * comes with the export; the hub's cosignature covers the checkpoint's body, not the site's
 * signature on it. So the footage is tied to the site's log, and the request to what was filed,
 * through the hub alone; what else the manifest says (its clip bounds, when it was made) rests on
 * the site key, which "site key" compares with the one the hub lists for the site
 * (GET /api/v1/sites).
 *
 * The MP4s are read with libavformat (mov demuxer only, never probed). Blocking file I/O; any
 * thread.
 */
#ifndef EDGE_VERIFY_H
#define EDGE_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/err.h"
#include "common/keys.h"
#include "common/timefmt.h"

/* One failed check: check is its short machine name (above), message one English sentence. */
typedef struct {
    char check[16];
    char message[1024];
} edge_verify_failure_t;

/* What the manifest says about one camera. */
typedef struct {
    char camera[MM_ID_MAX];
    char file[96];
    int64_t clip_from_us, clip_to_us;
    uint64_t frames; /* the manifest's count */
    size_t segments;
} edge_verify_camera_t;

/*
 * The outcome. The summary fields are what the manifest states, filled as far as it parses,
 * whether or not the checks pass: print them only next to the verdict. Strings are truncated to
 * their fields.
 */
typedef struct {
    int ok; /* every check passed */
    edge_verify_failure_t *failures;
    size_t n_failures;
    char missing[512]; /* the files the folder lacks, ", "-separated; "" when none */

    char site[MM_ID_MAX];
    char request_id[MM_ID_MAX];
    char legal_basis[32];
    char reference[MM_TEXT_MAX];
    char requester[MM_TEXT_MAX];
    char reason[MM_TEXT_MAX];
    char recipient[128];    /* the age1 recipient the export says it was encrypted to */
    int64_t from_us, to_us; /* the requested range */
    int64_t created_us;
    int redacted;
    edge_verify_camera_t *cameras;
    size_t n_cameras;
    uint64_t frames;          /* the manifest's, all cameras */
    uint64_t checkpoint_size; /* the checkpoint's tree size, 0 when none parsed */
    uint64_t cosigned_at;     /* the hub's cosignature time (seconds), 0 when none verified */
    char hub[MM_KEY_NAME_MAX];
    int request_signed; /* the hub's signature on the request's statement verified */
    int site_key_known; /* a site key on record was given, and site-key.pem is it */
    /* The site's time zone as the manifest names it, when this machine's zone database knows it
     * (mm_tz_check); "" otherwise, and for an export that names none. Only for showing times. */
    char timezone[MM_TZ_NAME_MAX];
} edge_verify_report_t;

/*
 * Checks the export in dir (see above) against hub_verifier, the hub's signed-note verifier key
 * ("name+keyid+base64", as `mimamori-keys show` prints it and GET /api/v1/hub serves it), and,
 * when site_verifier is not NULL, against the site's verifier key as the hub has it on record
 * (GET /api/v1/sites). Initialises rep, which the caller releases with
 * edge_verify_report_deinit() whatever this returns.
 *
 * MM_OK when the checks ran: rep->ok says whether the export is authentic, rep->failures why
 * not. MM_EIO when a file the export must hold (manifest.json, manifest.json.sig, site-key.pem,
 * a camera's MP4) is missing or unreadable: rep->missing names them, rep->ok is 0 and the checks
 * that could run have run. MM_EINVAL for a NULL dir, hub_verifier or rep, or a hub_verifier or
 * site_verifier that is not an Ed25519 verifier key; MM_ENOMEM.
 */
mm_err_t edge_verify_export(const char *dir, const char *hub_verifier, const char *site_verifier,
                            edge_verify_report_t *rep);

/* Frees what rep holds and zeroes it. Accepts NULL and a zeroed report. */
void edge_verify_report_deinit(edge_verify_report_t *rep);

#endif
