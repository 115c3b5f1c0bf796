/*
 * ops.c: the control socket's actions (see ops.h).
 */
#include "edge/ops.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "edge/facts.h"
#include "edge/footage.h"
#include "edge/requests.h"
#include "edge/standards.h"

#define SEARCH_MAX 20000 /* segments listed by one search */

struct edge_viewer {
    edge_ops_t *ops;
    pthread_t thread;
    int fd;
    int done;
    mm_err_t err;
    uint64_t written;
    char session[MM_ID_MAX];
    char person[MM_ID_MAX];
    char camera[MM_ID_MAX];
    int64_t from_us, to_us;
};

const char *edge_cam_state_name(edge_cam_state_t s)
{
    switch (s) {
    case EDGE_CAM_SUSPENDED:
        return "suspended";
    case EDGE_CAM_ABOLISHED:
        return "abolished";
    default:
        return "recording";
    }
}

static int camera_index(const edge_ops_t *ops, const char *id)
{
    for (size_t i = 0; i < ops->cfg->n_cameras; i++)
        if (strcmp(ops->cfg->cameras[i].id, id) == 0)
            return (int)i;
    return -1;
}

int edge_ops_may_record(const edge_ops_t *ops, size_t i)
{
    return ops->cam_state[i] == EDGE_CAM_RECORDING;
}

static mm_err_t append(edge_ops_t *ops, mm_entry_t *e, const char *meta, const void *val,
                       size_t len)
{
    uint64_t index;
    mm_err_t err = meta ? edge_store_append_meta(ops->store, e, meta, val, len, &index)
                        : edge_store_append(ops->store, e, &index);
    if (err != MM_OK)
        MM_ERROR("cannot log a %s entry: %s", mm_entry_kind_name(e->kind), mm_strerror(err));
    else if (ops->logged)
        ops->logged(ops->arg);
    return err;
}

/* --- state in the store ----------------------------------------------------------------------*/

static mm_err_t save_access(edge_ops_t *ops, mm_entry_t *e)
{
    json_t *j = edge_access_to_json(&ops->access);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (!s)
        return MM_ENOMEM;
    mm_err_t err = append(ops, e, "access", s, strlen(s));
    free(s);
    return err;
}

static mm_err_t load_access(edge_ops_t *ops)
{
    size_t len = 0, cap = 1 << 20;
    char *buf = malloc(cap);
    if (!buf)
        return MM_ENOMEM;
    mm_err_t err = edge_store_meta_get(ops->store, "access", buf, cap, &len);
    if (err == MM_ENOTFOUND) {
        free(buf);
        memset(&ops->access, 0, sizeof ops->access);
        return MM_OK;
    }
    if (err == MM_OK) {
        json_error_t je;
        json_t *j = json_loadb(buf, len, 0, &je);
        char msg[MM_TEXT_MAX];
        err = j ? edge_access_from_json(j, &ops->access, msg, sizeof msg) : MM_ECORRUPT;
        if (err != MM_OK)
            MM_ERROR("the store's access state is damaged (%s); refusing to guess who may do "
                     "what",
                     j ? msg : je.text);
        json_decref(j);
    }
    free(buf);
    return err;
}

static void camera_state_key(const char *camera, char *key, size_t cap)
{
    snprintf(key, cap, "camera_state/%s", camera);
}

static mm_err_t load_camera_states(edge_ops_t *ops)
{
    for (size_t i = 0; i < ops->cfg->n_cameras; i++) {
        char key[MM_ID_MAX + 16], val[32];
        size_t len = 0;
        camera_state_key(ops->cfg->cameras[i].id, key, sizeof key);
        mm_err_t err = edge_store_meta_get(ops->store, key, val, sizeof val - 1, &len);
        ops->cam_state[i] = EDGE_CAM_RECORDING;
        if (err == MM_ENOTFOUND)
            continue;
        if (err != MM_OK)
            return err;
        val[len] = 0;
        if (strcmp(val, "suspended") == 0)
            ops->cam_state[i] = EDGE_CAM_SUSPENDED;
        else if (strcmp(val, "abolished") == 0)
            ops->cam_state[i] = EDGE_CAM_ABOLISHED;
        else if (strcmp(val, "recording") != 0) {
            MM_ERROR("the store's state of camera %s is damaged: \"%s\"", ops->cfg->cameras[i].id,
                     val);
            return MM_ECORRUPT;
        }
    }
    return MM_OK;
}

/* --- the site's facts ------------------------------------------------------------------------*/

/*
 * Logs site_facts and camera_facts where they differ from the last logged (facts.h), with the
 * operators in force now: the city's registry names them (R-N6.1).
 */
static mm_err_t facts_update(edge_ops_t *ops)
{
    int is_op[EDGE_MAX_PEOPLE] = {0};
    for (size_t i = 0; i < ops->cfg->gov.n_people; i++)
        is_op[i] = edge_access_is_operator(&ops->access, &ops->cfg->gov, (int)i);
    int logged = 0;
    mm_err_t err = edge_facts_log(ops->store, ops->cfg, is_op, mm_now_us(), &logged);
    if (err != MM_OK)
        MM_ERROR("cannot log the site's facts: %s", mm_strerror(err));
    if (logged && ops->logged)
        ops->logged(ops->arg);
    return err;
}

/* --- the standards document ------------------------------------------------------------------*/

/* The document as filed: the operators in force and the cameras' states are part of it. */
static char *render(const edge_ops_t *ops, uint32_t version, const char *date,
                    edge_doc_format_t fmt)
{
    int is_op[EDGE_MAX_PEOPLE] = {0};
    const char *states[EDGE_MAX_CAMERAS];
    for (size_t i = 0; i < ops->cfg->gov.n_people; i++)
        is_op[i] = edge_access_is_operator(&ops->access, &ops->cfg->gov, (int)i);
    for (size_t i = 0; i < ops->cfg->n_cameras; i++)
        states[i] = edge_cam_state_name(ops->cam_state[i]);
    edge_standards_meta_t meta = {
        .version = version, .effective = date, .is_operator = is_op, .camera_state = states};
    return edge_standards_render(ops->cfg, &meta, fmt);
}

static void today(char out[EDGE_DATE_LEN])
{
    time_t t = (time_t)(mm_now_us() / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, EDGE_DATE_LEN, "%Y-%m-%d", &tm);
}

