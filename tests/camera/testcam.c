/*
 * mimamori-testcam: simulated IP cameras for tests and the demo.
 *
 * One process serves N RTSP streams at rtsp://127.0.0.1:PORT/NAME, each H.264 from
 * videotestsrc ! x264enc through GStreamer's RTSP server. Each client gets a pipeline of its own
 * (the same pattern and clock), not one shared by all: gst-rtsp-server 1.22 aborts the process
 * when clients start a shared stream together (gst_rtsp_media_get_rates asserts on a stream with
 * no segment yet; 4 to 5 times in 60 starts with four clients here, none unshared). Prints
 * "ready rtsp://127.0.0.1:PORT/NAME" per stream once listening, and stops cleanly on SIGINT or
 * SIGTERM.
 *
 * With --replay FILE it is instead a server of our own that sends a file's packets (replay.h):
 * no encoding, a fraction of the CPU, for hundreds of streams.
 */
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/camera/replay.h"

#define MAX_STREAMS 64 /* as many cameras as one edge records (EDGE_MAX_CAMERAS) */

static gboolean on_signal(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static void usage(FILE *f)
{
    fputs("usage: mimamori-testcam --port PORT --stream NAME [--stream NAME ...]\n"
          "                        [--fps N] [--keyint FRAMES] [--width W --height H]\n"
          "                        [--bitrate KBPS] [--pattern NAME] [--codec h264|h265]\n"
          "                        [--auth USER:PASSWORD]\n"
          "Serves each NAME at rtsp://127.0.0.1:PORT/NAME (H.264 or H.265 test pattern with a\n"
          "clock).\n"
          "KBPS is x264enc's target bitrate (default 500); a still pattern stays below it.\n"
          "--pattern sets videotestsrc's pattern for every stream (default: a different one\n"
          "per stream); \"snow\" changes every pixel of every frame and fills any bitrate.\n"
          "--auth serves the streams only to a client that gives that user and password (RTSP\n"
          "basic authentication), as a camera with credentials does.\n"
          "mimamori-testcam --replay FILE ... serves a file instead (--replay --help).\n",
          f);
}

int main(int argc, char **argv)
{
    const char *port = NULL, *pattern = NULL, *codec = "h264", *auth = NULL;
    const char *streams[MAX_STREAMS];
    int n = 0, fps = 15, keyint = 30, width = 640, height = 360, bitrate = 500;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--replay") == 0)
            return tc_replay_main(argc, argv);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = argv[++i];
        } else if (strcmp(argv[i], "--stream") == 0 && i + 1 < argc) {
            if (n == MAX_STREAMS) {
                fprintf(stderr, "mimamori-testcam: more than %d streams\n", MAX_STREAMS);
                return 2;
            }
            streams[n++] = argv[++i];
        } else if (strcmp(argv[i], "--fps") == 0 && i + 1 < argc) {
            fps = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--keyint") == 0 && i + 1 < argc) {
            keyint = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--width") == 0 && i + 1 < argc) {
            width = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--height") == 0 && i + 1 < argc) {
            height = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--bitrate") == 0 && i + 1 < argc) {
            bitrate = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--pattern") == 0 && i + 1 < argc) {
            pattern = argv[++i];
        } else if (strcmp(argv[i], "--auth") == 0 && i + 1 < argc && strchr(argv[i + 1], ':')) {
            auth = argv[++i];
        } else if (strcmp(argv[i], "--codec") == 0 && i + 1 < argc) {
            codec = argv[++i];
        } else {
            fprintf(stderr, "mimamori-testcam: unknown or incomplete argument \"%s\"\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!port || n == 0 || fps < 1 || fps > 60 || keyint < 1 || width < 16 || height < 16 ||
        bitrate < 1 || bitrate > 100000 ||
        (strcmp(codec, "h264") != 0 && strcmp(codec, "h265") != 0)) {
        usage(stderr);
        return 2;
    }

    gst_init(&argc, &argv);
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    GstRTSPServer *server = gst_rtsp_server_new();
    gst_rtsp_server_set_address(server, "127.0.0.1");
    gst_rtsp_server_set_service(server, port);
    GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(server);
    if (auth) {
        char user[128];
        const char *colon = strchr(auth, ':');
        snprintf(user, sizeof user, "%.*s", (int)(colon - auth), auth);
        GstRTSPAuth *a = gst_rtsp_auth_new();
        GstRTSPToken *token =
            gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "user", NULL);
        gchar *basic = gst_rtsp_auth_make_basic(user, colon + 1);
        gst_rtsp_auth_add_basic(a, basic, token);
        g_free(basic);
        gst_rtsp_token_unref(token);
        gst_rtsp_server_set_auth(server, a);
        g_object_unref(a);
    }

    /* A clock and the stream's name on the picture when the pango plugin is there. */
    GstElementFactory *overlay = gst_element_factory_find("clockoverlay");
    int overlays = overlay != NULL;
    if (overlay)
        gst_object_unref(overlay);
    static const char *const patterns[] = {"smpte", "ball", "snow", "pinwheel", "bar"};
    for (int i = 0; i < n; i++) {
        char text[256] = "";
        if (overlays)
            snprintf(text, sizeof text,
                     "clockoverlay halignment=right valignment=bottom ! "
                     "textoverlay text=\"%s\" valignment=top halignment=left ! ",
                     streams[i]);
        char enc[256];
        if (strcmp(codec, "h265") == 0) /* x265enc and rtph265pay: gstreamer1.0-plugins-bad */
            snprintf(enc, sizeof enc,
                     "x265enc tune=zerolatency speed-preset=ultrafast bitrate=%d key-int-max=%d ! "
                     "rtph265pay name=pay0 pt=96 config-interval=-1",
                     bitrate, keyint);
        else
            snprintf(enc, sizeof enc,
                     "x264enc tune=zerolatency speed-preset=ultrafast bitrate=%d key-int-max=%d ! "
                     "rtph264pay name=pay0 pt=96 config-interval=1",
                     bitrate, keyint);
        char launch[1024];
        snprintf(launch, sizeof launch,
                 "( videotestsrc is-live=true pattern=%s ! "
                 "video/x-raw,width=%d,height=%d,framerate=%d/1 ! %s%s )",
                 pattern ? pattern : patterns[i % 5], width, height, fps, text, enc);
        GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
        gst_rtsp_media_factory_set_launch(factory, launch);
        gst_rtsp_media_factory_set_shared(factory, FALSE); /* see the top of this file */
        if (auth)
            gst_rtsp_media_factory_add_role(
                factory, "user", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE, NULL);
        char path[128];
        snprintf(path, sizeof path, "/%s", streams[i]);
        gst_rtsp_mount_points_add_factory(mounts, path, factory);
    }
    g_object_unref(mounts);

    if (gst_rtsp_server_attach(server, NULL) == 0) {
        fprintf(stderr, "mimamori-testcam: cannot listen on 127.0.0.1:%s\n", port);
        return 1;
    }
    for (int i = 0; i < n; i++)
        printf("ready rtsp://127.0.0.1:%s/%s\n", port, streams[i]);
    fflush(stdout);

    g_unix_signal_add(SIGINT, on_signal, loop);
    g_unix_signal_add(SIGTERM, on_signal, loop);
    g_main_loop_run(loop);
    g_object_unref(server);
    g_main_loop_unref(loop);
    return 0;
}
