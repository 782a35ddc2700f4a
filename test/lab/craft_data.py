#!/usr/bin/python3
"""Deterministic crafted captures of RST fingerprints from the literature (scapy, pcap).

    craft_data.py [-o OUTDIR] [NAME...]     default: every capture, into test/captures

Writes NAME.pcap and NAME.truth.tsv (frame, cause, sender, note: one row per
packet whose TCP header has RST). Seen from the client's link, like the
namespace lab (netlab.sh): client 10.201.1.2 / fd00:201:1::2 sends with TTL 64,
the server 10.201.2.2 / fd00:201:2::2 arrives with 63; devices in the path
(router, load balancer, NetScaler, injectors) use other TTLs. Fixed times from
1700000000.0, fixed ISNs, ports, IP IDs, flow labels, MACs: two runs give
byte-identical files. Shapes (Linux): full-socket packets count their own IP ID
up (client from 12000, server from 30000), SYN/ACK and passive RSTs have IP ID
0 + DF, active RSTs are RST/ACK at snd_nxt/rcv_nxt with window 0. See
README-data.md for the scenarios and their sources.
"""
import argparse
import hashlib
import os
import struct
import sys
from decimal import Decimal

from scapy.all import IP, Ether, IPv6, Raw, TCP, wrpcap

T0 = Decimal("1700000000.0")
CLI4, SRV4 = "10.201.1.2", "10.201.2.2"
CLI6, SRV6 = "fd00:201:1::2", "fd00:201:2::2"
MAC_CLI, MAC_RTR = "02:00:0a:c9:01:02", "02:00:0a:c9:01:01"

LINUX_SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7)]
WIN_SYNACK_OPTS = [("MSS", 1460), ("NOP", None), ("WScale", 8), ("NOP", None), ("NOP", None),
                   ("SAckOK", b"")]

MS = 1000  # microseconds
S = 1000000


def prng(label, n):
    """n deterministic pseudo-random bytes (fixed by label)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s/%d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


def http_request(path, size=None, host="rstdiag-lab"):
    head = "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n" \
           "Accept: */*\r\n" % (path, host)
    if size is None:
        return (head + "\r\n").encode()
    fixed = len(head) + len("Cookie: sid=\r\n\r\n")
    pad = size - fixed
    assert pad > 0, "request too small for %d" % size
    sid = prng("cookie" + path, pad).hex()[:pad]
    req = (head + "Cookie: sid=%s\r\n\r\n" % sid).encode()
    assert len(req) == size
    return req


def http_response(body_len, label, extra=b""):
    body = (prng(label, body_len).hex()[:body_len]).encode()
    head = (b"HTTP/1.1 200 OK\r\nServer: lab\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\n" % body_len) + extra + b"\r\n"
    return head + body


def chunks(data, size=1460):
    return [data[i:i + size] for i in range(0, len(data), size)]


# ------------------------------------------------------------ capture model
class Capture:
    """Ethernet frames with explicit times (microseconds after T0) and truth rows."""

    def __init__(self):
        self.pkts = []
        self.truth = []  # (frame, cause, sender, note)
        self.now = 0

    def add(self, l3, toward_server, at=None, dt=100, mac_src=None, truth=None):
        if at is not None:
            assert at >= self.now, "time runs backwards at frame %d" % (len(self.pkts) + 1)
            self.now = at
        elif self.pkts:  # the first packet is at T0 exactly
            self.now += dt
        if toward_server:
            eth = Ether(src=mac_src or MAC_CLI, dst=MAC_RTR)
        else:
            eth = Ether(src=mac_src or MAC_RTR, dst=MAC_CLI)
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

    def write(self, base):
        self.check()
        wrpcap(base + ".pcap", self.pkts, linktype=1)
        with open(base + ".truth.tsv", "w", newline="\n") as f:
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
    def syn(self, at=None, dt=100):
        return self.seg("c", "S", at=at, dt=dt, window=64240, options=LINUX_SYN_OPTS)

    def handshake(self, rtt=20 * MS, at=None, dt=100, synack_opts=None, synack_win=65160):
        self.syn(at=at, dt=dt)
        ipid = self.synack_ipid
        self.seg("s", "SA", dt=rtt, window=synack_win, options=synack_opts or LINUX_SYN_OPTS,
                 ipid=ipid if not self.v6 else None)
        self.seg("c", "A", dt=60)

    def passive_rst(self, who, trigger_ack, dt, truth):
        """Linux control-socket reset: RST only, seq = trigger's ACK, IP ID 0, DF."""
        return self.seg(who, "R", dt=dt, seq=trigger_ack, ack=0, ipid=0, advance=False,
                        truth=truth)

    def active_rst(self, who, dt, truth, data=b"", **kw):
        """Full-socket reset: RST/ACK, seq = snd_nxt, ack = rcv_nxt, window 0."""
        return self.seg(who, "RA", data, dt=dt, advance=False, truth=truth, **kw)

    def exchange(self, req, resp, rtt=20 * MS, dt=200):
        """Request, server's ACK-carrying response segments, client ACKs (one per 2)."""
        self.seg("c", "PA", req, dt=dt)
        segs = chunks(resp)
        for i, d in enumerate(segs):
            last = i == len(segs) - 1
            self.seg("s", "PA" if last else "A", d, dt=rtt if i == 0 else 120)
            if i % 2 == 1 or last:
                self.seg("c", "A", dt=40)

    def close_client_first(self, rtt=20 * MS, dt=5 * MS):
        self.seg("c", "FA", dt=dt)
        self.seg("s", "FA", dt=rtt)
        self.seg("c", "A", dt=50)

    def close_server_first(self, rtt=20 * MS, dt=5 * MS):
        self.seg("s", "FA", dt=dt)
        self.seg("c", "FA", dt=200)
        self.seg("s", "A", dt=rtt)


