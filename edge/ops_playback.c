/*
 * ops_playback.c: footage for people (ops_impl.h) — `search` lists a camera's segments in a
 * range, and `playback` shows a range (R-K2.2.3-4, R-N7.3: viewing is looking, not copying).
 *
 * The edge decides, not the client. A playback names its purpose, which is one the site declared
 * or another one under a legal basis the policy admits (purpose.h; R-K2.2.5, R-N7.4); it goes to
 * a player the site's configuration names, which the edge starts itself (players.h, player.h),
 * or, asked for explicitly ("stream": true), to the caller over the socket (MPEG-TS after a first
 * line) — the site console's playback (edge_ops_playback_as) is such a stream, fragmented MP4 into
 * the console's socket pair, answered like any call; either way paced by the edge at 1, 2, 4 or 8
 * times real time, at most a day of footage per call (control.h), and one person's playbacks at
 * most 8 times real time together. A call refused for any of these is an access entry with the
 * reason.
 *
 * Each playback is a `viewing` entry when it starts and another when it ends, with its purpose,
 * basis, player and speed, and when it ended, why, and why it failed if it did. The viewing runs
 * on a thread of its own (viewing.h); its end comes back through viewer_done, and the loop joins
 * it and logs its end. While any runs, viewer_watch rechecks each viewer's right five times a
 * second, and so does every change of the operators, the grants or the cameras
 * (edge_ops_playback_recheck): a viewer who may no longer look — operator role revoked (R-N7.2),
 * emergency grant revoked or expired (R-N6.2), camera abolished — is stopped at once, the end
 * entry saying why. At most EDGE_MAX_VIEWERS run at once; closing ends every one still running,
 * so that each has its end logged.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "edge/footage.h"
#include "edge/ops_impl.h"
#include "edge/purpose.h"
#include "edge/scrub.h"
#include "edge/viewing.h"

#define SEARCH_MAX 20000 /* segments listed by one search */
#define WATCH_MS 200     /* how often the viewers' rights are rechecked while any runs */

/* A playback running: who, what and why, for its entries and its recheck. */
struct edge_viewer {
    edge_viewing_t *vw;
    edge_caller_t who;
    mm_role_t role;
    char grant_id[MM_ID_MAX]; /* the emergency grant it runs under, "" none */
    char session[MM_ID_MAX];
    char person[MM_ID_MAX];
    char camera[MM_ID_MAX];
    int64_t from_us, to_us;
    char purpose[MM_LONG_TEXT_MAX];
    mm_legal_basis_t basis;
    int other_purpose;
    char player[MM_ID_MAX];
    int speed;
};

static void log_viewing(edge_ops_t *ops, const edge_viewer_t *v, mm_viewing_state_t state,
                        const edge_viewing_result_t *res)
{
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_VIEWING};
    mm_viewing_t *w = &e.u.viewing;
    w->state = state;
    snprintf(w->session, sizeof w->session, "%s", v->session);
    snprintf(w->person, sizeof w->person, "%s", v->person);
    snprintf(w->camera, sizeof w->camera, "%s", v->camera);
    w->start_us = v->from_us;
    w->end_us = v->to_us;
    snprintf(w->purpose, sizeof w->purpose, "%s", v->purpose);
    w->basis = v->basis;
    w->other_purpose = v->other_purpose;
    snprintf(w->player, sizeof w->player, "%s", v->player);
    w->speed = (uint32_t)v->speed;
    if (res) {
        w->bytes = res->bytes;
        snprintf(w->reason, sizeof w->reason, "%s", res->reason);
        snprintf(w->failure, sizeof w->failure, "%s", res->failure);
    }
    edge_ops_append(ops, &e, NULL, NULL, 0);
}

/* Joins and logs the playbacks that have ended (with stop set, stops the others first and waits
 * for them: the edge is stopping). */
