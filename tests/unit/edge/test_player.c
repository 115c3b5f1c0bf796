/*
 * test_player.c: a player process the edge starts (player.h; R-N7.3) — it gets the stream on its
 * standard input and nothing else, a failure says why (its status and its last line on standard
 * error, a program that cannot start), and a player the edge ends did not fail.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "edge/player.h"

static edge_player_conf_t conf(const char *name, const char *command)
{
    edge_player_conf_t c;
    snprintf(c.name, sizeof c.name, "%s", name);
    snprintf(c.command, sizeof c.command, "%s", command);
    return c;
}

/* Waits until p has exited, reading its standard error meanwhile. */
static void await_exit(edge_player_t *p)
{
    for (int i = 0; i < 500 && !edge_player_exited(p); i++) {
        struct pollfd fd = {edge_player_err_fd(p), POLLIN, 0};
        if (fd.fd >= 0 && poll(&fd, 1, 10) > 0)
            edge_player_drain(p);
        else
            nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
    }
    assert_true(edge_player_exited(p));
}

/* A player that reads the stream to its end and exits 0 did not fail. A command a shell would
 * read differently never starts. */
static void R_N7_3_a_player_reads_the_stream_and_ends_well(void **state)
{
    (void)state;
    edge_player_conf_t c = conf("copy", "cat > /tmp/mm-test-player-copy.ts");
    edge_player_t *p;
    int in;
    char msg[256] = "";
    assert_int_equal(edge_player_start(&c, "pb-1", &p, &in, msg, sizeof msg), MM_EINVAL);
    assert_null(p);
    assert_int_equal(in, -1);
    assert_int_equal(access("/tmp/mm-test-player-copy.ts", F_OK), -1);

    c = conf("cat", "cat");
    assert_int_equal(edge_player_start(&c, "pb-1", &p, &in, msg, sizeof msg), MM_OK);
    static const char data[] = "stream bytes\n";
    assert_int_equal(write(in, data, sizeof data - 1), (ssize_t)(sizeof data - 1));
    close(in);
    await_exit(p);
    assert_false(edge_player_failed(p, msg, sizeof msg));
    edge_player_destroy(p);
}

/* A player that exits non-zero failed, with its status and its last line on standard error. */
static void R_N7_3_a_failing_player_says_why(void **state)
{
    (void)state;
    edge_player_conf_t c = conf("false", "false");
    edge_player_t *p;
    int in;
    char msg[256] = "";
    assert_int_equal(edge_player_start(&c, "pb-2", &p, &in, msg, sizeof msg), MM_OK);
    close(in);
    await_exit(p);
    assert_true(edge_player_failed(p, msg, sizeof msg));
    assert_string_equal(msg, "player false exited with status 1");
    edge_player_destroy(p);

    c = conf("ls", "ls /nonexistent/mm-test-dir");
    assert_int_equal(edge_player_start(&c, "pb-3", &p, &in, msg, sizeof msg), MM_OK);
    close(in);
    await_exit(p);
    assert_true(edge_player_failed(p, msg, sizeof msg));
    if (!strstr(msg, "player ls exited with status 2: ") || !strstr(msg, "mm-test-dir"))
        fail_msg("the failure does not give ls's status and line: %s", msg);
    edge_player_destroy(p);
}

/* A program that does not exist cannot start: MM_ENOTFOUND, saying so; nothing is left open. */
static void R_N7_3_a_missing_player_cannot_start(void **state)
{
    (void)state;
    edge_player_conf_t c = conf("missing", "/nonexistent/mm-player -");
    edge_player_t *p = (edge_player_t *)&c;
    int in = 7;
    char msg[256] = "";
    assert_int_equal(edge_player_start(&c, "pb-4", &p, &in, msg, sizeof msg), MM_ENOTFOUND);
    assert_null(p);
    assert_int_equal(in, -1);
    assert_string_equal(msg, "player missing cannot start /nonexistent/mm-player: No such file or "
                             "directory");
}

/* A player the edge ends (the viewing was stopped) did not fail, even killed; one killed
 * otherwise did (here it kills its own process group, which is itself alone). */
static void R_N7_3_a_player_the_edge_ends_did_not_fail(void **state)
{
    (void)state;
    edge_player_conf_t c = conf("sleep", "sleep 30");
    edge_player_t *p;
    int in;
    char msg[256] = "";
    assert_int_equal(edge_player_start(&c, "pb-5", &p, &in, msg, sizeof msg), MM_OK);
    assert_false(edge_player_exited(p));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    edge_player_end(p);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(edge_player_exited(p));
    assert_false(edge_player_failed(p, msg, sizeof msg));
    assert_true(t1.tv_sec - t0.tv_sec < 2);
    close(in);
    edge_player_destroy(p);

    c = conf("self", "kill -s KILL 0");
    assert_int_equal(edge_player_start(&c, "pb-6", &p, &in, msg, sizeof msg), MM_OK);
    close(in);
    await_exit(p);
    assert_true(edge_player_failed(p, msg, sizeof msg));
    assert_non_null(strstr(msg, "player self was killed by signal 9"));
    edge_player_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(R_N7_3_a_player_reads_the_stream_and_ends_well),
        cmocka_unit_test(R_N7_3_a_failing_player_says_why),
        cmocka_unit_test(R_N7_3_a_missing_player_cannot_start),
        cmocka_unit_test(R_N7_3_a_player_the_edge_ends_did_not_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
