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
import hashlib
import struct
import sys

from craftlib import LINUX_SYN_OPTS, MS, S, Capture, Conn, chunks, run

WIN_SYNACK_OPTS = [("MSS", 1460), ("NOP", None), ("WScale", 8), ("NOP", None), ("NOP", None),
                   ("SAckOK", b"")]


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


REQ = http_request("/index.html")
RESP = http_response(120, "resp")


def served(cap, cport, req=REQ, resp=RESP, dt=100, segments=None, **kw):
    """Conn(cap, cport, **kw) after its handshake (SYN dt after the previous
    packet) and one request/response exchange (segments=N: only the first N
    response segments are sent): where most scenarios start."""
    c = Conn(cap, cport, **kw)
    c.handshake(dt=dt)
    c.exchange(req, resp, segments=segments)
    return c


# ------------------------------------------------------------ scenarios
def c_retrans_limit_windows():
    """Windows-like server (TTL 128 -> 127, global IP IDs) gives up after 5
    retransmissions (TcpMaxDataRetransmissions) and resets."""
    cap = Capture()
    c = Conn(cap, 41000, cisn=1100000000, sisn=3100000000, sttl=127, swin=1026,
             sid=0x4a10, s_ipid_steps=[3, 1, 7, 2, 5, 1, 4, 9, 2, 6], synack_ipid=None)
    c.handshake(synack_opts=WIN_SYNACK_OPTS, synack_win=65535)
    c.request(http_request("/report.csv"), dt=300)
    resp = http_response(3400, "report", b"Content-Disposition: attachment\r\n")
    segs = chunks(resp)
    assert len(segs) == 3
    first_seq = c.s.nxt
    # the client falls silent: no ACK for any of it
    c.respond(resp, gap=80, acks=False)
    # so the first unacknowledged segment is retransmitted
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
    c = served(cap, 41010, cisn=1110000000, sisn=3110000000)
    c.active_rst("s", dt=300 * S, truth=(
        "idle-timeout", "server",
        "server's own RST/ACK after 300 s of silence (application idle timeout, "
        "SO_LINGER 0): TTL 63, IP ID continuing, seq exact"))
    return cap


def c_idle_middlebox():
    cap = Capture()
    # A: load balancer behind the capture point (router side) resets the client
    a = served(cap, 41020, cisn=1120000000, sisn=3120000000)
    a.forge("s", "RA", seq=a.s.nxt, ack=a.c.nxt, ttl=64, window=0, ipid=0x6e2f,
            dt=300 * S, truth=(
                "idle-timeout", "server",
                "load balancer (1 hop, TTL 64 vs the server's 63) resets the client in the "
                "server's name after 300 s idle, exact seq (its RST to the server is not on "
                "this link)"))
    # B: load balancer between the client and the capture point resets the server
    b = served(cap, 41021, http_request("/status"), http_response(80, "status"), dt=2 * S,
               cisn=1121000000, sisn=3121000000, cid=12500, sid=30500)
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
    c.request(get, at=t)
    base = c.s.nxt
    inj = [(0, 5000, 0x9c3e, 2345), (1460, 5180, 0x2d71, 17829), (4380, 5390, 0xd3a5, 9022)]
    for i, (off, us, ipid, win) in enumerate(inj, 1):
        c.forge("s", "RA", seq=base + off, ack=c.c.nxt, ttl=47, window=win, ipid=ipid,
                at=t + us, truth=(
                    "injected", "server",
                    "GFW 2006 burst %d/3 on the keyword in the GET: TTL 47 vs the server's 63, "
                    "seq = server's next +%d, %.2f ms after the GET (RTT 40 ms)"
                    % (i, off, us / 1000)))
    c.respond(http_response(400, "cn"), at=t + 40 * MS)
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
    c.synack(at=rtt)
    c.request(tls_client_hello("one.one.one.one"), dt=150)
    c.seg("s", "A", dt=rtt)
    c.respond(tls_server_flight(), dt=300, gap=300)
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
    c.request(REQ, dt=3 * MS)
    c.seg("s", "A", dt=20 * MS)
    c.respond(http_response(1200, "bypass"), dt=300)
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
    a.request(REQ)
    a.active_rst("s", dt=20 * MS, data=diag_payload(14), truth=(
        "idle-timeout", "server",
        "server's RST/ACK answering the request, diagnostic payload 0x33AA reason 14 "
        "(connection timeout) PEN 0; TTL 63, seq exact"))
    # 2: SYN refused with reason 9 (not authorized)
    b = Conn(cap, 41061, cisn=1161000000, sisn=3161000000, cid=12500, sid=30500)
    b.syn(dt=1 * S)
    b.refuse(dt=20 * MS, data=diag_payload(9), truth=(
        "firewall-reject", "server",
        "RST/ACK answering the SYN, diagnostic payload 0x33AA reason 9 (not authorized) PEN 0"))
    # 3: F5-style reset cause text after a short exchange
    c = served(cap, 41062, dt=1 * S, cisn=1162000000, sisn=3162000000, cid=13000,
               sid=31000)
    c.active_rst("s", dt=150 * MS, data=b"BIG-IP: [0x2409d71:704] Idle timeout (300)", truth=(
        "idle-timeout", "server",
        "RST/ACK 150 ms after the exchange carrying the F5 BIG-IP reset cause text "
        "'Idle timeout (300)'; seq exact"))
    return cap


