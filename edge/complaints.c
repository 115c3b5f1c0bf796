/*
 * complaints.c: complaints received at the site (see complaints.h).
 *
 * A complaint's record is its JSON in edge.meta, read and checked strictly whole (a damaged one
 * is refused, never half-read), changed in memory, and written back with the step's entry in one
 * transaction. Every step's entry is made from the record, so each repeats the complaint's
 * description as the record holds it. The walks read every record: a site has some tens of
 * complaints a year, and their count gives the next id.
 */
#include "edge/complaints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/entry.h"
#include "common/utf8.h"
#include "edge/requests.h"

#define PREFIX "complaint/"
#define KEY_MAX (sizeof PREFIX + MM_ID_MAX)
#define RECORD_MAX (512 * 1024) /* 32 steps of 2047 bytes, escaped, and the description */
#define DAY_US (86400LL * 1000000)

static void record_key(const char *id, char key[KEY_MAX])
{
    snprintf(key, KEY_MAX, PREFIX "%s", id);
}

static int text_ok(json_t *v, size_t cap, int nonempty)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    return s && strlen(s) == n && n < cap && (!nonempty || n) && mm_utf8_valid(s, n);
}

/* Whether one of a record's steps is sound. */
static int step_ok(json_t *s)
{
    json_t *step, *by, *text;
    json_int_t t;
    mm_complaint_step_t st;
    return json_unpack(s, "{s:o, s:I, s:o, s:o !}", "step", &step, "time_us", &t, "by", &by, "text",
                       &text) == 0 &&
           mm_complaint_step_parse(json_string_value(step), &st) && text_ok(by, MM_ID_MAX, 1) &&
           text_ok(text, MM_LONG_TEXT_MAX, 0);
}

