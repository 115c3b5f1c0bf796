/*
 * test_disclosure.c: the hub's side of a disclosure (hub/disclosure), with real LMDB, real
 * signatures and a real mirror: the site's entries reach the module exactly as in the daemon,
 * in signed batches through hub_mirror_batch, whose transaction the module joins.
 *
 * Filing: every refusal names what is wrong and leaves nothing stored, logged or sent; a valid
 * request is stored, logged in the hub's log, signed over its statement with the hub's key and
 * sent with every ack until the site logs it (R-K2.2.5, R-N7.4). Steps: each step the site logs
 * is in the record and in the hub's log (R-N7.6); the record says whether the site still holds
 * the footage, until the manager's release or a denial or expiry (R-K2.2.6b). Chunks: WAIT before
 * the export is logged, REFUSED for what is not this site's or was denied, CONTINUE and resume from
 * what is on disk (after a restart too), COMPLETE only for the logged hash. Downloads: the
 * requester who filed it and nobody else, logged first and noticed to the site.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "hub_fixture.h"
#include "common/crypto.h"
#include "common/entry.h"
#include "hub/apibody.h"
#include "hub/audit.h"
#include "hub/disclosure.h"
#include "hub/disclosure_codec.h"
#include "hub/feed.h"
#include "hub/findings.h"
#include "hub/hublog.h"
#include "hub/mirror.h"
#include "hub/registry.h"
#include "hub/rules.h"

#define HOUR_US (3600LL * 1000000)
#define DAY_US (24 * HOUR_US)
#define T0 (1795000000LL * 1000000) /* the hub's "now" in these tests */
#define RECIPIENT "age1dvh55nzgg6knvgt6l95py7gts8f86x4tkjs35klxv5ylevq5n5uqcwj7f8"
#define MAXE 64

enum { REQUESTER, REQUESTER2, OVERSIGHT, READONLY };

/* A site's log as the edge keeps it, and how much of it the hub holds. */
typedef struct {
    const char *id;
    mm_ed25519_t key;
    uint8_t *entries[MAXE];
    mm_bytes_t views[MAXE];
    mm_hash_t leaves[MAXE];
    size_t n, sent;
} site_t;

typedef struct {
    hubfx_t hub;
    hub_config_t cfg;
    hub_site_conf_t sites[2];
    hub_person_t people[4];
    hub_mirror_t *mirror;
    hub_disclosure_t *d;
    site_t site[2];
} fx_t;

static mm_err_t apply(void *arg, MDB_txn *txn, const char *site, uint64_t index,
                      const mm_entry_t *e)
{
    fx_t *f = arg;
    return hub_disclosure_apply_in(f->d, txn, site, index, e);
}

static void applied(void *arg, int committed)
{
    fx_t *f = arg;
    hub_disclosure_applied(f->d, committed);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    hubfx_open(&f->hub, "disclosure", HUBFX_FINDINGS | HUBFX_REGISTRY | HUBFX_FEED | HUBFX_AUDIT);
    static const char *const ids[2] = {"site-a", "site-b"};
    for (int i = 0; i < 2; i++) {
        f->site[i].id = ids[i];
        assert_int_equal(mm_ed25519_generate(&f->site[i].key), MM_OK);
        strcpy(f->sites[i].id, ids[i]);
        assert_int_equal(mm_note_verifier_make(ids[i], MM_NOTE_ALG_ED25519, f->site[i].key.pub,
                                               &f->sites[i].verifier),
                         MM_OK);
    }
    static const char *const pid[4] = {"requester-1", "requester-2", "oversight-1", "readonly-1"};
    static const unsigned roles[4] = {HUB_ROLE_REQUESTER, HUB_ROLE_REQUESTER, HUB_ROLE_OVERSIGHT,
                                      HUB_ROLE_READONLY};
    for (int i = 0; i < 4; i++) {
        strcpy(f->people[i].id, pid[i]);
        snprintf(f->people[i].name, sizeof f->people[i].name, "%s person", pid[i]);
        f->people[i].role = roles[i];
    }
    strcpy(f->cfg.name, "hub");
    f->cfg.state_dir = f->hub.dir;
    f->cfg.n_sites = 2;
    f->cfg.sites = f->sites;
    f->cfg.n_people = 4;
    f->cfg.people = f->people;
    f->cfg.disclosure_days = 14;
    f->cfg.disclosure_max_hours = 24;
    assert_int_equal(hub_mirror_open(f->hub.db, &f->cfg, &f->hub.keys, f->hub.findings, &f->mirror),
                     MM_OK);
    assert_int_equal(
        hub_disclosure_open(f->hub.db, &f->cfg, &f->hub.keys, f->hub.reg, f->hub.audit, &f->d),
        MM_OK);
    hub_mirror_set_registry(f->mirror, f->hub.reg, NULL, NULL);
    hub_mirror_set_applier(f->mirror,
                           &(hub_mirror_applier_t){.apply = apply, .done = applied, .arg = f});
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hub_disclosure_close(f->d);
    hub_mirror_close(f->mirror);
    hubfx_close(&f->hub);
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < f->site[s].n; i++)
            free(f->site[s].entries[i]);
    free(f);
    return 0;
}

/* --- the site's log --------------------------------------------------------------------------*/

/* The site logs e (not yet sent). */
static void site_logs(fx_t *f, int s, const mm_entry_t *e)
{
    site_t *st = &f->site[s];
    assert_true(st->n < MAXE);
    size_t len;
    assert_int_equal(mm_entry_encode(e, &st->entries[st->n], &len), MM_OK);
    st->views[st->n] = (mm_bytes_t){st->entries[st->n], len};
    mm_merkle_leaf_hash(st->entries[st->n], len, &st->leaves[st->n]);
    st->n++;
}

/* The site sends what the hub does not hold yet, in one signed batch; the hub stores it. */
static void site_sends(fx_t *f, int s)
{
    site_t *st = &f->site[s];
    mm_checkpoint_t cp = {.size = st->n};
    snprintf(cp.origin, sizeof cp.origin, "mimamori/site/%s", st->id);
    assert_int_equal(mm_merkle_root(mm_merkle_leaves_node, st->leaves, cp.size, &cp.root), MM_OK);
    char note[MM_NOTE_MAX];
    size_t len;
    assert_int_equal(mm_checkpoint_sign(&cp, st->id, &st->key, note, sizeof note, &len), MM_OK);
    mm_batch_t b = {.first_index = st->sent,
                    .n_entries = st->n - st->sent,
                    .entries = &st->views[st->sent],
                    .checkpoint = note,
                    .checkpoint_len = len};
    hub_answer_t a;
    hub_mirror_batch(f->mirror, st->id, &b, T0, &a);
    assert_int_equal(a.ack.status, MM_ACK_OK);
    assert_int_equal(a.ack.size, st->n);
    st->sent = st->n;
}

static void site_logs_and_sends(fx_t *f, int s, const mm_entry_t *e)
{
    site_logs(f, s, e);
    site_sends(f, s);
}

static mm_entry_t camera(const char *cam)
{
    mm_entry_t e = {.time_us = T0 - DAY_US, .kind = MM_ENTRY_CAMERA_FACTS};
    mm_camera_facts_t *c = &e.u.camera_facts;
    strcpy(c->camera, cam);
    strcpy(c->location, "中央通り 3 番地");
    strcpy(c->purpose, "防犯");
    strcpy(c->install_date, "2026-04-10");
    return e;
}

/* Both sites have cam1 and cam2 in their verified logs. */
static void cameras(fx_t *f)
{
    for (int s = 0; s < 2; s++) {
        mm_entry_t a = camera("cam1"), b = camera("cam2");
        site_logs(f, s, &a);
        site_logs(f, s, &b);
        site_sends(f, s);
    }
}

static mm_entry_t city_request(const char *id, const char *kind)
{
    mm_entry_t e = {.time_us = T0 + 1000, .kind = MM_ENTRY_CITY_REQUEST};
    strcpy(e.u.city_request.id, id);
    assert_true(mm_request_kind_parse(kind, &e.u.city_request.kind));
    e.u.city_request.city_time_us = T0;
    return e;
}

