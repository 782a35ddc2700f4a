#!/usr/bin/python3
"""Small TCP/UDP peers for the rstdiag capture lab (stdlib only, except the
scapy `probe` command). Run inside a lab namespace with `ip netns exec`.

Every command is bounded in time (--duration / timeouts) and synchronises
with the driving shell script through files: it writes --ready-file /
--phase-file when it reaches a point and waits for --go-file before going on.

  server  --addr A --port P [--port P2]
          [--mode http|hold|noaccept|stream|unread|replyfin|tls]
  client  --dst A --port P  [--mode http|refused|hold|multi|abort-read|unread|
                                    data-after-fin|fast-close|keepalive|inject|
                                    early-close|race|lines|tls]
  probe   (scapy) bad-flag SYN probes, see `probe -h`
  inject  (scapy, router netns) on-path RST injector keyed on a payload word
  delayline  (router netns) forwards one direction in userspace after a
          fixed delay (the lab kernel has no netem)
"""
import argparse
import errno
import fcntl
import heapq
import os
import select
import socket
import struct
import sys
import termios
import time

REQUEST = b"GET / HTTP/1.0\r\nHost: rstdiag-lab\r\n\r\n"
RESPONSE = (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
            b"Content-Length: 15\r\n\r\nhello from lab\n")


def log(*a):
    print("[labpeer %d]" % os.getpid(), *a, file=sys.stderr, flush=True)



def expect_reset(s, label):
    """Read once from s, which the peer should reset; 0 if it did.  Closes s."""
    try:
        log(label + ": got", s.recv(100))
        rc = 1
    except ConnectionResetError:
        log(label + ": connection reset (as expected)")
        rc = 0
    except socket.timeout:
        log(label + ": no answer")
        rc = 1
    s.close()
    return rc

def touch(path):
    if path:
        with open(path, "w"):
            pass


def wait_file(path, timeout):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > end:
            log("timeout waiting for", path)
            return False
        time.sleep(0.01)
    return True


