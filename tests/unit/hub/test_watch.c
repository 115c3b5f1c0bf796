/*
 * test_watch.c: what the hub learns of a site with its own clock (hub/watch, hub/watch_codec,
 * hub/watchstore, hub/sitetime): the site's clock from each checkpoint's time, erasures judged
 * early or not against the hub's clock at their arrival (R-K2.2.6b, R-N7.5), viewing per person
 * and day in the site's zone (R-K2.2.3-4, R-N7.2), the number of cameras against the version
 * last filed (R-N4.2, R-K2.1.3b); the state stored, read back and kept across a reopening.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "hub/sitetime.h"
#include "hub/watch.h"
#include "hub/watch_codec.h"
#include "hub/watchstore.h"

#define S_US 1000000LL
#define MIN_US (60 * S_US)
#define HOUR_US (60 * MIN_US)
#define DAY_US (24 * HOUR_US)
#define NOW_US (1779246000LL * S_US) /* 2026-05-20 12:00 in Japan */

static hub_watch_conf_t CFG;

static int setup(void **state)
{
    (void)state;
    hub_watch_conf_default(&CFG);
    return 0;
}

static hub_watch_state_t *fresh(void)
{
    hub_watch_state_t *st = malloc(sizeof *st);
    assert_non_null(st);
    hub_watch_state_init(st);
    return st;
}

/* A batch that arrived at received_us, signed by the site at site_us (0: no time). */
static hub_watch_receipt_t at(int64_t received_us, int64_t site_us, uint64_t size)
{
    return (hub_watch_receipt_t){
        .received_us = received_us, .signed_s = (uint64_t)(site_us / S_US), .size = size};
}

static mm_entry_t facts(const char *policy, uint32_t retention, uint32_t cameras, const char *tz)
{
    mm_entry_t e = {.time_us = NOW_US, .kind = MM_ENTRY_SITE_FACTS};
    assert_true(mm_policy_parse(policy, &e.u.site_facts.policy));
    e.u.site_facts.retention_days = retention;
    e.u.site_facts.cameras = cameras;
    snprintf(e.u.site_facts.timezone, sizeof e.u.site_facts.timezone, "%s", tz);
    return e;
}

static mm_entry_t erased(const char *camera, int64_t end_us, mm_erase_reason_t reason)
{
    mm_entry_t e = {.time_us = end_us, .kind = MM_ENTRY_SEGMENTS_ERASED};
    snprintf(e.u.segments_erased.camera, MM_ID_MAX, "%s", camera);
    e.u.segments_erased.start_us = end_us - 10 * S_US;
    e.u.segments_erased.end_us = end_us;
    e.u.segments_erased.count = 1;
    e.u.segments_erased.reason = reason;
    return e;
}

static mm_entry_t viewing(const char *person, int64_t time_us, mm_viewing_state_t state,
                          int64_t from_us, int64_t to_us)
{
    mm_entry_t e = {.time_us = time_us, .kind = MM_ENTRY_VIEWING};
    e.u.viewing.state = state;
    snprintf(e.u.viewing.person, MM_ID_MAX, "%s", person);
    snprintf(e.u.viewing.session, MM_ID_MAX, "pb-1");
    snprintf(e.u.viewing.camera, MM_ID_MAX, "cam1");
    e.u.viewing.start_us = from_us;
    e.u.viewing.end_us = to_us;
    return e;
}

/* --- the site's clock ------------------------------------------------------------------------ */

/* A site whose clock jumps eight days ahead and back: a point each time it moves, none while it
 * stays; an instant by the site's clock is put on the hub's by the offset of its time. */
