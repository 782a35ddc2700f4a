#!/bin/bash
# Builds demo/demo.pcap, the capture ./rstdiag report shows by default, from
# the test captures: each scenario shifted to start 10 minutes after the
# previous one ended, then concatenated, so that no two scenarios overlap in
# time (they reuse the lab's addresses and ports).  Its ground truth,
# demo/demo.truth.tsv, is the scenarios' truth with frame numbers moved.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
caps=$top/test/captures
scenarios=(closed-port-v4 firewall-reject nmap-syn-scan nmap-connect-scan listen-overflow
           bad-syn time-wait-ack no-socket linger-abort data-after-fin fast-close
           keepalive-timeout injector gfw-2006 bypass-after-synack retrans-limit-windows
           idle-middlebox "$@")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
start=1700000000
offset=0
parts=()
printf 'frame\tcause\tsender\tnote\n' > "$tmp/truth.tsv"
for s in "${scenarios[@]}"; do
  first=$(capinfos -a -T -r -S "$caps/$s.pcap" | cut -f2 | cut -d. -f1)
  last=$(capinfos -e -T -r -S "$caps/$s.pcap" | cut -f2 | cut -d. -f1)
  editcap -t $((start - first)) "$caps/$s.pcap" "$tmp/$s.pcap"
  parts+=("$tmp/$s.pcap")
  tail -n +2 "$caps/$s.truth.tsv" | awk -F'\t' -v OFS='\t' -v off="$offset" -v s="$s" \
    '{ $1 += off; $4 = s ": " $4; print }' >> "$tmp/truth.tsv"
  offset=$((offset + $(capinfos -c -T -r "$caps/$s.pcap" | cut -f2)))
  start=$((start + last - first + 600))
done
mergecap -a -F pcap -w "$top/demo/demo.pcap" "${parts[@]}"
cp "$tmp/truth.tsv" "$top/demo/demo.truth.tsv"
echo "demo/demo.pcap: ${#scenarios[@]} scenarios, $offset packets"
echo "check demo/demo.single-pass.tsv (hand-written: rows a single pass of the demo cannot know yet)"