def fam(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def set_linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def inq(s):
    """Bytes waiting in the socket's receive queue (SIOCINQ)."""
    return struct.unpack("i", fcntl.ioctl(s.fileno(), termios.FIONREAD, b"\0" * 4))[0]


# ---------------------------------------------------------------- server
def server(a):
    end = time.monotonic() + a.duration
    tls_ctx = tls_context(a) if a.mode == "tls" else None
    listeners = []
    for port in a.port:
        ls = socket.socket(fam(a.addr), socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((a.addr, port))
        ls.listen(a.backlog)
        listeners.append(ls)
    log("listening", a.addr, a.port, "mode", a.mode, "backlog", a.backlog)
    touch(a.ready_file)

    def stop():
        return (a.stop_file and os.path.exists(a.stop_file)) or time.monotonic() > end

    if a.mode == "noaccept":
        # listen only: completed connections pile up in the accept queue
        while not stop():
            time.sleep(0.02)
        return 0

    conns = {}  # socket -> bytearray received
    held = None
    unread = {}  # mode unread: socket -> time its receive queue was seen full enough
    kept = []  # mode replyfin rdwr: shut down both ways, kept open until the end
    fin_how = (a.fin_how or "close").split(",")
    nreply = 0
    while not stop():
        for c in list(unread):
            if unread[c] is None and inq(c) >= a.unread_bytes:
                unread[c] = time.monotonic()
                log("receive queue holds %d unread bytes" % inq(c))
            elif unread[c] is not None and time.monotonic() - unread[c] > 0.1:
                log("close() with %d unread bytes" % inq(c))
                c.close()
                del unread[c]
        if a.mode == "hold" and held is not None and a.abort_file and os.path.exists(a.abort_file):
            log("abortive close (SO_LINGER 0) of", held.getpeername())
            set_linger0(held)
            held.close()
            conns.pop(held, None)
            held = None
            a.abort_file = None
        rl, _, _ = select.select(listeners + list(conns), [], [], 0.02)
        for s in rl:
            if s in listeners:
                c, peer = s.accept()
                log("accepted", peer)
                if a.mode == "unread":
                    unread[c] = None  # never read
                    continue
                if a.mode == "tls":
                    tls_serve(tls_ctx, c)
                    continue
                conns[c] = bytearray()
                if a.mode == "hold":
                    held = c
                    if a.close_listener:
                        for ls in listeners:
                            ls.close()
                        listeners = []
                continue
            try:
                d = s.recv(4096)
            except OSError as e:
                log("recv error", e)
                conns.pop(s, None)
                s.close()
                if s is held:
                    held = None
                continue
            if not d:
                log("peer closed")
                conns.pop(s, None)
                s.close()
                if s is held:
                    held = None
                continue
            conns[s] += d
            if a.mode == "http" and b"\r\n\r\n" in conns[s]:
                s.sendall(RESPONSE)
                conns.pop(s, None)
                s.close()  # server closes first (HTTP/1.0)
            elif a.mode == "hold" and b"\n" in conns[s]:
                line = bytes(conns[s])
                conns[s] = bytearray()
                s.sendall(b"ok " + line)
            elif a.mode == "stream" and b"\r\n\r\n" in conns[s]:
                # stream --size bytes in --chunk writes until done or reset
                conns.pop(s, None)
                s.settimeout(5)
                if a.nodelay:
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sent = 0
                try:
                    s.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n"
                              b"Content-Length: %d\r\n\r\n" % a.size)
                    while sent < a.size:
                        n = min(a.chunk, a.size - sent)
                        if a.chunk_gap:
                            time.sleep(a.chunk_gap)  # each write its own flight
                        s.sendall(bytes((sent + i) & 0xff for i in range(n)))
                        sent += n
                    log("stream: all %d bytes written" % sent)
                except OSError as e:
                    log("stream: %d bytes written, then %s" % (sent, e))
                s.close()
            elif a.mode == "replyfin" and b"\r\n\r\n" in conns[s]:
                # reply, then FIN: --fin-how wr (shutdown SHUT_WR, keep
                # reading), rdwr (shutdown SHUT_RDWR, socket kept open) or
                # close (close(), orphaned); comma list, one per connection
                how = fin_how[nreply % len(fin_how)]
                nreply += 1
                conns[s] = bytearray()
                s.sendall(RESPONSE)
                log("replied, then FIN by", how)
                if how == "wr":
                    s.shutdown(socket.SHUT_WR)
                elif how == "rdwr":
                    s.shutdown(socket.SHUT_RDWR)
                    conns.pop(s, None)
                    kept.append(s)
                else:
                    conns.pop(s, None)
                    s.close()
    for s in kept + list(unread):
        s.close()
    log("server done")
    return 0


def tls_context(a):
    """The server's TLS context, made before it listens (loading it takes
    tens of ms, long enough to lose a race with an injector)."""
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    return ctx


def tls_serve(ctx, c):
    """TLS handshake and one HTTP exchange on c, blocking (one client at a
    time); logs how it ended (the client may reset it half-way)."""
    import ssl
    c.settimeout(3)
    try:
        t = ctx.wrap_socket(c, server_side=True)
        req = t.recv(4096)
        t.sendall(RESPONSE)
        log("tls: served", len(req), "bytes of request")
        t.close()
    except (OSError, ssl.SSLError) as e:
        log("tls: handshake or exchange ended:", e)
        c.close()


# ---------------------------------------------------------------- client
def connect(dst, port, timeout=3.0, sport=0, rcvbuf=0):
    s = socket.socket(fam(dst), socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if ":" in dst else "0.0.0.0", sport))
    s.settimeout(timeout)
    s.connect((dst, port))
    return s


def recv_all(s, timeout=3.0):
    s.settimeout(timeout)
    buf = b""
    while True:
        d = s.recv(4096)
        if not d:
            return buf
        buf += d


