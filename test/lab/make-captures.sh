#!/usr/bin/env bash
# make-captures.sh - (re)build every rstdiag test capture with ground truth.
#
#   sudo test/lab/make-captures.sh            # all scenarios
#   sudo test/lab/make-captures.sh NAME...    # only these (real or crafted)
#
# Real scenarios run Linux stacks in network namespaces (netlab.sh) and are
# captured with tcpdump at the client's veth; crafted ones come from craft.py.
# Writes test/captures/NAME.pcap, NAME.truth.tsv and (real ones, when
# tracefs works) NAME.rstreason.txt. Needs root, tcpdump, nft, nmap, tshark,
# /usr/bin/python3 with scapy. Nothing leaves the lab namespaces.
set -u
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
LAB_OUT=${LAB_OUT:-$REPO/test/captures}
# shellcheck source=netlab.sh
source "$LAB_DIR/netlab.sh"
PEER=$LAB_DIR/labpeer.py
TRUTH=$LAB_DIR/truth.py

REAL_SCENARIOS=(clean-v4 closed-port-v4 closed-port-v6 firewall-reject firewall-reject-v6
    nmap-syn-scan nmap-connect-scan nmap-stealth-scan listen-overflow bad-syn bad-syn-rst no-socket
    linger-abort unread-close data-after-fin fast-close keepalive-timeout injector injector-v6
    kernel-inflight happy-eyeballs route-flap-ttls router-two-links injector-tls)
CRAFTED_SCENARIOS=(time-wait-rst time-wait-ack midstream tunnel-gre vlan
    icmp-quoted-rst icmp6-quoted-rst udp-only)