static void clock_offsets_from_checkpoint_times(void **state)
{
    (void)state;
    hub_watch_state_t *st = fresh();
    hub_watch_receipt_t r = at(NOW_US, NOW_US + 2 * S_US, 10);
    assert_true(hub_watch_learn(st, &CFG, &r, 0, NULL, 0));
    assert_int_equal(hub_watch_skew_now(st)->offset_us, 2 * S_US);
    assert_int_equal(hub_watch_skew_now(st)->index, 9);
    /* Within the step: nothing new. */
    r = at(NOW_US + MIN_US, NOW_US + MIN_US + 30 * S_US, 12);
    assert_false(hub_watch_learn(st, &CFG, &r, 10, NULL, 0));
    assert_int_equal(st->n_skews, 1);
    r = at(NOW_US + 2 * MIN_US, NOW_US + 2 * MIN_US + 8 * DAY_US, 20);
    assert_true(hub_watch_learn(st, &CFG, &r, 12, NULL, 0));
    assert_int_equal(hub_watch_skew_now(st)->offset_us, 8 * DAY_US);
    assert_int_equal(hub_watch_offset_at(st, NOW_US + MIN_US), 2 * S_US);
    assert_int_equal(hub_watch_offset_at(st, NOW_US + 8 * DAY_US + 5 * MIN_US), 8 * DAY_US);
    assert_int_equal(hub_watch_offset_at(st, NOW_US - DAY_US), 2 * S_US); /* before: the first */
    r = at(NOW_US + 3 * MIN_US, NOW_US + 3 * MIN_US, 21);
    assert_true(hub_watch_learn(st, &CFG, &r, 20, NULL, 0));
    assert_int_equal(hub_watch_skew_now(st)->offset_us, 0);
    /* A bound under the step makes the step smaller. */
    hub_watch_conf_t tight = CFG;
    tight.skew_max_us = 20 * S_US;
    r = at(NOW_US + 4 * MIN_US, NOW_US + 4 * MIN_US + 15 * S_US, 22);
    assert_true(hub_watch_learn(st, &tight, &r, 21, NULL, 0));
    /* The history keeps the newest HUB_WATCH_SKEWS_MAX. */
    for (int i = 0; i < 2 * HUB_WATCH_SKEWS_MAX; i++) {
        r = at(NOW_US + i * HOUR_US, NOW_US + i * HOUR_US + (i % 2) * HOUR_US, 30 + i);
        hub_watch_learn(st, &CFG, &r, 22, NULL, 0);
    }
    assert_int_equal(st->n_skews, HUB_WATCH_SKEWS_MAX);
    free(st);
}

/* After a link outage the site sends days-old entries under a checkpoint it signs now: its clock
 * is right, and the old entries do not say otherwise. A checkpoint without a time gives only a
 * lower bound, when an entry is dated after the batch arrived. */
static void old_entries_after_an_outage_are_no_skew(void **state)
{
    (void)state;
    hub_watch_state_t *st = fresh();
    mm_entry_t old = viewing("a", NOW_US - 3 * DAY_US, MM_VIEWING_STATE_STARTED, 0, 0);
    hub_watch_receipt_t r = at(NOW_US, NOW_US + S_US, 5);
    hub_watch_learn(st, &CFG, &r, 4, &old, 1);
    assert_int_equal(hub_watch_skew_now(st)->offset_us, S_US);
    assert_false(hub_watch_skew_now(st)->bound);

    hub_watch_state_t *old_edge = fresh();
    r = at(NOW_US, 0, 5);
    assert_false(hub_watch_learn(old_edge, &CFG, &r, 4, NULL, 0));
    old.u.viewing.state = MM_VIEWING_STATE_ENDED; /* counts nothing: a clock reading only */
    assert_false(hub_watch_learn(old_edge, &CFG, &r, 4, &old, 1));
    assert_null(hub_watch_skew_now(old_edge));
    mm_entry_t ahead = old;
    ahead.time_us = NOW_US + 2 * DAY_US;
    assert_true(hub_watch_learn(old_edge, &CFG, &r, 4, &ahead, 1));
    assert_int_equal(hub_watch_skew_now(old_edge)->offset_us, 2 * DAY_US);
    assert_true(hub_watch_skew_now(old_edge)->bound);
    free(st);
    free(old_edge);
}

