/*
 * test_verify.c: the export verifier (edge/verify.h, mimamori-verify) on real exports. Footage is
 * recorded as in test_footage.c (footage_fixture.h), the hub cosigns the site's checkpoint with
 * its own key as hub/mirror.c does, the export is built, decrypted with Debian's `age -d` and
 * unpacked with tar — what a requester holds. Then: it is authentic; one changed byte in a clip
 * or in the manifest is caught and named; a manifest re-signed by the site that names another
 * log entry, a segment's hash it never logged, or no entry at all is caught by the log checks,
 * which need only the hub's key (R-N8: the requester can check what was disclosed against what
 * was recorded); a manifest re-signed by the site that changes the request (legal basis,
 * recipient, range, cameras) is caught by the statement the hub signed, and an export without
 * one is no disclosure; a wrong hub key is refused; site-key.pem is checked against the key the
 * hub has on record when it is given. The command line gives 0, 1, 2 and 3 as documented.
 */
#include "footage_fixture.h"

#include <jansson.h>

#include "common/age.h"
#include "common/keys.h"
#include "edge/export.h"
#include "edge/verify.h"

#ifndef MM_VERIFY_BIN
#error "tests/CMakeLists.txt passes the path of mimamori-verify as MM_VERIFY_BIN"
#endif

typedef struct {
    mm_keypair_t site, hub;
    char hub_key[MM_VERIFIER_MAX];  /* the hub's verifier key, as mimamori-keys prints it */
    char site_key[MM_VERIFIER_MAX]; /* the site's, as the hub has it on record */
    uint64_t size;                  /* the cosigned checkpoint's size */
    /* The request the hub signed for the export: by default by hub, for exactly the export's
     * cameras and range. */
    int unsigned_request;               /* none: the export carries no statement */
    const mm_keypair_t *request_signer; /* another key than hub's */
    int64_t request_margin;             /* the hub's range is this much wider on both sides */
    /* The site's zone the export names: Europe/London by default (not Japan's, to tell the
     * manifest's zone from a default), or this one (a name no zone database has), or none. */
    const char *timezone;
    int no_timezone;
} keys_t;

static void make_keys(fx_t *f, keys_t *k, int cosign)
{
    memset(k, 0, sizeof *k);
    assert_int_equal(mm_keys_generate("site-a", &k->site), MM_OK);
    assert_int_equal(mm_keys_generate("hub", &k->hub), MM_OK);
    assert_int_equal(mm_keys_verifier(&k->hub, k->hub_key, sizeof k->hub_key), MM_OK);
    assert_int_equal(mm_keys_verifier(&k->site, k->site_key, sizeof k->site_key), MM_OK);
    if (cosign) {
        mm_hash_t root;
        cosign_log(f, &k->site, &k->hub, &k->size, &root);
    }
}

static void wipe_keys(keys_t *k)
{
    mm_keys_wipe(&k->site);
    mm_keys_wipe(&k->hub);
}

/*
 * Exports camera over [from, to) as request "req-1", filed at the hub (which signed it, as k
 * says), decrypts it with age and unpacks it with tar into f->dir/<name>; the folder holding
 * manifest.json goes into out.
 */
static void export_opened_with(fx_t *f, const keys_t *k, const char *camera, int64_t from,
                               int64_t to, const char *name, char out[256], int redact,
                               const edge_export_region_t *regions, size_t n_regions)
{
    char key[128], rec[128], enc[256], cmd[1024], text[4096];
    requester_key(f, "requester.key", key, rec);
    const char *cams[] = {camera};
    edge_export_req_t req = {.id = "req-1",
                             .legal_basis = "law",
                             .reference = "捜査関係事項照会 第123号",
                             .requester = "警察署",
                             .reason = "窃盗事件の捜査",
                             .cameras = cams,
                             .n_cameras = 1,
                             .from_us = from,
                             .to_us = to,
                             .redact = redact,
                             .regions = regions,
                             .n_regions = n_regions,
                             .timezone = k->no_timezone ? NULL
                                         : k->timezone  ? k->timezone
                                                        : "Europe/London"};
    assert_int_equal(mm_age_recipient_parse(rec, req.recipient), MM_OK);
    char *stmt = malloc(MM_STATEMENT_MAX);
    uint8_t sig[MM_ED25519_SIG_LEN];
    assert_non_null(stmt);
    if (!k->unsigned_request)
        hub_signs(k->request_signer ? k->request_signer : &k->hub, k->site.name, &req, rec,
                  k->request_margin, stmt, sig);
    snprintf(enc, sizeof enc, "%s/%s.age", f->dir, name);
    FILE *o = fopen(enc, "wb");
    assert_non_null(o);
    assert_int_equal(edge_export_build(f->v, &k->site, f->dir, &req, to_file, o, NULL), MM_OK);
    assert_int_equal(fclose(o), 0);
    free(stmt);
    snprintf(cmd, sizeof cmd, "mkdir -p %s/%s && age -d -i %s %s | tar -x -C %s/%s", f->dir, name,
             key, enc, f->dir, name);
    assert_int_equal(run(cmd, text, sizeof text), 0);
    snprintf(out, 256, "%s/%s/req-1", f->dir, name);
}

static void export_opened(fx_t *f, const keys_t *k, const char *camera, int64_t from, int64_t to,
                          const char *name, char out[256])
{
    export_opened_with(f, k, camera, from, to, name, out, 0, NULL, 0);
}

/* The export in f->dir/<name> of cam1's segments 1 and 2 (asked for from the middle of one to
 * the middle of the other). */
