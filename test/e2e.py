#!/usr/bin/env python3
"""End-to-end checks of rstdiag: the real tshark with the built plugin on real captures.

  e2e.py capture PLUGIN CAPTURE   golden fields (single pass and -2), ground truth,
                                  one expert entry per RST, nothing on non-RST frames
  e2e.py contract PLUGIN          tshark -G fields lists the whole field contract
  e2e.py interfaces PLUGIN DEMO   -T fields/json/ek, the stats tree, expert info, preferences
  e2e.py profile PLUGIN DEMO      the rstdiag configuration profile: columns, colours, buttons
  e2e.py edge PLUGIN               empty and one-packet files, duplicates, time running backwards,
                                  thousands of connections on one 4-tuple
  e2e.py multipoint PLUGIN ONEPOINT MERGED...
                                  merged captures: each copy's verdict is its own point's plus
                                  the cross-point evidence; stats tree, report, single pass
  e2e.py fuzz PLUGIN CAPTURE...   editcap -E mutations and truncations never crash tshark
  e2e.py prefs PLUGIN              every preference, set with -o to a value other than its
                                  default, changes a verdict (tshark -2)
  e2e.py live PLUGIN CAPTURE...   a live capture (tshark -i - on a pipe) gives the single-pass
                                  verdicts; with only rstdiag.cause referenced, and with a filter
                                  that prints nothing (-Y -w), the goldens' causes, both passes
  e2e.py update PLUGIN CAPTURE... rewrite the golden files (review the diff!)

tshark runs through tools/tshark-rstdiag (as an unprivileged user when root).
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUNNER = os.path.join(ROOT, "tools", "tshark-rstdiag")
EXPECTED = os.path.join(HERE, "expected")
CONTRACT = os.path.join(ROOT, "..", "shared", "contract.md")

FIELDS = ["frame.number", "tcp.stream", "rstdiag.phase", "rstdiag.cause", "rstdiag.sender",
          "rstdiag.origin", "rstdiag.evidence", "rstdiag.ttl_delta", "rstdiag.host_ttl_delta",
          "rstdiag.seq_delta", "rstdiag.idle", "rstdiag.retransmissions", "rstdiag.data_after",
          "rstdiag.rst_count", "rstdiag.trigger", "rstdiag.reason_code",
          "rstdiag.after_injected", "rstdiag.vantage", "rstdiag.vantages", "rstdiag.summary"]

# The contract's fields (../shared/contract.md); kept here too so the check runs without it.
CONTRACT_FIELDS = ["rstdiag.phase", "rstdiag.cause", "rstdiag.sender", "rstdiag.origin",
                   "rstdiag.summary", "rstdiag.evidence", "rstdiag.ttl_delta",
                   "rstdiag.host_ttl_delta", "rstdiag.seq_delta", "rstdiag.idle",
                   "rstdiag.retransmissions", "rstdiag.data_after", "rstdiag.rst_count",
                   "rstdiag.trigger", "rstdiag.vantage", "rstdiag.vantages",
                   "rstdiag.reason_code"]


class Failure(Exception):
    pass


def tshark(plugin, *args, check=True, stdin=None):
    proc = subprocess.run([RUNNER, plugin, *args], capture_output=True, text=True, timeout=600,
                          stdin=stdin)
    if check and proc.returncode != 0:
        raise Failure(f"tshark {' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return proc


def fields_table(plugin, capture, two_pass, fields=FIELDS, display_filter="rstdiag", live=False):
    """The fields of every frame the filter passes, as TSV; live: tshark
    captures the file's packets from a pipe (-i -) instead of reading it."""
    args = ["-Y", display_filter, "-T", "fields", "-E", "header=y",
            "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=/t"]
    if two_pass:
        args.insert(0, "-2")
    for f in fields:
        args += ["-e", f]
    if not live:
        return tshark(plugin, "-r", capture, *args).stdout
    with open(capture, "rb") as pipe:
        return tshark(plugin, "-q", "-i", "-", *args, stdin=pipe).stdout


def golden_path(capture, two_pass, part=""):
    """The golden file of a capture: the structured fields (part ""), or the
    summary sentences (part "summary"), so that a change of wording is a diff
    of its own, not one of every row."""
    name = os.path.splitext(os.path.basename(capture))[0]
    suffix = (".2pass" if two_pass else "") + ("." + part if part else "") + ".tsv"
    return os.path.join(EXPECTED, name + suffix)


