/*
 * test_registry_codec.c: a site's record as stored (hub/registry_codec).
 *
 * Every record a hub of the integration tests stored (tests/data/hub/records/registry.jsonl,
 * copied from their databases) reads into the struct and writes back byte for byte, and the API
 * shows it as stored. And a scenario run through the registry, the requests and the city's
 * decisions — facts before and after coverage, a camera first seen by its state, uptime over
 * days, grants reported and revoked, requests the hub never sent, answered before and after their
 * delivery, appeals before and after an answer, filings of a version that is and is not the one
 * running — stores exactly the record, and answers exactly the requests and decisions, that the
 * hub stored and answered when its registry was kept as JSON (tests/data/hub/registry_scenario.txt,
 * written by that code).
 */
#include "hub_fixture.h"
#include "common/entry.h"
#include "hub/audit.h"
#include "hub/hublog.h"
#include "hub/registry.h"
#include "hub/registry_codec.h"
#include "hub/requests.h"

#define RECORDS MM_TEST_DATA "/hub/records/registry.jsonl"
#define SCENARIO MM_TEST_DATA "/hub/registry_scenario.txt"
#define T0 (1779246000LL * 1000000)
#define HOUR_US (3600LL * 1000000)
#define DAY_US (24 * HOUR_US)

static void stored_records_read_and_write_back_byte_for_byte(void **state)
{
    (void)state;
    lines_t in;
    lines_open(&in, RECORDS);
    size_t n = 0, requests = 0, filings = 0;
    hub_site_record_t *r = malloc(sizeof *r);
    while (lines_next(&in)) {
        assert_int_equal(hub_site_record_decode(in.line, in.len, r), MM_OK);
        assert_true(r->site[0] != 0);
        assert_true(r->has_facts);
        requests += r->n_requests;
        filings += r->n_filings;
        written_back_is(&in, hub_site_record_encode(r), hub_site_record_json(r));
        hub_site_record_deinit(r);
        n++;
    }
    free(r);
    lines_close(&in);
    assert_true(n >= 15);
    assert_true(requests >= 10);
    assert_true(filings >= 15);
}

static void what_the_struct_cannot_hold_is_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "[]",
        "{\"site\":7}",
        "{\"site\":\"a\",\"facts\":{\"policy\":\"tokyo\"}}",
        "{\"site\":\"a\",\"cameras\":{\"c\":{\"state\":\"asleep\"}}}",
        "{\"site\":\"a\",\"filings\":[{\"kind\":\"whim\"}]}",
        "{\"site\":\"a\",\"filings\":[{\"kind\":\"initial\",\"document_hash\":\"AB\"}]}",
        "{\"site\":\"a\",\"requests\":{\"q\":{\"kind\":\"complaint\",\"via\":\"fax\"}}}",
        ("{\"site\":\"a\",\"requests\":{\"q\":{\"kind\":\"complaint\",\"camera\":"
         "\"0123456789012345678901234567890123456789012345678901234567890123\"}}}"),
        "{\"site\":\"a\",\"grants\":[]}",
        "{\"site\":\"a\",\"first_recording\":{\"camera\":7}}",
        "{\"site\":\"a\",\"first_recording\":[]}",
        "{\"site\":\"a\",\"holds\":[]}",
        "{\"site\":\"a\",\"holds\":{\"h\":{\"hold_id\":\"other\",\"camera\":\"c\"}}}",
        "{\"site\":\"a\",\"holds\":{\"h\":{\"hold_id\":\"h\",\"camera\":\"c\","
        "\"released\":7}}}",
    };
    hub_site_record_t *r = malloc(sizeof *r);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(hub_site_record_decode(bad[i], strlen(bad[i]), r), MM_ECORRUPT);
        hub_site_record_deinit(r);
    }
    free(r);
}

/* A record with a first recording and site holds, placed and released, writes back byte for
 * byte, and its members stand in the order they came. */
