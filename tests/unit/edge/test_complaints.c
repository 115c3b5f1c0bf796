/*
 * test_complaints.c: complaints received at the site (R-N12(1), R-N7.6) — each step a
 * site_complaint entry that describes the complaint, written with its record; bad input refused
 * with nothing written; a complaint the city sent handled by its hub id and, closed by the
 * manager, answered to the city; the list with the city's complaints beside the site's.
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
#include "edge/complaints.h"
#include "edge/requests.h"

#define S 1000000LL
#define NOW (1795400000LL * S)
#define DAY (86400LL * S)

typedef struct {
    char dir[64];
    edge_store_t *st;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mm-test-complaints-XXXXXX");
    if (!mkdtemp(f->dir) || edge_store_open(f->dir, &f->st) != MM_OK)
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
    free(f);
    return rc == 0 ? 0 : -1;
}

static uint64_t log_size(fixture_t *f)
{
    uint64_t n = 0;
    assert_int_equal(edge_store_size(f->st, &n), MM_OK);
    return n;
}

/* The last entry of the log, decoded into a malloc'd entry. */
static mm_entry_t *last_entry(fixture_t *f)
{
    mm_bytes_t *es = NULL;
    assert_int_equal(edge_store_entries(f->st, log_size(f) - 1, 1, &es), MM_OK);
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(mm_entry_decode(es[0].data, es[0].len, e), MM_OK);
    free(es);
    return e;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Records a complaint by tanaka received at t; returns its id (static storage). */
static const char *recorded(fixture_t *f, const char *about, const char *camera, int64_t t)
{
    static char id[MM_ID_MAX];
    edge_complaint_t c = {.channel = MM_COMPLAINT_CHANNEL_IN_PERSON,
                          .received_us = t,
                          .about = about,
                          .camera = camera,
                          .by = "tanaka"};
    json_t *out = NULL;
    char msg[256] = "";
    mm_err_t err = edge_complaints_record(f->st, &c, NOW, &out, msg, sizeof msg);
    if (err != MM_OK)
        fail_msg("record: %s: %s", mm_err_name(err), msg);
    snprintf(id, sizeof id, "%s", str(out, "id"));
    json_decref(out);
    return id;
}

static json_t *list(fixture_t *f, int all, int64_t now)
{
    json_t *out = NULL;
    assert_int_equal(edge_complaints_list(f->st, all, now, &out), MM_OK);
    return out;
}

static json_t *listed(json_t *l, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(l, "complaints"), i,
                       c) if (!strcmp(str(c, "id"), id)) return c;
    return NULL;
}

/* R-N12(1), R-N7.6: a complaint is recorded, handled and closed, each step logged with the
 * complaint's description; a closed one takes no more steps. */
