#!/usr/bin/env python3
"""rstdiag teaching labs (labs/<name>/lab.toml + key.toml).

    lab.py list
    lab.py show LAB                      story, capture and questions (no answers)
    lab.py key LAB                       the answer key, with the reasons
    lab.py check LAB ANSWERS [--capture PCAP]
                                         grade a student's answers file: which
                                         are right, which wrong (never the key)
    lab.py verify PLUGIN [LAB...] [--capture PCAP]
                                         check every key against tshark with
                                         PLUGIN, single pass and -2 (e2e.labs)

A lab's answers are facts of its capture: each is tied to a display filter
(and a field), so a regenerated variant of the capture, with other
addresses, ports, timings and frame numbers, is graded against what tshark
says of that variant. Answer kinds:

    frames  frame numbers: those `filter` matches
    filter  a display filter: right when it matches the same frames as the key's
    value   a word: `field` of the frames `filter` matches (or a fixed `value`)
    number  a number: `field` of the frames `filter` matches, or how many
            frames it matches (`count = true`), or `value`; within `tolerance`
    choice  one letter of the question's options

ANSWERS is TOML, one line per question: q1 = [12], q2 = "server", q3 = 63,
q4 = 'tcp.flags.reset == 1 && ip.ttl != 63', q5 = "b".
"""
import argparse
import os
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LABS = os.path.join(ROOT, "labs")
RUNNER = os.path.join(HERE, "tshark-rstdiag")
KINDS = ("frames", "filter", "value", "number", "choice")


class LabError(Exception):
    pass


# ------------------------------------------------------------------ loading
def lab_names():
    return sorted(d for d in os.listdir(LABS) if os.path.isfile(os.path.join(LABS, d, "lab.toml")))


def load(name):
    path = os.path.join(LABS, name)
    if not os.path.isfile(os.path.join(path, "lab.toml")):
        raise LabError(f"no lab '{name}' (./rstdiag lab list)")
    with open(os.path.join(path, "lab.toml"), "rb") as f:
        lab = tomllib.load(f)
    with open(os.path.join(path, "key.toml"), "rb") as f:
        key = tomllib.load(f)
    lab["name"] = name
    lab["capture_path"] = os.path.join(ROOT, lab["capture"])
    ids = [q["id"] for q in lab["question"]]
    missing = [i for i in ids if i not in key.get("answer", {})]
    if missing:
        raise LabError(f"{name}: key.toml has no answer for {', '.join(missing)}")
    for q in lab["question"]:
        if q["kind"] not in KINDS:
            raise LabError(f"{name} {q['id']}: unknown kind {q['kind']}")
    return lab, key


def default_plugin():
    """The plugin to grade with: --plugin, or RSTDIAG_PLUGIN (./rstdiag lab
    sets it to the build's)."""
    so = os.environ.get("RSTDIAG_PLUGIN")
    if not so:
        raise LabError("no plugin: run ./rstdiag lab check (after ./rstdiag build), or give --plugin")
    return so


# ------------------------------------------------------------------ tshark
class Capture:
    """One capture read through tshark with the plugin; results cached."""

    def __init__(self, plugin, path, two_pass=True):
        self.plugin, self.path, self.two_pass = plugin, path, two_pass
        self.cache = {}

    def fields(self, display_filter, fields):
        k = (display_filter, tuple(fields))
        if k not in self.cache:
            args = [RUNNER, self.plugin] + (["-2"] if self.two_pass else []) + [
                "-r", self.path, "-Y", display_filter, "-T", "fields",
                "-E", "separator=/t", "-E", "occurrence=f"]
            for f in fields:
                args += ["-e", f]
            p = subprocess.run(args, capture_output=True, text=True, timeout=300)
            if p.returncode != 0:
                err = [ln for ln in p.stderr.splitlines() if "Running as user" not in ln]
                raise LabError(f"tshark rejects the filter {display_filter!r}: "
                               f"{' '.join(err)[-300:]}")
            self.cache[k] = [ln.split("\t") for ln in p.stdout.splitlines() if ln.strip()]
        return self.cache[k]

    def frames(self, display_filter):
        return [int(r[0]) for r in self.fields(display_filter, ["frame.number"])]

    def field_values(self, display_filter, field):
        return [r[1] for r in self.fields(display_filter, ["frame.number", field]) if len(r) > 1]


