/*
 * api.c: the hub's JSON API (see api.h).
 */
#include "hub/api.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/entry.h"
#include "common/merkle.h"
#include "common/timefmt.h"
#include "hub/apibody.h"
#include "hub/httpparse.h"

#define ENTRIES_PAGE 1000

/* A city action now in the hub's log, to the live feed (entry e, at index). */
static void announce(hub_api_t *api, const mm_entry_t *e, uint64_t index)
{
    hub_feed_city_action(api->feed, e, index);
}

static json_t *time_json(int64_t us)
{
    if (us <= 0)
        return json_null();
    char buf[MM_RFC3339_MAX];
    mm_time_rfc3339(us, buf);
    return json_string(buf);
}

static void get_hub(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    char verifier[MM_VERIFIER_MAX];
    if (mm_keys_verifier(api->keys, verifier, sizeof verifier) != MM_OK) {
        hub_http_error(req, 500, "internal", "cannot format the hub's verifier key");
        return;
    }
    hub_http_json(req, 200,
                  json_pack("{s:s, s:s, s:s}", "name", api->keys->name, "verifier", verifier,
                            "curve_public", api->keys->curve_public));
}

static void get_sites(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    json_t *sites = json_array();
    for (size_t i = 0; i < api->cfg->n_sites; i++) {
        const char *id = api->cfg->sites[i].id;
        hub_site_state_t st;
        if (hub_mirror_state(api->mirror, id, &st) != MM_OK) {
            json_decref(sites);
            hub_http_error(req, 500, "storage", "cannot read the state of site %s", id);
            return;
        }
        /* The site's key as the hub has it on record: a requester checks an export's
         * site-key.pem against it (mimamori-verify --site-key). */
        char verifier[MM_VERIFIER_MAX];
        if (mm_note_verifier_format(&api->cfg->sites[i].verifier, verifier, sizeof verifier) !=
            MM_OK) {
            json_decref(sites);
            hub_http_error(req, 500, "internal", "cannot format the verifier key of site %s", id);
            return;
        }
        json_array_append_new(sites,
                              json_pack("{s:s, s:s, s:I, s:o, s:o}", "id", id, "verifier", verifier,
                                        "log_size", (json_int_t)st.size, "last_checkpoint_time",
                                        time_json(st.checkpoint_us), "last_checkpoint_unix",
                                        st.checkpoint_us > 0
                                            ? json_integer((json_int_t)(st.checkpoint_us / 1000000))
                                            : json_null()));
    }
    hub_http_json(req, 200, json_pack("{s:o}", "sites", sites));
}

/* The configured site named in the path, or an answered 404. */
static const char *site_of(hub_http_req_t *req, hub_api_t *api)
{
    const char *site = hub_http_param(req, "site");
    if (!site || !hub_config_site(api->cfg, site)) {
        hub_http_error(req, 404, "unknown_site", "no site \"%.64s\" is registered",
                       site ? site : "");
        return NULL;
    }
    return site;
}

static void get_checkpoint(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    char *note = NULL;
    mm_err_t err = hub_mirror_checkpoint(api->mirror, site, &note);
    if (err == MM_ENOTFOUND) {
        hub_http_error(req, 404, "no_checkpoint", "site %s has sent no verified checkpoint yet",
                       site);
        return;
    }
    if (err != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the checkpoint of %s", site);
        return;
    }
    hub_http_text(req, 200, "text/plain; charset=utf-8", note, strlen(note));
    free(note);
}

static int query_u64(hub_http_req_t *req, const char *name, uint64_t fallback, uint64_t *out)
{
    char buf[32];
    int rc = hub_http_query(req, name, buf, sizeof buf);
    if (rc == 0) {
        *out = fallback;
        return 0;
    }
    if (rc < 0 || hub_http_parse_u64(buf, out) != 0) {
        hub_http_error(req, 400, "bad_query", "%s must be a non-negative integer", name);
        return -1;
    }
    return 0;
}

