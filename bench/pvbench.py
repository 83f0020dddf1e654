#!/usr/bin/env python3
"""PV against emulated I/O against the limit, block side.

Runs each workload through (a) the PV path when a PV block bench binary is
present (build/<flavour>/bin/xenpv-blk-bench, same options and JSON line as
xenpv-emu-bench), (b) the emulated ATA disk over ioreq round trips, (c) raw
libaio on the same file.  Prints a table, appends JSON lines to OUT.jsonl.

  pvbench.py BUILD_BIN OUT.jsonl [--quick] [--seconds S] [--file F]
             [--size-mb N] [--workloads randread4k,randwrite4k,...]
             [--qd 1,32] [--paths pv,emulated,limit]
"""
import argparse
import json
import os
import subprocess
import sys

WORKLOADS = {
    "randread4k": ("randread", 4096),
    "randwrite4k": ("randwrite", 4096),
    "seqread64k": ("read", 65536),
    "seqwrite64k": ("write", 65536),
    "seqread1m": ("read", 1 << 20),
}
DEFAULT = "randread4k,randwrite4k,seqread64k,seqread1m"


def prepare(path, size_mb):
    """A backing file with real data in it: holes read back unrealistically fast."""
    if os.path.exists(path) and os.path.getsize(path) >= size_mb << 20:
        return
    chunk = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for _ in range(size_mb):
            f.write(chunk)
        f.flush()
        os.fsync(f.fileno())


def run(binary, path, rw, bs, qd, seconds, file):
    cmd = [binary, "--path", path, "--file", file, "--rw", rw, "--bs",
           str(bs), "--qd", str(qd), "--seconds", str(seconds)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"   {path}: failed ({r.stderr.strip()})", file=sys.stderr)
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def row(r):
    return (f"{r['workload']:<20} {r['path']:<9} {r['iops']:>9.0f} "
            f"{r['mb_s']:>8.1f} {r['lat_mean_us']:>9.1f} "
            f"{r['lat_p99_us']:>9.1f} {r['cpu_us_per_io']:>8.1f} "
            f"{r['exits_per_io']:>6.1f} {r['notifies_per_io']:>6.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("out")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--file", default=None)
    ap.add_argument("--size-mb", type=int, default=256)
    ap.add_argument("--workloads", default=DEFAULT)
    ap.add_argument("--qd", default="1,32")
    ap.add_argument("--paths", default="pv,emulated,limit")
    a = ap.parse_args()
    secs = a.seconds or (1.0 if a.quick else 5.0)
    file = a.file or os.path.join(os.path.dirname(a.out), "disk.img")
    prepare(file, a.size_mb)
    binaries = {"pv": os.path.join(a.bin, "xenpv-blk-bench"),
                "emulated": os.path.join(a.bin, "xenpv-emu-bench"),
                "limit": os.path.join(a.bin, "xenpv-emu-bench")}
    kind = {"pv": "pv", "emulated": "ata", "limit": "raw"}
    paths = [p for p in a.paths.split(",") if os.access(binaries[p], os.X_OK)]
    missing = set(a.paths.split(",")) - set(paths)
    if missing:
        print(f"   not built, skipped: {', '.join(sorted(missing))}")
    print(f"{'workload':<20} {'path':<9} {'IOPS':>9} {'MB/s':>8} "
          f"{'mean us':>9} {'p99 us':>9} {'cpu/io':>8} {'exits':>6} "
          f"{'notif':>6}")
    with open(a.out, "a") as out:
        for wl in a.workloads.split(","):
            rw, bs = WORKLOADS[wl]
            qds = [int(q) for q in a.qd.split(",")] if bs == 4096 else [1]
            for qd in qds:
                for p in paths:
                    r = run(binaries[p], kind[p], rw, bs, qd, secs, file)
                    if r:
                        print(row(r), flush=True)
                        out.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