static mm_entry_t step(const char *req, const char *st, const char *by)
{
    mm_entry_t e = {.time_us = T0 + 2000, .kind = MM_ENTRY_DISCLOSURE};
    mm_disclosure_t *d = &e.u.disclosure;
    strcpy(d->request, req);
    assert_true(mm_disclosure_step_parse(st, &d->step));
    strcpy(d->by, by);
    strcpy(d->cameras, "cam1");
    d->from_us = T0 - 2 * HOUR_US;
    d->to_us = T0 - HOUR_US;
    d->legal_basis = MM_LEGAL_BASIS_LAW;
    strcpy(d->requester, "requester-1");
    snprintf(d->text, sizeof d->text, "%s by %s", st, by[0] ? by : "the edge");
    return e;
}

static mm_entry_t exported(const char *req, const uint8_t *data, size_t len)
{
    mm_entry_t e = step(req, "exported", "");
    e.u.disclosure.has_sha256 = 1;
    e.u.disclosure.has_manifest_sha256 = 1;
    mm_sha256(data, len, e.u.disclosure.sha256);
    e.u.disclosure.bytes = len;
    memset(e.u.disclosure.manifest_sha256, 0x4d, 32);
    return e;
}

/* --- the hub ---------------------------------------------------------------------------------*/

static hub_disclosure_body_t body_of(const char *json)
{
    hub_disclosure_body_t b;
    char msg[256];
    mm_err_t err = hub_body_disclosure(json, strlen(json), &b, msg, sizeof msg);
    if (err != MM_OK)
        fail_msg("the body was refused: %s", msg);
    return b;
}

/* A request body for site-a, cam1, law, over [from, to). */
static void request_json(char *out, size_t cap, const char *site, const char *cams, int64_t from,
                         int64_t to)
{
    snprintf(out, cap,
             "{\"site\": \"%s\", \"cameras\": %s, \"from_us\": %lld, \"to_us\": %lld, "
             "\"legal_basis\": \"law\", \"reference\": \"那覇署 捜査関係事項照会 第12号\", "
             "\"reason\": \"窃盗事件の捜査\\n二行目\", \"recipient\": \"" RECIPIENT "\", "
             "\"organisation\": \"沖縄県警察\"}",
             site, cams, (long long)from, (long long)to);
}

/* The module's calls with the records as the API shows them (disclosure_codec). */
static mm_err_t file_rec(hub_disclosure_t *d, const hub_person_t *who,
                         const hub_disclosure_body_t *b, int64_t now, json_t **out,
                         hub_disclosure_why_t *why)
{
    hub_disclosure_rec_t *rec = malloc(sizeof *rec);
    mm_err_t err = hub_disclosure_file(d, who, b, now, rec, why);
    *out = err == MM_OK ? hub_disclosure_rec_json(rec) : NULL;
    if (err == MM_OK)
        assert_non_null(*out);
    hub_disclosure_rec_deinit(rec);
    free(rec);
    return err;
}

static int add_record(void *arg, const hub_disclosure_rec_t *rec)
{
    json_array_append_new(arg, hub_disclosure_rec_json(rec));
    return 0;
}

static json_t *list_of(hub_disclosure_t *d, const hub_person_t *who)
{
    json_t *list = json_array();
    assert_int_equal(hub_disclosure_each(d, who, add_record, list), MM_OK);
    return list;
}

static mm_err_t get_rec(hub_disclosure_t *d, const hub_person_t *who, const char *id, json_t **out)
{
    hub_disclosure_rec_t *rec = malloc(sizeof *rec);
    mm_err_t err = hub_disclosure_get(d, who, id, rec);
    *out = err == MM_OK ? hub_disclosure_rec_json(rec) : NULL;
    if (err == MM_OK)
        assert_non_null(*out);
    hub_disclosure_rec_deinit(rec);
    free(rec);
    return err;
}

/* Files a valid request as requester p; returns its id (static storage per call site). */
static void file_ok(fx_t *f, int p, char id[64])
{
    char json[1024];
    request_json(json, sizeof json, "site-a", "[\"cam1\"]", T0 - 2 * HOUR_US, T0 - HOUR_US);
    hub_disclosure_body_t b = body_of(json);
    json_t *rec = NULL;
    hub_disclosure_why_t why;
    mm_err_t err = file_rec(f->d, &f->people[p], &b, T0, &rec, &why);
    if (err != MM_OK)
        fail_msg("refused: %d %s: %s", why.status, why.code, why.message);
    snprintf(id, 64, "%s", json_string_value(json_object_get(rec, "id")));
    json_decref(rec);
}

static json_t *record(fx_t *f, const char *id)
{
    json_t *rec = NULL;
    assert_int_equal(get_rec(f->d, &f->people[OVERSIGHT], id, &rec), MM_OK);
    return rec;
}

static const char *state_of(fx_t *f, const char *id)
{
    static char st[32];
    json_t *rec = record(f, id);
    snprintf(st, sizeof st, "%s", json_string_value(json_object_get(rec, "state")));
    json_decref(rec);
    return st;
}

/* The city action of the hub's log with action about subject, or NULL (borrowed from log). */
static json_t *action_in(json_t *log, const char *action, const char *subject)
{
    size_t i;
    json_t *e;
    json_array_foreach(log, i, e)
    {
        json_t *a = json_object_get(e, "city_action");
        if (a && !strcmp(json_string_value(json_object_get(a, "action")), action) &&
            !strcmp(json_string_value(json_object_get(a, "subject")) ?: "", subject))
            return a;
    }
    return NULL;
}

static size_t pending(fx_t *f, const char *site, mm_city_request_t *out)
{
    return hub_registry_pending(f->hub.reg, site, out, MM_WIRE_REQUESTS_MAX);
}

static uint32_t chunk_window; /* what the chunks name: 0, one at a time (an older edge) */

