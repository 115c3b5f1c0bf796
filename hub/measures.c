/*
 * measures.c: guidance, recommendations, hearings, publication (see measures.h).
 *
 * Each change is one step run in one write transaction: the step reads the measure, refuses
 * (with why, and nothing written) what the ordinance's order does not allow, writes the measure,
 * adds the notice that tells the site (notices.h; every step but a hearing's outcome, which the
 * site took part in) and then appends the city action that logs it, whose subject is
 * "measure/<id>" — for a new measure, an id that only the transaction knows. A transaction that
 * runs again (the map grew) runs the whole step again, so a step keeps nothing from a run but its
 * result.
 */
#include "hub/measures.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "hub/measures_codec.h"
#include "hub/notices.h"

MM_ENUM_DEFINE(hub_measure_kind, HUB_MEASURE_KIND, HUB_MEASURE_KIND_MAP, "measure kind")
MM_ENUM_DEFINE(hub_measure_state, HUB_MEASURE_STATE, HUB_MEASURE_STATE_MAP, "measure state")
MM_ENUM_DEFINE(hub_hearing_outcome, HUB_HEARING_OUTCOME, HUB_HEARING_OUTCOME_MAP, "hearing outcome")

struct hub_measures {
    mm_db_t *db;
    MDB_dbi dbi;
    hub_audit_t *audit;
    hub_registry_t *registry;
};

