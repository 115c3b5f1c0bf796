/*
 * player.h: a player process the edge starts to show footage (R-N7.3) — one of the players the
 * site's configuration names (players.h), never a command a caller makes up.
 *
 * The player runs the configured command without a shell, with the edge's environment (DISPLAY
 * and the like, as the service has them), the stream on its standard input (a pipe whose write
 * end the caller gets, non-blocking), standard output on /dev/null and standard error read by
 * the edge: its lines go to the edge's log, and the last one explains a failure. It runs in a
 * process group of its own, so that ending it ends whatever it started.
 *
 * How it ended decides whether the viewing failed: exit status 0 did not; another status, a
 * program that could not start, or a signal the edge did not send did, with why in words. A
 * player the edge ended (the viewing was stopped) did not fail.
 *
 * Everything here runs on the thread that streams (posix_spawn, safe in a threaded process).
 */
#ifndef EDGE_PLAYER_H
#define EDGE_PLAYER_H

#include <stddef.h>

#include "common/err.h"
#include "edge/players.h"

typedef struct edge_player edge_player_t;

/*
 * Starts conf's command. *in_fd is the write end of its standard input (close-on-exec,
 * non-blocking; the caller closes it when the stream ends). session names it in the log.
 * MM_ENOTFOUND (no such program), MM_EDENIED (not executable), MM_ENOMEM or MM_EIO, with why in
 * msg (cap bytes): "player ffplay cannot start: No such file or directory".
 */
mm_err_t edge_player_start(const edge_player_conf_t *conf, const char *session, edge_player_t **out,
                           int *in_fd, char *msg, size_t cap);

/* The read end of its standard error, to poll; -1 once it is closed. */
int edge_player_err_fd(const edge_player_t *p);

/* Reads what its standard error holds now without blocking: lines to the log, the last kept. */
void edge_player_drain(edge_player_t *p);

/* Whether it has exited (reaped without blocking): 1 or 0. */
int edge_player_exited(edge_player_t *p);

/* Ends it (the viewing was stopped): SIGTERM to its group, then SIGKILL if it is still there
 * after 300 ms; reaps it. What it ended with does not count as a failure. */
void edge_player_end(edge_player_t *p);

/* Once it has exited: 1 when it failed, with why in msg ("player ffplay exited with status 1:
 * <its last line on standard error>"), else 0. */
int edge_player_failed(const edge_player_t *p, char *msg, size_t cap);

/* Ends it if it still runs (edge_player_end) and frees p. Accepts NULL. */
void edge_player_destroy(edge_player_t *p);

#endif
