/*
 * app.h: the edge daemon — configuration, keys, store, recorder and uplink on one libuv loop.
 */
#ifndef EDGE_APP_H
#define EDGE_APP_H

/*
 * Runs the edge with the configuration at config_path until SIGINT or SIGTERM.
 * Returns the process exit status: 0 after a clean stop, 2 for configuration or key problems
 * (each already reported), 1 for a failure at run time.
 */
int edge_app_run(const char *config_path);

#endif
