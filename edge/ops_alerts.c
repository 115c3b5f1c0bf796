/*
 * ops_alerts.c: what of ops's state the alerts look at (alerts.h, alertrules.h) — the city's
 * open requests and notices, the site's open complaints, the disclosures waiting for the manager,
 * the emergency grants that ended without their report, the city's return of the filed
 * standards — and `alerts`, which lists the alerts that stand (ops_impl.h).
 *
 * The items are read from the store as `requests`, `notices`, `complaints` and `disclosures`
 * show them, so that an alert and the list it points to always agree.
 */
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/diag.h"
#include "edge/alerts.h"
#include "edge/complaints.h"
#include "edge/ops_impl.h"
#include "edge/requests.h"

static edge_open_item_t *next_item(edge_alert_state_t *st)
{
    if (st->n_items >= EDGE_ALERT_ITEMS_MAX)
        return NULL;
    edge_open_item_t *it = &st->items[st->n_items++];
    memset(it, 0, sizeof *it);
    return it;
}

static int64_t num(json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Each member of list (an array of objects) that keep() admits, as an item of kind. */
static void add_items(edge_alert_state_t *st, json_t *list, edge_open_kind_t kind,
                      int (*keep)(json_t *o), const char *since, const char *deadline)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        if (!keep(o))
            continue;
        edge_open_item_t *it = next_item(st);
        if (!it)
            return;
        it->kind = kind;
        snprintf(it->id, sizeof it->id, "%s", str(o, "id"));
        snprintf(it->what, sizeof it->what, "%s", str(o, "kind"));
        it->since_us = num(o, since);
        it->deadline_us = deadline ? num(o, deadline) : 0;
    }
}

static int open_request(json_t *o)
{
    return !strcmp(str(o, "state"), "open");
}

/* A complaint received at the site, not closed; the city's complaints are its requests. */
static int open_site_complaint(json_t *o)
{
    return !strcmp(str(o, "source"), "site") && strcmp(str(o, "state"), "closed") != 0;
}

static int waits_for_manager(json_t *o)
{
    return !strcmp(str(o, "waiting_for"), "manager");
}

/* The city's latest decision on the filed standards, when it returned a version not yet
 * superseded by a later filing. */
static void returned_filing(edge_ops_t *ops, edge_alert_state_t *st)
{
    json_t *d = NULL;
    if (edge_requests_filing_decision(ops->store, &d) != MM_OK || !d)
        return;
    json_int_t version = json_integer_value(json_object_get(d, "version"));
    edge_open_item_t *it;
    if (!strcmp(str(d, "decision"), "returned") && (json_int_t)ops->standards_filed <= version &&
        (it = next_item(st))) {
        it->kind = EDGE_OPEN_FILING;
        snprintf(it->id, sizeof it->id, "%s", str(d, "notice"));
        snprintf(it->what, sizeof it->what, "%lld", (long long)version);
        it->since_us = num(d, "time_us");
    }
    json_decref(d);
}

void edge_ops_alert_items(edge_ops_t *ops, edge_alert_state_t *st)
{
    json_t *j = NULL;
    char msg[MM_TEXT_MAX];
    if (edge_requests_list(ops->store, st->now_us, &j) == MM_OK)
        add_items(st, json_object_get(j, "requests"), EDGE_OPEN_REQUEST, open_request,
                  "received_us", "deadline_us");
    json_decref(j);
    j = NULL;
    if (edge_requests_notices(ops->store, NULL, 0, &j, msg, sizeof msg) == MM_OK)
        add_items(st, json_object_get(j, "notices"), EDGE_OPEN_NOTICE, open_request, "received_us",
                  NULL);
    json_decref(j);
    j = NULL;
    if (edge_complaints_list(ops->store, 0, st->now_us, &j) == MM_OK)
        add_items(st, json_object_get(j, "complaints"), EDGE_OPEN_COMPLAINT, open_site_complaint,
                  "received_us", "deadline_us");
    json_decref(j);
    j = NULL;
    if (ops->disclosure && edge_disclosure_list(ops->disclosure, &j) == MM_OK)
        add_items(st, json_object_get(j, "disclosures"), EDGE_OPEN_DISCLOSURE, waits_for_manager,
                  "received_us", "deadline_us");
    json_decref(j);
    /* Emergency grants that have ended, their report not filed (R-N6.3). */
    for (size_t i = 0; i < ops->access.n_grants; i++) {
        const edge_grant_t *gr = &ops->access.grants[i];
        edge_open_item_t *it;
        if (gr->revoked || gr->reported_us || st->now_us < gr->until_us || !(it = next_item(st)))
            continue;
        it->kind = EDGE_OPEN_GRANT;
        snprintf(it->id, sizeof it->id, "%s", gr->id);
        it->since_us = gr->until_us;
    }
    returned_filing(ops, st);
}

void edge_ops_set_alerts(edge_ops_t *ops, const edge_alerts_t *alerts)
{
    ops->alerts = alerts;
}

const edge_alerts_t *edge_ops_alerts(const edge_ops_t *ops)
{
    return ops->alerts;
}

void edge_ops_do_alerts(edge_ops_call_t *c)
{
    if (!c->ops->alerts) {
        edge_ops_refuse(c, "internal", "the alerts have not started yet");
        return;
    }
    json_t *res = edge_alerts_json(c->ops->alerts);
    if (!res) {
        edge_ops_refuse(c, "internal", "out of memory");
        return;
    }
    json_object_set_new(res, "time_us", json_integer((json_int_t)mm_now_us()));
    edge_ops_answer(c, res, NULL);
}
