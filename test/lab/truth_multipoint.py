#!/usr/bin/python3
"""Ground truth for a merged multi-point capture (make-multipoint.sh).

    truth_multipoint.py SCENARIO MERGED.pcapng [--rule BASE] [--trace F]
                        [--shift IFACE=SECONDS]... [-o OUT.tsv]

The capture holds the same traffic seen at two points, each frame tagged with
its interface (frame.interface_name): cli0 (the client's link) and srv0 (the
server's link), the router in between. Writes one row per frame whose own
TCP header has RST (each copy of a RST gets its own row):

    frame cause sender origin vantage vantages sender_side note

cause / sender as in truth.py (the scenario's rule, applied at one point's
view); origin `endpoint` (the claimed sender's stack sent it) or `middlebox`
(the router made it in someone else's name); vantage = this frame's
interface; vantages = at how many points this RST was seen; sender_side =
`seen` if the claimed sender's point (client: cli0, server: srv0) has a copy,
`absent` if not.

Copies: the same packet at the two points has the same addresses, ports,
flags, seq, ack, length, IPv4 ID and TCP checksum; the router only takes one
off the TTL. Identical ones pair up in order. Every pair must show the TTL
step and the upstream copy first (in true time: --shift IFACE=S says that
IFACE's timestamps were moved by +S seconds, e.g. by `editcap -t`).

The rule is applied to each RST once, at the claimed sender's point when a
copy is there (else at the only point that saw it), with that point's
packets only (as a single-point capture would show them). Kernel reasons
(tcp:tcp_send_reset, truth.py's matching) go to that RST's copies alike.

Fails (exit 1) on any RST the scenario does not produce, on origins that
contradict where the RST was seen, on a scenario-wide miss (EXPECT) and on
any non-RST packet seen at one point only that the scenario does not drop
(a capture that lost packets, e.g. a dumpcap stopped too early).
"""
import argparse
import os
import subprocess
import sys
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import truth as T  # noqa: E402
from truth import ACK, RST, SYN, Unexpected, flagstr, need, next_seq  # noqa: E402

POINTS = ("cli0", "srv0")
SIDE = {"client": "cli0", "server": "srv0"}
EXTRA = ["frame.interface_name", "tcp.checksum"]


class MPkt(T.Pkt):
    def __init__(self, row, shift):
        n = len(T.FIELDS)
        super().__init__(row[:n])
        self.iface = row[n]
        self.csum = row[n + 1]
        self.true_time = self.time - shift.get(self.iface, 0.0)
        self.copy = None

    def sig(self):
        return (self.src, self.dst, self.flags, self.seq, self.ack, self.len, self.ipid,
                self.csum)


def read_packets(pcap, shift):
    cmd = ["tshark", "-n", "-r", pcap, "-Y", "tcp && !icmp && !icmpv6", "-T", "fields",
           "-E", "separator=/t", "-E", "occurrence=l"]
    for f in T.FIELDS + EXTRA:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [MPkt(line.split("\t"), shift) for line in out.splitlines() if line.strip()]


def pair_copies(views):
    """Pair each packet at cli0 with its copy at srv0 (same signature, in
    order). Returns a list of error strings for pairs that do not look
    forwarded (TTL step 1, upstream first, under a second apart)."""
    errors = []
    pending = {}
    for p in views["srv0"]:
        pending.setdefault(p.sig(), []).append(p)
    for p in views["cli0"]:
        q = pending.get(p.sig())
        if not q:
            continue
        c = q.pop(0)
        p.copy, c.copy = c, p
        up, down = (p, c) if p.ttl > c.ttl else (c, p)
        dt = down.true_time - up.true_time
        if up.ttl - down.ttl != 1 or not 0 <= dt < 1.0:
            errors.append("frames %d (%s TTL %d) and %d (%s TTL %d) have one signature but do "
                          "not look forwarded (%.6f s apart in true time; --shift right?)"
                          % (up.frame, up.iface, up.ttl, down.frame, down.iface, down.ttl, dt))
    return errors


def sender_at(view, i):
    """truth.py's sender (latest SYN of the 4-tuple) at one point's view."""
    r = view[i]
    prior = [p for p in view[:i] if p.key == r.key]
    syns = [p for p in prior if p.has(SYN) and not p.has(ACK)]
    if syns:
        return ("client" if r.src == syns[-1].src else "server"), prior
    if r.has(SYN) and not r.has(ACK):
        return "client", prior
    return "unknown", prior


