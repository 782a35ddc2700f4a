"""Shared parts of the deterministic capture generators craft.py and craft_data.py.

Seen from the client's link, like the namespace lab (netlab.sh): the same
addresses and MACs, client packets TTL/hop limit 64, server packets 63. Fixed
timestamps from 1700000000.0 and fixed ISNs, IP IDs, flow labels and ports, so
that two runs give byte-identical files. Not a script: import it.
"""
import argparse
import os
from decimal import Decimal

from scapy.all import GRE, IP, Dot1Q, Ether, IPv6, Raw, TCP, wrpcap

T0 = Decimal("1700000000.0")
CLI4, SRV4 = "10.201.1.2", "10.201.2.2"
CLI6, SRV6 = "fd00:201:1::2", "fd00:201:2::2"
MAC_CLI, MAC_RTR = "02:00:0a:c9:01:02", "02:00:0a:c9:01:01"
GRE_CLI, GRE_SRV = "10.201.9.1", "10.201.9.2"  # tunnel ends (outer TTL 200)

LINUX_SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7)]

MS = 1000  # microseconds
S = 1000000


# ------------------------------------------------------------ capture model
class Capture:
    """Frames with explicit times (microseconds after T0), L2 framing and
    optional truth rows (frame, cause, sender, note)."""

    def __init__(self, framing="eth"):
        self.framing = framing  # eth | vlan | gre
        self.pkts = []
        self.truth = []
        self.now = 0
        self.gre_id = {True: 0x3000, False: 0x4000}  # outer IP ID per direction

    def add(self, l3, toward_server, at=None, dt=100, mac_src=None, truth=None):
        """Frame l3 and append it at time `at`, or dt after the previous
        frame; returns its frame number."""
        if at is not None:
            assert at >= self.now, "time runs backwards at frame %d" % (len(self.pkts) + 1)
            self.now = at
        elif self.pkts:  # the first packet is at T0 exactly
            self.now += dt
        if toward_server:
            eth = Ether(src=mac_src or MAC_CLI, dst=MAC_RTR)
        else:
            eth = Ether(src=mac_src or MAC_RTR, dst=MAC_CLI)
        if self.framing == "vlan":
            frame = eth / Dot1Q(vlan=100, prio=0) / l3
        elif self.framing == "gre":
            self.gre_id[toward_server] += 1
            outer = IP(src=GRE_CLI if toward_server else GRE_SRV,
                       dst=GRE_SRV if toward_server else GRE_CLI,
                       ttl=200, id=self.gre_id[toward_server], flags="DF")
            frame = eth / outer / GRE() / l3
        else:
            frame = eth / l3
        frame = frame.__class__(bytes(frame))  # freeze lengths and checksums
        frame.time = T0 + Decimal(self.now) / Decimal(S)
        self.pkts.append(frame)
        n = len(self.pkts)
        if truth is not None:
            self.truth.append((n,) + tuple(truth))
        return n

    def idle(self, us):
        self.now += us

    def check(self):
        rst = [i + 1 for i, p in enumerate(self.pkts) if TCP in p and p[TCP].flags & 0x04]
        rows = [r[0] for r in self.truth]
        assert rst == rows, "RST frames %s != truth rows %s" % (rst, rows)

    def write(self, base, truth=False):
        """base.pcap; with truth, first check that the truth rows cover exactly
        the RST frames, then also base.truth.tsv."""
        if truth:
            self.check()
        wrpcap(base + ".pcap", self.pkts, linktype=1)
        if truth:
            self.write_truth(base + ".truth.tsv")

    def write_truth(self, path):
        with open(path, "w", newline="\n") as f:
            f.write("frame\tcause\tsender\tnote\n")
            for frame, cause, sender, note in self.truth:
                p = self.pkts[frame - 1]
                t = p[TCP]
                flags = "RST+ACK" if t.flags & 0x10 else "RST"
                if IP in p:
                    shape = "%s seq=%d ack=%d ttl=%d ipid=%d win=%d" % (
                        flags, t.seq, t.ack, p[IP].ttl, p[IP].id, t.window)
                else:
                    shape = "%s seq=%d ack=%d hlim=%d win=%d" % (
                        flags, t.seq, t.ack, p[IPv6].hlim, t.window)
                if len(t.payload):
                    shape += " payload=%d bytes" % len(t.payload)
                f.write("%d\t%s\t%s\tcrafted: %s; %s\n" % (frame, cause, sender, note, shape))


