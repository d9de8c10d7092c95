package egress

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClassify(t *testing.T) {
	cases := map[string]string{
		// IPv4
		"0.0.0.0":         "this-network",
		"0.1.2.3":         "this-network",
		"10.0.0.1":        "private",
		"10.255.255.255":  "private",
		"172.16.0.1":      "private",
		"172.31.255.255":  "private",
		"172.32.0.1":      "",
		"172.15.255.255":  "",
		"192.168.1.1":     "private",
		"100.64.0.1":      "shared (CGNAT)",
		"100.127.255.255": "shared (CGNAT)",
		"100.128.0.1":     "",
		"127.0.0.1":       "loopback",
		"127.255.255.254": "loopback",
		"169.254.169.254": "link-local",
		"169.254.0.1":     "link-local",
		"192.0.0.8":       "IETF protocol assignment",
		"192.0.2.1":       "documentation",
		"198.51.100.7":    "documentation",
		"203.0.113.9":     "documentation",
		"192.88.99.1":     "6to4 relay anycast",
		"198.18.0.1":      "benchmarking",
		"198.19.255.255":  "benchmarking",
		"198.20.0.1":      "",
		"224.0.0.1":       "multicast",
		"239.255.255.250": "multicast",
		"240.0.0.1":       "reserved",
		"255.255.255.255": "broadcast",
		"8.8.8.8":         "",
		"20.190.128.1":    "",
		"52.96.0.1":       "",
		// IPv4-mapped IPv6: the IPv4 verdict
		"::ffff:127.0.0.1":       "IPv4-mapped loopback",
		"::ffff:10.0.0.1":        "IPv4-mapped private",
		"::ffff:169.254.169.254": "IPv4-mapped link-local",
		"::ffff:100.64.1.1":      "IPv4-mapped shared (CGNAT)",
		"::ffff:0.0.0.0":         "IPv4-mapped this-network",
		"::ffff:8.8.8.8":         "",
		// IPv6
		"::":                       "unspecified",
		"::1":                      "loopback",
		"::10.0.0.1":               "IPv4-compatible",
		"::ffff:0:10.0.0.1":        "IPv4-translated",
		"64:ff9b::10.0.0.1":        "NAT64 private",
		"64:ff9b::169.254.169.254": "NAT64 link-local",
		"64:ff9b::127.0.0.1":       "NAT64 loopback",
		"64:ff9b::8.8.8.8":         "",
		"64:ff9b:1::1":             "local-use NAT64",
		"100::1":                   "discard-only",
		"fc00::1":                  "private (unique local)",
		"fd00:ec2::254":            "private (unique local)", // the EC2 metadata service over IPv6
		"fe80::1":                  "link-local",
		"fe80::1%eth0":             "link-local",
		"febf::1":                  "link-local",
		"fec0::1":                  "site-local",
		"ff02::1":                  "multicast",
		"ff05::1:3":                "multicast",
		"2001:db8::1":              "documentation",
		"3fff::1":                  "documentation",
		"2001::1":                  "IETF protocol assignment", // Teredo
		"2001:2::1":                "IETF protocol assignment", // benchmarking
		"2001:1ff::1":              "IETF protocol assignment",
		"2002:a00:1::1":            "6to4",
		"5f00::1":                  "reserved", // SRv6
		"4000::1":                  "reserved",
		"::2":                      "IPv4-compatible",
		"2001:200::1":              "",
		"2001:4860:4860::8888":     "",
		"2606:4700:4700::1111":     "",
		"2620:1ec:c11::200":        "",
	}
	got := make(map[string]string, len(cases))
	for s := range cases {
		got[s] = Classify(netip.MustParseAddr(s))
	}
	if diff := cmp.Diff(cases, got); diff != "" {
		t.Errorf("Classify mismatch (-want +got):\n%s", diff)
	}
	if c := Classify(netip.Addr{}); c != "invalid" {
		t.Errorf("Classify(zero Addr) = %q, want invalid", c)
	}
}
