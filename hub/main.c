/*
 * mimamori-hub: verifies and mirrors the sites' signed logs, cosigns them, and serves the API.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/setup.h"
#include "hub/app.h"
#include "hub/backup.h"
#include "hub/cli.h"
#include "hub/hubconf.h"
#include "hub/setup.h"

static void usage(FILE *f)
{
    fputs("usage: mimamori-hub --config FILE [--log-level debug|info|warn|error]\n"
          "       mimamori-hub token   (a new API token and the SHA-256 the configuration keeps)\n"
          "       mimamori-hub backup --config FILE DIR   (a hot copy of the state, to a new DIR)\n"
          "       mimamori-hub restore --config FILE DIR  (a new, empty state dir from DIR)\n"
          "       mimamori-hub person add|remove|passwd|token ...  (people; mimamori-hub person)\n"
          "       mimamori-hub site add|remove ...        (sites; the running hub reloads)\n"
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

/* backup|restore --config FILE DIR (backup.h): 0 done, 1 refused or failed (the reason on
 * stderr), 2 wrong usage or a configuration that does not load. */
static int backup_or_restore(int argc, char **argv)
{
    const char *cmd = argv[1];
    if (argc != 5 || strcmp(argv[2], "--config") != 0) {
        fprintf(stderr, "usage: mimamori-hub %s --config FILE DIR\n", cmd);
        return 2;
    }
    hub_config_t cfg;
    if (hub_config_load(argv[3], &cfg) != MM_OK)
        return 2;
    char why[1024] = "";
    int restore = !strcmp(cmd, "restore");
    mm_err_t err = restore ? hub_restore_run(&cfg, argv[4], why, sizeof why)
                           : hub_backup_run(&cfg, argv[4], why, sizeof why);
    if (err != MM_OK)
        fprintf(stderr, "mimamori-hub %s: %s\n", cmd, why[0] ? why : mm_strerror(err));
    else if (restore)
        printf("restored %s into %s; start the hub\n", argv[4], cfg.state_dir);
    else
        printf("backup written to %s\n", argv[4]);
    hub_config_free(&cfg);
    return err == MM_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "token") == 0)
        return make_token();
    if (argc >= 2 && (strcmp(argv[1], "person") == 0 || strcmp(argv[1], "site") == 0))
        return hub_cli_run(argc, argv);
    if (argc >= 2 && (!strcmp(argv[1], "backup") || !strcmp(argv[1], "restore")))
        return backup_or_restore(argc, argv);
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