static void cam1_export(fx_t *f, const keys_t *k, const char *name, char out[256])
{
    export_opened(f, k, "cam1", f->seg[1].start_us + S / 2, f->seg[2].start_us + 3 * S / 2, name,
                  out);
}

/* The failure of check whose message holds text, or NULL. */
static const edge_verify_failure_t *failure(const edge_verify_report_t *rep, const char *check,
                                            const char *text)
{
    for (size_t i = 0; i < rep->n_failures; i++)
        if (strcmp(rep->failures[i].check, check) == 0 && strstr(rep->failures[i].message, text))
            return &rep->failures[i];
    return NULL;
}

static int failed(const edge_verify_report_t *rep, const char *check)
{
    return failure(rep, check, "") != NULL;
}

/* Prints the failures (to see why an assertion on them fails). */
static void show(const edge_verify_report_t *rep)
{
    for (size_t i = 0; i < rep->n_failures; i++)
        print_message("  %s: %s\n", rep->failures[i].check, rep->failures[i].message);
}

static void file_path(const char *dir, const char *name, char out[320])
{
    snprintf(out, 320, "%s/%s", dir, name);
}

/* The manifest as JSON, to change. */
static json_t *load_manifest(const char *dir)
{
    char p[320];
    file_path(dir, "manifest.json", p);
    json_t *m = json_load_file(p, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(m);
    return m;
}

/* Writes m as the manifest and signs it with the site key, as the site would have. */
static void resign(const char *dir, json_t *m, const mm_keypair_t *site)
{
    char *text = json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS);
    assert_non_null(text);
    uint8_t sig[MM_ED25519_SIG_LEN];
    assert_int_equal(mm_ed25519_sign(&site->sign, text, strlen(text), sig), MM_OK);
    char p[320];
    file_path(dir, "manifest.json", p);
    FILE *o = fopen(p, "wb");
    assert_non_null(o);
    assert_int_equal(fwrite(text, 1, strlen(text), o), strlen(text));
    assert_int_equal(fclose(o), 0);
    file_path(dir, "manifest.json.sig", p);
    o = fopen(p, "wb");
    assert_non_null(o);
    assert_int_equal(fwrite(sig, 1, sizeof sig, o), sizeof sig);
    assert_int_equal(fclose(o), 0);
    free(text);
}

static json_t *segment(json_t *m, size_t k)
{
    json_t *cam = json_array_get(json_object_get(m, "cameras"), 0);
    json_t *sg = json_array_get(json_object_get(cam, "segments"), k);
    assert_non_null(sg);
    return sg;
}

/* --- authentic -------------------------------------------------------------------------------*/

/* R-N8: an export as the edge made it checks out with nothing but the hub's key; the summary is
 * the manifest's. */
static void verify_accepts_an_export_as_made(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    char dir[256];
    cam1_export(f, &k, "opened", dir);

    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_true(rep.ok);
    assert_int_equal(rep.n_failures, 0);
    assert_string_equal(rep.missing, "");
    assert_string_equal(rep.site, "site-a");
    assert_string_equal(rep.request_id, "req-1");
    assert_string_equal(rep.legal_basis, "law");
    assert_string_equal(rep.reason, "窃盗事件の捜査");
    assert_string_equal(rep.requester, "警察署");
    assert_int_equal(rep.from_us, f->seg[1].start_us + S / 2);
    assert_int_equal(rep.n_cameras, 1);
    assert_string_equal(rep.cameras[0].camera, "cam1");
    assert_string_equal(rep.cameras[0].file, "cam1.mp4");
    assert_int_equal(rep.cameras[0].segments, 2);
    assert_int_equal(rep.cameras[0].clip_from_us, f->seg[1].start_us);
    assert_int_equal(rep.cameras[0].clip_to_us, f->end[2]);
    assert_int_equal(rep.frames, 60);
    assert_int_equal(rep.checkpoint_size, k.size);
    assert_int_equal(rep.cosigned_at, 1795486421);
    assert_string_equal(rep.hub, "hub");
    assert_false(rep.redacted);
    assert_true(rep.request_signed);
    assert_true(strncmp(rep.recipient, "age1", 4) == 0);
    assert_false(rep.site_key_known);
    assert_string_equal(rep.timezone, "Europe/London");
    edge_verify_report_deinit(&rep);
    edge_verify_report_deinit(&rep); /* twice is harmless */
    wipe_keys(&k);
}

/* A camera that stopped ends its last segment at its last frame's time: the export still holds
 * that segment whole, and it checks out. */
static void verify_accepts_the_last_segment_of_a_stopped_camera(void **state)
{
    fx_t *f = *state;
    f->stopped = 1;
    int64_t end = record(f, f->media, "cam5", T0, NULL, 0);
    keys_t k;
    make_keys(f, &k, 1);
    char dir[256];
    export_opened(f, &k, "cam5", end - 3 * S, end, "opened", dir);
    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_true(rep.ok);
    assert_int_equal(rep.cameras[0].segments, 2);
    assert_int_equal(rep.frames, 60);
    assert_int_equal(rep.cameras[0].clip_to_us, end - FRAME_US); /* the last frame's time */
    edge_verify_report_deinit(&rep);
    wipe_keys(&k);
}

/* --- altered ---------------------------------------------------------------------------------*/

/* One changed byte in a clip: its SHA-256 differs from the manifest's, and the segment whose
 * frames it is in no longer hashes to its content hash. */
