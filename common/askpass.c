/*
 * askpass.c: a new password from the terminal or standard input (see askpass.h).
 */
#include "common/askpass.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>

#include "common/auth.h"

/* One line from f into buf (its newline dropped): 0, or -1 at its end or when too long. */
static int read_line(FILE *f, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, f))
        return -1;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = 0;
    else if (!feof(f))
        return -1; /* longer than cap */
    if (n && buf[n - 1] == '\r')
        buf[--n] = 0;
    return 0;
}

/* Asks on the terminal without echo. */
static int ask(FILE *tty, const char *prompt, char *buf, size_t cap)
{
    struct termios old, quiet;
    int fd = fileno(tty);
    fputs(prompt, stderr);
    fflush(stderr);
    int echo_off = tcgetattr(fd, &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    int rc = read_line(tty, buf, cap);
    if (echo_off)
        tcsetattr(fd, TCSAFLUSH, &old);
    fputs("\n", stderr);
    return rc;
}

int mm_askpass(const char *prog, const char *prompt, int from_stdin, char *buf, size_t cap)
{
    char again[MM_PASSWORD_MAX + 2];
    if (from_stdin) {
        if (read_line(stdin, buf, cap) != 0) {
            fprintf(stderr, "%s: no password (or a longer one than 256 bytes) on standard input\n",
                    prog);
            return -1;
        }
    } else {
        FILE *tty = fopen("/dev/tty", "r+");
        int rc = tty ? ask(tty, prompt, buf, cap) : -1;
        rc = rc == 0 ? ask(tty, "The same again: ", again, sizeof again) : rc;
        if (tty)
            fclose(tty);
        if (rc != 0) {
            fprintf(stderr, "%s: no password read (no terminal? use --password-stdin)\n", prog);
            return -1;
        }
        int same = strcmp(buf, again) == 0;
        memset(again, 0, sizeof again);
        if (!same) {
            fprintf(stderr, "%s: the two passwords differ\n", prog);
            return -1;
        }
    }
    const char *why = mm_password_problem(buf);
    if (why) {
        fprintf(stderr, "%s: %s\n", prog, why);
        return -1;
    }
    return 0;
}
