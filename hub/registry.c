/*
 * registry.c: the city's record of each site, from its verified log (see registry.h).
 */
#include "hub/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/entry.h"
#include "common/timefmt.h"

MM_ENUM_DEFINE(hub_filing_kind, HUB_FILING_KIND, HUB_FILING_KIND_MAP, "filing kind")
MM_ENUM_DEFINE(hub_filing_state, HUB_FILING_STATE, HUB_FILING_STATE_MAP, "filing state")
MM_ENUM_DEFINE(hub_camera_state, HUB_CAMERA_STATE, HUB_CAMERA_STATE_MAP, "camera state")

struct hub_registry {
    mm_db_t *db;
    MDB_dbi dbi;
};

mm_err_t hub_registry_open(mm_db_t *db, hub_registry_t **out)
{
    hub_registry_t *r = calloc(1, sizeof *r);
    if (!r)
        return MM_ENOMEM;
    r->db = db;
    mm_err_t err = mm_db_dbi(db, "hub.registry", 0, &r->dbi);
    if (err != MM_OK) {
        free(r);
        return err;
    }
    *out = r;
    return MM_OK;
}

void hub_registry_close(hub_registry_t *r)
{
    free(r);
}

static json_t *load(hub_registry_t *r, MDB_txn *txn, const char *site)
{
    MDB_val k = {strlen(site), (void *)site}, v;
    if (mdb_get(txn, r->dbi, &k, &v) == 0) {
        json_t *rec = json_loadb(v.mv_data, v.mv_size, 0, NULL);
        if (rec)
            return rec;
        MM_ERROR("registry: the record of %s is damaged; starting it again", site);
    }
    return json_pack("{s:s, s:n, s:{}, s:[], s:{}}", "site", site, "facts", "cameras", "filings",
                     "grants");
}

static mm_err_t store(hub_registry_t *r, MDB_txn *txn, const char *site, json_t *rec)
{
    char *text = json_dumps(rec, JSON_COMPACT);
    if (!text)
        return MM_ENOMEM;
    MDB_val k = {strlen(site), (void *)site}, v = {strlen(text), text};
    mm_err_t err = mm_db_err(mdb_put(txn, r->dbi, &k, &v, 0), "put registry record");
    free(text);
    return err;
}

void hub_registry_batch_begin(hub_registry_batch_t *b, hub_registry_t *r, MDB_txn *txn,
                              const char *site)
{
    *b = (hub_registry_batch_t){.r = r, .txn = txn, .site = site};
}

static json_t *camera(json_t *rec, const char *id)
{
    json_t *cams = json_object_get(rec, "cameras");
    json_t *c = json_object_get(cams, id);
    if (!c) {
        c = json_pack("{s:s, s:s}", "id", id, "state",
                      hub_camera_state_name(HUB_CAMERA_STATE_RECORDING));
        json_object_set_new(cams, id, c);
    }
    return c;
}

/* body + {"index": i, "time_us": t}, as a new reference. */
static json_t *with_origin(json_t *body, uint64_t index, json_int_t t)
{
    json_t *o = json_deep_copy(body);
    json_object_set_new(o, "index", json_integer((json_int_t)index));
    json_object_set_new(o, "time_us", json_integer(t));
    return o;
}

int hub_filing_of_standards(json_t *filing)
{
    hub_filing_kind_t k;
    return hub_filing_kind_parse(json_string_value(json_object_get(filing, "kind")), &k) &&
           (k == HUB_FILING_KIND_INITIAL || k == HUB_FILING_KIND_CHANGE);
}

static void add_filing(json_t *rec, uint64_t index, json_int_t t, hub_filing_kind_t kind,
                       json_t *extra)
{
    char id[24];
    snprintf(id, sizeof id, "%llu", (unsigned long long)index);
    const char *received = hub_filing_state_name(HUB_FILING_STATE_RECEIVED);
    json_t *f = json_pack("{s:s, s:s, s:I, s:I, s:s, s:[{s:s, s:I}]}", "id", id, "kind",
                          hub_filing_kind_name(kind), "index", (json_int_t)index, "time_us", t,
                          "state", received, "history", "state", received, "time_us", t);
    json_object_update(f, extra);
    json_decref(extra);
    json_array_append_new(json_object_get(rec, "filings"), f);
}