static int add_entry(uint64_t index, const void *data, size_t len, const mm_hash_t *leaf, void *arg)
{
    json_t *entries = arg;
    char hex[65];
    mm_hex32(leaf->b, hex);
    size_t blen = mm_base64_encoded_len(len) + 1;
    char *b64 = malloc(blen);
    if (!b64 || mm_base64_encode(data, len, b64, blen) < 0) {
        free(b64);
        return 1;
    }
    json_t *e = mm_entry_to_json(data, len);
    json_array_append_new(entries,
                          json_pack("{s:I, s:s, s:o, s:s}", "index", (json_int_t)index, "leaf_hash",
                                    hex, "entry", e ? e : json_null(), "raw", b64));
    free(b64);
    return 0;
}

static void get_entries(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    hub_site_state_t st;
    if (hub_mirror_state(api->mirror, site, &st) != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the state of %s", site);
        return;
    }
    uint64_t start, end;
    if (query_u64(req, "start", 0, &start) || query_u64(req, "end", UINT64_MAX, &end))
        return;
    if (end == UINT64_MAX) /* absent: one page */
        end = start > UINT64_MAX - ENTRIES_PAGE ? UINT64_MAX : start + ENTRIES_PAGE;
    if (start > end) {
        hub_http_error(req, 400, "bad_query", "start (%" PRIu64 ") is after end (%" PRIu64 ")",
                       start, end);
        return;
    }
    if (end - start > ENTRIES_PAGE)
        end = start + ENTRIES_PAGE;
    if (end > st.size)
        end = st.size;
    if (start > end)
        start = end;
    json_t *entries = json_array();
    if (hub_mirror_entries(api->mirror, site, start, end, add_entry, entries) != MM_OK) {
        json_decref(entries);
        hub_http_error(req, 500, "storage", "cannot read the entries of %s", site);
        return;
    }
    hub_http_json(req, 200,
                  json_pack("{s:s, s:I, s:I, s:I, s:o}", "site", site, "start", (json_int_t)start,
                            "end", (json_int_t)end, "size", (json_int_t)st.size, "entries",
                            entries));
}

static void get_findings(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    json_t *list = hub_findings_list(api->findings);
    if (!list) {
        hub_http_error(req, 500, "storage", "cannot read the findings");
        return;
    }
    hub_http_json(req, 200, json_pack("{s:o}", "findings", list));
}

static void get_site_registry(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    json_t *rec = hub_registry_get(api->registry, site);
    if (!rec) {
        hub_http_error(req, 500, "storage", "cannot read the record of %s", site);
        return;
    }
    hub_http_json(req, 200, rec);
}

static void get_filings(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    json_t *rec = hub_registry_get(api->registry, site);
    if (!rec) {
        hub_http_error(req, 500, "storage", "cannot read the record of %s", site);
        return;
    }
    json_t *f = json_object_get(rec, "filings");
    hub_http_json(req, 200, json_pack("{s:s, s:O}", "site", site, "filings", f ? f : json_null()));
    json_decref(rec);
}

/* What a resident may know of a site: who runs it, its cameras and their purpose, whom to ask
 * (no people other than the manager, no grants, no evidence). */
static json_t *public_site(const char *site, json_t *rec)
{
    json_t *f = json_object_get(rec, "facts");
    json_t *cams = json_array();
    const char *id;
    json_t *c;
    json_object_foreach(json_object_get(rec, "cameras"), id, c)
    {
        json_t *cf = json_object_get(c, "facts"), *cov = json_object_get(c, "coverage");
        json_array_append_new(
            cams,
            json_pack(
                "{s:s, s:O?, s:O?, s:O?, s:O?, s:o}", "id", id, "location",
                json_object_get(cf, "location"), "purpose", json_object_get(cf, "purpose"),
                "install_date", json_object_get(cf, "install_date"), "state",
                json_object_get(c, "state"), "public_share",
                cov ? json_real((double)json_integer_value(json_object_get(cov, "share_ppm")) / 1e6)
                    : json_null()));
    }
    json_t *last = NULL;
    size_t i;
    json_t *fl;
    json_array_foreach(json_object_get(rec, "filings"), i, fl)
    {
        const char *kind = json_string_value(json_object_get(fl, "kind"));
        if (kind && (!strcmp(kind, "initial") || !strcmp(kind, "change")))
            last = fl;
    }
    return json_pack(
        "{s:s, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:o, s:O?, s:O?}", "site", site, "installer",
        json_object_get(f, "installer_name"), "installer_address",
        json_object_get(f, "installer_address"), "contact", json_object_get(f, "installer_contact"),
        "manager", json_object_get(f, "manager_name"), "purpose", json_object_get(f, "purpose"),
        "policy", json_object_get(f, "policy"), "cameras", cams, "standards_version",
        json_object_get(last, "version"), "standards_state", json_object_get(last, "state"));
}

