#!/usr/bin/env python3
"""Turns benchmark JSON lines into one results file and an SVG plot.

Each input line is one measurement: {"bench": name, "placement": ...,
"mean_us": ..., "limit_of": name-it-is-the-limit-for-or-""} or a throughput
record with "value" and "unit" (block rows also carry "workload" and
"path": pv, null, emulated or limit; net rows "group": "net").  The plot
puts each operation beside its limit, one group per operation (and
placement), each group on its own scale, so the overhead is visible.
"""
import json
import sys
from html import escape

COLOURS = {"limit": "#9e9e9e", "null": "#9ecae1", "emulated": "#ff7f0e",
           "pv": "#1f77b4"}
LEGEND = [("pv", "xenpv (PV path)"),
          ("null", "PV transport only (null backend)"),
          ("emulated", "emulated device (ioreq)"),
          ("limit", "the limit (host primitive, raw libaio, veth)")]


def load(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def label(r):
    name = r["bench"]
    if "workload" in r and r.get("path") == "pv" and "placement" in r and \
            r["placement"] != "none" and "pinned" not in name:
        name += f" ({r['placement']})"
    return name


def kind(r):
    if "workload" in r:
        return r.get("path", "pv")
    return "limit" if r.get("limit_of") else "pv"


def groups(rows):
    """[(title, [(label, value, kind)])], in the order first seen."""
    out = {}
    for r in rows:
        if "workload" in r:
            better = ("lower is better" if r["unit"] == "us"
                      else "higher is better")
            key = (f"{r.get('group', 'block')} {r['workload']}: "
                   f"{r['unit']}, {better}")
            value = r["value"]
        elif "mean_us" in r:
            where = r.get("placement", "")
            key = (f"{r.get('limit_of') or r['bench']}"
                   f"{', ' + where if where else ''}: µs mean, lower is better")
            value = r["mean_us"]
        else:
            grp = r.get("group", "")
            key = (f"{grp + ' ' if grp else ''}"
                   f"{r.get('limit_of') or r['bench']}: {r.get('unit', '')}")
            value = r["value"]
        out.setdefault(key, []).append((label(r), value, kind(r)))
    # net_bench writes its records in no set order: sort those groups.
    net = sorted(k for k in out if k.startswith("net "))
    rest = [k for k in out if not k.startswith("net ")]
    return [(k, out[k]) for k in rest + net]


def fmt(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.2f}"


def svg(rows, title):
    gs = groups(rows)
    width, bar_h, gap, left = 980, 18, 12, 330
    span = width - left - 110
    height = 90 + sum(len(b) * bar_h + gap + 18 for _, b in gs)
    y = 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">'
           f'{escape(title)}</text>']
    for name, bars in gs:
        out.append(f'<text x="10" y="{y + 12}" font-weight="bold">'
                   f'{escape(name)}</text>')
        y += 18
        # Each group has one unit: its own scale, so every group reads.  The
        # null backend is far off that scale: its bar is cut, marked so.
        scaled = [v for _, v, k in bars if k != "null"] or [1]
        gmax = max(scaled) or 1
        for text, value, k in bars:
            w = max(1, value * span / gmax)
            cut = w > span
            w = min(w, span)
            out.append(f'<text x="20" y="{y + 13}">{escape(text)}</text>')
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" '
                       f'height="{bar_h - 4}" fill="{COLOURS[k]}"/>')
            if cut:
                out.append(f'<rect x="{left + w - 30:.1f}" y="{y}" width="4"'
                           f' height="{bar_h - 4}" fill="white"/>')
            out.append(f'<text x="{left + w + 6:.1f}" y="{y + 13}">'
                       f'{fmt(value)}</text>')
            y += bar_h
        y += gap
    x = 10
    for k, text in LEGEND:
        out.append(f'<rect x="{x}" y="{height - 26}" width="12" height="12" '
                   f'fill="{COLOURS[k]}"/>')
        out.append(f'<text x="{x + 16}" y="{height - 16}" fill="#333">'
                   f'{escape(text)}</text>')
        x += 16 + 7 * len(text) + 20
    out.append("</svg>")
    return "\n".join(out)


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: plot.py OUT.json OUT.svg IN.jsonl...")
    rows = load(sys.argv[3:])
    with open(sys.argv[1], "w") as f:
        json.dump({"results": rows}, f, indent=1)
    with open(sys.argv[2], "w") as f:
        f.write(svg(rows, "xenpv on the loopback: each operation beside "
                          "its limit (one scale per group)"))


if __name__ == "__main__":
    main()
