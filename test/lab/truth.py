#!/usr/bin/python3
"""Ground truth for one rstdiag test capture.

    truth.py SCENARIO CAPTURE.pcap [--trace NAME.rstreason.txt] [-o OUT.tsv]

Reads the capture with plain tshark (no plugin), finds every packet whose own
TCP header has RST set (headers quoted inside ICMP errors do not count) and
labels it from what the scenario is known to produce. Writes a TSV with the
header `frame<TAB>cause<TAB>sender<TAB>note`.

sender: the side that sent the latest SYN (without ACK) of that 4-tuple before
the RST is the client; no such SYN -> unknown. Kernel reasons come from the
tcp:tcp_send_reset tracepoint lines, matched by 4-tuple in order.

Any RST that the scenario's rule does not expect is an error (exit 1): the
scenario did not do what it was meant to, look at the capture.
"""
import argparse
import re
import subprocess
import sys

CRAFTED = {"time-wait-rst", "time-wait-ack", "midstream", "tunnel-gre", "vlan",
           "icmp-quoted-rst", "icmp6-quoted-rst", "udp-only"}

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20

FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw",
          "tcp.len", "ip.ttl", "ipv6.hlim", "ip.id", "tcp.window_size_value"]


def flagstr(f):
    names = [(SYN, "SYN"), (FIN, "FIN"), (RST, "RST"), (PSH, "PSH"), (ACK, "ACK"), (URG, "URG")]
    return "+".join(n for b, n in names if f & b) or "none"


class Pkt:
    def __init__(self, row):
        v = dict(zip(FIELDS, row))
        self.frame = int(v["frame.number"])
        self.time = float(v["frame.time_epoch"])
        self.src = (v["ip.src"] or v["ipv6.src"], int(v["tcp.srcport"]))
        self.dst = (v["ip.dst"] or v["ipv6.dst"], int(v["tcp.dstport"]))
        self.flags = int(v["tcp.flags"], 16)
        self.seq = int(v["tcp.seq_raw"])
        self.ack = int(v["tcp.ack_raw"])
        self.len = int(v["tcp.len"] or 0)
        self.ttl = int(v["ip.ttl"] or v["ipv6.hlim"] or 0)
        self.ipid = int(v["ip.id"], 16) if v["ip.id"] else None
        self.win = int(v["tcp.window_size_value"] or 0)
        self.key = frozenset((self.src, self.dst))

    def has(self, f):
        return bool(self.flags & f)

    def ep(self, e):
        a, p = e
        return ("[%s]:%d" % (a, p)) if ":" in a else ("%s:%d" % (a, p))

    def desc(self):
        return "%s %s>%s" % (flagstr(self.flags), self.ep(self.src), self.ep(self.dst))


def read_packets(pcap):
    cmd = ["tshark", "-n", "-r", pcap, "-Y", "tcp && !icmp && !icmpv6", "-T", "fields",
           "-E", "separator=/t", "-E", "occurrence=l"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [Pkt(line.split("\t")) for line in out.splitlines() if line.strip()]


def count_rst_frames(pcap):
    """Independent count of RST packets, for a cross-check."""
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-Y",
                          "tcp.flags.reset == 1 && !icmp && !icmpv6", "-T", "fields",
                          "-e", "frame.number"], check=True, capture_output=True,
                         text=True).stdout
    return [int(x) for x in out.split()]


TRACE_RE = re.compile(r"\s(\d+\.\d+): tcp_send_reset: .*"
                      r"src=(\S+) dest=(\S+) state=(\S+) reason=(\S+)")
HDR_RE = re.compile(r"trace_clock=(\w+); tai_minus_realtime=(-?[\d.]+)")


def parse_ep(s):
    m = re.match(r"^\[(.*)\]:(\d+)$", s) or re.match(r"^(.*):(\d+)$", s)
    return (m.group(1), int(m.group(2)))


