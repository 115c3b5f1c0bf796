/*
 * app.c: the edge daemon (see app.h).
 *
 * One libuv loop owns the store, the keyring's advance, the uplink and every ZeroMQ socket. Each
 * camera is read by its own ingest thread (ingest.h), which hands finished segments, gaps and
 * full-disk reports to the loop; the loop records them in the index and the site log, and wakes
 * the uplink. A housekeeping timer summarises uptime, ends the site holds whose time has come
 * (siteholds.h), runs retention and watches free space.
 *
 * Start-up order matters: segments a crash left unfinished are recovered and indexed before any
 * camera starts, so that the index and the log are whole again, and each camera's gap since
 * its last recorded frame can be reported when recording resumes.
 *
 * Disclosure requests (disclosure.h) arrive with the uplink's acknowledgements through ops; their
 * exports go back through the uplink, whose end of a transfer is handed to the disclosure module
 * here. The module catches up once the uplink exists, so that an export interrupted by a stop
 * is sent again. The standards documents ops keeps (documents.h) go the same way, one version at
 * a time, offered at start and whenever ops has logged something (a version may have been made).
 */
#include "edge/app.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/keys.h"
#include "common/notify.h"
#include "common/policy.h"
#include "common/timefmt.h"
#include "edge/alerts.h"
#include "edge/cityrule.h"
#include "edge/console.h"
#include "edge/control.h"
#include "edge/coverlog.h"
#include "edge/disclosure.h"
#include "edge/documents.h"
#include "edge/ingest.h"
#include "edge/keyring.h"
#include "edge/ops.h"
#include "edge/reload.h"
#include "edge/retention.h"
#include "edge/scrub.h"
#include "edge/siteconf.h"
#include "edge/siteholds.h"
#include "edge/storage.h"
#include "edge/store.h"
#include "edge/uplink.h"
#include "edge/uptime.h"
#include "edge/vault.h"

#define HOUSEKEEPING_MS 2000
#define DAY_US (86400LL * 1000000)

/* Every camera a configuration takes has room for its segment index in the store. */
_Static_assert(EDGE_STORE_CAMERAS_MAX >= EDGE_MAX_CAMERAS, "the store indexes too few cameras");

typedef struct {
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    uv_timer_t housekeeping;
    mm_notify_watchdog_t watchdog; /* systemd's (common/notify.h) */
    edge_config_t cfg;
    mm_keypair_t keys;
    edge_store_t *store;
    edge_keyring_t *keyring;
    edge_vault_t *vault;
    void *zctx;
    edge_uplink_t *uplink;
    edge_ingest_t *ingest;
    edge_ops_t *ops;
    edge_city_rule_t city_rule; /* the city's rule in force at start (cityrule.h) */
    edge_control_t *control;
    edge_console_t *console;
    edge_disclosure_t *disclosure;
    edge_documents_t *documents;
    edge_scrub_t *scrub; /* the edge's audit of itself (scrub.h) */
    char *segments_dir;
    char *documents_dir;
    int stopping;
    int storage_alarm; /* free space is below the minimum */
    int64_t storage_alarm_us; /* since when */
    edge_alerts_t *alerts;
    int paused_for_space[EDGE_MAX_CAMERAS];
    uv_signal_t sighup;      /* reloads the people and roles (reload.h) */
    const char *config_path; /* the file they are reloaded from */
    json_t *fixed;           /* what a reload may not change, as the edge started */
} app_t;

static int make_dir(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    MM_ERROR("cannot create %s: %s", path, strerror(errno));
    return -1;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

/* Indexes a finished (or recovered) segment and logs it, in one transaction. */
static void record_segment(app_t *app, const edge_segment_info_t *info)
{
    mm_segment_recorded_t seg = {0};
    snprintf(seg.camera, sizeof seg.camera, "%s", info->camera);
    seg.start_us = info->start_us;
    seg.end_us = info->end_us;
    seg.bytes = info->bytes;
    seg.frames = info->frames;
    memcpy(seg.content_hash, info->content_hash, 32);
    snprintf(seg.codec, sizeof seg.codec, "%s", info->codec);
    seg.recovered = info->recovered;

    /* The index keeps the file relative to the segments directory. */
    const char *file = info->path;
    size_t dl = strlen(app->segments_dir);
    if (strncmp(file, app->segments_dir, dl) == 0 && file[dl] == '/')
        file += dl + 1;
    uint64_t index = 0;
    mm_err_t err = edge_store_add_segment(app->store, &seg, file, mm_now_us(), &index);
    if (err != MM_OK) {
        MM_ERROR("%s: cannot record segment %s in the log: %s", seg.camera, info->path,
                 mm_strerror(err));
        return;
    }
    MM_INFO("%s: %ssegment of %.1f s, %" PRIu32 " frames, %" PRIu64 " bytes -> log entry %" PRIu64,
            seg.camera, seg.recovered ? "recovered " : "",
            (double)(seg.end_us - seg.start_us) / 1e6, seg.frames, seg.bytes, index);
    if (app->uplink)
        edge_uplink_kick(app->uplink);
}

static void on_segment(void *arg, const edge_segment_info_t *info)
{
    record_segment(arg, info);
}

static void append_entry(app_t *app, const mm_entry_t *e)
{
    uint64_t index;
    mm_err_t err = edge_store_append(app->store, e, &index);
    if (err != MM_OK) {
        MM_ERROR("cannot append a %s entry: %s", mm_entry_kind_name(e->kind), mm_strerror(err));
        return;
    }
    if (app->uplink)
        edge_uplink_kick(app->uplink);
}

static void kick_uplink(void *arg)
{
    app_t *app = arg;
    if (app->uplink)
        edge_uplink_kick(app->uplink);
}

/* Ops logged something: the uplink wakes, and a standards version it made has a document. */
static void ops_logged(void *arg)
{
    app_t *app = arg;
    kick_uplink(app);
    edge_documents_pump(app->documents);
}

/* Creates the directory that will hold path (one level), readable by all: the control
 * socket's directory must let every local account reach the socket. */
static int make_dir_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char dir[256];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (mkdir(dir, 0755) == 0 || errno == EEXIST)
        return 0;
    MM_ERROR("cannot create %s for the control socket: %s", dir, strerror(errno));
    return -1;
}