static void get_registry(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    json_t *sites = json_array();
    for (size_t i = 0; i < api->cfg->n_sites; i++) {
        const char *site = api->cfg->sites[i].id;
        json_t *rec = hub_registry_get(api->registry, site);
        if (!rec) {
            json_decref(sites);
            hub_http_error(req, 500, "storage", "cannot read the registry");
            return;
        }
        if (json_is_object(json_object_get(rec, "facts")))
            json_array_append_new(sites, public_site(site, rec));
        json_decref(rec);
    }
    hub_http_json(req, 200,
                  json_pack("{s:o, s:s}", "sites", sites, "complaints",
                            "苦情・問合せは各設置者の連絡先へ。対応に不服があるときは市へ申し出る"
                            "ことができます。 / Complaints go to the installer's contact; if "
                            "unhappy with the answer, appeal to the city."));
}

typedef struct {
    hub_api_t *api;
    const char *site, *filing, *state, *reason, *by;
    int64_t now;
} decision_t;

static mm_err_t decide_in(MDB_txn *txn, void *arg)
{
    decision_t *d = arg;
    return hub_registry_decide_in(d->api->registry, txn, d->site, d->filing, d->state, d->reason,
                                  d->by, d->now);
}

/* A filing accepted or returned: the registry and the hub's log change in one commit. */
static void post_decision(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    const char *filing = hub_http_param(req, "filing");
    size_t len;
    const char *body = hub_http_body(req, &len);
    hub_decision_body_t b;
    char msg[256];
    if (hub_body_decision(body, len, &b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
        return;
    }
    const hub_person_t *who = hub_http_caller(req);
    const char *state = b.accepted ? "accepted" : "returned";
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_CITY_ACTION};
    mm_city_action_t *a = &e.u.city_action;
    snprintf(a->action, sizeof a->action, "filing_%s", state);
    snprintf(a->site, sizeof a->site, "%s", site);
    snprintf(a->subject, sizeof a->subject, "%s", filing ? filing : "");
    snprintf(a->person, sizeof a->person, "%s", who->id);
    snprintf(a->role, sizeof a->role, "%s", hub_role_name(who->role));
    snprintf(a->reason, sizeof a->reason, "%s", b.reason);
    decision_t d = {api, site, filing ? filing : "", state, b.reason, who->id, e.time_us};
    uint64_t index = 0;
    mm_err_t err = hub_hublog_append(api->hublog, &e, decide_in, &d, &index);
    if (err == MM_ENOTFOUND) {
        hub_http_error(req, 404, "unknown_filing", "site %s has no filing \"%.64s\"", site,
                       filing ? filing : "");
    } else if (err == MM_ECONFLICT) {
        hub_http_error(req, 409, "already_decided", "filing %.64s of %s has been decided already",
                       filing, site);
    } else if (err != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot record the decision: %s", mm_strerror(err));
    } else {
        announce(api, &e, index);
        json_t *rec = api->feed ? hub_registry_get(api->registry, site) : NULL;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(rec, "filings"), i, f)
        {
            if (!strcmp(json_string_value(json_object_get(f, "id")) ?: "", filing))
                hub_feed_filing(api->feed, site, f);
        }
        json_decref(rec);
        hub_http_json(req, 200,
                      json_pack("{s:s, s:s, s:s, s:I}", "site", site, "filing", filing, "state",
                                state, "hub_log_index", (json_int_t)index));
    }
}

