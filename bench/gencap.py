#!/usr/bin/env python3
"""Deterministic benchmark captures for rstdiag (raw pcap, no dependencies).

  gencap.py mixed  OUT.pcap [--scale N]   ~400k*N packets: thousands of interleaved
                                          conversations, ~20% ending in RSTs of several kinds
  gencap.py rst-flood OUT.pcap [--count N]  one conversation carrying N RSTs with changing seq
  gencap.py tuple-reuse OUT.pcap [--count N] N short conversations on one 4-tuple
"""
import argparse
import heapq
import random
import struct

ETH = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.count = 0

    def packet(self, ts, src, dst, sport, dport, flags, seq, ack, payload=0, ttl=64, ipid=0, win=64240):
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          5 << 4, flags, win, 0, 0)
        total = 20 + len(tcp) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ipid & 0xFFFF, 0x4000, ttl, 6, 0,
                         src, dst)
        frame = ETH + ip + tcp + b"\x00" * payload
        sec = int(ts)
        self.f.write(struct.pack("<IIII", sec, int((ts - sec) * 1e6), len(frame), len(frame)))
        self.f.write(frame)
        self.count += 1

    def close(self):
        self.f.close()


def addr(n):
    return bytes([10, (n >> 16) & 255, (n >> 8) & 255, n & 255])


def conversation(rng, i, start):
    """The packets of one conversation: (ts, src, dst, sport, dport, flags, seq, ack, len, ttl, ipid)."""
    c, s = addr(0x010000 + i % 4000), addr(0x020000 + i % 300)
    cp, sp = 20000 + i % 40000, rng.choice((80, 443, 8080))
    cseq, sseq = rng.getrandbits(32), rng.getrandbits(32)
    rtt = rng.uniform(0.001, 0.05)
    t = start
    kind = rng.random()
    out = []

    def pkt(frm_client, flags, length=0, seq=None, ttl=None, ipid=None):
        nonlocal t
        t += rng.uniform(0.0001, rtt)
        if frm_client:
            out.append((t, c, s, cp, sp, flags, cseq if seq is None else seq, sseq, length,
                        ttl or 64, ipid if ipid is not None else (i * 7 + len(out)) & 0xFFFF))
        else:
            out.append((t, s, c, sp, cp, flags, sseq if seq is None else seq, cseq, length,
                        ttl or 63, ipid if ipid is not None else (i * 11 + len(out)) & 0xFFFF))

    if kind < 0.04:                                 # port closed
        pkt(True, SYN)
        cseq += 1
        pkt(False, RST | ACK, seq=0, ipid=0)
        return out
    if kind < 0.06:                                 # SYN scan
        pkt(True, SYN, ttl=rng.randint(40, 60))
        cseq += 1
        pkt(False, SYN | ACK)
        sseq += 1
        pkt(True, RST, ipid=0)
        return out
    pkt(True, SYN)
    cseq += 1
    pkt(False, SYN | ACK)
    sseq += 1
    pkt(True, ACK)
    for _ in range(rng.randint(10, 40)):            # request / response rounds
        n = rng.randint(50, 600)
        pkt(True, PSH | ACK, n)
        cseq += n
        for _ in range(rng.randint(1, 3)):
            m = 1448
            pkt(False, ACK, m)
            sseq += m
        pkt(True, ACK)
    if kind < 0.12:                                 # abort
        pkt(True, RST | ACK)
    elif kind < 0.15:                               # no socket: server forgot
        pkt(True, PSH | ACK, 100)
        pkt(False, RST, seq=sseq, ipid=0)
    elif kind < 0.17:                               # injected burst
        for k, off in enumerate((0, 1460, 4380)):
            pkt(False, RST | ACK, seq=sseq + off, ttl=47, ipid=4242)
        pkt(False, PSH | ACK, 500)
    elif kind < 0.20:                               # fast close
        pkt(False, FIN | ACK)
        sseq += 1
        pkt(True, FIN | ACK)
        cseq += 1
        pkt(False, RST | ACK)
    else:                                           # clean close
        pkt(False, FIN | ACK)
        sseq += 1
        pkt(True, FIN | ACK)
        cseq += 1
        pkt(False, ACK)
    return out


def mixed(path, scale):
    rng = random.Random(20261123)
    conversations = 4000 * scale
    duration = 900.0 * scale
    starts = sorted(rng.uniform(0, duration) for _ in range(conversations))
    w = Writer(path)
    streams = (conversation(random.Random(rng.getrandbits(64)), i, 1700000000.0 + t)
               for i, t in enumerate(starts))
    for p in heapq.merge(*[iter(s) for s in streams]):
        t, src, dst, sp, dp, flags, seq, ack, length, ttl, ipid = p
        w.packet(t, src, dst, sp, dp, flags, seq, ack, length, ttl, ipid)
    w.close()
    return w.count


def rst_flood(path, count):
    w = Writer(path)
    c, s, t = addr(0x010001), addr(0x020001), 1700000000.0
    w.packet(t, c, s, 40000, 80, SYN, 1000, 0)
    w.packet(t + 0.01, s, c, 80, 40000, SYN | ACK, 5000, 1001, ttl=63)
    w.packet(t + 0.02, c, s, 40000, 80, ACK, 1001, 5001)
    for k in range(count):
        w.packet(t + 0.03 + k * 1e-5, s, c, 80, 40000, RST | ACK, 5001 + 1460 * k, 1001,
                 ttl=40 + k % 20, ipid=k)
    w.close()
    return w.count


def tuple_reuse(path, count):
    w = Writer(path)
    c, s, t = addr(0x010001), addr(0x020001), 1700000000.0
    for k in range(count):
        base = t + k * 0.01
        isn = (k * 7919) & 0xFFFFFFFF
        w.packet(base, c, s, 40000, 80, SYN, isn, 0)
        w.packet(base + 0.001, s, c, 80, 40000, RST | ACK, 0, isn + 1, ttl=63)
    w.close()
    return w.count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=("mixed", "rst-flood", "tuple-reuse"))
    ap.add_argument("out")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--count", type=int, default=200000)
    a = ap.parse_args()
    n = {"mixed": lambda: mixed(a.out, a.scale), "rst-flood": lambda: rst_flood(a.out, a.count),
         "tuple-reuse": lambda: tuple_reuse(a.out, a.count)}[a.kind]()
    print(f"{a.out}: {n} packets")


if __name__ == "__main__":
    main()