static void reap_viewers(edge_ops_t *ops, int stop)
{
    int running = 0;
    for (int i = 0; i < EDGE_MAX_VIEWERS; i++) {
        edge_viewer_t *v = ops->viewers[i];
        if (!v)
            continue;
        if (stop)
            edge_viewing_stop(v->vw, 0, "the edge stopped");
        else if (!edge_viewing_done(v->vw)) {
            running++;
            continue;
        }
        edge_viewing_result_t res;
        edge_viewing_join(v->vw, &res);
        edge_viewing_destroy(v->vw);
        MM_INFO("playback %s of %s by %s ended: %s%s%s, %" PRIu64 " bytes", v->session, v->camera,
                v->person, res.reason, res.failed ? ": " : "", res.failure, res.bytes);
        log_viewing(ops, v, MM_VIEWING_STATE_ENDED, &res);
        free(v);
        ops->viewers[i] = NULL;
    }
    if (!running)
        uv_timer_stop(&ops->viewer_watch);
}

void edge_ops_playback_recheck(edge_ops_t *ops)
{
    int64_t now = mm_now_us();
    for (int i = 0; i < EDGE_MAX_VIEWERS; i++) {
        edge_viewer_t *v = ops->viewers[i];
        if (!v || edge_viewing_done(v->vw))
            continue;
        char why[MM_TEXT_MAX];
        /* By id: a reload may have renumbered the people, or removed this one (reload.h). */
        edge_caller_t who = v->who;
        who.person = edge_governance_person(&ops->cfg->gov, v->person);
        int cam = edge_ops_camera_index(ops, v->camera);
        if (cam >= 0 && ops->cam_state[cam] == EDGE_CAM_ABOLISHED)
            snprintf(why, sizeof why, "camera %s was abolished", v->camera);
        else if (edge_access_still(&ops->access, &ops->cfg->gov, &who, v->role, v->grant_id,
                                   EDGE_ACT_PLAYBACK, v->camera, now, why, sizeof why))
            continue;
        MM_WARN("playback %s of %s by %s stopped: %s", v->session, v->camera, v->person, why);
        edge_viewing_stop(v->vw, 1, why);
    }
}

void edge_ops_playback_end_grant(edge_ops_t *ops, const char *grant_id, const char *why)
{
    for (int i = 0; i < EDGE_MAX_VIEWERS; i++) {
        edge_viewer_t *v = ops->viewers[i];
        if (!v || strcmp(v->grant_id, grant_id) != 0 || edge_viewing_done(v->vw))
            continue;
        MM_WARN("playback %s of %s by %s stopped: %s", v->session, v->camera, v->person, why);
        edge_viewing_stop(v->vw, 1, why);
    }
}

static void on_viewer_done(uv_async_t *a)
{
    reap_viewers(a->data, 0);
}

/* A viewing's thread finished (called on that thread). */
static void wake_loop(void *arg)
{
    uv_async_send(arg);
}

static void on_viewer_watch(uv_timer_t *t)
{
    edge_ops_playback_recheck(t->data);
}

mm_err_t edge_ops_playback_init(edge_ops_t *ops)
{
    uv_async_init(ops->loop, &ops->viewer_done, on_viewer_done);
    ops->viewer_done.data = ops;
    uv_timer_init(ops->loop, &ops->viewer_watch);
    ops->viewer_watch.data = ops;
    ops->playback_handles = 2;
    return MM_OK;
}

/* Both handles closed: the last calls the caller's callback with viewer_done. */
static void on_playback_closed(uv_handle_t *h)
{
    edge_ops_t *ops = h->data;
    if (--ops->playback_handles == 0)
        ops->playback_closed((uv_handle_t *)&ops->viewer_done);
}

void edge_ops_playback_close(edge_ops_t *ops, uv_close_cb closed)
{
    reap_viewers(ops, 1);
    ops->playback_closed = closed;
    uv_close((uv_handle_t *)&ops->viewer_watch, on_playback_closed);
    uv_close((uv_handle_t *)&ops->viewer_done, on_playback_closed);
}

/*
 * What is known of a segment's footage without reading it (R-K2.2.6d): "missing" when its file
 * is gone or the scrub (scrub.h) logged it missing, "altered" when the file's size is not its
 * entry's or the scrub logged it altered or unreadable, else "ok" (a full read may still find it
 * altered: the scrub's next pass logs it, and the playback's verification refuses it).
 */
