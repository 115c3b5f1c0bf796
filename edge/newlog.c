/*
 * newlog.c: the first entry of a site's log begun anew (see newlog.h).
 */
#include "edge/newlog.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/clock.h"
#include "common/entry.h"
#include "edge/siteconf.h"
#include "edge/store.h"

static int usage(void)
{
    fputs("usage: mimamori-edge new-log --config FILE --epoch N --reason TEXT "
          "[--previous-size N]\n"
          "\n"
          "After the site's store was lost (a disk replaced), with the same key file and an\n"
          "empty state directory: writes entry 0 of a new log, log_restarted, so that the hub\n"
          "accepts the new log instead of refusing it as a fork. N is 1 for the first log begun\n"
          "anew, then 2, ... Run it before the edge first starts; then start the edge.\n",
          stderr);
    return 2;
}

static int number(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || v > max || *s == '-')
        return -1;
    *out = v;
    return 0;
}

/* Appends the entry to the empty store in dir: 0, or 1 with the reason said. */
static int write_entry(const char *dir, const mm_entry_t *e)
{
    edge_store_t *st;
    mm_err_t err = edge_store_open(dir, &st);
    if (err != MM_OK) {
        fprintf(stderr, "mimamori-edge new-log: cannot open the store in %s: %s\n", dir,
                mm_strerror(err));
        return 1;
    }
    uint64_t size = 0, index = 0;
    err = edge_store_size(st, &size);
    if (err == MM_OK && size > 0) {
        fprintf(stderr,
                "mimamori-edge new-log: the store in %s holds %" PRIu64 " entries: a log is "
                "begun anew only on an empty store (after the old one was lost)\n",
                dir, size);
        edge_store_close(st);
        return 1;
    }
    if (err == MM_OK)
        err = edge_store_append(st, e, &index);
    edge_store_close(st);
    if (err != MM_OK) {
        fprintf(stderr, "mimamori-edge new-log: cannot write the entry: %s\n", mm_strerror(err));
        return 1;
    }
    return 0;
}

int edge_newlog_main(int argc, char **argv)
{
    const char *config = NULL, *reason = NULL, *epoch_s = NULL, *prev_s = "0";
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--config"))
            config = argv[i + 1];
        else if (!strcmp(argv[i], "--epoch"))
            epoch_s = argv[i + 1];
        else if (!strcmp(argv[i], "--reason"))
            reason = argv[i + 1];
        else if (!strcmp(argv[i], "--previous-size"))
            prev_s = argv[i + 1];
        else
            return usage();
    }
    uint64_t epoch, prev;
    if (argc % 2 || !config || !reason || !epoch_s || number(epoch_s, UINT32_MAX, &epoch) ||
        epoch == 0 || number(prev_s, INT64_MAX, &prev) || !*reason || strlen(reason) >= MM_TEXT_MAX)
        return usage();
    edge_config_t cfg;
    if (edge_config_load(config, &cfg) != MM_OK)
        return 2;
    char dir[PATH_MAX];
    int n = snprintf(dir, sizeof dir, "%s/db", cfg.state_dir);
    int rc = 1;
    if (n < 0 || (size_t)n >= sizeof dir || (mkdir(cfg.state_dir, 0700) != 0 && errno != EEXIST)) {
        fprintf(stderr, "mimamori-edge new-log: cannot create %s: %s\n", cfg.state_dir,
                strerror(errno));
    } else {
        mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_LOG_RESTARTED};
        e.u.log_restarted.epoch = (uint32_t)epoch;
        e.u.log_restarted.previous_size = prev;
        snprintf(e.u.log_restarted.reason, sizeof e.u.log_restarted.reason, "%s", reason);
        rc = write_entry(dir, &e);
        if (rc == 0)
            printf("site %s: log begun anew, epoch %" PRIu64 " (entry 0 written); start the edge\n",
                   cfg.site, epoch);
    }
    edge_config_free(&cfg);
    return rc;
}
