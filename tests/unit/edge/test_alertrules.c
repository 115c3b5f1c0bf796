/*
 * test_alertrules.c: which alerts a snapshot of the edge's state makes — cameras down past their
 * threshold and not before, the disk's alarm, the hub silent past its minutes, the city's open
 * requests and notices, waiting disclosures, ended emergency grants without a report, a returned
 * filing, deadlines near and past — and what changed between two sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "edge/alertrules.h"

#define SEC 1000000LL
#define DAY (86400 * SEC)
#define NOW (1800000000LL * SEC)

static edge_alert_state_t st;
static edge_alert_t out[64];

static int setup(void **state)
{
    (void)state;
    memset(&st, 0, sizeof st);
    st.now_us = NOW;
    st.camera_down_seconds = 60;
    st.hub_down_minutes = 10;
    st.deadline_days = 3;
    st.hub_seen_us = NOW - 5 * SEC;
    st.min_free_mb = 1024;
    return 0;
}

static void camera(const char *id, int watched, int64_t seen)
{
    edge_alert_camera_t *c = &st.cameras[st.n_cameras++];
    snprintf(c->id, sizeof c->id, "%s", id);
    c->watched = watched;
    c->seen_us = seen;
}

static void item(edge_open_kind_t kind, const char *id, const char *what, int64_t since,
                 int64_t deadline)
{
    edge_open_item_t *it = &st.items[st.n_items++];
    it->kind = kind;
    snprintf(it->id, sizeof it->id, "%s", id);
    snprintf(it->what, sizeof it->what, "%s", what);
    it->since_us = since;
    it->deadline_us = deadline;
}

static void a_quiet_site_has_no_alerts(void **state)
{
    (void)state;
    camera("cam1", 1, NOW - SEC);
    assert_int_equal(edge_alerts_decide(&st, out, 64), 0);
}

static void a_camera_is_down_only_past_its_threshold_and_only_when_it_should_record(void **s)
{
    (void)s;
    camera("cam1", 1, NOW - 60 * SEC);   /* exactly the threshold: not yet */
    camera("cam2", 1, NOW - 61 * SEC);   /* past it */
    camera("cam3", 0, NOW - 3600 * SEC); /* suspended: not expected to send */
    size_t n = edge_alerts_decide(&st, out, 64);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].kind, EDGE_ALERT_CAMERA_DOWN);
    assert_string_equal(out[0].subject, "cam2");
    assert_true(out[0].since_us == NOW - 61 * SEC);
    assert_non_null(strstr(out[0].text_ja, "cam2"));
    assert_non_null(strstr(out[0].text_en, "60 s"));
    assert_string_equal(edge_alert_kind_name(out[0].kind), "camera_down");
}

static void the_disk_alarm_and_a_silent_hub_are_alerts(void **state)
{
    (void)state;
    st.hub_seen_us = NOW - 10 * 60 * SEC; /* exactly 10 minutes: not yet */
    assert_int_equal(edge_alerts_decide(&st, out, 64), 0);
    st.hub_seen_us = NOW - 10 * 60 * SEC - 1;
    st.disk_alarm = 1;
    st.disk_since_us = NOW - 7 * SEC;
    size_t n = edge_alerts_decide(&st, out, 64);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].kind, EDGE_ALERT_DISK_ALARM);
    assert_string_equal(out[0].subject, "disk");
    assert_true(out[0].since_us == NOW - 7 * SEC);
    assert_non_null(strstr(out[0].text_en, "1024 MB"));
    assert_int_equal(out[1].kind, EDGE_ALERT_HUB_DOWN);
    assert_string_equal(out[1].subject, "hub");
    assert_non_null(strstr(out[1].text_ja, "10分"));
}

/* R-N12: a complaint is answered within 14 days; R-N10.1: a report request is answered. */
static void the_citys_requests_and_notices_wait_and_deadlines_come_near_then_pass(void **state)
{
    (void)state;
    item(EDGE_OPEN_REQUEST, "complaint-1", "complaint", NOW - DAY, NOW + 13 * DAY);
    item(EDGE_OPEN_REQUEST, "report-2", "report_request", NOW - 12 * DAY, NOW + 2 * DAY);
    item(EDGE_OPEN_NOTICE, "notice-3", "guidance", NOW - DAY, 0);
    item(EDGE_OPEN_COMPLAINT, "site-complaint-1", "", NOW - 15 * DAY, NOW - DAY);
    size_t n = edge_alerts_decide(&st, out, 64);
    assert_int_equal(n, 5);
    /* In the order of kinds, then subjects. */
    assert_int_equal(out[0].kind, EDGE_ALERT_CITY_REQUEST);
    assert_string_equal(out[0].subject, "complaint-1");
    assert_non_null(strstr(out[0].text_ja, "苦情"));
    assert_int_equal(out[1].kind, EDGE_ALERT_CITY_REQUEST);
    assert_string_equal(out[1].subject, "report-2");
    assert_non_null(strstr(out[1].text_en, "request for a report"));
    assert_int_equal(out[2].kind, EDGE_ALERT_CITY_NOTICE);
    assert_non_null(strstr(out[2].text_ja, "指導"));
    assert_int_equal(out[3].kind, EDGE_ALERT_DEADLINE_NEAR);
    assert_string_equal(out[3].subject, "report-2");
    assert_true(out[3].deadline_us == NOW + 2 * DAY);
    assert_true(out[3].since_us == NOW - DAY); /* three days before the deadline */
    assert_int_equal(out[4].kind, EDGE_ALERT_OVERDUE);
    assert_string_equal(out[4].subject, "site-complaint-1");
    assert_true(out[4].since_us == NOW - DAY);
    assert_non_null(strstr(out[4].text_en, "past its deadline"));
    /* deadline_days 0: only what is past its deadline. */
    st.deadline_days = 0;
    n = edge_alerts_decide(&st, out, 64);
    assert_int_equal(n, 4);
}