def number(v):
    """A number as tshark prints it or a student writes it: 63, 0x0000, 1.5."""
    text = str(v).strip().strip('"').lower()
    return float(int(text, 16)) if text.startswith("0x") else float(text)


def normalise(v):
    return str(v).strip().strip('"').lower()


def expected(cap, ans):
    """What the key expects for one answer, on capture cap."""
    if ans.get("count"):
        return str(len(cap.frames(ans["filter"])))
    if "filter" in ans and "field" in ans:
        vals = sorted(set(cap.field_values(ans["filter"], ans["field"])))
        if len(vals) != 1:
            raise LabError(f"{ans['field']} on {ans['filter']!r} is not one value: {vals}")
        return vals[0]
    if "filter" in ans:
        return cap.frames(ans["filter"])
    return ans.get("value")


def grade(cap, q, ans, given):
    """True when `given` answers question q right on capture cap."""
    kind = q["kind"]
    if kind == "choice":
        return normalise(given) == normalise(ans["value"])
    if kind == "frames":
        want = cap.frames(ans["filter"])
        got = given if isinstance(given, list) else [given]
        try:
            return sorted(int(x) for x in got) == sorted(want)
        except (TypeError, ValueError):
            return False
    if kind == "filter":
        if not isinstance(given, str) or not given.strip():
            return False
        try:
            return cap.frames(given) == cap.frames(ans["filter"])
        except LabError:
            return False
    want = expected(cap, ans)
    if kind == "number":
        try:
            return abs(number(given) - number(want)) <= float(ans.get("tolerance", 0))
        except (TypeError, ValueError):
            return False
    accept = [normalise(want)] + [normalise(a) for a in ans.get("accept", [])]
    return normalise(given) in accept


# ------------------------------------------------------------------ commands
def wrap(text, indent="    "):
    import textwrap
    out = []
    for para in text.strip().split("\n\n"):
        lines = para.splitlines()
        if any(ln.startswith(("  ", "-", "|")) for ln in lines):
            out += [indent + ln for ln in lines]      # keep code, lists and tables
        else:
            out += textwrap.wrap(" ".join(ln.strip() for ln in lines), 96,
                                 initial_indent=indent, subsequent_indent=indent)
        out.append("")
    return "\n".join(out)


def cmd_list(_args):
    for name in lab_names():
        lab, _ = load(name)
        print(f"{name:22s} {lab['title']}")
    return 0


def print_questions(lab, key=None):
    for q in lab["question"]:
        print(f"  {q['id']}. ({q['kind']}) " + wrap(q["text"], "      ").strip())
        for letter, opt in sorted(q.get("options", {}).items()):
            print(wrap(opt, "           ").rstrip().replace("           ", f"        {letter}) ", 1))
        if key:
            a = key["answer"][q["id"]]
            shown = {k: v for k, v in a.items() if k in ("value", "filter", "field", "frames",
                                                          "count", "tolerance", "accept")}
            print("      answer: " + ", ".join(f"{k} = {v!r}" for k, v in shown.items()))
            if a.get("why"):
                print("      why: " + wrap(a["why"], "           ").strip())
        print()


def cmd_show(args):
    lab, _ = load(args.lab)
    print(f"# {lab['title']}  ({lab['name']})\n")
    print(wrap(lab["story"]))
    print(f"Capture: {lab['capture']}")
    print(f"Ladder:  ./rstdiag ladder {lab['capture']} '{lab['conversation']}'\n")
    print("Questions (answer in a TOML file: q1 = [12], q2 = \"server\", ...; "
          f"then ./rstdiag lab check {lab['name']} FILE):\n")
    print_questions(lab)
    print("In Wireshark (profile rstdiag):\n")
    print(wrap(lab["wireshark"]))
    return 0


def cmd_key(args):
    lab, key = load(args.lab)
    print(f"# Key: {lab['title']}  ({lab['name']})\n")
    print(f"The RST(s) of this lab: {key['rst']}  (frames {key['frames']} in {lab['capture']})\n")
    print_questions(lab, key)
    if key.get("notes"):
        print(wrap(key["notes"]))
    return 0


