"""replayfile: video files for mimamori-testcam --replay, made once and kept.

    replay_file(build, codec="h264", seconds=60, width=320, height=240, fps=15, bitrate=2000,
                keyint=30, pattern="snow") -> path

encodes with GStreamer exactly as mimamori-testcam's own pipeline does (videotestsrc,
x264enc/x265enc tune=zerolatency speed-preset=ultrafast, the bitrate in kbit/s and a keyframe
every keyint frames) into an .mp4 under <build>/replay/, named after the settings; a file that is
already there is used as it is. Run as a script, it prints the path:

    /usr/bin/python3 tests/camera/replayfile.py BUILD [codec seconds width height fps bitrate
                                                       keyint pattern]
"""
import os
import subprocess
import sys


def replay_file(build, codec="h264", seconds=60, width=320, height=240, fps=15, bitrate=2000,
                keyint=30, pattern="snow"):
    out_dir = os.path.join(build, "replay")
    os.makedirs(out_dir, exist_ok=True)
    name = f"{codec}-{pattern}-{width}x{height}-{fps}fps-{bitrate}k-key{keyint}-{seconds}s.mp4"
    path = os.path.join(out_dir, name)
    if os.path.exists(path):
        return path
    if codec == "h265":
        enc = (f"x265enc tune=zerolatency speed-preset=ultrafast bitrate={bitrate} "
               f"key-int-max={keyint} ! h265parse")
    else:
        enc = (f"x264enc tune=zerolatency speed-preset=ultrafast bitrate={bitrate} "
               f"key-int-max={keyint} ! h264parse")
    tmp = f"{path}.{os.getpid()}.part"
    pipeline = (f"videotestsrc pattern={pattern} num-buffers={seconds * fps} ! "
                f"video/x-raw,width={width},height={height},framerate={fps}/1 ! {enc} ! "
                f"mp4mux ! filesink location={tmp}")
    subprocess.run(["gst-launch-1.0", "-q"] + pipeline.split(), check=True)
    os.rename(tmp, path)
    return path


if __name__ == "__main__":
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    kinds = [str, int, int, int, int, int, int, str]
    print(replay_file(a[0], *[k(v) for k, v in zip(kinds, a[1:])]))
