#!/usr/bin/python3
"""Deterministic crafted captures for rstdiag (scapy, pcap format).

    craft.py [-o OUTDIR] [NAME...]      default: every capture, into test/captures

Same addresses and MACs as the namespace lab (netlab.sh), seen from the
client's capture point: client packets TTL/hop limit 64, server packets 63.
Fixed timestamps from 1700000000.0, fixed ISNs, IP IDs, flow labels and ports;
running it twice gives byte-identical files. Packet shapes follow what the
real Linux 6.18 lab captures show: SYN/ACK and control-socket RSTs (no socket,
TIME_WAIT, SYN-SENT answers) carry IP ID 0 + DF; full-socket packets count
their own IP ID up; RSTs have window 0 and no options.
"""
import argparse
import os
import sys
from decimal import Decimal

from scapy.all import (GRE, ICMP, IP, UDP, Dot1Q, Ether, ICMPv6DestUnreach, IPv6, Raw, TCP,
                       wrpcap)

T0 = Decimal("1700000000.0")
CLI4, SRV4 = "10.201.1.2", "10.201.2.2"
CLI6, SRV6 = "fd00:201:1::2", "fd00:201:2::2"
MAC_CLI, MAC_RTR = "02:00:0a:c9:01:02", "02:00:0a:c9:01:01"
GRE_CLI, GRE_SRV = "10.201.9.1", "10.201.9.2"  # tunnel ends (outer TTL 200)

REQUEST = b"GET / HTTP/1.0\r\nHost: rstdiag-lab\r\n\r\n"
RESPONSE = (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
            b"Content-Length: 15\r\n\r\nhello from lab\n")
SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7)]


class Capture:
    """Packets with explicit times (microseconds after T0) and L2 framing."""

    def __init__(self, framing="eth"):
        self.framing = framing  # eth | vlan | gre
        self.pkts = []
        self.us = 0
        self.gre_id = {True: 0x3000, False: 0x4000}

    def add(self, l3, from_client, gap_us=100):
        if self.pkts:  # the first packet is at T0 exactly
            self.us += gap_us
        eth = (Ether(src=MAC_CLI, dst=MAC_RTR) if from_client
               else Ether(src=MAC_RTR, dst=MAC_CLI))
        if self.framing == "vlan":
            frame = eth / Dot1Q(vlan=100, prio=0) / l3
        elif self.framing == "gre":
            self.gre_id[from_client] += 1
            outer = IP(src=GRE_CLI if from_client else GRE_SRV,
                       dst=GRE_SRV if from_client else GRE_CLI,
                       ttl=200, id=self.gre_id[from_client], flags="DF")
            frame = eth / outer / GRE() / l3
        else:
            frame = eth / l3
        frame = frame.__class__(bytes(frame))  # freeze lengths and checksums
        frame.time = T0 + Decimal(self.us) / Decimal(1000000)
        self.pkts.append(frame)
        return len(self.pkts)  # frame number

    def idle(self, us):
        self.us += us

    def write(self, path):
        wrpcap(path, self.pkts, linktype=1)


