/*
 * notices.c: the city's notices to a site as requests in its record (see notices.h).
 *
 * A notice is checked against the wire's bounds before it is added, because one that does not
 * fit would never go out (registry.c leaves such a request out of every ack) and the city would
 * believe it sent what the site can never receive.
 */
#include "hub/notices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wire.h"

/* The fields of the request being made. */
typedef struct {
    const hub_notice_t *n;
    const char *detail; /* compact JSON */
    char *id;
    size_t cap;
} add_t;

static mm_err_t add(hub_site_record_t *rec, const add_t *a)
{
    const hub_notice_t *n = a->n;
    char id[MM_ID_MAX];
    snprintf(id, sizeof id, "notice-%zu", rec->n_requests + 1);
    if (strlen(id) >= a->cap)
        return MM_ERANGE;
    hub_request_t *q = hub_site_record_add_request(rec);
    if (!q)
        return MM_ENOMEM;
    memset(q, 0, sizeof *q);
    snprintf(q->id, sizeof q->id, "%s", id);
    q->kind = n->kind;
    q->state = HUB_REQUEST_STATE_PENDING;
    snprintf(q->by, sizeof q->by, "%s", n->by ? n->by : "");
    q->time_us = n->time_us;
    snprintf(q->subject, sizeof q->subject, "%s", n->subject ? n->subject : "");
    snprintf(q->text, sizeof q->text, "%s", n->text ? n->text : "");
    snprintf(q->detail, sizeof q->detail, "%s", a->detail);
    snprintf(a->id, a->cap, "%s", id);
    return MM_OK;
}

mm_err_t hub_notice_add(hub_site_record_t *rec, const hub_notice_t *n, char *id, size_t cap)
{
    if (!mm_request_kind_is_notice(n->kind) || !json_is_object(n->detail))
        return MM_EINVAL;
    const mm_city_request_t *w = NULL; /* the wire's bounds, by its fields' sizes */
    if (strlen(n->subject ? n->subject : "") >= sizeof w->subject ||
        strlen(n->text ? n->text : "") >= sizeof w->text)
        return MM_ERANGE;
    char *detail = json_dumps(n->detail, JSON_COMPACT);
    if (!detail)
        return MM_ENOMEM;
    mm_err_t err = MM_ERANGE;
    if (strlen(detail) < sizeof w->detail) {
        add_t a = {n, detail, id, cap};
        err = add(rec, &a);
    }
    free(detail);
    return err;
}

typedef struct {
    const hub_notice_t *n;
    char *id;
    size_t cap;
} in_t;

static mm_err_t add_in(hub_site_record_t *rec, void *arg)
{
    in_t *c = arg;
    return hub_notice_add(rec, c->n, c->id, c->cap);
}

mm_err_t hub_notice_add_in(hub_registry_t *r, MDB_txn *txn, const char *site,
                           const hub_notice_t *n, char *id, size_t cap)
{
    in_t c = {n, id, cap};
    return hub_registry_update_in(r, txn, site, add_in, &c);
}

json_t *hub_notice_filing_detail(const hub_filing_t *f, hub_filing_state_t decision)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "decision", hub_filing_state_name(decision), "filing",
                          f->id, "filing_kind", hub_filing_kind_name(f->kind));
    if (o && hub_filing_of_standards(f) &&
        json_object_set_new(o, "version", json_integer(f->version)) != 0) {
        json_decref(o);
        return NULL;
    }
    if (o && !hub_filing_of_standards(f) &&
        json_object_set_new(o, "camera", json_string(f->camera)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
