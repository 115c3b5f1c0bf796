/*
 * test_mirror.c: the hub's verification of site logs, directly, with real LMDB and signatures:
 * a good batch is stored and cosigned; a resend is harmless; a gap is answered with the hub's
 * size; an altered entry, another key, another origin, or a second history is refused whole,
 * leaves the stored log as it was, and becomes a finding.
 */
#include <unistd.h>

#include "hub_fixture.h"
#include "common/entry.h"
#include "hub/findings_codec.h"
#include "hub/mirror.h"

#define N 8

typedef struct {
    hubfx_t hub;
    hub_mirror_t *mirror;
    hub_config_t cfg;
    hub_site_conf_t site;
    mm_ed25519_t site_key;
    uint8_t *entries[N];
    mm_bytes_t views[N];
    mm_hash_t leaves[N];
} fx_t;

/* Entry i of a test log: a segment of camera "cam<i % cams>", encoded into *bytes (the caller
 * frees it), its view and its leaf hash. */
static void make_entry(int i, int cams, uint8_t **bytes, mm_bytes_t *view, mm_hash_t *leaf)
{
    mm_entry_t e = {.time_us = 1000 + i, .kind = MM_ENTRY_SEGMENT_RECORDED};
    snprintf(e.u.segment_recorded.camera, MM_ID_MAX, "cam%d", i % cams);
    e.u.segment_recorded.start_us = i * 10;
    e.u.segment_recorded.end_us = i * 10 + 10;
    memset(e.u.segment_recorded.content_hash, i, 32);
    strcpy(e.u.segment_recorded.codec, "h264");
    size_t len;
    assert_int_equal(mm_entry_encode(&e, bytes, &len), MM_OK);
    *view = (mm_bytes_t){*bytes, len};
    mm_merkle_leaf_hash(*bytes, len, leaf);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    hubfx_open(&f->hub, "mirror", HUBFX_FINDINGS);
    assert_int_equal(mm_ed25519_generate(&f->site_key), MM_OK);
    strcpy(f->site.id, "site-a");
    assert_int_equal(
        mm_note_verifier_make("site-a", MM_NOTE_ALG_ED25519, f->site_key.pub, &f->site.verifier),
        MM_OK);
    f->cfg.n_sites = 1;
    f->cfg.sites = &f->site;
    strcpy(f->cfg.name, "hub");
    assert_int_equal(hub_mirror_open(f->hub.db, &f->cfg, &f->hub.keys, f->hub.findings, &f->mirror),
                     MM_OK);
    for (int i = 0; i < N; i++)
        make_entry(i, 2, &f->entries[i], &f->views[i], &f->leaves[i]);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hub_mirror_close(f->mirror);
    hubfx_close(&f->hub);
    for (int i = 0; i < N; i++)
        free(f->entries[i]);
    free(f);
    return 0;
}

/* A checkpoint for size at origin, signed as signer by key, into note; its length. The root is
 * over the true leaves: the views a batch carries may differ from them (that is the point). */
static size_t signed_note(fx_t *f, uint64_t size, const char *origin, const char *signer,
                          const mm_ed25519_t *key, char note[MM_NOTE_MAX])
{
    mm_checkpoint_t cp = {.size = size};
    snprintf(cp.origin, sizeof cp.origin, "%s", origin);
    assert_int_equal(mm_merkle_root(mm_merkle_leaves_node, f->leaves, size, &cp.root), MM_OK);
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, signer, key, note, MM_NOTE_MAX, &len), MM_OK);
    return len;
}

/* A batch of views[first, first+n) with a checkpoint for first+n signed by key at origin. */
static void send(fx_t *f, uint64_t first, size_t n, const mm_bytes_t *views,
                 const mm_ed25519_t *key, const char *origin, hub_answer_t *out)
{
    char note[MM_NOTE_MAX];
    size_t len = signed_note(f, first + n, origin, "site-a", key, note);
    mm_batch_t b = {.first_index = first, .n_entries = n, .entries = views, .checkpoint = note,
                    .checkpoint_len = len};
    hub_mirror_batch(f->mirror, "site-a", &b, 1795486419000000, out);
}

static uint64_t held(fx_t *f)
{
    hub_site_state_t st;
    assert_int_equal(hub_mirror_state(f->mirror, "site-a", &st), MM_OK);
    return st.size;
}

static int has_finding(fx_t *f, const char *kind)
{
    json_t *list = hubfx_findings(&f->hub);
    size_t i;
    json_t *v;
    int found = 0;
    json_array_foreach(list, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "kind")), kind) == 0)
            found = 1;
    }
    json_decref(list);
    return found;
}