SENTENCE = ["rstdiag.summary"]
GOLDEN_PARTS = {"": lambda table: without_columns(table, SENTENCE),
                "summary": lambda table: only_columns(table, ["frame.number"] + SENTENCE)}


# Columns that may differ on another Wireshark version, comma-separated (the
# version stages set tcp.stream: from 4.4 on, a SYN or SYN/ACK after a RST
# starts a new stream, so later streams are numbered one higher).
GOLDEN_IGNORE = [c for c in os.environ.get("RSTDIAG_GOLDEN_IGNORE", "").split(",") if c]


def without_columns(table, names):
    """The TSV table with the named columns (by header) left out."""
    lines = table.splitlines(True)
    if not names or not lines:
        return table
    header = lines[0].rstrip("\n").split("\t")
    keep = [i for i, h in enumerate(header) if h not in names]
    return "".join("\t".join(cols[i] for i in keep if i < len(cols)) + "\n"
                   for cols in (line.rstrip("\n").split("\t") for line in lines))


def only_columns(table, names):
    """The TSV table with just the named columns."""
    header = table.splitlines()[0].split("\t") if table else []
    return without_columns(table, [h for h in header if h not in names])


def check_golden(plugin, capture, two_pass):
    table = fields_table(plugin, capture, two_pass)
    for part, cut in GOLDEN_PARTS.items():
        got = without_columns(cut(table), GOLDEN_IGNORE)
        path = golden_path(capture, two_pass, part)
        if not os.path.exists(path):
            raise Failure(f"no golden file {path}: run e2e.py update and review it")
        with open(path) as f:
            want = without_columns(f.read(), GOLDEN_IGNORE)
        if got != want:
            import difflib
            diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                path, "tshark output"))
            raise Failure(f"{'-2' if two_pass else 'single pass'} output differs:\n{diff}")


def read_rows(path):
    rows = {}
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                row = dict(zip(header, line.rstrip("\n").split("\t")))
                rows[row["frame"]] = row
    return rows


def read_truth(capture, two_pass=True):
    """Ground truth of every RST; <capture>.single-pass.tsv overrides rows a
    single pass cannot know yet (the evidence comes after the RST)."""
    base = os.path.splitext(capture)[0]
    if not os.path.exists(base + ".truth.tsv"):
        return None
    rows = read_rows(base + ".truth.tsv")
    if not two_pass and os.path.exists(base + ".single-pass.tsv"):
        rows.update(read_rows(base + ".single-pass.tsv"))
    return rows


# Multi-point ground truth: its column -> how rstdiag shows it.
SIDE_EVIDENCE = {"seen": "seen-at-sender-side", "absent": "absent-at-sender-side", "-": None}


def side_of(evidence):
    for side, tag in SIDE_EVIDENCE.items():
        if tag and tag in evidence.split(","):
            return side
    return "-"


def check_truth(plugin, capture, two_pass):
    """Every RST of the capture gets the cause and sender its ground truth says;
    in a multi-point capture (-2) also the origin, capture point, number of
    points and whether the sender's side saw it."""
    truth = read_truth(capture, two_pass)
    if truth is None:
        return
    table = fields_table(plugin, capture, two_pass,
                         ["frame.number", "rstdiag.cause", "rstdiag.sender", "rstdiag.origin",
                          "rstdiag.vantage", "rstdiag.vantages", "rstdiag.evidence"],
                         "rstdiag || tcp.flags.reset == 1")
    got = {}
    for line in table.splitlines()[1:]:
        frame, cause, sender, origin, vantage, vantages, evidence = \
            (line.split("\t") + [""] * 6)[:7]
        got[frame] = {"cause": cause, "sender": sender, "origin": origin, "vantage": vantage,
                      "vantages": vantages, "sender_side": side_of(evidence)}
    columns = ["cause", "sender"]
    errors = []
    for frame, row in truth.items():
        have = got.pop(frame, None)
        wanted = columns + [c for c in ("origin", "vantage", "vantages", "sender_side")
                            if two_pass and c in row]
        if have is None or any(have[c] != row[c] for c in wanted):
            errors.append(f"frame {frame}: want {[row[c] for c in wanted]}, "
                          f"got {have and [have[c] for c in wanted]}")
    for frame, have in got.items():
        if have["cause"]:
            errors.append(f"frame {frame}: rstdiag {have} where the ground truth has no RST")
    if errors:
        raise Failure(f"{'-2' if two_pass else 'single pass'} disagrees with ground truth:\n  "
                      + "\n  ".join(errors))


