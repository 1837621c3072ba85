#!/usr/bin/env python3
"""The peer side of the raster case of scripts/bench-printing: python-escpos' image() encodes the same picture
CounterGate drew (a two-copy notice, every line raster), read with PIL from the PBM that
`countergate bench notice-raster --pbm-out` wrote, into a Dummy printer, many times. GS v 0 (its default
bitImageRaster), in fragments as tall as the profile's raster_band_rows. Prints JSON."""
import argparse, json, sys, time

try:
    from escpos.printer import Dummy
    from PIL import Image
except ImportError:
    sys.exit("python-escpos or Pillow is missing: run scripts/setup --test (pip install python-escpos)")

parser = argparse.ArgumentParser()
parser.add_argument("--pbm", required=True)
parser.add_argument("--iterations", type=int, default=50)
parser.add_argument("--band-rows", type=int, default=128)
parser.add_argument("--profile", default="TM-T88V", help="python-escpos profile whose paper is as wide as the picture")
parser.add_argument("--compare", help="CounterGate's encoding of the same picture: say whether the bytes are identical")
args = parser.parse_args()

picture = Image.open(args.pbm)
picture.load()
if picture.mode != "1":
    sys.exit(f"{args.pbm} is not a 1-bit picture (mode {picture.mode})")


def render():
    p = Dummy(profile=args.profile)
    p.image(picture, impl="bitImageRaster", fragment_height=args.band_rows)
    return p.output


out = render()  # warm up
started = time.perf_counter()
for _ in range(args.iterations):
    out = render()
elapsed = time.perf_counter() - started
result = {"milliseconds": elapsed / args.iterations * 1000, "bytes": len(out), "iterations": args.iterations,
          "width": picture.width, "height": picture.height}
if args.compare:
    result["identical"] = open(args.compare, "rb").read() == bytes(out)
print(json.dumps(result))