static void R_N12_site_complaint_received_handled_closed(void **state)
{
    fixture_t *f = *state;
    const char *id = recorded(f, "カメラが自宅の窓を映している", "cam1", NOW - 3600 * S);
    assert_string_equal(id, "site-complaint-1");
    assert_int_equal(log_size(f), 1);
    mm_entry_t *e = last_entry(f);
    assert_int_equal(e->kind, MM_ENTRY_SITE_COMPLAINT);
    assert_int_equal(e->time_us, NOW);
    const mm_site_complaint_t *c = &e->u.site_complaint;
    assert_string_equal(c->id, "site-complaint-1");
    assert_int_equal(c->step, MM_COMPLAINT_STEP_RECEIVED);
    assert_int_equal(c->received_us, NOW - 3600 * S);
    assert_int_equal(c->channel, MM_COMPLAINT_CHANNEL_IN_PERSON);
    assert_string_equal(c->about, "カメラが自宅の窓を映している");
    assert_string_equal(c->camera, "cam1");
    assert_string_equal(c->by, "tanaka");
    assert_string_equal(c->text, "");
    assert_string_equal(c->hub_complaint, "");
    free(e);

    char msg[256] = "";
    json_t *out = NULL;
    assert_int_equal(edge_complaints_step(f->st, "site-complaint-1", MM_COMPLAINT_STEP_HANDLED,
                                          "suzuki", "角度を変えた", 0, NOW + S, &out, msg,
                                          sizeof msg),
                     MM_OK);
    assert_string_equal(str(out, "state"), "handled");
    json_decref(out);
    e = last_entry(f);
    assert_int_equal(e->u.site_complaint.step, MM_COMPLAINT_STEP_HANDLED);
    assert_string_equal(e->u.site_complaint.about, "カメラが自宅の窓を映している");
    assert_string_equal(e->u.site_complaint.by, "suzuki");
    assert_string_equal(e->u.site_complaint.text, "角度を変えた");
    free(e);
    /* An operator closes a complaint received at the site. */
    assert_int_equal(edge_complaints_step(f->st, "site-complaint-1", MM_COMPLAINT_STEP_CLOSED,
                                          "suzuki", "窓にマスクを掛け、本人に説明した", 0,
                                          NOW + 2 * S, &out, msg, sizeof msg),
                     MM_OK);
    assert_string_equal(str(out, "state"), "closed");
    assert_int_equal(json_array_size(json_object_get(out, "steps")), 3);
    json_decref(out);
    assert_int_equal(log_size(f), 3);

    /* Closed is closed: neither closed twice nor handled after. */
    assert_int_equal(edge_complaints_step(f->st, "site-complaint-1", MM_COMPLAINT_STEP_CLOSED,
                                          "tanaka", "again", 1, NOW + 3 * S, NULL, msg, sizeof msg),
                     MM_ECONFLICT);
    assert_non_null(strstr(msg, "closed already"));
    assert_int_equal(edge_complaints_step(f->st, "site-complaint-1", MM_COMPLAINT_STEP_HANDLED,
                                          "tanaka", "more", 1, NOW + 3 * S, NULL, msg, sizeof msg),
                     MM_ECONFLICT);
    assert_int_equal(log_size(f), 3);
    /* The next complaint gets the next id. */
    assert_string_equal(recorded(f, "夜間の照明がまぶしい", NULL, NOW), "site-complaint-2");
}

/* Bad input is refused with what is wrong, and nothing is written. */
static void complaint_bad_input_is_refused_and_nothing_written(void **state)
{
    fixture_t *f = *state;
    char msg[256] = "";
    edge_complaint_t c = {.channel = MM_COMPLAINT_CHANNEL_PHONE,
                          .received_us = NOW + S,
                          .about = "x",
                          .by = "tanaka"};
    assert_int_equal(edge_complaints_record(f->st, &c, NOW, NULL, msg, sizeof msg), MM_EINVAL);
    assert_non_null(strstr(msg, "future"));
    c.received_us = 0;
    assert_int_equal(edge_complaints_record(f->st, &c, NOW, NULL, msg, sizeof msg), MM_EINVAL);
    c.received_us = NOW;
    c.about = "";
    assert_int_equal(edge_complaints_record(f->st, &c, NOW, NULL, msg, sizeof msg), MM_EINVAL);
    c.about = "\xff\xfe";
    assert_int_equal(edge_complaints_record(f->st, &c, NOW, NULL, msg, sizeof msg), MM_EINVAL);
    c.about = "x";
    c.channel = MM_COMPLAINT_CHANNEL_COUNT;
    assert_int_equal(edge_complaints_record(f->st, &c, NOW, NULL, msg, sizeof msg), MM_EINVAL);
    c.channel = MM_COMPLAINT_CHANNEL_EMAIL;
    c.by = "";
    assert_int_equal(edge_complaints_record(f->st, &c, NOW, NULL, msg, sizeof msg), MM_EINVAL);
    assert_int_equal(log_size(f), 0);

    assert_int_equal(edge_complaints_step(f->st, "site-complaint-9", MM_COMPLAINT_STEP_HANDLED,
                                          "tanaka", "x", 1, NOW, NULL, msg, sizeof msg),
                     MM_ENOTFOUND);
    assert_non_null(strstr(msg, "no complaint site-complaint-9"));
    recorded(f, "x", NULL, NOW);
    assert_int_equal(edge_complaints_step(f->st, "site-complaint-1", MM_COMPLAINT_STEP_HANDLED,
                                          "tanaka", "", 1, NOW, NULL, msg, sizeof msg),
                     MM_EINVAL);
    assert_int_equal(edge_complaints_step(f->st, "site-complaint-1", MM_COMPLAINT_STEP_RECEIVED,
                                          "tanaka", "x", 1, NOW, NULL, msg, sizeof msg),
                     MM_EINVAL);
    assert_int_equal(log_size(f), 1);

    /* A damaged record is said so, not half-read. */
    assert_int_equal(edge_store_meta_put(f->st, "complaint/site-complaint-1", "{\"id\":1}", 8),
                     MM_OK);
    json_t *out = NULL;
    assert_int_equal(edge_complaints_list(f->st, 1, NOW, &out), MM_ECORRUPT);
    assert_int_equal(edge_complaints_step(f->st, "site-complaint-1", MM_COMPLAINT_STEP_HANDLED,
                                          "tanaka", "x", 1, NOW, NULL, msg, sizeof msg),
                     MM_ECORRUPT);
}

