/*
 * cli_passwd.c: `mimamori-edge passwd` (cli_impl.h) — a person's password for the site console,
 * asked twice on the terminal without echo (or read as one line from standard input), and the
 * TOTP secret to enrol when the edge made one: its base32 text, its otpauth:// URI and a QR code
 * drawn in the terminal, printed once and nowhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/askpass.h"
#include "common/qr.h"
#include "edge/cli.h"
#include "edge/cli_impl.h"
#include "edge/console_auth.h"

/* The new password into buf: 0, or the exit status once the problem is said. */
static int new_password(const edge_cli_opts_t *o, char *buf, size_t cap)
{
    return mm_askpass("mimamori-edge passwd", "New console password: ", o->password_stdin, buf,
                      cap) == 0
               ? EDGE_EXIT_OK
               : EDGE_EXIT_USAGE;
}

/* The QR code of text in the terminal (common/qr.h). */
static void print_qr(const char *text)
{
    char *qr = mm_qr_text(text);
    if (qr)
        fputs(qr, stdout);
    free(qr);
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