# ------------------------------------------------------------ rules
# rule(ctx) -> (cause, origin, note); ctx is truth.Ctx at the primary copy's
# point, plus ctx.view (that point's packets) and ctx.copies.
def m_none(ctx):
    need(False, ctx, "expected: this capture has no RST")


def m_firewall(ctx):
    cause, note = T.r_firewall(ctx)
    return cause, "middlebox", note


def m_server_abort(ctx):
    cause, note = T.r_unread_close(ctx)
    return cause, "endpoint", note


def m_injector(ctx):
    r, conn = ctx.rst, ctx.conn_prior()
    if ctx.sender == "client" and r.iface == "srv0":
        own = sorted({p.ttl for p in conn if p.src == r.src and not p.has(RST)})
        data = [p for p in conn if p.src == r.src and p.len]
        srv_sent = [p for p in conn if p.src == r.dst and (p.len or p.flags & 0x01)]
        need(r.has(ACK) and len(own) == 1 and r.ttl not in own and data
             and r.seq == next_seq(conn, r.src) and r.ack == data[-1].ack, ctx,
             "a forged RST/ACK in the client's name at srv0 (TTL differs from the client's, "
             "seq = the client's next, ack = the request's ack)")
        return "injected", "middlebox", (
            "forged by the router's injector toward the server in the client's name, on the "
            "keyword in frame %d: TTL %d, the client's own %d at srv0; seq = client's next, "
            "ack = the request's ack (the server's next as the client knew it); %.1f ms after "
            "the request passed srv0, after the server's %d-byte reply%s"
            % (data[-1].frame, r.ttl, own[0], (r.time - data[-1].time) * 1000,
               sum(p.len for p in srv_sent),
               " and FIN" if any(p.flags & 0x01 for p in srv_sent) else ""))
    cause, note = T.r_injector(ctx)
    return cause, ("middlebox" if cause == "injected" else "endpoint"), note


RULES = {"mp-clean": m_none, "mp-firewall-reject": m_firewall, "mp-injector": m_injector,
         "mp-injector-v6": m_injector, "mp-server-abort": m_server_abort}

# (cause, sender, origin, vantage, vantages, sender_side) -> (min, max) rows;
# a row of any other shape is an error
EXPECT = {
    "mp-clean": {},
    "mp-firewall-reject": {
        ("firewall-reject", "server", "middlebox", "cli0", 1, "absent"): (1, 1)},
    "mp-injector": {
        ("injected", "server", "middlebox", "cli0", 1, "absent"): (3, 3),
        ("injected", "client", "middlebox", "srv0", 1, "absent"): (1, 1),
        ("no-socket", "client", "endpoint", "cli0", 2, "seen"): (1, 3),
        ("no-socket", "client", "endpoint", "srv0", 2, "seen"): (1, 3)},
    "mp-server-abort": {
        ("abort", "server", "endpoint", "srv0", 2, "seen"): (1, 1),
        ("abort", "server", "endpoint", "cli0", 2, "seen"): (1, 1)},
}


EXPECT["mp-injector-v6"] = EXPECT["mp-injector"]


def one_sided_ok(scenario, p):
    """Non-RST packets the scenario legitimately shows at one point only."""
    if scenario == "mp-firewall-reject":
        # the SYN to 81 the router rejects never reaches srv0
        return p.iface == "cli0" and p.dst[1] == 81 and p.has(SYN) and not p.has(ACK)
    return False


