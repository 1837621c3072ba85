"""What the crash suite and the soak share: free loopback ports, log files read while written, waiting on a condition
with a deadline (never a fixed sleep), and one HTTP request."""
import http.client
import os
import socket
import sys
import time

SUITE = os.path.splitext(os.path.basename(sys.argv[0]))[0].replace("_", " ")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read(path):
    """A file's text so far; empty when it is not there yet."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def wait_for(what, condition, timeout, process=None, log=None):
    """Polls `condition` until it holds and returns its value; fails with `what` after `timeout` seconds, or at once
    when `process` has exited (with the end of its `log`)."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise SystemExit(f"{SUITE}: {what}: the process exited with {process.returncode}\n{read(log)[-3000:] if log else ''}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{SUITE}: timed out after {timeout} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def request(port, method, path, body=None, headers=None, timeout=5):
    """One HTTP request to 127.0.0.1:`port`: (status, text). Raises OSError or http.client.HTTPException when the
    gateway is gone or dies mid-answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()
