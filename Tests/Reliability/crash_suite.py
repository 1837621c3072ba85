#!/usr/bin/env python3
"""The crash suite: the real gateway, under load, killed with SIGKILL at random moments, again and again.

A child `countergate serve` takes push uploads (an ADMS terminal played here, resending what was not answered
`OK: n`, as a real one does), reads a simulated pull terminal (a test fake) that punches every few milliseconds,
takes sign-ins at the kiosk API (the hall is in sign-in mode: a second terminal never answers) and issues notices
through the API (each retried with its Idempotency-Key until it is answered 2xx), printing them on a simulated
printer (a test fake). After each kill, with the gateway dead, the store must pass `PRAGMA integrity_check` and
hold everything the child acknowledged exactly once; notice numbers must run 1..n with none skipped or reused; every
notice must have one print job. At the end a last gateway drains the queue and reads the terminal: every printed job
is on paper exactly once (two copies), every job not printed is still queued or waiting for a person, and every record
the pull terminal holds is in the store once.

Run by `scripts/crash` (200 cycles by default) and, in a short form, by the test suite (CrashSuiteEndToEndTests).
`--seed-fault skip-push-commit` starts the gateway with a test-only switch that answers push uploads without
committing them: the suite must then fail (it proves the suite can fail).

Prints a table and, with --json, one JSON object on the last line. Exit status 0 only when nothing was lost or
doubled and every check passed.
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
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from harness import free_port, read, request, wait_for

PUSH_SERIAL = "CRASHPUSH0001"
PULL_SERIAL = "CRASHPULL0001"
SIGNIN_PIN = "4821"
NUMBER = re.compile(r"第(\d{6})号")


class Hall:
    """The folder, the configuration, the simulated devices (test fakes) and the tokens."""

    def __init__(self, binary, root, work, staff_count):
        self.binary, self.root, self.work = binary, root, work
        self.data = os.path.join(work, "data")
        self.http_port, self.push_port = free_port(), free_port()
        self.env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "COUNTERGATE_CONFIG")}
        self.children = []
        profiles = os.path.join(root, "drivers", "printers")
        self.transcript = os.path.join(work, "printed.txt")
        printer_out = os.path.join(work, "printer.out")
        self.printer = self.spawn([binary, "simulate", "printer", "--port", "0", "--profiles-dir", profiles,
                                   "--transcript", self.transcript], printer_out)
        printer_port = wait_for("the simulated printer", lambda: re.search(r"tcp://127\.0\.0\.1:(\d+)", read(printer_out)),
                                30, self.printer, printer_out).group(1)
        terminal_out = os.path.join(work, "terminal.out")
        self.terminal = self.spawn([binary, "simulate", "terminal", "--port", "0", "--udp-port", "0", "--records", "300",
                                    "--punch-every", "0.02", "--serial-number", PULL_SERIAL], terminal_out)
        self.terminal_port = int(wait_for("the simulated terminal", lambda: re.search(r"tcp://127\.0\.0\.1:(\d+)", read(terminal_out)),
                                          30, self.terminal, terminal_out).group(1))
        self.config = os.path.join(work, "hall.toml")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(f"""# The crash suite's hall (Tests/Reliability/crash_suite.py)
[store]
data_dir = "data"

[http]
port = {self.http_port}

[push]
port = {self.push_port}
delay_seconds = 1
error_delay_seconds = 1

[fallback]
enter_after_seconds = 1
leave_after_seconds = 1

[attendance]
heartbeat_seconds = 1
reply_timeout_seconds = 1
pull_interval_seconds = 10
backup_interval_hours = 0

[printing]
profiles_dir = "{profiles}"

[[window]]
number = 1
name = "市场准入窗口"
department = "县市场监督管理局"

[[device]]
id = "push-terminal"
kind = "terminal"
profile = "zk-push"
address = "push:{PUSH_SERIAL}"
windows = [1]

[[device]]
id = "pull-terminal"
kind = "terminal"
profile = "zk-generic"
address = "tcp://127.0.0.1:{self.terminal_port}"
windows = [1]

[[device]]
id = "silent-terminal"
kind = "terminal"
profile = "zk-generic"
address = "tcp://127.0.0.1:1"
windows = [1]

