#!/usr/bin/env python3
"""Run rstdiag over every capture of the public corpus (../shared/corpus) and
check its verdicts against what the captures' sources say (test/corpus/claims.tsv).

  corpus_agreement.py PLUGIN [--corpus DIR] [--min PERCENT]

Every capture is dissected in single pass and with -2: no crash, no dissector
bug from rstdiag.  Then each claim is checked on the -2 verdicts, and the
agreement is printed as a figure; it fails below --min.  Without the corpus
(a checkout without ../shared) it says so and passes.
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(os.path.dirname(HERE), "tools", "tshark-rstdiag")
FIELDS = ["frame.number", "tcp.srcport", "tcp.dstport", "rstdiag.cause", "rstdiag.sender",
          "rstdiag.reason_code", "rstdiag.summary"]


def tshark(plugin, *args):
    return subprocess.run([RUNNER, plugin, *args], capture_output=True, text=True, timeout=900)


def verdicts(plugin, capture):
    args = ["-2", "-r", capture, "-Y", "rstdiag.cause", "-T", "fields", "-E", "occurrence=l"]
    for f in FIELDS:
        args += ["-e", f]
    proc = tshark(plugin, *args)
    rows = []
    for line in proc.stdout.splitlines():
        cols = (line.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]
        rows.append(dict(zip(["frame", "sport", "dport", "cause", "sender", "reason_code",
                              "summary"], cols)))
    return proc, rows


def tripwire_flows(path):
    """The (client port, server port) of every flow a Tripwire log flags."""
    text = open(path).read()
    flows = set()
    for m in re.finditer(r'"ports":\{"src":"(\d+)","dst":"(\d+)"\}', text):
        flows.add((m.group(1), m.group(2)))
    for m in re.finditer(r"Ports: (\d+)->(\d+)", text):
        flows.add((m.group(1), m.group(2)))
    return sorted(flows)


def selections(corpus, capture, which, rows):
    """The groups of RST rows one claim speaks of (one group per flow for Tripwire)."""
    def between(a, b):
        return [r for r in rows if {r["sport"], r["dport"]} == {a, b}]
    if which == "all":
        return [("", rows)]
    if which.startswith("frame="):
        frames = set(which[6:].split(","))
        return [("", [r for r in rows if r["frame"] in frames])]
    if which.startswith("ports="):
        a, b = which[6:].split("-")
        return [("", between(a, b))]
    if which.startswith("tripwire="):
        log = os.path.join(corpus, os.path.dirname(capture), which[9:])
        return [(f" flow {a}->{b}", between(a, b)) for a, b in tripwire_flows(log)]
    raise ValueError(f"bad selection {which}")


def holds(rows, quantifier, field, accepted):
    def ok(r):
        if field == "summary~":
            return any(a in r["summary"] for a in accepted)
        return r[field] in accepted
    if not rows:
        return False
    return all(map(ok, rows)) if quantifier == "all" else any(map(ok, rows))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plugin")
    ap.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "shared", "corpus"))
    ap.add_argument("--claims", default=os.path.join(HERE, "corpus", "claims.tsv"))
    ap.add_argument("--min", type=float, default=0.0)
    args = ap.parse_args()
    corpus = os.path.abspath(args.corpus)
    if not os.path.isdir(corpus):
        print(f"no corpus at {corpus}: skipped")
        return 77

    captures = sorted(os.path.relpath(os.path.join(d, f), corpus)
                      for d, _, fs in os.walk(corpus) for f in fs
                      if f.endswith((".pcap", ".pcapng")))
    crashes, table = [], {}
    for cap in captures:
        path = os.path.join(corpus, cap)
        single = tshark(args.plugin, "-r", path)
        proc, rows = verdicts(args.plugin, path)
        for mode, p in (("single pass", single), ("-2", proc)):
            if p.returncode not in (0, 2) or "rstdiag" in p.stderr:
                crashes.append(f"{cap} ({mode}): exit {p.returncode} {p.stderr[-500:]}")
        table[cap] = rows
    print(f"{len(captures)} corpus captures dissected in both modes, "
          f"{sum(len(r) for r in table.values())} RSTs diagnosed, {len(crashes)} failures")
    for c in crashes:
        print("  CRASH", c)

    agree = total = 0
    with open(args.claims) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            cap, which, quant, field, accepted, said = line.rstrip("\n").split("\t")
            for label, rows in selections(corpus, cap, which, table.get(cap, [])):
                total += 1
                good = holds(rows, quant, field, accepted.split("|"))
                agree += good
                got = sorted({r["cause" if field == "summary~" else field] for r in rows})
                print(f"  {'agree   ' if good else 'DISAGREE'} {cap}{label}: "
                      f"{quant} {field} in {accepted}; got {got or 'no RST'} -- {said}")
    pct = 100.0 * agree / total if total else 100.0
    print(f"corpus agreement: {agree}/{total} source claims ({pct:.1f}%)")
    if crashes:
        return 1
    if pct < args.min:
        print(f"FAIL: agreement below {args.min}%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
