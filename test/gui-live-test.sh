#!/bin/bash
# The real Wireshark GUI capturing live from a FIFO (-k -i FIFO) on a virtual
# X display, with the plugin.  test/gui/pipe-writer.py writes a capture into
# the FIFO in two parts; after each part test/gui/live-probe.lua makes the GUI
# dissect every packet again and reports each RST's verdict.  Once the file
# has grown after packets were dissected again, Wireshark is capturing live:
# the verdicts must be the single-pass ones (tshark without -2), never
# lookahead from a capture still growing (no rstdiag.data_after).
#   test/gui-live-test.sh PLUGIN.so CAPTURE.pcap OUTDIR
# Skips (exit 77) without wireshark (package wireshark-qt) or Xvfb (xvfb).
set -euo pipefail
[ $# = 3 ] || { echo "usage: $0 PLUGIN.so CAPTURE.pcap OUTDIR" >&2; exit 2; }
plugin=$1 capture=$2 outdir=$3
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
profile=${RSTDIAG_PROFILE:-$src/profile/rstdiag}
wait_report=90        # seconds for the capture, both retaps and the report

# shellcheck source=gui/session.sh
. "$here/gui/session.sh"
gui_require_tools
[ -r "$plugin" ] || fail "no plugin at $plugin"
[ -r "$capture" ] || fail "no capture at $capture"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
rm -f "$outdir/gui-live.txt" "$outdir/wireshark-live.log"

# tshark's verdicts as the probe writes them: frame=cause[+data_after].
verdicts() {
  "$src/tools/tshark-rstdiag" "$plugin" "$@" -r "$capture" -Y rstdiag -T fields \
      -e frame.number -e rstdiag.cause -e rstdiag.data_after |
    awk -F'\t' '$2 != "" { printf "%s%s=%s%s", (n++ ? " " : ""), $1, $2, ($3 != "" ? "+data_after" : "") }'
}
want_single=$(verdicts) || fail "tshark with the plugin failed"
want_whole=$(verdicts -2) || fail "tshark -2 with the plugin failed"
[ -n "$want_single" ] || fail "no RST in $capture"
total=$(python3 -c 'import sys, struct
f = open(sys.argv[1], "rb"); f.read(24); n = 0
while True:
    h = f.read(16)
    if len(h) < 16: break
    f.seek(struct.unpack("<IIII", h)[2], 1); n += 1
print(n)' "$capture")
part1=$((total / 2))

gui_setup "$here/gui/live-probe.lua"
fifo=$home/in/live.fifo
mkfifo -m 666 "$fifo"
gui_start_xvfb 130
gui_start_wireshark 120 RSTDIAG_LIVE_PART1="$part1" RSTDIAG_LIVE_TOTAL="$total" -- \
  -o statistics.update_interval:300 -k -i "$fifo"
timeout -k 5 110 python3 "$here/gui/pipe-writer.py" "$capture" "$fifo" "$part1" "$tmp/out" 100 \
  >"$tmp/writer.log" 2>&1 &
writer=$!

ok_report=0
gui_wait_for done "$wait_report" && ok_report=1
cp "$tmp/wireshark.log" "$outdir/wireshark-live.log" 2>/dev/null || true
[ -f "$tmp/out/frames.txt" ] && cp "$tmp/out/frames.txt" "$outdir/gui-live.txt"
wait "$writer" 2>/dev/null || true
if [ $ok_report = 0 ]; then
  tail -n 20 "$outdir/wireshark-live.log" >&2 || true
  cat "$tmp/writer.log" >&2 || true
  fail "no report from the live capture within $wait_report s ($(tr '\n' ';' < "$tmp/out/frames.txt" 2>/dev/null))"
fi
[ "$(gui_field field)" = rstdiag.cause ] || fail "the plugin is not loaded in Wireshark: rstdiag.cause $(gui_field field)"
got=$(gui_field part2)
[ "$got" = "$want_single" ] ||
  fail "live capture, after it grew: [$got]; tshark single pass [$want_single]; tshark -2 [$want_whole]"
echo "gui live: after the first $part1 of $total packets: $(gui_field part1)"
echo "gui live: after all of them, the single-pass verdicts: $got"
[ "$want_single" != "$want_whole" ] && echo "gui live: (tshark -2 on the finished file: $want_whole)"
exit 0
