/*
 * test_disclosure.c: disclosure requests at the edge (R-K2.2.5, R-K2.2.6b, R-N7.3, R-N7.4,
 * R-N7.6, R-N8) over real footage: H.264 encoded by Debian's ffmpeg, recorded into encrypted
 * segments with a real keyring and indexed in a real store (footage_fixture.h). A hub key pair
 * made here signs each request's statement as the hub does.
 *
 * A valid request is held at once and its footage outlives retention; a bad signature, an
 * unknown camera, a backwards range or a bad recipient is refused without a hold; a receipt a
 * stop interrupted is finished at start. Preparations narrow within the request; an operator
 * cannot approve; nobody approves what they alone prepared; own images need regions. Denial and
 * expiry release the holds (expiry also by the timer, on the injected clock); an approved
 * request keeps them until the manager releases them, which only the manager may do and only
 * once the export is delivered or has failed (R-K2.2.6b). An approved export is built off the
 * loop, decrypts with Debian's `age`, and its SHA-256 is the logged one. The uplink's transfer:
 * one chunk in flight, sent again from the hub's `have`, after WAIT and when unanswered, late
 * answers ignored, ended by COMPLETE or REFUSED — against a ZeroMQ ROUTER here.
 *
 * ffmpeg, age and age-keygen are required (ops/bootstrap.sh installs them).
 */
#include "footage_fixture.h"

#include <uv.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/entry.h"
#include "common/wire.h"
#include "edge/access.h"
#include "edge/disclosure.h"
#include "edge/requests.h"
#include "edge/retention.h"
#include "edge/uplink.h"

#define DAY_US (86400 * S)

static char clock_file[64];

static void set_clock(int64_t offset_us)
{
    FILE *c = fopen(clock_file, "w");
    assert_non_null(c);
    fprintf(c, "%lld\n", (long long)offset_us);
    fclose(c);
}

/* --- the fixture -----------------------------------------------------------------------------*/

typedef struct {
    char id[MM_ID_MAX];
    char path[512];
    uint64_t total;
    uint8_t sha256[32];
} sent_t;

typedef struct {
    fx_t *f;
    uv_loop_t loop;
    mm_ed25519_t hub;
    mm_keypair_t site;
    char key[128], rec[128]; /* the requester's age identity file and recipient */
    char exports[160];
    edge_disclosure_t *d;
    size_t n_sent;
    sent_t sent[8];
} t_t;

static const char *const site_cameras[] = {"cam1", "cam2"};

static void on_send(void *arg, const char *id, const char *path, uint64_t total,
                    const uint8_t sha256[32])
{
    t_t *t = arg;
    assert_true(t->n_sent < 8);
    sent_t *s = &t->sent[t->n_sent++];
    snprintf(s->id, sizeof s->id, "%s", id);
    snprintf(s->path, sizeof s->path, "%s", path);
    s->total = total;
    memcpy(s->sha256, sha256, 32);
}

/* The site's policy: naha, which admits every basis these tests use, unless a test says. */
static mm_policy_t site_policy = MM_POLICY_NAHA;

static void open_disclosure(t_t *t, uint64_t sweep_ms)
{
    edge_disclosure_conf_t c = {.loop = &t->loop,
                                .store = t->f->store,
                                .vault = t->f->v,
                                .site_key = &t->site,
                                .site = "site-a",
                                .policy = site_policy,
                                .hub_pub = t->hub.pub,
                                .cameras = site_cameras,
                                .n_cameras = 2,
                                .exports_dir = t->exports,
                                .sweep_ms = sweep_ms,
                                .send = on_send,
                                .arg = t};
    assert_int_equal(edge_disclosure_create(&c, &t->d), MM_OK);
}

static void close_disclosure(t_t *t)
{
    edge_disclosure_close(t->d, NULL, NULL);
    t->d = NULL;
    assert_int_equal(uv_run(&t->loop, UV_RUN_DEFAULT), 0);
}

static int t_setup(void **state)
{
    *state = &h264;
    int rc = setup(state); /* the footage: cam1, four 2-second segments from T0 */
    if (rc)
        return rc;
    t_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->f = *state;
    assert_int_equal(uv_loop_init(&t->loop), 0);
    assert_int_equal(mm_ed25519_generate(&t->hub), MM_OK);
    assert_int_equal(mm_keys_generate("site-a", &t->site), MM_OK);
    requester_key(t->f, "requester.key", t->key, t->rec);
    snprintf(t->exports, sizeof t->exports, "%s/exports", t->f->dir);
    open_disclosure(t, 0);
    *state = t;
    return 0;
}

static int t_teardown(void **state)
{
    t_t *t = *state;
    if (!t || t == (void *)&h264)
        return 0;
    if (t->d)
        close_disclosure(t);
    assert_int_equal(uv_loop_close(&t->loop), 0);
    mm_ed25519_wipe(&t->hub);
    mm_keys_wipe(&t->site);
    void *f = t->f;
    free(t);
    return teardown(&f);
}

/* --- requests as the hub sends them ----------------------------------------------------------*/

/* The range [T0 + 2 s + 1 ms, T0 + 6 s - 1 ms): it overlaps segments 1 and 2 of cam1 only. */
#define FROM (T0 + SEG_US + 1000)
#define TO (T0 + 3 * SEG_US - 1000)
#define NOW (T0 + 8 * S)
#define DEADLINE (T0 + 3 * DAY_US)

