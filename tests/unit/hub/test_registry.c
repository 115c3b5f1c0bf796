/*
 * test_registry.c: the hub's registry of sites (hub/registry) fed real encoded entries in an
 * LMDB write transaction, as the mirror does: facts with the index of their entry, camera
 * states and the filings they make, emergency grants and their reports, recording time summed
 * per day in Japan; a batch that is not committed leaves the record as it was; the city's
 * decisions on filings, each logged in the hub's log in the same commit. Then the rules' findings
 * kept in LMDB (hub/findings): opened, refreshed, closed and opened again with their history,
 * verification findings left alone.
 */
#include "hub_fixture.h"
#include "common/entry.h"
#include "common/timefmt.h"
#include "hub/audit.h"
#include "hub/findings.h"
#include "hub/findings_codec.h"
#include "hub/hublog.h"
#include "hub/registry.h"
#include "hub/registry_codec.h"

#define HOUR_US (3600LL * 1000000)
#define DAY_US (24 * HOUR_US)
#define T0 (1779246000LL * 1000000)     /* 2026-05-20 12:00 in Japan */
#define MAY1_US (1777561200LL * 1000000) /* 2026-05-01 00:00 in Japan (04-30 15:00 UTC) */

typedef hubfx_t fx_t;

static int setup(void **state)
{
    *state = hubfx_new("registry", HUBFX_REGISTRY | HUBFX_FINDINGS | HUBFX_AUDIT);
    return 0;
}

/* --- entries --------------------------------------------------------------------------------*/

static mm_entry_t site_facts(int64_t t, uint32_t retention)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_SITE_FACTS};
    mm_site_facts_t *s = &e.u.site_facts;
    s->policy = MM_POLICY_KAWAGUCHI;
    s->retention_days = retention;
    s->registered_retention_days = 14;
    s->floor_days = 7;
    strcpy(s->installer_name, "中央通り商店街振興組合");
    strcpy(s->installer_contact, "048-000-0000");
    strcpy(s->purpose, "防犯");
    strcpy(s->storage_location, "組合事務所 2 階");
    strcpy(s->consensus_date, "2026-03-01");
    strcpy(s->land_permission_ref, "permit-7");
    strcpy(s->land_permission_date, "2026-03-10");
    strcpy(s->manager, "tanaka");
    strcpy(s->manager_name, "田中一郎");
    strcpy(s->operators, "suzuki");
    strcpy(s->contractors, "[{\"name\": \"警備会社\", \"staff\": [\"sato\"]}]");
    s->cameras = 2;
    return e;
}

static mm_entry_t camera_facts(int64_t t, const char *cam)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_CAMERA_FACTS};
    mm_camera_facts_t *c = &e.u.camera_facts;
    strcpy(c->camera, cam);
    strcpy(c->location, "中央通り 3 番地 街灯柱");
    strcpy(c->purpose, "歩道の見守り");
    strcpy(c->install_date, "2026-04-10");
    strcpy(c->signage_text, "防犯カメラ作動中 設置者 組合");
    c->signage_installer_shown = 1;
    strcpy(c->signage_checked, "2026-04-15");
    return e;
}

static mm_entry_t coverage(int64_t t, const char *cam, uint32_t share)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_CAMERA_COVERAGE};
    mm_camera_coverage_t *c = &e.u.camera_coverage;
    strcpy(c->camera, cam);
    c->public_ppm = share * 3 / 4;
    c->private_ppm = 750000 - c->public_ppm;
    c->masked_ppm = 250000;
    c->share_ppm = share;
    c->threshold_ppm = 666667;
    c->policy = MM_POLICY_KAWAGUCHI;
    return e;
}

static mm_entry_t camera_state(int64_t t, const char *cam, const char *st)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_CAMERA_STATE};
    strcpy(e.u.camera_state.camera, cam);
    assert_true(mm_cam_state_parse(st, &e.u.camera_state.state));
    strcpy(e.u.camera_state.by, "tanaka");
    snprintf(e.u.camera_state.reason, sizeof e.u.camera_state.reason, "%s for works", st);
    return e;
}

static mm_entry_t config_changed(int64_t t, uint32_t version)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_CONFIGURATION_CHANGED};
    mm_configuration_changed_t *c = &e.u.configuration_changed;
    c->version = version;
    memset(c->document_hash, 0xd0 + (int)version, 32);
    memset(c->config_hash, 0xc0 + (int)version, 32);
    c->policy = MM_POLICY_KAWAGUCHI;
    c->cameras = 2;
    snprintf(c->summary, sizeof c->summary, "version %u", version);
    return e;
}

/* A filing of the standards (R-N4.2): configuration_changed says what runs, this files it. */
static mm_entry_t filed(int64_t t, uint32_t version)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_STANDARDS_FILED};
    e.u.standards_filed.version = version;
    memset(e.u.standards_filed.document_hash, 0xd0 + (int)version, 32);
    strcpy(e.u.standards_filed.by, "tanaka");
    return e;
}

static mm_entry_t granted(int64_t t, const char *grant, int64_t until)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_ROLE_CHANGED};
    mm_role_changed_t *r = &e.u.role_changed;
    r->change = MM_ROLE_CHANGE_EMERGENCY_GRANTED;
    strcpy(r->person, "suzuki");
    strcpy(r->by, "tanaka");
    strcpy(r->grant_id, grant);
    strcpy(r->actions, "search,playback");
    strcpy(r->cameras, "cam1");
    r->until_us = until;
    strcpy(r->reason, "a child is missing");
    return e;
}

static mm_entry_t report(int64_t t, const char *grant)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_EMERGENCY_REPORT};
    strcpy(e.u.emergency_report.grant_id, grant);
    strcpy(e.u.emergency_report.person, "suzuki");
    strcpy(e.u.emergency_report.text, "watched cam1 from 14:00 to 14:30; found the child");
    return e;
}

static mm_entry_t uptime(const char *cam, int64_t hour, int64_t recorded, uint32_t gaps)
{
    mm_entry_t e = {.time_us = hour + HOUR_US + 5000000, .kind = MM_ENTRY_CAMERA_UPTIME};
    strcpy(e.u.camera_uptime.camera, cam);
    e.u.camera_uptime.hour_start_us = hour;
    e.u.camera_uptime.recorded_us = recorded;
    e.u.camera_uptime.gaps = gaps;
    return e;
}

static mm_entry_t segment(int64_t t, const char *cam)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_SEGMENT_RECORDED};
    strcpy(e.u.segment_recorded.camera, cam);
    e.u.segment_recorded.start_us = t - 10000000;
    e.u.segment_recorded.end_us = t;
    memset(e.u.segment_recorded.content_hash, 0x5a, 32);
    strcpy(e.u.segment_recorded.codec, "h264");
    return e;
}

