/*
 * diag.c: one-line diagnostic messages on stderr.
 *
 * Formatting happens into a stack buffer and the line goes out in one write(2), which keeps lines
 * whole when several threads (camera readers, the loop) report at once. Long messages are cut,
 * never split. The daemons' shared command line is read here too, since it sets the level.
 */
#include "common/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static char component_name[32] = "mimamori";
static mm_diag_level_t min_level = MM_DIAG_INFO;

static const char *level_names[] = {"debug", "info", "warn", "error"};

void mm_diag_init(const char *component, mm_diag_level_t level)
{
    if (component != NULL) {
        snprintf(component_name, sizeof(component_name), "%s", component);
    }
    min_level = level;
    const char *env = getenv("MM_LOG_LEVEL");
    if (env != NULL) {
        for (int i = 0; i < 4; i++) {
            if (strcasecmp(env, level_names[i]) == 0) {
                min_level = (mm_diag_level_t)i;
            }
        }
    }
}

int mm_diag_daemon_args(const char *component, int argc, char **argv, int first,
                        void (*usage)(FILE *f), const char **config)
{
    const char *level = NULL;
    *config = NULL;
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            *config = argv[++i];
        } else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            level = argv[++i];
        } else {
            fprintf(stderr, "mimamori-%s: unknown or incomplete argument \"%s\"\n", component,
                    argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!*config) {
        fprintf(stderr, "mimamori-%s: --config FILE is required\n", component);
        usage(stderr);
        return 2;
    }
    mm_diag_level_t lv = MM_DIAG_INFO;
    if (level) {
        int found = 0;
        for (int i = 0; i < 4; i++)
            if (strcmp(level, level_names[i]) == 0) {
                lv = (mm_diag_level_t)i;
                found = 1;
            }
        if (!found) {
            fprintf(stderr, "mimamori-%s: unknown log level \"%s\"\n", component, level);
            return 2;
        }
    }
    mm_diag_init(component, lv);
    return -1;
}

void mm_diag_write(mm_diag_level_t level, const char *file, int line, const char *fmt, ...)
{
    if (level < min_level) {
        return;
    }
    char buf[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    int n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s %s:%d: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, level_names[level], component_name, base,
                     line);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof(buf)) {
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
        va_end(ap);
        if (m > 0) {
            n += m;
        }
    }
    if ((size_t)n >= sizeof(buf) - 1) {
        n = (int)sizeof(buf) - 2;
    }
    buf[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
    (void)w;
}
