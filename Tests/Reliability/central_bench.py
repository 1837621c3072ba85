#!/usr/bin/env python3
"""The county's centre, measured (docs/central.md, "Benchmark"; scripts/bench-central):

1. one hall to the centre over loopback (HTTPS, PostgreSQL synchronous_commit = on): N punches already in the hall's
   outbox, the hall's real gateway started, seconds until the centre has them all -> records per second (goal 20,000/s);
2. a week offline of a 100-person hall (4 punches a day each, 7 days, plus its audit rows): seconds to catch up;
3. the centre with 50 halls forwarding at once (each a client posting batches of 1,000 as a hall does): records per
   second and the p99 batch latency.

    python3 Tests/Reliability/central_bench.py --bin .build/release/countergate [--records 100000] [--halls 50]"""
import argparse
import json
import os
import random
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
import http.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import wait_for  # noqa: E402
from central_suite import Suite, FaultProxy  # noqa: E402


def fill(db_path, count, serial, base):
    with sqlite3.connect(db_path, timeout=60) as db:
        db.executemany("INSERT INTO punches (terminal_serial, terminal_user_id, punched_at, verification, direction, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                       ((serial, str(100 + i % 100), base + i * 7, "fingerprint", "in", base + i * 7) for i in range(count)))


def one_hall(suite, hall, count):
    """Stops the hall, fills its outbox with `count` punches, starts it, times the catch-up."""
    hall["process"].terminate()
    hall["process"].wait()
    fill(hall["db"], count, f"BENCH-{hall['id']}-{count}", 1_790_000_000 + random.randint(0, 10**6))
    waiting = suite.waiting(hall)
    started = time.monotonic()
    suite.start_hall(hall)
    wait_for("the hall's outbox to empty", lambda: suite.waiting(hall) == 0, 1800)
    seconds = time.monotonic() - started
    return waiting, seconds


def many_halls(suite, halls, batches, size):
    """`halls` clients, each a registered hall posting `batches` batches of `size` records in order, at once."""
    tokens = {}
    for h in range(halls):
        hall_id = f"bench-{h + 1}"
        tokens[hall_id] = suite.cli(["central", "hall", "add", hall_id, "--name", f"测试中心{h + 1}", "--centre-config", suite.centre_config]).strip()
    latencies, lock, failures = [], threading.Lock(), []
    context = ssl.create_default_context(cafile=suite.cert)

    def client(hall_id, token):
        connection = http.client.HTTPSConnection("127.0.0.1", suite.centre_port, timeout=120, context=context)
        stream = f"bench-{random.randrange(1 << 30)}"
        seq = 0
        for b in range(batches):
            records = []
            for _ in range(size):
                seq += 1
                body = json.dumps({"terminal_serial": hall_id, "terminal_user_id": str(seq % 100), "punched_at": 1_790_000_000 + seq})
                records.append({"seq": seq, "kind": "punch", "key": f"{hall_id}/{seq % 100}/{1_790_000_000 + seq}", "occurred_at": 1_790_000_000 + seq,
                                "recorded_at": 1_790_000_000 + seq, "body": body})
            payload = json.dumps({"hall": hall_id, "stream": stream, "after": seq - size, "caught_up": b == batches - 1, "hall_clock": int(time.time()),
                                  "waiting": (batches - b - 1) * size, "records": records})
            started = time.monotonic()
            connection.request("POST", "/api/v1/batches", body=payload, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            answer = connection.getresponse()
            answer.read()
            took = time.monotonic() - started
            with lock:
                latencies.append(took)
                if answer.status != 200:
                    failures.append(answer.status)
        connection.close()

    threads = [threading.Thread(target=client, args=(h, t)) for h, t in tokens.items()]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return halls * batches * size, seconds, p99, failures


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(root, ".build", "release", "countergate"))
    parser.add_argument("--records", type=int, default=100_000, help="punches in the one hall's outbox (100000)")
    parser.add_argument("--halls", type=int, default=50, help="halls forwarding at once (50)")
    parser.add_argument("--batches", type=int, default=10, help="batches of 1,000 each of them sends (10)")
    args = parser.parse_args()
    args.halls_forwarding, args.halls = args.halls, 1
    args.batch, args.seed_fault = 1000, None
    suite = Suite(args)
    try:
        suite.setup_centre()
        suite.proxy = FaultProxy(suite.centre_port)   # passes everything through here
        suite.setup_halls()
        hall = suite.halls[0]
        n, seconds = one_hall(suite, hall, args.records)
        print(f"one hall -> centre over loopback (HTTPS, synchronous_commit = on, batches of 1,000): {n} records in {seconds:.2f} s = "
              f"{n / seconds:,.0f} records/s   goal 20,000/s: {'met' if n / seconds >= 20000 else 'NOT met'}")
        week = 100 * 4 * 7
        n, seconds = one_hall(suite, hall, week)
        print(f"a week offline of a 100-person hall ({n} records waiting): caught up in {seconds:.2f} s (including the gateway's start)")
        total, seconds, p99, failures = many_halls(suite, args.halls_forwarding, args.batches, 1000)
        print(f"{args.halls_forwarding} halls at once ({args.batches} batches of 1,000 each): {total} records in {seconds:.2f} s = {total / seconds:,.0f} records/s, "
              f"p99 batch latency {p99 * 1000:.0f} ms" + (f", {len(failures)} batches refused: {failures[:5]}" if failures else ""))
    finally:
        suite.stop_all()
        if hasattr(suite, "pg"):
            suite.pg.stop()


if __name__ == "__main__":
    main()
