/*
 * measures.c: guidance, recommendations, hearings, publication (see measures.h).
 */
#include "hub/measures.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"

struct hub_measures {
    mm_db_t *db;
    MDB_dbi dbi;
};

mm_err_t hub_measures_open(mm_db_t *db, hub_measures_t **out)
{
    hub_measures_t *m = calloc(1, sizeof *m);
    if (!m)
        return MM_ENOMEM;
    m->db = db;
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

static void history(json_t *o, const char *state, hub_measure_op_t *op, const char *text)
{
    json_object_set_new(o, "state", json_string(state));
    json_array_append_new(json_object_get(o, "history"),
                          json_pack("{s:s, s:I, s:s, s:s}", "state", state, "time_us",
                                    (json_int_t)op->now_us, "by", op->by, "text",
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

mm_err_t hub_measures_create(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                             const char *kind, json_t *findings, const char *text)
{
    if (strcmp(kind, "guidance") != 0 && strcmp(kind, "recommendation") != 0)
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
    json_t *o = json_pack("{s:I, s:s, s:s, s:O, s:s, s:s, s:I, s:[]}", "id", (json_int_t)id, "site",
                          op->site, "kind", kind, "findings", findings, "text", text, "by", op->by,
                          "time_us", (json_int_t)op->now_us, "history");
    if (!o)
        return MM_ENOMEM;
    history(o, "given", op, text);
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

static int is(json_t *o, const char *key, const char *val)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && !strcmp(s, val);
}

mm_err_t hub_measures_offer_hearing(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                                    const char *deadline, const char *text)
{
    mm_err_t err;
    json_t *o = load(m, txn, op, &err);
    if (!o)
        return err;
    err = MM_OK;
    if (!is(o, "kind", "recommendation"))
        err = refuse(op, MM_ECONFLICT,
                     "a hearing is offered before publishing a "
                     "recommendation; measure %llu is guidance",
                     (unsigned long long)op->id);
    else if (json_object_get(o, "hearing"))
        err = refuse(op, MM_ECONFLICT, "a hearing has been offered on measure %llu already",
                     (unsigned long long)op->id);
    else if (is(o, "state", "published"))
        err = refuse(op, MM_ECONFLICT, "measure %llu is published", (unsigned long long)op->id);
    if (err != MM_OK) {
        json_decref(o);
        return err;
    }
    json_object_set_new(o, "hearing",
                        json_pack("{s:s, s:s, s:I}", "deadline", deadline, "letter", text,
                                  "offered_us", (json_int_t)op->now_us));
    history(o, "hearing_offered", op, text);
    return finish(m, txn, op, o);
}

mm_err_t hub_measures_record_hearing(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                                     const char *outcome, const char *text)
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
    else if (strcmp(outcome, "opinion_stated") && strcmp(outcome, "no_opinion") &&
             strcmp(outcome, "declined"))
        err = refuse(op, MM_EINVAL, "an outcome is opinion_stated, no_opinion or declined");
    if (err != MM_OK) {
        json_decref(o);
        return err;
    }
    json_object_set_new(h, "outcome", json_string(outcome));
    json_object_set_new(h, "record", json_string(text));
    json_object_set_new(h, "recorded_us", json_integer((json_int_t)op->now_us));
    history(o, "heard", op, text);
    return finish(m, txn, op, o);
}

mm_err_t hub_measures_publish(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                              const char *text)
{
    mm_err_t err;
    json_t *o = load(m, txn, op, &err);
    if (!o)
        return err;
    json_t *h = json_object_get(o, "hearing");
    err = MM_OK;
    if (!is(o, "kind", "recommendation"))
        err = refuse(op, MM_ECONFLICT,
                     "only a recommendation ignored without good reason may be published "
                     "(R-N11); measure %llu is guidance",
                     (unsigned long long)op->id);
    else if (is(o, "state", "published"))
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
    history(o, "published", op, text);
    return finish(m, txn, op, o);
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
            if (o && (!site || is(o, "site", site)) &&
                (!published_only || is(o, "state", "published")))
                json_array_append_new(a, o);
            else
                json_decref(o);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return a;
}