static int file_hash(const char *path, uint8_t out[32])
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    mm_sha256_ctx_t *ctx = NULL;
    if (!f || mm_sha256_create(&ctx) != MM_OK) {
        if (f)
            fclose(f);
        memset(out, 0, 32);
        return -1;
    }
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        mm_sha256_update(ctx, buf, n);
    fclose(f);
    mm_sha256_final(ctx, out);
    mm_sha256_destroy(ctx);
    return 0;
}

static mm_err_t standards_file(edge_ops_t *ops, const char *by);

/*
 * Makes a new version of the standards document when what it says (without its version and
 * date) differs from the last version's; logs it (R-N4.2). The `standards` action serves that
 * same Markdown, so its SHA-256 is the document_hash of the last configuration_changed entry.
 */
static mm_err_t standards_update(edge_ops_t *ops, const char *summary)
{
    char *content = render(ops, 0, NULL, EDGE_DOC_MARKDOWN);
    if (!content)
        return MM_ENOMEM;
    uint8_t h[32];
    char hex[65];
    mm_sha256(content, strlen(content), h);
    free(content);
    mm_hex32(h, hex);

    char buf[512];
    size_t len = 0;
    uint32_t version = 0;
    char date[EDGE_DATE_LEN] = "", old_hex[65] = "";
    mm_err_t err = edge_store_meta_get(ops->store, "standards", buf, sizeof buf - 1, &len);
    if (err == MM_OK) {
        buf[len] = 0;
        json_t *j = json_loads(buf, 0, NULL);
        const char *d = NULL, *oh = NULL;
        json_int_t v = 0, filed = 0;
        if (!j ||
            json_unpack(j, "{s:I, s:s, s:s, s?I}", "version", &v, "date", &d, "content", &oh,
                        "filed", &filed) ||
            v < 1 || v > UINT32_MAX || strlen(d) >= sizeof date || strlen(oh) != 64 || filed < 0 ||
            filed > v) {
            json_decref(j);
            MM_ERROR("the store's standards version record is damaged");
            return MM_ECORRUPT;
        }
        version = (uint32_t)v;
        ops->standards_filed = (uint32_t)filed;
        snprintf(date, sizeof date, "%s", d);
        snprintf(old_hex, sizeof old_hex, "%s", oh);
        json_decref(j);
    } else if (err != MM_ENOTFOUND) {
        return err;
    }
    snprintf(ops->standards_content, sizeof ops->standards_content, "%s", hex);
    if (version && strcmp(old_hex, hex) == 0) {
        ops->standards_version = version;
        snprintf(ops->standards_date, sizeof ops->standards_date, "%s", date);
        /* A site filing automatically files what a crash left unfiled. */
        return ops->cfg->filing_manual || ops->standards_filed == version ? MM_OK
                                                                          : standards_file(ops, "");
    }

    version++;
    today(date);
    char *doc = render(ops, version, date, EDGE_DOC_MARKDOWN);
    if (!doc)
        return MM_ENOMEM;
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_CONFIGURATION_CHANGED};
    mm_configuration_changed_t *c = &e.u.configuration_changed;
    c->version = version;
    mm_sha256(doc, strlen(doc), c->document_hash);
    free(doc);
    file_hash(ops->config_path, c->config_hash);
    c->policy = ops->cfg->policy;
    c->cameras = (uint32_t)ops->cfg->n_cameras;
    snprintf(c->summary, sizeof c->summary, "%s",
             version == 1 ? "first version of the standards" : summary);
    json_t *rec = json_pack("{s:I, s:s, s:s, s:I}", "version", (json_int_t)version, "date", date,
                            "content", hex, "filed", (json_int_t)ops->standards_filed);
    char *s = rec ? json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(rec);
    if (!s)
        return MM_ENOMEM;
    err = append(ops, &e, "standards", s, strlen(s));
    free(s);
    if (err != MM_OK)
        return err;
    ops->standards_version = version;
    snprintf(ops->standards_date, sizeof ops->standards_date, "%s", date);
    MM_INFO("standards: version %u of %s (%s)", version, date, c->summary);
    return ops->cfg->filing_manual ? MM_OK : standards_file(ops, "");
}

/*
 * Files the current version with the city (R-N4.2): a standards_filed entry with the hash of
 * the versioned document, and the record of what is filed, in one transaction. by is the
 * manager's id, or "" when the site files automatically.
 */
static mm_err_t standards_file(edge_ops_t *ops, const char *by)
{
    char *doc = render(ops, ops->standards_version, ops->standards_date, EDGE_DOC_MARKDOWN);
    if (!doc)
        return MM_ENOMEM;
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_STANDARDS_FILED};
    mm_standards_filed_t *f = &e.u.standards_filed;
    f->version = ops->standards_version;
    mm_sha256(doc, strlen(doc), f->document_hash);
    free(doc);
    snprintf(f->by, sizeof f->by, "%s", by);
    f->automatic = !*by;
    json_t *rec = json_pack("{s:I, s:s, s:s, s:I}", "version", (json_int_t)ops->standards_version,
                            "date", ops->standards_date, "content", ops->standards_content, "filed",
                            (json_int_t)ops->standards_version);
    char *s = rec ? json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(rec);
    if (!s)
        return MM_ENOMEM;
    mm_err_t err = append(ops, &e, "standards", s, strlen(s));
    free(s);
    if (err == MM_OK) {
        ops->standards_filed = ops->standards_version;
        MM_INFO("standards: version %u filed%s%s", f->version, *by ? " by " : " automatically", by);
    }
    return err;
}

/* --- playback threads ------------------------------------------------------------------------*/

static void *viewer_main(void *arg)
{
    edge_viewer_t *vw = arg;
    char head[256];
    int n = snprintf(head, sizeof head, "{\"ok\":true,\"session\":\"%s\",\"format\":\"mpegts\"}\n",
                     vw->session);
    if (send(vw->fd, head, (size_t)n, MSG_NOSIGNAL) != n)
        vw->err = MM_ECLOSED;
    else
        vw->err = edge_footage_stream(vw->ops->vault, vw->camera, vw->from_us, vw->to_us, vw->fd,
                                      &vw->written, NULL);
    shutdown(vw->fd, SHUT_RDWR);
    pthread_mutex_lock(&vw->ops->lock);
    vw->done = 1;
    pthread_mutex_unlock(&vw->ops->lock);
    uv_async_send(&vw->ops->viewer_done);
    return NULL;
}