static void get_hub_checkpoint(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    char *note = NULL;
    mm_err_t err = hub_hublog_checkpoint(api->hublog, &note);
    if (err == MM_ENOTFOUND) {
        hub_http_error(req, 404, "no_checkpoint", "the hub has logged no city action yet");
        return;
    }
    if (err != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the hub's checkpoint");
        return;
    }
    hub_http_text(req, 200, "text/plain; charset=utf-8", note, strlen(note));
    free(note);
}

static int add_hub_entry(uint64_t index, const void *data, size_t len, void *arg)
{
    mm_hash_t leaf;
    mm_merkle_leaf_hash(data, len, &leaf);
    return add_entry(index, data, len, &leaf, arg);
}

static void get_hub_entries(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    uint64_t size = 0, start, end;
    if (hub_hublog_size(api->hublog, &size) != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the hub's log");
        return;
    }
    if (query_u64(req, "start", 0, &start) != 0 || query_u64(req, "end", start + 100, &end) != 0)
        return;
    if (end < start || end - start > 1000) {
        hub_http_error(req, 400, "bad_query",
                       "end must be at least start, and at most 1000 "
                       "entries apart");
        return;
    }
    json_t *entries = json_array();
    if (hub_hublog_entries(api->hublog, start, end, add_hub_entry, entries) != MM_OK) {
        json_decref(entries);
        hub_http_error(req, 500, "storage", "cannot read the hub's log");
        return;
    }
    hub_http_json(req, 200,
                  json_pack("{s:s, s:I, s:o}", "origin", hub_hublog_origin(api->hublog), "size",
                            (json_int_t)size, "entries", entries));
}

/* --- measures: guidance, recommendations, hearings, publication (R-N10.2, R-N11) ----------*/

typedef enum { M_CREATE, M_OFFER, M_HEARD, M_PUBLISH } measure_step_t;

typedef struct {
    hub_api_t *api;
    measure_step_t step;
    hub_measure_op_t op;
    mm_entry_t *e;
    const hub_measure_body_t *create;
    const hub_hearing_body_t *hearing;
    const hub_publication_body_t *pub;
} measure_call_t;

static mm_err_t measure_in(MDB_txn *txn, void *arg)
{
    measure_call_t *c = arg;
    hub_measures_t *m = c->api->measures;
    mm_city_action_t *a = &c->e->u.city_action;
    json_t *detail = NULL;
    mm_err_t err;
    switch (c->step) {
    case M_CREATE: {
        json_t *ids = json_array();
        for (size_t i = 0; i < c->create->n_findings; i++)
            json_array_append_new(ids, json_integer((json_int_t)c->create->findings[i]));
        err = hub_measures_create(m, txn, &c->op, c->create->kind, ids, c->create->text);
        snprintf(a->action, sizeof a->action, "%s_given", c->create->kind);
        snprintf(a->reason, sizeof a->reason, "%s", c->create->text);
        detail = json_pack("{s:o}", "findings", ids);
        break;
    }
    case M_OFFER:
        err = hub_measures_offer_hearing(m, txn, &c->op, c->hearing->deadline, c->hearing->text);
        snprintf(a->action, sizeof a->action, "hearing_offered");
        snprintf(a->reason, sizeof a->reason, "%s", c->hearing->text);
        detail = json_pack("{s:s}", "deadline", c->hearing->deadline);
        break;
    case M_HEARD:
        err = hub_measures_record_hearing(m, txn, &c->op, c->hearing->outcome, c->hearing->text);
        snprintf(a->action, sizeof a->action, "hearing_recorded");
        snprintf(a->reason, sizeof a->reason, "%s", c->hearing->text);
        detail = json_pack("{s:s}", "outcome", c->hearing->outcome);
        break;
    default:
        err = hub_measures_publish(m, txn, &c->op, c->pub->text);
        snprintf(a->action, sizeof a->action, "recommendation_published");
        snprintf(a->reason, sizeof a->reason, "%s", c->pub->text);
        break;
    }
    snprintf(a->subject, sizeof a->subject, "measure/%llu", (unsigned long long)c->op.id);
    char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    snprintf(a->detail, sizeof a->detail, "%s", d && strlen(d) < sizeof a->detail ? d : "");
    free(d);
    json_decref(detail);
    return err;
}

