/*
 * facts.c: site_facts and camera_facts entries, logged when they change (see facts.h).
 *
 * An entry is compared without its time: the bytes kept in edge.meta are those of the entry
 * encoded with time 0, as edge/coverlog.c does for coverage. Texts are copied whole or not at
 * all; a registry entry with a clipped address or a missing operator would be a false filing.
 */
#include "edge/facts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/policy.h"

/* Copies src ("" for NULL) into dst; -1 when it does not fit. */
static int put(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        return -1;
    memcpy(dst, src ? src : "", n + 1);
    return 0;
}

#define PUT(dst, src) put((dst), sizeof(dst), (src))

/* The operators in force, comma-separated, into out; -1 when they do not fit. */
static int operators_text(const edge_governance_t *g, const int *is_operator, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < g->n_people; i++) {
        if (!is_operator[i] || (int)i == g->manager)
            continue;
        size_t k = strlen(g->people[i].id);
        if (n + (n ? 1 : 0) + k >= cap)
            return -1;
        if (n)
            out[n++] = ',';
        memcpy(out + n, g->people[i].id, k + 1);
        n += k;
    }
    return 0;
}

/* The contractors as compact JSON with sorted keys, into out; MM_EINVAL when it does not fit. */
static mm_err_t contractors_text(const edge_governance_t *g, char *out, size_t cap)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < g->n_contractors; i++) {
        const edge_contractor_t *c = &g->contractors[i];
        json_t *staff = json_array();
        for (size_t k = 0; staff && k < c->n_staff; k++)
            if (json_array_append_new(staff, json_string(g->people[c->staff[k]].id)) != 0) {
                json_decref(staff);
                staff = NULL;
            }
        json_t *o =
            staff ? json_pack("{s:s, s:o}", "name", c->name ? c->name : "", "staff", staff) : NULL;
        if (!o || json_array_append_new(list, o) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    char *s = list ? json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(list);
    if (!s)
        return MM_ENOMEM;
    mm_err_t err = put(out, cap, s) == 0 ? MM_OK : MM_EINVAL;
    free(s);
    return err;
}

/* Where the site's retention bounds come from (entry.h site_facts): its policy's clause, or the
 * city's rule received, and the least and most days they allow (0: none). */
static int retention_source(const edge_config_t *cfg, const edge_city_rule_t *rule,
                            mm_site_facts_t *f)
{
    const mm_policy_rules_t *r = mm_policy_rules(cfg->policy);
    if (r && r->retention == MM_RETENTION_FROM_TEXT) {
        f->floor_days = (uint32_t)r->floor_days;
        char src[MM_TEXT_MAX];
        snprintf(src, sizeof src, "%s %s", r->text, r->retention_clause);
        return PUT(f->retention_rule, src);
    }
    if (!rule || !rule->has || rule->policy != cfg->policy)
        return 0; /* the city's rule, not yet received: none */
    f->floor_days = rule->min_days;
    f->retention_max_days = rule->max_days;
    return PUT(f->retention_rule, rule->rule) || PUT(f->city_rule, rule->id);
}

static mm_err_t site_entry(const edge_config_t *cfg, const int *is_operator,
                           const edge_city_rule_t *rule, mm_entry_t *e)
{
    const edge_governance_t *g = &cfg->gov;
    memset(e, 0, sizeof *e);
    e->kind = MM_ENTRY_SITE_FACTS;
    mm_site_facts_t *f = &e->u.site_facts;
    f->retention_days = (uint32_t)cfg->retention_days;
    f->registered_retention_days = (uint32_t)cfg->registered_retention_days;
    f->cameras = (uint32_t)cfg->n_cameras;
    f->no_night_staff = cfg->no_night_staff != 0;
    const edge_person_t *mgr = g->manager >= 0 ? &g->people[g->manager] : NULL;
    f->policy = cfg->policy;
    if (PUT(f->installer_name, g->installer_name) ||
        PUT(f->installer_address, g->installer_address) ||
        PUT(f->installer_contact, g->installer_contact) || PUT(f->purpose, g->purpose) ||
        PUT(f->storage_location, g->storage_location) ||
        PUT(f->consensus_date, g->consensus_date) ||
        PUT(f->land_permission_ref, g->land_permission_ref) ||
        PUT(f->land_permission_date, g->land_permission_date) ||
        PUT(f->manager, mgr ? mgr->id : NULL) || PUT(f->manager_name, mgr ? mgr->name : NULL) ||
        PUT(f->timezone, cfg->timezone) || retention_source(cfg, rule, f) ||
        operators_text(g, is_operator, f->operators, sizeof f->operators))
        return MM_EINVAL;
    return contractors_text(g, f->contractors, sizeof f->contractors);
}

static mm_err_t camera_entry(const edge_config_camera_t *cam, mm_entry_t *e)
{
    const edge_camera_gov_t *g = &cam->gov;
    memset(e, 0, sizeof *e);
    e->kind = MM_ENTRY_CAMERA_FACTS;
    mm_camera_facts_t *f = &e->u.camera_facts;
    f->signage_installer_shown = g->signage_installer_shown != 0;
    if (PUT(f->camera, cam->id) || PUT(f->location, g->location) || PUT(f->purpose, g->purpose) ||
        PUT(f->install_date, g->install_date) || PUT(f->signage_text, g->signage_text) ||
        PUT(f->signage_checked, g->signage_checked))
        return MM_EINVAL;
    return MM_OK;
}

/* Appends e (time now) unless it is what name last logged; *logged += 1 if appended. */
static mm_err_t log_changed(edge_store_t *st, mm_entry_t *e, const char *name, int64_t now,
                            int *logged)
{
    int appended = 0;
    mm_err_t err = edge_store_append_changed(st, e, name, now, &appended);
    *logged += appended;
    return err;
}

mm_err_t edge_facts_log(edge_store_t *st, const edge_config_t *cfg, const int *is_operator,
                        const edge_city_rule_t *rule, int64_t now, int *logged)
{
    *logged = 0;
    mm_entry_t *e = malloc(sizeof *e);
    if (!e)
        return MM_ENOMEM;
    mm_err_t err = site_entry(cfg, is_operator ? is_operator : cfg->gov.is_operator, rule, e);
    if (err == MM_OK)
        err = log_changed(st, e, "facts/site", now, logged);
    for (size_t i = 0; err == MM_OK && i < cfg->n_cameras; i++) {
        char name[MM_ID_MAX + 16];
        snprintf(name, sizeof name, "facts/camera/%s", cfg->cameras[i].id);
        err = camera_entry(&cfg->cameras[i], e);
        if (err == MM_OK)
            err = log_changed(st, e, name, now, logged);
    }
    free(e);
    return err;
}