/* --- erasures (R-K2.2.6b, R-N7.5) ------------------------------------------------------------ */

/* The erased footage's end, put on the hub's clock, plus the retention, against the entry's
 * arrival: a day-old recording erased under 7 days went 6 days early; one 8 days old did not;
 * within the tolerance is not early. Grouped per camera and day of arrival. */
static void erasures_judged_by_the_hub_clock(void **state)
{
    (void)state;
    hub_watch_state_t *st = fresh();
    mm_entry_t e[4] = {facts("kawaguchi", 7, 2, ""), erased("cam1", NOW_US - DAY_US, 0),
                       erased("cam1", NOW_US - 8 * DAY_US, 0),
                       erased("cam2", NOW_US - 7 * DAY_US + 5 * MIN_US, 0)};
    hub_watch_receipt_t r = at(NOW_US, NOW_US, 100);
    assert_true(hub_watch_learn(st, &CFG, &r, 96, e, 4));
    assert_int_equal(st->n_erasures, 1);
    const hub_watch_erasure_t *g = &st->erasures[0];
    assert_string_equal(g->camera, "cam1");
    assert_string_equal(g->day, "2026-05-20");
    assert_int_equal(g->count, 1);
    assert_int_equal(g->first_index, 97);
    assert_int_equal(g->early_us, 6 * DAY_US);
    assert_int_equal(g->due_us, NOW_US + 6 * DAY_US);
    assert_int_equal(g->retention_days, 7);
    /* A second early one that day joins the group; the earliest is kept. */
    mm_entry_t more = erased("cam1", NOW_US - 2 * DAY_US, 0);
    r = at(NOW_US + HOUR_US, NOW_US + HOUR_US, 101);
    assert_true(hub_watch_learn(st, &CFG, &r, 100, &more, 1));
    assert_int_equal(st->n_erasures, 1);
    assert_int_equal(g->count, 2);
    assert_int_equal(g->last_index, 100);
    assert_int_equal(g->early_us, 6 * DAY_US);
    /* Without a tolerance the one 5 minutes early counts too. */
    hub_watch_conf_t strict = CFG;
    strict.erasure_tolerance_us = 0;
    more = erased("cam2", NOW_US - 7 * DAY_US + 5 * MIN_US, 0);
    r = at(NOW_US, NOW_US, 102);
    assert_true(hub_watch_learn(st, &strict, &r, 101, &more, 1));
    assert_int_equal(st->n_erasures, 2);
    free(st);
}

/* A site whose clock jumped eight days ahead after recording erases a week early (its footage
 * was labelled by the right clock); a site whose clock was always eight days ahead keeps its
 * footage the full week by the hub's clock and is not accused of erasing early. */
static void a_jump_ahead_is_early_a_steady_offset_is_not(void **state)
{
    (void)state;
    hub_watch_state_t *st = fresh();
    mm_entry_t f = facts("kawaguchi", 7, 1, "");
    hub_watch_receipt_t r = at(NOW_US, NOW_US, 1);
    hub_watch_learn(st, &CFG, &r, 0, &f, 1);
    mm_entry_t e = erased("cam1", NOW_US + MIN_US, 0); /* recorded a minute later */
    r = at(NOW_US + 3 * MIN_US, NOW_US + 3 * MIN_US + 8 * DAY_US, 2);
    assert_true(hub_watch_learn(st, &CFG, &r, 1, &e, 1));
    assert_int_equal(st->n_erasures, 1);
    assert_true(st->erasures[0].early_us > 7 * DAY_US - 3 * MIN_US);

    hub_watch_state_t *steady = fresh();
    r = at(NOW_US, NOW_US + 8 * DAY_US, 1);
    hub_watch_learn(steady, &CFG, &r, 0, &f, 1);
    /* Recorded a week and a minute ago by the hub's clock, labelled eight days ahead. */
    e = erased("cam1", NOW_US - 7 * DAY_US - MIN_US + 8 * DAY_US, 0);
    r = at(NOW_US, NOW_US + 8 * DAY_US, 2);
    hub_watch_learn(steady, &CFG, &r, 1, &e, 1);
    assert_int_equal(steady->n_erasures, 0);
    free(st);
    free(steady);
}