static void on_gap(void *arg, const mm_camera_gap_t *gap)
{
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_CAMERA_GAP};
    e.u.camera_gap = *gap;
    append_entry(arg, &e);
}

/* The wall clock jumped (ingest.h): one clock_jumped entry, stamped with the new wall time. */
static void on_clock_jumped(void *arg, const mm_clock_jump_t *j)
{
    mm_entry_t e = {.time_us = j->read_us, .kind = MM_ENTRY_CLOCK_JUMPED};
    e.u.clock_jumped = (mm_clock_jumped_t){j->expected_us, j->read_us, j->step_us};
    append_entry(arg, &e);
}

static void storage_check(app_t *app);

static void on_disk_full(void *arg, const char *camera)
{
    MM_WARN("%s: the disk is full", camera);
    storage_check(arg);
}

/* Ingest thread: a new segment's key (keyring.h is thread-safe). */
static mm_err_t segment_key(void *arg, const char *camera, int64_t start_us, int64_t *epoch,
                            uint8_t salt[EDGE_SEG_SALT_LEN], uint8_t key[EDGE_SEG_KEY_LEN])
{
    app_t *app = arg;
    *epoch = edge_epoch_of(start_us);
    /* A wall clock set back into an hour whose key the ratchet already destroyed (a new edge's
     * first hour, or a step back past retention's edge): the segment takes the oldest key that
     * exists. Its header names the epoch; its key goes when the ratchet passes that epoch. */
    int64_t h0 = edge_keyring_oldest(app->keyring);
    if (*epoch < h0)
        *epoch = h0;
    mm_err_t err = mm_random(salt, EDGE_SEG_SALT_LEN);
    if (err == MM_OK)
        err = edge_keyring_segment_key(app->keyring, *epoch, camera, start_us, salt, key);
    return err;
}

/* --- storage ---------------------------------------------------------------------------------*/

static void storage_alarm(app_t *app, mm_alarm_t state, const char *camera, uint64_t free_b,
                          uint64_t total, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void storage_alarm(app_t *app, mm_alarm_t state, const char *camera, uint64_t free_b,
                          uint64_t total, const char *fmt, ...)
{
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_STORAGE_ALARM};
    mm_storage_alarm_t *a = &e.u.storage_alarm;
    a->state = state;
    snprintf(a->camera, sizeof a->camera, "%s", camera ? camera : "");
    a->free_bytes = free_b;
    a->total_bytes = total;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->message, sizeof a->message, fmt, ap);
    va_end(ap);
    MM_WARN("storage: %s", a->message);
    append_entry(app, &e);
}

/*
 * Below the minimum: erase what only the longer retention keeps (never inside the floor, never
 * held), else stop the lowest-priority camera. Above twice the minimum: resume, then clear.
 */