/* --- batches --------------------------------------------------------------------------------*/

typedef struct {
    hub_registry_t *reg;
    const char *site;
    uint64_t first;
    size_t n;
    const mm_entry_t *entries;
    int commit;       /* batch_end's commit */
    mm_err_t fail;    /* what the transaction returns after batch_end */
    int dirty;
    const mm_entry_t *earlier; /* the log's first segment before the batch (NULL: none) */
    uint64_t earlier_index;
    int earlier_asked;
} batch_t;

/* The mirror's look below the batch for the first segment (registry.h). */
static mm_err_t earlier(void *arg, MDB_txn *txn, uint64_t before, mm_entry_t *e, uint64_t *index)
{
    batch_t *b = arg;
    (void)txn;
    b->earlier_asked++;
    if (!b->earlier || b->earlier_index >= before)
        return MM_ENOTFOUND;
    *e = *b->earlier;
    *index = b->earlier_index;
    return MM_OK;
}

static mm_err_t batch_txn(MDB_txn *txn, void *arg)
{
    batch_t *b = arg;
    hub_registry_batch_t rb;
    hub_registry_batch_begin(&rb, b->reg, txn, b->site);
    rb.earlier = earlier;
    rb.earlier_arg = b;
    mm_entry_t *e = malloc(sizeof *e);
    assert_non_null(e);
    for (size_t i = 0; i < b->n; i++) {
        /* As the mirror hands it over: encoded by the site, decoded once at the hub. */
        uint8_t *data;
        size_t len;
        assert_int_equal(mm_entry_encode(&b->entries[i], &data, &len), MM_OK);
        assert_int_equal(mm_entry_decode(data, len, e), MM_OK);
        free(data);
        assert_int_equal(hub_registry_apply(&rb, b->first + i, e), MM_OK);
    }
    free(e);
    b->dirty = rb.dirty;
    mm_err_t err = hub_registry_batch_end(&rb, b->commit);
    assert_null(rb.rec);
    return err != MM_OK ? err : b->fail;
}

/* Applies entries [first, first+n) of site in one transaction; returns mm_db_write's result. */
static mm_err_t apply(fx_t *f, const char *site, uint64_t first, const mm_entry_t *entries,
                      size_t n, int commit, mm_err_t fail, int *dirty)
{
    batch_t b = {f->reg, site, first, n, entries, commit, fail, 0, NULL, 0, 0};
    mm_err_t err = mm_db_write(f->db, batch_txn, &b);
    if (dirty)
        *dirty = b.dirty;
    return err;
}

/* The zone the dashboard shows site's times in. */
static void assert_zone(fx_t *f, const char *site, const char *want)
{
    hub_site_record_t *r = malloc(sizeof *r);
    assert_non_null(r);
    assert_int_equal(hub_registry_get(f->reg, site, r), MM_OK);
    assert_string_equal(hub_site_record_timezone(r), want);
    hub_site_record_deinit(r);
    free(r);
}

/* The record of site as the API shows it (and as it is stored: registry_codec). */
static json_t *get(fx_t *f, const char *site)
{
    hub_site_record_t *r = malloc(sizeof *r);
    assert_non_null(r);
    assert_int_equal(hub_registry_get(f->reg, site, r), MM_OK);
    json_t *rec = hub_site_record_json(r);
    assert_non_null(rec);
    hub_site_record_deinit(r);
    free(r);
    return rec;
}

static json_t *camera_of(json_t *rec, const char *id)
{
    return json_object_get(json_object_get(rec, "cameras"), id);
}

static json_int_t int_at(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static const char *str_at(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    assert_non_null(s);
    return s;
}

/* The filing with id, or NULL. */
static json_t *filing(json_t *rec, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(rec, "filings"), i, v)
    {
        if (!strcmp(str_at(v, "id"), id))
            return v;
    }
    return NULL;
}

/* The registry as a site's first batch leaves it: indexes 0.. of the entries below. */
static const size_t FIRST_N = 13;

static void first_batch(fx_t *f)
{
    const mm_entry_t entries[] = {
        site_facts(T0, 7),                          /* 0 */
        segment(T0 + 1, "cam1"),                    /* 1: skipped */
        camera_facts(T0 + 2, "cam1"),               /* 2 */
        coverage(T0 + 3, "cam1", 750000),           /* 3 */
        filed(T0 + 4, 1),                           /* 4: initial */
        filed(T0 + 5, 2),                           /* 5: change */
        granted(T0 + 6, "g1", T0 + HOUR_US),        /* 6 */
        report(T0 + 7, "g1"),                       /* 7 */
        camera_state(T0 + 8, "cam1", "suspended"),  /* 8: suspension */
        camera_state(T0 + 9, "cam1", "resumed"),    /* 9: resumption */
        camera_facts(T0 + 10, "cam2"),              /* 10 */
        camera_state(T0 + 11, "cam2", "abolished"), /* 11: abolition */
        granted(T0 + 12, "g2", T0 + 2 * HOUR_US),   /* 12: no report yet */
    };
    assert_int_equal(sizeof entries / sizeof *entries, FIRST_N);
    int dirty = 0;
    assert_int_equal(apply(f, "site-a", 0, entries, FIRST_N, 1, MM_OK, &dirty), MM_OK);
    assert_true(dirty);
}

/* A hub that mirrored a log before records kept the first recording looks for it below the
 * batch once, and takes the log's first segment, not the batch's. */
static void the_first_recording_is_the_logs_not_the_batchs(void **state)
{
    fx_t *f = *state;
    mm_entry_t old = segment(T0 - DAY_US, "cam2");
    const mm_entry_t entries[] = {segment(T0, "cam1"), segment(T0 + 1, "cam1")};
    batch_t b = {f->reg, "site-b", 40, 2, entries, 1, MM_OK, 0, &old, 7, 0};
    assert_int_equal(mm_db_write(f->db, batch_txn, &b), MM_OK);
    assert_int_equal(b.earlier_asked, 1);
    json_t *rec = get(f, "site-b");
    json_t *first = json_object_get(rec, "first_recording");
    assert_string_equal(str_at(first, "camera"), "cam2");
    assert_int_equal(json_integer_value(json_object_get(first, "index")), 7);
    assert_int_equal(json_integer_value(json_object_get(first, "start_us")),
                     T0 - DAY_US - 10000000);
    json_decref(rec);
    /* Known now: later batches neither look below nor read the record. */
    batch_t again = {f->reg, "site-b", 42, 2, entries, 1, MM_OK, 0, &old, 7, 0};
    assert_int_equal(mm_db_write(f->db, batch_txn, &again), MM_OK);
    assert_int_equal(again.earlier_asked, 0);
    assert_false(again.dirty);
}

