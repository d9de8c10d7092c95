#!/usr/bin/awk -f
# bench-ratios.awk reads `go test -bench` output and prints, for each pair of benchmarks that
# the performance targets compare, the median of each and their ratio against the target.
# Medians, not means: the machines benchmarks run on are shared and noisy.
#
# usage: awk -f scripts/bench-ratios.awk bench.txt

function median(key,    n, i, j, t, v) {
	n = count[key]
	if (n == 0) return ""
	for (i = 1; i <= n; i++) v[i] = vals[key, i]
	for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2
}

function show(v, unit) {
	if (unit == "ns/op") return v >= 1e9 ? sprintf("%.2f s", v/1e9) : v >= 1e6 ? sprintf("%.1f ms", v/1e6) : sprintf("%.0f µs", v/1e3)
	return sprintf("%.3g %s", v, unit)
}

BEGIN {
	# what | against | metric (or "metric:baseline metric" of one benchmark) | target ratio (at most)
	pairs[++npairs] = "BulkInvite1000TableSize|BulkInvite1000TableSize|45k-s:empty-s|1.5"
	pairs[++npairs] = "BulkInvite1000Latency|BulkInvite1000Latency|bulk-s:batchwrite-floor-s|2"
	pairs[++npairs] = "SingleInvite|SingleInviteBaseline|ns/op|2"
	pairs[++npairs] = "SingleInviteLatency|SingleInviteLatency|invite-ms:raw-tx-ms|2"
	pairs[++npairs] = "ParseAndPlan100k/okta-csv|CSVReadBaseline100k|ns/op|5"
	pairs[++npairs] = "ParseAndPlan100k/entra-json|JSONDecodeBaseline100k|ns/op|1.3"
	pairs[++npairs] = "ColdStart/api|ColdStart/minimal|ms/init|1.3"
	pairs[++npairs] = "ConnectorGraph100k|ConnectorGraph100k|fetch+parse+plan-ms:floor-ms|"
	pairs[++npairs] = "ConnectorOkta100k|ConnectorOkta100k|fetch+parse+plan-ms:floor-ms|"
	pairs[++npairs] = "Webhooks1000|Webhooks1000|webhooks-s:emails-s|"
}

/^Benchmark/ {
	name = $1
	sub(/^Benchmark/, "", name)
	sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i += 2) {
		key = name SUBSEP $(i+1)
		vals[key, ++count[key]] = $i + 0
	}
}

END {
	printf "%-30s %-24s %12s %12s %8s %8s\n", "benchmark", "against", "median", "baseline", "ratio", "target"
	for (p = 1; p <= npairs; p++) {
		split(pairs[p], f, "|")
		unit = f[3]; num = unit; den = unit
		if (index(unit, ":")) { split(unit, u, ":"); num = u[1]; den = u[2] }
		a = median(f[1] SUBSEP num); b = median(f[2] SUBSEP den)
		if (a == "" || b == "" || b == 0) continue
		printf "%-30s %-24s %12s %12s %7.2fx %8s\n", f[1], f[2], show(a, num), show(b, den), a / b, f[4] == "" ? "-" : "≤" f[4] "x"
	}
}
