/*
 * askpass.h: a new password for a command-line tool (mimamori-edge passwd, mimamori-hub person
 * passwd), asked twice on the terminal without echo, or read as one line from standard input
 * (--password-stdin, for scripts and tests), and checked by mm_password_problem (auth.h).
 */
#ifndef COMMON_ASKPASS_H
#define COMMON_ASKPASS_H

#include <stddef.h>

/* The password into buf (cap bytes, MM_PASSWORD_MAX + 2 suffices): 0, or -1 once the problem
 * is written to standard error after "prog: ". */
int mm_askpass(const char *prog, const char *prompt, int from_stdin, char *buf, size_t cap);

#endif