/* The policy's floor when the site claims less; room made on a full disk is judged by the floor
 * alone (the edge never erases inside it); a site with no facts yet is judged by nothing. */
static void floor_and_storage_pressure(void **state)
{
    (void)state;
    hub_watch_state_t *st = fresh();
    mm_entry_t e = erased("cam1", NOW_US - 3 * DAY_US, 0);
    hub_watch_receipt_t r = at(NOW_US, NOW_US, 2);
    hub_watch_learn(st, &CFG, &r, 1, &e, 1);
    assert_int_equal(st->n_erasures, 0);
    mm_entry_t f[2] = {facts("kawaguchi", 3, 1, ""), e};
    hub_watch_learn(st, &CFG, &r, 2, f, 2);
    assert_int_equal(st->n_erasures, 1);
    assert_int_equal(st->erasures[0].retention_days, 7);

    /* Naha leaves the period to the city's rule: its least (here 1 day, as the site reports the
     * rule it received) is the floor under disk pressure. */
    hub_watch_state_t *naha = fresh();
    mm_entry_t g[3] = {facts("naha", 14, 1, ""),
                       erased("cam1", NOW_US - 2 * DAY_US, MM_ERASE_REASON_STORAGE_PRESSURE),
                       erased("cam2", NOW_US - 12 * HOUR_US, MM_ERASE_REASON_STORAGE_PRESSURE)};
    g[0].u.site_facts.floor_days = 1;
    hub_watch_learn(naha, &CFG, &r, 0, g, 3);
    assert_int_equal(naha->n_erasures, 1);
    assert_string_equal(naha->erasures[0].camera, "cam2");
    assert_int_equal(naha->erasures[0].retention_days, 1);

    /* With no rule received the site keeps its whole retention even on a full disk. */
    hub_watch_state_t *norule = fresh();
    g[0].u.site_facts.floor_days = 0;
    hub_watch_learn(norule, &CFG, &r, 0, g, 3);
    assert_int_equal(norule->n_erasures, 2);
    assert_int_equal(norule->erasures[0].retention_days, 14);
    free(st);
    free(naha);
    free(norule);
}

/* --- viewing (R-K2.2.3-4, R-N7.2) ------------------------------------------------------------ */

/* Each started viewing counts for its person and day in the site's zone, with its range; an end
 * counts nothing but a live viewing's time; night is the configured hours of the site's zone. */
