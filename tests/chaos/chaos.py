"""chaos: a mimamori cluster in network namespaces (ops/cluster.sh), faults on a schedule, and
the independent check (oracle.py) at the end.

A scenario is a duration and a list of timed faults, each (seconds from the start, kind, target,
parameters). Kinds:
  cut       target's link down for `for` seconds, both ways (an edge, or the hub)
  partition nftables rules in the target edge's namespace drop what goes to and comes from the
            hub, for `for` seconds
  oneway    the same in one direction only (`dir`: "in" or "out")
  flap      the target's link down `down` s and up `up` s, `count` times
  kill      SIGKILL of the hub or an edge, restarted after `after` seconds (default 0.2)
  stop      SIGSTOP, then SIGCONT after `for` seconds
  fill      the edge's disk (a tmpfs its state lives on, Cluster(small_disk=True)) filled to
            `leave_mb` free for `for` seconds
  clock     the edge's wall clock moved by `step` seconds (MM_TEST_CLOCK_FILE, cumulative)
  backup    `mimamori-hub backup` of the running hub
  restore   the hub stopped, its latest backup restored into a new state directory, started
  tamper    one acknowledged entry's bytes changed in the edge's LMDB (python3-lmdb)
  delete    one segment file inside retention deleted
The processes run in the namespaces mm-RUN-hub and mm-RUN-eN (each edge's cameras on its own
loopback); this process moves itself into mm-RUN-ctl to reach the hub's API over the bridge.
Every test needs root; when namespaces cannot be made the scenario exits 77 saying why.
"""
import atexit
import ctypes
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

import mmtest as T

CLUSTER = os.path.join(T.SOURCE, "ops", "cluster.sh")
HUB = os.path.join(T.BUILD, "mimamori-hub")
CLONE_NEWNET = 0x40000000
US = 1000000


def skip(why):
    print(f"SKIP: {why}", flush=True)
    sys.exit(77)


