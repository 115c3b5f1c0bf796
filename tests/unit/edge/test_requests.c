/*
 * test_requests.c: what the city asks of a site and tells it (R-N4.2, R-N10.1, R-N10.2, R-N11,
 * R-N12) — each request logged once, however often the hub sends it; a report request answered
 * by the manager with the question, the answer and a report of the site's own records, signed
 * with the site key; complaints answered by the manager, once; the city's notices logged with
 * what they are about and their particulars, listed apart, and acknowledged once by a named
 * person.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/crypto.h"
#include "common/timefmt.h"
#include "edge/report.h"
#include "edge/requests.h"

typedef struct {
    char dir[64];
    edge_store_t *st;
    mm_ed25519_t key;
} fixture_t;

static const edge_report_camera_t cameras[] = {
    {"cam1", "recording", "中央通り 3 番地 街灯柱"},
    {"cam2", "suspended", NULL},
};
static const char *const operators[] = {"suzuki", "sato"};

static const edge_report_site_t site = {
    .site = "site-a",
    .policy = "kawaguchi",
    .retention_days = 14,
    .registered_retention_days = 14,
    .cameras = cameras,
    .n_cameras = 2,
    .manager = "tanaka",
    .operators = operators,
    .n_operators = 2,
};

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-requests-XXXXXX");
    if (!mkdtemp(f->dir) || edge_store_open(f->dir, &f->st) != MM_OK ||
        mm_ed25519_generate(&f->key) != MM_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    edge_store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    mm_ed25519_wipe(&f->key);
    free(f);
    return rc == 0 ? 0 : -1;
}

static mm_city_request_t request(const char *id, const char *kind)
{
    mm_city_request_t q;
    memset(&q, 0, sizeof q);
    snprintf(q.id, sizeof q.id, "%s", id);
    if (!mm_request_kind_parse(kind, &q.kind))
        q.kind = (mm_request_kind_t)MM_REQUEST_KIND_COUNT; /* a kind the site cannot log */
    q.time_us = 900;
    q.deadline_us = 1000000;
    return q;
}

static uint64_t log_size(fixture_t *f)
{
    uint64_t n = 0;
    assert_int_equal(edge_store_size(f->st, &n), MM_OK);
    return n;
}

/* Entry i of the log, decoded into a malloc'd entry. */
static mm_entry_t *entry_at(fixture_t *f, uint64_t i)
{
    mm_bytes_t *es = NULL;
    assert_int_equal(edge_store_entries(f->st, i, 1, &es), MM_OK);
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(mm_entry_decode(es[0].data, es[0].len, e), MM_OK);
    free(es);
    return e;
}

static void append(fixture_t *f, mm_entry_t *e, int64_t t, mm_entry_kind_t kind)
{
    e->time_us = t;
    e->kind = kind;
    assert_int_equal(edge_store_append(f->st, e, NULL), MM_OK);
    memset(e, 0, sizeof *e);
}

/* The request's entry in the list, NULL when it is not there. */
static json_t *listed(json_t *list, const char *id)
{
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(list, "requests"), i, q)
    {
        if (strcmp(json_string_value(json_object_get(q, "id")), id) == 0)
            return q;
    }
    return NULL;
}