static void viewing_per_person_and_day(void **state)
{
    (void)state;
    hub_watch_state_t *st = fresh();
    int64_t noon = NOW_US, late = NOW_US + 11 * HOUR_US + 30 * MIN_US; /* 23:30 in Japan */
    mm_entry_t e[6] = {
        facts("kawaguchi", 7, 1, ""),
        viewing("a", noon, MM_VIEWING_STATE_STARTED, noon - 3 * HOUR_US, noon - HOUR_US),
        viewing("a", noon + MIN_US, MM_VIEWING_STATE_ENDED, noon - 3 * HOUR_US, noon - HOUR_US),
        viewing("a", late, MM_VIEWING_STATE_STARTED, late - HOUR_US, late),
        viewing("b", noon, MM_VIEWING_STATE_STARTED, noon, 0), /* live */
        viewing("b", noon + 20 * MIN_US, MM_VIEWING_STATE_ENDED, noon, 0),
    };
    hub_watch_receipt_t r = at(late, late, 50);
    assert_true(hub_watch_learn(st, &CFG, &r, 44, e, 6));
    assert_int_equal(st->n_viewings, 2);
    const hub_watch_viewing_t *a = &st->viewings[0], *b = &st->viewings[1];
    assert_string_equal(a->person, "a");
    assert_string_equal(a->day, "2026-05-20");
    assert_int_equal(a->viewings, 2);
    assert_int_equal(a->footage_us, 3 * HOUR_US);
    assert_int_equal(a->night, 1);
    assert_int_equal(a->first_index, 45);
    assert_int_equal(a->last_index, 47);
    assert_int_equal(a->night_index, 47);
    assert_string_equal(b->person, "b");
    assert_int_equal(b->viewings, 1);
    assert_int_equal(b->footage_us, 20 * MIN_US);
    assert_int_equal(b->night, 0);

    /* In London the same instant 23:30 in Japan is 15:30 on the same day: no night. */
    hub_watch_state_t *london = fresh();
    mm_entry_t l[2] = {facts("naha", 7, 1, "Europe/London"), e[3]};
    hub_watch_learn(london, &CFG, &r, 0, l, 2);
    assert_int_equal(london->viewings[0].night, 0);
    assert_string_equal(london->viewings[0].day, "2026-05-20");
    free(st);
    free(london);
}

/* Rows older than HUB_WATCH_VIEWING_DAYS before the newest viewing go, and at most
 * HUB_WATCH_VIEWINGS_MAX are kept, the oldest day first. */
static void viewing_rows_are_bounded(void **state)
{
    (void)state;
    hub_watch_state_t *st = fresh();
    hub_watch_receipt_t r = at(NOW_US, NOW_US, 1);
    mm_entry_t e = viewing("a", NOW_US - 40 * DAY_US, MM_VIEWING_STATE_STARTED, 0, MIN_US);
    hub_watch_learn(st, &CFG, &r, 0, &e, 1);
    e = viewing("a", NOW_US, MM_VIEWING_STATE_STARTED, 0, MIN_US);
    hub_watch_learn(st, &CFG, &r, 1, &e, 1);
    assert_int_equal(st->n_viewings, 1);
    assert_string_equal(st->viewings[0].day, "2026-05-20");
    for (int i = 0; i < HUB_WATCH_VIEWINGS_MAX + 5; i++) {
        char who[16];
        snprintf(who, sizeof who, "p%d", i);
        e = viewing(who, NOW_US + (i < 5 ? -DAY_US : 0), MM_VIEWING_STATE_STARTED, 0, MIN_US);
        hub_watch_learn(st, &CFG, &r, 2 + (uint64_t)i, &e, 1);
    }
    assert_int_equal(st->n_viewings, HUB_WATCH_VIEWINGS_MAX);
    for (size_t i = 0; i < st->n_viewings; i++)
        assert_string_equal(st->viewings[i].day, "2026-05-20");
    free(st);
}

/* --- cameras (R-N4.2, R-K2.1.3b) ------------------------------------------------------------- */