static void log_viewing(edge_ops_t *ops, const edge_viewer_t *vw, mm_viewing_state_t state,
                        const char *reason)
{
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_VIEWING};
    mm_viewing_t *v = &e.u.viewing;
    v->state = state;
    snprintf(v->session, sizeof v->session, "%s", vw->session);
    snprintf(v->person, sizeof v->person, "%s", vw->person);
    snprintf(v->camera, sizeof v->camera, "%s", vw->camera);
    v->start_us = vw->from_us;
    v->end_us = vw->to_us;
    v->bytes = vw->written;
    snprintf(v->reason, sizeof v->reason, "%s", reason);
    append(ops, &e, NULL, NULL, 0);
}

/* Joins and logs the streams that have ended (all of them when wait is set). */
static void reap_viewers(edge_ops_t *ops, int wait)
{
    for (int i = 0; i < EDGE_MAX_VIEWERS; i++) {
        edge_viewer_t *vw = ops->viewers[i];
        if (!vw)
            continue;
        pthread_mutex_lock(&ops->lock);
        int done = vw->done;
        pthread_mutex_unlock(&ops->lock);
        if (!done && !wait)
            continue;
        if (!done)
            shutdown(vw->fd, SHUT_RDWR); /* the edge is stopping: end the stream now */
        pthread_join(vw->thread, NULL);
        close(vw->fd);
        const char *why = vw->err == MM_OK       ? "finished"
                          : !done                ? "the edge stopped"
                          : vw->err == MM_EMEDIA ? "the viewer closed the stream"
                                                 : mm_strerror(vw->err);
        MM_INFO("playback %s of %s by %s ended: %s, %" PRIu64 " bytes", vw->session, vw->camera,
                vw->person, why, vw->written);
        log_viewing(ops, vw, MM_VIEWING_STATE_ENDED, why);
        free(vw);
        ops->viewers[i] = NULL;
    }
}

static void on_viewer_done(uv_async_t *a)
{
    reap_viewers(a->data, 0);
}

/* --- answering -------------------------------------------------------------------------------*/

typedef struct {
    edge_ops_t *ops;
    edge_conn_t *conn;
    const edge_request_t *r;
    edge_caller_t who;
    edge_decision_t d;
    char person[MM_ID_MAX]; /* the caller's person id, or "@account" */
    int logged;
} call_t;

/* Logs the call as an access entry: once, with how it ended. */
static void log_call(call_t *c, int allowed, const char *reason)
{
    if (c->logged)
        return;
    c->logged = 1;
    const edge_governance_t *g = &c->ops->cfg->gov;
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_ACCESS};
    mm_access_t *a = &e.u.access;
    if (c->who.person >= 0)
        snprintf(a->person, sizeof a->person, "%s", g->people[c->who.person].id);
    if (c->who.account[0])
        snprintf(a->account, sizeof a->account, "%s", c->who.account);
    else
        snprintf(a->account, sizeof a->account, "uid:%u", (unsigned)c->who.uid);
    a->uid = c->who.uid;
    a->role = c->d.role;
    snprintf(a->action, sizeof a->action, "%s",
             c->r->action == EDGE_ACT_COUNT ? "malformed" : edge_action_name(c->r->action));
    snprintf(a->camera, sizeof a->camera, "%s", c->r->camera);
    a->start_us = c->r->from_us;
    a->end_us = c->r->to_us;
    a->allowed = allowed;
    snprintf(a->reason, sizeof a->reason, "%s", reason ? reason : "");
    append(c->ops, &e, NULL, NULL, 0);
}

static void refuse(call_t *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void refuse(call_t *c, const char *code, const char *fmt, ...)
{
    char msg[MM_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    MM_WARN("control: %s (%s) %s%s%s refused: %s", c->person, mm_role_name(c->d.role),
            edge_action_name(c->r->action), c->r->camera[0] ? " " : "", c->r->camera, msg);
    log_call(c, 0, msg);
    edge_conn_error(c->conn, code, msg);
}

static void answer(call_t *c, json_t *result, const char *note)
{
    log_call(c, 1, note);
    edge_conn_reply(c->conn,
                    json_pack("{s:b, s:o}", "ok", 1, "result", result ? result : json_object()));
}

static const char *err_code(mm_err_t err)
{
    switch (err) {
    case MM_ENOTFOUND:
        return "not_found";
    case MM_EEXIST:
    case MM_ECONFLICT:
        return "conflict";
    case MM_EDENIED:
        return "denied";
    case MM_EINVAL:
        return "invalid";
    default:
        return "internal";
    }
}

static json_t *camera_json(edge_ops_t *ops, size_t i)
{
    const edge_config_camera_t *cam = &ops->cfg->cameras[i];
    edge_segment_row_t last;
    int64_t last_end = 0;
    if (edge_store_last_segment(ops->store, cam->id, &last) == MM_OK)
        last_end = last.seg.end_us;
    const char *state = edge_cam_state_name(ops->cam_state[i]);
    if (ops->cam_state[i] == EDGE_CAM_RECORDING && ops->ingest &&
        edge_ingest_paused(ops->ingest, cam->id))
        state = "paused";
    return json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:f, s:f, s:s?, s:I}", "id", cam->id, "state",
                     state, "location", cam->gov.location, "purpose", cam->gov.purpose,
                     "install_date", cam->gov.install_date, "public_share",
                     cam->gov.coverage.public_share, "threshold", cam->gov.threshold, "exception",
                     cam->gov.exception, "last_recorded_us", (json_int_t)last_end);
}

static int open_reports(const edge_ops_t *ops)
{
    int n = 0;
    for (size_t i = 0; i < ops->access.n_grants; i++) {
        const edge_grant_t *gr = &ops->access.grants[i];
        n += !gr->revoked && gr->reported_us == 0;
    }
    return n;
}

