#!/usr/bin/env python3
"""Checks CounterGate's ZK terminal simulator (a TEST FAKE) with pyzk, the reference Python client.

Run by Tests/SimulatorsTests/PyzkPeerTests.swift against a simulator on 127.0.0.1. Prints, on its last line,
"RESULT " and a JSON object with what pyzk read. With --live it prints "ready" just before entering
live_capture; the Swift test then waits until the simulator shows the REG_EVENT and punches.
Exits non-zero (traceback on stderr) when pyzk fails.
"""
import argparse
import hashlib
import json
import sys
from datetime import datetime

from zk import ZK
from zk.finger import Finger

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def attendance(record):
    return {
        "user_id": record.user_id,
        "timestamp": record.timestamp.strftime(TIME_FORMAT),
        "status": record.status,
        "punch": record.punch,
        "uid": record.uid,
    }


def user(u):
    return {"uid": u.uid, "name": u.name, "user_id": u.user_id, "privilege": u.privilege}


def check_writes(conn):
    """set_user (USER_WRQ), save_user_template (the buffered upload + SAVE_USERTEMPS), get_templates, delete_user."""
    conn.set_user(uid=50, name="测试员", privilege=0, password="", group_id="", user_id="50")
    written = [u for u in conn.get_users() if u.uid == 50]
    template = bytes(range(256)) * 2 + b"CounterGate"
    conn.save_user_template(written[0], [Finger(50, 3, 1, template)])
    saved = [f for f in conn.get_templates() if f.uid == 50 and f.fid == 3]
    conn.delete_user(uid=50)
    remaining = [u.uid for u in conn.get_users()]
    return {
        "user_after_set": user(written[0]) if written else None,
        "template_matches": bool(saved) and saved[0].template == template,
        "uid_50_after_delete": 50 in remaining,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--udp", action="store_true")
    parser.add_argument("--password", type=int, default=0)
    parser.add_argument("--set-time", help="a time to set, " + TIME_FORMAT)
    parser.add_argument("--writes", action="store_true")
    parser.add_argument("--live", action="store_true")
    parser.add_argument("--live-wait", type=int, default=30, help="seconds to wait for a live event")
    args = parser.parse_args()

    terminal = ZK("127.0.0.1", port=args.port, timeout=20, password=args.password, force_udp=args.udp,
                  ommit_ping=True, encoding="gb18030")
    conn = terminal.connect()
    result = {
        "serial_number": conn.get_serialnumber(),
        "firmware": conn.get_firmware_version(),
        "platform": conn.get_platform(),
        "device_name": conn.get_device_name(),
    }
    conn.disable_device()
    result["users"] = [user(u) for u in conn.get_users()]
    records = conn.get_attendance()
    result["attendance_count"] = len(records)
    result["first_record"] = attendance(records[0]) if records else None
    result["last_record"] = attendance(records[-1]) if records else None
    # Every record, as one digest: the Swift test computes the same over what CounterGate's client read.
    digest = hashlib.sha256()
    for r in records:
        digest.update(f"{r.user_id},{r.timestamp.strftime(TIME_FORMAT)},{r.status},{r.punch}\n".encode())
    result["attendance_sha256"] = digest.hexdigest()
    result["time"] = conn.get_time().strftime(TIME_FORMAT)
    if args.set_time:
        conn.set_time(datetime.strptime(args.set_time, TIME_FORMAT))
        conn.refresh_data()
        result["time_after_set"] = conn.get_time().strftime(TIME_FORMAT)
    if args.writes:
        result["writes"] = check_writes(conn)
    conn.enable_device()

    if args.live:
        event = None
        waited = 0
        print("ready", flush=True)
        for record in conn.live_capture(new_timeout=2):
            if record is None:
                waited += 2
                if waited >= args.live_wait:
                    conn.end_live_capture = True
                continue
            event = attendance(record)
            conn.end_live_capture = True
        result["live_event"] = event

    conn.disconnect()
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    sys.exit(main())