/* Runs a measure step with its city_action entry, and answers. */
static void measure_step(hub_http_req_t *req, hub_api_t *api, const char *site, measure_call_t *c)
{
    const hub_person_t *who = hub_http_caller(req);
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_CITY_ACTION};
    snprintf(e.u.city_action.site, sizeof e.u.city_action.site, "%s", site);
    snprintf(e.u.city_action.person, sizeof e.u.city_action.person, "%s", who->id);
    snprintf(e.u.city_action.role, sizeof e.u.city_action.role, "%s", hub_role_name(who->role));
    c->api = api;
    c->e = &e;
    c->op.site = site;
    c->op.by = who->id;
    c->op.now_us = e.time_us;
    uint64_t index = 0;
    mm_err_t err = hub_hublog_append(api->hublog, &e, measure_in, c, &index);
    if (err == MM_OK) {
        announce(api, &e, index);
        json_object_set_new(c->op.result, "hub_log_index", json_integer((json_int_t)index));
        hub_http_json(req, c->step == M_CREATE ? 201 : 200, c->op.result);
        return;
    }
    json_decref(c->op.result);
    if (err == MM_ENOTFOUND)
        hub_http_error(req, 404, "unknown_measure", "%s", c->op.why);
    else if (err == MM_ECONFLICT)
        hub_http_error(req, 409, c->step == M_PUBLISH ? "hearing_required" : "conflict", "%s",
                       c->op.why);
    else if (err == MM_EINVAL)
        hub_http_error(req, 400, "bad_body", "%s", c->op.why);
    else
        hub_http_error(req, 500, "storage", "cannot record it: %s", mm_strerror(err));
}

static int measure_id(hub_http_req_t *req, uint64_t *id)
{
    const char *s = hub_http_param(req, "id");
    if (!s || hub_http_parse_u64(s, id) != 0 || *id == 0) {
        hub_http_error(req, 404, "unknown_measure", "no measure \"%.32s\"", s ? s : "");
        return -1;
    }
    return 0;
}