static void storage_check(app_t *app)
{
    uint64_t free_b, total;
    if (app->stopping || edge_storage_space(app->cfg.state_dir, &free_b, &total) != MM_OK)
        return;
    uint64_t min = (uint64_t)app->cfg.min_free_mb << 20;
    /* Cameras the manager suspended or abolished are left out: the full-disk logic neither
     * stops nor resumes them. at[k] is the configuration index of cams[k]. */
    edge_storage_camera_t cams[EDGE_MAX_CAMERAS];
    size_t at[EDGE_MAX_CAMERAS], n = 0;
    for (size_t i = 0; i < app->cfg.n_cameras; i++) {
        if (app->ops && !edge_ops_may_record(app->ops, i))
            continue;
        at[n] = i;
        cams[n++] = (edge_storage_camera_t){app->cfg.cameras[i].id, app->cfg.cameras[i].priority,
                                            app->paused_for_space[i]};
    }
    if (free_b < min) {
        if (!app->storage_alarm) {
            app->storage_alarm = 1;
            app->storage_alarm_us = mm_now_us();
            storage_alarm(app, MM_ALARM_DISK_FULL, NULL, free_b, total,
                          "free space %" PRIu64 " MB is below the minimum of %" PRId64 " MB",
                          free_b >> 20, app->cfg.min_free_mb);
        }
        int floor = edge_city_rule_floor(app->cfg.policy,
                                         app->ops ? edge_ops_city_rule(app->ops) : &app->city_rule,
                                         app->cfg.retention_days);
        int64_t floor_us = floor * DAY_US;
        edge_retention_report_t rep;
        if (floor_us < app->cfg.retention_days * DAY_US &&
            edge_retention_run(app->vault, floor_us, mm_now_us(), MM_ERASE_REASON_STORAGE_PRESSURE,
                               1, &rep) == MM_OK &&
            rep.erased > 0)
            return; /* look again at the next tick */
        int k = edge_storage_pick_pause(cams, n);
        int i = k < 0 ? -1 : (int)at[k];
        if (i >= 0 && app->ingest) {
            const char *id = app->cfg.cameras[i].id;
            edge_ingest_pause(app->ingest, id, "stopped: disk full (lowest priority camera)");
            app->paused_for_space[i] = 1;
            storage_alarm(app, MM_ALARM_CAMERA_STOPPED, id, free_b, total,
                          "camera %s stopped: disk full, nothing may be erased to make room "
                          "(held or inside the %d-day floor)",
                          id, floor);
        }
    } else if (free_b >= 2 * min) {
        int k = edge_storage_pick_resume(cams, n);
        int i = k < 0 ? -1 : (int)at[k];
        if (i >= 0 && app->ingest) {
            const char *id = app->cfg.cameras[i].id;
            edge_ingest_resume(app->ingest, id);
            app->paused_for_space[i] = 0;
            storage_alarm(app, MM_ALARM_CAMERA_RESUMED, id, free_b, total,
                          "camera %s resumed: %" PRIu64 " MB free", id, free_b >> 20);
        } else if (app->storage_alarm) {
            app->storage_alarm = 0;
            storage_alarm(app, MM_ALARM_SPACE_RECOVERED, NULL, free_b, total,
                          "free space %" PRIu64 " MB is back above twice the minimum",
                          free_b >> 20);
        }
    }
}

/* --- housekeeping ----------------------------------------------------------------------------*/

static void on_housekeeping(uv_timer_t *t)
{
    app_t *app = t->data;
    int64_t now = mm_now_us();
    for (size_t i = 0; i < app->cfg.n_cameras; i++) {
        uint32_t n = 0;
        mm_err_t err = edge_uptime_catch_up(app->store, app->cfg.cameras[i].id, now, 48, &n);
        if (err != MM_OK)
            MM_ERROR("%s: cannot summarise uptime: %s", app->cfg.cameras[i].id, mm_strerror(err));
        if (n && app->uplink)
            edge_uplink_kick(app->uplink);
    }
    /* Site holds whose expiry came, or that a disclosure's hold took over, end first. */
    size_t ended = 0;
    edge_siteholds_tick(app->vault, now, &ended);
    if (ended && app->uplink)
        edge_uplink_kick(app->uplink);
    edge_retention_report_t rep;
    if (edge_retention_run(app->vault, app->cfg.retention_days * DAY_US, now,
                           MM_ERASE_REASON_RETENTION, 24, &rep) == MM_OK &&
        rep.erased && app->uplink)
        edge_uplink_kick(app->uplink);
    storage_check(app);
}

/* --- recovery at start -----------------------------------------------------------------------*/

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * Brings one camera's index up to date with its directory: recovers unfinished segments and
 * indexes finished ones the index does not have yet (the crash came between the rename and the
 * commit), in time order. Returns the end of its last segment (0 when none).
 */
static int64_t recover_camera(app_t *app, const char *camera, const char *dir)
{
    edge_segment_row_t last;
    int64_t last_start = -1, last_end = 0;
    mm_err_t err = edge_store_last_segment(app->store, camera, &last);
    if (err == MM_OK) {
        last_start = last.seg.start_us;
        last_end = last.seg.end_us;
    }
    DIR *d = opendir(dir);
    if (!d)
        return last_end;
    int64_t *todo = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        int64_t start;
        int kind = edge_segment_name(de->d_name, &start);
        if (!kind || (kind == 1 && start <= last_start))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *t = realloc(todo, cap * sizeof *t);
            if (!t)
                break;
            todo = t;
        }
        todo[n++] = start;
    }
    closedir(d);
    if (n)
        qsort(todo, n, sizeof *todo, cmp_i64);
    for (size_t i = 0; i < n; i++) {
        char path[EDGE_SEG_PATH_MAX], partial[EDGE_SEG_PATH_MAX];
        edge_segment_info_t info;
        struct stat st;
        if (edge_segment_path(path, sizeof path, dir, todo[i], 0) != 0 ||
            edge_segment_path(partial, sizeof partial, dir, todo[i], 1) != 0) {
            err = MM_EINVAL;
        } else if (stat(path, &st) == 0) {
            err = edge_segment_verify(path, edge_vault_segment_key, app->vault, &info);
        } else {
            err = edge_segment_recover(partial, edge_vault_segment_key, app->vault, &info);
        }
        if (err == MM_OK && strcmp(info.camera, camera) == 0 && info.start_us == todo[i]) {
            record_segment(app, &info);
            last_end = info.end_us;
        } else if (err != MM_OK && err != MM_ENOTFOUND) {
            MM_ERROR("%s: segment %s cannot be recovered (%s); it is left in place", camera, path,
                     mm_strerror(err));
        }
    }
    free(todo);
    return last_end;
}