/* R-N12: a complaint is logged once as city_request, however often the hub sends it. */
static void R_N12_complaint_is_logged_once_however_often_it_arrives(void **state)
{
    fixture_t *f = *state;
    mm_city_request_t q = request("complaint-7", "complaint");
    snprintf(q.camera, sizeof q.camera, "cam1");
    snprintf(q.text, sizeof q.text, "カメラが自宅の玄関を映している");
    size_t logged = 99;
    assert_int_equal(edge_requests_receive(f->st, &q, 1, 5000, &logged), MM_OK);
    assert_int_equal(logged, 1);
    assert_int_equal(log_size(f), 1);
    /* The hub sends it again with every ack until it sees the entry. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(edge_requests_receive(f->st, &q, 1, 6000 + i, &logged), MM_OK);
        assert_int_equal(logged, 0);
    }
    assert_int_equal(log_size(f), 1);

    mm_entry_t *e = entry_at(f, 0);
    assert_int_equal(e->kind, MM_ENTRY_CITY_REQUEST);
    assert_int_equal(e->time_us, 5000);
    const mm_city_request_entry_t *c = &e->u.city_request;
    assert_string_equal(c->id, "complaint-7");
    assert_int_equal(c->kind, MM_REQUEST_KIND_COMPLAINT);
    assert_string_equal(c->camera, "cam1");
    assert_string_equal(c->text, "カメラが自宅の玄関を映している");
    assert_int_equal(c->city_time_us, 900);
    assert_int_equal(c->deadline_us, 1000000);
    free(e);

    /* It waits for the manager: open, and overdue once its deadline has passed. */
    json_t *list = NULL;
    assert_int_equal(edge_requests_list(f->st, 2000000, &list), MM_OK);
    assert_int_equal(json_integer_value(json_object_get(list, "open")), 1);
    json_t *got = listed(list, "complaint-7");
    assert_non_null(got);
    assert_string_equal(json_string_value(json_object_get(got, "state")), "open");
    assert_true(json_is_true(json_object_get(got, "overdue")));
    assert_int_equal(json_integer_value(json_object_get(got, "received_us")), 5000);
    json_decref(list);
}

/* R-N10.1: a report request waits for the manager, whose answer carries the city's question,
 * the manager's words and a report that counts the log's entries of the period asked for
 * (disclosures by legal basis and state, holds, complaints, viewings), signed with the site key. */