def cmd_check(args):
    lab, key = load(args.lab)
    with open(args.answers, "rb") as f:
        given = tomllib.load(f)
    cap = Capture(args.plugin or default_plugin(), args.capture or lab["capture_path"])
    right = 0
    for q in lab["question"]:
        if q["id"] not in given:
            print(f"  {q['id']}: no answer")
            continue
        ok = grade(cap, q, key["answer"][q["id"]], given[q["id"]])
        right += ok
        print(f"  {q['id']}: {'right' if ok else 'wrong'}")
    n = len(lab["question"])
    print(f"{lab['name']}: {right} of {n} right")
    return 0 if right == n else 1


def key_answer(cap, q, a, shipped):
    """The key's answer to q on capture cap, checked against what the key
    records for the shipped capture; raises LabError when it does not hold."""
    kind = q["kind"]
    if kind == "choice":
        if normalise(a["value"]) not in q.get("options", {}):
            raise LabError(f"answer {a['value']!r} is not one of the options")
        return a["value"]
    if kind in ("frames", "filter"):
        got = cap.frames(a["filter"])
        if not got:
            raise LabError(f"{a['filter']!r} matches nothing")
        if shipped and "frames" in a and got != a["frames"]:
            raise LabError(f"{a['filter']!r} matches {got}, the key says {a['frames']}")
        return got if kind == "frames" else a["filter"]
    got = expected(cap, a)
    if got is None:
        raise LabError("no value")
    if kind == "number":
        number(got)
    if shipped and "value" in a and normalise(got) != normalise(a["value"]):
        raise LabError(f"tshark says {got!r}, the key says {a['value']!r}")
    return got


def verify_lab(plugin, name, capture=None):
    """Every answer of the key against tshark, both passes; a list of problems."""
    lab, key = load(name)
    problems = []
    shipped = capture is None
    for two_pass in (False, True):
        cap = Capture(plugin, capture or lab["capture_path"], two_pass)
        tag = "-2" if two_pass else "single pass"
        try:
            rst = cap.frames(key["rst"])
            if not rst:
                problems.append(f"{tag}: the RST filter matches nothing")
            elif shipped and rst != key["frames"]:
                problems.append(f"{tag}: the RST filter matches {rst}, the key says {key['frames']}")
            elif not set(rst) <= set(cap.frames("tcp.flags.reset == 1")):
                problems.append(f"{tag}: the RST filter matches frames without RST")
        except LabError as e:
            problems.append(f"{tag}: {e}")
        for q in lab["question"]:
            a = key["answer"][q["id"]]
            if not two_pass and a.get("two_pass_only"):
                continue
            try:
                if not grade(cap, q, a, key_answer(cap, q, a, shipped)):
                    problems.append(f"{tag} {q['id']}: the key's own answer is graded wrong")
            except (LabError, ValueError) as e:
                problems.append(f"{tag} {q['id']}: {e}")
    return problems


def cmd_verify(args):
    from concurrent.futures import ThreadPoolExecutor
    names = args.labs or lab_names()
    bad = 0
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda n: verify_lab(args.plugin, n, args.capture), names))
    for name, problems in zip(names, results):
        lab, _ = load(name)
        n = len(lab["question"])
        if problems:
            bad += 1
            print(f"FAIL {name}: " + "; ".join(problems))
        else:
            print(f"ok   {name}: RST filter and {n} answers hold in both passes")
    if len(names) < 14 and not args.labs:
        print(f"FAIL: {len(names)} labs, at least 14 expected")
        return 1
    print(f"{len(names) - bad} of {len(names)} labs verified")
    return 1 if bad else 0


def main(argv):
    ap = argparse.ArgumentParser(prog="rstdiag lab", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list")
    s = sub.add_parser("show")
    s.add_argument("lab")
    k = sub.add_parser("key")
    k.add_argument("lab")
    c = sub.add_parser("check")
    c.add_argument("lab")
    c.add_argument("answers")
    c.add_argument("--capture", help="a regenerated variant instead of the lab's capture")
    c.add_argument("--plugin", help="rstdiag.so (default: the build's)")
    v = sub.add_parser("verify")
    v.add_argument("plugin")
    v.add_argument("labs", nargs="*")
    v.add_argument("--capture")
    a = ap.parse_args(argv)
    try:
        return {"list": cmd_list, "show": cmd_show, "key": cmd_key, "check": cmd_check,
                "verify": cmd_verify}[a.cmd](a)
    except (LabError, OSError, tomllib.TOMLDecodeError) as e:
        print(f"rstdiag lab: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