static void first_recording_and_site_holds_write_back_byte_for_byte(void **state)
{
    (void)state;
    hub_site_record_t *r = malloc(sizeof *r), *back = malloc(sizeof *back);
    hub_site_record_init(r, "site-h");
    mm_entry_t e;
    memset(&e, 0, sizeof e);
    e.time_us = T0;
    e.kind = MM_ENTRY_HOLD_PLACED;
    strcpy(e.u.hold_placed.hold_id, "site-1.0");
    strcpy(e.u.hold_placed.camera, "cam1");
    e.u.hold_placed.start_us = T0 - HOUR_US;
    e.u.hold_placed.end_us = T0;
    strcpy(e.u.hold_placed.reason, "事故");
    strcpy(e.u.hold_placed.by, "tanaka");
    e.u.hold_placed.expires_us = T0 + 30 * DAY_US;
    assert_int_equal(hub_site_record_apply(r, 3, &e), MM_OK);
    memset(&e, 0, sizeof e);
    e.time_us = T0 + 1;
    e.kind = MM_ENTRY_SEGMENT_RECORDED;
    strcpy(e.u.segment_recorded.camera, "cam2");
    e.u.segment_recorded.start_us = T0 - DAY_US;
    assert_int_equal(hub_site_record_apply(r, 4, &e), MM_OK);
    memset(&e, 0, sizeof e);
    e.time_us = T0 + 2;
    e.kind = MM_ENTRY_HOLD_RELEASED;
    strcpy(e.u.hold_released.hold_id, "site-1.0");
    strcpy(e.u.hold_released.reason, "expired");
    assert_int_equal(hub_site_record_apply(r, 5, &e), MM_OK);
    char *text = hub_site_record_encode(r);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"holds\":{\"site-1.0\":{\"hold_id\":\"site-1.0\""));
    assert_true(strstr(text, "\"holds\"") < strstr(text, "\"first_recording\""));
    assert_int_equal(hub_site_record_decode(text, strlen(text), back), MM_OK);
    assert_int_equal(back->n_holds, 1);
    assert_true(back->holds[0].released);
    assert_int_equal(back->first.start_us, T0 - DAY_US);
    char *again = hub_site_record_encode(back);
    assert_string_equal(again, text);
    free(again);
    free(text);
    hub_site_record_deinit(back);
    hub_site_record_deinit(r);
    free(back);
    free(r);
}

/* --- the scenario ---------------------------------------------------------------------------*/

static mm_entry_t E(int64_t t, mm_entry_kind_t k)
{
    mm_entry_t e;
    memset(&e, 0, sizeof e);
    e.time_us = t;
    e.kind = k;
    return e;
}