def read_trace(path):
    """tcp_send_reset events; "time" is epoch seconds when the instance ran
    on trace_clock=tai (netlab.sh does that), else None (match by order)."""
    events = []
    if not path:
        return events
    offset = None
    with open(path) as f:
        for line in f:
            h = HDR_RE.search(line)
            if line.startswith("#") and h:
                offset = float(h.group(2)) if h.group(1) == "tai" else None
                continue
            m = TRACE_RE.search(line)
            if m:
                events.append({"time": None if offset is None else float(m.group(1)) - offset,
                               "src": parse_ep(m.group(2)), "dst": parse_ep(m.group(3)),
                               "state": m.group(4), "reason": m.group(5), "used": False})
    return events


def match_event(trace, r):
    """The tcp_send_reset event that produced captured RST r: same source,
    same destination (a listener's reset may print 0.0.0.0:0 / [::]:0), and
    with times the nearest one shortly before the packet."""
    best = None
    for ev in trace:
        if ev["used"] or ev["src"] != r.src:
            continue
        if ev["dst"] != r.dst and ev["dst"][1] != 0:
            continue
        if ev["time"] is None:
            best = ev
            break
        dt = r.time - ev["time"]
        if -0.01 <= dt <= 0.5 and (best is None or abs(dt) < abs(r.time - best["time"])):
            best = ev
    if best:
        best["used"] = True
    return best


class Ctx:
    """What a rule may look at for one RST."""

    def __init__(self, rst, prior, sender, trigger, kernel):
        self.rst, self.prior, self.sender = rst, prior, sender
        self.trigger, self.kernel = trigger, kernel

    def conn_prior(self):
        """Packets of this 4-tuple since its latest SYN (this connection)."""
        out = []
        for p in self.prior:
            if p.has(SYN) and not p.has(ACK):
                out = []
            out.append(p)
        return out

    def trig_is_syn(self, extra_ok=False):
        t = self.trigger
        if t is None or not t.has(SYN) or t.has(ACK):
            return False
        return extra_ok or not (t.flags & (FIN | RST | URG))

    def payload_seen(self):
        return any(p.len for p in self.conn_prior())


class Unexpected(Exception):
    pass


def need(cond, ctx, what):
    if not cond:
        raise Unexpected("frame %d (%s, sender %s, trigger %s): not %s"
                         % (ctx.rst.frame, ctx.rst.desc(), ctx.sender,
                            ctx.trigger.desc() if ctx.trigger else "none", what))


def trig_note(ctx):
    t = ctx.trigger
    return ("answers frame %d %s" % (t.frame, flagstr(t.flags))) if t else "no trigger"


# ------------------------------------------------------------ rules
def r_none(ctx):
    need(False, ctx, "expected: this capture has no RST")


def r_port_closed(ctx):
    need(ctx.sender == "server" and ctx.trig_is_syn() and ctx.rst.has(ACK), ctx,
         "a server RST/ACK answering a SYN")
    return "port-closed", "closed port %d: %s" % (ctx.rst.src[1], trig_note(ctx))


def r_firewall(ctx):
    need(ctx.sender == "server" and ctx.trig_is_syn() and ctx.rst.has(ACK), ctx,
         "a RST/ACK in the server's name answering a SYN")
    base = [p.ttl for p in ctx.prior_all if p.src[0] == ctx.rst.src[0] and not p.has(RST)]
    return "firewall-reject", ("router nft 'reject with tcp reset' for port %d: %s; TTL %d "
                               "(server's own packets %s; nf_reject fires no tcp_send_reset)"
                               % (ctx.rst.src[1], trig_note(ctx), ctx.rst.ttl,
                                  "/".join(str(t) for t in sorted(set(base))) or "none"))


def r_nmap(kind):
    def rule(ctx):
        r = ctx.rst
        if ctx.sender == "server":
            return r_port_closed(ctx)
        need(ctx.sender == "client", ctx, "client or server")
        if kind == "syn":
            need(not r.has(ACK) and ctx.trigger is not None and ctx.trigger.has(SYN)
                 and ctx.trigger.has(ACK), ctx, "a client RST (no ACK) answering a SYN/ACK")
            return "syn-scan", "client kernel resets the SYN/ACK for port %d (nmap -sS " \
                "half-open): %s" % (r.dst[1], trig_note(ctx))
        need(r.has(ACK) and not ctx.payload_seen(), ctx,
             "a client RST/ACK after the handshake without payload")
        acks = [p for p in ctx.conn_prior() if p.src == r.src and p.has(ACK)]
        return "connect-scan", ("nmap -sT closes port %d right after the handshake "
                                "(client ACK frame %s): %s" % (
                                    r.dst[1], acks[-1].frame if acks else "?", trig_note(ctx)))
    return rule