static void verify_names_a_changed_byte_in_a_clip(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    char dir[256], mp4[320];
    cam1_export(f, &k, "opened", dir);
    file_path(dir, "cam1.mp4", mp4);
    struct stat st;
    assert_int_equal(stat(mp4, &st), 0);
    flip_byte(mp4, (long)st.st_size / 2);

    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    const edge_verify_failure_t *fl = failure(&rep, "clip", "cam1.mp4 SHA-256 is ");
    assert_non_null(fl);
    assert_non_null(strstr(fl->message, "but the manifest says"));
    assert_non_null(failure(&rep, "hashes", "frames in the clip hash to"));
    assert_false(failed(&rep, "signature"));
    assert_false(failed(&rep, "checkpoint"));
    assert_false(failed(&rep, "log"));
    assert_false(failed(&rep, "inclusion"));
    edge_verify_report_deinit(&rep);
    wipe_keys(&k);
}

/* One changed byte in the manifest (the legal basis, "law" to "Law"): the site's signature no
 * longer verifies, and the request is no longer the one the hub signed; nothing else fails. */
static void verify_names_a_changed_byte_in_the_manifest(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    char dir[256], man[320];
    cam1_export(f, &k, "opened", dir);
    file_path(dir, "manifest.json", man);
    FILE *m = fopen(man, "rb");
    char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, m);
    fclose(m);
    text[n] = 0;
    const char *at = strstr(text, "\"law\"");
    assert_non_null(at);
    flip_byte(man, at - text + 1);

    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_int_equal(rep.n_failures, 2);
    assert_non_null(
        failure(&rep, "signature", "manifest.json.sig does not verify with site-key.pem"));
    assert_non_null(
        failure(&rep, "request", "the manifest says legal basis Law but the hub signed law"));
    edge_verify_report_deinit(&rep);
    wipe_keys(&k);
}

/*
 * A manifest the site re-signed, so that only the log checks can tell: a segment's log index
 * moved to another entry's is not in the checkpoint there; a segment given another segment's
 * entry and proof is not the entry's; a hash changed in the manifest no longer matches the clip
 * nor the entry; a segment without its entry is not covered.
 */
static void verify_catches_a_resigned_manifest_that_misnames_the_log(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    char dir[256];
    cam1_export(f, &k, "opened", dir);
    edge_verify_report_t rep;
    char want[64];

    json_t *orig = load_manifest(dir);

    /* 1. Segment 1's log index names segment 2's entry. */
    json_t *m = json_deep_copy(orig);
    json_int_t other = json_integer_value(json_object_get(segment(m, 1), "log_index"));
    assert_true(other != json_integer_value(json_object_get(segment(m, 0), "log_index")));
    json_object_set_new(segment(m, 0), "log_index", json_integer(other));
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_false(failed(&rep, "signature"));
    assert_false(failed(&rep, "clip"));
    assert_false(failed(&rep, "hashes"));
    snprintf(want, sizeof want, "entry at index %lld, for cam1 segment 1 ", (long long)other);
    assert_non_null(failure(&rep, "inclusion", want));
    assert_non_null(failure(&rep, "inclusion", "(root mismatch)"));
    edge_verify_report_deinit(&rep);

    /* 2. Segment 1 carries segment 2's index, entry and proof: the entry is not its own. */
    json_object_set(segment(m, 0), "entry", json_object_get(segment(m, 1), "entry"));
    json_object_set(segment(m, 0), "inclusion", json_object_get(segment(m, 1), "inclusion"));
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    snprintf(want, sizeof want, "claims log index %lld but the entry given holds",
             (long long)other);
    const edge_verify_failure_t *fl = failure(&rep, "log", want);
    assert_non_null(fl);
    assert_non_null(strstr(fl->message, "cam1 segment 1 (start "));
    assert_non_null(strstr(fl->message, "content hash "));
    assert_false(failed(&rep, "inclusion")); /* the entry given is in the log, where it says */
    edge_verify_report_deinit(&rep);
    json_decref(m);

    /* 3. Segment 2's content hash changed: the clip's frames and the entry both disagree. */
    m = json_deep_copy(orig);
    json_object_set_new(segment(m, 1), "content_hash",
                        json_string("0000000000000000000000000000000000000000000000000000000000"
                                    "000000"));
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_non_null(failure(&rep, "hashes", "cam1 segment 2 (start "));
    assert_non_null(failure(&rep, "log", "cam1 segment 2 (start "));
    assert_false(failed(&rep, "inclusion"));
    edge_verify_report_deinit(&rep);
    json_decref(m);

    /* 4. No entry for segment 2: not covered. */
    m = json_deep_copy(orig);
    json_object_del(segment(m, 1), "entry");
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    fl = failure(&rep, "inclusion", "is not covered by the hub-cosigned checkpoint");
    assert_non_null(fl);
    assert_non_null(strstr(fl->message, "cam1 segment 2 (start "));
    edge_verify_report_deinit(&rep);
    json_decref(m);

    /* 5. A redacted clip is a rendering, not the recorded frames: it is checked against its
     * SHA-256 only. Here, half of the clip stands in for one. */
    char mp4[320];
    file_path(dir, "cam1.mp4", mp4);
    struct stat st;
    assert_int_equal(stat(mp4, &st), 0);
    assert_int_equal(truncate(mp4, st.st_size / 2), 0);
    FILE *in = fopen(mp4, "rb");
    uint8_t *buf = malloc((size_t)st.st_size / 2), sha[32];
    assert_int_equal(fread(buf, 1, (size_t)st.st_size / 2, in), (size_t)st.st_size / 2);
    fclose(in);
    mm_sha256(buf, (size_t)st.st_size / 2, sha);
    free(buf);
    char hex[65];
    mm_hex_encode(sha, 32, hex, sizeof hex);
    m = json_deep_copy(orig);
    json_object_set_new(json_array_get(json_object_get(m, "cameras"), 0), "mp4_sha256",
                        json_string(hex));
    json_object_set_new(m, "redacted", json_true());
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_true(rep.ok);
    assert_true(rep.redacted);
    edge_verify_report_deinit(&rep);
    /* The same clip in an export that says it is not redacted does not hold the frames. */
    json_object_set_new(m, "redacted", json_false());
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_true(failed(&rep, "hashes"));
    assert_false(failed(&rep, "clip"));
    edge_verify_report_deinit(&rep);
    json_decref(m);
    json_decref(orig);
    wipe_keys(&k);
}

