#!/usr/bin/env python3
"""The HVM run's figures from its console log (tests/xen/hvm/run.sh).

Joins the guest's "XT_BENCH phase=N row=R wl=W key=value..." lines with
dom0's "XTRACE phase=N exits=... " lines (xenpv-xtcount), prints a table
and writes one JSON object per workload and path, in the form bench/plot.py
reads ("bench", "path", "workload", "value", "unit").  Measured in a guest
of Xen nested in QEMU's TCG: only ratios within one run mean anything.

  report.py CONSOLE_LOG OUT.jsonl [OUT.svg]
"""
import json
import os
import re
import sys

KV = re.compile(r"(\w+)=(\S+)")
WHERE = "Xen 4.17 HVM guest, nested in QEMU TCG"
WORKLOADS = {
    "randread-4k": ("hvm randread 4k qd1", "iops", "IOPS"),
    "randread-4k-untraced": ("hvm randread 4k qd1, no trace", "iops",
                             "IOPS"),
    "randwrite-4k": ("hvm randwrite 4k qd1", "iops", "IOPS"),
    "seqread-1m": ("hvm seqread 1m qd1", "mb_s", "MB/s"),
    "seqwrite-1m": ("hvm seqwrite 1m qd1", "mb_s", "MB/s"),
    "tcp-download": ("hvm tcp dom0->guest", "mb_s", "MB/s"),
    "tcp-upload": ("hvm tcp guest->dom0", "mb_s", "MB/s"),
}
ROWS = {
    "emulated/qemu-xen": "(a) emulated (ata_piix, e1000 / qemu-xen)",
    "xenpv-blkfront/xenpv-blkback": "(b) ours / our userspace backends",
    "xenpv-netfront/xenpv-netback": "(b) ours / our userspace backends",
    "xenpv-blkfront/linux-blkback": "(c) ours / Linux backends",
    "xenpv-netfront/linux-netback": "(c) ours / Linux backends",
    "linux-blkfront/linux-blkback": "(d) Linux frontends / Linux backends",
    "linux-netfront/linux-netback": "(d) Linux frontends / Linux backends",
}


def fields(line, tag):
    i = line.find(tag + " ")
    return dict(KV.findall(line[i + len(tag):])) if i >= 0 else None


def parse(path):
    bench, trace = [], {}
    with open(path, errors="replace") as f:
        for line in f:
            b = fields(line, "XT_BENCH")
            if b and "phase" in b and "wl" in b:
                bench.append(b)
            t = fields(line, "XTRACE")
            if t and "phase" in t:
                trace[t["phase"]] = {k: int(v) for k, v in t.items()}
    return bench, trace


def record(b, t):
    wl, key, unit = WORKLOADS.get(b["wl"], (b["wl"], "mb_s", "MB/s"))
    net = b["wl"].startswith("tcp")
    # Per I/O for the disk, per MiB moved for the network.
    n = int(b["bytes"]) / 2**20 if net else int(b.get("ios", 0))
    r = {"bench": ROWS.get(b["row"], b["row"]), "pair": b["row"],
         "path": "emulated" if b["row"].startswith("emulated") else "pv",
         "group": "net" if net else "block",
         "workload": wl, "value": float(b[key]), "unit": unit,
         "where": WHERE, "tcg": True, "secs": float(b["secs"]),
         "bytes": int(b["bytes"]), "irqs": int(b.get("irqs", 0))}
    if not net:
        r.update(ios=int(b["ios"]), iops=float(b["iops"]),
                 mb_s=float(b["mb_s"]), lat_mean_us=float(b["lat_us"]))
    per = "per_mib" if net else "per_io"
    if n > 0:
        r["irqs_" + per] = round(int(b.get("irqs", 0)) / n, 2)
    if t and n > 0:
        r["exits_" + per] = round(t["exits"] / n, 2)
        r["emulated_io_" + per] = round((t["ioport"] + t["iomem"]) / n, 2)
        r["exit_reasons"] = {k: t[k] for k in ("ioio", "npf", "intr", "vintr",
                                               "hlt", "msr", "cpuid",
                                               "vmmcall", "other")}
        r["trace_lost"] = t["lost"]
    return r


def table(rows):
    base = {r["workload"]: r["value"] for r in rows if r["path"] == "emulated"}
    out = [f"{'workload':<22} {'path':<30} {'value':>9} {'unit':<5} "
           f"{'x emul':>6} {'exits':>8} {'emul.io':>8} {'irqs':>7}  (per I/O;"
           f" per MiB for tcp)"]
    for r in rows:
        per = "per_mib" if r["workload"].startswith("hvm tcp") else "per_io"
        ratio = (f"{r['value'] / base[r['workload']]:.1f}"
                 if base.get(r["workload"]) else "-")
        def g(k):
            v = r.get(k + "_" + per)
            return "-" if v is None else f"{v:.1f}"
        out.append(f"{r['workload']:<22} {r['pair']:<30} {r['value']:>9.1f} "
                   f"{r['unit']:<5} {ratio:>6} {g('exits'):>8} "
                   f"{g('emulated_io'):>8} {g('irqs'):>7}")
    return "\n".join(out)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: report.py CONSOLE_LOG OUT.jsonl [OUT.svg]")
    bench, trace = parse(sys.argv[1])
    rows = [record(b, trace.get(b["phase"])) for b in bench]
    if not rows:
        print("report: no XT_BENCH lines in the log")
        return 1
    with open(sys.argv[2], "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    print(f"== real Xen HVM ({WHERE}; only ratios within this run mean "
          f"anything)")
    print(table(rows))
    if len(sys.argv) > 3:
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                        "..", "bench"))
        import plot
        with open(sys.argv[3], "w") as f:
            f.write(plot.svg(rows, "xenpv on real Xen 4.17, HVM guest under "
                             "QEMU TCG: PV against emulated (ratios only)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