static void do_status(call_t *c)
{
    edge_ops_t *ops = c->ops;
    int counts[3] = {0};
    for (size_t i = 0; i < ops->cfg->n_cameras; i++)
        counts[ops->cam_state[i]]++;
    uint64_t size = 0, acked = 0;
    edge_store_size(ops->store, &size);
    edge_store_acked(ops->store, &acked);
    json_t *res = json_pack(
        "{s:s, s:s, s:s, s:i, s:i, s:i, s:{s:s, s:s, s:s}, s:{s:i, s:i, s:i}, s:{s:I, s:I}, "
        "s:i, s:{s:i, s:s, s:i, s:s}, s:I}",
        "site", ops->cfg->site, "installer", ops->cfg->gov.installer_name, "policy",
        mm_policy_name(ops->cfg->policy), "retention_days", ops->cfg->retention_days, "floor_days",
        edge_policy_floor_days(ops->cfg->policy), "registered_retention_days",
        ops->cfg->registered_retention_days, "you", "person", c->person, "account", c->who.account,
        "role", mm_role_name(c->d.role), "cameras", "recording", counts[0], "suspended", counts[1],
        "abolished", counts[2], "log", "entries", (json_int_t)size, "acknowledged_by_hub",
        (json_int_t)acked, "open_emergency_reports", open_reports(ops), "standards", "version",
        (int)ops->standards_version, "date", ops->standards_date, "filed",
        (int)ops->standards_filed, "filing", ops->cfg->filing_manual ? "manual" : "automatic",
        "time_us", (json_int_t)mm_now_us());
    /* What the city asked and the site has not answered yet (R-N10.1, R-N12). */
    json_t *reqs = NULL;
    if (res && edge_requests_list(ops->store, mm_now_us(), &reqs) == MM_OK)
        json_object_set(res, "open_city_requests", json_object_get(reqs, "open"));
    json_decref(reqs);
    /* Disclosure requests waiting for the manager: to decide, or to approve again. */
    size_t waiting = 0;
    if (res && ops->disclosure && edge_disclosure_waiting(ops->disclosure, &waiting) == MM_OK)
        json_object_set_new(res, "disclosures_waiting", json_integer((json_int_t)waiting));
    answer(c, res, NULL);
}

static void do_cameras(call_t *c)
{
    json_t *list = json_array();
    for (size_t i = 0; i < c->ops->cfg->n_cameras; i++) {
        /* An emergency grant shows only the cameras it covers. */
        if (c->d.role == MM_ROLE_EMERGENCY &&
            !edge_grant_has_camera(&c->ops->access.grants[c->d.grant], c->ops->cfg->cameras[i].id))
            continue;
        json_array_append_new(list, camera_json(c->ops, i));
    }
    answer(c, json_pack("{s:o}", "cameras", list), NULL);
}

typedef struct {
    json_t *list;
    size_t n;
} search_t;

static int add_found(const edge_segment_row_t *row, void *arg)
{
    search_t *s = arg;
    if (s->n++ >= SEARCH_MAX)
        return 1;
    char hex[65];
    mm_hex32(row->seg.content_hash, hex);
    json_array_append_new(s->list,
                          json_pack("{s:I, s:I, s:i, s:I, s:s, s:s, s:b}", "start_us",
                                    (json_int_t)row->seg.start_us, "end_us",
                                    (json_int_t)row->seg.end_us, "frames", (int)row->seg.frames,
                                    "bytes", (json_int_t)row->seg.bytes, "codec", row->seg.codec,
                                    "content_hash", hex, "recovered", row->seg.recovered));
    return 0;
}

static void do_search(call_t *c)
{
    search_t s = {json_array(), 0};
    mm_err_t err =
        edge_footage_find(c->ops->vault, c->r->camera, c->r->from_us, c->r->to_us, add_found, &s);
    if (err != MM_OK) {
        json_decref(s.list);
        refuse(c, err_code(err), "cannot search %s: %s", c->r->camera, mm_strerror(err));
        return;
    }
    char note[64];
    snprintf(note, sizeof note, "%zu segments", s.n > SEARCH_MAX ? (size_t)SEARCH_MAX : s.n);
    answer(c,
           json_pack("{s:s, s:o, s:b}", "camera", c->r->camera, "segments", s.list, "truncated",
                     s.n > SEARCH_MAX),
           note);
}

static int count_rows(const edge_segment_row_t *row, void *arg)
{
    (void)row;
    ++*(size_t *)arg;
    return 1;
}

static void do_playback(call_t *c)
{
    edge_ops_t *ops = c->ops;
    size_t found = 0;
    mm_err_t err =
        edge_footage_find(ops->vault, c->r->camera, c->r->from_us, c->r->to_us, count_rows, &found);
    if (err != MM_OK || !found) {
        refuse(c, "not_found", "camera %s has no footage in that time range", c->r->camera);
        return;
    }
    int slot = -1;
    for (int i = 0; i < EDGE_MAX_VIEWERS && slot < 0; i++)
        if (!ops->viewers[i])
            slot = i;
    if (slot < 0) {
        refuse(c, "busy", "%d playback streams are running; try again later", EDGE_MAX_VIEWERS);
        return;
    }
    edge_viewer_t *vw = calloc(1, sizeof *vw);
    if (!vw) {
        refuse(c, "internal", "out of memory");
        return;
    }
    vw->ops = ops;
    snprintf(vw->session, sizeof vw->session, "pb-%" PRId64 "-%u", mm_now_us() / 1000000,
             ops->next_session++);
    snprintf(vw->person, sizeof vw->person, "%s", c->person);
    snprintf(vw->camera, sizeof vw->camera, "%s", c->r->camera);
    vw->from_us = c->r->from_us;
    vw->to_us = c->r->to_us;
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "session %s", vw->session);
    log_call(c, 1, note);
    vw->fd = edge_conn_take(c->conn);
    if (vw->fd < 0) {
        free(vw);
        return;
    }
    log_viewing(ops, vw, MM_VIEWING_STATE_STARTED, "");
    if (pthread_create(&vw->thread, NULL, viewer_main, vw) != 0) {
        vw->err = MM_ENOMEM;
        close(vw->fd);
        log_viewing(ops, vw, MM_VIEWING_STATE_ENDED, "the edge could not start the stream");
        free(vw);
        return;
    }
    ops->viewers[slot] = vw;
}

static void do_standards(call_t *c)
{
    char *doc = render(c->ops, c->ops->standards_version, c->ops->standards_date,
                       c->r->html ? EDGE_DOC_HTML : EDGE_DOC_MARKDOWN);
    if (!doc) {
        refuse(c, "internal", "out of memory");
        return;
    }
    json_t *res = json_pack("{s:i, s:s, s:s, s:s}", "version", (int)c->ops->standards_version,
                            "date", c->ops->standards_date, "format",
                            c->r->html ? "html" : "markdown", "document", doc);
    free(doc);
    answer(c, res, NULL);
}

