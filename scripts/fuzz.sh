#!/usr/bin/env bash
# Runs every Go fuzz target of the module for FUZZTIME each (default 3s), one after another:
# make test runs them briefly, make fuzz for longer. A failure leaves the input that caused it
# under the package's testdata/fuzz, where `go test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-3s}"
go="${GO:-go}"
failed=0
count=0
pkgs=$($go list ./...)
for pkg in $pkgs; do
  listed=$($go test -list '^Fuzz' "$pkg")
  targets=$(grep '^Fuzz' <<<"$listed" || true)
  for target in $targets; do
    count=$((count + 1))
    if ! $go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s "$pkg" >/tmp/fuzz-$$.log 2>&1; then
      echo "FAIL fuzz $pkg $target"; grep -v '^fuzz: elapsed' /tmp/fuzz-$$.log | head -40
      failed=1
    else
      echo "ok   fuzz $pkg $target ($fuzztime)"
    fi
  done
done
rm -f /tmp/fuzz-$$.log
if [ "$count" -eq 0 ]; then echo "no fuzz targets found"; exit 1; fi
exit "$failed"
