#!/usr/bin/env python3
"""rstdiag's cost next to plain tshark, measured in one run on the same captures.

  bench/benchmark.py PLUGIN [--runs N] [--work DIR] [--quick]

Generates its captures deterministically (bench/gencap.py): a mixed capture of
~400k packets, one 4x larger, a RST flood (one conversation, 200k RSTs with
changing seq) and a 4-tuple reused by 100k conversations.  For each capture and
mode (single pass, -2), it alternates plain tshark and tshark with the plugin,
each doing the user's job: `-T fields -e rstdiag.cause` with the plugin, against
`-T fields -e tcp.stream` in a tshark that loads no rstdiag at all.  It prints
the median wall time and peak RSS of each and their ratios, then the targets
(issue 13).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(os.path.dirname(HERE), "tools", "tshark-rstdiag")
GEN = os.path.join(HERE, "gencap.py")

CAPTURES = [("mixed", ["mixed", "--scale", "1"]), ("mixed-4x", ["mixed", "--scale", "4"]),
            ("rst-flood", ["rst-flood", "--count", "200000"]),
            ("tuple-reuse", ["tuple-reuse", "--count", "100000"])]


def run(plugin, capture, two_pass):
    field = "tcp.stream" if plugin == "none" else "rstdiag.cause"
    args = [RUNNER, plugin, "-r", capture, "-T", "fields", "-e", field]
    if two_pass:
        args.insert(2, "-2")
    start = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode()          # before waiting: a full pipe would block it
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {err}")
    return wall, usage.ru_maxrss / 1024.0       # MiB (the largest process: tshark)


def measure(plugin, capture, two_pass, runs):
    plain, with_plugin = [], []
    for _ in range(runs):                        # alternate, so drift hits both alike
        plain.append(run("none", capture, two_pass))
        with_plugin.append(run(plugin, capture, two_pass))
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    return {"plain_s": med(plain, 0), "plugin_s": med(with_plugin, 0),
            "plain_mib": med(plain, 1), "plugin_mib": med(with_plugin, 1)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plugin")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/rstdiag-bench")
    ap.add_argument("--quick", action="store_true", help="skip the 4x capture")
    ap.add_argument("--only", help="comma-separated captures to run (default: all)")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    os.chmod(a.work, 0o755)
    results = {}
    print(f"{'capture':<12} {'mode':<6} {'plain s':>8} {'rstdiag s':>9} {'ratio':>6}  "
          f"{'plain MiB':>9} {'rstdiag MiB':>11} {'ratio':>6}")
    for name, gen in CAPTURES:
        if (a.quick and name == "mixed-4x") or (a.only and name not in a.only.split(",")):
            continue
        path = os.path.join(a.work, name + ".pcap")
        if not os.path.exists(path):
            subprocess.run([sys.executable, GEN, gen[0], path] + gen[1:], check=True,
                           stdout=subprocess.DEVNULL)
            os.chmod(path, 0o644)
        for two_pass in (False, True):
            mode = "-2" if two_pass else "single"
            r = measure(a.plugin, path, two_pass, a.runs)
            results[(name, mode)] = r
            print(f"{name:<12} {mode:<6} {r['plain_s']:8.2f} {r['plugin_s']:9.2f} "
                  f"{r['plugin_s'] / r['plain_s']:6.3f}  {r['plain_mib']:9.1f} "
                  f"{r['plugin_mib']:11.1f} {r['plugin_mib'] / r['plain_mib']:6.3f}", flush=True)

    print("\ntargets:")
    def target(label, value, limit):
        print(f"  {'met   ' if value <= limit else 'MISSED'} {label}: {value:.3f} (<= {limit})")
    def ratio(name, mode, key):
        r = results[(name, mode)]
        return r[f"plugin_{key}"] / r[f"plain_{key}"]
    walls = {"mixed": {"single": 1.03, "-2": 1.05}, "mixed-4x": {"single": 1.03, "-2": 1.05},
             "rst-flood": {"single": 1.15, "-2": 1.15}, "tuple-reuse": {"single": 1.1, "-2": 1.1}}
    rss = {"mixed": 1.02, "mixed-4x": 1.02, "rst-flood": 1.05, "tuple-reuse": 1.1}
    for mode in ("single", "-2"):
        for name, limits in walls.items():
            if (name, mode) in results:
                target(f"{name} {mode} wall ratio", ratio(name, mode, "s"), limits[mode])
                target(f"{name} {mode} RSS ratio", ratio(name, mode, "mib"), rss[name])
        if ("mixed-4x", mode) in results and ("mixed", mode) in results:
            big, small = results[("mixed-4x", mode)], results[("mixed", mode)]
            target(f"mixed-4x/mixed {mode} rstdiag RSS (bounded by the capture)",
                   big["plugin_mib"] / small["plugin_mib"], 4.1)

if __name__ == "__main__":
    main()