def r_overflow(ctx):
    t = ctx.trigger
    need(ctx.sender == "server" and not ctx.rst.has(ACK) and t is not None and t.has(ACK)
         and not t.has(SYN) and ctx.rst.seq == t.ack, ctx,
         "a server RST (no ACK, seq = trigger's ACK) answering the client's handshake ACK/data")
    return "listen-overflow", "accept queue full, tcp_abort_on_overflow=1: %s (%d bytes)" % (
        trig_note(ctx), t.len)


def r_bad_syn(ctx):
    t = ctx.trigger
    need(ctx.sender == "server" and t is not None and t.has(SYN) and not t.has(ACK)
         and t.flags & (FIN | RST | URG), ctx, "a server RST answering a SYN with FIN/RST/URG")
    state = "closed" if t.dst[1] == 81 else "listening"
    return "bad-syn", "answers %s probe to %s port %d (frame %d)" % (
        flagstr(t.flags), state, t.dst[1], t.frame)


def r_syn_rst_probe(ctx):
    r = ctx.rst
    need(ctx.sender == "client" and r.has(SYN) and not r.has(ACK), ctx,
         "a client SYN+RST probe")
    return "unknown", ("the SYN+RST probe itself (not an answer to anything) to %s port %d; "
                       "Linux never answers a RST" % ("closed" if r.dst[1] == 81 else "listening",
                                                       r.dst[1]))


def r_no_socket(ctx):
    t = ctx.trigger
    need(ctx.sender == "server" and not ctx.rst.has(ACK) and t is not None and t.len > 0
         and ctx.rst.seq == t.ack, ctx, "a server RST without ACK, seq = data's ACK")
    return "no-socket", "server socket gone (killed while its RST was dropped): %s, " \
        "seq = its ACK" % trig_note(ctx)


def r_tw_rst(ctx):
    need(ctx.sender == "server" and ctx.trig_is_syn() and ctx.rst.has(ACK), ctx,
         "a server RST/ACK answering the reused-tuple SYN")
    return "time-wait", "server in TIME_WAIT refuses SYN on the reused 4-tuple: %s" % trig_note(ctx)


def r_tw_ack(ctx):
    t = ctx.trigger
    need(ctx.sender == "client" and not ctx.rst.has(ACK) and t is not None
         and t.flags & (SYN | ACK | RST | FIN) == ACK and ctx.rst.seq == t.ack, ctx,
         "a client RST (seq = stale ACK's ack) answering the TIME_WAIT server's bare ACK")
    return "time-wait", "client (SYN-SENT) resets the TIME_WAIT server's stale ACK: %s" % trig_note(ctx)


def r_midstream(ctx):
    need(ctx.sender == "unknown" and ctx.rst.has(ACK), ctx, "a RST/ACK without SYN in the capture")
    return "abort", ("capture starts mid-stream; a data-phase RST/ACK at the sender's next seq "
                     "with no other evidence is an abortive close: %s" % trig_note(ctx))


def next_seq(pkts, side):
    """Next sequence number of `side` after pkts (its highest seq+len+SYN+FIN)."""
    best = None
    for p in pkts:
        if p.src == side and not p.has(RST):
            n = (p.seq + p.len + (1 if p.flags & (SYN | FIN) else 0)) & 0xffffffff
            if best is None or ((n - best) & 0xffffffff) < 0x80000000:
                best = n
    return best


