/*
 * test_notices.c: the city's notices to a site (hub/notices) — R-N4.2, R-N10.2, R-N11.
 *
 * A notice is a request of the site's record: "notice-N", pending as made, with its subject,
 * text and particulars (a JSON object, stored and shown as one); it goes out with the acks
 * (hub_registry_pending) with every field, until the site's city_request entry makes it
 * delivered; the site's request_answered entry is its acknowledgement, by a named person. The
 * record writes back byte for byte. What could never reach the site (a detail too long for the
 * wire, a kind that is no notice, particulars that are no object) is refused, and nothing added.
 */
#include "hub_fixture.h"
#include "common/wire.h"
#include "hub/notices.h"
#include "hub/registry_codec.h"

#define T0 (1795000000LL * 1000000)

static int setup(void **state)
{
    *state = hubfx_new("notices", HUBFX_REGISTRY);
    return 0;
}

/* A standards filing of version 3 and a camera's suspension, as the registry keeps them. */
static void filings(hub_filing_t *std, hub_filing_t *cam)
{
    memset(std, 0, sizeof *std);
    snprintf(std->id, sizeof std->id, "12");
    std->kind = HUB_FILING_KIND_CHANGE;
    std->version = 3;
    memset(cam, 0, sizeof *cam);
    snprintf(cam->id, sizeof cam->id, "14");
    cam->kind = HUB_FILING_KIND_SUSPENSION;
    snprintf(cam->camera, sizeof cam->camera, "cam2");
}

static char *dumps(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    assert_non_null(s);
    return s;
}

/* R-N4.2: a filing's decision as a notice: pending, then delivered, then acknowledged. */
static void R_N4_2_notice_is_sent_delivered_and_acknowledged(void **state)
{
    (void)state;
    hub_filing_t std, cam;
    filings(&std, &cam);
    json_t *d = hub_notice_filing_detail(&std, HUB_FILING_STATE_RETURNED);
    char *text = dumps(d);
    assert_string_equal(
        text, "{\"decision\":\"returned\",\"filing\":\"12\",\"filing_kind\":\"change\",\"version\":3}");
    free(text);
    json_t *dc = hub_notice_filing_detail(&cam, HUB_FILING_STATE_ACCEPTED);
    text = dumps(dc);
    assert_string_equal(text, "{\"decision\":\"accepted\",\"filing\":\"14\",\"filing_kind\":"
                              "\"suspension\",\"camera\":\"cam2\"}");
    free(text);
    json_decref(dc);

    hub_site_record_t *rec = malloc(sizeof *rec);
    hub_site_record_init(rec, "site-a");
    hub_request_t *c = hub_site_record_add_request(rec); /* a complaint before it */
    snprintf(c->id, sizeof c->id, "complaint-1");
    hub_notice_t n = {.kind = MM_REQUEST_KIND_FILING_DECISION,
                      .subject = "filing/12",
                      .text = "保存期間の記載が不十分",
                      .detail = d,
                      .by = "oversight-1",
                      .time_us = T0};
    char id[MM_ID_MAX];
    assert_int_equal(hub_notice_add(rec, &n, id, sizeof id), MM_OK);
    json_decref(d);
    assert_string_equal(id, "notice-2");
    hub_request_t *q = hub_site_record_request(rec, "notice-2");
    assert_non_null(q);
    assert_int_equal(q->state, HUB_REQUEST_STATE_PENDING);
    assert_int_equal(q->deadline_us, 0); /* acknowledging is no duty: no finding when late */
    json_t *j = hub_request_json(q);
    text = dumps(j);
    assert_string_equal(text, "{\"id\":\"notice-2\",\"kind\":\"filing_decision\",\"state\":"
                              "\"pending\",\"by\":\"oversight-1\",\"time_us\":1795000000000000,"
                              "\"subject\":\"filing/12\",\"text\":\"保存期間の記載が不十分\","
                              "\"detail\":{\"decision\":\"returned\",\"filing\":\"12\","
                              "\"filing_kind\":\"change\",\"version\":3}}");
    free(text);
    json_decref(j);

    /* Delivered: the site's city_request entry; acknowledged: its request_answered. */
    mm_entry_t e = {.time_us = T0 + 5, .kind = MM_ENTRY_CITY_REQUEST};
    snprintf(e.u.city_request.id, MM_ID_MAX, "notice-2");
    e.u.city_request.kind = MM_REQUEST_KIND_FILING_DECISION;
    assert_int_equal(hub_site_record_apply(rec, 40, &e), MM_OK);
    q = hub_site_record_request(rec, "notice-2");
    assert_int_equal(q->state, HUB_REQUEST_STATE_DELIVERED);
    assert_int_equal(q->delivered.index, 40);
    assert_int_equal(q->delivered.time_us, T0 + 5);
    e = (mm_entry_t){.time_us = T0 + 9, .kind = MM_ENTRY_REQUEST_ANSWERED};
    snprintf(e.u.request_answered.id, MM_ID_MAX, "notice-2");
    e.u.request_answered.kind = MM_REQUEST_KIND_FILING_DECISION;
    snprintf(e.u.request_answered.by, MM_ID_MAX, "sousa");
    snprintf(e.u.request_answered.text, MM_LONG_TEXT_MAX, "確認しました");
    assert_int_equal(hub_site_record_apply(rec, 41, &e), MM_OK);
    q = hub_site_record_request(rec, "notice-2");
    assert_int_equal(q->state, HUB_REQUEST_STATE_ANSWERED);
    assert_string_equal(q->answer.by, "sousa");
    assert_int_equal(q->answer_at.index, 41);

    /* Stored and read back, byte for byte, the particulars an object again. */
    char *stored = hub_site_record_encode(rec);
    assert_non_null(stored);
    hub_site_record_t *back = malloc(sizeof *back);
    assert_int_equal(hub_site_record_decode(stored, strlen(stored), back), MM_OK);
    char *again = hub_site_record_encode(back);
    assert_string_equal(again, stored);
    assert_string_equal(hub_site_record_request(back, "notice-2")->detail,
                        "{\"decision\":\"returned\",\"filing\":\"12\",\"filing_kind\":\"change\","
                        "\"version\":3}");
    free(stored);
    free(again);
    hub_site_record_free(back);
    hub_site_record_free(rec);
}