def fitted_summary_in(summary, messages):
    """Wireshark keeps 239 bytes of an expert message (ITEM_LABEL_LENGTH): a
    longer summary is cut at its last clause boundary that fits, with an
    ellipsis (rst_summary_fit)."""
    raw = summary.encode()
    if len(raw) < 240:
        return False
    cut = max(i for i in range(240 - 4, 0, -1) if raw[i:i + 2] in (b"; ", b", "))
    return (raw[:cut] + "\u2026".encode()).decode() in messages


def check_expert(plugin, capture):
    """One rstdiag expert entry per RST, carrying the summary."""
    table = fields_table(plugin, capture, True,
                         ["frame.number", "rstdiag.summary", "rstdiag.after_injected",
                          "_ws.expert.message"])
    for line in table.splitlines()[1:]:
        frame, summary, after, messages = (line.split("\t") + ["", "", ""])[:4]
        if after:       # a follow-up note after an injected RST
            if f"RST in frame {after}, which was judged injected" not in messages:
                raise Failure(f"frame {frame}: no note pointing back to injected RST {after}")
        elif messages.count(summary) != 1 and not fitted_summary_in(summary, messages):
            raise Failure(f"frame {frame}: expert info lacks the summary {summary!r}")


def check_only_rst_frames(plugin, capture):
    """rstdiag appears on RST segments only (plus the notes after injected RSTs),
    never on ICMP-quoted headers."""
    out = tshark(plugin, "-2", "-r", capture, "-Y",
                 "rstdiag.cause && !(tcp.flags.reset == 1) || rstdiag && (icmp || icmpv6)"
                 " || rstdiag && !rstdiag.cause && !rstdiag.after_injected",
                 "-T", "fields", "-e", "frame.number").stdout
    if out.strip():
        raise Failure(f"rstdiag on frames that are not RSTs of the capture: {out.split()}")


def cmd_capture(plugin, capture):
    check_golden(plugin, capture, False)
    check_golden(plugin, capture, True)
    check_truth(plugin, capture, False)
    check_truth(plugin, capture, True)
    check_expert(plugin, capture)
    check_only_rst_frames(plugin, capture)


def contract_fields():
    names = set(CONTRACT_FIELDS)
    if os.path.exists(CONTRACT):
        with open(CONTRACT) as f:
            for line in f:
                if line.startswith("| rstdiag."):
                    names.add(line.split("|")[1].strip())
    return sorted(names)


def cmd_contract(plugin):
    out = tshark(plugin, "-G", "fields").stdout
    have = {cols[2] for cols in (l.split("\t") for l in out.splitlines())
            if len(cols) > 2 and cols[0] == "F"}
    protos = {cols[2] for cols in (l.split("\t") for l in out.splitlines())
              if len(cols) > 2 and cols[0] == "P"}
    if "rstdiag" not in protos:
        raise Failure("tshark does not list the rstdiag protocol: plugin not loaded")
    missing = [f for f in contract_fields() if f not in have]
    if missing:
        raise Failure(f"contract fields not registered: {missing}")
    print(f"{len(contract_fields())} contract fields registered")


def rst_frames(plugin, capture):
    out = tshark(plugin, "-2", "-r", capture, "-Y", "rstdiag.cause", "-T", "fields",
                 "-e", "frame.number").stdout
    return out.split()