static mm_export_ack_t chunk(fx_t *f, const char *site, const char *req, uint64_t offset,
                             const uint8_t *data, size_t len, uint64_t total, const uint8_t *sha)
{
    mm_export_chunk_t c = {
        .offset = offset, .data = data, .len = len, .total = total, .window = chunk_window};
    snprintf(c.request, sizeof c.request, "%s", req);
    memcpy(c.sha256, sha, 32);
    mm_export_ack_t a;
    hub_disclosure_chunk(f->d, site, &c, T0 + HOUR_US, &a);
    return a;
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* --- filing ----------------------------------------------------------------------------------*/

/* Each body problem is refused by the parser with a message naming it. */
static void test_filing_body_refusals_name_the_field(void **state)
{
    (void)state;
    static const struct {
        const char *json, *names;
    } bad[] = {
        {"{\"site\":\"site-a\",\"cameras\":[\"cam1\"],\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"recipient\":\"" RECIPIENT "\"}",
         "a disclosure needs a legal basis: consent, law, emergency or own_images"},
        {"{\"site\":\"site-a\",\"cameras\":[\"cam1\"],\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"legal_basis\":\"curiosity\",\"recipient\":\"" RECIPIENT "\"}",
         "legal_basis"},
        {"{\"site\":\"site-a\",\"cameras\":[\"cam1\"],\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"legal_basis\":\"law\",\"recipient\":\"" RECIPIENT "\"}",
         "\"reference\" is required for legal basis law"},
        {"{\"site\":\"site-a\",\"cameras\":[\"cam1\"],\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"legal_basis\":\"consent\",\"reference\":\"\",\"recipient\":\"" RECIPIENT "\"}",
         "\"reference\" is required for legal basis consent"},
        {"{\"site\":\"site-a\",\"cameras\":[\"cam1\"],\"from_us\":5,\"to_us\":5,\"reason\":\"r\","
         "\"legal_basis\":\"emergency\",\"recipient\":\"" RECIPIENT "\"}",
         "\"from_us\" must be before \"to_us\""},
        {"{\"site\":\"site-a\",\"cameras\":[\"cam1\"],\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"legal_basis\":\"emergency\",\"recipient\":\"age1notakey\"}",
         "\"recipient\""},
        {"{\"site\":\"site-a\",\"cameras\":[\"cam1\"],\"from_us\":1,\"to_us\":2,"
         "\"legal_basis\":\"emergency\",\"recipient\":\"" RECIPIENT "\"}",
         "\"reason\""},
        {"{\"site\":\"site-a\",\"cameras\":[],\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"legal_basis\":\"emergency\",\"recipient\":\"" RECIPIENT "\"}",
         "\"cameras\""},
        {"{\"site\":\"site-a\",\"cameras\":[\"cam1\",\"cam1\"],\"from_us\":1,\"to_us\":2,"
         "\"reason\":\"r\",\"legal_basis\":\"emergency\",\"recipient\":\"" RECIPIENT "\"}",
         "twice"},
        {"{\"site\":\"site-a\",\"cameras\":[\"cam/1\"],\"from_us\":1,\"to_us\":2,"
         "\"reason\":\"r\",\"legal_basis\":\"emergency\",\"recipient\":\"" RECIPIENT "\"}",
         "\"cameras\"[0]"},
        {"{\"site\":\"site-a\",\"cameras\":[\"cam1\"],\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"legal_basis\":\"emergency\",\"recipient\":\"" RECIPIENT "\",\"warrant\":\"x\"}",
         "\"warrant\" is not a key"},
        {"{\"site\":\"site-a\",\"cameras\":[\"cam1\"],\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
         "\"legal_basis\":\"emergency\",\"recipient\":\"" RECIPIENT "\","
         "\"organisation\":\"a\\nb\"}",
         "\"organisation\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hub_disclosure_body_t b;
        char msg[256];
        assert_int_equal(hub_body_disclosure(bad[i].json, strlen(bad[i].json), &b, msg, sizeof msg),
                         MM_EPROTO);
        if (!strstr(msg, bad[i].names))
            fail_msg("body %zu: \"%s\" does not name %s", i, msg, bad[i].names);
    }
    /* Without a reference, emergency and own images are fine; 16 cameras are, 17 are not. */
    char json[2048] = "{\"site\":\"site-a\",\"from_us\":1,\"to_us\":2,\"reason\":\"r\","
                      "\"legal_basis\":\"own_images\",\"recipient\":\"" RECIPIENT "\","
                      "\"cameras\":[\"c0\"";
    for (int i = 1; i < 16; i++)
        snprintf(json + strlen(json), sizeof json - strlen(json), ",\"c%d\"", i);
    hub_disclosure_body_t b;
    char msg[256], more[sizeof json + 16];
    snprintf(more, sizeof more, "%s]}", json);
    assert_int_equal(hub_body_disclosure(more, strlen(more), &b, msg, sizeof msg), MM_OK);
    assert_int_equal(b.n_cameras, 16);
    assert_string_equal(b.cameras[15], "c15");
    assert_int_equal(b.legal_basis, MM_LEGAL_BASIS_OWN_IMAGES);
    assert_string_equal(b.reference, "");
    snprintf(more, sizeof more, "%s,\"c16\"]}", json);
    assert_int_equal(hub_body_disclosure(more, strlen(more), &b, msg, sizeof msg), MM_EPROTO);
    assert_non_null(strstr(msg, "\"cameras\" must list 1 to 16"));
}

/* What only the hub knows refuses a request too; nothing of a refused one is stored, logged or
 * sent (R-K2.2.5). */
static void test_filing_refusals_store_log_and_send_nothing(void **state)
{
    fx_t *f = *state;
    cameras(f);
    uint64_t logged = hubfx_log_size(&f->hub);
    char json[1024];
    static const struct {
        const char *site, *cams;
        int64_t from, to;
        int status;
        const char *code, *says;
    } bad[] = {
        {"site-x", "[\"cam1\"]", T0 - 2 * HOUR_US, T0 - HOUR_US, 404, "unknown_site", "site-x"},
        {"site-a", "[\"cam1\",\"cam9\"]", T0 - 2 * HOUR_US, T0 - HOUR_US, 422, "unknown_camera",
         "site site-a has no camera cam9"},
        {"site-a", "[\"cam1\"]", T0 - HOUR_US, T0 + 1, 422, "range_in_future", "\"to_us\""},
        {"site-a", "[\"cam1\"]", T0 - 25 * HOUR_US, T0 - HOUR_US + 1, 422, "range_too_long",
         "24 hours"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        request_json(json, sizeof json, bad[i].site, bad[i].cams, bad[i].from, bad[i].to);
        hub_disclosure_body_t b = body_of(json);
        json_t *rec = NULL;
        hub_disclosure_why_t why;
        assert_int_equal(file_rec(f->d, &f->people[REQUESTER], &b, T0, &rec, &why), MM_EINVAL);
        assert_null(rec);
        assert_int_equal(why.status, bad[i].status);
        assert_string_equal(why.code, bad[i].code);
        if (!strstr(why.message, bad[i].says))
            fail_msg("refusal %zu: \"%s\" does not say %s", i, why.message, bad[i].says);
    }
    /* Exactly 24 hours, ending now, is allowed. */
    request_json(json, sizeof json, "site-a", "[\"cam1\",\"cam2\"]", T0 - 24 * HOUR_US, T0);
    hub_disclosure_body_t b = body_of(json);
    json_t *list = list_of(f->d, &f->people[OVERSIGHT]);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    assert_int_equal(hubfx_log_size(&f->hub), logged);
    mm_city_request_t out[MM_WIRE_REQUESTS_MAX];
    assert_int_equal(pending(f, "site-a", out), 0);
    json_t *rec = NULL;
    hub_disclosure_why_t why;
    assert_int_equal(file_rec(f->d, &f->people[REQUESTER], &b, T0, &rec, &why), MM_OK);
    assert_string_equal(json_string_value(json_object_get(rec, "id")), "disclosure-1");
    json_decref(rec);
}

/* A valid request: stored with the requester's identity, logged in the hub's log in the same
 * commit, signed with the hub's key over its statement, and sent with every ack until the
 * site logs it (R-K2.2.5, R-N7.4, R-N7.6). */
static void test_filing_stores_logs_signs_and_forwards_until_logged(void **state)
{
    fx_t *f = *state;
    cameras(f);
    char id[64];
    file_ok(f, REQUESTER, id);
    assert_string_equal(id, "disclosure-1");

    json_t *rec = record(f, id);
    assert_string_equal(json_string_value(json_object_get(rec, "state")), "filed");
    assert_string_equal(json_string_value(json_object_get(rec, "site")), "site-a");
    json_t *who = json_object_get(rec, "requester");
    assert_string_equal(json_string_value(json_object_get(who, "id")), "requester-1");
    assert_string_equal(json_string_value(json_object_get(who, "name")), "requester-1 person");
    assert_string_equal(json_string_value(json_object_get(who, "organisation")), "沖縄県警察");
    assert_string_equal(json_string_value(json_object_get(rec, "legal_basis")), "law");
    assert_int_equal(json_integer_value(json_object_get(rec, "time_us")), T0);
    assert_int_equal(json_integer_value(json_object_get(rec, "deadline_us")), T0 + 14 * DAY_US);
    assert_int_equal(json_array_size(json_object_get(rec, "history")), 1);
    json_decref(rec);

    json_t *log = hubfx_log(&f->hub);
    assert_int_equal(json_array_size(log), 1);
    json_t *a = action_in(log, "disclosure_requested", id);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "site")), "site-a");
    assert_string_equal(json_string_value(json_object_get(a, "person")), "requester-1");
    assert_string_equal(json_string_value(json_object_get(a, "role")), "requester");
    assert_string_equal(json_string_value(json_object_get(a, "reason")), "窃盗事件の捜査\n二行目");
    json_t *detail = json_loads(json_string_value(json_object_get(a, "detail")), 0, NULL);
    assert_non_null(detail);
    assert_string_equal(json_string_value(json_object_get(detail, "legal_basis")), "law");
    assert_string_equal(json_string_value(json_object_get(detail, "reference")),
                        "那覇署 捜査関係事項照会 第12号");
    assert_string_equal(json_string_value(json_object_get(detail, "recipient")), RECIPIENT);
    assert_string_equal(json_string_value(json_object_get(detail, "organisation")), "沖縄県警察");
    assert_int_equal(json_integer_value(json_object_get(detail, "to_us")), T0 - HOUR_US);
    assert_string_equal(json_string_value(json_array_get(json_object_get(detail, "cameras"), 0)),
                        "cam1");
    json_decref(detail);
    json_decref(log);

    /* With every ack, whole and signed: the statement verifies with the hub's public key. */
    mm_city_request_t out[MM_WIRE_REQUESTS_MAX];
    for (int ack = 0; ack < 2; ack++) {
        assert_int_equal(pending(f, "site-a", out), 1);
        assert_int_equal(pending(f, "site-b", out + 1), 0);
        mm_city_request_t *r = &out[0];
        assert_string_equal(r->id, id);
        assert_int_equal(r->kind, MM_REQUEST_KIND_DISCLOSURE);
        assert_int_equal(r->legal_basis, MM_LEGAL_BASIS_LAW);
        assert_string_equal(r->reference, "那覇署 捜査関係事項照会 第12号");
        assert_string_equal(r->requester, "requester-1");
        assert_string_equal(r->recipient, RECIPIENT);
        assert_string_equal(r->text, "窃盗事件の捜査\n二行目");
        assert_int_equal(r->n_cameras, 1);
        assert_string_equal(r->cameras[0], "cam1");
        assert_int_equal(r->from_us, T0 - 2 * HOUR_US);
        assert_int_equal(r->to_us, T0 - HOUR_US);
        assert_int_equal(r->time_us, T0);
        assert_int_equal(r->deadline_us, T0 + 14 * DAY_US);
        assert_true(r->has_signature);
        char *stmt = malloc(MM_STATEMENT_MAX);
        size_t len;
        assert_int_equal(mm_disclosure_statement(r, "site-a", stmt, MM_STATEMENT_MAX, &len), MM_OK);
        assert_int_equal(mm_ed25519_verify(f->hub.keys.sign.pub, stmt, len, r->signature), MM_OK);
        /* For another site, or changed, it does not verify. */
        assert_int_equal(mm_disclosure_statement(r, "site-b", stmt, MM_STATEMENT_MAX, &len), MM_OK);
        assert_int_equal(mm_ed25519_verify(f->hub.keys.sign.pub, stmt, len, r->signature),
                         MM_EVERIFY);
        r->to_us++;
        assert_int_equal(mm_disclosure_statement(r, "site-a", stmt, MM_STATEMENT_MAX, &len), MM_OK);
        assert_int_equal(mm_ed25519_verify(f->hub.keys.sign.pub, stmt, len, r->signature),
                         MM_EVERIFY);
        free(stmt);
    }
    /* The record keeps the same signature. */
    rec = record(f, id);
    uint8_t sig[96];
    const char *b64 = json_string_value(json_object_get(rec, "signature"));
    assert_int_equal(mm_base64_decode(b64, strlen(b64), sig, sizeof sig), 64);
    json_decref(rec);

    /* The site logs it: no longer sent, and forwarded. */
    mm_entry_t e = city_request(id, "disclosure");
    site_logs_and_sends(f, 0, &e);
    assert_int_equal(pending(f, "site-a", out), 0);
    assert_string_equal(state_of(f, id), "forwarded");

    /* Its deadline passing is no finding: the site's own steps say what became of it. */
    hub_site_record_t *site = malloc(sizeof *site);
    assert_int_equal(hub_registry_get(f->hub.reg, "site-a", site), MM_OK);
    assert_int_equal(site->n_requests, 1);
    hub_rules_input_t in = {.now_us = T0 + 30 * DAY_US, .uptime_min = 0};
    hub_finding_list_t findings;
    hub_finding_list_init(&findings);
    assert_int_equal(hub_rules_evaluate(site, &in, &findings), MM_OK);
    for (size_t i = 0; i < findings.n; i++)
        assert_string_not_equal(findings.items[i].kind, "request_overdue");
    hub_finding_list_deinit(&findings);
    hub_site_record_deinit(site);
    free(site);

    /* Ids go on across requests. */
    file_ok(f, REQUESTER2, id);
    assert_string_equal(id, "disclosure-2");
}

