#!/usr/bin/env python3
"""The field figure: rstdiag on everyday and attack traffic nobody labelled
(../shared/field), held to a reviewed list of judgements.

  field_figure.py PLUGIN [--field DIR] [--judgements TSV] [--max-unknown PERCENT]

Every capture is dissected with -2.  It prints how many RSTs there are, the
count per cause, the unknown rate and every strong claim: a cause that accuses
someone (injected, firewall-reject, a scan) or an origin of `middlebox`.  Each
strong claim must have a line in the judgements file (capture, frame, the
verdict as cause/origin, plausible or false, and why), written by a person who
read the conversation.  It fails when a claim has no judgement, when a claim
judged false comes back, or when the unknown rate exceeds --max-unknown.
Without the field captures it exits with ctest's skip code (77).
"""
import argparse
import collections
import csv
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(os.path.dirname(HERE), "tools", "tshark-rstdiag")
STRONG_CAUSES = {"injected", "firewall-reject", "syn-scan", "connect-scan", "stealth-scan"}
SKIP = 77


def verdicts(plugin, capture):
    """(frame, cause, origin, summary) of every RST rstdiag diagnosed."""
    proc = subprocess.run(
        [RUNNER, plugin, "-2", "-r", capture, "-Y", "rstdiag.cause", "-T", "fields",
         "-E", "occurrence=f", "-e", "frame.number", "-e", "rstdiag.cause",
         "-e", "rstdiag.origin", "-e", "rstdiag.summary"],
        capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"{capture}: tshark exited {proc.returncode}: {proc.stderr[-1000:]}")
    for line in proc.stdout.splitlines():
        frame, cause, origin, summary = (line.split("\t") + ["", "", ""])[:4]
        yield frame, cause, origin, summary


def strong(cause, origin):
    return cause in STRONG_CAUSES or origin == "middlebox"


def read_judgements(path):
    judged = {}
    with open(path, newline="") as f:
        for row in csv.DictReader((l for l in f if not l.startswith("#")), delimiter="\t"):
            judged[(row["capture"], row["frame"], row["verdict"])] = (row["judgement"],
                                                                       row["why"])
    return judged


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plugin")
    ap.add_argument("--field", default=os.path.join(HERE, "..", "..", "shared", "field"))
    ap.add_argument("--judgements", default=os.path.join(HERE, "field-judgements.tsv"))
    ap.add_argument("--max-unknown", type=float, default=5.0)
    args = ap.parse_args()
    field = os.path.abspath(args.field)
    if not os.path.isdir(field):
        print(f"no field captures at {field}: skipped")
        return SKIP
    captures = sorted(f for f in os.listdir(field) if f.endswith((".pcap", ".pcapng")))
    if not captures:
        print(f"no captures in {field}: skipped")
        return SKIP
    judged = read_judgements(args.judgements)

    causes = collections.Counter()
    claims, errors = [], []
    for name in captures:
        for frame, cause, origin, summary in verdicts(args.plugin, os.path.join(field, name)):
            causes[cause] += 1
            if not strong(cause, origin):
                continue
            verdict = f"{cause}/{origin}"
            judgement = judged.get((name, frame, verdict))
            claims.append((name, frame, verdict, judgement))
            if judgement is None:
                errors.append(f"{name} frame {frame}: {verdict} has no judgement "
                              f"({summary[:160]})")
            elif judgement[0] != "plausible":
                errors.append(f"{name} frame {frame}: {verdict} was judged "
                              f"{judgement[0]}: {judgement[1]}")

    total = sum(causes.values())
    unknown = 100.0 * causes["unknown"] / total if total else 0.0
    print(f"field: {len(captures)} captures, {total} RSTs")
    for cause, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {cause:22} {n:5}")
    print(f"unknown: {causes['unknown']} of {total} ({unknown:.1f} %)")
    false_claims = sum(1 for c in claims if c[3] and c[3][0] != "plausible")
    print(f"strong claims: {len(claims)}, judged plausible "
          f"{sum(1 for c in claims if c[3] and c[3][0] == 'plausible')}, "
          f"judged false {false_claims}, unjudged {sum(1 for c in claims if not c[3])}")
    for name, frame, verdict, judgement in claims:
        print(f"  {name} frame {frame}: {verdict}: "
              f"{judgement[0] + ' - ' + judgement[1] if judgement else 'NOT JUDGED'}")
    if unknown > args.max_unknown:
        errors.append(f"unknown rate {unknown:.1f} % exceeds {args.max_unknown} %")
    if errors:
        print("FAILED:\n  " + "\n  ".join(errors))
        return 1
    print("field figure: every strong claim judged plausible")
    return 0


if __name__ == "__main__":
    sys.exit(main())