static mm_entry_t hold(int64_t t, const char *id, const char *cam, const char *by, int64_t expires)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_HOLD_PLACED};
    mm_hold_placed_t *h = &e.u.hold_placed;
    strcpy(h->hold_id, id);
    strcpy(h->camera, cam);
    h->start_us = T0 - HOUR_US;
    h->end_us = T0 - HOUR_US / 2;
    strcpy(h->reason, by[0] ? "転倒事故の映像を保全" : "disclosure request disclosure-1 (law)");
    h->segments = 180;
    strcpy(h->by, by);
    h->expires_us = expires;
    return e;
}

static mm_entry_t release(int64_t t, const char *id, const char *by, const char *reason)
{
    mm_entry_t e = {.time_us = t, .kind = MM_ENTRY_HOLD_RELEASED};
    strcpy(e.u.hold_released.hold_id, id);
    strcpy(e.u.hold_released.by, by);
    strcpy(e.u.hold_released.reason, reason);
    return e;
}

/* R-K2.2.6b: the holds the manager placed are in the record with who, why, when and until when,
 * and their release; a disclosure's holds are not (the disclosure's record has them). */
static void site_holds_are_kept_with_their_release(void **state)
{
    fx_t *f = *state;
    const mm_entry_t entries[] = {
        hold(T0, "site-1.0", "cam1", "tanaka", T0 + 30 * DAY_US),      /* 0 */
        hold(T0, "site-1.1", "cam2", "tanaka", T0 + 30 * DAY_US),      /* 1 */
        hold(T0 + 1, "dsc.disclosure-1.0", "cam1", "", 0),             /* 2: a disclosure's */
        release(T0 + 2, "dsc.disclosure-1.0", "", "denied"),           /* 3 */
        release(T0 + 3, "site-1.1", "tanaka", "the police need none"), /* 4 */
    };
    int dirty = 0;
    assert_int_equal(apply(f, "site-a", 0, entries, 5, 1, MM_OK, &dirty), MM_OK);
    json_t *rec = get(f, "site-a");
    json_t *holds = json_object_get(rec, "holds");
    assert_int_equal(json_object_size(holds), 2);
    json_t *h0 = json_object_get(holds, "site-1.0");
    assert_string_equal(str_at(h0, "camera"), "cam1");
    assert_string_equal(str_at(h0, "by"), "tanaka");
    assert_string_equal(str_at(h0, "reason"), "転倒事故の映像を保全");
    assert_int_equal(int_at(h0, "expires_us"), T0 + 30 * DAY_US);
    assert_int_equal(int_at(h0, "start_us"), T0 - HOUR_US);
    assert_int_equal(int_at(h0, "index"), 0);
    assert_int_equal(int_at(h0, "time_us"), T0);
    assert_null(json_object_get(h0, "released"));
    json_t *r1 = json_object_get(json_object_get(holds, "site-1.1"), "released");
    assert_string_equal(str_at(r1, "by"), "tanaka");
    assert_string_equal(str_at(r1, "reason"), "the police need none");
    assert_int_equal(int_at(r1, "index"), 4);
    json_decref(rec);
    /* Released at expiry by the edge: no person. */
    const mm_entry_t later[] = {release(T0 + 30 * DAY_US, "site-1.0", "", "expired")};
    assert_int_equal(apply(f, "site-a", 5, later, 1, 1, MM_OK, &dirty), MM_OK);
    rec = get(f, "site-a");
    json_t *r0 =
        json_object_get(json_object_get(json_object_get(rec, "holds"), "site-1.0"), "released");
    assert_string_equal(str_at(r0, "reason"), "expired");
    assert_null(json_object_get(r0, "by"));
    json_decref(rec);
    /* A disclosure's hold alone leaves the record as it was: no "holds" member at all. */
    const mm_entry_t only[] = {hold(T0, "dsc.disclosure-2.0", "cam1", "", 0)};
    dirty = 1;
    assert_int_equal(apply(f, "site-c", 0, only, 1, 1, MM_OK, &dirty), MM_OK);
    assert_false(dirty);
    rec = get(f, "site-c");
    assert_null(json_object_get(rec, "holds"));
    json_decref(rec);
}

/* --- the record -----------------------------------------------------------------------------*/

static void empty_record(void **state)
{
    fx_t *f = *state;
    json_t *rec = get(f, "nowhere");
    assert_string_equal(str_at(rec, "site"), "nowhere");
    assert_true(json_is_null(json_object_get(rec, "facts")));
    assert_int_equal(json_object_size(json_object_get(rec, "cameras")), 0);
    assert_int_equal(json_array_size(json_object_get(rec, "filings")), 0);
    assert_int_equal(json_object_size(json_object_get(rec, "grants")), 0);
    json_decref(rec);
}

/* Segments give the record its first recording, once; after that they are skipped. */
static void segments_give_the_first_recording_only(void **state)
{
    fx_t *f = *state;
    const mm_entry_t entries[] = {segment(T0, "cam1"), segment(T0 + 1, "cam2")};
    int dirty = 0;
    assert_int_equal(apply(f, "site-a", 0, entries, 2, 1, MM_OK, &dirty), MM_OK);
    assert_true(dirty);
    json_t *rec = get(f, "site-a");
    assert_true(json_is_null(json_object_get(rec, "facts")));
    assert_int_equal(json_object_size(json_object_get(rec, "cameras")), 0);
    json_t *first = json_object_get(rec, "first_recording");
    assert_string_equal(str_at(first, "camera"), "cam1");
    assert_int_equal(json_integer_value(json_object_get(first, "index")), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "time_us")), T0);
    json_decref(rec);
    const mm_entry_t later[] = {segment(T0 + 5, "cam2")};
    dirty = 1;
    assert_int_equal(apply(f, "site-a", 2, later, 1, 1, MM_OK, &dirty), MM_OK);
    assert_false(dirty);
    dirty = 1;
    assert_int_equal(apply(f, "site-a", 3, later, 1, 1, MM_OK, &dirty), MM_OK);
    assert_false(dirty);
    json_t *again = get(f, "site-a");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(again, "first_recording"), "index")), 0);
    json_decref(again);

    /* Nor does any other kind the record has no place for (the mirror decodes every entry, and
     * bytes that are no entry never reach the registry: test_mirror's refusals). */
    mm_entry_t other[3] = {{.time_us = T0 + 2, .kind = MM_ENTRY_VIEWING},
                           {.time_us = T0 + 3, .kind = MM_ENTRY_HOLD_RELEASED},
                           {.time_us = T0 + 4, .kind = MM_ENTRY_CAMERA_GAP}};
    strcpy(other[0].u.viewing.session, "s1");
    strcpy(other[0].u.viewing.person, "tanaka");
    strcpy(other[0].u.viewing.camera, "cam9");
    strcpy(other[1].u.hold_released.hold_id, "h1");
    strcpy(other[2].u.camera_gap.camera, "cam9");
    dirty = 1;
    assert_int_equal(apply(f, "site-a", 4, other, 3, 1, MM_OK, &dirty), MM_OK);
    assert_false(dirty);
    rec = get(f, "site-a");
    assert_int_equal(json_object_size(json_object_get(rec, "cameras")), 0);
    json_decref(rec);
}

