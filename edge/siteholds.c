/*
 * siteholds.c: holds the manager places at the site (see siteholds.h).
 *
 * The vault keeps the holds and retention ends them; this file decides what a site hold may
 * name, gives it its ids, and ends it when its time has come or a disclosure's hold has taken
 * over. The order that matters: a disclosure's hold is committed before the site hold it covers
 * is released (the tick sees only holds in force), and releasing erases only what no other hold
 * covers, so the footage is never without a hold in between.
 */
#include "edge/siteholds.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/timefmt.h"
#include "common/utf8.h"
#include "edge/governance.h"
#include "edge/retention.h"
#include "edge/store.h"

#define DAY_US (86400LL * 1000000)
#define NEXT_KEY "siteholds/next"
#define DISCLOSURE_PREFIX "dsc."

/* --- ids ------------------------------------------------------------------------------------*/

/* Digits at *p, at least one, into *n; moves *p past them. -1 when there are none. */
static int digits(const char **p, uint64_t *n)
{
    const char *s = *p;
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *p = s;
    *n = v;
    return 0;
}

/* "site-<n>" (group: 1) or "site-<n>.<i>" (group: 0); -1 otherwise. */
static int site_id(const char *id, int *group)
{
    uint64_t n, i;
    const char *p = id;
    if (strncmp(p, EDGE_SITEHOLD_PREFIX, sizeof EDGE_SITEHOLD_PREFIX - 1) != 0)
        return -1;
    p += sizeof EDGE_SITEHOLD_PREFIX - 1;
    if (digits(&p, &n) != 0)
        return -1;
    *group = *p == 0;
    if (*group)
        return 0;
    if (*p++ != '.' || digits(&p, &i) != 0 || *p)
        return -1;
    return 0;
}

int edge_sitehold_is_site(const char *id)
{
    int group;
    return id && site_id(id, &group) == 0;
}

/* The group of a site hold's id: "site-<n>" of "site-<n>.<i>", into out. */
static void group_of(const char *id, char out[MM_ID_MAX])
{
    snprintf(out, MM_ID_MAX, "%s", id);
    char *dot = strrchr(out, '.');
    if (dot)
        *dot = 0;
}

/* The request of a disclosure's hold: "<id>" of "dsc.<id>.<i>", into out. */
static void request_of(const char *hold, char out[MM_ID_MAX])
{
    snprintf(out, MM_ID_MAX, "%s", hold + sizeof DISCLOSURE_PREFIX - 1);
    char *dot = strrchr(out, '.');
    if (dot)
        *dot = 0;
}

static int is_disclosure(const char *id)
{
    return strncmp(id, DISCLOSURE_PREFIX, sizeof DISCLOSURE_PREFIX - 1) == 0;
}

/* --- what a hold may name -------------------------------------------------------------------*/

mm_err_t edge_sitehold_cameras(const char *list, edge_sitehold_req_t *q, char *why, size_t cap)
{
    q->n_cameras = 0;
    const char *p = list ? list : "";
    if (!*p)
        return mm_errf(MM_EINVAL, why, cap, "name at least one camera");
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= MM_ID_MAX)
            return mm_errf(MM_EINVAL, why, cap, "\"%.200s\" is not a list of camera ids", list);
        if (q->n_cameras == EDGE_SITEHOLD_CAMERAS_MAX)
            return mm_errf(MM_EINVAL, why, cap, "a hold names at most %d cameras",
                           EDGE_SITEHOLD_CAMERAS_MAX);
        char *c = q->cameras[q->n_cameras];
        memcpy(c, p, len);
        c[len] = 0;
        for (size_t j = 0; j < q->n_cameras; j++)
            if (strcmp(q->cameras[j], c) == 0)
                return mm_errf(MM_EINVAL, why, cap, "camera %s is named twice", c);
        q->n_cameras++;
        if (!comma)
            return MM_OK;
        p = comma + 1;
    }
}

static int site_camera(const edge_config_t *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->n_cameras; i++)
        if (strcmp(cfg->cameras[i].id, id) == 0)
            return 1;
    return 0;
}