/* What could never reach the site is refused, and nothing is added. */
static void notice_that_cannot_go_is_refused(void **state)
{
    (void)state;
    hub_site_record_t *rec = malloc(sizeof *rec);
    hub_site_record_init(rec, "site-a");
    json_t *d = json_pack("{s:i}", "measure", 1);
    hub_notice_t n = {.kind = MM_REQUEST_KIND_COMPLAINT, .subject = "measure/1", .detail = d};
    char id[MM_ID_MAX] = "";
    assert_int_equal(hub_notice_add(rec, &n, id, sizeof id), MM_EINVAL); /* no notice kind */
    n.kind = MM_REQUEST_KIND_GUIDANCE;
    json_t *arr = json_array();
    n.detail = arr;
    assert_int_equal(hub_notice_add(rec, &n, id, sizeof id), MM_EINVAL); /* no object */
    json_decref(arr);
    static char big[MM_REQUEST_TEXT_MAX];
    memset(big, 'x', sizeof big - 1);
    json_t *long_detail = json_pack("{s:s}", "how", big);
    n.detail = long_detail;
    assert_int_equal(hub_notice_add(rec, &n, id, sizeof id), MM_ERANGE);
    json_decref(long_detail);
    n.detail = d;
    n.subject = "measure/1234567890123456789012345678901234567890123456789012345678901234";
    assert_int_equal(hub_notice_add(rec, &n, id, sizeof id), MM_ERANGE);
    assert_int_equal(rec->n_requests, 0);
    assert_string_equal(id, "");
    n.subject = "measure/1";
    assert_int_equal(hub_notice_add(rec, &n, id, sizeof id), MM_OK);
    assert_string_equal(id, "notice-1");
    json_decref(d);
    hub_site_record_free(rec);
}

typedef struct {
    hubfx_t *h;
    const hub_notice_t *n;
    char id[MM_ID_MAX];
} add_t;

static mm_err_t add_txn(MDB_txn *txn, void *arg)
{
    add_t *a = arg;
    return hub_notice_add_in(a->h->reg, txn, "site-a", a->n, a->id, sizeof a->id);
}

static mm_err_t deliver_txn(MDB_txn *txn, void *arg)
{
    hubfx_t *h = arg;
    hub_registry_batch_t b;
    hub_registry_batch_begin(&b, h->reg, txn, "site-a");
    mm_entry_t e = {.time_us = T0 + 1, .kind = MM_ENTRY_CITY_REQUEST};
    snprintf(e.u.city_request.id, MM_ID_MAX, "notice-1");
    e.u.city_request.kind = MM_REQUEST_KIND_HEARING_OFFER;
    mm_err_t err = hub_registry_apply(&b, 7, &e);
    mm_err_t end = hub_registry_batch_end(&b, err == MM_OK);
    return err != MM_OK ? err : end;
}

/* R-N11: a hearing offer goes out with every ack, whole, until the site has logged it. */
static void R_N11_notice_goes_out_whole_until_delivered(void **state)
{
    hubfx_t *h = *state;
    json_t *d = json_pack("{s:i, s:s, s:s, s:s, s:s}", "measure", 2, "date", "2027-02-15 14:00",
                          "place", "市役所 3階", "how", "書面で", "deadline", "2027-02-10");
    hub_notice_t n = {.kind = MM_REQUEST_KIND_HEARING_OFFER,
                      .subject = "measure/2",
                      .text = "意見を述べる機会",
                      .detail = d,
                      .by = "oversight-1",
                      .time_us = T0};
    add_t a = {.h = h, .n = &n};
    assert_int_equal(mm_db_write(h->db, add_txn, &a), MM_OK);
    json_decref(d);
    assert_string_equal(a.id, "notice-1");
    mm_city_request_t *out = calloc(MM_WIRE_REQUESTS_MAX, sizeof *out);
    assert_int_equal(hub_registry_pending(h->reg, "site-a", out, MM_WIRE_REQUESTS_MAX), 1);
    assert_string_equal(out[0].id, "notice-1");
    assert_int_equal(out[0].kind, MM_REQUEST_KIND_HEARING_OFFER);
    assert_int_equal(out[0].time_us, T0);
    assert_string_equal(out[0].subject, "measure/2");
    assert_string_equal(out[0].text, "意見を述べる機会");
    assert_string_equal(out[0].detail, "{\"measure\":2,\"date\":\"2027-02-15 14:00\",\"place\":"
                                       "\"市役所 3階\",\"how\":\"書面で\",\"deadline\":"
                                       "\"2027-02-10\"}");
    assert_int_equal(mm_db_write(h->db, deliver_txn, h), MM_OK);
    assert_int_equal(hub_registry_pending(h->reg, "site-a", out, MM_WIRE_REQUESTS_MAX), 0);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(R_N4_2_notice_is_sent_delivered_and_acknowledged),
        cmocka_unit_test(notice_that_cannot_go_is_refused),
        cmocka_unit_test_setup_teardown(R_N11_notice_goes_out_whole_until_delivered, setup,
                                        hubfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