static void R_N10_1_report_request_is_answered_by_the_manager_with_a_signed_report(void **state)
{
    fixture_t *f = *state;
    mm_entry_t *e = calloc(1, sizeof *e);
    /* Before the period, in it (two of each, in some cases), after it. */
    for (int64_t t = 1500; t <= 2500; t += 500) {
        snprintf(e->u.segment_recorded.camera, MM_ID_MAX, "cam1");
        snprintf(e->u.segment_recorded.codec, 16, "h264");
        append(f, e, t, MM_ENTRY_SEGMENT_RECORDED);
    }
    snprintf(e->u.segment_recorded.camera, MM_ID_MAX, "cam2");
    append(f, e, 1999, MM_ENTRY_SEGMENT_RECORDED);
    e->u.segments_erased.count = 3;
    snprintf(e->u.segments_erased.camera, MM_ID_MAX, "cam1");
    e->u.segments_erased.reason = MM_ERASE_REASON_RETENTION;
    append(f, e, 1600, MM_ENTRY_SEGMENTS_ERASED);
    for (int i = 0; i < 3; i++) {
        mm_access_t *a = &e->u.access;
        snprintf(a->account, sizeof a->account, "suzuki");
        a->role = MM_ROLE_OPERATOR;
        snprintf(a->action, sizeof a->action, "search");
        a->allowed = i < 2;
        append(f, e, 1700 + i, MM_ENTRY_ACCESS);
    }
    for (int i = 0; i < 2; i++) {
        mm_viewing_t *v = &e->u.viewing;
        assert_true(mm_viewing_state_parse(i ? "ended" : "started", &v->state));
        snprintf(v->session, sizeof v->session, "pb-1");
        snprintf(v->person, sizeof v->person, "suzuki");
        snprintf(v->camera, sizeof v->camera, "cam1");
        append(f, e, 1800 + i, MM_ENTRY_VIEWING);
    }
    const char *changes[] = {"emergency_granted", "emergency_revoked"};
    for (int i = 0; i < 2; i++) {
        mm_role_changed_t *r = &e->u.role_changed;
        assert_true(mm_role_change_parse(changes[i], &r->change));
        snprintf(r->person, sizeof r->person, "police-1");
        snprintf(r->by, sizeof r->by, "tanaka");
        append(f, e, 1810 + i, MM_ENTRY_ROLE_CHANGED);
    }
    snprintf(e->u.emergency_report.grant_id, MM_ID_MAX, "em-1");
    snprintf(e->u.emergency_report.person, MM_ID_MAX, "police-1");
    snprintf(e->u.emergency_report.text, MM_LONG_TEXT_MAX, "見た");
    append(f, e, 1820, MM_ENTRY_EMERGENCY_REPORT);
    snprintf(e->u.camera_gap.camera, MM_ID_MAX, "cam1");
    append(f, e, 1830, MM_ENTRY_CAMERA_GAP);
    snprintf(e->u.camera_gap.camera, MM_ID_MAX, "cam1");
    append(f, e, 3000, MM_ENTRY_CAMERA_GAP);
    /* A complaint received and answered in the period, a measure that is no complaint. */
    const char *kinds[] = {"complaint", "complaint_measure"};
    for (int i = 0; i < 2; i++) {
        snprintf(e->u.city_request.id, MM_ID_MAX, "c-%d", i);
        assert_true(mm_request_kind_parse(kinds[i], &e->u.city_request.kind));
        append(f, e, 1840 + i, MM_ENTRY_CITY_REQUEST);
    }
    snprintf(e->u.request_answered.id, MM_ID_MAX, "c-0");
    e->u.request_answered.kind = MM_REQUEST_KIND_COMPLAINT;
    snprintf(e->u.request_answered.by, MM_ID_MAX, "tanaka");
    append(f, e, 1850, MM_ENTRY_REQUEST_ANSWERED);
    /* Holds: two placed, one released, in the period; one placed after it. */
    for (int i = 0; i < 3; i++) {
        snprintf(e->u.hold_placed.hold_id, MM_ID_MAX, "h-%d", i);
        snprintf(e->u.hold_placed.camera, MM_ID_MAX, "cam1");
        append(f, e, i < 2 ? 1860 + i : 2100, MM_ENTRY_HOLD_PLACED);
    }
    snprintf(e->u.hold_released.hold_id, MM_ID_MAX, "h-0");
    append(f, e, 1870, MM_ENTRY_HOLD_RELEASED);
    /* Disclosures: d-1 (law) held, then approved; d-2 (emergency) held; d-3 after the period. */
    const struct {
        const char *request, *step, *basis;
        int64_t t;
    } steps[] = {{"d-1", "held", "law", 1880},
                 {"d-2", "held", "emergency", 1881},
                 {"d-1", "approved", "", 1890},
                 {"d-3", "held", "consent", 2200}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        mm_disclosure_t *x = &e->u.disclosure;
        snprintf(x->request, MM_ID_MAX, "%s", steps[i].request);
        assert_true(mm_disclosure_step_parse(steps[i].step, &x->step));
        assert_true(mm_legal_basis_parse(steps[i].basis, &x->legal_basis));
        append(f, e, steps[i].t, MM_ENTRY_DISCLOSURE);
    }
    free(e);
    uint64_t before = log_size(f);

    mm_city_request_t q = request("report-3", "report_request");
    q.from_us = 1000;
    q.to_us = 2000;
    snprintf(q.text, sizeof q.text, "2026 年度の運用状況");
    size_t logged = 0;
    assert_int_equal(edge_requests_receive(f->st, &q, 1, 9000, &logged), MM_OK);
    assert_int_equal(logged, 1);
    assert_int_equal(log_size(f), before + 1);
    e = entry_at(f, before);
    assert_int_equal(e->kind, MM_ENTRY_CITY_REQUEST);
    assert_string_equal(e->u.city_request.id, "report-3");
    assert_int_equal(e->u.city_request.from_us, 1000);
    assert_int_equal(e->u.city_request.to_us, 2000);
    free(e);

    /* It waits for the manager's words; without a key to sign with, nothing is answered. */
    json_t *list = NULL;
    assert_int_equal(edge_requests_list(f->st, 9100, &list), MM_OK);
    assert_string_equal(json_string_value(json_object_get(listed(list, "report-3"), "state")),
                        "open");
    json_decref(list);
    char msg[256];
    assert_int_equal(edge_requests_answer(f->st, "report-3", "tanaka", "ok", &site, NULL, 9200,
                                          NULL, msg, sizeof msg),
                     MM_EINVAL);
    assert_non_null(strstr(msg, "no key to sign"));
    assert_int_equal(log_size(f), before + 1);

    json_t *res = NULL;
    assert_int_equal(edge_requests_answer(f->st, "report-3", "tanaka", "適正に運用しています。",
                                          &site, &f->key, 9300, &res, msg, sizeof msg),
                     MM_OK);
    assert_string_equal(json_string_value(json_object_get(res, "state")), "answered");
    json_decref(res);
    assert_int_equal(log_size(f), before + 2);
    e = entry_at(f, before + 1);
    assert_int_equal(e->kind, MM_ENTRY_REQUEST_ANSWERED);
    assert_int_equal(e->time_us, 9300);
    const mm_request_answered_t *a = &e->u.request_answered;
    assert_string_equal(a->id, "report-3");
    assert_int_equal(a->kind, MM_REQUEST_KIND_REPORT_REQUEST);
    assert_string_equal(a->by, "tanaka");
    assert_string_equal(a->text, "適正に運用しています。");

    /* The signature is the site key's over the report's exact bytes. */
    uint8_t sig[MM_ED25519_SIG_LEN];
    assert_int_equal(
        mm_base64_decode(a->report_signature, strlen(a->report_signature), sig, sizeof sig),
        MM_ED25519_SIG_LEN);
    assert_int_equal(mm_ed25519_verify(f->key.pub, a->report, strlen(a->report), sig), MM_OK);
    mm_ed25519_t other;
    assert_int_equal(mm_ed25519_generate(&other), MM_OK);
    assert_int_equal(mm_ed25519_verify(other.pub, a->report, strlen(a->report), sig), MM_EVERIFY);
    mm_ed25519_wipe(&other);
    char *tampered = strdup(a->report);
    tampered[strlen(tampered) - 2] ^= 1;
    assert_int_equal(mm_ed25519_verify(f->key.pub, tampered, strlen(tampered), sig), MM_EVERIFY);
    free(tampered);

    /* Compact JSON, keys in the documented order: the question and the answer first. */
    assert_non_null(strstr(a->report, "{\"site\":\"site-a\",\"request\":\"report-3\","
                                      "\"from_us\":1000,\"to_us\":2000,\"generated_us\":9300,"
                                      "\"question\":\"2026 年度の運用状況\","
                                      "\"answer\":\"適正に運用しています。\","
                                      "\"answered_by\":\"tanaka\",\"policy\":\"kawaguchi\","
                                      "\"retention_days\":14,\"registered_retention_days\":14,"
                                      "\"cameras\":[{\"id\":\"cam1\",\"state\":\"recording\","));
    json_t *r = json_loads(a->report, 0, NULL);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "log_size")), before + 1);
    assert_string_equal(json_string_value(json_object_get(r, "manager")), "tanaka");
    assert_int_equal(json_array_size(json_object_get(r, "operators")), 2);
    json_t *cams = json_object_get(r, "cameras");
    assert_int_equal(json_array_size(cams), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cams, 0), "location")),
                        "中央通り 3 番地 街灯柱");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cams, 1), "state")),
                        "suspended");
    assert_null(json_object_get(r, "cameras_omitted"));
    json_t *c = json_object_get(r, "counts");
    struct {
        const char *name;
        json_int_t want;
    } counts[] = {
        {"segments_recorded", 2}, /* 1500 and 1999; 2000 and 2500 lie after the period */
        {"segments_erased", 3},   /* the segments, not the entries */
        {"access_allowed", 2},
        {"access_refused", 1},
        {"viewings", 1}, /* started; its end is the same viewing */
        {"emergency_grants", 1},
        {"emergency_reports", 1},
        {"complaints_received", 1},
        {"complaints_answered", 1},
        {"complaints_at_site", 0}, /* the site records none of its own yet */
        {"camera_gaps", 1},
        {"holds_placed", 2},
        {"holds_released", 1},
    };
    /* and "disclosures" */
    assert_int_equal(json_object_size(c), sizeof counts / sizeof counts[0] + 1);
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        json_t *v = json_object_get(c, counts[i].name);
        if (!json_is_integer(v) || json_integer_value(v) != counts[i].want)
            fail_msg("counts.%s: %lld, want %lld", counts[i].name, (long long)json_integer_value(v),
                     (long long)counts[i].want);
    }
    /* Two disclosure requests in the period: one by law, now approved; one emergency, held. */
    char *d = json_dumps(json_object_get(c, "disclosures"), JSON_COMPACT);
    assert_string_equal(d, "{\"requests\":2,\"by_legal_basis\":{\"consent\":0,\"law\":1,"
                           "\"emergency\":1,\"own_images\":0},\"by_state\":{\"approved\":1,"
                           "\"held\":1}}");
    free(d);
    json_decref(r);
    free(e);

    /* Received again: nothing more; answered again: refused. */
    assert_int_equal(edge_requests_receive(f->st, &q, 1, 9500, &logged), MM_OK);
    assert_int_equal(logged, 0);
    assert_int_equal(edge_requests_answer(f->st, "report-3", "tanaka", "again", &site, &f->key,
                                          9600, NULL, msg, sizeof msg),
                     MM_EEXIST);
    assert_int_equal(log_size(f), before + 2);
    list = NULL;
    assert_int_equal(edge_requests_list(f->st, 9700, &list), MM_OK);
    assert_string_equal(json_string_value(json_object_get(listed(list, "report-3"), "state")),
                        "answered");
    assert_int_equal(json_integer_value(json_object_get(list, "open")), 0);
    json_decref(list);
}

