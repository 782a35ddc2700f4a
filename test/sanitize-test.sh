#!/bin/bash
# The sanitizer stage: builds the plugin and core with ASan + UBSan, runs the
# unit tests, then every end-to-end capture check and a fuzz smoke run with
# tshark loading the sanitized plugin, the sanitizer runtime preloaded.
#   test/sanitize-test.sh SOURCE_DIR OUTDIR
set -euo pipefail
src=$1 out=$2
cmake -S "$src" -B "$out" -DRSTDIAG_SANITIZE=ON -DBUILD_TESTING=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$out" -j"$(nproc)" >/dev/null
plugin=$(ls "$out"/plugins/*/epan/rstdiag.so)
"$out/test/test-core" >/dev/null
"$out/test/test-vantage" >/dev/null
export WIRESHARK_DEBUG_WMEM_OVERRIDE=strict WIRESHARK_ABORT_ON_DISSECTOR_BUG=1
# The capture checks, as many at once as there are processors.
captures=("$src"/test/captures/*.pcap "$src"/test/captures/*.pcapng "$src"/demo/demo.pcap)
n=${#captures[@]}
printf '%s\0' "${captures[@]}" | xargs -0 -P "$(nproc)" -I{} sh -c \
  'python3 "$1" capture "$2" "$3" >/dev/null ||
   { echo "FAIL under sanitizers: $3"; python3 "$1" capture "$2" "$3"; exit 255; }' \
  sh "$src/test/e2e.py" "$plugin" {} || exit 1
python3 "$src/test/e2e.py" multipoint "$plugin" "$src"/demo/demo.pcap "$src"/test/captures/mp-*.pcapng >/dev/null \
  || { echo "FAIL under sanitizers: multipoint"; exit 1; }
# Whole output first: `| head -1` would close the pipe under a still-printing
# e2e.py, a broken pipe that fails the stage at random.
fuzzed=$(python3 "$src/test/e2e.py" fuzz "$plugin" \
  "$src"/test/captures/{injector,nmap-syn-scan,listen-overflow,tunnel-gre,icmp-quoted-rst}.pcap \
  "$src"/test/captures/mp-injector-offset.pcapng)
echo "${fuzzed%%$'\n'*}"
echo "sanitized plugin: unit tests and $n capture checks clean"