/* --- disclosure exports ---------------------------------------------------------------------*/

static void on_export_sent(void *arg, const char *id, int delivered, const char *reason)
{
    app_t *app = arg;
    if (app->disclosure)
        edge_disclosure_transfer_done(app->disclosure, id, delivered, reason, mm_now_us());
}

static void send_export(void *arg, const char *id, const char *path, uint64_t total,
                        const uint8_t sha256[32])
{
    app_t *app = arg;
    if (!app->uplink || app->stopping)
        return;
    mm_err_t err =
        edge_uplink_send_export(app->uplink, id, path, total, sha256, on_export_sent, app);
    if (err != MM_OK)
        MM_WARN("export %s cannot be sent now (%s); tried again shortly", id, mm_strerror(err));
}

static void send_building(void *arg, const char *id, const char *path, uint64_t ready)
{
    app_t *app = arg;
    if (!app->uplink || app->stopping)
        return;
    mm_err_t err = edge_uplink_export_building(app->uplink, id, path, ready, on_export_sent, app);
    if (err != MM_OK)
        MM_INFO("export %s is not sent while it is built (%s); it goes once logged", id,
                mm_strerror(err));
}

/* --- standards documents ---------------------------------------------------------------------*/

static void on_document_sent(void *arg, uint32_t version, int stored, const char *reason)
{
    app_t *app = arg;
    if (app->documents)
        edge_documents_done(app->documents, version, stored, reason);
}

static mm_err_t send_document(void *arg, const mm_filing_document_t *d)
{
    app_t *app = arg;
    if (!app->uplink || app->stopping)
        return MM_ECLOSED;
    return edge_uplink_send_document(app->uplink, d, on_document_sent, app);
}

/* --- start and stop --------------------------------------------------------------------------*/

static void on_uplink_closed(void *arg)
{
    (void)arg;
}

static void shutdown_app(app_t *app)
{
    if (app->stopping)
        return;
    app->stopping = 1;
    mm_notify_stopping();
    mm_notify_watchdog_stop(&app->watchdog);
    MM_INFO("stopping: finishing open segments");
    /* Stopping the recorder finishes the open segments; their callbacks run on this loop
     * before it ends, so they are logged and sent by the next start if not now. */
    if (app->ingest)
        edge_ingest_stop(app->ingest);
    edge_scrub_stop(app->scrub);
    app->scrub = NULL;
    edge_alerts_close(app->alerts); /* before ops, which it reads */
    app->alerts = NULL;
    edge_control_close(app->control);
    app->control = NULL;
    edge_console_close(app->console);
    app->console = NULL;
    edge_ops_close(app->ops);
    app->ops = NULL;
    /* A running export is asked to stop; the loop ends once it has. */
    edge_disclosure_close(app->disclosure, NULL, NULL);
    app->disclosure = NULL;
    edge_documents_destroy(app->documents);
    app->documents = NULL;
    uv_signal_stop(&app->sigint);
    uv_signal_stop(&app->sigterm);
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
    uv_close((uv_handle_t *)&app->sighup, NULL);
    uv_close((uv_handle_t *)&app->housekeeping, NULL);
    if (app->uplink)
        edge_uplink_close(app->uplink, on_uplink_closed, NULL);
    app->uplink = NULL;
}

static void on_signal(uv_signal_t *h, int signum)
{
    app_t *app = h->data;
    MM_INFO("signal %d", signum);
    shutdown_app(app);
}

/* The people and roles again from the configuration, recording going on (reload.h). */
static void reload_people(app_t *app)
{
    char why[600];
    int changed = 0;
    edge_governance_t old;
    MM_INFO("reload: reading %s again", app->config_path);
    if (edge_reload(app->config_path, &app->cfg, app->fixed, &changed, &old, why, sizeof why) !=
        MM_OK) {
        MM_ERROR("reload refused, nothing changed: %s", why);
        return;
    }
    if (!changed) {
        MM_INFO("reload: the people and roles are as they were");
        return;
    }
    edge_ops_reloaded(app->ops, &old);
    MM_INFO("reload: %zu people (were %zu), manager %s", app->cfg.gov.n_people, old.n_people,
            app->cfg.gov.manager >= 0 ? app->cfg.gov.people[app->cfg.gov.manager].id : "none");
    edge_governance_free(&old);
}