static void good_resend_and_gap(void **state)
{
    fx_t *f = *state;
    hub_answer_t a;
    send(f, 0, 0, f->views, &f->site_key, "mimamori/site/site-a", &a); /* hello */
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(a.ack.size, 0);
    /* Every answer names what the hub takes: an export while it is built. */
    assert_int_equal(a.ack.features, MM_FEATURE_EXPORT_BUILDING);

    send(f, 0, 3, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(a.ack.size, 3);
    assert_int_equal(held(f), 3);

    /* The stored note carries the site's signature and a cosignature that verifies. */
    char *note;
    assert_int_equal(hub_mirror_checkpoint(f->mirror, "site-a", &note), MM_OK);
    mm_note_t parsed;
    assert_int_equal(mm_note_parse(note, strlen(note), &parsed), MM_OK);
    mm_note_verifier_t cv;
    assert_int_equal(mm_note_verifier_make("hub", MM_NOTE_ALG_COSIG_V1, f->hub.keys.sign.pub, &cv),
                     MM_OK);
    uint64_t ts = 0;
    assert_int_equal(mm_note_verify(&parsed, &cv, &ts), MM_OK);
    assert_int_equal(ts, 1795486419);
    assert_int_equal(mm_note_verify(&parsed, &f->site.verifier, NULL), MM_OK);
    assert_non_null(strstr(note, a.cosignature));
    free(note);

    /* A resend, and an overlapping batch, are fine. */
    send(f, 0, 3, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(a.ack.size, 3);
    send(f, 1, 4, f->views + 1, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(a.ack.size, 5);

    /* A gap: the hub says where it stands. */
    send(f, 6, 2, f->views + 6, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_WRONG_SIZE);
    assert_int_equal(a.ack.size, 5);
    assert_int_equal(held(f), 5);
    assert_false(has_finding(f, "root_mismatch"));
}

static void refusals(void **state)
{
    fx_t *f = *state;
    hub_answer_t a;
    send(f, 0, 4, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);

    /* One byte of one entry altered after signing. */
    mm_bytes_t views[N];
    memcpy(views, f->views, sizeof views);
    uint8_t copy[256];
    memcpy(copy, f->views[5].data, f->views[5].len);
    copy[f->views[5].len - 1] ^= 1; /* inside the codec string */
    views[5].data = copy;
    send(f, 4, 3, views + 4, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_int_equal(held(f), 4);
    assert_true(has_finding(f, "root_mismatch"));
    assert_string_equal(a.ack.cosignature, "");

    /* Another key. */
    mm_ed25519_t other;
    assert_int_equal(mm_ed25519_generate(&other), MM_OK);
    send(f, 4, 2, f->views + 4, &other, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_true(has_finding(f, "bad_signature"));

    /* Another log's origin. */
    send(f, 4, 2, f->views + 4, &f->site_key, "mimamori/site/site-b", &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_true(has_finding(f, "bad_origin"));

    /* The overlap differs from what the hub holds: a second history. */
    memcpy(views, f->views, sizeof views);
    views[3] = f->views[7];
    send(f, 3, 3, views + 3, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_true(has_finding(f, "fork"));
    assert_int_equal(held(f), 4);

    /* The log goes on after all that. */
    send(f, 4, 4, f->views + 4, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(held(f), 8);
}

static void fork_at_held_size(void **state)
{
    fx_t *f = *state;
    hub_answer_t a;
    send(f, 0, 2, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    /* A checkpoint for size 2 over other leaves: swap the reference leaves for the signing. */
    mm_hash_t saved = f->leaves[1];
    f->leaves[1] = f->leaves[5];
    send(f, 2, 0, f->views, &f->site_key, "mimamori/site/site-a", &a);
    f->leaves[1] = saved;
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_true(has_finding(f, "fork"));
    json_t *list = hubfx_findings(&f->hub);
    json_t *fk = json_array_get(list, json_array_size(list) - 1);
    assert_string_equal(json_string_value(json_object_get(fk, "severity")), "critical");
    assert_non_null(json_object_get(json_object_get(fk, "evidence"), "checkpoint"));
    json_decref(list);
}

static void malformed(void **state)
{
    fx_t *f = *state;
    hub_answer_t a;
    mm_batch_t b = {.checkpoint = "not a note", .checkpoint_len = 10};
    hub_mirror_batch(f->mirror, "site-a", &b, 1, &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_true(has_finding(f, "malformed_checkpoint"));
    hub_mirror_batch(f->mirror, "nobody", &b, 1, &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    /* The same finding again only counts up. */
    hub_mirror_batch(f->mirror, "site-a", &b, 2, &a);
    json_t *list = hubfx_findings(&f->hub);
    assert_int_equal(json_array_size(list), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "count")), 2);
    json_decref(list);
}

/* Multi-part and oversized frames (link.h): refused, one finding per kind that counts up, with
 * the latest parts and bytes as evidence. */
static void bad_frames(void **state)
{
    fx_t *f = *state;
    hub_answer_t a;
    hub_mirror_bad_frame(f->mirror, "site-a", "multipart_message", 3, 120, 1, &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_non_null(strstr(a.reason, "3 parts"));
    hub_mirror_bad_frame(f->mirror, "site-a", "multipart_message", 12, 7000, 2, &a);
    hub_mirror_bad_frame(f->mirror, "site-a", "oversized_message", 1, 2 << 20, 3, &a);
    assert_non_null(strstr(a.reason, "2097152 bytes"));
    json_t *list = hubfx_findings(&f->hub);
    assert_int_equal(json_array_size(list), 2);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *kind = json_string_value(json_object_get(v, "kind"));
        json_t *ev = json_object_get(v, "evidence");
        assert_string_equal(json_string_value(json_object_get(v, "severity")), "medium");
        if (strcmp(kind, "multipart_message") == 0) {
            assert_int_equal(json_integer_value(json_object_get(v, "count")), 2);
            assert_int_equal(json_integer_value(json_object_get(ev, "parts")), 12);
            assert_int_equal(json_integer_value(json_object_get(ev, "bytes")), 7000);
        } else {
            assert_string_equal(kind, "oversized_message");
            assert_int_equal(json_integer_value(json_object_get(ev, "bytes")), 2 << 20);
        }
    }
    json_decref(list);
    uint64_t accepted, refused;
    hub_mirror_counts(f->mirror, &accepted, &refused);
    assert_int_equal(refused, 3);
}

/* The finding of kind (the last one), or NULL; a new reference. */
static json_t *finding(fx_t *f, const char *kind)
{
    json_t *list = hubfx_findings(&f->hub);
    json_t *found = NULL;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "kind")), kind) == 0)
            found = v;
    }
    if (found)
        json_incref(found);
    json_decref(list);
    return found;
}

static size_t n_findings(fx_t *f)
{
    json_t *list = hubfx_findings(&f->hub);
    size_t n = json_array_size(list);
    json_decref(list);
    return n;
}

static char *stored_note(fx_t *f)
{
    char *note = NULL;
    mm_err_t err = hub_mirror_checkpoint(f->mirror, "site-a", &note);
    return err == MM_OK ? note : NULL;
}

/* The cosignature of an answer verifies over the checkpoint it answers, with the hub's key. */
static void check_cosignature(fx_t *f, uint64_t size, const hub_answer_t *a)
{
    char note[MM_NOTE_MAX];
    size_t len = signed_note(f, size, "mimamori/site/site-a", "site-a", &f->site_key, note);
    assert_true(len + strlen(a->cosignature) < sizeof note);
    strcat(note, a->cosignature);
    mm_note_t parsed;
    assert_int_equal(mm_note_parse(note, strlen(note), &parsed), MM_OK);
    mm_note_verifier_t cv;
    assert_int_equal(mm_note_verifier_make("hub", MM_NOTE_ALG_COSIG_V1, f->hub.keys.sign.pub, &cv),
                     MM_OK);
    assert_int_equal(mm_note_verify(&parsed, &cv, NULL), MM_OK);
}

/* Resends and hellos are cosigned too; nothing about them is a finding. */
static void resend_cosigned_and_hello(void **state)
{
    fx_t *f = *state;
    hub_answer_t a;
    send(f, 0, 4, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    check_cosignature(f, 4, &a);
    /* A resend of an older prefix: acknowledged with the hub's size, cosigned for its own. */
    send(f, 0, 2, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(a.ack.size, 4);
    check_cosignature(f, 2, &a);
    /* A hello at the size held. */
    send(f, 4, 0, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(a.ack.size, 4);
    check_cosignature(f, 4, &a);
    /* A hello beyond it: the hub says what it holds. */
    send(f, 6, 0, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_WRONG_SIZE);
    assert_int_equal(a.ack.size, 4);
    assert_string_equal(a.ack.cosignature, "");
    assert_int_equal(n_findings(f), 0);
}

/* A refused batch leaves the stored checkpoint and its time as they were. */
static void refused_stores_nothing(void **state)
{
    fx_t *f = *state;
    hub_answer_t a;
    send(f, 0, 2, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    char *before = stored_note(f);
    assert_non_null(before);
    hub_site_state_t st0;
    assert_int_equal(hub_mirror_state(f->mirror, "site-a", &st0), MM_OK);
    assert_int_equal(st0.checkpoint_us, 1795486419000000);

    uint8_t copy[256];
    mm_bytes_t views[N];
    memcpy(views, f->views, sizeof views);
    memcpy(copy, f->views[3].data, f->views[3].len);
    copy[f->views[3].len - 2] ^= 0x20;
    views[3].data = copy;
    send(f, 2, 4, views + 2, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_int_equal(a.ack.size, 2);
    assert_string_not_equal(a.ack.reason, "");
    char *after = stored_note(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(held(f), 2);

    /* The finding names the batch and both roots. */
    json_t *rm = finding(f, "root_mismatch");
    assert_non_null(rm);
    assert_string_equal(json_string_value(json_object_get(rm, "severity")), "critical");
    assert_string_equal(json_string_value(json_object_get(rm, "site")), "site-a");
    json_t *ev = json_object_get(rm, "evidence");
    assert_int_equal(json_integer_value(json_object_get(ev, "first_index")), 2);
    assert_int_equal(json_integer_value(json_object_get(ev, "checkpoint_size")), 6);
    assert_string_not_equal(json_string_value(json_object_get(ev, "signed_root")),
                            json_string_value(json_object_get(ev, "computed_root")));
    assert_int_equal(json_integer_value(json_object_get(rm, "count")), 1);
    json_decref(rm);
}

static int count_entry(uint64_t index, const void *data, size_t len, const mm_hash_t *leaf,
                       void *arg)
{
    fx_t *f = ((void **)arg)[0];
    size_t *n = ((void **)arg)[1];
    assert_int_equal(index, *n);
    assert_int_equal(len, f->views[index].len);
    assert_memory_equal(data, f->views[index].data, len);
    assert_memory_equal(leaf->b, f->leaves[index].b, MM_HASH_LEN);
    (*n)++;
    return 0;
}

/* What the hub holds survives closing and opening again; the site keeps its log. */
static void persists(void **state)
{
    fx_t *f = *state;
    hub_answer_t a;
    send(f, 0, 5, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    char *before = stored_note(f);
    hub_mirror_close(f->mirror);
    hub_findings_close(f->hub.findings);
    mm_db_close(f->hub.db);
    assert_int_equal(mm_db_open(f->hub.dir, 0, HUB_DB_TABLES, &f->hub.db), MM_OK);
    assert_int_equal(hub_findings_open(f->hub.db, &f->hub.findings), MM_OK);
    assert_int_equal(hub_mirror_open(f->hub.db, &f->cfg, &f->hub.keys, f->hub.findings, &f->mirror),
                     MM_OK);
    assert_int_equal(held(f), 5);
    char *after = stored_note(f);
    assert_non_null(after);
    assert_string_equal(before, after);
    free(before);
    free(after);

    size_t n = 0;
    void *arg[2] = {f, &n};
    assert_int_equal(hub_mirror_entries(f->mirror, "site-a", 0, 100, count_entry, arg), MM_OK);
    assert_int_equal(n, 5);
    n = 2;
    assert_int_equal(hub_mirror_entries(f->mirror, "site-a", 2, 4, count_entry, arg), MM_OK);
    assert_int_equal(n, 4);

    send(f, 5, 3, f->views + 5, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(held(f), 8);
}

/* A checkpoint whose size does not match the batch, and an entry that is not an entry. */
static void malformed_batch_and_entry(void **state)
{
    fx_t *f = *state;
    hub_answer_t a;
    char note[MM_NOTE_MAX];
    size_t len = signed_note(f, 3, "mimamori/site/site-a", "site-a", &f->site_key, note);
    mm_batch_t b = {.first_index = 0, .n_entries = 2, .entries = f->views, .checkpoint = note,
                    .checkpoint_len = len};
    hub_mirror_batch(f->mirror, "site-a", &b, 5, &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_true(has_finding(f, "malformed_batch"));
    /* A first_index that would overflow. */
    b.first_index = UINT64_MAX;
    hub_mirror_batch(f->mirror, "site-a", &b, 5, &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);

    mm_bytes_t views[3];
    memcpy(views, f->views, sizeof views);
    static const uint8_t junk[] = {0xff, 0xff, 0xff};
    views[1].data = junk;
    views[1].len = sizeof junk;
    b = (mm_batch_t){.first_index = 0, .n_entries = 3, .entries = views, .checkpoint = note,
                     .checkpoint_len = len};
    hub_mirror_batch(f->mirror, "site-a", &b, 5, &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    json_t *me = finding(f, "malformed_entry");
    assert_non_null(me);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(me, "evidence"), "index")),
                     1);
    json_decref(me);
    views[1].len = 0;
    hub_mirror_batch(f->mirror, "site-a", &b, 5, &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_int_equal(held(f), 0);
    assert_int_equal(hub_mirror_checkpoint(f->mirror, "site-a", &(char *){NULL}), MM_ENOTFOUND);

    /* A message that did not decode. */
    hub_mirror_malformed(f->mirror, "site-a", MM_EPROTO, "not an envelope", 6, &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_string_equal(a.ack.reason, "not an envelope");
    assert_true(has_finding(f, "malformed_message"));
}

/* Two sites get two logs; one site's checkpoint does not count for the other. */
static void two_sites(void **state)
{
    fx_t *f = *state;
    hub_site_conf_t sites[2];
    sites[0] = f->site;
    mm_ed25519_t key_b;
    assert_int_equal(mm_ed25519_generate(&key_b), MM_OK);
    memset(&sites[1], 0, sizeof sites[1]);
    strcpy(sites[1].id, "site-b");
    assert_int_equal(mm_note_verifier_make("site-b", MM_NOTE_ALG_ED25519, key_b.pub,
                                           &sites[1].verifier),
                     MM_OK);
    f->cfg.sites = sites;
    f->cfg.n_sites = 2;

    hub_answer_t a;
    send(f, 0, 3, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);

    /* site-a's checkpoint sent as site-b: site-b's key did not sign it. */
    char note[MM_NOTE_MAX];
    size_t len = signed_note(f, 3, "mimamori/site/site-a", "site-a", &f->site_key, note);
    mm_batch_t b = {.first_index = 0, .n_entries = 3, .entries = f->views, .checkpoint = note,
                    .checkpoint_len = len};
    hub_mirror_batch(f->mirror, "site-b", &b, 7, &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    json_t *bs = finding(f, "bad_signature");
    assert_non_null(bs);
    assert_string_equal(json_string_value(json_object_get(bs, "site")), "site-b");
    json_decref(bs);

    /* site-b with its own key and origin has a log of its own. */
    b.checkpoint_len = signed_note(f, 3, "mimamori/site/site-b", "site-b", &key_b, note);
    hub_mirror_batch(f->mirror, "site-b", &b, 8, &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    hub_site_state_t st;
    assert_int_equal(hub_mirror_state(f->mirror, "site-b", &st), MM_OK);
    assert_int_equal(st.size, 3);
    assert_int_equal(st.checkpoint_us, 8);
    assert_int_equal(held(f), 3);
    f->cfg.sites = &f->site;
    f->cfg.n_sites = 1;
}

/* What the observer was told: one call per batch that stored entries. */
typedef struct {
    int calls;
    uint64_t first, size;
    int bytes_match;
    fx_t *f;
} observed_t;

static void observe(void *arg, const char *site, uint64_t first, uint64_t size,
                    const mm_bytes_t *entries)
{
    observed_t *o = arg;
    assert_string_equal(site, "site-a");
    o->calls++;
    o->first = first;
    o->size = size;
    o->bytes_match = 1;
    for (uint64_t i = first; i < size; i++)
        o->bytes_match &= entries[i - first].len == o->f->views[i].len &&
                          !memcmp(entries[i - first].data, o->f->views[i].data,
                                  o->f->views[i].len);
    /* After the commit: the mirror already holds them. */
    assert_int_equal(held(o->f), size);
}

static void observer_hears_each_stored_batch_once(void **state)
{
    fx_t *f = *state;
    observed_t o = {.f = f};
    hub_mirror_set_observer(f->mirror, observe, &o);
    hub_answer_t a;
    send(f, 0, 0, f->views, &f->site_key, "mimamori/site/site-a", &a); /* hello: nothing new */
    assert_int_equal(o.calls, 0);
    send(f, 0, 3, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.first, 0);
    assert_int_equal(o.size, 3);
    assert_true(o.bytes_match);

    /* An overlap: only the new entries. A resend: nothing. */
    send(f, 1, 4, f->views + 1, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(o.calls, 2);
    assert_int_equal(o.first, 3);
    assert_int_equal(o.size, 5);
    assert_true(o.bytes_match);
    send(f, 0, 5, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(o.calls, 2);

    /* Refused or out of place: nothing, and counted as not accepted. */
    mm_ed25519_t other;
    assert_int_equal(mm_ed25519_generate(&other), MM_OK);
    send(f, 5, 2, f->views + 5, &other, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    send(f, 6, 2, f->views + 6, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_WRONG_SIZE);
    hub_mirror_malformed(f->mirror, "site-a", MM_EPROTO, "not an envelope", 6, &a);
    assert_int_equal(o.calls, 2);
    uint64_t accepted, refused;
    hub_mirror_counts(f->mirror, &accepted, &refused);
    assert_int_equal(accepted, 4);
    assert_int_equal(refused, 3);
}

/* A batch of n entries from 0: a log_restarted of epoch (reason why) then views[1, n), with its
 * own checkpoint; the answer into a. */
static void send_restart(fx_t *f, uint32_t epoch, const char *why, size_t n, hub_answer_t *a)
{
    mm_entry_t e = {.time_us = 5000, .kind = MM_ENTRY_LOG_RESTARTED};
    e.u.log_restarted.epoch = epoch;
    e.u.log_restarted.previous_size = 4;
    snprintf(e.u.log_restarted.reason, sizeof e.u.log_restarted.reason, "%s", why);
    uint8_t *first;
    size_t len;
    assert_int_equal(mm_entry_encode(&e, &first, &len), MM_OK);
    mm_bytes_t views[N];
    mm_hash_t leaves[N];
    views[0] = (mm_bytes_t){.data = first, .len = len};
    for (size_t i = 1; i < n; i++)
        views[i] = f->views[i];
    for (size_t i = 0; i < n; i++)
        mm_merkle_leaf_hash(views[i].data, views[i].len, &leaves[i]);
    mm_checkpoint_t cp = {.size = n};
    snprintf(cp.origin, sizeof cp.origin, "mimamori/site/site-a");
    assert_int_equal(mm_merkle_root(mm_merkle_leaves_node, leaves, n, &cp.root), MM_OK);
    char note[MM_NOTE_MAX];
    size_t nlen;
    assert_int_equal(mm_checkpoint_sign(&cp, "site-a", &f->site_key, note, MM_NOTE_MAX, &nlen),
                     MM_OK);
    mm_batch_t b = {.first_index = 0,
                    .n_entries = n,
                    .entries = views,
                    .checkpoint = note,
                    .checkpoint_len = nlen};
    hub_mirror_batch(f->mirror, "site-a", &b, 1795486419000000, a);
    free(first);
}

/* A site that lost its store begins its log anew (edge/newlog.h): only with the next epoch; the
 * log held is closed, the new one takes its place, a resend of it is no second beginning. */
static void log_begun_anew_only_at_the_next_epoch(void **state)
{
    fx_t *f = *state;
    hub_answer_t a;
    send(f, 0, 4, f->views, &f->site_key, "mimamori/site/site-a", &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    send_restart(f, 2, "disk replaced", 3, &a);
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_non_null(strstr(a.reason, "expects epoch 1"));
    assert_true(has_finding(f, "log_restart_refused"));
    assert_int_equal(held(f), 4);
    send_restart(f, 1, "disk replaced", 3, &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(a.ack.size, 3);
    assert_int_equal(held(f), 3);
    assert_true(has_finding(f, "site_log_restarted"));
    send_restart(f, 1, "disk replaced", 3, &a); /* a resend */
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(held(f), 3);
    send_restart(f, 1, "another", 2, &a); /* epoch 1 again, other bytes */
    assert_int_equal(a.ack.status, MM_ACK_REFUSED);
    assert_non_null(strstr(a.reason, "expects epoch 2"));
    send_restart(f, 2, "second disk", 2, &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(held(f), 2);
}

/*
 * Group commit: several batches of one site in one group follow each other; a batch in the
 * middle whose entry was altered is refused alone, with its finding, and writes nothing (the
 * next batch, from the same index, is stored); one that starts beyond what the group has
 * stored is told the size; a resend in the same group is acknowledged; the log is the tree of
 * the true entries.
 */
static void a_group_commits_together_and_refuses_alone(void **state)
{
    fx_t *f = *state;
    mm_bytes_t altered[N];
    memcpy(altered, f->views, sizeof altered);
    uint8_t bad[256];
    memcpy(bad, f->views[4].data, f->views[4].len);
    bad[f->views[4].len - 1] ^= 1;
    altered[4].data = bad;
    struct {
        uint64_t first;
        size_t n;
        const mm_bytes_t *views;
        mm_ack_status_t status;
        uint64_t size;
    } want[] = {
        {0, 2, f->views, MM_ACK_OK, 2},         {2, 2, f->views + 2, MM_ACK_OK, 4},
        {4, 2, altered + 4, MM_ACK_REFUSED, 4}, {7, 1, f->views + 7, MM_ACK_WRONG_SIZE, 4},
        {4, 3, f->views + 4, MM_ACK_OK, 7},     {0, 4, f->views, MM_ACK_OK, 7},
        {7, 1, f->views + 7, MM_ACK_OK, 8},
    };
    enum { G = sizeof want / sizeof want[0] };
    char notes[G][MM_NOTE_MAX];
    mm_batch_t b[G];
    hub_answer_t a[G];
    hub_mirror_item_t items[G];
    for (size_t i = 0; i < G; i++) {
        size_t len = signed_note(f, want[i].first + want[i].n, "mimamori/site/site-a", "site-a",
                                 &f->site_key, notes[i]);
        b[i] = (mm_batch_t){.first_index = want[i].first,
                            .n_entries = want[i].n,
                            .entries = want[i].views,
                            .checkpoint = notes[i],
                            .checkpoint_len = len};
        items[i] = (hub_mirror_item_t){"site-a", &b[i], 1795486419000000, &a[i]};
    }
    hub_mirror_batches(f->mirror, items, G);
    for (size_t i = 0; i < G; i++) {
        assert_int_equal(a[i].ack.status, want[i].status);
        assert_int_equal(a[i].ack.size, want[i].size);
        assert_int_equal(a[i].cosignature[0] != 0, want[i].status == MM_ACK_OK);
    }
    assert_true(has_finding(f, "root_mismatch"));
    assert_int_equal(held(f), 8);
    /* What is stored is the true log: a resend of all of it is acknowledged. */
    hub_answer_t r;
    send(f, 0, N, f->views, &f->site_key, "mimamori/site/site-a", &r);
    assert_int_equal(r.ack.status, MM_ACK_OK);
    assert_int_equal(r.ack.size, N);
    uint64_t accepted, refused;
    hub_mirror_counts(f->mirror, &accepted, &refused);
    assert_int_equal(accepted, 6);
    assert_int_equal(refused, 2);
}

/*
 * A group whose checkpoints are checked together (on the mirror's helper threads, beside the
 * caller, when the machine has more than one processor): each refusal is its own, with its
 * finding, whatever the batches around it; each batch that passes is cosigned exactly as
 * mm_cosig_sign signs it alone (Ed25519 is deterministic).
 */
static void a_group_is_checked_together_each_on_its_own(void **state)
{
    fx_t *f = *state;
    mm_ed25519_t other;
    assert_int_equal(mm_ed25519_generate(&other), MM_OK);
    struct {
        uint64_t first;
        size_t n;
        uint64_t signed_size;
        const char *site;
        const char *origin;
        const mm_ed25519_t *key;
        mm_ack_status_t status;
        const char *finding;
    } want[] = {
        {0, 2, 2, "site-a", "mimamori/site/site-a", &f->site_key, MM_ACK_OK, NULL},
        {2, 2, 4, "site-a", "mimamori/site/site-a", &other, MM_ACK_REFUSED, "bad_signature"},
        {2, 2, 4, "site-a", "mimamori/site/site-b", &f->site_key, MM_ACK_REFUSED, "bad_origin"},
        {2, 2, 5, "site-a", "mimamori/site/site-a", &f->site_key, MM_ACK_REFUSED,
         "malformed_batch"},
        {2, 2, 4, "nobody", "mimamori/site/nobody", &f->site_key, MM_ACK_REFUSED, NULL},
        {2, 0, 0, "site-a", NULL, NULL, MM_ACK_REFUSED, "malformed_checkpoint"},
        {2, 3, 5, "site-a", "mimamori/site/site-a", &f->site_key, MM_ACK_OK, NULL},
        {5, 3, 8, "site-a", "mimamori/site/site-a", &f->site_key, MM_ACK_OK, NULL},
    };
    enum { G = sizeof want / sizeof want[0] };
    char notes[G][MM_NOTE_MAX];
    mm_batch_t b[G];
    hub_answer_t a[G];
    hub_mirror_item_t items[G];
    const int64_t now = 1795486419000000;
    for (size_t i = 0; i < G; i++) {
        size_t len;
        if (want[i].key) {
            len = signed_note(f, want[i].signed_size, want[i].origin, "site-a", want[i].key,
                              notes[i]);
        } else {
            strcpy(notes[i], "not a note");
            len = strlen(notes[i]);
        }
        b[i] = (mm_batch_t){.first_index = want[i].first,
                            .n_entries = want[i].n,
                            .entries = f->views + want[i].first,
                            .checkpoint = notes[i],
                            .checkpoint_len = len};
        items[i] = (hub_mirror_item_t){want[i].site, &b[i], now + (int64_t)i * 1000000, &a[i]};
    }
    hub_mirror_batches(f->mirror, items, G);
    for (size_t i = 0; i < G; i++) {
        assert_int_equal(a[i].ack.status, want[i].status);
        if (want[i].finding)
            assert_true(has_finding(f, want[i].finding));
        if (want[i].status != MM_ACK_OK) {
            assert_string_equal(a[i].cosignature, "");
            continue;
        }
        assert_int_equal(a[i].ack.size, want[i].signed_size);
        mm_note_t note;
        assert_int_equal(mm_note_parse(notes[i], b[i].checkpoint_len, &note), MM_OK);
        char line[MM_NOTE_LINE_MAX];
        assert_int_equal(mm_cosig_sign(note.body, note.body_len, f->hub.keys.name,
                                       &f->hub.keys.sign, (uint64_t)(items[i].now_us / 1000000),
                                       line, sizeof line),
                         MM_OK);
        assert_string_equal(a[i].cosignature, line);
    }
    assert_int_equal(held(f), 8);
    hub_answer_t r;
    send(f, 0, N, f->views, &f->site_key, "mimamori/site/site-a", &r);
    assert_int_equal(r.ack.status, MM_ACK_OK);
}

/* A watcher that checks the decoded entries it is handed against what was encoded (entry i:
 * time 1000 + i, start i * 10). */
typedef struct {
    uint64_t seen, wrong;
} decoded_check_t;

static mm_err_t check_decoded(void *arg, MDB_txn *txn, const char *site, int64_t now_us,
                              const mm_checkpoint_t *cp, uint64_t first, const mm_entry_t *e,
                              size_t n)
{
    (void)txn, (void)site, (void)now_us, (void)cp;
    decoded_check_t *c = arg;
    for (size_t k = 0; k < n; k++) {
        uint64_t i = first + k;
        c->seen++;
        if (e[k].kind != MM_ENTRY_SEGMENT_RECORDED || e[k].time_us != (int64_t)(1000 + i) ||
            e[k].u.segment_recorded.start_us != (int64_t)(i * 10))
            c->wrong++;
    }
    return MM_OK;
}

/* Item *item of a group: the batch of entries [first, first + n) of views, with site-a's
 * checkpoint over leaves signed into note. */
static void group_item(fx_t *f, uint64_t first, size_t n, const mm_bytes_t *views,
                       const mm_hash_t *leaves, char *note, mm_batch_t *b, hub_answer_t *a,
                       hub_mirror_item_t *item)
{
    mm_checkpoint_t cp = {.size = first + n};
    strcpy(cp.origin, "mimamori/site/site-a");
    assert_int_equal(mm_merkle_root(mm_merkle_leaves_node, (void *)leaves, cp.size, &cp.root),
                     MM_OK);
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, "site-a", &f->site_key, note, MM_NOTE_MAX, &len),
                     MM_OK);
    *b = (mm_batch_t){.first_index = first,
                      .n_entries = n,
                      .entries = views + first,
                      .checkpoint = note,
                      .checkpoint_len = len};
    *item = (hub_mirror_item_t){"site-a", b, 1795486419000000, a};
}

/*
 * Batches large enough that a helper decodes each while the one before is stored: an entry
 * that is not a log entry, in the middle of a group, refuses its batch alone (malformed_entry)
 * and the batches after it, decoded in the other scratch array, are stored whole.
 */
static void a_group_decoded_ahead_refuses_a_bad_entry_alone(void **state)
{
    fx_t *f = *state;
    enum { M = 120, B = 40 };
    uint8_t *bytes[M];
    mm_bytes_t views[M], bad_views[M];
    mm_hash_t leaves[M], bad_leaves[M];
    for (int i = 0; i < M; i++)
        make_entry(i, 3, &bytes[i], &views[i], &leaves[i]);
    static const uint8_t junk[] = {0xff, 0xff, 0xff};
    memcpy(bad_views, views, sizeof bad_views);
    memcpy(bad_leaves, leaves, sizeof bad_leaves);
    bad_views[50] = (mm_bytes_t){junk, sizeof junk};
    mm_merkle_leaf_hash(junk, sizeof junk, &bad_leaves[50]);
    struct {
        uint64_t first;
        const mm_bytes_t *views;
        const mm_hash_t *leaves;
        mm_ack_status_t status;
        uint64_t size;
    } want[] = {
        {0, views, leaves, MM_ACK_OK, 40},
        {40, bad_views, bad_leaves, MM_ACK_REFUSED, 40},
        {40, views, leaves, MM_ACK_OK, 80},
        {80, views, leaves, MM_ACK_OK, 120},
    };
    enum { G = sizeof want / sizeof want[0] };
    char notes[G][MM_NOTE_MAX];
    mm_batch_t b[G];
    hub_answer_t a[G];
    hub_mirror_item_t items[G];
    for (size_t i = 0; i < G; i++)
        group_item(f, want[i].first, B, want[i].views, want[i].leaves, notes[i], &b[i], &a[i],
                   &items[i]);
    decoded_check_t dc = {0};
    hub_mirror_set_watcher(f->mirror, &(hub_mirror_watcher_t){.stored = check_decoded, .arg = &dc});
    hub_mirror_batches(f->mirror, items, G);
    for (size_t i = 0; i < G; i++) {
        assert_int_equal(a[i].ack.status, want[i].status);
        assert_int_equal(a[i].ack.size, want[i].size);
    }
    assert_true(has_finding(f, "malformed_entry"));
    assert_int_equal(dc.seen, M); /* each stored entry handed over once, decoded right */
    assert_int_equal(dc.wrong, 0);
    assert_int_equal(held(f), M);
    /* What is stored is the good log, entry by entry. */
    mm_log_t *log;
    assert_int_equal(mm_log_open(f->hub.db, &log), MM_OK);
    MDB_txn *txn;
    assert_int_equal(mm_db_read(f->hub.db, &txn), MM_OK);
    for (int i = 0; i < M; i++) {
        mm_hash_t leaf;
        assert_int_equal(mm_log_leaf(log, txn, 1, (uint64_t)i, &leaf), MM_OK);
        assert_memory_equal(leaf.b, leaves[i].b, MM_HASH_LEN);
    }
    mdb_txn_abort(txn);
    mm_log_close(log);
    for (int i = 0; i < M; i++)
        free(bytes[i]);
}

/* A group whose transaction meets a full map is run again after the map grows (mm_db_write):
 * the batches decoded ahead are decoded again, and the helpers' queue keeps its bounds. Every
 * batch is stored once. */
static void a_group_run_again_after_the_map_grew(void **state)
{
    fx_t *f = *state;
    hub_mirror_close(f->mirror);
    hub_findings_close(f->hub.findings);
    mm_db_close(f->hub.db);
    char p[512];
    snprintf(p, sizeof p, "%s/data.mdb", f->hub.dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", f->hub.dir);
    unlink(p);
    assert_int_equal(mm_db_open(f->hub.dir, 128 * 1024, HUB_DB_TABLES, &f->hub.db), MM_OK);
    assert_int_equal(hub_findings_open(f->hub.db, &f->hub.findings), MM_OK);
    assert_int_equal(hub_mirror_open(f->hub.db, &f->cfg, &f->hub.keys, f->hub.findings, &f->mirror),
                     MM_OK);
    enum { G = 48, B = 40, M = G * B };
    static uint8_t *bytes[M];
    static mm_bytes_t views[M];
    static mm_hash_t leaves[M];
    for (int i = 0; i < M; i++)
        make_entry(i, 3, &bytes[i], &views[i], &leaves[i]);
    static char notes[G][MM_NOTE_MAX];
    mm_batch_t b[G];
    hub_answer_t a[G];
    hub_mirror_item_t items[G];
    for (size_t i = 0; i < G; i++)
        group_item(f, i * B, B, views, leaves, notes[i], &b[i], &a[i], &items[i]);
    hub_mirror_batches(f->mirror, items, G);
    for (size_t i = 0; i < G; i++) {
        assert_int_equal(a[i].ack.status, MM_ACK_OK);
        assert_int_equal(a[i].ack.size, (i + 1) * B);
    }
    assert_int_equal(held(f), M);
    MDB_envinfo info;
    assert_int_equal(mdb_env_info(mm_db_env(f->hub.db), &info), 0);
    assert_true(info.me_mapsize > 128 * 1024); /* it did grow */
    for (int i = 0; i < M; i++)
        free(bytes[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(good_resend_and_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(fork_at_held_size, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(resend_cosigned_and_hello, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(persists, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_batch_and_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(two_sites, setup, teardown),
        cmocka_unit_test_setup_teardown(log_begun_anew_only_at_the_next_epoch, setup, teardown),
        cmocka_unit_test_setup_teardown(observer_hears_each_stored_batch_once, setup, teardown),
        cmocka_unit_test_setup_teardown(a_group_commits_together_and_refuses_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_group_is_checked_together_each_on_its_own, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_group_run_again_after_the_map_grew, setup, teardown),
        cmocka_unit_test_setup_teardown(a_group_decoded_ahead_refuses_a_bad_entry_alone, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
