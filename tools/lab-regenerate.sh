#!/bin/bash
# lab-regenerate.sh [LAB...]   (root)
#
# Fresh variants of the labs' captures, recorded again from real Linux stacks
# in the namespace lab (test/lab/make-captures.sh): other addresses (the lab
# network 10.N.0.0/16 with a random N, RSTDIAG_LAB_NET to choose), other client
# ports, sequence numbers, IP IDs and timings. Each goes to
# labs/LAB/variants/LAB-netN.pcap and is checked at once against the lab's key
# (tools/lab.py verify --capture): the key names the RSTs by filter, so a
# variant where frames moved is graded by what tshark says of it. Labs whose
# capture is crafted or merged from several points have no variants. With no
# LAB: every lab that can have one. RSTDIAG_VARIANTS_DIR puts the variants
# there instead. Hand each student a different variant;
# they check themselves with ./rstdiag lab check LAB ANSWERS --capture VARIANT.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf 'lab regenerate: %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { say "needs root (network namespaces, tcpdump)"; exit 2; }
plugin=${RSTDIAG_PLUGIN:-}     # ./rstdiag lab regenerate sets it to the build's
[ -n "$plugin" ] || { say "no plugin: run it as ./rstdiag lab regenerate (after ./rstdiag build)"; exit 2; }

scenario_of() {   # LAB: its make-captures scenario ("" when crafted)
  python3 - "$top/labs/$1/lab.toml" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    print(tomllib.load(f).get("scenario", ""))
PY
}

labs=("$@")
[ ${#labs[@]} -gt 0 ] || mapfile -t labs < <(cd "$top/labs" && ls -d */ | tr -d /)
failed=() made=0
for lab in "${labs[@]}"; do
  [ -f "$top/labs/$lab/lab.toml" ] || { say "no lab '$lab'"; failed+=("$lab"); continue; }
  scenario=$(scenario_of "$lab")
  if [ -z "$scenario" ]; then
    say "$lab: its capture is crafted or merged, no variants"
    continue
  fi
  net=${RSTDIAG_LAB_NET:-$((202 + RANDOM % 48))}
  tmp=$(mktemp -d /tmp/rstdiag-variant.XXXXXX)
  say "$lab: recording scenario $scenario on 10.$net.0.0/16"
  if ! LAB_NET=$net LAB_OUT=$tmp "$top/test/lab/make-captures.sh" "$scenario" > "$tmp/make.log" 2>&1; then
    tail -5 "$tmp/make.log" >&2
    say "$lab: recording failed (log above)"
    failed+=("$lab"); rm -rf "$tmp"; continue
  fi
  outdir=${RSTDIAG_VARIANTS_DIR:-$top/labs/$lab/variants}
  mkdir -p "$outdir"
  variant=$outdir/$lab-net$net.pcap
  mv "$tmp/$scenario.pcap" "$variant"
  rm -rf "$tmp"
  if python3 "$top/tools/lab.py" verify "$plugin" "$lab" --capture "$variant"; then
    made=$((made + 1))
    say "$lab: ${variant#"$top"/}"
  else
    failed+=("$lab")
  fi
done
say "$made variant(s) made and checked against their keys"
[ ${#failed[@]} -eq 0 ] || { say "FAILED: ${failed[*]}"; exit 1; }
