/*
 * reload.c: taking the people and roles again from the site configuration (see reload.h).
 */
#include "edge/reload.h"

#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "edge/governance.h"

/* The keys a reload may change: who the site's people are and their roles. */
static const char *const reload_keys[] = {"people", "manager", "operators", "contractors", NULL};

json_t *edge_reload_fixed(const char *path)
{
    mm_conf_t *conf = NULL;
    if (mm_conf_load(path, &conf) != MM_OK) {
        mm_conf_destroy(conf);
        return NULL;
    }
    json_t *root = mm_conf_root(conf);
    json_t *fixed = root ? json_deep_copy(root) : NULL;
    mm_conf_destroy(conf);
    for (size_t i = 0; fixed && reload_keys[i]; i++)
        json_object_del(fixed, reload_keys[i]);
    return fixed;
}

/* Appends key to the list in out. */
static void list_key(char *out, size_t cap, const char *key)
{
    size_t n = strlen(out);
    if (n < cap)
        snprintf(out + n, cap - n, "%s%s", n ? ", " : "", key);
}

int edge_reload_diff(json_t *a, json_t *b, char *out, size_t cap)
{
    const char *key;
    json_t *v;
    int n = 0;
    out[0] = 0;
    json_object_foreach(a, key, v)
    {
        if (!json_equal(v, json_object_get(b, key))) {
            list_key(out, cap, key);
            n++;
        }
    }
    json_object_foreach(b, key, v)
    {
        if (!json_object_get(a, key)) {
            list_key(out, cap, key);
            n++;
        }
    }
    return n;
}

/* Whether two governances name the same people with the same roles. */
static int same_people(const edge_governance_t *a, const edge_governance_t *b)
{
    if (a->n_people != b->n_people || a->manager != b->manager ||
        a->n_contractors != b->n_contractors)
        return 0;
    for (size_t i = 0; i < a->n_people; i++)
        if (strcmp(a->people[i].id, b->people[i].id) || strcmp(a->people[i].name, b->people[i].name) ||
            strcmp(a->people[i].account, b->people[i].account) ||
            a->is_operator[i] != b->is_operator[i])
            return 0;
    for (size_t i = 0; i < a->n_contractors; i++) {
        const edge_contractor_t *x = &a->contractors[i], *y = &b->contractors[i];
        if (strcmp(x->name, y->name) || x->n_staff != y->n_staff ||
            memcmp(x->staff, y->staff, x->n_staff * sizeof x->staff[0]))
            return 0;
    }
    return 1;
}

mm_err_t edge_reload(const char *path, edge_config_t *cfg, json_t *fixed, int *changed,
                     edge_governance_t *old, char *why, size_t cap)
{
    *changed = 0;
    edge_config_t next;
    if (edge_config_load(path, &next) != MM_OK)
        return mm_errf(MM_ECONFIG, why, cap, "%s does not load (its problems are above)", path);
    json_t *now = edge_reload_fixed(path);
    char keys[256];
    mm_err_t err = MM_OK;
    if (!now)
        err = mm_errf(MM_ECONFIG, why, cap, "%s cannot be read again", path);
    else if (edge_reload_diff(fixed, now, keys, sizeof keys))
        err = mm_errf(MM_ECONFIG, why, cap,
                      "%s changes %s, which only a restart takes; a reload takes people, "
                      "manager, operators and contractors",
                      path, keys);
    json_decref(now);
    if (err == MM_OK && !same_people(&cfg->gov, &next.gov)) {
        *old = cfg->gov;
        cfg->gov = next.gov;
        memset(&next.gov, 0, sizeof next.gov);
        *changed = 1;
    }
    edge_config_free(&next);
    return err;
}