class Side:
    """One endpoint's stack as seen at the capture point."""

    def __init__(self, addr, port, isn, ttl, ipid, window, fl, ipid_steps=None):
        self.addr, self.port = addr, port
        self.nxt = isn        # next sequence number it sends
        self.ttl = ttl        # TTL / hop limit at the capture point
        self.ipid = ipid      # next IP ID (per connection, or a global counter)
        self.window = window
        self.fl = fl          # IPv6 flow label
        self.ipid_steps = ipid_steps  # Windows: global counter, steps from other traffic
        self.nsent = 0

    def take_ipid(self):
        v = self.ipid
        step = 1
        if self.ipid_steps:
            step = self.ipid_steps[self.nsent % len(self.ipid_steps)]
        self.ipid = (self.ipid + step) & 0xFFFF
        self.nsent += 1
        return v


class Conn:
    """One TCP connection; 'c' = client (sent the SYN), 's' = server."""

    def __init__(self, cap, cport, sport=80, v6=False, cisn=1000000, sisn=2000000,
                 cid=12000, sid=30000, sttl=63, swin=509, sfl=0x48009, cfl=0x1a118,
                 s_ipid_steps=None, synack_ipid=0):
        self.cap, self.v6 = cap, v6
        self.c = Side(CLI6 if v6 else CLI4, cport, cisn, 64, cid, 502, cfl)
        self.s = Side(SRV6 if v6 else SRV4, sport, sisn, sttl, sid, swin, sfl, s_ipid_steps)
        self.cisn, self.sisn = cisn, sisn
        self.synack_ipid = synack_ipid  # None: from the counter (Windows)

    def side(self, who):
        return (self.c, self.s) if who == "c" else (self.s, self.c)

    def seg(self, who, flags, data=b"", at=None, dt=100, seq=None, ack=None, ipid=None,
            ttl=None, window=None, options=None, advance=True, df=True, fl=None,
            mac_src=None, truth=None):
        """A segment from who ('c'/'s'). ipid=None takes the sender's counter;
        advance=False leaves seq state alone (retransmissions, RSTs, forgeries)."""
        me, peer = self.side(who)
        if seq is None:
            seq = me.nxt
        if ack is None:
            ack = peer.nxt if "A" in flags else 0
        if window is None:
            window = 0 if "R" in flags else me.window
        tcp = TCP(sport=me.port, dport=peer.port, flags=flags, seq=seq, ack=ack,
                  window=window, options=options or [])
        if self.v6:
            l3 = IPv6(src=me.addr, dst=peer.addr, hlim=me.ttl if ttl is None else ttl,
                      fl=me.fl if fl is None else fl)
        else:
            if ipid is None:
                ipid = me.take_ipid()
            l3 = IP(src=me.addr, dst=peer.addr, ttl=me.ttl if ttl is None else ttl, id=ipid,
                    flags="DF" if df else 0)
        pkt = l3 / tcp
        if data:
            pkt = pkt / Raw(data)
        if advance:
            me.nxt = seq + len(data) + ("S" in flags) + ("F" in flags)
        return self.cap.add(pkt, who == "c", at=at, dt=dt, mac_src=mac_src, truth=truth)

    def forge(self, claimed, flags, seq, ack, ttl, window, ipid=None, data=b"", at=None,
              dt=100, df=False, fl=0, mac_src=None, truth=None):
        """A segment some device built in the name of `claimed`: no counters move."""
        return self.seg(claimed, flags, data, at=at, dt=dt, seq=seq, ack=ack,
                        ipid=0 if ipid is None else ipid, ttl=ttl, window=window,
                        advance=False, df=df, fl=fl, mac_src=mac_src, truth=truth)

    # building blocks ------------------------------------------------------
    def syn(self, at=None, dt=100, **kw):
        return self.seg("c", "S", at=at, dt=dt, window=64240, options=LINUX_SYN_OPTS, **kw)

    def synack(self, at=None, dt=20 * MS, options=None, window=65160, ack_dt=60):
        """The server's SYN/ACK and the client's ACK that completes the handshake."""
        ipid = self.synack_ipid
        self.seg("s", "SA", at=at, dt=dt, window=window, options=options or LINUX_SYN_OPTS,
                 ipid=ipid if not self.v6 else None)
        self.seg("c", "A", dt=ack_dt)

    def handshake(self, rtt=20 * MS, at=None, dt=100, synack_opts=None, synack_win=65160,
                  ack_dt=60):
        self.syn(at=at, dt=dt)
        self.synack(dt=rtt, options=synack_opts, window=synack_win, ack_dt=ack_dt)

    def refuse(self, dt, data=b"", truth=None):
        """The server kernel refuses the SYN (no listener): RST/ACK, seq 0,
        ack = ISN+1, IP ID 0."""
        return self.seg("s", "RA", data, dt=dt, seq=0, ack=self.c.nxt, ipid=0, advance=False,
                        truth=truth)

    def passive_rst(self, who, trigger_ack, dt, truth=None):
        """Linux control-socket reset: RST only, seq = trigger's ACK, IP ID 0, DF."""
        return self.seg(who, "R", dt=dt, seq=trigger_ack, ack=0, ipid=0, advance=False,
                        truth=truth)

    def active_rst(self, who, dt, truth=None, data=b"", **kw):
        """Full-socket reset: RST/ACK, seq = snd_nxt, ack = rcv_nxt, window 0."""
        return self.seg(who, "RA", data, dt=dt, advance=False, truth=truth, **kw)

    def request(self, req, at=None, dt=200):
        return self.seg("c", "PA", req, at=at, dt=dt)

    def respond(self, resp, at=None, dt=20 * MS, gap=120, segments=None, acks=True):
        """The server's ACK-carrying response segments (PSH on the last of the
        whole response), the first dt after the request, then one every gap;
        the client ACKs every second one and the last sent (acks=False: it
        stays silent). segments=N: only the first N segments go out."""
        segs = chunks(resp)
        sent = segs[:segments] if segments is not None else segs
        for i, d in enumerate(sent):
            self.seg("s", "PA" if i == len(segs) - 1 else "A", d, at=at if i == 0 else None,
                     dt=dt if i == 0 else gap)
            if acks and (i % 2 == 1 or i == len(sent) - 1):
                self.seg("c", "A", dt=40)

    def exchange(self, req, resp, rtt=20 * MS, dt=200, segments=None):
        """Request dt after the previous packet, the response an rtt later."""
        self.request(req, dt=dt)
        self.respond(resp, dt=rtt, segments=segments)

    def close(self, first, dt, fin_dt, ack_dt):
        """FIN/ACK from `first` ('c'/'s'), the peer's FIN/ACK fin_dt later, and
        first's last ACK ack_dt after that (ack_dt=None: no last ACK)."""
        other = "s" if first == "c" else "c"
        self.seg(first, "FA", dt=dt)
        self.seg(other, "FA", dt=fin_dt)
        if ack_dt is not None:
            self.seg(first, "A", dt=ack_dt)

    def close_client_first(self, rtt=20 * MS, dt=5 * MS):
        self.close("c", dt, rtt, 50)

    def close_server_first(self, rtt=20 * MS, dt=5 * MS):
        self.close("s", dt, 200, rtt)


def chunks(data, size=1460):
    return [data[i:i + size] for i in range(0, len(data), size)]


# ------------------------------------------------------------ command line
def run(captures, doc, truth=False):
    """The generators' command line: [-o OUTDIR] [NAME...], by default every
    capture in `captures` (name -> function returning a Capture) into
    test/captures. truth: also write NAME.truth.tsv from the Capture's rows
    (otherwise truth.py writes it, see make-captures.sh)."""
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("-o", "--outdir", default=os.path.join(here, "..", "captures"))
    ap.add_argument("names", nargs="*", help="default: %s" % " ".join(captures))
    a = ap.parse_args()
    names = a.names or list(captures)
    os.makedirs(a.outdir, exist_ok=True)
    for n in names:
        fn = captures.get(n)
        if fn is None:
            ap.error("unknown capture %s (known: %s)" % (n, " ".join(captures)))
        cap = fn()
        base = os.path.join(a.outdir, n)
        cap.write(base, truth=truth)
        path = base + ".pcap"
        detail = ("%d RSTs" % len(cap.truth) if truth
                  else "%d bytes" % os.path.getsize(path))
        print("crafted %s (%d packets, %s)" % (os.path.relpath(path), len(cap.pkts), detail))
    return 0
