/*
 * measures.c: guidance, recommendations, hearings, publication (see measures.h).
 *
 * Each change is one step run in one write transaction: the step reads the measure, refuses
 * (with why, and nothing written) what the ordinance's order does not allow, writes the measure
 * and then appends the city action that logs it, whose subject is "measure/<id>" — for a new
 * measure, an id that only the transaction knows. A transaction that runs again (the map grew)
 * runs the whole step again, so a step keeps nothing from a run but its result.
 */
#include "hub/measures.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"

MM_ENUM_DEFINE(hub_measure_kind, HUB_MEASURE_KIND, HUB_MEASURE_KIND_MAP, "measure kind")
MM_ENUM_DEFINE(hub_measure_state, HUB_MEASURE_STATE, HUB_MEASURE_STATE_MAP, "measure state")
MM_ENUM_DEFINE(hub_hearing_outcome, HUB_HEARING_OUTCOME, HUB_HEARING_OUTCOME_MAP, "hearing outcome")

struct hub_measures {
    mm_db_t *db;
    MDB_dbi dbi;
    hub_audit_t *audit;
};

mm_err_t hub_measures_open(mm_db_t *db, hub_audit_t *audit, hub_measures_t **out)
{
    hub_measures_t *m = calloc(1, sizeof *m);
    if (!m)
        return MM_ENOMEM;
    m->db = db;
    m->audit = audit;
    mm_err_t err = mm_db_dbi(db, "hub.measures", 0, &m->dbi);
    if (err != MM_OK) {
        free(m);
        return err;
    }
    *out = m;
    return MM_OK;
}

void hub_measures_close(hub_measures_t *m)
{
    free(m);
}

static mm_err_t refuse(hub_measure_op_t *op, mm_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static mm_err_t refuse(hub_measure_op_t *op, mm_err_t err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->why, sizeof op->why, fmt, ap);
    va_end(ap);
    return err;
}

static mm_err_t put(hub_measures_t *m, MDB_txn *txn, uint64_t id, json_t *o)
{
    return mm_db_put_json(txn, m->dbi, id, o, "put measure");
}

static json_t *get(hub_measures_t *m, MDB_txn *txn, uint64_t id)
{
    uint8_t k[8];
    mm_be64_put(k, id);
    MDB_val kv = {8, k}, vv;
    if (mdb_get(txn, m->dbi, &kv, &vv) != 0)
        return NULL;
    return json_loadb(vv.mv_data, vv.mv_size, 0, NULL);
}

static void history(json_t *o, hub_measure_state_t st, hub_measure_op_t *op, const char *text)
{
    const char *state = hub_measure_state_name(st);
    json_object_set_new(o, "state", json_string(state));
    json_array_append_new(json_object_get(o, "history"),
                          json_pack("{s:s, s:I, s:s, s:s}", "state", state, "time_us",
                                    (json_int_t)op->now_us, "by", op->who->id, "text",
                                    text ? text : ""));
}

static mm_err_t finish(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op, json_t *o)
{
    mm_err_t err = put(m, txn, op->id, o);
    if (err == MM_OK) {
        json_decref(op->result); /* a retried transaction sets it again */
        op->result = json_incref(o);
    }
    json_decref(o);
    return err;
}

static mm_err_t create_in(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                          hub_measure_kind_t kind, json_t *findings, const char *text)
{
    if (!hub_measure_kind_name(kind))
        return refuse(op, MM_EINVAL, "a measure is guidance or a recommendation");
    uint64_t id = 1;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, m->dbi, &cur);
    if (rc != 0)
        return mm_db_err(rc, "open measures cursor");
    MDB_val k, v;
    if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == 0 && k.mv_size == 8)
        id = mm_be64_get(k.mv_data) + 1;
    mdb_cursor_close(cur);
    op->id = id;
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:O, s:s, s:s, s:I, s:[]}", "id", (json_int_t)id, "site",
                  op->site, "kind", hub_measure_kind_name(kind), "findings", findings, "text", text,
                  "by", op->who->id, "time_us", (json_int_t)op->now_us, "history");
    if (!o)
        return MM_ENOMEM;
    history(o, HUB_MEASURE_STATE_GIVEN, op, text);
    return finish(m, txn, op, o);
}

/* The measure op->id of op->site, or NULL with the refusal in op. */
static json_t *load(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op, mm_err_t *err)
{
    json_t *o = get(m, txn, op->id);
    const char *site = o ? json_string_value(json_object_get(o, "site")) : NULL;
    if (!o || !site || strcmp(site, op->site) != 0) {
        json_decref(o);
        *err = refuse(op, MM_ENOTFOUND, "site %s has no measure %llu", op->site,
                      (unsigned long long)op->id);
        return NULL;
    }
    return o;
}