def check_json(plugin, capture, frames):
    """-T json: repeated evidence as a list, frame links and relative times as text."""
    import json
    out = tshark(plugin, "-2", "-r", capture, "-Y", "rstdiag.cause", "-T", "json",
                 "-e", "frame.number", "-e", "rstdiag.cause", "-e", "rstdiag.evidence",
                 "-e", "rstdiag.trigger", "-e", "rstdiag.idle").stdout
    packets = json.loads(out)
    if [p["_source"]["layers"]["frame.number"][0] for p in packets] != frames:
        raise Failure("-T json lists other frames than -T fields")
    for p in packets:
        layers = p["_source"]["layers"]
        if len(layers["rstdiag.cause"]) != 1 or not layers.get("rstdiag.evidence"):
            raise Failure(f"-T json: bad cause/evidence in {layers}")
        if not all(int(t) < int(layers["frame.number"][0]) for t in layers.get("rstdiag.trigger", [])):
            raise Failure(f"-T json: trigger is not an earlier frame: {layers}")
        if not all(re.fullmatch(r"\d+\.\d{9}", i) for i in layers.get("rstdiag.idle", [])):
            raise Failure(f"-T json: idle is not a relative time: {layers}")


def check_ek(plugin, capture, frames):
    """-T ek: one document per packet, fields named with underscores."""
    import json
    out = tshark(plugin, "-2", "-r", capture, "-Y", "rstdiag.cause", "-T", "ek",
                 "-e", "rstdiag.cause", "-e", "rstdiag.evidence").stdout
    docs = [json.loads(l) for l in out.splitlines() if l.startswith('{"timestamp"')]
    if len(docs) != len(frames) or not all("rstdiag_cause" in d["layers"] for d in docs):
        raise Failure(f"-T ek: {len(docs)} documents with rstdiag_cause for {len(frames)} RSTs")


def check_stats_tree(plugin, capture, frames):
    """-z rstdiag,tree counts every RST, in both passes, by phase, sender and origin."""
    for mode in ([], ["-2"]):
        out = tshark(plugin, *mode, "-q", "-r", capture, "-z", "rstdiag,tree").stdout
        for node in ("RSTs by phase and cause", "RSTs by claimed sender", "RSTs by origin"):
            m = re.search(rf"^{node}\s+(\d+)", out, re.M)
            if not m or int(m.group(1)) != len(frames):
                raise Failure(f"-z rstdiag,tree {' '.join(mode)}: {node} != {len(frames)}:\n{out}")


def check_expert_and_prefs(plugin, capture, frames):
    out = tshark(plugin, "-2", "-q", "-r", capture, "-z", "expert,note").stdout
    if "RSTDIAG" not in out:
        raise Failure(f"-z expert shows no rstdiag group:\n{out}")
    prefs = tshark(plugin, "-G", "defaultprefs").stdout
    for name in ("idle_threshold", "ttl_tolerance", "time_wait", "retrans_limit",
                 "keepalive_probes", "burst_window"):
        if f"#rstdiag.{name}:" not in prefs:
            raise Failure(f"-G defaultprefs lacks rstdiag.{name}")
    tshark(plugin, "-o", "rstdiag.idle_threshold:5", "-r", capture, "-q")


def cmd_interfaces(plugin, capture):
    frames = rst_frames(plugin, capture)
    if not frames:
        raise Failure(f"no RST diagnosed in {capture}")
    check_json(plugin, capture, frames)
    check_ek(plugin, capture, frames)
    check_stats_tree(plugin, capture, frames)
    check_expert_and_prefs(plugin, capture, frames)
    print(f"{len(frames)} RSTs consistent across -T fields/json/ek, stats tree and expert info")


PROFILE = os.path.join(ROOT, "profile", "rstdiag")

# Which colouring rule of the profile each cause family must get.
COLOUR_FAMILY = {"injected": "injected", "syn-scan": "scans", "connect-scan": "scans",
                 "bad-syn": "scans", "port-closed": "refused", "firewall-reject": "refused",
                 "listen-overflow": "refused", "time-wait": "refused",
                 "idle-timeout": "timeouts", "retransmission-limit": "timeouts",
                 "abort": "closes", "fast-close": "closes", "data-after-close": "closes",
                 "no-socket": "closes", "unknown": "other RSTs"}


