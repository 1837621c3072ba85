#!/usr/bin/env python3
"""The soak: the gateway for a long time at ten times a hall's load, with devices that drop, stall, reset and come back.

Part one. A hall of four windows: three pull terminals and four printers, each a simulator (a test fake) reached
through a fault-injecting TCP proxy (below), a push terminal played here, and clerks issuing notices through the API.
Every `--sample-seconds` it prints the gateway's resident memory, open descriptors (and of them sockets), threads, the
WAL's size, the print queue (waiting jobs, the oldest one's age) and the notices' issue-to-paper lag. The run fails
when memory, descriptors or the WAL keep growing instead of levelling off, or when anything acknowledged is lost.

Part two. An idle gateway with `--idle-devices` simulated devices (half terminals, half printers), nothing happening:
its resident memory and CPU share (goal: under 40 MB and 1%).

The load: the demo hall's real rhythm is a punch every 20 s at each terminal, a push upload every 20 s and a notice a
minute at each window; `--load 10` (the default) runs ten times that.

The proxy's faults, one at a time on a random device every 10-40 s (scaled by `--fault-every`), each lasting
3-20 s: `drop` (its connections closed), `reset` (its connections reset, RST), `stall` (bytes held, the connections
open), `gone` (connections closed and new ones refused: unplugged) and then back.

Run by `scripts/soak` (an hour by default); a short form runs in the test suite, which
judges growth only from long enough runs (SoakEndToEndTests). `--self-test` checks the growth judgement on made-up series.
"""
import argparse
import collections
import datetime
import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time

from harness import free_port, read, request, wait_for

PUSH_SERIAL = "SOAKPUSH0001"


# ---------------------------------------------------------------------------------------------------------------------
# Growth: does a series level off?

def levels_off(series, slack):
    """Whether a series stops growing: the highest value of its last third is no more than `slack` above the highest of
    its middle third (the first third is warm-up: caches fill, pools open). Needs 6 samples; None when fewer."""
    if len(series) < 6:
        return None
    third = len(series) // 3
    middle, last = series[third: 2 * third], series[2 * third:]
    return max(last) <= max(middle) + slack


def self_test():
    flat = [30, 34, 36, 36, 37, 36, 36, 37, 36]
    step = [20, 25, 40, 41, 41, 40, 41, 41, 41]
    leak = [30, 33, 36, 39, 42, 45, 48, 51, 54]
    slow_leak = [30 + i * 0.9 for i in range(60)]
    assert levels_off(flat, 2) is True, "a flat series levels off"
    assert levels_off(step, 2) is True, "a step early on, then flat, levels off"
    assert levels_off(leak, 2) is False, "a steady climb does not level off"
    assert levels_off(slow_leak, 2) is False, "a slow steady climb over a long run does not level off"
    assert levels_off([1, 2, 3], 2) is None, "too short to judge"
    print("soak self-test passed: flat and step series level off; steady climbs do not; short series are not judged")


# ---------------------------------------------------------------------------------------------------------------------
# The fault-injecting proxy (test harness, between the gateway and the simulators)