def r_linger_abort(ctx):
    r, conn = ctx.rst, ctx.conn_prior()
    srv_data = sum(p.len for p in conn if p.src == r.dst)
    need(ctx.sender == "client" and r.has(ACK) and srv_data > 0
         and not any(p.has(FIN) for p in conn if p.src == r.src)
         and r.seq == next_seq(conn, r.src) and r.ack == next_seq(conn, r.dst), ctx,
         "a client RST/ACK at its snd_nxt/rcv_nxt in the middle of the server's data, "
         "no client FIN")
    zero = [p for p in conn if p.src == r.src and p.has(ACK) and not p.has(SYN)
            and p.len == 0]
    return "abort", ("client SO_LINGER {1,0} close mid-transfer with unread data "
                     "(%d server bytes received, client window %s before the RST): %s"
                     % (srv_data, zero[-1].win if zero else "?", trig_note(ctx)))


def r_unread_close(ctx):
    r, conn = ctx.rst, ctx.conn_prior()
    cli_data = sum(p.len for p in conn if p.src == r.dst)
    need(ctx.sender == "server" and r.has(ACK) and cli_data > 0
         and not any(p.len or p.has(FIN) for p in conn if p.src == r.src)
         and r.ack == next_seq(conn, r.dst), ctx,
         "a server RST/ACK after client data it acknowledged, no server payload or FIN")
    return "abort", ("server close() with %d unread bytes in its receive queue "
                     "(TCPAbortOnClose): %s" % (cli_data, trig_note(ctx)))


def r_data_after_fin(ctx):
    r, t, conn = ctx.rst, ctx.trigger, ctx.conn_prior()
    fins = [p for p in conn if p.src == r.src and p.has(FIN)]
    need(ctx.sender == "server" and not r.has(ACK) and t is not None and t.len > 0
         and r.seq == t.ack and fins and fins[-1].frame < t.frame, ctx,
         "a server RST (no ACK, seq = data's ACK) answering client data sent after the "
         "server's FIN")
    return "data-after-close", ("server had sent FIN (frame %d); the client's data "
                                "afterwards (%s) is reset, seq = its ACK"
                                % (fins[-1].frame, trig_note(ctx)))


def r_fast_close(ctx):
    r, conn = ctx.rst, ctx.conn_prior()
    fins = [p for p in conn if p.src == r.dst and p.has(FIN)]
    need(ctx.sender == "client" and r.has(ACK) and fins
         and not any(p.has(FIN) for p in conn if p.src == r.src)
         and r.ack == next_seq(conn, r.dst) and r.seq == next_seq(conn, r.src), ctx,
         "a client RST/ACK acknowledging the server's FIN, no client FIN")
    acked = [p for p in conn if p.src == r.src and p.frame > fins[-1].frame]
    return "fast-close", ("server half-closed (FIN frame %d); the client, having read to EOF, "
                          "closes with SO_LINGER 0: RST/ACK (ack = FIN+1) %s"
                          % (fins[-1].frame, "after its ACK of the FIN" if acked else
                             "in place of its ACK of the FIN and its own FIN"))


def r_keepalive(ctx):
    r, conn = ctx.rst, ctx.conn_prior()
    last_srv = [p for p in conn if p.src == r.dst]
    probes = [p for p in conn if p.src == r.src and last_srv and p.frame > last_srv[-1].frame
              and p.len <= 1 and p.flags & (SYN | FIN | RST | ACK) == ACK
              and p.seq == (r.seq - 1) & 0xffffffff]
    need(ctx.sender == "client" and r.has(ACK) and len(probes) >= 1
         and probes[0].time - last_srv[-1].time >= 0.9, ctx,
         "a client RST/ACK after unanswered keepalive probes (seq = snd_nxt - 1)")
    return "idle-timeout", ("keepalive gave up: %d unanswered probes (frames %s), first %.2f s "
                            "after the server's last packet (frame %d), RST %.2f s after it"
                            % (len(probes), ",".join(str(p.frame) for p in probes),
                               probes[0].time - last_srv[-1].time, last_srv[-1].frame,
                               r.time - last_srv[-1].time))


