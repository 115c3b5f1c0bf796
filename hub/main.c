/*
 * mimamori-hub: verifies and mirrors the sites' signed logs, cosigns them, and serves the API.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "hub/app.h"
#include "hub/cli.h"

static void usage(FILE *f)
{
    fputs("usage: mimamori-hub --config FILE [--log-level debug|info|warn|error]\n"
          "       mimamori-hub token   (a new API token and the SHA-256 the configuration keeps)\n"
          "\n"
          "Accepts the registered sites over ZeroMQ (CURVE, keys from FILE), verifies each\n"
          "batch of their signed logs, stores and cosigns what verifies, records what does not\n"
          "as findings, and serves the JSON API. Runs until SIGINT or SIGTERM.\n"
          "Exit status: 0 clean stop, 1 failure at run time, 2 configuration problem.\n"
          "The environment variable MM_LOG_LEVEL sets the log level too.\n",
          f);
}

/* A new token: 32 random bytes in hex, printed once with its SHA-256 for "people". Printed into
 * a file (mimamori-hub token >FILE), the file is made mode 0600 first: a token is a secret. */
static int make_token(void)
{
    struct stat st;
    if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) &&
        fchmod(STDOUT_FILENO, 0600) != 0) {
        perror("mimamori-hub: cannot make the token's file mode 0600");
        return 1;
    }
    uint8_t raw[32], h[32];
    char tok[65], hex[65];
    if (mm_random(raw, sizeof raw) != MM_OK) {
        fputs("mimamori-hub: no random bytes\n", stderr);
        return 1;
    }
    mm_hex_encode(raw, sizeof raw, tok, sizeof tok);
    mm_sha256(tok, strlen(tok), h);
    mm_hex_encode(h, sizeof h, hex, sizeof hex);
    printf("{\"token\": \"%s\", \"token_sha256\": \"%s\"}\n", tok, hex);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "token") == 0)
        return make_token();
    if (argc >= 2 && (strcmp(argv[1], "person") == 0 || strcmp(argv[1], "site") == 0))
        return hub_cli_run(argc, argv);
    const char *config;
    int status = mm_diag_daemon_args("hub", argc, argv, 1, usage, &config);
    if (status >= 0)
        return status;
    return hub_app_run(config);
}