static int kind_is(json_t *o, hub_measure_kind_t kind)
{
    hub_measure_kind_t k;
    return hub_measure_kind_parse(json_string_value(json_object_get(o, "kind")), &k) && k == kind;
}

static int state_is(json_t *o, hub_measure_state_t state)
{
    hub_measure_state_t st;
    return hub_measure_state_parse(json_string_value(json_object_get(o, "state")), &st) &&
           st == state;
}

static mm_err_t offer_in(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                         const char *deadline, const char *text)
{
    mm_err_t err;
    json_t *o = load(m, txn, op, &err);
    if (!o)
        return err;
    err = MM_OK;
    if (!kind_is(o, HUB_MEASURE_KIND_RECOMMENDATION))
        err = refuse(op, MM_ECONFLICT,
                     "a hearing is offered before publishing a "
                     "recommendation; measure %llu is guidance",
                     (unsigned long long)op->id);
    else if (json_object_get(o, "hearing"))
        err = refuse(op, MM_ECONFLICT, "a hearing has been offered on measure %llu already",
                     (unsigned long long)op->id);
    else if (state_is(o, HUB_MEASURE_STATE_PUBLISHED))
        err = refuse(op, MM_ECONFLICT, "measure %llu is published", (unsigned long long)op->id);
    if (err != MM_OK) {
        json_decref(o);
        return err;
    }
    json_object_set_new(o, "hearing",
                        json_pack("{s:s, s:s, s:I}", "deadline", deadline, "letter", text,
                                  "offered_us", (json_int_t)op->now_us));
    history(o, HUB_MEASURE_STATE_HEARING_OFFERED, op, text);
    return finish(m, txn, op, o);
}

static mm_err_t heard_in(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                         hub_hearing_outcome_t outcome, const char *text)
{
    mm_err_t err;
    json_t *o = load(m, txn, op, &err);
    if (!o)
        return err;
    json_t *h = json_object_get(o, "hearing");
    err = MM_OK;
    if (!h)
        err = refuse(op, MM_ECONFLICT, "no hearing has been offered on measure %llu",
                     (unsigned long long)op->id);
    else if (json_object_get(h, "outcome"))
        err = refuse(op, MM_ECONFLICT, "the hearing on measure %llu has its outcome already",
                     (unsigned long long)op->id);
    else if (!hub_hearing_outcome_name(outcome))
        err = refuse(op, MM_EINVAL, "an outcome is opinion_stated, no_opinion or declined");
    if (err != MM_OK) {
        json_decref(o);
        return err;
    }
    json_object_set_new(h, "outcome", json_string(hub_hearing_outcome_name(outcome)));
    json_object_set_new(h, "record", json_string(text));
    json_object_set_new(h, "recorded_us", json_integer((json_int_t)op->now_us));
    history(o, HUB_MEASURE_STATE_HEARD, op, text);
    return finish(m, txn, op, o);
}

static mm_err_t publish_in(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op, const char *text)
{
    mm_err_t err;
    json_t *o = load(m, txn, op, &err);
    if (!o)
        return err;
    json_t *h = json_object_get(o, "hearing");
    err = MM_OK;
    if (!kind_is(o, HUB_MEASURE_KIND_RECOMMENDATION))
        err = refuse(op, MM_ECONFLICT,
                     "only a recommendation ignored without good reason may be published "
                     "(R-N11); measure %llu is guidance",
                     (unsigned long long)op->id);
    else if (state_is(o, HUB_MEASURE_STATE_PUBLISHED))
        err = refuse(op, MM_ECONFLICT, "measure %llu is published already",
                     (unsigned long long)op->id);
    else if (!h)
        err = refuse(op, MM_ECONFLICT,
                     "publication needs a hearing first: the party must be given the chance "
                     "to state its opinion (R-N11.2); none has been offered");
    else if (!json_object_get(h, "outcome"))
        err = refuse(op, MM_ECONFLICT,
                     "publication needs the hearing's outcome on record (R-N11.2); the "
                     "hearing offered on measure %llu has none yet",
                     (unsigned long long)op->id);
    if (err != MM_OK) {
        json_decref(o);
        return err;
    }
    json_object_set_new(
        o, "publication",
        json_pack("{s:s, s:I}", "text", text, "published_us", (json_int_t)op->now_us));
    history(o, HUB_MEASURE_STATE_PUBLISHED, op, text);
    return finish(m, txn, op, o);
}

/* --- a step with the city action that logs it -----------------------------------------------*/

typedef struct {
    hub_measures_t *m;
    hub_measure_op_t *op;
    hub_action_t action;
    const char *text;
    /* the step's particulars: */
    hub_measure_kind_t kind;
    const uint64_t *findings;
    size_t n_findings;
    const char *deadline;
    hub_hearing_outcome_t outcome;
} step_t;