class Conn:
    """One TCP connection as seen at the client: keeps seq/ack and IP IDs."""

    def __init__(self, cap, cport, sport=80, v6=False, cisn=1000000, sisn=2000000,
                 cid=0x1000, sid=0x2000):
        self.cap, self.v6 = cap, v6
        self.c = (CLI6 if v6 else CLI4, cport)
        self.s = (SRV6 if v6 else SRV4, sport)
        self.cnxt, self.snxt = cisn, sisn  # next seq each side will send
        self.cid, self.sid = cid, sid  # next full-socket IP ID each side

    def ip(self, from_client, ipid=None):
        src, dst = (self.c, self.s) if from_client else (self.s, self.c)
        ttl = 64 if from_client else 63
        if self.v6:
            return IPv6(src=src[0], dst=dst[0], hlim=ttl, fl=0x1a118 if from_client else 0x48009)
        if ipid is None:
            if from_client:
                ipid, self.cid = self.cid, self.cid + 1
            else:
                ipid, self.sid = self.sid, self.sid + 1
        return IP(src=src[0], dst=dst[0], ttl=ttl, id=ipid, flags="DF")

    def seg(self, from_client, flags, data=b"", seq=None, ack=None, ipid=None,
            window=None, options=None, gap_us=100, advance=True):
        src, dst = (self.c, self.s) if from_client else (self.s, self.c)
        if seq is None:
            seq = self.cnxt if from_client else self.snxt
        if ack is None:
            ack = (self.snxt if from_client else self.cnxt) if "A" in flags else 0
        if window is None:
            window = 0 if "R" in flags else (502 if from_client else 509)
        tcp = TCP(sport=src[1], dport=dst[1], flags=flags, seq=seq, ack=ack, window=window,
                  options=options or [])
        pkt = self.ip(from_client, ipid) / tcp
        if data:
            pkt = pkt / Raw(data)
        if advance:
            n = len(data) + ("S" in flags) + ("F" in flags)
            if from_client:
                self.cnxt = seq + n
            else:
                self.snxt = seq + n
        return self.cap.add(pkt, from_client, gap_us)

    # building blocks
    def handshake(self, gap_us=100):
        self.seg(True, "S", window=64240, options=SYN_OPTS, gap_us=gap_us)
        self.seg(False, "SA", window=65160, options=SYN_OPTS, ipid=0)
        self.seg(True, "A")

    def http(self):
        self.seg(True, "PA", REQUEST, gap_us=200)
        self.seg(False, "A", gap_us=40)
        self.seg(False, "PA", RESPONSE, gap_us=300)
        self.seg(True, "A", gap_us=20)

    def server_close(self):
        """Server closes first (HTTP/1.0) and ends in TIME_WAIT."""
        self.seg(False, "FA", gap_us=2400)
        self.seg(True, "FA", gap_us=4000)
        self.seg(False, "A", gap_us=50)

    def normal(self):
        self.handshake()
        self.http()
        self.server_close()


def closed_port(cap, cport, v6=False):
    """SYN to closed port 81 answered by the server kernel with RST/ACK."""
    k = Conn(cap, cport, sport=81, v6=v6, cisn=3000000, cid=0x1100)
    k.seg(True, "S", window=64240, options=SYN_OPTS, gap_us=200000)
    k.seg(False, "RA", seq=0, ack=k.cnxt, ipid=0, gap_us=60, advance=False)


# ------------------------------------------------------------ captures
def c_time_wait_rst():
    cap = Capture()
    c = Conn(cap, 40000)
    c.normal()
    cap.idle(1000000 - 100)
    # a new SYN on the same 4-tuple 1.0 s later; the server refuses it
    c.seg(True, "S", seq=c.cnxt + 250000, window=64240, options=SYN_OPTS)
    c.seg(False, "RA", seq=0, ack=c.cnxt, ipid=0, gap_us=50, advance=False)
    return cap


def c_time_wait_ack():
    cap = Capture()
    c = Conn(cap, 40000)
    c.normal()
    old_rcv_nxt, old_snd_nxt = c.cnxt, c.snxt  # server's view in TIME_WAIT
    cap.idle(1000000 - 100)
    # reused 4-tuple, ISN below the old rcv_nxt: TIME_WAIT answers a stale ACK
    new_isn = old_rcv_nxt - 500000
    c.seg(True, "S", seq=new_isn, window=64240, options=SYN_OPTS, advance=False)
    c.seg(False, "A", seq=old_snd_nxt, ack=old_rcv_nxt, ipid=0, gap_us=40, advance=False)
    # the client (SYN-SENT, unacceptable ACK) resets it: RST, seq = SEG.ACK, no ACK
    c.seg(True, "R", seq=old_rcv_nxt, ack=0, ipid=0, gap_us=20, advance=False)
    # the RST killed the TIME_WAIT; the SYN retransmission 1 s later succeeds
    c.cnxt, c.snxt = new_isn, 3500000
    c.handshake(gap_us=1000000)
    c.seg(True, "PA", b"ping\n", gap_us=200)
    c.seg(False, "PA", b"pong\n", gap_us=100)
    c.seg(True, "FA", gap_us=300)
    c.seg(False, "FA", gap_us=60)
    c.seg(True, "A", gap_us=30)
    return cap