/* SIGHUP: reload_people, told to systemd (systemctl reload waits for READY=1 again). */
static void on_reload(uv_signal_t *h, int signum)
{
    (void)signum;
    app_t *app = h->data;
    if (app->stopping || !app->ops || !app->fixed)
        return;
    mm_notify_reloading();
    reload_people(app);
    mm_notify_ready();
}

/* --- start: one small step after another ----------------------------------------------------*/

/*
 * Each step returns 0, or -1 once it has said what failed; start stops at the first failure and
 * edge_app_run's stop path (shutdown_app, then the teardown after the loop) closes whatever the
 * earlier steps opened. The order is the one the top of this file explains.
 */

/* The configuration, and the site key it names (the key must carry the site's name). The
 * site's zone becomes the process's local time here, before any thread starts: the standards'
 * dates and every time shown to a person follow it, not the machine's zone. */
static int load_config(app_t *app, const char *config_path)
{
    if (edge_config_load(config_path, &app->cfg) != MM_OK)
        return -1;
    app->config_path = config_path;
    app->fixed = edge_reload_fixed(config_path);
    if (mm_tz_use(app->cfg.timezone) != 0) {
        MM_ERROR("%s: timezone: \"%s\" cannot be used", config_path, app->cfg.timezone);
        return -1;
    }
    char err[256];
    if (mm_keys_load(app->cfg.key_file, &app->keys, err, sizeof err) != MM_OK) {
        MM_ERROR("%s", err);
        return -1;
    }
    if (strcmp(app->keys.name, app->cfg.site) != 0) {
        MM_ERROR("%s: key_file: the key %s is named \"%s\", but the site is \"%s\"", config_path,
                 app->cfg.key_file, app->keys.name, app->cfg.site);
        return -1;
    }
    return 0;
}

/* The state directory: the store (db/), the footage keys (keys/), the segments (segments/) and
 * the vault over them. */
static int open_state(app_t *app)
{
    char *db_dir = join(app->cfg.state_dir, "db");
    char *keys_dir = join(app->cfg.state_dir, "keys");
    app->segments_dir = join(app->cfg.state_dir, "segments");
    app->documents_dir = join(app->cfg.state_dir, "standards");
    int rc = -1;
    mm_err_t e;
    if (!db_dir || !keys_dir || !app->segments_dir || !app->documents_dir ||
        make_dir(app->cfg.state_dir) != 0 || make_dir(app->segments_dir) != 0)
        goto out;
    if ((e = edge_store_open(db_dir, &app->store)) != MM_OK) {
        MM_ERROR("cannot open the store in %s: %s", app->cfg.state_dir, mm_strerror(e));
        goto out;
    }
    if ((e = edge_keyring_open(keys_dir, mm_now_us(), &app->keyring)) != MM_OK) {
        MM_ERROR("cannot open the footage keys in %s: %s", keys_dir, mm_strerror(e));
        goto out;
    }
    if ((e = edge_vault_create(app->store, app->keyring, app->segments_dir, &app->vault)) !=
        MM_OK) {
        MM_ERROR("cannot open the holds in %s: %s", app->cfg.state_dir, mm_strerror(e));
        goto out;
    }
    rc = 0;
out:
    free(db_dir);
    free(keys_dir);
    return rc;
}

/*
 * The city's rule for the retention period, where the policy leaves the period to it
 * (cityrule.h): the one the site received last is in force, and a configuration outside it does
 * not start (R-N7.5), as any configuration problem does not.
 */
static int check_city_rule(app_t *app, const char *config_path)
{
    mm_err_t e = edge_city_rule_load(app->store, app->cfg.site, app->cfg.hub_verifier.pub,
                                     app->cfg.policy, &app->city_rule);
    if (e != MM_OK) {
        MM_ERROR("cannot read the city's rule for the retention period: %s", mm_strerror(e));
        return 1;
    }
    const edge_city_rule_t *r = &app->city_rule;
    if (!mm_policy_city_rule(app->cfg.policy))
        return 0;
    if (!r->has) {
        MM_WARN("the %s policy leaves the retention period to the city's rule, which this site "
                "has not received yet: footage is kept %d days as configured until it comes",
                mm_policy_name(app->cfg.policy), app->cfg.retention_days);
        return 0;
    }
    const char *key = NULL;
    char why[MM_LONG_TEXT_MAX];
    if (edge_city_rule_check(r, app->cfg.retention_days, app->cfg.registered_retention_days, &key,
                             why, sizeof why) != 0) {
        MM_ERROR("%s: %s: %s", config_path, key, why);
        return 2;
    }
    MM_INFO("the city's rule for the retention period: %s (notice %s)", r->rule, r->id);
    return 0;
}

/* The retention in force, and each camera's public share, logged when it differs from the last
 * logged (coverlog.h). */