REQ = http_request("/index.html")
RESP = http_response(120, "resp")


# ------------------------------------------------------------ scenarios
def c_retrans_limit_windows():
    """Windows-like server (TTL 128 -> 127, global IP IDs) gives up after 5
    retransmissions (TcpMaxDataRetransmissions) and resets."""
    cap = Capture()
    c = Conn(cap, 41000, cisn=1100000000, sisn=3100000000, sttl=127, swin=1026,
             sid=0x4a10, s_ipid_steps=[3, 1, 7, 2, 5, 1, 4, 9, 2, 6], synack_ipid=None)
    c.handshake(synack_opts=WIN_SYNACK_OPTS, synack_win=65535)
    c.seg("c", "PA", http_request("/report.csv"), dt=300)
    resp = http_response(3400, "report", b"Content-Disposition: attachment\r\n")
    segs = chunks(resp)
    assert len(segs) == 3
    first_seq = c.s.nxt
    c.seg("s", "A", segs[0], dt=20 * MS)
    c.seg("s", "A", segs[1], dt=80)
    c.seg("s", "PA", segs[2], dt=80)
    # the client falls silent; the first unacknowledged segment is retransmitted
    rto = 300 * MS
    gap = rto - 160
    for _ in range(5):
        c.seg("s", "A", segs[0], dt=gap, seq=first_seq, advance=False)
        rto *= 2
        gap = rto
    c.active_rst("s", dt=rto, truth=(
        "retransmission-limit", "server",
        "Windows-like server (TTL 127, global IP IDs) resets 9.6 s after its 5th "
        "retransmission of the first unacknowledged segment (RTO 0.3-4.8 s); seq = snd_nxt"))
    return cap


def c_idle_endpoint():
    cap = Capture()
    c = Conn(cap, 41010, cisn=1110000000, sisn=3110000000)
    c.handshake()
    c.exchange(REQ, RESP)
    c.active_rst("s", dt=300 * S, truth=(
        "idle-timeout", "server",
        "server's own RST/ACK after 300 s of silence (application idle timeout, "
        "SO_LINGER 0): TTL 63, IP ID continuing, seq exact"))
    return cap


def c_idle_middlebox():
    cap = Capture()
    # A: load balancer behind the capture point (router side) resets the client
    a = Conn(cap, 41020, cisn=1120000000, sisn=3120000000)
    a.handshake()
    a.exchange(REQ, RESP)
    a.forge("s", "RA", seq=a.s.nxt, ack=a.c.nxt, ttl=64, window=0, ipid=0x6e2f,
            dt=300 * S, truth=(
                "idle-timeout", "server",
                "load balancer (1 hop, TTL 64 vs the server's 63) resets the client in the "
                "server's name after 300 s idle, exact seq (its RST to the server is not on "
                "this link)"))
    # B: load balancer between the client and the capture point resets the server
    b = Conn(cap, 41021, cisn=1121000000, sisn=3121000000, cid=12500, sid=30500)
    b.handshake(dt=2 * S)
    b.exchange(http_request("/status"), http_response(80, "status"))
    b.forge("c", "RA", seq=b.c.nxt, ack=b.s.nxt, ttl=255, window=0, ipid=0x1c03,
            dt=300 * S, truth=(
                "idle-timeout", "client",
                "load balancer in front of the capture point resets the server in the "
                "client's name after 300 s idle, TTL 255 vs the client's 64, exact seq"))
    return cap


