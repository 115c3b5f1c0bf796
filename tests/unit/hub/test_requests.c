/*
 * test_requests.c: what the city asks of a site (hub/requests), with real LMDB, a real registry
 * and a real hub log.
 *
 * A complaint, a measure request on it and a report request join the site's requests with
 * their ids ("complaint-N", "measure-request-N", "report-N"), their fields in the order the API
 * answers with, and go out to the site (registry pending); an appeal joins its complaint. Each
 * is logged in the hub's log in the same commit, as it has always been (R-N10.1, R-N12). An
 * appeal or a measure request of what is no complaint is not found, a second appeal is a
 * conflict; neither leaves a trace. The site's requests list each answer's report signature as
 * checked with the site's key.
 */
#include "hub_fixture.h"
#include "common/crypto.h"
#include "common/entry.h"
#include "hub/audit.h"
#include "hub/hublog.h"
#include "hub/registry.h"
#include "hub/registry_codec.h"
#include "hub/requests.h"

#define DAY_US (86400LL * 1000000)
#define T0 (1795000000LL * 1000000)

typedef hubfx_t fx_t;

static int setup(void **state)
{
    *state = hubfx_new("requests", HUBFX_REQUESTS);
    return 0;
}

static const char *str_at(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* The members of o, in order, joined with commas. */
static void keys_of(json_t *o, char *out, size_t cap)
{
    out[0] = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", n ? "," : "", k);
    }
}

/* What the API answers a request made with, before its site and place in the hub's log: the
 * request as stored, or the appeal made. */
static json_t *made_json(const hub_request_made_t *made)
{
    json_t *o =
        made->appeal ? hub_appeal_json(&made->request.appeal) : hub_request_json(&made->request);
    assert_non_null(o);
    return o;
}

/* site-a's record, as stored and shown. */
static json_t *record_json(fx_t *f)
{
    hub_site_record_t *r = malloc(sizeof *r);
    assert_int_equal(hub_registry_get(f->reg, "site-a", r), MM_OK);
    json_t *o = hub_site_record_json(r);
    assert_non_null(o);
    hub_site_record_deinit(r);
    free(r);
    return o;
}

/* Entry i of the hub's log is the city action with these members (and no detail). */
static void logged(fx_t *f, size_t i, const char *action, const char *site, const char *subject,
                   const char *person, const char *role, const char *reason)
{
    hubfx_logged(f, i, (hubfx_action_t){action, site, subject, person, role, reason, "", 0});
}