class FaultyLink:
    """One device's proxy: listens on a loopback port, forwards to the simulator, and misbehaves on command."""

    def __init__(self, name, upstream_port):
        self.name = name
        self.upstream = ("127.0.0.1", upstream_port)
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.lock = threading.Lock()
        self.pairs = []
        self.stalled = threading.Event()
        self.gone = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                gone = self.gone
            if gone:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    def pump(self, source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                while self.stalled.is_set():
                    time.sleep(0.05)       # a stalled link: the bytes wait here (harness, not synchronisation)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            with self.lock:
                self.pairs = [p for p in self.pairs if source not in p]

    def close_all(self, reset):
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for s in pair:
                try:
                    if reset:
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()
                except OSError:
                    pass

    def fault(self, kind, seconds, stop):
        if kind == "drop":
            self.close_all(reset=False)
        elif kind == "reset":
            self.close_all(reset=True)
        elif kind == "stall":
            self.stalled.set()
            stop.wait(seconds)
            self.stalled.clear()
        elif kind == "gone":
            with self.lock:
                self.gone = True
            self.close_all(reset=False)
            stop.wait(seconds)
            with self.lock:
                self.gone = False


def fault_injector(links, every, stop, log):
    counts = collections.Counter()
    while not stop.wait(random.uniform(10, 40) * every):
        link = random.choice(links)
        kind = random.choice(["drop", "reset", "stall", "gone"])
        seconds = random.uniform(3, 20)
        log.append(f"{time.strftime('%H:%M:%S')} {kind} {link.name} for {seconds:.0f} s")
        counts[kind] += 1
        link.fault(kind, seconds, stop)
    return counts


# ---------------------------------------------------------------------------------------------------------------------
# The processes

class Processes:
    def __init__(self, binary, work):
        self.binary, self.work, self.children = binary, work, []
        self.env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "COUNTERGATE_CONFIG")}

    def start(self, arguments, name):
        out = os.path.join(self.work, name + ".out")
        with open(out, "w") as log:
            child = subprocess.Popen([self.binary] + arguments, stdout=log, stderr=subprocess.STDOUT, cwd=self.work, env=self.env)
        self.children.append(child)
        return child, out

    def cli(self, arguments, config, stdin=None):
        done = subprocess.run([self.binary] + arguments + ["--config", config], input=stdin, capture_output=True, text=True,
                              cwd=self.work, env=self.env, timeout=120)
        if done.returncode != 0:
            raise SystemExit(f"soak: countergate {' '.join(arguments)} failed: {done.stderr}")
        return done.stdout

    def simulators(self, kind, count, extra, name):
        child, out = self.start(["simulate", kind, "--port", "0", "--count", str(count)] + extra, name)
        ports = wait_for(f"{count} simulated {kind}s", lambda: (lambda found: found if len(found) >= count else None)(
            [int(p) for p in re.findall(r"listening on tcp://127\.0\.0\.1:(\d+)", read(out))]), 120, child, out)
        return ports

    def stop_all(self):
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        self.children = []


def hall_config(path, data, http_port, push_port, profiles, terminals, printers, windows):
    lines = [f'[store]\ndata_dir = "{data}"\n', f"[http]\nport = {http_port}\n"] + ([f"[push]\nport = {push_port}\n"] if push_port else []) + \
        ["[attendance]\nbackup_interval_hours = 0\n", f'[printing]\nprofiles_dir = "{profiles}"\n']
    for w in range(1, windows + 1):
        lines.append(f'[[window]]\nnumber = {w}\nname = "{w}号窗口"\ndepartment = "县政务服务中心"\n')
    if push_port:
        lines.append(f'[[device]]\nid = "push-terminal"\nkind = "terminal"\nprofile = "zk-push"\naddress = "push:{PUSH_SERIAL}"\n')
    for i, port in enumerate(terminals, 1):
        lines.append(f'[[device]]\nid = "terminal-{i}"\nkind = "terminal"\nprofile = "zk-generic"\naddress = "tcp://127.0.0.1:{port}"\n')
    for i, port in enumerate(printers, 1):
        window = (i - 1) % windows + 1
        lines.append(f'[[device]]\nid = "printer-{i}"\nkind = "printer"\nrole = "printer-{i}"\nprofile = "xprinter-xp80"\n'
                     f'address = "tcp://127.0.0.1:{port}"\nwindows = [{window}]\n')
    with open(path, "w", encoding="utf-8") as f:
        f.write("# The soak's hall (Tests/Reliability/soak.py)\n" + "\n".join(lines))


def proc_figures(pid):
    status = read(f"/proc/{pid}/status")
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024 if "VmRSS" in status else 0.0
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1)) if "Threads" in status else 0
    fds = sockets = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            fds += 1
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    sockets += 1
            except OSError:
                pass
    except OSError:
        pass
    return rss, fds, sockets, threads