def r_injector(ctx):
    r, conn = ctx.rst, ctx.conn_prior()
    srv = r.dst if ctx.sender == "client" else r.src
    srv_ttl = sorted({p.ttl for p in conn if p.src == srv and not p.has(RST)})
    forged = [p for p in conn if p.src == srv and p.has(RST) and p.ttl not in srv_ttl]
    if ctx.sender == "server" and r.ttl not in srv_ttl:
        need(r.has(ACK) and len(srv_ttl) == 1, ctx,
             "a forged RST/ACK in the server's name (TTL differs from the server's)")
        # the race the scenario is built for: forged RSTs before the response
        need(not any(p.len or p.has(FIN) for p in conn if p.src == srv), ctx,
             "ahead of the server's response (the injector lost the race)")
        expect = next_seq(conn, r.src)
        first = forged[0] if forged else r
        return "injected", ("forged by the router's injector on the keyword in frame %d: TTL %d, "
                            "the server's own %d; seq = server's next %+d; %.1f ms after the "
                            "request%s" % (
                                ctx.trigger.frame, r.ttl, srv_ttl[0],
                                (r.seq - expect + 0x80000000) % 0x100000000 - 0x80000000,
                                (r.time - ctx.trigger.time) * 1000,
                                "" if first is r else "; burst with frame %d" % first.frame))
    t = ctx.trigger
    need(ctx.sender == "client" and not r.has(ACK) and t is not None and not t.has(RST)
         and r.seq == t.ack and forged, ctx,
         "a client RST (no ACK, seq = its ACK) answering the server after a forged RST")
    return "no-socket", ("the client's socket died on the forged RST frame %d; the server's "
                         "late %s draws the kernel's reset: %s, seq = its ACK"
                         % (forged[0].frame, "data" if t.len else flagstr(t.flags), trig_note(ctx)))


def chk_injector(pkts):
    """The race the injector scenario is built for: forged RSTs toward the
    client, then the real server's reply (late data from the server)."""
    synacks = [p for p in pkts if p.has(SYN) and p.has(ACK)]
    srv_ttl = {p.ttl for p in synacks}
    port = synacks[0].src[1] if synacks else 80
    forged = [p for p in pkts if p.has(RST) and p.ttl not in srv_ttl
              and p.src[1] == port]
    late = [p for p in pkts if p.src[1] == port and p.len and forged
            and p.frame > forged[0].frame]
    if not forged:
        return "no forged RST toward the client"
    if not late:
        return "no server data after the forged RSTs (did the server's socket die first?)"
    return None


def r_stealth(ctx):
    t, r = ctx.trigger, ctx.rst
    need(ctx.sender == "unknown" and t is not None and not (t.flags & (SYN | ACK | RST))
         and r.has(ACK) and r.seq == 0 and r.src[1] == 81, ctx,
         "a RST/ACK seq 0 from closed port 81 answering a probe with neither SYN nor ACK")
    return "stealth-scan", "closed port 81 answers the %s probe: %s" % (
        {0: "NULL", FIN: "FIN"}.get(t.flags, "XMAS" if t.flags & FIN else flagstr(t.flags)),
        trig_note(ctx))


def kernel_reason(ctx):
    return ctx.kernel["reason"] if ctx.kernel else None


def answered_segment(ctx):
    """The peer segment a bare RST answers: of the peer's segments whose ACK
    is the RST's seq and that its sender had not acknowledged yet (they were
    in flight; seen at the far end they may precede its FIN), in order, the
    k-th RST with that seq from this sender answers the k-th."""
    r, conn = ctx.rst, ctx.conn_prior()
    acked = [p.ack for p in conn if p.src == r.src and p.has(ACK)]
    cands = [p for p in conn if p.src == r.dst and p.has(ACK) and p.ack == r.seq
             and acked and ((p.seq - acked[-1]) & 0xffffffff) < 0x80000000]
    earlier = [p for p in conn if p.src == r.src and p.has(RST) and p.seq == r.seq]
    return cands[len(earlier)] if len(earlier) < len(cands) else None