def setns(ns):
    """Moves this (single-threaded) process into the network namespace ns."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            T.fail(f"setns {ns}: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)


class Cluster:
    """A hub and edges in namespaces, with the faults of a scenario applied to them."""

    def __init__(self, name, edges=2, cams_per_edge=1, segment_seconds=2, small_disk=(),
                 edge_extra=None):
        if os.geteuid() != 0:
            skip("the chaos tests make network namespaces and need root (ops/test.sh has it)")
        if not shutil.which("ip"):
            skip("no ip command here, so no namespaces (ops/bootstrap.sh installs iproute2)")
        # A missing nft is a machine to fix (ops/bootstrap.sh installs nftables), not a skip.
        T.check(shutil.which("nft"), "nft is missing: run ops/bootstrap.sh (nftables)")
        self.name = name
        self.started = time.time()
        subprocess.run([CLUSTER, "gc"])  # what a killed run (a ctest timeout) left behind
        self.id = f"{name[:12]}{os.getpid() % 100000}"
        probe = subprocess.run(["ip", "netns", "add", f"mm-{self.id}-probe"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            skip(f"cannot make a network namespace here: {probe.stderr.strip()}")
        subprocess.run(["ip", "netns", "del", f"mm-{self.id}-probe"])
        self.edges = [f"e{i + 1}" for i in range(edges)]
        out = self.sh("up", "hub", "ctl", *self.edges)
        atexit.register(self.down)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # atexit then runs
        self.ns = {}
        for line in out.splitlines():
            node, ns, addr = line.split()
            self.ns[node] = (ns, addr)
        setns(self.ns["ctl"][0])
        self.run = T.Run("chaos_" + name)
        atexit.register(self.unmount)
        self.mounts = []
        self.faults = []  # what was done, when: {"kind", "target", "start", "end", ...}
        self.kills = []  # (target, time killed in µs)
        self.t0 = time.time()
        self.hub_keys = self.run.keys("hub")
        self.sites = {e: self.run.keys(f"site-{e}") for e in self.edges}
        self.clock = {}
        self.cams = {}
        self.cam_port = {}
        self.segment_seconds = segment_seconds
        self.edge_extra = edge_extra or {}
        self.backups = []
        # Plain HTTP on the bridge, which only this run's namespaces reach.
        port = T.free_port()
        self.hub_conf = self.run.hub(self.hub_keys, list(self.sites.values()),
                                     netns=self.ns["hub"], http_port=port,
                                     http={"host": self.ns["hub"][1], "port": port,
                                           "insecure_http": True})
        for e in self.edges:
            self.cams[e] = [f"cam{k + 1}" for k in range(cams_per_edge)]
            self.clock[e] = self.run.path(f"{e}.clock")
            with open(self.clock[e], "w") as f:
                f.write("0\n")
            if e in small_disk:
                self.small_disk(e)
            self.cam_port[e] = self.run.camera(self.cams[e], name=f"cam-{e}",
                                               netns=self.ns[e])
            self.start_edge(e)

    # --- the network, through ops/cluster.sh --------------------------------------------------

    def sh(self, *args):
        p = subprocess.run([CLUSTER, args[0], self.id] + [str(a) for a in args[1:]],
                           capture_output=True, text=True)
        if p.returncode != 0:
            T.fail(f"cluster.sh {args[0]}: {p.stderr.strip()}")
        return p.stdout

    def down(self):
        if getattr(self, "run", None):
            self.run.stop_all()
        subprocess.run([CLUSTER, "down", self.id], capture_output=True)

    def small_disk(self, e, mb=48):
        d = self.run.path(f"{e}-disk")
        os.makedirs(d, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={mb}m,mode=0700", "tmpfs", d],
                           capture_output=True, text=True)
        T.check(r.returncode == 0, f"cannot mount a tmpfs for {e}: {r.stderr.strip()}")
        self.mounts.append(d)

    def unmount(self):
        for d in getattr(self, "mounts", []):
            subprocess.run(["umount", "-l", d], capture_output=True)

    # --- the processes --------------------------------------------------------------------------

    def state(self, e):
        if os.path.ismount(self.run.path(f"{e}-disk")):
            return self.run.path(f"{e}-disk", "state")
        return self.run.path(f"site-{e}-state")

    def start_edge(self, e):
        self.run.edge(self.sites[e], self.hub_keys, self.cams[e], self.cam_port[e],
                      segment_seconds=self.segment_seconds, name=f"site-{e}",
                      env={"MM_TEST_CLOCK_FILE": self.clock[e]}, netns=self.ns[e],
                      state_dir=self.state(e), **self.edge_extra)

    def start_hub(self):
        self.run.start_hub(self.hub_conf, netns=self.ns["hub"])

    def proc_name(self, target):
        return "hub" if target == "hub" else f"site-{target}"

    def restart(self, target):
        if target == "hub":
            self.start_hub()
        else:
            self.start_edge(target)

    # --- faults ----------------------------------------------------------------------------------

    def now(self):
        return time.time() - self.t0

    def note(self, kind, target, start, end, **more):
        f = {"kind": kind, "target": target, "start": round(start, 2), "end": round(end, 2),
             "start_us": int((self.t0 + start) * US), "end_us": int((self.t0 + end) * US)}
        f.update(more)
        self.faults.append(f)
        T.say(f"[{start:6.1f} s] {kind} {target} {more if more else ''}".rstrip())
        return f

    def apply(self, kind, target, **p):
        """Applies one fault now; faults with a duration block for it (the schedule runner
        runs each in a thread of its own so that they overlap as scheduled)."""
        t = self.now()
        if kind in ("cut", "partition", "oneway"):
            if kind == "cut":
                self.sh("cut", target)
            elif kind == "partition":
                self.sh("partition", target, "hub")
            else:
                self.sh("oneway", target, "hub", p["dir"])
            time.sleep(p["for"])
            self.sh("heal", target)
            self.note(kind, target, t, self.now(), **{k: v for k, v in p.items() if k != "for"})
        elif kind == "flap":
            self.sh("flap", target, p["down"], p["up"], p["count"])
            self.note(kind, target, t, self.now(), **p)
        elif kind == "kill":
            name = self.proc_name(target)
            proc = self.run.procs.get(name)
            if proc is not None and proc.poll() is None:
                os.kill(proc.pid, signal.SIGCONT)  # a stopped process dies as well
            self.run.stop(name, signal.SIGKILL)
            # On the edge's own clock, as its frame times are (a clock fault moved it).
            self.kills.append((target, int(time.time() * US) + self.clock_offset_us(target)))
            time.sleep(p.get("after", 0.2))
            self.restart(target)
            self.note(kind, target, t, self.now())
        elif kind == "stop":
            proc = self.run.procs[self.proc_name(target)]
            os.kill(proc.pid, signal.SIGSTOP)
            time.sleep(p["for"])
            os.kill(proc.pid, signal.SIGCONT)
            self.note(kind, target, t, self.now())
        elif kind == "fill":
            self.fill(target, p)
        elif kind == "clock":
            self.move_clock(target, p["step"])
            self.note(kind, target, t, t, step=p["step"])
        elif kind == "backup":
            self.backup()
            self.note(kind, target, t, self.now())
        elif kind == "restore":
            self.restore()
            self.note(kind, target, t, self.now())
        elif kind == "call":  # a probe of the scenario's own (no fault)
            self.apply_call(**p)
        elif kind in ("tamper", "delete"):
            import oracle
            what = oracle.tamper_entry(self, target) if kind == "tamper" else \
                oracle.delete_segment(self, target)
            self.note(kind, target, t, t, **what)
        else:
            T.fail(f"unknown fault {kind}")

    def fill(self, e, p):
        t = self.now()
        disk = self.run.path(f"{e}-disk")
        T.check(os.path.ismount(disk), f"fill {e}: its state is not on a disk of its own")
        st = os.statvfs(disk)
        free = st.f_bavail * st.f_frsize - p.get("leave_mb", 1) * 1024 * 1024
        ballast = os.path.join(disk, "ballast")
        with open(ballast, "wb") as f:
            f.truncate(0)
            chunk = b"\0" * (1 << 20)
            while free > 0:
                try:
                    f.write(chunk[:min(free, len(chunk))])
                    f.flush()
                except OSError:
                    break
                free -= len(chunk)
        time.sleep(p["for"])
        os.unlink(ballast)
        self.note("fill", e, t, self.now(), leave_mb=p.get("leave_mb", 1))

    def clock_offset_us(self, e):
        """How far the clock faults have moved e's wall clock (0 for the hub)."""
        if e not in self.clock:
            return 0
        with open(self.clock[e]) as f:
            return int(f.read().strip() or 0)

    def move_clock(self, e, step_s):
        with open(self.clock[e]) as f:
            cur = int(f.read().strip() or 0)
        with open(self.clock[e] + ".tmp", "w") as f:
            f.write(f"{cur + int(step_s * US)}\n")
        os.rename(self.clock[e] + ".tmp", self.clock[e])

    def backup(self):
        d = self.run.path(f"hub-backup-{len(self.backups) + 1}")
        p = subprocess.run(["ip", "netns", "exec", self.ns["hub"][0], HUB, "backup", "--config",
                            self.hub_conf, d], capture_output=True, text=True, timeout=120)
        T.check(p.returncode == 0, f"hub backup: {p.stderr.strip()}")
        self.backups.append(d)

    def restore(self):
        T.check(self.backups, "restore: no backup was taken before")
        conf = json.load(open(self.hub_conf))
        conf["state_dir"] = self.run.path(f"hub-state-r{len(self.backups)}")
        self.run.stop("hub")
        self.hub_conf = self.run.write_json(f"hub-r{len(self.backups)}.json", conf)
        p = subprocess.run([HUB, "restore", "--config", self.hub_conf, self.backups[-1]],
                           capture_output=True, text=True, timeout=120)
        T.check(p.returncode == 0, f"hub restore: {p.stderr.strip()}")
        self.start_hub()

    # --- the schedule --------------------------------------------------------------------------

    def schedule(self, duration, faults):
        """Runs the faults [(at seconds, kind, target, params)] over duration seconds while
        recording goes on; returns when every fault has ended and duration has passed."""
        self.duration = duration
        self.t0 = time.time()
        threads = []
        errors = []

        def one(kind, target, p):
            try:
                self.apply(kind, target, **p)
            except SystemExit as e:
                errors.append(f"{kind} {target}: {e}")
            except Exception as e:  # noqa: BLE001 (reported, then the scenario fails)
                errors.append(f"{kind} {target}: {e!r}")

        for at, kind, target, p in sorted(faults, key=lambda f: f[0]):
            time.sleep(max(0.0, at - self.now()))
            if kind in ("kill", "restore", "backup", "tamper", "delete", "clock", "call"):
                for th in threads:  # a restart waits for the faults in flight on it
                    if th.target == target:
                        th.join()
                one(kind, target, p)
            else:
                th = threading.Thread(target=one, args=(kind, target, p))
                th.target = target
                th.start()
                threads.append(th)
        for th in threads:
            th.join()
        self.catch_up_s = self.catch_up() if faults else None
        time.sleep(max(0.0, duration - self.now()))
        T.check(not errors, f"faults failed: {errors}")
        self.end = self.now()


    def catch_up(self, timeout=90):
        """Seconds from now until the hub holds every entry each edge has now (None: it did not
        within timeout)."""
        import oracle
        t = time.time()
        want = {e: len(oracle.edge_log(self.state(e))[0]) for e in self.edges}
        while time.time() < t + timeout:
            try:
                if all((self.run.site_size(f"site-{e}") or 0) >= want[e] for e in self.edges):
                    return round(time.time() - t, 1)
            except Exception:  # noqa: BLE001 (a hub restarting refuses connections)
                pass
            time.sleep(0.2)
        return None


