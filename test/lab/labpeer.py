#!/usr/bin/python3
"""Small TCP/UDP peers for the rstdiag capture lab (stdlib only, except the
scapy `probe` command). Run inside a lab namespace with `ip netns exec`.

Every command is bounded in time (--duration / timeouts) and synchronises
with the driving shell script through files: it writes --ready-file /
--phase-file when it reaches a point and waits for --go-file before going on.

  server  --addr A --port P [--port P2] [--mode http|hold|noaccept]
  client  --dst A --port P  [--mode http|refused|hold|multi]
  probe   (scapy) bad-flag SYN probes, see `probe -h`
"""
import argparse
import errno
import os
import select
import socket
import struct
import sys
import time

REQUEST = b"GET / HTTP/1.0\r\nHost: rstdiag-lab\r\n\r\n"
RESPONSE = (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
            b"Content-Length: 15\r\n\r\nhello from lab\n")


def log(*a):
    print("[labpeer %d]" % os.getpid(), *a, file=sys.stderr, flush=True)


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


# ---------------------------------------------------------------- server
def server(a):
    end = time.monotonic() + a.duration
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
    while not stop():
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
    log("server done")
    return 0


# ---------------------------------------------------------------- client
def connect(dst, port, timeout=3.0, sport=0):
    s = socket.socket(fam(dst), socket.SOCK_STREAM)
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
        try:
            d = s.recv(100)
            log("after go: got", d)
            rc = 1
        except ConnectionResetError:
            log("connection reset (as expected)")
            rc = 0
        except socket.timeout:
            log("no answer")
            rc = 1
        s.close()
        return rc
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


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("--addr", required=True)
    s.add_argument("--port", type=int, action="append", required=True)
    s.add_argument("--mode", choices=["http", "hold", "noaccept"], default="http")
    s.add_argument("--backlog", type=int, default=16)
    s.add_argument("--ready-file")
    s.add_argument("--stop-file")
    s.add_argument("--abort-file", help="hold: SO_LINGER 0 close when it appears")
    s.add_argument("--close-listener", action="store_true",
                   help="hold: close the listener after the first accept")
    s.add_argument("--duration", type=float, default=30)
    c = sub.add_parser("client")
    c.add_argument("--dst", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--mode", choices=["http", "refused", "hold", "multi"], default="http")
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
    r = sub.add_parser("probe")
    r.add_argument("--dst", required=True)
    r.add_argument("--sport", type=int, default=41001)
    r.add_argument("--seq", type=int, default=100000000)
    r.add_argument("--gap", type=float, default=0.2)
    r.add_argument("--log", required=True)
    r.add_argument("spec", nargs="+", help="DPORT:FLAGS (scapy flag letters)")
    a = p.parse_args()
    return {"server": server, "client": client, "probe": probe}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