static int log_coverage(app_t *app)
{
    MM_INFO("policy %s: footage kept %d days (floor %d, registered %d)",
            mm_policy_name(app->cfg.policy), app->cfg.retention_days,
            edge_city_rule_floor(app->cfg.policy, &app->city_rule, app->cfg.retention_days),
            app->cfg.registered_retention_days);
    for (size_t i = 0; i < app->cfg.n_cameras; i++) {
        const edge_config_camera_t *c = &app->cfg.cameras[i];
        int logged = 0;
        mm_err_t e =
            edge_coverage_log(app->store, c->id, app->cfg.policy, &c->gov, mm_now_us(), &logged);
        if (e != MM_OK) {
            MM_ERROR("%s: cannot log the camera's coverage: %s", c->id, mm_strerror(e));
            return -1;
        }
        MM_INFO("%s: public share %.1f %% of the image (threshold %.1f %%)%s", c->id,
                c->gov.coverage.public_share * 100, c->gov.threshold * 100,
                logged ? ", logged" : "");
    }
    return 0;
}

/* The disclosure module (started once the uplink exists, to send what a stop interrupted). */
static int create_disclosure(app_t *app)
{
    const char *cam_ids[EDGE_MAX_CAMERAS];
    for (size_t i = 0; i < app->cfg.n_cameras; i++)
        cam_ids[i] = app->cfg.cameras[i].id;
    char *exports_dir = join(app->cfg.state_dir, "exports");
    edge_disclosure_conf_t dc = {.loop = &app->loop,
                                 .store = app->store,
                                 .vault = app->vault,
                                 .site_key = &app->keys,
                                 .site = app->cfg.site,
                                 .timezone = app->cfg.timezone,
                                 .policy = app->cfg.policy,
                                 .hub_pub = app->cfg.hub_verifier.pub,
                                 .cameras = cam_ids,
                                 .n_cameras = app->cfg.n_cameras,
                                 .exports_dir = exports_dir,
                                 .logged = kick_uplink,
                                 .send = send_export,
                                 .building = send_building,
                                 .arg = app};
    mm_err_t e = exports_dir ? edge_disclosure_create(&dc, &app->disclosure) : MM_ENOMEM;
    free(exports_dir);
    if (e != MM_OK) {
        MM_ERROR("cannot set up disclosures in %s: %s", app->cfg.state_dir, mm_strerror(e));
        return -1;
    }
    return 0;
}

/* Ops: who may do what, the cameras' states and the standards, restored (ops.h). */
static int create_ops(app_t *app, const char *config_path)
{
    edge_ops_conf_t oc = {.loop = &app->loop,
                          .config_path = config_path,
                          .documents_dir = app->documents_dir,
                          .cfg = &app->cfg,
                          .store = app->store,
                          .vault = app->vault,
                          .site_key = &app->keys.sign,
                          .city_rule = &app->city_rule,
                          .logged = ops_logged,
                          .disclosure = app->disclosure,
                          .arg = app};
    mm_err_t e = edge_ops_create(&oc, &app->ops);
    if (e != MM_OK) {
        MM_ERROR("cannot restore who may do what: %s", mm_strerror(e));
        return -1;
    }
    return 0;
}

/* The control socket, in a directory every local account can reach. */
static int open_control(app_t *app)
{
    edge_control_hooks_t ch = {
        .request = edge_ops_request, .malformed = edge_ops_malformed, .arg = app->ops};
    if (make_dir_parent(app->cfg.control_socket) != 0 ||
        edge_control_open(&app->loop, app->cfg.control_socket, &ch, &app->control) != MM_OK)
        return -1;
    MM_INFO("control socket %s", app->cfg.control_socket);
    return 0;
}

/* The site console, when the configuration names one (console.h). */
static int open_console(app_t *app)
{
    if (!app->cfg.console.enabled)
        return 0;
    return edge_console_create(&app->loop, &app->cfg, app->ops, &app->console) == MM_OK ? 0 : -1;
}

/* The link to the hub; the city's requests that come with its acknowledgements go to ops. */
static int create_uplink(app_t *app)
{
    if (!(app->zctx = zmq_ctx_new()))
        return -1;
    edge_uplink_conf_t uc = {
        .site = app->cfg.site,
        .keys = &app->keys,
        .hub_endpoint = app->cfg.hub_endpoint,
        .hub_curve_public = app->cfg.hub_curve_public,
        .hub_verifier = &app->cfg.hub_verifier,
        .requests = edge_ops_city_requests,
        .arg = app->ops,
    };
    mm_err_t e = edge_uplink_create(&app->loop, app->zctx, app->store, &uc, &app->uplink);
    if (e != MM_OK) {
        MM_ERROR("cannot set up the link to the hub: %s", mm_strerror(e));
        return -1;
    }
    return 0;
}

