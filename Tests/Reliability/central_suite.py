#!/usr/bin/env python3
"""The county's centre under faults (docs/central.md): three halls' gateways forward to one centre (a real PostgreSQL,
a throwaway cluster) through a proxy that drops connections mid-batch; the centre is killed and restarted, one while
committing; a hall's gateway is killed while forwarding and restarted. Punches are written into each hall's store all
the while. At the end every punch is at the centre exactly once, in its hall's order, the outboxes are empty, the
watermarks are past the last punch; and batches from an unregistered hall, with another hall's token, malformed or
after a gap are refused with their status, nothing written.

    python3 Tests/Reliability/central_suite.py --bin .build/debug/countergate [--records 1500] [--halls 3] [--json]
    python3 Tests/Reliability/central_suite.py --bench [--records 100000]     # the benchmark (scripts/bench-central)

Needs PostgreSQL's server programs (Debian: postgresql) and openssl; scripts/setup --test installs them."""
import argparse
import glob
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import http.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import free_port, read, wait_for  # noqa: E402


def pg_program(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise SystemExit(f"central suite: {name} not found; install PostgreSQL's server (apt-get install postgresql; scripts/setup --test does)")
    return candidates[-1]


class Postgres:
    """A throwaway PostgreSQL cluster in a temporary folder, on a free loopback port (synchronous_commit on)."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="cg-pg-")
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:   # initdb refuses root: the cluster belongs to the postgres user
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        data = os.path.join(self.folder, "data")
        self.data = data
        self.run([pg_program("initdb"), "-D", data, "-U", "countergate", "-A", "trust", "-E", "UTF8", "--no-sync"], "initdb")

    def start(self):
        self.run([pg_program("pg_ctl"), "-D", self.data, "-l", os.path.join(self.folder, "server.log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c max_connections=200", "start"], "pg_ctl start")
        subprocess.run([pg_program("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "countergate", "countergate"], check=True,
                       capture_output=True)

    def run(self, command, what):
        done = subprocess.run(self.as_user + command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"central suite: {what} failed: {done.stdout}{done.stderr}")

    def query(self, sql):
        done = subprocess.run([pg_program("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "countergate", "-d", "countergate",
                               "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"central suite: psql failed: {done.stderr}")
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    def stop(self):
        subprocess.run(self.as_user + [pg_program("pg_ctl"), "-D", self.data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


class FaultProxy:
    """A TCP proxy (test harness) between the halls and the centre. Modes: pass; drop (each connection is cut after a
    random few kilobytes, mid-batch); refuse (connections closed at once)."""

    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.mode = "pass"
        self.cut = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()

    def serve(self, client):
        mode = self.mode
        if mode == "refuse":
            client.close()
            return
        try:
            server = socket.create_connection(("127.0.0.1", self.upstream), timeout=5)
        except OSError:
            client.close()
            return
        state = {"budget": None}

        def pump(source, target, limited):
            # The mode is looked at on every chunk: the halls keep their connections open, so a fault must reach
            # connections made before it.
            try:
                while True:
                    data = source.recv(16384)
                    if not data or self.mode == "refuse":
                        break
                    if limited and self.mode == "drop" and state["budget"] is None:
                        state["budget"] = random.randint(2000, 40000)
                    if limited and state["budget"] is not None:
                        if len(data) >= state["budget"]:
                            target.sendall(data[:state["budget"]])
                            self.cut += 1
                            break
                        state["budget"] -= len(data)
                    target.sendall(data)
            except OSError:
                pass
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

        threading.Thread(target=pump, args=(client, server, True), daemon=True).start()
        threading.Thread(target=pump, args=(server, client, False), daemon=True).start()


class Suite:
    def __init__(self, args):
        self.args = args
        self.binary = os.path.abspath(args.bin)
        self.work = tempfile.mkdtemp(prefix="cg-central-")
        self.env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "COUNTERGATE_CONFIG")}
        self.children = []
        self.problems = []

    def start(self, arguments, name):
        out = os.path.join(self.work, name + ".out")
        with open(out, "a") as log:
            child = subprocess.Popen([self.binary] + arguments, stdout=log, stderr=subprocess.STDOUT, cwd=self.work, env=self.env)
        self.children.append(child)
        return child, out

    def cli(self, arguments):
        done = subprocess.run([self.binary] + arguments, capture_output=True, text=True, cwd=self.work, env=self.env, timeout=120)
        if done.returncode != 0:
            raise SystemExit(f"central suite: countergate {' '.join(arguments)} failed: {done.stderr}")
        return done.stdout

    # The centre -------------------------------------------------------------------------------------------------------
    def setup_centre(self):
        self.pg = Postgres()
        key, cert = os.path.join(self.work, "centre.key"), os.path.join(self.work, "centre.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        self.cert = cert
        with open(os.path.join(self.work, "view.token"), "w") as f:
            f.write("county-viewers-test-token\n")
        self.centre_port = free_port()
        self.centre_config = os.path.join(self.work, "centre.toml")
        with open(self.centre_config, "w") as f:
            f.write(f'[centre]\nbind = "127.0.0.1"\nport = {self.centre_port}\ncertificate_file = "{cert}"\nkey_file = "{key}"\n'
                    f'view_token_file = "view.token"\n[postgres]\nport = {self.pg.port}\n')
        self.centre = None
        # PostgreSQL down at the centre's start: it waits, saying so, and serves once the database is there.
        out = os.path.join(self.work, "centre.out")
        with open(out, "a") as log:
            self.centre = subprocess.Popen([self.binary, "central", "serve", "--centre-config", self.centre_config], stdout=log,
                                           stderr=subprocess.STDOUT, cwd=self.work, env=self.env)
        self.children.append(self.centre)
        self.centre_out = out
        wait_for("the centre to say PostgreSQL does not answer", lambda: "does not answer yet; the centre waits for it" in read(out), 60, self.centre, out)
        self.pg.start()
        wait_for("the centre to listen once PostgreSQL is up", lambda: "CounterGate centre is listening" in read(out) and self.listening(), 120, self.centre, out)
        self.start_checks = ["the centre waited for PostgreSQL and then served"]

    def start_centre(self, fault=None):
        env = dict(self.env)
        if self.args.seed_fault or fault:
            env["COUNTERGATE_TEST_FAULT"] = fault or self.args.seed_fault
        out = os.path.join(self.work, "centre.out")
        before = read(out).count("CounterGate centre is listening")
        with open(out, "a") as log:
            self.centre = subprocess.Popen([self.binary, "central", "serve", "--centre-config", self.centre_config], stdout=log,
                                           stderr=subprocess.STDOUT, cwd=self.work, env=env)
        self.children.append(self.centre)
        self.centre_out = out
        wait_for("the centre to listen", lambda: read(self.centre_out).count("CounterGate centre is listening") > before and self.listening(),
                 60, self.centre, self.centre_out)

    def listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.centre_port), timeout=1).close()
            return True
        except OSError:
            return False

    def kill_centre(self):
        self.centre.send_signal(signal.SIGKILL)
        self.centre.wait()

    # The halls --------------------------------------------------------------------------------------------------------
    def setup_halls(self):
        self.halls = []
        for h in range(self.args.halls):
            hall_id = f"town-{h + 1}"
            token = self.cli(["central", "hall", "add", hall_id, "--name", f"第{h + 1}乡镇便民服务中心", "--centre-config", self.centre_config]).strip()
            folder = os.path.join(self.work, hall_id)
            os.makedirs(folder)
            with open(os.path.join(folder, "central.token"), "w") as f:
                f.write(token + "\n")
            config = os.path.join(folder, "hall.toml")
            http_port = free_port()
            with open(config, "w") as f:
                f.write(f'[hall]\nname = "第{h + 1}乡镇便民服务中心"\n[store]\ndata_dir = "data"\n[http]\nport = {http_port}\n'
                        f'[backup]\ninterval_hours = 0\n'
                        f'[central]\nurl = "https://127.0.0.1:{self.proxy.port}"\nhall_id = "{hall_id}"\ntoken_file = "central.token"\n'
                        f'ca_file = "{self.cert}"\nbatch_size = {self.args.batch}\nheartbeat_seconds = 1\n'
                        f'[[window]]\nnumber = 1\nname = "1号窗口"\ndepartment = "乡镇便民服务中心"\n')
            hall = {"id": hall_id, "token": token, "config": config, "http_port": http_port, "db": os.path.join(folder, "data", "countergate.sqlite"),
                    "written": [], "process": None}
            self.halls.append(hall)
            self.start_hall(hall)

    def start_hall(self, hall):
        before = read(os.path.join(self.work, hall["id"] + ".out")).count("CounterGate is listening")
        hall["process"], hall["out"] = self.start(["serve", "--config", hall["config"]], hall["id"])
        wait_for(f"hall {hall['id']} to listen", lambda: read(hall["out"]).count("CounterGate is listening") > before and os.path.exists(hall["db"]),
                 60, hall["process"], hall["out"])
        # The outbox is on once the gateway has started: the first punches must not come before it.
        wait_for(f"hall {hall['id']}'s outbox", lambda: self.outbox_on(hall), 60, hall["process"], hall["out"])

    def outbox_on(self, hall):
        try:
            with sqlite3.connect(hall["db"], timeout=30) as db:
                return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'outbox_punch'").fetchone()[0] == 1
        except sqlite3.Error:
            return False

    def waiting(self, hall):
        with sqlite3.connect(hall["db"], timeout=30) as db:
            ack = db.execute("SELECT acknowledged_seq FROM outbox_state").fetchone()[0]
            return db.execute("SELECT count(*) FROM outbox WHERE seq > ?", (ack,)).fetchone()[0]

    def writer(self, hall, count, stop):
        """Punches written into the hall's store as a terminal download would, in small transactions, at least `count`
        and on until the faults are over."""
        db = sqlite3.connect(hall["db"], timeout=60)
        base = 1_795_000_000 + random.randint(0, 1000) * 100_000
        i = 0
        while i < count or not stop.is_set():
            rows = []
            for _ in range(random.randint(1, 25)):
                rows.append((f"SIM-{hall['id']}", str(100 + i % 97), base + i * 30, "fingerprint", "in", int(time.time())))
                i += 1
            with db:
                db.executemany("INSERT INTO punches (terminal_serial, terminal_user_id, punched_at, verification, direction, received_at) "
                               "VALUES (?, ?, ?, ?, ?, ?)", rows)
            hall["written"].extend(f"{r[0]}/{r[1]}/{r[2]}" for r in rows)
            time.sleep(0.005)   # a terminal's pace between downloads (a rate, not a synchronisation)
        db.close()
        hall["last_written_at"] = int(time.time())

    # The run ----------------------------------------------------------------------------------------------------------
    def run(self):
        self.setup_centre()
        self.proxy = FaultProxy(self.centre_port)
        self.setup_halls()
        stop = threading.Event()
        writers = [threading.Thread(target=self.writer, args=(hall, self.args.records, stop), daemon=True) for hall in self.halls]
        for w in writers:
            w.start()
        faults = []
        busy = lambda: any(self.waiting(h) > 0 for h in self.halls)  # noqa: E731
        # 1. Connections dropped mid-batch.
        self.proxy.mode = "drop"
        wait_for("a batch cut by the proxy", lambda: self.proxy.cut >= 3, 60)
        faults.append(f"proxy cut {self.proxy.cut} connections mid-batch")
        self.proxy.mode = "pass"
        # 2. The centre killed while batches come in (during a commit, as likely as not), then down while punches pile up.
        wait_for("records waiting at a hall", busy, 60)
        self.kill_centre()
        faults.append("centre killed while batches came in")
        self.proxy.mode = "refuse"
        wait_for("records piling up while the centre is down", lambda: sum(self.waiting(h) for h in self.halls) >= min(300, self.args.records), 120)
        self.proxy.mode = "pass"
        self.start_centre()
        # 3. A hall's gateway killed while it forwards, and restarted.
        hall = self.halls[0]
        wait_for("hall 1 forwarding", lambda: self.waiting(hall) > 0, 60)
        hall["process"].send_signal(signal.SIGKILL)
        hall["process"].wait()
        faults.append("hall town-1 killed while forwarding")
        self.start_hall(hall)
        # 4. The centre killed inside a batch's commit: started with a test-only pause in each transaction after the
        #    records are written, and killed when PostgreSQL shows that pause running.
        if not self.args.seed_fault:
            self.kill_centre()
            self.start_centre(fault="centre-slow-commit")
        wait_for("a batch inside its transaction at the centre", lambda: self.pg.query(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%countergate_test_slow_commit%' AND pid <> pg_backend_pid()")[0][0] != "0"
            if not self.args.seed_fault else busy(), 120)
        self.kill_centre()
        faults.append("centre killed inside a batch's commit" if not self.args.seed_fault else "centre killed again")
        self.start_centre()
        stop.set()
        for w in writers:
            w.join(timeout=600)
        # Everything arrives.
        wait_for("every hall's outbox empty", lambda: not busy(), 300)
        return faults

    def watermark(self, hall):
        rows = self.pg.query(f"SELECT watermark FROM hall_contact WHERE hall_id = '{hall['id']}'")
        return int(rows[0][0]) if rows and rows[0][0] else 0

    def check(self):
        result = {"halls": {}}
        # The watermarks move with each hall's batches and heartbeats (every second here): each must pass its hall's
        # last punch within a few heartbeats of the outbox emptying.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(self.watermark(h) < h.get("last_written_at", 0) for h in self.halls):
            time.sleep(0.2)   # polling the centre's table with a deadline, not a fixed wait
        for hall in self.halls:
            rows = self.pg.query(f"SELECT record_key FROM records WHERE hall_id = '{hall['id']}' AND kind = 'punch' ORDER BY stream, seq")
            keys = [r[0] for r in rows]
            written = hall["written"]
            lost = len(set(written) - set(keys))
            extra = len(set(keys) - set(written))
            doubled = len(keys) - len(set(keys))
            in_order = keys == written
            contact = self.pg.query(f"SELECT watermark, committed_seq FROM hall_contact WHERE hall_id = '{hall['id']}'")
            watermark = int(contact[0][0]) if contact and contact[0][0] else 0
            with sqlite3.connect(hall["db"], timeout=30) as db:
                acknowledged = db.execute("SELECT acknowledged_seq FROM outbox_state").fetchone()[0]
                left = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
            # Clocks: each record keeps the hall's times (the punch's own, as the hall stored it) and the centre's receipt time.
            times = self.pg.query(f"SELECT count(*) FILTER (WHERE occurred_at <> (body->>'punched_at')::bigint), "
                                  f"count(*) FILTER (WHERE received_at < now() - interval '1 hour' OR received_at > now()) "
                                  f"FROM records WHERE hall_id = '{hall['id']}' AND kind = 'punch'")
            if times and (int(times[0][0]) or int(times[0][1])):
                self.problems.append(f"{hall['id']}: {times[0][0]} punches lost their own time, {times[0][1]} have no receipt time of this run")
            result["halls"][hall["id"]] = {"written": len(written), "atCentre": len(keys), "lost": lost, "extra": extra, "doubled": doubled,
                                           "inOrder": in_order, "watermarkPastLast": watermark >= hall.get("last_written_at", 0),
                                           "committed": int(contact[0][1]) if contact else 0, "acknowledged": acknowledged, "outboxLeft": left}
            if lost or extra or doubled:
                self.problems.append(f"{hall['id']}: {lost} lost, {extra} unknown, {doubled} doubled")
            if not in_order:
                self.problems.append(f"{hall['id']}: the centre's order of the punches is not the hall's")
            if watermark < hall.get("last_written_at", 0):
                self.problems.append(f"{hall['id']}: watermark {watermark} is before the last punch's write ({hall.get('last_written_at')})")
            if left:
                self.problems.append(f"{hall['id']}: {left} rows left in the outbox")
        return result

    # Refused at start ---------------------------------------------------------------------------------------------------
    def refused_at_start(self):
        # A hall id changed in a gateway's configuration: the hall keeps working, but forwards nothing (it would fork
        # the hall's records at the centre), and says so.
        hall = self.halls[-1]
        hall["process"].terminate()
        hall["process"].wait()
        with open(hall["config"], encoding="utf-8") as f:
            text = f.read()
        with open(hall["config"], "w", encoding="utf-8") as f:
            f.write(text.replace(f'hall_id = "{hall["id"]}"', f'hall_id = "{hall["id"]}-renamed"'))
        started_forwarding = read(hall["out"]).count('"msg":"forwarding to the county\'s centre"')
        self.start_hall(hall)
        wait_for("the renamed hall to say it does not forward", lambda: "would fork" in read(hall["out"]), 60, hall["process"], hall["out"])
        status = subprocess.run([self.binary, "central", "status", "--config", hall["config"]], capture_output=True, text=True, cwd=self.work,
                                env=self.env, timeout=120).stdout
        before = int(self.pg.query(f"SELECT count(*) FROM records WHERE hall_id = '{hall['id']}'")[0][0])
        with sqlite3.connect(hall["db"], timeout=30) as db:
            db.execute("INSERT INTO punches (terminal_serial, terminal_user_id, punched_at, verification, direction, received_at) "
                       "VALUES ('RENAMED', '1', 1700000000, 'fingerprint', 'in', 1700000000)")
        alive = hall["process"].poll() is None
        # The start said which way it went: the forwarder did not start this time (the log line it starts with).
        forwarder_started = read(hall["out"]).count('"msg":"forwarding to the county\'s centre"') > started_forwarding
        waiting = self.waiting(hall)
        after = int(self.pg.query(f"SELECT count(*) FROM records WHERE hall_id = '{hall['id']}'")[0][0])
        if not alive or forwarder_started or "would fork" not in status or waiting < 1 or after != before:
            self.problems.append(f"a changed hall_id: gateway running {alive}, forwarder started {forwarder_started}, status {status!r}, "
                                 f"waiting {waiting}, centre {before} -> {after}")
        else:
            self.start_checks.append("a changed hall_id: the hall keeps working, forwards nothing, says why")
        # A schema newer than the binary knows: the centre refuses it.
        self.pg.query("INSERT INTO centre_migrations (version, name) VALUES (999, 'from a newer countergate')")
        done = subprocess.run([self.binary, "central", "migrate", "--centre-config", self.centre_config], capture_output=True, text=True,
                              cwd=self.work, env=self.env, timeout=120)
        if done.returncode == 0 or "newer than this countergate knows" not in done.stderr + done.stdout:
            self.problems.append(f"a newer schema was not refused: exit {done.returncode}: {(done.stderr + done.stdout)[-400:]}")
        else:
            self.start_checks.append("a newer schema refused")
        self.pg.query("DELETE FROM centre_migrations WHERE version = 999")
        return self.start_checks

    # The county's views ------------------------------------------------------------------------------------------------
    def get(self, path, token="county-viewers-test-token"):
        context = ssl.create_default_context(cafile=self.cert)
        connection = http.client.HTTPSConnection("127.0.0.1", self.centre_port, timeout=30, context=context)
        try:
            connection.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
            answer = connection.getresponse()
            return answer.status, answer.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def views(self):
        """A month published at the first hall reaches the county's sheet; the others show as not yet published."""
        hall = self.halls[0]
        person = {"staffId": "D001", "name": "王芳", "window": 1, "department": "乡镇便民服务中心", "daysDue": 21, "daysPresent": 20,
                  "lateCount": 2, "lateMinutes": 17, "earlyCount": 0, "earlyMinutes": 0, "missingPunches": 1, "leaveShifts": {"sick": 2},
                  "outingShifts": 1, "absentDays": 0.5, "pendingDays": 0, "minutesWorked": 9000, "corrections": 0}
        window = {"window": 1, "name": "1号窗口", "people": 1, "lateCount": 2, "earlyCount": 0, "missingPunches": 1, "leaveShifts": 2,
                  "outingShifts": 1, "absentDays": 0.5, "coverGaps": 0}
        sheet = {"state": "published", "month": "2026-11", "final": True, "computedAt": "2026-12-01T08:00:00+08:00", "people": [person],
                 "windows": [window], "unmatchedPunches": 0}
        with sqlite3.connect(hall["db"], timeout=30) as db:
            db.execute("INSERT INTO published_months (month, published_at, published_by, sheet) VALUES (?, ?, ?, ?)",
                       ("2026-11", int(time.time()), "督查室 D009", json.dumps(sheet, ensure_ascii=False)))
        wait_for("the published sheet forwarded", lambda: self.waiting(hall) == 0, 60)
        status, text = self.get("/api/v1/monthly-sheet?month=2026-11")
        found = {}
        if status == 200:
            county = json.loads(text)
            found = {h["hall"]: h for h in county["halls"]}
            first = found.get(hall["id"], {})
            if county["complete"] or not first.get("publishedAt") or [p["name"] for p in first.get("people", [])] != ["王芳"]:
                self.problems.append(f"the county's sheet is not what the hall published: {text[:400]}")
            if any(found[h["id"]].get("publishedAt") for h in self.halls[1:]):
                self.problems.append("halls that published nothing show a sheet")
        else:
            self.problems.append(f"the county's sheet: HTTP {status}: {text[:200]}")
        status, csv = self.get("/api/v1/monthly-sheet?month=2026-11&format=csv")
        if status != 200 or "王芳" not in csv or "not yet published" not in csv:
            self.problems.append(f"the county's sheet as CSV: HTTP {status}: {csv[:300]}")
        context = ssl.create_default_context(cafile=self.cert)
        connection = http.client.HTTPSConnection("127.0.0.1", self.centre_port, timeout=30, context=context)
        try:
            connection.request("GET", "/api/v1/monthly-sheet?month=2026-11&format=xlsx", headers={"Authorization": "Bearer county-viewers-test-token"})
            answer = connection.getresponse()
            book = answer.read()
        finally:
            connection.close()
        if answer.status != 200 or not book.startswith(b"PK") or "王芳".encode() not in book or "各中心".encode() not in book:
            self.problems.append(f"the county's sheet as XLSX: HTTP {answer.status}, {len(book)} bytes")
        status, _ = self.get("/api/v1/monthly-sheet?month=2026-11", token="wrong")
        if status != 401:
            self.problems.append(f"the county's sheet without the viewers' token: HTTP {status}, expected 401")
        status, text = self.get("/api/v1/halls")
        lags = json.loads(text) if status == 200 else []
        if len(lags) != len(self.halls) or any(h.get("lastContact") is None for h in lags):
            self.problems.append(f"the halls' lag view: HTTP {status}: {text[:300]}")
        # The hall's lag in /metrics.
        connection = http.client.HTTPConnection("127.0.0.1", hall["http_port"], timeout=10)
        try:
            connection.request("GET", "/metrics")
            metrics = connection.getresponse().read().decode("utf-8", "replace")
        finally:
            connection.close()
        for name in ("countergate_central_outbox_waiting_rows", "countergate_central_outbox_oldest_seconds",
                     "countergate_central_last_contact_timestamp_seconds", "countergate_central_records_forwarded_total"):
            if name not in metrics:
                self.problems.append(f"{name} is not in hall {hall['id']}'s /metrics")
        return {"sheetHalls": len(found), "published": [h for h, v in found.items() if v.get("publishedAt")]}

    # Bad input --------------------------------------------------------------------------------------------------------
    def post(self, token, body):
        context = ssl.create_default_context(cafile=self.cert)
        connection = http.client.HTTPSConnection("127.0.0.1", self.centre_port, timeout=30, context=context)
        try:
            headers = {"Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            connection.request("POST", "/api/v1/batches", body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def bad_input(self):
        count = lambda: int(self.pg.query("SELECT count(*) FROM records")[0][0])  # noqa: E731
        before = count()
        a, b = self.halls[0], self.halls[1]
        with sqlite3.connect(a["db"], timeout=30) as db:
            stream, acknowledged = db.execute("SELECT stream, acknowledged_seq FROM outbox_state").fetchone()

        def batch(hall, first, n=2, stream_name=None):
            return json.dumps({"hall": hall, "stream": stream_name or stream, "after": first - 1, "caught_up": False, "hall_clock": int(time.time()), "waiting": 0,
                               "records": [{"seq": first + i, "kind": "punch", "key": f"FORGED/{first + i}", "occurred_at": 1, "recorded_at": 1,
                                            "body": "{}"} for i in range(n)]})
        cases = {
            "unregistered hall (unknown token)": (self.post("0" * 64, batch("town-99", acknowledged + 1)), 401),
            "another hall's token": (self.post(a["token"], batch(b["id"], 1, stream_name="replayed")), 403),
            "no token": (self.post(None, batch(a["id"], acknowledged + 1)), 401),
            "malformed body": (self.post(a["token"], b'{"hall": "town-1", "records": [{"seq": "x"'), 400),
            "records out of the hall's order": (self.post(a["token"], json.dumps({"hall": a["id"], "stream": stream, "after": acknowledged, "caught_up": False,
                "hall_clock": 1, "waiting": 0, "records": [{"seq": acknowledged + 3, "kind": "punch", "key": "F1", "occurred_at": 1, "recorded_at": 1, "body": "{}"},
                                                          {"seq": acknowledged + 2, "kind": "punch", "key": "F2", "occurred_at": 1, "recorded_at": 1, "body": "{}"}]})), 400),
            "a body that is not JSON": (self.post(a["token"], json.dumps({"hall": a["id"], "stream": stream, "after": acknowledged, "caught_up": False, "hall_clock": 1,
                "waiting": 0, "records": [{"seq": acknowledged + 1, "kind": "punch", "key": "F3", "occurred_at": 1, "recorded_at": 1, "body": "[1,"}]})), 400),
            "a body that is JSON but not an object": (self.post(a["token"], json.dumps({"hall": a["id"], "stream": stream, "after": acknowledged, "caught_up": False,
                "hall_clock": 1, "waiting": 0, "records": [{"seq": acknowledged + 1, "kind": "punch", "key": "F4", "occurred_at": 1, "recorded_at": 1, "body": "[1]"}]})), 400),
            "a gap after the committed records": (self.post(a["token"], batch(a["id"], acknowledged + 50)), 409),
        }
        refused = {}
        for name, ((status, text), expected) in cases.items():
            refused[name] = status
            if status != expected:
                self.problems.append(f"bad input '{name}': HTTP {status} (expected {expected}): {text[:200]}")
        after = count()
        if after != before:
            self.problems.append(f"bad input wrote {after - before} records")
        return refused

    def stop_all(self):
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(root, ".build", "debug", "countergate"))
    parser.add_argument("--halls", type=int, default=3)
    parser.add_argument("--records", type=int, default=1500, help="punches written at each hall (1500)")
    parser.add_argument("--batch", type=int, default=200, help="the halls' [central] batch_size (200)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--seed-fault", help="centre-skip-insert: the centre answers batches as committed without writing them "
                        "(a test-only switch; the suite must then report the punches lost)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    suite = Suite(args)
    result = {"seed": seed}
    try:
        result["faults"] = suite.run()
        result.update(suite.check())
        result["views"] = suite.views()
        result["refused"] = suite.bad_input()
        result["startChecks"] = suite.refused_at_start()
    finally:
        suite.stop_all()
        if hasattr(suite, "pg"):
            suite.pg.stop()
    result["problems"] = suite.problems
    result["passed"] = not suite.problems
    for name, h in result["halls"].items():
        print(f"{name}: written {h['written']}, at the centre {h['atCentre']} (lost {h['lost']}, doubled {h['doubled']}), in order {h['inOrder']}, "
              f"watermark past the last punch {h['watermarkPastLast']}, committed {h['committed']}, outbox left {h['outboxLeft']}")
    print("faults: " + "; ".join(result["faults"]))
    print("refused: " + ", ".join(f"{k} -> {v}" for k, v in result.get("refused", {}).items()))
    print("at start: " + "; ".join(result.get("startChecks", [])))
    for p in suite.problems:
        print(f"  problem: {p}")
    print(f"central suite {'passed' if result['passed'] else 'FAILED'} (seed {seed}; work folder {suite.work})")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    if result["passed"]:
        shutil.rmtree(suite.work, ignore_errors=True)
    sys.exit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