/* R-N12: the manager answers a complaint once; a second answer, an unknown id and an empty
 * answer are refused, and nothing is logged for them. */
static void R_N12_manager_answers_a_complaint_once(void **state)
{
    fixture_t *f = *state;
    mm_city_request_t q[2] = {request("complaint-7", "complaint"),
                              request("measure-request-2", "complaint_measure")};
    snprintf(q[1].complaint, sizeof q[1].complaint, "complaint-7");
    assert_int_equal(edge_requests_receive(f->st, q, 2, 5000, NULL), MM_OK);
    assert_int_equal(log_size(f), 2);

    char msg[256] = "";
    json_t *res = NULL;
    assert_int_equal(edge_requests_answer(f->st, "complaint-7", "tanaka",
                                          "向きを変え、玄関が映らないようにした。", NULL, NULL,
                                          7000, &res, msg, sizeof msg),
                     MM_OK);
    assert_non_null(res);
    assert_string_equal(json_string_value(json_object_get(res, "state")), "answered");
    assert_string_equal(json_string_value(json_object_get(res, "by")), "tanaka");
    json_decref(res);
    assert_int_equal(log_size(f), 3);
    mm_entry_t *e = entry_at(f, 2);
    assert_int_equal(e->kind, MM_ENTRY_REQUEST_ANSWERED);
    assert_int_equal(e->time_us, 7000);
    assert_string_equal(e->u.request_answered.id, "complaint-7");
    assert_int_equal(e->u.request_answered.kind, MM_REQUEST_KIND_COMPLAINT);
    assert_string_equal(e->u.request_answered.by, "tanaka");
    assert_string_equal(e->u.request_answered.text, "向きを変え、玄関が映らないようにした。");
    assert_string_equal(e->u.request_answered.report, "");
    free(e);

    assert_int_equal(edge_requests_answer(f->st, "complaint-7", "tanaka", "again", NULL, NULL, 7100,
                                          &res, msg, sizeof msg),
                     MM_EEXIST);
    assert_null(res);
    assert_non_null(strstr(msg, "answered already (by tanaka)"));
    assert_int_equal(edge_requests_answer(f->st, "complaint-8", "tanaka", "x", NULL, NULL, 7100,
                                          NULL, msg, sizeof msg),
                     MM_ENOTFOUND);
    assert_non_null(strstr(msg, "no city request complaint-8"));
    assert_int_equal(edge_requests_answer(f->st, "measure-request-2", "tanaka", "", NULL, NULL,
                                          7100, NULL, msg, sizeof msg),
                     MM_EINVAL);
    assert_int_equal(log_size(f), 3);

    /* The measure is still open; answered, it is closed too. */
    json_t *list = NULL;
    assert_int_equal(edge_requests_list(f->st, 7200, &list), MM_OK);
    assert_int_equal(json_integer_value(json_object_get(list, "open")), 1);
    assert_string_equal(
        json_string_value(json_object_get(listed(list, "measure-request-2"), "complaint")),
        "complaint-7");
    json_decref(list);
    assert_int_equal(edge_requests_answer(f->st, "measure-request-2", "tanaka", "措置済み", NULL,
                                          NULL, 7300, NULL, msg, sizeof msg),
                     MM_OK);
    assert_int_equal(log_size(f), 4);
    /* The hub's late resend of an answered request changes nothing. */
    assert_int_equal(edge_requests_receive(f->st, q, 2, 7400, NULL), MM_OK);
    assert_int_equal(log_size(f), 4);
}

