#!/usr/bin/env bash
# make-multipoint.sh - multi-point rstdiag test captures: each scenario is
# captured at the same time on the client's link (cli0, in the client netns)
# and on the server's link (srv0, in the server netns) with dumpcap (pcapng,
# interface names kept), and the two files are merged with `mergecap -I none`.
#
#   sudo test/lab/make-multipoint.sh             # all scenarios
#   sudo test/lab/make-multipoint.sh mp-injector # one (and its variants)
#
# Scenarios: mp-clean mp-firewall-reject mp-injector mp-injector-v6
# mp-server-abort. The clock-offset variants come from the same two
# recordings, the server-side file shifted with `editcap -t` before merging:
# mp-firewall-reject-offset, mp-injector-offset, mp-server-abort-offset
# (+3.217 s), mp-injector-skew (-45.5 s), mp-server-abort-interleaved
# (-0.0123 s, shorter than the exchange: the points' copies interleave). Naming a variant records its base scenario and rewrites the base
# and all of its variants.
#
# Writes $LAB_OUT/NAME.pcapng, NAME.truth.tsv (truth_multipoint.py) and
# NAME.rstreason.txt (the variants get a copy of their base's). The one-sided
# recordings stay in the scratch dir (LAB_KEEP_TMP=1 keeps it). The scenario
# bodies and helpers are make-captures.sh's (sourced), only the recording is
# different. Needs root, dumpcap, mergecap, editcap, tshark, /usr/bin/python3
# with scapy. Nothing leaves the lab namespaces.
set -u
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=make-captures.sh
source "$LAB_DIR/make-captures.sh" # helpers + scenarios (its driver does not run)
MP_TRUTH=$LAB_DIR/truth_multipoint.py

MP_SCENARIOS=(mp-clean mp-firewall-reject mp-injector mp-injector-v6 mp-server-abort)
# variant -> base and the server-side clock shift (editcap -t seconds)
declare -A MP_VARIANT_OF=([mp-firewall-reject-offset]=mp-firewall-reject
    [mp-injector-offset]=mp-injector [mp-server-abort-offset]=mp-server-abort
    [mp-injector-skew]=mp-injector [mp-server-abort-interleaved]=mp-server-abort)
# -0.0123 s is shorter than the exchange: the two points' copies interleave.
declare -A MP_SHIFT=([mp-firewall-reject-offset]=3.217 [mp-injector-offset]=3.217
    [mp-server-abort-offset]=3.217 [mp-injector-skew]=-45.5
    [mp-server-abort-interleaved]=-0.0123)
MP_VARIANT_ORDER=(mp-firewall-reject-offset mp-injector-offset mp-injector-skew
    mp-server-abort-offset mp-server-abort-interleaved)

for t in dumpcap mergecap editcap; do
    command -v "$t" >/dev/null || die "missing tool: $t"
done

# ------------------------------------------------------------ recording
# rec_begin/rec_end as the scenarios call them, recording at both points:
# $TMP/NAME.cli0.pcapng and $TMP/NAME.srv0.pcapng, kernel reasons to
# $LAB_OUT/NAME.rstreason.txt. NAME is the running multi-point scenario
# ($MP_CUR), whatever name the reused scenario body passes.
MP_CUR=
rec_begin() {
    lab_pcapng_start "$NS_CLI" "$IF_CLI" "$TMP/$MP_CUR.cli0.pcapng" &&
        lab_pcapng_start "$NS_SRV" "$IF_SRV" "$TMP/$MP_CUR.srv0.pcapng" &&
        trace_start "$MP_CUR"
}
rec_end() { trace_stop; lab_pcapng_stop; }

# ------------------------------------------------------------ scenarios
# HTTP/1.0 GET to :80, the server closes first, FIN both ways: no RST.
mp_clean() { sc_clean-v4; }

# GET to :80 (the server seen at both points), then a SYN to :81 that the
# router's nft rejects with a RST in the server's name (the server does
# listen on 81): the SYN and the RST exist only on cli0.
mp_firewall_reject() { firewall_reject mp-firewall-reject "$SRV4" "ip daddr $SRV4"; }

# The injector scenario as it is: forged RST/ACKs to the client in the
# server's name (3, cli0 only), one to the server in the client's name 10 ms
# later (srv0 only), the server's real answer delayed 20 ms in the router;
# the client kernel's no-socket RSTs to the late answer cross both points.
mp_injector() { injector mp-injector "$SRV4" "$CLI4" ip; }
# The same over IPv6 (no IP ID: copies are matched without it).
mp_injector_v6() { injector mp-injector-v6 "$SRV6" "$CLI6" ip6; }

# The server accepts, never reads, and close()s with 2 KB unread: its
# RST/ACK (TCP_ABORT_ON_CLOSE) crosses both points (TTL 64 at srv0, 63 at cli0).
mp_server_abort() { sc_unread-close; }

