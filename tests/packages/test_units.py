"""packages: every systemd unit under packaging/systemd passes `systemd-analyze verify` with
nothing to say (an unknown or misspelt setting is only a warning there, so any output fails
this test), and carries what the service needs: Type=notify with a watchdog, reload by SIGHUP,
the hardening settings, its directories and its credentials. ExecStart's programs are looked up
in the build tree (the units name /usr/bin, where the packages put them). Skipped, saying so,
where systemd-analyze is missing.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

BUILD = os.environ["MM_BUILD"]
SOURCE = os.environ["MM_SOURCE"]
UNITS = os.path.join(SOURCE, "packaging", "systemd")

REQUIRED = [
    "Type=notify", "WatchdogSec=", "ExecReload=/bin/kill -HUP $MAINPID", "User=mimamori",
    "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes",
    "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service",
    "SystemCallArchitectures=native", "RestrictAddressFamilies=", "StateDirectory=mimamori/",
    "RuntimeDirectory=mimamori", "ConfigurationDirectory=mimamori", "UMask=0077",
    "LoadCredential=", "RestartPreventExitStatus=2",
]


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def main():
    tool = shutil.which("systemd-analyze")
    if not tool:
        print("SKIP: systemd-analyze is not installed (Debian package systemd): the units "
              "were not verified", flush=True)
        sys.exit(77)
    units = sorted(f for f in os.listdir(UNITS) if f.endswith(".service"))
    if sorted(units) != ["mimamori-edge@.service", "mimamori-hub.service"]:
        fail(f"unexpected units: {units}")
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for u in units:
            text = open(os.path.join(UNITS, u)).read()
            for r in REQUIRED:
                if r not in text:
                    fail(f"{u} lacks {r.strip()!r}")
            for prog in re.findall(r"^ExecStart=(/usr/bin/\S+)", text, re.M):
                local = os.path.join(BUILD, os.path.basename(prog))
                if not os.access(local, os.X_OK):
                    fail(f"{u}: {prog} is not built ({local})")
            # The same unit with its program from the build tree.
            with open(os.path.join(tmp, u), "w") as f:
                f.write(text.replace("/usr/bin/", BUILD + "/"))
            names.append(os.path.join(tmp, u.replace("@.", "@site-a.")))
            if "@" in u:
                os.symlink(os.path.join(tmp, u), names[-1])
        p = subprocess.run([tool, "verify"] + names, capture_output=True, text=True)
        out = (p.stdout + p.stderr).strip()
        if p.returncode != 0 or out:
            fail(f"systemd-analyze verify (exit {p.returncode}):\n{out}")
        # The check can fail: a misspelt setting is reported.
        bad = os.path.join(tmp, "bad.service")
        with open(bad, "w") as f:
            f.write(open(os.path.join(tmp, units[1])).read().replace(
                "ProtectSystem=strict", "ProtectSystem=strictly"))
        p = subprocess.run([tool, "verify", bad], capture_output=True, text=True)
        if not (p.stdout + p.stderr).strip():
            fail("systemd-analyze verify says nothing of a wrong setting: the check is blind")
    print(f"PASS: {', '.join(units)} verified", flush=True)


if __name__ == "__main__":
    main()
