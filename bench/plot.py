#!/usr/bin/env python3
"""Turns benchmark JSON lines into one results file and an SVG plot.

Each input line is one measurement: {"bench": name, "placement": ...,
"mean_us": ..., "limit_of": name-it-is-the-limit-for-or-""} or a throughput
record with "value" and "unit".  The plot puts each operation beside its
limit, one group per operation and placement, so the overhead is visible.
"""
import json
import sys
from html import escape


def load(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def metric(row):
    if "workload" in row:
        return row["value"], row.get("unit", "")
    if "mean_us" in row:
        return row["mean_us"], "µs (mean, lower is better)"
    return row["value"], row.get("unit", "")


def groups(rows):
    """[(title, [(label, value, is_limit)])] keyed by operation + placement."""
    out = {}
    for r in rows:
        # PV / emulated / limit rows of one workload share a group.
        if "workload" in r:
            key = (r["workload"], r.get("unit", ""), "")
            out.setdefault(key, []).append(
                (r["bench"], metric(r)[0], r.get("path") == "limit"))
            continue
        key = (r.get("limit_of") or r["bench"], r.get("placement", ""),
               r.get("group", ""))
        out.setdefault(key, []).append(
            (r["bench"], metric(r)[0], bool(r.get("limit_of"))))
    return [(" / ".join(k for k in key if k), bars)
            for key, bars in out.items()]


def svg(rows, title):
    gs = groups(rows)
    width, bar_h, gap = 900, 18, 14
    height = 60 + sum(len(b) * bar_h + gap + 18 for _, b in gs)
    vmax = max((v for _, b in gs for _, v, _ in b), default=1) or 1
    left, scale = 300, (width - 300 - 90) / vmax
    y = 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">'
           f'{escape(title)}</text>']
    for name, bars in gs:
        out.append(f'<text x="10" y="{y + 12}" font-weight="bold">'
                   f'{escape(name)}</text>')
        y += 18
        gmax = max((v for _, v, _ in bars), default=1) or 1
        # Workload groups mix units (IOPS, MB/s): each gets its own scale.
        gscale = (width - 300 - 90) / gmax if " / " in name and any(
            u in name for u in ("IOPS", "MB/s", "Mbit/s", "pps")) else scale
        for label, value, is_limit in bars:
            colour = "#9e9e9e" if is_limit else "#1f77b4"
            w = max(1, value * gscale)
            out.append(f'<text x="20" y="{y + 13}">{escape(label)}</text>')
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" '
                       f'height="{bar_h - 4}" fill="{colour}"/>')
            out.append(f'<text x="{left + w + 6:.1f}" y="{y + 13}">'
                       f'{value:.2f}</text>')
            y += bar_h
        y += gap
    out.append(f'<text x="10" y="{height - 10}" fill="#555">grey: the host '
               f'primitive the loopback is built on (the limit)</text>')
    out.append("</svg>")
    return "\n".join(out)


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: plot.py OUT.json OUT.svg IN.jsonl...")
    rows = load(sys.argv[3:])
    with open(sys.argv[1], "w") as f:
        json.dump({"results": rows}, f, indent=1)
    with open(sys.argv[2], "w") as f:
        f.write(svg(rows, "xenpv loopback: operation beside its limit (µs, mean; lower is better)"))


if __name__ == "__main__":
    main()
