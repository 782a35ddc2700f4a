# shellcheck shell=bash
# netlab.sh - sourceable bash library: a three-namespace IPv4/IPv6 lab for
# capturing real TCP RSTs from Linux stacks (rstdiag test captures).
#
#   client ns  ${LAB_PREFIX}-cli  cli0 10.201.1.2/24 fd00:201:1::2/64
#                                   |  (veth)
#   router ns  ${LAB_PREFIX}-rtr  rtr-c 10.201.1.1/24 fd00:201:1::1/64
#                                 rtr-s 10.201.2.1/24 fd00:201:2::1/64
#                                   |  (veth)
#   server ns  ${LAB_PREFIX}-srv  srv0 10.201.2.2/24 fd00:201:2::2/64
#
# Everything stays inside these namespaces; nothing is routed to the host.
# TTL / hop limit 64 everywhere: at the client capture point the server's
# packets arrive with 63, packets the router originates (nft reject) with 64.
#
# Usage (as root):
#   source test/lab/netlab.sh
#   trap lab_cleanup EXIT
#   lab_up
#   lab_capture_start NAME            # -> $LAB_OUT/NAME.pcap  (client veth)
#   trace_start NAME                  # -> $LAB_OUT/NAME.rstreason.txt
#   lab_cli CMD... / lab_rtr CMD... / lab_srv CMD...   # run in a namespace
#   lab_bg NS LOGNAME CMD...          # background job in NS (pid tracked)
#   trace_stop; lab_capture_stop
#   lab_down
#
# Multi-point (pcapng, the interface name in each file, for mergecap -I none):
#   lab_pcapng_start NS IFACE FILE    # dumpcap on IFACE inside NS, any number
#   lab_pcapng_stop                   # stops them all (after a settle delay)
#
# Tunables (set before sourcing or before lab_up):
#   LAB_PREFIX (rd)  LAB_OUT (test/captures)  LAB_TMP (mktemp dir)
#   LAB_STATIC_NEIGH (1: permanent ARP/NDP entries, so no ARP/NS in captures)
#   LAB_CAPTURE_FILTER (default below)  LAB_PY (/usr/bin/python3)
#   LAB_SNAPLEN (0 = whole packets; a scenario may set it for its capture)
#   LAB_PCAPNG_SETTLE (1.0 s: wait before stopping dumpcap, see lab_pcapng_stop)
#   LAB_PCAPNG_MAX (300 s: dumpcap stops by itself after that, a safety bound)