def c_netscaler_codes():
    """Citrix NetScaler (CTX200852) puts a reset code in the RST's window."""
    cap = Capture()
    # a: 10 s idle, window 9300 (idle timeout)
    a = served(cap, 41070, cisn=1170000000, sisn=3170000000)
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
    c = served(cap, 41072, dt=1 * S, cisn=1172000000, sisn=3172000000, cid=13000,
               sid=31000)
    c.request(http_request("/next"), dt=5 * S)
    c.forge("s", "RA", seq=c.s.nxt, ack=c.c.nxt, ttl=64, window=8201, ipid=0x7a03, dt=1200,
            truth=("no-socket", "server",
                   "NetScaler (TTL 64) answers the client's data, window 8201 = stray "
                   "packet / no connection code; seq = the data's ACK"))
    return cap


def c_fp_challenge_ack():
    """RFC 5961 3.2: inexact in-window RST -> challenge ACK -> exact RST."""
    cap = Capture()
    c = served(cap, 41080, resp=http_response(2000, "chal"), cisn=1180000000,
               sisn=3180000000)
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
        # the last response is cut off after 2 segments by the server's abort
        size, segments = (2600, None) if i < 5 else (8000, 2)
        c.exchange(http_request("/item/%d" % i), http_response(size, "item%d" % i),
                   dt=800 * MS if i else 200, segments=segments)
    c.active_rst("s", dt=30 * MS, truth=(
        "abort", "server",
        "server aborts mid-response (2920 of 8000+ bytes sent); TTL 62 like all its "
        "packets since the route change, IP ID continuing, seq exact"))
    return cap


def c_fp_reorder():
    cap = Capture()
    resp = http_response(4000, "reorder")
    segs = chunks(resp)
    c = served(cap, 41100, http_request("/stream"), resp, segments=2, cisn=1200000000,
               sisn=3200000000)
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
    c = served(cap, 41110, cisn=1210000000, sisn=3210000000)
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
    c = served(cap, 41120, cisn=1220000000, sisn=3220000000)
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
    c = served(cap, 41130, cisn=1230000000, sisn=3230000000)
    c.close("s", dt=2 * MS, fin_dt=200, ack_dt=None)  # a RST instead of the last ACK
    c.active_rst("s", dt=20 * MS, truth=(
        "fast-close", "server",
        "server answers the client's FIN with RST/ACK (seq = snd_nxt after its FIN) "
        "instead of the last ACK"))
    return cap