static void facts_states_filings_grants(void **state)
{
    fx_t *f = *state;
    first_batch(f);
    json_t *rec = get(f, "site-a");
    assert_string_equal(str_at(rec, "site"), "site-a");

    /* Site facts, with the entry they came from. */
    json_t *sf = json_object_get(rec, "facts");
    assert_int_equal(int_at(sf, "index"), 0);
    assert_int_equal(int_at(sf, "time_us"), T0);
    assert_string_equal(str_at(sf, "policy"), "kawaguchi");
    assert_int_equal(int_at(sf, "retention_days"), 7);
    assert_int_equal(int_at(sf, "registered_retention_days"), 14);
    assert_string_equal(str_at(sf, "manager"), "tanaka");
    assert_string_equal(str_at(sf, "operators"), "suzuki");
    assert_string_equal(str_at(sf, "consensus_date"), "2026-03-01");
    assert_string_equal(str_at(sf, "land_permission_ref"), "permit-7");
    assert_string_equal(str_at(sf, "installer_name"), "中央通り商店街振興組合");
    /* A site that has named no zone keeps its stored facts as they were, and Japan's zone. */
    assert_null(json_object_get(sf, "timezone"));
    assert_zone(f, "site-a", "Asia/Tokyo");

    /* Cameras: facts and coverage with their indexes; cam1 suspended then resumed is
     * recording, cam2 abolished. The segment did not add a camera. */
    assert_int_equal(json_object_size(json_object_get(rec, "cameras")), 2);
    json_t *c1 = camera_of(rec, "cam1"), *c2 = camera_of(rec, "cam2");
    assert_string_equal(str_at(c1, "id"), "cam1");
    assert_int_equal(int_at(json_object_get(c1, "facts"), "index"), 2);
    assert_string_equal(str_at(json_object_get(c1, "facts"), "install_date"), "2026-04-10");
    assert_true(json_is_true(json_object_get(json_object_get(c1, "facts"),
                                             "signage_installer_shown")));
    assert_string_equal(str_at(json_object_get(c1, "facts"), "signage_checked"), "2026-04-15");
    assert_int_equal(int_at(json_object_get(c1, "coverage"), "index"), 3);
    assert_int_equal(int_at(json_object_get(c1, "coverage"), "share_ppm"), 750000);
    assert_string_equal(str_at(c1, "state"), "recording");
    assert_int_equal(int_at(c1, "state_index"), 9);
    assert_int_equal(int_at(c1, "state_time_us"), T0 + 9);
    assert_string_equal(str_at(c2, "state"), "abolished");
    assert_int_equal(int_at(c2, "state_index"), 11);
    assert_int_equal(int_at(c2, "state_time_us"), T0 + 11);
    assert_int_equal(int_at(json_object_get(c2, "facts"), "index"), 10);
    assert_null(json_object_get(c2, "coverage"));

    /* Filings, in log order, each received. */
    json_t *filings = json_object_get(rec, "filings");
    assert_int_equal(json_array_size(filings), 5);
    const char *kinds[] = {"initial", "change", "suspension", "resumption", "abolition"};
    const json_int_t index[] = {4, 5, 8, 9, 11};
    for (size_t i = 0; i < 5; i++) {
        json_t *fl = json_array_get(filings, i);
        char id[8];
        snprintf(id, sizeof id, "%lld", (long long)index[i]);
        assert_string_equal(str_at(fl, "id"), id);
        assert_string_equal(str_at(fl, "kind"), kinds[i]);
        assert_int_equal(int_at(fl, "index"), index[i]);
        assert_int_equal(int_at(fl, "time_us"), T0 + index[i]);
        assert_string_equal(str_at(fl, "state"), "received");
        json_t *h = json_object_get(fl, "history");
        assert_int_equal(json_array_size(h), 1);
        assert_string_equal(str_at(json_array_get(h, 0), "state"), "received");
    }
    json_t *initial = json_array_get(filings, 0), *change = json_array_get(filings, 1);
    assert_int_equal(int_at(initial, "version"), 1);
    assert_int_equal(int_at(change, "version"), 2);
    assert_string_equal(str_at(change, "by"), "tanaka");
    assert_int_equal(strlen(str_at(change, "document_hash")), 64);
    assert_memory_equal(str_at(change, "document_hash"), "d2d2d2d2", 8);
    json_t *susp = json_array_get(filings, 2), *abol = json_array_get(filings, 4);
    assert_string_equal(str_at(susp, "camera"), "cam1");
    assert_string_equal(str_at(susp, "by"), "tanaka");
    assert_string_equal(str_at(susp, "reason"), "suspended for works");
    assert_string_equal(str_at(abol, "camera"), "cam2");

    /* Grants: g1 reported, g2 not. */
    json_t *grants = json_object_get(rec, "grants");
    assert_int_equal(json_object_size(grants), 2);
    json_t *g1 = json_object_get(grants, "g1"), *g2 = json_object_get(grants, "g2");
    assert_string_equal(str_at(g1, "person"), "suzuki");
    assert_string_equal(str_at(g1, "by"), "tanaka");
    assert_string_equal(str_at(g1, "actions"), "search,playback");
    assert_string_equal(str_at(g1, "cameras"), "cam1");
    assert_int_equal(int_at(g1, "until_us"), T0 + HOUR_US);
    assert_int_equal(int_at(g1, "granted_index"), 6);
    assert_int_equal(int_at(g1, "granted_us"), T0 + 6);
    assert_int_equal(int_at(g1, "report_index"), 7);
    assert_int_equal(int_at(g1, "reported_us"), T0 + 7);
    assert_int_equal(int_at(g2, "granted_index"), 12);
    assert_null(json_object_get(g2, "report_index"));
    json_decref(rec);

    /* A later batch: new facts replace the old, with their own index; a report for an unknown
     * grant is ignored; a revoked grant ends when it was revoked; an operator designated is no
     * grant. */
    mm_entry_t revoked = granted(T0 + 103, "g1", T0 + 103);
    revoked.u.role_changed.change = MM_ROLE_CHANGE_EMERGENCY_REVOKED;
    mm_entry_t designated = granted(T0 + 104, "", 0);
    designated.u.role_changed.change = MM_ROLE_CHANGE_OPERATOR_DESIGNATED;
    mm_entry_t london = site_facts(T0 + 100, 10);
    strcpy(london.u.site_facts.timezone, "Europe/London");
    const mm_entry_t more[] = {london, report(T0 + 101, "g9"), report(T0 + 102, "g2"), revoked,
                               designated};
    assert_int_equal(apply(f, "site-a", FIRST_N, more, 5, 1, MM_OK, NULL), MM_OK);
    rec = get(f, "site-a");
    sf = json_object_get(rec, "facts");
    assert_int_equal(int_at(sf, "index"), FIRST_N);
    assert_int_equal(int_at(sf, "retention_days"), 10);
    assert_string_equal(str_at(sf, "timezone"), "Europe/London");
    assert_zone(f, "site-a", "Europe/London");
    assert_zone(f, "site-b", "Asia/Tokyo"); /* no facts at all */
    grants = json_object_get(rec, "grants");
    assert_int_equal(json_object_size(grants), 2);
    assert_int_equal(int_at(json_object_get(grants, "g2"), "report_index"), FIRST_N + 2);
    assert_int_equal(int_at(json_object_get(grants, "g1"), "until_us"), T0 + 103);
    assert_int_equal(int_at(json_object_get(grants, "g1"), "granted_index"), 6);
    assert_int_equal(int_at(json_object_get(grants, "g2"), "until_us"), T0 + 2 * HOUR_US);
    assert_int_equal(json_array_size(json_object_get(rec, "filings")), 5);
    json_decref(rec);

    /* Another site's record is its own. */
    rec = get(f, "site-b");
    assert_true(json_is_null(json_object_get(rec, "facts")));
    json_decref(rec);
}