/* The manager files the current version with the city (R-N4.2). */
static void do_standards_file(call_t *c)
{
    edge_ops_t *ops = c->ops;
    if (ops->standards_filed == ops->standards_version) {
        refuse(c, "conflict", "version %u of the standards is filed already",
               ops->standards_version);
        return;
    }
    if (standards_file(ops, c->person) != MM_OK) {
        refuse(c, "internal", "the filing could not be stored; nothing changed");
        return;
    }
    answer(c,
           json_pack("{s:i, s:s}", "filed", (int)ops->standards_filed, "date", ops->standards_date),
           NULL);
}

static void do_operators(call_t *c)
{
    const edge_governance_t *g = &c->ops->cfg->gov;
    json_t *list = json_array();
    for (size_t i = 0; i < g->n_people; i++) {
        const char *role = (int)i == g->manager                                  ? "manager"
                           : edge_access_is_operator(&c->ops->access, g, (int)i) ? "operator"
                                                                                 : "none";
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "id", g->people[i].id, "name",
                                              g->people[i].name, "account", g->people[i].account,
                                              "role", role));
    }
    answer(c, json_pack("{s:o}", "people", list), NULL);
}

static int person_index(const edge_governance_t *g, const char *id)
{
    for (size_t i = 0; i < g->n_people; i++)
        if (strcmp(g->people[i].id, id) == 0)
            return (int)i;
    return -1;
}

static void role_entry(mm_entry_t *e, mm_role_change_t change, const char *person, const char *by,
                       const char *reason)
{
    memset(e, 0, sizeof *e);
    e->time_us = mm_now_us();
    e->kind = MM_ENTRY_ROLE_CHANGED;
    mm_role_changed_t *rc = &e->u.role_changed;
    rc->change = change;
    snprintf(rc->person, sizeof rc->person, "%s", person);
    snprintf(rc->by, sizeof rc->by, "%s", by);
    snprintf(rc->reason, sizeof rc->reason, "%s", reason ? reason : "");
}

static void do_designation(call_t *c, int designate)
{
    edge_ops_t *ops = c->ops;
    const edge_governance_t *g = &ops->cfg->gov;
    int p = person_index(g, c->r->person);
    if (p < 0) {
        refuse(c, "not_found", "%s is none of the site's people", c->r->person);
        return;
    }
    edge_access_t saved = ops->access;
    char msg[MM_TEXT_MAX];
    int64_t now = mm_now_us();
    mm_err_t err = designate
                       ? edge_access_designate(&ops->access, g, p, c->person, now, msg, sizeof msg)
                       : edge_access_revoke(&ops->access, g, p, c->person, now, msg, sizeof msg);
    if (err != MM_OK) {
        refuse(c, err_code(err), "%s", msg);
        return;
    }
    mm_entry_t e;
    role_entry(&e, designate ? MM_ROLE_CHANGE_OPERATOR_DESIGNATED : MM_ROLE_CHANGE_OPERATOR_REVOKED,
               c->r->person, c->person, c->r->reason);
    if (save_access(ops, &e) != MM_OK) {
        ops->access = saved;
        refuse(c, "internal", "the change could not be stored; nothing changed");
        return;
    }
    answer(c,
           json_pack("{s:s, s:s}", "person", c->r->person, "role", designate ? "operator" : "none"),
           NULL);
    /* The city's registry lists the operators in force. Logged on failure, as below. */
    facts_update(ops);
    /* The operators are part of the standards (R-K2.2.7 ウ): a new version, filed. */
    char summary[MM_TEXT_MAX];
    snprintf(summary, sizeof summary, "operator %s %s by %s", c->r->person,
             designate ? "designated" : "revoked", c->person);
    if (standards_update(ops, summary) != MM_OK)
        MM_ERROR("standards: cannot record the new version after %s", summary);
}

static json_t *grant_json(const edge_grant_t *gr, int64_t now)
{
    char actions[MM_TEXT_MAX];
    edge_actions_format(gr->actions, actions, sizeof actions);
    const char *state = edge_grant_active(gr, now) ? "active"
                        : gr->revoked              ? "revoked"
                        : gr->reported_us          ? "reported"
                                                   : "ended";
    const char *report = gr->revoked ? "not_required" : gr->reported_us ? "filed" : "open";
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I}", "id", gr->id,
                     "person", gr->person, "by", gr->by, "actions", actions, "cameras", gr->cameras,
                     "reason", gr->reason, "state", state, "granted_us", (json_int_t)gr->granted_us,
                     "until_us", (json_int_t)gr->until_us, "report", report, "reported_us",
                     (json_int_t)gr->reported_us);
}

static void do_grant(call_t *c)
{
    edge_ops_t *ops = c->ops;
    const char *cams = c->r->cameras;
    /* Every camera a grant names is one of the site's. */
    char list[MM_TEXT_MAX];
    snprintf(list, sizeof list, "%s", cams);
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (camera_index(ops, t) < 0) {
            refuse(c, "not_found", "the site has no camera %s", t);
            return;
        }
    edge_access_t saved = ops->access;
    const edge_grant_t *gr;
    char msg[MM_TEXT_MAX];
    int64_t now = mm_now_us();
    mm_err_t err =
        edge_access_grant(&ops->access, &ops->cfg->gov, c->r->person, c->person, c->r->actions,
                          cams, c->r->minutes, c->r->reason, now, &gr, msg, sizeof msg);
    if (err != MM_OK) {
        refuse(c, err_code(err), "%s", msg);
        return;
    }
    mm_entry_t e;
    role_entry(&e, MM_ROLE_CHANGE_EMERGENCY_GRANTED, gr->person, c->person, c->r->reason);
    mm_role_changed_t *rc = &e.u.role_changed;
    snprintf(rc->grant_id, sizeof rc->grant_id, "%s", gr->id);
    edge_actions_format(gr->actions, rc->actions, sizeof rc->actions);
    snprintf(rc->cameras, sizeof rc->cameras, "%s", gr->cameras);
    rc->until_us = gr->until_us;
    json_t *res = grant_json(gr, now);
    if (save_access(ops, &e) != MM_OK) {
        ops->access = saved;
        json_decref(res);
        refuse(c, "internal", "the grant could not be stored; nothing changed");
        return;
    }
    answer(c, res, NULL);
}

