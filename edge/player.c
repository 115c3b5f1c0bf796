/*
 * player.c: a player process (see player.h).
 *
 * posix_spawnp rather than fork: the edge has threads, and glibc's posix_spawn reports a program
 * that cannot be executed as an error of the call itself, which is how a missing player becomes a
 * failed viewing with its reason. The child gets descriptors 0-2 and nothing else
 * (closefrom), the default disposition of SIGPIPE (the edge ignores it) and an empty signal mask.
 */
#include "edge/player.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/diag.h"

#define LINE_MAX_KEPT 200 /* bytes of its last line kept for the failure */
#define LINES_LOGGED 20   /* lines of its standard error written to the edge's log */

extern char **environ;

struct edge_player {
    char name[EDGE_PLAYER_NAME_MAX];
    char session[64];
    pid_t pid;
    int err_fd;
    int exited, status, ended_by_edge;
    char partial[LINE_MAX_KEPT]; /* the line being read */
    size_t partial_len;
    char last[LINE_MAX_KEPT]; /* the last complete, non-empty line */
    int lines;
};

static mm_err_t spawn(edge_player_t *p, const edge_player_conf_t *conf, int in_rd, int err_wr,
                      char *msg, size_t cap)
{
    char buf[EDGE_PLAYER_CMD_MAX];
    char *argv[EDGE_PLAYER_WORDS_MAX];
    if (edge_player_words(conf->command, buf, sizeof buf, argv, EDGE_PLAYER_WORDS_MAX) < 0)
        return mm_errf(MM_EINVAL, msg, cap, "player %s has no command", conf->name);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_adddup2(&fa, in_rd, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, err_wr, 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dfl);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
    int rc = posix_spawnp(&p->pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc == 0)
        return MM_OK;
    MM_WARN("playback %s: player %s (%s) cannot start: %s", p->session, conf->name, argv[0],
            strerror(rc));
    return mm_errf(rc == ENOENT                  ? MM_ENOTFOUND
                   : rc == EACCES || rc == EPERM ? MM_EDENIED
                   : rc == ENOMEM                ? MM_ENOMEM
                                                 : MM_EIO,
                   msg, cap, "player %s cannot start %s: %s", conf->name, argv[0], strerror(rc));
}

mm_err_t edge_player_start(const edge_player_conf_t *conf, const char *session, edge_player_t **out,
                           int *in_fd, char *msg, size_t cap)
{
    *out = NULL;
    *in_fd = -1;
    int in[2] = {-1, -1}, err[2] = {-1, -1};
    edge_player_t *p = calloc(1, sizeof *p);
    if (!p)
        return mm_errf(MM_ENOMEM, msg, cap, "out of memory starting player %s", conf->name);
    snprintf(p->name, sizeof p->name, "%s", conf->name);
    snprintf(p->session, sizeof p->session, "%s", session);
    p->pid = -1;
    p->err_fd = -1;
    mm_err_t e = MM_OK;
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC | O_NONBLOCK) != 0) {
        e = mm_errf(MM_EIO, msg, cap, "no pipe for player %s: %s", conf->name, strerror(errno));
        goto out;
    }
    if ((e = spawn(p, conf, in[0], err[1], msg, cap)) != MM_OK)
        goto out;
    int fl = fcntl(in[1], F_GETFL);
    fcntl(in[1], F_SETFL, fl | O_NONBLOCK);
    MM_INFO("playback %s: player %s started, pid %d", session, conf->name, (int)p->pid);
    *in_fd = in[1];
    in[1] = -1;
    p->err_fd = err[0];
    err[0] = -1;
    *out = p;
    p = NULL;
out:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0)
            close(in[i]);
        if (err[i] >= 0)
            close(err[i]);
    }
    free(p);
    return e;
}

int edge_player_err_fd(const edge_player_t *p)
{
    return p->err_fd;
}

static void line_done(edge_player_t *p)
{
    p->partial[p->partial_len] = 0;
    if (p->partial_len && strspn(p->partial, " \t\r") < p->partial_len) {
        memcpy(p->last, p->partial, p->partial_len + 1);
        if (p->lines++ < LINES_LOGGED)
            MM_WARN("playback %s: player %s: %s", p->session, p->name, p->partial);
    }
    p->partial_len = 0;
}

void edge_player_drain(edge_player_t *p)
{
    char buf[1024];
    while (p->err_fd >= 0) {
        ssize_t r = read(p->err_fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (r <= 0) { /* its end closed: the player and what it started are gone */
            line_done(p);
            close(p->err_fd);
            p->err_fd = -1;
            return;
        }
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] == '\n')
                line_done(p);
            else if (p->partial_len + 1 < sizeof p->partial && (unsigned char)buf[i] >= 0x20)
                p->partial[p->partial_len++] = buf[i];
        }
    }
}

int edge_player_exited(edge_player_t *p)
{
    if (p->exited)
        return 1;
    int st;
    pid_t r;
    do
        r = waitpid(p->pid, &st, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == p->pid || (r < 0 && errno == ECHILD)) {
        p->exited = 1;
        p->status = r == p->pid ? st : 0;
        edge_player_drain(p);
    }
    return p->exited;
}

void edge_player_end(edge_player_t *p)
{
    if (edge_player_exited(p))
        return;
    p->ended_by_edge = 1;
    kill(-p->pid, SIGTERM);
    for (int i = 0; i < 30 && !edge_player_exited(p); i++)
        nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
    if (!p->exited) {
        kill(-p->pid, SIGKILL);
        while (!edge_player_exited(p))
            nanosleep(&(struct timespec){0, 5 * 1000000}, NULL);
    }
}

int edge_player_failed(const edge_player_t *p, char *msg, size_t cap)
{
    const char *sep = p->last[0] ? ": " : "";
    if (p->ended_by_edge || (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0))
        return 0;
    if (WIFSIGNALED(p->status))
        snprintf(msg, cap, "player %s was killed by signal %d (%s)%s%s", p->name,
                 WTERMSIG(p->status), strsignal(WTERMSIG(p->status)), sep, p->last);
    else
        snprintf(msg, cap, "player %s exited with status %d%s%s", p->name, WEXITSTATUS(p->status),
                 sep, p->last);
    return 1;
}

void edge_player_destroy(edge_player_t *p)
{
    if (!p)
        return;
    edge_player_end(p);
    if (p->err_fd >= 0)
        close(p->err_fd);
    free(p);
}
