/*
 * app.h: the hub daemon — configuration, keys, LMDB, ZAP, the edge link and HTTP on one libuv
 * loop.
 */
#ifndef HUB_APP_H
#define HUB_APP_H

/*
 * Runs the hub with the configuration at config_path until SIGINT or SIGTERM. Returns the exit
 * status: 0 after a clean stop, 2 for configuration or key problems, 1 for run-time failures.
 */
int hub_app_run(const char *config_path);

#endif