static void test_requests_join_the_record_and_the_hub_log(void **state)
{
    fx_t *f = *state;
    char keys[256];
    json_t *req;
    hub_complaint_body_t c = {.site = "site-a", .camera = "cam1", .via = HUB_COMPLAINT_VIA_PUBLIC};
    strcpy(c.text, "夜間に照明がまぶしい");
    strcpy(c.contact, "resident@example.jp");
    hub_request_made_t made;
    assert_int_equal(hub_requests_complaint(f->q, &f->intake, &c, T0, &made), MM_OK);
    assert_string_equal(made.id, "complaint-1");
    req = made_json(&made);
    assert_int_equal(made.hub_log_index, 0);
    keys_of(req, keys, sizeof keys);
    assert_string_equal(keys, "camera,text,contact,via,deadline_us,by,time_us,id,kind,state");
    assert_string_equal(str_at(req, "kind"), "complaint");
    assert_string_equal(str_at(req, "state"), "pending");
    assert_string_equal(str_at(req, "by"), "intake-1");
    assert_int_equal(json_integer_value(json_object_get(req, "deadline_us")), T0 + 14 * DAY_US);
    json_decref(req);
    logged(f, 0, "complaint_registered", "site-a", "complaint-1", "intake-1", "intake",
           "夜間に照明がまぶしい");

    hub_request_body_t b = {.deadline_days = 30};
    strcpy(b.text, "撮影範囲の再確認");
    assert_int_equal(
        hub_requests_measures(f->q, &f->clerk, "site-a", "complaint-1", &b, T0 + 1, &made), MM_OK);
    assert_string_equal(made.id, "measure-request-2");
    req = made_json(&made);
    keys_of(req, keys, sizeof keys);
    assert_string_equal(keys, "text,deadline_us,by,time_us,id,kind,state,complaint");
    assert_string_equal(str_at(req, "kind"), "complaint_measure");
    assert_string_equal(str_at(req, "complaint"), "complaint-1");
    assert_int_equal(json_integer_value(json_object_get(req, "deadline_us")), T0 + 1 + 30 * DAY_US);
    json_decref(req);
    logged(f, 1, "measures_requested", "site-a", "measure-request-2", "oversight-1", "oversight",
           "撮影範囲の再確認");

    b = (hub_request_body_t){.deadline_days = 7, .from_us = T0 - DAY_US, .to_us = T0};
    assert_int_equal(hub_requests_report(f->q, &f->clerk, "site-a", &b, T0 + 2, &made), MM_OK);
    assert_string_equal(made.id, "report-3");
    req = made_json(&made);
    keys_of(req, keys, sizeof keys);
    assert_string_equal(keys, "text,from_us,to_us,deadline_us,by,time_us,id,kind,state");
    json_decref(req);
    logged(f, 2, "report_requested", "site-a", "report-3", "oversight-1", "oversight", "");

    strcpy(b.text, "回答に納得できない");
    assert_int_equal(
        hub_requests_appeal(f->q, &f->intake, "site-a", "complaint-1", &b, T0 + 3, &made), MM_OK);
    assert_string_equal(made.id, "complaint-1");
    req = made_json(&made);
    keys_of(req, keys, sizeof keys);
    assert_string_equal(keys, "text,time_us,by");
    assert_int_equal(json_integer_value(json_object_get(req, "time_us")), T0 + 3);
    json_decref(req);
    logged(f, 3, "complaint_appealed", "site-a", "complaint-1", "intake-1", "intake",
           "回答に納得できない");

    /* In the record, and on their way to the site: three requests, the appeal in its complaint. */
    json_t *rec = record_json(f);
    json_t *reqs = json_object_get(rec, "requests");
    assert_int_equal(json_object_size(reqs), 3);
    json_t *appeal = json_object_get(json_object_get(reqs, "complaint-1"), "appeal");
    assert_string_equal(str_at(appeal, "text"), "回答に納得できない");
    json_decref(rec);
    mm_city_request_t *out = calloc(MM_WIRE_REQUESTS_MAX, sizeof *out);
    assert_int_equal(hub_registry_pending(f->reg, "site-a", out, MM_WIRE_REQUESTS_MAX), 3);
    assert_int_equal(out[1].kind, MM_REQUEST_KIND_COMPLAINT_MEASURE);
    assert_string_equal(out[1].complaint, "complaint-1");
    free(out);
}

static void test_refusals_leave_no_trace(void **state)
{
    fx_t *f = *state;
    hub_request_body_t b = {.deadline_days = 7};
    strcpy(b.text, "x");
    hub_request_made_t made;
    /* Nothing to appeal, nothing to request measures on. */
    assert_int_equal(hub_requests_appeal(f->q, &f->intake, "site-a", "complaint-1", &b, T0, &made),
                     MM_ENOTFOUND);
    assert_string_equal(made.why, "no such complaint");
    assert_string_equal(made.request.id, ""); /* nothing made */
    assert_int_equal(hub_requests_report(f->q, &f->clerk, "site-a", &b, T0, &made), MM_OK);
    assert_int_equal(hub_requests_measures(f->q, &f->clerk, "site-a", "report-1", &b, T0, &made),
                     MM_ENOTFOUND); /* a report request is no complaint */
    assert_int_equal(hub_requests_appeal(f->q, &f->intake, "site-a", NULL, &b, T0, &made),
                     MM_ENOTFOUND);

    hub_complaint_body_t c = {.site = "site-a", .via = HUB_COMPLAINT_VIA_STAFF};
    strcpy(c.text, "t");
    assert_int_equal(hub_requests_complaint(f->q, &f->clerk, &c, T0, &made), MM_OK);
    assert_string_equal(made.id, "complaint-2");
    assert_int_equal(hub_requests_appeal(f->q, &f->intake, "site-a", "complaint-2", &b, T0, &made),
                     MM_OK);
    assert_int_equal(hub_requests_appeal(f->q, &f->intake, "site-a", "complaint-2", &b, T0, &made),
                     MM_ECONFLICT);
    assert_string_equal(made.why, "the complaint has been appealed already");
    assert_int_equal(hubfx_log_size(f), 3);
    json_t *rec = record_json(f);
    assert_int_equal(json_object_size(json_object_get(rec, "requests")), 2);
    json_decref(rec);
}

