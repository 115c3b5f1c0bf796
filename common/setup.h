/*
 * setup.h: what `mimamori-hub setup` and `mimamori-edge setup` share — asking the questions of a
 * first install (from flags, from a terminal, or one answer per line on stdin so that a script
 * or a test can drive it), staging the credentials as systemd's LoadCredential= will show them,
 * and writing the configuration atomically once the daemon's own loader accepts it.
 */
#ifndef MM_SETUP_H
#define MM_SETUP_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "common/err.h"

#define MM_SETUP_MAX_OPTS 64

/* The command line of a setup: --NAME VALUE pairs (a NAME may repeat), and --yes. */
typedef struct {
    const char *name[MM_SETUP_MAX_OPTS];
    const char *value[MM_SETUP_MAX_OPTS];
    size_t n;
    int yes; /* --yes: take every default without asking */
    int tty; /* stdin is a terminal: questions are printed */
} mm_setup_t;

/* Parses argv[first..]; on a malformed line prints why and returns -1. */
int mm_setup_args(mm_setup_t *s, int argc, char **argv, int first, const char *prog);
/*
 * How `PROG setup` begins: `setup --help` prints usage to stdout (0); a malformed line prints
 * why and the usage to stderr (2); else -1, and s holds the options (argv[2..]).
 */
int mm_setup_begin(mm_setup_t *s, int argc, char **argv, const char *prog, void (*usage)(FILE *f));
/* The value of --NAME (the first when repeated), or NULL. */
const char *mm_setup_opt(const mm_setup_t *s, const char *name);
/* The i-th value of a repeated --NAME, or NULL past the last. */
const char *mm_setup_opt_nth(const mm_setup_t *s, const char *name, size_t i);

/*
 * The answer to a question: --NAME when given; else the default with --yes; else one line from
 * stdin (the question and its default printed first when stdin is a terminal; an empty line
 * takes the default). A question without a default (def NULL) is asked again on a terminal and
 * fails (NULL, a message naming --NAME) otherwise. The answer is valid until mm_setup_done.
 */
const char *mm_setup_ask(mm_setup_t *s, const char *name, const char *question, const char *def);
void mm_setup_done(mm_setup_t *s);

/* Removes the flag from argv (shifting the rest); 1 when it was there. */
int mm_setup_take_flag(int *argc, char **argv, const char *flag);

/* mkdir -p with mode (existing directories are left as they are); 0 or -1 (message printed). */
int mm_setup_mkdirs(const char *dir, unsigned mode);

/*
 * Points $CREDENTIALS_DIRECTORY at a new temporary directory holding, for each file F in dir, a
 * link named "<id>_F" — what LoadCredential=<id>:<dir> gives the service — so that the loader
 * checks the configuration as the unit will run it. mm_setup_unstage removes it. 0 or -1.
 */
int mm_setup_stage_credentials(const char *id, const char *dir, char *tmp, size_t cap);
void mm_setup_unstage_credentials(const char *tmp);

/*
 * Writes doc to path through path.new (mode 0600; owned by the user and group "mimamori" when
 * run as root and they exist), after check(path.new) returned MM_OK; on failure path is not
 * touched. 0 or -1 (message printed).
 */
int mm_setup_write_config(json_t *doc, const char *path, mm_err_t (*check)(const char *path));

/* When run as root and the user "mimamori" exists, gives it path (a key file); 0 or -1. */
int mm_setup_give(const char *path);

#endif