/* Whether a stored record is one this module wrote: every member, of its type and bounds. */
static int record_ok(json_t *r)
{
    json_t *id, *channel, *about, *camera, *hub, *state, *steps;
    json_int_t received;
    mm_complaint_channel_t ch;
    mm_complaint_step_t st;
    if (json_unpack(r, "{s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o !}", "id", &id, "received_us",
                    &received, "channel", &channel, "about", &about, "camera", &camera,
                    "hub_complaint", &hub, "state", &state, "steps", &steps) != 0 ||
        !text_ok(id, MM_ID_MAX, 1) || received <= 0 ||
        !mm_complaint_channel_parse(json_string_value(channel), &ch) ||
        !text_ok(about, MM_LONG_TEXT_MAX, 1) || !text_ok(camera, MM_ID_MAX, 0) ||
        !text_ok(hub, MM_ID_MAX, 0) || !mm_complaint_step_parse(json_string_value(state), &st) ||
        !json_is_array(steps) || json_array_size(steps) == 0 ||
        json_array_size(steps) > EDGE_COMPLAINT_STEPS_MAX)
        return 0;
    size_t i;
    json_t *s;
    json_array_foreach(steps, i, s) if (!step_ok(s)) return 0;
    return 1;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int64_t num(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* The record of id: MM_OK with *out (the caller's), MM_ENOTFOUND, MM_ECORRUPT (logged),
 * MM_ENOMEM, store errors. */
static mm_err_t record_load(edge_store_t *st, const char *id, json_t **out)
{
    *out = NULL;
    if (!mm_utf8_field_ok(id, MM_ID_MAX, 1))
        return MM_ENOTFOUND;
    char key[KEY_MAX];
    record_key(id, key);
    char *buf = malloc(RECORD_MAX);
    if (!buf)
        return MM_ENOMEM;
    size_t len = 0;
    mm_err_t err = edge_store_meta_get(st, key, buf, RECORD_MAX, &len);
    if (err == MM_ERANGE)
        err = MM_ECORRUPT;
    json_t *r = err == MM_OK ? json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (err == MM_OK && (!r || !record_ok(r) || strcmp(str(r, "id"), id) != 0)) {
        MM_ERROR("the store's record of complaint %s is damaged", id);
        err = MM_ECORRUPT;
    }
    free(buf);
    if (err == MM_OK)
        *out = r;
    else
        json_decref(r);
    return err;
}

/* Every record, as a JSON array the caller owns, in key order. */
typedef struct {
    json_t *all;
    mm_err_t err;
} walk_t;

static int walk_one(const char *name, size_t name_len, const void *val, size_t len, void *arg)
{
    walk_t *w = arg;
    json_t *r = json_loadb(val, len, JSON_REJECT_DUPLICATES, NULL);
    if (!r || !record_ok(r)) {
        MM_ERROR("the store's record %.*s is damaged", (int)name_len, name);
        json_decref(r);
        w->err = MM_ECORRUPT;
        return 1;
    }
    if (json_array_append_new(w->all, r) != 0) {
        w->err = MM_ENOMEM;
        return 1;
    }
    return 0;
}

static mm_err_t records(edge_store_t *st, json_t **out)
{
    walk_t w = {json_array(), MM_OK};
    mm_err_t err = w.all ? edge_store_meta_each(st, PREFIX, walk_one, &w) : MM_ENOMEM;
    if (err == MM_OK)
        err = w.err;
    if (err != MM_OK) {
        json_decref(w.all);
        w.all = NULL;
    }
    *out = w.all;
    return err;
}

/* A new record, with the next id (one past the count of complaints, or the first free after). */
static json_t *record_new(json_t *all, mm_complaint_channel_t channel, int64_t received_us,
                          const char *about, const char *camera, const char *hub)
{
    char id[MM_ID_MAX];
    for (size_t n = json_array_size(all) + 1;; n++) {
        snprintf(id, sizeof id, "site-complaint-%zu", n);
        int taken = 0;
        size_t i;
        json_t *r;
        json_array_foreach(all, i, r) taken |= !strcmp(str(r, "id"), id);
        if (!taken)
            break;
    }
    return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:[]}", "id", id, "received_us",
                     (json_int_t)received_us, "channel", mm_complaint_channel_name(channel),
                     "about", about, "camera", camera ? camera : "", "hub_complaint",
                     hub ? hub : "", "state", "received", "steps");
}

/* The entry of the record's last step. */
static mm_err_t entry_of(json_t *r, mm_entry_t *e)
{
    json_t *s = json_array_get(json_object_get(r, "steps"),
                               json_array_size(json_object_get(r, "steps")) - 1);
    memset(e, 0, sizeof *e);
    e->kind = MM_ENTRY_SITE_COMPLAINT;
    e->time_us = num(s, "time_us");
    mm_site_complaint_t *c = &e->u.site_complaint;
    snprintf(c->id, sizeof c->id, "%s", str(r, "id"));
    if (!mm_complaint_step_parse(str(s, "step"), &c->step) ||
        !mm_complaint_channel_parse(str(r, "channel"), &c->channel))
        return MM_EINVAL;
    c->received_us = num(r, "received_us");
    snprintf(c->about, sizeof c->about, "%s", str(r, "about"));
    snprintf(c->camera, sizeof c->camera, "%s", str(r, "camera"));
    snprintf(c->by, sizeof c->by, "%s", str(s, "by"));
    snprintf(c->text, sizeof c->text, "%s", str(s, "text"));
    snprintf(c->hub_complaint, sizeof c->hub_complaint, "%s", str(r, "hub_complaint"));
    return mm_entry_validate(e, NULL, 0);
}

/* Adds a step to r and logs its entry with the record, in one transaction. */
static mm_err_t add_step(edge_store_t *st, json_t *r, mm_complaint_step_t step, const char *by,
                         const char *text, int64_t now_us)
{
    const char *name = mm_complaint_step_name(step);
    json_t *s = json_pack("{s:s, s:I, s:s, s:s}", "step", name, "time_us", (json_int_t)now_us, "by",
                          by, "text", text ? text : "");
    if (!s || json_array_append_new(json_object_get(r, "steps"), s) != 0 ||
        json_object_set_new(r, "state", json_string(name)) != 0)
        return MM_ENOMEM;
    mm_entry_t *e = malloc(sizeof *e);
    if (!e)
        return MM_ENOMEM;
    mm_err_t err = entry_of(r, e);
    char *val = err == MM_OK ? json_dumps(r, JSON_COMPACT) : NULL;
    if (err == MM_OK && !val)
        err = MM_ENOMEM;
    char key[KEY_MAX];
    record_key(str(r, "id"), key);
    if (err == MM_OK)
        err = edge_store_append_meta(st, e, key, val, strlen(val), NULL);
    if (err == MM_OK)
        MM_INFO("complaint %s %s by %s", str(r, "id"), name, by);
    else
        MM_ERROR("complaint %s: cannot log it %s: %s", str(r, "id"), name, mm_strerror(err));
    free(val);
    free(e);
    return err;
}

/* --- the views ------------------------------------------------------------------------------ */

static int64_t deadline(int64_t received_us)
{
    return received_us + MM_COMPLAINT_DAYS * DAY_US;
}

static json_t *site_view(json_t *r, int64_t now_us)
{
    int64_t due = deadline(num(r, "received_us"));
    int open = strcmp(str(r, "state"), "closed") != 0;
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:s, s:s, s:s, s:s, s:O}", "id", str(r, "id"),
                     "source", "site", "state", str(r, "state"), "received_us",
                     (json_int_t)num(r, "received_us"), "deadline_us", (json_int_t)due, "overdue",
                     open && now_us > due, "channel", str(r, "channel"), "about", str(r, "about"),
                     "camera", str(r, "camera"), "hub_complaint", str(r, "hub_complaint"), "steps",
                     json_object_get(r, "steps"));
}

