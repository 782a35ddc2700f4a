#!/bin/bash
# The long fuzz campaign (Wireshark's tools/fuzz-test.sh recipe): editcap -E
# mutations of every test capture and of the public corpus, and randpkt TCP and
# ICMP captures, dissected by tshark with the sanitized plugin (ASan + UBSan
# runtime preloaded), strict wmem and abort on dissector bugs, alternating
# single pass and -2, until TARGET mutated packets have been dissected.
#   test/fuzz/campaign.sh SANITIZED_PLUGIN OUTDIR [TARGET_PACKETS [FIRST_SEED]]
# (default 1000000 packets from seed 1; run several with other seeds in parallel)
# Failing inputs are kept in OUTDIR/failures (an input that also fails without
# rstdiag is Wireshark's own bug, counted apart); the last line is the figure.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
plugin=$1 out=$2 target=${3:-1000000} first=${4:-1}
mkdir -p "$out/failures" "$out/work"; chmod 755 "$out" "$out/work"
export WIRESHARK_DEBUG_WMEM_OVERRIDE=strict WIRESHARK_ABORT_ON_DISSECTOR_BUG=1
inputs=("$top"/test/captures/*.pcap)
if [ -d "$top/../shared/corpus" ]; then
  while IFS= read -r f; do inputs+=("$f"); done < <(find "$top/../shared/corpus" -name '*.pcap*' | sort)
fi
packets=0 runs=0 failures=0 wireshark_own=0 rounds=0 seed=$((first - 1)) start=$(date +%s)
dissect() {   # FILE MODE...
  local log="$out/work/log" rc
  "$top/tools/tshark-rstdiag" "$plugin" "${@:2}" -n -r "$1" >/dev/null 2>"$log"; rc=$?
  runs=$((runs + 1))
  if [ $rc -ne 0 ] && [ $rc -ne 2 ] || grep -qE "rstdiag|AddressSanitizer|runtime error" "$log"; then
    # The same input without rstdiag: does Wireshark itself fail on it?
    if ! grep -qE "rstdiag|AddressSanitizer|runtime error" "$log" &&
       ! RSTDIAG_PRELOAD= "$top/tools/tshark-rstdiag" none "${@:2}" -n -r "$1" >/dev/null 2>&1; then
      wireshark_own=$((wireshark_own + 1))
      cp "$1" "$out/failures/wireshark-$(basename "$1" .pcap)-$seed-$runs.pcap"
      { echo "== $1 (seed $seed, ${*:2}) exit $rc, also without rstdiag"; cat "$log"; } >> "$out/failures/log"
      return
    fi
    failures=$((failures + 1))
    cp "$1" "$out/failures/$(basename "$1" .pcap)-$seed-$runs.pcap"
    { echo "== $1 (seed $seed, ${*:2}) exit $rc"; cat "$log"; } >> "$out/failures/log"
  fi
}
while [ $packets -lt $target ]; do
  seed=$((seed + 1)) rounds=$((rounds + 1))
  mode=(); [ $((seed % 2)) = 0 ] && mode=(-2)
  for f in "${inputs[@]}"; do
    m="$out/work/m.pcap"
    editcap -E 0.02 --seed "$seed" "$f" "$m" 2>/dev/null || continue
    chmod 644 "$m"
    dissect "$m" "${mode[@]}"
    packets=$((packets + $(capinfos -c -T -r "$m" 2>/dev/null | cut -f2)))
  done
  for t in tcp icmp; do
    randpkt -b 500 -c 2000 -t $t "$out/work/r.pcap" 2>/dev/null && chmod 644 "$out/work/r.pcap"
    dissect "$out/work/r.pcap" "${mode[@]}"
    packets=$((packets + 2000))
  done
  echo "round $seed: $packets packets, $runs dissections, $failures failures, $(( $(date +%s) - start )) s"
done
echo "fuzz campaign: $packets mutated packets in $runs dissections ($rounds rounds, $(( $(date +%s) - start )) s), $failures failures of rstdiag, $wireshark_own of Wireshark itself (fail without rstdiag too)"
[ $failures -eq 0 ]
