/*
 * cli_passwd.c: `mimamori-edge passwd` (cli_impl.h) — a person's password for the site console,
 * asked twice on the terminal without echo (or read as one line from standard input), and the
 * TOTP secret to enrol when the edge made one: its base32 text, its otpauth:// URI and a QR code
 * drawn in the terminal, printed once and nowhere else.
 */
#include <fcntl.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "edge/cli.h"
#include "edge/cli_impl.h"
#include "edge/console_auth.h"

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

/* The new password into buf: 0, or the exit status once the problem is said. */
static int new_password(const edge_cli_opts_t *o, char *buf, size_t cap)
{
    char again[MM_PASSWORD_MAX + 2];
    if (o->password_stdin) {
        if (read_line(stdin, buf, cap) != 0) {
            fputs("mimamori-edge passwd: no password (or a longer one than 256 bytes) on standard "
                  "input\n",
                  stderr);
            return EDGE_EXIT_USAGE;
        }
    } else {
        FILE *tty = fopen("/dev/tty", "r+");
        int rc = tty ? ask(tty, "New console password: ", buf, cap) : -1;
        rc = rc == 0 ? ask(tty, "The same again: ", again, sizeof again) : rc;
        if (tty)
            fclose(tty);
        if (rc != 0) {
            fputs("mimamori-edge passwd: no password read (no terminal? use --password-stdin)\n",
                  stderr);
            return EDGE_EXIT_USAGE;
        }
        if (strcmp(buf, again) != 0) {
            fputs("mimamori-edge passwd: the two passwords differ\n", stderr);
            return EDGE_EXIT_USAGE;
        }
    }
    const char *why = mm_password_problem(buf);
    if (why) {
        fprintf(stderr, "mimamori-edge passwd: %s\n", why);
        return EDGE_EXIT_USAGE;
    }
    return EDGE_EXIT_OK;
}

/* The QR code of text in the terminal: two rows of modules a line, with half blocks. */
static void print_qr(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return;
    int w = qr->width, q = 2;
    for (int y = -q; y < w + q; y += 2) {
        fputs("  ", stdout);
        for (int x = -q; x < w + q; x++) {
            int top = y >= 0 && y < w && x >= 0 && x < w && (qr->data[y * w + x] & 1);
            int bot = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w && (qr->data[(y + 1) * w + x] & 1);
            /* dark modules print as spaces on a light terminal's inverse: light = block */
            fputs(top && bot ? " " : top ? "\u2584" : bot ? "\u2580" : "\u2588", stdout);
        }
        fputs("\n", stdout);
    }
    QRcode_free(qr);
}

static void show_passwd(json_t *r)
{
    printf("console password of %s set\n", edge_cli_str(r, "person"));
    const char *secret = edge_cli_str(r, "totp_secret");
    if (!*secret)
        return;
    printf("second factor (TOTP) to enrol in an authenticator app, shown this once:\n"
           "  secret  %s\n  URI     %s\n",
           secret, edge_cli_str(r, "otpauth_uri"));
    print_qr(edge_cli_str(r, "otpauth_uri"));
    printf("the person confirms a code from the app at their first login to the console\n");
}

static void show_unlock(json_t *r)
{
    printf("console account of %s unlocked\n", edge_cli_str(r, "person"));
}

int edge_cli_passwd(const edge_cli_opts_t *o)
{
    if (o->n_args != 1) {
        edge_cli_help(stderr, "passwd");
        return EDGE_EXIT_USAGE;
    }
    if (o->unlock)
        return edge_cli_simple(
            o, json_pack("{s:s, s:s}", "action", "passwd_unlock", "person", o->args[0]),
            show_unlock);
    char pw[MM_PASSWORD_MAX + 2];
    int rc = new_password(o, pw, sizeof pw);
    if (rc != EDGE_EXIT_OK)
        return rc;
    json_t *req =
        json_pack("{s:s, s:s, s:s}", "action", "passwd", "person", o->args[0], "password", pw);
    memset(pw, 0, sizeof pw);
    if (req && o->new_totp)
        json_object_set_new(req, "new_totp", json_true());
    return edge_cli_simple(o, req, show_passwd);
}
