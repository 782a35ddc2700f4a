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

skip() { echo "skipped: $*"; exit 77; }
command -v wireshark >/dev/null || skip "wireshark (the Qt GUI, Debian package wireshark-qt) is not installed"
command -v Xvfb >/dev/null || skip "Xvfb (Debian package xvfb) is not installed"
for tool in import convert identify; do
  command -v $tool >/dev/null || skip "ImageMagick's $tool (Debian package imagemagick) is not installed"
done
fail() { echo "FAIL: $*" >&2; exit 1; }
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

xvfb_pid='' ws_pid=''
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rstdiag-gui.XXXXXX")
stop() {  # pid of a `timeout`, the leader of its process group
  [ -n "$1" ] || return 0
  kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  stop "$ws_pid"; ws_pid=''
  stop "$xvfb_pid"; xvfb_pid=''
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The throw-away HOME: profile, capture, the probe, window geometry; the
# plugin in a plugin folder of its own (never an installed rstdiag.so).
home=$tmp/home
mkdir -p "$home/.config/wireshark/profiles" "$home/in" "$home/run" "$tmp/out"
# shellcheck source=../tools/plugin-dir.sh
. "$src/tools/plugin-dir.sh"
rstdiag_plugin_dir "$home/plugins" "$plugin" tshark || fail "no plugin folder"
cp -r "$profile" "$home/.config/wireshark/profiles/rstdiag"
cp "$demo" "$home/in/"
cp "$here/gui/probe.lua" "$home/probe.lua"
cat > "$home/.config/wireshark/recent_common" <<'EOF'
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: 1280
gui.geometry_main_height: 800
gui.geometry_main_maximized: FALSE
EOF
chmod 755 "$tmp"
chmod -R a+rX "$home"
runas=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$tmp/out" "$home/run"
  runas=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups --)
fi
chmod 700 "$home/run"   # XDG_RUNTIME_DIR

# A virtual X server on a free display; -displayfd reports it once it is ready.
# Every process runs under timeout (its own process group), so nothing outlives
# the test even if this script is killed.
timeout -k 5 110 Xvfb -displayfd 3 -ac -nolisten tcp -noreset -screen 0 1280x800x24 \
    3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
display=''
for _ in $(seq 100); do
  display=$(sed -n '1{/^[0-9][0-9]*$/p}' "$tmp/display" 2>/dev/null || true)
  [ -n "$display" ] && break
  kill -0 "$xvfb_pid" 2>/dev/null || { cat "$tmp/xvfb.log" >&2; fail "Xvfb did not start"; }
  sleep 0.1
done
[ -n "$display" ] || fail "Xvfb did not report a display within 10 s"

(cd "$home" && exec timeout -k 5 100 "${runas[@]}" env -i \
    HOME="$home" WIRESHARK_PLUGIN_DIR="$home/plugins" PATH=/usr/bin:/bin DISPLAY=":$display" QT_QPA_PLATFORM=xcb \
    XDG_RUNTIME_DIR="$home/run" LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC \
    RSTDIAG_GUI_OUT="$tmp/out" RSTDIAG_GUI_FILTER="$filter" \
    wireshark -C rstdiag -o gui.update.enabled:FALSE -o capture.no_interface_load:TRUE \
      -o gui.ask_unsaved:FALSE -X lua_script:"$home/probe.lua" \
      -r "$home/in/$(basename "$demo")" -Y "$filter") >"$outdir/wireshark.log" 2>&1 &
ws_pid=$!

report=$tmp/out/frames.txt
field() { sed -n "s/^$1: //p" "$report" 2>/dev/null | head -n 1; }
deadline=$((SECONDS + wait_frames))
while [ $SECONDS -lt $deadline ]; do
  [ -n "$(field done)" ] && break
  kill -0 "$ws_pid" 2>/dev/null || break
  sleep 0.2
done
[ -f "$report" ] && cp "$report" "$outdir/gui-frames.txt"
if [ -z "$(field done)" ]; then
  tail -n 20 "$outdir/wireshark.log" >&2 || true
  kill -0 "$ws_pid" 2>/dev/null && fail "no report from Wireshark within $wait_frames s" \
                                 || fail "Wireshark exited before reporting (log above)"
fi
[ "$(field field)" = rstdiag.cause ] || fail "the plugin is not loaded in Wireshark: rstdiag.cause $(field field)"
got_startup=$(field startup) got_applied=$(field applied)
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