/* --- the site's steps ------------------------------------------------------------------------*/

static int count_feed(void *arg, uint64_t id, const char *type, const char *json, size_t len)
{
    (void)id;
    (void)json;
    (void)len;
    if (!strcmp(type, "city_action"))
        (*(int *)arg)++;
    return 0;
}

/* Every step the site logs is in the record and in the hub's log, committed with the site's
 * entry; steps of requests that are not the site's change nothing (R-N7.6). */
static void test_site_steps_reach_record_and_hub_log(void **state)
{
    fx_t *f = *state;
    cameras(f);
    char id[64];
    file_ok(f, REQUESTER, id);
    uint8_t data[1000];
    memset(data, 0xab, sizeof data);
    mm_entry_t e = city_request(id, "disclosure");
    site_logs(f, 0, &e);
    e = step(id, "held", "");
    site_logs(f, 0, &e);
    e = step(id, "prepared", "sousa");
    site_logs(f, 0, &e);
    site_sends(f, 0);
    assert_string_equal(state_of(f, id), "prepared");
    e = step(id, "approved", "kanri");
    site_logs(f, 0, &e);
    e = exported(id, data, sizeof data);
    site_logs(f, 0, &e);
    /* site-b logs a step of site-a's request; site-a one of a request that does not exist. */
    e = step(id, "approved", "intruder");
    site_logs_and_sends(f, 1, &e);
    e = step("disclosure-99", "held", "");
    site_logs(f, 0, &e);
    site_sends(f, 0);

    json_t *rec = record(f, id);
    assert_string_equal(json_string_value(json_object_get(rec, "state")), "exported");
    json_t *h = json_object_get(rec, "history");
    static const char *const steps[] = {"filed", "held", "prepared", "approved", "exported"};
    assert_int_equal(json_array_size(h), 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(h, i), "step")),
                            steps[i]);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 3), "by")), "kanri");
    json_t *x = json_object_get(rec, "export");
    char hex[65];
    uint8_t sha[32];
    mm_sha256(data, sizeof data, sha);
    mm_hex_encode(sha, 32, hex, sizeof hex);
    assert_string_equal(json_string_value(json_object_get(x, "sha256")), hex);
    assert_int_equal(json_integer_value(json_object_get(x, "bytes")), sizeof data);
    assert_int_equal(json_integer_value(json_object_get(x, "index")), 6);
    json_decref(rec);

    json_t *log = hubfx_log(&f->hub);
    assert_int_equal(json_array_size(log), 5); /* requested, held, prepared, approved, exported */
    json_t *a = action_in(log, "disclosure_held", id);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "person")), "site:site-a");
    assert_string_equal(json_string_value(json_object_get(a, "role")), "site");
    assert_string_equal(json_string_value(json_object_get(a, "site")), "site-a");
    a = action_in(log, "disclosure_approved", id);
    assert_string_equal(json_string_value(json_object_get(a, "person")), "kanri");
    assert_string_equal(json_string_value(json_object_get(a, "reason")), "approved by kanri");
    a = action_in(log, "disclosure_exported", id);
    assert_non_null(a);
    json_t *detail = json_loads(json_string_value(json_object_get(a, "detail")), 0, NULL);
    assert_string_equal(json_string_value(json_object_get(detail, "sha256")), hex);
    assert_int_equal(json_integer_value(json_object_get(detail, "bytes")), sizeof data);
    assert_non_null(json_object_get(detail, "manifest_sha256"));
    assert_int_equal(json_integer_value(json_object_get(detail, "index")), 6);
    json_decref(detail);
    assert_null(action_in(log, "disclosure_held", "disclosure-99"));
    json_decref(log);

    /* Each step's hub-log entry was announced once its transaction had committed. */
    int events = 0;
    assert_int_equal(hub_feed_read(f->hub.feed, 0, 1000, count_feed, &events), MM_OK);
    assert_int_equal(events, 5);
}

