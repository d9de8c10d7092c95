#!/usr/bin/env bash
# Runs every Go fuzz target of the module for FUZZTIME each (default 3s), one after another:
# make fuzz runs it (a minute each by default; CI runs FUZZTIME=2s make fuzz). A failure
# leaves the input that caused it under the package's testdata/fuzz, where `go test` replays
# it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-3s}"
go="${GO:-go}"
failed=0
count=0
# One listing of every package, whose test binaries go builds in parallel (one go test -list
# per package built them one after another): each package's targets come just before its
# "ok <package>" line.
listed=$($go test -list '^Fuzz' ./...)
targets=()
pending=()
while IFS= read -r line; do
  case "$line" in
    Fuzz*) pending+=("$line") ;;
    ok*)
      pkg=$(awk '{print $2}' <<<"$line")
      for target in ${pending[@]+"${pending[@]}"}; do targets+=("$pkg $target"); done
      pending=()
      ;;
  esac
done <<<"$listed"
# fuzz runs one target; on a machine busy enough that the fuzzing engine's own start-up
# outlasts a short FUZZTIME, go test fails with a bare "context deadline exceeded" and writes
# no input: that alone is tried again (twice at most), never a failure with an input.
fuzz() {
  local pkg=$1 target=$2
  for try in 1 2 3; do
    if $go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s "$pkg" >/tmp/fuzz-$$.log 2>&1; then
      return 0
    fi
    if ! grep -q 'context deadline exceeded' /tmp/fuzz-$$.log || grep -q 'Failing input written' /tmp/fuzz-$$.log; then
      return 1
    fi
    echo "     fuzz $pkg $target: the engine ran out of time starting (try $try), again"
  done
  return 1
}
for entry in ${targets[@]+"${targets[@]}"}; do
  pkg=${entry% *} target=${entry#* }
  count=$((count + 1))
  if ! fuzz "$pkg" "$target"; then
    echo "FAIL fuzz $pkg $target"; grep -v '^fuzz: elapsed' /tmp/fuzz-$$.log | head -40
    failed=1
  else
    echo "ok   fuzz $pkg $target ($fuzztime)"
  fi
done
rm -f /tmp/fuzz-$$.log
if [ "$count" -eq 0 ]; then echo "no fuzz targets found"; exit 1; fi
exit "$failed"