/* Adds an hour's recorded time to its day; keeps the newest HUB_UPTIME_DAYS days. */
static void add_uptime(json_t *cam, json_t *u, uint64_t index)
{
    json_t *days = json_object_get(cam, "uptime");
    if (!days) {
        days = json_object();
        json_object_set_new(cam, "uptime", days);
    }
    char day[11];
    mm_jst_day(json_integer_value(json_object_get(u, "hour_start_us")), day);
    json_t *d = json_object_get(days, day);
    if (!d) {
        d = json_pack("{s:I, s:i, s:i, s:I}", "recorded_us", (json_int_t)0, "hours", 0, "gaps", 0,
                      "first_index", (json_int_t)index);
        json_object_set_new(days, day, d);
    }
    json_object_set_new(d, "recorded_us",
                        json_integer(json_integer_value(json_object_get(d, "recorded_us")) +
                                     json_integer_value(json_object_get(u, "recorded_us"))));
    json_object_set_new(d, "hours",
                        json_integer(json_integer_value(json_object_get(d, "hours")) + 1));
    json_object_set_new(d, "gaps",
                        json_integer(json_integer_value(json_object_get(d, "gaps")) +
                                     json_integer_value(json_object_get(u, "gaps"))));
    json_object_set_new(d, "last_index", json_integer((json_int_t)index));
    while (json_object_size(days) > HUB_UPTIME_DAYS) {
        const char *oldest = NULL, *k;
        json_t *v;
        json_object_foreach(days, k, v)
        {
            if (!oldest || strcmp(k, oldest) < 0)
                oldest = k;
        }
        json_object_del(days, oldest);
    }
}

