#!/usr/bin/env python3
"""Checks CounterGate's push listener with a push terminal nobody here wrote: the ADMS device simulator of
django-fingerprint-attendance (PyPI), driven over real HTTP to the gateway on 127.0.0.1.

Run by Tests/GatewayTests/PushPeerTests.swift. The simulator expects a client with Django's test-client semantics;
`HTTPClient` below gives it one over http.client. Three terminals of its three firmware profiles (legacy, push2,
biodata) handshake, upload punches (one batch with a corrupt line), push a user, enrol a finger at the terminal, and
run the commands the test queued. Prints, on its last line, "RESULT " and a JSON object of what happened.
Exits non-zero (traceback on stderr) when the peer fails.
"""
import argparse
import base64
import http.client
import json
from datetime import datetime, timedelta
from urllib.parse import urlencode

from fingerprint_attendance.testing import ADMSDeviceSimulator


class Response:
    def __init__(self, status, content):
        self.status_code = status
        self.content = content


class HTTPClient:
    """Django test-client semantics (get(path, params), post(url, data, content_type)) over real HTTP."""

    def __init__(self, port):
        self.port = port

    def _send(self, method, target, body=None, content_type=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"User-Agent": "iClock Proxy/1.09"}
        if content_type:
            headers["Content-Type"] = content_type
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        return Response(response.status, content)

    def get(self, path, params=None, **extra):
        target = path + ("?" + urlencode(params) if params else "")
        return self._send("GET", target)

    def post(self, url, data=b"", content_type="text/plain", **extra):
        return self._send("POST", url, body=data, content_type=content_type)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--serials", required=True, help="comma-separated: legacy, push2 and biodata terminals")
    parser.add_argument("--stranger", required=True, help="a serial the gateway does not know")
    arguments = parser.parse_args()
    client = HTTPClient(arguments.port)
    serials = arguments.serials.split(",")
    result = {"terminals": {}}
    start = datetime(2026, 3, 2, 8, 0, 0)
    for index, (serial, firmware) in enumerate(zip(serials, ["legacy", "push2", "biodata"])):
        device = ADMSDeviceSimulator(client, serial=serial, firmware=firmware, realtime=False)
        options = device.handshake()
        device.go_offline()
        for n in range(20):
            device.punch(str(1 + n % 4), start + timedelta(days=index, minutes=n), status=n % 2)
        device.go_online(catch_up=False)
        uploads = device.upload_pending(batch_size=15)
        for n in range(5):
            device.punch(str(5 + n), start + timedelta(days=index, hours=3, minutes=n), upload=False)
        corrupt = device.upload_pending(corrupt_line=2)
        user = device.push_user("21", name="李秀英", privilege=0)
        enrolled = device.enroll_at_device("22", 6, data=bytes(range(256)) * 2, name="赵敏")
        applied = device.run_commands()
        result["terminals"][serial] = {
            "firmware": firmware,
            "options": options,
            "uploaded": device.uploaded,
            "log": len(device.log),
            "statuses": [r.status for r in uploads + corrupt] + [user.status, enrolled.status],
            "answers": [r.text for r in uploads + corrupt] + [user.text, enrolled.text],
            "applied": applied,
            "users": {pin: u["name"] for pin, u in sorted(device.users.items())},
            "templates": sorted(f"{pin}#{finger}" for pin, finger in device.templates),
            "template_77_1": base64.b64encode(device.templates.get(("77", 1), b"")).decode("ascii"),
        }
    stranger = ADMSDeviceSimulator(client, serial=arguments.stranger, firmware="push2")
    try:
        stranger.handshake()
        result["stranger"] = "answered"
    except AssertionError as refused:
        result["stranger"] = str(refused)
    print("RESULT " + json.dumps(result, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