def r_kernel_inflight(ctx):
    r, conn = ctx.rst, ctx.conn_prior()
    seg = answered_segment(ctx)
    fins = [p for p in conn if p.src == r.src and p.has(FIN)]
    need(ctx.sender == "client" and not r.has(ACK) and seg is not None and fins
         and kernel_reason(ctx) in (None, "TCP_ABORT_ON_DATA", "NO_SOCKET"), ctx,
         "a client bare RST answering a server segment in flight when the client closed")
    what = "answers frame %d %s (%d bytes)" % (seg.frame, flagstr(seg.flags), seg.len)
    if seg.len:
        return "data-after-close", ("client had closed (FIN frame %d); the server's data still "
                                    "in flight is reset, one RST per segment, seq = its ACK: %s"
                                    % (fins[0].frame, what))
    return "no-socket", ("client socket already gone (it closed and reset); the server's "
                         "segment in flight meets no socket: %s" % what)


def r_happy_eyeballs(ctx):
    r, t = ctx.rst, ctx.trigger
    need(ctx.sender == "client" and not r.has(ACK) and t is not None
         and t.flags & (SYN | ACK) == SYN | ACK and r.seq == t.ack
         and kernel_reason(ctx) in (None, "NO_SOCKET"), ctx,
         "a client bare RST (seq = its ACK) answering the losing connection's SYN/ACK")
    return "no-socket", ("connection racing: the client closed this attempt in SYN-SENT once "
                         "its sibling connected; the late SYN/ACK meets no socket: %s"
                         % trig_note(ctx))


def r_route_flap(ctx):
    r, conn = ctx.rst, ctx.conn_prior()
    srv = [p for p in conn if p.src == r.src]
    synack = [p for p in srv if p.flags & (SYN | ACK) == SYN | ACK]
    need(ctx.sender == "server" and r.has(ACK) and synack and srv
         and r.ttl == synack[0].ttl and srv[-1].ttl != r.ttl
         and r.seq == next_seq(conn, r.src), ctx,
         "a server RST/ACK at its snd_nxt with the handshake's TTL, after replies with another")
    return "abort", ("server SO_LINGER 0 close right after a route change back to the short "
                     "path: TTL %d as its SYN/ACK (frame %d), its last reply (frame %d) had %d"
                     % (r.ttl, synack[0].frame, srv[-1].frame, srv[-1].ttl))


def copy_of(ctx):
    """An earlier capture of the same packet on the router's other link."""
    r = ctx.rst
    for p in reversed(ctx.prior):
        if (p.src, p.dst, p.flags, p.seq, p.ack, p.ipid) == (r.src, r.dst, r.flags, r.seq,
                                                             r.ack, r.ipid) \
                and p.ttl == r.ttl + 1 and 0 <= r.time - p.time < 0.01:
            return p
    return None


def r_router_two_links(ctx):
    r, t = ctx.rst, ctx.trigger
    first = copy_of(ctx)
    if first is not None:
        cause, _ = r_router_two_links(Ctx(first, [p for p in ctx.prior if p.frame < first.frame],
                                          ctx.sender, None, None))
        return cause, "copy of frame %d seen on the router's other link (TTL one lower)" \
            % first.frame
    if r.src[1] == 81:
        need(ctx.sender == "server" and r.has(ACK) and r.seq == 0, ctx,
             "the closed port's RST/ACK")
        return "port-closed", "port 81 closed, the server kernel refuses the SYN"
    conn = ctx.conn_prior()
    need(ctx.sender == "server" and r.has(ACK) and r.seq == next_seq(conn, r.src), ctx,
         "the server's RST/ACK at its snd_nxt (SO_LINGER 0 close)")
    return "abort", "server SO_LINGER 0 close of an idle line exchange"


# scenario-wide checks beyond the per-RST rules: name -> fn(packets) -> error
CHECKS = {"injector": chk_injector, "injector-v6": chk_injector, "injector-tls": chk_injector}