static void apply_json(json_t *rec, uint64_t index, json_t *e)
{
    const char *type = json_string_value(json_object_get(e, "type"));
    json_int_t t = json_integer_value(json_object_get(e, "time_us"));
    json_t *body = type ? json_object_get(e, type) : NULL;
    if (!body)
        return;
    const char *cam_id = json_string_value(json_object_get(body, "camera"));
    if (!strcmp(type, "site_facts")) {
        json_object_set_new(rec, "facts", with_origin(body, index, t));
    } else if (!strcmp(type, "camera_facts") && cam_id) {
        json_object_set_new(camera(rec, cam_id), "facts", with_origin(body, index, t));
    } else if (!strcmp(type, "camera_coverage") && cam_id) {
        json_object_set_new(camera(rec, cam_id), "coverage", with_origin(body, index, t));
    } else if (!strcmp(type, "camera_uptime") && cam_id) {
        add_uptime(camera(rec, cam_id), body, index);
    } else if (!strcmp(type, "camera_state") && cam_id) {
        mm_cam_state_t cs = MM_CAM_STATE_ABOLISHED; /* the mirror has checked the entry */
        mm_cam_state_parse(json_string_value(json_object_get(body, "state")), &cs);
        hub_camera_state_t now = cs == MM_CAM_STATE_SUSPENDED ? HUB_CAMERA_STATE_SUSPENDED
                                 : cs == MM_CAM_STATE_RESUMED ? HUB_CAMERA_STATE_RECORDING
                                                              : HUB_CAMERA_STATE_ABOLISHED;
        json_t *c = camera(rec, cam_id);
        json_object_set_new(c, "state", json_string(hub_camera_state_name(now)));
        json_object_set_new(c, "state_index", json_integer((json_int_t)index));
        json_object_set_new(c, "state_time_us", json_integer(t));
        hub_filing_kind_t kind = cs == MM_CAM_STATE_SUSPENDED ? HUB_FILING_KIND_SUSPENSION
                                 : cs == MM_CAM_STATE_RESUMED ? HUB_FILING_KIND_RESUMPTION
                                                              : HUB_FILING_KIND_ABOLITION;
        add_filing(rec, index, t, kind,
                   json_pack("{s:s, s:O?, s:O?}", "camera", cam_id, "reason",
                             json_object_get(body, "reason"), "by", json_object_get(body, "by")));
    } else if (!strcmp(type, "configuration_changed")) {
        /* The standards the site now runs under; filed or not is standards_filed's to say. */
        json_object_set_new(rec, "standards", with_origin(body, index, t));
    } else if (!strcmp(type, "standards_filed")) {
        json_int_t v = json_integer_value(json_object_get(body, "version"));
        int first = 1;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(rec, "filings"), i, f)
        {
            first &= !hub_filing_of_standards(f);
        }
        json_t *run = json_object_get(rec, "standards");
        int same = json_integer_value(json_object_get(run, "version")) == v;
        add_filing(rec, index, t, first ? HUB_FILING_KIND_INITIAL : HUB_FILING_KIND_CHANGE,
                   json_pack("{s:I, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "version", v,
                             "document_hash", json_object_get(body, "document_hash"), "automatic",
                             json_object_get(body, "automatic"), "by", json_object_get(body, "by"),
                             "summary", same ? json_object_get(run, "summary") : NULL,
                             "config_hash", same ? json_object_get(run, "config_hash") : NULL,
                             "policy", same ? json_object_get(run, "policy") : NULL));
    } else if (!strcmp(type, "role_changed")) {
        const char *change = json_string_value(json_object_get(body, "change"));
        const char *gid = json_string_value(json_object_get(body, "grant_id"));
        json_t *grants = json_object_get(rec, "grants");
        if (change && gid && *gid && !strcmp(change, "emergency_granted")) {
            json_object_set_new(grants, gid,
                                json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:I, s:I}", "person",
                                          json_object_get(body, "person"), "by",
                                          json_object_get(body, "by"), "actions",
                                          json_object_get(body, "actions"), "cameras",
                                          json_object_get(body, "cameras"), "until_us",
                                          json_object_get(body, "until_us"), "granted_index",
                                          (json_int_t)index, "granted_us", t));
        } else if (change && gid && !strcmp(change, "emergency_revoked")) {
            json_t *g = json_object_get(grants, gid);
            if (g)
                json_object_set(g, "until_us", json_object_get(body, "until_us"));
        }
    } else if (!strcmp(type, "city_request") || !strcmp(type, "request_answered")) {
        const char *rid = json_string_value(json_object_get(body, "id"));
        json_t *reqs = json_object_get(rec, "requests");
        if (!reqs) {
            reqs = json_object();
            json_object_set_new(rec, "requests", reqs);
        }
        json_t *q = rid ? json_object_get(reqs, rid) : NULL;
        if (rid && !q) {
            /* Not one the city sent: kept, and marked, for the city to see. */
            q = json_pack("{s:s, s:O?, s:b}", "id", rid, "kind", json_object_get(body, "kind"),
                          "unknown_to_hub", 1);
            json_object_set_new(reqs, rid, q);
        }
        if (q && !strcmp(type, "city_request")) {
            if (!json_object_get(q, "delivered_index")) {
                json_object_set_new(q, "delivered_index", json_integer((json_int_t)index));
                json_object_set_new(q, "delivered_us", json_integer(t));
                if (!json_object_get(q, "answer"))
                    json_object_set_new(q, "state", json_string("delivered"));
            }
        } else if (q) {
            json_object_set_new(q, "answer", with_origin(body, index, t));
            json_object_set_new(q, "state", json_string("answered"));
        }
    } else if (!strcmp(type, "emergency_report")) {
        const char *gid = json_string_value(json_object_get(body, "grant_id"));
        json_t *g = gid ? json_object_get(json_object_get(rec, "grants"), gid) : NULL;
        if (g) {
            json_object_set_new(g, "report_index", json_integer((json_int_t)index));
            json_object_set_new(g, "reported_us", json_integer(t));
        }
    }
}