def cpu_seconds(pid):
    fields = read(f"/proc/{pid}/stat").rsplit(")", 1)[-1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------------------------------
# Part one: the soak

class Clients:
    def __init__(self, http_port, push_port, tokens, load):
        self.http_port, self.push_port, self.tokens, self.load = http_port, push_port, tokens, load
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.push_acked = []
        self.notices = {}           # key -> (number, answered at)
        self.next_pin = 500000
        self.base = datetime.datetime.now() - datetime.timedelta(days=1)
        self.threads = [threading.Thread(target=self.pusher, daemon=True)] + \
            [threading.Thread(target=self.clerk, args=(w,), daemon=True) for w in tokens]
        for t in self.threads:
            t.start()

    def request(self, port, method, path, body=None, headers=None):
        return request(port, method, path, body, headers, timeout=30)

    def pusher(self):
        pending = None
        try:
            self.request(self.push_port, "GET", f"/iclock/cdata?SN={PUSH_SERIAL}&options=all&pushver=2.4.1")
        except (OSError, http.client.HTTPException):
            pass
        while not self.stop.wait(20 / self.load):
            if pending is None:
                pending = []
                for _ in range(random.randint(1, 5)):
                    self.next_pin += 1
                    at = self.base + datetime.timedelta(seconds=self.next_pin - 500000)
                    pending.append((str(self.next_pin), f"{self.next_pin}\t{at:%Y-%m-%d %H:%M:%S}\t0\t1\t0\t0\t0"))
            try:
                status, text = self.request(self.push_port, "POST", f"/iclock/cdata?SN={PUSH_SERIAL}&table=ATTLOG&Stamp=1",
                                            body=("\n".join(l for _, l in pending) + "\n").encode())
            except (OSError, http.client.HTTPException):   # not answered: sent again, as a terminal does
                continue
            if status == 200 and text.strip() == f"OK: {len(pending)}":
                with self.lock:
                    self.push_acked.extend(p for p, _ in pending)
                pending = None

    def clerk(self, window):
        n = 0
        pending = None
        while not self.stop.wait(random.expovariate(self.load / 60)):
            if pending is None:
                n += 1
                pending = f"soak-{window}-{n}"
            body = json.dumps({"kind": "acceptance", "applicant": f"申请人{window}-{n}", "item": "食品经营许可", "window": window,
                               "clerk": f"C{window:02d}", "promisedWorkingDays": 5, "materialsReceived": ["营业执照副本"]})
            try:
                status, text = self.request(self.http_port, "POST", "/api/v1/notices", body=body.encode(), headers={
                    "Authorization": f"Bearer {self.tokens[window]}", "Content-Type": "application/json", "Idempotency-Key": pending})
            except (OSError, http.client.HTTPException):   # not answered: sent again with the same key
                continue
            if status in (200, 201):
                with self.lock:
                    self.notices[pending] = (json.loads(text)["notice"]["number"], time.time())
                pending = None


def soak(args, binary, root, work):
    procs = Processes(binary, work)
    profiles = os.path.join(root, "drivers", "printers")
    terminal_ports = procs.simulators("terminal", 3, ["--udp-port", "0", "--records", "500", "--punch-every", str(20 / args.load),
                                                      "--serial-number", "SOAKPULL"], "terminals")
    printer_ports = procs.simulators("printer", 4, ["--profiles-dir", profiles, "--transcript", os.path.join(work, "printed")], "printers")
    links = [FaultyLink(f"terminal-{i + 1}", p) for i, p in enumerate(terminal_ports)] + \
            [FaultyLink(f"printer-{i + 1}", p) for i, p in enumerate(printer_ports)]
    http_port, push_port = free_port(), free_port()
    config = os.path.join(work, "soak.toml")
    data = os.path.join(work, "data")
    hall_config(config, data, http_port, push_port, profiles, [l.port for l in links[:3]], [l.port for l in links[3:]], 4)
    staff = os.path.join(work, "staff.csv")
    with open(staff, "w", encoding="utf-8") as f:
        f.write("staff_id,name,window,department,roles\n" + "".join(f"C{w:02d},窗口{w}职员,{w},县政务服务中心,clerk\n" for w in range(1, 5)))
    procs.cli(["staff", "import", staff], config)
    tokens = {w: procs.cli(["token", "create", "--role", f"clerk:{w}", "--name", f"soak-{w}"], config).strip() for w in range(1, 5)}
    gateway, out = procs.start(["serve", "--config", config], "gateway")
    wait_for("the gateway to listen", lambda: "listening on http://" in read(out), 120, gateway, out)
    clients = Clients(http_port, push_port, tokens, args.load)
    stop = threading.Event()
    fault_log = []
    fault_counts = collections.Counter()
    injector = threading.Thread(target=lambda: fault_counts.update(fault_injector(links, args.fault_every, stop, fault_log)), daemon=True)
    injector.start()
    samples = []
    started = time.monotonic()
    db_path = os.path.join(data, "countergate.sqlite")
    print(f"soak: {args.minutes:g} min at {args.load:g}x load; a sample every {args.sample_seconds:g} s", flush=True)
    print(f"  {'min':>6}{'RSS MB':>8}{'fds':>6}{'sockets':>8}{'threads':>8}{'WAL MB':>8}{'queued':>8}{'oldest s':>9}"
          f"{'lag p50 s':>10}{'lag p99 s':>10}{'notices':>8}{'punches':>8}{'faults':>7}", flush=True)
    try:
        while True:
            elapsed = time.monotonic() - started
            if elapsed >= args.minutes * 60:
                break
            time.sleep(min(args.sample_seconds, args.minutes * 60 - elapsed))   # the sampling period (not synchronisation)
            if gateway.poll() is not None:
                raise SystemExit(f"soak: the gateway exited with {gateway.returncode}\n{read(out)[-3000:]}")
            rss, fds, sockets, threads = proc_figures(gateway.pid)
            wal = os.path.getsize(db_path + "-wal") / 1e6 if os.path.exists(db_path + "-wal") else 0.0
            db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
            now = int(time.time())
            queued, oldest = db.execute("SELECT COUNT(*), MIN(created_at) FROM print_jobs WHERE state IN ('queued', 'printing', 'waiting')").fetchone()
            lags = sorted(u - c for c, u in db.execute("SELECT created_at, updated_at FROM print_jobs WHERE state = 'done' AND updated_at >= ?",
                                                      (now - int(args.sample_seconds),)))
            punches = db.execute("SELECT COUNT(*) FROM punches").fetchone()[0]
            notices = db.execute("SELECT COUNT(*) FROM notices").fetchone()[0]
            db.close()
            sample = {"minute": round((time.monotonic() - started) / 60, 2), "rssMB": round(rss, 1), "fds": fds, "sockets": sockets,
                      "threads": threads, "walMB": round(wal, 2), "queued": queued, "oldestQueuedSeconds": (now - oldest) if oldest else 0,
                      "lagP50": lags[len(lags) // 2] if lags else 0, "lagP99": lags[min(len(lags) - 1, int(len(lags) * 0.99))] if lags else 0,
                      "notices": notices, "punches": punches, "faults": len(fault_log)}
            samples.append(sample)
            print(f"  {sample['minute']:>6.1f}{sample['rssMB']:>8.1f}{fds:>6}{sockets:>8}{threads:>8}{sample['walMB']:>8.2f}{queued:>8}"
                  f"{sample['oldestQueuedSeconds']:>9}{sample['lagP50']:>10}{sample['lagP99']:>10}{notices:>8}{punches:>8}{len(fault_log):>7}", flush=True)
    finally:
        stop.set()
        clients.stop.set()
    injector.join(timeout=30)
    # The devices come back: every link passes again; the queue must drain and everything acknowledged be stored.
    for link in links:
        link.stalled.clear()
        link.gone = False

    def drained():
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        try:
            return db.execute("SELECT COUNT(*) FROM print_jobs WHERE state IN ('queued', 'printing', 'waiting')").fetchone()[0] == 0
        finally:
            db.close()
    drain_started = time.monotonic()
    wait_for("the print queue to drain once the devices are back", drained, 300, gateway, out)
    drain_seconds = time.monotonic() - drain_started
    gateway.send_signal(signal.SIGTERM)
    status = gateway.wait(timeout=60)
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    stored_push = {uid for (uid,) in db.execute("SELECT terminal_user_id FROM punches WHERE terminal_serial = ?", (PUSH_SERIAL,))}
    stored_notices = {key: number for key, number in db.execute("SELECT idempotency_key, number FROM notices")}
    jobs = collections.Counter(state for (state,) in db.execute("SELECT state FROM print_jobs"))
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    procs.stop_all()
    lost_push = [p for p in clients.push_acked if p not in stored_push]
    lost_notices = [k for k, (n, _) in clients.notices.items() if stored_notices.get(k) != n]
    verdicts = {}
    for key, slack, unit in (("rssMB", 4.0, "MB"), ("fds", 8, ""), ("walMB", 8.0, "MB")):
        series = [s[key] for s in samples]
        verdicts[key] = levels_off(series, slack)
    problems = []
    for key, verdict in verdicts.items():
        if verdict is False:
            problems.append(f"{key} keeps growing: {[s[key] for s in samples]}")
    if lost_push:
        problems.append(f"{len(lost_push)} acknowledged push punches not stored (first {lost_push[:5]})")
    if lost_notices:
        problems.append(f"{len(lost_notices)} acknowledged notices not stored (first {lost_notices[:5]})")
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    if status != 0:
        problems.append(f"the gateway exited {status} on SIGTERM")
    return {"minutes": args.minutes, "load": args.load, "samples": samples, "faults": dict(fault_counts), "faultLog": fault_log[-20:],
            "pushAcknowledged": len(clients.push_acked), "pushLost": len(lost_push), "noticesAcknowledged": len(clients.notices),
            "noticesLost": len(lost_notices), "jobs": dict(jobs), "drainSeconds": round(drain_seconds, 1), "integrity": integrity,
            "levelsOff": verdicts, "problems": problems}


# ---------------------------------------------------------------------------------------------------------------------
# Part two: idle with many devices

def idle(args, binary, root, work):
    procs = Processes(binary, os.path.join(work))
    profiles = os.path.join(root, "drivers", "printers")
    terminals = args.idle_devices // 2
    printers = args.idle_devices - terminals
    terminal_ports = procs.simulators("terminal", terminals, ["--udp-port", "0", "--records", "100", "--serial-number", "IDLE"], "idle-terminals") if terminals else []
    printer_ports = procs.simulators("printer", printers, ["--profiles-dir", profiles], "idle-printers") if printers else []
    config = os.path.join(work, "idle.toml")
    hall_config(config, os.path.join(work, "idle-data"), free_port(), None, profiles, terminal_ports, printer_ports, max(1, printers))
    gateway, out = procs.start(["serve", "--config", config], "idle-gateway")
    wait_for("the idle gateway to listen", lambda: "listening on http://" in read(out), 120, gateway, out)
    time.sleep(args.idle_warmup)            # settling: every device connected and read once (a measured period, not a wait)
    cpu0, wall0 = cpu_seconds(gateway.pid), time.monotonic()
    time.sleep(args.idle_seconds)           # the measured idle period
    cpu1, wall1 = cpu_seconds(gateway.pid), time.monotonic()
    rss, fds, sockets, threads = proc_figures(gateway.pid)
    # RSS counts the pages of the program's files that are mapped in (the binary, the Swift runtime, Foundation and its
    # ICU data: shared with every other Swift process and dropped by the kernel under pressure); the anonymous part is
    # the gateway's own heap and stacks. Both are reported beside the RSS.
    status = read(f"/proc/{gateway.pid}/status")
    anon = int(re.search(r"RssAnon:\s+(\d+)", status).group(1)) / 1024 if "RssAnon" in status else 0.0
    files = int(re.search(r"RssFile:\s+(\d+)", status).group(1)) / 1024 if "RssFile" in status else 0.0
    alive = gateway.poll() is None
    procs.stop_all()
    cpu = (cpu1 - cpu0) / (wall1 - wall0) * 100
    return {"devices": args.idle_devices, "terminals": terminals, "printers": printers, "seconds": args.idle_seconds,
            "rssMB": round(rss, 1), "anonMB": round(anon, 1), "filesMB": round(files, 1), "cpuPercent": round(cpu, 2), "fds": fds, "sockets": sockets, "threads": threads, "alive": alive}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(root, ".build", "debug", "countergate"))
    parser.add_argument("--minutes", type=float, default=60, help="how long the soak runs (60)")
    parser.add_argument("--sample-seconds", type=float, default=60, help="a sample every this many seconds (60)")
    parser.add_argument("--load", type=float, default=10, help="times the demo hall's real load (10)")
    parser.add_argument("--fault-every", type=float, default=1.0, help="scales the gap between faults (1: every 10-40 s)")
    parser.add_argument("--idle-devices", type=int, default=100, help="devices of the idle gateway (100; 0 skips part two)")
    parser.add_argument("--idle-seconds", type=float, default=60, help="how long the idle gateway is measured (60)")
    parser.add_argument("--idle-warmup", type=float, default=30, help="settling time before the idle measurement (30)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--json", action="store_true", help="print the result as JSON on the last line")
    parser.add_argument("--self-test", action="store_true", help="check the growth judgement on made-up series and exit")
    args = parser.parse_args()
    if args.self_test:
        self_test()
        return
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    work = tempfile.mkdtemp(prefix="cg-soak-")
    result = {"seed": seed}
    result["soak"] = soak(args, args.bin, root, work) if args.minutes > 0 else None
    result["idle"] = idle(args, args.bin, root, work) if args.idle_devices > 0 else None
    problems = list(result["soak"]["problems"]) if result["soak"] else []
    s = result["soak"]
    if s:
        judged = {k: ("levels off" if v else "KEEPS GROWING" if v is False else "not judged (under 6 samples)") for k, v in s["levelsOff"].items()}
        print(f"soak: {len(s['samples'])} samples; faults {s['faults']}; memory {judged['rssMB']}, descriptors {judged['fds']}, WAL {judged['walMB']}")
        print(f"  acknowledged: {s['pushAcknowledged']} push punches ({s['pushLost']} lost), {s['noticesAcknowledged']} notices "
              f"({s['noticesLost']} lost); print jobs {s['jobs']}; queue drained {s['drainSeconds']} s after the devices came back; "
              f"integrity {s['integrity']}")
    i = result["idle"]
    if i:
        print(f"idle gateway with {i['devices']} simulated devices ({i['terminals']} terminals, {i['printers']} printers) over {i['seconds']:g} s: "
              f"RSS {i['rssMB']} MB (goal < 40: {'met' if i['rssMB'] < 40 else 'NOT met'}; of it {i['anonMB']} MB the gateway's own heap and "
              f"stacks, {i['filesMB']} MB mapped program files), CPU {i['cpuPercent']}% "
              f"(goal < 1%: {'met' if i['cpuPercent'] < 1 else 'NOT met'}), {i['sockets']} sockets, {i['threads']} threads")
        if not i["alive"]:
            problems.append("the idle gateway exited")
    for p in problems:
        print(f"  problem: {p}")
    result["passed"] = not problems
    print(f"soak {'passed' if not problems else 'FAILED'} (seed {seed}; work folder {work})")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    if not problems:
        subprocess.run(["rm", "-rf", work])
    sys.exit(0 if not problems else 1)


if __name__ == "__main__":
    main()