/* The record's "holding" as the API shows it, in the list too. */
static int holding(fx_t *f, const char *id)
{
    json_t *rec = record(f, id);
    json_t *h = json_object_get(rec, "holding");
    assert_true(json_is_boolean(h));
    int v = json_is_true(h);
    json_decref(rec);
    json_t *list = list_of(f->d, &f->people[OVERSIGHT]);
    size_t i;
    json_t *r;
    int found = 0;
    json_array_foreach(list, i, r)
    {
        if (!strcmp(json_string_value(json_object_get(r, "id")), id)) {
            assert_int_equal(json_is_true(json_object_get(r, "holding")), v);
            found = 1;
        }
    }
    assert_true(found);
    json_decref(list);
    return v;
}

/*
 * R-K2.2.6b, R-N7.6: the manager's release of a delivered request's hold reaches the record and
 * the hub's log like every step. The record holds footage from "held" until the step that
 * released the holds ("released", "denied", "expired"), and says when; the hub's state stays
 * "received" once it holds the export. Released after a failure, the state is "released" and
 * no chunk of it is taken any more.
 */
static void test_release_reaches_record_and_hub_log(void **state)
{
    fx_t *f = *state;
    cameras(f);
    char id[64], denied[64], refused[64], failed[64];
    file_ok(f, REQUESTER, id);
    file_ok(f, REQUESTER, denied);
    file_ok(f, REQUESTER, refused);
    file_ok(f, REQUESTER, failed);
    assert_false(holding(f, id)); /* filed: the site holds nothing yet */
    uint8_t data[2000];
    memset(data, 0x5a, sizeof data);
    uint8_t sha[32];
    mm_sha256(data, sizeof data, sha);
    const char *all[] = {id, denied, failed};
    for (size_t i = 0; i < 3; i++) {
        mm_entry_t e = step(all[i], "held", "");
        site_logs(f, 0, &e);
    }
    mm_entry_t e = step(refused, "refused", "");
    site_logs(f, 0, &e);
    e = step(id, "approved", "kanri");
    site_logs(f, 0, &e);
    e = exported(id, data, sizeof data);
    site_logs(f, 0, &e);
    e = step(denied, "denied", "kanri");
    site_logs(f, 0, &e);
    e = step(failed, "approved", "kanri");
    site_logs(f, 0, &e);
    e = step(failed, "failed", "");
    site_logs_and_sends(f, 0, &e);
    assert_true(holding(f, id));
    assert_true(holding(f, failed));
    assert_false(holding(f, denied));
    assert_false(holding(f, refused));
    json_t *rec = record(f, denied);
    assert_int_equal(json_integer_value(json_object_get(rec, "holds_released_us")), T0 + 2000);
    json_decref(rec);
    rec = record(f, refused);
    assert_null(json_object_get(rec, "holds_released_us")); /* it never held anything */
    json_decref(rec);

    /* The hub receives the export; the site logs it delivered, then the manager's release. */
    assert_int_equal(chunk(f, "site-a", id, 0, data, sizeof data, sizeof data, sha).status,
                     MM_EXPORT_COMPLETE);
    e = step(id, "delivered", "");
    site_logs(f, 0, &e);
    assert_true(holding(f, id));
    e = step(id, "released", "kanri");
    e.time_us = T0 + 5000;
    snprintf(e.u.disclosure.text, sizeof e.u.disclosure.text, "捜査が終わったと請求者から連絡");
    site_logs_and_sends(f, 0, &e);

    rec = record(f, id);
    assert_string_equal(json_string_value(json_object_get(rec, "state")), "received");
    assert_false(json_is_true(json_object_get(rec, "holding")));
    assert_int_equal(json_integer_value(json_object_get(rec, "holds_released_us")), T0 + 5000);
    json_t *h = json_object_get(rec, "history");
    json_t *last = json_array_get(h, json_array_size(h) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "step")), "released");
    assert_string_equal(json_string_value(json_object_get(last, "by")), "kanri");
    assert_string_equal(json_string_value(json_object_get(last, "text")),
                        "捜査が終わったと請求者から連絡");
    assert_non_null(json_object_get(last, "hub_log_index"));
    json_decref(rec);
    json_t *log = hubfx_log(&f->hub);
    json_t *a = action_in(log, "disclosure_released", id);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "person")), "kanri");
    assert_string_equal(json_string_value(json_object_get(a, "role")), "site");
    assert_string_equal(json_string_value(json_object_get(a, "reason")),
                        "捜査が終わったと請求者から連絡");
    json_decref(log);
    assert_false(holding(f, id));

    /* Released after a failed export: the state says so, and no export of it is taken. */
    e = step(failed, "released", "kanri");
    site_logs_and_sends(f, 0, &e);
    assert_string_equal(state_of(f, failed), "released");
    assert_false(holding(f, failed));
    mm_export_ack_t ack = chunk(f, "site-a", failed, 0, data, sizeof data, sizeof data, sha);
    assert_int_equal(ack.status, MM_EXPORT_REFUSED);
    assert_non_null(strstr(ack.reason, "released"));
}

/* --- the export's chunks ---------------------------------------------------------------------*/

#define EXPORT_LEN (300 * 1000)
#define PIECE (128 * 1024)

static uint8_t *export_bytes(void)
{
    uint8_t *p = malloc(EXPORT_LEN);
    uint32_t x = 12345;
    for (size_t i = 0; i < EXPORT_LEN; i++) {
        x = x * 1103515245 + 12345;
        p[i] = (uint8_t)(x >> 16);
    }
    return p;
}

static void path_of(fx_t *f, const char *id, const char *ext, char *out, size_t cap)
{
    snprintf(out, cap, "%s/exports/site-a/%s%s", f->hub.dir, id, ext);
}

/* A request filed by the requester, where the hub keeps its part and its whole export, and the
 * export's bytes (EXPORT_LEN, to free) with their SHA-256 in sha. */
static uint8_t *filed_with_export(fx_t *f, char id[64], char part[256], char whole[256],
                                  uint8_t sha[32])
{
    file_ok(f, REQUESTER, id);
    path_of(f, id, ".age.part", part, 256);
    path_of(f, id, ".age", whole, 256);
    uint8_t *data = export_bytes();
    mm_sha256(data, EXPORT_LEN, sha);
    return data;
}

/* Chunks: WAIT until the site's log shows the export, REFUSED for what is not the site's or
 * not the export it logged, CONTINUE from what the hub holds (after a restart too), COMPLETE
 * for the logged hash, and again COMPLETE for any chunk after that. */