/* An answer's report, signed (or not) with the site's key, as the registry learns it. */
static mm_err_t answer_in(hub_site_record_t *rec, void *arg)
{
    const char *const *answers = arg; /* id, report, signature; NULL ends them */
    for (; *answers; answers += 3) {
        hub_request_t *q = hub_site_record_request(rec, answers[0]);
        assert_non_null(q);
        snprintf(q->answer.id, sizeof q->answer.id, "%s", answers[0]);
        q->answer.kind = q->kind;
        snprintf(q->answer.report, sizeof q->answer.report, "%s", answers[1]);
        snprintf(q->answer.report_signature, sizeof q->answer.report_signature, "%s", answers[2]);
        hub_members_add(&q->members, HUB_REQUEST_ANSWER);
    }
    return MM_OK;
}

typedef struct {
    hub_registry_t *reg;
    const char *const *answers;
} answer_t;

static mm_err_t answer_txn(MDB_txn *txn, void *arg)
{
    answer_t *a = arg;
    return hub_registry_update_in(a->reg, txn, "site-a", answer_in, (void *)a->answers);
}

static void test_list_checks_report_signatures(void **state)
{
    fx_t *f = *state;
    hub_site_conf_t site = {.id = "site-a"};
    mm_ed25519_t key;
    assert_int_equal(mm_ed25519_generate(&key), MM_OK);
    memcpy(site.verifier.pub, key.pub, sizeof site.verifier.pub);
    hub_request_body_t b = {.deadline_days = 7};
    hub_request_made_t made;
    for (int i = 0; i < 3; i++)
        assert_int_equal(hub_requests_report(f->q, &f->clerk, "site-a", &b, T0, &made), MM_OK);
    const char *report = "{\"hours\":24}";
    uint8_t sig[MM_ED25519_SIG_LEN];
    assert_int_equal(mm_ed25519_sign(&key, report, strlen(report), sig), MM_OK);
    char good[128];
    assert_true(mm_base64_encode(sig, sizeof sig, good, sizeof good) > 0);
    sig[0] ^= 1;
    char bad[128];
    assert_true(mm_base64_encode(sig, sizeof sig, bad, sizeof bad) > 0);
    const char *const answers[] = {"report-1", report, good, "report-2", report, bad, NULL};
    answer_t a = {f->reg, answers};
    assert_int_equal(mm_db_write(f->db, answer_txn, &a), MM_OK);

    hub_site_record_t *rec = malloc(sizeof *rec);
    assert_int_equal(hub_registry_get(f->reg, "site-a", rec), MM_OK);
    assert_int_equal(rec->n_requests, 3);
    assert_int_equal(hub_requests_report_valid(&site, &rec->requests[0]), 1);
    assert_int_equal(hub_requests_report_valid(&site, &rec->requests[1]), 0);
    assert_int_equal(hub_requests_report_valid(&site, &rec->requests[2]), -1); /* no answer */
    hub_site_record_deinit(rec);
    free(rec);
}

/* A complaint the site received, learned as the registry learns it from the site's log. */
static mm_err_t site_complaint_in(hub_site_record_t *rec, void *arg)
{
    (void)arg;
    mm_entry_t *e = calloc(1, sizeof *e);
    e->kind = MM_ENTRY_SITE_COMPLAINT;
    e->time_us = T0;
    mm_site_complaint_t *c = &e->u.site_complaint;
    strcpy(c->id, "site-complaint-1");
    c->step = MM_COMPLAINT_STEP_CLOSED;
    c->received_us = T0 - DAY_US;
    c->channel = MM_COMPLAINT_CHANNEL_IN_PERSON;
    strcpy(c->about, "窓が映っている");
    strcpy(c->by, "tanaka");
    strcpy(c->text, "マスクを掛けた");
    mm_err_t err = hub_site_record_apply(rec, 12, e);
    free(e);
    return err;
}

