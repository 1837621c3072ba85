#!/usr/bin/env python3
"""The peer of `countergate bench notice-pdf`: reportlab builds a similar A4 PDF of the same notice lines (both
copies, one page each; title large, bold headings, paragraphs wrapped by its CJK rules; the font embedded as a
subset, as ours is) into memory, many times, and prints the time per notice as JSON."""
import argparse
import io
import json
import time

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer


def build(lines):
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=30 * mm, bottomMargin=25 * mm)
    align = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
    story = []
    for line in lines:
        if line.get("page"):
            story.append(PageBreak())
            continue
        size = 22 if line["large"] else (16 if line["bold"] and line["align"] == "center" else 12)
        style = ParagraphStyle("s", fontName="Notice", fontSize=size, leading=size * 1.75, alignment=align[line["align"]], wordWrap="CJK")
        text = line["text"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        story.append(Paragraph(f"<b>{text}</b>" if line["bold"] else text, style))
    story.append(Spacer(1, 1))
    doc.build(story)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", required=True)
    parser.add_argument("--iterations", type=int, default=50)
    args = parser.parse_args()
    with open(args.lines, encoding="utf-8") as file:
        spec = json.load(file)
    pdfmetrics.registerFont(TTFont("Notice", spec["font"], subfontIndex=0))
    data = build(spec["lines"])  # warm up: the font's tables parsed once
    started = time.perf_counter()
    for _ in range(args.iterations):
        data = build(spec["lines"])
    elapsed = time.perf_counter() - started
    print(json.dumps({"millisecondsPerNotice": elapsed / args.iterations * 1000, "bytes": len(data), "iterations": args.iterations}))


if __name__ == "__main__":
    main()