static void test_chunks_wait_refuse_continue_resume_complete(void **state)
{
    fx_t *f = *state;
    cameras(f);
    char id[64], part[256], whole[256];
    uint8_t sha[32];
    uint8_t *data = filed_with_export(f, id, part, whole, sha);

    /* Unknown, or another site's: refused. Not exported yet: wait. */
    mm_export_ack_t a = chunk(f, "site-a", "disclosure-9", 0, data, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_REFUSED);
    assert_string_equal(a.request, "disclosure-9");
    a = chunk(f, "site-a", "complaint-1", 0, data, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_REFUSED);
    a = chunk(f, "site-b", id, 0, data, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_REFUSED);
    assert_non_null(strstr(a.reason, "site-b"));
    mm_entry_t e = step(id, "held", "");
    site_logs(f, 0, &e);
    e = step(id, "approved", "kanri");
    site_logs_and_sends(f, 0, &e);
    a = chunk(f, "site-a", id, 0, data, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_WAIT);
    assert_int_equal(file_size(part), -1);

    e = exported(id, data, EXPORT_LEN);
    site_logs_and_sends(f, 0, &e);
    /* Not the export the site logged: another length, another hash. */
    a = chunk(f, "site-a", id, 0, data, PIECE, EXPORT_LEN + 1, sha);
    assert_int_equal(a.status, MM_EXPORT_REFUSED);
    assert_non_null(strstr(a.reason, "not the export the site logged"));
    uint8_t other[32];
    memcpy(other, sha, 32);
    other[0] ^= 1;
    a = chunk(f, "site-a", id, 0, data, PIECE, EXPORT_LEN, other);
    assert_int_equal(a.status, MM_EXPORT_REFUSED);
    assert_int_equal(file_size(part), -1);

    /* From the start; a chunk out of place is answered with what the hub holds. */
    a = chunk(f, "site-a", id, PIECE, data + PIECE, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.have, 0);
    a = chunk(f, "site-a", id, 0, data, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.have, PIECE);
    assert_int_equal(file_size(part), PIECE);
    struct stat st;
    assert_int_equal(stat(part, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char dir[256];
    snprintf(dir, sizeof dir, "%s/exports/site-a", f->hub.dir);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    a = chunk(f, "site-a", id, 0, data, PIECE, EXPORT_LEN, sha); /* a resend */
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.have, PIECE);
    assert_int_equal(file_size(part), PIECE);

    /* The hub restarts: what it holds is what is on disk. */
    hub_disclosure_close(f->d);
    assert_int_equal(
        hub_disclosure_open(f->hub.db, &f->cfg, &f->hub.keys, f->hub.reg, f->hub.audit, &f->d),
        MM_OK);
    a = chunk(f, "site-a", id, 2 * PIECE, data + 2 * PIECE, EXPORT_LEN - 2 * PIECE, EXPORT_LEN,
              sha);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.have, PIECE);
    a = chunk(f, "site-a", id, PIECE, data + PIECE, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.have, 2 * PIECE);
    uint64_t logged = hubfx_log_size(&f->hub);
    a = chunk(f, "site-a", id, 2 * PIECE, data + 2 * PIECE, EXPORT_LEN - 2 * PIECE, EXPORT_LEN,
              sha);
    assert_int_equal(a.status, MM_EXPORT_COMPLETE);
    assert_int_equal(a.have, EXPORT_LEN);

    /* Whole, under its own name, and recorded in the record and the hub's log. */
    assert_int_equal(file_size(part), -1);
    assert_int_equal(file_size(whole), EXPORT_LEN);
    assert_int_equal(stat(whole, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    FILE *fp = fopen(whole, "rb");
    uint8_t *back = malloc(EXPORT_LEN);
    assert_int_equal(fread(back, 1, EXPORT_LEN, fp), EXPORT_LEN);
    fclose(fp);
    assert_memory_equal(back, data, EXPORT_LEN);
    free(back);
    json_t *rec = record(f, id);
    assert_string_equal(json_string_value(json_object_get(rec, "state")), "received");
    assert_int_equal(json_integer_value(json_object_get(rec, "received_us")), T0 + HOUR_US);
    json_decref(rec);
    assert_int_equal(hubfx_log_size(&f->hub), logged + 1);
    json_t *log = hubfx_log(&f->hub);
    json_t *r = action_in(log, "disclosure_received", id);
    assert_non_null(r);
    json_t *detail = json_loads(json_string_value(json_object_get(r, "detail")), 0, NULL);
    char hex[65];
    mm_hex_encode(sha, 32, hex, sizeof hex);
    assert_string_equal(json_string_value(json_object_get(detail, "sha256")), hex);
    assert_int_equal(json_integer_value(json_object_get(detail, "bytes")), EXPORT_LEN);
    json_decref(detail);
    json_decref(log);

    /* Any chunk after that: complete, and nothing more is logged. */
    a = chunk(f, "site-a", id, 0, data, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_COMPLETE);
    assert_int_equal(a.have, EXPORT_LEN);
    assert_int_equal(hubfx_log_size(&f->hub), logged + 1);
    /* The site's later steps go to the history; the state stays the hub's. */
    e = step(id, "delivered", "");
    site_logs_and_sends(f, 0, &e);
    assert_string_equal(state_of(f, id), "received");
    free(data);
}

/* Chunks that name a window are written and synced every half window: `have` is only ever
 * what is synced, `received` what is written (where the next chunk starts); after a restart
 * what is on disk is synced and held; the last chunk completes. A chunk without a window is
 * synced at once (the test above). */
static void test_chunks_in_a_window_are_synced_every_half_window(void **state)
{
    fx_t *f = *state;
    cameras(f);
    char id[64], part[256];
    file_ok(f, REQUESTER, id);
    path_of(f, id, ".age.part", part, sizeof part);
    uint8_t *data = export_bytes();
    uint8_t sha[32];
    mm_sha256(data, EXPORT_LEN, sha);
    mm_entry_t e = step(id, "held", "");
    site_logs(f, 0, &e);
    e = step(id, "approved", "kanri");
    site_logs_and_sends(f, 0, &e);
    e = exported(id, data, EXPORT_LEN);
    site_logs_and_sends(f, 0, &e);

    chunk_window = 4 * PIECE; /* synced every 2 pieces */
    mm_export_ack_t a = chunk(f, "site-a", id, 0, data, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.have, 0); /* written, not synced */
    assert_int_equal(a.received, PIECE);
    assert_int_equal(file_size(part), PIECE);
    /* Out of place: where the part ends, and what is synced. */
    a = chunk(f, "site-a", id, 0, data, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.have, 0);
    assert_int_equal(a.received, PIECE);
    a = chunk(f, "site-a", id, PIECE, data + PIECE, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.have, 2 * PIECE); /* half the window: synced */
    assert_int_equal(a.received, 2 * PIECE);

    /* The hub restarts: what is on disk is held, synced. */
    hub_disclosure_close(f->d);
    assert_int_equal(
        hub_disclosure_open(f->hub.db, &f->cfg, &f->hub.keys, f->hub.reg, f->hub.audit, &f->d),
        MM_OK);
    a = chunk(f, "site-a", id, 0, data, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.have, 2 * PIECE);
    assert_int_equal(a.received, 2 * PIECE);
    /* The last chunk: synced, whole, complete. */
    a = chunk(f, "site-a", id, 2 * PIECE, data + 2 * PIECE, EXPORT_LEN - 2 * PIECE, EXPORT_LEN,
              sha);
    assert_int_equal(a.status, MM_EXPORT_COMPLETE);
    assert_int_equal(a.have, EXPORT_LEN);
    assert_string_equal(state_of(f, id), "received");
    chunk_window = 0;
    free(data);
}

/* A whole file whose hash is not the logged one is emptied and refused; a new transfer from 0
 * is accepted. */
static void test_chunks_hash_mismatch_starts_again(void **state)
{
    fx_t *f = *state;
    cameras(f);
    char id[64], part[256], whole[256];
    uint8_t sha[32];
    uint8_t *data = filed_with_export(f, id, part, whole, sha);
    mm_entry_t e = step(id, "approved", "kanri");
    site_logs(f, 0, &e);
    e = exported(id, data, EXPORT_LEN);
    site_logs_and_sends(f, 0, &e);

    uint8_t *bad = malloc(EXPORT_LEN);
    memcpy(bad, data, EXPORT_LEN);
    bad[EXPORT_LEN - 5] ^= 0x20;
    mm_export_ack_t a = chunk(f, "site-a", id, 0, bad, PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.have, PIECE);
    a = chunk(f, "site-a", id, PIECE, bad + PIECE, EXPORT_LEN - PIECE, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_REFUSED);
    assert_string_equal(a.reason, "hash mismatch; send again from 0");
    assert_int_equal(a.have, 0);
    assert_int_equal(file_size(part), 0);
    assert_int_equal(file_size(whole), -1);
    assert_string_equal(state_of(f, id), "exported");

    a = chunk(f, "site-a", id, 0, data, EXPORT_LEN, EXPORT_LEN, sha);
    assert_int_equal(a.status, MM_EXPORT_COMPLETE);
    assert_int_equal(file_size(whole), EXPORT_LEN);
    free(bad);
    free(data);
}

/* Denied, expired or refused: nothing of it is accepted; nor an export never approved. */
static void test_chunks_refused_when_denied_or_never_approved(void **state)
{
    fx_t *f = *state;
    cameras(f);
    char denied[64], unapproved[64];
    file_ok(f, REQUESTER, denied);
    file_ok(f, REQUESTER, unapproved);
    uint8_t data[100] = {1, 2, 3};
    uint8_t sha[32];
    mm_sha256(data, sizeof data, sha);
    mm_entry_t e = step(denied, "denied", "kanri");
    site_logs(f, 0, &e);
    e = exported(unapproved, data, sizeof data);
    site_logs_and_sends(f, 0, &e);
    mm_export_ack_t a = chunk(f, "site-a", denied, 0, data, sizeof data, sizeof data, sha);
    assert_int_equal(a.status, MM_EXPORT_REFUSED);
    assert_non_null(strstr(a.reason, "denied"));
    a = chunk(f, "site-a", unapproved, 0, data, sizeof data, sizeof data, sha);
    assert_int_equal(a.status, MM_EXPORT_REFUSED);
    assert_non_null(strstr(a.reason, "approved"));
    char part[256];
    path_of(f, unapproved, ".age.part", part, sizeof part);
    assert_int_equal(file_size(part), -1);
}

static mm_export_ack_t building(fx_t *f, const char *id, uint8_t build, uint64_t offset,
                                const uint8_t *data, size_t len)
{
    mm_export_chunk_t c = {.offset = offset,
                           .data = data,
                           .len = len,
                           .window = 4 * PIECE,
                           .has_build = 1,
                           .building = 1};
    snprintf(c.request, sizeof c.request, "%s", id);
    memset(c.build, build, 32);
    mm_export_ack_t a;
    hub_disclosure_chunk(f->d, "site-a", &c, T0 + HOUR_US, &a);
    return a;
}

/* Chunks of a build in progress (ExportChunk.building): waited for until the site's log shows
 * the request approved, then written where the part ends with no length known; a chunk of
 * another build (the edge built again after a restart) empties the part first; the chunks
 * after the site logged the export, naming its length and hash and the same build, complete it.
 * A request approved again after a failed export takes a new build's chunks past the length
 * logged before. */
static void test_chunks_of_a_build_in_progress(void **state)
{
    fx_t *f = *state;
    cameras(f);
    char id[64], part[256], whole[256];
    uint8_t sha[32];
    uint8_t *data = filed_with_export(f, id, part, whole, sha);
    mm_entry_t e = step(id, "held", "");
    site_logs_and_sends(f, 0, &e);
    mm_export_ack_t a = building(f, id, 0xaa, 0, data, PIECE);
    assert_int_equal(a.status, MM_EXPORT_WAIT);
    assert_non_null(strstr(a.reason, "\"approved\""));
    assert_int_equal(file_size(part), -1);

    e = step(id, "approved", "kanri");
    site_logs_and_sends(f, 0, &e);
    a = building(f, id, 0xaa, 0, data, PIECE);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.received, PIECE);
    assert_int_equal(file_size(part), PIECE);
    /* Built again: the first build's bytes go, whatever the new build's first chunk holds. */
    uint8_t *other = malloc(EXPORT_LEN);
    memset(other, 0x77, EXPORT_LEN);
    a = building(f, id, 0xbb, 0, other, PIECE / 2);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.received, PIECE / 2);
    assert_int_equal(file_size(part), PIECE / 2);
    a = building(f, id, 0xcc, PIECE, data + PIECE, PIECE); /* out of place, of a third build */
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.received, 0);
    assert_int_equal(file_size(part), 0);
    a = building(f, id, 0xcc, 0, data, PIECE);
    assert_int_equal(a.received, PIECE);
    a = building(f, id, 0xcc, PIECE, data + PIECE, PIECE);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.have, 2 * PIECE); /* synced every half window, as any windowed chunk */
    assert_int_equal(a.received, 2 * PIECE);
    a = building(f, id, 0xcc, 2 * PIECE, data + 2 * PIECE, EXPORT_LEN - 2 * PIECE);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.received, EXPORT_LEN);
    assert_int_equal(file_size(part), EXPORT_LEN);
    assert_string_equal(state_of(f, id), "approved");

    /* The site logs the export: the chunks after it name its length, hash and build; an empty
     * one where the part ends completes what the build sent whole. */
    e = exported(id, data, EXPORT_LEN);
    site_logs_and_sends(f, 0, &e);
    mm_export_chunk_t c = {
        .offset = EXPORT_LEN, .total = EXPORT_LEN, .window = 4 * PIECE, .has_build = 1};
    snprintf(c.request, sizeof c.request, "%s", id);
    memcpy(c.sha256, sha, 32);
    memset(c.build, 0xcc, 32);
    hub_disclosure_chunk(f->d, "site-a", &c, T0 + HOUR_US, &a);
    assert_int_equal(a.status, MM_EXPORT_COMPLETE);
    assert_int_equal(a.have, EXPORT_LEN);
    assert_int_equal(file_size(whole), EXPORT_LEN);
    assert_string_equal(state_of(f, id), "received");
    /* A chunk of the build sent before its end, answered after: wait (the chunks after the end
     * are answered COMPLETE). */
    a = building(f, id, 0xcc, 0, data, PIECE);
    assert_int_equal(a.status, MM_EXPORT_WAIT);

    /* Another request: exported, failed, approved again. The new build is longer than the
     * export logged before, and its chunks are taken past that length. */
    char id2[64], part2[256];
    file_ok(f, REQUESTER, id2);
    path_of(f, id2, ".age.part", part2, sizeof part2);
    e = step(id2, "approved", "kanri");
    site_logs(f, 0, &e);
    e = exported(id2, data, PIECE);
    site_logs(f, 0, &e);
    e = step(id2, "failed", "");
    site_logs_and_sends(f, 0, &e);
    a = building(f, id2, 0x11, 0, data, PIECE);
    assert_int_equal(a.status, MM_EXPORT_WAIT); /* failed: not before it is approved again */
    e = step(id2, "approved", "kanri");
    site_logs_and_sends(f, 0, &e);
    a = building(f, id2, 0x11, 0, data, PIECE);
    assert_int_equal(a.received, PIECE);
    a = building(f, id2, 0x11, PIECE, data + PIECE, PIECE);
    assert_int_equal(a.status, MM_EXPORT_CONTINUE);
    assert_int_equal(a.received, 2 * PIECE);
    assert_int_equal(file_size(part2), 2 * PIECE);
    /* Logged, the last chunk of a build may complete it, still named as being built. */
    e = exported(id2, data, EXPORT_LEN);
    site_logs_and_sends(f, 0, &e);
    a = building(f, id2, 0x11, 2 * PIECE, data + 2 * PIECE, EXPORT_LEN - 2 * PIECE);
    assert_int_equal(a.status, MM_EXPORT_COMPLETE);
    assert_string_equal(state_of(f, id2), "received");
    /* Denied meanwhile (a request can end while its export is built): refused. */
    char id3[64];
    file_ok(f, REQUESTER, id3);
    e = step(id3, "denied", "kanri");
    site_logs_and_sends(f, 0, &e);
    a = building(f, id3, 0x22, 0, data, PIECE);
    assert_int_equal(a.status, MM_EXPORT_REFUSED);
    free(other);
    free(data);
}