static mm_entry_t config_changed(int64_t t, uint32_t v)
{
    mm_entry_t e = E(t, MM_ENTRY_CONFIGURATION_CHANGED);
    mm_configuration_changed_t *c = &e.u.configuration_changed;
    c->version = v;
    memset(c->document_hash, 0xd0 + (int)v, 32);
    memset(c->config_hash, 0xc0 + (int)v, 32);
    c->policy = MM_POLICY_KAWAGUCHI;
    c->cameras = 2;
    snprintf(c->summary, sizeof c->summary, "version %u", v);
    return e;
}
static mm_entry_t site_facts(int64_t t)
{
    mm_entry_t e = E(t, MM_ENTRY_SITE_FACTS);
    mm_site_facts_t *s = &e.u.site_facts;
    s->policy = MM_POLICY_KAWAGUCHI;
    s->retention_days = 7;
    s->registered_retention_days = 14;
    s->floor_days = 7;
    strcpy(s->installer_name, "組合 \"quoted\" \\ back");
    strcpy(s->installer_contact, "048");
    strcpy(s->purpose, "防犯");
    strcpy(s->consensus_date, "2026-03-01");
    strcpy(s->manager, "tanaka");
    strcpy(s->operators, "suzuki");
    strcpy(s->contractors, "[]");
    s->cameras = 2;
    return e;
}
static mm_entry_t coverage(int64_t t, const char *cam)
{
    mm_entry_t e = E(t, MM_ENTRY_CAMERA_COVERAGE);
    mm_camera_coverage_t *c = &e.u.camera_coverage;
    strcpy(c->camera, cam);
    c->public_ppm = 700000;
    c->private_ppm = 300000;
    c->share_ppm = 700000;
    c->threshold_ppm = 666667;
    c->policy = MM_POLICY_KAWAGUCHI;
    strcpy(c->exception, "");
    return e;
}
static mm_entry_t camera_facts(int64_t t, const char *cam)
{
    mm_entry_t e = E(t, MM_ENTRY_CAMERA_FACTS);
    mm_camera_facts_t *c = &e.u.camera_facts;
    strcpy(c->camera, cam);
    strcpy(c->location, "3 番地");
    strcpy(c->purpose, "見守り");
    strcpy(c->install_date, "2026-04-10");
    strcpy(c->signage_text, "作動中");
    c->signage_installer_shown = 1;
    return e;
}
static mm_entry_t filed(int64_t t, uint32_t v, int automatic)
{
    mm_entry_t e = E(t, MM_ENTRY_STANDARDS_FILED);
    e.u.standards_filed.version = v;
    memset(e.u.standards_filed.document_hash, 0xd0 + (int)v, 32);
    if (!automatic)
        strcpy(e.u.standards_filed.by, "tanaka");
    e.u.standards_filed.automatic = automatic;
    return e;
}
static mm_entry_t uptime(const char *cam, int64_t hour, int64_t rec, uint32_t gaps)
{
    mm_entry_t e = E(hour + HOUR_US, MM_ENTRY_CAMERA_UPTIME);
    strcpy(e.u.camera_uptime.camera, cam);
    e.u.camera_uptime.hour_start_us = hour;
    e.u.camera_uptime.recorded_us = rec;
    e.u.camera_uptime.gaps = gaps;
    return e;
}
static mm_entry_t camera_state(int64_t t, const char *cam, mm_cam_state_t st)
{
    mm_entry_t e = E(t, MM_ENTRY_CAMERA_STATE);
    strcpy(e.u.camera_state.camera, cam);
    e.u.camera_state.state = st;
    strcpy(e.u.camera_state.by, "tanaka");
    strcpy(e.u.camera_state.reason, "工事");
    return e;
}
static mm_entry_t role(int64_t t, mm_role_change_t ch, const char *grant, int64_t until)
{
    mm_entry_t e = E(t, MM_ENTRY_ROLE_CHANGED);
    mm_role_changed_t *r = &e.u.role_changed;
    r->change = ch;
    strcpy(r->person, "suzuki");
    strcpy(r->by, "tanaka");
    strcpy(r->grant_id, grant);
    strcpy(r->actions, "playback");
    r->until_us = until;
    strcpy(r->reason, "急ぎ");
    return e;
}
static mm_entry_t report(int64_t t, const char *grant)
{
    mm_entry_t e = E(t, MM_ENTRY_EMERGENCY_REPORT);
    strcpy(e.u.emergency_report.grant_id, grant);
    strcpy(e.u.emergency_report.person, "suzuki");
    strcpy(e.u.emergency_report.text, "見た");
    return e;
}
static mm_entry_t city_request(int64_t t, const char *id, mm_request_kind_t k)
{
    mm_entry_t e = E(t, MM_ENTRY_CITY_REQUEST);
    strcpy(e.u.city_request.id, id);
    e.u.city_request.kind = k;
    e.u.city_request.city_time_us = T0;
    e.u.city_request.deadline_us = T0 + 14 * DAY_US;
    return e;
}
static mm_entry_t answered(int64_t t, const char *id, mm_request_kind_t k, const char *text)
{
    mm_entry_t e = E(t, MM_ENTRY_REQUEST_ANSWERED);
    strcpy(e.u.request_answered.id, id);
    e.u.request_answered.kind = k;
    strcpy(e.u.request_answered.by, "tanaka");
    strcpy(e.u.request_answered.text, text);
    if (k == MM_REQUEST_KIND_REPORT_REQUEST) {
        strcpy(e.u.request_answered.report, "{\"hours\":24}");
        strcpy(e.u.request_answered.report_signature, "AAAA");
    }
    return e;
}