static void cameras_against_the_version_filed(void **state)
{
    (void)state;
    hub_watch_state_t *st = fresh();
    mm_entry_t e[3] = {facts("naha", 7, 2, ""),
                       {.time_us = NOW_US, .kind = MM_ENTRY_CONFIGURATION_CHANGED},
                       {.time_us = NOW_US, .kind = MM_ENTRY_STANDARDS_FILED}};
    e[1].u.configuration_changed.version = 1;
    e[1].u.configuration_changed.cameras = 2;
    e[2].u.standards_filed.version = 1;
    hub_watch_receipt_t r = at(NOW_US, NOW_US, 3);
    hub_watch_learn(st, &CFG, &r, 0, e, 3);
    assert_int_equal(st->cameras, 2);
    assert_int_equal(st->cameras_index, 0);
    assert_true(st->has_filed && st->filed_cameras_known);
    assert_int_equal(st->filed_cameras, 2);
    assert_int_equal(st->filed_index, 2);
    /* Three cameras from a later start; the same facts again keep the first index. */
    mm_entry_t f3 = facts("naha", 7, 3, "");
    r = at(NOW_US + HOUR_US, NOW_US + HOUR_US, 5);
    hub_watch_learn(st, &CFG, &r, 3, &f3, 1);
    hub_watch_learn(st, &CFG, &r, 4, &f3, 1);
    assert_int_equal(st->cameras, 3);
    assert_int_equal(st->cameras_index, 3);
    assert_int_equal(st->cameras_since_us, NOW_US + HOUR_US);
    /* A version filed that the state no longer knows: its number of cameras is unknown. */
    e[2].u.standards_filed.version = 9;
    hub_watch_learn(st, &CFG, &r, 5, &e[2], 1);
    assert_false(st->filed_cameras_known);
    free(st);
}

/* --- storage --------------------------------------------------------------------------------- */