/* A report always fits its entry: cameras that would not fit are left out, and counted. */
static void report_leaves_out_what_does_not_fit(void **state)
{
    fixture_t *f = *state;
    enum { N = 40 };
    static char locations[N][2000];
    static char ids[N][16];
    edge_report_camera_t many[N];
    for (int i = 0; i < N; i++) {
        memset(locations[i], 'x', sizeof locations[i] - 1);
        snprintf(ids[i], sizeof ids[i], "cam%d", i);
        many[i] = (edge_report_camera_t){ids[i], "recording", locations[i]};
    }
    edge_report_site_t big = site;
    big.cameras = many;
    big.n_cameras = N;
    char *out = malloc(MM_REPORT_MAX);
    /* The longest question and answer the wire and the control socket carry, all quotes. */
    static char question[MM_LONG_TEXT_MAX], answer[MM_LONG_TEXT_MAX];
    memset(question, '"', sizeof question - 1);
    memset(answer, '\\', sizeof answer - 1);
    edge_report_ask_t ask = {"report-1", question, answer, "tanaka", 0, 1};
    assert_int_equal(edge_report_build(f->st, &big, &ask, 100, out, MM_REPORT_MAX), MM_OK);
    assert_true(strlen(out) < MM_REPORT_MAX);
    json_t *r = json_loads(out, 0, NULL);
    assert_non_null(r);
    size_t shown = json_array_size(json_object_get(r, "cameras"));
    assert_true(shown > 0 && shown < N);
    assert_int_equal(json_integer_value(json_object_get(r, "cameras_omitted")), N - shown);
    json_decref(r);
    /* Nothing fits in a buffer too small even for the counts. */
    assert_int_equal(edge_report_build(f->st, &big, &ask, 100, out, 64), MM_ERANGE);
    free(out);
}

