/*
 * app.c: the hub daemon (see app.h).
 */
#include "hub/app.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/db.h"
#include "common/diag.h"
#include "common/keys.h"
#include "common/notify.h"
#include "common/timefmt.h"
#include "hub/api.h"
#include "hub/audit.h"
#include "hub/cityrules.h"
#include "hub/disclosure.h"
#include "hub/disclosureapi.h"
#include "hub/documents.h"
#include "hub/feed.h"
#include "hub/feedapi.h"
#include "hub/findings.h"
#include "hub/http.h"
#include "hub/hubconf.h"
#include "hub/hublog.h"
#include "hub/link.h"
#include "hub/login.h"
#include "hub/metrics.h"
#include "hub/mirror.h"
#include "hub/registry.h"
#include "hub/reload.h"
#include "hub/requests.h"
#include "hub/rules.h"
#include "hub/rules_watch.h"
#include "hub/watchstore.h"
#include "hub/www.h"
#include "hub/zap.h"

#define RULES_MS 5000 /* how often the time-based rules look again */

typedef struct {
    uv_loop_t loop;
    uv_signal_t sigint, sigterm, sighup;
    const char *config_path;
    hub_config_t cfg;
    mm_keypair_t keys;
    mm_db_t *db;
    hub_findings_t *findings;
    hub_mirror_t *mirror;
    hub_registry_t *registry;
    hub_hublog_t *hublog;
    hub_audit_t *audit;
    hub_measures_t *measures;
    hub_requests_t *requests;
    hub_disclosure_t *disclosures;
    hub_documents_t *documents;
    hub_watchstore_t *watch;
    uv_timer_t rules_timer;
    void *zctx;
    hub_zap_t *zap;
    hub_link_t *link;
    hub_http_t *http;
    hub_login_t *login;
    int relinking; /* the link is being opened again after a reload removed a site */
    hub_api_t api;
    hub_ratelimit_t *complaint_limit;
    hub_feed_t *feed;
    hub_feedapi_t *feedapi;
    hub_metrics_t metrics;
    mm_notify_watchdog_t watchdog; /* systemd's (common/notify.h) */
    int stopping;
    int closing; /* modules still closing after shutdown_app; the loop stops at 0 */
} app_t;

/* One module has closed. When the last has, the loop is stopped: libh2o's context keeps a
 * handle of its own open (its message queue), and kept-alive HTTP connections would keep the
 * loop waiting for their idle timeout, so hub_app_run closes whatever is left after. Stopping
 * only then matters: a module closes its handles in a chain (the link's idle handle, then its
 * socket's), and a handle closed by that sweep before its module reached it would be closed
 * twice. */
static void closed_one(void *arg)
{
    app_t *app = arg;
    if (--app->closing == 0)
        uv_stop(&app->loop);
}

static void shutdown_app(app_t *app)
{
    if (app->stopping)
        return;
    app->stopping = 1;
    mm_notify_stopping();
    mm_notify_watchdog_stop(&app->watchdog);
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
    uv_close((uv_handle_t *)&app->sighup, NULL);
    uv_close((uv_handle_t *)&app->rules_timer, NULL);
    app->closing = 1; /* held until every module below has been asked */
    if (app->relinking) {
        app->closing++; /* the link is closing already; on_link_closed counts it */
    } else if (app->link) {
        app->closing++;
        hub_link_close(app->link, closed_one, app);
    }
    if (app->zap) {
        app->closing++;
        hub_zap_close(app->zap, closed_one, app);
    }
    if (app->http) {
        app->closing++;
        hub_http_close(app->http, closed_one, app); /* ends the feed's streams */
    }
    hub_feedapi_close(app->feedapi);
    app->feedapi = NULL;
    app->link = NULL;
    app->zap = NULL;
    app->http = NULL;
    closed_one(app);
}

static void on_signal(uv_signal_t *h, int signum)
{
    MM_INFO("signal %d: stopping", signum);
    shutdown_app(h->data);
}