mm_err_t hub_measures_open(mm_db_t *db, hub_audit_t *audit, hub_registry_t *registry,
                           hub_measures_t **out)
{
    hub_measures_t *m = calloc(1, sizeof *m);
    if (!m)
        return MM_ENOMEM;
    m->db = db;
    m->audit = audit;
    m->registry = registry;
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

static mm_err_t put(hub_measures_t *m, MDB_txn *txn, const hub_measure_t *o)
{
    char *text = hub_measure_encode(o);
    if (!text)
        return MM_ENOMEM;
    uint8_t k[8];
    mm_be64_put(k, o->id);
    MDB_val kv = {8, k}, vv = {strlen(text), text};
    mm_err_t err = mm_db_err(mdb_put(txn, m->dbi, &kv, &vv, 0), "put measure");
    free(text);
    return err;
}

/* The measure id into out: MM_OK, MM_ENOTFOUND (none, or one that does not decode), or a
 * storage error. */
static mm_err_t get(hub_measures_t *m, MDB_txn *txn, uint64_t id, hub_measure_t *out)
{
    uint8_t k[8];
    mm_be64_put(k, id);
    MDB_val kv = {8, k}, vv;
    int rc = mdb_get(txn, m->dbi, &kv, &vv);
    if (rc != 0)
        return rc == MDB_NOTFOUND ? MM_ENOTFOUND : mm_db_err(rc, "read measure");
    return hub_measure_decode(vv.mv_data, vv.mv_size, out) == MM_OK ? MM_OK : MM_ENOTFOUND;
}

/* A step of o: its new state, and the step in its history. */
static void history(hub_measure_t *o, hub_measure_state_t st, hub_measure_op_t *op,
                    const char *text)
{
    o->state = st;
    if (o->n_history == HUB_MEASURE_HISTORY_MAX)
        return; /* the ordinance's order has no more steps than that */
    hub_measure_step_t *h = &o->history[o->n_history++];
    *h = (hub_measure_step_t){.state = st, .time_us = op->now_us};
    snprintf(h->by, sizeof h->by, "%s", op->who->id);
    snprintf(h->text, sizeof h->text, "%s", text ? text : "");
}

static mm_err_t create_in(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                          hub_measure_kind_t kind, const uint64_t *findings, size_t n,
                          const char *text)
{
    if (!hub_measure_kind_name(kind))
        return refuse(op, MM_EINVAL, "a measure is guidance or a recommendation");
    if (n > HUB_MEASURE_FINDINGS_MAX)
        return refuse(op, MM_EINVAL, "a measure is tied to at most %d findings",
                      HUB_MEASURE_FINDINGS_MAX);
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
    hub_measure_t *o = &op->result;
    memset(o, 0, sizeof *o);
    o->id = id;
    snprintf(o->site, sizeof o->site, "%s", op->site);
    o->kind = kind;
    o->n_findings = n;
    if (n)
        memcpy(o->findings, findings, n * sizeof *findings);
    snprintf(o->text, sizeof o->text, "%s", text);
    snprintf(o->by, sizeof o->by, "%s", op->who->id);
    o->time_us = op->now_us;
    history(o, HUB_MEASURE_STATE_GIVEN, op, text);
    return put(m, txn, o);
}

/* The measure op->id of op->site into op->result, or the refusal in op. */
static mm_err_t load(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op)
{
    mm_err_t err = get(m, txn, op->id, &op->result);
    if (err == MM_OK && strcmp(op->result.site, op->site) != 0)
        err = MM_ENOTFOUND;
    if (err == MM_ENOTFOUND)
        return refuse(op, MM_ENOTFOUND, "site %s has no measure %llu", op->site,
                      (unsigned long long)op->id);
    return err;
}

/* Every particular of a hearing's offer is there and fits; else the refusal naming it. */
static mm_err_t offer_ok(hub_measure_op_t *op, const hub_hearing_offer_t *h)
{
    const struct {
        const char *name, *value, *what;
        size_t cap;
    } need[] = {
        {"deadline", h->deadline, "by when the party may state its opinion", 11},
        {"date", h->date, "when the hearing is held", HUB_HEARING_DATE_MAX},
        {"place", h->place, "where it is held", HUB_HEARING_PLACE_MAX},
        {"how", h->how, "how the party answers", HUB_HEARING_HOW_MAX},
        {"text", h->text, "the letter", MM_LONG_TEXT_MAX},
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        if (!need[i].value || !need[i].value[0])
            return refuse(op, MM_EINVAL, "a hearing offer needs \"%s\": %s (R-N11.2)", need[i].name,
                          need[i].what);
        if (strlen(need[i].value) >= need[i].cap)
            return refuse(op, MM_EINVAL, "\"%s\" is longer than %zu bytes", need[i].name,
                          need[i].cap - 1);
    }
    return MM_OK;
}

static mm_err_t offer_in(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                         const hub_hearing_offer_t *h)
{
    hub_measure_t *o = &op->result;
    mm_err_t err = offer_ok(op, h);
    if (err != MM_OK)
        return err;
    err = load(m, txn, op);
    if (err != MM_OK)
        return err;
    if (o->kind != HUB_MEASURE_KIND_RECOMMENDATION)
        return refuse(op, MM_ECONFLICT,
                      "a hearing is offered before publishing a "
                      "recommendation; measure %llu is guidance",
                      (unsigned long long)op->id);
    if (o->has_hearing)
        return refuse(op, MM_ECONFLICT, "a hearing has been offered on measure %llu already",
                      (unsigned long long)op->id);
    if (o->state == HUB_MEASURE_STATE_PUBLISHED)
        return refuse(op, MM_ECONFLICT, "measure %llu is published", (unsigned long long)op->id);
    o->has_hearing = 1;
    hub_hearing_t *g = &o->hearing;
    snprintf(g->deadline, sizeof g->deadline, "%s", h->deadline);
    snprintf(g->date, sizeof g->date, "%s", h->date);
    snprintf(g->place, sizeof g->place, "%s", h->place);
    snprintf(g->how, sizeof g->how, "%s", h->how);
    snprintf(g->letter, sizeof g->letter, "%s", h->text);
    g->offered_us = op->now_us;
    history(o, HUB_MEASURE_STATE_HEARING_OFFERED, op, h->text);
    return put(m, txn, o);
}

static mm_err_t heard_in(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op,
                         hub_hearing_outcome_t outcome, const char *text)
{
    hub_measure_t *o = &op->result;
    mm_err_t err = load(m, txn, op);
    if (err != MM_OK)
        return err;
    if (!o->has_hearing)
        return refuse(op, MM_ECONFLICT, "no hearing has been offered on measure %llu",
                      (unsigned long long)op->id);
    if (o->hearing.heard)
        return refuse(op, MM_ECONFLICT, "the hearing on measure %llu has its outcome already",
                      (unsigned long long)op->id);
    if (!hub_hearing_outcome_name(outcome))
        return refuse(op, MM_EINVAL, "an outcome is opinion_stated, no_opinion or declined");
    o->hearing.heard = 1;
    o->hearing.outcome = outcome;
    snprintf(o->hearing.record, sizeof o->hearing.record, "%s", text);
    o->hearing.recorded_us = op->now_us;
    history(o, HUB_MEASURE_STATE_HEARD, op, text);
    return put(m, txn, o);
}

static mm_err_t publish_in(hub_measures_t *m, MDB_txn *txn, hub_measure_op_t *op, const char *text)
{
    hub_measure_t *o = &op->result;
    mm_err_t err = load(m, txn, op);
    if (err != MM_OK)
        return err;
    if (o->kind != HUB_MEASURE_KIND_RECOMMENDATION)
        return refuse(op, MM_ECONFLICT,
                      "only a recommendation ignored without good reason may be published "
                      "(R-N11); measure %llu is guidance",
                      (unsigned long long)op->id);
    if (o->state == HUB_MEASURE_STATE_PUBLISHED)
        return refuse(op, MM_ECONFLICT, "measure %llu is published already",
                      (unsigned long long)op->id);
    if (!o->has_hearing)
        return refuse(op, MM_ECONFLICT,
                      "publication needs a hearing first: the party must be given the chance "
                      "to state its opinion (R-N11.2); none has been offered");
    if (!o->hearing.heard)
        return refuse(op, MM_ECONFLICT,
                      "publication needs the hearing's outcome on record (R-N11.2); the "
                      "hearing offered on measure %llu has none yet",
                      (unsigned long long)op->id);
    o->published = 1;
    snprintf(o->publication, sizeof o->publication, "%s", text);
    o->published_us = op->now_us;
    history(o, HUB_MEASURE_STATE_PUBLISHED, op, text);
    return put(m, txn, o);
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
    const hub_hearing_offer_t *offer;
    hub_hearing_outcome_t outcome;
} step_t;

/* The step's change to the measure. */
static mm_err_t change_in(step_t *s, MDB_txn *txn)
{
    hub_measure_op_t *op = s->op;
    switch (s->action) {
    case HUB_ACTION_GUIDANCE_GIVEN:
    case HUB_ACTION_RECOMMENDATION_GIVEN:
        return create_in(s->m, txn, op, s->kind, s->findings, s->n_findings, s->text);
    case HUB_ACTION_HEARING_OFFERED:
        return offer_in(s->m, txn, op, s->offer);
    case HUB_ACTION_HEARING_RECORDED:
        return heard_in(s->m, txn, op, s->outcome, s->text);
    default:
        return publish_in(s->m, txn, op, s->text);
    }
}

/* The notice that tells the site of the step (notices.h), when the step has one: its id into
 * op->notice. */
static mm_err_t notify_in(step_t *s, MDB_txn *txn, const char *subject)
{
    hub_measure_op_t *op = s->op;
    mm_request_kind_t kind;
    if (!hub_measure_notice_kind(s->action, &kind))
        return MM_OK;
    json_t *detail = hub_measure_notice_detail(s->action, &op->result);
    hub_notice_t n = {.kind = kind,
                      .subject = subject,
                      .text = s->text,
                      .detail = detail,
                      .by = op->who->id,
                      .time_us = op->now_us};
    mm_err_t err =
        detail ? hub_notice_add_in(s->m->registry, txn, op->site, &n, op->notice, sizeof op->notice)
               : MM_ENOMEM;
    json_decref(detail);
    if (err == MM_ERANGE)
        return refuse(op, MM_EINVAL,
                      "the notice to site %s would not fit the wire: shorten "
                      "its texts",
                      op->site);
    return err;
}

static mm_err_t step_txn(MDB_txn *txn, void *arg)
{
    step_t *s = arg;
    s->op->notice[0] = 0;
    char subject[32];
    snprintf(subject, sizeof subject, "measure/%llu", (unsigned long long)s->op->id);
    mm_err_t err = change_in(s, txn);
    if (err == MM_OK) /* a new measure's id is known only now */
        snprintf(subject, sizeof subject, "measure/%llu", (unsigned long long)s->op->id);
    if (err == MM_OK)
        err = notify_in(s, txn, subject);
    json_t *detail = err == MM_OK ? hub_measure_detail(s->action, &s->op->result) : NULL;
    if (err == MM_OK && s->op->notice[0]) {
        if (!detail)
            detail = json_object();
        if (!detail || json_object_set_new(detail, "notice", json_string(s->op->notice)) != 0)
            err = MM_ENOMEM;
    }
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
    memset(&s->op->result, 0, sizeof s->op->result);
    s->op->hub_log_index = 0;
    mm_err_t err = hub_audit_write(s->m->audit, step_txn, s);
    if (err != MM_OK) {
        memset(&s->op->result, 0, sizeof s->op->result);
        s->op->notice[0] = 0;
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

mm_err_t hub_measures_offer_hearing(hub_measures_t *m, hub_measure_op_t *op,
                                    const hub_hearing_offer_t *offer)
{
    step_t s = {.m = m,
                .op = op,
                .action = HUB_ACTION_HEARING_OFFERED,
                .text = offer->text,
                .offer = offer};
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

typedef struct {
    hub_measure_t *o; /* scratch: kilobytes of texts, on the heap */
    const char *site;
    int published_only;
    int (*fn)(void *arg, const hub_measure_t *measure);
    void *arg;
} each_t;

/* A measure that does not decode, or is not asked for, is passed over. */
static int each_row(const MDB_val *k, const MDB_val *v, void *arg)
{
    (void)k;
    each_t *e = arg;
    if (hub_measure_decode(v->mv_data, v->mv_size, e->o) != MM_OK ||
        (e->site && strcmp(e->o->site, e->site) != 0) ||
        (e->published_only && e->o->state != HUB_MEASURE_STATE_PUBLISHED))
        return 0;
    return e->fn(e->arg, e->o) ? 1 : 0;
}

mm_err_t hub_measures_each(hub_measures_t *m, const char *site, int published_only,
                           int (*fn)(void *arg, const hub_measure_t *measure), void *arg)
{
    each_t e = {malloc(sizeof(hub_measure_t)), site, published_only, fn, arg};
    if (!e.o)
        return MM_ENOMEM;
    mm_err_t err = mm_db_each(m->db, m->dbi, NULL, each_row, &e, "read measures");
    free(e.o);
    return err;
}