/* The step's change to the measure, and the detail of its city action (a new reference; NULL
 * for none) into *detail. */
static mm_err_t change_in(step_t *s, MDB_txn *txn, json_t **detail)
{
    hub_measure_op_t *op = s->op;
    mm_err_t err;
    switch (s->action) {
    case HUB_ACTION_GUIDANCE_GIVEN:
    case HUB_ACTION_RECOMMENDATION_GIVEN: {
        json_t *ids = json_array();
        for (size_t i = 0; i < s->n_findings; i++)
            json_array_append_new(ids, json_integer((json_int_t)s->findings[i]));
        err = create_in(s->m, txn, op, s->kind, ids, s->text);
        *detail = json_pack("{s:o}", "findings", ids);
        return err;
    }
    case HUB_ACTION_HEARING_OFFERED:
        err = offer_in(s->m, txn, op, s->deadline, s->text);
        *detail = json_pack("{s:s}", "deadline", s->deadline);
        return err;
    case HUB_ACTION_HEARING_RECORDED:
        err = heard_in(s->m, txn, op, s->outcome, s->text);
        if (err == MM_OK)
            *detail = json_pack("{s:s}", "outcome", hub_hearing_outcome_name(s->outcome));
        return err;
    default:
        return publish_in(s->m, txn, op, s->text);
    }
}

static mm_err_t step_txn(MDB_txn *txn, void *arg)
{
    step_t *s = arg;
    json_t *detail = NULL;
    mm_err_t err = change_in(s, txn, &detail);
    char subject[32];
    snprintf(subject, sizeof subject, "measure/%llu", (unsigned long long)s->op->id);
    hub_city_action_t a = {.action = s->action,
                           .time_us = s->op->now_us,
                           .site = s->op->site,
                           .subject = subject,
                           .person = s->op->who->id,
                           .role = hub_role_name(s->op->who->role),
                           .reason = s->text,
                           .detail = detail};
    if (err == MM_OK)
        err = hub_audit_append_in(s->m->audit, txn, &a, &s->op->hub_log_index);
    json_decref(detail);
    return err;
}

static mm_err_t step(step_t *s)
{
    s->op->why[0] = 0;
    s->op->result = NULL;
    s->op->hub_log_index = 0;
    mm_err_t err = hub_audit_write(s->m->audit, step_txn, s);
    if (err != MM_OK) {
        json_decref(s->op->result);
        s->op->result = NULL;
    }
    return err;
}

mm_err_t hub_measures_create(hub_measures_t *m, hub_measure_op_t *op, hub_measure_kind_t kind,
                             const uint64_t *findings, size_t n_findings, const char *text)
{
    step_t s = {.m = m,
                .op = op,
                .action = kind == HUB_MEASURE_KIND_GUIDANCE ? HUB_ACTION_GUIDANCE_GIVEN
                                                            : HUB_ACTION_RECOMMENDATION_GIVEN,
                .text = text,
                .kind = kind,
                .findings = findings,
                .n_findings = n_findings};
    return step(&s);
}

mm_err_t hub_measures_offer_hearing(hub_measures_t *m, hub_measure_op_t *op, const char *deadline,
                                    const char *text)
{
    step_t s = {
        .m = m, .op = op, .action = HUB_ACTION_HEARING_OFFERED, .text = text, .deadline = deadline};
    return step(&s);
}

mm_err_t hub_measures_record_hearing(hub_measures_t *m, hub_measure_op_t *op,
                                     hub_hearing_outcome_t outcome, const char *text)
{
    step_t s = {
        .m = m, .op = op, .action = HUB_ACTION_HEARING_RECORDED, .text = text, .outcome = outcome};
    return step(&s);
}

mm_err_t hub_measures_publish(hub_measures_t *m, hub_measure_op_t *op, const char *text)
{
    step_t s = {.m = m, .op = op, .action = HUB_ACTION_RECOMMENDATION_PUBLISHED, .text = text};
    return step(&s);
}

json_t *hub_measures_list(hub_measures_t *m, const char *site, int published_only)
{
    MDB_txn *txn;
    if (mm_db_read(m->db, &txn) != MM_OK)
        return NULL;
    json_t *a = json_array();
    MDB_cursor *cur;
    if (a && mdb_cursor_open(txn, m->dbi, &cur) == 0) {
        MDB_val k, v;
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            json_t *o = json_loadb(v.mv_data, v.mv_size, 0, NULL);
            const char *osite = json_string_value(json_object_get(o, "site"));
            if (o && (!site || (osite && !strcmp(osite, site))) &&
                (!published_only || state_is(o, HUB_MEASURE_STATE_PUBLISHED)))
                json_array_append_new(a, o);
            else
                json_decref(o);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return a;
}
