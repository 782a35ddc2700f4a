#!/usr/bin/env python3
"""A text timing diagram (ladder) of one TCP conversation, with rstdiag's verdicts.

    ladder.py PLUGIN CAPTURE STREAM|FILTER [--width N]

STREAM is a tcp.stream number; FILTER a display filter whose first match picks
the conversation. The diagram shows every packet of that 4-tuple (all its
connections, however Wireshark numbers its streams): client, path and server
columns, one arrow per packet with its time, flags, relative seq/ack, length,
TTL and IP ID. A RST that rstdiag says a middlebox sent starts at the path
column; each RST gets its cause and summary beside it. In a capture merged
from several capture points, the points are columns too and each arrow marks
(o) the point where that copy was seen.
"""
import argparse
import os
import sys
import textwrap

from lab import Capture, LabError

FIELDS = ["frame.number", "frame.time_relative", "tcp.stream", "ip.src", "ipv6.src",
          "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport", "tcp.flags", "tcp.seq_raw",
          "tcp.ack_raw", "tcp.len", "ip.ttl", "ipv6.hlim", "ip.id", "frame.interface_name",
          "rstdiag.cause", "rstdiag.origin", "rstdiag.summary"]
FLAG_NAMES = [(0x02, "SYN"), (0x01, "FIN"), (0x04, "RST"), (0x08, "PSH"), (0x10, "ACK"),
              (0x20, "URG")]
STAMP = 16          # "frame    time  " before the client column


class Packet:
    def __init__(self, row):
        v = dict(zip(FIELDS, row + [""] * (len(FIELDS) - len(row))))
        self.frame = int(v["frame.number"])
        self.time = float(v["frame.time_relative"])
        self.stream = int(v["tcp.stream"] or -1)
        self.src = (v["ip.src"] or v["ipv6.src"], int(v["tcp.srcport"]))
        self.dst = (v["ip.dst"] or v["ipv6.dst"], int(v["tcp.dstport"]))
        self.flags = int(v["tcp.flags"], 16)
        self.seq, self.ack = int(v["tcp.seq_raw"]), int(v["tcp.ack_raw"])
        self.len = int(v["tcp.len"] or 0)
        self.ttl = v["ip.ttl"] or v["ipv6.hlim"]
        self.ipid = v["ip.id"]
        self.point = v["frame.interface_name"]
        self.cause, self.origin, self.summary = (v["rstdiag.cause"], v["rstdiag.origin"],
                                                 v["rstdiag.summary"])
        self.key = frozenset((self.src, self.dst))

    def has(self, bit):
        return bool(self.flags & bit)

    def flag_text(self):
        return "/".join(n for b, n in FLAG_NAMES if self.flags & b) or "none"


def endpoint(e):
    a, p = e
    return f"[{a}]:{p}" if ":" in a else f"{a}:{p}"


def pick(packets, cap, selector):
    if selector.isdigit():
        first = next((p for p in packets if p.stream == int(selector)), None)
    else:
        frames = cap.frames(f"tcp && ({selector})")
        first = next((p for p in packets if frames and p.frame == frames[0]), None)
    if first is None:
        sys.exit(f"ladder: no TCP conversation for {selector!r}")
    return [p for p in packets if p.key == first.key]


def client_of(conv):
    syn = next((p for p in conv if p.has(0x02) and not p.has(0x10)), None)
    return (syn or conv[0]).src


def points_in_order(conv, client):
    """Capture points, nearest the client first (client's packets have the
    highest TTL there)."""
    ttl = {}
    for p in conv:
        if p.point and p.src == client and p.ttl:
            ttl.setdefault(p.point, []).append(int(p.ttl))
    names = sorted({p.point for p in conv if p.point})
    if len(names) < 2:
        return []
    return sorted(names, key=lambda n: (-max(ttl.get(n, [0])), n))