/* Requests the site cannot log are refused; the others in the same ack are handled. */
static void bad_request_does_not_stop_the_others(void **state)
{
    fixture_t *f = *state;
    mm_city_request_t q[2] = {request("x", "appeal"), request("complaint-9", "complaint")};
    size_t logged = 0;
    assert_int_equal(edge_requests_receive(f->st, q, 2, 5000, &logged), MM_EINVAL);
    assert_int_equal(logged, 1);
    assert_int_equal(log_size(f), 1);
}

/* A notice of kind about subject with detail and text, made by the city at t. */
static mm_city_request_t notice(const char *id, const char *kind, const char *subject,
                                const char *detail, const char *text, int64_t t)
{
    mm_city_request_t q = request(id, kind);
    q.deadline_us = 0;
    q.time_us = t;
    snprintf(q.subject, sizeof q.subject, "%s", subject);
    snprintf(q.detail, sizeof q.detail, "%s", detail);
    snprintf(q.text, sizeof q.text, "%s", text);
    return q;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* R-N4.2, R-N11: the city's notices are logged with what they are about and their particulars,
 * listed apart from the requests, and acknowledged once by a named person; a returned filing is
 * the site's latest decision until a later one. */
static void R_N4_2_notice_is_logged_listed_apart_and_acknowledged_once(void **state)
{
    fixture_t *f = *state;
    /* 2026-05-01 00:30 in Japan is 2026-04-30 15:30 UTC. */
    const int64_t T = 1777563000LL * 1000000;
    mm_city_request_t q[2] = {
        notice("notice-4", "filing_decision", "filing/12",
               "{\"decision\":\"returned\",\"filing\":\"12\",\"filing_kind\":\"change\","
               "\"version\":3}",
               "保存期間の記載が不十分", T),
        notice("notice-5", "hearing_offer", "measure/2",
               "{\"measure\":2,\"date\":\"2026-06-01 10:00\",\"place\":\"市役所\","
               "\"how\":\"書面で\",\"deadline\":\"2026-05-25\"}",
               "意見を述べる機会", T + 1),
    };
    size_t logged = 0;
    assert_int_equal(edge_requests_receive(f->st, q, 2, 5000, &logged), MM_OK);
    assert_int_equal(logged, 2);
    mm_entry_t *e = entry_at(f, 0);
    assert_int_equal(e->kind, MM_ENTRY_CITY_REQUEST);
    assert_int_equal(e->u.city_request.kind, MM_REQUEST_KIND_FILING_DECISION);
    assert_string_equal(e->u.city_request.subject, "filing/12");
    assert_string_equal(e->u.city_request.detail, q[0].detail);
    free(e);

    /* Not a request to answer: listed by notices only. */
    json_t *list = NULL;
    assert_int_equal(edge_requests_list(f->st, 6000, &list), MM_OK);
    assert_int_equal(json_array_size(json_object_get(list, "requests")), 0);
    json_decref(list);
    char msg[256];
    assert_int_equal(edge_requests_answer(f->st, "notice-4", "tanaka", "x", NULL, NULL, 6000, NULL,
                                          msg, sizeof msg),
                     MM_ECONFLICT);
    assert_non_null(strstr(msg, "notices ack notice-4"));
    json_t *n = NULL;
    assert_int_equal(edge_requests_notices(f->st, NULL, 0, &n, msg, sizeof msg), MM_OK);
    assert_int_equal(json_integer_value(json_object_get(n, "open")), 2);
    json_t *first = json_array_get(json_object_get(n, "notices"), 0);
    assert_string_equal(str(first, "id"), "notice-4");
    assert_string_equal(str(first, "state"), "open");
    assert_string_equal(str(json_object_get(first, "detail"), "decision"), "returned");
    json_decref(n);

    /* The latest decision on the standards: returned, version 3, on the day in Japan. */
    json_t *d = NULL;
    assert_int_equal(edge_requests_filing_decision(f->st, &d), MM_OK);
    assert_non_null(d);
    assert_string_equal(str(d, "decision"), "returned");
    assert_int_equal(json_integer_value(json_object_get(d, "version")), 3);
    assert_string_equal(str(d, "date"), "2026-05-01");
    assert_string_equal(str(d, "reason"), "保存期間の記載が不十分");
    json_decref(d);

    /* An operator acknowledges, once; unknown ids and requests that are no notices are refused. */
    json_t *res = NULL;
    assert_int_equal(
        edge_requests_ack(f->st, "notice-4", "suzuki", "確認しました", 7000, &res, msg, sizeof msg),
        MM_OK);
    assert_string_equal(str(res, "state"), "acknowledged");
    assert_string_equal(str(res, "by"), "suzuki");
    json_decref(res);
    e = entry_at(f, 2);
    assert_int_equal(e->kind, MM_ENTRY_REQUEST_ANSWERED);
    assert_string_equal(e->u.request_answered.id, "notice-4");
    assert_int_equal(e->u.request_answered.kind, MM_REQUEST_KIND_FILING_DECISION);
    assert_string_equal(e->u.request_answered.by, "suzuki");
    assert_string_equal(e->u.request_answered.text, "確認しました");
    free(e);
    assert_int_equal(
        edge_requests_ack(f->st, "notice-4", "tanaka", NULL, 7100, NULL, msg, sizeof msg),
        MM_EEXIST);
    assert_non_null(strstr(msg, "acknowledged already (by suzuki"));
    assert_int_equal(
        edge_requests_ack(f->st, "notice-9", "tanaka", NULL, 7100, NULL, msg, sizeof msg),
        MM_ENOTFOUND);
    assert_non_null(strstr(msg, "no notice notice-9"));
    mm_city_request_t c = request("complaint-1", "complaint");
    assert_int_equal(edge_requests_receive(f->st, &c, 1, 7200, NULL), MM_OK);
    assert_int_equal(
        edge_requests_ack(f->st, "complaint-1", "tanaka", NULL, 7300, NULL, msg, sizeof msg),
        MM_ECONFLICT);
    assert_int_equal(log_size(f), 4);
    /* Acknowledged without words. */
    assert_int_equal(
        edge_requests_ack(f->st, "notice-5", "tanaka", NULL, 7400, NULL, msg, sizeof msg), MM_OK);

    /* Open ones by default, all on asking, one by its id. */
    assert_int_equal(edge_requests_notices(f->st, NULL, 0, &n, msg, sizeof msg), MM_OK);
    assert_int_equal(json_array_size(json_object_get(n, "notices")), 0);
    json_decref(n);
    assert_int_equal(edge_requests_notices(f->st, NULL, 1, &n, msg, sizeof msg), MM_OK);
    assert_int_equal(json_array_size(json_object_get(n, "notices")), 2);
    json_decref(n);
    assert_int_equal(edge_requests_notices(f->st, "notice-5", 0, &n, msg, sizeof msg), MM_OK);
    assert_string_equal(str(json_object_get(json_object_get(n, "notice"), "detail"), "place"),
                        "市役所");
    json_decref(n);
    assert_int_equal(edge_requests_notices(f->st, "complaint-1", 0, &n, msg, sizeof msg),
                     MM_ENOTFOUND);
    assert_null(n);

    /* A later decision is the latest: version 4 accepted. */
    mm_city_request_t later =
        notice("notice-9", "filing_decision", "filing/20",
               "{\"decision\":\"accepted\",\"filing\":\"20\",\"filing_kind\":\"change\","
               "\"version\":4}",
               "", T + 86400000000LL);
    assert_int_equal(edge_requests_receive(f->st, &later, 1, 8000, NULL), MM_OK);
    assert_int_equal(edge_requests_filing_decision(f->st, &d), MM_OK);
    assert_string_equal(str(d, "decision"), "accepted");
    assert_int_equal(json_integer_value(json_object_get(d, "version")), 4);
    json_decref(d);
}

/* A notice whose particulars are no JSON object cannot be logged, and is not. */
static void notice_with_bad_detail_is_not_logged(void **state)
{
    fixture_t *f = *state;
    mm_city_request_t q[2] = {notice("notice-1", "guidance", "measure/1", "[1]", "x", 1),
                              notice("notice-2", "guidance", "measure/2", "{", "x", 2)};
    size_t logged = 0;
    assert_int_equal(edge_requests_receive(f->st, q, 2, 5000, &logged), MM_EINVAL);
    assert_int_equal(logged, 0);
    assert_int_equal(log_size(f), 0);
    json_t *d = NULL;
    assert_int_equal(edge_requests_filing_decision(f->st, &d), MM_OK);
    assert_null(d);
}

int main(void)
{
    /* The site's zone, as the edge makes it its own at start (dates people read are in it). */
    if (mm_tz_use("Asia/Tokyo") != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(R_N12_complaint_is_logged_once_however_often_it_arrives,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            R_N10_1_report_request_is_answered_by_the_manager_with_a_signed_report, setup,
            teardown),
        cmocka_unit_test_setup_teardown(R_N12_manager_answers_a_complaint_once, setup, teardown),
        cmocka_unit_test_setup_teardown(report_leaves_out_what_does_not_fit, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_request_does_not_stop_the_others, setup, teardown),
        cmocka_unit_test_setup_teardown(R_N4_2_notice_is_logged_listed_apart_and_acknowledged_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(notice_with_bad_detail_is_not_logged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