/* R-N6.3: whoever operated in an emergency reports without delay; R-N4.2: filings. */
static void waiting_disclosures_unreported_grants_and_returned_filings_are_alerts(void **state)
{
    (void)state;
    item(EDGE_OPEN_DISCLOSURE, "dsc-1", "", NOW - DAY, NOW + 10 * DAY);
    item(EDGE_OPEN_GRANT, "grant-1", "", NOW - 60 * SEC, 0);
    item(EDGE_OPEN_FILING, "notice-9", "4", NOW - DAY, 0);
    size_t n = edge_alerts_decide(&st, out, 64);
    assert_int_equal(n, 3);
    assert_int_equal(out[0].kind, EDGE_ALERT_DISCLOSURE_WAITING);
    assert_int_equal(out[1].kind, EDGE_ALERT_EMERGENCY_REPORT);
    assert_true(out[1].since_us == NOW - 60 * SEC);
    assert_int_equal(out[2].kind, EDGE_ALERT_FILING_RETURNED);
    assert_non_null(strstr(out[2].text_ja, "第4版"));
}

static void an_unknown_kind_of_the_city_is_shown_by_its_name(void **state)
{
    (void)state;
    item(EDGE_OPEN_NOTICE, "notice-5", "something_new", NOW, 0);
    assert_int_equal(edge_alerts_decide(&st, out, 64), 1);
    assert_non_null(strstr(out[0].text_en, "something_new"));
}

static void a_full_buffer_still_counts_every_alert(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "cam%d", i);
        camera(id, 1, NOW - 3600 * SEC);
    }
    assert_int_equal(edge_alerts_decide(&st, out, 2), 5);
    assert_int_equal(out[0].kind, EDGE_ALERT_CAMERA_DOWN);
}

static int raised, cleared;
static char last[160];

static void on_change(void *arg, const edge_alert_t *a, int up)
{
    (void)arg;
    if (up)
        raised++;
    else
        cleared++;
    snprintf(last, sizeof last, "%s/%s/%d", edge_alert_kind_name(a->kind), a->subject, up);
}

static void changes_are_cleared_then_raised_by_kind_and_subject(void **state)
{
    (void)state;
    edge_alert_t prev[3] = {0}, cur[3] = {0};
    prev[0] = (edge_alert_t){.kind = EDGE_ALERT_CAMERA_DOWN, .subject = "cam1"};
    prev[1] = (edge_alert_t){.kind = EDGE_ALERT_CAMERA_DOWN, .subject = "cam2"};
    prev[2] = (edge_alert_t){.kind = EDGE_ALERT_HUB_DOWN, .subject = "hub"};
    cur[0] = prev[1];
    cur[0].since_us = 42; /* the same alert: kind and subject */
    cur[1] = prev[2];
    cur[2] = (edge_alert_t){.kind = EDGE_ALERT_CITY_NOTICE, .subject = "notice-1"};
    assert_int_equal(edge_alerts_diff(prev, 3, cur, 3, on_change, NULL), 2);
    assert_int_equal(raised, 1);
    assert_int_equal(cleared, 1);
    assert_string_equal(last, "city_notice/notice-1/1");
    raised = cleared = 0;
    assert_int_equal(edge_alerts_diff(cur, 3, NULL, 0, on_change, NULL), 3);
    assert_int_equal(cleared, 3);
    assert_int_equal(edge_alerts_diff(cur, 3, cur, 3, NULL, NULL), 0);
    assert_true(edge_alert_same(&prev[1], &cur[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_quiet_site_has_no_alerts, setup),
        cmocka_unit_test_setup(
            a_camera_is_down_only_past_its_threshold_and_only_when_it_should_record, setup),
        cmocka_unit_test_setup(the_disk_alarm_and_a_silent_hub_are_alerts, setup),
        cmocka_unit_test_setup(
            the_citys_requests_and_notices_wait_and_deadlines_come_near_then_pass, setup),
        cmocka_unit_test_setup(
            waiting_disclosures_unreported_grants_and_returned_filings_are_alerts, setup),
        cmocka_unit_test_setup(an_unknown_kind_of_the_city_is_shown_by_its_name, setup),
        cmocka_unit_test_setup(a_full_buffer_still_counts_every_alert, setup),
        cmocka_unit_test(changes_are_cleared_then_raised_by_kind_and_subject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