/* The checkpoint: a wrong hub key (which signed neither the checkpoint nor the request), and an
 * export made before the hub cosigned anything. */
static void verify_refuses_a_checkpoint_the_hub_did_not_cosign(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    char dir[256];
    cam1_export(f, &k, "opened", dir);
    mm_keypair_t other;
    assert_int_equal(mm_keys_generate("hub", &other), MM_OK);
    char other_key[MM_VERIFIER_MAX];
    assert_int_equal(mm_keys_verifier(&other, other_key, sizeof other_key), MM_OK);
    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, other_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_int_equal(rep.n_failures, 2);
    assert_non_null(failure(&rep, "checkpoint", "not cosigned by the hub key hub"));
    assert_non_null(failure(&rep, "request", "does not verify with the hub key hub"));
    edge_verify_report_deinit(&rep);
    mm_keys_wipe(&other);

    /* A key that is no verifier key at all is a usage error. */
    assert_int_equal(edge_verify_export(dir, "hub+00000000+AAAA", NULL, &rep), MM_EINVAL);
    edge_verify_report_deinit(&rep);
    assert_int_equal(edge_verify_export(dir, NULL, NULL, &rep), MM_EINVAL);
    edge_verify_report_deinit(&rep);
    wipe_keys(&k);
}

static void verify_refuses_an_export_without_a_checkpoint(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 0);
    char dir[256];
    cam1_export(f, &k, "opened", dir);
    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_non_null(failure(&rep, "checkpoint",
                            "no checkpoint: the export cannot be tied to the "
                            "site log"));
    assert_non_null(failure(&rep, "inclusion", "is not covered by the hub-cosigned checkpoint"));
    assert_false(failed(&rep, "clip"));
    assert_false(failed(&rep, "hashes"));
    assert_false(failed(&rep, "signature"));
    edge_verify_report_deinit(&rep);
    wipe_keys(&k);
}

/* A file missing from the folder is named, and the checks that can still run have run. */
static void verify_names_missing_files(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    char dir[256], p[320];
    cam1_export(f, &k, "opened", dir);
    file_path(dir, "cam1.mp4", p);
    assert_int_equal(unlink(p), 0);
    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_EIO);
    assert_false(rep.ok);
    assert_string_equal(rep.missing, "cam1.mp4");
    assert_non_null(failure(&rep, "clip", "cam1.mp4 is missing"));
    assert_false(failed(&rep, "signature"));
    assert_false(failed(&rep, "log"));
    edge_verify_report_deinit(&rep);

    file_path(dir, "site-key.pem", p);
    assert_int_equal(unlink(p), 0);
    file_path(dir, "manifest.json", p);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_EIO);
    assert_string_equal(rep.missing, "manifest.json, site-key.pem");
    edge_verify_report_deinit(&rep);
    wipe_keys(&k);
}

/* --- the request ---------------------------------------------------------------------------*/

/*
 * The manifest's request carries the statement the hub signed, byte for byte as the hub builds
 * it, and its signature; the recipient is the key the export was encrypted to. A request the
 * manager narrowed (the hub signed a longer range) checks out.
 */
static void verify_ties_the_request_to_the_hubs_signature(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    k.request_margin = 60 * S;
    char dir[256];
    cam1_export(f, &k, "opened", dir);
    json_t *m = load_manifest(dir);
    json_t *req = json_object_get(m, "request");
    const char *stmt = json_string_value(json_object_get(req, "hub_statement"));
    assert_non_null(stmt);
    assert_true(
        strncmp(stmt, "mimamori-disclosure/1\nid req-1\nsite site-a\nlegal_basis law\n", 59) == 0);
    assert_non_null(strstr(stmt, "\ncameras cam1\n"));
    assert_non_null(strstr(stmt, "\nreason 窃盗事件の捜査\n"));
    const char *b64 = json_string_value(json_object_get(req, "hub_signature"));
    assert_non_null(b64);
    uint8_t sig[MM_ED25519_SIG_LEN + 3];
    assert_int_equal(mm_base64_decode(b64, strlen(b64), sig, sizeof sig), MM_ED25519_SIG_LEN);
    assert_int_equal(mm_ed25519_verify(k.hub.sign.pub, stmt, strlen(stmt), sig), MM_OK);
    char recipient[128], line[160];
    assert_non_null(json_string_value(json_object_get(req, "recipient")));
    snprintf(recipient, sizeof recipient, "%s",
             json_string_value(json_object_get(req, "recipient")));
    snprintf(line, sizeof line, "\nrecipient %s\n", recipient);
    assert_non_null(strstr(stmt, line));
    json_decref(m);

    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_true(rep.ok);
    assert_true(rep.request_signed);
    assert_string_equal(rep.recipient, recipient);
    edge_verify_report_deinit(&rep);

    /* The export does not take a statement without its signature, nor a recipient it was not
     * encrypted to. */
    const char *cams[] = {"cam1"};
    edge_export_req_t bad = {.id = "req-2",
                             .legal_basis = "law",
                             .cameras = cams,
                             .n_cameras = 1,
                             .from_us = f->seg[1].start_us,
                             .to_us = f->seg[2].start_us,
                             .hub_statement = "mimamori-disclosure/1\n"};
    assert_int_equal(edge_export_build(f->v, &k.site, f->dir, &bad, to_file, NULL, NULL),
                     MM_EINVAL);
    bad.hub_statement = NULL;
    bad.recipient_text = recipient; /* bad.recipient is all zeroes */
    assert_int_equal(edge_export_build(f->v, &k.site, f->dir, &bad, to_file, NULL, NULL),
                     MM_EINVAL);
    wipe_keys(&k);
}