/* The part of a request that ends while its export is built (expired, denied, released) is
 * removed once the step that ended it commits: ciphertext the hub would never take whole. The
 * part of a live request stays. At the next start, the parts left of ended requests go too (a
 * hub that stopped first, or an older one), and a file that is no request's part stays. */
static void test_part_of_an_ended_request_is_removed(void **state)
{
    fx_t *f = *state;
    cameras(f);
    uint8_t *data = export_bytes();
    char ending[64], live[64], part_ending[256], part_live[256];
    file_ok(f, REQUESTER, ending);
    file_ok(f, REQUESTER, live);
    path_of(f, ending, ".age.part", part_ending, sizeof part_ending);
    path_of(f, live, ".age.part", part_live, sizeof part_live);
    mm_entry_t e = step(ending, "approved", "kanri");
    site_logs(f, 0, &e);
    e = step(live, "approved", "kanri");
    site_logs_and_sends(f, 0, &e);
    assert_int_equal(building(f, ending, 0xaa, 0, data, PIECE).status, MM_EXPORT_CONTINUE);
    assert_int_equal(building(f, live, 0xbb, 0, data, PIECE).status, MM_EXPORT_CONTINUE);
    assert_int_equal(file_size(part_ending), PIECE);

    e = step(ending, "expired", "");
    site_logs_and_sends(f, 0, &e);
    assert_string_equal(state_of(f, ending), "expired");
    assert_int_equal(file_size(part_ending), -1);
    assert_int_equal(file_size(part_live), PIECE);
    assert_int_equal(building(f, ending, 0xaa, 0, data, PIECE).status, MM_EXPORT_REFUSED);
    assert_int_equal(file_size(part_ending), -1);

    /* Left behind (as by a hub stopped before it removed it): gone at the next start, the live
     * one and a stray file kept. */
    FILE *fp = fopen(part_ending, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, 100, fp), 100);
    fclose(fp);
    char stray[300];
    path_of(f, "notes", ".age.part", stray, sizeof stray);
    fp = fopen(stray, "wb");
    assert_non_null(fp);
    fclose(fp);
    hub_disclosure_close(f->d);
    assert_int_equal(
        hub_disclosure_open(f->hub.db, &f->cfg, &f->hub.keys, f->hub.reg, f->hub.audit, &f->d),
        MM_OK);
    assert_int_equal(file_size(part_ending), -1);
    assert_int_equal(file_size(part_live), PIECE);
    assert_int_equal(file_size(stray), 0);
    free(data);
}