def cmd_profile(plugin, capture):
    os.environ["RSTDIAG_PROFILE"] = PROFILE
    proc = tshark(plugin, "-C", "rstdiag", "--color", "-r", capture, "-Y", "rstdiag.cause",
                  "-T", "fields", "-e", "rstdiag.cause", "-e", "frame.coloring_rule.name")
    if proc.stderr.strip():
        raise Failure(f"the profile does not load cleanly: {proc.stderr}")
    for line in proc.stdout.splitlines():
        cause, rule = line.split("\t")
        if rule != "rstdiag: " + COLOUR_FAMILY[cause]:
            raise Failure(f"a {cause} RST is coloured by {rule!r}")
    columns = tshark(plugin, "-C", "rstdiag", "-r", capture, "-Y", "rstdiag.cause").stdout
    first = columns.splitlines()[0].split()
    if not any(c in first for c in COLOUR_FAMILY) or "handshake" not in columns:
        raise Failure(f"the profile's columns do not show cause and phase: {first}")
    with open(os.path.join(PROFILE, "colorfilters")) as f:
        injected = next(l for l in f if l.startswith("@rstdiag: injected@"))
    background = [int(x) for x in injected.split("@")[3][1:].split("]")[0].split(",")]
    if not background[0] > 2 * max(background[1], background[2]):
        raise Failure(f"injected rows must have a red background ([bg][fg]): {injected}")
    with open(os.path.join(PROFILE, "dfilter_buttons")) as f:
        buttons = [l.split('","')[2].encode().decode("unicode_escape")
                   for l in f if l.startswith('"TRUE"')]
    for expression in buttons:
        tshark(plugin, "-C", "rstdiag", "-r", capture, "-Y", expression, "-q")
    print(f"profile: colours for {len(proc.stdout.splitlines())} RSTs, "
          f"columns, {len(buttons)} filter buttons")


def pcap_records(path):
    """(header, [(ts_sec, ts_usec, data)]) of a classic little-endian pcap."""
    import struct
    raw = open(path, "rb").read()
    out, off = [], 24
    while off + 16 <= len(raw):
        sec, usec, incl, orig = struct.unpack_from("<IIII", raw, off)
        out.append((sec, usec, raw[off + 16:off + 16 + incl]))
        off += 16 + incl
    return raw[:24], out


def write_pcap(path, header, records):
    import struct
    with open(path, "wb") as f:
        f.write(header)
        for sec, usec, data in records:
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)
    os.chmod(path, 0o644)


def causes(plugin, capture, two_pass=True):
    args = ["-r", capture, "-Y", "rstdiag.cause", "-T", "fields", "-e", "rstdiag.cause"]
    return tshark(plugin, *(["-2"] if two_pass else []), *args).stdout.split()


def cmd_edge(plugin):
    base = os.path.join(HERE, "captures", "gfw-2006.pcap")
    want = causes(plugin, base)
    header, recs = pcap_records(base)
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        path = lambda n: os.path.join(tmp, n)
        write_pcap(path("empty.pcap"), header, [])
        write_pcap(path("one.pcap"), header, [r for r in recs if r[2][47] & 0x04][:1])
        write_pcap(path("dups.pcap"), header, [r for r in recs for _ in (0, 1)])
        backwards = [(sec - i, usec, d) for i, (sec, usec, d) in enumerate(recs)]
        write_pcap(path("backwards.pcap"), header, backwards)
        for mode in (False, True):
            if causes(plugin, path("empty.pcap"), mode):
                raise Failure("a verdict in an empty capture")
            if causes(plugin, path("one.pcap"), mode) != ["unknown"]:
                raise Failure("a lone RST is not unknown")
            if len(causes(plugin, path("dups.pcap"), mode)) != 2 * len(want):
                raise Failure("duplicated RSTs do not each get a verdict")
            if len(causes(plugin, path("backwards.pcap"), mode)) != len(want):
                raise Failure("time running backwards loses verdicts")
        reuse = path("reuse.pcap")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gencap.py"), "tuple-reuse",
                        reuse, "--count", "3000"], check=True, capture_output=True)
        os.chmod(reuse, 0o644)
        got = causes(plugin, reuse)
        if got != ["port-closed"] * 3000:
            raise Failure(f"3000 refusals on one 4-tuple: {sorted(set(got))}, {len(got)} verdicts")
    print("edge cases: empty, one packet, duplicates, backwards time, 3000 connections on one 4-tuple")


