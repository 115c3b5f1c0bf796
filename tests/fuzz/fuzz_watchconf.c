/*
 * fuzz_watchconf.c: the "watch" object of the hub's configuration (hub/watchconf.h) as a hand
 * edit could leave it. Nothing may crash or hang, and every outcome must be what the parser
 * promises: with no problem recorded, every threshold within its documented bounds (a tolerance,
 * a skew, viewing bounds per policy, a night of at least an hour, ages of a suspension and a
 * sign, a grace); with problems, each naming the file and a key under "watch". Violations abort().
 *
 * The bytes are parsed from memory as if read from /etc/mimamori/hub.json; only the watch object
 * is read (the rest of a hub's configuration names key files, which a fuzzer must not open).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "hub/watchconf.h"

#define NAME "/etc/mimamori/hub.json"
#define MIN_US (60LL * 1000000)
#define DAY_US (1440 * MIN_US)

static void check_ok(const hub_watch_conf_t *c)
{
    if (c->erasure_tolerance_us < 0 || c->erasure_tolerance_us > 1440 * MIN_US)
        abort();
    if (c->skew_max_us < 1000000 || c->skew_max_us > 86400LL * 1000000)
        abort();
    for (int p = 0; p < MM_POLICY_COUNT; p++)
        if (c->viewing[p].viewings < 1 || c->viewing[p].viewings > 100000 ||
            c->viewing[p].footage_us < MIN_US || c->viewing[p].footage_us > 100 * DAY_US)
            abort();
    if (c->night_from < 0 || c->night_from > 23 || c->night_to < 0 || c->night_to > 23 ||
        c->night_from == c->night_to)
        abort();
    if (c->suspension_max_us < DAY_US || c->suspension_max_us > 3650 * DAY_US ||
        c->sign_check_max_us < DAY_US || c->sign_check_max_us > 3650 * DAY_US)
        abort();
    if (c->camera_count_grace_us < 0 || c->camera_count_grace_us > 8760 * 60 * MIN_US)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
    json_t *root = mm_conf_root(conf);
    if (root && json_is_object(root)) {
        hub_watch_conf_t c;
        memset(&c, 0xa5, sizeof c); /* the parser must not rely on zeroed storage */
        size_t before = mm_conf_problem_count(conf);
        hub_watch_conf_parse(conf, root, &c);
        if (mm_conf_problem_count(conf) == before)
            check_ok(&c);
        for (size_t i = before; i < mm_conf_problem_count(conf); i++) {
            const char *p = mm_conf_problem_at(conf, i);
            if (!p || strncmp(p, NAME ": watch", strlen(NAME) + 7) != 0)
                abort();
        }
    }
    mm_conf_destroy(conf);
    return 0;
}
