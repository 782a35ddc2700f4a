#!/usr/bin/env python3
"""Tests of the teaching labs (labs/), run by ctest.

    labs_test.py keys PLUGIN          every lab's key against tshark, both passes (at
                                      least 14 labs), and `lab check` grading a right
                                      and a wrong answers file without giving the key away
    labs_test.py ladder PLUGIN        ./rstdiag ladder of every lab's conversation
                                      against test/expected/ladder/LAB.txt, 100 columns
    labs_test.py ladder-update PLUGIN rewrite those golden files (review the diff!)
    labs_test.py regenerate PLUGIN    (root) fresh variants of two labs recorded in
                                      network namespaces, each graded by its key
Exit status 77 (skip) when what a test needs is missing, with the reason.
"""
import os
import shutil
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LAB = [sys.executable, os.path.join(ROOT, "tools", "lab.py")]
LADDER = [sys.executable, os.path.join(ROOT, "tools", "ladder.py")]
GOLDEN = os.path.join(HERE, "expected", "ladder")
SKIP = 77
REGENERATE_LABS = ["port-closed", "data-after-close"]


def run(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=3000,
                          env=dict(os.environ, **(env or {})))


def labs():
    d = os.path.join(ROOT, "labs")
    return sorted(n for n in os.listdir(d) if os.path.isfile(os.path.join(d, n, "lab.toml")))


def keys(plugin):
    p = run(LAB + ["verify", plugin])
    print(p.stdout, end="")
    ok = p.returncode == 0
    right = os.path.join(HERE, "labs", "port-closed.right.toml")
    wrong = os.path.join(HERE, "labs", "port-closed.wrong.toml")
    p = run(LAB + ["check", "port-closed", right, "--plugin", plugin])
    if p.returncode != 0 or "8 of 8 right" not in p.stdout:
        print("FAIL: a right answers file is not graded 8 of 8:\n" + p.stdout + p.stderr)
        ok = False
    p = run(LAB + ["check", "port-closed", wrong, "--plugin", plugin])
    want = {"q1": "wrong", "q2": "right", "q3": "wrong", "q4": "wrong", "q5": "right",
            "q6": "wrong", "q7": "wrong", "q8": "no answer"}
    got = dict(line.strip().split(": ", 1) for line in p.stdout.splitlines()
               if line.startswith("  q"))
    if p.returncode != 1 or got != want or "2 of 8 right" not in p.stdout:
        print(f"FAIL: the wrong answers file graded {got}, rc {p.returncode}")
        ok = False
    with open(os.path.join(ROOT, "labs", "port-closed", "key.toml"), "rb") as f:
        key = tomllib.load(f)
    leaked = [v for a in key["answer"].values() for v in (a.get("why"), a.get("filter"))
              if v and v in p.stdout]
    if leaked:
        print(f"FAIL: lab check gives the key away: {leaked}")
        ok = False
    if ok:
        print("lab check: a right file 8 of 8, a wrong one 2 of 8 with the right questions "
              "named, nothing of the key shown")
    return 0 if ok else 1


def ladder_of(plugin, name):
    with open(os.path.join(ROOT, "labs", name, "lab.toml"), "rb") as f:
        lab = tomllib.load(f)
    p = run(LADDER + [plugin, os.path.join(ROOT, lab["capture"]), lab["conversation"]])
    if p.returncode != 0:
        raise RuntimeError(f"{name}: ladder failed: {p.stderr}")
    return p.stdout


def ladder(plugin, update=False):
    bad = 0
    for name in labs():
        text = ladder_of(plugin, name)
        path = os.path.join(GOLDEN, name + ".txt")
        if update:
            with open(path, "w") as f:
                f.write(text)
            print("updated", path)
            continue
        wide = [ln for ln in text.splitlines() if len(ln) > 100]
        if not os.path.exists(path):
            print(f"FAIL {name}: no golden {path} (labs_test.py ladder-update, then review)")
            bad += 1
        elif open(path).read() != text:
            import difflib
            print(f"FAIL {name}: the ladder differs:")
            print("".join(difflib.unified_diff(open(path).read().splitlines(True),
                                               text.splitlines(True), path, "ladder")))
            bad += 1
        elif wide:
            print(f"FAIL {name}: {len(wide)} lines wider than 100 columns")
            bad += 1
        else:
            print(f"ok   {name}: {len(text.splitlines())} lines")
    return 1 if bad else 0


def regenerate(plugin):
    if os.geteuid() != 0:
        print("skipped: recording variants needs root (network namespaces)")
        return SKIP
    missing = [t for t in ("ip", "tcpdump", "nft", "nmap") if not shutil.which(t)]
    if missing or run(["/usr/bin/python3", "-c", "import scapy.all"]).returncode != 0:
        print(f"skipped: the capture lab needs {' '.join(missing) or 'python3-scapy'}")
        return SKIP
    probe = run(["ip", "netns", "add", "rstdiag-probe"])
    run(["ip", "netns", "del", "rstdiag-probe"])
    if probe.returncode != 0:
        print(f"skipped: no network namespaces here: {probe.stderr.strip()}")
        return SKIP
    import tempfile
    with tempfile.TemporaryDirectory() as out:
        p = run([os.path.join(ROOT, "tools", "lab-regenerate.sh")] + REGENERATE_LABS,
                env={"RSTDIAG_PLUGIN": plugin, "RSTDIAG_VARIANTS_DIR": out})
        print(p.stdout + p.stderr)
        made = sorted(os.listdir(out))
    if p.returncode == 0 and len(made) != len(REGENERATE_LABS):
        print(f"FAIL: variants made: {made}")
        return 1
    return p.returncode


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    cmd, plugin = argv[1], argv[2]
    if cmd == "keys":
        return keys(plugin)
    if cmd in ("ladder", "ladder-update"):
        return ladder(plugin, cmd == "ladder-update")
    if cmd == "regenerate":
        return regenerate(plugin)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
