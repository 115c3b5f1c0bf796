/*
 * mimamori-edge: records a site's cameras and sends its signed site log to the hub.
 */
#include <libavutil/log.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/diag.h"
#include "common/redact.h"
#include "common/setup.h"
#include "edge/app.h"
#include "edge/cli.h"
#include "edge/newlog.h"
#include "edge/setup.h"

static void usage(FILE *f)
{
    fputs("usage: mimamori-edge [run] --config FILE [--log-level debug|info|warn|error]\n"
          "       mimamori-edge COMMAND [OPTIONS]   (mimamori-edge help lists the commands)\n"
          "       mimamori-edge new-log --config FILE --epoch N --reason TEXT [--previous-size N]\n"
          "                         (after a lost store: the new log's first entry; see new-log)\n"
          "       mimamori-edge setup [OPTIONS]   (a site's first configuration; setup --help)\n"
          "       mimamori-edge --check-config --config FILE   (loads FILE, says what is wrong)\n"
          "\n"
          "Records every camera of the site configuration FILE into segment files, logs each\n"
          "segment in the signed site log and sends the log to the hub. Runs until SIGINT or\n"
          "SIGTERM. Exit status: 0 clean stop, 1 failure at run time, 2 configuration problem.\n"
          "The environment variable MM_LOG_LEVEL sets the log level too.\n",
          f);
}

/* libav's warnings and errors, through diag.h with any URL in them redacted: a library's message
 * may name the camera's URL, password and all (redact.h). */
static void av_log_redacted(void *avcl, int level, const char *fmt, va_list vl)
{
    static int prefix = 1; /* libav's own state for split lines; it calls from one thread at a
                              time per context, and a torn prefix costs a cosmetic line */
    char line[MM_REDACT_MAX], shown[MM_REDACT_MAX];
    if (level > av_log_get_level())
        return;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &prefix);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    if (n > 0)
        MM_WARN("libav: %s", mm_redact(line, shown, sizeof shown));
}

int main(int argc, char **argv)
{
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "setup") == 0)
        return edge_setup_main(argc, argv);
    int check = mm_setup_take_flag(&argc, argv, "--check-config");
    if (argc > 1 && strcmp(argv[1], "run") == 0)
        first = 2;
    else if (argc > 1 && strcmp(argv[1], "new-log") == 0)
        return edge_newlog_main(argc, argv);
    else if (argc > 1 && edge_cli_is_command(argv[1]))
        return edge_cli_main(argc, argv);
    const char *config;
    int status = mm_diag_daemon_args("edge", argc, argv, first, usage, &config);
    if (status >= 0)
        return status;
    if (check)
        return edge_setup_check(config);
    /* libav's own chatter (an encoder's settings line for each redacted export, stream
     * details) is not for the edge's log; its warnings and errors are. Ours name the camera or
     * the file and go through diag.h. */
    av_log_set_level(AV_LOG_WARNING);
    av_log_set_callback(av_log_redacted);
    /* A viewer that closes its player ends its stream with an error, not the edge. */
    signal(SIGPIPE, SIG_IGN);
    return edge_app_run(config);
}
