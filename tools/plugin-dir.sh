# shellcheck shell=bash
# plugin-dir.sh (sourced): a Wireshark plugin folder of our own, so that
# tshark or Wireshark load exactly the rstdiag.so we mean, whatever is
# installed system-wide or in the user's personal folder.
#
#   rstdiag_plugin_dir DIR SO|none TSHARK
#
# Fills DIR/X.Y/{epan,wiretap,codecs} with links to the system's own plugins
# (so transum, MATE and the rest load as usual), except any rstdiag.so
# installed there, then adds SO as DIR/X.Y/epan/rstdiag.so ("none": no
# rstdiag at all, the plain-tshark baseline). Sets RSTDIAG_WS_VERSION (X.Y).
# Point WIRESHARK_PLUGIN_DIR at DIR and HOME at a folder without personal
# plugins; Wireshark honours WIRESHARK_PLUGIN_DIR for unprivileged users
# only, so run it as one.
rstdiag_global_plugins() {   # TSHARK: its global plugin folder, cached per binary
  local bin key cache global
  bin=$(command -v "$1") || return 1
  key=$(stat -L -c '%d-%i-%Y-%s' "$bin") || return 1
  cache=${TMPDIR:-/tmp}/rstdiag-plugin-folder-$(id -u)-$key
  if [ -s "$cache" ] && [ -O "$cache" ]; then
    cat "$cache"
    return
  fi
  global=$(env -u WIRESHARK_PLUGIN_DIR "$1" -G folders 2>/dev/null |
           sed -n 's/^Global Plugins:[[:space:]]*//p')
  [ -n "$global" ] || return 1
  printf '%s\n' "$global" > "$cache.$$" && mv -f "$cache.$$" "$cache"
  printf '%s\n' "$global"
}

rstdiag_plugin_dir() {
  local dir=$1 so=$2 tshark=$3 global f sub
  global=$(rstdiag_global_plugins "$tshark")
  RSTDIAG_WS_VERSION=${global##*/}
  case $RSTDIAG_WS_VERSION in
    [0-9]*.[0-9]*) ;;
    *) echo "plugin-dir: cannot tell $tshark's plugin folder (got '$global')" >&2; return 2 ;;
  esac
  mkdir -p "$dir/$RSTDIAG_WS_VERSION/epan"
  for f in "$global"/*/*.so; do
    [ -e "$f" ] || continue
    sub=${f%/*}; sub=${sub##*/}
    [ "$sub/${f##*/}" = epan/rstdiag.so ] && continue
    mkdir -p "$dir/$RSTDIAG_WS_VERSION/$sub"
    ln -s "$f" "$dir/$RSTDIAG_WS_VERSION/$sub/"
  done
  [ "$so" = none ] || cp "$so" "$dir/$RSTDIAG_WS_VERSION/epan/rstdiag.so"
}
