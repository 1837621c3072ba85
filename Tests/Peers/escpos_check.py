#!/usr/bin/env python3
"""Prints to CounterGate's printer simulator with python-escpos, the way a hall's own scripts would.

Run by Tests/SimulatorsTests/PrinterPythonEscposPeerTests.swift:
    escpos_check.py --port N [--status-only]
Queries the printer's status (python-escpos sends DLE EOT 1 and DLE EOT 4 and reads the reply byte), then prints
a heading, Latin text, Chinese with names outside GB2312 and a 4-byte GB18030 character, a native QR code and a
cut, and prints one line "RESULT {json}" with what python-escpos itself saw.

python-escpos encodes any text containing a CJK ideograph as GB18030 as a whole (escpos/magicencode.py), without
sending FS & first; so every Chinese line here contains an ideograph.
"""
import argparse
import json
import sys

from escpos.printer import Network


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--status-only", action="store_true", help="query the status, print nothing")
    args = parser.parse_args()

    printer = Network("127.0.0.1", port=args.port, timeout=10)
    printer.open()
    online = printer.is_online()
    paper = printer.paper_status()
    if args.status_only:
        printer.close()
        print("RESULT " + json.dumps({"online": online, "paper_status": paper}), flush=True)
        return 0

    printer.set(align="center", bold=True, double_height=True, double_width=True)
    printer.textln("CounterGate")
    printer.set_with_default()
    printer.textln("Window 3 / python-escpos")
    printer.textln("受理通知书：王喆、李堃、陈赟")
    printer.textln("申请人：吉𠮷（Ji Zhe），窗口3。")
    printer.qr("2026-000123", native=True, size=4)
    printer.cut()
    printer.close()

    print("RESULT " + json.dumps({"online": online, "paper_status": paper}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