/* The site complaint of all that handles the city's complaint hub, NULL when none. */
static json_t *handling(json_t *all, const char *hub)
{
    size_t i;
    json_t *r;
    json_array_foreach(all, i, r) if (!strcmp(str(r, "hub_complaint"), hub)) return r;
    return NULL;
}

static json_t *city_view(json_t *q, json_t *all, int64_t now_us)
{
    json_t *sc = handling(all, str(q, "id"));
    int open = strcmp(str(q, "state"), "answered") != 0;
    int64_t due = num(q, "deadline_us");
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:s, s:s, s:s}", "id", str(q, "id"), "source",
                     "city", "state", open ? "open" : "answered", "received_us",
                     (json_int_t)num(q, "time_us"), "deadline_us", (json_int_t)due, "overdue",
                     open && due > 0 && now_us > due, "about", str(q, "text"), "camera",
                     str(q, "camera"), "site_complaint", sc ? str(sc, "id") : "");
}

static int by_receipt(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int64_t tx = num(x, "received_us"), ty = num(y, "received_us");
    return tx < ty ? -1 : tx > ty ? 1 : strcmp(str(x, "id"), str(y, "id"));
}

/* The items of list (a JSON array, stolen), sorted by receipt, those open only unless all. */
static json_t *sorted(json_t *list, int all, size_t *open)
{
    size_t n = json_array_size(list);
    json_t **v = calloc(n ? n : 1, sizeof *v);
    json_t *out = v ? json_array() : NULL;
    for (size_t i = 0; out && i < n; i++)
        v[i] = json_array_get(list, i);
    if (out)
        qsort(v, n, sizeof *v, by_receipt);
    *open = 0;
    for (size_t i = 0; out && i < n; i++) {
        const char *state = str(v[i], "state");
        int is_open = strcmp(state, "closed") && strcmp(state, "answered");
        *open += is_open;
        if ((all || is_open) && json_array_append(out, v[i]) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    free(v);
    json_decref(list);
    return out;
}

mm_err_t edge_complaints_list(edge_store_t *st, int all, int64_t now_us, json_t **out)
{
    *out = NULL;
    json_t *recs = NULL, *reqs = NULL, *list = json_array();
    mm_err_t err = list ? records(st, &recs) : MM_ENOMEM;
    if (err == MM_OK)
        err = edge_requests_list(st, now_us, &reqs);
    size_t i;
    json_t *v;
    if (err == MM_OK) {
        json_array_foreach(recs, i, v) json_array_append_new(list, site_view(v, now_us));
        json_array_foreach(json_object_get(reqs, "requests"), i, v)
        {
            if (!strcmp(str(v, "kind"), "complaint"))
                json_array_append_new(list, city_view(v, recs, now_us));
        }
    }
    json_decref(recs);
    json_decref(reqs);
    if (err != MM_OK) {
        json_decref(list);
        return err;
    }
    size_t open = 0;
    json_t *items = sorted(list, all, &open);
    *out = items ? json_pack("{s:o, s:I}", "complaints", items, "open", (json_int_t)open) : NULL;
    return *out ? MM_OK : MM_ENOMEM;
}

/* --- the steps ------------------------------------------------------------------------------ */

mm_err_t edge_complaints_record(edge_store_t *st, const edge_complaint_t *c, int64_t now_us,
                                json_t **out, char *msg, size_t cap)
{
    if (out)
        *out = NULL;
    if (!mm_complaint_channel_name(c->channel))
        return mm_errf(MM_EINVAL, msg, cap, "no such channel");
    if (!c->about || !mm_utf8_field_ok(c->about, MM_LONG_TEXT_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "a complaint says what it is about: 1 to %d bytes",
                       MM_LONG_TEXT_MAX - 1);
    if (!c->by || !mm_utf8_field_ok(c->by, MM_ID_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "a complaint names who recorded it");
    if (c->camera && !mm_utf8_field_ok(c->camera, MM_ID_MAX, 0))
        return mm_errf(MM_EINVAL, msg, cap, "no such camera");
    if (c->received_us <= 0 || c->received_us > now_us)
        return mm_errf(MM_EINVAL, msg, cap,
                       "a complaint was received at some time before now, not in the future");
    json_t *all = NULL, *r = NULL;
    mm_err_t err = records(st, &all);
    if (err == MM_OK && !(r = record_new(all, c->channel, c->received_us, c->about, c->camera, "")))
        err = MM_ENOMEM;
    if (err == MM_OK)
        err = add_step(st, r, MM_COMPLAINT_STEP_RECEIVED, c->by, "", now_us);
    if (err != MM_OK)
        mm_errf(err, msg, cap, "the complaint could not be recorded: %s", mm_strerror(err));
    else if (out)
        *out = site_view(r, now_us);
    json_decref(all);
    json_decref(r);
    return err;
}

/* The record of id: a site complaint's, or for a complaint the city sent, the site complaint that
 * handles it or a new one. */
static mm_err_t find(edge_store_t *st, const char *id, json_t **r, char *msg, size_t cap)
{
    mm_err_t err = record_load(st, id, r);
    if (err != MM_ENOTFOUND)
        return err == MM_OK ? MM_OK
                            : mm_errf(err, msg, cap, "complaint %s cannot be read: %s", id,
                                      mm_strerror(err));
    mm_city_request_t *q = malloc(sizeof *q);
    if (!q)
        return MM_ENOMEM;
    err = edge_requests_get(st, id, q);
    if (err == MM_OK && q->kind != MM_REQUEST_KIND_COMPLAINT)
        err = MM_ENOTFOUND;
    json_t *all = NULL;
    if (err == MM_OK)
        err = records(st, &all);
    json_t *sc = err == MM_OK ? handling(all, id) : NULL;
    if (sc)
        *r = json_incref(sc);
    else if (err == MM_OK)
        *r = record_new(all, MM_COMPLAINT_CHANNEL_OTHER, q->time_us > 0 ? q->time_us : 1,
                        q->text[0] ? q->text : "(no text)", q->camera, id);
    if (err == MM_OK && !*r)
        err = MM_ENOMEM;
    if (err == MM_ENOTFOUND)
        mm_errf(err, msg, cap, "no complaint %s: neither the site's nor a complaint of the city",
                id);
    else if (err != MM_OK)
        mm_errf(err, msg, cap, "complaint %s cannot be read: %s", id, mm_strerror(err));
    json_decref(all);
    free(q);
    return err;
}

/* Answers the city's complaint hub with the closing text; says how in r's "city_answer". */
static void answer_city(edge_store_t *st, json_t *r, const char *hub, const char *by,
                        const char *text, int64_t now_us)
{
    char why[MM_TEXT_MAX];
    mm_err_t err =
        edge_requests_answer(st, hub, by, text, NULL, NULL, now_us, NULL, why, sizeof why);
    const char *said = err == MM_OK ? "sent" : err == MM_EEXIST ? "answered already" : why;
    if (err != MM_OK && err != MM_EEXIST)
        MM_ERROR("complaint %s closed, but the city's %s could not be answered: %s", str(r, "id"),
                 hub, why);
    json_object_set_new(r, "city_answer", json_string(said));
}

mm_err_t edge_complaints_step(edge_store_t *st, const char *id, mm_complaint_step_t step,
                              const char *by, const char *text, int answer, int64_t now_us,
                              json_t **out, char *msg, size_t cap)
{
    if (out)
        *out = NULL;
    if (step != MM_COMPLAINT_STEP_HANDLED && step != MM_COMPLAINT_STEP_CLOSED)
        return mm_errf(MM_EINVAL, msg, cap, "a complaint is handled or closed");
    if (!by || !mm_utf8_field_ok(by, MM_ID_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "a step names who took it");
    if (!text || !mm_utf8_field_ok(text, MM_LONG_TEXT_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "say what was done: 1 to %d bytes of UTF-8",
                       MM_LONG_TEXT_MAX - 1);
    if (!id || !mm_utf8_field_ok(id, MM_ID_MAX, 1))
        return mm_errf(MM_ENOTFOUND, msg, cap, "no complaint %.63s", id ? id : "");
    json_t *r = NULL;
    mm_err_t err = find(st, id, &r, msg, cap);
    if (err != MM_OK)
        return err;
    const char *hub = str(r, "hub_complaint");
    size_t n = json_array_size(json_object_get(r, "steps"));
    if (!strcmp(str(r, "state"), "closed"))
        err = mm_errf(MM_ECONFLICT, msg, cap, "complaint %s is closed already", str(r, "id"));
    else if (step == MM_COMPLAINT_STEP_CLOSED && *hub && !answer)
        err = mm_errf(MM_EDENIED, msg, cap,
                      "complaint %s came from the city (%s): closing it answers the city, which "
                      "the manager does (R-N12)",
                      str(r, "id"), hub);
    else if (step == MM_COMPLAINT_STEP_HANDLED && n + 1 >= EDGE_COMPLAINT_STEPS_MAX)
        err = mm_errf(MM_EFULL, msg, cap, "complaint %s has %zu steps: close it", str(r, "id"), n);
    else if ((err = add_step(st, r, step, by, text, now_us)) != MM_OK)
        mm_errf(err, msg, cap, "the step could not be logged: %s", mm_strerror(err));
    if (err == MM_OK && step == MM_COMPLAINT_STEP_CLOSED && *hub)
        answer_city(st, r, hub, by, text, now_us);
    if (err == MM_OK && out) {
        *out = site_view(r, now_us);
        json_t *said = json_object_get(r, "city_answer");
        if (*out && said)
            json_object_set(*out, "city_answer", said);
    }
    json_decref(r);
    return err;
}