static mm_err_t site_complaint_txn(MDB_txn *txn, void *arg)
{
    return hub_registry_update_in(arg, txn, "site-a", site_complaint_in, NULL);
}

/* R-N12(2): the complainant appeals to the city about a complaint the site received itself; an
 * appeal names a complaint that exists, once. */
static void test_appeal_of_a_site_complaint(void **state)
{
    fx_t *f = *state;
    assert_int_equal(mm_db_write(f->db, site_complaint_txn, f->reg), MM_OK);
    hub_request_body_t b = {0};
    strcpy(b.text, "店の説明に納得できない");
    hub_request_made_t made;
    assert_int_equal(
        hub_requests_appeal(f->q, &f->intake, "site-a", "site-complaint-9", &b, T0, &made),
        MM_ENOTFOUND);
    assert_string_equal(made.why, "no such complaint");
    assert_int_equal(hubfx_log_size(f), 0);
    assert_int_equal(
        hub_requests_appeal(f->q, &f->intake, "site-a", "site-complaint-1", &b, T0 + 1, &made),
        MM_OK);
    assert_string_equal(made.id, "site-complaint-1");
    json_t *o = made_json(&made);
    assert_string_equal(str_at(o, "text"), "店の説明に納得できない");
    assert_string_equal(str_at(o, "by"), "intake-1");
    json_decref(o);
    logged(f, 0, "complaint_appealed", "site-a", "site-complaint-1", "intake-1", "intake",
           "店の説明に納得できない");
    assert_int_equal(
        hub_requests_appeal(f->q, &f->intake, "site-a", "site-complaint-1", &b, T0 + 2, &made),
        MM_ECONFLICT);
    assert_int_equal(hubfx_log_size(f), 1);
    json_t *rec = record_json(f);
    json_t *sc = json_object_get(json_object_get(rec, "site_complaints"), "site-complaint-1");
    assert_string_equal(str_at(json_object_get(sc, "appeal"), "text"), "店の説明に納得できない");
    assert_string_equal(str_at(sc, "state"), "closed");
    /* Nothing else is appealed: a measure request needs the city's complaint. */
    assert_int_equal(
        hub_requests_measures(f->q, &f->clerk, "site-a", "site-complaint-1", &b, T0, &made),
        MM_ENOTFOUND);
    json_decref(rec);
}

/* R-N12: a resident's complaint online is made as a staff-registered one, by "public". */
static void test_public_complaint_is_by_the_public(void **state)
{
    fx_t *f = *state;
    hub_complaint_body_t c = {.site = "site-a", .via = HUB_COMPLAINT_VIA_PUBLIC};
    strcpy(c.text, "夜中にライトが点滅する");
    hub_request_made_t made;
    assert_int_equal(hub_requests_complaint(f->q, NULL, &c, T0, &made), MM_OK);
    assert_string_equal(made.id, "complaint-1");
    assert_string_equal(made.request.by, "public");
    assert_int_equal(made.request.via, HUB_COMPLAINT_VIA_PUBLIC);
    assert_int_equal(made.request.deadline_us, T0 + 14 * DAY_US);
    logged(f, 0, "complaint_registered", "site-a", "complaint-1", "public", "public",
           "夜中にライトが点滅する");
    mm_city_request_t *out = calloc(4, sizeof *out);
    assert_int_equal(hub_registry_pending(f->reg, "site-a", out, 4), 1);
    assert_string_equal(out[0].id, "complaint-1");
    assert_int_equal(out[0].kind, MM_REQUEST_KIND_COMPLAINT);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_requests_join_the_record_and_the_hub_log, setup,
                                        hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_refusals_leave_no_trace, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_list_checks_report_signatures, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_appeal_of_a_site_complaint, setup, hubfx_teardown),
        cmocka_unit_test_setup_teardown(test_public_complaint_is_by_the_public, setup,
                                        hubfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