def c_gfw_2006():
    """Clayton, Murdoch, Watson 2006: keyword in a GET -> 3 RST/ACK to each
    end, seq +0, +1460, +4380. The client drops RSTs (as in the paper), so the
    real reply is taken."""
    cap = Capture()
    c = Conn(cap, 41030, cisn=1130000000, sisn=3130000000)
    c.handshake(rtt=40 * MS)
    get = http_request("/search?q=falun+gong", size=300, host="www.example.cn")
    t = cap.now + 200
    c.seg("c", "PA", get, at=t)
    base = c.s.nxt
    inj = [(0, 5000, 0x9c3e, 2345), (1460, 5180, 0x2d71, 17829), (4380, 5390, 0xd3a5, 9022)]
    for i, (off, us, ipid, win) in enumerate(inj, 1):
        c.forge("s", "RA", seq=base + off, ack=c.c.nxt, ttl=47, window=win, ipid=ipid,
                at=t + us, truth=(
                    "injected", "server",
                    "GFW 2006 burst %d/3 on the keyword in the GET: TTL 47 vs the server's 63, "
                    "seq = server's next +%d, %.2f ms after the GET (RTT 40 ms)"
                    % (i, off, us / 1000)))
    resp = http_response(400, "cn")
    c.seg("s", "PA", resp, at=t + 40 * MS)
    c.seg("c", "A", dt=40)
    c.close_client_first(rtt=40 * MS)
    return cap