/* The standards documents' way to the hub, through the uplink (documents.h). */
static int create_documents(app_t *app)
{
    edge_documents_conf_t dc = {
        .dir = app->documents_dir, .store = app->store, .send = send_document, .arg = app};
    if (edge_documents_create(&dc, &app->documents) != MM_OK) {
        MM_ERROR("cannot set up sending the standards documents: out of memory");
        return -1;
    }
    edge_documents_pump(app->documents);
    return 0;
}

/* How far back from the log's end gap_seen looks at most: a camera whose last segment is
 * further back than this has had no gap logged since that matters. */
#define GAP_SCAN_MAX 100000

typedef struct {
    const char *camera;
    int64_t end_us;
    mm_entry_t *e;
} gap_scan_t;

static int later_gap(void *arg, uint64_t index, const void *data, size_t len, const mm_hash_t *leaf)
{
    (void)index, (void)leaf;
    gap_scan_t *g = arg;
    mm_entry_kind_t kind;
    if (mm_entry_peek(data, len, &kind, NULL) == MM_OK && kind == MM_ENTRY_CAMERA_GAP &&
        mm_entry_decode(data, len, g->e) == MM_OK &&
        strcmp(g->e->u.camera_gap.camera, g->camera) == 0 && g->e->u.camera_gap.end_us > g->end_us)
        g->end_us = g->e->u.camera_gap.end_us;
    return 0;
}

/*
 * When a camera was last known to be recording or last accounted for: the end of its last
 * segment (last_end, after recovery), or the end of a gap logged after that segment, whichever
 * is later. An edge killed after it logged a gap at its start but before the first chunk of
 * the camera reached the disk left the gap in the log and no segment after it; the next gap
 * then begins where that one ended instead of covering it twice.
 */
static int64_t gap_seen(app_t *app, const char *camera, int64_t last_end)
{
    edge_segment_row_t last;
    uint64_t size;
    if (last_end <= 0 || edge_store_last_segment(app->store, camera, &last) != MM_OK ||
        edge_store_size(app->store, &size) != MM_OK)
        return last_end;
    uint64_t first = last.log_index + 1;
    if (size > GAP_SCAN_MAX && first < size - GAP_SCAN_MAX)
        first = size - GAP_SCAN_MAX;
    gap_scan_t g = {.camera = camera, .end_us = last_end, .e = malloc(sizeof *g.e)};
    if (g.e && first < size)
        edge_store_each_entry(app->store, first, size, later_gap, &g);
    free(g.e);
    return g.end_us;
}

/*
 * Recording: each camera's directory made and recovered first (recover_camera), then the
 * recorder created with every camera, the suspended and abolished ones paused (R-N4.2), and
 * started.
 */
static int start_recording(app_t *app)
{
    edge_camera_conf_t cams[EDGE_MAX_CAMERAS];
    char *dirs[EDGE_MAX_CAMERAS] = {0};
    int rc = -1;
    for (size_t i = 0; i < app->cfg.n_cameras; i++) {
        dirs[i] = join(app->segments_dir, app->cfg.cameras[i].id);
        if (!dirs[i] || make_dir(dirs[i]) != 0)
            goto out;
        int64_t last_seen = gap_seen(app, app->cfg.cameras[i].id,
                                     recover_camera(app, app->cfg.cameras[i].id, dirs[i]));
        cams[i] = (edge_camera_conf_t){.id = app->cfg.cameras[i].id,
                                       .url = app->cfg.cameras[i].url,
                                       .dir = dirs[i],
                                       .segment_seconds = app->cfg.segment_seconds,
                                       .last_seen_us = last_seen,
                                       .libav = app->cfg.cameras[i].rtsp_client ==
                                                EDGE_RTSP_CLIENT_LIBAV};
    }
    edge_ingest_hooks_t hooks = {.segment = on_segment,
                                 .gap = on_gap,
                                 .disk_full = on_disk_full,
                                 .clock_jumped = on_clock_jumped,
                                 .key = segment_key,
                                 .arg = app,
                                 .jump_us = (int64_t)app->cfg.clock_jump_seconds * 1000000};
    mm_err_t e = edge_ingest_create(&app->loop, cams, app->cfg.n_cameras, &hooks, &app->ingest);
    for (size_t i = 0; e == MM_OK && i < app->cfg.n_cameras; i++)
        if (!edge_ops_may_record(app->ops, i))
            edge_ingest_pause(app->ingest, app->cfg.cameras[i].id,
                              edge_ops_camera_state(app->ops, i) == EDGE_CAM_SUSPENDED
                                  ? "camera suspended"
                                  : "camera abolished");
    if (e == MM_OK) {
        edge_ops_set_ingest(app->ops, app->ingest);
        e = edge_ingest_start(app->ingest);
    }
    if (e != MM_OK) {
        MM_ERROR("cannot start recording: %s", mm_strerror(e));
        goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; i < app->cfg.n_cameras; i++)
        free(dirs[i]);
    return rc;
}

/* The edge's state for the alerts (alerts.h): each camera's last frame and whether it should
 * record (not paused: suspended, abolished, or stopped for space), the disk's alarm, the hub's
 * last acknowledgement, and ops's open items. */