die() { echo "make-captures: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "must run as root"
for t in ip tcpdump nft tshark nmap ss timeout; do
    command -v "$t" >/dev/null || die "missing tool: $t"
done
"$LAB_PY" -c 'import scapy.all' 2>/dev/null || die "$LAB_PY lacks scapy (apt install python3-scapy)"

trap lab_cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$LAB_OUT"
lab_tmp
TMP=$LAB_TMP
FAILED=()

# ------------------------------------------------------------ helpers
# srv_start NAME ADDR PORT[,PORT...] [labpeer server args...]
srv_start() {
    local name=$1 addr=$2 ports=$3; shift 3
    local pargs=() p
    for p in ${ports//,/ }; do pargs+=(--port "$p"); done
    rm -f "$TMP/$name.ready" "$TMP/$name.stop"
    lab_bg "$NS_SRV" "$name" "$LAB_PY" "$PEER" server --addr "$addr" "${pargs[@]}" \
        --ready-file "$TMP/$name.ready" --stop-file "$TMP/$name.stop" --duration 40 "$@"
    lab_wait_file "$TMP/$name.ready" 5
}
srv_stop() { touch "$TMP/$1.stop"; lab_bg_wait "$1" 3; }

# cli_run ARGS...: run a labpeer client in the client netns (foreground)
cli_run() { lab_cli timeout -k 2 30 "$LAB_PY" "$PEER" client "$@"; }

# begin/end of the recorded part of a scenario
rec_begin() { lab_capture_start "$1" && trace_start "$1"; }
rec_end() { trace_stop; lab_capture_stop; }

# normal HTTP/1.0 exchange (server closes first, FIN both ways)
http_get() { cli_run --dst "$1" --port "${2:-80}" --mode http; }

# ------------------------------------------------------------ scenarios
sc_clean-v4() {
    srv_start web "$SRV4" 80
    rec_begin clean-v4
    http_get "$SRV4"
    rec_end
    srv_stop web
}

# Record NAME: a normal GET to SERVER-ADDR:80 (the server's TTL baseline),
# then a connection attempt to port 81 that is refused.
get_then_refused() { # NAME SERVER-ADDR
    rec_begin "$1"
    http_get "$2"
    sleep 0.2
    cli_run --dst "$2" --port 81 --mode refused
    rec_end
    srv_stop web
}

closed_port() { # NAME SERVER-ADDR
    srv_start web "$2" 80
    get_then_refused "$1" "$2"
}
sc_closed-port-v4() { closed_port closed-port-v4 "$SRV4"; }
sc_closed-port-v6() { closed_port closed-port-v6 "$SRV6"; }

firewall_reject() { # NAME SERVER-ADDR nft-match
    lab_nft_chain "$NS_RTR" forward
    # shellcheck disable=SC2086 # $3 is several nft words
    lab_nft "$NS_RTR" add rule inet rdlab forward $3 tcp dport 81 reject with tcp reset
    # a service on 81 too: only the router can have refused the SYN
    srv_start web "$2" 80,81
    get_then_refused "$1" "$2"
}
sc_firewall-reject() { firewall_reject firewall-reject "$SRV4" "ip daddr $SRV4"; }
sc_firewall-reject-v6() { firewall_reject firewall-reject-v6 "$SRV6" "ip6 daddr $SRV6"; }

nmap_scan() { # NAME -sS|-sT
    srv_start web "$SRV4" 80,8080
    rec_begin "$1"
    lab_cli timeout 60 nmap -n -Pn "$2" -p 22,80,81,443,8080 "$SRV4" \
        >"$TMP/$1.nmap.txt" 2>&1
    sed -n '/^PORT/,/^$/p' "$TMP/$1.nmap.txt" | sed 's/^/  nmap: /' >&2
    sleep 0.5
    rec_end
    srv_stop web
}
sc_nmap-syn-scan() { nmap_scan nmap-syn-scan -sS; }
sc_nmap-connect-scan() { nmap_scan nmap-connect-scan -sT; }

# FIN, NULL and XMAS scans of an open (80) and a closed (81) port: the server
# kernel answers each probe to 81 with RST/ACK seq 0 (RFC 9293 3.10.7.1); the
# open port stays silent, so nmap retries it once.
sc_nmap-stealth-scan() {
    srv_start web "$SRV4" 80
    rec_begin nmap-stealth-scan
    for scan in -sF -sN -sX; do
        lab_cli timeout 60 nmap -n -Pn "$scan" --max-retries 1 -p 80,81 "$SRV4" \
            >>"$TMP/nmap-stealth-scan.nmap.txt" 2>&1
    done
    sed -n '/^PORT/,/^$/p' "$TMP/nmap-stealth-scan.nmap.txt" | sed 's/^/  nmap: /' >&2
    sleep 0.5
    rec_end
    srv_stop web
}

# Accept queue overflow with net.ipv4.tcp_abort_on_overflow=1. A Linux
# listener drops a SYN outright while its accept queue is full, so the
# overflow can only hit connections whose handshake ACK arrives after the
# queue filled up: 4 normal connections fill a backlog-4 queue to 4 (full
# means > backlog), 4 more connect while the router drops client->server
# ACK-bearing segments (they stay in SYN_RECV on the server), then the drop
# rule goes and each held client sends its first data: the first one
# completes into the last free slot, the other three are reset.
sc_listen-overflow() {
    lab_srv sysctl -qw net.ipv4.tcp_abort_on_overflow=1
    srv_start web "$SRV4" 80 --mode noaccept --backlog 4
    rm -f "$TMP"/ov.*
    rec_begin listen-overflow
    lab_bg "$NS_CLI" ovcli "$LAB_PY" "$PEER" client --dst "$SRV4" --port 80 --mode multi \
        --normal 4 --held 4 --gap 0.1 --phase-file "$TMP/ov.phase" --go-file "$TMP/ov.go" \
        --phase2-file "$TMP/ov.phase2" --go2-file "$TMP/ov.go2" --done-file "$TMP/ov.done" \
        --stop-file "$TMP/ov.stop" --duration 20
    lab_wait_file "$TMP/ov.phase" 10
    lab_nft_chain "$NS_RTR" forward
    lab_nft "$NS_RTR" add rule inet rdlab forward ip saddr "$CLI4" ip daddr "$SRV4" \
        tcp dport 80 tcp flags and ack == ack drop
    touch "$TMP/ov.go"
    lab_wait_file "$TMP/ov.phase2" 10
    sleep 0.1
    lab_nft_flush "$NS_RTR"
    touch "$TMP/ov.go2"
    lab_wait_file "$TMP/ov.done" 10
    rec_end
    touch "$TMP/ov.stop"
    lab_bg_wait ovcli 5
    sed -n 's/^.*states:/  client states:/p' "$TMP/ovcli.log" >&2
    lab_srv nstat -az TcpExtListenOverflows TcpExtListenDrops TcpExtEmbryonicRsts 2>/dev/null |
        sed -n 's/^/  server /p' | grep -v '^  server #' >&2
    srv_stop web
}

# SYN+FIN / SYN+URG / SYN+RST from scapy to a closed (81) and a listening
# (80) port. The client kernel's own RSTs (it has no socket for the SYN/ACK
# the listener sends to SYN+URG) are dropped in the client netns.
sc_bad-syn() {
    srv_start web "$SRV4" 80
    lab_nft_chain "$NS_CLI" output
    lab_nft "$NS_CLI" add rule inet rdlab output tcp flags and '(syn | rst)' == rst drop
    rec_begin "${1:-bad-syn}"
    if [[ ${1:-bad-syn} == bad-syn ]]; then
        lab_cli timeout 30 "$LAB_PY" "$PEER" probe --dst "$SRV4" --sport 41001 --gap 0.3 \
            --log "$TMP/badsyn.probes" 81:SF 81:SU 80:SF 80:SU
        sleep 1.2 # the listener's SYN/ACK retransmission for SYN+URG
    else
        lab_cli timeout 30 "$LAB_PY" "$PEER" probe --dst "$SRV4" --sport 41011 --gap 0.3 \
            --log "$TMP/badsyn.probes" 81:SR 80:SR
        sleep 0.3
    fi
    rec_end
    srv_stop web
}
# SYN+RST probes on their own: each probe is itself a RST-flagged packet and
# Linux answers none of them (closed or listening port)
sc_bad-syn-rst() { sc_bad-syn bad-syn-rst; }

# Server loses its socket silently: the router drops the server's RSTs while
# `ss -K` destroys the established socket in the server netns (falls back to
# an SO_LINGER 0 close by the server if ss -K cannot); the drop rule goes, the
# client sends more data and the server kernel, holding no socket (the
# listener was closed after accept), answers with RST, no ACK.
sc_no-socket() {
    rm -f "$TMP"/ns.*
    srv_start hold "$SRV4" 80 --mode hold --close-listener --abort-file "$TMP/ns.abort"
    rec_begin no-socket
    lab_bg "$NS_CLI" nscli "$LAB_PY" "$PEER" client --dst "$SRV4" --port 80 --mode hold \
        --phase-file "$TMP/ns.phase" --go-file "$TMP/ns.go" --duration 15
    lab_wait_file "$TMP/ns.phase" 10
    sleep 0.1
    lab_nft_chain "$NS_RTR" forward
    lab_nft "$NS_RTR" add rule inet rdlab forward ip saddr "$SRV4" tcp sport 80 \
        tcp flags and rst == rst counter drop
    local killed
    killed=$(lab_srv ss -K -t -n state established '(' sport = :80 ')' 2>&1 | grep -c "$SRV4")
    if [[ $killed -ge 1 ]]; then
        echo "  no-socket: server socket destroyed with ss -K" >&2
    else
        echo "  no-socket: ss -K destroyed nothing; SO_LINGER 0 close instead" >&2
        touch "$TMP/ns.abort"
    fi
    sleep 0.3
    lab_srv ss -tn state all '(' sport = :80 ')' | sed 's/^/  server ss: /' >&2
    lab_rtr nft list chain inet rdlab forward | grep counter | sed 's/^ */  router: /' >&2
    lab_nft_flush "$NS_RTR"
    touch "$TMP/ns.go"
    lab_bg_wait nscli 10
    sed -n 's/^\[labpeer [0-9]*\] /  client: /p' "$TMP/nscli.log" >&2
    rec_end
    srv_stop hold
}

# peer_log NAME WHO: the peer's log lines on stderr, prefixed
peer_log() { sed -n "s/^\[labpeer [0-9]*\] /  $2: /p" "$TMP/$1.log" >&2; }

# The client reads 32 KB of a 200 KB response through a 16 KB SO_RCVBUF,
# stops reading until the server is held by the zero window (nothing in
# flight, so no later server data draws no-socket resets), then closes with
# SO_LINGER {1,0} and unread data queued: client RST/ACK. Snaplen 96 keeps
# the pcap small (headers only; tcp.len still right).
sc_linger-abort() {
    local LAB_SNAPLEN=96
    srv_start web "$SRV4" 80 --mode stream --size 200000
    rec_begin linger-abort
    lab_bg "$NS_CLI" lacli "$LAB_PY" "$PEER" client --dst "$SRV4" --port 80 --mode abort-read \
        --rcvbuf 16384 --read-bytes 32768 --pause 0.3
    lab_bg_wait lacli 10
    sleep 0.2
    rec_end
    srv_stop web
    peer_log lacli client
    peer_log web server
}

# The server accepts and never reads; the client sends 2 KB; once it is all
# in the server's receive queue the server close()s: RST/ACK
# (TCPAbortOnClose).
sc_unread-close() {
    srv_start web "$SRV4" 80 --mode unread --unread-bytes 2048
    rec_begin unread-close
    lab_bg "$NS_CLI" uccli "$LAB_PY" "$PEER" client --dst "$SRV4" --port 80 --mode unread \
        --send-bytes 2048
    lab_bg_wait uccli 10
    rec_end
    srv_stop web
    peer_log uccli client
    peer_log web server
}

# Two connections: the server replies and sends its FIN by
# shutdown(SHUT_RDWR) (socket kept, FIN_WAIT2) on the first and by close()
# (orphan) on the second; the client reads to EOF, waits 0.2 s and sends
# more data: the server answers each with a RST.
sc_data-after-fin() {
    srv_start web "$SRV4" 80 --mode replyfin --fin-how rdwr,close
    rec_begin data-after-fin
    local i
    for i in 1 2; do
        lab_bg "$NS_CLI" dfcli$i "$LAB_PY" "$PEER" client --dst "$SRV4" --port 80 \
            --mode data-after-fin --pause 0.2
        lab_bg_wait dfcli$i 10
        sleep 0.2
    done
    rec_end
    srv_stop web
    peer_log dfcli1 client
    peer_log dfcli2 client
    peer_log web server
}

# The server replies and half-closes (shutdown SHUT_WR); the client reads
# to EOF and closes with SO_LINGER {1,0}: RST instead of its own FIN.
sc_fast-close() {
    srv_start web "$SRV4" 80 --mode replyfin --fin-how wr
    rec_begin fast-close
    lab_bg "$NS_CLI" fccli "$LAB_PY" "$PEER" client --dst "$SRV4" --port 80 --mode fast-close
    lab_bg_wait fccli 10
    sleep 0.2
    rec_end
    srv_stop web
    peer_log fccli client
    peer_log web server
}

# A line each way with SO_KEEPALIVE, TCP_KEEPIDLE 1, KEEPINTVL 1, KEEPCNT 3;
# then the router drops everything between the two (forward, both ways):
# three unanswered probes, then the client kernel's RST (ETIMEDOUT).
sc_keepalive-timeout() {
    rm -f "$TMP"/ka.*
    srv_start hold "$SRV4" 80 --mode hold
    rec_begin keepalive-timeout
    lab_bg "$NS_CLI" kacli "$LAB_PY" "$PEER" client --dst "$SRV4" --port 80 --mode keepalive \
        --keepidle 1 --keepintvl 1 --keepcnt 3 --phase-file "$TMP/ka.phase" --duration 10
    lab_wait_file "$TMP/ka.phase" 10
    lab_nft_chain "$NS_RTR" forward
    lab_nft "$NS_RTR" add rule inet rdlab forward ip saddr "$CLI4" ip daddr "$SRV4" counter drop
    lab_nft "$NS_RTR" add rule inet rdlab forward ip saddr "$SRV4" ip daddr "$CLI4" counter drop
    lab_bg_wait kacli 12
    rec_end
    lab_rtr nft list chain inet rdlab forward | grep counter | sed 's/^ */  router: /' >&2
    lab_nft_flush "$NS_RTR"
    srv_stop hold
    peer_log kacli client
}

# delay_start NAME SERVER-ADDR ip|ip6 [PORT]: the userspace delay line (20 ms)
# carries the server's PORT (80) segments to the client; the router's kernel
# no longer forwards them. delay_stop NAME ends it.
delay_start() {
    local port=${4:-80}
    lab_bg "$NS_RTR" "$1" "$LAB_PY" "$PEER" delayline --in-iface "$IF_RTR_S" \
        --out-iface "$IF_RTR_C" --src "$2" --sport "$port" --dst-mac "$MAC_CLI" \
        --src-mac "$MAC_RTR_C" --delay 0.020 --ready-file "$TMP/$1.dready" \
        --stop-file "$TMP/$1.dstop" --duration 30
    lab_wait_file "$TMP/$1.dready" 5 || return 1
    lab_nft_chain "$NS_RTR" forward
    lab_nft "$NS_RTR" add rule inet rdlab forward "$3" saddr "$2" tcp sport "$port" drop
}
delay_stop() { touch "$TMP/$1.dstop"; lab_bg_wait "$1" 5; lab_nft_flush "$NS_RTR"; }

# injector_start NAME SERVER CLIENT ip|ip6 PORT KEYWORD OFFSETS SRV-RST-DELAY:
# the delay line for the server's PORT, and the scapy injector in the router
# keyed on KEYWORD: RST/ACKs to the client at the server's next seq + each of
# OFFSETS, one to the server SRV-RST-DELAY s later. injector_stop NAME ends both.
injector_start() {
    local name=$1 srv=$2 cli=$3 fam=$4 port=$5 keyword=$6 offsets=$7 srv_delay=$8
    delay_start "$name-delay" "$srv" "$fam" "$port" || return 1
    lab_bg "$NS_RTR" "$name" "$LAB_PY" "$PEER" inject --sniff-iface "$IF_RTR_C" \
        --cli-iface "$IF_RTR_C" --srv-iface "$IF_RTR_S" --client "$cli" --server "$srv" \
        --port "$port" --keyword "$keyword" --offsets "$offsets" --cli-mac "$MAC_CLI" \
        --rtr-c-mac "$MAC_RTR_C" --srv-mac "$MAC_SRV" --rtr-s-mac "$MAC_RTR_S" \
        --srv-rst-delay "$srv_delay" --log "$TMP/$name.events" \
        --ready-file "$TMP/$name.ready" --stop-file "$TMP/$name.stop" --duration 30
    lab_wait_file "$TMP/$name.ready" 20 || return 1
    sleep 0.2
}
injector_stop() {
    touch "$TMP/$1.stop"
    lab_bg_wait "$1" 5
    delay_stop "$1-delay"
    sed 's/^/  injector: /' "$TMP/$1.events" >&2
    peer_log "$1-delay" router
}

# On-path injector in the router (scapy): sniffs the forwarded client->server
# segments on the router's client-side veth; on the keyword it sends three
# RST/ACKs to the client in the server's name (seq = server's next seq +0,
# +1460, +4380; TTL 64, fixed IP IDs) and, 10 ms later (so that the python
# server has surely answered before its socket dies), one to the server in
# the client's name. The original request goes on; the server answers at once.
# The lab kernel has no sch_netem, so a userspace delay line in the router
# forwards the server->client segments 20 ms late (RTT ~20 ms): the forged
# RSTs (2-8 ms after the request) reach the client first, the real response
# arrives after them.
injector() { # NAME SERVER-ADDR CLIENT-ADDR ip|ip6
    local name=$1 srv=$2 cli=$3 fam=$4
    rm -f "$TMP"/inj.* "$TMP"/inj-delay.*
    srv_start web "$srv" 80
    injector_start inj "$srv" "$cli" "$fam" 80 FORBIDDEN 0,1460,4380 0.010 || return 1
    rec_begin "$name"
    lab_bg "$NS_CLI" injcli "$LAB_PY" "$PEER" client --dst "$srv" --port 80 --mode inject \
        --keyword FORBIDDEN --pause 0.3
    lab_bg_wait injcli 10
    rec_end
    injector_stop inj
    srv_stop web
    peer_log injcli client
    peer_log web server
}
sc_injector() { injector injector "$SRV4" "$CLI4" ip; }

# The same injector keyed on the server name of a real TLS 1.3 ClientHello
# (python ssl, SNI blocked.example) to port 443: one forged RST/ACK to the
# client (seq = the server's next), one to the server 100 ms later (after the
# python server has answered the ClientHello). The server's real
# ServerHello flight, 20 ms behind through the delay line, arrives after the
# RST and meets the client kernel's resets (no socket).
sc_injector-tls() {
    rm -f "$TMP"/tls.* "$TMP"/tlsinj.* "$TMP"/tlsinj-delay.*
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/tls.key" -out "$TMP/tls.crt" \
        -days 2 -subj /CN=blocked.example >/dev/null 2>&1 || return 1
    srv_start tls "$SRV4" 443 --mode tls --cert "$TMP/tls.crt" --key "$TMP/tls.key"
    injector_start tlsinj "$SRV4" "$CLI4" ip 443 blocked.example 0 0.100 || return 1
    rec_begin injector-tls
    lab_bg "$NS_CLI" tlscli "$LAB_PY" "$PEER" client --dst "$SRV4" --port 443 --mode tls \
        --sni blocked.example --pause 0.3
    lab_bg_wait tlscli 10
    rec_end
    injector_stop tlsinj
    srv_stop tls
    peer_log tlscli client
    peer_log tls server
}
sc_injector-v6() { injector injector-v6 "$SRV6" "$CLI6" ip6; }

# ------------------------------------------------ false-positive controls
# Real-stack counterparts of the crafted fp-* captures: ordinary kernel
# resets that look suspicious to a naive rule (README "How sure is a verdict").

# In-flight answers (issue item 1) and the control socket's IP ID (item 2).
# The server streams its response in 300-byte writes 5 ms apart; the client
# reads the first segment and close()s (FIN) while the rest is in flight
# (20 ms delay line). The first late data segment kills the socket
# (TCP_ABORT_ON_DATA), the rest meet no socket (NO_SOCKET): one bare RST per
# segment, all with the same seq (the segments' common ACK), IP ID 0 from the
# kernel's control socket while the connection's own packets count up from
# a random start. The second connection runs with ip_no_pmtu_disc=1: no DF,
# so the client's packets take their IDs from the per-destination counter.
# Captured at the server's link, as in the arkime https2-301-get capture:
# each RST arrives a round trip after the segment it answers, behind the
# server's later segments, so the latest server segment is not the trigger.
sc_kernel-inflight() {
    srv_start web "$SRV4" 80 --mode stream --size 1500 --chunk 300 --chunk-gap 0.005 --nodelay
    delay_start kif "$SRV4" ip || return 1
    LAB_CAP_NS=$NS_SRV LAB_CAP_IF=$IF_SRV rec_begin kernel-inflight
    cli_run --dst "$SRV4" --port 80 --mode early-close --pause 0.3
    lab_cli sysctl -qw net.ipv4.ip_no_pmtu_disc=1
    cli_run --dst "$SRV4" --port 80 --mode early-close --pause 0.3
    rec_end
    delay_stop kif
    srv_stop web
    peer_log web server
}

# Connection racing (item 5): three rounds of two connects 2 ms apart to the
# same server port; the first to complete carries a GET, the other is closed
# in SYN-SENT (nothing sent) and its SYN/ACK, 2 ms behind through the delay
# line, meets no socket: the client kernel's bare RST, seq = its ACK.
sc_happy-eyeballs() {
    srv_start web "$SRV4" 80
    delay_start he "$SRV4" ip || return 1
    rec_begin happy-eyeballs
    lab_bg "$NS_CLI" hecli "$LAB_PY" "$PEER" client --dst "$SRV4" --port 80 --mode race \
        --rounds 3 --gap 0.002 --pause 0.3
    lab_bg_wait hecli 15
    rec_end
    delay_stop he
    srv_stop web
    peer_log hecli client
}

# A sender with two TTLs of its own (item 4), the corelight-asyncrat form:
# handshake over the short path (TTL 63 at the client), then a route change
# sends the server's replies over a second router (TTL 62), then the route
# changes back and at once the server aborts (SO_LINGER 0): its RST/ACK has
# the handshake's TTL, not that of the replies just before it, and its IP ID
# continues the connection's.
sc_route-flap-ttls() {
    rm -f "$TMP"/rf.*
    lab_second_path_up || return 1
    srv_start hold "$SRV4" 80 --mode hold --abort-file "$TMP/rf.abort"
    rec_begin route-flap-ttls
    lab_bg "$NS_CLI" rfcli "$LAB_PY" "$PEER" client --dst "$SRV4" --port 80 --mode lines \
        --gap 0.2 --count 40 --phase-file "$TMP/rf.phase"
    lab_wait_file "$TMP/rf.phase" 10
    sleep 0.5
    lab_srv ip route change default via "$RT2_S4"
    sleep 1.0
    lab_srv ip route change default via "$RTR_S4"
    touch "$TMP/rf.abort"
    lab_bg_wait rfcli 10
    rec_end
    srv_stop hold
    peer_log rfcli client
}

# Copies (item 3): captured in the router on both links into one file
# (tcpdump -i any): every packet twice, TTL one lower on the way out, same
# IP ID. A GET, a refused connection to port 81 and a server abort.
sc_router-two-links() {
    rm -f "$TMP"/r2.*
    srv_start hold "$SRV4" 80 --mode hold --abort-file "$TMP/r2.abort"
    LAB_CAP_NS=$NS_RTR LAB_CAP_IF=any rec_begin router-two-links
    cli_run --dst "$SRV4" --port 81 --mode refused
    lab_bg "$NS_CLI" r2cli "$LAB_PY" "$PEER" client --dst "$SRV4" --port 80 --mode lines \
        --gap 0.2 --count 40 --phase-file "$TMP/r2.phase"
    lab_wait_file "$TMP/r2.phase" 10
    sleep 0.5
    touch "$TMP/r2.abort"
    lab_bg_wait r2cli 10
    rec_end
    srv_stop hold
    peer_log r2cli client
}

# Sourced (make-multipoint.sh reuses the helpers and scenarios above): stop here.
if [[ ${BASH_SOURCE[0]} != "$0" ]]; then return 0; fi

# ------------------------------------------------------------ driver
run_real() {
    local name=$1
    echo "== $name (real)" >&2
    lab_up >/dev/null || { FAILED+=("$name"); return; }
    if ! "sc_$name"; then
        echo "  scenario $name returned an error" >&2
    fi
    rec_end
    lab_down
    [[ -s $LAB_OUT/$name.pcap ]] || { FAILED+=("$name"); return; }
    local trace=()
    [[ -f $LAB_OUT/$name.rstreason.txt ]] && trace=(--trace "$LAB_OUT/$name.rstreason.txt")
    "$LAB_PY" "$TRUTH" "$name" "$LAB_OUT/$name.pcap" "${trace[@]}" \
        -o "$LAB_OUT/$name.truth.tsv" || FAILED+=("$name")
}

run_crafted() {
    local names=("$@")
    ((${#names[@]})) || return 0
    echo "== crafted: ${names[*]}" >&2
    "$LAB_PY" "$LAB_DIR/craft.py" -o "$LAB_OUT" "${names[@]}" || { FAILED+=("${names[@]}"); return; }
    # determinism check: a second run must give byte-identical files
    "$LAB_PY" "$LAB_DIR/craft.py" -o "$TMP/recraft" "${names[@]}" >/dev/null
    local n
    for n in "${names[@]}"; do
        cmp -s "$LAB_OUT/$n.pcap" "$TMP/recraft/$n.pcap" ||
            { echo "  $n: crafting is not deterministic" >&2; FAILED+=("$n"); }
        "$LAB_PY" "$TRUTH" "$n" "$LAB_OUT/$n.pcap" -o "$LAB_OUT/$n.truth.tsv" || FAILED+=("$n")
    done
}

want=("$@")
((${#want[@]})) || want=("${REAL_SCENARIOS[@]}" "${CRAFTED_SCENARIOS[@]}")
real=() crafted=()
for n in "${want[@]}"; do
    if [[ " ${REAL_SCENARIOS[*]} " == *" $n "* ]]; then
        real+=("$n")
    elif [[ " ${CRAFTED_SCENARIOS[*]} " == *" $n "* ]]; then
        crafted+=("$n")
    else
        die "unknown scenario $n"
    fi
done

for n in "${real[@]}"; do run_real "$n"; done
run_crafted "${crafted[@]}"

echo
echo "made in ${LAB_OUT#"$REPO"/}:"
for n in "${want[@]}"; do
    f=$LAB_OUT/$n.pcap
    [[ -f $f ]] || continue
    rows=$(($(wc -l <"$LAB_OUT/$n.truth.tsv" 2>/dev/null || echo 1) - 1))
    extra=""
    [[ -f $LAB_OUT/$n.rstreason.txt ]] &&
        extra=" + $(grep -vc '^#' "$LAB_OUT/$n.rstreason.txt") kernel reset events"
    printf '  %-20s %6d bytes  %3d frames  %d RST rows%s\n' "$n.pcap" "$(stat -c %s "$f")" \
        "$(tshark -r "$f" 2>/dev/null | wc -l)" "$rows" "$extra"
done
if ((${#FAILED[@]})); then
    echo "FAILED: ${FAILED[*]}" >&2
    exit 1
fi