/* --- downloads -------------------------------------------------------------------------------*/

/* Only the requester who filed it downloads the export; each download is logged first and
 * noticed to the site; the others see what their role lets them see. */
static void test_download_only_by_its_requester_logged_and_noticed(void **state)
{
    fx_t *f = *state;
    cameras(f);
    char id[64], theirs[64];
    file_ok(f, REQUESTER, id);
    file_ok(f, REQUESTER2, theirs);
    uint8_t data[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    uint8_t sha[32];
    mm_sha256(data, sizeof data, sha);
    int fd;
    uint64_t size;
    hub_disclosure_why_t why;

    /* Not there yet. */
    assert_int_equal(hub_disclosure_download(f->d, &f->people[REQUESTER], id, T0, &fd, &size, &why),
                     MM_EINVAL);
    assert_int_equal(why.status, 409);
    mm_entry_t e = step(id, "approved", "kanri");
    site_logs(f, 0, &e);
    e = exported(id, data, sizeof data);
    site_logs_and_sends(f, 0, &e);
    mm_export_ack_t a = chunk(f, "site-a", id, 0, data, sizeof data, sizeof data, sha);
    assert_int_equal(a.status, MM_EXPORT_COMPLETE);
    uint64_t logged = hubfx_log_size(&f->hub);

    static const struct {
        int who;
        const char *id;
        int status;
        const char *says;
    } no[] = {
        {REQUESTER2, NULL, 403, "this export is another requester's"},
        {OVERSIGHT, NULL, 403, "does not receive footage"},
        {READONLY, NULL, 403, "does not receive footage"},
        {REQUESTER, "disclosure-77", 404, "disclosure-77"},
        {REQUESTER, "../../etc/passwd", 404, "no disclosure"},
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        fd = -2;
        assert_int_equal(hub_disclosure_download(f->d, &f->people[no[i].who],
                                                 no[i].id ? no[i].id : id, T0, &fd, &size, &why),
                         MM_EINVAL);
        assert_int_equal(fd, -1);
        assert_int_equal(why.status, no[i].status);
        if (!strstr(why.message, no[i].says))
            fail_msg("download %zu: \"%s\" does not say %s", i, why.message, no[i].says);
    }
    assert_int_equal(hubfx_log_size(&f->hub), logged);

    mm_city_request_t out[MM_WIRE_REQUESTS_MAX];
    for (int time = 1; time <= 2; time++) {
        assert_int_equal(hub_disclosure_download(f->d, &f->people[REQUESTER], id,
                                                 T0 + time * HOUR_US, &fd, &size, &why),
                         MM_OK);
        assert_int_equal(size, sizeof data);
        uint8_t back[sizeof data + 1];
        assert_int_equal(read(fd, back, sizeof back), sizeof data);
        assert_memory_equal(back, data, sizeof data);
        close(fd);
        assert_int_equal(hubfx_log_size(&f->hub), logged + (uint64_t)time);
    }
    json_t *log = hubfx_log(&f->hub);
    json_t *d = action_in(log, "disclosure_downloaded", id);
    assert_non_null(d);
    assert_string_equal(json_string_value(json_object_get(d, "person")), "requester-1");
    assert_string_equal(json_string_value(json_object_get(d, "role")), "requester");
    json_t *detail = json_loads(json_string_value(json_object_get(d, "detail")), 0, NULL);
    char hex[65];
    mm_hex_encode(sha, 32, hex, sizeof hex);
    assert_string_equal(json_string_value(json_object_get(detail, "sha256")), hex);
    assert_string_equal(json_string_value(json_object_get(detail, "download")), "download-1");
    json_decref(detail);
    json_decref(log);
    json_t *rec = record(f, id);
    assert_string_equal(json_string_value(json_object_get(rec, "state")), "downloaded");
    assert_int_equal(json_integer_value(json_object_get(rec, "downloads")), 2);
    assert_int_equal(json_integer_value(json_object_get(rec, "downloaded_us")), T0 + 2 * HOUR_US);
    json_decref(rec);

    /* The site hears of each download until it logs it (the two requests are still pending
     * too: the site never logged them). */
    size_t n = pending(f, "site-a", out);
    int notices = 0;
    for (size_t i = 0; i < n; i++) {
        if (out[i].kind != MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED)
            continue;
        notices++;
        assert_string_equal(out[i].disclosure, id);
        assert_int_equal(out[i].time_us, T0 + (int64_t)notices * HOUR_US);
        assert_string_equal(out[i].id, notices == 1 ? "download-1" : "download-2");
    }
    assert_int_equal(notices, 2);
    e = city_request("download-1", "disclosure_downloaded");
    site_logs(f, 0, &e);
    e = city_request("download-2", "disclosure_downloaded");
    site_logs_and_sends(f, 0, &e);
    n = pending(f, "site-a", out);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(out[i].kind, MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED);

    /* Who sees what. */
    json_t *list = list_of(f->d, &f->people[REQUESTER]);
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), id);
    json_decref(list);
    list = list_of(f->d, &f->people[READONLY]);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "id")), theirs);
    json_decref(list);
    assert_int_equal(get_rec(f->d, &f->people[REQUESTER2], id, &rec), MM_ENOTFOUND);
    assert_int_equal(get_rec(f->d, &f->people[REQUESTER2], theirs, &rec), MM_OK);
    json_decref(rec);
    assert_int_equal(get_rec(f->d, &f->people[OVERSIGHT], "disclosure-01", &rec), MM_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filing_body_refusals_name_the_field),
        cmocka_unit_test_setup_teardown(test_filing_refusals_store_log_and_send_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_filing_stores_logs_signs_and_forwards_until_logged,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_site_steps_reach_record_and_hub_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_reaches_record_and_hub_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunks_wait_refuse_continue_resume_complete, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_chunks_hash_mismatch_starts_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunks_in_a_window_are_synced_every_half_window, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_chunks_of_a_build_in_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_part_of_an_ended_request_is_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunks_refused_when_denied_or_never_approved, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_download_only_by_its_requester_logged_and_noticed,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
