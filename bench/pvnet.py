#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PV against emulated I/O against the limit, network side.

Between two namespaces, A (the backend's side: netback's TAP, or the
device model's) and B (the guest's side: netfront's TAP, or the TAP of the
emulated NIC's guest), through (a) PV netfront -> netback, (b) the emulated
NE2000 over ioreq round trips, (c) a veth pair, the limit:

  tcp_tx   TCP throughput, guest -> A (iperf3, 1 stream)
  tcp_rx   TCP throughput, A -> guest
  udp64    64-byte UDP datagrams from the guest, unlimited rate, counted
           at the receiver (kpps)
  ping     round-trip latency, mean and p99 (200 pings, 5 ms apart)

Counted, not estimated, per packet through the guest's interface: exits
(ioreq round trips: the emulated guest's event sends, one per trapped port
access; the PV path traps nothing), event notifications (event channel
sends of both domains, from the loopback's own counters), wakeups (kicks of
a sleeping domain) and CPU time of the two path processes.  Placements:
unpinned, together (both on CPU 0), apart (CPU 0 and 1); iperf3 and the
kernel are never pinned.

  pvnet.py BUILD_DIR OUT.jsonl [--quick] [--seconds S]
           [--paths pv,emulated,limit] [--tests tcp_tx,tcp_rx,udp64,ping]
           [--placements unpinned,together]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

PLACEMENTS = {"unpinned": (None, None), "together": ("0", "0"),
              "apart": ("0", "1")}
TESTS = ("tcp_tx", "tcp_rx", "udp64", "ping")
ADDR_A, ADDR_B = "10.75.0.1", "10.75.0.2"
GUEST = 7


def log(msg):
    print(msg, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def nsx(ns, cmd):
    return ["ip", "netns", "exec", ns] + cmd


def pinned(cpu, cmd):
    return ["taskset", "-c", cpu] + cmd if cpu else cmd


def wait_for(fn, tries=400, step=0.05):
    for _ in range(tries):
        if fn():
            return True
        time.sleep(step)
    return False


def cpu_s(pid):
    """utime + stime of a live process, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class Rig:
    """Two namespaces and the processes of one path; all gone on close."""

    def __init__(self, build, tag):
        self.bin = os.path.join(build, "rel", "bin")
        self.tag = tag
        self.nsa, self.nsb = f"xpnA{tag}", f"xpnB{tag}"
        self.dir = tempfile.mkdtemp(prefix="xpv-pvnet.")
        self.procs = []
        self.path_pids = []
        self.guest_if = None
        self.domids = []
        for ns in (self.nsa, self.nsb):
            run(["ip", "netns", "add", ns], check=True)
            run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)

    def spawn(self, cmd, name, path_proc=False):
        out = open(os.path.join(self.dir, name + ".log"), "w")
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(p)
        if path_proc:
            self.path_pids.append(p.pid)
        return p

    def tool(self, name):
        return os.path.join(self.bin, name)

    def logfile(self, name):
        return os.path.join(self.dir, name + ".log")

    def loopback(self):
        self.spawn([self.tool("xenpv-loopback"), "--dir", self.dir], "lb")
        if not wait_for(lambda: os.path.exists(
                os.path.join(self.dir, "xenstored.sock"))):
            raise RuntimeError("xenpv-loopback did not come up")

    def addr(self, ifa, ifb):
        for ns, dev, a in ((self.nsa, ifa, ADDR_A), (self.nsb, ifb, ADDR_B)):
            run(["ip", "-n", ns, "addr", "add", a + "/24", "dev", dev],
                check=True)
            run(["ip", "-n", ns, "link", "set", dev, "up"], check=True)
        self.guest_if = ifb
        ok = wait_for(lambda: run(nsx(self.nsb, [
            "ping", "-c", "1", "-W", "1", ADDR_A])).returncode == 0, 60)
        if not ok:
            raise RuntimeError("no ping through the path")

    def link_exists(self, ns, dev):
        return run(["ip", "-n", ns, "link", "show", dev]).returncode == 0

    def close(self):
        for p in self.procs[::-1]:
            if p.poll() is None:
                p.terminate()
        for p in self.procs[::-1]:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for ns in (self.nsa, self.nsb):
            run(["ip", "netns", "del", ns])
        shutil.rmtree(self.dir, ignore_errors=True)


def setup_limit(rig, place):
    a, b = f"xpnva{rig.tag}", f"xpnvb{rig.tag}"
    run(["ip", "link", "add", a, "netns", rig.nsa, "type", "veth", "peer",
         "name", b, "netns", rig.nsb], check=True)
    rig.addr(a, b)


def setup_pv(rig, place):
    back, front = PLACEMENTS[place]
    tap = f"xpnfe{rig.tag}"
    rig.loopback()
    rig.spawn(nsx(rig.nsa, pinned(back, [rig.tool("xenpv-netback"), "--dir",
                                         rig.dir, "--queues", "1"])),
              "netback", True)
    run([rig.tool("xenpv-attach"), "--dir", rig.dir, "vif", "--domid",
         str(GUEST), "--id", "0", "--mac", "00:16:3e:00:01:07", "--queues",
         "1"], check=True)
    rig.spawn(nsx(rig.nsb, pinned(front, [
        rig.tool("xenpv-netfront"), "--dir", rig.dir, "--domid", str(GUEST),
        "--vif", "0", "--tap", tap, "--queues", "1"])), "netfront", True)
    vif = f"xvif{GUEST}.0"
    if not (wait_for(lambda: rig.link_exists(rig.nsa, vif)) and
            wait_for(lambda: rig.link_exists(rig.nsb, tap))):
        raise RuntimeError("vif did not connect")
    rig.domids = [0, GUEST]
    rig.addr(vif, tap)


def setup_emulated(rig, place):
    back, front = PLACEMENTS[place]
    ta, tb = f"xpnea{rig.tag}", f"xpneb{rig.tag}"
    rig.loopback()
    rig.spawn(nsx(rig.nsb, pinned(front, [
        rig.tool("xenpv-emunic"), "--dir", rig.dir, "--domid", str(GUEST),
        "--tap", tb])), "emunic", True)
    if not wait_for(lambda: "domain" in open(rig.logfile("emunic")).read()):
        raise RuntimeError("emunic guest did not start")
    rig.spawn(nsx(rig.nsa, pinned(back, [
        rig.tool("xenpv-devmodel"), "--dir", rig.dir, "--guest", str(GUEST),
        "--ioreq-gfn", "1", "--tap", ta])), "devmodel", True)
    if not wait_for(lambda: rig.link_exists(rig.nsa, ta)):
        raise RuntimeError("device model did not start")
    rig.domids = [0, GUEST]
    rig.addr(ta, tb)


def snapshot(rig):
    """Counters now: packets through the guest's interface, loopback stats,
    CPU of the path processes."""
    r = run(["ip", "-n", rig.nsb, "-s", "-j", "link", "show", rig.guest_if])
    st = json.loads(r.stdout)[0]["stats64"]
    snap = {"pkts": st["rx"]["packets"] + st["tx"]["packets"],
            "cpu": sum(cpu_s(p) for p in rig.path_pids),
            "sends": [0, 0], "kicks": 0}
    if rig.domids:
        r = run([rig.tool("xenpv-lb-stat"), "--dir", rig.dir] +
                [str(d) for d in rig.domids])
        lb = json.loads(r.stdout)
        # [0]: the backend or device model, [1]: the guest.
        snap["sends"] = [lb[str(d)]["sends"] for d in rig.domids]
        snap["kicks"] = sum(lb[str(d)]["kicks"] for d in rig.domids)
    return snap


def iperf(rig, test, secs):
    client, server, addr = ((rig.nsb, rig.nsa, ADDR_A) if test != "tcp_rx"
                            else (rig.nsa, rig.nsb, ADDR_B))
    srv = subprocess.Popen(nsx(server, ["iperf3", "-s", "-1", "-B", addr]),
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    args = ["-t", str(secs), "-J", "-c", addr]
    if test == "udp64":
        args += ["-u", "-l", "64", "-b", "0"]
    res = {}
    # The server may not listen yet; iperf3 -J can exit 0 even then.
    for _ in range(100):
        r = run(nsx(client, ["iperf3"] + args), timeout=secs + 60)
        try:
            res = json.loads(r.stdout)
        except ValueError:
            res = {"error": r.stderr.strip() or "no output"}
        if "unable to connect" not in res.get("error", ""):
            break
        time.sleep(0.05)
    try:
        srv.wait(timeout=10)
    except subprocess.TimeoutExpired:
        srv.kill()
        srv.wait()
    if "error" in res or "end" not in res:
        raise RuntimeError(f"iperf3 {test}: {res.get('error', 'no result')}")
    end = res["end"]
    if test == "udp64":
        s = end["sum"]
        return (s["packets"] - s["lost_packets"]) / s["seconds"] / 1e3, "kpps"
    return end["sum_received"]["bits_per_second"] / 1e9, "Gbit/s"


def ping(rig):
    r = run(nsx(rig.nsb, ["ping", "-c", "200", "-i", "0.005", "-W", "2",
                          "-n", ADDR_A]), timeout=120)
    rtts = sorted(float(m) for m in re.findall(r"time=([\d.]+) ms",
                                                  r.stdout))
    if not rtts:
        raise RuntimeError("no ping replies")
    mean = sum(rtts) / len(rtts) * 1e3
    p99 = rtts[min(len(rtts) - 1, int(len(rtts) * 0.99))] * 1e3
    return mean, p99, len(rtts)


def measure(rig, path, place, test, secs):
    before = snapshot(rig)
    lat = None
    if test == "ping":
        mean, p99, n = ping(rig)
        value, unit, lat = mean, "us", (mean, p99)
    else:
        value, unit = iperf(rig, test, secs)
    after = snapshot(rig)
    pkts = max(1, after["pkts"] - before["pkts"])
    sends = [a - b for a, b in zip(after["sends"], before["sends"])]
    where = {"unpinned": "unpinned", "together": "pinned together",
             "apart": "pinned apart"}.get(place, "kernel")
    row = {"bench": f"net {test} {path}, {where}", "group": "net",
           "workload": test,
           "path": path, "placement": place if path != "limit" else "kernel",
           "value": round(value, 3), "unit": unit,
           "packets": after["pkts"] - before["pkts"],
           "exits_per_pkt": round(sends[1] / pkts, 2)
           if path == "emulated" else 0.0,
           "notifies_per_pkt": round(sum(sends) / pkts, 2),
           "wakeups_per_pkt": round((after["kicks"] - before["kicks"]) /
                                    pkts, 2),
           "cpu_s": round(after["cpu"] - before["cpu"], 3),
           "cpu_us_per_pkt": round((after["cpu"] - before["cpu"]) * 1e6 /
                                   pkts, 2),
           "limit_of": "" if path != "limit" else f"net {test}"}
    if lat:
        row["lat_mean_us"], row["lat_p99_us"] = round(lat[0], 1), \
            round(lat[1], 1)
    return row


def fmt(r):
    v = (f"{r['value']:>9.3f} {r['unit']:<6}" if r["unit"] != "us" else
         f"{r['lat_mean_us']:>7.0f}/{r['lat_p99_us']:<6.0f}us")
    return (f"{r['workload']:<7} {r['path']:<9} {r['placement']:<9} {v} "
            f"{r['packets']:>9} {r['exits_per_pkt']:>7.1f} "
            f"{r['notifies_per_pkt']:>7.1f} {r['wakeups_per_pkt']:>7.1f} "
            f"{r['cpu_us_per_pkt']:>8.1f}")


def one_path(build, path, place, tests, secs, out, tag):
    rig = Rig(build, tag)
    try:
        {"limit": setup_limit, "pv": setup_pv,
         "emulated": setup_emulated}[path](rig, place)
        for t in tests:
            r = measure(rig, path, place, t, secs)
            log(fmt(r))
            out.write(json.dumps(r) + "\n")
            out.flush()
    except (RuntimeError, subprocess.CalledProcessError, KeyError,
            ValueError, subprocess.TimeoutExpired) as e:
        log(f"   {path} ({place}): failed: {e} (logs were in {rig.dir})")
    finally:
        rig.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("out")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--paths", default="pv,emulated,limit")
    ap.add_argument("--tests", default=",".join(TESTS))
    ap.add_argument("--placements", default=None)
    a = ap.parse_args()
    if os.geteuid() != 0:
        log("   net comparison: needs root (namespaces, TAP); skipped")
        return 0
    secs = a.seconds or (2 if a.quick else 4)
    places = (a.placements or ("unpinned" if a.quick else
                               "unpinned,together")).split(",")
    tests = a.tests.split(",")
    build = os.path.abspath(a.build)
    log(f"== net: {', '.join(tests)}; {secs:g} s per iperf3 run; "
        f"placements of the two path processes: {', '.join(places)}")
    log(f"{'test':<7} {'path':<9} {'placement':<9} {'value':>16} "
        f"{'packets':>9} {'exits':>7} {'notif':>7} {'wakeup':>7} "
        f"{'cpu us':>8}")
    log(f"{'':<27} {'':>16} {'':>9} {'/pkt':>7} {'/pkt':>7} {'/pkt':>7} "
        f"{'/pkt':>8}")
    with open(a.out, "a") as out:
        for path in a.paths.split(","):
            for place in (places if path != "limit" else ["kernel"]):
                one_path(build, path, place, tests, secs, out,
                         f"{os.getpid() % 10000}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