[[device]]
id = "p1"
kind = "printer"
role = "window-1-printer"
profile = "xprinter-xp80"
address = "tcp://127.0.0.1:{printer_port}"
windows = [1]
""")
        staff = os.path.join(work, "staff.csv")
        with open(staff, "w", encoding="utf-8") as f:
            f.write("staff_id,name,window,department,roles\n")
            for i in range(staff_count):
                f.write(f"S{i:03d},职员{i:03d},1,县市场监督管理局,clerk\n")
        self.cli(["staff", "import", staff])
        self.staff = [f"S{i:03d}" for i in range(staff_count)]
        for person in self.staff:
            self.cli(["staff", "pin", "set", person], stdin=SIGNIN_PIN + "\n")
        self.clerk_token = self.cli(["token", "create", "--role", "clerk:1", "--name", "crash-window"]).strip()
        self.kiosk_token = self.cli(["token", "create", "--role", "kiosk", "--name", "crash-kiosk"]).strip()

    def spawn(self, arguments, out, env=None):
        with open(out, "w") as log:
            child = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT, cwd=self.work, env=env or self.env)
        self.children.append(child)
        return child

    def cli(self, arguments, stdin=None):
        done = subprocess.run([self.binary] + arguments + ["--config", self.config], input=stdin, capture_output=True,
                              text=True, cwd=self.work, env=self.env, timeout=120)
        if done.returncode != 0:
            raise SystemExit(f"crash suite: countergate {' '.join(arguments)} failed: {done.stderr}")
        return done.stdout

    def close(self):
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


class Load:
    """The clients: each keeps what the gateway acknowledged, and resends what it did not."""

    def __init__(self, hall, signins):
        self.hall = hall
        self.up = threading.Event()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.push_acked = []          # terminal user ids (one punch each)
        self.notices_acked = {}       # idempotency key -> (number, applicant)
        self.numbers_by_key = collections.defaultdict(set)
        self.signins_acked = []       # (sign-in id, staff id)
        self.signins_wanted = signins
        self.kiosk_queue = list(hall.staff[:signins])
        self.requests = collections.Counter()
        self.next_pin = 100000
        self.base = datetime.datetime.now() - datetime.timedelta(days=2)
        self.crashed = []             # a client that died of an exception (the suite fails)
        self.threads = [threading.Thread(target=self.guard, args=(f,), daemon=True) for f in (self.pusher, self.clerk, self.kiosk)]
        for t in self.threads:
            t.start()

    def guard(self, client):
        try:
            client()
        except BaseException as error:   # noqa: B902 (reported, and the run fails)
            self.crashed.append(f"{client.__name__}: {error!r}")

    def request(self, port, method, path, body=None, headers=None, timeout=5):
        return request(port, method, path, body, headers, timeout)

    def pusher(self):
        pending = None
        while not self.stop.is_set():
            if not self.up.wait(0.2):
                continue
            if pending is None:
                lines = []
                for _ in range(random.randint(1, 20)):
                    self.next_pin += 1
                    at = self.base + datetime.timedelta(seconds=self.next_pin - 100000)
                    lines.append((str(self.next_pin), f"{self.next_pin}\t{at:%Y-%m-%d %H:%M:%S}\t0\t1\t0\t0\t0"))
                pending = lines
            try:
                self.request(self.hall.push_port, "GET", f"/iclock/cdata?SN={PUSH_SERIAL}&options=all&pushver=2.4.1")
                status, text = self.request(self.hall.push_port, "POST", f"/iclock/cdata?SN={PUSH_SERIAL}&table=ATTLOG&Stamp=9999",
                                            body="\n".join(line for _, line in pending).encode() + b"\n",
                                            headers={"Content-Type": "text/plain"})
                self.requests["push"] += 1
            except (OSError, http.client.HTTPException):   # the gateway died mid-answer: not acknowledged
                time.sleep(0.02)
                continue
            if status == 200 and text.strip() == f"OK: {len(pending)}":
                with self.lock:
                    self.push_acked.extend(pin for pin, _ in pending)
                pending = None

    def clerk(self):
        pending = None
        count = 0
        while not self.stop.is_set():
            if not self.up.wait(0.2):
                continue
            if pending is None:
                count += 1
                pending = (f"crash-{count}", f"申请人{count}")
            key, applicant = pending
            body = json.dumps({"kind": "acceptance", "applicant": applicant, "item": "食品经营许可", "window": 1,
                               "clerk": "S000", "promisedWorkingDays": 5, "materialsReceived": ["营业执照副本"]})
            try:
                status, text = self.request(self.hall.http_port, "POST", "/api/v1/notices", body=body.encode(), headers={
                    "Authorization": f"Bearer {self.hall.clerk_token}", "Content-Type": "application/json", "Idempotency-Key": key})
                self.requests["notices"] += 1
            except (OSError, http.client.HTTPException):   # the gateway died mid-answer: not acknowledged
                time.sleep(0.02)
                continue
            if status in (200, 201):
                number = json.loads(text)["notice"]["number"]
                with self.lock:
                    self.notices_acked[key] = (number, applicant)
                    self.numbers_by_key[key].add(number)
                pending = None
            elif status >= 500 or status == 429:
                time.sleep(0.05)
            else:
                raise SystemExit(f"crash suite: the gateway refused a notice ({status}): {text}")

    def signins_left(self):
        return len(self.kiosk_queue) > 0

    def kiosk(self):
        queue = self.kiosk_queue
        while not self.stop.is_set() and queue:
            if not self.up.wait(0.2):
                continue
            person = queue[0]
            try:
                status, text = self.request(self.hall.http_port, "POST", "/api/v1/signin",
                                            body=json.dumps({"staffId": person, "pin": SIGNIN_PIN}).encode(), headers={
                                                "Authorization": f"Bearer {self.hall.kiosk_token}", "Content-Type": "application/json"},
                                            timeout=30)   # the PIN's hash is slow on purpose (seconds in a debug build)
                self.requests["sign-ins"] += 1
            except (OSError, http.client.HTTPException):   # the gateway died mid-answer: not acknowledged
                time.sleep(0.02)
                continue
            if status == 201:
                with self.lock:
                    self.signins_acked.append((json.loads(text)["signIn"]["id"], person))
                queue.pop(0)
            elif status == 409:
                queue.pop(0)      # signed in by a request whose answer was lost: stored, not acknowledged
            elif status == 429:
                time.sleep(1)
            else:
                time.sleep(0.1)   # 422: the hall is not in sign-in mode yet (the silent terminal fails after 1 s)
            time.sleep(0.05)

    def snapshot(self):
        with self.lock:
            return list(self.push_acked), dict(self.notices_acked), list(self.signins_acked), \
                {k: set(v) for k, v in self.numbers_by_key.items()}


class Checks:
    def __init__(self):
        self.failures = []
        self.kinds = set()
        self.integrity_checks = 0

    def fail(self, text, kind=None):
        """Notes a problem; a kind of problem seen after an earlier kill is noted once (its first sighting)."""
        kind = kind or text
        if kind not in self.kinds and len(self.failures) < 50:
            self.kinds.add(kind)
            self.failures.append(text)


def open_store(hall):
    path = os.path.join(hall.data, "countergate.sqlite")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)


def check_store(hall, load, checks):
    """With the gateway dead (or, at the end, stopped): what was acknowledged is there exactly once."""
    pushed, notices, signins, numbers_by_key = load.snapshot()
    db = open_store(hall)
    try:
        result = db.execute("PRAGMA integrity_check").fetchall()
        checks.integrity_checks += 1
        if result != [("ok",)]:
            checks.fail(f"integrity_check: {result[:5]}")
        punches = collections.Counter(uid for (uid,) in db.execute(
            "SELECT terminal_user_id FROM punches WHERE terminal_serial = ?", (PUSH_SERIAL,)))
        lost_push = [pin for pin in pushed if punches[pin] == 0]
        doubled_push = [pin for pin, n in punches.items() if n > 1]
        rows = db.execute("SELECT number, year, sequence, applicant, idempotency_key, id FROM notices").fetchall()
        by_key = {key: (number, applicant) for number, _, _, applicant, key, _ in rows}
        lost_notices = [key for key, (number, applicant) in notices.items() if by_key.get(key) != (number, applicant)]
        reused = [key for key, numbers in numbers_by_key.items() if len(numbers) > 1]
        numbers = collections.Counter(number for number, *_ in rows)
        doubled_notices = [n for n, c in numbers.items() if c > 1]
        by_year = collections.defaultdict(list)
        for _, year, sequence, *_ in rows:
            by_year[year].append(sequence)
        for year, sequences in by_year.items():
            if sorted(sequences) != list(range(1, len(sequences) + 1)):
                missing = sorted(set(range(1, max(sequences) + 1)) - set(sequences))[:10]
                checks.fail(f"notice numbers of {year} skip {missing}")
        jobs = collections.Counter(notice_id for (notice_id,) in db.execute(
            "SELECT notice_id FROM print_jobs WHERE notice_id IS NOT NULL"))
        for _, _, _, _, _, notice_id in rows:
            if jobs[notice_id] != 1:
                checks.fail(f"notice id {notice_id} has {jobs[notice_id]} print jobs")
        stored_signins = collections.Counter(row for row in db.execute("SELECT id, staff_id FROM sign_ins"))
        lost_signins = [s for s in signins if stored_signins[tuple(s)] == 0]
        doubled_signins = [s for s, n in collections.Counter(staff for _, staff in stored_signins.elements()).items() if n > 1]
        for name, items in (("push punches lost", lost_push), ("push punches stored twice", doubled_push),
                            ("notices lost or changed", lost_notices), ("notice numbers given to two notices", doubled_notices),
                            ("a retried notice got a second number", reused), ("sign-ins lost", lost_signins),
                            ("sign-ins stored twice", doubled_signins)):
            if items:
                checks.fail(f"{name}: {len(items)} (first: {items[:5]})", kind=name)
        return {
            "push": (len(pushed), len(pushed) - len(lost_push), len(lost_push), len(doubled_push)),
            "notices": (len(notices), len(notices) - len(lost_notices), len(lost_notices), len(doubled_notices) + len(reused)),
            "sign-ins": (len(signins), len(signins) - len(lost_signins), len(lost_signins), len(doubled_signins)),
        }
    finally:
        db.close()


def printed_pages(hall):
    """Notice number -> pages cut off the simulated printer that carry it (each copy is one page)."""
    pages = read(hall.transcript).replace("[FULL CUT]", "[PARTIAL CUT]").split("[PARTIAL CUT]")[:-1]
    counts = collections.Counter()
    for page in pages:
        found = set(NUMBER.findall(page))
        for number in found:
            counts[number] += 1
    return counts


def final_checks(hall, load, checks, gateway_out, timeout):
    """A last gateway: the queue drains, the terminal is read; then the paper and the terminal are compared."""
    gateway = hall.spawn([hall.binary, "serve", "--config", hall.config], gateway_out)
    wait_for("the last gateway to listen", lambda: "listening on http://" in read(gateway_out), 60, gateway, gateway_out)

    def drained():
        db = open_store(hall)
        try:
            return db.execute("SELECT COUNT(*) FROM print_jobs WHERE state IN ('queued', 'printing')").fetchone()[0] == 0
        finally:
            db.close()
    wait_for("the print queue to drain", drained, timeout, gateway, gateway_out)

    # What the pull terminal holds, read by pyzk (a client nobody here wrote), must all be in the store.
    import pyzk_snapshot  # noqa: E402  (beside this file)
    held = pyzk_snapshot.attendance(hall.terminal_port)

    def all_read():
        db = open_store(hall)
        try:
            stored = set(db.execute("SELECT terminal_user_id, punched_at FROM punches WHERE terminal_serial = ?", (PULL_SERIAL,)))
        finally:
            db.close()
        return all(key in stored for key in held)
    wait_for("every record the pull terminal held to be in the store", all_read, timeout, gateway, gateway_out)
    gateway.send_signal(signal.SIGTERM)
    gateway.wait(timeout=30)

    db = open_store(hall)
    try:
        pull = collections.Counter(db.execute("SELECT terminal_user_id, punched_at FROM punches WHERE terminal_serial = ?", (PULL_SERIAL,)))
        jobs = db.execute("""SELECT j.id, j.state, j.copies, n.number, COALESCE(j.last_error, '') FROM print_jobs j
                             JOIN notices n ON n.id = j.notice_id""").fetchall()
    finally:
        db.close()
    doubled_pull = [k for k, n in pull.items() if n > 1]
    if doubled_pull:
        checks.fail(f"pull punches stored twice: {doubled_pull[:5]}")

    def pages_in():
        pages = printed_pages(hall)
        return all(pages[NUMBER.search(number).group(1)] >= copies for _, state, copies, number, _ in jobs if state == "done")
    wait_for("the printer's transcript to show every printed job", pages_in, 30)
    pages = printed_pages(hall)
    states = collections.Counter()
    twice = 0
    for job_id, state, copies, number, error in jobs:
        # A job the gateway was killed in the middle of is held for a person (whether the paper came out is unknown):
        # it is never printed again on its own.
        interrupted = state == "failed" and error.startswith("the gateway stopped while printing")
        states["interrupted, held for a person" if interrupted else state] += 1
        on_paper = pages[NUMBER.search(number).group(1)]
        if on_paper > copies:
            twice += 1
            checks.fail(f"job {job_id} ({number}) is on paper {on_paper} times for {copies} copies")
        elif state == "done" and on_paper != copies:
            checks.fail(f"job {job_id} ({number}) is marked printed with {on_paper} of {copies} copies on paper")
        elif state not in ("done", "queued", "waiting") and not interrupted:
            checks.fail(f"job {job_id} ({number}) ended {state}")
    # The audit log after all the kills: the chain whole, every sealed notice, punch batch and sign-in unchanged, no
    # row outside the log, and its end where the anchor says (or past it: the anchor moves after each commit).
    audit = subprocess.run([hall.binary, "audit", "verify", "--json", "--config", hall.config], capture_output=True, text=True,
                           cwd=hall.work, env=hall.env, timeout=300)
    try:
        report = json.loads(audit.stdout)
    except ValueError:
        report = {"sound": False, "chain": audit.stdout + audit.stderr, "anchor": "?"}
    if audit.returncode != 0 or not report.get("sound"):
        checks.fail(f"audit verify after the kills: {report.get('chain')}; anchor: {report.get('anchor')}")
    return {"pull": (len(held), sum(1 for k in held if pull[k] >= 1), sum(1 for k in held if pull[k] == 0), len(doubled_pull)),
            "jobs": dict(states), "printed twice": twice, "audit": report.get("entries")}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    root = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(root, ".build", "debug", "countergate"), help="the countergate binary")
    parser.add_argument("--cycles", type=int, default=200, help="how many times the gateway is killed (200)")
    parser.add_argument("--signins", type=int, default=40, help="how many people sign in at the kiosk (40)")
    parser.add_argument("--seed", type=int, default=None, help="the random seed (printed; to repeat a run)")
    parser.add_argument("--seed-fault", choices=["skip-push-commit"], help="a test-only fault that must make the suite fail")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on the last line")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    work = tempfile.mkdtemp(prefix="cg-crash-")
    started = time.monotonic()
    hall = Hall(args.bin, root, work, max(args.signins, 1))
    load = Load(hall, args.signins)
    checks = Checks()
    gateway_out = os.path.join(work, "gateway.out")
    env = dict(hall.env)
    if args.seed_fault:
        env["COUNTERGATE_TEST_FAULT"] = args.seed_fault
    killed_starting = 0
    figures = {}
    try:
        # Before the first kill: the hall in sign-in mode (the silent terminal has failed), so the kiosk is served.
        warm = subprocess.Popen([args.bin, "serve", "--config", hall.config], stdout=open(gateway_out, "a"),
                                stderr=subprocess.STDOUT, cwd=work, env=env)

        def in_sign_in_mode():
            if not os.path.exists(os.path.join(hall.data, "countergate.sqlite")):
                return False
            db = open_store(hall)
            try:
                return db.execute("SELECT COUNT(*) FROM attendance_modes WHERE mode = 'sign-in'").fetchone()[0] > 0
            except sqlite3.OperationalError:
                return False      # not migrated yet
            finally:
                db.close()
        wait_for("the hall to enter sign-in mode (the silent terminal down)", in_sign_in_mode, 60, warm, gateway_out)
        warm.send_signal(signal.SIGKILL)
        warm.wait()
        for cycle in range(1, args.cycles + 1):
            with open(gateway_out, "a") as log:
                log.write(f"\n=== cycle {cycle} ===\n")
            before = len(read(gateway_out))
            gateway = subprocess.Popen([args.bin, "serve", "--config", hall.config], stdout=open(gateway_out, "a"),
                                       stderr=subprocess.STDOUT, cwd=work, env=env)
            if random.random() < 0.15:
                # Killed while it starts: opening the store, migrating, recovering jobs.
                time.sleep(random.uniform(0.0, 0.3))
                killed_starting += 1
            else:
                wait_for(f"the gateway to listen (cycle {cycle})", lambda: "listening on http://" in read(gateway_out)[before:],
                         60, gateway, gateway_out)
                load.up.set()
                # The moment of the kill: random, while the load goes on; now and then a longer life, so that slow
                # requests (a sign-in hashes its PIN on purpose slowly) also complete between kills.
                if random.random() < 0.25 and load.signins_left():
                    signed = len(load.snapshot()[2])
                    deadline = time.monotonic() + 20
                    while len(load.snapshot()[2]) == signed and time.monotonic() < deadline and gateway.poll() is None:
                        time.sleep(0.01)
                    time.sleep(random.uniform(0.0, 0.5))
                else:
                    time.sleep(random.uniform(0.1, 1.5))
            gateway.send_signal(signal.SIGKILL)
            gateway.wait()
            load.up.clear()
            figures = check_store(hall, load, checks)
            if cycle % 10 == 0 or cycle == args.cycles:
                push = figures["push"]
                print(f"cycle {cycle}/{args.cycles}: {push[0]} punches, {figures['notices'][0]} notices, "
                      f"{figures['sign-ins'][0]} sign-ins acknowledged; {len(checks.failures)} problems", flush=True)
        load.stop.set()
        final = final_checks(hall, load, checks, gateway_out, timeout=120)
        figures = check_store(hall, load, checks)
    finally:
        load.stop.set()
        hall.close()
    seconds = time.monotonic() - started
    rows = [("push punches", *figures["push"]), ("notices", *figures["notices"]), ("sign-ins", *figures["sign-ins"]),
            ("pull punches (the terminal's log)", *final["pull"])]
    print(f"crash suite: {args.cycles} SIGKILLs ({killed_starting} while starting) in {seconds:.0f} s, seed {seed}"
          + (f", seeded fault {args.seed_fault}" if args.seed_fault else ""))
    print(f"  {'':36}{'acknowledged':>13}{'found':>8}{'lost':>6}{'duplicated':>12}")
    for name, acked, found, lost, doubled in rows:
        print(f"  {name:36}{acked:>13}{found:>8}{lost:>6}{doubled:>12}")
    print(f"  print jobs: {final['jobs']}; on paper twice: {final['printed twice']}")
    print(f"  audit log: {final.get('audit')} entries, chain, seals and anchor checked by `countergate audit verify`")
    print(f"  integrity_check: {checks.integrity_checks} runs" + (", all ok" if not any("integrity" in f for f in checks.failures) else ", FAILED"))
    for failure in load.crashed:
        checks.fail(f"a client of the suite stopped: {failure}")
    lost = sum(r[3] for r in rows)
    doubled = sum(r[4] for r in rows) + final["printed twice"]
    verdict = "passed" if not checks.failures and lost == 0 and doubled == 0 else "FAILED"
    for failure in checks.failures:
        print(f"  problem: {failure}")
    print(f"crash suite {verdict}: lost {lost}, duplicated {doubled}")
    if args.keep or (verdict != "passed" and not args.seed_fault):
        print(f"  work folder kept: {work}")
    else:
        subprocess.run(["rm", "-rf", work])
    if args.json:
        print(json.dumps({"cycles": args.cycles, "killedWhileStarting": killed_starting, "seconds": round(seconds, 1), "seed": seed,
                          "rows": {name: {"acknowledged": a, "found": f, "lost": l, "duplicated": d} for name, a, f, l, d in rows},
                          "jobs": final["jobs"], "printedTwice": final["printed twice"], "integrityChecks": checks.integrity_checks,
                          "lost": lost, "duplicated": doubled, "problems": checks.failures, "passed": verdict == "passed"}, ensure_ascii=False))
    sys.exit(0 if verdict == "passed" else 1)


if __name__ == "__main__":
    main()
