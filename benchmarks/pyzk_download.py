#!/usr/bin/env python3
"""The peer side of scripts/bench-terminal: pyzk downloads every record of a terminal and stores it in
SQLite with the same uniqueness CounterGate uses. Prints JSON: seconds, peak RSS, records, stored."""
import argparse, json, os, resource, sqlite3, sys, tempfile, time

try:
    from zk import ZK
except ImportError:
    sys.exit("pyzk is missing: run scripts/setup --test (pip install pyzk)")

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--db", default=os.path.join(tempfile.mkdtemp(), "pyzk.sqlite"))
args = parser.parse_args()

started = time.monotonic()
terminal = ZK("127.0.0.1", port=args.port, timeout=60, ommit_ping=True)
conn = terminal.connect()
serial = conn.get_serialnumber()
conn.disable_device()
records = conn.get_attendance()
conn.enable_device()
conn.disconnect()
db = sqlite3.connect(args.db)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS punches (terminal_serial TEXT, terminal_user_id TEXT, punched_at TEXT, "
           "verification INTEGER, direction INTEGER, UNIQUE (terminal_serial, terminal_user_id, punched_at))")
with db:
    cursor = db.executemany("INSERT OR IGNORE INTO punches VALUES (?, ?, ?, ?, ?)",
                            ((serial, r.user_id, r.timestamp.isoformat(), r.status, r.punch) for r in records))
stored = db.execute("SELECT COUNT(*) FROM punches").fetchone()[0]
elapsed = time.monotonic() - started
print(json.dumps({"seconds": elapsed, "peakRSSMegabytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "records": len(records), "stored": stored}))