/* A statement signed by another key than the hub's: only the request check fails. */
static void verify_refuses_a_request_another_key_signed(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    mm_keypair_t other;
    assert_int_equal(mm_keys_generate("hub", &other), MM_OK);
    k.request_signer = &other;
    char dir[256];
    cam1_export(f, &k, "opened", dir);
    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_false(rep.request_signed);
    assert_int_equal(rep.n_failures, 1);
    assert_non_null(failure(&rep, "request",
                            "the hub's signature on the request does not verify with the hub key "
                            "hub: the hub did not sign this request"));
    edge_verify_report_deinit(&rep);
    mm_keys_wipe(&other);
    wipe_keys(&k);
}

/* An export without the hub's statement is not a disclosure, whatever else checks out. */
static void verify_refuses_an_export_without_a_request_the_hub_signed(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    k.unsigned_request = 1;
    char dir[256];
    cam1_export(f, &k, "opened", dir);
    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_int_equal(rep.n_failures, 1);
    assert_non_null(failure(&rep, "request",
                            "the export carries no request signed by the hub (it is not a "
                            "disclosure)"));
    edge_verify_report_deinit(&rep);
    wipe_keys(&k);
}

/* Puts into m's request a statement of it with reason, signed by k's hub, as if the hub had
 * signed that. */
static void hub_signs_manifest(json_t *m, const keys_t *k, const char *reason)
{
    json_t *req = json_object_get(m, "request"), *range = json_object_get(m, "range");
    const char *cams[] = {"cam1"};
    edge_export_req_t r = {.id = json_string_value(json_object_get(req, "id")),
                           .legal_basis = json_string_value(json_object_get(req, "legal_basis")),
                           .reference = json_string_value(json_object_get(req, "reference")),
                           .requester = json_string_value(json_object_get(req, "requester")),
                           .reason = reason,
                           .cameras = cams,
                           .n_cameras = 1,
                           .from_us = json_integer_value(json_object_get(range, "from_us")),
                           .to_us = json_integer_value(json_object_get(range, "to_us"))};
    char *stmt = malloc(MM_STATEMENT_MAX), b64[128];
    uint8_t sig[MM_ED25519_SIG_LEN];
    assert_non_null(stmt);
    hub_signs(&k->hub, "site-a", &r, json_string_value(json_object_get(req, "recipient")), 0, stmt,
              sig);
    assert_true(mm_base64_encode(sig, sizeof sig, b64, sizeof b64) > 0);
    json_object_set_new(req, "hub_statement", json_string(stmt));
    json_object_set_new(req, "hub_signature", json_string(b64));
    json_object_set_new(req, "reason", json_string(reason));
    free(stmt);
}

/*
 * A manifest the site re-signed, so that only the hub's signature can tell: another legal basis,
 * another recipient, a wider range, a camera the hub did not sign for, a statement the site
 * rewrote. A statement the hub did sign, with escapes in its reason, checks out.
 */