static void alerts_snapshot(void *arg, edge_alert_state_t *st)
{
    app_t *app = arg;
    for (size_t i = 0; i < app->cfg.n_cameras && i < EDGE_ALERT_CAMERAS_MAX; i++) {
        edge_alert_camera_t *c = &st->cameras[st->n_cameras++];
        const char *id = app->cfg.cameras[i].id;
        snprintf(c->id, sizeof c->id, "%s", id);
        c->watched = app->ingest && !edge_ingest_paused(app->ingest, id, NULL, 0);
        c->seen_us = app->ingest ? edge_ingest_last_frame(app->ingest, id) : 0;
    }
    st->disk_alarm = app->storage_alarm;
    st->disk_since_us = app->storage_alarm_us;
    st->min_free_mb = (uint64_t)app->cfg.min_free_mb;
    st->hub_seen_us = app->uplink ? edge_uplink_last_contact(app->uplink) : 0;
    if (app->ops)
        edge_ops_alert_items(app->ops, st);
}

/* The alerts, once everything they look at runs (alerts.h). */
static int start_alerts(app_t *app)
{
    edge_alerts_setup_t as = {.loop = &app->loop,
                              .site = app->cfg.site,
                              .conf = &app->cfg.alerts,
                              .snapshot = alerts_snapshot,
                              .arg = app};
    if (edge_alerts_create(&as, &app->alerts) != MM_OK) {
        MM_ERROR("cannot set up the alerts: out of memory");
        return -1;
    }
    edge_ops_set_alerts(app->ops, app->alerts);
    edge_alerts_start(app->alerts);
    return 0;
}

/* Returns the process exit status start-up earned: 0, 2 for the configuration or keys, 1. */
static int start(app_t *app, const char *config_path)
{
    if (load_config(app, config_path) != 0)
        return 2;
    if (open_state(app) != 0)
        return 1;
    int rc = check_city_rule(app, config_path);
    if (rc != 0)
        return rc;
    if (log_coverage(app) != 0)
        return 1;
    if (create_disclosure(app) != 0)
        return 1;
    if (create_ops(app, config_path) != 0)
        return 1;
    if (open_control(app) != 0)
        return 1;
    if (open_console(app) != 0)
        return 1;
    if (create_uplink(app) != 0)
        return 1;
    if (create_documents(app) != 0)
        return 1;
    /* Receipts, expiries and exports a stop interrupted; failures are retried by its timer. */
    edge_disclosure_start(app->disclosure, mm_now_us());
    if (start_recording(app) != 0)
        return 1;
    if (start_alerts(app) != 0)
        return 1;
    /* The audit once the recovered segments are indexed: what it finds is logged here. */
    if (edge_scrub_start(&app->loop, app->vault, &app->cfg.scrub, kick_uplink, app, &app->scrub) !=
        MM_OK)
        return 1;
    uv_timer_start(&app->housekeeping, on_housekeeping, 0, HOUSEKEEPING_MS);
    MM_INFO("site %s: recording %zu camera(s) into %s", app->cfg.site, app->cfg.n_cameras,
            app->segments_dir);
    return 0;
}

int edge_app_run(const char *config_path)
{
    app_t app = {0};
    if (uv_loop_init(&app.loop) != 0)
        return 1;
    uv_signal_init(&app.loop, &app.sigint);
    uv_signal_init(&app.loop, &app.sigterm);
    uv_timer_init(&app.loop, &app.housekeeping);
    app.sigint.data = app.sigterm.data = app.housekeeping.data = &app;
    uv_signal_start(&app.sigint, on_signal, SIGINT);
    uv_signal_start(&app.sigterm, on_signal, SIGTERM);
    uv_signal_init(&app.loop, &app.sighup);
    app.sighup.data = &app;
    uv_signal_start(&app.sighup, on_reload, SIGHUP);

    int rc = start(&app, config_path);
    if (rc != 0) {
        shutdown_app(&app);
    } else {
        /* Recording: systemd may start what waits for the edge, and watch its loop. */
        mm_notify_watchdog_start(&app.loop, &app.watchdog);
        mm_notify_status("site %s: recording %zu camera(s)", app.cfg.site, app.cfg.n_cameras);
        mm_notify_ready();
    }
    uv_run(&app.loop, UV_RUN_DEFAULT);

    /* The loop has ended: every handle is closed, every finished segment logged. */
    edge_ingest_destroy(app.ingest);
    if (uv_loop_close(&app.loop) != 0)
        MM_WARN("libuv loop still had open handles at exit");
    edge_vault_destroy(app.vault);
    edge_keyring_close(app.keyring);
    edge_store_close(app.store);
    if (app.zctx)
        zmq_ctx_term(app.zctx);
    mm_keys_wipe(&app.keys);
    edge_config_free(&app.cfg);
    json_decref(app.fixed);
    free(app.segments_dir);
    free(app.documents_dir);
    if (rc == 0)
        MM_INFO("stopped");
    return rc;
}
