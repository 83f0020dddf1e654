#!/usr/bin/env python3
"""PV against emulated I/O against the limit, block side.

Runs each workload through (a) the PV path, blkfront -> xenpv-blkback on
the loopback (xenpv-blk-bench), (b) the same PV path with a null backend
(the transport alone, no disk), (c) the emulated ATA disk over ioreq round
trips (xenpv-emu-bench), (d) raw libaio on the same file, the limit.  Then
the PV path again with each of persistent grants, indirect descriptors and
the backend's grant copy off, and in each placement (both processes on one
CPU, on two, unpinned).  Prints a table, appends JSON lines to OUT.jsonl.

  pvbench.py BUILD_BIN OUT.jsonl [--quick] [--seconds S] [--file F]
             [--size-mb N] [--workloads randread4k,randwrite4k,...]
             [--qd 1,32] [--paths pv,null,emulated,limit] [--no-variants]
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
    "seqwrite1m": ("write", 1 << 20),
}
DEFAULT = "randread4k,randwrite4k,seqread64k,seqread1m"

# (workload, qd, label, extra options): the PV path with one thing changed.
VARIANTS = [
    ("randread4k", 32, "PV, no persistent grants", ["--no-persistent"]),
    ("randread4k", 32, "PV, no persistent, no grant copy",
     ["--no-persistent", "--no-grant-copy"]),
    ("seqread1m", 1, "PV, no persistent grants", ["--no-persistent"]),
    ("seqread1m", 1, "PV, no indirect", ["--no-indirect"]),
    ("seqread1m", 1, "PV, no persistent, no indirect",
     ["--no-persistent", "--no-indirect"]),
]
PLACEMENTS = [("randread4k", 1), ("randread4k", 32), ("seqread1m", 1)]


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


def run(binary, path, rw, bs, qd, seconds, file, extra=()):
    cmd = [binary, "--path", path, "--file", file, "--rw", rw, "--bs",
           str(bs), "--qd", str(qd), "--seconds", str(seconds), *extra]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"   {path}: failed ({r.stderr.strip()})", file=sys.stderr)
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


HEAD = (f"{'workload':<18} {'path':<34} {'where':<6} {'IOPS':>8} "
        f"{'MB/s':>7} {'mean us':>8} {'p99 us':>8} {'cpu/io':>7} "
        f"{'exits':>6} {'notif':>6} {'kicks':>6}")


def row(r):
    return (f"{r['workload']:<18} {r['bench'][:34]:<34} "
            f"{r.get('placement', '-'):<6} {r['iops']:>8.0f} "
            f"{r['mb_s']:>7.1f} {r['lat_mean_us']:>8.1f} "
            f"{r['lat_p99_us']:>8.1f} {r['cpu_us_per_io']:>7.2f} "
            f"{r['exits_per_io']:>6.2f} {r['notifies_per_io']:>6.2f} "
            f"{r.get('kicks_per_io', 0):>6.2f}")


def emit(out, r):
    if r:
        print(row(r), flush=True)
        out.write(json.dumps(r) + "\n")


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
    ap.add_argument("--paths", default="pv,null,emulated,limit")
    ap.add_argument("--no-variants", action="store_true")
    a = ap.parse_args()
    secs = a.seconds or (1.0 if a.quick else 5.0)
    file = a.file or os.path.join(os.path.dirname(a.out), "disk.img")
    prepare(file, a.size_mb)
    blk = os.path.join(a.bin, "xenpv-blk-bench")
    emu = os.path.join(a.bin, "xenpv-emu-bench")
    binaries = {"pv": blk, "null": blk, "emulated": emu, "limit": emu}
    kind = {"pv": "pv", "null": "null", "emulated": "ata", "limit": "raw"}
    paths = [p for p in a.paths.split(",") if os.access(binaries[p], os.X_OK)]
    missing = set(a.paths.split(",")) - set(paths)
    if missing:
        print(f"   not built, skipped: {', '.join(sorted(missing))}")
    print(f"   {secs:g}s per run; where: CPUs of frontend and backend "
          f"(same, apart, none = unpinned)")
    print(HEAD)
    with open(a.out, "a") as out:
        for wl in a.workloads.split(","):
            rw, bs = WORKLOADS[wl]
            qds = [int(q) for q in a.qd.split(",")] if bs == 4096 else [1]
            for qd in qds:
                for p in paths:
                    emit(out, run(binaries[p], kind[p], rw, bs, qd, secs,
                                  file))
        if a.no_variants or "pv" not in paths:
            return
        print("-- the PV path with one feature off (unpinned)")
        for wl, qd, label, extra in VARIANTS:
            rw, bs = WORKLOADS[wl]
            emit(out, run(blk, "pv", rw, bs, qd, secs, file,
                          [*extra, "--label", label]))
        print("-- placements: frontend and backend on one CPU, on two")
        for wl, qd in PLACEMENTS:
            rw, bs = WORKLOADS[wl]
            for pin in ("same", "apart"):
                emit(out, run(blk, "pv", rw, bs, qd, secs, file,
                              ["--pin", pin, "--label", f"PV, pinned {pin}"]))


if __name__ == "__main__":
    main()