mm_err_t hub_registry_apply(hub_registry_batch_t *b, uint64_t index, const mm_entry_t *entry)
{
    switch (entry->kind) {
    case MM_ENTRY_CAMERA_UPTIME:
    case MM_ENTRY_CAMERA_COVERAGE:
    case MM_ENTRY_ROLE_CHANGED:
    case MM_ENTRY_EMERGENCY_REPORT:
    case MM_ENTRY_CAMERA_STATE:
    case MM_ENTRY_CONFIGURATION_CHANGED:
    case MM_ENTRY_SITE_FACTS:
    case MM_ENTRY_CAMERA_FACTS:
    case MM_ENTRY_CITY_REQUEST:
    case MM_ENTRY_REQUEST_ANSWERED:
    case MM_ENTRY_STANDARDS_FILED:
        break;
    default:
        return MM_OK;
    }
    json_t *e = mm_entry_json(entry);
    if (!e)
        return MM_OK; /* the mirror has checked the entries; nothing to learn from this one */
    if (!b->rec && !(b->rec = load(b->r, b->txn, b->site))) {
        json_decref(e);
        return MM_ENOMEM;
    }
    apply_json(b->rec, index, e);
    b->dirty = 1;
    json_decref(e);
    return MM_OK;
}

mm_err_t hub_registry_batch_end(hub_registry_batch_t *b, int commit)
{
    mm_err_t err = MM_OK;
    if (commit && b->dirty && b->rec)
        err = store(b->r, b->txn, b->site, b->rec);
    json_decref(b->rec);
    b->rec = NULL;
    return err;
}

json_t *hub_registry_get(hub_registry_t *r, const char *site)
{
    MDB_txn *txn;
    if (mm_db_read(r->db, &txn) != MM_OK)
        return NULL;
    json_t *rec = load(r, txn, site);
    mdb_txn_abort(txn);
    return rec;
}

/* The city_action that logs decision d. */
static hub_city_action_t decision_action(const hub_filing_decision_t *d)
{
    return (hub_city_action_t){.action = d->state == HUB_FILING_STATE_ACCEPTED
                                             ? HUB_ACTION_FILING_ACCEPTED
                                             : HUB_ACTION_FILING_RETURNED,
                               .time_us = d->now_us,
                               .site = d->site,
                               .subject = d->filing,
                               .person = d->who->id,
                               .role = hub_role_name(d->who->role),
                               .reason = d->reason};
}

typedef struct {
    hub_registry_t *r;
    hub_audit_t *audit;
    hub_filing_decision_t *d;
} decide_t;

static mm_err_t decide_txn(MDB_txn *txn, void *arg)
{
    decide_t *c = arg;
    hub_filing_decision_t *d = c->d;
    json_decref(d->decided); /* a retried transaction sets it again */
    d->decided = NULL;
    json_t *rec = load(c->r, txn, d->site);
    if (!rec)
        return MM_ENOMEM;
    size_t i;
    json_t *f, *found = NULL;
    json_array_foreach(json_object_get(rec, "filings"), i, f)
    {
        const char *id = json_string_value(json_object_get(f, "id"));
        if (id && !strcmp(id, d->filing))
            found = f;
    }
    hub_filing_state_t now;
    mm_err_t err = MM_OK;
    if (!found)
        err = MM_ENOTFOUND;
    else if (!hub_filing_state_parse(json_string_value(json_object_get(found, "state")), &now) ||
             now != HUB_FILING_STATE_RECEIVED)
        err = MM_ECONFLICT;
    if (err == MM_OK) {
        const char *state = hub_filing_state_name(d->state);
        json_object_set_new(found, "state", json_string(state));
        json_array_append_new(json_object_get(found, "history"),
                              json_pack("{s:s, s:I, s:s, s:s}", "state", state, "time_us",
                                        (json_int_t)d->now_us, "by", d->who->id, "reason",
                                        d->reason ? d->reason : ""));
        err = store(c->r, txn, d->site, rec);
    }
    hub_city_action_t a = decision_action(d);
    if (err == MM_OK)
        err = hub_audit_append_in(c->audit, txn, &a, &d->hub_log_index);
    if (err == MM_OK)
        d->decided = json_incref(found);
    json_decref(rec);
    return err;
}