def cmd_fuzz(plugin, captures):
    """Wireshark's fuzz-test recipe in small: mutated and truncated copies of
    every capture, each dissected in both modes with strict wmem checks (as
    many tshark runs at once as there are processors)."""
    from concurrent.futures import ThreadPoolExecutor
    env_note = {"WIRESHARK_DEBUG_WMEM_OVERRIDE": "strict", "WIRESHARK_ABORT_ON_DISSECTOR_BUG": "1"}
    os.environ.update(env_note)
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        jobs = []
        for capture in captures:
            base = os.path.splitext(os.path.basename(capture))[0]
            variants = []
            for seed in (1, 2, 3):
                out = os.path.join(tmp, f"{base}-e{seed}.pcap")
                subprocess.run(["editcap", "-E", "0.05", "--seed", str(seed), capture, out],
                               check=True, capture_output=True)
                variants.append(out)
            for snap in (40, 54):
                out = os.path.join(tmp, f"{base}-s{snap}.pcap")
                subprocess.run(["editcap", "-s", str(snap), capture, out],
                               check=True, capture_output=True)
                variants.append(out)
            for v in variants:
                os.chmod(v, 0o644)
                jobs += [(capture, v, mode) for mode in ([], ["-2"])]

        def dissect(job):
            capture, v, mode = job
            proc = tshark(plugin, *mode, "-r", v, "-V", check=False)
            if proc.returncode not in (0, 2) or "rstdiag" in proc.stderr:
                return (f"tshark {' '.join(mode)} -V on {v} (from {capture}) "
                        f"exited {proc.returncode}: {proc.stderr[-1500:]}")
            return None

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            failures = [f for f in pool.map(dissect, jobs) if f]
    if failures:
        raise Failure(failures[0] + (f"\n(and {len(failures) - 1} more)" if len(failures) > 1 else ""))
    print(f"{len(jobs)} fuzzed dissections without a crash")


SIDE_TAGS = {"absent-at-sender-side", "seen-at-sender-side"}


def rst_rows(plugin, capture, two_pass=True):
    """(interface id, cause, origin, evidence set, vantage, vantages) of every RST."""
    table = fields_table(plugin, capture, two_pass,
                         ["frame.interface_id", "rstdiag.cause", "rstdiag.origin",
                          "rstdiag.evidence", "rstdiag.vantage", "rstdiag.vantages"],
                         "rstdiag.cause")
    rows = []
    for line in table.splitlines()[1:]:
        point, cause, origin, evidence, vantage, vantages = (line.split("\t") + [""] * 5)[:6]
        rows.append((point, cause, origin, set(filter(None, evidence.split(","))), vantage,
                     vantages))
    return rows


def check_points_agree(plugin, merged, tmp):
    """Each point's copy is diagnosed from that point's own packets: split the
    merged file by interface and the verdicts agree, but for the cross-point
    evidence (and what absence at the sender's side proves)."""
    merged_rows = rst_rows(plugin, merged)
    for point in sorted({r[0] for r in merged_rows}):
        part = os.path.join(tmp, f"point{point}.pcapng")
        subprocess.run(["tshark", "-r", merged, "-Y", f"frame.interface_id == {point}",
                        "-w", part], check=True, capture_output=True)
        own = [(r[1], r[2], r[3]) for r in rst_rows(plugin, part)]
        copies = [r for r in merged_rows if r[0] == point]
        if len(own) != len(copies):
            raise Failure(f"point {point}: {len(copies)} RSTs merged, {len(own)} alone")
        for (cause, origin, evidence), m in zip(own, copies):
            if m[3] - SIDE_TAGS != evidence:
                raise Failure(f"point {point}: evidence {sorted(m[3])} merged, "
                              f"{sorted(evidence)} alone")
            if "absent-at-sender-side" not in m[3] and (m[1], m[2]) != (cause, origin):
                raise Failure(f"point {point}: {m[1]}/{m[2]} merged, {cause}/{origin} alone")
            if not m[4] or not m[5]:
                raise Failure(f"point {point}: a RST without rstdiag.vantage(s): {m}")
    return merged_rows


