/*
 * fuzz_hubconf.c: hub configuration files (hub/hubconf.h) as a hand edit, a bad merge or a copy
 * from another city could leave them — the city's rules for the retention period
 * ("city_rules", R-N7.5) among the rest. Nothing may crash or hang, and every outcome must be
 * what the loader promises: MM_OK with no problem recorded and a configuration every later stage
 * can trust (sites with distinct ids, each city's rule for a policy whose text leaves the period
 * to it, with a minimum of at least a day, a maximum that is none or not below it, and a rule's
 * citation of one line), or MM_ECONFIG with at least one problem recorded, each naming the file.
 * Violations abort().
 *
 * The bytes are parsed from memory (mm_conf_load_string) as if read from /etc/mimamori/hub.json;
 * the key file it names is looked for on disk and, absent, is one more problem. So that a
 * configuration can load whole, the first run makes a key named "hub" at KEY (a directory of
 * its own under /tmp, mode 0700), which the corpus's good files name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/config.h"
#include "common/policy.h"
#include "common/tls.h"
#include "common/wire.h"
#include "hub/hubconf.h"

#define NAME "/etc/mimamori/hub.json"
#define KEY_DIR "/tmp/mm-fuzz-hubconf"
#define KEY KEY_DIR "/hub.key"

/* The key the good files name, made once (a failure only leaves them unloadable). */
static void make_key(void)
{
    static int made;
    struct stat st;
    if (made++ || stat(KEY, &st) == 0)
        return;
    mkdir(KEY_DIR, 0700);
    mm_keypair_t k;
    if (mm_keys_generate("hub", &k) == MM_OK)
        mm_keys_save(&k, KEY);
    mm_keys_wipe(&k);
}

static void check_ok(const hub_config_t *cfg)
{
    if (!cfg->name[0] || !cfg->key_file || !cfg->state_dir || !cfg->listen || !cfg->http_host)
        abort();
    /* Plain HTTP off loopback only when asked for (R-N7.7); "tls" names both files. */
    if (!cfg->tls_certificate != !cfg->tls_private_key ||
        (!cfg->tls_certificate && !cfg->insecure_http && !mm_tls_host_loopback(cfg->http_host)))
        abort();
    for (size_t i = 0; i < cfg->n_sites; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(cfg->sites[i].id, cfg->sites[j].id))
                abort();
    for (int p = 0; p < MM_POLICY_COUNT; p++) {
        const hub_city_rule_conf_t *c = &cfg->city_rules[p];
        if (!c->set)
            continue;
        if (!mm_policy_city_rule((mm_policy_t)p) || c->min_days < 1 ||
            c->min_days > MM_RETENTION_DAYS_MAX || c->max_days < 0 ||
            c->max_days > MM_RETENTION_DAYS_MAX || (c->max_days && c->max_days < c->min_days) ||
            !c->rule[0] || !memchr(c->rule, 0, sizeof c->rule))
            abort();
        for (const char *s = c->rule; *s; s++)
            if ((unsigned char)*s < 0x20)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    make_key();
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
    static hub_config_t cfg;
    mm_err_t perr = hub_config_parse(conf, &cfg);
    if (perr == MM_OK) {
        if (err != MM_OK || mm_conf_failed(conf) || mm_conf_problem_count(conf) != 0)
            abort();
        check_ok(&cfg);
    } else if (perr != MM_ECONFIG && perr != MM_ENOMEM) {
        abort();
    } else if (perr == MM_ECONFIG && !mm_conf_failed(conf)) {
        abort();
    }
    for (size_t i = 0; i < mm_conf_problem_count(conf); i++) {
        const char *p = mm_conf_problem_at(conf, i);
        if (!p || strncmp(p, NAME ": ", strlen(NAME) + 2) != 0)
            abort();
    }
    hub_config_free(&cfg);
    mm_conf_destroy(conf);
    return 0;
}
