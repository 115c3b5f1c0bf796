/*
 * feed.c: the hub's feed of events in LMDB, and the subscribers it pushes them to (see feed.h).
 *
 * What must stay true: an event is committed before any subscriber sees it, and ids are never
 * reused, so "everything after id N" read from the store and then the live events is the whole
 * feed without loss or repetition. The next id follows the last one stored; trimming deletes
 * from the oldest end only and always keeps the newest, so the last id survives a restart.
 *
 * Each event costs its own write transaction, after the transaction of what it reports has
 * committed: a crash between the two loses that one event (the verified entries themselves are
 * safe in the mirror). The alternative, writing it in the mirror's transaction, would tie this
 * module into the mirror's; an "entries" event carries "from" and "to", so a client can see the
 * rare gap and read the entries from the API.
 */
#include "hub/feed.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/entry.h"
#include "common/timefmt.h"
#include "hub/findings_codec.h"

struct hub_feed_sub {
    hub_feed_t *f;
    hub_feed_fn fn;
    void *arg;
    int dead; /* unsubscribed while the feed was calling subscribers: freed afterwards */
    hub_feed_sub_t *next;
};

struct hub_feed {
    mm_db_t *db;
    MDB_dbi dbi;
    uint64_t keep;
    uint64_t last_id;
    hub_feed_sub_t *subs;
    size_t n_subs; /* not counting dead ones */
    int calling;   /* depth of deliver(): subscriptions are only unlinked outside it */
};

/* A cursor on the feed in a read transaction; release with close_cursor. */
static mm_err_t open_cursor(hub_feed_t *f, MDB_txn **txn, MDB_cursor **cur)
{
    mm_err_t err = mm_db_read(f->db, txn);
    if (err != MM_OK)
        return err;
    int rc = mdb_cursor_open(*txn, f->dbi, cur);
    if (rc != 0) {
        mdb_txn_abort(*txn);
        return mm_db_err(rc, "open feed cursor");
    }
    return MM_OK;
}

static void close_cursor(MDB_txn *txn, MDB_cursor *cur)
{
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
}

/* The id of the first or the last event stored (op MDB_FIRST or MDB_LAST) into *id, left as it
 * is when there is none. */
static mm_err_t end_id(hub_feed_t *f, MDB_cursor_op op, uint64_t *id, const char *what)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    mm_err_t err = open_cursor(f, &txn, &cur);
    if (err != MM_OK)
        return err;
    MDB_val k, v;
    int rc = mdb_cursor_get(cur, &k, &v, op);
    if (rc == 0 && k.mv_size == 8)
        *id = mm_be64_get(k.mv_data);
    close_cursor(txn, cur);
    return rc == 0 || rc == MDB_NOTFOUND ? MM_OK : mm_db_err(rc, what);
}

mm_err_t hub_feed_open(mm_db_t *db, uint64_t keep, hub_feed_t **out)
{
    hub_feed_t *f = calloc(1, sizeof *f);
    if (!f)
        return MM_ENOMEM;
    f->db = db;
    f->keep = keep ? keep : HUB_FEED_KEEP;
    mm_err_t err = mm_db_dbi(db, "hub.feed", 0, &f->dbi);
    if (err == MM_OK)
        err = end_id(f, MDB_LAST, &f->last_id, "read the last feed event");
    if (err != MM_OK) {
        free(f);
        return err;
    }
    *out = f;
    return MM_OK;
}

void hub_feed_close(hub_feed_t *f)
{
    if (!f)
        return;
    while (f->subs) {
        hub_feed_sub_t *s = f->subs;
        f->subs = s->next;
        free(s);
    }
    free(f);
}

uint64_t hub_feed_last_id(const hub_feed_t *f)
{
    return f->last_id;
}

/* --- storing ---------------------------------------------------------------------------------*/

typedef struct {
    hub_feed_t *f;
    uint64_t id;
    const char *text;
    size_t len;
} store_t;