static void verify_catches_a_resigned_manifest_that_changes_the_request(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    char dir[256];
    cam1_export(f, &k, "opened", dir);
    edge_verify_report_t rep;
    json_t *orig = load_manifest(dir);

    /* 1. The legal basis. */
    json_t *m = json_deep_copy(orig);
    json_object_set_new(json_object_get(m, "request"), "legal_basis", json_string("consent"));
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_int_equal(rep.n_failures, 1);
    assert_non_null(
        failure(&rep, "request", "the manifest says legal basis consent but the hub signed law"));
    edge_verify_report_deinit(&rep);
    json_decref(m);

    /* 2. The recipient and the reference. */
    m = json_deep_copy(orig);
    json_object_set_new(json_object_get(m, "request"), "recipient", json_string("age1someoneelse"));
    json_object_set_new(json_object_get(m, "request"), "reference", json_string("第999号"));
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_int_equal(rep.n_failures, 2);
    assert_non_null(failure(&rep, "request", "the manifest says recipient age1someoneelse but"));
    assert_non_null(failure(&rep, "request",
                            "the manifest says reference \"第999号\" but the hub signed "
                            "\"捜査関係事項照会 第123号\""));
    edge_verify_report_deinit(&rep);
    json_decref(m);

    /* 3. A range wider than the hub's, by a second at the start. */
    m = json_deep_copy(orig);
    json_t *range = json_object_get(m, "range");
    json_object_set_new(range, "from_us",
                        json_integer(json_integer_value(json_object_get(range, "from_us")) - S));
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_int_equal(rep.n_failures, 1);
    assert_non_null(failure(&rep, "request", "is not within the range the hub signed"));
    edge_verify_report_deinit(&rep);
    json_decref(m);

    /* 4. A camera the hub did not sign for. */
    m = json_deep_copy(orig);
    json_object_set_new(json_array_get(json_object_get(m, "cameras"), 0), "camera",
                        json_string("cam9"));
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_non_null(
        failure(&rep, "request", "the manifest holds camera cam9 but the hub signed only cam1"));
    edge_verify_report_deinit(&rep);
    json_decref(m);

    /* 5. The statement rewritten to match: the hub's signature no longer covers it. */
    m = json_deep_copy(orig);
    json_t *req = json_object_get(m, "request");
    char *stmt = strdup(json_string_value(json_object_get(req, "hub_statement")));
    char *at = strstr(stmt, "legal_basis law\n");
    assert_non_null(at);
    memcpy(at + 12, "Law", 3);
    json_object_set_new(req, "hub_statement", json_string(stmt));
    json_object_set_new(req, "legal_basis", json_string("Law"));
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_int_equal(rep.n_failures, 2);
    assert_non_null(failure(&rep, "request", "does not verify with the hub key hub"));
    assert_non_null(failure(&rep, "request", "its legal basis is none of"));
    edge_verify_report_deinit(&rep);

    /* 6. Signed by the hub but not a statement (a line out of order): not compared. */
    char *swap = strstr(stmt, "\nsite site-a\n");
    assert_non_null(swap);
    memcpy(swap + 1, "stie", 4);
    uint8_t sig[MM_ED25519_SIG_LEN];
    char b64[128];
    assert_int_equal(mm_ed25519_sign(&k.hub.sign, stmt, strlen(stmt), sig), MM_OK);
    assert_true(mm_base64_encode(sig, sizeof sig, b64, sizeof b64) > 0);
    json_object_set_new(req, "hub_statement", json_string(stmt));
    json_object_set_new(req, "hub_signature", json_string(b64));
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_int_equal(rep.n_failures, 1);
    assert_non_null(failure(&rep, "request",
                            "hub_statement is not a disclosure statement: line 3 is not \"site "
                            "<value>\""));
    edge_verify_report_deinit(&rep);
    free(stmt);
    json_decref(m);

    /* 7. A reason with a newline, a backslash and a tab, as the hub escapes them. */
    m = json_deep_copy(orig);
    hub_signs_manifest(m, &k, "二行目まで\nC:\\path\there");
    const char *hs =
        json_string_value(json_object_get(json_object_get(m, "request"), "hub_statement"));
    assert_non_null(strstr(hs, "\nreason 二行目まで\\nC:\\\\path\\x09here\n"));
    resign(dir, m, &k.site);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_true(rep.ok);
    edge_verify_report_deinit(&rep);
    json_decref(m);
    json_decref(orig);
    wipe_keys(&k);
}

/* --- the site key ----------------------------------------------------------------------------*/

/*
 * Given the site's key as the hub has it on record (GET /api/v1/sites), the verifier checks that
 * site-key.pem is that key: the right one passes; another site's, or another key under the
 * site's name, fails "site key"; a string that is no verifier key is refused.
 */
static void verify_checks_site_key_pem_against_the_hubs_record(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    char dir[256];
    cam1_export(f, &k, "opened", dir);
    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, k.site_key, &rep), MM_OK);
    show(&rep);
    assert_true(rep.ok);
    assert_true(rep.site_key_known);
    edge_verify_report_deinit(&rep);

    mm_keypair_t b;
    char b_key[MM_VERIFIER_MAX];
    assert_int_equal(mm_keys_generate("site-b", &b), MM_OK);
    assert_int_equal(mm_keys_verifier(&b, b_key, sizeof b_key), MM_OK);
    assert_int_equal(edge_verify_export(dir, k.hub_key, b_key, &rep), MM_OK);
    show(&rep);
    assert_false(rep.ok);
    assert_false(rep.site_key_known);
    assert_int_equal(rep.n_failures, 2);
    assert_non_null(
        failure(&rep, "site key", "site-key.pem is not the key the hub has on record for site-b"));
    assert_non_null(failure(&rep, "site key",
                            "the key on record given is site-b's, but the export says it is "
                            "from site-a"));
    edge_verify_report_deinit(&rep);
    mm_keys_wipe(&b);

    mm_keypair_t a2;
    char a2_key[MM_VERIFIER_MAX];
    assert_int_equal(mm_keys_generate("site-a", &a2), MM_OK);
    assert_int_equal(mm_keys_verifier(&a2, a2_key, sizeof a2_key), MM_OK);
    assert_int_equal(edge_verify_export(dir, k.hub_key, a2_key, &rep), MM_OK);
    assert_false(rep.ok);
    assert_int_equal(rep.n_failures, 1);
    assert_non_null(
        failure(&rep, "site key", "site-key.pem is not the key the hub has on record for site-a"));
    edge_verify_report_deinit(&rep);
    mm_keys_wipe(&a2);

    assert_int_equal(edge_verify_export(dir, k.hub_key, "site-a+00000000+AAAA", &rep), MM_EINVAL);
    edge_verify_report_deinit(&rep);
    wipe_keys(&k);
}

/* --- the command line ------------------------------------------------------------------------*/

static int verify_cli(const char *args, char *out, size_t cap)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s", MM_VERIFY_BIN, args);
    return run(cmd, out, cap);
}

