/*
 * test_mirror.c: the hub's verification of site logs, directly, with real LMDB and signatures:
 * a good batch is stored and cosigned; a resend is harmless; a gap is answered with the hub's
 * size; an altered entry, another key, another origin, or a second history is refused whole,
 * leaves the stored log as it was, and becomes a finding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "entry.h"
#include "mirror.h"

#define N 8

typedef struct {
    char dir[64];
    mm_db_t *db;
    hub_findings_t *findings;
    hub_mirror_t *mirror;
    hub_config_t cfg;
    hub_site_conf_t site;
    mm_keypair_t hub;
    mm_ed25519_t site_key;
    uint8_t *entries[N];
    mm_bytes_t views[N];
    mm_hash_t leaves[N];
} fx_t;

static mm_err_t leaf_fn(void *ctx, unsigned level, uint64_t index, mm_hash_t *out)
{
    fx_t *f = ctx;
    /* Perfect subtree hashes computed from the leaves, for reference roots. */
    if (level == 0) {
        *out = f->leaves[index];
        return MM_OK;
    }
    mm_hash_t l, r;
    leaf_fn(ctx, level - 1, index * 2, &l);
    leaf_fn(ctx, level - 1, index * 2 + 1, &r);
    mm_merkle_node_hash(&l, &r, out);
    return MM_OK;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/mm-test-mirror-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(mm_keys_generate("hub", &f->hub), MM_OK);
    assert_int_equal(mm_ed25519_generate(&f->site_key), MM_OK);
    strcpy(f->site.id, "site-a");
    assert_int_equal(
        mm_note_verifier_make("site-a", MM_NOTE_ALG_ED25519, f->site_key.pub, &f->site.verifier),
        MM_OK);
    f->cfg.n_sites = 1;
    f->cfg.sites = &f->site;
    strcpy(f->cfg.name, "hub");
    assert_int_equal(mm_db_open(f->dir, 0, 16, &f->db), MM_OK);
    assert_int_equal(hub_findings_open(f->db, &f->findings), MM_OK);
    assert_int_equal(hub_mirror_open(f->db, &f->cfg, &f->hub, f->findings, &f->mirror), MM_OK);
    for (int i = 0; i < N; i++) {
        mm_entry_t e = {.time_us = 1000 + i, .kind = MM_ENTRY_SEGMENT_RECORDED};
        snprintf(e.u.segment_recorded.camera, MM_ID_MAX, "cam%d", i % 2);
        e.u.segment_recorded.start_us = i * 10;
        e.u.segment_recorded.end_us = i * 10 + 10;
        memset(e.u.segment_recorded.content_hash, i, 32);
        strcpy(e.u.segment_recorded.codec, "h264");
        size_t len;
        assert_int_equal(mm_entry_encode(&e, &f->entries[i], &len), MM_OK);
        f->views[i].data = f->entries[i];
        f->views[i].len = len;
        mm_merkle_leaf_hash(f->entries[i], len, &f->leaves[i]);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hub_mirror_close(f->mirror);
    hub_findings_close(f->findings);
    mm_db_close(f->db);
    for (int i = 0; i < N; i++)
        free(f->entries[i]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* A batch of views[first, first+n) with a checkpoint for first+n signed by key at origin. */
static void send(fx_t *f, uint64_t first, size_t n, const mm_bytes_t *views,
                 const mm_ed25519_t *key, const char *origin, hub_answer_t *out)
{
    mm_checkpoint_t cp = {.size = first + n};
    snprintf(cp.origin, sizeof cp.origin, "%s", origin);
    /* The root over the true leaves: views may differ from them (that is the point). */
    assert_int_equal(mm_merkle_root(leaf_fn, f, cp.size, &cp.root), MM_OK);
    char note[MM_NOTE_MAX];
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, "site-a", key, note, sizeof note, &len), MM_OK);
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
    json_t *list = hub_findings_list(f->findings);
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
    assert_int_equal(mm_note_verifier_make("hub", MM_NOTE_ALG_COSIG_V1, f->hub.sign.pub, &cv),
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
    json_t *list = hub_findings_list(f->findings);
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
    json_t *list = hub_findings_list(f->findings);
    assert_int_equal(json_array_size(list), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "count")), 2);
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(good_resend_and_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(fork_at_held_size, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