mm_err_t edge_sitehold_check(const edge_sitehold_req_t *q, const edge_config_t *cfg, int64_t now_us,
                             int *days, char *why, size_t cap)
{
    if (q->n_cameras == 0 || q->n_cameras > EDGE_SITEHOLD_CAMERAS_MAX)
        return mm_errf(MM_EINVAL, why, cap, "a hold names 1 to %d cameras, not %zu",
                       EDGE_SITEHOLD_CAMERAS_MAX, q->n_cameras);
    for (size_t i = 0; i < q->n_cameras; i++) {
        if (!site_camera(cfg, q->cameras[i]))
            return mm_errf(MM_ENOTFOUND, why, cap, "this site has no camera %.63s", q->cameras[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(q->cameras[j], q->cameras[i]) == 0)
                return mm_errf(MM_EINVAL, why, cap, "camera %s is named twice", q->cameras[i]);
    }
    /* The refusals name times in the site's zone, the edge's own (timefmt.h mm_tz_use). */
    char a[MM_LOCALTIME_MAX], b[MM_LOCALTIME_MAX];
    mm_time_local(q->from_us, a);
    mm_time_local(q->to_us, b);
    if (q->from_us >= q->to_us)
        return mm_errf(MM_EINVAL, why, cap, "the range is empty or runs backwards (from %s to %s)",
                       a, b);
    if (q->to_us > now_us)
        return mm_errf(MM_EINVAL, why, cap,
                       "the range ends in the future (%s): only footage already "
                       "recorded can be held",
                       b);
    size_t rl = q->reason ? strlen(q->reason) : 0;
    if (rl == 0 || rl >= MM_TEXT_MAX || !mm_utf8_valid(q->reason, rl))
        return mm_errf(MM_EINVAL, why, cap, "a hold needs its reason (UTF-8, 1 to %d bytes)",
                       MM_TEXT_MAX - 1);
    int max = edge_policy_hold_max_days(cfg->policy);
    int d = q->days ? q->days : EDGE_HOLD_DEFAULT_DAYS;
    if (d < 1 || d > max)
        return mm_errf(MM_EINVAL, why, cap,
                       "a site hold expires after 1 to %d days under the %s policy, not %d", max,
                       mm_policy_name(cfg->policy), q->days);
    *days = d;
    return MM_OK;
}

/* --- placing --------------------------------------------------------------------------------*/

/* The segments of camera that overlap [from, to). */
static mm_err_t footage(edge_store_t *st, const char *camera, int64_t from, int64_t to,
                        uint32_t *n_out)
{
    edge_segment_row_t *rows = NULL;
    size_t n = 0;
    mm_err_t err =
        edge_store_segment_rows(st, camera, from - EDGE_VAULT_SEGMENT_MAX_US, to, &rows, &n);
    *n_out = 0;
    for (size_t i = 0; err == MM_OK && i < n; i++)
        if (rows[i].seg.start_us < to && rows[i].seg.end_us > from)
            (*n_out)++;
    free(rows);
    return err;
}

/* The next hold number, counted in the store first: a number is never handed out twice. */
static mm_err_t next_number(edge_store_t *st, uint64_t *n)
{
    char buf[24];
    size_t len = 0;
    mm_err_t err = edge_store_meta_get(st, NEXT_KEY, buf, sizeof buf - 1, &len);
    *n = 1;
    if (err == MM_OK) {
        buf[len] = 0;
        const char *p = buf;
        if (digits(&p, n) != 0 || *p || *n == 0)
            return MM_ECORRUPT;
    } else if (err != MM_ENOTFOUND) {
        return err;
    }
    int w = snprintf(buf, sizeof buf, "%" PRIu64, *n + 1);
    return edge_store_meta_put(st, NEXT_KEY, buf, (size_t)w);
}

mm_err_t edge_siteholds_place(const edge_vault_t *v, const edge_config_t *cfg,
                              const edge_sitehold_req_t *q, const char *by, int64_t now_us,
                              json_t **placed, char *why, size_t cap)
{
    int days;
    if (placed)
        *placed = NULL;
    mm_err_t err = edge_sitehold_check(q, cfg, now_us, &days, why, cap);
    if (err != MM_OK)
        return err;
    edge_store_t *st = edge_vault_store(v);
    uint32_t segs[EDGE_SITEHOLD_CAMERAS_MAX];
    for (size_t i = 0; i < q->n_cameras; i++) {
        if ((err = footage(st, q->cameras[i], q->from_us, q->to_us, &segs[i])) != MM_OK)
            return mm_errf(err, why, cap, "cannot read the index of %s", q->cameras[i]);
        if (segs[i] == 0) {
            char a[MM_LOCALTIME_MAX], b[MM_LOCALTIME_MAX];
            mm_time_local(q->from_us, a);
            mm_time_local(q->to_us, b);
            return mm_errf(MM_ENOTFOUND, why, cap,
                           "camera %s has no footage from %s to %s: nothing to hold", q->cameras[i],
                           a, b);
        }
    }
    uint64_t n;
    if ((err = next_number(st, &n)) != MM_OK)
        return mm_errf(err, why, cap, "cannot number the hold: %s", mm_strerror(err));
    char group[MM_ID_MAX];
    snprintf(group, sizeof group, EDGE_SITEHOLD_PREFIX "%" PRIu64, n);
    int64_t expires = now_us + (int64_t)days * DAY_US;
    json_t *list = json_array();
    for (size_t i = 0; err == MM_OK && i < q->n_cameras; i++) {
        char id[MM_ID_MAX];
        snprintf(id, sizeof id, "%.40s.%zu", group, i); /* "site-" and 20 digits at most */
        err = edge_vault_hold_place_by(v, id, q->cameras[i], q->from_us, q->to_us, q->reason, by,
                                       expires, now_us);
        if (err != MM_OK)
            mm_errf(err, why, cap, "cannot place hold %s on %s: %s", id, q->cameras[i],
                    mm_strerror(err));
        else
            json_array_append_new(list, json_pack("{s:s, s:s, s:i}", "id", id, "camera",
                                                  q->cameras[i], "segments", (int)segs[i]));
    }
    if (err == MM_OK)
        MM_INFO("site hold %s placed by %s on %zu camera(s), expires in %d days", group, by,
                q->n_cameras, days);
    json_t *o = json_pack("{s:s, s:I, s:o}", "hold", group, "expires_us", (json_int_t)expires,
                          "holds", list);
    if (placed)
        *placed = o;
    else
        json_decref(o);
    return err;
}

/* --- releasing ------------------------------------------------------------------------------*/

mm_err_t edge_siteholds_release(const edge_vault_t *v, const char *id, const char *reason,
                                const char *by, int64_t now_us, size_t *released, uint32_t *erased,
                                char *why, size_t cap)
{
    size_t n = 0;
    uint32_t gone = 0;
    if (released)
        *released = 0;
    if (erased)
        *erased = 0;
    int group = 0;
    if (!id || site_id(id, &group) != 0) {
        edge_hold_row_t h;
        if (id && mm_id_ok(id) && edge_vault_hold_get(v, id, &h) == MM_OK)
            return mm_errf(MM_EDENIED, why, cap,
                           "hold %s is a disclosure request's: it is released with its request "
                           "(mimamori-edge disclosure release)",
                           id);
        return mm_errf(MM_ENOTFOUND, why, cap, "no site hold %.63s", id ? id : "");
    }
    if (!reason || !*reason)
        reason = "released by the manager";
    if (strlen(reason) >= MM_TEXT_MAX || !mm_utf8_valid(reason, strlen(reason)))
        return mm_errf(MM_EINVAL, why, cap, "a release's reason is UTF-8 of at most %d bytes",
                       MM_TEXT_MAX - 1);
    edge_vault_holds_t hs;
    mm_err_t err = edge_vault_holds_load(v, &hs);
    for (size_t i = 0; err == MM_OK && i < hs.n; i++) {
        const char *h = hs.h[i].id;
        char g[MM_ID_MAX];
        group_of(h, g);
        if (!edge_sitehold_is_site(h) || (group ? strcmp(g, id) : strcmp(h, id)) != 0)
            continue;
        edge_retention_report_t rep;
        err = edge_retention_release_hold_by(v, h, reason, by, now_us, &rep);
        if (err == MM_OK) {
            n++;
            gone += rep.erased;
        } else {
            mm_errf(err, why, cap, "cannot release hold %s: %s", h, mm_strerror(err));
        }
    }
    edge_vault_holds_free(&hs);
    if (err == MM_OK && n == 0)
        return mm_errf(MM_ENOTFOUND, why, cap, "no site hold %s is in force", id);
    if (released)
        *released = n;
    if (erased)
        *erased = gone;
    return err;
}

/* --- listing and the loop -------------------------------------------------------------------*/

json_t *edge_siteholds_list(const edge_vault_t *v)
{
    edge_vault_holds_t hs;
    if (edge_vault_holds_load(v, &hs) != MM_OK)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; a && i < hs.n; i++) {
        const edge_hold_row_t *h = &hs.h[i];
        int site = edge_sitehold_is_site(h->id);
        char of[MM_ID_MAX] = "";
        if (site)
            group_of(h->id, of);
        else if (is_disclosure(h->id))
            request_of(h->id, of);
        json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:I, s:I}", "id", h->id, "kind",
                              site ? "site" : "disclosure", "camera", h->camera, "from_us",
                              (json_int_t)h->start_us, "to_us", (json_int_t)h->end_us, "reason",
                              h->reason, "by", h->by, "placed_us", (json_int_t)h->placed_us,
                              "expires_us", (json_int_t)h->expires_us);
        if (o && of[0])
            json_object_set_new(o, site ? "group" : "request", json_string(of));
        if (!o || json_array_append_new(a, o) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    edge_vault_holds_free(&hs);
    return a;
}