def random_faults(rng, duration, edges, every=(20, 60), kinds=None):
    """A soak's schedule: one fault every 20-60 s, of a random kind and target."""
    kinds = kinds or ["partition", "oneway", "cut", "flap", "kill_hub", "kill_edge", "stop",
                      "clock"]
    out, t = [], rng.uniform(*every) / 2
    while t < duration - 20:
        k = rng.choice(kinds)
        e = rng.choice(edges)
        if k == "partition":
            out.append((t, "partition", e, {"for": rng.uniform(5, 30)}))
        elif k == "oneway":
            out.append((t, "oneway", e, {"for": rng.uniform(5, 20),
                                         "dir": rng.choice(["in", "out"])}))
        elif k == "cut":
            out.append((t, "cut", rng.choice(edges + ["hub"]), {"for": rng.uniform(3, 20)}))
        elif k == "flap":
            out.append((t, "flap", e, {"down": 1, "up": 2, "count": rng.randint(2, 5)}))
        elif k == "kill_hub":
            out.append((t, "kill", "hub", {}))
        elif k == "kill_edge":
            out.append((t, "kill", e, {}))
        elif k == "stop":
            out.append((t, "stop", rng.choice(edges + ["hub"]), {"for": rng.uniform(2, 10)}))
        elif k == "clock":
            out.append((t, "clock", e, {"step": rng.choice([-30, 30, 120])}))
        t += rng.uniform(*every)
    return out


def seeded_rng():
    seed = int(os.environ.get("MM_CHAOS_SEED") or time.time())
    T.say(f"random seed {seed} (MM_CHAOS_SEED={seed} repeats this run)")
    return random.Random(seed), seed