static const char *footage_state(const edge_vault_t *v, const edge_segment_row_t *row)
{
    char path[EDGE_SEG_PATH_MAX];
    struct stat sb;
    edge_store_t *st = edge_vault_store(v);
    if (edge_vault_path(v, row->seg.camera, row->seg.start_us, path, sizeof path) != 0)
        return "ok"; /* no such path was ever written; the read answers for it */
    if (stat(path, &sb) != 0 || edge_scrub_known(st, MM_INTEGRITY_SEGMENT_MISSING, row->log_index))
        return "missing";
    if ((uint64_t)sb.st_size != row->seg.bytes ||
        edge_scrub_known(st, MM_INTEGRITY_SEGMENT_ALTERED, row->log_index) ||
        edge_scrub_known(st, MM_INTEGRITY_SEGMENT_UNREADABLE, row->log_index))
        return "altered";
    return "ok";
}

typedef struct {
    const edge_vault_t *v;
    json_t *list;
    size_t n, missing, altered;
} search_t;

static int add_found(const edge_segment_row_t *row, void *arg)
{
    search_t *s = arg;
    if (s->n++ >= SEARCH_MAX)
        return 1;
    char hex[65];
    mm_hex32(row->seg.content_hash, hex);
    const char *state = footage_state(s->v, row);
    s->missing += !strcmp(state, "missing");
    s->altered += !strcmp(state, "altered");
    json_array_append_new(
        s->list, json_pack("{s:I, s:I, s:i, s:I, s:s, s:s, s:b, s:s}", "start_us",
                           (json_int_t)row->seg.start_us, "end_us", (json_int_t)row->seg.end_us,
                           "frames", (int)row->seg.frames, "bytes", (json_int_t)row->seg.bytes,
                           "codec", row->seg.codec, "content_hash", hex, "recovered",
                           row->seg.recovered, "footage", state));
    return 0;
}

/* The search answers every segment with its "footage" (footage_state), and counts the missing
 * and altered ones: "footage" is "ok" only when none is. */
void edge_ops_do_search(edge_ops_call_t *c)
{
    search_t s = {c->ops->vault, json_array(), 0, 0, 0};
    mm_err_t err =
        edge_footage_find(c->ops->vault, c->r->camera, c->r->from_us, c->r->to_us, add_found, &s);
    if (err != MM_OK) {
        json_decref(s.list);
        edge_ops_refuse(c, edge_ops_err_code(err), "cannot search %s: %s", c->r->camera,
                        mm_strerror(err));
        return;
    }
    char note[96];
    snprintf(note, sizeof note, "%zu segments, %zu missing, %zu altered",
             s.n > SEARCH_MAX ? (size_t)SEARCH_MAX : s.n, s.missing, s.altered);
    const char *footage = s.missing && s.altered ? "missing_and_altered"
                          : s.missing            ? "missing"
                          : s.altered            ? "altered"
                                                 : "ok";
    edge_ops_answer(c,
                    json_pack("{s:s, s:o, s:b, s:s, s:I, s:I}", "camera", c->r->camera, "segments",
                              s.list, "truncated", s.n > SEARCH_MAX, "footage", footage, "missing",
                              (json_int_t)s.missing, "altered", (json_int_t)s.altered),
                    note);
}

/*
 * A playback of footage that is missing or altered is refused naming the first such segment
 * (code footage_missing or footage_altered): its stream verifies every segment first and would
 * send nothing. 0, or -1 once refused.
 */
static int check_footage(edge_ops_call_t *c)
{
    edge_segment_row_t *rows = NULL;
    size_t n = 0, bad = 0, first = 0;
    const char *state = "ok";
    if (edge_footage_rows(c->ops->vault, c->r->camera, c->r->from_us, c->r->to_us, &rows, &n) !=
        MM_OK)
        return 0; /* the stream's own verification answers for it */
    for (size_t i = 0; i < n; i++) {
        const char *st = footage_state(c->ops->vault, &rows[i]);
        if (strcmp(st, "ok") != 0 && !bad++) {
            state = st;
            first = i;
        }
    }
    if (bad) {
        char when[MM_RFC3339_MAX];
        mm_time_rfc3339(rows[first].seg.start_us, when);
        edge_ops_refuse(c, !strcmp(state, "missing") ? "footage_missing" : "footage_altered",
                        "camera %s: %zu of %zu segments in that range are missing or altered; "
                        "the first, from %s (%s, log entry %" PRIu64 "), is %s (R-K2.2.6d)",
                        c->r->camera, bad, n, when, rows[first].file, rows[first].log_index, state);
    }
    free(rows);
    return bad ? -1 : 0;
}