def check_point_counts(plugin, merged, rows):
    """The stats tree and ./rstdiag report count RSTs per capture point."""
    per_point = {}
    for r in rows:
        per_point[r[4]] = per_point.get(r[4], 0) + 1
    out = tshark(plugin, "-2", "-q", "-r", merged, "-z", "rstdiag,tree").stdout
    m = re.search(r"^RSTs by capture point\s+(\d+)", out, re.M)
    if not m or int(m.group(1)) != len(rows):
        raise Failure(f"-z rstdiag,tree: no 'RSTs by capture point' {len(rows)}:\n{out}")
    for name, count in per_point.items():
        if not re.search(rf"^ {re.escape(name)}\s+{count}\s", out, re.M):
            raise Failure(f"-z rstdiag,tree: capture point {name} is not counted {count}:\n{out}")
    env = dict(os.environ, RSTDIAG_PLUGIN=os.path.abspath(plugin))
    report = subprocess.run([os.path.join(ROOT, "rstdiag"), "report", merged], env=env,
                            capture_output=True, text=True, timeout=600).stdout
    for name, count in per_point.items():
        if f"at capture point {name}: {count} RST" not in report:
            raise Failure(f"./rstdiag report lacks the count at {name}:\n{report}")


def check_single_pass_points(plugin, merged):
    """A single pass cannot know the other points' copies yet (it names the
    point once a second one has appeared)."""
    for r in rst_rows(plugin, merged, two_pass=False):
        if r[5] or r[3] & SIDE_TAGS:
            raise Failure(f"single pass: {r} (want no vantages, no side evidence)")


def cmd_multipoint(plugin, onepoint, merged_captures):
    for r in rst_rows(plugin, onepoint):
        if r[4] or r[5] or r[3] & SIDE_TAGS:
            raise Failure(f"{onepoint}: one capture point, but {r}")
    out = tshark(plugin, "-2", "-q", "-r", onepoint, "-z", "rstdiag,tree").stdout
    if "RSTs by capture point" in out:
        raise Failure(f"{onepoint}: one capture point, but the stats tree counts points")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        for merged in merged_captures:
            rows = check_points_agree(plugin, merged, tmp)
            if rows:
                check_point_counts(plugin, merged, rows)
            check_single_pass_points(plugin, merged)
    print(f"{len(merged_captures)} merged captures: copies agree with their own points")


def cmd_update(plugin, captures):
    for capture in captures:
        for two_pass in (False, True):
            table = fields_table(plugin, capture, two_pass)
            for part, cut in GOLDEN_PARTS.items():
                with open(golden_path(capture, two_pass, part), "w") as f:
                    f.write(cut(table))
        print("updated", os.path.basename(capture))


def golden_causes(capture, two_pass):
    """[(frame, cause)] of every row of the capture's structured golden."""
    with open(golden_path(capture, two_pass)) as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    frame, cause = rows[0].index("frame.number"), rows[0].index("rstdiag.cause")
    return [(r[frame], r[cause]) for r in rows[1:]]


# Preference, value, capture, frame: the cause with the default (the golden's)
# and with the value.
PREFERENCE_CASES = [
    ("idle_threshold", "3600", "idle-endpoint.pcap", "7", "idle-timeout", "abort"),
    ("ttl_tolerance", "1", "firewall-reject.pcap", "12", "firewall-reject", "port-closed"),
    ("time_wait", "0", "time-wait-rst.pcap", "12", "time-wait", "port-closed"),
    ("retrans_limit", "50", "retrans-limit-windows.pcap", "13", "retransmission-limit", "abort"),
    ("keepalive_probes", "0", "keepalive-timeout.pcap", "11", "idle-timeout", "abort"),
    ("burst_window", "0", "gfw-2023.pcap", "2", "injected", "firewall-reject"),
]


def cmd_prefs(plugin):
    captures = os.path.join(HERE, "captures")
    for name, value, capture, frame, default, changed in PREFERENCE_CASES:
        path = os.path.join(captures, capture)
        at = dict(golden_causes(path, True))
        if at.get(frame) != default:
            raise Failure(f"{capture} frame {frame}: the golden says {at.get(frame)!r}, not {default!r}")
        out = tshark(plugin, "-2", "-o", f"rstdiag.{name}:{value}", "-r", path,
                     "-Y", f"frame.number == {frame}", "-T", "fields", "-e", "rstdiag.cause").stdout
        if out.strip() != changed:
            raise Failure(f"-o rstdiag.{name}:{value}: {capture} frame {frame} is "
                          f"{out.strip()!r}, expected {changed!r} (default {default!r})")
    print(f"{len(PREFERENCE_CASES)} preferences each change a verdict when set with -o")


