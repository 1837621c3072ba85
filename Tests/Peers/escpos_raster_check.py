#!/usr/bin/env python3
"""Peer check of CounterGate's raster encoding: python-escpos' image() encodes the picture in --pbm (read with
Pillow) as GS v 0 in fragments of --band-rows rows; prints RESULT {"identical": …, "bytes": …} comparing its bytes
with CounterGate's in --ours."""
import argparse, json, sys

try:
    from escpos.printer import Dummy
    from PIL import Image
except ImportError as error:
    sys.exit(f"python-escpos or Pillow is missing: run scripts/setup --test ({error})")

parser = argparse.ArgumentParser()
parser.add_argument("--pbm", required=True)
parser.add_argument("--ours", required=True)
parser.add_argument("--band-rows", type=int, required=True)
parser.add_argument("--profile", default="TM-T88V", help="a python-escpos profile whose paper is at least as wide as the picture")
args = parser.parse_args()

picture = Image.open(args.pbm)
picture.load()
printer = Dummy(profile=args.profile)
printer.image(picture, impl="bitImageRaster", fragment_height=args.band_rows)
theirs = bytes(printer.output)
ours = open(args.ours, "rb").read()
first = next((i for i, (a, b) in enumerate(zip(theirs, ours)) if a != b), None)
print("RESULT " + json.dumps({"identical": theirs == ours, "bytes": len(theirs), "ours": len(ours), "firstDifference": first,
                              "width": picture.width, "height": picture.height}))