def client(a):
    if a.mode == "http":
        s = connect(a.dst, a.port)
        s.sendall(REQUEST)
        resp = recv_all(s)
        s.close()
        log("http ok, %d bytes" % len(resp))
        return 0 if resp.startswith(b"HTTP/1.0 200") else 1
    if a.mode == "refused":
        try:
            s = connect(a.dst, a.port)
        except ConnectionRefusedError:
            log("connection refused (as expected)")
            return 0
        except OSError as e:
            log("connect failed:", e)
            return 1
        log("unexpectedly connected")
        s.close()
        return 1
    if a.mode == "hold":
        # exchange a line, wait for the go file, send more and expect a reset
        s = connect(a.dst, a.port)
        s.sendall(b"hello\n")
        s.settimeout(3)
        log("got", s.recv(100))
        touch(a.phase_file)
        if not wait_file(a.go_file, a.duration):
            return 1
        s.sendall(b"more data after the server lost its socket\n")
        return expect_reset(s, "after go")
    if a.mode == "multi":
        # --normal connections complete and send a line at once; then
        # (after --go-file) --held connections connect; then (after
        # --go2-file) each held connection sends a line, one after another.
        normal, held = [], []
        for i in range(a.normal):
            s = connect(a.dst, a.port)
            s.sendall(b"normal %d\n" % i)
            normal.append(s)
            time.sleep(a.gap)
        log("normal connections:", [s.getsockname()[1] for s in normal])
        touch(a.phase_file)
        if a.held:
            if not wait_file(a.go_file, 10):
                return 1
            for i in range(a.held):
                held.append(connect(a.dst, a.port))
                time.sleep(0.01)
            log("held connections:", [s.getsockname()[1] for s in held])
            touch(a.phase2_file)
            if not wait_file(a.go2_file, 10):
                return 1
            for i, s in enumerate(held):
                s.sendall(b"late %d\n" % i)
                time.sleep(a.gap)
        time.sleep(0.5)
        result = []
        for s in normal + held:
            s.setblocking(False)
            try:
                s.recv(10)
                st = "data?"
            except BlockingIOError:
                st = "open"
            except ConnectionResetError:
                st = "reset"
            except OSError as e:
                st = errno.errorcode.get(e.errno, str(e))
            result.append((s.getsockname()[1], st))
        log("states:", result)
        touch(a.done_file)
        # keep the sockets until told to stop (the capture ends first), so
        # that closing them is not part of the capture
        if a.stop_file:
            wait_file(a.stop_file, a.duration)
        return 0
    if a.mode == "abort-read":
        # small receive buffer, read --read-bytes of a long response, stop
        # reading until the window closes (nothing left in flight), then
        # close with SO_LINGER {1,0} while data is still unread
        s = connect(a.dst, a.port, rcvbuf=a.rcvbuf)
        s.sendall(REQUEST)
        got = 0
        while got < a.read_bytes:
            d = s.recv(min(4096, a.read_bytes - got))
            if not d:
                log("abort-read: EOF after %d bytes" % got)
                return 1
            got += len(d)
        time.sleep(a.pause)
        log("abort-read: read %d bytes, %d unread; SO_LINGER 0 close" % (got, inq(s)))
        set_linger0(s)
        s.close()
        return 0
    if a.mode == "unread":
        # send --send-bytes the server never reads; expect its reset
        s = connect(a.dst, a.port)
        s.sendall(bytes(0x41 + i % 26 for i in range(a.send_bytes)))
        return expect_reset(s, "unread")
    if a.mode in ("data-after-fin", "fast-close"):
        s = connect(a.dst, a.port)
        s.sendall(REQUEST)
        resp = recv_all(s)
        log("%s: response %d bytes, then EOF" % (a.mode, len(resp)))
        if a.mode == "fast-close":
            # fast close: SO_LINGER 0 instead of the FIN / TIME_WAIT
            set_linger0(s)
            s.close()
            return 0
        time.sleep(a.pause)
        s.sendall(b"more data after your FIN\n")
        # recv() would only repeat the EOF; a RST in CLOSE_WAIT leaves EPIPE
        time.sleep(0.1)
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        log("data-after-fin: socket error after sending: %s" % (errno.errorcode.get(err, err)))
        s.close()
        return 0 if err in (errno.EPIPE, errno.ECONNRESET) else 1
    if a.mode == "keepalive":
        # line exchange with fast keepalives on, then idle until the
        # keepalive timer gives up (the script blackholes the path)
        s = connect(a.dst, a.port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, a.keepidle)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, a.keepintvl)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, a.keepcnt)
        s.sendall(b"hello\n")
        s.settimeout(3)
        log("keepalive: got", s.recv(100))
        touch(a.phase_file)
        s.settimeout(a.duration)
        t0 = time.monotonic()
        try:
            d = s.recv(100)
            log("keepalive: got", d)
            rc = 1
        except OSError as e:  # socket.timeout is an OSError without errno
            if e.errno is None:
                log("keepalive: still alive after %.1f s" % a.duration)
                rc = 1
            else:
                log("keepalive: %s after %.2f s idle"
                    % (errno.errorcode.get(e.errno, e), time.monotonic() - t0))
                rc = 0 if e.errno == errno.ETIMEDOUT else 1
        s.close()
        return rc
    if a.mode == "inject":
        # a request carrying the injector's keyword; keep receiving and log
        # what arrives (an injected RST kills the socket)
        s = connect(a.dst, a.port)
        t0 = time.monotonic()
        s.sendall(b"GET /" + a.keyword.encode() + b" HTTP/1.0\r\nHost: rstdiag-lab\r\n\r\n")
        s.settimeout(2)
        got = b""
        rc = 0
        while True:
            try:
                d = s.recv(4096)
            except ConnectionResetError:
                log("inject: connection reset %.1f ms after the request, %d bytes before"
                    % ((time.monotonic() - t0) * 1000, len(got)))
                break
            except socket.timeout:
                log("inject: no reset, timeout, %d bytes" % len(got))
                rc = 1
                break
            if not d:
                log("inject: EOF, %d bytes, no reset" % len(got))
                rc = 1
                break
            got += d
        s.close()
        time.sleep(a.pause)  # stay around while the late server data comes in
        return rc
    if a.mode == "tls":
        # a TLS ClientHello carrying --sni; an injected reset is expected
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = connect(a.dst, a.port)
        t0 = time.monotonic()
        try:
            t = ctx.wrap_socket(s, server_hostname=a.sni)
            t.sendall(REQUEST)
            log("tls: no reset, got", len(t.recv(4096)), "bytes")
            rc = 1
        except ConnectionResetError:
            log("tls: connection reset %.1f ms after the ClientHello"
                % ((time.monotonic() - t0) * 1000))
            rc = 0
        except (OSError, ssl.SSLError) as e:
            log("tls: failed otherwise:", e)
            rc = 1
        s.close()
        time.sleep(a.pause)  # stay around while the late server handshake comes in
        return rc
    if a.mode == "early-close":
        # read the first segment of the response and close() at once, with
        # nothing unread: FIN, while the rest of the response is in flight
        s = connect(a.dst, a.port)
        s.sendall(REQUEST)
        s.settimeout(3)
        first = s.recv(65536)
        s.close()
        log("early-close: closed after the first %d bytes" % len(first))
        time.sleep(a.pause)  # the kernel answers the late segments meanwhile
        return 0 if first.startswith(b"HTTP/1.0 200") else 1
    if a.mode == "race":
        # happy eyeballs / pre-connect: two non-blocking connects --gap
        # apart; the first to complete is used, the other is closed while
        # its SYN/ACK is still on the way (SYN-SENT close sends nothing, so
        # the kernel resets the SYN/ACK when it arrives)
        rc = 0
        for i in range(a.rounds):
            socks = []
            for k in range(2):
                s = socket.socket(fam(a.dst), socket.SOCK_STREAM)
                s.setblocking(False)
                s.connect_ex((a.dst, a.port))
                socks.append(s)
                if k == 0:
                    time.sleep(a.gap)
            _, wl, _ = select.select([], socks, [], 3)
            if not wl:
                log("race %d: no connection completed" % i)
                return 1
            winner = wl[0]
            for s in socks:
                if s is not winner:
                    log("race %d: dropping the loser (port %d, %s)" % (
                        i, s.getsockname()[1], "connected" if s in wl else "connecting"))
                    s.close()
            winner.setblocking(True)
            winner.sendall(REQUEST)
            resp = recv_all(winner)
            winner.close()
            log("race %d: winner port got %d bytes" % (i, len(resp)))
            if not resp.startswith(b"HTTP/1.0 200"):
                rc = 1
            time.sleep(a.pause)
        return rc
    if a.mode == "lines":
        # a line every --gap seconds until the server resets (or --count)
        s = connect(a.dst, a.port)
        s.settimeout(3)
        touch(a.phase_file)
        for i in range(a.count):
            try:
                s.sendall(b"line %d\n" % i)
                d = s.recv(100)
            except ConnectionResetError:
                log("lines: reset after %d lines" % i)
                s.close()
                return 0
            if not d:
                log("lines: EOF after %d lines" % i)
                return 1
            time.sleep(a.gap)
        log("lines: no reset after %d lines" % a.count)
        return 1
    raise SystemExit("unknown mode")


