/*
 * audit.c: the city's audit vocabulary and its way into the hub's log (see audit.h).
 *
 * The entry is made here field by field, as the API and the disclosure module made it before
 * this module existed, so that the bytes of the hub's log do not change: each string is cut at
 * its field's bound as snprintf cuts it, and the detail is the compact JSON of the object in its
 * members' order. Only a detail that does not fit is refused, because cutting JSON short would
 * make it no JSON at all.
 *
 * An action appended inside a transaction waits here for that transaction's end: the feed must
 * never announce what did not commit. The queue is short (one batch of a site's disclosure
 * steps at most) and only the loop thread touches it, so it is a plain array.
 */
#include "hub/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"

MM_ENUM_DEFINE(hub_action, HUB_ACTION, HUB_ACTION_MAP, "city action")

/* An action appended in the current transaction, for the feed once it commits. */
typedef struct {
    uint8_t *entry; /* its bytes as logged */
    size_t len;
    char site[MM_ID_MAX];
    hub_action_t action;
    uint64_t index;
} pending_t;

struct hub_audit {
    mm_db_t *db;
    hub_hublog_t *log;
    hub_feed_t *feed;
    pending_t *pending;
    size_t n_pending, cap_pending;
};

hub_action_t hub_action_of_step(mm_disclosure_step_t step)
{
    static const hub_action_t of[MM_DISCLOSURE_STEP_COUNT] = {
        [MM_DISCLOSURE_STEP_HELD] = HUB_ACTION_DISCLOSURE_HELD,
        [MM_DISCLOSURE_STEP_REFUSED] = HUB_ACTION_DISCLOSURE_REFUSED,
        [MM_DISCLOSURE_STEP_PREPARED] = HUB_ACTION_DISCLOSURE_PREPARED,
        [MM_DISCLOSURE_STEP_APPROVED] = HUB_ACTION_DISCLOSURE_APPROVED,
        [MM_DISCLOSURE_STEP_DENIED] = HUB_ACTION_DISCLOSURE_DENIED,
        [MM_DISCLOSURE_STEP_EXPIRED] = HUB_ACTION_DISCLOSURE_EXPIRED,
        [MM_DISCLOSURE_STEP_EXPORTED] = HUB_ACTION_DISCLOSURE_EXPORTED,
        [MM_DISCLOSURE_STEP_FAILED] = HUB_ACTION_DISCLOSURE_FAILED,
        [MM_DISCLOSURE_STEP_DELIVERED] = HUB_ACTION_DISCLOSURE_DELIVERED,
        [MM_DISCLOSURE_STEP_DOWNLOADED] = HUB_ACTION_DISCLOSURE_DOWNLOADED,
        [MM_DISCLOSURE_STEP_RELEASED] = HUB_ACTION_DISCLOSURE_RELEASED,
    };
    return (unsigned)step < MM_DISCLOSURE_STEP_COUNT ? of[step] : HUB_ACTION_COUNT;
}

mm_err_t hub_audit_entry(const hub_city_action_t *a, mm_entry_t *e)
{
    const char *action = hub_action_name(a->action);
    if (!action)
        return MM_EINVAL;
    memset(e, 0, sizeof *e);
    e->time_us = a->time_us;
    e->kind = MM_ENTRY_CITY_ACTION;
    mm_city_action_t *c = &e->u.city_action;
    snprintf(c->action, sizeof c->action, "%s", action);
    snprintf(c->site, sizeof c->site, "%s", a->site ? a->site : "");
    snprintf(c->subject, sizeof c->subject, "%s", a->subject ? a->subject : "");
    snprintf(c->person, sizeof c->person, "%s", a->person ? a->person : "");
    snprintf(c->role, sizeof c->role, "%s", a->role ? a->role : "");
    snprintf(c->reason, sizeof c->reason, "%s", a->reason ? a->reason : "");
    if (!a->detail)
        return MM_OK;
    char *text = json_dumps(a->detail, JSON_COMPACT);
    if (!text)
        return MM_ENOMEM;
    size_t n = strlen(text);
    mm_err_t err = n < sizeof c->detail ? MM_OK : MM_ERANGE;
    if (err == MM_OK)
        memcpy(c->detail, text, n + 1);
    free(text);
    return err;
}

mm_err_t hub_audit_check(const hub_city_action_t *a)
{
    mm_entry_t *e = malloc(sizeof *e);
    mm_err_t err = e ? hub_audit_entry(a, e) : MM_ENOMEM;
    free(e);
    return err;
}

mm_err_t hub_audit_create(mm_db_t *db, hub_hublog_t *log, hub_audit_t **out)
{
    hub_audit_t *a = calloc(1, sizeof *a);
    if (!a)
        return MM_ENOMEM;
    a->db = db;
    a->log = log;
    *out = a;
    return MM_OK;
}

void hub_audit_destroy(hub_audit_t *a)
{
    if (!a)
        return;
    hub_audit_done(a, 0);
    free(a->pending);
    free(a);
}

void hub_audit_set_feed(hub_audit_t *a, hub_feed_t *feed)
{
    a->feed = feed;
}

/* Queues the entry e (at index) for the feed. */
static mm_err_t push(hub_audit_t *au, hub_action_t action, const mm_entry_t *e, uint64_t index)
{
    /* The transaction ran again from the start (the map grew): what it appended before is
     * gone, and the indexes are given out again. */
    while (au->n_pending && au->pending[au->n_pending - 1].index >= index)
        free(au->pending[--au->n_pending].entry);
    if (au->n_pending == au->cap_pending) {
        size_t cap = au->cap_pending ? au->cap_pending * 2 : 8;
        pending_t *p = realloc(au->pending, cap * sizeof *p);
        if (!p)
            return MM_ENOMEM;
        au->pending = p;
        au->cap_pending = cap;
    }
    pending_t *p = &au->pending[au->n_pending];
    mm_err_t err = mm_entry_encode(e, &p->entry, &p->len);
    if (err != MM_OK)
        return err;
    au->n_pending++;
    p->action = action;
    p->index = index;
    snprintf(p->site, sizeof p->site, "%s", e->u.city_action.site);
    return MM_OK;
}

mm_err_t hub_audit_append_in(hub_audit_t *au, MDB_txn *txn, const hub_city_action_t *a,
                             uint64_t *index)
{
    mm_entry_t *e = malloc(sizeof *e);
    if (!e)
        return MM_ENOMEM;
    uint64_t at = 0;
    mm_err_t err = hub_audit_entry(a, e);
    if (err == MM_OK)
        err = hub_hublog_append_in(au->log, txn, e, &at);
    if (err == MM_OK)
        err = push(au, a->action, e, at);
    if (err == MM_OK && index)
        *index = at;
    free(e);
    return err;
}

void hub_audit_done(hub_audit_t *au, int committed)
{
    for (size_t i = 0; i < au->n_pending; i++) {
        pending_t *p = &au->pending[i];
        if (committed) {
            MM_INFO("hub log: entry %" PRIu64 ", %s (site %s)", p->index,
                    hub_action_name(p->action), p->site);
            if (hub_feed_city_action(au->feed, p->site, p->entry, p->len, p->index) != MM_OK)
                MM_WARN("hub log: cannot announce entry %" PRIu64, p->index);
        }
        free(p->entry);
    }
    au->n_pending = 0;
}

mm_err_t hub_audit_write(hub_audit_t *au, mm_err_t (*fn)(MDB_txn *txn, void *arg), void *arg)
{
    mm_err_t err = mm_db_write(au->db, fn, arg);
    hub_audit_done(au, err == MM_OK);
    return err;
}