LAB_PREFIX=${LAB_PREFIX:-rd}
LAB_PY=${LAB_PY:-/usr/bin/python3}
LAB_DIR=${LAB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
LAB_OUT=${LAB_OUT:-$(cd "$LAB_DIR/../.." && pwd)/test/captures}
LAB_STATIC_NEIGH=${LAB_STATIC_NEIGH:-1}
# Everything a RST diagnosis can need (TCP, UDP, ICMP/ICMPv6 errors, ARP);
# leaves out only IPv6 packets with extension headers first (MLD reports).
LAB_CAPTURE_FILTER=${LAB_CAPTURE_FILTER:-tcp or udp or icmp or icmp6 or arp}
LAB_SNAPLEN=${LAB_SNAPLEN:-0}

# names and addresses
NS_CLI=${LAB_PREFIX}-cli
NS_RTR=${LAB_PREFIX}-rtr
NS_SRV=${LAB_PREFIX}-srv
NS_RT2=${LAB_PREFIX}-rt2   # only while a scenario needs a second path (lab_second_path_up)
IF_CLI=cli0      # in NS_CLI
IF_RTR_C=rtr-c   # in NS_RTR, client side
IF_RTR_S=rtr-s   # in NS_RTR, server side
IF_SRV=srv0      # in NS_SRV
# LAB_NET (201) is the second octet of every address: another value gives a
# variant of the same lab with other addresses (./rstdiag lab regenerate).
LAB_NET=${LAB_NET:-201}
_LAB_NET_HEX=$(printf '%02x' "$LAB_NET")
CLI4=10.$LAB_NET.1.2;  RTR_C4=10.$LAB_NET.1.1;  RTR_S4=10.$LAB_NET.2.1;  SRV4=10.$LAB_NET.2.2
CLI6=fd00:$LAB_NET:1::2; RTR_C6=fd00:$LAB_NET:1::1; RTR_S6=fd00:$LAB_NET:2::1; SRV6=fd00:$LAB_NET:2::2
MAC_CLI=02:00:0a:$_LAB_NET_HEX:01:02
MAC_RTR_C=02:00:0a:$_LAB_NET_HEX:01:01
MAC_RTR_S=02:00:0a:$_LAB_NET_HEX:02:01
MAC_SRV=02:00:0a:$_LAB_NET_HEX:02:02

_LAB_BG_PIDS=()
_LAB_CAP_PID=
_LAB_CAP_FILE=
_LAB_TRACE_DIR=
_LAB_TRACE_OUT=
_LAB_PCAPNG_PIDS=()
_LAB_PCAPNG_FILES=()
_LAB_PCAPNG_ERRS=()
LAB_PCAPNG_SETTLE=${LAB_PCAPNG_SETTLE:-1.0}

lab_log() { printf '[netlab] %s\n' "$*" >&2; }

lab_cli() { ip netns exec "$NS_CLI" "$@"; }
lab_rtr() { ip netns exec "$NS_RTR" "$@"; }
lab_srv() { ip netns exec "$NS_SRV" "$@"; }

# lab_tmp: make sure $LAB_TMP is a private scratch dir (sync files, logs);
# call it directly (not in $(...)) so that the variable sticks
lab_tmp() {
    if [[ -z ${LAB_TMP:-} || ! -d $LAB_TMP ]]; then
        LAB_TMP=$(mktemp -d /tmp/rstdiag-lab.XXXXXX)
    fi
}

# lab_wait_file PATH [TIMEOUT_S]: wait for a sync file written by a peer
lab_wait_file() {
    local f=$1 t=${2:-10} i=0
    while [[ ! -e $f ]]; do
        sleep 0.02
        i=$((i + 1))
        if ((i > t * 50)); then
            lab_log "timeout waiting for $f"
            return 1
        fi
    done
}

_lab_sysctl() { # NS key=value...
    local ns=$1; shift
    local kv
    for kv in "$@"; do
        ip netns exec "$ns" sysctl -qw "$kv" >/dev/null 2>&1 ||
            lab_log "sysctl $kv failed in $ns (ignored)"
    done
}

# Turn off checksum/segmentation offloads so captured segments are wire-sized
# and carry final checksums. Uses ethtool if installed, else the legacy
# ETHTOOL_S* ioctls from python (same effect as ethtool -K).
_lab_offloads_off() { # NS IFACE
    local ns=$1 ifc=$2
    if command -v ethtool >/dev/null 2>&1; then
        ip netns exec "$ns" ethtool -K "$ifc" tx off sg off tso off gso off gro off >/dev/null 2>&1 ||
            lab_log "ethtool -K $ifc failed in $ns (ignored)"
        return 0
    fi
    ip netns exec "$ns" "$LAB_PY" - "$ifc" <<'EOF' || lab_log "offload ioctl failed for $2 in $1 (ignored)"
import ctypes, fcntl, socket, struct, sys
SIOCETHTOOL = 0x8946
# legacy set commands: TXCSUM, SG, TSO, GSO, GRO
CMDS = {"tx": 0x17, "sg": 0x19, "tso": 0x1f, "gso": 0x24, "gro": 0x2c}
ifc = sys.argv[1].encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
bad = []
for name in ("tso", "gso", "gro", "sg", "tx"):
    buf = ctypes.create_string_buffer(struct.pack("II", CMDS[name], 0))
    ifr = struct.pack("16sP", ifc, ctypes.addressof(buf)).ljust(40, b"\0")
    try:
        fcntl.ioctl(s, SIOCETHTOOL, ifr)
    except OSError as e:
        bad.append("%s:%s" % (name, e.strerror))
if bad:
    print("offloads not all off on %s: %s" % (ifc.decode(), " ".join(bad)), file=sys.stderr)
EOF
}

_lab_ns_base() { # NS: loopback + sysctls common to all three namespaces
    local ns=$1
    ip netns exec "$ns" ip link set lo up
    _lab_sysctl "$ns" \
        net.ipv4.ip_default_ttl=64 \
        net.ipv6.conf.all.hop_limit=64 net.ipv6.conf.default.hop_limit=64 \
        net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
        net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

_lab_if_up() { # NS IFACE MAC ADDR4 ADDR6
    local ns=$1 ifc=$2 mac=$3 a4=$4 a6=$5
    ip netns exec "$ns" ip link set "$ifc" address "$mac"
    _lab_sysctl "$ns" "net.ipv6.conf.$ifc.accept_dad=0" "net.ipv6.conf.$ifc.hop_limit=64"
    _lab_offloads_off "$ns" "$ifc"
    ip netns exec "$ns" ip addr add "$a4/24" dev "$ifc"
    ip netns exec "$ns" ip -6 addr add "$a6/64" dev "$ifc" nodad
    ip netns exec "$ns" ip link set "$ifc" up
}

_lab_neigh() { # NS IFACE IP MAC
    ip netns exec "$1" ip neigh replace "$3" lladdr "$4" dev "$2" nud permanent
}

lab_exists() { ip netns list 2>/dev/null | grep -qw "^$NS_CLI"; }

# lab_up: (re)create the three namespaces from scratch
lab_up() {
    [[ $EUID -eq 0 ]] || { lab_log "must run as root"; return 1; }
    lab_down
    local ns
    for ns in "$NS_CLI" "$NS_RTR" "$NS_SRV"; do
        ip netns add "$ns" || return 1
        _lab_ns_base "$ns"
    done
    ip link add "$IF_CLI" netns "$NS_CLI" type veth peer name "$IF_RTR_C" netns "$NS_RTR" || return 1
    ip link add "$IF_SRV" netns "$NS_SRV" type veth peer name "$IF_RTR_S" netns "$NS_RTR" || return 1
    _lab_sysctl "$NS_RTR" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    _lab_if_up "$NS_CLI" "$IF_CLI" "$MAC_CLI" "$CLI4" "$CLI6"
    _lab_if_up "$NS_RTR" "$IF_RTR_C" "$MAC_RTR_C" "$RTR_C4" "$RTR_C6"
    _lab_if_up "$NS_RTR" "$IF_RTR_S" "$MAC_RTR_S" "$RTR_S4" "$RTR_S6"
    _lab_if_up "$NS_SRV" "$IF_SRV" "$MAC_SRV" "$SRV4" "$SRV6"
    lab_cli ip route add default via "$RTR_C4"
    lab_cli ip -6 route add default via "$RTR_C6"
    lab_srv ip route add default via "$RTR_S4"
    lab_srv ip -6 route add default via "$RTR_S6"
    if [[ $LAB_STATIC_NEIGH == 1 ]]; then
        _lab_neigh "$NS_CLI" "$IF_CLI" "$RTR_C4" "$MAC_RTR_C"
        _lab_neigh "$NS_CLI" "$IF_CLI" "$RTR_C6" "$MAC_RTR_C"
        _lab_neigh "$NS_RTR" "$IF_RTR_C" "$CLI4" "$MAC_CLI"
        _lab_neigh "$NS_RTR" "$IF_RTR_C" "$CLI6" "$MAC_CLI"
        _lab_neigh "$NS_RTR" "$IF_RTR_S" "$SRV4" "$MAC_SRV"
        _lab_neigh "$NS_RTR" "$IF_RTR_S" "$SRV6" "$MAC_SRV"
        _lab_neigh "$NS_SRV" "$IF_SRV" "$RTR_S4" "$MAC_RTR_S"
        _lab_neigh "$NS_SRV" "$IF_SRV" "$RTR_S6" "$MAC_RTR_S"
    fi
    # sanity: both families end to end
    if ! lab_cli ping -c1 -W2 -q "$SRV4" >/dev/null 2>&1 ||
       ! lab_cli ping -6 -c1 -W2 -q "$SRV6" >/dev/null 2>&1; then
        lab_log "lab_up: ping client->server failed"
        return 1
    fi
    lab_log "lab up: $NS_CLI <-> $NS_RTR <-> $NS_SRV"
}

# lab_second_path_up: a second, longer way from the server to the client
# (server srv1 10.201.3.2 -> rt2 -> 10.201.4.1 router -> client), for route
# changes: `lab_srv ip route change default via $RT2_S4` sends the server's
# packets the long way (TTL 62 at the client), `via $RTR_S4` the short one.
RT2_S4=10.$LAB_NET.3.1
lab_second_path_up() {
    ip netns add "$NS_RT2" || return 1
    _lab_ns_base "$NS_RT2"
    ip link add srv1 netns "$NS_SRV" type veth peer name r2-s netns "$NS_RT2" || return 1
    ip link add r2-r netns "$NS_RT2" type veth peer name rtr-2 netns "$NS_RTR" || return 1
    _lab_sysctl "$NS_RT2" net.ipv4.ip_forward=1
    local ns ifc addr ns_if_addr
    for ns_if_addr in "$NS_SRV srv1 10.$LAB_NET.3.2/24" "$NS_RT2 r2-s $RT2_S4/24" \
                      "$NS_RT2 r2-r 10.$LAB_NET.4.2/24" "$NS_RTR rtr-2 10.$LAB_NET.4.1/24"; do
        read -r ns ifc addr <<<"$ns_if_addr"
        ip -n "$ns" addr add "$addr" dev "$ifc" || return 1
        ip -n "$ns" link set "$ifc" up || return 1
        _lab_offloads_off "$ns" "$ifc"
    done
    ip -n "$NS_RT2" route add "10.$LAB_NET.1.0/24" via "10.$LAB_NET.4.1" || return 1
    lab_log "second path up: $NS_SRV srv1 -> $NS_RT2 -> $NS_RTR rtr-2"
}

# lab_bg NS NAME CMD...: start CMD in NS in the background, bounded by
# `timeout` (LAB_BG_TIMEOUT, default 60 s); pid goes to _LAB_BG_PIDS and
# $LAB_TMP/NAME.pid, output to $LAB_TMP/NAME.log.
lab_bg() {
    local ns=$1 name=$2; shift 2
    lab_tmp; local tmp=$LAB_TMP
    ip netns exec "$ns" timeout -k 2 "${LAB_BG_TIMEOUT:-60}" "$@" >"$tmp/$name.log" 2>&1 &
    local pid=$!
    _LAB_BG_PIDS+=("$pid")
    echo "$pid" >"$tmp/$name.pid"
    # shellcheck disable=SC2034 # for callers
    LAB_LAST_PID=$pid
}

# lab_bg_wait NAME [TIMEOUT_S]: wait for a job started with lab_bg to exit
lab_bg_wait() {
    lab_tmp; local tmp=$LAB_TMP
    local pid; pid=$(cat "$tmp/$1.pid" 2>/dev/null) || return 0
    local t=${2:-15} i=0
    while kill -0 "$pid" 2>/dev/null; do
        sleep 0.05
        i=$((i + 1))
        if ((i > t * 20)); then
            lab_log "job $1 ($pid) still running after ${t}s, stopping it"
            kill -TERM "$pid" 2>/dev/null
            break
        fi
    done
    wait "$pid" 2>/dev/null
}

# lab_bg_stop NAME: stop one background job (by its pid)
lab_bg_stop() {
    lab_tmp; local tmp=$LAB_TMP
    local pid; pid=$(cat "$tmp/$1.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null
    lab_bg_wait "$1" 3
}

lab_bg_stop_all() {
    local pid
    for pid in "${_LAB_BG_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${_LAB_BG_PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    _LAB_BG_PIDS=()
}

# lab_capture_start NAME [FILE]: tcpdump on the client veth, pcap format
# (LAB_CAP_NS / LAB_CAP_IF choose another capture point, e.g. the router
# namespace and `any`: both of its links into one file)
lab_capture_start() {
    local name=$1 file=${2:-$LAB_OUT/$1.pcap}
    lab_tmp; local tmp=$LAB_TMP
    mkdir -p "$(dirname "$file")"
    rm -f "$file"
    : >"$tmp/tcpdump-$name.err"
    ip netns exec "${LAB_CAP_NS:-$NS_CLI}" tcpdump -i "${LAB_CAP_IF:-$IF_CLI}" -s "${LAB_SNAPLEN:-0}" -U --immediate-mode -n -Z root \
        -w "$file" "$LAB_CAPTURE_FILTER" 2>"$tmp/tcpdump-$name.err" &
    _LAB_CAP_PID=$!
    _LAB_CAP_FILE=$file
    local i=0
    until grep -q 'listening on' "$tmp/tcpdump-$name.err"; do
        if ! kill -0 "$_LAB_CAP_PID" 2>/dev/null || ((i++ > 250)); then
            lab_log "tcpdump did not start: $(cat "$tmp/tcpdump-$name.err")"
            return 1
        fi
        sleep 0.02
    done
    sleep 0.1 # the socket is bound and the filter attached once it says so
}

lab_capture_stop() {
    [[ -n $_LAB_CAP_PID ]] || return 0
    sleep 0.2
    kill -INT "$_LAB_CAP_PID" 2>/dev/null
    wait "$_LAB_CAP_PID" 2>/dev/null
    _LAB_CAP_PID=
    lab_log "captured $_LAB_CAP_FILE ($(stat -c %s "$_LAB_CAP_FILE" 2>/dev/null || echo 0) bytes)"
}

# lab_pcapng_start NS IFACE FILE: dumpcap on IFACE inside netns NS, written
# as pcapng (FILE), whose interface description block carries IFACE's name:
# after `mergecap -I none` every frame still says where it was seen
# (frame.interface_name). Same filter and snaplen as lab_capture_start.
# Several may run at once (one per capture point); lab_pcapng_stop ends all.
lab_pcapng_start() {
    local ns=$1 ifc=$2 file=$3
    lab_tmp; local tmp=$LAB_TMP
    mkdir -p "$(dirname "$file")"
    rm -f "$file"
    local err=$tmp/dumpcap-${#_LAB_PCAPNG_PIDS[@]}-$ns-$ifc.err
    local snap=()
    ((${LAB_SNAPLEN:-0} > 0)) && snap=(-s "$LAB_SNAPLEN")
    : >"$err"
    ip netns exec "$ns" dumpcap -i "$ifc" "${snap[@]}" -f "$LAB_CAPTURE_FILTER" -w "$file" \
        -a "duration:${LAB_PCAPNG_MAX:-300}" 2>"$err" &
    local pid=$!
    _LAB_PCAPNG_PIDS+=("$pid")
    _LAB_PCAPNG_FILES+=("$file")
    _LAB_PCAPNG_ERRS+=("$err")
    local i=0
    # "File: ..." comes once the interface is open, the filter set and the
    # output file written
    until grep -q '^File:' "$err"; do
        if ! kill -0 "$pid" 2>/dev/null || ((i++ > 250)); then
            lab_log "dumpcap on $ns/$ifc did not start: $(cat "$err")"
            return 1
        fi
        sleep 0.02
    done
    sleep 0.1
}

# lab_pcapng_stop: stop every lab_pcapng_start capture. dumpcap 4.0 has no
# immediate mode: libpcap's TPACKET_V3 ring hands packets over in blocks
# retired by a ~250 ms timer, and dumpcap does not drain the ring on SIGINT,
# so packets of the last ~0.25 s before the signal are lost. Hence the wait
# (LAB_PCAPNG_SETTLE, 1.0 s) with no traffic before the signal.
lab_pcapng_stop() {
    ((${#_LAB_PCAPNG_PIDS[@]})) || return 0
    sleep "$LAB_PCAPNG_SETTLE"
    local pid i
    for pid in "${_LAB_PCAPNG_PIDS[@]}"; do
        kill -INT "$pid" 2>/dev/null
    done
    for i in "${!_LAB_PCAPNG_PIDS[@]}"; do
        wait "${_LAB_PCAPNG_PIDS[$i]}" 2>/dev/null
        lab_log "captured ${_LAB_PCAPNG_FILES[$i]} ($(stat -c %s "${_LAB_PCAPNG_FILES[$i]}" \
            2>/dev/null || echo 0) bytes; dumpcap: $(grep -h -E '^Packets (captured|received)' \
            "${_LAB_PCAPNG_ERRS[$i]}" | tr '\n' ' '))"
    done
    _LAB_PCAPNG_PIDS=()
    _LAB_PCAPNG_FILES=()
    _LAB_PCAPNG_ERRS=()
}

# trace_start NAME [FILE]: record tcp:tcp_send_reset events (kernel RST
# reasons) in a private tracefs instance. Skips (returns 0) without tracefs.
LAB_TRACEFS=${LAB_TRACEFS:-/sys/kernel/tracing}
trace_available() {
    if [[ ! -d $LAB_TRACEFS/events ]]; then
        mount -t tracefs nodev "$LAB_TRACEFS" 2>/dev/null || true
    fi
    [[ -d $LAB_TRACEFS/instances && -d $LAB_TRACEFS/events/tcp/tcp_send_reset ]]
}

trace_start() {
    local name=$1 file=${2:-$LAB_OUT/$1.rstreason.txt}
    _LAB_TRACE_OUT=
    if ! trace_available; then
        lab_log "tracefs or tcp:tcp_send_reset unavailable; no kernel RST reasons"
        return 0
    fi
    local inst=$LAB_TRACEFS/instances/rstdiag-lab-$$
    [[ -d $inst ]] || mkdir "$inst" 2>/dev/null || {
        lab_log "cannot create tracefs instance; no kernel RST reasons"
        return 0
    }
    echo 0 >"$inst/tracing_on"
    # CLOCK_TAI: event times comparable with pcap times (offset noted below)
    echo tai >"$inst/trace_clock" 2>/dev/null || echo global >"$inst/trace_clock"
    : >"$inst/trace"
    echo 1 >"$inst/events/tcp/tcp_send_reset/enable" || {
        lab_log "cannot enable tcp_send_reset"
        return 0
    }
    echo 1 >"$inst/tracing_on"
    _LAB_TRACE_DIR=$inst
    _LAB_TRACE_OUT=$file
}

# trace_stop: write the lab's tcp_send_reset lines (lab addresses only)
trace_stop() {
    [[ -n $_LAB_TRACE_DIR && -n $_LAB_TRACE_OUT ]] || return 0
    sleep 0.1
    echo 0 >"$_LAB_TRACE_DIR/tracing_on"
    echo 0 >"$_LAB_TRACE_DIR/events/tcp/tcp_send_reset/enable"
    {
        printf '# tcp:tcp_send_reset events of the lab addresses; trace_clock=%s; tai_minus_realtime=%s\n' \
            "$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$_LAB_TRACE_DIR/trace_clock")" \
            "$("$LAB_PY" -c 'import time; print("%.6f" % (time.clock_gettime(time.CLOCK_TAI) - time.time()))')"
        grep -E "tcp_send_reset:.*(10\.$LAB_NET\.|fd00:$LAB_NET:)" "$_LAB_TRACE_DIR/trace" || true
    } >"$_LAB_TRACE_OUT"
    : >"$_LAB_TRACE_DIR/trace"
    _LAB_TRACE_OUT=
}

_lab_trace_release() {
    [[ -n $_LAB_TRACE_DIR && -d $_LAB_TRACE_DIR ]] || return 0
    echo 0 >"$_LAB_TRACE_DIR/tracing_on" 2>/dev/null
    echo 0 >"$_LAB_TRACE_DIR/events/tcp/tcp_send_reset/enable" 2>/dev/null
    rmdir "$_LAB_TRACE_DIR" 2>/dev/null
    _LAB_TRACE_DIR=
}

# lab_down: stop our jobs and capture, delete the namespaces (veths go too)
lab_down() {
    lab_bg_stop_all
    if [[ -n $_LAB_CAP_PID ]]; then
        kill -INT "$_LAB_CAP_PID" 2>/dev/null
        wait "$_LAB_CAP_PID" 2>/dev/null
        _LAB_CAP_PID=
    fi
    local ns pid
    for pid in "${_LAB_PCAPNG_PIDS[@]}"; do
        kill -INT "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    _LAB_PCAPNG_PIDS=() _LAB_PCAPNG_FILES=() _LAB_PCAPNG_ERRS=()
    for ns in "$NS_CLI" "$NS_RTR" "$NS_SRV" "$NS_RT2"; do
        if ip netns list 2>/dev/null | grep -qw "^$ns"; then
            # anything still running in our own namespaces was started by us
            for pid in $(ip netns pids "$ns" 2>/dev/null); do
                kill -TERM "$pid" 2>/dev/null
            done
            ip netns del "$ns" 2>/dev/null
        fi
    done
}

# lab_cleanup: for `trap lab_cleanup EXIT`
lab_cleanup() {
    trace_stop
    _lab_trace_release
    lab_down
    if [[ ${LAB_KEEP_TMP:-0} != 1 && -n ${LAB_TMP:-} && -d $LAB_TMP && $LAB_TMP == /tmp/rstdiag-lab.* ]]; then
        rm -rf "$LAB_TMP"
    fi
}

# nftables helpers: one table "rdlab" (inet) per namespace
# lab_nft NS 'nft commands...'  e.g. lab_nft "$NS_RTR" 'add rule inet rdlab fwd ...'
lab_nft() { local ns=$1; shift; ip netns exec "$ns" nft "$@"; }
# lab_nft_chain NS HOOK: create table inet rdlab with a filter chain named
# after the hook (input/forward/output) at priority 0, policy accept
lab_nft_chain() {
    local ns=$1 hook=$2
    ip netns exec "$ns" nft -f - <<EOF
table inet rdlab {
    chain $hook {
        type filter hook $hook priority 0; policy accept;
    }
}
EOF
}
lab_nft_flush() { ip netns exec "$1" nft delete table inet rdlab 2>/dev/null || true; }
