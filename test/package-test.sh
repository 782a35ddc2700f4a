#!/bin/bash
# Builds the Debian package, installs it, checks that tshark loads the plugin
# from the system folder and finds the profile, removes it, and checks that
# nothing is left.  It changes the system, so it runs only as root and only in
# CI or when RSTDIAG_TEST_PACKAGE=1; otherwise it skips (exit 77).
#   test/package-test.sh SOURCE_DIR DEMO_CAPTURE
set -euo pipefail
src=$1 demo=$2
if [ "$(id -u)" != 0 ] || { [ "${CI:-}" != true ] && [ "${RSTDIAG_TEST_PACKAGE:-}" != 1 ]; }; then
  echo "skipped: installs a package system-wide; runs as root in CI or with RSTDIAG_TEST_PACKAGE=1"
  exit 77
fi
if dpkg -s wireshark-rstdiag >/dev/null 2>&1; then
  echo "skipped: wireshark-rstdiag is already installed here"; exit 77
fi
work=$(mktemp -d); trap 'dpkg -r wireshark-rstdiag >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cmake -S "$src" -B "$work/build" -DRSTDIAG_INSTALL_SYSTEM=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$work/build" >/dev/null
(cd "$work/build" && cpack -G DEB >/dev/null)
deb=$(ls "$work"/build/wireshark-rstdiag_*.deb)
dpkg -i "$deb" >/dev/null

fail() { echo "FAIL: $*"; exit 1; }
# As root tshark loads the system plugin folder (only personal ones are skipped).
tshark -G plugins 2>/dev/null | grep -q "^rstdiag.so" || fail "tshark does not load the installed plugin"
cp "$demo" "$work/demo.pcap"
tshark -C rstdiag -r "$work/demo.pcap" -Y 'rstdiag.cause == "port-closed"' 2>/dev/null | grep -q port-closed \
  || fail "the installed profile or plugin does not show the diagnosis"

dpkg -r wireshark-rstdiag >/dev/null
global=$(tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:\s*//p')
[ -n "$global" ] && [ ! -e "$global/epan/rstdiag.so" ] || fail "plugin left behind in $global"
[ ! -e /usr/share/wireshark/profiles/rstdiag ] || fail "profile left behind"
tshark -G plugins 2>/dev/null | grep -q "^rstdiag.so" && fail "tshark still loads the plugin after removal"
echo "package $(basename "$deb"): installed, loaded by tshark with its profile, removed cleanly"
