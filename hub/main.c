/*
 * mimamori-hub: verifies and mirrors the sites' signed logs, cosigns them, and serves the API.
 */
#include <stdio.h>
#include <string.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/setup.h"
#include "hub/app.h"
#include "hub/setup.h"

static void usage(FILE *f)
{
    fputs("usage: mimamori-hub --config FILE [--log-level debug|info|warn|error]\n"
          "       mimamori-hub token   (a new API token and the SHA-256 the configuration keeps)\n"
          "       mimamori-hub setup [OPTIONS]   (a first install's configuration; setup --help)\n"
          "       mimamori-hub --check-config --config FILE   (loads FILE, says what is wrong)\n"
          "\n"
          "Accepts the registered sites over ZeroMQ (CURVE, keys from FILE), verifies each\n"
          "batch of their signed logs, stores and cosigns what verifies, records what does not\n"
          "as findings, and serves the JSON API. Runs until SIGINT or SIGTERM.\n"
          "Exit status: 0 clean stop, 1 failure at run time, 2 configuration problem.\n"
          "The environment variable MM_LOG_LEVEL sets the log level too.\n",
          f);
}

/* A new token: 32 random bytes in hex, printed once with its SHA-256 for "people". */
static int make_token(void)
{
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
    if (argc >= 2 && strcmp(argv[1], "setup") == 0)
        return hub_setup_main(argc, argv);
    int check = mm_setup_take_flag(&argc, argv, "--check-config");
    const char *config;
    int status = mm_diag_daemon_args("hub", argc, argv, 1, usage, &config);
    if (status >= 0)
        return status;
    if (check)
        return hub_setup_check(config);
    return hub_app_run(config);
}