static mm_err_t store_txn(MDB_txn *txn, void *arg)
{
    store_t *s = arg;
    uint8_t key[8];
    mm_be64_put(key, s->id);
    MDB_val k = {8, key}, v = {s->len, (void *)s->text};
    int rc = mdb_put(txn, s->f->dbi, &k, &v, MDB_APPEND);
    if (rc != 0)
        return mm_db_err(rc, "put feed event");
    MDB_stat st;
    if ((rc = mdb_stat(txn, s->f->dbi, &st)) != 0)
        return mm_db_err(rc, "count feed events");
    if (st.ms_entries <= s->f->keep)
        return MM_OK;
    /* Over the bound: the oldest go (usually exactly one). */
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, s->f->dbi, &cur)) != 0)
        return mm_db_err(rc, "open feed cursor");
    for (size_t n = st.ms_entries; rc == 0 && n > s->f->keep; n--) {
        MDB_val ok, ov;
        rc = mdb_cursor_get(cur, &ok, &ov, MDB_FIRST);
        if (rc == 0)
            rc = mdb_cursor_del(cur, 0);
    }
    mdb_cursor_close(cur);
    return rc == 0 ? MM_OK : mm_db_err(rc, "trim feed events");
}

static void sweep(hub_feed_t *f)
{
    for (hub_feed_sub_t **p = &f->subs; *p;) {
        hub_feed_sub_t *s = *p;
        if (s->dead) {
            *p = s->next;
            free(s);
        } else {
            p = &s->next;
        }
    }
}

static void deliver(hub_feed_t *f, uint64_t id, const char *type, const char *text, size_t len)
{
    f->calling++;
    for (hub_feed_sub_t *s = f->subs; s; s = s->next)
        if (!s->dead)
            s->fn(s->arg, id, type, text, len);
    if (--f->calling == 0)
        sweep(f);
}

mm_err_t hub_feed_publish(hub_feed_t *f, const char *type, const char *site, json_t *data,
                          uint64_t *id)
{
    if (data && !json_is_object(data)) {
        json_decref(data);
        return MM_EINVAL;
    }
    char when[MM_RFC3339_MAX];
    mm_time_rfc3339(mm_now_us(), when);
    uint64_t next = f->last_id + 1;
    json_t *ev = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)next, "time", when, "type",
                           type, "site", site ? site : "");
    const char *key;
    json_t *value;
    if (ev && data)
        json_object_foreach(data, key, value)
        {
            if (strcmp(key, "id") && strcmp(key, "time") && strcmp(key, "type") &&
                strcmp(key, "site"))
                json_object_set(ev, key, value);
        }
    json_decref(data);
    char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    if (!text)
        return MM_ENOMEM;
    store_t s = {.f = f, .id = next, .text = text, .len = strlen(text)};
    mm_err_t err = mm_db_write(f->db, store_txn, &s);
    if (err == MM_OK) {
        f->last_id = next;
        if (id)
            *id = next;
        deliver(f, next, type, text, s.len);
    } else {
        MM_ERROR("feed: cannot store a \"%s\" event: %s", type, mm_strerror(err));
    }
    free(text);
    return err;
}

/* --- the kinds of events ---------------------------------------------------------------------*/

mm_err_t hub_feed_entries(hub_feed_t *f, const char *site, uint64_t first, uint64_t size,
                          const mm_bytes_t *entries)
{
    json_t *kinds = json_object(), *list = json_array();
    json_int_t omitted = 0;
    size_t bytes = 0;
    for (uint64_t i = 0; kinds && list && first + i < size; i++) {
        const mm_bytes_t *b = &entries[i];
        /* The many segment entries of a batch are counted without decoding them. */
        mm_entry_kind_t kind = 0;
        mm_entry_peek(b->data, b->len, &kind, NULL);
        const char *name = mm_entry_kind_name(kind);
        json_object_set_new(kinds, name,
                            json_integer(json_integer_value(json_object_get(kinds, name)) + 1));
        if (kind == MM_ENTRY_SEGMENT_RECORDED)
            continue;
        if (json_array_size(list) >= HUB_FEED_ENTRIES_MAX) {
            omitted++;
            continue;
        }
        json_t *e = mm_entry_to_json(b->data, b->len);
        if (!e)
            continue; /* the mirror has decoded it: this does not happen */
        json_object_set_new(e, "index", json_integer((json_int_t)(first + i)));
        /* An event every client must be able to take whole, however large the entries. */
        size_t n = json_dumpb(e, NULL, 0, JSON_COMPACT);
        if (bytes + n > HUB_FEED_ENTRIES_BYTES) {
            json_decref(e);
            omitted++;
            continue;
        }
        bytes += n;
        json_array_append_new(list, e);
    }
    json_t *data = json_pack("{s:I, s:I, s:o, s:o}", "from", (json_int_t)first, "to",
                             (json_int_t)size, "kinds", kinds, "entries", list);
    if (data && omitted)
        json_object_set_new(data, "entries_omitted", json_integer(omitted));
    if (!data)
        return MM_ENOMEM;
    return hub_feed_publish(f, "entries", site, data, NULL);
}