/* Why the edge ends site hold h at now_us, into reason; 0 when it does not. */
static int due(const edge_hold_row_t *h, const edge_vault_holds_t *hs, int64_t now_us,
               char reason[MM_TEXT_MAX])
{
    if (h->expires_us && now_us >= h->expires_us) {
        snprintf(reason, MM_TEXT_MAX, EDGE_SITEHOLD_REASON_EXPIRED);
        return 1;
    }
    for (size_t i = 0; i < hs->n; i++) {
        const edge_hold_row_t *d = &hs->h[i];
        if (!is_disclosure(d->id) || strcmp(d->camera, h->camera) != 0 ||
            d->start_us > h->start_us || d->end_us < h->end_us)
            continue;
        char req[MM_ID_MAX];
        request_of(d->id, req);
        snprintf(reason, MM_TEXT_MAX, "superseded by disclosure request %s", req);
        return 1;
    }
    return 0;
}

mm_err_t edge_siteholds_tick(const edge_vault_t *v, int64_t now_us, size_t *released)
{
    *released = 0;
    edge_vault_holds_t hs;
    mm_err_t first = edge_vault_holds_load(v, &hs);
    if (first != MM_OK)
        return first;
    for (size_t i = 0; i < hs.n; i++) {
        const edge_hold_row_t *h = &hs.h[i];
        char reason[MM_TEXT_MAX];
        if (!edge_sitehold_is_site(h->id) || !due(h, &hs, now_us, reason))
            continue;
        edge_retention_report_t rep;
        mm_err_t err = edge_retention_release_hold_by(v, h->id, reason, NULL, now_us, &rep);
        if (err == MM_OK) {
            (*released)++;
            MM_INFO("site hold %s on %s released: %s (%u segments erased)", h->id, h->camera,
                    reason, rep.erased);
        } else {
            MM_ERROR("site hold %s: cannot release it (%s): %s", h->id, reason, mm_strerror(err));
            if (first == MM_OK)
                first = err;
        }
    }
    edge_vault_holds_free(&hs);
    return first;
}