def c_abort_linger():
    cap = Capture()
    c = served(cap, 41140, http_request("/big.iso"), http_response(20000, "big"), segments=2,
               cisn=1240000000, sisn=3240000000)
    c.active_rst("c", dt=50 * MS, truth=(
        "abort", "client",
        "client closes with SO_LINGER 0 after 2920 bytes of the response: RST/ACK, "
        "TTL 64, IP ID continuing, seq exact"))
    return cap



# ------------------------------------------------ real-world precision (issue 10)
def c_fp_inflight_answers():
    """The client closes (FIN) while the server's answer, its FIN and its last
    ACK are in transit; the client's kernel answers each in turn with a bare
    RST, seq = that segment's ACK (https2-301-get, corelight-hassh forms)."""
    cap = Capture()
    c = served(cap, 41200, cisn=1300000000, sisn=3300000000)
    c.seg("c", "FA", dt=5 * MS)
    fin_seq = c.c.nxt - 1
    c.seg("s", "PA", prng("late-answer", 300), dt=20 * MS, ack=fin_seq)
    c.seg("s", "FA", dt=10, ack=fin_seq)
    c.seg("s", "A", dt=10)
    for i, (seq, what, cause) in enumerate([
            (fin_seq, "its data (sent after the client's FIN)", "data-after-close"),
            (fin_seq, "its FIN", "no-socket"),
            (fin_seq + 1, "its ACK of the client's FIN", "no-socket")]):
        c.passive_rst("c", seq, dt=40, truth=(
            cause, "client", "client kernel's bare answer %d/3 to the server's in-flight "
            "segment %d, %s; seq = that segment's ACK, not a burst" % (i + 1, i + 1, what)))
    return cap


def c_fp_two_ttls():
    """A load-balanced server: its SYN/ACK arrives with TTL 116, its data with
    117 (the asyncrat form).  It aborts with RST/ACK at 116, IP ID continuing,
    then answers the rest of the client's upload flight with bare RSTs."""
    cap = Capture()
    c = Conn(cap, 41210, cisn=1310000000, sisn=3310000000, sttl=117, sid=0xda70,
             synack_ipid=None)
    c.syn()
    c.seg("s", "SA", dt=20 * MS, window=65160, options=LINUX_SYN_OPTS, ttl=116)
    c.seg("c", "A", dt=60)
    c.exchange(REQ, RESP)
    acked = c.c.nxt
    for i in range(4):
        c.seg("c", "A", prng("upload%d" % i, 1000), dt=100)
    c.seg("s", "RA", dt=20 * MS, ttl=116, ack=acked + 2000, advance=False, truth=(
        "abort", "server", "server aborts having read 2 of 4 upload segments: RST/ACK at "
        "TTL 116, the TTL of its own SYN/ACK, IP ID continuing its counter"))
    for i in range(2):
        c.seg("s", "R", dt=300, seq=c.s.nxt, ack=0, ttl=116, advance=False, truth=(
            "no-socket", "server", "bare answer to in-flight upload segment %d at TTL 116"
            % (i + 3)))
    return cap


def c_fp_racing():
    """Happy eyeballs: two connections to the server at once; the first wins
    and is used, the late SYN/ACK of the second meets a closed socket."""
    cap = Capture()
    a = Conn(cap, 41220, cisn=1320000000, sisn=3320000000)
    b = Conn(cap, 41221, cisn=1321000000, sisn=3321000000)
    a.syn()
    b.syn(dt=300)
    a.seg("s", "SA", dt=20 * MS, window=65160, options=LINUX_SYN_OPTS, ipid=0)
    a.seg("c", "A", dt=60)
    a.exchange(REQ, RESP)
    b.seg("s", "SA", dt=2 * MS, window=65160, options=LINUX_SYN_OPTS, ipid=0)
    b.passive_rst("c", b.c.nxt, dt=40, truth=(
        "no-socket", "client", "the losing attempt of a connection race: its SYN/ACK "
        "arrives after the client closed that socket; bare RST, seq = its ACK; not a scan"))
    a.close_client_first()
    return cap