static void post_measure(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    size_t len;
    const char *body = hub_http_body(req, &len);
    static hub_measure_body_t b; /* one request at a time: the loop's thread */
    char msg[256];
    if (hub_body_measure(body, len, &b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
        return;
    }
    /* Every finding named is one of this site's. */
    json_t *all = hub_findings_list(api->findings);
    for (size_t i = 0; all && i < b.n_findings; i++) {
        int ok = 0;
        size_t k;
        json_t *f;
        json_array_foreach(all, k, f)
        {
            const char *fs = json_string_value(json_object_get(f, "site"));
            ok |= (uint64_t)json_integer_value(json_object_get(f, "id")) == b.findings[i] && fs &&
                  !strcmp(fs, site);
        }
        if (!ok) {
            json_decref(all);
            hub_http_error(req, 400, "unknown_finding", "site %s has no finding %llu", site,
                           (unsigned long long)b.findings[i]);
            return;
        }
    }
    json_decref(all);
    measure_call_t c = {.step = M_CREATE, .create = &b};
    measure_step(req, api, site, &c);
}

static void post_hearing(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    uint64_t id;
    if (!site || measure_id(req, &id) != 0)
        return;
    size_t len;
    const char *body = hub_http_body(req, &len);
    static hub_hearing_body_t b;
    char msg[256];
    if (hub_body_hearing(body, len, &b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
        return;
    }
    measure_call_t c = {.step = b.offer ? M_OFFER : M_HEARD, .hearing = &b, .op.id = id};
    measure_step(req, api, site, &c);
}

static void post_publication(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    uint64_t id;
    if (!site || measure_id(req, &id) != 0)
        return;
    size_t len;
    const char *body = hub_http_body(req, &len);
    static hub_publication_body_t b;
    char msg[256];
    if (hub_body_publication(body, len, &b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
        return;
    }
    measure_call_t c = {.step = M_PUBLISH, .pub = &b, .op.id = id};
    measure_step(req, api, site, &c);
}

static void get_measures(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    json_t *list = hub_measures_list(api->measures, site, 0);
    if (!list) {
        hub_http_error(req, 500, "storage", "cannot read the measures");
        return;
    }
    hub_http_json(req, 200, json_pack("{s:s, s:o}", "site", site, "measures", list));
}

/* What the city has published (R-N11): the recommendation, the hearing, the publication. */
static void get_publications(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    json_t *list = hub_measures_list(api->measures, NULL, 1);
    if (!list) {
        hub_http_error(req, 500, "storage", "cannot read the publications");
        return;
    }
    json_t *out = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        json_t *h = json_object_get(m, "hearing");
        json_array_append_new(
            out,
            json_pack("{s:O, s:O, s:O?, s:O?, s:O?}", "site", json_object_get(m, "site"),
                      "recommendation", json_object_get(m, "text"), "hearing_outcome",
                      json_object_get(h, "outcome"), "publication",
                      json_object_get(json_object_get(m, "publication"), "text"), "published_us",
                      json_object_get(json_object_get(m, "publication"), "published_us")));
    }
    json_decref(list);
    hub_http_json(req, 200, json_pack("{s:o}", "publications", out));
}

/* --- what the city asks of a site: complaints, measures, report requests (R-N10.1, R-N12) --*/

#define DAY_US (86400LL * 1000000)

typedef struct {
    const char *kind;   /* "complaint", "complaint_measure", "report_request", or NULL for
                           an appeal */
    const char *target; /* appeal, complaint_measure: the request acted on */
    json_t *fields;     /* the new request's fields (kind and id added here) */
    mm_entry_t *e;
    char id[64];
    const char *why; /* on failure */
} request_call_t;

static mm_err_t add_request(json_t *rec, void *arg)
{
    request_call_t *c = arg;
    json_t *reqs = json_object_get(rec, "requests");
    if (!reqs) {
        reqs = json_object();
        json_object_set_new(rec, "requests", reqs);
    }
    if (c->target) {
        json_t *t = json_object_get(reqs, c->target);
        const char *tk = json_string_value(json_object_get(t, "kind"));
        if (!t || !tk || strcmp(tk, "complaint") != 0) {
            c->why = "no such complaint";
            return MM_ENOTFOUND;
        }
        if (!c->kind) { /* an appeal to the mayor (R-N12.2) */
            if (json_object_get(t, "appeal")) {
                c->why = "the complaint has been appealed already";
                return MM_ECONFLICT;
            }
            json_object_set(t, "appeal", c->fields);
            snprintf(c->id, sizeof c->id, "%s", c->target);
            return MM_OK;
        }
    }
    const char *prefix = !strcmp(c->kind, "complaint")           ? "complaint"
                         : !strcmp(c->kind, "complaint_measure") ? "measure-request"
                                                                 : "report";
    snprintf(c->id, sizeof c->id, "%s-%zu", prefix, json_object_size(reqs) + 1);
    json_object_set_new(c->fields, "id", json_string(c->id));
    json_object_set_new(c->fields, "kind", json_string(c->kind));
    json_object_set_new(c->fields, "state", json_string("pending"));
    if (c->target)
        json_object_set_new(c->fields, "complaint", json_string(c->target));
    json_object_set(reqs, c->id, c->fields);
    return MM_OK;
}

typedef struct {
    hub_api_t *api;
    const char *site;
    request_call_t *c;
} request_txn_t;

static mm_err_t request_in(MDB_txn *txn, void *arg)
{
    request_txn_t *t = arg;
    mm_err_t err = hub_registry_update_in(t->api->registry, txn, t->site, add_request, t->c);
    snprintf(t->c->e->u.city_action.subject, sizeof t->c->e->u.city_action.subject, "%s", t->c->id);
    return err;
}

static void run_request(hub_http_req_t *req, hub_api_t *api, const char *site, const char *action,
                        request_call_t *c)
{
    const hub_person_t *who = hub_http_caller(req);
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_CITY_ACTION};
    mm_city_action_t *a = &e.u.city_action;
    snprintf(a->action, sizeof a->action, "%s", action);
    snprintf(a->site, sizeof a->site, "%s", site);
    snprintf(a->person, sizeof a->person, "%s", who->id);
    snprintf(a->role, sizeof a->role, "%s", hub_role_name(who->role));
    const char *text = json_string_value(json_object_get(c->fields, "text"));
    snprintf(a->reason, sizeof a->reason, "%s", text ? text : "");
    json_object_set_new(c->fields, "by", json_string(who->id));
    json_object_set_new(c->fields, "time_us", json_integer((json_int_t)e.time_us));
    c->e = &e;
    request_txn_t t = {api, site, c};
    uint64_t index = 0;
    mm_err_t err = hub_hublog_append(api->hublog, &e, request_in, &t, &index);
    if (err == MM_OK) {
        announce(api, &e, index);
        json_t *out = json_deep_copy(c->fields);
        json_object_set_new(out, "id", json_string(c->id));
        json_object_set_new(out, "site", json_string(site));
        json_object_set_new(out, "hub_log_index", json_integer((json_int_t)index));
        hub_http_json(req, 201, out);
    } else if (err == MM_ENOTFOUND) {
        hub_http_error(req, 404, "unknown_request", "%s of site %s: %s", c->target, site, c->why);
    } else if (err == MM_ECONFLICT) {
        hub_http_error(req, 409, "conflict", "%s: %s", c->target, c->why);
    } else {
        hub_http_error(req, 500, "storage", "cannot record it: %s", mm_strerror(err));
    }
    json_decref(c->fields);
}

/* The request's body parsed into b, or -1 once a 400 naming the problem has been answered. */
static int request_body(hub_http_req_t *req,
                        mm_err_t (*parse)(const char *, size_t, hub_request_body_t *, char *,
                                          size_t),
                        hub_request_body_t *b)
{
    size_t len;
    const char *body = hub_http_body(req, &len);
    char msg[256];
    if (parse(body, len, b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
        return -1;
    }
    return 0;
}

static void post_complaint(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    size_t len;
    const char *body = hub_http_body(req, &len);
    static hub_complaint_body_t b;
    char msg[256];
    if (hub_body_complaint(body, len, &b, msg, sizeof msg) != MM_OK) {
        hub_http_error(req, 400, "bad_body", "%s", msg);
        return;
    }
    if (!hub_config_site(api->cfg, b.site)) {
        hub_http_error(req, 404, "unknown_site", "no site \"%.64s\" is registered", b.site);
        return;
    }
    int64_t now = mm_now_us();
    /* The complainant's contact stays at the hub: the site gets the complaint, not the person. */
    request_call_t c = {.kind = "complaint",
                        .fields = json_pack("{s:s, s:s, s:s, s:s, s:I}", "camera", b.camera, "text",
                                            b.text, "contact", b.contact, "via", b.via,
                                            "deadline_us", (json_int_t)(now + 14 * DAY_US))};
    run_request(req, api, b.site, "complaint_registered", &c);
}

static void post_appeal(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    static hub_request_body_t b;
    if (request_body(req, hub_body_appeal, &b) != 0)
        return;
    request_call_t c = {
        .target = hub_http_param(req, "id"),
        .fields = json_pack("{s:s, s:I}", "text", b.text, "time_us", (json_int_t)mm_now_us())};
    run_request(req, api, site, "complaint_appealed", &c);
}

static void post_complaint_measures(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    static hub_request_body_t b;
    if (request_body(req, hub_body_measures, &b) != 0)
        return;
    int64_t now = mm_now_us();
    request_call_t c = {.kind = "complaint_measure",
                        .target = hub_http_param(req, "id"),
                        .fields = json_pack("{s:s, s:I}", "text", b.text, "deadline_us",
                                            (json_int_t)(now + b.deadline_days * DAY_US))};
    run_request(req, api, site, "measures_requested", &c);
}

static void post_report_request(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    static hub_request_body_t b;
    if (request_body(req, hub_body_report_request, &b) != 0)
        return;
    int64_t now = mm_now_us();
    request_call_t c = {.kind = "report_request",
                        .fields =
                            json_pack("{s:s, s:I, s:I, s:I}", "text", b.text, "from_us",
                                      (json_int_t)b.from_us, "to_us", (json_int_t)b.to_us,
                                      "deadline_us", (json_int_t)(now + b.deadline_days * DAY_US))};
    run_request(req, api, site, "report_requested", &c);
}

/* The site's requests, each answer's report signature checked with the site's key. */
static void get_requests(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    const char *site = site_of(req, api);
    if (!site)
        return;
    json_t *rec = hub_registry_get(api->registry, site);
    if (!rec) {
        hub_http_error(req, 500, "storage", "cannot read the record of %s", site);
        return;
    }
    const hub_site_conf_t *sc = hub_config_site(api->cfg, site);
    json_t *list = json_array();
    const char *id;
    json_t *q;
    json_object_foreach(json_object_get(rec, "requests"), id, q)
    {
        json_t *ans = json_object_get(q, "answer");
        const char *report = json_string_value(json_object_get(ans, "report"));
        const char *sig = json_string_value(json_object_get(ans, "report_signature"));
        if (report && *report) {
            uint8_t raw[128];
            int n = sig ? mm_base64_decode(sig, strlen(sig), raw, sizeof raw) : -1;
            int ok = n == 64 &&
                     mm_ed25519_verify(sc->verifier.pub, report, strlen(report), raw) == MM_OK;
            json_object_set_new(ans, "report_signature_valid", json_boolean(ok));
        }
        json_array_append(list, q);
    }
    json_decref(rec);
    hub_http_json(req, 200, json_pack("{s:s, s:o}", "site", site, "requests", list));
}

/* Who may read what the city reads (everything but the public registry). */
#define READ (HUB_ROLE_OVERSIGHT | HUB_ROLE_READONLY)

mm_err_t hub_api_register(hub_http_t *h, hub_api_t *api)
{
    mm_err_t err = hub_http_route(h, "GET", "/api/v1/hub", 0, get_hub, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites", 0, get_sites, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/checkpoint", 0, get_checkpoint, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/entries", READ, get_entries, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/findings", READ, get_findings, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/registry", 0, get_registry, api);
    if (err == MM_OK)
        err =
            hub_http_route(h, "GET", "/api/v1/sites/{site}/registry", READ, get_site_registry, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/filings", READ, get_filings, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/filings/{filing}/decision",
                             HUB_ROLE_OVERSIGHT, post_decision, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/measures", HUB_ROLE_OVERSIGHT,
                             post_measure, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/measures", READ, get_measures, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/measures/{id}/hearing",
                             HUB_ROLE_OVERSIGHT, post_hearing, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/measures/{id}/publication",
                             HUB_ROLE_OVERSIGHT, post_publication, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/publications", 0, get_publications, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/complaints", HUB_ROLE_OVERSIGHT | HUB_ROLE_INTAKE,
                             post_complaint, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/sites/{site}/requests", READ, get_requests, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/requests/{id}/appeal",
                             HUB_ROLE_OVERSIGHT | HUB_ROLE_INTAKE, post_appeal, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/requests/{id}/measures",
                             HUB_ROLE_OVERSIGHT, post_complaint_measures, api);
    if (err == MM_OK)
        err = hub_http_route(h, "POST", "/api/v1/sites/{site}/report-requests", HUB_ROLE_OVERSIGHT,
                             post_report_request, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/hub/checkpoint", 0, get_hub_checkpoint, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/hub/entries", READ, get_hub_entries, api);
    return err;
}