static void uptime_per_japan_day(void **state)
{
    fx_t *f = *state;
    /* 23:00 on 04-30 in Japan, then 00:00, 01:00 and 23:00 on 05-01. */
    const mm_entry_t entries[] = {
        uptime("cam1", MAY1_US - HOUR_US, 3000LL * 1000000, 1),
        uptime("cam1", MAY1_US, HOUR_US, 0),
        uptime("cam1", MAY1_US + HOUR_US, 3500LL * 1000000, 2),
        segment(MAY1_US + 2 * HOUR_US, "cam1"),
        uptime("cam1", MAY1_US + 23 * HOUR_US, 3599LL * 1000000, 1),
    };
    assert_int_equal(apply(f, "site-a", 20, entries, 5, 1, MM_OK, NULL), MM_OK);
    json_t *rec = get(f, "site-a");
    json_t *c = camera_of(rec, "cam1");
    assert_string_equal(str_at(c, "state"), "recording");
    json_t *days = json_object_get(c, "uptime");
    assert_int_equal(json_object_size(days), 2);
    json_t *d0 = json_object_get(days, "2026-04-30"), *d1 = json_object_get(days, "2026-05-01");
    assert_non_null(d0);
    assert_non_null(d1);
    assert_int_equal(int_at(d0, "recorded_us"), 3000LL * 1000000);
    assert_int_equal(int_at(d0, "hours"), 1);
    assert_int_equal(int_at(d0, "gaps"), 1);
    assert_int_equal(int_at(d0, "first_index"), 20);
    assert_int_equal(int_at(d0, "last_index"), 20);
    assert_int_equal(int_at(d1, "recorded_us"), (3600LL + 3500 + 3599) * 1000000);
    assert_int_equal(int_at(d1, "hours"), 3);
    assert_int_equal(int_at(d1, "gaps"), 3);
    assert_int_equal(int_at(d1, "first_index"), 21);
    assert_int_equal(int_at(d1, "last_index"), 24);
    json_decref(rec);

    /* Sixteen more days, one hour each, in two batches: only the newest HUB_UPTIME_DAYS stay. */
    mm_entry_t later[16];
    for (int i = 0; i < 16; i++)
        later[i] = uptime("cam1", MAY1_US + (i + 1) * DAY_US + 2 * HOUR_US, HOUR_US, 0);
    assert_int_equal(apply(f, "site-a", 25, later, 8, 1, MM_OK, NULL), MM_OK);
    assert_int_equal(apply(f, "site-a", 33, later + 8, 8, 1, MM_OK, NULL), MM_OK);
    rec = get(f, "site-a");
    days = json_object_get(camera_of(rec, "cam1"), "uptime");
    assert_int_equal(json_object_size(days), HUB_UPTIME_DAYS);
    assert_null(json_object_get(days, "2026-04-30"));
    assert_null(json_object_get(days, "2026-05-01"));
    assert_null(json_object_get(days, "2026-05-03"));
    assert_non_null(json_object_get(days, "2026-05-04"));
    assert_non_null(json_object_get(days, "2026-05-17"));
    assert_int_equal(int_at(json_object_get(days, "2026-05-17"), "first_index"), 40);
    assert_int_equal(int_at(json_object_get(days, "2026-05-17"), "hours"), 1);
    json_decref(rec);

    char d[11];
    mm_jst_day(MAY1_US - 1, d);
    assert_string_equal(d, "2026-04-30");
    mm_jst_day(MAY1_US, d);
    assert_string_equal(d, "2026-05-01");
}

static void aborted_batch_changes_nothing(void **state)
{
    fx_t *f = *state;
    first_batch(f);
    json_t *before = get(f, "site-a");
    const mm_entry_t more[] = {
        site_facts(T0 + 100, 3),
        camera_state(T0 + 101, "cam1", "suspended"),
        coverage(T0 + 102, "cam3", 100000),
        uptime("cam1", MAY1_US, HOUR_US, 0),
    };

    /* batch_end without commit. */
    int dirty = 0;
    assert_int_equal(apply(f, "site-a", FIRST_N, more, 4, 0, MM_OK, &dirty), MM_OK);
    assert_true(dirty);
    json_t *after = get(f, "site-a");
    assert_true(json_equal(before, after));
    json_decref(after);

    /* Committed to the batch, but the transaction fails afterwards (a bad root, say). */
    assert_int_equal(apply(f, "site-a", FIRST_N, more, 4, 1, MM_EVERIFY, NULL), MM_EVERIFY);
    after = get(f, "site-a");
    assert_true(json_equal(before, after));
    json_decref(after);

    /* The same batch committed does change it. */
    assert_int_equal(apply(f, "site-a", FIRST_N, more, 4, 1, MM_OK, NULL), MM_OK);
    after = get(f, "site-a");
    assert_false(json_equal(before, after));
    assert_int_equal(int_at(json_object_get(after, "facts"), "retention_days"), 3);
    assert_string_equal(str_at(camera_of(after, "cam1"), "state"), "suspended");
    assert_non_null(camera_of(after, "cam3"));
    json_decref(after);
    json_decref(before);

    /* A first batch that is not committed leaves no record at all. */
    assert_int_equal(apply(f, "site-c", 0, more, 4, 0, MM_OK, NULL), MM_OK);
    after = get(f, "site-c");
    assert_true(json_is_null(json_object_get(after, "facts")));
    assert_int_equal(json_object_size(json_object_get(after, "cameras")), 0);
    json_decref(after);
}