def c_stealth_scan():
    """nmap -sF, -sN and -sX against closed port 81: the server kernel answers
    each probe with RST/ACK, seq 0 (RFC 9293 3.10.7.1); against open port 80
    the probes draw nothing."""
    cap = Capture()
    for i, (flags, name) in enumerate([("F", "FIN"), ("", "NULL"), ("FPU", "XMAS")]):
        for port in (80, 81):
            c = Conn(cap, 41230 + i, sport=port, cisn=1330000000 + i, sisn=0)
            c.seg("c", flags, dt=300, window=1024, ttl=47 + i)
            if port == 81:
                c.seg("s", "RA", dt=20 * MS, seq=0, ack=c.c.nxt, ipid=0, advance=False,
                      truth=("stealth-scan", "unknown", "closed port 81 answers a %s probe "
                             "with RST/ACK seq 0" % name))
    return cap


MAC_HOP = "02:00:0a:c9:02:01"


def c_fp_router_copies():
    """Captured on a router's two links at once into one file: every packet
    twice, 40 us apart, TTL one lower, the same IP ID; the server's abort too."""
    cap = Capture()
    c = Conn(cap, 41240, cisn=1340000000, sisn=3340000000, synack_ipid=None)

    def twice(who, flags, data=b"", dt=100, truth=None, **kw):
        me = c.c if who == "c" else c.s
        seq, ipid, ttl = me.nxt, me.ipid, me.ttl
        ack = (c.s.nxt if who == "c" else c.c.nxt) if "A" in flags else 0
        c.seg(who, flags, data, dt=dt, truth=truth, **kw)
        c.seg(who, flags, data, dt=40, seq=seq, ack=ack, ipid=ipid, ttl=ttl - 1,
              advance=False, mac_src=MAC_HOP, truth=truth, **kw)

    twice("c", "S", window=64240, options=LINUX_SYN_OPTS)
    twice("s", "SA", dt=20 * MS, window=65160, options=LINUX_SYN_OPTS)
    twice("c", "A")
    twice("c", "PA", REQ, dt=200)
    twice("s", "A", RESP[:60], dt=20 * MS)
    ttl = c.s.ttl
    seq, ack, ipid = c.s.nxt, c.c.nxt, c.s.ipid
    for n, hop in enumerate((0, 1)):
        c.seg("s", "RA", dt=2 * MS if n == 0 else 40, seq=seq, ack=ack, ipid=ipid,
              ttl=ttl - hop, advance=False, mac_src=MAC_HOP if hop else None, truth=(
                  "abort", "server", "server abort, %s copy (%s)" % (
                      ("first", "before the router forwards it") if hop == 0 else
                      ("second", "after: TTL one lower, same IP ID"))))
    return cap


def c_fp_one_direction():
    """Only the server's direction was captured (an asymmetric route): its
    response, then a bare RST at another TTL.  Nothing says what it answers."""
    cap = Capture()
    c = Conn(cap, 41250, cisn=1350000000, sisn=3350000000)
    c.c.nxt += 1 + len(REQ)
    c.s.nxt += 1
    for i, d in enumerate(chunks(RESP + prng("more", 2000))):
        c.seg("s", "A", d, dt=200)
    c.seg("s", "R", dt=30 * MS, ack=0, ttl=50, ipid=0, advance=False, truth=(
        "unknown", "unknown", "one direction only: a bare RST at TTL 50 after the "
        "server's data at 63; no SYN, no packet of the peer"))
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
    "fp-inflight-answers": c_fp_inflight_answers,
    "fp-two-ttls": c_fp_two_ttls,
    "fp-racing": c_fp_racing,
    "stealth-scan": c_stealth_scan,
    "fp-router-copies": c_fp_router_copies,
    "fp-one-direction": c_fp_one_direction,
}



if __name__ == "__main__":
    sys.exit(run(CAPTURES, __doc__, truth=True))
