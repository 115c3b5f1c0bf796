#!/usr/bin/python3
"""The test camera of the container images: GStreamer's RTSP server serving an H.264 test
pattern with a clock per stream, as tests/camera/testcam.c does for the build tree (the images
hold nothing from the build tree, so this is its twin through GObject introspection).

    testcam.py --port PORT [--address ADDR] --stream NAME [--stream NAME ...]

Prints "ready rtsp://ADDR:PORT/NAME" per stream once listening."""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

PATTERNS = ("smpte", "ball", "snow", "pinwheel", "bar")


def main():
    ap = argparse.ArgumentParser(description="mimamori's RTSP test camera")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--stream", action="append", required=True)
    ap.add_argument("--fps", type=int, default=10)
    ap.add_argument("--keyint", type=int, default=10)
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--height", type=int, default=240)
    ap.add_argument("--bitrate", type=int, default=500)
    a = ap.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(a.address)
    server.set_service(str(a.port))
    mounts = server.get_mount_points()
    overlay = Gst.ElementFactory.find("clockoverlay") is not None
    for i, name in enumerate(a.stream):
        text = (f'clockoverlay halignment=right valignment=bottom ! '
                f'textoverlay text="{name}" valignment=top halignment=left ! ') if overlay else ""
        launch = (f"( videotestsrc is-live=true pattern={PATTERNS[i % len(PATTERNS)]} ! "
                  f"video/x-raw,width={a.width},height={a.height},framerate={a.fps}/1 ! {text}"
                  f"x264enc tune=zerolatency speed-preset=ultrafast bitrate={a.bitrate} "
                  f"key-int-max={a.keyint} ! rtph264pay name=pay0 pt=96 config-interval=1 )")
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(True)
        mounts.add_factory("/" + name, factory)
    if server.attach(None) == 0:
        sys.exit(f"testcam.py: cannot listen on {a.address}:{a.port}")
    for name in a.stream:
        print(f"ready rtsp://{a.address}:{a.port}/{name}", flush=True)
    loop = GLib.MainLoop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    loop.run()


if __name__ == "__main__":
    main()