/* R-N12: a complaint the city sent is handled by its hub id as a site complaint that names it;
 * only the manager closes it, and closing it answers the city. */
static void R_N12_city_complaint_handled_at_the_site_and_answered(void **state)
{
    fixture_t *f = *state;
    mm_city_request_t q;
    memset(&q, 0, sizeof q);
    snprintf(q.id, sizeof q.id, "complaint-3");
    q.kind = MM_REQUEST_KIND_COMPLAINT;
    q.time_us = NOW - DAY;
    q.deadline_us = NOW + 13 * DAY;
    snprintf(q.camera, sizeof q.camera, "cam2");
    snprintf(q.text, sizeof q.text, "防犯カメラの音がうるさい");
    assert_int_equal(edge_requests_receive(f->st, &q, 1, NOW - DAY + S, NULL), MM_OK);
    recorded(f, "ほかの苦情", NULL, NOW - 2 * DAY);

    /* Listed beside the site's own, oldest first, with the city's deadline. */
    json_t *l = list(f, 0, NOW);
    assert_int_equal(json_integer_value(json_object_get(l, "open")), 2);
    json_t *c = json_array_get(json_object_get(l, "complaints"), 1);
    assert_string_equal(str(c, "id"), "complaint-3");
    assert_string_equal(str(c, "source"), "city");
    assert_string_equal(str(c, "state"), "open");
    assert_string_equal(str(c, "about"), "防犯カメラの音がうるさい");
    assert_int_equal(json_integer_value(json_object_get(c, "deadline_us")), NOW + 13 * DAY);
    assert_string_equal(str(c, "site_complaint"), "");
    json_decref(l);

    char msg[256] = "";
    json_t *out = NULL;
    uint64_t before = log_size(f);
    assert_int_equal(edge_complaints_step(f->st, "complaint-3", MM_COMPLAINT_STEP_HANDLED, "suzuki",
                                          "音量を下げた", 0, NOW, &out, msg, sizeof msg),
                     MM_OK);
    assert_string_equal(str(out, "id"), "site-complaint-2");
    assert_string_equal(str(out, "hub_complaint"), "complaint-3");
    assert_string_equal(str(out, "channel"), "other");
    assert_int_equal(json_integer_value(json_object_get(out, "received_us")), NOW - DAY);
    json_decref(out);
    mm_entry_t *e = last_entry(f);
    assert_string_equal(e->u.site_complaint.hub_complaint, "complaint-3");
    assert_string_equal(e->u.site_complaint.camera, "cam2");
    assert_string_equal(e->u.site_complaint.about, "防犯カメラの音がうるさい");
    free(e);
    /* The second step goes to the same site complaint, by either id. */
    assert_int_equal(edge_complaints_step(f->st, "site-complaint-2", MM_COMPLAINT_STEP_HANDLED,
                                          "suzuki", "点検した", 0, NOW + S, NULL, msg, sizeof msg),
                     MM_OK);
    /* An operator may not close it: that answers the city. */
    assert_int_equal(edge_complaints_step(f->st, "complaint-3", MM_COMPLAINT_STEP_CLOSED, "suzuki",
                                          "対応した", 0, NOW + 2 * S, NULL, msg, sizeof msg),
                     MM_EDENIED);
    assert_non_null(strstr(msg, "the manager"));
    assert_int_equal(log_size(f), before + 2);
    assert_int_equal(edge_complaints_step(f->st, "complaint-3", MM_COMPLAINT_STEP_CLOSED, "tanaka",
                                          "音量を下げ、ご本人に説明しました", 1, NOW + 3 * S, &out,
                                          msg, sizeof msg),
                     MM_OK);
    assert_string_equal(str(out, "id"), "site-complaint-2");
    assert_string_equal(str(out, "state"), "closed");
    assert_string_equal(str(out, "city_answer"), "sent");
    json_decref(out);
    /* The close and the city's answer are both in the log. */
    assert_int_equal(log_size(f), before + 4);
    e = last_entry(f);
    assert_int_equal(e->kind, MM_ENTRY_REQUEST_ANSWERED);
    assert_string_equal(e->u.request_answered.id, "complaint-3");
    assert_string_equal(e->u.request_answered.by, "tanaka");
    assert_string_equal(e->u.request_answered.text, "音量を下げ、ご本人に説明しました");
    free(e);

    l = list(f, 1, NOW + 4 * S);
    assert_int_equal(json_integer_value(json_object_get(l, "open")), 1);
    assert_int_equal(json_array_size(json_object_get(l, "complaints")), 3);
    assert_string_equal(str(listed(l, "complaint-3"), "state"), "answered");
    assert_string_equal(str(listed(l, "complaint-3"), "site_complaint"), "site-complaint-2");
    json_decref(l);
    /* Only the open ones without all; past its deadline a complaint is overdue. */
    l = list(f, 0, NOW + 13 * DAY);
    assert_int_equal(json_array_size(json_object_get(l, "complaints")), 1);
    c = listed(l, "site-complaint-1");
    assert_non_null(c);
    assert_true(json_is_true(json_object_get(c, "overdue")));
    assert_int_equal(json_integer_value(json_object_get(c, "deadline_us")),
                     NOW - 2 * DAY + 14 * DAY);
    json_decref(l);

    /* Something the city sent that is no complaint is not one here either. */
    assert_int_equal(edge_complaints_step(f->st, "report-1", MM_COMPLAINT_STEP_HANDLED, "tanaka",
                                          "x", 1, NOW, NULL, msg, sizeof msg),
                     MM_ENOTFOUND);
}

/* A complaint has room for its steps; past them it can only be closed. */
static void complaint_steps_are_bounded(void **state)
{
    fixture_t *f = *state;
    const char *id = recorded(f, "x", NULL, NOW);
    char msg[256] = "";
    int n = 1;
    while (edge_complaints_step(f->st, id, MM_COMPLAINT_STEP_HANDLED, "tanaka", "step", 1, NOW,
                                NULL, msg, sizeof msg) == MM_OK)
        n++;
    assert_int_equal(n, EDGE_COMPLAINT_STEPS_MAX - 1);
    assert_non_null(strstr(msg, "close it"));
    assert_int_equal(edge_complaints_step(f->st, id, MM_COMPLAINT_STEP_CLOSED, "tanaka", "done", 1,
                                          NOW, NULL, msg, sizeof msg),
                     MM_OK);
    assert_int_equal(log_size(f), EDGE_COMPLAINT_STEPS_MAX);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(R_N12_site_complaint_received_handled_closed),
        T(complaint_bad_input_is_refused_and_nothing_written),
        T(R_N12_city_complaint_handled_at_the_site_and_answered),
        T(complaint_steps_are_bounded),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