mm_err_t hub_feed_finding(hub_feed_t *f, const hub_finding_t *finding)
{
    json_t *data = json_pack("{s:o}", "finding", hub_finding_json(finding));
    return data ? hub_feed_publish(f, "finding", finding->site, data, NULL) : MM_ENOMEM;
}

mm_err_t hub_feed_filing(hub_feed_t *f, const char *site, json_t *filing)
{
    json_t *data = json_pack("{s:O}", "filing", filing);
    return data ? hub_feed_publish(f, "filing", site, data, NULL) : MM_ENOMEM;
}

mm_err_t hub_feed_city_action(hub_feed_t *f, const char *site, const void *entry, size_t len,
                              uint64_t index)
{
    if (!f)
        return MM_OK;
    json_t *j = mm_entry_to_json(entry, len);
    if (!j)
        return MM_ENOMEM;
    json_object_set_new(j, "hub_log_index", json_integer((json_int_t)index));
    return hub_feed_publish(f, "city_action", site, j, NULL);
}

/* --- reading and subscribing -----------------------------------------------------------------*/

mm_err_t hub_feed_oldest_id(hub_feed_t *f, uint64_t *id)
{
    *id = 0;
    return end_id(f, MDB_FIRST, id, "read the oldest feed event");
}

mm_err_t hub_feed_read(hub_feed_t *f, uint64_t after, size_t max, hub_feed_fn fn, void *arg)
{
    if (after == UINT64_MAX || max == 0)
        return MM_OK;
    MDB_txn *txn;
    MDB_cursor *cur;
    mm_err_t err = open_cursor(f, &txn, &cur);
    if (err != MM_OK)
        return err;
    uint8_t key[8];
    mm_be64_put(key, after + 1);
    MDB_val k = {8, key}, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (size_t n = 0; rc == 0 && n < max; n++) {
        json_t *ev = json_loadb(v.mv_data, v.mv_size, 0, NULL);
        const char *type = json_string_value(json_object_get(ev, "type"));
        int stop = 0;
        if (type && k.mv_size == 8)
            stop = fn(arg, mm_be64_get(k.mv_data), type, v.mv_data, v.mv_size);
        else
            MM_WARN("feed: a stored event does not parse; skipped");
        json_decref(ev);
        if (stop)
            break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    close_cursor(txn, cur);
    return rc == 0 || rc == MDB_NOTFOUND ? MM_OK : mm_db_err(rc, "read feed events");
}

mm_err_t hub_feed_subscribe(hub_feed_t *f, hub_feed_fn fn, void *arg, hub_feed_sub_t **out)
{
    hub_feed_sub_t *s = calloc(1, sizeof *s);
    if (!s)
        return MM_ENOMEM;
    *s = (hub_feed_sub_t){.f = f, .fn = fn, .arg = arg, .next = f->subs};
    f->subs = s;
    f->n_subs++;
    *out = s;
    return MM_OK;
}

void hub_feed_unsubscribe(hub_feed_sub_t *s)
{
    if (!s || s->dead)
        return;
    hub_feed_t *f = s->f;
    s->dead = 1;
    f->n_subs--;
    if (!f->calling)
        sweep(f);
}

size_t hub_feed_subscribers(const hub_feed_t *f)
{
    return f->n_subs;
}
