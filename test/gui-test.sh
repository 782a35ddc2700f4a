#!/bin/bash
# The real Wireshark GUI with the plugin and the rstdiag profile, on a virtual
# X display: opens the demo capture with the display filter
# rstdiag.cause == "injected" and checks which frames the packet list shows
# against tshark, then takes a screenshot.
#   test/gui-test.sh PLUGIN.so DEMO_CAPTURE OUTDIR
# Skips (exit 77) without wireshark (package wireshark-qt), Xvfb (xvfb) or
# ImageMagick's import/convert (imagemagick).
#
# Wireshark ignores personal plugins when run as root, so as root it runs as
# user nobody with a throw-away HOME holding the plugin, the profile and a copy
# of the capture.  test/gui/probe.lua, loaded with -X lua_script:, reports from
# inside the GUI (see its header): whether the rstdiag fields exist, and the
# frames the display filter lets through, (1) while Wireshark reads the file
# with -Y (its first pass), and (2) after it applies the filter again to the
# loaded file, as the filter bar does.  (2) must be tshark -2's list; (1) is
# what a single pass knows (tshark without -2), since Wireshark filters while
# it reads.  OUTDIR gets gui-injected.png, gui-frames.txt and wireshark.log.
set -euo pipefail
[ $# = 3 ] || { echo "usage: $0 PLUGIN.so DEMO_CAPTURE OUTDIR" >&2; exit 2; }
plugin=$1 demo=$2 outdir=$3
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
profile=${RSTDIAG_PROFILE:-$src/profile/rstdiag}
filter='rstdiag.cause == "injected"'
wait_frames=60        # seconds for Wireshark to load, filter and report
wait_paint=15         # seconds for the filtered packet list to be painted

# shellcheck source=gui/session.sh
. "$here/gui/session.sh"
gui_require_tools
for tool in import convert identify; do
  command -v $tool >/dev/null || skip "ImageMagick's $tool (Debian package imagemagick) is not installed"
done
[ -r "$plugin" ] || fail "no plugin at $plugin"
[ -r "$demo" ] || fail "no capture at $demo"
[ -d "$profile" ] || fail "no profile at $profile"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
rm -f "$outdir/gui-injected.png" "$outdir/gui-frames.txt" "$outdir/wireshark.log"

ver=$(wireshark --version 2>/dev/null | sed -n '1s/^Wireshark \([0-9]*\.[0-9]*\).*/\1/p')
[ -n "$ver" ] || fail "cannot read the version of wireshark"

# What tshark says, with the whole capture (-2) and in a single pass.
tshark_frames() {
  "$src/tools/tshark-rstdiag" "$plugin" "$@" -r "$demo" -Y "$filter" -T fields -e frame.number \
    | tr '\n' ' ' | sed 's/ $//'
}
want_two=$(tshark_frames -2) || fail "tshark -2 with the plugin failed (above)"
want_one=$(tshark_frames) || fail "tshark with the plugin failed (above)"
[ -n "$want_two" ] || fail "tshark -2 shows no frame for $filter in $demo"

gui_setup "$here/gui/probe.lua"
cp "$demo" "$home/in/"
chmod -R a+rX "$home/in"
gui_start_xvfb 110
gui_start_wireshark 100 RSTDIAG_GUI_FILTER="$filter" -- \
  -r "$home/in/$(basename "$demo")" -Y "$filter"

ok_report=0
gui_wait_for done "$wait_frames" && ok_report=1
cp "$tmp/wireshark.log" "$outdir/wireshark.log" 2>/dev/null || true
[ -f "$tmp/out/frames.txt" ] && cp "$tmp/out/frames.txt" "$outdir/gui-frames.txt"
if [ $ok_report = 0 ]; then
  tail -n 20 "$outdir/wireshark.log" >&2 || true
  kill -0 "$ws_pid" 2>/dev/null && fail "no report from Wireshark within $wait_frames s" \
                                 || fail "Wireshark exited before reporting (log above)"
fi
[ "$(gui_field field)" = rstdiag.cause ] || fail "the plugin is not loaded in Wireshark: rstdiag.cause $(gui_field field)"
got_startup=$(gui_field startup) got_applied=$(gui_field applied)
[ "$got_applied" = "$want_two" ] \
  || fail "the filter applied in Wireshark shows frames [$got_applied], tshark -2 [$want_two]"
if [ "$got_startup" = "$want_one" ]; then
  note="-Y while reading: the single-pass verdicts ($(wc -w <<<"$got_startup") frames, like tshark without -2)"
elif [ "$got_startup" = "$want_two" ]; then
  note="-Y while reading already shows tshark -2's frames"
else
  fail "-Y while reading shows frames [$got_startup]; tshark [$want_one], tshark -2 [$want_two]"
fi

# The screenshot, once the packet list is painted with the injected rows: the
# colours of the profile's "rstdiag: injected" rule that are neither white nor
# black must cover at least 300 pixels.  Wireshark's colorfilters order is
# @name@filter@[background][foreground].
rule=$(grep -m1 '^@rstdiag: injected@' "$profile/colorfilters" || true)
hex() { IFS=, read -r r g b <<<"$1"
        printf '#%02X%02X%02X' $(((r + 128) / 257)) $(((g + 128) / 257)) $(((b + 128) / 257)); }
bg='' fg='' colours=()
if [[ $rule =~ @\[([0-9,]+)\]\[([0-9,]+)\]$ ]]; then
  bg=$(hex "${BASH_REMATCH[1]}") fg=$(hex "${BASH_REMATCH[2]}")
  for c in "$bg" "$fg"; do case $c in '#FFFFFF'|'#000000') ;; *) colours+=("$c") ;; esac; done
fi
pixels() { awk -v c="$1" '$3 == c { sub(":", "", $1); n += $1 } END { print n + 0 }' <<<"$hist"; }
# Two identical screenshots in a row: the window has finished painting.
shot=$tmp/shot.png ok='' distinct=0 painted=0 last='' hist=''
deadline=$((SECONDS + wait_paint))
while [ $SECONDS -lt $deadline ]; do
  sleep 0.5
  kill -0 "$ws_pid" 2>/dev/null || fail "Wireshark exited before the screenshot"
  import -display ":$display" -window root -strip "png:$shot" 2>>"$tmp/import.log" || continue
  sig=$(identify -format '%#' "$shot" 2>/dev/null || true)
  [ -n "$sig" ] && [ "$sig" = "$last" ] || { last=$sig; continue; }
  distinct=$(identify -format '%k' "$shot" 2>/dev/null || echo 0)
  hist=$(convert "$shot" -format %c histogram:info:- 2>/dev/null || true)
  painted=0
  for c in "${colours[@]}"; do painted=$((painted + $(pixels "$c"))); done
  if [ "$distinct" -gt 64 ] && { [ ${#colours[@]} = 0 ] || [ "$painted" -ge 300 ]; }; then
    ok=1; break
  fi
done
[ -n "$ok" ] || fail "no good screenshot within $wait_paint s: $distinct colours, $painted pixels of ${colours[*]:-the injected colours}"
convert "$shot" -strip -define png:compression-level=9 "$outdir/gui-injected.png"

echo "gui: $note; filter applied to the loaded file: frames $got_applied"
[ -z "$bg" ] || echo "gui: injected rows: background $bg ($(pixels "$bg") px), text $fg ($(pixels "$fg") px); screenshot $distinct colours"
n=$(wc -w <<<"$got_applied")
echo "gui: $n injected frames shown in Wireshark, screenshot $outdir/gui-injected.png"