static void close_any(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* mkdir -p with mode 0700; 0 or -1 with errno. */
static int mkdir_p(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, n + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* The rules over one site's record, and its findings brought up to date (rules.h). */
static void evaluate(app_t *app, const char *site)
{
    hub_site_state_t st;
    const hub_site_conf_t *sc = hub_config_site(&app->cfg, site);
    int64_t transitional = 0;
    if (sc && sc->existing_installer && app->cfg.ordinance_us) {
        /* Three months after the ordinance's day (R-N-T). */
        transitional = mm_jst_add_months(app->cfg.ordinance_us, 3);
    }
    if (hub_mirror_state(app->mirror, site, &st) != MM_OK || (st.size == 0 && !transitional))
        return; /* nothing verified yet, and nothing due: nothing to judge */
    hub_site_record_t *rec;
    if (hub_registry_read(app->registry, site, &rec) != MM_OK)
        return;
    /* The city's rule for the retention period, to a site whose policy leaves the period to it
     * and that has not been sent the configured one (cityrules.h). */
    if (hub_city_rule_due(rec, &app->cfg)) {
        int sent = 0;
        mm_err_t e = hub_city_rule_send(app->registry, app->audit, &app->cfg, &app->keys, site,
                                        mm_now_us(), &sent);
        if (e != MM_OK)
            MM_ERROR("%s: cannot send the city's rule: %s", site, mm_strerror(e));
        else if (sent)
            MM_INFO("%s: the city's rule for the retention period sent", site);
        hub_site_record_free(rec);
        if (hub_registry_read(app->registry, site, &rec) != MM_OK)
            return;
    }
    hub_rules_input_t in = {.now_us = mm_now_us(),
                            .last_checkpoint_us = st.checkpoint_us,
                            .silent_after_us = (int64_t)app->cfg.silent_after_minutes * 60000000,
                            .uptime_min = 0.99,
                            .filing_grace_us = (int64_t)app->cfg.filing_grace_days * 86400000000LL,
                            .transitional_us = transitional,
                            .city_rule = hub_city_rule_of(rec, &app->cfg)};
    hub_watch_state_t *seen;
    if (hub_watchstore_get(app->watch, site, &seen) != MM_OK) {
        hub_site_record_free(rec);
        return;
    }
    hub_finding_list_t current;
    hub_finding_list_init(&current);
    if (hub_rules_evaluate(rec, &in, &current) == MM_OK &&
        hub_rules_watch_evaluate(rec, seen, &app->cfg.watch, in.now_us, &current) == MM_OK)
        hub_findings_reconcile(app->findings, site, current.items, current.n, in.now_us, NULL,
                               NULL);
    hub_finding_list_deinit(&current);
    free(seen);
    hub_site_record_free(rec);
}

/* What the hub sees a site do with its own clock (watchstore.h): every batch it stores, inside
 * the mirror's transaction, and every batch it already held. */
static hub_watch_receipt_t receipt(int64_t now_us, const mm_checkpoint_t *cp)
{
    return (hub_watch_receipt_t){.received_us = now_us, .signed_s = cp->time, .size = cp->size};
}

static mm_err_t watch_stored(void *arg, MDB_txn *txn, const char *site, int64_t now_us,
                             const mm_checkpoint_t *cp, uint64_t first, const mm_entry_t *e,
                             size_t n)
{
    app_t *app = arg;
    hub_watch_receipt_t r = receipt(now_us, cp);
    return hub_watchstore_learn_in(app->watch, txn, site, &r, first, e, n);
}

static void watch_held(void *arg, const char *site, int64_t now_us, const mm_checkpoint_t *cp)
{
    app_t *app = arg;
    hub_watch_receipt_t r = receipt(now_us, cp);
    hub_watchstore_hello(app->watch, site, &r);
}

/* The requests of site the site has not logged as received yet (registry.h). */
static size_t pending_requests(void *arg, const char *site, mm_city_request_t *out, size_t cap)
{
    app_t *app = arg;
    return hub_registry_pending(app->registry, site, out, cap);
}

/* The disclosure module learns the site's steps in the mirror's transaction (mirror.h). */
static mm_err_t apply_disclosure(void *arg, MDB_txn *txn, const char *site, uint64_t index,
                                 const mm_entry_t *e)
{
    app_t *app = arg;
    return hub_disclosure_apply_in(app->disclosures, txn, site, index, e);
}

static void applied_disclosure(void *arg, int committed)
{
    app_t *app = arg;
    hub_disclosure_applied(app->disclosures, committed);
}

static void on_export_chunk(void *arg, const char *site, const mm_export_chunk_t *c,
                            mm_export_ack_t *out)
{
    app_t *app = arg;
    hub_disclosure_chunk(app->disclosures, site, c, mm_now_us(), out);
}

static void on_filing_document(void *arg, const char *site, const mm_filing_document_t *doc,
                               mm_document_ack_t *out)
{
    app_t *app = arg;
    hub_documents_receive(app->documents, site, doc, mm_now_us(), out);
}

static void on_learned(void *arg, const char *site)
{
    evaluate(arg, site);
}

/* What the feed reports: verified batches and findings that changed (feed.h). */
static void on_stored(void *arg, const char *site, uint64_t first, uint64_t size,
                      const mm_bytes_t *entries)
{
    app_t *app = arg;
    hub_feed_entries(app->feed, site, first, size, entries);
}

static void on_finding(void *arg, const hub_finding_t *finding)
{
    app_t *app = arg;
    hub_feed_finding(app->feed, finding);
}

/* What time alone changes: a silent site, an overdue report, a day that is over. */
static void on_rules_timer(uv_timer_t *t)
{
    app_t *app = t->data;
    for (size_t i = 0; i < app->cfg.n_sites; i++)
        evaluate(app, app->cfg.sites[i].id);
}

static mm_err_t link_open(app_t *app)
{
    mm_err_t err = hub_link_create(&app->loop, app->zctx, app->cfg.listen, &app->keys, app->mirror,
                                   &app->link);
    if (err != MM_OK)
        return err;
    hub_link_set_requests(app->link, pending_requests, app);
    hub_link_set_exports(app->link, on_export_chunk, app);
    hub_link_set_documents(app->link, on_filing_document, app);
    return MM_OK;
}

/* The link closed after a reload removed a site: opened again, so that every edge connects
 * anew through the ZAP handler, which refuses the removed site's key (a ROUTER socket cannot
 * drop one peer). The edges reconnect on their own and send on from where the hub is. */
static void on_link_closed(void *arg)
{
    app_t *app = arg;
    app->relinking = 0;
    app->link = NULL;
    if (app->stopping) {
        closed_one(app); /* shutdown_app counted this link */
        return;
    }
    for (int tries = 0; tries < 50; tries++) {
        if (link_open(app) == MM_OK) {
            MM_INFO("reload: the edge link reopened on %s", app->cfg.listen);
            return;
        }
        usleep(100000); /* the old socket's port is let go by ZeroMQ's I/O thread */
    }
    MM_ERROR("reload: cannot listen on %s again; stopping", app->cfg.listen);
    shutdown_app(app);
}

static mm_err_t site_action_txn(MDB_txn *txn, void *arg)
{
    void **p = arg;
    app_t *app = p[0];
    hub_city_action_t *a = p[1];
    return hub_audit_append_in(app->audit, txn, a, NULL);
}

/* A site admitted or no longer admitted, in the hub's log (audit.h). */
static void log_site_change(app_t *app, const char *site, const hub_config_t *cfg,
                            hub_action_t action)
{
    const hub_site_conf_t *sc = hub_config_site(cfg, site);
    char subject[MM_KEY_NAME_MAX + 8];
    snprintf(subject, sizeof subject, "site/%s", site);
    json_t *detail = json_pack("{s:s}", "curve_public", sc ? sc->curve_public : "");
    hub_city_action_t a = {.action = action,
                           .time_us = mm_now_us(),
                           .site = site,
                           .subject = subject,
                           .person = app->cfg.name,
                           .role = "hub",
                           .reason = "",
                           .detail = detail};
    void *p[2] = {app, &a};
    mm_err_t err = detail ? hub_audit_write(app->audit, site_action_txn, p) : MM_ENOMEM;
    if (err != MM_OK)
        MM_ERROR("reload: cannot log %s of %s: %s", hub_action_name(action), site,
                 mm_strerror(err));
    json_decref(detail);
}

/* SIGHUP: the configuration read again, its people and sites swapped in at once (reload.h). */
static void reload(app_t *app)
{
    hub_config_t next, old;
    MM_INFO("reload: reading %s", app->config_path);
    if (hub_config_load(app->config_path, &next) != MM_OK) {
        MM_ERROR("reload: %s does not load (the problems above); nothing changed",
                 app->config_path);
        return;
    }
    hub_reload_changes_t ch;
    if (hub_reload_swap(&app->cfg, &next, &old, &ch) != MM_OK) {
        MM_ERROR("reload: out of memory; nothing changed");
        hub_config_free(&next);
        return;
    }
    for (size_t i = 0; i < ch.n_sites_removed; i++) {
        MM_INFO("reload: site %s removed (its key is refused from now on)", ch.sites_removed[i]);
        log_site_change(app, ch.sites_removed[i], &old, HUB_ACTION_SITE_REMOVED);
    }
    for (size_t i = 0; i < ch.n_sites_added; i++) {
        MM_INFO("reload: site %s added (its key is admitted)", ch.sites_added[i]);
        log_site_change(app, ch.sites_added[i], &app->cfg, HUB_ACTION_SITE_ADDED);
    }
    if (app->login)
        hub_login_reloaded(app->login, &old);
    MM_INFO("reload: done: %zu site(s) (%zu added, %zu removed), %zu people (%zu added, %zu "
            "removed, %zu changed)",
            app->cfg.n_sites, ch.n_sites_added, ch.n_sites_removed, app->cfg.n_people,
            ch.n_people_added, ch.n_people_removed, ch.n_people_changed);
    if (ch.n_sites_removed && app->link && !app->relinking) {
        app->relinking = 1;
        hub_link_close(app->link, on_link_closed, app);
    }
    hub_reload_changes_free(&ch);
    hub_config_free(&old);
    hub_config_free(&next);
}

static void on_sighup(uv_signal_t *h, int signum)
{
    (void)signum;
    app_t *app = h->data;
    if (app->stopping)
        return;
    mm_notify_reloading(); /* systemctl reload waits for READY=1 again */
    reload(app);
    mm_notify_ready();
}

static int start(app_t *app, const char *config_path)
{
    if (hub_config_load(config_path, &app->cfg) != MM_OK)
        return 2;
    char err[256];
    if (mm_keys_load(app->cfg.key_file, &app->keys, err, sizeof err) != MM_OK) {
        MM_ERROR("%s", err);
        return 2;
    }
    if (strcmp(app->keys.name, app->cfg.name) != 0) {
        MM_ERROR("%s: key_file: the key %s is named \"%s\", but the hub is \"%s\"", config_path,
                 app->cfg.key_file, app->keys.name, app->cfg.name);
        return 2;
    }
    if (mkdir_p(app->cfg.state_dir) != 0) {
        MM_ERROR("cannot create %s: %s", app->cfg.state_dir, strerror(errno));
        return 1;
    }
    if (mm_db_open(app->cfg.state_dir, 0, HUB_DB_TABLES, &app->db) != MM_OK ||
        hub_findings_open(app->db, &app->findings) != MM_OK ||
        hub_mirror_open(app->db, &app->cfg, &app->keys, app->findings, &app->mirror) != MM_OK ||
        hub_registry_open(app->db, &app->registry) != MM_OK ||
        hub_hublog_open(app->db, &app->keys, &app->hublog) != MM_OK ||
        hub_audit_create(app->db, app->hublog, &app->audit) != MM_OK ||
        hub_measures_open(app->db, app->audit, app->registry, &app->measures) != MM_OK ||
        hub_requests_create(app->registry, app->audit, &app->requests) != MM_OK ||
        hub_disclosure_open(app->db, &app->cfg, &app->keys, app->registry, app->audit,
                            &app->disclosures) != MM_OK ||
        hub_documents_open(app->db, app->registry, app->findings, &app->documents) != MM_OK ||
        hub_watchstore_open(app->db, &app->cfg.watch, &app->watch) != MM_OK ||
        hub_feed_open(app->db, 0, &app->feed) != MM_OK)
        return 1;
    hub_audit_set_feed(app->audit, app->feed);
    hub_mirror_set_registry(app->mirror, app->registry, on_learned, app);
    hub_mirror_set_applier(
        app->mirror,
        &(hub_mirror_applier_t){.apply = apply_disclosure, .done = applied_disclosure, .arg = app});
    hub_mirror_set_observer(app->mirror, on_stored, app);
    hub_mirror_set_watcher(
        app->mirror,
        &(hub_mirror_watcher_t){.stored = watch_stored, .held = watch_held, .arg = app});
    hub_findings_set_observer(app->findings, on_finding, app);
    uv_timer_start(&app->rules_timer, on_rules_timer, 1000, RULES_MS);

    app->zctx = zmq_ctx_new();
    if (!app->zctx)
        return 1;
    if (hub_zap_create(&app->loop, app->zctx, &app->cfg, app->findings, &app->zap) != MM_OK ||
        link_open(app) != MM_OK)
        return 1;
    SSL_CTX *ssl = NULL; /* made first: a refused key leaves no server behind */
    if (app->cfg.tls_certificate &&
        hub_http_tls_context(app->cfg.tls_certificate, app->cfg.tls_private_key, &ssl) != MM_OK)
        return 1;
    if (hub_http_create(&app->loop, app->cfg.http_host, app->cfg.http_port, &app->http) != MM_OK ||
        hub_ratelimit_create(HUB_PUBLIC_CLIENTS, HUB_PUBLIC_COMPLAINTS_PER_HOUR, 3600LL * 1000000,
                             &app->complaint_limit) != MM_OK) {
        SSL_CTX_free(ssl);
        return 1;
    }
    if (ssl)
        hub_http_use_tls(app->http, ssl, app->cfg.hsts_max_age);
    app->api = (hub_api_t){.cfg = &app->cfg,
                           .keys = &app->keys,
                           .mirror = app->mirror,
                           .findings = app->findings,
                           .registry = app->registry,
                           .hublog = app->hublog,
                           .audit = app->audit,
                           .measures = app->measures,
                           .requests = app->requests,
                           .documents = app->documents,
                           .feed = app->feed,
                           .complaint_limit = app->complaint_limit};
    hub_http_set_people(app->http, &app->cfg);
    if (hub_login_create(app->http, &app->cfg, &app->login) != MM_OK)
        return 1;
    if (hub_api_register(app->http, &app->api) != MM_OK ||
        hub_disclosureapi_register(app->http, app->disclosures) != MM_OK ||
        hub_www_register(app->http) != MM_OK)
        return 1;
    app->metrics = (hub_metrics_t){.cfg = &app->cfg,
                                   .mirror = app->mirror,
                                   .findings = app->findings,
                                   .feed = app->feed,
                                   .http = app->http};
    if (hub_feedapi_create(&app->loop, app->http, app->feed, &app->feedapi) != MM_OK ||
        hub_metrics_register(app->http, &app->metrics) != MM_OK)
        return 1;
    hub_feedapi_set_limits(app->feedapi, (size_t)app->cfg.feed_max_subscribers,
                           (size_t)app->cfg.feed_max_per_person,
                           (size_t)app->cfg.feed_max_behind_bytes);
    if (hub_pidfile_write(app->cfg.state_dir) != 0)
        return 1;
    app->config_path = config_path;
    uv_signal_start(&app->sighup, on_sighup, SIGHUP);
    MM_INFO("hub: api %s://%s:%d listening, zmq %s (hub \"%s\", %zu site(s) registered)",
            hub_http_tls(app->http) ? "https" : "http", app->cfg.http_host,
            hub_http_port(app->http), app->cfg.listen, app->cfg.name, app->cfg.n_sites);
    return 0;
}

int hub_app_run(const char *config_path)
{
    /* Static, not on the stack: libh2o's context and the connections still open at shutdown
     * are left to process exit (hub/http.c), and must stay reachable until then rather than be
     * lost with this frame. hub_app_run runs once per process. */
    static app_t app;
    if (uv_loop_init(&app.loop) != 0)
        return 1;
    /* A peer that closes its socket must not kill the daemon. */
    signal(SIGPIPE, SIG_IGN);
    uv_signal_init(&app.loop, &app.sigint);
    uv_signal_init(&app.loop, &app.sigterm);
    uv_signal_init(&app.loop, &app.sighup);
    uv_timer_init(&app.loop, &app.rules_timer);
    app.sigint.data = app.sigterm.data = app.sighup.data = app.rules_timer.data = &app;
    uv_signal_start(&app.sigint, on_signal, SIGINT);
    uv_signal_start(&app.sigterm, on_signal, SIGTERM);

    int rc = start(&app, config_path);
    if (rc != 0) {
        shutdown_app(&app);
    } else {
        /* Serving: systemd may start what waits for the hub, and watch its loop. */
        mm_notify_watchdog_start(&app.loop, &app.watchdog);
        mm_notify_status("serving %zu site(s)", app.cfg.n_sites);
        mm_notify_ready();
    }
    uv_run(&app.loop, UV_RUN_DEFAULT);
    /* HTTP connections still open at shutdown belong to libh2o; close whatever is left. */
    uv_walk(&app.loop, close_any, NULL);
    uv_run(&app.loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&app.loop) != 0)
        MM_WARN("libuv loop still had open handles at exit");
    if (app.zctx)
        zmq_ctx_term(app.zctx);
    hub_mirror_close(app.mirror);
    hub_registry_close(app.registry);
    hub_hublog_close(app.hublog);
    hub_measures_close(app.measures);
    hub_requests_destroy(app.requests);
    hub_ratelimit_destroy(app.complaint_limit);
    hub_disclosure_close(app.disclosures);
    hub_documents_close(app.documents);
    hub_watchstore_close(app.watch);
    hub_audit_destroy(app.audit);
    hub_findings_close(app.findings);
    hub_feed_close(app.feed);
    hub_login_destroy(app.login);
    mm_db_close(app.db);
    if (rc == 0 && app.cfg.state_dir)
        hub_pidfile_remove(app.cfg.state_dir);
    mm_keys_wipe(&app.keys);
    hub_config_free(&app.cfg);
    if (rc == 0)
        MM_INFO("stopped");
    return rc;
}