/* A state written and read back is the same state; a text that is not one is refused. */
static void codec_round_trip_and_refusals(void **state)
{
    (void)state;
    hub_watch_state_t *st = fresh();
    mm_entry_t e[4] = {facts("naha", 7, 2, "Europe/London"),
                       erased("cam1", NOW_US - DAY_US, 0),
                       viewing("a", NOW_US, MM_VIEWING_STATE_STARTED, 0, HOUR_US),
                       {.time_us = NOW_US, .kind = MM_ENTRY_STANDARDS_FILED}};
    e[3].u.standards_filed.version = 1;
    hub_watch_receipt_t r = at(NOW_US, NOW_US + DAY_US, 10);
    hub_watch_learn(st, &CFG, &r, 6, e, 4);
    char *text = hub_watch_encode(st);
    assert_non_null(text);
    hub_watch_state_t *back = fresh();
    assert_int_equal(hub_watch_decode(text, strlen(text), back), MM_OK);
    assert_memory_equal(st, back, sizeof *st);
    char *again = hub_watch_encode(back);
    assert_string_equal(text, again);
    free(text);
    free(again);
    const char *bad[] = {
        "[]",
        "{\"facts\":{\"policy\":\"mars\"}}",
        "{\"skews\":{}}",
        "{\"viewings\":[{\"person\":1}]}",
        "{\"erasures\":[{\"count\":-1}]}",
        "{\"erasures\":[{\"camera\":"
        "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}]}",
        "{\"filed\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (hub_watch_decode(bad[i], strlen(bad[i]), back) != MM_ECORRUPT)
            fail_msg("accepted %s", bad[i]);
    free(st);
    free(back);
}

typedef struct {
    hub_watchstore_t *w;
    const mm_entry_t *e;
    size_t n;
    hub_watch_receipt_t r;
} learn_t;

static mm_err_t learn_txn(MDB_txn *txn, void *arg)
{
    learn_t *l = arg;
    return hub_watchstore_learn_in(l->w, txn, "site-a", &l->r, 0, l->e, l->n);
}

/* The store keeps what it learned across a reopening (a restarted hub); a hello writes only when
 * the clock moved; a site never seen reads empty. */
static void the_store_keeps_it_across_a_restart(void **state)
{
    (void)state;
    char dir[] = "/tmp/mm-test-watch-XXXXXX";
    assert_non_null(mkdtemp(dir));
    mm_db_t *db;
    assert_int_equal(mm_db_open(dir, 0, 8, &db), MM_OK);
    hub_watchstore_t *w;
    assert_int_equal(hub_watchstore_open(db, &CFG, &w), MM_OK);
    mm_entry_t e[2] = {facts("kawaguchi", 7, 1, ""), erased("cam1", NOW_US - DAY_US, 0)};
    learn_t l = {w, e, 2, at(NOW_US, NOW_US, 2)};
    assert_int_equal(mm_db_write(db, learn_txn, &l), MM_OK);
    hub_watch_receipt_t hello = at(NOW_US + MIN_US, NOW_US + MIN_US + 8 * DAY_US, 2);
    assert_int_equal(hub_watchstore_hello(w, "site-a", &hello), MM_OK);
    hub_watchstore_close(w);
    mm_db_close(db);

    assert_int_equal(mm_db_open(dir, 0, 8, &db), MM_OK);
    assert_int_equal(hub_watchstore_open(db, &CFG, &w), MM_OK);
    hub_watch_state_t *st;
    assert_int_equal(hub_watchstore_get(w, "site-a", &st), MM_OK);
    assert_int_equal(st->n_erasures, 1);
    assert_int_equal(st->n_skews, 2);
    assert_int_equal(hub_watch_skew_now(st)->offset_us, 8 * DAY_US);
    free(st);
    hello = at(NOW_US + 2 * MIN_US, NOW_US + 2 * MIN_US, 2);
    assert_int_equal(hub_watchstore_hello(w, "site-a", &hello), MM_OK);
    assert_int_equal(hub_watchstore_hello(w, "site-a", &hello), MM_OK); /* nothing new */
    assert_int_equal(hub_watchstore_get(w, "site-a", &st), MM_OK);
    assert_int_equal(st->n_skews, 3);
    assert_int_equal(hub_watch_skew_now(st)->offset_us, 0);
    free(st);
    assert_int_equal(hub_watchstore_get(w, "site-b", &st), MM_OK);
    assert_false(st->has_facts);
    assert_int_equal(st->n_skews + st->n_erasures + st->n_viewings, 0);
    free(st);
    hub_watchstore_close(w);
    mm_db_close(db);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* --- a site's zone --------------------------------------------------------------------------- */

static void hours_and_days_in_a_sites_zone(void **state)
{
    (void)state;
    int hour;
    char day[11];
    int64_t t = NOW_US + 12 * HOUR_US + 30 * MIN_US; /* 2026-05-21 00:30 in Japan */
    hub_sitetime("", t, &hour, day);
    assert_int_equal(hour, 0);
    assert_string_equal(day, "2026-05-21");
    hub_sitetime("Asia/Tokyo", t, &hour, day);
    assert_int_equal(hour, 0);
    hub_sitetime("Europe/London", t, &hour, day); /* BST, UTC+1 */
    assert_int_equal(hour, 16);
    assert_string_equal(day, "2026-05-20");
    hub_sitetime("../../etc/passwd", t, &hour, day); /* refused: Japan */
    assert_int_equal(hour, 0);
    hub_sitetime("America/New_York", t - 12 * HOUR_US, &hour, day); /* EDT, UTC-4 */
    assert_int_equal(hour, 23);
    assert_string_equal(day, "2026-05-19");
    /* The hub's own zone is left as it was. */
    setenv("TZ", "UTC", 1);
    hub_sitetime("Europe/London", t, &hour, day);
    assert_string_equal(getenv("TZ"), "UTC");
    unsetenv("TZ");
    hub_sitetime("Europe/London", t, &hour, day);
    assert_null(getenv("TZ"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clock_offsets_from_checkpoint_times),
        cmocka_unit_test(old_entries_after_an_outage_are_no_skew),
        cmocka_unit_test(erasures_judged_by_the_hub_clock),
        cmocka_unit_test(a_jump_ahead_is_early_a_steady_offset_is_not),
        cmocka_unit_test(floor_and_storage_pressure),
        cmocka_unit_test(viewing_per_person_and_day),
        cmocka_unit_test(viewing_rows_are_bounded),
        cmocka_unit_test(cameras_against_the_version_filed),
        cmocka_unit_test(codec_round_trip_and_refusals),
        cmocka_unit_test(the_store_keeps_it_across_a_restart),
        cmocka_unit_test(hours_and_days_in_a_sites_zone),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
