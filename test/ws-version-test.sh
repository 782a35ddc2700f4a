#!/bin/bash
# ws-version-test.sh SUITE [--package-only]
#
# rstdiag against the Wireshark of a Debian SUITE (bookworm 4.0, trixie 4.4,
# sid 4.6), inside a chroot made once and kept (tools/ws-chroot):
#   1. the checkout as it is on disk, built there with warnings as errors;
#   2. its test suite there: unit tests, every capture's ground truth and
#      golden output in both passes (the merged multi-point captures and the
#      demo included; tcp.stream numbers left out: see README, Versions), the
#      contract, interfaces and profile. What needs tools the chroot lacks
#      (GUI, libFuzzer, the sanitizers, the field and corpus figures) and what
#      the CI time budget leaves to the host's 4.0 (fuzzing, the multi-point
#      split check, edge cases, the labs and ladders) runs there only;
#   3. the Debian package: built with dpkg-shlibdeps, installed, loaded by
#      that tshark as root with the profile, removed, nothing left behind.
# --package-only does step 3 only. Needs root (chroot, mount); exits 77
# (ctest's skip) when not root or when the chroot cannot be made (no archive).
# The packages are left in build/dist-test (RSTDIAG_DIST overrides).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(dirname "$here")
suite=${1:?usage: ws-version-test.sh SUITE [--package-only]}
mode=${2:-all}
wschroot=$src/tools/ws-chroot
SKIP=77

say() { printf 'ws-%s: %s\n' "$suite" "$*"; }
[ "$(id -u)" = 0 ] || { say "skipped: needs root (chroot)"; exit $SKIP; }

"$wschroot" ensure "$suite"
rc=$?
[ $rc = $SKIP ] && { say "skipped: no chroot for $suite (archive unreachable?)"; exit $SKIP; }
[ $rc = 0 ] || { say "FAIL: could not make the $suite chroot"; exit 1; }
root=$("$wschroot" path "$suite")
ver=$("$wschroot" version "$suite")
say "Wireshark $ver in $root"

# One run per chroot at a time: /src/rstdiag inside is shared.
exec 9>"$root.use.lock"
flock 9

in_root() { "$wschroot" run "$suite" "$1"; }
"$wschroot" sync "$suite" "$src" || { say "FAIL: could not copy the checkout in"; exit 1; }

failed=()
if [ "$mode" != --package-only ]; then
  t0=$(date +%s)
  if ! "$wschroot" build "$suite" build -DBUILD_TESTING=ON > "$root/src/build.log" 2>&1; then
    grep -E ': (error|warning):' "$root/src/build.log" | head -40
    say "FAIL: the build against Wireshark $ver failed (warnings are errors)"
    exit 1
  fi
  say "built against $ver with -Wall -Wextra -Werror in $(( $(date +%s) - t0 )) s"
  # What the chroot cannot run or the CI budget leaves to the host is
  # excluded by name, and the version stages themselves (no chroot inside a
  # chroot).
  exclude='e2e\.(ws-|package|isolation|gui|sanitized|fuzz-smoke|corpus|field|lab-regenerate|labs|ladder|multipoint|edge)|unit\.libfuzzer'
  t0=$(date +%s)
  in_root "cd /src/rstdiag/build && RSTDIAG_GOLDEN_IGNORE=tcp.stream \
           ctest -j\$(nproc) --output-on-failure -E '$exclude'" > "$root/src/ctest.log" 2>&1 ||
    failed+=("test suite")
  grep -E '^[0-9]+% tests passed|^\s+[0-9]+ - .*(Failed|Timeout|Not Run)' "$root/src/ctest.log" |
    sed "s/^/ws-$suite: /"
  [ ${#failed[@]} = 0 ] || sed -n '/The following tests FAILED/,$p;/^FAIL/p' "$root/src/ctest.log" | head -60
  say "test suite on $ver in $(( $(date +%s) - t0 )) s"
fi

# The Debian package, built, installed, loaded and removed inside.
dist=${RSTDIAG_DIST:-$src/build/dist-test}
deb=$("$wschroot" package "$suite" "$dist") || { say "FAIL: no package"; exit 1; }
cp "$deb" "$root/tmp/" || exit 1
if in_root "
  set -u
  fail() { echo \"FAIL: \$*\"; dpkg -r wireshark-rstdiag >/dev/null 2>&1; exit 1; }
  dpkg -s wireshark-rstdiag >/dev/null 2>&1 && dpkg -r wireshark-rstdiag >/dev/null
  dpkg -i /tmp/${deb##*/} >/dev/null || fail 'dpkg -i failed (dependencies?)'
  tshark -G plugins 2>/dev/null | grep -q '^rstdiag.so' || fail 'tshark does not load the installed plugin'
  tshark -C rstdiag -r /src/rstdiag/demo/demo.pcap -Y 'rstdiag.cause == \"port-closed\"' 2>/dev/null |
    grep -q port-closed || fail 'the installed profile or plugin does not show the diagnosis'
  global=\$(tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p')
  dpkg -r wireshark-rstdiag >/dev/null || fail 'dpkg -r failed'
  [ -n \"\$global\" ] && [ ! -e \"\$global/epan/rstdiag.so\" ] || fail \"plugin left behind in \$global\"
  [ ! -e /usr/share/wireshark/profiles/rstdiag ] || fail 'profile left behind'
  ! tshark -G plugins 2>/dev/null | grep -q '^rstdiag.so' || fail 'tshark still loads the plugin after removal'
"; then
  say "package ${deb##*/}: $(dpkg-deb -f "$deb" Depends)"
  say "package installed, loaded by tshark $ver as root with its profile, removed cleanly"
else
  failed+=(package)
fi
rm -f "$root/tmp/${deb##*/}"

if [ ${#failed[@]} = 0 ]; then
  if [ "$mode" = --package-only ]; then say "ok: Wireshark $ver (package only)"; else say "ok: Wireshark $ver"; fi
  exit 0
fi
say "FAIL: ${failed[*]}"
exit 1