# ------------------------------------------------------------ driver
# merge NAME SRV0-FILE: the merged capture NAME.pcapng, two interfaces
mp_merge() {
    local name=$1 srvfile=$2 out=$LAB_OUT/$1.pcapng
    rm -f "$out"
    mergecap -I none -w "$out" "$TMP/$MP_BASE.cli0.pcapng" "$srvfile" || return 1
    local ifs
    ifs=$(tshark -n -r "$out" -T fields -e frame.interface_id -e frame.interface_name 2>/dev/null |
        sort -u | tr '\t\n' ': ')
    if [[ $ifs != "0:cli0 1:srv0 " ]]; then
        echo "  $name: interfaces in the merged file: '$ifs' (want 0:cli0 1:srv0)" >&2
        return 1
    fi
}

# mp_truth NAME BASE [SHIFT]
mp_truth() {
    local name=$1 base=$2 shift=${3:-} args=()
    [[ -f $LAB_OUT/$name.rstreason.txt ]] && args+=(--trace "$LAB_OUT/$name.rstreason.txt")
    [[ -n $shift ]] && args+=(--shift "srv0=$shift")
    "$LAB_PY" "$MP_TRUTH" "$name" "$LAB_OUT/$name.pcapng" --rule "$base" "${args[@]}" \
        -o "$LAB_OUT/$name.truth.tsv"
}

run_mp() {
    local base=$1
    MP_BASE=$base MP_CUR=$base
    echo "== $base (multi-point: cli0 + srv0)" >&2
    rm -f "$TMP/$base".*.pcapng
    lab_up >/dev/null || { FAILED+=("$base"); return; }
    if ! "${base//-/_}"; then
        echo "  scenario $base returned an error" >&2
    fi
    rec_end
    lab_down
    local f
    for f in "$TMP/$base.cli0.pcapng" "$TMP/$base.srv0.pcapng"; do
        [[ -s $f ]] || { echo "  $base: no capture $f" >&2; FAILED+=("$base"); return; }
    done
    mp_merge "$base" "$TMP/$base.srv0.pcapng" || { FAILED+=("$base"); return; }
    mp_truth "$base" "$base" || FAILED+=("$base")
    local v
    for v in "${MP_VARIANT_ORDER[@]}"; do
        [[ ${MP_VARIANT_OF[$v]} == "$base" ]] || continue
        editcap -t "${MP_SHIFT[$v]}" "$TMP/$base.srv0.pcapng" "$TMP/$v.srv0.pcapng" ||
            { FAILED+=("$v"); continue; }
        mp_merge "$v" "$TMP/$v.srv0.pcapng" || { FAILED+=("$v"); continue; }
        if [[ -f $LAB_OUT/$base.rstreason.txt ]]; then
            cp "$LAB_OUT/$base.rstreason.txt" "$LAB_OUT/$v.rstreason.txt"
        else
            rm -f "$LAB_OUT/$v.rstreason.txt"
        fi
        mp_truth "$v" "$base" "${MP_SHIFT[$v]}" || FAILED+=("$v")
    done
}

want=("$@")
((${#want[@]})) || want=("${MP_SCENARIOS[@]}")
bases=()
for n in "${want[@]}"; do
    b=${MP_VARIANT_OF[$n]:-$n}
    [[ " ${MP_SCENARIOS[*]} " == *" $b "* ]] || die "unknown scenario $n"
    [[ " ${bases[*]} " == *" $b "* ]] || bases+=("$b")
done

for b in "${bases[@]}"; do run_mp "$b"; done

echo
echo "made in ${LAB_OUT#"$REPO"/}:"
for b in "${bases[@]}"; do
    for n in "$b" "${MP_VARIANT_ORDER[@]}"; do
        [[ $n == "$b" || ${MP_VARIANT_OF[$n]} == "$b" ]] || continue
        f=$LAB_OUT/$n.pcapng
        [[ -f $f ]] || continue
        rows=$(($(wc -l <"$LAB_OUT/$n.truth.tsv" 2>/dev/null || echo 1) - 1))
        printf '  %-32s %6d bytes  %3d frames (cli0 %d, srv0 %d)  %d RST rows\n' "$n.pcapng" \
            "$(stat -c %s "$f")" "$(tshark -r "$f" 2>/dev/null | wc -l)" \
            "$(tshark -r "$f" -Y 'frame.interface_name == "cli0"' 2>/dev/null | wc -l)" \
            "$(tshark -r "$f" -Y 'frame.interface_name == "srv0"' 2>/dev/null | wc -l)" "$rows"
    done
done
if ((${#FAILED[@]})); then
    echo "FAILED: ${FAILED[*]}" >&2
    exit 1
fi