static void do_grant_revoke(call_t *c)
{
    edge_ops_t *ops = c->ops;
    edge_access_t saved = ops->access;
    const edge_grant_t *gr;
    char msg[MM_TEXT_MAX];
    int64_t now = mm_now_us();
    mm_err_t err =
        edge_access_grant_revoke(&ops->access, c->r->grant_id, now, &gr, msg, sizeof msg);
    if (err != MM_OK) {
        refuse(c, err_code(err), "%s", msg);
        return;
    }
    mm_entry_t e;
    role_entry(&e, MM_ROLE_CHANGE_EMERGENCY_REVOKED, gr->person, c->person, c->r->reason);
    snprintf(e.u.role_changed.grant_id, sizeof e.u.role_changed.grant_id, "%s", gr->id);
    e.u.role_changed.until_us = gr->until_us;
    json_t *res = grant_json(gr, now);
    if (save_access(ops, &e) != MM_OK) {
        ops->access = saved;
        json_decref(res);
        refuse(c, "internal", "the change could not be stored; nothing changed");
        return;
    }
    answer(c, res, NULL);
}

static void do_grant_list(call_t *c)
{
    json_t *list = json_array();
    int64_t now = mm_now_us();
    /* The manager and operators see every grant; a holder sees their own. */
    int own = c->d.role != MM_ROLE_MANAGER && c->d.role != MM_ROLE_OPERATOR;
    const char *holder = c->d.grant >= 0 ? c->ops->access.grants[c->d.grant].person : "";
    for (size_t i = 0; i < c->ops->access.n_grants; i++) {
        const edge_grant_t *gr = &c->ops->access.grants[i];
        if (!own || strcmp(gr->person, holder) == 0)
            json_array_append_new(list, grant_json(gr, now));
    }
    answer(c, json_pack("{s:o, s:i}", "grants", list, "open_reports", open_reports(c->ops)), NULL);
}

static void do_report(call_t *c)
{
    edge_ops_t *ops = c->ops;
    edge_access_t saved = ops->access;
    const edge_grant_t *gr;
    char msg[MM_TEXT_MAX];
    int64_t now = mm_now_us();
    mm_err_t err = edge_access_report(&ops->access, &ops->cfg->gov, &c->who, c->r->grant_id, now,
                                      &gr, msg, sizeof msg);
    if (err != MM_OK) {
        refuse(c, err_code(err), "%s", msg);
        return;
    }
    mm_entry_t e = {.time_us = now, .kind = MM_ENTRY_EMERGENCY_REPORT};
    snprintf(e.u.emergency_report.grant_id, sizeof e.u.emergency_report.grant_id, "%s", gr->id);
    snprintf(e.u.emergency_report.person, sizeof e.u.emergency_report.person, "%s", gr->person);
    snprintf(e.u.emergency_report.text, sizeof e.u.emergency_report.text, "%s", c->r->text);
    json_t *res = grant_json(gr, now);
    if (save_access(ops, &e) != MM_OK) {
        ops->access = saved;
        json_decref(res);
        refuse(c, "internal", "the report could not be stored; nothing changed");
        return;
    }
    answer(c, res, NULL);
}

static void do_camera_state(call_t *c)
{
    edge_ops_t *ops = c->ops;
    int i = camera_index(ops, c->r->camera);
    if (i < 0) {
        refuse(c, "not_found", "the site has no camera %s", c->r->camera);
        return;
    }
    edge_cam_state_t from = ops->cam_state[i], to;
    switch (c->r->action) {
    case EDGE_ACT_CAMERA_SUSPEND:
        to = EDGE_CAM_SUSPENDED;
        break;
    case EDGE_ACT_CAMERA_RESUME:
        to = EDGE_CAM_RECORDING;
        break;
    default:
        to = EDGE_CAM_ABOLISHED;
        break;
    }
    if (from == EDGE_CAM_ABOLISHED) {
        refuse(c, "conflict", "camera %s is abolished; that is final", c->r->camera);
        return;
    }
    if (from == to || (to == EDGE_CAM_RECORDING && from != EDGE_CAM_SUSPENDED)) {
        refuse(c, "conflict", "camera %s is %s already", c->r->camera, edge_cam_state_name(from));
        return;
    }
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_CAMERA_STATE};
    mm_camera_state_t *cs = &e.u.camera_state;
    snprintf(cs->camera, sizeof cs->camera, "%s", c->r->camera);
    cs->state = to == EDGE_CAM_RECORDING   ? MM_CAM_STATE_RESUMED
                : to == EDGE_CAM_SUSPENDED ? MM_CAM_STATE_SUSPENDED
                                           : MM_CAM_STATE_ABOLISHED;
    snprintf(cs->by, sizeof cs->by, "%s", c->person);
    snprintf(cs->reason, sizeof cs->reason, "%s", c->r->reason);
    char key[MM_ID_MAX + 16];
    camera_state_key(c->r->camera, key, sizeof key);
    const char *val = edge_cam_state_name(to);
    if (append(ops, &e, key, val, strlen(val)) != MM_OK) {
        refuse(c, "internal", "the change could not be stored; nothing changed");
        return;
    }
    ops->cam_state[i] = to;
    if (ops->ingest) {
        if (to == EDGE_CAM_RECORDING)
            edge_ingest_resume(ops->ingest, c->r->camera);
        else
            edge_ingest_pause(ops->ingest, c->r->camera,
                              to == EDGE_CAM_SUSPENDED ? "camera suspended" : "camera abolished");
    }
    MM_INFO("%s: camera %s by %s: %s", c->r->camera, mm_cam_state_name(cs->state), c->person,
            c->r->reason);
    answer(c, json_pack("{s:s, s:s}", "camera", c->r->camera, "state", edge_cam_state_name(to)),
           NULL);
    /* The standards list each camera's state: a new version comes with the filing. */
    char summary[MM_TEXT_MAX];
    snprintf(summary, sizeof summary, "camera %s %s by %s", c->r->camera,
             mm_cam_state_name(cs->state), c->person);
    if (standards_update(ops, summary) != MM_OK)
        MM_ERROR("standards: cannot record the new version after %s", summary);
}

/* --- the city's requests ---------------------------------------------------------------------*/

/* What a report says of the site now: as configured, with the cameras' states and the
 * operators in force. */
typedef struct {
    edge_report_site_t site;
    edge_report_camera_t cams[EDGE_MAX_CAMERAS];
    const char *operators[EDGE_MAX_PEOPLE];
} report_site_t;

