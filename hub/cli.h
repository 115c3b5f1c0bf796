/*
 * cli.h: `mimamori-hub person ...` and `mimamori-hub site ...` — the people and the sites of a
 * hub's configuration, edited by command:
 *
 *   person add ID --name NAME --role ROLE [--expires YYYY-MM-DD]   a new API token, printed once
 *   person remove ID
 *   person passwd ID [--password-stdin]    the dashboard password (Argon2id), and a TOTP secret
 *                                          when the person has none (otpauth URI and QR, once)
 *   person token ID [--expires YYYY-MM-DD] a new API token, printed once; the old one stops
 *                                          working at the reload
 *   site add ID --verifier VKEY --curve-public Z85 [--existing-installer]
 *   site remove ID
 *
 * each with --config FILE. The file is read, changed, checked with the hub's own parser
 * (hub_config_parse: nothing is written when the result would not load, and every problem is
 * said), and replaced atomically (a temporary file in the same directory, fsync, rename) with
 * mode 0600. Only tokens' SHA-256 and passwords' hashes are written. Then the running hub (its
 * pid in <state_dir>/hub.pid) is sent SIGHUP and reloads (reload.h); without one, the change
 * takes effect when the hub starts.
 */
#ifndef HUB_CLI_H
#define HUB_CLI_H

/* Runs the command of argv[1..] ("person" or "site" first); the exit status (0 done, 2 usage or
 * a configuration that would not load, 1 failure). */
int hub_cli_run(int argc, char **argv);

#endif
