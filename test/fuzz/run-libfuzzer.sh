#!/bin/bash
# Builds the libFuzzer harness of the diagnosis core with clang (ASan + UBSan)
# and runs it: a short bounded run in the test suite, a long campaign by hand.
#   test/fuzz/run-libfuzzer.sh OUTDIR [SECONDS]      (default 30 s)
# Skips (exit 77) where clang cannot link libFuzzer.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1 seconds=${2:-30}
mkdir -p "$out/corpus"
cc=$(command -v clang || command -v clang-14 || true)
[ -n "$cc" ] || { echo "skipped: no clang (apt-get install clang libclang-rt-14-dev)"; exit 77; }
if ! "$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -I"$top/plugin" $(pkg-config --cflags glib-2.0) \
      "$top/test/fuzz/fuzz-core.c" "$top"/plugin/rst-*.c \
      $(pkg-config --libs glib-2.0) -o "$out/fuzz-core" 2>"$out/build.log"; then
  if grep -q "fuzzer" "$out/build.log"; then
    echo "skipped: clang cannot link libFuzzer here"; cat "$out/build.log"; exit 77
  fi
  cat "$out/build.log"; exit 1
fi
# Seeds: the encoded form of a port-closed refusal and of a handshake + RST.
printf '\x02\x20\x40\x00\x01\x00\x00\x00\x00\x00\x00\x00\x0a\xfa\xf0\x00\x00\x00\x00\x00\x00\x00\x00\x00\x14\x21\x3f\x00\x00\x00\x00\x00\x01\x00\x00\x00\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' \
  > "$out/corpus/seed-refusal"
# libFuzzer's own exit code for a crash is 77, ctest's skip code: ask for 1.
ASAN_OPTIONS=detect_leaks=1 "$out/fuzz-core" -max_total_time="$seconds" -max_len=6144 \
  -error_exitcode=1 -timeout_exitcode=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$out/corpus" 2>&1 | tail -n 12