def c_midstream():
    cap = Capture()
    c = Conn(cap, 40002, cisn=5000000, sisn=6000000, cid=0x1200, sid=0x2200)
    c.seg(True, "PA", b"x" * 100)
    c.seg(False, "A", gap_us=40)
    c.seg(False, "PA", b"y" * 200, gap_us=1000)
    c.seg(True, "A", gap_us=40)
    c.seg(True, "PA", b"z" * 50, gap_us=5000)
    c.seg(False, "A", gap_us=40)
    # abortive close by the server, full socket: RST/ACK at snd_nxt
    c.seg(False, "RA", gap_us=20000, advance=False)
    return cap


def c_tunnel_gre():
    cap = Capture("gre")
    Conn(cap, 40010).normal()
    closed_port(cap, 40011)
    return cap


def c_vlan():
    cap = Capture("vlan")
    Conn(cap, 40020).normal()
    closed_port(cap, 40021)
    return cap


def _quoted_rst(conn):
    """IP+TCP header of a RST/ACK the server sent on conn (as it reached the
    client: TTL/hop limit 63), as bytes for an ICMP error's payload."""
    tcp = TCP(sport=conn.s[1], dport=conn.c[1], flags="RA", seq=conn.snxt, ack=conn.cnxt,
              window=0)
    if conn.v6:
        ip = IPv6(src=conn.s[0], dst=conn.c[0], hlim=63, fl=0x48009)
    else:
        ip = IP(src=conn.s[0], dst=conn.c[0], ttl=63, id=0, flags="DF")
    return bytes(ip / tcp)


def c_icmp_quoted_rst():
    cap = Capture()
    c = Conn(cap, 40030)
    c.normal()
    err = IP(src=CLI4, dst=SRV4, ttl=64, id=0x1500) / ICMP(type=3, code=3) / Raw(_quoted_rst(c))
    cap.add(err, True, gap_us=150000)
    return cap


def c_icmp6_quoted_rst():
    cap = Capture()
    c = Conn(cap, 40031, v6=True)
    c.normal()
    err = (IPv6(src=CLI6, dst=SRV6, hlim=64, fl=0x1a118) / ICMPv6DestUnreach(code=4)
           / Raw(_quoted_rst(c)))
    cap.add(err, True, gap_us=150000)
    return cap


def c_udp_only():
    cap = Capture()
    for i in range(3):
        q = IP(src=CLI4, dst=SRV4, ttl=64, id=0x1600 + i, flags="DF") / UDP(
            sport=50000, dport=7777) / Raw(b"query %d\n" % i)
        r = IP(src=SRV4, dst=CLI4, ttl=63, id=0x2600 + i, flags="DF") / UDP(
            sport=7777, dport=50000) / Raw(b"answer %d\n" % i)
        cap.add(q, True, gap_us=100000)
        cap.add(r, False, gap_us=80)
    q6 = IPv6(src=CLI6, dst=SRV6, hlim=64, fl=0x1a118) / UDP(sport=50001, dport=7777) / Raw(
        b"query v6\n")
    r6 = IPv6(src=SRV6, dst=CLI6, hlim=63, fl=0x48009) / UDP(sport=7777, dport=50001) / Raw(
        b"answer v6\n")
    cap.add(q6, True, gap_us=100000)
    cap.add(r6, False, gap_us=80)
    return cap


CAPTURES = {
    "time-wait-rst": c_time_wait_rst,
    "time-wait-ack": c_time_wait_ack,
    "midstream": c_midstream,
    "tunnel-gre": c_tunnel_gre,
    "vlan": c_vlan,
    "icmp-quoted-rst": c_icmp_quoted_rst,
    "icmp6-quoted-rst": c_icmp6_quoted_rst,
    "udp-only": c_udp_only,
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
        path = os.path.join(a.outdir, n + ".pcap")
        cap.write(path)
        print("crafted %s (%d packets, %d bytes)" % (os.path.relpath(path), len(cap.pkts),
                                                      os.path.getsize(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
