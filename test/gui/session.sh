# Sourced by the GUI tests: a throw-away HOME for Wireshark with the plugin in
# a plugin folder of its own (never an installed rstdiag.so) and the rstdiag
# profile, a virtual X display, and cleanup of every process on exit.
# Wireshark ignores personal plugins when run as root, so as root it runs as
# user nobody.  Needs: src (the checkout), plugin, profile; sets tmp, home,
# display, runas; wireshark_run ARGS... starts Wireshark in the background
# (its pid in ws_pid, its log in $tmp/wireshark.log).

skip() { echo "skipped: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

gui_require_tools() {
  command -v wireshark >/dev/null || skip "wireshark (the Qt GUI, Debian package wireshark-qt) is not installed"
  command -v Xvfb >/dev/null || skip "Xvfb (Debian package xvfb) is not installed"
}

xvfb_pid='' ws_pid=''
gui_stop() {  # pid of a `timeout`, the leader of its process group
  [ -n "$1" ] || return 0
  kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
gui_cleanup() {
  gui_stop "$ws_pid"; ws_pid=''
  gui_stop "$xvfb_pid"; xvfb_pid=''
  rm -rf "$tmp"
}

# The throw-away HOME: profile, the probe, window geometry, plugin folder.
gui_setup() {  # PROBE.lua
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/rstdiag-gui.XXXXXX")
  trap gui_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  home=$tmp/home
  mkdir -p "$home/.config/wireshark/profiles" "$home/in" "$home/run" "$tmp/out"
  # shellcheck source=../../tools/plugin-dir.sh
  . "$src/tools/plugin-dir.sh"
  rstdiag_plugin_dir "$home/plugins" "$plugin" tshark || fail "no plugin folder"
  cp -r "$profile" "$home/.config/wireshark/profiles/rstdiag"
  cp "$1" "$home/probe.lua"
  cp "$src/test/gui/report.lua" "$home/report.lua"
  cat > "$home/.config/wireshark/recent_common" <<'EOT'
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: 1280
gui.geometry_main_height: 800
gui.geometry_main_maximized: FALSE
EOT
  chmod 755 "$tmp"
  chmod -R a+rX "$home"
  runas=()
  if [ "$(id -u)" = 0 ]; then
    chown nobody "$tmp/out" "$home/run" "$home/in"
    runas=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups --)
  fi
  chmod 700 "$home/run"   # XDG_RUNTIME_DIR
}

# A virtual X server on a free display; -displayfd reports it once it is
# ready.  Every process runs under timeout (its own process group), so nothing
# outlives the test even if the script is killed.
gui_start_xvfb() {  # SECONDS
  timeout -k 5 "$1" Xvfb -displayfd 3 -ac -nolisten tcp -noreset -screen 0 1280x800x24 \
      3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
  xvfb_pid=$!
  display=''
  for _ in $(seq 100); do
    display=$(sed -n '1{/^[0-9][0-9]*$/p}' "$tmp/display" 2>/dev/null || true)
    [ -n "$display" ] && return 0
    kill -0 "$xvfb_pid" 2>/dev/null || { cat "$tmp/xvfb.log" >&2; fail "Xvfb did not start"; }
    sleep 0.1
  done
  fail "Xvfb did not report a display within 10 s"
}

# Wireshark with the rstdiag profile and the probe; ENV=VALUE words first.
gui_start_wireshark() {  # SECONDS [NAME=VALUE...] [--] WIRESHARK_ARGS...
  local seconds=$1 envs=()
  shift
  while [ $# -gt 0 ] && [[ $1 == *=* ]]; do envs+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  (cd "$home" && exec timeout -k 5 "$seconds" "${runas[@]}" env -i \
      HOME="$home" WIRESHARK_PLUGIN_DIR="$home/plugins" PATH=/usr/bin:/bin DISPLAY=":$display" \
      QT_QPA_PLATFORM=xcb XDG_RUNTIME_DIR="$home/run" LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC \
      RSTDIAG_GUI_OUT="$tmp/out" "${envs[@]}" \
      wireshark -C rstdiag -o gui.update.enabled:FALSE -o capture.no_interface_load:TRUE \
        -o gui.ask_unsaved:FALSE -X lua_script:"$home/probe.lua" "$@") >"$tmp/wireshark.log" 2>&1 &
  ws_pid=$!
}

# The probe's report ("key: value" lines): the value of a key, or nothing.
gui_field() {  # KEY
  sed -n "s/^$1: //p" "$tmp/out/frames.txt" 2>/dev/null | head -n 1
}

# Wait until the probe reports KEY or Wireshark exits.
gui_wait_for() {  # KEY SECONDS
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    [ -n "$(gui_field "$1")" ] && return 0
    kill -0 "$ws_pid" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