def render(conv, capture, width):
    client = client_of(conv)
    server = next((e for p in conv for e in (p.src, p.dst) if e != client), None)
    points = points_in_order(conv, client)
    left, right = STAMP + 1, width - 2
    cols = {"client": left, "server": right}
    mids = points[:len(points) // 2] + ["path"] + points[len(points) // 2:] if points else ["path"]
    for i, name in enumerate(mids):
        cols[name] = left + (right - left) * (i + 1) // (len(mids) + 1)

    out = [f"ladder: {endpoint(client)} <-> {endpoint(server)}   "
           f"({os.path.basename(capture)}, {len(conv)} packets)"]
    head = [" "] * (width + 1)
    for name, x in cols.items():
        start = max(STAMP, min(x - len(name) // 2, width + 1 - len(name)))
        head[start:start + len(name)] = name
    out.append(" frame  time (s)" + "".join(head)[STAMP:].rstrip())
    t0 = conv[0].time
    base = {}
    for p in conv:
        if p.has(0x02) and not p.has(0x04) or p.src not in base:
            base[p.src] = p.seq     # a new connection on the 4-tuple starts over
        out.append(arrow(p, client, base, cols, width, t0))
        if p.has(0x04) and p.cause:
            note = f"{p.cause}" + (f" ({p.origin})" if p.origin else "") + f": {p.summary}"
            for ln in textwrap.wrap(note, width - 14):
                out.append(" " * 14 + ln)
    return "\n".join(out)


def labels(p, base):
    """The arrow's label, long and compact (no zero length, no IP ID)."""
    rel_seq = (p.seq - base.get(p.src, p.seq)) & 0xffffffff
    ack = (f"{(p.ack - base.get(p.dst, p.ack)) & 0xffffffff}" if p.has(0x10) else "-")
    short = f" {p.flag_text()} {rel_seq}/{ack}" + (f" len={p.len}" if p.len else "") + \
        f" ttl={p.ttl} "
    full = f" {p.flag_text()} {rel_seq}/{ack} len={p.len} ttl={p.ttl}" + \
        (f" id={p.ipid}" if p.ipid else "") + " "
    return full, short


def place(line, label, where, right):
    """Write label on the first stretch of `where` ((lo, hi) pairs of free
    columns) wide enough; True when it fitted."""
    for lo, hi in where:
        if hi - lo >= len(label) and lo >= STAMP and hi <= right:
            start = (lo + hi) // 2 - len(label) // 2
            line[start:start + len(label)] = label
            return True
    return False


def arrow(p, client, base, cols, width, t0):
    from_client = p.src == client
    start = "path" if (p.has(0x04) and p.origin == "middlebox") else (
        "client" if from_client else "server")
    end = "server" if from_client else "client"
    a, b = cols[start], cols[end]
    line = [" "] * (width + 1)
    for x in cols.values():
        line[x] = "|"
    lo, hi = min(a, b), max(a, b)
    for x in range(lo + 1, hi):
        line[x] = "-"
    if b > a:
        line[hi - 1] = ">"
    else:
        line[lo + 1] = "<"
    if p.point and p.point in cols:
        line[cols[p.point]] = "o"
    if start == "path":
        line[a] = "*"
    # the label goes on the widest stretch of the arrow between marks, else
    # beside a short arrow's start, else compact; no column bar is hidden
    cuts = sorted({lo, hi} | ({cols[p.point]} if p.point in cols and lo < cols[p.point] < hi
                               else set()))
    stretches = sorted(((x + 2, y - 1) for x, y in zip(cuts, cuts[1:])),
                       key=lambda c: c[0] - c[1])
    beside = [(a + 1, cols["server"])] if b < a else [(cols["client"] + 1, a)]
    right = cols["server"]
    for label in labels(p, base):
        if place(line, label, stretches, right) or place(line, label, beside, right):
            break
    stamp = f"{p.frame:>6} {p.time - t0:8.4f}"
    return (stamp + "".join(line)[len(stamp):]).rstrip()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("plugin")
    ap.add_argument("capture")
    ap.add_argument("conversation", help="tcp.stream number or display filter")
    ap.add_argument("--width", type=int, default=100)
    a = ap.parse_args(argv)
    cap = Capture(a.plugin, a.capture)
    try:
        packets = [Packet(r) for r in cap.fields("tcp && !icmp && !icmpv6", FIELDS)]
        conv = pick(packets, cap, a.conversation)
    except LabError as e:
        sys.exit(f"ladder: {e}")
    print(render(conv, a.capture, a.width - 1))
    return 0


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(sys.argv[1:]))