/* Batch 1: the site's own entries, requests the hub never sent. */
static size_t batch1(mm_entry_t *e)
{
    size_t n = 0;
    e[n++] = config_changed(T0, 1);
    e[n++] = site_facts(T0 + 1);
    e[n++] = coverage(T0 + 2, "cam1");
    e[n++] = camera_facts(T0 + 3, "cam1");
    e[n++] = filed(T0 + 4, 1, 1);
    e[n++] = uptime("cam1", T0 - 2 * DAY_US, HOUR_US, 0);
    e[n++] = uptime("cam1", T0 - DAY_US, HOUR_US / 2, 3);
    e[n++] = uptime("cam1", T0 - DAY_US + HOUR_US, HOUR_US, 1);
    e[n++] = camera_state(T0 + 8, "cam2", MM_CAM_STATE_SUSPENDED);
    e[n++] = camera_facts(T0 + 9, "cam2");
    e[n++] = role(T0 + 10, MM_ROLE_CHANGE_EMERGENCY_GRANTED, "g1", T0 + HOUR_US);
    e[n++] = report(T0 + 11, "g1");
    e[n++] = role(T0 + 12, MM_ROLE_CHANGE_EMERGENCY_GRANTED, "g2", T0 + 2 * HOUR_US);
    e[n++] = role(T0 + 13, MM_ROLE_CHANGE_EMERGENCY_REVOKED, "g2", T0 + 13);
    e[n++] = city_request(T0 + 14, "x-1", MM_REQUEST_KIND_COMPLAINT);
    e[n++] = answered(T0 + 15, "x-2", MM_REQUEST_KIND_COMPLAINT, "answered first");
    e[n++] = city_request(T0 + 16, "x-2", MM_REQUEST_KIND_COMPLAINT);
    e[n++] = filed(T0 + 17, 2, 0);
    e[n++] = config_changed(T0 + 18, 2);
    e[n++] = camera_state(T0 + 19, "cam2", MM_CAM_STATE_RESUMED);
    e[n++] = uptime("cam3", T0, HOUR_US, 0);
    e[n++] = coverage(T0 + 21, "cam3");
    e[n++] = camera_state(T0 + 22, "cam3", MM_CAM_STATE_ABOLISHED);
    e[n++] = filed(T0 + 23, 2, 1);
    return n;
}

/* Batch 2, after the city's requests complaint-1, measure-request-2, report-3, complaint-4. */
static size_t batch2(mm_entry_t *e)
{
    size_t n = 0;
    e[n++] = city_request(T0 + 100, "complaint-3", MM_REQUEST_KIND_COMPLAINT);
    e[n++] = answered(T0 + 101, "complaint-3", MM_REQUEST_KIND_COMPLAINT, "対応しました");
    e[n++] = city_request(T0 + 102, "report-5", MM_REQUEST_KIND_REPORT_REQUEST);
    e[n++] = answered(T0 + 103, "report-5", MM_REQUEST_KIND_REPORT_REQUEST, "");
    e[n++] = answered(T0 + 104, "measure-request-4", MM_REQUEST_KIND_COMPLAINT_MEASURE,
                      "no delivery logged");
    e[n++] = city_request(T0 + 105, "complaint-3", MM_REQUEST_KIND_COMPLAINT);
    return n;
}

typedef struct {
    hubfx_t hub;
    lines_t want; /* the scenario's lines, as the JSON registry wrote them */
} fx_t;

typedef struct {
    fx_t *f;
    const mm_entry_t *e;
    size_t n;
    uint64_t first;
} batch_t;

/* A batch as the mirror hands it over: each entry encoded by the site and decoded once. */
static mm_err_t batch_txn(MDB_txn *txn, void *arg)
{
    batch_t *b = arg;
    hub_registry_batch_t rb;
    hub_registry_batch_begin(&rb, b->f->hub.reg, txn, "site-a");
    mm_entry_t *e = malloc(sizeof *e);
    for (size_t i = 0; i < b->n; i++) {
        uint8_t *data;
        size_t len;
        assert_int_equal(mm_entry_encode(&b->e[i], &data, &len), MM_OK);
        assert_int_equal(mm_entry_decode(data, len, e), MM_OK);
        free(data);
        assert_int_equal(hub_registry_apply(&rb, b->first + i, e), MM_OK);
    }
    free(e);
    return hub_registry_batch_end(&rb, 1);
}

static void apply(fx_t *f, mm_entry_t *e, size_t n, uint64_t first)
{
    batch_t b = {f, e, n, first};
    assert_int_equal(mm_db_write(f->hub.db, batch_txn, &b), MM_OK);
}