static void report_site(const edge_ops_t *ops, report_site_t *rs)
{
    const edge_config_t *cfg = ops->cfg;
    const edge_governance_t *g = &cfg->gov;
    size_t n_ops = 0;
    for (size_t i = 0; i < cfg->n_cameras; i++)
        rs->cams[i] =
            (edge_report_camera_t){cfg->cameras[i].id, edge_cam_state_name(ops->cam_state[i]),
                                   cfg->cameras[i].gov.location};
    for (size_t i = 0; i < g->n_people; i++)
        if (edge_access_is_operator(&ops->access, g, (int)i))
            rs->operators[n_ops++] = g->people[i].id;
    rs->site = (edge_report_site_t){
        .site = cfg->site,
        .policy = mm_policy_name(cfg->policy),
        .retention_days = cfg->retention_days,
        .registered_retention_days = cfg->registered_retention_days,
        .cameras = rs->cams,
        .n_cameras = cfg->n_cameras,
        .manager = g->manager >= 0 ? g->people[g->manager].id : "",
        .operators = rs->operators,
        .n_operators = n_ops,
    };
}

void edge_ops_city_requests(void *arg, const mm_city_request_t *r, size_t n)
{
    edge_ops_t *ops = arg;
    if (!ops->site_key) {
        MM_ERROR("%zu city request(s) arrived, but the edge has no key to sign reports with", n);
        return;
    }
    report_site_t rs;
    report_site(ops, &rs);
    size_t logged = 0;
    mm_err_t err =
        edge_requests_receive(ops->store, r, n, &rs.site, ops->site_key, mm_now_us(), &logged);
    if (err != MM_OK)
        MM_ERROR("city requests: not all could be logged or answered: %s", mm_strerror(err));
    if (logged && ops->logged)
        ops->logged(ops->arg);
    /* Disclosures go on once their city_request entry is logged, as logged; each is handled
     * once however often it comes, and what fails here is finished by the module's sweep. */
    mm_city_request_t *q = NULL;
    for (size_t i = 0; i < n && ops->disclosure; i++) {
        if (r[i].kind != MM_REQUEST_KIND_DISCLOSURE &&
            r[i].kind != MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED)
            continue;
        if (!q && !(q = malloc(sizeof *q)))
            break;
        if (edge_requests_get(ops->store, r[i].id, q) == MM_OK)
            edge_disclosure_receive(ops->disclosure, q, mm_now_us());
    }
    free(q);
}

static void do_requests(call_t *c)
{
    json_t *res = NULL;
    mm_err_t err = edge_requests_list(c->ops->store, mm_now_us(), &res);
    if (err != MM_OK) {
        refuse(c, "internal", "the city's requests cannot be read: %s", mm_strerror(err));
        return;
    }
    answer(c, res, NULL);
}

static void do_request_answer(call_t *c)
{
    edge_ops_t *ops = c->ops;
    char msg[MM_TEXT_MAX];
    json_t *res = NULL;
    mm_err_t err = edge_requests_answer(ops->store, c->r->request_id, c->person, c->r->text,
                                        mm_now_us(), &res, msg, sizeof msg);
    if (err != MM_OK) {
        refuse(c, err_code(err), "%s", msg);
        return;
    }
    if (ops->logged)
        ops->logged(ops->arg);
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "city request %s answered", c->r->request_id);
    answer(c, res, note);
}

/* --- disclosure requests --------------------------------------------------------------------*/

static int disclosures_ready(call_t *c)
{
    if (c->ops->disclosure)
        return 1;
    refuse(c, "internal", "this edge takes no disclosure requests (not started)");
    return 0;
}

static void do_disclosures(call_t *c)
{
    json_t *res = NULL;
    if (!disclosures_ready(c))
        return;
    mm_err_t err = edge_disclosure_list(c->ops->disclosure, &res);
    if (err != MM_OK) {
        refuse(c, "internal", "the disclosure requests cannot be read: %s", mm_strerror(err));
        return;
    }
    answer(c, res, NULL);
}

/* prepare, approve, deny or release; the note in the access entry names the request and the
 * step. */
static void do_disclosure_step(call_t *c)
{
    edge_ops_t *ops = c->ops;
    const edge_request_t *r = c->r;
    if (!disclosures_ready(c))
        return;
    char msg[MM_TEXT_MAX];
    json_t *res = NULL;
    mm_err_t err;
    const char *step;
    int64_t now = mm_now_us();
    if (r->action == EDGE_ACT_DISCLOSURE_PREPARE) {
        char list[sizeof r->cameras];
        const char *cams[MM_REQUEST_CAMERAS_MAX + 1];
        size_t n = 0;
        snprintf(list, sizeof list, "%s", r->cameras);
        for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            if (n == MM_REQUEST_CAMERAS_MAX) {
                refuse(c, "invalid", "a request names at most %d cameras", MM_REQUEST_CAMERAS_MAX);
                return;
            }
            cams[n++] = t;
        }
        step = "prepared";
        err = edge_disclosure_prepare(ops->disclosure, r->request_id, c->person, cams, n,
                                      r->from_us, r->to_us, r->text, now, &res, msg, sizeof msg);
    } else if (r->action == EDGE_ACT_DISCLOSURE_APPROVE) {
        const char *keep[EDGE_KEEP_MAX];
        for (size_t i = 0; i < r->n_keep; i++)
            keep[i] = r->keep[i];
        step = "approved";
        err = edge_disclosure_approve(ops->disclosure, r->request_id, c->person, r->reason, keep,
                                      r->n_keep, now, &res, msg, sizeof msg);
    } else if (r->action == EDGE_ACT_DISCLOSURE_DENY) {
        step = "denied";
        err = edge_disclosure_deny(ops->disclosure, r->request_id, c->person, r->reason, now, &res,
                                   msg, sizeof msg);
    } else {
        step = "released";
        err = edge_disclosure_release(ops->disclosure, r->request_id, c->person, r->reason, now,
                                      &res, msg, sizeof msg);
    }
    if (err != MM_OK) {
        refuse(c, err_code(err), "%s", msg);
        return;
    }
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "disclosure %s %s", r->request_id, step);
    answer(c, res, note);
}