static mm_city_request_t *request(t_t *t, const char *id, const char *basis, const char *cams)
{
    mm_city_request_t *q = calloc(1, sizeof *q);
    assert_non_null(q);
    snprintf(q->id, sizeof q->id, "%s", id);
    q->kind = MM_REQUEST_KIND_DISCLOSURE;
    q->time_us = T0 + 7 * S;
    q->deadline_us = DEADLINE;
    snprintf(q->text, sizeof q->text, "11月20日の窃盗事件の捜査\n(照会書のとおり)");
    q->from_us = FROM;
    q->to_us = TO;
    assert_true(mm_legal_basis_parse(basis, &q->legal_basis));
    snprintf(q->reference, sizeof q->reference, "那覇署 捜査関係事項照会 第12号");
    snprintf(q->requester, sizeof q->requester, "requester-1");
    snprintf(q->recipient, sizeof q->recipient, "%s", t->rec);
    char list[256];
    snprintf(list, sizeof list, "%s", cams);
    for (char *save = NULL, *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
        snprintf(q->cameras[q->n_cameras++], sizeof q->cameras[0], "%s", c);
    return q;
}

/* Signs q's statement for site-a with key, as the hub does. */
static void sign_with(mm_city_request_t *q, const mm_ed25519_t *key)
{
    char stmt[MM_STATEMENT_MAX];
    size_t len = 0;
    assert_int_equal(mm_disclosure_statement(q, "site-a", stmt, sizeof stmt, &len), MM_OK);
    assert_int_equal(mm_ed25519_sign(key, stmt, len, q->signature), MM_OK);
    q->has_signature = 1;
}

/* Logs q as the edge's uplink hook does: its city_request entry, then the disclosure module. */
static mm_err_t arrive(t_t *t, const mm_city_request_t *q, int64_t now)
{
    size_t logged = 0;
    assert_int_equal(edge_requests_receive(t->f->store, q, 1, now, &logged), MM_OK);
    mm_city_request_t *got = malloc(sizeof *got);
    assert_non_null(got);
    assert_int_equal(edge_requests_get(t->f->store, q->id, got), MM_OK);
    mm_err_t err = edge_disclosure_receive(t->d, got, now);
    free(got);
    return err;
}

/* A valid request, received and held. */
static mm_city_request_t *held(t_t *t, const char *id, const char *basis, const char *cams)
{
    mm_city_request_t *q = request(t, id, basis, cams);
    sign_with(q, &t->hub);
    assert_int_equal(arrive(t, q, NOW), MM_OK);
    return q;
}

/* --- what the log and the store say ----------------------------------------------------------*/

static uint64_t log_size(t_t *t)
{
    uint64_t n = 0;
    assert_int_equal(edge_store_size(t->f->store, &n), MM_OK);
    return n;
}

/*
 * The disclosure entries of request id with step step (NULL: any), counted; the last one into
 * *out when not NULL.
 */
static size_t steps(t_t *t, const char *id, const char *step, mm_entry_t *out)
{
    uint64_t n = log_size(t);
    mm_bytes_t *es = NULL;
    assert_int_equal(edge_store_entries(t->f->store, 0, (size_t)n, &es), MM_OK);
    mm_entry_t *e = malloc(sizeof *e);
    assert_non_null(e);
    size_t found = 0;
    for (uint64_t i = 0; i < n; i++) {
        assert_int_equal(mm_entry_decode(es[i].data, es[i].len, e), MM_OK);
        if (e->kind != MM_ENTRY_DISCLOSURE || strcmp(e->u.disclosure.request, id) != 0 ||
            (step && strcmp(mm_disclosure_step_name(e->u.disclosure.step), step) != 0))
            continue;
        found++;
        if (out)
            *out = *e;
    }
    free(e);
    free(es);
    return found;
}

/* Entries of kind kind. */
static size_t entries_of(t_t *t, mm_entry_kind_t kind)
{
    uint64_t n = log_size(t);
    mm_bytes_t *es = NULL;
    assert_int_equal(edge_store_entries(t->f->store, 0, (size_t)n, &es), MM_OK);
    mm_entry_t *e = malloc(sizeof *e);
    size_t found = 0;
    for (uint64_t i = 0; i < n; i++) {
        assert_int_equal(mm_entry_decode(es[i].data, es[i].len, e), MM_OK);
        found += e->kind == kind;
    }
    free(e);
    free(es);
    return found;
}

/* The request as the control socket shows it (caller decrefs). */
static json_t *shown(t_t *t, const char *id)
{
    json_t *list = NULL;
    assert_int_equal(edge_disclosure_list(t->d, &list), MM_OK);
    size_t i;
    json_t *q, *found = NULL;
    json_array_foreach(json_object_get(list, "disclosures"), i,
                       q) if (!strcmp(json_string_value(json_object_get(q, "id")), id)) found =
        json_incref(q);
    json_decref(list);
    assert_non_null(found);
    return found;
}

static const char *state_of(t_t *t, const char *id)
{
    static char state[32];
    json_t *q = shown(t, id);
    snprintf(state, sizeof state, "%s", json_string_value(json_object_get(q, "state")));
    json_decref(q);
    return state;
}

static int hold_exists(t_t *t, const char *hold)
{
    edge_hold_row_t row;
    mm_err_t err = edge_vault_hold_get(t->f->v, hold, &row);
    assert_true(err == MM_OK || err == MM_ENOTFOUND);
    return err == MM_OK;
}

/* Whether cam1's segment from start is still there: its file and its index row. */
static int cb_found(const edge_segment_row_t *row, void *arg)
{
    (void)row;
    *(int *)arg = 1;
    return 1;
}

static int segment_kept(t_t *t, int64_t start)
{
    char path[EDGE_SEG_PATH_MAX];
    edge_vault_path(t->f->v, "cam1", start, path, sizeof path);
    int row = 0;
    assert_int_equal(edge_store_segments(t->f->store, "cam1", start, start + 1, cb_found, &row),
                     MM_OK);
    assert_int_equal(row, exists(path));
    return row;
}

static mm_err_t prepare(t_t *t, const char *id, const char *by, const char *cams, int64_t from,
                        int64_t to, const char *note, char *msg)
{
    const char *list[4];
    size_t n = 0;
    char buf[128] = "";
    snprintf(buf, sizeof buf, "%s", cams ? cams : "");
    for (char *save = NULL, *c = strtok_r(buf, ",", &save); c; c = strtok_r(NULL, ",", &save))
        list[n++] = c;
    json_t *out = NULL;
    mm_err_t err =
        edge_disclosure_prepare(t->d, id, by, list, n, from, to, note, NOW + S, &out, msg, 256);
    assert_true((err == MM_OK) == (out != NULL));
    json_decref(out);
    return err;
}

static mm_err_t approve(t_t *t, const char *id, const char *by, const char *const *keep, size_t n,
                        char *msg)
{
    json_t *out = NULL;
    mm_err_t err = edge_disclosure_approve(t->d, id, by, "捜査関係事項照会に応じる", keep, n,
                                           NOW + 2 * S, &out, msg, 256);
    assert_true((err == MM_OK) == (out != NULL));
    json_decref(out);
    return err;
}

/* Runs the loop until the export in progress has been logged. */
static void finish_export(t_t *t)
{
    for (int i = 0; i < 60000 && edge_disclosure_exporting(t->d); i++)
        uv_run(&t->loop, UV_RUN_ONCE);
    assert_false(edge_disclosure_exporting(t->d));
}

/* --- receipt ---------------------------------------------------------------------------------*/

/* R-K2.2.5, R-K2.2.6b: a signed request for this site's camera is held at once, on the request's
 * range, and logged with what it is; its footage outlives retention, the rest does not. */
static void disclosure_valid_request_is_held_and_outlives_retention(void **state)
{
    t_t *t = *state;
    uint64_t before = log_size(t);
    mm_city_request_t *q = held(t, "disclosure-1", "law", "cam1");

    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(steps(t, "disclosure-1", "held", e), 1);
    const mm_disclosure_t *h = &e->u.disclosure;
    assert_int_equal(h->legal_basis, MM_LEGAL_BASIS_LAW);
    assert_string_equal(h->reference, "那覇署 捜査関係事項照会 第12号");
    assert_string_equal(h->requester, "requester-1");
    assert_string_equal(h->cameras, "cam1");
    assert_int_equal(h->from_us, FROM);
    assert_int_equal(h->to_us, TO);
    assert_string_equal(h->text, q->text);
    assert_string_equal(h->by, "");
    assert_true(hold_exists(t, "dsc.disclosure-1.0"));
    edge_hold_row_t row;
    assert_int_equal(edge_vault_hold_get(t->f->v, "dsc.disclosure-1.0", &row), MM_OK);
    assert_string_equal(row.camera, "cam1");
    assert_int_equal(row.start_us, FROM);
    assert_int_equal(row.end_us, TO);
    /* city_request, hold_placed, disclosure held */
    assert_int_equal(log_size(t), before + 3);
    assert_string_equal(state_of(t, "disclosure-1"), "held");

    /* The hub sends it again with every ack until it sees the entry: nothing more happens. */
    assert_int_equal(arrive(t, q, NOW + S), MM_OK);
    assert_int_equal(log_size(t), before + 3);

    /* Eight days on, with seven days' retention: the held segments 1 and 2 stay, 0 and 3 go. */
    edge_retention_report_t rep;
    assert_int_equal(edge_retention_run(t->f->v, 7 * DAY_US, T0 + 8 * DAY_US,
                                        MM_ERASE_REASON_RETENTION, 0, &rep),
                     MM_OK);
    assert_int_equal(rep.erased, 2);
    assert_false(segment_kept(t, t->f->seg[0].start_us));
    assert_true(segment_kept(t, t->f->seg[1].start_us));
    assert_true(segment_kept(t, t->f->seg[2].start_us));
    assert_false(segment_kept(t, t->f->seg[3].start_us));
    edge_segment_info_t info;
    assert_int_equal(edge_segment_verify(t->f->seg[1].path, edge_vault_segment_key, t->f->v, &info),
                     MM_OK);
    free(e);
    free(q);
}

/* A request whose statement the hub's key did not sign is refused, saying so, and holds
 * nothing: not altered after signing, not signed by another key, not unsigned. */
static void disclosure_bad_signature_is_refused_without_a_hold(void **state)
{
    t_t *t = *state;
    mm_entry_t *e = malloc(sizeof *e);

    mm_city_request_t *q = request(t, "disclosure-2", "law", "cam1");
    sign_with(q, &t->hub);
    q->to_us += S; /* changed on the way */
    assert_int_equal(arrive(t, q, NOW), MM_OK);
    assert_int_equal(steps(t, "disclosure-2", "refused", e), 1);
    assert_string_equal(e->u.disclosure.text, "the hub's signature does not verify");
    assert_int_equal(e->u.disclosure.legal_basis, MM_LEGAL_BASIS_LAW);
    assert_false(hold_exists(t, "dsc.disclosure-2.0"));
    assert_string_equal(state_of(t, "disclosure-2"), "refused");
    free(q);

    mm_ed25519_t other;
    assert_int_equal(mm_ed25519_generate(&other), MM_OK);
    q = request(t, "disclosure-3", "law", "cam1");
    sign_with(q, &other);
    assert_int_equal(arrive(t, q, NOW), MM_OK);
    assert_int_equal(steps(t, "disclosure-3", "refused", e), 1);
    assert_string_equal(e->u.disclosure.text, "the hub's signature does not verify");
    mm_ed25519_wipe(&other);
    free(q);

    q = request(t, "disclosure-4", "law", "cam1");
    assert_int_equal(arrive(t, q, NOW), MM_OK);
    assert_int_equal(steps(t, "disclosure-4", "refused", e), 1);
    assert_non_null(strstr(e->u.disclosure.text, "no signature"));
    free(q);

    assert_int_equal(entries_of(t, MM_ENTRY_HOLD_PLACED), 0);
    /* A refused request is nothing to decide. */
    char msg[256];
    assert_int_equal(approve(t, "disclosure-2", "kanri", NULL, 0, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "refused"));
    free(e);
}

/* R-K2.2.5, R-N7.4: a request signed by the hub whose legal basis the site's policy does not
 * admit — one that got past the hub's own check — is refused at the site with the clause, and
 * holds nothing; the bases the policy admits are held. Kawaguchi admits no consent, Naha does. */
static void disclosure_basis_the_policy_does_not_admit_is_refused_with_the_clause(void **state)
{
    t_t *t = *state;
    close_disclosure(t);
    site_policy = MM_POLICY_KAWAGUCHI;
    open_disclosure(t, 0);
    site_policy = MM_POLICY_NAHA;
    mm_entry_t *e = malloc(sizeof *e);
    mm_city_request_t *q = held(t, "disclosure-40", "consent", "cam1");
    assert_int_equal(steps(t, "disclosure-40", "refused", e), 1);
    assert_non_null(strstr(e->u.disclosure.text,
                           "the kawaguchi policy does not admit the legal basis \"consent\""));
    assert_non_null(
        strstr(e->u.disclosure.text, "川口市防犯カメラの設置及び運用に関する基準 第2の2(5)"));
    assert_non_null(strstr(e->u.disclosure.text, "law (第2の2(5)イ)"));
    assert_int_equal(e->u.disclosure.legal_basis, MM_LEGAL_BASIS_CONSENT);
    assert_int_equal(entries_of(t, MM_ENTRY_HOLD_PLACED), 0);
    assert_string_equal(state_of(t, "disclosure-40"), "refused");
    free(q);
    q = held(t, "disclosure-41", "emergency", "cam1");
    assert_int_equal(steps(t, "disclosure-41", "held", e), 1);
    free(q);

    close_disclosure(t); /* naha again: consent is held */
    open_disclosure(t, 0);
    q = held(t, "disclosure-42", "consent", "cam1");
    assert_int_equal(steps(t, "disclosure-42", "held", e), 1);
    assert_int_equal(steps(t, "disclosure-42", "refused", e), 0);
    free(q);
    free(e);
}

/* Signed, but not something this site can hold: each refusal says exactly why. */
static void disclosure_unknown_camera_bad_range_or_recipient_is_refused(void **state)
{
    t_t *t = *state;
    mm_entry_t *e = malloc(sizeof *e);
    static const struct {
        const char *id, *cams, *why;
        int what;
    } cases[] = {
        {"disclosure-5", "cam1,cam9", "this site has no camera cam9", 0},
        {"disclosure-6", "cam1", "the range is empty or runs backwards", 1},
        {"disclosure-7", "cam1", "the recipient is not an age X25519 recipient", 2},
        {"disclosure-8", "cam1,cam1", "camera cam1 is named twice", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mm_city_request_t *q = request(t, cases[i].id, "consent", cases[i].cams);
        if (cases[i].what == 1)
            q->to_us = q->from_us;
        if (cases[i].what == 2)
            q->recipient[10] ^= 1; /* the checksum no longer holds */
        sign_with(q, &t->hub);
        assert_int_equal(arrive(t, q, NOW), MM_OK);
        assert_int_equal(steps(t, cases[i].id, "refused", e), 1);
        if (!strstr(e->u.disclosure.text, cases[i].why))
            fail_msg("%s refused as \"%s\"", cases[i].id, e->u.disclosure.text);
        free(q);
    }
    assert_int_equal(entries_of(t, MM_ENTRY_HOLD_PLACED), 0);
    free(e);
}

/* A stop between the city_request entry and the receipt, even with a hold placed already: the
 * next start finishes it from the logged request, once. A download notice likewise. */
static void disclosure_receipt_interrupted_is_finished_at_start(void **state)
{
    t_t *t = *state;
    mm_city_request_t *q = request(t, "disclosure-9", "law", "cam1,cam2");
    sign_with(q, &t->hub);
    assert_int_equal(edge_requests_receive(t->f->store, q, 1, NOW, NULL), MM_OK);
    assert_int_equal(edge_vault_hold_place(t->f->v, "dsc.disclosure-9.0", "cam1", FROM, TO,
                                           "disclosure request disclosure-9 (law)", NOW),
                     MM_OK);
    assert_int_equal(steps(t, "disclosure-9", NULL, NULL), 0);

    assert_int_equal(edge_disclosure_start(t->d, NOW + S), MM_OK);
    assert_int_equal(steps(t, "disclosure-9", "held", NULL), 1);
    assert_true(hold_exists(t, "dsc.disclosure-9.0"));
    assert_true(hold_exists(t, "dsc.disclosure-9.1"));
    assert_int_equal(entries_of(t, MM_ENTRY_HOLD_PLACED), 2);
    close_disclosure(t);

    /* The hub says the requester downloaded it; the edge stopped before handing it on. */
    mm_city_request_t n = {0};
    snprintf(n.id, sizeof n.id, "downloaded-9");
    n.kind = MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED;
    snprintf(n.disclosure, sizeof n.disclosure, "disclosure-9");
    n.time_us = NOW + 2 * S;
    assert_int_equal(edge_requests_receive(t->f->store, &n, 1, NOW, NULL), MM_OK);
    open_disclosure(t, 0);
    assert_int_equal(edge_disclosure_start(t->d, NOW + 3 * S), MM_OK);
    assert_int_equal(steps(t, "disclosure-9", "downloaded", NULL), 1);
    assert_int_equal(edge_disclosure_start(t->d, NOW + 4 * S), MM_OK);
    assert_int_equal(steps(t, "disclosure-9", NULL, NULL), 2);
    free(q);
}

/* --- preparing and deciding ------------------------------------------------------------------*/

/* Preparations choose among the request's cameras and inside its range; the last one counts. */
static void disclosure_prepare_narrows_within_the_request(void **state)
{
    t_t *t = *state;
    char msg[256];
    mm_city_request_t *q = held(t, "disclosure-10", "law", "cam1,cam2");

    assert_int_equal(prepare(t, "disclosure-10", "sousa", "cam9", 0, 0, NULL, msg), MM_EINVAL);
    assert_non_null(strstr(msg, "cam9 is not one of the request's (cam1,cam2)"));
    assert_int_equal(prepare(t, "disclosure-10", "sousa", "cam1,cam1", 0, 0, NULL, msg), MM_EINVAL);
    assert_int_equal(prepare(t, "disclosure-10", "sousa", "cam1", FROM - 1, 0, NULL, msg),
                     MM_EINVAL);
    assert_non_null(strstr(msg, "inside the request's"));
    assert_int_equal(prepare(t, "disclosure-10", "sousa", "cam1", 0, TO + 1, NULL, msg), MM_EINVAL);
    assert_int_equal(prepare(t, "disclosure-10", "sousa", NULL, FROM + S, FROM + S, NULL, msg),
                     MM_EINVAL);
    assert_int_equal(prepare(t, "disclosure-99", "sousa", NULL, 0, 0, NULL, msg), MM_ENOTFOUND);
    assert_int_equal(steps(t, "disclosure-10", "prepared", NULL), 0);

    assert_int_equal(prepare(t, "disclosure-10", "sousa", "cam1", FROM + S, 0, "cam1 の前半", msg),
                     MM_OK);
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(steps(t, "disclosure-10", "prepared", e), 1);
    assert_string_equal(e->u.disclosure.by, "sousa");
    assert_string_equal(e->u.disclosure.cameras, "cam1");
    assert_int_equal(e->u.disclosure.from_us, FROM + S);
    assert_int_equal(e->u.disclosure.to_us, TO);
    assert_string_equal(e->u.disclosure.text, "cam1 の前半");
    json_t *r = shown(t, "disclosure-10");
    assert_string_equal(json_string_value(json_object_get(r, "state")), "prepared");
    assert_string_equal(json_string_value(json_object_get(r, "waiting_for")), "manager");
    json_t *sel = json_object_get(r, "selection");
    assert_int_equal(json_array_size(json_object_get(sel, "cameras")), 1);
    assert_int_equal(json_integer_value(json_object_get(sel, "from_us")), FROM + S);
    json_decref(r);

    /* A later preparation without options chooses the whole request again. */
    assert_int_equal(prepare(t, "disclosure-10", "kanri", NULL, 0, 0, "", msg), MM_OK);
    r = shown(t, "disclosure-10");
    sel = json_object_get(r, "selection");
    assert_int_equal(json_array_size(json_object_get(sel, "cameras")), 2);
    assert_int_equal(json_integer_value(json_object_get(sel, "from_us")), FROM);
    assert_int_equal(json_array_size(json_object_get(r, "preparations")), 2);
    json_decref(r);
    size_t waiting = 0;
    assert_int_equal(edge_disclosure_waiting(t->d, &waiting), MM_OK);
    assert_int_equal(waiting, 1);
    free(e);
    free(q);
}

/* Operators list and prepare; only the manager approves, denies or releases a hold (the control
 * socket's decision, access.h), and each call names the role refused. */
static void disclosure_operator_prepares_but_does_not_decide(void **state)
{
    (void)state;
    edge_governance_t *g = calloc(1, sizeof *g);
    edge_access_t *a = calloc(1, sizeof *a);
    assert_non_null(g);
    assert_non_null(a);
    g->n_people = 3;
    snprintf(g->people[0].id, MM_ID_MAX, "kanri");
    snprintf(g->people[0].account, EDGE_ACCOUNT_MAX, "kanri");
    snprintf(g->people[1].id, MM_ID_MAX, "sousa");
    snprintf(g->people[1].account, EDGE_ACCOUNT_MAX, "sousa");
    snprintf(g->people[2].id, MM_ID_MAX, "tanin");
    snprintf(g->people[2].account, EDGE_ACCOUNT_MAX, "tanin");
    g->manager = 0;
    g->is_operator[1] = 1;
    edge_caller_t manager = {.uid = 1000, .account = "kanri", .person = 0};
    edge_caller_t op = {.uid = 1001, .account = "sousa", .person = 1};
    edge_caller_t other = {.uid = 1002, .account = "tanin", .person = 2};
    edge_decision_t d;
    edge_access_decide(a, g, &op, EDGE_ACT_DISCLOSURES, NULL, NOW, &d);
    assert_true(d.allowed);
    edge_access_decide(a, g, &op, EDGE_ACT_DISCLOSURE_PREPARE, NULL, NOW, &d);
    assert_true(d.allowed);
    edge_access_decide(a, g, &op, EDGE_ACT_DISCLOSURE_APPROVE, NULL, NOW, &d);
    assert_false(d.allowed);
    assert_int_equal(d.role, MM_ROLE_OPERATOR);
    assert_string_equal(d.reason, "sousa is an operator; only the manager may disclosure_approve");
    edge_access_decide(a, g, &op, EDGE_ACT_DISCLOSURE_DENY, NULL, NOW, &d);
    assert_false(d.allowed);
    edge_access_decide(a, g, &op, EDGE_ACT_DISCLOSURE_RELEASE, NULL, NOW, &d);
    assert_false(d.allowed);
    assert_string_equal(d.reason, "sousa is an operator; only the manager may disclosure_release");
    for (int act = EDGE_ACT_DISCLOSURES; act <= EDGE_ACT_DISCLOSURE_RELEASE; act++) {
        edge_access_decide(a, g, &manager, (edge_action_t)act, NULL, NOW, &d);
        assert_true(d.allowed);
        edge_access_decide(a, g, &other, (edge_action_t)act, NULL, NOW, &d);
        assert_false(d.allowed);
    }
    free(a);
    free(g);
}

/* Nobody approves what they prepared alone: the manager's own sole preparation is refused;
 * prepared by an operator too (or by nobody), the manager approves. */
static void disclosure_manager_approves_only_what_someone_else_prepared(void **state)
{
    t_t *t = *state;
    char msg[256];
    mm_city_request_t *q = held(t, "disclosure-11", "law", "cam1,cam2");
    assert_int_equal(prepare(t, "disclosure-11", "kanri", NULL, 0, 0, "範囲を確認", msg), MM_OK);
    assert_int_equal(approve(t, "disclosure-11", "kanri", NULL, 0, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "prepared alone"));
    assert_int_equal(steps(t, "disclosure-11", "approved", NULL), 0);

    assert_int_equal(prepare(t, "disclosure-11", "sousa", "cam2", 0, 0, "cam2 だけ", msg), MM_OK);
    assert_int_equal(approve(t, "disclosure-11", "kanri", NULL, 0, msg), MM_OK);
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(steps(t, "disclosure-11", "approved", e), 1);
    assert_string_equal(e->u.disclosure.by, "kanri");
    assert_string_equal(e->u.disclosure.text, "捜査関係事項照会に応じる");
    assert_string_equal(e->u.disclosure.cameras, "cam2"); /* the last preparation */
    assert_int_equal(e->u.disclosure.from_us, FROM);
    assert_int_equal(e->u.disclosure.to_us, TO);
    assert_string_equal(e->u.disclosure.regions, "");
    /* Approved: no more preparing or deciding while it is exported. */
    assert_int_equal(prepare(t, "disclosure-11", "sousa", NULL, 0, 0, NULL, msg), MM_ECONFLICT);
    json_t *out = NULL;
    assert_int_equal(
        edge_disclosure_deny(t->d, "disclosure-11", "kanri", "x", NOW, &out, msg, sizeof msg),
        MM_ECONFLICT);
    /* cam2 has no footage: the export fails, says why, and may be approved again. */
    finish_export(t);
    assert_int_equal(steps(t, "disclosure-11", "failed", e), 1);
    assert_non_null(strstr(e->u.disclosure.text, "no footage"));
    assert_string_equal(state_of(t, "disclosure-11"), "failed");
    assert_int_equal(approve(t, "disclosure-11", "kanri", NULL, 0, msg), MM_OK);
    finish_export(t);
    assert_int_equal(steps(t, "disclosure-11", "failed", NULL), 2);

    /* Prepared by nobody: the manager approves the request as the city sent it. */
    mm_city_request_t *q2 = held(t, "disclosure-12", "emergency", "cam2");
    assert_int_equal(approve(t, "disclosure-12", "kanri", NULL, 0, msg), MM_OK);
    finish_export(t);
    free(q2);
    free(e);
    free(q);
}

/* R-N8: an own-images approval marks the requester; other bases take no regions. The export
 * is the redacted rendering: blurred but for the regions, and its manifest says so. */
static void disclosure_own_images_needs_regions_and_never_goes_unredacted(void **state)
{
    t_t *t = *state;
    char msg[256];
    mm_city_request_t *q = held(t, "disclosure-13", "own_images", "cam1");
    mm_city_request_t *q2 = held(t, "disclosure-14", "consent", "cam1");
    assert_int_equal(approve(t, "disclosure-13", "kanri", NULL, 0, msg), MM_EINVAL);
    assert_non_null(strstr(msg, "--keep"));
    const char *bad[][1] = {{"cam1:0.5,0.5,0.6,0.2"}, {"cam1:0.1,0.1,0,0.2"},
                            {"cam1:-0.1,0,0.5,0.5"},  {"0.1,0.1,0.5,0.5"},
                            {"cam1:0.1,0.1,0.5"},     {"cam1:0.1, 0.1,0.5,0.5"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (approve(t, "disclosure-13", "kanri", bad[i], 1, msg) != MM_EINVAL)
            fail_msg("region %s taken", bad[i][0]);
    const char *other[] = {"cam2:0.1,0.1,0.5,0.5"};
    assert_int_equal(approve(t, "disclosure-13", "kanri", other, 1, msg), MM_EINVAL);
    assert_non_null(strstr(msg, "cam2"));
    const char *keep[] = {"cam1:0.25,0.25,0.5,0.5", "cam1:0,.5,1,0.5"};
    assert_int_equal(approve(t, "disclosure-14", "kanri", keep, 1, msg), MM_EINVAL);
    assert_non_null(strstr(msg, "only for own-images"));
    assert_int_equal(steps(t, "disclosure-13", "approved", NULL), 0);

    assert_int_equal(approve(t, "disclosure-13", "kanri", keep, 2, msg), MM_OK);
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(steps(t, "disclosure-13", "approved", e), 1);
    json_t *regions = json_loads(e->u.disclosure.regions, 0, NULL);
    assert_non_null(regions);
    assert_int_equal(json_array_size(regions), 2);
    json_t *r0 = json_array_get(regions, 0), *r1 = json_array_get(regions, 1);
    assert_string_equal(json_string_value(json_object_get(r0, "camera")), "cam1");
    assert_true(json_number_value(json_object_get(r0, "x")) == 0.25);
    assert_true(json_number_value(json_object_get(r0, "w")) == 0.5);
    assert_true(json_number_value(json_object_get(r1, "y")) == 0.5);
    assert_true(json_number_value(json_object_get(r1, "w")) == 1);
    json_decref(regions);
    finish_export(t);
    assert_int_equal(steps(t, "disclosure-13", "failed", NULL), 0);
    assert_int_equal(steps(t, "disclosure-13", "exported", e), 1);
    assert_int_equal(t->n_sent, 1);
    char cmd[2048], out[4096];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s/own && age -d -i %s %s | tar -x -C %s/own && "
             "grep -c '\"redacted\": true' %s/own/disclosure-13/manifest.json && "
             "grep -c '\"kept_regions\"' %s/own/disclosure-13/manifest.json",
             t->f->dir, t->key, t->sent[0].path, t->f->dir, t->f->dir, t->f->dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_string_equal(out, "1\n1\n");
    free(e);
    free(q2);
    free(q);
}

/* A denial is logged and releases the holds: retention then erases the footage. */
static void disclosure_deny_releases_the_holds(void **state)
{
    t_t *t = *state;
    char msg[256];
    mm_city_request_t *q = held(t, "disclosure-15", "emergency", "cam1,cam2");
    json_t *out = NULL;
    assert_int_equal(
        edge_disclosure_deny(t->d, "disclosure-15", "kanri", "", NOW, &out, msg, sizeof msg),
        MM_EINVAL);
    assert_int_equal(edge_disclosure_deny(t->d, "disclosure-15", "kanri", "緊急性を確認できない",
                                          NOW + S, &out, msg, sizeof msg),
                     MM_OK);
    assert_string_equal(json_string_value(json_object_get(out, "state")), "denied");
    json_decref(out);
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(steps(t, "disclosure-15", "denied", e), 1);
    assert_string_equal(e->u.disclosure.by, "kanri");
    assert_string_equal(e->u.disclosure.text, "緊急性を確認できない");
    assert_false(hold_exists(t, "dsc.disclosure-15.0"));
    assert_false(hold_exists(t, "dsc.disclosure-15.1"));
    assert_int_equal(entries_of(t, MM_ENTRY_HOLD_RELEASED), 2);
    assert_int_equal(approve(t, "disclosure-15", "kanri", NULL, 0, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "denied"));
    edge_retention_report_t rep;
    assert_int_equal(edge_retention_run(t->f->v, 7 * DAY_US, T0 + 8 * DAY_US,
                                        MM_ERASE_REASON_RETENTION, 0, &rep),
                     MM_OK);
    assert_int_equal(rep.erased, 4);
    free(e);
    free(q);
}

/* Undecided at its deadline: expired, holds released — found by a sweep, at start, or when
 * someone acts on it. */
static void disclosure_expiry_releases_the_holds(void **state)
{
    t_t *t = *state;
    char msg[256];
    mm_city_request_t *q1 = held(t, "disclosure-16", "consent", "cam1");
    mm_city_request_t *q2 = held(t, "disclosure-17", "consent", "cam1");
    mm_city_request_t *q3 = held(t, "disclosure-18", "consent", "cam1");
    assert_int_equal(prepare(t, "disclosure-16", "sousa", NULL, 0, 0, NULL, msg), MM_OK);

    assert_int_equal(edge_disclosure_sweep(t->d, DEADLINE - 1), MM_OK);
    assert_int_equal(steps(t, "disclosure-16", "expired", NULL), 0);
    assert_true(hold_exists(t, "dsc.disclosure-16.0"));

    /* Acting on one past its deadline expires it first. */
    json_t *out = NULL;
    assert_int_equal(edge_disclosure_approve(t->d, "disclosure-17", "kanri", "遅れて承認", NULL, 0,
                                             DEADLINE, &out, msg, sizeof msg),
                     MM_ECONFLICT);
    assert_non_null(strstr(msg, "expired"));
    assert_int_equal(steps(t, "disclosure-17", "expired", NULL), 1);
    assert_false(hold_exists(t, "dsc.disclosure-17.0"));

    assert_int_equal(edge_disclosure_sweep(t->d, DEADLINE), MM_OK);
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(steps(t, "disclosure-16", "expired", e), 1);
    assert_non_null(strstr(e->u.disclosure.text, "deadline"));
    assert_string_equal(e->u.disclosure.by, "");
    assert_false(hold_exists(t, "dsc.disclosure-16.0"));
    assert_false(hold_exists(t, "dsc.disclosure-18.0"));
    assert_int_equal(steps(t, "disclosure-18", "expired", NULL), 1);
    assert_int_equal(entries_of(t, MM_ENTRY_HOLD_RELEASED), 3);
    assert_int_equal(prepare(t, "disclosure-16", "sousa", NULL, 0, 0, NULL, msg), MM_ECONFLICT);
    /* Once only. */
    assert_int_equal(edge_disclosure_sweep(t->d, DEADLINE + DAY_US), MM_OK);
    assert_int_equal(steps(t, "disclosure-16", "expired", NULL), 1);
    size_t waiting = 9;
    assert_int_equal(edge_disclosure_waiting(t->d, &waiting), MM_OK);
    assert_int_equal(waiting, 0);
    free(e);
    free(q3);
    free(q2);
    free(q1);
}

/* The timer checks deadlines on the daemon's clock (mm_now_us, moved by MM_TEST_CLOCK_FILE). */
static void disclosure_timer_expires_on_the_injected_clock(void **state)
{
    t_t *t = *state;
    close_disclosure(t);
    open_disclosure(t, 20);
    set_clock(0);
    int64_t now = mm_now_us();
    mm_city_request_t *q = request(t, "disclosure-19", "law", "cam1");
    q->deadline_us = now + 3600 * S;
    sign_with(q, &t->hub);
    assert_int_equal(arrive(t, q, now), MM_OK);
    assert_int_equal(edge_disclosure_start(t->d, now), MM_OK);
    for (int i = 0; i < 10; i++)
        uv_run(&t->loop, UV_RUN_ONCE);
    assert_int_equal(steps(t, "disclosure-19", "expired", NULL), 0);
    set_clock(7200 * S);
    for (int i = 0; i < 500 && !steps(t, "disclosure-19", "expired", NULL); i++)
        uv_run(&t->loop, UV_RUN_ONCE);
    set_clock(0);
    assert_int_equal(steps(t, "disclosure-19", "expired", NULL), 1);
    assert_false(hold_exists(t, "dsc.disclosure-19.0"));
    free(q);
}

/* --- the export ------------------------------------------------------------------------------*/

static void sha256_file(const char *path, uint8_t out[32], uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    mm_sha256_ctx_t *h;
    assert_int_equal(mm_sha256_create(&h), MM_OK);
    uint8_t buf[65536];
    size_t n;
    *size = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        mm_sha256_update(h, buf, n);
        *size += n;
    }
    fclose(f);
    mm_sha256_final(h, out);
    mm_sha256_destroy(h);
}

/*
 * R-K2.2.5, R-N7.3: approved, the export is built off the loop into exports/<id>.age (0600 in a
 * 0700 directory, no clear footage left), opens with Debian's age and tar, its SHA-256 and size
 * are the logged ones and the manifest's SHA-256 is that of the manifest inside. Delivered,
 * the site's copy goes.
 */
static void disclosure_export_decrypts_with_age_and_matches_the_log(void **state)
{
    t_t *t = *state;
    char msg[256], cmd[2048], out[8192], path[512];
    mm_city_request_t *q = held(t, "disclosure-20", "law", "cam1");
    assert_int_equal(prepare(t, "disclosure-20", "sousa", "cam1", 0, 0, "全範囲", msg), MM_OK);
    assert_int_equal(approve(t, "disclosure-20", "kanri", NULL, 0, msg), MM_OK);
    assert_true(edge_disclosure_exporting(t->d));
    assert_string_equal(state_of(t, "disclosure-20"), "approved");
    finish_export(t);

    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(steps(t, "disclosure-20", "exported", e), 1);
    const mm_disclosure_t *x = &e->u.disclosure;
    assert_true(x->has_sha256);
    assert_string_equal(x->cameras, "cam1");
    assert_int_equal(x->legal_basis, MM_LEGAL_BASIS_LAW);
    snprintf(path, sizeof path, "%s/disclosure-20.age", t->exports);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(t->exports, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    uint8_t sha[32];
    uint64_t size = 0;
    sha256_file(path, sha, &size);
    assert_memory_equal(sha, x->sha256, 32);
    assert_int_equal(size, x->bytes);
    assert_int_equal(t->n_sent, 1);
    assert_string_equal(t->sent[0].id, "disclosure-20");
    assert_string_equal(t->sent[0].path, path);
    assert_int_equal(t->sent[0].total, size);
    assert_memory_equal(t->sent[0].sha256, sha, 32);
    json_t *r = shown(t, "disclosure-20");
    assert_string_equal(json_string_value(json_object_get(r, "state")), "exported");
    assert_string_equal(json_string_value(json_object_get(r, "waiting_for")), "hub");
    json_decref(r);

    char dir[256], hex[65];
    snprintf(dir, sizeof dir, "%s/opened", t->f->dir);
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && age -d -i %s %s | tar -x -C %s && ls %s/disclosure-20 && "
             "sha256sum %s/disclosure-20/manifest.json",
             dir, t->key, path, dir, dir, dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "cam1.mp4"));
    assert_non_null(strstr(out, "manifest.json.sig"));
    assert_non_null(strstr(out, "site-key.pem"));
    mm_hex_encode(x->manifest_sha256, 32, hex, sizeof hex);
    assert_non_null(strstr(out, hex));
    snprintf(cmd, sizeof cmd, "grep -c '\"disclosure-20\"' %s/disclosure-20/manifest.json", dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    /* Nothing clear is left behind in the exports directory. */
    snprintf(cmd, sizeof cmd, "ls -A %s", t->exports);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_string_equal(out, "disclosure-20.age\n");

    /* A second start sends it again (the uplink ignores what it is sending already). */
    assert_int_equal(edge_disclosure_sweep(t->d, NOW + 3 * S), MM_OK);
    assert_int_equal(t->n_sent, 2);

    edge_disclosure_transfer_done(t->d, "disclosure-20", 1, "", NOW + 4 * S);
    assert_int_equal(steps(t, "disclosure-20", "delivered", NULL), 1);
    assert_false(exists(path));
    assert_string_equal(state_of(t, "disclosure-20"), "delivered");
    /* A late answer about it changes nothing. */
    edge_disclosure_transfer_done(t->d, "disclosure-20", 0, "late", NOW + 5 * S);
    assert_int_equal(steps(t, "disclosure-20", "failed", NULL), 0);

    /* The hub says the requester downloaded it. */
    mm_city_request_t n = {0};
    snprintf(n.id, sizeof n.id, "downloaded-20");
    n.kind = MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED;
    snprintf(n.disclosure, sizeof n.disclosure, "disclosure-20");
    n.time_us = NOW + 6 * S;
    assert_int_equal(arrive(t, &n, NOW + 6 * S), MM_OK);
    assert_int_equal(arrive(t, &n, NOW + 7 * S), MM_OK);
    assert_int_equal(steps(t, "disclosure-20", "downloaded", NULL), 1);
    assert_string_equal(state_of(t, "disclosure-20"), "downloaded");
    /* The holds stay with the delivered request. */
    assert_true(hold_exists(t, "dsc.disclosure-20.0"));
    free(e);
    free(q);
}

/* The hub refuses the transfer: failed, with its reason; approved again, exported again. At
 * start, what a stop left in the exports directory goes, and an exported request is sent. */
static void disclosure_refused_transfer_fails_and_start_cleans_up(void **state)
{
    t_t *t = *state;
    char msg[256], path[512], stray[512];
    mm_city_request_t *q = held(t, "disclosure-21", "law", "cam1");
    assert_int_equal(approve(t, "disclosure-21", "kanri", NULL, 0, msg), MM_OK);
    finish_export(t);
    snprintf(path, sizeof path, "%s/disclosure-21.age", t->exports);
    assert_true(exists(path));
    edge_disclosure_transfer_done(t->d, "disclosure-21", 0, "no such request for this site",
                                  NOW + 3 * S);
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(steps(t, "disclosure-21", "failed", e), 1);
    assert_non_null(strstr(e->u.disclosure.text, "no such request for this site"));
    assert_false(exists(path));
    assert_int_equal(approve(t, "disclosure-21", "kanri", NULL, 0, msg), MM_OK);
    finish_export(t);
    assert_int_equal(steps(t, "disclosure-21", "exported", NULL), 2);
    assert_true(exists(path));
    close_disclosure(t);

    /* A stop left clear and partial files. */
    const char *names[] = {"disclosure-21-cam1.mp4", "disclosure-22.age.tmp", "disclosure-23.age"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(stray, sizeof stray, "%s/%s", t->exports, names[i]);
        FILE *f = fopen(stray, "w");
        assert_non_null(f);
        fclose(f);
    }
    t->n_sent = 0;
    open_disclosure(t, 0);
    assert_int_equal(edge_disclosure_start(t->d, NOW + 10 * S), MM_OK);
    char cmd[600], out[4096];
    snprintf(cmd, sizeof cmd, "ls -A %s", t->exports);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_string_equal(out, "disclosure-21.age\n");
    assert_int_equal(t->n_sent, 1);
    assert_string_equal(t->sent[0].id, "disclosure-21");
    free(e);
    free(q);
}

/* --- the end of the hold --------------------------------------------------------------------*/

static mm_err_t release(t_t *t, const char *id, const char *reason, int64_t now, char *msg)
{
    json_t *out = NULL;
    mm_err_t err = edge_disclosure_release(t->d, id, "kanri", reason, now, &out, msg, 256);
    assert_true((err == MM_OK) == (out != NULL));
    json_decref(out);
    return err;
}

/*
 * R-K2.2.6b: footage an inquiry needs is kept as long as it needs, and no longer. An approved
 * request keeps its hold through export, delivery and download; the manager releases it once
 * the export is delivered — never while it is undecided, being built or sent —; the release is
 * logged, the hold goes, and retention then erases the footage. A stop between the logged
 * release and the holds' release is finished at the next start. A failed export may be
 * released too.
 */
static void disclosure_release_ends_the_hold_once_delivered(void **state)
{
    t_t *t = *state;
    char msg[256];
    mm_city_request_t *q = held(t, "disclosure-24", "law", "cam1");
    const char *hold = "dsc.disclosure-24.0";

    /* Not while undecided, being built or being sent; not for a request the site never had. */
    assert_int_equal(release(t, "disclosure-24", "捜査終了", NOW + S, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "not decided"));
    assert_int_equal(release(t, "disclosure-99", "捜査終了", NOW + S, msg), MM_ENOTFOUND);
    assert_int_equal(approve(t, "disclosure-24", "kanri", NULL, 0, msg), MM_OK);
    assert_int_equal(release(t, "disclosure-24", "捜査終了", NOW + 2 * S, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "being built"));
    finish_export(t);
    assert_string_equal(state_of(t, "disclosure-24"), "exported");
    assert_int_equal(release(t, "disclosure-24", "捜査終了", NOW + 3 * S, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "being sent to the hub"));
    edge_disclosure_transfer_done(t->d, "disclosure-24", 1, "", NOW + 4 * S);
    assert_string_equal(state_of(t, "disclosure-24"), "delivered");
    assert_true(hold_exists(t, hold));
    assert_int_equal(steps(t, "disclosure-24", "released", NULL), 0);
    assert_int_equal(entries_of(t, MM_ENTRY_HOLD_RELEASED), 0);
    /* A reason is required. */
    assert_int_equal(release(t, "disclosure-24", "", NOW + 5 * S, msg), MM_EINVAL);

    /* Delivered: the manager releases it. */
    json_t *out = NULL;
    assert_int_equal(edge_disclosure_release(t->d, "disclosure-24", "kanri",
                                             "請求者から捜査終了の連絡", NOW + 5 * S, &out, msg,
                                             sizeof msg),
                     MM_OK);
    assert_string_equal(json_string_value(json_object_get(out, "state")), "released");
    assert_string_equal(json_string_value(json_object_get(out, "waiting_for")), "");
    json_t *rel = json_object_get(out, "release");
    assert_string_equal(json_string_value(json_object_get(rel, "by")), "kanri");
    assert_string_equal(json_string_value(json_object_get(rel, "reason")),
                        "請求者から捜査終了の連絡");
    assert_int_equal(json_integer_value(json_object_get(rel, "time_us")), NOW + 5 * S);
    assert_non_null(json_object_get(out, "export")); /* what was disclosed stays on record */
    json_decref(out);
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(steps(t, "disclosure-24", "released", e), 1);
    assert_string_equal(e->u.disclosure.by, "kanri");
    assert_string_equal(e->u.disclosure.text, "請求者から捜査終了の連絡");
    assert_string_equal(e->u.disclosure.cameras, "cam1"); /* what was held: the request's */
    assert_int_equal(e->u.disclosure.from_us, FROM);
    assert_int_equal(e->u.disclosure.to_us, TO);
    assert_false(hold_exists(t, hold));
    assert_int_equal(entries_of(t, MM_ENTRY_HOLD_RELEASED), 1);
    size_t waiting = 9;
    assert_int_equal(edge_disclosure_waiting(t->d, &waiting), MM_OK);
    assert_int_equal(waiting, 0);

    /* Once only; and nothing more is decided about it. */
    assert_int_equal(release(t, "disclosure-24", "もう一度", NOW + 6 * S, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "released already (by kanri)"));
    assert_int_equal(approve(t, "disclosure-24", "kanri", NULL, 0, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "released"));
    /* A download notice after the release is logged, and the request stays released. */
    mm_city_request_t n = {0};
    snprintf(n.id, sizeof n.id, "downloaded-24");
    n.kind = MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED;
    snprintf(n.disclosure, sizeof n.disclosure, "disclosure-24");
    n.time_us = NOW + 7 * S;
    assert_int_equal(arrive(t, &n, NOW + 7 * S), MM_OK);
    assert_int_equal(steps(t, "disclosure-24", "downloaded", NULL), 1);
    assert_string_equal(state_of(t, "disclosure-24"), "released");

    /* A stop between the logged release and the holds' release: the next start releases
     * them (a hold of that id placed again stands for the one left behind). */
    assert_int_equal(edge_vault_hold_place(t->f->v, hold, "cam1", FROM, TO,
                                           "disclosure request disclosure-24 (law)", NOW + 8 * S),
                     MM_OK);
    close_disclosure(t);
    open_disclosure(t, 0);
    assert_int_equal(edge_disclosure_start(t->d, NOW + 9 * S), MM_OK);
    assert_false(hold_exists(t, hold));
    assert_int_equal(entries_of(t, MM_ENTRY_HOLD_RELEASED), 2);
    assert_int_equal(steps(t, "disclosure-24", "released", NULL), 1);

    /* Retention now erases what the hold kept: past seven days, all four segments go. */
    edge_retention_report_t rep;
    assert_int_equal(edge_retention_run(t->f->v, 7 * DAY_US, T0 + 8 * DAY_US,
                                        MM_ERASE_REASON_RETENTION, 0, &rep),
                     MM_OK);
    assert_int_equal(rep.erased, 4);
    assert_false(segment_kept(t, t->f->seg[1].start_us));
    assert_false(segment_kept(t, t->f->seg[2].start_us));

    /* cam2 has no footage: the export fails; the manager may release it instead of trying
     * again. */
    mm_city_request_t *q2 = held(t, "disclosure-25", "consent", "cam2");
    assert_int_equal(approve(t, "disclosure-25", "kanri", NULL, 0, msg), MM_OK);
    finish_export(t);
    assert_string_equal(state_of(t, "disclosure-25"), "failed");
    assert_int_equal(release(t, "disclosure-25", "本人が請求を取り下げた", NOW + 10 * S, msg),
                     MM_OK);
    assert_false(hold_exists(t, "dsc.disclosure-25.0"));
    assert_string_equal(state_of(t, "disclosure-25"), "released");
    free(q2);
    free(e);
    free(q);
}

/* Denied or expired: the hold went with the decision; there is nothing to release. Nor when
 * the holds are gone some other way. */
static void disclosure_release_refused_when_closed(void **state)
{
    t_t *t = *state;
    char msg[256];
    mm_city_request_t *q1 = held(t, "disclosure-26", "emergency", "cam1");
    mm_city_request_t *q2 = held(t, "disclosure-27", "consent", "cam1");
    json_t *out = NULL;
    assert_int_equal(edge_disclosure_deny(t->d, "disclosure-26", "kanri", "不要", NOW + S, &out,
                                          msg, sizeof msg),
                     MM_OK);
    json_decref(out);
    assert_int_equal(release(t, "disclosure-26", "x", NOW + 2 * S, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "denied"));
    /* Past its deadline, undecided: expired first, then refused as such. */
    assert_int_equal(release(t, "disclosure-27", "x", DEADLINE, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "expired"));
    assert_int_equal(steps(t, "disclosure-27", "expired", NULL), 1);
    /* Approved, its export failed, but its hold is gone already: nothing to release. */
    mm_city_request_t *q3 = held(t, "disclosure-28", "consent", "cam2");
    assert_int_equal(approve(t, "disclosure-28", "kanri", NULL, 0, msg), MM_OK);
    finish_export(t);
    assert_int_equal(edge_retention_release_hold(t->f->v, "dsc.disclosure-28.0", "released by hand",
                                                 NOW + 3 * S, NULL),
                     MM_OK);
    assert_int_equal(release(t, "disclosure-28", "x", NOW + 4 * S, msg), MM_ECONFLICT);
    assert_non_null(strstr(msg, "holds no footage any more"));
    assert_int_equal(steps(t, "disclosure-26", "released", NULL), 0);
    assert_int_equal(steps(t, "disclosure-27", "released", NULL), 0);
    assert_int_equal(steps(t, "disclosure-28", "released", NULL), 0);
    free(q3);
    free(q2);
    free(q1);
}

/* --- the transfer (uplink.c) -----------------------------------------------------------------*/

#define XFER_TOTAL (2 * MM_EXPORT_CHUNK_MAX + 163424)
#define XF_MAX 64   /* chunks a scenario may see */
#define XF_A 100000 /* what the scripted hub keeps of the first chunk */

typedef struct {
    uv_loop_t loop;
    uv_timer_t poll, guard;
    void *ctx, *router;
    edge_store_t *store;
    edge_uplink_t *up;
    char dir[64], path[128], tmp[136];
    uint8_t *data;
    uint8_t sha[32];
    int script; /* which scenario */
    int chunks; /* chunks received */
    uint64_t seqs[XF_MAX];
    uint64_t offsets[XF_MAX];
    uint64_t at_ms[XF_MAX];
    int phase;                /* of the script */
    uint64_t written, synced; /* what the scripted hub holds */
    uint64_t t_ms, lost_seq;
    int mismatches;
    int done_calls, delivered;
    char reason[256];
    int closed;
    /* Sent while built (scripts 2 to 5): */
    uint32_t features;   /* what the scripted hub's acknowledgements name (4: none, an older hub) */
    int acks;            /* hellos acknowledged */
    uint64_t refused_ms; /* uv_now of the first chunk refused while built (scripts 3 and 5) */
    uint64_t acked_ms;   /* uv_now of the first */
    uv_timer_t grow;     /* moves ready on, as the build would */
    uint64_t ready;      /* bytes of the file handed over so far */
    int logged;          /* edge_uplink_send_export called */
    uint8_t build[32];   /* what the chunks must name */
    int building_chunks; /* chunks marked building */
    int ended_chunks;    /* chunks after the export was logged */
    int empty_end;       /* an empty chunk at the end came */
} xf_t;

static void xf_answer(xf_t *x, zmq_msg_t *rid, uint64_t seq, mm_export_status_t status,
                      uint64_t have, uint64_t received, const char *reason)
{
    mm_export_ack_t a = {.status = status, .have = have, .received = received};
    snprintf(a.request, sizeof a.request, "disclosure-30");
    snprintf(a.reason, sizeof a.reason, "%s", reason);
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(mm_msg_encode_export_ack(seq, &a, &buf, &len), MM_OK);
    assert_true(zmq_send(x->router, zmq_msg_data(rid), zmq_msg_size(rid), ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(x->router, buf, len, 0) >= 0);
    free(buf);
}

/* A hello answered as a hub whose log of the site is empty, naming what it takes. */
static void xf_ack_hello(xf_t *x, zmq_msg_t *rid, uint64_t seq)
{
    mm_ack_t a = {.status = MM_ACK_WRONG_SIZE,
                  .size = 0,
                  .cosignature = "",
                  .reason = "",
                  .features = x->features};
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(mm_msg_encode_ack(seq, &a, &buf, &len), MM_OK);
    assert_true(zmq_send(x->router, zmq_msg_data(rid), zmq_msg_size(rid), ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(x->router, buf, len, 0) >= 0);
    free(buf);
    if (!x->acks++)
        x->acked_ms = uv_now(&x->loop);
}

static void xf_closed(void *arg)
{
    ((xf_t *)arg)->closed++;
}

static void xf_stop(xf_t *x)
{
    uv_timer_stop(&x->poll);
    uv_timer_stop(&x->guard);
    uv_close((uv_handle_t *)&x->poll, NULL);
    uv_close((uv_handle_t *)&x->guard, NULL);
    if (x->script >= 2) {
        uv_timer_stop(&x->grow);
        uv_close((uv_handle_t *)&x->grow, NULL);
    }
    edge_uplink_close(x->up, xf_closed, x);
}

static void xf_done(void *arg, const char *id, int delivered, const char *reason)
{
    xf_t *x = arg;
    assert_string_equal(id, "disclosure-30");
    x->done_calls++;
    x->delivered = delivered;
    snprintf(x->reason, sizeof x->reason, "%s", reason);
    xf_stop(x);
}

/* The hub's side of an export sent while built: every chunk names the build; those sent before
 * the export was logged are marked building, with no length or hash, and hold only bytes handed
 * over; the ones after name the logged length and hash. Script 3 refuses what is sent while
 * built (as for a request that ended meanwhile). */
static void xf_built_chunk(xf_t *x, zmq_msg_t *rid, uint64_t seq, const mm_export_chunk_t *c)
{
    x->chunks++;
    assert_string_equal(c->request, "disclosure-30");
    assert_true(c->has_build);
    assert_memory_equal(c->build, x->build, 32);
    assert_memory_equal(c->data, x->data + c->offset, c->len);
    if (c->building) {
        assert_int_equal(x->ended_chunks, 0); /* none after a chunk of the logged export */
        assert_int_equal(c->total, 0);
        assert_true(c->offset + c->len <= x->ready);
        x->building_chunks++;
        if (x->script == 3 || x->script == 5) {
            xf_answer(x, rid, seq, MM_EXPORT_REFUSED, 0, 0, "not while built");
            if (!x->refused_ms)
                x->refused_ms = uv_now(&x->loop);
            if (x->script == 3 && !x->logged) {
                /* Logged before the edge hears the refusal: it goes whole, from its start. */
                x->logged = 1;
                assert_int_equal(edge_uplink_send_export(x->up, "disclosure-30", x->path,
                                                         XFER_TOTAL, x->sha, xf_done, x),
                                 MM_OK);
            }
            return;
        }
    } else {
        assert_true(x->logged);
        assert_int_equal(c->total, XFER_TOTAL);
        assert_memory_equal(c->sha256, x->sha, 32);
        x->ended_chunks++;
        x->empty_end += c->len == 0;
    }
    if (c->offset == x->written)
        x->written += c->len;
    x->synced = x->written;
    if (!c->building && x->written == XFER_TOTAL)
        xf_answer(x, rid, seq, MM_EXPORT_COMPLETE, XFER_TOTAL, XFER_TOTAL, "");
    else
        xf_answer(x, rid, seq, MM_EXPORT_CONTINUE, x->synced, x->written, "");
}

/* The build, as the uplink sees it: the file's bytes handed over 300,000 at a time; logged once
 * the scripted hub holds all of them (script 2: every byte went while built), or, for script 4,
 * 200 ms after the hub said what it takes, or, for script 5, 500 ms after the hub refused a chunk
 * being built (script 3 logs it as the hub refuses, xf_built_chunk). */
static void xf_grow(uv_timer_t *h)
{
    xf_t *x = h->data;
    if (x->script == 6) {
        /* Built whole and renamed into place (path) before the uplink sent a chunk of it from
         * where it was built (tmp): the chunk cannot open the file; logged, it goes whole. */
        if (!x->acks || x->logged)
            return;
        if (!x->ready) {
            assert_int_equal(rename(x->tmp, x->path), 0);
            x->ready = XFER_TOTAL;
            assert_int_equal(
                edge_uplink_export_building(x->up, "disclosure-30", x->tmp, x->ready, xf_done, x),
                MM_OK);
            return;
        }
        x->logged = 1;
        assert_int_equal(edge_uplink_send_export(x->up, "disclosure-30", x->path, XFER_TOTAL,
                                                 x->sha, xf_done, x),
                         MM_OK);
        return;
    }
    if (x->ready < XFER_TOTAL) {
        x->ready = x->ready + 300000 < XFER_TOTAL ? x->ready + 300000 : XFER_TOTAL;
        assert_int_equal(edge_uplink_export_building(x->up, "disclosure-30", x->path, x->ready,
                                                     xf_done, x),
                         MM_OK);
        return;
    }
    uint64_t now = uv_now(&x->loop);
    int due = (x->script == 2 && x->written == XFER_TOTAL) ||
              (x->script == 4 && x->acks && now - x->acked_ms >= 200) ||
              (x->script == 5 && x->refused_ms && now - x->refused_ms >= 500);
    if (!x->logged && due) {
        x->logged = 1;
        assert_int_equal(edge_uplink_send_export(x->up, "disclosure-30", x->path, XFER_TOTAL,
                                                 x->sha, xf_done, x),
                         MM_OK);
    }
}

/* The hub's side, scripted: a hub that holds `written` bytes of which `synced` are synced, and
 * answers as hub/disclosure_export.c does, with the scenario's mishaps on top. */
static void xf_chunk(xf_t *x, zmq_msg_t *rid, uint64_t seq, const mm_export_chunk_t *c)
{
    if (x->script >= 2) {
        xf_built_chunk(x, rid, seq, c);
        return;
    }
    int k = x->chunks++;
    assert_true(k < XF_MAX);
    assert_string_equal(c->request, "disclosure-30");
    assert_int_equal(c->total, XFER_TOTAL);
    assert_memory_equal(c->sha256, x->sha, 32);
    assert_int_equal(c->window, EDGE_UPLINK_WINDOW);
    assert_true(c->len <= MM_EXPORT_CHUNK_MAX);
    assert_true(c->offset + c->len <= XFER_TOTAL);
    assert_true(c->offset + c->len <= x->synced + EDGE_UPLINK_WINDOW); /* within the window */
    assert_memory_equal(c->data, x->data + c->offset, c->len);
    uint64_t now = uv_now(&x->loop);
    x->seqs[k] = seq;
    x->offsets[k] = c->offset;
    x->at_ms[k] = now;
    if (x->script == 1) {
        xf_answer(x, rid, seq, MM_EXPORT_REFUSED, 0, 0, "not approved");
        return;
    }
    /* Once the hub holds bytes synced, nothing before them goes again (a late answer that said
     * otherwise was ignored). */
    assert_true(c->offset >= x->synced);
    if (x->phase == 3 && now - x->t_ms < 200) {
        if (!x->lost_seq)
            x->lost_seq = seq;
        return; /* the link is down: lost, unanswered */
    }
    if (c->offset != x->written) {
        /* Not where the part ends (in flight before a rewind, or after a gap): where it ends. */
        x->mismatches++;
        xf_answer(x, rid, seq, MM_EXPORT_CONTINUE, x->synced, x->written, "send from there");
        return;
    }
    switch (x->phase++) {
    case 0: /* the first chunk; the hub kept only part of it, unsynced */
        assert_int_equal(c->offset, 0);
        assert_int_equal(c->len, MM_EXPORT_CHUNK_MAX);
        x->written = XF_A;
        xf_answer(x, rid, seq, MM_EXPORT_CONTINUE, 0, x->written, "");
        break;
    case 1: /* from where the hub's part ends; the hub has not seen the exported entry yet */
        x->t_ms = now;
        xf_answer(x, rid, seq, MM_EXPORT_WAIT, 0, 0, "");
        break;
    case 2: /* again after the wait; stored and synced; then the link goes down for 200 ms */
        assert_true(now - x->t_ms >= 90);
        x->written += c->len;
        x->synced = x->written;
        x->t_ms = now;
        xf_answer(x, rid, seq, MM_EXPORT_CONTINUE, x->synced, x->written, "");
        break;
    case 3: /* what was lost, sent again after the resend interval from what the hub holds
               synced; a late answer to the lost one first, which must be ignored */
        assert_int_equal(c->offset, x->synced);
        assert_true(x->lost_seq && seq != x->lost_seq);
        assert_true(now - x->t_ms >= 250);
        xf_answer(x, rid, x->lost_seq, MM_EXPORT_CONTINUE, 0, 0, "");
        x->written += c->len;
        xf_answer(x, rid, seq, MM_EXPORT_CONTINUE, x->synced, x->written, "");
        break;
    default: /* the rest, each written; the last one synced and complete */
        x->phase = 4;
        x->written += c->len;
        if (x->written == XFER_TOTAL)
            xf_answer(x, rid, seq, MM_EXPORT_COMPLETE, XFER_TOTAL, XFER_TOTAL, "");
        else
            xf_answer(x, rid, seq, MM_EXPORT_CONTINUE, x->synced, x->written, "");
    }
}

static void xf_poll(uv_timer_t *h)
{
    xf_t *x = h->data;
    for (;;) {
        zmq_msg_t rid, body;
        zmq_msg_init(&rid);
        if (zmq_msg_recv(&rid, x->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&rid);
            return;
        }
        zmq_msg_init(&body);
        assert_true(zmq_msg_recv(&body, x->router, 0) >= 0);
        mm_msg_t *m = NULL;
        assert_int_equal(mm_msg_decode(zmq_msg_data(&body), zmq_msg_size(&body), &m), MM_OK);
        const mm_export_chunk_t *c = mm_msg_export_chunk(m);
        if (c)
            xf_chunk(x, &rid, mm_msg_seq(m), c);
        else if (mm_msg_batch(m) && x->script >= 2)
            xf_ack_hello(x, &rid, mm_msg_seq(m));
        /* else a batch (a hello) goes unanswered: the uplink keeps it to itself */
        mm_msg_free(m);
        zmq_msg_close(&body);
        zmq_msg_close(&rid);
        if (x->done_calls)
            return;
    }
}

static void xf_guard(uv_timer_t *h)
{
    xf_t *x = h->data;
    fail_msg("the transfer did not end in time (%d chunks)", x->chunks);
}

static void xf_run(int script, xf_t *x)
{
    memset(x, 0, sizeof *x);
    x->script = script;
    x->features = script == 4 ? 0 : MM_HUB_FEATURES;
    snprintf(x->dir, sizeof x->dir, "/tmp/mm-test-xfer-XXXXXX");
    assert_non_null(mkdtemp(x->dir));
    char db[128], endpoint[160];
    snprintf(db, sizeof db, "%s/db", x->dir);
    assert_int_equal(edge_store_open(db, &x->store), MM_OK);
    x->data = malloc(XFER_TOTAL);
    assert_non_null(x->data);
    assert_int_equal(mm_random(x->data, XFER_TOTAL), MM_OK);
    mm_sha256(x->data, XFER_TOTAL, x->sha);
    snprintf(x->path, sizeof x->path, "%s/disclosure-30.age", x->dir);
    FILE *f = fopen(x->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(x->data, 1, XFER_TOTAL, f), XFER_TOTAL);
    fclose(f);

    mm_keypair_t site, hub;
    assert_int_equal(mm_keys_generate("site-a", &site), MM_OK);
    assert_int_equal(mm_keys_generate("hub", &hub), MM_OK);
    mm_note_verifier_t hv;
    assert_int_equal(mm_note_verifier_make("hub", MM_NOTE_ALG_ED25519, hub.sign.pub, &hv), MM_OK);
    x->ctx = zmq_ctx_new();
    x->router = zmq_socket(x->ctx, ZMQ_ROUTER);
    int one = 1, zero = 0;
    assert_int_equal(zmq_setsockopt(x->router, ZMQ_CURVE_SERVER, &one, sizeof one), 0);
    assert_int_equal(zmq_setsockopt(x->router, ZMQ_CURVE_SECRETKEY, hub.curve_secret,
                                    strlen(hub.curve_secret) + 1),
                     0);
    assert_int_equal(zmq_setsockopt(x->router, ZMQ_LINGER, &zero, sizeof zero), 0);
    snprintf(endpoint, sizeof endpoint, "ipc://%s/hub.sock", x->dir);
    assert_int_equal(zmq_bind(x->router, endpoint), 0);

    assert_int_equal(uv_loop_init(&x->loop), 0);
    edge_uplink_conf_t uc = {.site = "site-a",
                             .keys = &site,
                             .hub_endpoint = endpoint,
                             .hub_curve_public = hub.curve_public,
                             .hub_verifier = &hv,
                             .resend_ms = 300,
                             .export_wait_ms = 100,
                             .keepalive_ms = 60000};
    assert_int_equal(edge_uplink_create(&x->loop, x->ctx, x->store, &uc, &x->up), MM_OK);
    if (script >= 2) {
        mm_sha256(x->data, MM_EXPORT_BUILD_PREFIX, x->build);
        const char *building = x->path;
        if (script == 6) { /* built under another name */
            snprintf(x->tmp, sizeof x->tmp, "%s.tmp", x->path);
            assert_int_equal(rename(x->path, x->tmp), 0);
            building = x->tmp;
        }
        assert_int_equal(
            edge_uplink_export_building(x->up, "disclosure-30", building, 0, xf_done, x), MM_OK);
        uv_timer_init(&x->loop, &x->grow);
        x->grow.data = x;
        uv_timer_start(&x->grow, xf_grow, 20, 20);
    } else {
        assert_int_equal(edge_uplink_send_export(x->up, "disclosure-30", x->path, XFER_TOTAL,
                                                 x->sha, xf_done, x),
                         MM_OK);
        /* The same export again changes nothing; nor does a bad one start. */
        assert_int_equal(edge_uplink_send_export(x->up, "disclosure-30", x->path, XFER_TOTAL,
                                                 x->sha, xf_done, x),
                         MM_OK);
        assert_int_equal(edge_uplink_send_export(x->up, "", x->path, 1, x->sha, xf_done, x),
                         MM_EINVAL);
    }
    uv_timer_init(&x->loop, &x->poll);
    uv_timer_init(&x->loop, &x->guard);
    x->poll.data = x->guard.data = x;
    uv_timer_start(&x->poll, xf_poll, 5, 5);
    uv_timer_start(&x->guard, xf_guard, 20000, 0);
    uv_run(&x->loop, UV_RUN_DEFAULT);
    assert_int_equal(x->closed, 1);
    assert_int_equal(uv_loop_close(&x->loop), 0);

    zmq_close(x->router);
    zmq_ctx_term(x->ctx);
    edge_store_close(x->store);
    mm_keys_wipe(&site);
    mm_keys_wipe(&hub);
    free(x->data);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", x->dir);
    assert_int_equal(system(cmd), 0);
}

/* A window of chunks in flight, each naming the window; a chunk the hub did not write where it
 * was sent goes again from where the hub's part ends (its `received`), answers to what was in
 * flight before ignored; WAIT waits; unanswered chunks go again after the resend interval from
 * what the hub holds synced (its `have`); a late answer is ignored; COMPLETE delivers. */
static void uplink_export_chunks_follow_the_hubs_have(void **state)
{
    (void)state;
    xf_t *x = calloc(1, sizeof *x);
    xf_run(0, x);
    assert_int_equal(x->done_calls, 1);
    assert_true(x->delivered);
    assert_int_equal(x->phase, 4);
    assert_int_equal(x->written, XFER_TOTAL);
    /* More than one chunk went before the first answer: a window, not one at a time. */
    assert_int_equal(x->offsets[0], 0);
    assert_int_equal(x->offsets[1], MM_EXPORT_CHUNK_MAX);
    assert_true(x->mismatches >= 2);
    free(x);
}

/* REFUSED ends the transfer with the hub's reason. */
static void uplink_export_refused_ends_with_the_hubs_reason(void **state)
{
    (void)state;
    xf_t *x = calloc(1, sizeof *x);
    xf_run(1, x);
    assert_int_equal(x->done_calls, 1);
    assert_false(x->delivered);
    assert_string_equal(x->reason, "not approved");
    assert_true(x->chunks >= 1 && x->chunks <= 3); /* what the window had sent */
    free(x);
}

/* Sent while built: each chunk holds only bytes handed over and names the build (the SHA-256 of
 * the file's first 128 bytes) with no length or hash; once every byte went, the logged export
 * needs only one empty chunk at its end, which names its length and hash, to complete. */
static void uplink_export_goes_while_it_is_built(void **state)
{
    (void)state;
    xf_t *x = calloc(1, sizeof *x);
    xf_run(2, x);
    assert_int_equal(x->done_calls, 1);
    assert_true(x->delivered);
    assert_true(x->building_chunks >= 3);
    assert_int_equal(x->ended_chunks, 1);
    assert_int_equal(x->empty_end, 1);
    free(x);
}

/* A hub that refuses chunks while built: the early sending ends without a word to the owner,
 * and the logged export goes whole from its start, whether the edge heard the refusal before it
 * logged the export (script 5, most likely) or after (script 3: logged as the hub refuses). */
static void uplink_export_refused_while_built_goes_once_logged(void **state)
{
    (void)state;
    for (int script = 3; script <= 5; script += 2) {
        xf_t *x = calloc(1, sizeof *x);
        xf_run(script, x);
        assert_int_equal(x->done_calls, 1);
        assert_true(x->delivered);
        assert_true(x->building_chunks >= 1);
        assert_true(x->ended_chunks >= 3); /* all of it, after it was logged */
        assert_int_equal(x->written, XFER_TOTAL);
        assert_int_equal(x->empty_end, 0);
        free(x);
    }
}

/* A hub that does not say it takes an export while built (an older one, which would refuse such
 * chunks as malformed): nothing goes while built, and the logged export goes whole. */
static void uplink_export_waits_for_a_hub_that_takes_it_built(void **state)
{
    (void)state;
    xf_t *x = calloc(1, sizeof *x);
    xf_run(4, x);
    assert_int_equal(x->done_calls, 1);
    assert_true(x->delivered);
    assert_true(x->acks >= 1);
    assert_int_equal(x->building_chunks, 0);
    assert_int_equal(x->ended_chunks, 3);
    free(x);
}

/* The early sending failed (the file was renamed into place before a chunk could open it where
 * it was built): the logged export goes whole all the same. */
static void uplink_export_that_failed_while_built_goes_whole(void **state)
{
    (void)state;
    xf_t *x = calloc(1, sizeof *x);
    xf_run(6, x);
    assert_int_equal(x->done_calls, 1);
    assert_true(x->delivered);
    assert_int_equal(x->building_chunks, 0);
    assert_int_equal(x->ended_chunks, 3);
    free(x);
}

#define T(name) cmocka_unit_test_setup_teardown(name, t_setup, t_teardown)

int main(void)
{
    snprintf(clock_file, sizeof clock_file, "/tmp/mm-test-disclosure-clock-%d", (int)getpid());
    setenv("MM_TEST_CLOCK_FILE", clock_file, 1);
    set_clock(0);
    const struct CMUnitTest tests[] = {
        T(disclosure_valid_request_is_held_and_outlives_retention),
        T(disclosure_bad_signature_is_refused_without_a_hold),
        T(disclosure_unknown_camera_bad_range_or_recipient_is_refused),
        T(disclosure_basis_the_policy_does_not_admit_is_refused_with_the_clause),
        T(disclosure_receipt_interrupted_is_finished_at_start),
        T(disclosure_prepare_narrows_within_the_request),
        cmocka_unit_test(disclosure_operator_prepares_but_does_not_decide),
        T(disclosure_manager_approves_only_what_someone_else_prepared),
        T(disclosure_own_images_needs_regions_and_never_goes_unredacted),
        T(disclosure_deny_releases_the_holds),
        T(disclosure_expiry_releases_the_holds),
        T(disclosure_timer_expires_on_the_injected_clock),
        T(disclosure_export_decrypts_with_age_and_matches_the_log),
        T(disclosure_refused_transfer_fails_and_start_cleans_up),
        T(disclosure_release_ends_the_hold_once_delivered),
        T(disclosure_release_refused_when_closed),
        cmocka_unit_test(uplink_export_chunks_follow_the_hubs_have),
        cmocka_unit_test(uplink_export_refused_ends_with_the_hubs_reason),
        cmocka_unit_test(uplink_export_goes_while_it_is_built),
        cmocka_unit_test(uplink_export_refused_while_built_goes_once_logged),
        cmocka_unit_test(uplink_export_waits_for_a_hub_that_takes_it_built),
        cmocka_unit_test(uplink_export_that_failed_while_built_goes_whole),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    unlink(clock_file);
    return rc;
}