mm_err_t hub_registry_decide(hub_registry_t *r, hub_audit_t *audit, hub_filing_decision_t *d)
{
    d->decided = NULL;
    d->hub_log_index = 0;
    if (d->state != HUB_FILING_STATE_ACCEPTED && d->state != HUB_FILING_STATE_RETURNED)
        return MM_EINVAL;
    decide_t c = {r, audit, d};
    mm_err_t err = hub_audit_write(audit, decide_txn, &c);
    if (err != MM_OK) {
        json_decref(d->decided);
        d->decided = NULL;
    }
    return err;
}

mm_err_t hub_registry_update_in(hub_registry_t *r, MDB_txn *txn, const char *site,
                                mm_err_t (*fn)(json_t *rec, void *arg), void *arg)
{
    json_t *rec = load(r, txn, site);
    if (!rec)
        return MM_ENOMEM;
    mm_err_t err = fn(rec, arg);
    if (err == MM_OK)
        err = store(r, txn, site, rec);
    json_decref(rec);
    return err;
}

/* A string member of q into dst (cap bytes): 0, or -1 when it does not fit. Absent: "". */
static int take(char *dst, size_t cap, json_t *q, const char *key)
{
    const char *v = json_string_value(json_object_get(q, key));
    size_t n = v ? strlen(v) : 0;
    if (n >= cap)
        return -1;
    memcpy(dst, v ? v : "", n + 1);
    return 0;
}

/* One request of the record as it goes out; -1 when it cannot go whole. */
static int pending_one(const char *id, json_t *q, mm_city_request_t *r)
{
    memset(r, 0, sizeof *r);
    const char *basis = json_string_value(json_object_get(q, "legal_basis"));
    if (!mm_request_kind_parse(json_string_value(json_object_get(q, "kind")), &r->kind) ||
        !mm_legal_basis_parse(basis ? basis : "", &r->legal_basis) || strlen(id) >= sizeof r->id)
        return -1;
    snprintf(r->id, sizeof r->id, "%s", id);
    if (take(r->text, sizeof r->text, q, "text") ||
        take(r->camera, sizeof r->camera, q, "camera") ||
        take(r->complaint, sizeof r->complaint, q, "complaint") ||
        take(r->reference, sizeof r->reference, q, "reference") ||
        take(r->requester, sizeof r->requester, q, "requester") ||
        take(r->recipient, sizeof r->recipient, q, "recipient") ||
        take(r->disclosure, sizeof r->disclosure, q, "disclosure"))
        return -1;
    r->time_us = json_integer_value(json_object_get(q, "time_us"));
    r->deadline_us = json_integer_value(json_object_get(q, "deadline_us"));
    r->from_us = json_integer_value(json_object_get(q, "from_us"));
    r->to_us = json_integer_value(json_object_get(q, "to_us"));
    json_t *cams = json_object_get(q, "cameras");
    if (json_array_size(cams) > MM_REQUEST_CAMERAS_MAX)
        return -1;
    size_t i;
    json_t *c;
    json_array_foreach(cams, i, c)
    {
        const char *v = json_string_value(c);
        if (!v || strlen(v) >= sizeof r->cameras[0])
            return -1;
        snprintf(r->cameras[r->n_cameras++], sizeof r->cameras[0], "%s", v);
    }
    const char *sig = json_string_value(json_object_get(q, "signature"));
    if (sig) {
        uint8_t raw[96];
        if (mm_base64_decode(sig, strlen(sig), raw, sizeof raw) != 64)
            return -1;
        memcpy(r->signature, raw, 64);
        r->has_signature = 1;
    }
    return 0;
}

size_t hub_registry_pending(hub_registry_t *r, const char *site, mm_city_request_t *out, size_t cap)
{
    json_t *rec = hub_registry_get(r, site);
    size_t n = 0;
    const char *id;
    json_t *q;
    json_object_foreach(json_object_get(rec, "requests"), id, q)
    {
        if (n == cap)
            break;
        if (json_object_get(q, "delivered_index") ||
            json_is_true(json_object_get(q, "unknown_to_hub")))
            continue;
        if (pending_one(id, q, &out[n]) != 0) {
            MM_WARN("registry: request %s of %s does not fit the wire; not sent", id, site);
            continue;
        }
        n++;
    }
    json_decref(rec);
    return n;
}
