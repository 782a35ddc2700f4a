#!/bin/bash
# isolation-test.sh PLUGIN DEMO [GUI_OUTDIR]
#
# The suite tests the build, whatever is installed: puts a different
# rstdiag.so (a copy of the system's transum.so under that name) into the
# system plugin folder and the rstdiag profile into the system profiles, as
# `./rstdiag setup` as root would, then checks that tools/tshark-rstdiag
# loads exactly PLUGIN (one rstdiag.so, from its own folder, no "found in
# multiple directories") and that the demo's golden output, the profile
# check, a fuzz run and (with a display server) the GUI test still pass.
# Removes what it added. It changes the system, so it runs only as root and
# only in CI or with RSTDIAG_TEST_ISOLATION=1; otherwise it skips (77).
set -uo pipefail
plugin=$1 demo=$2 guiout=${3:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(dirname "$here")
if [ "$(id -u)" != 0 ] || { [ "${CI:-}" != true ] && [ "${RSTDIAG_TEST_ISOLATION:-}" != 1 ]; }; then
  echo "skipped: changes the system plugin folder; runs as root in CI or with RSTDIAG_TEST_ISOLATION=1"
  exit 77
fi
global=$(env -u WIRESHARK_PLUGIN_DIR tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p')
profiles=$(env -u WIRESHARK_PLUGIN_DIR tshark -G folders 2>/dev/null |
           sed -n 's/^Global configuration:[[:space:]]*//p')/profiles
decoy=$global/epan/rstdiag.so
[ -f "$global/epan/transum.so" ] || { echo "skipped: no transum.so in $global to make a decoy of"; exit 77; }
[ ! -e "$decoy" ] || { echo "skipped: an rstdiag.so is already installed in $global/epan"; exit 77; }
added_profile=
cleanup() {
  rm -f "$decoy"
  [ -z "$added_profile" ] || rm -rf "$profiles/rstdiag"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp "$global/epan/transum.so" "$decoy"
if [ ! -e "$profiles/rstdiag" ]; then
  mkdir -p "$profiles" && cp -r "$src/profile/rstdiag" "$profiles/" && added_profile=1
fi
echo "decoy installed: $decoy (transum.so under rstdiag's name)"

failed=()
listing=$("$src/tools/tshark-rstdiag" "$plugin" -G plugins 2>&1)
lines=$(printf '%s\n' "$listing" | grep -c '^rstdiag\.so')
if [ "$lines" != 1 ] || printf '%s\n' "$listing" | grep -q "multiple directories" ||
   printf '%s\n' "$listing" | grep '^rstdiag\.so' | grep -q "$global"; then
  printf '%s\n' "$listing" | grep -i "rstdiag\|multiple"
  failed+=("tshark -G plugins: not exactly the build's plugin")
else
  echo "tshark loads one rstdiag.so: $(printf '%s\n' "$listing" | grep '^rstdiag\.so' | awk '{print $NF}')"
fi
# The baseline of the benchmark: no rstdiag at all, not the installed one.
"$src/tools/tshark-rstdiag" none -G plugins 2>&1 | grep -q '^rstdiag\.so' &&
  failed+=("the plain-tshark baseline loads an rstdiag.so")
python3 "$here/e2e.py" capture "$plugin" "$demo" >/dev/null || failed+=("demo golden output")
python3 "$here/e2e.py" profile "$plugin" "$demo" >/dev/null || failed+=("profile")
python3 "$here/e2e.py" fuzz "$plugin" "$src/test/captures/gfw-2023.pcap" >/dev/null || failed+=("fuzz")
report=$(RSTDIAG_PLUGIN=$plugin "$src/rstdiag" report "$demo" 2>&1)
printf '%s\n' "$report" | grep -q "port-closed" || failed+=("./rstdiag report")
if [ -n "$guiout" ]; then
  "$here/gui-test.sh" "$plugin" "$demo" "$guiout" >/dev/null 2>&1
  rc=$?
  case $rc in 0) echo "GUI test passes" ;; 77) echo "GUI test skipped (no display server)" ;;
              *) failed+=("GUI test") ;; esac
fi
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAIL: %s\n' "${failed[@]}"
  exit 1
fi
echo "ok: with a different rstdiag.so and the profile installed system-wide, the tests still test the build"