/* mimamori-verify --json with args: its exit status checked, what it printed parsed. */
static json_t *verify_cli_json(const char *args, int status)
{
    char with[1100], out[1 << 15];
    snprintf(with, sizeof with, "--json %s", args);
    assert_int_equal(verify_cli(with, out, sizeof out), status);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    return j;
}

/* mimamori-verify: 0 authentic, 1 not, 2 wrong usage, 3 a folder it cannot read. */
static void verify_command_line_exit_status_says_the_verdict(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    char dir[256], args[1024], out[1 << 15];
    cam1_export(f, &k, "opened", dir);

    snprintf(args, sizeof args, "--hub-key '%s' '%s'", k.hub_key, dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 0);
    assert_true(strncmp(out, "AUTHENTIC\n", 10) == 0);
    assert_non_null(strstr(out, "site:         site-a\n"));
    assert_non_null(strstr(out, "legal basis:  law\n"));
    assert_non_null(strstr(out, "frames:       60\n"));
    assert_non_null(strstr(
        out, "hub:          request signed by the hub hub: law, 捜査関係事項照会 第123号\n"));
    assert_null(strstr(out, "site key:"));
    /* Times as the site reads them, in the zone its export names (London: GMT in winter). */
    assert_non_null(strstr(out, "time zone:    Europe/London, the site's\n"));
    assert_non_null(strstr(out, " GMT (requested)\n"));
    assert_null(strstr(out, "UTC"));

    /* The site's key on record: the right one says so, another site's is a failure. */
    snprintf(args, sizeof args, "--hub-key '%s' --site-key '%s' '%s'", k.hub_key, k.site_key, dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 0);
    assert_non_null(
        strstr(out, "site key:     site-key.pem is the key the hub has on record for site-a\n"));
    mm_keypair_t b;
    char b_key[MM_VERIFIER_MAX];
    assert_int_equal(mm_keys_generate("site-b", &b), MM_OK);
    assert_int_equal(mm_keys_verifier(&b, b_key, sizeof b_key), MM_OK);
    mm_keys_wipe(&b);
    snprintf(args, sizeof args, "--hub-key '%s' --site-key '%s' '%s'", k.hub_key, b_key, dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 1);
    assert_non_null(
        strstr(out, "\nsite key: site-key.pem is not the key the hub has on record for site-b\n"));
    snprintf(args, sizeof args, "--hub-key '%s' --site-key not-a-key '%s'", k.hub_key, dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 2);
    assert_non_null(strstr(out, "is not a site verifier key"));

    /* The key from a file, as mimamori-keys prints it; JSON out. */
    char keyfile[320];
    file_path(f->dir, "hub.json", keyfile);
    FILE *kf = fopen(keyfile, "w");
    assert_non_null(kf);
    fprintf(kf, "{\"name\":\"hub\",\"verifier\":\"%s\",\"curve_public\":\"%s\"}\n", k.hub_key,
            k.hub.curve_public);
    fclose(kf);
    snprintf(args, sizeof args, "--hub-key-file '%s' '%s' 2>/dev/null", keyfile, dir);
    json_t *j = verify_cli_json(args, 0);
    assert_true(json_is_true(json_object_get(j, "authentic")));
    assert_int_equal(json_array_size(json_object_get(j, "failures")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "frames")), 60);
    assert_true(json_is_true(json_object_get(json_object_get(j, "request"), "signed_by_hub")));
    assert_true(json_is_false(json_object_get(j, "site_key_on_record")));
    assert_string_equal(json_string_value(json_object_get(j, "timezone")), "Europe/London");
    json_decref(j);

    /* An export that names no zone (made before exports did), or one this machine does not
     * know: times in UTC, and no zone claimed; still authentic. */
    for (int i = 0; i < 2; i++) {
        char other[256], old_key[320];
        file_path(f->dir, "requester.key", old_key); /* each export makes its requester anew */
        assert_int_equal(unlink(old_key), 0);
        k.no_timezone = i == 0;
        k.timezone = "Mars/Olympus";
        cam1_export(f, &k, i == 0 ? "no-zone" : "unknown-zone", other);
        snprintf(args, sizeof args, "--hub-key '%s' '%s'", k.hub_key, other);
        assert_int_equal(verify_cli(args, out, sizeof out), 0);
        assert_non_null(strstr(out, " UTC (requested)\n"));
        assert_null(strstr(out, "time zone:"));
        j = verify_cli_json(args, 0); /* args as above */
        assert_true(json_is_null(json_object_get(j, "timezone")));
        json_decref(j);
    }
    k.no_timezone = 0;
    k.timezone = NULL;

    /* Not authentic: a changed clip. */
    char mp4[320];
    file_path(dir, "cam1.mp4", mp4);
    struct stat st;
    assert_int_equal(stat(mp4, &st), 0);
    flip_byte(mp4, (long)st.st_size / 2);
    snprintf(args, sizeof args, "--hub-key '%s' '%s'", k.hub_key, dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 1);
    assert_true(strncmp(out, "NOT AUTHENTIC\n", 14) == 0);
    assert_non_null(strstr(out, "\nclip: cam1.mp4 SHA-256 is "));
    j = verify_cli_json(args, 1); /* args as above */
    assert_true(json_is_false(json_object_get(j, "authentic")));
    json_t *f0 = json_array_get(json_object_get(j, "failures"), 0);
    assert_string_equal(json_string_value(json_object_get(f0, "check")), "clip");
    json_decref(j);

    /* Wrong usage. */
    assert_int_equal(verify_cli("", out, sizeof out), 2);
    snprintf(args, sizeof args, "'%s'", dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "--hub-key not-a-key '%s'", dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "--hub-key '%s' --hub-key-file x '%s'", k.hub_key, dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "--bogus --hub-key '%s' '%s'", k.hub_key, dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 2);

    /* A folder it cannot read: the missing files are named. */
    snprintf(args, sizeof args, "--hub-key '%s' '%s/nowhere'", k.hub_key, f->dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 3);
    assert_non_null(strstr(out, "manifest.json"));
    char pem[320];
    file_path(dir, "site-key.pem", pem);
    assert_int_equal(unlink(pem), 0);
    snprintf(args, sizeof args, "--hub-key '%s' '%s'", k.hub_key, dir);
    assert_int_equal(verify_cli(args, out, sizeof out), 3);
    assert_non_null(strstr(out, "CANNOT VERIFY: missing or unreadable in "));
    assert_non_null(strstr(out, ": site-key.pem\n"));
    wipe_keys(&k);
}