static void made_is(fx_t *f, const char *label, mm_err_t err, const hub_request_made_t *made)
{
    assert_int_equal(err, MM_OK);
    labelled_is(&f->want, label,
                made->appeal ? hub_appeal_json(&made->request.appeal)
                             : hub_request_json(&made->request));
}

static void decided_is(fx_t *f, const char *label, hub_filing_decision_t *d)
{
    assert_int_equal(hub_registry_decide(f->hub.reg, f->hub.audit, d), MM_OK);
    labelled_is(&f->want, label, hub_filing_json(&d->decided));
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    hubfx_open(&f->hub, "registry-codec", HUBFX_REQUESTS);
    lines_open(&f->want, SCENARIO);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    lines_close(&f->want);
    hubfx_close(&f->hub);
    free(f);
    return 0;
}

static void scenario_stores_what_the_json_registry_stored(void **state)
{
    fx_t *f = *state;
    hub_person_t clerk = {.id = "oversight-1", .role = HUB_ROLE_OVERSIGHT};
    static mm_entry_t e[64];
    apply(f, e, batch1(e), 0);

    hub_request_made_t *made = malloc(sizeof *made);
    hub_complaint_body_t c = {.site = "site-a", .camera = "cam1", .via = HUB_COMPLAINT_VIA_PUBLIC};
    strcpy(c.text, "まぶしい");
    strcpy(c.contact, "r@example.jp");
    made_is(f, "made1", hub_requests_complaint(f->hub.q, &clerk, &c, T0 + 50, made), made);
    hub_request_body_t rb = {.deadline_days = 30};
    strcpy(rb.text, "確認");
    made_is(f, "made2",
            hub_requests_measures(f->hub.q, &clerk, "site-a", "complaint-3", &rb, T0 + 51, made),
            made);
    rb = (hub_request_body_t){.deadline_days = 7, .from_us = T0 - DAY_US, .to_us = T0};
    made_is(f, "made3", hub_requests_report(f->hub.q, &clerk, "site-a", &rb, T0 + 52, made), made);
    hub_complaint_body_t c2 = {.site = "site-a", .via = HUB_COMPLAINT_VIA_STAFF};
    strcpy(c2.text, "二件目");
    made_is(f, "made4", hub_requests_complaint(f->hub.q, &clerk, &c2, T0 + 53, made), made);
    rb = (hub_request_body_t){0};
    strcpy(rb.text, "不服");
    made_is(f, "made5",
            hub_requests_appeal(f->hub.q, &clerk, "site-a", "complaint-6", &rb, T0 + 54, made),
            made);
    apply(f, e, batch2(e), 24);
    strcpy(rb.text, "まだ不服");
    made_is(f, "made6",
            hub_requests_appeal(f->hub.q, &clerk, "site-a", "complaint-3", &rb, T0 + 200, made),
            made);
    free(made);

    hub_filing_decision_t *d = malloc(sizeof *d);
    *d = (hub_filing_decision_t){.site = "site-a",
                                 .filing = "4",
                                 .state = HUB_FILING_STATE_ACCEPTED,
                                 .who = &clerk,
                                 .now_us = T0 + 300};
    decided_is(f, "decided1", d);
    *d = (hub_filing_decision_t){.site = "site-a",
                                 .filing = "8",
                                 .state = HUB_FILING_STATE_RETURNED,
                                 .reason = "理由 \"x\"",
                                 .who = &clerk,
                                 .now_us = T0 + 301};
    decided_is(f, "decided2", d);
    free(d);

    hub_site_record_t *r = malloc(sizeof *r);
    assert_int_equal(hub_registry_get(f->hub.reg, "site-a", r), MM_OK);
    labelled_is(&f->want, "record", hub_site_record_json(r));
    hub_site_record_deinit(r);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_records_read_and_write_back_byte_for_byte),
        cmocka_unit_test(what_the_struct_cannot_hold_is_refused),
        cmocka_unit_test(first_recording_and_site_holds_write_back_byte_for_byte),
        cmocka_unit_test_setup_teardown(scenario_stores_what_the_json_registry_stored, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