# ---------------------------------------------------------------- probe
def probe(a):
    """Send SYNs with extra flags from scapy (bypassing the local stack) and
    log one line per probe: sport dport flags."""
    from scapy.all import IP, IPv6, TCP, conf, send  # noqa
    conf.verb = 0
    specs = []
    for spec in a.spec:  # "dport:FLAGS", e.g. 81:SF
        dport, flags = spec.split(":")
        specs.append((int(dport), flags))
    sport = a.sport
    with open(a.log, "w") as out:
        for dport, flags in specs:
            ip = IPv6(dst=a.dst) if ":" in a.dst else IP(dst=a.dst)
            pkt = ip / TCP(sport=sport, dport=dport, flags=flags, seq=a.seq + sport,
                           window=64240, options=[("MSS", 1460)])
            send(pkt)
            out.write("%d\t%d\t%s\n" % (sport, dport, flags))
            out.flush()
            sport += 1
            time.sleep(a.gap)
    return 0


# ---------------------------------------------------------------- inject
def inject(a):
    """On-path RST injector (runs in the router netns). Sniffs the forwarded
    client->server segments on --sniff-iface (the original goes on: a packet
    socket only gets a copy) and, the first time a segment of a connection
    carries --keyword, sends RST+ACKs to the client in the server's name (one
    per --offsets entry, seq = the server's next seq taken from the segment's
    ACK + offset, ack = the segment's seq + len) and one RST+ACK to the
    server in the client's name. Forged packets have the router's own TTL 64
    (the server's real packets reach the client with 63), no DF, fixed IP
    IDs (--ipids) and window 0; they leave through pre-built L2 sockets.
    --srv-rst-delay holds the server's RST back (stands for the injector's
    distance from the server: the real server must answer before it dies)."""
    from scapy.all import AsyncSniffer, Ether, IP, IPv6, TCP, conf  # noqa
    conf.verb = 0
    v6 = ":" in a.server
    L3 = IPv6 if v6 else IP
    offsets = [int(x) for x in a.offsets.split(",")]
    ipids = [int(x, 0) for x in a.ipids.split(",")]
    to_cli = conf.L2socket(iface=a.cli_iface)
    to_srv = conf.L2socket(iface=a.srv_iface)
    # build (not send) one frame now: scapy's first build is slow
    bytes(Ether() / (IPv6() if v6 else IP()) / TCP(flags="RA"))
    kw = a.keyword.encode()
    fired = set()
    out = open(a.log, "w")

    def l3(src, dst, i):
        if v6:
            return IPv6(src=src, dst=dst, hlim=64)
        return IP(src=src, dst=dst, ttl=64, flags=0, id=ipids[i % len(ipids)])

    def on_pkt(p):
        if TCP not in p or L3 not in p:
            return
        tcp = p[TCP]
        # the frame's own bytes: scapy may dissect (and rebuild) the payload
        # as some protocol, TLS on 443 say
        if kw not in bytes(p.original) or tcp.sport in fired:
            return
        fired.add(tcp.sport)
        ip_layer = p[L3]
        l3_payload = ip_layer.plen if v6 else ip_layer.len - 4 * ip_layer.ihl
        data = bytes(l3_payload - 4 * tcp.dataofs)   # only its length counts
        cli_next = (tcp.seq + len(data)) & 0xffffffff
        srv_next = tcp.ack
        first = None
        for i, off in enumerate(offsets):  # each one out as soon as it is built
            to_cli.send(Ether(src=a.rtr_c_mac, dst=a.cli_mac) / l3(a.server, a.client, i)
                        / TCP(sport=a.port, dport=tcp.sport, flags="RA", window=0,
                              seq=(srv_next + off) & 0xffffffff, ack=cli_next))
            first = first or time.time()
        if a.srv_rst_delay > 0:
            time.sleep(a.srv_rst_delay)
        to_srv.send(Ether(src=a.rtr_s_mac, dst=a.srv_mac) / l3(a.client, a.server, len(offsets))
                    / TCP(sport=tcp.sport, dport=a.port, flags="RA", window=0, seq=cli_next,
                          ack=srv_next))
        done = time.time()
        out.write("keyword in %s:%d seq=%d len=%d ack=%d; sent %d RSTs to the client "
                  "(seq %s) and 1 to the server; %.2f / %.2f ms (first / last) after the "
                  "packet's capture time\n"
                  % (a.client, tcp.sport, tcp.seq, len(data), tcp.ack, len(offsets),
                     ",".join(str((srv_next + o) & 0xffffffff) for o in offsets),
                     (first - float(p.time)) * 1000, (done - float(p.time)) * 1000))
        out.flush()

    flt = "%s and tcp and src host %s and dst host %s and dst port %d" % (
        "ip6" if v6 else "ip", a.client, a.server, a.port)
    def on_pkt_logged(p):
        try:
            on_pkt(p)
        except Exception as e:  # a sniffer thread dies silently otherwise
            import traceback
            log("inject: %r\n%s" % (e, traceback.format_exc()))
            raise

    sn = AsyncSniffer(iface=a.sniff_iface, filter=flt, prn=on_pkt_logged, store=False,
                      started_callback=lambda: touch(a.ready_file))
    sn.start()
    end = time.monotonic() + a.duration
    while time.monotonic() < end and not (a.stop_file and os.path.exists(a.stop_file)):
        time.sleep(0.02)
    sn.stop()
    out.close()
    return 0


