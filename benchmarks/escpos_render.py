#!/usr/bin/env python3
"""The peer side of scripts/bench-printing: python-escpos builds the same two-copy acceptance notice
(the same lines, styles, QR and cuts CounterGate prints) into a Dummy printer, many times.
Reads the lines from --lines (JSON, written by `countergate bench notice-render`). Prints JSON."""
import argparse, json, sys, time

try:
    from escpos.printer import Dummy
except ImportError:
    sys.exit("python-escpos is missing: run scripts/setup --test (pip install python-escpos)")

parser = argparse.ArgumentParser()
parser.add_argument("--lines", required=True)
parser.add_argument("--iterations", type=int, default=2000)
args = parser.parse_args()
blocks = json.load(open(args.lines, encoding="utf-8"))


def render():
    p = Dummy()
    for b in blocks:
        kind = b["kind"]
        if kind == "text":
            p.set(align=b["align"], bold=b["bold"], double_height=b["large"], double_width=b["large"])
            for line in b["lines"]:
                p.textln(line)
        elif kind == "qr":
            p.set(align="center")
            p.qr(b["payload"], native=True, size=6)
        elif kind == "feed":
            p.ln(b["lines"])
        elif kind == "cut":
            p.cut(mode="PART")
    return p.output


render()  # warm up
started = time.perf_counter()
for _ in range(args.iterations):
    out = render()
elapsed = time.perf_counter() - started
print(json.dumps({"microsecondsPerNotice": elapsed / args.iterations * 1e6, "bytes": len(out), "iterations": args.iterations}))