static int count_rows(const edge_segment_row_t *row, void *arg)
{
    (void)row;
    ++*(size_t *)arg;
    return 1;
}

/*
 * Where the playback goes: the player it names, or the site's first, or (stream) the caller;
 * into conf and v. 0, or -1 once refused.
 */
static int choose_player(edge_ops_call_t *c, edge_viewing_conf_t *conf, edge_viewer_t *v)
{
    const edge_players_t *pl = &c->ops->cfg->players;
    if (c->r->stream) {
        snprintf(v->player, sizeof v->player, "%s", EDGE_PLAYER_SOCKET);
        return 0;
    }
    char names[MM_TEXT_MAX];
    edge_players_names(pl, names, sizeof names);
    const edge_player_conf_t *p = c->r->player[0] ? edge_players_find(pl, c->r->player)
                                  : pl->n         ? &pl->v[0]
                                                  : NULL;
    if (!p && !c->r->player[0]) {
        edge_ops_refuse(c, "denied",
                        "this site's configuration names no player (\"players\"); its footage is "
                        "looked at only on the site console (R-N7.3)");
        return -1;
    }
    if (!p) {
        edge_ops_refuse(c, "invalid",
                        "\"%.64s\" is no player of this site: the edge starts only the players its "
                        "configuration names (%s), never another command (R-N7.3)",
                        c->r->player, names);
        return -1;
    }
    conf->has_player = 1;
    conf->player = *p;
    snprintf(v->player, sizeof v->player, "%s", p->name);
    return 0;
}

/*
 * Whether the playback may go ahead: footage to show, a camera not abolished, a purpose
 * (purpose.h) and a player; v filled. 0, or -1 once refused.
 */
static int check_playback(edge_ops_call_t *c, edge_viewing_conf_t *conf, edge_viewer_t *v)
{
    edge_ops_t *ops = c->ops;
    const edge_request_t *r = c->r;
    size_t found = 0;
    mm_err_t err =
        edge_footage_find(ops->vault, r->camera, r->from_us, r->to_us, count_rows, &found);
    if (err != MM_OK || !found) {
        edge_ops_refuse(c, "not_found", "camera %s has no footage in that time range", r->camera);
        return -1;
    }
    if (check_footage(c) != 0)
        return -1;
    int cam = edge_ops_camera_index(ops, r->camera);
    if (cam >= 0 && ops->cam_state[cam] == EDGE_CAM_ABOLISHED) {
        edge_ops_refuse(c, "denied", "camera %s is abolished: its footage is no longer looked at",
                        r->camera);
        return -1;
    }
    edge_purpose_decision_t pd;
    edge_purpose_decide(ops->cfg, r->camera, r->purpose, r->basis, &pd);
    if (!pd.allowed) {
        edge_ops_refuse(c, pd.other ? "denied" : "invalid", "%s", pd.reason);
        return -1;
    }
    snprintf(v->purpose, sizeof v->purpose, "%s", pd.purpose);
    v->other_purpose = pd.other;
    v->basis = r->basis;
    /* Several playbacks at once are no way around the pace: a person's run at most
     * EDGE_PLAYBACK_SPEED_MAX times real time together. */
    int speed = 0;
    for (int i = 0; i < EDGE_MAX_VIEWERS; i++)
        if (ops->viewers[i] && strcmp(ops->viewers[i]->person, c->person) == 0 &&
            !edge_viewing_done(ops->viewers[i]->vw))
            speed += ops->viewers[i]->speed;
    if (speed + r->speed > EDGE_PLAYBACK_SPEED_MAX) {
        edge_ops_refuse(c, "busy",
                        "%s's playbacks run at %dx already; together they run at most %d times "
                        "real time (R-N7.3): end one, or ask for a lower speed",
                        c->person, speed, EDGE_PLAYBACK_SPEED_MAX);
        return -1;
    }
    return choose_player(c, conf, v);
}