# ---------------------------------------------------------------- delayline
def delayline(a):
    """Userspace one-way delay (the lab kernel has no sch_netem): takes the
    TCP segments from --src port --sport arriving on --in-iface (the script
    drops them in the router's forward chain, a packet socket still sees
    them), and after --delay re-sends them on --out-iface exactly as the
    kernel would have forwarded them: new Ethernet addresses, TTL / hop
    limit - 1, IPv4 header checksum recomputed, nothing else touched."""
    ETH_P_ALL = 3
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    rx.bind((a.in_iface, ETH_P_ALL))
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((a.out_iface, 0))
    v6 = ":" in a.src
    src = socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, a.src)
    eth = bytes.fromhex(a.dst_mac.replace(":", "")) + bytes.fromhex(a.src_mac.replace(":", ""))
    q = []  # (due, n, frame)
    n = 0
    touch(a.ready_file)
    end = time.monotonic() + a.duration
    while time.monotonic() < end and not (a.stop_file and os.path.exists(a.stop_file)):
        now = time.monotonic()
        while q and q[0][0] <= now:
            tx.send(heapq.heappop(q)[2])
        wait = min(0.02, q[0][0] - now) if q else 0.02
        if not select.select([rx], [], [], max(wait, 0))[0]:
            continue
        f, addr = rx.recvfrom(65535)
        if addr[2] != socket.PACKET_HOST or len(f) < 54:
            continue
        if not v6 and f[12:14] == b"\x08\x00" and f[23] == 6 and f[26:30] == src:
            ihl = (f[14] & 15) * 4
            if struct.unpack("!H", f[14 + ihl:16 + ihl])[0] != a.sport:
                continue
            hdr = bytearray(f[14:14 + ihl])
            hdr[8] -= 1
            hdr[10:12] = b"\0\0"
            c = sum(struct.unpack("!%dH" % (ihl // 2), hdr))
            while c >> 16:
                c = (c & 0xffff) + (c >> 16)
            hdr[10:12] = struct.pack("!H", ~c & 0xffff)
            out = eth + f[12:14] + bytes(hdr) + f[14 + ihl:]
        elif v6 and f[12:14] == b"\x86\xdd" and f[20] == 6 and f[22:38] == src \
                and struct.unpack("!H", f[54:56])[0] == a.sport:
            out = eth + f[12:21] + bytes([f[21] - 1]) + f[22:]
        else:
            continue
        n += 1
        heapq.heappush(q, (time.monotonic() + a.delay, n, out))
    log("delayline: %d frames delayed by %.1f ms" % (n, a.delay * 1000))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("--addr", required=True)
    s.add_argument("--port", type=int, action="append", required=True)
    s.add_argument("--mode", choices=["http", "hold", "noaccept", "stream", "unread", "replyfin",
                                      "tls"],
                   default="http")
    s.add_argument("--backlog", type=int, default=16)
    s.add_argument("--ready-file")
    s.add_argument("--stop-file")
    s.add_argument("--abort-file", help="hold: SO_LINGER 0 close when it appears")
    s.add_argument("--close-listener", action="store_true",
                   help="hold: close the listener after the first accept")
    s.add_argument("--duration", type=float, default=30)
    s.add_argument("--size", type=int, default=200000, help="stream: response body bytes")
    s.add_argument("--chunk", type=int, default=4096, help="stream: bytes per write")
    s.add_argument("--chunk-gap", type=float, default=0.0, help="stream: seconds between writes")
    s.add_argument("--nodelay", action="store_true", help="stream: TCP_NODELAY")
    s.add_argument("--unread-bytes", type=int, default=1,
                   help="unread: close once this much waits in the receive queue")
    s.add_argument("--cert", help="tls: certificate (PEM)")
    s.add_argument("--key", help="tls: private key (PEM)")
    s.add_argument("--fin-how", help="replyfin: wr|rdwr|close, comma list, one per connection")
    c = sub.add_parser("client")
    c.add_argument("--dst", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--mode", choices=["http", "refused", "hold", "multi", "abort-read", "unread",
                                      "data-after-fin", "fast-close", "keepalive", "inject",
                                      "early-close", "race", "lines", "tls"],
                   default="http")
    c.add_argument("--phase-file")
    c.add_argument("--phase2-file")
    c.add_argument("--go-file")
    c.add_argument("--go2-file")
    c.add_argument("--done-file")
    c.add_argument("--stop-file")
    c.add_argument("--normal", type=int, default=0)
    c.add_argument("--held", type=int, default=0)
    c.add_argument("--gap", type=float, default=0.1)
    c.add_argument("--duration", type=float, default=20)
    c.add_argument("--rcvbuf", type=int, default=0, help="SO_RCVBUF before connect")
    c.add_argument("--read-bytes", type=int, default=32768, help="abort-read")
    c.add_argument("--send-bytes", type=int, default=2048, help="unread")
    c.add_argument("--pause", type=float, default=0.2,
                   help="abort-read/data-after-fin/inject: pause before the last step")
    c.add_argument("--keepidle", type=int, default=1)
    c.add_argument("--keepintvl", type=int, default=1)
    c.add_argument("--keepcnt", type=int, default=3)
    c.add_argument("--keyword", default="FORBIDDEN", help="inject: word in the request")
    c.add_argument("--sni", default="blocked.example", help="tls: server name in the ClientHello")
    c.add_argument("--rounds", type=int, default=3, help="race: racing pairs")
    c.add_argument("--count", type=int, default=20, help="lines: most lines to send")
    r = sub.add_parser("probe")
    r.add_argument("--dst", required=True)
    r.add_argument("--sport", type=int, default=41001)
    r.add_argument("--seq", type=int, default=100000000)
    r.add_argument("--gap", type=float, default=0.2)
    r.add_argument("--log", required=True)
    r.add_argument("spec", nargs="+", help="DPORT:FLAGS (scapy flag letters)")
    j = sub.add_parser("inject")
    j.add_argument("--sniff-iface", required=True)
    j.add_argument("--cli-iface", required=True)
    j.add_argument("--srv-iface", required=True)
    j.add_argument("--client", required=True)
    j.add_argument("--server", required=True)
    j.add_argument("--port", type=int, default=80)
    j.add_argument("--keyword", default="FORBIDDEN")
    j.add_argument("--cli-mac", required=True)
    j.add_argument("--rtr-c-mac", required=True)
    j.add_argument("--srv-mac", required=True)
    j.add_argument("--rtr-s-mac", required=True)
    j.add_argument("--offsets", default="0,1460,4380", help="seq offsets of the client RSTs")
    j.add_argument("--ipids", default="0x9c41,0x2d7e,0xd3a5,0x61f0", help="IPv4 IDs, in order")
    j.add_argument("--srv-rst-delay", type=float, default=0.0,
                   help="seconds between the client RSTs and the server's")
    j.add_argument("--ready-file")
    j.add_argument("--stop-file")
    j.add_argument("--log", required=True)
    j.add_argument("--duration", type=float, default=20)
    d = sub.add_parser("delayline")
    d.add_argument("--in-iface", required=True)
    d.add_argument("--out-iface", required=True)
    d.add_argument("--src", required=True, help="delay segments from this address")
    d.add_argument("--sport", type=int, default=80)
    d.add_argument("--dst-mac", required=True)
    d.add_argument("--src-mac", required=True)
    d.add_argument("--delay", type=float, default=0.01)
    d.add_argument("--ready-file")
    d.add_argument("--stop-file")
    d.add_argument("--duration", type=float, default=20)
    a = p.parse_args()
    return {"server": server, "client": client, "probe": probe, "inject": inject,
            "delayline": delayline}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
