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
import sys

from scapy.all import ICMP, IP, UDP, ICMPv6DestUnreach, IPv6, Raw, TCP

import craftlib
from craftlib import CLI4, CLI6, SRV4, SRV6, Capture, run

REQUEST = b"GET / HTTP/1.0\r\nHost: rstdiag-lab\r\n\r\n"
RESPONSE = (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
            b"Content-Length: 15\r\n\r\nhello from lab\n")


class Conn(craftlib.Conn):
    """craftlib's connection with this file's IP IDs (client from 0x1000,
    server from 0x2000) and the timings of the lab's HTTP/1.0 exchange."""

    def __init__(self, cap, cport, cid=0x1000, sid=0x2000, **kw):
        super().__init__(cap, cport, cid=cid, sid=sid, **kw)

    def handshake(self, dt=100):
        super().handshake(rtt=100, dt=dt, ack_dt=100)

    def http(self):
        self.request(REQUEST)
        self.seg("s", "A", dt=40)
        self.seg("s", "PA", RESPONSE, dt=300)
        self.seg("c", "A", dt=20)

    def server_close(self):
        """Server closes first (HTTP/1.0) and ends in TIME_WAIT."""
        self.close("s", 2400, 4000, 50)

    def normal(self):
        self.handshake()
        self.http()
        self.server_close()


def closed_port(cap, cport, v6=False):
    """SYN to closed port 81 answered by the server kernel with RST/ACK."""
    k = Conn(cap, cport, sport=81, v6=v6, cisn=3000000, cid=0x1100)
    k.syn(dt=200000)
    k.refuse(dt=60)


# ------------------------------------------------------------ captures
def c_time_wait_rst():
    cap = Capture()
    c = Conn(cap, 40000)
    c.normal()
    cap.idle(1000000 - 100)
    # a new SYN on the same 4-tuple 1.0 s later; the server refuses it
    c.syn(seq=c.c.nxt + 250000)
    c.refuse(dt=50)
    return cap


def c_time_wait_ack():
    cap = Capture()
    c = Conn(cap, 40000)
    c.normal()
    old_rcv_nxt, old_snd_nxt = c.c.nxt, c.s.nxt  # server's view in TIME_WAIT
    cap.idle(1000000 - 100)
    # reused 4-tuple, ISN below the old rcv_nxt: TIME_WAIT answers a stale ACK
    new_isn = old_rcv_nxt - 500000
    c.syn(seq=new_isn, advance=False)
    c.seg("s", "A", dt=40, seq=old_snd_nxt, ack=old_rcv_nxt, ipid=0, advance=False)
    # the client (SYN-SENT, unacceptable ACK) resets it: RST, seq = SEG.ACK, no ACK
    c.passive_rst("c", old_rcv_nxt, dt=20)
    # the RST killed the TIME_WAIT; the SYN retransmission 1 s later succeeds
    c.c.nxt, c.s.nxt = new_isn, 3500000
    c.handshake(dt=1000000)
    c.request(b"ping\n")
    c.seg("s", "PA", b"pong\n", dt=100)
    c.close("c", 300, 60, 30)
    return cap


def c_midstream():
    cap = Capture()
    c = Conn(cap, 40002, cisn=5000000, sisn=6000000, cid=0x1200, sid=0x2200)
    c.seg("c", "PA", b"x" * 100)
    c.seg("s", "A", dt=40)
    c.seg("s", "PA", b"y" * 200, dt=1000)
    c.seg("c", "A", dt=40)
    c.seg("c", "PA", b"z" * 50, dt=5000)
    c.seg("s", "A", dt=40)
    # abortive close by the server, full socket: RST/ACK at snd_nxt
    c.active_rst("s", dt=20000)
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
    s, c = conn.s, conn.c
    tcp = TCP(sport=s.port, dport=c.port, flags="RA", seq=s.nxt, ack=c.nxt, window=0)
    if conn.v6:
        ip = IPv6(src=s.addr, dst=c.addr, hlim=s.ttl, fl=s.fl)
    else:
        ip = IP(src=s.addr, dst=c.addr, ttl=s.ttl, id=0, flags="DF")
    return bytes(ip / tcp)


def c_icmp_quoted_rst():
    cap = Capture()
    c = Conn(cap, 40030)
    c.normal()
    err = IP(src=CLI4, dst=SRV4, ttl=64, id=0x1500) / ICMP(type=3, code=3) / Raw(_quoted_rst(c))
    cap.add(err, True, dt=150000)
    return cap


def c_icmp6_quoted_rst():
    cap = Capture()
    c = Conn(cap, 40031, v6=True)
    c.normal()
    err = (IPv6(src=CLI6, dst=SRV6, hlim=64, fl=0x1a118) / ICMPv6DestUnreach(code=4)
           / Raw(_quoted_rst(c)))
    cap.add(err, True, dt=150000)
    return cap


def c_udp_only():
    cap = Capture()
    for i in range(3):
        q = IP(src=CLI4, dst=SRV4, ttl=64, id=0x1600 + i, flags="DF") / UDP(
            sport=50000, dport=7777) / Raw(b"query %d\n" % i)
        r = IP(src=SRV4, dst=CLI4, ttl=63, id=0x2600 + i, flags="DF") / UDP(
            sport=7777, dport=50000) / Raw(b"answer %d\n" % i)
        cap.add(q, True, dt=100000)
        cap.add(r, False, dt=80)
    q6 = IPv6(src=CLI6, dst=SRV6, hlim=64, fl=0x1a118) / UDP(sport=50001, dport=7777) / Raw(
        b"query v6\n")
    r6 = IPv6(src=SRV6, dst=CLI6, hlim=63, fl=0x48009) / UDP(sport=7777, dport=50001) / Raw(
        b"answer v6\n")
    cap.add(q6, True, dt=100000)
    cap.add(r6, False, dt=80)
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


if __name__ == "__main__":
    sys.exit(run(CAPTURES, __doc__))