/* The viewing accepted, as the edge will run it. */
static json_t *head_json(const edge_ops_call_t *c, const edge_viewer_t *v)
{
    return json_pack("{s:b, s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:s}", "ok", 1, "timezone",
                     c->ops->cfg->timezone, "session", v->session, "format",
                     c->stream_fd ? "fmp4" : "mpegts", "player", v->player, "speed", v->speed,
                     "purpose", v->purpose, "other_purpose", v->other_purpose, "basis",
                     mm_legal_basis_name(v->basis));
}

/* The first line the caller reads (none for the console, which is answered instead). */
static void head_line(const edge_ops_call_t *c, const edge_viewer_t *v, edge_viewing_conf_t *conf)
{
    if (c->stream_fd)
        return;
    json_t *h = head_json(c, v);
    char *s = h ? json_dumps(h, JSON_COMPACT) : NULL;
    json_decref(h);
    snprintf(conf->head, sizeof conf->head, "%s", s ? s : "{\"ok\":true}");
    free(s);
}

void edge_ops_do_playback(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    int slot = -1;
    for (int i = 0; i < EDGE_MAX_VIEWERS && slot < 0; i++)
        if (!ops->viewers[i])
            slot = i;
    edge_viewer_t *v = calloc(1, sizeof *v);
    edge_viewing_conf_t *conf = calloc(1, sizeof *conf);
    if (!v || !conf) {
        edge_ops_refuse(c, "internal", "out of memory");
        goto out;
    }
    if (check_playback(c, conf, v) != 0)
        goto out;
    if (slot < 0) {
        edge_ops_refuse(c, "busy", "%d playback streams are running; try again later",
                        EDGE_MAX_VIEWERS);
        goto out;
    }
    v->who = c->who;
    v->role = c->d.role;
    if (c->d.grant >= 0 && (size_t)c->d.grant < ops->access.n_grants)
        snprintf(v->grant_id, sizeof v->grant_id, "%s", ops->access.grants[c->d.grant].id);
    snprintf(v->session, sizeof v->session, "pb-%" PRId64 "-%u", mm_now_us() / 1000000,
             ops->next_session++);
    snprintf(v->person, sizeof v->person, "%s", c->person);
    snprintf(v->camera, sizeof v->camera, "%s", c->r->camera);
    v->from_us = c->r->from_us;
    v->to_us = c->r->to_us;
    v->speed = c->r->speed;
    conf->vault = ops->vault;
    snprintf(conf->session, sizeof conf->session, "%s", v->session);
    snprintf(conf->camera, sizeof conf->camera, "%s", v->camera);
    conf->from_us = v->from_us;
    conf->to_us = v->to_us;
    conf->speed = v->speed;
    conf->done = wake_loop;
    conf->arg = &ops->viewer_done;
    head_line(c, v, conf);
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "session %s, player %s, %dx", v->session, v->player, v->speed);
    edge_ops_log_call(c, 1, note);
    /* The console's stream: fragmented MP4 into its socket (ops.h edge_ops_playback_as). */
    int fd = c->stream_fd ? *c->stream_fd : edge_conn_take(c->conn);
    if (c->stream_fd)
        *c->stream_fd = -1;
    conf->fmp4 = c->stream_fd != NULL;
    if (fd < 0)
        goto out;
    log_viewing(ops, v, MM_VIEWING_STATE_STARTED, NULL);
    if (edge_viewing_start(conf, fd, &v->vw) != MM_OK) {
        edge_viewing_result_t res = {.failed = 1};
        snprintf(res.reason, sizeof res.reason, "failed");
        snprintf(res.failure, sizeof res.failure, "the edge could not start the viewing");
        log_viewing(ops, v, MM_VIEWING_STATE_ENDED, &res);
        if (c->stream_fd)
            edge_ops_refuse(c, "internal", "the edge could not start the viewing");
        goto out;
    }
    if (c->stream_fd) {
        json_t *h = head_json(c, v);
        json_object_del(h, "ok");
        json_object_del(h, "timezone");
        edge_ops_answer(c, h, NULL); /* logged already: this only answers */
    }
    ops->viewers[slot] = v;
    v = NULL;
    if (!uv_is_active((uv_handle_t *)&ops->viewer_watch))
        uv_timer_start(&ops->viewer_watch, on_viewer_watch, WATCH_MS, WATCH_MS);
out:
    free(v);
    free(conf);
}