/* Who is calling: account and person from the uid. */
static void identify(call_t *c, uid_t uid)
{
    const edge_governance_t *g = &c->ops->cfg->gov;
    c->who.uid = uid;
    c->who.person = -1;
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res &&
        strlen(pw.pw_name) < sizeof c->who.account)
        snprintf(c->who.account, sizeof c->who.account, "%s", pw.pw_name);
    if (c->who.account[0])
        c->who.person = edge_governance_person_by_account(g, c->who.account);
    if (c->who.person >= 0)
        snprintf(c->person, sizeof c->person, "%s", g->people[c->who.person].id);
    else if (c->who.account[0])
        snprintf(c->person, sizeof c->person, "@%s", c->who.account);
    else
        snprintf(c->person, sizeof c->person, "uid:%u", (unsigned)uid);
}

void edge_ops_malformed(void *arg, uid_t uid, pid_t pid, const char *msg)
{
    edge_ops_t *ops = arg;
    edge_request_t r = {.action = EDGE_ACT_COUNT}; /* logged as "malformed" */
    call_t c = {.ops = ops, .r = &r};
    (void)pid;
    identify(&c, uid);
    const edge_governance_t *g = &ops->cfg->gov;
    c.d.role = c.who.person >= 0 && c.who.person == g->manager          ? MM_ROLE_MANAGER
               : edge_access_is_operator(&ops->access, g, c.who.person) ? MM_ROLE_OPERATOR
                                                                        : MM_ROLE_NONE;
    log_call(&c, 0, msg);
}

void edge_ops_request(void *arg, edge_conn_t *conn, uid_t uid, pid_t pid, const edge_request_t *r)
{
    edge_ops_t *ops = arg;
    call_t c = {.ops = ops, .conn = conn, .r = r};
    (void)pid;
    identify(&c, uid);

    int cam = r->camera[0] ? camera_index(ops, r->camera) : 0;
    edge_access_decide(&ops->access, &ops->cfg->gov, &c.who, r->action, r->camera, mm_now_us(),
                       &c.d);
    if (!c.d.allowed) {
        refuse(&c, "denied", "%s", c.d.reason);
        return;
    }
    if (cam < 0 && r->action != EDGE_ACT_CAMERA_SUSPEND && r->action != EDGE_ACT_CAMERA_RESUME &&
        r->action != EDGE_ACT_CAMERA_ABOLISH) {
        refuse(&c, "not_found", "the site has no camera %s", r->camera);
        return;
    }
    switch (r->action) {
    case EDGE_ACT_STATUS:
        do_status(&c);
        break;
    case EDGE_ACT_CAMERAS:
        do_cameras(&c);
        break;
    case EDGE_ACT_SEARCH:
        do_search(&c);
        break;
    case EDGE_ACT_PLAYBACK:
        do_playback(&c);
        break;
    case EDGE_ACT_STANDARDS:
        do_standards(&c);
        break;
    case EDGE_ACT_OPERATORS:
        do_operators(&c);
        break;
    case EDGE_ACT_OPERATOR_DESIGNATE:
    case EDGE_ACT_OPERATOR_REVOKE:
        do_designation(&c, r->action == EDGE_ACT_OPERATOR_DESIGNATE);
        break;
    case EDGE_ACT_EMERGENCY_GRANT:
        do_grant(&c);
        break;
    case EDGE_ACT_EMERGENCY_REVOKE:
        do_grant_revoke(&c);
        break;
    case EDGE_ACT_EMERGENCY_LIST:
        do_grant_list(&c);
        break;
    case EDGE_ACT_EMERGENCY_REPORT:
        do_report(&c);
        break;
    case EDGE_ACT_REQUESTS:
        do_requests(&c);
        break;
    case EDGE_ACT_REQUEST_ANSWER:
        do_request_answer(&c);
        break;
    case EDGE_ACT_STANDARDS_FILE:
        do_standards_file(&c);
        break;
    case EDGE_ACT_DISCLOSURES:
        do_disclosures(&c);
        break;
    case EDGE_ACT_DISCLOSURE_PREPARE:
    case EDGE_ACT_DISCLOSURE_APPROVE:
    case EDGE_ACT_DISCLOSURE_DENY:
    case EDGE_ACT_DISCLOSURE_RELEASE:
        do_disclosure_step(&c);
        break;
    default:
        do_camera_state(&c);
        break;
    }
}

/* --- start and stop --------------------------------------------------------------------------*/

/* Answers the report requests left open by a stop, and says what waits for the manager. A
 * failure here is logged and does not keep the edge from recording. */
static void city_requests_at_start(edge_ops_t *ops)
{
    if (ops->site_key) {
        report_site_t rs;
        report_site(ops, &rs);
        size_t logged = 0;
        mm_err_t err =
            edge_requests_catch_up(ops->store, &rs.site, ops->site_key, mm_now_us(), &logged);
        if (err != MM_OK)
            MM_ERROR("city requests: open report requests could not be answered: %s",
                     mm_strerror(err));
        if (logged && ops->logged)
            ops->logged(ops->arg);
    }
    json_t *list = NULL;
    if (edge_requests_list(ops->store, mm_now_us(), &list) == MM_OK) {
        json_int_t open = json_integer_value(json_object_get(list, "open"));
        if (open)
            MM_WARN("%" JSON_INTEGER_FORMAT " city request(s) not yet answered (R-N10.1, "
                    "R-N12): mimamori-edge requests",
                    open);
    }
    json_decref(list);
}

mm_err_t edge_ops_init(edge_ops_t *ops)
{
    mm_err_t err = load_access(ops);
    if (err == MM_OK)
        err = load_camera_states(ops);
    if (err == MM_OK)
        err = facts_update(ops);
    if (err == MM_OK)
        err = standards_update(ops, "configuration changed");
    if (err != MM_OK)
        return err;
    if (pthread_mutex_init(&ops->lock, NULL) != 0)
        return MM_ENOMEM;
    uv_async_init(ops->loop, &ops->viewer_done, on_viewer_done);
    ops->viewer_done.data = ops;
    for (size_t i = 0; i < ops->cfg->n_cameras; i++)
        if (ops->cam_state[i] != EDGE_CAM_RECORDING)
            MM_INFO("%s: %s; not recording", ops->cfg->cameras[i].id,
                    edge_cam_state_name(ops->cam_state[i]));
    int open = open_reports(ops);
    if (open)
        MM_WARN("%d emergency report(s) not yet filed (R-N6.3)", open);
    city_requests_at_start(ops);
    return MM_OK;
}

void edge_ops_close(edge_ops_t *ops)
{
    reap_viewers(ops, 1);
    uv_close((uv_handle_t *)&ops->viewer_done, NULL);
    pthread_mutex_destroy(&ops->lock);
}