def chk_scenario(scenario, views):
    if scenario in ("mp-injector", "mp-injector-v6"):
        return T.chk_injector(views["cli0"])
    if scenario == "mp-firewall-reject":
        if any(81 in (p.src[1], p.dst[1]) for p in views["srv0"]):
            return "port 81 traffic at srv0 (the router should have rejected the SYN)"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("pcap")
    ap.add_argument("--rule", help="use this scenario's rule (default: the scenario's own)")
    ap.add_argument("--trace")
    ap.add_argument("--shift", action="append", default=[], metavar="IFACE=SECONDS",
                    help="IFACE's timestamps were moved by +SECONDS (editcap -t)")
    ap.add_argument("-o", "--out")
    a = ap.parse_args()
    base = a.rule or a.scenario
    rule = RULES[base]
    shift = {}
    for s in a.shift:
        k, v = s.split("=", 1)
        shift[k] = float(v)
    pkts = read_packets(a.pcap, shift)
    trace = T.read_trace(a.trace)
    errors = []
    views = {n: [p for p in pkts if p.iface == n] for n in POINTS}
    others = sorted({p.iface for p in pkts} - set(POINTS))
    if others or not all(views.values()):
        errors.append("want packets from exactly cli0 and srv0, have %s"
                      % sorted({p.iface for p in pkts}))
    errors += pair_copies(views)
    index = {id(p): (p.iface, i) for n in POINTS for i, p in enumerate(views[n])}

    # one RST -> its copies; classify at the primary copy
    groups, done = [], set()
    for p in pkts:
        if not p.has(RST) or id(p) in done:
            continue
        g = [p] + ([p.copy] if p.copy else [])
        done.update(id(x) for x in g)
        groups.append(g)
    # kernel events go to RSTs in true-time order
    groups.sort(key=lambda g: min(x.true_time for x in g))
    rows = []
    for g in groups:
        senders = {}
        for x in g:
            n, i = index[id(x)]
            senders[id(x)] = sender_at(views[n], i)
        names = {s for s, _ in senders.values()}
        side = SIDE.get(next(iter(names)), None) if len(names) == 1 else None
        prim = next((x for x in g if x.iface == side), None) or min(g, key=lambda x: x.true_time)
        sender, prior = senders[id(prim)]
        n, i = index[id(prim)]
        view = views[n]
        from_peer = [q for q in prior if q.src == prim.dst]
        ctx = T.Ctx(prim, prior, sender, from_peer[-1] if from_peer else None, None)
        ctx.prior_all = view[:i]
        ctx.view, ctx.copies = view, g
        try:
            if len(names) != 1:
                raise Unexpected("frames %s: the copies disagree on the sender (%s)"
                                 % ([x.frame for x in g], sorted(names)))
            cause, origin, note = rule(ctx)
        except Unexpected as e:
            errors.append(str(e))
            continue
        sender_side = "seen" if any(x.iface == side for x in g) else "absent"
        if (origin == "middlebox") != (sender_side == "absent"):
            errors.append("frames %s: origin %s but the sender's point %s %s it"
                          % ([x.frame for x in g], origin, side,
                             "saw" if sender_side == "seen" else "did not see"))
            continue
        # an endpoint's kernel RST has its tracepoint event; the router's
        # (nft reject, scapy) have none and must not take an endpoint's
        kernel = None
        if origin == "endpoint":
            first = min(g, key=lambda x: x.true_time)
            kernel = T.match_event(trace, SimpleNamespace(src=prim.src, dst=prim.dst,
                                                          time=first.true_time))
        for x in g:
            other = [y for y in g if y is not x]
            where = ("also at %s as frame %d (TTL %d)" % (other[0].iface, other[0].frame,
                                                         other[0].ttl)) if other else \
                "never at %s" % ("srv0" if x.iface == "cli0" else "cli0")
            shape = "%s seq=%d ack=%d ttl=%d%s" % (
                flagstr(x.flags), x.seq, x.ack if x.has(ACK) else 0, x.ttl,
                "" if x.ipid is None else " ipid=%d" % x.ipid)
            xnote = "%s; %s; %s" % (note, shape, where)
            if kernel:
                xnote += "; kernel: reason=%s state=%s" % (kernel["reason"], kernel["state"])
            elif trace:
                xnote += "; kernel: no tcp_send_reset event"
            if shift:
                xnote += "; clocks: %s" % ", ".join("%s shifted %+g s" % kv
                                                     for kv in sorted(shift.items()))
            rows.append((x.frame, cause, sender, origin, x.iface, len(g), sender_side, xnote))
    rows.sort()

    # scenario-wide expectations
    counts = {}
    for row in rows:
        counts[row[1:7]] = counts.get(row[1:7], 0) + 1
    expect = EXPECT[base]
    for k, c in counts.items():
        if k not in expect:
            errors.append("unexpected RST row shape %s (%d rows)" % (k, c))
    for k, (lo, hi) in expect.items():
        if not lo <= counts.get(k, 0) <= hi:
            errors.append("%d rows %s, want %d..%d" % (counts.get(k, 0), k, lo, hi))
    lone = [p for p in pkts if not p.has(RST) and p.copy is None
            and not one_sided_ok(base, p)]
    for p in lone:
        errors.append("frame %d (%s, at %s) has no copy at the other point (lost by a "
                      "capture?)" % (p.frame, p.desc(), p.iface))
    chk = chk_scenario(base, views)
    if chk:
        errors.append(chk)
    return T.finish(a.scenario, a.pcap, a.out, ["frame", "cause", "sender", "origin", "vantage",
                    "vantages", "sender_side", "note"], rows, trace, errors)


if __name__ == "__main__":
    sys.exit(main())