def check_live(plugin, capture):
    """Captured live, nothing after a RST is known when it is dissected."""
    got, want = (fields_table(plugin, capture, False, live=live) for live in (True, False))
    if got != want:
        import difflib
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            "tshark -r (single pass)", "tshark -i - (live)"))
        raise Failure(f"{os.path.basename(capture)}: the live capture differs:\n{diff}")
    header = want.splitlines()[0].split("\t")
    data_after = header.index("rstdiag.data_after")
    if any(line.split("\t")[data_after] for line in got.splitlines()[1:]):
        raise Failure(f"{os.path.basename(capture)}: a live capture shows rstdiag.data_after")
    return len(got.splitlines()) - 1


def check_cause_only(plugin, capture, two_pass):
    """Only rstdiag.cause referenced: the causes are the goldens'."""
    got = fields_table(plugin, capture, two_pass, fields=["frame.number", "rstdiag.cause"])
    want = "".join(f"{frame}\t{cause}\n" for frame, cause in
                   [("frame.number", "rstdiag.cause")] + golden_causes(capture, two_pass))
    if got != want:
        raise Failure(f"{os.path.basename(capture)}: with only rstdiag.cause referenced "
                      f"({'-2' if two_pass else 'single pass'}) the causes differ:\n{got}")


def check_silent_filter(plugin, capture, two_pass):
    """A filter that prints nothing (-Y ... -w -): the tree is not visible, so
    rstdiag builds the verdict without sentence or expert info; it writes as
    many injected RSTs as the golden has.  Returns that number."""
    want = sum(1 for _, cause in golden_causes(capture, two_pass) if cause == "injected")
    args = [RUNNER, plugin] + (["-2"] if two_pass else []) + [
        "-r", capture, "-Y", 'rstdiag.cause == "injected"', "-F", "pcap", "-w", "-"]
    proc = subprocess.run(args, capture_output=True, timeout=600)
    if proc.returncode != 0:
        raise Failure(f"{' '.join(args[2:])} exited {proc.returncode}: {proc.stderr[-2000:]}")
    with tempfile.NamedTemporaryFile(suffix=".pcap") as f:
        f.write(proc.stdout)
        f.flush()
        got = len(pcap_records(f.name)[1])
    if got != want:
        raise Failure(f"{os.path.basename(capture)}: -Y injected -w wrote {got} packets "
                      f"({'-2' if two_pass else 'single pass'}), the golden has {want}")
    return want


def cmd_live(plugin, captures):
    rsts = injected = 0
    for capture in captures:
        rsts += check_live(plugin, capture)
        for two_pass in (False, True):
            check_cause_only(plugin, capture, two_pass)
            injected += check_silent_filter(plugin, capture, two_pass)
    if injected == 0:
        raise Failure("no injected RST in these captures: the silent filter checked nothing")
    print(f"{len(captures)} captures, {rsts} RSTs: live verdicts are the single-pass ones; "
          f"causes unchanged with only rstdiag.cause referenced; -Y -w wrote the "
          f"{injected} injected RSTs of both passes")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, plugin, rest = argv[1], argv[2], argv[3:]
    try:
        if cmd == "capture" and len(rest) == 1:
            cmd_capture(plugin, rest[0])
        elif cmd == "contract":
            cmd_contract(plugin)
        elif cmd == "interfaces" and len(rest) == 1:
            cmd_interfaces(plugin, rest[0])
        elif cmd == "profile" and len(rest) == 1:
            cmd_profile(plugin, rest[0])
        elif cmd == "multipoint" and len(rest) >= 2:
            cmd_multipoint(plugin, rest[0], rest[1:])
        elif cmd == "edge":
            cmd_edge(plugin)
        elif cmd == "fuzz":
            cmd_fuzz(plugin, rest)
        elif cmd == "prefs":
            cmd_prefs(plugin)
        elif cmd == "live" and rest:
            cmd_live(plugin, rest)
        elif cmd == "update":
            cmd_update(plugin, rest)
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except Failure as e:
        print("FAIL:", e)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
