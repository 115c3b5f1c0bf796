/*
 * diag.h: diagnostic messages for operators (stderr), not to be confused with the site log.
 *
 * The site log (log.h) is the signed record the city relies on; this is the daemon's own
 * chatter. One line per message: time, level, component, source location, text. Lines are
 * written with a single write(2) so that threads never interleave within a line.
 */
#ifndef MM_DIAG_H
#define MM_DIAG_H

#include <stdio.h>

typedef enum { MM_DIAG_DEBUG = 0, MM_DIAG_INFO, MM_DIAG_WARN, MM_DIAG_ERROR } mm_diag_level_t;

/*
 * Sets the component name printed on every line (copied, at most 31 bytes) and the lowest level
 * written. The environment variable MM_LOG_LEVEL (debug, info, warn, error), when set, overrides
 * level. Call once at start-up, before threads start.
 */
void mm_diag_init(const char *component, mm_diag_level_t level);

/*
 * The command line both daemons take, from argv[first]: --help or -h (usage on stdout),
 * --config FILE (into *config, borrowed from argv), --log-level debug|info|warn|error; then
 * mm_diag_init(component, the level). Returns -1 when the daemon goes on, else main's exit status:
 * 0 after --help, 2 for an unknown, incomplete or missing argument (said on stderr as
 * "mimamori-<component>: ...", with the usage).
 */
int mm_diag_daemon_args(const char *component, int argc, char **argv, int first,
                        void (*usage)(FILE *f), const char **config);

void mm_diag_write(mm_diag_level_t level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define MM_DEBUG(...) mm_diag_write(MM_DIAG_DEBUG, __FILE__, __LINE__, __VA_ARGS__)
#define MM_INFO(...) mm_diag_write(MM_DIAG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define MM_WARN(...) mm_diag_write(MM_DIAG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define MM_ERROR(...) mm_diag_write(MM_DIAG_ERROR, __FILE__, __LINE__, __VA_ARGS__)

#endif