/* The city decides filing of site as by, at now (hub_registry_decide). */
static mm_err_t decide(fx_t *f, const char *site, const char *filing, hub_filing_state_t state,
                       const char *reason, const char *by, int64_t now)
{
    hub_person_t who = {.role = HUB_ROLE_OVERSIGHT};
    snprintf(who.id, sizeof who.id, "%s", by);
    hub_filing_decision_t d = {.site = site,
                               .filing = filing,
                               .state = state,
                               .reason = reason,
                               .who = &who,
                               .now_us = now};
    mm_err_t err = hub_registry_decide(f->reg, f->audit, &d);
    if (err == MM_OK) {
        json_t *decided = hub_filing_json(&d.decided);
        assert_non_null(decided);
        assert_string_equal(str_at(decided, "id"), filing);
        assert_string_equal(str_at(decided, "state"), hub_filing_state_name(state));
        json_decref(decided);
    } else {
        assert_string_equal(d.decided.id, ""); /* nothing decided */
        assert_int_equal(d.decided.n_history, 0);
    }
    return err;
}

/* R-N9, R-K4: what a site files is its policy's to say. The city's own cameras file nothing (a
 * camera's state changes, no filing is made); a voluntary installer's filings are notices only,
 * noted, on which the city decides nothing (MM_EDENIED, nothing logged). */
static void filings_as_the_policy_says(void **state)
{
    fx_t *f = *state;
    mm_entry_t city[] = {site_facts(T0, 14), config_changed(T0 + 1, 1), filed(T0 + 2, 1),
                         camera_state(T0 + 3, "cam1", "suspended")};
    city[0].u.site_facts.policy = MM_POLICY_CITY;
    city[1].u.configuration_changed.policy = MM_POLICY_CITY;
    assert_int_equal(apply(f, "site-c", 0, city, 4, 1, MM_OK, NULL), MM_OK);
    json_t *rec = get(f, "site-c");
    assert_int_equal(json_array_size(json_object_get(rec, "filings")), 0);
    assert_string_equal(str_at(camera_of(rec, "cam1"), "state"), "suspended");
    json_decref(rec);

    mm_entry_t vol[] = {site_facts(T0, 7), config_changed(T0 + 1, 1), filed(T0 + 2, 1),
                        camera_state(T0 + 3, "cam1", "suspended")};
    vol[0].u.site_facts.policy = MM_POLICY_VOLUNTARY;
    vol[1].u.configuration_changed.policy = MM_POLICY_VOLUNTARY;
    assert_int_equal(apply(f, "site-v", 0, vol, 4, 1, MM_OK, NULL), MM_OK);
    rec = get(f, "site-v");
    json_t *fl = json_object_get(rec, "filings");
    assert_int_equal(json_array_size(fl), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *one = json_array_get(fl, i);
        assert_string_equal(str_at(one, "state"), "noted");
        assert_string_equal(str_at(json_array_get(json_object_get(one, "history"), 0), "state"),
                            "noted");
    }
    json_decref(rec);
    uint64_t before = hubfx_log_size(f);
    assert_int_equal(
        decide(f, "site-v", "2", HUB_FILING_STATE_ACCEPTED, NULL, "city-clerk", T0 + DAY_US),
        MM_EDENIED);
    assert_int_equal(hubfx_log_size(f), before);
    rec = get(f, "site-v");
    assert_string_equal(str_at(filing(rec, "2"), "state"), "noted");
    assert_null(json_object_get(rec, "requests")); /* no notice of a decision */
    json_decref(rec);
}

