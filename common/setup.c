/*
 * setup.c: the shared parts of the daemons' first-install questions (see setup.h).
 */
#include "common/setup.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ANSWERS 64

static char *answers[MAX_ANSWERS];
static size_t n_answers;

int mm_setup_begin(mm_setup_t *s, int argc, char **argv, const char *prog, void (*usage)(FILE *f))
{
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (mm_setup_args(s, argc, argv, 2, prog) != 0) {
        usage(stderr);
        return 2;
    }
    return -1;
}

int mm_setup_args(mm_setup_t *s, int argc, char **argv, int first, const char *prog)
{
    memset(s, 0, sizeof *s);
    s->tty = isatty(0);
    for (int i = first; i < argc; i++) {
        if (!strcmp(argv[i], "--yes")) {
            s->yes = 1;
        } else if (!strncmp(argv[i], "--", 2) && argv[i][2] && i + 1 < argc &&
                   s->n < MM_SETUP_MAX_OPTS) {
            s->name[s->n] = argv[i] + 2;
            s->value[s->n++] = argv[++i];
        } else {
            fprintf(stderr, "%s setup: unknown or incomplete argument \"%s\"\n", prog, argv[i]);
            return -1;
        }
    }
    return 0;
}

const char *mm_setup_opt_nth(const mm_setup_t *s, const char *name, size_t i)
{
    for (size_t k = 0; k < s->n; k++)
        if (!strcmp(s->name[k], name) && i-- == 0)
            return s->value[k];
    return NULL;
}

const char *mm_setup_opt(const mm_setup_t *s, const char *name)
{
    return mm_setup_opt_nth(s, name, 0);
}

/* One line from stdin without its newline, kept until mm_setup_done; NULL at the end. */
static const char *read_line(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0 || n_answers >= MAX_ANSWERS) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    answers[n_answers++] = line;
    return line;
}

const char *mm_setup_ask(mm_setup_t *s, const char *name, const char *question, const char *def)
{
    const char *v = mm_setup_opt(s, name);
    if (v)
        return v;
    if (s->yes && def)
        return def;
    for (;;) {
        if (s->tty) {
            fprintf(stderr, "%s%s%s%s: ", question, def ? " [" : "", def ? def : "",
                    def ? "]" : "");
            fflush(stderr);
        }
        const char *line = s->yes ? NULL : read_line();
        if (line && *line)
            return line;
        if (line && def)
            return def;
        if (!line || !s->tty) {
            fprintf(stderr, "setup: no answer to \"%s\" (give --%s VALUE)\n", question, name);
            return NULL;
        }
    }
}

void mm_setup_done(mm_setup_t *s)
{
    (void)s;
    for (size_t i = 0; i < n_answers; i++)
        free(answers[i]);
    n_answers = 0;
}

int mm_setup_take_flag(int *argc, char **argv, const char *flag)
{
    for (int i = 1; i < *argc; i++)
        if (!strcmp(argv[i], flag)) {
            memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof *argv);
            (*argc)--;
            return 1;
        }
    return 0;
}

int mm_setup_mkdirs(const char *dir, unsigned mode)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, mode) != 0 && errno != EEXIST) {
                fprintf(stderr, "setup: cannot create the directory %s: %s\n", buf,
                        strerror(errno));
                return -1;
            }
            *p = c;
            if (!c)
                return 0;
        }
    }
}

int mm_setup_stage_credentials(const char *id, const char *dir, char *tmp, size_t cap)
{
    snprintf(tmp, cap, "/tmp/mimamori-setup-XXXXXX");
    if (!mkdtemp(tmp)) {
        fprintf(stderr, "setup: cannot make a temporary directory: %s\n", strerror(errno));
        return -1;
    }
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char from[4096], to[4096];
        snprintf(from, sizeof from, "%s/%s", dir, e->d_name);
        snprintf(to, sizeof to, "%s/%s_%s", tmp, id, e->d_name);
        if (symlink(from, to) != 0)
            fprintf(stderr, "setup: cannot link %s: %s\n", to, strerror(errno));
    }
    if (d)
        closedir(d);
    setenv("CREDENTIALS_DIRECTORY", tmp, 1);
    return 0;
}

void mm_setup_unstage_credentials(const char *tmp)
{
    DIR *d = opendir(tmp);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", tmp, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(tmp);
    unsetenv("CREDENTIALS_DIRECTORY");
}

int mm_setup_give(const char *path)
{
    struct passwd *pw = geteuid() == 0 ? getpwnam("mimamori") : NULL;
    if (!pw)
        return 0;
    if (chown(path, pw->pw_uid, pw->pw_gid) != 0) {
        fprintf(stderr, "setup: cannot give %s to the user mimamori: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}

int mm_setup_write_config(json_t *doc, const char *path, mm_err_t (*check)(const char *path))
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    unlink(tmp);
    mode_t old = umask(0077);
    int rc = json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    umask(old);
    if (rc != 0) {
        fprintf(stderr, "setup: cannot write %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    if (check(tmp) != MM_OK) {
        fprintf(stderr, "setup: the configuration does not load (above); %s left unchanged\n",
                path);
        unlink(tmp);
        return -1;
    }
    if (chmod(tmp, 0600) != 0 || mm_setup_give(tmp) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "setup: cannot put %s in place: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