/*
 * R-N8: an own-image export is a redacted rendering — blurred but for the region the manager
 * marked, re-encoded — and says so; it still names the source segments with their proofs and
 * checks out, and a changed byte in it is still caught. Regions only go with a redacted export,
 * and only for cameras it holds.
 */
static void verify_accepts_a_redacted_export_and_says_so(void **state)
{
    fx_t *f = *state;
    keys_t k;
    make_keys(f, &k, 1);
    edge_export_region_t keep = {"cam1", {0.25, 0.25, 0.5, 0.5}};
    char dir[256];
    export_opened_with(f, &k, "cam1", f->seg[1].start_us + S / 2, f->seg[2].start_us + 3 * S / 2,
                       "redacted", dir, 1, &keep, 1);
    json_t *m = load_manifest(dir);
    assert_true(json_is_true(json_object_get(m, "redacted")));
    json_t *cam = json_array_get(json_object_get(m, "cameras"), 0);
    json_t *red = json_object_get(cam, "redaction");
    assert_string_equal(json_string_value(json_object_get(red, "encoder")), "libx264");
    assert_int_equal(json_array_size(json_object_get(red, "kept_regions")), 1);
    assert_int_equal(json_integer_value(json_object_get(red, "frames_out")), 60);
    json_decref(m);

    char cmd[512], text[512];
    snprintf(cmd, sizeof cmd,
             "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
             "stream=codec_name,nb_read_frames -of csv=p=0 %s/cam1.mp4",
             dir);
    assert_int_equal(run(cmd, text, sizeof text), 0);
    assert_string_equal(text, "h264,60\n");

    edge_verify_report_t rep;
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    show(&rep);
    assert_true(rep.ok);
    assert_true(rep.redacted);
    edge_verify_report_deinit(&rep);

    char clip[320];
    file_path(dir, "cam1.mp4", clip);
    FILE *c = fopen(clip, "r+b");
    assert_non_null(c);
    assert_int_equal(fseek(c, 2000, SEEK_SET), 0);
    int b = fgetc(c);
    assert_int_equal(fseek(c, 2000, SEEK_SET), 0);
    fputc(b ^ 1, c);
    assert_int_equal(fclose(c), 0);
    assert_int_equal(edge_verify_export(dir, k.hub_key, NULL, &rep), MM_OK);
    assert_false(rep.ok);
    assert_true(failed(&rep, "clip"));
    edge_verify_report_deinit(&rep);

    /* A region of a camera the export does not hold, or regions without redaction. */
    const char *cams[] = {"cam1"};
    edge_export_region_t other = {"cam2", {0, 0, 1, 1}};
    edge_export_req_t req = {.id = "req-2",
                             .legal_basis = "own_images",
                             .cameras = cams,
                             .n_cameras = 1,
                             .from_us = f->seg[1].start_us,
                             .to_us = f->seg[2].start_us,
                             .redact = 1,
                             .regions = &other,
                             .n_regions = 1};
    assert_int_equal(edge_export_build(f->v, &k.site, f->dir, &req, to_file, NULL, NULL),
                     MM_EINVAL);
    req.regions = &keep;
    req.redact = 0;
    assert_int_equal(edge_export_build(f->v, &k.site, f->dir, &req, to_file, NULL, NULL),
                     MM_EINVAL);
    wipe_keys(&k);
}

int main(void)
{
#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &h264)
    const struct CMUnitTest tests[] = {
        T(verify_accepts_an_export_as_made),
        T(verify_accepts_the_last_segment_of_a_stopped_camera),
        T(verify_names_a_changed_byte_in_a_clip),
        T(verify_names_a_changed_byte_in_the_manifest),
        T(verify_catches_a_resigned_manifest_that_misnames_the_log),
        T(verify_refuses_a_checkpoint_the_hub_did_not_cosign),
        T(verify_refuses_an_export_without_a_checkpoint),
        T(verify_names_missing_files),
        T(verify_ties_the_request_to_the_hubs_signature),
        T(verify_refuses_a_request_another_key_signed),
        T(verify_refuses_an_export_without_a_request_the_hub_signed),
        T(verify_catches_a_resigned_manifest_that_changes_the_request),
        T(verify_checks_site_key_pem_against_the_hubs_record),
        T(verify_command_line_exit_status_says_the_verdict),
        T(verify_accepts_a_redacted_export_and_says_so),
    };
#undef T
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