def tls_client_hello(sni, size=200):
    rnd = prng("ch-random", 32)
    sid = prng("ch-sid", 32)
    name = sni.encode()
    exts = b""
    sn = struct.pack("!BH", 0, len(name)) + name
    exts += struct.pack("!HH", 0x0000, len(sn) + 2) + struct.pack("!H", len(sn)) + sn
    exts += struct.pack("!HHB", 0x002b, 3, 2) + b"\x03\x04"
    exts += struct.pack("!HHH", 0x000a, 4, 2) + b"\x00\x1d"
    exts += struct.pack("!HHH", 0x000d, 6, 4) + b"\x04\x03\x08\x04"
    ks = struct.pack("!HH", 0x001d, 32) + prng("ch-key", 32)
    exts += struct.pack("!HHH", 0x0033, len(ks) + 2, len(ks)) + ks

    def build(exts):
        body = (b"\x03\x03" + rnd + bytes([32]) + sid + struct.pack("!H", 6)
                + b"\x13\x01\x13\x02\x13\x03" + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
        hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
        return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs

    pad = size - len(build(exts)) - 4
    assert pad >= 0
    exts += struct.pack("!HH", 0x0015, pad) + bytes(pad)
    rec = build(exts)
    assert len(rec) == size
    return rec


def tls_server_flight(app_len=1000):
    sid = prng("ch-sid", 32)
    ks = struct.pack("!HH", 0x001d, 32) + prng("sh-key", 32)
    exts = struct.pack("!HHH", 0x002b, 2, 0x0304) + struct.pack("!HH", 0x0033, len(ks)) + ks
    body = (b"\x03\x03" + prng("sh-random", 32) + bytes([32]) + sid + b"\x13\x01\x00"
            + struct.pack("!H", len(exts)) + exts)
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    sh = b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs
    ccs = b"\x14\x03\x03\x00\x01\x01"
    app = b"\x17\x03\x03" + struct.pack("!H", app_len) + prng("sh-app", app_len)
    return sh + ccs + app


def c_gfw_2023():
    """net4people/bbs #285: the SYN to 1.1.1.1:443 drew 3 RST/ACK (seq 0, ack
    ISN+1) 8 ms later, TTL 65/66/67, window 4229/4230/4231; the real SYN/ACK
    at 248 ms with TTL 47. The client ignores the RSTs."""
    cap = Capture()
    rtt = 248 * MS
    c = Conn(cap, 41040, sport=443, cisn=1140000000, sisn=3140000000, sttl=47)
    c.syn()
    for i in range(3):
        c.forge("s", "RA", seq=0, ack=c.cisn + 1, ttl=65 + i, window=4229 + i,
                ipid=[0x5b1c, 0xe402, 0x3187][i], at=8 * MS + i * 60, truth=(
                    "injected", "server",
                    "GFW 2023 burst %d/3 answering the SYN 8 ms after it (real RTT 248 ms): "
                    "seq 0, TTL %d vs the server's 47, window %d" % (i + 1, 65 + i, 4229 + i)))
    c.seg("s", "SA", at=rtt, window=65160, options=LINUX_SYN_OPTS, ipid=0)
    c.seg("c", "A", dt=60)
    c.seg("c", "PA", tls_client_hello("one.one.one.one"), dt=150)
    c.seg("s", "A", dt=rtt)
    flight = chunks(tls_server_flight())
    for i, d in enumerate(flight):
        c.seg("s", "PA" if i == len(flight) - 1 else "A", d, dt=300)
    c.seg("c", "A", dt=40)
    return cap


def bypass_after_synack(v6):
    cap = Capture()
    c = Conn(cap, 41050, v6=v6, cisn=1150000000, sisn=3150000000)
    c.handshake()
    synack_t = cap.now - 60
    c.forge("s", "R", seq=c.sisn + 1, ack=0, ttl=52, window=6321, ipid=54321,
            at=synack_t + 2 * MS, truth=(
                "injected", "server",
                "bypass injector, 2 ms after the SYN/ACK: RST without ACK, %s 52 vs the "
                "server's 63, seq = server ISN+1; the real server keeps sending"
                % ("hop limit" if v6 else "TTL")))
    c.seg("c", "PA", REQ, dt=3 * MS)
    c.seg("s", "A", dt=20 * MS)
    c.seg("s", "PA", http_response(1200, "bypass"), dt=300)
    c.seg("c", "A", dt=40)
    c.close_client_first()
    return cap


def c_bypass_after_synack():
    return bypass_after_synack(False)


def c_bypass_after_synack_v6():
    return bypass_after_synack(True)


def diag_payload(code, pen=0):
    """draft-ietf-tcpm-rst-diagnostic-payload: 0x33AA | reason (16) | PEN (32)."""
    return struct.pack("!HHI", 0x33AA, code, pen)


def c_rst_diag_payload():
    cap = Capture()
    # 1: request answered by the server's RST/ACK, reason 14 (connection timeout)
    a = Conn(cap, 41060, cisn=1160000000, sisn=3160000000)
    a.handshake()
    a.seg("c", "PA", REQ, dt=200)
    a.active_rst("s", dt=20 * MS, data=diag_payload(14), truth=(
        "idle-timeout", "server",
        "server's RST/ACK answering the request, diagnostic payload 0x33AA reason 14 "
        "(connection timeout) PEN 0; TTL 63, seq exact"))
    # 2: SYN refused with reason 9 (not authorized)
    b = Conn(cap, 41061, cisn=1161000000, sisn=3161000000, cid=12500, sid=30500)
    b.syn(dt=1 * S)
    b.seg("s", "RA", diag_payload(9), dt=20 * MS, seq=0, ack=b.c.nxt, ipid=0, advance=False,
          truth=("firewall-reject", "server",
                 "RST/ACK answering the SYN, diagnostic payload 0x33AA reason 9 "
                 "(not authorized) PEN 0"))
    # 3: F5-style reset cause text after a short exchange
    c = Conn(cap, 41062, cisn=1162000000, sisn=3162000000, cid=13000, sid=31000)
    c.handshake(dt=1 * S)
    c.exchange(REQ, RESP)
    c.active_rst("s", dt=150 * MS, data=b"BIG-IP: [0x2409d71:704] Idle timeout (300)", truth=(
        "idle-timeout", "server",
        "RST/ACK 150 ms after the exchange carrying the F5 BIG-IP reset cause text "
        "'Idle timeout (300)'; seq exact"))
    return cap


def c_netscaler_codes():
    """Citrix NetScaler (CTX200852) puts a reset code in the RST's window."""
    cap = Capture()
    # a: 10 s idle, window 9300 (idle timeout)
    a = Conn(cap, 41070, cisn=1170000000, sisn=3170000000)
    a.handshake()
    a.exchange(REQ, RESP)
    a.forge("s", "RA", seq=a.s.nxt, ack=a.c.nxt, ttl=64, window=9300, ipid=0x7a01,
            dt=10 * S, truth=(
                "idle-timeout", "server",
                "NetScaler (TTL 64) after 10 s idle, window 9300 = idle timeout code, "
                "exact seq"))
    # b: SYN answered with window 9830 (ACL deny)
    b = Conn(cap, 41071, cisn=1171000000, sisn=3171000000, cid=12500, sid=30500)
    b.syn(dt=1 * S)
    b.forge("s", "RA", seq=0, ack=b.c.nxt, ttl=64, window=9830, ipid=0x7a02, dt=1200,
            truth=("firewall-reject", "server",
                   "NetScaler (TTL 64) refuses the SYN, window 9830 = ACL deny code"))
    # c: data on a connection the NetScaler no longer knows, window 8201
    c = Conn(cap, 41072, cisn=1172000000, sisn=3172000000, cid=13000, sid=31000)
    c.handshake(dt=1 * S)
    c.exchange(REQ, RESP)
    c.seg("c", "PA", http_request("/next"), dt=5 * S)
    c.forge("s", "RA", seq=c.s.nxt, ack=c.c.nxt, ttl=64, window=8201, ipid=0x7a03, dt=1200,
            truth=("no-socket", "server",
                   "NetScaler (TTL 64) answers the client's data, window 8201 = stray "
                   "packet / no connection code; seq = the data's ACK"))
    return cap


def c_fp_challenge_ack():
    """RFC 5961 3.2: inexact in-window RST -> challenge ACK -> exact RST."""
    cap = Capture()
    c = Conn(cap, 41080, cisn=1180000000, sisn=3180000000)
    c.handshake()
    c.exchange(REQ, http_response(2000, "chal"))
    c.seg("c", "RA", dt=500 * MS, seq=c.c.nxt + 1000, advance=False, truth=(
        "abort", "client",
        "client's RST/ACK with in-window but inexact seq (next + 1000): draws a challenge ACK"))
    c.seg("s", "A", dt=20 * MS)  # challenge ACK: seq = snd_nxt, ack = rcv_nxt
    c.passive_rst("c", c.c.nxt, dt=50, truth=(
        "no-socket", "client",
        "client (no socket left) answers the challenge ACK: RST, seq = its ACK, IP ID 0"))
    return cap


def c_fp_route_change():
    cap = Capture()
    c = Conn(cap, 41090, cisn=1190000000, sisn=3190000000)
    c.handshake()
    for i in range(6):
        if i == 3:
            c.s.ttl = 62  # route change: one more hop from now on
        if i < 5:
            c.exchange(http_request("/item/%d" % i), http_response(2600, "item%d" % i),
                       dt=800 * MS if i else 200)
        else:
            c.seg("c", "PA", http_request("/item/%d" % i), dt=800 * MS)
            resp = http_response(8000, "item5")
            c.seg("s", "A", resp[:1460], dt=20 * MS)
            c.seg("s", "A", resp[1460:2920], dt=120)
            c.seg("c", "A", dt=40)
    c.active_rst("s", dt=30 * MS, truth=(
        "abort", "server",
        "server aborts mid-response (2920 of 8000+ bytes sent); TTL 62 like all its "
        "packets since the route change, IP ID continuing, seq exact"))
    return cap


def c_fp_reorder():
    cap = Capture()
    c = Conn(cap, 41100, cisn=1200000000, sisn=3200000000)
    c.handshake()
    c.seg("c", "PA", http_request("/stream"), dt=200)
    resp = http_response(4000, "reorder")
    segs = chunks(resp)
    c.seg("s", "A", segs[0], dt=20 * MS)
    c.seg("s", "A", segs[1], dt=120)
    c.seg("c", "A", dt=40)
    # the server sends its last segment and resets right away; the network swaps them
    last_seq, last_id = c.s.nxt, c.s.take_ipid()
    c.s.nxt += len(segs[2])
    c.active_rst("s", dt=50 * MS, truth=(
        "abort", "server",
        "server's RST/ACK (seq after its last data) overtook that data segment by 0.2 ms; "
        "the late segment's seq is below the RST's"))
    c.seg("s", "PA", segs[2], dt=200, seq=last_seq, ipid=last_id, advance=False)
    return cap


def c_fp_linux_passive():
    cap = Capture()
    c = Conn(cap, 41110, cisn=1210000000, sisn=3210000000)
    c.handshake()
    c.exchange(REQ, RESP)
    c.seg("s", "FA", dt=2 * MS)
    c.seg("c", "A", dt=40 * MS)  # delayed ACK of the FIN
    c.seg("c", "PA", b"one more line please\r\n", dt=200 * MS)
    c.passive_rst("s", c.s.nxt, dt=20 * MS, truth=(
        "data-after-close", "server",
        "server had sent FIN; the client's later data draws the Linux passive reset "
        "(RST only, seq = the data's ACK, IP ID 0)"))
    return cap


def c_fp_inflight_burst():
    cap = Capture()
    c = Conn(cap, 41120, cisn=1220000000, sisn=3220000000)
    c.handshake()
    c.exchange(REQ, RESP)
    # the client uploads 4 segments; the server's FIN (sent before they reached it) crosses them
    ack = c.s.nxt
    t = cap.now + 2 * S
    for i in range(4):
        c.seg("c", "PA" if i == 3 else "A", prng("upload%d" % i, 1000), at=t + i * 100)
    c.seg("s", "FA", at=t + 3 * MS, ack=c.cisn + 1 + len(REQ))
    for i in range(4):
        c.passive_rst("s", ack, dt=20 * MS - 3 * MS if i == 0 else 100, truth=(
            "data-after-close", "server",
            "server had sent FIN; passive reset %d/4 for the client's in-flight data "
            "segment %d, seq = its ACK (same for all), IP ID 0" % (i + 1, i + 1)))
    return cap


def c_fast_close_crafted():
    cap = Capture()
    c = Conn(cap, 41130, cisn=1230000000, sisn=3230000000)
    c.handshake()
    c.exchange(REQ, RESP)
    c.seg("s", "FA", dt=2 * MS)
    c.seg("c", "FA", dt=200)
    c.active_rst("s", dt=20 * MS, truth=(
        "fast-close", "server",
        "server answers the client's FIN with RST/ACK (seq = snd_nxt after its FIN) "
        "instead of the last ACK"))
    return cap


def c_abort_linger():
    cap = Capture()
    c = Conn(cap, 41140, cisn=1240000000, sisn=3240000000)
    c.handshake()
    c.seg("c", "PA", http_request("/big.iso"), dt=200)
    resp = http_response(20000, "big")
    c.seg("s", "A", resp[:1460], dt=20 * MS)
    c.seg("s", "A", resp[1460:2920], dt=120)
    c.seg("c", "A", dt=40)
    c.active_rst("c", dt=50 * MS, truth=(
        "abort", "client",
        "client closes with SO_LINGER 0 after 2920 bytes of the response: RST/ACK, "
        "TTL 64, IP ID continuing, seq exact"))
    return cap


CAPTURES = {
    "retrans-limit-windows": c_retrans_limit_windows,
    "idle-endpoint": c_idle_endpoint,
    "idle-middlebox": c_idle_middlebox,
    "gfw-2006": c_gfw_2006,
    "gfw-2023": c_gfw_2023,
    "bypass-after-synack": c_bypass_after_synack,
    "bypass-after-synack-v6": c_bypass_after_synack_v6,
    "rst-diag-payload": c_rst_diag_payload,
    "netscaler-codes": c_netscaler_codes,
    "fp-challenge-ack": c_fp_challenge_ack,
    "fp-route-change": c_fp_route_change,
    "fp-reorder": c_fp_reorder,
    "fp-linux-passive": c_fp_linux_passive,
    "fp-inflight-burst": c_fp_inflight_burst,
    # "fast-close" is taken by the real-stack capture (client fast close)
    "fast-close-crafted": c_fast_close_crafted,
    "abort-linger": c_abort_linger,
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--outdir", default=os.path.join(here, "..", "captures"))
    ap.add_argument("names", nargs="*", help="default: %s" % " ".join(CAPTURES))
    a = ap.parse_args()
    names = a.names or list(CAPTURES)
    os.makedirs(a.outdir, exist_ok=True)
    for n in names:
        fn = CAPTURES.get(n)
        if fn is None:
            ap.error("unknown capture %s (known: %s)" % (n, " ".join(CAPTURES)))
        cap = fn()
        base = os.path.join(a.outdir, n)
        cap.write(base)
        print("crafted %s.pcap (%d packets, %d RSTs)" % (os.path.relpath(base), len(cap.pkts),
                                                         len(cap.truth)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
