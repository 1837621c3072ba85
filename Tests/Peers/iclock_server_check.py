#!/usr/bin/env python3
"""Checks CounterGate's simulated push terminal (a TEST FAKE) with iclockhelper (PyPI), a parser of ZKTeco ADMS/iclock
requests nobody here wrote.

Run by Tests/SimulatorsTests/PushSimulatorPeerTests.swift. A minimal ADMS server on 127.0.0.1 (the answers are ours:
the options, `OK: n`, one command) hands every request the terminal makes to iclockhelper's request parsers and keeps
what they read. Prints "listening PORT" once it listens, and "RESULT " plus a JSON object of everything parsed so far
after each command result the terminal posts. Exits on SIGTERM.
"""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.request import Request

from iclockhelper import CdataRequest, GetRequest

STATE = {"handshakes": [], "transactions": [], "users": [], "fingerprints": [], "operations": [], "info": [], "results": [],
         "commands_sent": 0}
LOCK = threading.Lock()
COMMAND = "C:1:DATA UPDATE USERINFO PIN=99\tName=外来人员\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, text, encoding="utf-8"):
        body = text.encode(encoding)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def request_object(self, body):
        return Request(f"http://127.0.0.1:{self.server.server_port}{self.path}", data=body if body else None, method=self.command)

    def do_GET(self):
        request = self.request_object(None)
        if self.path.startswith("/iclock/cdata"):
            parsed = CdataRequest.from_req(request)
            with LOCK:
                STATE["handshakes"].append({"sn": parsed.sn, "pushver": str(parsed.push_version)})
            self.answer(f"GET OPTION FROM: {parsed.sn}\nATTLOGStamp=None\nOPERLOGStamp=None\nATTPHOTOStamp=None\nErrorDelay=1\nDelay=1\n"
                        "TransTimes=00:00;14:05\nTransInterval=1\nTransFlag=TransData AttLog\tOpLog\tEnrollUser\tChgUser\tEnrollFP\tChgFP\n"
                        "TimeZone=8\nRealtime=1\nEncrypt=None\n")
        elif self.path.startswith("/iclock/getrequest"):
            parsed = GetRequest.from_req(request)
            with LOCK:
                STATE["info"].append({"sn": parsed.sn, "fw_version": parsed.info.fw_version, "user_count": parsed.info.user_count,
                                      "fp_count": parsed.info.fp_count, "transaction_count": parsed.info.transaction_count})
                send = STATE["commands_sent"] == 0 and len(STATE["transactions"]) > 0
                if send:
                    STATE["commands_sent"] = 1
            # The terminal writes GB18030 (it told us so by its uploads): so does this answer.
            self.answer(COMMAND if send else "OK", encoding="gb18030")
        else:
            self.answer("OK")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        request = self.request_object(body)
        if self.path.startswith("/iclock/cdata"):
            parsed = CdataRequest.from_req(request)
            count = 0
            with LOCK:
                if parsed.attendance_log:
                    for t in parsed.attendance_log.transactions:
                        if not t.pin:
                            continue
                        count += 1
                        STATE["transactions"].append({"pin": t.pin, "time": t.server_datetime.strftime("%Y-%m-%d %H:%M:%S") if t.server_datetime else None,
                                                      "status": t.check_type, "verify": t.verify_code, "stamp": parsed.stamp})
                if parsed.operation_log:
                    for u in parsed.operation_log.users:
                        count += 1
                        STATE["users"].append({"pin": u.pin, "name": u.name, "privilege": u.privileges})
                    for f in parsed.operation_log.fingerprints:
                        count += 1
                        STATE["fingerprints"].append({"pin": f.pin, "fid": f.fid, "tmp": f.tmp})
                    for o in parsed.operation_log.operations:
                        count += 1
                        STATE["operations"].append({"operation": o.operation.name, "admin": o.admin})
            self.answer(f"OK: {count}")
        elif self.path.startswith("/iclock/devicecmd"):
            with LOCK:
                STATE["results"].append(body.decode("gb18030"))
                print("RESULT " + json.dumps(STATE, ensure_ascii=False, sort_keys=True), flush=True)
            self.answer("OK")
        else:
            self.answer("OK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    print(f"listening {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