RULES = {
    "clean-v4": r_none, "icmp-quoted-rst": r_none, "icmp6-quoted-rst": r_none,
    "udp-only": r_none,
    "closed-port-v4": r_port_closed, "closed-port-v6": r_port_closed,
    "tunnel-gre": r_port_closed, "vlan": r_port_closed,
    "firewall-reject": r_firewall, "firewall-reject-v6": r_firewall,
    "nmap-syn-scan": r_nmap("syn"), "nmap-connect-scan": r_nmap("connect"),
    "nmap-stealth-scan": r_stealth,
    "kernel-inflight": r_kernel_inflight, "happy-eyeballs": r_happy_eyeballs,
    "route-flap-ttls": r_route_flap, "router-two-links": r_router_two_links,
    "listen-overflow": r_overflow, "bad-syn": r_bad_syn, "bad-syn-rst": r_syn_rst_probe, "no-socket": r_no_socket,
    "time-wait-rst": r_tw_rst, "time-wait-ack": r_tw_ack, "midstream": r_midstream,
    "linger-abort": r_linger_abort, "unread-close": r_unread_close,
    "data-after-fin": r_data_after_fin, "fast-close": r_fast_close,
    "keepalive-timeout": r_keepalive, "injector": r_injector, "injector-v6": r_injector,
    "injector-tls": r_injector,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("pcap")
    ap.add_argument("--trace")
    ap.add_argument("-o", "--out")
    ap.add_argument("--rule", help="use this scenario's rule (default: the scenario's own)")
    a = ap.parse_args()
    rule = RULES[a.rule or a.scenario]
    pkts = read_packets(a.pcap)
    trace = read_trace(a.trace)
    crafted = a.scenario in CRAFTED or "crafted" in a.pcap
    rows, errors = [], []
    for i, r in enumerate(pkts):
        if not r.has(RST):
            continue
        prior = [p for p in pkts[:i] if p.key == r.key]
        syns = [p for p in prior if p.has(SYN) and not p.has(ACK)]
        if syns:
            sender = "client" if r.src == syns[-1].src else "server"
        elif r.has(SYN) and not r.has(ACK):
            sender = "client"  # a SYN+RST: itself the first SYN of its 4-tuple
        else:
            sender = "unknown"
        from_peer = [p for p in prior if p.src == r.dst]
        trigger = from_peer[-1] if from_peer else None
        kernel = match_event(trace, r)
        ctx = Ctx(r, prior, sender, trigger, kernel)
        ctx.prior_all = pkts[:i]
        try:
            cause, note = rule(ctx)
        except Unexpected as e:
            errors.append(str(e))
            continue
        shape = "%s seq=%d ack=%d ttl=%d%s" % (
            flagstr(r.flags), r.seq, r.ack if r.has(ACK) else 0, r.ttl,
            "" if r.ipid is None else " ipid=%d" % r.ipid)
        if crafted:
            note = "crafted; " + note
        note += "; " + shape
        if kernel:
            note += "; kernel: reason=%s state=%s" % (kernel["reason"], kernel["state"])
        elif trace:
            note += "; kernel: no tcp_send_reset event"
        rows.append((r.frame, cause, sender, note))
    chk = CHECKS.get(a.rule or a.scenario)
    if chk and chk(pkts):
        errors.append(chk(pkts))
    return finish(a.scenario, a.pcap, a.out, ["frame", "cause", "sender", "note"], rows,
                  trace, errors)


def finish(scenario, pcap, out_path, header, rows, trace, errors):
    """Check that every RST of the pcap has a row, write the truth file (rows
    start with the frame number), say which kernel events found no RST and
    what went wrong.  Returns the exit status."""
    check = count_rst_frames(pcap)
    if sorted(check) != [row[0] for row in rows] and not errors:
        errors.append("RST frames %s but labelled %s" % (check, [row[0] for row in rows]))
    text = "\n".join(["\t".join(header)] + ["\t".join(str(v) for v in row) for row in rows])
    text += "\n"
    if out_path:
        with open(out_path, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    for e in trace:
        if not e["used"]:
            print("%s: note: tcp_send_reset %s:%d -> %s:%d reason=%s state=%s has no RST in "
                  "the capture (dropped on the way or sent elsewhere)"
                  % (scenario, e["src"][0], e["src"][1], e["dst"][0], e["dst"][1],
                     e["reason"], e["state"]), file=sys.stderr)
    for e in errors:
        print("%s: UNEXPECTED %s" % (scenario, e), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