static void decide_filing(void **state)
{
    fx_t *f = *state;
    first_batch(f);
    assert_int_equal(
        decide(f, "site-a", "4", HUB_FILING_STATE_ACCEPTED, NULL, "city-clerk", T0 + DAY_US),
        MM_OK);
    json_t *rec = get(f, "site-a");
    json_t *fl = filing(rec, "4");
    assert_non_null(fl);
    assert_string_equal(str_at(fl, "state"), "accepted");
    json_t *h = json_object_get(fl, "history");
    assert_int_equal(json_array_size(h), 2);
    assert_string_equal(str_at(json_array_get(h, 0), "state"), "received");
    json_t *last = json_array_get(h, 1);
    assert_string_equal(str_at(last, "state"), "accepted");
    assert_string_equal(str_at(last, "by"), "city-clerk");
    assert_int_equal(int_at(last, "time_us"), T0 + DAY_US);
    /* The others are untouched. */
    assert_string_equal(str_at(filing(rec, "5"), "state"), "received");
    json_decref(rec);
    /* The decision is in the hub's log, committed with it. */
    json_t *log = hubfx_log(f);
    assert_int_equal(json_array_size(log), 1);
    json_t *a = json_object_get(json_array_get(log, 0), "city_action");
    assert_string_equal(str_at(a, "action"), "filing_accepted");
    assert_string_equal(str_at(a, "site"), "site-a");
    assert_string_equal(str_at(a, "subject"), "4");
    assert_string_equal(str_at(a, "person"), "city-clerk");
    assert_string_equal(str_at(a, "role"), "oversight");
    assert_string_equal(str_at(a, "reason"), "");
    assert_string_equal(str_at(a, "detail"), "{\"notice\":\"notice-1\"}");
    assert_int_equal(int_at(json_array_get(log, 0), "time_us"), T0 + DAY_US);
    json_decref(log);
    /* R-N4.2: the decision goes to the site as a notice, pending until the site logs it. */
    rec = get(f, "site-a");
    json_t *n = json_object_get(json_object_get(rec, "requests"), "notice-1");
    assert_non_null(n);
    assert_string_equal(str_at(n, "kind"), "filing_decision");
    assert_string_equal(str_at(n, "state"), "pending");
    assert_string_equal(str_at(n, "subject"), "filing/4");
    assert_string_equal(str_at(n, "by"), "city-clerk");
    assert_int_equal(int_at(n, "time_us"), T0 + DAY_US);
    assert_string_equal(str_at(json_object_get(n, "detail"), "decision"), "accepted");
    assert_string_equal(str_at(json_object_get(n, "detail"), "filing"), "4");
    json_decref(rec);

    /* Deciding twice is a conflict, and changes nothing, in the record or the hub's log. */
    assert_int_equal(
        decide(f, "site-a", "4", HUB_FILING_STATE_RETURNED, "no", "city-clerk", T0 + 2 * DAY_US),
        MM_ECONFLICT);
    rec = get(f, "site-a");
    assert_string_equal(str_at(filing(rec, "4"), "state"), "accepted");
    assert_int_equal(json_array_size(json_object_get(filing(rec, "4"), "history")), 2);
    json_decref(rec);
    log = hubfx_log(f);
    assert_int_equal(json_array_size(log), 1);
    json_decref(log);

    /* Returned with a reason. */
    assert_int_equal(decide(f, "site-a", "11", HUB_FILING_STATE_RETURNED,
                            "no reason given for the abolition", "clerk-2", T0 + 3 * DAY_US),
                     MM_OK);
    rec = get(f, "site-a");
    fl = filing(rec, "11");
    assert_string_equal(str_at(fl, "state"), "returned");
    last = json_array_get(json_object_get(fl, "history"), 1);
    assert_string_equal(str_at(last, "reason"), "no reason given for the abolition");
    assert_string_equal(str_at(last, "by"), "clerk-2");
    json_decref(rec);
    log = hubfx_log(f);
    assert_int_equal(json_array_size(log), 2);
    a = json_object_get(json_array_get(log, 1), "city_action");
    assert_string_equal(str_at(a, "action"), "filing_returned");
    assert_string_equal(str_at(a, "subject"), "11");
    assert_string_equal(str_at(a, "reason"), "no reason given for the abolition");
    json_decref(log);

    /* Unknown filings, and unknown sites; "received" is no decision. None is logged. */
    assert_int_equal(decide(f, "site-a", "999", HUB_FILING_STATE_ACCEPTED, NULL, "x", T0),
                     MM_ENOTFOUND);
    assert_int_equal(decide(f, "site-a", "0", HUB_FILING_STATE_ACCEPTED, NULL, "x", T0),
                     MM_ENOTFOUND); /* an entry, but no filing */
    assert_int_equal(decide(f, "nowhere", "4", HUB_FILING_STATE_ACCEPTED, NULL, "x", T0),
                     MM_ENOTFOUND);
    assert_int_equal(decide(f, "site-a", "5", HUB_FILING_STATE_RECEIVED, NULL, "x", T0), MM_EINVAL);
    log = hubfx_log(f);
    assert_int_equal(json_array_size(log), 2);
    json_decref(log);

    /* A later batch keeps the decisions. */
    const mm_entry_t more[] = {filed(T0 + 200, 3)};
    assert_int_equal(apply(f, "site-a", FIRST_N, more, 1, 1, MM_OK, NULL), MM_OK);
    rec = get(f, "site-a");
    assert_string_equal(str_at(filing(rec, "4"), "state"), "accepted");
    char id[8];
    snprintf(id, sizeof id, "%zu", FIRST_N);
    assert_string_equal(str_at(filing(rec, id), "kind"), "change");
    assert_string_equal(str_at(filing(rec, id), "state"), "received");
    json_decref(rec);
}

/* --- findings from the rules ----------------------------------------------------------------*/

static json_t *rule_finding(const char *kind, const char *dedupe, json_int_t index)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:[I]}}", "kind", kind, "dedupe", dedupe,
                     "rule", "R-TEST", "severity", "high", "message", kind, "evidence",
                     "entries", index);
}

static json_t *find(json_t *list, const char *site, const char *kind, const char *dedupe)
{
    size_t i;
    json_t *v, *found = NULL;
    json_array_foreach(list, i, v)
    {
        const char *d = json_string_value(json_object_get(v, "dedupe"));
        if (!strcmp(str_at(v, "site"), site) && !strcmp(str_at(v, "kind"), kind) &&
            (!dedupe || !strcmp(d ? d : "", dedupe))) {
            assert_null(found);
            found = v;
        }
    }
    assert_non_null(found);
    return found;
}

static void history_is(json_t *finding, size_t n, const char *const *states)
{
    json_t *h = json_object_get(finding, "history");
    assert_int_equal(json_array_size(h), n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(str_at(json_array_get(h, i), "state"), states[i]);
        assert_non_null(json_string_value(json_object_get(json_array_get(h, i), "at")));
    }
}

/* Reconciles site with the rules findings current (JSON, read through the codec). */
static void reconcile(fx_t *f, const char *site, json_t *current, int64_t now, size_t want_open,
                      size_t want_closed)
{
    size_t opened = 99, closed = 99;
    hub_finding_list_t l;
    hub_finding_list_init(&l);
    size_t i;
    json_t *c;
    json_array_foreach(current, i, c)
        assert_int_equal(hub_finding_from_json(c, hub_finding_list_add(&l)), MM_OK);
    assert_int_equal(hub_findings_reconcile(f->findings, site, l.items, l.n, now, &opened, &closed),
                     MM_OK);
    hub_finding_list_deinit(&l);
    assert_int_equal(opened, want_open);
    assert_int_equal(closed, want_closed);
    json_decref(current);
}

