/*
 * fuzz_siteconf.c: site configuration files (edge/siteconf.h, edge/governance.h) as a hand
 * edit, a bad merge or a copy from the wrong site could leave them. Nothing may crash or hang,
 * and every outcome must be what the loader promises: MM_OK with no problems recorded and a
 * configuration every later stage can trust (a manager, operators who are not the manager,
 * contractor staff who are operators, cameras with distinct ids, retention within its bounds,
 * each camera's public share at its policy's threshold), or MM_ECONFIG with at least one problem
 * recorded, each naming the file. Violations abort().
 *
 * The bytes are parsed from memory (mm_conf_load_string) as if read from /etc/mimamori/site.json;
 * relative paths resolve against /etc/mimamori by string work alone, and nothing is printed
 * (problems are only recorded; mm_conf_report is never called), so replaying is quiet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/policy.h"
#include "common/config.h"
#include "edge/siteconf.h"

#define NAME "/etc/mimamori/site.json"

static int date_ok(const char *d, int optional)
{
    size_t n = strnlen(d, EDGE_DATE_LEN);
    return n == 10 || (optional && n == 0);
}

static void check_gov(const edge_governance_t *g)
{
    if (g->n_people == 0 || g->n_people > EDGE_MAX_PEOPLE)
        abort();
    if (g->manager < 0 || (size_t)g->manager >= g->n_people)
        abort();
    if (g->is_operator[g->manager])
        abort();
    if (!g->installer_name || !g->installer_contact || !g->purpose || !g->storage_location)
        abort();
    if (!date_ok(g->consensus_date, 1) || !date_ok(g->land_permission_date, 1))
        abort();
    for (size_t i = 0; i < g->n_people; i++) {
        const edge_person_t *p = &g->people[i];
        if (!p->id[0] || !memchr(p->id, 0, sizeof p->id) || !p->name ||
            !memchr(p->account, 0, sizeof p->account))
            abort();
        for (size_t j = 0; j < i; j++)
            if (strcmp(g->people[j].id, p->id) == 0 ||
                (p->account[0] && strcmp(g->people[j].account, p->account) == 0))
                abort();
    }
    if (g->n_contractors > EDGE_MAX_CONTRACTORS)
        abort();
    for (size_t i = 0; i < g->n_contractors; i++) {
        const edge_contractor_t *c = &g->contractors[i];
        if (!c->name || c->n_staff > EDGE_MAX_PEOPLE)
            abort();
        for (size_t j = 0; j < c->n_staff; j++)
            if (c->staff[j] < 0 || (size_t)c->staff[j] >= g->n_people ||
                !g->is_operator[c->staff[j]])
                abort();
    }
}

static void check_ok(const edge_config_t *cfg)
{
    if (!cfg->site[0] || !memchr(cfg->site, 0, sizeof cfg->site))
        abort();
    /* Relative paths are joined to /etc/mimamori; absolute ones are kept. */
    const char *paths[] = {cfg->key_file, cfg->state_dir, cfg->control_socket};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        if (!paths[i] || paths[i][0] != '/')
            abort();
    if (strlen(cfg->control_socket) >= 108)
        abort();
    if (cfg->segment_seconds < 1 || cfg->segment_seconds > 600)
        abort();
    if (!mm_policy_rules(cfg->policy))
        abort();
    if (cfg->retention_days < 1 || cfg->retention_days < mm_policy_floor_days(cfg->policy) ||
        cfg->retention_days > cfg->registered_retention_days ||
        cfg->registered_retention_days > 3650)
        abort();
    if (cfg->min_free_mb < 1 || cfg->min_free_mb > (1 << 20))
        abort();
    if (!cfg->hub_endpoint || strlen(cfg->hub_curve_public) != MM_Z85_KEY_LEN)
        abort();
    check_gov(&cfg->gov);
    /* Every player has a name and a command that splits into words, run without a shell. */
    if (cfg->players.n > EDGE_MAX_PLAYERS)
        abort();
    for (size_t i = 0; i < cfg->players.n; i++) {
        char buf[EDGE_PLAYER_CMD_MAX], *argv[EDGE_PLAYER_WORDS_MAX];
        const edge_player_conf_t *p = &cfg->players.v[i];
        if (!p->name[0] || !memchr(p->name, 0, sizeof p->name) ||
            edge_player_words(p->command, buf, sizeof buf, argv, EDGE_PLAYER_WORDS_MAX) < 1 ||
            strpbrk(p->command, "|&;<>$`"))
            abort();
    }
    if (cfg->n_cameras == 0 || cfg->n_cameras > EDGE_MAX_CAMERAS)
        abort();
    for (size_t i = 0; i < cfg->n_cameras; i++) {
        const edge_config_camera_t *c = &cfg->cameras[i];
        if (!c->id[0] || !memchr(c->id, 0, sizeof c->id) || !c->url)
            abort();
        if (strncmp(c->url, "rtsp://", 7) != 0 && strncmp(c->url, "rtsps://", 8) != 0)
            abort();
        if (c->priority < -1000 || c->priority > 1000)
            abort();
        for (size_t j = 0; j < i; j++)
            if (strcmp(cfg->cameras[j].id, c->id) == 0)
                abort();
        const edge_camera_gov_t *g = &c->gov;
        if (!g->location || !g->purpose || !g->signage_text || !g->signage_installer_shown)
            abort();
        if (!date_ok(g->install_date, 0) || !date_ok(g->signage_checked, 0))
            abort();
        if (g->n_areas == 0 || g->n_areas > EDGE_MAX_AREAS || !g->areas)
            abort();
        for (size_t a = 0; a < g->n_areas; a++)
            if (edge_polygon_problem(&g->areas[a]))
                abort();
        const edge_coverage_t *cv = &g->coverage;
        if (!(cv->public_share >= 0 && cv->public_share <= 1))
            abort();
        if (g->threshold != mm_policy_share_threshold(cfg->policy, g->exception != NULL))
            abort();
        if (cv->public_share + 1e-9 < g->threshold)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader takes text; an embedded NUL ends it, as a C string would. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;

    mm_conf_t *conf = NULL;
    mm_err_t err = mm_conf_load_string(NAME, text, &conf);
    free(text);
    if (err == MM_ENOMEM)
        return 0;
    if (!conf || (err != MM_OK && err != MM_ECONFIG))
        abort();
    if (err == MM_ECONFIG && !mm_conf_failed(conf))
        abort();

    static edge_config_t cfg; /* large: keep it off the stack */
    memset(&cfg, 0xa5, sizeof cfg); /* the parser must not rely on a zeroed configuration */
    mm_err_t perr = edge_config_parse(conf, &cfg);
    if (perr == MM_OK) {
        if (err != MM_OK || mm_conf_failed(conf) || mm_conf_problem_count(conf) != 0)
            abort();
        check_ok(&cfg);
    } else if (perr != MM_ECONFIG || !mm_conf_failed(conf)) {
        abort();
    }
    /* Every problem names the file. */
    for (size_t i = 0; i < mm_conf_problem_count(conf); i++) {
        const char *p = mm_conf_problem_at(conf, i);
        if (!p || strncmp(p, NAME ": ", strlen(NAME) + 2) != 0)
            abort();
    }
    edge_config_free(&cfg);
    mm_conf_destroy(conf);
    return 0;
}