static void findings_reconcile(void **state)
{
    fx_t *f = *state;
    int64_t t = T0;
    /* A verification finding first: reconcile must never close it. */
    hub_evidence_t ev = {0};
    assert_int_equal(hub_evidence_int(&ev, "index", 3), MM_OK);
    assert_int_equal(hub_findings_raise(f->findings, "site-a", "root_mismatch", HUB_SEVERITY_HIGH,
                                        "", &ev, t, "bad root at %d", 3),
                     MM_OK);
    hub_evidence_deinit(&ev);

    /* [A, B] opens both. */
    reconcile(f, "site-a",
              json_pack("[o, o]", rule_finding("manager_missing", "", 1),
                        rule_finding("coverage_missing", "cam1", 2)),
              t += 1000000, 2, 0);
    json_t *list = hubfx_findings(f);
    assert_int_equal(json_array_size(list), 3);
    json_t *a = find(list, "site-a", "manager_missing", ""),
           *b = find(list, "site-a", "coverage_missing", "cam1");
    assert_string_equal(str_at(a, "state"), "open");
    assert_string_equal(str_at(a, "source"), "rules");
    assert_string_equal(str_at(a, "rule"), "R-TEST");
    assert_string_equal(str_at(a, "severity"), "high");
    assert_string_equal(str_at(a, "message"), "manager_missing");
    assert_int_equal(json_integer_value(json_array_get(
                         json_object_get(json_object_get(b, "evidence"), "entries"), 0)),
                     2);
    history_is(b, 1, (const char *[]){"open"});
    json_int_t id_b = int_at(b, "id");
    json_decref(list);

    /* [A, B] again: nothing opened or closed, the evidence refreshed. */
    reconcile(f, "site-a",
              json_pack("[o, o]", rule_finding("manager_missing", "", 1),
                        rule_finding("coverage_missing", "cam1", 7)),
              t += 1000000, 0, 0);
    list = hubfx_findings(f);
    assert_int_equal(json_array_size(list), 3);
    b = find(list, "site-a", "coverage_missing", "cam1");
    assert_int_equal(json_integer_value(json_array_get(
                         json_object_get(json_object_get(b, "evidence"), "entries"), 0)),
                     7);
    history_is(b, 1, (const char *[]){"open"});
    json_decref(list);

    /* [A]: B closes, keeping its history. */
    reconcile(f, "site-a", json_pack("[o]", rule_finding("manager_missing", "", 1)),
              t += 1000000, 0, 1);
    list = hubfx_findings(f);
    b = find(list, "site-a", "coverage_missing", "cam1");
    assert_string_equal(str_at(b, "state"), "closed");
    history_is(b, 2, (const char *[]){"open", "closed"});
    assert_string_equal(str_at(find(list, "site-a", "manager_missing", ""), "state"), "open");
    json_decref(list);

    /* [A] again closes nothing more. */
    reconcile(f, "site-a", json_pack("[o]", rule_finding("manager_missing", "", 1)),
              t += 1000000, 0, 0);

    /* [A, B]: B opens again, the same finding. */
    reconcile(f, "site-a",
              json_pack("[o, o]", rule_finding("manager_missing", "", 1),
                        rule_finding("coverage_missing", "cam1", 2)),
              t += 1000000, 1, 0);
    list = hubfx_findings(f);
    assert_int_equal(json_array_size(list), 3);
    b = find(list, "site-a", "coverage_missing", "cam1");
    assert_int_equal(int_at(b, "id"), id_b);
    assert_string_equal(str_at(b, "state"), "open");
    history_is(b, 3, (const char *[]){"open", "closed", "open"});
    json_decref(list);

    /* The same kind with another dedupe key is another finding; another site's findings are
     * not closed by this site's. */
    reconcile(f, "site-a",
              json_pack("[o, o, o]", rule_finding("manager_missing", "", 1),
                        rule_finding("coverage_missing", "cam1", 2),
                        rule_finding("coverage_missing", "cam2", 3)),
              t += 1000000, 1, 0);
    reconcile(f, "site-b", json_pack("[o]", rule_finding("manager_missing", "", 1)),
              t += 1000000, 1, 0);
    reconcile(f, "site-b", json_array(), t += 1000000, 0, 1);

    /* Nothing holds: every rules finding of site-a closes, the verification one stays open. */
    reconcile(f, "site-a", json_array(), t += 1000000, 0, 3);
    list = hubfx_findings(f);
    assert_int_equal(json_array_size(list), 5);
    json_t *v = find(list, "site-a", "root_mismatch", NULL);
    assert_string_equal(str_at(v, "state"), "open");
    assert_string_equal(str_at(v, "source"), "verification");
    history_is(v, 1, (const char *[]){"open"});
    size_t i;
    json_array_foreach(list, i, v)
    {
        if (strcmp(str_at(v, "kind"), "root_mismatch") != 0)
            assert_string_equal(str_at(v, "state"), "closed");
    }
    json_decref(list);
    reconcile(f, "site-a", json_array(), t += 1000000, 0, 0);
}

/* The registry and the rules' findings together, as the hub runs them after a batch. */
static void many_findings_close_together(void **state)
{
    fx_t *f = *state;
    json_t *cur = json_array();
    char key[32];
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "cam1/2026-05-%02d-%d", i % 28 + 1, i);
        json_array_append_new(cur, rule_finding("uptime_below_24h", key, i));
    }
    reconcile(f, "site-a", json_incref(cur), T0, 200, 0);
    reconcile(f, "site-a", json_array(), T0 + 1000000, 0, 200);
    json_t *list = hubfx_findings(f);
    assert_int_equal(json_array_size(list), 200);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        assert_string_equal(str_at(v, "state"), "closed");
    json_decref(list);
    reconcile(f, "site-a", cur, T0 + 2000000, 200, 0);
}

/* R-N4.2: configuration_changed says which standards run; only standards_filed files them, and
 * the filing of the running version carries its summary. */
static void standards_running_then_filed(void **state)
{
    fx_t *f = *state;
    const mm_entry_t entries[] = {config_changed(T0, 1), config_changed(T0 + 1, 2),
                                  filed(T0 + 2, 2)};
    int dirty = 0;
    assert_int_equal(apply(f, "site-s", 0, entries, 1, 1, MM_OK, &dirty), MM_OK);
    json_t *rec = get(f, "site-s");
    assert_int_equal(int_at(json_object_get(rec, "standards"), "version"), 1);
    assert_int_equal(json_array_size(json_object_get(rec, "filings")), 0);
    json_decref(rec);
    assert_int_equal(apply(f, "site-s", 1, entries + 1, 2, 1, MM_OK, &dirty), MM_OK);
    rec = get(f, "site-s");
    assert_int_equal(int_at(json_object_get(rec, "standards"), "version"), 2);
    json_t *filings = json_object_get(rec, "filings");
    assert_int_equal(json_array_size(filings), 1);
    json_t *fl = json_array_get(filings, 0);
    assert_string_equal(str_at(fl, "kind"), "initial");
    assert_int_equal(int_at(fl, "version"), 2);
    assert_string_equal(str_at(fl, "summary"), "version 2");
    assert_string_equal(str_at(fl, "policy"), "kawaguchi");
    json_decref(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(empty_record, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(standards_running_then_filed, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(segments_give_the_first_recording_only, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(the_first_recording_is_the_logs_not_the_batchs, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(site_holds_are_kept_with_their_release, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(facts_states_filings_grants, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(uptime_per_japan_day, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(aborted_batch_changes_nothing, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(decide_filing, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(filings_as_the_policy_says, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(findings_reconcile, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(many_findings_close_together, setup, hubfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
